/**
 * The chunked blob store on a Store shared by several instances (isolates or processes): opening
 * a second instance must not collect another instance's upload in progress nor the chunks of a
 * replaced blob still being read; leftovers go only once older than their grace period.
 */
import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/memory.ts";
import { openStoreBlobStore, type StoreBlobOptions } from "../../src/store/store-blobs.ts";
import type { Key, Store } from "../../src/store/types.ts";
import { bytesOf, pattern } from "./blob-conformance.ts";

const CHUNK = 1024;
const MINUTE = 60_000;

function clock(start = 1_700_000_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

/** A body the test feeds piece by piece, like a client still uploading. */
function feed() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
  return { stream, push: (b: Uint8Array) => controller.enqueue(b), close: () => controller.close() };
}

async function keysOf(store: Store): Promise<Key[]> {
  const out: Key[] = [];
  for await (const e of store.list({ prefix: [] })) out.push(e.key);
  return out;
}

/** Waits (a bounded number of turns) until `test` holds of the store's keys. */
async function until(store: Store, test: (keys: Key[]) => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (test(await keysOf(store))) return;
    await new Promise((r) => setTimeout(r, 0));
  }
  throw new Error("condition not reached");
}

const chunksOf = (keys: Key[]) => keys.filter((k) => k[0] === "d");

/** Everything in the store belongs to a committed blob: no markers, no chunk of another id. */
async function expectNoLeftovers(store: Store): Promise<void> {
  const expected: string[] = [];
  for await (const e of store.list<{ id: string; n: number }>({ prefix: ["m"] })) {
    for (let i = 0; i < e.value.n; i++) expected.push(JSON.stringify(["d", e.value.id, i]));
  }
  const other = (await keysOf(store)).filter((k) => k[0] !== "m").map((k) => JSON.stringify(k));
  expect(other.sort()).toEqual(expected.sort());
}

describe("store blobs shared by several instances", () => {
  const open = (store: Store, c: { now: () => number }, more: StoreBlobOptions = {}) =>
    openStoreBlobStore(store, { chunkSize: CHUNK, chunksPerCommit: 2, now: c.now, ...more });

  it("an upload in progress in one instance survives other instances opening, even over 15 minutes of slow progress", async () => {
    const store = createMemoryStore();
    const c = clock();
    const a = await open(store, c);
    const data = pattern(CHUNK * 5 + 100, 9);
    const body = feed();
    const upload = a.put("obj", body.stream);
    body.push(data.slice(0, CHUNK * 2 + 10));
    await until(store, (keys) => chunksOf(keys).length === 2);

    c.t += 10 * MINUTE;
    await open(store, c); // another isolate starts
    expect(chunksOf(await keysOf(store))).toHaveLength(2);

    // More bytes arrive: progress, so the marker is refreshed.
    body.push(data.slice(CHUNK * 2 + 10, CHUNK * 4));
    await until(store, (keys) => chunksOf(keys).length === 4);
    c.t += 10 * MINUTE; // 20 minutes since the upload began, 10 since its last progress
    await open(store, c);

    body.push(data.slice(CHUNK * 4));
    body.close();
    expect(await upload).toEqual({ size: data.length });
    expect(await bytesOf(await a.get("obj"))).toEqual(data);
    expect(await bytesOf(await (await open(store, c)).get("obj"))).toEqual(data);
    await expectNoLeftovers(store);
  });

  it("a download of a replaced blob still reads the old bytes when another instance opens; a later open collects them", async () => {
    const store = createMemoryStore();
    const c = clock();
    const a = await open(store, c);
    const first = pattern(CHUNK * 4, 1);
    await a.put("x", first);
    const reader = (await a.get("x"))!.getReader();
    const head = await reader.read();
    await a.put("x", pattern(10, 2));

    c.t += 30_000;
    await open(store, c);
    const parts = [...head.value!];
    for (let r = await reader.read(); !r.done; r = await reader.read()) parts.push(...r.value);
    expect(new Uint8Array(parts)).toEqual(first);

    c.t += 31_000; // past the readers' 60 s
    const later = await open(store, c);
    expect(await bytesOf(await later.get("x"))).toEqual(pattern(10, 2));
    await expectNoLeftovers(store);
  });

  it("collects an upload without progress for 15 minutes, and that upload then fails leaving the old blob and nothing else", async () => {
    const store = createMemoryStore();
    const c = clock();
    const a = await open(store, c);
    await a.put("k", pattern(CHUNK + 1, 5));
    const body = feed();
    const upload = a.put("k", body.stream);
    body.push(pattern(CHUNK * 3, 6));
    await until(store, (keys) => chunksOf(keys).length === 2 + 2);

    c.t += 14 * MINUTE;
    await open(store, c);
    expect(chunksOf(await keysOf(store))).toHaveLength(4);

    c.t += 2 * MINUTE;
    const b = await open(store, c);
    expect(chunksOf(await keysOf(store))).toHaveLength(2);
    expect((await keysOf(store)).some((k) => k[0] === "p")).toBe(false);

    // The stalled client resumes: its upload was abandoned, so it must not commit a blob with holes.
    body.push(pattern(CHUNK * 2, 7));
    body.close();
    await expect(upload).rejects.toThrow(/abandoned/);
    expect(await bytesOf(await b.get("k"))).toEqual(pattern(CHUNK + 1, 5));
    await expectNoLeftovers(store);
  });

  it("treats markers without a timestamp (and old-code pending markers) as old", async () => {
    const store = createMemoryStore();
    const c = clock();
    await store.set(["p", "legacy"], true);
    await store.set(["d", "legacy", 0], new Uint8Array(3));
    await store.set(["p", "old-code"], c.t - 20 * MINUTE);
    await store.set(["d", "old-code", 0], new Uint8Array(3));
    await store.set(["g", "replaced"], null);
    await store.set(["d", "replaced", 0], new Uint8Array(3));
    await open(store, c);
    expect(await keysOf(store)).toEqual([]);
  });

  it("reaches every old marker in bounded passes, past young ones", async () => {
    const store = createMemoryStore();
    const c = clock();
    for (const id of ["a", "b", "c"]) await store.set(["p", id], c.t), await store.set(["d", id, 0], new Uint8Array(1));
    await store.set(["p", "z"], c.t - 20 * MINUTE);
    await store.set(["d", "z", 0], new Uint8Array(1));
    const blobs = await open(store, c, { sweepBatch: 2 });
    expect((await keysOf(store)).filter((k) => k[1] === "z")).toHaveLength(2);
    // Writes sweep again (at most every 5 s), each pass continuing where the last stopped.
    for (let i = 0; i < 4; i++) {
      c.t += 5_000;
      await blobs.put(`w${i}`, new Uint8Array([i]));
      await new Promise((r) => setTimeout(r, 0));
    }
    await until(store, (keys) => !keys.some((k) => k[1] === "z"));
    expect((await keysOf(store)).filter((k) => k[0] === "p").map((k) => k[1])).toEqual(["a", "b", "c"]);
  });
});
