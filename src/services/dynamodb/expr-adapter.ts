/**
 * The service's view of the expression library (`expressions/`): one `Expressions` object per
 * request parses each expression parameter (or its legacy equivalent), tracks which
 * #names/:values were used, and enforces DynamoDB's rules on how the parameters combine.
 */
import { AwsError } from "../../protocol/errors.ts";
import {
  applyUpdate, assertAllUsed, assertNotMixed, attributesToGetPaths, conditionFromExpected, conditionFromFilter,
  evaluateCondition, ExpressionTracker, keyConditionFromKeyConditions, parseConditionExpression, parseKeyCondition,
  parseProjectionExpression, parseUpdateExpression, planFromAttributeUpdates, project,
  type DocumentPath, type ExpressionInput, type KeyCondition as LibKeyCondition,
} from "./expressions/index.ts";
import { validateAttributeValue } from "./values/index.ts";
import type { AttributeValue, Item } from "./values-adapter.ts";

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

export type ItemTest = (item: Item | null) => boolean;

export type KeyOp = "=" | "<" | "<=" | ">" | ">=" | "BETWEEN" | "BEGINS_WITH";

export interface KeyCondition {
  hash: AttributeValue;
  range?: { op: KeyOp; values: AttributeValue[] };
}

const KEY_OPS: Record<string, KeyOp> = { EQ: "=", LT: "<", LE: "<=", GT: ">", GE: ">=", BETWEEN: "BETWEEN", BEGINS_WITH: "BEGINS_WITH" };

interface RequestParams {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
  [k: string]: unknown;
}

const EXPRESSION_PARAMS = ["ConditionExpression", "FilterExpression", "KeyConditionExpression", "ProjectionExpression", "UpdateExpression"];

/** Per-request expression state. */
export class Expressions {
  private readonly input: ExpressionInput;
  private readonly tracker = new ExpressionTracker();

  constructor(readonly params: RequestParams) {
    assertNotMixed(params);
    const usesExpressions = EXPRESSION_PARAMS.some((p) => params[p] != null);
    const names = params.ExpressionAttributeNames;
    const values = params.ExpressionAttributeValues;
    if (!usesExpressions) {
      if (names) throw invalid("ExpressionAttributeNames can only be specified when using expressions");
      if (values) throw invalid("ExpressionAttributeValues can only be specified when using expressions");
    }
    if (names && !Object.keys(names).length) throw invalid("ExpressionAttributeNames must not be empty");
    if (values && !Object.keys(values).length) throw invalid("ExpressionAttributeValues must not be empty");
    for (const k of Object.keys(names ?? {})) {
      if (!k.startsWith("#")) throw invalid(`ExpressionAttributeNames contains invalid key: Syntax error; key: "${k}"`);
    }
    const checked: Record<string, AttributeValue> = {};
    for (const [k, v] of Object.entries(values ?? {})) {
      if (!k.startsWith(":")) throw invalid(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${k}"`);
      try {
        checked[k] = validateAttributeValue(v as any) as AttributeValue;
      } catch (e) {
        if (e instanceof AwsError) throw invalid(`ExpressionAttributeValues contains invalid value: ${e.message} for key ${k}`);
        throw e;
      }
    }
    this.input = { names, values: values ? (checked as any) : undefined };
  }

  /** ConditionExpression / FilterExpression (or Expected / QueryFilter / ScanFilter), or null when absent. */
  condition(member: "ConditionExpression" | "FilterExpression"): ItemTest | null {
    const p = this.params;
    const text = p[member] as string | undefined;
    let cond;
    if (text != null) cond = parseConditionExpression(text, this.input, this.tracker, member);
    else if (member === "ConditionExpression" && p.Expected) cond = conditionFromExpected(p.Expected as any, p.ConditionalOperator as string | undefined);
    else if (member === "FilterExpression" && (p.QueryFilter || p.ScanFilter)) {
      cond = conditionFromFilter((p.QueryFilter ?? p.ScanFilter) as any, p.ConditionalOperator as string | undefined);
    }
    if (!cond) {
      if (p.ConditionalOperator && !p.Expected && !p.QueryFilter && !p.ScanFilter) {
        throw invalid("ConditionalOperator can only be used when Filter or Expected has two or more elements");
      }
      return null;
    }
    const c = cond;
    return (item) => evaluateCondition(c, (item ?? undefined) as any);
  }

  /** The paths ProjectionExpression / AttributesToGet name, or null when absent. */
  projectionPaths(): DocumentPath[] | null {
    const p = this.params;
    if (p.ProjectionExpression != null) return parseProjectionExpression(p.ProjectionExpression as string, this.input, this.tracker);
    if (p.AttributesToGet) return attributesToGetPaths(p.AttributesToGet as string[]);
    return null;
  }

  /** ProjectionExpression / AttributesToGet as a projection function, or null. */
  projection(): ((item: Item) => Item) | null {
    const paths = this.projectionPaths();
    if (!paths) return null;
    return (item) => project(item as any, paths) as Item;
  }

  /** UpdateExpression / AttributeUpdates as an update function; null when absent. */
  update(keyNames: string[]): ((item: Item) => { item: Item; updatedPaths: DocumentPath[] }) | null {
    const p = this.params;
    let plan;
    if (p.UpdateExpression != null) plan = parseUpdateExpression(p.UpdateExpression as string, this.input, this.tracker);
    else if (p.AttributeUpdates) plan = planFromAttributeUpdates(p.AttributeUpdates as any);
    if (!plan) return null;
    const pl = plan;
    return (item) => applyUpdate(pl, item as any, keyNames) as { item: Item; updatedPaths: DocumentPath[] };
  }

  /** KeyConditionExpression / KeyConditions against the (table or index) key names and types. */
  keyCondition(keys: { hash: string; range?: string; hashType?: "S" | "N" | "B"; rangeType?: "S" | "N" | "B" }): KeyCondition {
    const p = this.params;
    let cond: LibKeyCondition;
    if (p.KeyConditionExpression != null) cond = parseKeyCondition(p.KeyConditionExpression as string, this.input, this.tracker, keys);
    else cond = keyConditionFromKeyConditions(p.KeyConditions as any, keys);
    return {
      hash: cond.hash as AttributeValue,
      ...(cond.range ? { range: { op: KEY_OPS[cond.range.op]!, values: cond.range.values as AttributeValue[] } } : {}),
    };
  }

  /** Rejects #names/:values no expression used. */
  finish(): void {
    assertAllUsed(this.input, this.tracker);
  }
}
