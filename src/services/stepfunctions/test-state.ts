/**
 * TestState: runs one state (alone, or `stateName` of a whole definition) once, without a state
 * machine or an execution, and reports its output, error, next state and inspection data.
 * Retriers are not run: a matching retrier answers RETRIABLE, a matching catcher CAUGHT_ERROR.
 * `mock` replaces a Task's call with a result or an error.
 * Source: https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
 */
import type { Operations as Ops } from "../../generated/stepfunctions.ts";
import type { Handlers } from "../types.ts";
import { err, randomId, type StoredExecution } from "./common.ts";
import { requireValidDefinition } from "./definition.ts";
import { StatesError } from "./errors.ts";
import { runState } from "./interpreter.ts";
import { applyTemplate } from "./payload.ts";
import { catchOutput, errorMatches } from "./retry.ts";
import { Run, type HistoryRecord } from "./run.ts";
import { applyPath, applyResultPath, contextObject, failureDetails, type Json, type Language, type Scope, type StateEnv } from "./state-io.ts";

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function parse(text: string | undefined, what: string, fallback: unknown): unknown {
  if (text === undefined) return fallback;
  try {
    return JSON.parse(text);
  } catch {
    throw err("InvalidExecutionInput", `Invalid ${what}: '${text.slice(0, 60)}'`);
  }
}

