/**
 * EventBridge: PutEvents of 10 entries to a bus with 100 rules (one of which matches each event,
 * delivering to SQS), and end-to-end latency from PutEvents to the event being receivable on the
 * SQS target. Reports requests/s and p50/p99 for fetchstack in-process, fetchstack over HTTP
 * (the Node server) and, side by side, moto_server over HTTP (skipped when moto is absent or
 * BENCH_MOTO=0). One sequential client each: latency, not concurrency.
 *
 *   npx tsx bench/events.ts            (BENCH_SECONDS per measurement, default 3)
 */
import { spawn, execFileSync } from "node:child_process";
import { createEmulator } from "../src/emulator.ts";
import { startServer } from "../src/runtime/node.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const auth = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;
type Send = (request: Request) => Promise<Response>;

function caller(send: Send, url: string) {
  return async function call(service: "events" | "sqs", operation: string, body: unknown): Promise<any> {
    const target = service === "events" ? `AWSEvents.${operation}` : `AmazonSQS.${operation}`;
    const type = service === "events" ? "application/x-amz-json-1.1" : "application/x-amz-json-1.0";
    const response = await send(new Request(url, {
      method: "POST",
      headers: { "content-type": type, "x-amz-target": target, authorization: auth(service) },
      body: JSON.stringify(body),
    }));
    const json = await response.json();
    if (response.status !== 200) throw new Error(JSON.stringify(json));
    return json;
  };
}

async function measure(label: string, send: Send, url: string, settled: () => Promise<void> = async () => {}): Promise<void> {
  const call = caller(send, url);
  const suffix = Math.random().toString(36).slice(2, 8);
  const { QueueUrl } = await call("sqs", "CreateQueue", { QueueName: `bench-events-${suffix}` });
  const { Attributes } = await call("sqs", "GetQueueAttributes", { QueueUrl, AttributeNames: ["QueueArn"] });
  const bus = `bench-${suffix}`;
  await call("events", "CreateEventBus", { Name: bus });
  for (let i = 0; i < 100; i++) {
    const pattern = { source: [`app.${i}`], detail: { kind: [{ prefix: "order" }], total: [{ numeric: [">", 10] }] } };
    await call("events", "PutRule", { Name: `rule-${i}`, EventBusName: bus, EventPattern: JSON.stringify(pattern) });
    if (i === 0) await call("events", "PutTargets", { Rule: "rule-0", EventBusName: bus, Targets: [{ Id: "q", Arn: Attributes.QueueArn }] });
  }

  // 1. PutEvents throughput: 10 entries per request, routed against 100 rules.
  const entries = Array.from({ length: 10 }, (_, k) => ({
    Source: `app.${k * 10 + 1}`, DetailType: "Order", EventBusName: bus, Detail: JSON.stringify({ kind: "order-placed", total: 42, k }),
  }));
  let requests = 0;
  let deadline = performance.now() + SECONDS * 1000;
  while (performance.now() < deadline) {
    await call("events", "PutEvents", { Entries: entries });
    requests++;
  }
  await settled();
  console.log(`${label.padEnd(22)} PutEvents (10 entries, 100 rules): ${(requests / SECONDS).toFixed(0)} requests/s, ${((requests * 10) / SECONDS).toFixed(0)} events/s`);

  // 2. PutEvents → SQS target: time until the event is receivable (given up after 5 s).
  const one = [{ Source: "app.0", DetailType: "Order", EventBusName: bus, Detail: JSON.stringify({ kind: "order", total: 11 }) }];
  const latencies: number[] = [];
  let lost = 0;
  deadline = performance.now() + SECONDS * 1000;
  while (performance.now() < deadline) {
    const start = performance.now();
    await call("events", "PutEvents", { Entries: one });
    for (;;) {
      const out = await call("sqs", "ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
      if (out.Messages?.length) {
        await call("sqs", "DeleteMessage", { QueueUrl, ReceiptHandle: out.Messages[0].ReceiptHandle });
        latencies.push(performance.now() - start);
        break;
      }
      if (performance.now() - start > 5000) {
        lost++;
        break;
      }
    }
  }
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies.length ? latencies[Math.floor(latencies.length * q)]!.toFixed(2) : "-";
  console.log(`${label.padEnd(22)} PutEvents→SQS receivable: p50 ${p(0.5)} ms  p99 ${p(0.99)} ms  ${(latencies.length / SECONDS).toFixed(0)} round trips/s${lost ? `  (${lost} never arrived)` : ""}`);
}

const emulator = createEmulator();
await measure("fetchstack in-process", (r) => emulator.fetch(r), "http://127.0.0.1:4566/", () => emulator.settled());

const server = await startServer({
  port: 0, host: "127.0.0.1", region: "us-east-1", accountId: "000000000000", services: undefined, servicePorts: {},
  verifySignatures: false, enforceIam: false, credentials: { test: "test" }, help: false,
});
const serverUrl = `http://127.0.0.1:${server.ports.main}/`;
await measure("fetchstack HTTP", (r) => fetch(r), serverUrl);
await server.close();

let moto = false;
if (process.env.BENCH_MOTO !== "0") {
  try {
    execFileSync("moto_server", ["--help"], { stdio: "ignore", timeout: 20_000 });
    moto = true;
  } catch {
    console.log("moto HTTP              skipped: moto_server is not installed");
  }
}
if (moto) {
  const port = 45000 + Math.floor(Math.random() * 1000);
  const child = spawn("moto_server", ["-p", String(port)], { stdio: ["ignore", "ignore", "pipe"] });
  child.stderr.resume();
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    try {
      await fetch(url);
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    await measure("moto HTTP", (r) => fetch(r), url);
  } finally {
    child.kill("SIGTERM");
  }
}
