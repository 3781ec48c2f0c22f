/**
 * SubscribeToShard (enhanced fan-out) through the JS SDK v3: in-process on a manual clock
 * (events as records are put, heartbeats, takeover within and after 5 s, the 5-minute lifetime,
 * a reshard ending the parent's subscription with ChildShards, errors), and over HTTP/2 against
 * the Node adapter with the SDK's own NodeHttp2Handler.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  CreateStreamCommand, DeleteStreamCommand, DeregisterStreamConsumerCommand, KinesisClient, PutRecordCommand, PutRecordsCommand,
  RegisterStreamConsumerCommand, SplitShardCommand, SubscribeToShardCommand, type SubscribeToShardEventStream,
} from "@aws-sdk/client-kinesis";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess, overHttp, startTestServer } from "../../helpers/clients.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b?: Uint8Array) => new TextDecoder().decode(b);

async function fail(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

type Events = AsyncIterator<SubscribeToShardEventStream>;

async function next(events: Events) {
  const { value, done } = await events.next();
  if (done) throw new Error("the event stream ended");
  return value.SubscribeToShardEvent!;
}

describe("SubscribeToShard, in-process, manual clock", () => {
  let clock: ManualClock;
  let emulator: ReturnType<typeof createEmulator>;
  let kinesis: KinesisClient;
  let consumerArn: string;
  beforeEach(async () => {
    clock = createManualClock(Date.UTC(2026, 11, 1));
    emulator = createEmulator({ clock });
    kinesis = new KinesisClient(inProcess(emulator));
    await kinesis.send(new CreateStreamCommand({ StreamName: "s", ShardCount: 1 }));
    const reg = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/s", ConsumerName: "efo" }));
    consumerArn = reg.Consumer!.ConsumerARN!;
  });

  const subscribe = async (position: { Type: any; SequenceNumber?: string; Timestamp?: Date }, shardId = "shardId-000000000000") => {
    const out = await kinesis.send(new SubscribeToShardCommand({ ConsumerARN: consumerArn, ShardId: shardId, StartingPosition: position }));
    return out.EventStream![Symbol.asyncIterator]();
  };

  it("pushes records as they are put, heartbeats when idle, and ends after five minutes", async () => {
    await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "k", Data: bytes("before") }));
    const events = await subscribe({ Type: "LATEST" });
    const first = await next(events);
    expect(first.Records).toEqual([]);
    expect(first.MillisBehindLatest).toBe(0);
    expect(first.ContinuationSequenceNumber).toMatch(/^49\d{54}$/);

    await clock.advance(1000);
    const put = await kinesis.send(new PutRecordsCommand({
      StreamName: "s",
      Records: [1, 2, 3].map((i) => ({ PartitionKey: `k${i}`, Data: bytes(`r${i}`) })),
    }));
    await emulator.settled();
    const second = await next(events);
    expect(second.Records!.map((r) => text(r.Data))).toEqual(["r1", "r2", "r3"]);
    expect(second.Records!.map((r) => r.SequenceNumber)).toEqual(put.Records!.map((r) => r.SequenceNumber));
    expect(second.Records![0]!.PartitionKey).toBe("k1");
    expect(second.Records![0]!.ApproximateArrivalTimestamp!.getTime()).toBe(Date.UTC(2026, 11, 1) + 1000);
    expect(second.ContinuationSequenceNumber).toBe(put.Records![2]!.SequenceNumber);

    // Idle: an empty event every 5 s of emulator time, carrying the same position.
    await clock.advance(5000);
    const heartbeat = await next(events);
    expect(heartbeat.Records).toEqual([]);
    expect(heartbeat.ContinuationSequenceNumber).toBe(put.Records![2]!.SequenceNumber);

    // The subscription lasts five minutes from its start, then the stream ends.
    await clock.advance(300_000);
    const rest: unknown[] = [];
    for (;;) {
      const { done, value } = await events.next();
      if (done) break;
      rest.push(value);
    }
    expect(rest.every((e: any) => e.SubscribeToShardEvent.Records.length === 0)).toBe(true);
  });

  it("starts at TRIM_HORIZON, AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER and AT_TIMESTAMP", async () => {
    const seqs: string[] = [];
    for (const i of [1, 2, 3]) {
      seqs.push((await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "k", Data: bytes(`r${i}`) }))).SequenceNumber!);
      await clock.advance(10_000);
    }
    const from = async (position: Parameters<typeof subscribe>[0]) => {
      const events = await subscribe(position);
      const out = (await next(events)).Records!.map((r) => text(r.Data));
      await events.return?.();
      await clock.advance(5000); // past the takeover window for the next subscription
      return out;
    };
    expect(await from({ Type: "TRIM_HORIZON" })).toEqual(["r1", "r2", "r3"]);
    expect(await from({ Type: "AT_SEQUENCE_NUMBER", SequenceNumber: seqs[1] })).toEqual(["r2", "r3"]);
    expect(await from({ Type: "AFTER_SEQUENCE_NUMBER", SequenceNumber: seqs[1] })).toEqual(["r3"]);
    expect(await from({ Type: "AT_TIMESTAMP", Timestamp: new Date(Date.UTC(2026, 11, 1) + 15_000) })).toEqual(["r3"]);
  });

  it("refuses a second subscription within 5 s; a later one takes over and the first ends with ResourceInUseException", async () => {
    const first = await subscribe({ Type: "LATEST" });
    await next(first);
    await clock.advance(4000);
    const early = await fail(subscribe({ Type: "LATEST" }));
    expect(early.name).toBe("ResourceInUseException");
    expect(early.$metadata.httpStatusCode).toBe(400);
    await clock.advance(1000);
    const second = await subscribe({ Type: "LATEST" });
    await next(second);
    // The first subscription's next look sees it was taken over.
    await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "k", Data: bytes("x") }));
    await emulator.settled();
    const taken = await fail((async () => {
      for (;;) await next(first);
    })());
    expect(taken.name).toBe("ResourceInUseException");
    expect(text((await next(second)).Records![0]!.Data)).toBe("x");
  });

  it("ends a parent shard's subscription with ChildShards after a split", async () => {
    const events = await subscribe({ Type: "TRIM_HORIZON" });
    expect((await next(events)).Records).toEqual([]);
    await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "k", Data: bytes("in parent") }));
    await emulator.settled();
    expect((await next(events)).Records!.map((r) => text(r.Data))).toEqual(["in parent"]);
    await kinesis.send(new SplitShardCommand({ StreamName: "s", ShardToSplit: "shardId-000000000000", NewStartingHashKey: (2n ** 127n).toString() }));
    await emulator.settled();
    const last = await next(events);
    expect(last.Records).toEqual([]);
    expect(last.ChildShards!.map((c) => c.ShardId)).toEqual(["shardId-000000000001", "shardId-000000000002"]);
    expect(last.ChildShards![0]!.ParentShards).toEqual(["shardId-000000000000"]);
    expect((await events.next()).done).toBe(true);
  });

  it("ends with ResourceNotFoundException when the consumer is deregistered or the stream deleted", async () => {
    const events = await subscribe({ Type: "LATEST" });
    await next(events);
    await kinesis.send(new DeregisterStreamConsumerCommand({ ConsumerARN: consumerArn }));
    await emulator.settled();
    const gone = await fail((async () => {
      for (;;) await next(events);
    })());
    expect(gone.name).toBe("ResourceNotFoundException");

    const reg = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/s", ConsumerName: "again" }));
    consumerArn = reg.Consumer!.ConsumerARN!;
    const other = await subscribe({ Type: "LATEST" });
    await next(other);
    await kinesis.send(new DeleteStreamCommand({ StreamName: "s", EnforceConsumerDeletion: true }));
    await emulator.settled();
    const deleted = await fail((async () => {
      for (;;) await next(other);
    })());
    expect(deleted.name).toBe("ResourceNotFoundException");
  });

  it("answers AWS's errors before the stream starts", async () => {
    const unknownConsumer = await fail(kinesis.send(new SubscribeToShardCommand({
      ConsumerARN: "arn:aws:kinesis:us-east-1:000000000000:stream/s/consumer/nope:1", ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" },
    })));
    expect(unknownConsumer.name).toBe("ResourceNotFoundException");
    const unknownShard = await fail(subscribe({ Type: "LATEST" }, "shardId-000000000009"));
    expect(unknownShard.name).toBe("ResourceNotFoundException");
    const noSequence = await fail(subscribe({ Type: "AT_SEQUENCE_NUMBER" }));
    expect(noSequence.name).toBe("InvalidArgumentException");
    const badType = await fail(subscribe({ Type: "SIDEWAYS" }));
    expect(badType.name).toBe("ValidationException");
  });
});

describe("SubscribeToShard over HTTP/2 (Node adapter, the SDK's NodeHttp2Handler)", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it("receives records as they are put", async () => {
    const kinesis = new KinesisClient(overHttp(server.url));
    await kinesis.send(new CreateStreamCommand({ StreamName: "h2", ShardCount: 1 }));
    const reg = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/h2", ConsumerName: "c" }));
    const out = await kinesis.send(new SubscribeToShardCommand({
      ConsumerARN: reg.Consumer!.ConsumerARN, ShardId: "shardId-000000000000", StartingPosition: { Type: "TRIM_HORIZON" },
    }));
    const events = out.EventStream![Symbol.asyncIterator]();
    expect((await next(events)).Records).toEqual([]);
    await kinesis.send(new PutRecordCommand({ StreamName: "h2", PartitionKey: "k", Data: bytes("over h2") }));
    const event = await next(events);
    expect(event.Records!.map((r) => text(r.Data))).toEqual(["over h2"]);
    await events.return?.();
    kinesis.destroy();
  });
});
