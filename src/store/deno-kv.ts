/**
 * A Store on Deno KV (https://docs.deno.com/api/deno/~/Deno.Kv): `Deno.openKv(path)` in Deno
 * (local SQLite file, or Deno Deploy's KV) and `openKv(path)` from the `@deno/kv` npm package in
 * Node. Both write the same SQLite file format, so one `--data-dir` serves either runtime.
 *
 * Every commit is one Deno KV atomic operation: when it returns, SQLite has committed it (WAL),
 * so a write acknowledged to a client survives `kill -9`, and a commit cut short is invisible.
 *
 * Layout inside the KV (K is the Store key):
 *   ["v", bytes]   the value of key K, bytes = `keyBytes(K)` (key-codec.ts), encoded by this
 *                  module (see `encodeValue`). One byte-string part per key (rather than K's
 *                  own parts) keeps -0 apart from 0 in `@deno/kv`, which merges them, and makes
 *                  every list one byte range, identical under Deno and Node.
 *   ["c", id, i]   chunk i of a value too large for one Deno KV value (64 KiB limit)
 *   ["p", id]      marks chunks written for a commit that has not happened yet; its value is
 *                  the time (ms) of the write's last progress. A crash between chunks and commit
 *                  leaves these behind.
 * Values are encoded here (tagged JSON, or raw bytes for a Uint8Array) rather than with V8
 * serialization, so their size is known before writing and both runtimes store the same bytes.
 *
 * One KV may be shared by several stores at once (isolates on Deno Deploy, processes, the state
 * and blob spaces of one process), so a pending marker is collected only once it is old: after
 * `pendingGraceMs` without progress (a write refreshes its marker with every chunk commit, and
 * fails rather than commit once collected). Collection (on open, then at most every few seconds
 * after writes) visits a bounded batch of markers per pass. Markers whose value is not a number
 * count as old.
 */
import { selectorRange } from "./memory.ts";
import { decodeKeyBytes, encodedToBytes, keyBytes } from "./key-codec.ts";
import { decodeJson, encodeJson, type Json } from "./snapshot.ts";
import type { AtomicCheck, Entry, Key, KeyPart, ListOptions, ListSelector, MaybeEntry, Store } from "./types.ts";
import { writesThrough, type Mutation } from "./atomic.ts";

/** The part of `Deno.Kv` this store uses; `Deno.openKv` and `@deno/kv`'s `openKv` both return it. */
export interface DenoKvLike {
  get(key: KeyPart[]): Promise<{ key: KeyPart[]; value: unknown; versionstamp: string | null }>;
  getMany(keys: KeyPart[][]): Promise<{ key: KeyPart[]; value: unknown; versionstamp: string | null }[]>;
  list(selector: { prefix: KeyPart[] } | { prefix: KeyPart[]; start: KeyPart[] } | { prefix: KeyPart[]; end: KeyPart[] } | { start: KeyPart[]; end: KeyPart[] }, options?: { limit?: number; reverse?: boolean; batchSize?: number }): AsyncIterable<{ key: KeyPart[]; value: unknown; versionstamp: string }>;
  atomic(): DenoKvAtomic;
  close(): void;
}

export interface DenoKvAtomic {
  check(...checks: { key: KeyPart[]; versionstamp: string | null }[]): DenoKvAtomic;
  set(key: KeyPart[], value: unknown): DenoKvAtomic;
  delete(key: KeyPart[]): DenoKvAtomic;
  commit(): Promise<{ ok: true; versionstamp: string } | { ok: false }>;
}

export interface DenoKvStore extends Store {
  readonly kind: "deno-kv";
  /** Closes the underlying Deno KV handle. */
  close(): void;
}

const TAG_JSON = 0;
const TAG_BYTES = 1;
const TAG_CHUNKED = 2;
/** Largest value stored inline (Deno KV: 65536 bytes per value, tag byte included). */
const INLINE_MAX = 64 * 1024 - 64;
/** Bytes per chunk of a large value. */
const CHUNK = 60 * 1024;
/** Chunks per Deno KV commit (its limit is 800 KiB of mutations per atomic operation). */
const CHUNKS_PER_COMMIT = 10;
/** Inline bytes allowed in one commit before the largest values move to chunks. */
const COMMIT_BUDGET = 640 * 1024;
/** Deno KV's getMany limit. */
const GET_MANY_MAX = 10;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Manifest {
  id: string;
  /** Number of chunks. */
  n: number;
  /** Tag of the payload the chunks concatenate to (TAG_JSON or TAG_BYTES). */
  t: number;
}

