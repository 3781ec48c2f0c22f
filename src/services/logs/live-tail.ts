/**
 * StartLiveTail and GetLogObject: event-stream responses (`application/vnd.amazon.eventstream`),
 * which the codecs do not write, so they are answered from `preRoute` as Kinesis answers
 * SubscribeToShard: parsed and validated by the awsJson codec, errors before the stream rendered
 * by it.
 *
 * StartLiveTail: `initial-response`, then `sessionStart`, then a `sessionUpdate` whenever events
 * are ingested into the tailed groups (streams by name or prefix, filter pattern applied) and at
 * least every second of emulator time (empty); at most 500 events an update (`sampled` when more
 * arrived). The session ends after 3 hours with `SessionTimeoutException`, or when the client
 * goes away. Only events ingested after the session started are sent.
 *
 * GetLogObject: the event a `@ptr` names (from GetQueryResults) as one `fields` event whose
 * `data` is the event's message.
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_StartLiveTail.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_GetLogObject.html
 */
import type { RequestContext } from "../types.ts";
import type { IncomingRequest } from "../../protocol/codec.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import type { GetLogObjectRequest, LiveTailSessionLogEvent, StartLiveTailRequest } from "../../generated/logs.ts";
import { AwsError } from "../../protocol/errors.ts";
import { jsonCodec } from "../../protocol/json.ts";
import { encodeValue, jsonLeaves } from "../../protocol/shape-values.ts";
import { validateInput, validationMessage } from "../../protocol/validate.ts";
import { base64ToUtf8 } from "../../encoding/base64.ts";
import { eventStreamEvent, eventStreamException } from "../../encoding/event-stream.ts";
import { FilterPatternError, matches, parseFilterPattern, type FilterPattern } from "./filter-pattern.ts";
import { groupArn, groupNameOf, invalidParameter, keys, resourceNotFound, type StoredEvent, type StoredGroup } from "./state.ts";
import { waitForEvents } from "./tail-signal.ts";

const TARGETS = new Set(["Logs_20140328.StartLiveTail", "Logs_20140328.GetLogObject"]);
const SESSION_MS = 3 * 3_600_000;
const UPDATE_MS = 1_000;
const MAX_PER_UPDATE = 500;
const leaves = jsonLeaves("json");
const encoder = new TextEncoder();

function streamResponse(ctx: RequestContext, start: (send: (bytes: Uint8Array) => void, stop: AbortSignal) => Promise<void>): Response {
  const stop = new AbortController();
  ctx.signal?.addEventListener("abort", () => stop.abort(), { once: true });
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      c.enqueue(eventStreamEvent("initial-response", "application/json", encoder.encode("{}")));
    },
    cancel() {
      stop.abort();
    },
  });
  const send = (bytes: Uint8Array) => {
    if (!stop.signal.aborted) controller.enqueue(bytes);
  };
  ctx.waitUntil(start(send, stop.signal).finally(() => {
    if (!stop.signal.aborted) {
      stop.abort();
      try {
        controller.close();
      } catch {
        // the reader cancelled
      }
    }
  }));
  return new Response(body, { status: 200, headers: { "content-type": "application/vnd.amazon.eventstream", "x-amzn-RequestId": ctx.requestId } });
}

function event(model: ServiceModel, type: string, shape: string, value: Record<string, unknown>): Uint8Array {
  return eventStreamEvent(type, "application/json", encoder.encode(JSON.stringify(encodeValue(model, { shape }, value, leaves))));
}

/** Answers StartLiveTail and GetLogObject; undefined for any other request. */
export async function serveStreams(incoming: IncomingRequest, ctx: RequestContext): Promise<Response | undefined> {
  const target = incoming.headers.get("x-amz-target");
  if (!target || !TARGETS.has(target)) return undefined;
  const { operation, input } = await jsonCodec.parse(incoming);
  ctx.operation = operation.name;
  const failures = validateInput(incoming.model, operation.input!, input);
  if (failures.length > 0) throw new AwsError("ValidationException", validationMessage(failures), 400);
  // Served before the gateway's own authorization step: decided here.
  await ctx.authorize?.(operation.name, input);
  return operation.name === "StartLiveTail"
    ? startLiveTail(incoming.model, input as unknown as StartLiveTailRequest, ctx)
    : getLogObject(incoming.model, input as unknown as GetLogObjectRequest, ctx);
}

