/**
 * Contributor Insights rules: PutInsightRule, DescribeInsightRules, DeleteInsightRules,
 * EnableInsightRules, DisableInsightRules, and GetInsightRuleReport computed from the rule's log
 * groups' events, read through `ctx.invoke("logs", ...)`: JSON rules (`$.path` keys, `ValueOf`,
 * `Filters` with In/NotIn/StartsWith/EqualTo/NotEqualTo/GreaterThan/LessThan/IsPresent) and CLF
 * rules (`Fields` by position), `AggregateOn` Count or Sum, contributors per period.
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutInsightRule.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetInsightRuleReport.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContributorInsights-RuleSyntax.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { InsightRuleContributor, InsightRuleMetricDatapoint, Operations, PartialFailure, Tag } from "../../generated/cloudwatch.ts";
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import { invalidValue } from "./metrics.ts";
import { pageOf } from "./paging.ts";

interface RuleFilter {
  Match: string;
  In?: (string | number)[];
  NotIn?: (string | number)[];
  StartsWith?: string[];
  EqualTo?: string | number;
  NotEqualTo?: string | number;
  GreaterThan?: number;
  LessThan?: number;
  IsPresent?: boolean;
}

interface RuleDefinition {
  Schema: { Name: string; Version: number };
  LogGroupNames?: string[];
  LogFormat: "JSON" | "CLF";
  Fields?: Record<string, string>;
  Contribution: { Keys: string[]; ValueOf?: string; Filters?: RuleFilter[] };
  AggregateOn: "Count" | "Sum";
}

interface StoredRule {
  Name: string;
  State: "ENABLED" | "DISABLED";
  Definition: string;
  ApplyOnTransformedLogs?: boolean;
  tags: Tag[];
  /** A managed rule (PutManagedInsightRules): its template and resource. */
  managed?: { TemplateName: string; ResourceARN: string };
}

/**
 * Managed rule templates by resource type (the ARN's service and resource type). AWS offers them
 * for VPC endpoint services (PrivateLink); fetchstack serves no EC2 traffic, so their reports
 * are empty.
 * Source: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ContributorInsights-ManagedRules.html
 */
const MANAGED_TEMPLATES: Record<string, { templates: string[]; keys: string[] }> = {
  "ec2:vpc-endpoint-service": {
    templates: ["VpcEndpointService-BytesByEndpointId-v1", "VpcEndpointService-NewConnectionsByEndpointId-v1", "VpcEndpointService-RstPacketsByEndpointId-v1"],
    keys: ["EndpointId"],
  },
};

/** The managed templates for a resource ARN, or undefined when its type has none. */
function templatesFor(arn: string): { templates: string[]; keys: string[]; resourceId: string } | undefined {
  const m = /^arn:aws[a-z-]*:([a-z0-9-]+):[^:]*:\d{12}:([a-z-]+)\/(.+)$/.exec(arn);
  const found = m ? MANAGED_TEMPLATES[`${m[1]}:${m[2]}`] : undefined;
  return found && m ? { ...found, resourceId: m[3]! } : undefined;
}

/** The name AWS gives a managed rule: the template name, then the resource id. */
function managedRuleName(template: string, resourceId: string): string {
  return `${template}-${resourceId}`.slice(0, 128);
}

const ruleKey = (name: string) => ["insight-rule", name] as const;
const MAX_RULES = 100;

/** Parses and checks a rule body as AWS does on PutInsightRule (InvalidParameterValueException). */
export function parseDefinition(text: string): RuleDefinition {
  let rule: RuleDefinition;
  try {
    rule = JSON.parse(text);
  } catch {
    throw invalidValue("The rule definition is not valid JSON.");
  }
  if (rule?.Schema?.Name !== "CloudWatchLogRule" || rule.Schema.Version !== 1) {
    throw invalidValue('The rule definition must have Schema {"Name": "CloudWatchLogRule", "Version": 1}.');
  }
  if (!Array.isArray(rule.LogGroupNames) || rule.LogGroupNames.length === 0) throw invalidValue("The rule definition must name LogGroupNames.");
  if (rule.LogFormat !== "JSON" && rule.LogFormat !== "CLF") throw invalidValue("LogFormat must be JSON or CLF.");
  const keys = rule.Contribution?.Keys;
  if (!Array.isArray(keys) || keys.length < 1 || keys.length > 4) throw invalidValue("Contribution.Keys must list 1 to 4 keys.");
  if (rule.AggregateOn !== "Count" && rule.AggregateOn !== "Sum") throw invalidValue("AggregateOn must be Count or Sum.");
  if (rule.AggregateOn === "Sum" && rule.Contribution.ValueOf === undefined) throw invalidValue("AggregateOn Sum requires Contribution.ValueOf.");
  for (const f of rule.Contribution.Filters ?? []) if (typeof f?.Match !== "string") throw invalidValue("Each filter needs a Match.");
  return rule;
}

