/**
 * gzip for bodies (RFC 1952), synchronous (fflate) so codecs can use it while building a
 * response: request bodies a client compressed (`Content-Encoding: gzip` on operations with the
 * model's `requestcompression` trait, https://smithy.io/2.0/spec/behavior-traits.html#requestcompression-trait)
 * and responses to clients that accept it (DynamoDB).
 */
import { gunzipSync, gzipSync } from "fflate";

/** `bytes` compressed as one gzip member. */
export function gzip(bytes: Uint8Array): Uint8Array {
  return gzipSync(bytes);
}

/** The bytes of a gzip body; throws Error for data that is not gzip. */
export function gunzip(bytes: Uint8Array): Uint8Array {
  return gunzipSync(bytes);
}

/** True when a request's `Content-Encoding` is gzip (alone: this is all AWS clients send). */
export function isGzipEncoded(headers: Headers): boolean {
  return (headers.get("content-encoding") ?? "").trim().toLowerCase() === "gzip";
}

/** True when `Accept-Encoding` lists gzip with a non-zero weight (RFC 9110 §12.5.3). */
export function acceptsGzip(headers: Headers): boolean {
  const header = headers.get("accept-encoding");
  if (!header) return false;
  return header.split(",").some((part) => {
    const [coding, ...params] = part.trim().toLowerCase().split(";");
    if (coding!.trim() !== "gzip" && coding!.trim() !== "x-gzip") return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    return !q || Number(q.slice(2)) > 0;
  });
}
