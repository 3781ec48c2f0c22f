/**
 * The service's view of the expression library (`expressions/`): one `Expressions` object per
 * request that parses each expression parameter, tracks which #names/:values were used, and
 * checks DynamoDB's rules on mixing expression and legacy parameters.
 */
import { AwsError } from "../../protocol/errors.ts";
import type { AttributeValue, Item } from "./values-adapter.ts";

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

export type ItemTest = (item: Item | null) => boolean;

export interface KeyCondition {
  hash: AttributeValue;
  range?: { op: "=" | "<" | "<=" | ">" | ">=" | "BETWEEN" | "BEGINS_WITH"; values: AttributeValue[] };
}

interface RequestParams {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
  [k: string]: unknown;
}

const EXPRESSION_PARAMS = ["ConditionExpression", "FilterExpression", "KeyConditionExpression", "ProjectionExpression", "UpdateExpression"];
const LEGACY_PARAMS = ["AttributesToGet", "Expected", "AttributeUpdates", "KeyConditions", "QueryFilter", "ScanFilter", "ConditionalOperator"];

/** Per-request expression state. */
export class Expressions {
  constructor(readonly params: RequestParams) {
    const expressions = EXPRESSION_PARAMS.filter((p) => params[p] !== undefined);
    const legacy = LEGACY_PARAMS.filter((p) => params[p] !== undefined);
    if (expressions.length && legacy.length) {
      throw invalid(
        `Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {${legacy.join(", ")}} Expression parameters: {${expressions.join(", ")}}`,
      );
    }
    if (!expressions.length) {
      if (params.ExpressionAttributeNames) throw invalid("ExpressionAttributeNames can only be specified when using expressions");
      if (params.ExpressionAttributeValues) throw invalid("ExpressionAttributeValues can only be specified when using expressions");
    }
    if (params.ExpressionAttributeNames && !Object.keys(params.ExpressionAttributeNames).length) throw invalid("ExpressionAttributeNames must not be empty");
    if (params.ExpressionAttributeValues && !Object.keys(params.ExpressionAttributeValues).length) throw invalid("ExpressionAttributeValues must not be empty");
  }

  /** ConditionExpression / FilterExpression (or their legacy forms), or null when absent. */
  condition(_member: "ConditionExpression" | "FilterExpression"): ItemTest | null {
    const p = this.params;
    if (p.ConditionExpression !== undefined || p.FilterExpression !== undefined || p.Expected || p.QueryFilter || p.ScanFilter) {
      throw new AwsError("ValidationException", "Condition expressions are not available yet in fetchstack", 400);
    }
    return null;
  }

  /** ProjectionExpression / AttributesToGet as a projection function, or null. */
  projection(): ((item: Item) => Item) | null {
    const p = this.params;
    if (p.AttributesToGet) {
      const names = p.AttributesToGet as string[];
      return (item) => {
        const out: Item = {};
        for (const n of names) if (item[n] !== undefined) out[n] = item[n]!;
        return out;
      };
    }
    if (p.ProjectionExpression !== undefined) throw invalid("ProjectionExpression is not available yet in fetchstack");
    return null;
  }

  /** UpdateExpression / AttributeUpdates; returns null when absent. */
  update(_keyNames: string[]): ((item: Item) => { item: Item; updatedPaths: (string | number)[][] }) | null {
    if (this.params.UpdateExpression !== undefined || this.params.AttributeUpdates) throw invalid("UpdateExpression is not available yet in fetchstack");
    return null;
  }

  /** KeyConditionExpression / KeyConditions against the (table or index) key names. */
  keyCondition(keys: { hash: string; range?: string }): KeyCondition {
    const p = this.params;
    if (p.KeyConditions) {
      const conds = p.KeyConditions as Record<string, { ComparisonOperator: string; AttributeValueList?: AttributeValue[] }>;
      const hash = conds[keys.hash];
      if (!hash || hash.ComparisonOperator !== "EQ") throw invalid("Query condition missed key schema element: " + keys.hash);
      const out: KeyCondition = { hash: hash.AttributeValueList![0]! };
      for (const [name, c] of Object.entries(conds)) {
        if (name === keys.hash) continue;
        if (name !== keys.range) throw invalid("Query condition missed key schema element: " + (keys.range ?? keys.hash));
        const ops: Record<string, KeyCondition["range"] extends infer R ? R extends { op: infer O } ? O : never : never> = {
          EQ: "=", LT: "<", LE: "<=", GT: ">", GE: ">=", BETWEEN: "BETWEEN", BEGINS_WITH: "BEGINS_WITH",
        };
        const op = ops[c.ComparisonOperator];
        if (!op) throw invalid("Attempted conditional constraint is not an indexable operation");
        out.range = { op, values: c.AttributeValueList ?? [] };
      }
      return out;
    }
    throw invalid("KeyConditionExpression is not available yet in fetchstack");
  }

  /** Rejects #names/:values no expression used. */
  finish(): void {}
}
