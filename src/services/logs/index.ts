/**
 * Amazon CloudWatch Logs over awsJson 1.1 (Logs_20140328.*).
 * Source: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_Operations.html
 *
 * Log groups (retention that removes aged events on the emulator clock, KMS association as
 * state, tags, classes, deletion protection), log streams, PutLogEvents/GetLogEvents/
 * FilterLogEvents with AWS's filter pattern language, metric filters (TestMetricFilter),
 * subscription filters delivering to Lambda, Kinesis and Firehose through `ctx.invoke`,
 * resource policies, destinations, query definitions. Operations without a handler (Logs
 * Insights queries, deliveries, anomaly detection, integrations, ...) answer 501.
 */
import { defineService, type RequestContext } from "../types.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import { AwsError } from "../../protocol/errors.ts";
import model from "../../../models/logs.json" with { type: "json" };
import type { Destination, Operations, QueryDefinition } from "../../generated/logs.ts";
import { insightsHandlers } from "./insights.ts";
import { exportTaskHandlers } from "./export-tasks.ts";
import { deliveryHandlers } from "./deliveries.ts";
import { policyHandlers } from "./policies.ts";
import { anomalyHandlers } from "./anomalies.ts";
import { resourceHandlers } from "./resources.ts";
import { transformerHandlers } from "./transformers.ts";
import { scheduledQueryHandlers } from "./scheduled-queries.ts";
import { serveStreams } from "./live-tail.ts";
import { filterLogEvents, getLogEvents, parsePattern, putLogEvents } from "./events.ts";
import { extractFields, matches } from "./filter-pattern.ts";
import {
  alreadyExists, decodeToken, encodeToken, groupArn, groupNameOf, invalidParameter, keys, limitExceeded, loadGroup,
  partitionOf, resourceNotFound, retentionCutoff, type StoredFilter, type StoredGroup, type StoredStream,
} from "./state.ts";
import { clearStore } from "../../store/snapshot.ts";
import type { Key } from "../../store/types.ts";
import { logsAuthorization } from "./authorization.ts";

/** Retention periods AWS accepts, in days. */
const RETENTION_DAYS = new Set([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]);
const MAX_SUBSCRIPTIONS = 2;
const MAX_METRIC_FILTERS = 100;
const MAX_TAGS = 50;

function describeGroup(ctx: RequestContext, group: StoredGroup, metricFilterCount: number, storedBytes: number) {
  const arn = groupArn(ctx, group.logGroupName);
  return {
    logGroupName: group.logGroupName,
    creationTime: group.creationTime,
    ...(group.retentionInDays !== undefined ? { retentionInDays: group.retentionInDays } : {}),
    metricFilterCount,
    arn: `${arn}:*`,
    storedBytes,
    ...(group.kmsKeyId ? { kmsKeyId: group.kmsKeyId } : {}),
    ...(group.dataProtectionPolicy ? { dataProtectionStatus: "ACTIVATED" as const } : {}),
    logGroupClass: group.logGroupClass,
    logGroupArn: arn,
    deletionProtectionEnabled: group.deletionProtectionEnabled,
  };
}

async function count(ctx: RequestContext, prefix: Key): Promise<number> {
  let n = 0;
  for await (const _ of ctx.store.list({ prefix })) n++;
  return n;
}

async function groupBytes(ctx: RequestContext, name: string): Promise<number> {
  let bytes = 0;
  for await (const entry of ctx.store.list<StoredStream>({ prefix: keys.streams(name) })) bytes += entry.value.storedBytes;
  return bytes;
}

async function deletePrefix(ctx: RequestContext, prefix: Key): Promise<void> {
  await clearStore(ctx.store, prefix);
}

function page<T>(items: T[], token: string | undefined, limit: number, keyOf: (item: T) => string): { items: T[]; nextToken?: string } {
  const after = token !== undefined ? decodeToken<string>(token) : undefined;
  const rest = after === undefined ? items : items.filter((item) => keyOf(item) > after);
  const out = rest.slice(0, limit);
  return { items: out, ...(rest.length > out.length ? { nextToken: encodeToken(keyOf(out[out.length - 1]!)) } : {}) };
}

