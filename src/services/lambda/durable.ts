/**
 * Durable executions (Lambda durable functions): a function whose configuration has a
 * `DurableConfig` runs as a durable execution. Invoke starts one (its name from
 * `X-Amz-Durable-Execution-Name`, idempotent for the same input), and this service drives it as
 * AWS does: each invocation gets `{DurableExecutionArn, CheckpointToken, InitialExecutionState}`,
 * the function (its durable SDK) checkpoints operations (STEP, WAIT, CALLBACK, CHAINED_INVOKE,
 * CONTEXT, EXECUTION) with CheckpointDurableExecution, and returns `{Status: SUCCEEDED|FAILED|
 * PENDING}`. On PENDING the execution is suspended until something it waits on resolves: a wait's
 * end or a step's retry time (emulator clock), a callback (SendDurableExecutionCallback*), a
 * chained invoke (run through Invoke), then the function is invoked again to replay.
 * Synchronous Invoke waits for the whole execution (at most 15 minutes); Event answers 202.
 * Sources: https://docs.aws.amazon.com/lambda/latest/dg/durable-functions.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/durable-invoking.html,
 * https://docs.aws.amazon.com/lambda/latest/api/API_CheckpointDurableExecution.html (and the
 * other operations' pages). Limits in docs/lambda.md.
 *
 * Keys: ["durable", function, executionName] StoredExecution;
 * ["durable-callback", callbackId] CallbackIndex.
 */
import { AwsError } from "../../protocol/errors.ts";
import { Wakeups } from "../../util/wakeups.ts";
import type { Handlers, RequestContext } from "../types.ts";
import type {
  ErrorObject, Event, EventType, ExecutionStatus, Operation, OperationStatus, OperationType, OperationUpdate, Operations,
} from "../../generated/lambda.ts";
import { invalidParameter, notFound } from "./errors.ts";
import { functionArn, parseFunctionName } from "./names.ts";
import { page } from "./paging.ts";
import { getFunction } from "./state.ts";
import { resolveTarget, runOnce, utf8, type Target } from "./run.ts";

/** AWS's synchronous invocation limit, which also bounds a synchronous durable execution. */
const SYNC_LIMIT_MS = 15 * 60 * 1000;
/** Execution timeout when DurableConfig gives none (seconds). */
const DEFAULT_EXECUTION_TIMEOUT = 86400;

/** Not state: wakes a suspended execution's driver and synchronous callers (per emulator, in this process). */
function wakeupsOf(ctx: RequestContext): Wakeups {
  return ctx.runtime("durable-wakeups", () => new Wakeups());
}

/** Not state: the executions this emulator drives now (one driver each), and the scopes re-armed. */
function driversOf(ctx: RequestContext): Set<string> {
  return ctx.runtime("durable-drivers", () => new Set<string>());
}

/** An Operation as stored: timestamps in epoch milliseconds. */
type StoredOperation = Omit<Operation, "StartTimestamp" | "EndTimestamp" | "StepDetails" | "WaitDetails"> & {
  StartTimestamp: number;
  EndTimestamp?: number;
  StepDetails?: Omit<NonNullable<Operation["StepDetails"]>, "NextAttemptTimestamp"> & { NextAttemptTimestamp?: number };
  WaitDetails?: { ScheduledEndTimestamp?: number };
};

type StoredEvent = Omit<Event, "EventTimestamp" | "WaitStartedDetails" | "InvocationCompletedDetails"> & {
  EventTimestamp: number;
  WaitStartedDetails?: { Duration: number; ScheduledEndTimestamp: number };
  InvocationCompletedDetails?: { StartTimestamp: number; EndTimestamp: number; RequestId: string; Error?: { Payload?: ErrorObject } };
};

interface CallbackTimers {
  timeoutAt?: number;
  heartbeatSeconds?: number;
  lastBeat: number;
}

export interface StoredExecution {
  Arn: string;
  Name: string;
  FunctionName: string;
  /** The version the execution runs (executions pin one; aliases resolve at start). */
  Version: string;
  /** The qualifier the caller named, for ListDurableExecutionsByFunction's Qualifier. */
  Qualifier: string;
  InputPayload: string;
  Status: ExecutionStatus;
  StartTimestamp: number;
  EndTimestamp?: number;
  Result?: string;
  Error?: ErrorObject;
  TimeoutAt: number;
  /** The one checkpoint token that is valid now. */
  token: string;
  operations: StoredOperation[];
  events: StoredEvent[];
  /** Operations the service changed since the last checkpoint (returned by the next one). */
  changed: string[];
  /** Something resolved since the last invocation: invoke again. */
  wake: boolean;
  /** An invocation is running (a restart during one replays it). */
  invoking?: boolean;
  callbacks: Record<string, CallbackTimers>;
}

interface CallbackIndex {
  functionName: string;
  execution: string;
  operation: string;
}

const executionKey = (fn: string, name: string) => ["durable", fn, name] as const;
const callbackKey = (id: string) => ["durable-callback", id] as const;
const doneKey = (arn: string) => `done:${arn}`;

