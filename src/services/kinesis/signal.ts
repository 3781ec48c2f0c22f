/**
 * In-process wake-ups for SubscribeToShard: a subscription waits on its stream's signal, and
 * whatever may give it something to send (records put, a reshard, the stream or consumer gone)
 * notifies it. A wake-up only makes the subscription look again, so a spurious one is harmless.
 * Not state: subscriptions are connections of this process.
 */
import type { Timers } from "../types.ts";

const waiters = new Map<string, Set<() => void>>();

const id = (ref: { accountId: string; region: string; name: string }) => `${ref.accountId}/${ref.region}/${ref.name}`;

export function notifyStream(ref: { accountId: string; region: string; name: string }): void {
  const key = id(ref);
  const set = waiters.get(key);
  if (!set) return;
  waiters.delete(key);
  for (const wake of set) wake();
}

/**
 * Resolves on the next notification for the stream, after `ms` of emulator time, or when
 * `abort` fires. The wait is a background sleep: a subscription waiting for records does not
 * hold `emulator.settled()`.
 */
export function waitForStream(ref: { accountId: string; region: string; name: string }, ms: number, timers: Timers, abort: AbortSignal): Promise<void> {
  const key = id(ref);
  const stop = new AbortController();
  let set = waiters.get(key);
  if (!set) waiters.set(key, (set = new Set()));
  const wake = () => stop.abort();
  set.add(wake);
  const onAbort = () => stop.abort();
  abort.addEventListener("abort", onAbort, { once: true });
  if (abort.aborted) stop.abort();
  return timers.sleep(Math.max(0, ms), { signal: stop.signal, background: true }).then(() => {
    abort.removeEventListener("abort", onAbort);
    const current = waiters.get(key);
    current?.delete(wake);
    if (current && current.size === 0) waiters.delete(key);
  });
}
