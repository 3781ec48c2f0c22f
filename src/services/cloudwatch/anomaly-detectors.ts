/**
 * Anomaly detectors as state: PutAnomalyDetector, DescribeAnomalyDetectors,
 * DeleteAnomalyDetector. A detector is a single metric (namespace, name, dimensions, stat; the
 * legacy top-level members or `SingleMetricAnomalyDetector`) or a metric math expression; it is
 * stored under its identity, so putting the same one again replaces its configuration. No
 * model is trained: detectors stay `PENDING_TRAINING` and `ANOMALY_DETECTION_BAND` is not served.
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutAnomalyDetector.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_DescribeAnomalyDetectors.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type {
  AnomalyDetector, AnomalyDetectorConfiguration, Dimension, MetricCharacteristics, MetricDataQuery, Operations,
} from "../../generated/cloudwatch.ts";
import { AwsError } from "../../protocol/errors.ts";
import type { Key } from "../../store/types.ts";
import { pageOf } from "./paging.ts";
import { dimensionKey, invalidCombination, invalidValue, missingParameter, validStat } from "./metrics.ts";

interface StoredDetector {
  single?: { AccountId?: string; Namespace: string; MetricName: string; Dimensions: Dimension[]; Stat: string };
  math?: { MetricDataQueries: MetricDataQuery[] };
  Configuration?: AnomalyDetectorConfiguration;
  MetricCharacteristics?: MetricCharacteristics;
  createdAt: number;
}

const MAX_DETECTORS = 500;

interface DetectorInput {
  Namespace?: string;
  MetricName?: string;
  Dimensions?: Dimension[];
  Stat?: string;
  SingleMetricAnomalyDetector?: { AccountId?: string; Namespace?: string; MetricName?: string; Dimensions?: Dimension[]; Stat?: string };
  MetricMathAnomalyDetector?: { MetricDataQueries?: MetricDataQuery[] };
}

/** The detector an input names, and its store key; AWS's errors for an incomplete or mixed one. */
function identify(input: DetectorInput): { key: Key; single?: StoredDetector["single"]; math?: StoredDetector["math"] } {
  const legacy = input.Namespace !== undefined || input.MetricName !== undefined || input.Dimensions !== undefined || input.Stat !== undefined;
  const kinds = [legacy, input.SingleMetricAnomalyDetector !== undefined, input.MetricMathAnomalyDetector !== undefined].filter(Boolean).length;
  if (kinds > 1) {
    throw invalidCombination("SingleMetricAnomalyDetector, MetricMathAnomalyDetector and the top-level metric parameters are mutually exclusive.");
  }
  if (input.MetricMathAnomalyDetector) {
    const queries = input.MetricMathAnomalyDetector.MetricDataQueries ?? [];
    if (queries.length === 0) throw missingParameter("The parameter MetricMathAnomalyDetector.MetricDataQueries is required.");
    const returned = queries.filter((q) => q.ReturnData !== false);
    if (returned.length !== 1) throw invalidValue("Exactly one element of MetricDataQueries must have ReturnData set to true.");
    for (const q of queries) {
      if ((q.Expression === undefined) === (q.MetricStat === undefined)) {
        throw invalidValue(`Exactly one of Expression and MetricStat must be specified in MetricDataQuery ${q.Id}.`);
      }
    }
    return { key: ["anomaly-detector", "math", JSON.stringify(queries)], math: { MetricDataQueries: queries } };
  }
  const s = input.SingleMetricAnomalyDetector ?? input;
  for (const member of ["Namespace", "MetricName", "Stat"] as const) {
    if (s[member] === undefined) throw missingParameter(`The parameter ${member} is required.`);
  }
  if (!validStat(s.Stat!)) throw invalidValue(`The value ${s.Stat} for parameter Stat is not supported.`);
  const single = {
    ...(input.SingleMetricAnomalyDetector?.AccountId ? { AccountId: input.SingleMetricAnomalyDetector.AccountId } : {}),
    Namespace: s.Namespace!, MetricName: s.MetricName!, Dimensions: s.Dimensions ?? [], Stat: s.Stat!,
  };
  return { key: ["anomaly-detector", "single", single.Namespace, single.MetricName, dimensionKey(single.Dimensions), single.Stat], single };
}

