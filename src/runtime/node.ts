/**
 * Node entry point: `npx fetchstack` / `npm start`. Serves the emulator over HTTP with
 * @hono/node-server (127.0.0.1:4566 by default), plus one server per pinned service port.
 * Ctrl-C and SIGTERM close the servers and exit.
 */
import { createAdaptorServer } from "@hono/node-server";
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from "node:net";
import { createServer as createHttp2Server, type Http2ServerRequest } from "node:http2";
import type { IncomingMessage } from "node:http";
import { withIncomingBody } from "./node-body.ts";
import { Duplex } from "node:stream";
import { createEmulator, type Emulator, type FetchOptions } from "../emulator.ts";
import { SERVICE_NAMES } from "../services/registry.ts";
import { banner, emulatorOptions, parseServerOptions, USAGE, type ServerOptions } from "./options.ts";
import { BLOB_DIR, DATA_FILE, loadStateFile, openPersistentState, type PersistentState } from "./persistence.ts";
import { stateCommand } from "./state-cli.ts";
import { loadOpenKv } from "./deno-kv-addon.ts";
import { mkdirSync, readFileSync } from "node:fs";
import { createNodeLambdaRunner } from "./lambda/node-runner.ts";

export { createNodeLambdaRunner, type NodeLambdaRunnerOptions } from "./lambda/node-runner.ts";
import { join } from "node:path";
import { setFlagsFromString } from "node:v8";

export interface RunningServer {
  emulator: Emulator;
  /** Bound ports: main, and per pinned service. */
  ports: { main: number; pinned: Record<string, number> };
  close(): Promise<void>;
}

/** A duplex over `socket` that first yields `first` (bytes already read from it). */
function replaying(socket: Socket, first: Buffer): Duplex {
  const duplex = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk, encoding, callback) {
      socket.write(chunk, encoding, callback);
    },
    final(callback) {
      socket.end(callback);
    },
    destroy(error, callback) {
      socket.destroy(error ?? undefined);
      callback(error);
    },
  });
  duplex.push(first);
  socket.on("data", (data) => {
    if (!duplex.push(data)) socket.pause();
  });
  socket.on("end", () => duplex.push(null));
  socket.on("close", () => duplex.destroy());
  socket.on("error", (error) => duplex.destroy(error));
  return duplex;
}

/**
 * One port for HTTP/1.1 and cleartext HTTP/2 (h2c with prior knowledge): the first bytes of each
 * connection choose. The JS SDK's Kinesis client (and any client built for event streams) opens
 * HTTP/2 to an `http://` endpoint, as AWS serves it; everything else speaks HTTP/1.1.
 */
function listen(handler: (request: Request, options: FetchOptions) => Promise<Response>, port: number, host: string, lightGlobals: boolean): Promise<Server> {
  // Large bodies are read from the IncomingMessage directly (src/runtime/node-body.ts: no copies).
  // The raw request target goes along: the Request's URL has lost `.`/`..` segments of S3 keys.
  const adapted = (request: Request, env: { incoming?: IncomingMessage | Http2ServerRequest }) =>
    handler(withIncomingBody(request, env.incoming), { rawPath: env.incoming?.url });
  const http1 = createAdaptorServer({ fetch: adapted, overrideGlobalObjects: lightGlobals });
  const http2 = createAdaptorServer({ fetch: adapted, overrideGlobalObjects: lightGlobals, createServer: createHttp2Server as never });
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    socket.once("data", (chunk: Buffer) => {
      socket.pause();
      // An HTTP/2 connection preface starts "PRI * HTTP/2.0"; no HTTP/1.1 method starts "PRI".
      if (chunk.subarray(0, 3).toString("latin1") === "PRI") {
        // HTTP/2 sessions read the socket's handle directly, past anything unshifted: replay the
        // first bytes through a stream of our own instead.
        http2.emit("connection", replaying(socket, chunk));
      } else {
        socket.unshift(chunk);
        http1.emit("connection", socket);
        socket.resume();
      }
    });
  });
  const close = server.close.bind(server);
  Object.assign(server, {
    close(callback?: (error?: Error) => void) {
      close(callback);
      for (const socket of sockets) socket.destroy();
      return server;
    },
    closeAllConnections() {
      for (const socket of sockets) socket.destroy();
    },
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server));
  });
}

