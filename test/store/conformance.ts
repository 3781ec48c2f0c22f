/**
 * The Store conformance suite: what every Store (memory, copying, prefixed views, Deno KV,
 * Durable Objects, SQLite) must do, with Deno KV's semantics as the reference
 * (https://docs.deno.com/api/deno/~/Deno.Kv). Call `runStoreConformance` from a test file.
 */
import { describe, expect, it } from "vitest";
import { update } from "../../src/store/mutex.ts";
import type { Entry, Key, ListOptions, ListSelector, Store } from "../../src/store/types.ts";

export interface ConformanceOptions {
  /**
   * The store keeps its own copy of values (every store but the reference-keeping memory
   * store): mutating a value after `set` or after `get` does not change what is stored.
   */
  copiesValues?: boolean;
}

async function collect<T = unknown>(store: Store, selector: ListSelector, options?: ListOptions): Promise<Entry<T>[]> {
  const out: Entry<T>[] = [];
  for await (const e of store.list<T>(selector, options)) out.push(e);
  return out;
}

async function listKeys(store: Store, selector: ListSelector, options?: ListOptions): Promise<Key[]> {
  return (await collect(store, selector, options)).map((e) => e.key);
}

/**
 * Keys in Deno KV order, as observed from Deno 2.9 `Deno.openKv(":memory:")`. Note bigints
 * sort below numbers there, although Deno's key-space documentation lists number first.
 */
const ORDERED_KEYS: Key[] = [
  [new Uint8Array([])],
  [new Uint8Array([0])],
  [new Uint8Array([0, 0])],
  [new Uint8Array([1])],
  [new Uint8Array([255])],
  [""],
  ["\0"],
  ["A"],
  ["a"],
  ["a", new Uint8Array([1])],
  ["a", "x"],
  ["a", 1n],
  ["a", 1],
  ["a", true],
  ["a\0"],
  ["ab"],
  ["\u00e9"],
  ["\ud7ff"],
  ["\ue000"],
  ["\uffff"],
  ["\u{10000}"],
  ["\u{1f600}"],
  [-(2n ** 70n)],
  [-5n],
  [0n],
  [1n],
  [2n ** 16n],
  [2n ** 70n],
  [-Infinity],
  [-1.5],
  [-0],
  [0],
  [1],
  [2],
  [10],
  [Infinity],
  [NaN],
  [false],
  [true],
];

