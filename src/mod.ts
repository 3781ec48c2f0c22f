/**
 * fetchstack's public API.
 *
 *   import { createEmulator } from "fetchstack";
 *   const aws = createEmulator({ region: "us-east-1" });
 *   const response = await aws.fetch(request);
 */
export { createEmulator, VERSION } from "./emulator.ts";
export type { Emulator, EmulatorOptions, FetchOptions } from "./emulator.ts";
export { AwsError } from "./protocol/errors.ts";
export type { Store, BlobStore, Key, KeyPart, Entry } from "./store/types.ts";
export type { Clock, RequestContext, ServiceDefinition } from "./services/types.ts";
export { createManualClock } from "./clock.ts";
export type { ManualClock, Timers } from "./clock.ts";
export { createMemoryStore } from "./store/memory.ts";
export { createCopyingStore } from "./store/copying.ts";
export { createMemoryBlobStore } from "./store/blobs.ts";
