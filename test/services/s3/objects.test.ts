/**
 * S3 objects through the AWS SDK for JavaScript v3: put/get/head/delete, metadata and standard
 * headers, ranges, conditional reads and writes, copy, tagging, ACLs, attributes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CopyObjectCommand, CreateBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectAclCommand,
  GetObjectAttributesCommand, GetObjectCommand, GetObjectTaggingCommand, HeadObjectCommand, PutBucketOwnershipControlsCommand, DeletePublicAccessBlockCommand, GetBucketAclCommand,
  PutObjectAclCommand, PutObjectCommand, RestoreObjectCommand, ListObjectsV2Command, PutObjectTaggingCommand, DeleteObjectTaggingCommand, S3Client, S3ServiceException,
} from "@aws-sdk/client-s3";
import { request as httpRequest } from "node:http";
import { createHash } from "node:crypto";
import { TRANSPORTS, uniqueBucket, type S3Transport } from "./core-setup.ts";

async function error(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (e) {
    return e as S3ServiceException;
  }
  throw new Error("expected the call to fail");
}

for (const { name, setup } of TRANSPORTS) {
  describe(`S3 objects, ${name}`, () => {
    let t: S3Transport;
    let s3: S3Client;
    let bucket: string;
    beforeAll(async () => {
      t = await setup();
      s3 = t.client();
      bucket = uniqueBucket("objects");
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    });
    afterAll(() => t.close());

    it("PutObject then GetObject round-trips body, ETag, metadata and standard headers", async () => {
      const put = await s3.send(new PutObjectCommand({
        Bucket: bucket, Key: "dir/hello.txt", Body: "hello world",
        ContentType: "text/plain", CacheControl: "max-age=60", ContentDisposition: "attachment; filename=\"h.txt\"",
        ContentLanguage: "en", Expires: new Date("2030-01-01T00:00:00Z"), Metadata: { Color: "blue", "x-note": "two words" },
      }));
      expect(put.ETag).toBe('"5eb63bbbe01eeed093cb22bb8f5acdc3"');
      expect(put.ServerSideEncryption).toBe("AES256");
      expect(put.ChecksumCRC32).toBeDefined();
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "dir/hello.txt" }));
      expect(await got.Body!.transformToString()).toBe("hello world");
      expect(got.ETag).toBe(put.ETag);
      expect(got.ContentLength).toBe(11);
      expect(got.ContentType).toBe("text/plain");
      expect(got.CacheControl).toBe("max-age=60");
      expect(got.ContentDisposition).toBe("attachment; filename=\"h.txt\"");
      expect(got.ContentLanguage).toBe("en");
      expect(got.ExpiresString ?? got.Expires?.toUTCString()).toBe("Tue, 01 Jan 2030 00:00:00 GMT");
      expect(got.Metadata).toEqual({ color: "blue", "x-note": "two words" });
      expect(got.AcceptRanges).toBe("bytes");
      expect(got.LastModified).toBeInstanceOf(Date);
      expect(got.VersionId).toBeUndefined();
    });

    it("objects without Content-Type are binary/octet-stream; empty bodies work", async () => {
      await t.fetch(`/${bucket}/raw`, { method: "PUT", body: new TextEncoder().encode("abc") });
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "raw" }));
      expect(head.ContentType).toBe("binary/octet-stream");
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "empty", Body: "" }));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "empty" }));
      expect(got.ContentLength).toBe(0);
      expect(got.ETag).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
      expect(await got.Body!.transformToString()).toBe("");
    });

    it("missing keys and buckets are NoSuchKey / NoSuchBucket (HEAD: 404 without body)", async () => {
      const e = await error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "nope" })));
      expect(e.name).toBe("NoSuchKey");
      expect(e.message).toBe("The specified key does not exist.");
      expect(e.$metadata.httpStatusCode).toBe(404);
      const raw = await t.fetch(`/${bucket}/nope%20key`);
      const text = await raw.text();
      expect(text).toContain("<Code>NoSuchKey</Code>");
      expect(text).toContain("<Key>nope key</Key>");
      const h = await error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "nope" })));
      expect(h.$metadata.httpStatusCode).toBe(404);
      expect(h.name).toBe("NotFound");
      const b = await error(s3.send(new GetObjectCommand({ Bucket: "no-such-bucket-xyz", Key: "k" })));
      expect(b.name).toBe("NoSuchBucket");
      expect(b.message).toBe("The specified bucket does not exist");
    });

    it("Range: single, open, suffix → 206 with Content-Range; unsatisfiable → 416 InvalidRange", async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "digits", Body: "0123456789" }));
      const r1 = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "digits", Range: "bytes=2-4" }));
      expect(await r1.Body!.transformToString()).toBe("234");
      expect(r1.ContentRange).toBe("bytes 2-4/10");
      expect(r1.ContentLength).toBe(3);
      expect(r1.$metadata.httpStatusCode).toBe(206);
      const r2 = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "digits", Range: "bytes=7-" }));
      expect(await r2.Body!.transformToString()).toBe("789");
      const r3 = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "digits", Range: "bytes=-3" }));
      expect(await r3.Body!.transformToString()).toBe("789");
      expect(r3.ContentRange).toBe("bytes 7-9/10");
      const r4 = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "digits", Range: "bytes=5-100" }));
      expect(r4.ContentRange).toBe("bytes 5-9/10");
      const e = await error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "digits", Range: "bytes=10-20" })));
      expect(e.name).toBe("InvalidRange");
      expect(e.$metadata.httpStatusCode).toBe(416);
      expect(e.message).toBe("The requested range is not satisfiable");
      const whole = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "digits", Range: "bytes=abc" }));
      expect(whole.$metadata.httpStatusCode).toBe(200);
      expect(await whole.Body!.transformToString()).toBe("0123456789");
    });

    it("conditional reads: If-Match/If-Unmodified-Since → 412, If-None-Match/If-Modified-Since → 304", async () => {
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "cond", Body: "x" }));
      const ok = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cond", IfMatch: put.ETag }));
      expect(ok.$metadata.httpStatusCode).toBe(200);
      const pf = await error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cond", IfMatch: '"nope"' })));
      expect(pf.name).toBe("PreconditionFailed");
      expect(pf.$metadata.httpStatusCode).toBe(412);
      const nm = await error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cond", IfNoneMatch: put.ETag })));
      expect(nm.$metadata.httpStatusCode).toBe(304);
      const past = new Date(Date.now() - 3600_000), future = new Date(Date.now() + 3600_000);
      const ims = await error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cond", IfModifiedSince: future })));
      expect(ims.$metadata.httpStatusCode).toBe(304);
      const ius = await error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cond", IfUnmodifiedSince: past })));
      expect(ius.$metadata.httpStatusCode).toBe(412);
      // If-Match true wins over If-Unmodified-Since false; If-None-Match true wins over If-Modified-Since false.
      const both = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cond", IfMatch: put.ETag, IfUnmodifiedSince: past }));
      expect(both.$metadata.httpStatusCode).toBe(200);
      const both2 = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cond", IfNoneMatch: '"other"', IfModifiedSince: future }));
      expect(both2.$metadata.httpStatusCode).toBe(200);
      const head = await error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "cond", IfMatch: '"nope"' })));
      expect(head.$metadata.httpStatusCode).toBe(412);
    });

    it("conditional writes: If-None-Match: * and If-Match on PutObject", async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "once", Body: "1", IfNoneMatch: "*" }));
      const e = await error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "once", Body: "2", IfNoneMatch: "*" })));
      expect(e.name).toBe("PreconditionFailed");
      expect(e.$metadata.httpStatusCode).toBe(412);
      const cur = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "once" }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "once", Body: "3", IfMatch: cur.ETag }));
      const stale = await error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "once", Body: "4", IfMatch: cur.ETag })));
      expect(stale.name).toBe("PreconditionFailed");
      const missing = await error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "never", Body: "4", IfMatch: cur.ETag })));
      expect(missing.name).toBe("NoSuchKey");
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "once" }));
      expect(await got.Body!.transformToString()).toBe("3");
      // Racing conditional creates: exactly one wins.
      const results = await Promise.allSettled([1, 2, 3, 4].map((i) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: "race", Body: String(i), IfNoneMatch: "*" }))));
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    });

    it("response-* overrides on GET", async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "ovr", Body: "x", ContentType: "text/plain" }));
      const got = await s3.send(new GetObjectCommand({
        Bucket: bucket, Key: "ovr", ResponseContentType: "application/json", ResponseContentDisposition: "inline",
        ResponseCacheControl: "no-cache", ResponseContentLanguage: "de", ResponseContentEncoding: "identity",
      }));
      expect(got.ContentType).toBe("application/json");
      expect(got.ContentDisposition).toBe("inline");
      expect(got.CacheControl).toBe("no-cache");
      expect(got.ContentLanguage).toBe("de");
      expect(got.ContentEncoding).toBe("identity");
    });

    it("storage class and SSE are stored and echoed; invalid storage class rejected", async () => {
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "ia", Body: "x", StorageClass: "STANDARD_IA", ServerSideEncryption: "aws:kms" }));
      expect(put.ServerSideEncryption).toBe("aws:kms");
      expect(put.SSEKMSKeyId).toMatch(/^arn:aws:kms:us-east-1:/);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "ia" }));
      expect(head.StorageClass).toBe("STANDARD_IA");
      expect(head.ServerSideEncryption).toBe("aws:kms");
      const std = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "digits" }));
      expect(std.StorageClass).toBeUndefined();
      const e = await error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "bad", Body: "x", StorageClass: "NOPE" as never })));
      expect(e.name).toBe("InvalidStorageClass");
    });

    it("DeleteObject is idempotent; DeleteObjects reports per key, quiet mode hides successes", async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "d1", Body: "x" }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "d2", Body: "x" }));
      const del = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "d1" }));
      expect(del.$metadata.httpStatusCode).toBe(204);
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "d1" }));
      const multi = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "d2" }, { Key: "absent" }, { Key: "d3", VersionId: "bogus" }] } }));
      expect(multi.Deleted?.map((d) => d.Key).sort()).toEqual(["absent", "d2"]);
      expect(multi.Errors).toEqual([expect.objectContaining({ Key: "d3", VersionId: "bogus", Code: "NoSuchVersion" })]);
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "d4", Body: "x" }));
      const quiet = await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Quiet: true, Objects: [{ Key: "d4" }] } }));
      expect(quiet.Deleted).toBeUndefined();
      expect(quiet.Errors).toBeUndefined();
      const e = await error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "d4" })));
      expect(e.$metadata.httpStatusCode).toBe(404);
    });

    it("CopyObject: metadata and tagging directives, copy-source conditions, same-key rule", async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "src", Body: "copy me", ContentType: "text/x-src", Metadata: { a: "1" }, Tagging: "t1=v1&t2=v2" }));
      const copy = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "dst", CopySource: `${bucket}/src` }));
      expect(copy.CopyObjectResult?.ETag).toBe('"' + "a0b1dd8b3e0a1c6d0c6bd1d43f2e3ca2".replace(/.*/, (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "src" }))).ETag!.slice(1, -1)) + '"');
      const dst = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "dst" }));
      expect(await dst.Body!.transformToString()).toBe("copy me");
      expect(dst.ContentType).toBe("text/x-src");
      expect(dst.Metadata).toEqual({ a: "1" });
      expect(dst.TagCount).toBe(2);
      await s3.send(new CopyObjectCommand({
        Bucket: bucket, Key: "dst2", CopySource: `/${bucket}/src`, MetadataDirective: "REPLACE", ContentType: "text/new",
        Metadata: { b: "2" }, TaggingDirective: "REPLACE", Tagging: "x=y",
      }));
      const dst2 = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "dst2" }));
      expect(dst2.ContentType).toBe("text/new");
      expect(dst2.Metadata).toEqual({ b: "2" });
      expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "dst2" }))).TagSet).toEqual([{ Key: "x", Value: "y" }]);
      const self = await error(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "src", CopySource: `${bucket}/src` })));
      expect(self.name).toBe("InvalidRequest");
      expect(self.message).toContain("copy an object to itself without changing");
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "src", CopySource: `${bucket}/src`, MetadataDirective: "REPLACE", Metadata: { z: "9" } }));
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "src" }))).Metadata).toEqual({ z: "9" });
      const cond = await error(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "dst3", CopySource: `${bucket}/src`, CopySourceIfMatch: '"nope"' })));
      expect(cond.name).toBe("PreconditionFailed");
      expect(cond.$metadata.httpStatusCode).toBe(412);
      const cond2 = await error(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "dst3", CopySource: `${bucket}/src`, CopySourceIfModifiedSince: new Date(Date.now() + 3600_000) })));
      expect(cond2.$metadata.httpStatusCode).toBe(412);
      const missing = await error(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "dst3", CopySource: `${bucket}/missing` })));
      expect(missing.name).toBe("NoSuchKey");
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "sp ace+plus", Body: "s" }));
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "dst4", CopySource: `${bucket}/${encodeURIComponent("sp ace+plus")}` }));
      expect(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "dst4" }))).Body!.transformToString()).toBe("s");
    });

    it("object tagging: put/get/delete, limits", async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "tagged", Body: "x" }));
      await s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "tagged", Tagging: { TagSet: [{ Key: "k", Value: "v" }] } }));
      expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "tagged" }))).TagSet).toEqual([{ Key: "k", Value: "v" }]);
      const many = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
      const e = await error(s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "tagged", Tagging: { TagSet: many } })));
      expect(e.name).toBe("BadRequest");
      const dup = await error(s3.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: "tagged", Tagging: { TagSet: [{ Key: "a", Value: "1" }, { Key: "a", Value: "2" }] } })));
      expect(dup.name).toBe("InvalidTag");
      await s3.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: "tagged" }));
      expect((await s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "tagged" }))).TagSet).toEqual([]);
      const none = await error(s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: "untagged-missing" })));
      expect(none.name).toBe("NoSuchKey");
    });

    it("object ACLs: default private; AccessControlListNotSupported under BucketOwnerEnforced", async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "acl", Body: "x" }));
      const acl = await s3.send(new GetObjectAclCommand({ Bucket: bucket, Key: "acl" }));
      expect(acl.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
      expect(acl.Grants).toEqual([{ Grantee: { Type: "CanonicalUser", ID: acl.Owner!.ID }, Permission: "FULL_CONTROL" }]);
      const e = await error(s3.send(new PutObjectAclCommand({ Bucket: bucket, Key: "acl", ACL: "public-read" })));
      expect(e.name).toBe("AccessControlListNotSupported");
      const b2 = uniqueBucket("acl");
      await s3.send(new CreateBucketCommand({ Bucket: b2, ObjectOwnership: "ObjectWriter" }));
      const blocked = await error(s3.send(new PutObjectCommand({ Bucket: b2, Key: "k", Body: "x", ACL: "public-read" })));
      expect(blocked.name).toBe("AccessDenied");
      await s3.send(new DeletePublicAccessBlockCommand({ Bucket: b2 }));
      await s3.send(new PutObjectCommand({ Bucket: b2, Key: "k", Body: "x", ACL: "public-read" }));
      const acl2 = await s3.send(new GetObjectAclCommand({ Bucket: b2, Key: "k" }));
      expect(acl2.Grants).toContainEqual({ Grantee: { Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AllUsers" }, Permission: "READ" });
      const b3 = uniqueBucket("acl-create");
      await s3.send(new CreateBucketCommand({ Bucket: b3, ObjectOwnership: "BucketOwnerPreferred", GrantWrite: 'uri="http://acs.amazonaws.com/groups/s3/LogDelivery"' }));
      const bucketAcl = await s3.send(new GetBucketAclCommand({ Bucket: b3 }));
      expect(bucketAcl.Grants).toContainEqual({ Grantee: { Type: "Group", URI: "http://acs.amazonaws.com/groups/s3/LogDelivery" }, Permission: "WRITE" });
    });

    it("GetObjectAttributes returns the requested attributes", async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "attrs", Body: "attributes", ChecksumAlgorithm: "SHA256" }));
      const out = await s3.send(new GetObjectAttributesCommand({ Bucket: bucket, Key: "attrs", ObjectAttributes: ["ETag", "ObjectSize", "StorageClass", "Checksum"] }));
      expect(out.ETag).toMatch(/^[0-9a-f]{32}$/);
      expect(out.ObjectSize).toBe(10);
      expect(out.StorageClass).toBe("STANDARD");
      expect(out.Checksum?.ChecksumSHA256).toBeDefined();
      expect(out.LastModified).toBeInstanceOf(Date);
    });

    it("keys with special characters round-trip (path encoding)", async () => {
      const keys = ["a b", "ü/ñ", "x+y=z&q?r", "tilde~/star*", "dots/../x", "  lead"];
      for (const key of keys) {
        await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
        const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        expect(await got.Body!.transformToString()).toBe(key);
      }
    });

    it("the JS SDK with virtual-hosted addressing (bucket.s3.us-east-1.amazonaws.com) sees the same objects", async () => {
      if (t.name !== "in-process") return; // over HTTP, *.localhost would need a custom DNS lookup
      const vh = t.client({ forcePathStyle: false });
      await vh.send(new PutObjectCommand({ Bucket: bucket, Key: "vh/key.txt", Body: "virtual" }));
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "vh/key.txt" }));
      expect(await got.Body!.transformToString()).toBe("virtual");
      const back = await vh.send(new GetObjectCommand({ Bucket: bucket, Key: "vh/key.txt", Range: "bytes=0-3" }));
      expect(await back.Body!.transformToString()).toBe("virt");
      const e = await error(vh.send(new GetObjectCommand({ Bucket: bucket, Key: "vh/missing" })));
      expect(e.name).toBe("NoSuchKey");
    });

    it("virtual-hosted style addresses the same bucket", async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "vhost.txt", Body: "vh" }));
      for (const host of [`${bucket}.s3.localhost`, `${bucket}.localhost`]) {
        if (t.name === "in-process") {
          const res = await t.fetch(`/vhost.txt`, { headers: { host } });
          expect(res.status).toBe(200);
          expect(await res.text()).toBe("vh");
        } else {
          // fetch() will not send a Host other than the URL's; node:http will.
          const url = new URL(t.endpoint!);
          const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
            const req = httpRequest({ host: url.hostname, port: url.port, path: "/vhost.txt", headers: { host: `${host}:${url.port}` } }, (res) => {
              let body = "";
              res.on("data", (c) => (body += c));
              res.on("end", () => resolve({ status: res.statusCode!, body }));
            });
            req.on("error", reject);
            req.end();
          });
          expect(status).toBe(200);
          expect(body).toBe("vh");
        }
      }
    });

    it("archived objects need RestoreObject before GET (InvalidObjectState, then 202 and the Restore header)", async () => {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "cold", Body: "frozen", StorageClass: "GLACIER" }));
      const e = await error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cold" })));
      expect(e.name).toBe("InvalidObjectState");
      expect(e.$metadata.httpStatusCode).toBe(403);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "cold" }));
      expect(head.StorageClass).toBe("GLACIER");
      const r = await s3.send(new RestoreObjectCommand({ Bucket: bucket, Key: "cold", RestoreRequest: { Days: 2 } }));
      expect(r.$metadata.httpStatusCode).toBe(202);
      const again = await s3.send(new RestoreObjectCommand({ Bucket: bucket, Key: "cold", RestoreRequest: { Days: 2 } }));
      expect(again.$metadata.httpStatusCode).toBe(200);
      expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "cold" }))).Restore).toMatch(/^ongoing-request="false", expiry-date=".+ GMT"$/);
      expect(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "cold" }))).Body!.transformToString()).toBe("frozen");
      const listed = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "cold", OptionalObjectAttributes: ["RestoreStatus"] }));
      expect(listed.Contents![0]!.RestoreStatus?.IsRestoreInProgress).toBe(false);
      expect(listed.Contents![0]!.RestoreStatus?.RestoreExpiryDate).toBeInstanceOf(Date);
      expect(listed.Contents![0]!.StorageClass).toBe("GLACIER");
      const hot = await error(s3.send(new RestoreObjectCommand({ Bucket: bucket, Key: "digits", RestoreRequest: { Days: 1 } })));
      expect(hot.name).toBe("InvalidObjectState");
    });

    it("malformed XML bodies are MalformedXML; key over 1024 bytes is KeyTooLongError", async () => {
      const res = await t.fetch(`/${bucket}?delete`, { method: "POST", body: new TextEncoder().encode("<Delete><Object><Key>a</Key></Object"), headers: { "content-md5": "1B2M2Y8AsgTpgAmY7PhCfg==" } });
      expect(res.status).toBe(400);
      const text = await res.text();
      expect(text).toContain("<Code>MalformedXML</Code>");
      expect(text).toContain("<Message>The XML you provided was not well-formed or did not validate against our published schema</Message>");
      const long = await error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k".repeat(1025), Body: "x" })));
      expect(long.name).toBe("KeyTooLongError");
      expect(long.message).toBe("Your key is too long");
    });

    it("SSE-C: the key is required to read and must match", async () => {
      const key = new Uint8Array(32).fill(9);
      const keyB64 = Buffer.from(key).toString("base64");
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "ssec", Body: "secret", SSECustomerAlgorithm: "AES256", SSECustomerKey: keyB64 }));
      expect(put.SSECustomerAlgorithm).toBe("AES256");
      expect(put.SSECustomerKeyMD5).toBe(createHash("md5").update(key).digest("base64"));
      expect(put.ServerSideEncryption).toBeUndefined();
      const missing = await error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "ssec" })));
      expect(missing.name).toBe("InvalidRequest");
      expect(missing.message).toBe("The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.");
      const wrong = await error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "ssec", SSECustomerAlgorithm: "AES256", SSECustomerKey: Buffer.alloc(32, 1).toString("base64") })));
      expect(wrong.$metadata.httpStatusCode).toBe(403);
      const ok = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "ssec", SSECustomerAlgorithm: "AES256", SSECustomerKey: keyB64 }));
      expect(await ok.Body!.transformToString()).toBe("secret");
      expect(ok.SSECustomerKeyMD5).toBe(put.SSECustomerKeyMD5);
    });

    it("CopyObject across buckets, storage-class change in place, conditional copy", async () => {
      const other = uniqueBucket("copy-dst");
      await s3.send(new CreateBucketCommand({ Bucket: other }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "xsrc", Body: "across", Metadata: { m: "1" } }));
      await s3.send(new CopyObjectCommand({ Bucket: other, Key: "copied", CopySource: `${bucket}/xsrc` }));
      const got = await s3.send(new GetObjectCommand({ Bucket: other, Key: "copied" }));
      expect(await got.Body!.transformToString()).toBe("across");
      expect(got.Metadata).toEqual({ m: "1" });
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "xsrc", CopySource: `${bucket}/xsrc`, StorageClass: "STANDARD_IA" }));
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "xsrc" }));
      expect(head.StorageClass).toBe("STANDARD_IA");
      expect(head.Metadata).toEqual({ m: "1" });
      const exists = await error(s3.send(new CopyObjectCommand({ Bucket: other, Key: "copied", CopySource: `${bucket}/xsrc`, IfNoneMatch: "*" })));
      expect(exists.name).toBe("PreconditionFailed");
      const noBucket = await error(s3.send(new CopyObjectCommand({ Bucket: other, Key: "c2", CopySource: `no-such-src-bucket-zz/xsrc` })));
      expect(noBucket.name).toBe("NoSuchBucket");
    });
  });
}
