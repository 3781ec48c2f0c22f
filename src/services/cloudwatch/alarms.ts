/**
 * Alarms that evaluate on the emulator clock: metric alarms (a metric or a math expression,
 * periods, evaluation periods, datapoints to alarm, missing-data treatment), composite alarms
 * over other alarms' states, history, and actions (SNS Publish through `ctx.invoke`).
 *
 * Each alarm's evaluation is a timer on `ctx.timers`, every period (at most every minute), armed
 * when the alarm is put and re-armed after each run; after a restart the first CloudWatch request
 * of the account and region re-arms them.
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
 */
import type { RequestContext } from "../types.ts";
import type { MetricDataQuery, PutMetricAlarmInput, StateValue } from "../../generated/cloudwatch.ts";
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import { aggregate, statistic, type MetricId } from "./metrics.ts";
import { evaluateQueries } from "./queries.ts";
import { emitStateChange } from "./alarm-events.ts";
import { mutingRule } from "./mute-rules.ts";

export interface StoredAlarm {
  type: "MetricAlarm" | "CompositeAlarm";
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  AlarmConfigurationUpdatedTimestamp: number;
  ActionsEnabled: boolean;
  OKActions: string[];
  AlarmActions: string[];
  InsufficientDataActions: string[];
  StateValue: StateValue;
  StateReason: string;
  StateReasonData?: string;
  StateUpdatedTimestamp: number;
  StateTransitionedTimestamp: number;
  tags: { Key: string; Value: string }[];
  /** metric alarms: the configuration as put */
  config?: Omit<PutMetricAlarmInput, "Tags" | "AlarmActions" | "OKActions" | "InsufficientDataActions" | "AlarmName" | "AlarmDescription" | "ActionsEnabled">;
  /** composite alarms */
  AlarmRule?: string;
}

export interface HistoryItem {
  AlarmName: string;
  AlarmType: "MetricAlarm" | "CompositeAlarm";
  Timestamp: number;
  HistoryItemType: "ConfigurationUpdate" | "StateUpdate" | "Action";
  HistorySummary: string;
  HistoryData: string;
}

export const alarmKeys = {
  alarm: (name: string) => ["alarm", name] as const,
  alarms: () => ["alarm"] as const,
  history: (name: string, at: number, id: string) => ["history", name, at, id] as const,
  histories: () => ["history"] as const,
};

const REGION_NAMES: Record<string, string> = {
  "us-east-1": "US East (N. Virginia)", "us-east-2": "US East (Ohio)", "us-west-1": "US West (N. California)", "us-west-2": "US West (Oregon)",
  "eu-west-1": "EU (Ireland)", "eu-central-1": "EU (Frankfurt)", "ap-southeast-1": "Asia Pacific (Singapore)", "ap-northeast-1": "Asia Pacific (Tokyo)",
};

export function resourceNotFound(message: string): AwsError {
  return new AwsError("ResourceNotFound", message, 404);
}

function armKey(ctx: RequestContext, name: string): string {
  return `${ctx.accountId}/${ctx.region}/${name}`;
}

/** Evaluation interval of a metric alarm: its period, at least a minute (AWS evaluates every minute). */
function intervalOf(alarm: StoredAlarm): number {
  const period = alarm.config?.Period ?? alarm.config?.Metrics?.find((m) => m.MetricStat)?.MetricStat?.Period ?? 60;
  return Math.max(60, period) * 1000;
}

/** Arms the alarm's evaluation timer if it is not armed in this emulator. */
export function arm(ctx: RequestContext, alarm: StoredAlarm): void {
  if (alarm.type !== "MetricAlarm") return;
  // Timers armed in this emulator, by account, region and alarm.
  const set = ctx.runtime("armed-alarms", () => new Set<string>());
  const key = armKey(ctx, alarm.AlarmName);
  if (set.has(key)) return;
  set.add(key);
  const interval = intervalOf(alarm);
  const now = ctx.clock.now();
  const next = Math.ceil((now + 1) / interval) * interval;
  const run = async (): Promise<void> => {
    const current = (await ctx.store.get<StoredAlarm>(alarmKeys.alarm(alarm.AlarmName))).value;
    if (!current || current.AlarmArn !== alarm.AlarmArn || current.AlarmConfigurationUpdatedTimestamp !== alarm.AlarmConfigurationUpdatedTimestamp) {
      set!.delete(key);
      if (current) arm(ctx, current);
      return;
    }
    await evaluateAlarm(ctx, current);
    ctx.timers.setTimer(interval, run);
  };
  ctx.timers.setTimer(next - now, run);
}

