/**
 * Stores on Cloudflare Durable Objects (https://developers.cloudflare.com/durable-objects/),
 * strongly consistent, for the Workers build.
 *
 * - `FetchstackStateObject`: the Durable Object class (SQLite-backed). It holds one partition
 *   of the key space in a table `kv(k BLOB PRIMARY KEY, t, v, vs)`, `k` being the key's
 *   order-preserving bytes (key-codec.ts). Every operation runs synchronously against SQLite
 *   inside one request, so a commit's checks and writes cannot interleave with another's, and
 *   the runtime's output gate holds the reply until the write is durable.
 * - `createDurableObjectStore(namespace)`: a Store that routes each key to the object owning
 *   its partition (see `partitionOf`): one object per [service, account, region] (and per
 *   [service, "global"]). A busy queue or table therefore serializes only its own service in
 *   its own account and region, never other services or accounts. An atomic operation must
 *   stay inside one partition (services only write their own namespace atomically). Lists
 *   wider than a partition (snapshot, reset) merge the lists of the partitions recorded in a
 *   directory object.
 * - `createDurableObjectBlobStore(namespace)`: blob chunks (store-blobs.ts) in one object per
 *   blob-key partition (`service/account/region/`).
 *
 * Objects talk over `fetch` with tagged JSON (snapshot.ts), so the class needs no
 * `cloudflare:` import and the module stays web-standard.
 */
import { encodeKey, prefixRange } from "./keys.ts";
import { decodeKeyBytes, encodedToBytes, keyBytes } from "./key-codec.ts";
import { selectorRange } from "./memory.ts";
import { decodeJson, encodeJson, type Json } from "./snapshot.ts";
import { openStoreBlobStore } from "./store-blobs.ts";
import { prefixStore } from "./prefixed.ts";
import type { AtomicCheck, BlobStore, Entry, Key, ListOptions, ListSelector, MaybeEntry, Store } from "./types.ts";
import { writesThrough, type Mutation } from "./atomic.ts";

// ---- the Durable Object ----

export interface SqlStorageLike {
  exec(query: string, ...bindings: unknown[]): { toArray(): Record<string, unknown>[] };
}

export interface DurableObjectStateLike {
  storage: { sql: SqlStorageLike };
}

type Message =
  | { op: "getMany"; keys: Key[] }
  | { op: "commit"; checks: AtomicCheck[]; mutations: Mutation[] }
  | { op: "list"; lo: string; hi: string; loExclusive: boolean; reverse: boolean; limit: number };

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const LIST_BATCH = 128;

function toBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

function storedValue(value: unknown): [number, ArrayBuffer] {
  if (value instanceof Uint8Array) return [1, toBuffer(value)];
  return [0, toBuffer(encoder.encode(JSON.stringify(encodeJson(value))))];
}

function loadValue(t: unknown, v: unknown): unknown {
  const bytes = new Uint8Array(v as ArrayBuffer);
  return t === 1 ? bytes.slice() : decodeJson(JSON.parse(decoder.decode(bytes)) as Json);
}

/** One partition's state, on the object's SQLite database. */
export class FetchstackStateObject {
  private readonly sql: SqlStorageLike;

  constructor(state: DurableObjectStateLike, _env?: unknown) {
    this.sql = state.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, t INTEGER NOT NULL, v BLOB NOT NULL, vs TEXT NOT NULL) WITHOUT ROWID");
    this.sql.exec("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, n INTEGER NOT NULL)");
  }

  async fetch(request: Request): Promise<Response> {
    let body: unknown;
    try {
      body = await request.json();
    } catch (error) {
      // The calling request ended before its message arrived (a call no request awaits, such as
      // the blob store's sweep, once the client hangs up): nothing was applied and no one reads
      // the answer. Thrown, workerd would log it as an uncaught error.
      if (error instanceof TypeError && /client disconnected/i.test(error.message)) return new Response(null, { status: 499 });
      throw error;
    }
    const message = decodeJson(body as Json) as Message;
    return new Response(JSON.stringify(encodeJson(this.handle(message))), { headers: { "content-type": "application/json" } });
  }

  /** Runs one message synchronously (no await: nothing else runs in this object meanwhile). */
  handle(message: Message): unknown {
    switch (message.op) {
      case "getMany":
        return message.keys.map((key) => {
          const row = this.sql.exec("SELECT t, v, vs FROM kv WHERE k = ?", toBuffer(keyBytes(key))).toArray()[0];
          return row ? { value: loadValue(row.t, row.v), versionstamp: row.vs } : { value: null, versionstamp: null };
        });
      case "commit": {
        for (const c of message.checks) {
          const row = this.sql.exec("SELECT vs FROM kv WHERE k = ?", toBuffer(keyBytes(c.key))).toArray()[0];
          if (((row?.vs as string | undefined) ?? null) !== c.versionstamp) return { ok: false };
        }
        const n = ((this.sql.exec("SELECT n FROM meta WHERE name = 'version'").toArray()[0]?.n as number | undefined) ?? 0) + 1;
        this.sql.exec("INSERT OR REPLACE INTO meta (name, n) VALUES ('version', ?)", n);
        const versionstamp = n.toString(16).padStart(20, "0");
        for (const m of message.mutations) {
          const k = toBuffer(keyBytes(m.key));
          if (m.del) this.sql.exec("DELETE FROM kv WHERE k = ?", k);
          else this.sql.exec("INSERT OR REPLACE INTO kv (k, t, v, vs) VALUES (?, ?, ?, ?)", k, ...storedValue(m.value), versionstamp);
        }
        return { ok: true, versionstamp };
      }
      case "list": {
        const lo = toBuffer(encodedToBytes(message.lo)), hi = toBuffer(encodedToBytes(message.hi));
        const rows = this.sql.exec(
          `SELECT k, t, v, vs FROM kv WHERE k ${message.loExclusive ? ">" : ">="} ? AND k < ? ORDER BY k ${message.reverse ? "DESC" : "ASC"} LIMIT ?`,
          lo, hi, message.limit,
        ).toArray();
        return rows.map((row) => ({ key: decodeKeyBytes(new Uint8Array(row.k as ArrayBuffer)), value: loadValue(row.t, row.v), versionstamp: row.vs }));
      }
    }
  }
}

