/**
 * The Amazon States Language interpreter: walks a definition's states with both query
 * languages, writing the history events AWS writes, on the emulator's clock.
 * Source: https://states-language.net/ and https://docs.aws.amazon.com/step-functions/latest/dg/concepts-states.html
 *
 * A strand (the execution, a Parallel branch, a Map iteration) runs states one after another;
 * `scope.prev` is the id of its last event, which becomes the next event's previousEventId.
 */
import { evaluateRule, isTimestamp } from "./choice.ts";
import { StatesError } from "./errors.ts";
import { applyTemplate } from "./payload.ts";
import type { Run } from "./run.ts";
import { runMap } from "./map.ts";
import { runParallel } from "./parallel.ts";
import { runTask } from "./task.ts";
import {
  applyPath, applyResultPath, assign, contextObject, DETAILS, exited, FailStateError, fieldValue, json, jsonataOutput, runtimeError, StrandAborted,
  type Json, type Language, type Scope, type StateEnv, type StateResult,
} from "./state-io.ts";

/** Runs a container (the machine, a branch, a Map's ItemProcessor) to its end; throws StatesError on failure. */
export async function runContainer(run: Run, container: Json, input: unknown, scope: Scope): Promise<unknown> {
  let name: string = container.StartAt;
  let data = input;
  for (;;) {
    run.check();
    if (scope.cancel?.aborted) throw new StrandAborted();
    const state = container.States[name] as Json;
    const language: Language = state.QueryLanguage ?? scope.language;
    const stateScope: Scope = language === scope.language ? scope : { ...scope, language };
    const result = await runState(run, name, state, data, stateScope);
    scope.prev = stateScope.prev;
    scope.variables = stateScope.variables;
    if (result.next === undefined) return result.output;
    name = result.next;
    data = result.output;
  }
}

export async function runState(run: Run, name: string, state: Json, input: unknown, scope: Scope): Promise<StateResult> {
  const type: string = state.Type;
  const enteredTime = run.ctx.clock.now();
  const enteredId = run.emit(`${type}StateEntered`, scope.prev, { stateEnteredEventDetails: { name, input: json(input), inputDetails: DETAILS } });
  scope.prev = enteredId;
  const env: StateEnv = {
    run, name, state, input, scope, enteredId, enteredTime,
    where: `An error occurred while executing the state '${name}' (entered at the event id #${enteredId}). `,
  };
  switch (type) {
    case "Pass": return runPass(env);
    case "Choice": return runChoice(env);
    case "Wait": return runWait(env);
    case "Succeed": return runSucceed(env);
    case "Fail": return runFail(env);
    case "Task": return runTask(env);
    case "Parallel": return runParallel(env, runContainer);
    case "Map": return runMap(env, runContainer);
  }
  throw runtimeError(env.where, `Unsupported state type '${type}'`);
}

async function runPass(env: StateEnv): Promise<StateResult> {
  const { state, input } = env;
  let output: unknown;
  let shown: Record<string, string> | undefined;
  if (env.scope.language === "JSONata") {
    const a = await assign(env, state.Assign, input);
    output = await jsonataOutput(env, state.Output, input);
    env.scope.variables = a.variables;
    shown = a.shown;
  } else {
    const effective = applyPath(env, "InputPath", input, state.InputPath);
    const result = state.Parameters !== undefined
      ? applyTemplate(state.Parameters, effective, contextObject(env.run, env.name, env.enteredTime, 0, env.scope), env.where, env.scope.variables)
      : state.Result !== undefined ? state.Result : effective;
    const a = await assign(env, state.Assign, result);
    output = applyPath(env, "OutputPath", applyResultPath(env, input, result, state.ResultPath), state.OutputPath);
    env.scope.variables = a.variables;
    shown = a.shown;
  }
  exited(env, "Pass", output, shown);
  return { output, next: state.End ? undefined : state.Next };
}

