/** The terminal's request log (`--log requests|debug`, FETCHSTACK_LOG): one line per request. */
import { describe, expect, it } from "vitest";
import { createEmulator } from "../../src/emulator.ts";
import { parseServerOptions } from "../../src/runtime/options.ts";
import { formatRequest, requestPrinter } from "../../src/runtime/request-printer.ts";
import { SERVICE_NAMES } from "../../src/services/registry.ts";

const signed = (service: string) => `AWS4-HMAC-SHA256 Credential=123456789012/20260101/eu-west-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

describe("request log", () => {
  it("prints time, service, operation, status, latency, account and region per request", async () => {
    const lines: string[] = [];
    const aws = createEmulator({ onRequest: requestPrinter("requests", (l) => lines.push(l)), requestLog: 0 });
    await aws.fetch(new Request("http://localhost/", {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ListQueues", authorization: signed("sqs") },
      body: "{}",
    }));
    await aws.fetch(new Request("http://localhost/", {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.GetQueueUrl", authorization: signed("sqs") },
      body: JSON.stringify({ QueueName: "missing" }),
    }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z  sqs ListQueues 200 \d+\.\dms  123456789012 eu-west-1$/);
    expect(lines[1]).toMatch(/ sqs GetQueueUrl 400 /);
    expect(lines.join("\n")).not.toContain("QueueName");
  });

  it("debug adds the bodies, cut to a bounded length", async () => {
    const lines: string[] = [];
    const aws = createEmulator({ onRequest: requestPrinter("debug", (l) => lines.push(l)) });
    await aws.fetch(new Request("http://localhost/", {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.CreateQueue", authorization: signed("sqs") },
      body: JSON.stringify({ QueueName: "q".repeat(80), Attributes: { Policy: "x".repeat(5000) } }),
    }));
    const [line, request, response] = lines[0]!.split("\n");
    expect(line).toMatch(/ sqs CreateQueue \d{3} /);
    expect(request).toMatch(/^  > \{"QueueName":"q{80}"/);
    expect(request).toMatch(/… \(\d+ bytes\)$/);
    expect(request!.length).toBeLessThan(2200);
    expect(response).toMatch(/^  < /);
  });

  it("is off by default in embedders and reads --log / FETCHSTACK_LOG", () => {
    expect(requestPrinter(undefined, () => {})).toBeUndefined();
    expect(requestPrinter("off", () => {})).toBeUndefined();
    expect(parseServerOptions([], {}, SERVICE_NAMES).log).toBeUndefined();
    expect(parseServerOptions(["--log", "debug"], {}, SERVICE_NAMES).log).toBe("debug");
    expect(parseServerOptions([], { FETCHSTACK_LOG: "requests" }, SERVICE_NAMES).log).toBe("requests");
    expect(() => parseServerOptions(["--log", "loud"], {}, SERVICE_NAMES)).toThrow(/--log: expected off, requests, debug/);
    expect(formatRequest({ id: 1, time: 0, requestId: "r", service: "s3", operation: "", status: 404, latencyMs: 1.234, account: "000000000000", region: "us-east-1", method: "GET", path: "/" }))
      .toBe("1970-01-01T00:00:00.000Z  s3 - 404 1.2ms  000000000000 us-east-1");
  });
});
