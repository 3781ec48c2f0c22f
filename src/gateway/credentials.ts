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

const SIGV4_HEADER = /^AWS4-(?:HMAC-SHA256|ECDSA-P256-SHA256)\s+Credential=([^,\s]+)/i;

function parseScope(credential: string): Omit<Credentials, "signatureVersion" | "presigned"> | null {
  // AKID/yyyymmdd/region/service/aws4_request (SigV4a has no region: AKID/date/service/aws4_request)
  const parts = credential.split("/");
  if (parts.length === 5) return { accessKeyId: parts[0], date: parts[1], region: parts[2], service: parts[3] };
  if (parts.length === 4) return { accessKeyId: parts[0], date: parts[1], service: parts[2] };
  if (parts[0]) return { accessKeyId: parts[0] };
  return null;
}

/** Credentials of a request, or null when it is unsigned. */
export function readCredentials(headers: Headers, query: URLSearchParams): Credentials | null {
  const auth = headers.get("authorization");
  if (auth) {
    const v4 = SIGV4_HEADER.exec(auth);
    if (v4) {
      const scope = parseScope(v4[1]);
      if (scope) return { ...scope, signatureVersion: 4, presigned: false, sessionToken: headers.get("x-amz-security-token") ?? undefined };
    }
    const v2 = /^AWS\s+([^:\s]+):/.exec(auth);
    if (v2) return { accessKeyId: v2[1], signatureVersion: 2, presigned: false, sessionToken: headers.get("x-amz-security-token") ?? undefined };
  }
  const credential = query.get("X-Amz-Credential");
  if (credential) {
    const scope = parseScope(credential);
    if (scope) return { ...scope, signatureVersion: 4, presigned: true, sessionToken: query.get("X-Amz-Security-Token") ?? undefined };
  }
  const v2Key = query.get("AWSAccessKeyId");
  if (v2Key) return { accessKeyId: v2Key, signatureVersion: 2, presigned: true, sessionToken: query.get("x-amz-security-token") ?? undefined };
  return null;
}
