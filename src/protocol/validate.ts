/**
 * Input validation against the model (required members, types, enums, lengths, ranges,
 * patterns), done once in the codec before any handler runs. Codecs turn failures into the
 * protocol's error (`ValidationError` for awsQuery, `ValidationException` for JSON protocols),
 * with the message AWS's Coral services produce:
 *
 *   1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null
 *
 * Paths are Coral's: lowerCamel member names joined by `.`, list elements as
 * `keySchema.1.member.attributeName` (1-based), map values as `requestItems.MyTable.member`.
 * For one member, failures come in the order enum, pattern, length/range (DynamoDB prints a
 * pattern failure before a length failure for the same value).
 *
 * Source: Smithy constraint traits (https://smithy.io/2.0/spec/constraint-traits.html); message
 * wording as DynamoDB and other Coral services send it (e.g. `Value '200' at 'limit' failed to
 * satisfy constraint: Member must have value less than or equal to 100`).
 */
import type { ServiceModel, Shape, ShapeRef } from "./model.ts";

export interface ValidationFailure {
  /** Path as AWS prints it: lowerCamel member names joined by '.', list indexes as `.1.member` (1-based) */
  path: string;
  /** The offending value as AWS prints it, quotes included: `null` for missing, `'abc'`, `'[]'`. */
  value: string;
  /** e.g. `Member must not be null`, `Member must have length less than or equal to 64`. */
  constraint: string;
}

/** Validates `input` against `ref`'s shape; returns every failure (empty when valid). */
export function validateInput(model: ServiceModel, ref: ShapeRef, input: unknown): ValidationFailure[] {
  const failures: ValidationFailure[] = [];
  const shape = model.shapes[ref.shape];
  // Valid input (nearly every request) takes a check that builds no paths; only input that
  // fails is walked again to name its failures.
  if (shape && input !== null && input !== undefined && !isValid(model, shape, input)) walk(model, shape, input, "", failures);
  return failures;
}

/** AWS's message for a list of failures ("1 validation error detected: ..."). */
export function validationMessage(failures: ValidationFailure[]): string {
  const n = failures.length;
  const parts = failures.map((f) => `Value ${f.value} at '${f.path}' failed to satisfy constraint: ${f.constraint}`);
  return `${n} validation error${n === 1 ? "" : "s"} detected: ${parts.join("; ")}`;
}

