/**
 * On-demand backups and point-in-time recovery.
 * Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateBackup.html
 * (and DescribeBackup, ListBackups, DeleteBackup, RestoreTableFromBackup),
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateContinuousBackups.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_RestoreTableToPointInTime.html
 *
 * A backup copies the table record and every item (`["backup", arn]`, `["bitem", backupId,
 * ...key]`); it is AVAILABLE at once. With PITR on, every item change is logged with its time
 * (storage.ts `stageHistory`), starting from a copy of the table taken when PITR was enabled;
 * a restore replays that log up to the chosen moment, so the new table is exactly the source as
 * it was then (to the millisecond). The log is not trimmed to the recovery period.
 */
import { AwsError } from "../../protocol/errors.ts";
import { encodeKey } from "../../store/keys.ts";
import type { Key, KeyPart } from "../../store/types.ts";
import { withLock } from "../../store/mutex.ts";
import type { InputOf, OutputOf, RequestContext } from "../types.ts";
import { findTable, tableKey, tableNameOf, type TableRecord } from "./table-model.ts";
import { itemPrefix, loadItems, stageHistory, type HistoryEntry } from "./storage.ts";
import { createTable, describe } from "./tables.ts";
import { itemSize, type Item } from "./values-adapter.ts";
import type * as ddb from "../../generated/dynamodb.ts";
type Ops = ddb.Operations;

interface BackupRecord {
  arn: string;
  id: string;
  name: string;
  createdAt: number;
  sizeBytes: number;
  itemCount: number;
  table: TableRecord;
}

const backupKey = (arn: string): Key => ["backup", arn];

function tableNotFound(name: string): AwsError {
  return new AwsError("TableNotFoundException", `Table not found: ${name}`, 400);
}

function backupNotFound(arn: string): AwsError {
  return new AwsError("BackupNotFoundException", `Backup not found: ${arn}`, 400);
}

function tableLock(ctx: RequestContext, name: string): string {
  return `dynamodb-table/${ctx.accountId}/${ctx.region}/${name}`;
}

function throughput(t: TableRecord["throughput"]) {
  return { ReadCapacityUnits: t.ReadCapacityUnits, WriteCapacityUnits: t.WriteCapacityUnits };
}

function details(b: BackupRecord, status: ddb.BackupStatus = "AVAILABLE"): ddb.BackupDetails {
  return {
    BackupArn: b.arn,
    BackupName: b.name,
    BackupSizeBytes: b.sizeBytes,
    BackupStatus: status,
    BackupType: "USER",
    BackupCreationDateTime: new Date(b.createdAt),
  };
}

function description(b: BackupRecord, status?: ddb.BackupStatus): ddb.BackupDescription {
  const t = b.table;
  return {
    BackupDetails: details(b, status),
    SourceTableDetails: {
      TableName: t.name,
      TableId: t.id,
      TableArn: t.arn,
      TableSizeBytes: b.sizeBytes,
      KeySchema: t.KeySchema,
      TableCreationDateTime: new Date(t.createdAt),
      ProvisionedThroughput: throughput(t.throughput),
      ...(t.OnDemandThroughput ? { OnDemandThroughput: t.OnDemandThroughput } : {}),
      ItemCount: b.itemCount,
      BillingMode: t.billingMode,
    },
    SourceTableFeatureDetails: {
      ...(t.lsis.length ? { LocalSecondaryIndexes: t.lsis.map((i) => ({ IndexName: i.name, KeySchema: i.KeySchema, Projection: i.Projection })) } : {}),
      ...(t.gsis.length
        ? { GlobalSecondaryIndexes: t.gsis.map((i) => ({ IndexName: i.name, KeySchema: i.KeySchema, Projection: i.Projection, ProvisionedThroughput: throughput(i.throughput ?? t.throughput) })) }
        : {}),
      ...(t.stream.enabled ? { StreamDescription: { StreamEnabled: true, StreamViewType: t.stream.viewType } } : {}),
      ...(t.ttl?.enabled ? { TimeToLiveDescription: { TimeToLiveStatus: "ENABLED", AttributeName: t.ttl.attribute } } : {}),
      ...(t.sse?.enabled ? { SSEDescription: { Status: "ENABLED", SSEType: "KMS" } } : {}),
    },
  };
}

