/**
 * CloudWatch Logs filter patterns, as FilterLogEvents, metric filters and subscription filters
 * apply them to a log event's message. Three forms:
 *
 * - terms: `ERROR`, `"exact phrase"`, all must occur (case-sensitive); `?A ?B` any of them;
 *   `-term` must not occur (`ERROR -Exiting`);
 * - JSON: `{ $.level = "error" && ($.latency > 100 || $.user.id NOT EXISTS) }` with `=`, `!=`,
 *   `<`, `<=`, `>`, `>=`, `*` wildcards in strings, `IS NULL`, `IS TRUE`, `IS FALSE`,
 *   `NOT EXISTS`, array indexes (`$.a[0].b`);
 * - space-delimited: `[ip, user, ..., status = 4*, bytes > 1000]`, fields split on spaces with
 *   `"..."` and `[...]` kept whole; `...` skips any number of fields; a field's conditions
 *   combine with `&&` and `||`.
 *
 * `parseFilterPattern` throws `FilterPatternError` (AWS: InvalidParameterException "Invalid
 * filter pattern"); `matches` never throws.
 * Source: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 */

export class FilterPatternError extends Error {}

export type FilterPattern =
  | { kind: "all" }
  | { kind: "terms"; all: string[]; any: string[]; none: string[] }
  | { kind: "json"; expr: JsonExpr }
  | { kind: "delimited"; fields: DelimitedField[] };

type Comparison = "=" | "!=" | "<" | "<=" | ">" | ">=";
type JsonValue = { type: "string"; value: string } | { type: "number"; value: number };
type JsonExpr =
  | { op: "&&" | "||"; left: JsonExpr; right: JsonExpr }
  | { op: "cmp"; path: PathPart[]; cmp: Comparison; value: JsonValue }
  | { op: "is"; path: PathPart[]; what: "NULL" | "TRUE" | "FALSE" }
  | { op: "notExists"; path: PathPart[] }
  | { op: "exists"; path: PathPart[] };
type PathPart = string | number;

interface DelimitedField {
  name: string;
  ellipsis: boolean;
  condition?: FieldCondition;
}
type FieldCondition =
  | { op: "&&" | "||"; left: FieldCondition; right: FieldCondition }
  | { op: "cmp"; cmp: Comparison; value: JsonValue };

/** Parses a filter pattern; an empty or blank pattern matches every event. */
export function parseFilterPattern(text: string): FilterPattern {
  const trimmed = text.trim();
  if (trimmed === "") return { kind: "all" };
  if (trimmed.startsWith("{")) return { kind: "json", expr: new JsonParser(trimmed).parseAll() };
  if (trimmed.startsWith("[")) return { kind: "delimited", fields: parseDelimited(trimmed) };
  return parseTerms(trimmed);
}

/** Whether `message` matches the pattern. */
export function matches(pattern: FilterPattern, message: string): boolean {
  switch (pattern.kind) {
    case "all":
      return true;
    case "terms":
      if (pattern.none.some((t) => message.includes(t))) return false;
      if (pattern.all.some((t) => !message.includes(t))) return false;
      return pattern.any.length === 0 || pattern.any.some((t) => message.includes(t));
    case "json": {
      let doc: unknown;
      try {
        doc = JSON.parse(message);
      } catch {
        return false;
      }
      return evalJson(pattern.expr, doc);
    }
    case "delimited":
      return matchDelimited(pattern.fields, splitFields(message));
  }
}

// ---------------------------------------------------------------------------- terms

function parseTerms(text: string): FilterPattern {
  const all: string[] = [];
  const any: string[] = [];
  const none: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === " ") i++;
    if (i >= text.length) break;
    let prefix = "";
    if (text[i] === "?" || text[i] === "-") prefix = text[i++]!;
    let term: string;
    if (text[i] === '"') {
      const end = text.indexOf('"', i + 1);
      if (end < 0) throw new FilterPatternError("unterminated quoted term");
      term = text.slice(i + 1, end);
      i = end + 1;
    } else {
      const end = text.indexOf(" ", i);
      term = text.slice(i, end < 0 ? text.length : end);
      i = end < 0 ? text.length : end;
    }
    if (term === "") throw new FilterPatternError("empty term");
    (prefix === "?" ? any : prefix === "-" ? none : all).push(term);
  }
  return { kind: "terms", all, any, none };
}

