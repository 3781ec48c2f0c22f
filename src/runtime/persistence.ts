/**
 * `--data-dir DIR` and `--state-file FILE` for the Node and Deno servers.
 *
 * The data directory holds one Deno KV database, `DIR/fetchstack.kv` (SQLite, WAL), opened with
 * `Deno.openKv` under Deno and `@deno/kv` under Node: the same file works under either. State
 * lives in its "v" space (src/store/deno-kv.ts); blobs (S3 bodies) are files in `DIR/blobs/`
 * (src/runtime/file-blobs.ts), streamed to and from disk. Blob chunks an older version kept in
 * the database's "b" space (src/store/store-blobs.ts) stay readable. See docs/persistence.md.
 */
import type { DenoKvLike } from "../store/deno-kv.ts";
import { openDenoKvStore, type DenoKvStore } from "../store/deno-kv.ts";
import { openStoreBlobStore } from "../store/store-blobs.ts";
import { layeredBlobStore, openFileBlobStore } from "./file-blobs.ts";
import type { BlobStore, Store } from "../store/types.ts";
import type { Emulator } from "../emulator.ts";
import type { StateSnapshot } from "../store/snapshot.ts";

export const DATA_FILE = "fetchstack.kv";
/** The directory of blob files inside the data directory. */
export const BLOB_DIR = "blobs";

export interface PersistentState {
  store: Store;
  blobs: BlobStore;
  /** Closes the database. */
  close(): void;
}

/**
 * Opens the state store in one Deno KV database (a handle from either runtime) and the blob
 * store: files in `blobDir` when given (the servers' `DIR/blobs`), else chunks in the database.
 */
export async function openPersistentState(kv: DenoKvLike, blobDir?: string): Promise<PersistentState> {
  const store: DenoKvStore = await openDenoKvStore(kv, { space: "v" });
  const kvBlobs = await openStoreBlobStore(await openDenoKvStore(kv, { space: "b" }));
  let blobs: BlobStore = kvBlobs;
  if (blobDir !== undefined) {
    blobs = await openFileBlobStore(blobDir);
    // Blobs written into the database by an older version: still served until replaced.
    for await (const _ of kvBlobs.keys()) {
      blobs = layeredBlobStore(blobs, kvBlobs);
      break;
    }
  }
  return { store, blobs, close: () => kv.close() };
}

/** Restores a snapshot file (docs/state-format.md) into the emulator, replacing its state. */
export async function loadStateFile(emulator: Emulator, text: string, file: string): Promise<void> {
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (error) {
    throw new Error(`--state-file ${file}: not JSON (${(error as Error).message})`);
  }
  try {
    // Checked by restore (TypeError for what is not a snapshot).
    await emulator.restore(state as StateSnapshot, "replace");
  } catch (error) {
    throw new Error(`--state-file ${file}: ${(error as Error).message}`);
  }
}
