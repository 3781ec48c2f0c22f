/**
 * S3's IAM actions, resources and condition keys per operation, and bucket policies as
 * resource-based policies (with Block Public Access's RestrictPublicBuckets), for `enforceIam`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
import type { AuthorizationMap, Input, OperationAuthorization } from "../../policy/authorization.ts";
import { bucketKey, type BucketRecord } from "./bucket-store.ts";
import { canonicalUserId } from "./acl.ts";
import { headKey, headOf } from "./object-store.ts";
import type { PolicyDocument, PolicyStatement } from "../../policy/types.ts";

interface StoredAcl {
  Grants?: { Grantee?: { Type?: string; URI?: string; ID?: string }; Permission?: string }[];
}

/** The actions an ACL permission grants, on the bucket and on objects (Amazon S3 User Guide, "ACL permissions"). */
const BUCKET_GRANTS: Record<string, string[]> = {
  READ: ["s3:ListBucket", "s3:ListBucketVersions", "s3:ListBucketMultipartUploads"],
  READ_ACP: ["s3:GetBucketAcl"],
  WRITE_ACP: ["s3:PutBucketAcl"],
};
const BUCKET_WRITE = ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"];
const OBJECT_GRANTS: Record<string, string[]> = {
  READ: ["s3:GetObject", "s3:GetObjectVersion"],
  READ_ACP: ["s3:GetObjectAcl", "s3:GetObjectVersionAcl"],
  WRITE_ACP: ["s3:PutObjectAcl", "s3:PutObjectVersionAcl"],
};
const ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers";
const AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";

/**
 * ACL grants as resource-policy statements on `resource`: AllUsers is everyone (anonymous
 * included), AuthenticatedUsers any signed caller, a canonical user the account it stands for
 * (known here for the bucket's and the object's owners). Public grants are dropped under Block
 * Public Access `IgnorePublicAcls`.
 */
function aclStatements(acl: StoredAcl | undefined, table: (permission: string) => string[], resource: string, accounts: string[], ignorePublic: boolean): PolicyStatement[] {
  const out: PolicyStatement[] = [];
  for (const grant of acl?.Grants ?? []) {
    const actions = table(grant.Permission ?? "");
    if (!actions.length) continue;
    const g = grant.Grantee ?? {};
    const base = { Sid: `ACL ${grant.Permission} to ${g.URI ?? g.ID}`, Effect: "Allow" as const, Action: actions, Resource: resource };
    if (g.URI === ALL_USERS && !ignorePublic) out.push({ ...base, Principal: "*" });
    else if (g.URI === AUTHENTICATED_USERS && !ignorePublic) out.push({ ...base, Principal: { AWS: "*" }, Condition: { Null: { "aws:PrincipalAccount": "false" } } });
    else if (g.Type === "CanonicalUser" && g.ID) {
      const account = accounts.find((a) => canonicalUserId(a) === g.ID);
      if (account) out.push({ ...base, Principal: { AWS: `arn:aws:iam::${account}:root` } });
    }
  }
  return out;
}

const withFull = (grants: Record<string, string[]>, extra: string[] = []) => (permission: string) =>
  permission === "FULL_CONTROL" ? [...Object.values(grants).flat(), ...extra] : grants[permission] ?? [];

const bucket = "arn:{partition}:s3:::{Bucket}";
const object = "arn:{partition}:s3:::{Bucket}/{Key}";

