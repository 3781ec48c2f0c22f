/**
 * DynamoDB cases: PutItem, GetItem, a Query of 100 items from one partition of a table of
 * BENCH_DDB_ITEMS items (default 100,000: 1,000 partitions of 100), and a Scan page.
 * TransactWriteItems of 10 updates (10 items of one partition) and a PartiQL SELECT by key.
 * Query latency against table size: bench/dynamodb-query-scaling.ts.
 */
import { sigv4, type BenchCase, type BenchRequest } from "./types.ts";

const ITEMS = Number(process.env.BENCH_DDB_ITEMS ?? 100_000);
const PER_PARTITION = 100;
const TABLE = "bench";

function ddb(operation: string, body: unknown): BenchRequest {
  return {
    method: "POST",
    path: "/",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDB_20120810.${operation}`,
      authorization: sigv4("dynamodb"),
      "x-amz-date": "20261122T000000Z",
    },
    body: JSON.stringify(body),
  };
}

function fill(): BenchRequest[] {
  const requests: BenchRequest[] = [ddb("CreateTable", {
    TableName: TABLE, BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
  })];
  for (let start = 0; start < ITEMS; start += 25) {
    const writes = [];
    for (let i = start; i < Math.min(start + 25, ITEMS); i++) {
      writes.push({ PutRequest: { Item: { pk: { S: `p${Math.floor(i / PER_PARTITION)}` }, sk: { N: String(i % PER_PARTITION) }, data: { S: "x".repeat(100) } } } });
    }
    requests.push(ddb("BatchWriteItem", { RequestItems: { [TABLE]: writes } }));
  }
  return requests;
}

/** A small table of its own, so a case runs alone under BENCH_FILTER. */
function smallTable(name: string, items: number): BenchRequest[] {
  const requests: BenchRequest[] = [ddb("CreateTable", {
    TableName: name, BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
    KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
  })];
  for (let start = 0; start < items; start += 25) {
    const writes = [];
    for (let i = start; i < Math.min(start + 25, items); i++) writes.push({ PutRequest: { Item: { pk: { S: `p${Math.floor(i / 10)}` }, sk: { N: String(i % 10) }, data: { S: "x".repeat(100) } } } });
    requests.push(ddb("BatchWriteItem", { RequestItems: { [name]: writes } }));
  }
  return requests;
}

let n = 0;
const partitions = Math.max(1, Math.floor(ITEMS / PER_PARTITION));

export const dynamodbCases: BenchCase[] = [
  {
    name: "dynamodb.PutItem",
    service: "dynamodb",
    moto: true,
    setup: fill(),
    request: () => ddb("PutItem", { TableName: TABLE, Item: { pk: { S: `new${n++ % 1000}` }, sk: { N: String(n % 100) }, data: { S: "hello" } } }),
  },
  {
    name: "dynamodb.GetItem",
    service: "dynamodb",
    moto: true,
    request: () => ddb("GetItem", { TableName: TABLE, Key: { pk: { S: `p${n++ % partitions}` }, sk: { N: "7" } } }),
  },
  {
    name: `dynamodb.Query 100 of ${ITEMS}`,
    service: "dynamodb",
    moto: true,
    request: () => ddb("Query", {
      TableName: TABLE, KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: `p${n++ % partitions}` } },
    }),
  },
  {
    name: "dynamodb.Scan page (Limit 100)",
    service: "dynamodb",
    moto: true,
    request: () => ddb("Scan", { TableName: TABLE, Limit: 100 }),
  },
  {
    name: "dynamodb.TransactWriteItems (10 updates)",
    service: "dynamodb",
    moto: true,
    setup: smallTable("bench-tx", 1000),
    request: () => {
      const p = `p${n++ % 100}`;
      return ddb("TransactWriteItems", {
        TransactItems: Array.from({ length: 10 }, (_, i) => ({
          Update: { TableName: "bench-tx", Key: { pk: { S: p }, sk: { N: String(i) } }, UpdateExpression: "SET c = if_not_exists(c, :z) + :one", ExpressionAttributeValues: { ":z": { N: "0" }, ":one": { N: "1" } } },
        })),
      });
    },
  },
  {
    name: "dynamodb.ExecuteStatement SELECT by key",
    service: "dynamodb",
    moto: true,
    setup: smallTable("bench-pql", 1000),
    request: () => ddb("ExecuteStatement", { Statement: `SELECT * FROM "bench-pql" WHERE pk = ? AND sk = ?`, Parameters: [{ S: `p${n++ % 100}` }, { N: "7" }] }),
  },
];