/**
 * Starts the servers; used by the CLI and by tests (port 0 picks a free port).
 *
 * `lightGlobals` lets @hono/node-server replace the process's global Request/Response with its
 * lighter classes, which skip building web streams for byte bodies (about 1.5x the requests/s
 * over HTTP). The CLI's process is the emulator's own, so it turns this on; a process that
 * embeds the server keeps its globals unless it asks.
 */
export async function startServer(options: ServerOptions, { lightGlobals = false }: { lightGlobals?: boolean } = {}): Promise<RunningServer> {
  let persistent: PersistentState | undefined;
  if (options.dataDir) {
    // Loaded only when asked for: an optional native addon (Deno KV's SQLite backend).
    const openKv = await loadOpenKv();
    mkdirSync(options.dataDir, { recursive: true });
    persistent = await openPersistentState(await openKv(join(options.dataDir, DATA_FILE)), join(options.dataDir, BLOB_DIR));
  }
  // Lambda functions run as child processes of this server (src/runtime/lambda/).
  const lambdaRunner = createNodeLambdaRunner();
  const emulator = createEmulator({ ...emulatorOptions(options, persistent), lambdaRunner });
  if (options.stateFile) await loadStateFile(emulator, readFileSync(options.stateFile, "utf8"), options.stateFile);
  const servers: Server[] = [];
  const main = await listen((request, fetchOptions) => emulator.fetch(request, fetchOptions), options.port, options.host, lightGlobals);
  servers.push(main);
  const pinned: Record<string, number> = {};
  for (const [service, port] of Object.entries(options.servicePorts)) {
    const server = await listen((request, fetchOptions) => emulator.fetch(request, { ...fetchOptions, service }), port, options.host, lightGlobals);
    servers.push(server);
    pinned[service] = (server.address() as AddressInfo).port;
  }
  return {
    emulator,
    ports: { main: (main.address() as AddressInfo).port, pinned },
    close: () =>
      Promise.all(servers.map((s) => new Promise<void>((resolve) => {
        s.close(() => resolve());
        (s as Server & { closeAllConnections?: () => void }).closeAllConnections?.();
      }))).then(() => lambdaRunner.close()).then(() => persistent?.close()),
  };
}

/**
 * V8 settings of the CLI's server process. V8 doubles the young generation (up to two 16 MiB
 * semi-spaces) whenever many objects survive a scavenge, as a store filling with objects and
 * items does, and the doubled space stays resident: a growth factor of 1 keeps it at its initial
 * 1 MiB semi-spaces (issue 22: loaded RSS ~200 -> ~150 MiB, requests/s no lower; docs/bench.md).
 * `--max-semi-space-size` would be the direct knob but is read only at process start.
 * Set here, after the bundle has loaded, the space has already grown to 4 MiB semi-spaces during
 * start-up, and stays there: deliberately. Setting it before the modules load (a dynamic import
 * in cli.ts) kept 1 MiB and 6 MiB less RSS, but cost 10-20 % more CPU per request (objects of
 * the requests in flight survived scavenges and were promoted; docs/bench.md).
 */
export const SERVER_V8_FLAGS = ["--semi-space-growth-factor=1"];

/** The CLI: parse flags and env, serve, print the banner, shut down on SIGINT/SIGTERM. */
export async function main(): Promise<void> {
  for (const flag of SERVER_V8_FLAGS) setFlagsFromString(flag);
  if (process.argv[2] === "state") {
    process.exitCode = await stateCommand(process.argv.slice(3), process.env);
    return;
  }
  let options: ServerOptions;
  try {
    options = parseServerOptions(process.argv.slice(2), process.env, SERVICE_NAMES);
  } catch (error) {
    console.error(`fetchstack: ${(error as Error).message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  // A line per request when someone watches the terminal, as dev servers do; quiet when piped.
  options.log ??= process.stdout.isTTY ? "requests" : "off";
  const running = await startServer(options, { lightGlobals: true }).catch((error: NodeJS.ErrnoException) => {
    console.error(`fetchstack: cannot start: ${error.message}`);
    process.exit(1);
  });
  console.log(banner(options, running.emulator.services, `Node ${process.version}`, running.ports));
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) process.exit(1);
    closing = true;
    console.log(`\nfetchstack: ${signal}, shutting down`);
    running.close().then(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGINT", () => shutdown("SIGINT"));
  process.on("SIGTERM", () => shutdown("SIGTERM"));
}
