/**
 * Schedules firing on emulator time (`ctx.timers`).
 * Source: https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 *
 * - `rate(...)`: first at StartDate (or at once when there is none), then every period.
 * - `cron(...)`: each matching minute in ScheduleExpressionTimezone, from StartDate.
 * - `at(...)`: once, at that local time in the time zone (StartDate/EndDate ignored); a time
 *   already past fires at once.
 * - Nothing fires after EndDate. A schedule with nothing left to fire has completed; with
 *   ActionAfterCompletion DELETE it is then deleted.
 * - FlexibleTimeWindow: the target is invoked at the start of the window (deterministic).
 *
 * As with EventBridge's scheduled rules, the schedule record keeps NextFire and the arming token
 * (ArmId); each firing moves NextFire first (versioned write), so each due time fires once, and
 * late timers or a restart catch up on every missed time (at most 1,000 at once).
 */
import type { RequestContext } from "../types.ts";
import { nextFire, parseScheduleExpression, type ScheduleExpression } from "../../schedules/cron.ts";
import { invokeTarget, type ScheduleTarget } from "./targets.ts";
import type { ScheduleState } from "../../generated/scheduler.ts";

export interface StoredSchedule {
  Name: string;
  GroupName: string;
  Arn: string;
  Description?: string;
  ScheduleExpression: string;
  ScheduleExpressionTimezone?: string;
  StartDate?: number;
  EndDate?: number;
  FlexibleTimeWindow: { Mode: string; MaximumWindowInMinutes?: number };
  Target: ScheduleTarget;
  State: ScheduleState;
  KmsKeyArn?: string;
  ActionAfterCompletion?: string;
  CreationDate: number;
  LastModificationDate: number;
  NextFire?: number;
  ArmId?: string;
  /** CreateSchedule's ClientToken: a retry with the same token succeeds with the same ARN. */
  ClientToken?: string;
}

export const scheduleKey = (group: string, name: string) => ["schedule", group, name];
const MAX_CATCH_UP = 1000;

/** Per emulator: armed timers by schedule, and scopes re-armed since start. */
function runtimeOf(ctx: RequestContext) {
  return ctx.runtime("schedules", () => ({ cancels: new Map<string, () => void>(), armedScopes: new Set<string>() }));
}

const timerKey = (ctx: RequestContext, s: { GroupName: string; Name: string }) => `${ctx.accountId}/${ctx.region}/${s.GroupName}/${s.Name}`;

function parsed(s: StoredSchedule): ScheduleExpression | null {
  try {
    return parseScheduleExpression(s.ScheduleExpression, { allowAt: true });
  } catch {
    return null;
  }
}

function withinEnd(s: StoredSchedule, expr: ScheduleExpression, t: number | null): number | null {
  if (t === null) return null;
  if (expr.kind !== "at" && s.EndDate !== undefined && t > s.EndDate) return null;
  return t;
}

/** The first due time of a schedule armed at `now`. */
export function firstDue(s: StoredSchedule, now: number): number | null {
  const expr = parsed(s);
  if (!expr) return null;
  const tz = s.ScheduleExpressionTimezone ?? "UTC";
  if (expr.kind === "at") return nextFire(expr, -Infinity, 0, tz);
  if (expr.kind === "rate") {
    const anchor = s.StartDate ?? now;
    const first = anchor >= now ? anchor : anchor + Math.ceil((now - anchor) / expr.ms) * expr.ms;
    return withinEnd(s, expr, first);
  }
  return withinEnd(s, expr, nextFire(expr, Math.max(now, s.StartDate ?? -Infinity) - 1, 0, tz));
}

function nextDue(s: StoredSchedule, due: number): number | null {
  const expr = parsed(s);
  if (!expr || expr.kind === "at") return null;
  if (expr.kind === "rate") return withinEnd(s, expr, due + expr.ms);
  return withinEnd(s, expr, nextFire(expr, due, 0, s.ScheduleExpressionTimezone ?? "UTC"));
}

export function disarm(ctx: RequestContext, s: { GroupName: string; Name: string }): void {
  const r = runtimeOf(ctx);
  const key = timerKey(ctx, s);
  r.cancels.get(key)?.();
  r.cancels.delete(key);
}

/**
 * Computes the schedule's first due time from now and arms it; returns the record to store
 * (with NextFire and ArmId). Disabled schedules are stored without a timer.
 */
export function prepare(s: StoredSchedule, now: number): StoredSchedule {
  const out: StoredSchedule = { ...s };
  delete out.NextFire;
  delete out.ArmId;
  if (s.State !== "ENABLED") return out;
  const due = firstDue(s, now);
  if (due === null) return out;
  return { ...out, NextFire: due, ArmId: crypto.randomUUID() };
}

/** Starts the timer for a stored schedule's NextFire (firing at once when already due). */
export function arm(ctx: RequestContext, s: StoredSchedule): void {
  disarm(ctx, s);
  if (s.State !== "ENABLED" || s.NextFire === undefined || !s.ArmId) return;
  const armId = s.ArmId;
  const wait = s.NextFire - ctx.clock.now();
  if (wait <= 0) {
    ctx.waitUntil(fire(ctx, s.GroupName, s.Name, armId));
    return;
  }
  runtimeOf(ctx).cancels.set(timerKey(ctx, s), ctx.timers.setTimer(wait, () => fire(ctx, s.GroupName, s.Name, armId)));
}

async function fire(ctx: RequestContext, group: string, name: string, armId: string): Promise<void> {
  for (let attempt = 0; attempt < 10; attempt++) {
    if (await fireOnce(ctx, group, name, armId)) return;
  }
}

async function fireOnce(ctx: RequestContext, group: string, name: string, armId: string): Promise<boolean> {
  const key = scheduleKey(group, name);
  const entry = await ctx.store.get<StoredSchedule>(key);
  const s = entry.value;
  if (!s || s.ArmId !== armId || s.State !== "ENABLED" || s.NextFire === undefined) return true;
  const now = ctx.clock.now();
  const due: number[] = [];
  let next: number | null = s.NextFire;
  while (next !== null && next <= now && due.length < MAX_CATCH_UP) {
    due.push(next);
    next = nextDue(s, next);
  }
  while (next !== null && next <= now) next = nextDue(s, next);
  const updated: StoredSchedule = { ...s };
  if (next === null) delete updated.NextFire;
  else updated.NextFire = next;
  const op = ctx.store.atomic().check(entry);
  const completed = next === null && s.ActionAfterCompletion === "DELETE";
  if (completed) op.delete(key);
  else op.set(key, updated);
  const result = await op.commit();
  if (!result.ok) return false;
  for (const at of due) {
    ctx.waitUntil(invokeTarget(ctx, s.Target, { scheduleArn: s.Arn, scheduledTime: at, executionId: crypto.randomUUID() }));
  }
  if (next !== null) arm(ctx, updated);
  return true;
}

/** Re-arms this account and region's stored schedules once per emulator (timers do not survive a restart). */
export async function ensureArmed(ctx: RequestContext): Promise<void> {
  const r = runtimeOf(ctx);
  const scopeKey = `${ctx.accountId}/${ctx.region}`;
  if (r.armedScopes.has(scopeKey)) return;
  r.armedScopes.add(scopeKey);
  for await (const e of ctx.store.list<StoredSchedule>({ prefix: ["schedule"] })) {
    if (e.value.State === "ENABLED" && e.value.NextFire !== undefined) arm(ctx, e.value);
  }
}
