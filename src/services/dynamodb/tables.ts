/**
 * Table lifecycle: CreateTable, DescribeTable, UpdateTable, DeleteTable, ListTables,
 * DescribeLimits, DescribeEndpoints.
 * Source: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
 *
 * Status (docs/dynamodb-table-status.md): CreateTable answers CREATING, UpdateTable UPDATING
 * and DeleteTable DELETING, as AWS does; the change itself is immediate, so the next
 * DescribeTable already says ACTIVE (or ResourceNotFound) and SDK waiters finish on their
 * first poll.
 */
import { AwsError } from "../../protocol/errors.ts";
import type { InputOf, OutputOf, RequestContext } from "../types.ts";
import type * as ddb from "../../generated/dynamodb.ts";
type Ops = ddb.Operations;
import { withLock } from "../../store/mutex.ts";
import {
  checkTableName, findTable, requireTable, tableKey, tableNameOf, tableNotFound,
  type IndexRecord, type KeySchemaElement, type TableRecord, type Throughput,
} from "./table-model.ts";
import { checkBilling, checkCreateTable, checkKeySchema, checkThroughputBounds, invalid, type CreateTableInput } from "./table-validation.ts";
import { backfillIndex, countRange, dropIndexData, dropTableData, indexPrefix, itemPrefix } from "./storage.ts";
import { itemSize } from "./values-adapter.ts";
import { checkTags } from "./tags.ts";
import { disableStream, stageStreamInfo } from "./streams.ts";
import { applyReplicaUpdates } from "./control-plane.ts";
import { keyAccess, resolveSse } from "./sse.ts";

const INVALID = "One or more parameter values were invalid: ";

function uuid(): string {
  return crypto.randomUUID();
}

/** 12 random hex digits: a table's id in its data's store keys (see TableRecord.keyId). */
function keyId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  let hex = "";
  for (const b of bytes) hex += (b + 0x100).toString(16).slice(1);
  return hex;
}

function keyNames(schema: KeySchemaElement[]): { hash: string; range?: string } {
  const range = schema.find((k) => k.KeyType === "RANGE")?.AttributeName;
  return { hash: schema.find((k) => k.KeyType === "HASH")!.AttributeName, ...(range ? { range } : {}) };
}

function throughputOf(t: { ReadCapacityUnits?: number; WriteCapacityUnits?: number } | undefined): Throughput {
  return { ReadCapacityUnits: t?.ReadCapacityUnits ?? 0, WriteCapacityUnits: t?.WriteCapacityUnits ?? 0, NumberOfDecreasesToday: 0 };
}

function streamLabel(now: number): string {
  return new Date(now).toISOString().replace("Z", "");
}

function lock(ctx: RequestContext, name: string): string {
  return `dynamodb-table/${ctx.accountId}/${ctx.region}/${name}`;
}

