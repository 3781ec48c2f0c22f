/**
 * Amazon Data Firehose over awsJson 1.1 (Firehose_20150804.*).
 * Source: https://docs.aws.amazon.com/firehose/latest/APIReference/API_Operations.html
 *
 * Streams are ACTIVE as soon as they exist (creation and deletion are instantaneous here).
 * DirectPut streams with S3/ExtendedS3 and HTTP endpoint destinations deliver for real
 * (buffer.ts, delivery.ts, docs/firehose-delivery.md); other destinations and Kinesis/MSK/
 * database sources are stored as configuration.
 */
import { defineService, type Handler, type Handlers, type RequestContext } from "../types.ts";
import type { DeliveryStreamType, Operations as Ops } from "../../generated/firehose.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import { AwsError } from "../../protocol/errors.ts";
import model from "../../../models/firehose.json" with { type: "json" };
import { appendRecords, discardBuffer, flushDue } from "./buffer.ts";
import { armAllKinesisSources, armKinesisSource, forgetKinesisSource } from "./kinesis-source.ts";
import { checkPrefixes } from "./prefixes.ts";
import { ENCRYPTION_TRANSITION_MS, checkEncryption, checkEncryptionKey, checkPutKey, recordsEncrypted, settleEncryption, startEncryption, stopEncryption } from "./encryption.ts";
import {
  applyUpdate, DESTINATION_KINDS, describeStream, destinationFromConfiguration, getStream, notFound, streamKey,
  type DestinationKind, type StoredDestination, type StoredStream,
} from "./streams.ts";
import type { ModelRecord } from "./streams.ts";

import { listDeliveries } from "./delivery.ts";
import { partitionOf } from "../../util/partition.ts";
import { firehoseAuthorization } from "./authorization.ts";
export { listDeliveries, type DeliveryRecord } from "./delivery.ts";

const MAX_STREAMS = 5000;
const MAX_TAGS = 50;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
const FIRST_DESTINATION = "destinationId-000000000001";

function invalid(message: string): AwsError {
  return new AwsError("InvalidArgumentException", message, 400);
}

function arnOf(ctx: RequestContext, name: string): string {
  const partition = partitionOf(ctx.region);
  return `arn:${partition}:firehose:${ctx.region}:${ctx.accountId}:deliverystream/${name}`;
}

/** The destination configurations present in a request, as [kind, value] pairs. */
function destinationsIn(input: ModelRecord, suffix: "Configuration" | "Update"): [DestinationKind | "S3", ModelRecord][] {
  const kinds: (DestinationKind | "S3")[] = ["S3", ...DESTINATION_KINDS];
  return kinds.filter((k) => input[`${k}Destination${suffix}`] !== undefined).map((k) => [k, input[`${k}Destination${suffix}`]]);
}

