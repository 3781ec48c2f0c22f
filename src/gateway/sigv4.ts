/**
 * SigV4 signature verification (off by default; on with `verifySignatures` and configured
 * credentials). Recomputes the signature of a header-signed or presigned request and answers
 * as AWS does when it differs.
 *
 * Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * (canonical request, string to sign, signing key); S3 specifics (single URI encoding, declared
 * as `ServiceDefinition.signedPathEncoding`; its own error codes, `signatureError`;
 * x-amz-content-sha256) from https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 */
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { AwsError } from "../protocol/errors.ts";
import { encodeRfc3986 } from "../encoding/uri.ts";

export interface SignedParts {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** `X-Amz-Date` (yyyymmddThhmmssZ). */
  amzDate: string;
  presigned: boolean;
  /** Presigned URLs: seconds of validity. */
  expires?: number;
}

const encoder = new TextEncoder();

/** RFC 3986 encoding, as SigV4 wants it (everything but unreserved characters). */
const uriEncode = encodeRfc3986;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, "%20"));
  } catch {
    return text;
  }
}

/** Parses the signature parts of a SigV4 request; null when it is not SigV4-signed. */
export function readSignature(headers: Headers, url: URL): SignedParts | null {
  const auth = headers.get("authorization");
  if (auth?.startsWith("AWS4-HMAC-SHA256")) {
    const fields = Object.fromEntries(
      auth.slice("AWS4-HMAC-SHA256".length).split(",").map((part) => {
        const [k, ...v] = part.trim().split("=");
        return [k, v.join("=")];
      }),
    );
    const scope = (fields.Credential ?? "").split("/");
    if (scope.length !== 5 || !fields.SignedHeaders || !fields.Signature) return null;
    return {
      accessKeyId: scope[0], date: scope[1], region: scope[2], service: scope[3],
      signedHeaders: fields.SignedHeaders.split(";"), signature: fields.Signature,
      amzDate: headers.get("x-amz-date") ?? "", presigned: false,
    };
  }
  const q = url.searchParams;
  if (q.get("X-Amz-Algorithm") === "AWS4-HMAC-SHA256") {
    const scope = (q.get("X-Amz-Credential") ?? "").split("/");
    if (scope.length !== 5) return null;
    return {
      accessKeyId: scope[0], date: scope[1], region: scope[2], service: scope[3],
      signedHeaders: (q.get("X-Amz-SignedHeaders") ?? "host").split(";"), signature: q.get("X-Amz-Signature") ?? "",
      amzDate: q.get("X-Amz-Date") ?? "", presigned: true, expires: Number(q.get("X-Amz-Expires") ?? "0"),
    };
  }
  return null;
}

/** How the canonical request writes the path: as sent (S3), or each segment URI-encoded once more (everyone else). */
export type SignedPathEncoding = "as-sent" | "encode-again";

function canonicalUri(rawPath: string, encoding: SignedPathEncoding): string {
  if (encoding === "as-sent") return rawPath || "/";
  // Other services sign the path URI-encoded once more (each segment of the already-encoded path).
  return (rawPath || "/").split("/").map((segment) => uriEncode(segment)).join("/");
}

