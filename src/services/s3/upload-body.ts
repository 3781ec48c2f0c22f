/**
 * Object bodies on their way in (PutObject, UploadPart, POST uploads): decodes `aws-chunked`,
 * computes the MD5 (ETag) and a flexible checksum while the caller streams the bytes into the
 * BlobStore, and checks what the client declared:
 *
 *   const { stream, result } = prepareUpload(bodyHeaders(input, ctx.request), input.Body);
 *   await ctx.blobs.put(tmpKey, stream);   // rejects with the same AwsError as `result`
 *   const digest = await result;           // { size, etag, md5, checksum, ... }
 *
 * A failed check errors the stream at its end, so the blob put fails and no object appears.
 *
 * Errors (S3's codes and messages):
 * - `InvalidDigest` (400) "The Content-MD5 you specified was invalid." — not base64 of 16 bytes;
 * - `BadDigest` (400) "The Content-MD5 you specified did not match what we received.";
 * - `BadDigest` (400) "The CRC32 you specified did not match the calculated checksum." — header
 *   or trailer `x-amz-checksum-*`;
 * - `InvalidRequest` (400) for two checksum headers, a malformed checksum value, an unknown
 *   algorithm, or `x-amz-sdk-checksum-algorithm` without a checksum;
 * - `IncompleteBody` (400) for a body shorter than Content-Length / decoded length;
 * - `MalformedTrailerError` (400) when `x-amz-trailer` names a checksum the body lacks.
 *
 * With no checksum requested, S3 computes CRC64NVME (FULL_OBJECT) for the object anyway.
 * `x-amz-content-sha256` is part of the signature, which is not verified, so it is not checked.
 *
 * Sources: https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
import { AwsError } from "../../protocol/errors.ts";
import { base64ToBytes, bytesToBase64 } from "../../encoding/base64.ts";
import { bytesToHex } from "@noble/hashes/utils.js";
import { createAwsChunkedDecoder, incompleteBody, type AwsChunkedDecoder } from "./aws-chunked.ts";
import {
  CHECKSUM_ALGORITHMS,
  checksumHeaderName,
  checksumMemberName,
  createDigest,
  isWellFormedChecksum,
  parseAlgorithm,
  type ChecksumAlgorithm,
  type StoredChecksum,
} from "./checksums.ts";

export interface UploadDigest {
  /** Decoded body size in bytes. */
  size: number;
  /** MD5 of the body, lower-case hex. */
  md5Hex: string;
  /** `"<md5 hex>"` */
  etag: string;
  /**
   * The object's checksum: the algorithm the client asked for (validated against the value it
   * sent), else the `options.algorithm`, else CRC64NVME. Always FULL_OBJECT for one body.
   */
  checksum: StoredChecksum;
  /** True when the client named an algorithm or sent a checksum (S3 then echoes it on PUT). */
  checksumRequested: boolean;
}

export interface PrepareUploadOptions {
  /**
   * The algorithm to compute when the request names none (a multipart upload's algorithm for
   * UploadPart); a request naming another algorithm fails. Default CRC64NVME, as S3.
   */
  algorithm?: ChecksumAlgorithm;
  /** The checksum type to record (multipart parts keep their upload's type). */
  type?: StoredChecksum["type"];
}

export interface PreparedUpload {
  /** The decoded body; read it to the end (e.g. `blobs.put`) to settle `result`. */
  stream: ReadableStream<Uint8Array>;
  result: Promise<UploadDigest>;
}

function invalidRequest(message: string): AwsError {
  return new AwsError("InvalidRequest", message, 400);
}

export function unsupportedAlgorithm(): AwsError {
  return invalidRequest(`Checksum algorithm provided is unsupported. Please try again with any of the valid types: [${CHECKSUM_ALGORITHMS.join(", ")}]`);
}

function badChecksum(algorithm: ChecksumAlgorithm): AwsError {
  return new AwsError("BadDigest", `The ${algorithm} you specified did not match the calculated checksum.`, 400);
}

/** True when the body is aws-chunked (by Content-Encoding or a STREAMING-* payload hash). */
export function isAwsChunked(headers: Headers): boolean {
  const encoding = headers.get("content-encoding") ?? "";
  if (encoding.split(",").some((e) => e.trim().toLowerCase() === "aws-chunked")) return true;
  return (headers.get("x-amz-content-sha256") ?? "").startsWith("STREAMING-");
}

/** The Content-Encoding to store: the request's, without `aws-chunked` (undefined if none left). */
export function storedContentEncoding(encoding: string | null | undefined): string | undefined {
  if (encoding === null || encoding === undefined) return undefined;
  const rest = encoding.split(",").map((e) => e.trim()).filter((e) => e && e.toLowerCase() !== "aws-chunked");
  return rest.length ? rest.join(",") : undefined;
}

