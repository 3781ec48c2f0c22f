/**
 * The Store: an async, ordered key-value interface with tuple keys, modelled on Deno KV
 * (https://docs.deno.com/api/deno/~/Deno.Kv), so that the memory store, Deno KV and
 * Cloudflare Durable Objects can all implement it.
 *
 * Keys order part by part; parts of different types order Uint8Array < string < bigint <
 * number < boolean (as Deno KV actually sorts them; its docs list number before bigint);
 * strings compare by UTF-8 bytes, numbers numerically.
 * Values are JSON-compatible data (plus Uint8Array); handlers treat them as immutable: read,
 * build a new value, `set` it.
 */
export type KeyPart = Uint8Array | string | number | bigint | boolean;
/** A key: one or more parts, e.g. `["queue", "orders"]`. */
export type Key = readonly KeyPart[];

/** A stored entry: key, value and the versionstamp of the write that set it. */
export interface Entry<T = unknown> {
  key: Key;
  value: T;
  /** Opaque, increasing per write; used for optimistic concurrency in `atomic().check()`. */
  versionstamp: string;
}

export interface MaybeEntry<T = unknown> {
  key: Key;
  value: T | null;
  versionstamp: string | null;
}

/** `prefix` lists keys strictly under it; `start` is inclusive, `end` exclusive. */
export type ListSelector =
  | { prefix: Key }
  | { prefix: Key; start: Key }
  | { prefix: Key; end: Key }
  | { start: Key; end: Key };

export interface ListOptions {
  limit?: number;
  reverse?: boolean;
}

export interface AtomicCheck {
  key: Key;
  /** null: the key must not exist. */
  versionstamp: string | null;
}

export interface AtomicOperation {
  check(...checks: AtomicCheck[]): AtomicOperation;
  set(key: Key, value: unknown): AtomicOperation;
  delete(key: Key): AtomicOperation;
  /** Applies every mutation or none; `ok: false` when a check failed. */
  commit(): Promise<{ ok: true; versionstamp: string } | { ok: false }>;
}

/**
 * Ordered tuple-key state (see the top of this file). `get` of a missing key gives
 * `{ value: null, versionstamp: null }`; `set` and `atomic()` throw TypeError for an empty key;
 * `list` yields entries in key order (`reverse`, `limit`).
 */
export interface Store {
  get<T = unknown>(key: Key): Promise<MaybeEntry<T>>;
  getMany<T = unknown>(keys: readonly Key[]): Promise<MaybeEntry<T>[]>;
  set(key: Key, value: unknown): Promise<{ ok: true; versionstamp: string }>;
  delete(key: Key): Promise<void>;
  list<T = unknown>(selector: ListSelector, options?: ListOptions): AsyncIterable<Entry<T>>;
  atomic(): AtomicOperation;
}

/**
 * Large payloads (S3 objects, Lambda code) beside the Store, chunked so that no KV value limit
 * bounds an object's size. Bodies stream in and out.
 */
export interface BlobStore {
  /** Stores the bytes under `key` (replacing any), returns their size in bytes. */
  put(key: string, body: ReadableStream<Uint8Array> | Uint8Array): Promise<{ size: number }>;
  /** Streams bytes `[start, end]` inclusive (whole blob by default); null if absent. */
  get(key: string, range?: { start: number; end: number }): Promise<ReadableStream<Uint8Array> | null>;
  /**
   * Optional: bytes `[start, end]` inclusive (whole blob by default) in one buffer, or null if
   * absent. For small reads where a stream costs more than the data (S3 GETs of a few KiB);
   * callers fall back to `get` when a store does not offer it.
   */
  read?(key: string, range?: { start: number; end: number }): Promise<Uint8Array | null>;
  /** Size in bytes, or null if absent. */
  size(key: string): Promise<number | null>;
  delete(key: string): Promise<void>;
  /** Every key starting with `prefix` (for reset and snapshots). */
  keys(prefix?: string): AsyncIterable<string>;
}
