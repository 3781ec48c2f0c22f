/**
 * Records: PutRecord/PutRecords (partition key → shard, stream-wide counter in one atomic
 * commit), shard iterators and GetRecords, with retention on the injectable clock.
 * Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html,
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetRecords.html
 */
import type { RequestContext } from "../types.ts";
import { withLock } from "../../store/mutex.ts";
import { commitWithRetry } from "../../store/atomic.ts";
import { expiredIterator, invalidArgument, limitExceeded, resourceInUse, shardNotFound, streamNotFound } from "./errors.ts";
import { hashPartitionKey, parseExplicitHashKey } from "./hash-keys.ts";
import { formatSequence, parseSequence } from "./sequence.ts";
import { notifyStream } from "./signal.ts";
import {
  findShard, keys, loadStream, openShards, type StoredShard, type StoredStream, type StreamCounter, type StreamRef,
} from "./streams.ts";

export interface StoredRecord {
  data: Uint8Array;
  pk: string;
  /** Arrival time, ms since epoch. */
  at: number;
}

export interface PutEntry {
  Data: Uint8Array;
  PartitionKey: string;
  ExplicitHashKey?: string;
}

const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
const ITERATOR_TTL_MS = 300_000;
const MAX_GET_BYTES = 10 * 1024 * 1024;

export function lockName(ref: StreamRef): string {
  return `kinesis/${ref.accountId}/${ref.region}/${ref.name}`;
}

function shardFor(stream: StoredStream, entry: PutEntry): StoredShard {
  const hash = entry.ExplicitHashKey !== undefined ? parseExplicitHashKey(entry.ExplicitHashKey) : hashPartitionKey(entry.PartitionKey);
  const shard = openShards(stream).find((s) => BigInt(s.start) <= hash && hash <= BigInt(s.end));
  // Open shards always cover the whole key space; a gap would be a bug in resharding.
  if (!shard) throw new Error(`no open shard holds hash key ${hash}`);
  return shard;
}

/**
 * Appends records in order, all or none, and returns each one's shard and sequence number.
 * Throws ResourceNotFoundException for a missing stream and ResourceInUseException while it
 * is being deleted; InvalidArgumentException for an oversize record or request.
 */
export async function putRecords(ctx: RequestContext, ref: StreamRef, entries: PutEntry[]): Promise<{ stream: StoredStream; results: { ShardId: string; SequenceNumber: string }[] }> {
  let total = 0;
  for (const entry of entries) total += entry.Data.byteLength + new TextEncoder().encode(entry.PartitionKey).byteLength;
  if (entries.length > 1 && total > MAX_REQUEST_BYTES) throw invalidArgument(`Records size exceeds ${MAX_REQUEST_BYTES / 1024 / 1024} MB limit`);
  const out = await withLock(lockName(ref), async () => (await commitWithRetry(async () => {
      const stream = await loadStream(ref);
      if (stream.StreamStatus === "DELETING" || stream.StreamStatus === "CREATING") throw streamNotFound(ref.name, ref.accountId);
      const limit = stream.MaxRecordSizeInKiB * 1024;
      for (const entry of entries) {
        const size = entry.Data.byteLength + new TextEncoder().encode(entry.PartitionKey).byteLength;
        if (size > limit) {
          throw invalidArgument(`Record size ${size} bytes exceeds the maximum record size of ${stream.MaxRecordSizeInKiB} KiB for stream ${stream.StreamName} under account ${ref.accountId}.`);
        }
      }
      const counterEntry = await ref.store.get<StreamCounter>(keys.counter(ref.name));
      let counter = counterEntry.value?.counter ?? 0;
      const now = ctx.clock.now();
      const op = ref.store.atomic().check({ key: keys.counter(ref.name), versionstamp: counterEntry.versionstamp });
      const results: { ShardId: string; SequenceNumber: string }[] = [];
      for (const entry of entries) {
        const shard = shardFor(stream, entry);
        counter++;
        op.set(keys.record(ref.name, stream.createdAt, shard.ShardId, counter), { data: entry.Data, pk: entry.PartitionKey, at: now } satisfies StoredRecord);
        results.push({ ShardId: shard.ShardId, SequenceNumber: formatSequence({ epoch: stream.createdAt, shardIndex: shard.index, counter }) });
      }
      op.set(keys.counter(ref.name), { counter } satisfies StreamCounter);
      return { op, value: { stream, results } };
    }, { conflict: () => limitExceeded("Rate exceeded for stream " + ref.name) })).value);
  notifyStream(ref);
  return out;
}

/** What an iterator remembers: the shard and the counter after which to read. */
interface IteratorState {
  a: string;
  r: string;
  s: string;
  e: number;
  sh: string;
  c: number;
  t: number;
}