export async function createTable(input: InputOf<Ops, "CreateTable">, ctx: RequestContext): Promise<OutputOf<Ops, "CreateTable">> {
  checkTableName(input.TableName);
  checkCreateTable(input);
  checkTags(input.Tags);
  if (input.StreamSpecification?.StreamEnabled && !input.StreamSpecification.StreamViewType) {
    throw invalid(`${INVALID}Table is being created with a stream enabled, UpdateViewType is required`);
  }
  if (input.StreamSpecification && !input.StreamSpecification.StreamEnabled && input.StreamSpecification.StreamViewType) {
    throw invalid(`${INVALID}Table is being created with a stream disabled, UpdateViewType should not be specified`);
  }
  const name = input.TableName;
  const now = ctx.clock.now();
  const arn = `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${name}`;
  const payPerRequest = input.BillingMode === "PAY_PER_REQUEST";
  const index = (i: ddb.GlobalSecondaryIndex | ddb.LocalSecondaryIndex, kind: "GSI" | "LSI"): IndexRecord => ({
    name: i.IndexName,
    kind,
    KeySchema: i.KeySchema,
    ...keyNames(i.KeySchema),
    Projection: i.Projection,
    ...("ProvisionedThroughput" in i || kind === "GSI" ? { throughput: throughputOf((i as ddb.GlobalSecondaryIndex).ProvisionedThroughput) } : {}),
    ...("OnDemandThroughput" in i && i.OnDemandThroughput ? { OnDemandThroughput: i.OnDemandThroughput } : {}),
    arn: `${arn}/index/${i.IndexName}`,
  });
  const stream = input.StreamSpecification?.StreamEnabled
    ? { enabled: true, viewType: input.StreamSpecification.StreamViewType, label: streamLabel(now), arn: `${arn}/stream/${streamLabel(now)}` }
    : { enabled: false };
  const sse = input.SSESpecification ? await resolveSse(ctx, input.SSESpecification) : undefined;
  const table: TableRecord = {
    id: uuid(),
    keyId: keyId(),
    name,
    arn,
    createdAt: now,
    AttributeDefinitions: input.AttributeDefinitions!,
    KeySchema: input.KeySchema!,
    ...keyNames(input.KeySchema!),
    billingMode: payPerRequest ? "PAY_PER_REQUEST" : "PROVISIONED",
    ...(payPerRequest ? { payPerRequestSince: now } : {}),
    throughput: throughputOf(input.ProvisionedThroughput),
    gsis: (input.GlobalSecondaryIndexes ?? []).map((i) => index(i, "GSI")),
    lsis: (input.LocalSecondaryIndexes ?? []).map((i) => index(i, "LSI")),
    stream,
    ...(sse ? { sse } : {}),
    ...(input.TableClass ? { tableClass: input.TableClass } : {}),
    deletionProtection: input.DeletionProtectionEnabled ?? false,
    tags: input.Tags ?? [],
    ...(input.OnDemandThroughput ? { OnDemandThroughput: input.OnDemandThroughput } : {}),
  };
  await withLock(lock(ctx, name), async () => {
    const op = ctx.store.atomic().check({ key: tableKey(name), versionstamp: null }).set(tableKey(name), table);
    stageStreamInfo(op, table, now);
    const existing = await op.commit();
    if (!existing.ok) throw new AwsError("ResourceInUseException", `Table already exists: ${name}`, 400);
  });
  return { TableDescription: await describe(ctx, table, "CREATING") };
}

function throughputDescription(t: Throughput | undefined) {
  return {
    ...(t?.LastIncreaseDateTime ? { LastIncreaseDateTime: new Date(t.LastIncreaseDateTime) } : {}),
    ...(t?.LastDecreaseDateTime ? { LastDecreaseDateTime: new Date(t.LastDecreaseDateTime) } : {}),
    NumberOfDecreasesToday: t?.NumberOfDecreasesToday ?? 0,
    ReadCapacityUnits: t?.ReadCapacityUnits ?? 0,
    WriteCapacityUnits: t?.WriteCapacityUnits ?? 0,
  };
}

