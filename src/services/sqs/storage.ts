/**
 * SQS state in the service's cross-account store (`ctx.globalStore`), so that a queue URL
 * naming another account reaches that account's queue. Layout (docs/sqs-storage.md):
 *
 *   ["q", account, region, name]                      QueueRecord
 *   ["n", account, region, name]                      { seq } per-queue counter
 *   ["m", account, region, name, messageId]           StoredMessage
 *   ["v", account, region, name, visibleAt, seq]      messageId   (visibility index)
 *   ["g", account, region, name, groupId, seq]        messageId   (FIFO group order)
 *   ["d", account, region, name, dedupKey]            Dedup       (FIFO 5-minute window)
 *   ["t", account, region, taskId]                    MoveTask
 *
 * ReceiveMessage reads the visibility index from its start up to `now`: cost grows with the
 * messages it hands out, not with the queue's size.
 */
import type { Key, Store } from "../../store/types.ts";
import type { RequestContext } from "../types.ts";
import type { StoredAttribute } from "./md5.ts";
import type { QueueRef } from "./queue-url.ts";

export interface QueueRecord {
  name: string;
  account: string;
  region: string;
  fifo: boolean;
  /** Epoch seconds. */
  created: number;
  lastModified: number;
  /** Every settable attribute with its current value (defaults included). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  /** Epoch ms of the last PurgeQueue. */
  purgedAt?: number;
}

export interface StoredMessage {
  id: string;
  body: string;
  md5Body: string;
  attributes?: Record<string, StoredAttribute>;
  md5Attributes?: string;
  system?: Record<string, StoredAttribute>;
  md5System?: string;
  senderId: string;
  /** Epoch ms. */
  sent: number;
  seq: number;
  visibleAt: number;
  receiveCount: number;
  firstReceive?: number;
  /** Token of the latest receipt handle. */
  receipt?: string;
  groupId?: string;
  dedupId?: string;
  /** FIFO SequenceNumber. */
  sequenceNumber?: string;
  /** Queue the message was dead-lettered from. */
  deadLetterSourceArn?: string;
}

export interface Dedup {
  expires: number;
  messageId: string;
  sequenceNumber?: string;
}

export function store(ctx: RequestContext): Store {
  return ctx.globalStore;
}

const base = (q: QueueRef) => [q.account, q.region, q.name] as const;

export const keys = {
  queue: (q: QueueRef): Key => ["q", ...base(q)],
  queues: (account: string, region: string): Key => ["q", account, region],
  counter: (q: QueueRef): Key => ["n", ...base(q)],
  message: (q: QueueRef, id: string): Key => ["m", ...base(q), id],
  messages: (q: QueueRef): Key => ["m", ...base(q)],
  visible: (q: QueueRef, visibleAt: number, seq: number): Key => ["v", ...base(q), visibleAt, seq],
  visibility: (q: QueueRef): Key => ["v", ...base(q)],
  group: (q: QueueRef, groupId: string, seq: number): Key => ["g", ...base(q), groupId, seq],
  groupPrefix: (q: QueueRef, groupId: string): Key => ["g", ...base(q), groupId],
  groups: (q: QueueRef): Key => ["g", ...base(q)],
  dedup: (q: QueueRef, dedupKey: string): Key => ["d", ...base(q), dedupKey],
  dedups: (q: QueueRef): Key => ["d", ...base(q)],
  task: (account: string, region: string, id: string): Key => ["t", account, region, id],
  tasks: (account: string, region: string): Key => ["t", account, region],
};

/** Name for `withLock`: every change to one queue's messages runs under it. */
export function lockName(q: QueueRef): string {
  return `sqs/${q.account}/${q.region}/${q.name}`;
}

export async function loadQueue(ctx: RequestContext, q: QueueRef): Promise<QueueRecord | null> {
  return (await store(ctx).get<QueueRecord>(keys.queue(q))).value;
}

/** Next per-queue sequence number (call under the queue's lock). */
export async function nextSeq(ctx: RequestContext, q: QueueRef, count = 1): Promise<number> {
  const s = store(ctx);
  const current = (await s.get<{ seq: number }>(keys.counter(q))).value?.seq ?? 0;
  await s.set(keys.counter(q), { seq: current + count });
  return current + 1;
}

/** Deletes every key under each prefix. */
export async function deleteAll(s: Store, prefixes: Key[]): Promise<number> {
  let n = 0;
  for (const prefix of prefixes) {
    const found: Key[] = [];
    for await (const entry of s.list({ prefix })) found.push(entry.key);
    for (const key of found) await s.delete(key);
    n += found.length;
  }
  return n;
}

/** Removes a message and its index entries (does not commit anything else). */
export function removeMessage(s: Store, q: QueueRef, m: StoredMessage) {
  const op = s.atomic().delete(keys.message(q, m.id)).delete(keys.visible(q, m.visibleAt, m.seq));
  if (m.groupId !== undefined && m.sequenceNumber !== undefined) op.delete(keys.group(q, m.groupId, m.seq));
  return op;
}
