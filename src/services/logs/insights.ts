/**
 * Logs Insights: StartQuery runs a query in the background (`ctx.waitUntil`, so
 * `emulator.settled()` waits for it) over the events of its log groups between startTime and
 * endTime (epoch seconds, both inclusive); GetQueryResults answers `Running` until then, then
 * `Complete` with the rows and statistics; StopQuery cancels a running query; DescribeQueries
 * lists them; GetLogRecord reads an event by its `@ptr`; GetLogGroupFields lists the fields of
 * recent events with their share.
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartQuery.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetQueryResults.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogRecord.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { Operations, QueryStatus } from "../../generated/logs.ts";
import { AwsError } from "../../protocol/errors.ts";
import { base64ToUtf8, utf8ToBase64 } from "../../encoding/base64.ts";
import { parseQuery, QuerySyntaxError, type Command } from "./insights-parse.ts";
import { checkCommands, eventRow, formatValue, runCommands, type QueryOutcome, type Row } from "./insights-run.ts";
import {
  decodeToken, encodeToken, groupArn, groupNameOf, invalidParameter, keys, loadGroup, resourceNotFound, retentionCutoff,
  type StoredEvent, type StoredGroup,
} from "./state.ts";

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;
const MAX_GROUPS = 50;
/** AWS keeps a query's results for 7 days. */
const KEEP_MS = 7 * 86_400_000;

interface StoredQuery {
  queryId: string;
  queryString: string;
  queryLanguage: "CWLI";
  status: QueryStatus;
  createTime: number;
  groups: string[];
  startTime: number;
  endTime: number;
  limit: number;
  results?: { field: string; value: string }[][];
  statistics?: { recordsMatched: number; recordsScanned: number; bytesScanned: number; logGroupsScanned: number };
}

const queryKey = (id: string) => ["query", id] as const;
const utf8 = new TextEncoder();

function pointer(group: string, stream: string, timestamp: number, seq: number): string {
  return utf8ToBase64(JSON.stringify([group, stream, timestamp, seq]));
}

function readPointer(ptr: string): [string, string, number, number] {
  try {
    const value = JSON.parse(base64ToUtf8(ptr));
    if (Array.isArray(value) && value.length === 4 && typeof value[0] === "string" && typeof value[2] === "number") return value as never;
  } catch {
    // AWS's error below
  }
  throw invalidParameter("The specified logRecordPointer is invalid.");
}

function malformed(error: QuerySyntaxError, query: string): AwsError {
  const at = /at (\d+)/.exec(error.message);
  const start = at ? Number(at[1]) : 0;
  return new AwsError("MalformedQueryException", `Query parse error: ${error.message}`, 400, {
    fields: { queryCompileError: { location: { startCharOffset: start, endCharOffset: Math.max(start, query.length - 1) }, message: error.message } },
  });
}

function compile(query: string): Command[] {
  try {
    const commands = parseQuery(query);
    checkCommands(commands);
    return commands;
  } catch (error) {
    if (error instanceof QuerySyntaxError) throw malformed(error, query);
    if (error instanceof SyntaxError) throw malformed(new QuerySyntaxError(error.message), query);
    throw error;
  }
}

/** The events of `group` with timestamps in [from, to] ms, as query rows. */
async function* groupRows(ctx: RequestContext, group: StoredGroup, from: number, to: number): AsyncGenerator<{ row: Row; bytes: number }> {
  const cutoff = retentionCutoff(ctx, group);
  const log = `${ctx.accountId}:${group.logGroupName}`;
  for await (const entry of ctx.store.list<StoredEvent>({ prefix: keys.groupEvents(group.logGroupName) })) {
    const [, , stream, timestamp, seq] = entry.key as unknown as [string, string, string, number, number];
    if (timestamp < from || timestamp > to || timestamp < cutoff) continue;
    yield {
      row: eventRow({ group: group.logGroupName, stream, timestamp, ingestion: entry.value.i, message: entry.value.m, ptr: pointer(group.logGroupName, stream, timestamp, seq), log }),
      bytes: utf8.encode(entry.value.m).byteLength,
    };
  }
}

