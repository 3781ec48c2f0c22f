/**
 * ReceiveMessage (visibility timeouts, long polling, FIFO group ordering, redrive to the
 * dead-letter queue), DeleteMessage(Batch) and ChangeMessageVisibility(Batch) with receipt
 * handles that go stale as on AWS.
 * Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html
 */
import { AwsError } from "../../protocol/errors.ts";
import { base64ToBytes, utf8ToBase64 } from "../../encoding/base64.ts";
import { withLock } from "../../store/mutex.ts";
import type { RequestContext } from "../types.ts";
import { invalidParameter, queueDoesNotExist, receiptHandleIsInvalid } from "./errors.ts";
import { md5OfAttributes } from "./md5.ts";
import { checkBatch, runBatch } from "./batch.ts";
import type { QueueRef } from "./queue-url.ts";
import { deadLetter, redrivePolicyOf } from "./redrive.ts";
import { notifyQueue, waitForQueue } from "./signal.ts";
import { commitGroups, keys, loadQueue, lockName, removeMessage, removeMessageInto, retryCommit, store, type QueueRecord, type StoredMessage } from "./storage.ts";
import type { AtomicOperation, Key, MaybeEntry } from "../../store/types.ts";
import { advanceMoveTasks } from "./move-tasks.ts";
import { dataKeyForReceive } from "./kms.ts";

export interface ReceiveInput {
  AttributeNames?: string[];
  MessageSystemAttributeNames?: string[];
  MessageAttributeNames?: string[];
  MaxNumberOfMessages?: number;
  VisibilityTimeout?: number;
  WaitTimeSeconds?: number;
  ReceiveRequestAttemptId?: string;
}

// ------------------------------------------------------------------------------------------
// Receipt handles: the queue, the message and the token of one receive.

function encodeHandle(q: QueueRef, id: string, token: string): string {
  return utf8ToBase64(`${q.account}:${q.region}:${q.name}:${id}:${token}`).replace(/=+$/, "");
}

interface Handle {
  id: string;
  token: string;
}

function decodeHandle(q: QueueRef, handle: string): Handle {
  const padded = handle + "===".slice((handle.length + 3) % 4);
  const bytes = base64ToBytes(padded);
  if (typeof bytes === "string") throw receiptHandleIsInvalid(handle);
  const text = new TextDecoder().decode(bytes);
  const parts = text.split(":");
  if (parts.length !== 5 || parts[0] !== q.account || parts[2] !== q.name) throw receiptHandleIsInvalid(handle);
  return { id: parts[3]!, token: parts[4]! };
}

// ------------------------------------------------------------------------------------------
// Receive

function rangeCheck(name: string, value: number | undefined, min: number, max: number, reason: string): void {
  if (value !== undefined && (value < min || value > max)) throw invalidParameter(name, value, reason);
}

