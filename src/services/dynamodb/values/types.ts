/**
 * DynamoDB attribute values as they travel through the service
 * (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html).
 * B/BS members arrive from the JSON codec as Uint8Array; the store may keep them as base64
 * strings. Every function here accepts both and compares bytes.
 */
import { AwsError } from "../../../protocol/errors.ts";
import { bytesToBase64, decodeBase64 } from "../../../encoding/base64.ts";

export type Binary = Uint8Array | string;

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { B: Binary }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: Record<string, AttributeValue> }
  | { L: AttributeValue[] }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: Binary[] };

export type Item = Record<string, AttributeValue>;

export type AttributeType = "S" | "N" | "B" | "BOOL" | "NULL" | "M" | "L" | "SS" | "NS" | "BS";

export const ATTRIBUTE_TYPES: readonly AttributeType[] = ["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"];

/** The type tag of a (validated) attribute value. */
export function typeOf(value: AttributeValue): AttributeType {
  for (const k in value) return k as AttributeType;
  throw validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
}

/** DynamoDB's 400 ValidationException with the given message. */
export function validation(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

/** Bytes of a binary value (Uint8Array as is, base64 string decoded; stray characters skipped). */
export function toBytes(b: Binary): Uint8Array {
  if (typeof b !== "string") return b;
  let clean = b.replace(/[^A-Za-z0-9+/]/g, "");
  if (clean.length % 4 === 1) clean = clean.slice(0, -1);
  return decodeBase64(clean);
}

/** Base64 text of a binary value (used in messages and for storage). */
export function toBase64(b: Binary): string {
  return typeof b === "string" ? b : bytesToBase64(b);
}

/** Bytewise comparison (negative, zero, positive). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

const encoder = new TextEncoder();
/** UTF-8 bytes of a string. */
export function utf8(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Number of UTF-8 bytes of a string, without allocating. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Compares strings by their UTF-8 bytes (which is code point order). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!, y = b.codePointAt(i)!;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}
