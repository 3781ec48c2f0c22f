/**
 * Object operations: PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects,
 * CopyObject, GetObjectAttributes, object tagging and object ACLs.
 *
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html, API_GetObject,
 * API_HeadObject, API_DeleteObject, API_DeleteObjects, API_CopyObject, API_GetObjectAttributes,
 * API_PutObjectTagging, API_GetObjectAcl; https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
import { parseCopySource } from "./copy-source.ts";
import { HTTP_STATUS } from "../../protocol/codec.ts";
import { AwsError } from "../../protocol/errors.ts";
import { bytesToBase64 } from "../../encoding/base64.ts";
import type { Handlers, InputOf, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/s3.ts";
import { requireBucket, type BucketRecord } from "./bucket-store.ts";
import { aclForNewObject, aclFromRequest, cannedAcl, checkAclAllowed } from "./acl.ts";
import { notify, notifyRemoved } from "./notifications.ts";
import { checksumMemberName, createDigest, parseAlgorithm, type StoredChecksum } from "./checksums.ts";
import { bytesToHex } from "@noble/hashes/utils.js";
import { checkCopySourceConditions, checkReadConditions, resolveRange, type ByteRange } from "./conditions.ts";
import { invalidArgument, invalidRequest, malformedXml, noSuchKey, noSuchVersion, notImplementedHeader } from "./errors.ts";
import { checkCustomerKey, encryptionFor, encryptionOutput, unsealForRead } from "./encryption.ts";
import {
  deleteObject, findVersion, openBody, readBody, storeObjectBody, updateVersion, writeObject, headersOf, deleteBodies,
  type NewObject, type ObjectVersion, type StoredEncryption, type StoredHeaders, type WriteCondition,
} from "./object-store.ts";
import { checkTags, parseTaggingHeader, type Tag } from "./tagging.ts";
import { checkDeletable, defaultRetention } from "./object-lock.ts";
import { expirationHeader } from "./lifecycle.ts";
import { bodyHeaders, prepareUpload, storedContentEncoding, checksumOutput, unsupportedAlgorithm } from "./upload-body.ts";
import type * as S3 from "../../generated/s3.ts";

const MAX_OBJECT_SIZE = 5 * 1024 ** 3;
const MAX_METADATA_BYTES = 2048;
const STORAGE_CLASSES = new Set([
  "STANDARD", "REDUCED_REDUNDANCY", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER",
  "DEEP_ARCHIVE", "OUTPOSTS", "GLACIER_IR", "SNOW", "EXPRESS_ONEZONE", "FSX_OPENZFS", "FSX_ONTAP",
]);
const ARCHIVED = new Set(["GLACIER", "DEEP_ARCHIVE"]);
const utf8 = new TextEncoder();

// ---------------------------------------------------------------------------------------------
// Shared checks

export function checkKey(key: string): void {
  if (utf8.encode(key).length > 1024) {
    throw new AwsError("KeyTooLongError", "Your key is too long", 400, { fields: { Size: String(utf8.encode(key).length), MaxSizeAllowed: "1024" } });
  }
}

function checkStorageClass(storageClass: string | undefined): S3.StorageClass | undefined {
  if (storageClass === undefined) return undefined;
  if (!STORAGE_CLASSES.has(storageClass)) throw new AwsError("InvalidStorageClass", "The storage class you specified is not valid", 400, { fields: { StorageClassRequested: storageClass } });
  return storageClass === "STANDARD" ? undefined : (storageClass as S3.StorageClass);
}

function checkMetadata(metadata: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  let bytes = 0;
  for (const [k, v] of Object.entries(metadata ?? {})) {
    const name = k.toLowerCase();
    out[name] = v;
    bytes += utf8.encode(name).length + utf8.encode(v).length;
  }
  if (bytes > MAX_METADATA_BYTES) {
    throw new AwsError("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size", 400, { fields: { Size: String(bytes), MaxSizeAllowed: String(MAX_METADATA_BYTES) } });
  }
  return out;
}

/** Headers PutObject and CopyObject (REPLACE) store with the object. */
function standardHeaders(input: Pick<S3.PutObjectRequest, "ContentType" | "ContentEncoding" | "ContentDisposition" | "ContentLanguage" | "CacheControl" | "Expires" | "WebsiteRedirectLocation">): StoredHeaders {
  return {
    ContentType: input.ContentType ?? "binary/octet-stream",
    ContentEncoding: input.ContentEncoding,
    ContentDisposition: input.ContentDisposition,
    ContentLanguage: input.ContentLanguage,
    CacheControl: input.CacheControl,
    Expires: input.Expires,
    WebsiteRedirectLocation: input.WebsiteRedirectLocation,
  };
}

