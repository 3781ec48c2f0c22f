/**
 * Key order, key encoding and key tests, exactly as Deno KV orders keys
 * as implemented (Deno 2.9, FoundationDB tuple layer): part by part; across types
 * Uint8Array < string < bigint < number < boolean (Deno's key-space page lists number before
 * bigint, but Deno KV itself sorts every bigint below every number); bytes and strings by
 * (UTF-8) byte order, numbers numerically with -Infinity < -0 < 0 < Infinity < NaN, bigints
 * numerically, false < true; a key that is a prefix of another sorts first.
 *
 * `encodeKey` maps a key to a string whose JS (UTF-16 code unit) order is the key order and
 * which is injective, so one string serves as Map key and as sort key (native `<`, no
 * comparator calls on the hot path). Layout, per part (tag, then body):
 *   Uint8Array  \x01  each byte b as code unit b+1, then \x00
 *   string      \x02  code units remapped to code-point order, NUL escaped as \x00\uFFFF, then \x00
 *   bigint      \x03  one unit 0x8000±(16-bit digit count), digits big-endian (negatives complemented)
 *   number      \x04  4 code units: IEEE-754 bits big-endian, sign-flipped (FoundationDB tuple style)
 *   boolean     \x05 false, \x06 true
 * Every encoded key of a key under prefix P starts with encodeKey(P) followed by a tag (\x01-\x06).
 */
import type { Key, KeyPart } from "./types.ts";

const TAG_BYTES = 1; // string 2, false 5 (inlined as literals below)
const TAG_BIGINT = 3;
const TAG_NUMBER = 4;
const TAG_TRUE = 6;
/** One past the highest tag: `enc(P) + "\x07"` is above every key under P. */
const TAG_END = "\x07";

const scratch = new DataView(new ArrayBuffer(8));
// Any char that needs work in a string part: NUL or a code unit whose UTF-16 order differs
// from UTF-8 order (surrogates sort above U+E000–U+FFFF in UTF-8).
const SPECIAL_STRING = /[\0\uD800-\uFFFF]/;

/** Type rank of a key part in Deno KV order, or -1 if it is not a valid key part. */
function typeRank(part: unknown): number {
  switch (typeof part) {
    case "string": return 1;
    case "bigint": return 2;
    case "number": return 3;
    case "boolean": return 4;
    default: return part instanceof Uint8Array ? 0 : -1;
  }
}

function invalidPart(part: unknown): TypeError {
  return new TypeError(`invalid key part: ${typeof part === "object" ? Object.prototype.toString.call(part) : typeof part}`);
}

/** Compares strings by UTF-8 byte order (= code point order), not UTF-16 code unit order. */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (astral code points) must sort above U+E000–U+FFFF.
      if (x >= 0xd800 && y >= 0xd800) {
        x = x < 0xe000 ? x + 0x2000 : x - 0x800;
        y = y < 0xe000 ? y + 0x2000 : y - 0x800;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return a.length < b.length ? -1 : a.length === b.length ? 0 : 1;
}

/** Numbers as Deno KV stores them (f64 bits): -0 < 0, NaN above +Infinity. */
function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) {
    if (a !== 0) return 0;
    const na = Object.is(a, -0), nb = Object.is(b, -0);
    return na === nb ? 0 : na ? -1 : 1;
  }
  const nanA = a !== a, nanB = b !== b;
  return nanA === nanB ? 0 : nanA ? 1 : -1;
}

/** Compares two key parts in Deno KV order. Throws TypeError on an invalid part. */
export function compareKeyParts(a: KeyPart, b: KeyPart): number {
  const ra = typeRank(a), rb = typeRank(b);
  if (ra < 0) throw invalidPart(a);
  if (rb < 0) throw invalidPart(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 0: return compareBytes(a as Uint8Array, b as Uint8Array);
    case 1: return compareStrings(a as string, b as string);
    case 2: return (a as bigint) < (b as bigint) ? -1 : a === b ? 0 : 1;
    case 3: return compareNumbers(a as number, b as number);
    default: return a === b ? 0 : a ? 1 : -1;
  }
}