/** The message as ReceiveMessage returns it, with the attributes asked for. */
function present(queue: QueueRecord, m: StoredMessage, handle: string, systemNames: Set<string>, attributeNames: string[]) {
  const all = systemNames.has("All");
  const want = (n: string) => all || systemNames.has(n);
  const attrs: Record<string, string> = {};
  if (want("SenderId")) attrs.SenderId = m.senderId;
  if (want("SentTimestamp")) attrs.SentTimestamp = String(m.sent);
  if (want("ApproximateReceiveCount")) attrs.ApproximateReceiveCount = String(m.receiveCount);
  if (want("ApproximateFirstReceiveTimestamp")) attrs.ApproximateFirstReceiveTimestamp = String(m.firstReceive ?? m.sent);
  if (want("AWSTraceHeader") && m.system?.AWSTraceHeader?.StringValue) attrs.AWSTraceHeader = m.system.AWSTraceHeader.StringValue;
  if (want("DeadLetterQueueSourceArn") && m.deadLetterSourceArn) attrs.DeadLetterQueueSourceArn = m.deadLetterSourceArn;
  if (queue.fifo) {
    if (want("SequenceNumber") && m.sequenceNumber) attrs.SequenceNumber = m.sequenceNumber;
    if (want("MessageDeduplicationId") && m.dedupId) attrs.MessageDeduplicationId = m.dedupId;
  }
  if (want("MessageGroupId") && m.groupId !== undefined) attrs.MessageGroupId = m.groupId;
  const out: Record<string, unknown> = { MessageId: m.id, ReceiptHandle: handle, MD5OfBody: m.md5Body, Body: m.body };
  if (Object.keys(attrs).length) out.Attributes = attrs;
  const selected = selectAttributes(m.attributes, attributeNames);
  if (selected) {
    out.MessageAttributes = Object.fromEntries(
      Object.entries(selected).map(([k, v]) => [k, v.BinaryValue !== undefined ? { DataType: v.DataType, BinaryValue: base64ToBytes(v.BinaryValue) } : v]),
    );
    // Computed once at send; again only for a subset.
    out.MD5OfMessageAttributes = selected === m.attributes && m.md5Attributes ? m.md5Attributes : md5OfAttributes(selected);
  }
  return out;
}

/** User attributes matching `names`: `All`, `.*`, `prefix.*` or exact names. */
function selectAttributes(attributes: StoredMessage["attributes"], names: string[]) {
  if (!attributes || names.length === 0) return undefined;
  const all = names.some((n) => n === "All" || n === ".*");
  if (all) return Object.keys(attributes).length ? attributes : undefined;
  const out: NonNullable<StoredMessage["attributes"]> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (all || names.some((n) => n === name || (n.endsWith(".*") && name.startsWith(n.slice(0, -2))))) out[name] = value;
  }
  return Object.keys(out).length ? out : undefined;
}

interface Taken {
  messages: StoredMessage[];
  deadLettered: StoredMessage[];
}

function sameKey(a: Key, b: Key): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

/** A decision about one message read by a receive, committed with the others of its commit group. */
interface Planned {
  entry: MaybeEntry<StoredMessage>;
  /** The message put in flight; absent when it is dropped (retention) or dead-lettered. */
  next?: StoredMessage;
  deadLetter?: boolean;
}

/**
 * One attempt: picks up to `max` receivable messages and puts them in flight (under the queue
 * lock, so receivers in this process never pick the same message). Reads the visibility index,
 * then the messages in one `getMany` per window, then commits the decisions in groups (up to 10
 * messages a commit, `commitGroups`), each message checked against the version read: a message
 * that a lock-free DeleteMessage / ChangeMessageVisibility, or another process, changed
 * meanwhile is left alone (it may no longer be receivable). `known`: the queue record when the
 * caller just read it.
 */
