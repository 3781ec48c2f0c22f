/**
 * In-process wake-ups for long polling: ReceiveMessage waits on its queue's signal (bounded by
 * WaitTimeSeconds); anything that may make a message receivable notifies it. A wake-up only
 * makes the receiver look again, so a spurious one is harmless.
 */
import type { QueueRef } from "./queue-url.ts";

const waiters = new Map<string, Set<() => void>>();

const id = (q: QueueRef) => `${q.account}/${q.region}/${q.name}`;

export function notifyQueue(q: QueueRef): void {
  const key = id(q);
  const set = waiters.get(key);
  if (!set) return;
  waiters.delete(key);
  for (const wake of set) wake();
}

/** Resolves on the next notification for `q`, or after `ms` (the timer is cleared either way). */
export function waitForQueue(q: QueueRef, ms: number, abort?: AbortSignal): Promise<void> {
  const key = id(q);
  return new Promise((resolve) => {
    let set = waiters.get(key);
    if (!set) waiters.set(key, (set = new Set()));
    const done = () => {
      clearTimeout(timer);
      abort?.removeEventListener("abort", done);
      const current = waiters.get(key);
      current?.delete(done);
      if (current && current.size === 0) waiters.delete(key);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    abort?.addEventListener("abort", done);
    set.add(done);
  });
}
