/**
 * ConditionExpression / FilterExpression / KeyConditionExpression parsing
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html#DDB-Query-request-KeyConditionExpression).
 */
import type { AttributeValue } from "../values/types.ts";
import { typeOf, validation } from "../values/types.ts";
import type { Condition, Operand } from "./ast.ts";
import { parseRawCondition } from "./parser.ts";
import { Resolver } from "./resolve.ts";
import type { ExpressionInput, ExpressionTracker } from "./tracker.ts";

export type ConditionKind = "ConditionExpression" | "FilterExpression" | "KeyConditionExpression";

/** Parses and checks a condition; records the names and values it uses. */
export function parseConditionExpression(text: string, input: ExpressionInput, tracker: ExpressionTracker, kind: ConditionKind): Condition {
  if (text.trim() === "") throw validation(`Invalid ${kind}: The expression can not be empty;`);
  const raw = parseRawCondition(text, kind);
  const r = new Resolver(kind, input, tracker);
  if (raw.redundantParens) r.error("parens", "The expression has redundant parentheses;");
  const cond = r.condition(raw.root);
  r.finish();
  return cond;
}

export type KeyOp = "EQ" | "LT" | "LE" | "GT" | "GE" | "BETWEEN" | "BEGINS_WITH";
export interface KeySchemaNames {
  hash: string;
  range?: string;
  /** Attribute types from AttributeDefinitions; when given, operand types are checked against them. */
  hashType?: "S" | "N" | "B";
  rangeType?: "S" | "N" | "B";
  /**
   * A multi-attribute GSI key: every partition attribute and every sort attribute, in
   * KeySchema order, with its type. When given, `hash`/`range` are the first of each.
   */
  hashes?: { name: string; type?: "S" | "N" | "B" }[];
  ranges?: { name: string; type?: "S" | "N" | "B" }[];
}
export interface KeyCondition {
  hash: AttributeValue;
  range?: { op: KeyOp; values: AttributeValue[] };
  /** Multi-attribute keys: the value of every partition attribute, in KeySchema order. */
  hashValues?: AttributeValue[];
  /** Multi-attribute keys: the values of the leading sort attributes compared with `=`, before `range`. */
  rangePrefix?: AttributeValue[];
  /** Multi-attribute keys: the sort attribute `range` applies to. */
  rangeAttr?: string;
}

const FLIP: Record<string, KeyOp> = { "=": "EQ", "<": "GT", "<=": "GE", ">": "LT", ">=": "LE" };
const STRAIGHT: Record<string, KeyOp> = { "=": "EQ", "<": "LT", "<=": "LE", ">": "GT", ">=": "GE" };
const SCHEMA_MISMATCH = "One or more parameter values were invalid: Condition parameter type does not match schema type";

interface Clause {
  attr: string;
  op: KeyOp;
  values: AttributeValue[];
}

function invalidOperator(op: string): Error {
  return validation(`Invalid KeyConditionExpression: Invalid operator used in KeyConditionExpression: ${op}`);
}

function flatten(c: Condition, out: Condition[]): void {
  if (c.kind === "and") {
    flatten(c.left, out);
    flatten(c.right, out);
  } else out.push(c);
}

function clauseOf(c: Condition): Clause {
  const attrOf = (o: Operand): string | undefined => (o.kind === "path" && o.path.length === 1 ? (o.path[0] as string) : undefined);
  const valueOf = (o: Operand): AttributeValue | undefined => (o.kind === "value" ? o.value : undefined);
  switch (c.kind) {
    case "compare": {
      if (c.op === "<>") throw invalidOperator("<>");
      let attr = attrOf(c.left), v = valueOf(c.right), op = STRAIGHT[c.op]!;
      if (attr === undefined) {
        attr = attrOf(c.right);
        v = valueOf(c.left);
        op = FLIP[c.op]!;
      }
      if (attr === undefined || !v) throw validation("Invalid KeyConditionExpression: Query key condition not supported");
      return { attr, op, values: [v] };
    }
    case "between": {
      const attr = attrOf(c.operand), lo = valueOf(c.low), hi = valueOf(c.high);
      if (attr === undefined || !lo || !hi) throw validation("Invalid KeyConditionExpression: Query key condition not supported");
      return { attr, op: "BETWEEN", values: [lo, hi] };
    }
    case "begins_with": {
      const attr = attrOf(c.operand), v = valueOf(c.prefix);
      if (attr === undefined || !v) throw validation("Invalid KeyConditionExpression: Query key condition not supported");
      return { attr, op: "BEGINS_WITH", values: [v] };
    }
    case "or":
      throw invalidOperator("OR");
    case "not":
      throw invalidOperator("NOT");
    case "in":
      throw invalidOperator("IN");
    case "exists":
      throw invalidOperator("attribute_exists");
    case "not_exists":
      throw invalidOperator("attribute_not_exists");
    case "type":
      throw invalidOperator("attribute_type");
    case "contains":
    case "not_contains":
      throw invalidOperator("contains");
    default:
      throw validation("Invalid KeyConditionExpression: Query key condition not supported");
  }
}

/**
 * Key clauses against a multi-attribute GSI key: every partition attribute with `=`, sort
 * attributes left to right without gaps, only the last of them with another operator
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/GSI.html#GSI.MultiAttributeKeys).
 */
