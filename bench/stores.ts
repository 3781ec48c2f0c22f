/**
 * Store bench: the same operations on the memory store and on each durable store, as ops/s and
 * as a ratio to memory; plus the Deno KV restart time with 100,000 state keys and 10,000 blobs.
 *
 *   npx tsx bench/stores.ts            (FETCHSTACK_BENCH_N=2000 operations per case)
 *
 * Durable Object numbers go through Miniflare (workerd) from Node, so they include a local
 * HTTP hop per operation, as a Worker's call to a Durable Object includes a network hop.
 */
import { openKv } from "@deno/kv";
import { Miniflare } from "miniflare";
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMemoryStore } from "../src/store/memory.ts";
import { createMemoryBlobStore } from "../src/store/blobs.ts";
import { openDenoKvStore, type DenoKvLike } from "../src/store/deno-kv.ts";
import { openStoreBlobStore } from "../src/store/store-blobs.ts";
import { createDurableObjectBlobStore, createDurableObjectStore, type DurableObjectNamespaceLike } from "../src/store/durable-object.ts";
import { update } from "../src/store/mutex.ts";
import type { BlobStore, Store } from "../src/store/types.ts";

const N = Number(process.env.FETCHSTACK_BENCH_N ?? 2000);
const dir = mkdtempSync(join(tmpdir(), "fetchstack-bench-"));
const item = { id: "", name: "x".repeat(200), n: 1, tags: ["a", "b"], at: 1700000000000 };

async function time(n: number, fn: (i: number) => Promise<unknown>, concurrency = 1): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await fn(next++);
  }));
  return (n / (performance.now() - start)) * 1000;
}

async function cases(store: Store, blobs: BlobStore, n: number): Promise<Record<string, number>> {
  const k = (i: number) => ["dynamodb", "000000000000", "us-east-1", "item", "t", `k${i}`];
  const out: Record<string, number> = {};
  out["set (sequential)"] = await time(n, (i) => store.set(k(i), { ...item, id: `k${i}` }));
  out["get (sequential)"] = await time(n, (i) => store.get(k(i)));
  let listed = 0;
  const start = performance.now();
  for await (const _ of store.list({ prefix: ["dynamodb", "000000000000", "us-east-1", "item"] })) listed++;
  out["list (entries/s)"] = (listed / (performance.now() - start)) * 1000;
  out["conditional create, 8 concurrent"] = await time(n, (i) => store.atomic().check({ key: [...k(i), "c"], versionstamp: null }).set([...k(i), "c"], item).commit(), 8);
  out["update() one counter, 8 concurrent"] = await time(Math.min(n, 500), () => update<number>(store, ["sqs", "000000000000", "us-east-1", "counter"], (v) => (v ?? 0) + 1), 8);
  const body = new Uint8Array(1 << 20).fill(7);
  const blobsN = Math.max(5, Math.floor(n / 100));
  out["blob put 1 MiB"] = await time(blobsN, (i) => blobs.put(`s3/000000000000/us-east-1/b/${i}`, body));
  out["blob get 1 MiB"] = await time(blobsN, async (i) => new Response(await blobs.get(`s3/000000000000/us-east-1/b/${i}`)).arrayBuffer());
  return out;
}

const results: Record<string, Record<string, number>> = {};
results.memory = await cases(createMemoryStore(), createMemoryBlobStore(), N);

const kv = (await openKv(join(dir, "bench.kv"))) as unknown as DenoKvLike;
results["deno-kv (@deno/kv, SQLite file)"] = await cases(await openDenoKvStore(kv), await openStoreBlobStore(await openDenoKvStore(kv, { space: "b" })), N);
kv.close();

// Durable Objects in Miniflare.
await build({ entryPoints: ["test/store/do-test-worker.ts"], bundle: true, format: "esm", platform: "neutral", mainFields: ["module", "main"], outfile: join(dir, "worker.js"), logLevel: "warning" });
const mf = new Miniflare({ modules: true, scriptPath: join(dir, "worker.js"), modulesRoot: dir, compatibilityDate: "2025-09-01", durableObjects: { STATE: { className: "FetchstackStateObject", useSQLite: true } }, durableObjectsPersist: join(dir, "do") });
const origin = (await mf.ready).origin;
const namespace: DurableObjectNamespaceLike = {
  idFromName: (name) => name,
  get: (id) => ({
    async fetch(request: Request) {
      const r = await mf.dispatchFetch(`${origin}/?name=${encodeURIComponent(id as unknown as string)}`, { method: "POST", body: await request.text() });
      return new Response(await r.text(), { status: r.status });
    },
  }),
};
results["durable-object (Miniflare)"] = await cases(createDurableObjectStore(namespace), createDurableObjectBlobStore(namespace), Math.min(N, 1000));
await mf.dispose();

const names = Object.keys(results.memory!);
console.log(`\nStore bench, ${N} operations per case (ops/s; in brackets: memory ÷ store, how many times slower)\n`);
console.log(["case".padEnd(36), ...Object.keys(results).map((s) => s.padEnd(34))].join(""));
for (const name of names) {
  const base = results.memory![name]!;
  console.log([name.padEnd(36), ...Object.values(results).map((r) => `${Math.round(r[name]!)} (×${(base / r[name]!).toFixed(1)})`.padEnd(34))].join(""));
}

// Restart time: reopening a Deno KV data file with 100,000 state keys and 10,000 blobs.
{
  const path = join(dir, "restart.kv");
  const raw = (await openKv(path)) as unknown as DenoKvLike;
  const store = await openDenoKvStore(raw);
  for (let i = 0; i < 100_000; i += 500) {
    const op = store.atomic();
    for (let j = i; j < i + 500; j++) op.set(["dynamodb", "000000000000", "us-east-1", "item", "t", `k${j}`], { ...item, id: `k${j}` });
    await op.commit();
  }
  const blobs = await openStoreBlobStore(await openDenoKvStore(raw, { space: "b" }));
  const small = new Uint8Array(2048).fill(1);
  for (let i = 0; i < 10_000; i += 50) await Promise.all(Array.from({ length: 50 }, (_, j) => blobs.put(`s3/000000000000/us-east-1/b/o${i + j}`, small)));
  raw.close();
  const start = performance.now();
  const reopened = (await openKv(path)) as unknown as DenoKvLike;
  const s2 = await openDenoKvStore(reopened);
  await openStoreBlobStore(await openDenoKvStore(reopened, { space: "b" }));
  const first = await s2.get(["dynamodb", "000000000000", "us-east-1", "item", "t", "k99999"]);
  console.log(`\nDeno KV restart with 100,000 items and 10,000 blobs: ${(performance.now() - start).toFixed(0)} ms to open and read (${first.value ? "found" : "MISSING"})`);
  reopened.close();
}
rmSync(dir, { recursive: true, force: true });
