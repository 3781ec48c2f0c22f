/** The state layer: Store and BlobStore contracts, memory implementations, views and tools. */
export type { AtomicCheck, AtomicOperation, BlobStore, Entry, Key, KeyPart, ListOptions, ListSelector, MaybeEntry, Store } from "./types.ts";
export { compareKeys, compareKeyParts, compareStrings, encodeKey, isKeyInRange, isKeyUnder } from "./keys.ts";
export { createMemoryStore, type MemoryStore } from "./memory.ts";
export { createCopyingStore } from "./copying.ts";
export { prefixStore } from "./prefixed.ts";
export { createMemoryBlobStore, prefixBlobStore } from "./blobs.ts";
export {
  clearBlobs,
  clearStore,
  decodeJson,
  encodeJson,
  restoreStore,
  snapshotStore,
  STATE_FORMAT,
  STATE_VERSION,
  type RestoreOptions,
  type SnapshotOptions,
  type StateSnapshot,
} from "./snapshot.ts";
export { UNDERLYING, update, UpdateConflictError, withLock, type UpdateOptions, type WrappingStore } from "./mutex.ts";
