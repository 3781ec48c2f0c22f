/**
 * Bucket configuration sub-resources through the JS SDK v3: stored and returned as sent,
 * with AWS's not-found errors when unset and AWS's defaults for new buckets.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateBucketCommand, DeleteBucketCorsCommand, DeleteBucketEncryptionCommand, DeleteBucketLifecycleCommand,
  DeleteBucketOwnershipControlsCommand, DeleteBucketPolicyCommand, DeleteBucketTaggingCommand, DeleteBucketWebsiteCommand,
  DeletePublicAccessBlockCommand, GetBucketAccelerateConfigurationCommand, GetBucketAclCommand, GetBucketCorsCommand,
  GetBucketEncryptionCommand, GetBucketLifecycleConfigurationCommand, GetBucketLoggingCommand,
  GetBucketNotificationConfigurationCommand, GetBucketOwnershipControlsCommand, GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand, GetBucketRequestPaymentCommand, GetBucketTaggingCommand, GetBucketVersioningCommand,
  GetBucketWebsiteCommand, GetPublicAccessBlockCommand, PutBucketAccelerateConfigurationCommand, PutBucketAclCommand,
  PutBucketCorsCommand, PutBucketEncryptionCommand, PutBucketLifecycleConfigurationCommand, PutBucketLoggingCommand,
  PutBucketNotificationConfigurationCommand, PutBucketOwnershipControlsCommand, PutBucketPolicyCommand,
  PutBucketRequestPaymentCommand, PutBucketTaggingCommand, PutBucketVersioningCommand, PutBucketWebsiteCommand,
  PutPublicAccessBlockCommand, PutObjectCommand, HeadObjectCommand, S3Client, S3ServiceException, GetBucketAbacCommand, PutBucketAbacCommand,
} from "@aws-sdk/client-s3";
import { TRANSPORTS, uniqueBucket, type S3Transport } from "./core-setup.ts";

async function error(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (e) {
    return e as S3ServiceException;
  }
  throw new Error("expected the call to fail");
}

const PUBLIC_POLICY = (bucket: string) => JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` }],
});

for (const { name, setup } of TRANSPORTS) {
  describe(`S3 bucket configuration, ${name}`, () => {
    let t: S3Transport;
    let s3: S3Client;
    let bucket: string;
    beforeAll(async () => {
      t = await setup();
      s3 = t.client();
      bucket = uniqueBucket("config");
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    });
    afterAll(() => t.close());

    it("new buckets: owner enforced, public access blocked, SSE-S3, unversioned", async () => {
      const own = await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket }));
      expect(own.OwnershipControls).toEqual({ Rules: [{ ObjectOwnership: "BucketOwnerEnforced" }] });
      const pab = await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }));
      expect(pab.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true });
      const enc = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
      expect(enc.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe("AES256");
      const ver = await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }));
      expect(ver.Status).toBeUndefined();
      const acl = await s3.send(new GetBucketAclCommand({ Bucket: bucket }));
      expect(acl.Grants).toEqual([{ Grantee: { Type: "CanonicalUser", ID: acl.Owner!.ID }, Permission: "FULL_CONTROL" }]);
      expect((await s3.send(new GetBucketRequestPaymentCommand({ Bucket: bucket }))).Payer).toBe("BucketOwner");
      expect((await s3.send(new GetBucketAccelerateConfigurationCommand({ Bucket: bucket }))).Status).toBeUndefined();
      expect((await s3.send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled).toBeUndefined();
      const n = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
      expect(n.QueueConfigurations).toBeUndefined();
    });

    it("tagging: NoSuchTagSet until set, then round-trips, delete", async () => {
      const e = await error(s3.send(new GetBucketTaggingCommand({ Bucket: bucket })));
      expect(e.name).toBe("NoSuchTagSet");
      expect(e.message).toBe("The TagSet does not exist");
      expect(e.$metadata.httpStatusCode).toBe(404);
      await s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ Key: "env", Value: "dev" }, { Key: "team", Value: "" }] } }));
      expect((await s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet).toEqual([{ Key: "env", Value: "dev" }, { Key: "team", Value: "" }]);
      const dup = await error(s3.send(new PutBucketTaggingCommand({ Bucket: bucket, Tagging: { TagSet: [{ Key: "a", Value: "1" }, { Key: "a", Value: "2" }] } })));
      expect(dup.name).toBe("InvalidTag");
      await s3.send(new DeleteBucketTaggingCommand({ Bucket: bucket }));
      expect((await error(s3.send(new GetBucketTaggingCommand({ Bucket: bucket })))).name).toBe("NoSuchTagSet");
    });

    it("CORS: NoSuchCORSConfiguration, round-trip, unsupported method", async () => {
      expect((await error(s3.send(new GetBucketCorsCommand({ Bucket: bucket })))).name).toBe("NoSuchCORSConfiguration");
      const rules = [{ AllowedMethods: ["GET", "PUT"], AllowedOrigins: ["https://example.com"], AllowedHeaders: ["*"], ExposeHeaders: ["ETag"], MaxAgeSeconds: 300, ID: "r1" }];
      await s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: rules } }));
      expect((await s3.send(new GetBucketCorsCommand({ Bucket: bucket }))).CORSRules).toEqual(rules);
      const bad = await error(s3.send(new PutBucketCorsCommand({ Bucket: bucket, CORSConfiguration: { CORSRules: [{ AllowedMethods: ["PATCH"], AllowedOrigins: ["*"] }] } })));
      expect(bad.name).toBe("InvalidRequest");
      expect(bad.message).toBe("Found unsupported HTTP method in CORS config. Unsupported method is PATCH");
      await s3.send(new DeleteBucketCorsCommand({ Bucket: bucket }));
      expect((await error(s3.send(new GetBucketCorsCommand({ Bucket: bucket })))).name).toBe("NoSuchCORSConfiguration");
    });

    it("policy: NoSuchBucketPolicy, MalformedPolicy, public policies blocked until the block is lifted, policy status", async () => {
      expect((await error(s3.send(new GetBucketPolicyCommand({ Bucket: bucket })))).name).toBe("NoSuchBucketPolicy");
      expect((await error(s3.send(new GetBucketPolicyStatusCommand({ Bucket: bucket })))).name).toBe("NoSuchBucketPolicy");
      const bad = await error(s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: "not json" })));
      expect(bad.name).toBe("MalformedPolicy");
      const blocked = await error(s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: PUBLIC_POLICY(bucket) })));
      expect(blocked.name).toBe("AccessDenied");
      expect(blocked.$metadata.httpStatusCode).toBe(403);
      const privatePolicy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "s3:GetObject", Resource: `arn:aws:s3:::${bucket}/*` }] });
      await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: privatePolicy }));
      expect((await s3.send(new GetBucketPolicyCommand({ Bucket: bucket }))).Policy).toBe(privatePolicy);
      expect((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: bucket }))).PolicyStatus).toEqual({ IsPublic: false });
      await s3.send(new DeletePublicAccessBlockCommand({ Bucket: bucket }));
      expect((await error(s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket })))).name).toBe("NoSuchPublicAccessBlockConfiguration");
      await s3.send(new PutBucketPolicyCommand({ Bucket: bucket, Policy: PUBLIC_POLICY(bucket) }));
      expect((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: bucket }))).PolicyStatus).toEqual({ IsPublic: true });
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
      expect((await error(s3.send(new GetBucketPolicyCommand({ Bucket: bucket })))).name).toBe("NoSuchBucketPolicy");
      await s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: false } }));
      expect((await s3.send(new GetPublicAccessBlockCommand({ Bucket: bucket }))).PublicAccessBlockConfiguration)
        .toEqual({ BlockPublicAcls: true, IgnorePublicAcls: false, BlockPublicPolicy: false, RestrictPublicBuckets: false });
    });

    it("lifecycle: NoSuchLifecycleConfiguration, round-trip, delete", async () => {
      expect((await error(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })))).name).toBe("NoSuchLifecycleConfiguration");
      const rules = [{ ID: "expire-logs", Status: "Enabled" as const, Filter: { Prefix: "logs/" }, Expiration: { Days: 30 } },
        { ID: "abort", Status: "Disabled" as const, Filter: {}, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } }];
      const put = await s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rules } }));
      expect(put.TransitionDefaultMinimumObjectSize).toBe("all_storage_classes_128K");
      const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket }));
      expect(got.Rules).toEqual(rules);
      expect(got.TransitionDefaultMinimumObjectSize).toBe("all_storage_classes_128K");
      // Matching objects report the rule and the expiry (midnight UTC after the days).
      const logged = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "logs/a.log", Body: "x" }));
      expect(logged.Expiration).toMatch(/^expiry-date=".+ 00:00:00 GMT", rule-id="expire-logs"$/);
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: "logs/a.log" }));
      expect(head.Expiration).toBe(logged.Expiration);
      const expiry = Date.parse(/expiry-date="([^"]+)"/.exec(head.Expiration!)![1]!);
      expect(expiry - head.LastModified!.getTime()).toBeGreaterThan(30 * 86_400_000 - 1000);
      expect(expiry - head.LastModified!.getTime()).toBeLessThanOrEqual(31 * 86_400_000);
      const other = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "data/a", Body: "x" }));
      expect(other.Expiration).toBeUndefined();
      await s3.send(new DeleteBucketLifecycleCommand({ Bucket: bucket }));
      expect((await error(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket })))).name).toBe("NoSuchLifecycleConfiguration");
    });

    it("encryption: put KMS default applies to new objects; delete restores SSE-S3", async () => {
      await s3.send(new PutBucketEncryptionCommand({ Bucket: bucket, ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: "my-key" }, BucketKeyEnabled: true }] } }));
      const got = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
      expect(got.ServerSideEncryptionConfiguration?.Rules?.[0]).toEqual({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: "my-key" }, BucketKeyEnabled: true });
      // The default's key is resolved at write time (sse-kms.test.ts covers keys that exist).
      const e = await error(s3.send(new PutObjectCommand({ Bucket: bucket, Key: "kms", Body: "x" })));
      expect(e.name).toBe("KMS.NotFoundException");
      await s3.send(new DeleteBucketEncryptionCommand({ Bucket: bucket }));
      const after = await s3.send(new GetBucketEncryptionCommand({ Bucket: bucket }));
      expect(after.ServerSideEncryptionConfiguration?.Rules?.[0]?.ApplyServerSideEncryptionByDefault?.SSEAlgorithm).toBe("AES256");
    });

    it("ownership controls and ACLs", async () => {
      const e = await error(s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read" })));
      expect(e.name).toBe("AccessControlListNotSupported");
      await s3.send(new DeleteBucketOwnershipControlsCommand({ Bucket: bucket }));
      expect((await error(s3.send(new GetBucketOwnershipControlsCommand({ Bucket: bucket })))).name).toBe("OwnershipControlsNotFoundError");
      await s3.send(new PutBucketOwnershipControlsCommand({ Bucket: bucket, OwnershipControls: { Rules: [{ ObjectOwnership: "ObjectWriter" }] } }));
      await s3.send(new PutPublicAccessBlockCommand({ Bucket: bucket, PublicAccessBlockConfiguration: {} }));
      await s3.send(new PutBucketAclCommand({ Bucket: bucket, ACL: "public-read" }));
      const acl = await s3.send(new GetBucketAclCommand({ Bucket: bucket }));
      expect(acl.Grants).toContainEqual({ Grantee: { Type: "Group", URI: "http://acs.amazonaws.com/groups/global/AllUsers" }, Permission: "READ" });
      await s3.send(new PutBucketAclCommand({ Bucket: bucket, AccessControlPolicy: { Owner: acl.Owner, Grants: [{ Grantee: { Type: "CanonicalUser", ID: acl.Owner!.ID }, Permission: "READ" }] } }));
      expect((await s3.send(new GetBucketAclCommand({ Bucket: bucket }))).Grants).toEqual([{ Grantee: { Type: "CanonicalUser", ID: acl.Owner!.ID }, Permission: "READ" }]);
    });

    it("website: NoSuchWebsiteConfiguration, round-trip, delete", async () => {
      const e = await error(s3.send(new GetBucketWebsiteCommand({ Bucket: bucket })));
      expect(e.name).toBe("NoSuchWebsiteConfiguration");
      expect(e.message).toBe("The specified bucket does not have a website configuration");
      await s3.send(new PutBucketWebsiteCommand({ Bucket: bucket, WebsiteConfiguration: { IndexDocument: { Suffix: "index.html" }, ErrorDocument: { Key: "404.html" },
        RoutingRules: [{ Condition: { KeyPrefixEquals: "docs/" }, Redirect: { ReplaceKeyPrefixWith: "documents/" } }] } }));
      const got = await s3.send(new GetBucketWebsiteCommand({ Bucket: bucket }));
      expect(got.IndexDocument).toEqual({ Suffix: "index.html" });
      expect(got.ErrorDocument).toEqual({ Key: "404.html" });
      expect(got.RoutingRules).toEqual([{ Condition: { KeyPrefixEquals: "docs/" }, Redirect: { ReplaceKeyPrefixWith: "documents/" } }]);
      await s3.send(new DeleteBucketWebsiteCommand({ Bucket: bucket }));
      expect((await error(s3.send(new GetBucketWebsiteCommand({ Bucket: bucket })))).name).toBe("NoSuchWebsiteConfiguration");
    });

    it("notification, logging, accelerate, request payment, versioning round-trip", async () => {
      await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, SkipDestinationValidation: true, NotificationConfiguration: {
        QueueConfigurations: [{ Id: "q1", QueueArn: "arn:aws:sqs:us-east-1:000000000000:q", Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "in/" }] } } }],
      } }));
      const n = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
      expect(n.QueueConfigurations).toEqual([{ Id: "q1", QueueArn: "arn:aws:sqs:us-east-1:000000000000:q", Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "in/" }] } } }]);
      const target = uniqueBucket("logs");
      await s3.send(new CreateBucketCommand({ Bucket: target }));
      await s3.send(new PutBucketLoggingCommand({ Bucket: bucket, BucketLoggingStatus: { LoggingEnabled: { TargetBucket: target, TargetPrefix: "access/" } } }));
      expect((await s3.send(new GetBucketLoggingCommand({ Bucket: bucket }))).LoggingEnabled).toEqual({ TargetBucket: target, TargetPrefix: "access/" });
      await s3.send(new PutBucketAccelerateConfigurationCommand({ Bucket: bucket, AccelerateConfiguration: { Status: "Enabled" } }));
      expect((await s3.send(new GetBucketAccelerateConfigurationCommand({ Bucket: bucket }))).Status).toBe("Enabled");
      await s3.send(new PutBucketRequestPaymentCommand({ Bucket: bucket, RequestPaymentConfiguration: { Payer: "Requester" } }));
      expect((await s3.send(new GetBucketRequestPaymentCommand({ Bucket: bucket }))).Payer).toBe("Requester");
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe("Enabled");
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Suspended" } }));
      expect((await s3.send(new GetBucketVersioningCommand({ Bucket: bucket }))).Status).toBe("Suspended");
    });

    it("ABAC status defaults to Disabled and round-trips", async () => {
      expect((await s3.send(new GetBucketAbacCommand({ Bucket: bucket }))).AbacStatus).toEqual({ Status: "Disabled" });
      await s3.send(new PutBucketAbacCommand({ Bucket: bucket, AbacStatus: { Status: "Enabled" } }));
      expect((await s3.send(new GetBucketAbacCommand({ Bucket: bucket }))).AbacStatus).toEqual({ Status: "Enabled" });
    });

    it("configuration calls on a missing bucket are NoSuchBucket", async () => {
      const e = await error(s3.send(new GetBucketTaggingCommand({ Bucket: "missing-bucket-config-x" })));
      expect(e.name).toBe("NoSuchBucket");
      expect((await error(s3.send(new DeleteBucketWebsiteCommand({ Bucket: "missing-bucket-config-x" })))).name).toBe("NoSuchBucket");
    });
  });
}
