/**
 * Just enough DER (X.690) for KMS keys: SubjectPublicKeyInfo and PKCS#8 PrivateKeyInfo for EC and
 * Ed25519 keys (RFC 5480, RFC 5915, RFC 8410), and a reader to take a peer's SPKI apart.
 */

function lengthBytes(length: number): number[] {
  if (length < 0x80) return [length];
  const out: number[] = [];
  for (let n = length; n > 0; n >>= 8) out.unshift(n & 0xff);
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const header = [tag, ...lengthBytes(length)];
  const out = new Uint8Array(header.length + length);
  out.set(header, 0);
  let offset = header.length;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export const seq = (...parts: Uint8Array[]) => tlv(0x30, ...parts);
export const octets = (bytes: Uint8Array) => tlv(0x04, bytes);
export const bitString = (bytes: Uint8Array) => tlv(0x03, new Uint8Array([0]), bytes);
export const hex = (text: string) => Uint8Array.from(text.match(/../g)!.map((h) => parseInt(h, 16)));

/** DER-encoded OBJECT IDENTIFIERs (tag included). */
export const OID = {
  ecPublicKey: hex("06072a8648ce3d0201"),
  p256: hex("06082a8648ce3d030107"),
  p384: hex("06052b81040022"),
  p521: hex("06052b81040023"),
  secp256k1: hex("06052b8104000a"),
  ed25519: hex("06032b6570"),
};

/** SubjectPublicKeyInfo of an EC point (uncompressed) on a named curve. */
export function ecSpki(curveOid: Uint8Array, point: Uint8Array): Uint8Array {
  return seq(seq(OID.ecPublicKey, curveOid), bitString(point));
}

/** PKCS#8 PrivateKeyInfo wrapping an RFC 5915 ECPrivateKey. */
export function ecPkcs8(curveOid: Uint8Array, secret: Uint8Array, point: Uint8Array): Uint8Array {
  const ecPrivateKey = seq(hex("020101"), octets(secret), tlv(0xa1, bitString(point)));
  return seq(hex("020100"), seq(OID.ecPublicKey, curveOid), octets(ecPrivateKey));
}

export function ed25519Spki(publicKey: Uint8Array): Uint8Array {
  return seq(seq(OID.ed25519), bitString(publicKey));
}

export function ed25519Pkcs8(seed: Uint8Array): Uint8Array {
  return seq(hex("020100"), seq(OID.ed25519), octets(octets(seed)));
}

interface Node {
  tag: number;
  body: Uint8Array;
  end: number;
}

function read(bytes: Uint8Array, offset: number): Node {
  if (offset + 2 > bytes.length) throw new Error("truncated DER");
  const tag = bytes[offset];
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new Error("bad DER length");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
    start += count;
  }
  if (start + length > bytes.length) throw new Error("truncated DER");
  return { tag, body: bytes.subarray(start, start + length), end: start + length };
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The curve OID (tag included) and the public key bits of an SPKI; throws on anything else. */
export function parseSpki(spki: Uint8Array): { algorithm: Uint8Array; parameters?: Uint8Array; key: Uint8Array } {
  const outer = read(spki, 0);
  if (outer.tag !== 0x30 || outer.end !== spki.length) throw new Error("not a SEQUENCE");
  const algorithm = read(outer.body, 0);
  if (algorithm.tag !== 0x30) throw new Error("no AlgorithmIdentifier");
  const oid = read(algorithm.body, 0);
  const oidBytes = algorithm.body.subarray(0, oid.end);
  const parameters = oid.end < algorithm.body.length ? algorithm.body.subarray(oid.end, read(algorithm.body, oid.end).end) : undefined;
  const bits = read(outer.body, algorithm.end);
  if (bits.tag !== 0x03 || bits.body[0] !== 0) throw new Error("no BIT STRING");
  return { algorithm: oidBytes, parameters, key: bits.body.subarray(1) };
}

/** The uncompressed point of an EC SPKI on the named curve, or throws. */
export function ecPointFromSpki(spki: Uint8Array, curveOid: Uint8Array): Uint8Array {
  const parsed = parseSpki(spki);
  if (!equal(parsed.algorithm, OID.ecPublicKey) || !parsed.parameters || !equal(parsed.parameters, curveOid)) {
    throw new Error("wrong curve");
  }
  return parsed.key;
}