/** The members of PutObject/UploadPart input that describe the body (bound from its headers). */
export interface BodyMembers {
  ContentMD5?: string;
  ContentEncoding?: string;
  ContentLength?: number;
  /** `x-amz-sdk-checksum-algorithm`. */
  ChecksumAlgorithm?: string;
  /** `ChecksumCRC32`, `ChecksumSHA256`, ...: `x-amz-checksum-*`. */
  [checksumMember: string]: unknown;
}

/** Body headers of the aws-chunked encoding that no S3 model member binds. */
const UNMODELLED_BODY_HEADERS = ["x-amz-trailer", "x-amz-decoded-content-length", "x-amz-content-sha256"];

/**
 * The headers `prepareUpload` checks, for a PutObject/UploadPart call: those the model binds
 * from `input` (Content-MD5, Content-Encoding, Content-Length, x-amz-sdk-checksum-algorithm,
 * x-amz-checksum-*), the aws-chunked ones no member carries from the HTTP `request` (absent
 * for `ctx.invoke` calls, whose input is all there is).
 */
export function bodyHeaders(request_: object, request: Request | undefined): Headers {
  // PutObject's or UploadPart's input: their body members (checksums by name).
  const input = request_ as BodyMembers;
  const headers = new Headers();
  if (input.ContentMD5 !== undefined) headers.set("content-md5", input.ContentMD5);
  if (input.ContentEncoding !== undefined) headers.set("content-encoding", input.ContentEncoding);
  if (input.ContentLength !== undefined) headers.set("content-length", String(input.ContentLength));
  if (input.ChecksumAlgorithm !== undefined) headers.set("x-amz-sdk-checksum-algorithm", input.ChecksumAlgorithm);
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = input[checksumMemberName(algorithm)];
    if (typeof value === "string") headers.set(checksumHeaderName(algorithm), value);
  }
  if (request) {
    for (const name of UNMODELLED_BODY_HEADERS) {
      const value = request.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
  }
  return headers;
}

interface Declared {
  /** Algorithm the request asks for. */
  algorithm?: ChecksumAlgorithm;
  /** Value sent in a header (validated after the body). */
  value?: string;
  /** The value arrives as a trailer under this (lower-case) name. */
  trailer?: string;
  contentMd5?: Uint8Array;
}

