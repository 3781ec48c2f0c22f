/**
 * The S3 object data model: object versions in `ctx.globalStore`, bodies in the service's
 * global BlobStore, streamed in and out (a body is never held whole in memory by this module).
 *
 * Keys (all in `ctx.globalStore`, i.e. `["s3", "global", ...]`):
 *
 *   ["o", bucket, key]              the key's current version (which may be a delete marker) with
 *                                   the key's counters `lastSeq`/`nullSeq` in the same record
 *                                   (older records nest it: `{ current, lastSeq, nullSeq }`; read
 *                                   either with `headOf`). One entry per key, so listing a bucket
 *                                   is one ordered scan (UTF-8 byte order).
 *   ["v", bucket, key, rank]        a noncurrent ObjectVersion; rank = RANK_BASE - seq so a key's
 *                                   versions list newest first, as ListObjectVersions returns them.
 *
 * Every write to a key (put, delete, delete marker, metadata change) runs under
 * `withLock("s3:<bucket>/<key>")` and commits its keys in one atomic batch checked on the
 * head's versionstamp, so racing writers serialize and conditional writes have one winner; a
 * commit lost to another process sharing the store is re-read and retried. Storage sends no
 * event notifications: the handler that wrote or deleted names the event (notifications.ts).
 *
 * Version ids: `"null"` for the null version (unversioned or suspended buckets); otherwise 32
 * characters whose first 8 encode the key's sequence number (base 36), so a version is found
 * with one read. The head records which seq holds the null version (`nullSeq`).
 *
 * Bodies: a body of up to `INLINE_MAX` bytes written by PutObject or CopyObject is kept in the
 * version record itself (`data`): for small objects a blob costs more than its bytes (a second
 * store entry, two keys). Otherwise a version's bytes are the concatenation of its segments (one
 * blob for a PutObject or a copy, stored as `blob`; one blob per part for a completed multipart
 * upload, stored as `body`, so completing needs no copy); `segmentsOf` lists them, `openBody`
 * and `readBody` read either kind. Blob keys are 22 random
 * base64url characters (older records hold `<bucket>/<uuid>`); a version's blobs are deleted
 * when the version is.
 *
 * Records are small (docs/s3-data-model.md): every stored version and head is built by
 * `storedRecord`, one object literal naming the common fields in one order (so they share one V8
 * hidden class, fields in the object itself; absent ones are `undefined`, which JSON snapshots
 * omit), rarer fields appended in a fixed order; empty `headers`/`metadata` are left out
 * (`headersOf` reads either shape).
 *
 * For the multipart engineer: store parts with `storeBody(ctx, bucket, stream)` (or your own
 * stream through `bucketBlobs(ctx).put(newBlobKey(bucket), …)`), then on completion call
 * `writeObject(ctx, bucketRecord, { key, body: partSegments, size, etag, parts, ... })`; it
 * assigns the version id by the bucket's versioning state and deletes the replaced version's
 * blobs. Blobs of parts left out of the completed object are yours to delete.
 *
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/versioning-workflows.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/DeletingObjectVersions.html
 */
import { AwsError } from "../../protocol/errors.ts";
import { withLock } from "../../store/mutex.ts";
import { flatString } from "../../store/keys.ts";
import type { BlobStore, Key } from "../../store/types.ts";
import type { RequestContext } from "../types.ts";
import type { BucketRecord } from "./bucket-store.ts";
import type { StoredChecksum } from "./checksums.ts";
import type * as S3 from "../../generated/s3.ts";


/** One stored blob of a version's body, in order. */
export interface BodySegment {
  blob: string;
  size: number;
}

/** A part of an object created by multipart upload (GetObject `partNumber`, GetObjectAttributes). */
export interface PartInfo {
  partNumber: number;
  size: number;
  etag?: string;
  /** The part's checksum (algorithm of the upload, base64). */
  checksum?: StoredChecksum;
}

