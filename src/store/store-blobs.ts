/**
 * A BlobStore on any Store (Deno KV, Durable Objects, Workers KV, memory): each blob is a
 * manifest plus fixed-size chunks, so no per-value limit of the Store bounds a blob's size.
 *
 * Layout in the Store:
 *   ["m", key]    manifest { id, size, chunk, n }
 *   ["d", id, i]  chunk i (Uint8Array)
 *   ["p", id]     pending since (ms, last progress): chunks written, manifest not yet committed
 *   ["g", id]     garbage since (ms): chunks of a replaced or deleted blob, kept for
 *                 `graceMs` so a read that started before the replacement still finishes
 * A `put` writes its chunks under a fresh id, then commits the manifest and clears the pending
 * marker in one atomic operation: readers see the old blob or the whole new one, never part. A
 * crash in between leaves only chunks under a pending marker.
 *
 * The Store may be shared by several isolates or processes, each with its own BlobStore, so a
 * marker is collected only once it is old: a pending one after `pendingGraceMs` without
 * progress (uploads refresh it as they go), a garbage one after `graceMs`. Collection (on open,
 * then at most every few seconds after writes) visits a bounded batch of markers per pass.
 * Markers without a number (none are written) count as old.
 */
import type { BlobStore, Entry, Key, Store } from "./types.ts";
import { clampBlobRange } from "../util/byte-range.ts";

interface Manifest {
  id: string;
  size: number;
  /** Bytes per chunk (the last one may be shorter). */
  chunk: number;
  n: number;
}

export interface StoreBlobOptions {
  /** Bytes per chunk (default 60 KiB, under Deno KV's 64 KiB value limit). */
  chunkSize?: number;
  /** Chunks written per atomic commit (default 8). */
  chunksPerCommit?: number;
  /** How long chunks of a replaced blob stay readable (default 60 s). */
  graceMs?: number;
  /** How long an upload may make no progress before another instance collects it (default 15 min). */
  pendingGraceMs?: number;
  /** Markers of each kind visited per collection pass (default 256). */
  sweepBatch?: number;
  /** Clock for markers and grace periods (default Date.now). */
  now?: () => number;
}

