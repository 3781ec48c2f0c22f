/**
 * SubscribeToShard: enhanced fan-out as an `application/vnd.amazon.eventstream` response. The
 * first message is `initial-response` (`{}`); then `SubscribeToShardEvent`s
 * `{Records, ContinuationSequenceNumber, MillisBehindLatest, ChildShards?}`: one at once, one
 * whenever records are put, an empty one after 5 s of emulator time without records, and a
 * last one with `ChildShards` when a closed shard is read to its end. The subscription ends
 * after 5 minutes of emulator time. A second call for the same consumer and shard within 5 s
 * answers `ResourceInUseException`; a later one takes over, and the older stream ends with a
 * `ResourceInUseException` event. A deleted stream or deregistered consumer ends it with
 * `ResourceNotFoundException`.
 *
 * The codecs have no event-stream writer, so the request is answered from `preRoute`: parsed and
 * validated by the awsJson codec like any other call, errors before the stream rendered by it.
 * Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_SubscribeToShard.html
 */
import type { RequestContext } from "../types.ts";
import type { IncomingRequest } from "../../protocol/codec.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import { AwsError } from "../../protocol/errors.ts";
import { jsonCodec } from "../../protocol/json.ts";
import { encodeValue, jsonLeaves } from "../../protocol/shape-values.ts";
import { validateInput, validationMessage } from "../../protocol/validate.ts";
import { eventStreamEvent, eventStreamException } from "../../encoding/event-stream.ts";
import type { StartingPosition } from "../../generated/kinesis.ts";
import { findConsumer, type StoredConsumer } from "./consumers.ts";
import { resourceInUse, shardNotFound } from "./errors.ts";
import { childShards, readShard, startAfter } from "./records.ts";
import { formatSequence } from "./sequence.ts";
import { waitForStream } from "./signal.ts";
import { findShard, keys, type StoredStream, type StreamRef } from "./streams.ts";

export const SUBSCRIBE_TARGET = "Kinesis_20131202.SubscribeToShard";
/** How long a subscription lasts (AWS: 5 minutes). */
const LIFETIME_MS = 300_000;
/** A new subscription for the same consumer and shard within this answers ResourceInUseException. */
const TAKEOVER_MS = 5_000;
/** An empty event after this long without records. */
const HEARTBEAT_MS = 5_000;
/** Records per event (GetRecords' limit; 10 MiB at most, as readShard caps). */
const EVENT_RECORDS = 10_000;

const leaves = jsonLeaves("json");
const encoder = new TextEncoder();

/** Who holds a consumer's subscription to a shard, and since when (ms). */
interface Lease {
  id: string;
  startedAt: number;
}

const leaseKey = (ref: StreamRef, stream: StoredStream, consumerArn: string, shardId: string) =>
  ["lease", ref.name, stream.createdAt, consumerArn, shardId] as const;

/** Answers a SubscribeToShard request, or undefined for any other request. */
export async function serveSubscribeToShard(incoming: IncomingRequest, ctx: RequestContext): Promise<Response | undefined> {
  if (incoming.headers.get("x-amz-target") !== SUBSCRIBE_TARGET) return undefined;
  const { operation, input } = await jsonCodec.parse(incoming);
  ctx.operation = operation.name;
  const failures = validateInput(incoming.model, operation.input!, input);
  if (failures.length > 0) throw new AwsError("ValidationException", validationMessage(failures), 400);
  // Served before the gateway's own authorization step: decided here (kinesis:SubscribeToShard on the consumer).
  await ctx.authorize?.(operation.name, input);
  const { ConsumerARN, ShardId, StartingPosition: start } = input as { ConsumerARN: string; ShardId: string; StartingPosition: StartingPosition };

  const { ref, stream, consumer } = await findConsumer(ctx, { ConsumerARN });
  const shard = findShard(stream, ShardId);
  if (!shard) throw shardNotFound(ShardId, ref.name, ref.accountId);
  const after = await startAfter(ref, stream, shard, {
    ShardIteratorType: start.Type,
    StartingSequenceNumber: start.SequenceNumber,
    Timestamp: start.Timestamp,
  });

  const now = ctx.clock.now();
  const key = leaseKey(ref, stream, consumer.ConsumerARN, shard.ShardId);
  const held = await ref.store.get<Lease>(key);
  if (held.value && now - held.value.startedAt < TAKEOVER_MS) {
    throw resourceInUse(`Another active subscription exists for this consumer: ${ref.accountId}:${ref.name}:${shard.ShardId}:${consumer.ConsumerName}`);
  }
  const lease: Lease = { id: crypto.randomUUID(), startedAt: now };
  const won = await ref.store.atomic().check({ key, versionstamp: held.versionstamp }).set(key, lease).commit();
  if (!won.ok) throw resourceInUse(`Another active subscription exists for this consumer: ${ref.accountId}:${ref.name}:${shard.ShardId}:${consumer.ConsumerName}`);

  const stop = new AbortController();
  ctx.signal?.addEventListener("abort", () => stop.abort(), { once: true });
  let pulled: (() => void) | undefined;
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
      c.enqueue(eventStreamEvent("initial-response", "application/json", encoder.encode("{}")));
    },
    pull() {
      pulled?.();
    },
    cancel() {
      stop.abort();
    },
  });
  ctx.waitUntil(pump({ ctx, model: incoming.model, ref, stream, consumer, shardId: shard.ShardId, after, lease, key, stop, controller, onPull: (f) => (pulled = f) }));
  return new Response(body, {
    status: 200,
    headers: { "content-type": "application/vnd.amazon.eventstream", "x-amzn-RequestId": ctx.requestId },
  });
}

