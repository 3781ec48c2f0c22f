/**
 * The manual clock and the emulator's timers: timers fire in due order when the clock moves,
 * `settled()` waits for background work but not for work parked on a future timer.
 */
import { describe, expect, it } from "vitest";
import { createManualClock, createTimerHost } from "../src/clock.ts";
import { createEmulator } from "../src/emulator.ts";

describe("manual clock and timers", () => {
  it("fires timers in due order, each seeing its own due time", async () => {
    const clock = createManualClock(1_000);
    const host = createTimerHost(clock, (e) => { throw e; });
    const seen: [string, number][] = [];
    host.setTimer(300, () => seen.push(["c", clock.now()]));
    host.setTimer(100, () => seen.push(["a", clock.now()]));
    const cancel = host.setTimer(200, () => seen.push(["cancelled", clock.now()]));
    host.setTimer(200, () => { seen.push(["b", clock.now()]); host.setTimer(50, () => seen.push(["chained", clock.now()])); });
    cancel();
    await clock.advance(150);
    expect(seen).toEqual([["a", 1_100]]);
    await clock.advance(1_000);
    expect(seen).toEqual([["a", 1_100], ["b", 1_200], ["chained", 1_250], ["c", 1_300]]);
    expect(clock.now()).toBe(2_150);
    await expect(clock.advance(-1)).rejects.toThrow(RangeError);
  });

  it("settled() waits for tracked work, not for work parked on a background sleep", async () => {
    const clock = createManualClock();
    const host = createTimerHost(clock, (e) => { throw e; });
    const steps: string[] = [];
    let release!: () => void;
    host.track(new Promise<void>((r) => (release = r)).then(() => steps.push("released")));
    host.track((async () => {
      steps.push("started");
      await host.sleep(60_000, { background: true });
      steps.push("woke");
    })());
    let settled = false;
    const done = host.settled().then(() => (settled = true));
    await Promise.resolve();
    expect(settled).toBe(false);
    release();
    await done;
    expect(steps).toEqual(["started", "released"]);
    await clock.advance(60_000);
    expect(steps).toEqual(["started", "released", "woke"]);
  });

  it("a sleep ends early when its signal aborts", async () => {
    const clock = createManualClock();
    const host = createTimerHost(clock, (e) => { throw e; });
    const abort = new AbortController();
    const sleeping = host.sleep(10_000, { signal: abort.signal });
    abort.abort();
    await sleeping;
    expect(clock.now()).toBe(Date.UTC(2026, 0, 1));
  });

  it("an emulator on a manual clock exposes settled()", async () => {
    const emulator = createEmulator({ clock: createManualClock() });
    await expect(emulator.settled()).resolves.toBeUndefined();
  });
});
