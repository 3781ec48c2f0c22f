import { afterAll, describe, expect, it } from "vitest";
import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { layeredBlobStore, openFileBlobStore } from "../../src/runtime/file-blobs.ts";
import { createMemoryBlobStore } from "../../src/store/blobs.ts";
import { bytesOf, pattern, runBlobConformance } from "./blob-conformance.ts";

const root = mkdtempSync(join(tmpdir(), "fetchstack-file-blobs-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${n++}`);

runBlobConformance("files", () => openFileBlobStore(freshDir()), 64 * 1024);

describe("file BlobStore", () => {
  it("maps any key to one file and back: slashes, unicode, dots, and keys too long for a file name", async () => {
    const dir = freshDir();
    const blobs = await openFileBlobStore(dir);
    const keys = ["s3/global/bucket/0f1e", "ü/€ key%2F", ".", "..", "~x", "k".repeat(150) + "/" + "é".repeat(100)];
    for (const [i, key] of keys.entries()) await blobs.put(key, new Uint8Array([i]));
    for (const [i, key] of keys.entries()) expect([...(await bytesOf(await blobs.get(key)))!]).toEqual([i]);
    const listed: string[] = [];
    for await (const k of blobs.keys()) listed.push(k);
    expect(listed).toEqual([...keys].sort());
    // Reopened from the directory alone.
    const again = await openFileBlobStore(dir);
    expect(await again.size(keys[5]!)).toBe(1);
    await again.delete(keys[5]!);
    expect(await again.get(keys[5]!)).toBeNull();
    expect(readdirSync(dir).filter((f) => f.startsWith("~") && f !== "%7Ex")).toEqual([]);
  });

  it("writes a streamed body to disk as it arrives and reads it back in bounded pieces", async () => {
    const blobs = await openFileBlobStore(freshDir());
    const piece = pattern(300 * 1024);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(piece.slice());
        else controller.close();
      },
    });
    expect(await blobs.put("big", body)).toEqual({ size: 10 * piece.length });
    const reader = (await blobs.get("big", { start: 5, end: 10 * piece.length - 1 }))!.getReader();
    let total = 0, largest = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length, (largest = Math.max(largest, value.length));
    }
    expect(total).toBe(10 * piece.length - 5);
    expect(largest).toBeLessThanOrEqual(1 << 20);
    expect(await blobs.read!("big", { start: 300 * 1024 - 2, end: 300 * 1024 + 1 })).toEqual(
      new Uint8Array([...piece.slice(-2), ...piece.slice(0, 2)]),
    );
  });

  it("a read in progress survives a delete; an abandoned upload's file is collected once old", async () => {
    const dir = freshDir();
    const blobs = await openFileBlobStore(dir);
    await blobs.put("x", pattern(5000));
    const reading = await blobs.get("x");
    await blobs.delete("x");
    expect(await bytesOf(reading)).toEqual(pattern(5000));
    writeFileSync(join(dir, ".tmp-old"), "partial");
    writeFileSync(join(dir, ".tmp-young"), "partial");
    const old = (Date.now() - 16 * 60_000) / 1000;
    utimesSync(join(dir, ".tmp-old"), old, old);
    await openFileBlobStore(dir);
    expect(readdirSync(dir).sort()).toEqual([".tmp-young"]);
    const keys: string[] = [];
    for await (const k of blobs.keys()) keys.push(k);
    expect(keys).toEqual([]);
  });

  it("layered over a legacy store: old blobs stay readable until replaced or deleted", async () => {
    const legacy = createMemoryBlobStore();
    await legacy.put("old", pattern(100));
    await legacy.put("both", new Uint8Array([1]));
    const blobs = layeredBlobStore(await openFileBlobStore(freshDir()), legacy);
    expect(await bytesOf(await blobs.get("old"))).toEqual(pattern(100));
    expect(await blobs.read!("old", { start: 10, end: 11 })).toEqual(pattern(100).slice(10, 12));
    expect(await blobs.size("old")).toBe(100);
    await blobs.put("both", new Uint8Array([2]));
    expect(await legacy.size("both")).toBeNull();
    expect([...(await bytesOf(await blobs.get("both")))!]).toEqual([2]);
    await blobs.put("new", new Uint8Array([3]));
    const keys: string[] = [];
    for await (const k of blobs.keys()) keys.push(k);
    expect(keys).toEqual(["both", "new", "old"]);
    await blobs.delete("old");
    expect(await blobs.get("old")).toBeNull();
  });
});