function canonicalQuery(url: URL, presigned: boolean): string {
  const raw = url.search.startsWith("?") ? url.search.slice(1) : url.search;
  if (!raw) return "";
  const pairs: [string, string][] = [];
  for (const part of raw.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const key = safeDecode(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? "" : safeDecode(part.slice(eq + 1));
    if (presigned && key === "X-Amz-Signature") continue;
    pairs.push([uriEncode(key), uriEncode(value)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join("&");
}

/** The signature the request should carry, given the secret key and the body's SHA-256 (hex). */
export function expectedSignature(
  method: string, url: URL, headers: Headers, parts: SignedParts, secret: string, payloadHash: string,
  pathEncoding: SignedPathEncoding,
  /** The path as sent, when `url` lost its dot segments (raw-path.ts). */
  path = url.pathname,
): string {
  const canonicalHeaders = parts.signedHeaders
    .map((name) => `${name}:${(headers.get(name) ?? "").trim().replace(/\s+/g, " ")}\n`)
    .join("");
  const canonicalRequest = [
    method.toUpperCase(),
    canonicalUri(path, pathEncoding),
    canonicalQuery(url, parts.presigned),
    canonicalHeaders,
    parts.signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
  const scope = `${parts.date}/${parts.region}/${parts.service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${parts.amzDate}\n${scope}\n${bytesToHex(sha256(encoder.encode(canonicalRequest)))}`;
  return bytesToHex(hmac(sha256, signingKey(secret, parts.date, parts.region, parts.service), encoder.encode(stringToSign)));
}

// A pure function of its inputs, cached: four HMACs per request saved (they change once a day).
const signingKeys = new Map<string, Uint8Array>();

/** SigV4's derived signing key for a secret, date, region and service. */
function signingKey(secret: string, date: string, region: string, service: string): Uint8Array {
  const cacheKey = `${secret}\n${date}\n${region}\n${service}`;
  let key = signingKeys.get(cacheKey);
  if (!key) {
    key = hmac(sha256, encoder.encode("AWS4" + secret), encoder.encode(date));
    for (const step of [region, service, "aws4_request"]) key = hmac(sha256, key, encoder.encode(step));
    if (signingKeys.size >= 1000) signingKeys.clear();
    signingKeys.set(cacheKey, key);
  }
  return key;
}

/** `20261122T003226Z` → epoch ms, or NaN. */
export function parseAmzDate(text: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : NaN;
}

export interface VerifyInput {
  method: string;
  url: URL;
  headers: Headers;
  /** The service's canonical path rule (`ServiceDefinition.signedPathEncoding`). */
  pathEncoding: SignedPathEncoding;
  /** The path as sent, when `url` lost its dot segments (raw-path.ts). */
  path?: string;
  now: number;
  secretFor(accessKeyId: string): Promise<string | null>;
  /** The body, for services whose clients do not send x-amz-content-sha256. */
  body(): Promise<Uint8Array>;
}

/** Why a request's signature does not verify; the service's (or protocol's) error renders it. */
export type SignatureFailure =
  | { kind: "unsigned" }
  | { kind: "unknown-key"; accessKeyId: string }
  /** A presigned URL past its `X-Amz-Expires`. */
  | { kind: "expired"; amzDate: string }
  /** `X-Amz-Date` missing or more than 15 minutes from the clock. */
  | { kind: "skewed"; amzDate: string }
  | { kind: "mismatch"; accessKeyId: string; signature: string };

const MISMATCH = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.";

/** Null when the request is correctly signed; otherwise why not. */
export async function verifySignature(input: VerifyInput): Promise<SignatureFailure | null> {
  const parts = readSignature(input.headers, input.url);
  if (!parts) return { kind: "unsigned" };
  const secret = await input.secretFor(parts.accessKeyId);
  if (secret === null) return { kind: "unknown-key", accessKeyId: parts.accessKeyId };
  const signedAt = parseAmzDate(parts.amzDate);
  if (parts.presigned) {
    if (!Number.isNaN(signedAt) && input.now > signedAt + (parts.expires ?? 0) * 1000) return { kind: "expired", amzDate: parts.amzDate };
  } else if (Number.isNaN(signedAt) || Math.abs(input.now - signedAt) > 15 * 60 * 1000) {
    return { kind: "skewed", amzDate: parts.amzDate };
  }
  const declared = input.headers.get("x-amz-content-sha256");
  const payloadHash = parts.presigned
    ? (input.url.searchParams.get("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD")
    : declared ?? bytesToHex(sha256(await input.body()));
  const expected = expectedSignature(input.method, input.url, input.headers, parts, secret, payloadHash, input.pathEncoding, input.path);
  if (expected === parts.signature) return null;
  return { kind: "mismatch", accessKeyId: parts.accessKeyId, signature: parts.signature };
}

/**
 * The error AWS's JSON and query services answer a failed signature with (Coral's codes); S3
 * answers its own (`ServiceDefinition.signatureError`).
 */
export function defaultSignatureError(failure: SignatureFailure, json: boolean): AwsError {
  switch (failure.kind) {
    case "unsigned":
      return json
        ? new AwsError("MissingAuthenticationTokenException", "Missing Authentication Token", 403)
        : new AwsError("MissingAuthenticationToken", "Request is missing Authentication Token", 403);
    case "unknown-key":
      return json
        ? new AwsError("UnrecognizedClientException", "The security token included in the request is invalid.", 400)
        : new AwsError("InvalidClientTokenId", "The security token included in the request is invalid.", 403);
    case "expired":
      return new AwsError("AccessDenied", "Request has expired", 403);
    case "skewed":
      return new AwsError(json ? "InvalidSignatureException" : "SignatureDoesNotMatch", `Signature expired: ${failure.amzDate} is now earlier than the allowed window.`, 403);
    case "mismatch":
      return new AwsError(json ? "InvalidSignatureException" : "SignatureDoesNotMatch", MISMATCH, 403);
  }
}
