/**
 * Query latency against table size, in-process: a Query of one 100-item partition, measured
 * as the table grows from 1,000 to BENCH_DDB_MAX items (default 1,000,000). The layout stores
 * items ordered by key, so the figure should stay flat.
 *
 *   npx tsx bench/dynamodb-query-scaling.ts
 */
import { createEmulator } from "../src/emulator.ts";

const MAX = Number(process.env.BENCH_DDB_MAX ?? 1_000_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 2);
const emulator = createEmulator();

async function call(operation: string, body: unknown): Promise<any> {
  const response = await emulator.fetch(new Request("http://127.0.0.1:4566/", {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `DynamoDB_20120810.${operation}`,
      authorization: "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: JSON.stringify(body),
  }));
  const json = await response.json();
  if (response.status !== 200) throw new Error(JSON.stringify(json));
  return json;
}

await call("CreateTable", {
  TableName: "scale", BillingMode: "PAY_PER_REQUEST",
  AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }, { AttributeName: "sk", AttributeType: "N" }],
  KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }, { AttributeName: "sk", KeyType: "RANGE" }],
});

let filled = 0;
async function fillTo(size: number): Promise<void> {
  while (filled < size) {
    const writes = [];
    for (let i = filled; i < Math.min(filled + 25, size); i++) {
      writes.push({ PutRequest: { Item: { pk: { S: `p${Math.floor(i / 100)}` }, sk: { N: String(i % 100) }, data: { S: "x".repeat(100) } } } });
    }
    await call("BatchWriteItem", { RequestItems: { scale: writes } });
    filled += writes.length;
  }
}

console.log("items       Query(100 items) p50     p99     req/s");
for (let size = 1000; size <= MAX; size *= 10) {
  await fillTo(size);
  const partitions = size / 100;
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  let n = 0;
  while (performance.now() < deadline) {
    const start = performance.now();
    const out = await call("Query", { TableName: "scale", KeyConditionExpression: "pk = :p", ExpressionAttributeValues: { ":p": { S: `p${n++ % partitions}` } } });
    latencies.push(performance.now() - start);
    if (out.Count !== 100) throw new Error(`expected 100 items, got ${out.Count}`);
  }
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.floor(latencies.length * q)]!.toFixed(3);
  console.log(`${String(size).padEnd(11)} ${"".padEnd(16)} ${p(0.5).padStart(6)}ms ${p(0.99).padStart(6)}ms ${Math.round(latencies.length / SECONDS)}`);
}
