/**
 * Scheduled rules (`rate(...)`, `cron(...)` in UTC) firing on emulator time.
 * Source: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-rule-schedule.html
 *
 * The rule record keeps its next fire time (NextFire) and the token of the arming (ArmId); one
 * timer per rule (`ctx.timers.setTimer`) fires it. Each firing first moves NextFire on in the
 * store, then sends a "Scheduled Event" to the rule's targets, once per due time, in order:
 * a timer that fires late (or a restart that finds NextFire in the past) catches up on every
 * missed due time, at most 1,000 at once. Timers live in memory, so the first request to an
 * account and region after a start re-arms its stored schedules (`ensureArmed`).
 */
import type { RequestContext } from "../types.ts";
import { nextFire, parseScheduleExpression } from "../../schedules/cron.ts";
import { eventTime, type Scope } from "./common.ts";
import { ruleKey, type StoredRule } from "./rule-store.ts";
import { deliver } from "./delivery.ts";
import { putToBus } from "./put-events.ts";

const MAX_CATCH_UP = 1000;

/** Per emulator: armed timers by rule, and scopes re-armed since start. */
function runtimeOf(ctx: RequestContext) {
  return ctx.runtime("rule-schedules", () => ({ cancels: new Map<string, () => void>(), armedScopes: new Set<string>() }));
}

const timerKey = (ctx: RequestContext, rule: StoredRule) => `${ctx.accountId}/${ctx.region}/${rule.EventBusName}/${rule.Name}`;

function computeNext(rule: StoredRule, after: number): number | null {
  if (!rule.ScheduleExpression) return null;
  try {
    return nextFire(parseScheduleExpression(rule.ScheduleExpression), after, rule.ScheduleAnchor ?? after);
  } catch {
    return null;
  }
}

export function disarmRule(ctx: RequestContext, rule: StoredRule): void {
  const r = runtimeOf(ctx);
  const key = timerKey(ctx, rule);
  r.cancels.get(key)?.();
  r.cancels.delete(key);
}

/** Starts (or restarts) a scheduled rule's timer from now; no-op for pattern rules or disabled rules. */
export async function armRule(ctx: RequestContext, rule: StoredRule): Promise<void> {
  disarmRule(ctx, rule);
  if (!rule.ScheduleExpression || rule.State !== "ENABLED") return;
  const now = ctx.clock.now();
  const anchored = { ...rule, ScheduleAnchor: now };
  const next = computeNext(anchored, now);
  if (next === null) return;
  const armed: StoredRule = { ...anchored, NextFire: next, ArmId: crypto.randomUUID() };
  await ctx.store.set(ruleKey(rule.EventBusName, rule.Name), armed);
  setTimer(ctx, armed);
}

function setTimer(ctx: RequestContext, rule: StoredRule): void {
  if (rule.NextFire === undefined || !rule.ArmId) return;
  const r = runtimeOf(ctx);
  const timers = ctx.timers;
  const key = timerKey(ctx, rule);
  r.cancels.get(key)?.();
  const armId = rule.ArmId;
  const wait = rule.NextFire - ctx.clock.now();
  // Already due (a restart catching up): fire now; a manual clock runs timers only when moved.
  if (wait <= 0) {
    r.cancels.delete(key);
    ctx.waitUntil(fire(ctx, rule.EventBusName, rule.Name, armId));
    return;
  }
  r.cancels.set(key, timers.setTimer(wait, () => fire(ctx, rule.EventBusName, rule.Name, armId)));
}

async function fire(ctx: RequestContext, bus: string, name: string, armId: string): Promise<void> {
  // A concurrent write to the rule (PutTargets) makes the versioned commit fail: read again.
  for (let attempt = 0; attempt < 10; attempt++) {
    if (await fireOnce(ctx, bus, name, armId)) return;
  }
}

/** False when the rule changed under it (retry). */
async function fireOnce(ctx: RequestContext, bus: string, name: string, armId: string): Promise<boolean> {
  const key = ruleKey(bus, name);
  const entry = await ctx.store.get<StoredRule>(key);
  const rule = entry.value;
  if (!rule || rule.ArmId !== armId || rule.State !== "ENABLED" || rule.NextFire === undefined) return true;
  const now = ctx.clock.now();
  const due: number[] = [];
  let next: number | null = rule.NextFire;
  while (next !== null && next <= now && due.length < MAX_CATCH_UP) {
    due.push(next);
    next = computeNext(rule, next);
  }
  if (next !== null && next <= now) next = computeNext(rule, now);
  const updated: StoredRule = { ...rule };
  if (next === null) delete updated.NextFire;
  else updated.NextFire = next;
  // Moving NextFire first (with a version check) makes each due time fire once.
  const result = await ctx.store.atomic().check(entry).set(key, updated).commit();
  if (!result.ok) return false;
  const scope: Scope = { store: ctx.store, accountId: ctx.accountId, region: ctx.region };
  for (const at of due) {
    const event = {
      version: "0",
      id: crypto.randomUUID(),
      "detail-type": "Scheduled Event",
      source: "aws.events",
      account: ctx.accountId,
      time: eventTime(at),
      region: ctx.region,
      resources: [rule.Arn],
      detail: {},
    };
    for (const target of rule.Targets) ctx.waitUntil(deliver(ctx, scope, rule, target, event, 0, putToBus));
  }
  if (next !== null) setTimer(ctx, updated);
  return true;
}

/**
 * Re-arms the stored scheduled rules of the request's account and region once per emulator
 * (timers do not survive a restart; NextFire in the store does).
 */
export async function ensureArmed(ctx: RequestContext): Promise<void> {
  const r = runtimeOf(ctx);
  const scopeKey = `${ctx.accountId}/${ctx.region}`;
  if (r.armedScopes.has(scopeKey)) return;
  r.armedScopes.add(scopeKey);
  for await (const e of ctx.store.list<StoredRule>({ prefix: ["rule"] })) {
    const rule = e.value;
    if (!rule.ScheduleExpression || rule.State !== "ENABLED") continue;
    if (rule.NextFire !== undefined && rule.ArmId) setTimer(ctx, rule);
    else await armRule(ctx, rule);
  }
}
