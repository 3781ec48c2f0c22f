/**
 * SendMessage and SendMessageBatch: body and attribute rules, size limits, delays, FIFO
 * sequencing and deduplication.
 * Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html,
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html
 */
import { AwsError } from "../../protocol/errors.ts";
import { bytesToBase64, decodeBase64 } from "../../encoding/base64.ts";
import { withLock } from "../../store/mutex.ts";
import type { RequestContext } from "../types.ts";
import { invalidParameter, invalidParameterValue, missingParameter, queueDoesNotExist } from "./errors.ts";
import { dedupKey, DEDUP_WINDOW_MS, fifoFields } from "./fifo.ts";
import { md5Hex, md5OfAttributes, type StoredAttribute } from "./md5.ts";
import type { QueueRef } from "./queue-url.ts";
import { sequenceNumberOf } from "./redrive.ts";
import { notifyQueue } from "./signal.ts";
import { commitGroups, keys, loadQueueEntry, lockName, retryCommit, standardSeq, store, type Dedup, type QueueRecord, type StoredMessage } from "./storage.ts";
import type { MaybeEntry } from "../../store/types.ts";
import { checkBatch, runBatch } from "./batch.ts";
import { dataKeyForSend } from "./kms.ts";

export interface AttributeValueInput {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: Uint8Array | string;
  StringListValues?: string[];
  BinaryListValues?: unknown[];
}

export interface SendInput {
  MessageBody?: string;
  DelaySeconds?: number;
  MessageAttributes?: Record<string, AttributeValueInput>;
  MessageSystemAttributes?: Record<string, AttributeValueInput>;
  MessageDeduplicationId?: string;
  MessageGroupId?: string;
}

export interface SendResult {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
}

/** A send that passed validation, ready to store. */
interface PreparedSend {
  message: Omit<StoredMessage, "seq" | "visibleAt" | "sent" | "sequenceNumber">;
  delaySeconds: number;
}

const FORBIDDEN_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,256}$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const encoder = new TextEncoder();

export function checkBody(body: string | undefined): string {
  if (body === undefined || body === "") throw missingParameter("MessageBody");
  const bad = FORBIDDEN_CHAR.exec(body);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase();
    throw new AwsError(
      "InvalidMessageContents",
      `Invalid binary character '#x${code}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
      400,
    );
  }
  return body;
}

/** Validates user message attributes; returns them as stored and their size in bytes. */
export function checkAttributes(input: Record<string, AttributeValueInput> | undefined): { attributes?: Record<string, StoredAttribute>; size: number } {
  if (!input || Object.keys(input).length === 0) return { size: 0 };
  const names = Object.keys(input);
  if (names.length > 10) throw invalidParameterValue(`Number of message attributes [${names.length}] exceeds the allowed maximum [10].`);
  const out: Record<string, StoredAttribute> = {};
  let size = 0;
  for (const name of names) {
    const value = input[name]!;
    if (!ATTRIBUTE_NAME.test(name) || /^(aws\.|amazon\.)/i.test(name) || name.startsWith(".") || name.endsWith(".") || name.includes("..")) {
      throw invalidParameterValue(`Message (user) attribute name '${name}' is invalid. Attribute name can only contain alphanumeric characters, underscores (_), hyphens (-), and periods (.). It cannot start or end with a period, have consecutive periods, or start with AWS. or Amazon.`);
    }
    const type = value.DataType;
    if (!type) throw invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
    const kind = /^(String|Number|Binary)(\..+)?$/.exec(type)?.[1];
    if (!kind || type.length > 256) {
      throw invalidParameterValue(`The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    if (value.StringListValues?.length || value.BinaryListValues?.length) {
      throw invalidParameterValue(`Message (user) attribute '${name}': list values are not supported.`);
    }
    if (kind === "Binary") {
      const bytes = typeof value.BinaryValue === "string" ? value.BinaryValue : value.BinaryValue ? bytesToBase64(value.BinaryValue) : "";
      if (!bytes) throw invalidParameterValue(`Message (user) attribute '${name}' must contain a non-empty value of type 'Binary'.`);
      out[name] = { DataType: type, BinaryValue: bytes };
      size += decodeBase64(bytes).length;
    } else {
      const text = value.StringValue;
      if (text === undefined || text === "") throw invalidParameterValue(`Message (user) attribute '${name}' must contain a non-empty value of type '${kind}'.`);
      if (kind === "Number" && !NUMBER.test(text.trim())) throw invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
      if (FORBIDDEN_CHAR.test(text)) throw invalidParameterValue(`Message (user) attribute '${name}' contains an invalid character.`);
      out[name] = { DataType: type, StringValue: text };
      size += encoder.encode(text).length;
    }
    size += encoder.encode(name).length + encoder.encode(type).length;
  }
  return { attributes: out, size };
}

