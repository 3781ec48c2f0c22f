/**
 * Streams, shards, iterators and records.
 * Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetShardIterator.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_GetRecords.html
 *
 * Each stream has one shard, open while the stream is enabled and closed (EndingSequenceNumber,
 * no NextShardIterator once read to the end) after it is disabled or its table deleted.
 * Records live 24 hours on the emulator's clock; older ones are skipped and deleted as
 * GetRecords meets them, and a stream disabled for 24 hours disappears. A shard iterator is
 * an opaque token (the position after which to read) valid for 15 minutes.
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Key } from "../../store/types.ts";
import type { OutputOf, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/dynamodbstreams.ts";
import {
  recordOutput, SEQUENCE_DIGITS, STREAM_RETENTION_MS, streamKey, streamRecordKey, streamRecordPrefix,
  type StoredStreamRecord, type StreamInfo,
} from "../../shared/dynamodb-streams.ts";

const ITERATOR_TTL_MS = 15 * 60 * 1000;
const MAX_RESPONSE_BYTES = 1024 * 1024;

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

function streamNotFound(arn: string): AwsError {
  return new AwsError("ResourceNotFoundException", `Requested resource not found: Stream: ${arn} not found`, 400);
}

function gone(info: StreamInfo, now: number): boolean {
  return info.disabledAt !== undefined && info.disabledAt + STREAM_RETENTION_MS <= now;
}

async function requireStream(ctx: RequestContext, arn: string): Promise<StreamInfo> {
  const info = (await ctx.store.get<StreamInfo>(streamKey(arn))).value;
  if (!info || gone(info, ctx.clock.now())) throw streamNotFound(arn);
  return info;
}

function seqAt(ms: number): string {
  return (BigInt(Math.max(0, Math.floor(ms))) * 100_000_000n).toString().padStart(SEQUENCE_DIGITS, "0");
}

async function edgeRecord(ctx: RequestContext, info: StreamInfo, last: boolean): Promise<StoredStreamRecord | null> {
  const cutoff = ctx.clock.now() - STREAM_RETENTION_MS;
  for await (const e of ctx.store.list<StoredStreamRecord>({ prefix: streamRecordPrefix(info.arn) }, { reverse: last })) {
    if (e.value.at > cutoff) return e.value;
    if (last) return null;
  }
  return null;
}

export async function listStreams(input: { TableName?: string; Limit?: number; ExclusiveStartStreamArn?: string }, ctx: RequestContext) {
  const limit = input.Limit ?? 100;
  const now = ctx.clock.now();
  const streams: { StreamArn: string; TableName: string; StreamLabel: string }[] = [];
  let more = false;
  for await (const e of ctx.store.list<StreamInfo>({ prefix: ["stream"] })) {
    const info = e.value;
    if (gone(info, now)) continue;
    if (input.TableName && info.tableName !== input.TableName) continue;
    if (input.ExclusiveStartStreamArn && info.arn <= input.ExclusiveStartStreamArn) continue;
    if (streams.length === limit) {
      more = true;
      break;
    }
    streams.push({ StreamArn: info.arn, TableName: info.tableName, StreamLabel: info.label });
  }
  return { Streams: streams, ...(more ? { LastEvaluatedStreamArn: streams[streams.length - 1]!.StreamArn } : {}) };
}

export async function describeStream(input: { StreamArn: string; Limit?: number; ExclusiveStartShardId?: string }, ctx: RequestContext): Promise<OutputOf<Ops, "DescribeStream">> {
  const info = await requireStream(ctx, input.StreamArn);
  const first = await edgeRecord(ctx, info, false);
  const last = info.disabledAt !== undefined ? await edgeRecord(ctx, info, true) : null;
  const start = first?.SequenceNumber ?? seqAt(info.createdAt);
  const shard = {
    ShardId: info.shardId,
    SequenceNumberRange: {
      StartingSequenceNumber: start,
      ...(info.disabledAt !== undefined ? { EndingSequenceNumber: last?.SequenceNumber ?? start } : {}),
    },
  };
  const shards = input.ExclusiveStartShardId && input.ExclusiveStartShardId >= info.shardId ? [] : [shard];
  return {
    StreamDescription: {
      StreamArn: info.arn,
      StreamLabel: info.label,
      StreamStatus: info.disabledAt !== undefined ? "DISABLED" : "ENABLED",
      StreamViewType: info.viewType,
      CreationRequestDateTime: new Date(info.createdAt),
      TableName: info.tableName,
      KeySchema: info.keySchema,
      Shards: shards,
    },
  };
}

interface Position {
  /** Stream ARN. */
  a: string;
  /** Shard id. */
  s: string;
  /** Sequence number to read after ("" = from the oldest record). */
  f: string;
  /** Epoch ms the iterator was issued. */
  t: number;
}

function encodeIterator(p: Position): string {
  const bytes = new TextEncoder().encode(JSON.stringify(p));
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return `${p.a}|1|${btoa(bin)}`;
}

