import { describe, expect, it } from "vitest";
import { createMemoryBlobStore } from "../../src/store/blobs.ts";
import { createCopyingStore } from "../../src/store/copying.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { clearStore, decodeJson, encodeJson, restoreStore, snapshotStore, type StateSnapshot } from "../../src/store/snapshot.ts";
import type { Key, Store } from "../../src/store/types.ts";

async function dump(store: Store, prefix: Key = []) {
  const out: [Key, unknown][] = [];
  for await (const e of store.list({ prefix })) out.push([e.key, e.value]);
  return out;
}

/** A snapshot as it comes back from a file or an HTTP body. */
const viaJson = (s: StateSnapshot): StateSnapshot => JSON.parse(JSON.stringify(s));

const TRICKY_VALUE = {
  bytes: new Uint8Array([0, 1, 2, 253, 254, 255]),
  big: -(2n ** 70n),
  numbers: [0, -0, 1.5, NaN, Infinity, -Infinity],
  holes: [undefined, null],
  date: new Date("2024-02-29T12:34:56.789Z"),
  dollar: { $bytes: "not a tag" },
  dollars: { $a: 1, $b: 2 },
  nested: { $object: { $bigint: "1" } },
  text: "\0\u{1f600}\uffff",
};

describe("tagged JSON encoding", () => {
  it("round-trips bytes, bigint, non-finite numbers, -0, undefined, Date and $-named members through JSON", () => {
    const back = decodeJson(JSON.parse(JSON.stringify(encodeJson(TRICKY_VALUE))));
    expect(back).toEqual(TRICKY_VALUE);
    expect(Object.is((back as typeof TRICKY_VALUE).numbers[1], -0)).toBe(true);
    expect((back as typeof TRICKY_VALUE).bytes).toBeInstanceOf(Uint8Array);
  });

  it("uses the documented tags", () => {
    expect(encodeJson(new Uint8Array([104, 105]))).toEqual({ $bytes: "aGk=" });
    expect(encodeJson(12n)).toEqual({ $bigint: "12" });
    expect(encodeJson(-0)).toEqual({ $number: "-0" });
    expect(encodeJson(NaN)).toEqual({ $number: "NaN" });
    expect(encodeJson(undefined)).toEqual({ $undefined: true });
    expect(encodeJson({ $x: 1 })).toEqual({ $object: { $x: 1 } });
    expect(encodeJson({ a: undefined, b: 1 })).toEqual({ b: 1 });
  });

  it("rejects values it cannot represent and tags it does not know", () => {
    expect(() => encodeJson(new Map())).toThrow(TypeError);
    expect(() => encodeJson(() => 1)).toThrow(TypeError);
    expect(() => decodeJson({ $nope: 1 })).toThrow(/unknown tag/);
  });
});

