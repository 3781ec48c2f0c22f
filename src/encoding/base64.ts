/**
 * Base64 (RFC 4648 §4, standard alphabet, padded) for every part of fetchstack: codecs (blobs in
 * JSON and XML), checksums, snapshots, page tokens, STS tokens.
 *
 * Encoding is `@scure/base` (faster than `btoa` over a binary string beyond a few KiB). Decoding
 * goes through `atob`, which every runtime has and which beats a JS decoder on Node 20.
 */
import { base64 } from "@scure/base";

/** Standard padded base64 of `bytes`. */
export function bytesToBase64(bytes: Uint8Array): string {
  return base64.encode(bytes);
}

/** Bytes of an `atob` binary string. */
function binaryToBytes(binary: string): Uint8Array {
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/**
 * Strict standard base64 -> bytes, or the reason it is not base64 in Coral's words
 * (`Base64 encoded length is expected a multiple of 4 bytes but found: 5`). What AWS's JSON and
 * query front ends accept for blob members.
 */
export function base64ToBytes(text: string): Uint8Array | string {
  if (text.length % 4 !== 0) return `Base64 encoded length is expected a multiple of 4 bytes but found: ${text.length}`;
  const bad = /[^A-Za-z0-9+/=]/.exec(text);
  if (bad) return `Invalid Base64 character: '${bad[0]}'`;
  const pad = text.indexOf("=");
  if (pad !== -1 && (pad < text.length - 2 || /[^=]/.test(text.slice(pad)))) return "Invalid Base64 character: '='";
  try {
    return binaryToBytes(atob(text));
  } catch {
    return "Invalid last non-pad Base64 character dectected";
  }
}

/**
 * Lenient base64 -> bytes: standard or URL-safe alphabet, padding optional, ASCII white space
 * ignored. Throws `TypeError` for anything else.
 */
export function decodeBase64(text: string): Uint8Array {
  let normal = text.replace(/[\t\n\f\r ]+/g, "");
  if (/[-_]/.test(normal)) normal = normal.replace(/-/g, "+").replace(/_/g, "/");
  normal += "=".repeat((4 - (normal.length % 4)) % 4);
  try {
    return binaryToBytes(atob(normal));
  } catch {
    throw new TypeError("not base64");
  }
}

/** Base64 of a string's UTF-8 bytes. */
export function utf8ToBase64(text: string): string {
  return bytesToBase64(new TextEncoder().encode(text));
}

/** The UTF-8 text of base64 (`decodeBase64`'s leniency); throws `TypeError` for bad base64 or bad UTF-8. */
export function base64ToUtf8(text: string): string {
  return new TextDecoder("utf-8", { fatal: true }).decode(decodeBase64(text));
}
