/**
 * The one `AtomicOperation` builder every store uses: `check`, `set` and `delete` validate their
 * key (`assertWritableKey`) and are collected in call order; `commit` hands them to the store's
 * own commit function, which applies all or none. A store is then only its commit.
 *
 * `mapAtomic` is the same for stores that wrap another (prefixed views, the copying store):
 * keys and values are mapped on the way in, the inner store's operation does the rest.
 */
import { assertWritableKey } from "./keys.ts";
import type { AtomicCheck, AtomicOperation, Key } from "./types.ts";

/** One write of a commit: a set (`value`) or a delete (`del: true`). JSON-safe for RPC. */
export interface Mutation {
  key: Key;
  value?: unknown;
  del?: true;
}

export type CommitResult = { ok: true; versionstamp: string } | { ok: false };

/** An operation whose `commit` calls `commit(checks, mutations)` with what was collected. */
export function atomicBuilder(commit: (checks: AtomicCheck[], mutations: Mutation[]) => Promise<CommitResult>): AtomicOperation {
  const checks: AtomicCheck[] = [];
  const mutations: Mutation[] = [];
  const op: AtomicOperation = {
    check(...items) {
      for (const c of items) assertWritableKey(c.key), checks.push({ key: c.key, versionstamp: c.versionstamp });
      return op;
    },
    set(key, value) {
      assertWritableKey(key);
      mutations.push({ key, value });
      return op;
    },
    delete(key) {
      assertWritableKey(key);
      mutations.push({ key, del: true });
      return op;
    },
    commit: () => commit(checks, mutations),
  };
  return op;
}

/** An operation on `inner` with keys (checks and writes) and set values mapped first. */
export function mapAtomic(inner: AtomicOperation, mapKey: (key: Key) => Key, mapValue: (value: unknown) => unknown = (v) => v): AtomicOperation {
  const wrapper: AtomicOperation = {
    check(...checks) {
      inner.check(...checks.map((c) => ({ key: mapKey(c.key), versionstamp: c.versionstamp })));
      return wrapper;
    },
    set(key, value) {
      inner.set(mapKey(key), mapValue(value));
      return wrapper;
    },
    delete(key) {
      inner.delete(mapKey(key));
      return wrapper;
    },
    commit: () => inner.commit(),
  };
  return wrapper;
}

/**
 * `set`, `delete` and `atomic` of a store whose only write path is `commit`: a plain set is a
 * commit of one set without checks (it cannot fail), a delete one of one delete.
 */
export function writesThrough(commit: (checks: AtomicCheck[], mutations: Mutation[]) => Promise<CommitResult>, storeName: string) {
  return {
    async set(key: Key, value: unknown): Promise<{ ok: true; versionstamp: string }> {
      assertWritableKey(key);
      const result = await commit([], [{ key, value }]);
      if (!result.ok) throw new Error(`${storeName}: unconditional set failed`);
      return result;
    },
    async delete(key: Key): Promise<void> {
      assertWritableKey(key);
      await commit([], [{ key, del: true }]);
    },
    atomic: (): AtomicOperation => atomicBuilder(commit),
  };
}

/** One try of `commitWithRetry`: an operation to commit and what to return if it wins, or `done` to stop without writing. */
export type CommitAttempt<T> = { op: AtomicOperation; value: T } | { done: T };

export interface CommitRetryOptions {
  /** Tries after the first when a concurrent write wins (default 16). */
  retries?: number;
  /** The error once every try lost (default an Error naming the count); e.g. a service's throttling error. */
  conflict?: (attempts: number) => Error;
}

/**
 * The optimistic write loop, once: `attempt` reads what it needs and returns an operation whose
 * checks guard those reads (plus its writes); a commit that loses to a concurrent writer is
 * retried from a fresh read after a short random backoff. `attempt` may run more than once, so
 * it must have no side effects outside the operation. Resolves to the winning attempt's `value`
 * and its commit's versionstamp (or `done` and null); throws `conflict(attempts)` when every try
 * lost, and whatever `attempt` throws.
 */
export async function commitWithRetry<T>(
  attempt: () => Promise<CommitAttempt<T>>,
  options: CommitRetryOptions = {},
): Promise<{ value: T; versionstamp: string | null }> {
  const retries = options.retries ?? 16;
  for (let i = 0; i <= retries; i++) {
    if (i > 0) await backoff(i);
    const next = await attempt();
    if ("done" in next) return { value: next.done, versionstamp: null };
    const result = await next.op.commit();
    if (result.ok) return { value: next.value, versionstamp: result.versionstamp };
  }
  throw options.conflict?.(retries + 1) ?? new Error(`commit conflicted ${retries + 1} times`);
}

// Jitter, not emulator time: it only spreads writers that raced on the same keys.
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(100, 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
