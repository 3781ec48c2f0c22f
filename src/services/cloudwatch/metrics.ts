/**
 * Metrics: PutMetricData with AWS's validation, datapoints by metric and time, statistics per
 * period (SampleCount, Average, Sum, Minimum, Maximum, percentiles pNN), ListMetrics.
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricStatistics.html
 */
import type { RequestContext } from "../types.ts";
import type { Dimension, MetricDatum, StandardUnit } from "../../generated/cloudwatch.ts";
import { AwsError } from "../../protocol/errors.ts";

export const invalidValue = (message: string) => new AwsError("InvalidParameterValueException", message, 400, { queryCode: "InvalidParameterValue" });
export const invalidCombination = (message: string) => new AwsError("InvalidParameterCombinationException", message, 400, { queryCode: "InvalidParameterCombination" });
export const missingParameter = (message: string) => new AwsError("MissingRequiredParameterException", message, 400, { queryCode: "MissingParameter" });

/** One stored datapoint: raw values with their counts, or a statistic set. */
export interface StoredDatum {
  /** values and how often each occurred */
  v?: number[];
  c?: number[];
  s?: { n: number; sum: number; min: number; max: number };
  u?: StandardUnit;
}

export interface MetricId {
  Namespace: string;
  MetricName: string;
  Dimensions: Dimension[];
}

export interface StoredMetric extends MetricId {
  /** last PutMetricData time, ms */
  last: number;
}

const MAX_DIMENSIONS = 30;
const MAX_VALUES = 150;
const PAST_MS = 14 * 86_400_000;
const FUTURE_MS = 2 * 3_600_000;

/** Dimensions in canonical order, as one key part. */
export function dimensionKey(dimensions: readonly Dimension[] = []): string {
  return [...dimensions].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0)).map((d) => `${d.Name}=${d.Value}`).join("\u0000");
}

export const metricKeys = {
  metric: (ns: string, name: string, dims: string) => ["metric", ns, name, dims] as const,
  metrics: () => ["metric"] as const,
  datum: (ns: string, name: string, dims: string, at: number, seq: string) => ["datum", ns, name, dims, at, seq] as const,
  data: (ns: string, name: string, dims: string) => ["datum", ns, name, dims] as const,
};

function checkValue(value: number, path: string): void {
  if (!Number.isFinite(value)) throw invalidValue(`The value ${value} for parameter ${path} is invalid.`);
  if (value !== 0 && (Math.abs(value) > 2 ** 360 || Math.abs(value) < 2 ** -260)) {
    throw invalidValue(`The value ${value} for parameter ${path} is invalid.`);
  }
}

/** PutMetricData: validates every datum (AWS's messages), then stores them in one commit. */
export async function putMetricData(ctx: RequestContext, namespace: string, data: MetricDatum[]): Promise<void> {
  if (namespace.startsWith("AWS/")) throw invalidValue(`The value ${namespace} for parameter Namespace is invalid.`);
  if (data.length === 0) throw missingParameter("The parameter MetricData is required.");
  const now = ctx.clock.now();
  const op = ctx.store.atomic();
  data.forEach((datum, i) => {
    const path = `MetricData.member.${i + 1}`;
    const kinds = [datum.Value !== undefined, datum.StatisticValues !== undefined, datum.Values !== undefined].filter(Boolean).length;
    if (kinds > 1) {
      throw invalidCombination(`The parameters ${path}.Value, ${path}.StatisticValues and ${path}.Values are mutually exclusive and you have specified more than one.`);
    }
    if ((datum.Dimensions?.length ?? 0) > MAX_DIMENSIONS) throw invalidValue(`The collection ${path}.Dimensions must not have a size greater than ${MAX_DIMENSIONS}.`);
    const at = datum.Timestamp !== undefined ? new Date(datum.Timestamp as Date).getTime() : now;
    if (at < now - PAST_MS) throw invalidValue(`The parameter ${path}.Timestamp must specify a time no more than two weeks in the past.`);
    if (at > now + FUTURE_MS) throw invalidValue(`The parameter ${path}.Timestamp must specify a time no more than two hours in the future.`);
    if (datum.StorageResolution !== undefined && datum.StorageResolution !== 1 && datum.StorageResolution !== 60) {
      throw invalidValue(`The value ${datum.StorageResolution} for parameter ${path}.StorageResolution is invalid.`);
    }
    let stored: StoredDatum;
    if (datum.StatisticValues) {
      const s = datum.StatisticValues;
      for (const [k, v] of Object.entries(s)) checkValue(v as number, `${path}.StatisticValues.${k}`);
      if (s.SampleCount <= 0) throw invalidValue(`The value ${s.SampleCount} for parameter ${path}.StatisticValues.SampleCount is invalid.`);
      if (s.Minimum > s.Maximum) throw invalidValue(`The parameter ${path}.StatisticValues.Maximum must be greater than ${path}.StatisticValues.Minimum.`);
      stored = { s: { n: s.SampleCount, sum: s.Sum, min: s.Minimum, max: s.Maximum } };
    } else if (datum.Values !== undefined) {
      if (datum.Values.length > MAX_VALUES) throw invalidValue(`The collection ${path}.Values must not have a size greater than ${MAX_VALUES}.`);
      if (datum.Counts !== undefined && datum.Counts.length !== datum.Values.length) {
        throw invalidValue(`The parameters ${path}.Values and ${path}.Counts must be of the same size.`);
      }
      datum.Values.forEach((v, j) => checkValue(v, `${path}.Values.member.${j + 1}`));
      stored = { v: [...datum.Values], c: datum.Counts ? [...datum.Counts] : datum.Values.map(() => 1) };
    } else {
      if (datum.Value === undefined) throw missingParameter(`At least one of the parameters ${path}.Value, ${path}.StatisticValues or ${path}.Values must be specified.`);
      checkValue(datum.Value, `${path}.Value`);
      stored = { v: [datum.Value], c: [1] };
    }
    if (datum.Unit) stored.u = datum.Unit;
    const dims = dimensionKey(datum.Dimensions);
    op.set(metricKeys.datum(namespace, datum.MetricName, dims, at, `${now}-${crypto.randomUUID()}`), stored);
    op.set(metricKeys.metric(namespace, datum.MetricName, dims), {
      Namespace: namespace, MetricName: datum.MetricName, Dimensions: [...(datum.Dimensions ?? [])], last: now,
    } satisfies StoredMetric);
  });
  await op.commit();
}

