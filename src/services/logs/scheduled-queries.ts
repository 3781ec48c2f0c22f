/**
 * Scheduled queries: Create/Get/Update/Delete/ListScheduledQueries and GetScheduledQueryHistory.
 * An ENABLED query runs on the emulator clock at each time its `scheduleExpression` (`rate(...)`
 * or AWS's six-field `cron(...)`, in `timezone`) names within `scheduleStartTime` and
 * `scheduleEndTime`: a Logs Insights query over its log groups from `startTimeOffset` seconds
 * before the trigger (default 3600, fetchstack's choice) to the trigger, run to completion. With
 * an S3 destination the results go to fetchstack's S3 through `ctx.invoke("s3", "PutObject")` as
 * JSON (`<prefix>/<name>/<queryId>.json`: `{ queryId, scheduledQueryArn, triggeredTime,
 * results: [{field: value}] }`). Each run is a history record (trigger time, query id, status,
 * destination outcome). Timers are in memory: the first scheduled-query call after a restart
 * re-arms them and runs are not made up.
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateScheduledQuery.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetScheduledQueryHistory.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type {
  DestinationConfiguration, ExecutionStatus, Operations, ScheduledQueryDestination, ScheduledQueryState, TriggerHistoryRecord,
} from "../../generated/logs.ts";
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import { checkTimeZone, nextFire, parseScheduleExpression, ScheduleExpressionError, type ScheduleExpression } from "../../schedules/cron.ts";
import { runQueryNow } from "./insights.ts";
import { decodeToken, encodeToken, groupNameOf, keys, partitionOf } from "./state.ts";

interface StoredScheduledQuery {
  name: string;
  description?: string;
  queryLanguage: "CWLI";
  queryString: string;
  logGroupIdentifiers: string[];
  scheduleExpression: string;
  timezone?: string;
  startTimeOffset?: number;
  destinationConfiguration?: DestinationConfiguration;
  scheduleStartTime?: number;
  scheduleEndTime?: number;
  executionRoleArn: string;
  state: ScheduledQueryState;
  creationTime: number;
  lastUpdatedTime: number;
  lastTriggeredTime?: number;
  lastExecutionStatus?: ExecutionStatus;
  tags: Record<string, string>;
}

const DEFAULT_OFFSET_S = 3600;
const key = (name: string) => ["scheduled-query", name] as const;
const historyKey = (name: string, at: number, id: string) => ["scheduled-query-history", name, at, id] as const;

const validation = (message: string) => new AwsError("ValidationException", message, 400);
const notFound = (message: string) => new AwsError("ResourceNotFoundException", message, 400);

function arnOf(ctx: RequestContext, name: string): string {
  return `arn:${partitionOf(ctx.region)}:logs:${ctx.region}:${ctx.accountId}:scheduled-query:${name}`;
}

function nameOf(identifier: string): string {
  const m = /^arn:aws[a-z-]*:logs:[^:]*:\d{12}:scheduled-query:(.+)$/.exec(identifier);
  return m ? m[1]! : identifier;
}

async function load(ctx: RequestContext, identifier: string): Promise<StoredScheduledQuery> {
  const found = (await ctx.store.get<StoredScheduledQuery>(key(nameOf(identifier)))).value;
  if (!found) throw notFound(`Scheduled query ${identifier} does not exist.`);
  return found;
}

function schedule(q: { scheduleExpression: string; timezone?: string }): ScheduleExpression {
  try {
    if (q.timezone !== undefined) checkTimeZone(q.timezone);
    return parseScheduleExpression(q.scheduleExpression);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) throw validation(error.message);
    throw error;
  }
}

interface Config {
  queryLanguage: string;
  queryString: string;
  logGroupIdentifiers?: string[];
  scheduleExpression: string;
  timezone?: string;
  startTimeOffset?: number;
  destinationConfiguration?: DestinationConfiguration;
  scheduleStartTime?: unknown;
  scheduleEndTime?: unknown;
}

/** AWS's checks of a query's configuration (ValidationException / ResourceNotFoundException). */
async function check(ctx: RequestContext, c: Config): Promise<void> {
  if (c.queryLanguage !== "CWLI") throw validation(`Query language ${c.queryLanguage} is not supported by fetchstack; use CWLI.`);
  schedule(c);
  if (!c.logGroupIdentifiers?.length) throw validation("logGroupIdentifiers must name at least one log group.");
  for (const id of c.logGroupIdentifiers) {
    if (!(await ctx.store.get(keys.group(groupNameOf({ logGroupIdentifier: id })))).value) throw notFound(`Log group ${id} does not exist.`);
  }
  if (c.startTimeOffset !== undefined && c.startTimeOffset < 0) throw validation("startTimeOffset must not be negative.");
  const uri = c.destinationConfiguration?.s3Configuration.destinationIdentifier;
  if (uri !== undefined && !/^s3:\/\/[a-z0-9.-]{3,63}(\/.*)?$/.test(uri)) throw validation(`Invalid S3 destination ${uri}; expected s3://bucket/prefix.`);
  const start = c.scheduleStartTime !== undefined ? Number(c.scheduleStartTime) : undefined;
  const end = c.scheduleEndTime !== undefined ? Number(c.scheduleEndTime) : undefined;
  if (start !== undefined && end !== undefined && end <= start) throw validation("scheduleEndTime must be after scheduleStartTime.");
}

