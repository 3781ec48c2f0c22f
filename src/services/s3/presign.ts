/**
 * Presigned S3 URLs: the expiry and shape checks S3 applies to query-string authentication.
 * Signatures are not verified (fetchstack verifies none by default); the dates are.
 *
 * - SigV4 (`X-Amz-Algorithm=AWS4-HMAC-SHA256`, the JS SDK's and boto3 `s3v4`):
 *   `X-Amz-Date` + `X-Amz-Expires` seconds; past it → 403 AccessDenied "Request has expired";
 *   `X-Amz-Expires` over 604800 (7 days) or negative, or a missing/garbled parameter →
 *   400 AuthorizationQueryParametersError.
 * - SigV2 (`AWSAccessKeyId` + `Signature` + `Expires`, boto3's default for presigning):
 *   `Expires` is epoch seconds; past it → 403 AccessDenied "Request has expired".
 *
 * Wiring: `checkPresigned(url, ctx.clock.now())` runs for every S3 request from
 * `s3PreRoute` (http-hooks.ts), before the codec parses it.
 *
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html#RESTAuthenticationQueryStringAuth
 */
import { AwsError } from "../../protocol/errors.ts";

/** Longest validity of a SigV4 presigned URL (seconds). */
export const MAX_EXPIRES = 604800;

function queryError(message: string): AwsError {
  return new AwsError("AuthorizationQueryParametersError", message, 400);
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function expired(fields: Record<string, string>): AwsError {
  return new AwsError("AccessDenied", "Request has expired", 403, { fields });
}

/** `20261122T002820Z` → epoch ms, or null. */
function parseAmzDate(text: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return null;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  return Number.isNaN(ms) ? null : ms;
}

/** Which query authentication a URL carries, if any. */
export function presignKind(query: URLSearchParams): "v4" | "v2" | undefined {
  if (query.has("X-Amz-Algorithm") || query.has("X-Amz-Credential") || query.has("X-Amz-Signature")) return "v4";
  if (query.has("AWSAccessKeyId") && query.has("Signature")) return "v2";
  return undefined;
}

/** Throws S3's error when the URL's query authentication is malformed or expired. */
export function checkPresigned(url: URL, now: number): void {
  const q = url.searchParams;
  const kind = presignKind(q);
  if (kind === "v4") {
    const required = ["X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Expires"];
    if (required.some((p) => !q.has(p))) {
      throw queryError("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.");
    }
    const algorithm = q.get("X-Amz-Algorithm")!;
    if (algorithm !== "AWS4-HMAC-SHA256" && algorithm !== "AWS4-ECDSA-P256-SHA256") {
      throw queryError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256 and AWS4-ECDSA-P256-SHA256\"");
    }
    const date = parseAmzDate(q.get("X-Amz-Date")!);
    if (date === null) throw queryError("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
    const expiresText = q.get("X-Amz-Expires")!;
    if (!/^-?\d+$/.test(expiresText)) throw queryError("X-Amz-Expires should be a number");
    const expires = Number(expiresText);
    if (expires < 0) throw queryError("X-Amz-Expires must be non-negative");
    if (expires > MAX_EXPIRES) throw queryError(`X-Amz-Expires must be less than a week (in seconds) that is; ${MAX_EXPIRES}`);
    if (now > date + expires * 1000) {
      throw expired({ "X-Amz-Expires": expiresText, Expires: iso(date + expires * 1000), ServerTime: iso(now) });
    }
    return;
  }
  if (kind === "v2") {
    const expiresText = q.get("Expires");
    if (expiresText === null) return; // SigV2 without Expires is not a presigned URL
    if (!/^\d+$/.test(expiresText)) {
      throw new AwsError("AccessDenied", "Invalid date (should be seconds since epoch): " + expiresText, 403);
    }
    const expiresAt = Number(expiresText) * 1000;
    if (now > expiresAt) throw expired({ Expires: iso(expiresAt), ServerTime: iso(now) });
  }
}
