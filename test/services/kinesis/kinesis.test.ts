/**
 * Kinesis Data Streams through the JS SDK v3, in-process, on the memory and Deno KV stores:
 * streams, routing by MD5 of the partition key (checked against node:crypto), sequence numbers,
 * iterators, retention and iterator expiry on a manual clock, resharding with reads across the
 * boundary, consumers, tags, policies and AWS's errors.
 */
import { createHash } from "node:crypto";
import { beforeEach, describe, expect, it } from "vitest";
import {
  AddTagsToStreamCommand, CreateStreamCommand, DeleteStreamCommand, DeregisterStreamConsumerCommand, DescribeLimitsCommand,
  DescribeStreamCommand, DescribeStreamConsumerCommand, DescribeStreamSummaryCommand, DecreaseStreamRetentionPeriodCommand,
  EnableEnhancedMonitoringCommand, GetRecordsCommand, GetResourcePolicyCommand, GetShardIteratorCommand, IncreaseStreamRetentionPeriodCommand,
  KinesisClient, ListShardsCommand, ListStreamConsumersCommand, ListStreamsCommand, ListTagsForStreamCommand, MergeShardsCommand,
  PutRecordCommand, PutRecordsCommand, PutResourcePolicyCommand, RegisterStreamConsumerCommand, RemoveTagsFromStreamCommand,
  SplitShardCommand, StartStreamEncryptionCommand, SubscribeToShardCommand, UpdateShardCountCommand, waitUntilStreamExists,
  type _Record,
} from "@aws-sdk/client-kinesis";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess, STORES } from "../../helpers/clients.ts";

const text = (r: _Record) => new TextDecoder().decode(r.Data);
const md5 = (key: string) => BigInt("0x" + createHash("md5").update(key).digest("hex"));

