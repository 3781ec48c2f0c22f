/**
 * Reading metrics: GetMetricStatistics and GetMetricData (metric stats and math expressions).
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricData.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html
 */
import type { RequestContext } from "../types.ts";
import type { GetMetricDataInput, GetMetricStatisticsInput, MetricDataQuery } from "../../generated/cloudwatch.ts";
import { aggregate, invalidCombination, invalidValue, missingParameter, statistic, validStat, type MetricId } from "./metrics.ts";
import { evaluate, MetricMathError, parseExpression, references, type Series } from "./metric-math.ts";
import { bandSeries, parseBand } from "./anomaly-band.ts";

const MAX_STATISTICS_DATAPOINTS = 1440;

const ms = (t: unknown) => new Date(t as Date).getTime();

function checkPeriod(period: number, path: string): void {
  if (!(period === 1 || period === 5 || period === 10 || period === 20 || period === 30 || (period >= 60 && period % 60 === 0))) {
    throw invalidValue(`The parameter ${path} must be 1, 5, 10, 20, 30, or a multiple of 60.`);
  }
}

export async function getMetricStatistics(ctx: RequestContext, input: GetMetricStatisticsInput) {
  const start = ms(input.StartTime);
  const end = ms(input.EndTime);
  if (!(start < end)) throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
  checkPeriod(input.Period, "Period");
  const stats = input.Statistics ?? [];
  const extended = input.ExtendedStatistics ?? [];
  if (stats.length === 0 && extended.length === 0) throw missingParameter("Must specify either Statistics or ExtendedStatistics.");
  if (stats.length > 0 && extended.length > 0) throw invalidCombination("The parameters Statistics and ExtendedStatistics are mutually exclusive.");
  for (const e of extended) if (!/^p(\d{1,2}(\.\d{1,10})?|100)$/.test(e)) throw invalidValue(`The value ${e} for parameter ExtendedStatistics is not supported.`);
  const periodMs = input.Period * 1000;
  const points = Math.ceil((end - start) / periodMs);
  if (points > MAX_STATISTICS_DATAPOINTS) {
    throw invalidCombination(`You have requested up to ${points} datapoints, which exceeds the limit of ${MAX_STATISTICS_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`);
  }
  const metric: MetricId = { Namespace: input.Namespace, MetricName: input.MetricName, Dimensions: input.Dimensions ?? [] };
  const buckets = await aggregate(ctx, metric, start, end, periodMs, input.Unit);
  const datapoints = [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([t, agg]) => ({
    Timestamp: new Date(t),
    ...Object.fromEntries(stats.map((s) => [s, statistic(agg, s)])),
    Unit: agg.unit ?? input.Unit ?? "None",
    ...(extended.length ? { ExtendedStatistics: Object.fromEntries(extended.map((e) => [e, statistic(agg, e)!])) } : {}),
  }));
  return { Label: input.MetricName, Datapoints: datapoints };
}

export interface Result {
  Id: string;
  Label: string;
  series: Series;
  ReturnData: boolean;
  /** ANOMALY_DETECTION_BAND results: `series` is the upper bound, `lower` the lower one. */
  lower?: Series;
}

