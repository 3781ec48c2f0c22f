/**
 * EventBridge event patterns: compiling (with AWS's validation messages) and matching.
 * Source: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html and
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 *
 * A pattern is a JSON object whose leaves are arrays of matchers (OR within a leaf, AND across
 * fields): exact strings, numbers, booleans and null; `prefix`, `suffix` (each optionally
 * `{ "equals-ignore-case": ... }`), `equals-ignore-case`, `wildcard`, `numeric` ranges,
 * `exists`, `cidr`, `anything-but` (values, or `{prefix|suffix|wildcard|equals-ignore-case}`),
 * nested objects, and `$or` (an array of at least two sub-patterns). Arrays in the event match
 * when any element matches; fields of one object pattern applied to an array of objects must all
 * match the same element (the Event Ruler's array consistency).
 *
 * Errors read as AWS's InvalidEventPatternException:
 * `Event pattern is not valid. Reason: <reason>\n at [Source: (String)"<pattern>"; line: L, column: C]`.
 */
import { JsonTokens, PatternSyntaxError, type Token } from "./pattern-json.ts";

type Leaf = string | number | boolean | null;

export type Matcher =
  | { kind: "exact"; value: Leaf }
  | { kind: "prefix" | "suffix"; value: string; ignoreCase: boolean }
  | { kind: "equals-ignore-case"; value: string }
  | { kind: "wildcard"; regex: RegExp }
  | { kind: "numeric"; lower?: number; lowerOpen?: boolean; upper?: number; upperOpen?: boolean }
  | { kind: "exists"; exists: boolean }
  | { kind: "cidr"; version: 4 | 6; low: bigint; high: bigint }
  | { kind: "anything-but"; strings: string[]; numbers: number[] }
  | { kind: "anything-but-ignore-case"; values: string[] }
  | { kind: "anything-but-prefix" | "anything-but-suffix"; values: string[] }
  | { kind: "anything-but-wildcard"; regexes: RegExp[] };

/** A compiled object pattern: AND of its fields, AND of its `$or` groups (each an OR). */
export interface ObjectPattern {
  fields: [string, Matcher[] | ObjectPattern][];
  ors: ObjectPattern[][];
}

/** An invalid pattern, with AWS's message (rendered as InvalidEventPatternException). */
export class EventPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "EventPatternError";
  }
}

const OPERATORS = ["prefix", "suffix", "anything-but", "numeric", "exists", "cidr", "equals-ignore-case", "wildcard"];
const NUMBER_LIMIT = 5e9;

/** Compiles a pattern's JSON text; throws EventPatternError with AWS's message when invalid. */
export function compilePattern(text: string): ObjectPattern {
  const tokens = new JsonTokens(text);
  try {
    if (tokens.next().type !== "START_OBJECT") tokens.fail("Filter is not an object");
    const pattern = parseObject(tokens, false);
    tokens.next();
    tokens.end();
    return pattern;
  } catch (error) {
    if (error instanceof PatternSyntaxError) {
      throw new EventPatternError(`Event pattern is not valid. Reason: ${error.message}\n at [Source: (String)"${text}"; line: ${error.line}, column: ${error.column}]`);
    }
    throw error;
  }
}

/** Compiles and matches in one step (TestEventPattern). */
export function testPattern(patternText: string, event: unknown): boolean {
  return matchesPattern(compilePattern(patternText), event);
}

function parseObject(tokens: JsonTokens, insideOr: boolean): ObjectPattern {
  const pattern: ObjectPattern = { fields: [], ors: [] };
  let any = false;
  while (tokens.next().type !== "END_OBJECT") {
    any = true;
    const name = tokens.current.text;
    if (name === "$or") {
      pattern.ors.push(parseOr(tokens));
      continue;
    }
    if (insideOr && OPERATORS.includes(name)) tokens.fail(`${name} is Ruler reserved fieldName which cannot be used inside $or.`);
    const t = tokens.next();
    if (t.type === "START_OBJECT") pattern.fields.push([name, parseObject(tokens, insideOr)]);
    else if (t.type === "START_ARRAY") pattern.fields.push([name, parseLeaf(tokens)]);
    else tokens.fail(`"${name}" must be an object or an array`);
  }
  if (!any) tokens.fail("Empty objects are not allowed");
  return pattern;
}

