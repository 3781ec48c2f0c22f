/**
 * Object records as older versions stored them (docs/s3-data-model.md): a head nesting a version
 * whose body is a `body` array of `<bucket>/<uuid>` blobs, with `headers: {}`/`metadata: {}`
 * always present. Stores written then (Deno KV, snapshots) must still read, copy, update and
 * delete; and what the current code writes must be the compact shape (small bodies inline).
 */
import { describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import {
  CopyObjectCommand, CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand,
  ListObjectsV2Command, PutBucketVersioningCommand, PutObjectCommand, PutObjectTaggingCommand, S3Client,
} from "@aws-sdk/client-s3";
import { createEmulator, inProcess } from "../../helpers/clients.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { createMemoryBlobStore } from "../../../src/store/blobs.ts";

const text = (s: string) => new TextEncoder().encode(s);

async function setup() {
  const store = createMemoryStore();
  const blobs = createMemoryBlobStore();
  const emulator = createEmulator({ store, blobs });
  const s3 = new S3Client({ ...inProcess(emulator), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket: "records" }));
  return { store, blobs, s3 };
}

describe("S3 object records", () => {
  it("serves, copies, tags and deletes a record in the older shape", async () => {
    const { store, blobs, s3 } = await setup();
    const blob = "records/0b6d1c6e-3a8f-4d7e-9a51-2f1c0e9b7d44";
    await blobs.put(`s3/global/${blob}`, text("old body"));
    const old = {
      key: "old.txt", versionId: "null", seq: 1, lastModified: Date.UTC(2026, 0, 2), owner: "000000000000", size: 8,
      etag: `"${createHash("md5").update("old body").digest("hex")}"`, body: [{ blob, size: 8 }],
      checksum: { algorithm: "CRC64NVME", value: "JYj6Nk0hU0I=", type: "FULL_OBJECT" },
      headers: { ContentType: "text/plain", CacheControl: "max-age=5" }, metadata: { colour: "blue" },
      encryption: { ServerSideEncryption: "AES256" },
    };
    await store.set(["s3", "global", "o", "records", "old.txt"], { current: old, lastSeq: 1 });

    const got = await s3.send(new GetObjectCommand({ Bucket: "records", Key: "old.txt" }));
    expect(await got.Body!.transformToString()).toBe("old body");
    expect(got.ContentType).toBe("text/plain");
    expect(got.CacheControl).toBe("max-age=5");
    expect(got.Metadata).toEqual({ colour: "blue" });
    expect(got.ETag).toBe(old.etag);
    const ranged = await s3.send(new GetObjectCommand({ Bucket: "records", Key: "old.txt", Range: "bytes=4-6" }));
    expect(await ranged.Body!.transformToString()).toBe("bod");
    const list = await s3.send(new ListObjectsV2Command({ Bucket: "records" }));
    expect(list.Contents?.map((c) => [c.Key, c.Size, c.ETag])).toEqual([["old.txt", 8, old.etag]]);

    await s3.send(new CopyObjectCommand({ Bucket: "records", Key: "copy.txt", CopySource: "records/old.txt" }));
    const copy = await s3.send(new GetObjectCommand({ Bucket: "records", Key: "copy.txt" }));
    expect(await copy.Body!.transformToString()).toBe("old body");
    expect(copy.Metadata).toEqual({ colour: "blue" });
    expect(copy.CacheControl).toBe("max-age=5");

    await s3.send(new PutObjectTaggingCommand({ Bucket: "records", Key: "old.txt", Tagging: { TagSet: [{ Key: "k", Value: "v" }] } }));
    expect((await s3.send(new GetObjectTaggingCommand({ Bucket: "records", Key: "old.txt" }))).TagSet).toEqual([{ Key: "k", Value: "v" }]);
    const head = await s3.send(new HeadObjectCommand({ Bucket: "records", Key: "old.txt" }));
    expect(head.Metadata).toEqual({ colour: "blue" });
    expect(head.ContentLength).toBe(8);

    await s3.send(new DeleteObjectCommand({ Bucket: "records", Key: "old.txt" }));
    expect(await blobs.size(`s3/global/${blob}`)).toBeNull();
  });

  it("keeps a small body in the record, a larger one as one `blob`; leaves out empty metadata; shares the SSE-S3 record", async () => {
    const { store, blobs, s3 } = await setup();
    const large = "L".repeat(5000);
    await s3.send(new PutObjectCommand({ Bucket: "records", Key: "a", Body: "aaaa" }));
    await s3.send(new PutObjectCommand({ Bucket: "records", Key: "b", Body: large, ContentType: "application/octet-stream" }));
    await s3.send(new CopyObjectCommand({ Bucket: "records", Key: "a-copy", CopySource: "records/a" }));
    await s3.send(new CopyObjectCommand({ Bucket: "records", Key: "b-copy", CopySource: "records/b" }));
    // A head is the current version's record itself, with the key's counters.
    const record = async (key: string) => (await store.get<Record<string, unknown>>(["s3", "global", "o", "records", key])).value!;
    for (const key of ["a", "a-copy"]) {
      const a = await record(key);
      expect(a.data).toEqual(text("aaaa"));
      expect(a.blob).toBeUndefined();
      expect(a.body).toBeUndefined();
      expect(a.metadata).toBeUndefined();
    }
    for (const key of ["b", "b-copy"]) {
      const b = await record(key);
      expect(b.data).toBeUndefined();
      expect(b.body).toBeUndefined();
      expect(b.blob).toMatch(/^[A-Za-z0-9_-]{22}$/);
      expect(await blobs.size(`s3/global/${b.blob as string}`)).toBe(5000);
      expect(b.headers).toEqual({ ContentType: "application/octet-stream" });
    }
    const [a, b] = [await record("a"), await record("b")];
    expect(a.encryption).toEqual({ ServerSideEncryption: "AES256" });
    expect(a.encryption).toBe(b.encryption);

    const got = await s3.send(new GetObjectCommand({ Bucket: "records", Key: "a-copy", Range: "bytes=1-2" }));
    expect(await got.Body!.transformToString()).toBe("aa");
    const whole = await s3.send(new GetObjectCommand({ Bucket: "records", Key: "b-copy" }));
    expect(whole.ContentType).toBe("application/octet-stream");
    expect(await whole.Body!.transformToString()).toBe(large);
    // A reader that changes the bytes it got leaves the stored body alone.
    const bytes = await (await s3.send(new GetObjectCommand({ Bucket: "records", Key: "a" }))).Body!.transformToByteArray();
    bytes.fill(0);
    expect(await (await s3.send(new GetObjectCommand({ Bucket: "records", Key: "a" }))).Body!.transformToString()).toBe("aaaa");

    expect(a.current).toBeUndefined();
    expect(a.lastSeq).toBe(1);

    await s3.send(new DeleteObjectCommand({ Bucket: "records", Key: "b" }));
    expect(await blobs.size(`s3/global/${b.blob as string}`)).toBeNull();
  });

  it("moves a replaced head to a version record without the head's counters (versioned bucket)", async () => {
    const { store, s3 } = await setup();
    await s3.send(new PutBucketVersioningCommand({ Bucket: "records", VersioningConfiguration: { Status: "Enabled" } }));
    const first = await s3.send(new PutObjectCommand({ Bucket: "records", Key: "k", Body: "one" }));
    await s3.send(new PutObjectCommand({ Bucket: "records", Key: "k", Body: "two" }));
    const head = (await store.get<Record<string, unknown>>(["s3", "global", "o", "records", "k"])).value!;
    expect([head.lastSeq, head.seq]).toEqual([2, 2]);
    const versions: Record<string, unknown>[] = [];
    for await (const e of store.list<Record<string, unknown>>({ prefix: ["s3", "global", "v", "records", "k"] })) versions.push(e.value);
    expect(versions.map((v) => [v.versionId, v.lastSeq, v.nullSeq])).toEqual([[first.VersionId, undefined, undefined]]);
    const old = await s3.send(new GetObjectCommand({ Bucket: "records", Key: "k", VersionId: first.VersionId }));
    expect(await old.Body!.transformToString()).toBe("one");
    // Deleting the current version promotes the older one back into the head record.
    const current = await s3.send(new HeadObjectCommand({ Bucket: "records", Key: "k" }));
    await s3.send(new DeleteObjectCommand({ Bucket: "records", Key: "k", VersionId: current.VersionId }));
    const promoted = (await store.get<Record<string, unknown>>(["s3", "global", "o", "records", "k"])).value!;
    expect([promoted.versionId, promoted.lastSeq]).toEqual([first.VersionId, 2]);
    expect(await (await s3.send(new GetObjectCommand({ Bucket: "records", Key: "k" }))).Body!.transformToString()).toBe("one");
  });
});
