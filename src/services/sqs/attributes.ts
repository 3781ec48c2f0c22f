/**
 * Queue attributes: defaults, validation (ranges from the SetQueueAttributes reference) and the
 * computed ones (ApproximateNumberOfMessages*, timestamps, QueueArn).
 * Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";
import { invalidAttributeName, invalidAttributeValue } from "./errors.ts";
import { queueArn } from "./queue-url.ts";
import { keys, store, type QueueRecord, type StoredMessage } from "./storage.ts";
import { validateRedriveAllowPolicy, validateRedrivePolicy } from "./redrive.ts";

const RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1048576],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43200],
  KmsDataKeyReusePeriodSeconds: [60, 86400],
};

const BOOLEANS = new Set(["SqsManagedSseEnabled", "ContentBasedDeduplication", "FifoQueue"]);
const FIFO_ONLY = new Set(["ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"]);
const SETTABLE = new Set([
  ...Object.keys(RANGES), "Policy", "RedrivePolicy", "RedriveAllowPolicy", "KmsMasterKeyId", "SqsManagedSseEnabled",
  "FifoQueue", ...FIFO_ONLY,
]);
const COMPUTED = [
  "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible", "ApproximateNumberOfMessagesDelayed",
  "CreatedTimestamp", "LastModifiedTimestamp", "QueueArn",
];
export const ALL_ATTRIBUTE_NAMES = new Set([...SETTABLE, ...COMPUTED, "All"]);

export function defaultAttributes(fifo: boolean): Record<string, string> {
  const attrs: Record<string, string> = {
    VisibilityTimeout: "30",
    MaximumMessageSize: "1048576",
    MessageRetentionPeriod: "345600",
    DelaySeconds: "0",
    ReceiveMessageWaitTimeSeconds: "0",
    SqsManagedSseEnabled: "true",
  };
  if (fifo) {
    Object.assign(attrs, { FifoQueue: "true", ContentBasedDeduplication: "false", DeduplicationScope: "queue", FifoThroughputLimit: "perQueue" });
  }
  return attrs;
}

/**
 * Validates and normalizes attributes to set on a queue (CreateQueue or SetQueueAttributes);
 * returns the new attribute map. Redrive policies are checked against the target queues.
 */
export async function applyAttributes(
  ctx: RequestContext,
  queue: Pick<QueueRecord, "name" | "account" | "region" | "fifo">,
  current: Record<string, string>,
  input: Record<string, string>,
  creating: boolean,
): Promise<Record<string, string>> {
  const next = { ...current };
  for (const [name, raw] of Object.entries(input)) {
    if (!SETTABLE.has(name)) throw invalidAttributeName(name);
    const value = String(raw);
    if (FIFO_ONLY.has(name) && !queue.fifo) throw invalidAttributeName(name);
    if (name === "FifoQueue") {
      if (!creating && !queue.fifo) throw invalidAttributeName(name);
      const wanted = value.toLowerCase() === "true";
      if (!/^(true|false)$/i.test(value)) throw invalidAttributeValue(name);
      if (wanted !== queue.fifo) throw invalidAttributeValue(name, "Modifying queue type is not supported.");
      continue;
    }
    const range = RANGES[name];
    if (range) {
      if (!/^-?\d+$/.test(value.trim())) throw invalidAttributeValue(name);
      const n = Number(value);
      if (n < range[0] || n > range[1]) throw invalidAttributeValue(name);
      next[name] = String(n);
      continue;
    }
    if (BOOLEANS.has(name)) {
      if (!/^(true|false)$/i.test(value)) throw invalidAttributeValue(name);
      next[name] = value.toLowerCase();
      continue;
    }
    switch (name) {
      case "Policy": {
        if (value === "") {
          delete next.Policy;
          break;
        }
        let parsed: unknown;
        try {
          parsed = JSON.parse(value);
        } catch {
          throw invalidAttributeValue(name);
        }
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw invalidAttributeValue(name);
        next.Policy = value;
        break;
      }
      case "RedrivePolicy":
        if (value === "") delete next.RedrivePolicy;
        else next.RedrivePolicy = await validateRedrivePolicy(ctx, queue, value);
        break;
      case "RedriveAllowPolicy":
        if (value === "") delete next.RedriveAllowPolicy;
        else next.RedriveAllowPolicy = validateRedriveAllowPolicy(value);
        break;
      case "KmsMasterKeyId":
        if (value === "") {
          delete next.KmsMasterKeyId;
          delete next.KmsDataKeyReusePeriodSeconds;
        } else {
          next.KmsMasterKeyId = value;
        }
        break;
      case "DeduplicationScope":
        if (value !== "messageGroup" && value !== "queue") throw invalidAttributeValue(name);
        next[name] = value;
        break;
      case "FifoThroughputLimit":
        if (value !== "perQueue" && value !== "perMessageGroupId") throw invalidAttributeValue(name);
        next[name] = value;
        break;
    }
  }
  if ("KmsMasterKeyId" in input && input.KmsMasterKeyId !== "" && "SqsManagedSseEnabled" in input && next.SqsManagedSseEnabled === "true") {
    throw new AwsError(
      "InvalidAttributeName",
      "You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.",
      400,
    );
  }
  if (next.KmsMasterKeyId) {
    if (!("SqsManagedSseEnabled" in input)) next.SqsManagedSseEnabled = "false";
    next.KmsDataKeyReusePeriodSeconds ??= "300";
  } else {
    delete next.KmsDataKeyReusePeriodSeconds;
  }
  if (next.FifoThroughputLimit === "perMessageGroupId" && next.DeduplicationScope !== "messageGroup") {
    throw invalidAttributeValue("FifoThroughputLimit", "The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.");
  }
  return next;
}

