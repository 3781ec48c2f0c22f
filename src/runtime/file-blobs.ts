/**
 * A BlobStore in a directory, one file per blob (`--data-dir DIR` keeps them in `DIR/blobs/`),
 * for the Node and Deno servers (node:fs works in both). Bodies stream to and from disk: a put
 * writes the chunks as they arrive, a get reads the file in pieces, so a 1 GiB object never
 * sits in memory.
 *
 * - File names: the key with every byte outside `[A-Za-z0-9._-]` written `%XX` (UTF-8), so any
 *   key maps to one name and back; a name over 200 bytes becomes `~<sha256 of the key>` with the
 *   key in a `~<sha256>.key` file beside it.
 * - A put writes `.tmp-<uuid>` and renames it over the blob once the body has ended: readers
 *   see the old blob or the whole new one; a failed or abandoned body leaves the old one. A
 *   crash leaves only a `.tmp-` file, deleted on open once 15 minutes old (the directory may be
 *   shared by several processes; a younger one may be another's upload in progress).
 * - A get opens the file at once, so a read that started before a replace or delete finishes
 *   with the old bytes (the open descriptor keeps them).
 *
 * Durability is the KV store's: data written before the rename survives a process crash (page
 * cache), not a power loss (no fsync; Deno KV does not fsync each commit either).
 */
import { mkdir, open, readdir, readFile, rename, stat, unlink, writeFile, type FileHandle } from "node:fs/promises";
import { createHash } from "node:crypto";
import { join } from "node:path";
import type { BlobStore } from "../store/types.ts";
import { clampBlobRange } from "../util/byte-range.ts";

/** Bytes per read of a get: large enough for few syscalls, small enough to bound memory per stream. */
const READ_BYTES = 1 << 20;
/** Incoming chunks are gathered to this many bytes per write (fewer syscalls for 16 KiB socket reads). */
const WRITE_BYTES = 1 << 20;
const MAX_NAME = 200;
const TMP = ".tmp-";
const STALE_TMP_MS = 15 * 60_000;

const SAFE = /^[A-Za-z0-9._-]$/;

function encodeName(key: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(key)) {
    const c = String.fromCharCode(byte);
    out += byte < 128 && SAFE.test(c) ? c : "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  // "." and ".." are not files; a leading "." or "~" is kept for our own names.
  if (out.startsWith(".") || out.startsWith("~")) out = "%" + out.charCodeAt(0).toString(16).toUpperCase() + out.slice(1);
  if (out.length > MAX_NAME) return "~" + createHash("sha256").update(key).digest("hex");
  return out;
}