/** Standard headers stored with an object and returned by GET/HEAD. */
export interface StoredHeaders {
  ContentType?: string;
  ContentEncoding?: string;
  ContentDisposition?: string;
  ContentLanguage?: string;
  CacheControl?: string;
  /** As the client sent it (the model types it as a string). */
  Expires?: string;
  WebsiteRedirectLocation?: string;
}

/** Server-side encryption facts echoed on PUT/GET/HEAD. */
export interface StoredEncryption {
  ServerSideEncryption?: S3.ServerSideEncryption;
  SSEKMSKeyId?: string;
  SSEKMSEncryptionContext?: string;
  BucketKeyEnabled?: boolean;
  SSECustomerAlgorithm?: string;
  SSECustomerKeyMD5?: string;
  /** SSE-KMS: the data key KMS generated for the object, encrypted under the key (base64). */
  kmsDataKey?: string;
}

export interface ObjectVersion {
  key: string;
  /** `"null"` for the null version. */
  versionId: string;
  /** Per-key sequence number (increasing); orders versions. */
  seq: number;
  deleteMarker?: boolean;
  /** Epoch ms. */
  lastModified: number;
  /** Account id of the writer. */
  owner: string;
  size: number;
  /** Quoted, as on the wire: `"<md5 hex>"` or `"<hex>-<parts>"`. */
  etag: string;
  /** The body when it is one blob of `size` bytes: that blob's key. Read bodies with `openBody`/`readBody`. */
  blob?: string;
  /** The body itself when it is small (`INLINE_MAX`); never modified once stored. */
  data?: Uint8Array;
  /** The body's blobs in order when it is several (multipart; records written before `blob` existed hold any body here). */
  body?: BodySegment[];
  parts?: PartInfo[];
  /** The object's checksum (S3 keeps one: full-object, or composite `…-N` for multipart). */
  checksum?: StoredChecksum;
  /** Absent when the object has none (read with `headersOf`). */
  headers?: StoredHeaders;
  /** User metadata (`x-amz-meta-*`), names lower-cased. Absent when there is none. */
  metadata?: Record<string, string>;
  /** Absent means STANDARD (S3 omits the header for STANDARD). */
  storageClass?: S3.StorageClass;
  encryption?: StoredEncryption;
  tags?: { Key: string; Value: string }[];
  /** Stored AccessControlPolicy (Grants, Owner) when an ACL was set. */
  acl?: unknown;
  objectLock?: { mode?: string; retainUntil?: number; legalHold?: string };
  /** A restored copy of an archived (GLACIER, DEEP_ARCHIVE) object, readable until `expiry` (epoch ms). */
  restore?: { expiry: number };
}

/** What a writer supplies; `writeObject` fills in versionId, seq, lastModified and compacts the rest. */
export type NewObject = Omit<ObjectVersion, "versionId" | "seq" | "lastModified" | "deleteMarker" | "blob" | "body" | "headers" | "metadata"> & {
  body: BodySegment[];
  headers?: StoredHeaders;
  metadata?: Record<string, string>;
};

/** A version's blobs in order, with their sizes (none when the body is inline or empty). */
export function segmentsOf(version: ObjectVersion): readonly BodySegment[] {
  return version.blob !== undefined ? [{ blob: version.blob, size: version.size }] : version.body ?? [];
}

const NO_HEADERS: StoredHeaders = Object.freeze({});

/** A version's standard headers (an empty object when it has none). */
export function headersOf(version: ObjectVersion): StoredHeaders {
  return version.headers ?? NO_HEADERS;
}

const HEADER_NAMES = ["ContentType", "ContentEncoding", "ContentDisposition", "ContentLanguage", "CacheControl", "Expires", "WebsiteRedirectLocation"] as const;

/** Content types common enough to share one string between records (a header's value is a fresh string per request). */
const COMMON_TYPES = new Map<string, string>(
  ["application/octet-stream", "binary/octet-stream", "application/json", "application/xml", "application/x-www-form-urlencoded",
    "application/zip", "application/gzip", "application/pdf", "text/plain", "text/plain; charset=utf-8", "text/html", "text/css",
    "text/csv", "text/javascript", "image/png", "image/jpeg", "image/gif", "image/svg+xml", "image/webp"].map((t) => [t, t]),
);

