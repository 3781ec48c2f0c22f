/**
 * Transfers with the real clients' default settings against the Node server: boto3's
 * transfer manager (upload_file/download_file, 8 MiB parts in parallel, CRC32), boto3
 * put_object + get_object(ChecksumMode=ENABLED) (the client validates the checksum), and
 * `aws s3 cp` up and down with AWS CLI v1 (CRC32, checksum-mode on ranged GETs) and v2 2.9.19
 * (Content-MD5). Each suite is skipped, with the reason printed, only where the client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateBucketCommand, HeadObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { overHttp, startTestServer } from "../../helpers/clients.ts";

const MiB = 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), "fetchstack-transfer-"));
const source = join(dir, "source-20MiB.bin");
const data = randomBytes(20 * MiB);
writeFileSync(source, data);
const sourceMd5 = createHash("md5").update(data).digest("hex");
const md5File = (path: string) => createHash("md5").update(readFileSync(path)).digest("hex");

let server: Awaited<ReturnType<typeof startTestServer>>;
let s3: S3Client;
const Bucket = "transfer-bucket";

beforeAll(async () => {
  server = await startTestServer();
  s3 = new S3Client({ ...overHttp(server.url), forcePathStyle: true });
  await s3.send(new CreateBucketCommand({ Bucket }));
});
afterAll(() => server?.close());

/** The ETag S3 gives a multipart object uploaded in parts of `partSize`. */
function multipartEtag(partSize: number): string {
  const digests: Buffer[] = [];
  for (let i = 0; i < data.length; i += partSize) digests.push(createHash("md5").update(data.subarray(i, i + partSize)).digest());
  return `"${createHash("md5").update(Buffer.concat(digests)).digest("hex")}-${digests.length}"`;
}

if (!python.version) console.warn(`skipping boto3 transfer suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3 (default settings)", () => {
  it("upload_file / download_file of 20 MiB: multipart with CRC32, content intact", async () => {
    const target = join(dir, "boto3-download.bin");
    const out = await boto3(server.url, `
s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")
s3.upload_file(${JSON.stringify(source)}, "${Bucket}", "boto3/big.bin")
head = s3.head_object(Bucket="${Bucket}", Key="boto3/big.bin", ChecksumMode="ENABLED")
s3.download_file("${Bucket}", "boto3/big.bin", ${JSON.stringify(target)})
print(json.dumps({"etag": head["ETag"], "length": head["ContentLength"], "crc32": head.get("ChecksumCRC32"), "type": head.get("ChecksumType")}))
`);
    expect(out.length).toBe(data.length);
    expect(out.etag).toBe(multipartEtag(8 * MiB));
    expect(out.crc32).toMatch(/^[A-Za-z0-9+/]{6}==-3$/);
    expect(out.type).toBe("COMPOSITE");
    expect(md5File(target)).toBe(sourceMd5);
  });

  it("put_object + get_object(ChecksumMode=ENABLED): the client validates the CRC32", async () => {
    const out = await boto3(server.url, `
s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")
body = b"checksummed body " * 1000
put = s3.put_object(Bucket="${Bucket}", Key="boto3/small.bin", Body=body)
got = s3.get_object(Bucket="${Bucket}", Key="boto3/small.bin", ChecksumMode="ENABLED")
read = got["Body"].read()
print(json.dumps({"put_crc": put.get("ChecksumCRC32"), "get_crc": got.get("ChecksumCRC32"), "same": read == body, "type": got.get("ChecksumType")}))
`);
    expect(out.put_crc).toMatch(/^[A-Za-z0-9+/]{6}==$/);
    expect(out.get_crc).toBe(out.put_crc);
    expect(out.type).toBe("FULL_OBJECT");
    expect(out.same).toBe(true);
  });
});

for (const [name, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${name} transfer suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws, which .ci/run installs); the reason is printed.
  describe.skipIf(!cli)(`${name} aws s3 cp`, () => {
    it("copies 20 MiB up (multipart) and down (ranged GETs) with content intact", async () => {
      const key = `${name.replace(/\W+/g, "-")}/big.bin`;
      const target = join(dir, `${name.replace(/\W+/g, "-")}-download.bin`);
      const up = await run(cli!, ["s3", "cp", source, `s3://${Bucket}/${key}`, "--endpoint-url", server.url], clientEnv());
      expect(up.stderr).toBe("");
      expect(up.code).toBe(0);
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key: key }));
      expect(head.ContentLength).toBe(data.length);
      expect(head.ETag).toBe(multipartEtag(8 * MiB));
      const down = await run(cli!, ["s3", "cp", `s3://${Bucket}/${key}`, target, "--endpoint-url", server.url], clientEnv());
      expect(down.stderr).toBe("");
      expect(down.code).toBe(0);
      expect(md5File(target)).toBe(sourceMd5);
    });
  });
}