function multiKeyCondition(clauses: Clause[], hashes: { name: string; type?: string }[], ranges: { name: string; type?: string }[]): KeyCondition {
  const keyCount = hashes.length + ranges.length;
  const attrs = new Set(clauses.map((c) => c.attr));
  if (attrs.size < clauses.length) throw validation("Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key");
  if (clauses.length > keyCount) {
    throw validation(`The number of query conditions (${clauses.length}) exceeds the number of key attributes defined in the schema (${keyCount})`);
  }
  const byName = new Map(clauses.map((c) => [c.attr, c]));
  for (const h of hashes) if (!byName.has(h.name)) throw validation(`Query condition missed key schema element: ${h.name}`);
  const known = new Set([...hashes, ...ranges].map((k) => k.name));
  const stranger = clauses.find((c) => !known.has(c.attr));
  if (stranger) {
    const missing = ranges.find((r) => !byName.has(r.name));
    throw validation(`Query condition missed key schema element: ${missing?.name ?? stranger.attr}`);
  }
  // Sort attributes are a prefix of the KeySchema's: no gaps.
  const used = ranges.filter((r) => byName.has(r.name)).length;
  for (let i = 0; i < used; i++) {
    if (!byName.has(ranges[i]!.name)) throw validation(`Query condition missed key schema element: ${ranges[i]!.name}`);
  }
  for (const h of hashes) if (byName.get(h.name)!.op !== "EQ") throw validation("Query key condition not supported");
  for (let i = 0; i < used - 1; i++) if (byName.get(ranges[i]!.name)!.op !== "EQ") throw validation("Query key condition not supported");
  const typeOk = (v: AttributeValue, t: string | undefined) => !t || typeOf(v) === t;
  for (const h of hashes) if (!typeOk(byName.get(h.name)!.values[0]!, h.type)) throw validation(SCHEMA_MISMATCH);
  for (let i = 0; i < used; i++) {
    const c = byName.get(ranges[i]!.name)!;
    for (const v of c.values) if (!typeOk(v, ranges[i]!.type)) throw validation(SCHEMA_MISMATCH);
    if (c.op === "BEGINS_WITH" && ranges[i]!.type === "N") throw validation(SCHEMA_MISMATCH);
  }
  const hashValues = hashes.map((h) => byName.get(h.name)!.values[0]!);
  const out: KeyCondition = { hash: hashValues[0]!, hashValues };
  if (used) {
    const last = byName.get(ranges[used - 1]!.name)!;
    out.rangePrefix = ranges.slice(0, used - 1).map((r) => byName.get(r.name)!.values[0]!);
    out.range = { op: last.op, values: last.values };
    out.rangeAttr = last.attr;
  }
  return out;
}

/** Checks key clauses against the schema and returns the partition key value and sort key range. */
export function keyConditionFromClauses(clauses: Clause[], keySchema: KeySchemaNames): KeyCondition {
  if ((keySchema.hashes?.length ?? 0) > 1 || (keySchema.ranges?.length ?? 0) > 1) {
    return multiKeyCondition(clauses, keySchema.hashes!, keySchema.ranges ?? []);
  }
  const keyCount = keySchema.range ? 2 : 1;
  if (clauses.length > keyCount) {
    const attrs = new Set(clauses.map((c) => c.attr));
    if (attrs.size < clauses.length) throw validation("Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key");
    throw validation(`The number of query conditions (${clauses.length}) exceeds the number of key attributes defined in the schema (${keyCount})`);
  }
  if (clauses.length === 2 && clauses[0]!.attr === clauses[1]!.attr) {
    throw validation("Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key");
  }
  const hash = clauses.find((c) => c.attr === keySchema.hash);
  if (!hash) throw validation(`Query condition missed key schema element: ${keySchema.hash}`);
  const other = clauses.find((c) => c !== hash);
  if (other && other.attr !== keySchema.range) throw validation(`Query condition missed key schema element: ${keySchema.range ?? other.attr}`);
  if (hash.op !== "EQ") throw validation("Query key condition not supported");
  const typeOk = (v: AttributeValue, t: string | undefined) => !t || typeOf(v) === t;
  if (!typeOk(hash.values[0]!, keySchema.hashType)) throw validation(SCHEMA_MISMATCH);
  if (other) {
    for (const v of other.values) if (!typeOk(v, keySchema.rangeType)) throw validation(SCHEMA_MISMATCH);
    if (other.op === "BEGINS_WITH" && keySchema.rangeType === "N") throw validation(SCHEMA_MISMATCH);
    return { hash: hash.values[0]!, range: { op: other.op, values: other.values } };
  }
  return { hash: hash.values[0]! };
}

/** Parses a KeyConditionExpression into the partition key value and an optional sort key range. */
export function parseKeyCondition(text: string, input: ExpressionInput, tracker: ExpressionTracker, keySchema: KeySchemaNames): KeyCondition {
  const cond = parseConditionExpression(text, input, tracker, "KeyConditionExpression");
  const parts: Condition[] = [];
  flatten(cond, parts);
  return keyConditionFromClauses(parts.map(clauseOf), keySchema);
}
