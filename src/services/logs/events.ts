/**
 * Log events: PutLogEvents with AWS's batch rules, GetLogEvents with forward and backward
 * tokens, FilterLogEvents with filter patterns, and delivery to subscription filters.
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogEvents.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilterLogEvents.html
 */
import { gzipSync } from "fflate";
import type { RequestContext } from "../types.ts";
import { withLock } from "../../store/mutex.ts";
import { commitWithRetry } from "../../store/atomic.ts";
import { extractValue, FilterPatternError, matches, parseFilterPattern, type FilterPattern } from "./filter-pattern.ts";
import { accountPolicies, policySelects } from "./policies.ts";
import { transformerFor } from "./transformers.ts";
import { notifyTail } from "./tail-signal.ts";
import { transformMessage } from "./transform-processors.ts";
import {
  decodeToken, encodeToken, invalidParameter, keys, loadGroup, loadStream, retentionCutoff,
  type StoredEvent, type StoredFilter, type StoredGroup, type StoredStream,
} from "./state.ts";

const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;
const MAX_EVENT_BYTES = 1_048_576;
const FUTURE_MS = 2 * 3_600_000;
const PAST_MS = 14 * 86_400_000;
const SPAN_MS = 24 * 3_600_000;

const utf8 = new TextEncoder();

export function parsePattern(text: string): FilterPattern {
  try {
    return parseFilterPattern(text);
  } catch (error) {
    if (error instanceof FilterPatternError) throw invalidParameter("Invalid filter pattern");
    throw error;
  }
}

function eventId(timestamp: number, seq: number): string {
  return `${String(timestamp).padStart(20, "0")}${String(seq).padStart(36, "0")}`;
}

export interface InputEvent {
  timestamp: number;
  message: string;
}

