/**
 * Amazon EventBridge Scheduler over restJson1.
 * Source: https://docs.aws.amazon.com/scheduler/latest/APIReference/API_Operations.html
 *
 * Schedule groups (the `default` group exists implicitly), schedules that fire on emulator time
 * (firing.ts) and invoke templated or universal targets through `ctx.invoke` (targets.ts), and
 * tags on schedule groups. Design notes: docs/events.md.
 */
import { defineService, type Handler, type Handlers, type RequestContext } from "../types.ts";
import { schedulerAuthorization } from "./authorization.ts";
import type { CreateScheduleInput, Operations, ScheduleGroupState, UpdateScheduleInput } from "../../generated/scheduler.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import { AwsError } from "../../protocol/errors.ts";
import model from "../../../models/scheduler.json" with { type: "json" };
import { checkTimeZone, parseScheduleExpression, ScheduleExpressionError } from "../../schedules/cron.ts";
import { arm, disarm, ensureArmed, prepare, scheduleKey, type StoredSchedule } from "./firing.ts";
import type { InvocationRecord } from "./targets.ts";
import { partitionOf as partition } from "../../util/partition.ts";

interface StoredGroup {
  Name: string;
  Arn: string;
  State: ScheduleGroupState;
  CreationDate: number;
  LastModificationDate: number;
  ClientToken?: string;
}

type Tags = { Key: string; Value: string }[];

const validation = (message: string) => new AwsError("ValidationException", message, 400);
const notFound = (message: string) => new AwsError("ResourceNotFoundException", message, 404);
const conflict = (message: string) => new AwsError("ConflictException", message, 409);

const arnOf = (ctx: RequestContext, resource: string) => `arn:${partition(ctx.region)}:scheduler:${ctx.region}:${ctx.accountId}:${resource}`;
const groupKey = (name: string) => ["group", name];
const date = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms));
const ms = (value: unknown) => (value === undefined || value === null ? undefined : new Date(value as string | number | Date).getTime());

async function getGroup(ctx: RequestContext, name: string): Promise<StoredGroup | null> {
  const stored = (await ctx.store.get<StoredGroup>(groupKey(name))).value;
  if (stored) return stored;
  if (name === "default") return { Name: "default", Arn: arnOf(ctx, "schedule-group/default"), State: "ACTIVE", CreationDate: 0, LastModificationDate: 0 };
  return null;
}

async function requireGroup(ctx: RequestContext, name: string): Promise<StoredGroup> {
  const group = await getGroup(ctx, name);
  if (!group) throw notFound(`Schedule group ${name} does not exist.`);
  return group;
}

function page<T>(items: T[], keyOf: (t: T) => string, token: string | undefined, max: number | undefined): { items: T[]; NextToken?: string } {
  let start = 0;
  if (token) {
    let after: string;
    try {
      after = atob(token);
    } catch {
      throw validation("Invalid NextToken.");
    }
    start = items.findIndex((i) => keyOf(i) > after);
    if (start < 0) start = items.length;
  }
  const size = Math.min(max ?? 100, 100);
  const slice = items.slice(start, start + size);
  return { items: slice, ...(start + size < items.length && slice.length ? { NextToken: btoa(keyOf(slice[slice.length - 1]!)) } : {}) };
}

