/**
 * Kinesis and DynamoDB Streams → Lambda event source mappings, polled on the emulator clock
 * like SQS (poller.ts): per shard, GetRecords from the last checkpoint (or StartingPosition),
 * one synchronous invocation per batch with AWS's event, then the checkpoint moves on. A failed
 * batch is retried on later polls (MaximumRetryAttempts; -1 means up to 10 000 times here), then
 * its batch info goes to the OnFailure destination (SQS or SNS) and it is skipped.
 * BisectBatchOnFunctionError, MaximumRecordAgeInSeconds and ParallelizationFactor are stored,
 * not applied.
 *
 * Checkpoints (last sequence number per shard) are state (`["esm-position", uuid, shard]`), so a
 * restart resumes; iterators for LATEST are taken when the mapping is first polled.
 * Sources: https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html
 */
import { bytesToBase64 } from "../../protocol/shape-values.ts";
import type { RequestContext } from "../types.ts";
import { invokeForMapping } from "./invoke.ts";
import type { StoredMapping } from "./state.ts";

export const STREAM_POLL_INTERVAL_MS = 1000;

/** Plain JSON for the event: timestamps as epoch seconds, blobs as base64. */
function jsonable(value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Uint8Array) return bytesToBase64(value);
  if (Array.isArray(value)) return value.map(jsonable);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonable(v)]));
  return value;
}

/** A Kinesis record, or a DynamoDB Streams record (its sequence number under `dynamodb`), as GetRecords returns it. */
type SourceRecord = Record<string, unknown> & { SequenceNumber?: string; dynamodb?: { SequenceNumber?: string } };

interface Source {
  service: "kinesis" | "dynamodbstreams";
  shards(): Promise<string[]>;
  iterator(shard: string, after?: string): Promise<string | undefined>;
  event(records: SourceRecord[], shard: string): Record<string, unknown>[];
  sequence(record: SourceRecord): string;
}

function sourceFor(ctx: RequestContext, mapping: StoredMapping): Source {
  const arn = mapping.EventSourceArn!;
  const start = mapping.StartingPosition ?? "TRIM_HORIZON";
  if (arn.split(":")[2] === "kinesis") {
    return {
      service: "kinesis",
      async shards() {
        const out = await ctx.invoke("kinesis", "ListShards", { StreamARN: arn });
        return ((out.Shards as { ShardId: string }[] | undefined) ?? []).map((s) => s.ShardId);
      },
      async iterator(shard, after) {
        const input: Record<string, unknown> = { StreamARN: arn, ShardId: shard, ShardIteratorType: after ? "AFTER_SEQUENCE_NUMBER" : start };
        if (after) input.StartingSequenceNumber = after;
        if (!after && start === "AT_TIMESTAMP") input.Timestamp = new Date(mapping.StartingPositionTimestamp ?? 0);
        return (await ctx.invoke("kinesis", "GetShardIterator", input)).ShardIterator as string | undefined;
      },
      event(records, shard) {
        return records.map((r) => ({
          kinesis: {
            kinesisSchemaVersion: "1.0", partitionKey: r.PartitionKey, sequenceNumber: r.SequenceNumber,
            data: jsonable(r.Data), approximateArrivalTimestamp: jsonable(r.ApproximateArrivalTimestamp),
          },
          eventSource: "aws:kinesis", eventVersion: "1.0", eventID: `${shard}:${r.SequenceNumber}`, eventName: "aws:kinesis:record",
          invokeIdentityArn: "", awsRegion: ctx.region, eventSourceARN: arn,
        }));
      },
      sequence: (r) => r.SequenceNumber ?? "",
    };
  }
  return {
    service: "dynamodbstreams",
    async shards() {
      const out = await ctx.invoke("dynamodbstreams", "DescribeStream", { StreamArn: arn });
      return ((out.StreamDescription as { Shards?: { ShardId: string }[] } | undefined)?.Shards ?? []).map((s) => s.ShardId);
    },
    async iterator(shard, after) {
      const input: Record<string, unknown> = { StreamArn: arn, ShardId: shard, ShardIteratorType: after ? "AFTER_SEQUENCE_NUMBER" : start };
      if (after) input.SequenceNumber = after;
      return (await ctx.invoke("dynamodbstreams", "GetShardIterator", input)).ShardIterator as string | undefined;
    },
    event(records) {
      return records.map((r) => ({ ...(jsonable(r) as Record<string, unknown>), eventSourceARN: arn }));
    },
    sequence: (r) => r.dynamodb?.SequenceNumber ?? "",
  };
}