export function runStoreConformance(name: string, makeStore: () => Store | Promise<Store>, options: ConformanceOptions = {}): void {
  describe(`Store conformance: ${name}`, () => {
    describe("get / set / delete", () => {
      it("gets null value and versionstamp for a missing key", async () => {
        const store = await makeStore();
        expect(await store.get(["missing"])).toEqual({ key: ["missing"], value: null, versionstamp: null });
      });

      it("sets and gets a value with a 20-hex-digit versionstamp that grows per write", async () => {
        const store = await makeStore();
        const first = await store.set(["k"], { a: 1 });
        expect(first.ok).toBe(true);
        expect(first.versionstamp).toMatch(/^[0-9a-f]{20}$/);
        const entry = await store.get(["k"]);
        expect(entry).toEqual({ key: ["k"], value: { a: 1 }, versionstamp: first.versionstamp });
        const second = await store.set(["k"], { a: 2 });
        expect(second.versionstamp > first.versionstamp).toBe(true);
        expect((await store.get(["k"])).value).toEqual({ a: 2 });
      });

      it("stores null as a value that exists", async () => {
        const store = await makeStore();
        const { versionstamp } = await store.set(["n"], null);
        expect(await store.get(["n"])).toEqual({ key: ["n"], value: null, versionstamp });
      });

      it("round-trips nested data, Uint8Array and bigint values", async () => {
        const store = await makeStore();
        const value = { s: "x", n: -1.5, b: true, nil: null, list: [1, "two", [3]], bytes: new Uint8Array([0, 1, 255]), big: 2n ** 64n };
        await store.set(["v"], value);
        expect((await store.get(["v"])).value).toEqual(value);
      });

      it("deletes a key, and deleting a missing key is not an error", async () => {
        const store = await makeStore();
        await store.set(["d"], 1);
        await store.delete(["d"]);
        expect((await store.get(["d"])).versionstamp).toBeNull();
        await expect(store.delete(["never"])).resolves.toBeUndefined();
      });

      it("rejects an empty key for writes", async () => {
        const store = await makeStore();
        await expect(Promise.resolve().then(() => store.set([], 1))).rejects.toThrow(/key cannot be empty/);
      });

      it("tells key part types apart and compares Uint8Array parts by content", async () => {
        const store = await makeStore();
        await store.set(["t", 1], "number");
        await store.set(["t", 1n], "bigint");
        await store.set(["t", "1"], "string");
        await store.set(["t", true], "boolean");
        await store.set(["t", new Uint8Array([1])], "bytes");
        expect((await store.get(["t", 1])).value).toBe("number");
        expect((await store.get(["t", 1n])).value).toBe("bigint");
        expect((await store.get(["t", "1"])).value).toBe("string");
        expect((await store.get(["t", true])).value).toBe("boolean");
        expect((await store.get(["t", new Uint8Array([1])])).value).toBe("bytes");
        expect((await store.get(["t", 2])).value).toBeNull();
        expect(await listKeys(store, { prefix: ["t"] })).toHaveLength(5);
      });

      it("tells apart keys that differ only in part boundaries", async () => {
        const store = await makeStore();
        await store.set(["abc", "def"], 1);
        await store.set(["ab", "cdef"], 2);
        await store.set(["abc", "", "def"], 3);
        expect((await store.get(["abc", "def"])).value).toBe(1);
        expect((await store.get(["ab", "cdef"])).value).toBe(2);
        expect((await store.get(["abc", "", "def"])).value).toBe(3);
        expect((await store.get(["abcdef"])).value).toBeNull();
      });
    });

    describe("getMany", () => {
      it("returns entries in the order asked, with nulls for missing keys", async () => {
        const store = await makeStore();
        const a = await store.set(["m", "a"], "A");
        const c = await store.set(["m", "c"], "C");
        expect(await store.getMany([["m", "c"], ["m", "b"], ["m", "a"]])).toEqual([
          { key: ["m", "c"], value: "C", versionstamp: c.versionstamp },
          { key: ["m", "b"], value: null, versionstamp: null },
          { key: ["m", "a"], value: "A", versionstamp: a.versionstamp },
        ]);
        expect(await store.getMany([])).toEqual([]);
      });
    });

    describe("key order", () => {
      it("lists keys in Deno KV order across types, UTF-8 byte order for strings", async () => {
        const store = await makeStore();
        // Insert in a scrambled order.
        const scrambled = ORDERED_KEYS.map((k, i) => [(i * 17) % ORDERED_KEYS.length, k] as const).sort((x, y) => x[0] - y[0]);
        for (const [, key] of scrambled) await store.set(["o", ...key], 1);
        expect(await listKeys(store, { prefix: ["o"] })).toEqual(ORDERED_KEYS.map((k) => ["o", ...k]));
        expect(await listKeys(store, { prefix: ["o"] }, { reverse: true })).toEqual(ORDERED_KEYS.map((k) => ["o", ...k]).reverse());
      });

      it("keeps -0 and 0 as distinct keys, and NaN as one key", async () => {
        const store = await makeStore();
        await store.set(["z", -0], "neg");
        await store.set(["z", 0], "pos");
        await store.set(["z", NaN], "nan");
        expect((await store.get(["z", -0])).value).toBe("neg");
        expect((await store.get(["z", 0])).value).toBe("pos");
        expect((await store.get(["z", Number("x")])).value).toBe("nan");
      });
    });

    describe("list", () => {
      const seed = async (store: Store) => {
        await store.set(["a"], "root");
        for (const k of ["b", "c", "d", "e"]) await store.set(["a", k], k);
        await store.set(["a", "c", "deep"], "deep");
        await store.set(["b"], "other");
        await store.set(["a\0"], "sibling");
      };

      it("lists keys strictly under a prefix, not the prefix itself", async () => {
        const store = await makeStore();
        await seed(store);
        expect(await listKeys(store, { prefix: ["a"] })).toEqual([["a", "b"], ["a", "c"], ["a", "c", "deep"], ["a", "d"], ["a", "e"]]);
        const entries = await collect(store, { prefix: ["a", "c"] });
        expect(entries).toEqual([{ key: ["a", "c", "deep"], value: "deep", versionstamp: (await store.get(["a", "c", "deep"])).versionstamp }]);
        expect(await listKeys(store, { prefix: ["nothing"] })).toEqual([]);
      });

      it("lists everything with an empty prefix", async () => {
        const store = await makeStore();
        await seed(store);
        expect(await listKeys(store, { prefix: [] })).toEqual([
          ["a"], ["a", "b"], ["a", "c"], ["a", "c", "deep"], ["a", "d"], ["a", "e"], ["a\0"], ["b"],
        ]);
      });

      it("bounds a prefix list by an inclusive start or an exclusive end", async () => {
        const store = await makeStore();
        await seed(store);
        expect(await listKeys(store, { prefix: ["a"], start: ["a", "c", "deep"] })).toEqual([["a", "c", "deep"], ["a", "d"], ["a", "e"]]);
        expect(await listKeys(store, { prefix: ["a"], start: ["a", "cc"] })).toEqual([["a", "d"], ["a", "e"]]);
        expect(await listKeys(store, { prefix: ["a"], end: ["a", "d"] })).toEqual([["a", "b"], ["a", "c"], ["a", "c", "deep"]]);
        expect(await listKeys(store, { prefix: ["a"], end: ["a", "d"] }, { reverse: true })).toEqual([["a", "c", "deep"], ["a", "c"], ["a", "b"]]);
      });

      it("rejects prefix bounds outside the prefix, as Deno KV does", async () => {
        const store = await makeStore();
        await seed(store);
        await expect(listKeys(store, { prefix: ["a"], start: ["b"] })).rejects.toThrow(/Start key is not in the keyspace defined by prefix/);
        await expect(listKeys(store, { prefix: ["a"], start: ["a"] })).rejects.toThrow(/Start key is not in the keyspace defined by prefix/);
        await expect(listKeys(store, { prefix: ["a"], end: ["a"] })).rejects.toThrow(/End key is not in the keyspace defined by prefix/);
      });

      it("lists [start, end) with start inclusive and end exclusive", async () => {
        const store = await makeStore();
        await seed(store);
        expect(await listKeys(store, { start: ["a", "c"], end: ["a", "e"] })).toEqual([["a", "c"], ["a", "c", "deep"], ["a", "d"]]);
        expect(await listKeys(store, { start: ["a"], end: ["b"] })).toEqual([["a"], ["a", "b"], ["a", "c"], ["a", "c", "deep"], ["a", "d"], ["a", "e"], ["a\0"]]);
        expect(await listKeys(store, { start: ["a", "c"], end: ["a", "c"] })).toEqual([]);
        await expect(listKeys(store, { start: ["b"], end: ["a"] })).rejects.toThrow(/Start key is greater than end key/);
      });

      it("applies limit, reverse, and both", async () => {
        const store = await makeStore();
        await seed(store);
        expect(await listKeys(store, { prefix: ["a"] }, { limit: 2 })).toEqual([["a", "b"], ["a", "c"]]);
        expect(await listKeys(store, { prefix: ["a"] }, { reverse: true })).toEqual([["a", "e"], ["a", "d"], ["a", "c", "deep"], ["a", "c"], ["a", "b"]]);
        expect(await listKeys(store, { prefix: ["a"] }, { reverse: true, limit: 2 })).toEqual([["a", "e"], ["a", "d"]]);
        expect(await listKeys(store, { prefix: ["a"] }, { limit: 100 })).toHaveLength(5);
      });

      it("lists many keys in order across batches, forwards and backwards", async () => {
        const store = await makeStore();
        const n = 1000;
        const order = Array.from({ length: n }, (_, i) => (i * 7919) % n); // a permutation
        for (const i of order) await store.set(["many", i], i);
        const forward = (await collect<number>(store, { prefix: ["many"] })).map((e) => e.value);
        expect(forward).toEqual(Array.from({ length: n }, (_, i) => i));
        const backward = (await collect<number>(store, { prefix: ["many"] }, { reverse: true, limit: 700 })).map((e) => e.value);
        expect(backward).toEqual(Array.from({ length: 700 }, (_, i) => n - 1 - i));
        const window = (await collect<number>(store, { start: ["many", 250], end: ["many", 750] }, { limit: 300 })).map((e) => e.value);
        expect(window).toEqual(Array.from({ length: 300 }, (_, i) => 250 + i));
      });

      it("yields each key at most once, in order, when the store changes during iteration", async () => {
        const store = await makeStore();
        for (let i = 0; i < 300; i++) await store.set(["it", i * 2], i);
        const seen: number[] = [];
        for await (const e of store.list<number>({ prefix: ["it"] })) {
          const n = e.key[1] as number;
          seen.push(n);
          if (n % 100 === 0) {
            await store.set(["it", n + 1], "inserted"); // just ahead of the cursor
            await store.set(["it", n], "rewritten"); // behind the cursor
            await store.delete(["it", 0]);
          }
        }
        expect(new Set(seen).size).toBe(seen.length);
        expect([...seen].sort((a, b) => a - b)).toEqual(seen);
        expect(seen).toContain(598);
      });
    });

    describe("atomic", () => {
      it("commits checks and mutations together under one versionstamp", async () => {
        const store = await makeStore();
        const a = await store.set(["x", "a"], 1);
        await store.set(["x", "gone"], 1);
        const result = await store
          .atomic()
          .check({ key: ["x", "a"], versionstamp: a.versionstamp }, { key: ["x", "new"], versionstamp: null })
          .set(["x", "a"], 2)
          .set(["x", "new"], 3)
          .delete(["x", "gone"])
          .commit();
        expect(result.ok).toBe(true);
        if (!result.ok) return;
        expect(result.versionstamp).toMatch(/^[0-9a-f]{20}$/);
        expect(result.versionstamp > a.versionstamp).toBe(true);
        expect(await store.getMany([["x", "a"], ["x", "new"], ["x", "gone"]])).toEqual([
          { key: ["x", "a"], value: 2, versionstamp: result.versionstamp },
          { key: ["x", "new"], value: 3, versionstamp: result.versionstamp },
          { key: ["x", "gone"], value: null, versionstamp: null },
        ]);
      });

      it("applies nothing when any check fails", async () => {
        const store = await makeStore();
        const first = await store.set(["y", "a"], 1);
        await store.set(["y", "a"], 2); // first.versionstamp is now stale
        await store.set(["y", "keep"], "kept");
        const result = await store
          .atomic()
          .check({ key: ["y", "free"], versionstamp: null })
          .check({ key: ["y", "a"], versionstamp: first.versionstamp })
          .set(["y", "free"], "no")
          .set(["y", "a"], "no")
          .delete(["y", "keep"])
          .commit();
        expect(result).toEqual({ ok: false });
        expect((await store.get(["y", "free"])).versionstamp).toBeNull();
        expect((await store.get(["y", "a"])).value).toBe(2);
        expect((await store.get(["y", "keep"])).value).toBe("kept");
      });

      it("fails a null-versionstamp check when the key exists, and passes once it is deleted", async () => {
        const store = await makeStore();
        await store.set(["u"], "taken");
        expect(await store.atomic().check({ key: ["u"], versionstamp: null }).set(["u"], "mine").commit()).toEqual({ ok: false });
        expect((await store.get(["u"])).value).toBe("taken");
        await store.delete(["u"]);
        expect((await store.atomic().check({ key: ["u"], versionstamp: null }).set(["u"], "mine").commit()).ok).toBe(true);
        expect((await store.get(["u"])).value).toBe("mine");
      });

      it("fails a versionstamp check on a missing key", async () => {
        const store = await makeStore();
        const { versionstamp } = await store.set(["w"], 1);
        await store.delete(["w"]);
        expect(await store.atomic().check({ key: ["w"], versionstamp }).set(["w"], 2).commit()).toEqual({ ok: false });
        expect((await store.get(["w"])).versionstamp).toBeNull();
      });

      it("lets exactly one of two racing create-if-absent commits win", async () => {
        const store = await makeStore();
        const results = await Promise.all(
          ["first", "second"].map((v) => store.atomic().check({ key: ["race"], versionstamp: null }).set(["race"], v).commit()),
        );
        expect(results.filter((r) => r.ok)).toHaveLength(1);
      });

      it("commits an empty operation", async () => {
        const store = await makeStore();
        const result = await store.atomic().commit();
        expect(result.ok).toBe(true);
      });
    });

    describe("update()", () => {
      it("ends at 100 after 100 concurrent increments", async () => {
        const store = await makeStore();
        await Promise.all(Array.from({ length: 100 }, () => update<number>(store, ["counter"], (n) => (n ?? 0) + 1)));
        expect((await store.get(["counter"])).value).toBe(100);
      });

      it("retries when another writer commits between its read and its write", async () => {
        const store = await makeStore();
        await store.set(["c2"], 10);
        let calls = 0;
        const result = await update<number>(store, ["c2"], async (n) => {
          calls++;
          if (calls === 1) await store.set(["c2"], 20); // a writer that is not using update()
          return (n ?? 0) + 1;
        });
        expect(calls).toBe(2);
        expect(result.value).toBe(21);
        expect(await store.get(["c2"])).toEqual({ key: ["c2"], value: 21, versionstamp: result.versionstamp });
      });
    });

    describe("value isolation", () => {
      it("returns an entry whose value equals what was set", async () => {
        const store = await makeStore();
        const value = { nested: { list: [1, 2] } };
        await store.set(["iso"], value);
        expect((await store.get(["iso"])).value).toEqual({ nested: { list: [1, 2] } });
      });

      // Only stores that copy promise this (the memory store keeps references, by design).
      if (options.copiesValues) it("is not changed by mutating a value after set or after get", async () => {
        const store = await makeStore();
        const value = { nested: { list: [1, 2] }, bytes: new Uint8Array([1]) };
        await store.set(["iso"], value);
        value.nested.list.push(3);
        value.bytes[0] = 9;
        const read = (await store.get<typeof value>(["iso"])).value!;
        expect(read).toEqual({ nested: { list: [1, 2] }, bytes: new Uint8Array([1]) });
        read.nested.list.push(4);
        const [listed] = await collect<typeof value>(store, { prefix: [] });
        expect(listed!.value.nested.list).toEqual([1, 2]);
        listed!.value.nested.list.push(5);
        expect((await store.getMany<typeof value>([["iso"]]))[0]!.value!.nested.list).toEqual([1, 2]);
      });
    });
  });
}