function checkSystemAttributes(input: Record<string, AttributeValueInput> | undefined): Record<string, StoredAttribute> | undefined {
  if (!input || Object.keys(input).length === 0) return undefined;
  const out: Record<string, StoredAttribute> = {};
  for (const [name, value] of Object.entries(input)) {
    if (name !== "AWSTraceHeader") throw invalidParameterValue(`Message system attribute name '${name}' is invalid.`);
    if (value.DataType !== "String" || !value.StringValue) {
      throw invalidParameterValue(`Message system attribute '${name}' must contain a non-empty value of type 'String'.`);
    }
    out[name] = { DataType: "String", StringValue: value.StringValue };
  }
  return out;
}

/** AWS's limit on a SendMessageBatch payload, in bytes (1 MiB since August 2025). */
const MAX_BATCH_BYTES = 1_048_576;

/** Validates one send against its queue; throws the AwsError AWS answers for it. */
export function prepareSend(ctx: RequestContext, queue: QueueRecord, input: SendInput, batch: boolean): PreparedSend {
  const body = checkBody(input.MessageBody);
  if (input.DelaySeconds !== undefined && (input.DelaySeconds < 0 || input.DelaySeconds > 900)) {
    throw invalidParameter("DelaySeconds", input.DelaySeconds, "DelaySeconds must be >= 0 and <= 900.");
  }
  const { attributes, size } = checkAttributes(input.MessageAttributes);
  const system = checkSystemAttributes(input.MessageSystemAttributes);
  const max = Number(queue.attributes.MaximumMessageSize);
  if (encoder.encode(body).length + size > max) {
    throw invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
  }
  const fifo = fifoFields(queue, body, input, batch);
  const message: PreparedSend["message"] = {
    id: crypto.randomUUID(),
    body,
    md5Body: md5Hex(body),
    senderId: ctx.accountId,
    receiveCount: 0,
  };
  if (attributes) {
    message.attributes = attributes;
    message.md5Attributes = md5OfAttributes(attributes);
  }
  if (system) {
    message.system = system;
    message.md5System = md5OfAttributes(system);
  }
  if (fifo.groupId !== undefined) message.groupId = fifo.groupId;
  if (fifo.dedupId !== undefined) message.dedupId = fifo.dedupId;
  return { message, delaySeconds: input.DelaySeconds ?? Number(queue.attributes.DelaySeconds) };
}

function resultOf(m: Pick<StoredMessage, "id" | "md5Body" | "md5Attributes" | "md5System">, sequenceNumber?: string): SendResult {
  const out: SendResult = { MessageId: m.id, MD5OfMessageBody: m.md5Body };
  if (m.md5Attributes) out.MD5OfMessageAttributes = m.md5Attributes;
  if (m.md5System) out.MD5OfMessageSystemAttributes = m.md5System;
  if (sequenceNumber) out.SequenceNumber = sequenceNumber;
  return out;
}

