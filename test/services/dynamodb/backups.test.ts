/**
 * Backups and point-in-time recovery through the AWS SDK for JavaScript v3, in-process on a
 * manual clock (PITR restores to a chosen second) and on each store.
 */
import { describe, expect, it } from "vitest";
import {
  CreateBackupCommand, CreateTableCommand, DeleteBackupCommand, DeleteItemCommand, DescribeBackupCommand, DescribeContinuousBackupsCommand,
  DescribeTableCommand, DynamoDBClient, ListBackupsCommand, PutItemCommand, QueryCommand, RestoreTableFromBackupCommand,
  RestoreTableToPointInTimeCommand, ScanCommand, UpdateContinuousBackupsCommand, UpdateItemCommand,
} from "@aws-sdk/client-dynamodb";
import { createEmulator, inProcess, STORES } from "../../helpers/clients.ts";
import { createManualClock } from "../../../src/clock.ts";

async function setup(store?: (typeof STORES)[number]) {
  const clock = createManualClock();
  const client = new DynamoDBClient(inProcess(createEmulator({ clock, ...(store ? { store: store.make() } : {}) })));
  await client.send(new CreateTableCommand({
    TableName: "src", BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "g", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    GlobalSecondaryIndexes: [{ IndexName: "byG", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } }],
  }));
  return { client, clock };
}

const scanAll = async (client: DynamoDBClient, table: string) =>
  ((await client.send(new ScanCommand({ TableName: table }))).Items ?? []).map((i) => `${i.pk!.S}:${i.v?.N ?? "-"}`).sort();

for (const store of STORES) {
  describe(`DynamoDB backups, ${store.name}`, () => {
    it("CreateBackup, ListBackups, DescribeBackup, RestoreTableFromBackup (with indexes), DeleteBackup", async () => {
      const { client } = await setup(store);
      for (let i = 0; i < 3; i++) await client.send(new PutItemCommand({ TableName: "src", Item: { pk: { S: `k${i}` }, v: { N: String(i) }, g: { S: "G" } } }));
      const created = await client.send(new CreateBackupCommand({ TableName: "src", BackupName: "first" }));
      const arn = created.BackupDetails!.BackupArn!;
      expect(arn).toMatch(/^arn:aws:dynamodb:us-east-1:000000000000:table\/src\/backup\/\d{13}-[0-9a-f]{8}$/);
      expect(created.BackupDetails).toMatchObject({ BackupName: "first", BackupStatus: "AVAILABLE", BackupType: "USER" });
      await client.send(new PutItemCommand({ TableName: "src", Item: { pk: { S: "after" }, g: { S: "G" } } }));
      const list = await client.send(new ListBackupsCommand({ TableName: "src" }));
      expect(list.BackupSummaries!.map((b) => b.BackupArn)).toEqual([arn]);
      const desc = await client.send(new DescribeBackupCommand({ BackupArn: arn }));
      expect(desc.BackupDescription!.SourceTableDetails).toMatchObject({ TableName: "src", ItemCount: 3, BillingMode: "PAY_PER_REQUEST" });
      expect(desc.BackupDescription!.SourceTableFeatureDetails!.GlobalSecondaryIndexes![0]!.IndexName).toBe("byG");
      const restored = await client.send(new RestoreTableFromBackupCommand({ TargetTableName: "copy", BackupArn: arn }));
      expect(restored.TableDescription!.RestoreSummary).toMatchObject({ SourceBackupArn: arn, RestoreInProgress: false });
      expect(await scanAll(client, "copy")).toEqual(["k0:0", "k1:1", "k2:2"]);
      const q = await client.send(new QueryCommand({ TableName: "copy", IndexName: "byG", KeyConditionExpression: "g = :g", ExpressionAttributeValues: { ":g": { S: "G" } } }));
      expect(q.Count).toBe(3);
      await expect(client.send(new RestoreTableFromBackupCommand({ TargetTableName: "copy", BackupArn: arn }))).rejects.toMatchObject({ name: "TableAlreadyExistsException" });
      const deleted = await client.send(new DeleteBackupCommand({ BackupArn: arn }));
      expect(deleted.BackupDescription!.BackupDetails!.BackupStatus).toBe("DELETED");
      await expect(client.send(new DescribeBackupCommand({ BackupArn: arn }))).rejects.toMatchObject({ name: "BackupNotFoundException", message: `Backup not found: ${arn}` });
      await expect(client.send(new CreateBackupCommand({ TableName: "nope", BackupName: "xyz" }))).rejects.toMatchObject({ name: "TableNotFoundException", message: "Table not found: nope" });
      client.destroy();
    });
  });
}

