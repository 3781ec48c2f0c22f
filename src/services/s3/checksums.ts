/**
 * S3 object integrity: streaming digests (MD5 for ETags; the flexible checksums CRC32, CRC32C,
 * CRC64NVME, SHA1, SHA256), their base64 wire form, and the multipart forms: the ETag
 * `"<md5 of the parts' md5 bytes>-N"`, COMPOSITE checksums (`<base64 of the checksum of the
 * parts' checksum bytes>-N`) and FULL_OBJECT CRCs combined from the parts' CRCs and sizes.
 *
 * Which checksum type each algorithm supports (FULL_OBJECT: CRC64NVME, CRC32, CRC32C;
 * COMPOSITE: CRC32, CRC32C, SHA1, SHA256) and the defaults come from
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html
 */
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js";
import { Crc32 } from "@aws-crypto/crc32";
import { Crc32c } from "@aws-crypto/crc32c";
import { Crc64Nvme } from "@aws-sdk/crc64-nvme";
import { createCRC32, createCRC64, createMD5, createSHA1, createSHA256, type IHasher } from "hash-wasm";
import { base64ToBytes, bytesToBase64 } from "../../encoding/base64.ts";

export type ChecksumAlgorithm = "CRC32" | "CRC32C" | "CRC64NVME" | "SHA1" | "SHA256";
export type ChecksumType = "FULL_OBJECT" | "COMPOSITE";

export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"];

/** Digest sizes in bytes, to reject checksum values of the wrong length. */
const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { CRC32: 4, CRC32C: 4, CRC64NVME: 8, SHA1: 20, SHA256: 32 };

/** A stored checksum: algorithm, base64 value (with `-N` for COMPOSITE multipart) and type. */
export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  value: string;
  type: ChecksumType;
}

/** An incremental digest over a byte stream. */
export interface StreamingDigest {
  update(bytes: Uint8Array): void;
  /** The raw digest bytes (big-endian for CRCs). */
  digest(): Promise<Uint8Array>;
}

function uint32Bytes(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0);
  return out;
}

function crcDigest(make: () => { update(b: Uint8Array): unknown; digest(): number }): StreamingDigest {
  const state = make();
  return {
    update: (b) => void state.update(b),
    digest: async () => uint32Bytes(state.digest()),
  };
}

function nobleDigest(hash: typeof md5): StreamingDigest {
  const state = hash.create();
  return {
    update: (b) => void state.update(b),
    digest: async () => state.digest(),
  };
}

// ---------------------------------------------------------------------------------------------
// Fast digests on every runtime. Object bodies are hashed byte by byte on every upload (MD5 for
// the ETag plus a checksum, CRC64NVME when none is asked for), and pure JS runs at a fraction of
// native speed. Order of preference: Node's built-in `crypto` and `zlib.crc32` where the runtime
// has them (feature-detected through `process.getBuiltinModule`, no import), then hash-wasm's
// WebAssembly (Node, Deno; workerd refuses to compile WebAssembly at run time, so the first
// failure switches to the next), then @noble/@aws-crypto/@aws-sdk in JS.

interface NativeHash {
  update(data: Uint8Array): unknown;
  digest(): Uint8Array;
}
interface NativeModules {
  createHash?: (name: string) => NativeHash;
  crc32?: (data: Uint8Array, value?: number) => number;
}

/** Which implementations `createDigest` may use: `native` = native, then WASM, then JS. */
export type DigestBackend = "native" | "wasm" | "portable";

let backend: DigestBackend = "native";
let native: NativeModules | undefined;
/** Set once WebAssembly failed to instantiate (workerd): JS from then on. */
let wasmUnavailable = false;

