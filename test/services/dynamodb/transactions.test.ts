/**
 * TransactWriteItems and TransactGetItems through the AWS SDK for JavaScript v3, on every test
 * store and over HTTP, plus a concurrency stress test on the memory and Deno KV stores.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, ScanCommand, TransactGetItemsCommand,
  TransactWriteItemsCommand, TransactionCanceledException, type TransactWriteItem,
} from "@aws-sdk/client-dynamodb";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { createEmulator, inProcess, STORES } from "../../helpers/clients.ts";
import { prefixStore } from "../../../src/store/prefixed.ts";
import type { Store } from "../../../src/store/types.ts";
import { tableName, TRANSPORTS } from "./transports.ts";

async function createTable(client: DynamoDBClient, name: string) {
  await client.send(new CreateTableCommand({
    TableName: name, BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
  }));
}

for (const transport of TRANSPORTS) {
  describe(`DynamoDB transactions, ${transport.name}`, () => {
    let client: DynamoDBClient;
    let doc: DynamoDBDocumentClient;
    let close: () => Promise<void>;
    const a = tableName("txa");
    const b = tableName("txb");
    beforeAll(async () => {
      ({ client, doc, close } = await transport.setup());
      await createTable(client, a);
      await createTable(client, b);
    });
    afterAll(() => close());

    const get = async (table: string, pk: string) =>
      (await client.send(new GetItemCommand({ TableName: table, Key: { pk: { S: pk } }, ConsistentRead: true }))).Item;

    it("applies Put, Update, Delete and ConditionCheck across tables together", async () => {
      await client.send(new PutItemCommand({ TableName: a, Item: { pk: { S: "acc1" }, balance: { N: "100" } } }));
      await client.send(new PutItemCommand({ TableName: b, Item: { pk: { S: "gone" } } }));
      await client.send(new PutItemCommand({ TableName: b, Item: { pk: { S: "guard" }, open: { BOOL: true } } }));
      const out = await client.send(new TransactWriteItemsCommand({
        ReturnConsumedCapacity: "TOTAL",
        TransactItems: [
          { Update: { TableName: a, Key: { pk: { S: "acc1" } }, UpdateExpression: "SET balance = balance - :n", ConditionExpression: "balance >= :n", ExpressionAttributeValues: { ":n": { N: "30" } } } },
          { Put: { TableName: a, Item: { pk: { S: "acc2" }, balance: { N: "30" } }, ConditionExpression: "attribute_not_exists(pk)" } },
          { Delete: { TableName: b, Key: { pk: { S: "gone" } } } },
          { ConditionCheck: { TableName: b, Key: { pk: { S: "guard" } }, ConditionExpression: "#o = :t", ExpressionAttributeNames: { "#o": "open" }, ExpressionAttributeValues: { ":t": { BOOL: true } } } },
        ],
      }));
      expect(await get(a, "acc1")).toEqual({ pk: { S: "acc1" }, balance: { N: "70" } });
      expect(await get(a, "acc2")).toEqual({ pk: { S: "acc2" }, balance: { N: "30" } });
      expect(await get(b, "gone")).toBeUndefined();
      expect(out.ConsumedCapacity?.map((c) => [c.TableName, c.CapacityUnits]).sort()).toEqual([[a, 4], [b, 4]].sort());
    });

    it("cancels everything when one condition fails, with reasons in order and the item for ALL_OLD", async () => {
      await client.send(new PutItemCommand({ TableName: a, Item: { pk: { S: "c1" }, v: { N: "1" } } }));
      await client.send(new PutItemCommand({ TableName: a, Item: { pk: { S: "c2" }, v: { N: "2" } } }));
      const items: TransactWriteItem[] = [
        { Put: { TableName: a, Item: { pk: { S: "c-new" } } } },
        { Update: { TableName: a, Key: { pk: { S: "c1" } }, UpdateExpression: "SET v = :z", ConditionExpression: "v = :one", ExpressionAttributeValues: { ":z": { N: "0" }, ":one": { N: "1" } } } },
        { ConditionCheck: { TableName: a, Key: { pk: { S: "c2" } }, ConditionExpression: "v = :x", ExpressionAttributeValues: { ":x": { N: "9" } }, ReturnValuesOnConditionCheckFailure: "ALL_OLD" } },
        { Delete: { TableName: a, Key: { pk: { S: "c-missing" } }, ConditionExpression: "attribute_exists(pk)" } },
      ];
      const error = await client.send(new TransactWriteItemsCommand({ TransactItems: items })).catch((e) => e);
      expect(error).toBeInstanceOf(TransactionCanceledException);
      expect(error.message).toBe("Transaction cancelled, please refer cancellation reasons for specific reasons [None, None, ConditionalCheckFailed, ConditionalCheckFailed]");
      expect(error.CancellationReasons).toEqual([
        { Code: "None" },
        { Code: "None" },
        { Code: "ConditionalCheckFailed", Message: "The conditional request failed", Item: { pk: { S: "c2" }, v: { N: "2" } } },
        { Code: "ConditionalCheckFailed", Message: "The conditional request failed" },
      ]);
      expect(await get(a, "c-new")).toBeUndefined();
      expect(await get(a, "c1")).toEqual({ pk: { S: "c1" }, v: { N: "1" } });
    });

    it("rejects two actions on one item, and an invalid update as a ValidationError reason", async () => {
      await expect(client.send(new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: a, Item: { pk: { S: "dup" } } } },
          { Delete: { TableName: a, Key: { pk: { S: "dup" } } } },
        ],
      }))).rejects.toMatchObject({ name: "ValidationException", message: "Transaction request cannot include multiple operations on one item" });
      await client.send(new PutItemCommand({ TableName: a, Item: { pk: { S: "str" }, s: { S: "text" } } }));
      const error = await client.send(new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: a, Item: { pk: { S: "ok" } } } },
          { Update: { TableName: a, Key: { pk: { S: "str" } }, UpdateExpression: "ADD s :n", ExpressionAttributeValues: { ":n": { N: "1" } } } },
        ],
      })).catch((e) => e);
      expect(error.name).toBe("TransactionCanceledException");
      expect(error.CancellationReasons[0]).toEqual({ Code: "None" });
      expect(error.CancellationReasons[1].Code).toBe("ValidationError");
      expect(await get(a, "ok")).toBeUndefined();
      await expect(client.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: "no-such-table", Item: { pk: { S: "x" } } } }] })))
        .rejects.toMatchObject({ name: "ResourceNotFoundException" });
      const tooMany = Array.from({ length: 101 }, (_, i) => ({ Put: { TableName: a, Item: { pk: { S: `m${i}` } } } }));
      const big = await client.send(new TransactWriteItemsCommand({ TransactItems: tooMany })).catch((e) => e);
      expect(big.name).toBe("ValidationException");
      expect(big.message).toContain("Member must have length less than or equal to 100");
    });

    it("ClientRequestToken: a replay does not write again, another request with the token is refused", async () => {
      await client.send(new PutItemCommand({ TableName: a, Item: { pk: { S: "counter" }, n: { N: "0" } } }));
      const add = (by: string) => new TransactWriteItemsCommand({
        ClientRequestToken: `tok-${a}`,
        TransactItems: [{ Update: { TableName: a, Key: { pk: { S: "counter" } }, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": { N: by } } } }],
      });
      await client.send(add("1"));
      await client.send(add("1"));
      expect((await get(a, "counter"))!.n).toEqual({ N: "1" });
      await expect(client.send(add("2"))).rejects.toMatchObject({ name: "IdempotentParameterMismatchException" });
    });

    it("lib-dynamodb DocumentClient TransactWrite and TransactGet", async () => {
      const { TransactWriteCommand, TransactGetCommand } = await import("@aws-sdk/lib-dynamodb");
      await doc.send(new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: a, Item: { pk: "doc1", tags: new Set(["x"]), nested: { n: 1 } } } },
          { Update: { TableName: b, Key: { pk: "doc2" }, UpdateExpression: "SET v = :v", ExpressionAttributeValues: { ":v": 42 } } },
        ],
      }));
      const out = await doc.send(new TransactGetCommand({ TransactItems: [{ Get: { TableName: a, Key: { pk: "doc1" } } }, { Get: { TableName: b, Key: { pk: "doc2" } } }] }));
      expect(out.Responses).toEqual([{ Item: { pk: "doc1", tags: new Set(["x"]), nested: { n: 1 } } }, { Item: { pk: "doc2", v: 42 } }]);
    });

    it("TransactGetItems reads items in order, {} for missing ones, with projections", async () => {
      await client.send(new PutItemCommand({ TableName: b, Item: { pk: { S: "g1" }, x: { S: "1" }, y: { S: "2" } } }));
      const out = await client.send(new TransactGetItemsCommand({
        ReturnConsumedCapacity: "TOTAL",
        TransactItems: [
          { Get: { TableName: b, Key: { pk: { S: "g1" } }, ProjectionExpression: "#y", ExpressionAttributeNames: { "#y": "y" } } },
          { Get: { TableName: b, Key: { pk: { S: "nothing" } } } },
        ],
      }));
      expect(out.Responses).toEqual([{ Item: { y: { S: "2" } } }, {}]);
      expect(out.ConsumedCapacity).toEqual([{ TableName: b, CapacityUnits: 4 }]);
      await expect(client.send(new TransactGetItemsCommand({
        TransactItems: [{ Get: { TableName: b, Key: { pk: { S: "g1" } } } }, { Get: { TableName: b, Key: { pk: { S: "g1" } } } }],
      }))).rejects.toMatchObject({ name: "ValidationException", message: "Transaction request cannot include multiple operations on one item" });
    });
  });
}

describe("ClientRequestToken expires after 10 minutes", () => {
  it("the same token runs again once 10 minutes have passed", async () => {
    let now = Date.UTC(2026, 0, 1);
    const client = new DynamoDBClient(inProcess(createEmulator({ clock: { now: () => now } })));
    await createTable(client, "tok");
    const cmd = () => new TransactWriteItemsCommand({
      ClientRequestToken: "same",
      TransactItems: [{ Update: { TableName: "tok", Key: { pk: { S: "c" } }, UpdateExpression: "ADD n :one", ExpressionAttributeValues: { ":one": { N: "1" } } } }],
    });
    await client.send(cmd());
    now += 9 * 60 * 1000;
    await client.send(cmd());
    now += 2 * 60 * 1000;
    await client.send(cmd());
    const item = await client.send(new GetItemCommand({ TableName: "tok", Key: { pk: { S: "c" } } }));
    expect(item.Item!.n).toEqual({ N: "2" });
  });
});

for (const store of STORES.filter((s) => s.name !== "copying store")) {
  describe(`DynamoDB transactions under concurrent writers, ${store.name}`, () => {
    it("transfers keep the total; no reader ever sees a partial transaction", async () => {
      const client = new DynamoDBClient(inProcess(createEmulator({ store: store.make() })));
      await createTable(client, "bank");
      const accounts = 8;
      for (let i = 0; i < accounts; i++) await client.send(new PutItemCommand({ TableName: "bank", Item: { pk: { S: `acc${i}` }, balance: { N: "100" } } }));
      let seed = 7;
      const rand = (n: number) => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) >>> 16) % n;
      const transfers = Array.from({ length: 60 }, (_, t) => {
        const from = rand(accounts);
        const to = (from + 1 + rand(accounts - 1)) % accounts;
        return { t, from, to, amount: 1 + rand(25) };
      });
      const totals: number[] = [];
      const reader = async () => {
        for (let r = 0; r < 15; r++) {
          const out = await client.send(new TransactGetItemsCommand({
            TransactItems: Array.from({ length: accounts }, (_, i) => ({ Get: { TableName: "bank", Key: { pk: { S: `acc${i}` } } } })),
          }));
          totals.push(out.Responses!.reduce((s, r) => s + Number(r.Item!.balance!.N), 0));
        }
      };
      const results = await Promise.all([
        reader(),
        ...transfers.map(({ t, from, to, amount }) => client.send(new TransactWriteItemsCommand({
          TransactItems: [
            { Update: { TableName: "bank", Key: { pk: { S: `acc${from}` } }, UpdateExpression: "SET balance = balance - :a", ConditionExpression: "balance >= :a", ExpressionAttributeValues: { ":a": { N: String(amount) } } } },
            { Update: { TableName: "bank", Key: { pk: { S: `acc${to}` } }, UpdateExpression: "SET balance = balance + :a", ExpressionAttributeValues: { ":a": { N: String(amount) } } } },
            { Put: { TableName: "bank", Item: { pk: { S: `tx${t}` }, amount: { N: String(amount) } } } },
          ],
        })).then(() => "ok", (e) => e.name)),
      ]);
      const outcomes = results.slice(1);
      expect(outcomes.every((o) => o === "ok" || o === "TransactionCanceledException")).toBe(true);
      expect(outcomes.filter((o) => o === "ok").length).toBeGreaterThan(20);
      expect(totals.every((t) => t === accounts * 100)).toBe(true);
      const scan = await client.send(new ScanCommand({ TableName: "bank", ConsistentRead: true }));
      const balances = scan.Items!.filter((i) => i.pk!.S!.startsWith("acc")).map((i) => Number(i.balance!.N));
      expect(balances.reduce((s, b) => s + b, 0)).toBe(accounts * 100);
      expect(balances.every((b) => b >= 0)).toBe(true);
      // Every successful transfer left its marker, and no failed one did.
      const markers = scan.Items!.filter((i) => i.pk!.S!.startsWith("tx")).map((i) => Number(i.pk!.S!.slice(2))).sort((x, y) => x - y);
      expect(markers).toEqual(outcomes.flatMap((o, i) => (o === "ok" ? [i] : [])));
      client.destroy();
    });
  });
}

for (const store of STORES.filter((s) => s.name !== "copying store")) {
  describe(`DynamoDB transactions against a writer that takes no locks, ${store.name}`, () => {
    it("a commit whose reads went stale retries: no update of the other writer is lost", async () => {
      const raw: Store = store.make();
      const client = new DynamoDBClient(inProcess(createEmulator({ store: raw })));
      const created = await client.send(new CreateTableCommand({
        TableName: "race", BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
      }));
      const accounts = 4;
      for (let i = 0; i < accounts; i++) await client.send(new PutItemCommand({ TableName: "race", Item: { pk: { S: `acc${i}` }, balance: { N: "100" }, touch: { N: "0" } } }));
      // Another process's writer: read, change `touch`, commit with a version check, no in-process lock.
      const ns = prefixStore(raw, ["dynamodb", "000000000000", "us-east-1"]);
      // Item keys hold the table's key id (docs/dynamodb-storage.md), its TableId on older records.
      const record = (await ns.get<{ id: string; keyId?: string }>(["table", "race"])).value!;
      expect(record.id).toBe(created.TableDescription!.TableId);
      const tableId = record.keyId ?? record.id;
      let touches = 0;
      const chaos = async () => {
        for (let n = 0; n < 40; n++) {
          const key = ["item", tableId, `acc${n % accounts}`];
          const entry = await ns.get<Record<string, { N: string }>>(key);
          const next = { ...entry.value!, touch: { N: String(Number(entry.value!.touch!.N) + 1) } };
          if ((await ns.atomic().check({ key, versionstamp: entry.versionstamp }).set(key, next).commit()).ok) touches++;
          await new Promise((r) => setTimeout(r, 0));
        }
      };
      const transfers = Array.from({ length: 30 }, (_, t) => client.send(new TransactWriteItemsCommand({
        TransactItems: [
          { Update: { TableName: "race", Key: { pk: { S: `acc${t % accounts}` } }, UpdateExpression: "SET balance = balance - :a", ExpressionAttributeValues: { ":a": { N: "1" } } } },
          { Update: { TableName: "race", Key: { pk: { S: `acc${(t + 1) % accounts}` } }, UpdateExpression: "SET balance = balance + :a", ExpressionAttributeValues: { ":a": { N: "1" } } } },
        ],
      })));
      await Promise.all([chaos(), ...transfers]);
      const items = (await client.send(new ScanCommand({ TableName: "race", ConsistentRead: true }))).Items!;
      expect(items.reduce((s, i) => s + Number(i.balance!.N), 0)).toBe(accounts * 100);
      expect(items.reduce((s, i) => s + Number(i.touch!.N), 0)).toBe(touches);
      expect(touches).toBeGreaterThan(0);
      client.destroy();
    });
  });
}