const ARN = /^arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\d{12}):function:([a-zA-Z0-9_-]+):(\$LATEST(?:\.PUBLISHED)?|[0-9]+)\/durable-execution\/([a-zA-Z0-9_-]+)\/([a-zA-Z0-9_-]+)$/;
const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Opaque tokens and callback ids, in the base64 alphabet the API's patterns allow. */
function randomToken(length = 48): string {
  return [...crypto.getRandomValues(new Uint8Array(length))].map((b) => ALPHANUMERIC[b % ALPHANUMERIC.length]).join("");
}

const TERMINAL: ExecutionStatus[] = ["SUCCEEDED", "FAILED", "TIMED_OUT", "STOPPED"];
const seconds = (ms: number) => ms / 1000;

async function loadByArn(ctx: RequestContext, arn: string): Promise<StoredExecution> {
  const m = ARN.exec(arn);
  if (!m) {
    throw invalidParameter(`1 validation error detected: Value '${arn}' at 'durableExecutionArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:([a-zA-Z0-9-]+):lambda:([a-zA-Z0-9-]+):(\\d{12}):function:([a-zA-Z0-9_-]+):(\\$LATEST(?:\\.PUBLISHED)?|[0-9]+)/durable-execution/([a-zA-Z0-9_-]+)/([a-zA-Z0-9_-]+)`);
  }
  const stored = m[2] === ctx.region && m[3] === ctx.accountId ? (await ctx.store.get<StoredExecution>(executionKey(m[4]!, m[6]!))).value : null;
  if (!stored || stored.Arn !== arn) throw notFound(`Durable execution not found: ${arn}`);
  return stored;
}

/** Read-modify-write of an execution (retried when another writer got there first). */
async function updateExecution(ctx: RequestContext, fn: string, name: string, change: (exec: StoredExecution) => StoredExecution | void): Promise<StoredExecution> {
  for (;;) {
    const entry = await ctx.store.get<StoredExecution>(executionKey(fn, name));
    if (!entry.value) throw notFound(`Durable execution not found: ${name}`);
    const draft = structuredClone(entry.value);
    const next = change(draft) ?? draft;
    const result = await ctx.store.atomic().check({ key: executionKey(fn, name), versionstamp: entry.versionstamp }).set(executionKey(fn, name), next).commit();
    if (result.ok) return next;
  }
}

function addEvent(exec: StoredExecution, now: number, type: EventType, op: Partial<StoredOperation> | undefined, details: Partial<StoredEvent>): void {
  exec.events.push({
    EventType: type,
    EventId: exec.events.length + 1,
    EventTimestamp: now,
    ...(op?.Id ? { Id: op.Id } : {}),
    ...(op?.Name ? { Name: op.Name } : {}),
    ...(op?.ParentId ? { ParentId: op.ParentId } : {}),
    ...(op?.SubType ? { SubType: op.SubType } : {}),
    ...details,
  });
}

function finishExecution(exec: StoredExecution, now: number, status: ExecutionStatus, outcome: { result?: string; error?: ErrorObject }): void {
  if (TERMINAL.includes(exec.Status)) return;
  exec.Status = status;
  exec.EndTimestamp = now;
  if (outcome.result !== undefined) exec.Result = outcome.result;
  if (outcome.error) exec.Error = outcome.error;
  const type = ({ SUCCEEDED: "ExecutionSucceeded", FAILED: "ExecutionFailed", TIMED_OUT: "ExecutionTimedOut", STOPPED: "ExecutionStopped" } as const)[status as Exclude<ExecutionStatus, "RUNNING">];
  const details: Partial<StoredEvent> = status === "SUCCEEDED"
    ? { ExecutionSucceededDetails: { Result: { Payload: outcome.result ?? "" } } }
    : { [`${type}Details`]: { Error: { Payload: outcome.error ?? {} } } };
  addEvent(exec, now, type, undefined, details);
  const root = exec.operations[0];
  if (root && root.Status === "STARTED") {
    root.Status = status === "SUCCEEDED" ? "SUCCEEDED" : status === "STOPPED" ? "STOPPED" : status === "TIMED_OUT" ? "TIMED_OUT" : "FAILED";
    root.EndTimestamp = now;
  }
}

/** Waits, retries and callbacks whose time has come (emulator clock). */
function advance(exec: StoredExecution, now: number): void {
  if (exec.Status !== "RUNNING") return;
  if (now >= exec.TimeoutAt) {
    finishExecution(exec, now, "TIMED_OUT", { error: { ErrorType: "Execution.TimedOut", ErrorMessage: "The durable execution exceeded its ExecutionTimeout." } });
    return;
  }
  for (const op of exec.operations) {
    const touched = () => {
      exec.changed.push(op.Id);
      exec.wake = true;
    };
    if (op.Type === "WAIT" && op.Status === "STARTED" && (op.WaitDetails?.ScheduledEndTimestamp ?? Infinity) <= now) {
      op.Status = "SUCCEEDED";
      op.EndTimestamp = now;
      addEvent(exec, now, "WaitSucceeded", op, { WaitSucceededDetails: { Duration: Math.round(seconds(now - op.StartTimestamp)) } });
      touched();
    } else if (op.Type === "STEP" && op.Status === "PENDING" && (op.StepDetails?.NextAttemptTimestamp ?? Infinity) <= now) {
      op.Status = "READY";
      touched();
    } else if (op.Type === "CALLBACK" && op.Status === "STARTED") {
      const timers = exec.callbacks[op.Id];
      const heartbeatDue = timers?.heartbeatSeconds ? timers.lastBeat + timers.heartbeatSeconds * 1000 : Infinity;
      if (timers && Math.min(timers.timeoutAt ?? Infinity, heartbeatDue) <= now) {
        const heartbeat = heartbeatDue <= (timers.timeoutAt ?? Infinity);
        op.Status = "TIMED_OUT";
        op.EndTimestamp = now;
        const error: ErrorObject = { ErrorType: heartbeat ? "Callback.HeartbeatTimeout" : "Callback.Timeout", ErrorMessage: heartbeat ? "The callback's heartbeat timed out." : "The callback timed out." };
        op.CallbackDetails = { ...op.CallbackDetails, Error: error };
        addEvent(exec, now, "CallbackTimedOut", op, { CallbackTimedOutDetails: { Error: { Payload: error } } });
        touched();
      }
    }
  }
}