export interface MessageCounts {
  visible: number;
  notVisible: number;
  delayed: number;
}

/** Counts messages by state now (skipping those past retention). */
export async function countMessages(ctx: RequestContext, queue: QueueRecord): Promise<MessageCounts> {
  const now = Math.floor(ctx.clock.now());
  const retention = Number(queue.attributes.MessageRetentionPeriod) * 1000;
  const counts: MessageCounts = { visible: 0, notVisible: 0, delayed: 0 };
  for await (const entry of store(ctx, queue).list<StoredMessage>({ prefix: keys.messages(queue) })) {
    const m = entry.value;
    if (m.sent + retention <= now) continue;
    if (m.visibleAt <= now) counts.visible++;
    else if (m.receiveCount > 0) counts.notVisible++;
    else counts.delayed++;
  }
  return counts;
}

/** The GetQueueAttributes result for the requested names (`All` for every one). */
export async function queueAttributes(ctx: RequestContext, queue: QueueRecord, names: string[]): Promise<Record<string, string> | undefined> {
  for (const name of names) if (!ALL_ATTRIBUTE_NAMES.has(name)) throw invalidAttributeName(name);
  if (names.length === 0) return undefined;
  const all = names.includes("All");
  const wanted = (n: string) => all || names.includes(n);
  const out: Record<string, string> = {};
  const needsCounts = COMPUTED.slice(0, 3).some(wanted);
  const counts = needsCounts ? await countMessages(ctx, queue) : undefined;
  if (wanted("QueueArn")) out.QueueArn = queueArn(queue);
  if (counts) {
    if (wanted("ApproximateNumberOfMessages")) out.ApproximateNumberOfMessages = String(counts.visible);
    if (wanted("ApproximateNumberOfMessagesNotVisible")) out.ApproximateNumberOfMessagesNotVisible = String(counts.notVisible);
    if (wanted("ApproximateNumberOfMessagesDelayed")) out.ApproximateNumberOfMessagesDelayed = String(counts.delayed);
  }
  if (wanted("CreatedTimestamp")) out.CreatedTimestamp = String(queue.created);
  if (wanted("LastModifiedTimestamp")) out.LastModifiedTimestamp = String(queue.lastModified);
  for (const [name, value] of Object.entries(queue.attributes)) if (wanted(name)) out[name] = value;
  return Object.keys(out).length ? out : undefined;
}