/** The TableDescription of a table, with live ItemCount and TableSizeBytes. */
export async function describe(ctx: RequestContext, table: TableRecord, status?: ddb.TableStatus, counts = true): Promise<ddb.TableDescription> {
  const stats = counts ? await countRange(ctx.store, itemPrefix(table), itemSize) : { count: 0, bytes: 0 };
  const indexDescription = async (i: IndexRecord): Promise<ddb.GlobalSecondaryIndexDescription & ddb.LocalSecondaryIndexDescription> => {
    const s = counts ? await countRange(ctx.store, indexPrefix(table, i), itemSize) : { count: 0, bytes: 0 };
    const base = { IndexName: i.name, KeySchema: i.KeySchema, Projection: i.Projection };
    if (i.kind === "LSI") return { ...base, IndexSizeBytes: s.bytes, ItemCount: s.count, IndexArn: i.arn };
    return {
      ...base,
      IndexStatus: "ACTIVE",
      ProvisionedThroughput: throughputDescription(i.throughput),
      IndexSizeBytes: s.bytes,
      ItemCount: s.count,
      IndexArn: i.arn,
      ...(i.OnDemandThroughput ? { OnDemandThroughput: i.OnDemandThroughput } : {}),
    };
  };
  const kmsKey = table.sse?.kmsKey;
  const access = status === undefined ? await keyAccess(ctx, table.sse) : undefined;
  const inaccessible = access !== undefined && !access.accessible;
  return {
    AttributeDefinitions: table.AttributeDefinitions,
    TableName: table.name,
    KeySchema: table.KeySchema,
    TableStatus: status ?? (inaccessible ? "INACCESSIBLE_ENCRYPTION_CREDENTIALS" : undefined) ?? (table.updatingUntil && table.updatingUntil > ctx.clock.now() ? "UPDATING" : "ACTIVE"),
    CreationDateTime: new Date(table.createdAt),
    ProvisionedThroughput: throughputDescription(table.throughput),
    TableSizeBytes: stats.bytes,
    ItemCount: stats.count,
    TableArn: table.arn,
    TableId: table.id,
    ...(table.billingMode === "PAY_PER_REQUEST"
      ? { BillingModeSummary: { BillingMode: "PAY_PER_REQUEST", LastUpdateToPayPerRequestDateTime: new Date(table.payPerRequestSince ?? table.createdAt) } }
      : table.payPerRequestSince ? { BillingModeSummary: { BillingMode: "PROVISIONED" } } : {}),
    ...(table.lsis.length ? { LocalSecondaryIndexes: await Promise.all(table.lsis.map(indexDescription)) } : {}),
    ...(table.gsis.length ? { GlobalSecondaryIndexes: await Promise.all(table.gsis.map(indexDescription)) } : {}),
    ...(table.stream.enabled ? { StreamSpecification: { StreamEnabled: true, StreamViewType: table.stream.viewType } } : {}),
    ...(table.stream.label ? { LatestStreamLabel: table.stream.label, LatestStreamArn: table.stream.arn } : {}),
    ...(table.sse?.enabled
      ? {
        SSEDescription: {
          Status: "ENABLED",
          SSEType: "KMS",
          KMSMasterKeyArn: kmsKey?.startsWith("arn:") ? kmsKey : `arn:aws:kms:${ctx.region}:${ctx.accountId}:key/${kmsKey ?? table.id}`,
          ...(inaccessible ? { InaccessibleEncryptionDateTime: new Date(table.sse?.inaccessibleSince ?? ctx.clock.now()) } : {}),
        },
      }
      : {}),
    ...(table.tableClass ? { TableClassSummary: { TableClass: table.tableClass, ...(table.tableClassUpdatedAt ? { LastUpdateDateTime: new Date(table.tableClassUpdatedAt) } : {}) } } : {}),
    DeletionProtectionEnabled: table.deletionProtection,
    ...(table.restoreSummary
      ? { RestoreSummary: { ...table.restoreSummary, RestoreDateTime: new Date(table.restoreSummary.RestoreDateTime), RestoreInProgress: false } }
      : {}),
    ...(table.replicas?.length ? { GlobalTableVersion: "2019.11.21", Replicas: table.replicas } : {}),
    ...(table.OnDemandThroughput ? { OnDemandThroughput: table.OnDemandThroughput } : {}),
  };
}

export async function describeTable(input: InputOf<Ops, "DescribeTable">, ctx: RequestContext): Promise<OutputOf<Ops, "DescribeTable">> {
  const table = await requireTable(ctx, input.TableName, true);
  const description = await describe(ctx, table);
  // Remember when the key was first found unusable (InaccessibleEncryptionDateTime), or forget it.
  const inaccessible = description.TableStatus === "INACCESSIBLE_ENCRYPTION_CREDENTIALS";
  if (table.sse && inaccessible !== (table.sse.inaccessibleSince !== undefined)) {
    await withLock(lock(ctx, table.name), async () => {
      const current = await findTable(ctx, table.name);
      if (!current?.sse) return;
      const { inaccessibleSince: _, ...rest } = current.sse;
      const since = (description.SSEDescription as { InaccessibleEncryptionDateTime?: Date } | undefined)?.InaccessibleEncryptionDateTime?.getTime();
      await ctx.store.set(tableKey(table.name), { ...current, sse: inaccessible ? { ...rest, inaccessibleSince: since } : rest });
    });
  }
  return { Table: description };
}

