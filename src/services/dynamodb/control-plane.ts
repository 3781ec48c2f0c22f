/**
 * Control-plane features kept as state: global tables (version 2017.11.29 operations, and
 * UpdateTable ReplicaUpdates of version 2019.11.21), replica auto scaling, Kinesis streaming
 * destinations, Contributor Insights and resource policies.
 * Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateGlobalTable.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_EnableKinesisStreamingDestination.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateContributorInsights.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutResourcePolicy.html
 *
 * Nothing is replicated to other regions: each answers with the configuration as DynamoDB would
 * report it once the change has taken effect. An ACTIVE Kinesis destination does receive the
 * table's change records (kinesis-delivery.ts).
 */
import { AwsError } from "../../protocol/errors.ts";
import { withLock } from "../../store/mutex.ts";
import type { InputOf, OutputOf, RequestContext } from "../types.ts";
import { findIndex, findTable, tableKey, tableNameOf, type TableRecord } from "./table-model.ts";
import type * as ddb from "../../generated/dynamodb.ts";
type Ops = ddb.Operations;

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

function notFound(name: string): AwsError {
  return new AwsError("ResourceNotFoundException", `Requested resource not found: Table: ${name} not found`, 400);
}

/** Reads, changes and stores a table record under the table lock. */
async function changeTable(ctx: RequestContext, nameOrArn: string, change: (t: TableRecord) => TableRecord, missing = notFound): Promise<TableRecord> {
  const name = tableNameOf(nameOrArn);
  return withLock(`dynamodb-table/${ctx.accountId}/${ctx.region}/${name}`, async () => {
    const table = await findTable(ctx, name);
    if (!table) throw missing(name);
    const next = change(table);
    if (next !== table) await ctx.store.set(tableKey(name), next);
    return next;
  });
}

async function requireTableOr(ctx: RequestContext, nameOrArn: string, missing = notFound): Promise<TableRecord> {
  const name = tableNameOf(nameOrArn);
  const table = await findTable(ctx, name);
  if (!table) throw missing(name);
  return table;
}

// ---- Global tables, version 2017.11.29 ----

interface GlobalTableRecord {
  name: string;
  regions: string[];
  createdAt: number;
}

const globalKey = (name: string) => ["gtable", name];

function globalDescription(ctx: RequestContext, g: GlobalTableRecord): ddb.GlobalTableDescription {
  return {
    ReplicationGroup: g.regions.map((r) => ({ RegionName: r, ReplicaStatus: "ACTIVE" })),
    GlobalTableArn: `arn:aws:dynamodb::${ctx.accountId}:global-table/${g.name}`,
    CreationDateTime: new Date(g.createdAt),
    GlobalTableStatus: "ACTIVE",
    GlobalTableName: g.name,
  };
}

function globalNotFound(): AwsError {
  return new AwsError("GlobalTableNotFoundException", "Global table not found", 400);
}

export async function createGlobalTable(input: InputOf<Ops, "CreateGlobalTable">, ctx: RequestContext): Promise<OutputOf<Ops, "CreateGlobalTable">> {
  const table = await findTable(ctx, input.GlobalTableName);
  if (!table) throw new AwsError("TableNotFoundException", `Table not found: ${input.GlobalTableName}`, 400);
  if (!table.stream.enabled || table.stream.viewType !== "NEW_AND_OLD_IMAGES") {
    throw invalid(`One or more parameter values were invalid: Table ${input.GlobalTableName} should have DynamoDB Streams enabled with StreamViewType set to NEW_AND_OLD_IMAGES`);
  }
  const record: GlobalTableRecord = { name: input.GlobalTableName, regions: [...new Set(input.ReplicationGroup.flatMap((r) => (r.RegionName ? [r.RegionName] : [])))], createdAt: ctx.clock.now() };
  const ok = await ctx.store.atomic().check({ key: globalKey(record.name), versionstamp: null }).set(globalKey(record.name), record).commit();
  if (!ok.ok) throw new AwsError("GlobalTableAlreadyExistsException", "Global table already exists", 400);
  return { GlobalTableDescription: globalDescription(ctx, record) };
}

