/**
 * Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy,
 * CompleteMultipartUpload, AbortMultipartUpload, ListMultipartUploads, ListParts.
 *
 * Upload and part records, and their keys, are in `uploads.ts`.
 *
 * Parts stream into their own blobs as they arrive (concurrently, in any order; a re-sent
 * part number replaces the earlier part). Completion writes no bytes: the object's body is the
 * list of the chosen parts' blobs (a manifest, see object-store.ts `BodySegment`), its ETag the
 * MD5 of the parts' MD5s plus `-N`, and its checksum the COMPOSITE checksum of the part
 * checksums or the FULL_OBJECT CRC combined from the part CRCs. See docs/s3-multipart.md.
 *
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html
 * (and the other operations' pages), https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
import { AwsError } from "../../protocol/errors.ts";
import { withLock } from "../../store/mutex.ts";
import type { Key } from "../../store/types.ts";
import type { Handlers, InputOf, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/s3.ts";
import { requireBucket, type BucketRecord } from "./bucket-store.ts";
import {
  checksumMemberName,
  type ChecksumMember,
  combineCrcs,
  compositeChecksum,
  isWellFormedChecksum,
  multipartEtag,
  parseAlgorithm,
  supportedChecksumTypes,
  type ChecksumAlgorithm,
  type ChecksumType,
  type StoredChecksum,
} from "./checksums.ts";
import { parseCopySource, parseCopySourceRange, resolveCopySource } from "./copy-source.ts";
import { checkCopySourceConditions } from "./conditions.ts";
import { deleteBodies, getHead, openBody, storeBody, writeObject, etagMatches, type BodySegment, type PartInfo, type StoredHeaders } from "./object-store.ts";
import { aclForNewObject, ownerOf } from "./acl.ts";
import { checkKey } from "./objects.ts";
import { parseTaggingHeader } from "./tagging.ts";
import { accessControlListNotSupported, invalidRequest, malformedXml } from "./errors.ts";
import { notify } from "./notifications.ts";
import { encryptionFor, encryptionOutput, unsealForRead, unsealKey } from "./encryption.ts";
import {
  abortRuleFor, dropUpload, expiredByLifecycle, listPartRecords, newUploadId, noSuchUpload, partKey, partPrefix, requireUpload, uploadKey, uploadLock, uploadPrefix,
  type PartRecord, type UploadRecord,
} from "./uploads.ts";
import { bodyHeaders, prepareUpload, storedContentEncoding, unsupportedAlgorithm } from "./upload-body.ts";
import { keyEncoder } from "./url-encoding.ts";
import { encodeRfc3986Path } from "../../encoding/uri.ts";
import type * as S3 from "../../generated/s3.ts";

/** Smallest size of every part but the last (5 MiB). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;

function checkPartNumber(partNumber: unknown): number {
  const n = Number(partNumber);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER) {
    throw new AwsError("InvalidArgument", `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`, 400, {
      fields: { ArgumentName: "partNumber", ArgumentValue: String(partNumber) },
    });
  }
  return n;
}

/** The checksum output member (`ChecksumCRC32: ...`) for a checksum the client asked for. */
function checksumMember(checksum: StoredChecksum | undefined): Record<string, string> {
  return checksum ? { [checksumMemberName(checksum.algorithm)]: checksum.value } : {};
}


// ---------------------------------------------------------------------------------------------