/** When the driver must look again: the next wait end, retry, callback timeout or the execution timeout. */
function nextTimer(exec: StoredExecution): number {
  let next = exec.TimeoutAt;
  for (const op of exec.operations) {
    if (op.Type === "WAIT" && op.Status === "STARTED") next = Math.min(next, op.WaitDetails?.ScheduledEndTimestamp ?? next);
    if (op.Type === "STEP" && op.Status === "PENDING") next = Math.min(next, op.StepDetails?.NextAttemptTimestamp ?? next);
    const timers = exec.callbacks[op.Id];
    if (op.Type === "CALLBACK" && op.Status === "STARTED" && timers) {
      if (timers.timeoutAt) next = Math.min(next, timers.timeoutAt);
      if (timers.heartbeatSeconds) next = Math.min(next, timers.lastBeat + timers.heartbeatSeconds * 1000);
    }
  }
  return next;
}

function hasPending(exec: StoredExecution): boolean {
  return exec.operations.some((op) =>
    (op.Type === "STEP" && (op.Status === "PENDING" || op.Status === "READY"))
    || ((op.Type === "WAIT" || op.Type === "CALLBACK" || op.Type === "CHAINED_INVOKE") && op.Status === "STARTED")) || exec.wake;
}

/** An Operation as the API and the function's event give it (timestamps as `toTime` makes them). */
function renderOperation<T>(op: StoredOperation, toTime: (ms: number) => T): Record<string, unknown> {
  const { StartTimestamp, EndTimestamp, StepDetails, WaitDetails, ...rest } = op;
  return {
    ...rest,
    StartTimestamp: toTime(StartTimestamp),
    ...(EndTimestamp !== undefined ? { EndTimestamp: toTime(EndTimestamp) } : {}),
    ...(StepDetails ? { StepDetails: { ...StepDetails, ...(StepDetails.NextAttemptTimestamp !== undefined ? { NextAttemptTimestamp: toTime(StepDetails.NextAttemptTimestamp) } : {}) } } : {}),
    ...(WaitDetails ? { WaitDetails: { ...(WaitDetails.ScheduledEndTimestamp !== undefined ? { ScheduledEndTimestamp: toTime(WaitDetails.ScheduledEndTimestamp) } : {}) } } : {}),
  };
}

/** Parses the function's error document (Node's `trace`, Python's `stackTrace`) as an ErrorObject. */
function errorFromPayload(payload: Uint8Array): ErrorObject {
  try {
    const doc = JSON.parse(utf8(payload)) as { errorType?: string; errorMessage?: string; trace?: string[]; stackTrace?: string[] };
    return { ErrorType: doc.errorType ?? "Unhandled", ErrorMessage: doc.errorMessage ?? "", ...(doc.trace ?? doc.stackTrace ? { StackTrace: (doc.trace ?? doc.stackTrace)!.map(String) } : {}) };
  } catch {
    return { ErrorType: "Unhandled", ErrorMessage: utf8(payload) };
  }
}