async function takeMessages(ctx: RequestContext, ref: QueueRef, max: number, visibilityTimeout: number | undefined, known?: QueueRecord): Promise<{ queue: QueueRecord; taken: Taken }> {
  const s = store(ctx, ref);
  const queue = known ?? (await loadQueue(ctx, ref));
  if (!queue) throw queueDoesNotExist(ctx);
  const now = Math.floor(ctx.clock.now());
  const retention = Number(queue.attributes.MessageRetentionPeriod) * 1000;
  const vt = (visibilityTimeout ?? Number(queue.attributes.VisibilityTimeout)) * 1000;
  const policy = redrivePolicyOf(queue);
  const taken: Taken = { messages: [], deadLettered: [] };
  const planned: Planned[] = [];
  let handing = 0;

  /** Decides what happens to one receivable message; true if it will be handed out. */
  const plan = (entry: MaybeEntry<StoredMessage>): boolean => {
    const m = entry.value!;
    if (m.sent + retention <= now) {
      planned.push({ entry });
      return false;
    }
    if (policy && m.receiveCount >= policy.maxReceiveCount) {
      planned.push({ entry, deadLetter: true });
      return false;
    }
    const next: StoredMessage = {
      ...m,
      receiveCount: m.receiveCount + 1,
      firstReceive: m.firstReceive ?? now,
      receipt: crypto.randomUUID(),
      visibleAt: now + vt,
    };
    planned.push({ entry, next });
    handing++;
    return true;
  };

  const stale: Key[] = [];
  /** The message an index entry names, if the entry is current (else null; a dangling entry is collected). */
  const current = (entry: MaybeEntry<StoredMessage>, key: Key) => {
    const m = entry.value;
    if (!m) stale.push(key);
    return m && m.visibleAt === key[2] && m.seq === key[3] ? m : null;
  };
  const start = keys.visibility(queue);
  const end = [...keys.visibility(queue), now + 1];
  if (!queue.fifo) {
    // Pages of the index just larger than what is still wanted (a `limit` also keeps the store
    // from reading a batch ahead), then their messages in one read; at most 4 × max + 16
    // entries looked at, as entries of messages changed meanwhile are skipped.
    let from: Key = start;
    let last: Key | undefined;
    for (let looked = 0; handing < max && looked < max * 4 + 16;) {
      const limit = max - handing + 2;
      const page: { id: string; key: Key }[] = [];
      let listed = 0;
      for await (const entry of s.list<string>({ start: from, end }, { limit: limit + (last ? 1 : 0) })) {
        listed++;
        if (last && sameKey(entry.key, last)) continue; // the previous page's last entry (start is inclusive)
        page.push({ id: entry.value, key: entry.key });
      }
      if (page.length === 0) break;
      looked += page.length;
      const found = await s.getMany<StoredMessage>(page.map((d) => keys.message(queue, d.id)));
      found.forEach((entry, i) => {
        if (handing < max && current(entry, page[i]!.key)) plan(entry);
      });
      if (listed < limit + (last ? 1 : 0)) break;
      from = last = page[page.length - 1]!.key;
    }
  } else {
    // FIFO: only the head of a group is receivable (a group is blocked while its head is in
    // flight); then the group's following visible messages, in order.
    const due: { id: string; key: Key }[] = [];
    for await (const entry of s.list<string>({ start, end })) due.push({ id: entry.value, key: entry.key });
    const groupsDone = new Set<string>();
    for (const { id, key } of due) {
      if (handing >= max) break;
      const entry = await s.get<StoredMessage>(keys.message(queue, id));
      const m = current(entry, key);
      if (!m) continue;
      if (m.groupId === undefined) {
        plan(entry);
        continue;
      }
      if (groupsDone.has(m.groupId)) continue;
      let head: { key: readonly unknown[]; value: string } | undefined;
      for await (const g of s.list<string>({ prefix: keys.groupPrefix(queue, m.groupId) }, { limit: 1 })) head = g;
      if (!head || head.value !== m.id) continue;
      groupsDone.add(m.groupId);
      for await (const g of s.list<string>({ prefix: keys.groupPrefix(queue, m.groupId) })) {
        if (handing >= max) break;
        const member = g.value === m.id ? entry : await s.get<StoredMessage>(keys.message(queue, g.value));
        if (!member.value) continue;
        if (member.value.visibleAt > now) break;
        plan(member);
      }
    }
  }
  for (const key of stale) await s.delete(key);

  const write = (op: AtomicOperation, p: Planned) => {
    const m = p.entry.value!;
    op.check({ key: p.entry.key, versionstamp: p.entry.versionstamp });
    if (!p.next) return removeMessageInto(op, queue, m);
    return op.delete(keys.visible(queue, m.visibleAt, m.seq)).set(keys.visible(queue, p.next.visibleAt, m.seq), m.id).set(keys.message(queue, m.id), p.next);
  };
  const done = (p: Planned) => {
    if (p.next) taken.messages.push(p.next);
    else if (p.deadLetter) taken.deadLettered.push(p.entry.value!);
  };
  for (const group of commitGroups(planned, (p) => p.entry.value!)) {
    const op = s.atomic();
    for (const p of group) write(op, p);
    if ((await op.commit()).ok) {
      group.forEach(done);
      continue;
    }
    // Something in the group changed since it was read: commit the others one by one.
    for (const p of group) if ((await write(s.atomic(), p).commit()).ok) done(p);
  }
  return { queue, taken };
}