interface PumpState {
  ctx: RequestContext;
  model: ServiceModel;
  ref: StreamRef;
  stream: StoredStream;
  consumer: StoredConsumer;
  shardId: string;
  after: number;
  lease: Lease;
  key: readonly unknown[];
  stop: AbortController;
  controller: ReadableStreamDefaultController<Uint8Array>;
  onPull(wake: () => void): void;
}

/** Sends events until the subscription's lifetime ends, it is taken over, or the reader leaves. */
async function pump(state: PumpState): Promise<void> {
  const { ctx, ref, stream, consumer, shardId, lease, stop, controller } = state;
  const deadline = lease.startedAt + LIFETIME_MS;
  let position = state.after;
  let lastEvent = -Infinity;
  const send = (bytes: Uint8Array) => {
    if (!stop.signal.aborted) controller.enqueue(bytes);
  };
  const fail = (code: string, message: string) => send(eventStreamException(code, message));
  try {
    while (!stop.signal.aborted) {
      const now = ctx.clock.now();
      if (now >= deadline) break;
      const current = (await ref.store.get<StoredStream>(keys.stream(ref.name))).value;
      if (!current || current.createdAt !== stream.createdAt) {
        fail("ResourceNotFoundException", `Stream ${ref.name} under account ${ref.accountId} not found.`);
        break;
      }
      if (!(await ref.store.get(keys.consumer(ref.name, stream.createdAt, consumer.ConsumerName))).value) {
        fail("ResourceNotFoundException", `Consumer ${consumer.ConsumerARN} not found.`);
        break;
      }
      const holder = (await ref.store.get<Lease>(state.key as never)).value;
      if (holder?.id !== lease.id) {
        fail("ResourceInUseException", `Another active subscription exists for this consumer: ${ref.accountId}:${ref.name}:${shardId}:${consumer.ConsumerName}`);
        break;
      }
      const shard = findShard(current, shardId)!;
      const read = await readShard(ctx, ref, current, shard, position, EVENT_RECORDS);
      position = read.position;
      if (read.records.length > 0 || read.finished || now - lastEvent >= HEARTBEAT_MS) {
        const event = {
          Records: read.records,
          ContinuationSequenceNumber: formatSequence({ epoch: current.createdAt, shardIndex: shard.index, counter: position }),
          MillisBehindLatest: read.millisBehind,
          ...(read.finished ? { ChildShards: childShards(current, shard) } : {}),
        };
        const payload = encodeValue(state.model, { shape: "SubscribeToShardEvent" }, event, leaves);
        send(eventStreamEvent("SubscribeToShardEvent", "application/json", encoder.encode(JSON.stringify(payload))));
        lastEvent = now;
      }
      if (read.finished) break;
      // Wait for the reader to take what was sent (backpressure), then for records.
      if ((controller.desiredSize ?? 1) <= 0) {
        const drained = new AbortController();
        state.onPull(() => drained.abort());
        const onStop = () => drained.abort();
        stop.signal.addEventListener("abort", onStop, { once: true });
        await ctx.timers.sleep(deadline - now, { signal: drained.signal, background: true });
        stop.signal.removeEventListener("abort", onStop);
        continue;
      }
      if (read.more) continue;
      const waitMs = Math.min(deadline - now, lastEvent + HEARTBEAT_MS - now);
      await waitForStream(ref, waitMs, ctx.timers, stop.signal);
    }
  } finally {
    if (!stop.signal.aborted) {
      stop.abort();
      try {
        controller.close();
      } catch {
        // the reader cancelled: nothing to close
      }
    }
  }
}