async function runChoice(env: StateEnv): Promise<StateResult> {
  const { state, input } = env;
  if (env.scope.language === "JSONata") {
    for (const rule of state.Choices as Json[]) {
      const cond = await fieldValue(env, "Condition", rule.Condition);
      if (typeof cond !== "boolean") {
        throw new StatesError("States.QueryEvaluationError", `${env.where}The Condition '${rule.Condition}' returned a value that is not a boolean: ${json(cond)}`);
      }
      if (cond) {
        const a = await assign(env, rule.Assign ?? state.Assign, input);
        const output = await jsonataOutput(env, rule.Output ?? state.Output, input);
        env.scope.variables = a.variables;
        exited(env, "Choice", output, a.shown);
        return { output, next: rule.Next };
      }
    }
    if (state.Default === undefined) throw new StatesError("States.NoChoiceMatched", `${env.where}No Matches!`);
    const a = await assign(env, state.Assign, input);
    const output = await jsonataOutput(env, state.Output, input);
    env.scope.variables = a.variables;
    exited(env, "Choice", output, a.shown);
    return { output, next: state.Default };
  }
  const effective = applyPath(env, "InputPath", input, state.InputPath);
  const context = contextObject(env.run, env.name, env.enteredTime, 0, env.scope);
  let next: string | undefined;
  let matched: Json | undefined;
  for (const rule of state.Choices as Json[]) {
    let ok: boolean;
    try {
      ok = evaluateRule(rule, effective, context, env.scope.variables);
    } catch (e) {
      if (e instanceof StatesError) throw new StatesError(e.error, env.where + e.causeText);
      throw e;
    }
    if (ok) {
      next = rule.Next;
      matched = rule;
      break;
    }
  }
  if (next === undefined) next = state.Default;
  if (next === undefined) throw new StatesError("States.NoChoiceMatched", `${env.where}No Matches!`);
  const a = await assign(env, matched?.Assign ?? state.Assign, effective);
  const output = applyPath(env, "OutputPath", effective, state.OutputPath);
  env.scope.variables = a.variables;
  exited(env, "Choice", output, a.shown);
  return { output, next };
}

async function runWait(env: StateEnv): Promise<StateResult> {
  const { state, input, run } = env;
  const jsonata = env.scope.language === "JSONata";
  const effective = jsonata ? input : applyPath(env, "InputPath", input, state.InputPath);
  let until: number;
  const now = run.ctx.clock.now();
  if (state.Seconds !== undefined || state.SecondsPath !== undefined) {
    const seconds = state.Seconds !== undefined ? await fieldValue(env, "Seconds", state.Seconds) : applyPath(env, "SecondsPath", effective, state.SecondsPath);
    if (typeof seconds !== "number" || !Number.isInteger(seconds) || seconds < 0) {
      throw runtimeError(env.where, `The ${state.Seconds !== undefined ? "Seconds" : "SecondsPath"} parameter references a value that is not a non-negative integer: ${json(seconds)}`);
    }
    until = now + seconds * 1000;
  } else {
    const ts = state.Timestamp !== undefined ? await fieldValue(env, "Timestamp", state.Timestamp) : applyPath(env, "TimestampPath", effective, state.TimestampPath);
    if (!isTimestamp(ts)) throw runtimeError(env.where, `The ${state.Timestamp !== undefined ? "Timestamp" : "TimestampPath"} parameter does not reference a valid ISO-8601 extended offset date-time format string: ${json(ts)}`);
    until = Date.parse(ts);
  }
  const a = await assign(env, state.Assign, effective);
  const output = jsonata ? await jsonataOutput(env, state.Output, input) : applyPath(env, "OutputPath", effective, state.OutputPath);
  if (until > now) await run.sleep(until - now, env.scope.cancel);
  if (env.scope.cancel?.aborted) throw new StrandAborted();
  run.check();
  env.scope.variables = a.variables;
  exited(env, "Wait", output, a.shown);
  return { output, next: state.End ? undefined : state.Next };
}

async function runSucceed(env: StateEnv): Promise<StateResult> {
  const { state, input } = env;
  const output = env.scope.language === "JSONata"
    ? await jsonataOutput(env, state.Output, input)
    : applyPath(env, "OutputPath", applyPath(env, "InputPath", input, state.InputPath), state.OutputPath);
  exited(env, "Succeed", output);
  return { output };
}

/** Fail: raises its error, which no Catch of the same strand handles. */
async function runFail(env: StateEnv): Promise<StateResult> {
  const { state, input } = env;
  const text = (v: unknown) => (v === undefined || v === null ? undefined : typeof v === "string" ? v : json(v));
  let error: string | undefined;
  let cause: string | undefined;
  if (env.scope.language === "JSONata") {
    error = text(await fieldValue(env, "Error", state.Error));
    cause = text(await fieldValue(env, "Cause", state.Cause));
  } else {
    const pick = (field: string, value: unknown): string | undefined => {
      if (value === undefined) return undefined;
      const context = contextObject(env.run, env.name, env.enteredTime, 0, env.scope);
      const got = applyTemplate({ "v.$": value }, input, context, env.where, env.scope.variables) as { v: unknown };
      if (typeof got.v !== "string") throw runtimeError(env.where, `The ${field} parameter references a value that is not a string: ${json(got.v)}`);
      return got.v;
    };
    error = state.Error ?? pick("ErrorPath", state.ErrorPath);
    cause = state.Cause ?? pick("CausePath", state.CausePath);
  }
  throw new FailStateError(error, cause);
}

