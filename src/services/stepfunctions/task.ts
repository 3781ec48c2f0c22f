/**
 * Task states: the request/response, `.sync`/`.sync:2` and `.waitForTaskToken` patterns, bare
 * Lambda ARNs and activities, with TimeoutSeconds and HeartbeatSeconds on the emulator's clock,
 * and the events AWS writes for each (TaskScheduled/Started/Submitted/Succeeded/Failed/TimedOut,
 * LambdaFunction*, Activity*).
 * Source: https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
 */
import { keys, type StoredExecution } from "./common.ts";
import { StatesError } from "./errors.ts";
import { callService, invokeLambdaArn, parseResource, type TaskResource } from "./integrations.ts";
import { applyJsonata, applyTemplate } from "./payload.ts";
import { withRetryAndCatch } from "./retry.ts";
import { runById, type Run } from "./run.ts";
import {
  finishState, applyPath, contextObject, DETAILS, fieldValue, json, runtimeError,
  type StateEnv, type StateResult,
} from "./state-io.ts";
import { notifyActivity } from "./activity-signal.ts";

/** AWS's default task timeout (seconds) when TimeoutSeconds is absent. */
const DEFAULT_TIMEOUT = 99999999;

export interface StoredToken {
  token: string;
  executionArn: string;
  runId: string;
  status: "PENDING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT";
  output?: string;
  error?: string;
  cause?: string;
  heartbeat?: number;
  /** Activity tasks: the worker that took the task. */
  workerName?: string;
  activityArn?: string;
}

export function newToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(48));
  return "AQ" + btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export async function runTask(env: StateEnv): Promise<StateResult> {
  const { state } = env;
  const resource = parseResource(String(state.Resource));
  if (!resource) throw runtimeError(env.where, `The resource '${state.Resource}' is not supported by fetchstack.`);
  return withRetryAndCatch(env, "Task", (retryCount) => attempt(env, resource, retryCount));
}

async function seconds(env: StateEnv, field: string, pathField: string, effective: unknown): Promise<number | undefined> {
  const { state } = env;
  let value: unknown;
  if (state[field] !== undefined) value = await fieldValue(env, field, state[field]);
  else if (state[pathField] !== undefined) value = applyPath(env, pathField, effective, state[pathField]);
  else return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw runtimeError(env.where, `The ${field} value must be a positive integer, got ${json(value)}`);
  }
  return value;
}

/** TestState's mock: the task's result or error instead of a call. */
async function mocked(run: Run): Promise<unknown> {
  const mock = run.transient!.mock!;
  if (mock.errorOutput) throw new StatesError(mock.errorOutput.error ?? "", mock.errorOutput.cause ?? "");
  return JSON.parse(mock.result ?? "null");
}

