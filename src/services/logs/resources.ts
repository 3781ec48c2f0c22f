/**
 * Logs resources that are configuration in fetchstack: lookup tables (CSV, with their fields,
 * record count and size), OpenSearch integrations, S3 Tables integration sources, import tasks,
 * bearer-token authentication of a group, aggregate group summaries, a data source's fields and
 * the vended-log configuration templates.
 *
 * Import tasks read a CloudTrail Lake event data store, which fetchstack does not have: a task is
 * recorded and FAILED at once with that reason (never a pretend success). OpenSearch
 * integrations are ACTIVE at once; nothing is indexed into OpenSearch.
 * Sources: https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLookupTable.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutIntegration.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateImportTask.html,
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_DescribeConfigurationTemplates.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { ConfigurationTemplate, Import, IntegrationType, Operations, ResourceConfig } from "../../generated/logs.ts";
import { AwsError } from "../../protocol/errors.ts";
import {
  alreadyExists, decodeToken, encodeToken, groupArn, groupNameOf, invalidParameter, keys, limitExceeded, partitionOf,
  resourceNotFound, updateGroupField, type StoredGroup,
} from "./state.ts";

interface StoredLookupTable {
  name: string;
  description?: string;
  tableBody: string;
  kmsKeyId?: string;
  lastUpdatedTime: number;
  createdAt: number;
  tags: Record<string, string>;
}

interface StoredIntegration {
  integrationName: string;
  integrationType: IntegrationType;
  resourceConfig: ResourceConfig;
  createdAt: number;
}

interface StoredSource {
  identifier: string;
  integrationArn: string;
  dataSource: { name: string; type?: string };
  createdTimeStamp: number;
}

interface StoredImport {
  importId: string;
  importSourceArn: string;
  importRoleArn: string;
  importDestinationArn: string;
  importFilter?: { startEventTime?: number; endEventTime?: number };
  importStatus: "IN_PROGRESS" | "CANCELLED" | "COMPLETED" | "FAILED";
  errorMessage?: string;
  creationTime: number;
  lastUpdatedTime: number;
}

const k = {
  lookup: (name: string) => ["lookup-table", name] as const,
  integration: (name: string) => ["integration", name] as const,
  source: (id: string) => ["s3-table-source", id] as const,
  importTask: (id: string) => ["import-task", id] as const,
};

const MAX_TABLE_BYTES = 10 * 1024 * 1024;
const validation = (message: string) => new AwsError("ValidationException", message, 400);

function lookupArn(ctx: RequestContext, name: string): string {
  return `arn:${partitionOf(ctx.region)}:logs:${ctx.region}:${ctx.accountId}:lookup-table:${name}`;
}

function lookupName(arn: string): string {
  const m = /^arn:aws[a-z-]*:logs:[^:]*:\d{12}:lookup-table:(.+)$/.exec(arn);
  if (!m) throw invalidParameter(`Invalid lookup table ARN: ${arn}`);
  return m[1]!;
}

/** The CSV's header fields and record count; AWS's errors for an empty or oversize table. */
function parseTable(body: string): { fields: string[]; records: number; bytes: number } {
  const bytes = new TextEncoder().encode(body).byteLength;
  if (bytes > MAX_TABLE_BYTES) throw invalidParameter(`The table body exceeds the maximum size of ${MAX_TABLE_BYTES} bytes.`);
  const lines = body.split(/\r?\n/).filter((l) => l.trim() !== "");
  if (lines.length === 0) throw invalidParameter("The table body must have a header row.");
  const fields = lines[0]!.split(",").map((f) => f.trim().replace(/^"(.*)"$/, "$1"));
  if (fields.some((f) => f === "") || new Set(fields).size !== fields.length) throw invalidParameter("The header row must name each column once.");
  return { fields, records: lines.length - 1, bytes };
}

async function loadLookup(ctx: RequestContext, arn: string): Promise<StoredLookupTable> {
  const found = (await ctx.store.get<StoredLookupTable>(k.lookup(lookupName(arn)))).value;
  if (!found) throw resourceNotFound("The specified lookup table does not exist.");
  return found;
}

