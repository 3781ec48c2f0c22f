/**
 * KMS's cryptography, portable (WebCrypto plus @noble, no `node:` imports): key material
 * generation, AES-256-GCM, RSAES-OAEP, RSASSA-PKCS1-v1_5 / RSASSA-PSS (RAW and DIGEST, on BigInt
 * RSA since WebCrypto cannot sign a precomputed digest), ECDSA on the NIST curves and secp256k1,
 * Ed25519, HMAC and ECDH.
 */
import { base64 } from "@scure/base";
import { hmac } from "@noble/hashes/hmac.js";
import { sha1 } from "@noble/hashes/legacy.js";
import { sha224, sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { p256, p384, p521 } from "@noble/curves/nist.js";
import { secp256k1 } from "@noble/curves/secp256k1.js";
import { ed25519, ed25519ph } from "@noble/curves/ed25519.js";
import { eddsa } from "@noble/curves/abstract/edwards.js";
import { ecPkcs8, ecPointFromSpki, ecSpki, ed25519Pkcs8, ed25519Spki, hex, OID } from "./der.ts";

export interface RsaJwk {
  n: string;
  e: string;
  d: string;
  p: string;
  q: string;
  dp: string;
  dq: string;
  qi: string;
}

/** Key material as stored (base64 text, so snapshots stay JSON). */
export type Material =
  | { kind: "aes"; secret: string }
  | { kind: "hmac"; secret: string }
  | { kind: "rsa"; jwk: RsaJwk; spki: string }
  | { kind: "ec"; secret: string; spki: string }
  | { kind: "ed25519"; secret: string; spki: string };

export const b64 = (bytes: Uint8Array) => base64.encode(bytes);
/** WebCrypto's typings want ArrayBuffer-backed views; ours always are. */
const bs = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>;
export const unb64 = (text: string) => base64.decode(text);

export function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  // getRandomValues fills at most 65536 bytes per call.
  for (let i = 0; i < n; i += 65536) crypto.getRandomValues(out.subarray(i, Math.min(n, i + 65536)));
  return out;
}

const EC_CURVES = {
  ECC_NIST_P256: { curve: p256, oid: OID.p256, hash: sha256 },
  ECC_NIST_P384: { curve: p384, oid: OID.p384, hash: sha384 },
  ECC_NIST_P521: { curve: p521, oid: OID.p521, hash: sha512 },
  ECC_SECG_P256K1: { curve: secp256k1, oid: OID.secp256k1, hash: sha256 },
} as const;
type EcSpec = keyof typeof EC_CURVES;
const isEc = (spec: string): spec is EcSpec => spec in EC_CURVES;

const HMAC_BYTES: Record<string, number> = { HMAC_224: 28, HMAC_256: 32, HMAC_384: 48, HMAC_512: 64 };