function nativeModules(): NativeModules {
  if (backend !== "native") return {};
  if (native) return native;
  native = {};
  try {
    const get = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
    if (typeof get === "function") {
      const crypto = get("node:crypto") as { createHash?: NativeModules["createHash"] } | undefined;
      const zlib = get("node:zlib") as { crc32?: NativeModules["crc32"] } | undefined;
      if (typeof crypto?.createHash === "function") native.createHash = crypto.createHash;
      if (typeof zlib?.crc32 === "function") native.crc32 = zlib.crc32;
    }
  } catch {
    native = {};
  }
  return native;
}

/** Chooses the digest implementations (tests exercise each; default `native`). */
export function useDigestBackend(choice: DigestBackend): void {
  backend = choice;
  native = undefined;
}

/** Turns native digests off (portable JS) or on (native, then WASM, then JS). */
export function useNativeDigests(enabled: boolean): void {
  useDigestBackend(enabled ? "native" : "portable");
}

function nativeHash(createHash: NonNullable<NativeModules["createHash"]>, name: string): StreamingDigest {
  const state = createHash(name);
  return {
    update: (b) => void state.update(b),
    digest: async () => {
      const out = state.digest();
      return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
    },
  };
}

function nativeCrc32(crc32: NonNullable<NativeModules["crc32"]>): StreamingDigest {
  let value = 0;
  return {
    update: (b) => void (value = crc32(b, value)),
    digest: async () => uint32Bytes(value),
  };
}

type DigestName = ChecksumAlgorithm | "MD5";

const WASM_HASHERS: Record<DigestName, () => Promise<IHasher>> = {
  MD5: createMD5,
  SHA1: createSHA1,
  SHA256: createSHA256,
  CRC32: () => createCRC32(),
  CRC32C: () => createCRC32(0x82f63b78),
  // CRC-64/NVME: reflected polynomial 0xAD93D23594C93659, initial and final XOR all ones.
  CRC64NVME: () => createCRC64("9a6c9329ac4bc9b5"),
};

/**
 * One WASM instance per algorithm, shared by every digest in flight. Instantiating one takes
 * milliseconds, and hash-wasm queues every instantiation behind one lock, so a hasher per upload
 * made concurrent PUTs wait in line for instances (seconds at 256 connections) and held a
 * WebAssembly memory each. Updates are synchronous, so one instance suffices: the digest using
 * it is its `owner`, and another digest switching in saves the owner's state (a few bytes) and
 * loads its own. Sequential uploads never switch.
 */
interface SharedHasher {
  hasher: IHasher;
  owner: WasmState | undefined;
}
/** A digest's state while another digest holds the instance (undefined: not started). */
interface WasmState {
  saved: Uint8Array | undefined;
}
const shared = new Map<DigestName, SharedHasher | Promise<SharedHasher>>();

function sharedHasher(name: DigestName): SharedHasher | Promise<SharedHasher> {
  let entry = shared.get(name);
  if (!entry) {
    const created = WASM_HASHERS[name]().then((hasher) => {
      const ready: SharedHasher = { hasher, owner: undefined };
      shared.set(name, ready);
      return ready;
    });
    // A failure (workerd) is not cached here: `wasmUnavailable` routes later digests to JS.
    created.catch(() => shared.delete(name));
    shared.set(name, (entry = created));
  }
  return entry;
}

/** Makes `state` the owner of the instance: saves the previous owner's state, restores or starts this one. */
function switchTo(entry: SharedHasher, state: WasmState): IHasher {
  const { hasher } = entry;
  if (entry.owner === state) return hasher;
  if (entry.owner) entry.owner.saved = hasher.save();
  if (state.saved) hasher.load(state.saved);
  else hasher.init();
  entry.owner = state;
  return hasher;
}

/**
 * A WASM digest on the algorithm's shared instance. The first of each algorithm instantiates
 * asynchronously: bytes given before it is ready are kept (references, not copies) and fed in
 * order once it is.
 */
