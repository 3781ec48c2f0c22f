/**
 * Just enough DER to build a self-signed X.509 v3 certificate for the message-signing key
 * (RFC 5280 §4.1), with WebCrypto's SPKI export as the public key: no dependency, runs on
 * every runtime.
 */

function length(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(content);
  return concat([Uint8Array.of(tag), length(body.length), body]);
}

export const sequence = (...items: Uint8Array[]) => tlv(0x30, ...items);
export const set = (...items: Uint8Array[]) => tlv(0x31, ...items);
export const nullValue = () => Uint8Array.of(0x05, 0x00);

export function integer(bytes: Uint8Array): Uint8Array {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && b[1]! < 0x80) b = b.subarray(1);
  return tlv(0x02, b[0]! >= 0x80 ? concat([Uint8Array.of(0), b]) : b);
}

export function oid(dotted: string): Uint8Array {
  const parts = dotted.split(".").map(Number);
  const bytes: number[] = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [];
    let v = part;
    do {
      chunk.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
    bytes.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(bytes));
}

export const utf8String = (s: string) => tlv(0x0c, new TextEncoder().encode(s));

/** UTCTime (years 1950-2049) as YYMMDDHHMMSSZ. */
export function utcTime(d: Date): Uint8Array {
  const p = (n: number) => String(n).padStart(2, "0");
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, new TextEncoder().encode(s));
}

export function bitString(bytes: Uint8Array): Uint8Array {
  return tlv(0x03, Uint8Array.of(0), bytes);
}

export function explicit(tagNumber: number, content: Uint8Array): Uint8Array {
  return tlv(0xa0 | tagNumber, content);
}

export function pem(label: string, der: Uint8Array): string {
  let b64 = "";
  const chunk = 0x8000;
  let binary = "";
  for (let i = 0; i < der.length; i += chunk) binary += String.fromCharCode(...der.subarray(i, i + chunk));
  b64 = btoa(binary);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join("\n")}\n-----END ${label}-----\n`;
}