function describe(d: StoredDetector): AnomalyDetector {
  const common = {
    ...(d.Configuration ? { Configuration: d.Configuration } : {}),
    ...(d.MetricCharacteristics ? { MetricCharacteristics: d.MetricCharacteristics } : {}),
    StateValue: "PENDING_TRAINING" as const,
  };
  if (d.math) return { ...common, MetricMathAnomalyDetector: d.math };
  const s = d.single!;
  return {
    Namespace: s.Namespace, MetricName: s.MetricName, Dimensions: s.Dimensions, Stat: s.Stat,
    ...common,
    SingleMetricAnomalyDetector: s,
  };
}

function checkConfiguration(config: AnomalyDetectorConfiguration | undefined): void {
  for (const range of config?.ExcludedTimeRanges ?? []) {
    if (new Date(range.StartTime).getTime() >= new Date(range.EndTime).getTime()) {
      throw invalidValue("The start time of an excluded time range must be before its end time.");
    }
  }
}

async function all(ctx: RequestContext): Promise<StoredDetector[]> {
  const out: StoredDetector[] = [];
  for await (const entry of ctx.store.list<StoredDetector>({ prefix: ["anomaly-detector"] })) out.push(entry.value);
  // Key order: metric math detectors, then single metrics by namespace, name, dimensions, stat.
  return out;
}

function sameDimensions(a: Dimension[], b: Dimension[]): boolean {
  return dimensionKey(a) === dimensionKey(b);
}

export const anomalyDetectorHandlers: Handlers<Operations> = {
  async PutAnomalyDetector(input, ctx) {
    const { key, single, math } = identify(input);
    checkConfiguration(input.Configuration);
    const existing = (await ctx.store.get<StoredDetector>(key)).value;
    if (!existing && (await all(ctx)).length >= MAX_DETECTORS) {
      throw new AwsError("LimitExceededException", `The maximum number of anomaly detectors (${MAX_DETECTORS}) has been reached.`, 400);
    }
    await ctx.store.set(key, {
      ...(single ? { single } : {}), ...(math ? { math } : {}),
      ...(input.Configuration ? { Configuration: input.Configuration } : {}),
      ...(input.MetricCharacteristics ? { MetricCharacteristics: input.MetricCharacteristics } : {}),
      createdAt: existing?.createdAt ?? ctx.clock.now(),
    } satisfies StoredDetector);
    return {};
  },

  async DescribeAnomalyDetectors(input, ctx) {
    const types = input.AnomalyDetectorTypes ?? ["SINGLE_METRIC", "METRIC_MATH"];
    const filtered = (await all(ctx)).filter((d) => {
      if (d.math) return types.includes("METRIC_MATH") && input.Namespace === undefined && input.MetricName === undefined && input.Dimensions === undefined;
      const s = d.single!;
      return types.includes("SINGLE_METRIC") &&
        (input.Namespace === undefined || input.Namespace === s.Namespace) &&
        (input.MetricName === undefined || input.MetricName === s.MetricName) &&
        (input.Dimensions === undefined || sameDimensions(input.Dimensions, s.Dimensions));
    });
    const { page, NextToken } = pageOf(filtered, input.NextToken, input.MaxResults ?? 100);
    return { AnomalyDetectors: page.map(describe), ...(NextToken ? { NextToken } : {}) };
  },

  async DeleteAnomalyDetector(input, ctx) {
    const { key } = identify(input);
    if (!(await ctx.store.get(key)).value) {
      throw new AwsError("ResourceNotFoundException", "No anomaly detector found for the given metric.", 404);
    }
    await ctx.store.delete(key);
    return {};
  },
};