/** One invocation of the function for the execution; applies what it returned. */
async function invokeOnce(ctx: RequestContext, target: Target, fn: string, name: string): Promise<void> {
  const token = randomToken();
  const exec = await updateExecution(ctx, fn, name, (e) => {
    e.token = token;
    e.wake = false;
    e.changed = [];
    e.invoking = true;
  });
  const requestId = crypto.randomUUID();
  const started = ctx.clock.now();
  const event = {
    DurableExecutionArn: exec.Arn,
    CheckpointToken: token,
    InitialExecutionState: { Operations: exec.operations.map((op) => renderOperation(op, seconds)) },
  };
  let outcome: { status: "SUCCEEDED" | "FAILED" | "PENDING"; result?: string; error?: ErrorObject };
  try {
    const run = await runOnce(ctx, target, new TextEncoder().encode(JSON.stringify(event)), requestId, "Event", 1);
    if (run.functionError) outcome = { status: "FAILED", error: errorFromPayload(run.payload) };
    else {
      const out = JSON.parse(utf8(run.payload)) as { Status?: string; Result?: string; Error?: ErrorObject } | null;
      if (out?.Status === "SUCCEEDED") outcome = { status: "SUCCEEDED", ...(out.Result !== undefined ? { result: String(out.Result) } : {}) };
      else if (out?.Status === "FAILED") outcome = { status: "FAILED", error: out.Error ?? {} };
      else if (out?.Status === "PENDING") outcome = { status: "PENDING" };
      else outcome = { status: "FAILED", error: { ErrorType: "Runtime.InvalidOutput", ErrorMessage: "The durable function returned an invalid output: Status must be SUCCEEDED, FAILED or PENDING." } };
    }
  } catch (error) {
    outcome = { status: "FAILED", error: { ErrorType: "ServiceException", ErrorMessage: error instanceof Error ? error.message : String(error) } };
  }
  await updateExecution(ctx, fn, name, (e) => {
    const now = ctx.clock.now();
    addEvent(e, now, "InvocationCompleted", undefined, {
      InvocationCompletedDetails: { StartTimestamp: started, EndTimestamp: now, RequestId: requestId, ...(outcome.status === "FAILED" && outcome.error ? { Error: { Payload: outcome.error } } : {}) },
    });
    // A consumed invocation's token is no longer valid.
    if (e.token === token) e.token = randomToken();
    e.invoking = false;
    if (e.Status !== "RUNNING") return;
    const root = e.operations[0]!;
    if (outcome.status === "SUCCEEDED") finishExecution(e, now, "SUCCEEDED", { result: outcome.result ?? (root.Status === "SUCCEEDED" ? e.Result : undefined) });
    else if (outcome.status === "FAILED") finishExecution(e, now, "FAILED", { error: outcome.error ?? {} });
    else if (root.Status === "SUCCEEDED" || root.Status === "FAILED") {
      // Completed by an EXECUTION checkpoint (large results).
      finishExecution(e, now, root.Status, root.Status === "SUCCEEDED" ? { result: e.Result ?? "" } : { error: e.Error ?? {} });
    } else if (!hasPending(e)) {
      finishExecution(e, now, "FAILED", { error: { ErrorType: "Runtime.InvalidOutput", ErrorMessage: "The durable function returned PENDING with no pending operations." } });
    }
  });
}

/** Runs an execution until it ends: invocations, then suspensions until something resolves. */
async function drive(ctx: RequestContext, target: Target, fn: string, name: string, first: boolean): Promise<void> {
  let invoke = first;
  for (;;) {
    const exec = await updateExecution(ctx, fn, name, (e) => advance(e, ctx.clock.now()));
    if (exec.Status !== "RUNNING") {
      wakeupsOf(ctx).notify(doneKey(exec.Arn));
      return;
    }
    if (invoke || exec.wake) {
      invoke = false;
      await invokeOnce(ctx, target, fn, name);
      continue;
    }
    await wakeupsOf(ctx).wait(exec.Arn, nextTimer(exec) - ctx.clock.now(), ctx.timers, { background: true });
  }
}

/** Drives an execution unless this emulator drives it already. */
function startDriver(ctx: RequestContext, target: Target, exec: StoredExecution, first: boolean): void {
  const drivers = driversOf(ctx);
  if (drivers.has(exec.Arn)) return;
  drivers.add(exec.Arn);
  ctx.waitUntil(drive(ctx, target, exec.FunctionName, exec.Name, first).finally(() => drivers.delete(exec.Arn)));
}

/**
 * Re-arms the running executions of this account and region once per emulator (after a
 * restart, their wake-ups were in memory): one interrupted mid-invocation is invoked again
 * (replay), the others wait for what they waited for.
 */
export async function armDurable(ctx: RequestContext): Promise<void> {
  const drivers = driversOf(ctx);
  const scope = `scope:${ctx.accountId}/${ctx.region}`;
  if (drivers.has(scope)) return;
  drivers.add(scope);
  for await (const e of ctx.store.list<StoredExecution>({ prefix: ["durable"] })) {
    if (e.value.Status !== "RUNNING") continue;
    try {
      startDriver(ctx, await resolveTarget(ctx, e.value.FunctionName, e.value.Version), e.value, !!e.value.invoking);
    } catch {
      // The function or version is gone: the execution cannot run again.
    }
  }
}