// ---------------------------------------------------------------------------- JSON

class JsonParser {
  private i = 0;
  constructor(private readonly text: string) {}

  parseAll(): JsonExpr {
    this.expect("{");
    const expr = this.parseOr();
    this.expect("}");
    this.skip();
    if (this.i !== this.text.length) throw new FilterPatternError("unexpected text after '}'");
    return expr;
  }

  private skip(): void {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.i++;
  }

  private peek(s: string): boolean {
    this.skip();
    return this.text.startsWith(s, this.i);
  }

  private expect(s: string): void {
    if (!this.peek(s)) throw new FilterPatternError(`expected '${s}' at ${this.i}`);
    this.i += s.length;
  }

  private parseOr(): JsonExpr {
    let left = this.parseAnd();
    while (this.peek("||")) {
      this.i += 2;
      left = { op: "||", left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): JsonExpr {
    let left = this.parseUnit();
    while (this.peek("&&")) {
      this.i += 2;
      left = { op: "&&", left, right: this.parseUnit() };
    }
    return left;
  }

  private parseUnit(): JsonExpr {
    if (this.peek("(")) {
      this.i++;
      const inner = this.parseOr();
      this.expect(")");
      return inner;
    }
    const path = this.parsePath();
    this.skip();
    const rest = this.text.slice(this.i);
    const keyword = /^(IS\s+NULL|IS\s+TRUE|IS\s+FALSE|NOT\s+EXISTS|EXISTS)\b/i.exec(rest);
    if (keyword) {
      this.i += keyword[0].length;
      const word = keyword[1]!.toUpperCase().replace(/\s+/g, " ");
      if (word === "NOT EXISTS") return { op: "notExists", path };
      if (word === "EXISTS") return { op: "exists", path };
      return { op: "is", path, what: word.slice(3) as "NULL" | "TRUE" | "FALSE" };
    }
    const cmp = /^(!=|<=|>=|=|<|>)/.exec(rest);
    if (!cmp) throw new FilterPatternError(`expected a comparison at ${this.i}`);
    this.i += cmp[0].length;
    return { op: "cmp", path, cmp: cmp[1] as Comparison, value: this.parseValue() };
  }

  private parsePath(): PathPart[] {
    this.expect("$");
    const parts: PathPart[] = [];
    for (;;) {
      if (this.text[this.i] === ".") {
        this.i++;
        const m = /^[A-Za-z0-9_\-@:$]+/.exec(this.text.slice(this.i));
        if (!m) throw new FilterPatternError(`bad selector at ${this.i}`);
        parts.push(m[0]);
        this.i += m[0].length;
      } else if (this.text[this.i] === "[") {
        const m = /^\[(\d+)\]/.exec(this.text.slice(this.i));
        if (!m) throw new FilterPatternError(`bad index at ${this.i}`);
        parts.push(Number(m[1]));
        this.i += m[0].length;
      } else {
        break;
      }
    }
    if (parts.length === 0) throw new FilterPatternError("a selector needs a property");
    return parts;
  }

  private parseValue(): JsonValue {
    this.skip();
    if (this.text[this.i] === '"') {
      const end = this.text.indexOf('"', this.i + 1);
      if (end < 0) throw new FilterPatternError("unterminated string");
      const value = this.text.slice(this.i + 1, end);
      this.i = end + 1;
      return { type: "string", value };
    }
    const m = /^[^\s)&|}]+/.exec(this.text.slice(this.i));
    if (!m) throw new FilterPatternError(`expected a value at ${this.i}`);
    this.i += m[0].length;
    return literal(m[0]);
  }
}

function literal(text: string): JsonValue {
  return /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text) ? { type: "number", value: Number(text) } : { type: "string", value: text };
}

