/**
 * fast-check arbitraries for an operation's input, walked from the service model: values that
 * fit each member's shape, mixed with hostile ones (wrong JSON types, absurd numbers, path
 * traversal, control characters, lone surrogates, long and deeply nested values).
 */
import fc from "fast-check";
import type { ServiceModel, Shape, ShapeRef } from "../../src/protocol/model.ts";

/** Strings that have broken parsers, routers and key stores before. */
export const HOSTILE_STRINGS = [
  "", " ", "../../../etc/passwd", "..", ".", "/", "//", "a/../../b", "..%2f..%2f", "%", "%zz", "%00",
  "\u0000", "\u0001\u001f", "\ud800", "\udfff", "\uffff", "\ufeff", "😀".repeat(3), "<![CDATA[x]]>",
  "<a>&amp;</a>", "&xxe;", "'\"<>&", "${jndi:x}", "\\", "\r\n", "a\r\nx-injected: 1", "NaN", "-0",
  "1e999", "9".repeat(40), "true", "null", "{}", "[]", "arn:aws:s3:::", "arn:aws:sqs:us-east-1:000000000000:",
  "x".repeat(1100), "/".repeat(300),
];

const hostileString = fc.constantFrom(...HOSTILE_STRINGS);
let friendly: fc.Arbitrary<string> = fc.constant("fuzz");

/** Names of resources the harness created, drawn often so requests get past "not found". */
export function setFriendlyStrings(strings: readonly string[]): void {
  friendly = fc.constantFrom(...strings);
}

/** Numbers beyond every type's range, and ones JSON cannot say. */
const hostileNumber = fc.constantFrom(-1, 0, 2 ** 31, -(2 ** 31) - 1, 2 ** 53 + 1, Number.MAX_VALUE, -Number.MAX_VALUE, 1e-300, 0.5, -0.5);

/** A value of any JSON type (for members given the wrong one). */
export const wrongValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 8 }),
  hostileString,
  fc.integer(),
  hostileNumber,
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), { maxKeys: 2 }),
);

export interface ValueOptions {
  /** Chance (0..1) that a member gets a value of the wrong type instead of its own. */
  wrongTypes: number;
  /** Structure depth beyond which structures are left empty (recursive shapes). */
  maxDepth: number;
}

/** A value for `ref`'s shape; timestamps are Dates and blobs Uint8Arrays (the encoder renders them). */
export function valueFor(model: ServiceModel, ref: ShapeRef, options: ValueOptions, depth = 0): fc.Arbitrary<unknown> {
  const own = ownValue(model, ref, options, depth);
  if (options.wrongTypes <= 0) return own;
  const weight = Math.max(1, Math.round(options.wrongTypes * 100));
  return fc.oneof({ arbitrary: own, weight: 100 - Math.min(weight, 99) }, { arbitrary: wrongValue, weight });
}

function ownValue(model: ServiceModel, ref: ShapeRef, options: ValueOptions, depth: number): fc.Arbitrary<unknown> {
  const shape: Shape | undefined = model.shapes[ref.shape];
  if (!shape) return fc.constant(undefined);
  switch (shape.type) {
    case "structure": {
      if (shape.document) return fc.jsonValue({ maxDepth: 2 });
      if (depth >= options.maxDepth) return fc.constant({});
      const members = Object.entries(shape.members ?? {});
      if (members.length === 0) return fc.constant({});
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [name, member] of members) record[name] = valueFor(model, member, options, depth + 1);
      // Unions get one member; structures any subset (required ones most of the time).
      if (shape.union) return fc.constantFrom(...members.map(([name]) => name)).chain((name) => record[name]!.map((v) => ({ [name]: v })));
      return fc.record(record, { requiredKeys: [] });
    }
    case "list":
      if (depth >= options.maxDepth) return fc.constant([]);
      return fc.array(valueFor(model, shape.member!, options, depth + 1), { maxLength: 3 });
    case "map":
      if (depth >= options.maxDepth) return fc.constant({});
      return fc.dictionary(fc.oneof(fc.string({ maxLength: 6 }), hostileString, fc.constant(null).chain(() => friendly)), valueFor(model, shape.value!, options, depth + 1), { maxKeys: 3 });
    case "string":
      return fc.oneof(
        ...(shape.enum?.length ? [{ arbitrary: fc.constantFrom(...shape.enum), weight: 3 }] : []),
        { arbitrary: fc.string({ minLength: Math.min(shape.min ?? 0, 64), maxLength: Math.max(Math.min(shape.max ?? 24, 24), Math.min(shape.min ?? 0, 64)) }), weight: 3 },
        { arbitrary: fc.string({ unit: "binary", maxLength: 12 }), weight: 1 },
        { arbitrary: hostileString, weight: 2 },
        { arbitrary: fc.constant(null).chain(() => friendly), weight: 4 },
      );
    case "integer": case "long": case "short": case "byte":
      return fc.oneof(fc.integer({ min: Math.max(shape.min ?? -1000, -(2 ** 31)), max: Math.min(Math.max(shape.max ?? 100_000, shape.min ?? 0), 2 ** 31 - 1) }), hostileNumber);
    case "float": case "double": case "bigdecimal":
      return fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), hostileNumber);
    case "biginteger":
      return fc.oneof(fc.bigInt().map(String), hostileNumber);
    case "boolean":
      return fc.boolean();
    case "timestamp":
      return fc.oneof(
        fc.date({ min: new Date(-62135596800000), max: new Date(253402300799000), noInvalidDate: true }),
        fc.constantFrom(new Date(0), new Date(8.64e15)),
      );
    case "blob":
      return fc.uint8Array({ maxLength: 48 });
    default:
      return fc.string({ maxLength: 8 });
  }
}
