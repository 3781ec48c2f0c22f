import { describe, expect, it } from "vitest";
import { createCopyingStore } from "../../src/store/copying.ts";
import { compareKeys, compareStrings, encodeKey, isKeyUnder } from "../../src/store/keys.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { update } from "../../src/store/mutex.ts";
import { prefixStore } from "../../src/store/prefixed.ts";
import { SortedStrings } from "../../src/store/sorted-list.ts";
import type { Key, KeyPart } from "../../src/store/types.ts";
import { runStoreConformance } from "./conformance.ts";

runStoreConformance("memory", () => createMemoryStore());
runStoreConformance("copying(memory)", () => createCopyingStore(), { copiesValues: true });
runStoreConformance("prefixed(memory)", () => {
  const inner = createMemoryStore();
  // Neighbours that a leaky view would show.
  void inner.set(["sqs", "000000000000"], "root");
  void inner.set(["sqs", "000000000000", "us-east-1x"], "sibling");
  void inner.set(["sqs", "000000000001", "us-east-1", "q"], "other account");
  return prefixStore(inner, ["sqs", "000000000000", "us-east-1"]);
});
runStoreConformance("prefixed(copying)", () => prefixStore(createCopyingStore(), ["s3", "000000000000", "eu-west-1"]), { copiesValues: true });

// Deterministic pseudo-random generator so failures reproduce.
function rng(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x80000000;
  };
}

const ALPHABET = ["", "a", "b", "\0", "\u00e9", "\ud7ff", "\ue000", "\uffff", "\u{10000}", "\u{1f600}", "z"];

function randomPart(r: () => number): KeyPart {
  switch (Math.floor(r() * 5)) {
    case 0: return new Uint8Array(Array.from({ length: Math.floor(r() * 3) }, () => [0, 1, 255][Math.floor(r() * 3)]!));
    case 1: return Array.from({ length: Math.floor(r() * 3) }, () => ALPHABET[Math.floor(r() * ALPHABET.length)]).join("");
    case 2: return [-Infinity, -1e300, -2, -0, 0, 0.5, 1, 2 ** 53, Infinity, NaN][Math.floor(r() * 10)]!;
    case 3: return [-(2n ** 80n), -65536n, -65535n, -1n, 0n, 1n, 65535n, 65536n, 2n ** 80n][Math.floor(r() * 9)]!;
    default: return r() < 0.5;
  }
}

const randomKey = (r: () => number): Key => Array.from({ length: 1 + Math.floor(r() * 3) }, () => randomPart(r));

