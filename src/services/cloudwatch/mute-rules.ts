/**
 * Alarm mute rules as state: PutAlarmMuteRule (create or replace), GetAlarmMuteRule,
 * ListAlarmMuteRules (by targeted alarm and status), DeleteAlarmMuteRule. `MuteType` is
 * ONE_TIME for an `at(...)` schedule, RECURRING for `cron(...)`; `Status` follows the emulator
 * clock: SCHEDULED before StartDate (or a one-time window), EXPIRED after ExpireDate (or after a
 * one-time window ends), else ACTIVE. While a rule's window is open (`at(...)` + Duration, or
 * any `cron(min hour dom month dow)` occurrence in its Timezone + Duration, within StartDate and
 * ExpireDate) the alarms it targets still evaluate and change state but run no actions
 * (`mutingRule`, called by alarms.ts).
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutAlarmMuteRule.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Schedule.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { AlarmMuteRuleStatus, Operations, Tag } from "../../generated/cloudwatch.ts";
import { partitionOf } from "../../util/partition.ts";
import { invalidValue } from "./metrics.ts";
import { AwsError } from "../../protocol/errors.ts";
import { pageOf } from "./paging.ts";
import { checkTimeZone, nextCron, parseCron, ScheduleExpressionError, type CronSpec } from "../../schedules/cron.ts";

interface StoredMuteRule {
  Name: string;
  Description?: string;
  Expression: string;
  Duration: string;
  Timezone?: string;
  AlarmNames: string[];
  StartDate?: number;
  ExpireDate?: number;
  updated: number;
  tags: Tag[];
}

const key = (name: string) => ["mute-rule", name] as const;

/** ISO-8601 duration (`PT4H`, `P1DT30M`) in ms, or undefined. */
function durationMs(text: string): number | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text);
  if (!m || text === "P" || text.endsWith("T")) return undefined;
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 + Number(m[4] ?? 0) * 1000;
}

function atTime(expression: string): number | undefined {
  const m = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)\)$/.exec(expression);
  return m ? Date.parse(m[1] + "Z") : undefined;
}

/**
 * A mute rule's five-field `cron(Minutes Hours Day-of-month Month Day-of-week)` as the shared
 * six-field parser reads it: `?` for the unused day field, every year, day-of-week numbers
 * 0-7 (Sunday 0 or 7) moved to AWS's 1-7.
 */
export function muteCron(expression: string): CronSpec | undefined {
  const m = /^cron\((.+)\)$/.exec(expression.trim());
  if (!m) return undefined;
  const fields = m[1]!.trim().split(/\s+/);
  // EventBridge's six-field form is read as it is there.
  if (fields.length === 6) return parseCron(fields.join(" "));
  if (fields.length !== 5) throw new ScheduleExpressionError(`A cron expression needs 5 fields, got ${fields.length}.`);
  let [min, hour, dom, month, dow] = fields as [string, string, string, string, string];
  dow = dow.replace(/\d+/g, (d) => String((Number(d) % 7) + 1));
  if (dom !== "?" && dow !== "?") {
    if (dow === "*") dow = "?";
    else if (dom === "*") dom = "?";
  }
  return parseCron(`${min} ${hour} ${dom} ${month} ${dow} *`);
}

/** True while one of the rule's windows is open at `now` (StartDate and ExpireDate bound it). */
function windowOpen(rule: StoredMuteRule, now: number): boolean {
  if ((rule.StartDate !== undefined && now < rule.StartDate) || (rule.ExpireDate !== undefined && now >= rule.ExpireDate)) return false;
  const duration = durationMs(rule.Duration) ?? 0;
  const at = atTime(rule.Expression);
  if (at !== undefined) return at <= now && now < at + duration;
  const spec = muteCron(rule.Expression);
  if (!spec) return false;
  // The latest occurrence that could still cover `now` starts within the last `duration`.
  const start = nextCron(spec, now - duration, rule.Timezone ?? "UTC");
  return start !== null && start <= now;
}

/** The name of an active mute rule targeting `alarmName` at the emulator's now, if any. */
export async function mutingRule(ctx: RequestContext, alarmName: string): Promise<string | undefined> {
  const now = ctx.clock.now();
  for await (const entry of ctx.store.list<StoredMuteRule>({ prefix: ["mute-rule"] })) {
    if (entry.value.AlarmNames.includes(alarmName) && windowOpen(entry.value, now)) return entry.value.Name;
  }
  return undefined;
}

function status(rule: StoredMuteRule, now: number): AlarmMuteRuleStatus {
  const at = atTime(rule.Expression);
  const windowEnd = at !== undefined ? at + (durationMs(rule.Duration) ?? 0) : undefined;
  if ((rule.ExpireDate !== undefined && rule.ExpireDate <= now) || (windowEnd !== undefined && windowEnd <= now)) return "EXPIRED";
  if ((rule.StartDate !== undefined && rule.StartDate > now) || (at !== undefined && at > now)) return "SCHEDULED";
  return "ACTIVE";
}

