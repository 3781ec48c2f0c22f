/**
 * Deno entry point: `deno task start`. Same flags and environment variables as the Node CLI.
 */
import { createEmulator } from "../emulator.ts";
import { SERVICE_NAMES } from "../services/registry.ts";
import { banner, emulatorOptions, parseServerOptions, USAGE } from "./options.ts";
import { BLOB_DIR, DATA_FILE, loadStateFile, openPersistentState, type PersistentState } from "./persistence.ts";
import { stateCommand } from "./state-cli.ts";
import type { DenoKvLike } from "../store/deno-kv.ts";

declare const Deno: {
  args: string[];
  stdout: { isTerminal(): boolean };
  env: { toObject(): Record<string, string> };
  exit(code: number): never;
  version: { deno: string };
  serve(options: { port: number; hostname: string; onListen?: (addr: { port: number }) => void; signal?: AbortSignal }, handler: (request: Request) => Promise<Response>): { finished: Promise<void>; addr: { port: number } };
  addSignalListener(signal: string, handler: () => void): void;
  /** Needs --unstable-kv (deno.json's tasks pass it). */
  openKv?(path?: string): Promise<DenoKvLike>;
  mkdirSync(path: string, options?: { recursive?: boolean }): void;
  readTextFileSync(path: string): string;
};

if (Deno.args[0] === "state") Deno.exit(await stateCommand(Deno.args.slice(1), Deno.env.toObject()));

let options;
try {
  options = parseServerOptions(Deno.args, Deno.env.toObject(), SERVICE_NAMES);
} catch (error) {
  console.error(`fetchstack: ${(error as Error).message}\n\n${USAGE}`);
  Deno.exit(2);
}
if (options.help) {
  console.log(USAGE);
  Deno.exit(0);
}
// A line per request when someone watches the terminal, quiet when piped (as under Node).
options.log ??= Deno.stdout.isTerminal() ? "requests" : "off";
let persistent: PersistentState | undefined;
if (options.dataDir) {
  if (!Deno.openKv) {
    console.error("fetchstack: --data-dir needs Deno KV: run deno with --unstable-kv (deno task start does)");
    Deno.exit(2);
  }
  Deno.mkdirSync(options.dataDir, { recursive: true });
  persistent = await openPersistentState(await Deno.openKv(`${options.dataDir}/${DATA_FILE}`), `${options.dataDir}/${BLOB_DIR}`);
}
const emulator = createEmulator(emulatorOptions(options, persistent));
if (options.stateFile) {
  try {
    await loadStateFile(emulator, Deno.readTextFileSync(options.stateFile), options.stateFile);
  } catch (error) {
    console.error(`fetchstack: cannot start: ${(error as Error).message}`);
    Deno.exit(1);
  }
}
const abort = new AbortController();
const main = Deno.serve({ port: options.port, hostname: options.host, signal: abort.signal, onListen() {} }, (request) => emulator.fetch(request));
const pinned: Record<string, number> = {};
const servers = [main];
for (const [service, port] of Object.entries(options.servicePorts)) {
  const server = Deno.serve({ port, hostname: options.host, signal: abort.signal, onListen() {} }, (request) => emulator.fetch(request, { service }));
  servers.push(server);
  pinned[service] = server.addr.port;
}
console.log(banner(options, emulator.services, `Deno ${Deno.version.deno}`, { main: main.addr.port, pinned }));
for (const signal of ["SIGINT", "SIGTERM"]) {
  Deno.addSignalListener(signal, () => {
    console.log(`\nfetchstack: ${signal}, shutting down`);
    abort.abort();
    Promise.all(servers.map((s) => s.finished)).then(() => {
      persistent?.close();
      Deno.exit(0);
    });
  });
}
