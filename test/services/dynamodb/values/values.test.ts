import { describe, expect, it } from "vitest";
import {
  addNumbers, compareNumbers, compareValues, decodeNumberKey, encodeNumberKey, equals, itemSize, keyPart,
  normalizeNumber, numberSize, subtractNumbers, validateAttributeValue, validateItem, validateKeyAttributes,
} from "../../../../src/services/dynamodb/values/index.ts";

function message(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect((e as { code: string }).code).toBe("ValidationException");
    return (e as Error).message;
  }
  throw new Error("did not throw");
}

const NOT_NUMERIC = "The parameter cannot be converted to a numeric value";
const OVERFLOW = "Number overflow. Attempting to store a number with magnitude larger than supported range";
const UNDERFLOW = "Number underflow. Attempting to store a number with magnitude smaller than supported range";

describe("numbers", () => {
  it.each([
    ["0042.1200", "42.12"], ["1E+2", "100"], ["-0", "0"], ["-0.50", "-0.5"], ["1E125", "1" + "0".repeat(125)],
    ["1e-130", "0." + "0".repeat(129) + "1"], [".5", "0.5"], ["+7", "7"], ["12345678901234567890123456789012345678", "12345678901234567890123456789012345678"],
  ])("normalizes %s to %s", (a, b) => expect(normalizeNumber(a)).toBe(b));

  it.each([
    ["abc", `${NOT_NUMERIC}: abc`], ["", `${NOT_NUMERIC}: `], [" 1", `${NOT_NUMERIC}:  1`], ["1.2.3", `${NOT_NUMERIC}: 1.2.3`],
    ["0x10", `${NOT_NUMERIC}: 0x10`], ["1e", `${NOT_NUMERIC}: 1e`], ["NaN", `${NOT_NUMERIC}: NaN`], ["Infinity", `${NOT_NUMERIC}: Infinity`],
    ["1e126", OVERFLOW], ["-1e99999999999", OVERFLOW], ["1e2147483647", OVERFLOW], ["1e-131", UNDERFLOW], ["1e-2147483648", UNDERFLOW],
    ["1234567890123456789012345678901234567890", "Attempting to store more than 38 significant digits in a Number"],
  ])("rejects %j", (text, msg) => expect(message(() => normalizeNumber(text))).toBe(msg));

  it("compares exactly, beyond double precision", () => {
    expect(compareNumbers("12345678901234567890123456789012345678", "12345678901234567890123456789012345677")).toBe(1);
    expect(compareNumbers("0.1", "0.10")).toBe(0);
    expect(compareNumbers("-5", "3")).toBe(-1);
    expect(compareNumbers("-5", "-30")).toBe(1);
    expect(compareNumbers("1e-130", "0")).toBe(1);
  });

  it("adds and subtracts exactly", () => {
    expect(addNumbers("0.1", "0.2")).toBe("0.3");
    expect(subtractNumbers("1", "1.0000000000000000000000000000000000001")).toBe("-0.0000000000000000000000000000000000001");
    expect(addNumbers("99999999999999999999999999999999999999", "-1")).toBe("99999999999999999999999999999999999998");
  });

  it.each([["1", 2], ["1E125", 2], ["123456", 4], ["3.14159", 5], ["-1", 3], ["0.001", 2], ["42.12", 3], ["0", 1]])(
    "sizes %s at %i bytes", (n, size) => expect(numberSize(n)).toBe(size));
});