export async function createBackup(input: InputOf<Ops, "CreateBackup">, ctx: RequestContext): Promise<OutputOf<Ops, "CreateBackup">> {
  const name = tableNameOf(input.TableName);
  const table = await findTable(ctx, name);
  if (!table) throw tableNotFound(name);
  const now = ctx.clock.now();
  const id = `${String(now).padStart(13, "0")}-${crypto.randomUUID().slice(0, 8)}`;
  const arn = `${table.arn}/backup/${id}`;
  let sizeBytes = 0, itemCount = 0;
  const prefix = itemPrefix(table);
  let op = ctx.store.atomic();
  for await (const e of ctx.store.list<Item>({ prefix })) {
    op.set(["bitem", id, ...e.key.slice(prefix.length)], e.value);
    sizeBytes += itemSize(e.value);
    if (++itemCount % 100 === 0) {
      await op.commit();
      op = ctx.store.atomic();
    }
  }
  const record: BackupRecord = { arn, id, name: input.BackupName, createdAt: now, sizeBytes, itemCount, table };
  op.set(backupKey(arn), record);
  await op.commit();
  return { BackupDetails: details(record) };
}

async function requireBackup(ctx: RequestContext, arn: string): Promise<BackupRecord> {
  const b = (await ctx.store.get<BackupRecord>(backupKey(arn))).value;
  if (!b) throw backupNotFound(arn);
  return b;
}

export async function describeBackup(input: InputOf<Ops, "DescribeBackup">, ctx: RequestContext): Promise<OutputOf<Ops, "DescribeBackup">> {
  return { BackupDescription: description(await requireBackup(ctx, input.BackupArn)) };
}

export async function deleteBackup(input: InputOf<Ops, "DeleteBackup">, ctx: RequestContext): Promise<OutputOf<Ops, "DeleteBackup">> {
  const b = await requireBackup(ctx, input.BackupArn);
  await ctx.store.delete(backupKey(b.arn));
  const keys: Key[] = [];
  for await (const e of ctx.store.list({ prefix: ["bitem", b.id] })) keys.push(e.key);
  for (let i = 0; i < keys.length; i += 500) {
    const op = ctx.store.atomic();
    for (const k of keys.slice(i, i + 500)) op.delete(k);
    await op.commit();
  }
  return { BackupDescription: description(b, "DELETED") };
}

export async function listBackups(input: InputOf<Ops, "ListBackups">, ctx: RequestContext): Promise<OutputOf<Ops, "ListBackups">> {
  const limit = input.Limit ?? 100;
  const lower = input.TimeRangeLowerBound ? new Date(input.TimeRangeLowerBound).getTime() : -Infinity;
  const upper = input.TimeRangeUpperBound ? new Date(input.TimeRangeUpperBound).getTime() : Infinity;
  const summaries = [];
  let more = false;
  const wantsUser = !input.BackupType || input.BackupType === "USER" || input.BackupType === "ALL";
  for await (const e of ctx.store.list<BackupRecord>({ prefix: ["backup"] })) {
    const b = e.value;
    if (!wantsUser) break;
    if (input.TableName && b.table.name !== tableNameOf(input.TableName)) continue;
    if (b.createdAt < lower || b.createdAt > upper) continue;
    if (input.ExclusiveStartBackupArn && b.arn <= input.ExclusiveStartBackupArn) continue;
    if (summaries.length === limit) {
      more = true;
      break;
    }
    summaries.push({ TableName: b.table.name, TableId: b.table.id, TableArn: b.table.arn, ...details(b) });
  }
  return { BackupSummaries: summaries, ...(more ? { LastEvaluatedBackupArn: summaries[summaries.length - 1]!.BackupArn } : {}) };
}

/** The overrides RestoreTableFromBackup and RestoreTableToPointInTime share. */
type RestoreOverrides = Pick<
  InputOf<Ops, "RestoreTableFromBackup">,
  | "TargetTableName" | "BillingModeOverride" | "GlobalSecondaryIndexOverride" | "LocalSecondaryIndexOverride"
  | "ProvisionedThroughputOverride" | "OnDemandThroughputOverride" | "SSESpecificationOverride"
>;