/** Member name as Coral prints it: the Java bean property (`TableName` -> `tableName`, `SSESpecification` -> `sSESpecification`). */
function lowerCamel(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

function join(path: string, part: string): string {
  return path ? `${path}.${part}` : part;
}

function walk(model: ServiceModel, shape: Shape, value: unknown, path: string, out: ValidationFailure[]): void {
  switch (shape.type) {
    case "structure": {
      if (typeof value !== "object" || value === null || shape.document) return;
      const record = value as Record<string, unknown>;
      const members = shape.members ?? {};
      const required = shape.required;
      if (required) {
        for (const name of required) {
          const v = record[name];
          if (v === undefined || v === null) out.push({ path: join(path, lowerCamel(name)), value: "null", constraint: "Member must not be null" });
        }
      }
      for (const name in members) {
        const v = record[name];
        if (v === undefined || v === null) continue;
        const memberShape = model.shapes[members[name]!.shape];
        if (memberShape) walk(model, memberShape, v, join(path, lowerCamel(name)), out);
      }
      return;
    }
    case "list": {
      if (!Array.isArray(value)) return;
      checkSize(shape, value.length, value, path, out);
      // A null element of a non-sparse list (a JSON or CBOR client can send one) is Coral's "must not be null".
      if (!shape.sparse && value.includes(null)) {
        value.forEach((item, i) => {
          if (item === null) out.push({ path: `${join(path, String(i + 1))}.member`, value: "null", constraint: "Member must not be null" });
        });
      }
      const memberShape = shape.member && model.shapes[shape.member.shape];
      if (!memberShape || !needsWalk(model, memberShape)) return;
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        if (item !== null && item !== undefined) walk(model, memberShape, item, `${join(path, String(i + 1))}.member`, out);
      }
      return;
    }
    case "map": {
      if (typeof value !== "object" || value === null) return;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      checkSize(shape, keys.length, value, path, out);
      if (!shape.sparse) {
        for (const key of keys) {
          if (record[key] === null) out.push({ path: `${join(path, key)}.member`, value: "null", constraint: "Member must not be null" });
        }
      }
      const valueShape = shape.value && model.shapes[shape.value.shape];
      if (!valueShape || !needsWalk(model, valueShape)) return;
      for (const key of keys) {
        const item = record[key];
        if (item !== null && item !== undefined) walk(model, valueShape, item, `${join(path, key)}.member`, out);
      }
      return;
    }
    case "string":
    case "char": {
      if (typeof value !== "string") return;
      if (shape.enum && !enumSet(shape).has(value)) {
        out.push({ path, value: printValue(value), constraint: `Member must satisfy enum value set: ${enumText(shape)}` });
      }
      if (shape.pattern !== undefined) {
        const re = compilePattern(shape.pattern);
        if (re && !re.test(value)) {
          out.push({ path, value: printValue(value), constraint: `Member must satisfy regular expression pattern: ${shape.pattern}` });
        }
      }
      checkSize(shape, value.length, value, path, out);
      return;
    }
    case "blob": {
      const length = blobLength(value);
      if (length !== undefined) checkSize(shape, length, value, path, out);
      return;
    }
    case "integer":
    case "long":
    case "short":
    case "byte":
    case "float":
    case "double":
    case "bigdecimal":
    case "biginteger": {
      const n = numberOf(value);
      if (Number.isNaN(n)) return;
      if (shape.min !== undefined && n < shape.min) {
        out.push({ path, value: printValue(value), constraint: `Member must have value greater than or equal to ${shape.min}` });
      }
      if (shape.max !== undefined && n > shape.max) {
        out.push({ path, value: printValue(value), constraint: `Member must have value less than or equal to ${shape.max}` });
      }
      return;
    }
    default:
      return;
  }
}

/**
 * True when `walk` would find no failure in `value`: the same checks, without paths, over the
 * members that can fail (per-shape plans, computed once).
 */
function isValid(model: ServiceModel, shape: Shape, value: unknown): boolean {
  switch (shape.type) {
    case "structure": {
      if (typeof value !== "object" || value === null || shape.document) return true;
      const record = value as Record<string, unknown>;
      const required = shape.required;
      if (required) {
        for (let i = 0; i < required.length; i++) {
          const v = record[required[i]!];
          if (v === undefined || v === null) return false;
        }
      }
      const plan = memberPlan(model, shape);
      for (let i = 0; i < plan.length; i += 2) {
        const v = record[plan[i] as string];
        if (v !== undefined && v !== null && !isValid(model, plan[i + 1] as Shape, v)) return false;
      }
      return true;
    }
    case "list": {
      if (!Array.isArray(value)) return true;
      if (!sizeOk(shape, value.length)) return false;
      if (!shape.sparse && value.includes(null)) return false;
      const memberShape = shape.member && model.shapes[shape.member.shape];
      if (!memberShape || !needsWalk(model, memberShape)) return true;
      for (let i = 0; i < value.length; i++) {
        const item = value[i];
        if (item !== null && item !== undefined && !isValid(model, memberShape, item)) return false;
      }
      return true;
    }
    case "map": {
      if (typeof value !== "object" || value === null) return true;
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record);
      if (!sizeOk(shape, keys.length)) return false;
      const valueShape = shape.value && model.shapes[shape.value.shape];
      const deep = !!valueShape && needsWalk(model, valueShape);
      for (const key of keys) {
        const item = record[key];
        if (item === null) {
          if (!shape.sparse) return false;
        } else if (deep && item !== undefined && !isValid(model, valueShape, item)) {
          return false;
        }
      }
      return true;
    }
    case "string":
    case "char": {
      if (typeof value !== "string") return true;
      if (shape.enum && !enumSet(shape).has(value)) return false;
      if (shape.pattern !== undefined) {
        const re = compilePattern(shape.pattern);
        if (re && !re.test(value)) return false;
      }
      return sizeOk(shape, value.length);
    }
    case "blob": {
      if (shape.min === undefined && shape.max === undefined) return true;
      const length = blobLength(value);
      return length === undefined || sizeOk(shape, length);
    }
    case "integer":
    case "long":
    case "short":
    case "byte":
    case "float":
    case "double":
    case "bigdecimal":
    case "biginteger": {
      const n = numberOf(value);
      if (Number.isNaN(n)) return true;
      return !(shape.min !== undefined && n < shape.min) && !(shape.max !== undefined && n > shape.max);
    }
    default:
      return true;
  }
}

