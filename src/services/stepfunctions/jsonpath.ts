/**
 * JSONPath as Amazon States Language uses it (https://states-language.net/#path): `$` (the
 * state's data) or `$$` (the context object), member access `.name` / `['name']`, indexes
 * `[0]` `[-1]`, wildcards `[*]` `.*`, slices `[1:3]`, unions `[0,2]`, deep scan `..name` and
 * simple filters `[?(@.price < 10)]`. A path with a wildcard, slice, union, filter or deep scan
 * selects a list; any other path one value. Reference paths (ResultPath) allow only members and
 * indexes.
 */

type Step =
  | { kind: "member"; name: string }
  | { kind: "index"; index: number }
  | { kind: "wildcard" }
  | { kind: "slice"; start?: number; end?: number; step?: number }
  | { kind: "union"; items: (string | number)[] }
  | { kind: "deep"; name: string | null }
  | { kind: "filter"; expr: string };

export class PathError extends Error {}

export interface ParsedPath {
  root: "$" | "$$";
  steps: Step[];
  definite: boolean;
}

const cache = new Map<string, ParsedPath>();

export function parsePath(path: string): ParsedPath {
  const hit = cache.get(path);
  if (hit) return hit;
  const parsed = parse(path);
  if (cache.size > 2000) cache.clear();
  cache.set(path, parsed);
  return parsed;
}