/** Creates the target table of a restore with the source's schema (and the overrides), then loads `items`. */
async function restoreInto(ctx: RequestContext, source: TableRecord, input: RestoreOverrides, items: Iterable<Item> | AsyncIterable<Item>, summary: NonNullable<TableRecord["restoreSummary"]>) {
  const billing = input.BillingModeOverride ?? source.billingMode;
  const provisioned = billing === "PROVISIONED";
  const create: InputOf<Ops, "CreateTable"> = {
    TableName: input.TargetTableName,
    AttributeDefinitions: source.AttributeDefinitions,
    KeySchema: source.KeySchema,
    BillingMode: billing,
    ...(provisioned ? { ProvisionedThroughput: input.ProvisionedThroughputOverride ?? throughput(source.throughput) } : {}),
    ...(input.OnDemandThroughputOverride ? { OnDemandThroughput: input.OnDemandThroughputOverride } : {}),
    ...(input.SSESpecificationOverride ? { SSESpecification: input.SSESpecificationOverride } : {}),
  };
  const gsis = input.GlobalSecondaryIndexOverride ?? source.gsis.map((i) => ({
    IndexName: i.name, KeySchema: i.KeySchema, Projection: i.Projection,
    ...(provisioned ? { ProvisionedThroughput: throughput(i.throughput ?? source.throughput) } : {}),
  }));
  const lsis = input.LocalSecondaryIndexOverride ?? source.lsis.map((i) => ({ IndexName: i.name, KeySchema: i.KeySchema, Projection: i.Projection }));
  if (gsis.length) create.GlobalSecondaryIndexes = gsis;
  if (lsis.length) create.LocalSecondaryIndexes = lsis;
  try {
    await createTable(create, ctx);
  } catch (e) {
    if (e instanceof AwsError && e.code === "ResourceInUseException") {
      throw new AwsError("TableAlreadyExistsException", `Table already exists: ${input.TargetTableName}`, 400);
    }
    throw e;
  }
  return withLock(tableLock(ctx, input.TargetTableName), async () => {
    const table = (await findTable(ctx, input.TargetTableName))!;
    await loadItems(ctx.store, table, items);
    const restored: TableRecord = { ...table, restoreSummary: summary };
    await ctx.store.set(tableKey(table.name), restored);
    return { TableDescription: await describe(ctx, restored, "CREATING") };
  });
}

export { restoreInto };

export async function restoreTableFromBackup(input: InputOf<Ops, "RestoreTableFromBackup">, ctx: RequestContext): Promise<OutputOf<Ops, "RestoreTableFromBackup">> {
  const b = await requireBackup(ctx, input.BackupArn);
  async function* items() {
    for await (const e of ctx.store.list<Item>({ prefix: ["bitem", b.id] })) yield e.value;
  }
  return restoreInto(ctx, b.table, input, items(), { SourceBackupArn: b.arn, SourceTableArn: b.table.arn, RestoreDateTime: ctx.clock.now() });
}

function pitrDescription(table: TableRecord, now: number): ddb.ContinuousBackupsDescription {
  const p = table.pitr;
  return {
    ContinuousBackupsStatus: "ENABLED",
    PointInTimeRecoveryDescription: p?.enabled
      ? {
        PointInTimeRecoveryStatus: "ENABLED",
        RecoveryPeriodInDays: p.days ?? 35,
        EarliestRestorableDateTime: new Date(p.earliest ?? p.since ?? now),
        LatestRestorableDateTime: new Date(now),
      }
      : { PointInTimeRecoveryStatus: "DISABLED" },
  };
}

export async function describeContinuousBackups(input: InputOf<Ops, "DescribeContinuousBackups">, ctx: RequestContext): Promise<OutputOf<Ops, "DescribeContinuousBackups">> {
  const name = tableNameOf(input.TableName);
  const table = await findTable(ctx, name);
  if (!table) throw tableNotFound(name);
  return { ContinuousBackupsDescription: pitrDescription(table, ctx.clock.now()) };
}

