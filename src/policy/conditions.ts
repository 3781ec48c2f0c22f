/**
 * The Condition element: every operator family (String*, Numeric*, Date*, Bool, BinaryEquals,
 * IpAddress/NotIpAddress, Arn*, Null), `...IfExists`, and the `ForAllValues:` / `ForAnyValue:`
 * set qualifiers. Blocks AND together, keys within a block AND, values of a key OR (NOR for the
 * negated operators).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
 */
import type { ConditionContext } from "./context.ts";
import { parseOperator } from "./document.ts";
import { ipInCidr } from "./ip.ts";
import { arnMatches, globMatch } from "./match.ts";
import { substitute, unmark } from "./variables.ts";

const NEGATED: Record<string, string> = {
  StringNotEquals: "StringEquals",
  StringNotEqualsIgnoreCase: "StringEqualsIgnoreCase",
  StringNotLike: "StringLike",
  NumericNotEquals: "NumericEquals",
  DateNotEquals: "DateEquals",
  ArnNotEquals: "ArnEquals",
  ArnNotLike: "ArnLike",
  NotIpAddress: "IpAddress",
};

function toNumber(s: string): number {
  return s.trim() === "" ? NaN : Number(s);
}

/** ISO 8601 date/time or epoch seconds, as milliseconds; NaN when neither. */
function toTime(s: string): number {
  const t = s.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t) * 1000;
  return Date.parse(t);
}

/** One context value against one policy value, for the positive form of an operator. */
function matchValue(op: string, ctx: string, pol: string): boolean {
  switch (op) {
    case "StringEquals": return unmark(pol) === ctx;
    case "StringEqualsIgnoreCase": return unmark(pol).toLowerCase() === ctx.toLowerCase();
    case "StringLike": return globMatch(pol, ctx);
    case "NumericEquals": return toNumber(ctx) === toNumber(pol);
    case "NumericLessThan": return toNumber(ctx) < toNumber(pol);
    case "NumericLessThanEquals": return toNumber(ctx) <= toNumber(pol);
    case "NumericGreaterThan": return toNumber(ctx) > toNumber(pol);
    case "NumericGreaterThanEquals": return toNumber(ctx) >= toNumber(pol);
    case "DateEquals": return toTime(ctx) === toTime(pol);
    case "DateLessThan": return toTime(ctx) < toTime(pol);
    case "DateLessThanEquals": return toTime(ctx) <= toTime(pol);
    case "DateGreaterThan": return toTime(ctx) > toTime(pol);
    case "DateGreaterThanEquals": return toTime(ctx) >= toTime(pol);
    case "Bool": return unmark(pol).toLowerCase() === ctx.toLowerCase();
    case "BinaryEquals": return unmark(pol) === ctx;
    case "IpAddress": return ipInCidr(ctx, unmark(pol));
    case "ArnEquals":
    case "ArnLike": return arnMatches(pol, ctx);
    default: return false;
  }
}

/**
 * Whether one `operator: { key: values }` entry holds. `useVariables` is false for
 * Version 2008-10-17 documents, where `${...}` is literal text.
 */
export function conditionHolds(operator: string, key: string, rawValues: unknown, context: ConditionContext, useVariables: boolean): boolean {
  const { set, base, ifExists } = parseOperator(operator);
  if (base === undefined) return false;
  const policyValues: string[] = [];
  for (const v of Array.isArray(rawValues) ? rawValues : [rawValues]) {
    const s = String(v);
    const sub = useVariables ? substitute(s, context, true) : s;
    if (sub !== null) policyValues.push(sub);
  }
  const raw = context.get(key);
  const ctxValues = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];

  if (base === "Null") {
    return policyValues.some((p) => (p.toLowerCase() === "true") === (ctxValues.length === 0));
  }
  const positive = NEGATED[base] ?? base;
  const negated = positive !== base;
  if (ctxValues.length === 0 || (raw === undefined)) {
    if (ifExists) return true;
    if (set === "ForAllValues") return true;
    if (set === "ForAnyValue") return false;
    return negated;
  }
  const valueOk = (c: string) => {
    const matched = policyValues.some((p) => matchValue(positive, c, p));
    return negated ? !matched : matched;
  };
  if (set === "ForAllValues") return ctxValues.every(valueOk);
  if (set === "ForAnyValue") return ctxValues.some(valueOk);
  const matched = ctxValues.some((c) => policyValues.some((p) => matchValue(positive, c, p)));
  return negated ? !matched : matched;
}

/** Whether a statement's whole Condition element holds (absent: true). */
export function conditionsHold(condition: Record<string, Record<string, unknown>> | undefined, context: ConditionContext, useVariables: boolean): boolean {
  if (!condition) return true;
  for (const [operator, block] of Object.entries(condition)) {
    for (const [key, values] of Object.entries(block)) {
      if (!conditionHolds(operator, key, values, context, useVariables)) return false;
    }
  }
  return true;
}