async function requireGlobal(ctx: RequestContext, name: string): Promise<GlobalTableRecord> {
  const g = (await ctx.store.get<GlobalTableRecord>(globalKey(name))).value;
  if (!g) throw globalNotFound();
  return g;
}

export async function describeGlobalTable(input: InputOf<Ops, "DescribeGlobalTable">, ctx: RequestContext): Promise<OutputOf<Ops, "DescribeGlobalTable">> {
  return { GlobalTableDescription: globalDescription(ctx, await requireGlobal(ctx, input.GlobalTableName)) };
}

export async function listGlobalTables(input: InputOf<Ops, "ListGlobalTables">, ctx: RequestContext): Promise<OutputOf<Ops, "ListGlobalTables">> {
  const limit = input.Limit ?? 100;
  const out: { GlobalTableName: string; ReplicationGroup: { RegionName: string }[] }[] = [];
  let more = false;
  for await (const e of ctx.store.list<GlobalTableRecord>({ prefix: ["gtable"] })) {
    const g = e.value;
    if (input.ExclusiveStartGlobalTableName && g.name <= input.ExclusiveStartGlobalTableName) continue;
    if (input.RegionName && !g.regions.includes(input.RegionName)) continue;
    if (out.length === limit) {
      more = true;
      break;
    }
    out.push({ GlobalTableName: g.name, ReplicationGroup: g.regions.map((r) => ({ RegionName: r })) });
  }
  return { GlobalTables: out, ...(more ? { LastEvaluatedGlobalTableName: out[out.length - 1]!.GlobalTableName } : {}) };
}

export async function updateGlobalTable(input: InputOf<Ops, "UpdateGlobalTable">, ctx: RequestContext): Promise<OutputOf<Ops, "UpdateGlobalTable">> {
  const g = await requireGlobal(ctx, input.GlobalTableName);
  const regions = [...g.regions];
  for (const u of input.ReplicaUpdates) {
    if (u.Create) {
      if (regions.includes(u.Create.RegionName)) throw new AwsError("ReplicaAlreadyExistsException", `Replica already exists in region ${u.Create.RegionName}`, 400);
      regions.push(u.Create.RegionName);
    } else if (u.Delete) {
      const at = regions.indexOf(u.Delete.RegionName);
      if (at < 0) throw new AwsError("ReplicaNotFoundException", `Replica not found in region ${u.Delete.RegionName}`, 400);
      regions.splice(at, 1);
    }
  }
  const next = { ...g, regions };
  await ctx.store.set(globalKey(g.name), next);
  return { GlobalTableDescription: globalDescription(ctx, next) };
}

async function globalSettings(ctx: RequestContext, g: GlobalTableRecord): Promise<ddb.DescribeGlobalTableSettingsOutput> {
  const table = await findTable(ctx, g.name);
  const provisioned = table?.billingMode !== "PAY_PER_REQUEST";
  return {
    GlobalTableName: g.name,
    ReplicaSettings: g.regions.map((r) => ({
      RegionName: r,
      ReplicaStatus: "ACTIVE",
      ReplicaBillingModeSummary: { BillingMode: table?.billingMode ?? "PROVISIONED" },
      ...(provisioned ? { ReplicaProvisionedReadCapacityUnits: table?.throughput.ReadCapacityUnits ?? 0, ReplicaProvisionedWriteCapacityUnits: table?.throughput.WriteCapacityUnits ?? 0 } : {}),
      ReplicaGlobalSecondaryIndexSettings: (table?.gsis ?? []).map((i) => ({
        IndexName: i.name,
        IndexStatus: "ACTIVE",
        ...(provisioned ? { ProvisionedReadCapacityUnits: i.throughput?.ReadCapacityUnits ?? 0, ProvisionedWriteCapacityUnits: i.throughput?.WriteCapacityUnits ?? 0 } : {}),
      })),
    })),
  };
}

export async function describeGlobalTableSettings(input: InputOf<Ops, "DescribeGlobalTableSettings">, ctx: RequestContext): Promise<OutputOf<Ops, "DescribeGlobalTableSettings">> {
  return globalSettings(ctx, await requireGlobal(ctx, input.GlobalTableName));
}

