/**
 * Topics: CreateTopic (idempotent with equal attributes and tags), DeleteTopic,
 * Get/SetTopicAttributes, ListTopics, tags, AddPermission/RemovePermission and the data
 * protection policy.
 * Sources: https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html,
 * https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html
 */
import { AwsError } from "../../protocol/errors.ts";
import { update, withLock } from "../../store/mutex.ts";
import type { Store } from "../../store/types.ts";
import type { RequestContext } from "../types.ts";
import { parseTopicArn, topicArn, type TopicRef } from "./arns.ts";
import { invalidParameter, resourceNotFound, topicNotFound } from "./errors.ts";
import { addStatement, checkDeliveryPolicy, defaultTopicPolicy, effectiveDeliveryPolicy, removeStatement } from "./policies.ts";
import { decodePageToken, encodePageToken, PAGE_SIZE } from "./paging.ts";
import { deletePrefix, keys, listSubscriptions, loadTopic, ownerStore, type TopicRecord } from "./storage.ts";

const STANDARD_NAME = /^[A-Za-z0-9_-]{1,256}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,251}\.fifo$/;

const FEEDBACK = ["Application", "Firehose", "HTTP", "Lambda", "SQS"].flatMap((p) => [
  `${p}SuccessFeedbackRoleArn`, `${p}SuccessFeedbackSampleRate`, `${p}FailureFeedbackRoleArn`,
]);

/** Attributes CreateTopic and SetTopicAttributes take (FifoTopic only at creation). */
const SETTABLE = new Set([
  "DeliveryPolicy", "DisplayName", "Policy", "SignatureVersion", "TracingConfig", "KmsMasterKeyId",
  "ContentBasedDeduplication", "FifoThroughputScope", "ArchivePolicy", ...FEEDBACK,
]);

export interface TopicHandle {
  ref: TopicRef;
  store: Store;
  topic: TopicRecord;
}

/** The topic an ARN names: InvalidParameter for a bad ARN or another region, NotFound if absent. */
export async function requireTopic(ctx: RequestContext, arn: string | undefined, member = "TopicArn"): Promise<TopicHandle> {
  const ref = parseTopicArn(arn, member);
  if (ref.region !== ctx.region) throw invalidParameter(member);
  const store = ownerStore(ctx, ref);
  const topic = await loadTopic(store, ref.name);
  if (!topic) throw topicNotFound();
  return { ref, store, topic };
}

const isTrue = (v: string | undefined) => v !== undefined && v.toLowerCase() === "true";

/** Checks one settable attribute's value; returns the value as stored. */
function checkAttribute(name: string, value: string, fifo: boolean, creating: boolean): string {
  switch (name) {
    case "ContentBasedDeduplication":
      if (!["true", "false"].includes(value.toLowerCase())) throw invalidParameter("ContentBasedDeduplication", `Invalid value [${value}] for ContentBasedDeduplication`);
      if (!fifo) throw invalidParameter("ContentBasedDeduplication", "Content based deduplication can only be set for FIFO topics");
      return value.toLowerCase();
    case "FifoThroughputScope":
      if (!fifo) throw invalidParameter("FifoThroughputScope", "FifoThroughputScope can only be set for FIFO topics");
      if (value !== "Topic" && value !== "MessageGroup") throw invalidParameter("FifoThroughputScope", `Invalid value [${value}] for FifoThroughputScope`);
      return value;
    case "SignatureVersion":
      if (value !== "1" && value !== "2") throw invalidParameter("SignatureVersion");
      return value;
    case "TracingConfig":
      if (value !== "PassThrough" && value !== "Active") throw invalidParameter("TracingConfig", `Invalid value [${value}] for TracingConfig`);
      return value;
    case "DisplayName":
      if (value.length > 100) throw invalidParameter("DisplayName", "DisplayName must be less than or equal to 100 characters");
      return value;
    case "Policy":
      try {
        const doc = JSON.parse(value);
        if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw new Error("not an object");
      } catch {
        throw invalidParameter("Policy", "failed to parse JSON.");
      }
      return value;
    case "DeliveryPolicy":
      if (value !== "") checkDeliveryPolicy(value, false, creating ? "Attributes Reason: " : "");
      return value;
    case "ArchivePolicy":
      if (!fifo) throw invalidParameter("ArchivePolicy", "The ArchivePolicy attribute is only supported for FIFO topics");
      try {
        JSON.parse(value);
      } catch {
        throw invalidParameter("ArchivePolicy", "failed to parse JSON.");
      }
      return value;
    default:
      if (name.endsWith("SampleRate") && !(/^\d{1,3}$/.test(value) && Number(value) <= 100)) throw invalidParameter(name);
      return value;
  }
}

