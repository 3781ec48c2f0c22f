/**
 * Retry and Catch of Task, Parallel and Map states: retriers by ErrorEquals with
 * IntervalSeconds, BackoffRate, MaxAttempts, MaxDelaySeconds and JitterStrategy on the
 * emulator's clock; catchers with ResultPath (JSONPath) or Output/Assign (JSONata).
 * Source: https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 */
import { StatesError } from "./errors.ts";
import { applyResultPath, assign, exited, jsonataOutput, type Json, type StateEnv, type StateResult } from "./state-io.ts";

/** Whether an ErrorEquals list names `error`, with the wildcards' rules (States.Runtime is never caught). */
export function errorMatches(list: string[], error: string): boolean {
  if (error === "States.Runtime" || error === "States.DataLimitExceeded") return list.includes(error);
  for (const name of list) {
    if (name === error) return true;
    if (name === "States.ALL") return true;
    if (name === "States.TaskFailed" && error !== "States.Timeout" && error !== "States.HeartbeatTimeout") return true;
    if (name === "States.Timeout" && error === "States.HeartbeatTimeout") return true;
  }
  return false;
}

/**
 * Runs `attempt` (which emits its own failure event and throws StatesError) under the state's
 * Retry and Catch. `attempt` gets the retry count, for `$$.State.RetryCount`.
 */
export async function withRetryAndCatch(env: StateEnv, type: string, attempt: (retryCount: number) => Promise<StateResult>): Promise<StateResult> {
  const retriers: Json[] = env.state.Retry ?? [];
  const catchers: Json[] = env.state.Catch ?? [];
  const counts = retriers.map(() => 0);
  let retryCount = 0;
  for (;;) {
    try {
      return await attempt(retryCount);
    } catch (e) {
      if (!(e instanceof StatesError)) throw e;
      const k = retriers.findIndex((r) => errorMatches(r.ErrorEquals, e.error));
      const retrier = retriers[k];
      if (retrier && counts[k]! < (retrier.MaxAttempts ?? 3)) {
        let delay = (retrier.IntervalSeconds ?? 1) * Math.pow(retrier.BackoffRate ?? 2, counts[k]!);
        if (retrier.MaxDelaySeconds !== undefined) delay = Math.min(delay, retrier.MaxDelaySeconds);
        if (retrier.JitterStrategy === "FULL") delay = Math.random() * delay;
        counts[k]!++;
        retryCount++;
        await env.run.sleep(Math.round(delay * 1000));
        continue;
      }
      const catcher = catchers.find((c) => errorMatches(c.ErrorEquals, e.error));
      if (!catcher) throw e;
      const { output, shown } = await catchOutput(env, catcher, e);
      exited(env, type, output, shown);
      return { output, next: catcher.Next };
    }
  }
}

/** A catcher's output (ResultPath or Output) and Assign for error `e`; updates the scope's variables. */
export async function catchOutput(env: StateEnv, catcher: Json, e: StatesError): Promise<{ output: unknown; shown?: Record<string, string> }> {
  const errorOutput = { Error: e.error, Cause: e.causeText };
  if (env.scope.language === "JSONata") {
    const a = await assign(env, catcher.Assign, errorOutput, { errorOutput });
    const output = await jsonataOutput(env, catcher.Output, errorOutput, { errorOutput });
    env.scope.variables = a.variables;
    return { output, shown: a.shown };
  }
  const a = await assign(env, catcher.Assign, errorOutput);
  const output = applyResultPath(env, env.input, errorOutput, catcher.ResultPath ?? "$");
  env.scope.variables = a.variables;
  return { output, shown: a.shown };
}
