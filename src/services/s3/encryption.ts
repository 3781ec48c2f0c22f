/**
 * Server-side encryption of objects: SSE-S3 (`AES256`), SSE-KMS (`aws:kms`, `aws:kms:dsse`) with
 * real KMS keys, SSE-C (customer keys, checked by MD5).
 *
 * SSE-KMS goes through KMS as S3 does: a write asks `GenerateDataKey` of the named key (else the
 * bucket default's key, else `alias/aws/s3`, which KMS creates on first use) with the encryption
 * context `{"aws:s3:arn": object ARN}` (the bucket ARN when S3 Bucket Keys are on), plus the
 * caller's `x-amz-server-side-encryption-context`; the encrypted data key is kept with the object.
 * A read (GetObject, a copy source) asks KMS to `Decrypt` it, so a key that is missing, disabled
 * or pending deletion fails the read as on AWS. KMS errors are answered as S3 answers them:
 * `KMS.<code>` with KMS's message, HTTP 400. Object bytes themselves are stored as written.
 *
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html
 */
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import { base64ToBytes, bytesToBase64 } from "../../encoding/base64.ts";
import { md5 } from "@noble/hashes/legacy.js";
import type { RequestContext } from "../types.ts";
import type { BucketRecord } from "./bucket-store.ts";
import type { ObjectVersion, StoredEncryption } from "./object-store.ts";
import { invalidArgument, invalidRequest } from "./errors.ts";
import type * as S3 from "../../generated/s3.ts";

const S3_MANAGED_KEY = "alias/aws/s3";

/** S3's answer to a failed KMS call: `KMS.NotFoundException`, `KMS.DisabledException`, ... (400). */
function kmsError(error: unknown): never {
  if (isAwsError(error)) {
    // Throttling and internal failures keep their own codes; key problems are the caller's (400).
    throw new AwsError(`KMS.${error.code}`, error.message, error.status >= 500 ? error.status : 400);
  }
  throw error;
}

/** The user's `x-amz-server-side-encryption-context`: base64 of a JSON string→string map. */
function parseContext(header: string | undefined): Record<string, string> {
  if (header === undefined) return {};
  const bad = () => invalidArgument("The header 'x-amz-server-side-encryption-context' shall be Base64-encoded UTF-8 string holding JSON which represents a string-string map", "x-amz-server-side-encryption-context", header);
  const bytes = base64ToBytes(header);
  if (typeof bytes === "string") throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
  } catch {
    throw bad();
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== "string")) throw bad();
  if (Object.keys(parsed).some((k) => k.startsWith("aws:"))) throw bad();
  return parsed as Record<string, string>;
}

/** The encryption context S3 hands KMS for one object. */
function contextFor(bucket: string, key: string, enc: StoredEncryption): Record<string, string> {
  const arn = enc.BucketKeyEnabled ? `arn:aws:s3:::${bucket}` : `arn:aws:s3:::${bucket}/${key}`;
  return { ...parseContext(enc.SSEKMSEncryptionContext), "aws:s3:arn": arn };
}

/**
 * The encryption members of PutObject, CopyObject, CreateMultipartUpload and POST uploads. Text
 * where the model has enums: S3 skips model validation, so they hold whatever was sent.
 */
export interface EncryptionRequest {
  SSECustomerAlgorithm?: string;
  SSECustomerKey?: string;
  SSECustomerKeyMD5?: string;
  ServerSideEncryption?: string;
  SSEKMSKeyId?: string;
  SSEKMSEncryptionContext?: string;
  BucketKeyEnabled?: boolean;
}

/**
 * The encryption a new object (or multipart upload) gets: the request's SSE-C or SSE headers,
 * else the bucket default, else SSE-S3. SSE-KMS resolves the key through KMS and keeps the
 * encrypted data key. Errors: InvalidArgument for bad headers, `KMS.*` for key problems.
 */