async function createMultipartUpload(input: InputOf<Ops, "CreateMultipartUpload">, ctx: RequestContext) {
  const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
  checkKey(input.Key);
  const tags = parseTaggingHeader(input.Tagging);
  const hasGrants = (["GrantFullControl", "GrantRead", "GrantReadACP", "GrantWriteACP"] as const).some((m) => input[m] !== undefined);
  // A bucket with BucketOwnerEnforced ownership takes no object ACLs.
  const ownership = (bucket.config.ownershipControls as { Rules?: { ObjectOwnership?: string }[] } | undefined)?.Rules?.[0]?.ObjectOwnership;
  if (ownership === "BucketOwnerEnforced" && (hasGrants || (input.ACL !== undefined && input.ACL !== "private" && input.ACL !== "bucket-owner-full-control"))) {
    throw accessControlListNotSupported();
  }
  const acl = aclForNewObject(input, ctx.accountId, bucket.owner);
  let algorithm: ChecksumAlgorithm | undefined;
  if (input.ChecksumAlgorithm !== undefined) {
    algorithm = parseAlgorithm(input.ChecksumAlgorithm);
    if (!algorithm) throw unsupportedAlgorithm();
  }
  let checksumType: ChecksumType;
  if (input.ChecksumType !== undefined) {
    if (input.ChecksumType !== "COMPOSITE" && input.ChecksumType !== "FULL_OBJECT") {
      throw invalidRequest("Value for x-amz-checksum-type header is invalid.");
    }
    if (!algorithm) throw invalidRequest("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.");
    if (!supportedChecksumTypes(algorithm).includes(input.ChecksumType)) {
      throw invalidRequest(`The ${input.ChecksumType} checksum type cannot be used with the ${algorithm.toLowerCase()} checksum algorithm.`);
    }
    checksumType = input.ChecksumType;
  } else {
    checksumType = algorithm ? supportedChecksumTypes(algorithm)[0]! : "FULL_OBJECT";
  }
  const now = ctx.clock.now();
  const headers: StoredHeaders = {};
  for (const m of ["ContentType", "ContentDisposition", "ContentLanguage", "CacheControl", "WebsiteRedirectLocation"] as const) {
    if (input[m] !== undefined) headers[m] = input[m];
  }
  const encoding = storedContentEncoding(input.ContentEncoding);
  if (encoding !== undefined) headers.ContentEncoding = encoding;
  if (input.Expires !== undefined) (headers as Record<string, unknown>).Expires = input.Expires;
  const upload: UploadRecord = {
    uploadId: newUploadId(now),
    bucket: bucket.name,
    key: input.Key,
    initiated: now,
    owner: ctx.accountId,
    ...(algorithm ? { algorithm } : {}),
    checksumType,
    headers,
    metadata: Object.fromEntries(Object.entries((input.Metadata ?? {}) as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v])),
    ...(input.StorageClass && input.StorageClass !== "STANDARD" ? { storageClass: input.StorageClass } : {}),
    encryption: await encryptionFor(ctx, bucket, input.Key, input),
    ...(tags?.length ? { tags } : {}),
    ...(acl ? { acl } : {}),
  };
  await ctx.globalStore.set(uploadKey(bucket.name, upload.key, upload.uploadId), upload);
  const abort = abortRuleFor(bucket, upload.key, now);
  return {
    ...(abort ? { AbortDate: new Date(abort.date), AbortRuleId: abort.ruleId } : {}),
    Bucket: bucket.name,
    Key: upload.key,
    UploadId: upload.uploadId,
    ...(algorithm ? { ChecksumAlgorithm: algorithm, ChecksumType: checksumType } : {}),
    ...encryptionOutput(upload.encryption, true),
  };
}

/** Records a part whose bytes are stored, replacing (and deleting) an earlier same-numbered part. */
async function commitPart(ctx: RequestContext, upload: UploadRecord, part: PartRecord): Promise<void> {
  const replaced = await withLock(uploadLock(upload.uploadId), async () => {
    const still = (await ctx.globalStore.get(uploadKey(upload.bucket, upload.key, upload.uploadId))).value;
    if (!still) return "gone" as const;
    const previous = (await ctx.globalStore.get<PartRecord>(partKey(upload.uploadId, part.partNumber))).value;
    await ctx.globalStore.set(partKey(upload.uploadId, part.partNumber), part);
    return previous;
  });
  if (replaced === "gone") {
    await deleteBodies(ctx, [part]);
    throw noSuchUpload(upload.uploadId);
  }
  if (replaced) await deleteBodies(ctx, [replaced]);
}