/** The headers that are set, in one order; undefined when none is. */
function compactHeaders(headers: StoredHeaders | undefined): StoredHeaders | undefined {
  if (!headers) return undefined;
  let count = 0;
  for (const name of HEADER_NAMES) if (headers[name] !== undefined) count++;
  if (count === 0) return undefined;
  const type = headers.ContentType !== undefined ? COMMON_TYPES.get(headers.ContentType) ?? headers.ContentType : undefined;
  // The usual case as a one-field literal (32 bytes; `{}` plus a field is 56).
  if (count === 1 && type !== undefined) return { ContentType: type };
  const out: StoredHeaders = {};
  for (const name of HEADER_NAMES) if (headers[name] !== undefined) out[name] = name === "ContentType" ? type : headers[name];
  return out;
}

/** SSE-S3 with nothing else, the default encryption of every object: one shared record. */
const SSE_S3: StoredEncryption = Object.freeze({ ServerSideEncryption: "AES256" });

function compactEncryption(e: StoredEncryption | undefined): StoredEncryption | undefined {
  if (!e) return undefined;
  let defined = 0;
  for (const k in e) if ((e as Record<string, unknown>)[k] !== undefined) defined++;
  return defined === 1 && e.ServerSideEncryption === "AES256" ? SSE_S3 : e;
}

type VersionFields = Omit<ObjectVersion, "body" | "blob"> & { body?: readonly BodySegment[]; blob?: string };

/**
 * The stored form of a version: the fields most versions have, in one literal (one hidden class
 * for all of them, fields in the object itself: 8 bytes each), then the rarer ones, only when
 * set and always in the same order (so records with the same extras share a hidden class too).
 * A one-blob body becomes `blob`; empty headers and metadata are left out.
 */
export function storedVersion(v: VersionFields): ObjectVersion {
  return storedRecord(v, undefined, undefined);
}

/** A version with a head's counters (`lastSeq` set: a head record; unset: a version record). */
function storedRecord(v: VersionFields, lastSeq: number | undefined, nullSeq: number | undefined): HeadRecord {
  const segments = v.blob !== undefined ? undefined : v.body ?? [];
  const single = segments?.length === 1 && segments[0]!.size === v.size ? segments[0]!.blob : undefined;
  const out: HeadRecord = {
    key: v.key,
    versionId: v.versionId,
    seq: v.seq,
    lastModified: v.lastModified,
    owner: v.owner,
    size: v.size,
    etag: v.etag,
    blob: v.blob ?? single,
    data: v.data,
    checksum: v.checksum && { algorithm: v.checksum.algorithm, value: v.checksum.value, type: v.checksum.type },
    headers: compactHeaders(v.headers),
    encryption: compactEncryption(v.encryption),
    lastSeq,
    nullSeq,
  };
  if (v.deleteMarker) out.deleteMarker = true;
  if (single === undefined && segments?.length) out.body = segments.map((s) => ({ blob: s.blob, size: s.size }));
  if (v.parts !== undefined) out.parts = v.parts;
  if (v.metadata && Object.keys(v.metadata).length > 0) out.metadata = v.metadata;
  if (v.storageClass !== undefined) out.storageClass = v.storageClass;
  if (v.tags !== undefined) out.tags = v.tags;
  if (v.acl !== undefined) out.acl = v.acl;
  if (v.objectLock !== undefined) out.objectLock = v.objectLock;
  if (v.restore !== undefined) out.restore = v.restore;
  return out;
}

/** A key's current version and counters, as read (`headOf`). */
export interface ObjectHead {
  current: ObjectVersion;
  /** Highest seq ever used for this key. */
  lastSeq: number;
  /** Seq of the null version, if the key has one. */
  nullSeq?: number;
}

/**
 * What `["o", bucket, key]` holds: the current version's fields and the key's counters in one
 * record (a version record has them undefined), not a head object nesting the version (48 B more
 * per key). Records written before this are `ObjectHead`s.
 */