function parseOr(tokens: JsonTokens): ObjectPattern[] {
  if (tokens.next().type !== "START_ARRAY") tokens.fail("It must be an Array followed with $or.");
  const alternatives: ObjectPattern[] = [];
  for (let t = tokens.next(); t.type !== "END_ARRAY"; t = tokens.next()) {
    if (t.type !== "START_OBJECT") tokens.fail("Only JSON object is allowed in array of $or relationship.");
    alternatives.push(parseObject(tokens, true));
  }
  if (alternatives.length < 2) tokens.fail("There must have at least 2 Objects in $or relationship.");
  return alternatives;
}

function parseLeaf(tokens: JsonTokens): Matcher[] {
  const matchers: Matcher[] = [];
  for (let t = tokens.next(); t.type !== "END_ARRAY"; t = tokens.next()) {
    switch (t.type) {
      case "START_OBJECT":
        matchers.push(parseExpression(tokens));
        break;
      case "VALUE_STRING":
        matchers.push({ kind: "exact", value: t.text });
        break;
      case "VALUE_NUMBER":
        matchers.push({ kind: "exact", value: t.number! });
        break;
      case "VALUE_TRUE":
      case "VALUE_FALSE":
        matchers.push({ kind: "exact", value: t.type === "VALUE_TRUE" });
        break;
      case "VALUE_NULL":
        matchers.push({ kind: "exact", value: null });
        break;
      default:
        tokens.fail("Match value must be String, number, true, false, or null");
    }
  }
  if (matchers.length === 0) tokens.fail("Empty arrays are not allowed");
  return matchers;
}

function endObject(tokens: JsonTokens, message = "Only one key allowed in match expression"): void {
  if (tokens.next().type !== "END_OBJECT") tokens.fail(message);
}

function stringOrIgnoreCase(tokens: JsonTokens, op: string): { value: string; ignoreCase: boolean } {
  const t = tokens.next();
  if (t.type === "VALUE_STRING") return { value: t.text, ignoreCase: false };
  if (t.type === "START_OBJECT") {
    if (tokens.next().type !== "FIELD_NAME" || tokens.current.text !== "equals-ignore-case") {
      tokens.fail(`Unsupported ${op} pattern: ${tokens.current.text}`);
    }
    if (tokens.next().type !== "VALUE_STRING") tokens.fail("equals-ignore-case match pattern must be a string");
    const value = tokens.current.text;
    endObject(tokens);
    return { value, ignoreCase: true };
  }
  return tokens.fail(`${op} match pattern must be a string`);
}

function parseExpression(tokens: JsonTokens): Matcher {
  if (tokens.next().type !== "FIELD_NAME") tokens.fail("Match expression name not found");
  const op = tokens.current.text;
  let matcher: Matcher;
  switch (op) {
    case "prefix":
    case "suffix": {
      const { value, ignoreCase } = stringOrIgnoreCase(tokens, op);
      matcher = { kind: op, value, ignoreCase };
      break;
    }
    case "equals-ignore-case":
      if (tokens.next().type !== "VALUE_STRING") tokens.fail("equals-ignore-case match pattern must be a string");
      matcher = { kind: "equals-ignore-case", value: tokens.current.text };
      break;
    case "wildcard":
      if (tokens.next().type !== "VALUE_STRING") tokens.fail("wildcard match pattern must be a string");
      matcher = { kind: "wildcard", regex: wildcardRegex(tokens, tokens.current.text) };
      break;
    case "exists": {
      const t = tokens.next();
      if (t.type !== "VALUE_TRUE" && t.type !== "VALUE_FALSE") tokens.fail("exists match pattern must be either true or false.");
      matcher = { kind: "exists", exists: t.type === "VALUE_TRUE" };
      break;
    }
    case "cidr":
      if (tokens.next().type !== "VALUE_STRING") tokens.fail("prefix match pattern must be a string");
      matcher = parseCidr(tokens, tokens.current.text);
      break;
    case "numeric":
      if (tokens.next().type !== "START_ARRAY") tokens.fail("Value of numeric must be an array.");
      matcher = parseNumeric(tokens);
      endObject(tokens, "Too many elements in numeric expression");
      return matcher;
    case "anything-but":
      matcher = parseAnythingBut(tokens);
      endObject(tokens, "Too many elements in numeric expression");
      return matcher;
    default:
      return tokens.fail(`Unrecognized match type ${op}`);
  }
  endObject(tokens);
  return matcher;
}