function describe(ctx: RequestContext, q: StoredScheduledQuery) {
  return {
    scheduledQueryArn: arnOf(ctx, q.name), name: q.name, ...(q.description !== undefined ? { description: q.description } : {}),
    queryLanguage: q.queryLanguage, queryString: q.queryString, logGroupIdentifiers: q.logGroupIdentifiers, scheduleExpression: q.scheduleExpression,
    ...(q.timezone ? { timezone: q.timezone } : {}), ...(q.startTimeOffset !== undefined ? { startTimeOffset: q.startTimeOffset } : {}),
    ...(q.destinationConfiguration ? { destinationConfiguration: q.destinationConfiguration } : {}), state: q.state,
    ...(q.lastTriggeredTime !== undefined ? { lastTriggeredTime: q.lastTriggeredTime } : {}),
    ...(q.lastExecutionStatus ? { lastExecutionStatus: q.lastExecutionStatus } : {}),
    ...(q.scheduleStartTime !== undefined ? { scheduleStartTime: q.scheduleStartTime } : {}),
    ...(q.scheduleEndTime !== undefined ? { scheduleEndTime: q.scheduleEndTime } : {}),
    executionRoleArn: q.executionRoleArn, creationTime: q.creationTime, lastUpdatedTime: q.lastUpdatedTime,
  };
}

/** The next trigger strictly after `after`, or null when the schedule has none left. */
function nextTrigger(q: StoredScheduledQuery, after: number): number | null {
  const from = Math.max(after, (q.scheduleStartTime ?? -Infinity) - 1);
  const at = nextFire(schedule(q), from, q.scheduleStartTime ?? q.creationTime, q.timezone ?? "UTC");
  return at === null || (q.scheduleEndTime !== undefined && at > q.scheduleEndTime) ? null : at;
}

/** Arms the query's next run in this emulator (once per configuration). */
function arm(ctx: RequestContext, q: StoredScheduledQuery): void {
  if (q.state !== "ENABLED") return;
  const armed = ctx.runtime("scheduled-queries", () => new Set<string>());
  const id = `${ctx.accountId}/${ctx.region}/${q.name}/${q.lastUpdatedTime}`;
  if (armed.has(id)) return;
  const at = nextTrigger(q, ctx.clock.now());
  if (at === null) return;
  armed.add(id);
  ctx.timers.setTimer(at - ctx.clock.now(), async () => {
    armed.delete(id);
    const current = (await ctx.store.get<StoredScheduledQuery>(key(q.name))).value;
    // Updated, disabled or deleted since: that version arms itself.
    if (!current || current.lastUpdatedTime !== q.lastUpdatedTime || current.state !== "ENABLED") return;
    await trigger(ctx, current, at);
    const after = (await ctx.store.get<StoredScheduledQuery>(key(q.name))).value;
    if (after) arm(ctx, after);
  });
}

