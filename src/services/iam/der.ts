/**
 * The little X.509 and PEM reading IAM's certificates need, with web-standard crypto only: a
 * certificate's validity and public key (DER), and whether a private key (PKCS#8, PKCS#1 RSA or
 * SEC1 EC, PEM) belongs to it.
 */
import { decodeBase64 } from "../../encoding/base64.ts";

interface Tlv {
  /** Offset of the tag byte. */
  head: number;
  tag: number;
  start: number;
  end: number;
}

function readTlv(der: Uint8Array, at: number): Tlv {
  const tag = der[at];
  let len = der[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n < 1 || n > 4) throw new Error("bad DER length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  if (tag === undefined || start + len > der.length) throw new Error("truncated DER");
  return { head: at, tag, start, end: start + len };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.start; at < parent.end;) {
    const tlv = readTlv(der, at);
    out.push(tlv);
    at = tlv.end;
  }
  return out;
}

function derTime(der: Uint8Array, tlv: Tlv): number {
  const text = new TextDecoder().decode(der.subarray(tlv.start, tlv.end));
  const m = (tlv.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/ : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/).exec(text);
  if (!m) throw new Error("bad time");
  let year = Number(m[1]);
  if (tlv.tag === 0x17) year += year < 50 ? 2000 : 1900;
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

/** The DER of every `-----BEGIN <label>-----` block of `pem`, in order. */
export function pemBlocks(pem: string): { label: string; der: Uint8Array }[] {
  const out: { label: string; der: Uint8Array }[] = [];
  for (const m of pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g)) {
    out.push({ label: m[1], der: decodeBase64(m[2].replace(/\s+/g, "")) });
  }
  return out;
}

export interface CertificateInfo {
  notBefore: number;
  notAfter: number;
  /** SubjectPublicKeyInfo, DER. */
  spki: Uint8Array;
}

/** Validity and public key of the first certificate in `pem`; null when it is no certificate. */
export function parseCertificate(pem: string): CertificateInfo | null {
  const block = pemBlocks(pem)[0];
  return block?.label === "CERTIFICATE" ? parseCertificateDer(block.der) : null;
}

/** Validity and public key of a DER certificate; null when it is none. */
export function parseCertificateDer(der: Uint8Array): CertificateInfo | null {
  try {
    const cert = readTlv(der, 0);
    const tbs = children(der, cert)[0];
    const fields = children(der, tbs);
    const offset = fields[0].tag === 0xa0 ? 1 : 0; // [0] version
    const validity = children(der, fields[offset + 3]);
    const spki = fields[offset + 5];
    if (cert.tag !== 0x30 || tbs.tag !== 0x30 || spki.tag !== 0x30) return null;
    return { notBefore: derTime(der, validity[0]), notAfter: derTime(der, validity[1]), spki: der.slice(spki.head, spki.end) };
  } catch {
    return null;
  }
}

// ---- keys ----

const RSA_OID = [0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01];
const EC_OID = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];
const CURVES: [string, number[]][] = [
  ["P-256", [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]],
  ["P-384", [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22]],
  ["P-521", [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23]],
];

function derOf(tag: number, content: Uint8Array | number[]): Uint8Array {
  const body = content instanceof Uint8Array ? content : new Uint8Array(content);
  const len = body.length;
  const head = len < 0x80 ? [tag, len] : len < 0x100 ? [tag, 0x81, len] : len < 0x10000 ? [tag, 0x82, len >> 8, len & 0xff] : [tag, 0x83, len >> 16, (len >> 8) & 0xff, len & 0xff];
  const out = new Uint8Array(head.length + len);
  out.set(head);
  out.set(body, head.length);
  return out;
}

const concat = (...parts: (Uint8Array | number[])[]) => {
  const arrays = parts.map((p) => (p instanceof Uint8Array ? p : new Uint8Array(p)));
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
};

const contains = (hay: Uint8Array, needle: number[]) => {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
};

type KeyAlgorithm = RsaHashedImportParams | EcKeyImportParams;

function algorithmOf(der: Uint8Array): KeyAlgorithm | null {
  if (contains(der, RSA_OID)) return { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
  if (contains(der, EC_OID)) {
    const curve = CURVES.find(([, oid]) => contains(der, oid));
    return curve ? { name: "ECDSA", namedCurve: curve[0] } : null;
  }
  return null;
}

/** The private key of `pem` as PKCS#8 DER and its algorithm; null when it is none we read. */
function privateKeyPkcs8(pem: string): { der: Uint8Array; algorithm: KeyAlgorithm } | null {
  const block = pemBlocks(pem)[0];
  if (!block) return null;
  let der = block.der;
  if (block.label === "RSA PRIVATE KEY") {
    der = derOf(0x30, concat([0x02, 0x01, 0x00], derOf(0x30, concat(RSA_OID, [0x05, 0x00])), derOf(0x04, der)));
  } else if (block.label === "EC PRIVATE KEY") {
    const curve = CURVES.find(([, oid]) => contains(block.der, oid));
    if (!curve) return null;
    der = derOf(0x30, concat([0x02, 0x01, 0x00], derOf(0x30, concat(EC_OID, curve[1])), derOf(0x04, der)));
  } else if (block.label !== "PRIVATE KEY") return null;
  const algorithm = algorithmOf(der);
  return algorithm ? { der, algorithm } : null;
}

/**
 * Whether `keyPem` is the private key of the certificate's public key: "malformed" when the key
 * cannot be read, else true/false.
 */
export async function keyMatches(cert: CertificateInfo, keyPem: string): Promise<boolean | "malformed"> {
  const key = privateKeyPkcs8(keyPem);
  if (!key) return "malformed";
  let privateJwk: JsonWebKey;
  try {
    privateJwk = await crypto.subtle.exportKey("jwk", await crypto.subtle.importKey("pkcs8", key.der as Uint8Array<ArrayBuffer>, key.algorithm, true, ["sign"]));
  } catch {
    return "malformed";
  }
  const publicAlgorithm = algorithmOf(cert.spki);
  if (!publicAlgorithm || publicAlgorithm.name !== key.algorithm.name) return false;
  try {
    const publicJwk = await crypto.subtle.exportKey("jwk", await crypto.subtle.importKey("spki", cert.spki as Uint8Array<ArrayBuffer>, publicAlgorithm, true, ["verify"]));
    return publicAlgorithm.name === "ECDSA"
      ? publicJwk.crv === privateJwk.crv && publicJwk.x === privateJwk.x && publicJwk.y === privateJwk.y
      : publicJwk.n === privateJwk.n && publicJwk.e === privateJwk.e;
  } catch {
    return false;
  }
}
