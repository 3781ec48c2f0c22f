/**
 * Read preconditions and byte ranges, as S3 evaluates them.
 *
 * GET/HEAD (RFC 7232 order, as S3): If-Match false → 412; else If-Unmodified-Since false
 * (unless If-Match was true) → 412; If-None-Match false → 304; else If-Modified-Since false
 * (unless If-None-Match was given) → 304. Times compare at whole seconds (Last-Modified's
 * precision). Copy-source conditions use the same rules but every failure is 412.
 *
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html, RFC 7233.
 */
import { AwsError } from "../../protocol/errors.ts";
import { clampHttpRange, type ByteRange } from "../../util/byte-range.ts";
import { preconditionFailed } from "./errors.ts";
import { etagMatches, type ObjectVersion } from "./object-store.ts";

export interface ReadConditions {
  IfMatch?: string;
  IfNoneMatch?: string;
  IfModifiedSince?: Date;
  IfUnmodifiedSince?: Date;
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** Throws 412 PreconditionFailed or 304 NotModified (bodyless) when a condition fails. */
export function checkReadConditions(version: ObjectVersion, c: ReadConditions): void {
  const modified = seconds(version.lastModified);
  const matched = c.IfMatch !== undefined ? etagMatches(c.IfMatch, version.etag) : undefined;
  if (matched === false) throw preconditionFailed("If-Match");
  if (matched === undefined && c.IfUnmodifiedSince && modified > seconds(c.IfUnmodifiedSince.getTime())) {
    throw preconditionFailed("If-Unmodified-Since");
  }
  const noneMatched = c.IfNoneMatch !== undefined ? !etagMatches(c.IfNoneMatch, version.etag) : undefined;
  if (noneMatched === false) throw notModified(version);
  if (noneMatched === undefined && c.IfModifiedSince && modified <= seconds(c.IfModifiedSince.getTime())) {
    throw notModified(version);
  }
}

function notModified(version: ObjectVersion): AwsError {
  return new AwsError("NotModified", "Not Modified", 304, {
    headers: { ETag: version.etag, "Last-Modified": new Date(version.lastModified).toUTCString() },
  });
}

export interface CopySourceConditions {
  CopySourceIfMatch?: string;
  CopySourceIfNoneMatch?: string;
  CopySourceIfModifiedSince?: Date;
  CopySourceIfUnmodifiedSince?: Date;
}

/** x-amz-copy-source-if-*: every failure is 412 PreconditionFailed. */
export function checkCopySourceConditions(version: ObjectVersion, c: CopySourceConditions): void {
  const modified = seconds(version.lastModified);
  const matched = c.CopySourceIfMatch !== undefined ? etagMatches(c.CopySourceIfMatch, version.etag) : undefined;
  if (matched === false) throw preconditionFailed("x-amz-copy-source-If-Match");
  if (matched === undefined && c.CopySourceIfUnmodifiedSince && modified > seconds(c.CopySourceIfUnmodifiedSince.getTime())) {
    throw preconditionFailed("x-amz-copy-source-If-Unmodified-Since");
  }
  const noneMatched = c.CopySourceIfNoneMatch !== undefined ? !etagMatches(c.CopySourceIfNoneMatch, version.etag) : undefined;
  if (noneMatched === false) throw preconditionFailed("x-amz-copy-source-If-None-Match");
  if (noneMatched === undefined && c.CopySourceIfModifiedSince && modified <= seconds(c.CopySourceIfModifiedSince.getTime())) {
    throw preconditionFailed("x-amz-copy-source-If-Modified-Since");
  }
}

export type { ByteRange };

/**
 * Resolves a Range header against `size`: undefined when absent or not a single well-formed
 * byte range (S3 then serves the whole object); 416 InvalidRange when unsatisfiable.
 */
export function resolveRange(header: string | undefined, size: number): ByteRange | undefined {
  if (header === undefined) return undefined;
  const range = clampHttpRange(header, size);
  if (range === "unsatisfiable") throw invalidRange(header, size);
  return range;
}

export function invalidRange(requested: string, size: number): AwsError {
  return new AwsError("InvalidRange", "The requested range is not satisfiable", 416, {
    fields: { RangeRequested: requested, ActualObjectSize: String(size) },
    headers: { "Content-Range": `bytes */${size}` },
  });
}