/** What one FIFO receive handed out, kept for retries with the same ReceiveRequestAttemptId. */
interface Attempt {
  at: number;
  handed: { id: string; receipt: string }[];
}

/** AWS's deduplication interval for ReceiveRequestAttemptId. */
const ATTEMPT_WINDOW_MS = 5 * 60 * 1000;

/**
 * A FIFO retry: within 5 minutes, the same ReceiveRequestAttemptId returns the same messages
 * and receipt handles, and resets their visibility timeout, as long as none of them has been
 * deleted or had its visibility changed since (then the retry is a new receive).
 * Source: ReceiveRequestAttemptId in the ReceiveMessage API reference.
 */
async function retryAttempt(ctx: RequestContext, ref: QueueRef, attemptId: string, visibilityTimeout: number | undefined): Promise<{ queue: QueueRecord; messages: StoredMessage[] } | undefined> {
  const s = store(ctx, ref);
  const queue = await loadQueue(ctx, ref);
  if (!queue) throw queueDoesNotExist(ctx);
  const attempt = (await s.get<Attempt>(keys.attempt(queue, attemptId))).value;
  const now = Math.floor(ctx.clock.now());
  if (!attempt || now - attempt.at >= ATTEMPT_WINDOW_MS) return undefined;
  const current: MaybeEntry<StoredMessage>[] = [];
  for (const h of attempt.handed) {
    const entry = await s.get<StoredMessage>(keys.message(queue, h.id));
    if (!entry.value || entry.value.receipt !== h.receipt) return undefined;
    current.push(entry);
  }
  const vt = (visibilityTimeout ?? Number(queue.attributes.VisibilityTimeout)) * 1000;
  const messages: StoredMessage[] = [];
  for (const { value: m, versionstamp } of current) {
    const next: StoredMessage = { ...m!, visibleAt: now + vt };
    const op = s.atomic().check({ key: keys.message(queue, m!.id), versionstamp });
    const { ok } = await op.delete(keys.visible(queue, m!.visibleAt, m!.seq)).set(keys.visible(queue, next.visibleAt, m!.seq), m!.id).set(keys.message(queue, m!.id), next).commit();
    // Changed meanwhile (deleted, or its visibility changed): a new receive, as on AWS.
    if (!ok) return undefined;
    messages.push(next);
  }
  return { queue, messages };
}

function checkAttemptId(attemptId: string): void {
  if (attemptId.length > 128 || !/^[\x21-\x7e]*$/.test(attemptId) || attemptId.length === 0) {
    throw invalidParameter("ReceiveRequestAttemptId", attemptId, "Value must be 1 to 128 alphanumeric or punctuation characters.");
  }
}

