/**
 * Map states (inline mode): the items (ItemsPath or JSONata Items), ItemSelector with
 * `$$.Map.Item`, MaxConcurrency, one strand per iteration with MapIteration* events, and the
 * results array through ResultSelector/ResultPath/OutputPath or Output.
 * Source: https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
 */
import { StatesError } from "./errors.ts";
import { runDistributed } from "./distributed.ts";
import { runStrands } from "./parallel.ts";
import { applyJsonata, applyTemplate } from "./payload.ts";
import { withRetryAndCatch } from "./retry.ts";
import {
  finishState, applyPath, contextObject, failureDetails, fieldValue, json, runtimeError, StrandAborted,
  type ContainerRunner, type Json, type Scope, type StateEnv, type StateResult,
} from "./state-io.ts";

export async function runMap(env: StateEnv, runContainer: ContainerRunner): Promise<StateResult> {
  const { state, run, input } = env;
  const jsonata = env.scope.language === "JSONata";
  const processor: Json = state.ItemProcessor ?? state.Iterator;
  return withRetryAndCatch(env, "Map", async () => {
    const context = contextObject(run, env.name, env.enteredTime, 0, env.scope);
    const effective = jsonata ? input : applyPath(env, "InputPath", input, state.InputPath);
    const distributed = processor.ProcessorConfig?.Mode === "DISTRIBUTED";
    const items = distributed && state.ItemReader ? [] : jsonata
      ? (state.Items !== undefined ? await fieldValue(env, "Items", state.Items) : input)
      : applyPath(env, "ItemsPath", effective, state.ItemsPath ?? "$");
    if (!Array.isArray(items)) {
      throw runtimeError(env.where, `Map state input must be an array but was: ${json(items)}`);
    }
    const limitValue = state.MaxConcurrency !== undefined ? await fieldValue(env, "MaxConcurrency", state.MaxConcurrency)
      : state.MaxConcurrencyPath !== undefined ? applyPath(env, "MaxConcurrencyPath", effective, state.MaxConcurrencyPath) : 0;
    const limit = typeof limitValue === "number" && limitValue >= 0 ? Math.floor(limitValue) : 0;
    const selector = state.ItemSelector ?? state.Parameters;
    if (distributed) {
      const result = await runDistributed(env, processor, state.ItemReader ? undefined : items, effective, limit);
      return finish(env, context, result);
    }
    const startedId = run.emit("MapStateStarted", env.scope.prev, { mapStateStartedEventDetails: { length: items.length } });
    env.scope.prev = startedId;
    const lasts: number[] = [];
    let result: unknown[];
    try {
      result = await runStrands(env, items.length, limit, async (index, cancel) => {
        const mapItem = { Index: index, Value: items[index] };
        const scope: Scope = { language: env.scope.language, variables: { ...env.scope.variables }, mapItem, prev: startedId, cancel };
        const itemContext = { ...context, Map: { Item: mapItem } };
        let itemInput: unknown = items[index];
        if (selector !== undefined) {
          itemInput = jsonata
            ? await applyJsonata(selector, { variables: env.scope.variables, states: { input, context: itemContext } }, "ItemSelector", env.where)
            : applyTemplate(selector, effective, itemContext, env.where, env.scope.variables);
        }
        scope.prev = run.emit("MapIterationStarted", startedId, { mapIterationStartedEventDetails: { name: env.name, index } });
        try {
          const out = await runContainer(run, processor, itemInput, scope);
          scope.prev = run.emit("MapIterationSucceeded", scope.prev, { mapIterationSucceededEventDetails: { name: env.name, index } });
          return out;
        } catch (e) {
          if (e instanceof StatesError) scope.prev = run.emit("MapIterationFailed", scope.prev, { mapIterationFailedEventDetails: { name: env.name, index } });
          if (e instanceof StrandAborted) scope.prev = run.emit("MapIterationAborted", scope.prev, { mapIterationAbortedEventDetails: { name: env.name, index } });
          throw e;
        } finally {
          lasts.push(scope.prev);
        }
      });
    } catch (e) {
      if (!(e instanceof StatesError)) throw e;
      const d = failureDetails(e);
      env.scope.prev = run.emit("MapStateFailed", Math.max(env.scope.prev, ...lasts));
      throw new StatesError(d.error ?? "", d.cause ?? "");
    }
    env.scope.prev = run.emit("MapStateSucceeded", Math.max(env.scope.prev, ...lasts));
    return finish(env, context, result);
  });
}

/** The Map's result array through ResultSelector/ResultPath/OutputPath or Output, and MapStateExited. */
async function finish(env: StateEnv, context: Json, result: unknown[]): Promise<StateResult> {
  return finishState(env, "Map", result, context);
}
