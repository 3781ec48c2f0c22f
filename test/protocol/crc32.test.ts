import { afterAll, describe, expect, it } from "vitest";
import { crc32, crc32OfText, usePortableCrc32 } from "../../src/protocol/crc32.ts";

describe("crc32 (x-amz-crc32)", () => {
  afterAll(() => usePortableCrc32(false));
  const vectors: [string, number][] = [["", 0], ["123456789", 0xcbf43926], ["The quick brown fox jumps over the lazy dog", 0x414fa339]];
  for (const portable of [false, true]) {
    it(`${portable ? "portable" : "native when available"}: standard check values`, () => {
      usePortableCrc32(portable);
      for (const [text, expected] of vectors) expect(crc32(new TextEncoder().encode(text))).toBe(expected);
      const big = new Uint8Array(1 << 20).map((_, i) => i * 31);
      usePortableCrc32(true);
      const reference = crc32(big);
      usePortableCrc32(portable);
      expect(crc32(big)).toBe(reference);
    });
    it(`${portable ? "portable" : "native when available"}: text is its UTF-8 bytes`, () => {
      usePortableCrc32(portable);
      for (const [text, expected] of vectors) expect(crc32OfText(text)).toBe(expected);
      for (const text of ["é", "{\"S\":\"\u00e9\u4e2d\ud83d\ude00\"}", "\ud800 lone"]) {
        expect(crc32OfText(text)).toBe(crc32(new TextEncoder().encode(text)));
      }
    });
  }
});
