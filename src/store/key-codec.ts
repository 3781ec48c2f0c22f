/**
 * Store keys as order-preserving UTF-8 text and bytes, for backends that order plain strings or
 * bytes (Deno KV byte key parts, SQLite BLOB columns, Workers KV key names).
 *
 * `encodeKey` (keys.ts) gives a string whose UTF-16 code-unit order is the key order, but it
 * may hold lone surrogates. `keyText` maps each code unit u to the code point u (below 0xD800)
 * or u + 0x800 (0xE000 up to 0x107FF): a monotone map to valid code points, so the result is
 * well-formed and its UTF-8 bytes sort (memcmp) exactly as the keys do. `decodeKeyText`
 * inverts it back to the key.
 */
import { decodeKey, encodeKey } from "./keys.ts";
import type { Key, KeyPart } from "./types.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
/** Any code unit that the map changes. */
const HIGH = /[\uD800-\uFFFF]/;

/** Maps an `encodeKey` string to well-formed text with the same order under UTF-8 bytes. */
export function encodedToText(encoded: string): string {
  if (!HIGH.test(encoded)) return encoded;
  let out = "";
  for (let i = 0; i < encoded.length; i++) {
    const u = encoded.charCodeAt(i);
    out += u < 0xd800 ? encoded[i] : String.fromCodePoint(u + 0x800);
  }
  return out;
}

function textToEncoded(text: string): string {
  let out = "";
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    out += String.fromCharCode(cp < 0xd800 ? cp : cp - 0x800);
  }
  return out;
}

/** The key as well-formed text; UTF-8 byte order (= code point order) is key order. */
export function keyText(key: Key): string {
  return encodedToText(encodeKey(key));
}

/** The key as bytes (UTF-8 of `keyText`); bytewise order is key order. */
export function keyBytes(key: Key): Uint8Array {
  return encoder.encode(keyText(key));
}

/** An `encodeKey` string (e.g. a range bound from `selectorRange`) as bytes. */
export function encodedToBytes(encoded: string): Uint8Array {
  return encoder.encode(encodedToText(encoded));
}

export function decodeKeyBytes(bytes: Uint8Array): KeyPart[] {
  return decodeKeyText(decoder.decode(bytes));
}

/** Inverse of `keyText`. */
export function decodeKeyText(text: string): KeyPart[] {
  return decodeEncoded(textToEncoded(text));
}

/** Inverse of `encodeKey` (layout documented in keys.ts). */
export const decodeEncoded: (s: string) => KeyPart[] = decodeKey;