/** Fresh key material for a key spec (RSA through WebCrypto's generator). */
export async function generateMaterial(spec: string): Promise<Material> {
  if (spec === "SYMMETRIC_DEFAULT") return { kind: "aes", secret: b64(randomBytes(32)) };
  if (spec in HMAC_BYTES) return { kind: "hmac", secret: b64(randomBytes(HMAC_BYTES[spec])) };
  if (spec.startsWith("RSA_")) {
    const pair = (await crypto.subtle.generateKey(
      { name: "RSA-PSS", modulusLength: Number(spec.slice(4)), publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
      true,
      ["sign", "verify"],
    )) as CryptoKeyPair;
    const jwk = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
    const spki = new Uint8Array(await crypto.subtle.exportKey("spki", pair.publicKey));
    const { n, e, d, p, q, dp, dq, qi } = jwk as Required<JsonWebKey>;
    return { kind: "rsa", jwk: { n, e, d, p, q, dp, dq, qi }, spki: b64(spki) };
  }
  if (isEc(spec)) {
    const { curve, oid } = EC_CURVES[spec];
    const secret = curve.utils.randomSecretKey();
    return { kind: "ec", secret: b64(secret), spki: b64(ecSpki(oid, curve.getPublicKey(secret, false))) };
  }
  if (spec === "ECC_NIST_EDWARDS25519") {
    const seed = ed25519.utils.randomSecretKey();
    return { kind: "ed25519", secret: b64(seed), spki: b64(ed25519Spki(ed25519.getPublicKey(seed))) };
  }
  throw new Error(`no generator for ${spec}`);
}

/** The DER SubjectPublicKeyInfo of an asymmetric key. */
export function publicKeyOf(material: Material): Uint8Array {
  if (material.kind === "aes" || material.kind === "hmac") throw new Error("symmetric key has no public key");
  return unb64(material.spki);
}

/** The PKCS#8 DER private key (GenerateDataKeyPair's PrivateKeyPlaintext). */
export async function privateKeyPkcs8(spec: string, material: Material): Promise<Uint8Array> {
  if (material.kind === "rsa") {
    const key = await crypto.subtle.importKey("jwk", { kty: "RSA", ...material.jwk, ext: true }, { name: "RSA-PSS", hash: "SHA-256" }, true, ["sign"]);
    return new Uint8Array(await crypto.subtle.exportKey("pkcs8", key));
  }
  if (material.kind === "ec" && isEc(spec)) {
    const { curve, oid } = EC_CURVES[spec];
    const secret = unb64(material.secret);
    return ecPkcs8(oid, secret, curve.getPublicKey(secret, false));
  }
  if (material.kind === "ed25519") return ed25519Pkcs8(unb64(material.secret));
  throw new Error("not an asymmetric key");
}

// --- AES-256-GCM -------------------------------------------------------------------------

async function aesKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", bs(unb64(secret)), "AES-GCM", false, ["encrypt", "decrypt"]);
}

export async function aesGcmEncrypt(secret: string, iv: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: bs(iv), additionalData: bs(aad) }, await aesKey(secret), bs(plaintext)));
}

/** null when the tag does not verify (wrong key, context or tampered bytes). */
export async function aesGcmDecrypt(secret: string, iv: Uint8Array, ciphertext: Uint8Array, aad: Uint8Array): Promise<Uint8Array | null> {
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: bs(iv), additionalData: bs(aad) }, await aesKey(secret), bs(ciphertext)));
  } catch {
    return null;
  }
}

// --- RSA -----------------------------------------------------------------------------------

function oaepParams(algorithm: string) {
  return { name: "RSA-OAEP", hash: algorithm === "RSAES_OAEP_SHA_1" ? "SHA-1" : "SHA-256" };
}

export async function rsaOaepEncrypt(material: Material & { kind: "rsa" }, algorithm: string, plaintext: Uint8Array): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("spki", bs(unb64(material.spki)), oaepParams(algorithm), false, ["encrypt"]);
  return new Uint8Array(await crypto.subtle.encrypt({ name: "RSA-OAEP" }, key, bs(plaintext)));
}

export async function rsaOaepDecrypt(material: Material & { kind: "rsa" }, algorithm: string, ciphertext: Uint8Array): Promise<Uint8Array | null> {
  const key = await crypto.subtle.importKey("jwk", { kty: "RSA", ...material.jwk }, oaepParams(algorithm), false, ["decrypt"]);
  try {
    return new Uint8Array(await crypto.subtle.decrypt({ name: "RSA-OAEP" }, key, bs(ciphertext)));
  } catch {
    return null;
  }
}

const bigFrom = (b64url: string) => bytesToBig(base64UrlDecode(b64url));

function base64UrlDecode(text: string): Uint8Array {
  const padded = text.replace(/-/g, "+").replace(/_/g, "/");
  return unb64(padded + "=".repeat((4 - (padded.length % 4)) % 4));
}

function bytesToBig(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function bigToBytes(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  base %= modulus;
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
    exponent >>= 1n;
  }
  return result;
}

const HASHES = { SHA_256: sha256, SHA_384: sha384, SHA_512: sha512 } as const;
type HashName = keyof typeof HASHES;

/** DER DigestInfo prefixes of EMSA-PKCS1-v1_5 (RFC 8017 §9.2, note 1). */
const DIGEST_INFO: Record<HashName, Uint8Array> = {
  SHA_256: hex("3031300d060960864801650304020105000420"),
  SHA_384: hex("3041300d060960864801650304020205000430"),
  SHA_512: hex("3051300d060960864801650304020305000440"),
};

function modBits(n: bigint): number {
  return n.toString(2).length;
}

