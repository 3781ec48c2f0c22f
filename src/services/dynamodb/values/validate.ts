/**
 * Attribute value validation and item sizing with DynamoDB's messages
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html).
 * Messages are bare: PutItem, UpdateItem and DeleteItem wrap them in "1 validation error
 * detected: "; GetItem, Query and BatchGetItem do not.
 */
import { type AttributeValue, type Item, compareBytes, compareStrings, toBase64, toBytes, utf8Length, validation } from "./types.ts";
import { decimalShape, normalizeNumber, parseDecimal } from "./numbers.ts";

const INVALID = "One or more parameter values were invalid: ";
export const MAX_ITEM_SIZE = 400 * 1024;
export const ITEM_TOO_LARGE = "Item size has exceeded the maximum allowed size";
const TYPES = new Set(["S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"]);
const MAX_DEPTH = 32;

/**
 * Validates one attribute value (recursively) and returns it with numbers in canonical form.
 * Throws ValidationException with DynamoDB's message.
 */
export function validateAttributeValue(value: AttributeValue, depth = 0): AttributeValue {
  if (value === null || typeof value !== "object") {
    throw validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  }
  const keys = Object.keys(value).filter((k) => (value as Record<string, unknown>)[k] !== undefined && (value as Record<string, unknown>)[k] !== null);
  if (keys.length === 0 || !keys.every((k) => TYPES.has(k))) {
    throw validation("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  }
  if (keys.length > 1) {
    throw validation("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
  }
  if (depth > MAX_DEPTH) throw validation("Nesting Levels have exceeded supported limits");
  const v = value as Record<string, any>;
  // Fresh one-member literals: the codec builds each value as `{}` (room for four members,
  // 56 bytes); an item keeps its values for as long as it is stored, so each costs 32 here.
  switch (keys[0]) {
    case "S":
      return { S: v.S };
    case "B":
      return { B: v.B };
    case "BOOL":
      return { BOOL: v.BOOL };
    case "NULL":
      if (v.NULL !== true) throw validation(`${INVALID}Null attribute value types must have the value of true`);
      return { NULL: true };
    case "N":
      return { N: canonicalNumber(v.N) };
    case "M": {
      const M: Record<string, AttributeValue> = {};
      for (const [k, x] of Object.entries(v.M as Record<string, AttributeValue>)) M[k] = validateAttributeValue(x, depth + 1);
      return { M };
    }
    case "L":
      return { L: (v.L as AttributeValue[]).map((x) => validateAttributeValue(x, depth + 1)) };
    case "SS": {
      const ss = v.SS as string[];
      if (ss.length === 0) throw validation(`${INVALID}An string set  may not be empty`);
      if (new Set(ss).size !== ss.length) {
        const shown = duplicateListing(ss, compareStrings)!.map((s) => JSON.stringify(s)).join(", ");
        throw validation(`${INVALID}Input collection [${shown}] contains duplicates.`);
      }
      return { SS: ss };
    }
    case "NS": {
      const ns = v.NS as string[];
      if (ns.length === 0) throw validation(`${INVALID}An number set  may not be empty`);
      const canon = ns.map(canonicalNumber);
      if (new Set(canon).size !== canon.length) throw validation(`${INVALID}Input collection contains duplicates.`);
      return { NS: canon };
    }
    case "BS": {
      const bs = v.BS as (Uint8Array | string)[];
      if (bs.length === 0) throw validation(`${INVALID}Binary sets should not be empty`);
      const listing = duplicateListing(bs.map(toBytes), compareBytes);
      if (listing) {
        const shown = listing.map((b) => JSON.stringify(toBase64(b))).join(",");
        throw validation(`${INVALID}Input collection [${shown}]of type BS contains duplicates.`);
      }
      return { BS: bs };
    }
  }
  return value;
}

/**
 * How DynamoDB lists a set with a duplicate: the members seen before the first repeat in
 * sorted order, then the repeat, then the rest as sent. Undefined when there is no repeat.
 */
function duplicateListing<T>(sent: T[], cmp: (a: T, b: T) => number): T[] | undefined {
  const seen: T[] = [];
  for (let i = 0; i < sent.length; i++) {
    const x = sent[i]!;
    if (seen.some((y) => cmp(x, y) === 0)) return [...seen.sort(cmp), x, ...sent.slice(i + 1)];
    seen.push(x);
  }
  return undefined;
}

function canonicalNumber(text: unknown): string {
  if (typeof text !== "string") throw validation("The parameter cannot be converted to a numeric value");
  return normalizeNumber(text);
}

/**
 * Validates an item's attribute values and returns it with canonical numbers; checks the
 * 400 KB limit. Key attributes are checked by `validateKeyAttributes`.
 */
export function validateItem(item: Item): Item {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) out[k] = validateAttributeValue(v);
  if (itemSize(out) > MAX_ITEM_SIZE) throw validation(ITEM_TOO_LARGE);
  return out;
}

/**
 * Key attribute checks: presence, type per AttributeDefinitions, no empty S/B, and DynamoDB's
 * key size limits (2048 bytes partition key, 1024 bytes sort key).
 */
export function validateKeyAttributes(
  item: Item,
  keys: { name: string; type: "S" | "N" | "B"; kind: "HASH" | "RANGE" }[],
  mode: "item" | "key" = "item",
): void {
  for (const k of keys) {
    const v = item[k.name] as Record<string, any> | undefined;
    if (!v) {
      if (mode === "item") throw validation(`${INVALID}Missing the key ${k.name} in the item`);
      throw validation("The provided key element does not match the schema");
    }
    if (!(k.type in v)) {
      if (mode === "item") throw validation(`${INVALID}Type mismatch for key ${k.name} expected: ${k.type} actual: ${Object.keys(v)[0]}`);
      throw validation("The provided key element does not match the schema");
    }
    if (k.type === "S" && v.S === "") {
      throw validation(`One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: ${k.name}`);
    }
    if (k.type === "B" && toBytes(v.B).length === 0) {
      throw validation(`One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty binary value. Key: ${k.name}`);
    }
    const size = k.type === "S" ? utf8Length(v.S) : k.type === "B" ? toBytes(v.B).length : 0;
    if (k.kind === "HASH" && size > 2048) throw validation(`${INVALID}Size of hashkey has exceeded the maximum size limit of2048 bytes`);
    if (k.kind === "RANGE" && size > 1024) throw validation(`${INVALID}Aggregated size of all range keys has exceeded the size limit of 1024 bytes`);
  }
}

/**
 * Bytes of a number as DynamoDB counts them: 1 + ceil(integer significant digits / 2) +
 * ceil(fraction significant digits / 2), + 1 if negative, leading and trailing zeros trimmed.
 */
export function numberSize(text: string): number {
  const d = parseDecimal(text);
  if (!d || d.coef === 0n) return 1;
  const { digits, negative } = decimalShape(d);
  const intDigits = d.exp >= 0 ? digits.length : Math.max(0, digits.length + d.exp);
  const fracDigits = d.exp < 0 ? Math.min(digits.length, -d.exp) : 0;
  return 1 + Math.ceil(intDigits / 2) + Math.ceil(fracDigits / 2) + (negative ? 1 : 0);
}

/** Size of one attribute value in bytes (without its name). */
export function valueSize(value: AttributeValue): number {
  const v = value as Record<string, any>;
  if ("S" in v) return utf8Length(v.S);
  if ("N" in v) return numberSize(v.N);
  if ("B" in v) return toBytes(v.B).length;
  if ("BOOL" in v || "NULL" in v) return 1;
  if ("SS" in v) return (v.SS as string[]).reduce((n, s) => n + utf8Length(s), 0);
  if ("NS" in v) return (v.NS as string[]).reduce((n, s) => n + numberSize(s), 0);
  if ("BS" in v) return (v.BS as (Uint8Array | string)[]).reduce((n, b) => n + toBytes(b).length, 0);
  if ("L" in v) return 3 + (v.L as AttributeValue[]).reduce((n, x) => n + 1 + valueSize(x), 0);
  if ("M" in v) {
    let n = 3;
    for (const [k, x] of Object.entries(v.M as Record<string, AttributeValue>)) n += 1 + utf8Length(k) + valueSize(x);
    return n;
  }
  return 0;
}

/** Item size in bytes as DynamoDB computes it: UTF-8 attribute names plus value sizes. */
export function itemSize(item: Item): number {
  let n = 0;
  for (const [k, v] of Object.entries(item)) n += utf8Length(k) + valueSize(v);
  return n;
}
