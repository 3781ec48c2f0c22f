/**
 * The ciphertext blob of symmetric Encrypt / GenerateDataKey: it names the key and the key
 * material version it was encrypted under, so Decrypt needs no KeyId and old ciphertexts decrypt
 * after rotation. The header and the encryption context are AES-GCM's additional data, so a
 * changed context or header fails authentication.
 *
 *   0x01 | keyId length (1 byte) | keyId (UTF-8) | key material id (32 bytes) | IV (12) | ciphertext + tag (16)
 */
import { aesGcmDecrypt, aesGcmEncrypt, concat, randomBytes } from "./crypto.ts";

const VERSION = 1;
const encoder = new TextEncoder();

/** The encryption context as canonical bytes (keys sorted), bound into the ciphertext. */
export function contextBytes(context: Record<string, string> | undefined): Uint8Array {
  const sorted = Object.keys(context ?? {}).sort().map((k) => [k, context![k]]);
  return encoder.encode(JSON.stringify(sorted));
}

function hexToBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g)!.map((h) => parseInt(h, 16)));
}

function bytesToHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function seal(keyId: string, materialId: string, secret: string, plaintext: Uint8Array, context?: Record<string, string>): Promise<Uint8Array> {
  const id = encoder.encode(keyId);
  const header = concat(new Uint8Array([VERSION, id.length]), id, hexToBytes(materialId));
  const iv = randomBytes(12);
  const body = await aesGcmEncrypt(secret, iv, plaintext, concat(header, contextBytes(context)));
  return concat(header, iv, body);
}

export interface ParsedBlob {
  keyId: string;
  materialId: string;
  header: Uint8Array;
  iv: Uint8Array;
  body: Uint8Array;
}

/** Takes a blob apart; null when it is not one of ours. */
export function parseBlob(blob: Uint8Array): ParsedBlob | null {
  if (blob.length < 2 || blob[0] !== VERSION) return null;
  const idLength = blob[1];
  const headerLength = 2 + idLength + 32;
  if (blob.length < headerLength + 12 + 16) return null;
  const keyId = new TextDecoder().decode(blob.subarray(2, 2 + idLength));
  return {
    keyId,
    materialId: bytesToHex(blob.subarray(2 + idLength, headerLength)),
    header: blob.subarray(0, headerLength),
    iv: blob.subarray(headerLength, headerLength + 12),
    body: blob.subarray(headerLength + 12),
  };
}

export async function open(parsed: ParsedBlob, secret: string, context?: Record<string, string>): Promise<Uint8Array | null> {
  return aesGcmDecrypt(secret, parsed.iv, parsed.body, concat(parsed.header, contextBytes(context)));
}