/** Starts (or, for the same name and input, finds) an execution: Invoke's path for durable functions. */
export async function invokeDurable(
  ctx: RequestContext, target: Target, payload: Uint8Array, input: { DurableExecutionName?: string; Qualifier?: string; FunctionName: string }, type: string,
): Promise<{ StatusCode: number; DurableExecutionArn: string; ExecutedVersion: string; Payload?: Uint8Array; FunctionError?: string }> {
  const fn = target.config.FunctionName as string;
  const name = input.DurableExecutionName ?? crypto.randomUUID();
  if (!NAME.test(name)) {
    throw invalidParameter(`1 validation error detected: Value '${name}' at 'durableExecutionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+`);
  }
  const inputPayload = utf8(payload);
  const existing = (await ctx.store.get<StoredExecution>(executionKey(fn, name))).value;
  let exec: StoredExecution;
  if (existing) {
    if (existing.InputPayload !== inputPayload) {
      throw new AwsError("DurableExecutionAlreadyStartedException", `A durable execution named ${name} already exists for ${functionArn(ctx, fn)} with a different input.`, 409, { fields: { Type: "User" } });
    }
    exec = existing;
  } else {
    const now = ctx.clock.now();
    const id = crypto.randomUUID();
    const timeout = (target.config.DurableConfig as { ExecutionTimeout?: number } | undefined)?.ExecutionTimeout ?? DEFAULT_EXECUTION_TIMEOUT;
    exec = {
      Arn: `${functionArn(ctx, fn, target.version)}/durable-execution/${name}/${id}`,
      Name: name,
      FunctionName: fn,
      Version: target.version,
      Qualifier: parseFunctionName(input.FunctionName, input.Qualifier).qualifier ?? "$LATEST",
      InputPayload: inputPayload,
      Status: "RUNNING",
      StartTimestamp: now,
      TimeoutAt: now + timeout * 1000,
      token: randomToken(),
      operations: [{ Id: id, Type: "EXECUTION", Status: "STARTED", StartTimestamp: now, ExecutionDetails: { InputPayload: inputPayload } }],
      events: [],
      changed: [],
      wake: false,
      callbacks: {},
    };
    addEvent(exec, now, "ExecutionStarted", undefined, { ExecutionStartedDetails: { Input: { Payload: inputPayload }, ExecutionTimeout: timeout } });
    const created = await ctx.store.atomic().check({ key: executionKey(fn, name), versionstamp: null }).set(executionKey(fn, name), exec).commit();
    if (!created.ok) return invokeDurable(ctx, target, payload, input, type);
    startDriver(ctx, target, exec, true);
  }
  if (type === "Event") return { StatusCode: 202, DurableExecutionArn: exec.Arn, ExecutedVersion: exec.Version };
  const deadline = ctx.clock.now() + SYNC_LIMIT_MS;
  for (;;) {
    const current = (await ctx.store.get<StoredExecution>(executionKey(fn, name))).value!;
    if (current.Status === "SUCCEEDED") {
      return { StatusCode: 200, DurableExecutionArn: current.Arn, ExecutedVersion: current.Version, Payload: new TextEncoder().encode(current.Result ?? "") };
    }
    if (current.Status !== "RUNNING" || ctx.clock.now() >= deadline) {
      const error = current.Status === "RUNNING"
        ? { ErrorType: "Sandbox.Timedout", ErrorMessage: "The durable execution did not complete within the synchronous invocation limit (15 minutes)." }
        : current.Error ?? {};
      return {
        StatusCode: 200, DurableExecutionArn: current.Arn, ExecutedVersion: current.Version, FunctionError: "Unhandled",
        Payload: new TextEncoder().encode(JSON.stringify({ errorType: error.ErrorType ?? current.Status, errorMessage: error.ErrorMessage ?? "", ...(error.StackTrace ? { trace: error.StackTrace } : {}) })),
      };
    }
    await wakeupsOf(ctx).wait(doneKey(current.Arn), deadline - ctx.clock.now(), ctx.timers, { background: true });
  }
}

