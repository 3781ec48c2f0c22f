import { describe, expect, it } from "vitest";
import { restXmlCodec } from "../../src/protocol/rest-xml.ts";
import { AwsError } from "../../src/protocol/errors.ts";
import { HTTP_STATUS } from "../../src/protocol/codec.ts";
import { captures, incomingFrom, loadModel, requestFromCapture, type CaptureRecord } from "./incoming.ts";
import { botocoreParse, hasBotocore } from "./botocore.ts";

const s3 = await loadModel("s3");

function req(method: string, path: string, init: { headers?: Record<string, string>; body?: string } = {}) {
  return incomingFrom(new Request(`http://localhost:4566${path}`, { method, headers: init.headers, body: init.body }), s3, "rest-xml");
}

async function parseCapture(rec: CaptureRecord) {
  return restXmlCodec.parse(incomingFrom(requestFromCapture(rec), s3, "rest-xml"));
}

describe("restXml routing (S3 captures)", () => {
  it("routes every captured S3 request from every client to the right operation", async () => {
    const expected: [string, string, string][] = [
      ["js-sdk-v3.jsonl", "s3:CreateBucket", "CreateBucket"],
      ["boto3.jsonl", "s3:CreateBucket", "CreateBucket"],
      ["js-sdk-v3.jsonl", "s3:PutObject(string Body)", "PutObject"],
      ["boto3.jsonl", "s3:PutObject(bytes)", "PutObject"],
      ["js-sdk-v3.jsonl", "s3:GetObject", "GetObject"],
      ["boto3.jsonl", "s3:HeadObject", "HeadObject"],
      ["boto3.jsonl", "s3:ListObjectsV2", "ListObjectsV2"],
      ["boto3.jsonl", "s3:presigned GET via curl", "GetObject"],
      ["js-sdk-v3.jsonl", "s3:presigned GET via curl", "GetObject"],
      ["boto3.jsonl", "s3:presigned PUT via curl (--upload-file)", "PutObject"],
    ];
    for (const [file, op, name] of expected) {
      const [rec] = await captures(file, op);
      expect((await parseCapture(rec!)).operation.name, `${file} ${op}`).toBe(name);
    }
  });

  it("routes multipart uploads: ?uploads / ?uploads= create, parts, complete", async () => {
    for (const file of ["boto3.jsonl", "js-sdk-v3.jsonl", "awscli-v1.jsonl", "awscli-v2.jsonl"]) {
      const recs = await captures(file, "multipart");
      const names = [];
      for (const rec of recs) {
        if (rec.request.method === "PUT") {
          const hdrs = new Headers(rec.request.headers.filter(([k]) => !/^(content-length|host|expect|transfer-encoding|connection)$/i.test(k)));
          const incoming = incomingFrom(new Request(`http://localhost${rec.request.path}`, { method: "PUT", headers: hdrs, body: "x" }), s3, "rest-xml");
          const parsed = await restXmlCodec.parse(incoming);
          expect(parsed.input.Body).toBeInstanceOf(ReadableStream);
          expect(parsed.input.PartNumber).toBeTypeOf("number");
          names.push(parsed.operation.name);
        } else {
          names.push((await parseCapture(rec)).operation.name);
        }
      }
      expect(names[0]).toBe("CreateMultipartUpload");
      expect(names.slice(1, -1).every((n) => n === "UploadPart")).toBe(true);
      expect(names.at(-1)).toBe("CompleteMultipartUpload");
    }
  });

  it("parses CompleteMultipartUpload XML from boto3 and from JS (&quot; ETags, other order)", async () => {
    const [boto] = (await captures("boto3.jsonl", "multipart")).filter((r) => r.request.method === "POST" && !r.request.path.includes("uploads"));
    const b = await parseCapture(boto!);
    expect(b.input.Bucket).toBe("cap-boto3");
    expect(b.input.Key).toBe("big-20MiB.txt");
    expect(b.input.UploadId).toMatch(/^1JGV/);
    const parts = (b.input.MultipartUpload as any).Parts;
    expect(parts).toHaveLength(3);
    expect(parts[0]).toMatchObject({ PartNumber: 1, ChecksumCRC32: expect.any(String) });
    expect(parts[0].ETag).toMatch(/^"[0-9a-f]{32}"$/);

    const [js] = (await captures("js-sdk-v3.jsonl", "multipart")).filter((r) => r.request.method === "POST" && !r.request.path.includes("uploads"));
    const j = await parseCapture(js!);
    const jparts = (j.input.MultipartUpload as any).Parts;
    expect(jparts.map((p: any) => p.PartNumber)).toEqual([1, 2, 3]);
    expect(jparts[0].ETag).toMatch(/^"07a1[0-9a-f]{28}"$/);
    expect(jparts[0].ChecksumCRC32).toBe("kr+G8w==");
  });

  it("reads ListObjectsV2 query members and ignores the list-type literal", async () => {
    const [rec] = await captures("boto3.jsonl", "s3:ListObjectsV2");
    expect((await parseCapture(rec!)).input).toEqual({ Bucket: "cap-boto3", EncodingType: "url" });
    const r = await restXmlCodec.parse(req("GET", "/b?list-type=2&max-keys=5&prefix=a%2Fb&fetch-owner=true"));
    expect(r.input).toEqual({ Bucket: "b", MaxKeys: 5, Prefix: "a/b", FetchOwner: true });
  });

  it("picks the most specific operation on shared paths", async () => {
    const name = async (m: string, p: string, headers?: Record<string, string>) => (await restXmlCodec.parse(req(m, p, { headers, body: m === "PUT" || m === "POST" ? "" : undefined }))).operation.name;
    expect(await name("GET", "/")).toBe("ListBuckets");
    expect(await name("GET", "/b")).toBe("ListObjects");
    expect(await name("GET", "/b/")).toBe("ListObjects");
    expect(await name("GET", "/b?uploads")).toBe("ListMultipartUploads");
    expect(await name("GET", "/b?lifecycle")).toBe("GetBucketLifecycleConfiguration");
    expect(await name("GET", "/b?analytics")).toBe("ListBucketAnalyticsConfigurations");
    expect(await name("GET", "/b?analytics&id=x")).toBe("GetBucketAnalyticsConfiguration");
    expect(await name("GET", "/b/k?uploadId=u")).toBe("ListParts");
    expect(await name("GET", "/b/k?tagging")).toBe("GetObjectTagging");
    expect(await name("PUT", "/b/k", { "x-amz-copy-source": "/a/b" })).toBe("CopyObject");
    expect(await name("PUT", "/b/k?partNumber=1&uploadId=u", { "x-amz-copy-source": "/a/b" })).toBe("UploadPartCopy");
    expect(await name("DELETE", "/b/k?uploadId=u")).toBe("AbortMultipartUpload");
    expect(await name("DELETE", "/b/k")).toBe("DeleteObject");
    expect(await name("POST", "/b?delete")).toBe("DeleteObjects");
    await expect(restXmlCodec.parse(req("PATCH", "/b/k"))).rejects.toMatchObject({ code: "MethodNotAllowed", status: 405 });
  });

  it("decodes keys (greedy labels keep slashes), metadata header maps and typed headers", async () => {
    const r = await restXmlCodec.parse(req("PUT", "/my-bucket/dir/sub%20dir/caf%C3%A9.txt", {
      headers: { "x-amz-meta-Color": "blue", "x-amz-meta-n": "1", "content-type": "text/plain", "x-amz-object-lock-retain-until-date": "2030-01-01T00:00:00Z", "x-amz-server-side-encryption-bucket-key-enabled": "true" },
      body: "hello",
    }));
    expect(r.input).toMatchObject({ Bucket: "my-bucket", Key: "dir/sub dir/café.txt", Metadata: { color: "blue", n: "1" }, ContentType: "text/plain", BucketKeyEnabled: true });
    expect(r.input.ObjectLockRetainUntilDate).toEqual(new Date("2030-01-01T00:00:00Z"));
    const body = await new Response(r.input.Body as ReadableStream).text();
    expect(body).toBe("hello");
    await expect(restXmlCodec.parse(req("GET", "/b?list-type=2&max-keys=abc"))).rejects.toMatchObject({ code: "InvalidArgument", status: 400 });
  });

  it("rejects malformed XML with MalformedXML and refuses entity declarations", async () => {
    const bad = req("POST", "/b?delete", { body: "<Delete><Object><Key>k</Key></Object>" });
    await expect(restXmlCodec.parse(bad)).rejects.toMatchObject({
      code: "MalformedXML", status: 400, message: "The XML you provided was not well-formed or did not validate against our published schema",
    });
    const xxe = req("POST", "/b?delete", { body: '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x "boom">]><Delete><Object><Key>&x;</Key></Object></Delete>' });
    await expect(restXmlCodec.parse(xxe)).rejects.toMatchObject({ code: "MalformedXML" });
    const ok = await restXmlCodec.parse(req("POST", "/b?delete", { body: "<Delete><Object><Key>a&amp;b&#x41;</Key></Object><Object><Key>c</Key><VersionId>v</VersionId></Object><Quiet>true</Quiet></Delete>" }));
    expect(ok.input.Delete).toEqual({ Objects: [{ Key: "a&bA" }, { Key: "c", VersionId: "v" }], Quiet: true });
  });

  it("parses an empty CreateBucket body as no configuration, and a configuration when sent", async () => {
    const [rec] = await captures("js-sdk-v3.jsonl", "s3:CreateBucket");
    expect((await parseCapture(rec!)).input).toEqual({ Bucket: "cap-js" });
    const r = await restXmlCodec.parse(req("PUT", "/b", { body: '<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>' }));
    expect(r.input.CreateBucketConfiguration).toEqual({ LocationConstraint: "eu-west-1" });
  });
});