describe("ordering and equality", () => {
  it("orders N numerically, S by UTF-8 bytes, B bytewise", () => {
    expect(compareValues({ N: "10" }, { N: "9" })).toBeGreaterThan(0);
    expect(compareValues({ S: "Z" }, { S: "a" })).toBeLessThan(0);
    // U+FFFD (3 UTF-8 bytes, EF BF BD) sorts before U+1F600 (F0 ...), unlike UTF-16 order.
    expect(compareValues({ S: "\uFFFD" }, { S: "😀" })).toBeLessThan(0);
    expect(compareValues({ B: new Uint8Array([1, 2]) }, { B: "AQM=" })).toBeLessThan(0);
    expect(compareValues({ N: "1" }, { S: "1" })).toBeNull();
  });

  it("compares sets unordered, numbers by value, binary by bytes", () => {
    expect(equals({ SS: ["a", "b"] }, { SS: ["b", "a"] })).toBe(true);
    expect(equals({ NS: ["1", "2.0"] }, { NS: ["2", "1"] })).toBe(true);
    expect(equals({ B: "AQI=" }, { B: new Uint8Array([1, 2]) })).toBe(true);
    expect(equals({ M: { a: { L: [{ N: "1" }] } } }, { M: { a: { L: [{ N: "1.0" }] } } })).toBe(true);
    expect(equals({ L: [{ S: "a" }, { S: "b" }] }, { L: [{ S: "b" }, { S: "a" }] })).toBe(false);
  });

  it("encodes number keys so string order is numeric order, and decodes them back", () => {
    const nums = ["-1e125", "-100", "-10.5", "-10", "-1.25", "-1.2", "-1", "-0.001", "0", "1e-130", "0.5", "1", "1.2", "1.25", "9", "10", "100", "9.9999999999999999999999999999999999999e125"];
    const keys = nums.map((n) => encodeNumberKey(n));
    const sorted = [...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(sorted).toEqual(keys);
    for (const n of nums) expect(decodeNumberKey(encodeNumberKey(n))).toBe(normalizeNumber(n));
    expect(keyPart({ N: "1.0" })).toBe(keyPart({ N: "1" }));
    expect(keyPart({ S: "x" })).toBe("x");
    expect(keyPart({ B: "AQI=" })).toEqual(new Uint8Array([1, 2]));
  });
});

describe("validation", () => {
  const INVALID = "One or more parameter values were invalid: ";
  it.each([
    [{}, "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"],
    [{ S: "a", N: "1" }, "Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes"],
    [{ SS: [] }, `${INVALID}An string set  may not be empty`],
    [{ NS: [] }, `${INVALID}An number set  may not be empty`],
    [{ BS: [] }, `${INVALID}Binary sets should not be empty`],
    [{ SS: ["b", "a", "b"] }, `${INVALID}Input collection ["a", "b", "b"] contains duplicates.`],
    [{ NS: ["2", "1", "2.0"] }, `${INVALID}Input collection contains duplicates.`],
    [{ BS: ["/w==", "AA==", "AA=="] }, `${INVALID}Input collection ["AA==","/w==","AA=="]of type BS contains duplicates.`],
    [{ NS: ["1", ""] }, `${NOT_NUMERIC}: `],
    [{ NULL: false }, `${INVALID}Null attribute value types must have the value of true`],
    [{ M: { x: { L: [{ N: "1e126" }] } } }, OVERFLOW],
  ])("rejects %j", (v, msg) => expect(message(() => validateAttributeValue(v as never))).toBe(msg));

  it("accepts empty strings, empty binary and empty-string set members outside keys", () => {
    expect(validateAttributeValue({ S: "" })).toEqual({ S: "" });
    expect(validateAttributeValue({ SS: [""] })).toEqual({ SS: [""] });
    expect(validateItem({ a: { N: "01.50" }, m: { M: { n: { NS: ["1e1"] } } } })).toEqual({ a: { N: "1.5" }, m: { M: { n: { NS: ["10"] } } } });
  });

  it("checks key attributes", () => {
    const keys = [{ name: "pk", type: "S" as const, kind: "HASH" as const }, { name: "sk", type: "N" as const, kind: "RANGE" as const }];
    expect(message(() => validateKeyAttributes({ pk: { S: "a" } }, keys))).toBe(`${INVALID}Missing the key sk in the item`);
    expect(message(() => validateKeyAttributes({ pk: { S: "a" }, sk: { S: "1" } }, keys))).toBe(`${INVALID}Type mismatch for key sk expected: N actual: S`);
    expect(message(() => validateKeyAttributes({ pk: { S: "" }, sk: { N: "1" } }, keys))).toBe(
      "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: pk");
    expect(message(() => validateKeyAttributes({ pk: { S: "a" } }, keys, "key"))).toBe("The provided key element does not match the schema");
  });

  it("computes item size and enforces 400 KB", () => {
    expect(itemSize({ ab: { S: "héllo" }, n: { N: "123" }, t: { BOOL: true } })).toBe(2 + 6 + 1 + 3 + 1 + 1);
    expect(itemSize({ m: { M: { k: { S: "v" } } }, l: { L: [{ NULL: true }] } })).toBe(1 + 3 + 1 + 1 + 1 + 1 + 3 + 1 + 1);
    const big = { pk: { S: "x".repeat(400 * 1024 - 3) } };
    expect(itemSize(big)).toBe(400 * 1024 - 1);
    expect(() => validateItem(big)).not.toThrow();
    expect(message(() => validateItem({ pk: { S: "x".repeat(400 * 1024) } }))).toBe("Item size has exceeded the maximum allowed size");
  });
});
