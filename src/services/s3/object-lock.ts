/**
 * Object Lock on versions (retention and legal hold) and RestoreObject for archived objects.
 *
 * - Put/GetObjectRetention, Put/GetObjectLegalHold need a bucket with Object Lock
 *   (`InvalidRequest` "Bucket is missing Object Lock Configuration"); unset answers
 *   `NoSuchObjectLockConfiguration`. COMPLIANCE retention can only be extended; GOVERNANCE
 *   can be shortened or removed with `x-amz-bypass-governance-retention: true`.
 * - `checkDeletable`: deleting a locked version by id is `AccessDenied`.
 * - `defaultRetention`: a bucket's default retention applied to new versions.
 * - RestoreObject: 202 for a new restore, 200 for one already done; only GLACIER/DEEP_ARCHIVE.
 *
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectRetention.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_RestoreObject.html
 */
import { HTTP_STATUS } from "../../protocol/codec.ts";
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, Handlers, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/s3.ts";
import { requireBucket, type BucketRecord } from "./bucket-store.ts";
import { invalidArgument, invalidRequest, malformedXml, noSuchKey, noSuchVersion } from "./errors.ts";
import { findVersion, updateVersion, type ObjectVersion } from "./object-store.ts";
import type * as S3 from "../../generated/s3.ts";

const DAY = 86_400_000;

function requireLock(bucket: BucketRecord): void {
  if (!bucket.objectLockEnabled) throw invalidRequest("Bucket is missing Object Lock Configuration");
}

function noLockConfig(): AwsError {
  return new AwsError("NoSuchObjectLockConfiguration", "The specified object does not have a ObjectLock configuration", 404);
}

async function existingVersion(ctx: RequestContext, bucket: BucketRecord, key: string, versionId?: string): Promise<ObjectVersion> {
  const version = await findVersion(ctx, bucket.name, key, versionId);
  if (!version) throw versionId !== undefined ? noSuchVersion(key, versionId) : noSuchKey(key);
  if (version.deleteMarker) {
    throw new AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405, { fields: { Method: "PUT", ResourceType: "DeleteMarker" } });
  }
  return version;
}

/** The retention a new version gets from its bucket's default rule, if any. */
export function defaultRetention(bucket: BucketRecord, now: number): { mode: string; retainUntil: number } | undefined {
  const rule = (bucket.config.objectLock as { Rule?: { DefaultRetention?: { Mode?: string; Days?: number; Years?: number } } } | undefined)?.Rule?.DefaultRetention;
  if (!bucket.objectLockEnabled || !rule?.Mode) return undefined;
  const days = rule.Days ?? (rule.Years ?? 0) * 365;
  return { mode: rule.Mode, retainUntil: now + days * DAY };
}

/** Throws AccessDenied when `version` may not be deleted permanently now. */
export function checkDeletable(version: ObjectVersion, now: number, bypassGovernance: boolean): void {
  const lock = version.objectLock;
  if (!lock) return;
  const retained = lock.retainUntil !== undefined && lock.retainUntil > now && (lock.mode === "COMPLIANCE" || (lock.mode === "GOVERNANCE" && !bypassGovernance));
  if (retained || lock.legalHold === "ON") throw new AwsError("AccessDenied", "Access Denied because object protected by object lock.", 403);
}

export const objectLockHandlers: Handlers<Ops> = {
  async PutObjectRetention(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    requireLock(bucket);
    const retention = input.Retention;
    if (!retention) throw malformedXml();
    const mode = retention.Mode as string | undefined;
    if (mode !== undefined && mode !== "GOVERNANCE" && mode !== "COMPLIANCE") throw malformedXml();
    const until = retention.RetainUntilDate !== undefined ? new Date(retention.RetainUntilDate).getTime() : undefined;
    if ((mode === undefined) !== (until === undefined)) throw malformedXml();
    if (until !== undefined && until <= ctx.clock.now()) throw invalidArgument("The retain until date must be in the future!", "RetainUntilDate", new Date(until).toISOString());
    const version = await existingVersion(ctx, bucket, input.Key, input.VersionId);
    const current = version.objectLock;
    const now = ctx.clock.now();
    if (current?.retainUntil !== undefined && current.retainUntil > now) {
      const shortens = until === undefined || until < current.retainUntil || mode !== current.mode;
      if (shortens && (current.mode === "COMPLIANCE" || input.BypassGovernanceRetention !== true)) {
        throw new AwsError("AccessDenied", "Access Denied because object protected by object lock.", 403);
      }
    }
    await updateVersion(ctx, bucket.name, input.Key, version.versionId, (v) => ({
      ...v,
      objectLock: { ...v.objectLock, mode, retainUntil: until },
    }));
    return {};
  },

  async GetObjectRetention(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    requireLock(bucket);
    const version = await existingVersion(ctx, bucket, input.Key, input.VersionId);
    const lock = version.objectLock;
    if (!lock?.mode || lock.retainUntil === undefined) throw noLockConfig();
    // Stored from a validated PUT (GOVERNANCE or COMPLIANCE).
    return { Retention: { Mode: lock.mode as S3.ObjectLockRetentionMode, RetainUntilDate: new Date(lock.retainUntil) } };
  },

  async PutObjectLegalHold(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    requireLock(bucket);
    const status = input.LegalHold?.Status;
    if (status !== "ON" && status !== "OFF") throw malformedXml();
    const version = await existingVersion(ctx, bucket, input.Key, input.VersionId);
    await updateVersion(ctx, bucket.name, input.Key, version.versionId, (v) => ({ ...v, objectLock: { ...v.objectLock, legalHold: status } }));
    return {};
  },

  async GetObjectLegalHold(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    requireLock(bucket);
    const version = await existingVersion(ctx, bucket, input.Key, input.VersionId);
    if (!version.objectLock?.legalHold) throw noLockConfig();
    return { LegalHold: { Status: version.objectLock.legalHold as S3.ObjectLockLegalHoldStatus } };
  },

  async RestoreObject(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    const version = await existingVersion(ctx, bucket, input.Key, input.VersionId);
    if (version.storageClass !== "GLACIER" && version.storageClass !== "DEEP_ARCHIVE") {
      throw new AwsError("InvalidObjectState", "Restore is not allowed for the object's current storage class", 403, { fields: { StorageClass: version.storageClass ?? "STANDARD" } });
    }
    const days = Number(input.RestoreRequest?.Days ?? 1);
    if (!Number.isInteger(days) || days < 1) throw malformedXml();
    const now = ctx.clock.now();
    const already = version.restore !== undefined && version.restore.expiry > now;
    // Restores complete at once in fetchstack; expiry is midnight UTC after `days` days, as on S3.
    const expiry = Math.ceil((now + days * DAY) / DAY) * DAY;
    await updateVersion(ctx, bucket.name, input.Key, version.versionId, (v) => ({ ...v, restore: { expiry } }));
    return { [HTTP_STATUS]: already ? 200 : 202 };
  },
};
