/**
 * What every state type shares: the context object, `$states` for JSONata, the JSONPath fields
 * (InputPath, ResultPath, OutputPath), `Assign`, `Output`, and the StateExited event.
 * Source: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html
 */
import { StatesError } from "./errors.ts";
import { PathError, selectPath, setPath } from "./jsonpath.ts";
import { applyJsonata, applyTemplate, evaluateJsonata, jsonataExpression, type JsonataScope } from "./payload.ts";
import type { Run } from "./run.ts";

/** A state or container of the definition: user JSON, checked by validateDefinition, then read member by member (`any` is that boundary). */
export type Json = Record<string, any>;
export type Language = "JSONPath" | "JSONata";

export interface Scope {
  language: Language;
  variables: Record<string, unknown>;
  /** `$$.Map.Item` inside a Map iteration. */
  mapItem?: { Index: number; Value: unknown };
  prev: number;
  /** Aborted when a sibling strand failed (Parallel, Map): this strand stops at its next state or wait. */
  cancel?: AbortSignal;
}

/** A strand stopped because a sibling failed; not an error of the execution. */
export class StrandAborted extends Error {
  constructor() {
    super("aborted: a sibling strand failed");
  }
}

export interface StateResult {
  output: unknown;
  next?: string;
}

export const DETAILS = { truncated: false };
export const json = (v: unknown) => JSON.stringify(v ?? null);

/** The context object (`$$`, `$states.context`) of a state. */
export function contextObject(run: Run, name: string, enteredTime: number, retryCount: number, scope: Scope, token?: string): Json {
  const e = run.exec;
  const ctx: Json = {
    Execution: {
      Id: e.arn, Input: JSON.parse(e.input), Name: e.name, RoleArn: e.roleArn, StartTime: new Date(e.startDate).toISOString(),
      RedriveCount: e.redriveCount, ...(e.redriveDate ? { RedriveTime: new Date(e.redriveDate).toISOString() } : {}),
    },
    State: { EnteredTime: new Date(enteredTime).toISOString(), Name: name, RetryCount: retryCount },
    StateMachine: { Id: e.versionArn ?? e.machineArn, Name: e.machineName },
  };
  if (token) ctx.Task = { Token: token };
  if (scope.mapItem) ctx.Map = { Item: scope.mapItem };
  return ctx;
}

/** Everything a state's processing needs: its name, definition, input and error prefix. */
export interface StateEnv {
  run: Run;
  name: string;
  state: Json;
  input: unknown;
  scope: Scope;
  enteredId: number;
  enteredTime: number;
  where: string;
}

export function jsonataScope(env: StateEnv, extra: Json = {}, token?: string): JsonataScope {
  return {
    variables: env.scope.variables,
    states: { input: env.input, context: contextObject(env.run, env.name, env.enteredTime, 0, env.scope, token), ...extra },
  };
}

export function runtimeError(where: string, message: string): StatesError {
  return new StatesError("States.Runtime", where + message);
}

/** Applies a JSONPath field (InputPath/OutputPath/ItemsPath...) to `data`; null gives `{}`. */
export function applyPath(env: StateEnv, field: string, data: unknown, path: unknown): unknown {
  if (path === undefined) return data;
  if (path === null) return {};
  try {
    return selectPath(String(path), data, contextObject(env.run, env.name, env.enteredTime, 0, env.scope), env.scope.variables);
  } catch (e) {
    if (!(e instanceof PathError)) throw e;
    throw runtimeError(env.where, `Invalid path '${path}' : No results for path: $['${String(path).replace(/^\$\.?/, "")}'] (field '${field}')`);
  }
}

/** ResultPath: `result` placed into the raw `input`; null discards it. */
export function applyResultPath(env: StateEnv, input: unknown, result: unknown, path: unknown): unknown {
  if (path === undefined) return result;
  if (path === null) return input;
  try {
    return setPath(input, String(path), result);
  } catch (e) {
    if (!(e instanceof PathError)) throw e;
    throw new StatesError("States.ResultPathMatchFailure", `${env.where}Unable to apply ReferencePath ${path} to input ${json(input)}`);
  }
}