function decodeName(name: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < name.length; i++) {
    if (name[i] === "%") bytes.push(parseInt(name.slice(i + 1, i + 3), 16)), (i += 2);
    else bytes.push(name.charCodeAt(i));
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

function isMissing(error: unknown): boolean {
  return (error as { code?: string }).code === "ENOENT";
}

/** Opens (creating) a file BlobStore in `dir`, first deleting upload leftovers older than 15 minutes. */
export async function openFileBlobStore(dir: string, now: () => number = Date.now): Promise<BlobStore> {
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) {
    if (!name.startsWith(TMP)) continue;
    const path = join(dir, name);
    const info = await stat(path).catch(() => null);
    if (info && now() - info.mtimeMs > STALE_TMP_MS) await unlink(path).catch(() => {});
  }

  const pathOf = (key: string) => join(dir, encodeName(key));

  async function openOrNull(key: string): Promise<FileHandle | null> {
    try {
      return await open(pathOf(key), "r");
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async function put(key: string, body: ReadableStream<Uint8Array> | Uint8Array): Promise<{ size: number }> {
    const name = encodeName(key);
    const tmp = join(dir, `${TMP}${crypto.randomUUID()}`);
    const file = await open(tmp, "w");
    let size = 0;
    try {
      if (body instanceof Uint8Array) {
        await file.writeFile(body);
        size = body.length;
      } else {
        const reader = body.getReader();
        let pending: Uint8Array[] = [];
        let pendingBytes = 0;
        const flush = async () => {
          if (pending.length === 1) await file.write(pending[0]!);
          else if (pending.length > 1) await file.writev(pending);
          pending = [];
          pendingBytes = 0;
        };
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            if (!(value instanceof Uint8Array)) throw new TypeError("blob body chunks must be Uint8Array");
            if (value.length === 0) continue;
            pending.push(value);
            pendingBytes += value.length;
            size += value.length;
            if (pendingBytes >= WRITE_BYTES) await flush();
          }
          await flush();
        } finally {
          reader.releaseLock();
        }
      }
      await file.close();
      if (name.startsWith("~")) await writeFile(join(dir, `${name}.key`), key);
      await rename(tmp, join(dir, name));
    } catch (error) {
      await file.close().catch(() => {});
      await unlink(tmp).catch(() => {});
      throw error;
    }
    return { size };
  }

  async function get(key: string, range?: { start: number; end: number }): Promise<ReadableStream<Uint8Array> | null> {
    const file = await openOrNull(key);
    if (!file) return null;
    let position: number, end: number;
    try {
      const clamped = clampBlobRange(range, (await file.stat()).size);
      (position = clamped.start), (end = clamped.end);
    } catch (error) {
      await file.close();
      throw error;
    }
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      return file.close().catch(() => {});
    };
    if (position > end) await close();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (position > end) {
          await close();
          return controller.close();
        }
        try {
          const buffer = new Uint8Array(Math.min(READ_BYTES, end - position + 1));
          const { bytesRead } = await file.read(buffer, 0, buffer.length, position);
          if (bytesRead === 0) throw new Error(`blob ${key} ended early`);
          position += bytesRead;
          controller.enqueue(bytesRead === buffer.length ? buffer : buffer.slice(0, bytesRead));
          if (position > end) await close(), controller.close();
        } catch (error) {
          await close();
          controller.error(error);
        }
      },
      cancel: () => close(),
    });
  }

  return {
    put,
    get,
    async read(key, range) {
      const file = await openOrNull(key);
      if (!file) return null;
      try {
        const { start, end } = clampBlobRange(range, (await file.stat()).size);
        const out = new Uint8Array(Math.max(0, end - start + 1));
        for (let filled = 0; filled < out.length; ) {
          const { bytesRead } = await file.read(out, filled, out.length - filled, start + filled);
          if (bytesRead === 0) throw new Error(`blob ${key} ended early`);
          filled += bytesRead;
        }
        return out;
      } finally {
        await file.close();
      }
    },
    async size(key) {
      try {
        return (await stat(pathOf(key))).size;
      } catch (error) {
        if (isMissing(error)) return null;
        throw error;
      }
    },
    async delete(key) {
      const name = encodeName(key);
      for (const path of name.startsWith("~") ? [join(dir, name), join(dir, `${name}.key`)] : [join(dir, name)]) {
        await unlink(path).catch((error) => {
          if (!isMissing(error)) throw error;
        });
      }
    },
    async *keys(prefix = "") {
      const keys: string[] = [];
      for (const name of await readdir(dir)) {
        if (name.startsWith(TMP) || name.endsWith(".key")) continue;
        const key = name.startsWith("~") ? await readFile(join(dir, `${name}.key`), "utf8").catch(() => null) : decodeName(name);
        if (key !== null && key.startsWith(prefix)) keys.push(key);
      }
      keys.sort();
      for (const key of keys) yield key;
    },
  };
}

/**
 * New blobs in `primary`; reads fall back to `legacy` (blobs an older version kept in the KV
 * database) until those are replaced or deleted. `keys` lists both.
 */
export function layeredBlobStore(primary: BlobStore, legacy: BlobStore): BlobStore {
  return {
    async put(key, body) {
      const result = await primary.put(key, body);
      await legacy.delete(key);
      return result;
    },
    async get(key, range) {
      return (await primary.get(key, range)) ?? legacy.get(key, range);
    },
    async read(key, range) {
      const bytes = await primary.read!(key, range);
      if (bytes) return bytes;
      if (legacy.read) return legacy.read(key, range);
      const stream = await legacy.get(key, range);
      return stream ? new Uint8Array(await new Response(stream).arrayBuffer()) : null;
    },
    async size(key) {
      return (await primary.size(key)) ?? legacy.size(key);
    },
    async delete(key) {
      await primary.delete(key);
      await legacy.delete(key);
    },
    async *keys(prefix) {
      const seen = new Set<string>();
      for await (const key of primary.keys(prefix)) seen.add(key);
      for await (const key of legacy.keys(prefix)) seen.add(key);
      yield* [...seen].sort();
    },
  };
}
