/**
 * The Workers KV store against a KV namespace in Miniflare (workerd's local KV, strongly
 * consistent for one instance): the Store conformance suite, the blob store on it, the
 * ordered-base64 names, and the limits Workers KV imposes.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Miniflare } from "miniflare";
import { createWorkersKvStore, fromOrderedBase64, orderedBase64, type KvNamespaceLike } from "../../src/store/workers-kv.ts";
import { openStoreBlobStore } from "../../src/store/store-blobs.ts";
import { runStoreConformance } from "./conformance.ts";
import { runBlobConformance } from "./blob-conformance.ts";

let mf: Miniflare;
let kv: KvNamespaceLike;
let spaces = 0;

beforeAll(async () => {
  mf = new Miniflare({
    modules: true,
    script: "export default { fetch() { return new Response('ok'); } };",
    compatibilityDate: "2025-09-01",
    kvNamespaces: ["STATE_KV"],
  });
  kv = (await mf.getKVNamespace("STATE_KV")) as unknown as KvNamespaceLike;
}, 60_000);
afterAll(async () => {
  await mf?.dispose();
});

/** A fresh store: its own space in the one namespace. */
const fresh = () => createWorkersKvStore(kv, { space: `s${spaces++}` });

runStoreConformance("workers-kv (Miniflare KV namespace)", fresh, { copiesValues: true });
runBlobConformance("store blobs on workers-kv", () => openStoreBlobStore(fresh(), { chunkSize: 64 * 1024 }), 64 * 1024);

describe("ordered base64 names", () => {
  it("round-trips bytes and keeps bytewise order as string order", () => {
    const samples: Uint8Array[] = [];
    for (let n = 0; n < 6; n++) {
      for (const fill of [0, 1, 63, 64, 127, 128, 254, 255]) {
        samples.push(new Uint8Array(n).fill(fill));
        samples.push(Uint8Array.from({ length: n }, (_, i) => (fill + i * 37) & 255));
      }
    }
    const compareBytes = (a: Uint8Array, b: Uint8Array) => {
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
      return a.length - b.length;
    };
    for (const a of samples) {
      expect([...fromOrderedBase64(orderedBase64(a))]).toEqual([...a]);
      for (const b of samples) {
        const byBytes = Math.sign(compareBytes(a, b));
        const x = orderedBase64(a), y = orderedBase64(b);
        expect(x < y ? -1 : x > y ? 1 : 0).toBe(byBytes);
      }
    }
  });
});

describe("Workers KV limits", () => {
  it("rejects a key longer than a Workers KV name can hold, writing nothing", async () => {
    const store = fresh();
    await expect(store.atomic().set(["short"], 1).set(["k", "x".repeat(400)], 1).commit()).rejects.toThrow(/key too long/);
    expect((await store.get(["short"])).versionstamp).toBeNull();
    await store.set(["k", "x".repeat(300)], 1);
    expect((await store.get(["k", "x".repeat(300)])).value).toBe(1);
  });

  it("lists values too large for metadata by reading them", async () => {
    const store = fresh();
    const big = { text: "y".repeat(5000) };
    await store.set(["a", 1], big);
    await store.set(["a", 2], "small");
    const listed = [];
    for await (const e of store.list({ prefix: ["a"] })) listed.push(e.value);
    expect(listed).toEqual([big, "small"]);
  });
});
