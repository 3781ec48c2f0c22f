/**
 * S3 SSE-KMS with real KMS keys (issue 17): the key is resolved (id, alias, ARN, bucket default,
 * `aws/s3`) when an object is written, its data key is decrypted when the object is read, and a
 * missing, disabled or pending-deletion key fails as S3 fails (`KMS.*`, 400). JS SDK in-process,
 * boto3 against the Node server.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand,
  HeadObjectCommand, PutBucketEncryptionCommand, PutObjectCommand, S3Client, S3ServiceException, UploadPartCommand,
} from "@aws-sdk/client-s3";
import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient, ListAliasesCommand, ScheduleKeyDeletionCommand } from "@aws-sdk/client-kms";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { inProcess, startTestServer } from "../../helpers/clients.ts";
import { boto3, python } from "../../helpers/external.ts";

async function error(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (e) {
    return e as S3ServiceException;
  }
  throw new Error("expected an error");
}

const emulator = createEmulator({ store: createMemoryStore() });
const s3 = new S3Client({ ...inProcess(emulator), forcePathStyle: true });
const kms = new KMSClient(inProcess(emulator));
const bucket = "sse-kms";
let keyArn: string;
let keyId: string;

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const key = await kms.send(new CreateKeyCommand({ Description: "s3" }));
  keyArn = key.KeyMetadata!.Arn!;
  keyId = key.KeyMetadata!.KeyId!;
  await kms.send(new CreateAliasCommand({ AliasName: "alias/s3-objects", TargetKeyId: keyId }));
});

describe("S3 SSE-KMS with KMS keys", () => {
  it("a key id, alias or ARN is resolved to the key ARN, on the write and on reads", async () => {
    for (const [name, given] of [["by-id", () => keyId], ["by-alias", () => "alias/s3-objects"], ["by-arn", () => keyArn]] as const) {
      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: name, Body: "secret", ServerSideEncryption: "aws:kms", SSEKMSKeyId: given() }));
      expect(put.ServerSideEncryption).toBe("aws:kms");
      expect(put.SSEKMSKeyId).toBe(keyArn);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: name }));
      expect(head.SSEKMSKeyId).toBe(keyArn);
      const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: name }));
      expect(got.SSEKMSKeyId).toBe(keyArn);
      expect(await got.Body!.transformToString()).toBe("secret");
    }
  });

  it("without a key id S3 uses the AWS managed key aws/s3, which KMS creates on first use", async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "managed", Body: "x", ServerSideEncryption: "aws:kms" }));
    const aliases = await kms.send(new ListAliasesCommand({}));
    const managed = aliases.Aliases!.find((a) => a.AliasName === "alias/aws/s3");
    expect(managed?.TargetKeyId).toBeDefined();
    expect(put.SSEKMSKeyId).toBe(`arn:aws:kms:us-east-1:000000000000:key/${managed!.TargetKeyId}`);
  });

  it("a key that does not exist: KMS.NotFoundException, nothing written", async () => {
    const missing = "arn:aws:kms:us-east-1:000000000000:key/00000000-0000-0000-0000-000000000000";
    const e = await error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "nope", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: missing })));
    expect(e.name).toBe("KMS.NotFoundException");
    expect(e.$metadata.httpStatusCode).toBe(400);
    expect(e.message).toBe(`Key '${missing}' does not exist`);
    expect((await error(s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "nope" })))).name).toBe("NotFound");
    const alias = await error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "nope", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: "alias/none" })));
    expect(alias.name).toBe("KMS.NotFoundException");
  });

  it("a disabled key: GetObject and CopyObject fail with KMS.DisabledException, HeadObject still answers; enabling restores", async () => {
    const key = await kms.send(new CreateKeyCommand({}));
    const id = key.KeyMetadata!.KeyId!;
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "disable-me", Body: "data", ServerSideEncryption: "aws:kms", SSEKMSKeyId: id }));
    await kms.send(new DisableKeyCommand({ KeyId: id }));
    const get = await error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "disable-me" })));
    expect(get.name).toBe("KMS.DisabledException");
    expect(get.message).toBe(`${key.KeyMetadata!.Arn} is disabled.`);
    expect(get.$metadata.httpStatusCode).toBe(400);
    expect((await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "disable-me" }))).SSEKMSKeyId).toBe(key.KeyMetadata!.Arn);
    const copy = await error(s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy", CopySource: `${bucket}/disable-me` })));
    expect(copy.name).toBe("KMS.DisabledException");
    const put = await error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "disable-2", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: id })));
    expect(put.name).toBe("KMS.DisabledException");
    await kms.send(new EnableKeyCommand({ KeyId: id }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "disable-me" }))).Body!.transformToString()).toBe("data");
    // The copy is encrypted as its own request says (SSE-S3 here), not as its source.
    const copied = await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "copy", CopySource: `${bucket}/disable-me` }));
    expect(copied.ServerSideEncryption).toBe("AES256");
    expect(copied.SSEKMSKeyId).toBeUndefined();
  });

  it("a key pending deletion: KMS.KMSInvalidStateException", async () => {
    const key = await kms.send(new CreateKeyCommand({}));
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "doomed", Body: "x", ServerSideEncryption: "aws:kms", SSEKMSKeyId: key.KeyMetadata!.KeyId }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyMetadata!.KeyId, PendingWindowInDays: 7 }));
    const e = await error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "doomed" })));
    expect(e.name).toBe("KMS.KMSInvalidStateException");
    expect(e.message).toBe(`${key.KeyMetadata!.Arn} is pending deletion.`);
  });

  it("bucket default encryption with a KMS key and S3 Bucket Keys; a request's own key wins", async () => {
    const b = "sse-kms-default";
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutBucketEncryptionCommand({
      Bucket: b,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: "alias/s3-objects" }, BucketKeyEnabled: true }] },
    }));
    const put = await s3.send(new PutObjectCommand({ Bucket: b, Key: "o", Body: "v" }));
    expect(put).toMatchObject({ ServerSideEncryption: "aws:kms", SSEKMSKeyId: keyArn, BucketKeyEnabled: true });
    expect(await (await s3.send(new GetObjectCommand({ Bucket: b, Key: "o" }))).Body!.transformToString()).toBe("v");
    const other = await kms.send(new CreateKeyCommand({}));
    const own = await s3.send(new PutObjectCommand({ Bucket: b, Key: "own", Body: "v", ServerSideEncryption: "aws:kms", SSEKMSKeyId: other.KeyMetadata!.KeyId }));
    expect(own.SSEKMSKeyId).toBe(other.KeyMetadata!.Arn);
    const s3Managed = await s3.send(new PutObjectCommand({ Bucket: b, Key: "aes", Body: "v", ServerSideEncryption: "AES256" }));
    expect(s3Managed.SSEKMSKeyId).toBeUndefined();
  });

  it("encryption context: echoed on the write, bound to the object, bad headers rejected", async () => {
    const context = btoa(JSON.stringify({ project: "alpha" }));
    const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "ctx", Body: "c", ServerSideEncryption: "aws:kms", SSEKMSKeyId: keyId, SSEKMSEncryptionContext: context }));
    expect(put.SSEKMSEncryptionContext).toBe(context);
    expect(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "ctx" }))).Body!.transformToString()).toBe("c");
    const bad = await error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "ctx2", Body: "c", ServerSideEncryption: "aws:kms", SSEKMSEncryptionContext: btoa("[1]") })));
    expect(bad.name).toBe("InvalidArgument");
    const noKms = await error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "ctx3", Body: "c", SSEKMSKeyId: keyId })));
    expect(noKms.name).toBe("InvalidArgument");
  });

  it("multipart uploads: the key is resolved at creation and must stay enabled for parts", async () => {
    const key = await kms.send(new CreateKeyCommand({}));
    const id = key.KeyMetadata!.KeyId!;
    const created = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "mpu", ServerSideEncryption: "aws:kms", SSEKMSKeyId: id }));
    expect(created.SSEKMSKeyId).toBe(key.KeyMetadata!.Arn);
    await kms.send(new DisableKeyCommand({ KeyId: id }));
    const part = await error(s3.send(new UploadPartCommand({ Bucket: bucket, Key: "mpu", UploadId: created.UploadId, PartNumber: 1, Body: "part" })));
    expect(part.name).toBe("KMS.DisabledException");
    await kms.send(new EnableKeyCommand({ KeyId: id }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: "mpu", UploadId: created.UploadId, PartNumber: 1, Body: "part" }));
    expect(p1.SSEKMSKeyId).toBe(key.KeyMetadata!.Arn);
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "mpu", UploadId: created.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }] } }));
    expect(done.SSEKMSKeyId).toBe(key.KeyMetadata!.Arn);
    expect(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: "mpu" }))).Body!.transformToString()).toBe("part");
    await kms.send(new DisableKeyCommand({ KeyId: id }));
    expect((await error(s3.send(new GetObjectCommand({ Bucket: bucket, Key: "mpu" })))).name).toBe("KMS.DisabledException");
  });

  it("a missing key used by the bucket default fails the write, not PutBucketEncryption", async () => {
    const b = "sse-kms-missing-default";
    await s3.send(new CreateBucketCommand({ Bucket: b }));
    await s3.send(new PutBucketEncryptionCommand({ Bucket: b, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: "alias/not-there" } }] } }));
    const e = await error(s3.send(new PutObjectCommand({ Bucket: b, Key: "o", Body: "v" })));
    expect(e.name).toBe("KMS.NotFoundException");
    expect(e.message).toBe("Alias arn:aws:kms:us-east-1:000000000000:alias/not-there is not found.");
  });
});

if (!python.version) console.warn(`skipping boto3 SSE-KMS suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer({ services: ["s3", "kms"] });
  });
  afterAll(() => server?.close());

  it("put/get with a KMS key, then a disabled key's error", { timeout: 60_000 }, async () => {
    const out = await boto3(server.url, `
s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")
kms = boto3.client("kms", endpoint_url=ENDPOINT, region_name="us-east-1")
s3.create_bucket(Bucket="py-sse")
key = kms.create_key()["KeyMetadata"]
put = s3.put_object(Bucket="py-sse", Key="k", Body=b"hello", ServerSideEncryption="aws:kms", SSEKMSKeyId=key["KeyId"])
body = s3.get_object(Bucket="py-sse", Key="k")["Body"].read().decode()
kms.disable_key(KeyId=key["KeyId"])
try:
    s3.get_object(Bucket="py-sse", Key="k")
    err = None
except botocore.exceptions.ClientError as e:
    err = [e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps({"arn": key["Arn"], "put": put["SSEKMSKeyId"], "sse": put["ServerSideEncryption"], "body": body, "err": err}))
`);
    expect(out.put).toBe(out.arn);
    expect(out.sse).toBe("aws:kms");
    expect(out.body).toBe("hello");
    expect(out.err).toEqual(["KMS.DisabledException", 400]);
  });
});
