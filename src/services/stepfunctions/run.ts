/**
 * One execution while it runs: its history writer (ids in order, previousEventId), its stop
 * signal, and waits on emulator time. The run itself is in memory (an async walk of the
 * definition tracked by `ctx.waitUntil`); everything a client can read (the execution record,
 * every history event, task tokens) is in `ctx.store`.
 */
import type { RequestContext } from "../types.ts";
import { keys, type StoredExecution } from "./common.ts";
import { ExecutionStop } from "./errors.ts";

export interface HistoryRecord {
  timestamp: number;
  type: string;
  id: number;
  previousEventId: number;
  [details: string]: unknown;
}

/** This emulator's running executions by run id, and wake-ups of waits on task tokens (in memory: `ctx.runtime`). */
interface Handles {
  runs: Map<string, Run>;
  tokenWaiters: Map<string, () => void>;
}

const handles = (ctx: Pick<RequestContext, "runtime">): Handles => ctx.runtime("runs", () => ({ runs: new Map(), tokenWaiters: new Map() }));

/** The run of `runId` in this emulator, if it is running here. */
export function runById(ctx: Pick<RequestContext, "runtime">, runId: string): Run | undefined {
  return handles(ctx).runs.get(runId);
}

/** Wakes the wait on `token` (SendTask*, an activity worker taking the task). */
export function wakeToken(ctx: Pick<RequestContext, "runtime">, token: string): void {
  handles(ctx).tokenWaiters.get(token)?.();
}

/** Longest single timer: real setTimeout overflows past 2^31-1 ms. */
const MAX_SLEEP = 2 ** 30;

export class Run {
  readonly abort = new AbortController();
  stopped: ExecutionStop | undefined;
  /** Set once the terminal event is written: later events from unwinding branches are dropped. */
  finished = false;
  private nextId: number;
  private writes: Promise<unknown> = Promise.resolve();
  cancelTimeout: () => void = () => {};
  /** Map runs started by this execution, for DescribeMapRun. */
  mapRuns = 0;
  private settle!: () => void;
  /** Resolves when the run has written its terminal event. */
  readonly done = new Promise<void>((resolve) => (this.settle = resolve));

  /** Runs a child execution to its end (distributed Map); set by executions.ts, inherited by children. */
  childRunner?: (child: Run, input: unknown) => Promise<void>;
  /** TestState: events kept here instead of the store, and the task's mocked outcome. */
  transient?: { events: HistoryRecord[]; mock?: { result?: string; errorOutput?: { error?: string; cause?: string } } };

  constructor(readonly ctx: RequestContext, readonly exec: StoredExecution, firstId = 1, transient?: Run["transient"]) {
    this.nextId = firstId;
    this.transient = transient;
    if (!transient) handles(ctx).runs.set(exec.runId, this);
  }

  get eventCount(): number {
    return this.nextId - 1;
  }

  /** Appends a history event (details keyed as the API names them) and returns its id. */
  emit(type: string, previousEventId: number, details: Record<string, unknown> = {}): number {
    if (this.finished) return previousEventId;
    const id = this.nextId++;
    const event: HistoryRecord = { timestamp: this.ctx.clock.now(), type, id, previousEventId, ...details };
    if (this.transient) {
      this.transient.events.push(event);
      return id;
    }
    const write = this.ctx.store.set(keys.event(this.exec.arn, id), event);
    this.writes = this.writes.then(() => write);
    return id;
  }

  /** Waits for every history write so far. */
  flush(): Promise<unknown> {
    return this.writes;
  }

  /** Throws when the execution was stopped or timed out. */
  check(): void {
    if (this.stopped) throw this.stopped;
  }

  /** Sleeps `ms` of emulator time as background work; wakes early (and throws) on stop. */
  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    let left = Math.max(0, ms);
    const end = this.ctx.timers.elapsed() + left;
    do {
      const step = Math.min(left, MAX_SLEEP);
      const both = signal ? anySignal([this.abort.signal, signal]) : this.abort.signal;
      await this.ctx.timers.sleep(step, { signal: both, background: true });
      this.check();
      if (signal?.aborted) return;
      left = end - this.ctx.timers.elapsed();
    } while (left > 0);
  }

  /** Waits until `wake(token)` is called, `ms` passes, or the run stops; true when woken. */
  async waitForToken(token: string, ms: number): Promise<boolean> {
    const woke = new AbortController();
    const waiters = handles(this.ctx).tokenWaiters;
    waiters.set(token, () => woke.abort());
    try {
      await this.sleep(ms, woke.signal);
      return woke.signal.aborted;
    } finally {
      waiters.delete(token);
    }
  }

  /**
   * Awaits `work` while counting as background-waiting, so `emulator.settled()` looks at the
   * work itself (tracked separately) rather than at this strand. Throws on stop.
   */
  async waitFor<T>(work: Promise<T>): Promise<T> {
    const done = new AbortController();
    work.then(() => done.abort(), () => done.abort());
    await this.sleep(Number.MAX_SAFE_INTEGER / 4, done.signal);
    return work;
  }

  release(): void {
    this.cancelTimeout();
    handles(this.ctx).runs.delete(this.exec.runId);
    this.settle();
  }
}

function anySignal(signals: AbortSignal[]): AbortSignal {
  const c = new AbortController();
  for (const s of signals) {
    if (s.aborted) c.abort();
    else s.addEventListener("abort", () => c.abort(), { once: true });
  }
  return c.signal;
}