async function fail(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

for (const store of STORES.filter((s) => s.name !== "copying store")) {
  describe(`Kinesis, in-process, ${store.name}`, () => {
    let clock: ManualClock;
    let kinesis: KinesisClient;
    beforeEach(() => {
      clock = createManualClock(Date.UTC(2026, 11, 1));
      kinesis = new KinesisClient(inProcess(createEmulator({ store: store.make(), clock })));
    });

    async function readAll(stream: string, shardId: string, type: "TRIM_HORIZON" | "LATEST" = "TRIM_HORIZON") {
      let iterator = (await kinesis.send(new GetShardIteratorCommand({ StreamName: stream, ShardId: shardId, ShardIteratorType: type }))).ShardIterator;
      const records: _Record[] = [];
      for (let i = 0; i < 100 && iterator; i++) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 7 }));
        records.push(...page.Records!);
        if (!page.NextShardIterator || (page.Records!.length === 0 && page.MillisBehindLatest === 0)) {
          return { records, next: page.NextShardIterator, children: page.ChildShards };
        }
        iterator = page.NextShardIterator;
      }
      return { records, next: iterator, children: undefined };
    }

    it("creates, describes and lists streams; the waiter sees ACTIVE", async () => {
      await kinesis.send(new CreateStreamCommand({ StreamName: "orders", ShardCount: 3, Tags: { team: "a" } }));
      await waitUntilStreamExists({ client: kinesis, maxWaitTime: 30 }, { StreamName: "orders" });
      const d = (await kinesis.send(new DescribeStreamCommand({ StreamName: "orders" }))).StreamDescription!;
      expect(d).toMatchObject({
        StreamName: "orders", StreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/orders", StreamStatus: "ACTIVE",
        StreamModeDetails: { StreamMode: "PROVISIONED" }, HasMoreShards: false, RetentionPeriodHours: 24, EncryptionType: "NONE",
      });
      expect(d.StreamCreationTimestamp!.getTime()).toBe(Date.UTC(2026, 11, 1));
      expect(d.Shards!.map((s) => s.ShardId)).toEqual(["shardId-000000000000", "shardId-000000000001", "shardId-000000000002"]);
      // Even ranges over [0, 2^128), as AWS lays them out.
      expect(d.Shards![0]!.HashKeyRange).toEqual({ StartingHashKey: "0", EndingHashKey: "113427455640312821154458202477256070484" });
      expect(d.Shards![2]!.HashKeyRange!.EndingHashKey).toBe("340282366920938463463374607431768211455");
      const summary = (await kinesis.send(new DescribeStreamSummaryCommand({ StreamARN: d.StreamARN }))).StreamDescriptionSummary!;
      expect(summary).toMatchObject({ OpenShardCount: 3, ConsumerCount: 0, StreamName: "orders" });

      await kinesis.send(new CreateStreamCommand({ StreamName: "auto", StreamModeDetails: { StreamMode: "ON_DEMAND" } }));
      const listed = await kinesis.send(new ListStreamsCommand({ Limit: 1 }));
      expect(listed).toMatchObject({ StreamNames: ["auto"], HasMoreStreams: true });
      const rest = await kinesis.send(new ListStreamsCommand({ NextToken: listed.NextToken }));
      expect(rest).toMatchObject({ StreamNames: ["orders"], HasMoreStreams: false });
      expect(rest.StreamSummaries![0]).toMatchObject({ StreamName: "orders", StreamStatus: "ACTIVE" });
      expect(await kinesis.send(new DescribeLimitsCommand({}))).toMatchObject({ OpenShardCount: 7, OnDemandStreamCount: 1 });

      const dup = await fail(kinesis.send(new CreateStreamCommand({ StreamName: "orders", ShardCount: 1 })));
      expect([dup.name, dup.message]).toEqual(["ResourceInUseException", "Stream orders under account 000000000000 already exists."]);
      const missing = await fail(kinesis.send(new DescribeStreamCommand({ StreamName: "nope" })));
      expect([missing.name, missing.message]).toEqual(["ResourceNotFoundException", "Stream nope under account 000000000000 not found."]);
    });

    it("routes by the MD5 of the partition key and reads back per shard in sequence order", async () => {
      await kinesis.send(new CreateStreamCommand({ StreamName: "s", ShardCount: 4 }));
      const shards = (await kinesis.send(new ListShardsCommand({ StreamName: "s" }))).Shards!;
      const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`);
      const put = await kinesis.send(new PutRecordsCommand({ StreamName: "s", Records: keys.map((k, i) => ({ PartitionKey: k, Data: new TextEncoder().encode(`m${i}`) })) }));
      expect(put.FailedRecordCount).toBe(0);
      put.Records!.forEach((r, i) => {
        const hash = md5(keys[i]!);
        const expected = shards.find((s) => BigInt(s.HashKeyRange!.StartingHashKey!) <= hash && hash <= BigInt(s.HashKeyRange!.EndingHashKey!))!;
        expect(r.ShardId).toBe(expected.ShardId);
        expect(r.SequenceNumber).toMatch(/^\d{56}$/);
      });
      const single = await kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "x", ExplicitHashKey: "0", Data: new TextEncoder().encode("explicit") }));
      expect(single.ShardId).toBe("shardId-000000000000");
      let total = 0;
      for (const shard of shards) {
        const { records } = await readAll("s", shard.ShardId!);
        total += records.length;
        const seqs = records.map((r) => BigInt(r.SequenceNumber!));
        expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
        expect(new Set(seqs).size).toBe(seqs.length);
        for (const r of records) expect(r.ApproximateArrivalTimestamp!.getTime()).toBe(Date.UTC(2026, 11, 1));
      }
      expect(total).toBe(41);

      const bad = await fail(kinesis.send(new PutRecordCommand({ StreamName: "s", PartitionKey: "x", ExplicitHashKey: "340282366920938463463374607431768211456", Data: new Uint8Array(1) })));
      expect(bad.name).toBe("InvalidArgumentException");
      expect(bad.message).toContain("ExplicitHashKey must be in the range: [0, 2^128-1]");
    });

    it("orders records per shard under concurrent producers", async () => {
      await kinesis.send(new CreateStreamCommand({ StreamName: "busy", ShardCount: 2 }));
      await Promise.all(Array.from({ length: 10 }, (_, p) => (async () => {
        for (let i = 0; i < 5; i++) {
          await kinesis.send(new PutRecordsCommand({ StreamName: "busy", Records: Array.from({ length: 10 }, (_, j) => ({ PartitionKey: `p${p}`, Data: new TextEncoder().encode(`${p}:${i * 10 + j}`) })) }));
        }
      })()));
      let total = 0;
      for (const shardId of ["shardId-000000000000", "shardId-000000000001"]) {
        const { records } = await readAll("busy", shardId);
        total += records.length;
        const byProducer = new Map<string, number[]>();
        for (const r of records) {
          const [p, n] = text(r).split(":");
          byProducer.set(p!, [...(byProducer.get(p!) ?? []), Number(n)]);
        }
        // One partition key's records come back in the order its producer sent them.
        for (const seen of byProducer.values()) expect(seen).toEqual([...seen].sort((a, b) => a - b));
      }
      expect(total).toBe(500);
    });

    it("iterators: LATEST, AT/AFTER_SEQUENCE_NUMBER, AT_TIMESTAMP, and expiry after five minutes", async () => {
      await kinesis.send(new CreateStreamCommand({ StreamName: "it", ShardCount: 1 }));
      const shard = "shardId-000000000000";
      const seq: string[] = [];
      for (let i = 0; i < 5; i++) {
        seq.push((await kinesis.send(new PutRecordCommand({ StreamName: "it", PartitionKey: "k", Data: new TextEncoder().encode(`r${i}`) }))).SequenceNumber!);
        await clock.advance(1_000);
      }
      const from = async (type: any, extra: object = {}) => {
        const it = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "it", ShardId: shard, ShardIteratorType: type, ...extra }))).ShardIterator!;
        return (await kinesis.send(new GetRecordsCommand({ ShardIterator: it }))).Records!.map(text);
      };
      expect(await from("AT_SEQUENCE_NUMBER", { StartingSequenceNumber: seq[2] })).toEqual(["r2", "r3", "r4"]);
      expect(await from("AFTER_SEQUENCE_NUMBER", { StartingSequenceNumber: seq[2] })).toEqual(["r3", "r4"]);
      expect(await from("AT_TIMESTAMP", { Timestamp: new Date(Date.UTC(2026, 11, 1) + 3_000) })).toEqual(["r3", "r4"]);
      const latest = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "it", ShardId: shard, ShardIteratorType: "LATEST" }))).ShardIterator!;
      await kinesis.send(new PutRecordCommand({ StreamName: "it", PartitionKey: "k", Data: new TextEncoder().encode("new") }));
      const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: latest }));
      expect(page.Records!.map(text)).toEqual(["new"]);
      expect(page.MillisBehindLatest).toBe(0);

      await clock.advance(300_001);
      const expired = await fail(kinesis.send(new GetRecordsCommand({ ShardIterator: page.NextShardIterator })));
      expect(expired.name).toBe("ExpiredIteratorException");
      const missing = await fail(kinesis.send(new GetShardIteratorCommand({ StreamName: "it", ShardId: "shardId-000000000009", ShardIteratorType: "LATEST" })));
      expect([missing.name, missing.message]).toEqual(["ResourceNotFoundException", "Shard shardId-000000000009 in stream it under account 000000000000 does not exist"]);
      const noSeq = await fail(kinesis.send(new GetShardIteratorCommand({ StreamName: "it", ShardId: shard, ShardIteratorType: "AT_SEQUENCE_NUMBER" })));
      expect(noSeq.name).toBe("InvalidArgumentException");
    });

    it("retention: records older than the retention period are gone", async () => {
      await kinesis.send(new CreateStreamCommand({ StreamName: "ret", ShardCount: 1 }));
      await kinesis.send(new PutRecordCommand({ StreamName: "ret", PartitionKey: "k", Data: new TextEncoder().encode("old") }));
      await clock.advance(23 * 3_600_000);
      await kinesis.send(new PutRecordCommand({ StreamName: "ret", PartitionKey: "k", Data: new TextEncoder().encode("young") }));
      expect((await readAll("ret", "shardId-000000000000")).records.map(text)).toEqual(["old", "young"]);
      await clock.advance(2 * 3_600_000);
      expect((await readAll("ret", "shardId-000000000000")).records.map(text)).toEqual(["young"]);

      await kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "ret", RetentionPeriodHours: 48 }));
      const shorter = await fail(kinesis.send(new IncreaseStreamRetentionPeriodCommand({ StreamName: "ret", RetentionPeriodHours: 30 })));
      expect(shorter.message).toBe("Requested retention period (30 hours) for stream ret can not be shorter than existing retention period (48 hours). Use DecreaseRetentionPeriod API.");
      await kinesis.send(new DecreaseStreamRetentionPeriodCommand({ StreamName: "ret", RetentionPeriodHours: 24 }));
      expect((await kinesis.send(new DescribeStreamCommand({ StreamName: "ret" }))).StreamDescription!.RetentionPeriodHours).toBe(24);
    });

    it("split and merge: parents close, children open, and reads cross the boundary in order", async () => {
      await kinesis.send(new CreateStreamCommand({ StreamName: "re", ShardCount: 1 }));
      const put = (s: string) => kinesis.send(new PutRecordCommand({ StreamName: "re", PartitionKey: s, Data: new TextEncoder().encode(s) }));
      for (const s of ["a1", "a2"]) await put(s);
      await kinesis.send(new SplitShardCommand({ StreamName: "re", ShardToSplit: "shardId-000000000000", NewStartingHashKey: (1n << 127n).toString() }));
      for (const s of ["b1", "b2", "b3", "b4"]) await put(s);

      const parent = await readAll("re", "shardId-000000000000");
      expect(parent.records.map(text)).toEqual(["a1", "a2"]);
      expect(parent.next).toBeUndefined();
      expect(parent.children!.map((c) => [c.ShardId, c.ParentShards])).toEqual([
        ["shardId-000000000001", ["shardId-000000000000"]], ["shardId-000000000002", ["shardId-000000000000"]],
      ]);
      const children = [...(await readAll("re", "shardId-000000000001")).records, ...(await readAll("re", "shardId-000000000002")).records].map(text).sort();
      expect(children).toEqual(["b1", "b2", "b3", "b4"]);
      const shards = (await kinesis.send(new DescribeStreamCommand({ StreamName: "re" }))).StreamDescription!.Shards!;
      expect(shards[0]!.SequenceNumberRange!.EndingSequenceNumber).toMatch(/^\d{56}$/);
      expect(shards[1]).toMatchObject({ ParentShardId: "shardId-000000000000", HashKeyRange: { StartingHashKey: "0", EndingHashKey: ((1n << 127n) - 1n).toString() } });

      const split = await fail(kinesis.send(new SplitShardCommand({ StreamName: "re", ShardToSplit: "shardId-000000000000", NewStartingHashKey: "5" })));
      expect(split.name).toBe("ResourceInUseException");
      await kinesis.send(new MergeShardsCommand({ StreamName: "re", ShardToMerge: "shardId-000000000001", AdjacentShardToMerge: "shardId-000000000002" }));
      await put("c1");
      const merged = (await kinesis.send(new ListShardsCommand({ StreamName: "re", ShardFilter: { Type: "AT_LATEST" } }))).Shards!;
      expect(merged).toEqual([expect.objectContaining({
        ShardId: "shardId-000000000003", ParentShardId: "shardId-000000000001", AdjacentParentShardId: "shardId-000000000002",
        HashKeyRange: { StartingHashKey: "0", EndingHashKey: "340282366920938463463374607431768211455" },
      })]);
      expect((await readAll("re", "shardId-000000000003")).records.map(text)).toEqual(["c1"]);

      const scaled = await kinesis.send(new UpdateShardCountCommand({ StreamName: "re", TargetShardCount: 2, ScalingType: "UNIFORM_SCALING" }));
      expect(scaled).toMatchObject({ CurrentShardCount: 1, TargetShardCount: 2 });
      expect((await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "re" }))).StreamDescriptionSummary!.OpenShardCount).toBe(2);
      const tooMany = await fail(kinesis.send(new UpdateShardCountCommand({ StreamName: "re", TargetShardCount: 5, ScalingType: "UNIFORM_SCALING" })));
      expect(tooMany.name).toBe("InvalidArgumentException");
      const page = await kinesis.send(new ListShardsCommand({ StreamName: "re", MaxResults: 2 }));
      expect(page.Shards).toHaveLength(2);
      const next = await kinesis.send(new ListShardsCommand({ NextToken: page.NextToken }));
      expect(next.Shards!.map((s) => s.ShardId)).toEqual(["shardId-000000000002", "shardId-000000000003", "shardId-000000000004", "shardId-000000000005"]);
    });

    it("consumers, tags, policies, encryption, monitoring, deletion", async () => {
      await kinesis.send(new CreateStreamCommand({ StreamName: "c", ShardCount: 1 }));
      const arn = "arn:aws:kinesis:us-east-1:000000000000:stream/c";
      const reg = await kinesis.send(new RegisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: "app" }));
      expect(reg.Consumer).toMatchObject({ ConsumerName: "app", ConsumerStatus: "CREATING" });
      expect(reg.Consumer!.ConsumerARN).toMatch(/^arn:aws:kinesis:us-east-1:000000000000:stream\/c\/consumer\/app:\d+$/);
      const described = await kinesis.send(new DescribeStreamConsumerCommand({ ConsumerARN: reg.Consumer!.ConsumerARN }));
      expect(described.ConsumerDescription).toMatchObject({ ConsumerStatus: "ACTIVE", StreamARN: arn });
      expect((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: arn }))).Consumers!.map((c) => c.ConsumerName)).toEqual(["app"]);
      const inUse = await fail(kinesis.send(new DeleteStreamCommand({ StreamName: "c" })));
      expect(inUse.name).toBe("ResourceInUseException");
      await kinesis.send(new DeregisterStreamConsumerCommand({ StreamARN: arn, ConsumerName: "app" }));
      expect((await kinesis.send(new ListStreamConsumersCommand({ StreamARN: arn }))).Consumers).toEqual([]);
      const sub = await fail(kinesis.send(new SubscribeToShardCommand({ ConsumerARN: reg.Consumer!.ConsumerARN, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } })));
      // A deregistered consumer has nothing to subscribe with (subscribe.test.ts covers the stream).
      expect(sub.name).toBe("ResourceNotFoundException");

      await kinesis.send(new AddTagsToStreamCommand({ StreamName: "c", Tags: { b: "2", a: "1" } }));
      await kinesis.send(new RemoveTagsFromStreamCommand({ StreamName: "c", TagKeys: ["b"] }));
      expect(await kinesis.send(new ListTagsForStreamCommand({ StreamName: "c" }))).toMatchObject({ Tags: [{ Key: "a", Value: "1" }], HasMoreTags: false });
      const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "111122223333" }, Action: "kinesis:GetRecords", Resource: arn }] });
      await kinesis.send(new PutResourcePolicyCommand({ ResourceARN: arn, Policy: policy }));
      expect((await kinesis.send(new GetResourcePolicyCommand({ ResourceARN: arn }))).Policy).toBe(policy);
      await kinesis.send(new StartStreamEncryptionCommand({ StreamName: "c", EncryptionType: "KMS", KeyId: "alias/aws/kinesis" }));
      const put = await kinesis.send(new PutRecordCommand({ StreamName: "c", PartitionKey: "k", Data: new Uint8Array([1, 2, 3]) }));
      expect(put.EncryptionType).toBe("KMS");
      const mon = await kinesis.send(new EnableEnhancedMonitoringCommand({ StreamName: "c", ShardLevelMetrics: ["IncomingBytes"] }));
      expect(mon).toMatchObject({ CurrentShardLevelMetrics: [], DesiredShardLevelMetrics: ["IncomingBytes"] });
      await kinesis.send(new DeleteStreamCommand({ StreamName: "c" }));
      const gone = await fail(kinesis.send(new PutRecordCommand({ StreamName: "c", PartitionKey: "k", Data: new Uint8Array(1) })));
      expect(gone.name).toBe("ResourceNotFoundException");
      // A new stream of the same name starts empty.
      await kinesis.send(new CreateStreamCommand({ StreamName: "c", ShardCount: 1 }));
      expect((await readAll("c", "shardId-000000000000")).records).toEqual([]);
    });
  });
}
