/**
 * A Store that deep-copies (`structuredClone`) every key and value on the way in and out, so a
 * handler that mutates a value it read, or one it wrote, without `set`ting it again, sees the
 * store disagree with it in tests. Wraps any Store (a fresh memory store by default).
 */
import { createMemoryStore } from "./memory.ts";
import { UNDERLYING, type WrappingStore } from "./mutex.ts";
import type { AtomicOperation, Entry, Key, ListOptions, ListSelector, MaybeEntry, Store } from "./types.ts";
import { mapAtomic } from "./atomic.ts";

const copy = <T>(v: T): T => structuredClone(v);
const copyEntry = <E extends MaybeEntry<unknown>>(e: E): E => ({ key: copy(e.key), value: copy(e.value), versionstamp: e.versionstamp }) as E;

/**
 * A Store that structured-clones every value in and out of `inner` (default: a memory store),
 * so a handler that mutates a value it read or wrote fails tests the way a durable store would.
 */
export function createCopyingStore(inner: Store = createMemoryStore()): Store {
  const wrapping: WrappingStore = {
    [UNDERLYING]: { store: inner, prefix: [] },
    async get<T>(key: Key) {
      return copyEntry(await inner.get<T>(key));
    },
    async getMany<T>(keys: readonly Key[]) {
      return (await inner.getMany<T>(keys)).map(copyEntry);
    },
    set(key: Key, value: unknown) {
      return inner.set(copy(key), copy(value));
    },
    delete(key: Key) {
      return inner.delete(key);
    },
    async *list<T>(selector: ListSelector, options?: ListOptions): AsyncGenerator<Entry<T>> {
      for await (const entry of inner.list<T>(copy(selector), options)) yield copyEntry(entry);
    },
    atomic(): AtomicOperation {
      return mapAtomic(inner.atomic(), copy, copy);
    },
  };
  return wrapping;
}
