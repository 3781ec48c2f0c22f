/**
 * Account-level policies and field index policies.
 *
 * PutAccountPolicy/DescribeAccountPolicies/DeleteAccountPolicy for every `policyType`: data
 * protection (one per account), subscription filter (one; `selectionCriteria` `LogGroupName NOT
 * IN [...]`; it really delivers, events.ts), field index and transformer (`LogGroupNamePrefix IN
 * [...]`; applied where a group has none of its own), metric extraction. PutIndexPolicy,
 * DescribeIndexPolicies (the group's own, else the account's FIELD_INDEX_POLICY that selects it),
 * DeleteIndexPolicy, and DescribeFieldIndexes: each indexed field with the first and last event
 * time of stored JSON events that carry it.
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutAccountPolicy.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutIndexPolicy.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeFieldIndexes.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { AccountPolicy, FieldIndex, IndexPolicy, Operations, PolicyType, Processor } from "../../generated/logs.ts";
import { FilterPatternError, parseFilterPattern } from "./filter-pattern.ts";
import { checkConfig, TransformError } from "./transform-processors.ts";
import { groupArn, groupNameOf, invalidParameter, keys, limitExceeded, loadGroup, resourceNotFound, type StoredEvent } from "./state.ts";

export interface StoredAccountPolicy {
  policyName: string;
  policyDocument: string;
  policyType: PolicyType;
  scope: "ALL";
  selectionCriteria?: string;
  lastUpdatedTime: number;
}

interface StoredIndexPolicy {
  policyDocument: string;
  lastUpdateTime: number;
}

const accountPolicyKey = (type: string, name: string) => ["account-policy", type, name] as const;
const indexPolicyKey = (group: string) => ["index-policy", group] as const;

/** Account policies of a type AWS allows at most this many of. */
const LIMITS: Record<PolicyType, number> = {
  DATA_PROTECTION_POLICY: 1, SUBSCRIPTION_FILTER_POLICY: 1, FIELD_INDEX_POLICY: 40, TRANSFORMER_POLICY: 20, METRIC_EXTRACTION_POLICY: 5,
};

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalidParameter(`The ${what} is not valid JSON.`);
  }
}

/** `LogGroupName NOT IN ["a", "b"]` or `LogGroupNamePrefix IN ["a", "b"]`: the names listed. */
function parseCriteria(text: string, form: "NOT IN" | "IN"): string[] {
  const attribute = form === "NOT IN" ? "LogGroupName" : "LogGroupNamePrefix";
  const m = new RegExp(`^\\s*${attribute}\\s+${form}\\s+(\\[.*\\])\\s*$`).exec(text);
  let names: unknown;
  try {
    names = m ? JSON.parse(m[1]!) : undefined;
  } catch {
    names = undefined;
  }
  if (!Array.isArray(names) || !names.every((n) => typeof n === "string")) {
    throw invalidParameter(`Invalid selection criteria: expected ${attribute} ${form} ["..."].`);
  }
  return names as string[];
}

/** Whether an account policy applies to `group` by its selection criteria. */
export function policySelects(policy: StoredAccountPolicy, group: string): boolean {
  if (!policy.selectionCriteria) return true;
  if (policy.policyType === "SUBSCRIPTION_FILTER_POLICY") return !parseCriteria(policy.selectionCriteria, "NOT IN").includes(group);
  return parseCriteria(policy.selectionCriteria, "IN").some((prefix) => group.startsWith(prefix));
}

/** The account policies of `type`, in name order. */
export async function accountPolicies(ctx: RequestContext, type: PolicyType): Promise<StoredAccountPolicy[]> {
  const out: StoredAccountPolicy[] = [];
  for await (const entry of ctx.store.list<StoredAccountPolicy>({ prefix: ["account-policy", type] })) out.push(entry.value);
  return out;
}