async function execute(ctx: RequestContext, query: StoredQuery, commands: Command[]): Promise<void> {
  const source: Row[] = [];
  let bytesScanned = 0;
  for (const name of query.groups) {
    const group = (await ctx.store.get<StoredGroup>(keys.group(name))).value;
    if (!group) continue;
    for await (const { row, bytes } of groupRows(ctx, group, query.startTime * 1000, query.endTime * 1000 + 999)) {
      source.push(row);
      bytesScanned += bytes;
    }
  }
  // Events in time order across groups and streams, as a query without `sort` reads them.
  source.sort((a, b) => (a["@timestamp"] as { ms: number }).ms - (b["@timestamp"] as { ms: number }).ms);
  let outcome: QueryOutcome | undefined;
  let failed = false;
  try {
    outcome = runCommands(commands, source);
  } catch (error) {
    if (!(error instanceof QuerySyntaxError)) throw error;
    failed = true;
  }
  const entry = await ctx.store.get<StoredQuery>(queryKey(query.queryId));
  if (!entry.value || entry.value.status !== "Running") return;
  const done = outcome;
  const results = done
    ? done.rows.slice(0, query.limit).map((row) =>
      done.columns.filter((c) => row[c] !== undefined && row[c] !== null).map((field) => ({ field, value: formatValue(row[field]) })))
    : [];
  await ctx.store.atomic().check({ key: queryKey(query.queryId), versionstamp: entry.versionstamp }).set(queryKey(query.queryId), {
    ...entry.value,
    status: failed ? "Failed" : "Complete",
    results,
    statistics: {
      recordsMatched: outcome?.matched ?? 0,
      recordsScanned: source.length,
      bytesScanned,
      logGroupsScanned: query.groups.length,
    },
  } satisfies StoredQuery).commit();
}

function groupsOf(input: { logGroupName?: string; logGroupNames?: string[]; logGroupIdentifiers?: string[] }): string[] {
  const given = [input.logGroupName !== undefined, input.logGroupNames !== undefined, input.logGroupIdentifiers !== undefined].filter(Boolean).length;
  if (given === 0) throw invalidParameter("Either logGroupName, logGroupNames or logGroupIdentifiers must be specified.");
  if (given > 1) throw invalidParameter("Only one of logGroupName, logGroupNames or logGroupIdentifiers may be specified.");
  const names = input.logGroupName !== undefined ? [input.logGroupName]
    : input.logGroupNames ?? input.logGroupIdentifiers!.map((id) => groupNameOf({ logGroupIdentifier: id }));
  if (names.length > MAX_GROUPS) throw invalidParameter(`A query can search at most ${MAX_GROUPS} log groups.`);
  return [...new Set(names)];
}

/**
 * Runs a Logs Insights query to completion (scheduled queries): stored like a StartQuery query,
 * so DescribeQueries and GetQueryResults see it. `start`/`end` are epoch seconds. Throws
 * MalformedQueryException for a query that does not parse.
 */
export async function runQueryNow(ctx: RequestContext, queryString: string, groups: string[], start: number, end: number): Promise<{ queryId: string; status: QueryStatus; results: { field: string; value: string }[][] }> {
  const commands = compile(queryString);
  const query: StoredQuery = {
    queryId: crypto.randomUUID(), queryString, queryLanguage: "CWLI", status: "Running", createTime: ctx.clock.now(), groups,
    startTime: start, endTime: end, limit: DEFAULT_LIMIT,
  };
  await ctx.store.set(queryKey(query.queryId), query);
  await execute(ctx, query, commands);
  const done = (await ctx.store.get<StoredQuery>(queryKey(query.queryId))).value!;
  return { queryId: query.queryId, status: done.status, results: done.results ?? [] };
}