function objectLockFrom(input: Pick<S3.PutObjectRequest, "ObjectLockMode" | "ObjectLockRetainUntilDate" | "ObjectLockLegalHoldStatus">, bucket: BucketRecord, now: number) {
  if (!input.ObjectLockMode && !input.ObjectLockRetainUntilDate && !input.ObjectLockLegalHoldStatus) {
    return defaultRetention(bucket, now);
  }
  if (!bucket.objectLockEnabled) throw invalidRequest("Bucket is missing Object Lock Configuration");
  if (!input.ObjectLockMode !== !input.ObjectLockRetainUntilDate) {
    throw invalidArgument("x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied", "x-amz-object-lock-mode", input.ObjectLockMode ?? "");
  }
  return {
    mode: input.ObjectLockMode,
    retainUntil: input.ObjectLockRetainUntilDate ? new Date(input.ObjectLockRetainUntilDate).getTime() : undefined,
    legalHold: input.ObjectLockLegalHoldStatus,
  };
}

function writeCondition(input: Pick<S3.PutObjectRequest, "IfNoneMatch" | "IfMatch">): WriteCondition | undefined {
  if (input.IfNoneMatch === undefined && input.IfMatch === undefined) return undefined;
  if (input.IfNoneMatch !== undefined && input.IfNoneMatch.trim() !== "*") throw notImplementedHeader("If-None-Match");
  return { ifNoneMatch: input.IfNoneMatch, ifMatch: input.IfMatch };
}

