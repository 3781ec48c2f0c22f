/**
 * Archives (events a bus received that match the archive's pattern, kept for RetentionDays) and
 * replays (archived events sent back to the bus, with a `replay-name` field, to all rules or the
 * ones in FilterArns).
 * Source: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-archive.html,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_StartReplay.html
 *
 * A replay runs in the background right after StartReplay (STARTING → RUNNING → COMPLETED, or
 * CANCELLED when CancelReplay came first); retention is applied when archived events are read.
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { Operations, ReplayState } from "../../generated/events.ts";
import { AwsError } from "../../protocol/errors.ts";
import { alreadyExists, dateOf, eventsArn, listValues, notFound, page, parseBusRef, validation, type Scope } from "./common.ts";
import { checkPattern } from "./matching.ts";
import { getBus } from "./bus-store.ts";
import { archiveKey, archivedEvents, type StoredArchive } from "./archive-store.ts";
import { routeEvent } from "./put-events.ts";

export interface StoredReplay {
  ReplayName: string;
  ReplayArn: string;
  Description?: string;
  State: ReplayState;
  StateReason?: string;
  EventSourceArn: string;
  Destination: { Arn: string; FilterArns?: string[] };
  EventStartTime: number;
  EventEndTime: number;
  EventLastReplayedTime?: number;
  ReplayStartTime: number;
  ReplayEndTime?: number;
}

const replayKey = (name: string) => ["replay", name];

const scopeOf = (ctx: RequestContext): Scope => ({ store: ctx.store, accountId: ctx.accountId, region: ctx.region });

async function requireArchive(ctx: RequestContext, name: string): Promise<StoredArchive> {
  const archive = (await ctx.store.get<StoredArchive>(archiveKey(name))).value;
  if (!archive) throw notFound(`Archive ${name} does not exist.`);
  return archive;
}

function replayView(r: StoredReplay): Record<string, unknown> {
  return {
    ReplayName: r.ReplayName,
    ReplayArn: r.ReplayArn,
    Description: r.Description,
    State: r.State,
    StateReason: r.StateReason,
    EventSourceArn: r.EventSourceArn,
    Destination: r.Destination,
    EventStartTime: dateOf(r.EventStartTime),
    EventEndTime: dateOf(r.EventEndTime),
    EventLastReplayedTime: dateOf(r.EventLastReplayedTime),
    ReplayStartTime: dateOf(r.ReplayStartTime),
    ReplayEndTime: dateOf(r.ReplayEndTime),
  };
}

async function runReplay(ctx: RequestContext, replay: StoredReplay, archive: StoredArchive): Promise<void> {
  const scope = scopeOf(ctx);
  const current = (await ctx.store.get<StoredReplay>(replayKey(replay.ReplayName))).value;
  if (!current || current.State !== "STARTING") return;
  await ctx.store.set(replayKey(replay.ReplayName), { ...current, State: "RUNNING" });
  const events = await archivedEvents(scope, archive, ctx.clock.now(), replay.EventStartTime, replay.EventEndTime);
  const rules = replay.Destination.FilterArns?.length ? new Set(replay.Destination.FilterArns) : undefined;
  let last: number | undefined;
  for (const { event } of events) {
    const state = (await ctx.store.get<StoredReplay>(replayKey(replay.ReplayName))).value;
    if (!state || state.State === "CANCELLING") break;
    await routeEvent(ctx, scope, archive.bus, { ...event, "replay-name": replay.ReplayName }, 0, { name: replay.ReplayName, ...(rules ? { rules } : {}) });
    last = Date.parse(String(event.time));
  }
  const state = (await ctx.store.get<StoredReplay>(replayKey(replay.ReplayName))).value;
  if (!state) return;
  const cancelled = state.State === "CANCELLING";
  await ctx.store.set(replayKey(replay.ReplayName), {
    ...state,
    State: cancelled ? "CANCELLED" : "COMPLETED",
    ...(last !== undefined ? { EventLastReplayedTime: last } : {}),
    ReplayEndTime: ctx.clock.now(),
  });
}

export const archiveHandlers: Handlers<Operations> = {
  async CreateArchive(input, ctx) {
    const ref = parseBusRef(input.EventSourceArn, ctx);
    if (ref.accountId !== ctx.accountId || ref.region !== ctx.region || !(await getBus(scopeOf(ctx), ref.name))) {
      throw notFound(`Event bus ${ref.name} does not exist.`);
    }
    if (input.EventPattern !== undefined) {
      checkPattern(input.EventPattern);
    }
    const now = ctx.clock.now();
    const archive: StoredArchive = {
      ArchiveName: input.ArchiveName,
      ArchiveArn: eventsArn(ctx, `archive/${input.ArchiveName}`),
      EventSourceArn: input.EventSourceArn,
      bus: ref.name,
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      ...(input.EventPattern !== undefined ? { EventPattern: input.EventPattern } : {}),
      RetentionDays: input.RetentionDays ?? 0,
      ...(input.KmsKeyIdentifier !== undefined ? { KmsKeyIdentifier: input.KmsKeyIdentifier } : {}),
      State: "ENABLED",
      CreationTime: now,
    };
    const result = await ctx.store.atomic().check({ key: archiveKey(archive.ArchiveName), versionstamp: null }).set(archiveKey(archive.ArchiveName), archive).commit();
    if (!result.ok) throw alreadyExists(`Archive ${archive.ArchiveName} already exists.`);
    return { ArchiveArn: archive.ArchiveArn, State: archive.State, CreationTime: dateOf(now) };
  },

  async DescribeArchive(input, ctx) {
    const archive = await requireArchive(ctx, input.ArchiveName);
    const events = await archivedEvents(scopeOf(ctx), archive, ctx.clock.now());
    return {
      ArchiveArn: archive.ArchiveArn,
      ArchiveName: archive.ArchiveName,
      EventSourceArn: archive.EventSourceArn,
      Description: archive.Description,
      EventPattern: archive.EventPattern,
      State: archive.State,
      RetentionDays: archive.RetentionDays,
      KmsKeyIdentifier: archive.KmsKeyIdentifier,
      SizeBytes: events.reduce((n, e) => n + new TextEncoder().encode(JSON.stringify(e.event)).length, 0),
      EventCount: events.length,
      CreationTime: dateOf(archive.CreationTime),
    };
  },

  async UpdateArchive(input, ctx) {
    const archive = await requireArchive(ctx, input.ArchiveName);
    if (input.EventPattern !== undefined) {
      checkPattern(input.EventPattern);
    }
    const next: StoredArchive = { ...archive };
    for (const m of ["Description", "EventPattern", "RetentionDays", "KmsKeyIdentifier"] as const) {
      if (input[m] !== undefined) (next as any)[m] = input[m];
    }
    await ctx.store.set(archiveKey(archive.ArchiveName), next);
    return { ArchiveArn: next.ArchiveArn, State: next.State, CreationTime: dateOf(next.CreationTime) };
  },

  async DeleteArchive(input, ctx) {
    const archive = await requireArchive(ctx, input.ArchiveName);
    for await (const e of ctx.store.list({ prefix: ["archived", archive.ArchiveName] })) await ctx.store.delete(e.key);
    await ctx.store.delete(archiveKey(archive.ArchiveName));
    return {};
  },

  async ListArchives(input, ctx) {
    if (input.NamePrefix !== undefined && input.EventSourceArn !== undefined) {
      throw validation("At most one filter is allowed for ListArchives. Use either : State, EventSourceArn, or NamePrefix.");
    }
    const all = (await listValues<StoredArchive>(ctx.store, ["archive"])).filter((a) =>
      (!input.NamePrefix || a.ArchiveName.startsWith(input.NamePrefix)) &&
      (!input.EventSourceArn || a.EventSourceArn === input.EventSourceArn) &&
      (!input.State || a.State === input.State));
    const { items, NextToken } = page(all, (a) => a.ArchiveName, input.NextToken, input.Limit);
    const out = [];
    for (const a of items) {
      const events = await archivedEvents(scopeOf(ctx), a, ctx.clock.now());
      out.push({
        ArchiveName: a.ArchiveName, EventSourceArn: a.EventSourceArn, State: a.State, RetentionDays: a.RetentionDays,
        SizeBytes: events.reduce((n, e) => n + new TextEncoder().encode(JSON.stringify(e.event)).length, 0),
        EventCount: events.length, CreationTime: dateOf(a.CreationTime),
      });
    }
    return { Archives: out, NextToken };
  },

  async StartReplay(input, ctx) {
    const m = /^arn:aws[a-z-]*:events:[^:]+:\d{12}:archive\/(.+)$/.exec(input.EventSourceArn);
    if (!m) throw validation("Parameter EventSourceArn is not valid. Reason: Provided Arn is not in correct format.");
    const archive = await requireArchive(ctx, m[1]!);
    const start = new Date(input.EventStartTime).getTime();
    const end = new Date(input.EventEndTime).getTime();
    if (!(start < end)) throw validation("Parameter EventStartTime is not valid. Reason: EventStartTime must be before EventEndTime.");
    if (end > ctx.clock.now()) throw validation("Parameter EventEndTime is not valid. Reason: EventEndTime must be in the past.");
    const dest = parseBusRef(input.Destination.Arn, ctx);
    if (dest.name !== archive.bus || dest.accountId !== ctx.accountId || dest.region !== ctx.region) {
      throw validation("Parameter Destination.Arn is not valid. Reason: Cross event bus replay is not permitted.");
    }
    const now = ctx.clock.now();
    const replay: StoredReplay = {
      ReplayName: input.ReplayName,
      ReplayArn: eventsArn(ctx, `replay/${input.ReplayName}`),
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      State: "STARTING",
      EventSourceArn: input.EventSourceArn,
      Destination: input.Destination,
      EventStartTime: start,
      EventEndTime: end,
      ReplayStartTime: now,
    };
    const result = await ctx.store.atomic().check({ key: replayKey(replay.ReplayName), versionstamp: null }).set(replayKey(replay.ReplayName), replay).commit();
    if (!result.ok) throw alreadyExists(`Replay ${replay.ReplayName} already exists.`);
    ctx.waitUntil(runReplay(ctx, replay, archive));
    return { ReplayArn: replay.ReplayArn, State: replay.State, ReplayStartTime: dateOf(now) };
  },

  async DescribeReplay(input, ctx) {
    const replay = (await ctx.store.get<StoredReplay>(replayKey(input.ReplayName))).value;
    if (!replay) throw notFound(`Replay ${input.ReplayName} does not exist.`);
    return replayView(replay);
  },

  async ListReplays(input, ctx) {
    const all = (await listValues<StoredReplay>(ctx.store, ["replay"])).filter((r) =>
      (!input.NamePrefix || r.ReplayName.startsWith(input.NamePrefix)) &&
      (!input.EventSourceArn || r.EventSourceArn === input.EventSourceArn) &&
      (!input.State || r.State === input.State));
    const { items, NextToken } = page(all, (r) => r.ReplayName, input.NextToken, input.Limit);
    return {
      Replays: items.map((r) => {
        const { Destination: _d, Description: _x, ReplayArn: _a, ...rest } = replayView(r) as any;
        return rest;
      }),
      NextToken,
    };
  },

  async CancelReplay(input, ctx) {
    const replay = (await ctx.store.get<StoredReplay>(replayKey(input.ReplayName))).value;
    if (!replay) throw notFound(`Replay ${input.ReplayName} does not exist.`);
    if (replay.State !== "STARTING" && replay.State !== "RUNNING") {
      throw new AwsError("IllegalStatusException", `Replay ${input.ReplayName} is not in a valid state for this operation.`, 400);
    }
    const next = { ...replay, State: replay.State === "STARTING" ? "CANCELLED" : "CANCELLING", ReplayEndTime: replay.State === "STARTING" ? ctx.clock.now() : undefined };
    await ctx.store.set(replayKey(replay.ReplayName), next);
    return { ReplayArn: replay.ReplayArn, State: "CANCELLING" };
  },
};
