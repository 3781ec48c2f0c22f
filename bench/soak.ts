/**
 * Soak test (issue 22; not part of `npm test`): SOAK_CONNECTIONS (default 256) concurrent
 * loops against the Node server for SOAK_SECONDS (default 60), each mixing S3 PutObject/GetObject,
 * SQS SendMessage/ReceiveMessage/DeleteMessage and DynamoDB PutItem/GetItem, then checks that
 * every acknowledged write is readable with the bytes written, and that every SQS message sent
 * was received exactly once (by its body, across receives; none lost, none duplicated).
 * Reports error count (goal 0), p50/p99 latency per operation and the server's RSS growth.
 *
 *   npm run build && npx tsx bench/soak.ts
 *   SOAK_DATA_DIR=/tmp/soak npx tsx bench/soak.ts    # on the durable store (--data-dir: Deno KV)
 *
 * Traffic goes to 127.0.0.1 only; loops stop at the deadline, so the run is bounded.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request as httpRequest } from "undici";
import { sigv4 } from "./cases/types.ts";

const CONNECTIONS = Number(process.env.SOAK_CONNECTIONS ?? 256);
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60);
const DATA_DIR = process.env.SOAK_DATA_DIR;
const ACCOUNT = "000000000000";

interface Req {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

const json = (prefix: string, version: string, service: string) => (operation: string, body: unknown): Req => ({
  method: "POST",
  path: "/",
  headers: { "content-type": `application/x-amz-json-${version}`, "x-amz-target": `${prefix}.${operation}`, authorization: sigv4(service), "x-amz-date": "20261122T000000Z" },
  body: JSON.stringify(body),
});
const ddb = json("DynamoDB_20120810", "1.0", "dynamodb");
const sqs = json("AmazonSQS", "1.0", "sqs");
const s3 = (method: string, path: string, body?: string): Req => ({
  method,
  path,
  headers: { authorization: sigv4("s3"), "x-amz-date": "20261122T000000Z", "x-amz-content-sha256": "UNSIGNED-PAYLOAD", ...(body !== undefined ? { "content-type": "application/octet-stream" } : {}) },
  body,
});

function rssOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
}

async function main(): Promise<void> {
  const port = 47000 + Math.floor(Math.random() * 2000);
  const args = ["dist/cli.js", "--port", String(port), "--no-ui", ...(DATA_DIR ? ["--data-dir", DATA_DIR] : [])];
  const server = spawn("node", args, { stdio: ["ignore", "pipe", "pipe"] });
  let serverLog = "";
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer) => {
      serverLog += d.toString();
      if (/fetchstack on Node/.test(serverLog)) resolve();
    };
    server.stdout!.on("data", onData);
    server.stderr!.on("data", onData);
    server.once("exit", (code) => reject(new Error(`server exited ${code}: ${serverLog}`)));
  });
  const url = `http://127.0.0.1:${port}`;
  const dispatcher = new Agent({ connections: CONNECTIONS, pipelining: 1, headersTimeout: 120_000, bodyTimeout: 120_000 });
  const latencies = new Map<string, number[]>();
  let errors = 0;
  const errorSamples: string[] = [];
  const send = async (name: string, r: Req): Promise<{ status: number; text: string }> => {
    const start = performance.now();
    try {
      const response = await httpRequest(url + r.path, { method: r.method as never, headers: r.headers, body: r.body, dispatcher });
      const text = await response.body.text();
      (latencies.get(name) ?? latencies.set(name, []).get(name)!).push(performance.now() - start);
      if (response.statusCode >= 300) {
        errors++;
        if (errorSamples.length < 5) errorSamples.push(`${name} ${response.statusCode} ${text.slice(0, 200)}`);
      }
      return { status: response.statusCode, text };
    } catch (error) {
      errors++;
      if (errorSamples.length < 5) errorSamples.push(`${name} ${String(error)}`);
      return { status: 0, text: "" };
    }
  };

  await send("setup", s3("PUT", "/soak"));
  await send("setup", ddb("CreateTable", {
    TableName: "soak", BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }],
  }));
  await send("setup", sqs("CreateQueue", { QueueName: "soak", Attributes: { VisibilityTimeout: "600" } }));
  const queueUrl = `${url}/${ACCOUNT}/soak`;
  const rssStart = rssOf(server.pid!);

  const objects = new Map<string, string>();
  const items = new Map<string, string>();
  const sent = new Set<string>();
  const received = new Map<string, number>();
  const receive = async () => {
    const r = await send("sqs.ReceiveMessage", sqs("ReceiveMessage", { QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (r.status !== 200) return 0;
    const messages = (JSON.parse(r.text).Messages ?? []) as { Body: string; ReceiptHandle: string }[];
    for (const m of messages) {
      received.set(m.Body, (received.get(m.Body) ?? 0) + 1);
      await send("sqs.DeleteMessage", sqs("DeleteMessage", { QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
    }
    return messages.length;
  };

  const deadline = performance.now() + SECONDS * 1000;
  let peakRss = rssStart;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, rssOf(server.pid!))), 500);
  await Promise.all(Array.from({ length: CONNECTIONS }, async (_, loop) => {
    for (let n = 0; performance.now() < deadline; n++) {
      const id = `${loop}-${n}`;
      const body = `${id}:${"s".repeat(200 + (n % 800))}`;
      switch (n % 4) {
        case 0:
          if ((await send("s3.PutObject", s3("PUT", `/soak/k/${id}?x-id=PutObject`, body))).status === 200) objects.set(id, body);
          if (n > 4) await send("s3.GetObject", s3("GET", `/soak/k/${loop}-${n - 4}?x-id=GetObject`));
          break;
        case 1:
          if ((await send("sqs.SendMessage", sqs("SendMessage", { QueueUrl: queueUrl, MessageBody: id }))).status === 200) sent.add(id);
          break;
        case 2:
          if ((await send("dynamodb.PutItem", ddb("PutItem", { TableName: "soak", Item: { pk: { S: id }, v: { S: body } } }))).status === 200) items.set(id, body);
          if (n > 4) await send("dynamodb.GetItem", ddb("GetItem", { TableName: "soak", Key: { pk: { S: `${loop}-${n - 4}` } } }));
          break;
        default:
          await receive();
      }
    }
  }));
  clearInterval(sampler);
  const rssEnd = rssOf(server.pid!);

  // Verification: every acknowledged write reads back; the queue drains to exactly what was sent.
  let missingObjects = 0, missingItems = 0;
  const verify = async <T>(entries: [string, T][], check: (e: [string, T]) => Promise<boolean>) => {
    let missing = 0;
    for (let i = 0; i < entries.length; i += 64) {
      const results = await Promise.all(entries.slice(i, i + 64).map(check));
      missing += results.filter((ok) => !ok).length;
    }
    return missing;
  };
  missingObjects = await verify([...objects], async ([id, body]) => (await send("verify", s3("GET", `/soak/k/${id}?x-id=GetObject`))).text === body);
  missingItems = await verify([...items], async ([id, body]) => {
    const r = await send("verify", ddb("GetItem", { TableName: "soak", Key: { pk: { S: id } }, ConsistentRead: true }));
    return r.status === 200 && JSON.parse(r.text).Item?.v?.S === body;
  });
  for (let empty = 0; empty < 3;) empty = (await receive()) === 0 ? empty + 1 : 0;
  const lost = [...sent].filter((id) => !received.has(id)).length;
  const duplicated = [...received.values()].filter((count) => count > 1).length;
  const unknown = [...received.keys()].filter((id) => !sent.has(id)).length;

  await dispatcher.close();
  server.kill("SIGTERM");

  const MiB = 1024 * 1024;
  const total = [...latencies.entries()].filter(([name]) => name !== "setup" && name !== "verify").reduce((n, [, l]) => n + l.length, 0);
  console.log(`soak: ${CONNECTIONS} connections for ${SECONDS} s on the ${DATA_DIR ? "Deno KV (--data-dir)" : "memory"} store: ${total} requests (${Math.round(total / SECONDS)}/s), ${errors} errors`);
  for (const [name, l] of [...latencies.entries()].sort()) {
    if (name === "setup" || name === "verify") continue;
    l.sort((a, b) => a - b);
    console.log(`  ${name.padEnd(22)} ${String(l.length).padStart(8)}  p50 ${l[Math.floor(l.length / 2)]!.toFixed(1)} ms  p99 ${l[Math.floor(l.length * 0.99)]!.toFixed(1)} ms`);
  }
  console.log(`  acknowledged writes: ${objects.size} objects (${missingObjects} unreadable or different), ${items.size} items (${missingItems} unreadable or different)`);
  console.log(`  SQS: ${sent.size} sent, ${received.size} received, ${lost} lost, ${duplicated} delivered twice, ${unknown} unknown`);
  console.log(`  server RSS: ${(rssStart / MiB).toFixed(0)} MiB after setup, peak ${(peakRss / MiB).toFixed(0)} MiB, ${(rssEnd / MiB).toFixed(0)} MiB at the end`);
  for (const sample of errorSamples) console.log(`  error: ${sample}`);
  const ok = errors === 0 && missingObjects === 0 && missingItems === 0 && lost === 0 && duplicated === 0 && unknown === 0;
  console.log(ok ? "soak: nothing lost" : "soak: FAILED");
  process.exit(ok ? 0 : 1);
}

await main();
