/**
 * A BlobStore on any Store (Deno KV, Durable Objects, Workers KV, memory): each blob is a
 * manifest plus fixed-size chunks, so no per-value limit of the Store bounds a blob's size.
 *
 * Layout in the Store:
 *   ["m", key]    manifest { id, size, chunk, n }
 *   ["d", id, i]  chunk i (Uint8Array)
 *   ["p", id]     pending: chunks written, manifest not yet committed
 *   ["g", id]     garbage since (ms): chunks of a replaced or deleted blob, kept for
 *                 `graceMs` so a read that started before the replacement still finishes
 * A `put` writes its chunks under a fresh id, then commits the manifest and clears the pending
 * marker in one atomic operation: readers see the old blob or the whole new one, never part. A
 * crash in between leaves only chunks under a pending marker, which `openStoreBlobStore` removes.
 */
import type { BlobStore, Key, Store } from "./types.ts";

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
  /** Clock for the grace period (default Date.now). */
  now?: () => number;
}

/** Opens a BlobStore on `store`, first removing chunks of puts that never committed. */
export async function openStoreBlobStore(store: Store, options: StoreBlobOptions = {}): Promise<BlobStore> {
  const chunkSize = options.chunkSize ?? 60 * 1024;
  const perCommit = options.chunksPerCommit ?? 8;
  const graceMs = options.graceMs ?? 60_000;
  const now = options.now ?? Date.now;

  const pending: string[] = [];
  for await (const e of store.list({ prefix: ["p"] })) pending.push(e.key[1] as string);
  for (const id of pending) await deleteChunks(store, id), await store.delete(["p", id]);
  // Nobody reads through this store yet: every replaced blob's chunks can go now.
  await sweep(Infinity);

  /** Deletes chunk sets that have been garbage for longer than `grace` ms. */
  async function sweep(grace: number): Promise<void> {
    const due: string[] = [];
    const limit = now() - grace;
    for await (const e of store.list<number>({ prefix: ["g"] })) if (grace === Infinity || e.value <= limit) due.push(e.key[1] as string);
    for (const id of due) await deleteChunks(store, id), await store.delete(["g", id]);
  }
  let sweeping: Promise<void> | null = null;
  let lastSweep = 0;
  const maybeSweep = () => {
    if (sweeping || now() - lastSweep < Math.min(graceMs, 5_000)) return;
    lastSweep = now();
    sweeping = sweep(graceMs).catch(() => {}).finally(() => (sweeping = null));
  };

  async function put(key: string, body: ReadableStream<Uint8Array> | Uint8Array): Promise<{ size: number }> {
    const id = crypto.randomUUID();
    await store.set(["p", id], Date.now());
    let n = 0, size = 0;
    let batch: [Key, Uint8Array][] = [];
    const flush = async () => {
      if (batch.length === 0) return;
      const op = store.atomic();
      for (const [k, v] of batch) op.set(k, v);
      batch = [];
      if (!(await op.commit()).ok) throw new Error("blob chunk write failed");
    };
    const add = async (bytes: Uint8Array) => {
      batch.push([["d", id, n++], bytes]);
      size += bytes.length;
      if (batch.length >= perCommit) await flush();
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
      await flush();
    } catch (error) {
      await deleteChunks(store, id);
      await store.delete(["p", id]);
      throw error;
    }
    const manifest: Manifest = { id, size, chunk: chunkSize, n };
    for (;;) {
      const old = await store.get<Manifest>(["m", key]);
      const op = store.atomic().check({ key: old.key, versionstamp: old.versionstamp }).set(["m", key], manifest).delete(["p", id]);
      if (old.value) op.set(["g", old.value.id], now());
      if ((await op.commit()).ok) break;
    }
    maybeSweep();
    return { size };
  }

  async function get(key: string, range?: { start: number; end: number }): Promise<ReadableStream<Uint8Array> | null> {
    const manifest = (await store.get<Manifest>(["m", key])).value;
    if (!manifest) return null;
    let start = 0, end = manifest.size - 1;
    if (range) {
      if (!Number.isInteger(range.start) || !Number.isInteger(range.end) || range.start < 0 || range.end < range.start - 1) {
        throw new RangeError(`invalid byte range ${range.start}-${range.end}`);
      }
      start = range.start;
      end = Math.min(range.end, manifest.size - 1);
    }
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