export async function receiveMessage(ctx: RequestContext, ref: QueueRef, input: ReceiveInput) {
  rangeCheck("MaxNumberOfMessages", input.MaxNumberOfMessages, 1, 10, "Must be between 1 and 10, if provided.");
  rangeCheck("VisibilityTimeout", input.VisibilityTimeout, 0, 43200, "Must be >= 0 and <= 43200, if provided.");
  rangeCheck("WaitTimeSeconds", input.WaitTimeSeconds, 0, 20, "Must be >= 0 and <= 20, if provided.");
  const initial = await loadQueue(ctx, ref);
  if (!initial) throw queueDoesNotExist(ctx);
  await dataKeyForReceive(ctx, initial);
  await advanceMoveTasks(ctx, ref.account, ref.region);
  const max = input.MaxNumberOfMessages ?? 1;
  const wait = input.WaitTimeSeconds ?? Number(initial.attributes.ReceiveMessageWaitTimeSeconds);
  const deadline = ctx.timers.elapsed() + wait * 1000;
  const systemNames = new Set([...(input.AttributeNames ?? []), ...(input.MessageSystemAttributeNames ?? [])]);
  const attributeNames = input.MessageAttributeNames ?? [];
  const attemptId = initial.fifo ? input.ReceiveRequestAttemptId : undefined;
  if (attemptId !== undefined) {
    checkAttemptId(attemptId);
    const retried = await withLock(lockName(ref), () => retryAttempt(ctx, ref, attemptId, input.VisibilityTimeout));
    if (retried) {
      return { Messages: retried.messages.map((m) => present(retried.queue, m, encodeHandle(retried.queue, m.id, m.receipt!), systemNames, attributeNames)) };
    }
  }
  for (let known: QueueRecord | undefined = initial; ; known = undefined) {
    const { queue, taken } = await withLock(lockName(ref), async () => {
      const result = await takeMessages(ctx, ref, max, input.VisibilityTimeout, known);
      if (attemptId !== undefined && result.taken.messages.length > 0) {
        const attempt: Attempt = { at: Math.floor(ctx.clock.now()), handed: result.taken.messages.map((m) => ({ id: m.id, receipt: m.receipt! })) };
        await store(ctx, ref).set(keys.attempt(result.queue, attemptId), attempt);
      }
      return result;
    });
    for (const m of taken.deadLettered) await deadLetter(ctx, queue, m, redrivePolicyOf(queue)!);
    if (taken.messages.length > 0) {
      return {
        Messages: taken.messages.map((m) => present(queue, m, encodeHandle(queue, m.id, m.receipt!), systemNames, attributeNames)),
      };
    }
    const left = deadline - ctx.timers.elapsed();
    if (left <= 0) return {};
    await waitForQueue(ref, Math.min(left, await nextVisibleIn(ctx, queue)), ctx.timers, ctx.signal);
    if (ctx.signal?.aborted) return {};
  }
}

/** Milliseconds until the next not-yet-visible message becomes visible (capped at 1 s so clock moves are seen). */
async function nextVisibleIn(ctx: RequestContext, queue: QueueRecord): Promise<number> {
  const now = Math.floor(ctx.clock.now());
  for await (const entry of store(ctx, queue).list({ start: [...keys.visibility(queue), now + 1], end: [...keys.visibility(queue), Number.MAX_VALUE] }, { limit: 1 })) {
    return Math.max(1, Math.min(1000, (entry.key[2] as number) - now));
  }
  return 1000;
}

// ------------------------------------------------------------------------------------------
// Delete and change visibility

/**
 * Deletes the message a receipt handle names: no lock, a commit checked against the message as
 * read (a concurrent receive or visibility change makes it re-read). `queue`: the record when
 * the caller has read it (batches), else it is read with the message in one round trip.
 */
async function deleteOne(ctx: RequestContext, ref: QueueRef, queue: QueueRecord | undefined, handle: string): Promise<void> {
  let h: Handle | undefined;
  let invalid: unknown;
  try {
    h = decodeHandle(ref, handle);
  } catch (error) {
    invalid = error;
  }
  const s = store(ctx, ref);
  await retryCommit(ctx, async () => {
    const wanted = [...(queue ? [] : [keys.queue(ref)]), ...(h ? [keys.message(ref, h.id)] : [])];
    const found = wanted.length ? await s.getMany<unknown>(wanted) : [];
    const q = queue ?? (found[0]!.value as QueueRecord | null);
    if (!q) throw queueDoesNotExist(ctx);
    if (!h) throw invalid;
    const entry = found[found.length - 1] as MaybeEntry<StoredMessage>;
    const m = entry.value;
    if (!m) return { done: undefined }; // already deleted: DeleteMessage is idempotent
    if (m.receipt !== h.token && q.fifo) {
      throw invalidParameter("ReceiptHandle", handle, "The receipt handle has expired.");
    }
    return { op: removeMessage(s, ref, m).check({ key: entry.key, versionstamp: entry.versionstamp }), value: undefined };
  });
}

