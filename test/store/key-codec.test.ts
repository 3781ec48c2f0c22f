import { describe, expect, it } from "vitest";
import { compareKeys } from "../../src/store/keys.ts";
import { decodeKeyBytes, decodeKeyText, keyBytes, keyText } from "../../src/store/key-codec.ts";
import type { Key } from "../../src/store/types.ts";

const KEYS: Key[] = [
  [new Uint8Array([])], [new Uint8Array([0, 255])], [""], ["\0"], ["a\0b"], ["\ud7ff"], ["\ue000"], ["\uffff"], ["\u{10000}"], ["\u{1f600}x"],
  ["lone \ud800 surrogate"], [-(2n ** 70n)], [-1n], [0n], [65536n], [-Infinity], [-1.5], [-0], [0], [5e-324], [Infinity], [NaN], [false], [true],
  ["sqs", "000000000000", "us-east-1", "queue", "orders", 42], ["s3", "global", "bucket/photo ☃.jpg"],
];

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

describe("key codec", () => {
  it("round-trips every kind of key part", () => {
    for (const key of KEYS) {
      expect(decodeKeyText(keyText(key))).toEqual(key);
      expect(decodeKeyBytes(keyBytes(key))).toEqual(key);
      expect(Object.is(decodeKeyText(keyText([-0]))[0], -0)).toBe(true);
    }
  });

  it("orders bytes exactly as keys order", () => {
    for (const a of KEYS) {
      for (const b of KEYS) {
        expect(Math.sign(compareBytes(keyBytes(a), keyBytes(b)))).toBe(compareKeys(a, b));
      }
    }
  });

  it("produces well-formed text", () => {
    for (const key of KEYS) expect(keyText(key).isWellFormed()).toBe(true);
  });
});