export async function updateGlobalTableSettings(input: InputOf<Ops, "UpdateGlobalTableSettings">, ctx: RequestContext): Promise<OutputOf<Ops, "UpdateGlobalTableSettings">> {
  const g = await requireGlobal(ctx, input.GlobalTableName);
  if (input.GlobalTableBillingMode || input.GlobalTableProvisionedWriteCapacityUnits !== undefined) {
    await changeTable(ctx, g.name, (t) => ({
      ...t,
      ...(input.GlobalTableBillingMode ? { billingMode: input.GlobalTableBillingMode } : {}),
      ...(input.GlobalTableProvisionedWriteCapacityUnits !== undefined
        ? { throughput: { ...t.throughput, WriteCapacityUnits: input.GlobalTableProvisionedWriteCapacityUnits } }
        : {}),
    }));
  }
  return globalSettings(ctx, g);
}

// ---- Replica auto scaling ----

async function autoScaling(ctx: RequestContext, nameOrArn: string): Promise<ddb.DescribeTableReplicaAutoScalingOutput> {
  const table = await requireTableOr(ctx, nameOrArn);
  return {
    TableAutoScalingDescription: {
      TableName: table.name,
      TableStatus: "ACTIVE",
      Replicas: (table.replicas ?? []).map((r) => ({ RegionName: r.RegionName, ReplicaStatus: r.ReplicaStatus, GlobalSecondaryIndexes: [] })),
    },
  };
}

export function describeTableReplicaAutoScaling(input: InputOf<Ops, "DescribeTableReplicaAutoScaling">, ctx: RequestContext): Promise<OutputOf<Ops, "DescribeTableReplicaAutoScaling">> {
  return autoScaling(ctx, input.TableName);
}

export function updateTableReplicaAutoScaling(input: InputOf<Ops, "UpdateTableReplicaAutoScaling">, ctx: RequestContext): Promise<OutputOf<Ops, "UpdateTableReplicaAutoScaling">> {
  return autoScaling(ctx, input.TableName);
}

/** UpdateTable ReplicaUpdates (global tables version 2019.11.21): replicas as state. */
export function applyReplicaUpdates(
  table: TableRecord,
  updates: { Create?: { RegionName: string; KMSMasterKeyId?: string; TableClassOverride?: string }; Update?: { RegionName: string }; Delete?: { RegionName: string } }[],
  region: string,
): TableRecord {
  if (updates.length && (!table.stream.enabled || table.stream.viewType !== "NEW_AND_OLD_IMAGES")) {
    throw invalid("One or more parameter values were invalid: Table StreamSpecification must be enabled with NEW_AND_OLD_IMAGES to add replicas");
  }
  const replicas = [...(table.replicas ?? [])];
  for (const u of updates) {
    if (u.Create) {
      if (u.Create.RegionName === region || replicas.some((r) => r.RegionName === u.Create!.RegionName)) {
        throw invalid(`One or more parameter values were invalid: Replica already exists in region ${u.Create.RegionName}`);
      }
      replicas.push({ RegionName: u.Create.RegionName, ReplicaStatus: "ACTIVE", ...(u.Create.KMSMasterKeyId ? { KMSMasterKeyId: u.Create.KMSMasterKeyId } : {}) });
    } else if (u.Delete) {
      const at = replicas.findIndex((r) => r.RegionName === u.Delete!.RegionName);
      if (at < 0) throw invalid(`One or more parameter values were invalid: Replica does not exist in region ${u.Delete.RegionName}`);
      replicas.splice(at, 1);
    } else if (u.Update && !replicas.some((r) => r.RegionName === u.Update!.RegionName)) {
      throw invalid(`One or more parameter values were invalid: Replica does not exist in region ${u.Update.RegionName}`);
    }
  }
  const self: (typeof replicas)[number] = { RegionName: region, ReplicaStatus: "ACTIVE" };
  const withSelf = replicas.length && !replicas.some((r) => r.RegionName === region) ? [self, ...replicas] : replicas;
  return { ...table, replicas: withSelf.length > 1 ? withSelf : [] };
}