export async function encryptionFor(ctx: RequestContext, bucket: BucketRecord, key: string, input: EncryptionRequest): Promise<StoredEncryption> {
  if (input.SSECustomerAlgorithm !== undefined || input.SSECustomerKey !== undefined) {
    if (input.SSECustomerAlgorithm !== "AES256") {
      throw invalidArgument("The encryption request that you specified is not valid. The valid value is AES256.", "x-amz-server-side-encryption-customer-algorithm", input.SSECustomerAlgorithm);
    }
    const bytes = base64ToBytes(String(input.SSECustomerKey ?? ""));
    if (typeof bytes === "string" || bytes.length !== 32) {
      throw invalidArgument("The secret key was invalid for the specified algorithm.", "x-amz-server-side-encryption-customer-key", "");
    }
    const keyMd5 = bytesToBase64(md5(bytes));
    if (input.SSECustomerKeyMD5 !== undefined && input.SSECustomerKeyMD5 !== keyMd5) {
      throw invalidArgument("The calculated MD5 hash of the key did not match the hash that was provided.", "x-amz-server-side-encryption-customer-key-MD5", "");
    }
    return { SSECustomerAlgorithm: "AES256", SSECustomerKeyMD5: keyMd5 };
  }
  const rule = (bucket.config.encryption as S3.ServerSideEncryptionConfiguration | undefined)?.Rules?.[0];
  const requested: string = input.ServerSideEncryption ?? rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ?? "AES256";
  if (!["AES256", "aws:kms", "aws:kms:dsse"].includes(requested)) {
    throw invalidArgument("The encryption method specified is not supported", "x-amz-server-side-encryption", requested);
  }
  const out: StoredEncryption = { ServerSideEncryption: requested as S3.ServerSideEncryption };
  if (requested === "AES256") {
    if (input.SSEKMSKeyId !== undefined) {
      throw invalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms", "x-amz-server-side-encryption-aws-kms-key-id", input.SSEKMSKeyId);
    }
    if (input.SSEKMSEncryptionContext !== undefined) {
      throw invalidArgument("Server Side Encryption with AWS KMS managed key requires HTTP header x-amz-server-side-encryption : aws:kms", "x-amz-server-side-encryption-context", input.SSEKMSEncryptionContext);
    }
    return out;
  }
  // The request's key when it names the algorithm; else the bucket default's key (same algorithm).
  const keyId: string = (input.ServerSideEncryption !== undefined ? input.SSEKMSKeyId : rule?.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID ?? input.SSEKMSKeyId) ?? S3_MANAGED_KEY;
  const bucketKey = input.BucketKeyEnabled ?? (input.ServerSideEncryption === undefined || input.ServerSideEncryption === rule?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm ? rule?.BucketKeyEnabled : undefined);
  // S3 Bucket Keys do not apply to DSSE-KMS.
  if (bucketKey && requested === "aws:kms") out.BucketKeyEnabled = true;
  if (input.SSEKMSEncryptionContext !== undefined) out.SSEKMSEncryptionContext = input.SSEKMSEncryptionContext;
  const context = contextFor(bucket.name, key, out);
  let dataKey: Record<string, unknown>;
  try {
    dataKey = await ctx.invoke("kms", "GenerateDataKey", { KeyId: keyId, KeySpec: "AES_256", EncryptionContext: context });
  } catch (error) {
    kmsError(error);
  }
  out.SSEKMSKeyId = String(dataKey.KeyId);
  out.kmsDataKey = bytesToBase64(dataKey.CiphertextBlob as Uint8Array);
  return out;
}

/**
 * Asks KMS to decrypt a SSE-KMS object's data key, as S3 does before serving its bytes.
 * Objects without a stored data key (SSE-S3, SSE-C) need nothing. Errors: `KMS.*` (400).
 */
export async function unsealForRead(ctx: RequestContext, bucket: string, version: ObjectVersion): Promise<void> {
  await unsealKey(ctx, bucket, version.key, version.encryption);
}

/** The same for a multipart upload's data key (each part written, and the completion). */
export async function unsealKey(ctx: RequestContext, bucket: string, key: string, enc: StoredEncryption | undefined): Promise<void> {
  if (!enc?.kmsDataKey) return;
  const context = contextFor(bucket, key, enc);
  try {
    await ctx.invoke("kms", "Decrypt", { CiphertextBlob: base64ToBytes(enc.kmsDataKey) as Uint8Array, KeyId: enc.SSEKMSKeyId, EncryptionContext: context });
  } catch (error) {
    kmsError(error);
  }
}

/** The response headers that describe an object's encryption (writes also echo the context). */
export function encryptionOutput(e: StoredEncryption | undefined, write = false): Record<string, unknown> {
  if (!e) return {};
  return {
    ...(write && e.SSEKMSEncryptionContext !== undefined ? { SSEKMSEncryptionContext: e.SSEKMSEncryptionContext } : {}),
    ServerSideEncryption: e.ServerSideEncryption,
    SSEKMSKeyId: e.SSEKMSKeyId,
    BucketKeyEnabled: e.BucketKeyEnabled,
    SSECustomerAlgorithm: e.SSECustomerAlgorithm,
    SSECustomerKeyMD5: e.SSECustomerKeyMD5,
  };
}

/** SSE-C objects need the same key on every read: `given` is the request's (base64) key. */
export function checkCustomerKey(version: ObjectVersion, given: string | undefined): void {
  const stored = version.encryption?.SSECustomerKeyMD5;
  if (!stored) {
    if (given !== undefined) throw invalidRequest("The encryption parameters are not applicable to this object.");
    return;
  }
  if (given === undefined) {
    throw invalidRequest("The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.");
  }
  const bytes = base64ToBytes(String(given));
  if (typeof bytes === "string" || bytesToBase64(md5(bytes)) !== stored) {
    throw new AwsError("AccessDenied", "Access Denied", 403);
  }
}