/**
 * Stores prepared sends, in order; returns one result per send. `known`: the queue record (with
 * its versionstamp) the sends were prepared against, saving a read.
 *
 * Standard queues take no lock and no counter (AWS does not order them; `standardSeq` keeps
 * keys unique): each commit writes the message and its index entry, checked against the queue
 * record's versionstamp so that a send racing DeleteQueue or an attribute change retries from a
 * fresh read. FIFO queues serialize on the queue's lock and commit the sequence counter with
 * the messages, checked against the counter's versionstamp (another process sharing the store
 * retries), so SequenceNumbers and deduplication stay exact.
 */
export async function storeSends(ctx: RequestContext, ref: QueueRef, sends: PreparedSend[], known?: MaybeEntry<QueueRecord>): Promise<SendResult[]> {
  const out: SendResult[] = [];
  const fifo = known?.value?.fifo ?? ref.name.endsWith(".fifo");
  for (const group of commitGroups(sends, (send) => send.message)) {
    out.push(...(fifo ? await storeFifo(ctx, ref, group, known) : await storeStandard(ctx, ref, group, known)));
    known = undefined;
  }
  notifyQueue(ref);
  return out;
}

function storeStandard(ctx: RequestContext, ref: QueueRef, sends: PreparedSend[], known: MaybeEntry<QueueRecord> | undefined): Promise<SendResult[]> {
  const s = store(ctx, ref);
  return retryCommit<SendResult[]>(ctx, async () => {
    const queue = known ?? (await loadQueueEntry(ctx, ref));
    known = undefined;
    if (!queue.value) throw queueDoesNotExist(ctx);
    const now = Math.floor(ctx.clock.now());
    const op = s.atomic().check({ key: keys.queue(ref), versionstamp: queue.versionstamp });
    const out: SendResult[] = [];
    for (const send of sends) {
      const m = send.message;
      const seq = standardSeq(m.id);
      const visibleAt = now + send.delaySeconds * 1000;
      // Object.assign, not a spread: a spread with extra members costs microseconds per message on V8.
      const stored: StoredMessage = Object.assign({}, m, { sent: now, seq, visibleAt });
      op.set(keys.message(ref, m.id), stored).set(keys.visible(ref, visibleAt, seq), m.id);
      out.push(resultOf(stored));
    }
    return { op, value: out };
  });
}

function storeFifo(ctx: RequestContext, ref: QueueRef, sends: PreparedSend[], known: MaybeEntry<QueueRecord> | undefined): Promise<SendResult[]> {
  const s = store(ctx, ref);
  // Deduplication keys depend on the queue's DeduplicationScope: read them with the queue
  // record as last seen, and again if the record read says otherwise.
  let hint = known?.value ?? null;
  const dedupKeys = (queue: QueueRecord) => sends.map(({ message: m }) => (m.dedupId !== undefined && m.groupId !== undefined ? dedupKey(queue, m.groupId, m.dedupId) : undefined));
  return withLock(lockName(ref), () => retryCommit<SendResult[]>(ctx, async () => {
    let wanted = hint ? dedupKeys(hint) : [];
    let unique = [...new Set(wanted.filter((k): k is string => k !== undefined))];
    const [queue, counter, ...found] = await s.getMany<unknown>([keys.queue(ref), keys.counter(ref), ...unique.map((k) => keys.dedup(ref, k))]);
    const record = queue!.value as QueueRecord | null;
    if (!record) throw queueDoesNotExist(ctx);
    let dedups = found as MaybeEntry<Dedup>[];
    if (!hint || record.attributes.DeduplicationScope !== hint.attributes.DeduplicationScope) {
      wanted = dedupKeys(record);
      unique = [...new Set(wanted.filter((k): k is string => k !== undefined))];
      dedups = unique.length ? await s.getMany<Dedup>(unique.map((k) => keys.dedup(ref, k))) : [];
    }
    hint = record;
    const window = new Map<string, Dedup | null>(unique.map((k, i) => [k, dedups[i]!.value]));
    const now = Math.floor(ctx.clock.now());
    const start = (counter!.value as { seq: number } | null)?.seq ?? 0;
    let seq = start;
    const op = s.atomic().check({ key: keys.queue(ref), versionstamp: queue!.versionstamp }).check({ key: keys.counter(ref), versionstamp: counter!.versionstamp });
    const out: SendResult[] = [];
    sends.forEach((send, i) => {
      const m = send.message;
      const dKey = wanted[i];
      const dedup = dKey !== undefined ? window.get(dKey) : null;
      if (dedup && dedup.expires > now) {
        // A duplicate within the window: accepted, not enqueued, answered like the original.
        out.push(resultOf({ ...m, id: dedup.messageId }, dedup.sequenceNumber));
        return;
      }
      seq++;
      const visibleAt = now + send.delaySeconds * 1000;
      const stored: StoredMessage = Object.assign({}, m, { sent: now, seq, visibleAt, sequenceNumber: sequenceNumberOf(seq) });
      op.set(keys.message(ref, m.id), stored).set(keys.visible(ref, visibleAt, seq), m.id);
      if (m.groupId !== undefined) op.set(keys.group(ref, m.groupId, seq), m.id);
      if (dKey !== undefined) {
        const record: Dedup = { expires: now + DEDUP_WINDOW_MS, messageId: m.id, sequenceNumber: stored.sequenceNumber };
        window.set(dKey, record);
        op.set(keys.dedup(ref, dKey), record);
      }
      out.push(resultOf(stored, stored.sequenceNumber));
    });
    if (seq === start) return { done: out };
    op.set(keys.counter(ref), { seq });
    return { op, value: out };
  }));
}

