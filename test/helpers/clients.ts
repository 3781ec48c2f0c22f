/**
 * Shared test plumbing: real AWS clients pointed at fetchstack, in-process or over HTTP.
 */
import { createEmulator, type Emulator, type EmulatorOptions } from "../../src/emulator.ts";
import { createRequestHandler } from "../../src/runtime/sdk.ts";
import { startServer, type RunningServer } from "../../src/runtime/node.ts";
import { createCopyingStore } from "../../src/store/copying.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { denoKvSkipReason, makeDenoKvStore } from "./deno-kv-store.ts";

export const TEST_CREDENTIALS = { accessKeyId: "test", secretAccessKey: "test" };

/**
 * The stores every service suite runs against (DESIGN: memory, and one that copies), plus a
 * durable one (issue 6): Deno KV on an SQLite file, as `--data-dir` uses.
 */
export const STORES = [
  { name: "memory store", make: () => createMemoryStore() },
  { name: "copying store", make: () => createCopyingStore() },
  ...(await denoKvSkipReason() ? [] : [{ name: "deno-kv store", make: () => makeDenoKvStore() }]),
] as const;

/** Client config sending calls into `emulator` in-process. */
export function inProcess(emulator: Emulator, region = "us-east-1") {
  return { region, credentials: TEST_CREDENTIALS, requestHandler: createRequestHandler(emulator) };
}

/** Starts the Node server on a free port. */
export async function startTestServer(options: Partial<EmulatorOptions> & { servicePorts?: Record<string, number> } = {}): Promise<RunningServer & { url: string }> {
  const running = await startServer({
    port: 0,
    host: "127.0.0.1",
    region: options.region ?? "us-east-1",
    accountId: options.accountId ?? "000000000000",
    services: options.services ? [...options.services] : undefined,
    servicePorts: options.servicePorts ?? {},
    verifySignatures: options.verifySignatures ?? false,
    enforceIam: options.enforceIam ?? false,
    credentials: { ...(options.credentials ?? { test: "test" }) },
    help: false,
  });
  return { ...running, url: `http://127.0.0.1:${running.ports.main}` };
}

/** Client config sending calls over HTTP to `url`. */
export function overHttp(url: string, region = "us-east-1") {
  return { region, credentials: TEST_CREDENTIALS, endpoint: url };
}

export { createEmulator };
