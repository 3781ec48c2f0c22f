import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { checksumHeaders, checksumOutput, prepareUpload, storedContentEncoding } from "../../../src/services/s3/upload-body.ts";

const enc = new TextEncoder();
const body = enc.encode("hello from boto3 over https\n");
const md5 = (b: Uint8Array) => createHash("md5").update(b).digest("base64");

async function upload(headers: Record<string, string>, data: Uint8Array = body) {
  const { stream, result } = prepareUpload(new Headers(headers), new ReadableStream({ start(c) { c.enqueue(data); c.close(); } }));
  await new Response(stream).arrayBuffer();
  return result;
}

describe("prepareUpload", () => {
  it("computes the ETag and CRC64NVME by default (S3's default checksum)", async () => {
    const d = await upload({ "content-length": String(body.length) });
    expect(d.etag).toBe(`"${createHash("md5").update(body).digest("hex")}"`);
    expect(d.checksum).toMatchObject({ algorithm: "CRC64NVME", type: "FULL_OBJECT" });
    expect(d.checksumRequested).toBe(false);
  });

  it("accepts botocore's header checksum (x-amz-checksum-crc32 + x-amz-sdk-checksum-algorithm)", async () => {
    const d = await upload({ "x-amz-checksum-crc32": "73ZvIA==", "x-amz-sdk-checksum-algorithm": "CRC32" });
    expect(d.checksum).toEqual({ algorithm: "CRC32", value: "73ZvIA==", type: "FULL_OBJECT" });
    expect(checksumOutput(d.checksum, "ENABLED")).toEqual({ ChecksumCRC32: "73ZvIA==", ChecksumType: "FULL_OBJECT" });
    expect(checksumHeaders(d.checksum, "enabled")).toEqual({ "x-amz-checksum-crc32": "73ZvIA==", "x-amz-checksum-type": "FULL_OBJECT" });
    expect(checksumOutput(d.checksum, null)).toEqual({});
  });

  it("checks Content-MD5 (CLI v2): BadDigest on mismatch, InvalidDigest when malformed", async () => {
    await expect(upload({ "content-md5": md5(body) })).resolves.toMatchObject({ size: body.length });
    await expect(upload({ "content-md5": md5(enc.encode("other")) })).rejects.toMatchObject({
      code: "BadDigest",
      status: 400,
      message: "The Content-MD5 you specified did not match what we received.",
    });
    expect(() => prepareUpload(new Headers({ "content-md5": "abc" }), null)).toThrow(expect.objectContaining({ code: "InvalidDigest", message: "The Content-MD5 you specified was invalid." }));
  });

  it("rejects a wrong flexible checksum with BadDigest naming the algorithm", async () => {
    await expect(upload({ "x-amz-checksum-sha256": createHash("sha256").update("x").digest("base64") })).rejects.toMatchObject({
      code: "BadDigest",
      message: "The SHA256 you specified did not match the calculated checksum.",
    });
  });

  it("rejects conflicting or malformed checksum headers with InvalidRequest before reading", () => {
    const bad = (h: Record<string, string>) => () => prepareUpload(new Headers(h), null);
    expect(bad({ "x-amz-checksum-crc32": "73ZvIA==", "x-amz-checksum-crc32c": "73ZvIA==" })).toThrow(expect.objectContaining({ code: "InvalidRequest", message: "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed." }));
    expect(bad({ "x-amz-checksum-crc32": "nope" })).toThrow(expect.objectContaining({ code: "InvalidRequest", message: "Value for x-amz-checksum-crc32 header is invalid." }));
    expect(bad({ "x-amz-sdk-checksum-algorithm": "CRC32" })).toThrow(expect.objectContaining({ code: "InvalidRequest" }));
    expect(bad({ "x-amz-sdk-checksum-algorithm": "MD4", "x-amz-checksum-crc32": "73ZvIA==" })).toThrow(expect.objectContaining({ code: "InvalidRequest" }));
    expect(bad({ "x-amz-sdk-checksum-algorithm": "SHA1", "x-amz-checksum-crc32": "73ZvIA==" })).toThrow(expect.objectContaining({ code: "InvalidRequest" }));
  });

  it("fails a body shorter than Content-Length with IncompleteBody", async () => {
    await expect(upload({ "content-length": String(body.length + 5) })).rejects.toMatchObject({ code: "IncompleteBody" });
  });

  it("stores Content-Encoding without aws-chunked", () => {
    expect(storedContentEncoding("aws-chunked")).toBeUndefined();
    expect(storedContentEncoding("aws-chunked,gzip")).toBe("gzip");
  });
});
