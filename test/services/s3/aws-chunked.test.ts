import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { createAwsChunkedDecoder } from "../../../src/services/s3/aws-chunked.ts";
import { prepareUpload } from "../../../src/services/s3/upload-body.ts";
import { AwsError } from "../../../src/protocol/errors.ts";
import { capturedAwsChunkedBodies } from "./captures.ts";

const enc = new TextEncoder();

function streamOf(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (const p of pieces) c.enqueue(p);
      c.close();
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** Decodes `body` split into pieces at the given offsets. */
async function decode(body: Uint8Array, splits: number[], decodedLength?: number) {
  const pieces: Uint8Array[] = [];
  let last = 0;
  for (const s of [...splits, body.length]) pieces.push(body.subarray(last, s)), (last = s);
  const decoder = createAwsChunkedDecoder({ decodedLength });
  const bytes = await readAll(streamOf(pieces).pipeThrough(decoder));
  return { bytes, trailers: decoder.trailers, signatures: decoder.signatures };
}

/** A signed aws-chunked body as in the AWS sigv4-streaming example (66560 bytes of 'a'). */
function signedBody(withTrailer: boolean): { body: Uint8Array; payload: Uint8Array } {
  const payload = enc.encode("a".repeat(66560));
  const sig = (n: number) => String(n).repeat(64).slice(0, 64);
  let text = `10000;chunk-signature=${sig(1)}\r\n${"a".repeat(65536)}\r\n400;chunk-signature=${sig(2)}\r\n${"a".repeat(1024)}\r\n0;chunk-signature=${sig(3)}\r\n`;
  if (withTrailer) {
    const crc = "aYlyLA=="; // placeholder, checked separately
    text += `x-amz-checksum-crc32:${crc}\r\nx-amz-trailer-signature:${sig(4)}\r\n`;
  }
  text += "\r\n";
  return { body: enc.encode(text), payload };
}

describe("aws-chunked decoder", () => {
  const captured = capturedAwsChunkedBodies();

  it("has captured bodies to test with", () => {
    expect(captured.length).toBeGreaterThanOrEqual(3);
  });

  for (const c of captured) {
    it(`decodes ${c.file} #${c.seq} split at every byte offset`, async () => {
      const decodedLength = Number(c.headers.get("x-amz-decoded-content-length"));
      const whole = await decode(c.body, [], decodedLength);
      expect(whole.bytes.length).toBe(decodedLength);
      expect(Object.keys(whole.trailers)).toEqual(["x-amz-checksum-crc32"]);
      const step = c.body.length > 2000 ? 7 : 1;
      for (let at = 1; at < c.body.length; at += step) {
        const split = await decode(c.body, [at], decodedLength);
        expect(Buffer.from(split.bytes).equals(Buffer.from(whole.bytes))).toBe(true);
        expect(split.trailers).toEqual(whole.trailers);
      }
      // One byte per read.
      const bytewise = await decode(c.body, Array.from({ length: c.body.length - 1 }, (_, i) => i + 1), decodedLength);
      expect(Buffer.from(bytewise.bytes).equals(Buffer.from(whole.bytes))).toBe(true);
    });

    it(`validates ${c.file} #${c.seq}'s trailer checksum through prepareUpload`, async () => {
      const { stream, result } = prepareUpload(c.headers, streamOf([c.body]));
      const bytes = await readAll(stream);
      const digest = await result;
      expect(digest.size).toBe(bytes.length);
      expect(digest.checksum.algorithm).toBe("CRC32");
      expect(`x-amz-checksum-crc32:${digest.checksum.value}`).toBe(
        new TextDecoder().decode(c.body).match(/x-amz-checksum-crc32:[A-Za-z0-9+/=]+/)![0],
      );
      expect(digest.etag).toBe(`"${createHash("md5").update(bytes).digest("hex")}"`);
    });

    it(`rejects ${c.file} #${c.seq} with a corrupted payload byte as BadDigest`, async () => {
      const body = c.body.slice();
      const firstData = new TextDecoder().decode(body).indexOf("\r\n") + 2;
      body[firstData] ^= 1;
      const { stream, result } = prepareUpload(c.headers, streamOf([body]));
      await expect(readAll(stream)).rejects.toMatchObject({ code: "BadDigest", message: "The CRC32 you specified did not match the calculated checksum." });
      await expect(result).rejects.toBeInstanceOf(AwsError);
    });
  }

  it("parses signed chunks (STREAMING-AWS4-HMAC-SHA256-PAYLOAD) and keeps the signatures", async () => {
    const { body, payload } = signedBody(false);
    for (const at of [1, 5, 10, 70, 84, 86, 87, 65620, 65625, body.length - 3, body.length - 1]) {
      const out = await decode(body, [at], payload.length);
      expect(Buffer.from(out.bytes).equals(Buffer.from(payload))).toBe(true);
      expect(out.signatures).toHaveLength(3);
      expect(out.trailers).toEqual({});
    }
  });

  it("parses signed trailers (…-PAYLOAD-TRAILER) and drops the trailer signature", async () => {
    const { body, payload } = signedBody(true);
    const out = await decode(body, [100, 66000], payload.length);
    expect(out.trailers).toEqual({ "x-amz-checksum-crc32": "aYlyLA==" });
  });

  it("fails a truncated body or one disagreeing with x-amz-decoded-content-length with IncompleteBody", async () => {
    const c = captured[0]!;
    const n = Number(c.headers.get("x-amz-decoded-content-length"));
    await expect(decode(c.body.subarray(0, c.body.length - 10), [], n)).rejects.toMatchObject({ code: "IncompleteBody" });
    await expect(decode(c.body, [], n + 1)).rejects.toMatchObject({ code: "IncompleteBody" });
    await expect(decode(c.body, [], n - 1)).rejects.toMatchObject({ code: "IncompleteBody" });
    await expect(decode(enc.encode("zz\r\nabc\r\n0\r\n\r\n"), [])).rejects.toMatchObject({ code: "IncompleteBody" });
  });
});

describe("aws-chunked uploads through the emulator", () => {
  it("replays the captured aws-chunked PutObject requests byte for byte and stores the decoded bodies", async () => {
    const { createEmulator } = await import("../../../src/emulator.ts");
    const emulator = createEmulator({});
    for (const c of capturedAwsChunkedBodies()) {
      const path = (await import("node:fs")).readFileSync(`/work/shared/captures/${c.file}`, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)).find((r) => r.seq === c.seq).request.path as string;
      const bucket = path.split("/")[1]!.split("?")[0]!;
      await emulator.fetch(new Request(`http://127.0.0.1:4566/${bucket}`, { method: "PUT" }));
      const headers = new Headers(c.headers);
      headers.delete("transfer-encoding");
      headers.delete("expect");
      headers.set("host", "127.0.0.1:4566");
      const res = await emulator.fetch(new Request(`http://127.0.0.1:4566${path}`, { method: "PUT", headers, body: c.body as BodyInit }));
      expect(res.status, await res.clone().text()).toBe(200);
      const sent = new TextDecoder().decode(c.body).match(/x-amz-checksum-crc32:([A-Za-z0-9+/=]+)/)![1];
      expect(res.headers.get("x-amz-checksum-crc32")).toBe(sent);
      const get = await emulator.fetch(new Request(`http://127.0.0.1:4566${path.split("?")[0]}`, { headers: { "x-amz-checksum-mode": "ENABLED" } }));
      const stored = new Uint8Array(await get.arrayBuffer());
      expect(stored.length).toBe(Number(c.headers.get("x-amz-decoded-content-length")));
      expect(get.headers.get("x-amz-checksum-crc32")).toBe(sent);
      expect(get.headers.get("content-encoding")).toBeNull();
    }
  });

  it("JS SDK PutObject with a stream body (aws-chunked + CRC32 trailer) over HTTP and in-process", async () => {
    const { S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand } = await import("@aws-sdk/client-s3");
    const { Readable } = await import("node:stream");
    const { createEmulator } = await import("../../../src/emulator.ts");
    const { inProcess, overHttp, startTestServer } = await import("../../helpers/clients.ts");
    const server = await startTestServer();
    try {
      for (const config of [overHttp(server.url), inProcess(createEmulator({}))]) {
        const s3 = new S3Client({ ...config, forcePathStyle: true } as NonNullable<ConstructorParameters<typeof S3Client>[0]>);
        await s3.send(new CreateBucketCommand({ Bucket: "stream-bucket" }));
        const payload = Buffer.alloc(300 * 1024 + 17, "streamed ");
        const put = await s3.send(new PutObjectCommand({ Bucket: "stream-bucket", Key: "s.bin", Body: Readable.from([payload.subarray(0, 1000), payload.subarray(1000)]), ContentLength: payload.length }));
        expect(put.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==$/);
        expect(put.ETag).toBe(`"${createHash("md5").update(payload).digest("hex")}"`);
        const got = await s3.send(new GetObjectCommand({ Bucket: "stream-bucket", Key: "s.bin", ChecksumMode: "ENABLED" }));
        expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
        expect(Buffer.from(await got.Body!.transformToByteArray()).equals(payload)).toBe(true);
      }
    } finally {
      await server.close();
    }
  });
});

