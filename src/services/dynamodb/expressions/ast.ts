/**
 * Parsed forms of DynamoDB expressions
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.html).
 * Names and values are resolved at parse time, so evaluation needs only the item.
 */
import type { AttributeValue } from "../values/types.ts";

/** A document path: attribute name, then map keys (string) and list indexes (number). */
export type DocumentPath = (string | number)[];

export type Comparator = "=" | "<>" | "<" | "<=" | ">" | ">=";

export type FunctionName = "attribute_exists" | "attribute_not_exists" | "attribute_type" | "begins_with" | "contains" | "size";

/** A value-producing term of a condition. */
export type Operand =
  | { kind: "path"; path: DocumentPath }
  | { kind: "value"; value: AttributeValue }
  | { kind: "size"; path: DocumentPath };

export type Condition =
  | { kind: "compare"; op: Comparator; left: Operand; right: Operand }
  | { kind: "between"; operand: Operand; low: Operand; high: Operand }
  | { kind: "in"; operand: Operand; list: Operand[] }
  | { kind: "and"; left: Condition; right: Condition }
  | { kind: "or"; left: Condition; right: Condition }
  | { kind: "not"; operand: Condition }
  | { kind: "exists"; path: DocumentPath }
  | { kind: "not_exists"; path: DocumentPath }
  | { kind: "type"; path: DocumentPath; type: Operand }
  | { kind: "begins_with"; operand: Operand; prefix: Operand }
  | { kind: "contains"; operand: Operand; member: Operand }
  /** Legacy NOT_CONTAINS: true only when the attribute exists and lacks the member. */
  | { kind: "not_contains"; operand: Operand; member: Operand }
  | { kind: "true" };

/** Right-hand side of SET. */
export type UpdateValue =
  | { kind: "path"; path: DocumentPath }
  | { kind: "value"; value: AttributeValue }
  | { kind: "if_not_exists"; path: DocumentPath; fallback: UpdateValue }
  | { kind: "list_append"; left: UpdateValue; right: UpdateValue }
  | { kind: "plus"; left: UpdateValue; right: UpdateValue }
  | { kind: "minus"; left: UpdateValue; right: UpdateValue };

export type UpdateAction =
  | { action: "SET"; path: DocumentPath; value: UpdateValue }
  | { action: "REMOVE"; path: DocumentPath }
  | { action: "ADD"; path: DocumentPath; value: AttributeValue }
  | { action: "DELETE"; path: DocumentPath; value: AttributeValue };

export interface UpdatePlan {
  actions: UpdateAction[];
}