async function uploadPart(input: InputOf<Ops, "UploadPart">, ctx: RequestContext) {
  const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
  const partNumber = checkPartNumber(input.PartNumber);
  const upload = await requireUpload(ctx, bucket.name, input.Key, input.UploadId, bucket);
  await unsealKey(ctx, upload.bucket, upload.key, upload.encryption);
  const body = input.Body instanceof ReadableStream || input.Body instanceof Uint8Array ? input.Body : null;
  const { stream, result } = prepareUpload(bodyHeaders(input, ctx.request), body, { algorithm: upload.algorithm, type: upload.checksumType });
  let segment: BodySegment;
  try {
    segment = await storeBody(ctx, upload.bucket, stream);
  } catch (e) {
    await result.catch(() => {});
    throw e;
  }
  let digest;
  try {
    digest = await result;
  } catch (e) {
    await deleteBodies(ctx, [segment]);
    throw e;
  }
  await commitPart(ctx, upload, {
    partNumber,
    blob: segment.blob,
    size: segment.size,
    etag: digest.etag,
    lastModified: ctx.clock.now(),
    checksum: digest.checksum,
  });
  return {
    ETag: digest.etag,
    ...(upload.algorithm || digest.checksumRequested ? checksumMember(digest.checksum) : {}),
    ...encryptionOutput(upload.encryption),
  };
}

async function uploadPartCopy(input: InputOf<Ops, "UploadPartCopy">, ctx: RequestContext) {
  const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
  const partNumber = checkPartNumber(input.PartNumber);
  const upload = await requireUpload(ctx, bucket.name, input.Key, input.UploadId, bucket);
  const source = parseCopySource(input.CopySource);
  const version = await resolveCopySource(ctx, source);
  checkCopySourceConditions(version, input);
  await unsealForRead(ctx, source.bucket, version);
  await unsealKey(ctx, upload.bucket, upload.key, upload.encryption);
  const range = parseCopySourceRange(input.CopySourceRange, version.size);
  const size = range ? range.end - range.start + 1 : version.size;
  const { stream, result } = prepareUpload(new Headers({ "content-length": String(size) }), openBody(ctx, version, range), {
    algorithm: upload.algorithm,
    type: upload.checksumType,
  });
  const segment = await storeBody(ctx, upload.bucket, stream);
  const digest = await result;
  const now = ctx.clock.now();
  await commitPart(ctx, upload, { partNumber, blob: segment.blob, size: segment.size, etag: digest.etag, lastModified: now, checksum: digest.checksum });
  return {
    ...(source.versionId !== undefined || version.versionId !== "null" ? { CopySourceVersionId: version.versionId } : {}),
    CopyPartResult: { ETag: digest.etag, LastModified: new Date(now), ...(upload.algorithm ? checksumMember(digest.checksum) : {}) },
    ...encryptionOutput(upload.encryption),
  };
}

function invalidPart(uploadId: string, part: S3.CompletedPart): AwsError {
  return new AwsError(
    "InvalidPart",
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    400,
    { fields: { UploadId: uploadId, PartNumber: part.PartNumber, ETag: part.ETag } },
  );
}

/** The checksum the client sent for the whole object (header), if any. */
function requestedObjectChecksum(input: { [K in ChecksumMember]?: string }): { algorithm: ChecksumAlgorithm; value: string } | undefined {
  for (const a of ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"] as const) {
    const v = input[checksumMemberName(a)];
    if (typeof v === "string") return { algorithm: a, value: v };
  }
  return undefined;
}

