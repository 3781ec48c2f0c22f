/**
 * Export to and import from fetchstack's own S3, global tables, Kinesis streaming destinations,
 * Contributor Insights, resource policies and replica auto scaling, through the AWS SDK for
 * JavaScript v3 in-process.
 */
import { describe, expect, it } from "vitest";
import { gunzipSync } from "fflate";
import {
  CreateGlobalTableCommand, CreateTableCommand, DeleteResourcePolicyCommand, DescribeContributorInsightsCommand, DescribeExportCommand,
  DescribeGlobalTableCommand, DescribeGlobalTableSettingsCommand, DescribeImportCommand, DescribeKinesisStreamingDestinationCommand,
  DeleteItemCommand, DescribeTableCommand, DescribeTableReplicaAutoScalingCommand, DisableKinesisStreamingDestinationCommand, DynamoDBClient,
  EnableKinesisStreamingDestinationCommand, ExportTableToPointInTimeCommand, GetResourcePolicyCommand, ImportTableCommand,
  ListContributorInsightsCommand, ListExportsCommand, ListGlobalTablesCommand, ListImportsCommand, PutItemCommand, PutResourcePolicyCommand,
  ScanCommand, UpdateContinuousBackupsCommand, UpdateContributorInsightsCommand, UpdateGlobalTableCommand, UpdateItemCommand,
  UpdateKinesisStreamingDestinationCommand, UpdateTableCommand,
} from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createEmulator, inProcess } from "../../helpers/clients.ts";
import { createManualClock } from "../../../src/clock.ts";

function setup() {
  const clock = createManualClock();
  const emulator = createEmulator({ clock });
  return { clock, ddb: new DynamoDBClient(inProcess(emulator)), s3: new S3Client({ ...inProcess(emulator), forcePathStyle: true }) };
}

async function table(ddb: DynamoDBClient, name: string, stream = false) {
  return (await ddb.send(new CreateTableCommand({
    TableName: name, BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } } : {}),
  }))).TableDescription!;
}