/** Re-arms every alarm of the account and region (after a restart). */
export async function armAll(ctx: RequestContext): Promise<void> {
  for await (const entry of ctx.store.list<StoredAlarm>({ prefix: alarmKeys.alarms() })) arm(ctx, entry.value);
}

function breaches(value: number, threshold: number, operator: string): boolean {
  switch (operator) {
    case "GreaterThanOrEqualToThreshold": return value >= threshold;
    case "GreaterThanThreshold": return value > threshold;
    case "LessThanThreshold": return value < threshold;
    case "LessThanOrEqualToThreshold": return value <= threshold;
    default: return false;
  }
}

/** A period's band when the alarm compares against ANOMALY_DETECTION_BAND (ThresholdMetricId). */
interface Band {
  lower: number;
  upper: number;
}

/**
 * The values of the evaluated periods, oldest first (undefined where data is missing), and for
 * an alarm with `ThresholdMetricId` each period's band (undefined where the band is missing).
 */
async function periodValues(ctx: RequestContext, alarm: StoredAlarm, now: number): Promise<{ values: (number | undefined)[]; bands?: (Band | undefined)[] }> {
  const c = alarm.config!;
  const periods = c.EvaluationPeriods ?? 1;
  if (c.Metrics) {
    const period = (c.Metrics.find((m) => m.MetricStat)?.MetricStat?.Period ?? c.Period ?? 60) * 1000;
    const end = Math.floor(now / period) * period;
    const start = end - periods * period;
    const results = await evaluateQueries(ctx, c.Metrics as MetricDataQuery[], start, end);
    const candidates = results.filter((r) => r.Id !== c.ThresholdMetricId);
    const target = candidates.find((r) => r.ReturnData) ?? candidates[candidates.length - 1]!;
    const times = Array.from({ length: periods }, (_, i) => start + i * period);
    const band = c.ThresholdMetricId !== undefined ? results.find((r) => r.Id === c.ThresholdMetricId) : undefined;
    return {
      values: times.map((t) => target.series.get(t)),
      ...(band ? {
        bands: times.map((t) => {
          const upper = band.series.get(t);
          const lower = band.lower?.get(t) ?? upper;
          return upper === undefined || lower === undefined ? undefined : { lower, upper };
        }),
      } : {}),
    };
  }
  const period = (c.Period ?? 60) * 1000;
  const end = Math.floor(now / period) * period;
  const start = end - periods * period;
  const metric: MetricId = { Namespace: c.Namespace!, MetricName: c.MetricName!, Dimensions: c.Dimensions ?? [] };
  const buckets = await aggregate(ctx, metric, start, end, period, c.Unit);
  const stat = c.Statistic ?? c.ExtendedStatistic!;
  return {
    values: Array.from({ length: periods }, (_, i) => {
      const agg = buckets.get(start + i * period);
      return agg ? statistic(agg, stat) : undefined;
    }),
  };
}

function outsideBand(value: number, band: Band, operator: string): boolean {
  switch (operator) {
    case "LessThanLowerOrGreaterThanUpperThreshold": return value < band.lower || value > band.upper;
    case "LessThanLowerThreshold": return value < band.lower;
    case "GreaterThanUpperThreshold": return value > band.upper;
    default: return false;
  }
}

/** Decides a metric alarm's state from its last periods, and transitions if it changed. */
export async function evaluateAlarm(ctx: RequestContext, alarm: StoredAlarm): Promise<void> {
  const c = alarm.config!;
  const now = ctx.clock.now();
  const { values, bands } = await periodValues(ctx, alarm, now);
  const toAlarm = c.DatapointsToAlarm ?? c.EvaluationPeriods ?? 1;
  const treat = c.TreatMissingData ?? "missing";
  const threshold = c.Threshold ?? 0;
  const operator = c.ComparisonOperator ?? "GreaterThanThreshold";
  let breaching = 0;
  let present = 0;
  for (const [i, v] of values.entries()) {
    // Without its band a period counts as missing, as while AWS's model trains.
    const band = bands?.[i];
    if (v === undefined || (bands && !band)) {
      if (treat === "breaching") breaching++;
      continue;
    }
    present++;
    if (band ? outsideBand(v, band, operator) : breaches(v, threshold, operator)) breaching++;
  }
  let state: StateValue;
  if (breaching >= toAlarm) state = "ALARM";
  else if (present === 0 && treat === "missing") state = "INSUFFICIENT_DATA";
  else if (present === 0 && treat === "ignore") return;
  else state = "OK";
  if (state === alarm.StateValue) return;
  const shown = values.filter((v): v is number => v !== undefined);
  const reason = state === "INSUFFICIENT_DATA"
    ? `Insufficient Data: ${values.length} datapoint${values.length === 1 ? " was" : "s were"} unknown.`
    : bands ? `Thresholds Crossed: ${shown.length} datapoint${shown.length === 1 ? "" : "s"} [${shown.join(", ")}] ${state === "ALARM" ? "was" : "was not"} outside the band (${operatorWords(operator)}).`
    : `Threshold Crossed: ${shown.length} datapoint${shown.length === 1 ? "" : "s"} [${shown.map((v) => `${v} (${new Date(now).toISOString()})`).join(", ")}] ${state === "ALARM" ? "was" : "was not"} ${operatorWords(operator)} the threshold (${threshold}).`;
  const reasonData = JSON.stringify({ version: "1.0", queryDate: new Date(now).toISOString(), statistic: c.Statistic, period: c.Period, recentDatapoints: shown, threshold, evaluatedDatapoints: [] });
  await transition(ctx, alarm, state, reason, reasonData);
}

