/**
 * Distributed Map: a map run whose items (the state's input, or an ItemReader over fetchstack's
 * S3: a JSON, JSONL or CSV object, or a listing) are batched (ItemBatcher) and processed by child
 * executions with their own history, with MaxConcurrency and ToleratedFailureCount/Percentage.
 * DescribeMapRun, ListMapRuns and UpdateMapRun read and change the map run's record.
 * Source: https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 */
import type { Operations as Ops } from "../../generated/stepfunctions.ts";
import type { Handlers, RequestContext } from "../types.ts";
import { arn, err, keys, listAll, page, randomId, requireArn, type StoredExecution } from "./common.ts";
import { StatesError } from "./errors.ts";
import { runStrands } from "./parallel.ts";
import { applyJsonata, applyTemplate } from "./payload.ts";
import { Run } from "./run.ts";
import { applyPath, contextObject, fieldValue, json, type Json, type StateEnv } from "./state-io.ts";

type Counts = { pending: number; running: number; succeeded: number; failed: number; timedOut: number; aborted: number; total: number; resultsWritten: number };

export interface StoredMapRun {
  arn: string;
  executionArn: string;
  stateMachineArn: string;
  status: "RUNNING" | "SUCCEEDED" | "FAILED" | "ABORTED";
  startDate: number;
  stopDate?: number;
  maxConcurrency: number;
  toleratedFailurePercentage: number;
  toleratedFailureCount: number;
  itemCounts: Counts;
  executionCounts: Counts;
}

const zero = (total: number): Counts => ({ pending: total, running: 0, succeeded: 0, failed: 0, timedOut: 0, aborted: 0, total, resultsWritten: 0 });

async function bodyText(body: unknown): Promise<string> {
  if (typeof body === "string") return body;
  if (body instanceof Uint8Array) return new TextDecoder().decode(body);
  if (body instanceof ReadableStream) return await new Response(body).text();
  return "";
}

