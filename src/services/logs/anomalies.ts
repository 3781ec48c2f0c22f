/**
 * Log anomaly detectors and their anomalies.
 *
 * Create/Get/Update/Delete/ListLogAnomalyDetectors keep the detector; ListAnomalies computes its
 * anomalies from the stored events of its log groups (those matching its `filterPattern`), with
 * a documented, deterministic model in place of AWS's trained one: each message becomes a
 * pattern (whitespace-separated tokens; numbers, hex ids, UUIDs, IP addresses and timestamps are
 * dynamic `<*>` tokens). Patterns seen in the 14 days before the detector was created are the
 * baseline; a pattern first seen at or after creation is an anomaly, with first/last seen, a
 * histogram per evaluation period, up to 10 samples and its tokens (dynamic values counted as
 * enumerations). UpdateAnomaly suppresses an anomaly (or its whole pattern) for a period or for
 * ever, or moves its pattern into the baseline. A paused detector (`enabled: false`) reports
 * nothing new after it was paused.
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogAnomalyDetector.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_ListAnomalies.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_UpdateAnomaly.html
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { Handlers, RequestContext } from "../types.ts";
import type { Anomaly, AnomalyDetector, EvaluationFrequency, Operations, PatternToken } from "../../generated/logs.ts";
import { FilterPatternError, matches, parseFilterPattern, type FilterPattern } from "./filter-pattern.ts";
import { decodeToken, encodeToken, groupNameOf, invalidParameter, keys, limitExceeded, loadGroup, partitionOf, resourceNotFound, type StoredEvent } from "./state.ts";

interface StoredDetector {
  id: string;
  detectorName?: string;
  logGroupArnList: string[];
  evaluationFrequency: EvaluationFrequency;
  filterPattern?: string;
  kmsKeyId?: string;
  anomalyVisibilityTime: number;
  creationTimeStamp: number;
  lastModifiedTimeStamp: number;
  /** When the detector was paused, if it is. */
  pausedAt?: number;
  tags: Record<string, string>;
}

/** What UpdateAnomaly set for one anomaly or one pattern. */
interface StoredSuppression {
  suppressedDate?: number;
  /** undefined: for ever */
  suppressedUntil?: number;
  baseline?: boolean;
}

const FREQUENCY_MS: Record<EvaluationFrequency, number> = {
  ONE_MIN: 60_000, FIVE_MIN: 300_000, TEN_MIN: 600_000, FIFTEEN_MIN: 900_000, THIRTY_MIN: 1_800_000, ONE_HOUR: 3_600_000,
};
const BASELINE_MS = 14 * 86_400_000;
const MAX_DETECTORS = 500;
const MAX_SAMPLES = 10;

const detectorKey = (id: string) => ["anomaly-detector", id] as const;
const suppressionKey = (id: string, kind: "anomaly" | "pattern", value: string) => ["anomaly-suppression", id, kind, value] as const;

function detectorArn(ctx: RequestContext, id: string): string {
  return `arn:${partitionOf(ctx.region)}:logs:${ctx.region}:${ctx.accountId}:anomaly-detector:${id}`;
}

function idOf(arn: string): string {
  const m = /^arn:aws[a-z-]*:logs:[^:]*:\d{12}:anomaly-detector:([A-Za-z0-9-]+)$/.exec(arn);
  if (!m) throw invalidParameter(`Invalid anomaly detector ARN: ${arn}`);
  return m[1]!;
}

async function loadDetector(ctx: RequestContext, arn: string): Promise<StoredDetector> {
  const found = (await ctx.store.get<StoredDetector>(detectorKey(idOf(arn)))).value;
  if (!found) throw resourceNotFound("The specified anomaly detector does not exist.");
  return found;
}

function checkPattern(text: string | undefined): FilterPattern | undefined {
  if (text === undefined) return undefined;
  try {
    return parseFilterPattern(text);
  } catch (error) {
    if (error instanceof FilterPatternError) throw invalidParameter("Invalid filter pattern");
    throw error;
  }
}

function describeDetector(ctx: RequestContext, d: StoredDetector): AnomalyDetector {
  return {
    anomalyDetectorArn: detectorArn(ctx, d.id), ...(d.detectorName !== undefined ? { detectorName: d.detectorName } : {}),
    logGroupArnList: d.logGroupArnList, evaluationFrequency: d.evaluationFrequency,
    ...(d.filterPattern !== undefined ? { filterPattern: d.filterPattern } : {}),
    anomalyDetectorStatus: d.pausedAt !== undefined ? "PAUSED" : "ANALYZING", ...(d.kmsKeyId ? { kmsKeyId: d.kmsKeyId } : {}),
    creationTimeStamp: d.creationTimeStamp, lastModifiedTimeStamp: d.lastModifiedTimeStamp, anomalyVisibilityTime: d.anomalyVisibilityTime,
  };
}