/** Applies one OperationUpdate (CheckpointDurableExecution); throws AWS's error for a bad one. */
function applyUpdate(ctx: RequestContext, exec: StoredExecution, update: OperationUpdate, now: number, sideEffects: (() => Promise<void>)[]): void {
  const bad = (why: string) => invalidParameter(`Invalid operation update for ${update.Id} (${update.Type} ${update.Action}): ${why}`);
  let op = exec.operations.find((o) => o.Id === update.Id);
  if (op && op.Type !== update.Type) throw bad(`operation ${update.Id} is a ${op.Type}.`);
  const create = (status: OperationStatus): StoredOperation => {
    const created: StoredOperation = {
      Id: update.Id, Type: update.Type, Status: status, StartTimestamp: now,
      ...(update.ParentId ? { ParentId: update.ParentId } : {}), ...(update.Name ? { Name: update.Name } : {}), ...(update.SubType ? { SubType: update.SubType } : {}),
    };
    exec.operations.push(created);
    return created;
  };
  const end = (o: StoredOperation, status: OperationStatus) => {
    o.Status = status;
    o.EndTimestamp = now;
  };
  const type: OperationType = update.Type;
  switch (`${type}:${update.Action}`) {
    case "EXECUTION:SUCCEED":
    case "EXECUTION:FAIL": {
      const root = exec.operations[0]!;
      if (root.Id !== update.Id) throw bad("the EXECUTION operation's Id is the execution's first operation.");
      end(root, update.Action === "SUCCEED" ? "SUCCEEDED" : "FAILED");
      if (update.Action === "SUCCEED") exec.Result = update.Payload ?? "";
      else exec.Error = update.Error ?? {};
      return;
    }
    case "STEP:START": {
      if (op && op.Status !== "READY" && op.Status !== "PENDING") throw bad(`the step is ${op.Status}.`);
      op ??= create("STARTED");
      op.Status = "STARTED";
      op.StepDetails = { ...op.StepDetails, Attempt: (op.StepDetails?.Attempt ?? 0) + 1 };
      delete op.StepDetails.NextAttemptTimestamp;
      addEvent(exec, now, "StepStarted", op, { StepStartedDetails: {} });
      return;
    }
    case "STEP:SUCCEED":
    case "STEP:FAIL":
    case "STEP:RETRY": {
      if (!op || op.Status !== "STARTED") throw bad("the step has not been started.");
      const attempt = op.StepDetails?.Attempt ?? 1;
      if (update.Action === "SUCCEED") {
        end(op, "SUCCEEDED");
        op.StepDetails = { ...op.StepDetails, Result: update.Payload ?? "" };
        addEvent(exec, now, "StepSucceeded", op, { StepSucceededDetails: { Result: { Payload: update.Payload ?? "" }, RetryDetails: { CurrentAttempt: attempt } } });
      } else if (update.Action === "FAIL") {
        end(op, "FAILED");
        op.StepDetails = { ...op.StepDetails, Error: update.Error ?? {} };
        addEvent(exec, now, "StepFailed", op, { StepFailedDetails: { Error: { Payload: update.Error ?? {} }, RetryDetails: { CurrentAttempt: attempt } } });
      } else {
        const delay = update.StepOptions?.NextAttemptDelaySeconds;
        if (!delay) throw bad("StepOptions.NextAttemptDelaySeconds is required for RETRY.");
        op.Status = "PENDING";
        op.StepDetails = { ...op.StepDetails, NextAttemptTimestamp: now + delay * 1000, ...(update.Error ? { Error: update.Error } : {}), ...(update.Payload !== undefined ? { Result: update.Payload } : {}) };
        addEvent(exec, now, "StepFailed", op, { StepFailedDetails: { Error: { Payload: update.Error ?? {} }, RetryDetails: { CurrentAttempt: attempt, NextAttemptDelaySeconds: delay } } });
      }
      return;
    }
    case "WAIT:START": {
      if (op) throw bad("the wait was already started.");
      const wait = update.WaitOptions?.WaitSeconds;
      if (!wait) throw bad("WaitOptions.WaitSeconds is required.");
      op = create("STARTED");
      op.WaitDetails = { ScheduledEndTimestamp: now + wait * 1000 };
      addEvent(exec, now, "WaitStarted", op, { WaitStartedDetails: { Duration: wait, ScheduledEndTimestamp: now + wait * 1000 } });
      return;
    }
    case "WAIT:CANCEL": {
      if (!op || op.Status !== "STARTED") throw bad("the wait is not in progress.");
      end(op, "CANCELLED");
      addEvent(exec, now, "WaitCancelled", op, { WaitCancelledDetails: update.Error ? { Error: { Payload: update.Error } } : {} });
      return;
    }
    case "CALLBACK:START": {
      if (op) throw bad("the callback was already started.");
      op = create("STARTED");
      const callbackId = randomToken(64);
      op.CallbackDetails = { CallbackId: callbackId };
      const options = update.CallbackOptions ?? {};
      exec.callbacks[op.Id] = {
        lastBeat: now,
        ...(options.TimeoutSeconds ? { timeoutAt: now + options.TimeoutSeconds * 1000 } : {}),
        ...(options.HeartbeatTimeoutSeconds ? { heartbeatSeconds: options.HeartbeatTimeoutSeconds } : {}),
      };
      const opId = op.Id;
      sideEffects.push(async () => void await ctx.store.set(callbackKey(callbackId), { functionName: exec.FunctionName, execution: exec.Name, operation: opId } satisfies CallbackIndex));
      addEvent(exec, now, "CallbackStarted", op, {
        CallbackStartedDetails: { CallbackId: callbackId, ...(options.TimeoutSeconds ? { Timeout: options.TimeoutSeconds } : {}), ...(options.HeartbeatTimeoutSeconds ? { HeartbeatTimeout: options.HeartbeatTimeoutSeconds } : {}) },
      });
      return;
    }
    case "CHAINED_INVOKE:START": {
      if (op) throw bad("the chained invoke was already started.");
      const target = update.ChainedInvokeOptions?.FunctionName;
      if (!target) throw bad("ChainedInvokeOptions.FunctionName is required.");
      op = create("STARTED");
      addEvent(exec, now, "ChainedInvokeStarted", op, { ChainedInvokeStartedDetails: { FunctionName: target, Input: { Payload: update.Payload ?? "" } } });
      const opId = op.Id;
      sideEffects.push(async () => void ctx.waitUntil(chainedInvoke(ctx, exec.FunctionName, exec.Name, opId, target, update.Payload ?? "{}")));
      return;
    }
    case "CONTEXT:START": {
      if (op) throw bad("the context was already started.");
      op = create("STARTED");
      if (update.ContextOptions?.ReplayChildren !== undefined) op.ContextDetails = { ReplayChildren: update.ContextOptions.ReplayChildren };
      addEvent(exec, now, "ContextStarted", op, { ContextStartedDetails: {} });
      return;
    }
    case "CONTEXT:SUCCEED":
    case "CONTEXT:FAIL": {
      if (!op || op.Status !== "STARTED") throw bad("the context has not been started.");
      if (update.Action === "SUCCEED") {
        end(op, "SUCCEEDED");
        op.ContextDetails = { ...op.ContextDetails, Result: update.Payload ?? "" };
        addEvent(exec, now, "ContextSucceeded", op, { ContextSucceededDetails: { Result: { Payload: update.Payload ?? "" } } });
      } else {
        end(op, "FAILED");
        op.ContextDetails = { ...op.ContextDetails, Error: update.Error ?? {} };
        addEvent(exec, now, "ContextFailed", op, { ContextFailedDetails: { Error: { Payload: update.Error ?? {} } } });
      }
      return;
    }
    default:
      throw bad(`${update.Action} is not an action of ${type} operations.`);
  }
}