const utf8 = new TextEncoder();
function compareUtf8(a: string, b: string): number {
  const x = utf8.encode(a), y = utf8.encode(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

describe("key order and encoding", () => {
  it("compares strings by UTF-8 bytes, not UTF-16 code units", () => {
    expect(compareStrings("\uffff", "\u{10000}")).toBe(-1);
    expect("\uffff" < "\u{10000}").toBe(false); // the JS order this corrects
    const r = rng(7);
    for (let i = 0; i < 2000; i++) {
      const a = ALPHABET[Math.floor(r() * ALPHABET.length)]! + ALPHABET[Math.floor(r() * ALPHABET.length)]!;
      const b = ALPHABET[Math.floor(r() * ALPHABET.length)]! + ALPHABET[Math.floor(r() * ALPHABET.length)]!;
      expect(Math.sign(compareStrings(a, b))).toBe(Math.sign(compareUtf8(a, b)));
    }
  });

  it("encodes keys so that string order is key order and equal strings mean equal keys", () => {
    const r = rng(42);
    const keys = Array.from({ length: 3000 }, () => randomKey(r));
    for (let i = 0; i + 1 < keys.length; i++) {
      const a = keys[i]!, b = keys[i + 1]!;
      const ea = encodeKey(a), eb = encodeKey(b);
      const byKey = compareKeys(a, b);
      expect(ea < eb ? -1 : ea === eb ? 0 : 1).toBe(byKey);
      expect(isKeyUnder(b, a)).toBe(eb.length > ea.length && eb.startsWith(ea) && eb.charCodeAt(ea.length) < 7);
    }
  });

  it("rejects invalid key parts", () => {
    expect(() => encodeKey([{} as unknown as KeyPart])).toThrow(TypeError);
    expect(() => encodeKey([undefined as unknown as KeyPart])).toThrow(TypeError);
    expect(() => compareKeys([null as unknown as KeyPart], ["a"])).toThrow(TypeError);
  });
});

describe("SortedStrings", () => {
  it("matches a sorted array under random inserts and removes", () => {
    const r = rng(3);
    const set = new SortedStrings();
    const model = new Set<string>();
    for (let i = 0; i < 20000; i++) {
      const s = String(Math.floor(r() * 5000)).padStart(5, "0");
      if (r() < 0.7) expect(set.insert(s)).toBe(!model.has(s)), model.add(s);
      else expect(set.remove(s)).toBe(model.delete(s));
    }
    const sorted = [...model].sort();
    expect(set.size).toBe(sorted.length);
    expect(set.range("", false, "\uffff", false, Infinity)).toEqual(sorted);
    expect(set.range("", false, "\uffff", true, Infinity)).toEqual([...sorted].reverse());
    expect(set.range("01000", true, "02000", false, 10)).toEqual(sorted.filter((s) => s > "01000" && s < "02000").slice(0, 10));
    expect(set.range("01000", true, "02000", true, 10)).toEqual(sorted.filter((s) => s > "01000" && s < "02000").reverse().slice(0, 10));
  });
});

describe("memory store", () => {
  it("lists 100k keys inserted in random order in key order", async () => {
    const store = createMemoryStore();
    const n = 100_000;
    for (let i = 0; i < n; i++) await store.set(["big", (i * 48271) % n], i);
    expect(store.size).toBe(n);
    let previous = -1, outOfOrder = 0;
    for await (const e of store.list({ prefix: ["big"] })) {
      if (e.key[1] !== previous + 1) outOfOrder++;
      previous = e.key[1] as number;
    }
    expect(outOfOrder).toBe(0);
    expect(previous).toBe(n - 1);
    const last = [];
    for await (const e of store.list({ prefix: ["big"] }, { reverse: true, limit: 3 })) last.push(e.key[1]);
    expect(last).toEqual([n - 1, n - 2, n - 3]);
  });

  it("clear() empties the store", async () => {
    const store = createMemoryStore();
    await store.set(["a"], 1);
    store.clear();
    expect(store.size).toBe(0);
    expect((await store.get(["a"])).value).toBeNull();
  });
});

describe("copying store", () => {
  it("catches a handler that mutates a value it read without writing it back", async () => {
    const store = createCopyingStore();
    await store.set(["queue"], { messages: [] as string[] });
    const { value } = await store.get<{ messages: string[] }>(["queue"]);
    value!.messages.push("lost"); // no set(): the store must not see it
    expect((await store.get(["queue"])).value).toEqual({ messages: [] });
  });
});

describe("prefixed view", () => {
  it("writes under the prefix, strips it on the way out, and sees nothing outside", async () => {
    const inner = createMemoryStore();
    const view = prefixStore(inner, ["sqs", "000000000000", "us-east-1"]);
    await view.set(["queue", "q1"], 1);
    await inner.set(["sqs", "000000000000", "us-west-2", "queue", "q2"], 2);
    await inner.set(["sqs", "000000000000", "us-east-1"], "namespace root");
    expect((await inner.get(["sqs", "000000000000", "us-east-1", "queue", "q1"])).value).toBe(1);
    const listed = [];
    for await (const e of view.list({ prefix: [] })) listed.push(e.key);
    expect(listed).toEqual([["queue", "q1"]]);
    const ranged = [];
    for await (const e of view.list({ start: [], end: ["zzz"] })) ranged.push(e.key);
    expect(ranged).toEqual([["queue", "q1"]]);
    expect((await view.get(["queue", "q2"])).value).toBeNull();
    expect(await view.getMany([["queue", "q1"]])).toEqual([{ key: ["queue", "q1"], value: 1, versionstamp: expect.any(String) }]);
  });
});

describe("update() through per-request views", () => {
  it("queues updates of one stored key made through different view objects", async () => {
    const inner = createMemoryStore();
    // As the gateway does: a fresh ctx.store view (over a copying store) for every request.
    const view = () => prefixStore(createCopyingStore(inner), ["sqs", "000000000000", "us-east-1"]);
    let calls = 0;
    await Promise.all(Array.from({ length: 100 }, () => update<number>(view(), ["counter"], (n) => (calls++, (n ?? 0) + 1), { retries: 0 })));
    expect((await inner.get(["sqs", "000000000000", "us-east-1", "counter"])).value).toBe(100);
    expect(calls).toBe(100);
  });
});