function encodeIterator(state: IteratorState): string {
  return btoa(JSON.stringify(state)).replace(/=+$/, "");
}

function decodeIterator(text: string): IteratorState {
  try {
    const state = JSON.parse(atob(text)) as IteratorState;
    if (typeof state.s === "string" && typeof state.sh === "string" && typeof state.c === "number" && typeof state.t === "number") return state;
  } catch {
    // falls through to AWS's error
  }
  throw invalidArgument(`Invalid ShardIterator.`);
}

function retentionStart(ctx: RequestContext, stream: StoredStream): number {
  return ctx.clock.now() - stream.RetentionPeriodHours * 3_600_000;
}

/** Counter of the last record in a shard (its `from` when empty). */
async function lastCounter(ref: StreamRef, stream: StoredStream, shard: StoredShard): Promise<number> {
  for await (const entry of ref.store.list<StoredRecord>({ prefix: keys.records(ref.name, stream.createdAt, shard.ShardId) }, { reverse: true, limit: 1 })) {
    return entry.key[4] as number;
  }
  return shard.from;
}

export interface IteratorInput {
  ShardId: string;
  ShardIteratorType: string;
  StartingSequenceNumber?: string;
  Timestamp?: Date | number | string;
}

/**
 * The counter after which a read of `shard` starts, for a ShardIteratorType (GetShardIterator,
 * SubscribeToShard's StartingPosition). InvalidArgumentException for inconsistent arguments.
 */
export async function startAfter(ref: StreamRef, stream: StoredStream, shard: StoredShard, input: Omit<IteratorInput, "ShardId">, member = "StartingSequenceNumber"): Promise<number> {
  const type = input.ShardIteratorType;
  const needsSequence = type === "AT_SEQUENCE_NUMBER" || type === "AFTER_SEQUENCE_NUMBER";
  if (needsSequence && input.StartingSequenceNumber === undefined) {
    throw invalidArgument(`${member} must be specified for ShardIteratorType ${type}.`);
  }
  if (!needsSequence && input.StartingSequenceNumber !== undefined) {
    throw invalidArgument(`Request must not have ${member} for ShardIteratorType ${type}.`);
  }
  if (type === "AT_TIMESTAMP" && input.Timestamp === undefined) throw invalidArgument("Timestamp must be specified for ShardIteratorType AT_TIMESTAMP.");
  let after: number;
  switch (type) {
    case "TRIM_HORIZON":
      after = shard.from;
      break;
    case "LATEST":
      after = shard.to ?? (await lastCounter(ref, stream, shard));
      break;
    case "AT_SEQUENCE_NUMBER":
    case "AFTER_SEQUENCE_NUMBER": {
      const parts = parseSequence(input.StartingSequenceNumber!, member);
      if (parts.shardIndex !== shard.index || parts.epoch !== stream.createdAt) {
        throw invalidArgument(`Invalid ${member}. It encodes shardId-${String(parts.shardIndex).padStart(12, "0")}, while it was used in a call to a shard with ${shard.ShardId}`);
      }
      after = type === "AT_SEQUENCE_NUMBER" ? parts.counter - 1 : parts.counter;
      break;
    }
    case "AT_TIMESTAMP": {
      const at = new Date(input.Timestamp as Date).getTime();
      after = shard.to ?? (await lastCounter(ref, stream, shard));
      for await (const entry of ref.store.list<StoredRecord>({ prefix: keys.records(ref.name, stream.createdAt, shard.ShardId) })) {
        if (entry.value.at >= at) {
          after = (entry.key[4] as number) - 1;
          break;
        }
      }
      break;
    }
    default:
      throw invalidArgument(`Invalid ShardIteratorType ${type}.`);
  }
  return Math.max(after, shard.from);
}

/** GetShardIterator: where a read starts, as an opaque iterator valid for five minutes. */
export async function getShardIterator(ctx: RequestContext, ref: StreamRef, input: IteratorInput): Promise<string> {
  const stream = await loadStream(ref);
  const shard = findShard(stream, input.ShardId);
  if (!shard) throw shardNotFound(input.ShardId, ref.name, ref.accountId);
  const after = await startAfter(ref, stream, shard, input);
  return encodeIterator({ a: ref.accountId, r: ref.region, s: ref.name, e: stream.createdAt, sh: shard.ShardId, c: after, t: ctx.clock.now() });
}

/** A record as GetRecords and SubscribeToShardEvent carry it. */
export interface OutRecord {
  SequenceNumber: string;
  ApproximateArrivalTimestamp: Date;
  Data: Uint8Array;
  PartitionKey: string;
  EncryptionType?: "KMS";
}

