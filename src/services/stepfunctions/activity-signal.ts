/**
 * In-process wake-ups for GetActivityTask long polls: a poller waits on its activity's signal
 * (bounded by 60 s of emulator time); a newly scheduled activity task notifies it. One set of
 * waiters per emulator.
 */
import type { RequestContext } from "../types.ts";
import { Wakeups } from "../../util/wakeups.ts";

const wakeupsOf = (ctx: Pick<RequestContext, "runtime">): Wakeups => ctx.runtime("activity-waiters", () => new Wakeups());

export function notifyActivity(ctx: Pick<RequestContext, "runtime">, activityArn: string): void {
  wakeupsOf(ctx).notify(activityArn);
}

/** Resolves on the next notification, after `ms` of emulator time, or when `abort` fires. */
export function waitForActivity(ctx: Pick<RequestContext, "runtime" | "timers">, activityArn: string, ms: number, abort?: AbortSignal): Promise<void> {
  return wakeupsOf(ctx).wait(activityArn, ms, ctx.timers, { abort });
}