export async function deleteTable(input: InputOf<Ops, "DeleteTable">, ctx: RequestContext): Promise<OutputOf<Ops, "DeleteTable">> {
  const name = tableNameOf(input.TableName);
  const table = await withLock(lock(ctx, name), async () => {
    const t = await findTable(ctx, name);
    if (!t) throw tableNotFound(name);
    if (t.deletionProtection) {
      throw invalid(`Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.`);
    }
    await ctx.store.delete(tableKey(name));
    await disableStream(ctx, t);
    return t;
  });
  const description = await describe(ctx, table, "DELETING");
  await dropTableData(ctx.store, table);
  return { TableDescription: description };
}

export async function listTables(input: InputOf<Ops, "ListTables">, ctx: RequestContext): Promise<OutputOf<Ops, "ListTables">> {
  const limit = input.Limit ?? 100;
  const names: string[] = [];
  const selector = input.ExclusiveStartTableName
    ? { prefix: ["table"], start: ["table", input.ExclusiveStartTableName] }
    : { prefix: ["table"] };
  let more = false;
  for await (const entry of ctx.store.list<TableRecord>(selector)) {
    const name = entry.key[1] as string;
    if (name === input.ExclusiveStartTableName) continue;
    if (names.length === limit) {
      more = true;
      break;
    }
    names.push(name);
  }
  return { TableNames: names, ...(more ? { LastEvaluatedTableName: names[names.length - 1] } : {}) };
}

type UpdateTableInput = InputOf<Ops, "UpdateTable">;

function sameThroughput(current: Throughput, requested: { ReadCapacityUnits: number; WriteCapacityUnits: number }): boolean {
  return current.ReadCapacityUnits === requested.ReadCapacityUnits && current.WriteCapacityUnits === requested.WriteCapacityUnits;
}

function changedThroughput(current: Throughput, requested: { ReadCapacityUnits: number; WriteCapacityUnits: number }, now: number): Throughput {
  const increase = requested.ReadCapacityUnits > current.ReadCapacityUnits || requested.WriteCapacityUnits > current.WriteCapacityUnits;
  const decrease = requested.ReadCapacityUnits < current.ReadCapacityUnits || requested.WriteCapacityUnits < current.WriteCapacityUnits;
  return {
    ...current,
    ReadCapacityUnits: requested.ReadCapacityUnits,
    WriteCapacityUnits: requested.WriteCapacityUnits,
    ...(increase ? { LastIncreaseDateTime: now } : {}),
    ...(decrease ? { LastDecreaseDateTime: now, NumberOfDecreasesToday: current.NumberOfDecreasesToday + 1 } : {}),
  };
}

/**
 * UpdateTable's rules on what one request may combine and on the shape of its index updates,
 * checked before the table is read (messages as recorded against the live service).
 */