// ---- Kinesis streaming destinations ----

function kinesisArn(arn: string): string {
  if (!/^arn:aws[a-z-]*:kinesis:[^:]+:\d{12}:stream\/.+/.test(arn)) throw invalid(`1 validation error detected: Value '${arn}' at 'streamArn' failed to satisfy constraint: Member must be a Kinesis stream ARN`);
  return arn;
}

export async function enableKinesisStreamingDestination(input: InputOf<Ops, "EnableKinesisStreamingDestination">, ctx: RequestContext): Promise<OutputOf<Ops, "EnableKinesisStreamingDestination">> {
  const arn = kinesisArn(input.StreamArn);
  const precision = input.EnableKinesisStreamingConfiguration?.ApproximateCreationDateTimePrecision ?? "MILLISECOND";
  const table = await changeTable(ctx, input.TableName, (t) => {
    const existing = (t.kinesis ?? []).find((d) => d.StreamArn === arn && d.DestinationStatus === "ACTIVE");
    if (existing) {
      throw invalid("Table is not in a valid state to enable Kinesis Streaming Destination: EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform ENABLE operation.");
    }
    return { ...t, kinesis: [...(t.kinesis ?? []).filter((d) => d.StreamArn !== arn), { StreamArn: arn, DestinationStatus: "ACTIVE", ApproximateCreationDateTimePrecision: precision }] };
  });
  return { TableName: table.name, StreamArn: arn, DestinationStatus: "ENABLING", EnableKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: precision } };
}

export async function disableKinesisStreamingDestination(input: InputOf<Ops, "DisableKinesisStreamingDestination">, ctx: RequestContext): Promise<OutputOf<Ops, "DisableKinesisStreamingDestination">> {
  const table = await changeTable(ctx, input.TableName, (t) => {
    const d = (t.kinesis ?? []).find((x) => x.StreamArn === input.StreamArn && x.DestinationStatus === "ACTIVE");
    if (!d) throw invalid("Table is not in a valid state to enable Kinesis Streaming Destination: KinesisStreamingDestination must be ACTIVE to perform DISABLE operation.");
    return { ...t, kinesis: t.kinesis!.map((x) => (x === d ? { ...x, DestinationStatus: "DISABLED" } : x)) };
  });
  return { TableName: table.name, StreamArn: input.StreamArn, DestinationStatus: "DISABLING" };
}

export async function updateKinesisStreamingDestination(input: InputOf<Ops, "UpdateKinesisStreamingDestination">, ctx: RequestContext): Promise<OutputOf<Ops, "UpdateKinesisStreamingDestination">> {
  const precision = input.UpdateKinesisStreamingConfiguration?.ApproximateCreationDateTimePrecision;
  if (!precision) throw invalid("Streaming destination cannot be updated with given parameters: UpdateKinesisStreamingConfiguration cannot be null or contain only null values");
  const table = await changeTable(ctx, input.TableName, (t) => {
    const d = (t.kinesis ?? []).find((x) => x.StreamArn === input.StreamArn && x.DestinationStatus === "ACTIVE");
    if (!d) {
      throw invalid(`Table is not in a valid state to enable Kinesis Streaming Destination: Kinesis streaming is not in ACTIVE state. Updates are only allowed in ACTIVE state. TableName: ${t.name}, kdsArn: ${input.StreamArn}`);
    }
    if (d.ApproximateCreationDateTimePrecision === precision) throw invalid(`Invalid Request: Precision is already set to the desired value of ${precision} for tableId: ${t.id}, kdsArn: ${d.StreamArn}`);
    return { ...t, kinesis: t.kinesis!.map((x) => (x === d ? { ...x, ApproximateCreationDateTimePrecision: precision } : x)) };
  });
  return { TableName: table.name, StreamArn: input.StreamArn, DestinationStatus: "UPDATING", UpdateKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: precision } };
}

