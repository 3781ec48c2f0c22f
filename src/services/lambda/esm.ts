/**
 * Event source mappings: Create/Get/Update/Delete/ListEventSourceMappings. The stored state is
 * `Enabled` or `Disabled`; responses show the transition AWS reports (`Creating`, `Enabling`,
 * `Disabling`, `Updating`, `Deleting`). SQS mappings are polled by poller.ts.
 * Source: https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { Operations } from "../../generated/lambda.ts";
import { conflict, invalidParameter, notFound } from "./errors.ts";
import { page } from "./functions.ts";
import { functionArn, parseFunctionName, partitionOf } from "./names.ts";
import { esmKey, resolveFunction, sourceKind, type StoredMapping } from "./state.ts";
import { armMapping } from "./poller.ts";

export { esmKey, sourceKind, type StoredMapping } from "./state.ts";

type SourceKind = ReturnType<typeof sourceKind>;

const BATCH_LIMITS: Record<SourceKind, [number, number]> = {
  sqs: [10, 10000], kinesis: [100, 10000], dynamodb: [100, 10000], kafka: [100, 10000], mq: [100, 10000], docdb: [100, 10000], other: [100, 10000],
};

/** The response form: stored state, with the transition AWS reports for this call. */
function render(mapping: StoredMapping, state?: string): Record<string, unknown> {
  const { Tags: _t, ...rest } = mapping;
  return { ...rest, LastModified: new Date(mapping.LastModified), ...(state ? { State: state } : {}) };
}

async function getMapping(ctx: RequestContext, uuid: string): Promise<StoredMapping> {
  const mapping = (await ctx.store.get<StoredMapping>(esmKey(uuid))).value;
  if (!mapping) throw notFound("The resource you requested does not exist.");
  return mapping;
}

function checkBatch(kind: SourceKind, batch: number | undefined, window: number | undefined): void {
  if (batch === undefined) return;
  const max = BATCH_LIMITS[kind][1];
  if (batch > max) throw invalidParameter(`BatchSize must be less than or equal to ${max}.`);
  if (kind === "sqs" && batch > 10 && !window) {
    throw invalidParameter("Maximum batch window in seconds must be greater than 0 if maximum batch size is greater than 10");
  }
}

