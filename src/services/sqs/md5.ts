/**
 * The MD5 digests SQS returns so that clients can check what it stored:
 * MD5OfMessageBody (of the UTF-8 body), MD5OfMessageAttributes and MD5OfMessageSystemAttributes.
 *
 * Attribute digests hash, for each attribute sorted by name (UTF-8 byte order): the name, the
 * data type and the value, each as a 4-byte big-endian length then its bytes, with a
 * transport-type byte (1 = String/Number, 2 = Binary) before the value.
 * Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation
 */
import { md5 } from "@noble/hashes/legacy.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { decodeBase64 } from "../../encoding/base64.ts";

/** A message attribute as stored: binary values as base64. */
export interface StoredAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

const encoder = new TextEncoder();

export function md5Hex(text: string): string {
  return bytesToHex(md5(encoder.encode(text)));
}

/** MD5 of a set of attributes in AWS's length-prefixed encoding; undefined for none. */
export function md5OfAttributes(attributes: Record<string, StoredAttribute> | undefined): string | undefined {
  if (!attributes) return undefined;
  const names = Object.keys(attributes).sort(compareUtf8);
  if (names.length === 0) return undefined;
  const parts: Uint8Array[] = [];
  const lengthPrefixed = (bytes: Uint8Array) => {
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, bytes.length);
    parts.push(len, bytes);
  };
  for (const name of names) {
    const attr = attributes[name]!;
    lengthPrefixed(encoder.encode(name));
    lengthPrefixed(encoder.encode(attr.DataType));
    if (attr.BinaryValue !== undefined && attr.StringValue === undefined) {
      parts.push(Uint8Array.of(2));
      lengthPrefixed(decodeBase64(attr.BinaryValue));
    } else {
      parts.push(Uint8Array.of(1));
      lengthPrefixed(encoder.encode(attr.StringValue ?? ""));
    }
  }
  let size = 0;
  for (const p of parts) size += p.length;
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return bytesToHex(md5(all));
}

function compareUtf8(a: string, b: string): number {
  const x = encoder.encode(a), y = encoder.encode(b);
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}
