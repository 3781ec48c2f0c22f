/**
 * DynamoDB numbers: up to 38 significant digits, magnitude 1E-130 to
 * 9.9999999999999999999999999999999999999E+125, positive or negative, exact decimal arithmetic
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html#HowItWorks.DataTypes.Number).
 * A number is held as sign × coefficient × 10^exponent with a bigint coefficient that has no
 * trailing zeros, so comparison and arithmetic never touch floating point.
 */
import { validation } from "./types.ts";

export interface Decimal {
  /** Coefficient without trailing zeros; 0n for zero. May be negative. */
  coef: bigint;
  /** Power of ten; 0 for zero. */
  exp: number;
}

const NUMBER_RE = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;
const NOT_NUMERIC = "The parameter cannot be converted to a numeric value";
export const NUMBER_OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range";
export const NUMBER_UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range";
export const TOO_MANY_DIGITS = "Attempting to store more than 38 significant digits in a Number";

/** Parses number text without range checks; null when it is not a number. */
export function parseDecimal(text: string): Decimal | null {
  const m = NUMBER_RE.exec(text);
  if (!m) return null;
  const int = m[2]!, frac = m[3] ?? "";
  if (int === "" && frac === "") return null;
  let digits = (int + frac).replace(/^0+/, "");
  if (digits === "") return { coef: 0n, exp: 0 };
  let exp = -frac.length;
  const e = m[4];
  let bigExp = e ? BigInt(e) + BigInt(exp) : BigInt(exp);
  const stripped = digits.replace(/0+$/, "");
  bigExp += BigInt(digits.length - stripped.length);
  digits = stripped;
  // Exponents far outside the range are clamped; they fail the range check anyway.
  if (bigExp > 100000n) bigExp = 100000n;
  if (bigExp < -100000n) bigExp = -100000n;
  exp = Number(bigExp);
  const coef = BigInt(digits);
  return { coef: m[1] === "-" ? -coef : coef, exp };
}

function digitCount(coef: bigint): number {
  return (coef < 0n ? -coef : coef).toString().length;
}

/** Checks DynamoDB's range and precision; throws ValidationException with its message. */
export function checkDecimal(d: Decimal): void {
  if (d.coef === 0n) return;
  const n = digitCount(d.coef);
  const sci = d.exp + n - 1;
  if (sci > 125) throw validation(NUMBER_OVERFLOW);
  if (sci < -130) throw validation(NUMBER_UNDERFLOW);
  if (n > 38) throw validation(TOO_MANY_DIGITS);
}

/** Parses and range-checks number text; throws DynamoDB's ValidationException. */
export function toDecimal(text: string): Decimal {
  const d = parseDecimal(text);
  if (!d) throw validation(`${NOT_NUMERIC}: ${text}`);
  checkDecimal(d);
  return d;
}

/** Plain decimal notation, as DynamoDB returns numbers ("1E+2" → "100", "-0.50" → "-0.5"). */
export function formatDecimal(d: Decimal): string {
  if (d.coef === 0n) return "0";
  const neg = d.coef < 0n;
  const digits = (neg ? -d.coef : d.coef).toString();
  let s: string;
  if (d.exp >= 0) s = digits + "0".repeat(d.exp);
  else if (-d.exp >= digits.length) s = "0." + "0".repeat(-d.exp - digits.length) + digits;
  else s = digits.slice(0, digits.length + d.exp) + "." + digits.slice(digits.length + d.exp);
  return neg ? "-" + s : s;
}

/** Validates number text and returns DynamoDB's canonical form of it. */
export function normalizeNumber(text: string): string {
  return formatDecimal(toDecimal(text));
}

function normalize(coef: bigint, exp: number): Decimal {
  if (coef === 0n) return { coef: 0n, exp: 0 };
  while (coef % 10n === 0n) {
    coef /= 10n;
    exp++;
  }
  return { coef, exp };
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  return [a.coef * 10n ** BigInt(a.exp - exp), b.coef * 10n ** BigInt(b.exp - exp), exp];
}

/** Exact comparison of two decimals. */
export function compareDecimals(a: Decimal, b: Decimal): number {
  if (a.coef === 0n || b.coef === 0n || (a.coef < 0n) !== (b.coef < 0n)) {
    return a.coef < b.coef ? -1 : a.coef > b.coef ? 1 : 0;
  }
  // Same sign: compare magnitudes by scientific exponent first, then digits.
  const sa = a.exp + digitCount(a.coef), sb = b.exp + digitCount(b.coef);
  const sign = a.coef < 0n ? -1 : 1;
  if (sa !== sb) return sa < sb ? -sign : sign;
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Exact comparison of two numbers given as text (already validated). */
export function compareNumbers(a: string, b: string): number {
  if (a === b) return 0;
  return compareDecimals(toDecimal(a), toDecimal(b));
}

/** Exact sum, range-checked as DynamoDB does for ADD and SET a + b. */
export function addDecimals(a: Decimal, b: Decimal): Decimal {
  const [x, y, exp] = align(a, b);
  const r = normalize(x + y, exp);
  checkArithmetic(r);
  return r;
}

function checkArithmetic(d: Decimal): void {
  if (d.coef === 0n) return;
  const n = digitCount(d.coef);
  const sci = d.exp + n - 1;
  if (sci > 125) throw validation(NUMBER_OVERFLOW);
  if (sci < -130) throw validation(NUMBER_UNDERFLOW);
  if (n > 38) throw validation("Number overflow. Attempting to store a number with more than 38 significant digits");
}

/** a + b of two number texts, canonical text out. */
export function addNumbers(a: string, b: string): string {
  return formatDecimal(addDecimals(toDecimal(a), toDecimal(b)));
}

/** a - b of two number texts, canonical text out. */
export function subtractNumbers(a: string, b: string): string {
  const d = toDecimal(b);
  return formatDecimal(addDecimals(toDecimal(a), { coef: -d.coef, exp: d.exp }));
}

/** Number of significant digits and scientific exponent, for sizing and key encoding. */
export function decimalShape(d: Decimal): { digits: string; sci: number; negative: boolean } {
  const negative = d.coef < 0n;
  const digits = (negative ? -d.coef : d.coef).toString();
  return { digits, sci: d.exp + digits.length - 1, negative };
}
