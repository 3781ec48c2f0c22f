import { describe, expect, it } from "vitest";
import { createMemoryBlobStore, prefixBlobStore } from "../../src/store/blobs.ts";
import type { BlobStore } from "../../src/store/types.ts";

async function bytes(stream: ReadableStream<Uint8Array> | null): Promise<number[] | null> {
  if (!stream) return null;
  return [...new Uint8Array(await new Response(stream).arrayBuffer())];
}

function streamOf(chunks: number[][]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(new Uint8Array(chunks[i++]!));
      else controller.close();
    },
  });
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function blobSuite(name: string, make: () => BlobStore) {
  describe(`BlobStore: ${name}`, () => {
    it("stores a Uint8Array and reads it back whole", async () => {
      const blobs = make();
      expect(await blobs.put("a", new Uint8Array([1, 2, 3]))).toEqual({ size: 3 });
      expect(await bytes(await blobs.get("a"))).toEqual([1, 2, 3]);
      expect(await blobs.size("a")).toBe(3);
    });

    it("keeps its own copy of a Uint8Array body", async () => {
      const blobs = make();
      const body = new Uint8Array([1, 2, 3]);
      await blobs.put("a", body);
      body[0] = 9;
      expect(await bytes(await blobs.get("a"))).toEqual([1, 2, 3]);
    });

    it("consumes a chunked stream and serves inclusive byte ranges across chunk boundaries", async () => {
      const blobs = make();
      expect(await blobs.put("s", streamOf([range(0, 9), [], range(10, 19), range(20, 29)]))).toEqual({ size: 30 });
      expect(await bytes(await blobs.get("s"))).toEqual(range(0, 29));
      expect(await bytes(await blobs.get("s", { start: 0, end: 0 }))).toEqual([0]);
      expect(await bytes(await blobs.get("s", { start: 5, end: 24 }))).toEqual(range(5, 24));
      expect(await bytes(await blobs.get("s", { start: 10, end: 19 }))).toEqual(range(10, 19));
      expect(await bytes(await blobs.get("s", { start: 29, end: 29 }))).toEqual([29]);
      // An end past the blob is clamped (S3's bytes=N- style).
      expect(await bytes(await blobs.get("s", { start: 25, end: 1000 }))).toEqual(range(25, 29));
      expect(await bytes(await blobs.get("s", { start: 30, end: 40 }))).toEqual([]);
    });

    it("reads whole blobs and inclusive ranges in one buffer, as the stream would", async () => {
      const blobs = make();
      expect(blobs.read).toBeTypeOf("function");
      await blobs.put("r", streamOf([range(0, 9), range(10, 14), range(15, 29)]));
      for (const [from, to] of [[0, 29], [0, 0], [3, 8], [8, 12], [9, 10], [12, 27], [20, 100], [5, 4]] as const) {
        const viaRead = await blobs.read!("r", { start: from, end: to });
        expect([...viaRead!]).toEqual(await bytes(await blobs.get("r", { start: from, end: to })));
      }
      expect([...(await blobs.read!("r"))!]).toEqual(range(0, 29));
      expect(await blobs.read!("missing")).toBeNull();
      // A copy: changing what read returned changes nothing stored.
      const copy = (await blobs.read!("r"))!;
      copy[0] = 99;
      expect((await blobs.read!("r"))![0]).toBe(0);
    });

    it("rejects a malformed range", async () => {
      const blobs = make();
      await blobs.put("r", new Uint8Array([1, 2]));
      await expect(blobs.get("r", { start: -1, end: 1 })).rejects.toThrow(RangeError);
      await expect(blobs.get("r", { start: 2, end: 0 })).rejects.toThrow(RangeError);
    });

    it("stores an empty blob", async () => {
      const blobs = make();
      expect(await blobs.put("e", new Uint8Array())).toEqual({ size: 0 });
      expect(await blobs.size("e")).toBe(0);
      expect(await bytes(await blobs.get("e"))).toEqual([]);
      expect(await blobs.put("e2", streamOf([]))).toEqual({ size: 0 });
      expect(await bytes(await blobs.get("e2"))).toEqual([]);
    });

    it("answers null for a missing blob", async () => {
      const blobs = make();
      expect(await blobs.get("nope")).toBeNull();
      expect(await blobs.size("nope")).toBeNull();
    });

    it("replaces a blob, and keeps the old one when the new body fails", async () => {
      const blobs = make();
      await blobs.put("k", new Uint8Array([1]));
      await blobs.put("k", new Uint8Array([2, 2]));
      expect(await bytes(await blobs.get("k"))).toEqual([2, 2]);
      let sent = false;
      const failing = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (!sent) (sent = true), controller.enqueue(new Uint8Array([7]));
          else controller.error(new Error("client went away"));
        },
      });
      await expect(blobs.put("k", failing)).rejects.toThrow("client went away");
      expect(await bytes(await blobs.get("k"))).toEqual([2, 2]);
    });

    it("finishes a read started before the blob was replaced with the old bytes", async () => {
      const blobs = make();
      await blobs.put("k", streamOf([[1], [2], [3]]));
      const stream = (await blobs.get("k"))!;
      await blobs.put("k", new Uint8Array([9]));
      expect(await bytes(stream)).toEqual([1, 2, 3]);
    });

    it("deletes, and lists keys by prefix in sorted order", async () => {
      const blobs = make();
      for (const k of ["b/2", "a/1", "b/1", "c"]) await blobs.put(k, new Uint8Array([1]));
      await blobs.delete("c");
      await blobs.delete("never");
      const keys: string[] = [];
      for await (const k of blobs.keys("b/")) keys.push(k);
      expect(keys).toEqual(["b/1", "b/2"]);
      const all: string[] = [];
      for await (const k of blobs.keys()) all.push(k);
      expect(all).toEqual(["a/1", "b/1", "b/2"]);
    });

    it("streams a large blob without changing its bytes", async () => {
      const blobs = make();
      const big = new Uint8Array(3 * 1024 * 1024 + 5).map((_, i) => i % 251);
      await blobs.put("big", big);
      const out = new Uint8Array(await new Response(await blobs.get("big", { start: 1, end: big.length - 2 })).arrayBuffer());
      expect(out.length).toBe(big.length - 2);
      expect(out.every((b, i) => b === big[i + 1])).toBe(true);
    });
  });
}

blobSuite("memory", () => createMemoryBlobStore());
blobSuite("prefixed(memory)", () => {
  const inner = createMemoryBlobStore();
  void inner.put("other/b/1", new Uint8Array([5])); // must not show through the view
  return prefixBlobStore(inner, "s3/000000000000/");
});

describe("prefixBlobStore", () => {
  it("stores under the prefix and strips it from keys", async () => {
    const inner = createMemoryBlobStore();
    const view = prefixBlobStore(inner, "lambda/");
    await view.put("code/f1", new Uint8Array([1]));
    expect(await inner.size("lambda/code/f1")).toBe(1);
    const keys: string[] = [];
    for await (const k of view.keys("code/")) keys.push(k);
    expect(keys).toEqual(["code/f1"]);
  });
});
