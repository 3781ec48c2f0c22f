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
  type DocumentPath, type ExpressionInput, type KeyCondition as LibKeyCondition, type LegacyAttributeUpdate, type LegacyCondition,
} from "./expressions/index.ts";
import { validateAttributeValue, type Item as LibItem } from "./values/index.ts";
import { asLibItem, asLibValue, type AttributeValue, type Item } from "./values-adapter.ts";

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

export type ItemTest = (item: Item | null) => boolean;

/** The first element of every document path in a parsed condition. */
function pathHeads(node: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(node)) {
    for (const n of node) pathHeads(n, out);
  } else if (node && typeof node === "object") {
    const o = node as { kind?: unknown; path?: unknown };
    if (o.kind === "path" && Array.isArray(o.path) && typeof o.path[0] === "string") out.add(o.path[0]);
    else for (const v of Object.values(o)) pathHeads(v, out);
  }
  return out;
}

export type KeyOp = "=" | "<" | "<=" | ">" | ">=" | "BETWEEN" | "BEGINS_WITH";

export interface KeyCondition {
  hash: AttributeValue;
  range?: { op: KeyOp; values: AttributeValue[] };
  /** Multi-attribute GSI keys: every partition value, the `=` sort values before `range`, and `range`'s attribute. */
  hashValues?: AttributeValue[];
  rangePrefix?: AttributeValue[];
  rangeAttr?: string;
}

type KeyType = "S" | "N" | "B";

const KEY_OPS: Record<string, KeyOp> = { EQ: "=", LT: "<", LE: "<=", GT: ">", GE: ">=", BETWEEN: "BETWEEN", BEGINS_WITH: "BEGINS_WITH" };

/** A legacy condition (Expected, QueryFilter, ScanFilter, KeyConditions entry) as the model gives it. */
interface ConditionParam {
  ComparisonOperator?: string;
  AttributeValueList?: AttributeValue[];
  Value?: AttributeValue;
  Exists?: boolean;
}

/** The expression members of a data-plane request (PutItem, UpdateItem, Query, ... and Get in a transaction). */
export interface RequestParams {
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, AttributeValue>;
  ConditionExpression?: string;
  FilterExpression?: string;
  KeyConditionExpression?: string;
  ProjectionExpression?: string;
  UpdateExpression?: string;
  AttributesToGet?: string[];
  AttributeUpdates?: Record<string, { Value?: AttributeValue; Action?: string }>;
  ConditionalOperator?: string;
  Expected?: Record<string, ConditionParam>;
  KeyConditions?: Record<string, ConditionParam>;
  QueryFilter?: Record<string, ConditionParam>;
  ScanFilter?: Record<string, ConditionParam>;
}

// The legacy members, validated by the model, in the expression library's types.
const legacyConditions = (c: Record<string, ConditionParam>) => c as Record<string, LegacyCondition>;

const EXPRESSION_PARAMS: (keyof RequestParams)[] = ["ConditionExpression", "FilterExpression", "KeyConditionExpression", "ProjectionExpression", "UpdateExpression"];

/** Per-request expression state. */
export class Expressions {
  private readonly input: ExpressionInput;
  private readonly tracker = new ExpressionTracker();
  /** The top-level attributes each parsed condition names (Query's filter may not name key attributes). */
  private readonly heads = new Map<string, Set<string>>();

  constructor(readonly params: RequestParams) {
    assertNotMixed({ ...params });
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
    const checked: LibItem = {};
    for (const [k, v] of Object.entries(values ?? {})) {
      if (!k.startsWith(":")) throw invalid(`ExpressionAttributeValues contains invalid key: Syntax error; key: "${k}"`);
      try {
        checked[k] = validateAttributeValue(asLibValue(v));
      } catch (e) {
        if (e instanceof AwsError) throw invalid(`ExpressionAttributeValues contains invalid value: ${e.message} for key ${k}`);
        throw e;
      }
    }
    this.input = { names, values: values ? checked : undefined };
  }

