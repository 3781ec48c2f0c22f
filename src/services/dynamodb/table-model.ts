/**
 * The stored form of a table (one record per table under `["table", name]`) and how it is
 * found. Items and index entries live under the table's `id`, a fresh UUID per creation, so a
 * table re-created under the same name never sees the old table's items.
 */
import { AwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";
import type * as ddb from "../../generated/dynamodb.ts";
import type { TableSse } from "./sse.ts";

export interface KeySchemaElement {
  AttributeName: string;
  KeyType: "HASH" | "RANGE";
}

export interface Projection {
  ProjectionType?: "ALL" | "KEYS_ONLY" | "INCLUDE";
  NonKeyAttributes?: string[];
}

export interface Throughput {
  ReadCapacityUnits: number;
  WriteCapacityUnits: number;
  LastIncreaseDateTime?: number;
  LastDecreaseDateTime?: number;
  NumberOfDecreasesToday: number;
}

export interface IndexRecord {
  name: string;
  kind: "GSI" | "LSI";
  KeySchema: KeySchemaElement[];
  hash: string;
  range?: string;
  Projection: Projection;
  throughput?: Throughput;
  OnDemandThroughput?: { MaxReadRequestUnits?: number; MaxWriteRequestUnits?: number };
  arn: string;
}

export interface StreamRecord {
  enabled: boolean;
  viewType?: ddb.StreamViewType;
  label?: string;
  arn?: string;
}

export interface TableRecord {
  /** TableId: a UUID per creation. */
  id: string;
  /**
   * The table's data in store keys (`dataId`): 12 hex digits per creation, shorter than the
   * UUID that every item and index entry key would otherwise repeat. Absent on tables created
   * before it existed, whose keys hold `id`.
   */
  keyId?: string;
  name: string;
  arn: string;
  createdAt: number;
  AttributeDefinitions: { AttributeName: string; AttributeType: "S" | "N" | "B" }[];
  KeySchema: KeySchemaElement[];
  hash: string;
  range?: string;
  billingMode: "PROVISIONED" | "PAY_PER_REQUEST";
  payPerRequestSince?: number;
  throughput: Throughput;
  gsis: IndexRecord[];
  lsis: IndexRecord[];
  stream: StreamRecord;
  sse?: TableSse;
  tableClass?: ddb.TableClass;
  tableClassUpdatedAt?: number;
  deletionProtection: boolean;
  tags: { Key: string; Value: string }[];
  OnDemandThroughput?: { MaxReadRequestUnits?: number; MaxWriteRequestUnits?: number };
  /** Point-in-time recovery: on since `since` (epoch ms); `earliest` is the oldest restorable moment. */
  pitr?: { enabled: boolean; since?: number; earliest?: number; days?: number };
  /** Set on tables created by a restore (DescribeTable's RestoreSummary). */
  restoreSummary?: { SourceBackupArn?: string; SourceTableArn?: string; RestoreDateTime: number };
  /** Replicas (global tables version 2019.11.21), as state. */
  replicas?: { RegionName: string; ReplicaStatus: ddb.ReplicaStatus; KMSMasterKeyId?: string; ReplicaTableClass?: ddb.TableClass }[];
  /** Kinesis streaming destinations, as state. */
  kinesis?: { StreamArn: string; DestinationStatus: ddb.DestinationStatus; DestinationStatusDescription?: string; ApproximateCreationDateTimePrecision?: ddb.ApproximateCreationDateTimePrecision }[];
  /** Contributor Insights per table ("") and index name. */
  insights?: Record<string, { status: "ENABLED" | "DISABLED"; at: number; mode?: ddb.ContributorInsightsMode }>;
  /** Time to Live: the attribute holding epoch seconds, and whether expiry is on. */
  ttl?: { attribute: string; enabled: boolean };
  /** Epoch ms until which DescribeTable reports UPDATING (after UpdateTable). */
  updatingUntil?: number;
}

export const tableKey = (name: string) => ["table", name] as const;

/** The table name from a TableName member, which may also be a table ARN. */
export function tableNameOf(nameOrArn: string): string {
  if (nameOrArn.startsWith("arn:")) {
    const m = /^arn:aws[a-z-]*:dynamodb:[^:]*:\d{12}:table\/([^/]+)/.exec(nameOrArn);
    if (m) return m[1]!;
    throw new AwsError("ValidationException", `Invalid TableArn: ${nameOrArn}`, 400);
  }
  return nameOrArn;
}

export function checkTableName(name: string, member = "tableName"): void {
  const failures: string[] = [];
  if (!/^[a-zA-Z0-9_.-]+$/.test(name)) failures.push(`Value '${name}' at '${member}' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+`);
  if (name.length < 3) failures.push(`Value '${name}' at '${member}' failed to satisfy constraint: Member must have length greater than or equal to 3`);
  if (name.length > 255) failures.push(`Value '${name}' at '${member}' failed to satisfy constraint: Member must have length less than or equal to 255`);
  if (failures.length) {
    throw new AwsError("ValidationException", `${failures.length} validation error${failures.length > 1 ? "s" : ""} detected: ${failures.join("; ")}`, 400);
  }
}

export function notFound(): AwsError {
  return new AwsError("ResourceNotFoundException", "Requested resource not found", 400);
}

export function tableNotFound(name: string): AwsError {
  return new AwsError("ResourceNotFoundException", `Requested resource not found: Table: ${name} not found`, 400);
}

/** Reads a table record or null. */
export async function findTable(ctx: RequestContext, nameOrArn: string): Promise<TableRecord | null> {
  return (await ctx.store.get<TableRecord>(tableKey(tableNameOf(nameOrArn)))).value;
}

/** Reads a table for an item operation; throws ResourceNotFoundException as the data plane does. */
export async function requireTable(ctx: RequestContext, nameOrArn: string, describeStyle = false): Promise<TableRecord> {
  const name = tableNameOf(nameOrArn);
  const table = (await ctx.store.get<TableRecord>(tableKey(name))).value;
  if (!table) throw describeStyle ? tableNotFound(name) : notFound();
  return table;
}

/** The attribute type of a key attribute. */
export function attributeType(table: TableRecord, name: string): "S" | "N" | "B" {
  return table.AttributeDefinitions.find((d) => d.AttributeName === name)?.AttributeType ?? "S";
}

export function findIndex(table: TableRecord, name: string): IndexRecord | undefined {
  return table.gsis.find((i) => i.name === name) ?? table.lsis.find((i) => i.name === name);
}

/** The partition key attributes of a key schema, in order (a GSI may have up to 4). */
export function hashKeys(keyed: { KeySchema: KeySchemaElement[] }): string[] {
  return keyed.KeySchema.filter((k) => k.KeyType === "HASH").map((k) => k.AttributeName);
}

/** The sort key attributes of a key schema, in order (a GSI may have up to 4). */
export function rangeKeys(keyed: { KeySchema: KeySchemaElement[] }): string[] {
  return keyed.KeySchema.filter((k) => k.KeyType === "RANGE").map((k) => k.AttributeName);
}

/** Every key attribute of an index, partition attributes first. */
export function indexKeyNames(index: IndexRecord): string[] {
  return [...hashKeys(index), ...rangeKeys(index)];
}

export function allIndexes(table: TableRecord): IndexRecord[] {
  return [...table.lsis, ...table.gsis];
}