function operatorWords(operator: string): string {
  return {
    GreaterThanOrEqualToThreshold: "greater than or equal to",
    GreaterThanThreshold: "greater than",
    LessThanThreshold: "less than",
    LessThanOrEqualToThreshold: "less than or equal to",
    LessThanLowerOrGreaterThanUpperThreshold: "less than the lower or greater than the upper threshold",
    LessThanLowerThreshold: "less than the lower threshold",
    GreaterThanUpperThreshold: "greater than the upper threshold",
  }[operator] ?? operator;
}

/** Moves an alarm to `state`: stored, in history, actions run, composite parents re-evaluated. */
export async function transition(ctx: RequestContext, alarm: StoredAlarm, state: StateValue, reason: string, reasonData?: string): Promise<void> {
  const now = ctx.clock.now();
  const previous = alarm.StateValue;
  const next: StoredAlarm = {
    ...alarm, StateValue: state, StateReason: reason, ...(reasonData !== undefined ? { StateReasonData: reasonData } : {}),
    StateUpdatedTimestamp: now, StateTransitionedTimestamp: now,
  };
  await ctx.store.atomic()
    .set(alarmKeys.alarm(alarm.AlarmName), next)
    .set(alarmKeys.history(alarm.AlarmName, now, crypto.randomUUID()), {
      AlarmName: alarm.AlarmName, AlarmType: alarm.type, Timestamp: now, HistoryItemType: "StateUpdate",
      HistorySummary: `Alarm updated from ${previous} to ${state}`,
      HistoryData: JSON.stringify({ version: "1.0", oldState: { stateValue: previous }, newState: { stateValue: state, stateReason: reason } }),
    } satisfies HistoryItem)
    .commit();
  emitStateChange(ctx, next, { value: previous, reason: alarm.StateReason, reasonData: alarm.StateReasonData, timestamp: alarm.StateUpdatedTimestamp });
  // An active mute rule silences the actions; the alarm still changes state (and emits the event).
  if (next.ActionsEnabled && !(await mutingRule(ctx, next.AlarmName))) {
    const actions = state === "ALARM" ? next.AlarmActions : state === "OK" ? next.OKActions : next.InsufficientDataActions;
    for (const action of actions) ctx.waitUntil(runAction(ctx, next, previous, action));
  }
  await evaluateComposites(ctx);
}

async function runAction(ctx: RequestContext, alarm: StoredAlarm, previous: StateValue, action: string): Promise<void> {
  const service = action.split(":")[2];
  let summary: string;
  try {
    if (service === "sns") {
      const message = {
        AlarmName: alarm.AlarmName, AlarmDescription: alarm.AlarmDescription ?? null, AWSAccountId: ctx.accountId,
        AlarmConfigurationUpdatedTimestamp: new Date(alarm.AlarmConfigurationUpdatedTimestamp).toISOString(),
        NewStateValue: alarm.StateValue, NewStateReason: alarm.StateReason, StateChangeTime: new Date(alarm.StateUpdatedTimestamp).toISOString(),
        Region: REGION_NAMES[ctx.region] ?? ctx.region, AlarmArn: alarm.AlarmArn, OldStateValue: previous,
        Trigger: alarm.config ? {
          MetricName: alarm.config.MetricName, Namespace: alarm.config.Namespace, Statistic: alarm.config.Statistic?.toUpperCase(),
          Period: alarm.config.Period, EvaluationPeriods: alarm.config.EvaluationPeriods, ComparisonOperator: alarm.config.ComparisonOperator,
          Threshold: alarm.config.Threshold, TreatMissingData: alarm.config.TreatMissingData ?? "missing",
          Dimensions: (alarm.config.Dimensions ?? []).map((d) => ({ name: d.Name, value: d.Value })),
        } : { AlarmRule: alarm.AlarmRule },
      };
      await ctx.invoke("sns", "Publish", {
        TopicArn: action,
        Subject: `${alarm.StateValue}: "${alarm.AlarmName}" in ${REGION_NAMES[ctx.region] ?? ctx.region}`.slice(0, 100),
        Message: JSON.stringify(message),
      });
      summary = `Successfully executed action ${action}`;
    } else {
      summary = `Failed to execute action ${action}: not supported by fetchstack`;
    }
  } catch (error) {
    summary = `Failed to execute action ${action}. Received error: "${isAwsError(error) ? error.message : "internal error"}"`;
  }
  const now = ctx.clock.now();
  await ctx.store.set(alarmKeys.history(alarm.AlarmName, now, crypto.randomUUID()), {
    AlarmName: alarm.AlarmName, AlarmType: alarm.type, Timestamp: now, HistoryItemType: "Action", HistorySummary: summary,
    HistoryData: JSON.stringify({ actionState: summary.startsWith("Success") ? "Succeeded" : "Failed", notificationResource: action }),
  } satisfies HistoryItem);
}