type HeadRecord = ObjectVersion & { lastSeq?: number; nullSeq?: number };

/** The stored head record of `current`. */
function storedHead(current: VersionFields, lastSeq: number, nullSeq: number | undefined): HeadRecord {
  return storedRecord(current, lastSeq, nullSeq);
}

/** Reads what `["o", bucket, key]` holds, in either shape. */
export function headOf(value: HeadRecord | ObjectHead | null | undefined): ObjectHead | null {
  if (!value) return null;
  if ("current" in value) return value;
  return { current: value, lastSeq: value.lastSeq!, nullSeq: value.nullSeq };
}

const RANK_BASE = Number.MAX_SAFE_INTEGER;

export const headKey = (bucket: string, key: string): Key => ["o", bucket, key];
export const versionKey = (bucket: string, key: string, seq: number): Key => ["v", bucket, key, RANK_BASE - seq];
/** Prefix of every current-version entry of a bucket (for listing). */
export const headPrefix = (bucket: string): Key => ["o", bucket];
/** Prefix of the noncurrent versions of one key, newest first. */
export const versionPrefix = (bucket: string, key: string): Key => ["v", bucket, key];

const lockName = (bucket: string, key: string) => `s3:${bucket}/${key}`;

/** A commit lost to a writer outside this process (a shared Deno KV or Durable Object store). */
class WriteConflict extends Error {}

/**
 * Runs `fn` under the key's in-process lock; when its checked commit loses to another process,
 * re-reads and runs it again (so conditions are re-evaluated against the winner's write).
 */
async function lockedRetry<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return withLock(name, async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (e) {
        if (!(e instanceof WriteConflict) || attempt >= 8) throw e;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * (attempt + 1)));
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Bodies

/** The BlobStore holding object bodies (shared by every account and region, like buckets). */
export function bucketBlobs(ctx: RequestContext): BlobStore {
  return ctx.globalBlobs ?? ctx.blobs;
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/**
 * A fresh blob key for a body in `bucket`: 22 random base64url characters (132 bits). Short, as
 * it is held twice per object for the object's lifetime (in the version record and as the blob
 * store's key); blob keys are opaque, so the bucket is not part of it.
 */
export function newBlobKey(_bucket: string): string {
  const random = crypto.getRandomValues(new Uint8Array(22));
  let out = "";
  for (const b of random) out += BASE64URL[b & 63];
  // Flat: the key is kept in the version record for the object's lifetime (see flatString).
  return flatString(out);
}

/** Streams `body` into a new blob of `bucket`. */
export async function storeBody(ctx: RequestContext, bucket: string, body: ReadableStream<Uint8Array> | Uint8Array): Promise<BodySegment> {
  const blob = newBlobKey(bucket);
  const { size } = await bucketBlobs(ctx).put(blob, body);
  return { blob, size };
}

/** Bodies up to this many bytes are stored in the version record (PutObject, CopyObject). */
export const INLINE_MAX = 4096;

/**
 * Stores an object's body: in the record (`data`) when it ends within `INLINE_MAX` bytes, else
 * streamed into a new blob (the bytes read so far first). Returns the `NewObject` body fields.
 */
export async function storeObjectBody(ctx: RequestContext, bucket: string, body: ReadableStream<Uint8Array>): Promise<{ body: BodySegment[]; data?: Uint8Array }> {
  const reader = body.getReader();
  const head: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let next: ReadableStreamReadResult<Uint8Array>;
    try {
      next = await reader.read();
    } catch (e) {
      reader.releaseLock();
      throw e;
    }
    if (next.done) {
      reader.releaseLock();
      // An exact-length buffer of its own: a stream's chunk may be a view of a larger one.
      const data = new Uint8Array(size);
      let offset = 0;
      for (const chunk of head) data.set(chunk, offset), (offset += chunk.length);
      return { body: [], data };
    }
    head.push(next.value);
    size += next.value.length;
    if (size > INLINE_MAX) break;
  }
  let index = 0;
  const rest = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (index < head.length) return controller.enqueue(head[index++]!);
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel: (reason) => reader.cancel(reason),
  });
  return { body: [await storeBody(ctx, bucket, rest)] };
}

