/**
 * Amazon Kinesis Data Streams over awsJson 1.1 (Kinesis_20131202.*).
 * Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_Operations.html
 *
 * Streams, shards, records with AWS's sequence numbers and hash-key routing, iterators with
 * five-minute expiry, retention on the injectable clock, resharding, consumers, tags, resource
 * policies and encryption settings. Status changes (CREATING, UPDATING, DELETING) complete
 * within the request, so waiters see ACTIVE at once. SubscribeToShard streams events (subscribe.ts).
 */
import { defineService, type RequestContext } from "../types.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import model from "../../../models/kinesis.json" with { type: "json" };
import { invalidArgument, limitExceeded, resourceInUse, validation } from "./errors.ts";
import { uniformRanges } from "./hash-keys.ts";
import { getRecords, getShardIterator, lockName, putRecords } from "./records.ts";
import { mergeShards, SHARD_LIMIT, splitShard, updateShardCount } from "./resharding.ts";
import { deregisterConsumer, describeConsumer, findConsumer, listConsumers, registerConsumer } from "./consumers.ts";
import {
  describeShard, encryptionFields, enhancedMonitoring, keys, loadStream, newShard, openShards, parseStreamArn, streamArn,
  streamModeDetails, streamRef, type StoredStream, type StreamRef,
} from "./streams.ts";
import { withLock } from "../../store/mutex.ts";
import type { MetricsName, Operations } from "../../generated/kinesis.ts";
import { listShards } from "./list-shards.ts";
import { decodeToken, encodeToken } from "./tokens.ts";
import { serveSubscribeToShard } from "./subscribe.ts";
import { notifyStream } from "./signal.ts";
import { clearStore } from "../../store/snapshot.ts";
import type { Key } from "../../store/types.ts";
import { kinesisAuthorization } from "./authorization.ts";

const ON_DEMAND_SHARDS = 4;
const ON_DEMAND_STREAM_LIMIT = 50;
const ALL_METRICS: MetricsName[] = [
  "IncomingBytes", "IncomingRecords", "OutgoingBytes", "OutgoingRecords",
  "WriteProvisionedThroughputExceeded", "ReadProvisionedThroughputExceeded", "IteratorAgeMilliseconds",
];
const MAX_TAGS = 50;

async function allStreams(ctx: RequestContext): Promise<StoredStream[]> {
  const out: StoredStream[] = [];
  for await (const entry of ctx.store.list<StoredStream>({ prefix: ["stream"] })) out.push(entry.value);
  return out;
}

function checkTags(tags: Record<string, string>): void {
  for (const key of Object.keys(tags)) {
    if (key.toLowerCase().startsWith("aws:")) throw invalidArgument(`Tag key ${key} uses the reserved prefix aws:.`);
  }
  if (Object.keys(tags).length > MAX_TAGS) throw invalidArgument(`Failed to add tags to stream because the number of tags would exceed ${MAX_TAGS}.`);
}

/** Read-modify-write of a stream record, serialized with its writers. */
function updateStream(ref: StreamRef, change: (stream: StoredStream) => void | Promise<void>): Promise<StoredStream> {
  return withLock(lockName(ref), async () => {
    const stream = structuredClone(await loadStream(ref));
    await change(stream);
    await ref.store.set(keys.stream(ref.name), stream);
    return stream;
  });
}

function requireActive(stream: StoredStream, ref: StreamRef): void {
  if (stream.StreamStatus !== "ACTIVE") {
    throw resourceInUse(`Stream ${ref.name} under account ${ref.accountId} not ACTIVE, instead in state ${stream.StreamStatus}`);
  }
}

/** Stream or consumer ARN → the stream (tags and policies take either). */
async function resourceStream(ctx: RequestContext, arn: string): Promise<StreamRef> {
  const parsed = parseStreamArn(arn);
  if (!parsed) throw invalidArgument(`Invalid ResourceARN ${arn}.`);
  const ref: StreamRef = { ...parsed, store: ctx.storeFor(parsed.accountId, parsed.region) };
  if (arn.includes("/consumer/")) await findConsumer(ctx, { ConsumerARN: arn });
  else await loadStream(ref);
  return ref;
}