export async function sendMessage(ctx: RequestContext, ref: QueueRef, input: SendInput): Promise<SendResult> {
  const entry = await loadQueueEntry(ctx, ref);
  const queue = entry.value;
  if (!queue) throw queueDoesNotExist(ctx);
  const prepared = prepareSend(ctx, queue, input, false);
  await dataKeyForSend(ctx, queue);
  const [result] = await storeSends(ctx, ref, [prepared], entry);
  return result!;
}

export async function sendMessageBatch(ctx: RequestContext, ref: QueueRef, entries: (SendInput & { Id: string })[]) {
  checkBatch(entries, "SendMessageBatchRequestEntry");
  const entry = await loadQueueEntry(ctx, ref);
  const queue = entry.value;
  if (!queue) throw queueDoesNotExist(ctx);
  let total = 0;
  for (const e of entries) {
    total += encoder.encode(e.MessageBody ?? "").length;
    for (const [name, v] of Object.entries(e.MessageAttributes ?? {})) {
      total += encoder.encode(name).length + encoder.encode(v.DataType ?? "").length;
      total += v.StringValue !== undefined ? encoder.encode(v.StringValue).length : v.BinaryValue instanceof Uint8Array ? v.BinaryValue.length : 0;
    }
  }
  // Since 2025 a batch may total 1 MiB, whatever the queue's MaximumMessageSize (which bounds each message).
  const limit = MAX_BATCH_BYTES;
  if (total > limit) {
    throw new AwsError("BatchRequestTooLong", `Batch requests cannot be longer than ${limit} bytes. You have sent ${total} bytes.`, 400);
  }
  // FIFO parameter errors fail the whole request, as on AWS.
  const fifoParameter = (e: AwsError) => queue.fifo && /MessageGroupId|ContentBasedDeduplication|DelaySeconds/.test(e.message);
  const { done: ready, Failed } = await runBatch(entries, (entry) => prepareSend(ctx, queue, entry, true), fifoParameter);
  if (ready.length) await dataKeyForSend(ctx, queue);
  const results = ready.length ? await storeSends(ctx, ref, ready.map((r) => r.result), entry) : [];
  return {
    Successful: results.map((r, i) => ({ Id: ready[i]!.entry.Id, ...r })),
    Failed,
  };
}
