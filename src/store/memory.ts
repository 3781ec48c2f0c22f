/**
 * The in-memory Store: a Map from encoded key to entry, plus a sorted index of encoded keys
 * for ordered `list`. Values are kept by reference (handlers treat them as immutable; the
 * copying store catches those that do not). Semantics follow Deno KV
 * (https://docs.deno.com/api/deno/~/Deno.Kv), including its list-selector errors.
 *
 * An entry costs its encoded key (shared by the Map and the index), a Map entry whose value is
 * a slot number, and that slot in two arrays (value, version): no object per entry. The key
 * tuple is not kept (`list` decodes it from the encoded key; `get` answers with the caller's),
 * and the versionstamp is the commit's number, formatted only when read.
 */
import { assertWritableKey, decodeKey, encodeKey, flatString, isEncodedUnder, prefixRange } from "./keys.ts";
import { atomicBuilder } from "./atomic.ts";
import { SortedStrings } from "./sorted-list.ts";
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
  /** Encoded key → slot in `values` / `versions`. */
  const map = new Map<string, number>();
  let values: unknown[] = [];
  /** The sequence number of the commit that wrote each slot (`versionstampOf` formats it). */
  let versions: number[] = [];
  /** Slots of deleted keys, reused before the arrays grow. */
  let free: number[] = [];
  const index = new SortedStrings();
  let version = 0;

  const write = (encoded: string, value: unknown, version: number): void => {
    let slot = map.get(encoded);
    if (slot === undefined) {
      // A new key is kept flat (the Map and the index share it).
      index.insert((encoded = flatString(encoded)));
      slot = free.length > 0 ? free.pop()! : values.length;
      map.set(encoded, slot);
    }
    values[slot] = value;
    versions[slot] = version;
  };
  const remove = (encoded: string): void => {
    const slot = map.get(encoded);
    if (slot === undefined) return;
    map.delete(encoded);
    index.remove(encoded);
    if (map.size === 0) {
      // Emptied: let the arrays (sized for the most keys ever held) go.
      (values = []), (versions = []), (free = []);
      return;
    }
    values[slot] = undefined;
    free.push(slot);
  };
  const read = <T>(key: Key): MaybeEntry<T> => {
    const slot = map.get(encodeKey(key));
    return slot !== undefined
      ? { key, value: values[slot] as T, versionstamp: versionstampOf(versions[slot]!) }
      : { key, value: null, versionstamp: null };
  };

  async function* list<T>(selector: ListSelector, options: ListOptions = {}): AsyncGenerator<Entry<T>> {
    let { lo, hi } = selectorRange(selector);
    const reverse = options.reverse === true;
    let remaining = options.limit === undefined ? Infinity : Math.max(0, Math.floor(options.limit));
    let loExclusive = false;
    while (remaining > 0) {
      const want = Math.min(LIST_BATCH, remaining);
      const keys = index.range(lo, loExclusive, hi, reverse, want);
      const batch: Entry<T>[] = new Array(keys.length);
      for (let i = 0; i < keys.length; i++) {
        const encoded = keys[i]!;
        const slot = map.get(encoded)!;
        batch[i] = { key: decodeKey(encoded), value: values[slot] as T, versionstamp: versionstampOf(versions[slot]!) };
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
        const slot = map.get(encodeKey(c.key));
        if ((slot !== undefined ? versionstampOf(versions[slot]!) : null) !== c.versionstamp) return { ok: false as const };
      }
      const v = ++version;
      for (const m of mutations) {
        if (m.del) remove(encodeKey(m.key));
        else write(encodeKey(m.key), m.value, v);
      }
      return { ok: true as const, versionstamp: versionstampOf(v) };
    });
  }

  return {
    get size() {
      return map.size;
    },
    clear() {
      map.clear();
      (values = []), (versions = []), (free = []);
      index.clear();
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
      remove(encodeKey(key));
    },
    list,
    atomic,
  };
}
