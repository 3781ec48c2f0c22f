/**
 * CPU time per SQS message in process (issue 22): SendMessage, ReceiveMessage (10) and
 * DeleteMessage through `emulator.fetch` (awsJson1_0, as the SDKs send them), measured with
 * `process.cpuUsage()` (user + system µs) around each phase; requests are built before the
 * timer starts. A figure the machine's load changes far less than req/s.
 *
 *   npx tsx bench/sqs-cpu.ts                         (memory store)
 *   SQS_CPU_STORE=kv npx tsx bench/sqs-cpu.ts        (Deno KV file, as --data-dir)
 *   SQS_CPU_SRC=/path/to/other/src npx tsx bench/sqs-cpu.ts   (another tree, for before/after)
 *   SQS_CPU_N=2000 SQS_CPU_ROUNDS=3 SQS_CPU_CONCURRENCY=1 SQS_CPU_FIFO=1
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { sigv4 } from "./cases/types.ts";

const SRC = resolve(process.env.SQS_CPU_SRC ?? join(import.meta.dirname, "../src"));
const N = Number(process.env.SQS_CPU_N ?? 2000);
const ROUNDS = Number(process.env.SQS_CPU_ROUNDS ?? 3);
const CONCURRENCY = Number(process.env.SQS_CPU_CONCURRENCY ?? 1);
const FIFO = process.env.SQS_CPU_FIFO === "1";
const KV = process.env.SQS_CPU_STORE === "kv";

const { createEmulator } = (await import(pathToFileURL(join(SRC, "emulator.ts")).href)) as typeof import("../src/emulator.ts");
let store: import("../src/store/types.ts").Store | undefined;
let close = () => {};
const dir = mkdtempSync(join(tmpdir(), "sqs-cpu-"));
if (KV) {
  const { openKv } = await import("@deno/kv");
  const { openDenoKvStore } = (await import(pathToFileURL(join(SRC, "store/deno-kv.ts")).href)) as typeof import("../src/store/deno-kv.ts");
  const kv = await openKv(join(dir, "bench.kv"));
  store = await openDenoKvStore(kv as never, { space: "v" });
  close = () => kv.close();
}
const emulator = createEmulator({ store, ui: false, requestLog: false });

const request = (operation: string, body: unknown) =>
  new Request("http://localhost:4566/", {
    method: "POST",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `AmazonSQS.${operation}`,
      authorization: sigv4("sqs"),
      "x-amz-date": "20261122T000000Z",
    },
    body: JSON.stringify(body),
  });

async function call(r: Request): Promise<string> {
  const response = await emulator.fetch(r);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${response.status} ${text}`);
  return text;
}

/** Runs the requests `CONCURRENCY` at a time; CPU µs per request. */
async function measure(requests: Request[], onText?: (text: string) => void): Promise<number> {
  let next = 0;
  const before = process.cpuUsage();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < requests.length) {
      const text = await call(requests[next++]!);
      onText?.(text);
    }
  }));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / requests.length;
}

const results: Record<string, number[]> = { send: [], receive10: [], delete: [] };
for (let round = 0; round < ROUNDS + 1; round++) {
  const name = `cpu-${round}${FIFO ? ".fifo" : ""}`;
  const url = `http://localhost:4566/000000000000/${name}`;
  await call(request("CreateQueue", { QueueName: name, Attributes: FIFO ? { FifoQueue: "true", ContentBasedDeduplication: "true" } : {} }));
  const sends = Array.from({ length: N }, (_, i) => request("SendMessage", {
    QueueUrl: url,
    MessageBody: `message ${i} ${"x".repeat(100)}`,
    MessageAttributes: { a: { DataType: "String", StringValue: "v" } },
    ...(FIFO ? { MessageGroupId: `g${i % 8}` } : {}),
  }));
  const send = await measure(sends);
  const handles: string[] = [];
  const receives = Array.from({ length: N / 10 }, () => request("ReceiveMessage", { QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 600, MessageAttributeNames: ["All"] }));
  const receive = await measure(receives, (text) => {
    for (const m of (JSON.parse(text) as { Messages?: { ReceiptHandle: string }[] }).Messages ?? []) handles.push(m.ReceiptHandle);
  });
  if (handles.length !== N) throw new Error(`received ${handles.length} of ${N}`);
  const deletes = handles.map((h) => request("DeleteMessage", { QueueUrl: url, ReceiptHandle: h }));
  const del = await measure(deletes);
  if (round === 0) continue; // warm-up
  results.send!.push(send);
  results.receive10!.push(receive);
  results.delete!.push(del);
}
close();
rmSync(dir, { recursive: true, force: true });
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(0)).join(", ");
console.log(`sqs-cpu (${SRC}; ${KV ? "Deno KV" : "memory"} store; ${FIFO ? "FIFO" : "standard"}; ${N} messages × ${ROUNDS} rounds, concurrency ${CONCURRENCY}; load ${(await import("node:os")).loadavg()[0]!.toFixed(1)})`);
console.log(`  µs CPU per SendMessage: ${fmt(results.send!)}   per ReceiveMessage(10): ${fmt(results.receive10!)}   per DeleteMessage: ${fmt(results.delete!)}`);
