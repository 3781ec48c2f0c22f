/**
 * Legacy conditional parameters, converted to the same Condition / UpdatePlan / projection as
 * expressions: Expected, QueryFilter, ScanFilter, KeyConditions, ConditionalOperator,
 * AttributeUpdates, AttributesToGet
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/LegacyConditionalParameters.html).
 */
import type { AttributeValue } from "../values/types.ts";
import { typeOf, validation } from "../values/types.ts";
import type { Condition, Operand, UpdateAction, UpdatePlan } from "./ast.ts";
import { type KeyCondition, type KeyOp, type KeySchemaNames, keyConditionFromClauses } from "./condition.ts";

export interface LegacyCondition {
  ComparisonOperator?: string;
  AttributeValueList?: AttributeValue[];
  /** Expected only. */
  Value?: AttributeValue;
  /** Expected only. */
  Exists?: boolean;
}

export interface LegacyAttributeUpdate {
  Value?: AttributeValue;
  Action?: "PUT" | "ADD" | "DELETE";
}

const INVALID = "One or more parameter values were invalid: ";

const ARG_COUNTS: Record<string, (n: number) => boolean> = {
  EQ: (n) => n === 1, NE: (n) => n === 1, LE: (n) => n === 1, LT: (n) => n === 1, GE: (n) => n === 1, GT: (n) => n === 1,
  CONTAINS: (n) => n === 1, NOT_CONTAINS: (n) => n === 1, BEGINS_WITH: (n) => n === 1,
  NULL: (n) => n === 0, NOT_NULL: (n) => n === 0, IN: (n) => n > 0, BETWEEN: (n) => n === 2,
};

/**
 * Rejects a request that mixes legacy and expression parameters:
 * "Can not use both expression and non-expression parameters in the same request: ...".
 * Pass the request's input; only present (non-null) members count.
 */
export function assertNotMixed(input: Record<string, unknown>): void {
  const legacy = ["AttributesToGet", "AttributeUpdates", "ConditionalOperator", "Expected", "KeyConditions", "QueryFilter", "ScanFilter"].filter((k) => input[k] != null);
  const expr = ["ConditionExpression", "FilterExpression", "KeyConditionExpression", "ProjectionExpression", "UpdateExpression"].filter((k) => input[k] != null);
  if (legacy.length && expr.length) {
    throw validation(`Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${legacy.join(", ")}} Expression parameters: {${expr.join(", ")}}`);
  }
}

function pathOp(attr: string): Operand {
  return { kind: "path", path: [attr] };
}
function valueOp(v: AttributeValue): Operand {
  return { kind: "value", value: v };
}

function comparison(attr: string, op: string, values: AttributeValue[]): Condition {
  const p = pathOp(attr);
  const v = values.map(valueOp);
  switch (op) {
    case "EQ":
      return { kind: "compare", op: "=", left: p, right: v[0]! };
    case "NE":
      return { kind: "compare", op: "<>", left: p, right: v[0]! };
    case "LT":
      return { kind: "compare", op: "<", left: p, right: v[0]! };
    case "LE":
      return { kind: "compare", op: "<=", left: p, right: v[0]! };
    case "GT":
      return { kind: "compare", op: ">", left: p, right: v[0]! };
    case "GE":
      return { kind: "compare", op: ">=", left: p, right: v[0]! };
    case "NULL":
      return { kind: "not_exists", path: [attr] };
    case "NOT_NULL":
      return { kind: "exists", path: [attr] };
    case "CONTAINS":
      return { kind: "contains", operand: p, member: v[0]! };
    case "NOT_CONTAINS":
      return { kind: "not_contains", operand: p, member: v[0]! };
    case "BEGINS_WITH":
      return { kind: "begins_with", operand: p, prefix: v[0]! };
    case "IN":
      return { kind: "in", operand: p, list: v };
    case "BETWEEN":
      return { kind: "between", operand: p, low: v[0]!, high: v[1]! };
    default:
      throw validation(`${INVALID}Unsupported operator on ${op}`);
  }
}

function checkArgs(op: string, n: number): void {
  const ok = ARG_COUNTS[op];
  if (ok && !ok(n)) throw validation(`${INVALID}Invalid number of argument(s) for the ${op} ComparisonOperator`);
}

function combine(conds: Condition[], conditionalOperator: string | undefined): Condition {
  if (!conds.length) return { kind: "true" };
  const kind = conditionalOperator === "OR" ? "or" : "and";
  return conds.reduce((l, r) => ({ kind, left: l, right: r }));
}

