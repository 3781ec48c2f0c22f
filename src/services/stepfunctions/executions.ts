/**
 * Executions: StartExecution (name idempotency), StartSyncExecution (EXPRESS),
 * DescribeExecution, ListExecutions, StopExecution, GetExecutionHistory,
 * DescribeStateMachineForExecution, RedriveExecution; and the run's lifecycle (ExecutionStarted
 * to its terminal event, the machine's TimeoutSeconds on the emulator's clock).
 * Source: https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html
 */
import type { HistoryEvent, Operations as Ops } from "../../generated/stepfunctions.ts";
import type { Handlers, RequestContext } from "../types.ts";
import { arn, checkName, err, keys, listAll, page, parseArn, parseJsonInput, randomId, requireArn, type StoredExecution, type StoredMachine } from "./common.ts";
import { ExecutionStop, StatesError } from "./errors.ts";
import { runContainer } from "./interpreter.ts";
import { getMachine, resolveTarget } from "./machines.ts";
import { Run, runById, type HistoryRecord } from "./run.ts";
import { DETAILS, failureDetails, type Language } from "./state-io.ts";
import { emitStatusChange } from "./eventbridge.ts";

const executionNotFound = (value: string) => err("ExecutionDoesNotExist", `Execution Does Not Exist: '${value}'`);

export async function getExecution(ctx: RequestContext, value: string): Promise<StoredExecution> {
  const parsed = requireArn(value, "execution", "express");
  if (parsed.region !== ctx.region || parsed.account !== ctx.accountId) throw executionNotFound(value);
  const e = (await ctx.store.get<StoredExecution>(keys.execution(value))).value;
  if (!e) throw executionNotFound(value);
  return e;
}

const TERMINAL: Record<string, string> = { SUCCEEDED: "ExecutionSucceeded", FAILED: "ExecutionFailed", ABORTED: "ExecutionAborted", TIMED_OUT: "ExecutionTimedOut" };

/** Writes the terminal event and the closed execution record (once). */
async function finish(run: Run, prev: number, status: "SUCCEEDED" | "FAILED" | "ABORTED" | "TIMED_OUT", fields: { output?: string; error?: string; cause?: string }): Promise<void> {
  if (run.finished) return;
  const detailsKey = { SUCCEEDED: "executionSucceededEventDetails", FAILED: "executionFailedEventDetails", ABORTED: "executionAbortedEventDetails", TIMED_OUT: "executionTimedOutEventDetails" }[status];
  const details = status === "SUCCEEDED" ? { output: fields.output, outputDetails: DETAILS } : { ...(fields.error !== undefined ? { error: fields.error } : {}), ...(fields.cause !== undefined ? { cause: fields.cause } : {}) };
  run.emit(TERMINAL[status]!, prev, { [detailsKey]: details });
  run.finished = true;
  const closed: StoredExecution = { ...run.exec, status, stopDate: run.ctx.clock.now(), events: run.eventCount, ...fields };
  Object.assign(run.exec, closed);
  await run.flush();
  await run.ctx.store.set(keys.execution(run.exec.arn), closed);
  emitStatusChange(run.ctx, closed);
  run.release();
}

/** Stops a run from outside (StopExecution, the machine's timeout). */
async function stopRun(run: Run, status: "ABORTED" | "TIMED_OUT", error?: string, cause?: string): Promise<void> {
  if (run.finished) return;
  run.stopped = new ExecutionStop(status);
  run.abort.abort();
  await finish(run, run.eventCount, status, { ...(error !== undefined ? { error } : {}), ...(cause !== undefined ? { cause } : {}) });
}

/** Runs an execution from ExecutionStarted to its end. Resolves when it has closed. */
export async function runExecution(run: Run, input: unknown, redriven = false): Promise<void> {
  const def = JSON.parse(run.exec.definition);
  if (!redriven) {
    emitStatusChange(run.ctx, run.exec);
    run.emit("ExecutionStarted", 0, {
      executionStartedEventDetails: {
        input: run.exec.input, inputDetails: DETAILS, roleArn: run.exec.roleArn,
        ...(run.exec.versionArn ? { stateMachineVersionArn: run.exec.versionArn } : {}),
        ...(run.exec.aliasArn ? { stateMachineAliasArn: run.exec.aliasArn } : {}),
      },
    });
  }
  if (Number.isInteger(def.TimeoutSeconds) && def.TimeoutSeconds > 0) {
    run.cancelTimeout = run.ctx.timers.setTimer(def.TimeoutSeconds * 1000, () => stopRun(run, "TIMED_OUT", "States.Timeout", ""));
  }
  const scope = { language: (def.QueryLanguage ?? "JSONPath") as Language, variables: {}, prev: run.eventCount };
  try {
    const output = await runContainer(run, def, input, scope);
    await finish(run, scope.prev, "SUCCEEDED", { output: JSON.stringify(output ?? null) });
  } catch (e) {
    if (e instanceof ExecutionStop) {
      await run.done;
      return;
    }
    if (e instanceof StatesError) {
      await finish(run, scope.prev, "FAILED", failureDetails(e));
      return;
    }
    await finish(run, scope.prev, "FAILED", { error: "States.Runtime", cause: `Internal error: ${(e as Error)?.message ?? e}` });
  }
}

