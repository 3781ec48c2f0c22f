/**
 * "CloudWatch Alarm State Change" events: every state change of an alarm goes to the account's
 * default EventBridge bus (source `aws.cloudwatch`), through `ctx.invoke("events", "PutEvents")`
 * after the change is stored, as S3 sends its object events. Delivery failures (no EventBridge
 * served) are dropped: the alarm's own state and actions do not depend on them.
 * Source: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch-and-eventbridge.html
 */
import type { RequestContext } from "../types.ts";
import type { MetricDataQuery, StateValue } from "../../generated/cloudwatch.ts";

/** What the event reads of a stored alarm (alarms.ts's StoredAlarm, which imports this module). */
interface StoredAlarm {
  type: "MetricAlarm" | "CompositeAlarm";
  AlarmName: string;
  AlarmArn: string;
  AlarmDescription?: string;
  StateValue: StateValue;
  StateReason: string;
  StateReasonData?: string;
  StateUpdatedTimestamp: number;
  AlarmRule?: string;
  config?: {
    Metrics?: MetricDataQuery[]; Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[];
    Period?: number; Statistic?: string; ExtendedStatistic?: string;
  };
}

/** CloudWatch's event timestamp: `2019-10-02T17:04:40.985+0000`. */
function eventTime(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}

function dimensionsMap(dims: { Name: string; Value: string }[] | undefined): Record<string, string> {
  return Object.fromEntries((dims ?? []).map((d) => [d.Name, d.Value]));
}

/** The event's `configuration`: the metrics (or the composite rule) the alarm watches. */
function configuration(alarm: StoredAlarm): Record<string, unknown> {
  const description = alarm.AlarmDescription !== undefined ? { description: alarm.AlarmDescription } : {};
  if (alarm.type === "CompositeAlarm") {
    return { ...description, alarmRule: alarm.AlarmRule, actionsSuppressor: null, actionsSuppressorWaitPeriod: null, actionsSuppressorExtensionPeriod: null };
  }
  const c = alarm.config ?? {};
  const queries = c.Metrics as MetricDataQuery[] | undefined;
  const metrics = queries
    ? queries.map((q) => ({
      id: q.Id,
      ...(q.MetricStat ? {
        metricStat: {
          metric: { namespace: q.MetricStat.Metric.Namespace, name: q.MetricStat.Metric.MetricName, dimensions: dimensionsMap(q.MetricStat.Metric.Dimensions) },
          period: q.MetricStat.Period, stat: q.MetricStat.Stat,
        },
      } : { expression: q.Expression }),
      ...(q.Label !== undefined ? { label: q.Label } : {}),
      returnData: q.ReturnData ?? true,
    }))
    : [{
      id: crypto.randomUUID(),
      metricStat: {
        metric: { namespace: c.Namespace, name: c.MetricName, dimensions: dimensionsMap(c.Dimensions) },
        period: c.Period, stat: c.Statistic ?? c.ExtendedStatistic,
      },
      returnData: true,
    }];
  return { ...description, metrics };
}

/** The PutEvents entry for one state change of `alarm` (already in its new state). */
export function stateChangeEntry(ctx: RequestContext, alarm: StoredAlarm, previous: { value: StateValue; reason: string; reasonData?: string; timestamp: number }) {
  const state = (value: StateValue, reason: string, reasonData: string | undefined, timestamp: number) => ({
    value, reason, ...(reasonData !== undefined ? { reasonData } : {}), timestamp: eventTime(timestamp),
  });
  return {
    Source: "aws.cloudwatch",
    DetailType: "CloudWatch Alarm State Change",
    Resources: [alarm.AlarmArn],
    Time: new Date(alarm.StateUpdatedTimestamp),
    Detail: JSON.stringify({
      alarmName: alarm.AlarmName,
      state: state(alarm.StateValue, alarm.StateReason, alarm.StateReasonData, alarm.StateUpdatedTimestamp),
      previousState: state(previous.value, previous.reason, previous.reasonData, previous.timestamp),
      configuration: configuration(alarm),
    }),
  };
}

/** Sends the state change to the default bus in the background; failures are dropped. */
export function emitStateChange(ctx: RequestContext, alarm: StoredAlarm, previous: Parameters<typeof stateChangeEntry>[2]): void {
  const entry = stateChangeEntry(ctx, alarm, previous);
  ctx.waitUntil(ctx.invoke("events", "PutEvents", { Entries: [entry] }).then(() => {}, () => {}));
}
