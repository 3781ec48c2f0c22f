/**
 * Bucket lifecycle: CreateBucket, DeleteBucket, HeadBucket, ListBuckets, GetBucketLocation.
 *
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CreateBucket.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListBuckets.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
import { AwsError } from "../../protocol/errors.ts";
import { withLock } from "../../store/mutex.ts";
import type { Handler, Handlers, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/s3.ts";
import { bucketKey, getBucket, requireBucket, type BucketRecord } from "./bucket-store.ts";
import { bucketHasObjects } from "./object-store.ts";
import { abortAllUploads } from "./uploads.ts";
import { aclFromRequest, ownerOf } from "./acl.ts";
import { encodePageToken, pageTokenField } from "../../encoding/page-token.ts";
import type * as S3 from "../../generated/s3.ts";

/** Regions S3 accepts as a LocationConstraint (plus the legacy `EU`). */
const REGIONS = new Set([
  "af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
  "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
  "ap-southeast-6", "ap-southeast-7", "ca-central-1", "ca-west-1", "cn-north-1", "cn-northwest-1", "eu-central-1",
  "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1",
  "me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-2", "us-gov-east-1", "us-gov-west-1",
  "us-west-1", "us-west-2", "EU",
]);

/** General purpose bucket naming rules; a breach is `InvalidBucketName`. */
export function checkBucketName(name: string): void {
  const valid =
    name.length >= 3 && name.length <= 63 &&
    /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name) &&
    !name.includes("..") &&
    !/^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) &&
    !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
  if (!valid) throw new AwsError("InvalidBucketName", "The specified bucket is not valid.", 400, { fields: { BucketName: name } });
}

function bucketRegionOf(constraint: string | undefined): string {
  if (!constraint) return "us-east-1";
  return constraint === "EU" ? "eu-west-1" : constraint;
}

function resolveRegion(ctx: RequestContext, constraint: string | undefined): string {
  if (constraint === undefined || constraint === "") {
    if (ctx.region !== "us-east-1") {
      throw new AwsError("IllegalLocationConstraintException", "The unspecified location constraint is incompatible for the region specific endpoint this request was sent to.", 400);
    }
    return "us-east-1";
  }
  if (!REGIONS.has(constraint)) {
    throw new AwsError("InvalidLocationConstraint", "The specified location-constraint is not valid", 400, { fields: { LocationConstraint: constraint } });
  }
  // The us-east-1 endpoint creates buckets anywhere; a regional endpoint only in its region.
  if (ctx.region !== "us-east-1" && bucketRegionOf(constraint) !== ctx.region) {
    throw new AwsError("IllegalLocationConstraintException", `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`, 400);
  }
  return bucketRegionOf(constraint);
}

const OWNERSHIPS = new Set(["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"]);

/** What a new bucket has without being asked (AWS defaults since 2023). */
function defaultConfig(ownership: string): Record<string, unknown> {
  return {
    ownershipControls: { Rules: [{ ObjectOwnership: ownership }] },
    publicAccessBlock: { BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true },
    encryption: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false }] },
  };
}

