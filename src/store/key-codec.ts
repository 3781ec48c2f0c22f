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
import { encodeKey } from "./keys.ts";
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

const view = new DataView(new ArrayBuffer(8));

/** Inverse of `encodeKey` (layout documented in keys.ts). */
export function decodeEncoded(s: string): KeyPart[] {
  const parts: KeyPart[] = [];
  let i = 0;
  while (i < s.length) {
    const tag = s.charCodeAt(i++);
    switch (tag) {
      case 1: {
        const bytes: number[] = [];
        while (s.charCodeAt(i) !== 0) bytes.push(s.charCodeAt(i++) - 1);
        i++;
        parts.push(new Uint8Array(bytes));
        break;
      }
      case 2: {
        let out = "";
        for (;;) {
          const c = s.charCodeAt(i++);
          if (c === 0) {
            if (s.charCodeAt(i) === 0xffff) (out += "\0"), i++;
            else break;
          } else if (c < 0xd800) out += String.fromCharCode(c);
          // encodeString: surrogates went up by 0x2000, U+E000–U+FFFF down by 0x800.
          else out += String.fromCharCode(c >= 0xf800 ? c - 0x2000 : c + 0x800);
        }
        parts.push(out);
        break;
      }
      case 3: {
        const head = s.charCodeAt(i++);
        const negative = head < 0x8000;
        const count = negative ? 0x8000 - head : head - 0x8000;
        let n = 0n;
        for (let d = 0; d < count; d++) {
          const digit = s.charCodeAt(i++);
          n = (n << 16n) | BigInt(negative ? 0xffff - digit : digit);
        }
        parts.push(negative ? -n : n);
        break;
      }
      case 4: {
        let a = s.charCodeAt(i), b = s.charCodeAt(i + 1), c = s.charCodeAt(i + 2), d = s.charCodeAt(i + 3);
        i += 4;
        if (a & 0x8000) a ^= 0x8000;
        else (a ^= 0xffff), (b ^= 0xffff), (c ^= 0xffff), (d ^= 0xffff);
        view.setUint16(0, a), view.setUint16(2, b), view.setUint16(4, c), view.setUint16(6, d);
        parts.push(view.getFloat64(0));
        break;
      }
      case 5: parts.push(false); break;
      case 6: parts.push(true); break;
      default: throw new TypeError(`corrupt encoded key (tag ${tag})`);
    }
  }
  return parts;
}