/** Opens a BlobStore on `store`, first collecting old leftovers of uploads and replaced blobs. */
export async function openStoreBlobStore(store: Store, options: StoreBlobOptions = {}): Promise<BlobStore> {
  const chunkSize = options.chunkSize ?? 60 * 1024;
  const perCommit = options.chunksPerCommit ?? 8;
  const graceMs = options.graceMs ?? 60_000;
  const pendingGraceMs = options.pendingGraceMs ?? 15 * 60_000;
  const sweepBatch = Math.max(2, options.sweepBatch ?? 256);
  const now = options.now ?? Date.now;
  // Often enough that a live upload never looks abandoned; rarely enough for Workers KV's one write per key per second.
  const refreshMs = Math.min(pendingGraceMs / 3, 60_000);

  const since = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : -Infinity);
  // Where the next pass of each kind starts (inclusive), so every marker is reached in bounded passes.
  const cursors: { p: Key | null; g: Key | null } = { p: null, g: null };
  async function batchOf(kind: "p" | "g"): Promise<Entry<unknown>[]> {
    const start = cursors[kind];
    const entries: Entry<unknown>[] = [];
    for await (const e of store.list(start ? { prefix: [kind], start } : { prefix: [kind] }, { limit: sweepBatch })) entries.push(e);
    cursors[kind] = entries.length === sweepBatch ? entries[entries.length - 1]!.key : null;
    return entries;
  }

  /** One bounded pass: abandoned uploads become garbage, old garbage is deleted. */
  async function sweep(): Promise<void> {
    for (const e of await batchOf("p")) {
      if (now() - since(e.value) < pendingGraceMs) continue;
      const id = e.key[1] as string;
      // Only if unchanged since listed: a refreshed marker means the upload is alive. Once it is
      // garbage, the upload's next commit (checked against the marker) fails instead of adding chunks.
      const moved = await store.atomic().check({ key: e.key, versionstamp: e.versionstamp }).delete(e.key).set(["g", id], 0).commit();
      if (moved.ok) await deleteChunks(store, id), await store.delete(["g", id]);
    }
    for (const e of await batchOf("g")) {
      if (now() - since(e.value) < graceMs) continue;
      const id = e.key[1] as string;
      await deleteChunks(store, id), await store.delete(["g", id]);
    }
  }
  await sweep();

  let sweeping: Promise<void> | null = null;
  let lastSweep = now();
  const maybeSweep = () => {
    if (sweeping || now() - lastSweep < Math.min(graceMs, 5_000)) return;
    lastSweep = now();
    sweeping = sweep().catch(() => {}).finally(() => (sweeping = null));
  };

  async function put(key: string, body: ReadableStream<Uint8Array> | Uint8Array): Promise<{ size: number }> {
    const id = crypto.randomUUID();
    const marker: Key = ["p", id];
    let touched = now();
    // The marker's versionstamp: every write below is checked against it, so chunks are never
    // added, nor the manifest committed, once another instance has collected this upload.
    let markerStamp = (await store.set(marker, touched)).versionstamp;
    let n = 0, size = 0;
    let batch: [Key, Uint8Array][] = [];
    const due = () => now() - touched >= refreshMs;
    const flush = async (touch: boolean) => {
      if (batch.length === 0 && !touch) return;
      const op = store.atomic().check({ key: marker, versionstamp: markerStamp });
      for (const [k, v] of batch) op.set(k, v);
      batch = [];
      const at = now();
      if (touch) op.set(marker, at);
      const result = await op.commit();
      if (!result.ok) throw new Error("blob upload abandoned: no progress for longer than the pending grace period");
      if (touch) (markerStamp = result.versionstamp), (touched = at);
    };
    const add = async (bytes: Uint8Array) => {
      batch.push([["d", id, n++], bytes]);
      size += bytes.length;
      const touch = due();
      if (touch || batch.length >= perCommit) await flush(touch);
    };
    try {
      if (body instanceof Uint8Array) {
        for (let i = 0; i < body.length; i += chunkSize) await add(body.slice(i, i + chunkSize));
      } else {
        // Re-cut the incoming stream into chunkSize pieces.
        let buffer = new Uint8Array(chunkSize), filled = 0;
        const reader = body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            if (!(value instanceof Uint8Array)) throw new TypeError("blob body chunks must be Uint8Array");
            // A slow body that fills no chunk for a while is still progress.
            if (due()) await flush(true);
            for (let offset = 0; offset < value.length; ) {
              const take = Math.min(chunkSize - filled, value.length - offset);
              buffer.set(value.subarray(offset, offset + take), filled);
              filled += take, offset += take;
              if (filled === chunkSize) await add(buffer), (buffer = new Uint8Array(chunkSize)), (filled = 0);
            }
          }
        } finally {
          reader.releaseLock();
        }
        if (filled > 0) await add(buffer.slice(0, filled));
      }
      await flush(false);
      const manifest: Manifest = { id, size, chunk: chunkSize, n };
      for (;;) {
        const [old, mark] = await store.getMany<unknown>([["m", key], marker]);
        if (mark!.versionstamp !== markerStamp) throw new Error("blob upload abandoned: no progress for longer than the pending grace period");
        const op = store.atomic()
          .check({ key: old!.key, versionstamp: old!.versionstamp }, { key: marker, versionstamp: markerStamp })
          .set(["m", key], manifest)
          .delete(marker);
        const replaced = old!.value as Manifest | null;
        if (replaced) op.set(["g", replaced.id], now());
        if ((await op.commit()).ok) break;
      }
    } catch (error) {
      await deleteChunks(store, id);
      await store.delete(marker);
      throw error;
    }
    maybeSweep();
    return { size };
  }

  async function get(key: string, range?: { start: number; end: number }): Promise<ReadableStream<Uint8Array> | null> {
    const manifest = (await store.get<Manifest>(["m", key])).value;
    if (!manifest) return null;
    const { start, end } = clampBlobRange(range, manifest.size);
    let position = start;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (position > end) return controller.close();
        const index = Math.floor(position / manifest.chunk);
        const chunk = (await store.get<Uint8Array>(["d", manifest.id, index])).value;
        if (!chunk) return controller.error(new Error(`blob ${key} was replaced while being read`));
        const from = position - index * manifest.chunk;
        const to = Math.min(chunk.length, end - index * manifest.chunk + 1);
        controller.enqueue(chunk.slice(from, to));
        position += to - from;
        if (position > end) controller.close();
      },
    });
  }

  return {
    put,
    get,
    async size(key) {
      return (await store.get<Manifest>(["m", key])).value?.size ?? null;
    },
    async delete(key) {
      for (;;) {
        const old = await store.get<Manifest>(["m", key]);
        if (!old.value) return;
        if ((await store.atomic().check({ key: old.key, versionstamp: old.versionstamp }).delete(["m", key]).set(["g", old.value.id], now()).commit()).ok) break;
      }
      maybeSweep();
    },
    async *keys(prefix = "") {
      const selector = prefix === "" ? { prefix: ["m"] } : { prefix: ["m"], start: ["m", prefix] };
      for await (const e of store.list(selector)) {
        const key = e.key[1] as string;
        if (!key.startsWith(prefix)) return;
        yield key;
      }
    },
  };
}

async function deleteChunks(store: Store, id: string): Promise<void> {
  for (;;) {
    const keys: Key[] = [];
    for await (const e of store.list({ prefix: ["d", id] }, { limit: 200 })) keys.push(e.key);
    if (keys.length === 0) return;
    const op = store.atomic();
    for (const k of keys) op.delete(k);
    await op.commit();
  }
}