function mgf1(hash: (typeof HASHES)[HashName], seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (let counter = 0; offset < length; counter++) {
    const block = hash(concat(seed, new Uint8Array([counter >>> 24, (counter >>> 16) & 0xff, (counter >>> 8) & 0xff, counter & 0xff])));
    out.set(block.subarray(0, Math.min(block.length, length - offset)), offset);
    offset += block.length;
  }
  return out;
}

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

function emsaPkcs1(digest: Uint8Array, hashName: HashName, emLen: number): Uint8Array {
  const t = concat(DIGEST_INFO[hashName], digest);
  const em = new Uint8Array(emLen).fill(0xff);
  em[0] = 0;
  em[1] = 1;
  em[emLen - t.length - 1] = 0;
  em.set(t, emLen - t.length);
  return em;
}

function emsaPssEncode(digest: Uint8Array, hashName: HashName, emBits: number): Uint8Array {
  const hash = HASHES[hashName];
  const hLen = digest.length;
  const emLen = Math.ceil(emBits / 8);
  const salt = randomBytes(hLen);
  const h = hash(concat(new Uint8Array(8), digest, salt));
  const db = new Uint8Array(emLen - hLen - 1);
  db[emLen - 2 * hLen - 2] = 1;
  db.set(salt, emLen - 2 * hLen - 1);
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> (8 * emLen - emBits);
  return concat(db, h, new Uint8Array([0xbc]));
}

function emsaPssVerify(digest: Uint8Array, em: Uint8Array, hashName: HashName, emBits: number): boolean {
  const hash = HASHES[hashName];
  const hLen = digest.length;
  const emLen = Math.ceil(emBits / 8);
  if (em.length !== emLen || emLen < 2 * hLen + 2 || em[emLen - 1] !== 0xbc) return false;
  const db = em.slice(0, emLen - hLen - 1);
  const h = em.subarray(emLen - hLen - 1, emLen - 1);
  if (db[0] & ~(0xff >> (8 * emLen - emBits)) & 0xff) return false;
  const mask = mgf1(hash, h, db.length);
  for (let i = 0; i < db.length; i++) db[i] ^= mask[i];
  db[0] &= 0xff >> (8 * emLen - emBits);
  const ps = emLen - 2 * hLen - 2;
  for (let i = 0; i < ps; i++) if (db[i] !== 0) return false;
  if (db[ps] !== 1) return false;
  const salt = db.subarray(db.length - hLen);
  return equalBytes(hash(concat(new Uint8Array(8), digest, salt)), h);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i];
  return diff === 0;
}

function rsaPrivate(jwk: RsaJwk, m: bigint): bigint {
  // CRT (RFC 8017 §5.1.2): two half-size exponentiations.
  const p = bigFrom(jwk.p), q = bigFrom(jwk.q);
  const m1 = modPow(m, bigFrom(jwk.dp), p);
  const m2 = modPow(m, bigFrom(jwk.dq), q);
  const h = (bigFrom(jwk.qi) * (((m1 - m2) % p) + p)) % p;
  return m2 + h * q;
}

// --- Signing -------------------------------------------------------------------------------

/** RFC 8032 dom2 with the prehash flag, as Ed25519ph uses. */
function ed25519Domain(data: Uint8Array, context: Uint8Array, phflag: boolean): Uint8Array {
  const prefix = new TextEncoder().encode("SigEd25519 no Ed25519 collisions");
  return concat(prefix, new Uint8Array([phflag ? 1 : 0, context.length]), context, data);
}

/** Ed25519ph over a SHA-512 digest the caller computed (MessageType DIGEST): prehash is identity. */
const ed25519phDigest = eddsa(ed25519.Point, sha512, {
  adjustScalarBytes: (bytes: Uint8Array) => {
    bytes[0] &= 248;
    bytes[31] &= 127;
    bytes[31] |= 64;
    return bytes;
  },
  domain: ed25519Domain,
  prehash: (digest: Uint8Array) => digest,
});

function edSigner(algorithm: string, isDigest: boolean) {
  if (algorithm !== "ED25519_PH_SHA_512") return ed25519;
  return isDigest ? ed25519phDigest : ed25519ph;
}

