/**
 * Browser-based uploads: `POST /<bucket>` with a `multipart/form-data` body (the HTML form an
 * S3 POST policy signs). No model operation describes it, so `s3PreRoute` hands it here
 * before the codec.
 *
 * Fields: `key` (with `${filename}` replaced by the file's name), `file` (fields after it are
 * ignored, as S3 does), `policy` (base64 JSON: `expiration` and `conditions` — `{"field": v}`
 * and `["eq", "$field", v]` exact, `["starts-with", "$field", prefix]`, and
 * `["content-length-range", min, max]`; every form field must be covered by a condition),
 * Content-Type / Cache-Control / Content-Disposition / Content-Encoding / Expires,
 * `x-amz-meta-*`, `x-amz-storage-class`, `success_action_status` (200, 201 with a
 * `PostResponse` document, else 204) and `success_action_redirect` (303 to the URL with
 * `bucket`, `key` and `etag` appended). Signatures are not verified.
 *
 * The form is read as a stream (form-data.ts): the file goes straight into the BlobStore.
 *
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
 */
import { AwsError } from "../../protocol/errors.ts";
import { base64ToBytes } from "../../encoding/base64.ts";
import { escapeXmlText } from "../../protocol/xml.ts";
import type { RequestContext } from "../types.ts";
import { requireBucket } from "./bucket-store.ts";
import { deleteBodies, storeBody, writeObject, type StoredHeaders } from "./object-store.ts";
import { FormDataError, formBoundary, readFormUntilFile, type FormUntilFile } from "./form-data.ts";
import { prepareUpload } from "./upload-body.ts";
import { notify } from "./notifications.ts";
import { encryptionFor } from "./encryption.ts";
import { encodeRfc3986Path } from "../../encoding/uri.ts";
import type * as S3 from "../../generated/s3.ts";

/** Fields every policy may leave uncovered (signature material and the policy itself). */
const EXEMPT = new Set(["policy", "file", "x-amz-signature", "signature", "awsaccesskeyid", "x-amz-security-token"]);

const HEADER_FIELDS: [string, keyof StoredHeaders][] = [
  ["content-type", "ContentType"],
  ["cache-control", "CacheControl"],
  ["content-disposition", "ContentDisposition"],
  ["content-encoding", "ContentEncoding"],
  ["content-language", "ContentLanguage"],
  ["expires", "Expires"],
];

function policyDenied(detail: string): AwsError {
  return new AwsError("AccessDenied", `Invalid according to Policy: ${detail}`, 403);
}

function malformedPost(): AwsError {
  return new AwsError("MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.", 400);
}

function invalidPolicy(detail: string): AwsError {
  return new AwsError("InvalidPolicyDocument", `Invalid Policy: ${detail}`, 400);
}

