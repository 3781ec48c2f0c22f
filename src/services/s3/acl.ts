/**
 * Ownership and ACLs: the canonical user id S3 shows for an account, canned ACLs, `x-amz-grant-*`
 * headers, the ACL a Put*Acl request sets, and whether a bucket's Object Ownership and Block
 * Public Access settings allow the ACL a request asks for.
 *
 * A leaf of the S3 folder: it imports only `errors.ts` (which imports nothing in `s3/`), so
 * buckets, objects, multipart uploads and notifications can all use it without a cycle.
 *
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html (canned ACLs,
 * grantees), https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObjectAcl.html
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { AwsError } from "../../protocol/errors.ts";
import { accessControlListNotSupported, invalidArgument, invalidRequest, malformedXml } from "./errors.ts";
import type * as S3 from "../../generated/s3.ts";

/** The canonical user id S3 shows for an account (64 hex characters, stable per account). */
export function canonicalUserId(accountId: string): string {
  return bytesToHex(sha256(new TextEncoder().encode(`fetchstack-canonical-user:${accountId}`)));
}

/** The `Owner` element of an account's resources. */
export function ownerOf(accountId: string): { ID: string } {
  return { ID: canonicalUserId(accountId) };
}

const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
const GRANT_MEMBERS = ["GrantFullControl", "GrantRead", "GrantReadACP", "GrantWrite", "GrantWriteACP"] as const;

/** The AccessControlPolicy a canned ACL stands for; `InvalidArgument` for an unknown one. */
export function cannedAcl(acl: string | undefined, ownerAccount: string, bucketOwnerAccount = ownerAccount): { Owner: S3.Owner; Grants: S3.Grant[] } {
  const owner = ownerOf(ownerAccount);
  const full = (id: string): S3.Grant => ({ Grantee: { Type: "CanonicalUser", ID: id }, Permission: "FULL_CONTROL" });
  const group = (uri: string, permission: S3.Permission): S3.Grant => ({ Grantee: { Type: "Group", URI: uri }, Permission: permission });
  const grants: S3.Grant[] = [full(owner.ID)];
  switch (acl ?? "private") {
    case "public-read":
      grants.push(group(ALL_USERS, "READ"));
      break;
    case "public-read-write":
      grants.push(group(ALL_USERS, "READ"), group(ALL_USERS, "WRITE"));
      break;
    case "authenticated-read":
      grants.push(group(AUTH_USERS, "READ"));
      break;
    case "bucket-owner-read":
      if (bucketOwnerAccount !== ownerAccount) grants.push({ Grantee: { Type: "CanonicalUser", ID: canonicalUserId(bucketOwnerAccount) }, Permission: "READ" });
      break;
    case "bucket-owner-full-control":
      if (bucketOwnerAccount !== ownerAccount) grants.push(full(canonicalUserId(bucketOwnerAccount)));
      break;
    case "log-delivery-write":
      grants.push(group("http://acs.amazonaws.com/groups/s3/LogDelivery", "WRITE"), group("http://acs.amazonaws.com/groups/s3/LogDelivery", "READ_ACP"));
      break;
    case "private":
    case "aws-exec-read":
      break;
    default:
      throw invalidArgument("", "x-amz-acl", acl);
  }
  return { Owner: owner, Grants: grants };
}

/**
 * The ACL members of the requests that carry them (CreateBucket, Put*Acl, PutObject, CopyObject,
 * CreateMultipartUpload). `ACL` is text: S3 skips model validation, so it holds what was sent.
 */
export interface AclRequest {
  ACL?: string;
  GrantFullControl?: string;
  GrantRead?: string;
  GrantReadACP?: string;
  GrantWrite?: string;
  GrantWriteACP?: string;
  AccessControlPolicy?: S3.AccessControlPolicy;
}

/** `x-amz-grant-*` headers (`id="…", uri="…", emailAddress="…"`) as grants. */
export function grantsFromHeaders(input: AclRequest): S3.Grant[] {
  const map: [(typeof GRANT_MEMBERS)[number], S3.Permission][] = [
    ["GrantFullControl", "FULL_CONTROL"], ["GrantRead", "READ"], ["GrantReadACP", "READ_ACP"], ["GrantWrite", "WRITE"], ["GrantWriteACP", "WRITE_ACP"],
  ];
  const grants: S3.Grant[] = [];
  for (const [member, permission] of map) {
    const value = input[member];
    if (!value) continue;
    for (const part of value.split(",")) {
      const m = /^\s*(id|uri|emailAddress)\s*=\s*"?([^"]*)"?\s*$/i.exec(part);
      if (!m) throw invalidArgument("", `x-amz-grant-${permission.toLowerCase().replace("_", "-")}`, value);
      const kind = m[1]!.toLowerCase();
      const grantee: S3.Grantee = kind === "id" ? { Type: "CanonicalUser", ID: m[2] } : kind === "uri" ? { Type: "Group", URI: m[2] } : { Type: "AmazonCustomerByEmail", EmailAddress: m[2] };
      grants.push({ Grantee: grantee, Permission: permission });
    }
  }
  return grants;
}

