/**
 * Log transformers: PutTransformer, GetTransformer, DeleteTransformer and TestTransformer, and
 * the transformer in force for a group at ingestion (its own, else the first account
 * TRANSFORMER_POLICY whose `LogGroupNamePrefix IN [...]` selects it). PutLogEvents stores the
 * transformed event (a JSON object, transform-processors.ts) as the event's message, so
 * GetLogEvents, FilterLogEvents and Insights read it; metric and subscription filters see the
 * original message unless they were put with `applyOnTransformedLogs`. An event the
 * transformer's parser cannot parse is stored as ingested.
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutTransformer.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_TestTransformer.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { Operations, Processor } from "../../generated/logs.ts";
import { accountPolicies, policySelects } from "./policies.ts";
import { checkConfig, TransformError, transformMessage } from "./transform-processors.ts";
import { groupArn, groupNameOf, invalidParameter, loadGroup, resourceNotFound } from "./state.ts";

interface StoredTransformer {
  transformerConfig: Processor[];
  creationTime: number;
  lastModifiedTime: number;
}

const key = (group: string) => ["transformer", group] as const;

function check(config: Processor[]): void {
  try {
    checkConfig(config);
  } catch (error) {
    if (error instanceof TransformError) throw invalidParameter(error.message);
    throw error;
  }
}

/** The processors that transform `group`'s events at ingestion, if any. */
export async function transformerFor(ctx: RequestContext, group: string): Promise<Processor[] | undefined> {
  const own = (await ctx.store.get<StoredTransformer>(key(group))).value;
  if (own) return own.transformerConfig;
  for (const policy of await accountPolicies(ctx, "TRANSFORMER_POLICY")) {
    if (policySelects(policy, group)) return (JSON.parse(policy.policyDocument) as { transformerConfig: Processor[] }).transformerConfig;
  }
  return undefined;
}

export const transformerHandlers: Handlers<Operations> = {
  async PutTransformer(input, ctx) {
    const group = groupNameOf({ logGroupIdentifier: input.logGroupIdentifier });
    const stored = await loadGroup(ctx, group);
    if (stored.logGroupClass !== "STANDARD") {
      throw invalidParameter("Transformers can only be put on log groups in the STANDARD log class.");
    }
    check(input.transformerConfig);
    const existing = (await ctx.store.get<StoredTransformer>(key(group))).value;
    const now = ctx.clock.now();
    await ctx.store.set(key(group), { transformerConfig: input.transformerConfig, creationTime: existing?.creationTime ?? now, lastModifiedTime: now } satisfies StoredTransformer);
    return {};
  },

  async GetTransformer(input, ctx) {
    const group = groupNameOf({ logGroupIdentifier: input.logGroupIdentifier });
    await loadGroup(ctx, group);
    const t = (await ctx.store.get<StoredTransformer>(key(group))).value;
    if (!t) throw resourceNotFound("The specified log group has no transformer.");
    return { logGroupIdentifier: input.logGroupIdentifier.startsWith("arn:") ? input.logGroupIdentifier : groupArn(ctx, group), creationTime: t.creationTime, lastModifiedTime: t.lastModifiedTime, transformerConfig: t.transformerConfig };
  },

  async DeleteTransformer(input, ctx) {
    const group = groupNameOf({ logGroupIdentifier: input.logGroupIdentifier });
    await loadGroup(ctx, group);
    if (!(await ctx.store.get(key(group))).value) throw resourceNotFound("The specified log group has no transformer.");
    await ctx.store.delete(key(group));
    return {};
  },

  async TestTransformer(input) {
    check(input.transformerConfig);
    return {
      transformedLogs: input.logEventMessages.map((message, i) => ({
        eventNumber: i + 1, eventMessage: message, transformedEventMessage: transformMessage(input.transformerConfig, message) ?? message,
      })),
    };
  },
};
