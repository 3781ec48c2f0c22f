/**
 * Firehose buffering: records wait in the store until the destination's BufferingHints say
 * flush, by size (SizeInMBs, checked on arrival) or by age (IntervalInSeconds since the oldest
 * buffered record). Interval flushes are computed from stored timestamps on every Firehose
 * request and, as a best effort, by one bounded background timer per buffer
 * (docs/firehose-delivery.md).
 *
 * Keys: ["buffer", stream] → BufferMeta; ["pending", stream, seq] → PendingRecord.
 */
import type { RequestContext } from "../types.ts";
import type { Key, Store } from "../../store/types.ts";
import { withLock } from "../../store/mutex.ts";
import { bytesToBase64 } from "../../encoding/base64.ts";
import { deliver, type BatchRecord } from "./delivery.ts";
import { streamKey, type StoredDestination, type StoredStream } from "./streams.ts";

const MiB = 1024 * 1024;
/** Longest a background check waits (the largest IntervalInSeconds, plus slack). */
const MAX_BACKGROUND_WAIT_MS = 901_000;

export interface BufferMeta {
  count: number;
  bytes: number;
  /** Arrival time (ms) of the oldest buffered record. */
  oldest: number;
  /** When the interval flush is due (ms). */
  dueAt: number;
  nextSeq: number;
}

export interface PendingRecord {
  RecordId: string;
  /** Arrival time (ms). */
  at: number;
  /** base64 of the record bytes (JSON-safe in every store). */
  data: string;
}

const metaKey = (stream: string) => ["buffer", stream] as const;

function lockName(ctx: RequestContext, stream: string): string {
  return `firehose/${ctx.accountId}/${ctx.region}/${stream}`;
}

/** The BufferingHints in force for a destination (S3 defaults 5 MiB / 300 s). */
export function bufferingHints(destination: StoredDestination | undefined): { sizeBytes: number; intervalMs: number } {
  const hints = destination?.description.BufferingHints ?? {};
  return { sizeBytes: (hints.SizeInMBs ?? 5) * MiB, intervalMs: (hints.IntervalInSeconds ?? 300) * 1000 };
}

/** Buffers `records` for `stream` and flushes what the hints say is due; returns nothing until stored. */
export async function appendRecords(ctx: RequestContext, stream: StoredStream, records: { RecordId: string; data: Uint8Array }[]): Promise<void> {
  const name = stream.DeliveryStreamName;
  const destination = stream.Destinations[0];
  const { sizeBytes, intervalMs } = bufferingHints(destination);
  let startedBuffer = false;
  let dueAt = 0;
  await withLock(lockName(ctx, name), async () => {
    const now = ctx.clock.now();
    const current = (await ctx.store.get<BufferMeta>(metaKey(name))).value;
    startedBuffer = !current;
    const meta: BufferMeta = current ?? { count: 0, bytes: 0, oldest: now, dueAt: now + intervalMs, nextSeq: 0 };
    const op = ctx.store.atomic();
    let seq = meta.nextSeq;
    let bytes = meta.bytes;
    for (const r of records) {
      op.set(["pending", name, seq++], { RecordId: r.RecordId, at: now, data: bytesToBase64(r.data) } satisfies PendingRecord);
      bytes += r.data.length;
    }
    const next: BufferMeta = { ...meta, count: meta.count + records.length, bytes, nextSeq: seq };
    op.set(metaKey(name), next);
    await op.commit();
    dueAt = next.dueAt;
    if (next.bytes >= sizeBytes) await flushLocked(ctx, name, "size");
    if (now >= next.dueAt) await flushLocked(ctx, name, "interval");
  });
  if (startedBuffer) scheduleBackgroundCheck(ctx, name, dueAt);
}

/** Flushes every buffer of this account and region whose interval has passed (run on each request). */
export async function flushDue(ctx: RequestContext, only?: string): Promise<void> {
  const now = ctx.clock.now();
  const due: string[] = [];
  for await (const entry of ctx.store.list<BufferMeta>({ prefix: ["buffer"] })) {
    const name = entry.key[1] as string;
    if ((!only || only === name) && entry.value.dueAt <= now) due.push(name);
  }
  for (const name of due) {
    await withLock(lockName(ctx, name), async () => {
      const meta = (await ctx.store.get<BufferMeta>(metaKey(name))).value;
      if (meta && meta.dueAt <= ctx.clock.now()) await flushLocked(ctx, name, "interval");
    });
  }
}

/** Drops a stream's buffered records (DeleteDeliveryStream). */
export async function discardBuffer(ctx: RequestContext, name: string): Promise<void> {
  await withLock(lockName(ctx, name), async () => {
    const keys = [];
    for await (const entry of ctx.store.list({ prefix: ["pending", name] })) keys.push(entry.key);
    for (const key of keys) await ctx.store.delete(key);
    await ctx.store.delete(metaKey(name));
  });
}

/**
 * Takes records out of the buffer and delivers them. A size flush delivers whole buffers of at
 * least SizeInMBs and leaves the remainder buffered; an interval flush delivers everything.
 */
async function flushLocked(ctx: RequestContext, name: string, reason: "size" | "interval"): Promise<void> {
  const stream = (await ctx.store.get<StoredStream>(streamKey(name))).value;
  const pending: { key: Key; value: PendingRecord }[] = [];
  for await (const entry of ctx.store.list<PendingRecord>({ prefix: ["pending", name] })) pending.push(entry);
  if (!stream) {
    await discardPending(ctx.store, name, pending);
    return;
  }
  const destination = stream.Destinations[0];
  const { sizeBytes, intervalMs } = bufferingHints(destination);
  const batches: (typeof pending)[] = [];
  let current: typeof pending = [];
  let bytes = 0;
  for (const p of pending) {
    current.push(p);
    bytes += Math.floor((p.value.data.length * 3) / 4) - (p.value.data.endsWith("==") ? 2 : p.value.data.endsWith("=") ? 1 : 0);
    if (bytes >= sizeBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
  }
  if (reason === "interval" && current.length) {
    batches.push(current);
    current = [];
    bytes = 0;
  }
  if (!batches.length) return;
  const op = ctx.store.atomic();
  for (const batch of batches) for (const p of batch) op.delete(p.key);
  const meta = (await ctx.store.get<BufferMeta>(metaKey(name))).value;
  if (current.length && meta) {
    const oldest = current[0].value.at;
    op.set(metaKey(name), { ...meta, count: current.length, bytes, oldest, dueAt: oldest + intervalMs });
  } else {
    op.delete(metaKey(name));
  }
  await op.commit();
  for (const batch of batches) {
    const records: BatchRecord[] = batch.map((p) => ({ RecordId: p.value.RecordId, at: p.value.at, data: p.value.data }));
    await deliver(ctx, stream, destination, records, reason);
  }
}

async function discardPending(store: Store, name: string, pending: { key: Key }[]): Promise<void> {
  for (const p of pending) await store.delete(p.key);
  await store.delete(metaKey(name));
}

/**
 * One timer per new buffer, on emulator time (`ctx.timers`), that flushes the buffer when its
 * interval passes even if no request arrives; request-time checks remain the rule (timers do
 * not survive a restart, and give up after the longest interval).
 */
function scheduleBackgroundCheck(ctx: RequestContext, name: string, dueAt: number): void {
  const wait = Math.min(Math.max(dueAt - ctx.clock.now(), 0) + 50, MAX_BACKGROUND_WAIT_MS);
  ctx.timers.setTimer(wait, () => flushDue(ctx, name).catch(() => {}));
}
