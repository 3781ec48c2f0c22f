/**
 * The in-memory Store: a sorted map (sorted-list.ts) from encoded key to value and version,
 * which serves lookups and ordered `list`. Values are kept by reference (handlers treat them
 * as immutable; the copying store catches those that do not). Semantics follow Deno KV
 * (https://docs.deno.com/api/deno/~/Deno.Kv), including its list-selector errors.
 *
 * An entry costs its encoded key and three array slots (key, value, version): no Map entry,
 * no object per entry. The key tuple is not kept (`list` decodes it from the encoded key;
 * `get` answers with the caller's), and the versionstamp is the commit's number, formatted
 * only when read.
 */
import { assertWritableKey, decodeKey, encodeKey, flatString, isEncodedUnder, prefixRange } from "./keys.ts";
import { atomicBuilder } from "./atomic.ts";
import { SortedMap } from "./sorted-list.ts";
import type { AtomicOperation, Entry, Key, ListOptions, ListSelector, MaybeEntry, Store } from "./types.ts";

// 20 hex digits like Deno KV; a counter stays exact to 2^53. Built flat (see flatString).
const ZEROS = "00000000000000000000";
function versionstampOf(version: number): string {
  const hex = version.toString(16);
  return hex.length >= 20 ? hex : [ZEROS.slice(hex.length), hex].join("");
}

/** A memory Store plus admin helpers (size, wholesale clear). */
export interface MemoryStore extends Store {
  /** Number of keys stored. */
  readonly size: number;
  /** Removes every key (faster than deleting them one by one). */
  clear(): void;
}

/** Entries read per step of `list`; each batch is a consistent read, as Deno KV's `batchSize`. */
const LIST_BATCH = 128;

/** Bounds of a list selector as an encoded half-open range `[lo, hi)`. */
export function selectorRange(selector: ListSelector): { lo: string; hi: string } {
  const s = selector as { prefix?: Key; start?: Key; end?: Key };
  if (s.prefix !== undefined) {
    if (s.start !== undefined && s.end !== undefined) {
      throw new TypeError("Selector can not specify both 'start' and 'end' key when specifying 'prefix'");
    }
    const p = encodeKey(s.prefix);
    const range = prefixRange(p);
    if (s.start !== undefined) {
      const start = encodeKey(s.start);
      if (!isEncodedUnder(start, p)) throw new TypeError("Start key is not in the keyspace defined by prefix");
      range.lo = start;
    } else if (s.end !== undefined) {
      const end = encodeKey(s.end);
      if (!isEncodedUnder(end, p)) throw new TypeError("End key is not in the keyspace defined by prefix");
      range.hi = end;
    }
    return range;
  }
  if (s.start === undefined || s.end === undefined) {
    throw new TypeError("Selector must specify either 'prefix' or both 'start' and 'end' key");
  }
  const lo = encodeKey(s.start), hi = encodeKey(s.end);
  if (lo > hi) throw new TypeError("Start key is greater than end key");
  return { lo, hi };
}

/** A Store in memory (sorted, versionstamped, atomic): the default state of an emulator; gone when the process ends. */
export function createMemoryStore(): MemoryStore {
  /** Encoded key → value, and the sequence number of the commit that wrote it (`versionstampOf`). */
  const entries = new SortedMap<unknown>();
  let version = 0;

  const write = (encoded: string, value: unknown, version: number): void => {
    const pos = entries.find(encoded);
    // A new key is kept flat: it lives as long as the entry.
    if (pos < 0) entries.set(flatString(encoded), value, version);
    else entries.setAt(pos, value, version);
  };
  const read = <T>(key: Key): MaybeEntry<T> => {
    const pos = entries.find(encodeKey(key));
    return pos >= 0
      ? { key, value: entries.valueAt(pos) as T, versionstamp: versionstampOf(entries.versionAt(pos)) }
      : { key, value: null, versionstamp: null };
  };

  async function* list<T>(selector: ListSelector, options: ListOptions = {}): AsyncGenerator<Entry<T>> {
    let { lo, hi } = selectorRange(selector);
    const reverse = options.reverse === true;
    let remaining = options.limit === undefined ? Infinity : Math.max(0, Math.floor(options.limit));
    let loExclusive = false;
    while (remaining > 0) {
      const want = Math.min(LIST_BATCH, remaining);
      const keys: string[] = [], values: unknown[] = [], versions: number[] = [];
      entries.rangeInto(lo, loExclusive, hi, reverse, want, keys, values, versions);
      const batch: Entry<T>[] = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) {
        batch[i] = { key: decodeKey(keys[i]!), value: values[i] as T, versionstamp: versionstampOf(versions[i]!) };
      }
      // Resume after the last key read, so writes during iteration are seen deterministically:
      // keys not yet reached appear, deleted ones do not, nothing repeats.
      for (const entry of batch) yield entry;
      if (keys.length < want) return;
      remaining -= keys.length;
      const last = keys[keys.length - 1]!;
      if (reverse) hi = last;
      else (lo = last), (loExclusive = true);
    }
  }

  function atomic(): AtomicOperation {
    return atomicBuilder(async (checks, mutations) => {
      // Synchronous from first check to last write: nothing can interleave.
      for (const c of checks) {
        const pos = entries.find(encodeKey(c.key));
        if ((pos >= 0 ? versionstampOf(entries.versionAt(pos)) : null) !== c.versionstamp) return { ok: false as const };
      }
      const v = ++version;
      for (const m of mutations) {
        if (m.del) entries.delete(encodeKey(m.key));
        else write(encodeKey(m.key), m.value, v);
      }
      return { ok: true as const, versionstamp: versionstampOf(v) };
    });
  }

  return {
    get size() {
      return entries.size;
    },
    clear() {
      entries.clear();
    },
    async get<T>(key: Key) {
      return read<T>(key);
    },
    async getMany<T>(keys: readonly Key[]) {
      const out: MaybeEntry<T>[] = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) out[i] = read<T>(keys[i]!);
      return out;
    },
    async set(key: Key, value: unknown) {
      assertWritableKey(key);
      const v = ++version;
      write(encodeKey(key), value, v);
      return { ok: true as const, versionstamp: versionstampOf(v) };
    },
    async delete(key: Key) {
      assertWritableKey(key);
      entries.delete(encodeKey(key));
    },
    list,
    atomic,
  };
}
