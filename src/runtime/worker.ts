/**
 * Cloudflare Workers entry point (`npx wrangler dev`, Miniflare, or deployed): the worker's
 * `fetch` is the emulator's. Configuration comes from `wrangler.toml` vars:
 * FETCHSTACK_REGION, FETCHSTACK_ACCOUNT_ID, FETCHSTACK_SERVICES, FETCHSTACK_UI ("0": no web
 * console), FETCHSTACK_REQUEST_LOG (requests the console's log keeps; "0": off).
 *
 * State: with a Durable Object binding `STATE` (class `FetchstackStateObject`, exported here;
 * wrangler.toml declares it), every service's state and blobs live in SQLite-backed Durable
 * Objects, one per [service, account, region] (src/store/durable-object.ts), shared by every
 * isolate and durable. Without the binding, state is per isolate, in memory.
 *
 * Opt-in, `FETCHSTACK_STORE = "kv"` with a Workers KV binding `STATE_KV`: state and blobs in
 * Workers KV instead (src/store/workers-kv.ts). Eventually consistent and without atomic
 * commits: only for the services and operations docs/persistence.md lists as safe on it.
 */
import { createEmulator, type Emulator } from "../emulator.ts";
import { createDurableObjectBlobStore, createDurableObjectStore, type DurableObjectNamespaceLike } from "../store/durable-object.ts";
import { createWorkersKvStore, type KvNamespaceLike } from "../store/workers-kv.ts";
import { openStoreBlobStore } from "../store/store-blobs.ts";
import type { BlobStore, Store } from "../store/types.ts";

export { FetchstackStateObject } from "../store/durable-object.ts";

interface Env {
  FETCHSTACK_REGION?: string;
  FETCHSTACK_ACCOUNT_ID?: string;
  FETCHSTACK_SERVICES?: string;
  FETCHSTACK_UI?: string;
  FETCHSTACK_REQUEST_LOG?: string;
  STATE?: DurableObjectNamespaceLike;
  /** "kv": state in the `STATE_KV` Workers KV namespace (default: Durable Objects, see above). */
  FETCHSTACK_STORE?: string;
  STATE_KV?: KvNamespaceLike;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

let emulator: Emulator | undefined;

export default {
  fetch(request: Request, env: Env = {}, ctx?: ExecutionContext): Promise<Response> {
    if (!emulator) {
      const { store, blobs } = stores(env);
      emulator = createEmulator({
        region: env.FETCHSTACK_REGION,
        accountId: env.FETCHSTACK_ACCOUNT_ID,
        services: env.FETCHSTACK_SERVICES ? env.FETCHSTACK_SERVICES.split(",").map((s) => s.trim()) : undefined,
        store,
        blobs,
        ui: env.FETCHSTACK_UI !== "0" && env.FETCHSTACK_UI !== "false",
        requestLog: env.FETCHSTACK_REQUEST_LOG ? Math.max(0, Number(env.FETCHSTACK_REQUEST_LOG) || 0) : undefined,
      });
    }
    return emulator.fetch(withoutAcceptEncoding(request), { waitUntil: ctx ? (p) => ctx.waitUntil(p) : undefined }).then(passEncodedBody);
  },
};

/**
 * The Workers runtime sets `Accept-Encoding` itself and compresses answers for the client as
 * the client asked; a service must not gzip on that header's word (DynamoDB would answer gzip
 * to a client that never asked for it).
 */
function withoutAcceptEncoding(request: Request): Request {
  if (!request.headers.has("accept-encoding")) return request;
  const headers = new Headers(request.headers);
  headers.delete("accept-encoding");
  return new Request(request, { headers });
}

/**
 * Workers compress a body themselves when the Response says `Content-Encoding: gzip`; ours is
 * already encoded (DynamoDB's gzip answers, S3 objects stored gzip'd), so it must pass as is.
 */
function passEncodedBody(response: Response): Response {
  if (!response.headers.has("content-encoding")) return response;
  const init = { status: response.status, statusText: response.statusText, headers: response.headers, encodeBody: "manual" };
  return new Response(response.body, init as ResponseInit);
}

/** Workers KV values may hold 25 MiB: blobs go in 1 MiB chunks (fewer writes than 60 KiB ones). */
const KV_BLOB_CHUNK = 1024 * 1024;

function stores(env: Env): { store?: Store; blobs?: BlobStore } {
  const kind = (env.FETCHSTACK_STORE ?? "").trim().toLowerCase();
  if (kind === "kv") {
    if (!env.STATE_KV) throw new Error("FETCHSTACK_STORE=kv needs a Workers KV namespace bound as STATE_KV (wrangler.toml kv_namespaces)");
    const kv = env.STATE_KV;
    return {
      store: createWorkersKvStore(kv, { space: "v" }),
      blobs: lazyBlobs(() => openStoreBlobStore(createWorkersKvStore(kv, { space: "b" }), { chunkSize: KV_BLOB_CHUNK })),
    };
  }
  if (kind !== "" && kind !== "durable-object") throw new Error(`FETCHSTACK_STORE=${env.FETCHSTACK_STORE}: expected "kv" or "durable-object"`);
  return env.STATE ? { store: createDurableObjectStore(env.STATE), blobs: createDurableObjectBlobStore(env.STATE) } : {};
}

/** A BlobStore usable at once, opened on first use (by the request that needs it). */
function lazyBlobs(open: () => Promise<BlobStore>): BlobStore {
  let opening: Promise<BlobStore> | undefined;
  const ready = () => (opening ??= open());
  return {
    put: async (key, body) => (await ready()).put(key, body),
    get: async (key, range) => (await ready()).get(key, range),
    size: async (key) => (await ready()).size(key),
    delete: async (key) => (await ready()).delete(key),
    async *keys(prefix) {
      yield* (await ready()).keys(prefix);
    },
  };
}