export async function describeKinesisStreamingDestination(input: InputOf<Ops, "DescribeKinesisStreamingDestination">, ctx: RequestContext): Promise<OutputOf<Ops, "DescribeKinesisStreamingDestination">> {
  const table = await requireTableOr(ctx, input.TableName);
  return { TableName: table.name, KinesisDataStreamDestinations: table.kinesis ?? [] };
}

// ---- Contributor Insights ----

function rules(table: TableRecord, index?: string): string[] {
  const base = index ? `DynamoDBContributorInsights-PKC-${table.name}-${index}` : `DynamoDBContributorInsights-PKC-${table.name}`;
  const keyed = index ? findIndex(table, index)?.range : table.range;
  return [base.replace("-PKC-", "-PKT-"), base, ...(keyed ? [base.replace("-PKC-", "-SKC-"), base.replace("-PKC-", "-SKT-")] : [])].map((r) => `${r}-${table.createdAt}`);
}

export async function describeContributorInsights(input: InputOf<Ops, "DescribeContributorInsights">, ctx: RequestContext): Promise<OutputOf<Ops, "DescribeContributorInsights">> {
  const table = await requireTableOr(ctx, input.TableName);
  if (input.IndexName && !findIndex(table, input.IndexName)) throw new AwsError("ResourceNotFoundException", `Requested resource not found: Index: ${input.IndexName} not found`, 400);
  const s = table.insights?.[input.IndexName ?? ""];
  return {
    TableName: table.name,
    ...(input.IndexName ? { IndexName: input.IndexName } : {}),
    ContributorInsightsStatus: s?.status ?? "DISABLED",
    ...(s?.status === "ENABLED" ? { ContributorInsightsRuleList: rules(table, input.IndexName), ContributorInsightsMode: s.mode ?? "ACCESSED_AND_THROTTLED_KEYS" } : {}),
    ...(s ? { LastUpdateDateTime: new Date(s.at) } : {}),
  };
}

export async function updateContributorInsights(input: InputOf<Ops, "UpdateContributorInsights">, ctx: RequestContext): Promise<OutputOf<Ops, "UpdateContributorInsights">> {
  const table = await changeTable(ctx, input.TableName, (t) => {
    if (input.IndexName && !findIndex(t, input.IndexName)) throw new AwsError("ResourceNotFoundException", `Requested resource not found: Index: ${input.IndexName} not found`, 400);
    const status = input.ContributorInsightsAction === "ENABLE" ? "ENABLED" : "DISABLED";
    return { ...t, insights: { ...(t.insights ?? {}), [input.IndexName ?? ""]: { status, at: ctx.clock.now(), ...(input.ContributorInsightsMode ? { mode: input.ContributorInsightsMode } : {}) } } };
  });
  const s = table.insights![input.IndexName ?? ""]!;
  return {
    TableName: table.name,
    ...(input.IndexName ? { IndexName: input.IndexName } : {}),
    ContributorInsightsStatus: s.status === "ENABLED" ? "ENABLING" : "DISABLING",
    ...(s.status === "ENABLED" ? { ContributorInsightsMode: s.mode ?? "ACCESSED_AND_THROTTLED_KEYS" } : {}),
  };
}

export async function listContributorInsights(input: InputOf<Ops, "ListContributorInsights">, ctx: RequestContext): Promise<OutputOf<Ops, "ListContributorInsights">> {
  const tables: TableRecord[] = [];
  if (input.TableName) tables.push(await requireTableOr(ctx, input.TableName));
  else for await (const e of ctx.store.list<TableRecord>({ prefix: ["table"] })) tables.push(e.value);
  const all = tables.flatMap((t) => Object.entries(t.insights ?? {}).map(([index, s]) => ({
    TableName: t.name, ...(index ? { IndexName: index } : {}), ContributorInsightsStatus: s.status,
    ...(s.status === "ENABLED" ? { ContributorInsightsMode: s.mode ?? "ACCESSED_AND_THROTTLED_KEYS" } : {}),
  })));
  const start = input.NextToken ? Number(input.NextToken) || 0 : 0;
  const size = input.MaxResults ?? 100;
  const page = all.slice(start, start + size);
  return { ContributorInsightsSummaries: page, ...(start + size < all.length ? { NextToken: String(start + size) } : {}) };
}

