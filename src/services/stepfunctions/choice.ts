/**
 * Choice rules of the JSONPath query language: every comparison operator (with its `...Path`
 * form), the type tests, and And/Or/Not.
 * Source: https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
import { StatesError } from "./errors.ts";
import { PathError, selectPath } from "./jsonpath.ts";

const BASE_OPS = [
  "StringEquals", "StringLessThan", "StringGreaterThan", "StringLessThanEquals", "StringGreaterThanEquals",
  "NumericEquals", "NumericLessThan", "NumericGreaterThan", "NumericLessThanEquals", "NumericGreaterThanEquals",
  "BooleanEquals",
  "TimestampEquals", "TimestampLessThan", "TimestampGreaterThan", "TimestampLessThanEquals", "TimestampGreaterThanEquals",
];
export const COMPARISON_OPERATORS = [
  ...BASE_OPS, ...BASE_OPS.map((o) => `${o}Path`), "StringMatches",
  "IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp",
];

/** RFC 3339 timestamp as AWS accepts it (uppercase T and Z or an offset). */
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
export const isTimestamp = (v: unknown): v is string => typeof v === "string" && TIMESTAMP.test(v) && !Number.isNaN(Date.parse(v));

function matchesWildcard(value: string, pattern: string): boolean {
  let re = "";
  for (let k = 0; k < pattern.length; k++) {
    const c = pattern[k]!;
    if (c === "\\" && k + 1 < pattern.length) re += pattern[++k]!.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    else if (c === "*") re += "[\\s\\S]*";
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${re}$`).test(value);
}

/** A Choice rule as the definition holds it: user JSON, checked by validateDefinition, then read member by member (`any` is that boundary). */
export type ChoiceRule = Record<string, any>;

/** True when `rule` (a Choice rule or nested boolean expression) matches `input`. */
export function evaluateRule(rule: ChoiceRule, input: unknown, context: unknown, variables?: Record<string, unknown>): boolean {
  if (Array.isArray(rule.And)) return rule.And.every((r: ChoiceRule) => evaluateRule(r, input, context, variables));
  if (Array.isArray(rule.Or)) return rule.Or.some((r: ChoiceRule) => evaluateRule(r, input, context, variables));
  if (rule.Not) return !evaluateRule(rule.Not, input, context, variables);
  const variable: string = rule.Variable;
  const op = COMPARISON_OPERATORS.find((o) => o in rule);
  if (!op) return false;
  let present = true;
  let value: unknown;
  try {
    value = selectPath(variable, input, context, variables);
  } catch (e) {
    if (!(e instanceof PathError)) throw e;
    present = false;
  }
  if (op === "IsPresent") return present === rule.IsPresent;
  if (!present) {
    throw new StatesError("States.Runtime", `Invalid path '${variable}': The choice state's condition path references an invalid value.`);
  }
  let expected = rule[op];
  let base = op;
  if (op.endsWith("Path") && op !== "IsPresent") {
    base = op.slice(0, -4);
    try {
      expected = selectPath(expected, input, context, variables);
    } catch (e) {
      if (!(e instanceof PathError)) throw e;
      throw new StatesError("States.Runtime", `Invalid path '${rule[op]}': The choice state's condition path references an invalid value.`);
    }
  }
  switch (base) {
    case "IsNull": return (value === null) === expected;
    case "IsNumeric": return (typeof value === "number") === expected;
    case "IsString": return (typeof value === "string") === expected;
    case "IsBoolean": return (typeof value === "boolean") === expected;
    case "IsTimestamp": return isTimestamp(value) === expected;
    case "StringMatches": return typeof value === "string" && matchesWildcard(value, expected);
    case "BooleanEquals": return typeof value === "boolean" && value === expected;
  }
  if (base.startsWith("String")) {
    if (typeof value !== "string" || typeof expected !== "string") return false;
    return compare(base.slice(6), value < expected ? -1 : value > expected ? 1 : 0);
  }
  if (base.startsWith("Numeric")) {
    if (typeof value !== "number" || typeof expected !== "number") return false;
    return compare(base.slice(7), value - expected);
  }
  if (base.startsWith("Timestamp")) {
    if (!isTimestamp(value) || !isTimestamp(expected)) return false;
    return compare(base.slice(9), Date.parse(value) - Date.parse(expected));
  }
  return false;
}

function compare(kind: string, diff: number): boolean {
  switch (kind) {
    case "Equals": return diff === 0;
    case "LessThan": return diff < 0;
    case "GreaterThan": return diff > 0;
    case "LessThanEquals": return diff <= 0;
    case "GreaterThanEquals": return diff >= 0;
  }
  return false;
}