function select(doc: unknown, path: PathPart[]): { found: boolean; value: unknown } {
  let current: unknown = doc;
  for (const part of path) {
    if (current === null || typeof current !== "object") return { found: false, value: undefined };
    if (typeof part === "number") {
      if (!Array.isArray(current) || part >= current.length) return { found: false, value: undefined };
      current = current[part];
    } else {
      if (Array.isArray(current) || !(part in (current as object))) return { found: false, value: undefined };
      current = (current as Record<string, unknown>)[part];
    }
  }
  return { found: true, value: current };
}

function wildcard(pattern: string, value: string): boolean {
  if (!pattern.includes("*")) return pattern === value;
  const re = new RegExp("^" + pattern.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$", "s");
  return re.test(value);
}

function compare(actual: unknown, cmp: Comparison, expected: JsonValue): boolean {
  if (expected.type === "number") {
    const n = typeof actual === "number" ? actual : typeof actual === "string" && actual.trim() !== "" ? Number(actual) : NaN;
    if (Number.isNaN(n)) return cmp === "!=" ? actual !== undefined : false;
    switch (cmp) {
      case "=": return n === expected.value;
      case "!=": return n !== expected.value;
      case "<": return n < expected.value;
      case "<=": return n <= expected.value;
      case ">": return n > expected.value;
      case ">=": return n >= expected.value;
    }
  }
  if (cmp !== "=" && cmp !== "!=") return false;
  if (typeof actual !== "string" && typeof actual !== "number" && typeof actual !== "boolean") return cmp === "!=" && actual !== undefined;
  const equal = wildcard(expected.value, String(actual));
  return cmp === "=" ? equal : !equal;
}

function evalJson(expr: JsonExpr, doc: unknown): boolean {
  switch (expr.op) {
    case "&&": return evalJson(expr.left, doc) && evalJson(expr.right, doc);
    case "||": return evalJson(expr.left, doc) || evalJson(expr.right, doc);
    case "notExists": return !select(doc, expr.path).found;
    case "exists": return select(doc, expr.path).found;
    case "is": {
      const { found, value } = select(doc, expr.path);
      if (!found) return false;
      return expr.what === "NULL" ? value === null : value === (expr.what === "TRUE");
    }
    case "cmp": {
      const { found, value } = select(doc, expr.path);
      return found && compare(value, expr.cmp, expr.value);
    }
  }
}

// ---------------------------------------------------------------------------- space-delimited

function parseDelimited(text: string): DelimitedField[] {
  if (!text.endsWith("]")) throw new FilterPatternError("a space-delimited pattern ends with ']'");
  const inner = text.slice(1, -1);
  const fields: DelimitedField[] = [];
  for (const raw of splitTopLevel(inner)) {
    const part = raw.trim();
    if (part === "") throw new FilterPatternError("empty field");
    if (part === "...") {
      fields.push({ name: "...", ellipsis: true });
      continue;
    }
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(.*)$/s.exec(part);
    if (!m) throw new FilterPatternError(`bad field '${part}'`);
    const name = m[1]!;
    const rest = m[2]!.trim();
    fields.push({ name, ellipsis: false, ...(rest ? { condition: parseFieldCondition(name, rest) } : {}) });
  }
  return fields;
}

/** Splits on commas outside quotes. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let current = "";
  let quoted = false;
  for (const ch of text) {
    if (ch === '"') quoted = !quoted;
    if (ch === "," && !quoted) {
      out.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  out.push(current);
  return out;
}

function parseFieldCondition(name: string, text: string): FieldCondition {
  const orParts = splitOn(text, "||");
  if (orParts.length > 1) return orParts.map((p) => parseFieldCondition(name, p)).reduce((left, right) => ({ op: "||", left, right }));
  const andParts = splitOn(text, "&&");
  if (andParts.length > 1) return andParts.map((p) => parseFieldCondition(name, p)).reduce((left, right) => ({ op: "&&", left, right }));
  let t = text.trim();
  // Later conditions of a field repeat its name: `status = 4* || status = 5*`.
  if (t.startsWith(name)) t = t.slice(name.length).trim();
  const m = /^(!=|<=|>=|=|<|>)\s*(.+)$/s.exec(t);
  if (!m) throw new FilterPatternError(`bad condition '${text}'`);
  const raw = m[2]!.trim();
  const value: JsonValue = raw.startsWith('"') && raw.endsWith('"') && raw.length >= 2 ? { type: "string", value: raw.slice(1, -1) } : literal(raw);
  return { op: "cmp", cmp: m[1] as Comparison, value };
}

function splitOn(text: string, separator: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '"') quoted = !quoted;
    if (!quoted && text.startsWith(separator, i)) {
      out.push(text.slice(start, i));
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

/** A message's fields: split on spaces, with `"..."` and `[...]` each one field (brackets kept). */
export function splitFields(message: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i < message.length) {
    while (message[i] === " ") i++;
    if (i >= message.length) break;
    if (message[i] === '"') {
      const end = message.indexOf('"', i + 1);
      const stop = end < 0 ? message.length : end;
      fields.push(message.slice(i + 1, stop));
      i = stop + 1;
    } else if (message[i] === "[") {
      const end = message.indexOf("]", i + 1);
      const stop = end < 0 ? message.length : end + 1;
      fields.push(message.slice(i, stop));
      i = stop;
    } else {
      const end = message.indexOf(" ", i);
      const stop = end < 0 ? message.length : end;
      fields.push(message.slice(i, stop));
      i = stop;
    }
  }
  return fields;
}

