/**
 * Time for the emulator: the clock services read, the timers they wait on, and a clock that
 * tests move by hand.
 *
 * With an ordinary clock (`Date.now`, or any `{ now() }` a test injects) timers are real
 * `setTimeout`s. With a {@link ManualClock} they fire only when the test moves the clock, in
 * due order, each with the clock set to its due time, so a five-minute retry chain or a daily
 * schedule runs in microseconds and deterministically.
 */

/** Milliseconds since the Unix epoch; injectable so tests move time instead of sleeping. */
export interface Clock {
  now(): number;
  /**
   * Present on clocks moved by hand ({@link createManualClock}): the emulator registers its
   * timers here so that they fire when the clock moves. Without it timers are real.
   */
  subscribe?(listener: ClockListener): () => void;
}

/** What a manual clock drives: one emulator's timers. */
export interface ClockListener {
  /** Earliest due time (ms since epoch) of a pending timer, or undefined when none. */
  nextDue(): number | undefined;
  /** Fires every timer due at or before `now`, and resolves once the work they start has settled. */
  fire(now: number): Promise<void>;
}

/** A clock that moves only when told to (tests). */
export interface ManualClock extends Clock {
  subscribe(listener: ClockListener): () => void;
  /**
   * Moves time forward by `ms` milliseconds, firing due timers in order (the clock reads each
   * timer's due time while it fires) and waiting for the work they start to settle.
   * Negative `ms` throws RangeError.
   */
  advance(ms: number): Promise<void>;
  /** Moves time to `epochMs` (ms since epoch, not before now: RangeError), as `advance` does. */
  set(epochMs: number): Promise<void>;
}

/**
 * A clock for tests, starting at `startMs` (ms since epoch; default 2026-01-01T00:00:00Z).
 * Pass it as `createEmulator({ clock })`; move it with `await clock.advance(ms)`.
 */
export function createManualClock(startMs = Date.UTC(2026, 0, 1)): ManualClock {
  let t = startMs;
  const listeners = new Set<ClockListener>();
  const clock: ManualClock = {
    now: () => t,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async advance(ms) {
      if (!(ms >= 0)) throw new RangeError(`cannot move a clock by ${ms} ms`);
      const target = t + ms;
      for (;;) {
        let next: number | undefined;
        for (const l of listeners) {
          const due = l.nextDue();
          if (due !== undefined && (next === undefined || due < next)) next = due;
        }
        if (next === undefined || next > target) break;
        t = Math.max(t, next);
        for (const l of [...listeners]) await l.fire(t);
      }
      t = target;
      for (const l of [...listeners]) await l.fire(t);
    },
    set(epochMs) {
      if (epochMs < t) return Promise.reject(new RangeError(`cannot move a clock back from ${t} to ${epochMs}`));
      return clock.advance(epochMs - t);
    },
  };
  return clock;
}

/** Waiting on emulator time. On `RequestContext.timers` and `ServiceEnvironment.timers`. */
export interface Timers {
  /**
   * Resolves after `ms` milliseconds of emulator time, or at once when `signal` aborts.
   * `background: true` marks a wait inside tracked background work (a delivery retry, a
   * workflow's Wait state): while it waits, that work counts as settled for `emulator.settled()`.
   */
  sleep(ms: number, options?: { signal?: AbortSignal; background?: boolean }): Promise<void>;
  /**
   * Runs `task` after `ms` milliseconds of emulator time as tracked background work (its
   * failure is logged, never thrown). Returns a function that cancels it if it has not started.
   */
  setTimer(ms: number, task: () => unknown): () => void;
  /**
   * Milliseconds of emulator time since an arbitrary origin, in the same time base as `sleep`
   * (the manual clock's time, else real monotonic time): for deadlines such as long polling.
   */
  elapsed(): number;
}

interface PendingTimer {
  due: number;
  seq: number;
  fire(): void;
}

/** Tracks background work and timers for one emulator; `settled()` is `emulator.settled()`. */
export interface TimerHost extends Timers {
  /** Adds a promise to the background work `settled()` waits for. */
  track(promise: Promise<unknown>): void;
  settled(): Promise<void>;
}

/** setTimeout's longest delay (ms). */
const MAX_DELAY = 2_147_483_647;

export function createTimerHost(clock: Clock, onError: (error: unknown) => void): TimerHost {
  const pending = new Set<Promise<unknown>>();
  let sleeping = 0;
  let wake: (() => void) | undefined;
  const changed = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const manual = typeof clock.subscribe === "function";
  const queue: PendingTimer[] = [];
  let seq = 0;

  const track = (promise: Promise<unknown>) => {
    const p = promise.catch(onError).finally(() => {
      pending.delete(p);
      changed();
    });
    pending.add(p);
  };

  async function settled(): Promise<void> {
    for (;;) {
      // Work that is only waiting on a timer cannot progress until time moves.
      if (pending.size <= sleeping) return;
      const change = new Promise<void>((resolve) => (wake = resolve));
      await Promise.race([Promise.allSettled([...pending]), change]);
    }
  }

  function schedule(ms: number, fire: () => void): () => void {
    if (!manual) {
      let handle: ReturnType<typeof setTimeout>;
      // setTimeout fires at once past 2^31-1 ms (~24.8 days): longer waits go in steps.
      const arm = (remaining: number) => {
        handle = remaining > MAX_DELAY ? setTimeout(() => arm(remaining - MAX_DELAY), MAX_DELAY) : setTimeout(fire, Math.max(0, remaining));
        // A pending timer never holds a Node process open (Node's timers have unref; others do not).
        (handle as unknown as { unref?: () => void }).unref?.();
      };
      arm(ms);
      return () => clearTimeout(handle);
    }
    const timer: PendingTimer = { due: clock.now() + Math.max(0, ms), seq: seq++, fire };
    let i = queue.length;
    while (i > 0 && (queue[i - 1]!.due > timer.due)) i--;
    queue.splice(i, 0, timer);
    return () => {
      const at = queue.indexOf(timer);
      if (at >= 0) queue.splice(at, 1);
    };
  }

  if (manual) {
    clock.subscribe!({
      nextDue: () => queue[0]?.due,
      async fire(now) {
        while (queue.length && queue[0]!.due <= now) queue.shift()!.fire();
        await settled();
      },
    });
  }

  const origin = manual ? 0 : performance.now();
  return {
    track,
    settled,
    elapsed: () => (manual ? clock.now() : performance.now() - origin),
    sleep(ms, options = {}) {
      const { signal, background } = options;
      if (signal?.aborted) return Promise.resolve();
      return new Promise<void>((resolve) => {
        if (background) {
          sleeping++;
          changed();
        }
        let cancel = () => {};
        let finished = false;
        const done = () => {
          if (finished) return;
          finished = true;
          cancel();
          signal?.removeEventListener("abort", done);
          if (background) {
            sleeping--;
            changed();
          }
          resolve();
        };
        cancel = schedule(ms, done);
        signal?.addEventListener("abort", done, { once: true });
      });
    },
    setTimer(ms, task) {
      return schedule(ms, () => {
        try {
          const result = task();
          if (result && typeof (result as Promise<unknown>).then === "function") track(result as Promise<unknown>);
        } catch (error) {
          onError(error);
        }
      });
    },
  };
}