function describeAccountPolicy(ctx: RequestContext, p: StoredAccountPolicy): AccountPolicy {
  return {
    policyName: p.policyName, policyDocument: p.policyDocument, lastUpdatedTime: p.lastUpdatedTime, policyType: p.policyType, scope: p.scope,
    ...(p.selectionCriteria !== undefined ? { selectionCriteria: p.selectionCriteria } : {}), accountId: ctx.accountId,
  };
}

/** The index policy in force for a group: its own, else the first account policy selecting it. */
async function effectiveIndexPolicy(ctx: RequestContext, group: string): Promise<IndexPolicy | undefined> {
  const own = (await ctx.store.get<StoredIndexPolicy>(indexPolicyKey(group))).value;
  if (own) return { logGroupIdentifier: groupArn(ctx, group), lastUpdateTime: own.lastUpdateTime, policyDocument: own.policyDocument, policyName: "Default", source: "LOG_GROUP" };
  const account = (await accountPolicies(ctx, "FIELD_INDEX_POLICY")).find((p) => policySelects(p, group));
  return account ? { logGroupIdentifier: groupArn(ctx, group), lastUpdateTime: account.lastUpdatedTime, policyDocument: account.policyDocument, policyName: account.policyName, source: "ACCOUNT" } : undefined;
}

function indexedFields(document: string): string[] {
  const doc = parseJson(document, "policy document") as { Fields?: unknown };
  if (!Array.isArray(doc?.Fields) || !doc.Fields.every((f) => typeof f === "string")) throw invalidParameter('The index policy document must have "Fields": ["..."].');
  if (doc.Fields.length > 20) throw limitExceeded("An index policy can index at most 20 fields.");
  return doc.Fields as string[];
}