export async function createTopic(
  ctx: RequestContext,
  input: { Name: string; Attributes?: Record<string, string>; Tags?: { Key: string; Value: string }[]; DataProtectionPolicy?: string },
): Promise<{ TopicArn: string }> {
  const name = input.Name;
  const attributes = { ...(input.Attributes ?? {}) };
  const fifoAttr = attributes.FifoTopic;
  const fifo = isTrue(fifoAttr);
  if (fifo && !FIFO_NAME.test(name)) {
    throw invalidParameter(
      "Fifo Topic names must end with .fifo and must be made up of only uppercase and lowercase ASCII letters, numbers, underscores, and hyphens, and must be between 1 and 256 characters long.",
    );
  }
  if (!fifo && !STANDARD_NAME.test(name)) throw invalidParameter("Topic Name");
  if (fifoAttr !== undefined && !["true", "false"].includes(fifoAttr.toLowerCase())) throw invalidParameter("FifoTopic", `Invalid value [${fifoAttr}] for FifoTopic`);
  delete attributes.FifoTopic;
  const stored: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (!SETTABLE.has(key)) throw invalidParameter("Attributes Reason: Unknown attribute", key);
    stored[key] = checkAttribute(key, value ?? "", fifo, true);
  }
  const tags = tagMap(input.Tags ?? []);
  if (input.DataProtectionPolicy !== undefined) checkDataProtectionPolicy(input.DataProtectionPolicy);
  const arn = topicArn(ctx.region, ctx.accountId, name);
  return withLock(`sns/${arn}`, async () => {
    const existing = await loadTopic(ctx.store, name);
    if (existing) {
      if (fifoAttr !== undefined && existing.fifo !== fifo) throw invalidParameter("Attributes", "Topic already exists with different attributes");
      for (const [key, value] of Object.entries(stored)) {
        if ((existing.attributes[key] ?? defaultAttribute(key, existing)) !== value) throw invalidParameter("Attributes", "Topic already exists with different attributes");
      }
      for (const [key, value] of Object.entries(tags)) {
        if (existing.tags[key] !== value) throw invalidParameter("Tags", "Topic already exists with different tags");
      }
      return { TopicArn: arn };
    }
    if (fifo) stored.ContentBasedDeduplication ??= "false";
    const record: TopicRecord = {
      name,
      arn,
      account: ctx.accountId,
      region: ctx.region,
      fifo,
      attributes: { Policy: defaultTopicPolicy(arn, ctx.accountId), DisplayName: "", ...stored },
      tags,
      deleted: 0,
      created: ctx.clock.now(),
    };
    if (input.DataProtectionPolicy) record.dataProtectionPolicy = input.DataProtectionPolicy;
    await ctx.store.set(keys.topic(name), record);
    return { TopicArn: arn };
  });
}

function defaultAttribute(key: string, topic: TopicRecord): string | undefined {
  if (key === "ContentBasedDeduplication") return topic.fifo ? "false" : undefined;
  if (key === "Policy") return defaultTopicPolicy(topic.arn, topic.account);
  if (key === "DisplayName") return "";
  return undefined;
}