/** In-memory iterators per emulator poll loop (positions themselves are checkpointed in the store). */
type Iterators = Map<string, string>;

/** One poll of every shard; true when a batch was done with (poll again at once). */
export async function pollStream(ctx: RequestContext, mapping: StoredMapping, iterators: Iterators): Promise<boolean> {
  const source = sourceFor(ctx, mapping);
  let busy = false;
  for (const shard of await source.shards()) {
    const positionKey = ["esm-position", mapping.UUID, shard];
    const checkpoint = (await ctx.store.get<string>(positionKey)).value ?? undefined;
    let iterator = iterators.get(shard) ?? (await source.iterator(shard, checkpoint));
    if (!iterator) continue;
    const out = await ctx.invoke(source.service, "GetRecords", { ShardIterator: iterator, Limit: Math.min(mapping.BatchSize, 10000) });
    const records = (out.Records as SourceRecord[] | undefined) ?? [];
    if (records.length === 0) {
      if (out.NextShardIterator) iterators.set(shard, out.NextShardIterator as string);
      continue;
    }
    const delivered = await deliver(ctx, mapping, source, shard, records);
    if (delivered) {
      busy = true;
      await ctx.store.set(positionKey, source.sequence(records[records.length - 1]!));
      if (out.NextShardIterator) iterators.set(shard, out.NextShardIterator as string);
      else iterators.delete(shard);
    } else {
      // Retry from the checkpoint on the next poll.
      iterators.delete(shard);
    }
  }
  return busy;
}

/** Invokes for one batch with the mapping's retry/bisect policy; true when the batch is done with. */
async function deliver(ctx: RequestContext, mapping: StoredMapping, source: Source, shard: string, records: SourceRecord[]): Promise<boolean> {
  const attemptsKey = ["esm-attempts", mapping.UUID, shard];
  const payload = new TextEncoder().encode(JSON.stringify({ Records: source.event(records, shard) }));
  const result = await invokeForMapping(ctx, mapping.FunctionArn, payload);
  if (result.ok) {
    await ctx.store.delete(attemptsKey);
    return true;
  }
  const attempts = ((await ctx.store.get<number>(attemptsKey)).value ?? 0) + 1;
  const max = mapping.MaximumRetryAttempts === undefined || mapping.MaximumRetryAttempts < 0 ? 10000 : mapping.MaximumRetryAttempts;
  if (attempts <= max) {
    await ctx.store.set(attemptsKey, attempts);
    return false;
  }
  await ctx.store.delete(attemptsKey);
  const destination: string | undefined = mapping.DestinationConfig?.OnFailure?.Destination;
  if (destination) {
    const first = records[0]!;
    const last = records[records.length - 1]!;
    const info = {
      requestContext: { requestId: crypto.randomUUID(), functionArn: mapping.FunctionArn, condition: "RetryAttemptsExhausted", approximateInvokeCount: attempts },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      timestamp: new Date(ctx.clock.now()).toISOString(),
      [source.service === "kinesis" ? "KinesisBatchInfo" : "DDBStreamBatchInfo"]: {
        shardId: shard, startSequenceNumber: source.sequence(first), endSequenceNumber: source.sequence(last), batchSize: records.length, streamArn: mapping.EventSourceArn,
      },
    };
    const service = destination.split(":")[2];
    try {
      if (service === "sqs") {
        const [, , , , account, name] = destination.split(":");
        const { QueueUrl } = await ctx.invoke("sqs", "GetQueueUrl", { QueueName: name, QueueOwnerAWSAccountId: account });
        await ctx.invoke("sqs", "SendMessage", { QueueUrl, MessageBody: JSON.stringify(info) });
      } else if (service === "sns") await ctx.invoke("sns", "Publish", { TopicArn: destination, Message: JSON.stringify(info) });
    } catch {
      // An unreachable destination drops the record, as AWS does after its own retries.
    }
  }
  return true;
}