function parse(path: string): ParsedPath {
  if (typeof path !== "string" || !path.startsWith("$")) throw new PathError(`Invalid path '${path}'`);
  let i = path.startsWith("$$") ? 2 : 1;
  const root = i === 2 ? "$$" : "$";
  const steps: Step[] = [];
  const ident = () => {
    const m = /^[^.[\]\s()'"=<>!,]+/u.exec(path.slice(i));
    if (!m) throw new PathError(`Invalid path '${path}'`);
    i += m[0].length;
    return m[0];
  };
  while (i < path.length) {
    if (path.startsWith("..", i)) {
      i += 2;
      if (path[i] === "*") {
        i++;
        steps.push({ kind: "deep", name: null });
      } else steps.push({ kind: "deep", name: ident() });
    } else if (path[i] === ".") {
      i++;
      if (path[i] === "*") {
        i++;
        steps.push({ kind: "wildcard" });
      } else steps.push({ kind: "member", name: ident() });
    } else if (path[i] === "[") {
      const close = findClose(path, i);
      const body = path.slice(i + 1, close).trim();
      i = close + 1;
      steps.push(bracket(body, path));
    } else throw new PathError(`Invalid path '${path}'`);
  }
  const definite = steps.every((s) => s.kind === "member" || s.kind === "index");
  return { root, steps, definite };
}

function findClose(path: string, open: number): number {
  let depth = 0;
  let quote: string | null = null;
  for (let j = open; j < path.length; j++) {
    const c = path[j]!;
    if (quote) {
      if (c === "\\") j++;
      else if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "[" || c === "(") depth++;
    else if (c === "]" || c === ")") {
      depth--;
      if (depth === 0 && c === "]") return j;
    }
  }
  throw new PathError(`Invalid path '${path}'`);
}

function unquote(s: string): string | null {
  const m = /^(['"])(.*)\1$/s.exec(s.trim());
  return m ? m[2]!.replace(/\\(['"\\])/g, "$1") : null;
}

function bracket(body: string, path: string): Step {
  if (body === "*") return { kind: "wildcard" };
  if (body.startsWith("?(") && body.endsWith(")")) return { kind: "filter", expr: body.slice(2, -1).trim() };
  const q = unquote(body);
  if (q !== null) return { kind: "member", name: q };
  if (/^-?\d+$/.test(body)) return { kind: "index", index: Number(body) };
  const slice = /^(-?\d*)\s*:\s*(-?\d*)(?:\s*:\s*(-?\d*))?$/.exec(body);
  if (slice) {
    const n = (s?: string) => (s === undefined || s === "" ? undefined : Number(s));
    return { kind: "slice", start: n(slice[1]), end: n(slice[2]), step: n(slice[3]) };
  }
  if (body.includes(",")) {
    const items = body.split(",").map((p) => {
      const t = p.trim();
      const uq = unquote(t);
      if (uq !== null) return uq;
      if (/^-?\d+$/.test(t)) return Number(t);
      throw new PathError(`Invalid path '${path}'`);
    });
    return { kind: "union", items };
  }
  throw new PathError(`Invalid path '${path}'`);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function children(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (isObject(v)) return Object.values(v);
  return [];
}

function applyStep(values: unknown[], step: Step): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    switch (step.kind) {
      case "member":
        if (isObject(v) && Object.hasOwn(v, step.name)) out.push(v[step.name]);
        break;
      case "index":
        if (Array.isArray(v)) {
          const at = step.index < 0 ? v.length + step.index : step.index;
          if (at >= 0 && at < v.length) out.push(v[at]);
        }
        break;
      case "wildcard":
        out.push(...children(v));
        break;
      case "slice":
        if (Array.isArray(v)) {
          const len = v.length;
          const norm = (x: number | undefined, d: number) => (x === undefined ? d : x < 0 ? Math.max(0, len + x) : Math.min(x, len));
          const st = step.step ?? 1;
          if (st > 0) for (let k = norm(step.start, 0); k < norm(step.end, len); k += st) out.push(v[k]);
        }
        break;
      case "union":
        for (const item of step.items) {
          if (typeof item === "number" && Array.isArray(v)) {
            const at = item < 0 ? v.length + item : item;
            if (at >= 0 && at < v.length) out.push(v[at]);
          } else if (typeof item === "string" && isObject(v) && Object.hasOwn(v, item)) out.push(v[item]);
        }
        break;
      case "deep": {
        const walk = (node: unknown) => {
          if (step.name === null) out.push(...children(node));
          else if (isObject(node) && Object.hasOwn(node, step.name)) out.push(node[step.name]);
          for (const c of children(node)) if (typeof c === "object" && c !== null) walk(c);
        };
        walk(v);
        break;
      }
      case "filter":
        for (const c of children(v)) if (filterMatches(step.expr, c)) out.push(c);
        break;
    }
  }
  return out;
}

/** `@.a.b <op> literal`, `@.a` (exists), joined by && / ||. */
function filterMatches(expr: string, item: unknown): boolean {
  const ors = splitTop(expr, "||");
  if (ors.length > 1) return ors.some((e) => filterMatches(e, item));
  const ands = splitTop(expr, "&&");
  if (ands.length > 1) return ands.every((e) => filterMatches(e, item));
  const m = /^(@[^=<>!]*?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(expr.trim());
  const read = (p: string) => {
    const got = applyAll({ root: "$", ...stepsOf("$" + p.trim().slice(1)) }, item);
    return got.length ? got[0] : undefined;
  };
  if (!m) return read(expr.trim()) !== undefined;
  const left = read(m[1]!);
  let right: unknown;
  const raw = m[3]!.trim();
  const q = unquote(raw);
  if (q !== null) right = q;
  else {
    try {
      right = JSON.parse(raw);
    } catch {
      return false;
    }
  }
  if (left === undefined) return false;
  switch (m[2]) {
    case "==": return JSON.stringify(left) === JSON.stringify(right);
    case "!=": return JSON.stringify(left) !== JSON.stringify(right);
    case "<": return (left as number) < (right as number);
    case "<=": return (left as number) <= (right as number);
    case ">": return (left as number) > (right as number);
    case ">=": return (left as number) >= (right as number);
  }
  return false;
}

function stepsOf(path: string) {
  const p = parsePath(path);
  return { steps: p.steps, definite: p.definite };
}

function splitTop(expr: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0, quote: string | null = null, last = 0;
  for (let j = 0; j < expr.length; j++) {
    const c = expr[j]!;
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === "(" || c === "[") depth++;
    else if (c === ")" || c === "]") depth--;
    else if (depth === 0 && expr.startsWith(sep, j)) {
      parts.push(expr.slice(last, j));
      last = j + sep.length;
      j += sep.length - 1;
    }
  }
  parts.push(expr.slice(last));
  return parts;
}

function applyAll(path: ParsedPath, data: unknown): unknown[] {
  let values = [data];
  for (const step of path.steps) values = applyStep(values, step);
  return values;
}

/**
 * The value `path` selects in `data` (`$`) or `context` (`$$`): one value for a definite path, a
 * list otherwise. Throws PathError when a definite path selects nothing.
 */
export function selectPath(path: string, data: unknown, context?: unknown, variables?: Record<string, unknown>): unknown {
  const variable = /^\$([A-Za-z_][A-Za-z0-9_]*)(.*)$/s.exec(path);
  if (variable) {
    if (!variables || !Object.hasOwn(variables, variable[1]!)) throw new PathError(`The variable '$${variable[1]}' is not defined`);
    return selectPath("$" + variable[2], variables[variable[1]!], context);
  }
  const parsed = parsePath(path);
  const source = parsed.root === "$$" ? context : data;
  const got = applyAll(parsed, source);
  if (parsed.definite) {
    if (got.length === 0) throw new PathError(`The JSONPath '${path}' could not be found in the input '${JSON.stringify(source)}'`);
    return got[0];
  }
  return got;
}

/** True when `path` is a valid JSONPath (for definition validation). */
export function isValidPath(path: unknown): boolean {
  if (typeof path !== "string") return false;
  try {
    const variable = /^\$[A-Za-z_][A-Za-z0-9_]*(.*)$/s.exec(path);
    parsePath(variable ? "$" + variable[1] : path);
    return true;
  } catch {
    return false;
  }
}

/** True when `path` is a reference path (members and indexes only), as ResultPath needs. */
export function isReferencePath(path: unknown): boolean {
  if (typeof path !== "string") return false;
  try {
    const p = parsePath(path);
    return p.root === "$" && p.definite;
  } catch {
    return false;
  }
}

/**
 * `input` with `value` placed at reference path `path` (ResultPath): `$` replaces the whole
 * input; missing objects along the way are created. Throws PathError when a step meets a
 * non-object.
 */
export function setPath(input: unknown, path: string, value: unknown): unknown {
  const p = parsePath(path);
  if (p.steps.length === 0) return value;
  const root = structuredClone(input ?? {});
  if (typeof root !== "object" || root === null) throw new PathError(`Unable to apply ResultPath '${path}' to input '${JSON.stringify(input)}'`);
  // Each step lands on an object (created where missing), indexed by member name or array index.
  let node = root as Record<string | number, unknown>;
  p.steps.forEach((step, k) => {
    const last = k === p.steps.length - 1;
    const key: string | number = step.kind === "member" ? step.name : (step as { index: number }).index;
    if (typeof key === "string" && (typeof node !== "object" || node === null || Array.isArray(node))) {
      throw new PathError(`Unable to apply ResultPath '${path}' to input '${JSON.stringify(input)}'`);
    }
    if (last) node[key] = value;
    else {
      const next = node[key];
      if (next === undefined || next === null || typeof next !== "object") node[key] = {};
      node = node[key] as Record<string | number, unknown>;
    }
  });
  return root;
}
