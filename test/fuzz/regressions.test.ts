/**
 * Fixed requests the fuzz suite once found mishandled, kept as plain regression tests.
 */
import { describe, expect, it } from "vitest";
import { Decoder } from "cbor-x";
import { createEmulator } from "../../src/emulator.ts";
import { signRequest } from "./harness.ts";

const cbor = new Decoder({ mapsAsObjects: true, useRecords: false });

describe("fuzz regressions", () => {
  it("an unsigned Smithy RPC v2 request is routed by its path (/service/<service>/operation/<op>), not to S3", async () => {
    const emulator = createEmulator();
    const response = await emulator.fetch(new Request("http://localhost:4566/service/GraniteServiceVersion20100801/operation/PutMetricData", {
      method: "POST",
      headers: { "smithy-protocol": "rpc-v2-cbor", "content-type": "application/cbor", authorization: "AWS test:sig" },
      body: new Uint8Array([0xa0]),
    }));
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toBe("application/cbor");
    const error = cbor.decode(new Uint8Array(await response.arrayBuffer())) as { __type: string };
    expect(error.__type).toBe("com.amazonaws.cloudwatch#ValidationException");
  });

  it("a null element of a list or map in a JSON body is a ValidationException, not a 500 (SSM GetParameters, CloudWatch PutMetricData)", async () => {
    const emulator = createEmulator();
    const json = (target: string, body: unknown, version = "1.1") => emulator.fetch(new Request("http://localhost:4566/", {
      method: "POST",
      headers: { "x-amz-target": target, "content-type": `application/x-amz-json-${version}` },
      body: JSON.stringify(body),
    }));
    const ssm = await json("AmazonSSM.GetParameters", { Names: ["a", null] });
    expect(ssm.status).toBe(400);
    const body = (await ssm.json()) as { __type: string; Message?: string; message?: string };
    expect(body.__type).toBe("com.amazonaws.ssm#ValidationException");
    expect(body.Message ?? body.message).toBe("1 validation error detected: Value null at 'names.2.member' failed to satisfy constraint: Member must not be null");
    const cw = await json("GraniteServiceVersion20100801.PutMetricData", { Namespace: "n", MetricData: [null] }, "1.0");
    expect(cw.status).toBe(400);
    expect(((await cw.json()) as { message: string }).message).toContain("Value null at 'metricData.1.member' failed to satisfy constraint: Member must not be null");
    const tags = await json("AmazonSSM.AddTagsToResource", { ResourceType: "Parameter", ResourceId: "p", Tags: [{ Key: "k", Value: "v" }] });
    expect(tags.status).not.toBe(500);
  });

  it("a streaming payload is still readable after signature verification hashed the body (Lambda InvokeAsync, --verify-signatures)", async () => {
    const emulator = createEmulator({ verifySignatures: true, credentials: { test: "test" } });
    // Signed as botocore signs it: no x-amz-content-sha256, so the emulator hashes the body to verify.
    const body = new TextEncoder().encode("{}");
    const request = signRequest(new Request("http://localhost:4566/2014-11-13/functions/nope/invoke-async/", {
      method: "POST", headers: { "content-type": "application/octet-stream" }, body,
    }), body, "lambda", "encode-again", Date.now());
    const response = await emulator.fetch(request);
    // Before the fix: 500 "request body already read as bytes".
    expect(response.status).toBe(404);
    expect(response.headers.get("x-amzn-errortype")).toMatch(/^ResourceNotFoundException/);
  });
});