export const bucketHandlers: Handlers<Ops> = {
  async CreateBucket(input, ctx) {
    const name: string = input.Bucket;
    checkBucketName(name);
    const config = input.CreateBucketConfiguration ?? {};
    const region = resolveRegion(ctx, config.LocationConstraint);
    const ownership: string = input.ObjectOwnership ?? "BucketOwnerEnforced";
    if (!OWNERSHIPS.has(ownership)) throw new AwsError("InvalidArgument", "Invalid x-amz-object-ownership header", 400, { fields: { ArgumentName: "x-amz-object-ownership", ArgumentValue: ownership } });
    const hasGrants = input.GrantFullControl || input.GrantRead || input.GrantReadACP || input.GrantWrite || input.GrantWriteACP;
    // S3 skips model validation, so ACL may be any text (bucket-owner-full-control is an object ACL).
    const acl: string | undefined = input.ACL;
    if (ownership === "BucketOwnerEnforced" && ((acl && acl !== "private" && acl !== "bucket-owner-full-control") || hasGrants)) {
      throw new AwsError("InvalidBucketAclWithObjectOwnership", "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting", 400);
    }
    await withLock(`s3:bucket:${name}`, async () => {
      const existing = await getBucket(ctx, name);
      if (existing) {
        if (existing.owner !== ctx.accountId) {
          throw new AwsError("BucketAlreadyExists", "The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.", 409, { fields: { BucketName: name } });
        }
        // us-east-1 (the legacy global endpoint) answers 200 for a bucket you already own there.
        if (!(existing.region === "us-east-1" && region === "us-east-1")) {
          throw new AwsError("BucketAlreadyOwnedByYou", "Your previous request to create the named bucket succeeded and you already own it.", 409, { fields: { BucketName: name } });
        }
        return;
      }
      const record: BucketRecord = {
        name,
        owner: ctx.accountId,
        region,
        created: ctx.clock.now(),
        config: defaultConfig(ownership),
      };
      if (config.LocationConstraint === "EU") record.locationConstraint = "EU";
      if (ownership !== "BucketOwnerEnforced" && (input.ACL !== undefined || hasGrants)) {
        record.config = { ...record.config, acl: aclFromRequest(input, ctx.accountId) };
      }
      if (input.ObjectLockEnabledForBucket) {
        record.objectLockEnabled = true;
        record.versioning = "Enabled";
        record.config = { ...record.config, objectLock: { ObjectLockEnabled: "Enabled" } };
      }
      if (config.Tags?.length) record.config = { ...record.config, tagging: { TagSet: config.Tags } };
      await ctx.globalStore.set(bucketKey(name), record);
    });
    return {
      Location: region === "us-east-1" ? `/${name}` : `http://${name}.s3.amazonaws.com/`,
      BucketArn: `arn:aws:s3:::${name}`,
    };
  },

  async DeleteBucket(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    await withLock(`s3:bucket:${bucket.name}`, async () => {
      if (await bucketHasObjects(ctx, bucket.name)) {
        throw new AwsError("BucketNotEmpty", "The bucket you tried to delete is not empty", 409, { fields: { BucketName: bucket.name } });
      }
      await ctx.globalStore.delete(bucketKey(bucket.name));
    });
    await abortAllUploads(ctx, bucket.name);
    return {};
  },

  async HeadBucket(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    return { BucketRegion: bucket.region, AccessPointAlias: false, BucketArn: `arn:aws:s3:::${bucket.name}` };
  },

  async GetBucketLocation(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    // Stored as created (any region name S3 accepts), so typed as the model's constraint here.
    return { LocationConstraint: (bucket.locationConstraint ?? (bucket.region === "us-east-1" ? undefined : bucket.region)) as S3.BucketLocationConstraint | undefined };
  },

  async ListBuckets(input, ctx) {
    const max: number | undefined = input.MaxBuckets;
    if (max !== undefined && (max < 1 || max > 10000)) {
      throw new AwsError("InvalidArgument", "The maximum number of buckets must be between 1 and 10000", 400, { fields: { ArgumentName: "max-buckets", ArgumentValue: String(max) } });
    }
    const prefix: string = input.Prefix ?? "";
    let after: string | undefined;
    if (input.ContinuationToken !== undefined) {
      after = decodeToken(input.ContinuationToken);
      if (after === undefined) throw new AwsError("InvalidArgument", "The continuation token provided is incorrect", 400, { fields: { ArgumentName: "continuation-token", ArgumentValue: input.ContinuationToken } });
    }
    const buckets: Record<string, unknown>[] = [];
    let next: string | undefined;
    const start = after !== undefined ? ["bucket", after, ""] : ["bucket", prefix];
    for await (const entry of ctx.globalStore.list<BucketRecord>({ prefix: ["bucket"], start })) {
      const b = entry.value;
      if (!b.name.startsWith(prefix)) {
        if (b.name > prefix) break;
        continue;
      }
      if (after !== undefined && b.name <= after) continue;
      if (b.owner !== ctx.accountId) continue;
      if (input.BucketRegion && b.region !== input.BucketRegion) continue;
      if (max !== undefined && buckets.length >= max) {
        next = encodeToken(buckets[buckets.length - 1]!.Name as string);
        break;
      }
      buckets.push({ Name: b.name, CreationDate: new Date(b.created), BucketRegion: b.region, BucketArn: `arn:aws:s3:::${b.name}` });
    }
    return {
      Buckets: buckets,
      Owner: ownerOf(ctx.accountId),
      ContinuationToken: next,
      Prefix: input.Prefix,
    };
  },
};

function encodeToken(name: string): string {
  return encodePageToken({ after: name });
}

function decodeToken(token: string): string | undefined {
  return pageTokenField(token, "after");
}