export async function deleteMessage(ctx: RequestContext, ref: QueueRef, handle: string): Promise<void> {
  await deleteOne(ctx, ref, undefined, handle);
  notifyQueue(ref);
}

/**
 * DeleteMessageBatch and ChangeMessageVisibilityBatch: `one` per entry (each commit checked, no
 * lock), each entry's receipt-handle error reported as its failure.
 */
async function receiptBatch<E extends { Id: string }>(
  ctx: RequestContext,
  ref: QueueRef,
  entries: E[],
  entryName: string,
  one: (queue: QueueRecord, entry: E) => Promise<void>,
) {
  checkBatch(entries, entryName);
  const queue = await loadQueue(ctx, ref);
  if (!queue) throw queueDoesNotExist(ctx);
  const { done, Failed } = await runBatch(entries, (e) => one(queue, e));
  notifyQueue(ref);
  return { Successful: done.map(({ entry }) => ({ Id: entry.Id })), Failed };
}

export function deleteMessageBatch(ctx: RequestContext, ref: QueueRef, entries: { Id: string; ReceiptHandle: string }[]) {
  return receiptBatch(ctx, ref, entries, "DeleteMessageBatchRequestEntry", (queue, e) => deleteOne(ctx, ref, queue, e.ReceiptHandle));
}

async function changeOne(ctx: RequestContext, queue: QueueRecord, handle: string, timeout: number | undefined): Promise<void> {
  if (timeout === undefined) throw new AwsError("MissingRequiredParameterException", "The request must contain the parameter VisibilityTimeout.", 400, { queryCode: "MissingParameter" });
  rangeCheck("VisibilityTimeout", timeout, 0, 43200, "Must be >= 0 and <= 43200, if provided.");
  const h = decodeHandle(queue, handle);
  const s = store(ctx, queue);
  await retryCommit(ctx, async () => {
    const now = Math.floor(ctx.clock.now());
    const entry = await s.get<StoredMessage>(keys.message(queue, h.id));
    const m = entry.value;
    if (!m || m.receiveCount === 0) {
      throw new AwsError("MessageNotInflight", "Message does not exist or is not available for visibility timeout change.", 400);
    }
    if (m.receipt !== h.token) {
      throw invalidParameter("ReceiptHandle", handle, queue.fifo ? "The receipt handle has expired." : "Message does not exist or is not available for visibility timeout change.");
    }
    const visibleAt = now + timeout * 1000;
    const op = s.atomic()
      .check({ key: entry.key, versionstamp: entry.versionstamp })
      .delete(keys.visible(queue, m.visibleAt, m.seq))
      .set(keys.visible(queue, visibleAt, m.seq), m.id)
      .set(keys.message(queue, m.id), { ...m, visibleAt });
    return { op, value: undefined };
  });
}

export async function changeMessageVisibility(ctx: RequestContext, ref: QueueRef, handle: string, timeout: number | undefined): Promise<void> {
  const queue = await loadQueue(ctx, ref);
  if (!queue) throw queueDoesNotExist(ctx);
  await changeOne(ctx, queue, handle, timeout);
  notifyQueue(ref);
}

export function changeMessageVisibilityBatch(ctx: RequestContext, ref: QueueRef, entries: { Id: string; ReceiptHandle: string; VisibilityTimeout?: number }[]) {
  return receiptBatch(ctx, ref, entries, "ChangeMessageVisibilityBatchRequestEntry", (queue, e) => changeOne(ctx, queue, e.ReceiptHandle, e.VisibilityTimeout ?? 0));
}
