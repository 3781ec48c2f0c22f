/**
 * Memory footprint (issue 22): resident memory of the Node server (`node dist/cli.js`) idle,
 * then after 10,000 S3 objects and 10,000 DynamoDB items of 1 KiB each (~20 MiB of data), then
 * after deleting them all. RSS is read from /proc/<pid>/status (VmRSS and VmHWM) after a full
 * garbage collection (the server runs as bench/memory-server.mjs: the CLI plus a SIGUSR2 → gc),
 * and once more, loaded, "at rest": MEMORY_REST_SECONDS (default 60) after the load without a
 * forced collection (MEMORY_TRACE=1 prints RSS every 5 s of it).
 *
 *   npm run build && npx tsx bench/memory.ts          # MEMORY_COUNT=10000 by default
 *   MEMORY_NODE_FLAGS="--max-semi-space-size=2" npx tsx bench/memory.ts   # server Node flags
 *   MEMORY_INPROCESS=1 node --expose-gc --import tsx bench/memory.ts   # heap breakdown in this process
 *
 * In-process mode loads the same data through `emulator.fetch` and prints
 * `process.memoryUsage()` (heap used, external/array buffers) to tell JS objects from bytes.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request as httpRequest } from "undici";
import { createEmulator } from "../src/emulator.ts";
import { sigv4 } from "./cases/types.ts";

const COUNT = Number(process.env.MEMORY_COUNT ?? 10_000);
const SIZE = 1024;
const CONCURRENCY = 16;
const MiB = 1024 * 1024;

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const dynamo = (operation: string, body: unknown): Req => ({
  method: "POST",
  path: "/",
  headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${operation}`, authorization: sigv4("dynamodb"), "x-amz-date": "20261122T000000Z" },
  body: JSON.stringify(body),
});

const s3 = (method: string, path: string, body?: string): Req => ({
  method,
  path,
  headers: { authorization: sigv4("s3"), "x-amz-date": "20261122T000000Z", "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...(body ? { "content-type": "application/octet-stream" } : {}) },
  body,
});

/** A distinct 1 KiB text per index (so no two values share storage by accident). */
function payload(i: number): string {
  const head = `item-${i}-`;
  return head + "x".repeat(SIZE - head.length);
}

function setup(): Req[] {
  return [
    s3("PUT", "/memory-bench"),
    dynamo("CreateTable", {
      TableName: "memory", BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }],
      KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
    }),
  ];
}

/** MEMORY_ONLY=s3 or =dynamodb loads one service (to tell their shares apart). */
const ONLY = process.env.MEMORY_ONLY;

function load(i: number): Req[] {
  const both = [
    s3("PUT", `/memory-bench/object-${i}?x-id=PutObject`, payload(i)),
    // 1 KiB of attribute value (the key and name add a few bytes).
    dynamo("PutItem", { TableName: "memory", Item: { pk: { S: `item-${i}` }, data: { S: payload(i) } } }),
  ];
  return ONLY === "s3" ? both.slice(0, 1) : ONLY === "dynamodb" ? both.slice(1) : both;
}

function unload(i: number): Req[] {
  return [s3("DELETE", `/memory-bench/object-${i}?x-id=DeleteObject`), dynamo("DeleteItem", { TableName: "memory", Key: { pk: { S: `item-${i}` } } })];
}

async function runAll(send: (r: Req) => Promise<number>, make: (i: number) => Req[]): Promise<void> {
  let next = 0;
  let failures = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < COUNT) {
      const i = next++;
      for (const r of make(i)) if ((await send(r)) >= 300) failures++;
    }
  }));
  if (failures) console.warn(`  ${failures} requests failed`);
}

function procStatus(pid: number): { rss: number; hwm: number } {
  const text = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(text)?.[1] ?? 0) * 1024;
  return { rss: kb("VmRSS"), hwm: kb("VmHWM") };
}

const fmt = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;