/** The hash a signing algorithm uses, for DIGEST length checks and RAW hashing. */
export function signingHash(algorithm: string): HashName | "SHA_512_ED" {
  if (algorithm.startsWith("ED25519")) return "SHA_512_ED";
  return algorithm.slice(-7) as HashName;
}

export function digestLength(algorithm: string): number {
  const hash = signingHash(algorithm);
  return hash === "SHA_256" ? 32 : hash === "SHA_384" ? 48 : 64;
}

/**
 * Signs `message` (RAW) or a precomputed `digest` (DIGEST). ECDSA signatures are DER, as KMS
 * returns them; RSA signatures are k bytes; Ed25519 64 bytes.
 */
export function sign(spec: string, material: Material, algorithm: string, message: Uint8Array, isDigest: boolean): Uint8Array {
  if (material.kind === "rsa") {
    const hashName = signingHash(algorithm) as HashName;
    const digest = isDigest ? message : HASHES[hashName](message);
    const n = bigFrom(material.jwk.n);
    const bits = modBits(n);
    const k = Math.ceil(bits / 8);
    const em = algorithm.startsWith("RSASSA_PSS") ? emsaPssEncode(digest, hashName, bits - 1) : emsaPkcs1(digest, hashName, k);
    return bigToBytes(rsaPrivate(material.jwk, bytesToBig(em)), k);
  }
  if (material.kind === "ec" && isEc(spec)) {
    const { curve, hash } = EC_CURVES[spec];
    const digest = isDigest ? message : hash(message);
    return curve.sign(digest, unb64(material.secret), { prehash: false, format: "der" });
  }
  if (material.kind === "ed25519") {
    return edSigner(algorithm, isDigest).sign(message, unb64(material.secret));
  }
  throw new Error("not a signing key");
}

export function verify(spec: string, material: Material, algorithm: string, message: Uint8Array, isDigest: boolean, signature: Uint8Array): boolean {
  try {
    if (material.kind === "rsa") {
      const hashName = signingHash(algorithm) as HashName;
      const digest = isDigest ? message : HASHES[hashName](message);
      const n = bigFrom(material.jwk.n);
      const bits = modBits(n);
      const k = Math.ceil(bits / 8);
      if (signature.length !== k) return false;
      const s = bytesToBig(signature);
      if (s >= n) return false;
      const m = modPow(s, bigFrom(material.jwk.e), n);
      if (algorithm.startsWith("RSASSA_PSS")) {
        const emLen = Math.ceil((bits - 1) / 8);
        return emsaPssVerify(digest, bigToBytes(m, emLen), hashName, bits - 1);
      }
      return equalBytes(bigToBytes(m, k), emsaPkcs1(digest, hashName, k));
    }
    if (material.kind === "ec" && isEc(spec)) {
      const { curve, hash, oid } = EC_CURVES[spec];
      const digest = isDigest ? message : hash(message);
      return curve.verify(signature, digest, ecPointFromSpki(unb64(material.spki), oid), { prehash: false, format: "der", lowS: false });
    }
    if (material.kind === "ed25519") {
      return edSigner(algorithm, isDigest).verify(signature, message, ed25519.getPublicKey(unb64(material.secret)));
    }
  } catch {
    return false;
  }
  return false;
}

// --- HMAC and ECDH -------------------------------------------------------------------------

const MAC_HASHES = { HMAC_SHA_224: sha224, HMAC_SHA_256: sha256, HMAC_SHA_384: sha384, HMAC_SHA_512: sha512 } as const;

export function mac(algorithm: string, secret: string, message: Uint8Array): Uint8Array {
  return hmac(MAC_HASHES[algorithm as keyof typeof MAC_HASHES], unb64(secret), message);
}

/** ECDH: the x coordinate of the shared point, as KMS's DeriveSharedSecret returns it. */
export function ecdh(spec: string, material: Material, peerSpki: Uint8Array): Uint8Array {
  if (material.kind !== "ec" || !isEc(spec)) throw new Error("not an ECDH key");
  const { curve, oid } = EC_CURVES[spec];
  const point = ecPointFromSpki(peerSpki, oid);
  const shared = curve.getSharedSecret(unb64(material.secret), point, true);
  return shared.subarray(1);
}

export { sha1 };
