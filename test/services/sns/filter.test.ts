/**
 * The SNS filter policy matcher and validator, operator by operator: every operator with a
 * message it matches and one it does not, in both scopes, plus AWS's validation errors and
 * limits. (Delivery through real clients with filters is in sns.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { parseFilterPolicy } from "../../../src/services/sns/filter/validate.ts";
import { matchesAttributes, matchesBody, type FilterAttribute } from "../../../src/services/sns/filter/match.ts";

const S = (v: string): FilterAttribute => ({ DataType: "String", StringValue: v });
const N = (v: string): FilterAttribute => ({ DataType: "Number", StringValue: v });
const A = (v: unknown[]): FilterAttribute => ({ DataType: "String.Array", StringValue: JSON.stringify(v) });
const B = (): FilterAttribute => ({ DataType: "Binary", BinaryValue: "AQI=" });

type AttrCase = [operator: string, policy: object, attributes: Record<string, FilterAttribute>, matches: boolean];

const ATTRIBUTE_CASES: AttrCase[] = [
  ["exact string", { color: ["red"] }, { color: S("red") }, true],
  ["exact string", { color: ["red"] }, { color: S("blue") }, false],
  ["exact string, one of several", { color: ["red", "green"] }, { color: S("green") }, true],
  ["exact string vs Number attribute", { n: ["5"] }, { n: N("5") }, false],
  ["exact number", { n: [5] }, { n: N("5.0") }, true],
  ["exact number", { n: [5] }, { n: N("6") }, false],
  ["exact number vs String attribute", { n: [5] }, { n: S("5") }, false],
  ["missing key", { color: ["red"] }, {}, false],
  ["String.Array element", { tags: ["b"] }, { tags: A(["a", "b"]) }, true],
  ["String.Array element", { tags: ["c"] }, { tags: A(["a", "b"]) }, false],
  ["String.Array numbers", { tags: [2] }, { tags: A([1, 2]) }, true],
  ["Binary is ignored", { b: [{ exists: true }] }, { b: B() }, false],
  ["prefix", { s: [{ prefix: "ab" }] }, { s: S("abc") }, true],
  ["prefix", { s: [{ prefix: "ab" }] }, { s: S("xab") }, false],
  ["suffix", { s: [{ suffix: ".png" }] }, { s: S("a.png") }, true],
  ["suffix", { s: [{ suffix: ".png" }] }, { s: S("a.jpg") }, false],
  ["equals-ignore-case", { s: [{ "equals-ignore-case": "ReD" }] }, { s: S("rEd") }, true],
  ["equals-ignore-case", { s: [{ "equals-ignore-case": "red" }] }, { s: S("reds") }, false],
  ["anything-but string", { s: [{ "anything-but": "red" }] }, { s: S("blue") }, true],
  ["anything-but string", { s: [{ "anything-but": "red" }] }, { s: S("red") }, false],
  ["anything-but list", { s: [{ "anything-but": ["red", "blue"] }] }, { s: S("green") }, true],
  ["anything-but list", { s: [{ "anything-but": ["red", "blue"] }] }, { s: S("blue") }, false],
  ["anything-but numbers", { n: [{ "anything-but": [100, 200] }] }, { n: N("150") }, true],
  ["anything-but numbers", { n: [{ "anything-but": [100, 200] }] }, { n: N("200") }, false],
  ["anything-but prefix", { s: [{ "anything-but": { prefix: "order-" } }] }, { s: S("invoice-1") }, true],
  ["anything-but prefix", { s: [{ "anything-but": { prefix: "order-" } }] }, { s: S("order-1") }, false],
  ["anything-but suffix", { s: [{ "anything-but": { suffix: ".tmp" } }] }, { s: S("a.txt") }, true],
  ["anything-but suffix", { s: [{ "anything-but": { suffix: ".tmp" } }] }, { s: S("a.tmp") }, false],
  ["anything-but on a missing key", { s: [{ "anything-but": "red" }] }, {}, false],
  ["numeric =", { n: [{ numeric: ["=", 301.5] }] }, { n: N("301.5") }, true],
  ["numeric =", { n: [{ numeric: ["=", 301.5] }] }, { n: N("301") }, false],
  ["numeric >", { n: [{ numeric: [">", 0] }] }, { n: N("1") }, true],
  ["numeric >", { n: [{ numeric: [">", 0] }] }, { n: N("0") }, false],
  ["numeric >=", { n: [{ numeric: [">=", 0] }] }, { n: N("0") }, true],
  ["numeric <", { n: [{ numeric: ["<", 0] }] }, { n: N("-1e2") }, true],
  ["numeric <=", { n: [{ numeric: ["<=", 10] }] }, { n: N("10.01") }, false],
  ["numeric range", { n: [{ numeric: [">", 0, "<=", 150] }] }, { n: N("150") }, true],
  ["numeric range", { n: [{ numeric: [">", 0, "<=", 150] }] }, { n: N("151") }, false],
  ["numeric vs String attribute", { n: [{ numeric: [">", 0] }] }, { n: S("5") }, false],
  ["exists true", { s: [{ exists: true }] }, { s: S("x") }, true],
  ["exists true", { s: [{ exists: true }] }, { t: S("x") }, false],
  ["exists false", { s: [{ exists: false }] }, { t: S("x") }, true],
  ["exists false", { s: [{ exists: false }] }, { s: S("x") }, false],
  ["cidr v4", { ip: [{ cidr: "10.0.0.0/24" }] }, { ip: S("10.0.0.255") }, true],
  ["cidr v4", { ip: [{ cidr: "10.0.0.0/24" }] }, { ip: S("10.0.1.0") }, false],
  ["cidr v6", { ip: [{ cidr: "2001:db8::/32" }] }, { ip: S("2001:db8:1::5") }, true],
  ["cidr v6", { ip: [{ cidr: "2001:db8::/32" }] }, { ip: S("2001:db9::1") }, false],
  ["AND across keys", { a: ["1"], b: ["2"] }, { a: S("1"), b: S("2") }, true],
  ["AND across keys", { a: ["1"], b: ["2"] }, { a: S("1"), b: S("3") }, false],
  ["$or", { $or: [{ a: ["1"] }, { b: ["2"] }] }, { b: S("2") }, true],
  ["$or", { $or: [{ a: ["1"] }, { b: ["2"] }] }, { a: S("2"), b: S("1") }, false],
  ["$or with a shared key", { c: ["x"], $or: [{ a: ["1"] }, { b: ["2"] }] }, { c: S("x"), a: S("1") }, true],
  ["$or with a shared key", { c: ["x"], $or: [{ a: ["1"] }, { b: ["2"] }] }, { c: S("y"), a: S("1") }, false],
];

type BodyCase = [operator: string, policy: object, body: unknown, matches: boolean];

const BODY_CASES: BodyCase[] = [
  ["nested exact", { order: { status: ["paid"] } }, { order: { status: "paid" } }, true],
  ["nested exact", { order: { status: ["paid"] } }, { order: { status: "open" } }, false],
  ["deep nesting", { a: { b: { c: [1] } } }, { a: { b: { c: 1 } } }, true],
  ["arrays fan out", { items: { sku: ["x"] } }, { items: [{ sku: "y" }, { sku: "x" }] }, true],
  ["arrays fan out", { items: { sku: ["z"] } }, { items: [{ sku: "y" }, { sku: "x" }] }, false],
  ["leaf arrays", { tags: ["b"] }, { tags: ["a", "b"] }, true],
  ["boolean", { ok: [true] }, { ok: true }, true],
  ["boolean", { ok: [true] }, { ok: "true" }, false],
  ["null", { v: [null] }, { v: null }, true],
  ["numbers are numbers", { n: [{ numeric: [">=", 10] }] }, { n: 10 }, true],
  ["numeric strings are not numbers", { n: [{ numeric: [">=", 10] }] }, { n: "10" }, false],
  ["prefix", { s: [{ prefix: "ab" }] }, { s: "abc" }, true],
  ["suffix", { s: [{ suffix: "bc" }] }, { s: "abd" }, false],
  ["equals-ignore-case", { s: [{ "equals-ignore-case": "X" }] }, { s: "x" }, true],
  ["anything-but", { s: [{ "anything-but": ["a"] }] }, { s: "b" }, true],
  ["anything-but prefix", { s: [{ "anything-but": { prefix: "a" } }] }, { s: "abc" }, false],
  ["exists true", { a: { b: [{ exists: true }] } }, { a: { b: 0 } }, true],
  ["exists true on an object is not a leaf", { a: [{ exists: true }] }, { a: { b: 1 } }, false],
  ["exists false", { a: { b: [{ exists: false }] } }, { a: { c: 1 } }, true],
  ["exists false", { a: { b: [{ exists: false }] } }, { a: { b: 1 } }, false],
  ["cidr", { ip: [{ cidr: "192.168.0.0/16" }] }, { ip: "192.168.7.1" }, true],
  ["dotted key matches a literal dotted property", { "a.b": ["x"] }, { "a.b": "x" }, true],
  ["$or nested", { a: { $or: [{ b: ["1"] }, { c: ["2"] }] } }, { a: { c: "2" } }, true],
  ["$or nested", { a: { $or: [{ b: ["1"] }, { c: ["2"] }] } }, { a: { c: "3" } }, false],
];

describe("SNS filter policies: MessageAttributes scope", () => {
  it.each(ATTRIBUTE_CASES)("%s: %j against %j → %s", (_op, policy, attributes, expected) => {
    expect(matchesAttributes(parseFilterPolicy(JSON.stringify(policy), "MessageAttributes", false), attributes)).toBe(expected);
  });
});

describe("SNS filter policies: MessageBody scope", () => {
  it.each(BODY_CASES)("%s: %j against %j → %s", (_op, policy, body, expected) => {
    expect(matchesBody(parseFilterPolicy(JSON.stringify(policy), "MessageBody", false), JSON.stringify(body))).toBe(expected);
  });

  it("a body that is not a JSON object never matches", () => {
    const policy = parseFilterPolicy('{"a":[{"exists":false}]}', "MessageBody", false);
    expect(matchesBody(policy, "plain text")).toBe(false);
    expect(matchesBody(policy, "[1,2]")).toBe(false);
    expect(matchesBody(policy, "{}")).toBe(true);
  });
});

describe("SNS filter policy validation", () => {
  const error = (policy: unknown, scope = "MessageAttributes", subscribing = false) => {
    try {
      parseFilterPolicy(typeof policy === "string" ? policy : JSON.stringify(policy), scope, subscribing);
    } catch (e) {
      return (e as Error).message;
    }
    return "valid";
  };
  const cases: [unknown, string][] = [
    ["{", "Invalid parameter: FilterPolicy: failed to parse JSON."],
    [{ a: "x" }, 'Invalid parameter: FilterPolicy: "a" must be an object or an array'],
    [{ a: [] }, "Invalid parameter: FilterPolicy: Empty arrays are not allowed"],
    [{ a: [{ prefix: 1 }] }, "Invalid parameter: FilterPolicy: prefix match pattern must be a string"],
    [{ a: [{ foo: 1 }] }, "Invalid parameter: FilterPolicy: Unrecognized match type foo"],
    [{ a: [{ prefix: "a", suffix: "b" }] }, "Invalid parameter: FilterPolicy: Only one key allowed in match expression"],
    [{ a: [{ exists: "yes" }] }, "Invalid parameter: FilterPolicy: exists match pattern must be either true or false."],
    [{ a: [{ "anything-but": { wildcard: "x*" } }] }, "Invalid parameter: FilterPolicy: Unsupported anything-but pattern: wildcard"],
    [{ a: [{ numeric: [] }] }, "Invalid parameter: FilterPolicy: Invalid member in numeric match: ]"],
    [{ a: [{ numeric: ["!", 1] }] }, "Invalid parameter: FilterPolicy: Unrecognized numeric range operator: !"],
    [{ a: [{ numeric: ["=", "1"] }] }, "Invalid parameter: FilterPolicy: Value of equals must be numeric"],
    [{ a: [{ numeric: ["<", 1, ">", 0] }] }, "Invalid parameter: FilterPolicy: Too many elements in numeric expression"],
    [{ a: [{ numeric: [">", 1, ">", 5] }] }, "Invalid parameter: FilterPolicy: Bad numeric range operator: >"],
    [{ a: [{ numeric: [">", 5, "<", 1] }] }, "Invalid parameter: FilterPolicy: Bottom must be less than top"],
    [{ a: [{ cidr: "10.0.0.0" }] }, "Invalid parameter: FilterPolicy: Malformed CIDR, one '/' required"],
    [{ a: [{ cidr: "10.0.0.0/x" }] }, "Invalid parameter: FilterPolicy: Malformed CIDR, mask bits must be an integer"],
    [{ a: [{ cidr: "10.0.0.300/8" }] }, "Invalid parameter: FilterPolicy: Nonstandard IP address: 10.0.0.300"],
    [{ a: [[1]] }, "Invalid parameter: FilterPolicy: Match value must be String, number, true, false, or null"],
    [{ a: ["1"], b: ["1"], c: ["1"], d: ["1"], e: ["1"], f: ["1"] }, "Invalid parameter: FilterPolicy: Filter policy can not have more than 5 keys"],
    [{ a: { b: ["c"] } }, "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy"],
  ];
  it.each(cases)("%j → %s", (policy, message) => {
    expect(error(policy)).toBe(message);
  });

  it("counts value combinations (limit 150), nesting depth included", () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => `v${i}`);
    expect(error({ a: values(10), b: values(15) })).toBe("valid");
    expect(error({ a: values(10), b: values(16) })).toBe("Invalid parameter: FilterPolicy: Filter policy is too complex");
    // Nested: 3 values at depth 2 times 4 at depth 3 = (3*2)*(4*3) = 72.
    expect(error({ k1: { k2: values(3) }, k3: { k4: { k5: values(4) } } }, "MessageBody")).toBe("valid");
    expect(error({ $or: [{ a: values(100) }, { b: values(51) }] })).toBe("Invalid parameter: FilterPolicy: Filter policy is too complex");
  });

  it("Subscribe words errors with 'Attributes Reason:'", () => {
    expect(error({ a: [] }, "MessageAttributes", true)).toBe("Invalid parameter: Attributes Reason: FilterPolicy: Empty arrays are not allowed");
  });

  it("nested policies are fine in the MessageBody scope", () => {
    expect(error({ a: { b: { c: ["x"] } } }, "MessageBody")).toBe("valid");
  });
});