function checkUpdateShape(input: UpdateTableInput): void {
  const indexUpdates = input.GlobalSecondaryIndexUpdates ?? [];
  const seen = new Set<string>();
  for (const u of indexUpdates) {
    const actions = [u.Create, u.Update, u.Delete].filter((a) => a !== undefined);
    if (!actions.length) {
      throw invalid(`${INVALID}One of GlobalSecondaryIndexUpdate.Update, GlobalSecondaryIndexUpdate.Create, GlobalSecondaryIndexUpdate.Delete must not be null`);
    }
    if (actions.length > 1) throw invalid(`${INVALID}Only one global secondary index action is allowed per GlobalSecondaryIndexUpdate object`);
    const index = actions[0]!.IndexName;
    if (seen.has(index)) throw invalid(`${INVALID}Only one global secondary index update per index is allowed simultaneously. Index: ${index}`);
    seen.add(index);
  }
  const others = (skip: string) => [
    ["ProvisionedThroughput", input.ProvisionedThroughput], ["BillingMode", input.BillingMode], ["StreamSpecification", input.StreamSpecification],
    ["GlobalSecondaryIndexUpdates", input.GlobalSecondaryIndexUpdates], ["SSESpecification", input.SSESpecification], ["TableClass", input.TableClass],
    ["ReplicaUpdates", input.ReplicaUpdates], ["DeletionProtectionEnabled", input.DeletionProtectionEnabled], ["OnDemandThroughput", input.OnDemandThroughput],
  ].some(([k, v]) => k !== skip && v !== undefined);
  if (input.SSESpecification && others("SSESpecification")) throw invalid(`${INVALID}Server-Side Encryption modification must be the only operation in the request`);
  if (input.ReplicaUpdates?.length && others("ReplicaUpdates")) throw invalid(`${INVALID}Replica modification must be the only operation in the request`);
  if (input.TableClass && others("TableClass")) throw invalid(`${INVALID}TableClass modification must be the only operation in the request`);
  const indexCreateOrDelete = indexUpdates.some((u) => u.Create || u.Delete);
  if (input.StreamSpecification && input.ProvisionedThroughput) throw invalid(`${INVALID}You cannot modify stream status while updating table IOPS`);
  if (indexCreateOrDelete && input.ProvisionedThroughput) throw invalid(`${INVALID}You cannot create or delete index while updating table IOPS`);
  if (indexCreateOrDelete && input.StreamSpecification) throw invalid(`${INVALID}You cannot create or delete index while changing stream status`);
  const s = input.StreamSpecification;
  if (s?.StreamEnabled && !s.StreamViewType) throw invalid(`${INVALID}If stream is being enabled then UpdateViewType is required`);
  if (s && !s.StreamEnabled && s.StreamViewType) throw invalid(`${INVALID}If stream is being disabled, then UpdateViewType must not be specified`);
}

