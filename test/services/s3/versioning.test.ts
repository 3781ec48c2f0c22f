/**
 * Versioning with real history through the JS SDK v3: version ids, delete markers, reads and
 * deletes by versionId, suspended versioning with `null` versions, ListObjectVersions paging.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CopyObjectCommand, CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, DeleteObjectsCommand, GetObjectCommand,
  HeadObjectCommand, ListObjectVersionsCommand, ListObjectsV2Command, PutBucketVersioningCommand, PutObjectCommand,
  S3Client, S3ServiceException, PutObjectRetentionCommand, GetObjectRetentionCommand, PutObjectLegalHoldCommand,
  GetObjectLegalHoldCommand, PutObjectLockConfigurationCommand, GetObjectLockConfigurationCommand,
} from "@aws-sdk/client-s3";
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
  describe(`S3 versioning, ${name}`, () => {
    let t: S3Transport;
    let s3: S3Client;
    const text = async (bucket: string, key: string, VersionId?: string) =>
      (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId }))).Body!.transformToString();
    const versioned = async (status: "Enabled" | "Suspended" = "Enabled") => {
      const b = uniqueBucket("ver");
      await s3.send(new CreateBucketCommand({ Bucket: b }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: status } }));
      return b;
    };
    beforeAll(async () => {
      t = await setup();
      s3 = t.client();
    });
    afterAll(() => t.close());

    it("every put gets a new version id; old versions stay readable", async () => {
      const b = await versioned();
      const v1 = await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "one" }));
      const v2 = await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "two" }));
      expect(v1.VersionId).toMatch(/^[\w.]{32}$/);
      expect(v2.VersionId).not.toBe(v1.VersionId);
      expect(await text(b, "k")).toBe("two");
      expect(await text(b, "k", v1.VersionId)).toBe("one");
      const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId }));
      expect(head.VersionId).toBe(v1.VersionId);
      expect(head.ContentLength).toBe(3);
      const get = await s3.send(new GetObjectCommand({ Bucket: b, Key: "k" }));
      expect(get.VersionId).toBe(v2.VersionId);
      const missing = await error(s3.send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: "0000000zAAAAAAAAAAAAAAAAAAAAAAAA" })));
      expect(missing.name).toBe("NoSuchVersion");
      expect(missing.message).toBe("The specified version does not exist.");
      const bad = await error(s3.send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: "nope" })));
      expect(bad.name).toBe("InvalidArgument");
      expect(bad.message).toBe("Invalid version id specified");
    });

    it("delete without a version id adds a delete marker; reading it is 404 / 405 as on S3", async () => {
      const b = await versioned();
      const v1 = await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "one" }));
      const del = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
      expect(del.DeleteMarker).toBe(true);
      expect(del.VersionId).toBeDefined();
      const e = await error(s3.send(new GetObjectCommand({ Bucket: b, Key: "k" })));
      expect(e.name).toBe("NoSuchKey");
      expect(e.$response?.headers["x-amz-delete-marker"]).toBe("true");
      expect(e.$response?.headers["x-amz-version-id"]).toBe(del.VersionId);
      const byId = await error(s3.send(new GetObjectCommand({ Bucket: b, Key: "k", VersionId: del.VersionId })));
      expect(byId.$metadata.httpStatusCode).toBe(405);
      expect(byId.name).toBe("MethodNotAllowed");
      const headById = await error(s3.send(new HeadObjectCommand({ Bucket: b, Key: "k", VersionId: del.VersionId })));
      expect(headById.$metadata.httpStatusCode).toBe(405);
      expect(await text(b, "k", v1.VersionId)).toBe("one");
      expect((await s3.send(new ListObjectsV2Command({ Bucket: b }))).KeyCount).toBe(0);
      const notEmpty = await error(s3.send(new DeleteBucketCommand({ Bucket: b })));
      expect(notEmpty.name).toBe("BucketNotEmpty");
      // Deleting the marker by id brings the object back.
      const undo = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: del.VersionId }));
      expect(undo.DeleteMarker).toBe(true);
      expect(undo.VersionId).toBe(del.VersionId);
      expect(await text(b, "k")).toBe("one");
    });

    it("deleting the current version by id promotes the previous one; deleting all empties the key", async () => {
      const b = await versioned();
      const v1 = await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "one" }));
      const v2 = await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "two" }));
      const out = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: v2.VersionId }));
      expect(out.VersionId).toBe(v2.VersionId);
      expect(out.DeleteMarker).toBeUndefined();
      expect(await text(b, "k")).toBe("one");
      await s3.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId }));
      expect((await error(s3.send(new GetObjectCommand({ Bucket: b, Key: "k" })))).name).toBe("NoSuchKey");
      await s3.send(new DeleteBucketCommand({ Bucket: b }));
    });

    it("suspended versioning writes null versions that replace each other; earlier versions survive", async () => {
      const b = await versioned();
      const v1 = await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "one" }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Suspended" } }));
      const n1 = await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "null-1" }));
      expect(n1.VersionId).toBeUndefined();
      await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "null-2" }));
      expect((await s3.send(new HeadObjectCommand({ Bucket: b, Key: "k" }))).VersionId).toBe("null");
      expect(await text(b, "k", "null")).toBe("null-2");
      expect(await text(b, "k", v1.VersionId)).toBe("one");
      const versions = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
      expect(versions.Versions!.map((v) => [v.VersionId, v.IsLatest])).toEqual([["null", true], [v1.VersionId, false]]);
      // A delete now writes a null delete marker, replacing the null version.
      const del = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
      expect(del.DeleteMarker).toBe(true);
      expect(del.VersionId).toBe("null");
      const after = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
      expect(after.Versions!.map((v) => v.VersionId)).toEqual([v1.VersionId]);
      expect(after.DeleteMarkers!.map((m) => [m.VersionId, m.IsLatest])).toEqual([["null", true]]);
      // Re-enabling keeps the null version in history under its place.
      await s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Enabled" } }));
      const v3 = await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "three" }));
      const all = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
      expect(all.Versions!.map((v) => v.VersionId)).toEqual([v3.VersionId, v1.VersionId]);
      expect(all.DeleteMarkers!.map((m) => [m.VersionId, m.IsLatest])).toEqual([["null", false]]);
    });

    it("an unversioned bucket's objects have the null version", async () => {
      const b = uniqueBucket("unver");
      await s3.send(new CreateBucketCommand({ Bucket: b }));
      await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x" }));
      expect(await text(b, "k", "null")).toBe("x");
      const list = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
      expect(list.Versions).toEqual([expect.objectContaining({ Key: "k", VersionId: "null", IsLatest: true, Size: 1 })]);
    });

    it("ListObjectVersions pages with key-marker and version-id-marker, newest first per key", async () => {
      const b = await versioned();
      const ids: Record<string, string[]> = { a: [], b: [] };
      for (const key of ["a", "b"]) {
        for (let i = 0; i < 3; i++) ids[key]!.unshift((await s3.send(new PutObjectCommand({ Bucket: b, Key: key, Body: `${key}${i}` }))).VersionId!);
      }
      const dm = await s3.send(new DeleteObjectCommand({ Bucket: b, Key: "b" }));
      const expected = [...ids.a!.map((v) => ["a", v]), ["b", dm.VersionId], ...ids.b!.map((v) => ["b", v])];
      const seen: string[][] = [];
      let keyMarker: string | undefined, versionIdMarker: string | undefined;
      for (;;) {
        const page = await s3.send(new ListObjectVersionsCommand({ Bucket: b, MaxKeys: 2, KeyMarker: keyMarker, VersionIdMarker: versionIdMarker }));
        const entries = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]
          .sort((x, y) => expected.findIndex((e) => e[1] === x.VersionId) - expected.findIndex((e) => e[1] === y.VersionId));
        seen.push(...entries.map((v) => [v.Key!, v.VersionId!]));
        if (!page.IsTruncated) break;
        keyMarker = page.NextKeyMarker;
        versionIdMarker = page.NextVersionIdMarker;
      }
      expect(seen).toEqual(expected);
      const latest = await s3.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: "a" }));
      expect(latest.Versions!.map((v) => v.IsLatest)).toEqual([true, false, false]);
      const e = await error(s3.send(new ListObjectVersionsCommand({ Bucket: b, VersionIdMarker: ids.a![0] })));
      expect(e.name).toBe("InvalidArgument");
    });

    it("DeleteObjects by version id and CopyObject from an older version", async () => {
      const b = await versioned();
      const v1 = await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "one" }));
      const v2 = await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "two" }));
      const copy = await s3.send(new CopyObjectCommand({ Bucket: b, Key: "k", CopySource: `${b}/k?versionId=${v1.VersionId}` }));
      expect(copy.CopySourceVersionId).toBe(v1.VersionId);
      expect(copy.VersionId).toBeDefined();
      expect(await text(b, "k")).toBe("one");
      const out = await s3.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: "k", VersionId: v2.VersionId }, { Key: "k" }] } }));
      expect(out.Deleted).toEqual(expect.arrayContaining([
        expect.objectContaining({ Key: "k", VersionId: v2.VersionId }),
        expect.objectContaining({ Key: "k", DeleteMarker: true, DeleteMarkerVersionId: expect.any(String) }),
      ]));
      const list = await s3.send(new ListObjectVersionsCommand({ Bucket: b }));
      expect(list.Versions!.map((v) => v.VersionId)).toEqual([copy.VersionId, v1.VersionId]);
      expect(list.DeleteMarkers).toHaveLength(1);
    });

    it("object lock: default retention, retention and legal hold block permanent deletes", async () => {
      const plain = uniqueBucket("nolock");
      await s3.send(new CreateBucketCommand({ Bucket: plain }));
      await s3.send(new PutObjectCommand({ Bucket: plain, Key: "k", Body: "x" }));
      const noLock = await error(s3.send(new PutObjectLegalHoldCommand({ Bucket: plain, Key: "k", LegalHold: { Status: "ON" } })));
      expect(noLock.name).toBe("InvalidRequest");
      expect(noLock.message).toBe("Bucket is missing Object Lock Configuration");
      expect((await error(s3.send(new GetObjectLockConfigurationCommand({ Bucket: plain })))).name).toBe("ObjectLockConfigurationNotFoundError");

      const b = uniqueBucket("lock");
      await s3.send(new CreateBucketCommand({ Bucket: b, ObjectLockEnabledForBucket: true }));
      expect((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: b }))).ObjectLockConfiguration).toEqual({ ObjectLockEnabled: "Enabled" });
      const v1 = await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x" }));
      expect(v1.VersionId).toBeDefined();
      expect((await error(s3.send(new GetObjectRetentionCommand({ Bucket: b, Key: "k" })))).name).toBe("NoSuchObjectLockConfiguration");
      const until = new Date(Date.now() + 86_400_000);
      await s3.send(new PutObjectRetentionCommand({ Bucket: b, Key: "k", Retention: { Mode: "GOVERNANCE", RetainUntilDate: until } }));
      const ret = await s3.send(new GetObjectRetentionCommand({ Bucket: b, Key: "k" }));
      expect(ret.Retention?.Mode).toBe("GOVERNANCE");
      expect(Math.abs(ret.Retention!.RetainUntilDate!.getTime() - until.getTime())).toBeLessThan(1000);
      const locked = await error(s3.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId })));
      expect(locked.name).toBe("AccessDenied");
      expect(locked.$metadata.httpStatusCode).toBe(403);
      // A delete marker is always allowed.
      expect((await s3.send(new DeleteObjectCommand({ Bucket: b, Key: "k" }))).DeleteMarker).toBe(true);
      await s3.send(new DeleteObjectCommand({ Bucket: b, Key: "k", VersionId: v1.VersionId, BypassGovernanceRetention: true }));

      const v2 = await s3.send(new PutObjectCommand({ Bucket: b, Key: "held", Body: "x" }));
      await s3.send(new PutObjectLegalHoldCommand({ Bucket: b, Key: "held", LegalHold: { Status: "ON" } }));
      expect((await s3.send(new GetObjectLegalHoldCommand({ Bucket: b, Key: "held" }))).LegalHold).toEqual({ Status: "ON" });
      expect((await s3.send(new HeadObjectCommand({ Bucket: b, Key: "held" }))).ObjectLockLegalHoldStatus).toBe("ON");
      const held = await s3.send(new DeleteObjectsCommand({ Bucket: b, Delete: { Objects: [{ Key: "held", VersionId: v2.VersionId }] } }));
      expect(held.Errors).toEqual([expect.objectContaining({ Key: "held", Code: "AccessDenied" })]);
      await s3.send(new PutObjectLegalHoldCommand({ Bucket: b, Key: "held", LegalHold: { Status: "OFF" } }));
      await s3.send(new DeleteObjectCommand({ Bucket: b, Key: "held", VersionId: v2.VersionId }));

      await s3.send(new PutObjectLockConfigurationCommand({ Bucket: b, ObjectLockConfiguration: { ObjectLockEnabled: "Enabled", Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 1 } } } }));
      const v3 = await s3.send(new PutObjectCommand({ Bucket: b, Key: "default", Body: "x" }));
      const head = await s3.send(new HeadObjectCommand({ Bucket: b, Key: "default" }));
      expect(head.ObjectLockMode).toBe("COMPLIANCE");
      expect(head.ObjectLockRetainUntilDate).toBeInstanceOf(Date);
      const compliance = await error(s3.send(new DeleteObjectCommand({ Bucket: b, Key: "default", VersionId: v3.VersionId, BypassGovernanceRetention: true })));
      expect(compliance.name).toBe("AccessDenied");
      const shorten = await error(s3.send(new PutObjectRetentionCommand({ Bucket: b, Key: "default", Retention: { Mode: "COMPLIANCE", RetainUntilDate: new Date(Date.now() + 3600_000) } })));
      expect(shorten.name).toBe("AccessDenied");
      const suspend = await error(s3.send(new PutBucketVersioningCommand({ Bucket: b, VersioningConfiguration: { Status: "Suspended" } })));
      expect(suspend.name).toBe("InvalidBucketState");
    });

    it("ListObjectVersions with prefix, delimiter and encoding-type=url", async () => {
      const b = await versioned();
      for (const key of ["top", "dir/one", "dir/two", "sp ace/x"]) {
        await s3.send(new PutObjectCommand({ Bucket: b, Key: key, Body: "1" }));
        await s3.send(new PutObjectCommand({ Bucket: b, Key: key, Body: "2" }));
      }
      const out = await s3.send(new ListObjectVersionsCommand({ Bucket: b, Delimiter: "/" }));
      expect(out.CommonPrefixes).toEqual([{ Prefix: "dir/" }, { Prefix: "sp ace/" }]);
      expect(out.Versions!.map((v) => v.Key)).toEqual(["top", "top"]);
      const sub = await s3.send(new ListObjectVersionsCommand({ Bucket: b, Prefix: "dir/" }));
      expect(sub.Versions!.map((v) => [v.Key, v.IsLatest])).toEqual([["dir/one", true], ["dir/one", false], ["dir/two", true], ["dir/two", false]]);
      const raw = await t.fetch(`/${b}?versions&encoding-type=url&prefix=sp`);
      const xml = await raw.text();
      expect(xml).toContain("<Key>sp%20ace/x</Key>");
      expect(xml).toContain("<ListVersionsResult");
    });
  });
}
