/**
 * The console's endpoints without a browser: the page, `/_fetchstack/call`, the request log
 * (JSON and server-sent events), the SQS peek view, `ui: false`, and pinned ports.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SQSClient, CreateQueueCommand, SendMessageCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { S3Client, CreateBucketCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { createEmulator, inProcess, startTestServer } from "../helpers/clients.ts";
import { banner, parseServerOptions } from "../../src/runtime/options.ts";

const call = (emulator: ReturnType<typeof createEmulator>, service: string, operation: string, input: unknown, query = "") =>
  emulator.fetch(new Request(`http://localhost:4566/_fetchstack/call/${service}/${operation}${query}`, { method: "POST", body: JSON.stringify(input) }));

describe("console endpoints", () => {
  it("serves one HTML page with its script and styles inline", async () => {
    const emulator = createEmulator();
    const response = await emulator.fetch(new Request("http://localhost:4566/_fetchstack/ui"));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await response.text();
    expect(html).toContain("<fs-console></fs-console>");
    expect(html).toMatch(/<script type="module">[\s\S]+customElements\.define\("fs-console"/);
    expect(html).not.toMatch(/src="http|href="http/);
    // Exactly one closing script tag: the bundle never ends the inline script early.
    expect(html.match(/<\/script/g)).toHaveLength(1);
  });

  it("is served under a base path, and not at all with ui: false", async () => {
    const mounted = createEmulator({ basePath: "/aws" });
    expect((await mounted.fetch(new Request("http://localhost/aws/_fetchstack/ui"))).status).toBe(200);
    const off = createEmulator({ ui: false });
    expect((await off.fetch(new Request("http://localhost:4566/_fetchstack/ui"))).status).toBe(404);
    expect((await call(off, "sqs", "ListQueues", {})).status).toBe(404);
    expect((await off.fetch(new Request("http://localhost:4566/_fetchstack/health"))).status).toBe(200);
  });

  it("runs operations as JSON in the account and region asked for, with AWS's errors", async () => {
    const emulator = createEmulator();
    const created = await call(emulator, "sqs", "CreateQueue", { QueueName: "jobs" }, "?account=111122223333&region=eu-west-1");
    expect(created.status).toBe(200);
    expect((await created.json()).QueueUrl).toBe("http://localhost:4566/111122223333/jobs");
    const sqs = new SQSClient({ ...inProcess(emulator, "eu-west-1"), credentials: { accessKeyId: "111122223333", secretAccessKey: "x" } });
    await sqs.send(new SendMessageCommand({ QueueUrl: "http://localhost:4566/111122223333/jobs", MessageBody: "hello" }));
    // Not in the default account and region.
    expect(await (await call(emulator, "sqs", "ListQueues", {})).json()).toEqual({});
    const missing = await call(emulator, "sqs", "GetQueueUrl", { QueueName: "nope" });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ __type: "QueueDoesNotExist" });
    const invalid = await call(emulator, "sqs", "CreateQueue", {});
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).__type).toMatch(/^MissingRequiredParameter/);
    expect((await call(emulator, "sqs", "NoSuchOperation", {})).status).toBe(400);
    expect((await call(emulator, "nosuch", "X", {})).status).toBe(404);
    expect((await call(emulator, "sqs", "ListQueues", {}, "?account=12")).status).toBe(400);
  });

  it("carries blobs as base64 both ways (S3 bodies, streamed outputs read whole)", async () => {
    const emulator = createEmulator();
    const s3 = new S3Client({ ...inProcess(emulator), forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "bkt" }));
    const put = await call(emulator, "s3", "PutObject", { Bucket: "bkt", Key: "k.bin", Body: Buffer.from([0, 1, 2, 255]).toString("base64"), ContentType: "application/x-test", Metadata: { a: "1" } });
    expect(put.status).toBe(200);
    const got = await (await call(emulator, "s3", "GetObject", { Bucket: "bkt", Key: "k.bin" })).json();
    expect(got).toMatchObject({ Body: "AAEC/w==", ContentType: "application/x-test", Metadata: { a: "1" }, ContentLength: 4 });
    const big = new Uint8Array(3 * 1024 * 1024).fill(7);
    await s3.send(new PutObjectCommand({ Bucket: "bkt", Key: "big", Body: big }));
    const gotBig = await (await call(emulator, "s3", "GetObject", { Bucket: "bkt", Key: "big" })).json();
    expect(Buffer.from(gotBig.Body, "base64").equals(Buffer.from(big))).toBe(true);
    const missing = await call(emulator, "s3", "GetObject", { Bucket: "bkt", Key: "nope" });
    expect(missing.status).toBe(404);
    expect((await missing.json()).__type).toBe("NoSuchKey");
  });

  it("peeks SQS messages without receiving them", async () => {
    const emulator = createEmulator();
    const sqs = new SQSClient(inProcess(emulator));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "peek" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "one", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "two" }));
    for (let i = 0; i < 2; i++) {
      const view = await (await emulator.fetch(new Request("http://localhost:4566/_fetchstack/services/sqs/messages?queue=peek"))).json();
      expect(view.total).toBe(2);
      expect(view.messages.map((m: { Body: string }) => m.Body)).toEqual(["one", "two"]);
      expect(view.messages[0]).toMatchObject({ ReceiveCount: 0, MessageAttributes: { k: { DataType: "String", StringValue: "v" } } });
    }
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, AttributeNames: ["All"] }));
    expect(received.Messages?.map((m) => m.Attributes?.ApproximateReceiveCount)).toEqual(["1", "1"]);
    const after = await (await emulator.fetch(new Request("http://localhost:4566/_fetchstack/services/sqs/messages?queue=peek"))).json();
    expect(after.messages[0].ReceiveCount).toBe(1);
    const none = await (await emulator.fetch(new Request("http://localhost:4566/_fetchstack/services/sqs/messages?queue=nope"))).json();
    expect(none).toMatchObject({ messages: [], error: "no queue named 'nope'" });
  });

  it("logs requests in a bounded ring, with bodies only while someone listens", async () => {
    const emulator = createEmulator({ requestLog: 3 });
    const sqs = new SQSClient(inProcess(emulator));
    for (const name of ["a", "b", "c", "d"]) await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const log = await (await emulator.fetch(new Request("http://localhost:4566/_fetchstack/requests"))).json();
    expect(log.entries.map((e: { id: number }) => e.id)).toEqual([2, 3, 4]);
    expect(log.entries[2]).toMatchObject({ service: "sqs", operation: "CreateQueue", status: 200, account: "000000000000", region: "us-east-1", method: "POST", bodies: false });
    expect(typeof log.entries[2].latencyMs).toBe("number");

    // A listener: the stream replays the ring, then each new request as it completes.
    const abort = new AbortController();
    const stream = await emulator.fetch(new Request("http://localhost:4566/_fetchstack/requests/stream", { headers: { "last-event-id": "3" }, signal: abort.signal }));
    expect(stream.headers.get("content-type")).toBe("text/event-stream");
    const reader = stream.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const until = async (pattern: RegExp) => {
      while (!pattern.test(text)) text += (await reader.read()).value ?? "";
    };
    await until(/id: 4\n/);
    expect(text).not.toContain("id: 3\n");
    await sqs.send(new CreateQueueCommand({ QueueName: "e", Attributes: { DelaySeconds: "5" } }));
    await expect(sqs.send(new CreateQueueCommand({ QueueName: "bad name!" }))).rejects.toThrow();
    await until(/id: 6\n/);
    const events = text.split("\n").filter((l) => l.startsWith("data: ")).map((l) => JSON.parse(l.slice(6)));
    expect(events.map((e) => [e.id, e.operation, e.status])).toEqual([[4, "CreateQueue", 200], [5, "CreateQueue", 200], [6, "CreateQueue", 400]]);
    const full = await (await emulator.fetch(new Request("http://localhost:4566/_fetchstack/requests/5"))).json();
    expect(JSON.parse(full.request.text)).toEqual({ QueueName: "e", Attributes: { DelaySeconds: "5" } });
    expect(full.response).toMatchObject({ encoding: "utf8", truncated: false, contentType: "application/x-amz-json-1.0" });
    expect(JSON.parse(full.response.text).QueueUrl).toContain("/000000000000/e");
    abort.abort();
    await reader.cancel().catch(() => {});
    expect((await emulator.fetch(new Request("http://localhost:4566/_fetchstack/requests/1"))).status).toBe(404);

    const off = createEmulator({ requestLog: 0 });
    expect((await off.fetch(new Request("http://localhost:4566/_fetchstack/requests"))).status).toBe(404);
  });
});

describe("console flags", () => {
  it("--no-ui and --request-log (and their environment variables) reach the emulator's options", () => {
    const on = parseServerOptions([], {}, ["sqs"]);
    expect([on.ui, on.requestLog]).toEqual([true, undefined]);
    expect(banner(on, ["sqs"], "Node", { main: 4566, pinned: {} })).toContain("console: http://127.0.0.1:4566/_fetchstack/ui");
    const off = parseServerOptions(["--no-ui", "--request-log", "0"], {}, ["sqs"]);
    expect([off.ui, off.requestLog]).toEqual([false, 0]);
    expect(banner(off, ["sqs"], "Node", { main: 4566, pinned: {} })).not.toContain("_fetchstack/ui");
    expect(parseServerOptions([], { FETCHSTACK_UI: "0", FETCHSTACK_REQUEST_LOG: "50" }, ["sqs"])).toMatchObject({ ui: false, requestLog: 50 });
    expect(() => parseServerOptions(["--request-log", "many"], {}, ["sqs"])).toThrow(/--request-log/);
  });
});

describe("console over HTTP", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ servicePorts: { sqs: 0 } });
  });
  afterAll(() => server?.close());

  it("is served on the main port, never on a port pinned to one service", async () => {
    expect((await fetch(`${server.url}/_fetchstack/ui`)).status).toBe(200);
    const pinned = `http://127.0.0.1:${server.ports.pinned.sqs}`;
    expect((await fetch(`${pinned}/_fetchstack/ui`)).status).toBe(404);
    expect((await fetch(`${pinned}/_fetchstack/call/sqs/ListQueues`, { method: "POST", body: "{}" })).status).toBe(404);
  });
});
