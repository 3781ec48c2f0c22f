/**
 * SQS state, in the store of the queue owner's account and region
 * (`ctx.storeFor(account, region)`, namespaced [sqs, account, region]), so that a queue URL
 * naming another account reaches that account's queue, and so that on Workers each account
 * and region is its own Durable Object (a busy queue serializes no other account). Layout
 * inside that store (docs/sqs-storage.md):
 *
 *   ["q", name]                      QueueRecord
 *   ["n", name]                      { seq } per-queue counter
 *   ["m", name, messageId]           StoredMessage
 *   ["v", name, visibleAt, seq]      messageId   (visibility index)
 *   ["g", name, groupId, seq]        messageId   (FIFO group order)
 *   ["d", name, dedupKey]            Dedup       (FIFO 5-minute window)
 *   ["t", taskId]                    MoveTask
 *
 * Every atomic commit touches one queue (or one task), so it stays inside one owner's store.
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

/** The store holding the queues (and move tasks) of `owner`'s account and region. */
export function store(ctx: RequestContext, owner: { account: string; region: string }): Store {
  return ctx.storeFor(owner.account, owner.region);
}

export const keys = {
  queue: (q: QueueRef): Key => ["q", q.name],
  queues: (): Key => ["q"],
  counter: (q: QueueRef): Key => ["n", q.name],
  message: (q: QueueRef, id: string): Key => ["m", q.name, id],
  messages: (q: QueueRef): Key => ["m", q.name],
  visible: (q: QueueRef, visibleAt: number, seq: number): Key => ["v", q.name, visibleAt, seq],
  visibility: (q: QueueRef): Key => ["v", q.name],
  group: (q: QueueRef, groupId: string, seq: number): Key => ["g", q.name, groupId, seq],
  groupPrefix: (q: QueueRef, groupId: string): Key => ["g", q.name, groupId],
  groups: (q: QueueRef): Key => ["g", q.name],
  dedup: (q: QueueRef, dedupKey: string): Key => ["d", q.name, dedupKey],
  dedups: (q: QueueRef): Key => ["d", q.name],
  /** FIFO ReceiveRequestAttemptId → what that receive handed out (for retries). */
  attempt: (q: QueueRef, attemptId: string): Key => ["a", q.name, attemptId],
  attempts: (q: QueueRef): Key => ["a", q.name],
  /** When a queue of this name was last deleted (epoch ms), for QueueDeletedRecently. */
  deleted: (q: QueueRef): Key => ["x", q.name],
  /** The SSE-KMS data key in use (kms.ts). */
  dataKey: (q: QueueRef): Key => ["k", q.name],
  task: (id: string): Key => ["t", id],
  tasks: (): Key => ["t"],
};

/** Name for `withLock`: every change to one queue's messages runs under it. */
export function lockName(q: QueueRef): string {
  return `sqs/${q.account}/${q.region}/${q.name}`;
}

export async function loadQueue(ctx: RequestContext, q: QueueRef): Promise<QueueRecord | null> {
  return (await store(ctx, q).get<QueueRecord>(keys.queue(q))).value;
}

/** Next per-queue sequence number (call under the queue's lock). */
export async function nextSeq(ctx: RequestContext, q: QueueRef, count = 1): Promise<number> {
  const s = store(ctx, q);
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