/** True for a `multipart/form-data` POST to a bucket (not to a key, not a query sub-resource). */
export function isPostUpload(method: string, path: string, query: URLSearchParams, headers: Headers): boolean {
  if (method !== "POST" || [...query.keys()].length > 0) return false;
  if (!(headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) return false;
  return /^\/[^/]+\/?$/.test(path);
}

interface Policy {
  expiration?: string;
  conditions?: unknown[];
}

function readPolicy(text: string): Policy {
  const bytes = base64ToBytes(text.replace(/\s+/g, ""));
  if (typeof bytes === "string") throw invalidPolicy("Invalid Base64 encoding.");
  try {
    const parsed = JSON.parse(new TextDecoder().decode(bytes));
    if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error("not an object");
    return parsed as Policy;
  } catch {
    throw invalidPolicy("Invalid JSON.");
  }
}

/**
 * Checks the policy against the fields (names lower-cased); returns its content-length-range,
 * checked once the file's size is known (`checkContentLength`).
 */
export function checkPolicy(policy: Policy, fields: Map<string, string>, bucket: string, now: number): { min: number; max: number } | undefined {
  let range: { min: number; max: number } | undefined;
  if (typeof policy.expiration !== "string") throw invalidPolicy("Policy missing expiration.");
  const expires = Date.parse(policy.expiration);
  if (Number.isNaN(expires)) throw invalidPolicy(`Invalid 'expiration' value: '${policy.expiration}'`);
  if (now > expires) throw policyDenied("Policy expired.");
  if (!Array.isArray(policy.conditions)) throw invalidPolicy("Policy missing conditions.");
  const values = new Map(fields);
  values.set("bucket", bucket);
  const covered = new Set<string>();
  const show = (c: unknown) => JSON.stringify(c).replace(/,/g, ", ");
  for (const condition of policy.conditions) {
    if (Array.isArray(condition)) {
      const [op, a, b] = condition as [string, unknown, unknown];
      const operator = String(op).toLowerCase();
      if (operator === "content-length-range") {
        range = { min: Number(a), max: Number(b) };
        continue;
      }
      if (typeof a !== "string" || !a.startsWith("$")) throw invalidPolicy(`Invalid condition: ${show(condition)}`);
      const name = a.slice(1).toLowerCase();
      covered.add(name);
      const value = values.get(name) ?? "";
      const expected = String(b ?? "");
      if (operator === "eq") {
        if (value !== expected) throw policyDenied(`Policy Condition failed: ${show(condition)}`);
      } else if (operator === "starts-with") {
        // Content-Type may list several values; each must start with the prefix.
        const items = name === "content-type" ? value.split(",").map((v) => v.trim()) : [value];
        if (!items.every((v) => v.startsWith(expected))) throw policyDenied(`Policy Condition failed: ${show(condition)}`);
      } else {
        throw invalidPolicy(`Invalid condition: ${show(condition)}`);
      }
    } else if (condition && typeof condition === "object") {
      for (const [k, v] of Object.entries(condition as Record<string, unknown>)) {
        const name = k.toLowerCase();
        covered.add(name);
        if ((values.get(name) ?? "") !== String(v)) throw policyDenied(`Policy Condition failed: ${show(["eq", `$${k}`, v])}`);
      }
    } else {
      throw invalidPolicy(`Invalid condition: ${show(condition)}`);
    }
  }
  for (const name of fields.keys()) {
    if (EXEMPT.has(name) || name.startsWith("x-ignore-") || covered.has(name)) continue;
    throw policyDenied(`Extra input fields: ${name}`);
  }
  return range;
}

/** EntityTooLarge / EntityTooSmall when the file breaks the policy's content-length-range. */
export function checkContentLength(range: { min: number; max: number } | undefined, size: number): void {
  if (!range) return;
  if (size > range.max) {
    throw new AwsError("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size", 400, { fields: { ProposedSize: size, MaxSizeAllowed: range.max } });
  }
  if (size < range.min) {
    throw new AwsError("EntityTooSmall", "Your proposed upload is smaller than the minimum allowed size", 400, { fields: { ProposedSize: size, MinSizeAllowed: range.min } });
  }
}

/** Handles the POST upload; `bucketName` is the decoded first path segment. */
export async function handlePostUpload(requestHeaders: Headers, body: ReadableStream<Uint8Array> | null, bucketName: string, ctx: RequestContext): Promise<Response> {
  const bucket = await requireBucket(ctx, bucketName);
  const boundary = formBoundary(requestHeaders.get("content-type"));
  if (!boundary || !body) throw malformedPost();
  let form: FormUntilFile;
  try {
    form = await readFormUntilFile(body, boundary);
  } catch (e) {
    if (e instanceof FormDataError) throw malformedPost();
    throw e;
  }
  const fields = new Map<string, string>();
  for (const [name, value] of form.fields) fields.set(name.toLowerCase(), value);
  const file = form.file;
  if (!file) {
    throw new AwsError("InvalidArgument", "POST requires exactly one file upload per request.", 400, { fields: { ArgumentName: "file", ArgumentValue: "0" } });
  }
  let key = fields.get("key");
  if (key === undefined) {
    await file.stream.cancel().catch(() => {});
    throw new AwsError("InvalidArgument", "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.", 400, {
      fields: { ArgumentName: "key", ArgumentValue: "" },
    });
  }
  key = key.replace(/\$\{filename\}/g, file.filename);
  const policyText = fields.get("policy");
  let range: { min: number; max: number } | undefined;
  try {
    if (policyText !== undefined) range = checkPolicy(readPolicy(policyText), fields, bucket.name, ctx.clock.now());
  } catch (e) {
    await file.stream.cancel().catch(() => {});
    throw e;
  }

  const headers: StoredHeaders = {};
  for (const [field, member] of HEADER_FIELDS) {
    const v = fields.get(field);
    if (v !== undefined) (headers as Record<string, string>)[member] = v;
  }
  headers.ContentType ??= "binary/octet-stream";
  const metadata: Record<string, string> = {};
  for (const [name, value] of fields) if (name.startsWith("x-amz-meta-")) metadata[name.slice("x-amz-meta-".length)] = value;

  let encryption;
  try {
    const sseField = fields.get("x-amz-server-side-encryption");
    encryption = await encryptionFor(ctx, bucket, key, {
      ServerSideEncryption: sseField,
      SSEKMSKeyId: fields.get("x-amz-server-side-encryption-aws-kms-key-id"),
      SSEKMSEncryptionContext: fields.get("x-amz-server-side-encryption-context"),
      BucketKeyEnabled: fields.has("x-amz-server-side-encryption-bucket-key-enabled") ? fields.get("x-amz-server-side-encryption-bucket-key-enabled") === "true" : undefined,
    });
  } catch (e) {
    await file.stream.cancel().catch(() => {});
    throw e;
  }

  const checksumHeaders = new Headers();
  for (const [name, value] of fields) if (name.startsWith("x-amz-checksum-") || name === "content-md5") checksumHeaders.set(name, value);
  const { stream, result } = prepareUpload(checksumHeaders, file.stream);
  let segment;
  try {
    segment = await storeBody(ctx, bucket.name, stream);
  } catch (e) {
    throw await result.then(() => (e instanceof FormDataError ? malformedPost() : e), (err) => (err instanceof FormDataError ? malformedPost() : err));
  }
  let digest;
  try {
    digest = await result;
    checkContentLength(range, digest.size);
  } catch (e) {
    await deleteBodies(ctx, [segment]);
    throw e;
  }
  const storageClass = fields.get("x-amz-storage-class");
  const version = await writeObject(ctx, bucket, {
    key,
    owner: ctx.accountId,
    size: digest.size,
    etag: digest.etag,
    body: [segment],
    checksum: digest.checksum,
    headers,
    metadata,
    // Stored as the form gave it, as before.
    ...(storageClass && storageClass !== "STANDARD" ? { storageClass: storageClass as S3.StorageClass } : {}),
    encryption,
  });
  notify(ctx, bucket, "ObjectCreated:Post", version);

  const location = `${ctx.baseUrl}/${encodeURIComponent(bucket.name)}/${encodeRfc3986Path(key)}`;
  const out = new Headers({ etag: digest.etag, location, "x-amz-request-id": ctx.requestId });
  if (version.versionId !== "null") out.set("x-amz-version-id", version.versionId);
  const redirect = fields.get("success_action_redirect") ?? fields.get("redirect");
  if (redirect) {
    try {
      const target = new URL(redirect);
      target.searchParams.set("bucket", bucket.name);
      target.searchParams.set("key", key);
      target.searchParams.set("etag", digest.etag);
      out.set("location", target.toString());
      return new Response(null, { status: 303, headers: out });
    } catch {
      // Not a URL: S3 falls back to success_action_status.
    }
  }
  const status = fields.get("success_action_status");
  if (status === "201") {
    out.set("content-type", "application/xml");
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Location>${escapeXmlText(location)}</Location><Bucket>${escapeXmlText(bucket.name)}</Bucket><Key>${escapeXmlText(key)}</Key><ETag>${escapeXmlText(digest.etag)}</ETag></PostResponse>`;
    return new Response(xml, { status: 201, headers: out });
  }
  return new Response(null, { status: status === "200" ? 200 : 204, headers: out });
}
