/**
 * BlobStore behaviour every durable blob store must show (the memory store's, plus restart
 * concerns): whole and ranged reads across chunk boundaries, replace, delete, key listing.
 */
import { describe, expect, it } from "vitest";
import type { BlobStore } from "../../src/store/types.ts";

export async function bytesOf(stream: ReadableStream<Uint8Array> | null): Promise<Uint8Array | null> {
  if (!stream) return null;
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < chunks.length) controller.enqueue(chunks[i++]!);
      else controller.close();
    },
  });
}

/** `pattern(n)[i] = (i * 7 + 3) & 255`: a recognisable payload whose bytes depend on position. */
export function pattern(n: number, seed = 3): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 7 + seed) & 255;
  return out;
}

export function runBlobConformance(name: string, make: () => Promise<BlobStore>, chunkSize: number): void {
  describe(`BlobStore conformance: ${name}`, () => {
    it("stores bytes and reads them back whole, with size; null when absent", async () => {
      const blobs = await make();
      expect(await blobs.put("a", new Uint8Array([1, 2, 3]))).toEqual({ size: 3 });
      expect([...(await bytesOf(await blobs.get("a")))!]).toEqual([1, 2, 3]);
      expect(await blobs.size("a")).toBe(3);
      expect(await blobs.get("missing")).toBeNull();
      expect(await blobs.size("missing")).toBeNull();
    });

    it("stores an empty blob", async () => {
      const blobs = await make();
      expect(await blobs.put("e", new Uint8Array())).toEqual({ size: 0 });
      expect((await bytesOf(await blobs.get("e")))!.length).toBe(0);
      expect(await blobs.size("e")).toBe(0);
    });

    it("keeps a blob of many chunks byte-exact, from a stream cut at odd sizes", async () => {
      const blobs = await make();
      const data = pattern(chunkSize * 3 + 1234);
      const parts = [data.slice(0, 1000), data.slice(1000, chunkSize + 17), data.slice(chunkSize + 17)];
      expect(await blobs.put("big", streamOf(parts))).toEqual({ size: data.length });
      expect(await bytesOf(await blobs.get("big"))).toEqual(data);
    });

    it("serves inclusive ranges inside one chunk and across chunk boundaries", async () => {
      const blobs = await make();
      const data = pattern(chunkSize * 2 + 10);
      await blobs.put("r", data);
      for (const [start, end] of [[0, 0], [5, 9], [chunkSize - 3, chunkSize + 3], [chunkSize * 2, chunkSize * 2 + 9], [10, chunkSize * 2 + 9]] as const) {
        expect(await bytesOf(await blobs.get("r", { start, end }))).toEqual(data.slice(start, end + 1));
      }
      // An end past the blob is clamped, as the memory store does.
      expect(await bytesOf(await blobs.get("r", { start: chunkSize * 2 + 5, end: chunkSize * 9 }))).toEqual(data.slice(chunkSize * 2 + 5));
      await expect(blobs.get("r", { start: -1, end: 3 })).rejects.toThrow(RangeError);
    });

    it("replaces a blob, and a read started before the replacement finishes with the old bytes", async () => {
      const blobs = await make();
      const first = pattern(chunkSize * 2, 1);
      await blobs.put("x", first);
      const reading = await blobs.get("x");
      await blobs.put("x", pattern(10, 2));
      expect(await bytesOf(reading)).toEqual(first);
      expect(await bytesOf(await blobs.get("x"))).toEqual(pattern(10, 2));
      expect(await blobs.size("x")).toBe(10);
    });

    it("keeps the old blob when the new body fails", async () => {
      const blobs = await make();
      await blobs.put("k", new Uint8Array([7]));
      const failing = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(pattern(chunkSize + 5));
          controller.error(new Error("client went away"));
        },
      });
      await expect(blobs.put("k", failing)).rejects.toThrow(/client went away/);
      expect([...(await bytesOf(await blobs.get("k")))!]).toEqual([7]);
    });

    it("deletes, and lists keys by prefix in sorted order", async () => {
      const blobs = await make();
      for (const k of ["b/2", "a/1", "b/1", "c", "b/10"]) await blobs.put(k, new Uint8Array([1]));
      await blobs.delete("a/1");
      await blobs.delete("never");
      expect(await blobs.get("a/1")).toBeNull();
      const keys: string[] = [];
      for await (const k of blobs.keys("b/")) keys.push(k);
      expect(keys).toEqual(["b/1", "b/10", "b/2"]);
      const all: string[] = [];
      for await (const k of blobs.keys()) all.push(k);
      expect(all).toEqual(["b/1", "b/10", "b/2", "c"]);
    });
  });
}
