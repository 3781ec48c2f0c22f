/**
 * What S3 needs from the pipeline beyond its model (ServiceDefinition hooks, wired in index.ts):
 * its XML namespace and root element names, its `<Error>` body, its codes for bad header
 * values, unrouted requests and signature failures, and which requests need no signature.
 *
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html,
 * Smithy's S3 model (`@xmlName` of output structures).
 */
import type { IncomingRequest, WireOptions } from "../../protocol/codec.ts";
import { AwsError } from "../../protocol/errors.ts";
import type { SignatureFailure } from "../../gateway/sigv4.ts";

/** Root element names of S3 output structures (Smithy `@xmlName`; not in botocore's model). */
const ROOT_NAMES: Record<string, string> = {
  CompleteMultipartUploadOutput: "CompleteMultipartUploadResult",
  CreateMultipartUploadOutput: "InitiateMultipartUploadResult",
  CreateSessionOutput: "CreateSessionResult",
  DeleteObjectsOutput: "DeleteResult",
  GetBucketAccelerateConfigurationOutput: "AccelerateConfiguration",
  GetBucketAclOutput: "AccessControlPolicy",
  GetBucketCorsOutput: "CORSConfiguration",
  GetBucketLifecycleOutput: "LifecycleConfiguration",
  GetBucketLifecycleConfigurationOutput: "LifecycleConfiguration",
  GetBucketLocationOutput: "LocationConstraint",
  GetBucketLoggingOutput: "BucketLoggingStatus",
  GetBucketRequestPaymentOutput: "RequestPaymentConfiguration",
  GetBucketTaggingOutput: "Tagging",
  GetBucketVersioningOutput: "VersioningConfiguration",
  GetBucketWebsiteOutput: "WebsiteConfiguration",
  GetObjectAclOutput: "AccessControlPolicy",
  GetObjectAttributesOutput: "GetObjectAttributesResponse",
  GetObjectTaggingOutput: "Tagging",
  ListBucketAnalyticsConfigurationsOutput: "ListBucketAnalyticsConfigurationResult",
  ListBucketInventoryConfigurationsOutput: "ListInventoryConfigurationsResult",
  ListBucketMetricsConfigurationsOutput: "ListMetricsConfigurationsResult",
  ListBucketIntelligentTieringConfigurationsOutput: "ListBucketIntelligentTieringConfigurationsOutput",
  ListBucketsOutput: "ListAllMyBucketsResult",
  ListDirectoryBucketsOutput: "ListAllMyDirectoryBucketsResult",
  ListMultipartUploadsOutput: "ListMultipartUploadsResult",
  ListObjectsOutput: "ListBucketResult",
  ListObjectsV2Output: "ListBucketResult",
  ListObjectVersionsOutput: "ListVersionsResult",
  ListPartsOutput: "ListPartsResult",
  NotificationConfiguration: "NotificationConfiguration",
  NotificationConfigurationDeprecated: "NotificationConfiguration",
};

/** S3's wire format beyond its model (see WireOptions). */
export const s3Wire: WireOptions = {
  xmlNamespace: "http://s3.amazonaws.com/doc/2006-03-01/",
  xmlRootNames: ROOT_NAMES,
  xmlErrorRoot: "Error",
  // A header or query value of the wrong type.
  bindingError: (wireName, value) =>
    new AwsError("InvalidArgument", "Invalid Argument", 400, { fields: { ArgumentName: wireName, ArgumentValue: value } }),
  unmatchedRouteError: (method) =>
    new AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405, { fields: { Method: method, ResourceType: "OBJECT" } }),
};

/** CORS preflights carry no credentials, and browser POST uploads are signed by their form policy. */
export function s3AcceptsUnsigned(incoming: IncomingRequest): boolean {
  if (incoming.method === "OPTIONS") return true;
  return incoming.method === "POST" && (incoming.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data");
}

const MISMATCH = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/** S3's answers to a request whose signature does not verify. */
export function s3SignatureError(failure: SignatureFailure): AwsError {
  switch (failure.kind) {
    case "unsigned":
      return new AwsError("AccessDenied", "Access Denied", 403);
    case "unknown-key":
      return new AwsError("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", 403, { fields: { AWSAccessKeyId: failure.accessKeyId } });
    case "expired":
      return new AwsError("AccessDenied", "Request has expired", 403);
    case "skewed":
      return new AwsError("RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", 403);
    case "mismatch":
      return new AwsError("SignatureDoesNotMatch", MISMATCH, 403, { fields: { AWSAccessKeyId: failure.accessKeyId, SignatureProvided: failure.signature } });
  }
}