/** A field of a JSON event by dotted name (`a.b`), or undefined. */
function fieldValue(json: unknown, name: string): unknown {
  let value = json;
  for (const part of name.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export const policyHandlers: Handlers<Operations> = {
  async PutAccountPolicy(input, ctx) {
    const doc = parseJson(input.policyDocument, "policy document") as Record<string, unknown>;
    if (input.selectionCriteria !== undefined) {
      if (input.policyType === "SUBSCRIPTION_FILTER_POLICY") parseCriteria(input.selectionCriteria, "NOT IN");
      else if (input.policyType === "FIELD_INDEX_POLICY" || input.policyType === "TRANSFORMER_POLICY" || input.policyType === "METRIC_EXTRACTION_POLICY") parseCriteria(input.selectionCriteria, "IN");
      else throw invalidParameter(`selectionCriteria is not supported for policy type ${input.policyType}.`);
    }
    if (input.policyType === "SUBSCRIPTION_FILTER_POLICY") {
      const arn = doc?.DestinationArn;
      if (typeof arn !== "string" || !["lambda", "kinesis", "firehose", "logs"].includes(arn.split(":")[2] ?? "")) {
        throw invalidParameter("A subscription filter policy needs a DestinationArn of a Lambda function, Kinesis stream, Firehose stream or Logs destination.");
      }
      try {
        parseFilterPattern(typeof doc.FilterPattern === "string" ? doc.FilterPattern : "");
      } catch (error) {
        if (error instanceof FilterPatternError) throw invalidParameter("Invalid filter pattern");
        throw error;
      }
    }
    if (input.policyType === "FIELD_INDEX_POLICY") indexedFields(input.policyDocument);
    if (input.policyType === "TRANSFORMER_POLICY") {
      if (!Array.isArray(doc?.transformerConfig)) throw invalidParameter('A transformer policy document needs "transformerConfig": [processors].');
      try {
        checkConfig(doc.transformerConfig as Processor[]);
      } catch (error) {
        if (error instanceof TransformError) throw invalidParameter(error.message);
        throw error;
      }
    }
    const key = accountPolicyKey(input.policyType, input.policyName);
    const existing = (await ctx.store.get(key)).value;
    if (!existing && (await accountPolicies(ctx, input.policyType)).length >= LIMITS[input.policyType]) {
      throw limitExceeded(`The account already has the maximum number (${LIMITS[input.policyType]}) of ${input.policyType} policies.`);
    }
    const policy: StoredAccountPolicy = {
      policyName: input.policyName, policyDocument: input.policyDocument, policyType: input.policyType, scope: input.scope ?? "ALL",
      ...(input.selectionCriteria !== undefined ? { selectionCriteria: input.selectionCriteria } : {}), lastUpdatedTime: ctx.clock.now(),
    };
    await ctx.store.set(key, policy);
    return { accountPolicy: describeAccountPolicy(ctx, policy) };
  },

  async DescribeAccountPolicies(input, ctx) {
    if (input.accountIdentifiers?.some((a) => a !== ctx.accountId)) {
      throw invalidParameter("Only the caller's account can be described: fetchstack has no linked monitoring accounts.");
    }
    const policies = (await accountPolicies(ctx, input.policyType)).filter((p) => input.policyName === undefined || p.policyName === input.policyName);
    return { accountPolicies: policies.map((p) => describeAccountPolicy(ctx, p)) };
  },

  async DeleteAccountPolicy(input, ctx) {
    const key = accountPolicyKey(input.policyType, input.policyName);
    if (!(await ctx.store.get(key)).value) throw resourceNotFound(`Policy with name [${input.policyName}] does not exist`);
    await ctx.store.delete(key);
    return {};
  },

  async PutIndexPolicy(input, ctx) {
    const group = groupNameOf({ logGroupIdentifier: input.logGroupIdentifier });
    await loadGroup(ctx, group);
    indexedFields(input.policyDocument);
    const stored: StoredIndexPolicy = { policyDocument: input.policyDocument, lastUpdateTime: ctx.clock.now() };
    await ctx.store.set(indexPolicyKey(group), stored);
    return { indexPolicy: { logGroupIdentifier: groupArn(ctx, group), lastUpdateTime: stored.lastUpdateTime, policyDocument: stored.policyDocument, policyName: "Default", source: "LOG_GROUP" } };
  },

  async DeleteIndexPolicy(input, ctx) {
    const group = groupNameOf({ logGroupIdentifier: input.logGroupIdentifier });
    await loadGroup(ctx, group);
    if (!(await ctx.store.get(indexPolicyKey(group))).value) throw resourceNotFound("The specified log group has no index policy.");
    await ctx.store.delete(indexPolicyKey(group));
    return {};
  },

  async DescribeIndexPolicies(input, ctx) {
    const out: IndexPolicy[] = [];
    for (const id of input.logGroupIdentifiers) {
      const group = groupNameOf({ logGroupIdentifier: id });
      await loadGroup(ctx, group);
      const policy = await effectiveIndexPolicy(ctx, group);
      if (policy) out.push(policy);
    }
    return { indexPolicies: out };
  },

  async DescribeFieldIndexes(input, ctx) {
    const out: FieldIndex[] = [];
    for (const id of input.logGroupIdentifiers) {
      const group = groupNameOf({ logGroupIdentifier: id });
      await loadGroup(ctx, group);
      const policy = await effectiveIndexPolicy(ctx, group);
      if (!policy) continue;
      const fields = indexedFields(policy.policyDocument!);
      const seen = new Map<string, { first: number; last: number }>();
      for await (const entry of ctx.store.list<StoredEvent>({ prefix: keys.groupEvents(group) })) {
        const timestamp = entry.key[3] as number;
        let json: unknown;
        try {
          json = JSON.parse(entry.value.m);
        } catch {
          continue;
        }
        for (const field of fields) {
          if (fieldValue(json, field) === undefined) continue;
          const s = seen.get(field);
          seen.set(field, { first: Math.min(s?.first ?? timestamp, timestamp), last: Math.max(s?.last ?? timestamp, timestamp) });
        }
      }
      for (const field of fields) {
        const s = seen.get(field);
        out.push({
          logGroupIdentifier: groupArn(ctx, group), fieldIndexName: field, lastScanTime: ctx.clock.now(), type: "FIELD_INDEX",
          ...(s ? { firstEventTime: s.first, lastEventTime: s.last } : {}),
        });
      }
    }
    return { fieldIndexes: out };
  },
};
