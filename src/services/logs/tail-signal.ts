/**
 * In-process wake-ups for live tail sessions: a session waits on its account and region, and
 * PutLogEvents notifies after storing events. Not state: waiters are this emulator's open
 * connections.
 */
import type { Timers } from "../types.ts";
import { Wakeups } from "../../util/wakeups.ts";

const wakeups = new Wakeups();

export function notifyTail(accountId: string, region: string): void {
  wakeups.notify(`${accountId}/${region}`);
}

/** Resolves on the next PutLogEvents of the account and region, after `ms` emulator ms, or on abort (background: not held by settled()). */
export function waitForEvents(accountId: string, region: string, ms: number, timers: Timers, abort: AbortSignal): Promise<void> {
  return wakeups.wait(`${accountId}/${region}`, ms, timers, { abort, background: true });
}
