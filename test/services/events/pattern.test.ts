/**
 * The event pattern language, operator by operator: each row a pattern with events that must
 * match and events that must not (AWS's documented examples where there are some), then the
 * validation errors AWS gives for bad patterns.
 */
import { describe, expect, it } from "vitest";
import { compilePattern, EventPatternError, testPattern } from "../../../src/services/events/pattern.ts";

const ev = (detail: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  version: "0", id: "1", "detail-type": "t", source: "my.app", account: "123456789012", time: "2026-01-01T00:00:00Z",
  region: "us-east-1", resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-1"], detail, ...extra,
});

interface Row {
  name: string;
  pattern: unknown;
  match: unknown[];
  noMatch: unknown[];
}

const ROWS: Row[] = [
  { name: "exact string", pattern: { source: ["my.app"] }, match: [ev({})], noMatch: [ev({}, { source: "other" }), ev({}, { source: "MY.APP" })] },
  { name: "exact string list is OR", pattern: { detail: { state: ["running", "pending"] } }, match: [ev({ state: "running" }), ev({ state: "pending" })], noMatch: [ev({ state: "stopped" }), ev({})] },
  { name: "exact number (numeric equality)", pattern: { detail: { n: [5] } }, match: [ev({ n: 5 }), ev({ n: 5.0 })], noMatch: [ev({ n: "5" }), ev({ n: 6 })] },
  { name: "string does not match number", pattern: { detail: { n: ["5"] } }, match: [ev({ n: "5" })], noMatch: [ev({ n: 5 })] },
  { name: "true/false/null", pattern: { detail: { a: [true], b: [null] } }, match: [ev({ a: true, b: null })], noMatch: [ev({ a: "true", b: null }), ev({ a: true }), ev({ a: false, b: null })] },
  { name: "AND across fields", pattern: { source: ["my.app"], detail: { a: ["x"] } }, match: [ev({ a: "x" })], noMatch: [ev({ a: "x" }, { source: "o" }), ev({ a: "y" })] },
  { name: "event array: any element", pattern: { resources: ["arn:aws:ec2:us-east-1:123456789012:instance/i-1"] }, match: [ev({}), ev({}, { resources: ["a", "arn:aws:ec2:us-east-1:123456789012:instance/i-1"] })], noMatch: [ev({}, { resources: [] }), ev({}, { resources: ["b"] })] },
  { name: "nested objects", pattern: { detail: { a: { b: { c: ["d"] } } } }, match: [ev({ a: { b: { c: "d" } } })], noMatch: [ev({ a: { b: { c: "e" } } }), ev({ a: { c: "d" } }), ev({ a: "d" })] },
  { name: "array of objects, same element", pattern: { detail: { items: { k: ["a"], v: [1] } } }, match: [ev({ items: [{ k: "b", v: 2 }, { k: "a", v: 1 }] })], noMatch: [ev({ items: [{ k: "a", v: 2 }, { k: "b", v: 1 }] })] },
  { name: "prefix", pattern: { detail: { s: [{ prefix: "ca-" }] } }, match: [ev({ s: "ca-central-1" }), ev({ s: ["x", "ca-"] })], noMatch: [ev({ s: "us-east-1" }), ev({ s: "CA-central" }), ev({ s: 5 })] },
  { name: "prefix equals-ignore-case", pattern: { detail: { s: [{ prefix: { "equals-ignore-case": "EventB" } }] } }, match: [ev({ s: "eventbridge" }), ev({ s: "EVENTBRIDGE" })], noMatch: [ev({ s: "bridge" })] },
  { name: "suffix", pattern: { detail: { f: [{ suffix: ".png" }] } }, match: [ev({ f: "image.png" })], noMatch: [ev({ f: "image.jpg" }), ev({ f: "image.PNG" })] },
  { name: "suffix equals-ignore-case", pattern: { detail: { f: [{ suffix: { "equals-ignore-case": ".PNG" } }] } }, match: [ev({ f: "a.png" }), ev({ f: "a.Png" })], noMatch: [ev({ f: "a.jpg" })] },
  { name: "equals-ignore-case", pattern: { detail: { s: [{ "equals-ignore-case": "alice" }] } }, match: [ev({ s: "ALICE" }), ev({ s: "Alice" })], noMatch: [ev({ s: "bob" }), ev({ s: "alice2" })] },
  { name: "wildcard", pattern: { detail: { f: [{ wildcard: "dir/*.png" }] } }, match: [ev({ f: "dir/a.png" }), ev({ f: "dir/sub/a.png" }), ev({ f: "dir/.png" })], noMatch: [ev({ f: "dir/a.jpg" }), ev({ f: "other/a.png" })] },
  { name: "wildcard escaped star", pattern: { detail: { f: [{ wildcard: "a\\*b*" }] } }, match: [ev({ f: "a*bc" })], noMatch: [ev({ f: "axbc" })] },
  { name: "anything-but value", pattern: { detail: { state: [{ "anything-but": "initializing" }] } }, match: [ev({ state: "running" }), ev({ state: 5 })], noMatch: [ev({ state: "initializing" }), ev({})] },
  { name: "anything-but list", pattern: { detail: { state: [{ "anything-but": ["stopped", "overloaded"] }] } }, match: [ev({ state: "running" })], noMatch: [ev({ state: "stopped" }), ev({ state: "overloaded" })] },
  { name: "anything-but numbers", pattern: { detail: { x: [{ "anything-but": [100, 200] }] } }, match: [ev({ x: 150 })], noMatch: [ev({ x: 100 }), ev({ x: 200.0 })] },
  { name: "anything-but prefix", pattern: { detail: { state: [{ "anything-but": { prefix: "init" } }] } }, match: [ev({ state: "running" })], noMatch: [ev({ state: "initializing" })] },
  { name: "anything-but suffix", pattern: { detail: { f: [{ "anything-but": { suffix: ".txt" } }] } }, match: [ev({ f: "a.png" })], noMatch: [ev({ f: "a.txt" })] },
  { name: "anything-but wildcard", pattern: { detail: { f: [{ "anything-but": { wildcard: "*/lib/*" } }] } }, match: [ev({ f: "/usr/bin/x" })], noMatch: [ev({ f: "/usr/lib/x" })] },
  { name: "anything-but equals-ignore-case", pattern: { detail: { s: [{ "anything-but": { "equals-ignore-case": ["Alice", "BOB"] } }] } }, match: [ev({ s: "carol" })], noMatch: [ev({ s: "alice" }), ev({ s: "bob" })] },
  { name: "numeric range", pattern: { detail: { c: [{ numeric: [">", 0, "<=", 5] }] } }, match: [ev({ c: 5 }), ev({ c: 0.5 }), ev({ c: [9, 3] })], noMatch: [ev({ c: 0 }), ev({ c: 5.01 }), ev({ c: "3" })] },
  { name: "numeric =", pattern: { detail: { c: [{ numeric: ["=", 3.018e2] }] } }, match: [ev({ c: 301.8 })], noMatch: [ev({ c: 301 })] },
  { name: "numeric < and >=", pattern: { detail: { a: [{ numeric: ["<", 10] }], b: [{ numeric: [">=", 10] }] } }, match: [ev({ a: 9.99, b: 10 })], noMatch: [ev({ a: 10, b: 10 }), ev({ a: 1, b: 9 })] },
  { name: "exists true", pattern: { detail: { c: [{ exists: true }] } }, match: [ev({ c: "x" }), ev({ c: null }), ev({ c: [1] })], noMatch: [ev({}), ev({ c: { d: 1 } }), ev({ c: [] })] },
  { name: "exists false", pattern: { detail: { c: [{ exists: false }] } }, match: [ev({}), ev({ d: 1 })], noMatch: [ev({ c: "x" }), ev({ c: 0 })] },
  { name: "exists false on missing parent", pattern: { detail: { a: { b: [{ exists: false }] } } }, match: [ev({}), ev({ a: { c: 1 } })], noMatch: [ev({ a: { b: 1 } })] },
  { name: "cidr IPv4", pattern: { detail: { ip: [{ cidr: "10.0.0.0/24" }] } }, match: [ev({ ip: "10.0.0.255" }), ev({ ip: "10.0.0.0" })], noMatch: [ev({ ip: "10.0.1.0" }), ev({ ip: "not-ip" })] },
  { name: "cidr IPv6", pattern: { detail: { ip: [{ cidr: "2001:db8::/32" }] } }, match: [ev({ ip: "2001:db8::1" }), ev({ ip: "2001:0db8:ffff::" })], noMatch: [ev({ ip: "2001:db9::1" }), ev({ ip: "10.0.0.1" })] },
  { name: "$or at top level", pattern: { source: ["my.app"], $or: [{ detail: { a: ["1"] } }, { detail: { b: ["2"] } }] }, match: [ev({ a: "1" }), ev({ b: "2" })], noMatch: [ev({ a: "2", b: "1" }), ev({ a: "1" }, { source: "x" })] },
  { name: "$or nested", pattern: { detail: { $or: [{ c: [{ numeric: [">", 0, "<=", 5] }] }, { d: [{ numeric: ["<", 10] }] }, { x: [{ prefix: "p" }] }] } }, match: [ev({ c: 3 }), ev({ d: 1 }), ev({ x: "pq" })], noMatch: [ev({ c: 6, d: 11, x: "q" })] },
  { name: "mixed matchers in one leaf", pattern: { detail: { s: ["exact", { prefix: "pre" }, { numeric: [">", 100] }] } }, match: [ev({ s: "exact" }), ev({ s: "prefix" }), ev({ s: 101 })], noMatch: [ev({ s: "other" }), ev({ s: 100 })] },
];

