/**
 * DynamoDB Streams and TTL through @aws-sdk/client-dynamodb and @aws-sdk/client-dynamodb-streams,
 * in-process on each test store (sharing one emulator) and on a manual clock for retention,
 * iterator expiry and TTL.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateTableCommand, DeleteItemCommand, DeleteTableCommand, DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient,
  GetItemCommand, PutItemCommand, QueryCommand, ScanCommand, TransactWriteItemsCommand, UpdateItemCommand, UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand, ListStreamsCommand, type _Record,
} from "@aws-sdk/client-dynamodb-streams";
import { createEmulator, inProcess, STORES } from "../../helpers/clients.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";

const HOUR = 60 * 60 * 1000;

function clients(store?: ReturnType<(typeof STORES)[number]["make"]>, clock?: ManualClock) {
  const emulator = createEmulator({ ...(store ? { store } : {}), ...(clock ? { clock } : {}) });
  return { ddb: new DynamoDBClient(inProcess(emulator)), streams: new DynamoDBStreamsClient(inProcess(emulator)) };
}

async function createTable(ddb: DynamoDBClient, name: string, viewType?: "KEYS_ONLY" | "NEW_IMAGE" | "OLD_IMAGE" | "NEW_AND_OLD_IMAGES") {
  const out = await ddb.send(new CreateTableCommand({
    TableName: name, BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
    ...(viewType ? { StreamSpecification: { StreamEnabled: true, StreamViewType: viewType } } : {}),
  }));
  return out.TableDescription!;
}

async function readAll(streams: DynamoDBStreamsClient, arn: string, type: "TRIM_HORIZON" | "LATEST" = "TRIM_HORIZON") {
  const desc = await streams.send(new DescribeStreamCommand({ StreamArn: arn }));
  const shard = desc.StreamDescription!.Shards![0]!;
  const it = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shard.ShardId!, ShardIteratorType: type }));
  const out = await streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }));
  return { records: out.Records!, next: out.NextShardIterator, shardId: shard.ShardId! };
}

for (const store of STORES) {
  describe(`DynamoDB Streams, ${store.name}`, () => {
    const { ddb, streams } = clients(store.make());
    let arn: string;
    beforeAll(async () => {
      const t = await createTable(ddb, "orders", "NEW_AND_OLD_IMAGES");
      arn = t.LatestStreamArn!;
      expect(t.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
      expect(arn).toBe(`arn:aws:dynamodb:us-east-1:000000000000:table/orders/stream/${t.LatestStreamLabel}`);
    });
    afterAll(() => {
      ddb.destroy();
      streams.destroy();
    });

    it("records INSERT, MODIFY, REMOVE in order with both images; a write that changes nothing records nothing", async () => {
      const key = { pk: { S: "o1" }, sk: { N: "1" } };
      await ddb.send(new PutItemCommand({ TableName: "orders", Item: { ...key, status: { S: "new" } } }));
      await ddb.send(new PutItemCommand({ TableName: "orders", Item: { ...key, status: { S: "new" } } }));
      await ddb.send(new UpdateItemCommand({ TableName: "orders", Key: key, UpdateExpression: "SET #s = :s", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":s": { S: "paid" } } }));
      await ddb.send(new DeleteItemCommand({ TableName: "orders", Key: key }));
      await ddb.send(new DeleteItemCommand({ TableName: "orders", Key: key }));
      const { records, next } = await readAll(streams, arn);
      expect(records.map((r) => r.eventName)).toEqual(["INSERT", "MODIFY", "REMOVE"]);
      const [ins, mod, rem] = records as [_Record, _Record, _Record];
      expect(ins).toMatchObject({ eventVersion: "1.1", eventSource: "aws:dynamodb", awsRegion: "us-east-1" });
      expect(ins.dynamodb).toMatchObject({ Keys: key, NewImage: { ...key, status: { S: "new" } }, StreamViewType: "NEW_AND_OLD_IMAGES" });
      expect(ins.dynamodb!.OldImage).toBeUndefined();
      expect(mod.dynamodb).toMatchObject({ OldImage: { ...key, status: { S: "new" } }, NewImage: { ...key, status: { S: "paid" } } });
      expect(rem.dynamodb).toMatchObject({ Keys: key, OldImage: { ...key, status: { S: "paid" } } });
      expect(rem.dynamodb!.NewImage).toBeUndefined();
      const seqs = records.map((r) => BigInt(r.dynamodb!.SequenceNumber!));
      expect(seqs[0]! < seqs[1]! && seqs[1]! < seqs[2]!).toBe(true);
      expect(ins.dynamodb!.ApproximateCreationDateTime).toBeInstanceOf(Date);
      expect(ins.dynamodb!.SizeBytes).toBeGreaterThan(0);
      // The iterator continues where the page ended.
      await ddb.send(new PutItemCommand({ TableName: "orders", Item: { pk: { S: "o2" }, sk: { N: "1" } } }));
      const more = await streams.send(new GetRecordsCommand({ ShardIterator: next! }));
      expect(more.Records!.map((r) => [r.eventName, r.dynamodb!.Keys!.pk!.S])).toEqual([["INSERT", "o2"]]);
      const empty = await streams.send(new GetRecordsCommand({ ShardIterator: more.NextShardIterator! }));
      expect(empty.Records).toEqual([]);
      expect(empty.NextShardIterator).toBeDefined();
    });

    it("transactions write their records; a cancelled transaction writes none", async () => {
      const before = (await readAll(streams, arn)).records.length;
      await ddb.send(new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: "orders", Item: { pk: { S: "t1" }, sk: { N: "1" } } } },
          { Put: { TableName: "orders", Item: { pk: { S: "t2" }, sk: { N: "1" } } } },
        ],
      }));
      await ddb.send(new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: "orders", Item: { pk: { S: "t3" }, sk: { N: "1" } } } },
          { ConditionCheck: { TableName: "orders", Key: { pk: { S: "none" }, sk: { N: "1" } }, ConditionExpression: "attribute_exists(pk)" } },
        ],
      })).catch(() => undefined);
      const after = (await readAll(streams, arn)).records;
      expect(after.length - before).toBe(2);
      expect(after.slice(before).map((r) => r.dynamodb!.Keys!.pk!.S)).toEqual(["t1", "t2"]);
    });

    it("ListStreams, DescribeStream, and the iterator types", async () => {
      const list = await streams.send(new ListStreamsCommand({ TableName: "orders" }));
      expect(list.Streams).toEqual([{ StreamArn: arn, TableName: "orders", StreamLabel: arn.split("/stream/")[1] }]);
      const desc = (await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!;
      expect(desc).toMatchObject({
        StreamArn: arn, StreamStatus: "ENABLED", StreamViewType: "NEW_AND_OLD_IMAGES", TableName: "orders",
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
      });
      expect(desc.Shards).toHaveLength(1);
      expect(desc.Shards![0]!.SequenceNumberRange!.EndingSequenceNumber).toBeUndefined();
      const { records, shardId } = await readAll(streams, arn);
      const latest = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: "LATEST" }));
      await ddb.send(new PutItemCommand({ TableName: "orders", Item: { pk: { S: "late" }, sk: { N: "1" } } }));
      const fromLatest = await streams.send(new GetRecordsCommand({ ShardIterator: latest.ShardIterator! }));
      expect(fromLatest.Records!.map((r) => r.dynamodb!.Keys!.pk!.S)).toEqual(["late"]);
      const second = records[1]!.dynamodb!.SequenceNumber!;
      const at = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: "AT_SEQUENCE_NUMBER", SequenceNumber: second }));
      const fromAt = await streams.send(new GetRecordsCommand({ ShardIterator: at.ShardIterator!, Limit: 2 }));
      expect(fromAt.Records!.map((r) => r.dynamodb!.SequenceNumber)).toEqual([second, records[2]!.dynamodb!.SequenceNumber]);
      const after = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: second }));
      const fromAfter = await streams.send(new GetRecordsCommand({ ShardIterator: after.ShardIterator!, Limit: 1 }));
      expect(fromAfter.Records!.map((r) => r.dynamodb!.SequenceNumber)).toEqual([records[2]!.dynamodb!.SequenceNumber]);
      await expect(streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: "shardId-00000000000000000000-00000000", ShardIteratorType: "LATEST" })))
        .rejects.toMatchObject({ name: "ResourceNotFoundException" });
      await expect(streams.send(new DescribeStreamCommand({ StreamArn: `${arn}x` }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
      await expect(streams.send(new GetRecordsCommand({ ShardIterator: "garbage" }))).rejects.toMatchObject({ name: "ValidationException" });
    });

    it("view types KEYS_ONLY and OLD_IMAGE; enabling on UpdateTable; disabling closes the shard", async () => {
      await createTable(ddb, "keys-only", "KEYS_ONLY");
      const k = (await ddb.send(new DescribeTableCommand({ TableName: "keys-only" }))).Table!.LatestStreamArn!;
      await ddb.send(new PutItemCommand({ TableName: "keys-only", Item: { pk: { S: "a" }, sk: { N: "1" }, x: { S: "y" } } }));
      const [r] = (await readAll(streams, k)).records;
      expect(r!.dynamodb).toMatchObject({ Keys: { pk: { S: "a" }, sk: { N: "1" } }, StreamViewType: "KEYS_ONLY" });
      expect(r!.dynamodb!.NewImage).toBeUndefined();

      await createTable(ddb, "later");
      await ddb.send(new PutItemCommand({ TableName: "later", Item: { pk: { S: "before" }, sk: { N: "1" } } }));
      const upd = await ddb.send(new UpdateTableCommand({ TableName: "later", StreamSpecification: { StreamEnabled: true, StreamViewType: "OLD_IMAGE" } }));
      const l = upd.TableDescription!.LatestStreamArn!;
      await ddb.send(new PutItemCommand({ TableName: "later", Item: { pk: { S: "before" }, sk: { N: "1" }, v: { N: "2" } } }));
      const rec = (await readAll(streams, l)).records;
      expect(rec.map((x) => x.eventName)).toEqual(["MODIFY"]);
      expect(rec[0]!.dynamodb!.OldImage).toEqual({ pk: { S: "before" }, sk: { N: "1" } });
      expect(rec[0]!.dynamodb!.NewImage).toBeUndefined();
      await expect(ddb.send(new UpdateTableCommand({ TableName: "later", StreamSpecification: { StreamEnabled: true, StreamViewType: "OLD_IMAGE" } })))
        .rejects.toMatchObject({ name: "ValidationException" });

      await ddb.send(new UpdateTableCommand({ TableName: "later", StreamSpecification: { StreamEnabled: false } }));
      await ddb.send(new PutItemCommand({ TableName: "later", Item: { pk: { S: "after" }, sk: { N: "1" } } }));
      const closed = await streams.send(new DescribeStreamCommand({ StreamArn: l }));
      expect(closed.StreamDescription!.StreamStatus).toBe("DISABLED");
      expect(closed.StreamDescription!.Shards![0]!.SequenceNumberRange!.EndingSequenceNumber).toBe(rec[0]!.dynamodb!.SequenceNumber);
      const end = await readAll(streams, l);
      expect(end.records).toHaveLength(1);
      expect(end.next).toBeUndefined();
      const described = (await ddb.send(new DescribeTableCommand({ TableName: "later" }))).Table!;
      expect(described.StreamSpecification).toBeUndefined();
      expect(described.LatestStreamArn).toBe(l);
    });
  });
}

describe("DynamoDB Streams retention, iterators and TTL on the clock", () => {
  it("records older than 24 hours are trimmed; iterators expire after 15 minutes", async () => {
    const clock = createManualClock();
    const { ddb, streams } = clients(undefined, clock);
    const arn = (await createTable(ddb, "ret", "NEW_IMAGE")).LatestStreamArn!;
    await ddb.send(new PutItemCommand({ TableName: "ret", Item: { pk: { S: "old" }, sk: { N: "1" } } }));
    await clock.advance(23 * HOUR);
    await ddb.send(new PutItemCommand({ TableName: "ret", Item: { pk: { S: "new" }, sk: { N: "1" } } }));
    const before = (await readAll(streams, arn)).records;
    expect(before.map((r) => r.dynamodb!.Keys!.pk!.S)).toEqual(["old", "new"]);
    await clock.advance(2 * HOUR);
    const { records, shardId } = await readAll(streams, arn);
    expect(records.map((r) => r.dynamodb!.Keys!.pk!.S)).toEqual(["new"]);
    await expect(streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: "AT_SEQUENCE_NUMBER", SequenceNumber: before[0]!.dynamodb!.SequenceNumber })))
      .rejects.toMatchObject({ name: "TrimmedDataAccessException" });
    const it = await streams.send(new GetShardIteratorCommand({ StreamArn: arn, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" }));
    await clock.advance(16 * 60 * 1000);
    await expect(streams.send(new GetRecordsCommand({ ShardIterator: it.ShardIterator! }))).rejects.toMatchObject({ name: "ExpiredIteratorException" });
  });

  it("a deleted table's stream stays readable, DISABLED, for 24 hours", async () => {
    const clock = createManualClock();
    const { ddb, streams } = clients(undefined, clock);
    const arn = (await createTable(ddb, "gone", "KEYS_ONLY")).LatestStreamArn!;
    await ddb.send(new PutItemCommand({ TableName: "gone", Item: { pk: { S: "a" }, sk: { N: "1" } } }));
    await ddb.send(new DeleteTableCommand({ TableName: "gone" }));
    expect((await streams.send(new DescribeStreamCommand({ StreamArn: arn }))).StreamDescription!.StreamStatus).toBe("DISABLED");
    expect((await readAll(streams, arn)).records).toHaveLength(1);
    await clock.advance(25 * HOUR);
    await expect(streams.send(new DescribeStreamCommand({ StreamArn: arn }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    expect((await streams.send(new ListStreamsCommand({}))).Streams).toEqual([]);
  });

  it("TTL: expired items vanish from reads and are deleted with a service REMOVE record", async () => {
    const clock = createManualClock();
    const { ddb, streams } = clients(undefined, clock);
    const arn = (await createTable(ddb, "sessions", "NEW_AND_OLD_IMAGES")).LatestStreamArn!;
    expect((await ddb.send(new DescribeTimeToLiveCommand({ TableName: "sessions" }))).TimeToLiveDescription).toEqual({ TimeToLiveStatus: "DISABLED" });
    const out = await ddb.send(new UpdateTimeToLiveCommand({ TableName: "sessions", TimeToLiveSpecification: { Enabled: true, AttributeName: "expires" } }));
    expect(out.TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: "expires" });
    expect((await ddb.send(new DescribeTimeToLiveCommand({ TableName: "sessions" }))).TimeToLiveDescription).toEqual({ TimeToLiveStatus: "ENABLED", AttributeName: "expires" });
    await expect(ddb.send(new UpdateTimeToLiveCommand({ TableName: "sessions", TimeToLiveSpecification: { Enabled: true, AttributeName: "expires" } })))
      .rejects.toMatchObject({ name: "ValidationException", message: "TimeToLive is already enabled" });
    const nowS = Math.floor(clock.now() / 1000);
    const put = (pk: string, sk: number, expires?: number) => ddb.send(new PutItemCommand({
      TableName: "sessions", Item: { pk: { S: pk }, sk: { N: String(sk) }, ...(expires !== undefined ? { expires: { N: String(expires) } } : {}) },
    }));
    await put("u", 1, nowS + 60);
    await put("u", 2, nowS + 3600);
    await put("u", 3);
    await put("u", 4, nowS + 60);
    const keys = (r: { Items?: Record<string, any>[] }) => r.Items!.map((i) => Number(i.sk.N));
    expect(keys(await ddb.send(new QueryCommand({ TableName: "sessions", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "u" } } })))).toEqual([1, 2, 3, 4]);
    await clock.advance(61 * 1000);
    expect((await ddb.send(new GetItemCommand({ TableName: "sessions", Key: { pk: { S: "u" }, sk: { N: "1" } } }))).Item).toBeUndefined();
    expect(keys(await ddb.send(new QueryCommand({ TableName: "sessions", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: "u" } } })))).toEqual([2, 3]);
    expect(keys(await ddb.send(new ScanCommand({ TableName: "sessions" })))).toEqual([2, 3]);
    // A conditional write sees an expired item as absent.
    await put("u", 4, nowS + 7200).then(() => ddb.send(new PutItemCommand({ TableName: "sessions", Item: { pk: { S: "u" }, sk: { N: "5" } }, ConditionExpression: "attribute_not_exists(pk)" })));
    const records = (await readAll(streams, arn)).records;
    const removals = records.filter((r) => r.eventName === "REMOVE");
    expect(removals.map((r) => [r.dynamodb!.Keys!.sk!.N, r.userIdentity])).toEqual([
      ["1", { Type: "Service", PrincipalId: "dynamodb.amazonaws.com" }],
      ["4", { Type: "Service", PrincipalId: "dynamodb.amazonaws.com" }],
    ]);
    expect(records.filter((r) => r.dynamodb!.Keys!.sk!.N === "4").map((r) => r.eventName)).toEqual(["INSERT", "REMOVE", "INSERT"]);
    expect((await ddb.send(new DescribeTableCommand({ TableName: "sessions" }))).Table!.ItemCount).toBe(4);
    await expect(ddb.send(new UpdateTimeToLiveCommand({ TableName: "sessions", TimeToLiveSpecification: { Enabled: false, AttributeName: "other" } })))
      .rejects.toMatchObject({ name: "ValidationException", message: "TimeToLive is active on a different AttributeName: current AttributeName is expires" });
  });
});
