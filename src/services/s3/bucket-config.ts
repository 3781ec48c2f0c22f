/**
 * Bucket configuration sub-resources, stored as the decoded structure the Put received and
 * returned as-is by the Get, with AWS's "not found" error when unset:
 *
 *   tagging (NoSuchTagSet), cors (NoSuchCORSConfiguration), policy (NoSuchBucketPolicy) and
 *   policy status, lifecycle (NoSuchLifecycleConfiguration), encryption (SSE-S3 by default;
 *   delete restores it), ownership controls (OwnershipControlsNotFoundError), public access
 *   block (NoSuchPublicAccessBlockConfiguration), ACL, website (NoSuchWebsiteConfiguration),
 *   notification, logging, accelerate, request payment, replication
 *   (ReplicationConfigurationNotFoundError), object lock (ObjectLockConfigurationNotFoundError),
 *   and the Id-keyed analytics / metrics / inventory / intelligent-tiering configurations.
 *
 * New buckets start as AWS creates them since 2023: BucketOwnerEnforced, all public access
 * blocked, SSE-S3 default encryption (see buckets.ts).
 *
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
import { AwsError } from "../../protocol/errors.ts";
import { update } from "../../store/mutex.ts";
import type { Handler, Handlers, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/s3.ts";
import { bucketKey, noSuchBucket, requireBucket, type BucketRecord } from "./bucket-store.ts";
import { accessControlListNotSupported, invalidRequest, malformedXml } from "./errors.ts";
import { aclFromRequest, cannedAcl } from "./acl.ts";
import { checkTags } from "./tagging.ts";
import { validateDestinations } from "./notifications.ts";
import type * as S3 from "../../generated/s3.ts";

/** Sets (or with `undefined`, removes) one configuration entry of a bucket. */
export async function setBucketConfig(ctx: RequestContext, bucket: string, name: string, value: unknown): Promise<BucketRecord> {
  const { value: next } = await update<BucketRecord>(ctx.globalStore, bucketKey(bucket), (current) => {
    if (!current) throw noSuchBucket(bucket);
    const config = { ...current.config };
    if (value === undefined) delete config[name];
    else config[name] = value;
    return { ...current, config };
  });
  return next;
}

function notFound(code: string, message: string, bucket: string): AwsError {
  return new AwsError(code, message, 404, { fields: { BucketName: bucket } });
}

/** Reads a stored configuration or throws its not-found error. */
async function getConfig<T>(ctx: RequestContext, input: { Bucket: string; ExpectedBucketOwner?: string }, name: string, code: string, message: string): Promise<T> {
  const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
  const value = bucket.config[name];
  if (value === undefined) throw notFound(code, message, bucket.name);
  return value as T;
}

async function putConfig(ctx: RequestContext, input: { Bucket: string; ExpectedBucketOwner?: string }, name: string, value: unknown): Promise<Record<string, never>> {
  await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
  await setBucketConfig(ctx, input.Bucket, name, value);
  return {};
}

const CORS_METHODS = new Set(["GET", "PUT", "POST", "DELETE", "HEAD"]);

