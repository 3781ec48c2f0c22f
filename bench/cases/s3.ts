/**
 * S3 cases over restXml, as the JS SDK sends them: path style, SigV4 header, unsigned payload
 * hash, and on uploads its default flexible checksum (CRC32 in `x-amz-checksum-crc32`).
 */
import { crc32 } from "@aws-crypto/crc32";
import { sigv4, type BenchCase, type BenchRequest } from "./types.ts";

const KIB = "k".repeat(1024);
const MIB = "m".repeat(1024 * 1024);
/** 64 MiB and its checksum, built on first use (only when a 64 MiB case runs). */
let mib64: { body: string; checksum: Record<string, string> } | undefined;
function big(): { body: string; checksum: Record<string, string> } {
  if (!mib64) {
    const body = "g".repeat(64 * 1024 * 1024);
    mib64 = { body, checksum: sdkChecksum(body) };
  }
  return mib64;
}

function crc32Base64(text: string): string {
  const value = crc32(new TextEncoder().encode(text)) >>> 0;
  return btoa(String.fromCharCode(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff));
}

/** The checksum headers the JS SDK adds to a PutObject by default. */
function sdkChecksum(body: string): Record<string, string> {
  return { "x-amz-sdk-checksum-algorithm": "CRC32", "x-amz-checksum-crc32": crc32Base64(body) };
}
const KIB_CHECKSUM = sdkChecksum(KIB);
const MIB_CHECKSUM = sdkChecksum(MIB);

function s3(method: string, path: string, body?: string, extra: Record<string, string> = {}): BenchRequest {
  return {
    method,
    path,
    headers: {
      authorization: sigv4("s3"),
      "x-amz-date": "20261122T000000Z",
      "x-amz-content-sha256": "UNSIGNED-PAYLOAD",
      ...(body !== undefined ? { "content-type": "application/octet-stream" } : {}),
      ...extra,
    },
    body,
  };
}

const createBucket = s3("PUT", "/bench-bucket");
let n = 0;

export const s3Cases: BenchCase[] = [
  {
    name: "s3.PutObject 1 KiB",
    service: "s3",
    moto: true,
    setup: [createBucket],
    request: () => s3("PUT", `/bench-bucket/put-1k-${n++ % 1000}?x-id=PutObject`, KIB, KIB_CHECKSUM),
  },
  {
    name: "s3.GetObject 1 KiB",
    service: "s3",
    moto: true,
    setup: [createBucket, s3("PUT", "/bench-bucket/get-1k", KIB)],
    request: () => s3("GET", "/bench-bucket/get-1k?x-id=GetObject"),
  },
  {
    name: "s3.PutObject 1 MiB",
    service: "s3",
    moto: true,
    setup: [createBucket],
    request: () => s3("PUT", `/bench-bucket/put-1m-${n++ % 100}?x-id=PutObject`, MIB, MIB_CHECKSUM),
  },
  {
    // No checksum named (curl, older SDKs, moto's own clients): S3 computes CRC64NVME anyway.
    name: "s3.PutObject 1 MiB (no checksum)",
    service: "s3",
    moto: true,
    setup: [createBucket],
    request: () => s3("PUT", `/bench-bucket/put-1m-${n++ % 100}?x-id=PutObject`, MIB),
  },
  {
    name: "s3.GetObject 1 MiB",
    service: "s3",
    moto: true,
    setup: [createBucket, s3("PUT", "/bench-bucket/get-1m", MIB)],
    request: () => s3("GET", "/bench-bucket/get-1m?x-id=GetObject"),
  },
  {
    // Few distinct keys: moto keeps every body in memory.
    name: "s3.PutObject 64 MiB",
    service: "s3",
    moto: true,
    setup: [createBucket],
    request: () => s3("PUT", `/bench-bucket/put-64m-${n++ % 4}?x-id=PutObject`, big().body, big().checksum),
  },
  {
    name: "s3.GetObject 64 MiB",
    service: "s3",
    moto: true,
    get setup() {
      return [createBucket, s3("PUT", "/bench-bucket/get-64m", big().body)];
    },
    request: () => s3("GET", "/bench-bucket/get-64m?x-id=GetObject"),
  },
  {
    name: "s3.ListObjectsV2 (1000 of 10,000 keys)",
    service: "s3",
    moto: true,
    setup: [
      s3("PUT", "/bench-list"),
      ...Array.from({ length: 10_000 }, (_, i) => s3("PUT", `/bench-list/dir${i % 10}/key-${String(i).padStart(5, "0")}`, "x")),
    ],
    request: () => s3("GET", "/bench-list?list-type=2"),
  },
];
