/**
 * DynamoDB table lifecycle through the AWS SDK for JavaScript v3, in-process and over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateTableCommand, DeleteTableCommand, DescribeContinuousBackupsCommand, DescribeTimeToLiveCommand, DescribeEndpointsCommand, DescribeLimitsCommand, DescribeTableCommand,
  DynamoDBClient, ListTablesCommand, ListTagsOfResourceCommand, PutItemCommand, TagResourceCommand,
  UntagResourceCommand, UpdateTableCommand, waitUntilTableExists, waitUntilTableNotExists, paginateListTables,
} from "@aws-sdk/client-dynamodb";
import { tableName, TRANSPORTS } from "./transports.ts";
import { createEmulator, inProcess } from "../../helpers/clients.ts";

for (const transport of TRANSPORTS) {
  describe(`DynamoDB tables, ${transport.name}`, () => {
    let client: DynamoDBClient;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ client, close } = await transport.setup());
    });
    afterAll(() => close());

    it("CreateTable answers CREATING, the waiter sees ACTIVE, DescribeTable describes it", async () => {
      const name = tableName();
      const created = await client.send(new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
        BillingMode: "PAY_PER_REQUEST",
        Tags: [{ Key: "team", Value: "data" }],
        StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
        SSESpecification: { Enabled: true },
        TableClass: "STANDARD_INFREQUENT_ACCESS",
        DeletionProtectionEnabled: false,
      }));
      const d = created.TableDescription!;
      expect(d.TableStatus).toBe("CREATING");
      expect(d.TableArn).toBe(`arn:aws:dynamodb:us-east-1:000000000000:table/${name}`);
      expect(d.TableId).toMatch(/^[0-9a-f-]{36}$/);
      expect(d.BillingModeSummary?.BillingMode).toBe("PAY_PER_REQUEST");
      expect(d.ProvisionedThroughput).toEqual({ NumberOfDecreasesToday: 0, ReadCapacityUnits: 0, WriteCapacityUnits: 0 });
      expect(d.LatestStreamArn).toBe(`${d.TableArn}/stream/${d.LatestStreamLabel}`);
      expect(d.StreamSpecification).toEqual({ StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" });
      expect(d.SSEDescription).toMatchObject({ Status: "ENABLED", SSEType: "KMS" });
      expect(d.TableClassSummary?.TableClass).toBe("STANDARD_INFREQUENT_ACCESS");
      expect(d.CreationDateTime).toBeInstanceOf(Date);

      const waited = await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: name });
      expect(waited.state).toBe("SUCCESS");

      await client.send(new PutItemCommand({ TableName: name, Item: { pk: { S: "a" }, sk: { N: "1" }, v: { S: "hello" } } }));
      const described = (await client.send(new DescribeTableCommand({ TableName: name }))).Table!;
      expect(described.TableStatus).toBe("ACTIVE");
      expect(described.ItemCount).toBe(1);
      expect(described.TableSizeBytes).toBe(2 + 1 + 2 + 2 + 1 + 5);
      expect(described.KeySchema).toEqual([{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }]);

      const tags = await client.send(new ListTagsOfResourceCommand({ ResourceArn: d.TableArn }));
      expect(tags.Tags).toEqual([{ Key: "team", Value: "data" }]);

      await expect(client.send(new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }))).rejects.toMatchObject({ name: "ResourceInUseException", message: `Table already exists: ${name}` });

      const deleted = await client.send(new DeleteTableCommand({ TableName: name }));
      expect(deleted.TableDescription!.TableStatus).toBe("DELETING");
      expect((await waitUntilTableNotExists({ client, maxWaitTime: 30 }, { TableName: name })).state).toBe("SUCCESS");
      await expect(client.send(new DescribeTableCommand({ TableName: name })))
        .rejects.toMatchObject({ name: "ResourceNotFoundException", message: `Requested resource not found: Table: ${name} not found` });
    });

    it("CreateTable validation answers with DynamoDB's messages", async () => {
      const base = { TableName: tableName(), BillingMode: "PAY_PER_REQUEST" as const };
      const cases: [Record<string, unknown>, string][] = [
        [
          { AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "x", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }] },
          "One or more parameter values were invalid: Number of attributes in KeySchema does not exactly match number of attributes defined in AttributeDefinitions",
        ],
        [
          { AttributeDefinitions: [{ AttributeName: "a", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }] },
          "One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [pk], AttributeDefinitions: [a]",
        ],
        [
          { AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }] },
          "Invalid KeySchema: Some index key attribute have no definition",
        ],
        [
          { AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "RANGE" }] },
          "Invalid KeySchema: The first KeySchemaElement is not a HASH key type",
        ],
        [
          { AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } },
          "One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST",
        ],
        [
          {
            AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "g", AttributeType: "S" }, { AttributeName: "unused", AttributeType: "S" }],
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
            GlobalSecondaryIndexes: [{ IndexName: "gsi", KeySchema: [{ AttributeName: "g", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } }],
          },
          "One or more parameter values were invalid: Some AttributeDefinitions are not used. AttributeDefinitions: [pk, g, unused], keys used: [pk, g]",
        ],
        [
          {
            AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "l", AttributeType: "S" }],
            KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
            LocalSecondaryIndexes: [{ IndexName: "lsi", KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "l", KeyType: "RANGE" }], Projection: { ProjectionType: "ALL" } }],
          },
          "One or more parameter values were invalid: Table KeySchema does not have a range key, which is required when specifying a LocalSecondaryIndex",
        ],
      ];
      for (const [input, message] of cases) {
        await expect(client.send(new CreateTableCommand({ ...base, ...input } as any))).rejects.toMatchObject({ name: "ValidationException", message });
      }
      await expect(client.send(new CreateTableCommand({
        TableName: tableName(),
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      }))).rejects.toMatchObject({
        name: "ValidationException",
        message: "One or more parameter values were invalid: ReadCapacityUnits and WriteCapacityUnits must both be specified when BillingMode is PROVISIONED",
      });
    });

    it("UpdateTable changes throughput and billing, adds and removes a GSI", async () => {
      const name = tableName();
      await client.send(new CreateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 },
      }));
      await client.send(new PutItemCommand({ TableName: name, Item: { pk: { S: "1" }, email: { S: "a@x" } } }));
      await client.send(new PutItemCommand({ TableName: name, Item: { pk: { S: "2" } } }));
      await expect(client.send(new UpdateTableCommand({ TableName: name, ProvisionedThroughput: { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } })))
        .rejects.toMatchObject({ name: "ValidationException", message: expect.stringContaining("The provisioned throughput for the table will not change.") });
      const raised = await client.send(new UpdateTableCommand({ TableName: name, ProvisionedThroughput: { ReadCapacityUnits: 10, WriteCapacityUnits: 5 } }));
      expect(raised.TableDescription!.TableStatus).toBe("UPDATING");
      expect(raised.TableDescription!.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 10, WriteCapacityUnits: 5 });
      expect(raised.TableDescription!.ProvisionedThroughput!.LastIncreaseDateTime).toBeInstanceOf(Date);

      await client.send(new UpdateTableCommand({
        TableName: name,
        AttributeDefinitions: [{ AttributeName: "email", AttributeType: "S" }],
        GlobalSecondaryIndexUpdates: [{
          Create: { IndexName: "by-email", KeySchema: [{ AttributeName: "email", KeyType: "HASH" }], Projection: { ProjectionType: "KEYS_ONLY" }, ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 } },
        }],
      }));
      const withIndex = (await client.send(new DescribeTableCommand({ TableName: name }))).Table!;
      expect(withIndex.GlobalSecondaryIndexes).toHaveLength(1);
      expect(withIndex.GlobalSecondaryIndexes![0]).toMatchObject({
        IndexName: "by-email", IndexStatus: "ACTIVE", ItemCount: 1, IndexArn: `${withIndex.TableArn}/index/by-email`,
        Projection: { ProjectionType: "KEYS_ONLY" },
      });

      const onDemand = await client.send(new UpdateTableCommand({ TableName: name, BillingMode: "PAY_PER_REQUEST" }));
      expect(onDemand.TableDescription!.BillingModeSummary!.BillingMode).toBe("PAY_PER_REQUEST");
      await client.send(new UpdateTableCommand({ TableName: name, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: "by-email" } }] }));
      expect((await client.send(new DescribeTableCommand({ TableName: name }))).Table!.GlobalSecondaryIndexes).toBeUndefined();

      await client.send(new UpdateTableCommand({ TableName: name, DeletionProtectionEnabled: true }));
      await expect(client.send(new DeleteTableCommand({ TableName: name }))).rejects.toMatchObject({ name: "ValidationException" });
    });

    it("ListTables pages with Limit and ExclusiveStartTableName", async () => {
      const names = [tableName("list"), tableName("list"), tableName("list")];
      for (const n of names) {
        await client.send(new CreateTableCommand({
          TableName: n, BillingMode: "PAY_PER_REQUEST",
          AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
        }));
      }
      const all: string[] = [];
      for await (const page of paginateListTables({ client, pageSize: 2 }, {})) {
        expect(page.TableNames!.length).toBeLessThanOrEqual(2);
        all.push(...page.TableNames!);
      }
      for (const n of names) expect(all).toContain(n);
      expect([...all].sort()).toEqual(all);
      const first = await client.send(new ListTablesCommand({ Limit: 1 }));
      expect(first.LastEvaluatedTableName).toBe(first.TableNames![0]);
    });

    it("tags, limits and endpoints", async () => {
      const name = tableName();
      const { TableDescription } = await client.send(new CreateTableCommand({
        TableName: name, BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      }));
      const arn = TableDescription!.TableArn!;
      await client.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }] }));
      await client.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["a"] }));
      expect((await client.send(new ListTagsOfResourceCommand({ ResourceArn: arn }))).Tags).toEqual([{ Key: "b", Value: "2" }]);
      await expect(client.send(new ListTagsOfResourceCommand({ ResourceArn: `${arn}-missing` }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });

      const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
      expect(ttl.TimeToLiveDescription).toEqual({ TimeToLiveStatus: "DISABLED" });
      const backups = await client.send(new DescribeContinuousBackupsCommand({ TableName: name }));
      expect(backups.ContinuousBackupsDescription!.PointInTimeRecoveryDescription!.PointInTimeRecoveryStatus).toBe("DISABLED");
      await expect(client.send(new DescribeContinuousBackupsCommand({ TableName: "missing-table" }))).rejects.toMatchObject({ name: "TableNotFoundException" });

      const limits = await client.send(new DescribeLimitsCommand({}));
      expect(limits).toMatchObject({ AccountMaxReadCapacityUnits: 80000, TableMaxWriteCapacityUnits: 40000 });
      const endpoints = await client.send(new DescribeEndpointsCommand({}));
      expect(endpoints.Endpoints).toEqual([{ Address: "dynamodb.us-east-1.amazonaws.com", CachePeriodInMinutes: 1440 }]);
    });
  });
}

describe("DynamoDB account-id endpoint", () => {
  it("a client with an account id in its credentials reaches the same tables", async () => {
    const emulator = createEmulator();
    const config = inProcess(emulator);
    const client = new DynamoDBClient({
      ...config,
      credentials: { ...config.credentials, accountId: "000000000000" },
      accountIdEndpointMode: "required",
    });
    const seen: string[] = [];
    client.middlewareStack.add((next) => async (args: any) => {
      seen.push(args.request.hostname);
      return next(args);
    }, { step: "finalizeRequest" });
    await client.send(new CreateTableCommand({
      TableName: "acct", BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    }));
    const plain = new DynamoDBClient(config);
    expect((await plain.send(new ListTablesCommand({}))).TableNames).toEqual(["acct"]);
    expect(seen[0]).toBe("000000000000.ddb.us-east-1.amazonaws.com");
  });
});