/** One run: the query over its window, the results to the destination, a history record. */
async function trigger(ctx: RequestContext, q: StoredScheduledQuery, at: number): Promise<void> {
  const groups = q.logGroupIdentifiers.map((id) => groupNameOf({ logGroupIdentifier: id }));
  const offset = q.startTimeOffset ?? DEFAULT_OFFSET_S;
  let status: ExecutionStatus = "Failed";
  let queryId: string | undefined;
  let errorMessage: string | undefined;
  const destinations: ScheduledQueryDestination[] = [];
  try {
    const run = await runQueryNow(ctx, q.queryString, groups, Math.floor(at / 1000) - offset, Math.floor(at / 1000));
    queryId = run.queryId;
    status = run.status === "Complete" ? "Complete" : run.status === "Failed" ? "Failed" : "Timeout";
    const uri = q.destinationConfiguration?.s3Configuration.destinationIdentifier;
    if (uri && status === "Complete") {
      const [, bucket, prefix] = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri)!;
      const objectKey = `${prefix ? `${prefix.replace(/\/$/, "")}/` : ""}${q.name}/${run.queryId}.json`;
      const body = JSON.stringify({
        queryId: run.queryId, scheduledQueryArn: arnOf(ctx, q.name), triggeredTime: new Date(at).toISOString(),
        results: run.results.map((row) => Object.fromEntries(row.map((c) => [c.field, c.value]))),
      });
      try {
        await ctx.invoke("s3", "PutObject", { Bucket: bucket, Key: objectKey, Body: new TextEncoder().encode(body), ContentType: "application/json" });
        destinations.push({ destinationType: "S3", destinationIdentifier: uri, status: "COMPLETE", processedIdentifier: `s3://${bucket}/${objectKey}` });
      } catch (error) {
        destinations.push({ destinationType: "S3", destinationIdentifier: uri, status: "CLIENT_ERROR", errorMessage: isAwsError(error) ? `${error.code}: ${error.message}` : "internal error" });
      }
    }
  } catch (error) {
    if (!isAwsError(error)) throw error;
    status = error.code === "MalformedQueryException" ? "InvalidQuery" : "Failed";
    errorMessage = error.message;
  }
  const record: TriggerHistoryRecord = {
    ...(queryId ? { queryId } : {}), executionStatus: status, triggeredTimestamp: at, ...(errorMessage ? { errorMessage } : {}), destinations,
  };
  const current = (await ctx.store.get<StoredScheduledQuery>(key(q.name))).value;
  let op = ctx.store.atomic().set(historyKey(q.name, at, queryId ?? crypto.randomUUID()), record);
  if (current) op = op.set(key(q.name), { ...current, lastTriggeredTime: at, lastExecutionStatus: status });
  await op.commit();
}

/** Re-arms every scheduled query of the account and region once per emulator (after a restart). */
async function ensureArmed(ctx: RequestContext): Promise<void> {
  const scopes = ctx.runtime("scheduled-query-scopes", () => new Set<string>());
  const scope = `${ctx.accountId}/${ctx.region}`;
  if (scopes.has(scope)) return;
  scopes.add(scope);
  for await (const entry of ctx.store.list<StoredScheduledQuery>({ prefix: ["scheduled-query"] })) arm(ctx, entry.value);
}

