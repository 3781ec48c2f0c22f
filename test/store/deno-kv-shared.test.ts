/**
 * The Deno KV store on a KV shared by several stores (isolates on Deno Deploy, processes): two
 * stores, each with its own `@deno/kv` handle on one SQLite file. Opening the second must not
 * collect the first one's large write in progress; leftovers go only after the pending grace
 * period, and a write collected meanwhile fails instead of committing a broken value.
 */
import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openDenoKvStore, type DenoKvAtomic, type DenoKvLike, type DenoKvStore, type DenoKvStoreOptions } from "../../src/store/deno-kv.ts";
import type { KeyPart } from "../../src/store/types.ts";
import { pattern } from "./blob-conformance.ts";
import { denoKvSkipReason } from "../helpers/deno-kv-store.ts";
import { loadOpenKv } from "../../src/runtime/deno-kv-addon.ts";

/** Skipped, with the reason printed, where the optional @deno/kv addon does not load. */
const skip = await denoKvSkipReason();
const openKv = skip ? () => Promise.reject(new Error(skip)) : await loadOpenKv();

const MINUTE = 60_000;
/** Three chunk commits (10 chunks of 60 KiB each per commit). */
const SIZE = 1_500_000;

const dir = mkdtempSync(join(tmpdir(), "fetchstack-denokv-shared-"));
const handles: DenoKvLike[] = [];
let files = 0;
afterAll(() => {
  for (const kv of handles) kv.close();
  rmSync(dir, { recursive: true, force: true });
});

