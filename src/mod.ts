/**
 * fetchstack's public API.
 *
 *   import { createEmulator } from "fetchstack";
 *   const aws = createEmulator({ region: "us-east-1" });
 *   const response = await aws.fetch(request);
 *
 * Your own service next to the built-in ones (typed handlers, served over its model's protocol):
 *
 *   import { createEmulator, defineService, SERVICE_NAMES, type ServiceModel } from "fetchstack";
 *   const greeter = defineService<GreeterOperations>({ name: "greeter", model, handlers: { Greet: ... } });
 *   const aws = createEmulator({ services: [...SERVICE_NAMES, greeter] });
 *
 * The built-in services' model types are namespaces named like the services (`sqs.Operations`,
 * `s3.PutObjectRequest`), for typing what you send to `ctx.invoke` or read back.
 */
export { createEmulator, VERSION } from "./emulator.ts";
export type { Emulator, EmulatorOptions, FetchOptions } from "./emulator.ts";
export { AwsError } from "./protocol/errors.ts";
export type { Store, BlobStore, Key, KeyPart, Entry } from "./store/types.ts";
export type { StateSnapshot } from "./store/snapshot.ts";
export { defineService } from "./services/types.ts";
export type {
  Caller, Clock, EventBus, Handler, Handlers, OperationHandler, RequestContext, ServiceDefinition, ServiceEnvironment,
  TypedServiceDefinition,
} from "./services/types.ts";
export { SERVICE_NAMES } from "./services/registry.ts";
export type { ServiceModel, Shape, ShapeRef, OperationModel, ProtocolId } from "./protocol/model.ts";
export { HTTP_HEADERS, HTTP_STATUS } from "./protocol/codec.ts";
export type { Bytes, BytesOut, Document, Empty, HandlerOutput, NoOutput, Outgoing, StreamingBlob, Timestamp, TimestampOut } from "./protocol/value-types.ts";
export type * from "./generated/index.ts";
export { createManualClock } from "./clock.ts";
export type { ManualClock, Timers } from "./clock.ts";
export { createMemoryStore } from "./store/memory.ts";
export { createCopyingStore } from "./store/copying.ts";
export { createMemoryBlobStore } from "./store/blobs.ts";
export { openDenoKvStore } from "./store/deno-kv.ts";
export type { DenoKvLike, DenoKvStore, DenoKvStoreOptions } from "./store/deno-kv.ts";
export { openStoreBlobStore } from "./store/store-blobs.ts";
export type { StoreBlobOptions } from "./store/store-blobs.ts";