export const testStateHandlers: Handlers<Ops> = {
  async TestState(input, ctx) {
    let def: Json;
    try {
      def = JSON.parse(input.definition);
    } catch (e) {
      throw err("InvalidDefinition", `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${(e as Error).message}'`);
    }
    if (!isObject(def)) throw err("InvalidDefinition", "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: The definition must be a JSON object at /'");
    let name: string;
    let state: Json;
    let language: Language = "JSONPath";
    if (isObject(def.States)) {
      name = input.stateName ?? def.StartAt;
      if (!Object.hasOwn(def.States, name)) throw err("ValidationException", `State '${name}' does not exist in the definition`);
      requireValidDefinition(input.definition);
      state = def.States[name];
      language = def.QueryLanguage ?? "JSONPath";
    } else {
      name = input.stateName ?? "TestState";
      state = def;
      // Validate the state alone: its transitions are the caller's.
      const { Next: _n, End: _e, Catch: catchers, ...rest } = state;
      const alone = ["Choice", "Succeed", "Fail"].includes(state.Type) ? { ...rest, ...(state.Type === "Choice" ? { Choices: (state.Choices ?? []).map((c: Json) => ({ ...c, Next: name })), Default: undefined } : {}) }
        : { ...rest, End: true, ...(catchers ? { Catch: catchers.map((c: Json) => ({ ...c, Next: name })) } : {}) };
      requireValidDefinition(JSON.stringify({ StartAt: name, States: { [name]: alone } }));
    }
    language = state.QueryLanguage ?? language;
    const data = parse(input.input, "input", {});
    const variables = parse(input.variables, "variables", {}) as Record<string, unknown>;
    const level = input.inspectionLevel ?? "INFO";
    const exec: StoredExecution = {
      arn: `arn:aws:states:${ctx.region}:${ctx.accountId}:execution:TestStateMachine:${randomId()}`, name: randomId(),
      machineArn: `arn:aws:states:${ctx.region}:${ctx.accountId}:stateMachine:TestStateMachine`, machineName: "TestStateMachine", type: "STANDARD",
      definition: JSON.stringify({ StartAt: name, States: { [name]: state } }), roleArn: input.roleArn ?? "", status: "RUNNING",
      input: JSON.stringify(data), startDate: ctx.clock.now(), runId: randomId(), events: 0, redriveCount: 0,
    };
    const mock = input.mock ? { ...(input.mock.result !== undefined ? { result: input.mock.result } : {}), ...(input.mock.errorOutput ? { errorOutput: input.mock.errorOutput } : {}) } : undefined;
    const events: HistoryRecord[] = [];
    const run = new Run(ctx, exec, 1, { events, ...(mock ? { mock } : {}) });
    const scope: Scope = { language, variables: { ...variables }, prev: 0 };
    const bare: Json = { ...state };
    delete bare.Retry;
    delete bare.Catch;
    const env: StateEnv = {
      run, name, state, input: data, scope, enteredId: 1, enteredTime: ctx.clock.now(),
      where: `An error occurred while executing the state '${name}' (entered at the event id #1). `,
    };
    const inspection = (extra: Json = {}) => {
      if (level === "INFO") return undefined;
      const out: Json = { input: JSON.stringify(data), variables: JSON.stringify(scope.variables) };
      if (language === "JSONPath" && ["Task", "Pass", "Parallel", "Map"].includes(state.Type)) {
        try {
          const context = contextObject(run, name, env.enteredTime, 0, scope);
          const afterInputPath = applyPath(env, "InputPath", data, state.InputPath);
          out.afterInputPath = JSON.stringify(afterInputPath);
          const afterParameters = state.Parameters !== undefined ? applyTemplate(state.Parameters, afterInputPath, context, env.where, variables) : afterInputPath;
          out.afterParameters = JSON.stringify(afterParameters);
          const raw = resultOf(events) ?? (state.Type === "Pass" ? (state.Parameters !== undefined ? afterParameters : state.Result ?? afterInputPath) : undefined);
          if (raw !== undefined) {
            out.result = JSON.stringify(raw);
            const selected = state.ResultSelector !== undefined ? applyTemplate(state.ResultSelector, raw, context, env.where, variables) : raw;
            out.afterResultSelector = JSON.stringify(selected);
            out.afterResultPath = JSON.stringify(applyResultPath(env, data, selected, state.ResultPath));
          }
        } catch {
          // The state's own failure is reported as its error.
        }
      }
      return { ...out, ...extra };
    };
    try {
      const result = await runState(run, name, bare, data, scope);
      return {
        status: "SUCCEEDED", output: JSON.stringify(result.output ?? null),
        ...(result.next !== undefined ? { nextState: result.next } : {}),
        ...(inspection() ? { inspectionData: inspection() } : {}),
      };
    } catch (e) {
      if (!(e instanceof StatesError)) throw e;
      const d = failureDetails(e);
      const retriers: Json[] = state.Retry ?? [];
      const retrier = retriers.find((r) => errorMatches(r.ErrorEquals, e.error));
      const retried = input.stateConfiguration?.retrierRetryCount ?? 0;
      const errorDetails = { ...(d.error !== undefined ? { error: d.error } : {}), ...(d.cause !== undefined ? { cause: d.cause } : {}) };
      if (retrier && retried < (retrier.MaxAttempts ?? 3)) {
        const interval = (retrier.IntervalSeconds ?? 1) * Math.pow(retrier.BackoffRate ?? 2, retried);
        return {
          status: "RETRIABLE", ...errorDetails,
          ...(inspection() ? { inspectionData: inspection({ errorDetails: { retryBackoffIntervalSeconds: Math.round(Math.min(interval, retrier.MaxDelaySeconds ?? Infinity)), retryIndex: retriers.indexOf(retrier) } }) } : {}),
        };
      }
      const catcher = (state.Catch as Json[] | undefined)?.find((c) => errorMatches(c.ErrorEquals, e.error));
      if (catcher && e.error !== "States.Runtime") {
        const { output } = await catchOutput(env, catcher, e);
        return {
          status: "CAUGHT_ERROR", output: JSON.stringify(output), nextState: catcher.Next, ...errorDetails,
          ...(inspection() ? { inspectionData: inspection({ errorDetails: { catchIndex: state.Catch.indexOf(catcher) } }) } : {}),
        };
      }
      return { status: "FAILED", ...errorDetails, ...(inspection() ? { inspectionData: inspection() } : {}) };
    }
  },
};

function resultOf(events: HistoryRecord[]): unknown {
  for (const ev of events) {
    const details = (ev.taskSucceededEventDetails ?? ev.lambdaFunctionSucceededEventDetails ?? ev.activitySucceededEventDetails) as { output?: string } | undefined;
    if (details?.output !== undefined) return JSON.parse(details.output);
  }
  return undefined;
}