  /** ConditionExpression / FilterExpression (or Expected / QueryFilter / ScanFilter), or null when absent. */
  condition(member: "ConditionExpression" | "FilterExpression"): ItemTest | null {
    const p = this.params;
    const text = p[member];
    let cond;
    if (text != null) cond = parseConditionExpression(text, this.input, this.tracker, member);
    else if (member === "ConditionExpression" && p.Expected) cond = conditionFromExpected(legacyConditions(p.Expected), p.ConditionalOperator);
    else if (member === "FilterExpression" && (p.QueryFilter || p.ScanFilter)) {
      cond = conditionFromFilter(legacyConditions((p.QueryFilter ?? p.ScanFilter)!), p.ConditionalOperator);
    }
    if (cond) this.heads.set(member, pathHeads(cond));
    if (!cond) {
      if (p.ConditionalOperator && !p.Expected && !p.QueryFilter && !p.ScanFilter) {
        throw invalid("ConditionalOperator can only be used when Filter or Expected has two or more elements");
      }
      return null;
    }
    const c = cond;
    return (item) => evaluateCondition(c, item ? asLibItem(item) : undefined);
  }

  /** The paths ProjectionExpression / AttributesToGet name, or null when absent. */
  projectionPaths(): DocumentPath[] | null {
    const p = this.params;
    if (p.ProjectionExpression != null) return parseProjectionExpression(p.ProjectionExpression, this.input, this.tracker);
    if (p.AttributesToGet) return attributesToGetPaths(p.AttributesToGet);
    return null;
  }

  /** ProjectionExpression / AttributesToGet as a projection function, or null. */
  projection(): ((item: Item) => Item) | null {
    const paths = this.projectionPaths();
    if (!paths) return null;
    return (item) => project(asLibItem(item), paths);
  }

  /** UpdateExpression / AttributeUpdates as an update function; null when absent. */
  update(keyNames: string[]): ((item: Item) => { item: Item; updatedPaths: DocumentPath[] }) | null {
    const p = this.params;
    let plan;
    if (p.UpdateExpression != null) plan = parseUpdateExpression(p.UpdateExpression, this.input, this.tracker);
    else if (p.AttributeUpdates) plan = planFromAttributeUpdates(p.AttributeUpdates as Record<string, LegacyAttributeUpdate>);
    if (!plan) return null;
    const pl = plan;
    return (item) => applyUpdate(pl, asLibItem(item), keyNames);
  }

  /** KeyConditionExpression / KeyConditions against the (table or index) key names and types. */
  keyCondition(keys: {
    hash: string; range?: string; hashType?: KeyType; rangeType?: KeyType;
    hashes?: { name: string; type?: KeyType }[]; ranges?: { name: string; type?: KeyType }[];
  }): KeyCondition {
    const p = this.params;
    let cond: LibKeyCondition;
    if (p.KeyConditionExpression != null) cond = parseKeyCondition(p.KeyConditionExpression, this.input, this.tracker, keys);
    else cond = keyConditionFromKeyConditions(legacyConditions(p.KeyConditions ?? {}), keys);
    return {
      hash: cond.hash,
      ...(cond.range ? { range: { op: KEY_OPS[cond.range.op]!, values: cond.range.values } } : {}),
      ...(cond.hashValues ? { hashValues: cond.hashValues } : {}),
      ...(cond.rangePrefix ? { rangePrefix: cond.rangePrefix } : {}),
      ...(cond.rangeAttr ? { rangeAttr: cond.rangeAttr } : {}),
    };
  }

  /** The top-level attribute names a parsed ConditionExpression / FilterExpression (or its legacy form) refers to. */
  conditionHeads(member: "ConditionExpression" | "FilterExpression"): Set<string> {
    return this.heads.get(member) ?? new Set();
  }

  /** Rejects #names/:values no expression used. */
  finish(): void {
    assertAllUsed(this.input, this.tracker);
  }
}