/** Compares two keys in Deno KV order (-1, 0, 1). */
export function compareKeys(a: Key, b: Key): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareKeyParts(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return a.length < b.length ? -1 : a.length === b.length ? 0 : 1;
}

function encodeString(s: string): string {
  if (!SPECIAL_STRING.test(s)) return s;
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) out += "\0\uffff";
    else if (c < 0xd800) out += s[i];
    else out += String.fromCharCode(c < 0xe000 ? c + 0x2000 : c - 0x800);
  }
  return out;
}

function encodeNumber(n: number): string {
  if (n !== n) scratch.setUint32(0, 0x7ff80000), scratch.setUint32(4, 0); // canonical NaN
  else scratch.setFloat64(0, n);
  const a = scratch.getUint16(0), b = scratch.getUint16(2), c = scratch.getUint16(4), d = scratch.getUint16(6);
  return a & 0x8000
    ? String.fromCharCode(TAG_NUMBER, a ^ 0xffff, b ^ 0xffff, c ^ 0xffff, d ^ 0xffff)
    : String.fromCharCode(TAG_NUMBER, a ^ 0x8000, b, c, d);
}

function encodeBigint(n: bigint): string {
  if (n === 0n) return String.fromCharCode(TAG_BIGINT, 0x8000);
  const negative = n < 0n;
  let m = negative ? -n : n;
  const digits: number[] = [];
  while (m > 0n) {
    digits.push(Number(m & 0xffffn));
    m >>= 16n;
  }
  if (digits.length > 0x7fff) throw new RangeError("bigint key part too large");
  let out = String.fromCharCode(TAG_BIGINT, negative ? 0x8000 - digits.length : 0x8000 + digits.length);
  for (let i = digits.length - 1; i >= 0; i--) out += String.fromCharCode(negative ? 0xffff - digits[i]! : digits[i]!);
  return out;
}

function encodeBytes(bytes: Uint8Array): string {
  let out = "\x01";
  for (let i = 0; i < bytes.length; i++) out += String.fromCharCode(bytes[i]! + 1);
  return out + "\0";
}

/** Encodes one key part (see the module comment). Throws TypeError on an invalid part. */
export function encodeKeyPart(part: KeyPart): string {
  switch (typeof part) {
    case "string": return "\x02" + encodeString(part) + "\0";
    case "number": return encodeNumber(part);
    case "bigint": return encodeBigint(part);
    case "boolean": return part ? "\x06" : "\x05";
    default:
      if (part instanceof Uint8Array) return encodeBytes(part);
      throw invalidPart(part);
  }
}

/**
 * A flat copy of `text`. V8 keeps `a + b` (and template literals, `padStart`) as a tree of
 * cons strings, about 32 bytes a node, until something flattens it; a store keeps its keys for
 * their lifetime, so the memory stores flatten the keys they insert.
 */
export function flatString(text: string): string {
  // Shorter strings are always built flat; `join` of two parts allocates one flat string.
  return text.length < 13 ? text : [text.charAt(0), text.slice(1)].join("");
}

/**
 * Encodes a key to a string that is injective and order-preserving under JS string comparison
 * (`<`), usable as a Map key. Throws TypeError on an invalid key part.
 */
export function encodeKey(key: Key): string {
  if (!Array.isArray(key)) throw new TypeError("key must be an array");
  // Single-part string keys are the common case; skip the loop.
  if (key.length === 1) return encodeKeyPart(key[0]);
  // Joined, not `+=`: concatenation leaves a tree of V8 cons strings (~32 bytes a node, about
  // fifteen for a five-part key) that a store keeping the key would hold for its lifetime.
  const parts = new Array<string>(key.length);
  for (let i = 0; i < key.length; i++) parts[i] = encodeKeyPart(key[i]);
  return parts.join("");
}