/** Encodes a value: tag byte + UTF-8 tagged JSON, or tag byte + raw bytes for a Uint8Array. */
function encodeValue(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) {
    const out = new Uint8Array(value.length + 1);
    out[0] = TAG_BYTES;
    out.set(value, 1);
    return out;
  }
  const text = encoder.encode(JSON.stringify(encodeJson(value)));
  const out = new Uint8Array(text.length + 1);
  out[0] = TAG_JSON;
  out.set(text, 1);
  return out;
}

function decodePayload(tag: number, bytes: Uint8Array): unknown {
  if (tag === TAG_BYTES) return bytes.slice();
  return decodeJson(JSON.parse(decoder.decode(bytes)) as Json);
}

function asBytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new TypeError("fetchstack Deno KV store: unexpected value in the KV (not written by fetchstack?)");
}

export interface DenoKvStoreOptions {
  /**
   * First key part of this store's values in the KV (default "v"), so that several stores
   * (state, blobs) share one KV without seeing each other's keys.
   */
  space?: string;
  /** How long a large write may make no progress before another store collects its chunks (default 15 min). */
  pendingGraceMs?: number;
  /** Pending markers visited per collection pass (default 256). */
  sweepBatch?: number;
  /** Clock for pending markers (default Date.now). */
  now?: () => number;
}

/** Value a collector gives a marker before deleting its chunks: old to everyone, so a crash mid-collection is finished later. */
const COLLECTED = "collected";

/**
 * Opens a Store on a Deno KV handle, first collecting old chunks left by commits that a crash cut
 * short. `close()` closes the handle.
 */