/** A blob member's length in bytes (a string counts as its UTF-8 bytes); undefined for other values. */
function blobLength(value: unknown): number | undefined {
  return value instanceof Uint8Array ? value.byteLength : typeof value === "string" ? new TextEncoder().encode(value).byteLength : undefined;
}

/** A numeric member's value; NaN when it is not a number (the type check reports that). */
function numberOf(value: unknown): number {
  return typeof value === "number" ? value : typeof value === "bigint" ? Number(value) : Number.NaN;
}

function sizeOk(shape: Shape, size: number): boolean {
  return !(shape.min !== undefined && size < shape.min) && !(shape.max !== undefined && size > shape.max);
}

const memberPlans = new WeakMap<Shape, (string | Shape)[]>();

/** A structure's members that can fail validation, as `[name, shape, name, shape, ...]`. */
function memberPlan(model: ServiceModel, shape: Shape): (string | Shape)[] {
  let plan = memberPlans.get(shape);
  if (!plan) {
    plan = [];
    const members = shape.members ?? {};
    for (const name in members) {
      const memberShape = model.shapes[members[name]!.shape];
      if (memberShape && canFail(model, memberShape)) plan.push(name, memberShape);
    }
    memberPlans.set(shape, plan);
  }
  return plan;
}

const failing = new WeakMap<Shape, boolean>();

/**
 * Whether `walk` can report anything for a value of this shape when it reaches it as a structure
 * member: constraints anywhere below (`needsWalk`), or a null element of a non-sparse list or map
 * (checked whatever the elements' shape), itself or in a structure below.
 */
function canFail(model: ServiceModel, shape: Shape, seen = new Set<Shape>()): boolean {
  const cached = failing.get(shape);
  if (cached !== undefined) return cached;
  if (seen.has(shape)) return true;
  seen.add(shape);
  let result = needsWalk(model, shape);
  if (!result && (shape.type === "list" || shape.type === "map")) result = !shape.sparse;
  if (!result && shape.type === "structure") {
    result = Object.values(shape.members ?? {}).some((m) => {
      const s = model.shapes[m.shape];
      return s ? canFail(model, s, seen) : false;
    });
  }
  failing.set(shape, result);
  return result;
}

/** Length constraints for strings, blobs, lists and maps (Coral says "length" for all of them). */
function checkSize(shape: Shape, size: number, value: unknown, path: string, out: ValidationFailure[]): void {
  if (shape.min !== undefined && size < shape.min) {
    out.push({ path, value: printValue(value), constraint: `Member must have length greater than or equal to ${shape.min}` });
  }
  if (shape.max !== undefined && size > shape.max) {
    out.push({ path, value: printValue(value), constraint: `Member must have length less than or equal to ${shape.max}` });
  }
}

// Per-shape facts computed once, on first use.
const walkNeeded = new WeakMap<Shape, boolean>();
const enums = new WeakMap<Shape, { set: Set<string>; text: string }>();
const patterns = new Map<string, RegExp | null>();