/** Throws TypeError unless `key` is a non-empty array of valid key parts (Deno KV's rule for writes). */
export function assertWritableKey(key: Key): void {
  if (!Array.isArray(key)) throw new TypeError("key must be an array");
  if (key.length === 0) throw new TypeError("key cannot be empty");
}

/** The encoded range `[lo, hi)` holding every key strictly under the (encoded) prefix. */
export function prefixRange(encodedPrefix: string): { lo: string; hi: string } {
  return { lo: encodedPrefix + "\x01", hi: encodedPrefix + TAG_END };
}

/** True if `encoded` is the encoding of a key strictly under the prefix encoded as `encodedPrefix`. */
export function isEncodedUnder(encoded: string, encodedPrefix: string): boolean {
  if (encoded.length <= encodedPrefix.length || !encoded.startsWith(encodedPrefix)) return false;
  const tag = encoded.charCodeAt(encodedPrefix.length);
  return tag >= TAG_BYTES && tag <= TAG_TRUE;
}

/** True if `key` is strictly under `prefix` (starts with it part by part and is longer). */
export function isKeyUnder(key: Key, prefix: Key): boolean {
  if (key.length <= prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (compareKeyParts(key[i]!, prefix[i]!) !== 0) return false;
  return true;
}

/** True if `start <= key < end` (either bound may be omitted). */
export function isKeyInRange(key: Key, start?: Key, end?: Key): boolean {
  return (start === undefined || compareKeys(key, start) >= 0) && (end === undefined || compareKeys(key, end) < 0);
}

const decodeView = new DataView(new ArrayBuffer(8));

/**
 * Inverse of `encodeKey`: the key parts an encoded key stands for (fresh values; equal, not
 * identical, to the parts that were encoded). Throws TypeError on a string no key encodes to.
 */
export function decodeKey(s: string): KeyPart[] {
  const parts: KeyPart[] = [];
  let i = 0;
  while (i < s.length) {
    const tag = s.charCodeAt(i++);
    switch (tag) {
      case 1: {
        const start = i;
        while (s.charCodeAt(i) !== 0) i++;
        const bytes = new Uint8Array(i - start);
        for (let j = start; j < i; j++) bytes[j - start] = s.charCodeAt(j) - 1;
        i++;
        parts.push(bytes);
        break;
      }
      case 2: {
        // Plain text (no NUL, no code unit from U+D800 up) is stored as is: one slice.
        const start = i;
        let plain = true;
        for (;;) {
          const c = s.charCodeAt(i);
          if (c === 0) {
            if (s.charCodeAt(i + 1) !== 0xffff) break;
            plain = false;
            i += 2;
          } else if (c !== c) {
            throw new TypeError("corrupt encoded key (unterminated string)");
          } else {
            if (c >= 0xd800) plain = false;
            i++;
          }
        }
        parts.push(plain ? s.slice(start, i) : decodeString(s, start, i));
        i++;
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
        decodeView.setUint16(0, a), decodeView.setUint16(2, b), decodeView.setUint16(4, c), decodeView.setUint16(6, d);
        parts.push(decodeView.getFloat64(0));
        break;
      }
      case 5: parts.push(false); break;
      case 6: parts.push(true); break;
      default: throw new TypeError(`corrupt encoded key (tag ${tag})`);
    }
  }
  return parts;
}

/** The body of an encoded string part `s[start, end)` with escapes and remapped code units undone. */
function decodeString(s: string, start: number, end: number): string {
  const units: number[] = [];
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 0) units.push(0), i++; // "\0\uFFFF" is an escaped NUL
    else if (c < 0xd800) units.push(c);
    // encodeString: surrogates went up by 0x2000, U+E000–U+FFFF down by 0x800.
    else units.push(c >= 0xf800 ? c - 0x2000 : c + 0x800);
  }
  let out = "";
  for (let i = 0; i < units.length; i += 4096) out += String.fromCharCode(...units.slice(i, i + 4096));
  return out;
}