function clock(start = 1_700_000_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

async function handle(path: string): Promise<DenoKvLike> {
  const kv = await openKv(path);
  handles.push(kv);
  return kv;
}

/**
 * A KV handle that can stall a writer between chunk commits: `holdNext(skip)` lets `skip` commits
 * that write chunks through, then holds the caller after the next one has committed (resolving
 * `reached`) until `release()`.
 */
function gated(kv: DenoKvLike) {
  let next: { skip: number; reached: () => void; gate: Promise<void> } | null = null;
  const holdNext = (skip = 0) => {
    let release!: () => void, reached!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const arrived = new Promise<void>((r) => (reached = r));
    next = { skip, reached, gate };
    return { reached: arrived, release };
  };
  const wrapped: DenoKvLike = {
    get: (key) => kv.get(key),
    getMany: (keys) => kv.getMany(keys),
    list: (selector, options) => kv.list(selector, options),
    close: () => {},
    atomic() {
      const real = kv.atomic();
      let chunks = false;
      const op: DenoKvAtomic = {
        check: (...checks) => (real.check(...checks), op),
        set: (key, value) => ((chunks ||= key[0] === "c"), real.set(key, value), op),
        delete: (key) => (real.delete(key), op),
        async commit() {
          const hold = chunks ? next : null;
          const result = await real.commit();
          if (hold && hold.skip-- === 0) {
            next = null;
            hold.reached();
            await hold.gate;
          }
          return result;
        },
      };
      return op;
    },
  };
  return { kv: wrapped, holdNext };
}

async function keysOf(kv: DenoKvLike, first: string): Promise<KeyPart[][]> {
  const out: KeyPart[][] = [];
  for await (const e of kv.list({ prefix: [first] })) out.push(e.key);
  return out;
}

const same = (a: unknown, b: Uint8Array) => a instanceof Uint8Array && Buffer.from(a).equals(Buffer.from(b));

// Skipped only where the optional @deno/kv addon cannot load; denoKvSkipReason() prints why.
describe.skipIf(!!skip)("deno-kv store on a KV shared by several stores", () => {
  const options = (c: { now: () => number }, more: DenoKvStoreOptions = {}): DenoKvStoreOptions => ({ now: c.now, ...more });

  async function pair() {
    const path = join(dir, `shared${files++}.kv`);
    const c = clock();
    const a = gated(await handle(path));
    const storeA: DenoKvStore = await openDenoKvStore(a.kv, options(c));
    const raw = await handle(path);
    return { path, c, a, storeA, raw };
  }

  it("a large write in progress in one store survives another opening, even over 15 minutes of slow progress", async () => {
    const { path, c, a, storeA, raw } = await pair();
    const value = pattern(SIZE, 3);
    const second = a.holdNext();
    const write = storeA.set(["big"], value);
    await second.reached; // first chunk commit done, the second not yet begun
    const chunksBefore = (await keysOf(raw, "c")).length;
    expect(chunksBefore).toBe(10);

    c.t += 10 * MINUTE;
    await openDenoKvStore(await handle(path), options(c)); // another isolate starts
    expect((await keysOf(raw, "c")).length).toBe(chunksBefore);
    expect(await keysOf(raw, "p")).toHaveLength(1);

    // Progress refreshes the marker: 20 minutes since the write began, 10 since its last progress.
    const third = a.holdNext();
    second.release();
    await third.reached;
    c.t += 10 * MINUTE;
    const storeB = await openDenoKvStore(await handle(path), options(c));
    expect((await keysOf(raw, "c")).length).toBe(20);

    third.release();
    await write;
    expect(same((await storeB.get(["big"])).value, value)).toBe(true);
    expect(same((await storeA.get(["big"])).value, value)).toBe(true);
    expect(await keysOf(raw, "p")).toEqual([]);
    expect((await keysOf(raw, "c")).length).toBe(Math.ceil((SIZE + 1) / (60 * 1024)));
  }, 30_000);

  it("collects a crashed write's chunks once past the grace period, leaving no stray chunk", async () => {
    const { path, c, a, storeA, raw } = await pair();
    await storeA.set(["kept"], pattern(200_000, 1));
    const keptChunks = (await keysOf(raw, "c")).length;
    const held = a.holdNext();
    void storeA.set(["lost"], pattern(SIZE, 2)).catch(() => {}); // its process dies mid-write
    await held.reached;
    expect((await keysOf(raw, "c")).length).toBe(keptChunks + 10);

    c.t += 14 * MINUTE;
    await openDenoKvStore(await handle(path), options(c));
    expect((await keysOf(raw, "c")).length).toBe(keptChunks + 10);

    c.t += 2 * MINUTE;
    const later = await openDenoKvStore(await handle(path), options(c));
    expect(await keysOf(raw, "p")).toEqual([]);
    expect((await keysOf(raw, "c")).length).toBe(keptChunks);
    expect(same((await later.get(["kept"])).value, pattern(200_000, 1))).toBe(true);
    expect((await later.get(["lost"])).versionstamp).toBeNull();
  }, 30_000);

  it.each([
    ["before its next chunk commit", 0],
    ["before its final commit", 2],
  ])("a write collected while stalled %s fails instead of committing a value with missing chunks", async (_, skip) => {
    const { path, c, a, storeA, raw } = await pair();
    await storeA.set(["k"], "old");
    const held = a.holdNext(skip);
    const write = storeA.set(["k"], pattern(SIZE, 4));
    await held.reached;
    c.t += 16 * MINUTE;
    const storeB = await openDenoKvStore(await handle(path), options(c));
    expect(await keysOf(raw, "c")).toEqual([]);

    held.release();
    await expect(write).rejects.toThrow(/abandoned/);
    expect((await storeB.get(["k"])).value).toBe("old");
    expect(await keysOf(raw, "c")).toEqual([]);
    expect(await keysOf(raw, "p")).toEqual([]);
  }, 30_000);

  it("collects many leftovers in bounded passes, later passes after writes", async () => {
    const path = join(dir, `shared${files++}.kv`);
    const c = clock();
    const raw = await handle(path);
    // Markers as the previous version wrote them (a number) and crashed writes' chunks.
    for (let i = 0; i < 5; i++) await raw.atomic().set(["p", `dead${i}`], 1).set(["c", `dead${i}`, 0], new Uint8Array(10)).commit();
    const store = await openDenoKvStore(raw, options(c, { sweepBatch: 2 }));
    expect((await keysOf(raw, "p")).length).toBe(3); // one pass of two at open
    for (const left of [1, 0]) {
      c.t += 10_000;
      await store.set(["w", left], left);
      // The pass runs in the background after the write.
      for (let i = 0; i < 200 && (await keysOf(raw, "p")).length > left; i++) await new Promise((r) => setTimeout(r, 5));
      expect((await keysOf(raw, "p")).length).toBe(left);
    }
    expect(await keysOf(raw, "p")).toEqual([]);
    expect(await keysOf(raw, "c")).toEqual([]);
  }, 30_000);
});
