/**
 * S3 multipart uploads through the AWS SDK for JavaScript v3 (client-s3 and lib-storage's
 * Upload with default settings), in-process on each test store and over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3ClientConfig,
  type S3ServiceException,
} from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { createEmulator } from "../../../src/emulator.ts";
import { inProcess, overHttp, startTestServer, STORES } from "../../helpers/clients.ts";

const MiB = 1024 * 1024;

function bytes(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed * 2654435761;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

const md5hex = (b: Uint8Array) => createHash("md5").update(b).digest("hex");

function multipartEtag(parts: Uint8Array[]): string {
  const digests = Buffer.concat(parts.map((p) => createHash("md5").update(p).digest()));
  return `"${createHash("md5").update(digests).digest("hex")}-${parts.length}"`;
}

async function failure(p: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await p;
  } catch (e) {
    return e as S3ServiceException;
  }
  throw new Error("expected the call to fail");
}

async function body(s3: S3Client, Bucket: string, Key: string, Range?: string): Promise<Uint8Array> {
  const out = await s3.send(new GetObjectCommand({ Bucket, Key, Range }));
  return new Uint8Array(await out.Body!.transformToByteArray());
}

type Setup = () => Promise<{ s3: S3Client; close: () => Promise<void> }>;
const setups: [string, Setup][] = [];
for (const store of STORES) {
  setups.push([
    `in-process, ${store.name}`,
    async () => ({ s3: new S3Client({ ...inProcess(createEmulator({ store: store.make() })), forcePathStyle: true } as S3ClientConfig), close: async () => {} }),
  ]);
}
setups.push([
  "over HTTP",
  async () => {
    const server = await startTestServer();
    return { s3: new S3Client({ ...overHttp(server.url), forcePathStyle: true }), close: () => server.close() };
  },
]);

for (const [name, setup] of setups) {
  describe(`S3 multipart (${name})`, () => {
    let s3: S3Client;
    let close: () => Promise<void>;
    const Bucket = "mpu-bucket";

    beforeAll(async () => {
      ({ s3, close } = await setup());
      await s3.send(new CreateBucketCommand({ Bucket }));
    });
    afterAll(() => close());

    it("lib-storage Upload (default settings: 5 MiB parts, CRC32) round-trips 12 MiB", async () => {
      const data = bytes(12 * MiB + 123, 1);
      const upload = new Upload({ client: s3, params: { Bucket, Key: "big/upload.bin", Body: data } });
      const done = await upload.done();
      const parts = [data.subarray(0, 5 * MiB), data.subarray(5 * MiB, 10 * MiB), data.subarray(10 * MiB)];
      expect(done.ETag).toBe(multipartEtag(parts));
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key: "big/upload.bin", ChecksumMode: "ENABLED" }));
      expect(head.ContentLength).toBe(data.length);
      expect(head.ETag).toBe(multipartEtag(parts));
      expect(head.ChecksumCRC32).toMatch(/^[A-Za-z0-9+/]{6}==-3$/);
      expect(head.ChecksumType).toBe("COMPOSITE");
      const got = await body(s3, Bucket, "big/upload.bin");
      expect(md5hex(got)).toBe(md5hex(data));
      const ranged = await body(s3, Bucket, "big/upload.bin", `bytes=${5 * MiB - 10}-${5 * MiB + 9}`);
      expect(Buffer.from(ranged).equals(Buffer.from(data.subarray(5 * MiB - 10, 5 * MiB + 10)))).toBe(true);
    });

    it("accepts parts concurrently and out of order; ListParts paginates; COMPOSITE CRC32", async () => {
      const Key = "manual/parts.bin";
      const created = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: "CRC32", ContentType: "application/x-test", Metadata: { color: "blue" } }));
      expect(created.ChecksumAlgorithm).toBe("CRC32");
      expect(created.ChecksumType).toBe("COMPOSITE");
      const UploadId = created.UploadId!;
      const parts = [bytes(5 * MiB, 2), bytes(5 * MiB, 3), bytes(1000, 4)];
      const uploaded = await Promise.all(
        [2, 0, 1].map(async (i) => {
          const out = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body: parts[i], ChecksumAlgorithm: "CRC32" }));
          expect(out.ETag).toBe(`"${md5hex(parts[i]!)}"`);
          expect(out.ChecksumCRC32).toBeDefined();
          return { i, ETag: out.ETag!, ChecksumCRC32: out.ChecksumCRC32! };
        }),
      );
      uploaded.sort((a, b) => a.i - b.i);

      const page1 = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId, MaxParts: 2 }));
      expect(page1.IsTruncated).toBe(true);
      expect(page1.Parts!.map((p) => p.PartNumber)).toEqual([1, 2]);
      expect(page1.Parts![0]!.Size).toBe(5 * MiB);
      expect(page1.Parts![0]!.ChecksumCRC32).toBe(uploaded[0]!.ChecksumCRC32);
      expect(page1.NextPartNumberMarker).toBe("2");
      const page2 = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId, PartNumberMarker: page1.NextPartNumberMarker }));
      expect(page2.IsTruncated).toBe(false);
      expect(page2.Parts!.map((p) => p.PartNumber)).toEqual([3]);
      expect(page2.ChecksumAlgorithm).toBe("CRC32");

      const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: "manual/" }));
      expect(listed.Uploads!.map((u) => [u.Key, u.UploadId])).toEqual([[Key, UploadId]]);

      const wrongWhole = await failure(s3.send(new CompleteMultipartUploadCommand({
        Bucket, Key, UploadId, ChecksumCRC32: "AAAAAA==-3",
        MultipartUpload: { Parts: uploaded.map((u) => ({ PartNumber: u.i + 1, ETag: u.ETag, ChecksumCRC32: u.ChecksumCRC32 })) },
      })));
      expect(wrongWhole.name).toBe("BadDigest");
      expect(wrongWhole.message).toBe("The crc32 you specified did not match the calculated checksum.");
      const missingPartSum = await failure(s3.send(new CompleteMultipartUploadCommand({
        Bucket, Key, UploadId, MultipartUpload: { Parts: uploaded.map((u) => ({ PartNumber: u.i + 1, ETag: u.ETag })) },
      })));
      expect(missingPartSum.name).toBe("InvalidRequest");
      const done = await s3.send(new CompleteMultipartUploadCommand({
        Bucket, Key, UploadId,
        MultipartUpload: { Parts: uploaded.map((u) => ({ PartNumber: u.i + 1, ETag: u.ETag, ChecksumCRC32: u.ChecksumCRC32 })) },
      }));
      expect(done.ETag).toBe(multipartEtag(parts));
      const raw = Buffer.concat(uploaded.map((u) => Buffer.from(u.ChecksumCRC32, "base64")));
      const { crc32 } = await import("node:zlib") as unknown as { crc32?: (b: Uint8Array) => number };
      if (crc32) {
        const expected = Buffer.alloc(4);
        expected.writeUInt32BE(crc32(raw));
        expect(done.ChecksumCRC32).toBe(`${expected.toString("base64")}-3`);
      }
      expect(done.ChecksumType).toBe("COMPOSITE");
      expect(done.Location).toMatch(/\/mpu-bucket\/manual\/parts\.bin$/);
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key }));
      expect(head.ContentType).toBe("application/x-test");
      expect(head.Metadata).toEqual({ color: "blue" });
      expect(md5hex(await body(s3, Bucket, Key))).toBe(md5hex(Buffer.concat(parts)));
      // The upload is gone once completed.
      expect((await failure(s3.send(new ListPartsCommand({ Bucket, Key, UploadId })))).name).toBe("NoSuchUpload");
    });

    it("computes and checks a FULL_OBJECT CRC32C", async () => {
      const Key = "full/object.bin";
      const created = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: "CRC32C", ChecksumType: "FULL_OBJECT" }));
      expect(created.ChecksumType).toBe("FULL_OBJECT");
      const UploadId = created.UploadId!;
      const parts = [bytes(5 * MiB, 5), bytes(77, 6)];
      const etags = [];
      for (const [i, p] of parts.entries()) etags.push((await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body: p, ChecksumAlgorithm: "CRC32C" }))).ETag!);
      const wrong = await failure(s3.send(new CompleteMultipartUploadCommand({
        Bucket, Key, UploadId, ChecksumCRC32C: "AAAAAA==", ChecksumType: "FULL_OBJECT",
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      })));
      expect(wrong.name).toBe("BadDigest");
      const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }));
      expect(done.ChecksumType).toBe("FULL_OBJECT");
      expect(done.ChecksumCRC32C).toMatch(/^[A-Za-z0-9+/]{6}==$/);
      // GetObject with checksum mode validates the whole body against it (the SDK checks FULL_OBJECT CRCs).
      const out = await s3.send(new GetObjectCommand({ Bucket, Key, ChecksumMode: "ENABLED" }));
      expect(out.ChecksumCRC32C).toBe(done.ChecksumCRC32C);
      expect(md5hex(await out.Body!.transformToByteArray())).toBe(md5hex(Buffer.concat(parts)));
    });

    it("SHA256 uploads are COMPOSITE only; a wrong part checksum fails the part", async () => {
      const Key = "sha/obj";
      const bad = await failure(s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: "SHA256", ChecksumType: "FULL_OBJECT" })));
      expect(bad.name).toBe("InvalidRequest");
      // Buckets enforce bucket-owner ownership by default: no object ACLs.
      const aclDenied = await failure(s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ACL: "public-read" })));
      expect(aclDenied.name).toBe("AccessControlListNotSupported");
      const { UploadId, ChecksumType } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key, ChecksumAlgorithm: "SHA256", Tagging: "team=blue&tier=gold" }));
      expect(ChecksumType).toBe("COMPOSITE");
      const part = bytes(2048, 11);
      const wrong = await failure(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: part, ChecksumSHA256: createHash("sha256").update("other").digest("base64") })));
      expect(wrong.name).toBe("BadDigest");
      expect(wrong.message).toBe("The SHA256 you specified did not match the calculated checksum.");
      const ok = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: part, ChecksumAlgorithm: "SHA256" }));
      expect(ok.ChecksumSHA256).toBe(createHash("sha256").update(part).digest("base64"));
      const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: ok.ETag, ChecksumSHA256: ok.ChecksumSHA256 }] } }));
      const raw = createHash("sha256").update(Buffer.from(ok.ChecksumSHA256!, "base64")).digest("base64");
      expect(done.ChecksumSHA256).toBe(`${raw}-1`);
      const tagging = await s3.send(new GetObjectTaggingCommand({ Bucket, Key }));
      expect(tagging.TagSet).toEqual([{ Key: "team", Value: "blue" }, { Key: "tier", Value: "gold" }]);
    });

    it("applies ACL headers of CreateMultipartUpload on a bucket that allows ACLs", async () => {
      const b = "mpu-acl-bucket";
      await s3.send(new CreateBucketCommand({ Bucket: b, ObjectOwnership: "ObjectWriter" }));
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "k", ACL: "public-read" }));
      const { ETag } = await s3.send(new UploadPartCommand({ Bucket: b, Key: "k", UploadId, PartNumber: 1, Body: "x" }));
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: b, Key: "k", UploadId, MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] } }));
      const acl = await s3.send(new GetObjectAclCommand({ Bucket: b, Key: "k" }));
      expect(acl.Grants!.some((g) => g.Permission === "READ" && g.Grantee?.URI === "http://acs.amazonaws.com/groups/global/AllUsers")).toBe(true);
    });

    it("ListMultipartUploads with encoding-type=url encodes keys", async () => {
      const Key = "enc/a key+é";
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket, Prefix: "enc/", EncodingType: "url" }));
      // The JS SDK does not decode ListMultipartUploads keys: the wire form shows.
      expect(listed.Uploads!.map((u) => u.Key)).toEqual([encodeURIComponent(Key).replace(/%2F/g, "/")]);
      await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
    });

    it("rejects bad completions: InvalidPartOrder, InvalidPart, EntityTooSmall, and keeps the upload", async () => {
      const Key = "errors/obj";
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      const small = [bytes(1024, 7), bytes(1024, 8)];
      const etags = [];
      for (const [i, p] of small.entries()) etags.push((await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: i + 1, Body: p }))).ETag!);

      const order = await failure(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ ETag: etags[1], PartNumber: 2 }, { ETag: etags[0], PartNumber: 1 }] } })));
      expect(order.name).toBe("InvalidPartOrder");
      expect(order.$metadata.httpStatusCode).toBe(400);

      const unknown = await failure(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ ETag: etags[0], PartNumber: 1 }, { ETag: etags[1], PartNumber: 3 }] } })));
      expect(unknown.name).toBe("InvalidPart");
      const mismatch = await failure(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ ETag: `"${"0".repeat(32)}"`, PartNumber: 1 }] } })));
      expect(mismatch.name).toBe("InvalidPart");

      const tooSmall = await failure(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } })));
      expect(tooSmall.name).toBe("EntityTooSmall");
      expect(tooSmall.message).toBe("Your proposed upload is smaller than the minimum allowed object size.");

      // A single small part is fine (the last part may be any size); parts may be skipped.
      const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ ETag: etags[1], PartNumber: 2 }] } }));
      expect(done.ETag).toBe(multipartEtag([small[1]!]));
      expect(Buffer.from(await body(s3, Bucket, Key)).equals(Buffer.from(small[1]!))).toBe(true);
    });

    it("answers NoSuchUpload for unknown uploads and after abort; rejects bad part numbers", async () => {
      const Key = "abort/me";
      const missing = await failure(s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: "nope" })));
      expect(missing.name).toBe("NoSuchUpload");
      expect(missing.$metadata.httpStatusCode).toBe(404);
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      const badNumber = await failure(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 10001, Body: "x" })));
      expect(badNumber.name).toBe("InvalidArgument");
      await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: "abc" }));
      const aborted = await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
      expect(aborted.$metadata.httpStatusCode).toBe(204);
      expect((await failure(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: "x" })))).name).toBe("NoSuchUpload");
      expect((await failure(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ ETag: "x", PartNumber: 1 }] } })))).name).toBe("NoSuchUpload");
    });

    it("ListMultipartUploads: prefix, delimiter, key-marker, upload-id-marker, max-uploads", async () => {
      const b = "mpu-list";
      await s3.send(new CreateBucketCommand({ Bucket: b }));
      const ids: Record<string, string[]> = {};
      for (const Key of ["a/1", "a/2", "b", "b", "c/x/y", "d"]) {
        const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key }));
        (ids[Key] ??= []).push(UploadId!);
      }
      const all = await s3.send(new ListMultipartUploadsCommand({ Bucket: b }));
      expect(all.Uploads!.map((u) => u.Key)).toEqual(["a/1", "a/2", "b", "b", "c/x/y", "d"]);
      expect(all.Uploads!.filter((u) => u.Key === "b").map((u) => u.UploadId)).toEqual(ids.b);
      expect(all.IsTruncated).toBe(false);

      const grouped = await s3.send(new ListMultipartUploadsCommand({ Bucket: b, Delimiter: "/" }));
      expect(grouped.CommonPrefixes!.map((p) => p.Prefix)).toEqual(["a/", "c/"]);
      expect(grouped.Uploads!.map((u) => u.Key)).toEqual(["b", "b", "d"]);

      const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: b, MaxUploads: 3 }));
      expect(page.IsTruncated).toBe(true);
      expect(page.Uploads!.map((u) => u.Key)).toEqual(["a/1", "a/2", "b"]);
      expect(page.NextKeyMarker).toBe("b");
      expect(page.NextUploadIdMarker).toBe(ids.b![0]);
      const rest = await s3.send(new ListMultipartUploadsCommand({ Bucket: b, KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker }));
      expect(rest.Uploads!.map((u) => [u.Key, u.UploadId])).toEqual([["b", ids.b![1]], ["c/x/y", ids["c/x/y"]![0]], ["d", ids.d![0]]]);
      const afterKey = await s3.send(new ListMultipartUploadsCommand({ Bucket: b, KeyMarker: "b" }));
      expect(afterKey.Uploads!.map((u) => u.Key)).toEqual(["c/x/y", "d"]);
      const prefixed = await s3.send(new ListMultipartUploadsCommand({ Bucket: b, Prefix: "c/", Delimiter: "/" }));
      expect(prefixed.CommonPrefixes!.map((p) => p.Prefix)).toEqual(["c/x/"]);
    });

    it("UploadPartCopy copies ranges of an object, with copy-source conditions", async () => {
      const source = bytes(6 * MiB, 9);
      await new Upload({ client: s3, params: { Bucket, Key: "copy/source", Body: source } }).done();
      const Key = "copy/target";
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      const first = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 1, CopySource: `${Bucket}/copy/source`, CopySourceRange: `bytes=0-${5 * MiB - 1}` }));
      expect(first.CopyPartResult!.ETag).toBe(`"${md5hex(source.subarray(0, 5 * MiB))}"`);
      expect(first.CopyPartResult!.LastModified).toBeInstanceOf(Date);
      const second = await s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 2, CopySource: `/${Bucket}/copy%2Fsource`, CopySourceRange: "bytes=100-199" }));
      const failed = await failure(s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 3, CopySource: `${Bucket}/copy/source`, CopySourceIfMatch: '"nope"' })));
      expect(failed.name).toBe("PreconditionFailed");
      expect(failed.$metadata.httpStatusCode).toBe(412);
      const outOfRange = await failure(s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 3, CopySource: `${Bucket}/copy/source`, CopySourceRange: `bytes=0-${6 * MiB}` })));
      expect(outOfRange.$metadata.httpStatusCode).toBeGreaterThanOrEqual(400);
      const noKey = await failure(s3.send(new UploadPartCopyCommand({ Bucket, Key, UploadId, PartNumber: 3, CopySource: `${Bucket}/copy/missing` })));
      expect(noKey.name).toBe("NoSuchKey");
      await s3.send(new CompleteMultipartUploadCommand({
        Bucket, Key, UploadId,
        MultipartUpload: { Parts: [{ ETag: first.CopyPartResult!.ETag, PartNumber: 1 }, { ETag: second.CopyPartResult!.ETag, PartNumber: 2 }] },
      }));
      const got = await body(s3, Bucket, Key);
      expect(md5hex(got)).toBe(md5hex(Buffer.concat([source.subarray(0, 5 * MiB), source.subarray(100, 200)])));
    });

    it("honours If-None-Match: * on completion and keeps the upload after a 412", async () => {
      const Key = "cond/once";
      const mk = async () => {
        const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
        const { ETag } = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: "first" }));
        return { UploadId: UploadId!, ETag: ETag! };
      };
      const a = await mk();
      const b = await mk();
      await s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: a.UploadId, IfNoneMatch: "*", MultipartUpload: { Parts: [{ ETag: a.ETag, PartNumber: 1 }] } }));
      const failed = await failure(s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: b.UploadId, IfNoneMatch: "*", MultipartUpload: { Parts: [{ ETag: b.ETag, PartNumber: 1 }] } })));
      expect(failed.name).toBe("PreconditionFailed");
      expect(failed.$metadata.httpStatusCode).toBe(412);
      const parts = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId: b.UploadId }));
      expect(parts.Parts).toHaveLength(1);
    });
  });
}

describe("S3 multipart: lifecycle AbortIncompleteMultipartUpload", () => {
  it("reports AbortDate/AbortRuleId and drops the upload once the date passes (emulator clock)", async () => {
    const { PutBucketLifecycleConfigurationCommand } = await import("@aws-sdk/client-s3");
    const clock = { t: Date.parse("2026-11-22T10:00:00Z"), now() { return this.t; } };
    const s3 = new S3Client({ ...inProcess(createEmulator({ clock })), forcePathStyle: true } as S3ClientConfig);
    const Bucket = "mpu-lifecycle";
    await s3.send(new CreateBucketCommand({ Bucket }));
    await s3.send(new PutBucketLifecycleConfigurationCommand({
      Bucket,
      LifecycleConfiguration: { Rules: [{ ID: "abort-tmp", Status: "Enabled", Filter: { Prefix: "tmp/" }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } }] },
    }));
    const kept = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "keep/obj" }));
    expect(kept.AbortDate).toBeUndefined();
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: "tmp/obj" }));
    expect(created.AbortRuleId).toBe("abort-tmp");
    expect(created.AbortDate!.toISOString()).toBe("2026-11-25T00:00:00.000Z");
    const parts = await s3.send(new ListPartsCommand({ Bucket, Key: "tmp/obj", UploadId: created.UploadId }));
    expect(parts.AbortRuleId).toBe("abort-tmp");
    clock.t = Date.parse("2026-11-25T00:00:01Z");
    expect((await failure(s3.send(new ListPartsCommand({ Bucket, Key: "tmp/obj", UploadId: created.UploadId })))).name).toBe("NoSuchUpload");
    const listed = await s3.send(new ListMultipartUploadsCommand({ Bucket }));
    expect(listed.Uploads!.map((u) => u.Key)).toEqual(["keep/obj"]);
  });
});
