/**
 * SplitShard, MergeShards and UpdateShardCount: parents close at the stream's current counter
 * and children open after it, in one atomic commit with the counter, so no record lands in a
 * parent after its end and readers move from parents to children in order.
 * Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_SplitShard.html,
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_MergeShards.html,
 * https://docs.aws.amazon.com/kinesis/latest/APIReference/API_UpdateShardCount.html
 */
import type { RequestContext } from "../types.ts";
import { withLock } from "../../store/mutex.ts";
import { commitWithRetry } from "../../store/atomic.ts";
import { invalidArgument, limitExceeded, resourceInUse, shardNotFound } from "./errors.ts";
import { MAX_HASH_KEY, uniformRanges } from "./hash-keys.ts";
import { lockName } from "./records.ts";
import { findShard, keys, loadStream, newShard, openShards, type StoredShard, type StoredStream, type StreamCounter, type StreamRef } from "./streams.ts";

/** Shards an account may hold open (AWS's default quota in the largest regions). */
export const SHARD_LIMIT = 500;

async function reshard(ctx: RequestContext, ref: StreamRef, change: (stream: StoredStream, counter: number, now: number) => void): Promise<StoredStream> {
  return withLock(lockName(ref), async () => (await commitWithRetry(async () => {
      const stream = await loadStream(ref);
      if (stream.StreamStatus !== "ACTIVE") {
        throw resourceInUse(`Stream ${ref.name} under account ${ref.accountId} not ACTIVE, instead in state ${stream.StreamStatus}`);
      }
      const counterEntry = await ref.store.get<StreamCounter>(keys.counter(ref.name));
      const counter = counterEntry.value?.counter ?? 0;
      const next: StoredStream = structuredClone(stream);
      change(next, counter, ctx.clock.now());
      const op = ref.store.atomic()
        .check({ key: keys.counter(ref.name), versionstamp: counterEntry.versionstamp })
        .set(keys.counter(ref.name), { counter } satisfies StreamCounter)
        .set(keys.stream(ref.name), next);
      return { op, value: next };
    }, { conflict: () => limitExceeded(`Rate exceeded for stream ${ref.name} under account ${ref.accountId}.`) })).value);
}

function close(shard: StoredShard, counter: number, now: number): void {
  shard.to = counter;
  shard.closedAt = now;
}

function openShard(stream: StoredStream, shardId: string, ref: StreamRef): StoredShard {
  const shard = findShard(stream, shardId);
  if (!shard) throw shardNotFound(shardId, ref.name, ref.accountId);
  if (shard.to !== undefined) {
    throw resourceInUse(`Shard ${shardId} in stream ${ref.name} under account ${ref.accountId} has already been merged or split, and thus is not eligible for merging or splitting.`);
  }
  return shard;
}

export function splitShard(ctx: RequestContext, ref: StreamRef, shardId: string, newStartingHashKey: string): Promise<StoredStream> {
  return reshard(ctx, ref, (stream, counter, now) => {
    const parent = openShard(stream, shardId, ref);
    const at = /^\d{1,39}$/.test(newStartingHashKey) ? BigInt(newStartingHashKey) : -1n;
    if (at <= BigInt(parent.start) || at > BigInt(parent.end) || at > MAX_HASH_KEY) {
      throw invalidArgument(`NewStartingHashKey ${newStartingHashKey} used in SplitShard() on shard ${shardId} in stream ${ref.name} under account ${ref.accountId} is not both greater than one plus the shard's StartingHashKey ${parent.start} and less than the shard's EndingHashKey ${parent.end}.`);
    }
    if (openShards(stream).length + 1 > SHARD_LIMIT) throw limitExceeded(`This request would exceed the shard limit for the account ${ref.accountId} in ${ref.region}. Current shard count for the account: ${openShards(stream).length}. Limit: ${SHARD_LIMIT}.`);
    close(parent, counter, now);
    stream.shards.push(newShard(stream, { start: BigInt(parent.start), end: at - 1n }, counter, now, [parent.ShardId]));
    stream.shards.push(newShard(stream, { start: at, end: BigInt(parent.end) }, counter, now, [parent.ShardId]));
  });
}

export function mergeShards(ctx: RequestContext, ref: StreamRef, shardId: string, adjacentId: string): Promise<StoredStream> {
  return reshard(ctx, ref, (stream, counter, now) => {
    const a = openShard(stream, shardId, ref);
    const b = openShard(stream, adjacentId, ref);
    const adjacent = BigInt(a.end) + 1n === BigInt(b.start) || BigInt(b.end) + 1n === BigInt(a.start);
    if (!adjacent) {
      throw invalidArgument(`Shards ${shardId} and ${adjacentId} in stream ${ref.name} under account ${ref.accountId} are not an adjacent pair of shards eligible for merging`);
    }
    close(a, counter, now);
    close(b, counter, now);
    const start = BigInt(a.start) < BigInt(b.start) ? BigInt(a.start) : BigInt(b.start);
    const end = BigInt(a.end) > BigInt(b.end) ? BigInt(a.end) : BigInt(b.end);
    stream.shards.push(newShard(stream, { start, end }, counter, now, [a.ShardId, b.ShardId]));
  });
}

/** UNIFORM_SCALING: AWS allows at most double and at least half the open shard count per call. */
export function updateShardCount(ctx: RequestContext, ref: StreamRef, target: number): Promise<StoredStream> {
  return reshard(ctx, ref, (stream, counter, now) => {
    const open = openShards(stream).sort((x, y) => (BigInt(x.start) < BigInt(y.start) ? -1 : 1));
    if (target > open.length * 2) {
      throw invalidArgument(`UpdateShardCount cannot scale up over double your current open shard count. Current open shard count: ${open.length} Target shard count: ${target}`);
    }
    if (target * 2 < open.length) {
      throw invalidArgument(`UpdateShardCount cannot scale down below half your current open shard count. Current open shard count: ${open.length} Target shard count: ${target}`);
    }
    if (target > SHARD_LIMIT) throw limitExceeded(`Target shard count ${target} exceeds the shard limit ${SHARD_LIMIT}.`);
    if (target === open.length) return;
    for (const shard of open) close(shard, counter, now);
    for (const range of uniformRanges(target)) {
      const parents = open.filter((s) => BigInt(s.start) <= range.end && BigInt(s.end) >= range.start).map((s) => s.ShardId);
      stream.shards.push(newShard(stream, range, counter, now, parents));
    }
  });
}
