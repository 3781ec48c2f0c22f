/**
 * RFC 3986 percent-encoding: every byte of the UTF-8 text but the unreserved characters
 * (`A-Z a-z 0-9 - . _ ~`) as `%XX`, upper-case hex. What SigV4 canonical requests, S3's
 * `encoding-type=url` and the Location URLs of S3 responses use.
 *
 * Source: https://www.rfc-editor.org/rfc/rfc3986#section-2.3,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html (URI encoding)
 */

/** `encodeURIComponent` leaves these reserved characters alone; RFC 3986 does not. */
const SUB_DELIMS = /[!'()*]/g;

function escapeSubDelim(c: string): string {
  return "%" + c.charCodeAt(0).toString(16).toUpperCase();
}

/** Strict RFC 3986 encoding of `text` (a `/` is encoded too). */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(SUB_DELIMS, escapeSubDelim);
}

/** Strict RFC 3986 encoding with `/` left as is: a path, or an S3 key whose slashes group it. */
export function encodeRfc3986Path(text: string): string {
  return encodeRfc3986(text).replace(/%2F/g, "/");
}