/** Evaluates `Assign` (both languages) and returns the new variables and what the history shows. */
export async function assign(env: StateEnv, block: unknown, data: unknown, extra: Json = {}): Promise<{ variables: Record<string, unknown>; shown?: Record<string, string> }> {
  if (block === undefined || block === null || typeof block !== "object") return { variables: env.scope.variables };
  let values: Record<string, unknown>;
  if (env.scope.language === "JSONata") values = (await applyJsonata(block, jsonataScope(env, extra), "Assign", env.where)) as Record<string, unknown>;
  else values = applyTemplate(block, data, contextObject(env.run, env.name, env.enteredTime, 0, env.scope), env.where, env.scope.variables) as Record<string, unknown>;
  const shown: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) shown[k] = json(v);
  return { variables: { ...env.scope.variables, ...values }, shown };
}

/** JSONata: the state's `Output` (default `fallback`). */
export async function jsonataOutput(env: StateEnv, template: unknown, fallback: unknown, extra: Json = {}): Promise<unknown> {
  if (template === undefined) return fallback;
  return applyJsonata(template, jsonataScope(env, extra), "Output", env.where);
}

/** Evaluates a field that is a number/string in JSONPath and may be `{% %}` in JSONata. */
export async function fieldValue(env: StateEnv, field: string, value: unknown, extra: Json = {}): Promise<unknown> {
  const expr = jsonataExpression(value);
  if (expr === undefined) return value;
  const out = await evaluateJsonata(expr, jsonataScope(env, extra), field, env.where);
  if (out === undefined) throw new StatesError("States.QueryEvaluationError", `${env.where}The JSONata expression '${expr.trim()}' specified for the field '${field}' returned nothing (undefined).`);
  return out;
}

export function exited(env: StateEnv, type: string, output: unknown, shown?: Record<string, string>): void {
  env.scope.prev = env.run.emit(`${type}StateExited`, env.scope.prev, {
    stateExitedEventDetails: {
      name: env.name, output: json(output), outputDetails: DETAILS,
      ...(shown ? { assignedVariables: shown, assignedVariablesDetails: DETAILS } : {}),
    },
  });
}

/**
 * A Task's, Parallel's or Map's result through the state's output fields (JSONata: `Assign`,
 * `Output`; JSONPath: ResultSelector, `Assign`, ResultPath, OutputPath), then
 * `<type>StateExited`; returns the state's output and where it goes next.
 */
export async function finishState(env: StateEnv, type: string, result: unknown, context: Json): Promise<StateResult> {
  const { state, input } = env;
  let output: unknown;
  let a: Awaited<ReturnType<typeof assign>>;
  if (env.scope.language === "JSONata") {
    a = await assign(env, state.Assign, result, { result });
    output = await jsonataOutput(env, state.Output, result, { result });
  } else {
    const selected = state.ResultSelector !== undefined ? applyTemplate(state.ResultSelector, result, context, env.where, env.scope.variables) : result;
    a = await assign(env, state.Assign, selected);
    output = applyPath(env, "OutputPath", applyResultPath(env, input, selected, state.ResultPath), state.OutputPath);
  }
  env.scope.variables = a.variables;
  exited(env, type, output, a.shown);
  return { output, next: state.End ? undefined : state.Next };
}

/** A Fail state's error: carries error and cause as given (either may be absent). */
export class FailStateError extends StatesError {
  constructor(readonly failError: string | undefined, readonly failCause: string | undefined) {
    super(failError ?? "", failCause ?? "");
  }
}

/** How a strand's failure is recorded: the error and cause as ExecutionFailed shows them. */
export function failureDetails(e: StatesError): { error?: string; cause?: string } {
  if (e instanceof FailStateError) return { ...(e.failError !== undefined ? { error: e.failError } : {}), ...(e.failCause !== undefined ? { cause: e.failCause } : {}) };
  return { error: e.error, cause: e.causeText };
}


/** Runs a container (the machine, a branch, an ItemProcessor) to its end; throws StatesError on failure. */
export type ContainerRunner = (run: Run, container: Json, input: unknown, scope: Scope) => Promise<unknown>;
