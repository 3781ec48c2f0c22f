/**
 * Amazon S3 over restXml: buckets, objects with real version history, listing, bucket
 * configuration, multipart uploads, checksums, aws-chunked bodies, presigned URLs, POST uploads
 * and CORS. Buckets and objects live in the service's global space (bucket names are global);
 * see object-store.ts for the data model.
 *
 * S3 validates its own input with its own error codes (InvalidBucketName, InvalidArgument,
 * MalformedXML, ...), so model validation is skipped.
 *
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/API/API_Operations_Amazon_Simple_Storage_Service.html
 */
import { defineService } from "../types.ts";
import type { Operations as Ops } from "../../generated/s3.ts";
import model from "../../../models/s3.json" with { type: "json" };
import type { ServiceModel } from "../../protocol/model.ts";
import { bucketHandlers } from "./buckets.ts";
import { objectHandlers } from "./objects.ts";
import { listingHandlers } from "./listing.ts";
import { versioningHandlers } from "./versioning.ts";
import { bucketConfigHandlers } from "./bucket-config.ts";
import { multipartHandlers } from "./multipart.ts";
import { objectLockHandlers } from "./object-lock.ts";
import { s3PostRoute, s3PreRoute } from "./http-hooks.ts";
import { s3AcceptsUnsigned, s3SignatureError, s3Wire } from "./wire.ts";
import { s3Authorization } from "./authorization.ts";

export default defineService<Ops>({
  name: "s3",
  model: model as unknown as ServiceModel,
  skipValidation: true,
  preRoute: s3PreRoute,
  postRoute: s3PostRoute,
  wire: s3Wire,
  virtualHostedResources: true,
  receivesUnidentified: true,
  acceptsUnsigned: s3AcceptsUnsigned,
  signedPathEncoding: "as-sent",
  signatureError: s3SignatureError,
  authorization: s3Authorization,
  handlers: {
    ...bucketHandlers,
    ...versioningHandlers,
    ...bucketConfigHandlers,
    ...objectHandlers,
    ...listingHandlers,
    ...objectLockHandlers,
    ...multipartHandlers,
  },
});
