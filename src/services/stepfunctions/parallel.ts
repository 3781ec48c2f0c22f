/**
 * Parallel states: every branch runs on its own strand (tracked background work), the result is
 * the array of branch outputs; the first failing branch fails the state (ParallelStateFailed),
 * subject to Retry and Catch.
 * Source: https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
 */
import { StatesError } from "./errors.ts";
import { applyJsonata, applyTemplate } from "./payload.ts";
import { withRetryAndCatch } from "./retry.ts";
import {
  finishState, applyPath, contextObject, failureDetails, StrandAborted, type ContainerRunner, type Json, type StateEnv, type StateResult,
} from "./state-io.ts";

/** Runs strands concurrently (at most `limit` at once, 0 = all), each tracked so settled() sees it; rejects with the first failure. */
export async function runStrands<T>(env: StateEnv, count: number, limit: number, strand: (i: number, cancel: AbortSignal) => Promise<T>): Promise<T[]> {
  const { run } = env;
  const results: T[] = new Array(count);
  let next = 0;
  let failure: unknown;
  // The first failure stops the siblings (and is passed down to nested strands).
  const cancel = new AbortController();
  const parent = env.scope.cancel;
  if (parent?.aborted) cancel.abort();
  else parent?.addEventListener("abort", () => cancel.abort(), { once: true });
  const worker = async () => {
    while (next < count && failure === undefined && !cancel.signal.aborted) {
      const i = next++;
      try {
        results[i] = await strand(i, cancel.signal);
      } catch (e) {
        if (e instanceof StrandAborted) continue;
        failure ??= e;
        cancel.abort();
      }
    }
  };
  const workers = Array.from({ length: limit > 0 ? Math.min(limit, count) : count }, worker);
  for (const w of workers) run.ctx.waitUntil(w);
  await run.waitFor(Promise.all(workers));
  if (failure !== undefined) throw failure;
  if (cancel.signal.aborted) throw new StrandAborted();
  return results;
}

export async function runParallel(env: StateEnv, runContainer: ContainerRunner): Promise<StateResult> {
  const { state, run, input } = env;
  const jsonata = env.scope.language === "JSONata";
  return withRetryAndCatch(env, "Parallel", async () => {
    const context = contextObject(run, env.name, env.enteredTime, 0, env.scope);
    const effective = jsonata ? input : applyPath(env, "InputPath", input, state.InputPath);
    const branchInput = jsonata
      ? (state.Arguments !== undefined ? await applyJsonata(state.Arguments, { variables: env.scope.variables, states: { input, context } }, "Arguments", env.where) : input)
      : (state.Parameters !== undefined ? applyTemplate(state.Parameters, effective, context, env.where, env.scope.variables) : effective);
    const startedId = run.emit("ParallelStateStarted", env.scope.prev);
    env.scope.prev = startedId;
    const branches = state.Branches as Json[];
    const lasts: number[] = [];
    let result: unknown[];
    try {
      result = await runStrands(env, branches.length, 0, async (i, cancel) => {
        const scope = { language: env.scope.language, variables: { ...env.scope.variables }, prev: startedId, cancel };
        try {
          return await runContainer(run, branches[i]!, branchInput, scope);
        } finally {
          lasts.push(scope.prev);
        }
      });
    } catch (e) {
      if (!(e instanceof StatesError)) throw e;
      const d = failureDetails(e);
      env.scope.prev = run.emit("ParallelStateFailed", Math.max(env.scope.prev, ...lasts));
      throw new StatesError(d.error ?? "", d.cause ?? "");
    }
    env.scope.prev = run.emit("ParallelStateSucceeded", Math.max(env.scope.prev, ...lasts));
    return finishState(env, "Parallel", result, context);
  });
}