function arn(ctx: RequestContext, name: string): string {
  return `arn:${partitionOf(ctx.region)}:cloudwatch:${ctx.region}:${ctx.accountId}:alarm-mute-rule:${name}`;
}

export const muteRuleHandlers: Handlers<Operations> = {
  async PutAlarmMuteRule(input, ctx) {
    const { Expression, Duration, Timezone } = input.Rule.Schedule;
    if (atTime(Expression) === undefined) {
      try {
        if (!muteCron(Expression)) throw new ScheduleExpressionError("not cron(...)");
      } catch (error) {
        if (!(error instanceof ScheduleExpressionError)) throw error;
        throw invalidValue(`Schedule expression ${Expression} must be cron(Minutes Hours Day-of-month Month Day-of-week) or at(yyyy-mm-ddThh:mm:ss).`);
      }
    }
    const duration = durationMs(Duration);
    if (duration === undefined || duration < 60_000 || duration > 15 * 86_400_000) {
      throw invalidValue(`Duration ${Duration} must be an ISO-8601 duration from PT1M to P15D.`);
    }
    if (Timezone !== undefined) {
      try {
        checkTimeZone(Timezone);
      } catch {
        throw invalidValue(`Invalid time zone ${Timezone}.`);
      }
    }
    const start = input.StartDate !== undefined ? new Date(input.StartDate).getTime() : undefined;
    const expire = input.ExpireDate !== undefined ? new Date(input.ExpireDate).getTime() : undefined;
    if (start !== undefined && expire !== undefined && expire <= start) throw invalidValue("ExpireDate must be after StartDate.");
    const existing = (await ctx.store.get<StoredMuteRule>(key(input.Name))).value;
    await ctx.store.set(key(input.Name), {
      Name: input.Name, ...(input.Description !== undefined ? { Description: input.Description } : {}),
      Expression, Duration, ...(Timezone ? { Timezone } : {}), AlarmNames: input.MuteTargets?.AlarmNames ?? [],
      ...(start !== undefined ? { StartDate: start } : {}), ...(expire !== undefined ? { ExpireDate: expire } : {}),
      updated: ctx.clock.now(), tags: existing?.tags ?? input.Tags ?? [],
    } satisfies StoredMuteRule);
    return {};
  },

  async GetAlarmMuteRule(input, ctx) {
    const rule = (await ctx.store.get<StoredMuteRule>(key(input.AlarmMuteRuleName))).value;
    if (!rule) throw new AwsError("ResourceNotFoundException", `Alarm mute rule ${input.AlarmMuteRuleName} does not exist.`, 404);
    return {
      Name: rule.Name, AlarmMuteRuleArn: arn(ctx, rule.Name), ...(rule.Description !== undefined ? { Description: rule.Description } : {}),
      Rule: { Schedule: { Expression: rule.Expression, Duration: rule.Duration, ...(rule.Timezone ? { Timezone: rule.Timezone } : {}) } },
      MuteTargets: { AlarmNames: rule.AlarmNames },
      ...(rule.StartDate !== undefined ? { StartDate: new Date(rule.StartDate) } : {}),
      ...(rule.ExpireDate !== undefined ? { ExpireDate: new Date(rule.ExpireDate) } : {}),
      Status: status(rule, ctx.clock.now()), LastUpdatedTimestamp: new Date(rule.updated),
      MuteType: atTime(rule.Expression) !== undefined ? "ONE_TIME" : "RECURRING",
    };
  },

  async ListAlarmMuteRules(input, ctx) {
    const now = ctx.clock.now();
    const rules: StoredMuteRule[] = [];
    for await (const entry of ctx.store.list<StoredMuteRule>({ prefix: ["mute-rule"] })) {
      const rule = entry.value;
      if (input.AlarmName !== undefined && !rule.AlarmNames.includes(input.AlarmName)) continue;
      if (input.Statuses?.length && !input.Statuses.includes(status(rule, now))) continue;
      rules.push(rule);
    }
    const { page, NextToken } = pageOf(rules, input.NextToken, input.MaxRecords ?? 100);
    return {
      AlarmMuteRuleSummaries: page.map((r) => ({
        AlarmMuteRuleArn: arn(ctx, r.Name), ...(r.ExpireDate !== undefined ? { ExpireDate: new Date(r.ExpireDate) } : {}),
        Status: status(r, now), MuteType: atTime(r.Expression) !== undefined ? "ONE_TIME" : "RECURRING", LastUpdatedTimestamp: new Date(r.updated),
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  },

  async DeleteAlarmMuteRule(input, ctx) {
    await ctx.store.delete(key(input.AlarmMuteRuleName));
    return {};
  },
};