async function overHttp(): Promise<void> {
  const port = 46000 + Math.floor(Math.random() * 3000);
  const server: ChildProcess = spawn("node", ["--expose-gc", ...(process.env.MEMORY_NODE_FLAGS?.split(" ").filter(Boolean) ?? []), "bench/memory-server.mjs", "--port", String(port), "--no-ui"], { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let text = "";
    const onData = (d: Buffer) => {
      text += d.toString();
      if (/fetchstack on Node/.test(text)) resolve();
    };
    server.stdout!.on("data", onData);
    server.stderr!.on("data", onData);
    server.once("exit", (code) => reject(new Error(`server exited ${code}: ${text}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const dispatcher = new Agent({ connections: CONCURRENCY });
  const send = async (r: Req) => {
    const response = await httpRequest(url + r.path, { method: r.method as never, headers: r.headers, body: r.body, dispatcher });
    await response.body.arrayBuffer();
    return response.statusCode;
  };
  // A pause, then a full collection in the server (SIGUSR2, see bench/memory-server.mjs), then a pause.
  const settle = async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const collected = new Promise<void>((resolve) => {
      const onData = (d: Buffer) => {
        const text = d.toString();
        for (const line of text.split("\n")) if (line.startsWith("heap total")) console.log(`  (${line})`);
        if (text.includes("gc done")) server.stdout!.off("data", onData), resolve();
      };
      server.stdout!.on("data", onData);
    });
    server.kill("SIGUSR2");
    await collected;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return procStatus(server.pid!);
  };
  // No forced collection: RSS after MEMORY_REST_SECONDS (default 60) without requests, the state a
  // loaded server settles in. V8's memory reducer, a compacting collection V8 starts by itself
  // once allocation stops, ran 45-50 s after the load in our runs; a forced `gc()` is a plain
  // mark-compact that leaves partly used pages resident.
  const rest = async () => {
    const seconds = Number(process.env.MEMORY_REST_SECONDS ?? 60);
    for (let s = 1; s <= seconds; s++) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (process.env.MEMORY_TRACE && s % 5 === 0) console.log(`  at rest ${s} s: RSS ${fmt(procStatus(server.pid!).rss)}`);
    }
    return { ...procStatus(server.pid!), seconds };
  };
  try {
    const idle = await settle();
    for (const r of setup()) await send(r);
    const t0 = performance.now();
    await runAll(send, load);
    const loadMs = performance.now() - t0;
    const rested = await rest();
    const loaded = await settle();
    await runAll(send, unload);
    const emptied = await settle();
    console.log(`Node server (node dist/cli.js), ${COUNT} S3 objects + ${COUNT} DynamoDB items of ${SIZE} bytes (${fmt(2 * COUNT * SIZE)} of data), loaded in ${(loadMs / 1000).toFixed(1)} s`);
    console.log(`  RSS idle    ${fmt(idle.rss)}`);
    console.log(`  RSS loaded  ${fmt(loaded.rss)}  (peak ${fmt(loaded.hwm)}; loaded - idle = ${fmt(loaded.rss - idle.rss)}, ${((loaded.rss - idle.rss) / (2 * COUNT * SIZE)).toFixed(1)}x the data)`);
    console.log(`  RSS loaded, at rest ${fmt(rested.rss)}  (${rested.seconds} s after the load, no forced collection)`);
    console.log(`  RSS emptied ${fmt(emptied.rss)}  (after deleting everything)`);
  } finally {
    await dispatcher.close();
    server.kill("SIGTERM");
  }
}

async function inProcess(): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const emulator = createEmulator();
  const send = async (r: Req) => {
    const response = await emulator.fetch(new Request(`http://127.0.0.1:4566${r.path}`, { method: r.method, headers: r.headers, body: r.body }));
    await response.arrayBuffer();
    return response.status;
  };
  const measure = async () => {
    for (let i = 0; i < 3; i++) {
      gc?.();
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return process.memoryUsage();
  };
  for (const r of setup()) await send(r);
  const idle = await measure();
  await runAll(send, load);
  const loaded = await measure();
  await runAll(send, unload);
  const emptied = await measure();
  const row = (name: string, m: NodeJS.MemoryUsage) => console.log(`  ${name.padEnd(7)} rss ${fmt(m.rss)}  heapUsed ${fmt(m.heapUsed)}  external ${fmt(m.external)}  arrayBuffers ${fmt(m.arrayBuffers)}`);
  console.log(`in-process, ${COUNT} S3 objects + ${COUNT} DynamoDB items of ${SIZE} bytes${gc ? "" : " (no --expose-gc: figures include garbage)"}`);
  row("idle", idle);
  row("loaded", loaded);
  row("emptied", emptied);
  console.log(`  per object+item: heap ${((loaded.heapUsed - idle.heapUsed) / COUNT).toFixed(0)} B, buffers ${((loaded.arrayBuffers - idle.arrayBuffers) / COUNT).toFixed(0)} B (data ${2 * SIZE} B)`);
}

if (process.env.MEMORY_INPROCESS) await inProcess();
else await overHttp();
process.exit(0);
