/**
 * A Store on a Cloudflare Workers KV namespace binding
 * (https://developers.cloudflare.com/kv/api/), for state that tolerates eventual consistency.
 * docs/persistence.md lists which services and operations are safe on it.
 *
 * What Workers KV is, and what this store therefore is NOT (on deployed Workers KV):
 * - Eventually consistent: a write is visible at once in the location that made it, and in
 *   other locations after up to ~60 s; `list` is eventually consistent too (a new key may be
 *   missing, a deleted one still listed: listed entries whose value is gone are skipped).
 * - No transactions and no compare-and-set. `atomic()` checks versionstamps optimistically and
 *   then writes each mutation separately: it is NOT atomic across concurrent writers (two
 *   isolates can both pass a check and both write; a reader may see part of a commit; a crash
 *   mid-commit leaves part of it). Inside one store object (one isolate) commits are
 *   serialized, so there, and in Miniflare (one strongly consistent local instance), it
 *   behaves like the other stores and passes the conformance suite.
 * - At most one write per second to one key (faster writers get 429s on real KV), values up to
 *   25 MiB, key names up to 512 bytes (so a Store key may have at most ~380 bytes once
 *   encoded; longer keys are rejected with a TypeError).
 *
 * Layout: the key K is stored under the name `space + ":" + ob64(keyBytes(K))`, where
 * keyBytes (key-codec.ts) orders bytewise as keys order and ob64 is base64 over an alphabet in
 * ASCII order (`-0-9A-Z_a-z`), which keeps that order in the name, and KV lists names in UTF-8
 * byte order. The KV value is a tag byte plus tagged JSON (snapshot.ts) or raw bytes; the
 * metadata holds the versionstamp and, for small JSON values, the JSON text itself so a list
 * needs no read per key.
 */
import { decodeKeyBytes, encodedToBytes, keyBytes } from "./key-codec.ts";
import { selectorRange } from "./memory.ts";
import { decodeJson, encodeJson, type Json } from "./snapshot.ts";
import type { AtomicCheck, Entry, Key, ListOptions, ListSelector, MaybeEntry, Store } from "./types.ts";
import { writesThrough, type Mutation } from "./atomic.ts";

/** The part of a Workers `KVNamespace` binding this store uses. */
export interface KvNamespaceLike {
  getWithMetadata<M = unknown>(key: string, options: { type: "arrayBuffer" }): Promise<{ value: ArrayBuffer | null; metadata: M | null }>;
  put(key: string, value: ArrayBuffer, options?: { metadata?: unknown }): Promise<void>;
  delete(key: string): Promise<void>;
  list<M = unknown>(options?: { prefix?: string; limit?: number; cursor?: string }): Promise<{ keys: { name: string; metadata?: M }[]; list_complete: boolean; cursor?: string }>;
}

export interface WorkersKvStoreOptions {
  /** Name prefix, so that several stores (state, blobs) share one namespace apart. Default "v". */
  space?: string;
}

export interface WorkersKvStore extends Store {
  readonly kind: "workers-kv";
}

interface Metadata {
  /** Versionstamp. */
  vs: string;
  /** JSON text of the tagged JSON value, when small (lists read it instead of the value). */
  j?: string;
}

/** Workers KV limits. */
const MAX_NAME_BYTES = 512;
const MAX_VALUE_BYTES = 25 * 1024 * 1024;
/** Largest JSON text copied into metadata (KV allows 1024 bytes of serialized metadata). */
const METADATA_JSON_MAX = 800;
const LIST_PAGE = 1000;

const TAG_JSON = 0;
const TAG_BYTES = 1;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// ---- order-preserving base64 ----

const ALPHABET = "-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz";
const INDEX = new Map([...ALPHABET].map((c, i) => [c, i]));

/**
 * Base64 over an alphabet in ASCII order, no padding: the bits regrouped by six, the last group
 * zero-filled. Bytewise order of inputs is string order of outputs (a proper prefix gives a
 * shorter, hence smaller, string; the first differing bit decides otherwise).
 */
export function orderedBase64(bytes: Uint8Array): string {
  let out = "", acc = 0, bits = 0;
  for (const b of bytes) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += ALPHABET[(acc >> bits) & 63];
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(acc << (6 - bits)) & 63];
  return out;
}