/** The ACL a Put*Acl request sets: a body policy, grant headers, or a canned ACL. */
export function aclFromRequest(input: AclRequest, ownerAccount: string, bucketOwnerAccount = ownerAccount): { Owner: S3.Owner; Grants: S3.Grant[] } {
  const hasGrants = GRANT_MEMBERS.some((m) => input[m] !== undefined);
  if (input.AccessControlPolicy) {
    if (input.ACL !== undefined || hasGrants) throw invalidRequest("Specifying both Canned ACLs and Header Grants is not allowed");
    const policy = input.AccessControlPolicy;
    return { Owner: policy.Owner ?? ownerOf(ownerAccount), Grants: policy.Grants ?? [] };
  }
  if (hasGrants) {
    if (input.ACL !== undefined) throw invalidRequest("Specifying both Canned ACLs and Header Grants is not allowed");
    return { Owner: ownerOf(ownerAccount), Grants: grantsFromHeaders(input) };
  }
  if (input.ACL === undefined) throw malformedXml();
  return cannedAcl(input.ACL, ownerAccount, bucketOwnerAccount);
}

/**
 * Object ACL headers against a bucket's configuration (`bucket.config`): with Object Ownership
 * `BucketOwnerEnforced` any ACL but `bucket-owner-full-control`/`private` is
 * `AccessControlListNotSupported`; with Block Public Access's `BlockPublicAcls` a public canned
 * ACL or grant is `AccessDenied`.
 */
export function checkAclAllowed(bucketConfig: Record<string, unknown>, request: object): void {
  // Any request shape with ACL members (PutObject, PutObjectAcl, CopyObject, ...).
  const input = request as Record<string, unknown>;
  const rules = (bucketConfig.ownershipControls as { Rules?: { ObjectOwnership?: string }[] } | undefined)?.Rules;
  const enforced = rules?.[0]?.ObjectOwnership === "BucketOwnerEnforced";
  const acl = input.ACL as string | undefined;
  const grants = input.GrantFullControl || input.GrantRead || input.GrantReadACP || input.GrantWriteACP || input.GrantWrite;
  if (enforced) {
    if ((acl && acl !== "bucket-owner-full-control" && acl !== "private") || grants || input.AccessControlPolicy) {
      throw accessControlListNotSupported();
    }
    return;
  }
  // Block Public Access (on by default for new buckets) refuses new public ACLs.
  const blockPublicAcls = (bucketConfig.publicAccessBlock as { BlockPublicAcls?: boolean } | undefined)?.BlockPublicAcls;
  const publicGrant = [input.GrantRead, input.GrantWrite, input.GrantReadACP, input.GrantWriteACP, input.GrantFullControl]
    .some((g) => typeof g === "string" && /global\/(AllUsers|AuthenticatedUsers)/.test(g));
  if (blockPublicAcls && ((acl && /^(public-read|public-read-write|authenticated-read)$/.test(acl)) || publicGrant)) {
    throw new AwsError("AccessDenied", "Access Denied", 403);
  }
}

/**
 * The ACL a new object gets from PutObject or CreateMultipartUpload headers (`x-amz-acl` or
 * `x-amz-grant-*`; GrantWrite means nothing on an object), or undefined for the default.
 */
export function aclForNewObject(input: AclRequest, writerAccount: string, bucketOwnerAccount: string): { Owner: S3.Owner; Grants: S3.Grant[] } | undefined {
  if (input.ACL !== undefined) return cannedAcl(input.ACL, writerAccount, bucketOwnerAccount);
  const hasGrants = (["GrantFullControl", "GrantRead", "GrantReadACP", "GrantWriteACP"] as const).some((m) => input[m] !== undefined && input[m] !== "");
  return hasGrants ? { Owner: ownerOf(writerAccount), Grants: grantsFromHeaders(input) } : undefined;
}
