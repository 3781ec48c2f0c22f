/**
 * The `sqs/messages` introspection view: a queue's messages as stored, read without receiving
 * them (no visibility change, no receive count), for the web console and tests.
 */
import type { Store } from "../../store/types.ts";
import { keys, type QueueRecord, type StoredMessage } from "./storage.ts";

/** One stored message as the view shows it; times are epoch ms. */
export interface PeekedMessage {
  MessageId: string;
  Body: string;
  MD5OfBody: string;
  MessageAttributes?: StoredMessage["attributes"];
  SentTimestamp: number;
  /** When the message is (or was) visible again: in flight while this is in the future. */
  VisibleAt: number;
  ReceiveCount: number;
  MessageGroupId?: string;
  MessageDeduplicationId?: string;
  SequenceNumber?: string;
  DeadLetterSourceArn?: string;
}

/**
 * `GET /_fetchstack/services/sqs/messages?queue=NAME[&limit=N]` (default 100, at most 1000):
 * `{ queue, messages }`, oldest first. `{ error }` with no messages when the queue does not exist.
 */
export async function peekMessages(store: Store, params: URLSearchParams): Promise<unknown> {
  const name = params.get("queue") ?? "";
  const limit = Math.min(Math.max(Number(params.get("limit")) || 100, 1), 1000);
  const ref = { name, account: "", region: "" };
  const queue = (await store.get<QueueRecord>(keys.queue(ref))).value;
  if (!queue) return { queue: name, error: `no queue named '${name}'`, messages: [] };
  const found: StoredMessage[] = [];
  for await (const entry of store.list<StoredMessage>({ prefix: keys.messages(ref) })) found.push(entry.value);
  found.sort(bySendOrder);
  const messages: PeekedMessage[] = found.slice(0, limit).map((m) => ({
    MessageId: m.id,
    Body: m.body,
    MD5OfBody: m.md5Body,
    MessageAttributes: m.attributes,
    SentTimestamp: m.sent,
    VisibleAt: m.visibleAt,
    ReceiveCount: m.receiveCount,
    MessageGroupId: m.groupId,
    MessageDeduplicationId: m.dedupId,
    SequenceNumber: m.sequenceNumber,
    DeadLetterSourceArn: m.deadLetterSourceArn,
  }));
  return { queue: name, total: found.length, messages };
}

/** Oldest first, by `seq` (numbers: FIFO, and standard messages stored before strings were, which are older). */
function bySendOrder(a: StoredMessage, b: StoredMessage): number {
  if (typeof a.seq === "number" && typeof b.seq === "number") return a.seq - b.seq;
  if (typeof a.seq !== typeof b.seq) return typeof a.seq === "number" ? -1 : 1;
  return a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0;
}