export const scheduledQueryHandlers: Handlers<Operations> = {
  async CreateScheduledQuery(input, ctx) {
    await ensureArmed(ctx);
    await check(ctx, input);
    const now = ctx.clock.now();
    const q: StoredScheduledQuery = {
      name: input.name, ...(input.description !== undefined ? { description: input.description } : {}), queryLanguage: "CWLI",
      queryString: input.queryString, logGroupIdentifiers: input.logGroupIdentifiers ?? [], scheduleExpression: input.scheduleExpression,
      ...(input.timezone ? { timezone: input.timezone } : {}), ...(input.startTimeOffset !== undefined ? { startTimeOffset: input.startTimeOffset } : {}),
      ...(input.destinationConfiguration ? { destinationConfiguration: input.destinationConfiguration } : {}),
      ...(input.scheduleStartTime !== undefined ? { scheduleStartTime: Number(input.scheduleStartTime) } : {}),
      ...(input.scheduleEndTime !== undefined ? { scheduleEndTime: Number(input.scheduleEndTime) } : {}),
      executionRoleArn: input.executionRoleArn, state: input.state ?? "ENABLED", creationTime: now, lastUpdatedTime: now, tags: { ...(input.tags ?? {}) },
    };
    const ok = await ctx.store.atomic().check({ key: key(input.name), versionstamp: null }).set(key(input.name), q).commit();
    if (!ok.ok) throw new AwsError("ConflictException", `Scheduled query ${input.name} already exists.`, 400);
    arm(ctx, q);
    return { scheduledQueryArn: arnOf(ctx, q.name), state: q.state };
  },

  async GetScheduledQuery(input, ctx) {
    await ensureArmed(ctx);
    return describe(ctx, await load(ctx, input.identifier));
  },

  async UpdateScheduledQuery(input, ctx) {
    await ensureArmed(ctx);
    const q = await load(ctx, input.identifier);
    await check(ctx, input);
    const next: StoredScheduledQuery = {
      name: q.name, queryLanguage: "CWLI", queryString: input.queryString, logGroupIdentifiers: input.logGroupIdentifiers ?? [],
      scheduleExpression: input.scheduleExpression, executionRoleArn: input.executionRoleArn, state: input.state ?? q.state,
      creationTime: q.creationTime, lastUpdatedTime: Math.max(ctx.clock.now(), q.lastUpdatedTime + 1), tags: q.tags,
      ...(input.description !== undefined ? { description: input.description } : {}), ...(input.timezone ? { timezone: input.timezone } : {}),
      ...(input.startTimeOffset !== undefined ? { startTimeOffset: input.startTimeOffset } : {}),
      ...(input.destinationConfiguration ? { destinationConfiguration: input.destinationConfiguration } : {}),
      ...(input.scheduleStartTime !== undefined ? { scheduleStartTime: Number(input.scheduleStartTime) } : {}),
      ...(input.scheduleEndTime !== undefined ? { scheduleEndTime: Number(input.scheduleEndTime) } : {}),
      ...(q.lastTriggeredTime !== undefined ? { lastTriggeredTime: q.lastTriggeredTime } : {}),
      ...(q.lastExecutionStatus ? { lastExecutionStatus: q.lastExecutionStatus } : {}),
    };
    await ctx.store.set(key(q.name), next);
    arm(ctx, next);
    return describe(ctx, next);
  },

  async DeleteScheduledQuery(input, ctx) {
    const q = await load(ctx, input.identifier);
    await ctx.store.delete(key(q.name));
    for await (const entry of ctx.store.list({ prefix: ["scheduled-query-history", q.name] })) await ctx.store.delete(entry.key);
    return {};
  },

  async ListScheduledQueries(input, ctx) {
    await ensureArmed(ctx);
    const all: StoredScheduledQuery[] = [];
    for await (const entry of ctx.store.list<StoredScheduledQuery>({ prefix: ["scheduled-query"] })) {
      if (input.state === undefined || entry.value.state === input.state) all.push(entry.value);
    }
    const start = input.nextToken !== undefined ? decodeToken<number>(input.nextToken) : 0;
    const limit = input.maxResults ?? 50;
    return {
      scheduledQueries: all.slice(start, start + limit).map((q) => {
        const d = describe(ctx, q);
        return {
          scheduledQueryArn: d.scheduledQueryArn, name: d.name, state: d.state, scheduleExpression: d.scheduleExpression,
          ...(d.lastTriggeredTime !== undefined ? { lastTriggeredTime: d.lastTriggeredTime } : {}), ...(d.lastExecutionStatus ? { lastExecutionStatus: d.lastExecutionStatus } : {}),
          ...(d.timezone ? { timezone: d.timezone } : {}), ...(d.destinationConfiguration ? { destinationConfiguration: d.destinationConfiguration } : {}),
          creationTime: d.creationTime, lastUpdatedTime: d.lastUpdatedTime,
        };
      }),
      ...(start + limit < all.length ? { nextToken: encodeToken(start + limit) } : {}),
    };
  },

  async GetScheduledQueryHistory(input, ctx) {
    const q = await load(ctx, input.identifier);
    const from = Number(input.startTime);
    const to = Number(input.endTime);
    if (to < from) throw validation("endTime must not be before startTime.");
    const all: TriggerHistoryRecord[] = [];
    for await (const entry of ctx.store.list<TriggerHistoryRecord>({ prefix: ["scheduled-query-history", q.name] })) {
      const r = entry.value;
      if (Number(r.triggeredTimestamp) < from || Number(r.triggeredTimestamp) > to) continue;
      if (input.executionStatuses?.length && !input.executionStatuses.includes(r.executionStatus!)) continue;
      all.push(r);
    }
    all.reverse();
    const start = input.nextToken !== undefined ? decodeToken<number>(input.nextToken) : 0;
    const limit = input.maxResults ?? 50;
    return {
      name: q.name, scheduledQueryArn: arnOf(ctx, q.name), triggerHistory: all.slice(start, start + limit),
      ...(start + limit < all.length ? { nextToken: encodeToken(start + limit) } : {}),
    };
  },
};
