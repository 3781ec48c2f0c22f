/**
 * The Deno KV store in Node through `@deno/kv` (the same SQLite file format as `Deno.openKv`):
 * the Store conformance suite, values past Deno KV's 64 KiB and 800 KiB limits, the blob store
 * on it, and reopening a file (what a restart does).
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDenoKvStore, type DenoKvLike, type DenoKvStore } from "../../src/store/deno-kv.ts";
import { openStoreBlobStore } from "../../src/store/store-blobs.ts";
import { runStoreConformance } from "./conformance.ts";
import { bytesOf, pattern, runBlobConformance } from "./blob-conformance.ts";
import { denoKvSkipReason, makeDenoKvStore } from "../helpers/deno-kv-store.ts";
import { loadOpenKv } from "../../src/runtime/deno-kv-addon.ts";

/** Skipped, with the reason printed, where the optional @deno/kv addon does not load. */
const skip = await denoKvSkipReason();
const openKv = skip ? () => Promise.reject(new Error(skip)) : await loadOpenKv();

const dir = mkdtempSync(join(tmpdir(), "fetchstack-denokv-"));
const opened: DenoKvStore[] = [];
let files = 0;
afterAll(() => {
  for (const s of opened) s.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Byte equality without vitest's element-by-element deep equality (slow on megabytes). */
function same(a: unknown, b: Uint8Array): boolean {
  return a instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));
}

async function open(path = join(dir, `s${files++}.kv`)): Promise<DenoKvStore> {
  const store = await openDenoKvStore(await openKv(path));
  opened.push(store);
  return store;
}

if (!skip) {
  runStoreConformance("deno-kv (@deno/kv, SQLite file)", () => open(), { copiesValues: true });
  // The durable store service suites run on (test/helpers/clients.ts STORES), used before it is open.
  runStoreConformance("deno-kv as service suites use it (opened lazily)", () => makeDenoKvStore(), { copiesValues: true });
  runBlobConformance("store blobs on deno-kv", async () => openStoreBlobStore(await open()), 60 * 1024);
  runBlobConformance("store blobs on deno-kv, 1 KiB chunks", async () => openStoreBlobStore(await open(), { chunkSize: 1024, chunksPerCommit: 3 }), 1024);
}

// Skipped only where the optional @deno/kv addon cannot load; denoKvSkipReason() prints why.
describe.skipIf(!!skip)("deno-kv store beyond Deno KV's limits", () => {
  it("stores values larger than 64 KiB and than one 800 KiB commit, and replaces them", async () => {
    const store = await open();
    const big = { body: "x".repeat(300_000), bytes: pattern(2_000_000) };
    const { versionstamp } = await store.set(["big"], big);
    const read = await store.get<typeof big>(["big"]);
    expect(read.versionstamp).toBe(versionstamp);
    expect(read.value!.body).toBe(big.body);
    expect(same(read.value!.bytes, big.bytes)).toBe(true);
    await store.set(["big"], { small: true });
    expect((await store.get(["big"])).value).toEqual({ small: true });
    const listed = [];
    for await (const e of store.list({ prefix: [] })) listed.push(e.key);
    expect(listed).toEqual([["big"]]);
  }, 30_000);

  it("commits several large values atomically, with checks", async () => {
    const store = await open();
    const values = Array.from({ length: 5 }, (_, i) => pattern(200_000, i));
    let op = store.atomic().check({ key: ["t", 0], versionstamp: null });
    values.forEach((v, i) => (op = op.set(["t", i], v)));
    const result = await op.commit();
    expect(result.ok).toBe(true);
    const read = await store.getMany(values.map((_, i) => ["t", i]));
    expect(read.every((e, i) => same(e.value, values[i]!))).toBe(true);
    // The same commit again fails its check and changes nothing.
    expect(await store.atomic().check({ key: ["t", 0], versionstamp: null }).set(["t", 0], pattern(100_000, 9)).commit()).toEqual({ ok: false });
    expect(same((await store.get(["t", 0])).value, values[0]!)).toBe(true);
  }, 30_000);

  it("keeps everything across close and reopen of the file", async () => {
    const path = join(dir, "reopen.kv");
    const first = await open(path);
    await first.set(["q", "a"], { n: 1, at: new Date(5), big: 2n ** 70n });
    await first.set(["q", "b"], pattern(100_000));
    const blobs = await openStoreBlobStore(first);
    await blobs.put("obj", pattern(150_000, 4));
    first.close();
    opened.splice(opened.indexOf(first), 1);
    const second = await open(path);
    expect((await second.get(["q", "a"])).value).toEqual({ n: 1, at: new Date(5), big: 2n ** 70n });
    expect(same((await second.get(["q", "b"])).value, pattern(100_000))).toBe(true);
    expect(same(await bytesOf(await (await openStoreBlobStore(second)).get("obj")), pattern(150_000, 4))).toBe(true);
  }, 30_000);

  it("removes chunks of a commit that never happened when it opens", async () => {
    const path = join(dir, "orphans.kv");
    const kv = await openKv(path);
    // What a crash between chunk writes and the commit leaves behind.
    await kv.atomic().set(["p", "dead"], 1).set(["c", "dead", 0], new Uint8Array(10)).commit();
    const store = await openDenoKvStore(kv);
    opened.push(store);
    const left = [];
    for await (const e of kv.list({ prefix: [] })) left.push(e.key);
    expect(left).toEqual([]);
    expect((await store.get(["anything"])).versionstamp).toBeNull();
  });

  it("keeps two stores on one KV apart by space", async () => {
    const path = join(dir, "spaces.kv");
    const kv = await openKv(path);
    const a = await openDenoKvStore(kv);
    const b = await openDenoKvStore(kv, { space: "b" });
    opened.push(a);
    await a.set(["k"], "a");
    await b.set(["k"], "b");
    expect((await a.get(["k"])).value).toBe("a");
    expect((await b.get(["k"])).value).toBe("b");
    const keys = [];
    for await (const e of a.list({ prefix: [] })) keys.push(e.key);
    expect(keys).toEqual([["k"]]);
  });
});
