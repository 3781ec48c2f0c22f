/**
 * Which `#names` and `:values` the expressions of one request used, so that
 * ExpressionAttributeNames/Values entries no expression used can be rejected as DynamoDB does.
 */
import type { AttributeValue } from "../values/types.ts";
import { validation } from "../values/types.ts";

export interface ExpressionInput {
  names?: Record<string, string>;
  values?: Record<string, AttributeValue>;
}

export class ExpressionTracker {
  readonly names = new Set<string>();
  readonly values = new Set<string>();
}

/**
 * Throws DynamoDB's ValidationException when a name or value was supplied but not used:
 * "Value provided in ExpressionAttributeNames unused in expressions: keys: {#a, #b}".
 */
export function assertAllUsed(input: ExpressionInput, tracker: ExpressionTracker): void {
  const unusedNames = Object.keys(input.names ?? {}).filter((k) => !tracker.names.has(k));
  if (unusedNames.length) {
    throw validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(", ")}}`);
  }
  const unusedValues = Object.keys(input.values ?? {}).filter((k) => !tracker.values.has(k));
  if (unusedValues.length) {
    throw validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(", ")}}`);
  }
}
