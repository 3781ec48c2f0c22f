/**
 * DynamoDB items, batch operations, Query and Scan plumbing through the AWS SDK for JavaScript
 * v3, in-process on each store and over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchGetItemCommand, BatchWriteItemCommand, CreateTableCommand, DeleteItemCommand, DynamoDBClient,
  GetItemCommand, PutItemCommand, QueryCommand, ScanCommand, type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import { tableName, TRANSPORTS } from "./transports.ts";

for (const transport of TRANSPORTS) {
  describe(`DynamoDB items, ${transport.name}`, () => {
    let client: DynamoDBClient;
    let close: () => Promise<void>;
    const simple = tableName("simple");
    const sorted = tableName("sorted");
    beforeAll(async () => {
      ({ client, close } = await transport.setup());
      await client.send(new CreateTableCommand({
        TableName: simple, BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      }));
      await client.send(new CreateTableCommand({
        TableName: sorted, BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
      }));
    });
    afterAll(() => close());

    it("PutItem, GetItem, DeleteItem round-trip every attribute type", async () => {
      const item: Record<string, AttributeValue> = {
        pk: { S: "all-types" }, n: { N: "-12.5" }, b: { B: new Uint8Array([0, 255, 1]) }, bool: { BOOL: false }, nul: { NULL: true },
        m: { M: { inner: { L: [{ S: "x" }, { N: "1" }] } } }, ss: { SS: ["a", "b"] }, ns: { NS: ["1", "2"] }, bs: { BS: [new Uint8Array([1]), new Uint8Array([2])] },
      };
      const put = await client.send(new PutItemCommand({ TableName: simple, Item: item, ReturnValues: "ALL_OLD", ReturnConsumedCapacity: "TOTAL" }));
      expect(put.Attributes).toBeUndefined();
      expect(put.ConsumedCapacity).toEqual({ TableName: simple, CapacityUnits: 1 });
      const got = await client.send(new GetItemCommand({ TableName: simple, Key: { pk: { S: "all-types" } }, ConsistentRead: true, ReturnConsumedCapacity: "TOTAL" }));
      expect(got.Item).toEqual(item);
      expect(got.ConsumedCapacity).toEqual({ TableName: simple, CapacityUnits: 1 });
      const eventual = await client.send(new GetItemCommand({ TableName: simple, Key: { pk: { S: "all-types" } }, ReturnConsumedCapacity: "TOTAL" }));
      expect(eventual.ConsumedCapacity!.CapacityUnits).toBe(0.5);

      const replaced = await client.send(new PutItemCommand({ TableName: simple, Item: { pk: { S: "all-types" }, v: { S: "new" } }, ReturnValues: "ALL_OLD" }));
      expect(replaced.Attributes).toEqual(item);
      const deleted = await client.send(new DeleteItemCommand({ TableName: simple, Key: { pk: { S: "all-types" } }, ReturnValues: "ALL_OLD" }));
      expect(deleted.Attributes).toEqual({ pk: { S: "all-types" }, v: { S: "new" } });
      expect((await client.send(new GetItemCommand({ TableName: simple, Key: { pk: { S: "all-types" } } }))).Item).toBeUndefined();
    });

    it("GetItem with AttributesToGet projects", async () => {
      await client.send(new PutItemCommand({ TableName: simple, Item: { pk: { S: "proj" }, a: { S: "1" }, b: { S: "2" } } }));
      const got = await client.send(new GetItemCommand({ TableName: simple, Key: { pk: { S: "proj" } }, AttributesToGet: ["a"] }));
      expect(got.Item).toEqual({ a: { S: "1" } });
    });

    it("keys and items are checked against the schema", async () => {
      const cases: [() => Promise<unknown>, string][] = [
        [() => client.send(new GetItemCommand({ TableName: simple, Key: { pk: { N: "1" } } })), "The provided key element does not match the schema"],
        [() => client.send(new GetItemCommand({ TableName: simple, Key: { pk: { S: "1" }, extra: { S: "x" } } })), "The provided key element does not match the schema"],
        [() => client.send(new PutItemCommand({ TableName: simple, Item: { other: { S: "x" } } })), "One or more parameter values were invalid: Missing the key pk in the item"],
        [() => client.send(new PutItemCommand({ TableName: simple, Item: { pk: { N: "1" } } })), "One or more parameter values were invalid: Type mismatch for key pk expected: S actual: N"],
        [() => client.send(new PutItemCommand({ TableName: simple, Item: { pk: { S: "" } } })), "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk"],
        [() => client.send(new PutItemCommand({ TableName: simple, Item: { pk: { S: "big" }, blob: { S: "x".repeat(400 * 1024) } } })), "Item size has exceeded the maximum allowed size"],
        [() => client.send(new PutItemCommand({ TableName: simple, Item: { pk: { S: "a" } }, ReturnValues: "ALL_NEW" })), "ReturnValues can only be ALL_OLD or NONE"],
      ];
      for (const [call, message] of cases) await expect(call()).rejects.toMatchObject({ name: "ValidationException", message });
      await expect(client.send(new GetItemCommand({ TableName: "no-such-table", Key: { pk: { S: "x" } } })))
        .rejects.toMatchObject({ name: "ResourceNotFoundException", message: "Requested resource not found" });
    });

    it("a 399 KB item is accepted and costs write units by its size", async () => {
      const out = await client.send(new PutItemCommand({
        TableName: simple, Item: { pk: { S: "near-limit" }, blob: { S: "x".repeat(399 * 1024) } }, ReturnConsumedCapacity: "TOTAL",
      }));
      expect(out.ConsumedCapacity!.CapacityUnits).toBe(400);
    });

    it("BatchWriteItem and BatchGetItem", async () => {
      const writes = Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { pk: { S: "batch" }, sk: { N: String(i) }, v: { N: String(i * 2) } } } }));
      const wrote = await client.send(new BatchWriteItemCommand({ RequestItems: { [sorted]: writes }, ReturnConsumedCapacity: "TOTAL" }));
      expect(wrote.UnprocessedItems).toEqual({});
      expect(wrote.ConsumedCapacity).toEqual([{ TableName: sorted, CapacityUnits: 25 }]);

      await expect(client.send(new BatchWriteItemCommand({ RequestItems: { [sorted]: [...writes.slice(0, 2), writes[0]!] } })))
        .rejects.toMatchObject({ name: "ValidationException", message: "Provided list of item keys contains duplicates" });
      await expect(client.send(new BatchWriteItemCommand({ RequestItems: { [sorted]: writes, [simple]: [{ PutRequest: { Item: { pk: { S: "x" } } } }] } })))
        .rejects.toMatchObject({ name: "ValidationException", message: "Too many items requested for the BatchWriteItem call" });

      const got = await client.send(new BatchGetItemCommand({
        RequestItems: { [sorted]: { Keys: [{ pk: { S: "batch" }, sk: { N: "3" } }, { pk: { S: "batch" }, sk: { N: "99" } }], ProjectionExpression: undefined } },
      }));
      expect(got.Responses![sorted]).toEqual([{ pk: { S: "batch" }, sk: { N: "3" }, v: { N: "6" } }]);
      expect(got.UnprocessedKeys).toEqual({});
      const keys = Array.from({ length: 101 }, (_, i) => ({ pk: { S: "batch" }, sk: { N: String(i) } }));
      await expect(client.send(new BatchGetItemCommand({ RequestItems: { [sorted]: { Keys: keys } } })))
        .rejects.toMatchObject({ name: "ValidationException", message: expect.stringContaining("failed to satisfy constraint: Member must have length less than or equal to 100") });
      const split = { [sorted]: { Keys: keys.slice(0, 60) }, [simple]: { Keys: keys.slice(0, 41).map((_, i) => ({ pk: { S: String(i) } })) } };
      await expect(client.send(new BatchGetItemCommand({ RequestItems: split })))
        .rejects.toMatchObject({ name: "ValidationException", message: "Too many items requested for the BatchGetItem call" });
      await expect(client.send(new BatchGetItemCommand({ RequestItems: { [sorted]: { Keys: [keys[0]!, keys[0]!] } } })))
        .rejects.toMatchObject({ name: "ValidationException", message: "Provided list of item keys contains duplicates" });

      const deleted = await client.send(new BatchWriteItemCommand({ RequestItems: { [sorted]: [{ DeleteRequest: { Key: { pk: { S: "batch" }, sk: { N: "0" } } } }] } }));
      expect(deleted.UnprocessedItems).toEqual({});
      expect((await client.send(new GetItemCommand({ TableName: sorted, Key: { pk: { S: "batch" }, sk: { N: "0" } } }))).Item).toBeUndefined();
    });

    it("Query reads one partition in numeric sort order, both directions, with Limit paging", async () => {
      const pk = "numbers";
      const values = ["-10", "-2.5", "0", "1", "1.5", "2", "10", "100", "1e3"];
      for (const n of [...values].reverse()) {
        await client.send(new PutItemCommand({ TableName: sorted, Item: { pk: { S: pk }, sk: { N: n } } }));
      }
      await client.send(new PutItemCommand({ TableName: sorted, Item: { pk: { S: "other" }, sk: { N: "5" } } }));
      const all = await client.send(new QueryCommand({ TableName: sorted, KeyConditions: { pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: pk }] } } }));
      expect(all.Items!.map((i) => Number(i.sk!.N))).toEqual([-10, -2.5, 0, 1, 1.5, 2, 10, 100, 1000]);
      expect(all.Count).toBe(9);
      expect(all.LastEvaluatedKey).toBeUndefined();

      const backwards = await client.send(new QueryCommand({
        TableName: sorted, ScanIndexForward: false,
        KeyConditions: { pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: pk }] }, sk: { ComparisonOperator: "BETWEEN", AttributeValueList: [{ N: "0" }, { N: "10" }] } },
      }));
      expect(backwards.Items!.map((i) => i.sk!.N)).toEqual(["10", "2", "1.5", "1", "0"]);

      const seen: string[] = [];
      let start: Record<string, AttributeValue> | undefined;
      let pages = 0;
      do {
        const page = await client.send(new QueryCommand({
          TableName: sorted, Limit: 4, ExclusiveStartKey: start,
          KeyConditions: { pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: pk }] }, sk: { ComparisonOperator: "GT", AttributeValueList: [{ N: "-2.5" }] } },
        }));
        seen.push(...page.Items!.map((i) => i.sk!.N!));
        start = page.LastEvaluatedKey;
        pages++;
      } while (start);
      expect(seen).toEqual(["0", "1", "1.5", "2", "10", "100", "1000"]);
      expect(pages).toBe(2);
    });

    it("legacy QueryFilter/ScanFilter with ConditionalOperator, and FilterExpression on Scan", async () => {
      for (let i = 0; i < 6; i++) {
        await client.send(new PutItemCommand({ TableName: sorted, Item: { pk: { S: "legacy" }, sk: { N: String(i) }, color: { S: i % 2 ? "red" : "blue" }, size: { N: String(i * 10) } } }));
      }
      const q = await client.send(new QueryCommand({
        TableName: sorted, KeyConditions: { pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "legacy" }] } },
        QueryFilter: { color: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "red" }] }, size: { ComparisonOperator: "GE", AttributeValueList: [{ N: "40" }] } },
        ConditionalOperator: "OR",
      }));
      expect(q.Items!.map((i) => i.sk!.N)).toEqual(["1", "3", "4", "5"]);
      expect(q.ScannedCount).toBe(6);
      const s = await client.send(new ScanCommand({
        TableName: sorted, ScanFilter: { pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "legacy" }] }, color: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "blue" }] } },
      }));
      expect(s.Items!.map((i) => i.sk!.N)).toEqual(["0", "2", "4"]);
      const f = await client.send(new ScanCommand({
        TableName: sorted, FilterExpression: "pk = :p AND #sz BETWEEN :lo AND :hi", ExpressionAttributeNames: { "#sz": "size" }, ExpressionAttributeValues: { ":p": { S: "legacy" }, ":lo": { N: "10" }, ":hi": { N: "30" } },
      }));
      expect(f.Items!.map((i) => i.sk!.N)).toEqual(["1", "2", "3"]);
      await expect(client.send(new ScanCommand({
        TableName: sorted, FilterExpression: "pk = :p", ScanFilter: { pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "legacy" }] } }, ExpressionAttributeValues: { ":p": { S: "legacy" } },
      }))).rejects.toMatchObject({ name: "ValidationException", message: "Can not use both expression and non-expression parameters in the same request: Non-expression parameters: {ScanFilter} Expression parameters: {FilterExpression}" });
    });

    it("Query on a hash-only table finds the partition's one item", async () => {
      await client.send(new PutItemCommand({ TableName: simple, Item: { pk: { S: "only" }, v: { N: "1" } } }));
      const out = await client.send(new QueryCommand({ TableName: simple, KeyConditions: { pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "only" }] } } }));
      expect(out).toMatchObject({ Count: 1, ScannedCount: 1, Items: [{ pk: { S: "only" }, v: { N: "1" } }] });
      const limited = await client.send(new QueryCommand({ TableName: simple, Limit: 1, KeyConditions: { pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "only" }] } } }));
      expect(limited.LastEvaluatedKey).toEqual({ pk: { S: "only" } });
      const after = await client.send(new QueryCommand({
        TableName: simple, ExclusiveStartKey: limited.LastEvaluatedKey, KeyConditions: { pk: { ComparisonOperator: "EQ", AttributeValueList: [{ S: "only" }] } },
      }));
      expect(after.Count).toBe(0);
    });

    it("Query pages at 1 MB within a partition, and a filter does not lift the limit", async () => {
      const table = tableName("bigq");
      await client.send(new CreateTableCommand({
        TableName: table, BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
        KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
      }));
      const filler = "q".repeat(100 * 1024);
      for (let i = 0; i < 25; i++) {
        await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: "p" }, sk: { N: String(i) }, data: { S: filler } } }));
      }
      const query = (start?: Record<string, any>, filter = false) => client.send(new QueryCommand({
        TableName: table, KeyConditionExpression: "pk = :p", ExclusiveStartKey: start,
        ExpressionAttributeValues: { ":p": { S: "p" }, ...(filter ? { ":none": { S: "nothing" } } : {}) },
        ...(filter ? { FilterExpression: "#d = :none", ExpressionAttributeNames: { "#d": "data" } } : {}),
      }));
      const first = await query();
      expect(first.Count).toBeGreaterThan(0);
      expect(first.Count).toBeLessThan(25);
      expect(first.LastEvaluatedKey).toEqual({ pk: { S: "p" }, sk: first.Items![first.Count! - 1]!.sk });
      let total = first.Count!;
      let start = first.LastEvaluatedKey;
      while (start) {
        const page = await query(start);
        total += page.Count!;
        start = page.LastEvaluatedKey;
      }
      expect(total).toBe(25);
      // The 1 MB applies to items read, before the filter: an empty page can still have a next key.
      const filtered = await query(undefined, true);
      expect(filtered.Count).toBe(0);
      expect(filtered.ScannedCount).toBe(first.Count);
      expect(filtered.LastEvaluatedKey).toEqual(first.LastEvaluatedKey);
    });

    it("Scan pages at 1 MB and parallel segments partition the table", async () => {
      const table = tableName("big");
      await client.send(new CreateTableCommand({
        TableName: table, BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      }));
      const filler = "y".repeat(100 * 1024);
      for (let i = 0; i < 25; i++) {
        await client.send(new PutItemCommand({ TableName: table, Item: { pk: { S: `k${String(i).padStart(2, "0")}` }, data: { S: filler } } }));
      }
      const first = await client.send(new ScanCommand({ TableName: table, ReturnConsumedCapacity: "TOTAL" }));
      // 102,409 bytes per item (names, key, 100 KB value): the eleventh reaches 1 MB.
      expect(first.Count).toBe(11);
      expect(first.ScannedCount).toBe(11);
      expect(first.LastEvaluatedKey).toEqual({ pk: first.Items![10]!.pk });
      expect(first.ConsumedCapacity!.CapacityUnits).toBe(Math.ceil((11 * 102409) / 4096) / 2);
      let total = first.Count!;
      let start = first.LastEvaluatedKey;
      while (start) {
        const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, Select: "COUNT" }));
        expect(page.Items).toBeUndefined();
        total += page.Count!;
        start = page.LastEvaluatedKey;
      }
      expect(total).toBe(25);

      const segments = await Promise.all([0, 1, 2].map((Segment) => client.send(new ScanCommand({ TableName: table, Segment, TotalSegments: 3, AttributesToGet: ["pk"] }))));
      const keys = segments.flatMap((s) => s.Items!.map((i) => i.pk!.S));
      expect(keys.sort()).toEqual(Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, "0")}`));
      await expect(client.send(new ScanCommand({ TableName: table, Segment: 3, TotalSegments: 3 })))
        .rejects.toMatchObject({ name: "ValidationException", message: "The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: 3 is not less than TotalSegments: 3" });
    });
  });
}

describe("DynamoDB BatchGetItem response limit", () => {
  it("stops at 16 MB and returns the rest as UnprocessedKeys in the request's shape", async () => {
    const { client, close } = await TRANSPORTS[0]!.setup();
    try {
      const table = tableName("large");
      await client.send(new CreateTableCommand({
        TableName: table, BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      }));
      const blob = "b".repeat(390 * 1024);
      const keys = Array.from({ length: 50 }, (_, i) => ({ pk: { S: `k${i}` } }));
      for (const key of keys) await client.send(new PutItemCommand({ TableName: table, Item: { ...key, blob: { S: blob } } }));
      const first = await client.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: keys, ProjectionExpression: "pk, #b", ExpressionAttributeNames: { "#b": "blob" } } } }));
      const got = first.Responses![table]!.length;
      expect(got).toBe(Math.ceil((16 * 1024 * 1024) / (390 * 1024 + 2 + 4 + 3)));
      const rest = first.UnprocessedKeys![table]!;
      expect(rest.Keys).toHaveLength(50 - got);
      expect(rest.ProjectionExpression).toBe("pk, #b");
      const second = await client.send(new BatchGetItemCommand({ RequestItems: first.UnprocessedKeys }));
      expect(second.Responses![table]).toHaveLength(50 - got);
      expect(second.UnprocessedKeys).toEqual({});
    } finally {
      await close();
    }
  });
});