export interface ShardRead {
  records: OutRecord[];
  /** Counter of the last record read (or skipped as expired); the next read starts after it. */
  position: number;
  /** True when records are left after this read's limits. */
  more: boolean;
  /** Milliseconds the last record read is behind now (0 at the tip). */
  millisBehind: number;
  /** True for a closed shard read to its end: the reader moves on to `ChildShards`. */
  finished: boolean;
}

/**
 * Reads up to `limit` records (and at most 10 MiB) of `shard` after counter `after`, skipping
 * and deleting records past the retention period.
 */
export async function readShard(ctx: RequestContext, ref: StreamRef, stream: StoredStream, shard: StoredShard, after: number, limit: number): Promise<ShardRead> {
  const now = ctx.clock.now();
  const oldest = retentionStart(ctx, stream);
  const prefix = keys.records(ref.name, stream.createdAt, shard.ShardId);
  const records: OutRecord[] = [];
  let position = after;
  let bytes = 0;
  let more = false;
  let lastAt: number | undefined;
  const expired: (readonly unknown[])[] = [];
  for await (const entry of ref.store.list<StoredRecord>({ start: [...prefix, after + 1], end: [...prefix, Number.MAX_SAFE_INTEGER] })) {
    const counter = entry.key[4] as number;
    if (entry.value.at < oldest) {
      expired.push(entry.key);
      position = counter;
      continue;
    }
    if (records.length >= limit || (records.length > 0 && bytes + entry.value.data.byteLength > MAX_GET_BYTES)) {
      more = true;
      break;
    }
    records.push({
      SequenceNumber: formatSequence({ epoch: stream.createdAt, shardIndex: shard.index, counter }),
      ApproximateArrivalTimestamp: new Date(entry.value.at),
      Data: entry.value.data,
      PartitionKey: entry.value.pk,
      ...(stream.EncryptionType === "KMS" ? { EncryptionType: "KMS" as const } : {}),
    });
    bytes += entry.value.data.byteLength;
    position = counter;
    lastAt = entry.value.at;
  }
  // Records past retention are gone for every reader; removing them here keeps the store bounded.
  for (const key of expired) await ref.store.delete(key as never);
  return {
    records,
    position,
    more,
    millisBehind: more && lastAt !== undefined ? Math.max(0, now - lastAt) : 0,
    // A closed shard takes no more records: once nothing is left after the position, it is done.
    finished: shard.to !== undefined && !more,
  };
}

/** The shards a closed shard split or merged into, as GetRecords and SubscribeToShardEvent list them. */
export function childShards(stream: StoredStream, shard: StoredShard) {
  return stream.shards.filter((s) => s.ParentShardId === shard.ShardId || s.AdjacentParentShardId === shard.ShardId).map((c) => ({
    ShardId: c.ShardId,
    ParentShards: [c.ParentShardId, c.AdjacentParentShardId].filter((p): p is string => !!p),
    HashKeyRange: { StartingHashKey: c.start, EndingHashKey: c.end },
  }));
}

/** GetRecords: up to `limit` records after the iterator's position, and where to go next. */
export async function getRecords(ctx: RequestContext, iterator: string, limit = 10_000) {
  const state = decodeIterator(iterator);
  const now = ctx.clock.now();
  if (now - state.t > ITERATOR_TTL_MS) {
    throw expiredIterator(`Iterator expired. The iterator was created at time ${new Date(state.t).toUTCString()} while right now it is ${new Date(now).toUTCString()} which is further in the future than the tolerated delay of ${ITERATOR_TTL_MS} milliseconds.`);
  }
  const ref: StreamRef = { name: state.s, accountId: state.a, region: state.r, store: ctx.storeFor(state.a, state.r) };
  const stream = (await ref.store.get<StoredStream>(keys.stream(ref.name))).value;
  if (!stream || stream.createdAt !== state.e) throw streamNotFound(ref.name, ref.accountId);
  if (stream.StreamStatus === "DELETING") throw resourceInUse(`Stream ${ref.name} under account ${ref.accountId} is being deleted.`);
  const shard = findShard(stream, state.sh);
  if (!shard) throw shardNotFound(state.sh, ref.name, ref.accountId);
  const read = await readShard(ctx, ref, stream, shard, state.c, limit);
  if (read.finished) return { Records: read.records, MillisBehindLatest: read.millisBehind, ChildShards: childShards(stream, shard) };
  return {
    Records: read.records,
    NextShardIterator: encodeIterator({ ...state, c: read.position, t: now }),
    MillisBehindLatest: read.millisBehind,
  };
}