/** A CHAINED_INVOKE: the target runs through Invoke; its result resolves the operation. */
async function chainedInvoke(ctx: RequestContext, fn: string, name: string, opId: string, target: string, payload: string): Promise<void> {
  let outcome: { result?: string; error?: ErrorObject };
  try {
    const out = await ctx.invoke("lambda", "Invoke", { FunctionName: target, Payload: new TextEncoder().encode(payload) });
    const body = out.Payload instanceof Uint8Array ? utf8(out.Payload) : String(out.Payload ?? "");
    outcome = out.FunctionError ? { error: errorFromPayload(new TextEncoder().encode(body)) } : { result: body };
  } catch (error) {
    const e = error as { code?: string; message?: string };
    outcome = { error: { ErrorType: e.code ?? "ServiceException", ErrorMessage: e.message ?? String(error) } };
  }
  const exec = await updateExecution(ctx, fn, name, (e) => {
    const op = e.operations.find((o) => o.Id === opId);
    if (!op || op.Status !== "STARTED" || e.Status !== "RUNNING") return;
    const now = ctx.clock.now();
    op.Status = outcome.error ? "FAILED" : "SUCCEEDED";
    op.EndTimestamp = now;
    op.ChainedInvokeDetails = outcome.error ? { Error: outcome.error } : { Result: outcome.result ?? "" };
    addEvent(e, now, outcome.error ? "ChainedInvokeFailed" : "ChainedInvokeSucceeded", op,
      outcome.error ? { ChainedInvokeFailedDetails: { Error: { Payload: outcome.error } } } : { ChainedInvokeSucceededDetails: { Result: { Payload: outcome.result ?? "" } } });
    e.changed.push(opId);
    e.wake = true;
  });
  wakeupsOf(ctx).notify(exec.Arn);
}

/** A callback's operation, for SendDurableExecutionCallback*: CallbackTimeoutException once it timed out. */
async function completeCallback(ctx: RequestContext, callbackId: string, change: (op: StoredOperation, exec: StoredExecution, now: number) => void): Promise<void> {
  const index = (await ctx.store.get<CallbackIndex>(callbackKey(callbackId))).value;
  if (!index) throw invalidParameter(`Invalid callback id: ${callbackId}`);
  const exec = await updateExecution(ctx, index.functionName, index.execution, (e) => {
    const op = e.operations.find((o) => o.Id === index.operation)!;
    const now = ctx.clock.now();
    advance(e, now);
    if (op.Status === "TIMED_OUT") throw new AwsError("CallbackTimeoutException", `Callback ${callbackId} timed out.`, 400, { fields: { Type: "User" } });
    if (op.Status !== "STARTED" || e.Status !== "RUNNING") throw invalidParameter(`Callback ${callbackId} is already ${e.Status !== "RUNNING" ? `closed: the execution is ${e.Status}` : op.Status}.`);
    change(op, e, now);
  });
  wakeupsOf(ctx).notify(exec.Arn);
}

function checkMaxItems(max: number | undefined): number {
  if (max !== undefined && (max < 0 || max > 1000)) {
    throw invalidParameter(`1 validation error detected: Value '${max}' at 'maxItems' failed to satisfy constraint: Member must have value between 0 and 1000`);
  }
  return max || 1000;
}

/** IncludeExecutionData false: events without their payloads. */
function withoutData(event: StoredEvent): StoredEvent {
  return JSON.parse(JSON.stringify(event, (key, value) => (key === "Payload" ? undefined : value)));
}