async function completeMultipartUpload(input: InputOf<Ops, "CompleteMultipartUpload">, ctx: RequestContext) {
  const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
  const uploadId: string = input.UploadId;
  const requested: S3.CompletedPart[] = input.MultipartUpload?.Parts ?? [];
  if (requested.length === 0) throw malformedXml();
  return withLock(uploadLock(uploadId), async () => {
    const upload = await requireUpload(ctx, bucket.name, input.Key, uploadId, bucket);
    if (input.ChecksumType !== undefined && input.ChecksumType !== upload.checksumType) {
      throw invalidRequest(`The upload was created using the ${upload.checksumType} checksum mode. The complete request must use the same checksum mode.`);
    }
    await unsealKey(ctx, upload.bucket, upload.key, upload.encryption);
    const stored = new Map((await listPartRecords(ctx, uploadId)).map((p) => [p.partNumber, p]));
    const chosen: PartRecord[] = [];
    let previous = 0;
    for (const part of requested) {
      if (part.PartNumber === undefined || part.ETag === undefined) throw malformedXml();
      if (part.PartNumber <= previous) {
        throw new AwsError("InvalidPartOrder", "The list of parts was not in ascending order. Parts must be ordered by part number.", 400, { fields: { UploadId: uploadId } });
      }
      previous = part.PartNumber;
      const record = stored.get(part.PartNumber);
      if (!record || !etagMatches(part.ETag, record.etag)) throw invalidPart(uploadId, part);
      if (upload.algorithm) {
        const sent = part[checksumMemberName(upload.algorithm)];
        if (sent === undefined && upload.checksumType === "COMPOSITE") {
          throw invalidRequest(`The upload was created using a ${upload.algorithm.toLowerCase()} checksum. The complete request must include the checksum for each part. It was missing for part ${part.PartNumber} in the request.`);
        }
        if (sent !== undefined && sent !== record.checksum.value) throw invalidPart(uploadId, part);
      }
      chosen.push(record);
    }
    for (let i = 0; i < chosen.length - 1; i++) {
      if (chosen[i]!.size < MIN_PART_SIZE) {
        throw new AwsError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed object size.", 400, {
          fields: { ProposedSize: chosen[i]!.size, MinSizeAllowed: MIN_PART_SIZE, PartNumber: chosen[i]!.partNumber, ETag: chosen[i]!.etag },
        });
      }
    }
    const size = chosen.reduce((n, p) => n + p.size, 0);
    if (input.MpuObjectSize !== undefined && Number(input.MpuObjectSize) !== size) {
      throw invalidRequest(`The provided 'x-amz-mp-object-size' header value ${input.MpuObjectSize} does not match what was computed: ${size}`);
    }

    const algorithm = upload.algorithm ?? "CRC64NVME";
    const partChecksums = chosen.map((p) => p.checksum);
    let checksum: StoredChecksum | undefined;
    if (partChecksums.every((c) => c.algorithm === algorithm)) {
      checksum = upload.checksumType === "COMPOSITE"
        ? { algorithm, type: "COMPOSITE", value: await compositeChecksum(algorithm, partChecksums.map((c) => c.value)) }
        : { algorithm, type: "FULL_OBJECT", value: combineCrcs(algorithm, chosen.map((p) => ({ checksum: p.checksum.value, size: p.size }))) };
    }
    const sentObject = requestedObjectChecksum(input);
    if (sentObject) {
      if (sentObject.algorithm !== algorithm || !upload.algorithm) {
        throw invalidRequest(`The upload was created using ${upload.algorithm ? `a ${upload.algorithm.toLowerCase()}` : "no"} checksum. The complete request must use the same checksum algorithm.`);
      }
      // COMPOSITE values may be sent with or without their `-N` suffix.
      const bare = sentObject.value.replace(/-\d+$/, "");
      if (!isWellFormedChecksum(algorithm, bare)) throw invalidRequest(`Value for x-amz-checksum-${algorithm.toLowerCase()} header is invalid.`);
      if (bare !== checksum?.value.replace(/-\d+$/, "")) {
        throw new AwsError("BadDigest", `The ${algorithm.toLowerCase()} you specified did not match the calculated checksum.`, 400);
      }
    }

    // A failed If-None-Match/If-Match leaves the upload in place, so check before writing.
    const head = await getHead(ctx, bucket.name, upload.key);
    const live = head && !head.current.deleteMarker ? head.current : null;
    if (input.IfNoneMatch !== undefined && live) {
      throw new AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412, { fields: { Condition: "If-None-Match" } });
    }
    if (input.IfMatch !== undefined) {
      if (!live) throw new AwsError("NoSuchKey", "The specified key does not exist.", 404, { fields: { Key: upload.key } });
      if (!etagMatches(input.IfMatch, live.etag)) {
        throw new AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412, { fields: { Condition: "If-Match" } });
      }
    }

    const etag = multipartEtag(chosen.map((p) => p.etag));
    const parts: PartInfo[] = chosen.map((p) => ({
      partNumber: p.partNumber,
      size: p.size,
      etag: p.etag,
      ...(upload.algorithm ? { checksum: p.checksum } : {}),
    }));
    const body = chosen.map((p) => ({ blob: p.blob, size: p.size }));
    const keep = new Set(body.map((b) => b.blob));
    let version;
    try {
      version = await writeObject(
        ctx,
        bucket as BucketRecord,
        {
          key: upload.key,
          owner: upload.owner,
          size,
          etag,
          body,
          parts,
          ...(checksum ? { checksum } : {}),
          headers: upload.headers,
          metadata: upload.metadata,
          ...(upload.storageClass ? { storageClass: upload.storageClass } : {}),
          ...(upload.encryption ? { encryption: upload.encryption } : {}),
          ...(upload.tags ? { tags: upload.tags } : {}),
          ...(upload.acl ? { acl: upload.acl } : {}),
        },
        { ...(input.IfNoneMatch !== undefined ? { ifNoneMatch: input.IfNoneMatch } : {}), ...(input.IfMatch !== undefined ? { ifMatch: input.IfMatch } : {}) },
      );
    } catch (e) {
      // writeObject deleted the chosen parts' blobs: the upload cannot be completed any more.
      await dropUpload(ctx, upload, [...stored.values()], keep);
      throw e;
    }
    await dropUpload(ctx, upload, [...stored.values()], keep);
    notify(ctx, bucket as BucketRecord, "ObjectCreated:CompleteMultipartUpload", version);
    const encodedKey = encodeRfc3986Path(upload.key);
    return {
      Location: `${ctx.baseUrl}/${bucket.name}/${encodedKey}`,
      Bucket: bucket.name,
      Key: upload.key,
      ETag: etag,
      ...(checksum ? { ...checksumMember(checksum), ChecksumType: checksum.type } : {}),
      ...(version.versionId !== "null" ? { VersionId: version.versionId } : {}),
      ...encryptionOutput(upload.encryption),
    };
  });
}

