/**
 * Publish and PublishBatch: validation as AWS does it, FIFO deduplication (5-minute window,
 * explicit id or content-based SHA-256) and sequence numbers, then delivery in the background
 * (delivery.ts). Publishing to a phone number or a platform endpoint is recorded in the
 * delivery log.
 * Sources: https://docs.aws.amazon.com/sns/latest/api/API_Publish.html,
 * https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html,
 * https://docs.aws.amazon.com/sns/latest/dg/fifo-message-dedup.html
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import { withLock } from "../../store/mutex.ts";
import type { RequestContext } from "../types.ts";
import { checkAttributes, storeAttributes, type MessageAttributes } from "./attributes.ts";
import { splitArn } from "./arns.ts";
import { deliver, type DeliveryTarget } from "./delivery.ts";
import type { OutgoingMessage } from "./envelope.ts";
import { invalidParameter } from "./errors.ts";
import { recordDelivery } from "./log.ts";
import { loadEndpoint } from "./platform.ts";
import { isOptedOut } from "./sms.ts";
import { keys, listSubscriptions, type Dedup } from "./storage.ts";
import { requireTopic, type TopicHandle } from "./topics.ts";

/** 256 KiB: message plus attributes (names, types and values). */
export const MAX_MESSAGE_BYTES = 262_144;
const DEDUP_WINDOW_MS = 5 * 60 * 1000;
const E164 = /^\+[1-9]\d{1,14}$/;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;

interface MessageInput {
  Message: string;
  Subject?: string;
  MessageStructure?: string;
  MessageAttributes?: MessageAttributes;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

/** A message checked and ready: everything but ids and FIFO bookkeeping. */
interface Checked {
  message: string;
  structured?: Record<string, string>;
  subject?: string;
  attributes: ReturnType<typeof storeAttributes>;
  size: number;
}

function checkMessage(input: MessageInput, forEndpoint = false): Checked {
  const subject = input.Subject;
  if (subject !== undefined && (subject === "" || subject.length > 100 || /[\x00-\x1f\x7f]/.test(subject) || !/^[\x20-\x7e]*$/.test(subject))) {
    throw invalidParameter("Subject");
  }
  if (!input.Message) throw invalidParameter("Empty message");
  const size = new TextEncoder().encode(input.Message).length + checkAttributes(input.MessageAttributes);
  if (size > MAX_MESSAGE_BYTES) throw invalidParameter("Message too long");
  let structured: Record<string, string> | undefined;
  if (input.MessageStructure !== undefined) {
    if (input.MessageStructure !== "json") throw invalidParameter("MessageStructure");
    let parsed: unknown;
    try {
      parsed = JSON.parse(input.Message);
    } catch {
      throw invalidParameter("Message Structure - JSON message body failed to parse");
    }
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw invalidParameter("Message Structure - JSON message body failed to parse");
    // Only string values count; others are ignored, as on AWS.
    structured = Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === "string")) as Record<string, string>;
    if (structured.default === undefined && !forEndpoint) throw invalidParameter("Message Structure - No default entry in JSON message body");
  }
  const out: Checked = { message: input.Message, subject, attributes: storeAttributes(input.MessageAttributes), size };
  if (structured) out.structured = structured;
  return out;
}