async function attempt(env: StateEnv, res: TaskResource, retryCount: number): Promise<StateResult> {
  const { run, state, input } = env;
  const mock = run.transient?.mock !== undefined;
  const jsonata = env.scope.language === "JSONata";
  const token = res.pattern === "token" ? newToken() : undefined;
  const context = contextObject(run, env.name, env.enteredTime, retryCount, env.scope, token);
  const effective = jsonata ? input : applyPath(env, "InputPath", input, state.InputPath);
  const timeout = await seconds(env, "TimeoutSeconds", "TimeoutSecondsPath", effective);
  const heartbeat = await seconds(env, "HeartbeatSeconds", "HeartbeatSecondsPath", effective);
  let params: unknown;
  if (jsonata) {
    params = state.Arguments !== undefined ? await applyJsonata(state.Arguments, { variables: env.scope.variables, states: { input, context } }, "Arguments", env.where) : input;
  } else {
    params = state.Parameters !== undefined ? applyTemplate(state.Parameters, effective, context, env.where, env.scope.variables) : effective;
  }
  const detailsOf = (extra: Record<string, unknown>) => ({ resourceType: res.resourceType, resource: res.resource, ...extra });
  let result: unknown;
  const timeoutMs = (timeout ?? DEFAULT_TIMEOUT) * 1000;

  if (res.kind === "lambda") {
    env.scope.prev = run.emit("LambdaFunctionScheduled", env.scope.prev, {
      lambdaFunctionScheduledEventDetails: { resource: res.arn, input: json(params), inputDetails: DETAILS, ...(timeout ? { timeoutInSeconds: timeout } : {}) },
    });
    env.scope.prev = run.emit("LambdaFunctionStarted", env.scope.prev);
    try {
      result = mock ? await mocked(run) : await withTimeout(run, invokeLambdaArn(run.ctx, res.arn, params), timeout);
    } catch (e) {
      if (!(e instanceof StatesError)) throw e;
      const kind = e.error === "States.Timeout" ? "LambdaFunctionTimedOut" : "LambdaFunctionFailed";
      const key = kind === "LambdaFunctionTimedOut" ? "lambdaFunctionTimedOutEventDetails" : "lambdaFunctionFailedEventDetails";
      env.scope.prev = run.emit(kind, env.scope.prev, { [key]: { error: e.error, cause: e.causeText } });
      throw e;
    }
    env.scope.prev = run.emit("LambdaFunctionSucceeded", env.scope.prev, { lambdaFunctionSucceededEventDetails: { output: json(result), outputDetails: DETAILS } });
  } else if (res.kind === "activity") {
    result = mock ? await mocked(run) : await runActivity(env, res, params, timeout, heartbeat);
  } else {
    env.scope.prev = run.emit("TaskScheduled", env.scope.prev, {
      taskScheduledEventDetails: {
        resourceType: res.resourceType, resource: res.resource, region: run.ctx.region, parameters: json(params),
        ...(timeout ? { timeoutInSeconds: timeout } : {}), ...(heartbeat ? { heartbeatInSeconds: heartbeat } : {}),
      },
    });
    env.scope.prev = run.emit("TaskStarted", env.scope.prev, { taskStartedEventDetails: detailsOf({}) });
    try {
      if (token) await saveToken(run, { token, executionArn: run.exec.arn, runId: run.exec.runId, status: "PENDING" });
      const started = run.ctx.clock.now();
      const submitted = mock ? await mocked(run) : await withTimeout(run, callService(run.ctx, res, params), timeout);
      if (res.pattern === "request" || mock) result = submitted;
      else {
        env.scope.prev = run.emit("TaskSubmitted", env.scope.prev, { taskSubmittedEventDetails: detailsOf({ output: json(submitted), outputDetails: DETAILS }) });
        const left = Math.max(0, started + timeoutMs - run.ctx.clock.now());
        result = token ? await waitForToken(run, token, left, heartbeat) : await waitForChild(run, submitted, res.pattern === "sync2", left);
      }
    } catch (e) {
      if (!(e instanceof StatesError)) throw e;
      const timedOut = e.error === "States.Timeout" || e.error === "States.HeartbeatTimeout";
      env.scope.prev = run.emit(timedOut ? "TaskTimedOut" : "TaskFailed", env.scope.prev, {
        [timedOut ? "taskTimedOutEventDetails" : "taskFailedEventDetails"]: detailsOf({ error: e.error, cause: e.causeText }),
      });
      throw e;
    }
    env.scope.prev = run.emit("TaskSucceeded", env.scope.prev, { taskSucceededEventDetails: detailsOf({ output: json(result), outputDetails: DETAILS }) });
  }

  return finishState(env, "Task", result, context);
}

/** Races `work` against TimeoutSeconds (States.Timeout); the work is tracked so settled() waits for it. */
async function withTimeout<T>(run: Run, work: Promise<T>, timeout: number | undefined): Promise<T> {
  if (!timeout) return work;
  run.ctx.waitUntil(work.catch(() => undefined));
  const stop = new AbortController();
  const timer = run.sleep(timeout * 1000, stop.signal).then(() => "timeout" as const, () => "stopped" as const);
  const winner = await Promise.race([work.then((v) => ({ v }), (e) => ({ e })), timer]);
  stop.abort();
  if (winner === "timeout") throw new StatesError("States.Timeout", "");
  if (winner === "stopped") run.check();
  if (typeof winner === "object" && "e" in winner) throw winner.e;
  return (winner as { v: T }).v;
}

export async function saveToken(run: Run, token: StoredToken): Promise<void> {
  await run.ctx.store.set(keys.token(token.token), token);
}

/**
 * Waits for SendTaskSuccess/Failure on `token`, with heartbeats extending the wait; times out
 * with States.Timeout or States.HeartbeatTimeout. `onStarted` sees an activity worker take it.
 */
