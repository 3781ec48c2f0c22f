/**
 * Bucket versioning state: PutBucketVersioning / GetBucketVersioning. The history itself
 * (version ids, delete markers, null versions) lives in object-store.ts.
 *
 * A bucket never versioned answers GetBucketVersioning with an empty configuration; once
 * enabled it can only be suspended, never unversioned again. Object Lock buckets cannot be
 * suspended.
 *
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketVersioning.html
 */
import { AwsError } from "../../protocol/errors.ts";
import { update } from "../../store/mutex.ts";
import type { Handlers } from "../types.ts";
import type { Operations as Ops } from "../../generated/s3.ts";
import { bucketKey, noSuchBucket, requireBucket, type BucketRecord } from "./bucket-store.ts";
import { malformedXml } from "./errors.ts";

export const versioningHandlers: Handlers<Ops> = {
  async PutBucketVersioning(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    const config = input.VersioningConfiguration;
    const status = config?.Status;
    if (!config || (status !== undefined && status !== "Enabled" && status !== "Suspended")) throw malformedXml();
    const mfa = config.MFADelete;
    if (mfa !== undefined && mfa !== "Enabled" && mfa !== "Disabled") throw malformedXml();
    if (mfa === "Enabled" && !input.MFA) {
      throw new AwsError("InvalidRequest", "DevPay and Mfa are mutually exclusive authorization methods.", 400);
    }
    if (bucket.objectLockEnabled && status === "Suspended") {
      throw new AwsError("InvalidBucketState", "An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.", 409);
    }
    await update<BucketRecord>(ctx.globalStore, bucketKey(bucket.name), (current) => {
      if (!current) throw noSuchBucket(bucket.name);
      const next: BucketRecord = { ...current };
      if (status !== undefined) next.versioning = status;
      if (mfa !== undefined) next.mfaDelete = mfa;
      return next;
    });
    return {};
  },

  async GetBucketVersioning(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    return { Status: bucket.versioning, MFADelete: bucket.versioning ? bucket.mfaDelete : undefined };
  },
};
