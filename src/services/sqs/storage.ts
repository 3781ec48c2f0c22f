/**
 * SQS state, in the store of the queue owner's account and region
 * (`ctx.storeFor(account, region)`, namespaced [sqs, account, region]), so that a queue URL
 * naming another account reaches that account's queue, and so that on Workers each account
 * and region is its own Durable Object (a busy queue serializes no other account). Layout
 * inside that store (docs/sqs-storage.md):
 *
 *   ["q", name]                      QueueRecord
 *   ["n", name]                      { seq } per-queue counter (FIFO queues)
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
import type { AtomicOperation, Key, MaybeEntry, Store } from "../../store/types.ts";
import { commitWithRetry, type CommitAttempt } from "../../store/atomic.ts";
import { requestThrottled } from "./errors.ts";
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
  /**
   * Order within a visibleAt: FIFO queues count (`["n", name]`, the SequenceNumber); standard
   * queues use `standardSeq` (a string), numbers in data written before that.
   */
  seq: number | string;
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
  visible: (q: QueueRef, visibleAt: number, seq: number | string): Key => ["v", q.name, visibleAt, seq],
  visibility: (q: QueueRef): Key => ["v", q.name],
  group: (q: QueueRef, groupId: string, seq: number | string): Key => ["g", q.name, groupId, seq],
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

/** The queue record with its versionstamp, for commits that must fail if the queue changed meanwhile. */
export function loadQueueEntry(ctx: RequestContext, q: QueueRef): Promise<MaybeEntry<QueueRecord>> {
  return store(ctx, q).get<QueueRecord>(keys.queue(q));
}

let lastTick = 0;

/**
 * A standard queue's `seq` for a new message: a per-isolate logical clock (never below
 * `Date.now()`, so later than anything sent before a restart; base 36, fixed width) followed by
 * the message id, so two senders, in this process or another sharing the store, can never pick
 * the same index key and need not coordinate (no counter, no lock). Ordered by send time within
 * one process; AWS does not order standard queues at all.
 */
export function standardSeq(messageId: string): string {
  lastTick = Math.max(lastTick + 1, Date.now());
  return lastTick.toString(36).padStart(11, "0") + messageId;
}

/**
 * `commitWithRetry` with SQS's error when every try lost to a concurrent writer. The attempt
 * may run again, so it must have no side effects outside its operation.
 */
export async function retryCommit<T>(ctx: RequestContext, attempt: () => Promise<CommitAttempt<T>>): Promise<T> {
  return (await commitWithRetry(attempt, { conflict: () => requestThrottled() })).value;
}

/** Messages at most this large (estimated, encoded) share a commit; larger ones get their own. */
const SHARED_COMMIT_BYTES = 24 * 1024;

/**
 * Splits `items` into the commits that write their messages: up to 10 small messages per commit,
 * each larger one alone. A commit then carries at most 10 checks, values well inside one Deno
 * KV value (64 KiB) and under its per-commit budget, so the store never has to move a value to
 * chunks (which adds a check per value, and @deno/kv allows 10 checks per commit).
 */
export function commitGroups<T>(items: readonly T[], messageOf: (item: T) => Pick<StoredMessage, "body" | "attributes" | "system">): T[][] {
  const groups: T[][] = [];
  let small: T[] = [];
  for (const item of items) {
    if (encodedSizeBound(messageOf(item)) > SHARED_COMMIT_BYTES) {
      groups.push([item]);
      continue;
    }
    small.push(item);
    if (small.length === 10) groups.push(small), (small = []);
  }
  if (small.length) groups.push(small);
  return groups;
}

/** An upper bound of a message record's encoded size: UTF-8 takes at most 3 bytes per UTF-16 unit. */
function encodedSizeBound(m: Pick<StoredMessage, "body" | "attributes" | "system">): number {
  let chars = m.body.length;
  for (const attributes of [m.attributes, m.system]) {
    if (!attributes) continue;
    for (const name in attributes) {
      const a = attributes[name]!;
      chars += name.length + a.DataType.length + (a.StringValue?.length ?? 0) + (a.BinaryValue?.length ?? 0) + 64;
    }
  }
  return chars * 3 + 1024;
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
export function removeMessage(s: Store, q: QueueRef, m: StoredMessage): AtomicOperation {
  return removeMessageInto(s.atomic(), q, m);
}

/** Adds the removal of a message and its index entries to `op`. */
export function removeMessageInto(op: AtomicOperation, q: QueueRef, m: StoredMessage): AtomicOperation {
  op.delete(keys.message(q, m.id)).delete(keys.visible(q, m.visibleAt, m.seq));
  if (m.groupId !== undefined && m.sequenceNumber !== undefined) op.delete(keys.group(q, m.groupId, m.seq));
  return op;
}