export async function updateContinuousBackups(input: InputOf<Ops, "UpdateContinuousBackups">, ctx: RequestContext): Promise<OutputOf<Ops, "UpdateContinuousBackups">> {
  const name = tableNameOf(input.TableName);
  const spec = input.PointInTimeRecoverySpecification;
  const updated = await withLock(tableLock(ctx, name), async () => {
    const table = await findTable(ctx, name);
    if (!table) throw tableNotFound(name);
    const now = ctx.clock.now();
    if (spec.RecoveryPeriodInDays !== undefined && (spec.RecoveryPeriodInDays < 1 || spec.RecoveryPeriodInDays > 35)) {
      throw new AwsError("ValidationException", "RecoveryPeriodInDays must be between 1 and 35", 400);
    }
    if (!spec.PointInTimeRecoveryEnabled && spec.RecoveryPeriodInDays !== undefined) {
      throw new AwsError("ValidationException", "Invalid Request: Cannot specify RecoveryPeriodInDays when disabling point-in-time recovery.", 400);
    }
    let next: TableRecord;
    if (spec.PointInTimeRecoveryEnabled && !table.pitr?.enabled) {
      next = { ...table, pitr: { enabled: true, since: now, earliest: now, days: spec.RecoveryPeriodInDays ?? 35 } };
      // The log starts with the table as it is now.
      let op = ctx.store.atomic();
      let n = 0;
      for await (const e of ctx.store.list<Item>({ prefix: itemPrefix(table) })) {
        stageHistory(op, next, e.key as KeyPart[], e.value, now);
        if (++n % 100 === 0) {
          await op.commit();
          op = ctx.store.atomic();
        }
      }
      await op.commit();
    } else if (spec.PointInTimeRecoveryEnabled) {
      next = { ...table, pitr: { ...table.pitr!, days: spec.RecoveryPeriodInDays ?? table.pitr!.days } };
    } else {
      next = { ...table, pitr: { enabled: false } };
      const keys: Key[] = [];
      for await (const e of ctx.store.list({ prefix: ["hist", table.id] })) keys.push(e.key);
      for (let i = 0; i < keys.length; i += 500) {
        const op = ctx.store.atomic();
        for (const k of keys.slice(i, i + 500)) op.delete(k);
        await op.commit();
      }
    }
    await ctx.store.set(tableKey(name), next);
    return next;
  });
  return { ContinuousBackupsDescription: pitrDescription(updated, ctx.clock.now()) };
}

export async function restoreTableToPointInTime(input: InputOf<Ops, "RestoreTableToPointInTime">, ctx: RequestContext): Promise<OutputOf<Ops, "RestoreTableToPointInTime">> {
  // DynamoDB checks the request's shape before the source table (then PITR, the time, the target).
  if ((input.SourceTableName === undefined) === (input.SourceTableArn === undefined)) {
    throw new AwsError("ValidationException", "Must provide exactly one of: sourceTableArn, sourceTableName", 400);
  }
  if (!input.UseLatestRestorableTime === !input.RestoreDateTime) {
    throw new AwsError("ValidationException", "Invalid Request: Either one of RestoreDateTime or UseLatestRestorableTime must be specified, but not both", 400);
  }
  const sourceName = input.SourceTableName ?? tableNameOf(input.SourceTableArn!);
  const source = await findTable(ctx, sourceName);
  if (!source) throw new AwsError("SourceTableNotFoundException", `Source table not found: ${sourceName}`, 400);
  if (!source.pitr?.enabled) {
    throw new AwsError("PointInTimeRecoveryUnavailableException", `Point in time recovery is not enabled for table '${sourceName}'`, 400);
  }
  const now = ctx.clock.now();
  const earliest = source.pitr.earliest ?? source.pitr.since ?? now;
  let at = now;
  if (!input.UseLatestRestorableTime) {
    at = new Date(input.RestoreDateTime!).getTime();
    if (at < earliest || at > now) {
      throw new AwsError(
        "InvalidRestoreTimeException",
        `Invalid restore date time: RestoreDateTime: ${new Date(at).toISOString()}, EarliestRestorableDateTime: ${new Date(earliest).toISOString()}, LatestRestorableDateTime: ${new Date(now).toISOString()}`,
        400,
      );
    }
  }
  return restoreInto(ctx, source, input, await itemsAt(ctx, source, at), { SourceTableArn: source.arn, RestoreDateTime: at });
}

/** The items of a PITR-enabled table as they were at `at` (epoch ms), by replaying its change log. */
export async function itemsAt(ctx: RequestContext, table: TableRecord, at: number): Promise<Item[]> {
  const state = new Map<string, Item>();
  for await (const e of ctx.store.list<HistoryEntry>({ prefix: ["hist", table.id] })) {
    if (e.value.at > at) break;
    const id = encodeKey(e.value.k);
    if (e.value.item) state.set(id, e.value.item);
    else state.delete(id);
  }
  return [...state.values()];
}

/** The PITR window of a table: [earliest, now]; PointInTimeRecoveryUnavailableException when off. */
export function pitrWindow(table: TableRecord, now: number): { earliest: number; latest: number } {
  if (!table.pitr?.enabled) {
    throw new AwsError("PointInTimeRecoveryUnavailableException", `Point in time recovery is not enabled for table '${table.name}'`, 400);
  }
  return { earliest: table.pitr.earliest ?? table.pitr.since ?? now, latest: now };
}