// ---- clients ----

/** The part of a DurableObjectNamespace binding used here. */
export interface DurableObjectNamespaceLike {
  idFromName(name: string): unknown;
  get(id: never): { fetch(request: Request): Promise<Response> };
}

type Call = (message: Message) => Promise<unknown>;

function caller(namespace: DurableObjectNamespaceLike, name: string): Call {
  const id = namespace.idFromName(name);
  return async (message) => {
    // A stub is an I/O object of the request that made it: Workers forbid using it in another.
    const stub = namespace.get(id as never);
    const response = await stub.fetch(new Request("https://fetchstack-state/", { method: "POST", body: JSON.stringify(encodeJson(message)) }));
    if (!response.ok) throw new Error(`state object ${name} answered ${response.status}: ${await response.text()}`);
    return decodeJson((await response.json()) as Json);
  };
}

/**
 * The partition key of `key`: [service, account, region] (or [service, "global"]) for
 * service keys; shorter keys go to the partition of all but their last part, so that keys
 * differing only in their last part share an object (and can commit atomically together).
 */
export function partitionOf(key: Key): Key {
  return key.slice(0, Math.min(key[1] === "global" ? 2 : 3, key.length - 1));
}

export interface DurableObjectStoreOptions {
  /** Prefix of object names, so several stores (or tests) share one namespace apart. Default "state". */
  name?: string;
}

export interface DurableObjectStore extends Store {
  readonly kind: "durable-object";
}