function numberValue(tokens: JsonTokens, t: Token, op: string): number {
  if (t.type !== "VALUE_NUMBER") tokens.fail(`Value of ${op} must be numeric`);
  const n = t.number!;
  if (!(n >= -NUMBER_LIMIT && n <= NUMBER_LIMIT)) tokens.fail("Value must be between -5.0E9 and 5.0E9, inclusive");
  return n;
}

function parseNumeric(tokens: JsonTokens): Matcher {
  let t = tokens.next();
  if (t.type !== "VALUE_STRING") tokens.fail(`Invalid member in numeric match: ${t.text}`);
  const op = t.text;
  const value = numberValue(tokens, tokens.next(), op === "=" ? "equals" : op);
  if (op === "=" || op === "<" || op === "<=") {
    if (tokens.next().type !== "END_ARRAY") tokens.fail("Too many elements in numeric expression");
    if (op === "=") return { kind: "numeric", lower: value, upper: value };
    return { kind: "numeric", upper: value, upperOpen: op === "<" };
  }
  if (op !== ">" && op !== ">=") tokens.fail(`Unrecognized numeric range operator: ${op}`);
  const lower = { kind: "numeric" as const, lower: value, lowerOpen: op === ">" };
  t = tokens.next();
  if (t.type === "END_ARRAY") return lower;
  if (t.type !== "VALUE_STRING") tokens.fail(`Bad value in numeric range: ${t.text}`);
  const top = t.text;
  if (top !== "<" && top !== "<=") tokens.fail(`Bad numeric range operator: ${top}`);
  const upper = numberValue(tokens, tokens.next(), top);
  if (tokens.next().type !== "END_ARRAY") tokens.fail("Too many terms in numeric range expression");
  if (upper < value || (upper === value && (top === "<" || op === ">"))) tokens.fail(`Bottom must be less than top`);
  return { ...lower, upper, upperOpen: top === "<" };
}

/** Strings (or one string) for anything-but's prefix/suffix/wildcard/equals-ignore-case. */
function stringList(tokens: JsonTokens, op: string): string[] {
  const t = tokens.next();
  if (t.type === "VALUE_STRING") return [t.text];
  if (t.type !== "START_ARRAY") return tokens.fail(op === "equals-ignore-case"
    ? "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported."
    : `${op === "wildcard" ? "wildcard" : "prefix/suffix"} match pattern must be a string`);
  const values: string[] = [];
  for (let v = tokens.next(); v.type !== "END_ARRAY"; v = tokens.next()) {
    if (v.type !== "VALUE_STRING") {
      tokens.fail(op === "equals-ignore-case"
        ? "Inside anything-but/equals-ignore-case list, numberic|start|null|boolean is not supported."
        : `Inside anything-but/${op} list, number|start|null|boolean is not supported.`);
    }
    values.push(v.text);
  }
  if (!values.length) tokens.fail("Empty arrays are not allowed");
  return values;
}

