/**
 * Multi-attribute GSI keys (DynamoDB, November 2025): up to four partition and four sort
 * attributes per GSI, items indexed only with every key attribute, Query with `=` on every
 * partition attribute and sort attributes left to right, the last one any key operator.
 * Through the JS SDK v3 in-process, on each store.
 */
import { describe, expect, it } from "vitest";
import {
  CreateTableCommand, DeleteItemCommand, DescribeTableCommand, DynamoDBClient, PutItemCommand, QueryCommand, ScanCommand,
  UpdateItemCommand, UpdateTableCommand, type AttributeValue, type CreateTableCommandInput,
} from "@aws-sdk/client-dynamodb";
import { createEmulator, inProcess, STORES } from "../../helpers/clients.ts";

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });

const TABLE: CreateTableCommandInput = {
  TableName: "matches", BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [
    { AttributeName: "id", AttributeType: "S" }, { AttributeName: "tournament", AttributeType: "S" },
    { AttributeName: "rgn", AttributeType: "S" }, { AttributeName: "round", AttributeType: "S" },
    { AttributeName: "seq", AttributeType: "N" },
  ],
  KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
  GlobalSecondaryIndexes: [{
    IndexName: "byBracket",
    KeySchema: [
      { AttributeName: "tournament", KeyType: "HASH" }, { AttributeName: "rgn", KeyType: "HASH" },
      { AttributeName: "round", KeyType: "RANGE" }, { AttributeName: "seq", KeyType: "RANGE" },
    ],
    Projection: { ProjectionType: "ALL" },
  }],
};

const ROWS: [string, string, string, string, number][] = [
  ["m1", "W24", "EU", "final", 1],
  ["m2", "W24", "EU", "semi", 2],
  ["m3", "W24", "EU", "semi", 1],
  ["m4", "W24", "EU", "quarter", 7],
  ["m5", "W24", "NA", "semi", 1],
  ["m6", "S25", "EU", "semi", 1],
];

async function setup(store: (typeof STORES)[number]) {
  const client = new DynamoDBClient(inProcess(createEmulator({ store: store.make() })));
  await client.send(new CreateTableCommand(TABLE));
  for (const [id, tournament, rgn, round, seq] of ROWS) {
    await client.send(new PutItemCommand({ TableName: "matches", Item: { id: S(id), tournament: S(tournament), rgn: S(rgn), round: S(round), seq: N(seq) } }));
  }
  return client;
}

const q = (client: DynamoDBClient, expr: string, values: Record<string, AttributeValue>, extra: Record<string, unknown> = {}) =>
  client.send(new QueryCommand({ TableName: "matches", IndexName: "byBracket", KeyConditionExpression: expr, ExpressionAttributeValues: values, ...extra }));
const ids = (r: { Items?: Record<string, AttributeValue>[] }) => (r.Items ?? []).map((i) => i.id!.S);

