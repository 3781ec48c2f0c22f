/**
 * CPU time per DynamoDB request in process (issue 22): PutItem (overwrite, 1 KiB), GetItem and
 * Query (one item) through `emulator.fetch` on a table of 5,000 items, measured with
 * `process.cpuUsage()` (user + system µs) around blocks of N requests. Several source trees
 * run in the same process, alternating block by block, so a loaded machine slows them alike.
 *
 *   npx tsx bench/dynamodb-cpu.ts                                   (this tree)
 *   DDB_CPU_SRCS=/path/to/before/src,src npx tsx bench/dynamodb-cpu.ts   (before/after)
 *   DDB_CPU_N=2000 DDB_CPU_ROUNDS=4 DDB_CPU_OPS=PutItem,GetItem,Query
 */
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { sigv4 } from "./cases/types.ts";

const SRCS = (process.env.DDB_CPU_SRCS ?? join(import.meta.dirname, "../src")).split(",").map((s) => resolve(s));
const N = Number(process.env.DDB_CPU_N ?? 2000);
const ROUNDS = Number(process.env.DDB_CPU_ROUNDS ?? 4);
const OPS = (process.env.DDB_CPU_OPS ?? "PutItem,GetItem,Query").split(",");
const ITEMS = 5000;

const payload = (i: number) => {
  const head = `item-${i}-`;
  return head + "x".repeat(1024 - head.length);
};
const headers = (op: string) => ({ "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${op}`, authorization: sigv4("dynamodb"), "x-amz-date": "20261122T000000Z" });
const body = (op: string, i: number): unknown => {
  const pk = { S: `item-${(i * 7919) % ITEMS}` };
  if (op === "PutItem") return { TableName: "cpu-table", Item: { pk, data: { S: payload(i) } } };
  if (op === "GetItem") return { TableName: "cpu-table", Key: { pk } };
  return { TableName: "cpu-table", KeyConditionExpression: "pk = :k", ExpressionAttributeValues: { ":k": pk } };
};

const trees: { src: string; send: (op: string, body: unknown) => Promise<void> }[] = [];
for (const src of SRCS) {
  const { createEmulator } = (await import(pathToFileURL(join(src, "emulator.ts")).href)) as typeof import("../src/emulator.ts");
  const emulator = createEmulator();
  const send = async (op: string, b: unknown) => {
    const response = await emulator.fetch(new Request("http://127.0.0.1:4566/", { method: "POST", headers: headers(op), body: JSON.stringify(b) }));
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${op}: ${text}`);
  };
  await send("CreateTable", { TableName: "cpu-table", BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }] });
  for (let i = 0; i < ITEMS; i++) await send("PutItem", { TableName: "cpu-table", Item: { pk: { S: `item-${i}` }, data: { S: payload(i) } } });
  trees.push({ src, send });
}

const results = new Map<string, number[]>();
for (let round = 0; round < ROUNDS; round++) {
  for (const { src, send } of round % 2 ? [...trees].reverse() : trees) {
    for (const op of OPS) {
      const bodies = Array.from({ length: N }, (_, i) => body(op, i + round * N));
      const start = process.cpuUsage();
      for (const b of bodies) await send(op, b);
      const used = process.cpuUsage(start);
      const key = `${src} ${op}`;
      results.set(key, [...(results.get(key) ?? []), (used.user + used.system) / N]);
    }
  }
}
for (const [key, values] of results) {
  const median = [...values].sort((a, b) => a - b)[values.length >> 1]!;
  console.log(`${key.padEnd(48)} µs CPU/request: ${values.map((v) => v.toFixed(0)).join(" ")}  (median ${median.toFixed(0)})`);
}
