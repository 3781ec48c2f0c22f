/**
 * Amazon CloudWatch: metrics, alarms, dashboards, metric streams — over Smithy RPC v2 CBOR
 * (current botocore), awsJson 1.0 (current JS SDK) and awsQuery (AWS CLI v2 before 2.13), one
 * set of handlers for all three.
 * Source: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_Operations.html
 *
 * Alarms evaluate on the emulator clock and publish to SNS (alarms.ts). Metric streams and
 * anomaly detectors are stored configuration (streams deliver nothing yet), and
 * ANOMALY_DETECTION_BAND is served by a deterministic band model (anomaly-band.ts); insight rules
 * report from Logs events (insight-rules.ts); alarm mute rules silence actions (mute-rules.ts);
 * alarm state changes go to EventBridge (alarm-events.ts); widget images are real PNGs
 * (widget-image.ts); OTel enrichment is an account switch.
 */
import { defineService, type RequestContext } from "../types.ts";
import { cloudwatchAuthorization } from "./authorization.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import model from "../../../models/cloudwatch.json" with { type: "json" };
import type { MetricAlarm, Operations, Tag } from "../../generated/cloudwatch.ts";
import { dimensionKey, invalidCombination, invalidValue, listMetricIds, putMetricData, validStat } from "./metrics.ts";
import { getMetricData, getMetricStatistics } from "./queries.ts";
import {
  alarmKeys, arm, armAll, evaluateComposites, parseRule, resourceNotFound, ruleAlarms, transition,
  type HistoryItem, type StoredAlarm,
} from "./alarms.ts";
import { AwsError } from "../../protocol/errors.ts";
import type { Key } from "../../store/types.ts";
import { partitionOf as partition } from "../../util/partition.ts";
import { pageOf } from "./paging.ts";
import { anomalyDetectorHandlers } from "./anomaly-detectors.ts";
import { insightRuleHandlers } from "./insight-rules.ts";
import { muteRuleHandlers } from "./mute-rules.ts";
import { parseBand } from "./anomaly-band.ts";
import { renderWidget } from "./widget-image.ts";

const RECENT_MS = 3 * 3_600_000;
/** The account's OTel enrichment switch (Running/Stopped): state only, as nothing sends OTel data. */
const OTEL_KEY = ["otel-enrichment"] as const;


function alarmArn(ctx: RequestContext, name: string): string {
  return `arn:${partition(ctx.region)}:cloudwatch:${ctx.region}:${ctx.accountId}:alarm:${name}`;
}

/** Re-arms alarm timers once per emulator and account/region after a restart. */
async function ensureArmed(ctx: RequestContext): Promise<void> {
  const set = ctx.runtime("rearmed-scopes", () => new Set<string>());
  const key = `${ctx.accountId}/${ctx.region}`;
  if (set.has(key)) return;
  set.add(key);
  await armAll(ctx);
}

async function allAlarms(ctx: RequestContext): Promise<StoredAlarm[]> {
  const out: StoredAlarm[] = [];
  for await (const entry of ctx.store.list<StoredAlarm>({ prefix: alarmKeys.alarms() })) out.push(entry.value);
  return out;
}

function describeMetricAlarm(alarm: StoredAlarm): MetricAlarm {
  const c = alarm.config ?? {};
  return {
    AlarmName: alarm.AlarmName, AlarmArn: alarm.AlarmArn, ...(alarm.AlarmDescription ? { AlarmDescription: alarm.AlarmDescription } : {}),
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.AlarmConfigurationUpdatedTimestamp), ActionsEnabled: alarm.ActionsEnabled,
    OKActions: alarm.OKActions, AlarmActions: alarm.AlarmActions, InsufficientDataActions: alarm.InsufficientDataActions,
    StateValue: alarm.StateValue, StateReason: alarm.StateReason, ...(alarm.StateReasonData ? { StateReasonData: alarm.StateReasonData } : {}),
    StateUpdatedTimestamp: new Date(alarm.StateUpdatedTimestamp), StateTransitionedTimestamp: new Date(alarm.StateTransitionedTimestamp),
    ...c,
    Dimensions: c.Dimensions ?? [],
  } as MetricAlarm;
}