for (const store of STORES) {
  describe(`DynamoDB multi-attribute GSI keys, ${store.name}`, () => {
    it("indexes items by every key attribute, sorted by the sort attributes in order", async () => {
      const client = await setup(store);
      const d = await client.send(new DescribeTableCommand({ TableName: "matches" }));
      expect(d.Table!.GlobalSecondaryIndexes![0]!.KeySchema).toEqual(TABLE.GlobalSecondaryIndexes![0]!.KeySchema);
      expect(d.Table!.GlobalSecondaryIndexes![0]!.ItemCount).toBe(6);
      const pk = { ":t": S("W24"), ":r": S("EU") };
      expect(ids(await q(client, "tournament = :t AND #r = :r", pk, { ExpressionAttributeNames: { "#r": "rgn" } }))).toEqual(["m1", "m4", "m3", "m2"]);
      expect(ids(await q(client, "rgn = :r AND tournament = :t", pk, { ScanIndexForward: false }))).toEqual(["m2", "m3", "m4", "m1"]);
      expect(ids(await q(client, "tournament = :t AND rgn = :r AND round = :s", { ...pk, ":s": S("semi") }))).toEqual(["m3", "m2"]);
      expect(ids(await q(client, "tournament = :t AND rgn = :r AND round = :s AND seq > :n", { ...pk, ":s": S("semi"), ":n": N(1) }))).toEqual(["m2"]);
      expect(ids(await q(client, "tournament = :t AND rgn = :r AND round = :s AND seq BETWEEN :a AND :b", { ...pk, ":s": S("semi"), ":a": N(0), ":b": N(1) }))).toEqual(["m3"]);
      expect(ids(await q(client, "tournament = :t AND rgn = :r AND round < :s", { ...pk, ":s": S("semi") }))).toEqual(["m1", "m4"]);
      expect(ids(await q(client, "tournament = :t AND rgn = :r AND begins_with(round, :p)", { ...pk, ":p": S("s") }))).toEqual(["m3", "m2"]);
      expect(ids(await q(client, "tournament = :t AND rgn = :r", { ":t": S("W24"), ":r": S("NA") }))).toEqual(["m5"]);
      // Legacy KeyConditions follow the same rules.
      const legacy = await client.send(new QueryCommand({
        TableName: "matches", IndexName: "byBracket",
        KeyConditions: {
          tournament: { ComparisonOperator: "EQ", AttributeValueList: [S("W24")] }, rgn: { ComparisonOperator: "EQ", AttributeValueList: [S("EU")] },
          round: { ComparisonOperator: "EQ", AttributeValueList: [S("semi")] }, seq: { ComparisonOperator: "GE", AttributeValueList: [N(2)] },
        },
      }));
      expect(ids(legacy)).toEqual(["m2"]);
      client.destroy();
    });

    it("pages with a LastEvaluatedKey holding every key attribute", async () => {
      const client = await setup(store);
      const pk = { ":t": S("W24"), ":r": S("EU") };
      const first = await q(client, "tournament = :t AND rgn = :r", pk, { Limit: 2 });
      expect(ids(first)).toEqual(["m1", "m4"]);
      expect(first.LastEvaluatedKey).toEqual({ id: S("m4"), tournament: S("W24"), rgn: S("EU"), round: S("quarter"), seq: N(7) });
      const second = await q(client, "tournament = :t AND rgn = :r", pk, { Limit: 2, ExclusiveStartKey: first.LastEvaluatedKey });
      expect(ids(second)).toEqual(["m3", "m2"]);
      await expect(q(client, "tournament = :t AND rgn = :r", { ":t": S("W24"), ":r": S("NA") }, { ExclusiveStartKey: first.LastEvaluatedKey }))
        .rejects.toMatchObject({ name: "ValidationException", message: "The provided starting key is outside query boundaries based on provided conditions" });
      const scan = await client.send(new ScanCommand({ TableName: "matches", IndexName: "byBracket", Limit: 3 }));
      expect(Object.keys(scan.LastEvaluatedKey!).sort()).toEqual(["id", "rgn", "round", "seq", "tournament"]);
      client.destroy();
    });

    it("leaves out items missing any key attribute (sparse) and follows updates and deletes", async () => {
      const client = await setup(store);
      await client.send(new PutItemCommand({ TableName: "matches", Item: { id: S("x1"), tournament: S("W24"), rgn: S("EU"), round: S("semi") } }));
      await client.send(new PutItemCommand({ TableName: "matches", Item: { id: S("x2"), tournament: S("W24"), round: S("semi"), seq: N(3) } }));
      const pk = { ":t": S("W24"), ":r": S("EU") };
      expect(ids(await q(client, "tournament = :t AND rgn = :r", pk))).toEqual(["m1", "m4", "m3", "m2"]);
      await client.send(new UpdateItemCommand({ TableName: "matches", Key: { id: S("x1") }, UpdateExpression: "SET seq = :n", ExpressionAttributeValues: { ":n": N(9) } }));
      expect(ids(await q(client, "tournament = :t AND rgn = :r", pk))).toEqual(["m1", "m4", "m3", "m2", "x1"]);
      await client.send(new UpdateItemCommand({ TableName: "matches", Key: { id: S("m2") }, UpdateExpression: "REMOVE rgn" }));
      await client.send(new DeleteItemCommand({ TableName: "matches", Key: { id: S("m4") } }));
      expect(ids(await q(client, "tournament = :t AND rgn = :r", pk))).toEqual(["m1", "m3", "x1"]);
      await expect(client.send(new PutItemCommand({ TableName: "matches", Item: { id: S("bad"), tournament: S("W24"), seq: S("one") } })))
        .rejects.toMatchObject({ name: "ValidationException", message: "One or more parameter values were invalid: Type mismatch for Index Key seq Expected: N Actual: S IndexName: byBracket" });
      client.destroy();
    });
  });
}

