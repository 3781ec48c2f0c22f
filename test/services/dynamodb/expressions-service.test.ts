/**
 * Expressions through the service: conditional writes, UpdateItem with ReturnValues, Query
 * with KeyConditionExpression/FilterExpression/ProjectionExpression, GSIs and LSIs, the
 * DocumentClient, and racing conditional writes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateTableCommand, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand,
  UpdateItemCommand, ConditionalCheckFailedException,
} from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand as DocQuery, UpdateCommand, paginateQuery } from "@aws-sdk/lib-dynamodb";
import { tableName, TRANSPORTS } from "./transports.ts";

for (const transport of TRANSPORTS) {
  describe(`DynamoDB expressions, ${transport.name}`, () => {
    let client: DynamoDBClient;
    let doc: DynamoDBDocumentClient;
    let close: () => Promise<void>;
    const orders = tableName("orders");
    beforeAll(async () => {
      ({ client, doc, close } = await transport.setup());
      await client.send(new CreateTableCommand({
        TableName: orders, BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [
          { AttributeName: "customer", AttributeType: "S" }, { AttributeName: "orderId", AttributeType: "S" },
          { AttributeName: "status", AttributeType: "S" }, { AttributeName: "total", AttributeType: "N" },
          { AttributeName: "placedAt", AttributeType: "N" },
        ],
        KeySchema: [{ AttributeName: "customer", KeyType: "HASH" }, { AttributeName: "orderId", KeyType: "RANGE" }],
        GlobalSecondaryIndexes: [
          { IndexName: "by-status", KeySchema: [{ AttributeName: "status", KeyType: "HASH" }, { AttributeName: "total", KeyType: "RANGE" }], Projection: { ProjectionType: "KEYS_ONLY" } },
          { IndexName: "by-status-all", KeySchema: [{ AttributeName: "status", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } },
        ],
        LocalSecondaryIndexes: [
          { IndexName: "by-time", KeySchema: [{ AttributeName: "customer", KeyType: "HASH" }, { AttributeName: "placedAt", KeyType: "RANGE" }], Projection: { ProjectionType: "INCLUDE", NonKeyAttributes: ["note"] } },
        ],
      }));
      const rows = [
        ["alice", "o1", "OPEN", 30, 300, "first"], ["alice", "o2", "SHIPPED", 10, 100, "second"], ["alice", "o3", "OPEN", 20, 200, "third"],
        ["bob", "o1", "OPEN", 5, 500, "bob's"],
      ] as const;
      for (const [customer, orderId, status, total, placedAt, note] of rows) {
        await client.send(new PutItemCommand({
          TableName: orders,
          Item: { customer: { S: customer }, orderId: { S: orderId }, status: { S: status }, total: { N: String(total) }, placedAt: { N: String(placedAt) }, note: { S: note }, extra: { S: "x" } },
        }));
      }
      // Sparse: no status, so in neither GSI.
      await client.send(new PutItemCommand({ TableName: orders, Item: { customer: { S: "carol" }, orderId: { S: "o9" }, placedAt: { N: "1" } } }));
    });
    afterAll(() => close());

    it("ConditionExpression guards writes; a failure can return the item", async () => {
      const key = { customer: { S: "dave" }, orderId: { S: "c1" } };
      await client.send(new PutItemCommand({ TableName: orders, Item: { ...key, v: { N: "1" } }, ConditionExpression: "attribute_not_exists(customer)" }));
      const failed = await client.send(new PutItemCommand({
        TableName: orders, Item: { ...key, v: { N: "2" } }, ConditionExpression: "attribute_not_exists(customer)", ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      })).catch((e) => e);
      expect(failed).toBeInstanceOf(ConditionalCheckFailedException);
      expect(failed.message).toBe("The conditional request failed");
      expect(failed.Item).toEqual({ ...key, v: { N: "1" } });

      await expect(client.send(new DeleteItemCommand({
        TableName: orders, Key: key, ConditionExpression: "v = :two", ExpressionAttributeValues: { ":two": { N: "2" } },
      }))).rejects.toMatchObject({ name: "ConditionalCheckFailedException" });
      await client.send(new DeleteItemCommand({ TableName: orders, Key: key, Expected: { v: { Value: { N: "1" } } } }));
      expect((await client.send(new GetItemCommand({ TableName: orders, Key: key }))).Item).toBeUndefined();

      await expect(client.send(new PutItemCommand({
        TableName: orders, Item: key, ConditionExpression: "attribute_not_exists(customer)", ExpressionAttributeValues: { ":unused": { S: "x" } },
      }))).rejects.toMatchObject({ name: "ValidationException", message: "Value provided in ExpressionAttributeValues unused in expressions: keys: {:unused}" });
    });

    it("UpdateItem applies SET/REMOVE/ADD/DELETE and answers every ReturnValues", async () => {
      const key = { customer: { S: "erin" }, orderId: { S: "u1" } };
      const created = await client.send(new UpdateItemCommand({
        TableName: orders, Key: key, UpdateExpression: "SET #c = :one, tags = :tags, info = :info", ExpressionAttributeNames: { "#c": "count" },
        ExpressionAttributeValues: { ":one": { N: "1" }, ":tags": { SS: ["a", "b"] }, ":info": { M: { city: { S: "Oslo" }, zip: { S: "0150" } } } },
        ReturnValues: "ALL_NEW",
      }));
      expect(created.Attributes).toEqual({ ...key, count: { N: "1" }, tags: { SS: ["a", "b"] }, info: { M: { city: { S: "Oslo" }, zip: { S: "0150" } } } });

      const updatedOld = await client.send(new UpdateItemCommand({
        TableName: orders, Key: key, UpdateExpression: "ADD #c :five DELETE tags :a SET info.city = :city", ExpressionAttributeNames: { "#c": "count" },
        ExpressionAttributeValues: { ":five": { N: "5" }, ":a": { SS: ["a"] }, ":city": { S: "Bergen" } }, ReturnValues: "UPDATED_OLD",
      }));
      expect(updatedOld.Attributes).toEqual({ count: { N: "1" }, tags: { SS: ["a", "b"] }, info: { M: { city: { S: "Oslo" } } } });

      const updatedNew = await client.send(new UpdateItemCommand({
        TableName: orders, Key: key, UpdateExpression: "SET #c = #c + :one REMOVE tags", ExpressionAttributeNames: { "#c": "count" },
        ExpressionAttributeValues: { ":one": { N: "1" } }, ReturnValues: "UPDATED_NEW",
      }));
      expect(updatedNew.Attributes).toEqual({ count: { N: "7" } });

      const allOld = await client.send(new UpdateItemCommand({
        TableName: orders, Key: key, UpdateExpression: "SET note = :n", ExpressionAttributeValues: { ":n": { S: "hi" }, ":six": { N: "6" } }, ReturnValues: "ALL_OLD",
        ConditionExpression: "#c > :six", ExpressionAttributeNames: { "#c": "count" },
      }));
      expect(allOld.Attributes).toEqual({ ...key, count: { N: "7" }, info: { M: { city: { S: "Bergen" }, zip: { S: "0150" } } } });

      await expect(client.send(new UpdateItemCommand({
        TableName: orders, Key: key, UpdateExpression: "SET customer = :x", ExpressionAttributeValues: { ":x": { S: "z" } },
      }))).rejects.toMatchObject({ name: "ValidationException", message: "One or more parameter values were invalid: Cannot update attribute customer. This attribute is part of the key" });

      const legacy = await client.send(new UpdateItemCommand({
        TableName: orders, Key: key, AttributeUpdates: { count: { Action: "ADD", Value: { N: "3" } } }, ReturnValues: "UPDATED_NEW",
      }));
      expect(legacy.Attributes).toEqual({ count: { N: "10" } });
    });

    it("UpdateItem keeps index entries in step with the item", async () => {
      const key = { customer: { S: "frank" }, orderId: { S: "i1" } };
      await client.send(new UpdateItemCommand({
        TableName: orders, Key: key, UpdateExpression: "SET #s = :s, #t = :t", ExpressionAttributeNames: { "#s": "status", "#t": "total" },
        ExpressionAttributeValues: { ":s": { S: "PENDING" }, ":t": { N: "1" } },
      }));
      const pending = await client.send(new QueryCommand({
        TableName: orders, IndexName: "by-status", KeyConditionExpression: "#s = :s", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":s": { S: "PENDING" } },
      }));
      expect(pending.Items).toEqual([{ ...key, status: { S: "PENDING" }, total: { N: "1" } }]);
      await client.send(new UpdateItemCommand({
        TableName: orders, Key: key, UpdateExpression: "SET #s = :s", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":s": { S: "DONE" } },
      }));
      const after = await client.send(new QueryCommand({
        TableName: orders, IndexName: "by-status", KeyConditionExpression: "#s = :s", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":s": { S: "PENDING" } },
      }));
      expect(after.Count).toBe(0);
      await expect(client.send(new UpdateItemCommand({
        TableName: orders, Key: key, UpdateExpression: "SET #t = :t", ExpressionAttributeNames: { "#t": "total" }, ExpressionAttributeValues: { ":t": { S: "not a number" } },
      }))).rejects.toMatchObject({ name: "ValidationException", message: "One or more parameter values were invalid: Type mismatch for Index Key total Expected: N Actual: S IndexName: by-status" });
    });

    it("Query with key conditions, filter, projection, Select and descending order", async () => {
      const q = await client.send(new QueryCommand({
        TableName: orders, KeyConditionExpression: "customer = :c AND begins_with(orderId, :o)", FilterExpression: "#t >= :min",
        ProjectionExpression: "orderId, #t", ExpressionAttributeNames: { "#t": "total" },
        ExpressionAttributeValues: { ":c": { S: "alice" }, ":o": { S: "o" }, ":min": { N: "15" } }, ScanIndexForward: false,
      }));
      expect(q.Items).toEqual([{ orderId: { S: "o3" }, total: { N: "20" } }, { orderId: { S: "o1" }, total: { N: "30" } }]);
      expect(q.Count).toBe(2);
      expect(q.ScannedCount).toBe(3);

      const count = await client.send(new QueryCommand({
        TableName: orders, KeyConditionExpression: "customer = :c AND orderId BETWEEN :a AND :b", Select: "COUNT",
        ExpressionAttributeValues: { ":c": { S: "alice" }, ":a": { S: "o2" }, ":b": { S: "o9" } },
      }));
      expect(count).toMatchObject({ Count: 2, ScannedCount: 2 });
      expect(count.Items).toBeUndefined();

      await expect(client.send(new QueryCommand({
        TableName: orders, KeyConditionExpression: "orderId = :o", ExpressionAttributeValues: { ":o": { S: "o1" } },
      }))).rejects.toMatchObject({ name: "ValidationException", message: "Query condition missed key schema element: customer" });
      await expect(client.send(new QueryCommand({
        TableName: orders, KeyConditionExpression: "customer = :c", ExpressionAttributeValues: { ":c": { N: "1" } },
      }))).rejects.toMatchObject({ name: "ValidationException", message: "One or more parameter values were invalid: Condition parameter type does not match schema type" });
      await expect(client.send(new QueryCommand({
        TableName: orders, IndexName: "nope", KeyConditionExpression: "customer = :c", ExpressionAttributeValues: { ":c": { S: "alice" } },
      }))).rejects.toMatchObject({ name: "ValidationException", message: "The table does not have the specified index: nope" });
      await expect(client.send(new QueryCommand({
        TableName: orders, Select: "SPECIFIC_ATTRIBUTES", KeyConditionExpression: "customer = :c", ExpressionAttributeValues: { ":c": { S: "alice" } },
      }))).rejects.toMatchObject({ name: "ValidationException" });
    });

    it("GSI queries return projected attributes, sorted by the index range key; sparse items are absent", async () => {
      const open = await client.send(new QueryCommand({
        TableName: orders, IndexName: "by-status", KeyConditionExpression: "#s = :s AND #t > :min", ExpressionAttributeNames: { "#s": "status", "#t": "total" },
        ExpressionAttributeValues: { ":s": { S: "OPEN" }, ":min": { N: "0" } }, ReturnConsumedCapacity: "INDEXES",
      }));
      expect(open.Items!.map((i) => [i.customer!.S, i.orderId!.S, i.total!.N])).toEqual([["bob", "o1", "5"], ["alice", "o3", "20"], ["alice", "o1", "30"]]);
      expect(Object.keys(open.Items![0]!).sort()).toEqual(["customer", "orderId", "status", "total"]);
      expect(open.ConsumedCapacity).toMatchObject({ TableName: orders, CapacityUnits: 0.5, GlobalSecondaryIndexes: { "by-status": { CapacityUnits: 0.5 } } });

      const page1 = await client.send(new QueryCommand({
        TableName: orders, IndexName: "by-status", Limit: 2, KeyConditionExpression: "#s = :s", ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":s": { S: "OPEN" } },
      }));
      expect(page1.LastEvaluatedKey).toEqual({ customer: { S: "alice" }, orderId: { S: "o3" }, status: { S: "OPEN" }, total: { N: "20" } });
      const page2 = await client.send(new QueryCommand({
        TableName: orders, IndexName: "by-status", ExclusiveStartKey: page1.LastEvaluatedKey, KeyConditionExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":s": { S: "OPEN" } },
      }));
      expect(page2.Items!.map((i) => i.total!.N)).toEqual(["30"]);

      await expect(client.send(new QueryCommand({
        TableName: orders, IndexName: "by-status", Select: "ALL_ATTRIBUTES", KeyConditionExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":s": { S: "OPEN" } },
      }))).rejects.toMatchObject({ name: "ValidationException", message: expect.stringContaining("Select type ALL_ATTRIBUTES is not supported for global secondary index by-status") });
      await expect(client.send(new QueryCommand({
        TableName: orders, IndexName: "by-status", ConsistentRead: true, KeyConditionExpression: "#s = :s",
        ExpressionAttributeNames: { "#s": "status" }, ExpressionAttributeValues: { ":s": { S: "OPEN" } },
      }))).rejects.toMatchObject({ name: "ValidationException", message: "Consistent reads are not supported on global secondary indexes" });

      const scanned = await client.send(new ScanCommand({ TableName: orders, IndexName: "by-status-all" }));
      expect(scanned.Items!.every((i) => i.status !== undefined)).toBe(true);
      expect(scanned.Items!.some((i) => i.customer!.S === "carol")).toBe(false);
      expect(scanned.Items!.find((i) => i.customer!.S === "bob")!.extra).toEqual({ S: "x" });
    });

    it("LSI queries sort by the index key and fetch unprojected attributes from the table", async () => {
      const byTime = await client.send(new QueryCommand({
        TableName: orders, IndexName: "by-time", KeyConditionExpression: "customer = :c AND placedAt < :t", ExpressionAttributeValues: { ":c": { S: "alice" }, ":t": { N: "250" } },
      }));
      expect(byTime.Items!.map((i) => i.orderId!.S)).toEqual(["o2", "o3"]);
      expect(Object.keys(byTime.Items![0]!).sort()).toEqual(["customer", "note", "orderId", "placedAt"]);
      const all = await client.send(new QueryCommand({
        TableName: orders, IndexName: "by-time", Select: "ALL_ATTRIBUTES", KeyConditionExpression: "customer = :c", ExpressionAttributeValues: { ":c": { S: "alice" } },
      }));
      expect(all.Items![0]!.extra).toEqual({ S: "x" });
    });

    it("the DocumentClient reads and writes native values", async () => {
      await doc.send(new PutCommand({ TableName: orders, Item: { customer: "gina", orderId: "d1", total: 12.5, tags: new Set(["x"]), nested: { a: [1, "two", null] } } }));
      const got = await doc.send(new GetCommand({ TableName: orders, Key: { customer: "gina", orderId: "d1" } }));
      expect(got.Item).toEqual({ customer: "gina", orderId: "d1", total: 12.5, tags: new Set(["x"]), nested: { a: [1, "two", null] } });
      const updated = await doc.send(new UpdateCommand({
        TableName: orders, Key: { customer: "gina", orderId: "d1" }, UpdateExpression: "SET nested.a[1] = :v, #t = #t + :inc", ExpressionAttributeNames: { "#t": "total" },
        ExpressionAttributeValues: { ":v": "TWO", ":inc": 0.5 }, ReturnValues: "ALL_NEW",
      }));
      expect(updated.Attributes).toMatchObject({ total: 13, nested: { a: [1, "TWO", null] } });
      const items: unknown[] = [];
      for await (const page of paginateQuery({ client: doc, pageSize: 1 }, { TableName: orders, KeyConditionExpression: "customer = :c", ExpressionAttributeValues: { ":c": "alice" } })) {
        items.push(...(page.Items ?? []));
      }
      expect(items).toHaveLength(3);
      const q = await doc.send(new DocQuery({ TableName: orders, KeyConditionExpression: "customer = :c", ExpressionAttributeValues: { ":c": "gina" } }));
      expect(q.Items).toHaveLength(1);
      await doc.send(new DeleteCommand({ TableName: orders, Key: { customer: "gina", orderId: "d1" } }));
    });

    it("writes report index capacity (INDEXES) and item collection metrics (tables with LSIs)", async () => {
      const out = await client.send(new PutItemCommand({
        TableName: orders, Item: { customer: { S: "hank" }, orderId: { S: "m1" }, status: { S: "OPEN" }, total: { N: "3" }, placedAt: { N: "9" } },
        ReturnConsumedCapacity: "INDEXES", ReturnItemCollectionMetrics: "SIZE",
      }));
      expect(out.ConsumedCapacity).toEqual({
        TableName: orders, CapacityUnits: 4, Table: { CapacityUnits: 1 },
        LocalSecondaryIndexes: { "by-time": { CapacityUnits: 1 } },
        GlobalSecondaryIndexes: { "by-status": { CapacityUnits: 1 }, "by-status-all": { CapacityUnits: 1 } },
      });
      expect(out.ItemCollectionMetrics).toEqual({ ItemCollectionKey: { customer: { S: "hank" } }, SizeEstimateRangeGB: [0, 1] });
      // Moving the item to another GSI key costs a delete and a put in that index.
      const moved = await client.send(new UpdateItemCommand({
        TableName: orders, Key: { customer: { S: "hank" }, orderId: { S: "m1" } }, UpdateExpression: "SET #t = :t",
        ExpressionAttributeNames: { "#t": "total" }, ExpressionAttributeValues: { ":t": { N: "4" } }, ReturnConsumedCapacity: "INDEXES",
      }));
      expect(moved.ConsumedCapacity!.GlobalSecondaryIndexes).toEqual({ "by-status": { CapacityUnits: 2 }, "by-status-all": { CapacityUnits: 1 } });
      await expect(client.send(new UpdateItemCommand({
        TableName: orders, Key: { customer: { S: "hank" }, orderId: { S: "m1" } }, UpdateExpression: "SET big = :b",
        ExpressionAttributeValues: { ":b": { S: "z".repeat(401 * 1024) } },
      }))).rejects.toMatchObject({ name: "ValidationException", message: "Item size to update has exceeded the maximum allowed size" });
    });

    it("racing conditional writes: exactly one wins", async () => {
      const key = { customer: { S: "race" }, orderId: { S: "r1" } };
      const attempts = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => client.send(new PutItemCommand({
        TableName: orders, Item: { ...key, winner: { N: String(i) } }, ConditionExpression: "attribute_not_exists(orderId)",
      }))));
      expect(attempts.filter((a) => a.status === "fulfilled")).toHaveLength(1);
      const rejected = attempts.filter((a): a is PromiseRejectedResult => a.status === "rejected");
      expect(rejected.every((r) => r.reason.name === "ConditionalCheckFailedException")).toBe(true);

      await client.send(new PutItemCommand({ TableName: orders, Item: { customer: { S: "race" }, orderId: { S: "counter" }, n: { N: "0" } } }));
      await Promise.all(Array.from({ length: 25 }, () => client.send(new UpdateItemCommand({
        TableName: orders, Key: { customer: { S: "race" }, orderId: { S: "counter" } }, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": { N: "1" } },
      }))));
      const counter = await client.send(new GetItemCommand({ TableName: orders, Key: { customer: { S: "race" }, orderId: { S: "counter" } }, ConsistentRead: true }));
      expect(counter.Item!.n).toEqual({ N: "25" });
    });
  });
}
