/**
 * In-process wake-ups for GetActivityTask long polls: a poller waits on its activity's signal
 * (bounded by 60 s of emulator time); a newly scheduled activity task notifies it. A wake-up
 * only makes the poller look again, so a spurious one is harmless.
 */
import type { Timers } from "../types.ts";

const waiters = new Map<string, Set<() => void>>();

export function notifyActivity(activityArn: string): void {
  const set = waiters.get(activityArn);
  if (!set) return;
  waiters.delete(activityArn);
  for (const wake of set) wake();
}

/** Resolves on the next notification, after `ms` of emulator time, or when `abort` fires. */
export function waitForActivity(activityArn: string, ms: number, timers: Timers, abort?: AbortSignal): Promise<void> {
  const stop = new AbortController();
  let set = waiters.get(activityArn);
  if (!set) waiters.set(activityArn, (set = new Set()));
  const wake = () => stop.abort();
  set.add(wake);
  const onAbort = () => stop.abort();
  abort?.addEventListener("abort", onAbort, { once: true });
  if (abort?.aborted) stop.abort();
  return timers.sleep(Math.max(0, ms), { signal: stop.signal }).then(() => {
    abort?.removeEventListener("abort", onAbort);
    const current = waiters.get(activityArn);
    current?.delete(wake);
    if (current && current.size === 0) waiters.delete(activityArn);
  });
}