describe("DynamoDB multi-attribute GSI keys: rules", () => {
  it("Query needs every partition attribute with = and sort attributes left to right, the last one any key operator", async () => {
    const client = await setup(STORES[0]);
    const cases: [string, Record<string, AttributeValue>, string][] = [
      ["tournament = :t", { ":t": S("W24") }, "Query condition missed key schema element: rgn"],
      ["rgn = :r", { ":r": S("EU") }, "Query condition missed key schema element: tournament"],
      ["tournament = :t AND rgn > :r", { ":t": S("W24"), ":r": S("EU") }, "Query key condition not supported"],
      ["tournament = :t AND rgn = :r AND seq > :n", { ":t": S("W24"), ":r": S("EU"), ":n": N(1) }, "Query condition missed key schema element: round"],
      ["tournament = :t AND rgn = :r AND round > :s AND seq = :n", { ":t": S("W24"), ":r": S("EU"), ":s": S("a"), ":n": N(1) }, "Query key condition not supported"],
      ["tournament = :t AND rgn = :r AND extra = :s", { ":t": S("W24"), ":r": S("EU"), ":s": S("a") }, "Query condition missed key schema element: round"],
      ["tournament = :t AND rgn = :r AND round = :s AND seq = :n AND id = :s", { ":t": S("W24"), ":r": S("EU"), ":s": S("a"), ":n": N(1) },
        "The number of query conditions (5) exceeds the number of key attributes defined in the schema (4)"],
      ["tournament = :t AND rgn = :r AND round = :s AND round = :s", { ":t": S("W24"), ":r": S("EU"), ":s": S("a") },
        "Invalid KeyConditionExpression: KeyConditionExpressions must only contain one condition per key"],
      ["tournament = :t AND rgn = :r AND round = :s AND seq = :s", { ":t": S("W24"), ":r": S("EU"), ":s": S("a") },
        "One or more parameter values were invalid: Condition parameter type does not match schema type"],
      ["tournament = :t AND rgn = :n", { ":t": S("W24"), ":n": N(1) }, "One or more parameter values were invalid: Condition parameter type does not match schema type"],
    ];
    for (const [expr, values, message] of cases) {
      await expect(q(client, expr, values), expr).rejects.toMatchObject({ name: "ValidationException", message });
    }
    // A filter may not name a key attribute of the index (any of them); other attributes, even the table's key, are fine.
    const pk = { ":t": S("W24"), ":r": S("EU") };
    await expect(q(client, "tournament = :t AND rgn = :r", { ...pk, ":n": N(1) }, { FilterExpression: "seq > :n" }))
      .rejects.toMatchObject({ name: "ValidationException", message: "Filter Expression can only contain non-primary key attributes: Primary key attribute: seq" });
    await expect(q(client, "tournament = :t AND rgn = :r", { ...pk, ":s": S("x") }, { FilterExpression: "attribute_exists(#x) AND #n.deep = :s", ExpressionAttributeNames: { "#x": "other", "#n": "round" } }))
      .rejects.toMatchObject({ message: "Filter Expression can only contain non-primary key attributes: Primary key attribute: round" });
    expect(ids(await q(client, "tournament = :t AND rgn = :r", { ...pk, ":i": S("m3") }, { FilterExpression: "id = :i" }))).toEqual(["m3"]);
    await expect(client.send(new QueryCommand({
      TableName: "matches", IndexName: "byBracket",
      KeyConditions: { tournament: { ComparisonOperator: "EQ", AttributeValueList: [S("W24")] }, rgn: { ComparisonOperator: "EQ", AttributeValueList: [S("EU")] } },
      QueryFilter: { tournament: { ComparisonOperator: "EQ", AttributeValueList: [S("W24")] } },
    }))).rejects.toMatchObject({ message: "QueryFilter can only contain non-primary key attributes: Primary key attribute: tournament" });
    // Scan filters may name key attributes.
    expect((await client.send(new ScanCommand({ TableName: "matches", IndexName: "byBracket", FilterExpression: "seq = :n", ExpressionAttributeValues: { ":n": N(7) } }))).Count).toBe(1);
    client.destroy();
  });

  it("CreateTable and UpdateTable check the KeySchema of a GSI", async () => {
    const client = new DynamoDBClient(inProcess(createEmulator()));
    const defs = ["pk", "a", "b", "c", "d", "e"].map((n) => ({ AttributeName: n, AttributeType: "S" as const }));
    const gsi = (keys: [string, "HASH" | "RANGE"][]) => ({
      TableName: "tbl", BillingMode: "PAY_PER_REQUEST" as const,
      AttributeDefinitions: [...new Set(["pk", ...keys.map(([n]) => n)])].map((n) => defs.find((d) => d.AttributeName === n)!),
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" as const }],
      GlobalSecondaryIndexes: [{ IndexName: "gsi", KeySchema: keys.map(([AttributeName, KeyType]) => ({ AttributeName, KeyType })), Projection: { ProjectionType: "KEYS_ONLY" as const } }],
    });
    const INVALID = "One or more parameter values were invalid: ";
    const cases: [[string, "HASH" | "RANGE"][], string][] = [
      [[["a", "RANGE"], ["b", "HASH"]], "Invalid KeySchema: The first KeySchemaElement is not a HASH key type"],
      [[["a", "HASH"], ["b", "RANGE"], ["c", "HASH"]], `${INVALID}All HASH key attributes must precede RANGE key attributes in the KeySchema`],
      [[["a", "HASH"], ["b", "HASH"], ["c", "HASH"], ["d", "HASH"], ["e", "HASH"]], `${INVALID}The KeySchema exceeds the maximum allowed number of HASH key attributes`],
      [[["pk", "HASH"], ["a", "RANGE"], ["b", "RANGE"], ["c", "RANGE"], ["d", "RANGE"], ["e", "RANGE"]], `${INVALID}The KeySchema exceeds the maximum allowed number of RANGE key attributes`],
      [[["a", "HASH"], ["b", "RANGE"], ["a", "RANGE"]], "The KeySchema contains multiple key attributes with the same name"],
    ];
    for (const [keys, message] of cases) {
      await expect(client.send(new CreateTableCommand(gsi(keys))), JSON.stringify(keys)).rejects.toMatchObject({ name: "ValidationException", message });
    }
    // Four and four is the limit; a table's own KeySchema keeps one and one.
    await client.send(new CreateTableCommand(gsi([["a", "HASH"], ["b", "HASH"], ["c", "HASH"], ["d", "HASH"], ["e", "RANGE"], ["pk", "RANGE"]])));
    await expect(client.send(new CreateTableCommand({
      TableName: "tbl2", BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: defs.slice(0, 3),
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "a", KeyType: "HASH" }, { AttributeName: "b", KeyType: "RANGE" }],
    }))).rejects.toMatchObject({ name: "ValidationException", message: "Invalid KeySchema: The second KeySchemaElement is not a RANGE key type" });

    // UpdateTable adds a multi-attribute GSI and backfills it from the items there.
    await client.send(new CreateTableCommand({ TableName: "upd", BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: [defs[0]!], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }] }));
    for (const [pk, a, b] of [["1", "x", "y"], ["2", "x", "y"], ["3", "x", "z"], ["4", "x", ""]]) {
      await client.send(new PutItemCommand({ TableName: "upd", Item: { pk: S(pk!), a: S(a!), ...(b ? { b: S(b) } : {}) } }));
    }
    await expect(client.send(new UpdateTableCommand({
      TableName: "upd", AttributeDefinitions: defs.slice(1, 3),
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "byAB", KeySchema: [{ AttributeName: "a", KeyType: "RANGE" }, { AttributeName: "b", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } }],
    }))).rejects.toMatchObject({ message: "Invalid KeySchema: The first KeySchemaElement is not a HASH key type" });
    await client.send(new UpdateTableCommand({
      TableName: "upd", AttributeDefinitions: defs.slice(1, 3),
      GlobalSecondaryIndexUpdates: [{ Create: { IndexName: "byAB", KeySchema: [{ AttributeName: "a", KeyType: "HASH" }, { AttributeName: "b", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } } }],
    }));
    const r = await client.send(new QueryCommand({ TableName: "upd", IndexName: "byAB", KeyConditionExpression: "a = :a AND b = :b", ExpressionAttributeValues: { ":a": S("x"), ":b": S("y") } }));
    expect(r.Items!.map((i) => i.pk!.S).sort()).toEqual(["1", "2"]);
    client.destroy();
  });
});
