import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import {
  checksumBase64,
  combineCrcs,
  compositeChecksum,
  createDigest,
  isWellFormedChecksum,
  multipartEtag,
  parseAlgorithm,
  supportedChecksumTypes,
  CHECKSUM_ALGORITHMS,
  useDigestBackend,
  useNativeDigests,
} from "../../../src/services/s3/checksums.ts";

const enc = new TextEncoder();
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

describe("S3 checksums", () => {
  it("matches the checksums real clients sent in the captures", async () => {
    // boto3 over https: trailer x-amz-checksum-crc32:73ZvIA== for this body.
    expect(await checksumBase64("CRC32", enc.encode("hello from boto3 over https\n"))).toBe("73ZvIA==");
  });

  for (const backend of ["native", "wasm", "portable"] as const) it(`computes the published check values of each algorithm (${backend})`, async () => {
    useDigestBackend(backend);
    const check = enc.encode("123456789");
    const hex = async (alg: (typeof CHECKSUM_ALGORITHMS)[number]) => Buffer.from(await checksumBase64(alg, check), "base64").toString("hex");
    expect(await hex("CRC32")).toBe("cbf43926");
    expect(await hex("CRC32C")).toBe("e3069283");
    expect(await hex("CRC64NVME")).toBe("ae8b14860a799888");
    expect(await hex("SHA1")).toBe(createHash("sha1").update(check).digest("hex"));
    expect(await hex("SHA256")).toBe(createHash("sha256").update(check).digest("hex"));
    const md5 = createDigest("MD5");
    md5.update(check);
    expect(Buffer.from(await md5.digest()).toString("hex")).toBe(createHash("md5").update(check).digest("hex"));
    useNativeDigests(true);
  });

  for (const backend of ["native", "wasm", "portable"] as const) it(`streams: updates in pieces give the one-shot digest (${backend})`, async () => {
    useDigestBackend(backend);
    const data = enc.encode("x".repeat(10_000) + "y".repeat(777));
    for (const alg of [...CHECKSUM_ALGORITHMS, "MD5"] as const) {
      const d = createDigest(alg);
      for (let i = 0; i < data.length; i += 1000) d.update(data.subarray(i, i + 1000));
      const whole = createDigest(alg);
      whole.update(data);
      expect(b64(await d.digest())).toBe(b64(await whole.digest()));
    }
    const md5 = createDigest("MD5");
    md5.update(data);
    expect(Buffer.from(await md5.digest()).toString("hex")).toBe(createHash("md5").update(data).digest("hex"));
    useDigestBackend("native");
  });

  it("WASM digests: a reused instance starts afresh, and bytes given before instantiation are hashed in order", async () => {
    useDigestBackend("wasm");
    const parts = [enc.encode("abc"), enc.encode("def"), enc.encode("x".repeat(70_000))];
    const expected = createHash("md5").update(Buffer.concat(parts)).digest("hex");
    // Several at once (none idle yet: each instantiates while bytes arrive), then again (reused).
    for (let round = 0; round < 2; round++) {
      const digests = Array.from({ length: 3 }, () => createDigest("MD5"));
      for (const p of parts) for (const d of digests) d.update(p);
      for (const d of digests) expect(Buffer.from(await d.digest()).toString("hex")).toBe(expected);
    }
    useDigestBackend("native");
  });

  it("WASM digests in flight at once share one instance: interleaved and abandoned digests keep their own state", async () => {
    useDigestBackend("wasm");
    const bodies = Array.from({ length: 40 }, (_, i) => enc.encode(`body-${i}-`.repeat(50 + i * 37)));
    for (const alg of ["CRC64NVME", "CRC32C", "SHA256", "MD5"] as const) {
      const digests = bodies.map(() => createDigest(alg));
      const abandoned = createDigest(alg);
      // Piece by piece, round-robin over every digest in flight (as concurrent uploads arrive).
      for (let at = 0; at < 5000; at += 333) {
        for (let i = 0; i < bodies.length; i++) digests[i]!.update(bodies[i]!.subarray(at, Math.min(at + 333, 5000)));
        abandoned.update(enc.encode("never finished"));
      }
      const got = await Promise.all(digests.map((d) => d.digest()));
      for (let i = 0; i < bodies.length; i++) {
        const whole = createDigest(alg);
        whole.update(bodies[i]!.subarray(0, 5000));
        expect(b64(got[i]!), `${alg} body ${i}`).toBe(b64(await whole.digest()));
      }
    }
    const md5 = createDigest("MD5");
    md5.update(bodies[3]!);
    expect(Buffer.from(await md5.digest()).toString("hex")).toBe(createHash("md5").update(bodies[3]!).digest("hex"));
    useDigestBackend("native");
  });

  it("combines part CRCs into the FULL_OBJECT CRC of the whole", async () => {
    const parts = [enc.encode("a".repeat(5 * 1024 + 3)), enc.encode("bcd".repeat(1000)), enc.encode("z")];
    const whole = Buffer.concat(parts);
    for (const alg of ["CRC32", "CRC32C", "CRC64NVME"] as const) {
      const partSums = await Promise.all(parts.map(async (p) => ({ checksum: await checksumBase64(alg, p), size: p.length })));
      expect(combineCrcs(alg, partSums)).toBe(await checksumBase64(alg, whole));
    }
  });

  it("builds COMPOSITE checksums and multipart ETags from the parts", async () => {
    const parts = [enc.encode("part one"), enc.encode("part two")];
    const sums = await Promise.all(parts.map((p) => checksumBase64("SHA256", p)));
    const raw = Buffer.concat(sums.map((s) => Buffer.from(s, "base64")));
    expect(await compositeChecksum("SHA256", sums)).toBe(createHash("sha256").update(raw).digest("base64") + "-2");
    const md5s = parts.map((p) => createHash("md5").update(p).digest("hex"));
    const expected = createHash("md5").update(Buffer.concat(md5s.map((h) => Buffer.from(h, "hex")))).digest("hex");
    expect(multipartEtag(md5s.map((h) => `"${h}"`))).toBe(`"${expected}-2"`);
  });

  it("knows the checksum types per algorithm and rejects malformed values", () => {
    expect(supportedChecksumTypes("CRC64NVME")).toEqual(["FULL_OBJECT"]);
    expect(supportedChecksumTypes("SHA256")).toEqual(["COMPOSITE"]);
    expect(supportedChecksumTypes("CRC32")).toContain("FULL_OBJECT");
    expect(parseAlgorithm("crc32c")).toBe("CRC32C");
    expect(parseAlgorithm("md5")).toBeUndefined();
    expect(isWellFormedChecksum("CRC32", "73ZvIA==")).toBe(true);
    expect(isWellFormedChecksum("CRC32", "73ZvIA")).toBe(false);
    expect(isWellFormedChecksum("SHA1", "73ZvIA==")).toBe(false);
  });
});