function checksumMembers(checksum: StoredChecksum | undefined): Record<string, string> {
  if (!checksum) return {};
  return { [checksumMemberName(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type };
}

/** Version id header on reads: only once the bucket has had versioning configured. */
function readVersionId(bucket: BucketRecord, version: ObjectVersion): string | undefined {
  return bucket.versioning || version.versionId !== "null" ? version.versionId : undefined;
}

/** The version a GET/HEAD addresses, or the error S3 answers. */
async function versionForRead(ctx: RequestContext, bucket: BucketRecord, key: string, versionId: string | undefined, method: string): Promise<ObjectVersion> {
  const version = await findVersion(ctx, bucket.name, key, versionId);
  if (!version) throw versionId !== undefined ? noSuchVersion(key, versionId) : noSuchKey(key);
  if (version.deleteMarker) {
    const headers = { "x-amz-delete-marker": "true", "x-amz-version-id": version.versionId, "Last-Modified": new Date(version.lastModified).toUTCString() };
    if (versionId !== undefined) {
      throw new AwsError("MethodNotAllowed", "The specified method is not allowed against this resource.", 405, {
        fields: { Method: method, ResourceType: "DeleteMarker" },
        headers: { ...headers, Allow: "DELETE" },
      });
    }
    throw noSuchKey(key, headers);
  }
  return version;
}

/** Permanent deletes (by version id) of locked versions are AccessDenied. */
async function checkLockedDelete(ctx: RequestContext, bucket: BucketRecord, key: string, versionId: string | undefined, bypass: boolean): Promise<void> {
  if (versionId === undefined || !bucket.objectLockEnabled) return;
  const version = await findVersion(ctx, bucket.name, key, versionId);
  if (version) checkDeletable(version, ctx.clock.now(), bypass);
}

// ---------------------------------------------------------------------------------------------
// Reads

async function readObject(input: InputOf<Ops, "GetObject"> | InputOf<Ops, "HeadObject">, ctx: RequestContext, method: "GET" | "HEAD") {
  const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
  const version = await versionForRead(ctx, bucket, input.Key, input.VersionId, method);
  checkCustomerKey(version, input.SSECustomerKey);
  checkReadConditions(version, input);
  if (method === "GET") await unsealForRead(ctx, bucket.name, version);
  const restored = version.restore !== undefined && version.restore.expiry > ctx.clock.now();
  if (method === "GET" && ARCHIVED.has(version.storageClass ?? "") && !restored) {
    throw new AwsError("InvalidObjectState", "The operation is not valid for the object's storage class", 403, { fields: { StorageClass: version.storageClass } });
  }
  if (input.Range !== undefined && input.PartNumber !== undefined) {
    throw invalidRequest("Cannot specify both Range header and partNumber query parameter");
  }
  let range: ByteRange | undefined;
  let partsCount: number | undefined;
  if (input.PartNumber !== undefined) {
    const n = Number(input.PartNumber);
    const parts = version.parts;
    const count = parts?.length ?? 1;
    if (!Number.isInteger(n) || n < 1 || n > 10000) throw invalidArgument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", String(input.PartNumber));
    if (n > count) throw new AwsError("InvalidPartNumber", "The requested partnumber is not satisfiable", 416, { fields: { PartNumberRequested: String(n), ActualPartCount: String(count) } });
    if (parts) {
      let start = 0;
      for (const p of parts.slice(0, n - 1)) start += p.size;
      range = { start, end: start + parts[n - 1]!.size - 1 };
      partsCount = count;
    } else if (version.size > 0) {
      range = { start: 0, end: version.size - 1 };
    }
  } else {
    range = resolveRange(input.Range, version.size);
  }
  const length = range ? range.end - range.start + 1 : version.size;
  const h = headersOf(version);
  const out: Record<string | symbol, unknown> = {
    AcceptRanges: "bytes",
    Expiration: expirationHeader(bucket, version),
    LastModified: new Date(version.lastModified),
    ContentLength: length,
    ETag: version.etag,
    VersionId: readVersionId(bucket, version),
    CacheControl: input.ResponseCacheControl ?? h.CacheControl,
    ContentDisposition: input.ResponseContentDisposition ?? h.ContentDisposition,
    ContentEncoding: input.ResponseContentEncoding ?? h.ContentEncoding,
    ContentLanguage: input.ResponseContentLanguage ?? h.ContentLanguage,
    ContentType: input.ResponseContentType ?? h.ContentType,
    Expires: input.ResponseExpires !== undefined ? new Date(input.ResponseExpires).toUTCString() : h.Expires,
    WebsiteRedirectLocation: h.WebsiteRedirectLocation,
    Metadata: version.metadata && Object.keys(version.metadata).length ? version.metadata : undefined,
    StorageClass: version.storageClass,
    TagCount: version.tags?.length ? version.tags.length : undefined,
    PartsCount: partsCount,
    ObjectLockMode: version.objectLock?.mode,
    ObjectLockRetainUntilDate: version.objectLock?.retainUntil !== undefined ? new Date(version.objectLock.retainUntil) : undefined,
    ObjectLockLegalHoldStatus: version.objectLock?.legalHold,
    Restore: version.restore ? `ongoing-request="false", expiry-date="${new Date(version.restore.expiry).toUTCString()}"` : undefined,
  };
  // Object.assign, not spreads at the end of the literal: those cost microseconds per call on V8.
  if (version.encryption) Object.assign(out, encryptionOutput(version.encryption));
  if (!range || input.PartNumber !== undefined) Object.assign(out, checksumOutput(partChecksum(version, input.PartNumber), input.ChecksumMode));
  if (range || input.PartNumber !== undefined) {
    if (range) out.ContentRange = `bytes ${range.start}-${range.end}/${version.size}`;
    out[HTTP_STATUS] = 206;
  }
  if (method === "GET") out.Body = length === 0 ? new Uint8Array(0) : length <= SMALL_BODY ? await readBody(ctx, version, length, range) : openBody(ctx, version, range);
  return out;
}

/** Bodies up to this size are answered as bytes: a stream costs more than the copy. */
const SMALL_BODY = 64 * 1024;

function partChecksum(version: ObjectVersion, partNumber: number | undefined): StoredChecksum | undefined {
  if (partNumber === undefined || !version.parts) return version.checksum;
  return version.parts[partNumber - 1]?.checksum;
}

// ---------------------------------------------------------------------------------------------
// Copy


/** Copies a version's bytes into a new blob, computing MD5 and a checksum as they stream. */
async function copyBody(ctx: RequestContext, bucket: string, source: ObjectVersion, algorithm: StoredChecksum["algorithm"]) {
  const digestMd5 = createDigest("MD5");
  const digest = createDigest(algorithm);
  const hashing = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      digestMd5.update(chunk);
      digest.update(chunk);
      controller.enqueue(chunk);
    },
  });
  const stored = await storeObjectBody(ctx, bucket, openBody(ctx, source).pipeThrough(hashing));
  const md5Hex = bytesToHex(await digestMd5.digest());
  const checksum: StoredChecksum = { algorithm, value: bytesToBase64(await digest.digest()), type: "FULL_OBJECT" };
  return { stored, md5Hex, checksum };
}