function wasmDigest(name: DigestName): StreamingDigest {
  const state: WasmState = { saved: undefined };
  const first = sharedHasher(name);
  let entry = first instanceof Promise ? undefined : first;
  let fallback: StreamingDigest | undefined;
  let pending: Uint8Array[] = [];
  const ready = entry ? undefined : (first as Promise<SharedHasher>).then(
    (e) => {
      entry = e;
      const h = switchTo(e, state);
      for (const b of pending) h.update(b);
    },
    () => {
      wasmUnavailable = true;
      fallback = portableDigest(name);
      for (const b of pending) fallback.update(b);
    },
  ).finally(() => {
    pending = [];
  });
  return {
    update(b) {
      if (entry) switchTo(entry, state).update(b);
      else if (fallback) fallback.update(b);
      else pending.push(b);
    },
    async digest() {
      await ready;
      if (fallback) return fallback.digest();
      const e = entry!;
      const out = switchTo(e, state).digest("binary");
      e.owner = undefined;
      return out;
    },
  };
}

function portableDigest(algorithm: DigestName): StreamingDigest {
  switch (algorithm) {
    case "MD5":
      return nobleDigest(md5);
    case "SHA1":
      return nobleDigest(sha1);
    case "SHA256":
      return nobleDigest(sha256 as unknown as typeof md5);
    case "CRC32":
      return crcDigest(() => new Crc32());
    case "CRC32C":
      return crcDigest(() => new Crc32c());
    case "CRC64NVME": {
      const state = new Crc64Nvme();
      return { update: (b) => state.update(b), digest: () => state.digest() };
    }
  }
}

/** A fresh streaming digest for `algorithm` (or MD5): native, else WASM, else JS (see above). */
export function createDigest(algorithm: DigestName): StreamingDigest {
  const { createHash, crc32 } = nativeModules();
  if (createHash && (algorithm === "MD5" || algorithm === "SHA1" || algorithm === "SHA256")) {
    return nativeHash(createHash, algorithm.toLowerCase());
  }
  if (crc32 && algorithm === "CRC32") return nativeCrc32(crc32);
  if (backend !== "portable" && !wasmUnavailable) return wasmDigest(algorithm);
  return portableDigest(algorithm);
}

/** The base64 checksum of `bytes`, as S3 sends it in `x-amz-checksum-*`. */
export async function checksumBase64(algorithm: ChecksumAlgorithm, bytes: Uint8Array): Promise<string> {
  const d = createDigest(algorithm);
  d.update(bytes);
  return bytesToBase64(await d.digest());
}

/** Parses an algorithm name as clients send it (any case); undefined when unknown. */
export function parseAlgorithm(text: string | null | undefined): ChecksumAlgorithm | undefined {
  if (!text) return undefined;
  const upper = text.trim().toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(upper) ? (upper as ChecksumAlgorithm) : undefined;
}

/** `x-amz-checksum-crc32` etc. */
export function checksumHeaderName(algorithm: ChecksumAlgorithm): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

/** The model member carrying the checksum (`ChecksumCRC32`, ...). */
/** The input/output member carrying an algorithm's checksum (`ChecksumCRC32`, …). */
export type ChecksumMember = `Checksum${ChecksumAlgorithm}`;

export function checksumMemberName(algorithm: ChecksumAlgorithm): ChecksumMember {
  return `Checksum${algorithm}`;
}

/** True when `value` is base64 of the algorithm's digest length (full-object form, no `-N`). */
export function isWellFormedChecksum(algorithm: ChecksumAlgorithm, value: string): boolean {
  const bytes = base64ToBytes(value);
  return typeof bytes !== "string" && bytes.length === DIGEST_BYTES[algorithm];
}

/** The checksum types an algorithm supports, default first (AWS: CRC64NVME is full-object only). */
export function supportedChecksumTypes(algorithm: ChecksumAlgorithm): ChecksumType[] {
  switch (algorithm) {
    case "CRC64NVME":
      return ["FULL_OBJECT"];
    case "CRC32":
    case "CRC32C":
      return ["COMPOSITE", "FULL_OBJECT"];
    default:
      return ["COMPOSITE"];
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) out.set(p, offset), (offset += p.length);
  return out;
}