/** DeleteTopic: also removes the topic's subscriptions. Idempotent, as on AWS. */
export async function deleteTopic(ctx: RequestContext, arn: string): Promise<void> {
  const ref = parseTopicArn(arn);
  if (ref.region !== ctx.region) throw invalidParameter("TopicArn");
  const store = ownerStore(ctx, ref);
  await withLock(`sns/${ref.arn}`, async () => {
    await store.delete(keys.topic(ref.name));
    await deletePrefix(store, keys.subsOf(ref.name));
    await deletePrefix(store, keys.dedups(ref.name));
    await store.delete(keys.seq(ref.name));
  });
}

export async function getTopicAttributes(ctx: RequestContext, arn: string): Promise<{ Attributes: Record<string, string> }> {
  const { topic, store } = await requireTopic(ctx, arn);
  const subs = await listSubscriptions(store, topic.name);
  const pending = subs.filter((s) => s.pending).length;
  const out: Record<string, string> = {
    ...topic.attributes,
    TopicArn: topic.arn,
    Owner: topic.account,
    SubscriptionsPending: String(pending),
    SubscriptionsConfirmed: String(subs.length - pending),
    SubscriptionsDeleted: String(topic.deleted),
    EffectiveDeliveryPolicy: effectiveDeliveryPolicy(topic.attributes.DeliveryPolicy),
  };
  if (topic.fifo) {
    out.FifoTopic = "true";
    out.FifoThroughputScope ??= "Topic";
  }
  return { Attributes: out };
}

export async function setTopicAttributes(ctx: RequestContext, input: { TopicArn: string; AttributeName: string; AttributeValue?: string }): Promise<void> {
  const { ref, store, topic } = await requireTopic(ctx, input.TopicArn);
  const name = input.AttributeName;
  if (!SETTABLE.has(name)) throw invalidParameter("AttributeName");
  const value = checkAttribute(name, input.AttributeValue ?? "", topic.fifo, false);
  await update<TopicRecord>(store, keys.topic(ref.name), (current) => {
    if (!current) throw topicNotFound();
    const attributes = { ...current.attributes };
    if (value === "" && name !== "DisplayName") {
      if (name === "Policy") attributes.Policy = defaultTopicPolicy(current.arn, current.account);
      else delete attributes[name];
    } else {
      attributes[name] = value;
    }
    return { ...current, attributes };
  });
}

export async function listTopics(ctx: RequestContext, nextToken: string | undefined): Promise<{ Topics: { TopicArn: string }[]; NextToken?: string }> {
  const after = nextToken ? decodePageToken(nextToken) : undefined;
  const root = keys.topics();
  const selector = after !== undefined ? { prefix: root, start: [...root, after, ""] } : { prefix: root };
  const topics: { TopicArn: string }[] = [];
  let more = false;
  for await (const entry of ctx.store.list<TopicRecord>(selector)) {
    if (topics.length === PAGE_SIZE) {
      more = true;
      break;
    }
    topics.push({ TopicArn: entry.value.arn });
  }
  const out: { Topics: { TopicArn: string }[]; NextToken?: string } = { Topics: topics };
  if (more) out.NextToken = encodePageToken(topics.at(-1)!.TopicArn.split(":").at(-1)!);
  return out;
}

// ------------------------------------------------------------------------------------------
// Tags (https://docs.aws.amazon.com/sns/latest/dg/sns-tags-configuring.html): at most 50.

function tagMap(tags: { Key: string; Value: string }[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const tag of tags) {
    if (Object.hasOwn(out, tag.Key)) throw invalidParameter("Duplicated keys are not allowed.");
    out[tag.Key] = tag.Value ?? "";
  }
  if (Object.keys(out).length > 50) throw tagLimit();
  return out;
}

function tagLimit(): AwsError {
  return new AwsError("TagLimitExceededException", "Could not complete request: tag quota of per resource exceeded", 400);
}

async function taggableTopic(ctx: RequestContext, arn: string): Promise<TopicHandle> {
  const ref = (() => {
    try {
      return parseTopicArn(arn, "ResourceArn");
    } catch {
      throw resourceNotFound();
    }
  })();
  const store = ownerStore(ctx, ref);
  const topic = await loadTopic(store, ref.name);
  if (!topic) throw resourceNotFound();
  return { ref, store, topic };
}