describe("DynamoDB export and import through S3", () => {
  it("exports the table as of ExportTime in DynamoDB JSON, and imports it back", async () => {
    const { clock, ddb, s3 } = setup();
    await s3.send(new CreateBucketCommand({ Bucket: "exports" }));
    const t = await table(ddb, "src");
    await expect(ddb.send(new ExportTableToPointInTimeCommand({ TableArn: t.TableArn, S3Bucket: "exports" })))
      .rejects.toMatchObject({ name: "PointInTimeRecoveryUnavailableException" });
    await ddb.send(new UpdateContinuousBackupsCommand({ TableName: "src", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    await ddb.send(new PutItemCommand({ TableName: "src", Item: { pk: { S: "a" }, n: { N: "1" }, b: { B: new Uint8Array([1, 2]) } } }));
    await clock.advance(1000);
    const at = clock.now();
    await clock.advance(1000);
    await ddb.send(new UpdateItemCommand({ TableName: "src", Key: { pk: { S: "a" } }, UpdateExpression: "SET n = :n", ExpressionAttributeValues: { ":n": { N: "2" } } }));
    await ddb.send(new PutItemCommand({ TableName: "src", Item: { pk: { S: "later" } } }));
    const started = await ddb.send(new ExportTableToPointInTimeCommand({ TableArn: t.TableArn, S3Bucket: "exports", S3Prefix: "snap", ExportTime: new Date(at) }));
    expect(started.ExportDescription!.ExportStatus).toBe("IN_PROGRESS");
    const arn = started.ExportDescription!.ExportArn!;
    const done = (await ddb.send(new DescribeExportCommand({ ExportArn: arn }))).ExportDescription!;
    expect(done).toMatchObject({ ExportStatus: "COMPLETED", ItemCount: 1, ExportFormat: "DYNAMODB_JSON", S3Prefix: "snap" });
    expect((await ddb.send(new ListExportsCommand({ TableArn: t.TableArn }))).ExportSummaries).toEqual([{ ExportArn: arn, ExportStatus: "COMPLETED", ExportType: "FULL_EXPORT" }]);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "exports", Prefix: "snap/AWSDynamoDB/" }));
    const dataKey = listed.Contents!.map((o) => o.Key!).find((k) => k.endsWith(".json.gz"))!;
    expect(dataKey).toMatch(/^snap\/AWSDynamoDB\/\d{13}-[0-9a-f]{8}\/data\/[0-9a-f]+\.json\.gz$/);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: "exports", Key: dataKey }))).Body!.transformToByteArray();
    const lines = new TextDecoder().decode(gunzipSync(body)).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([{ Item: { pk: { S: "a" }, n: { N: "1" }, b: { B: "AQI=" } } }]);

    // Import: DynamoDB JSON (gzipped) from the export, and a CSV.
    const imported = await ddb.send(new ImportTableCommand({
      S3BucketSource: { S3Bucket: "exports", S3KeyPrefix: dataKey }, InputFormat: "DYNAMODB_JSON", InputCompressionType: "GZIP",
      TableCreationParameters: { TableName: "restored", BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }] },
    }));
    const importArn = imported.ImportTableDescription!.ImportArn!;
    expect((await ddb.send(new DescribeImportCommand({ ImportArn: importArn }))).ImportTableDescription).toMatchObject({ ImportStatus: "COMPLETED", ImportedItemCount: 1, ErrorCount: 0 });
    expect((await ddb.send(new ScanCommand({ TableName: "restored" }))).Items).toEqual([{ pk: { S: "a" }, n: { N: "1" }, b: { B: new Uint8Array([1, 2]) } }]);
    await s3.send(new PutObjectCommand({ Bucket: "exports", Key: "csv/people.csv", Body: "id,age,name\nu1,30,Ann\nu2,41,\"Bo, Jr\"\nu3,not-a-number,Cy\n" }));
    await ddb.send(new ImportTableCommand({
      S3BucketSource: { S3Bucket: "exports", S3KeyPrefix: "csv/" }, InputFormat: "CSV",
      TableCreationParameters: { TableName: "people", BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }, { AttributeName: "age", AttributeType: "N" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }], GlobalSecondaryIndexes: [{ IndexName: "byAge", KeySchema: [{ AttributeName: "age", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } }] },
    }));
    const people = (await ddb.send(new ScanCommand({ TableName: "people" }))).Items!.sort((a, b) => a.id!.S!.localeCompare(b.id!.S!));
    expect(people).toEqual([{ id: { S: "u1" }, age: { N: "30" }, name: { S: "Ann" } }, { id: { S: "u2" }, age: { N: "41" }, name: { S: "Bo, Jr" } }]);
    const list = await ddb.send(new ListImportsCommand({}));
    expect(list.ImportSummaryList).toHaveLength(2);
    const csvImport = list.ImportSummaryList!.find((i) => i.TableArn!.endsWith("/people"))!;
    expect((await ddb.send(new DescribeImportCommand({ ImportArn: csvImport.ImportArn }))).ImportTableDescription).toMatchObject({ ImportedItemCount: 2, ErrorCount: 1 });
    const failed = await ddb.send(new ExportTableToPointInTimeCommand({ TableArn: t.TableArn, S3Bucket: "no-such-bucket" }));
    expect((await ddb.send(new DescribeExportCommand({ ExportArn: failed.ExportDescription!.ExportArn }))).ExportDescription).toMatchObject({ ExportStatus: "FAILED", FailureCode: "S3NoSuchBucket" });
  });
});