function executionArnFor(ctx: RequestContext, machine: StoredMachine, name: string, express: boolean): string {
  return express ? arn(ctx, "express", `${machine.name}:${name}:${randomId()}`) : arn(ctx, "execution", `${machine.name}:${name}`);
}

async function start(ctx: RequestContext, input: { stateMachineArn: string; name?: string; input?: string; traceHeader?: string }, sync: boolean) {
  const target = await resolveTarget(ctx, input.stateMachineArn);
  const name = input.name ?? randomId();
  checkName(name);
  const text = input.input ?? "{}";
  const data = parseJsonInput(text);
  if (sync && target.type !== "EXPRESS") throw err("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
  const execArn = executionArnFor(ctx, target.machine, name, target.type === "EXPRESS");
  if (target.type === "STANDARD") {
    const existing = (await ctx.store.get<StoredExecution>(keys.execution(execArn))).value;
    if (existing) {
      if (existing.status === "RUNNING" && existing.input === text && existing.machineArn === target.machine.arn) {
        return { exec: existing, run: undefined };
      }
      throw err("ExecutionAlreadyExists", `Execution Already Exists: '${execArn}'`);
    }
  }
  const exec: StoredExecution = {
    arn: execArn, name, machineArn: target.machine.arn, machineName: target.machine.name, type: target.type,
    definition: target.definition, roleArn: target.roleArn, status: "RUNNING", input: text, startDate: ctx.clock.now(),
    runId: randomId(), events: 0, redriveCount: 0,
    ...(target.versionArn ? { versionArn: target.versionArn } : {}), ...(target.aliasArn ? { aliasArn: target.aliasArn } : {}),
    ...(input.traceHeader !== undefined ? { traceHeader: input.traceHeader } : {}),
  };
  const written = await ctx.store.atomic().check({ key: keys.execution(execArn), versionstamp: null }).set(keys.execution(execArn), exec).commit();
  if (!written.ok) throw err("ExecutionAlreadyExists", `Execution Already Exists: '${execArn}'`);
  const run = new Run(ctx, exec);
  run.childRunner = runExecution;
  return { exec, run, data };
}

function describe(e: StoredExecution) {
  const closed = e.status !== "RUNNING";
  return {
    executionArn: e.arn, stateMachineArn: e.versionArn ?? e.machineArn, name: e.name, status: e.status,
    startDate: new Date(e.startDate), ...(e.stopDate ? { stopDate: new Date(e.stopDate) } : {}),
    input: e.input, inputDetails: { included: true },
    ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
    ...(e.error !== undefined ? { error: e.error } : {}), ...(e.cause !== undefined ? { cause: e.cause } : {}),
    ...(e.traceHeader !== undefined ? { traceHeader: e.traceHeader } : {}),
    ...(e.versionArn ? { stateMachineVersionArn: e.versionArn } : {}), ...(e.aliasArn ? { stateMachineAliasArn: e.aliasArn } : {}),
    redriveCount: e.redriveCount, ...(e.redriveDate ? { redriveDate: new Date(e.redriveDate) } : {}),
    redriveStatus: (closed && e.status !== "SUCCEEDED" && e.type === "STANDARD" ? "REDRIVABLE" : "NOT_REDRIVABLE") as "REDRIVABLE" | "NOT_REDRIVABLE",
    ...(e.status === "SUCCEEDED" ? { redriveStatusReason: "Execution is SUCCEEDED and cannot be redriven" } : e.status === "RUNNING" ? { redriveStatusReason: "Execution is RUNNING and cannot be redriven" } : {}),
  };
}

const DATA_FIELDS = ["input", "output", "inputDetails", "outputDetails", "parameters"];

function stripData(details: unknown): unknown {
  if (typeof details !== "object" || details === null) return details;
  return Object.fromEntries(Object.entries(details).filter(([k]) => !DATA_FIELDS.includes(k)));
}

export const executionHandlers: Handlers<Ops> = {
  async StartExecution(input, ctx) {
    const started = await start(ctx, input, false);
    if (started.run) ctx.waitUntil(runExecution(started.run, started.data));
    return { executionArn: started.exec.arn, startDate: new Date(started.exec.startDate) };
  },

  async StartSyncExecution(input, ctx) {
    const started = await start(ctx, input, true);
    await runExecution(started.run!, started.data);
    const e = started.run!.exec;
    return {
      executionArn: e.arn, stateMachineArn: e.machineArn, name: e.name, startDate: new Date(e.startDate), stopDate: new Date(e.stopDate!),
      status: e.status as "SUCCEEDED" | "FAILED" | "TIMED_OUT", input: e.input, inputDetails: { included: true },
      ...(e.output !== undefined ? { output: e.output, outputDetails: { included: true } } : {}),
      ...(e.error !== undefined ? { error: e.error } : {}), ...(e.cause !== undefined ? { cause: e.cause } : {}),
      ...(e.traceHeader !== undefined ? { traceHeader: e.traceHeader } : {}),
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: Math.max(100, Math.ceil((e.stopDate! - e.startDate) / 100) * 100) },
    };
  },

  async DescribeExecution(input, ctx) {
    const described = describe(await getExecution(ctx, input.executionArn));
    if (input.includedData !== "METADATA_ONLY") return described;
    // METADATA_ONLY: no input or output (and no details about them).
    const { input: _i, inputDetails: _id, output: _o, outputDetails: _od, ...metadata } = described as typeof described & { output?: string; outputDetails?: unknown };
    return metadata;
  },

  async DescribeStateMachineForExecution(input, ctx) {
    const e = await getExecution(ctx, input.executionArn);
    const machine = (await ctx.store.get<StoredMachine>(keys.machine(e.machineArn))).value;
    return {
      stateMachineArn: e.versionArn ?? e.machineArn, name: e.machineName, definition: e.definition, roleArn: e.roleArn,
      updateDate: new Date(machine?.updateDate ?? machine?.creationDate ?? e.startDate),
      loggingConfiguration: machine?.loggingConfiguration ?? { level: "OFF", includeExecutionData: false },
      tracingConfiguration: machine?.tracingConfiguration ?? { enabled: false },
      ...(machine ? { revisionId: machine.revisionId } : {}),
    };
  },

  async ListExecutions(input, ctx) {
    if (!input.stateMachineArn && !input.mapRunArn) throw err("ValidationException", "Must provide a StateMachine ARN or MapRun ARN", { reason: "MISSING_REQUIRED_PARAMETER" });
    if (input.stateMachineArn && input.mapRunArn) throw err("ValidationException", "Must provide only one of StateMachine ARN or MapRun ARN");
    let filter: (e: StoredExecution) => boolean;
    if (input.mapRunArn) {
      requireArn(input.mapRunArn, "mapRun");
      const run = (await ctx.store.get(keys.mapRun(input.mapRunArn))).value;
      if (!run) throw err("ResourceNotFound", `Resource not found: '${input.mapRunArn}'`, { resourceName: input.mapRunArn });
      filter = (e) => e.parentArn === input.mapRunArn;
    } else {
      const machine = await getMachine(ctx, input.stateMachineArn!);
      const qualifier = requireArn(input.stateMachineArn!, "stateMachine").parts[1];
      if (machine.type === "EXPRESS") throw err("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
      filter = qualifier === undefined ? (e) => e.machineArn === machine.arn : (e) => e.versionArn === input.stateMachineArn || e.aliasArn === input.stateMachineArn;
    }
    let list = (await listAll<StoredExecution>(ctx, ["execution"])).filter((e) => e.type === "STANDARD" && filter(e));
    if (input.statusFilter) list = list.filter((e) => e.status === input.statusFilter);
    if (input.redriveFilter === "REDRIVEN") list = list.filter((e) => e.redriveCount > 0);
    if (input.redriveFilter === "NOT_REDRIVEN") list = list.filter((e) => e.redriveCount === 0);
    list.sort((a, b) => b.startDate - a.startDate || b.arn.localeCompare(a.arn));
    const p = page(list, input.maxResults, input.nextToken);
    return {
      executions: p.items.map((e) => ({
        executionArn: e.arn, stateMachineArn: e.machineArn, name: e.name, status: e.status, startDate: new Date(e.startDate),
        ...(e.stopDate ? { stopDate: new Date(e.stopDate) } : {}),
        ...(e.versionArn ? { stateMachineVersionArn: e.versionArn } : {}), ...(e.aliasArn ? { stateMachineAliasArn: e.aliasArn } : {}),
        redriveCount: e.redriveCount, ...(e.redriveDate ? { redriveDate: new Date(e.redriveDate) } : {}),
      })),
      ...(p.nextToken ? { nextToken: p.nextToken } : {}),
    };
  },

  async StopExecution(input, ctx) {
    const e = await getExecution(ctx, input.executionArn);
    if (e.type === "EXPRESS") throw err("ValidationException", "This operation is not supported by this type of state machine");
    if (e.status === "RUNNING") {
      const run = runById(ctx, e.runId);
      if (run) await stopRun(run, "ABORTED", input.error, input.cause);
      else {
        // No run in this process (restarted): close the record and write the event directly.
        const id = e.events + 1;
        const closed: StoredExecution = { ...e, status: "ABORTED", stopDate: ctx.clock.now(), events: id, ...(input.error !== undefined ? { error: input.error } : {}), ...(input.cause !== undefined ? { cause: input.cause } : {}) };
        await ctx.store.set(keys.event(e.arn, id), { timestamp: ctx.clock.now(), type: "ExecutionAborted", id, previousEventId: id - 1, executionAbortedEventDetails: { ...(input.error !== undefined ? { error: input.error } : {}), ...(input.cause !== undefined ? { cause: input.cause } : {}) } });
        await ctx.store.set(keys.execution(e.arn), closed);
        emitStatusChange(ctx, closed);
      }
    }
    const after = await getExecution(ctx, input.executionArn);
    return { stopDate: new Date(after.stopDate ?? ctx.clock.now()) };
  },

  async GetExecutionHistory(input, ctx) {
    const e = await getExecution(ctx, input.executionArn);
    if (e.type === "EXPRESS") throw err("StateMachineTypeNotSupported", "This operation is not supported by this type of state machine");
    const run = runById(ctx, e.runId);
    if (run) await run.flush();
    const events: HistoryRecord[] = [];
    for await (const entry of ctx.store.list<HistoryRecord>({ prefix: ["event", e.arn] })) events.push(entry.value);
    if (input.reverseOrder) events.reverse();
    const p = page(events, input.maxResults, input.nextToken);
    const includeData = input.includeExecutionData !== false;
    return {
      events: p.items.map((ev) => {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(ev)) out[k] = k === "timestamp" ? new Date(v as number) : includeData ? v : stripData(v);
        // The interpreter records each event's members under the model's names (run.ts).
        return out as unknown as HistoryEvent;
      }),
      ...(p.nextToken ? { nextToken: p.nextToken } : {}),
    };
  },

  async RedriveExecution(input, ctx) {
    const e = await getExecution(ctx, input.executionArn);
    if (e.type === "EXPRESS") throw err("ExecutionNotRedrivable", `Execution cannot be redriven: Express executions cannot be redriven.`);
    if (e.status === "RUNNING" || e.status === "SUCCEEDED") {
      throw err("ExecutionNotRedrivable", `Execution is ${e.status} and cannot be redriven`);
    }
    if (ctx.clock.now() - (e.stopDate ?? e.startDate) > 14 * 24 * 3600 * 1000) {
      throw err("ExecutionNotRedrivable", "Execution cannot be redriven after 14 days of its closure");
    }
    const redriveDate = ctx.clock.now();
    const reopened: StoredExecution = { ...e, status: "RUNNING", runId: randomId(), redriveCount: e.redriveCount + 1, redriveDate };
    delete reopened.stopDate;
    delete reopened.error;
    delete reopened.cause;
    delete reopened.output;
    await ctx.store.set(keys.execution(e.arn), reopened);
    emitStatusChange(ctx, reopened);
    const run = new Run(ctx, reopened, e.events + 1);
    run.childRunner = runExecution;
    run.emit("ExecutionRedriven", e.events, { executionRedrivenEventDetails: { redriveCount: reopened.redriveCount } });
    ctx.waitUntil(redrive(run, e));
    return { redriveDate: new Date(redriveDate) };
  },
};

/**
 * Redrive restarts from the state that failed: the walk re-enters the machine at the last
 * state whose entry was not followed by its exit, with the input it had then.
 */
async function redrive(run: Run, closed: StoredExecution): Promise<void> {
  const events: HistoryRecord[] = [];
  for await (const entry of run.ctx.store.list<HistoryRecord>({ prefix: ["event", closed.arn] })) events.push(entry.value);
  const def = JSON.parse(run.exec.definition);
  let restart: { name: string; input: unknown } | undefined;
  for (const ev of events) {
    const entered = ev.stateEnteredEventDetails as { name: string; input: string } | undefined;
    if (entered && Object.hasOwn(def.States, entered.name)) restart = { name: entered.name, input: JSON.parse(entered.input) };
    const exited = ev.stateExitedEventDetails as { name: string } | undefined;
    if (exited && restart?.name === exited.name) restart = undefined;
  }
  const from = restart ?? { name: def.StartAt, input: JSON.parse(closed.input) };
  run.exec.definition = JSON.stringify({ ...def, StartAt: from.name });
  await runExecution(run, from.input, true);
  // Keep the machine's real definition on the record.
  await run.ctx.store.set(keys.execution(closed.arn), { ...run.exec, definition: closed.definition });
}

export { parseArn };
