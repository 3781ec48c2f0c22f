/**
 * Incremental exports (ExportType INCREMENTAL_EXPORT): the items written in [ExportFromTime,
 * ExportToTime), one line each with Keys, NewImage, OldImage and Metadata.WriteTimestampMicros,
 * in fetchstack's S3 through the JS SDK v3 in-process on a manual clock; and the request checks.
 */
import { gunzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import {
  CreateTableCommand, DeleteItemCommand, DescribeExportCommand, DynamoDBClient, ExportTableToPointInTimeCommand, ListExportsCommand, PutItemCommand,
  UpdateContinuousBackupsCommand, UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { createEmulator, inProcess } from "../../helpers/clients.ts";
import { createManualClock } from "../../../src/clock.ts";

const START = Date.UTC(2026, 2, 1);
const MIN = 60_000;

async function setup() {
  const clock = createManualClock(START);
  const emulator = createEmulator({ clock });
  const ddb = new DynamoDBClient(inProcess(emulator));
  const s3 = new S3Client({ ...inProcess(emulator), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "exports" }));
  const t = (await ddb.send(new CreateTableCommand({
    TableName: "orders", BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
  }))).TableDescription!;
  return { clock, ddb, s3, arn: t.TableArn! };
}

const put = (ddb: DynamoDBClient, pk: string, v: string) => ddb.send(new PutItemCommand({ TableName: "orders", Item: { pk: { S: pk }, sk: { N: "1" }, v: { S: v } } }));

async function readLines(s3: S3Client, key: string): Promise<any[]> {
  const body = await (await s3.send(new GetObjectCommand({ Bucket: "exports", Key: key }))).Body!.transformToByteArray();
  const text = new TextDecoder().decode(gunzipSync(body)).trim();
  return text ? text.split("\n").map((l) => JSON.parse(l)) : [];
}

describe("DynamoDB incremental exports", () => {
  it("exports each item changed in the window once, with its images as AWS writes them", async () => {
    const { clock, ddb, s3, arn } = await setup();
    await ddb.send(new UpdateContinuousBackupsCommand({ TableName: "orders", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    await put(ddb, "kept", "0");
    await put(ddb, "changed", "old");
    await put(ddb, "deleted", "x");
    await clock.advance(MIN);
    const from = clock.now();
    await put(ddb, "added", "new");
    await clock.advance(MIN);
    await ddb.send(new UpdateItemCommand({ TableName: "orders", Key: { pk: { S: "changed" }, sk: { N: "1" } }, UpdateExpression: "SET v = :v", ExpressionAttributeValues: { ":v": { S: "mid" } } }));
    await clock.advance(MIN);
    await ddb.send(new UpdateItemCommand({ TableName: "orders", Key: { pk: { S: "changed" }, sk: { N: "1" } }, UpdateExpression: "SET v = :v", ExpressionAttributeValues: { ":v": { S: "new" } } }));
    const lastWrite = clock.now();
    await ddb.send(new DeleteItemCommand({ TableName: "orders", Key: { pk: { S: "deleted" }, sk: { N: "1" } } }));
    await put(ddb, "transient", "t");
    await ddb.send(new DeleteItemCommand({ TableName: "orders", Key: { pk: { S: "transient" }, sk: { N: "1" } } }));
    await clock.advance(20 * MIN);
    const to = clock.now();
    await put(ddb, "after", "late");
    await clock.advance(MIN);

    const started = await ddb.send(new ExportTableToPointInTimeCommand({
      TableArn: arn, S3Bucket: "exports", S3Prefix: "cdc", ExportType: "INCREMENTAL_EXPORT",
      IncrementalExportSpecification: { ExportFromTime: new Date(from), ExportToTime: new Date(to) },
    }));
    expect(started.ExportDescription).toMatchObject({ ExportStatus: "IN_PROGRESS", ExportType: "INCREMENTAL_EXPORT" });
    const done = (await ddb.send(new DescribeExportCommand({ ExportArn: started.ExportDescription!.ExportArn! }))).ExportDescription!;
    expect(done).toMatchObject({
      ExportStatus: "COMPLETED", ItemCount: 3, ExportType: "INCREMENTAL_EXPORT",
      IncrementalExportSpecification: { ExportFromTime: new Date(from), ExportToTime: new Date(to), ExportViewType: "NEW_AND_OLD_IMAGES" },
    });
    expect(done.ExportTime).toBeUndefined();
    const id = done.ExportArn!.split("/").pop()!;
    const keys = ((await s3.send(new ListObjectsV2Command({ Bucket: "exports", Prefix: "cdc/" }))).Contents ?? []).map((o) => o.Key!).sort();
    const dataKey = keys.find((k) => k.endsWith(".json.gz"))!;
    expect(dataKey).toMatch(/^cdc\/AWSDynamoDB\/data\/[0-9a-f]+\.json\.gz$/);
    expect(keys).toEqual([`cdc/AWSDynamoDB/${id}/_started`, `cdc/AWSDynamoDB/${id}/manifest-files.json`, `cdc/AWSDynamoDB/${id}/manifest-summary.json`, dataKey].sort());

    const byKey = Object.fromEntries((await readLines(s3, dataKey)).map((l) => [l.Keys.pk.S, l]));
    expect(Object.keys(byKey).sort()).toEqual(["added", "changed", "deleted"]);
    expect(byKey.added).toEqual({
      Metadata: { WriteTimestampMicros: { N: String(from * 1000) } }, Keys: { pk: { S: "added" }, sk: { N: "1" } },
      NewImage: { pk: { S: "added" }, sk: { N: "1" }, v: { S: "new" } },
    });
    expect(byKey.changed).toEqual({
      Metadata: { WriteTimestampMicros: { N: String(lastWrite * 1000) } }, Keys: { pk: { S: "changed" }, sk: { N: "1" } },
      NewImage: { pk: { S: "changed" }, sk: { N: "1" }, v: { S: "new" } }, OldImage: { pk: { S: "changed" }, sk: { N: "1" }, v: { S: "old" } },
    });
    expect(byKey.deleted).toMatchObject({ Keys: { pk: { S: "deleted" }, sk: { N: "1" } }, OldImage: { v: { S: "x" } } });
    expect(byKey.deleted.NewImage).toBeUndefined();

    const summary = JSON.parse(new TextDecoder().decode(await (await s3.send(new GetObjectCommand({ Bucket: "exports", Key: `cdc/AWSDynamoDB/${id}/manifest-summary.json` }))).Body!.transformToByteArray()));
    expect(summary).toMatchObject({
      version: "2023-08-01", exportArn: done.ExportArn, exportFromTime: new Date(from).toISOString(), exportToTime: new Date(to).toISOString(),
      itemCount: 3, outputFormat: "DYNAMODB_JSON", outputView: "NEW_AND_OLD_IMAGES", exportType: "INCREMENTAL_EXPORT",
      manifestFilesS3Key: `cdc/AWSDynamoDB/${id}/manifest-files.json`,
    });
    const files = JSON.parse(new TextDecoder().decode(await (await s3.send(new GetObjectCommand({ Bucket: "exports", Key: summary.manifestFilesS3Key }))).Body!.transformToByteArray()));
    expect(files).toMatchObject({ itemCount: 3, dataFileS3Key: dataKey });

    // NEW_IMAGE: no old images; a deletion is its keys alone.
    const newOnly = await ddb.send(new ExportTableToPointInTimeCommand({
      TableArn: arn, S3Bucket: "exports", S3Prefix: "new", ExportType: "INCREMENTAL_EXPORT",
      IncrementalExportSpecification: { ExportFromTime: new Date(from), ExportToTime: new Date(to), ExportViewType: "NEW_IMAGE" },
    }));
    const newKeys = ((await s3.send(new ListObjectsV2Command({ Bucket: "exports", Prefix: "new/AWSDynamoDB/data/" }))).Contents ?? []).map((o) => o.Key!);
    const lines = Object.fromEntries((await readLines(s3, newKeys[0]!)).map((l) => [l.Keys.pk.S, l]));
    expect(lines.deleted).toEqual({ Metadata: lines.deleted.Metadata, Keys: { pk: { S: "deleted" }, sk: { N: "1" } } });
    expect(lines.changed.OldImage).toBeUndefined();
    expect((await ddb.send(new ListExportsCommand({ TableArn: arn }))).ExportSummaries!.map((e) => e.ExportArn)).toContain(newOnly.ExportDescription!.ExportArn);
  });

  it("checks the request as DynamoDB does", async () => {
    const { clock, ddb, arn } = await setup();
    const inc = (spec: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) =>
      ddb.send(new ExportTableToPointInTimeCommand({ TableArn: arn, S3Bucket: "exports", ExportType: "INCREMENTAL_EXPORT", IncrementalExportSpecification: spec as any, ...extra }));
    await expect(inc({ ExportFromTime: new Date(START) })).rejects.toMatchObject({ name: "PointInTimeRecoveryUnavailableException" });
    await ddb.send(new UpdateContinuousBackupsCommand({ TableName: "orders", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    await clock.advance(2 * 24 * 60 * MIN);
    const now = clock.now();
    const cases: [Record<string, unknown> | undefined, Record<string, unknown>, string, string][] = [
      [undefined, {}, "ValidationException", "Invalid Request: IncrementalExportSpecification must be provided when ExportType is INCREMENTAL_EXPORT"],
      [{ ExportToTime: new Date(now) }, {}, "ValidationException", "Invalid Request: ExportFromTime must be provided in IncrementalExportSpecification"],
      [{ ExportFromTime: new Date(now - 10 * MIN), ExportToTime: new Date(now) }, {}, "ValidationException", "Invalid Request: The incremental export period must be at least 15 minutes and at most 24 hours"],
      [{ ExportFromTime: new Date(now - 25 * 60 * MIN), ExportToTime: new Date(now) }, {}, "ValidationException", "Invalid Request: The incremental export period must be at least 15 minutes and at most 24 hours"],
      [{ ExportFromTime: new Date(now), ExportToTime: new Date(now - 20 * MIN) }, {}, "ValidationException", "Invalid Request: ExportFromTime must be before ExportToTime"],
      [{ ExportFromTime: new Date(now - 20 * MIN) }, { ExportTime: new Date(now) }, "ValidationException", "Invalid Request: ExportTime cannot be specified for an incremental export; use IncrementalExportSpecification"],
      [{ ExportFromTime: new Date(START - 60 * MIN), ExportToTime: new Date(START - 30 * MIN) }, {}, "InvalidExportTimeException", ""],
      [{ ExportFromTime: new Date(now - 10 * MIN), ExportToTime: new Date(now + 10 * MIN) }, {}, "InvalidExportTimeException", ""],
    ];
    for (const [spec, extra, name, message] of cases) {
      await expect(inc(spec, extra), JSON.stringify(spec)).rejects.toMatchObject({ name, ...(message ? { message } : {}) });
    }
    // ExportToTime defaults to now; an empty window writes an empty data file.
    const ok = await inc({ ExportFromTime: new Date(now - 30 * MIN) }, { S3Bucket: "exports" });
    expect((await ddb.send(new DescribeExportCommand({ ExportArn: ok.ExportDescription!.ExportArn! }))).ExportDescription)
      .toMatchObject({ ExportStatus: "COMPLETED", ItemCount: 0, IncrementalExportSpecification: { ExportToTime: new Date(now) } });
  });
});
