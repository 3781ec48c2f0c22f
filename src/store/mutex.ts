/**
 * In-process serialization and optimistic read-modify-write.
 *
 * - `update(store, key, fn)`: one key's read-modify-write (counters, a resource's attribute
 *   map). It commits with `atomic().check()` on the versionstamp it read and retries on
 *   conflict, so it is correct against any writer, including other processes sharing a Deno KV
 *   or Durable Object store. Calls on the same store and key in this process also queue behind
 *   each other first, so in-process contention costs no retries.
 * - `withLock(name, fn)`: a multi-step operation that must not interleave with itself inside
 *   this process: reads and writes across several keys, or a decision with side effects
 *   (ReceiveMessage choosing messages and marking them in flight). It serializes only within
 *   one isolate; where other processes may write the same keys, also commit with checks.
 */
import { encodeKey } from "./keys.ts";
import type { Key, MaybeEntry, Store } from "./types.ts";
import { commitWithRetry } from "./atomic.ts";

const tails = new Map<string, Promise<unknown>>();

/** Runs `fn` once every earlier `withLock` call with the same `name` has settled. */
export function withLock<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  return chain(tails, name, fn);
}

function chain<T>(map: Map<string, Promise<unknown>>, name: string, fn: () => T | Promise<T>): Promise<T> {
  const previous = map.get(name);
  const run = previous ? previous.then(fn, fn) : new Promise<T>((resolve) => resolve(fn()));
  const tail = run.then(noop, noop);
  map.set(name, tail);
  void tail.then(() => {
    if (map.get(name) === tail) map.delete(name);
  });
  return run;
}

function noop(): void {}

const storeLocks = new WeakMap<Store, Map<string, Promise<unknown>>>();

/**
 * Set by wrapping stores (prefixed views, the copying store) to name the store they wrap and
 * the prefix they add, so `update` queues by the underlying key: a fresh `ctx.store` view per
 * request must still share one queue per stored key.
 */
export const UNDERLYING: unique symbol = Symbol.for("fetchstack.store.underlying");

/** A Store that wraps another (see `UNDERLYING`). */
export interface WrappingStore extends Store {
  [UNDERLYING]: { store: Store; prefix: Key };
}

type Wrapper = Partial<Pick<WrappingStore, typeof UNDERLYING>>;

function lockIdentity(store: Store, key: Key): [Store, Key] {
  for (let u = (store as Wrapper)[UNDERLYING]; u; u = (store as Wrapper)[UNDERLYING]) {
    store = u.store;
    if (u.prefix.length > 0) key = [...u.prefix, ...key];
  }
  return [store, key];
}

export interface UpdateOptions {
  /** Attempts after the first when a concurrent write wins (default 16). */
  retries?: number;
}

/** Thrown by `update` when every attempt lost to a concurrent writer. */
export class UpdateConflictError extends Error {
  constructor(key: Key, attempts: number) {
    super(`update of key ${JSON.stringify(key, (_, v) => (typeof v === "bigint" ? `${v}n` : v))} conflicted ${attempts} times`);
    this.name = "UpdateConflictError";
  }
}

/**
 * Reads `key`, computes `fn(current)` (`null` when absent), and writes the result if nobody
 * wrote the key in between; otherwise re-reads and retries. `fn` may run more than once, so
 * it must have no side effects. Returns the written value and its versionstamp.
 */
export async function update<T>(
  store: Store,
  key: Key,
  fn: (current: T | null, entry: MaybeEntry<T>) => T | Promise<T>,
  options: UpdateOptions = {},
): Promise<{ value: T; versionstamp: string }> {
  const [root, rootKey] = lockIdentity(store, key);
  let locks = storeLocks.get(root);
  if (!locks) storeLocks.set(root, (locks = new Map()));
  return chain(locks, encodeKey(rootKey), async () => {
    const { value, versionstamp } = await commitWithRetry(async () => {
      const entry = await store.get<T>(key);
      const value = await fn(entry.value, entry);
      return { op: store.atomic().check({ key, versionstamp: entry.versionstamp }).set(key, value), value };
    }, { retries: options.retries, conflict: (attempts) => new UpdateConflictError(key, attempts) });
    return { value, versionstamp: versionstamp! };
  });
}