function integrationDetails(ctx: RequestContext, i: StoredIntegration) {
  const os = i.resourceConfig.openSearchResourceConfig;
  const id = i.integrationName.toLowerCase().replace(/[^a-z0-9-]/g, "-").slice(0, 28);
  const collectionArn = `arn:${partitionOf(ctx.region)}:aoss:${ctx.region}:${ctx.accountId}:collection/${id}`;
  return {
    openSearchIntegrationDetails: {
      dataSource: { dataSourceName: `${id}-ds`, status: { status: "ACTIVE" as const } },
      application: { applicationEndpoint: `https://application-${id}.${ctx.region}.opensearch.amazonaws.com`, applicationArn: os?.applicationArn ?? `arn:${partitionOf(ctx.region)}:opensearch:${ctx.region}:${ctx.accountId}:application/${id}`, applicationId: id, status: { status: "ACTIVE" as const } },
      collection: { collectionEndpoint: `https://${id}.${ctx.region}.aoss.amazonaws.com`, collectionArn, status: { status: "ACTIVE" as const } },
      workspace: { workspaceId: id, status: { status: "ACTIVE" as const } },
      encryptionPolicy: { policyName: `${id}-enc`, status: { status: "ACTIVE" as const } },
      networkPolicy: { policyName: `${id}-net`, status: { status: "ACTIVE" as const } },
      accessPolicy: { policyName: `${id}-access`, status: { status: "ACTIVE" as const } },
      lifecyclePolicy: { policyName: `${id}-lifecycle`, status: { status: "ACTIVE" as const } },
    },
  };
}

function describeImport(i: StoredImport): Import {
  return {
    importId: i.importId, importSourceArn: i.importSourceArn, importStatus: i.importStatus, importDestinationArn: i.importDestinationArn,
    importStatistics: { bytesImported: 0 }, ...(i.importFilter ? { importFilter: i.importFilter } : {}),
    creationTime: i.creationTime, lastUpdatedTime: i.lastUpdatedTime, ...(i.errorMessage ? { errorMessage: i.errorMessage } : {}),
  };
}

function pageByIndex<T>(items: T[], token: string | undefined, limit: number): { page: T[]; nextToken?: string } {
  const start = token !== undefined ? decodeToken<number>(token) : 0;
  if (typeof start !== "number") throw invalidParameter("The specified nextToken is invalid.");
  return { page: items.slice(start, start + limit), ...(start + limit < items.length ? { nextToken: encodeToken(start + limit) } : {}) };
}

/**
 * Vended-log configuration templates fetchstack describes: a documented subset of AWS's
 * (CloudFront access logs and Bedrock knowledge base application logs), to S3, CloudWatch Logs
 * and Firehose.
 */
const TEMPLATES: ConfigurationTemplate[] = (["S3", "CWL", "FH"] as const).flatMap((destination) => [
  {
    service: "cloudfront", logType: "ACCESS_LOGS", resourceType: "distribution", deliveryDestinationType: destination,
    defaultDeliveryConfigValues: {
      recordFields: ["timestamp", "c-ip", "cs-method", "cs-uri-stem", "sc-status", "sc-bytes", "time-taken", "x-edge-request-id"],
      fieldDelimiter: destination === "S3" ? "\t" : "",
      ...(destination === "S3" ? { s3DeliveryConfiguration: { suffixPath: "{DistributionId}/{yyyy}/{MM}/{dd}/{HH}", enableHiveCompatiblePath: false } } : {}),
    },
    allowedFields: ["timestamp", "c-ip", "cs-method", "cs-uri-stem", "sc-status", "sc-bytes", "time-taken", "x-edge-request-id"].map((name) => ({ name, mandatory: name === "timestamp" })),
    allowedOutputFormats: destination === "S3" ? ["json", "plain", "w3c", "parquet"] : ["json", "plain", "w3c"],
    allowedActionForAllowVendedLogsDeliveryForResource: "cloudfront:AllowVendedLogsDeliveryForResource",
    allowedFieldDelimiters: ["\t", ",", " ", "|"],
  },
  {
    service: "bedrock", logType: "APPLICATION_LOGS", resourceType: "knowledge-base", deliveryDestinationType: destination,
    defaultDeliveryConfigValues: { recordFields: ["event_timestamp", "event", "event_version", "event_type", "level"] },
    allowedFields: ["event_timestamp", "event", "event_version", "event_type", "level"].map((name) => ({ name, mandatory: true })),
    allowedOutputFormats: ["json"],
    allowedActionForAllowVendedLogsDeliveryForResource: "bedrock:AllowVendedLogDeliveryForResource",
  },
]);

