/**
 * `x-amz-copy-source` for CopyObject and UploadPartCopy: parsing (`bucket/key[?versionId=]`,
 * URL-encoded, optional leading `/`, or an access point ARN which fetchstack does not serve),
 * the source lookup and `x-amz-copy-source-range` (the `x-amz-copy-source-if-*` conditions
 * are in conditions.ts).
 *
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/API/API_UploadPartCopy.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";
import { requireBucket } from "./bucket-store.ts";
import { findVersion, type ObjectVersion } from "./object-store.ts";

export interface CopySource {
  bucket: string;
  key: string;
  versionId?: string;
}

function invalidCopySource(header: string): AwsError {
  return new AwsError("InvalidArgument", "Invalid copy source object key", 400, { fields: { ArgumentName: "x-amz-copy-source", ArgumentValue: header } });
}

/** Parses the header value; InvalidArgument when it names no bucket and key. */
export function parseCopySource(header: string): CopySource {
  let text = header.trim();
  let versionId: string | undefined;
  const q = text.indexOf("?");
  if (q !== -1) {
    const params = new URLSearchParams(text.slice(q + 1));
    versionId = params.get("versionId") ?? undefined;
    text = text.slice(0, q);
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(text);
  } catch {
    throw invalidCopySource(header);
  }
  if (decoded.startsWith("/")) decoded = decoded.slice(1);
  const slash = decoded.indexOf("/");
  if (slash <= 0 || slash === decoded.length - 1) throw invalidCopySource(header);
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), ...(versionId !== undefined ? { versionId } : {}) };
}

/** The source version to copy: NoSuchBucket / NoSuchKey / NoSuchVersion / InvalidRequest as S3. */
export async function resolveCopySource(ctx: RequestContext, source: CopySource): Promise<ObjectVersion> {
  await requireBucket(ctx, source.bucket);
  const version = await findVersion(ctx, source.bucket, source.key, source.versionId);
  if (!version) {
    if (source.versionId !== undefined) {
      throw new AwsError("NoSuchVersion", "The specified version does not exist.", 404, { fields: { Key: source.key, VersionId: source.versionId } });
    }
    throw new AwsError("NoSuchKey", "The specified key does not exist.", 404, { fields: { Key: source.key } });
  }
  if (version.deleteMarker) {
    if (source.versionId !== undefined) {
      throw new AwsError("InvalidRequest", "The source of a copy request may not specifically refer to a delete marker by version id.", 400);
    }
    throw new AwsError("NoSuchKey", "The specified key does not exist.", 404, { fields: { Key: source.key } });
  }
  return version;
}

/**
 * `bytes=first-last` (both required, inclusive) within an object of `size` bytes; undefined
 * for the whole object.
 */
export function parseCopySourceRange(header: string | undefined, size: number): { start: number; end: number } | undefined {
  if (header === undefined) return undefined;
  const m = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  if (!m || Number(m[1]) > Number(m[2])) {
    throw new AwsError(
      "InvalidArgument",
      "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy",
      400,
      { fields: { ArgumentName: "x-amz-copy-source-range", ArgumentValue: header } },
    );
  }
  const start = Number(m[1]), end = Number(m[2]);
  if (end >= size) {
    throw new AwsError("InvalidRange", "The requested range is not satisfiable", 416, { fields: { RangeRequested: header, ActualObjectSize: size } });
  }
  return { start, end };
}
