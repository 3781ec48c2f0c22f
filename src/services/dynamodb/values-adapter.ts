/**
 * What the service needs from the value library (`values/`), in one place: key-part encoding,
 * item size, value equality. Until the library lands these are local implementations with the
 * library's signatures; afterwards this file re-exports it.
 */
export type Binary = Uint8Array | string;
export type AttributeValue = Record<string, any>;
export type Item = Record<string, AttributeValue>;

const encoder = new TextEncoder();

function bytesOf(b: Binary): Uint8Array {
  if (typeof b !== "string") return b;
  const bin = atob(b);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** Digits and decimal exponent of a DynamoDB number: value = 0.d1d2... × 10^exp. */
function decimalParts(text: string): { sign: number; digits: string; exp: number } {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text.trim());
  if (!m) return { sign: 0, digits: "", exp: 0 };
  const int = m[2] ?? "", frac = m[3] ?? "";
  let digits = int + frac;
  let exp = int.length + Number(m[4] ?? 0);
  const lead = digits.length - digits.replace(/^0+/, "").length;
  digits = digits.slice(lead).replace(/0+$/, "");
  exp -= lead;
  if (!digits) return { sign: 0, digits: "", exp: 0 };
  return { sign: m[1] === "-" ? -1 : 1, digits, exp };
}

/**
 * An order-preserving string for a number: zero "1"; positives "2" + biased exponent + digits;
 * negatives "0" + inverted exponent + nines-complement digits + "~" (so -0.123 < -0.12).
 */
function numberKey(text: string): string {
  const { sign, digits, exp } = decimalParts(text);
  if (sign === 0) return "1";
  const biased = exp + 500;
  if (sign > 0) return "2" + String(biased).padStart(4, "0") + digits;
  let complement = "";
  for (const d of digits) complement += String(9 - Number(d));
  return "0" + String(9999 - biased).padStart(4, "0") + complement + "~";
}

/** Store key part for a key attribute value, in DynamoDB's order for its type (S, N or B). */
export function keyPart(value: AttributeValue): string | Uint8Array {
  if ("S" in value) return value.S as string;
  if ("N" in value) return numberKey(value.N as string);
  if ("B" in value) return bytesOf(value.B as Binary);
  throw new TypeError("not a key value");
}

/** Size of a number as DynamoDB counts it: about one byte per two significant digits, plus one. */
function numberSize(text: string): number {
  const { digits } = decimalParts(text);
  return Math.ceil(digits.length / 2) + 1;
}

function valueSize(value: AttributeValue): number {
  if ("S" in value) return encoder.encode(value.S).length;
  if ("N" in value) return numberSize(value.N);
  if ("B" in value) return bytesOf(value.B).length;
  if ("BOOL" in value || "NULL" in value) return 1;
  if ("SS" in value) return (value.SS as string[]).reduce((n, s) => n + encoder.encode(s).length, 0);
  if ("NS" in value) return (value.NS as string[]).reduce((n, s) => n + numberSize(s), 0);
  if ("BS" in value) return (value.BS as Binary[]).reduce((n, b) => n + bytesOf(b).length, 0);
  if ("L" in value) return 3 + (value.L as AttributeValue[]).reduce((n, v) => n + 1 + valueSize(v), 0);
  if ("M" in value) {
    let n = 3;
    for (const [k, v] of Object.entries(value.M as Item)) n += 1 + encoder.encode(k).length + valueSize(v);
    return n;
  }
  return 0;
}

/** Item size in bytes as DynamoDB counts it (attribute names plus values). */
export function itemSize(item: Item): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) n += encoder.encode(k).length + valueSize(v);
  return n;
}

/** Equality of two key values (same type, same value; numbers numerically). */
export function keyEquals(a: AttributeValue, b: AttributeValue): boolean {
  const pa = keyPart(a), pb = keyPart(b);
  if (typeof pa === "string" || typeof pb === "string") return pa === pb && typeOfKey(a) === typeOfKey(b);
  if (pa.length !== pb.length) return false;
  for (let i = 0; i < pa.length; i++) if (pa[i] !== pb[i]) return false;
  return true;
}

function typeOfKey(v: AttributeValue): string {
  return Object.keys(v)[0] ?? "";
}