function decodeIterator(iterator: string): Position {
  try {
    const body = iterator.slice(iterator.lastIndexOf("|") + 1);
    const bin = atob(body);
    const p = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)))) as Position;
    if (typeof p.a !== "string" || typeof p.s !== "string" || typeof p.f !== "string" || typeof p.t !== "number") throw new Error();
    return p;
  } catch {
    throw invalid("Invalid ShardIterator");
  }
}

/** The sequence number just below `seq` (so that "after" it includes `seq`). */
function before(seq: string): string {
  const n = BigInt(seq);
  return n === 0n ? "" : (n - 1n).toString().padStart(SEQUENCE_DIGITS, "0");
}

export async function getShardIterator(
  input: { StreamArn: string; ShardId: string; ShardIteratorType: string; SequenceNumber?: string },
  ctx: RequestContext,
) {
  const info = await requireStream(ctx, input.StreamArn);
  if (input.ShardId !== info.shardId) throw new AwsError("ResourceNotFoundException", `Requested resource not found: Shard does not exist`, 400);
  const type = input.ShardIteratorType;
  let from = "";
  if (type === "AT_SEQUENCE_NUMBER" || type === "AFTER_SEQUENCE_NUMBER") {
    const seq = input.SequenceNumber;
    if (seq === undefined) throw invalid(`Must specify SequenceNumber when ShardIteratorType is ${type}`);
    if (!/^\d{1,40}$/.test(seq)) throw invalid(`Invalid SequenceNumber: ${seq}`);
    const padded = seq.padStart(SEQUENCE_DIGITS, "0");
    const named = (await ctx.store.get<StoredStreamRecord>(streamRecordKey(info.arn, padded))).value;
    const trimmedTo = (await ctx.store.get<string>(["strim", info.arn])).value;
    if ((named && named.at <= ctx.clock.now() - STREAM_RETENTION_MS) || (trimmedTo !== null && padded <= trimmedTo)) {
      throw new AwsError("TrimmedDataAccessException", "The operation attempted to read past the oldest stream record in a shard.", 400);
    }
    from = type === "AT_SEQUENCE_NUMBER" ? before(padded) : padded;
  } else {
    if (input.SequenceNumber !== undefined) throw invalid(`Must not specify SequenceNumber when ShardIteratorType is ${type}`);
    if (type === "LATEST") from = (await edgeRecord(ctx, info, true))?.SequenceNumber ?? before(seqAt(ctx.clock.now()));
  }
  return { ShardIterator: encodeIterator({ a: info.arn, s: info.shardId, f: from, t: ctx.clock.now() }) };
}

export async function getRecords(input: { ShardIterator: string; Limit?: number }, ctx: RequestContext): Promise<OutputOf<Ops, "GetRecords">> {
  const position = decodeIterator(input.ShardIterator);
  const now = ctx.clock.now();
  if (now - position.t > ITERATOR_TTL_MS) {
    throw new AwsError(
      "ExpiredIteratorException",
      `Iterator expired. The iterator was created at time ${new Date(position.t).toUTCString()} while right now it is ${new Date(now).toUTCString()} which is further in the future than the tolerated delay of ${ITERATOR_TTL_MS} milliseconds.`,
      400,
    );
  }
  const info = await requireStream(ctx, position.a);
  const limit = input.Limit ?? 1000;
  const cutoff = now - STREAM_RETENTION_MS;
  const prefix = streamRecordPrefix(info.arn);
  const selector = position.f ? { prefix, start: [...streamRecordKey(info.arn, position.f), true] as Key } : { prefix };
  const records: ReturnType<typeof recordOutput>[] = [];
  const trimmed: Key[] = [];
  let bytes = 0;
  let lastSeq = position.f;
  let reachedEnd = true;
  for await (const e of ctx.store.list<StoredStreamRecord>(selector)) {
    if (e.value.at <= cutoff) {
      trimmed.push(e.key);
      lastSeq = e.value.SequenceNumber;
      continue;
    }
    if (records.length === limit || bytes >= MAX_RESPONSE_BYTES) {
      reachedEnd = false;
      break;
    }
    records.push(recordOutput(e.value));
    bytes += e.value.SizeBytes;
    lastSeq = e.value.SequenceNumber;
  }
  for (let i = 0; i < trimmed.length; i += 500) {
    const op = ctx.store.atomic();
    for (const k of trimmed.slice(i, i + 500)) op.delete(k);
    // Remembers how far the shard was trimmed, for TrimmedDataAccessException.
    op.set(["strim", info.arn], trimmed[Math.min(i + 500, trimmed.length) - 1]![2] as string);
    await op.commit();
  }
  // A closed shard read to its end has no next iterator.
  const closed = info.disabledAt !== undefined && reachedEnd;
  return {
    Records: records,
    ...(closed ? {} : { NextShardIterator: encodeIterator({ a: info.arn, s: info.shardId, f: lastSeq, t: now }) }),
  };
}