// ---- Resource policies ----

interface PolicyRecord {
  policy: string;
  revision: string;
}

const policyKey = (arn: string) => ["policy", arn];

/** The table (or its stream) a resource ARN names; ResourceNotFoundException otherwise. */
async function requireResource(ctx: RequestContext, arn: string): Promise<void> {
  const m = /^arn:aws[a-z-]*:dynamodb:[^:]*:(\d{12}):table\/([^/]+)(\/stream\/.+)?$/.exec(arn);
  const table = m && m[1] === ctx.accountId ? await findTable(ctx, m[2]!) : null;
  if (!table || (m![3] && table.stream.arn !== arn)) throw new AwsError("ResourceNotFoundException", `Requested resource not found: ${arn}`, 400);
}

function policyNotFound(arn: string): AwsError {
  return new AwsError("PolicyNotFoundException", `Resource-based policy not found for the provided ResourceArn: ${arn}`, 400);
}

export async function putResourcePolicy(input: InputOf<Ops, "PutResourcePolicy">, ctx: RequestContext): Promise<OutputOf<Ops, "PutResourcePolicy">> {
  await requireResource(ctx, input.ResourceArn);
  if (new TextEncoder().encode(input.Policy).length > 20480) throw invalid("One or more parameter values were invalid: Maximum policy size of 20480 bytes exceeded");
  let doc: { Statement?: unknown } | null;
  try {
    doc = JSON.parse(input.Policy);
  } catch {
    doc = null;
  }
  if (!doc || typeof doc !== "object") throw invalid("One or more parameter values were invalid: Invalid policy document: This policy contains invalid Json");
  if (!doc.Statement || (Array.isArray(doc.Statement) && !doc.Statement.length)) {
    throw invalid("One or more parameter values were invalid: Invalid policy document: Could not parse the policy: Statement is empty!");
  }
  return withLock(`dynamodb-policy/${ctx.accountId}/${ctx.region}/${input.ResourceArn}`, async () => {
    const current = (await ctx.store.get<PolicyRecord>(policyKey(input.ResourceArn))).value;
    if (input.ExpectedRevisionId !== undefined && current?.revision !== input.ExpectedRevisionId) {
      if (!current) throw policyNotFound(input.ResourceArn);
      throw new AwsError("PolicyNotFoundException", `A policy with the provided revision ID ${input.ExpectedRevisionId} was not found for the ResourceArn: ${input.ResourceArn}`, 400);
    }
    const revision = String(ctx.clock.now() * 1000 + Math.floor(Math.random() * 1000));
    await ctx.store.set(policyKey(input.ResourceArn), { policy: input.Policy, revision });
    return { RevisionId: revision };
  });
}

export async function getResourcePolicy(input: InputOf<Ops, "GetResourcePolicy">, ctx: RequestContext): Promise<OutputOf<Ops, "GetResourcePolicy">> {
  await requireResource(ctx, input.ResourceArn);
  const p = (await ctx.store.get<PolicyRecord>(policyKey(input.ResourceArn))).value;
  if (!p) throw policyNotFound(input.ResourceArn);
  return { Policy: p.policy, RevisionId: p.revision };
}

export async function deleteResourcePolicy(input: InputOf<Ops, "DeleteResourcePolicy">, ctx: RequestContext): Promise<OutputOf<Ops, "DeleteResourcePolicy">> {
  await requireResource(ctx, input.ResourceArn);
  const p = (await ctx.store.get<PolicyRecord>(policyKey(input.ResourceArn))).value;
  if (!p) throw policyNotFound(input.ResourceArn);
  if (input.ExpectedRevisionId !== undefined && input.ExpectedRevisionId !== p.revision) {
    throw new AwsError("PolicyNotFoundException", `A policy with the provided revision ID ${input.ExpectedRevisionId} was not found for the ResourceArn: ${input.ResourceArn}`, 400);
  }
  await ctx.store.delete(policyKey(input.ResourceArn));
  return { RevisionId: p.revision };
}
