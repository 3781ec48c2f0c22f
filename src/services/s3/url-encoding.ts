/**
 * S3's `encoding-type=url` (ListObjects, ListObjectsV2, ListObjectVersions, ListMultipartUploads):
 * keys, prefixes, delimiters and markers in the response percent-encoded as RFC 3986 says
 * (UTF-8 bytes, unreserved characters kept), except that `/` stays as is. A space is `%20` and a
 * `+` is `%2B`: what S3 answers (the s3-tests conformance suite, run against AWS, expects
 * `quux%20ab/` for the prefix `quux ab/`; botocore decodes with `unquote_plus`, which reads both).
 * Any other `encoding-type` is `InvalidArgument`.
 *
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ListObjectsV2.html (EncodingType)
 */
import { encodeRfc3986Path } from "../../encoding/uri.ts";
import { invalidArgument } from "./errors.ts";

/** A key, prefix or marker in `encoding-type=url` form. */
export const urlEncodeKey: (text: string) => string = encodeRfc3986Path;

const identity = (text: string): string => text;

/**
 * The encoder a listing applies to the names it returns: `urlEncodeKey` for `url`, the identity
 * when no encoding was asked; `InvalidArgument` for any other value.
 */
export function keyEncoder(encodingType: string | undefined): (text: string) => string {
  if (encodingType === undefined) return identity;
  if (encodingType !== "url") throw invalidArgument("Invalid Encoding Method specified in Request", "encoding-type", encodingType);
  return urlEncodeKey;
}