/** Whether any value of this shape can fail validation (skips walking big unconstrained collections). */
function needsWalk(model: ServiceModel, shape: Shape, seen = new Set<Shape>()): boolean {
  const cached = walkNeeded.get(shape);
  if (cached !== undefined) return cached;
  if (seen.has(shape)) return true;
  seen.add(shape);
  let needed: boolean;
  if (shape.min !== undefined || shape.max !== undefined || shape.enum || shape.pattern !== undefined || shape.required?.length) {
    needed = true;
  } else if (shape.type === "structure") {
    needed = Object.values(shape.members ?? {}).some((m) => {
      const s = model.shapes[m.shape];
      return s ? needsWalk(model, s, seen) : false;
    });
  } else if (shape.type === "list" || shape.type === "map") {
    const inner = model.shapes[(shape.type === "list" ? shape.member : shape.value)?.shape ?? ""];
    needed = inner ? needsWalk(model, inner, seen) : false;
  } else {
    needed = false;
  }
  walkNeeded.set(shape, needed);
  return needed;
}

function enumEntry(shape: Shape): { set: Set<string>; text: string } {
  let entry = enums.get(shape);
  if (!entry) {
    const values = shape.enum ?? [];
    // Coral prints the allowed set sorted (`[B, N, S]` for DynamoDB's S/N/B).
    entry = { set: new Set(values), text: `[${[...values].sort().join(", ")}]` };
    enums.set(shape, entry);
  }
  return entry;
}

function enumSet(shape: Shape): Set<string> {
  return enumEntry(shape).set;
}

function enumText(shape: Shape): string {
  return enumEntry(shape).text;
}

/** Java POSIX classes JS lacks, as Java defines them (US-ASCII). */
const POSIX_CLASSES: Record<string, string> = {
  Print: "\\x20-\\x7E",
  Graph: "\\x21-\\x7E",
  Alnum: "A-Za-z0-9",
  Alpha: "A-Za-z",
  Digit: "0-9",
  Upper: "A-Z",
  Lower: "a-z",
  Punct: "!-\\/:-@\\[-`{-~",
  Space: " \\t\\n\\x0B\\f\\r",
  XDigit: "0-9a-fA-F",
  ASCII: "\\x00-\\x7F",
};

/**
 * A model pattern as a whole-string JS RegExp (Java's `matches()`), or null when JS cannot
 * compile it (some models carry Java-only syntax); such patterns are not enforced.
 */
export function compilePattern(pattern: string): RegExp | null {
  let re = patterns.get(pattern);
  if (re !== undefined) return re;
  re = null;
  const translated = translatePosixClasses(pattern);
  for (const flags of ["u", ""]) {
    try {
      re = new RegExp(`^(?:${translated})$`, flags);
      break;
    } catch {
      // try the next flavour
    }
  }
  patterns.set(pattern, re);
  return re;
}

/** Replaces Java's `\p{Print}`-style classes with explicit ranges (bracketed outside a class). */
function translatePosixClasses(pattern: string): string {
  if (!pattern.includes("\\p{")) return pattern;
  let out = "";
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i]!;
    if (ch === "\\") {
      const m = /^\\p\{(\w+)\}/.exec(pattern.slice(i));
      const range = m && POSIX_CLASSES[m[1]!];
      if (m && range) {
        out += inClass ? range : `[${range}]`;
        i += m[0].length - 1;
      } else {
        out += pattern.slice(i, i + 2);
        i++;
      }
      continue;
    }
    if (ch === "[") inClass = true;
    else if (ch === "]") inClass = false;
    out += ch;
  }
  return out;
}

/** A value as Coral prints it in `Value ... at`: Java `toString()` inside single quotes. */
function printValue(value: unknown): string {
  return `'${javaString(value)}'`;
}

function javaString(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return String(value);
  if (value instanceof Uint8Array) return `java.nio.HeapByteBuffer[pos=0 lim=${value.byteLength} cap=${value.byteLength}]`;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return `[${value.map(javaString).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k}=${javaString(v)}`)
      .join(", ")}}`;
  }
  return String(value);
}