function describeCompositeAlarm(alarm: StoredAlarm) {
  return {
    ActionsEnabled: alarm.ActionsEnabled, AlarmActions: alarm.AlarmActions, AlarmArn: alarm.AlarmArn,
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.AlarmConfigurationUpdatedTimestamp),
    ...(alarm.AlarmDescription ? { AlarmDescription: alarm.AlarmDescription } : {}),
    AlarmName: alarm.AlarmName, AlarmRule: alarm.AlarmRule!, InsufficientDataActions: alarm.InsufficientDataActions, OKActions: alarm.OKActions,
    StateReason: alarm.StateReason, StateUpdatedTimestamp: new Date(alarm.StateUpdatedTimestamp), StateValue: alarm.StateValue,
    StateTransitionedTimestamp: new Date(alarm.StateTransitionedTimestamp),
  };
}

function checkActions(ctx: RequestContext, actions: string[] | undefined, name: string): void {
  for (const action of actions ?? []) {
    if (!/^arn:aws[a-z-]*:(sns|autoscaling|ec2|ssm|ssm-incidents|lambda|automate|swf):/.test(action)) {
      throw invalidValue(`Invalid arn syntax: ${action} for parameter ${name}.`);
    }
  }
  void ctx;
}

function newAlarmBase(ctx: RequestContext, input: { AlarmName: string; AlarmDescription?: string; ActionsEnabled?: boolean; OKActions?: string[]; AlarmActions?: string[]; InsufficientDataActions?: string[]; Tags?: Tag[] }, existing: StoredAlarm | null) {
  const now = ctx.clock.now();
  return {
    AlarmName: input.AlarmName,
    AlarmArn: alarmArn(ctx, input.AlarmName),
    ...(input.AlarmDescription !== undefined ? { AlarmDescription: input.AlarmDescription } : {}),
    AlarmConfigurationUpdatedTimestamp: now,
    ActionsEnabled: input.ActionsEnabled ?? true,
    OKActions: input.OKActions ?? [],
    AlarmActions: input.AlarmActions ?? [],
    InsufficientDataActions: input.InsufficientDataActions ?? [],
    StateValue: existing?.StateValue ?? ("INSUFFICIENT_DATA" as const),
    StateReason: existing?.StateReason ?? "Unchecked: Initial alarm creation",
    StateUpdatedTimestamp: existing?.StateUpdatedTimestamp ?? now,
    StateTransitionedTimestamp: existing?.StateTransitionedTimestamp ?? now,
    tags: existing ? mergeTags(existing.tags, input.Tags ?? []) : [...(input.Tags ?? [])],
  };
}

function mergeTags(current: Tag[], added: Tag[]): Tag[] {
  const map = new Map(current.map((t) => [t.Key, t.Value]));
  for (const t of added) map.set(t.Key, t.Value);
  return [...map.entries()].map(([Key, Value]) => ({ Key, Value }));
}

async function recordConfigUpdate(ctx: RequestContext, alarm: StoredAlarm, created: boolean): Promise<void> {
  const now = ctx.clock.now();
  await ctx.store.set(alarmKeys.history(alarm.AlarmName, now, crypto.randomUUID()), {
    AlarmName: alarm.AlarmName, AlarmType: alarm.type, Timestamp: now, HistoryItemType: "ConfigurationUpdate",
    HistorySummary: `Alarm "${alarm.AlarmName}" ${created ? "created" : "updated"}`,
    HistoryData: JSON.stringify({ version: "1.0", type: created ? "Create" : "Update" }),
  } satisfies HistoryItem);
}

/** A taggable resource of ours (alarm, metric stream) by ARN. */
async function taggable(ctx: RequestContext, arn: string): Promise<{ key: Key; value: { tags: Tag[] } }> {
  const alarm = /:alarm:(.+)$/.exec(arn);
  if (alarm) {
    const found = (await ctx.store.get<StoredAlarm>(alarmKeys.alarm(alarm[1]!))).value;
    if (found) return { key: alarmKeys.alarm(alarm[1]!), value: found };
  }
  const stream = /:metric-stream\/(.+)$/.exec(arn);
  if (stream) {
    const found = (await ctx.store.get<{ tags: Tag[] }>(["metric-stream", stream[1]!])).value;
    if (found) return { key: ["metric-stream", stream[1]!], value: found };
  }
  const rule = /:insight-rule\/(.+)$/.exec(arn);
  if (rule) {
    const found = (await ctx.store.get<{ tags: Tag[] }>(["insight-rule", rule[1]!])).value;
    if (found) return { key: ["insight-rule", rule[1]!], value: found };
  }
  throw resourceNotFound(`Unknown resource ${arn}.`);
}

