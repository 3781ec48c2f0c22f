/**
 * ListShards with AWS's filters and five-minute NextTokens.
 * Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_ListShards.html
 */
import type { RequestContext } from "../types.ts";
import type { ListShardsInput } from "../../generated/kinesis.ts";
import { expiredNextToken, invalidArgument } from "./errors.ts";
import { describeShard, loadStream, streamRef, type StoredShard, type StoredStream, type StreamRef } from "./streams.ts";
import { decodeToken, encodeToken } from "./tokens.ts";

interface ListShardsToken {
  a: string;
  r: string;
  s: string;
  after?: string;
  filter?: { Type: string; ShardId?: string; Timestamp?: number };
  t: number;
}

const TOKEN_TTL_MS = 300_000;

function openAt(shard: StoredShard, at: number): boolean {
  return shard.createdAt <= at && (shard.closedAt === undefined || shard.closedAt > at);
}

function notClosedBefore(shard: StoredShard, at: number): boolean {
  return shard.closedAt === undefined || shard.closedAt > at;
}

function applyFilter(stream: StoredStream, shards: StoredShard[], filter: ListShardsToken["filter"], now: number): StoredShard[] {
  if (!filter) return shards;
  const trimHorizon = Math.max(now - stream.RetentionPeriodHours * 3_600_000, stream.createdAt);
  switch (filter.Type) {
    case "AFTER_SHARD_ID":
      if (filter.ShardId === undefined) throw invalidArgument("ShardFilter ShardId must be provided for ShardFilter type AFTER_SHARD_ID.");
      return shards.filter((s) => s.ShardId > filter.ShardId!);
    case "AT_TRIM_HORIZON":
      return shards.filter((s) => openAt(s, trimHorizon));
    case "FROM_TRIM_HORIZON":
      return shards.filter((s) => notClosedBefore(s, trimHorizon));
    case "AT_LATEST":
      return shards.filter((s) => s.to === undefined);
    case "AT_TIMESTAMP":
    case "FROM_TIMESTAMP": {
      if (filter.Timestamp === undefined) throw invalidArgument(`ShardFilter Timestamp must be provided for ShardFilter type ${filter.Type}.`);
      const at = Math.max(filter.Timestamp, stream.createdAt);
      return shards.filter((s) => (filter.Type === "AT_TIMESTAMP" ? openAt(s, at) : notClosedBefore(s, at)));
    }
    default:
      throw invalidArgument(`Invalid ShardFilter type ${filter.Type}.`);
  }
}

export async function listShards(ctx: RequestContext, input: ListShardsInput) {
  const now = ctx.clock.now();
  let ref: StreamRef;
  let after: string | undefined = input.ExclusiveStartShardId;
  let filter: ListShardsToken["filter"];
  if (input.NextToken !== undefined) {
    if (input.StreamName !== undefined || input.StreamARN !== undefined) {
      throw invalidArgument("NextToken and StreamName cannot be provided together.");
    }
    const token = decodeToken<ListShardsToken>(input.NextToken);
    if (now - token.t > TOKEN_TTL_MS) throw expiredNextToken(`The timestamp ${new Date(token.t).toISOString()} encoded in the NextToken is more than ${TOKEN_TTL_MS / 1000} seconds old.`);
    ref = { name: token.s, accountId: token.a, region: token.r, store: ctx.storeFor(token.a, token.r) };
    after = token.after;
    filter = token.filter;
  } else {
    ref = streamRef(ctx, input);
    if (input.ShardFilter) {
      const ts = input.ShardFilter.Timestamp;
      filter = { Type: input.ShardFilter.Type, ShardId: input.ShardFilter.ShardId, ...(ts !== undefined ? { Timestamp: new Date(ts).getTime() } : {}) };
    }
  }
  const stream = await loadStream(ref);
  if (input.StreamCreationTimestamp !== undefined && new Date(input.StreamCreationTimestamp).getTime() !== Math.floor(stream.createdAt / 1000) * 1000 && new Date(input.StreamCreationTimestamp).getTime() !== stream.createdAt) {
    throw invalidArgument(`StreamCreationTimestamp does not match the creation time of stream ${ref.name}.`);
  }
  let shards = applyFilter(stream, stream.shards, filter, now);
  if (after !== undefined) shards = shards.filter((s) => s.ShardId > after!);
  const limit: number = input.MaxResults ?? 1000;
  const page = shards.slice(0, limit);
  const more = shards.length > page.length;
  return {
    Shards: page.map((s) => describeShard(stream, s)),
    ...(more ? { NextToken: encodeToken({ a: ref.accountId, r: ref.region, s: ref.name, after: page[page.length - 1]!.ShardId, filter, t: now } satisfies ListShardsToken) } : {}),
  };
}