/** `x-amz-copy-source` (`bucket/key?versionId=`) as the source object's ARN. */
function copySource(input: Input): string | undefined {
  const raw = String(input.CopySource ?? "").replace(/^\//, "").split("?")[0];
  if (!raw) return undefined;
  let decoded = raw;
  try {
    decoded = decodeURIComponent(raw);
  } catch { /* as sent */ }
  return `arn:aws:s3:::${decoded}`;
}

const b = (action: string, extra: Partial<OperationAuthorization> = {}): OperationAuthorization => ({ action, resource: bucket, ...extra });
const o = (action: string, extra: Partial<OperationAuthorization> = {}): OperationAuthorization => ({ action, resource: object, ...extra });

const putObjectKeys = {
  "s3:x-amz-acl": "ACL",
  "s3:x-amz-server-side-encryption": "ServerSideEncryption",
  "s3:x-amz-server-side-encryption-aws-kms-key-id": "SSEKMSKeyId",
  "s3:x-amz-storage-class": "StorageClass",
  "s3:x-amz-grant-read": "GrantRead",
  "s3:x-amz-grant-full-control": "GrantFullControl",
  "s3:object-lock-mode": "ObjectLockMode",
  "s3:object-lock-legal-hold": "ObjectLockLegalHoldStatus",
  "s3:x-amz-metadata-directive": "MetadataDirective",
  "s3:x-amz-copy-source": "CopySource",
} as const;
const listKeys = { "s3:prefix": "Prefix", "s3:delimiter": "Delimiter", "s3:max-keys": "MaxKeys" } as const;

export const s3Authorization: AuthorizationMap = {
  prefix: "s3",
  resource: (input) => (input.Key !== undefined && input.Key !== "" ? object : input.Bucket ? bucket : "*"),
  anonymous: true,
  denial: { code: "AccessDenied", status: 403, anonymousMessage: "Access Denied" },
  context: { "s3:signatureversion": () => "AWS4-HMAC-SHA256", "s3:authType": () => "REST-HEADER" },
  operations: {
    ListBuckets: { action: "ListAllMyBuckets", resource: "*" },
    ListDirectoryBuckets: { action: "ListAllMyBuckets", resource: "*" },
    CreateBucket: b("CreateBucket", { context: { "s3:x-amz-acl": "ACL", "s3:LocationConstraint": (i) => i.CreateBucketConfiguration?.LocationConstraint, "s3:x-amz-object-ownership": "ObjectOwnership" } }),
    DeleteBucket: b("DeleteBucket"),
    HeadBucket: b("ListBucket"),
    GetBucketLocation: b("GetBucketLocation"),
    ListObjects: b("ListBucket", { context: listKeys }),
    ListObjectsV2: b("ListBucket", { context: listKeys }),
    ListObjectVersions: b("ListBucketVersions", { context: { ...listKeys, "s3:max-keys": "MaxKeys" } }),
    ListMultipartUploads: b("ListBucketMultipartUploads"),
    ListParts: o("ListMultipartUploadParts"),
    GetObject: { resource: object, action: "GetObject", context: { "s3:VersionId": "VersionId" } },
    HeadObject: o("GetObject", { context: { "s3:VersionId": "VersionId" } }),
    GetObjectAttributes: o("GetObjectAttributes", { also: [{ action: "GetObject" }] }),
    SelectObjectContent: o("GetObject"),
    GetObjectTorrent: o("GetObjectTorrent"),
    PutObject: o("PutObject", { context: putObjectKeys }),
    CopyObject: o("PutObject", { context: putObjectKeys, also: [{ action: "GetObject", resource: copySource }] }),
    UploadPartCopy: o("PutObject", { also: [{ action: "GetObject", resource: copySource }] }),
    CreateMultipartUpload: o("PutObject", { context: putObjectKeys }),
    UploadPart: o("PutObject"),
    CompleteMultipartUpload: o("PutObject"),
    AbortMultipartUpload: o("AbortMultipartUpload"),
    RenameObject: o("PutObject", { also: [{ action: "DeleteObject" }] }),
    DeleteObject: o("DeleteObject", { context: { "s3:VersionId": "VersionId" } }),
    DeleteObjects: {
      action: "DeleteObject",
      resource: (input) => (input.Delete?.Objects ?? []).map((x: { Key: string }) => `arn:aws:s3:::${input.Bucket}/${x.Key}`),
    },
    RestoreObject: o("RestoreObject"),
    GetObjectAcl: o("GetObjectAcl"),
    PutObjectAcl: o("PutObjectAcl", { context: { "s3:x-amz-acl": "ACL" } }),
    GetObjectTagging: o("GetObjectTagging"),
    PutObjectTagging: o("PutObjectTagging"),
    DeleteObjectTagging: o("DeleteObjectTagging"),
    GetObjectRetention: o("GetObjectRetention"),
    PutObjectRetention: o("PutObjectRetention"),
    GetObjectLegalHold: o("GetObjectLegalHold"),
    PutObjectLegalHold: o("PutObjectLegalHold"),
    UpdateObjectEncryption: o("PutObject"),
    GetBucketAcl: b("GetBucketAcl"),
    PutBucketAcl: b("PutBucketAcl", { context: { "s3:x-amz-acl": "ACL" } }),
    GetBucketPolicy: b("GetBucketPolicy"),
    PutBucketPolicy: b("PutBucketPolicy"),
    DeleteBucketPolicy: b("DeleteBucketPolicy"),
    GetBucketPolicyStatus: b("GetBucketPolicyStatus"),
    GetBucketVersioning: b("GetBucketVersioning"),
    PutBucketVersioning: b("PutBucketVersioning"),
    GetBucketTagging: b("GetBucketTagging"),
    PutBucketTagging: b("PutBucketTagging"),
    DeleteBucketTagging: b("PutBucketTagging"),
    GetBucketCors: b("GetBucketCORS"),
    PutBucketCors: b("PutBucketCORS"),
    DeleteBucketCors: b("PutBucketCORS"),
    GetBucketLifecycle: b("GetLifecycleConfiguration"),
    GetBucketLifecycleConfiguration: b("GetLifecycleConfiguration"),
    PutBucketLifecycle: b("PutLifecycleConfiguration"),
    PutBucketLifecycleConfiguration: b("PutLifecycleConfiguration"),
    DeleteBucketLifecycle: b("PutLifecycleConfiguration"),
    GetBucketNotification: b("GetBucketNotification"),
    GetBucketNotificationConfiguration: b("GetBucketNotification"),
    PutBucketNotification: b("PutBucketNotification"),
    PutBucketNotificationConfiguration: b("PutBucketNotification"),
    GetBucketEncryption: b("GetEncryptionConfiguration"),
    PutBucketEncryption: b("PutEncryptionConfiguration"),
    DeleteBucketEncryption: b("PutEncryptionConfiguration"),
    GetBucketWebsite: b("GetBucketWebsite"),
    PutBucketWebsite: b("PutBucketWebsite"),
    DeleteBucketWebsite: b("DeleteBucketWebsite"),
    GetPublicAccessBlock: b("GetBucketPublicAccessBlock"),
    PutPublicAccessBlock: b("PutBucketPublicAccessBlock"),
    DeletePublicAccessBlock: b("PutBucketPublicAccessBlock"),
    GetBucketOwnershipControls: b("GetBucketOwnershipControls"),
    PutBucketOwnershipControls: b("PutBucketOwnershipControls"),
    DeleteBucketOwnershipControls: b("PutBucketOwnershipControls"),
    GetObjectLockConfiguration: b("GetBucketObjectLockConfiguration"),
    PutObjectLockConfiguration: b("PutBucketObjectLockConfiguration"),
    GetBucketLogging: b("GetBucketLogging"),
    PutBucketLogging: b("PutBucketLogging"),
    GetBucketRequestPayment: b("GetBucketRequestPayment"),
    PutBucketRequestPayment: b("PutBucketRequestPayment"),
    GetBucketAccelerateConfiguration: b("GetAccelerateConfiguration"),
    PutBucketAccelerateConfiguration: b("PutAccelerateConfiguration"),
    GetBucketReplication: b("GetReplicationConfiguration"),
    PutBucketReplication: b("PutReplicationConfiguration"),
    DeleteBucketReplication: b("PutReplicationConfiguration"),
    GetBucketAnalyticsConfiguration: b("GetAnalyticsConfiguration"),
    PutBucketAnalyticsConfiguration: b("PutAnalyticsConfiguration"),
    DeleteBucketAnalyticsConfiguration: b("PutAnalyticsConfiguration"),
    ListBucketAnalyticsConfigurations: b("GetAnalyticsConfiguration"),
    GetBucketMetricsConfiguration: b("GetMetricsConfiguration"),
    PutBucketMetricsConfiguration: b("PutMetricsConfiguration"),
    DeleteBucketMetricsConfiguration: b("PutMetricsConfiguration"),
    ListBucketMetricsConfigurations: b("GetMetricsConfiguration"),
    GetBucketInventoryConfiguration: b("GetInventoryConfiguration"),
    PutBucketInventoryConfiguration: b("PutInventoryConfiguration"),
    DeleteBucketInventoryConfiguration: b("PutInventoryConfiguration"),
    ListBucketInventoryConfigurations: b("GetInventoryConfiguration"),
    GetBucketIntelligentTieringConfiguration: b("GetIntelligentTieringConfiguration"),
    PutBucketIntelligentTieringConfiguration: b("PutIntelligentTieringConfiguration"),
    DeleteBucketIntelligentTieringConfiguration: b("PutIntelligentTieringConfiguration"),
    ListBucketIntelligentTieringConfigurations: b("GetIntelligentTieringConfiguration"),
    GetBucketAbac: b("GetBucketAbac"),
    PutBucketAbac: b("PutBucketAbac"),
    CreateSession: b("CreateSession"),
    WriteGetObjectResponse: { action: "s3-object-lambda:WriteGetObjectResponse", resource: "*" },
  },
  async resourcePolicy(arn, env) {
    const m = /^arn:aws:s3:::([^/]+)(\/.*)?$/.exec(arn);
    if (!m) return null;
    const record = (await env.globalStore.get<BucketRecord>(bucketKey(m[1]))).value;
    if (!record) return null;
    const block = record.config.publicAccessBlock as { RestrictPublicBuckets?: boolean } | undefined;
    const tagSet = (record.config.tagging as { TagSet?: { Key: string; Value: string }[] } | undefined)?.TagSet ?? [];
    let policy = record.config.policy as string | undefined;
    // ACLs grant too, unless Object Ownership is BucketOwnerEnforced (ACLs disabled).
    const ownership = (record.config.ownershipControls as { Rules?: { ObjectOwnership?: string }[] } | undefined)?.Rules?.[0]?.ObjectOwnership;
    if (ownership !== "BucketOwnerEnforced") {
      const ignorePublic = (record.config.publicAccessBlock as { IgnorePublicAcls?: boolean } | undefined)?.IgnorePublicAcls === true;
      const bucketAcl = record.config.acl as StoredAcl | undefined;
      let statements: PolicyStatement[];
      if (m[2]) {
        const head = headOf((await env.globalStore.get<Parameters<typeof headOf>[0]>(headKey(m[1], m[2].slice(1)))).value);
        const accounts = [record.owner, ...(head ? [head.current.owner] : [])];
        statements = [
          ...aclStatements(bucketAcl, (p) => (p === "WRITE" || p === "FULL_CONTROL" ? BUCKET_WRITE : []), arn, [record.owner], ignorePublic),
          ...(head && !head.current.deleteMarker ? aclStatements(head.current.acl as StoredAcl | undefined, withFull(OBJECT_GRANTS), arn, accounts, ignorePublic) : []),
        ];
      } else {
        statements = aclStatements(bucketAcl, withFull(BUCKET_GRANTS), arn, [record.owner], ignorePublic);
      }
      if (statements.length) {
        let doc: PolicyDocument = { Version: "2012-10-17", Statement: [] };
        try {
          if (policy) doc = JSON.parse(policy) as PolicyDocument;
        } catch { /* an unreadable policy grants nothing */ }
        const existing = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
        policy = JSON.stringify({ ...doc, Statement: [...existing, ...statements] });
      }
    }
    return {
      policy,
      source: policy === record.config.policy ? `bucket policy of ${m[1]}` : `bucket policy and ACLs of ${m[1]}`,
      account: record.owner,
      restrictPublic: block?.RestrictPublicBuckets === true,
      ...(m[2] ? {} : { tags: Object.fromEntries(tagSet.map((t) => [t.Key, t.Value])) }),
    };
  },
};