function parseAnythingBut(tokens: JsonTokens): Matcher {
  const t = tokens.next();
  if (t.type === "START_OBJECT") {
    if (tokens.next().type !== "FIELD_NAME") tokens.fail("Anything-But expression name not found");
    const op = tokens.current.text;
    let matcher: Matcher;
    if (op === "equals-ignore-case") {
      matcher = { kind: "anything-but-ignore-case", values: stringList(tokens, op) };
    } else if (op === "prefix" || op === "suffix") {
      const values = stringList(tokens, op);
      if (values.some((v) => v === "")) tokens.fail("Null prefix/suffix not allowed");
      matcher = { kind: op === "prefix" ? "anything-but-prefix" : "anything-but-suffix", values };
    } else if (op === "wildcard") {
      matcher = { kind: "anything-but-wildcard", regexes: stringList(tokens, op).map((w) => wildcardRegex(tokens, w)) };
    } else {
      return tokens.fail(`Unsupported anything-but pattern: ${op}`);
    }
    endObject(tokens);
    return matcher;
  }
  const strings: string[] = [];
  const numbers: number[] = [];
  const add = (v: Token) => {
    if (v.type === "VALUE_STRING") strings.push(v.text);
    else if (v.type === "VALUE_NUMBER") numbers.push(numberValue(tokens, v, "anything-but"));
    else tokens.fail("Inside anything but list, start|null|boolean is not supported.");
  };
  if (t.type === "START_ARRAY") {
    for (let v = tokens.next(); v.type !== "END_ARRAY"; v = tokens.next()) add(v);
    if ((strings.length > 0) === (numbers.length > 0)) {
      tokens.fail("Inside anything but list, either all values are number or string, mixed type is not supported");
    }
  } else if (t.type === "VALUE_STRING" || t.type === "VALUE_NUMBER") {
    add(t);
  } else {
    tokens.fail("Value of anything-but must be an array or single string/number value.");
  }
  return { kind: "anything-but", strings, numbers };
}

/** `*` matches any run of characters; `\*` and `\\` are literal; `**` is rejected as on AWS. */
function wildcardRegex(tokens: JsonTokens, pattern: string): RegExp {
  let source = "";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      const next = pattern[i + 1];
      if (next !== "*" && next !== "\\") tokens.fail(`Invalid escape character at pos ${i}`);
      source += "\\" + next;
      i++;
    } else if (c === "*") {
      if (pattern[i + 1] === "*") tokens.fail(`Consecutive wildcard characters at pos ${i + 1}`);
      source += "[\\s\\S]*";
    } else {
      source += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
    }
  }
  return new RegExp(`^${source}$`, "u");
}

function parseCidr(tokens: JsonTokens, text: string): Matcher {
  const [address, bitsText, extra] = text.split("/");
  const bits = Number(bitsText);
  const ip = address === undefined ? null : parseIp(address);
  if (!ip || extra !== undefined || bitsText === undefined || !/^[0-9]+$/.test(bitsText) || bits > (ip.version === 4 ? 32 : 128)) {
    tokens.fail(`Nonsensical CIDR: ${text}`);
  }
  const width = BigInt(ip.version === 4 ? 32 : 128);
  const hostBits = width - BigInt(bits);
  const low = (ip.value >> hostBits) << hostBits;
  const high = low | ((1n << hostBits) - 1n);
  return { kind: "cidr", version: ip.version, low, high };
}

/** An IPv4 or IPv6 address as a number, or null when the text is not one. */
export function parseIp(text: string): { version: 4 | 6; value: bigint } | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) {
    const parts = text.split(".").map(Number);
    if (parts.some((p) => p > 255)) return null;
    return { version: 4, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!text.includes(":") || !/^[0-9a-fA-F:.]+$/.test(text)) return null;
  let groups: string[];
  let tail: number[] = [];
  let body = text;
  const v4 = /:(\d{1,3}(\.\d{1,3}){3})$/.exec(text);
  if (v4) {
    const mapped = parseIp(v4[1]!);
    if (!mapped) return null;
    tail = [Number(mapped.value >> 16n), Number(mapped.value & 0xffffn)];
    body = text.slice(0, -v4[1]!.length) + "0";
  }
  const halves = body.split("::");
  if (halves.length > 2) return null;
  const left = halves[0] ? halves[0].split(":") : [];
  const right = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  if (v4) right.length ? right.pop() : left.pop();
  const count = left.length + right.length + tail.length;
  if (halves.length === 1 ? count !== 8 : count > 7) return null;
  groups = [...left, ...Array(8 - count).fill("0"), ...right];
  if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const words = [...groups.map((g) => parseInt(g, 16)), ...tail];
  return { version: 6, value: words.reduce((acc, w) => (acc << 16n) | BigInt(w), 0n) };
}