export function fromOrderedBase64(text: string): Uint8Array {
  const out = new Uint8Array(Math.floor((text.length * 6) / 8));
  let acc = 0, bits = 0, n = 0;
  for (const c of text) {
    const v = INDEX.get(c);
    if (v === undefined) throw new TypeError(`not an ordered-base64 name: ${text}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 255;
      acc &= (1 << bits) - 1;
    }
  }
  return out;
}

// ---- values ----

function encodeValue(value: unknown): { bytes: Uint8Array; json?: string } {
  if (value instanceof Uint8Array) {
    const out = new Uint8Array(value.length + 1);
    out[0] = TAG_BYTES;
    out.set(value, 1);
    return { bytes: out };
  }
  const json = JSON.stringify(encodeJson(value));
  const text = encoder.encode(json);
  const out = new Uint8Array(text.length + 1);
  out[0] = TAG_JSON;
  out.set(text, 1);
  return { bytes: out, json };
}

function decodeValue(buffer: ArrayBuffer): unknown {
  const bytes = new Uint8Array(buffer);
  if (bytes[0] === TAG_BYTES) return bytes.slice(1);
  return decodeJson(JSON.parse(decoder.decode(bytes.subarray(1))) as Json);
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Milliseconds * 2^20 plus a counter: increasing per write in one isolate, roughly across. */
function versionstamps(): () => string {
  let last = 0n;
  return () => {
    const now = BigInt(Date.now()) << 20n;
    last = now > last ? now : last + 1n;
    return last.toString(16).padStart(20, "0");
  };
}

/** Opens a Store on a Workers KV namespace (see the module comment for what it cannot promise). */
export function createWorkersKvStore(kv: KvNamespaceLike, options: WorkersKvStoreOptions = {}): WorkersKvStore {
  const space = (options.space ?? "v") + ":";
  const nextVersionstamp = versionstamps();
  const nameOf = (key: Key): string => {
    const name = space + orderedBase64(keyBytes(key));
    if (encoder.encode(name).length > MAX_NAME_BYTES) {
      throw new TypeError(`fetchstack Workers KV store: key too long for a Workers KV name (${MAX_NAME_BYTES} bytes once encoded)`);
    }
    return name;
  };
  const keyOf = (name: string): Key => decodeKeyBytes(fromOrderedBase64(name.slice(space.length)));
  // Commits of this store object run one at a time (checks then writes cannot interleave here).
  let tail: Promise<unknown> = Promise.resolve();

  async function read<T>(key: Key): Promise<MaybeEntry<T>> {
    const { value, metadata } = await kv.getWithMetadata<Metadata>(nameOf(key), { type: "arrayBuffer" });
    if (value === null || !metadata) return { key, value: null, versionstamp: null };
    return { key, value: decodeValue(value) as T, versionstamp: metadata.vs };
  }

  async function* list<T>(selector: ListSelector, options: ListOptions = {}): AsyncGenerator<Entry<T>> {
    const { lo, hi } = selectorRange(selector);
    let remaining = options.limit === undefined ? Infinity : Math.max(0, Math.floor(options.limit));
    if (remaining === 0 || lo >= hi) return;
    const from = space + orderedBase64(encodedToBytes(lo));
    const to = space + orderedBase64(encodedToBytes(hi));
    let common = 0;
    while (common < from.length && common < to.length && from[common] === to[common]) common++;
    // KV lists by prefix only, forwards: list the names sharing [from, to)'s common prefix.
    const names = async function* () {
      let cursor: string | undefined;
      do {
        const page = await kv.list<Metadata>({ prefix: from.slice(0, common), limit: LIST_PAGE, cursor });
        for (const k of page.keys) {
          if (k.name < from) continue;
          if (k.name >= to) return;
          yield k;
        }
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
    };
    const entryOf = async (k: { name: string; metadata?: Metadata }): Promise<Entry<T> | null> => {
      const key = keyOf(k.name);
      if (k.metadata?.j !== undefined) return { key, value: decodeJson(JSON.parse(k.metadata.j) as Json) as T, versionstamp: k.metadata.vs };
      const entry = await read<T>(key);
      return entry.versionstamp === null ? null : (entry as Entry<T>);
    };
    if (options.reverse) {
      const all: { name: string; metadata?: Metadata }[] = [];
      for await (const k of names()) all.push(k);
      for (let i = all.length - 1; i >= 0 && remaining > 0; i--) {
        const entry = await entryOf(all[i]!);
        if (entry) yield entry, remaining--;
      }
      return;
    }
    let last = "";
    for await (const k of names()) {
      if (remaining <= 0) return;
      // Pages read while the store changes: never go back, never repeat.
      if (k.name <= last) continue;
      last = k.name;
      const entry = await entryOf(k);
      if (entry) yield entry, remaining--;
    }
  }

  async function commitNow(checks: AtomicCheck[], mutations: Mutation[]): Promise<{ ok: true; versionstamp: string } | { ok: false }> {
    // Encode and name everything first: a bad key or a value over the limit writes nothing.
    const writes = new Map<string, { bytes?: Uint8Array; json?: string }>();
    for (const m of mutations) {
      const name = nameOf(m.key);
      if (m.del) writes.set(name, {});
      else {
        const encoded = encodeValue(m.value);
        if (encoded.bytes.length > MAX_VALUE_BYTES) throw new RangeError(`fetchstack Workers KV store: value of ${encoded.bytes.length} bytes exceeds Workers KV's 25 MiB`);
        writes.set(name, encoded);
      }
    }
    const current = await Promise.all(checks.map((c) => kv.getWithMetadata<Metadata>(nameOf(c.key), { type: "arrayBuffer" })));
    for (let i = 0; i < checks.length; i++) {
      const found = current[i]!.value === null ? null : (current[i]!.metadata?.vs ?? null);
      if (found !== checks[i]!.versionstamp) return { ok: false };
    }
    const versionstamp = nextVersionstamp();
    await Promise.all([...writes].map(([name, w]) => {
      if (!w.bytes) return kv.delete(name);
      const metadata: Metadata = { vs: versionstamp };
      if (w.json !== undefined && encoder.encode(w.json).length <= METADATA_JSON_MAX) metadata.j = w.json;
      return kv.put(name, toArrayBuffer(w.bytes), { metadata });
    }));
    return { ok: true, versionstamp };
  }

  function commit(checks: AtomicCheck[], mutations: Mutation[]) {
    const run = tail.then(() => commitNow(checks, mutations));
    tail = run.catch(() => {});
    return run;
  }

  return {
    kind: "workers-kv",
    async get<T>(key: Key) {
      if (!Array.isArray(key)) throw new TypeError("key must be an array");
      return read<T>(key);
    },
    async getMany<T>(keys: readonly Key[]) {
      return Promise.all(keys.map((key) => {
        if (!Array.isArray(key)) throw new TypeError("key must be an array");
        return read<T>(key);
      }));
    },
    ...writesThrough(commit, "fetchstack Workers KV store"),
    list,
  };
}
