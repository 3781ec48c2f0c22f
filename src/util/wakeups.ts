/**
 * In-process wake-ups for long polls and subscriptions (SQS ReceiveMessage, Kinesis
 * SubscribeToShard, Step Functions GetActivityTask): a waiter waits on a key until something
 * that may give it work notifies that key, or until its time is up. A wake-up only makes the
 * waiter look again, so a spurious one is harmless. Not state: waiters are connections of this
 * process.
 */
import type { Timers } from "../clock.ts";

export interface WaitOptions {
  /** Ends the wait early (the client went away). */
  abort?: AbortSignal;
  /** The wait does not hold `emulator.settled()` (see `Timers.sleep`). */
  background?: boolean;
}

export class Wakeups {
  readonly #waiters = new Map<string, Set<() => void>>();

  /** Wakes every waiter on `key`. */
  notify(key: string): void {
    const set = this.#waiters.get(key);
    if (!set) return;
    this.#waiters.delete(key);
    for (const wake of set) wake();
  }

  /**
   * Resolves on the next notification of `key`, after `ms` of emulator time (`timers`, so a
   * manual clock drives it), or when `options.abort` fires; the timer is cancelled either way.
   */
  wait(key: string, ms: number, timers: Timers, options: WaitOptions = {}): Promise<void> {
    const { abort, background } = options;
    const stop = new AbortController();
    let set = this.#waiters.get(key);
    if (!set) this.#waiters.set(key, (set = new Set()));
    const wake = () => stop.abort();
    set.add(wake);
    abort?.addEventListener("abort", wake, { once: true });
    if (abort?.aborted) stop.abort();
    return timers.sleep(Math.max(0, ms), { signal: stop.signal, ...(background ? { background } : {}) }).then(() => {
      abort?.removeEventListener("abort", wake);
      const current = this.#waiters.get(key);
      current?.delete(wake);
      if (current && current.size === 0) this.#waiters.delete(key);
    });
  }
}