function evalField(condition: FieldCondition, value: string): boolean {
  switch (condition.op) {
    case "&&": return evalField(condition.left, value) && evalField(condition.right, value);
    case "||": return evalField(condition.left, value) || evalField(condition.right, value);
    case "cmp": return compare(value, condition.cmp, condition.value);
  }
}

function matchDelimited(fields: DelimitedField[], values: string[]): boolean {
  const go = (f: number, v: number): boolean => {
    if (f === fields.length) return v === values.length;
    const field = fields[f]!;
    if (field.ellipsis) {
      for (let skip = v; skip <= values.length; skip++) if (go(f + 1, skip)) return true;
      return false;
    }
    if (v >= values.length) return false;
    if (field.condition && !evalField(field.condition, values[v]!)) return false;
    return go(f + 1, v + 1);
  };
  return go(0, 0);
}

/**
 * Named values of a matching message, for metric filter values and dimensions: `$name` for the
 * fields of a space-delimited pattern (fields after an ellipsis counted from the end), and
 * `$.path` selectors of a JSON message. Absent names are left out.
 */
export function extractValue(pattern: FilterPattern, message: string, selector: string): string | undefined {
  if (selector.startsWith("$.")) {
    let doc: unknown;
    try {
      doc = JSON.parse(message);
    } catch {
      return undefined;
    }
    const path: PathPart[] = [];
    for (const m of selector.slice(1).matchAll(/\.([A-Za-z0-9_\-@:$]+)|\[(\d+)\]/g)) path.push(m[1] !== undefined ? m[1] : Number(m[2]));
    const { found, value } = select(doc, path);
    return found && value !== null && typeof value !== "object" ? String(value) : undefined;
  }
  if (selector.startsWith("$") && pattern.kind === "delimited") return extractFields(pattern, message)[selector.slice(1)];
  return undefined;
}

/** Field name → value of a message matched by a space-delimited pattern. */
export function extractFields(pattern: FilterPattern, message: string): Record<string, string> {
  if (pattern.kind !== "delimited") return {};
  const values = splitFields(message);
  const fields = pattern.fields;
  const firstEllipsis = fields.findIndex((f) => f.ellipsis);
  const out: Record<string, string> = {};
  fields.forEach((field, index) => {
    if (field.ellipsis) return;
    const at = firstEllipsis < 0 || index < firstEllipsis ? index : values.length - (fields.length - index);
    if (at >= 0 && at < values.length && (firstEllipsis < 0 || index < firstEllipsis || at >= firstEllipsis)) out[field.name] = values[at]!;
  });
  return out;
}
