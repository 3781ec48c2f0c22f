/**
 * Bucket records. Bucket names are global on AWS, so every bucket lives in the service's
 * cross-account space (`ctx.globalStore`) under `["bucket", name]`, with the owning account
 * and region recorded; every other piece of a bucket (objects, versions, uploads) hangs off
 * its name in the same space (see object-store.ts).
 *
 * Configuration sub-resources (tagging, CORS, policy, lifecycle, ...) are kept in
 * `config[<name>]` as the decoded input structure the Put operation received, so the Get
 * operation returns exactly what was stored.
 */
import { AwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";

export type VersioningStatus = "Enabled" | "Suspended";

export interface BucketRecord {
  name: string;
  /** Account id of the owner. */
  owner: string;
  /** Region the bucket was created in (its LocationConstraint; `us-east-1` for the empty one). */
  region: string;
  /** The LocationConstraint as given when it is not the region's name (legacy `EU`). */
  locationConstraint?: string;
  /** Creation time, epoch ms. */
  created: number;
  /** Absent: never versioned. */
  versioning?: VersioningStatus;
  mfaDelete?: "Enabled" | "Disabled";
  objectLockEnabled?: boolean;
  /** Stored configuration sub-resources by name (e.g. `tagging`, `cors`, `policy`). */
  config: Record<string, unknown>;
}

export const bucketKey = (name: string) => ["bucket", name] as const;

/** The bucket record, or null. */
export async function getBucket(ctx: RequestContext, name: string): Promise<BucketRecord | null> {
  return (await ctx.globalStore.get<BucketRecord>(bucketKey(name))).value;
}

/**
 * The bucket record, or S3's `NoSuchBucket` (404). Another account's bucket is `AccessDenied`
 * (403) unless the bucket has a policy or a public ACL: fetchstack does not evaluate policies,
 * so any policy counts as the owner's grant to other accounts. `expectedOwner` is the request's
 * `ExpectedBucketOwner` (`x-amz-expected-bucket-owner`): another owner → 403 AccessDenied.
 */
export async function requireBucket(ctx: RequestContext, name: string, expectedOwner?: string): Promise<BucketRecord> {
  const bucket = await getBucket(ctx, name);
  if (!bucket) throw noSuchBucket(name);
  if (expectedOwner !== undefined && expectedOwner !== bucket.owner) throw new AwsError("AccessDenied", "Access Denied", 403);
  if (bucket.owner !== ctx.accountId && !sharedWithOthers(bucket)) throw new AwsError("AccessDenied", "Access Denied", 403);
  return bucket;
}

function sharedWithOthers(bucket: BucketRecord): boolean {
  if (bucket.config.policy !== undefined) return true;
  const grants = (bucket.config.acl as { Grants?: { Grantee?: { URI?: string } }[] } | undefined)?.Grants ?? [];
  return grants.some((g) => /global\/(AllUsers|AuthenticatedUsers)$/.test(g.Grantee?.URI ?? ""));
}

export function noSuchBucket(name: string): AwsError {
  return new AwsError("NoSuchBucket", "The specified bucket does not exist", 404, { fields: { BucketName: name } });
}
