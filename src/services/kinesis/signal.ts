/**
 * In-process wake-ups for SubscribeToShard: a subscription waits on its stream's signal, and
 * whatever may give it something to send (records put, a reshard, the stream or consumer gone)
 * notifies it.
 */
import type { Timers } from "../types.ts";
import { Wakeups } from "../../util/wakeups.ts";

type StreamRef = { accountId: string; region: string; name: string };

const wakeups = new Wakeups();

const id = (ref: StreamRef) => `${ref.accountId}/${ref.region}/${ref.name}`;

export function notifyStream(ref: StreamRef): void {
  wakeups.notify(id(ref));
}

/**
 * Resolves on the next notification for the stream, after `ms` of emulator time, or when
 * `abort` fires. The wait is a background sleep: a subscription waiting for records does not
 * hold `emulator.settled()`.
 */
export function waitForStream(ref: StreamRef, ms: number, timers: Timers, abort: AbortSignal): Promise<void> {
  return wakeups.wait(id(ref), ms, timers, { abort, background: true });
}