export async function tagResource(ctx: RequestContext, arn: string, tags: { Key: string; Value: string }[]): Promise<void> {
  const { ref, store } = await taggableTopic(ctx, arn);
  const given = tagMap(tags);
  await update<TopicRecord>(store, keys.topic(ref.name), (current) => {
    if (!current) throw resourceNotFound();
    const merged = { ...current.tags, ...given };
    if (Object.keys(merged).length > 50) throw tagLimit();
    return { ...current, tags: merged };
  });
}

export async function untagResource(ctx: RequestContext, arn: string, tagKeys: string[]): Promise<void> {
  const { ref, store } = await taggableTopic(ctx, arn);
  await update<TopicRecord>(store, keys.topic(ref.name), (current) => {
    if (!current) throw resourceNotFound();
    const tags = { ...current.tags };
    for (const k of tagKeys) delete tags[k];
    return { ...current, tags };
  });
}

export async function listTagsForResource(ctx: RequestContext, arn: string): Promise<{ Tags: { Key: string; Value: string }[] }> {
  const { topic } = await taggableTopic(ctx, arn);
  return { Tags: Object.entries(topic.tags).map(([Key, Value]) => ({ Key, Value })) };
}

// ------------------------------------------------------------------------------------------
// Permissions and data protection

export async function addPermission(
  ctx: RequestContext,
  input: { TopicArn: string; Label: string; AWSAccountId: string[]; ActionName: string[] },
): Promise<void> {
  const { ref, store } = await requireTopic(ctx, input.TopicArn);
  if (!input.AWSAccountId.length) throw invalidParameter("AWSAccountId");
  if (!input.ActionName.length) throw invalidParameter("ActionName");
  await update<TopicRecord>(store, keys.topic(ref.name), (current) => {
    if (!current) throw topicNotFound();
    const policy = addStatement(current.attributes.Policy ?? defaultTopicPolicy(current.arn, current.account), current.arn, input.Label, input.AWSAccountId, input.ActionName);
    return { ...current, attributes: { ...current.attributes, Policy: policy } };
  });
}

export async function removePermission(ctx: RequestContext, input: { TopicArn: string; Label: string }): Promise<void> {
  const { ref, store } = await requireTopic(ctx, input.TopicArn);
  await update<TopicRecord>(store, keys.topic(ref.name), (current) => {
    if (!current) throw topicNotFound();
    const policy = removeStatement(current.attributes.Policy ?? "", input.Label);
    return policy === null ? current : { ...current, attributes: { ...current.attributes, Policy: policy } };
  });
}

function checkDataProtectionPolicy(policy: string): void {
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    throw invalidParameter("DataProtectionPolicy", "failed to parse JSON.");
  }
  if (!doc || typeof doc !== "object" || Array.isArray(doc)) throw invalidParameter("DataProtectionPolicy");
  if (!Array.isArray((doc as { Statement?: unknown }).Statement)) throw invalidParameter("DataProtectionPolicy", "Statement is required.");
}

export async function putDataProtectionPolicy(ctx: RequestContext, input: { ResourceArn: string; DataProtectionPolicy: string }): Promise<void> {
  const { ref, store } = await requireTopic(ctx, input.ResourceArn, "ResourceArn");
  checkDataProtectionPolicy(input.DataProtectionPolicy);
  await update<TopicRecord>(store, keys.topic(ref.name), (current) => {
    if (!current) throw topicNotFound();
    return { ...current, dataProtectionPolicy: input.DataProtectionPolicy };
  });
}

export async function getDataProtectionPolicy(ctx: RequestContext, arn: string): Promise<{ DataProtectionPolicy?: string }> {
  const { topic } = await requireTopic(ctx, arn, "ResourceArn");
  return topic.dataProtectionPolicy ? { DataProtectionPolicy: topic.dataProtectionPolicy } : {};
}
