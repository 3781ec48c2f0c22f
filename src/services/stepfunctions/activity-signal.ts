/**
 * In-process wake-ups for GetActivityTask long polls: a poller waits on its activity's signal
 * (bounded by 60 s of emulator time); a newly scheduled activity task notifies it. A wake-up
 * only makes the poller look again, so a spurious one is harmless.
 */
import type { RequestContext } from "../types.ts";

type Waiters = Map<string, Set<() => void>>;
const waitersOf = (ctx: Pick<RequestContext, "runtime">): Waiters => ctx.runtime("activity-waiters", () => new Map());

export function notifyActivity(ctx: Pick<RequestContext, "runtime">, activityArn: string): void {
  const waiters = waitersOf(ctx);
  const set = waiters.get(activityArn);
  if (!set) return;
  waiters.delete(activityArn);
  for (const wake of set) wake();
}

/** Resolves on the next notification, after `ms` of emulator time, or when `abort` fires. */
export function waitForActivity(ctx: Pick<RequestContext, "runtime" | "timers">, activityArn: string, ms: number, abort?: AbortSignal): Promise<void> {
  const waiters = waitersOf(ctx);
  const timers = ctx.timers;
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
