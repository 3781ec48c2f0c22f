/**
 * Fixed requests the fuzz suite once found mishandled, kept as plain regression tests.
 */
import { describe, expect, it } from "vitest";
import { Decoder } from "cbor-x";
import { createEmulator } from "../../src/emulator.ts";

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
});