export async function updateTable(input: InputOf<Ops, "UpdateTable">, ctx: RequestContext): Promise<OutputOf<Ops, "UpdateTable">> {
  const name = tableNameOf(input.TableName);
  checkUpdateShape(input);
  const backfills: IndexRecord[] = [];
  const drops: IndexRecord[] = [];
  const updated = await withLock(lock(ctx, name), async () => {
    const table = await findTable(ctx, name);
    if (!table) throw tableNotFound(name);
    const now = ctx.clock.now();
    const t: TableRecord = { ...table, gsis: [...table.gsis] };
    let changed = false;
    const billing = input.BillingMode ?? table.billingMode;
    if (input.BillingMode && input.BillingMode !== table.billingMode) {
      changed = true;
      t.billingMode = input.BillingMode;
      if (input.BillingMode === "PAY_PER_REQUEST") {
        if (input.ProvisionedThroughput) checkBilling("PAY_PER_REQUEST", input.ProvisionedThroughput);
        t.payPerRequestSince = now;
        t.throughput = throughputOf(undefined);
        t.gsis = t.gsis.map((g) => ({ ...g, throughput: throughputOf(undefined) }));
      } else {
        if (!input.ProvisionedThroughput) throw invalid(`${INVALID}ProvisionedThroughput must be specified when BillingMode is PROVISIONED`);
        checkBilling("PROVISIONED", input.ProvisionedThroughput);
        t.throughput = throughputOf(input.ProvisionedThroughput);
        const creating = new Set((input.GlobalSecondaryIndexUpdates ?? []).map((u) => u.Update?.IndexName).filter(Boolean));
        for (const g of t.gsis) {
          if (!creating.has(g.name)) throw invalid(`${INVALID}ProvisionedThroughput must be specified for index: ${g.name}`);
        }
      }
    } else if (input.ProvisionedThroughput) {
      if (billing === "PAY_PER_REQUEST") {
        throw invalid(`${INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST`);
      }
      checkThroughputBounds(input.ProvisionedThroughput);
      if (sameThroughput(table.throughput, input.ProvisionedThroughput)) {
        const p = input.ProvisionedThroughput;
        throw invalid(
          `The provisioned throughput for the table will not change. The requested value equals the current value. Current ReadCapacityUnits provisioned for the table: ${table.throughput.ReadCapacityUnits}. Requested ReadCapacityUnits: ${p.ReadCapacityUnits}. Current WriteCapacityUnits provisioned for the table: ${table.throughput.WriteCapacityUnits}. Requested WriteCapacityUnits: ${p.WriteCapacityUnits}. Refer to the Amazon DynamoDB Developer Guide for current limits and how to request higher limits.`,
        );
      }
      t.throughput = changedThroughput(table.throughput, input.ProvisionedThroughput, now);
      changed = true;
    }
    if (input.AttributeDefinitions) {
      const defs = [...table.AttributeDefinitions];
      for (const d of input.AttributeDefinitions) {
        const existing = defs.find((x) => x.AttributeName === d.AttributeName);
        if (existing && existing.AttributeType !== d.AttributeType) {
          throw invalid(`${INVALID}Cannot change the type of an attribute that is already part of a key schema: ${d.AttributeName}`);
        }
        if (!existing) defs.push(d);
      }
      t.AttributeDefinitions = defs;
    }
    for (const update of input.GlobalSecondaryIndexUpdates ?? []) {
      changed = true;
      if (update.Create) {
        const c = update.Create;
        if (t.gsis.some((g) => g.name === c.IndexName) || t.lsis.some((l) => l.name === c.IndexName)) {
          throw invalid("Attempting to create an index which already exists");
        }
        const defined = [...t.AttributeDefinitions.map((d) => d.AttributeName), ...(input.AttributeDefinitions ?? []).map((d) => d.AttributeName)];
        checkKeySchema(c.KeySchema, defined, true);
        if (billing === "PAY_PER_REQUEST" && c.ProvisionedThroughput) {
          throw invalid(`${INVALID}ProvisionedThroughput should not be specified for index: ${c.IndexName} when BillingMode is PAY_PER_REQUEST`);
        }
        if (billing === "PROVISIONED" && !c.ProvisionedThroughput) {
          throw invalid(`${INVALID}ProvisionedThroughput must be specified for index: ${c.IndexName}`);
        }
        const index: IndexRecord = {
          name: c.IndexName,
          kind: "GSI",
          KeySchema: c.KeySchema,
          ...keyNames(c.KeySchema),
          Projection: c.Projection,
          throughput: throughputOf(c.ProvisionedThroughput),
          ...(c.OnDemandThroughput ? { OnDemandThroughput: c.OnDemandThroughput } : {}),
          arn: `${table.arn}/index/${c.IndexName}`,
        };
        t.gsis.push(index);
        backfills.push(index);
      } else if (update.Delete) {
        if (t.lsis.some((l) => l.name === update.Delete!.IndexName)) throw invalid(`Cannot delete an index that is not a GlobalSecondaryIndex: ${update.Delete.IndexName}`);
        const at = t.gsis.findIndex((g) => g.name === update.Delete!.IndexName);
        if (at < 0) throw new AwsError("ResourceNotFoundException", `Requested resource not found: Index: ${update.Delete.IndexName} not found`, 400);
        drops.push(t.gsis[at]!);
        t.gsis.splice(at, 1);
      } else if (update.Update) {
        const u = update.Update;
        if (t.lsis.some((l) => l.name === u.IndexName)) throw invalid(`Cannot update an index that is not a GlobalSecondaryIndex: ${u.IndexName}`);
        const at = t.gsis.findIndex((g) => g.name === u.IndexName);
        if (at < 0) throw new AwsError("ResourceNotFoundException", `Requested resource not found: Index: ${u.IndexName} not found`, 400);
        if (u.ProvisionedThroughput) {
          if (billing === "PAY_PER_REQUEST") {
            throw invalid(`${INVALID}Neither ReadCapacityUnits nor WriteCapacityUnits can be specified for index: ${u.IndexName} when BillingMode is PAY_PER_REQUEST`);
          }
          checkThroughputBounds(u.ProvisionedThroughput);
          t.gsis[at] = { ...t.gsis[at]!, throughput: changedThroughput(t.gsis[at]!.throughput ?? throughputOf(undefined), u.ProvisionedThroughput, now) };
        }
        if (u.OnDemandThroughput) t.gsis[at] = { ...t.gsis[at]!, OnDemandThroughput: u.OnDemandThroughput };
      }
    }
    if (input.StreamSpecification) {
      const s = input.StreamSpecification;
      changed = true;
      if (s.StreamEnabled) {
        if (table.stream.enabled) throw invalid(`Table already has an enabled stream: TableName: ${name}`);
        const label = streamLabel(now);
        t.stream = { enabled: true, viewType: s.StreamViewType, label, arn: `${table.arn}/stream/${label}` };
      } else {
        if (!table.stream.enabled) throw invalid(`Table has no stream to disable: TableName: ${name}`);
        t.stream = { ...table.stream, enabled: false };
      }
    }
    if (input.SSESpecification) {
      changed = true;
      t.sse = await resolveSse(ctx, input.SSESpecification, table.sse);
    }
    if (input.TableClass && input.TableClass !== table.tableClass) {
      changed = true;
      t.tableClass = input.TableClass;
      t.tableClassUpdatedAt = now;
    }
    if (input.DeletionProtectionEnabled !== undefined) {
      changed = true;
      t.deletionProtection = input.DeletionProtectionEnabled;
    }
    if (input.OnDemandThroughput) {
      changed = true;
      t.OnDemandThroughput = input.OnDemandThroughput;
    }
    if (input.ReplicaUpdates?.length) {
      changed = true;
      t.replicas = applyReplicaUpdates(t, input.ReplicaUpdates, ctx.region).replicas;
    }
    if (!changed) {
      throw invalid(
        "At least one of ProvisionedThroughput, BillingMode, UpdateStreamEnabled, GlobalSecondaryIndexUpdates, SSESpecification, ReplicaUpdates, MultiAccountReplicaReady, ReplicaTransitRoleArn, MultiRegionConsistency, DeletionProtectionEnabled, OnDemandThroughput, WarmThroughput or TableClass is required",
      );
    }
    if (input.StreamSpecification) {
      if (!t.stream.enabled) await disableStream(ctx, table);
      else {
        const op = ctx.store.atomic();
        stageStreamInfo(op, t, now);
        await op.commit();
      }
    }
    for (const g of drops) await dropIndexData(ctx.store, table, g);
    for (const g of backfills) await backfillIndex(ctx.store, t, g);
    await ctx.store.set(tableKey(name), t);
    return t;
  });
  return { TableDescription: await describe(ctx, updated, "UPDATING") };
}

export function describeLimits(): OutputOf<Ops, "DescribeLimits"> {
  return {
    AccountMaxReadCapacityUnits: 80000,
    AccountMaxWriteCapacityUnits: 80000,
    TableMaxReadCapacityUnits: 40000,
    TableMaxWriteCapacityUnits: 40000,
  };
}

export function describeEndpoints(_input: InputOf<Ops, "DescribeEndpoints">, ctx: RequestContext): OutputOf<Ops, "DescribeEndpoints"> {
  return { Endpoints: [{ Address: `dynamodb.${ctx.region}.amazonaws.com`, CachePeriodInMinutes: 1440 }] };
}
