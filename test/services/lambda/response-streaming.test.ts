/**
 * Response streaming through @aws-sdk/client-lambda: a Node handler wrapped in
 * `awslambda.streamifyResponse` really streams (the client reads the first chunk while the
 * function is still running: the function waits for a file the test writes only after that
 * chunk arrived), its content type and HTTP prelude, a failure mid-stream, and a plain Invoke
 * of the same function (the whole response).
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  LambdaClient, CreateFunctionCommand, CreateFunctionUrlConfigCommand, InvokeCommand, InvokeWithResponseStreamCommand,
} from "@aws-sdk/client-lambda";
import { createEmulator } from "../../../src/emulator.ts";
import { createNodeLambdaRunner } from "../../../src/runtime/node.ts";
import { inProcess } from "../../helpers/clients.ts";
import { ROLE, zip } from "./zips.ts";

const runner = createNodeLambdaRunner({ idleMs: 5_000 });
afterAll(() => runner.close());
const text = (bytes?: Uint8Array) => new TextDecoder().decode(bytes);
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

const STREAMING = `
import { existsSync } from "node:fs";
export const handler = awslambda.streamifyResponse(async (event, responseStream, context) => {
  if (event.mode === "http" || event.rawPath === "/web") {
    const stream = awslambda.HttpResponseStream.from(responseStream, { statusCode: 201, headers: { "x-a": "1" } });
    stream.write("hello ");
    stream.end("web");
    return;
  }
  responseStream.setContentType("text/plain");
  responseStream.write("first;");
  const flag = event.flag ?? event.queryStringParameters?.flag;
  if (flag) {
    const until = Date.now() + 20000;
    while (!existsSync(flag) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    responseStream.write(existsSync(flag) ? "saw-flag;" : "no-flag;");
  }
  if (event.fail) throw new TypeError("broke after " + context.awsRequestId.length);
  responseStream.write("last");
  responseStream.end();
});
`;

describe("Lambda response streaming (Node runner)", () => {
  const emulator = createEmulator({ lambdaRunner: runner });
  const lambda = new LambdaClient(inProcess(emulator));

  it("sends each chunk as the function writes it, with the function's content type", async () => {
    await lambda.send(new CreateFunctionCommand({ FunctionName: "streamer", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: zip({ "index.mjs": STREAMING }) }, Timeout: 30 }));
    const flag = join(mkdtempSync(join(tmpdir(), "fetchstack-stream-")), "go");
    const out = await lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "streamer", Payload: json({ flag }), LogType: "Tail" }));
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe("$LATEST");
    expect(out.ResponseStreamContentType).toBe("text/plain");
    const chunks: string[] = [];
    let complete: Record<string, unknown> | undefined;
    for await (const e of out.EventStream!) {
      if (e.PayloadChunk) {
        chunks.push(text(e.PayloadChunk.Payload));
        // Only now may the function go on: a buffered response would never get here.
        if (chunks.join("") === "first;") writeFileSync(flag, "");
      }
      if (e.InvokeComplete) complete = e.InvokeComplete as Record<string, unknown>;
    }
    expect(chunks.join("")).toBe("first;saw-flag;last");
    expect(chunks.length).toBeGreaterThanOrEqual(2);
    expect(complete).toBeDefined();
    expect(complete!.ErrorCode).toBeUndefined();
    expect(Buffer.from(String(complete!.LogResult), "base64").toString()).toMatch(/^START RequestId: .*\nEND RequestId: /ms);
  }, 60_000);

  it("reports a failure after some chunks in InvokeComplete", async () => {
    const out = await lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "streamer", Payload: json({ fail: true }) }));
    const events: any[] = [];
    for await (const e of out.EventStream!) events.push(e);
    expect(text(events[0].PayloadChunk.Payload)).toBe("first;");
    expect(events.at(-1)).toEqual({ InvokeComplete: { ErrorCode: "TypeError", ErrorDetails: "broke after 36" } });
  }, 60_000);

  it("writes the HTTP prelude of awslambda.HttpResponseStream.from", async () => {
    const out = await lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "streamer", Payload: json({ mode: "http" }) }));
    expect(out.ResponseStreamContentType).toBe("application/vnd.awslambda.http-integration-response");
    const parts: Uint8Array[] = [];
    for await (const e of out.EventStream!) if (e.PayloadChunk?.Payload) parts.push(e.PayloadChunk.Payload);
    const all = Buffer.concat(parts);
    const sep = all.indexOf(Buffer.alloc(8));
    expect(JSON.parse(all.subarray(0, sep).toString())).toEqual({ statusCode: 201, headers: { "x-a": "1" } });
    expect(all.subarray(sep + 8).toString()).toBe("hello web");
  }, 60_000);

  it("serves a function URL from the prelude and body a streaming function writes", async () => {
    const url = await lambda.send(new CreateFunctionUrlConfigCommand({ FunctionName: "streamer", AuthType: "NONE", InvokeMode: "RESPONSE_STREAM" }));
    const id = /^https:\/\/([a-z0-9]{32})\./.exec(url.FunctionUrl!)![1];
    const web = await emulator.fetch(new Request(`http://localhost:4566/2021-10-31/url/${id}/web`));
    expect([web.status, web.headers.get("x-a"), await web.text()]).toEqual([201, "1", "hello web"]);
    const plainText = await emulator.fetch(new Request(`http://localhost:4566/2021-10-31/url/${id}/other`));
    expect([plainText.status, plainText.headers.get("content-type"), await plainText.text()]).toEqual([200, "text/plain", "first;last"]);
    // RESPONSE_STREAM: the client reads the first chunk while the function still runs.
    const flag = join(mkdtempSync(join(tmpdir(), "fetchstack-url-stream-")), "go");
    const live = await emulator.fetch(new Request(`http://localhost:4566/2021-10-31/url/${id}/live?flag=${encodeURIComponent(flag)}`));
    expect(live.status).toBe(200);
    const reader = live.body!.getReader();
    let received = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      received += text(value);
      if (received === "first;") writeFileSync(flag, "");
    }
    expect(received).toBe("first;saw-flag;last");
  }, 60_000);

  it("answers a plain Invoke of a streaming function with the whole response", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "streamer", Payload: json({}) }));
    expect(out.FunctionError).toBeUndefined();
    expect(text(out.Payload)).toBe("first;last");
    const failed = await lambda.send(new InvokeCommand({ FunctionName: "streamer", Payload: json({ fail: true }) }));
    expect(failed.FunctionError).toBe("Unhandled");
    expect(JSON.parse(text(failed.Payload))).toMatchObject({ errorType: "TypeError", errorMessage: "broke after 36" });
  }, 60_000);

  it("answers AWS's errors before any stream", async () => {
    await expect(lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "missing", Payload: json({}) })))
      .rejects.toMatchObject({ name: "ResourceNotFoundException" });
  });
});