export const insightsHandlers: Handlers<Operations> = {
  async StartQuery(input, ctx) {
    if (input.queryLanguage !== undefined && input.queryLanguage !== "CWLI") {
      throw invalidParameter(`Query language ${input.queryLanguage} is not supported by this emulator; use CWLI (the Logs Insights query language).`);
    }
    const groups = groupsOf(input);
    for (const name of groups) {
      if (!(await ctx.store.get(keys.group(name))).value) {
        throw resourceNotFound(`Log group '${name}' does not exist for account ID '${ctx.accountId}'`);
      }
    }
    if (input.endTime < input.startTime) throw invalidParameter("End time should not be before the start time");
    const commands = compile(input.queryString);
    const limit = input.limit ?? DEFAULT_LIMIT;
    if (limit > MAX_LIMIT) throw invalidParameter(`limit must be at most ${MAX_LIMIT}`);
    const query: StoredQuery = {
      queryId: crypto.randomUUID(),
      queryString: input.queryString,
      queryLanguage: "CWLI",
      status: "Running",
      createTime: ctx.clock.now(),
      groups,
      startTime: Number(input.startTime),
      endTime: Number(input.endTime),
      limit,
    };
    await ctx.store.set(queryKey(query.queryId), query);
    ctx.waitUntil(execute(ctx, query, commands));
    return { queryId: query.queryId };
  },

  async GetQueryResults(input, ctx) {
    const query = (await ctx.store.get<StoredQuery>(queryKey(input.queryId))).value;
    if (!query || ctx.clock.now() - query.createTime > KEEP_MS) throw resourceNotFound("The specified query could not be found.");
    return {
      queryLanguage: query.queryLanguage,
      results: query.results ?? [],
      statistics: query.statistics ?? { recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 },
      status: query.status,
    };
  },

  async StopQuery(input, ctx) {
    const entry = await ctx.store.get<StoredQuery>(queryKey(input.queryId));
    if (!entry.value) throw resourceNotFound("The specified query could not be found.");
    if (entry.value.status !== "Running" && entry.value.status !== "Scheduled") return { success: false };
    const ok = await ctx.store.atomic().check(entry).set(queryKey(input.queryId), { ...entry.value, status: "Cancelled" }).commit();
    return { success: ok.ok };
  },

  async DescribeQueries(input, ctx) {
    const now = ctx.clock.now();
    const all: StoredQuery[] = [];
    for await (const entry of ctx.store.list<StoredQuery>({ prefix: ["query"] })) {
      const q = entry.value;
      if (now - q.createTime > KEEP_MS) continue;
      if (input.status !== undefined && q.status !== input.status) continue;
      if (input.logGroupName !== undefined && !q.groups.includes(input.logGroupName)) continue;
      if (input.queryLanguage !== undefined && input.queryLanguage !== q.queryLanguage) continue;
      all.push(q);
    }
    all.sort((a, b) => b.createTime - a.createTime || (a.queryId < b.queryId ? -1 : 1));
    const start = input.nextToken !== undefined ? decodeToken<number>(input.nextToken) : 0;
    if (typeof start !== "number") throw invalidParameter("The specified nextToken is invalid.");
    const limit = input.maxResults ?? 1000;
    const page = all.slice(start, start + limit);
    return {
      queries: page.map((q) => ({
        queryLanguage: q.queryLanguage, queryId: q.queryId, queryString: q.queryString, status: q.status,
        createTime: q.createTime, logGroupName: q.groups[0],
      })),
      ...(start + limit < all.length ? { nextToken: encodeToken(start + limit) } : {}),
    };
  },

  async ListLogGroupsForQuery(input, ctx) {
    const query = (await ctx.store.get<StoredQuery>(queryKey(input.queryId))).value;
    if (!query || ctx.clock.now() - query.createTime > KEEP_MS) throw resourceNotFound("The specified query could not be found.");
    const arns = query.groups.map((g) => groupArn(ctx, g));
    const start = input.nextToken !== undefined ? decodeToken<number>(input.nextToken) : 0;
    if (typeof start !== "number") throw invalidParameter("The specified nextToken is invalid.");
    const limit = input.maxResults ?? 50;
    return { logGroupIdentifiers: arns.slice(start, start + limit), ...(start + limit < arns.length ? { nextToken: encodeToken(start + limit) } : {}) };
  },

  async GetLogRecord(input, ctx) {
    const [group, stream, timestamp, seq] = readPointer(input.logRecordPointer);
    const stored = (await ctx.store.get<StoredEvent>(keys.event(group, stream, timestamp, seq))).value;
    const groupState = (await ctx.store.get<StoredGroup>(keys.group(group))).value;
    if (!stored || !groupState || timestamp < retentionCutoff(ctx, groupState)) throw resourceNotFound("The specified log record does not exist.");
    const row = eventRow({ group, stream, timestamp, ingestion: stored.i, message: stored.m, ptr: input.logRecordPointer, log: `${ctx.accountId}:${group}` });
    const logRecord: Record<string, string> = {};
    for (const [field, value] of Object.entries(row)) {
      if (field === "@ptr" || value === undefined || value === null) continue;
      logRecord[field] = field === "@timestamp" || field === "@ingestionTime" ? String((value as { ms: number }).ms) : formatValue(value);
    }
    return { logRecord };
  },

  async GetLogGroupFields(input, ctx) {
    const group = await loadGroup(ctx, groupNameOf(input));
    // With `time` (epoch seconds): 8 minutes either side; without: the last 15 minutes.
    const [from, to] = input.time !== undefined
      ? [Number(input.time) * 1000 - 480_000, Number(input.time) * 1000 + 480_000]
      : [ctx.clock.now() - 900_000, ctx.clock.now()];
    const counts = new Map<string, number>();
    let total = 0;
    for await (const { row } of groupRows(ctx, group, from, to)) {
      total++;
      for (const field of Object.keys(row)) if (field !== "@ptr" && field !== "@log") counts.set(field, (counts.get(field) ?? 0) + 1);
    }
    return {
      logGroupFields: [...counts].map(([name, n]) => ({ name, percent: Math.round((n / total) * 100) })),
    };
  },
};
