/**
 * Multipart operations through `aws s3api` (CLI v1 and v2) and boto3's low-level client, with
 * default settings, against the Node server. Skipped, with the reason printed, only where a
 * client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { overHttp, startTestServer } from "../../helpers/clients.ts";

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), "fetchstack-mpu-cli-"));
const part1 = join(dir, "part1.bin");
const part2 = join(dir, "part2.bin");
const p1 = Buffer.alloc(5 * MiB, "a");
const p2 = Buffer.from("the last part");
writeFileSync(part1, p1);
writeFileSync(part2, p2);
const md5 = (b: Buffer) => createHash("md5").update(b).digest();
const expectedEtag = `"${createHash("md5").update(Buffer.concat([md5(p1), md5(p2)])).digest("hex")}-2"`;

let server: Awaited<ReturnType<typeof startTestServer>>;
const Bucket = "mpu-clients";

beforeAll(async () => {
  server = await startTestServer();
  await new S3Client({ ...overHttp(server.url), forcePathStyle: true }).send(new CreateBucketCommand({ Bucket }));
});
afterAll(() => server?.close());

for (const [name, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${name} s3api multipart suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws, which .ci/run installs); the reason is printed.
  describe.skipIf(!cli)(`${name} s3api multipart`, () => {
    const s3api = async (...args: string[]) => {
      const r = await run(cli!, ["s3api", ...args, "--endpoint-url", server.url], clientEnv());
      return { ...r, json: r.code === 0 && r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
    };

    it("create, upload-part, list-parts, list-multipart-uploads, complete, abort", async () => {
      const Key = `${name.replace(/\W+/g, "-")}/obj`;
      const created = await s3api("create-multipart-upload", "--bucket", Bucket, "--key", Key);
      expect(created.code, created.stderr).toBe(0);
      const UploadId = created.json.UploadId;
      expect(created.json).toMatchObject({ Bucket, Key });

      const up1 = await s3api("upload-part", "--bucket", Bucket, "--key", Key, "--upload-id", UploadId, "--part-number", "1", "--body", part1);
      expect(up1.code, up1.stderr).toBe(0);
      expect(up1.json.ETag).toBe(`"${md5(p1).toString("hex")}"`);
      const up2 = await s3api("upload-part", "--bucket", Bucket, "--key", Key, "--upload-id", UploadId, "--part-number", "2", "--body", part2);
      expect(up2.code, up2.stderr).toBe(0);

      const parts = await s3api("list-parts", "--bucket", Bucket, "--key", Key, "--upload-id", UploadId);
      expect(parts.code, parts.stderr).toBe(0);
      expect(parts.json.Parts.map((p: { PartNumber: number; Size: number }) => [p.PartNumber, p.Size])).toEqual([[1, p1.length], [2, p2.length]]);

      const uploads = await s3api("list-multipart-uploads", "--bucket", Bucket, "--prefix", Key);
      expect(uploads.code, uploads.stderr).toBe(0);
      expect(uploads.json.Uploads.map((u: { UploadId: string }) => u.UploadId)).toEqual([UploadId]);

      const wrongOrder = await s3api("complete-multipart-upload", "--bucket", Bucket, "--key", Key, "--upload-id", UploadId, "--multipart-upload",
        JSON.stringify({ Parts: [{ ETag: up2.json.ETag, PartNumber: 2 }, { ETag: up1.json.ETag, PartNumber: 1 }] }));
      expect(wrongOrder.code).not.toBe(0);
      expect(wrongOrder.stderr).toContain("InvalidPartOrder");

      const done = await s3api("complete-multipart-upload", "--bucket", Bucket, "--key", Key, "--upload-id", UploadId, "--multipart-upload",
        JSON.stringify({ Parts: [{ ETag: up1.json.ETag, PartNumber: 1, ...(up1.json.ChecksumCRC32 ? { ChecksumCRC32: up1.json.ChecksumCRC32 } : {}) }, { ETag: up2.json.ETag, PartNumber: 2, ...(up2.json.ChecksumCRC32 ? { ChecksumCRC32: up2.json.ChecksumCRC32 } : {}) }] }));
      expect(done.code, done.stderr).toBe(0);
      expect(done.json.ETag).toBe(expectedEtag);

      const aborted = await s3api("abort-multipart-upload", "--bucket", Bucket, "--key", Key, "--upload-id", UploadId);
      expect(aborted.code).not.toBe(0);
      expect(aborted.stderr).toContain("NoSuchUpload");
    });
  });
}

if (!python.version) console.warn(`skipping boto3 multipart suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3 multipart (low-level client)", () => {
  it("create with CRC32, parts, upload_part_copy with a range, list, complete; error codes", async () => {
    const out = await boto3(server.url, `
s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")
B = "${Bucket}"
s3.put_object(Bucket=B, Key="boto/src", Body=b"0123456789" * 600000)
c = s3.create_multipart_upload(Bucket=B, Key="boto/obj", ChecksumAlgorithm="CRC32")
u = c["UploadId"]
p1 = s3.upload_part_copy(Bucket=B, Key="boto/obj", UploadId=u, PartNumber=1, CopySource={"Bucket": B, "Key": "boto/src"}, CopySourceRange="bytes=0-5242879")
p2 = s3.upload_part(Bucket=B, Key="boto/obj", UploadId=u, PartNumber=2, Body=b"tail")
lp = s3.list_parts(Bucket=B, Key="boto/obj", UploadId=u, MaxParts=1)
errors = {}
try:
    s3.complete_multipart_upload(Bucket=B, Key="boto/obj", UploadId=u, MultipartUpload={"Parts": [{"ETag": '"0123"', "PartNumber": 1}]})
except botocore.exceptions.ClientError as e:
    errors["bad_etag"] = e.response["Error"]["Code"]
try:
    s3.list_parts(Bucket=B, Key="boto/obj", UploadId="nope")
except botocore.exceptions.ClientError as e:
    errors["no_upload"] = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
done = s3.complete_multipart_upload(Bucket=B, Key="boto/obj", UploadId=u, MultipartUpload={"Parts": [
    {"ETag": p1["CopyPartResult"]["ETag"], "PartNumber": 1, "ChecksumCRC32": p1["CopyPartResult"]["ChecksumCRC32"]},
    {"ETag": p2["ETag"], "PartNumber": 2, "ChecksumCRC32": p2["ChecksumCRC32"]}]})
body = s3.get_object(Bucket=B, Key="boto/obj")["Body"].read()
print(json.dumps({"algo": c.get("ChecksumAlgorithm"), "lp": [p["PartNumber"] for p in lp["Parts"]], "trunc": lp["IsTruncated"], "next": lp.get("NextPartNumberMarker"),
  "errors": errors, "etag": done["ETag"], "crc": done.get("ChecksumCRC32"), "len": len(body), "ok": body == (b"0123456789" * 600000)[:5242880] + b"tail"}))
`);
    expect(out.algo).toBe("CRC32");
    expect(out.lp).toEqual([1]);
    expect(out.trunc).toBe(true);
    expect(out.next).toBe(1);
    expect(out.errors).toEqual({ bad_etag: "InvalidPart", no_upload: ["NoSuchUpload", 404] });
    expect(out.etag).toMatch(/^"[0-9a-f]{32}-2"$/);
    expect(out.crc).toMatch(/^[A-Za-z0-9+/]{6}==-2$/);
    expect(out.len).toBe(5 * MiB + 4);
    expect(out.ok).toBe(true);
  });
});