// ---- matching ----

/** True when `event` (a parsed JSON object) matches the compiled pattern. */
export function matchesPattern(pattern: ObjectPattern, event: unknown): boolean {
  return matchObject(pattern, isObject(event) ? event : {});
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function matchObject(pattern: ObjectPattern, value: Record<string, unknown>): boolean {
  for (const [name, sub] of pattern.fields) {
    const v = value[name];
    if (Array.isArray(sub) ? !matchLeaf(sub, v) : !matchNested(sub, v)) return false;
  }
  return pattern.ors.every((group) => group.some((alt) => matchObject(alt, value)));
}

function matchNested(pattern: ObjectPattern, v: unknown): boolean {
  if (isObject(v)) return matchObject(pattern, v);
  if (Array.isArray(v)) {
    const objects = v.flat(Infinity).filter(isObject);
    if (objects.length) return objects.some((o) => matchObject(pattern, o));
  }
  // Nothing below this path: only absence tests (exists: false) can match.
  return matchObject(pattern, {});
}

function leaves(v: unknown): Leaf[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap(leaves);
  if (isObject(v)) return [];
  return [v as Leaf];
}

function matchLeaf(matchers: Matcher[], v: unknown): boolean {
  const values = leaves(v);
  return matchers.some((m) => (m.kind === "exists" ? m.exists === values.length > 0 : values.some((x) => matchValue(m, x))));
}

function matchValue(m: Matcher, x: Leaf): boolean {
  switch (m.kind) {
    case "exact":
      return typeof m.value === "number" ? typeof x === "number" && x === m.value : x === m.value;
    case "prefix":
      return typeof x === "string" && (m.ignoreCase ? x.toLowerCase().startsWith(m.value.toLowerCase()) : x.startsWith(m.value));
    case "suffix":
      return typeof x === "string" && (m.ignoreCase ? x.toLowerCase().endsWith(m.value.toLowerCase()) : x.endsWith(m.value));
    case "equals-ignore-case":
      return typeof x === "string" && x.toLowerCase() === m.value.toLowerCase();
    case "wildcard":
      return typeof x === "string" && m.regex.test(x);
    case "numeric":
      if (typeof x !== "number") return false;
      if (m.lower !== undefined && (m.lowerOpen ? x <= m.lower : x < m.lower)) return false;
      if (m.upper !== undefined && (m.upperOpen ? x >= m.upper : x > m.upper)) return false;
      return true;
    case "cidr": {
      if (typeof x !== "string") return false;
      const ip = parseIp(x);
      return !!ip && ip.version === m.version && ip.value >= m.low && ip.value <= m.high;
    }
    case "exists":
      return true;
    // The anything-but forms match every value they do not exclude (numbers, booleans and null
    // are never excluded by a string form), as the Event Ruler does.
    case "anything-but":
      if (typeof x === "string") return !m.strings.includes(x);
      if (typeof x === "number") return !m.numbers.includes(x);
      return true;
    case "anything-but-ignore-case":
      return typeof x !== "string" || !m.values.some((v) => v.toLowerCase() === x.toLowerCase());
    case "anything-but-prefix":
      return typeof x !== "string" || !m.values.some((v) => x.startsWith(v));
    case "anything-but-suffix":
      return typeof x !== "string" || !m.values.some((v) => x.endsWith(v));
    case "anything-but-wildcard":
      return typeof x !== "string" || !m.regexes.some((r) => r.test(x));
  }
}
