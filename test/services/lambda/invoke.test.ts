/**
 * Invoke runs the function's code for real (no Docker): Node ESM and CommonJS handlers,
 * callback style, errors, timeouts, logs, environment, the context object, a function calling
 * fetchstack's S3 and SQS from inside, layers, aliases, and asynchronous invocations with
 * retries and destinations on a manual clock. In-process through @aws-sdk/client-lambda.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  LambdaClient, CreateFunctionCommand, InvokeCommand, UpdateFunctionConfigurationCommand, PublishVersionCommand,
  UpdateFunctionCodeCommand, CreateAliasCommand, PublishLayerVersionCommand, PutFunctionEventInvokeConfigCommand,
  PutFunctionConcurrencyCommand, InvokeWithResponseStreamCommand, CreateFunctionUrlConfigCommand,
} from "@aws-sdk/client-lambda";
import { CreateBucketCommand, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CloudWatchLogsClient, DescribeLogStreamsCommand, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { createNodeLambdaRunner } from "../../../src/runtime/node.ts";
import { inProcess } from "../../helpers/clients.ts";
import { ROLE, zip } from "./zips.ts";

const runner = createNodeLambdaRunner({ idleMs: 5_000 });
afterAll(() => runner.close());
const text = (bytes?: Uint8Array) => new TextDecoder().decode(bytes);
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

describe("Lambda Invoke (Node runner)", () => {
  const clock = createManualClock(Date.now());
  const emulator = createEmulator({ lambdaRunner: runner, clock });
  const lambda = new LambdaClient(inProcess(emulator));
  const s3 = new S3Client({ ...inProcess(emulator), forcePathStyle: true });
  const sqs = new SQSClient(inProcess(emulator));
  const create = (name: string, files: Record<string, string>, extra: Record<string, unknown> = {}) =>
    lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: zip(files) }, ...extra }));
  const invoke = (name: string, payload?: unknown, extra: Record<string, unknown> = {}) =>
    lambda.send(new InvokeCommand({ FunctionName: name, ...(payload !== undefined ? { Payload: json(payload) } : {}), ...extra }));

  it("runs an ESM handler with the event, context and environment", async () => {
    await create("echo", {
      "index.mjs": `export const handler = async (event, context) => ({
        event, name: context.functionName, version: context.functionVersion, arn: context.invokedFunctionArn,
        requestId: context.awsRequestId, remaining: context.getRemainingTimeInMillis(), memory: context.memoryLimitInMB,
        env: { fn: process.env.AWS_LAMBDA_FUNCTION_NAME, region: process.env.AWS_REGION, custom: process.env.GREETING,
               endpoint: process.env.AWS_ENDPOINT_URL, handler: process.env._HANDLER } });`,
    }, { Environment: { Variables: { GREETING: "hello" } }, Timeout: 5 });
    const out = await invoke("echo", { a: 1 });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBeUndefined();
    expect(out.ExecutedVersion).toBe("$LATEST");
    const body = JSON.parse(text(out.Payload));
    expect(body).toMatchObject({
      event: { a: 1 }, name: "echo", version: "$LATEST", arn: "arn:aws:lambda:us-east-1:000000000000:function:echo", memory: "128",
      env: { fn: "echo", region: "us-east-1", custom: "hello", handler: "index.handler" },
    });
    expect(body.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.remaining).toBeGreaterThan(3000);
    expect(body.remaining).toBeLessThanOrEqual(5000);
    expect(body.env.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it("runs CommonJS callback handlers and reuses the warm environment", async () => {
    await create("counter", {
      "lib/app.js": `let count = 0; exports.run = function (event, context, callback) { count++; setTimeout(() => callback(null, { count }), 5); };`,
    }, { Handler: "lib/app.run" });
    expect(JSON.parse(text((await invoke("counter", {})).Payload))).toEqual({ count: 1 });
    expect(JSON.parse(text((await invoke("counter", {})).Payload))).toEqual({ count: 2 });
    // A configuration change starts a fresh environment.
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: "counter", MemorySize: 256 }));
    expect(JSON.parse(text((await invoke("counter", {})).Payload))).toEqual({ count: 1 });
  });

  it("returns errors as AWS does, with the log tail", async () => {
    await create("thrower", {
      "index.js": `class ValidationError extends Error { constructor(m) { super(m); this.name = "ValidationError"; } }
        exports.handler = async (event) => { console.log("about to fail", event.n); throw new ValidationError("bad input " + event.n); };`,
    });
    const out = await invoke("thrower", { n: 7 }, { LogType: "Tail" });
    expect(out.StatusCode).toBe(200);
    expect(out.FunctionError).toBe("Unhandled");
    const error = JSON.parse(text(out.Payload));
    expect(error).toMatchObject({ errorType: "ValidationError", errorMessage: "bad input 7" });
    expect(error.trace[0]).toBe("ValidationError: bad input 7");
    const log = Buffer.from(out.LogResult!, "base64").toString();
    expect(log).toMatch(/^START RequestId: [0-9a-f-]{36} Version: \$LATEST\n/m);
    expect(log).toMatch(/\t[0-9a-f-]{36}\tINFO\tabout to fail 7\n/);
    expect(log).toMatch(/\tERROR\tInvoke Error \t\{"errorType":"ValidationError"/);
    expect(log).toMatch(/\nEND RequestId: [0-9a-f-]{36}\nREPORT RequestId: [0-9a-f-]{36}\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 128 MB/);
    // The same lines reach CloudWatch Logs, in /aws/lambda/<name>, one stream per environment.
    await emulator.settled();
    const logs = new CloudWatchLogsClient(inProcess(emulator));
    const streams = await logs.send(new DescribeLogStreamsCommand({ logGroupName: "/aws/lambda/thrower" }));
    expect(streams.logStreams!.map((s) => s.logStreamName)).toEqual([expect.stringMatching(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/)]);
    const events = await logs.send(new FilterLogEventsCommand({ logGroupName: "/aws/lambda/thrower" }));
    const messages = events.events!.map((e) => e.message);
    expect(messages[0]).toMatch(/^START RequestId: /);
    expect(messages.some((m) => m!.endsWith("\tINFO\tabout to fail 7"))).toBe(true);
    expect(messages.some((m) => m!.startsWith("REPORT RequestId: "))).toBe(true);
  });

  it("answers a missing handler and a missing module as the runtime does", async () => {
    await create("nohandler", { "index.mjs": "export const other = () => 1;" });
    const a = await invoke("nohandler", {});
    expect(a.FunctionError).toBe("Unhandled");
    expect(JSON.parse(text(a.Payload))).toMatchObject({ errorType: "Runtime.HandlerNotFound", errorMessage: "index.handler is undefined or not exported" });
    await create("nomodule", { "other.js": "exports.handler = () => 1;" });
    const b = await invoke("nomodule", {});
    expect(JSON.parse(text(b.Payload))).toMatchObject({ errorType: "Runtime.ImportModuleError", errorMessage: expect.stringContaining("Cannot find module 'index'") });
  });

  it("ends a function that runs past its timeout", async () => {
    await create("sleeper", { "index.mjs": "export const handler = () => new Promise(() => { setInterval(() => {}, 1000); });" }, { Timeout: 1 });
    const out = await invoke("sleeper", {}, { LogType: "Tail" });
    expect(out.FunctionError).toBe("Unhandled");
    expect(JSON.parse(text(out.Payload))).toEqual({ errorType: "Sandbox.Timedout", errorMessage: expect.stringMatching(/^RequestId: [0-9a-f-]{36} Error: Task timed out after 1\.00 seconds$/) });
    expect(Buffer.from(out.LogResult!, "base64").toString()).toContain("Task timed out after 1.00 seconds");
  });

  it("lets the function call fetchstack's S3 and SQS with the AWS SDK", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "from-lambda" }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "from-lambda" }));
    await create("writer", {
      "index.mjs": `import { S3Client, PutObjectCommand } from "@aws-sdk/client-s3";
        import { SQSClient, GetQueueUrlCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
        const s3 = new S3Client({ forcePathStyle: true });
        const sqs = new SQSClient({});
        export const handler = async (event) => {
          await s3.send(new PutObjectCommand({ Bucket: "from-lambda", Key: event.key, Body: event.body }));
          const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: event.queue }));
          const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: event.body }));
          return { messageId: sent.MessageId, QueueUrl };
        };`,
    }, { Timeout: 20 });
    const out = await invoke("writer", { key: "hello.txt", body: "written by a function", queue: "from-lambda" });
    expect(out.FunctionError, text(out.Payload)).toBeUndefined();
    const object = await s3.send(new GetObjectCommand({ Bucket: "from-lambda", Key: "hello.txt" }));
    expect(await object.Body!.transformToString()).toBe("written by a function");
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(received.Messages?.[0]).toMatchObject({ Body: "written by a function", MessageId: JSON.parse(text(out.Payload)).messageId });
  });

  it("runs versions and aliases, and loads layers", async () => {
    const layer = await lambda.send(new PublishLayerVersionCommand({
      LayerName: "greeter", Content: { ZipFile: zip({ "nodejs/node_modules/greeter/index.js": "module.exports = (n) => 'hello ' + n;" }) },
    }));
    await create("versioned", { "index.js": "const greet = require('greeter'); exports.handler = async () => greet('v1');" }, { Layers: [layer.LayerVersionArn!] });
    await lambda.send(new PublishVersionCommand({ FunctionName: "versioned" }));
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: "versioned", ZipFile: zip({ "index.js": "exports.handler = async () => 'v2';" }) }));
    await lambda.send(new CreateAliasCommand({ FunctionName: "versioned", Name: "stable", FunctionVersion: "1" }));
    const v1 = await invoke("versioned", undefined, { Qualifier: "stable" });
    expect(text(v1.Payload)).toBe('"hello v1"');
    expect(v1.ExecutedVersion).toBe("1");
    expect(text((await invoke("versioned:$LATEST")).Payload)).toBe('"v2"');
    expect(text((await invoke("versioned", undefined, { Qualifier: "1" })).Payload)).toBe('"hello v1"');
  });

  it("streams the response with InvokeWithResponseStream (one chunk, then InvokeComplete)", async () => {
    const out = await lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "echo", Payload: json({ streamed: true }), LogType: "Tail" }));
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe("$LATEST");
    const events: any[] = [];
    for await (const e of out.EventStream!) events.push(e);
    expect(events).toHaveLength(2);
    expect(JSON.parse(text(events[0].PayloadChunk.Payload)).event).toEqual({ streamed: true });
    expect(Buffer.from(events[1].InvokeComplete.LogResult, "base64").toString()).toMatch(/^START RequestId: /m);
    const failed = await lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "thrower", Payload: json({ n: 1 }) }));
    const failedEvents: any[] = [];
    for await (const e of failed.EventStream!) failedEvents.push(e);
    expect(failedEvents).toEqual([{ InvokeComplete: { ErrorCode: "ValidationError", ErrorDetails: "bad input 1" } }]);
  });

  it("runs a provided.al2023 function's own bootstrap against the Runtime API", async () => {
    const bootstrap = [
      "#!/usr/bin/env python3",
      "import json, os, urllib.request",
      "api = 'http://' + os.environ['AWS_LAMBDA_RUNTIME_API'] + '/2018-06-01/runtime/invocation/'",
      "while True:",
      "    r = urllib.request.urlopen(api + 'next')",
      "    rid = r.headers['Lambda-Runtime-Aws-Request-Id']",
      "    event = json.loads(r.read())",
      "    body = json.dumps({'custom': True, 'handler': os.environ['_HANDLER'], 'got': event}).encode()",
      "    urllib.request.urlopen(urllib.request.Request(api + rid + '/response', data=body, method='POST')).read()",
    ].join("\n") + "\n";
    await lambda.send(new CreateFunctionCommand({ FunctionName: "custom", Runtime: "provided.al2023", Role: ROLE, Handler: "my.handler", Code: { ZipFile: zip({ bootstrap }) } }));
    const out = await invoke("custom", { x: 1 });
    expect(out.FunctionError, text(out.Payload)).toBeUndefined();
    expect(JSON.parse(text(out.Payload))).toEqual({ custom: true, handler: "my.handler", got: { x: 1 } });
  });

  it("serves function URLs: payload format 2.0 in, the function's result as the HTTP response", async () => {
    await create("web", {
      "index.mjs": `export const handler = async (event) => event.rawPath === "/plain" ? { plain: true } : ({
        statusCode: 201, headers: { "x-hello": "world", "content-type": "application/json" }, cookies: ["a=1"],
        body: JSON.stringify({ version: event.version, path: event.rawPath, method: event.requestContext.http.method,
          query: event.queryStringParameters, body: event.body, b64: event.isBase64Encoded, header: event.headers["x-custom"], cookies: event.cookies }) });`,
    });
    const url = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "web", AuthType: "NONE" }));
    const id = /^https:\/\/([a-z0-9]{32})\.lambda-url\.us-east-1\.on\.aws\/$/.exec(url.FunctionUrl!)![1];
    const response = await emulator.fetch(new Request(`http://localhost:4566/2021-10-31/url/${id}/items/7?color=red`, {
      method: "POST", body: '{"name":"x"}', headers: { "content-type": "application/json", "x-custom": "yes", cookie: "session=abc" },
    }));
    expect(response.status).toBe(201);
    expect(response.headers.get("x-hello")).toBe("world");
    expect(response.headers.get("set-cookie")).toBe("a=1");
    expect(await response.json()).toEqual({
      version: "2.0", path: "/items/7", method: "POST", query: { color: "red" }, body: '{"name":"x"}', b64: false, header: "yes", cookies: ["session=abc"],
    });
    const plain = await emulator.fetch(new Request(`http://localhost:4566/2021-10-31/url/${id}/plain`));
    expect([plain.status, await plain.json()]).toEqual([200, { plain: true }]);
    const missing = await emulator.fetch(new Request(`http://localhost:4566/2021-10-31/url/${"a".repeat(32)}/`));
    expect(missing.status).toBe(404);
  });

  it("answers AWS's errors for bad payloads, unknown qualifiers, throttles and DryRun", async () => {
    const bad = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: new TextEncoder().encode("not json") })).catch((e) => e);
    expect(bad.name).toBe("InvalidRequestContentException");
    expect(bad.message).toMatch(/^Could not parse request body into json: Could not parse payload into json: /);
    const big = await lambda.send(new InvokeCommand({ FunctionName: "echo", Payload: json({ s: "x".repeat(6 * 1024 * 1024) }) })).catch((e) => e);
    expect([big.name, big.$metadata.httpStatusCode, big.message]).toEqual(["RequestTooLargeException", 413, "Request must be smaller than 6291456 bytes for the InvokeFunction operation"]);
    const missing = await invoke("echo", {}, { Qualifier: "9" }).catch((e) => e);
    expect([missing.name, missing.message]).toEqual(["ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:echo:9"]);
    expect((await invoke("echo", {}, { InvocationType: "DryRun" })).StatusCode).toBe(204);
    await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: "echo", ReservedConcurrentExecutions: 0 }));
    const throttled = await invoke("echo", {}).catch((e) => e);
    expect([throttled.name, throttled.$metadata.httpStatusCode, throttled.Reason]).toEqual(["TooManyRequestsException", 429, "ReservedFunctionConcurrentInvocationLimitExceeded"]);
  });

  it("runs Event invocations in the background, retries them, then sends them to the destination", async () => {
    const { QueueUrl: failures } = await sqs.send(new CreateQueueCommand({ QueueName: "failures" }));
    const { QueueUrl: successes } = await sqs.send(new CreateQueueCommand({ QueueName: "successes" }));
    await create("flaky", { "index.mjs": "export const handler = async (e) => { if (e.fail) throw new Error('nope'); return { ok: e.n }; };" });
    await lambda.send(new PutFunctionEventInvokeConfigCommand({
      FunctionName: "flaky",
      DestinationConfig: {
        OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:failures" },
        OnSuccess: { Destination: "arn:aws:sqs:us-east-1:000000000000:successes" },
      },
    }));
    const ok = await invoke("flaky", { n: 1 }, { InvocationType: "Event" });
    expect(ok.StatusCode).toBe(202);
    await emulator.settled();
    const success = await sqs.send(new ReceiveMessageCommand({ QueueUrl: successes }));
    expect(JSON.parse(success.Messages![0]!.Body!)).toMatchObject({
      version: "1.0", requestContext: { condition: "Success", approximateInvokeCount: 1 }, requestPayload: { n: 1 }, responsePayload: { ok: 1 },
    });

    await invoke("flaky", { fail: true }, { InvocationType: "Event" });
    await emulator.settled();
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: failures }))).Messages).toBeUndefined();
    await clock.advance(60_000);
    await emulator.settled();
    await clock.advance(120_000);
    await emulator.settled();
    const failed = await sqs.send(new ReceiveMessageCommand({ QueueUrl: failures }));
    expect(JSON.parse(failed.Messages![0]!.Body!)).toMatchObject({
      requestContext: { condition: "RetriesExhausted", approximateInvokeCount: 3 },
      responseContext: { functionError: "Unhandled" }, responsePayload: { errorType: "Error", errorMessage: "nope" },
    });
    const view = await emulator.fetch(new Request("http://localhost/_fetchstack/services/lambda/invocations?function=flaky"));
    const records = await view.json();
    // Both first attempts ran at the same (manual) time, so compare without their order.
    expect(records.map((r: any) => [r.InvocationType, r.Attempt, r.FunctionError ?? null]).sort()).toEqual([
      ["Event", 1, null], ["Event", 1, "Unhandled"], ["Event", 2, "Unhandled"], ["Event", 3, "Unhandled"],
    ]);
  });

  it("is invoked by other services through ctx.invoke with Payload as bytes", async () => {
    // The gateway's own dispatch is what services use; Invoke must take raw bytes there.
    const response = await emulator.fetch(new Request("http://localhost:4566/2015-03-31/functions/flaky/invocations", {
      method: "POST", body: JSON.stringify({ n: 5 }),
      headers: { authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=x" },
    }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: 5 });
  });
});

describe("Lambda Invoke without a runner", () => {
  it("answers InvalidRuntimeException saying why, never a fake success", async () => {
    const emulator = createEmulator();
    const lambda = new LambdaClient({ ...inProcess(emulator), maxAttempts: 1 });
    await lambda.send(new CreateFunctionCommand({ FunctionName: "f", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: zip({ "index.js": "exports.handler = () => 1" }) } }));
    const error = await lambda.send(new InvokeCommand({ FunctionName: "f" })).catch((e) => e);
    expect(error.name).toBe("InvalidRuntimeException");
    expect(error.$metadata.httpStatusCode).toBe(502);
    expect(error.message).toContain("fetchstack cannot run function code in this runtime");
  });
});

describe("Lambda Invoke (Node runner's work directory)", () => {
  it("replaces a node_modules link left by a checkout that no longer exists", async () => {
    const { mkdtempSync, symlinkSync, readlinkSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const workDir = mkdtempSync(join(tmpdir(), "fetchstack-lambda-test-"));
    symlinkSync(join(workDir, "deleted-checkout", "node_modules"), join(workDir, "node_modules"), "dir");
    const stale = createNodeLambdaRunner({ workDir, idleMs: 1_000 });
    try {
      const emulator = createEmulator({ lambdaRunner: stale });
      const lambda = new LambdaClient(inProcess(emulator));
      await lambda.send(new CreateFunctionCommand({
        FunctionName: "sdk-user", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler",
        Code: { ZipFile: zip({ "index.mjs": `import { SQSClient } from "@aws-sdk/client-sqs";\nexport const handler = async () => typeof SQSClient;` }) },
      }));
      const out = await lambda.send(new InvokeCommand({ FunctionName: "sdk-user" }));
      expect(out.FunctionError, text(out.Payload)).toBeUndefined();
      expect(JSON.parse(text(out.Payload))).toBe("function");
      expect(readlinkSync(join(workDir, "node_modules"))).not.toContain("deleted-checkout");
    } finally {
      await stale.close();
      rmSync(workDir, { recursive: true, force: true });
    }
  });
});