async function abortMultipartUpload(input: InputOf<Ops, "AbortMultipartUpload">, ctx: RequestContext) {
  const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
  await withLock(uploadLock(input.UploadId), async () => {
    const upload = await requireUpload(ctx, bucket.name, input.Key, input.UploadId, bucket);
    if (input.IfMatchInitiatedTime !== undefined) {
      const t = input.IfMatchInitiatedTime instanceof Date ? input.IfMatchInitiatedTime.getTime() : Number(input.IfMatchInitiatedTime);
      if (Math.floor(t / 1000) !== Math.floor(upload.initiated / 1000)) {
        throw new AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412, { fields: { Condition: "x-amz-if-match-initiated-time" } });
      }
    }
    await dropUpload(ctx, upload, await listPartRecords(ctx, upload.uploadId), new Set());
  });
  return {};
}

function maxOf(value: unknown, name: string, fallback = 1000): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    throw new AwsError("InvalidArgument", `Provided ${name} not an integer or within integer range`, 400, { fields: { ArgumentName: name, ArgumentValue: String(value) } });
  }
  return Math.min(n, 1000);
}

async function listMultipartUploads(input: InputOf<Ops, "ListMultipartUploads">, ctx: RequestContext) {
  const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
  const max = maxOf(input.MaxUploads, "max-uploads");
  const prefix: string = input.Prefix ?? "";
  const delimiter: string | undefined = input.Delimiter || undefined;
  const keyMarker: string | undefined = input.KeyMarker || undefined;
  const uploadIdMarker: string | undefined = keyMarker ? input.UploadIdMarker || undefined : undefined;
  const enc: string | undefined = input.EncodingType;
  const urlEncode = keyEncoder(enc);

  const uploads: UploadRecord[] = [];
  const prefixes: string[] = [];
  const now = ctx.clock.now();
  let truncated = false;
  let last: { key: string; uploadId?: string } | undefined;
  const selector = keyMarker !== undefined
    ? { prefix: uploadPrefix(bucket.name), start: uploadIdMarker !== undefined ? [...uploadPrefix(bucket.name), keyMarker, uploadIdMarker + "\u0000"] : [...uploadPrefix(bucket.name), keyMarker + "\u0000"] }
    : { prefix: uploadPrefix(bucket.name) };
  for await (const entry of ctx.globalStore.list<UploadRecord>(selector as { prefix: Key; start: Key })) {
    const u = entry.value;
    if (!u.key.startsWith(prefix)) continue;
    if (expiredByLifecycle(bucket, u, now)) continue;
    let common: string | undefined;
    if (delimiter) {
      const at = u.key.indexOf(delimiter, prefix.length);
      if (at !== -1) common = u.key.slice(0, at + delimiter.length);
    }
    if (common !== undefined && prefixes[prefixes.length - 1] === common) continue;
    if (common !== undefined && keyMarker !== undefined && common <= keyMarker) continue;
    if (uploads.length + prefixes.length >= max) {
      truncated = true;
      break;
    }
    if (common !== undefined) {
      prefixes.push(common);
      last = { key: common };
    } else {
      uploads.push(u);
      last = { key: u.key, uploadId: u.uploadId };
    }
  }
  return {
    Bucket: bucket.name,
    KeyMarker: urlEncode(keyMarker ?? ""),
    UploadIdMarker: uploadIdMarker ?? "",
    ...(truncated && last ? { NextKeyMarker: urlEncode(last.key), NextUploadIdMarker: last.uploadId ?? "" } : {}),
    ...(input.Prefix !== undefined ? { Prefix: urlEncode(prefix) } : {}),
    ...(delimiter ? { Delimiter: urlEncode(delimiter) } : {}),
    MaxUploads: max,
    IsTruncated: truncated,
    ...(uploads.length
      ? {
        Uploads: uploads.map((u) => ({
          UploadId: u.uploadId,
          Key: urlEncode(u.key),
          Initiated: new Date(u.initiated),
          StorageClass: u.storageClass ?? "STANDARD",
          Owner: ownerOf(u.owner),
          Initiator: ownerOf(u.owner),
          ...(u.algorithm ? { ChecksumAlgorithm: u.algorithm, ChecksumType: u.checksumType } : {}),
        })),
      }
      : {}),
    ...(prefixes.length ? { CommonPrefixes: prefixes.map((p) => ({ Prefix: urlEncode(p) })) } : {}),
    // keyEncoder refused anything but "url".
    ...(enc ? { EncodingType: enc as S3.EncodingType } : {}),
  };
}