/** Deletes the blobs of the given segments (best effort: a missing blob is not an error). */
export async function deleteBodies(ctx: RequestContext, segments: readonly BodySegment[]): Promise<void> {
  const blobs = bucketBlobs(ctx);
  for (const s of segments) await blobs.delete(s.blob);
}

/**
 * Streams bytes `[start, end]` (inclusive; the whole body by default) of a version's body,
 * reading its segments one after another.
 */
/**
 * A small body (or range) in one buffer: the blob store's `read` when it has one and the body is
 * one segment, else the stream gathered. For S3 GETs of a few KiB, where a stream costs more
 * than the bytes.
 */
export async function readBody(ctx: RequestContext, version: ObjectVersion, length: number, range?: { start: number; end: number }): Promise<Uint8Array> {
  if (version.data) return version.data.slice(range?.start ?? 0, (range?.end ?? version.size - 1) + 1);
  const blobs = bucketBlobs(ctx);
  const segments = segmentsOf(version).filter((seg) => seg.size > 0);
  if (blobs.read && segments.length === 1) {
    const bytes = await blobs.read(segments[0]!.blob, { start: range?.start ?? 0, end: range?.end ?? version.size - 1 });
    if (bytes) return bytes;
  }
  const out = new Uint8Array(length);
  let offset = 0;
  const reader = openBody(ctx, version, range).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    out.set(value, offset);
    offset += value.length;
  }
  return offset === length ? out : out.subarray(0, offset);
}

export function openBody(ctx: RequestContext, version: ObjectVersion, range?: { start: number; end: number }): ReadableStream<Uint8Array> {
  const blobs = bucketBlobs(ctx);
  const start = range?.start ?? 0;
  const end = range?.end ?? version.size - 1;
  const data = version.data;
  if (data) {
    // A copy: the stored bytes must not be handed to a consumer that could transfer them.
    return new ReadableStream<Uint8Array>({
      start(controller) {
        if (start <= end) controller.enqueue(data.slice(start, end + 1));
        controller.close();
      },
    });
  }
  // Segments that overlap [start, end], with the range inside each.
  const pieces: { blob: string; start: number; end: number }[] = [];
  let offset = 0;
  for (const seg of segmentsOf(version)) {
    const segStart = offset, segEnd = offset + seg.size - 1;
    offset += seg.size;
    if (seg.size === 0 || segEnd < start || segStart > end) continue;
    pieces.push({ blob: seg.blob, start: Math.max(start, segStart) - segStart, end: Math.min(end, segEnd) - segStart });
  }
  let index = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      for (;;) {
        if (!reader) {
          const piece = pieces[index++];
          if (!piece) return controller.close();
          const stream = await blobs.get(piece.blob, { start: piece.start, end: piece.end });
          if (!stream) {
            controller.error(new Error(`blob ${piece.blob} is missing`));
            return;
          }
          reader = stream.getReader();
        }
        const { done, value } = await reader.read();
        if (done) {
          reader = null;
          continue;
        }
        controller.enqueue(value);
        return;
      }
    },
    async cancel(reason) {
      await reader?.cancel(reason);
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Version ids

const ID_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz._";

function newVersionId(seq: number): string {
  const random = crypto.getRandomValues(new Uint8Array(24));
  let out = seq.toString(36).padStart(8, "0");
  for (const b of random) out += ID_ALPHABET[b % ID_ALPHABET.length];
  return out;
}

/** The seq a version id names, or null if it is not one of ours. */
function seqOf(versionId: string): number | null {
  if (versionId.length !== 32 || !/^[0-9a-z]{8}[0-9A-Za-z._]{24}$/.test(versionId)) return null;
  const seq = parseInt(versionId.slice(0, 8), 36);
  return Number.isSafeInteger(seq) && seq > 0 ? seq : null;
}

/** S3's answer to a malformed version id. */
export function invalidVersionId(versionId: string): AwsError {
  return new AwsError("InvalidArgument", "Invalid version id specified", 400, { fields: { ArgumentName: "versionId", ArgumentValue: versionId } });
}

/** Throws InvalidArgument unless `versionId` could name a version ("null" or one of ours). */
export function checkVersionId(versionId: string): void {
  if (versionId !== "null" && seqOf(versionId) === null) throw invalidVersionId(versionId);
}

// ---------------------------------------------------------------------------------------------
// Reads

export async function getHead(ctx: RequestContext, bucket: string, key: string): Promise<ObjectHead | null> {
  return headOf((await ctx.globalStore.get<HeadRecord | ObjectHead>(headKey(bucket, key))).value);
}

/**
 * The version `versionId` of `key` (the current one, possibly a delete marker, when omitted),
 * or null. Throws InvalidArgument for a malformed version id.
 */
export async function findVersion(ctx: RequestContext, bucket: string, key: string, versionId?: string): Promise<ObjectVersion | null> {
  if (versionId !== undefined) checkVersionId(versionId);
  const head = await getHead(ctx, bucket, key);
  if (!head) return null;
  if (versionId === undefined) return head.current;
  const seq = versionId === "null" ? head.nullSeq : seqOf(versionId);
  if (seq === undefined || seq === null) return null;
  if (head.current.seq === seq) return head.current.versionId === versionId ? head.current : null;
  const found = (await ctx.globalStore.get<ObjectVersion>(versionKey(bucket, key, seq))).value;
  return found && found.versionId === versionId ? found : null;
}

// ---------------------------------------------------------------------------------------------
// Writes

/** Checked atomically with a write (conditional writes). */
export interface WriteCondition {
  /** `*`: the key must have no current object. */
  ifNoneMatch?: string;
  /** The current object's ETag must match. */
  ifMatch?: string;
}

function preconditionFailed(condition: string): AwsError {
  return new AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412, { fields: { Condition: condition } });
}