/** Expected (+ ConditionalOperator) as a Condition. */
export function conditionFromExpected(expected: Record<string, LegacyCondition>, conditionalOperator?: string): Condition {
  const conds: Condition[] = [];
  for (const [attr, c] of Object.entries(expected)) {
    if (c.ComparisonOperator != null) {
      if (c.Exists != null) throw validation(`${INVALID}Exists and ComparisonOperator cannot be used together for Attribute: ${attr}`);
      if (c.AttributeValueList != null && c.Value != null) {
        throw validation(`${INVALID}Value and AttributeValueList cannot be used together for Attribute: ${attr}`);
      }
      const values = c.AttributeValueList ?? (c.Value ? [c.Value] : []);
      checkArgs(c.ComparisonOperator, values.length);
      conds.push(comparison(attr, c.ComparisonOperator, values));
    } else if (c.AttributeValueList != null) {
      throw validation(`${INVALID}AttributeValueList can only be used with a ComparisonOperator for Attribute: ${attr}`);
    } else if (c.Exists === false) {
      if (c.Value != null) throw validation(`${INVALID}Value cannot be used when Exists is false for Attribute: ${attr}`);
      conds.push({ kind: "not_exists", path: [attr] });
    } else {
      if (c.Value == null) {
        throw validation(`${INVALID}Value must be provided when Exists is ${c.Exists == null ? "null" : "true"} for Attribute: ${attr}`);
      }
      conds.push(comparison(attr, "EQ", [c.Value]));
    }
  }
  return combine(conds, conditionalOperator);
}

/** QueryFilter / ScanFilter (+ ConditionalOperator) as a Condition. */
export function conditionFromFilter(filter: Record<string, LegacyCondition>, conditionalOperator?: string): Condition {
  const conds = Object.entries(filter).map(([attr, c]) => {
    const values = c.AttributeValueList ?? [];
    const op = c.ComparisonOperator ?? "EQ";
    checkArgs(op, values.length);
    return comparison(attr, op, values);
  });
  return combine(conds, conditionalOperator);
}

const KEY_OPS: Record<string, KeyOp> = { EQ: "EQ", LT: "LT", LE: "LE", GT: "GT", GE: "GE", BETWEEN: "BETWEEN", BEGINS_WITH: "BEGINS_WITH" };

/** KeyConditions as a partition key value and sort key range. */
export function keyConditionFromKeyConditions(keyConditions: Record<string, LegacyCondition>, keySchema: KeySchemaNames): KeyCondition {
  const clauses = Object.entries(keyConditions).map(([attr, c]) => {
    const values = c.AttributeValueList ?? [];
    const op = c.ComparisonOperator ?? "EQ";
    checkArgs(op, values.length);
    const keyOp = KEY_OPS[op];
    if (!keyOp) throw validation(`Attempted conditional constraint is not an indexable operation`);
    return { attr, op: keyOp, values };
  });
  return keyConditionFromClauses(clauses, keySchema);
}

/** AttributeUpdates as an UpdatePlan (PUT → SET, DELETE without Value → REMOVE). */
export function planFromAttributeUpdates(updates: Record<string, LegacyAttributeUpdate>): UpdatePlan {
  const actions: UpdateAction[] = [];
  for (const [attr, u] of Object.entries(updates)) {
    const action = u.Action ?? "PUT";
    const path = [attr];
    if (action === "PUT") {
      if (!u.Value) throw validation(`${INVALID}Only DELETE action is allowed when no attribute value is specified`);
      actions.push({ action: "SET", path, value: { kind: "value", value: u.Value } });
    } else if (action === "DELETE") {
      if (!u.Value) actions.push({ action: "REMOVE", path });
      else {
        const t = typeOf(u.Value);
        if (t !== "SS" && t !== "NS" && t !== "BS") throw validation(`${INVALID}DELETE action with value is not supported for the type ${t}`);
        actions.push({ action: "DELETE", path, value: u.Value });
      }
    } else {
      if (!u.Value) throw validation(`${INVALID}Only DELETE action is allowed when no attribute value is specified`);
      const t = typeOf(u.Value);
      if (t === "L") {
        // Legacy ADD appends to a list.
        actions.push({
          action: "SET",
          path,
          value: { kind: "list_append", left: { kind: "if_not_exists", path, fallback: { kind: "value", value: { L: [] } } }, right: { kind: "value", value: u.Value } },
        });
      } else if (t === "N" || t === "SS" || t === "NS" || t === "BS") actions.push({ action: "ADD", path, value: u.Value });
      else throw validation(`${INVALID}ADD action is not supported for the type ${t}`);
    }
  }
  return { actions };
}
