/**
 * Delivery streams with a Kinesis data stream as their source (`KinesisStreamAsSource`): a poller
 * on the emulator clock reads every shard of the stream through `ctx.invoke("kinesis", ...)`,
 * from the delivery stream's start time, and feeds the records to the buffer as PutRecord would.
 * Checkpoints (last sequence number per shard, closed shards finished) live in the store, so a
 * restart resumes where reading stopped; closed parent shards are read before their children.
 * Source: https://docs.aws.amazon.com/firehose/latest/dev/writing-with-kinesis-streams.html
 */
import type { RequestContext } from "../types.ts";
import { isAwsError } from "../../protocol/errors.ts";
import { appendRecords } from "./buffer.ts";
import { streamKey, type StoredStream } from "./streams.ts";

/** How often a source stream is read, in ms of emulator time (AWS reads about once a second). */
export const POLL_INTERVAL_MS = 1_000;

interface Checkpoint {
  /** shard id → last sequence number delivered */
  after: Record<string, string>;
  /** closed shards read to their end */
  finished: string[];
}

interface ShardInfo {
  ShardId: string;
  ParentShardId?: string;
  AdjacentParentShardId?: string;
}

const checkpointKey = (name: string) => ["kinesis-source", name] as const;

function sourceArn(stream: StoredStream): string | undefined {
  const source = stream.Source as { KinesisStreamSourceDescription?: { KinesisStreamARN?: string } } | undefined;
  return source?.KinesisStreamSourceDescription?.KinesisStreamARN;
}

function startTime(stream: StoredStream): number {
  const source = stream.Source as { KinesisStreamSourceDescription?: { DeliveryStartTimestamp?: string | number } } | undefined;
  const at = source?.KinesisStreamSourceDescription?.DeliveryStartTimestamp;
  return at !== undefined ? new Date(at).getTime() : stream.CreateTimestamp;
}

/** Starts polling the delivery stream's source in this emulator, unless it already is. */
export function armKinesisSource(ctx: RequestContext, name: string): void {
  const set = ctx.runtime("polling-sources", () => new Set<string>());
  const key = `${ctx.accountId}/${ctx.region}/${name}`;
  if (set.has(key)) return;
  set.add(key);
  const tick = async (): Promise<void> => {
    const stream = (await ctx.store.get<StoredStream>(streamKey(name))).value;
    if (!stream || stream.DeliveryStreamType !== "KinesisStreamAsSource") {
      set!.delete(key);
      return;
    }
    try {
      await pollOnce(ctx, stream);
    } finally {
      ctx.timers.setTimer(POLL_INTERVAL_MS, tick);
    }
  };
  ctx.timers.setTimer(POLL_INTERVAL_MS, tick);
}

/** Reads what is new on every readable shard and appends it to the delivery stream's buffer. */
export async function pollOnce(ctx: RequestContext, stream: StoredStream): Promise<void> {
  const arn = sourceArn(stream);
  if (!arn) return;
  const name = stream.DeliveryStreamName;
  const checkpoint: Checkpoint = (await ctx.store.get<Checkpoint>(checkpointKey(name))).value ?? { after: {}, finished: [] };
  let shards: ShardInfo[];
  try {
    shards = ((await ctx.invoke("kinesis", "ListShards", { StreamARN: arn })) as { Shards?: ShardInfo[] }).Shards ?? [];
  } catch (error) {
    // A missing or unreadable source stream delivers nothing, as on AWS, until it exists.
    if (isAwsError(error)) return;
    throw error;
  }
  for (const shard of shards) {
    if (checkpoint.finished.includes(shard.ShardId)) continue;
    const parents = [shard.ParentShardId, shard.AdjacentParentShardId].filter((p): p is string => !!p && shards.some((s) => s.ShardId === p));
    if (parents.some((p) => !checkpoint.finished.includes(p))) continue;
    const last = checkpoint.after[shard.ShardId];
    const start = last !== undefined
      ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", StartingSequenceNumber: last }
      : { ShardIteratorType: "AT_TIMESTAMP", Timestamp: new Date(startTime(stream)) };
    let iterator = ((await ctx.invoke("kinesis", "GetShardIterator", { StreamARN: arn, ShardId: shard.ShardId, ...start })) as { ShardIterator?: string }).ShardIterator;
    while (iterator) {
      const page = (await ctx.invoke("kinesis", "GetRecords", { ShardIterator: iterator })) as { Records: { SequenceNumber: string; Data: Uint8Array }[]; NextShardIterator?: string };
      if (page.Records.length > 0) {
        await appendRecords(ctx, stream, page.Records.map((r) => ({ RecordId: crypto.randomUUID(), data: r.Data })));
        checkpoint.after[shard.ShardId] = page.Records[page.Records.length - 1]!.SequenceNumber;
        await ctx.store.set(checkpointKey(name), checkpoint);
      }
      if (!page.NextShardIterator) {
        checkpoint.finished.push(shard.ShardId);
        await ctx.store.set(checkpointKey(name), checkpoint);
        break;
      }
      if (page.Records.length === 0) break;
      iterator = page.NextShardIterator;
    }
  }
}

/** Forgets a deleted delivery stream's checkpoints. */
export async function forgetKinesisSource(ctx: RequestContext, name: string): Promise<void> {
  await ctx.store.delete(checkpointKey(name));
}

/** After a restart: arms every Kinesis-sourced delivery stream of the account and region once. */
export async function armAllKinesisSources(ctx: RequestContext): Promise<void> {
  const set = ctx.runtime("rearmed-scopes", () => new Set<string>());
  const key = `${ctx.accountId}/${ctx.region}`;
  if (set.has(key)) return;
  set.add(key);
  for await (const entry of ctx.store.list<StoredStream>({ prefix: ["stream"] })) {
    if (entry.value.DeliveryStreamType === "KinesisStreamAsSource") armKinesisSource(ctx, entry.value.DeliveryStreamName);
  }
}