const DYNAMIC = /^(-?\d+(\.\d+)?[a-z%]*|0x[0-9a-f]+|[0-9a-f]{8,}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{1,3}(\.\d{1,3}){3}(:\d+)?|\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?|\d{2}:\d{2}:\d{2}(\.\d+)?)[,;.]?$/i;

/** A message's pattern: its tokens with the dynamic ones marked. */
export function patternOf(message: string): { tokens: { text: string; dynamic: boolean }[]; pattern: string } {
  const tokens = message.trim().split(/\s+/).filter(Boolean).map((text) => ({ text, dynamic: DYNAMIC.test(text) }));
  return { tokens, pattern: tokens.map((t) => (t.dynamic ? "<*>" : t.text)).join(" ") };
}

const hash = (text: string) => bytesToHex(sha256(new TextEncoder().encode(text)));

function uuidOf(text: string): string {
  const h = hash(text);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

interface Found {
  pattern: string;
  firstSeen: number;
  lastSeen: number;
  histogram: Map<number, number>;
  samples: { timestamp: number; message: string }[];
  positions: Map<number, Map<string, number>>;
  tokens: { text: string; dynamic: boolean }[];
}

/** The detector's anomalies at the emulator's now, before suppression. */
async function detect(ctx: RequestContext, d: StoredDetector): Promise<Found[]> {
  const filter = checkPattern(d.filterPattern);
  const now = ctx.clock.now();
  const until = d.pausedAt ?? Infinity;
  const frequency = FREQUENCY_MS[d.evaluationFrequency];
  const baseline = new Set<string>();
  const found = new Map<string, Found>();
  const events: { timestamp: number; message: string }[] = [];
  for (const arn of d.logGroupArnList) {
    const group = groupNameOf({ logGroupIdentifier: arn });
    for await (const entry of ctx.store.list<StoredEvent>({ prefix: keys.groupEvents(group) })) {
      const timestamp = entry.key[3] as number;
      if (timestamp < d.creationTimeStamp - BASELINE_MS || timestamp > until) continue;
      if (filter && !matches(filter, entry.value.m)) continue;
      events.push({ timestamp, message: entry.value.m });
    }
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  for (const e of events) {
    const { tokens, pattern } = patternOf(e.message);
    if (e.timestamp < d.creationTimeStamp) {
      baseline.add(pattern);
      continue;
    }
    if (baseline.has(pattern)) continue;
    let f = found.get(pattern);
    if (!f) found.set(pattern, (f = { pattern, firstSeen: e.timestamp, lastSeen: e.timestamp, histogram: new Map(), samples: [], positions: new Map(), tokens }));
    f.lastSeen = e.timestamp;
    const bucket = Math.floor(e.timestamp / frequency) * frequency;
    f.histogram.set(bucket, (f.histogram.get(bucket) ?? 0) + 1);
    if (f.samples.length < MAX_SAMPLES) f.samples.push(e);
    tokens.forEach((t, i) => {
      if (!t.dynamic) return;
      const counts = f!.positions.get(i) ?? new Map<string, number>();
      counts.set(t.text, (counts.get(t.text) ?? 0) + 1);
      f!.positions.set(i, counts);
    });
  }
  return [...found.values()];
}

function toAnomaly(ctx: RequestContext, d: StoredDetector, f: Found, suppression: StoredSuppression | undefined, now: number): Anomaly {
  const patternId = hash(f.pattern).slice(0, 32);
  let dynamicIndex = 0;
  const patternTokens: PatternToken[] = f.tokens.map((t, i) => t.dynamic
    ? { dynamicTokenPosition: ++dynamicIndex, isDynamic: true, tokenString: "<*>", enumerations: Object.fromEntries(f.positions.get(i) ?? []) }
    : { isDynamic: false, tokenString: t.text });
  const suppressed = suppression !== undefined && !suppression.baseline && (suppression.suppressedUntil === undefined || suppression.suppressedUntil > now);
  return {
    anomalyId: uuidOf(`${d.id}/${f.pattern}`), patternId, anomalyDetectorArn: detectorArn(ctx, d.id), patternString: f.pattern,
    patternRegex: f.tokens.map((t) => (t.dynamic ? "\\S+" : t.text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))).join("\\s+"),
    priority: "MEDIUM", firstSeen: f.firstSeen, lastSeen: f.lastSeen,
    description: `Previously unseen log pattern: ${f.pattern}`.slice(0, 1000),
    active: f.lastSeen >= now - FREQUENCY_MS[d.evaluationFrequency], state: suppression?.baseline ? "Baseline" : suppressed ? "Suppressed" : "Active",
    histogram: Object.fromEntries([...f.histogram].map(([t, n]) => [String(t), n])),
    logSamples: f.samples.map((s) => ({ timestamp: s.timestamp, message: s.message })), patternTokens, logGroupArnList: d.logGroupArnList,
    suppressed, ...(suppressed && suppression?.suppressedDate !== undefined ? { suppressedDate: suppression.suppressedDate } : {}),
    ...(suppressed && suppression?.suppressedUntil !== undefined ? { suppressedUntil: suppression.suppressedUntil } : {}),
  };
}

async function anomaliesOf(ctx: RequestContext, d: StoredDetector): Promise<Anomaly[]> {
  const now = ctx.clock.now();
  const out: Anomaly[] = [];
  for (const f of await detect(ctx, d)) {
    const anomalyId = uuidOf(`${d.id}/${f.pattern}`);
    const patternId = hash(f.pattern).slice(0, 32);
    const bySelf = (await ctx.store.get<StoredSuppression>(suppressionKey(d.id, "anomaly", anomalyId))).value ?? undefined;
    const byPattern = (await ctx.store.get<StoredSuppression>(suppressionKey(d.id, "pattern", patternId))).value ?? undefined;
    // A baseline wins, then a suppression still in force, whichever level set it.
    const chosen = [bySelf, byPattern].find((s) => s?.baseline)
      ?? [bySelf, byPattern].find((s) => s && (s.suppressedUntil === undefined || s.suppressedUntil > now))
      ?? bySelf ?? byPattern;
    const anomaly = toAnomaly(ctx, d, f, chosen, now);
    if (chosen && chosen === byPattern) anomaly.isPatternLevelSuppression = true;
    if (f.lastSeen < now - d.anomalyVisibilityTime * 86_400_000) continue;
    out.push(anomaly);
  }
  return out.sort((a, b) => a.firstSeen - b.firstSeen || (a.anomalyId < b.anomalyId ? -1 : 1));
}

export const anomalyHandlers: Handlers<Operations> = {
  async CreateLogAnomalyDetector(input, ctx) {
    for (const arn of input.logGroupArnList) await loadGroup(ctx, groupNameOf({ logGroupIdentifier: arn }));
    checkPattern(input.filterPattern);
    const visibility = input.anomalyVisibilityTime ?? 21;
    if (visibility < 7 || visibility > 90) throw invalidParameter("anomalyVisibilityTime must be from 7 to 90 days.");
    let count = 0;
    for await (const _ of ctx.store.list({ prefix: ["anomaly-detector"] })) count++;
    if (count >= MAX_DETECTORS) throw limitExceeded("Resource limit exceeded.");
    const id = crypto.randomUUID();
    const now = ctx.clock.now();
    await ctx.store.set(detectorKey(id), {
      id, ...(input.detectorName !== undefined ? { detectorName: input.detectorName } : {}), logGroupArnList: input.logGroupArnList,
      evaluationFrequency: input.evaluationFrequency ?? "FIVE_MIN", ...(input.filterPattern !== undefined ? { filterPattern: input.filterPattern } : {}),
      ...(input.kmsKeyId ? { kmsKeyId: input.kmsKeyId } : {}), anomalyVisibilityTime: visibility, creationTimeStamp: now, lastModifiedTimeStamp: now,
      tags: { ...(input.tags ?? {}) },
    } satisfies StoredDetector);
    return { anomalyDetectorArn: detectorArn(ctx, id) };
  },

  async GetLogAnomalyDetector(input, ctx) {
    const { anomalyDetectorArn: _arn, ...rest } = describeDetector(ctx, await loadDetector(ctx, input.anomalyDetectorArn));
    return rest;
  },

  async UpdateLogAnomalyDetector(input, ctx) {
    const d = await loadDetector(ctx, input.anomalyDetectorArn);
    checkPattern(input.filterPattern);
    if (input.anomalyVisibilityTime !== undefined && (input.anomalyVisibilityTime < 7 || input.anomalyVisibilityTime > 90)) {
      throw invalidParameter("anomalyVisibilityTime must be from 7 to 90 days.");
    }
    const now = ctx.clock.now();
    const { pausedAt: _p, ...rest } = d;
    await ctx.store.set(detectorKey(d.id), {
      ...rest, ...(input.evaluationFrequency ? { evaluationFrequency: input.evaluationFrequency } : {}),
      ...(input.filterPattern !== undefined ? { filterPattern: input.filterPattern } : {}),
      ...(input.anomalyVisibilityTime !== undefined ? { anomalyVisibilityTime: input.anomalyVisibilityTime } : {}),
      ...(input.enabled ? {} : { pausedAt: d.pausedAt ?? now }), lastModifiedTimeStamp: now,
    } satisfies StoredDetector);
    return {};
  },

  async DeleteLogAnomalyDetector(input, ctx) {
    const d = await loadDetector(ctx, input.anomalyDetectorArn);
    await ctx.store.delete(detectorKey(d.id));
    for await (const entry of ctx.store.list({ prefix: ["anomaly-suppression", d.id] })) await ctx.store.delete(entry.key);
    return {};
  },

  async ListLogAnomalyDetectors(input, ctx) {
    const all: StoredDetector[] = [];
    const filter = input.filterLogGroupArn !== undefined ? groupNameOf({ logGroupIdentifier: input.filterLogGroupArn }) : undefined;
    for await (const entry of ctx.store.list<StoredDetector>({ prefix: ["anomaly-detector"] })) {
      if (filter === undefined || entry.value.logGroupArnList.some((arn) => groupNameOf({ logGroupIdentifier: arn }) === filter)) all.push(entry.value);
    }
    const start = input.nextToken !== undefined ? decodeToken<number>(input.nextToken) : 0;
    const limit = input.limit ?? 50;
    return {
      anomalyDetectors: all.slice(start, start + limit).map((d) => describeDetector(ctx, d)),
      ...(start + limit < all.length ? { nextToken: encodeToken(start + limit) } : {}),
    };
  },

  async ListAnomalies(input, ctx) {
    const detectors: StoredDetector[] = [];
    if (input.anomalyDetectorArn !== undefined) detectors.push(await loadDetector(ctx, input.anomalyDetectorArn));
    else for await (const entry of ctx.store.list<StoredDetector>({ prefix: ["anomaly-detector"] })) detectors.push(entry.value);
    let all: Anomaly[] = [];
    for (const d of detectors) all.push(...await anomaliesOf(ctx, d));
    if (input.suppressionState !== undefined) all = all.filter((a) => a.suppressed === (input.suppressionState === "SUPPRESSED"));
    const start = input.nextToken !== undefined ? decodeToken<number>(input.nextToken) : 0;
    const limit = input.limit ?? 50;
    return { anomalies: all.slice(start, start + limit), ...(start + limit < all.length ? { nextToken: encodeToken(start + limit) } : {}) };
  },

  async UpdateAnomaly(input, ctx) {
    const d = await loadDetector(ctx, input.anomalyDetectorArn);
    if ((input.anomalyId === undefined) === (input.patternId === undefined)) throw invalidParameter("Specify exactly one of anomalyId and patternId.");
    if (input.suppressionType === undefined && input.baseline === undefined) throw invalidParameter("Specify suppressionType or baseline.");
    const anomalies = await anomaliesOf(ctx, d);
    const target = input.anomalyId !== undefined ? anomalies.find((a) => a.anomalyId === input.anomalyId) : anomalies.find((a) => a.patternId === input.patternId);
    if (!target) throw resourceNotFound(`The specified ${input.anomalyId !== undefined ? "anomaly" : "pattern"} does not exist.`);
    const now = ctx.clock.now();
    let suppression: StoredSuppression = {};
    if (input.baseline) suppression = { baseline: true };
    else if (input.suppressionType === "INFINITE") suppression = { suppressedDate: now };
    else if (input.suppressionType === "LIMITED") {
      const p = input.suppressionPeriod;
      if (!p?.value || p.value < 1) throw invalidParameter("A LIMITED suppression needs suppressionPeriod with a positive value.");
      const unit = { SECONDS: 1_000, MINUTES: 60_000, HOURS: 3_600_000 }[p.suppressionUnit ?? "MINUTES"];
      suppression = { suppressedDate: now, suppressedUntil: now + p.value * unit };
    }
    const key = input.anomalyId !== undefined ? suppressionKey(d.id, "anomaly", target.anomalyId) : suppressionKey(d.id, "pattern", target.patternId);
    await ctx.store.set(key, suppression);
    return {};
  },
};
