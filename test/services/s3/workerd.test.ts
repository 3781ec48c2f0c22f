/**
 * S3 core under Cloudflare's workerd (Miniflare, the bundled worker): streaming bodies, ranges,
 * listing and versioning through the JS SDK, proving the object store uses web-standard APIs only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateBucketCommand, DeleteObjectCommand, GetObjectCommand, ListObjectVersionsCommand, ListObjectsV2Command,
  PutBucketVersioningCommand, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";
import { Miniflare } from "miniflare";
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

describe("S3 core under workerd (Miniflare)", () => {
  let mf: Miniflare;
  let s3: S3Client;
  beforeAll(async () => {
    // `npm test` builds dist/ first (pretest); build here only when it is missing.
    if (!existsSync("dist/worker.js")) execFileSync("node", ["scripts/build.mjs"]);
    mf = new Miniflare({ modules: true, scriptPath: "dist/worker.js", compatibilityDate: "2025-09-01" });
    const url = await mf.ready;
    s3 = new S3Client({ region: "us-east-1", endpoint: url.origin, forcePathStyle: true, credentials: { accessKeyId: "test", secretAccessKey: "test" } });
  }, 90_000);
  afterAll(() => mf?.dispose());

  it("puts, gets ranges, lists and keeps versions", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: "workerd-bucket" }));
    const big = "0123456789".repeat(20_000);
    const put = await s3.send(new PutObjectCommand({ Bucket: "workerd-bucket", Key: "big.txt", Body: big }));
    expect(put.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    const whole = await s3.send(new GetObjectCommand({ Bucket: "workerd-bucket", Key: "big.txt" }));
    expect(await whole.Body!.transformToString()).toBe(big);
    const part = await s3.send(new GetObjectCommand({ Bucket: "workerd-bucket", Key: "big.txt", Range: "bytes=100005-100009" }));
    expect(await part.Body!.transformToString()).toBe("56789");
    expect(part.ContentRange).toBe("bytes 100005-100009/200000");
    await s3.send(new PutObjectCommand({ Bucket: "workerd-bucket", Key: "dir/a", Body: "a" }));
    const list = await s3.send(new ListObjectsV2Command({ Bucket: "workerd-bucket", Delimiter: "/" }));
    expect(list.Contents!.map((c) => c.Key)).toEqual(["big.txt"]);
    expect(list.CommonPrefixes).toEqual([{ Prefix: "dir/" }]);
    await s3.send(new PutBucketVersioningCommand({ Bucket: "workerd-bucket", VersioningConfiguration: { Status: "Enabled" } }));
    const v = await s3.send(new PutObjectCommand({ Bucket: "workerd-bucket", Key: "dir/a", Body: "b" }));
    await s3.send(new DeleteObjectCommand({ Bucket: "workerd-bucket", Key: "dir/a" }));
    const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: "workerd-bucket", Prefix: "dir/" }));
    expect(versions.Versions!.map((x) => x.VersionId)).toEqual([v.VersionId, "null"]);
    expect(versions.DeleteMarkers).toHaveLength(1);
  });
});
