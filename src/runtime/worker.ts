/**
 * Cloudflare Workers entry point (`npx wrangler dev`, Miniflare, or deployed): the worker's
 * `fetch` is the emulator's. Configuration comes from `wrangler.toml` vars:
 * FETCHSTACK_REGION, FETCHSTACK_ACCOUNT_ID, FETCHSTACK_SERVICES.
 *
 * State is per isolate (in memory) for now; durable stores come with the persistence work.
 */
import { createEmulator, type Emulator } from "../emulator.ts";

interface Env {
  FETCHSTACK_REGION?: string;
  FETCHSTACK_ACCOUNT_ID?: string;
  FETCHSTACK_SERVICES?: string;
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
    });
    return emulator.fetch(request, { waitUntil: ctx ? (p) => ctx.waitUntil(p) : undefined });
  },
};