export const resourceHandlers: Handlers<Operations> = {
  async CreateLookupTable(input, ctx) {
    const { fields } = parseTable(input.tableBody);
    void fields;
    const now = ctx.clock.now();
    const table: StoredLookupTable = {
      name: input.lookupTableName, ...(input.description !== undefined ? { description: input.description } : {}), tableBody: input.tableBody,
      ...(input.kmsKeyId ? { kmsKeyId: input.kmsKeyId } : {}), lastUpdatedTime: now, createdAt: now, tags: { ...(input.tags ?? {}) },
    };
    const ok = await ctx.store.atomic().check({ key: k.lookup(input.lookupTableName), versionstamp: null }).set(k.lookup(input.lookupTableName), table).commit();
    if (!ok.ok) throw alreadyExists(`Lookup table ${input.lookupTableName} already exists.`);
    return { lookupTableArn: lookupArn(ctx, input.lookupTableName), createdAt: now };
  },

  async GetLookupTable(input, ctx) {
    const t = await loadLookup(ctx, input.lookupTableArn);
    return {
      lookupTableArn: lookupArn(ctx, t.name), lookupTableName: t.name, ...(t.description !== undefined ? { description: t.description } : {}),
      tableBody: t.tableBody, sizeBytes: parseTable(t.tableBody).bytes, lastUpdatedTime: t.lastUpdatedTime, ...(t.kmsKeyId ? { kmsKeyId: t.kmsKeyId } : {}),
    };
  },

  async UpdateLookupTable(input, ctx) {
    const t = await loadLookup(ctx, input.lookupTableArn);
    parseTable(input.tableBody);
    const next: StoredLookupTable = {
      ...t, tableBody: input.tableBody, lastUpdatedTime: ctx.clock.now(),
      ...(input.description !== undefined ? { description: input.description } : {}), ...(input.kmsKeyId ? { kmsKeyId: input.kmsKeyId } : {}),
    };
    await ctx.store.set(k.lookup(t.name), next);
    return { lookupTableArn: lookupArn(ctx, t.name), lastUpdatedTime: next.lastUpdatedTime };
  },

  async DeleteLookupTable(input, ctx) {
    const t = await loadLookup(ctx, input.lookupTableArn);
    await ctx.store.delete(k.lookup(t.name));
    return {};
  },

  async DescribeLookupTables(input, ctx) {
    const all: StoredLookupTable[] = [];
    for await (const entry of ctx.store.list<StoredLookupTable>({ prefix: ["lookup-table"] })) {
      if (input.lookupTableNamePrefix === undefined || entry.value.name.startsWith(input.lookupTableNamePrefix)) all.push(entry.value);
    }
    const { page, nextToken } = pageByIndex(all, input.nextToken, input.maxResults ?? 50);
    return {
      lookupTables: page.map((t) => {
        const parsed = parseTable(t.tableBody);
        return {
          lookupTableArn: lookupArn(ctx, t.name), lookupTableName: t.name, ...(t.description !== undefined ? { description: t.description } : {}),
          tableFields: parsed.fields, recordsCount: parsed.records, sizeBytes: parsed.bytes, lastUpdatedTime: t.lastUpdatedTime,
          ...(t.kmsKeyId ? { kmsKeyId: t.kmsKeyId } : {}),
        };
      }),
      ...(nextToken ? { nextToken } : {}),
    };
  },

  async PutIntegration(input, ctx) {
    const os = input.resourceConfig.openSearchResourceConfig;
    if (input.integrationType !== "OPENSEARCH" || !os) throw validation("An OPENSEARCH integration needs resourceConfig.openSearchResourceConfig.");
    if (os.retentionDays < 1 || os.retentionDays > 3650) throw validation("retentionDays must be from 1 to 3650.");
    const existing = (await ctx.store.get<StoredIntegration>(k.integration(input.integrationName))).value;
    if (!existing) {
      let count = 0;
      for await (const _ of ctx.store.list({ prefix: ["integration"] })) count++;
      if (count >= 1) throw limitExceeded("An account can have one OpenSearch integration.");
    }
    await ctx.store.set(k.integration(input.integrationName), {
      integrationName: input.integrationName, integrationType: input.integrationType, resourceConfig: input.resourceConfig,
      createdAt: existing?.createdAt ?? ctx.clock.now(),
    } satisfies StoredIntegration);
    return { integrationName: input.integrationName, integrationStatus: "ACTIVE" };
  },

  async GetIntegration(input, ctx) {
    const i = (await ctx.store.get<StoredIntegration>(k.integration(input.integrationName))).value;
    if (!i) throw resourceNotFound(`Integration ${input.integrationName} does not exist.`);
    return { integrationName: i.integrationName, integrationType: i.integrationType, integrationStatus: "ACTIVE", integrationDetails: integrationDetails(ctx, i) };
  },

  async DeleteIntegration(input, ctx) {
    if (!(await ctx.store.get(k.integration(input.integrationName))).value) throw resourceNotFound(`Integration ${input.integrationName} does not exist.`);
    await ctx.store.delete(k.integration(input.integrationName));
    return {};
  },

  async ListIntegrations(input, ctx) {
    const out = [];
    for await (const entry of ctx.store.list<StoredIntegration>({ prefix: ["integration"] })) {
      const i = entry.value;
      if (input.integrationNamePrefix !== undefined && !i.integrationName.startsWith(input.integrationNamePrefix)) continue;
      if (input.integrationType !== undefined && i.integrationType !== input.integrationType) continue;
      if (input.integrationStatus !== undefined && input.integrationStatus !== "ACTIVE") continue;
      out.push({ integrationName: i.integrationName, integrationType: i.integrationType, integrationStatus: "ACTIVE" as const });
    }
    return { integrationSummaries: out };
  },

  async AssociateSourceToS3TableIntegration(input, ctx) {
    if (!/^arn:aws[a-z-]*:[a-z0-9-]+:[^:]*:\d{12}:.+/.test(input.integrationArn)) throw validation(`Invalid integration ARN ${input.integrationArn}.`);
    for await (const entry of ctx.store.list<StoredSource>({ prefix: ["s3-table-source"] })) {
      const s = entry.value;
      if (s.integrationArn === input.integrationArn && s.dataSource.name === input.dataSource.name && s.dataSource.type === input.dataSource.type) {
        throw new AwsError("ConflictException", "The data source is already associated with this integration.", 400);
      }
    }
    const identifier = crypto.randomUUID();
    await ctx.store.set(k.source(identifier), {
      identifier, integrationArn: input.integrationArn, dataSource: { name: input.dataSource.name, ...(input.dataSource.type ? { type: input.dataSource.type } : {}) },
      createdTimeStamp: ctx.clock.now(),
    } satisfies StoredSource);
    return { identifier };
  },

  async DisassociateSourceFromS3TableIntegration(input, ctx) {
    if (!(await ctx.store.get(k.source(input.identifier))).value) throw resourceNotFound(`Source ${input.identifier} does not exist.`);
    await ctx.store.delete(k.source(input.identifier));
    return { identifier: input.identifier };
  },

  async ListSourcesForS3TableIntegration(input, ctx) {
    const all: StoredSource[] = [];
    for await (const entry of ctx.store.list<StoredSource>({ prefix: ["s3-table-source"] })) if (entry.value.integrationArn === input.integrationArn) all.push(entry.value);
    all.sort((a, b) => a.createdTimeStamp - b.createdTimeStamp || (a.identifier < b.identifier ? -1 : 1));
    const { page, nextToken } = pageByIndex(all, input.nextToken, input.maxResults ?? 100);
    return {
      sources: page.map((s) => ({ identifier: s.identifier, dataSource: s.dataSource, status: "ACTIVE" as const, createdTimeStamp: s.createdTimeStamp })),
      ...(nextToken ? { nextToken } : {}),
    };
  },

  async CreateImportTask(input, ctx) {
    const m = /^arn:aws[a-z-]*:cloudtrail:[^:]*:\d{12}:eventdatastore\/(.+)$/.exec(input.importSourceArn);
    if (!m) throw invalidParameter(`importSourceArn must be a CloudTrail Lake event data store ARN, got ${input.importSourceArn}.`);
    const start = input.importFilter?.startEventTime;
    const end = input.importFilter?.endEventTime;
    if (start !== undefined && end !== undefined && Number(end) < Number(start)) throw invalidParameter("endEventTime must not be before startEventTime.");
    const now = ctx.clock.now();
    const task: StoredImport = {
      importId: crypto.randomUUID(), importSourceArn: input.importSourceArn, importRoleArn: input.importRoleArn,
      importDestinationArn: groupArn(ctx, `aws/cloudtrail/${m[1]}`),
      ...(input.importFilter ? { importFilter: { ...(start !== undefined ? { startEventTime: Number(start) } : {}), ...(end !== undefined ? { endEventTime: Number(end) } : {}) } } : {}),
      importStatus: "FAILED", errorMessage: `The event data store ${input.importSourceArn} cannot be read: fetchstack has no CloudTrail Lake.`,
      creationTime: now, lastUpdatedTime: now,
    };
    await ctx.store.set(k.importTask(task.importId), task);
    return { importId: task.importId, importDestinationArn: task.importDestinationArn, creationTime: now };
  },

  async CancelImportTask(input, ctx) {
    const task = (await ctx.store.get<StoredImport>(k.importTask(input.importId))).value;
    if (!task) throw resourceNotFound(`Import task ${input.importId} does not exist.`);
    if (task.importStatus !== "IN_PROGRESS") {
      throw new AwsError("InvalidOperationException", `Import task ${input.importId} is ${task.importStatus} and cannot be cancelled.`, 400);
    }
    const next: StoredImport = { ...task, importStatus: "CANCELLED", lastUpdatedTime: ctx.clock.now() };
    await ctx.store.set(k.importTask(task.importId), next);
    return { importId: next.importId, importStatistics: { bytesImported: 0 }, importStatus: next.importStatus, creationTime: next.creationTime, lastUpdatedTime: next.lastUpdatedTime };
  },

  async DescribeImportTasks(input, ctx) {
    const all: StoredImport[] = [];
    for await (const entry of ctx.store.list<StoredImport>({ prefix: ["import-task"] })) {
      const t = entry.value;
      if (input.importId !== undefined && t.importId !== input.importId) continue;
      if (input.importStatus !== undefined && t.importStatus !== input.importStatus) continue;
      if (input.importSourceArn !== undefined && t.importSourceArn !== input.importSourceArn) continue;
      all.push(t);
    }
    all.sort((a, b) => b.creationTime - a.creationTime || (a.importId < b.importId ? -1 : 1));
    const { page, nextToken } = pageByIndex(all, input.nextToken, input.limit ?? 50);
    return { imports: page.map(describeImport), ...(nextToken ? { nextToken } : {}) };
  },

  async DescribeImportTaskBatches(input, ctx) {
    const task = (await ctx.store.get<StoredImport>(k.importTask(input.importId))).value;
    if (!task) throw resourceNotFound(`Import task ${input.importId} does not exist.`);
    // One batch: the whole (failed) read of the event data store.
    const batches = [{ batchId: `${task.importId}-1`, status: task.importStatus, ...(task.errorMessage ? { errorMessage: task.errorMessage } : {}) }]
      .filter((b) => !input.batchImportStatus?.length || input.batchImportStatus.includes(b.status));
    return { importSourceArn: task.importSourceArn, importId: task.importId, importBatches: batches };
  },

  async PutBearerTokenAuthentication(input, ctx) {
    const name = groupNameOf({ logGroupIdentifier: input.logGroupIdentifier });
    await updateGroupField(ctx, name, (g) => (g.bearerTokenAuthenticationEnabled = input.bearerTokenAuthenticationEnabled));
    return {};
  },

  async ListAggregateLogGroupSummaries(input, ctx) {
    let pattern: RegExp | undefined;
    try {
      pattern = input.logGroupNamePattern !== undefined ? new RegExp(input.logGroupNamePattern) : undefined;
    } catch {
      throw invalidParameter("Invalid logGroupNamePattern.");
    }
    // Groups fetchstack creates carry no data source: all fall in one "unknown" bucket.
    let count = 0;
    for await (const entry of ctx.store.list<StoredGroup>({ prefix: keys.groups() })) {
      if (pattern && !pattern.test(entry.value.logGroupName)) continue;
      if (input.logGroupClass !== undefined && entry.value.logGroupClass !== input.logGroupClass) continue;
      count++;
    }
    const identifiers = [{ key: "dataSource.Name", value: "unknown" }, { key: "dataSource.Type", value: "unknown" }];
    if (input.groupBy === "DATA_SOURCE_NAME_TYPE_AND_FORMAT") identifiers.push({ key: "dataSource.Format", value: "unknown" });
    return { aggregateLogGroupSummaries: count > 0 && !input.dataSources?.length ? [{ logGroupCount: count, groupingIdentifiers: identifiers }] : [] };
  },

  async GetLogFields(input) {
    // Fields are known only for AWS data sources, none of which send logs to fetchstack.
    throw resourceNotFound(`Data source ${input.dataSourceName} of type ${input.dataSourceType} does not exist.`);
  },

  async DescribeConfigurationTemplates(input) {
    const all = TEMPLATES.filter((t) =>
      (input.service === undefined || t.service === input.service) &&
      (!input.logTypes?.length || input.logTypes.includes(t.logType!)) &&
      (!input.resourceTypes?.length || input.resourceTypes.includes(t.resourceType!)) &&
      (!input.deliveryDestinationTypes?.length || input.deliveryDestinationTypes.includes(t.deliveryDestinationType!)));
    const { page, nextToken } = pageByIndex(all, input.nextToken, input.limit ?? 50);
    return { configurationTemplates: page, ...(nextToken ? { nextToken } : {}) };
  },
};