async function startLiveTail(model: ServiceModel, input: StartLiveTailRequest, ctx: RequestContext): Promise<Response> {
  const groups: string[] = [];
  for (const id of input.logGroupIdentifiers) {
    if (!id.startsWith("arn:")) throw invalidParameter("logGroupIdentifiers must be log group ARNs.");
    const name = groupNameOf({ logGroupIdentifier: id });
    if (!(await ctx.store.get(keys.group(name))).value) throw resourceNotFound(`Log group ${id} does not exist.`);
    groups.push(name);
  }
  if (input.logStreamNames && input.logStreamNamePrefixes) throw invalidParameter("logStreamNames and logStreamNamePrefixes are mutually exclusive.");
  if ((input.logStreamNames || input.logStreamNamePrefixes) && groups.length !== 1) {
    throw invalidParameter("logStreamNames and logStreamNamePrefixes need exactly one log group in logGroupIdentifiers.");
  }
  let pattern: FilterPattern | undefined;
  try {
    pattern = input.logEventFilterPattern ? parseFilterPattern(input.logEventFilterPattern) : undefined;
  } catch (error) {
    if (error instanceof FilterPatternError) throw invalidParameter("Invalid filter pattern");
    throw error;
  }
  const streamWanted = (s: string) => (!input.logStreamNames || input.logStreamNames.includes(s)) &&
    (!input.logStreamNamePrefixes || input.logStreamNamePrefixes.some((p) => s.startsWith(p)));
  const started = ctx.clock.now();
  const sessionId = crypto.randomUUID();
  // Events ingested in the session's first millisecond but before it are not the session's.
  const before = new Set<string>();
  for (const name of groups) {
    for await (const entry of ctx.store.list<StoredEvent>({ prefix: keys.groupEvents(name) })) if (entry.value.i === started) before.add(JSON.stringify(entry.key));
  }
  return streamResponse(ctx, async (send, stop) => {
    send(event(model, "sessionStart", "LiveTailSessionStart", {
      requestId: ctx.requestId, sessionId, logGroupIdentifiers: input.logGroupIdentifiers,
      ...(input.logStreamNames ? { logStreamNames: input.logStreamNames } : {}),
      ...(input.logStreamNamePrefixes ? { logStreamNamePrefixes: input.logStreamNamePrefixes } : {}),
      ...(input.logEventFilterPattern !== undefined ? { logEventFilterPattern: input.logEventFilterPattern } : {}),
    }));
    // Events already sent, by key; the cursor is the ingestion time read up to.
    let cursor = started;
    const sentAtCursor = before;
    let lastUpdate = started;
    while (!stop.aborted) {
      const now = ctx.clock.now();
      if (now >= started + SESSION_MS) {
        send(eventStreamException("SessionTimeoutException", "Session timed out after 3 hours."));
        return;
      }
      const found: LiveTailSessionLogEvent[] = [];
      let nextCursor = cursor;
      const nextSent = new Set<string>();
      for (const name of groups) {
        const group = (await ctx.store.get<StoredGroup>(keys.group(name))).value;
        if (!group) continue;
        for await (const entry of ctx.store.list<StoredEvent>({ prefix: keys.groupEvents(name) })) {
          const ingestion = entry.value.i;
          const id = JSON.stringify(entry.key);
          if (ingestion < cursor || (ingestion === cursor && sentAtCursor.has(id))) continue;
          const stream = entry.key[2] as string;
          if (!streamWanted(stream) || (pattern && !matches(pattern, entry.value.m))) continue;
          found.push({ logStreamName: stream, logGroupIdentifier: groupArn(ctx, name), message: entry.value.m, timestamp: entry.key[3] as number, ingestionTime: ingestion });
          if (ingestion > nextCursor) nextCursor = ingestion, nextSent.clear();
          if (ingestion === nextCursor) nextSent.add(id);
        }
      }
      if (nextCursor === cursor) for (const id of nextSent) sentAtCursor.add(id);
      else {
        cursor = nextCursor;
        sentAtCursor.clear();
        for (const id of nextSent) sentAtCursor.add(id);
      }
      found.sort((a, b) => Number(a.ingestionTime) - Number(b.ingestionTime) || Number(a.timestamp) - Number(b.timestamp));
      if (found.length > 0 || now - lastUpdate >= UPDATE_MS) {
        send(event(model, "sessionUpdate", "LiveTailSessionUpdate", {
          sessionMetadata: { sampled: found.length > MAX_PER_UPDATE }, sessionResults: found.slice(0, MAX_PER_UPDATE),
        }));
        lastUpdate = now;
      }
      await waitForEvents(ctx.accountId, ctx.region, Math.max(1, Math.min(lastUpdate + UPDATE_MS - now, started + SESSION_MS - now)), ctx.timers, stop);
    }
  });
}

async function getLogObject(model: ServiceModel, input: GetLogObjectRequest, ctx: RequestContext): Promise<Response> {
  let pointer: unknown;
  try {
    pointer = JSON.parse(base64ToUtf8(input.logObjectPointer));
  } catch {
    pointer = undefined;
  }
  if (!Array.isArray(pointer) || pointer.length !== 4 || typeof pointer[0] !== "string" || typeof pointer[2] !== "number") {
    throw invalidParameter("The specified logObjectPointer is invalid.");
  }
  const [group, stream, timestamp, seq] = pointer as [string, string, number, number];
  const stored = (await ctx.store.get<StoredEvent>(keys.event(group, stream, timestamp, seq))).value;
  if (!stored) throw resourceNotFound("The specified log object does not exist.");
  return streamResponse(ctx, async (send) => {
    send(event(model, "fields", "FieldsData", { data: encoder.encode(stored.m) }));
  });
}