function checkDestination(kind: DestinationKind | "S3", config: ModelRecord): void {
  if (kind === "S3" || kind === "ExtendedS3") {
    checkPrefixes(config.Prefix, config.ErrorOutputPrefix, kind === "ExtendedS3" && config.DynamicPartitioningConfiguration?.Enabled === true);
    if (config.FileExtension !== undefined && !/^\.[0-9a-z!\-_.*'()]*$/.test(config.FileExtension)) {
      throw invalid(`FileExtension ${config.FileExtension} is invalid. It must start with a period and contain only [0-9a-z!-_.*'()].`);
    }
    if (config.DataFormatConversionConfiguration?.Enabled !== false && config.DataFormatConversionConfiguration && config.CompressionFormat && config.CompressionFormat !== "UNCOMPRESSED") {
      throw invalid("CompressionFormat must be UNCOMPRESSED when DataFormatConversion is enabled.");
    }
  }
  if (kind === "Redshift") {
    const format = config.S3Configuration?.CompressionFormat;
    if (format === "ZIP" || format === "Snappy" || format === "HADOOP_SNAPPY") {
      throw invalid(`Compression format ${format} is not supported for Redshift destination. Supported formats: UNCOMPRESSED, GZIP.`);
    }
  }
  if (config.S3Configuration) checkPrefixes(config.S3Configuration.Prefix, config.S3Configuration.ErrorOutputPrefix);
  if (config.S3BackupConfiguration) checkPrefixes(config.S3BackupConfiguration.Prefix, config.S3BackupConfiguration.ErrorOutputPrefix);
}

function checkTags(tags: { Key: string; Value?: string }[]): void {
  const seen = new Set<string>();
  for (const tag of tags) {
    if (seen.has(tag.Key)) throw invalid(`Duplicate tag key ${tag.Key} is not allowed.`);
    seen.add(tag.Key);
    if (tag.Key.toLowerCase().startsWith("aws:")) throw invalid("Tag keys must not start with 'aws:'.");
  }
}

function sourceDescription(type: string, input: ModelRecord, now: number): Record<string, unknown> | undefined {
  switch (type) {
    case "KinesisStreamAsSource":
      return { KinesisStreamSourceDescription: { ...input.KinesisStreamSourceConfiguration, DeliveryStartTimestamp: new Date(now).toISOString() } };
    case "MSKAsSource": {
      const { ReadFromTimestamp, ...rest } = input.MSKSourceConfiguration;
      return { MSKSourceDescription: { ...rest, ...(ReadFromTimestamp ? { ReadFromTimestamp } : {}), DeliveryStartTimestamp: new Date(now).toISOString() } };
    }
    case "DatabaseAsSource":
      return { DatabaseSourceDescription: { ...input.DatabaseSourceConfiguration } };
    default:
      return input.DirectPutSourceConfiguration ? { DirectPutSourceDescription: { ...input.DirectPutSourceConfiguration } } : undefined;
  }
}

/** Dates survive the store as ISO strings; the codec wants Dates or epoch-ms back. */
function reviveSource(source: ModelRecord | undefined): ModelRecord | undefined {
  if (!source) return source;
  const out: ModelRecord = {};
  for (const [k, v] of Object.entries(source)) {
    out[k] = v && typeof v === "object" ? Object.fromEntries(Object.entries(v).map(([m, x]) => [m, /Timestamp$/.test(m) && typeof x === "string" ? new Date(x) : x])) : v;
  }
  return out;
}

const SOURCE_CONFIG: Record<string, "KinesisStreamSourceConfiguration" | "MSKSourceConfiguration" | "DatabaseSourceConfiguration"> = {
  KinesisStreamAsSource: "KinesisStreamSourceConfiguration",
  MSKAsSource: "MSKSourceConfiguration",
  DatabaseAsSource: "DatabaseSourceConfiguration",
};

async function updateStream(ctx: RequestContext, name: string, fn: (stream: StoredStream) => StoredStream): Promise<StoredStream> {
  const entry = await ctx.store.get<StoredStream>(streamKey(name));
  if (!entry.value) throw notFound(name, ctx.accountId);
  const next = fn(entry.value);
  const result = await ctx.store.atomic().check({ key: streamKey(name), versionstamp: entry.versionstamp }).set(streamKey(name), next).commit();
  if (!result.ok) throw new AwsError("ConcurrentModificationException", `Another request modified delivery stream ${name}; retry.`, 400);
  return next;
}

/** The stream with any encryption transition due by now applied (and saved). */
async function settledStream(ctx: RequestContext, name: string): Promise<StoredStream> {
  const stream = await getStream(ctx.store, name, ctx.accountId);
  const { encryption, changed } = await settleEncryption(ctx, stream.Encryption);
  if (!changed) return stream;
  return updateStream(ctx, name, (current) => ({ ...current, Encryption: encryption }));
}

const handlers: Handlers<Ops> = {
  async CreateDeliveryStream(input, ctx) {
    const name: string = input.DeliveryStreamName;
    const type: DeliveryStreamType = input.DeliveryStreamType ?? "DirectPut";
    const destinations = destinationsIn(input, "Configuration");
    if (destinations.length !== 1) {
      throw invalid(destinations.length === 0
        ? "Exactly one destination configuration must be specified; none was supplied."
        : "Exactly one destination configuration must be specified; more than one was supplied.");
    }
    for (const [t, member] of Object.entries(SOURCE_CONFIG)) {
      if (type === t && !input[member]) throw invalid(`${member} is required when DeliveryStreamType is ${t}.`);
      if (type !== t && input[member]) throw invalid(`${member} is only allowed when DeliveryStreamType is ${t}.`);
    }
    if (type !== "DirectPut" && input.DirectPutSourceConfiguration) throw invalid("DirectPutSourceConfiguration is only allowed when DeliveryStreamType is DirectPut.");
    if (type !== "DirectPut" && input.DeliveryStreamEncryptionConfigurationInput) {
      throw invalid(`Server-side encryption is not supported for DeliveryStreamType ${type}.`);
    }
    checkEncryption(input.DeliveryStreamEncryptionConfigurationInput);
    await checkEncryptionKey(ctx, input.DeliveryStreamEncryptionConfigurationInput);
    const [kind, config] = destinations[0];
    checkDestination(kind, config);
    const tags = input.Tags ?? [];
    checkTags(tags);
    const now = ctx.clock.now();
    const encryption = input.DeliveryStreamEncryptionConfigurationInput;
    const stream: StoredStream = {
      DeliveryStreamName: name,
      DeliveryStreamARN: arnOf(ctx, name),
      DeliveryStreamType: type,
      VersionId: "1",
      CreateTimestamp: now,
      Source: sourceDescription(type, input, now),
      Encryption: encryption ? { Status: "ENABLED", KeyType: encryption.KeyType, ...(encryption.KeyARN ? { KeyARN: encryption.KeyARN } : {}) } : { Status: "DISABLED" },
      Destinations: [destinationFromConfiguration(kind, config, FIRST_DESTINATION)],
      Tags: tags,
    };
    let count = 0;
    for await (const _ of ctx.store.list({ prefix: ["stream"] })) count++;
    if (count >= MAX_STREAMS) throw new AwsError("LimitExceededException", `You have already consumed your firehose quota of ${MAX_STREAMS} hoses. Firehose names: ...`, 400);
    const result = await ctx.store.atomic().check({ key: streamKey(name), versionstamp: null }).set(streamKey(name), stream).commit();
    if (!result.ok) throw new AwsError("ResourceInUseException", `Firehose ${name} under accountId ${ctx.accountId} already exists`, 400);
    if (type === "KinesisStreamAsSource") armKinesisSource(ctx, name);
    return { DeliveryStreamARN: stream.DeliveryStreamARN };
  },

  async DeleteDeliveryStream(input, ctx) {
    const name: string = input.DeliveryStreamName;
    await getStream(ctx.store, name, ctx.accountId);
    await ctx.store.delete(streamKey(name));
    await discardBuffer(ctx, name);
    await forgetKinesisSource(ctx, name);
    return {};
  },

  async DescribeDeliveryStream(input, ctx) {
    await armAllKinesisSources(ctx);
    const stream = await settledStream(ctx, input.DeliveryStreamName);
    const description = describeStream(stream, input.Limit ?? 10, input.ExclusiveStartDestinationId);
    return { DeliveryStreamDescription: { ...description, Source: reviveSource(description.Source) } };
  },

  async ListDeliveryStreams(input, ctx) {
    const limit: number = input.Limit ?? 10;
    const names: string[] = [];
    for await (const entry of ctx.store.list<StoredStream>({ prefix: ["stream"] })) {
      if (input.DeliveryStreamType && entry.value.DeliveryStreamType !== input.DeliveryStreamType) continue;
      if (input.ExclusiveStartDeliveryStreamName && entry.value.DeliveryStreamName <= input.ExclusiveStartDeliveryStreamName) continue;
      names.push(entry.value.DeliveryStreamName);
    }
    names.sort();
    return { DeliveryStreamNames: names.slice(0, limit), HasMoreDeliveryStreams: names.length > limit };
  },

  async UpdateDestination(input, ctx) {
    const updates = destinationsIn(input, "Update");
    if (updates.length !== 1) throw invalid("Exactly one destination update must be specified.");
    const [kind, update] = updates[0];
    checkDestination(kind, update);
    await updateStream(ctx, input.DeliveryStreamName, (stream) => {
      if (stream.VersionId !== input.CurrentDeliveryStreamVersionId) {
        throw new AwsError("ConcurrentModificationException",
          `Cannot update firehose: ${stream.DeliveryStreamName} since the current version id: ${stream.VersionId} and specified version id: ${input.CurrentDeliveryStreamVersionId} do not match`, 400);
      }
      const index = stream.Destinations.findIndex((d) => d.DestinationId === input.DestinationId);
      if (index === -1) throw invalid(`Destination Id ${input.DestinationId} not found.`);
      const current = stream.Destinations[index];
      const stored = kind === "S3" ? "ExtendedS3" : kind;
      const next: StoredDestination = applyUpdate(current, kind, update);
      if (stored !== current.kind) checkReplacement(stored, update);
      if (next.kind === "ExtendedS3") checkPrefixes(next.description.Prefix || undefined, next.description.ErrorOutputPrefix, next.description.DynamicPartitioningConfiguration?.Enabled === true);
      const destinations = stream.Destinations.slice();
      destinations[index] = next;
      return { ...stream, Destinations: destinations, VersionId: String(Number(stream.VersionId) + 1), LastUpdateTimestamp: ctx.clock.now() };
    });
    return {};
  },

  async PutRecord(input, ctx) {
    const stream = await putTarget(ctx, input.DeliveryStreamName);
    const recordId = newRecordId();
    await appendRecords(ctx, stream, [{ RecordId: recordId, data: input.Record.Data }]);
    return { RecordId: recordId, Encrypted: recordsEncrypted(stream.Encryption) };
  },

  async PutRecordBatch(input, ctx) {
    const stream = await putTarget(ctx, input.DeliveryStreamName);
    const records = (input.Records as { Data: Uint8Array }[]).map((r) => ({ RecordId: newRecordId(), data: r.Data }));
    const total = records.reduce((n, r) => n + r.data.length, 0);
    if (total > MAX_BATCH_BYTES) {
      throw invalid(`Records size exceeds ${MAX_BATCH_BYTES} bytes limit. Actual size: ${total} bytes.`);
    }
    await appendRecords(ctx, stream, records);
    return {
      FailedPutCount: 0,
      Encrypted: recordsEncrypted(stream.Encryption),
      RequestResponses: records.map((r) => ({ RecordId: r.RecordId })),
    };
  },

  async TagDeliveryStream(input, ctx) {
    checkTags(input.Tags);
    await updateStream(ctx, input.DeliveryStreamName, (stream) => {
      const tags = new Map(stream.Tags.map((t) => [t.Key, t]));
      for (const tag of input.Tags) tags.set(tag.Key, tag);
      if (tags.size > MAX_TAGS) throw new AwsError("LimitExceededException", `The number of tags on a delivery stream cannot exceed ${MAX_TAGS}.`, 400);
      return { ...stream, Tags: [...tags.values()] };
    });
    return {};
  },

  async UntagDeliveryStream(input, ctx) {
    const keys = new Set<string>(input.TagKeys);
    await updateStream(ctx, input.DeliveryStreamName, (stream) => ({ ...stream, Tags: stream.Tags.filter((t) => !keys.has(t.Key)) }));
    return {};
  },

  async ListTagsForDeliveryStream(input, ctx) {
    const stream = await getStream(ctx.store, input.DeliveryStreamName, ctx.accountId);
    const limit: number = input.Limit ?? 50;
    const tags = stream.Tags.slice().sort((a, b) => (a.Key < b.Key ? -1 : a.Key > b.Key ? 1 : 0))
      .filter((t) => !input.ExclusiveStartTagKey || t.Key > input.ExclusiveStartTagKey);
    return { Tags: tags.slice(0, limit), HasMoreTags: tags.length > limit };
  },

  async StartDeliveryStreamEncryption(input, ctx) {
    const config = input.DeliveryStreamEncryptionConfigurationInput ?? { KeyType: "AWS_OWNED_CMK" };
    checkEncryption(config);
    const name: string = input.DeliveryStreamName;
    const stream = await settledStream(ctx, name);
    checkEncryptable(stream);
    await checkEncryptionKey(ctx, config);
    await updateStream(ctx, name, (current) => ({ ...current, Encryption: startEncryption(name, current.Encryption, config, ctx.clock.now()) }));
    settleLater(ctx, name);
    return {};
  },

  async StopDeliveryStreamEncryption(input, ctx) {
    const name: string = input.DeliveryStreamName;
    checkEncryptable(await settledStream(ctx, name));
    await updateStream(ctx, name, (current) => ({ ...current, Encryption: stopEncryption(name, current.Encryption, ctx.clock.now()) }));
    settleLater(ctx, name);
    return {};
  },
};

/**
 * Completes the transition when it is due, so the key is judged at that moment; reads complete
 * it too (after a restart, timers are gone).
 */
function settleLater(ctx: RequestContext, name: string): void {
  ctx.timers.setTimer(ENCRYPTION_TRANSITION_MS, () => settledStream(ctx, name).catch(() => undefined));
}

/** Server-side encryption is for DirectPut streams only (InvalidArgumentException). */
function checkEncryptable(stream: StoredStream): void {
  if (stream.DeliveryStreamType !== "DirectPut") {
    throw invalid(`Server-side encryption is not supported for DeliveryStreamType ${stream.DeliveryStreamType}.`);
  }
}

function checkReplacement(kind: DestinationKind, update: ModelRecord): void {
  if ((kind === "ExtendedS3") && (!update.RoleARN || !update.BucketARN)) {
    throw invalid("RoleARN and BucketARN are required when changing the destination type.");
  }
  if (kind === "HttpEndpoint" && (!update.EndpointConfiguration?.Url || !update.S3Update)) {
    throw invalid("EndpointConfiguration and S3Update are required when changing the destination type.");
  }
}

async function putTarget(ctx: RequestContext, name: string): Promise<StoredStream> {
  const stream = await settledStream(ctx, name);
  if (stream.DeliveryStreamType !== "DirectPut") {
    throw invalid(`This operation is not permitted on ${stream.DeliveryStreamType} delivery stream type.`);
  }
  await checkPutKey(ctx, stream.Encryption);
  return stream;
}

/** Record ids are long opaque strings on AWS; 56 bytes of randomness, base64url-ish, as they look. */
function newRecordId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(168));
  let out = "";
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (const b of bytes) out += alphabet[b & 63];
  return out;
}

/** Every request first delivers buffers whose interval has passed (no timers needed). */
function withDueFlushes(table: Handlers<Ops>): Handlers<Ops> {
  const wrap = (handler: Handler): Handler => async (input, ctx) => {
    await flushDue(ctx);
    return handler(input, ctx);
  };
  return Object.fromEntries(Object.entries(table).map(([op, handler]) => [op, wrap(handler as Handler)])) as Handlers<Ops>;
}

export default defineService<Ops>({
  name: "firehose",
  authorization: firehoseAuthorization,
  model: model as unknown as ServiceModel,
  introspection: {
    /** Every delivery attempt (objects written, failures), oldest first; `?stream=` filters. */
    deliveries: (store, params) => listDeliveries(store, params.get("stream") ?? undefined),
  },
  handlers: withDueFlushes(handlers),
});