/** A Store whose partitions live in Durable Objects of `namespace` (see the module comment). */
export function createDurableObjectStore(namespace: DurableObjectNamespaceLike, options: DurableObjectStoreOptions = {}): DurableObjectStore {
  const name = options.name ?? "state";
  const partitions = new Map<string, Call>();
  const objectFor = (partition: Key): Call => {
    const id = encodeKey(partition);
    let call = partitions.get(id);
    if (!call) partitions.set(id, (call = caller(namespace, `${name}:${JSON.stringify(encodeJson(partition))}`)));
    return call;
  };
  // The directory: which partitions exist, so that wide lists can visit them in order.
  const directory = caller(namespace, `${name}:directory`);
  const registered = new Set<string>();
  const register = async (partition: Key) => {
    const id = encodeKey(partition);
    if (registered.has(id)) return;
    await directory({ op: "commit", checks: [], mutations: [{ key: ["p", id], value: partition }] });
    registered.add(id);
  };

  async function getMany<T>(keys: readonly Key[]): Promise<MaybeEntry<T>[]> {
    const groups = new Map<string, { partition: Key; indexes: number[] }>();
    keys.forEach((key, i) => {
      if (!Array.isArray(key)) throw new TypeError("key must be an array");
      const partition = partitionOf(key);
      const id = encodeKey(partition);
      const g = groups.get(id) ?? groups.set(id, { partition, indexes: [] }).get(id)!;
      g.indexes.push(i);
    });
    const out: MaybeEntry<T>[] = new Array(keys.length);
    await Promise.all([...groups.values()].map(async ({ partition, indexes }) => {
      const found = (await objectFor(partition)({ op: "getMany", keys: indexes.map((i) => keys[i]!) })) as { value: T | null; versionstamp: string | null }[];
      indexes.forEach((i, j) => (out[i] = { key: keys[i]!, value: found[j]!.value, versionstamp: found[j]!.versionstamp }));
    }));
    return out;
  }

  async function commit(checks: AtomicCheck[], mutations: Mutation[]): Promise<{ ok: true; versionstamp: string } | { ok: false }> {
    const keys = [...checks.map((c) => c.key), ...mutations.map((m) => m.key)];
    if (keys.length === 0) return { ok: true, versionstamp: "0".repeat(20) };
    const partition = partitionOf(keys[0]!);
    const id = encodeKey(partition);
    for (const key of keys) {
      if (encodeKey(partitionOf(key)) !== id) throw new Error("fetchstack Durable Object store: an atomic operation must stay inside one [service, account, region] partition");
    }
    if (mutations.length) await register(partition);
    return (await objectFor(partition)({ op: "commit", checks, mutations })) as { ok: true; versionstamp: string } | { ok: false };
  }

  async function* listPartition<T>(call: Call, lo: string, hi: string, reverse: boolean, limit: number): AsyncGenerator<Entry<T>> {
    let loExclusive = false;
    while (limit > 0) {
      const want = Math.min(LIST_BATCH, limit);
      const batch = (await call({ op: "list", lo, hi, loExclusive, reverse, limit: want })) as Entry<T>[];
      for (const e of batch) yield e;
      if (batch.length < want) return;
      limit -= batch.length;
      const last = encodeKey(batch[batch.length - 1]!.key);
      if (reverse) hi = last;
      else (lo = last), (loExclusive = true);
    }
  }

  async function* list<T>(selector: ListSelector, options: ListOptions = {}): AsyncGenerator<Entry<T>> {
    const { lo, hi } = selectorRange(selector);
    const reverse = options.reverse === true;
    let remaining = options.limit === undefined ? Infinity : Math.max(0, Math.floor(options.limit));
    if (remaining === 0 || lo >= hi) return;
    // Partitions may nest (a short key's partition holds keys beside longer partitions), so
    // the lists of every partition that can hold keys in [lo, hi) are merged by key.
    const { lo: dirLo, hi: dirHi } = prefixRange(encodeKey(["p"]));
    const cursors: { iterator: AsyncGenerator<Entry<T>>; head: Entry<T> | undefined; key: string }[] = [];
    for await (const e of listPartition<Key>(directory, dirLo, dirHi, false, Infinity)) {
      const partition = e.value;
      const range = prefixRange(encodeKey(partition));
      const from = range.lo > lo ? range.lo : lo, to = range.hi < hi ? range.hi : hi;
      if (from >= to) continue;
      const iterator = listPartition<T>(objectFor(partition), from, to, reverse, remaining);
      const first = await iterator.next();
      if (!first.done) cursors.push({ iterator, head: first.value, key: encodeKey(first.value.key) });
    }
    while (cursors.length > 0 && remaining > 0) {
      let best = 0;
      for (let i = 1; i < cursors.length; i++) {
        if (reverse ? cursors[i]!.key > cursors[best]!.key : cursors[i]!.key < cursors[best]!.key) best = i;
      }
      const cursor = cursors[best]!;
      yield cursor.head!;
      remaining--;
      const next = await cursor.iterator.next();
      if (next.done) cursors.splice(best, 1);
      else (cursor.head = next.value), (cursor.key = encodeKey(next.value.key));
    }
    for (const c of cursors) await c.iterator.return(undefined);
  }

  return {
    kind: "durable-object",
    async get<T>(key: Key) {
      return (await getMany<T>([key]))[0]!;
    },
    getMany,
    ...writesThrough(commit, "fetchstack Durable Object store"),
    list,
  };
}

/**
 * Blobs in Durable Objects: one object (one chunked blob store) per blob-key partition, the
 * first three `/`-separated segments (`service/account/region/`, as the emulator prefixes
 * them); `keys` visits every partition the directory knows.
 */
export function createDurableObjectBlobStore(namespace: DurableObjectNamespaceLike, options: DurableObjectStoreOptions = {}): BlobStore {
  const name = options.name ?? "blobs";
  // Each partition is a one-partition state store: every key is under ["b"].
  const state = createDurableObjectStore(namespace, { name });
  const stores = new Map<string, Promise<BlobStore>>();
  const partitionOfBlob = (key: string) => key.split("/").slice(0, 3).join("/");
  const storeFor = (partition: string) => {
    let s = stores.get(partition);
    if (!s) stores.set(partition, (s = openStoreBlobStore(prefixStore(state, ["b", partition, "x"]))));
    return s;
  };
  const route = (key: string) => storeFor(partitionOfBlob(key));
  return {
    put: async (key, body) => (await route(key)).put(key, body),
    get: async (key, range) => (await route(key)).get(key, range),
    size: async (key) => (await route(key)).size(key),
    delete: async (key) => (await route(key)).delete(key),
    async *keys(prefix = "") {
      const parts = new Set<string>();
      for await (const e of state.list({ prefix: ["b"] })) parts.add(e.key[1] as string);
      for (const p of [...parts].sort()) {
        const pp = p + "/";
        if (!pp.startsWith(prefix) && !prefix.startsWith(pp) && !p.startsWith(prefix)) continue;
        for await (const k of (await storeFor(p)).keys(prefix)) yield k;
      }
    },
  };
}