/** Reads and cross-checks the checksum headers before any byte is read. */
function declaredChecksums(headers: Headers, chunked: boolean): Declared {
  const declared: Declared = {};
  const md5 = headers.get("content-md5");
  if (md5 !== null) {
    const bytes = base64ToBytes(md5.trim());
    if (typeof bytes === "string" || bytes.length !== 16) throw new AwsError("InvalidDigest", "The Content-MD5 you specified was invalid.", 400);
    declared.contentMd5 = bytes;
  }
  const sent = CHECKSUM_ALGORITHMS.filter((a) => headers.has(checksumHeaderName(a)));
  if (sent.length > 1) throw invalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
  let trailerAlgorithm: ChecksumAlgorithm | undefined;
  const trailerHeader = headers.get("x-amz-trailer");
  if (trailerHeader !== null && chunked) {
    const names = trailerHeader.split(",").map((n) => n.trim().toLowerCase()).filter(Boolean);
    const algorithms = names.filter((n) => n.startsWith("x-amz-checksum-"));
    if (algorithms.length > 1 || (algorithms.length && sent.length)) {
      throw invalidRequest("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.");
    }
    if (algorithms.length) {
      trailerAlgorithm = parseAlgorithm(algorithms[0]!.slice("x-amz-checksum-".length));
      if (!trailerAlgorithm) throw unsupportedAlgorithm();
      declared.trailer = algorithms[0];
    }
  }
  const sdkHeader = headers.get("x-amz-sdk-checksum-algorithm");
  const sdkAlgorithm = sdkHeader === null ? undefined : parseAlgorithm(sdkHeader);
  if (sdkHeader !== null && !sdkAlgorithm) throw unsupportedAlgorithm();
  const headerAlgorithm = sent[0];
  const named = headerAlgorithm ?? trailerAlgorithm;
  if (sdkAlgorithm && !named) {
    throw invalidRequest("x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* or x-amz-trailer headers were found.");
  }
  if (sdkAlgorithm && named && sdkAlgorithm !== named) {
    throw invalidRequest(`Checksum Type mismatch occurred, expected checksum Type: ${sdkAlgorithm.toLowerCase()}, actual checksum Type: ${named.toLowerCase()}`);
  }
  if (headerAlgorithm) {
    const value = headers.get(checksumHeaderName(headerAlgorithm))!.trim();
    if (!isWellFormedChecksum(headerAlgorithm, value)) throw invalidRequest(`Value for ${checksumHeaderName(headerAlgorithm)} header is invalid.`);
    declared.value = value;
  }
  declared.algorithm = named;
  return declared;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function toAwsError(e: unknown): unknown {
  if (e instanceof AwsError) return e;
  // The client went away or the runtime failed the body mid-way.
  if (e instanceof TypeError || (e instanceof Error && /abort|terminated|closed|ECONNRESET/i.test(e.message))) return incompleteBody();
  return e;
}

/**
 * Prepares an incoming object body: see the module comment. Throws synchronously (before any
 * byte is read) for bad headers.
 */
export function prepareUpload(headers: Headers, body: ReadableStream<Uint8Array> | Uint8Array | null, options: PrepareUploadOptions = {}): PreparedUpload {
  const chunked = isAwsChunked(headers);
  const declared = declaredChecksums(headers, chunked);
  if (declared.algorithm && options.algorithm && declared.algorithm !== options.algorithm) {
    throw invalidRequest(`Checksum Type mismatch occurred, expected checksum Type: ${options.algorithm.toLowerCase()}, actual checksum Type: ${declared.algorithm.toLowerCase()}`);
  }
  const algorithm = declared.algorithm ?? options.algorithm ?? "CRC64NVME";

  let source: ReadableStream<Uint8Array>;
  if (body instanceof Uint8Array) {
    const bytes = body;
    source = new ReadableStream({ start(c) { if (bytes.length) c.enqueue(bytes); c.close(); } });
  } else {
    source = body ?? new ReadableStream({ start: (c) => c.close() });
  }

  let expectedSize: number | undefined;
  let decoder: AwsChunkedDecoder | undefined;
  if (chunked) {
    const decodedHeader = headers.get("x-amz-decoded-content-length");
    if (decodedHeader === null || !/^\d+$/.test(decodedHeader.trim())) {
      throw new AwsError("MissingContentLength", "You must provide the Content-Length HTTP header.", 411);
    }
    expectedSize = Number(decodedHeader);
    decoder = createAwsChunkedDecoder({ decodedLength: expectedSize });
    source = source.pipeThrough(decoder);
  } else {
    const length = headers.get("content-length");
    if (length !== null && /^\d+$/.test(length.trim())) expectedSize = Number(length);
  }

  const md5 = createDigest("MD5");
  const checksum = createDigest(algorithm);
  let size = 0;
  let resolve!: (d: UploadDigest) => void;
  let reject!: (e: unknown) => void;
  const result = new Promise<UploadDigest>((res, rej) => ((resolve = res), (reject = rej)));
  result.catch(() => {}); // the caller may only await the blob put; both see the same error

  async function finish(): Promise<UploadDigest> {
    if (expectedSize !== undefined && size !== expectedSize) throw incompleteBody();
    const md5Bytes = await md5.digest();
    if (declared.contentMd5 && !sameBytes(declared.contentMd5, md5Bytes)) {
      throw new AwsError("BadDigest", "The Content-MD5 you specified did not match what we received.", 400);
    }
    const value = bytesToBase64(await checksum.digest());
    let sent = declared.value;
    if (declared.trailer) {
      sent = decoder!.trailers[declared.trailer];
      if (sent === undefined) {
        throw new AwsError("MalformedTrailerError", "The request contained trailing data that was not well-formed or did not conform to our published schema.", 400);
      }
      if (!isWellFormedChecksum(algorithm, sent)) throw invalidRequest(`Value for ${declared.trailer} trailing header is invalid.`);
    }
    if (sent !== undefined && sent !== value) throw badChecksum(algorithm);
    const md5Hex = bytesToHex(md5Bytes);
    return {
      size,
      md5Hex,
      etag: `"${md5Hex}"`,
      checksum: { algorithm, value, type: options.type ?? "FULL_OBJECT" },
      checksumRequested: declared.algorithm !== undefined,
    };
  }

  const reader = source.getReader();
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            const digest = await finish();
            resolve(digest);
            controller.close();
            return;
          }
          md5.update(value);
          checksum.update(value);
          size += value.length;
          controller.enqueue(value);
        } catch (e) {
          const error = toAwsError(e);
          reject(error);
          controller.error(error);
        }
      },
      cancel(reason) {
        reject(reason ?? incompleteBody());
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, result };
}

/**
 * Output members for a stored checksum when the request has `x-amz-checksum-mode: ENABLED`
 * (GetObject/HeadObject): `{ ChecksumCRC32: "...", ChecksumType: "FULL_OBJECT" }`; empty otherwise.
 */
export function checksumOutput(checksum: StoredChecksum | undefined, mode: string | null | undefined): Record<string, string> {
  if (!checksum || (mode ?? "").toUpperCase() !== "ENABLED") return {};
  return { [checksumMemberName(checksum.algorithm)]: checksum.value, ChecksumType: checksum.type };
}

/** The same as response headers: `x-amz-checksum-crc32`, `x-amz-checksum-type`. */
export function checksumHeaders(checksum: StoredChecksum | undefined, mode: string | null | undefined): Record<string, string> {
  if (!checksum || (mode ?? "").toUpperCase() !== "ENABLED") return {};
  return { [checksumHeaderName(checksum.algorithm)]: checksum.value, "x-amz-checksum-type": checksum.type };
}