function checkFifo(handle: TopicHandle, input: MessageInput): void {
  const { topic } = handle;
  if (topic.fifo) {
    if (!input.MessageGroupId) throw invalidParameter("The MessageGroupId parameter is required for FIFO topics");
    if (!/^[\x21-\x7e]{1,128}$/.test(input.MessageGroupId)) throw invalidParameter("MessageGroupId", "MessageGroupId can contain up to 128 alphanumeric and punctuation characters");
    if (!input.MessageDeduplicationId && topic.attributes.ContentBasedDeduplication !== "true") {
      throw invalidParameter("The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    }
    if (input.MessageDeduplicationId !== undefined && !/^[\x21-\x7e]{1,128}$/.test(input.MessageDeduplicationId)) {
      throw invalidParameter("MessageDeduplicationId", "MessageDeduplicationId can contain up to 128 alphanumeric and punctuation characters");
    }
  } else if (input.MessageDeduplicationId !== undefined) {
    throw invalidParameter("MessageDeduplicationId", "The request includes MessageDeduplicationId parameter that is not valid for this topic type");
  }
}

function sequenceNumber(n: number): string {
  return (10_000_000_000_000_000_000n + BigInt(n)).toString();
}

/**
 * Accepts checked messages for a topic: for FIFO topics assigns sequence numbers and drops
 * duplicates within the window (their original ids are returned), then starts delivery.
 */
async function accept(ctx: RequestContext, handle: TopicHandle, items: { checked: Checked; input: MessageInput }[]): Promise<{ MessageId: string; SequenceNumber?: string }[]> {
  const { topic, store } = handle;
  const target: DeliveryTarget = { topic, store };
  const timestamp = new Date(ctx.clock.now()).toISOString();
  const build = (checked: Checked, input: MessageInput): OutgoingMessage => {
    const msg: OutgoingMessage = { messageId: crypto.randomUUID(), topicArn: topic.arn, message: checked.message, attributes: checked.attributes, timestamp };
    if (checked.subject !== undefined) msg.subject = checked.subject;
    if (checked.structured) msg.structured = checked.structured;
    return msg;
  };
  if (!topic.fifo) {
    const subs = await listSubscriptions(store, topic.name);
    return items.map(({ checked, input }) => {
      const msg = build(checked, input);
      if (subs.length) ctx.waitUntil(deliver(ctx, target, subs, msg));
      return { MessageId: msg.messageId };
    });
  }
  return withLock(`sns-publish/${topic.arn}`, async () => {
    const subs = await listSubscriptions(store, topic.name);
    const now = ctx.clock.now();
    const counter = (await store.get<{ n: number }>(keys.seq(topic.name))).value?.n ?? 0;
    let n = counter;
    const out: { MessageId: string; SequenceNumber: string }[] = [];
    for (const { checked, input } of items) {
      const dedupId = input.MessageDeduplicationId ?? bytesToHex(sha256(new TextEncoder().encode(checked.message)));
      const seen = (await store.get<Dedup>(keys.dedup(topic.name, dedupId))).value;
      if (seen && seen.expires > now) {
        out.push({ MessageId: seen.messageId, SequenceNumber: seen.sequenceNumber });
        continue;
      }
      const msg = build(checked, input);
      msg.groupId = input.MessageGroupId!;
      msg.dedupId = dedupId;
      msg.sequenceNumber = sequenceNumber(++n);
      await store.set(keys.dedup(topic.name, dedupId), { expires: now + DEDUP_WINDOW_MS, messageId: msg.messageId, sequenceNumber: msg.sequenceNumber } satisfies Dedup);
      // Deliveries queue in publish order, so each group reaches its queues in order.
      if (subs.length) ctx.waitUntil(withLock(`sns-deliver/${topic.arn}`, () => deliver(ctx, target, subs, msg)));
      out.push({ MessageId: msg.messageId, SequenceNumber: msg.sequenceNumber });
    }
    if (n !== counter) await store.set(keys.seq(topic.name), { n });
    return out;
  });
}

export async function publish(
  ctx: RequestContext,
  input: MessageInput & { TopicArn?: string; TargetArn?: string; PhoneNumber?: string },
): Promise<{ MessageId: string; SequenceNumber?: string }> {
  const targets = [input.TopicArn, input.TargetArn, input.PhoneNumber].filter((t) => t !== undefined && t !== "");
  if (targets.length === 0) throw invalidParameter("TopicArn or TargetArn", "no value for required parameter");
  if (targets.length > 1) throw invalidParameter("TopicArn or TargetArn", "Only one of TopicArn, TargetArn or PhoneNumber may be specified");
  if (input.PhoneNumber) return publishToPhone(ctx, input.PhoneNumber, input);
  const arn = (input.TopicArn || input.TargetArn)!;
  const parts = splitArn(arn);
  if (input.TargetArn && parts?.service === "sns" && parts.resource.startsWith("endpoint/")) return publishToEndpoint(ctx, input.TargetArn, input);
  const checked = checkMessage(input);
  const handle = await requireTopic(ctx, arn, input.TopicArn ? "TopicArn" : "TargetArn");
  checkFifo(handle, input);
  const [result] = await accept(ctx, handle, [{ checked, input }]);
  return result!;
}

async function publishToPhone(ctx: RequestContext, phone: string, input: MessageInput): Promise<{ MessageId: string }> {
  if (!E164.test(phone)) throw invalidParameter("PhoneNumber", `${phone} is not valid to publish to`);
  const checked = checkMessage(input);
  if (input.MessageDeduplicationId !== undefined) throw invalidParameter("MessageDeduplicationId", "The request includes MessageDeduplicationId parameter that is not valid for this topic type");
  const messageId = crypto.randomUUID();
  const optedOut = await isOptedOut(ctx, phone);
  const text = checked.structured ? (checked.structured.sms ?? checked.structured.default ?? "") : checked.message;
  await recordDelivery(ctx.store, ctx.clock.now(), {
    type: "Notification", protocol: "sms", phoneNumber: phone, messageId, message: text, subject: checked.subject,
    messageAttributes: checked.attributes, status: optedOut ? "failed" : "recorded", ...(optedOut ? { error: "The phone number is opted out" } : {}),
  });
  return { MessageId: messageId };
}

async function publishToEndpoint(ctx: RequestContext, arn: string, input: MessageInput): Promise<{ MessageId: string }> {
  const checked = checkMessage(input, true);
  const endpoint = await loadEndpoint(ctx, arn);
  if (!endpoint) throw invalidParameter("TargetArn", "No endpoint found for the target arn specified");
  if (endpoint.attributes.Enabled !== "true") throw new AwsError("EndpointDisabledException", "Endpoint is disabled", 400);
  const messageId = crypto.randomUUID();
  await recordDelivery(ctx.store, ctx.clock.now(), {
    type: "Notification", protocol: "application", targetArn: arn, endpoint: arn, messageId, message: checked.message, subject: checked.subject,
    messageAttributes: checked.attributes, status: "recorded", ...(checked.structured ? { messageStructure: "json" } : {}),
  });
  return { MessageId: messageId };
}

interface BatchEntry extends MessageInput {
  Id: string;
}

interface BatchFailure {
  Id: string;
  Code: string;
  Message: string;
  SenderFault: boolean;
}

export async function publishBatch(ctx: RequestContext, input: { TopicArn: string; PublishBatchRequestEntries: BatchEntry[] }) {
  const entries = input.PublishBatchRequestEntries ?? [];
  if (entries.length === 0) throw new AwsError("EmptyBatchRequestException", "The batch request doesn't contain any entries.", 400);
  if (entries.length > 10) throw new AwsError("TooManyEntriesInBatchRequestException", "The batch request contains more entries than permissible.", 400);
  const handle = await requireTopic(ctx, input.TopicArn);
  const ids = new Set<string>();
  for (const entry of entries) {
    if (ids.has(entry.Id)) throw new AwsError("BatchEntryIdsNotDistinctException", "Two or more batch entries in the request have the same Id.", 400);
    ids.add(entry.Id);
    if (!BATCH_ID.test(entry.Id)) {
      throw new AwsError("InvalidBatchEntryIdException", entry.Id.length > 80
        ? `The Id of a batch entry in the batch request is too long: ${entry.Id}`
        : `The Id of a batch entry in the batch request contains an impermissible character: ${entry.Id}`, 400);
    }
  }
  for (const entry of entries) checkFifo(handle, entry);
  const failed: BatchFailure[] = [];
  const accepted: { checked: Checked; input: BatchEntry }[] = [];
  let total = 0;
  for (const entry of entries) {
    try {
      const checked = checkMessage(entry);
      total += checked.size;
      accepted.push({ checked, input: entry });
    } catch (error) {
      if (!isAwsError(error)) throw error;
      const code = error.code === "InvalidParameterValueException" ? "ParameterValueInvalid" : error.code.replace(/Exception$/, "");
      failed.push({ Id: entry.Id, Code: code, Message: error.message, SenderFault: true });
    }
  }
  if (total > MAX_MESSAGE_BYTES) throw new AwsError("BatchRequestTooLongException", "The length of all the messages put together is more than the limit.", 400);
  const results = await accept(ctx, handle, accepted);
  const successful = results.map((r, i) => ({ Id: accepted[i]!.input.Id, ...r }));
  return { Successful: successful, Failed: failed };
}