/** The value at `path` of an event: `$.a.b` in JSON, a CLF field name (`Fields`) by position. */
function fieldOf(rule: RuleDefinition, event: { json?: unknown; clf?: string[] }, path: string): unknown {
  if (rule.LogFormat === "JSON") {
    let value: unknown = event.json;
    for (const part of path.replace(/^\$\.?/, "").split(".").filter(Boolean)) {
      if (value === null || typeof value !== "object") return undefined;
      value = (value as Record<string, unknown>)[part];
    }
    return value;
  }
  const position = Object.entries(rule.Fields ?? {}).find(([, name]) => name === path)?.[0];
  return position === undefined ? undefined : event.clf?.[Number(position) - 1];
}

/** Splits a CLF line into fields: spaces separate, "quoted" and [bracketed] parts stay whole. */
function clfFields(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|\[([^\]]*)\]|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

function passes(filter: RuleFilter, value: unknown): boolean {
  const present = value !== undefined && value !== null;
  if (filter.IsPresent !== undefined) return present === filter.IsPresent;
  if (!present) return false;
  const text = String(value);
  const num = Number(value);
  if (filter.In) return filter.In.some((v) => String(v) === text);
  if (filter.NotIn) return !filter.NotIn.some((v) => String(v) === text);
  if (filter.StartsWith) return filter.StartsWith.some((p) => text.startsWith(p));
  if (filter.EqualTo !== undefined) return String(filter.EqualTo) === text;
  if (filter.NotEqualTo !== undefined) return String(filter.NotEqualTo) !== text;
  if (filter.GreaterThan !== undefined) return num > filter.GreaterThan;
  if (filter.LessThan !== undefined) return num < filter.LessThan;
  return true;
}

/** Log group names a rule's (possibly `*`-suffixed) names cover, through fetchstack's Logs. */
async function groupsOf(ctx: RequestContext, patterns: string[]): Promise<string[]> {
  const out = new Set<string>();
  for (const pattern of patterns) {
    if (!pattern.includes("*")) {
      out.add(pattern);
      continue;
    }
    const prefix = pattern.slice(0, pattern.indexOf("*"));
    const re = new RegExp("^" + pattern.split("*").map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join(".*") + "$");
    let nextToken: string | undefined;
    do {
      const page = await ctx.invoke("logs", "DescribeLogGroups", { ...(prefix ? { logGroupNamePrefix: prefix } : {}), ...(nextToken ? { nextToken } : {}) }) as { logGroups?: { logGroupName: string }[]; nextToken?: string };
      for (const g of page.logGroups ?? []) if (re.test(g.logGroupName)) out.add(g.logGroupName);
      nextToken = page.nextToken;
    } while (nextToken);
  }
  return [...out];
}

async function* events(ctx: RequestContext, group: string, start: number, end: number): AsyncGenerator<{ timestamp: number; message: string }> {
  let nextToken: string | undefined;
  do {
    let page: { events?: { timestamp: number; message: string }[]; nextToken?: string };
    try {
      page = await ctx.invoke("logs", "FilterLogEvents", { logGroupName: group, startTime: start, endTime: end - 1, ...(nextToken ? { nextToken } : {}) }) as typeof page;
    } catch (error) {
      // A group that does not exist (or Logs not served) contributes nothing, as on AWS.
      if (isAwsError(error)) return;
      throw error;
    }
    yield* page.events ?? [];
    nextToken = page.nextToken;
  } while (nextToken);
}

function describeRule(rule: StoredRule) {
  return {
    Name: rule.Name, State: rule.State, Schema: "CloudWatchLogRule/1", Definition: rule.Definition, ManagedRule: rule.managed !== undefined,
    ...(rule.ApplyOnTransformedLogs !== undefined ? { ApplyOnTransformedLogs: rule.ApplyOnTransformedLogs } : {}),
  };
}

async function forEachRule(ctx: RequestContext, names: string[], change: ((rule: StoredRule) => StoredRule | null)): Promise<PartialFailure[]> {
  const failures: PartialFailure[] = [];
  for (const name of names) {
    const rule = (await ctx.store.get<StoredRule>(ruleKey(name))).value;
    if (!rule) {
      failures.push({ FailureResource: name, ExceptionType: "ResourceNotFoundException", FailureCode: "404", FailureDescription: `Rule ${name} does not exist.` });
      continue;
    }
    const next = change(rule);
    if (next) await ctx.store.set(ruleKey(name), next);
    else await ctx.store.delete(ruleKey(name));
  }
  return failures;
}