describe("event patterns: every operator matches and does not", () => {
  for (const row of ROWS) {
    it(row.name, () => {
      const text = JSON.stringify(row.pattern);
      for (const e of row.match) expect(testPattern(text, e), `${text} should match ${JSON.stringify(e)}`).toBe(true);
      for (const e of row.noMatch) expect(testPattern(text, e), `${text} should not match ${JSON.stringify(e)}`).toBe(false);
    });
  }
});

function reason(pattern: string): string {
  try {
    compilePattern(pattern);
  } catch (error) {
    expect(error).toBeInstanceOf(EventPatternError);
    const message = (error as Error).message;
    expect(message.startsWith("Event pattern is not valid. Reason: ")).toBe(true);
    return message.slice("Event pattern is not valid. Reason: ".length).split("\n at [Source")[0]!;
  }
  throw new Error(`pattern ${pattern} was accepted`);
}

describe("event patterns: AWS's validation errors", () => {
  it("names the problem and where parsing stopped", () => {
    expect(() => compilePattern('{"source": "aws.ec2"}')).toThrow('Event pattern is not valid. Reason: "source" must be an object or an array\n at [Source: (String)"{"source": "aws.ec2"}"; line: 1, column: 21]');
  });

  const CASES: [string, string][] = [
    ['["a"]', "Filter is not an object"],
    ["{}", "Empty objects are not allowed"],
    ['{"a": {}}', "Empty objects are not allowed"],
    ['{"a": []}', "Empty arrays are not allowed"],
    ['{"a": [["x"]]}', "Match value must be String, number, true, false, or null"],
    ['{"a": [{"prefix": 1}]}', "prefix match pattern must be a string"],
    ['{"a": [{"suffix": true}]}', "suffix match pattern must be a string"],
    ['{"a": [{"prefix": "x", "suffix": "y"}]}', "Only one key allowed in match expression"],
    ['{"a": [{"nope": "x"}]}', "Unrecognized match type nope"],
    ['{"a": [{"numeric": ">"}]}', "Value of numeric must be an array."],
    ['{"a": [{"numeric": [">", "x"]}]}', "Value of > must be numeric"],
    ['{"a": [{"numeric": ["!", 1]}]}', "Unrecognized numeric range operator: !"],
    ['{"a": [{"numeric": [">", 1, ">", 2]}]}', "Bad numeric range operator: >"],
    ['{"a": [{"numeric": [">", 1, "<", 2, 3]}]}', "Too many terms in numeric range expression"],
    ['{"a": [{"numeric": ["<", 1, 2]}]}', "Too many elements in numeric expression"],
    ['{"a": [{"numeric": [">", 6e9]}]}', "Value must be between -5.0E9 and 5.0E9, inclusive"],
    ['{"a": [{"exists": "yes"}]}', "exists match pattern must be either true or false."],
    ['{"a": [{"anything-but": ["a", 1]}]}', "Inside anything but list, either all values are number or string, mixed type is not supported"],
    ['{"a": [{"anything-but": [null]}]}', "Inside anything but list, start|null|boolean is not supported."],
    ['{"a": [{"anything-but": true}]}', "Value of anything-but must be an array or single string/number value."],
    ['{"a": [{"anything-but": {"exists": true}}]}', "Unsupported anything-but pattern: exists"],
    ['{"a": [{"anything-but": {"prefix": ""}}]}', "Null prefix/suffix not allowed"],
    ['{"a": [{"wildcard": "a**b"}]}', "Consecutive wildcard characters at pos 2"],
    ['{"a": [{"equals-ignore-case": 5}]}', "equals-ignore-case match pattern must be a string"],
    ['{"a": [{"cidr": "10.0.0.0/33"}]}', "Nonsensical CIDR: 10.0.0.0/33"],
    ['{"$or": {"a": ["b"]}}', "It must be an Array followed with $or."],
    ['{"$or": [{"a": ["b"]}]}', "There must have at least 2 Objects in $or relationship."],
    ['{"$or": [{"a": ["b"]}, "c"]}', "Only JSON object is allowed in array of $or relationship."],
    ['{"$or": [{"prefix": ["b"]}, {"a": ["c"]}]}', "prefix is Ruler reserved fieldName which cannot be used inside $or."],
  ];
  for (const [pattern, expected] of CASES) {
    it(`${pattern} → ${expected}`, () => {
      expect(reason(pattern)).toBe(expected);
    });
  }

  it("malformed JSON is an invalid pattern too", () => {
    expect(() => compilePattern('{"a": ["b"')).toThrow(EventPatternError);
    expect(() => compilePattern('{"a": ["b"]} x')).toThrow(EventPatternError);
  });
});
