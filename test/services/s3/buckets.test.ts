/**
 * S3 buckets through the JS SDK v3: CreateBucket rules and errors, DeleteBucket, HeadBucket,
 * ListBuckets (prefix, pagination, per account), GetBucketLocation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateBucketCommand, DeleteBucketCommand, DeleteObjectCommand, GetBucketLocationCommand, HeadBucketCommand,
  ListBucketsCommand, PutObjectCommand, S3Client, S3ServiceException, GetObjectCommand, PutBucketPolicyCommand,
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
  describe(`S3 buckets, ${name}`, () => {
    let t: S3Transport;
    let s3: S3Client;
    beforeAll(async () => {
      t = await setup();
      s3 = t.client();
    });
    afterAll(() => t.close());

    it("CreateBucket, HeadBucket with region, GetBucketLocation (us-east-1 is empty)", async () => {
      const b = uniqueBucket("create");
      const out = await s3.send(new CreateBucketCommand({ Bucket: b }));
      expect(out.Location).toBe(`/${b}`);
      const head = await s3.send(new HeadBucketCommand({ Bucket: b }));
      expect(head.BucketRegion).toBe("us-east-1");
      const loc = await s3.send(new GetBucketLocationCommand({ Bucket: b }));
      expect(loc.LocationConstraint).toBeUndefined();
      const raw = await t.fetch(`/${b}?location`);
      expect(await raw.text()).toMatch(/<LocationConstraint xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"><\/LocationConstraint>|<LocationConstraint xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/"\/>/);
    });

    it("LocationConstraint: other regions from us-east-1; mismatches and invalid names rejected", async () => {
      const b = uniqueBucket("eu");
      await s3.send(new CreateBucketCommand({ Bucket: b, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
      expect((await s3.send(new GetBucketLocationCommand({ Bucket: b }))).LocationConstraint).toBe("eu-west-1");
      expect((await s3.send(new HeadBucketCommand({ Bucket: b }))).BucketRegion).toBe("eu-west-1");
      const west = t.client({ region: "us-west-2" });
      // The JS SDK fills in LocationConstraint from its region; a bare request signed for us-west-2 does not.
      const implicit = uniqueBucket("w");
      await west.send(new CreateBucketCommand({ Bucket: implicit }));
      expect((await s3.send(new HeadBucketCommand({ Bucket: implicit }))).BucketRegion).toBe("us-west-2");
      const auth = "AWS4-HMAC-SHA256 Credential=test/20260101/us-west-2/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=00";
      const bare = await t.fetch(`/${uniqueBucket("w")}`, { method: "PUT", headers: { authorization: auth, "x-amz-date": "20260101T000000Z" } });
      expect(bare.status).toBe(400);
      const text = await bare.text();
      expect(text).toContain("<Code>IllegalLocationConstraintException</Code>");
      expect(text).toContain("<Message>The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.</Message>");
      const e2 = await error(west.send(new CreateBucketCommand({ Bucket: uniqueBucket("w"), CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } })));
      expect(e2.name).toBe("IllegalLocationConstraintException");
      const e3 = await error(s3.send(new CreateBucketCommand({ Bucket: uniqueBucket("w"), CreateBucketConfiguration: { LocationConstraint: "mars-north-1" as never } })));
      expect(e3.name).toBe("InvalidLocationConstraint");
      const legacy = uniqueBucket("eu-legacy");
      await s3.send(new CreateBucketCommand({ Bucket: legacy, CreateBucketConfiguration: { LocationConstraint: "EU" } }));
      expect((await s3.send(new GetBucketLocationCommand({ Bucket: legacy }))).LocationConstraint).toBe("EU");
      expect((await s3.send(new HeadBucketCommand({ Bucket: legacy }))).BucketRegion).toBe("eu-west-1");
      const ok = uniqueBucket("w");
      await west.send(new CreateBucketCommand({ Bucket: ok, CreateBucketConfiguration: { LocationConstraint: "us-west-2" } }));
      expect((await s3.send(new HeadBucketCommand({ Bucket: ok }))).BucketRegion).toBe("us-west-2");
    });

    it("invalid bucket names → InvalidBucketName", async () => {
      for (const bad of ["ab", "UpperCase", "-start", "end-", "two..dots", "192.168.1.1", "xn--punycode", "a".repeat(64), "under_score", "bad-s3alias"]) {
        const e = await error(s3.send(new CreateBucketCommand({ Bucket: bad })));
        expect(e.name, bad).toBe("InvalidBucketName");
        expect(e.message).toBe("The specified bucket is not valid.");
        expect(e.$metadata.httpStatusCode).toBe(400);
      }
    });

    it("BucketAlreadyOwnedByYou outside us-east-1 (us-east-1 answers 200), BucketAlreadyExists across accounts", async () => {
      const b = uniqueBucket("dup");
      await s3.send(new CreateBucketCommand({ Bucket: b }));
      await s3.send(new CreateBucketCommand({ Bucket: b }));
      const eu = uniqueBucket("dup-eu");
      await s3.send(new CreateBucketCommand({ Bucket: eu, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } }));
      const e1 = await error(s3.send(new CreateBucketCommand({ Bucket: eu, CreateBucketConfiguration: { LocationConstraint: "eu-west-1" } })));
      expect(e1.name).toBe("BucketAlreadyOwnedByYou");
      expect(e1.$metadata.httpStatusCode).toBe(409);
      const other = t.client({ credentials: { accessKeyId: "111122223333", secretAccessKey: "x" } });
      const e2 = await error(other.send(new CreateBucketCommand({ Bucket: b })));
      expect(e2.name).toBe("BucketAlreadyExists");
      expect(e2.$metadata.httpStatusCode).toBe(409);
    });

    it("DeleteBucket: BucketNotEmpty until the last object is gone; then NoSuchBucket", async () => {
      const b = uniqueBucket("del");
      await s3.send(new CreateBucketCommand({ Bucket: b }));
      await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "x" }));
      const e = await error(s3.send(new DeleteBucketCommand({ Bucket: b })));
      expect(e.name).toBe("BucketNotEmpty");
      expect(e.message).toBe("The bucket you tried to delete is not empty");
      expect(e.$metadata.httpStatusCode).toBe(409);
      await s3.send(new DeleteObjectCommand({ Bucket: b, Key: "k" }));
      const out = await s3.send(new DeleteBucketCommand({ Bucket: b }));
      expect(out.$metadata.httpStatusCode).toBe(204);
      const gone = await error(s3.send(new HeadBucketCommand({ Bucket: b })));
      expect(gone.$metadata.httpStatusCode).toBe(404);
      const gone2 = await error(s3.send(new DeleteBucketCommand({ Bucket: b })));
      expect(gone2.name).toBe("NoSuchBucket");
    });

    it("ListBuckets: only the caller's, with prefix and pagination", async () => {
      const tag = uniqueBucket("lb");
      const names = [`${tag}-a`, `${tag}-b`, `${tag}-c`];
      for (const n of names) await s3.send(new CreateBucketCommand({ Bucket: n }));
      const other = t.client({ credentials: { accessKeyId: "444455556666", secretAccessKey: "x" } });
      await other.send(new CreateBucketCommand({ Bucket: `${tag}-z` }));
      const all = await s3.send(new ListBucketsCommand({}));
      expect(all.Buckets!.map((b) => b.Name)).toEqual(expect.arrayContaining(names));
      expect(all.Buckets!.map((b) => b.Name)).not.toContain(`${tag}-z`);
      expect(all.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
      expect(all.Buckets![0]!.CreationDate).toBeInstanceOf(Date);
      const byPrefix = await s3.send(new ListBucketsCommand({ Prefix: tag }));
      expect(byPrefix.Buckets!.map((b) => b.Name)).toEqual(names);
      expect(byPrefix.Prefix).toBe(tag);
      const p1 = await s3.send(new ListBucketsCommand({ Prefix: tag, MaxBuckets: 2 }));
      expect(p1.Buckets!.map((b) => b.Name)).toEqual(names.slice(0, 2));
      expect(p1.ContinuationToken).toBeDefined();
      const p2 = await s3.send(new ListBucketsCommand({ Prefix: tag, MaxBuckets: 2, ContinuationToken: p1.ContinuationToken }));
      expect(p2.Buckets!.map((b) => b.Name)).toEqual(names.slice(2));
      expect(p2.ContinuationToken).toBeUndefined();
      expect((await other.send(new ListBucketsCommand({ Prefix: tag }))).Buckets!.map((b) => b.Name)).toEqual([`${tag}-z`]);
    });

    it("CreateBucket with an empty body and trailing slash (JS SDK wire form) works", async () => {
      const b = uniqueBucket("raw");
      const res = await t.fetch(`/${b}/`, { method: "PUT", headers: { "content-type": "application/xml" } });
      expect(res.status).toBe(200);
      const head = await t.fetch(`/${b}`, { method: "HEAD" });
      expect(head.status).toBe(200);
      expect(head.headers.get("x-amz-bucket-region")).toBe("us-east-1");
      const missing = await t.fetch(`/${b}-missing`, { method: "HEAD" });
      expect(missing.status).toBe(404);
      expect(await missing.text()).toBe("");
    });

    it("another account's bucket is AccessDenied until a bucket policy shares it", async () => {
      const b = uniqueBucket("xacct");
      await s3.send(new CreateBucketCommand({ Bucket: b }));
      await s3.send(new PutObjectCommand({ Bucket: b, Key: "k", Body: "shared" }));
      const other = t.client({ credentials: { accessKeyId: "777788889999", secretAccessKey: "x" } });
      const denied = await error(other.send(new GetObjectCommand({ Bucket: b, Key: "k" })));
      expect(denied.name).toBe("AccessDenied");
      expect(denied.$metadata.httpStatusCode).toBe(403);
      expect((await error(other.send(new HeadBucketCommand({ Bucket: b })))).$metadata.httpStatusCode).toBe(403);
      await s3.send(new PutBucketPolicyCommand({ Bucket: b, Policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::777788889999:root" }, Action: "s3:*", Resource: [`arn:aws:s3:::${b}`, `arn:aws:s3:::${b}/*`] }] }) }));
      expect(await (await other.send(new GetObjectCommand({ Bucket: b, Key: "k" }))).Body!.transformToString()).toBe("shared");
    });
  });
}