export async function openDenoKvStore(kv: DenoKvLike, options: DenoKvStoreOptions = {}): Promise<DenoKvStore> {
  const space = options.space ?? "v";
  if (space === "c" || space === "p") throw new TypeError(`space "${space}" is reserved`);
  const vKey = (key: Key): KeyPart[] => [space, keyBytes(key)];
  const pendingGraceMs = options.pendingGraceMs ?? 15 * 60_000;
  const sweepBatch = Math.max(2, options.sweepBatch ?? 256);
  const now = options.now ?? Date.now;
  const since = (value: unknown) => (typeof value === "number" && Number.isFinite(value) ? value : -Infinity);

  // Where the next pass starts (inclusive), so every marker is reached in bounded passes.
  let cursor: KeyPart[] | null = null;
  /** One bounded pass over pending markers: chunks of writes without progress for the grace period go. */
  async function sweep(): Promise<void> {
    const entries: { key: KeyPart[]; value: unknown; versionstamp: string }[] = [];
    for await (const e of kv.list(cursor ? { prefix: ["p"], start: cursor } : { prefix: ["p"] }, { limit: sweepBatch })) entries.push(e);
    cursor = entries.length === sweepBatch ? entries[entries.length - 1]!.key : null;
    for (const e of entries) {
      if (now() - since(e.value) < pendingGraceMs) continue;
      // Only if unchanged since listed: a refreshed marker means the write is alive. Once marked
      // collected, the write's next commit (checked against its marker) fails instead.
      const claimed = await kv.atomic().check({ key: e.key, versionstamp: e.versionstamp }).set(e.key, COLLECTED).commit();
      if (claimed.ok) await deleteChunks(kv, e.key[1] as string, true);
    }
  }
  await sweep();
  let sweeping: Promise<void> | null = null;
  let lastSweep = now();
  const maybeSweep = () => {
    if (sweeping || now() - lastSweep < 5_000) return;
    lastSweep = now();
    sweeping = sweep().catch(() => {}).finally(() => (sweeping = null));
  };

  // Old chunks need cleaning only after overwriting a chunked value; skip the extra read otherwise.
  let chunksExist = false;
  for await (const _ of kv.list({ prefix: ["c"] }, { limit: 1 })) chunksExist = true;

  /** Reads a stored value; null when a concurrent overwrite removed its chunks meanwhile. */
  async function decodeStored(stored: Uint8Array): Promise<{ value: unknown } | null> {
    const tag = stored[0];
    if (tag !== TAG_CHUNKED) return { value: decodePayload(tag!, stored.subarray(1)) };
    chunksExist = true;
    const manifest = JSON.parse(decoder.decode(stored.subarray(1))) as Manifest;
    const parts: Uint8Array[] = [];
    let size = 0;
    for await (const e of kv.list({ prefix: ["c", manifest.id] })) {
      const part = asBytes(e.value);
      parts.push(part);
      size += part.length;
    }
    if (parts.length !== manifest.n) return null;
    const bytes = new Uint8Array(size);
    let offset = 0;
    for (const p of parts) bytes.set(p, offset), (offset += p.length);
    return { value: decodePayload(manifest.t, bytes) };
  }

  async function readEntry<T>(key: Key, raw: { value: unknown; versionstamp: string | null }): Promise<MaybeEntry<T>> {
    for (let attempt = 0; ; attempt++) {
      if (raw.versionstamp === null) return { key, value: null, versionstamp: null };
      const decoded = await decodeStored(asBytes(raw.value));
      if (decoded) return { key, value: decoded.value as T, versionstamp: raw.versionstamp };
      if (attempt > 16) throw new Error("fetchstack Deno KV store: value kept changing while being read");
      raw = await kv.get(vKey(key));
    }
  }

  async function getMany<T>(keys: readonly Key[]): Promise<MaybeEntry<T>[]> {
    const out: MaybeEntry<T>[] = [];
    for (let i = 0; i < keys.length; i += GET_MANY_MAX) {
      const group = keys.slice(i, i + GET_MANY_MAX);
      const raws = await kv.getMany(group.map(vKey));
      for (let j = 0; j < group.length; j++) out.push(await readEntry<T>(group[j]!, raws[j]!));
    }
    return out;
  }

  async function* list<T>(selector: ListSelector, options: ListOptions = {}): AsyncGenerator<Entry<T>> {
    const { lo, hi } = selectorRange(selector); // the same selector errors as the memory store
    if (options.limit !== undefined && options.limit <= 0) return;
    const kvOptions = { reverse: options.reverse === true, limit: options.limit, batchSize: 500 };
    for await (const e of kv.list({ start: [space, encodedToBytes(lo)], end: [space, encodedToBytes(hi)] }, kvOptions)) {
      const key = decodeKeyBytes(e.key[1] as Uint8Array);
      const entry = await readEntry<T>(key, e);
      if (entry.versionstamp !== null) yield entry as Entry<T>;
    }
  }

  /**
   * Writes a large encoded value's chunks under a pending marker, refreshed (and checked) with
   * every chunk commit; returns its manifest bytes and the marker's versionstamp.
   */
  async function writeChunks(id: string, encoded: Uint8Array): Promise<{ manifest: Uint8Array; markerStamp: string }> {
    const payload = encoded.subarray(1);
    const n = Math.ceil(payload.length / CHUNK);
    chunksExist = true;
    let markerStamp: string | null = null;
    for (let first = 0; first < n; first += CHUNKS_PER_COMMIT) {
      const op = kv.atomic().check({ key: ["p", id], versionstamp: markerStamp }).set(["p", id], now());
      for (let i = first; i < Math.min(n, first + CHUNKS_PER_COMMIT); i++) op.set(["c", id, i], payload.slice(i * CHUNK, (i + 1) * CHUNK));
      const result = await op.commit();
      if (!result.ok) throw abandoned();
      markerStamp = result.versionstamp;
    }
    const manifest: Manifest = { id, n, t: encoded[0]! };
    const text = encoder.encode(JSON.stringify(manifest));
    const bytes = new Uint8Array(text.length + 1);
    bytes[0] = TAG_CHUNKED;
    bytes.set(text, 1);
    return { manifest: bytes, markerStamp: markerStamp! };
  }

  async function commit(checks: AtomicCheck[], mutations: Mutation[]): Promise<{ ok: true; versionstamp: string } | { ok: false }> {
    // Encode, and move the largest values to chunks until the commit fits Deno KV's limits.
    const encoded = mutations.map((m) => (m.del ? null : encodeValue(m.value)));
    let inline = 0;
    for (const e of encoded) if (e) inline += e.length;
    const order = encoded.map((e, i) => [e ? e.length : 0, i] as const).sort((a, b) => b[0] - a[0]);
    const external = new Set<number>();
    for (const [size, i] of order) {
      if (size > INLINE_MAX || (inline > COMMIT_BUDGET && size > 1024)) {
        external.add(i);
        inline -= size;
      }
    }
    const written: { id: string; markerStamp: string }[] = [];
    const stored = encoded.slice();
    let result: { ok: true; versionstamp: string } | { ok: false };
    let old: string[];
    try {
      for (const i of external) {
        const id = crypto.randomUUID();
        written.push({ id, markerStamp: "" });
        const chunked = await writeChunks(id, encoded[i]!);
        written[written.length - 1]!.markerStamp = chunked.markerStamp;
        stored[i] = chunked.manifest;
      }
      // Old values that were chunked lose their chunks once this commit replaces them.
      old = chunksExist ? await readManifests(mutations.map((m) => m.key)) : [];

      const op = kv.atomic();
      for (const c of checks) op.check({ key: vKey(c.key), versionstamp: c.versionstamp });
      // Chunks another store has collected meanwhile must not become a value.
      for (const w of written) op.check({ key: ["p", w.id], versionstamp: w.markerStamp }).delete(["p", w.id]);
      for (let i = 0; i < mutations.length; i++) {
        const m = mutations[i]!;
        if (m.del) op.delete(vKey(m.key));
        else op.set(vKey(m.key), stored[i]!);
      }
      result = await op.commit();
      if (!result.ok && written.length > 0) {
        for (let i = 0; i < written.length; i += GET_MANY_MAX) {
          const group = written.slice(i, i + GET_MANY_MAX);
          const markers = await kv.getMany(group.map((w) => ["p", w.id]));
          if (markers.some((m, j) => m.versionstamp !== group[j]!.markerStamp)) throw abandoned();
        }
      }
    } catch (error) {
      for (const w of written) await deleteChunks(kv, w.id, true);
      throw error;
    }
    if (!result.ok) {
      for (const w of written) await deleteChunks(kv, w.id, true);
      return { ok: false };
    }
    for (const id of old) if (!written.some((w) => w.id === id)) await deleteChunks(kv, id, false);
    maybeSweep();
    return { ok: true, versionstamp: result.versionstamp };
  }

  /** Chunk ids of the chunked values currently stored at `keys`. */
  async function readManifests(keys: Key[]): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < keys.length; i += GET_MANY_MAX) {
      for (const raw of await kv.getMany(keys.slice(i, i + GET_MANY_MAX).map(vKey))) {
        if (raw.value instanceof Uint8Array && raw.value[0] === TAG_CHUNKED) {
          ids.push((JSON.parse(decoder.decode(raw.value.subarray(1))) as Manifest).id);
        }
      }
    }
    return ids;
  }

  return {
    kind: "deno-kv",
    async get<T>(key: Key) {
      if (!Array.isArray(key)) throw new TypeError("key must be an array");
      return readEntry<T>(key, await kv.get(vKey(key)));
    },
    getMany,
    ...writesThrough(commit, "fetchstack Deno KV store"),
    list,
    close: () => kv.close(),
  };
}

function abandoned(): Error {
  return new Error("fetchstack Deno KV store: large write abandoned (no progress for longer than the pending grace period; another store collected its chunks)");
}

/** Deletes chunk set `id` (and its pending marker when `marker`). */
async function deleteChunks(kv: DenoKvLike, id: string, marker: boolean): Promise<void> {
  const keys: KeyPart[][] = [];
  for await (const e of kv.list({ prefix: ["c", id] })) keys.push(e.key);
  for (let i = 0; i < keys.length; i += 500) {
    const op = kv.atomic();
    for (const k of keys.slice(i, i + 500)) op.delete(k);
    await op.commit();
  }
  if (marker) await kv.atomic().delete(["p", id]).commit();
}
