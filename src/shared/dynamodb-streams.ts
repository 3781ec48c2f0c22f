/**
 * DynamoDB Streams records: their stored form and key layout, shared by the `dynamodb` service
 * (which writes a record in the same atomic commit as the item change) and the
 * `dynamodbstreams` service (which reads them). Services never import each other; both import
 * this module, and `dynamodbstreams` declares `storeNamespace: "dynamodb"` so its `ctx.store`
 * is DynamoDB's (docs/architecture.md, "Shared state between services").
 *
 * Keys (in the `[dynamodb, account, region]` namespace):
 *
 *   ["stream", streamArn]                 → StreamInfo
 *   ["srec", streamArn, sequenceNumber]   → StoredStreamRecord
 *   ["strim", streamArn]                  → the highest sequence number trimmed (written by dynamodbstreams)
 *
 * Record format: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_Record.html
 */
import type { Key } from "../store/types.ts";

/** Records older than this are trimmed (DynamoDB Streams keeps 24 hours). */
export const STREAM_RETENTION_MS = 24 * 60 * 60 * 1000;

export interface StreamInfo {
  arn: string;
  label: string;
  tableName: string;
  tableId: string;
  viewType: "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES";
  keySchema: { AttributeName: string; KeyType: "HASH" | "RANGE" }[];
  /** Epoch ms. */
  createdAt: number;
  shardId: string;
  /** Epoch ms when the stream was disabled (UpdateTable) or its table deleted. */
  disabledAt?: number;
}

type AttributeMap = Record<string, Record<string, unknown>>;

export interface StoredStreamRecord {
  eventID: string;
  eventName: "INSERT" | "MODIFY" | "REMOVE";
  awsRegion: string;
  /** Epoch ms of the change. */
  at: number;
  Keys: AttributeMap;
  NewImage?: AttributeMap;
  OldImage?: AttributeMap;
  SequenceNumber: string;
  SizeBytes: number;
  StreamViewType: StreamInfo["viewType"];
  /** TTL deletions: `{ Type: "Service", PrincipalId: "dynamodb.amazonaws.com" }`. */
  userIdentity?: { Type: string; PrincipalId: string };
}

export const streamKey = (arn: string): Key => ["stream", arn];
export const streamRecordPrefix = (arn: string): Key => ["srec", arn];
export const streamRecordKey = (arn: string, sequenceNumber: string): Key => ["srec", arn, sequenceNumber];

/** Sequence numbers are 21 decimal digits: the write's epoch ms, then an 8-digit counter. */
export const SEQUENCE_DIGITS = 21;
let lastSequence = 0n;

/**
 * A new sequence number, above every one this process issued before (so records of one item,
 * whose writes are serialized, are ordered even when the clock stands still). Not state: only
 * uniqueness and order within a process depend on it; the commit also checks the key is new.
 */
export function nextSequenceNumber(now: number): string {
  let candidate = BigInt(Math.max(0, Math.floor(now))) * 100_000_000n;
  if (candidate <= lastSequence) candidate = lastSequence + 1n;
  lastSequence = candidate;
  return candidate.toString().padStart(SEQUENCE_DIGITS, "0");
}

/** The ShardId of a stream's single shard. */
export function shardIdFor(createdAt: number, tableId: string): string {
  return `shardId-${String(createdAt).padStart(20, "0")}-${tableId.replace(/-/g, "").slice(0, 8)}`;
}

/** The record as GetRecords returns it (dates as Date, for the codec). */
export function recordOutput(r: StoredStreamRecord) {
  return {
    eventID: r.eventID,
    eventName: r.eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: r.awsRegion,
    dynamodb: {
      ApproximateCreationDateTime: new Date(Math.floor(r.at / 1000) * 1000),
      Keys: r.Keys,
      ...(r.NewImage ? { NewImage: r.NewImage } : {}),
      ...(r.OldImage ? { OldImage: r.OldImage } : {}),
      SequenceNumber: r.SequenceNumber,
      SizeBytes: r.SizeBytes,
      StreamViewType: r.StreamViewType,
    },
    ...(r.userIdentity ? { userIdentity: r.userIdentity } : {}),
  };
}
