/**
 * ListObjects (v1), ListObjectsV2 and ListObjectVersions through the JS SDK v3: prefix,
 * delimiter and CommonPrefixes, max-keys, continuation tokens, start-after, fetch-owner,
 * encoding-type=url, UTF-8 byte order.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateBucketCommand, CreateMultipartUploadCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException,
  paginateListObjectsV2,
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

const KEYS = ["a.txt", "b/1.txt", "b/2.txt", "b/c/3.txt", "d/4.txt", "e", "z space", "é-accent", "ü", "Z-upper", "~tilde", "\u{1F600}emoji", "\uFF21fullwidth"];

/** S3's order: UTF-8 bytes. */
function byteOrder(keys: string[]): string[] {
  const enc = new TextEncoder();
  return [...keys].sort((a, b) => Buffer.compare(Buffer.from(enc.encode(a)), Buffer.from(enc.encode(b))));
}

for (const { name, setup } of TRANSPORTS) {
  describe(`S3 listing, ${name}`, () => {
    let t: S3Transport;
    let s3: S3Client;
    let bucket: string;
    beforeAll(async () => {
      t = await setup();
      s3 = t.client();
      bucket = uniqueBucket("listing");
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      for (const key of KEYS) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
    });
    afterAll(() => t.close());

    it("ListObjectsV2 lists every key in UTF-8 byte order with sizes and ETags", async () => {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      expect(out.Contents!.map((c) => c.Key)).toEqual(byteOrder(KEYS));
      expect(out.KeyCount).toBe(KEYS.length);
      expect(out.IsTruncated).toBe(false);
      expect(out.MaxKeys).toBe(1000);
      expect(out.Name).toBe(bucket);
      const first = out.Contents![0]!;
      expect(first.Size).toBe(new TextEncoder().encode(first.Key!).length);
      expect(first.ETag).toMatch(/^"[0-9a-f]{32}"$/);
      expect(first.StorageClass).toBe("STANDARD");
      expect(first.Owner).toBeUndefined();
      expect(first.ChecksumAlgorithm).toEqual(["CRC32"]);
    });

    it("prefix and delimiter group CommonPrefixes", async () => {
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/" }));
      expect(out.CommonPrefixes!.map((p) => p.Prefix)).toEqual(["b/", "d/"]);
      expect(out.Contents!.map((c) => c.Key)).not.toContain("b/1.txt");
      expect(out.KeyCount).toBe(KEYS.length - 4 + 2);
      const sub = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "b/", Delimiter: "/" }));
      expect(sub.Contents!.map((c) => c.Key)).toEqual(["b/1.txt", "b/2.txt"]);
      expect(sub.CommonPrefixes).toEqual([{ Prefix: "b/c/" }]);
      expect(sub.Prefix).toBe("b/");
      expect(sub.Delimiter).toBe("/");
      const none = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: "nothing/" }));
      expect(none.Contents).toBeUndefined();
      expect(none.KeyCount).toBe(0);
    });

    it("max-keys, continuation tokens and start-after page through everything once", async () => {
      const seen: string[] = [];
      let token: string | undefined;
      let pages = 0;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 4, ContinuationToken: token }));
        seen.push(...(page.Contents ?? []).map((c) => c.Key!));
        expect(page.KeyCount).toBeLessThanOrEqual(4);
        token = page.NextContinuationToken;
        if (token) expect(page.IsTruncated).toBe(true);
        pages++;
      } while (token);
      expect(seen).toEqual(byteOrder(KEYS));
      expect(pages).toBe(Math.ceil(KEYS.length / 4));
      const after = await s3.send(new ListObjectsV2Command({ Bucket: bucket, StartAfter: "b/2.txt" }));
      expect(after.Contents![0]!.Key).toBe("b/c/3.txt");
      expect(after.StartAfter).toBe("b/2.txt");
      const paged: string[] = [];
      for await (const page of paginateListObjectsV2({ client: s3, pageSize: 3 }, { Bucket: bucket, Delimiter: "/" })) {
        paged.push(...(page.Contents ?? []).map((c) => c.Key!), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      }
      expect(paged.sort()).toEqual([...KEYS.filter((k) => !k.includes("/")), "b/", "d/"].sort());
      const bad = await error(s3.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: "garbage!" })));
      expect(bad.name).toBe("InvalidArgument");
    });

    it("a page ending on a CommonPrefix does not repeat it", async () => {
      const p1 = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/", MaxKeys: 3 }));
      expect([...(p1.Contents ?? []).map((c) => c.Key), ...(p1.CommonPrefixes ?? []).map((p) => p.Prefix)]).toEqual(["Z-upper", "a.txt", "b/"]);
      const p2 = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: "/", MaxKeys: 2, ContinuationToken: p1.NextContinuationToken }));
      expect(p2.CommonPrefixes).toEqual([{ Prefix: "d/" }]);
      expect(p2.Contents!.map((c) => c.Key)).toEqual(["e"]);
    });

    it("fetch-owner adds Owner; ListObjects v1 always has it, with marker and NextMarker", async () => {
      const v2 = await s3.send(new ListObjectsV2Command({ Bucket: bucket, FetchOwner: true, MaxKeys: 1 }));
      expect(v2.Contents![0]!.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
      const v1 = await s3.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 3 }));
      expect(v1.Contents!.map((c) => c.Key)).toEqual(byteOrder(KEYS).slice(0, 3));
      expect(v1.Contents![0]!.Owner?.ID).toMatch(/^[0-9a-f]{64}$/);
      expect(v1.IsTruncated).toBe(true);
      expect(v1.NextMarker).toBeUndefined();
      const v1b = await s3.send(new ListObjectsCommand({ Bucket: bucket, Marker: v1.Contents![2]!.Key, MaxKeys: 3 }));
      expect(v1b.Contents!.map((c) => c.Key)).toEqual(byteOrder(KEYS).slice(3, 6));
      expect(v1b.Marker).toBe(v1.Contents![2]!.Key);
      const v1d = await s3.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: "/", MaxKeys: 3 }));
      expect(v1d.NextMarker).toBe("b/");
      const v1e = await s3.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: "/", MaxKeys: 2, Marker: v1d.NextMarker }));
      expect(v1e.CommonPrefixes).toEqual([{ Prefix: "d/" }]);
    });

    it("encoding-type=url encodes keys and prefixes (space as %20, + as %2B, slash kept), as S3 does", async () => {
      const res = await t.fetch(`/${bucket}?list-type=2&encoding-type=url&prefix=z%20`);
      const xml = await res.text();
      expect(xml).toContain("<EncodingType>url</EncodingType>");
      expect(xml).toContain("<Key>z%20space</Key>");
      expect(xml).toContain("<Prefix>z%20</Prefix>");
      const res2 = await t.fetch(`/${bucket}?list-type=2&encoding-type=url&delimiter=/&prefix=%C3%A9`);
      expect(await res2.text()).toContain("<Key>%C3%A9-accent</Key>");
      const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: "url", Prefix: "b/" }));
      expect(out.Contents!.map((c) => c.Key)).toEqual(["b/1.txt", "b/2.txt", "b/c/3.txt"]);
      const bad = await error(s3.send(new ListObjectsV2Command({ Bucket: bucket, EncodingType: "base64" as never })));
      expect(bad.name).toBe("InvalidArgument");
    });

    it("encoding-type=url is the same in every listing: the s3-tests keys, and ListMultipartUploads agrees", async () => {
      const b = uniqueBucket("enc");
      await s3.send(new CreateBucketCommand({ Bucket: b }));
      for (const key of ["foo+1/bar", "foo/bar/xyzzy", "quux ab/thud", "asdf+b", "x!'()*~.txt"]) {
        await s3.send(new PutObjectCommand({ Bucket: b, Key: key, Body: "1" }));
      }
      const xml = await (await t.fetch(`/${b}?list-type=2&encoding-type=url&delimiter=/`)).text();
      expect([...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1])).toEqual(["asdf%2Bb", "x%21%27%28%29%2A~.txt"]);
      expect([...xml.matchAll(/<CommonPrefixes><Prefix>([^<]*)<\/Prefix>/g)].map((m) => m[1])).toEqual(["foo%2B1/", "foo/", "quux%20ab/"]);
      const v1 = await (await t.fetch(`/${b}?encoding-type=url&prefix=quux%20`)).text();
      expect(v1).toContain("<Key>quux%20ab/thud</Key>");
      await s3.send(new CreateMultipartUploadCommand({ Bucket: b, Key: "quux ab/up+load" }));
      const uploads = await (await t.fetch(`/${b}?uploads&encoding-type=url`)).text();
      expect(uploads).toContain("<Key>quux%20ab/up%2Bload</Key>");
    });

    it("max-keys 0 returns nothing; negative is InvalidArgument; missing bucket NoSuchBucket", async () => {
      const zero = await s3.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 0 }));
      expect(zero.Contents).toBeUndefined();
      expect(zero.KeyCount).toBe(0);
      const neg = await t.fetch(`/${bucket}?list-type=2&max-keys=-1`);
      expect(neg.status).toBe(400);
      expect(await neg.text()).toContain("<Code>InvalidArgument</Code>");
      expect((await error(s3.send(new ListObjectsV2Command({ Bucket: "no-such-listing-bucket" })))).name).toBe("NoSuchBucket");
    });
  });
}
