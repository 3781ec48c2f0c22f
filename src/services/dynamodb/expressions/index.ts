/**
 * DynamoDB's expression language as a pure library: parse (with DynamoDB's validation and
 * messages), evaluate conditions, apply updates, project items. All errors are AwsError
 * ValidationException (400) with the bare DynamoDB message; operations that wrap messages in
 * "1 validation error detected: " do so themselves.
 */
export type { Condition, DocumentPath, Operand, UpdateAction, UpdatePlan, UpdateValue } from "./ast.ts";
export { ExpressionTracker, assertAllUsed, type ExpressionInput } from "./tracker.ts";
export {
  parseConditionExpression,
  parseKeyCondition,
  keyConditionFromClauses,
  type ConditionKind,
  type KeyCondition,
  type KeyOp,
  type KeySchemaNames,
} from "./condition.ts";
export { evaluateCondition, getPath, sizeOf } from "./evaluate.ts";
export { parseUpdateExpression, applyUpdate, assertNoKeyUpdates, pathsClash } from "./update.ts";
export { parseProjectionExpression, project, attributesToGetPaths } from "./projection.ts";
export {
  assertNotMixed,
  conditionFromExpected,
  conditionFromFilter,
  keyConditionFromKeyConditions,
  planFromAttributeUpdates,
  type LegacyAttributeUpdate,
  type LegacyCondition,
} from "./legacy.ts";
export { isReserved } from "./reserved.ts";
export { pathString } from "./resolve.ts";
