/**
 * SNS → SQS end-to-end latency, in-process: Publish to a topic with one SQS subscription, then
 * ReceiveMessage until the envelope is receivable; reports p50/p99 of publish-to-receivable and
 * the sequential publish+receive rate. (Publish throughput against moto is the
 * `sns.Publish (1 SQS subscription)` case of `npm run bench`.)
 *
 *   npx tsx bench/sns-fanout-latency.ts
 */
import { createEmulator } from "../src/emulator.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const emulator = createEmulator();
const auth = (service: string) => `AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

async function sns(params: Record<string, string>): Promise<string> {
  const response = await emulator.fetch(new Request("http://127.0.0.1:4566/", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", authorization: auth("sns") },
    body: new URLSearchParams({ ...params, Version: "2010-03-31" }).toString(),
  }));
  const text = await response.text();
  if (response.status !== 200) throw new Error(text);
  return text;
}

async function sqs(operation: string, body: unknown): Promise<any> {
  const response = await emulator.fetch(new Request("http://127.0.0.1:4566/", {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `AmazonSQS.${operation}`, authorization: auth("sqs") },
    body: JSON.stringify(body),
  }));
  const json = await response.json();
  if (response.status !== 200) throw new Error(JSON.stringify(json));
  return json;
}

const { QueueUrl } = await sqs("CreateQueue", { QueueName: "latency-q" });
await sns({ Action: "CreateTopic", Name: "latency" });
const topicArn = "arn:aws:sns:us-east-1:000000000000:latency";
await sns({ Action: "Subscribe", TopicArn: topicArn, Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:000000000000:latency-q" });

const latencies: number[] = [];
const deadline = performance.now() + SECONDS * 1000;
while (performance.now() < deadline) {
  const start = performance.now();
  await sns({ Action: "Publish", TopicArn: topicArn, Message: "ping" });
  for (;;) {
    const out = await sqs("ReceiveMessage", { QueueUrl, MaxNumberOfMessages: 1, WaitTimeSeconds: 1 });
    if (out.Messages?.length) {
      await sqs("DeleteMessage", { QueueUrl, ReceiptHandle: out.Messages[0].ReceiptHandle });
      break;
    }
  }
  latencies.push(performance.now() - start);
}
latencies.sort((a, b) => a - b);
const p = (q: number) => latencies[Math.floor(latencies.length * q)]!.toFixed(2);
console.log(`SNS→SQS publish-to-receivable (in-process): p50 ${p(0.5)} ms  p99 ${p(0.99)} ms  ${(latencies.length / SECONDS).toFixed(0)} round trips/s`);