function checkCors(config: S3.CORSConfiguration | undefined): void {
  const rules = config?.CORSRules;
  if (!rules?.length || rules.length > 100) throw malformedXml();
  for (const rule of rules) {
    if (!rule.AllowedMethods?.length || !rule.AllowedOrigins?.length) throw malformedXml();
    for (const m of rule.AllowedMethods) {
      if (!CORS_METHODS.has(m)) throw invalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${m}`);
    }
  }
}

/** True when a policy grants anything to everyone without conditions (S3's "public" test). */
export function isPublicPolicy(policy: string): boolean {
  try {
    const statements = statementsOf(JSON.parse(policy));
    return statements.some((s) => {
      if (!s || s.Effect !== "Allow" || s.Condition) return false;
      const p = s.Principal;
      if (p === "*") return true;
      const aws = (p as { AWS?: unknown } | null | undefined)?.AWS;
      return aws === "*" || (Array.isArray(aws) && aws.includes("*"));
    });
  } catch {
    return false;
  }
}

/** A policy statement as parsed from a user's JSON: nothing in it is checked yet. */
interface ParsedStatement {
  Effect?: unknown;
  Action?: unknown;
  NotAction?: unknown;
  Principal?: unknown;
  NotPrincipal?: unknown;
  Condition?: unknown;
}

/** A parsed policy's `Statement`, one or many (a null document throws, as reading it would). */
function statementsOf(doc: { Statement?: unknown }): (ParsedStatement | null | undefined)[] {
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement as ParsedStatement | undefined];
}

function checkPolicy(policy: unknown): string {
  const text = typeof policy === "string" ? policy : "";
  let doc: { Statement?: unknown };
  try {
    if (!text.trimStart().startsWith("{")) throw new Error("not an object");
    doc = JSON.parse(text);
  } catch {
    throw new AwsError("MalformedPolicy", "Policies must be valid JSON and the first byte must be '{'", 400);
  }
  if (!doc.Statement) throw new AwsError("MalformedPolicy", "Missing required field Statement", 400);
  const statements = statementsOf(doc);
  for (const s of statements) {
    if (s?.Effect !== "Allow" && s?.Effect !== "Deny") throw new AwsError("MalformedPolicy", "Invalid effect: " + String(s?.Effect), 400);
    if (!s.Action && !s.NotAction) throw new AwsError("MalformedPolicy", "Missing required field Action", 400);
    if (!s.Principal && !s.NotPrincipal) throw new AwsError("MalformedPolicy", "Missing required field Principal", 400);
  }
  return text;
}

interface PublicAccessBlock {
  BlockPublicAcls?: boolean;
  IgnorePublicAcls?: boolean;
  BlockPublicPolicy?: boolean;
  RestrictPublicBuckets?: boolean;
}

/** Checks a lifecycle configuration and returns it; MalformedXML when it is missing or has no rules. */
function checkLifecycle(config: S3.BucketLifecycleConfiguration | undefined): S3.BucketLifecycleConfiguration {
  const rules = config?.Rules;
  if (!config || !rules?.length || rules.length > 1000) throw malformedXml();
  const ids = new Set<string>();
  for (const rule of rules) {
    if (rule.Status !== "Enabled" && rule.Status !== "Disabled") throw malformedXml();
    if (rule.ID !== undefined) {
      if (rule.ID.length > 255) throw new AwsError("InvalidArgument", "ID length should not exceed allowed limit of 255", 400);
      if (ids.has(rule.ID)) throw new AwsError("InvalidArgument", "Rule ID must be unique. Found same ID for more than one rule", 400);
      ids.add(rule.ID);
    }
    const hasAction = rule.Expiration || rule.Transitions?.length || rule.NoncurrentVersionExpiration ||
      rule.NoncurrentVersionTransitions?.length || rule.AbortIncompleteMultipartUpload;
    if (!hasAction) throw new AwsError("InvalidRequest", "At least one action needs to be specified in a rule", 400);
  }
  return config;
}

/** Handlers for the Id-keyed configurations (analytics, metrics, inventory, intelligent tiering). */
function idKeyed(kind: string, member: string, listMember: string, code: string, message: string): Record<string, Handler> {
  const name = (id: string) => `${kind}:${id}`;
  return {
    [`PutBucket${kind}Configuration`]: async (input, ctx) => {
      const config = input[member];
      if (!config || config.Id !== input.Id) throw malformedXml();
      return putConfig(ctx, input, name(input.Id), config);
    },
    [`GetBucket${kind}Configuration`]: async (input, ctx) => ({
      [member]: await getConfig(ctx, input, name(input.Id), code, message),
    }),
    [`DeleteBucket${kind}Configuration`]: async (input, ctx) => {
      await getConfig(ctx, input, name(input.Id), code, message);
      return putConfig(ctx, input, name(input.Id), undefined);
    },
    [`ListBucket${kind}Configurations`]: async (input, ctx) => {
      const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
      const items = Object.entries(bucket.config).filter(([k]) => k.startsWith(`${kind}:`)).sort(([a], [b]) => (a < b ? -1 : 1)).map(([, v]) => v);
      return { IsTruncated: false, [listMember]: items.length ? items : undefined, ContinuationToken: input.ContinuationToken };
    },
  };
}

function ownershipOf(bucket: BucketRecord): string | undefined {
  return (bucket.config.ownershipControls as { Rules?: { ObjectOwnership?: string }[] } | undefined)?.Rules?.[0]?.ObjectOwnership;
}

export const bucketConfigHandlers: Handlers<Ops> = {
  // Tagging
  async PutBucketTagging(input, ctx) {
    const tags = checkTags(input.Tagging?.TagSet ?? [], 50);
    return putConfig(ctx, input, "tagging", { TagSet: tags });
  },
  async GetBucketTagging(input, ctx) {
    const tagging = await getConfig<{ TagSet: S3.Tag[] }>(ctx, input, "tagging", "NoSuchTagSet", "The TagSet does not exist");
    return { TagSet: tagging.TagSet };
  },
  DeleteBucketTagging: (input, ctx) => putConfig(ctx, input, "tagging", undefined),

  // CORS
  async PutBucketCors(input, ctx) {
    checkCors(input.CORSConfiguration);
    return putConfig(ctx, input, "cors", input.CORSConfiguration);
  },
  async GetBucketCors(input, ctx) {
    const cors = await getConfig<{ CORSRules: S3.CORSRule[] }>(ctx, input, "cors", "NoSuchCORSConfiguration", "The CORS configuration does not exist");
    return { CORSRules: cors.CORSRules };
  },
  DeleteBucketCors: (input, ctx) => putConfig(ctx, input, "cors", undefined),

  // Policy
  async PutBucketPolicy(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    const policy = checkPolicy(input.Policy);
    const block = bucket.config.publicAccessBlock as PublicAccessBlock | undefined;
    if (block?.BlockPublicPolicy && isPublicPolicy(policy)) {
      throw new AwsError("AccessDenied", "User: arn:aws:iam::" + ctx.accountId + ":root is not authorized to perform: s3:PutBucketPolicy on resource: \"arn:aws:s3:::" + bucket.name + "\" because public policies are blocked by the BlockPublicPolicy block public access setting.", 403);
    }
    return putConfig(ctx, input, "policy", policy);
  },
  async GetBucketPolicy(input, ctx) {
    return { Policy: await getConfig<string>(ctx, input, "policy", "NoSuchBucketPolicy", "The bucket policy does not exist") };
  },
  DeleteBucketPolicy: (input, ctx) => putConfig(ctx, input, "policy", undefined),
  async GetBucketPolicyStatus(input, ctx) {
    const policy = await getConfig<string>(ctx, input, "policy", "NoSuchBucketPolicy", "The bucket policy does not exist");
    return { PolicyStatus: { IsPublic: isPublicPolicy(policy) } };
  },

  // Lifecycle
  async PutBucketLifecycleConfiguration(input, ctx) {
    // checkLifecycle refuses a missing configuration (MalformedXML).
    const lifecycle = checkLifecycle(input.LifecycleConfiguration);
    await putConfig(ctx, input, "lifecycle", {
      Rules: lifecycle.Rules,
      TransitionDefaultMinimumObjectSize: input.TransitionDefaultMinimumObjectSize ?? "all_storage_classes_128K",
    });
    return { TransitionDefaultMinimumObjectSize: input.TransitionDefaultMinimumObjectSize ?? "all_storage_classes_128K" };
  },
  async GetBucketLifecycleConfiguration(input, ctx) {
    const lc = await getConfig<{ Rules: S3.LifecycleRule[]; TransitionDefaultMinimumObjectSize?: S3.TransitionDefaultMinimumObjectSize }>(ctx, input, "lifecycle", "NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist");
    return { Rules: lc.Rules, TransitionDefaultMinimumObjectSize: lc.TransitionDefaultMinimumObjectSize };
  },
  DeleteBucketLifecycle: (input, ctx) => putConfig(ctx, input, "lifecycle", undefined),

  // Encryption
  async PutBucketEncryption(input, ctx) {
    const rules = input.ServerSideEncryptionConfiguration?.Rules;
    if (!rules?.length) throw malformedXml();
    for (const r of rules) {
      const alg = r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm;
      if (!alg || !["AES256", "aws:kms", "aws:kms:dsse"].includes(alg)) throw malformedXml();
      if (alg === "AES256" && r.ApplyServerSideEncryptionByDefault?.KMSMasterKeyID) {
        throw new AwsError("InvalidArgument", "a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse", 400);
      }
    }
    return putConfig(ctx, input, "encryption", { Rules: rules });
  },
  async GetBucketEncryption(input, ctx) {
    const config = await getConfig<S3.ServerSideEncryptionConfiguration>(ctx, input, "encryption", "ServerSideEncryptionConfigurationNotFoundError", "The server side encryption configuration was not found");
    return { ServerSideEncryptionConfiguration: config };
  },
  DeleteBucketEncryption: (input, ctx) =>
    putConfig(ctx, input, "encryption", { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" }, BucketKeyEnabled: false }] }),

  // Ownership controls
  async PutBucketOwnershipControls(input, ctx) {
    const rules = input.OwnershipControls?.Rules;
    if (rules?.length !== 1 || !["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"].includes(rules[0].ObjectOwnership)) throw malformedXml();
    return putConfig(ctx, input, "ownershipControls", { Rules: rules });
  },
  async GetBucketOwnershipControls(input, ctx) {
    return { OwnershipControls: await getConfig(ctx, input, "ownershipControls", "OwnershipControlsNotFoundError", "The bucket ownership controls were not found") };
  },
  DeleteBucketOwnershipControls: (input, ctx) => putConfig(ctx, input, "ownershipControls", undefined),

  // Public access block
  async PutPublicAccessBlock(input, ctx) {
    const c = input.PublicAccessBlockConfiguration;
    if (!c) throw malformedXml();
    const config: PublicAccessBlock = {
      BlockPublicAcls: c.BlockPublicAcls ?? false,
      IgnorePublicAcls: c.IgnorePublicAcls ?? false,
      BlockPublicPolicy: c.BlockPublicPolicy ?? false,
      RestrictPublicBuckets: c.RestrictPublicBuckets ?? false,
    };
    return putConfig(ctx, input, "publicAccessBlock", config);
  },
  async GetPublicAccessBlock(input, ctx) {
    return { PublicAccessBlockConfiguration: await getConfig(ctx, input, "publicAccessBlock", "NoSuchPublicAccessBlockConfiguration", "The public access block configuration was not found") };
  },
  DeletePublicAccessBlock: (input, ctx) => putConfig(ctx, input, "publicAccessBlock", undefined),

  // ACL
  async GetBucketAcl(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    const acl = (bucket.config.acl as { Owner: S3.Owner; Grants: S3.Grant[] } | undefined) ?? cannedAcl("private", bucket.owner);
    return { Owner: acl.Owner, Grants: acl.Grants };
  },
  async PutBucketAcl(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    const acl = aclFromRequest(input, bucket.owner);
    if (ownershipOf(bucket) === "BucketOwnerEnforced") {
      const onlyOwner = acl.Grants.length === 1 && acl.Grants[0]?.Permission === "FULL_CONTROL" && acl.Grants[0]?.Grantee?.ID === acl.Owner?.ID;
      if (!onlyOwner) throw accessControlListNotSupported();
    }
    const block = bucket.config.publicAccessBlock as PublicAccessBlock | undefined;
    const isPublic = acl.Grants.some((g) => /global\/(AllUsers|AuthenticatedUsers)$/.test(g?.Grantee?.URI ?? ""));
    if (block?.BlockPublicAcls && isPublic) throw new AwsError("AccessDenied", "Access Denied", 403);
    return putConfig(ctx, input, "acl", acl);
  },

  // Website
  async PutBucketWebsite(input, ctx) {
    const w = input.WebsiteConfiguration;
    if (!w || (!w.IndexDocument && !w.RedirectAllRequestsTo)) throw malformedXml();
    if (w.RedirectAllRequestsTo && (w.IndexDocument || w.ErrorDocument || w.RoutingRules)) throw malformedXml();
    if (w.IndexDocument && (!w.IndexDocument.Suffix || w.IndexDocument.Suffix.includes("/"))) {
      throw new AwsError("InvalidArgument", "The IndexDocument Suffix is not well formed", 400);
    }
    return putConfig(ctx, input, "website", w);
  },
  async GetBucketWebsite(input, ctx) {
    return getConfig(ctx, input, "website", "NoSuchWebsiteConfiguration", "The specified bucket does not have a website configuration");
  },
  DeleteBucketWebsite: (input, ctx) => putConfig(ctx, input, "website", undefined),

  // Notifications (stored; delivery is the events module's)
  async PutBucketNotificationConfiguration(input, ctx) {
    const n = input.NotificationConfiguration ?? {};
    const withIds = <T extends { Id?: string }>(list: T[] | undefined) => (list ?? []).map((c) => ({ ...c, Id: c.Id ?? crypto.randomUUID() }));
    const topics = withIds(n.TopicConfigurations);
    const queues = withIds(n.QueueConfigurations);
    const lambdas = withIds(n.LambdaFunctionConfigurations);
    const config: Record<string, unknown> = {};
    if (topics.length) config.TopicConfigurations = topics;
    if (queues.length) config.QueueConfigurations = queues;
    if (lambdas.length) config.LambdaFunctionConfigurations = lambdas;
    if (n.EventBridgeConfiguration) config.EventBridgeConfiguration = n.EventBridgeConfiguration;
    await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    const destinations = [...queues, ...topics, ...lambdas];
    await validateDestinations(ctx, input.Bucket, destinations, input.SkipDestinationValidation === true);
    return putConfig(ctx, input, "notification", Object.keys(config).length ? config : undefined);
  },
  async GetBucketNotificationConfiguration(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    return (bucket.config.notification as Record<string, unknown> | undefined) ?? {};
  },

  // Logging
  async PutBucketLogging(input, ctx) {
    const enabled = input.BucketLoggingStatus?.LoggingEnabled;
    if (enabled) {
      const target = await ctx.globalStore.get<BucketRecord>(bucketKey(enabled.TargetBucket ?? ""));
      if (!target.value) {
        throw new AwsError("InvalidTargetBucketForLogging", "The target bucket for logging does not exist", 400, { fields: { TargetBucket: enabled.TargetBucket } });
      }
    }
    return putConfig(ctx, input, "logging", enabled);
  },
  async GetBucketLogging(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    return { LoggingEnabled: bucket.config.logging as S3.LoggingEnabled | undefined };
  },

  // Accelerate
  async PutBucketAccelerateConfiguration(input, ctx) {
    const status = input.AccelerateConfiguration?.Status;
    if (status !== "Enabled" && status !== "Suspended") throw malformedXml();
    if (input.Bucket.includes(".")) throw invalidRequest("S3 Transfer Acceleration is not supported for buckets with periods (.) in their names");
    return putConfig(ctx, input, "accelerate", status);
  },
  async GetBucketAccelerateConfiguration(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    return { Status: bucket.config.accelerate as S3.BucketAccelerateStatus | undefined };
  },

  // Request payment
  async PutBucketRequestPayment(input, ctx) {
    const payer = input.RequestPaymentConfiguration?.Payer;
    if (payer !== "Requester" && payer !== "BucketOwner") throw malformedXml();
    return putConfig(ctx, input, "requestPayment", payer);
  },
  async GetBucketRequestPayment(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    return { Payer: (bucket.config.requestPayment as S3.Payer | undefined) ?? "BucketOwner" };
  },

  // Replication
  async PutBucketReplication(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    if (!input.ReplicationConfiguration?.Rules?.length || !input.ReplicationConfiguration.Role) throw malformedXml();
    if (bucket.versioning !== "Enabled") throw invalidRequest("Versioning must be 'Enabled' on the bucket to apply a replication configuration");
    return putConfig(ctx, input, "replication", input.ReplicationConfiguration);
  },
  async GetBucketReplication(input, ctx) {
    return { ReplicationConfiguration: await getConfig(ctx, input, "replication", "ReplicationConfigurationNotFoundError", "The replication configuration was not found") };
  },
  DeleteBucketReplication: (input, ctx) => putConfig(ctx, input, "replication", undefined),

  // Object lock configuration
  async PutObjectLockConfiguration(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    const config = input.ObjectLockConfiguration;
    if (!config || config.ObjectLockEnabled !== "Enabled") throw malformedXml();
    if (!bucket.objectLockEnabled && bucket.versioning !== "Enabled") {
      throw new AwsError("InvalidBucketState", "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration", 409);
    }
    await update<BucketRecord>(ctx.globalStore, bucketKey(bucket.name), (current) => {
      if (!current) throw noSuchBucket(bucket.name);
      return { ...current, objectLockEnabled: true, config: { ...current.config, objectLock: config } };
    });
    return {};
  },
  async GetObjectLockConfiguration(input, ctx) {
    return { ObjectLockConfiguration: await getConfig(ctx, input, "objectLock", "ObjectLockConfigurationNotFoundError", "Object Lock configuration does not exist for this bucket") };
  },

  // Attribute-based access control status (stored; tags do not drive authorization here)
  async PutBucketAbac(input, ctx) {
    const status = input.AbacStatus?.Status;
    if (status !== "Enabled" && status !== "Disabled") throw malformedXml();
    return putConfig(ctx, input, "abac", status);
  },
  async GetBucketAbac(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    return { AbacStatus: { Status: (bucket.config.abac as S3.BucketAbacStatus | undefined) ?? "Disabled" } };
  },

  ...idKeyed("Analytics", "AnalyticsConfiguration", "AnalyticsConfigurationList", "NoSuchConfiguration", "The specified configuration does not exist."),
  ...idKeyed("Metrics", "MetricsConfiguration", "MetricsConfigurationList", "NoSuchConfiguration", "The specified configuration does not exist."),
  ...idKeyed("Inventory", "InventoryConfiguration", "InventoryConfigurationList", "NoSuchConfiguration", "The specified configuration does not exist."),
  ...idKeyed("IntelligentTiering", "IntelligentTieringConfiguration", "IntelligentTieringConfigurationList", "NoSuchConfiguration", "The specified configuration does not exist."),
};
