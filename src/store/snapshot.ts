/**
 * Snapshot, restore, merge and clear of state through the Store interface (so they work the
 * same for every store). Format: docs/state-format.md.
 *
 *   { format: "fetchstack-state", version: 1, prefix, entries: [{ key, value }], blobs? }
 *
 * Keys are relative to the snapshot's prefix. Keys and values go through a tagged JSON
 * encoding (`encodeJson` / `decodeJson`) that round-trips Uint8Array, bigint, non-finite
 * numbers, -0, undefined and Date exactly.
 */
import type { BlobStore, Key, KeyPart, Store } from "./types.ts";
import { bytesToBase64, decodeBase64 } from "../encoding/base64.ts";

export const STATE_FORMAT = "fetchstack-state";
export const STATE_VERSION = 1;

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface StateSnapshot {
  format: typeof STATE_FORMAT;
  version: typeof STATE_VERSION;
  /** The prefix the snapshot was taken under (tagged-encoded key); entry keys are relative to it. */
  prefix: Json[];
  entries: { key: Json[]; value: Json }[];
  /** Blob keys relative to the blob prefix; bytes base64. */
  blobs?: { key: string; data: string }[];
}

export interface SnapshotOptions {
  /** Also snapshot (or restore) blobs, under `blobPrefix` (default ""). */
  blobs?: BlobStore;
  blobPrefix?: string;
}

export interface RestoreOptions extends SnapshotOptions {
  /** `replace` clears the prefix (and blob prefix) first; `merge` only adds and overwrites. */
  mode: "replace" | "merge";
}

// ---- tagged JSON encoding ----

const TAGS = new Set(["$bytes", "$bigint", "$number", "$undefined", "$date", "$object"]);

/** Encodes a value (JSON data plus Uint8Array, bigint, non-finite numbers, -0, undefined, Date) as JSON data. */
export function encodeJson(value: unknown): Json {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value;
    case "number":
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { $number: Object.is(value, -0) ? "-0" : String(value) };
    case "bigint":
      return { $bigint: value.toString() };
    case "undefined":
      return { $undefined: true };
    case "object": {
      if (value === null) return null;
      if (value instanceof Uint8Array) return { $bytes: bytesToBase64(value) };
      if (value instanceof Date) return { $date: value.toISOString() };
      if (Array.isArray(value)) return value.map(encodeJson);
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        throw new TypeError(`cannot snapshot a ${Object.prototype.toString.call(value)} value`);
      }
      const out: { [key: string]: Json } = {};
      let count = 0, dollar = false;
      for (const k of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[k];
        if (v === undefined) continue; // as JSON: an absent property
        out[k] = encodeJson(v);
        count++;
        dollar = k.startsWith("$");
      }
      // A one-member object whose name starts with "$" would read back as a tag: wrap it.
      return count === 1 && dollar ? { $object: out } : out;
    }
    default:
      throw new TypeError(`cannot snapshot a ${typeof value} value`);
  }
}

/** Inverse of `encodeJson`. Throws TypeError on an unknown `$` tag. */
export function decodeJson(json: Json): unknown {
  if (json === null || typeof json !== "object") return json;
  if (Array.isArray(json)) return json.map(decodeJson);
  const keys = Object.keys(json);
  if (keys.length === 1 && keys[0]!.startsWith("$")) {
    const tag = keys[0]!;
    const body = json[tag]!;
    switch (tag) {
      case "$bytes": return decodeBase64(body as string);
      case "$bigint": return BigInt(body as string);
      case "$number": return body === "-0" ? -0 : Number(body);
      case "$undefined": return undefined;
      case "$date": return new Date(body as string);
      case "$object": return decodePlain(body as { [key: string]: Json });
      default: throw new TypeError(`unknown tag ${tag} in state snapshot (known: ${[...TAGS].join(", ")})`);
    }
  }
  return decodePlain(json);
}

function decodePlain(json: { [key: string]: Json }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(json)) out[k] = decodeJson(json[k]!);
  return out;
}

export function encodeKeyJson(key: Key): Json[] {
  return key.map(encodeJson);
}

export function decodeKeyJson(json: Json[]): KeyPart[] {
  if (!Array.isArray(json)) throw new TypeError("snapshot key must be an array");
  return json.map((part) => {
    const v = decodeJson(part);
    if (typeof v === "string" || typeof v === "number" || typeof v === "bigint" || typeof v === "boolean" || v instanceof Uint8Array) return v;
    throw new TypeError(`invalid key part in snapshot: ${JSON.stringify(part)}`);
  });
}