/** PutLogEvents: stores the batch's acceptable events in one commit with the stream's counters. */
export async function putLogEvents(ctx: RequestContext, groupName: string, streamName: string, events: InputEvent[]) {
  const group = await loadGroup(ctx, groupName);
  let bytes = 0;
  for (const [i, event] of events.entries()) {
    const size = utf8.encode(event.message).byteLength;
    if (size > MAX_EVENT_BYTES) throw invalidParameter(`Log event too large: ${size} bytes exceeds limit of ${MAX_EVENT_BYTES}`);
    bytes += size + EVENT_OVERHEAD;
    if (i > 0 && event.timestamp < events[i - 1]!.timestamp) {
      throw invalidParameter("Log events in a single PutLogEvents request must be in chronological order.");
    }
  }
  if (bytes > MAX_BATCH_BYTES) throw invalidParameter(`Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
  if (events.length > 0 && events[events.length - 1]!.timestamp - events[0]!.timestamp > SPAN_MS) {
    throw invalidParameter("The batch of log events in a single PutLogEvents request cannot span more than 24 hours.");
  }
  const now = ctx.clock.now();
  const cutoff = retentionCutoff(ctx, group);
  const rejected: { tooNewLogEventStartIndex?: number; tooOldLogEventEndIndex?: number; expiredLogEventEndIndex?: number } = {};
  const accepted: { index: number; event: InputEvent }[] = [];
  events.forEach((event, index) => {
    if (event.timestamp > now + FUTURE_MS) {
      rejected.tooNewLogEventStartIndex ??= index;
    } else if (event.timestamp < now - PAST_MS) {
      rejected.tooOldLogEventEndIndex = index;
    } else if (event.timestamp < cutoff) {
      rejected.expiredLogEventEndIndex = index;
    } else {
      accepted.push({ index, event });
    }
  });
  // A transformer's output is what the group stores; filters may still read the original.
  const transformer = accepted.length > 0 ? await transformerFor(ctx, groupName) : undefined;
  const transformed = accepted.map(({ event }) => (transformer ? transformMessage(transformer, event.message) : undefined) ?? event.message);
  const stored = await withLock(`logs/${ctx.accountId}/${ctx.region}/${groupName}/${streamName}`, async () => (await commitWithRetry<IngestedEvent[]>(async () => {
      const entry = await ctx.store.get<StoredStream>(keys.stream(groupName, streamName));
      // A missing stream throws ResourceNotFoundException here.
      if (!entry.value) {
        await loadStream(ctx, groupName, streamName);
        return { done: [] };
      }
      const stream: StoredStream = { ...entry.value };
      const op = ctx.store.atomic().check({ key: keys.stream(groupName, streamName), versionstamp: entry.versionstamp });
      const out: IngestedEvent[] = [];
      for (const [k, { event }] of accepted.entries()) {
        const seq = stream.seq++;
        const message = transformed[k]!;
        op.set(keys.event(groupName, streamName, event.timestamp, seq), { m: message, i: now } satisfies StoredEvent);
        out.push({ timestamp: event.timestamp, seq, message, original: event.message });
        stream.storedBytes += utf8.encode(message).byteLength;
        if (stream.firstEventTimestamp === undefined || event.timestamp < stream.firstEventTimestamp) stream.firstEventTimestamp = event.timestamp;
        if (stream.lastEventTimestamp === undefined || event.timestamp > stream.lastEventTimestamp) stream.lastEventTimestamp = event.timestamp;
      }
      if (accepted.length > 0) stream.lastIngestionTime = now;
      op.set(keys.stream(groupName, streamName), stream);
      return { op, value: out };
    })).value);
  if (stored.length > 0) {
    notifyTail(ctx.accountId, ctx.region);
    ctx.waitUntil(deliverToSubscriptions(ctx, group, streamName, stored));
    ctx.waitUntil(publishMetrics(ctx, group, stored));
  }
  return {
    nextSequenceToken: String(now).padStart(56, "0"),
    ...(Object.keys(rejected).length ? { rejectedLogEventsInfo: rejected } : {}),
  };
}

/** An event as stored (`message`, transformed if the group has a transformer) and as ingested. */
interface IngestedEvent {
  timestamp: number;
  seq: number;
  message: string;
  original: string;
}

/** What a filter reads of an event: the transformed message only with `applyOnTransformedLogs`. */
const seen = (filter: StoredFilter, e: IngestedEvent) => (filter.applyOnTransformedLogs ? e.message : e.original);

/** Sends matching events to each subscription filter's destination, as AWS's gzip'd envelope. */
async function deliverToSubscriptions(ctx: RequestContext, group: StoredGroup, streamName: string, events: IngestedEvent[]): Promise<void> {
  const filters: StoredFilter[] = [];
  for await (const entry of ctx.store.list<StoredFilter>({ prefix: keys.subscriptions(group.logGroupName) })) filters.push(entry.value);
  // The account's subscription filter policy delivers too, for the groups it selects.
  for (const policy of await accountPolicies(ctx, "SUBSCRIPTION_FILTER_POLICY")) {
    if (!policySelects(policy, group.logGroupName)) continue;
    const doc = JSON.parse(policy.policyDocument) as { DestinationArn: string; RoleArn?: string; FilterPattern?: string; Distribution?: "Random" | "ByLogStream" };
    filters.push({ filterName: policy.policyName, filterPattern: doc.FilterPattern ?? "", creationTime: policy.lastUpdatedTime, destinationArn: doc.DestinationArn });
  }
  for (const filter of filters) {
    const pattern = parseFilterPattern(filter.filterPattern);
    const matching = events.filter((e) => matches(pattern, seen(filter, e)));
    if (matching.length === 0) continue;
    const envelope = {
      messageType: "DATA_MESSAGE",
      owner: ctx.accountId,
      logGroup: group.logGroupName,
      logStream: streamName,
      subscriptionFilters: [filter.filterName],
      logEvents: matching.map((e) => ({ id: eventId(e.timestamp, e.seq), timestamp: e.timestamp, message: seen(filter, e) })),
    };
    const data = gzipSync(utf8.encode(JSON.stringify(envelope)));
    await deliver(ctx, filter.destinationArn!, data, streamName);
  }
}

/**
 * Metric filters: every matching event adds its `metricValue` (a number, or `$field` / `$.path`
 * taken from the event) to the metric, with dimensions from the event; a non-matching event adds
 * `defaultValue` when one is set. Published through `ctx.invoke("cloudwatch", "PutMetricData")`.
 */
async function publishMetrics(ctx: RequestContext, group: StoredGroup, ingested: IngestedEvent[]): Promise<void> {
  for await (const entry of ctx.store.list<StoredFilter>({ prefix: keys.metricFilters(group.logGroupName) })) {
    const pattern = parseFilterPattern(entry.value.filterPattern);
    const events = ingested.map((e) => ({ timestamp: e.timestamp, message: seen(entry.value, e) }));
    for (const t of entry.value.metricTransformations ?? []) {
      const data: Record<string, unknown>[] = [];
      for (const event of events) {
        let value: number | undefined;
        const dimensions: { Name: string; Value: string }[] = [];
        if (matches(pattern, event.message)) {
          value = /^-?\d+(\.\d+)?$/.test(t.metricValue) ? Number(t.metricValue) : Number(extractValue(pattern, event.message, t.metricValue));
          for (const [name, selector] of Object.entries(t.dimensions ?? {})) {
            const v = extractValue(pattern, event.message, selector);
            if (v !== undefined) dimensions.push({ Name: name, Value: v });
          }
        } else if (t.defaultValue !== undefined && !t.dimensions) {
          value = t.defaultValue;
        }
        if (value === undefined || !Number.isFinite(value)) continue;
        data.push({ MetricName: t.metricName, Value: value, Timestamp: new Date(event.timestamp), Dimensions: dimensions, ...(t.unit ? { Unit: t.unit } : {}) });
      }
      for (let i = 0; i < data.length; i += 1000) {
        await ctx.invoke("cloudwatch", "PutMetricData", { Namespace: t.metricNamespace, MetricData: data.slice(i, i + 1000) });
      }
    }
  }
}

async function deliver(ctx: RequestContext, arn: string, data: Uint8Array, partitionKey: string): Promise<void> {
  const service = arn.split(":")[2];
  if (service === "lambda") {
    let binary = "";
    for (const byte of data) binary += String.fromCharCode(byte);
    const payload = utf8.encode(JSON.stringify({ awslogs: { data: btoa(binary) } }));
    await ctx.invoke("lambda", "Invoke", { FunctionName: arn, InvocationType: "Event", Payload: payload });
  } else if (service === "kinesis") {
    await ctx.invoke("kinesis", "PutRecord", { StreamARN: arn, PartitionKey: partitionKey, Data: data });
  } else if (service === "firehose") {
    await ctx.invoke("firehose", "PutRecord", { DeliveryStreamName: arn.split("/").pop(), Record: { Data: data } });
  }
}

/** Position in a stream: events sort by (timestamp, seq). */
type Position = [number, number];

const MAX_SEQ = 999_999_999_999_999;

function formatPosition(direction: "f" | "b", pos: Position): string {
  return `${direction}/${String(pos[0]).padStart(20, "0")}${String(pos[1]).padStart(16, "0")}`;
}

function parsePosition(token: string): { direction: "f" | "b"; pos: Position } {
  const m = /^([fb])\/(\d{20})(\d{16})$/.exec(token);
  if (!m) throw invalidParameter("The specified nextToken is invalid.");
  return { direction: m[1] as "f" | "b", pos: [Number(m[2]), Number(m[3])] };
}

interface ReadEvent {
  timestamp: number;
  seq: number;
  message: string;
  ingestionTime: number;
}

async function readRange(ctx: RequestContext, group: StoredGroup, stream: string, start: Position, end: Position, reverse: boolean, limit: number): Promise<ReadEvent[]> {
  const prefix = keys.events(group.logGroupName, stream);
  const cutoff = retentionCutoff(ctx, group);
  const out: ReadEvent[] = [];
  const expired: (readonly unknown[])[] = [];
  let bytes = 0;
  for await (const entry of ctx.store.list<StoredEvent>({ start: [...prefix, ...start], end: [...prefix, ...end] }, { reverse })) {
    const timestamp = entry.key[3] as number;
    if (timestamp < cutoff) {
      expired.push(entry.key);
      continue;
    }
    bytes += utf8.encode(entry.value.m).byteLength + EVENT_OVERHEAD;
    if (out.length >= limit || (out.length > 0 && bytes > MAX_BATCH_BYTES)) break;
    out.push({ timestamp, seq: entry.key[4] as number, message: entry.value.m, ingestionTime: entry.value.i });
  }
  // Retention deletes what has aged out; readers that pass it remove it for good.
  for (const key of expired) await ctx.store.delete(key as never);
  return out;
}

export async function getLogEvents(ctx: RequestContext, input: { groupName: string; logStreamName: string; startTime?: number; endTime?: number; nextToken?: string; limit?: number; startFromHead?: boolean }) {
  const group = await loadGroup(ctx, input.groupName);
  await loadStream(ctx, input.groupName, input.logStreamName);
  const limit = input.limit ?? 10_000;
  const lo: Position = [input.startTime ?? 0, 0];
  const hi: Position = [input.endTime ?? Number.MAX_SAFE_INTEGER, 0];
  let forward = input.startFromHead === true;
  let from = lo;
  let to = hi;
  if (input.nextToken !== undefined) {
    const { direction, pos } = parsePosition(input.nextToken);
    forward = direction === "f";
    if (forward) from = [pos[0], pos[1] + 1];
    else to = pos;
  }
  const read = await readRange(ctx, group, input.logStreamName, from, to, !forward, limit);
  const events = forward ? read : read.reverse();
  const first = events[0];
  const last = events[events.length - 1];
  // At the end of the stream AWS hands back the token it was given, which is how readers stop.
  const forwardPos: Position = last ? [last.timestamp, last.seq]
    : input.nextToken !== undefined && forward ? parsePosition(input.nextToken).pos
    : from[0] > 0 ? [from[0] - 1, MAX_SEQ] : [0, 0];
  const backwardPos: Position = first ? [first.timestamp, first.seq]
    : input.nextToken !== undefined && !forward ? parsePosition(input.nextToken).pos : from;
  return {
    events: events.map((e) => ({ timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime })),
    nextForwardToken: formatPosition("f", forwardPos),
    nextBackwardToken: formatPosition("b", backwardPos),
  };
}

interface FilterToken {
  t: number;
  s: string;
  q: number;
}

export async function filterLogEvents(ctx: RequestContext, input: {
  groupName: string; logStreamNames?: string[]; logStreamNamePrefix?: string; startTime?: number; endTime?: number;
  filterPattern?: string; nextToken?: string; limit?: number;
}) {
  const group = await loadGroup(ctx, input.groupName);
  if (input.logStreamNames && input.logStreamNamePrefix !== undefined) {
    throw invalidParameter("logStreamNames and logStreamNamePrefix are mutually exclusive parameters.");
  }
  const pattern = parsePattern(input.filterPattern ?? "");
  const streams: string[] = [];
  for await (const entry of ctx.store.list<StoredStream>({ prefix: keys.streams(input.groupName) })) {
    const name = entry.value.logStreamName;
    if (input.logStreamNames && !input.logStreamNames.includes(name)) continue;
    if (input.logStreamNamePrefix !== undefined && !name.startsWith(input.logStreamNamePrefix)) continue;
    streams.push(name);
  }
  const after = input.nextToken !== undefined ? decodeToken<FilterToken>(input.nextToken) : undefined;
  const found: (ReadEvent & { stream: string })[] = [];
  for (const stream of streams) {
    const events = await readRange(ctx, group, stream, [input.startTime ?? 0, 0], [input.endTime !== undefined ? input.endTime + 1 : Number.MAX_SAFE_INTEGER, 0], false, Number.MAX_SAFE_INTEGER);
    for (const e of events) if (matches(pattern, e.message)) found.push({ ...e, stream });
  }
  const order = (a: { timestamp: number; stream: string; seq: number }, b: { timestamp: number; stream: string; seq: number }) =>
    a.timestamp - b.timestamp || (a.stream < b.stream ? -1 : a.stream > b.stream ? 1 : 0) || a.seq - b.seq;
  found.sort(order);
  const remaining = after ? found.filter((e) => order(e, { timestamp: after.t, stream: after.s, seq: after.q }) > 0) : found;
  const limit = input.limit ?? 10_000;
  const page = remaining.slice(0, limit);
  const last = page[page.length - 1];
  return {
    events: page.map((e) => ({ logStreamName: e.stream, timestamp: e.timestamp, message: e.message, ingestionTime: e.ingestionTime, eventId: eventId(e.timestamp, e.seq) })),
    searchedLogStreams: streams.map((logStreamName) => ({ logStreamName, searchedCompletely: true })),
    ...(remaining.length > page.length && last ? { nextToken: encodeToken({ t: last.timestamp, s: last.stream, q: last.seq } satisfies FilterToken) } : {}),
  };
}
