/**
 * The Durable Object store against real SQLite-backed Durable Objects in Miniflare (workerd):
 * the Store conformance suite through the partitioning client, blobs, partition routing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Miniflare } from "miniflare";
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDurableObjectBlobStore, createDurableObjectStore, type DurableObjectNamespaceLike } from "../../src/store/durable-object.ts";
import { runStoreConformance } from "./conformance.ts";
import { runBlobConformance } from "./blob-conformance.ts";

const dir = mkdtempSync(join(tmpdir(), "fetchstack-do-"));
let mf: Miniflare;
let url: URL;
let stores = 0;

beforeAll(async () => {
  await build({ entryPoints: ["test/store/do-test-worker.ts"], bundle: true, format: "esm", platform: "neutral", mainFields: ["module", "main"], outfile: join(dir, "worker.js"), logLevel: "warning" });
  mf = new Miniflare({
    modules: true,
    scriptPath: join(dir, "worker.js"),
    modulesRoot: dir,
    compatibilityDate: "2025-09-01",
    durableObjects: { STATE: { className: "FetchstackStateObject", useSQLite: true } },
  });
  url = await mf.ready;
}, 60_000);
afterAll(async () => {
  await mf?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

/** A namespace whose objects are reached through the test worker. */
const namespace: DurableObjectNamespaceLike = {
  idFromName: (name) => name,
  get: (id) => ({
    async fetch(request: Request) {
      const response = await mf.dispatchFetch(`${url.origin}/?name=${encodeURIComponent(id as unknown as string)}`, { method: "POST", body: await request.text() });
      return new Response(await response.text(), { status: response.status });
    },
  }),
};

runStoreConformance("durable-object (Miniflare, SQLite-backed)", () => createDurableObjectStore(namespace, { name: `conf${stores++}` }), { copiesValues: true });
runBlobConformance("durable-object blobs (Miniflare)", async () => createDurableObjectBlobStore(namespace, { name: `blob${stores++}` }), 60 * 1024);

describe("durable-object store partitions", () => {
  it("keeps [service, account, region] partitions apart and lists across them in key order", async () => {
    const store = createDurableObjectStore(namespace, { name: `part${stores++}` });
    const keys = [
      ["sqs", "000000000000", "us-east-1", "queue", "a"],
      ["sqs", "000000000000", "eu-west-1", "queue", "b"],
      ["sqs", "111111111111", "us-east-1", "queue", "c"],
      ["s3", "global", "bucket", "x"],
      ["s3", "000000000000", "us-east-1", "obj"],
      ["sts", "global", "creds", "k"],
    ];
    for (const key of [...keys].reverse()) await store.set(key, key.join("/"));
    const all = [];
    for await (const e of store.list({ prefix: [] })) all.push(e.key);
    expect(all).toEqual([
      ["s3", "000000000000", "us-east-1", "obj"],
      ["s3", "global", "bucket", "x"],
      ["sqs", "000000000000", "eu-west-1", "queue", "b"],
      ["sqs", "000000000000", "us-east-1", "queue", "a"],
      ["sqs", "111111111111", "us-east-1", "queue", "c"],
      ["sts", "global", "creds", "k"],
    ]);
    const sqs = [];
    for await (const e of store.list({ prefix: ["sqs", "000000000000"] }, { reverse: true })) sqs.push(e.value);
    expect(sqs).toEqual(["sqs/000000000000/us-east-1/queue/a", "sqs/000000000000/eu-west-1/queue/b"]);
  });

  it("refuses an atomic operation that spans partitions, before writing anything", async () => {
    const store = createDurableObjectStore(namespace, { name: `part${stores++}` });
    const op = store.atomic().set(["sqs", "000000000000", "us-east-1", "a"], 1).set(["sqs", "000000000000", "eu-west-1", "b"], 2);
    await expect(op.commit()).rejects.toThrow(/one \[service, account, region\] partition/);
    expect((await store.get(["sqs", "000000000000", "us-east-1", "a"])).versionstamp).toBeNull();
  });
});
