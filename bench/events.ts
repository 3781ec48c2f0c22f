/**
 * EventBridge, in-process: PutEvents of 10 entries to a bus with 100 rules (one of which
 * matches each event, delivering to SQS), and end-to-end latency from PutEvents to the event
 * being receivable on the SQS target. Reports requests/s and p50/p99.
 *
 *   npx tsx bench/events.ts
 */
import { createEmulator } from "../src/emulator.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const emulator = createEmulator();
const auth = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

async function call(service: "events" | "sqs", operation: string, body: unknown): Promise<any> {
  const target = service === "events" ? `AWSEvents.${operation}` : `AmazonSQS.${operation}`;
  const type = service === "events" ? "application/x-amz-json-1.1" : "application/x-amz-json-1.0";
  const response = await emulator.fetch(new Request("http://127.0.0.1:4566/", {
    method: "POST",
    headers: { "content-type": type, "x-amz-target": target, authorization: auth(service) },
    body: JSON.stringify(body),
  }));
  const json = await response.json();
  if (response.status !== 200) throw new Error(JSON.stringify(json));
  return json;
}

const { QueueUrl } = await call("sqs", "CreateQueue", { QueueName: "bench-events" });
const queueArn = "arn:aws:sqs:us-east-1:000000000000:bench-events";
await call("events", "CreateEventBus", { Name: "bench" });
for (let i = 0; i < 100; i++) {
  const pattern = { source: [`app.${i}`], detail: { kind: [{ prefix: "order" }], total: [{ numeric: [">", 10] }] } };
  await call("events", "PutRule", { Name: `rule-${i}`, EventBusName: "bench", EventPattern: JSON.stringify(pattern) });
  if (i === 0) await call("events", "PutTargets", { Rule: "rule-0", EventBusName: "bench", Targets: [{ Id: "q", Arn: queueArn }] });
}

// 1. PutEvents throughput: 10 entries per request, routed against 100 rules.
const entries = Array.from({ length: 10 }, (_, k) => ({
  Source: `app.${k * 10 + 1}`, DetailType: "Order", EventBusName: "bench", Detail: JSON.stringify({ kind: "order-placed", total: 42, k }),
}));
let requests = 0;
let deadline = performance.now() + SECONDS * 1000;
while (performance.now() < deadline) {
  await call("events", "PutEvents", { Entries: entries });
  requests++;
}
await emulator.settled();
console.log(`events.PutEvents (10 entries, 100 rules, in-process): ${(requests / SECONDS).toFixed(0)} requests/s, ${((requests * 10) / SECONDS).toFixed(0)} events/s`);

// 2. PutEvents → SQS target: time until the event is receivable.
const one = [{ Source: "app.0", DetailType: "Order", EventBusName: "bench", Detail: JSON.stringify({ kind: "order", total: 11 }) }];
const latencies: number[] = [];
deadline = performance.now() + SECONDS * 1000;
while (performance.now() < deadline) {
  const start = performance.now();
  await call("events", "PutEvents", { Entries: one });
  for (;;) {
    const out = await call("sqs", "ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
    if (out.Messages?.length) {
      await call("sqs", "DeleteMessage", { QueueUrl, ReceiptHandle: out.Messages[0].ReceiptHandle });
      break;
    }
  }
  latencies.push(performance.now() - start);
}
latencies.sort((a, b) => a - b);
const p = (q: number) => latencies[Math.floor(latencies.length * q)]!.toFixed(2);
console.log(`events PutEvents→SQS receivable (in-process, 100 rules): p50 ${p(0.5)} ms  p99 ${p(0.99)} ms  ${(latencies.length / SECONDS).toFixed(0)} round trips/s`);