describe("restXml serialize", () => {
  it("renders ListObjectsV2 as ListBucketResult and botocore reads it", async () => {
    const op = s3.operations.ListObjectsV2!;
    const res = restXmlCodec.serialize(req("GET", "/b?list-type=2"), op, {
      IsTruncated: false, Name: "b", Prefix: "", MaxKeys: 1000, KeyCount: 2, EncodingType: "url",
      Contents: [
        { Key: "a%20b", LastModified: new Date("2026-11-22T00:32:26.123Z"), ETag: '"abc"', Size: 3, StorageClass: "STANDARD", ChecksumAlgorithm: ["CRC32"] },
        { Key: "c", LastModified: new Date("2026-11-22T00:32:27Z"), ETag: '"def"', Size: 0, StorageClass: "STANDARD", Owner: { ID: "o", DisplayName: "me" } },
      ],
      CommonPrefixes: [{ Prefix: "d/" }],
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/xml");
    expect(res.headers.get("x-amz-request-id")).toBe("req-0001");
    expect(res.headers.get("x-amz-id-2")).toBeTruthy();
    const text = await res.clone().text();
    expect(text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><IsTruncated>false</IsTruncated><Contents><Key>a%20b</Key><LastModified>2026-11-22T00:32:26.123Z</LastModified><ETag>&quot;abc&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm>')).toBe(true);
    expect(text).toContain("<CommonPrefixes><Prefix>d/</Prefix></CommonPrefixes>");
    if (hasBotocore) {
      const parsed = await botocoreParse("s3", "ListObjectsV2", res);
      expect(parsed.Contents).toEqual([
        { Key: "a%20b", LastModified: "2026-11-22T00:32:26.123000+00:00", ETag: '"abc"', Size: 3, StorageClass: "STANDARD", ChecksumAlgorithm: ["CRC32"] },
        { Key: "c", LastModified: "2026-11-22T00:32:27+00:00", ETag: '"def"', Size: 0, StorageClass: "STANDARD", Owner: { ID: "o", DisplayName: "me" } },
      ]);
      expect(parsed).toMatchObject({ IsTruncated: false, Name: "b", MaxKeys: 1000, KeyCount: 2, CommonPrefixes: [{ Prefix: "d/" }] });
    }
  });

  it("passes a streaming GetObject body through with its header members; botocore reads them", async () => {
    const op = s3.operations.GetObject!;
    const stream = new ReadableStream<Uint8Array>({ start(c) { c.enqueue(new TextEncoder().encode("hello ")); c.enqueue(new TextEncoder().encode("world")); c.close(); } });
    const output = {
      Body: stream, ContentLength: 11, ContentType: "text/plain", ETag: '"5eb63bbbe01eeed093cb22bb8f5acdc3"',
      LastModified: new Date("2026-11-22T00:32:26Z"), Metadata: { color: "blue", name: "café" }, AcceptRanges: "bytes",
      [HTTP_STATUS]: 206, ContentRange: "bytes 0-10/11",
    };
    const res = restXmlCodec.serialize(req("GET", "/b/k"), op, output);
    expect(res.body).toBe(stream);
    expect(res.status).toBe(206);
    expect(res.headers.get("last-modified")).toBe("Sun, 22 Nov 2026 00:32:26 GMT");
    expect(res.headers.get("x-amz-meta-color")).toBe("blue");
    expect(res.headers.get("x-amz-meta-name")).toBe("=?UTF-8?B?Y2Fmw6k=?=");
    if (hasBotocore) {
      const parsed = await botocoreParse("s3", "GetObject", res);
      expect(parsed).toMatchObject({
        Body: { __bytes__: btoa("hello world") }, ContentLength: 11, ContentType: "text/plain", ETag: '"5eb63bbbe01eeed093cb22bb8f5acdc3"',
        LastModified: "2026-11-22T00:32:26+00:00", Metadata: { color: "blue" }, ContentRange: "bytes 0-10/11",
      });
    }
  });

  it("sends no body for HEAD and 304, and none for header-only outputs", async () => {
    const head = restXmlCodec.serialize(req("HEAD", "/b/k"), s3.operations.HeadObject!, { ContentLength: 5, ETag: '"x"' });
    expect(head.body).toBeNull();
    expect(head.headers.get("content-length")).toBe("5");
    const notModified = restXmlCodec.serialize(req("GET", "/b/k"), s3.operations.GetObject!, { [HTTP_STATUS]: 304, ETag: '"x"', Body: new Uint8Array([1]) });
    expect(notModified.status).toBe(304);
    expect(notModified.body).toBeNull();
    const put = restXmlCodec.serialize(req("PUT", "/b/k"), s3.operations.PutObject!, { ETag: '"x"', ChecksumCRC32: "ceEX9Q==" });
    expect(await put.text()).toBe("");
    expect(put.headers.get("etag")).toBe('"x"');
    const del = restXmlCodec.serialize(req("DELETE", "/b"), s3.operations.DeleteBucket!, {});
    expect(del.status).toBe(204);
  });

  it("renders structure payloads, attributes with namespace prefixes and GetBucketLocation", async () => {
    const acl = restXmlCodec.serialize(req("GET", "/b?acl"), s3.operations.GetBucketAcl!, {
      Owner: { ID: "o" }, Grants: [{ Grantee: { Type: "CanonicalUser", ID: "o" }, Permission: "FULL_CONTROL" }],
    });
    const aclText = await acl.clone().text();
    expect(aclText).toContain('<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>o</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>o</ID></Grantee>');
    if (hasBotocore) {
      const parsed = await botocoreParse("s3", "GetBucketAcl", acl);
      expect(parsed.Grants).toEqual([{ Grantee: { Type: "CanonicalUser", ID: "o" }, Permission: "FULL_CONTROL" }]);
    }
    const loc = restXmlCodec.serialize(req("GET", "/b?location"), s3.operations.GetBucketLocation!, { LocationConstraint: "eu-west-1" });
    expect(await loc.text()).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">eu-west-1</LocationConstraint>');
    const tagging = restXmlCodec.serialize(req("GET", "/b/k?tagging"), s3.operations.GetObjectTagging!, { TagSet: [{ Key: "a", Value: "1" }], VersionId: "v1" });
    expect(await tagging.text()).toContain('<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>');
    expect(tagging.headers.get("x-amz-version-id")).toBe("v1");
  });

  it("renders S3 errors as <Error> with extra fields; botocore reads the code", async () => {
    const err = new AwsError("NoSuchKey", "The specified key does not exist.", 404, { fields: { Key: "a<b" }, headers: { "x-amz-bucket-region": "us-east-1" } });
    const res = restXmlCodec.serializeError(req("GET", "/b/a%3Cb"), s3.operations.GetObject, err);
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/xml");
    expect(res.headers.get("x-amz-bucket-region")).toBe("us-east-1");
    const text = await res.clone().text();
    expect(text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist.<\/Message><Key>a&lt;b<\/Key><RequestId>req-0001<\/RequestId><HostId>[^<]+<\/HostId><\/Error>$/);
    if (hasBotocore) {
      const parsed = await botocoreParse("s3", "GetObject", res);
      expect(parsed.Error).toMatchObject({ Code: "NoSuchKey", Message: "The specified key does not exist.", Key: "a<b" });
      expect(parsed.ResponseMetadata.RequestId).toBe("req-0001");
    }
    const head = restXmlCodec.serializeError(req("HEAD", "/b/k"), s3.operations.HeadObject, new AwsError("NoSuchKey", "x", 404));
    expect(head.body).toBeNull();
    expect(head.status).toBe(404);
  });
});

describe("restXml with the JS SDK (S3)", async () => {
  const { S3Client, GetObjectCommand, PutObjectCommand, ListObjectsV2Command, CompleteMultipartUploadCommand, HeadObjectCommand, DeleteObjectsCommand, NoSuchKey, GetBucketLocationCommand } =
    await import("@aws-sdk/client-s3");
  const { createRequestHandler } = await import("../../src/runtime/sdk.ts");
  const { incomingFrom: toIncoming } = await import("./incoming.ts");
  type Parsed = Awaited<ReturnType<typeof restXmlCodec.parse>>;

  function clientWith(respond: (parsed: Parsed) => unknown | Promise<unknown>) {
    const seen: Parsed[] = [];
    const emulator = {
      async fetch(request: Request) {
        const incoming = toIncoming(request, s3, "rest-xml");
        let parsed: Parsed | undefined;
        try {
          parsed = await restXmlCodec.parse(incoming);
          seen.push(parsed);
          return restXmlCodec.serialize(incoming, parsed.operation, await respond(parsed));
        } catch (e) {
          if (e instanceof AwsError) return restXmlCodec.serializeError(incoming, parsed?.operation, e);
          throw e;
        }
      },
      reset() {},
    };
    const client = new S3Client({
      region: "us-east-1", endpoint: "http://localhost:4566", forcePathStyle: true, maxAttempts: 1,
      credentials: { accessKeyId: "test", secretAccessKey: "test" }, requestHandler: createRequestHandler(emulator as never) as never,
    });
    return { client, seen };
  }

  it("PutObject streams the body in; GetObject streams it out with metadata", async () => {
    let stored = "";
    const { client, seen } = clientWith(async (p) => {
      if (p.operation.name === "PutObject") {
        stored = await new Response(p.input.Body as ReadableStream).text();
        return { ETag: '"e"' };
      }
      return { Body: new Response(stored).body, ContentLength: stored.length, ContentType: "text/plain", Metadata: { a: "b" }, ETag: '"e"', LastModified: new Date("2026-11-22T00:00:00Z") };
    });
    const put = await client.send(new PutObjectCommand({ Bucket: "b", Key: "dir/k y.txt", Body: "hello stream", Metadata: { a: "b" }, ContentType: "text/plain" }));
    expect(put.ETag).toBe('"e"');
    expect(seen[0]!.input).toMatchObject({ Bucket: "b", Key: "dir/k y.txt", Metadata: { a: "b" }, ContentType: "text/plain" });
    expect(stored).toBe("hello stream");
    const got = await client.send(new GetObjectCommand({ Bucket: "b", Key: "dir/k y.txt" }));
    expect(await got.Body!.transformToString()).toBe("hello stream");
    expect(got).toMatchObject({ ContentType: "text/plain", Metadata: { a: "b" }, ETag: '"e"', ContentLength: 12, LastModified: new Date("2026-11-22T00:00:00Z") });
  });

  it("ListObjectsV2, HeadObject, GetBucketLocation, CompleteMultipartUpload and DeleteObjects round-trip", async () => {
    const { client, seen } = clientWith((p) => {
      switch (p.operation.name) {
        case "ListObjectsV2":
          return { Name: "b", KeyCount: 1, IsTruncated: false, Contents: [{ Key: "k", Size: 1, LastModified: new Date(0), ETag: '"x"' }], CommonPrefixes: [{ Prefix: "p/" }] };
        case "HeadObject":
          return { ContentLength: 3, ETag: '"x"', Metadata: { m: "1" } };
        case "GetBucketLocation":
          return { LocationConstraint: "eu-west-1" };
        case "CompleteMultipartUpload":
          return { Bucket: "b", Key: "k", ETag: '"abc-2"', Location: "http://localhost/b/k" };
        case "DeleteObjects":
          return { Deleted: [{ Key: "a" }], Errors: [{ Key: "b", Code: "AccessDenied", Message: "no" }] };
      }
    });
    const list = await client.send(new ListObjectsV2Command({ Bucket: "b", Prefix: "p", MaxKeys: 2 }));
    expect(seen[0]!.input).toEqual({ Bucket: "b", Prefix: "p", MaxKeys: 2 });
    expect(list).toMatchObject({ Name: "b", KeyCount: 1, IsTruncated: false, Contents: [{ Key: "k", Size: 1, ETag: '"x"' }], CommonPrefixes: [{ Prefix: "p/" }] });
    const head = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "k" }));
    expect(head).toMatchObject({ ContentLength: 3, ETag: '"x"', Metadata: { m: "1" } });
    const loc = await client.send(new GetBucketLocationCommand({ Bucket: "b" }));
    expect(loc.LocationConstraint).toBe("eu-west-1");
    const done = await client.send(new CompleteMultipartUploadCommand({
      Bucket: "b", Key: "k", UploadId: "u1", MultipartUpload: { Parts: [{ ETag: '"p1"', PartNumber: 1 }, { ETag: '"p2"', PartNumber: 2, ChecksumCRC32: "kr+G8w==" }] },
    }));
    expect(seen[3]!.input).toMatchObject({ UploadId: "u1", MultipartUpload: { Parts: [{ ETag: '"p1"', PartNumber: 1 }, { ETag: '"p2"', PartNumber: 2, ChecksumCRC32: "kr+G8w==" }] } });
    expect(done).toMatchObject({ ETag: '"abc-2"', Bucket: "b", Key: "k" });
    const del = await client.send(new DeleteObjectsCommand({ Bucket: "b", Delete: { Objects: [{ Key: "a" }, { Key: "b" }], Quiet: false } }));
    expect(seen[4]!.input.Delete).toEqual({ Objects: [{ Key: "a" }, { Key: "b" }], Quiet: false });
    expect(del).toMatchObject({ Deleted: [{ Key: "a" }], Errors: [{ Key: "b", Code: "AccessDenied", Message: "no" }] });
  });

  it("errors reach the SDK as the modelled exception, HEAD errors by status", async () => {
    const { client } = clientWith(() => {
      throw new AwsError("NoSuchKey", "The specified key does not exist.", 404, { fields: { Key: "k" } });
    });
    const err = await client.send(new GetObjectCommand({ Bucket: "b", Key: "k" })).catch((e) => e);
    expect(err).toBeInstanceOf(NoSuchKey);
    expect(err.message).toBe("The specified key does not exist.");
    expect(err.$metadata).toMatchObject({ httpStatusCode: 404, requestId: "req-0001" });
    const head = await client.send(new HeadObjectCommand({ Bucket: "b", Key: "k" })).catch((e) => e);
    expect(head.name).toBe("NotFound");
    expect(head.$metadata.httpStatusCode).toBe(404);
  });
});