/** A KMS key must exist and be enabled when fetchstack's KMS is served and implemented. */
async function checkKmsKey(ctx: RequestContext, keyId: string): Promise<void> {
  if (keyId === "alias/aws/kinesis") return;
  try {
    const out = await ctx.invoke("kms", "DescribeKey", { KeyId: keyId }) as { KeyMetadata?: { Enabled?: boolean; KeyState?: string } };
    if (out.KeyMetadata && out.KeyMetadata.Enabled === false) {
      throw new AwsError("KMSDisabledException", `KMS key ${keyId} is disabled.`, 400);
    }
  } catch (error) {
    if (!isAwsError(error) || error.code === "NotImplemented" || error.status === 501) return;
    if (error.code === "NotFoundException") throw new AwsError("KMSNotFoundException", `KMS key ${keyId} was not found.`, 400);
    throw error;
  }
}

function summary(stream: StoredStream) {
  return {
    StreamName: stream.StreamName,
    StreamARN: stream.StreamARN,
    StreamStatus: stream.StreamStatus,
    StreamModeDetails: streamModeDetails(stream),
    StreamCreationTimestamp: new Date(stream.createdAt),
  };
}

export default defineService<Operations>({
  name: "kinesis",
  authorization: kinesisAuthorization,
  model: model as unknown as ServiceModel,
  // SubscribeToShard answers an event stream, which the codecs do not write (subscribe.ts).
  preRoute: serveSubscribeToShard,
  handlers: {
    async CreateStream(input, ctx) {
      const name: string = input.StreamName;
      const mode: "PROVISIONED" | "ON_DEMAND" = input.StreamModeDetails?.StreamMode ?? "PROVISIONED";
      if (mode === "PROVISIONED" && input.ShardCount === undefined) {
        throw invalidArgument("ShardCount is required for PROVISIONED streams.");
      }
      const shardCount = mode === "ON_DEMAND" ? ON_DEMAND_SHARDS : (input.ShardCount as number);
      if (input.Tags) checkTags(input.Tags);
      const existing = await allStreams(ctx);
      const openCount = existing.reduce((n, s) => n + openShards(s).length, 0);
      if (openCount + shardCount > SHARD_LIMIT) {
        throw limitExceeded(`This request would exceed the shard limit for the account ${ctx.accountId} in ${ctx.region}. Current shard count for the account: ${openCount}. Limit: ${SHARD_LIMIT}. Number of additional shards that would have resulted from this request: ${shardCount}. Refer to the AWS Service Limits page (https://docs.aws.amazon.com/general/latest/gr/aws_service_limits.html) for current limits and how to request higher limits.`);
      }
      if (mode === "ON_DEMAND" && existing.filter((s) => s.StreamMode === "ON_DEMAND").length >= ON_DEMAND_STREAM_LIMIT) {
        throw limitExceeded(`This request would exceed the on-demand stream limit of ${ON_DEMAND_STREAM_LIMIT} for the account ${ctx.accountId} in ${ctx.region}.`);
      }
      const now = ctx.clock.now();
      const stream: StoredStream = {
        StreamName: name,
        StreamARN: streamArn(ctx.region, ctx.accountId, name),
        StreamId: `${crypto.randomUUID().replace(/-/g, "").slice(0, 20)}-${crypto.randomUUID().slice(0, 3)}`,
        StreamStatus: "ACTIVE",
        StreamMode: mode,
        createdAt: now,
        RetentionPeriodHours: 24,
        shards: [],
        nextShardIndex: 0,
        EncryptionType: "NONE",
        ShardLevelMetrics: [],
        tags: { ...(input.Tags ?? {}) },
        MaxRecordSizeInKiB: input.MaxRecordSizeInKiB ?? 1024,
        ...(input.WarmThroughputMiBps !== undefined ? { WarmThroughputMiBps: input.WarmThroughputMiBps } : {}),
      };
      for (const range of uniformRanges(shardCount)) stream.shards.push(newShard(stream, range, 0, now));
      const ok = await ctx.store.atomic().check({ key: keys.stream(name), versionstamp: null })
        .set(keys.stream(name), stream).set(keys.counter(name), { counter: 0 }).commit();
      if (!ok.ok) throw resourceInUse(`Stream ${name} under account ${ctx.accountId} already exists.`);
      return {};
    },

    async DeleteStream(input, ctx) {
      const ref = streamRef(ctx, input);
      await withLock(lockName(ref), async () => {
        const stream = await loadStream(ref);
        const consumers = await listConsumers(ref, stream);
        if (consumers.length > 0 && !input.EnforceConsumerDeletion) {
          throw resourceInUse(`Stream ${ref.name} under account ${ref.accountId} has registered consumers. Use EnforceConsumerDeletion to delete the stream with its consumers.`);
        }
        await ref.store.delete(keys.stream(ref.name));
        await ref.store.delete(keys.counter(ref.name));
        await ref.store.delete(keys.policy(stream.StreamARN));
        for (const prefix of [["record", ref.name, stream.createdAt], keys.consumers(ref.name, stream.createdAt), ["lease", ref.name, stream.createdAt]]) {
          await clearStore(ref.store, prefix as Key);
        }
      });
      notifyStream(ref);
      return {};
    },

    async DescribeStream(input, ctx) {
      const ref = streamRef(ctx, input);
      const stream = await loadStream(ref);
      const limit: number = input.Limit ?? 100;
      let shards = stream.shards;
      if (input.ExclusiveStartShardId !== undefined) shards = shards.filter((s) => s.ShardId > input.ExclusiveStartShardId!);
      const page = shards.slice(0, limit);
      return {
        StreamDescription: {
          StreamName: stream.StreamName,
          StreamARN: stream.StreamARN,
          StreamStatus: stream.StreamStatus,
          StreamModeDetails: streamModeDetails(stream),
          Shards: page.map((s) => describeShard(stream, s)),
          HasMoreShards: shards.length > page.length,
          RetentionPeriodHours: stream.RetentionPeriodHours,
          StreamCreationTimestamp: new Date(stream.createdAt),
          EnhancedMonitoring: enhancedMonitoring(stream),
          ...encryptionFields(stream),
        },
      };
    },

    async DescribeStreamSummary(input, ctx) {
      const ref = streamRef(ctx, input);
      const stream = await loadStream(ref);
      return {
        StreamDescriptionSummary: {
          StreamName: stream.StreamName,
          StreamARN: stream.StreamARN,
          StreamId: stream.StreamId,
          StreamStatus: stream.StreamStatus,
          StreamModeDetails: streamModeDetails(stream),
          RetentionPeriodHours: stream.RetentionPeriodHours,
          StreamCreationTimestamp: new Date(stream.createdAt),
          EnhancedMonitoring: enhancedMonitoring(stream),
          ...encryptionFields(stream),
          OpenShardCount: openShards(stream).length,
          ConsumerCount: (await listConsumers(ref, stream)).length,
          MaxRecordSizeInKiB: stream.MaxRecordSizeInKiB,
          ...(stream.WarmThroughputMiBps !== undefined ? { WarmThroughput: { TargetMiBps: stream.WarmThroughputMiBps, CurrentMiBps: stream.WarmThroughputMiBps } } : {}),
        },
      };
    },

    async ListStreams(input, ctx) {
      const limit: number = input.Limit ?? 100;
      let after: string | undefined = input.ExclusiveStartStreamName;
      if (input.NextToken !== undefined) {
        if (input.ExclusiveStartStreamName !== undefined) throw invalidArgument("NextToken and ExclusiveStartStreamName cannot be provided together.");
        after = decodeToken(input.NextToken);
      }
      const streams = (await allStreams(ctx)).sort((a, b) => (a.StreamName < b.StreamName ? -1 : 1)).filter((s) => after === undefined || s.StreamName > after);
      const page = streams.slice(0, limit);
      const more = streams.length > page.length;
      return {
        StreamNames: page.map((s) => s.StreamName),
        HasMoreStreams: more,
        ...(more ? { NextToken: encodeToken(page[page.length - 1]!.StreamName) } : {}),
        StreamSummaries: page.map(summary),
      };
    },

    async ListShards(input, ctx) {
      return listShards(ctx, input);
    },

    async PutRecord(input, ctx) {
      const ref = streamRef(ctx, input);
      const { stream, results } = await putRecords(ctx, ref, [{ Data: input.Data, PartitionKey: input.PartitionKey, ExplicitHashKey: input.ExplicitHashKey }]);
      return { ...results[0]!, ...(stream.EncryptionType === "KMS" ? { EncryptionType: "KMS" } : {}) };
    },

    async PutRecords(input, ctx) {
      const ref = streamRef(ctx, input);
      const { stream, results } = await putRecords(ctx, ref, input.Records);
      return { FailedRecordCount: 0, Records: results, ...(stream.EncryptionType === "KMS" ? { EncryptionType: "KMS" } : {}) };
    },

    async GetShardIterator(input, ctx) {
      const ref = streamRef(ctx, input);
      return { ShardIterator: await getShardIterator(ctx, ref, input as never) };
    },

    async GetRecords(input, ctx) {
      return getRecords(ctx, input.ShardIterator, input.Limit);
    },

    async IncreaseStreamRetentionPeriod(input, ctx) {
      const ref = streamRef(ctx, input);
      const hours: number = input.RetentionPeriodHours;
      if (hours < 24 || hours > 8760) throw invalidArgument(`Minimum allowed retention period is 24 hours. Maximum allowed retention period is 8760 hours. Requested retention period (${hours} hours) is out of range.`);
      await updateStream(ref, (stream) => {
        requireActive(stream, ref);
        if (hours < stream.RetentionPeriodHours) {
          throw invalidArgument(`Requested retention period (${hours} hours) for stream ${ref.name} can not be shorter than existing retention period (${stream.RetentionPeriodHours} hours). Use DecreaseRetentionPeriod API.`);
        }
        stream.RetentionPeriodHours = hours;
      });
      return {};
    },

    async DecreaseStreamRetentionPeriod(input, ctx) {
      const ref = streamRef(ctx, input);
      const hours: number = input.RetentionPeriodHours;
      if (hours < 24 || hours > 8760) throw invalidArgument(`Minimum allowed retention period is 24 hours. Maximum allowed retention period is 8760 hours. Requested retention period (${hours} hours) is out of range.`);
      await updateStream(ref, (stream) => {
        requireActive(stream, ref);
        if (hours > stream.RetentionPeriodHours) {
          throw invalidArgument(`Requested retention period (${hours} hours) for stream ${ref.name} can not be longer than existing retention period (${stream.RetentionPeriodHours} hours). Use IncreaseRetentionPeriod API.`);
        }
        stream.RetentionPeriodHours = hours;
      });
      return {};
    },

    async SplitShard(input, ctx) {
      const ref = streamRef(ctx, input);
      await splitShard(ctx, ref, input.ShardToSplit, input.NewStartingHashKey);
      notifyStream(ref);
      return {};
    },

    async MergeShards(input, ctx) {
      const ref = streamRef(ctx, input);
      await mergeShards(ctx, ref, input.ShardToMerge, input.AdjacentShardToMerge);
      notifyStream(ref);
      return {};
    },

    async UpdateShardCount(input, ctx) {
      const ref = streamRef(ctx, input);
      const before = openShards(await loadStream(ref)).length;
      const stream = await updateShardCount(ctx, ref, input.TargetShardCount);
      notifyStream(ref);
      return { StreamName: stream.StreamName, CurrentShardCount: before, TargetShardCount: input.TargetShardCount, StreamARN: stream.StreamARN };
    },

    async UpdateStreamMode(input, ctx) {
      const ref = streamRef(ctx, { StreamARN: input.StreamARN });
      await updateStream(ref, (stream) => {
        requireActive(stream, ref);
        stream.StreamMode = input.StreamModeDetails.StreamMode;
      });
      return {};
    },

    async UpdateStreamWarmThroughput(input, ctx) {
      const ref = streamRef(ctx, input);
      const stream = await updateStream(ref, (s) => {
        if (s.StreamMode !== "ON_DEMAND") throw validation("Warm throughput can only be set on ON_DEMAND streams.");
        s.WarmThroughputMiBps = input.WarmThroughputMiBps;
      });
      return { StreamARN: stream.StreamARN, StreamName: stream.StreamName, WarmThroughput: { TargetMiBps: input.WarmThroughputMiBps, CurrentMiBps: input.WarmThroughputMiBps } };
    },

    async UpdateMaxRecordSize(input, ctx) {
      const ref = streamRef(ctx, input);
      await updateStream(ref, (stream) => {
        requireActive(stream, ref);
        stream.MaxRecordSizeInKiB = input.MaxRecordSizeInKiB;
      });
      return {};
    },

    async StartStreamEncryption(input, ctx) {
      const ref = streamRef(ctx, input);
      if (input.EncryptionType !== "KMS") throw invalidArgument(`Invalid EncryptionType ${input.EncryptionType}. Only KMS is supported.`);
      await checkKmsKey(ctx, input.KeyId);
      await updateStream(ref, (stream) => {
        requireActive(stream, ref);
        stream.EncryptionType = "KMS";
        stream.KeyId = input.KeyId;
      });
      return {};
    },

    async StopStreamEncryption(input, ctx) {
      const ref = streamRef(ctx, input);
      await updateStream(ref, (stream) => {
        requireActive(stream, ref);
        stream.EncryptionType = "NONE";
        delete stream.KeyId;
      });
      return {};
    },

    async EnableEnhancedMonitoring(input, ctx) {
      const ref = streamRef(ctx, input);
      let current: MetricsName[] = [];
      const stream = await updateStream(ref, (s) => {
        current = [...s.ShardLevelMetrics];
        const wanted: MetricsName[] = input.ShardLevelMetrics.includes("ALL") ? ALL_METRICS : input.ShardLevelMetrics;
        s.ShardLevelMetrics = ALL_METRICS.filter((m) => current.includes(m) || wanted.includes(m));
      });
      return { StreamName: stream.StreamName, StreamARN: stream.StreamARN, CurrentShardLevelMetrics: current, DesiredShardLevelMetrics: stream.ShardLevelMetrics };
    },

    async DisableEnhancedMonitoring(input, ctx) {
      const ref = streamRef(ctx, input);
      let current: MetricsName[] = [];
      const stream = await updateStream(ref, (s) => {
        current = [...s.ShardLevelMetrics];
        const dropped: MetricsName[] = input.ShardLevelMetrics.includes("ALL") ? ALL_METRICS : input.ShardLevelMetrics;
        s.ShardLevelMetrics = current.filter((m) => !dropped.includes(m));
      });
      return { StreamName: stream.StreamName, StreamARN: stream.StreamARN, CurrentShardLevelMetrics: current, DesiredShardLevelMetrics: stream.ShardLevelMetrics };
    },

    async AddTagsToStream(input, ctx) {
      const ref = streamRef(ctx, input);
      await updateStream(ref, (stream) => {
        const tags = { ...stream.tags, ...input.Tags };
        checkTags(tags);
        stream.tags = tags;
      });
      return {};
    },

    async RemoveTagsFromStream(input, ctx) {
      const ref = streamRef(ctx, input);
      await updateStream(ref, (stream) => {
        for (const key of input.TagKeys as string[]) delete stream.tags[key];
      });
      return {};
    },

    async ListTagsForStream(input, ctx) {
      const stream = await loadStream(streamRef(ctx, input));
      const limit: number = input.Limit ?? 50;
      const all = Object.keys(stream.tags).sort().filter((k) => input.ExclusiveStartTagKey === undefined || k > input.ExclusiveStartTagKey);
      const page = all.slice(0, limit);
      return { Tags: page.map((Key) => ({ Key, Value: stream.tags[Key] })), HasMoreTags: all.length > page.length };
    },

    async TagResource(input, ctx) {
      const ref = await resourceStream(ctx, input.ResourceARN);
      if (String(input.ResourceARN).includes("/consumer/")) throw invalidArgument("Tagging consumers is not supported by fetchstack yet.");
      await updateStream(ref, (stream) => {
        const tags = { ...stream.tags, ...input.Tags };
        checkTags(tags);
        stream.tags = tags;
      });
      return {};
    },

    async UntagResource(input, ctx) {
      const ref = await resourceStream(ctx, input.ResourceARN);
      await updateStream(ref, (stream) => {
        for (const key of input.TagKeys as string[]) delete stream.tags[key];
      });
      return {};
    },

    async ListTagsForResource(input, ctx) {
      const ref = await resourceStream(ctx, input.ResourceARN);
      const stream = await loadStream(ref);
      return { Tags: Object.keys(stream.tags).sort().map((Key) => ({ Key, Value: stream.tags[Key] })) };
    },

    async PutResourcePolicy(input, ctx) {
      const ref = await resourceStream(ctx, input.ResourceARN);
      try {
        JSON.parse(input.Policy);
      } catch {
        throw invalidArgument("Policy is not valid JSON.");
      }
      await ref.store.set(keys.policy(input.ResourceARN), input.Policy);
      return {};
    },

    async GetResourcePolicy(input, ctx) {
      const ref = await resourceStream(ctx, input.ResourceARN);
      const policy = (await ref.store.get<string>(keys.policy(input.ResourceARN))).value;
      return { Policy: policy ?? "{}" };
    },

    async DeleteResourcePolicy(input, ctx) {
      const ref = await resourceStream(ctx, input.ResourceARN);
      const existing = (await ref.store.get<string>(keys.policy(input.ResourceARN))).value;
      if (existing === null) throw new AwsError("ResourceNotFoundException", `No resource policy found for resource ARN ${input.ResourceARN}.`, 400);
      await ref.store.delete(keys.policy(input.ResourceARN));
      return {};
    },

    async RegisterStreamConsumer(input, ctx) {
      const ref = streamRef(ctx, { StreamARN: input.StreamARN });
      const { stream, consumer } = await registerConsumer(ctx, ref, input.ConsumerName);
      const { StreamARN: _, ...described } = describeConsumer(stream, consumer, "CREATING");
      return { Consumer: described };
    },

    async DescribeStreamConsumer(input, ctx) {
      const { stream, consumer } = await findConsumer(ctx, input);
      return { ConsumerDescription: describeConsumer(stream, consumer) };
    },

    async ListStreamConsumers(input, ctx) {
      const ref = streamRef(ctx, { StreamARN: input.StreamARN });
      const stream = await loadStream(ref);
      const all = await listConsumers(ref, stream);
      const start = input.NextToken !== undefined ? Number(decodeToken(input.NextToken)) : 0;
      if (!Number.isInteger(start) || start < 0) throw invalidArgument("Invalid NextToken.");
      const limit: number = input.MaxResults ?? 100;
      const page = all.slice(start, start + limit);
      return {
        Consumers: page.map((c) => {
          const { StreamARN: _, ...rest } = describeConsumer(stream, c);
          return rest;
        }),
        ...(start + limit < all.length ? { NextToken: encodeToken(String(start + limit)) } : {}),
      };
    },

    async DeregisterStreamConsumer(input, ctx) {
      await deregisterConsumer(ctx, input);
      return {};
    },

    async DescribeLimits(_input, ctx) {
      const streams = await allStreams(ctx);
      return {
        ShardLimit: SHARD_LIMIT,
        OpenShardCount: streams.reduce((n, s) => n + openShards(s).length, 0),
        OnDemandStreamCount: streams.filter((s) => s.StreamMode === "ON_DEMAND").length,
        OnDemandStreamCountLimit: ON_DEMAND_STREAM_LIMIT,
      };
    },

    async DescribeAccountSettings(_input, ctx) {
      const settings = (await ctx.store.get<{ Status: "ENABLED" | "DISABLED"; StartedAt?: number }>(keys.accountSettings())).value;
      return {
        MinimumThroughputBillingCommitment: settings
          ? { Status: settings.Status, ...(settings.StartedAt ? { StartedAt: new Date(settings.StartedAt) } : {}) }
          : { Status: "DISABLED" },
      };
    },

    async UpdateAccountSettings(input, ctx) {
      const status: string = input.MinimumThroughputBillingCommitment.Status;
      const now = ctx.clock.now();
      const next = status === "ENABLED" ? { Status: "ENABLED", StartedAt: now } : { Status: "DISABLED" };
      await ctx.store.set(keys.accountSettings(), next);
      return {
        MinimumThroughputBillingCommitment: status === "ENABLED"
          ? { Status: "ENABLED", StartedAt: new Date(now), EarliestAllowedEndAt: new Date(now + 24 * 3_600_000) }
          : { Status: "DISABLED" },
      };
    },
  },
});
