/**
 * Message signatures that verify: each account and region gets an RSA-2048 key and a
 * self-signed certificate (kept in the store, so snapshots keep them), served at the
 * SigningCertURL (`/_fetchstack/services/sns/SimpleNotificationService.pem?account=&region=`).
 * SignatureVersion 1 signs with SHA1withRSA, 2 with SHA256withRSA, over AWS's canonical
 * "Name\nValue\n" string of the message's fields.
 * Source: https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html
 */
import { withLock } from "../../store/mutex.ts";
import type { Store } from "../../store/types.ts";
import { bitString, explicit, integer, nullValue, oid, pem, sequence, set, utcTime, utf8String } from "./der.ts";

const RSA = { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
const SHA256_WITH_RSA = "1.2.840.113549.1.1.11";
const COMMON_NAME = "2.5.4.3";

export interface SigningKey {
  /** PKCS#8, base64. */
  privateKey: string;
  /** The certificate, PEM. */
  certificate: string;
}

const KEY = ["key"] as const;

function b64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function unb64(text: string): Uint8Array<ArrayBuffer> {
  const s = atob(text);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

async function generate(now: number): Promise<SigningKey> {
  const pair = (await crypto.subtle.generateKey(RSA, true, ["sign", "verify"])) as CryptoKeyPair;
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
  const name = sequence(set(sequence(oid(COMMON_NAME), utf8String("sns.amazonaws.com (fetchstack)"))));
  const algorithm = sequence(oid(SHA256_WITH_RSA), nullValue());
  const serial = crypto.getRandomValues(new Uint8Array(16));
  serial[0]! &= 0x7f;
  const from = new Date(now - 24 * 3600 * 1000);
  const to = new Date(Math.min(now + 20 * 365 * 24 * 3600 * 1000, Date.UTC(2049, 11, 31)));
  const tbs = sequence(explicit(0, integer(Uint8Array.of(2))), integer(serial), algorithm, name, sequence(utcTime(from), utcTime(to)), name, spki);
  const signature = new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", pair.privateKey, tbs as Uint8Array<ArrayBuffer>));
  const certificate = sequence(tbs, algorithm, bitString(signature));
  const pkcs8 = new Uint8Array(await crypto.subtle.exportKey("pkcs8", pair.privateKey));
  return { privateKey: b64(pkcs8), certificate: pem("CERTIFICATE", certificate) };
}

/** The account and region's signing key, created on first use. `lockName` serializes creation. */
export async function signingKey(store: Store, lockName: string, now: number): Promise<SigningKey> {
  const existing = (await store.get<SigningKey>(KEY)).value;
  if (existing) return existing;
  return withLock(`sns-key/${lockName}`, async () => {
    const again = (await store.get<SigningKey>(KEY)).value;
    if (again) return again;
    const key = await generate(now);
    await store.set(KEY, key);
    return key;
  });
}

/** The certificate PEM, or null when no message has been signed yet in that account and region. */
export async function certificate(store: Store): Promise<string | null> {
  return (await store.get<SigningKey>(KEY)).value?.certificate ?? null;
}

/** Imported keys by PKCS#8 text and hash (a cache of immutable values, not state). */
const imported = new Map<string, Promise<CryptoKey>>();

function importKey(pkcs8: string, hash: "SHA-1" | "SHA-256"): Promise<CryptoKey> {
  const cacheKey = `${hash}:${pkcs8}`;
  let key = imported.get(cacheKey);
  if (!key) {
    key = crypto.subtle.importKey("pkcs8", unb64(pkcs8), { name: "RSASSA-PKCS1-v1_5", hash }, false, ["sign"]);
    if (imported.size > 64) imported.clear();
    imported.set(cacheKey, key);
  }
  return key;
}

/** Fields AWS signs, in order, for each message type (absent fields are skipped). */
const SIGNED_FIELDS: Record<string, string[]> = {
  Notification: ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"],
  SubscriptionConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
  UnsubscribeConfirmation: ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"],
};

/** The canonical string AWS signs for a message. */
export function stringToSign(message: Record<string, unknown>): string {
  let out = "";
  for (const field of SIGNED_FIELDS[String(message.Type)] ?? SIGNED_FIELDS.Notification!) {
    const value = message[field];
    if (value === undefined || value === null) continue;
    out += `${field}\n${String(value)}\n`;
  }
  return out;
}

/** Base64 signature of `message` with SHA1withRSA (version "1") or SHA256withRSA ("2"). */
export async function sign(key: SigningKey, version: string, message: Record<string, unknown>): Promise<string> {
  const cryptoKey = await importKey(key.privateKey, version === "2" ? "SHA-256" : "SHA-1");
  const data = new TextEncoder().encode(stringToSign(message));
  return b64(new Uint8Array(await crypto.subtle.sign("RSASSA-PKCS1-v1_5", cryptoKey, data)));
}
