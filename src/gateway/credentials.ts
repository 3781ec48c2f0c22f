/**
 * What a request says about who signed it and for which service and region, from every place
 * real clients put it: the SigV4 `Authorization` header, a SigV4 presigned query
 * (`X-Amz-Credential`), SigV2 headers (`Authorization: AWS AKID:sig`) and SigV2 presigned
 * queries (`AWSAccessKeyId=`, boto3's default for S3 presigned URLs), or nothing at all
 * (`--no-sign-request`).
 *
 * Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv4-signing-requests.html
 */
export interface Credentials {
  accessKeyId: string;
  /** From the SigV4 credential scope; absent for SigV2. */
  region?: string;
  /** Signing name from the credential scope (`sts`, `s3`, `dynamodb`, ...); absent for SigV2. */
  service?: string;
  /** `yyyymmdd` scope date (SigV4). */
  date?: string;
  signatureVersion: 2 | 4;
  presigned: boolean;
  sessionToken?: string;
}

/**
 * SigV4 credentials from a credential scope, or null. Built as literals: an object spread
 * (`{ ...scope, ... }`) costs microseconds on V8, on every request.
 */
function scopeCredentials(credential: string, presigned: boolean, sessionToken: string | undefined): Credentials | null {
  // AKID/yyyymmdd/region/service/aws4_request (SigV4a has no region: AKID/date/service/aws4_request)
  const parts = credential.split("/");
  if (parts.length === 5) {
    return { accessKeyId: parts[0], date: parts[1], region: parts[2], service: parts[3], signatureVersion: 4, presigned, sessionToken };
  }
  if (parts.length === 4) return { accessKeyId: parts[0], date: parts[1], service: parts[2], signatureVersion: 4, presigned, sessionToken };
  if (parts[0]) return { accessKeyId: parts[0], signatureVersion: 4, presigned, sessionToken };
  return null;
}

/** What `\s` matches. */
function isSpace(code: number): boolean {
  return code === 32 || (code >= 9 && code <= 13) || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

/** True when `text` has `lower` (lower-case ASCII) at `at`, ignoring ASCII case. */
function hasAt(text: string, at: number, lower: string): boolean {
  if (text.length < at + lower.length) return false;
  for (let i = 0; i < lower.length; i++) {
    const code = text.charCodeAt(at + i);
    const folded = code >= 65 && code <= 90 ? code + 32 : code;
    if (folded !== lower.charCodeAt(i)) return false;
  }
  return true;
}

/**
 * The `Credential=` value of a SigV4/SigV4a Authorization header, or null: what
 * `/^AWS4-(?:HMAC-SHA256|ECDSA-P256-SHA256)\s+Credential=([^,\s]+)/i` matches, without a
 * regular expression (this runs on every request).
 */
function sigv4Credential(auth: string): string | null {
  let at: number;
  if (hasAt(auth, 0, "aws4-hmac-sha256")) at = 16;
  else if (hasAt(auth, 0, "aws4-ecdsa-p256-sha256")) at = 22;
  else return null;
  if (!isSpace(auth.charCodeAt(at))) return null;
  while (at < auth.length && isSpace(auth.charCodeAt(at))) at++;
  if (!hasAt(auth, at, "credential=")) return null;
  const start = at + 11;
  let end = start;
  while (end < auth.length) {
    const code = auth.charCodeAt(end);
    if (code === 44 || isSpace(code)) break;
    end++;
  }
  return end > start ? auth.slice(start, end) : null;
}

/** Credentials of a request, or null when it is unsigned. `url`'s query is read only when it has one. */
export function readCredentials(headers: Headers, url: URL): Credentials | null {
  const auth = headers.get("authorization");
  if (auth) {
    const credential = sigv4Credential(auth);
    const scoped = credential === null ? null : scopeCredentials(credential, false, headers.get("x-amz-security-token") ?? undefined);
    if (scoped) return scoped;
    const v2 = /^AWS\s+([^:\s]+):/.exec(auth);
    if (v2) return { accessKeyId: v2[1], signatureVersion: 2, presigned: false, sessionToken: headers.get("x-amz-security-token") ?? undefined };
  }
  if (!url.search) return null;
  const query = url.searchParams;
  const credential = query.get("X-Amz-Credential");
  if (credential) {
    const scoped = scopeCredentials(credential, true, query.get("X-Amz-Security-Token") ?? undefined);
    if (scoped) return scoped;
  }
  const v2Key = query.get("AWSAccessKeyId");
  if (v2Key) return { accessKeyId: v2Key, signatureVersion: 2, presigned: true, sessionToken: query.get("x-amz-security-token") ?? undefined };
  return null;
}