/** A multipart object's ETag, quoted: `"<md5 of the concatenated part md5 bytes>-N"`. */
export function multipartEtag(partMd5Hex: string[]): string {
  const digest = md5(concat(partMd5Hex.map((h) => hexToBytes(h.replace(/"/g, "")))));
  return `"${bytesToHex(digest)}-${partMd5Hex.length}"`;
}

/**
 * A COMPOSITE multipart checksum: the checksum of the concatenated raw part checksums, base64,
 * with `-N` for N parts.
 */
export async function compositeChecksum(algorithm: ChecksumAlgorithm, partChecksums: string[]): Promise<string> {
  const raw = partChecksums.map((c) => {
    const bytes = base64ToBytes(c);
    if (typeof bytes === "string") throw new Error(`bad stored checksum ${c}`);
    return bytes;
  });
  return `${await checksumBase64(algorithm, concat(raw))}-${partChecksums.length}`;
}

// ---------------------------------------------------------------------------------------------
// FULL_OBJECT CRCs of multipart uploads: crc(A || B) from crc(A), crc(B) and len(B), as zlib's
// crc32_combine does, over GF(2) polynomials in the reflected bit order these CRCs use.

const REFLECTED_POLY: Partial<Record<ChecksumAlgorithm, { poly: bigint; width: bigint }>> = {
  CRC32: { poly: 0xedb88320n, width: 32n },
  CRC32C: { poly: 0x82f63b78n, width: 32n },
  CRC64NVME: { poly: 0x9a6c9329ac4bc9b5n, width: 64n },
};

/** a(x)·b(x) mod p(x), reflected representation (the top bit is x^0). */
function multModP(a: bigint, b: bigint, poly: bigint, width: bigint): bigint {
  let m = 1n << (width - 1n);
  let p = 0n;
  while (m !== 0n) {
    if (a & m) p ^= b;
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ poly : b >> 1n;
  }
  return p;
}

/** x^(8·bytes) mod p(x). */
function xPowBytes(bytes: number, poly: bigint, width: bigint): bigint {
  let result = 1n << (width - 1n); // x^0
  let base = 1n << (width - 9n); // x^8
  let n = BigInt(bytes);
  while (n > 0n) {
    if (n & 1n) result = multModP(result, base, poly, width);
    base = multModP(base, base, poly, width);
    n >>= 1n;
  }
  return result;
}

function bytesToBigint(bytes: Uint8Array): bigint {
  let n = 0n;
  for (const b of bytes) n = (n << 8n) | BigInt(b);
  return n;
}

function bigintToBytes(n: bigint, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) out[i] = Number(n & 0xffn), (n >>= 8n);
  return out;
}

/** True for the algorithms whose parts combine into a FULL_OBJECT checksum. */
export function isCombinable(algorithm: ChecksumAlgorithm): boolean {
  return algorithm in REFLECTED_POLY;
}

/**
 * The FULL_OBJECT checksum (base64) of the concatenation of parts given each part's base64 CRC
 * and size, without reading the bytes again.
 */
export function combineCrcs(algorithm: ChecksumAlgorithm, parts: { checksum: string; size: number }[]): string {
  const spec = REFLECTED_POLY[algorithm];
  if (!spec) throw new Error(`${algorithm} checksums do not combine`);
  const length = Number(spec.width / 8n);
  let crc = 0n;
  let first = true;
  for (const part of parts) {
    const bytes = base64ToBytes(part.checksum);
    if (typeof bytes === "string") throw new Error(`bad stored checksum ${part.checksum}`);
    const value = bytesToBigint(bytes);
    crc = first ? value : multModP(xPowBytes(part.size, spec.poly, spec.width), crc, spec.poly, spec.width) ^ value;
    first = false;
  }
  if (first) return bytesToBase64(bigintToBytes(0n, length)); // CRC of no bytes
  return bytesToBase64(bigintToBytes(crc, length));
}