/** A period's aggregate: every sample (for percentiles) and the running statistics. */
export interface Aggregate {
  n: number;
  sum: number;
  min: number;
  max: number;
  samples: { value: number; count: number }[];
  unit?: StandardUnit;
}

/** Datapoints of one metric in [start, end), bucketed by `periodMs` from `start`. */
export async function aggregate(ctx: RequestContext, metric: MetricId, start: number, end: number, periodMs: number, unit?: string): Promise<Map<number, Aggregate>> {
  const dims = dimensionKey(metric.Dimensions);
  const prefix = metricKeys.data(metric.Namespace, metric.MetricName, dims);
  const buckets = new Map<number, Aggregate>();
  for await (const entry of ctx.store.list<StoredDatum>({ start: [...prefix, start], end: [...prefix, end] })) {
    const at = entry.key[4] as number;
    const datum = entry.value;
    if (unit !== undefined && (datum.u ?? "None") !== unit) continue;
    const bucket = start + Math.floor((at - start) / periodMs) * periodMs;
    let agg = buckets.get(bucket);
    if (!agg) buckets.set(bucket, (agg = { n: 0, sum: 0, min: Infinity, max: -Infinity, samples: [], ...(datum.u ? { unit: datum.u } : {}) }));
    if (datum.s) {
      agg.n += datum.s.n;
      agg.sum += datum.s.sum;
      agg.min = Math.min(agg.min, datum.s.min);
      agg.max = Math.max(agg.max, datum.s.max);
      agg.samples.push({ value: datum.s.sum / datum.s.n, count: datum.s.n });
    } else {
      datum.v!.forEach((value, i) => {
        const count = datum.c![i]!;
        agg!.n += count;
        agg!.sum += value * count;
        agg!.min = Math.min(agg!.min, value);
        agg!.max = Math.max(agg!.max, value);
        agg!.samples.push({ value, count });
      });
    }
  }
  return buckets;
}

/** One statistic of an aggregate: SampleCount, Average, Sum, Minimum, Maximum or pNN(.NN). */
export function statistic(agg: Aggregate, stat: string): number | undefined {
  switch (stat) {
    case "SampleCount": return agg.n;
    case "Sum": return agg.sum;
    case "Average": return agg.n === 0 ? undefined : agg.sum / agg.n;
    case "Minimum": return agg.min;
    case "Maximum": return agg.max;
  }
  const p = /^p(\d{1,2}(\.\d{1,10})?|100)$/.exec(stat);
  if (p) {
    const rank = (Number(p[1]) / 100) * agg.n;
    const sorted = [...agg.samples].sort((a, b) => a.value - b.value);
    let seen = 0;
    for (const s of sorted) {
      seen += s.count;
      if (seen >= rank) return s.value;
    }
    return sorted[sorted.length - 1]?.value;
  }
  return undefined;
}

/** Whether `stat` is one CloudWatch accepts in GetMetricData and alarms. */
export function validStat(stat: string): boolean {
  return ["SampleCount", "Sum", "Average", "Minimum", "Maximum"].includes(stat) || /^p(\d{1,2}(\.\d{1,10})?|100)$/.test(stat);
}

export async function listMetricIds(ctx: RequestContext): Promise<StoredMetric[]> {
  const out: StoredMetric[] = [];
  for await (const entry of ctx.store.list<StoredMetric>({ prefix: metricKeys.metrics() })) out.push(entry.value);
  return out;
}
