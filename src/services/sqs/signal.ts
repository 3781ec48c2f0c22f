/**
 * In-process wake-ups for long polling: ReceiveMessage waits on its queue's signal (bounded by
 * WaitTimeSeconds); anything that may make a message receivable notifies it. A wake-up only
 * makes the receiver look again, so a spurious one is harmless.
 */
import type { QueueRef } from "./queue-url.ts";
import type { Timers } from "../types.ts";

const waiters = new Map<string, Set<() => void>>();

const id = (q: QueueRef) => `${q.account}/${q.region}/${q.name}`;

export function notifyQueue(q: QueueRef): void {
  const key = id(q);
  const set = waiters.get(key);
  if (!set) return;
  waiters.delete(key);
  for (const wake of set) wake();
}

/**
 * Resolves on the next notification for `q`, or after `ms` of emulator time (`timers`, so a
 * manual clock drives long polls), or when `abort` fires; the timer is cancelled either way.
 */
export function waitForQueue(q: QueueRef, ms: number, timers: Timers, abort?: AbortSignal): Promise<void> {
  const key = id(q);
  const stop = new AbortController();
  let set = waiters.get(key);
  if (!set) waiters.set(key, (set = new Set()));
  const wake = () => stop.abort();
  set.add(wake);
  const onAbort = () => stop.abort();
  abort?.addEventListener("abort", onAbort, { once: true });
  if (abort?.aborted) stop.abort();
  return timers.sleep(Math.max(0, ms), { signal: stop.signal }).then(() => {
    abort?.removeEventListener("abort", onAbort);
    const current = waiters.get(key);
    current?.delete(wake);
    if (current && current.size === 0) waiters.delete(key);
  });
}