export const esmHandlers: Handlers<Operations> = {
  async CreateEventSourceMapping(input, ctx) {
    const ref = parseFunctionName(input.FunctionName);
    const { version } = await resolveFunction(ctx, ref);
    const kind = sourceKind(input.EventSourceArn);
    if ((kind === "kinesis" || kind === "dynamodb" || kind === "kafka") && !input.StartingPosition) {
      throw invalidParameter("1 validation error detected: Value null at 'startingPosition' failed to satisfy constraint: Member must not be null.");
    }
    checkBatch(kind, input.BatchSize, input.MaximumBatchingWindowInSeconds);
    const fnArn = functionArn(ctx, ref.name, ref.qualifier);
    if (input.EventSourceArn) {
      for await (const e of ctx.store.list<StoredMapping>({ prefix: ["esm"] })) {
        if (e.value.EventSourceArn === input.EventSourceArn && e.value.FunctionArn === fnArn) {
          throw conflict(`An event source mapping with ${kind === "sqs" ? "SQS" : kind === "kinesis" ? "Kinesis" : "event source"} arn (" ${input.EventSourceArn} ") and function (" ${ref.name} ") already exists. Please update or delete the existing mapping with UUID ${e.value.UUID}`);
        }
      }
    }
    void version;
    const uuid = crypto.randomUUID();
    const mapping: StoredMapping = {
      UUID: uuid,
      ...(input.StartingPosition ? { StartingPosition: input.StartingPosition } : {}),
      ...(input.StartingPositionTimestamp ? { StartingPositionTimestamp: input.StartingPositionTimestamp } : {}),
      BatchSize: input.BatchSize ?? BATCH_LIMITS[kind][0],
      MaximumBatchingWindowInSeconds: input.MaximumBatchingWindowInSeconds ?? 0,
      ...(kind === "kinesis" || kind === "dynamodb" ? {
        ParallelizationFactor: input.ParallelizationFactor ?? 1,
        MaximumRecordAgeInSeconds: input.MaximumRecordAgeInSeconds ?? -1,
        BisectBatchOnFunctionError: input.BisectBatchOnFunctionError ?? false,
        MaximumRetryAttempts: input.MaximumRetryAttempts ?? -1,
        TumblingWindowInSeconds: input.TumblingWindowInSeconds ?? 0,
        DestinationConfig: input.DestinationConfig ?? { OnFailure: {} },
        LastProcessingResult: "No records processed",
      } : {}),
      ...(input.EventSourceArn ? { EventSourceArn: input.EventSourceArn } : {}),
      ...(input.FilterCriteria ? { FilterCriteria: input.FilterCriteria } : {}),
      FunctionArn: fnArn,
      LastModified: ctx.clock.now(),
      State: input.Enabled === false ? "Disabled" : "Enabled",
      StateTransitionReason: "USER_INITIATED",
      ...(input.FunctionResponseTypes ? { FunctionResponseTypes: input.FunctionResponseTypes } : {}),
      ...(input.ScalingConfig ? { ScalingConfig: input.ScalingConfig } : {}),
      ...(input.Topics ? { Topics: input.Topics } : {}),
      ...(input.Queues ? { Queues: input.Queues } : {}),
      ...(input.SourceAccessConfigurations ? { SourceAccessConfigurations: input.SourceAccessConfigurations } : {}),
      ...(input.SelfManagedEventSource ? { SelfManagedEventSource: input.SelfManagedEventSource } : {}),
      ...(input.KMSKeyArn ? { KMSKeyArn: input.KMSKeyArn } : {}),
      ...(input.MetricsConfig ? { MetricsConfig: input.MetricsConfig } : {}),
      EventSourceMappingArn: `arn:${partitionOf(ctx.region)}:lambda:${ctx.region}:${ctx.accountId}:event-source-mapping:${uuid}`,
      Tags: input.Tags ?? {},
    };
    await ctx.store.set(esmKey(uuid), mapping);
    armMapping(ctx, mapping);
    return render(mapping, "Creating");
  },

  async GetEventSourceMapping(input, ctx) {
    return render(await getMapping(ctx, input.UUID));
  },

  async UpdateEventSourceMapping(input, ctx) {
    const current = await getMapping(ctx, input.UUID);
    const kind = sourceKind(current.EventSourceArn);
    checkBatch(kind, input.BatchSize ?? current.BatchSize, input.MaximumBatchingWindowInSeconds ?? current.MaximumBatchingWindowInSeconds);
    let fnArn = current.FunctionArn;
    if (input.FunctionName) {
      const ref = parseFunctionName(input.FunctionName);
      await resolveFunction(ctx, ref);
      fnArn = functionArn(ctx, ref.name, ref.qualifier);
    }
    const next: StoredMapping = { ...current, FunctionArn: fnArn, LastModified: ctx.clock.now() };
    for (const key of ["BatchSize", "MaximumBatchingWindowInSeconds", "FilterCriteria", "DestinationConfig", "MaximumRecordAgeInSeconds",
      "BisectBatchOnFunctionError", "MaximumRetryAttempts", "ParallelizationFactor", "SourceAccessConfigurations", "TumblingWindowInSeconds",
      "FunctionResponseTypes", "ScalingConfig", "KMSKeyArn", "MetricsConfig"]) {
      const value = (input as unknown as Record<string, unknown>)[key];
      if (value !== undefined) (next as unknown as Record<string, unknown>)[key] = value;
    }
    let transition = "Updating";
    if (input.Enabled !== undefined) {
      const state = input.Enabled ? "Enabled" : "Disabled";
      if (state !== current.State) transition = input.Enabled ? "Enabling" : "Disabling";
      next.State = state;
    }
    await ctx.store.set(esmKey(input.UUID), next);
    armMapping(ctx, next);
    return render(next, transition);
  },

  async DeleteEventSourceMapping(input, ctx) {
    const mapping = await getMapping(ctx, input.UUID);
    await ctx.store.delete(esmKey(input.UUID));
    return render(mapping, "Deleting");
  },

  async ListEventSourceMappings(input, ctx) {
    let fnArn: string | undefined;
    if (input.FunctionName) {
      const ref = parseFunctionName(input.FunctionName);
      fnArn = functionArn(ctx, ref.name, ref.qualifier);
    }
    const all: Record<string, unknown>[] = [];
    for await (const e of ctx.store.list<StoredMapping>({ prefix: ["esm"] })) {
      if (input.EventSourceArn && e.value.EventSourceArn !== input.EventSourceArn) continue;
      if (fnArn && e.value.FunctionArn !== fnArn) continue;
      all.push(render(e.value));
    }
    return page(all, input.Marker, input.MaxItems ?? 100, "EventSourceMappings");
  },
};
