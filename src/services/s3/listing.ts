/**
 * ListObjects (v1), ListObjectsV2 and ListObjectVersions over the key-ordered heads of
 * object-store.ts (the store orders strings by UTF-8 bytes, which is S3's order).
 *
 * Delimiter grouping: a key with the delimiter after the prefix rolls up into a CommonPrefix
 * (counted once toward max-keys). A page resumes after its last key or prefix; a CommonPrefix
 * at or before the resume point is not repeated. `encoding-type=url` percent-encodes keys,
 * prefixes, delimiters and markers as S3 does (space as `+`, `/` kept), which botocore undoes.
 *
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html,
 * API_ListObjects.html, API_ListObjectVersions.html
 */
import { compareStrings } from "../../store/keys.ts";
import type { Handlers, InputOf, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/s3.ts";
import { requireBucket, type BucketRecord } from "./bucket-store.ts";
import { ownerOf } from "./acl.ts";
import { invalidArgument } from "./errors.ts";
import { headOf, headPrefix, versionPrefix, type ObjectHead, type ObjectVersion } from "./object-store.ts";
import { encodePageToken, pageTokenField } from "../../encoding/page-token.ts";
import { keyEncoder } from "./url-encoding.ts";

const DEFAULT_MAX_KEYS = 1000;

function maxKeysOf(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_KEYS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw invalidArgument("Argument maxKeys must be an integer between 0 and 2147483647", "maxKeys", String(value));
  return Math.min(n, DEFAULT_MAX_KEYS);
}


/** Current heads of `bucket` with keys starting with `prefix`, strictly after `after` (or from `from` on). */
async function* headsFrom(ctx: RequestContext, bucket: string, prefix: string, after: string | undefined, from?: string): AsyncGenerator<ObjectHead> {
  const base = headPrefix(bucket);
  if (from === undefined) from = after !== undefined && compareStrings(after, prefix) >= 0 ? after : prefix;
  else if (compareStrings(from, prefix) < 0) from = prefix;
  for await (const entry of ctx.globalStore.list<Parameters<typeof headOf>[0]>({ prefix: base, start: [...base, from] })) {
    const key = entry.key[2] as string;
    if (!key.startsWith(prefix)) {
      if (compareStrings(key, prefix) > 0) return;
      continue;
    }
    if (after !== undefined && compareStrings(key, after) <= 0) continue;
    yield headOf(entry.value)!;
  }
}

/** The CommonPrefix a key rolls up into, if any. */
function commonPrefixOf(key: string, prefix: string, delimiter: string | undefined): string | undefined {
  if (!delimiter) return undefined;
  const at = key.indexOf(delimiter, prefix.length);
  return at === -1 ? undefined : key.slice(0, at + delimiter.length);
}

interface Page {
  contents: ObjectVersion[];
  prefixes: string[];
  truncated: boolean;
  /** Last key or prefix returned (resume point). */
  last?: string;
}

/** One page of current objects (delete markers skipped). */
async function listCurrent(ctx: RequestContext, bucket: string, prefix: string, delimiter: string | undefined, after: string | undefined, max: number): Promise<Page> {
  const page: Page = { contents: [], prefixes: [], truncated: false };
  let lastPrefix: string | undefined;
  for await (const head of headsFrom(ctx, bucket, prefix, after)) {
    const v = head.current;
    if (v.deleteMarker) continue;
    const cp = commonPrefixOf(v.key, prefix, delimiter);
    if (cp !== undefined) {
      if (cp === lastPrefix || (after !== undefined && compareStrings(cp, after) <= 0)) continue;
      if (page.contents.length + page.prefixes.length >= max) {
        page.truncated = true;
        break;
      }
      page.prefixes.push(cp);
      lastPrefix = cp;
      page.last = cp;
      continue;
    }
    if (page.contents.length + page.prefixes.length >= max) {
      page.truncated = true;
      break;
    }
    page.contents.push(v);
    page.last = v.key;
  }
  return page;
}

function contentEntry(v: ObjectVersion, enc: (s: string) => string, owner: boolean, restoreStatus = false) {
  return {
    Key: enc(v.key),
    LastModified: new Date(v.lastModified),
    ETag: v.etag,
    ...(v.checksum ? { ChecksumAlgorithm: [v.checksum.algorithm], ChecksumType: v.checksum.type } : {}),
    Size: v.size,
    StorageClass: v.storageClass ?? "STANDARD",
    ...(owner ? { Owner: ownerOf(v.owner) } : {}),
    ...(restoreStatus && v.restore ? { RestoreStatus: { IsRestoreInProgress: false, RestoreExpiryDate: new Date(v.restore.expiry) } } : {}),
  };
}

function encodeToken(after: string): string {
  return encodePageToken({ a: after });
}

function decodeToken(token: string): string {
  const after = pageTokenField(token, "a");
  if (after === undefined) throw invalidArgument("The continuation token provided is incorrect", "continuation-token", token);
  return after;
}

function emptyToUndefined(s: string | undefined): string | undefined {
  return s === "" ? undefined : s;
}

async function listV2(input: InputOf<Ops, "ListObjectsV2">, ctx: RequestContext) {
  const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
  const enc = keyEncoder(input.EncodingType);
  const url = input.EncodingType !== undefined;
  const max = maxKeysOf(input.MaxKeys);
  const prefix: string = input.Prefix ?? "";
  const delimiter = emptyToUndefined(input.Delimiter);
  let after: string | undefined = input.StartAfter || undefined;
  if (input.ContinuationToken !== undefined) {
    const resume = decodeToken(input.ContinuationToken);
    if (after === undefined || compareStrings(resume, after) > 0) after = resume;
  }
  const page = await listCurrent(ctx, bucket.name, prefix, delimiter, after, max);
  return {
    IsTruncated: page.truncated,
    Contents: page.contents.length ? page.contents.map((v) => contentEntry(v, enc, input.FetchOwner === true, (input.OptionalObjectAttributes ?? []).includes("RestoreStatus"))) : undefined,
    Name: bucket.name,
    Prefix: enc(prefix),
    Delimiter: input.Delimiter !== undefined ? enc(input.Delimiter) : undefined,
    MaxKeys: max,
    CommonPrefixes: page.prefixes.length ? page.prefixes.map((p) => ({ Prefix: enc(p) })) : undefined,
    EncodingType: url ? ("url" as const) : undefined,
    KeyCount: page.contents.length + page.prefixes.length,
    ContinuationToken: input.ContinuationToken,
    NextContinuationToken: page.truncated && page.last !== undefined ? encodeToken(page.last) : undefined,
    StartAfter: input.StartAfter !== undefined ? enc(input.StartAfter) : undefined,
  };
}

async function listV1(input: InputOf<Ops, "ListObjects">, ctx: RequestContext) {
  const bucket = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
  const enc = keyEncoder(input.EncodingType);
  const url = input.EncodingType !== undefined;
  const max = maxKeysOf(input.MaxKeys);
  const prefix: string = input.Prefix ?? "";
  const delimiter = emptyToUndefined(input.Delimiter);
  const marker: string | undefined = input.Marker || undefined;
  const page = await listCurrent(ctx, bucket.name, prefix, delimiter, marker, max);
  return {
    IsTruncated: page.truncated,
    Marker: enc(input.Marker ?? ""),
    // S3 sends NextMarker only when a delimiter was given; clients use the last key otherwise.
    NextMarker: page.truncated && delimiter !== undefined && page.last !== undefined ? enc(page.last) : undefined,
    Contents: page.contents.length ? page.contents.map((v) => contentEntry(v, enc, true)) : undefined,
    Name: bucket.name,
    Prefix: enc(prefix),
    Delimiter: input.Delimiter !== undefined ? enc(input.Delimiter) : undefined,
    MaxKeys: max,
    CommonPrefixes: page.prefixes.length ? page.prefixes.map((p) => ({ Prefix: enc(p) })) : undefined,
    EncodingType: url ? ("url" as const) : undefined,
  };
}

/** Every version of one key, newest first. */
async function* versionsOf(ctx: RequestContext, bucket: string, head: ObjectHead): AsyncGenerator<ObjectVersion> {
  yield head.current;
  for await (const e of ctx.globalStore.list<ObjectVersion>({ prefix: versionPrefix(bucket, head.current.key) })) yield e.value;
}

async function listVersions(input: InputOf<Ops, "ListObjectVersions">, ctx: RequestContext) {
  const bucket: BucketRecord = await requireBucket(ctx, input.Bucket, input.ExpectedBucketOwner);
  const enc = keyEncoder(input.EncodingType);
  const url = input.EncodingType !== undefined;
  const max = maxKeysOf(input.MaxKeys);
  const prefix: string = input.Prefix ?? "";
  const delimiter = emptyToUndefined(input.Delimiter);
  const keyMarker: string | undefined = input.KeyMarker || undefined;
  const versionIdMarker: string | undefined = input.VersionIdMarker || undefined;
  if (versionIdMarker !== undefined && keyMarker === undefined) {
    throw invalidArgument("A version-id marker cannot be specified without a key marker.", "version-id-marker", versionIdMarker);
  }
  const versions: Record<string, unknown>[] = [];
  const markers: Record<string, unknown>[] = [];
  const prefixes: string[] = [];
  let count = 0;
  let truncated = false;
  let nextKey: string | undefined;
  let nextVersion: string | undefined;
  let lastPrefix: string | undefined;

  // With a version-id marker the marker key itself is resumed (its versions after the marker).
  const start = versionIdMarker !== undefined ? keyMarker! : undefined;
  const scan = start !== undefined ? headsFrom(ctx, bucket.name, prefix, undefined, start) : headsFrom(ctx, bucket.name, prefix, keyMarker);
  outer: for await (const head of scan) {
    const key = head.current.key;
    const cp = commonPrefixOf(key, prefix, delimiter);
    if (cp !== undefined) {
      if (cp === lastPrefix || (keyMarker !== undefined && compareStrings(cp, keyMarker) <= 0)) continue;
      if (count >= max) {
        truncated = true;
        break;
      }
      prefixes.push(cp);
      lastPrefix = cp;
      count++;
      nextKey = cp;
      nextVersion = undefined;
      continue;
    }
    let skipping = start !== undefined && key === start;
    let first = true;
    for await (const v of versionsOf(ctx, bucket.name, head)) {
      const isLatest = first;
      first = false;
      if (skipping) {
        if (v.versionId === versionIdMarker) skipping = false;
        continue;
      }
      if (count >= max) {
        truncated = true;
        break outer;
      }
      const entry = {
        Key: enc(v.key),
        VersionId: v.versionId,
        IsLatest: isLatest,
        LastModified: new Date(v.lastModified),
        Owner: ownerOf(v.owner),
      };
      if (v.deleteMarker) markers.push(entry);
      else {
        versions.push({
          ETag: v.etag,
          ...(v.checksum ? { ChecksumAlgorithm: [v.checksum.algorithm], ChecksumType: v.checksum.type } : {}),
          Size: v.size,
          StorageClass: v.storageClass ?? "STANDARD",
          ...entry,
        });
      }
      count++;
      nextKey = v.key;
      nextVersion = v.versionId;
    }
  }
  return {
    IsTruncated: truncated,
    KeyMarker: enc(input.KeyMarker ?? ""),
    VersionIdMarker: input.VersionIdMarker ?? "",
    NextKeyMarker: truncated && nextKey !== undefined ? enc(nextKey) : undefined,
    NextVersionIdMarker: truncated && nextVersion !== undefined ? nextVersion : undefined,
    Versions: versions.length ? versions : undefined,
    DeleteMarkers: markers.length ? markers : undefined,
    Name: bucket.name,
    Prefix: enc(prefix),
    Delimiter: input.Delimiter !== undefined ? enc(input.Delimiter) : undefined,
    MaxKeys: max,
    CommonPrefixes: prefixes.length ? prefixes.map((p) => ({ Prefix: enc(p) })) : undefined,
    EncodingType: url ? ("url" as const) : undefined,
  };
}

export const listingHandlers: Handlers<Ops> = {
  ListObjectsV2: listV2,
  ListObjects: listV1,
  ListObjectVersions: listVersions,
};