export const insightRuleHandlers: Handlers<Operations> = {
  async PutInsightRule(input, ctx) {
    if ((await ctx.store.get<StoredRule>(ruleKey(input.RuleName))).value?.managed) {
      throw invalidValue(`Rule ${input.RuleName} is a managed rule and cannot be edited with PutInsightRule.`);
    }
    parseDefinition(input.RuleDefinition);
    const state = input.RuleState ?? "ENABLED";
    if (state !== "ENABLED" && state !== "DISABLED") throw invalidValue("RuleState must be ENABLED or DISABLED.");
    const existing = (await ctx.store.get<StoredRule>(ruleKey(input.RuleName))).value;
    if (!existing) {
      let count = 0;
      for await (const _ of ctx.store.list({ prefix: ["insight-rule"] })) count++;
      if (count >= MAX_RULES) throw new AwsError("LimitExceededException", `The maximum number of Contributor Insights rules (${MAX_RULES}) has been reached.`, 400);
    }
    await ctx.store.set(ruleKey(input.RuleName), {
      Name: input.RuleName, State: state, Definition: input.RuleDefinition,
      ...(input.ApplyOnTransformedLogs !== undefined ? { ApplyOnTransformedLogs: input.ApplyOnTransformedLogs } : {}),
      tags: existing?.tags ?? input.Tags ?? [],
    } satisfies StoredRule);
    return {};
  },

  async DescribeInsightRules(input, ctx) {
    const rules: StoredRule[] = [];
    for await (const entry of ctx.store.list<StoredRule>({ prefix: ["insight-rule"] })) rules.push(entry.value);
    const { page, NextToken } = pageOf(rules, input.NextToken, input.MaxResults ?? 500);
    return { InsightRules: page.map(describeRule), ...(NextToken ? { NextToken } : {}) };
  },

  async DeleteInsightRules(input, ctx) {
    return { Failures: await forEachRule(ctx, input.RuleNames, () => null) };
  },

  async EnableInsightRules(input, ctx) {
    return { Failures: await forEachRule(ctx, input.RuleNames, (r) => ({ ...r, State: "ENABLED" })) };
  },

  async DisableInsightRules(input, ctx) {
    return { Failures: await forEachRule(ctx, input.RuleNames, (r) => ({ ...r, State: "DISABLED" })) };
  },

  async GetInsightRuleReport(input, ctx) {
    const stored = (await ctx.store.get<StoredRule>(ruleKey(input.RuleName))).value;
    if (!stored) throw new AwsError("ResourceNotFoundException", `Rule ${input.RuleName} does not exist.`, 404);
    if (stored.managed) {
      // No AWS service traffic reaches fetchstack, so a managed rule has no contributors.
      return {
        KeyLabels: templatesFor(stored.managed.ResourceARN)?.keys ?? [], AggregationStatistic: "Sum", AggregateValue: 0,
        ApproximateUniqueCount: 0, Contributors: [], ...(input.Metrics?.length ? { MetricDatapoints: [] } : {}),
      };
    }
    const rule = parseDefinition(stored.Definition);
    const start = new Date(input.StartTime).getTime();
    const end = new Date(input.EndTime).getTime();
    if (end <= start) throw invalidValue("EndTime must be after StartTime.");
    const period = input.Period * 1000;
    const orderBy = input.OrderBy ?? "Sum";
    if (orderBy !== "Sum" && orderBy !== "Maximum") throw invalidValue("OrderBy must be Sum or Maximum.");
    // contributor key → period start → value
    const byContributor = new Map<string, { keys: string[]; periods: Map<number, number> }>();
    if (stored.State === "ENABLED") {
      for (const group of await groupsOf(ctx, rule.LogGroupNames!)) {
        for await (const e of events(ctx, group, start, end)) {
          let parsed: { json?: unknown; clf?: string[] };
          if (rule.LogFormat === "JSON") {
            try {
              parsed = { json: JSON.parse(e.message) };
            } catch {
              continue;
            }
          } else parsed = { clf: clfFields(e.message) };
          if (!(rule.Contribution.Filters ?? []).every((f) => passes(f, fieldOf(rule, parsed, f.Match)))) continue;
          const keys = rule.Contribution.Keys.map((k) => fieldOf(rule, parsed, k));
          if (keys.some((k) => k === undefined || k === null)) continue;
          let value = 1;
          if (rule.AggregateOn === "Sum") {
            value = Number(fieldOf(rule, parsed, rule.Contribution.ValueOf!));
            if (!Number.isFinite(value)) continue;
          }
          const id = JSON.stringify(keys.map(String));
          let c = byContributor.get(id);
          if (!c) byContributor.set(id, (c = { keys: keys.map(String), periods: new Map() }));
          const slot = start + Math.floor((e.timestamp - start) / period) * period;
          c.periods.set(slot, (c.periods.get(slot) ?? 0) + value);
        }
      }
    }
    const contributors = [...byContributor.values()].map((c) => {
      const values = [...c.periods.values()];
      return { c, sum: values.reduce((a, b) => a + b, 0), max: Math.max(...values) };
    });
    contributors.sort((a, b) => (orderBy === "Sum" ? b.sum - a.sum : b.max - a.max) || (a.c.keys.join() < b.c.keys.join() ? -1 : 1));
    const top = contributors.slice(0, input.MaxContributorCount ?? 10);
    const out: InsightRuleContributor[] = top.map(({ c, sum }) => ({
      Keys: c.keys,
      ApproximateAggregateValue: sum,
      Datapoints: [...c.periods].sort((a, b) => a[0] - b[0]).map(([t, v]) => ({ Timestamp: new Date(t), ApproximateValue: v })),
    }));
    const metrics = input.Metrics ?? [];
    const datapoints: InsightRuleMetricDatapoint[] = [];
    if (metrics.length) {
      const slots = new Set<number>();
      for (const c of byContributor.values()) for (const t of c.periods.keys()) slots.add(t);
      for (const t of [...slots].sort((a, b) => a - b)) {
        const values = [...byContributor.values()].map((c) => c.periods.get(t)).filter((v): v is number => v !== undefined);
        const sum = values.reduce((a, b) => a + b, 0);
        const all: Record<string, number> = {
          UniqueContributors: values.length, MaxContributorValue: Math.max(...values), SampleCount: values.length,
          Sum: sum, Average: sum / values.length, Minimum: Math.min(...values), Maximum: Math.max(...values),
        };
        const point: InsightRuleMetricDatapoint = { Timestamp: new Date(t) };
        for (const m of metrics) {
          if (!(m in all)) throw invalidValue(`Metric ${m} is not one of UniqueContributors, MaxContributorValue, SampleCount, Sum, Average, Minimum, Maximum.`);
          (point as unknown as Record<string, unknown>)[m] = all[m];
        }
        datapoints.push(point);
      }
    }
    return {
      KeyLabels: rule.Contribution.Keys,
      AggregationStatistic: rule.AggregateOn === "Sum" ? "Sum" : "Count",
      AggregateValue: contributors.reduce((a, c) => a + c.sum, 0),
      ApproximateUniqueCount: byContributor.size,
      Contributors: out,
      ...(metrics.length ? { MetricDatapoints: datapoints } : {}),
    };
  },

  async ListManagedInsightRules(input, ctx) {
    const found = templatesFor(input.ResourceARN);
    if (!found) throw invalidValue(`The resource ${input.ResourceARN} does not support managed Contributor Insights rules.`);
    const rules = [];
    for (const template of found.templates) {
      const stored = (await ctx.store.get<StoredRule>(ruleKey(managedRuleName(template, found.resourceId)))).value;
      rules.push({
        TemplateName: template,
        ...(stored ? { ResourceARN: input.ResourceARN, RuleState: { RuleName: stored.Name, State: stored.State } } : {}),
      });
    }
    const { page, NextToken } = pageOf(rules, input.NextToken, input.MaxResults ?? 100);
    return { ManagedRules: page, ...(NextToken ? { NextToken } : {}) };
  },

  async PutManagedInsightRules(input, ctx) {
    const failures: PartialFailure[] = [];
    for (const rule of input.ManagedRules) {
      const found = templatesFor(rule.ResourceARN);
      if (!found || !found.templates.includes(rule.TemplateName)) {
        failures.push({
          FailureResource: rule.TemplateName, ExceptionType: "InvalidParameterValueException", FailureCode: "400",
          FailureDescription: `Template ${rule.TemplateName} is not available for resource ${rule.ResourceARN}.`,
        });
        continue;
      }
      const name = managedRuleName(rule.TemplateName, found.resourceId);
      const existing = (await ctx.store.get<StoredRule>(ruleKey(name))).value;
      // Putting a managed rule again re-enables it.
      await ctx.store.set(ruleKey(name), {
        Name: name, State: "ENABLED",
        Definition: JSON.stringify({ Schema: { Name: "CloudWatchManagedRule", Version: 1 }, TemplateName: rule.TemplateName, ResourceARN: rule.ResourceARN }),
        tags: existing?.tags ?? rule.Tags ?? [], managed: { TemplateName: rule.TemplateName, ResourceARN: rule.ResourceARN },
      } satisfies StoredRule);
    }
    return { Failures: failures };
  },
};