interface StoredStream {
  Name: string;
  Arn: string;
  FirehoseArn: string;
  RoleArn: string;
  OutputFormat: string;
  State: "running" | "stopped";
  CreationDate: number;
  LastUpdateDate: number;
  IncludeFilters?: unknown[];
  ExcludeFilters?: unknown[];
  StatisticsConfigurations?: unknown[];
  IncludeLinkedAccountsMetrics?: boolean;
  tags: Tag[];
}

export default defineService<Operations>({
  name: "cloudwatch",
  authorization: cloudwatchAuthorization,
  model: model as unknown as ServiceModel,
  handlers: {
    ...anomalyDetectorHandlers,
    ...insightRuleHandlers,
    ...muteRuleHandlers,
    async GetMetricWidgetImage(input, ctx) {
      const format = input.OutputFormat ?? "png";
      if (format !== "png" && format !== "image/png") throw invalidValue(`The output format ${format} is not supported; only png is.`);
      return { MetricWidgetImage: await renderWidget(ctx, input.MetricWidget) };
    },

    async DescribeAlarmContributors(input, ctx) {
      const alarm = (await ctx.store.get<StoredAlarm>(alarmKeys.alarm(input.AlarmName))).value;
      if (!alarm) throw resourceNotFound(`Alarm ${input.AlarmName} does not exist.`);
      // Contributors belong to multi-time-series alarms (Metrics Insights GROUP BY queries), which
      // fetchstack does not evaluate: every alarm here watches one series and has none.
      return { AlarmContributors: [] };
    },

    async GetOTelEnrichment(_input, ctx) {
      const status = (await ctx.store.get<"Running" | "Stopped">(OTEL_KEY)).value ?? "Stopped";
      return { Status: status };
    },

    async StartOTelEnrichment(_input, ctx) {
      await ctx.store.set(OTEL_KEY, "Running");
      return {};
    },

    async StopOTelEnrichment(_input, ctx) {
      await ctx.store.set(OTEL_KEY, "Stopped");
      return {};
    },

    async PutMetricData(input, ctx) {
      await ensureArmed(ctx);
      if (input.EntityMetricData?.length) {
        for (const entity of input.EntityMetricData) await putMetricData(ctx, input.Namespace, entity.MetricData ?? []);
      }
      if (input.MetricData || !input.EntityMetricData?.length) await putMetricData(ctx, input.Namespace, input.MetricData ?? []);
      return {};
    },

    async GetMetricStatistics(input, ctx) {
      return getMetricStatistics(ctx, input);
    },

    async GetMetricData(input, ctx) {
      return getMetricData(ctx, input);
    },

    async ListMetrics(input, ctx) {
      const now = ctx.clock.now();
      const metrics = (await listMetricIds(ctx)).filter((m) => {
        if (input.Namespace !== undefined && m.Namespace !== input.Namespace) return false;
        if (input.MetricName !== undefined && m.MetricName !== input.MetricName) return false;
        if (input.RecentlyActive === "PT3H" && m.last < now - RECENT_MS) return false;
        for (const f of input.Dimensions ?? []) {
          const d = m.Dimensions.find((x) => x.Name === f.Name);
          if (!d || (f.Value !== undefined && d.Value !== f.Value)) return false;
        }
        return true;
      });
      const { page, NextToken } = pageOf(metrics, input.NextToken, 500);
      return { Metrics: page.map((m) => ({ Namespace: m.Namespace, MetricName: m.MetricName, Dimensions: m.Dimensions })), ...(NextToken ? { NextToken } : {}) };
    },

    async PutMetricAlarm(input, ctx) {
      await ensureArmed(ctx);
      const usesMetric = input.MetricName !== undefined || input.Namespace !== undefined;
      if (usesMetric && input.Metrics) throw invalidCombination("The parameters MetricName and Metrics are mutually exclusive.");
      if (!usesMetric && !input.Metrics) throw new AwsError("MissingRequiredParameterException", "Either MetricName or Metrics must be specified.", 400);
      if (usesMetric) {
        if (!input.MetricName || !input.Namespace) throw new AwsError("MissingRequiredParameterException", "MetricName and Namespace are required.", 400);
        if ((input.Statistic === undefined) === (input.ExtendedStatistic === undefined)) {
          throw invalidCombination("Exactly one of Statistic and ExtendedStatistic must be specified.");
        }
        if (input.ExtendedStatistic !== undefined && !validStat(input.ExtendedStatistic)) throw invalidValue(`The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is not supported.`);
        if (input.Period === undefined) throw new AwsError("MissingRequiredParameterException", "Period must not be null", 400);
        if (input.Period < 10 || (input.Period >= 60 && input.Period % 60 !== 0) || (input.Period < 60 && ![10, 20, 30].includes(input.Period))) {
          throw invalidValue("Period must be 10, 20, 30 or a multiple of 60.");
        }
      }
      if (input.EvaluationPeriods === undefined) throw new AwsError("MissingRequiredParameterException", "EvaluationPeriods must not be null", 400);
      if (input.DatapointsToAlarm !== undefined && input.DatapointsToAlarm > input.EvaluationPeriods) {
        throw invalidValue("DatapointsToAlarm must be less than or equal to EvaluationPeriods.");
      }
      if (input.Threshold === undefined && input.ThresholdMetricId === undefined) {
        throw new AwsError("MissingRequiredParameterException", "Threshold must not be null", 400);
      }
      const bandOperator = ["LessThanLowerOrGreaterThanUpperThreshold", "LessThanLowerThreshold", "GreaterThanUpperThreshold"].includes(input.ComparisonOperator ?? "");
      if (input.ThresholdMetricId !== undefined) {
        const band = input.Metrics?.find((m) => m.Id === input.ThresholdMetricId);
        if (!band?.Expression || !parseBand(band.Expression)) {
          throw invalidValue(`ThresholdMetricId ${input.ThresholdMetricId} must name an ANOMALY_DETECTION_BAND expression in Metrics.`);
        }
        if (!bandOperator) throw invalidValue("Alarms on an anomaly detection band must use LessThanLowerOrGreaterThanUpperThreshold, LessThanLowerThreshold or GreaterThanUpperThreshold.");
        if (input.Threshold !== undefined) throw invalidCombination("The parameters Threshold and ThresholdMetricId are mutually exclusive.");
      } else if (bandOperator) {
        throw invalidValue(`ComparisonOperator ${input.ComparisonOperator} needs ThresholdMetricId (an anomaly detection band).`);
      }
      checkActions(ctx, input.AlarmActions, "AlarmActions");
      checkActions(ctx, input.OKActions, "OKActions");
      checkActions(ctx, input.InsufficientDataActions, "InsufficientDataActions");
      const existing = (await ctx.store.get<StoredAlarm>(alarmKeys.alarm(input.AlarmName))).value;
      if (existing && existing.type !== "MetricAlarm") throw invalidValue(`The alarm ${input.AlarmName} is a composite alarm.`);
      const { Tags: _t, AlarmActions: _a, OKActions: _o, InsufficientDataActions: _i, AlarmName: _n, AlarmDescription: _d, ActionsEnabled: _e, ...config } = input;
      const alarm: StoredAlarm = { type: "MetricAlarm", ...newAlarmBase(ctx, input, existing), config };
      await ctx.store.set(alarmKeys.alarm(input.AlarmName), alarm);
      await recordConfigUpdate(ctx, alarm, !existing);
      arm(ctx, alarm);
      return {};
    },

    async PutCompositeAlarm(input, ctx) {
      const rule = parseRule(input.AlarmRule);
      const alarms = await allAlarms(ctx);
      for (const name of ruleAlarms(rule)) {
        if (!alarms.some((a) => a.AlarmName === name)) throw invalidValue(`Could not save the composite alarm as alarms [${name}] in the alarm rule do not exist`);
        if (name === input.AlarmName) throw invalidValue("A composite alarm cannot refer to itself.");
      }
      checkActions(ctx, input.AlarmActions, "AlarmActions");
      const existing = alarms.find((a) => a.AlarmName === input.AlarmName) ?? null;
      if (existing && existing.type !== "CompositeAlarm") throw invalidValue(`The alarm ${input.AlarmName} is a metric alarm.`);
      const alarm: StoredAlarm = { type: "CompositeAlarm", ...newAlarmBase(ctx, input, existing), AlarmRule: input.AlarmRule };
      await ctx.store.set(alarmKeys.alarm(input.AlarmName), alarm);
      await recordConfigUpdate(ctx, alarm, !existing);
      await evaluateComposites(ctx);
      return {};
    },

    async DescribeAlarms(input, ctx) {
      await ensureArmed(ctx);
      if (input.AlarmNames && input.AlarmNamePrefix !== undefined) throw invalidCombination("The parameters AlarmNames and AlarmNamePrefix are mutually exclusive.");
      let alarms = (await allAlarms(ctx)).filter((a) =>
        (!input.AlarmNames || input.AlarmNames.includes(a.AlarmName)) &&
        (input.AlarmNamePrefix === undefined || a.AlarmName.startsWith(input.AlarmNamePrefix)) &&
        (input.StateValue === undefined || a.StateValue === input.StateValue) &&
        (input.ActionPrefix === undefined || [...a.AlarmActions, ...a.OKActions, ...a.InsufficientDataActions].some((x) => x.startsWith(input.ActionPrefix!))));
      if (input.ChildrenOfAlarmName !== undefined) {
        const parent = alarms.find((a) => a.AlarmName === input.ChildrenOfAlarmName && a.type === "CompositeAlarm");
        const children = new Set(parent ? ruleAlarms(parseRule(parent.AlarmRule!)) : []);
        alarms = (await allAlarms(ctx)).filter((a) => children.has(a.AlarmName));
      }
      if (input.ParentsOfAlarmName !== undefined) {
        alarms = alarms.filter((a) => a.type === "CompositeAlarm" && ruleAlarms(parseRule(a.AlarmRule!)).includes(input.ParentsOfAlarmName!));
      }
      const types = input.AlarmTypes ?? ["MetricAlarm"];
      const { page, NextToken } = pageOf(alarms, input.NextToken, input.MaxRecords ?? 50);
      return {
        MetricAlarms: types.includes("MetricAlarm") ? page.filter((a) => a.type === "MetricAlarm").map(describeMetricAlarm) : [],
        CompositeAlarms: types.includes("CompositeAlarm") ? page.filter((a) => a.type === "CompositeAlarm").map(describeCompositeAlarm) : [],
        ...(NextToken ? { NextToken } : {}),
      };
    },

    async DescribeAlarmsForMetric(input, ctx) {
      const dims = dimensionKey(input.Dimensions);
      const alarms = (await allAlarms(ctx)).filter((a) => a.type === "MetricAlarm" && a.config?.MetricName === input.MetricName &&
        a.config?.Namespace === input.Namespace && (input.Dimensions === undefined || dimensionKey(a.config?.Dimensions) === dims) &&
        (input.Statistic === undefined || a.config?.Statistic === input.Statistic) && (input.Period === undefined || a.config?.Period === input.Period));
      return { MetricAlarms: alarms.map(describeMetricAlarm) };
    },

    async DeleteAlarms(input, ctx) {
      const alarms = await allAlarms(ctx);
      for (const name of input.AlarmNames) {
        if (!alarms.some((a) => a.AlarmName === name)) throw resourceNotFound(`The alarm ${name} does not exist.`);
      }
      for (const parent of alarms.filter((a) => a.type === "CompositeAlarm" && !input.AlarmNames.includes(a.AlarmName))) {
        const used = ruleAlarms(parseRule(parent.AlarmRule!)).find((n) => input.AlarmNames.includes(n));
        if (used) throw invalidValue(`Cannot delete alarm ${used}: it is referenced by composite alarm ${parent.AlarmName}.`);
      }
      let op = ctx.store.atomic();
      for (const name of input.AlarmNames) op = op.delete(alarmKeys.alarm(name));
      await op.commit();
      return {};
    },

    async SetAlarmState(input, ctx) {
      const alarm = (await ctx.store.get<StoredAlarm>(alarmKeys.alarm(input.AlarmName))).value;
      if (!alarm) throw resourceNotFound(`Alarm ${input.AlarmName} not found`);
      if (input.StateReasonData !== undefined) {
        try {
          JSON.parse(input.StateReasonData);
        } catch {
          throw new AwsError("InvalidFormatFault", "StateReasonData is not valid JSON.", 400);
        }
      }
      if (alarm.StateValue !== input.StateValue) await transition(ctx, alarm, input.StateValue, input.StateReason, input.StateReasonData);
      return {};
    },

    async DescribeAlarmHistory(input, ctx) {
      const start = input.StartDate !== undefined ? new Date(input.StartDate as Date).getTime() : -Infinity;
      const end = input.EndDate !== undefined ? new Date(input.EndDate as Date).getTime() : Infinity;
      const items: HistoryItem[] = [];
      for await (const entry of ctx.store.list<HistoryItem>({ prefix: alarmKeys.histories() })) {
        const h = entry.value;
        if (input.AlarmName !== undefined && h.AlarmName !== input.AlarmName) continue;
        if (input.HistoryItemType !== undefined && h.HistoryItemType !== input.HistoryItemType) continue;
        if (input.AlarmTypes && !input.AlarmTypes.includes(h.AlarmType)) continue;
        if (h.Timestamp < start || h.Timestamp > end) continue;
        items.push(h);
      }
      items.sort((a, b) => ((input.ScanBy ?? "TimestampDescending") === "TimestampDescending" ? b.Timestamp - a.Timestamp : a.Timestamp - b.Timestamp));
      const { page, NextToken } = pageOf(items, input.NextToken, input.MaxRecords ?? 50);
      return { AlarmHistoryItems: page.map((h) => ({ ...h, Timestamp: new Date(h.Timestamp) })), ...(NextToken ? { NextToken } : {}) };
    },

    async EnableAlarmActions(input, ctx) {
      for (const name of input.AlarmNames) {
        const alarm = (await ctx.store.get<StoredAlarm>(alarmKeys.alarm(name))).value;
        if (alarm) await ctx.store.set(alarmKeys.alarm(name), { ...alarm, ActionsEnabled: true });
      }
      return {};
    },

    async DisableAlarmActions(input, ctx) {
      for (const name of input.AlarmNames) {
        const alarm = (await ctx.store.get<StoredAlarm>(alarmKeys.alarm(name))).value;
        if (alarm) await ctx.store.set(alarmKeys.alarm(name), { ...alarm, ActionsEnabled: false });
      }
      return {};
    },

    async PutDashboard(input, ctx) {
      let body: unknown;
      try {
        body = JSON.parse(input.DashboardBody);
      } catch {
        throw new AwsError("DashboardInvalidInputError", "The field DashboardBody must be a valid JSON object", 400, {
          fields: { dashboardValidationMessages: [{ DataPath: "", Message: "Should be an object" }] },
        });
      }
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new AwsError("DashboardInvalidInputError", "The field DashboardBody must be a valid JSON object", 400);
      }
      await ctx.store.set(["dashboard", input.DashboardName], { body: input.DashboardBody, modified: ctx.clock.now() });
      return { DashboardValidationMessages: [] };
    },

    async GetDashboard(input, ctx) {
      const d = (await ctx.store.get<{ body: string; modified: number }>(["dashboard", input.DashboardName])).value;
      if (!d) throw new AwsError("DashboardNotFoundError", "Dashboard " + input.DashboardName + " does not exist", 404, { queryCode: "ResourceNotFound" });
      return { DashboardArn: `arn:${partition(ctx.region)}:cloudwatch::${ctx.accountId}:dashboard/${input.DashboardName}`, DashboardBody: d.body, DashboardName: input.DashboardName };
    },

    async ListDashboards(input, ctx) {
      const out = [];
      for await (const entry of ctx.store.list<{ body: string; modified: number }>({ prefix: ["dashboard"] })) {
        const name = entry.key[1] as string;
        if (input.DashboardNamePrefix !== undefined && !name.startsWith(input.DashboardNamePrefix)) continue;
        out.push({ DashboardName: name, DashboardArn: `arn:${partition(ctx.region)}:cloudwatch::${ctx.accountId}:dashboard/${name}`, LastModified: new Date(entry.value.modified), Size: new TextEncoder().encode(entry.value.body).byteLength });
      }
      const { page, NextToken } = pageOf(out, input.NextToken, 1000);
      return { DashboardEntries: page, ...(NextToken ? { NextToken } : {}) };
    },

    async DeleteDashboards(input, ctx) {
      for (const name of input.DashboardNames) {
        if (!(await ctx.store.get(["dashboard", name])).value) {
          throw new AwsError("DashboardNotFoundError", `Dashboard ${name} does not exist`, 404, { queryCode: "ResourceNotFound" });
        }
      }
      for (const name of input.DashboardNames) await ctx.store.delete(["dashboard", name]);
      return {};
    },

    async TagResource(input, ctx) {
      const { key, value } = await taggable(ctx, input.ResourceARN);
      await ctx.store.set(key, { ...value, tags: mergeTags(value.tags, input.Tags) });
      return {};
    },

    async UntagResource(input, ctx) {
      const { key, value } = await taggable(ctx, input.ResourceARN);
      await ctx.store.set(key, { ...value, tags: value.tags.filter((t) => !input.TagKeys.includes(t.Key)) });
      return {};
    },

    async ListTagsForResource(input, ctx) {
      const { value } = await taggable(ctx, input.ResourceARN);
      return { Tags: value.tags };
    },

    async PutMetricStream(input, ctx) {
      const now = ctx.clock.now();
      const key = ["metric-stream", input.Name];
      const existing = (await ctx.store.get<StoredStream>(key)).value;
      if (input.IncludeFilters?.length && input.ExcludeFilters?.length) throw invalidCombination("IncludeFilters and ExcludeFilters are mutually exclusive.");
      const stream: StoredStream = {
        Name: input.Name, Arn: `arn:${partition(ctx.region)}:cloudwatch:${ctx.region}:${ctx.accountId}:metric-stream/${input.Name}`,
        FirehoseArn: input.FirehoseArn, RoleArn: input.RoleArn, OutputFormat: input.OutputFormat, State: existing?.State ?? "running",
        CreationDate: existing?.CreationDate ?? now, LastUpdateDate: now,
        ...(input.IncludeFilters ? { IncludeFilters: input.IncludeFilters } : {}), ...(input.ExcludeFilters ? { ExcludeFilters: input.ExcludeFilters } : {}),
        ...(input.StatisticsConfigurations ? { StatisticsConfigurations: input.StatisticsConfigurations } : {}),
        ...(input.IncludeLinkedAccountsMetrics !== undefined ? { IncludeLinkedAccountsMetrics: input.IncludeLinkedAccountsMetrics } : {}),
        tags: existing ? mergeTags(existing.tags, input.Tags ?? []) : [...(input.Tags ?? [])],
      };
      await ctx.store.set(key, stream);
      return { Arn: stream.Arn };
    },

    async GetMetricStream(input, ctx) {
      const s = (await ctx.store.get<StoredStream>(["metric-stream", input.Name])).value;
      if (!s) throw resourceNotFound(`Metric stream ${input.Name} not found.`);
      const { tags: _tags, CreationDate, LastUpdateDate, ...rest } = s;
      return { ...rest, CreationDate: new Date(CreationDate), LastUpdateDate: new Date(LastUpdateDate) } as never;
    },

    async ListMetricStreams(input, ctx) {
      const out: StoredStream[] = [];
      for await (const entry of ctx.store.list<StoredStream>({ prefix: ["metric-stream"] })) out.push(entry.value);
      const { page, NextToken } = pageOf(out, input.NextToken, input.MaxResults ?? 100);
      return {
        Entries: page.map((s) => ({ Arn: s.Arn, CreationDate: new Date(s.CreationDate), LastUpdateDate: new Date(s.LastUpdateDate), Name: s.Name, FirehoseArn: s.FirehoseArn, State: s.State, OutputFormat: s.OutputFormat })) as never,
        ...(NextToken ? { NextToken } : {}),
      };
    },

    async DeleteMetricStream(input, ctx) {
      await ctx.store.delete(["metric-stream", input.Name]);
      return {};
    },

    async StartMetricStreams(input, ctx) {
      for (const name of input.Names) {
        const s = (await ctx.store.get<StoredStream>(["metric-stream", name])).value;
        if (s) await ctx.store.set(["metric-stream", name], { ...s, State: "running", LastUpdateDate: ctx.clock.now() });
      }
      return {};
    },

    async StopMetricStreams(input, ctx) {
      for (const name of input.Names) {
        const s = (await ctx.store.get<StoredStream>(["metric-stream", name])).value;
        if (s) await ctx.store.set(["metric-stream", name], { ...s, State: "stopped", LastUpdateDate: ctx.clock.now() });
      }
      return {};
    },
  },
});