/** Checks a CreateSchedule/UpdateSchedule request and builds the record (without NextFire). */
function buildSchedule(ctx: RequestContext, input: CreateScheduleInput | UpdateScheduleInput, group: string, created: number): StoredSchedule {
  try {
    parseScheduleExpression(input.ScheduleExpression, { allowAt: true });
  } catch (error) {
    if (error instanceof ScheduleExpressionError) throw validation(`Invalid Schedule Expression ${input.ScheduleExpression}.`);
    throw error;
  }
  if (input.ScheduleExpressionTimezone !== undefined) {
    try {
      checkTimeZone(input.ScheduleExpressionTimezone);
    } catch {
      throw validation(`Invalid ScheduleExpressionTimezone ${input.ScheduleExpressionTimezone}.`);
    }
  }
  const window = input.FlexibleTimeWindow;
  if (window.Mode === "FLEXIBLE" && window.MaximumWindowInMinutes === undefined) {
    throw validation("MaximumWindowInMinutes must be provided when FlexibleTimeWindow Mode is FLEXIBLE.");
  }
  if (window.Mode === "OFF" && window.MaximumWindowInMinutes !== undefined) {
    throw validation("MaximumWindowInMinutes must not be provided when FlexibleTimeWindow Mode is OFF.");
  }
  const start = ms(input.StartDate);
  const end = ms(input.EndDate);
  if (start !== undefined && end !== undefined && start >= end) throw validation("The StartDate must come before the EndDate.");
  if (end !== undefined && end <= ctx.clock.now()) throw validation("The EndDate must be in the future.");
  const target = input.Target;
  if (/\.fifo$/.test(target.Arn) && /:sqs:/.test(target.Arn) && !target.SqsParameters?.MessageGroupId) {
    throw validation("SqsParameters.MessageGroupId is required for FIFO queue targets.");
  }
  if (/^arn:aws[a-z-]*:events:[^:]*:\d{12}:event-bus\//.test(target.Arn) && !target.EventBridgeParameters) {
    throw validation("EventBridgeParameters is required for EventBridge PutEvents targets.");
  }
  if (/^arn:aws[a-z-]*:scheduler:::aws-sdk:/.test(target.Arn)) {
    if (!/^arn:aws[a-z-]*:scheduler:::aws-sdk:[a-z0-9]+:[a-zA-Z0-9]+$/.test(target.Arn)) throw validation(`Invalid target ARN ${target.Arn}.`);
    if (target.Input !== undefined) {
      try {
        const parsed = JSON.parse(target.Input);
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error();
      } catch {
        throw validation("The Input of a universal target must be a JSON object.");
      }
    }
  }
  const now = ctx.clock.now();
  return {
    Name: input.Name,
    GroupName: group,
    Arn: arnOf(ctx, `schedule/${group}/${input.Name}`),
    ...(input.Description !== undefined ? { Description: input.Description } : {}),
    ScheduleExpression: input.ScheduleExpression,
    ...(input.ScheduleExpressionTimezone !== undefined ? { ScheduleExpressionTimezone: input.ScheduleExpressionTimezone } : {}),
    ...(start !== undefined ? { StartDate: start } : {}),
    ...(end !== undefined ? { EndDate: end } : {}),
    FlexibleTimeWindow: window,
    Target: { ...target },
    State: input.State ?? "ENABLED",
    ...(input.KmsKeyArn !== undefined ? { KmsKeyArn: input.KmsKeyArn } : {}),
    ActionAfterCompletion: input.ActionAfterCompletion ?? "NONE",
    CreationDate: created,
    LastModificationDate: now,
  };
}

function scheduleView(s: StoredSchedule): Record<string, unknown> {
  return {
    ActionAfterCompletion: s.ActionAfterCompletion,
    Arn: s.Arn,
    CreationDate: date(s.CreationDate),
    Description: s.Description,
    EndDate: date(s.EndDate),
    FlexibleTimeWindow: s.FlexibleTimeWindow,
    GroupName: s.GroupName,
    KmsKeyArn: s.KmsKeyArn,
    LastModificationDate: date(s.LastModificationDate),
    Name: s.Name,
    ScheduleExpression: s.ScheduleExpression,
    ScheduleExpressionTimezone: s.ScheduleExpressionTimezone,
    StartDate: date(s.StartDate),
    State: s.State,
    Target: s.Target,
  };
}

function groupView(g: StoredGroup): Record<string, unknown> {
  return { Arn: g.Arn, Name: g.Name, State: g.State, CreationDate: date(g.CreationDate), LastModificationDate: date(g.LastModificationDate) };
}

async function groupOfArn(ctx: RequestContext, arn: string): Promise<StoredGroup> {
  const m = /^arn:aws[a-z-]*:scheduler:([a-z0-9-]+):(\d{12}):schedule-group\/(.+)$/.exec(arn);
  if (!m) throw validation(`Invalid ResourceArn ${arn}.`);
  const group = m[1] === ctx.region && m[2] === ctx.accountId ? await getGroup(ctx, m[3]!) : null;
  if (!group) throw notFound(`Schedule group ${m[3]} does not exist.`);
  return group;
}

