/**
 * Equality and ordering of attribute values by DynamoDB's rules: numbers numerically, strings by
 * UTF-8 bytes, binary bytewise, sets unordered; plus an order-preserving encoding of key values
 * into store key parts, so items can be stored sorted by key and Query reads a range.
 */
import { type AttributeValue, compareBytes, compareStrings, toBytes, typeOf, utf8 } from "./types.ts";
import { compareDecimals, decimalShape, formatDecimal, parseDecimal } from "./numbers.ts";

function numberEquals(a: string, b: string): boolean {
  if (a === b) return true;
  const x = parseDecimal(a), y = parseDecimal(b);
  return !!x && !!y && compareDecimals(x, y) === 0;
}

function setEquals<T>(a: T[], b: T[], eq: (x: T, y: T) => boolean): boolean {
  if (a.length !== b.length) return false;
  return a.every((x) => b.some((y) => eq(x, y)));
}

/** Deep equality (sets compared unordered, numbers by value, binary by bytes). */
export function equals(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (!a || !b) return false;
  const t = typeOf(a);
  if (t !== typeOf(b)) return false;
  const x = a as Record<string, any>, y = b as Record<string, any>;
  switch (t) {
    case "S":
      return x.S === y.S;
    case "N":
      return numberEquals(x.N, y.N);
    case "B":
      return compareBytes(toBytes(x.B), toBytes(y.B)) === 0;
    case "BOOL":
      return x.BOOL === y.BOOL;
    case "NULL":
      return true;
    case "SS":
      return setEquals<string>(x.SS, y.SS, (p, q) => p === q);
    case "NS":
      return setEquals<string>(x.NS, y.NS, numberEquals);
    case "BS":
      return setEquals<Uint8Array | string>(x.BS, y.BS, (p, q) => compareBytes(toBytes(p), toBytes(q)) === 0);
    case "L":
      return x.L.length === y.L.length && x.L.every((v: AttributeValue, i: number) => equals(v, y.L[i]));
    case "M": {
      const ka = Object.keys(x.M), kb = Object.keys(y.M);
      return ka.length === kb.length && ka.every((k) => k in y.M && equals(x.M[k], y.M[k]));
    }
  }
}

/**
 * Ordering of two scalar values of the same type (N, S or B); null when they are not comparable
 * (different types, or a type without an order), which makes `<`-style conditions false.
 */
export function compareValues(a: AttributeValue, b: AttributeValue): number | null {
  const t = typeOf(a);
  if (t !== typeOf(b)) return null;
  const x = a as Record<string, any>, y = b as Record<string, any>;
  if (t === "N") {
    const p = parseDecimal(x.N), q = parseDecimal(y.N);
    return p && q ? compareDecimals(p, q) : null;
  }
  if (t === "S") return compareStrings(x.S, y.S);
  if (t === "B") return compareBytes(toBytes(x.B), toBytes(y.B));
  return null;
}

/**
 * Order-preserving encoding of a key value (S, N or B) as a store key part:
 * S → the string itself (the store orders strings by UTF-8 bytes),
 * B → the bytes (ordered bytewise),
 * N → a string whose code-unit order is numeric order (see encodeNumberKey).
 */
export function keyPart(value: AttributeValue): string | Uint8Array {
  const t = typeOf(value);
  const v = value as Record<string, any>;
  if (t === "S") return v.S as string;
  if (t === "B") return toBytes(v.B);
  if (t === "N") return encodeNumberKey(v.N);
  throw new Error(`keyPart: ${t} is not a key type`);
}

/** Inverse of keyPart for a given key type. */
export function fromKeyPart(part: string | Uint8Array, type: "S" | "N" | "B"): AttributeValue {
  if (type === "S") return { S: part as string };
  if (type === "B") return { B: typeof part === "string" ? utf8(part) : part };
  return { N: decodeNumberKey(part as string) };
}

/**
 * Numbers as sortable ASCII: a class character ('0' negative, '1' zero, '2' positive), then the
 * scientific exponent offset into 3 digits (inverted for negatives), then the significant
 * digits (nine's-complemented for negatives, with a '~' terminator so that a longer negative
 * mantissa sorts first). Exponents span -130..125, so exp+130 fits 000..255.
 */
export function encodeNumberKey(text: string): string {
  const d = parseDecimal(text);
  if (!d || d.coef === 0n) return "1";
  const { digits, sci, negative } = decimalShape(d);
  if (!negative) return "2" + String(sci + 130).padStart(3, "0") + digits;
  let inv = "";
  for (let i = 0; i < digits.length; i++) inv += String.fromCharCode(105 - digits.charCodeAt(i)); // '9' - (c - '0')
  return "0" + String(999 - (sci + 130)).padStart(3, "0") + inv + "~";
}

/** Inverse of encodeNumberKey (canonical number text). */
export function decodeNumberKey(key: string): string {
  if (key === "1") return "0";
  const negative = key[0] === "0";
  const e = Number(key.slice(1, 4));
  const sci = negative ? 999 - e - 130 : e - 130;
  let digits = key.slice(4);
  if (negative) {
    digits = digits.slice(0, -1);
    let s = "";
    for (let i = 0; i < digits.length; i++) s += String.fromCharCode(105 - digits.charCodeAt(i));
    digits = s;
  }
  const exp = sci - digits.length + 1;
  const coef = BigInt(digits);
  return formatDecimal({ coef: negative ? -coef : coef, exp });
}