describe("DynamoDB control plane as state", () => {
  it("global tables (2017.11.29) and replicas (2019.11.21)", async () => {
    const { ddb } = setup();
    await table(ddb, "plain");
    await expect(ddb.send(new CreateGlobalTableCommand({ GlobalTableName: "plain", ReplicationGroup: [{ RegionName: "us-east-1" }] })))
      .rejects.toMatchObject({ name: "ValidationException" });
    await table(ddb, "glob", true);
    const created = await ddb.send(new CreateGlobalTableCommand({ GlobalTableName: "glob", ReplicationGroup: [{ RegionName: "us-east-1" }, { RegionName: "eu-west-1" }] }));
    expect(created.GlobalTableDescription).toMatchObject({ GlobalTableName: "glob", GlobalTableStatus: "ACTIVE", GlobalTableArn: "arn:aws:dynamodb::000000000000:global-table/glob" });
    await expect(ddb.send(new CreateGlobalTableCommand({ GlobalTableName: "glob", ReplicationGroup: [{ RegionName: "us-east-1" }] })))
      .rejects.toMatchObject({ name: "GlobalTableAlreadyExistsException" });
    await ddb.send(new UpdateGlobalTableCommand({ GlobalTableName: "glob", ReplicaUpdates: [{ Create: { RegionName: "ap-south-1" } }, { Delete: { RegionName: "eu-west-1" } }] }));
    const described = await ddb.send(new DescribeGlobalTableCommand({ GlobalTableName: "glob" }));
    expect(described.GlobalTableDescription!.ReplicationGroup!.map((r) => r.RegionName)).toEqual(["us-east-1", "ap-south-1"]);
    expect((await ddb.send(new ListGlobalTablesCommand({}))).GlobalTables).toEqual([{ GlobalTableName: "glob", ReplicationGroup: [{ RegionName: "us-east-1" }, { RegionName: "ap-south-1" }] }]);
    expect((await ddb.send(new DescribeGlobalTableSettingsCommand({ GlobalTableName: "glob" }))).ReplicaSettings).toHaveLength(2);
    await expect(ddb.send(new DescribeGlobalTableCommand({ GlobalTableName: "nope" }))).rejects.toMatchObject({ name: "GlobalTableNotFoundException" });

    await table(ddb, "v2t", true);
    await ddb.send(new UpdateTableCommand({ TableName: "v2t", ReplicaUpdates: [{ Create: { RegionName: "eu-west-1" } }] }));
    const t = (await ddb.send(new DescribeTableCommand({ TableName: "v2t" }))).Table!;
    expect(t.GlobalTableVersion).toBe("2019.11.21");
    expect(t.Replicas!.map((r) => r.RegionName)).toEqual(["us-east-1", "eu-west-1"]);
    const scaling = await ddb.send(new DescribeTableReplicaAutoScalingCommand({ TableName: "v2t" }));
    expect(scaling.TableAutoScalingDescription!.Replicas!.map((r) => r.RegionName)).toEqual(["us-east-1", "eu-west-1"]);
  });

  it("Kinesis streaming destinations, Contributor Insights, resource policies", async () => {
    const { ddb } = setup();
    const t = await table(ddb, "feat", true);
    const kin = "arn:aws:kinesis:us-east-1:000000000000:stream/changes";
    const enabled = await ddb.send(new EnableKinesisStreamingDestinationCommand({ TableName: "feat", StreamArn: kin }));
    expect(enabled).toMatchObject({ TableName: "feat", StreamArn: kin, DestinationStatus: "ENABLING" });
    await expect(ddb.send(new EnableKinesisStreamingDestinationCommand({ TableName: "feat", StreamArn: kin }))).rejects.toMatchObject({
      name: "ValidationException",
      message: "Table is not in a valid state to enable Kinesis Streaming Destination: EnableKinesisStreamingDestination must be DISABLED or ENABLE_FAILED to perform ENABLE operation.",
    });
    await ddb.send(new UpdateKinesisStreamingDestinationCommand({ TableName: "feat", StreamArn: kin, UpdateKinesisStreamingConfiguration: { ApproximateCreationDateTimePrecision: "MICROSECOND" } }));
    expect((await ddb.send(new DescribeKinesisStreamingDestinationCommand({ TableName: "feat" }))).KinesisDataStreamDestinations)
      .toEqual([{ StreamArn: kin, DestinationStatus: "ACTIVE", ApproximateCreationDateTimePrecision: "MICROSECOND" }]);
    await ddb.send(new DisableKinesisStreamingDestinationCommand({ TableName: "feat", StreamArn: kin }));
    expect((await ddb.send(new DescribeKinesisStreamingDestinationCommand({ TableName: "feat" }))).KinesisDataStreamDestinations![0]!.DestinationStatus).toBe("DISABLED");

    expect((await ddb.send(new DescribeContributorInsightsCommand({ TableName: "feat" }))).ContributorInsightsStatus).toBe("DISABLED");
    expect((await ddb.send(new UpdateContributorInsightsCommand({ TableName: "feat", ContributorInsightsAction: "ENABLE" }))).ContributorInsightsStatus).toBe("ENABLING");
    const ci = await ddb.send(new DescribeContributorInsightsCommand({ TableName: "feat" }));
    expect(ci.ContributorInsightsStatus).toBe("ENABLED");
    expect(ci.ContributorInsightsRuleList!.length).toBe(2);
    expect((await ddb.send(new ListContributorInsightsCommand({}))).ContributorInsightsSummaries).toEqual([{ TableName: "feat", ContributorInsightsStatus: "ENABLED", ContributorInsightsMode: "ACCESSED_AND_THROTTLED_KEYS" }]);

    const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "dynamodb:GetItem", Resource: t.TableArn }] });
    await expect(ddb.send(new GetResourcePolicyCommand({ ResourceArn: t.TableArn }))).rejects.toMatchObject({ name: "PolicyNotFoundException" });
    const put = await ddb.send(new PutResourcePolicyCommand({ ResourceArn: t.TableArn, Policy: policy }));
    const got = await ddb.send(new GetResourcePolicyCommand({ ResourceArn: t.TableArn }));
    expect(got).toMatchObject({ Policy: policy, RevisionId: put.RevisionId });
    await expect(ddb.send(new PutResourcePolicyCommand({ ResourceArn: t.TableArn, Policy: policy, ExpectedRevisionId: "123" }))).rejects.toMatchObject({ name: "PolicyNotFoundException" });
    await ddb.send(new PutResourcePolicyCommand({ ResourceArn: t.LatestStreamArn, Policy: policy }));
    await ddb.send(new DeleteResourcePolicyCommand({ ResourceArn: t.TableArn, ExpectedRevisionId: put.RevisionId }));
    await expect(ddb.send(new GetResourcePolicyCommand({ ResourceArn: t.TableArn }))).rejects.toMatchObject({ name: "PolicyNotFoundException" });
    await expect(ddb.send(new PutResourcePolicyCommand({ ResourceArn: "arn:aws:dynamodb:us-east-1:000000000000:table/none", Policy: policy }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});

describe("Kinesis streaming destination delivery", () => {
  it("sends INSERT, MODIFY and REMOVE change records to the Kinesis stream in order", async () => {
    const { KinesisClient, CreateStreamCommand, ListShardsCommand, GetShardIteratorCommand, GetRecordsCommand } = await import("@aws-sdk/client-kinesis");
    const emulator = createEmulator({ clock: createManualClock() });
    const ddb = new DynamoDBClient(inProcess(emulator));
    const kinesis = new KinesisClient(inProcess(emulator));
    await kinesis.send(new CreateStreamCommand({ StreamName: "changes", ShardCount: 1 }));
    await table(ddb, "kds");
    const streamArn = "arn:aws:kinesis:us-east-1:000000000000:stream/changes";
    await ddb.send(new EnableKinesisStreamingDestinationCommand({ TableName: "kds", StreamArn: streamArn }));
    await ddb.send(new PutItemCommand({ TableName: "kds", Item: { pk: { S: "k" }, v: { N: "1" } } }));
    await ddb.send(new UpdateItemCommand({ TableName: "kds", Key: { pk: { S: "k" } }, UpdateExpression: "SET v = :v", ExpressionAttributeValues: { ":v": { N: "2" } } }));
    await ddb.send(new PutItemCommand({ TableName: "kds", Item: { pk: { S: "k" }, v: { N: "2" } } }));
    await ddb.send(new DeleteItemCommand({ TableName: "kds", Key: { pk: { S: "k" } } }));
    await emulator.settled();
    const shard = (await kinesis.send(new ListShardsCommand({ StreamName: "changes" }))).Shards![0]!.ShardId!;
    const it = (await kinesis.send(new GetShardIteratorCommand({ StreamName: "changes", ShardId: shard, ShardIteratorType: "TRIM_HORIZON" }))).ShardIterator!;
    const records = (await kinesis.send(new GetRecordsCommand({ ShardIterator: it }))).Records!.map((r) => JSON.parse(new TextDecoder().decode(r.Data)));
    expect(records.map((r) => r.eventName)).toEqual(["INSERT", "MODIFY", "REMOVE"]);
    expect(records[1]).toMatchObject({
      tableName: "kds", eventSource: "aws:dynamodb", recordFormat: "application/json", awsRegion: "us-east-1",
      dynamodb: { Keys: { pk: { S: "k" } }, OldImage: { pk: { S: "k" }, v: { N: "1" } }, NewImage: { pk: { S: "k" }, v: { N: "2" } }, ApproximateCreationDateTimePrecision: "MILLISECOND" },
    });
  });
});
