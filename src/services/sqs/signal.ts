/**
 * In-process wake-ups for long polling: ReceiveMessage waits on its queue's signal (bounded by
 * WaitTimeSeconds); anything that may make a message receivable notifies it.
 */
import type { QueueRef } from "./queue-url.ts";
import type { Timers } from "../types.ts";
import { Wakeups } from "../../util/wakeups.ts";

const wakeups = new Wakeups();

const id = (q: QueueRef) => `${q.account}/${q.region}/${q.name}`;

export function notifyQueue(q: QueueRef): void {
  wakeups.notify(id(q));
}

/**
 * Resolves on the next notification for `q`, or after `ms` of emulator time (`timers`, so a
 * manual clock drives long polls), or when `abort` fires.
 */
export function waitForQueue(q: QueueRef, ms: number, timers: Timers, abort?: AbortSignal): Promise<void> {
  return wakeups.wait(id(q), ms, timers, { abort });
}