/** Compares a quoted or bare ETag from a header list (`"a", "b"`, `*`) with a stored one. */
export function etagMatches(header: string, etag: string): boolean {
  const bare = etag.replace(/^"|"$/g, "");
  return header.split(",").some((item) => {
    const t = item.trim().replace(/^W\//, "").replace(/^"|"$/g, "");
    return t === "*" || t === bare;
  });
}

function checkWriteCondition(head: ObjectHead | null, condition: WriteCondition | undefined, key: string): void {
  if (!condition) return;
  const live = head && !head.current.deleteMarker ? head.current : null;
  if (condition.ifNoneMatch !== undefined && live) {
    throw preconditionFailed("If-None-Match");
  }
  if (condition.ifMatch !== undefined) {
    if (!live) throw new AwsError("NoSuchKey", "The specified key does not exist.", 404, { fields: { Key: key } });
    if (!etagMatches(condition.ifMatch, live.etag)) throw preconditionFailed("If-Match");
  }
}

interface Plan {
  head: ObjectHead | null;
  versionstamp: string | null;
}

async function readPlan(ctx: RequestContext, bucket: string, key: string): Promise<Plan> {
  const entry = await ctx.globalStore.get<HeadRecord | ObjectHead>(headKey(bucket, key));
  return { head: headOf(entry.value), versionstamp: entry.versionstamp };
}

/**
 * Makes `version` (seq and versionId already set) the key's current version, moving or
 * replacing the previous current version by the bucket's versioning state. Returns the stored
 * version and the blobs of versions that no longer exist (to delete after the commit).
 */
async function commitNewCurrent(ctx: RequestContext, bucket: string, plan: Plan, version: VersionFields): Promise<{ stored: ObjectVersion; dropped: BodySegment[] }> {
  const { head } = plan;
  const op = ctx.globalStore.atomic().check({ key: headKey(bucket, version.key), versionstamp: plan.versionstamp });
  const dropped: BodySegment[] = [];
  let nullSeq = head?.nullSeq;
  if (head) {
    const old = head.current;
    const replacesNull = version.versionId === "null" && head.nullSeq !== undefined;
    if (replacesNull && old.seq === head.nullSeq) {
      dropped.push(...segmentsOf(old));
    } else {
      if (replacesNull) {
        const oldNull = (await ctx.globalStore.get<ObjectVersion>(versionKey(bucket, version.key, head.nullSeq!))).value;
        if (oldNull) dropped.push(...segmentsOf(oldNull));
        op.delete(versionKey(bucket, version.key, head.nullSeq!));
      }
      // Rebuilt: a head record's counters do not belong in a version record.
      op.set(versionKey(bucket, version.key, old.seq), storedVersion(old));
    }
  }
  if (version.versionId === "null") nullSeq = version.seq;
  const stored = storedHead(version, version.seq, nullSeq);
  op.set(headKey(bucket, version.key), stored);
  const result = await op.commit();
  if (!result.ok) throw new WriteConflict();
  return { stored, dropped };
}

/** The version id a new version gets in `bucket`: fresh when versioning is Enabled, else "null". */
function versionIdFor(bucket: BucketRecord, seq: number): string {
  return bucket.versioning === "Enabled" ? newVersionId(seq) : "null";
}

/**
 * Writes a new object version (PutObject, CopyObject, CompleteMultipartUpload). Its body must
 * already be stored (`storeBody`). Checks `condition` atomically; on a failed condition the
 * new body's blobs are deleted and the S3 error is thrown. Returns the stored version.
 */
export async function writeObject(ctx: RequestContext, bucket: BucketRecord, init: NewObject, condition?: WriteCondition): Promise<ObjectVersion> {
  let dropped: BodySegment[] = [];
  let version: ObjectVersion;
  try {
    version = await lockedRetry(lockName(bucket.name, init.key), async () => {
      const plan = await readPlan(ctx, bucket.name, init.key);
      checkWriteCondition(plan.head, condition, init.key);
      const seq = (plan.head?.lastSeq ?? 0) + 1;
      // storedVersion, not `{ ...init, seq }`: V8 gives every object built by a spread plus new
      // keys a hidden class of its own (~0.5 KiB), which a stored version would keep forever.
      const committed = await commitNewCurrent(ctx, bucket.name, plan, { ...init, versionId: versionIdFor(bucket, seq), seq, lastModified: ctx.clock.now() });
      dropped = committed.dropped;
      return committed.stored;
    });
  } catch (e) {
    await deleteBodies(ctx, init.body);
    throw e;
  }
  await deleteBodies(ctx, dropped);
  return version;
}

export interface DeleteResult {
  /** The version id deleted, or of the delete marker created. */
  versionId?: string;
  /** True when a delete marker was created, or the version deleted was one. */
  deleteMarker: boolean;
  /** True when anything was removed or a marker created (what S3 sends an event for). */
  removed: boolean;
  /** True when a delete without a version id created a delete marker. */
  markerCreated: boolean;
}

/**
 * DeleteObject semantics. Without `versionId`: unversioned buckets drop the object; versioned
 * ones get a delete marker (id "null" when suspended, replacing the null version). With
 * `versionId`: that version is removed for good and, if it was current, the newest remaining
 * version becomes current. Deleting what does not exist succeeds, as on S3.
 */
export async function deleteObject(ctx: RequestContext, bucket: BucketRecord, key: string, versionId?: string, condition?: WriteCondition): Promise<DeleteResult> {
  if (versionId !== undefined) checkVersionId(versionId);
  let dropped: BodySegment[] = [];
  let removed = false;
  const result = await lockedRetry(lockName(bucket.name, key), async (): Promise<Omit<DeleteResult, "removed" | "markerCreated">> => {
    const plan = await readPlan(ctx, bucket.name, key);
    const { head } = plan;
    if (condition?.ifMatch !== undefined) checkWriteCondition(head, condition, key);
    if (versionId === undefined) {
      if (!bucket.versioning) {
        if (head) {
          const op = ctx.globalStore.atomic().check({ key: headKey(bucket.name, key), versionstamp: plan.versionstamp }).delete(headKey(bucket.name, key));
          if (!(await op.commit()).ok) throw new WriteConflict();
          dropped = [...segmentsOf(head.current)];
          removed = true;
        }
        return { deleteMarker: false };
      }
      const seq = (head?.lastSeq ?? 0) + 1;
      const marker: ObjectVersion = {
        key, versionId: versionIdFor(bucket, seq), seq, deleteMarker: true, lastModified: ctx.clock.now(),
        owner: ctx.accountId, size: 0, etag: "",
      };
      ({ dropped } = await commitNewCurrent(ctx, bucket.name, plan, marker));
      removed = true;
      return { versionId: marker.versionId, deleteMarker: true };
    }
    if (!head) return { versionId, deleteMarker: false };
    const seq = versionId === "null" ? head.nullSeq : seqOf(versionId);
    if (seq === undefined || seq === null) return { versionId, deleteMarker: false };
    const op = ctx.globalStore.atomic().check({ key: headKey(bucket.name, key), versionstamp: plan.versionstamp });
    let target: ObjectVersion | null;
    const nextNullSeq = versionId === "null" ? undefined : head.nullSeq;
    if (head.current.seq === seq) {
      target = head.current.versionId === versionId ? head.current : null;
      if (!target) return { versionId, deleteMarker: false };
      let promoted: { key: Key; value: ObjectVersion } | undefined;
      for await (const e of ctx.globalStore.list<ObjectVersion>({ prefix: versionPrefix(bucket.name, key) }, { limit: 1 })) promoted = e;
      if (promoted) {
        op.delete(promoted.key);
        op.set(headKey(bucket.name, key), storedHead(promoted.value, head.lastSeq, nextNullSeq));
      } else {
        op.delete(headKey(bucket.name, key));
      }
    } else {
      const entry = await ctx.globalStore.get<ObjectVersion>(versionKey(bucket.name, key, seq));
      target = entry.value && entry.value.versionId === versionId ? entry.value : null;
      if (!target) return { versionId, deleteMarker: false };
      op.delete(versionKey(bucket.name, key, seq));
      if (versionId === "null") op.set(headKey(bucket.name, key), storedHead(head.current, head.lastSeq, undefined));
    }
    if (!(await op.commit()).ok) throw new WriteConflict();
    dropped = [...segmentsOf(target)];
    removed = true;
    return { versionId, deleteMarker: !!target.deleteMarker };
  });
  await deleteBodies(ctx, dropped);
  return { ...result, removed, markerCreated: removed && versionId === undefined && result.deleteMarker };
}

/**
 * Replaces one version's record in place (tags, ACL, retention): `fn` gets the stored version
 * and returns the new one. Returns null when the version does not exist.
 */
export async function updateVersion(
  ctx: RequestContext,
  bucket: string,
  key: string,
  versionId: string | undefined,
  fn: (version: ObjectVersion) => ObjectVersion,
): Promise<ObjectVersion | null> {
  return lockedRetry(lockName(bucket, key), async () => {
    const plan = await readPlan(ctx, bucket, key);
    const version = await findVersion(ctx, bucket, key, versionId);
    if (!version || !plan.head) return null;
    const changed = fn(version);
    const op = ctx.globalStore.atomic().check({ key: headKey(bucket, key), versionstamp: plan.versionstamp });
    const next = plan.head.current.seq === version.seq ? storedHead(changed, plan.head.lastSeq, plan.head.nullSeq) : storedVersion(changed);
    op.set(plan.head.current.seq === version.seq ? headKey(bucket, key) : versionKey(bucket, key, version.seq), next);
    if (!(await op.commit()).ok) throw new WriteConflict();
    return next;
  });
}

/** True when the bucket holds any key (a current object or delete marker, hence any version). */
export async function bucketHasObjects(ctx: RequestContext, bucket: string): Promise<boolean> {
  for await (const _ of ctx.globalStore.list({ prefix: headPrefix(bucket) }, { limit: 1 })) return true;
  return false;
}