// ---- snapshot / restore / clear ----

/** Every entry under `prefix` (all state by default), plus blobs when `options.blobs` is given. */
export async function snapshotStore(store: Store, prefix: Key = [], options: SnapshotOptions = {}): Promise<StateSnapshot> {
  const entries: StateSnapshot["entries"] = [];
  const n = prefix.length;
  for await (const e of store.list({ prefix })) {
    entries.push({ key: encodeKeyJson(e.key.slice(n)), value: encodeJson(e.value) });
  }
  const snapshot: StateSnapshot = { format: STATE_FORMAT, version: STATE_VERSION, prefix: encodeKeyJson(prefix), entries };
  if (options.blobs) {
    const blobPrefix = options.blobPrefix ?? "";
    snapshot.blobs = [];
    for await (const key of options.blobs.keys(blobPrefix)) {
      const stream = await options.blobs.get(key);
      if (stream) snapshot.blobs.push({ key: key.slice(blobPrefix.length), data: bytesToBase64(await readAll(stream)) });
    }
  }
  return snapshot;
}

/**
 * Writes a snapshot's entries under `prefix` (their keys are relative). `replace` first clears
 * everything under `prefix`; `merge` keeps what is there and overwrites equal keys.
 * Throws TypeError (before writing anything) if the snapshot is not a valid version-1 snapshot.
 */
export async function restoreStore(store: Store, snapshot: StateSnapshot, options: RestoreOptions, prefix: Key = []): Promise<{ entries: number; blobs: number }> {
  const { entries, blobs } = parseSnapshot(snapshot);
  if (options.mode === "replace") {
    await clearStore(store, prefix);
    if (options.blobs) await clearBlobs(options.blobs, options.blobPrefix ?? "");
  } else if (options.mode !== "merge") {
    throw new TypeError(`unknown restore mode ${String(options.mode)}`);
  }
  for (const [key, value] of entries) await store.set([...prefix, ...key], value);
  if (options.blobs) {
    const blobPrefix = options.blobPrefix ?? "";
    for (const [key, data] of blobs) await options.blobs.put(blobPrefix + key, data);
  }
  return { entries: entries.length, blobs: options.blobs ? blobs.length : 0 };
}

function parseSnapshot(snapshot: StateSnapshot): { entries: [KeyPart[], unknown][]; blobs: [string, Uint8Array][] } {
  if (!snapshot || typeof snapshot !== "object" || snapshot.format !== STATE_FORMAT) {
    throw new TypeError(`not a ${STATE_FORMAT} snapshot`);
  }
  if (snapshot.version !== STATE_VERSION) throw new TypeError(`unsupported ${STATE_FORMAT} version ${String(snapshot.version)}`);
  if (!Array.isArray(snapshot.entries)) throw new TypeError("snapshot entries must be an array");
  const entries = snapshot.entries.map((e): [KeyPart[], unknown] => {
    const key = decodeKeyJson(e.key);
    if (key.length === 0) throw new TypeError("snapshot key cannot be empty");
    return [key, decodeJson(e.value)];
  });
  const blobs = (snapshot.blobs ?? []).map((b): [string, Uint8Array] => {
    if (typeof b.key !== "string" || typeof b.data !== "string") throw new TypeError("snapshot blob needs a string key and base64 data");
    return [b.key, decodeBase64(b.data)];
  });
  return { entries, blobs };
}

/** Deletes every key under `prefix` (all keys when empty). */
export async function clearStore(store: Store, prefix: Key = []): Promise<number> {
  let count = 0;
  for (;;) {
    const keys: Key[] = [];
    for await (const e of store.list({ prefix }, { limit: 500 })) keys.push(e.key);
    if (keys.length === 0) return count;
    for (const key of keys) await store.delete(key);
    count += keys.length;
  }
}

/** Deletes every blob whose key starts with `prefix`. */
export async function clearBlobs(blobs: BlobStore, prefix = ""): Promise<number> {
  const keys: string[] = [];
  for await (const key of blobs.keys(prefix)) keys.push(key);
  for (const key of keys) await blobs.delete(key);
  return keys.length;
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.length;
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) out.set(p, offset), (offset += p.length);
  return out;
}