// ---------------------------------------------------------------------------- composite rules

type Rule = { op: "and" | "or"; l: Rule; r: Rule } | { op: "not"; e: Rule } | { op: "state"; state: StateValue; name: string } | { op: "const"; v: boolean };

/** Parses an AlarmRule: ALARM("a") AND (OK(b) OR NOT INSUFFICIENT_DATA("c")), TRUE, FALSE. */
export function parseRule(text: string): Rule {
  const tokens = text.match(/\s*(\(|\)|"[^"]*"|[A-Za-z_][A-Za-z0-9_:\-./]*|\S)/g)?.map((t) => t.trim()) ?? [];
  let i = 0;
  const fail = (): never => {
    throw new AwsError("InvalidParameterValueException", `Error in alarm rule: ${text}`, 400);
  };
  const take = () => tokens[i++] ?? fail();
  const unit = (): Rule => {
    const t = take();
    if (t === "(") {
      const e = or();
      if (take() !== ")") fail();
      return e;
    }
    const upper = t.toUpperCase();
    if (upper === "NOT") return { op: "not", e: unit() };
    if (upper === "TRUE" || upper === "FALSE") return { op: "const", v: upper === "TRUE" };
    if (upper === "ALARM" || upper === "OK" || upper === "INSUFFICIENT_DATA") {
      if (take() !== "(") fail();
      let name = take();
      if (name.startsWith('"')) name = name.slice(1, -1);
      if (take() !== ")") fail();
      return { op: "state", state: upper as StateValue, name: name.replace(/^arn:[^:]*:cloudwatch:[^:]*:\d{12}:alarm:/, "") };
    }
    return fail();
  };
  const and = (): Rule => {
    let l = unit();
    while (tokens[i]?.toUpperCase() === "AND") {
      i++;
      l = { op: "and", l, r: unit() };
    }
    return l;
  };
  const or = (): Rule => {
    let l = and();
    while (tokens[i]?.toUpperCase() === "OR") {
      i++;
      l = { op: "or", l, r: and() };
    }
    return l;
  };
  const rule = or();
  if (i !== tokens.length) fail();
  return rule;
}

export function ruleAlarms(rule: Rule): string[] {
  switch (rule.op) {
    case "and": case "or": return [...ruleAlarms(rule.l), ...ruleAlarms(rule.r)];
    case "not": return ruleAlarms(rule.e);
    case "state": return [rule.name];
    default: return [];
  }
}

function evalRule(rule: Rule, states: Map<string, StateValue>): boolean {
  switch (rule.op) {
    case "and": return evalRule(rule.l, states) && evalRule(rule.r, states);
    case "or": return evalRule(rule.l, states) || evalRule(rule.r, states);
    case "not": return !evalRule(rule.e, states);
    case "const": return rule.v;
    case "state": return states.get(rule.name) === rule.state;
  }
}

/** Re-evaluates every composite alarm from its children's current states. */
export async function evaluateComposites(ctx: RequestContext): Promise<void> {
  const all: StoredAlarm[] = [];
  for await (const entry of ctx.store.list<StoredAlarm>({ prefix: alarmKeys.alarms() })) all.push(entry.value);
  const states = new Map(all.map((a) => [a.AlarmName, a.StateValue]));
  for (const alarm of all) {
    if (alarm.type !== "CompositeAlarm") continue;
    const state: StateValue = evalRule(parseRule(alarm.AlarmRule!), states) ? "ALARM" : "OK";
    if (state !== alarm.StateValue) {
      await transition(ctx, alarm, state, `arn:aws:cloudwatch:${ctx.region}:${ctx.accountId}:alarm rule ${state === "ALARM" ? "evaluated to TRUE" : "evaluated to FALSE"}`);
      return;
    }
  }
}
