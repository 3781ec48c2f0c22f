/**
 * Multipart upload records: the upload and part records, their keys, and what every user of
 * them needs (find an upload, list its parts, drop it with its parts' blobs, drop all of a
 * bucket's). The handlers are in `multipart.ts`; DeleteBucket uses `abortAllUploads`.
 *
 * State (in `ctx.globalStore`, beside the bucket's objects):
 *   ["mpu", bucket, key, uploadId]        UploadRecord; upload ids start with the initiation
 *                                         time, so one scan lists uploads by key, then by time
 *   ["mpp", uploadId, partNumber]          PartRecord (its bytes in one blob)
 *
 * An upload a lifecycle rule (AbortIncompleteMultipartUpload) has aborted is gone when read,
 * never by timers.
 *
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/mpu-abort-incomplete-mpu-lifecycle-config.html
 */
import { AwsError } from "../../protocol/errors.ts";
import { withLock } from "../../store/mutex.ts";
import type { Key } from "../../store/types.ts";
import type { RequestContext } from "../types.ts";
import { requireBucket, type BucketRecord } from "./bucket-store.ts";
import type { ChecksumAlgorithm, ChecksumType, StoredChecksum } from "./checksums.ts";
import { deleteBodies, type StoredEncryption, type StoredHeaders } from "./object-store.ts";
import type * as S3 from "../../generated/s3.ts";

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  /** Epoch ms. */
  initiated: number;
  /** Account id of the initiator. */
  owner: string;
  /** The algorithm the client chose; absent: none (parts still get CRC64NVME, as on S3). */
  algorithm?: ChecksumAlgorithm;
  checksumType: ChecksumType;
  headers: StoredHeaders;
  metadata: Record<string, string>;
  storageClass?: S3.StorageClass;
  encryption?: StoredEncryption;
  tags?: { Key: string; Value: string }[];
  /** AccessControlPolicy from `x-amz-acl` / `x-amz-grant-*`, applied on completion. */
  acl?: unknown;
}

export interface PartRecord {
  partNumber: number;
  blob: string;
  size: number;
  /** Quoted MD5 hex. */
  etag: string;
  /** Epoch ms. */
  lastModified: number;
  checksum: StoredChecksum;
}

export const uploadKey = (bucket: string, key: string, uploadId: string): Key => ["mpu", bucket, key, uploadId];
export const uploadPrefix = (bucket: string): Key => ["mpu", bucket];
export const partKey = (uploadId: string, partNumber: number): Key => ["mpp", uploadId, partNumber];
export const partPrefix = (uploadId: string): Key => ["mpp", uploadId];
/** In-process lock of one upload's records (part commits, completion, abort). */
export const uploadLock = (uploadId: string) => `s3-mpu:${uploadId}`;

let uploadCounter = 0;

/** An upload id that sorts by initiation time (base-36 ms and a counter, then random). */
export function newUploadId(now: number): string {
  const random = crypto.getRandomValues(new Uint8Array(36));
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
  let out = now.toString(36).padStart(9, "0") + (uploadCounter++ % 46656).toString(36).padStart(3, "0");
  for (const b of random) out += alphabet[b % alphabet.length];
  return out;
}

export function noSuchUpload(uploadId: string): AwsError {
  return new AwsError(
    "NoSuchUpload",
    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    404,
    { fields: { UploadId: uploadId } },
  );
}

const DAY = 86_400_000;

/**
 * The bucket's lifecycle rule that aborts this upload (AbortIncompleteMultipartUpload), with
 * the date it becomes eligible: initiation + DaysAfterInitiation, at the next midnight UTC
 * (lifecycle actions run daily at midnight UTC). Tag filters do not apply to uploads.
 */
export function abortRuleFor(bucket: BucketRecord, key: string, initiated: number): { date: number; ruleId: string } | undefined {
  const rules = (bucket.config?.lifecycle as { Rules?: S3.LifecycleRule[] } | undefined)?.Rules ?? [];
  for (const rule of rules) {
    const days = rule?.AbortIncompleteMultipartUpload?.DaysAfterInitiation;
    if (rule?.Status !== "Enabled" || typeof days !== "number") continue;
    const prefix: string = rule.Filter?.Prefix ?? rule.Filter?.And?.Prefix ?? rule.Prefix ?? "";
    if (!key.startsWith(prefix)) continue;
    return { date: Math.ceil((initiated + days * DAY) / DAY) * DAY, ruleId: rule.ID ?? "" };
  }
  return undefined;
}

/** True once a lifecycle rule has aborted the upload (evaluated when read, never by timers). */
export function expiredByLifecycle(bucket: BucketRecord, upload: UploadRecord, now: number): boolean {
  const rule = abortRuleFor(bucket, upload.key, upload.initiated);
  return rule !== undefined && now >= rule.date;
}

/** The upload, or `NoSuchUpload` (also for one a lifecycle rule aborted, whose parts it then frees). */
export async function requireUpload(ctx: RequestContext, bucket: string, key: string, uploadId: string, bucketRecord?: BucketRecord): Promise<UploadRecord> {
  const upload = (await ctx.globalStore.get<UploadRecord>(uploadKey(bucket, key, uploadId))).value;
  if (!upload) throw noSuchUpload(uploadId);
  const record = bucketRecord ?? (await requireBucket(ctx, bucket));
  if (expiredByLifecycle(record, upload, ctx.clock.now())) {
    // Lifecycle aborted it: free its parts now that someone looked.
    const drop = withLock(uploadLock(uploadId), async () => dropUpload(ctx, upload, await listPartRecords(ctx, uploadId), new Set()));
    ctx.waitUntil(drop.catch(() => {}));
    throw noSuchUpload(uploadId);
  }
  return upload;
}

/** Every part record of an upload, by part number. */
export async function listPartRecords(ctx: RequestContext, uploadId: string): Promise<PartRecord[]> {
  const parts: PartRecord[] = [];
  for await (const e of ctx.globalStore.list<PartRecord>({ prefix: partPrefix(uploadId) })) parts.push(e.value);
  return parts;
}

/** Deletes an upload's records and its parts' blobs, but those in `keepBlobs` (now an object's body). */
export async function dropUpload(ctx: RequestContext, upload: UploadRecord, parts: PartRecord[], keepBlobs: Set<string>): Promise<void> {
  const op = ctx.globalStore.atomic().delete(uploadKey(upload.bucket, upload.key, upload.uploadId));
  for (const p of parts) op.delete(partKey(upload.uploadId, p.partNumber));
  await op.commit();
  await deleteBodies(ctx, parts.filter((p) => !keepBlobs.has(p.blob)));
}

/** Deletes every multipart upload of a bucket (for DeleteBucket, which S3 allows with uploads in progress). */
export async function abortAllUploads(ctx: RequestContext, bucket: string): Promise<void> {
  const uploads: UploadRecord[] = [];
  for await (const e of ctx.globalStore.list<UploadRecord>({ prefix: uploadPrefix(bucket) })) uploads.push(e.value);
  for (const u of uploads) {
    await withLock(uploadLock(u.uploadId), async () => dropUpload(ctx, u, await listPartRecords(ctx, u.uploadId), new Set()));
  }
}
