/**
 * `ANOMALY_DETECTION_BAND(m, k)`: the expected range of metric `m` as two series, lower and
 * upper. fetchstack's model is deterministic, not AWS's trained one: for each period t the
 * training values are the metric's values (same stat and period) in the 14 days before t, minus
 * the anomaly detector's `ExcludedTimeRanges` when one exists for that metric and stat; the band
 * is mean ± k × standard deviation of those values (k defaults to 2). With fewer than 3 training
 * values a period has no band (missing data, as while AWS trains).
 * Source: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Anomaly_Detection.html
 */
import type { RequestContext } from "../types.ts";
import type { MetricStat } from "../../generated/cloudwatch.ts";
import { aggregate, dimensionKey, statistic } from "./metrics.ts";
import type { Series } from "./metric-math.ts";

export const TRAINING_MS = 14 * 86_400_000;
const MIN_TRAINING_POINTS = 3;

/** `ANOMALY_DETECTION_BAND(id)` / `(id, k)`, or undefined for any other expression. */
export function parseBand(expression: string): { id: string; k: number } | undefined {
  const m = /^\s*ANOMALY_DETECTION_BAND\s*\(\s*([a-z][a-zA-Z0-9_]*)\s*(?:,\s*(\d+(?:\.\d+)?)\s*)?\)\s*$/i.exec(expression);
  return m ? { id: m[1]!, k: m[2] !== undefined ? Number(m[2]) : 2 } : undefined;
}

/** Lower and upper band series over [start, end) for the metric `stat` reads. */
export async function bandSeries(ctx: RequestContext, stat: MetricStat, k: number, start: number, end: number): Promise<{ lower: Series; upper: Series }> {
  const periodMs = stat.Period * 1000;
  const first = Math.floor(start / periodMs) * periodMs;
  const metric = { Namespace: stat.Metric.Namespace!, MetricName: stat.Metric.MetricName!, Dimensions: stat.Metric.Dimensions ?? [] };
  const buckets = await aggregate(ctx, metric, first - TRAINING_MS, end, periodMs, stat.Unit);
  const detector = (await ctx.store.get<{ Configuration?: { ExcludedTimeRanges?: { StartTime: unknown; EndTime: unknown }[] } }>(
    ["anomaly-detector", "single", metric.Namespace, metric.MetricName, dimensionKey(metric.Dimensions), stat.Stat],
  )).value;
  const excluded = (detector?.Configuration?.ExcludedTimeRanges ?? []).map((r) => [new Date(r.StartTime as Date).getTime(), new Date(r.EndTime as Date).getTime()] as const);
  const points = [...buckets.entries()]
    .map(([t, agg]) => [t, statistic(agg, stat.Stat)] as const)
    .filter((p): p is readonly [number, number] => p[1] !== undefined && !excluded.some(([a, b]) => p[0] >= a && p[0] < b))
    .sort((a, b) => a[0] - b[0]);
  const lower: Series = new Map();
  const upper: Series = new Map();
  for (let t = first; t < end; t += periodMs) {
    const training = points.filter(([at]) => at < t && at >= t - TRAINING_MS).map(([, v]) => v);
    if (training.length < MIN_TRAINING_POINTS) continue;
    const mean = training.reduce((a, b) => a + b, 0) / training.length;
    const sd = Math.sqrt(training.reduce((a, b) => a + (b - mean) ** 2, 0) / training.length);
    lower.set(t, mean - k * sd);
    upper.set(t, mean + k * sd);
  }
  return { lower, upper };
}
