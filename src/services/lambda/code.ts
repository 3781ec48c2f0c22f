/**
 * Deployment packages: a zip (inline `ZipFile`, or `S3Bucket`/`S3Key` read from fetchstack's own
 * S3 through `ctx.invoke`), checked with fflate, hashed as AWS does (CodeSha256 = base64 of the
 * SHA-256 of the zip bytes), stored in the blob store. Blobs live in the service's global blob
 * namespace under the account and region, so the Code.Location URL (served by `preRoute`, see
 * docs/lambda.md) can read them whatever credentials fetch it.
 *
 * Source: https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html (50 MB zipped
 * direct upload, 250 MB unzipped).
 */
import { unzipSync } from "fflate";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import { bytesToBase64 } from "../../protocol/shape-values.ts";
import type { BlobStore } from "../../store/types.ts";
import type { RequestContext } from "../types.ts";
import { invalidParameter } from "./errors.ts";

export const MAX_ZIPPED_BYTES = 50 * 1024 * 1024;
export const MAX_UNZIPPED_BYTES = 262_144_000;

export interface CodeInput {
  ZipFile?: Uint8Array;
  S3Bucket?: string;
  S3Key?: string;
  S3ObjectVersion?: string;
  ImageUri?: string;
}

export interface Package {
  bytes: Uint8Array;
  /** base64 SHA-256 of the zip. */
  sha256: string;
  /** hex SHA-256, for blob keys. */
  hex: string;
  size: number;
  unzippedSize: number;
}

export async function bodyBytes(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (body && typeof (body as ReadableStream).getReader === "function") return new Uint8Array(await new Response(body as ReadableStream).arrayBuffer());
  if (body && typeof (body as Blob).arrayBuffer === "function") return new Uint8Array(await (body as Blob).arrayBuffer());
  return new Uint8Array(0);
}

/** Reads the package a FunctionCode / UpdateFunctionCode / LayerVersionContentInput names. */
export async function readPackage(ctx: RequestContext, code: CodeInput, operation: string): Promise<Package> {
  let bytes: Uint8Array;
  if (code.ZipFile !== undefined) {
    if (code.S3Bucket !== undefined || code.S3Key !== undefined) {
      throw invalidParameter("Please provide a source for function code (ZipFile or S3Bucket/S3Key), not both.");
    }
    bytes = code.ZipFile;
    if (bytes.byteLength > MAX_ZIPPED_BYTES) {
      throw new AwsError("RequestEntityTooLargeException", `Request must be smaller than 70167211 bytes for the ${operation} operation`, 413);
    }
  } else if (code.S3Bucket !== undefined && code.S3Key !== undefined) {
    bytes = await readFromS3(ctx, code.S3Bucket, code.S3Key, code.S3ObjectVersion);
  } else if (code.S3Bucket !== undefined || code.S3Key !== undefined) {
    throw invalidParameter("Please provide both S3Bucket and S3Key.");
  } else {
    throw invalidParameter("Please provide a source for function code.");
  }
  const unzippedSize = checkZip(bytes);
  const digest = sha256(bytes);
  return { bytes, sha256: bytesToBase64(digest), hex: bytesToHex(digest), size: bytes.byteLength, unzippedSize };
}

async function readFromS3(ctx: RequestContext, bucket: string, key: string, version?: string): Promise<Uint8Array> {
  try {
    const out = await ctx.invoke("s3", "GetObject", { Bucket: bucket, Key: key, ...(version ? { VersionId: version } : {}) });
    const bytes = await bodyBytes(out.Body);
    if (bytes.byteLength > MAX_UNZIPPED_BYTES) throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
    return bytes;
  } catch (error) {
    if (isAwsError(error) && error.code !== "InvalidParameterValueException") {
      throw invalidParameter(`Error occurred while GetObject. S3 Error Code: ${error.code}. S3 Error Message: ${error.message}`);
    }
    throw error;
  }
}

/** Reads the zip's central directory (no inflating); returns the unzipped size. */
export function checkZip(bytes: Uint8Array): number {
  let total = 0;
  try {
    unzipSync(bytes, {
      filter(file) {
        total += file.originalSize;
        return false;
      },
    });
  } catch {
    throw invalidParameter("Could not unzip uploaded file. Please check your file, then try to upload again.");
  }
  if (bytes.byteLength < 22) throw invalidParameter("Could not unzip uploaded file. Please check your file, then try to upload again.");
  if (total > MAX_UNZIPPED_BYTES) throw invalidParameter(`Unzipped size must be smaller than ${MAX_UNZIPPED_BYTES} bytes`);
  return total;
}

export function codeBlobs(ctx: RequestContext): BlobStore {
  return ctx.globalBlobs ?? ctx.blobs;
}

/** Blob key of a function's package: per account, region, function and hash (versions share it). */
export function functionCodeKey(ctx: Pick<RequestContext, "accountId" | "region">, name: string, hex: string): string {
  return `code/${ctx.accountId}/${ctx.region}/function/${name}/${hex}`;
}

export function layerCodeKey(ctx: Pick<RequestContext, "accountId" | "region">, name: string, version: number): string {
  return `code/${ctx.accountId}/${ctx.region}/layer/${name}/${version}`;
}

export async function storePackage(ctx: RequestContext, key: string, pkg: Package): Promise<void> {
  await codeBlobs(ctx).put(key, pkg.bytes);
}

export async function loadPackage(blobs: BlobStore, key: string): Promise<Uint8Array | null> {
  if (blobs.read) return blobs.read(key);
  const stream = await blobs.get(key);
  return stream ? new Uint8Array(await new Response(stream).arrayBuffer()) : null;
}