describe("signed aws-chunked uploads through the emulator", () => {
  it("PutObject with STREAMING-AWS4-HMAC-SHA256-PAYLOAD (no Content-Encoding) and ...-PAYLOAD-TRAILER with a CRC32 trailer", async () => {
    const { createEmulator } = await import("../../../src/emulator.ts");
    const { checksumBase64 } = await import("../../../src/services/s3/checksums.ts");
    const emulator = createEmulator({});
    await emulator.fetch(new Request("http://localhost:4566/signed-bucket", { method: "PUT" }));
    const { body, payload } = signedBody(false);
    const auth = "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length, Signature=" + "0".repeat(64);
    const put = await emulator.fetch(new Request("http://localhost:4566/signed-bucket/plain", {
      method: "PUT",
      headers: { authorization: auth, "x-amz-date": "20261122T000000Z", "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD", "x-amz-decoded-content-length": String(payload.length) },
      body: body as BodyInit,
    }));
    expect(put.status, await put.clone().text()).toBe(200);
    expect(put.headers.get("etag")).toBe(`"${createHash("md5").update(payload).digest("hex")}"`);
    const got = new Uint8Array(await (await emulator.fetch(new Request("http://localhost:4566/signed-bucket/plain"))).arrayBuffer());
    expect(Buffer.from(got).equals(Buffer.from(payload))).toBe(true);

    const crc = await checksumBase64("CRC32", payload);
    const trailed = new TextDecoder().decode(signedBody(true).body).replace("aYlyLA==", crc);
    const put2 = await emulator.fetch(new Request("http://localhost:4566/signed-bucket/trailer", {
      method: "PUT",
      headers: {
        authorization: auth, "x-amz-date": "20261122T000000Z", "content-encoding": "aws-chunked",
        "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER", "x-amz-trailer": "x-amz-checksum-crc32",
        "x-amz-decoded-content-length": String(payload.length),
      },
      body: trailed,
    }));
    expect(put2.status, await put2.clone().text()).toBe(200);
    expect(put2.headers.get("x-amz-checksum-crc32")).toBe(crc);
    const bad = await emulator.fetch(new Request("http://localhost:4566/signed-bucket/trailer", {
      method: "PUT",
      headers: {
        authorization: auth, "content-encoding": "aws-chunked", "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
        "x-amz-trailer": "x-amz-checksum-crc32", "x-amz-decoded-content-length": String(payload.length),
      },
      body: trailed.replace(crc, "AAAAAA=="),
    }));
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("<Code>BadDigest</Code>");
  });
});