async function copyObject(input: InputOf<Ops, "CopyObject">, ctx: RequestContext) {
  const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
  checkKey(input.Key);
  const src = parseCopySource(String(input.CopySource));
  const srcBucket = await requireBucket(ctx, src.bucket);
  if (input.ExpectedSourceBucketOwner !== undefined && input.ExpectedSourceBucketOwner !== srcBucket.owner) {
    throw new AwsError("AccessDenied", "Access Denied", 403);
  }
  const source = await findVersion(ctx, srcBucket.name, src.key, src.versionId);
  if (!source) throw src.versionId !== undefined ? noSuchVersion(src.key, src.versionId) : noSuchKey(src.key);
  if (source.deleteMarker) {
    if (src.versionId !== undefined) throw invalidRequest("The source of a copy request may not specifically refer to a delete marker by version id.");
    throw noSuchKey(src.key);
  }
  checkCustomerKey(source, input.CopySourceSSECustomerKey);
  checkCopySourceConditions(source, input);
  await unsealForRead(ctx, srcBucket.name, source);
  if (ARCHIVED.has(source.storageClass ?? "")) {
    throw new AwsError("InvalidObjectState", "The source object of the COPY action is not in the active tier and is only stored in Amazon S3 Glacier.", 403, { fields: { StorageClass: source.storageClass } });
  }
  if (source.size > MAX_OBJECT_SIZE) {
    throw invalidRequest(`The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_OBJECT_SIZE}`);
  }
  const metadataDirective = input.MetadataDirective ?? "COPY";
  if (metadataDirective !== "COPY" && metadataDirective !== "REPLACE") throw invalidArgument("Unknown metadata directive.", "x-amz-metadata-directive", metadataDirective);
  const taggingDirective = input.TaggingDirective ?? "COPY";
  if (taggingDirective !== "COPY" && taggingDirective !== "REPLACE") throw invalidArgument("Unknown tagging directive.", "x-amz-tagging-directive", taggingDirective);
  const storageClass = checkStorageClass(input.StorageClass);
  // Copying an older version onto its own key restores it (allowed); only the current one is "itself".
  const sameKey = srcBucket.name === bucket.name && src.key === input.Key;
  const sameObject = sameKey && (src.versionId === undefined || (await findVersion(ctx, bucket.name, src.key))?.versionId === source.versionId);
  if (sameObject && metadataDirective === "COPY" && input.StorageClass === undefined && input.WebsiteRedirectLocation === undefined &&
      input.ServerSideEncryption === undefined && input.SSECustomerAlgorithm === undefined && input.SSEKMSKeyId === undefined) {
    throw invalidRequest("This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
  }
  checkAclAllowed(bucket.config, input);
  const requested = input.ChecksumAlgorithm !== undefined ? parseAlgorithm(input.ChecksumAlgorithm) : undefined;
  if (input.ChecksumAlgorithm !== undefined && !requested) throw unsupportedAlgorithm();
  const algorithm = requested ?? source.checksum?.algorithm ?? "CRC64NVME";
  const replace = metadataDirective === "REPLACE";
  const tags = taggingDirective === "REPLACE" ? parseTaggingHeader(input.Tagging ?? "") : source.tags;
  const condition = writeCondition(input);
  const encryption = await encryptionFor(ctx, bucket, input.Key, input);
  const copied = await copyBody(ctx, bucket.name, source, algorithm);
  const init: NewObject = {
    key: input.Key,
    owner: ctx.accountId,
    size: copied.stored.data?.length ?? copied.stored.body[0]!.size,
    etag: `"${copied.md5Hex}"`,
    ...copied.stored,
    checksum: copied.checksum,
    headers: replace ? standardHeaders(input) : { ...source.headers, WebsiteRedirectLocation: input.WebsiteRedirectLocation ?? headersOf(source).WebsiteRedirectLocation },
    metadata: replace ? checkMetadata(input.Metadata) : source.metadata,
    storageClass: input.StorageClass !== undefined ? storageClass : sameObject ? source.storageClass : undefined,
    encryption,
    tags: tags?.length ? tags : undefined,
    objectLock: objectLockFrom(input, bucket, ctx.clock.now()),
  };
  const version = await writeObject(ctx, bucket, init, condition);
  notify(ctx, bucket, "ObjectCreated:Copy", version);
  return {
    CopyObjectResult: {
      ETag: version.etag,
      LastModified: new Date(version.lastModified),
      ...checksumMembers(version.checksum),
    },
    Expiration: expirationHeader(bucket, version),
    CopySourceVersionId: srcBucket.versioning ? source.versionId : undefined,
    VersionId: bucket.versioning === "Enabled" ? version.versionId : undefined,
    ...encryptionOutput(version.encryption, true),
  };
}

// ---------------------------------------------------------------------------------------------
// Handlers

export const objectHandlers: Handlers<Ops> = {
  async PutObject(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    checkKey(input.Key);
    const headers = bodyHeaders(input, ctx.request);
    const declared = Number(headers.get("x-amz-decoded-content-length") ?? headers.get("content-length") ?? 0);
    if (declared > MAX_OBJECT_SIZE) {
      throw new AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed object size.", 400, { fields: { ProposedSize: String(declared), MaxSizeAllowed: String(MAX_OBJECT_SIZE) } });
    }
    if (input.WriteOffsetBytes !== undefined) throw notImplementedHeader("x-amz-write-offset-bytes");
    const storageClass = checkStorageClass(input.StorageClass);
    const metadata = checkMetadata(input.Metadata);
    const tags = parseTaggingHeader(input.Tagging);
    checkAclAllowed(bucket.config, input);
    const acl = aclForNewObject(input, ctx.accountId, bucket.owner);
    const encryption = await encryptionFor(ctx, bucket, input.Key, input);
    const condition = writeCondition(input);
    const upload = prepareUpload(headers, input.Body ?? null);
    let stored;
    try {
      stored = await storeObjectBody(ctx, bucket.name, upload.stream);
    } catch (e) {
      throw await upload.result.then(() => e, (err) => err);
    }
    let digest;
    try {
      digest = await upload.result;
    } catch (e) {
      await deleteBodies(ctx, stored.body);
      throw e;
    }
    const version = await writeObject(ctx, bucket, {
      key: input.Key,
      owner: ctx.accountId,
      size: digest.size,
      etag: digest.etag,
      ...stored,
      checksum: digest.checksum,
      headers: { ...standardHeaders(input), ContentEncoding: storedContentEncoding(input.ContentEncoding) },
      metadata,
      storageClass,
      encryption,
      tags: tags?.length ? tags : undefined,
      acl,
      objectLock: objectLockFrom(input, bucket, ctx.clock.now()),
    }, condition);
    notify(ctx, bucket, "ObjectCreated:Put", version);
    return {
      ETag: version.etag,
      Expiration: expirationHeader(bucket, version),
      VersionId: bucket.versioning === "Enabled" ? version.versionId : undefined,
      ...encryptionOutput(version.encryption, true),
      ...(digest.checksumRequested ? checksumMembers(version.checksum) : {}),
    };
  },

  GetObject: (input, ctx) => readObject(input, ctx, "GET"),
  HeadObject: (input, ctx) => readObject(input, ctx, "HEAD"),

  async DeleteObject(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    const condition = input.IfMatch !== undefined ? { ifMatch: input.IfMatch } : undefined;
    await checkLockedDelete(ctx, bucket, input.Key, input.VersionId, input.BypassGovernanceRetention === true);
    const result = await deleteObject(ctx, bucket, input.Key, input.VersionId, condition);
    notifyRemoved(ctx, bucket, input.Key, result);
    return {
      DeleteMarker: result.deleteMarker ? true : undefined,
      VersionId: result.versionId,
    };
  },

  async DeleteObjects(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    const objects: { Key?: string; VersionId?: string }[] = input.Delete?.Objects ?? [];
    if (!input.Delete || objects.length === 0 || objects.length > 1000) throw malformedXml();
    const quiet = input.Delete.Quiet === true;
    const deleted: Record<string, unknown>[] = [];
    const errors: Record<string, unknown>[] = [];
    for (const obj of objects) {
      const key = obj.Key ?? "";
      try {
        await checkLockedDelete(ctx, bucket, key, obj.VersionId, input.BypassGovernanceRetention === true);
        const result = await deleteObject(ctx, bucket, key, obj.VersionId);
        notifyRemoved(ctx, bucket, key, result);
        if (quiet) continue;
        if (obj.VersionId !== undefined) {
          deleted.push({ Key: key, VersionId: obj.VersionId, ...(result.deleteMarker ? { DeleteMarker: true, DeleteMarkerVersionId: obj.VersionId } : {}) });
        } else if (result.deleteMarker) {
          deleted.push({ Key: key, DeleteMarker: true, DeleteMarkerVersionId: result.versionId });
        } else {
          deleted.push({ Key: key });
        }
      } catch (e) {
        if (!(e instanceof AwsError)) throw e;
        const code = e.code === "InvalidArgument" && obj.VersionId !== undefined ? "NoSuchVersion" : e.code;
        const message = code === "NoSuchVersion" ? "The specified version does not exist." : e.message;
        errors.push({ Key: key, VersionId: obj.VersionId, Code: code, Message: message });
      }
    }
    return { Deleted: deleted.length ? deleted : undefined, Errors: errors.length ? errors : undefined };
  },

  CopyObject: (input, ctx) => copyObject(input, ctx),

  async GetObjectAttributes(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    const wanted = new Set<string>((input.ObjectAttributes ?? []).map((a: string) => a.trim()));
    if (wanted.size === 0) throw invalidArgument("Invalid attribute name specified.", "x-amz-object-attributes", "");
    const version = await versionForRead(ctx, bucket, input.Key, input.VersionId, "GET");
    checkCustomerKey(version, input.SSECustomerKey);
    const out: Record<string, unknown> = {
      LastModified: new Date(version.lastModified),
      VersionId: readVersionId(bucket, version),
    };
    if (wanted.has("ETag")) out.ETag = version.etag.replace(/^"|"$/g, "");
    if (wanted.has("Checksum") && version.checksum) out.Checksum = checksumMembers(version.checksum);
    if (wanted.has("StorageClass")) out.StorageClass = version.storageClass ?? "STANDARD";
    if (wanted.has("ObjectSize")) out.ObjectSize = version.size;
    if (wanted.has("ObjectParts") && version.parts) {
      const marker = Number(input.PartNumberMarker ?? 0);
      const max = Number(input.MaxParts ?? 1000);
      const after = version.parts.filter((p) => p.partNumber > marker);
      const page = after.slice(0, max);
      out.ObjectParts = {
        TotalPartsCount: version.parts.length,
        PartNumberMarker: marker,
        NextPartNumberMarker: page.length ? page[page.length - 1]!.partNumber : marker,
        MaxParts: max,
        IsTruncated: after.length > page.length,
        Parts: page.map((p) => ({ PartNumber: p.partNumber, Size: p.size, ...(p.checksum ? { [checksumMemberName(p.checksum.algorithm)]: p.checksum.value } : {}) })),
      };
    }
    return out;
  },

  async GetObjectTagging(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    const version = await versionForRead(ctx, bucket, input.Key, input.VersionId, "GET");
    return { VersionId: readVersionId(bucket, version), TagSet: version.tags ?? [] };
  },

  async PutObjectTagging(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    const tags = checkTags(input.Tagging?.TagSet ?? [], 10);
    await versionForRead(ctx, bucket, input.Key, input.VersionId, "PUT");
    const updated = await updateVersion(ctx, bucket.name, input.Key, input.VersionId, (v) => ({ ...v, tags: tags.length ? tags : undefined }));
    if (!updated) throw input.VersionId !== undefined ? noSuchVersion(input.Key, input.VersionId) : noSuchKey(input.Key);
    return { VersionId: readVersionId(bucket, updated) };
  },

  async DeleteObjectTagging(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    await versionForRead(ctx, bucket, input.Key, input.VersionId, "DELETE");
    const updated = await updateVersion(ctx, bucket.name, input.Key, input.VersionId, (v) => {
      const { tags: _tags, ...rest } = v;
      return rest;
    });
    if (!updated) throw input.VersionId !== undefined ? noSuchVersion(input.Key, input.VersionId) : noSuchKey(input.Key);
    return { VersionId: readVersionId(bucket, updated) };
  },

  async GetObjectAcl(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    const version = await versionForRead(ctx, bucket, input.Key, input.VersionId, "GET");
    const acl = (version.acl as { Owner: S3.Owner; Grants: S3.Grant[] } | undefined) ?? cannedAcl("private", version.owner);
    return { Owner: acl.Owner, Grants: acl.Grants };
  },

  async PutObjectAcl(input, ctx) {
    const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
    checkAclAllowed(bucket.config, input);
    const version = await versionForRead(ctx, bucket, input.Key, input.VersionId, "PUT");
    const acl = aclFromRequest(input, version.owner, bucket.owner);
    await updateVersion(ctx, bucket.name, input.Key, input.VersionId, (v) => ({ ...v, acl }));
    return {};
  },
};

export type { Tag };
