/**
 * Heap bytes per memory-store entry and per DynamoDB item (issue 22), in process:
 *  1. DynamoDB items `{pk: S, data: S of 1 KiB}` through `emulator.fetch` PutItem, with heap
 *     snapshots before and after, diffed by node type: where the bytes of an item are.
 *  2. 100,000 keys `["svc", account, region, "thing", id]` set through a prefixed view of a
 *     memory store, all to one shared value: what the store itself costs per entry (key
 *     strings allocated beforehand, so they are not counted);
 *
 *   node --expose-gc --import tsx bench/store-memory.ts
 *   STORE_MEMORY_SRC=/path/to/before/src node --expose-gc --import tsx bench/store-memory.ts
 *   STORE_MEMORY_ITEMS=10000
 */
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { writeHeapSnapshot } from "node:v8";
import { sigv4 } from "./cases/types.ts";

const SRC = resolve(process.env.STORE_MEMORY_SRC ?? join(import.meta.dirname, "../src"));
const ITEMS = Number(process.env.STORE_MEMORY_ITEMS ?? 10_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");
const collect = () => {
  for (let i = 0; i < 3; i++) gc();
};
const load = async <T>(path: string): Promise<T> => (await import(pathToFileURL(join(SRC, path)).href)) as T;

// 1. Per DynamoDB item, by heap snapshot (first: nothing else is freed between the snapshots).
{
  const { createEmulator } = await load<typeof import("../src/emulator.ts")>("emulator.ts");
  const emulator = createEmulator();
  const send = async (op: string, body: unknown) => {
    const headers = { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${op}`, authorization: sigv4("dynamodb"), "x-amz-date": "20261122T000000Z" };
    const response = await emulator.fetch(new Request("http://127.0.0.1:4566/", { method: "POST", headers, body: JSON.stringify(body) }));
    const text = await response.text();
    if (response.status >= 300) throw new Error(`${op}: ${text}`);
  };
  const payload = (i: number) => {
    const head = `item-${i}-`;
    return head + "x".repeat(1024 - head.length);
  };
  await send("CreateTable", { TableName: "memory", BillingMode: "PAY_PER_REQUEST", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }] });
  // Warm the path, so compiled code is in both snapshots.
  for (let i = 0; i < 2000; i++) await send("PutItem", { TableName: "memory", Item: { pk: { S: `warm-${i}` }, data: { S: payload(i) } } });
  const summarize = (file: string) => {
    const snapshot = JSON.parse(readFileSync(file, "utf8"));
    rmSync(file);
    const { node_fields: fields, node_types: [types] } = snapshot.snapshot.meta;
    const nodes: number[] = snapshot.nodes;
    const type = fields.indexOf("type"), name = fields.indexOf("name"), size = fields.indexOf("self_size");
    const totals = new Map<string, { count: number; bytes: number }>();
    for (let i = 0; i < nodes.length; i += fields.length) {
      const t: string = types[nodes[i + type]!];
      const key = t === "object" || t === "array" ? `${t} ${snapshot.strings[nodes[i + name]!]}` : t;
      const row = totals.get(key) ?? { count: 0, bytes: 0 };
      row.count++, (row.bytes += nodes[i + size]!);
      totals.set(key, row);
    }
    return totals;
  };
  collect();
  const a = summarize(writeHeapSnapshot(join(tmpdir(), `store-memory-a-${process.pid}.heapsnapshot`)));
  for (let i = 0; i < ITEMS; i++) await send("PutItem", { TableName: "memory", Item: { pk: { S: `item-${i}` }, data: { S: payload(i) } } });
  collect();
  const b = summarize(writeHeapSnapshot(join(tmpdir(), `store-memory-b-${process.pid}.heapsnapshot`)));
  let total = 0;
  const rows: string[] = [];
  for (const [key, row] of b) {
    const old = a.get(key) ?? { count: 0, bytes: 0 };
    const bytes = (row.bytes - old.bytes) / ITEMS;
    if (key === "code" || Math.abs(bytes) < 1) continue; // compiled code is not data
    total += bytes;
    rows.push(`    ${key.padEnd(32)} ${((row.count - old.count) / ITEMS).toFixed(2).padStart(6)} nodes ${bytes.toFixed(0).padStart(6)} B`);
  }
  console.log(`${SRC}: DynamoDB, ${total.toFixed(0)} B heap per item of 1 KiB (the value string is 1,040 B of it), by node type:`);
  console.log(rows.join("\n"));
}
// 2. Per store entry.
{
  const { createMemoryStore } = await load<typeof import("../src/store/memory.ts")>("store/memory.ts");
  const { prefixStore } = await load<typeof import("../src/store/prefixed.ts")>("store/prefixed.ts");
  const store = prefixStore(createMemoryStore(), ["svc", "000000000000", "us-east-1"]);
  const value = { shared: true };
  const ids = Array.from({ length: 100_000 }, (_, i) => [`id-${i.toString(36).padStart(8, "0")}`].join(""));
  collect();
  const before = process.memoryUsage().heapUsed;
  for (const id of ids) await store.set(["thing", id], value);
  collect();
  const after = process.memoryUsage().heapUsed;
  if ((await store.get(["thing", ids[0]!])).value !== value) throw new Error("store lost its entry");
  console.log(`${SRC}: memory store, ${((after - before) / ids.length).toFixed(0)} B heap per entry (5-part key, shared value)`);
}

process.exit(0);