function checkTags(tags: Record<string, string>): void {
  if (Object.keys(tags).length > MAX_TAGS) throw invalidParameter(`A resource can have no more than ${MAX_TAGS} tags.`);
  for (const key of Object.keys(tags)) {
    if (key.startsWith("aws:")) throw invalidParameter("Tag keys prefixed with 'aws:' are reserved.");
  }
}

async function updateGroup(ctx: RequestContext, name: string, change: (group: StoredGroup) => void): Promise<StoredGroup> {
  const group = structuredClone(await loadGroup(ctx, name));
  change(group);
  await ctx.store.set(keys.group(name), group);
  return group;
}

/** A log group named by its ARN (tagging APIs), with or without the trailing `:*`. */
function groupFromArn(arn: string): string {
  const m = /^arn:aws[a-z-]*:logs:[^:]*:\d{12}:log-group:([^:]+)(:\*)?$/.exec(arn);
  if (!m) throw invalidParameter(`Invalid resource ARN: ${arn}`);
  return m[1]!;
}

async function filters(ctx: RequestContext, prefix: Key): Promise<StoredFilter[]> {
  const out: StoredFilter[] = [];
  for await (const entry of ctx.store.list<StoredFilter>({ prefix })) out.push(entry.value);
  return out;
}

export default defineService<Operations>({
  name: "logs",
  authorization: logsAuthorization,
  // StartLiveTail and GetLogObject answer event streams, which the codecs do not write (live-tail.ts).
  preRoute: serveStreams,
  model: model as unknown as ServiceModel,
  handlers: {
    ...insightsHandlers,
    ...exportTaskHandlers,
    ...deliveryHandlers,
    ...policyHandlers,
    ...anomalyHandlers,
    ...resourceHandlers,
    ...transformerHandlers,
    ...scheduledQueryHandlers,
    async CreateLogGroup(input, ctx) {
      if (input.tags) checkTags(input.tags);
      const group: StoredGroup = {
        logGroupName: input.logGroupName,
        creationTime: ctx.clock.now(),
        logGroupClass: input.logGroupClass ?? "STANDARD",
        deletionProtectionEnabled: input.deletionProtectionEnabled ?? false,
        tags: { ...(input.tags ?? {}) },
        ...(input.kmsKeyId ? { kmsKeyId: input.kmsKeyId } : {}),
      };
      const ok = await ctx.store.atomic().check({ key: keys.group(input.logGroupName), versionstamp: null }).set(keys.group(input.logGroupName), group).commit();
      if (!ok.ok) throw alreadyExists("The specified log group already exists");
      return {};
    },

    async DeleteLogGroup(input, ctx) {
      const group = await loadGroup(ctx, input.logGroupName);
      if (group.deletionProtectionEnabled) {
        throw new AwsError("OperationAbortedException", "Log group deletion protection is enabled. Disable it before deleting the log group.", 400);
      }
      for (const prefix of [keys.groupEvents(input.logGroupName), keys.streams(input.logGroupName), keys.metricFilters(input.logGroupName), keys.subscriptions(input.logGroupName)]) {
        await deletePrefix(ctx, prefix);
      }
      await ctx.store.delete(keys.group(input.logGroupName));
      await ctx.store.delete(["index-policy", input.logGroupName]);
      await ctx.store.delete(["transformer", input.logGroupName]);
      return {};
    },

    async DescribeLogGroups(input, ctx) {
      if (input.logGroupNamePrefix !== undefined && input.logGroupNamePattern !== undefined) {
        throw invalidParameter("LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.");
      }
      const all: StoredGroup[] = [];
      for await (const entry of ctx.store.list<StoredGroup>({ prefix: keys.groups() })) {
        const g = entry.value;
        if (input.logGroupNamePrefix !== undefined && !g.logGroupName.startsWith(input.logGroupNamePrefix)) continue;
        if (input.logGroupNamePattern !== undefined && !g.logGroupName.toLowerCase().includes(input.logGroupNamePattern.toLowerCase())) continue;
        if (input.logGroupClass !== undefined && g.logGroupClass !== input.logGroupClass) continue;
        if (input.logGroupIdentifiers && !input.logGroupIdentifiers.some((id) => groupNameOf({ logGroupIdentifier: id }) === g.logGroupName)) continue;
        all.push(g);
      }
      const { items, nextToken } = page(all, input.nextToken, input.limit ?? 50, (g) => g.logGroupName);
      const logGroups = [];
      for (const g of items) logGroups.push(describeGroup(ctx, g, await count(ctx, keys.metricFilters(g.logGroupName)), await groupBytes(ctx, g.logGroupName)));
      return { logGroups, ...(nextToken ? { nextToken } : {}) };
    },

    async ListLogGroups(input, ctx) {
      let pattern: RegExp | undefined;
      try {
        pattern = input.logGroupNamePattern !== undefined ? new RegExp(input.logGroupNamePattern) : undefined;
      } catch {
        throw invalidParameter("Invalid logGroupNamePattern.");
      }
      const all: StoredGroup[] = [];
      for await (const entry of ctx.store.list<StoredGroup>({ prefix: keys.groups() })) {
        if (pattern && !pattern.test(entry.value.logGroupName)) continue;
        if (input.logGroupClass !== undefined && entry.value.logGroupClass !== input.logGroupClass) continue;
        all.push(entry.value);
      }
      const { items, nextToken } = page(all, input.nextToken, input.limit ?? 50, (g) => g.logGroupName);
      return {
        logGroups: items.map((g) => ({ logGroupName: g.logGroupName, logGroupArn: groupArn(ctx, g.logGroupName), logGroupClass: g.logGroupClass })),
        ...(nextToken ? { nextToken } : {}),
      };
    },

    async PutRetentionPolicy(input, ctx) {
      if (!RETENTION_DAYS.has(input.retentionInDays)) {
        throw invalidParameter(`1 validation error detected: Value '${input.retentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]`);
      }
      await updateGroup(ctx, input.logGroupName, (g) => (g.retentionInDays = input.retentionInDays));
      return {};
    },

    async DeleteRetentionPolicy(input, ctx) {
      await updateGroup(ctx, input.logGroupName, (g) => delete g.retentionInDays);
      return {};
    },

    async PutLogGroupDeletionProtection(input, ctx) {
      await updateGroup(ctx, groupNameOf({ logGroupIdentifier: input.logGroupIdentifier }), (g) => (g.deletionProtectionEnabled = input.deletionProtectionEnabled));
      return {};
    },

    async AssociateKmsKey(input, ctx) {
      const name = groupNameOf(input);
      await updateGroup(ctx, name, (g) => (g.kmsKeyId = input.kmsKeyId));
      return {};
    },

    async DisassociateKmsKey(input, ctx) {
      await updateGroup(ctx, groupNameOf(input), (g) => delete g.kmsKeyId);
      return {};
    },

    async PutDataProtectionPolicy(input, ctx) {
      const name = groupNameOf({ logGroupIdentifier: input.logGroupIdentifier });
      try {
        JSON.parse(input.policyDocument);
      } catch {
        throw invalidParameter("The policy document is not valid JSON.");
      }
      await updateGroup(ctx, name, (g) => (g.dataProtectionPolicy = input.policyDocument));
      return { logGroupIdentifier: input.logGroupIdentifier, policyDocument: input.policyDocument, lastUpdatedTime: ctx.clock.now() };
    },

    async GetDataProtectionPolicy(input, ctx) {
      const group = await loadGroup(ctx, groupNameOf({ logGroupIdentifier: input.logGroupIdentifier }));
      return { logGroupIdentifier: input.logGroupIdentifier, ...(group.dataProtectionPolicy ? { policyDocument: group.dataProtectionPolicy } : {}) };
    },

    async DeleteDataProtectionPolicy(input, ctx) {
      const name = groupNameOf({ logGroupIdentifier: input.logGroupIdentifier });
      const group = await loadGroup(ctx, name);
      if (!group.dataProtectionPolicy) throw resourceNotFound("No data protection policy is associated with this log group.");
      await updateGroup(ctx, name, (g) => delete g.dataProtectionPolicy);
      return {};
    },

    async CreateLogStream(input, ctx) {
      await loadGroup(ctx, input.logGroupName);
      const stream: StoredStream = { logStreamName: input.logStreamName, creationTime: ctx.clock.now(), seq: 0, storedBytes: 0 };
      const key = keys.stream(input.logGroupName, input.logStreamName);
      const ok = await ctx.store.atomic().check({ key, versionstamp: null }).set(key, stream).commit();
      if (!ok.ok) throw alreadyExists("The specified log stream already exists");
      return {};
    },

    async DeleteLogStream(input, ctx) {
      const key = keys.stream(input.logGroupName, input.logStreamName);
      await loadGroup(ctx, input.logGroupName);
      if (!(await ctx.store.get(key)).value) throw resourceNotFound("The specified log stream does not exist.");
      await deletePrefix(ctx, keys.events(input.logGroupName, input.logStreamName));
      await ctx.store.delete(key);
      return {};
    },

    async DescribeLogStreams(input, ctx) {
      const name = groupNameOf(input);
      const group = await loadGroup(ctx, name);
      const orderBy = input.orderBy ?? "LogStreamName";
      if (orderBy === "LastEventTime" && input.logStreamNamePrefix !== undefined) {
        throw invalidParameter("Cannot order by LastEventTime with a logStreamNamePrefix.");
      }
      const all: StoredStream[] = [];
      for await (const entry of ctx.store.list<StoredStream>({ prefix: keys.streams(name) })) {
        if (input.logStreamNamePrefix !== undefined && !entry.value.logStreamName.startsWith(input.logStreamNamePrefix)) continue;
        all.push(entry.value);
      }
      const sortKey = (s: StoredStream) => orderBy === "LastEventTime"
        ? `${String(s.lastEventTimestamp ?? 0).padStart(20, "0")}/${s.logStreamName}`
        : s.logStreamName;
      all.sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
      if (input.descending) all.reverse();
      const start = input.nextToken !== undefined ? Number(decodeToken<string>(input.nextToken)) : 0;
      const limit = input.limit ?? 50;
      const items = all.slice(start, start + limit);
      const cutoff = retentionCutoff(ctx, group);
      return {
        logStreams: items.map((s) => ({
          logStreamName: s.logStreamName,
          creationTime: s.creationTime,
          ...(s.firstEventTimestamp !== undefined && s.firstEventTimestamp >= cutoff ? { firstEventTimestamp: s.firstEventTimestamp } : {}),
          ...(s.lastEventTimestamp !== undefined ? { lastEventTimestamp: s.lastEventTimestamp } : {}),
          ...(s.lastIngestionTime !== undefined ? { lastIngestionTime: s.lastIngestionTime } : {}),
          arn: `arn:${partitionOf(ctx.region)}:logs:${ctx.region}:${ctx.accountId}:log-group:${name}:log-stream:${s.logStreamName}`,
          storedBytes: 0,
        })),
        ...(start + limit < all.length ? { nextToken: encodeToken(String(start + limit)) } : {}),
      };
    },

    async PutLogEvents(input, ctx) {
      return putLogEvents(ctx, input.logGroupName, input.logStreamName, input.logEvents.map((e) => ({ timestamp: Number(e.timestamp), message: e.message })));
    },

    async GetLogEvents(input, ctx) {
      return getLogEvents(ctx, {
        groupName: groupNameOf(input), logStreamName: input.logStreamName, startTime: input.startTime, endTime: input.endTime,
        nextToken: input.nextToken, limit: input.limit, startFromHead: input.startFromHead,
      });
    },

    async FilterLogEvents(input, ctx) {
      return filterLogEvents(ctx, {
        groupName: groupNameOf(input), logStreamNames: input.logStreamNames, logStreamNamePrefix: input.logStreamNamePrefix,
        startTime: input.startTime, endTime: input.endTime, filterPattern: input.filterPattern, nextToken: input.nextToken, limit: input.limit,
      });
    },

    async PutMetricFilter(input, ctx) {
      await loadGroup(ctx, input.logGroupName);
      parsePattern(input.filterPattern);
      const existing = await filters(ctx, keys.metricFilters(input.logGroupName));
      if (!existing.some((f) => f.filterName === input.filterName) && existing.length >= MAX_METRIC_FILTERS) {
        throw limitExceeded("Resource limit exceeded.");
      }
      const filter: StoredFilter = {
        filterName: input.filterName, filterPattern: input.filterPattern, creationTime: ctx.clock.now(),
        metricTransformations: input.metricTransformations,
        ...(input.applyOnTransformedLogs !== undefined ? { applyOnTransformedLogs: input.applyOnTransformedLogs } : {}),
      };
      await ctx.store.set(keys.metricFilter(input.logGroupName, input.filterName), filter);
      return {};
    },

    async DeleteMetricFilter(input, ctx) {
      const key = keys.metricFilter(input.logGroupName, input.filterName);
      await loadGroup(ctx, input.logGroupName);
      if (!(await ctx.store.get(key)).value) throw resourceNotFound("The specified metric filter does not exist.");
      await ctx.store.delete(key);
      return {};
    },

    async DescribeMetricFilters(input, ctx) {
      if (input.filterNamePrefix !== undefined && input.logGroupName === undefined) {
        throw invalidParameter("logGroupName is required when filterNamePrefix is given.");
      }
      const found: (StoredFilter & { logGroupName: string })[] = [];
      const groups: string[] = [];
      if (input.logGroupName !== undefined) {
        await loadGroup(ctx, input.logGroupName);
        groups.push(input.logGroupName);
      } else {
        for await (const entry of ctx.store.list<StoredGroup>({ prefix: keys.groups() })) groups.push(entry.value.logGroupName);
      }
      for (const group of groups) {
        for (const f of await filters(ctx, keys.metricFilters(group))) {
          if (input.filterNamePrefix !== undefined && !f.filterName.startsWith(input.filterNamePrefix)) continue;
          const transforms = (f.metricTransformations ?? []) as { metricName?: string; metricNamespace?: string }[];
          if (input.metricName !== undefined && !transforms.some((t) => t.metricName === input.metricName && t.metricNamespace === input.metricNamespace)) continue;
          found.push({ ...f, logGroupName: group });
        }
      }
      const { items, nextToken } = page(found, input.nextToken, input.limit ?? 50, (f) => `${f.logGroupName}\u0000${f.filterName}`);
      return {
        metricFilters: items.map((f) => ({
          filterName: f.filterName, filterPattern: f.filterPattern, metricTransformations: f.metricTransformations,
          creationTime: f.creationTime, logGroupName: f.logGroupName,
          ...(f.applyOnTransformedLogs !== undefined ? { applyOnTransformedLogs: f.applyOnTransformedLogs } : {}),
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },

    async TestMetricFilter(input) {
      const pattern = parsePattern(input.filterPattern);
      const found = [];
      for (const [i, message] of input.logEventMessages.entries()) {
        if (!matches(pattern, message)) continue;
        const extracted = Object.fromEntries(Object.entries(extractFields(pattern, message)).map(([k, v]) => [`$${k}`, v]));
        found.push({ eventNumber: i + 1, eventMessage: message, extractedValues: extracted });
      }
      return { matches: found };
    },

    async PutSubscriptionFilter(input, ctx) {
      await loadGroup(ctx, input.logGroupName);
      parsePattern(input.filterPattern);
      const service = input.destinationArn.split(":")[2];
      if (!["lambda", "kinesis", "firehose", "logs"].includes(service ?? "")) {
        throw invalidParameter(`Invalid destinationArn for filter: ${input.destinationArn}`);
      }
      const existing = await filters(ctx, keys.subscriptions(input.logGroupName));
      if (!existing.some((f) => f.filterName === input.filterName) && existing.length >= MAX_SUBSCRIPTIONS) {
        throw limitExceeded("Resource limit exceeded.");
      }
      const filter: StoredFilter = {
        filterName: input.filterName, filterPattern: input.filterPattern, creationTime: ctx.clock.now(), destinationArn: input.destinationArn,
        ...(input.roleArn ? { roleArn: input.roleArn } : {}), distribution: input.distribution ?? "ByLogStream",
        ...(input.applyOnTransformedLogs !== undefined ? { applyOnTransformedLogs: input.applyOnTransformedLogs } : {}),
      };
      await ctx.store.set(keys.subscription(input.logGroupName, input.filterName), filter);
      return {};
    },

    async DeleteSubscriptionFilter(input, ctx) {
      const key = keys.subscription(input.logGroupName, input.filterName);
      await loadGroup(ctx, input.logGroupName);
      if (!(await ctx.store.get(key)).value) throw resourceNotFound("The specified subscription filter does not exist.");
      await ctx.store.delete(key);
      return {};
    },

    async DescribeSubscriptionFilters(input, ctx) {
      await loadGroup(ctx, input.logGroupName);
      const all = (await filters(ctx, keys.subscriptions(input.logGroupName)))
        .filter((f) => input.filterNamePrefix === undefined || f.filterName.startsWith(input.filterNamePrefix));
      const { items, nextToken } = page(all, input.nextToken, input.limit ?? 50, (f) => f.filterName);
      return {
        subscriptionFilters: items.map((f) => ({
          filterName: f.filterName, logGroupName: input.logGroupName, filterPattern: f.filterPattern, destinationArn: f.destinationArn,
          ...(f.roleArn ? { roleArn: f.roleArn } : {}), distribution: f.distribution, creationTime: f.creationTime,
          ...(f.applyOnTransformedLogs !== undefined ? { applyOnTransformedLogs: f.applyOnTransformedLogs } : {}),
        })),
        ...(nextToken ? { nextToken } : {}),
      };
    },

    async TagLogGroup(input, ctx) {
      await updateGroup(ctx, input.logGroupName, (g) => {
        g.tags = { ...g.tags, ...input.tags };
        checkTags(g.tags);
      });
      return {};
    },

    async UntagLogGroup(input, ctx) {
      await updateGroup(ctx, input.logGroupName, (g) => {
        for (const key of input.tags) delete g.tags[key];
      });
      return {};
    },

    async ListTagsLogGroup(input, ctx) {
      const group = await loadGroup(ctx, input.logGroupName);
      return { tags: { ...group.tags } };
    },

    async TagResource(input, ctx) {
      await updateGroup(ctx, groupFromArn(input.resourceArn), (g) => {
        g.tags = { ...g.tags, ...input.tags };
        checkTags(g.tags);
      });
      return {};
    },

    async UntagResource(input, ctx) {
      await updateGroup(ctx, groupFromArn(input.resourceArn), (g) => {
        for (const key of input.tagKeys) delete g.tags[key];
      });
      return {};
    },

    async ListTagsForResource(input, ctx) {
      const group = await loadGroup(ctx, groupFromArn(input.resourceArn));
      return { tags: { ...group.tags } };
    },

    async PutResourcePolicy(input, ctx) {
      if (input.policyName === undefined || input.policyDocument === undefined) {
        throw invalidParameter("policyName and policyDocument are required.");
      }
      try {
        JSON.parse(input.policyDocument);
      } catch {
        throw invalidParameter("The policy document is not valid JSON.");
      }
      const existing = (await ctx.store.get(keys.resourcePolicy(input.policyName))).value;
      if (!existing && (await count(ctx, keys.resourcePolicies())) >= 10) throw limitExceeded("Resource limit exceeded.");
      const policy = { policyName: input.policyName, policyDocument: input.policyDocument, lastUpdatedTime: ctx.clock.now(), policyScope: "ACCOUNT" as const, revisionId: crypto.randomUUID() };
      await ctx.store.set(keys.resourcePolicy(input.policyName), policy);
      return { resourcePolicy: policy, revisionId: policy.revisionId };
    },

    async DescribeResourcePolicies(input, ctx) {
      const all: { policyName: string; policyDocument: string; lastUpdatedTime: number; policyScope: "ACCOUNT"; revisionId: string }[] = [];
      for await (const entry of ctx.store.list<(typeof all)[number]>({ prefix: keys.resourcePolicies() })) all.push(entry.value);
      const { items, nextToken } = page(all, input.nextToken, input.limit ?? 50, (p) => p.policyName);
      return { resourcePolicies: items, ...(nextToken ? { nextToken } : {}) };
    },

    async DeleteResourcePolicy(input, ctx) {
      if (input.policyName === undefined) throw invalidParameter("policyName is required.");
      if (!(await ctx.store.get(keys.resourcePolicy(input.policyName))).value) throw resourceNotFound("Policy with name [" + input.policyName + "] does not exist");
      await ctx.store.delete(keys.resourcePolicy(input.policyName));
      return {};
    },

    async PutDestination(input, ctx) {
      const arn = `arn:${partitionOf(ctx.region)}:logs:${ctx.region}:${ctx.accountId}:destination:${input.destinationName}`;
      const previous = (await ctx.store.get<{ creationTime: number; accessPolicy?: string }>(keys.destination(input.destinationName))).value;
      const destination = {
        destinationName: input.destinationName, targetArn: input.targetArn, roleArn: input.roleArn, arn,
        creationTime: previous?.creationTime ?? ctx.clock.now(), ...(previous?.accessPolicy ? { accessPolicy: previous.accessPolicy } : {}),
      };
      await ctx.store.set(keys.destination(input.destinationName), destination);
      return { destination };
    },

    async PutDestinationPolicy(input, ctx) {
      const key = keys.destination(input.destinationName);
      const destination = (await ctx.store.get<Record<string, unknown>>(key)).value;
      if (!destination) throw resourceNotFound("The specified destination does not exist.");
      await ctx.store.set(key, { ...destination, accessPolicy: input.accessPolicy });
      return {};
    },

    async DescribeDestinations(input, ctx) {
      const all: (Destination & { destinationName: string })[] = [];
      for await (const entry of ctx.store.list<Destination & { destinationName: string }>({ prefix: keys.destinations() })) {
        if (input.DestinationNamePrefix === undefined || entry.value.destinationName.startsWith(input.DestinationNamePrefix)) all.push(entry.value);
      }
      const { items, nextToken } = page(all, input.nextToken, input.limit ?? 50, (d) => d.destinationName);
      return { destinations: items, ...(nextToken ? { nextToken } : {}) };
    },

    async DeleteDestination(input, ctx) {
      const key = keys.destination(input.destinationName);
      if (!(await ctx.store.get(key)).value) throw resourceNotFound("The specified destination does not exist.");
      await ctx.store.delete(key);
      return {};
    },

    async PutQueryDefinition(input, ctx) {
      const id = input.queryDefinitionId ?? crypto.randomUUID();
      if (input.queryDefinitionId !== undefined && !(await ctx.store.get(keys.queryDefinition(id))).value) {
        throw resourceNotFound("The specified query definition does not exist.");
      }
      await ctx.store.set(keys.queryDefinition(id), {
        queryDefinitionId: id, name: input.name, queryString: input.queryString, lastModified: ctx.clock.now(),
        ...(input.logGroupNames ? { logGroupNames: input.logGroupNames } : {}), queryLanguage: input.queryLanguage ?? "CWLI",
      });
      return { queryDefinitionId: id };
    },

    async DescribeQueryDefinitions(input, ctx) {
      const all: (QueryDefinition & { queryDefinitionId: string; name: string })[] = [];
      for await (const entry of ctx.store.list<QueryDefinition & { queryDefinitionId: string; name: string }>({ prefix: keys.queryDefinitions() })) {
        if (input.queryDefinitionNamePrefix === undefined || entry.value.name.startsWith(input.queryDefinitionNamePrefix)) all.push(entry.value);
      }
      const { items, nextToken } = page(all, input.nextToken, input.maxResults ?? 1000, (d) => d.queryDefinitionId);
      return { queryDefinitions: items, ...(nextToken ? { nextToken } : {}) };
    },

    async DeleteQueryDefinition(input, ctx) {
      const key = keys.queryDefinition(input.queryDefinitionId);
      if (!(await ctx.store.get(key)).value) throw resourceNotFound("The specified query definition does not exist.");
      await ctx.store.delete(key);
      return { success: true };
    },
  },
});