async function listParts(input: InputOf<Ops, "ListParts">, ctx: RequestContext) {
  const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
  const upload = await requireUpload(ctx, bucket.name, input.Key, input.UploadId, bucket);
  const max = maxOf(input.MaxParts, "max-parts");
  const abort = abortRuleFor(bucket, upload.key, upload.initiated);
  const marker = input.PartNumberMarker === undefined ? 0 : Number(input.PartNumberMarker);
  if (!Number.isInteger(marker) || marker < 0) {
    throw new AwsError("InvalidArgument", "Provided part-number-marker not an integer or within integer range", 400, {
      fields: { ArgumentName: "part-number-marker", ArgumentValue: String(input.PartNumberMarker) },
    });
  }
  const parts: PartRecord[] = [];
  let truncated = false;
  for await (const e of ctx.globalStore.list<PartRecord>({ prefix: partPrefix(upload.uploadId), start: partKey(upload.uploadId, marker + 1) })) {
    if (parts.length >= max) {
      truncated = true;
      break;
    }
    parts.push(e.value);
  }
  return {
    ...(abort ? { AbortDate: new Date(abort.date), AbortRuleId: abort.ruleId } : {}),
    Bucket: bucket.name,
    Key: upload.key,
    UploadId: upload.uploadId,
    PartNumberMarker: marker,
    ...(parts.length ? { NextPartNumberMarker: parts[parts.length - 1]!.partNumber } : {}),
    MaxParts: max,
    IsTruncated: truncated,
    ...(parts.length
      ? {
        Parts: parts.map((p) => ({
          PartNumber: p.partNumber,
          LastModified: new Date(p.lastModified),
          ETag: p.etag,
          Size: p.size,
          ...(upload.algorithm ? checksumMember(p.checksum) : {}),
        })),
      }
      : {}),
    Initiator: ownerOf(upload.owner),
    Owner: ownerOf(upload.owner),
    StorageClass: upload.storageClass ?? "STANDARD",
    ...(upload.algorithm ? { ChecksumAlgorithm: upload.algorithm, ChecksumType: upload.checksumType } : {}),
  };
}

export const multipartHandlers: Handlers<Ops> = {
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListMultipartUploads: listMultipartUploads,
  ListParts: listParts,
};