const all: Handlers<Operations> = {
  async CreateScheduleGroup(input, ctx) {
    if (input.Name === "default") throw conflict("Schedule group default already exists.");
    const now = ctx.clock.now();
    const group: StoredGroup = {
      Name: input.Name, Arn: arnOf(ctx, `schedule-group/${input.Name}`), State: "ACTIVE", CreationDate: now, LastModificationDate: now,
      ...(input.ClientToken !== undefined ? { ClientToken: input.ClientToken } : {}),
    };
    const op = ctx.store.atomic().check({ key: groupKey(input.Name), versionstamp: null }).set(groupKey(input.Name), group);
    if (input.Tags?.length) op.set(["tags", group.Arn], input.Tags);
    if (!(await op.commit()).ok) {
      const existing = (await ctx.store.get<StoredGroup>(groupKey(input.Name))).value;
      if (input.ClientToken !== undefined && existing?.ClientToken === input.ClientToken) return { ScheduleGroupArn: existing.Arn };
      throw conflict(`Schedule group ${input.Name} already exists.`);
    }
    return { ScheduleGroupArn: group.Arn };
  },

  async GetScheduleGroup(input, ctx) {
    return groupView(await requireGroup(ctx, input.Name));
  },

  async DeleteScheduleGroup(input, ctx) {
    if (input.Name === "default") throw validation("You cannot delete the default schedule group.");
    const group = await requireGroup(ctx, input.Name);
    for await (const e of ctx.store.list<StoredSchedule>({ prefix: ["schedule", input.Name] })) {
      disarm(ctx, e.value);
      await ctx.store.delete(e.key);
    }
    await ctx.store.delete(groupKey(input.Name));
    await ctx.store.delete(["tags", group.Arn]);
    return {};
  },

  async ListScheduleGroups(input, ctx) {
    const groups: StoredGroup[] = [];
    for await (const e of ctx.store.list<StoredGroup>({ prefix: ["group"] })) groups.push(e.value);
    if (!groups.some((g) => g.Name === "default")) groups.push((await getGroup(ctx, "default"))!);
    groups.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
    const filtered = groups.filter((g) => !input.NamePrefix || g.Name.startsWith(input.NamePrefix));
    const { items, NextToken } = page(filtered, (g) => g.Name, input.NextToken, input.MaxResults);
    return { ScheduleGroups: items.map(groupView), NextToken };
  },

  async CreateSchedule(input, ctx) {
    const group = input.GroupName ?? "default";
    await requireGroup(ctx, group);
    const built = { ...buildSchedule(ctx, input, group, ctx.clock.now()), ...(input.ClientToken !== undefined ? { ClientToken: input.ClientToken } : {}) };
    const schedule = prepare(built, ctx.clock.now());
    const key = scheduleKey(group, input.Name);
    const result = await ctx.store.atomic().check({ key, versionstamp: null }).set(key, schedule).commit();
    if (!result.ok) {
      // A retried request (same ClientToken) gets the first one's answer.
      const existing = (await ctx.store.get<StoredSchedule>(key)).value;
      if (input.ClientToken !== undefined && existing?.ClientToken === input.ClientToken) return { ScheduleArn: existing.Arn };
      throw conflict(`Schedule ${input.Name} already exists.`);
    }
    arm(ctx, schedule);
    return { ScheduleArn: schedule.Arn };
  },

  async GetSchedule(input, ctx) {
    const group = input.GroupName ?? "default";
    const s = (await ctx.store.get<StoredSchedule>(scheduleKey(group, input.Name))).value;
    if (!s) throw notFound(`Schedule ${input.Name} does not exist.`);
    return scheduleView(s);
  },

  async UpdateSchedule(input, ctx) {
    const group = input.GroupName ?? "default";
    const key = scheduleKey(group, input.Name);
    const entry = await ctx.store.get<StoredSchedule>(key);
    if (!entry.value) throw notFound(`Schedule ${input.Name} does not exist.`);
    // UpdateSchedule replaces the whole definition: members left out take their defaults.
    const schedule = prepare(buildSchedule(ctx, input, group, entry.value.CreationDate), ctx.clock.now());
    const result = await ctx.store.atomic().check(entry).set(key, schedule).commit();
    if (!result.ok) throw conflict(`Schedule ${input.Name} was modified concurrently; retry.`);
    arm(ctx, schedule);
    return { ScheduleArn: schedule.Arn };
  },

  async DeleteSchedule(input, ctx) {
    const group = input.GroupName ?? "default";
    const key = scheduleKey(group, input.Name);
    const s = (await ctx.store.get<StoredSchedule>(key)).value;
    if (!s) throw notFound(`Schedule ${input.Name} does not exist.`);
    await ctx.store.delete(key);
    disarm(ctx, s);
    return {};
  },

  async ListSchedules(input, ctx) {
    if (input.GroupName !== undefined) await requireGroup(ctx, input.GroupName);
    const schedules: StoredSchedule[] = [];
    for await (const e of ctx.store.list<StoredSchedule>({ prefix: input.GroupName !== undefined ? ["schedule", input.GroupName] : ["schedule"] })) schedules.push(e.value);
    const filtered = schedules.filter((s) => (!input.NamePrefix || s.Name.startsWith(input.NamePrefix)) && (!input.State || s.State === input.State));
    const { items, NextToken } = page(filtered, (s) => `${s.GroupName}\u0000${s.Name}`, input.NextToken, input.MaxResults);
    return {
      Schedules: items.map((s) => ({
        Arn: s.Arn, CreationDate: date(s.CreationDate), GroupName: s.GroupName, LastModificationDate: date(s.LastModificationDate),
        Name: s.Name, State: s.State, Target: { Arn: s.Target.Arn },
      })),
      NextToken,
    };
  },

  async TagResource(input, ctx) {
    const group = await groupOfArn(ctx, input.ResourceArn);
    const current = (await ctx.store.get<Tags>(["tags", group.Arn])).value ?? [];
    const map = new Map(current.map((t) => [t.Key, t.Value]));
    for (const t of input.Tags as Tags) map.set(t.Key, t.Value);
    if (map.size > 200) throw validation("A resource can have at most 200 tags.");
    await ctx.store.set(["tags", group.Arn], [...map].map(([Key, Value]) => ({ Key, Value })));
    return {};
  },

  async UntagResource(input, ctx) {
    const group = await groupOfArn(ctx, input.ResourceArn);
    const remove = new Set<string>(input.TagKeys);
    const current = (await ctx.store.get<Tags>(["tags", group.Arn])).value ?? [];
    await ctx.store.set(["tags", group.Arn], current.filter((t) => !remove.has(t.Key)));
    return {};
  },

  async ListTagsForResource(input, ctx) {
    const group = await groupOfArn(ctx, input.ResourceArn);
    return { Tags: (await ctx.store.get<Tags>(["tags", group.Arn])).value ?? [] };
  },
};

// Every request first re-arms this account and region's stored schedules once per emulator;
// `setup` does it at start for every account and region holding state, so a restarted emulator
// catches up with the clock without waiting for a request.
const handlers = Object.fromEntries(
  Object.entries(all).map(([name, handler]) => [name, async (input: unknown, ctx: RequestContext) => {
    await ensureArmed(ctx);
    return (handler as Handler)(input, ctx);
  }]),
) as Handlers<Operations>;

export default defineService<Operations>({
  name: "scheduler",
  authorization: schedulerAuthorization,
  model: model as unknown as ServiceModel,
  handlers,
  setup(env) {
    env.waitUntil((async () => {
      for await (const { accountId, region } of env.scopes()) await ensureArmed(env.contextFor(accountId, region));
    })());
  },
  introspection: {
    /** Every target invocation's outcome (delivered, failed, dead-lettered), oldest first. */
    invocations: async (store) => {
      const out: InvocationRecord[] = [];
      for await (const e of store.list<InvocationRecord>({ prefix: ["invocation"] })) out.push(e.value);
      return out;
    },
  },
});