function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { cell += '"'; i++; }
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") { row.push(cell); cell = ""; }
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell); rows.push(row); row = []; cell = "";
    } else cell += c;
  }
  if (cell !== "" || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

/** Reads the items an ItemReader names from fetchstack's S3 (States.ItemReaderFailed on failure). */
async function readItems(env: StateEnv, reader: Json, effective: unknown): Promise<unknown[]> {
  const { run } = env;
  const context = contextObject(run, env.name, env.enteredTime, 0, env.scope);
  const params = (env.scope.language === "JSONata"
    ? await applyJsonata(reader.Arguments ?? {}, { variables: env.scope.variables, states: { input: env.input, context } }, "Arguments", env.where)
    : applyTemplate(reader.Parameters ?? {}, effective, context, env.where, env.scope.variables)) as Json;
  const config: Json = reader.ReaderConfig ?? {};
  try {
    let items: unknown[];
    if (/:s3:listObjectsV2$/.test(reader.Resource)) {
      items = [];
      let token: string | undefined;
      do {
        const out = await run.ctx.invoke("s3", "ListObjectsV2", { ...params, ...(token ? { ContinuationToken: token } : {}) });
        for (const o of (out.Contents as Json[] | undefined) ?? []) {
          items.push({ Etag: o.ETag, Key: o.Key, LastModified: o.LastModified instanceof Date ? o.LastModified.toISOString() : o.LastModified, Size: o.Size, StorageClass: o.StorageClass ?? "STANDARD" });
        }
        token = out.IsTruncated ? (out.NextContinuationToken as string) : undefined;
      } while (token);
    } else if (/:s3:getObject$/.test(reader.Resource)) {
      const out = await run.ctx.invoke("s3", "GetObject", params);
      const text = await bodyText(out.Body);
      const type = config.InputType ?? "JSON";
      if (type === "JSON") {
        const parsed = JSON.parse(text);
        if (!Array.isArray(parsed)) throw new Error("The JSON object must contain an array.");
        items = parsed;
      } else if (type === "JSONL") {
        items = text.split(/\r?\n/).filter((l) => l.trim() !== "").map((l) => JSON.parse(l));
      } else if (type === "CSV") {
        const rows = parseCsv(text);
        const headers: string[] = config.CSVHeaderLocation === "GIVEN" ? config.CSVHeaders : rows.shift() ?? [];
        items = rows.map((r) => Object.fromEntries(headers.map((h, k) => [h, r[k] ?? ""])));
      } else throw new Error(`Unsupported InputType ${type}`);
    } else throw new Error(`Unsupported ItemReader resource ${reader.Resource}`);
    const max = config.MaxItems;
    return typeof max === "number" && max > 0 ? items.slice(0, max) : items;
  } catch (e) {
    if (e instanceof StatesError) throw e;
    throw new StatesError("States.ItemReaderFailed", `${env.where}${(e as Error).message ?? e}`);
  }
}

/**
 * Runs a DISTRIBUTED Map's items as child executions of a map run; returns the results array.
 * Writes MapRunStarted and MapRunSucceeded/MapRunFailed on the parent's strand.
 */
export async function runDistributed(env: StateEnv, processor: Json, items: unknown[] | undefined, effective: unknown, limit: number): Promise<unknown[]> {
  const { run, state } = env;
  if (!items) items = await readItems(env, state.ItemReader, effective);
  const batcher: Json | undefined = state.ItemBatcher;
  const context = contextObject(run, env.name, env.enteredTime, 0, env.scope);
  let units: unknown[] = items;
  if (batcher) {
    const size = Number(await fieldValue(env, "MaxItemsPerBatch", batcher.MaxItemsPerBatch ?? 0)) || items.length || 1;
    const batchInput = batcher.BatchInput !== undefined
      ? (env.scope.language === "JSONata" ? await applyJsonata(batcher.BatchInput, { variables: env.scope.variables, states: { input: env.input, context } }, "BatchInput", env.where)
        : applyTemplate(batcher.BatchInput, effective, context, env.where, env.scope.variables))
      : undefined;
    units = [];
    for (let k = 0; k < items.length; k += size) units.push({ ...(batchInput !== undefined ? { BatchInput: batchInput } : {}), Items: items.slice(k, k + size) });
  }
  const tolCount = Number(await fieldValue(env, "ToleratedFailureCount", state.ToleratedFailureCount ?? (state.ToleratedFailureCountPath !== undefined ? applyPath(env, "ToleratedFailureCountPath", effective, state.ToleratedFailureCountPath) : 0)));
  const tolPercent = Number(await fieldValue(env, "ToleratedFailurePercentage", state.ToleratedFailurePercentage ?? (state.ToleratedFailurePercentagePath !== undefined ? applyPath(env, "ToleratedFailurePercentagePath", effective, state.ToleratedFailurePercentagePath) : 0)));
  const label = state.Label ?? env.name;
  const machineName = run.exec.machineName;
  const mapRunArn = arn(run.ctx, "mapRun", `${machineName}/${label}:${randomId()}`);
  const record: StoredMapRun = {
    arn: mapRunArn, executionArn: run.exec.arn, stateMachineArn: arn(run.ctx, "stateMachine", `${machineName}/${label}`), status: "RUNNING",
    startDate: run.ctx.clock.now(), maxConcurrency: limit, toleratedFailurePercentage: tolPercent, toleratedFailureCount: tolCount,
    itemCounts: zero(items.length), executionCounts: zero(units.length),
  };
  await run.ctx.store.set(keys.mapRun(mapRunArn), record);
  env.scope.prev = run.emit("MapRunStarted", env.scope.prev, { mapRunStartedEventDetails: { mapRunArn } });
  const definition = JSON.stringify({ ...processor, ProcessorConfig: undefined, QueryLanguage: env.scope.language });
  const outcomes: { ok: boolean; output?: unknown; units: number }[] = [];
  const selector = state.ItemSelector ?? state.Parameters;
  await runStrands(env, units.length, limit, async (index) => {
    let input = units[index];
    if (selector !== undefined && !batcher) {
      const mapItem = { Index: index, Value: units[index] };
      input = env.scope.language === "JSONata"
        ? await applyJsonata(selector, { variables: env.scope.variables, states: { input: env.input, context: { ...context, Map: { Item: mapItem } } } }, "ItemSelector", env.where)
        : applyTemplate(selector, effective, { ...context, Map: { Item: mapItem } }, env.where, env.scope.variables);
    }
    const child: StoredExecution = {
      arn: arn(run.ctx, "execution", `${machineName}/${label}:${randomId()}`), name: randomId(), machineArn: record.stateMachineArn,
      machineName: `${machineName}/${label}`, type: processor.ProcessorConfig?.ExecutionType === "EXPRESS" ? "EXPRESS" : "STANDARD",
      definition, roleArn: run.exec.roleArn, status: "RUNNING", input: json(input), startDate: run.ctx.clock.now(), runId: randomId(),
      events: 0, redriveCount: 0, parentArn: mapRunArn,
    };
    await run.ctx.store.set(keys.execution(child.arn), child);
    const childRun = new Run(run.ctx, child);
    childRun.childRunner = run.childRunner;
    await run.childRunner!(childRun, input);
    const ok = childRun.exec.status === "SUCCEEDED";
    outcomes[index] = { ok, units: batcher ? (units[index] as { Items: unknown[] }).Items.length : 1, ...(ok ? { output: JSON.parse(childRun.exec.output ?? "null") } : {}) };
  });
  const failedItems = outcomes.filter((o) => !o.ok).reduce((s, o) => s + o.units, 0);
  const failedUnits = outcomes.filter((o) => !o.ok).length;
  const succeededUnits = units.length - failedUnits;
  const countGiven = state.ToleratedFailureCount !== undefined || state.ToleratedFailureCountPath !== undefined;
  const percentGiven = state.ToleratedFailurePercentage !== undefined || state.ToleratedFailurePercentagePath !== undefined;
  const percent = items.length ? (failedItems / items.length) * 100 : 0;
  const tooMany = countGiven || percentGiven
    ? (countGiven && failedItems > tolCount) || (percentGiven && percent > tolPercent)
    : failedItems > 0;
  const done: StoredMapRun = {
    ...record, status: tooMany ? "FAILED" : "SUCCEEDED", stopDate: run.ctx.clock.now(),
    itemCounts: { ...zero(items.length), pending: 0, succeeded: items.length - failedItems, failed: failedItems },
    executionCounts: { ...zero(units.length), pending: 0, succeeded: succeededUnits, failed: failedUnits },
  };
  await run.ctx.store.set(keys.mapRun(mapRunArn), done);
  if (tooMany) {
    const cause = "The specified tolerated failure threshold was exceeded";
    env.scope.prev = run.emit("MapRunFailed", env.scope.prev, { mapRunFailedEventDetails: { error: "States.ExceedToleratedFailureThreshold", cause } });
    throw new StatesError("States.ExceedToleratedFailureThreshold", cause);
  }
  env.scope.prev = run.emit("MapRunSucceeded", env.scope.prev);
  return outcomes.map((o) => (o.ok ? o.output : null));
}


async function getMapRun(ctx: RequestContext, value: string): Promise<StoredMapRun> {
  requireArn(value, "mapRun");
  const r = (await ctx.store.get<StoredMapRun>(keys.mapRun(value))).value;
  if (!r) throw err("ResourceNotFound", `Resource not found: '${value}'`, { resourceName: value });
  return r;
}

export const mapRunHandlers: Handlers<Ops> = {
  async DescribeMapRun(input, ctx) {
    const r = await getMapRun(ctx, input.mapRunArn);
    return {
      mapRunArn: r.arn, executionArn: r.executionArn, status: r.status, startDate: new Date(r.startDate), ...(r.stopDate ? { stopDate: new Date(r.stopDate) } : {}),
      maxConcurrency: r.maxConcurrency, toleratedFailurePercentage: r.toleratedFailurePercentage, toleratedFailureCount: r.toleratedFailureCount,
      itemCounts: r.itemCounts, executionCounts: r.executionCounts, redriveCount: 0,
    };
  },

  async ListMapRuns(input, ctx) {
    requireArn(input.executionArn, "execution");
    const exec = (await ctx.store.get(keys.execution(input.executionArn))).value;
    if (!exec) throw err("ExecutionDoesNotExist", `Execution Does Not Exist: '${input.executionArn}'`);
    const runs = (await listAll<StoredMapRun>(ctx, ["map-run"])).filter((r) => r.executionArn === input.executionArn);
    runs.sort((a, b) => b.startDate - a.startDate);
    const p = page(runs, input.maxResults, input.nextToken);
    return {
      mapRuns: p.items.map((r) => ({ executionArn: r.executionArn, mapRunArn: r.arn, stateMachineArn: r.stateMachineArn, startDate: new Date(r.startDate), ...(r.stopDate ? { stopDate: new Date(r.stopDate) } : {}) })),
      ...(p.nextToken ? { nextToken: p.nextToken } : {}),
    };
  },

  async UpdateMapRun(input, ctx) {
    const r = await getMapRun(ctx, input.mapRunArn);
    if (r.status !== "RUNNING") throw err("ValidationException", "Map Run is not in a RUNNING state and cannot be updated", { reason: "CANNOT_UPDATE_COMPLETED_MAP_RUN" });
    await ctx.store.set(keys.mapRun(r.arn), {
      ...r, ...(input.maxConcurrency !== undefined ? { maxConcurrency: input.maxConcurrency } : {}),
      ...(input.toleratedFailureCount !== undefined ? { toleratedFailureCount: input.toleratedFailureCount } : {}),
      ...(input.toleratedFailurePercentage !== undefined ? { toleratedFailurePercentage: input.toleratedFailurePercentage } : {}),
    });
    return {};
  },
};
