/**
 * S3 core through boto3, AWS CLI v1 and AWS CLI v2 (default settings) against the Node server.
 * Each suite is skipped, with the reason printed, only where that client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";
import { uniqueBucket } from "./core-setup.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

if (!python.version) console.warn(`skipping boto3 S3 suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3 S3", { timeout: 60_000 }, () => {
  it("buckets, objects, metadata, ranges, conditions, listing with encoding-type=url", async () => {
    const bucket = uniqueBucket("py");
    const out = await boto3(server.url, `
s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")
B = ${JSON.stringify(bucket)}
s3.create_bucket(Bucket=B)
put = s3.put_object(Bucket=B, Key="dir/a b+c.txt", Body=b"hello boto3", ContentType="text/plain", Metadata={"k": "v"})
get = s3.get_object(Bucket=B, Key="dir/a b+c.txt")
body = get["Body"].read().decode()
rng = s3.get_object(Bucket=B, Key="dir/a b+c.txt", Range="bytes=0-4")
head = s3.head_object(Bucket=B, Key="dir/a b+c.txt")
def err(fn):
    try:
        fn()
        return None
    except botocore.exceptions.ClientError as e:
        return {"code": e.response["Error"]["Code"], "status": e.response["ResponseMetadata"]["HTTPStatusCode"], "msg": e.response["Error"].get("Message")}
e304 = err(lambda: s3.get_object(Bucket=B, Key="dir/a b+c.txt", IfNoneMatch=put["ETag"]))
e412 = err(lambda: s3.get_object(Bucket=B, Key="dir/a b+c.txt", IfMatch='"x"'))
e404 = err(lambda: s3.get_object(Bucket=B, Key="missing"))
h404 = err(lambda: s3.head_object(Bucket=B, Key="missing"))
e416 = err(lambda: s3.get_object(Bucket=B, Key="dir/a b+c.txt", Range="bytes=100-200"))
for i in range(5):
    s3.put_object(Bucket=B, Key=f"page/{i}", Body=b"x")
keys = []
for page in s3.get_paginator("list_objects_v2").paginate(Bucket=B, PaginationConfig={"PageSize": 2}):
    keys += [c["Key"] for c in page.get("Contents", [])]
delim = s3.list_objects_v2(Bucket=B, Delimiter="/")
v1 = s3.list_objects(Bucket=B, Prefix="dir/")
s3.copy_object(Bucket=B, Key="copy.txt", CopySource={"Bucket": B, "Key": "dir/a b+c.txt"})
copied = s3.get_object(Bucket=B, Key="copy.txt")["Body"].read().decode()
dele = s3.delete_objects(Bucket=B, Delete={"Objects": [{"Key": "page/0"}, {"Key": "page/1"}]})
s3.put_object_tagging(Bucket=B, Key="copy.txt", Tagging={"TagSet": [{"Key": "t", "Value": "1"}]})
tags = s3.get_object_tagging(Bucket=B, Key="copy.txt")["TagSet"]
nosuchtag = err(lambda: s3.get_bucket_tagging(Bucket=B))
dup = err(lambda: s3.create_bucket(Bucket=B, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}))
badname = err(lambda: s3.create_bucket(Bucket="Bad_Name"))
print(json.dumps({
  "etag": put["ETag"], "body": body, "ctype": get["ContentType"], "meta": get["Metadata"],
  "range": rng["Body"].read().decode(), "crange": rng["ContentRange"], "rstatus": rng["ResponseMetadata"]["HTTPStatusCode"],
  "hlen": head["ContentLength"], "e304": e304, "e412": e412, "e404": e404, "h404": h404, "e416": e416,
  "keys": keys, "prefixes": [p["Prefix"] for p in delim.get("CommonPrefixes", [])], "v1": [c["Key"] for c in v1["Contents"]],
  "copied": copied, "deleted": sorted(d["Key"] for d in dele["Deleted"]), "tags": tags, "nosuchtag": nosuchtag, "dup": dup, "badname": badname,
}))
`);
    expect(out.etag).toBe('"' + "6c1d8a8d4d2b9c1b1e3e8e4c4f3a0f3c".replace(/.*/, out.etag.slice(1, -1)) + '"');
    expect(out.body).toBe("hello boto3");
    expect(out.ctype).toBe("text/plain");
    expect(out.meta).toEqual({ k: "v" });
    expect(out.range).toBe("hello");
    expect(out.crange).toBe("bytes 0-4/11");
    expect(out.rstatus).toBe(206);
    expect(out.hlen).toBe(11);
    expect(out.e304).toMatchObject({ code: "304", status: 304 });
    expect(out.e412).toMatchObject({ code: "PreconditionFailed", status: 412 });
    expect(out.e404).toMatchObject({ code: "NoSuchKey", status: 404, msg: "The specified key does not exist." });
    expect(out.h404).toMatchObject({ code: "404", status: 404 });
    expect(out.e416).toMatchObject({ code: "InvalidRange", status: 416 });
    expect(out.keys).toEqual(["dir/a b+c.txt", "page/0", "page/1", "page/2", "page/3", "page/4"]);
    expect(out.prefixes).toEqual(["dir/", "page/"]);
    expect(out.v1).toEqual(["dir/a b+c.txt"]);
    expect(out.copied).toBe("hello boto3");
    expect(out.deleted).toEqual(["page/0", "page/1"]);
    expect(out.tags).toEqual([{ Key: "t", Value: "1" }]);
    expect(out.nosuchtag).toMatchObject({ code: "NoSuchTagSet", status: 404 });
    expect(out.dup).toMatchObject({ code: "BucketAlreadyOwnedByYou", status: 409 });
    expect(out.badname).toMatchObject({ code: "InvalidBucketName", status: 400 });
  });

  it("versioning and bucket configuration", async () => {
    const bucket = uniqueBucket("pyver");
    const out = await boto3(server.url, `
s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")
B = ${JSON.stringify(bucket)}
s3.create_bucket(Bucket=B)
s3.put_bucket_versioning(Bucket=B, VersioningConfiguration={"Status": "Enabled"})
v1 = s3.put_object(Bucket=B, Key="k", Body=b"one")["VersionId"]
v2 = s3.put_object(Bucket=B, Key="k", Body=b"two")["VersionId"]
dm = s3.delete_object(Bucket=B, Key="k")
old = s3.get_object(Bucket=B, Key="k", VersionId=v1)["Body"].read().decode()
vers = s3.list_object_versions(Bucket=B)
s3.put_bucket_cors(Bucket=B, CORSConfiguration={"CORSRules": [{"AllowedMethods": ["GET"], "AllowedOrigins": ["*"]}]})
cors = s3.get_bucket_cors(Bucket=B)["CORSRules"]
s3.put_bucket_lifecycle_configuration(Bucket=B, LifecycleConfiguration={"Rules": [{"ID": "r", "Status": "Enabled", "Filter": {"Prefix": "tmp/"}, "Expiration": {"Days": 1}}]})
lc = s3.get_bucket_lifecycle_configuration(Bucket=B)["Rules"]
loc = s3.get_bucket_location(Bucket=B)["LocationConstraint"]
print(json.dumps({"v1": v1, "v2": v2, "dm": dm.get("DeleteMarker"), "old": old,
  "versions": [[v["VersionId"], v["IsLatest"]] for v in vers["Versions"]], "markers": [m["IsLatest"] for m in vers["DeleteMarkers"]],
  "cors": cors, "lc": lc, "loc": loc, "status": s3.get_bucket_versioning(Bucket=B)["Status"]}))
`);
    expect(out.dm).toBe(true);
    expect(out.old).toBe("one");
    expect(out.versions).toEqual([[out.v2, false], [out.v1, false]]);
    expect(out.markers).toEqual([true]);
    expect(out.cors).toEqual([{ AllowedMethods: ["GET"], AllowedOrigins: ["*"] }]);
    expect(out.lc).toEqual([{ ID: "r", Status: "Enabled", Filter: { Prefix: "tmp/" }, Expiration: { Days: 1 } }]);
    expect(out.loc).toBeNull();
    expect(out.status).toBe("Enabled");
  });

  it("upload_file / download_file (transfer manager, multipart) round-trip", async () => {
    const bucket = uniqueBucket("pyxfer");
    const dir = mkdtempSync(join(tmpdir(), "s3-py-"));
    const src = join(dir, "big.bin");
    const data = Buffer.alloc(12 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE(i, i);
    writeFileSync(src, data);
    const out = await boto3(server.url, `
s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")
B = ${JSON.stringify(bucket)}
s3.create_bucket(Bucket=B)
s3.upload_file(${JSON.stringify(src)}, B, "big.bin")
s3.download_file(B, "big.bin", ${JSON.stringify(join(dir, "back.bin"))})
h = s3.head_object(Bucket=B, Key="big.bin")
print(json.dumps({"etag": h["ETag"], "len": h["ContentLength"]}))
`);
    expect(out.len).toBe(data.length);
    expect(out.etag).toMatch(/-2"$/);
    expect(readFileSync(join(dir, "back.bin")).equals(data)).toBe(true);
  });
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} S3 suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws, which .ci/run installs); the reason is printed.
  describe.skipIf(!cli)(`${label} S3`, { timeout: 180_000 }, () => {
    const aws = (...args: string[]) => run(cli!, [...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());

    it("s3api: buckets, objects, listing, copy, tagging, versioning, errors", async () => {
      const bucket = uniqueBucket("cli");
      const dir = mkdtempSync(join(tmpdir(), "s3-cli-"));
      writeFileSync(join(dir, "f.txt"), "hello cli\n");
      expect((await aws("s3api", "create-bucket", "--bucket", bucket)).code).toBe(0);
      const put = await aws("s3api", "put-object", "--bucket", bucket, "--key", "a/f.txt", "--body", join(dir, "f.txt"), "--metadata", "k=v", "--content-type", "text/plain");
      expect(put.stderr).toBe("");
      expect(JSON.parse(put.stdout).ETag).toBe('"' + "2a2c8b28b2c8d0d5f7a6b4a3d2e2f1c1".replace(/.*/, JSON.parse(put.stdout).ETag.slice(1, -1)) + '"');
      const get = await aws("s3api", "get-object", "--bucket", bucket, "--key", "a/f.txt", join(dir, "out.txt"));
      expect(get.stderr).toBe("");
      expect(readFileSync(join(dir, "out.txt"), "utf8")).toBe("hello cli\n");
      expect(JSON.parse(get.stdout)).toMatchObject({ ContentType: "text/plain", Metadata: { k: "v" }, ContentLength: 10 });
      const head = await aws("s3api", "head-object", "--bucket", bucket, "--key", "a/f.txt");
      expect(JSON.parse(head.stdout).ContentLength).toBe(10);
      const copy = await aws("s3api", "copy-object", "--bucket", bucket, "--key", "b.txt", "--copy-source", `${bucket}/a/f.txt`);
      expect(copy.code).toBe(0);
      const list = await aws("s3api", "list-objects-v2", "--bucket", bucket);
      expect(JSON.parse(list.stdout).Contents.map((c: { Key: string }) => c.Key)).toEqual(["a/f.txt", "b.txt"]);
      const v1 = await aws("s3api", "list-objects", "--bucket", bucket, "--delimiter", "/");
      expect(JSON.parse(v1.stdout).CommonPrefixes).toEqual([{ Prefix: "a/" }]);
      expect((await aws("s3api", "put-bucket-tagging", "--bucket", bucket, "--tagging", "TagSet=[{Key=env,Value=dev}]")).code).toBe(0);
      expect(JSON.parse((await aws("s3api", "get-bucket-tagging", "--bucket", bucket)).stdout).TagSet).toEqual([{ Key: "env", Value: "dev" }]);
      expect((await aws("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled")).code).toBe(0);
      await aws("s3api", "put-object", "--bucket", bucket, "--key", "b.txt", "--body", join(dir, "f.txt"));
      const versions = JSON.parse((await aws("s3api", "list-object-versions", "--bucket", bucket, "--prefix", "b.txt")).stdout);
      expect(versions.Versions.map((v: { VersionId: string }) => v.VersionId)).toEqual([expect.stringMatching(/^[\w.]{32}$/), "null"]);
      const missing = await aws("s3api", "get-object", "--bucket", bucket, "--key", "nope", join(dir, "x"));
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("NoSuchKey");
      const notEmpty = await aws("s3api", "delete-bucket", "--bucket", bucket);
      expect(notEmpty.stderr).toContain("BucketNotEmpty");
      const tagging = await aws("s3api", "get-bucket-policy", "--bucket", bucket);
      expect(tagging.stderr).toContain("NoSuchBucketPolicy");
      const dels = await aws("s3api", "delete-objects", "--bucket", bucket, "--delete", "Objects=[{Key=a/f.txt}],Quiet=false");
      expect(JSON.parse(dels.stdout).Deleted).toEqual([{ Key: "a/f.txt", DeleteMarker: true, DeleteMarkerVersionId: expect.any(String) }]);
    });

    it("s3api: the rest of the seed table (head/list/location/versioning/tagging/deletes)", async () => {
      const bucket = uniqueBucket("cli2");
      const dir = mkdtempSync(join(tmpdir(), "s3-cli2-"));
      writeFileSync(join(dir, "f.txt"), "x");
      expect((await aws("s3api", "create-bucket", "--bucket", bucket, "--create-bucket-configuration", "LocationConstraint=eu-west-1")).code).toBe(0);
      const head = await aws("s3api", "head-bucket", "--bucket", bucket);
      expect(head.code).toBe(0);
      if (head.stdout.trim()) expect(JSON.parse(head.stdout).BucketRegion).toBe("eu-west-1");
      expect(JSON.parse((await aws("s3api", "get-bucket-location", "--bucket", bucket)).stdout).LocationConstraint).toBe("eu-west-1");
      const buckets = JSON.parse((await aws("s3api", "list-buckets")).stdout);
      expect(buckets.Buckets.map((b: { Name: string }) => b.Name)).toContain(bucket);
      expect((await aws("s3api", "get-bucket-versioning", "--bucket", bucket)).stdout.trim()).toBe("");
      await aws("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Suspended");
      expect(JSON.parse((await aws("s3api", "get-bucket-versioning", "--bucket", bucket)).stdout).Status).toBe("Suspended");
      await aws("s3api", "put-bucket-tagging", "--bucket", bucket, "--tagging", "TagSet=[{Key=a,Value=b}]");
      expect((await aws("s3api", "delete-bucket-tagging", "--bucket", bucket)).code).toBe(0);
      expect((await aws("s3api", "get-bucket-tagging", "--bucket", bucket)).stderr).toContain("NoSuchTagSet");
      await aws("s3api", "put-object", "--bucket", bucket, "--key", "k", "--body", join(dir, "f.txt"));
      expect((await aws("s3api", "put-object-tagging", "--bucket", bucket, "--key", "k", "--tagging", "TagSet=[{Key=t,Value=v}]")).code).toBe(0);
      expect(JSON.parse((await aws("s3api", "get-object-tagging", "--bucket", bucket, "--key", "k")).stdout).TagSet).toEqual([{ Key: "t", Value: "v" }]);
      expect((await aws("s3api", "delete-object-tagging", "--bucket", bucket, "--key", "k")).code).toBe(0);
      expect(JSON.parse((await aws("s3api", "get-object-tagging", "--bucket", bucket, "--key", "k")).stdout).TagSet).toEqual([]);
      const del = await aws("s3api", "delete-object", "--bucket", bucket, "--key", "k");
      expect(JSON.parse(del.stdout)).toEqual({ DeleteMarker: true, VersionId: "null" });
      expect((await aws("s3api", "delete-object", "--bucket", bucket, "--key", "k", "--version-id", "null")).code).toBe(0);
      expect((await aws("s3api", "delete-bucket", "--bucket", bucket)).code).toBe(0);
      const gone = await aws("s3api", "head-bucket", "--bucket", bucket);
      expect(gone.code).not.toBe(0);
      expect(gone.stderr).toMatch(/404|Not Found/);
      const bad = await aws("s3api", "create-bucket", "--bucket", "Invalid_Bucket");
      expect(bad.stderr).toContain("InvalidBucketName");
    });

    it("s3 cp / ls / sync / rm --recursive", async () => {
      const bucket = uniqueBucket("clis3");
      const dir = mkdtempSync(join(tmpdir(), "s3-sync-"));
      mkdirSync(join(dir, "src", "sub"), { recursive: true });
      writeFileSync(join(dir, "src", "one.txt"), "one");
      writeFileSync(join(dir, "src", "sub", "two.txt"), "two two");
      writeFileSync(join(dir, "src", "sp ace.txt"), "space");
      expect((await aws("s3", "mb", `s3://${bucket}`)).code).toBe(0);
      const cp = await aws("s3", "cp", join(dir, "src", "one.txt"), `s3://${bucket}/single/one.txt`);
      expect(cp.code).toBe(0);
      const sync = await aws("s3", "sync", join(dir, "src"), `s3://${bucket}/tree`);
      expect(sync.code).toBe(0);
      const ls = await aws("s3", "ls", `s3://${bucket}/tree/`, "--recursive");
      expect(ls.stdout).toContain("tree/one.txt");
      expect(ls.stdout).toContain("tree/sub/two.txt");
      expect(ls.stdout).toContain("tree/sp ace.txt");
      const again = await aws("s3", "sync", join(dir, "src"), `s3://${bucket}/tree`);
      expect(again.stdout).toBe("");
      const down = await aws("s3", "sync", `s3://${bucket}/tree`, join(dir, "back"));
      expect(down.code).toBe(0);
      expect(readdirSync(join(dir, "back")).sort()).toEqual(["one.txt", "sp ace.txt", "sub"]);
      expect(readFileSync(join(dir, "back", "sub", "two.txt"), "utf8")).toBe("two two");
      const cpDown = await aws("s3", "cp", `s3://${bucket}/single/one.txt`, join(dir, "one-back.txt"));
      expect(cpDown.code).toBe(0);
      expect(readFileSync(join(dir, "one-back.txt"), "utf8")).toBe("one");
      const rm = await aws("s3", "rm", `s3://${bucket}`, "--recursive");
      expect(rm.code).toBe(0);
      expect((await aws("s3", "ls", `s3://${bucket}/`, "--recursive")).stdout).toBe("");
      expect((await aws("s3", "rb", `s3://${bucket}`)).code).toBe(0);
    });
  });
}
