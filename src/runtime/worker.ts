/**
 * Cloudflare Workers entry point (`npx wrangler dev`, Miniflare, or deployed): the worker's
 * `fetch` is the emulator's. Configuration comes from `wrangler.toml` vars:
 * FETCHSTACK_REGION, FETCHSTACK_ACCOUNT_ID, FETCHSTACK_SERVICES.
 *
 * State: with a Durable Object binding `STATE` (class `FetchstackStateObject`, exported here;
 * wrangler.toml declares it), every service's state and blobs live in SQLite-backed Durable
 * Objects, one per [service, account, region] (src/store/durable-object.ts), shared by every
 * isolate and durable. Without the binding, state is per isolate, in memory.
 */
import { createEmulator, type Emulator } from "../emulator.ts";
import { createDurableObjectBlobStore, createDurableObjectStore, type DurableObjectNamespaceLike } from "../store/durable-object.ts";

export { FetchstackStateObject } from "../store/durable-object.ts";

interface Env {
  FETCHSTACK_REGION?: string;
  FETCHSTACK_ACCOUNT_ID?: string;
  FETCHSTACK_SERVICES?: string;
  STATE?: DurableObjectNamespaceLike;
}

interface ExecutionContext {
  waitUntil(promise: Promise<unknown>): void;
}

let emulator: Emulator | undefined;

export default {
  fetch(request: Request, env: Env = {}, ctx?: ExecutionContext): Promise<Response> {
    emulator ??= createEmulator({
      region: env.FETCHSTACK_REGION,
      accountId: env.FETCHSTACK_ACCOUNT_ID,
      services: env.FETCHSTACK_SERVICES ? env.FETCHSTACK_SERVICES.split(",").map((s) => s.trim()) : undefined,
      store: env.STATE ? createDurableObjectStore(env.STATE) : undefined,
      blobs: env.STATE ? createDurableObjectBlobStore(env.STATE) : undefined,
    });
    return emulator.fetch(request, { waitUntil: ctx ? (p) => ctx.waitUntil(p) : undefined });
  },
};
