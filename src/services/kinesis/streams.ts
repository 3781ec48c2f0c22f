/**
 * Streams as stored, how a request names one (StreamName or StreamARN, the ARN possibly in
 * another account or region), and their descriptions.
 * Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_StreamDescription.html
 */
import type { RequestContext } from "../types.ts";
import type { Store } from "../../store/types.ts";
import type { MetricsName } from "../../generated/kinesis.ts";
import { invalidArgument, streamNotFound } from "./errors.ts";
import { formatSequence, shardIdOf } from "./sequence.ts";
import { partitionOf } from "../../util/partition.ts";

export interface StoredShard {
  ShardId: string;
  index: number;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
  /** Decimal hash keys. */
  start: string;
  end: string;
  /** Stream counter values: the shard holds records with counter > `from`, and <= `to` once closed. */
  from: number;
  to?: number;
  /** When the shard closed (ms), for AT_TIMESTAMP/FROM_TIMESTAMP filters. */
  closedAt?: number;
  createdAt: number;
}

export interface StoredStream {
  StreamName: string;
  StreamARN: string;
  StreamId: string;
  StreamStatus: "CREATING" | "DELETING" | "ACTIVE" | "UPDATING";
  StreamMode: "PROVISIONED" | "ON_DEMAND";
  /** Creation time, ms since epoch; also the `epoch` part of its sequence numbers. */
  createdAt: number;
  RetentionPeriodHours: number;
  shards: StoredShard[];
  nextShardIndex: number;
  EncryptionType: "NONE" | "KMS";
  KeyId?: string;
  ShardLevelMetrics: MetricsName[];
  tags: Record<string, string>;
  MaxRecordSizeInKiB: number;
  WarmThroughputMiBps?: number;
}

/** The stream-wide record counter, in its own key so writers check one small value. */
export interface StreamCounter {
  counter: number;
}

export const keys = {
  stream: (name: string) => ["stream", name] as const,
  counter: (name: string) => ["counter", name] as const,
  records: (name: string, epoch: number, shardId: string) => ["record", name, epoch, shardId] as const,
  record: (name: string, epoch: number, shardId: string, counter: number) => ["record", name, epoch, shardId, counter] as const,
  consumers: (name: string, epoch: number) => ["consumer", name, epoch] as const,
  consumer: (name: string, epoch: number, consumer: string) => ["consumer", name, epoch, consumer] as const,
  policy: (arn: string) => ["policy", arn] as const,
  accountSettings: () => ["account-settings"] as const,
};

export { partitionOf } from "../../util/partition.ts";

export function streamArn(region: string, accountId: string, name: string): string {
  return `arn:${partitionOf(region)}:kinesis:${region}:${accountId}:stream/${name}`;
}

/** Where a request's stream lives: its name and the store of the account and region that own it. */
export interface StreamRef {
  name: string;
  accountId: string;
  region: string;
  store: Store;
}

const ARN_RE = /^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream\/([a-zA-Z0-9_.-]+)$/;

/** Parses a stream ARN (or the stream part of a consumer ARN). */
export function parseStreamArn(arn: string): { region: string; accountId: string; name: string } | null {
  const m = ARN_RE.exec(arn.replace(/\/consumer\/.*$/, ""));
  return m ? { region: m[1]!, accountId: m[2]!, name: m[3]! } : null;
}

/** The stream a request names by `StreamName` and/or `StreamARN`. */
export function streamRef(ctx: RequestContext, input: { StreamName?: string; StreamARN?: string }): StreamRef {
  if (input.StreamARN !== undefined) {
    const parsed = parseStreamArn(input.StreamARN);
    if (!parsed) throw invalidArgument(`Invalid StreamARN ${input.StreamARN}.`);
    if (input.StreamName !== undefined && input.StreamName !== parsed.name) {
      throw invalidArgument(`StreamName ${input.StreamName} and StreamARN ${input.StreamARN} do not name the same stream.`);
    }
    return { name: parsed.name, accountId: parsed.accountId, region: parsed.region, store: ctx.storeFor(parsed.accountId, parsed.region) };
  }
  if (input.StreamName === undefined) throw invalidArgument("Either StreamName or StreamARN must be provided.");
  return { name: input.StreamName, accountId: ctx.accountId, region: ctx.region, store: ctx.store };
}

export async function loadStream(ref: StreamRef): Promise<StoredStream> {
  const stream = (await ref.store.get<StoredStream>(keys.stream(ref.name))).value;
  if (!stream) throw streamNotFound(ref.name, ref.accountId);
  return stream;
}

export function findShard(stream: StoredStream, shardId: string): StoredShard | undefined {
  return stream.shards.find((s) => s.ShardId === shardId);
}

/** A new shard's record, opened after counter value `from`. */
export function newShard(stream: Pick<StoredStream, "nextShardIndex">, range: { start: bigint; end: bigint }, from: number, now: number, parents: string[] = []): StoredShard {
  const index = stream.nextShardIndex++;
  return {
    ShardId: shardIdOf(index),
    index,
    ...(parents[0] ? { ParentShardId: parents[0] } : {}),
    ...(parents[1] ? { AdjacentParentShardId: parents[1] } : {}),
    start: range.start.toString(),
    end: range.end.toString(),
    from,
    createdAt: now,
  };
}

export function describeShard(stream: StoredStream, shard: StoredShard) {
  return {
    ShardId: shard.ShardId,
    ...(shard.ParentShardId ? { ParentShardId: shard.ParentShardId } : {}),
    ...(shard.AdjacentParentShardId ? { AdjacentParentShardId: shard.AdjacentParentShardId } : {}),
    HashKeyRange: { StartingHashKey: shard.start, EndingHashKey: shard.end },
    SequenceNumberRange: {
      StartingSequenceNumber: formatSequence({ epoch: stream.createdAt, shardIndex: shard.index, counter: shard.from }),
      ...(shard.to !== undefined ? { EndingSequenceNumber: formatSequence({ epoch: stream.createdAt, shardIndex: shard.index, counter: shard.to }) } : {}),
    },
  };
}

export function openShards(stream: StoredStream): StoredShard[] {
  return stream.shards.filter((s) => s.to === undefined);
}

export function enhancedMonitoring(stream: StoredStream) {
  return [{ ShardLevelMetrics: [...stream.ShardLevelMetrics] }];
}

export function streamModeDetails(stream: StoredStream) {
  return { StreamMode: stream.StreamMode };
}

export function encryptionFields(stream: StoredStream) {
  return { EncryptionType: stream.EncryptionType, ...(stream.KeyId ? { KeyId: stream.KeyId } : {}) };
}