describe("snapshotStore / restoreStore", () => {
  it("round-trips every key part type and tricky values through JSON", async () => {
    const store = createMemoryStore();
    const keys: Key[] = [["k", new Uint8Array([0, 255])], ["k", "s\0"], ["k", 1n], ["k", -0], ["k", NaN], ["k", 2.5], ["k", false], ["k", true, "x"]];
    for (const key of keys) await store.set(key, TRICKY_VALUE);
    const snapshot = viaJson(await snapshotStore(store));
    expect(snapshot.format).toBe("fetchstack-state");
    expect(snapshot.version).toBe(1);
    const copy = createMemoryStore();
    expect(await restoreStore(copy, snapshot, { mode: "replace" })).toEqual({ entries: keys.length, blobs: 0 });
    expect(await dump(copy)).toEqual(await dump(store));
    const restoredKeys = (await dump(copy)).map(([k]) => k);
    expect(Object.is(restoredKeys.find((k) => Object.is(k[1], -0))?.[1], -0)).toBe(true);
    expect(restoredKeys.some((k) => k[1] === 1n)).toBe(true);
  });

  it("snapshots keys relative to a prefix and restores them under another", async () => {
    const store = createMemoryStore();
    await store.set(["sqs", "111111111111", "us-east-1", "queue", "a"], 1);
    await store.set(["sqs", "111111111111", "us-east-1", "queue", "b"], 2);
    await store.set(["s3", "global", "bucket"], 3);
    const snapshot = viaJson(await snapshotStore(store, ["sqs", "111111111111", "us-east-1"]));
    expect(snapshot.entries.map((e) => e.key)).toEqual([["queue", "a"], ["queue", "b"]]);
    await restoreStore(store, snapshot, { mode: "merge" }, ["sqs", "222222222222", "eu-west-1"]);
    expect((await dump(store, ["sqs", "222222222222"])).map(([k, v]) => [k.slice(2), v])).toEqual([
      [["eu-west-1", "queue", "a"], 1],
      [["eu-west-1", "queue", "b"], 2],
    ]);
  });

  it("replace clears the prefix first; merge keeps what is there", async () => {
    const source = createMemoryStore();
    await source.set(["svc", "a"], "from snapshot");
    const snapshot = viaJson(await snapshotStore(source, ["svc"]));

    const replaced = createCopyingStore();
    await replaced.set(["svc", "a"], "old");
    await replaced.set(["svc", "z"], "old only");
    await replaced.set(["other"], "outside the prefix");
    await restoreStore(replaced, snapshot, { mode: "replace" }, ["svc"]);
    expect(await dump(replaced)).toEqual([[["other"], "outside the prefix"], [["svc", "a"], "from snapshot"]]);

    const merged = createCopyingStore();
    await merged.set(["svc", "a"], "old");
    await merged.set(["svc", "z"], "old only");
    await restoreStore(merged, snapshot, { mode: "merge" }, ["svc"]);
    expect(await dump(merged)).toEqual([[["svc", "a"], "from snapshot"], [["svc", "z"], "old only"]]);
  });

  it("snapshots and restores blobs as base64", async () => {
    const store = createMemoryStore();
    const blobs = createMemoryBlobStore();
    await blobs.put("s3/bucket/key", new Uint8Array([1, 2, 3]));
    await blobs.put("lambda/code", new Uint8Array([9]));
    const snapshot = viaJson(await snapshotStore(store, [], { blobs, blobPrefix: "s3/" }));
    expect(snapshot.blobs).toEqual([{ key: "bucket/key", data: "AQID" }]);
    const target = createMemoryBlobStore();
    await target.put("s3/stale", new Uint8Array([0]));
    await target.put("lambda/keep", new Uint8Array([0]));
    expect(await restoreStore(createMemoryStore(), snapshot, { mode: "replace", blobs: target, blobPrefix: "s3/" })).toEqual({ entries: 0, blobs: 1 });
    const keys: string[] = [];
    for await (const k of target.keys()) keys.push(k);
    expect(keys).toEqual(["lambda/keep", "s3/bucket/key"]);
    expect([...new Uint8Array(await new Response(await target.get("s3/bucket/key")).arrayBuffer())]).toEqual([1, 2, 3]);
  });

  it("rejects a foreign or future snapshot before changing anything", async () => {
    const store = createMemoryStore();
    await store.set(["keep"], 1);
    const bad = [
      { format: "something-else", version: 1, prefix: [], entries: [] },
      { format: "fetchstack-state", version: 2, prefix: [], entries: [] },
      { format: "fetchstack-state", version: 1, prefix: [], entries: [{ key: [], value: 1 }] },
      { format: "fetchstack-state", version: 1, prefix: [], entries: [{ key: [{ $nope: 1 }], value: 1 }] },
      { format: "fetchstack-state", version: 1, prefix: [], entries: [{ key: [null], value: 1 }] },
    ];
    for (const snapshot of bad) {
      await expect(restoreStore(store, snapshot as unknown as StateSnapshot, { mode: "replace" })).rejects.toThrow(TypeError);
    }
    expect(await dump(store)).toEqual([[["keep"], 1]]);
  });
});

describe("clearStore", () => {
  it("deletes every key under a prefix and nothing else", async () => {
    const store = createMemoryStore();
    for (let i = 0; i < 1234; i++) await store.set(["sqs", i], i);
    await store.set(["sqs"], "namespace root");
    await store.set(["sns", 1], 1);
    expect(await clearStore(store, ["sqs"])).toBe(1234);
    expect(await dump(store)).toEqual([[["sns", 1], 1], [["sqs"], "namespace root"]]);
    expect(await clearStore(store)).toBe(2);
    expect(store.size).toBe(0);
  });
});