describe("DynamoDB point-in-time recovery", () => {
  it("restores the table exactly as it was at the chosen second", async () => {
    const { client, clock } = await setup();
    expect((await client.send(new DescribeContinuousBackupsCommand({ TableName: "src" }))).ContinuousBackupsDescription!.PointInTimeRecoveryDescription)
      .toEqual({ PointInTimeRecoveryStatus: "DISABLED" });
    await expect(client.send(new RestoreTableToPointInTimeCommand({ SourceTableName: "src", TargetTableName: "xyz", UseLatestRestorableTime: true })))
      .rejects.toMatchObject({ name: "PointInTimeRecoveryUnavailableException" });
    await client.send(new PutItemCommand({ TableName: "src", Item: { pk: { S: "a" }, v: { N: "1" } } }));
    const enabled = await client.send(new UpdateContinuousBackupsCommand({ TableName: "src", PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }));
    expect(enabled.ContinuousBackupsDescription!.PointInTimeRecoveryDescription).toMatchObject({ PointInTimeRecoveryStatus: "ENABLED", RecoveryPeriodInDays: 35 });
    const t0 = clock.now();
    await clock.advance(1000);
    await client.send(new PutItemCommand({ TableName: "src", Item: { pk: { S: "b" }, v: { N: "2" } } }));
    await clock.advance(1000);
    const t2 = clock.now();
    await client.send(new UpdateItemCommand({ TableName: "src", Key: { pk: { S: "a" } }, UpdateExpression: "SET v = :v", ExpressionAttributeValues: { ":v": { N: "10" } } }));
    await clock.advance(1000);
    const t3 = clock.now();
    await client.send(new DeleteItemCommand({ TableName: "src", Key: { pk: { S: "b" } } }));
    await clock.advance(1000);

    const restoreAt = async (name: string, at: number) => {
      await client.send(new RestoreTableToPointInTimeCommand({ SourceTableName: "src", TargetTableName: name, RestoreDateTime: new Date(at) }));
      return scanAll(client, name);
    };
    expect(await restoreAt("at0", t0)).toEqual(["a:1"]);
    expect(await restoreAt("at1", t0 + 1500)).toEqual(["a:1", "b:2"]);
    expect(await restoreAt("at2", t2)).toEqual(["a:10", "b:2"]);
    expect(await restoreAt("at3", t3)).toEqual(["a:10"]);
    await client.send(new RestoreTableToPointInTimeCommand({ SourceTableName: "src", TargetTableName: "latest", UseLatestRestorableTime: true }));
    expect(await scanAll(client, "latest")).toEqual(["a:10"]);
    const summary = (await client.send(new DescribeTableCommand({ TableName: "at2" }))).Table!.RestoreSummary!;
    expect(summary.SourceTableArn).toBe("arn:aws:dynamodb:us-east-1:000000000000:table/src");
    expect(summary.RestoreDateTime!.getTime()).toBe(t2);
    await expect(client.send(new RestoreTableToPointInTimeCommand({ SourceTableName: "src", TargetTableName: "early", RestoreDateTime: new Date(t0 - 60_000) })))
      .rejects.toMatchObject({ name: "InvalidRestoreTimeException" });
    const desc = await client.send(new DescribeContinuousBackupsCommand({ TableName: "src" }));
    expect(desc.ContinuousBackupsDescription!.PointInTimeRecoveryDescription!.EarliestRestorableDateTime!.getTime()).toBe(t0);
  });
});
