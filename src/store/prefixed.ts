/**
 * A namespaced view of a Store: every key is `[...prefix, ...key]` underneath and is stripped
 * on the way out. This is how `ctx.store` becomes `[service, accountId, region, ...]`.
 * Lists never escape the namespace, and the view never shows the key equal to `prefix` itself.
 */
import { assertWritableKey } from "./keys.ts";
import { UNDERLYING, type WrappingStore } from "./mutex.ts";
import type { AtomicOperation, Entry, Key, ListOptions, ListSelector, MaybeEntry, Store } from "./types.ts";
import { mapAtomic } from "./atomic.ts";

export function prefixStore(store: Store, prefix: Key): Store {
  if (prefix.length === 0) return store;
  const p = prefix.slice();
  const n = p.length;
  // `concat` allocates the exact length; `[...p, ...key]` leaves spare capacity that a stored key keeps.
  const add = (key: Key): Key => {
    if (!Array.isArray(key)) throw new TypeError("key must be an array");
    return p.concat(key);
  };
  const addWritable = (key: Key): Key => {
    assertWritableKey(key);
    return p.concat(key);
  };
  const strip = <E extends MaybeEntry<unknown>>(e: E, key: Key): E => ({ key, value: e.value, versionstamp: e.versionstamp }) as E;

  const wrapping: WrappingStore = {
    [UNDERLYING]: { store, prefix: p },
    async get<T>(key: Key) {
      return strip(await store.get<T>(add(key)), key);
    },
    async getMany<T>(keys: readonly Key[]) {
      const entries = await store.getMany<T>(keys.map(add));
      return entries.map((e, i) => strip(e, keys[i]!));
    },
    set(key: Key, value: unknown) {
      return store.set(addWritable(key), value);
    },
    delete(key: Key) {
      return store.delete(addWritable(key));
    },
    async *list<T>(selector: ListSelector, options?: ListOptions): AsyncGenerator<Entry<T>> {
      const s = selector as { prefix?: Key; start?: Key; end?: Key };
      const inner = {} as { prefix?: Key; start?: Key; end?: Key };
      inner.prefix = s.prefix !== undefined ? add(s.prefix) : undefined;
      if (s.start !== undefined) inner.start = add(s.start);
      if (s.end !== undefined) inner.end = add(s.end);
      if (inner.prefix === undefined) delete inner.prefix;
      for await (const e of store.list<T>(inner as ListSelector, options)) {
        // `{start: [], ...}` would otherwise reach the namespace root key itself.
        if (e.key.length > n) yield { key: e.key.slice(n), value: e.value, versionstamp: e.versionstamp };
      }
    },
    atomic(): AtomicOperation {
      return mapAtomic(store.atomic(), addWritable);
    },
  };
  return wrapping;
}
