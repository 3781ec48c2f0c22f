/**
 * The memory BlobStore. A small blob (up to `SMALL_BLOB` bytes, e.g. most S3 objects) is one
 * exact-length Uint8Array and nothing else; a larger one is the list of chunks it arrived in
 * (no re-buffering into one array), with cumulative offsets for range reads. A `put` replaces
 * the blob only once its body has been read to the end; a failed body leaves the previous blob.
 * Reads stream copies of the stored bytes, so a consumer that keeps or transfers a chunk cannot
 * alter the store.
 */
import type { BlobStore } from "./types.ts";
import { clampBlobRange } from "../util/byte-range.ts";
import { flatString } from "./keys.ts";

/** A large blob: its chunks as they arrived. */
interface Chunked {
  chunks: Uint8Array[];
  /** offsets[i] = byte offset of chunks[i]; offsets[chunks.length] = size. */
  offsets: number[];
  size: number;
}

/**
 * A stored blob. One exact-length buffer costs two small objects; a `Chunked` record adds three
 * objects and two arrays (~170 B), which for a 1 KiB body is a sixth of its size.
 */
type Blob = Uint8Array | Chunked;

/** Blobs up to this size are kept as one buffer of their own (gathered or copied once). */
const SMALL_BLOB = 64 * 1024;

/** Bytes handed to a reader per pull; bounds a stream's chunk size for huge single-chunk blobs. */
const READ_CHUNK = 1 << 20;

/** A BlobStore in memory (bodies kept as byte chunks; ranges in bytes, end inclusive): the default of an emulator. */
export function createMemoryBlobStore(): BlobStore {
  const blobs = new Map<string, Blob>();

  return {
    async put(key, body) {
      const chunks: Uint8Array[] = [];
      const offsets: number[] = [0];
      let size = 0;
      if (body instanceof Uint8Array) {
        // The caller still owns this buffer; keep a copy.
        if (body.length > 0) chunks.push(body.slice()), (size = body.length), offsets.push(size);
      } else {
        const reader = body.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            if (!(value instanceof Uint8Array)) throw new TypeError("blob body chunks must be Uint8Array");
            if (value.length === 0) continue;
            // A stream hands its chunks over; keep them, unless a small view pins a big buffer.
            chunks.push(value.byteLength * 2 < value.buffer.byteLength ? value.slice() : value);
            size += value.length;
            offsets.push(size);
          }
        } finally {
          reader.releaseLock();
        }
      }
      blobs.set(blobs.has(key) ? key : flatString(key), size <= SMALL_BLOB ? gather(chunks, size) : { chunks: chunks.slice(), offsets: offsets.slice(), size });
      return { size };
    },

    async get(key, range) {
      const blob = blobs.get(key);
      if (!blob) return null;
      const { start, end } = clampBlobRange(range, sizeOf(blob));
      return streamRange(blob, start, end);
    },

    async read(key, range) {
      const blob = blobs.get(key);
      if (!blob) return null;
      const { start, end } = clampBlobRange(range, sizeOf(blob));
      return copyRange(blob, start, end);
    },

    async size(key) {
      const blob = blobs.get(key);
      return blob ? sizeOf(blob) : null;
    },

    async delete(key) {
      blobs.delete(key);
    },

    async *keys(prefix = "") {
      const keys = [...blobs.keys()].filter((k) => k.startsWith(prefix)).sort();
      for (const k of keys) if (blobs.has(k)) yield k;
    },
  };
}

/**
 * `chunks` (`size` bytes in all) as one buffer that owns exactly its bytes: a lone chunk that
 * already fills its own ArrayBuffer is kept, anything else is copied once.
 */
function gather(chunks: Uint8Array[], size: number): Uint8Array {
  const only = chunks.length === 1 ? chunks[0]! : null;
  if (only && only.byteOffset === 0 && only.buffer.byteLength === size) return only;
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) out.set(chunk, offset), (offset += chunk.length);
  return out;
}

function sizeOf(blob: Blob): number {
  return blob instanceof Uint8Array ? blob.length : blob.size;
}

/** Bytes `[start, end]` of `blob` as one new buffer (empty when start > end). */
function copyRange(blob: Blob, start: number, end: number): Uint8Array {
  if (blob instanceof Uint8Array) return blob.slice(start, Math.max(start, end + 1));
  const out = new Uint8Array(Math.max(0, end - start + 1));
  if (out.length === 0) return out;
  const { chunks, offsets } = blob;
  for (let i = 0; i < chunks.length; i++) {
    const chunkStart = offsets[i]!, chunk = chunks[i]!;
    const chunkEnd = chunkStart + chunk.length - 1;
    if (chunkEnd < start || chunkStart > end) continue;
    const from = Math.max(start, chunkStart) - chunkStart;
    const to = Math.min(end, chunkEnd) - chunkStart + 1;
    out.set(chunk.subarray(from, to), chunkStart + from - start);
  }
  return out;
}

/** Streams bytes `[start, end]` of `blob` (empty when start > end). */
function streamRange(blob: Blob, start: number, end: number): ReadableStream<Uint8Array> {
  const { chunks, offsets } = blob instanceof Uint8Array ? { chunks: [blob], offsets: [0, blob.length] } : blob;
  // Last chunk starting at or before `start`.
  let lo = 0, hi = chunks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (offsets[mid]! <= start) lo = mid;
    else hi = mid - 1;
  }
  let index = lo;
  let position = start;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (position > end || index >= chunks.length) return controller.close();
      const chunk = chunks[index]!;
      const from = position - offsets[index]!;
      const to = Math.min(chunk.length, end - offsets[index]! + 1, from + READ_CHUNK);
      controller.enqueue(chunk.slice(from, to));
      position += to - from;
      if (offsets[index]! + to >= offsets[index + 1]!) index++;
      if (position > end) controller.close();
    },
  });
}

/** A view of `blobs` with every key prefixed by `prefix` (stripped from `keys`). */
export function prefixBlobStore(blobs: BlobStore, prefix: string): BlobStore {
  if (prefix === "") return blobs;
  return {
    put: (key, body) => blobs.put(prefix + key, body),
    get: (key, range) => blobs.get(prefix + key, range),
    ...(blobs.read ? { read: (key: string, range?: { start: number; end: number }) => blobs.read!(prefix + key, range) } : {}),
    size: (key) => blobs.size(prefix + key),
    delete: (key) => blobs.delete(prefix + key),
    async *keys(sub = "") {
      for await (const k of blobs.keys(prefix + sub)) yield k.slice(prefix.length);
    },
  };
}