async function waitForToken(run: Run, token: string, timeoutMs: number, heartbeat: number | undefined, onStarted?: (worker: string) => void): Promise<unknown> {
  const start = run.ctx.clock.now();
  let started = false;
  for (;;) {
    const rec = (await run.ctx.store.get<StoredToken>(keys.token(token))).value;
    if (!rec) throw new StatesError("States.TaskFailed", "The task token was lost.");
    if (rec.status === "SUCCEEDED") return JSON.parse(rec.output ?? "null");
    if (rec.status === "FAILED") throw new StatesError(rec.error ?? "", rec.cause ?? "");
    if (rec.workerName !== undefined && !started) {
      started = true;
      onStarted?.(rec.workerName);
    }
    const now = run.ctx.clock.now();
    const lastBeat = rec.heartbeat ?? start;
    const timeoutAt = start + timeoutMs;
    const beatAt = heartbeat ? lastBeat + heartbeat * 1000 : Infinity;
    if (now >= timeoutAt || now >= beatAt) {
      await run.ctx.store.set(keys.token(token), { ...rec, status: "TIMED_OUT" });
      throw new StatesError(now >= beatAt && beatAt <= timeoutAt ? "States.HeartbeatTimeout" : "States.Timeout", "");
    }
    await run.waitForToken(token, Math.min(timeoutAt, beatAt) - now);
  }
}

/** `.sync`/`.sync:2` of states:startExecution: waits for the child execution to end. */
async function waitForChild(run: Run, submitted: unknown, parsed: boolean, timeoutMs: number): Promise<unknown> {
  const arn = (submitted as { ExecutionArn?: string }).ExecutionArn!;
  const read = async () => (await run.ctx.store.get<StoredExecution>(keys.execution(arn))).value!;
  let child = await read();
  if (child.status === "RUNNING") {
    const handle = runById(run.ctx, child.runId);
    if (handle) {
      const stop = new AbortController();
      const timer = run.sleep(timeoutMs, stop.signal).then(() => "timeout" as const, () => "stopped" as const);
      const winner = await Promise.race([run.waitFor(handle.done).then(() => "done" as const), timer]);
      stop.abort();
      if (winner === "timeout") throw new StatesError("States.Timeout", "");
      run.check();
    }
    child = await read();
  }
  const value = (text: string | undefined) => (text === undefined ? undefined : parsed ? JSON.parse(text) : text);
  const described: Record<string, unknown> = {
    ExecutionArn: child.arn, Input: value(child.input), InputDetails: { Included: true }, Name: child.name,
    StartDate: child.startDate, StateMachineArn: child.machineArn, Status: child.status,
    ...(child.stopDate ? { StopDate: child.stopDate } : {}),
    ...(child.output !== undefined ? { Output: value(child.output), OutputDetails: { Included: true } } : {}),
    ...(child.error !== undefined ? { Error: child.error } : {}), ...(child.cause !== undefined ? { Cause: child.cause } : {}),
  };
  if (child.status !== "SUCCEEDED") throw new StatesError("States.TaskFailed", JSON.stringify(described));
  return described;
}

/** An activity Task: queued for GetActivityTask, then waited on by its token. */
async function runActivity(env: StateEnv, res: TaskResource, params: unknown, timeout: number | undefined, heartbeat: number | undefined): Promise<unknown> {
  const { run } = env;
  const token = newToken();
  env.scope.prev = run.emit("ActivityScheduled", env.scope.prev, {
    activityScheduledEventDetails: {
      resource: res.arn, input: json(params), inputDetails: DETAILS,
      ...(timeout ? { timeoutInSeconds: timeout } : {}), ...(heartbeat ? { heartbeatInSeconds: heartbeat } : {}),
    },
  });
  await saveToken(run, { token, executionArn: run.exec.arn, runId: run.exec.runId, status: "PENDING", activityArn: res.arn });
  const seq = `${String(run.ctx.clock.now()).padStart(15, "0")}-${crypto.randomUUID()}`;
  await run.ctx.store.set(keys.activityTask(res.arn, seq), { token, input: json(params) });
  notifyActivity(run.ctx, res.arn);
  let timer: number | undefined;
  try {
    const out = await waitForToken(run, token, (timeout ?? DEFAULT_TIMEOUT) * 1000, heartbeat, (worker) => {
      timer = run.emit("ActivityStarted", env.scope.prev, { activityStartedEventDetails: { workerName: worker } });
      env.scope.prev = timer;
    });
    env.scope.prev = run.emit("ActivitySucceeded", env.scope.prev, { activitySucceededEventDetails: { output: json(out), outputDetails: DETAILS } });
    return out;
  } catch (e) {
    if (!(e instanceof StatesError)) throw e;
    await run.ctx.store.delete(keys.activityTask(res.arn, seq));
    const timedOut = e.error === "States.Timeout" || e.error === "States.HeartbeatTimeout";
    env.scope.prev = run.emit(timedOut ? "ActivityTimedOut" : "ActivityFailed", env.scope.prev, {
      [timedOut ? "activityTimedOutEventDetails" : "activityFailedEventDetails"]: { error: e.error, cause: e.causeText },
    });
    throw e;
  }
}