/** Evaluates metric data queries (stats first, then expressions in dependency order). */
export async function evaluateQueries(ctx: RequestContext, queries: MetricDataQuery[], start: number, end: number): Promise<Result[]> {
  const ids = new Set<string>();
  for (const q of queries) {
    if (!/^[a-z][a-zA-Z0-9_]*$/.test(q.Id)) throw invalidValue(`The value ${q.Id} for parameter MetricDataQueries.member.Id is invalid. Ids must start with a lowercase letter and contain only letters, numbers and underscore.`);
    if (ids.has(q.Id)) throw invalidValue(`The value ${q.Id} for parameter MetricDataQueries.member.Id is not unique.`);
    ids.add(q.Id);
    if ((q.MetricStat === undefined) === (q.Expression === undefined)) {
      throw invalidValue(`Exactly one of MetricStat and Expression must be specified for query ${q.Id}.`);
    }
  }
  const series = new Map<string, Series>();
  const results = new Map<string, Result>();
  const statPeriods: number[] = [];
  for (const q of queries) {
    if (!q.MetricStat) continue;
    const { Metric, Period, Stat, Unit } = q.MetricStat;
    checkPeriod(Period, `MetricDataQueries.member.MetricStat.Period`);
    if (!validStat(Stat)) throw invalidValue(`The value ${Stat} for parameter MetricDataQueries.member.MetricStat.Stat is invalid.`);
    if (!Metric.Namespace || !Metric.MetricName) throw missingParameter("The parameters Namespace and MetricName of MetricStat.Metric are required.");
    const periodMs = Period * 1000;
    statPeriods.push(periodMs);
    const alignedStart = Math.floor(start / periodMs) * periodMs;
    const buckets = await aggregate(ctx, { Namespace: Metric.Namespace, MetricName: Metric.MetricName, Dimensions: Metric.Dimensions ?? [] }, alignedStart, end, periodMs, Unit);
    const s: Series = new Map();
    for (const [t, agg] of [...buckets.entries()].sort((a, b) => a[0] - b[0])) {
      const v = statistic(agg, Stat);
      if (v !== undefined) s.set(t, v);
    }
    series.set(q.Id, s);
    results.set(q.Id, { Id: q.Id, Label: q.Label ?? Metric.MetricName, series: s, ReturnData: q.ReturnData ?? true });
  }
  for (const q of queries) {
    const band = q.Expression !== undefined ? parseBand(q.Expression) : undefined;
    if (!band) continue;
    const source = queries.find((x) => x.Id === band.id);
    if (!source?.MetricStat) throw invalidValue(`Error in expression ${q.Id}: ANOMALY_DETECTION_BAND needs the id of a MetricStat query, got ${band.id}.`);
    const { lower, upper } = await bandSeries(ctx, source.MetricStat, band.k, start, end);
    series.set(q.Id, upper);
    results.set(q.Id, { Id: q.Id, Label: q.Label ?? q.Id, series: upper, lower, ReturnData: q.ReturnData ?? true });
  }
  const pending = queries.filter((q) => q.Expression !== undefined && !results.has(q.Id));
  const all = [...series.entries()];
  const periodMs = Math.min(...statPeriods, 60_000);
  const times: number[] = [];
  for (let t = Math.floor(start / periodMs) * periodMs; t < end; t += periodMs) times.push(t);
  for (let guard = 0; pending.length > 0; guard++) {
    if (guard > queries.length) throw invalidValue("Circular dependency between metric math expressions.");
    for (let k = 0; k < pending.length; k++) {
      const q = pending[k]!;
      let node;
      try {
        node = parseExpression(q.Expression!);
      } catch (error) {
        if (error instanceof MetricMathError) throw invalidValue(error.message);
        throw error;
      }
      if (!references(node).every((id) => series.has(id))) continue;
      let value;
      try {
        value = evaluate(node, series, all, periodMs, times);
      } catch (error) {
        if (error instanceof MetricMathError) throw invalidValue(`Error in expression ${q.Id}: ${error.message}`);
        throw error;
      }
      let s: Series;
      if (typeof value === "number") s = new Map(times.map((t) => [t, value as number]));
      else if (Array.isArray(value)) {
        if (value.length !== 1) throw invalidValue(`Error in expression ${q.Id}: the expression must return a single time series.`);
        s = value[0]!;
      } else s = value;
      series.set(q.Id, s);
      results.set(q.Id, { Id: q.Id, Label: q.Label ?? q.Id, series: s, ReturnData: q.ReturnData ?? true });
      pending.splice(k--, 1);
    }
  }
  return queries.map((q) => results.get(q.Id)!);
}

export async function getMetricData(ctx: RequestContext, input: GetMetricDataInput) {
  const start = ms(input.StartTime);
  const end = ms(input.EndTime);
  if (!(start < end)) throw invalidValue("The parameter StartTime must be less than the parameter EndTime.");
  const results = await evaluateQueries(ctx, input.MetricDataQueries, start, end);
  const descending = (input.ScanBy ?? "TimestampDescending") === "TimestampDescending";
  return {
    MetricDataResults: results.filter((r) => r.ReturnData).flatMap((r) => {
      const one = (label: string, s: Series) => {
        const entries = [...s.entries()].filter(([, v]) => !Number.isNaN(v)).sort((a, b) => (descending ? b[0] - a[0] : a[0] - b[0]));
        return { Id: r.Id, Label: label, Timestamps: entries.map(([t]) => new Date(t)), Values: entries.map(([, v]) => v), StatusCode: "Complete" as const };
      };
      // A band answers two series under its id: the lower bound, then the upper.
      return r.lower ? [one(`${r.Label} Lower`, r.lower), one(`${r.Label} Upper`, r.series)] : [one(r.Label, r.series)];
    }),
    Messages: [],
  };
}