export const durableHandlers: Handlers<Operations> = {
  async CheckpointDurableExecution(input, ctx) {
    const found = await loadByArn(ctx, input.DurableExecutionArn);
    const sideEffects: (() => Promise<void>)[] = [];
    let token = "";
    let changed: StoredOperation[] = [];
    const exec = await updateExecution(ctx, found.FunctionName, found.Name, (e) => {
      sideEffects.length = 0;
      if (e.Status !== "RUNNING") throw invalidParameter(`Invalid checkpoint token: the durable execution is ${e.Status}.`);
      if (input.CheckpointToken !== e.token) throw invalidParameter("Invalid checkpoint token.");
      const now = ctx.clock.now();
      const seen = new Map<string, string>();
      for (const update of input.Updates ?? []) {
        const previous = seen.get(update.Id);
        // One update per operation, except a STEP or CONTEXT started and completed together.
        if (previous && !(previous === "START" && (update.Type === "STEP" || update.Type === "CONTEXT"))) {
          throw invalidParameter(`Invalid operation update for ${update.Id}: only one update per operation is allowed in a checkpoint.`);
        }
        seen.set(update.Id, update.Action);
        applyUpdate(ctx, e, update, now, sideEffects);
      }
      changed = [...new Set(e.changed)].map((id) => e.operations.find((o) => o.Id === id)!).filter(Boolean);
      // New operations the service assigned fields to (callback ids) come back too.
      for (const update of input.Updates ?? []) {
        const op = e.operations.find((o) => o.Id === update.Id);
        if (op && update.Type === "CALLBACK" && !changed.includes(op)) changed.push(op);
      }
      e.changed = [];
      token = randomToken();
      e.token = token;
    });
    for (const effect of sideEffects) await effect();
    void exec;
    return { CheckpointToken: token, NewExecutionState: { Operations: changed.map((op) => renderOperation(op, (ms) => ms)) as unknown as Operation[] } };
  },

  async GetDurableExecutionState(input, ctx) {
    const exec = await loadByArn(ctx, input.DurableExecutionArn);
    if (input.CheckpointToken !== exec.token) throw invalidParameter("Invalid checkpoint token.");
    const ops = exec.operations.map((op) => renderOperation(op, (ms) => ms)) as unknown as Operation[];
    return page(ops, input.Marker, checkMaxItems(input.MaxItems), "Operations") as { Operations: Operation[]; NextMarker?: string };
  },

  async GetDurableExecution(input, ctx) {
    const exec = await loadByArn(ctx, input.DurableExecutionArn);
    return {
      DurableExecutionArn: exec.Arn,
      DurableExecutionName: exec.Name,
      FunctionArn: functionArn(ctx, exec.FunctionName, exec.Version),
      InputPayload: exec.InputPayload,
      ...(exec.Result !== undefined && exec.Status === "SUCCEEDED" ? { Result: exec.Result } : {}),
      ...(exec.Error && exec.Status !== "SUCCEEDED" ? { Error: exec.Error } : {}),
      StartTimestamp: exec.StartTimestamp,
      Status: exec.Status,
      ...(exec.EndTimestamp !== undefined ? { EndTimestamp: exec.EndTimestamp } : {}),
      Version: exec.Version,
    };
  },

  async GetDurableExecutionHistory(input, ctx) {
    const exec = await loadByArn(ctx, input.DurableExecutionArn);
    let events = input.IncludeExecutionData ? exec.events : exec.events.map(withoutData);
    if (input.ReverseOrder) events = [...events].reverse();
    return page(events, input.Marker, checkMaxItems(input.MaxItems), "Events");
  },

  async ListDurableExecutionsByFunction(input, ctx) {
    const ref = parseFunctionName(input.FunctionName, input.Qualifier);
    await getFunction(ctx, ref.name, ref.qualifier);
    const after = input.StartedAfter?.getTime();
    const before = input.StartedBefore?.getTime();
    const all: StoredExecution[] = [];
    for await (const e of ctx.store.list<StoredExecution>({ prefix: ["durable", ref.name] })) {
      const x = e.value;
      if (ref.qualifier !== undefined && x.Qualifier !== ref.qualifier && x.Version !== ref.qualifier) continue;
      if (input.DurableExecutionName !== undefined && x.Name !== input.DurableExecutionName) continue;
      if (input.Statuses?.length && !input.Statuses.includes(x.Status)) continue;
      if (after !== undefined && x.StartTimestamp <= after) continue;
      if (before !== undefined && x.StartTimestamp >= before) continue;
      all.push(x);
    }
    all.sort((a, b) => a.StartTimestamp - b.StartTimestamp || a.Name.localeCompare(b.Name));
    if (input.ReverseOrder) all.reverse();
    const rows = all.map((x) => ({
      DurableExecutionArn: x.Arn, DurableExecutionName: x.Name, FunctionArn: functionArn(ctx, x.FunctionName, x.Version), Status: x.Status,
      StartTimestamp: x.StartTimestamp, ...(x.EndTimestamp !== undefined ? { EndTimestamp: x.EndTimestamp } : {}),
    }));
    return page(rows, input.Marker, checkMaxItems(input.MaxItems), "DurableExecutions");
  },

  async StopDurableExecution(input, ctx) {
    const found = await loadByArn(ctx, input.DurableExecutionArn);
    const now = ctx.clock.now();
    const exec = await updateExecution(ctx, found.FunctionName, found.Name, (e) => {
      if (e.Status !== "RUNNING") throw invalidParameter(`The durable execution ${e.Arn} is not running (${e.Status}).`);
      finishExecution(e, now, "STOPPED", { error: input.Error ?? { ErrorType: "Execution.Stopped", ErrorMessage: "The durable execution was stopped." } });
    });
    wakeupsOf(ctx).notify(exec.Arn);
    wakeupsOf(ctx).notify(doneKey(exec.Arn));
    return { StopTimestamp: now };
  },

  async SendDurableExecutionCallbackSuccess(input, ctx) {
    const result = input.Result ? utf8(input.Result) : "";
    await completeCallback(ctx, input.CallbackId, (op, e, now) => {
      op.Status = "SUCCEEDED";
      op.EndTimestamp = now;
      op.CallbackDetails = { ...op.CallbackDetails, Result: result };
      addEvent(e, now, "CallbackSucceeded", op, { CallbackSucceededDetails: { Result: { Payload: result } } });
      e.changed.push(op.Id);
      e.wake = true;
    });
    return {};
  },

  async SendDurableExecutionCallbackFailure(input, ctx) {
    const error = input.Error ?? {};
    await completeCallback(ctx, input.CallbackId, (op, e, now) => {
      op.Status = "FAILED";
      op.EndTimestamp = now;
      op.CallbackDetails = { ...op.CallbackDetails, Error: error };
      addEvent(e, now, "CallbackFailed", op, { CallbackFailedDetails: { Error: { Payload: error } } });
      e.changed.push(op.Id);
      e.wake = true;
    });
    return {};
  },

  async SendDurableExecutionCallbackHeartbeat(input, ctx) {
    await completeCallback(ctx, input.CallbackId, (op, e, now) => {
      const timers = e.callbacks[op.Id];
      if (timers) timers.lastBeat = now;
    });
    return {};
  },
};
