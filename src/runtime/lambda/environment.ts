/**
 * One execution environment: a child process running a function's runtime, and a loopback HTTP
 * server that is both its Lambda Runtime API (`AWS_LAMBDA_RUNTIME_API`) and its AWS endpoint
 * (`AWS_ENDPOINT_URL`: every other path goes to the emulator's fetch handler, so the function's
 * own SDK calls reach fetchstack, in-process emulators included). One invocation at a time, as
 * on AWS; the runner pools environments.
 * Source: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import { getRequestListener } from "@hono/node-server";
import type { EmulatorAccess, LambdaRunRequest, LambdaRunResult } from "../../lambda-runner.ts";

const RUNTIME = "/2018-06-01/runtime";
const MAX_LOG_CHARS = 1024 * 1024;
/** AWS's limit on a function's init phase (on-demand). */
const INIT_TIMEOUT_SECONDS = 10;
/** Bytes a response may have (AWS's synchronous limit). */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
/** Bytes a streamed response may have (AWS's response streaming limit). */
export const MAX_STREAMED_RESPONSE_BYTES = 20 * 1024 * 1024;
const STREAMED_RESPONSE = /^\/2018-06-01\/runtime\/invocation\/([^/?]+)\/response(?:\?.*)?$/;

export interface SpawnSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  /** True when the runtime client writes end markers (fetchstack's own bootstraps). */
  marksEnd: boolean;
}

interface Current {
  request: LambdaRunRequest;
  started: number;
  log: string;
  outcome?: { payload: Uint8Array; error: boolean };
  streamed?: { contentType: string };
  resolve(result: LambdaRunResult): void;
  timer?: ReturnType<typeof setTimeout>;
}

function errorPayload(errorType: string, errorMessage: string): Uint8Array {
  return new TextEncoder().encode(JSON.stringify({ errorType, errorMessage }));
}

function maxMemoryMb(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Math.ceil(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

export class Environment {
  readonly key: string;
  busy = false;
  dead = false;
  lastUsed = Date.now();
  private server!: Server;
  private child?: ChildProcess;
  private waiting?: (request: LambdaRunRequest) => void;
  private queued?: LambdaRunRequest;
  private current?: Current;
  private initLog = "";
  private initStarted = 0;
  private initDone = false;
  private initError?: { payload: Uint8Array };
  private ended = new Set<string>();
  private endWaiters = new Map<string, () => void>();
  private pendingOutput = "";
  private onDead?: () => void;

  constructor(key: string, private readonly emulator: EmulatorAccess, private readonly marks: boolean) {
    this.key = key;
  }

  /** Starts the Runtime API server; returns `host:port`. */
  async listen(): Promise<string> {
    const listener = getRequestListener((request) => this.route(request), { overrideGlobalObjects: false });
    this.server = createServer((req, res) => {
      // A streamed response is read here, on Node's request, for its chunks as they come and
      // its trailers (the web Request the listener builds has neither).
      const streamed = req.method === "POST" && String(req.headers["lambda-runtime-function-response-mode"] ?? "").toLowerCase() === "streaming"
        ? STREAMED_RESPONSE.exec(req.url ?? "") : null;
      if (streamed) void this.streamedResponse(decodeURIComponent(streamed[1]!), req, res);
      else void listener(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(0, "127.0.0.1", () => resolve());
    });
    this.server.unref();
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** This environment's CloudWatch Logs stream name. */
  logStreamName?: string;

  start(spec: SpawnSpec, onDead: () => void): void {
    this.logStreamName = spec.env.AWS_LAMBDA_LOG_STREAM_NAME;
    this.onDead = onDead;
    this.initStarted = performance.now();
    const child = spawn(spec.command, spec.args, { cwd: spec.cwd, env: spec.env, stdio: ["ignore", "pipe", "pipe"] });
    this.child = child;
    child.stdout!.setEncoding("utf8");
    child.stderr!.setEncoding("utf8");
    child.stdout!.on("data", (chunk: string) => this.output(chunk));
    child.stderr!.on("data", (chunk: string) => this.output(chunk));
    child.on("error", (error) => this.exited(`Runtime.InvalidEntrypoint`, `RequestId: ${this.current?.request.requestId ?? ""} Error: ${error.message}`));
    child.on("exit", (code, signal) => this.exited("Runtime.ExitError", `RequestId: ${this.current?.request.requestId ?? ""} Error: Runtime exited ${signal ? `with signal: ${signal}` : `with error: exit status ${code}`}`));
    child.unref();
    (child.stdout as unknown as { unref?: () => void }).unref?.();
    (child.stderr as unknown as { unref?: () => void }).unref?.();
  }

  /** Runs one invocation in this (idle) environment. */
  invoke(request: LambdaRunRequest): Promise<LambdaRunResult> {
    this.busy = true;
    return new Promise<LambdaRunResult>((resolve) => {
      const current: Current = { request, started: performance.now(), log: "", resolve };
      this.current = current;
      // The function's timeout runs from when the runtime takes the event; a cold start has
      // its own 10-second init limit first, as on AWS.
      if (!this.initDone) current.timer = setTimeout(() => this.timeout(current, INIT_TIMEOUT_SECONDS), INIT_TIMEOUT_SECONDS * 1000);
      else current.timer = setTimeout(() => this.timeout(current), request.timeoutSeconds * 1000);
      if (this.initError) return this.finish(current, this.initError.payload, true, "error");
      if (this.waiting) {
        const next = this.waiting;
        this.waiting = undefined;
        next(request);
      } else this.queued = request;
    });
  }

  close(): void {
    if (this.dead) return;
    this.dead = true;
    this.child?.kill("SIGKILL");
    this.server?.close();
    (this.server as Server & { closeAllConnections?: () => void })?.closeAllConnections?.();
  }

  private output(chunk: string): void {
    let text = this.pendingOutput + chunk;
    this.pendingOutput = "";
    // End markers: "\0fetchstack:end:<id>\n"; keep a partial marker for the next chunk.
    for (;;) {
      const at = text.indexOf("\u0000fetchstack:end:");
      if (at === -1) break;
      const nl = text.indexOf("\n", at);
      if (nl === -1) {
        this.append(text.slice(0, at));
        this.pendingOutput = text.slice(at);
        return;
      }
      this.append(text.slice(0, at));
      const id = text.slice(at + "\u0000fetchstack:end:".length, nl);
      this.ended.add(id);
      this.endWaiters.get(id)?.();
      text = text.slice(nl + 1);
    }
    const nul = text.lastIndexOf("\u0000");
    if (nul !== -1 && nul > text.length - 40) {
      this.pendingOutput = text.slice(nul);
      text = text.slice(0, nul);
    }
    this.append(text);
  }

  private append(text: string): void {
    if (!text) return;
    if (this.current) this.current.log = (this.current.log + text).slice(-MAX_LOG_CHARS);
    else this.initLog = (this.initLog + text).slice(-MAX_LOG_CHARS);
  }

  /** Waits until the runtime client's output for `id` is all read (bounded). */
  private async outputComplete(id: string): Promise<void> {
    if (!this.marks) {
      await new Promise((r) => setTimeout(r, 20));
      return;
    }
    if (this.ended.has(id)) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      this.endWaiters.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.endWaiters.delete(id);
  }

  private async route(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname;
    if (!path.startsWith(RUNTIME + "/")) return this.emulator.fetch(request);
    const rest = path.slice(RUNTIME.length);
    if (request.method === "GET" && rest === "/invocation/next") return this.next();
    const m = /^\/invocation\/([^/]+)\/(response|error)$/.exec(rest);
    if (request.method === "POST" && m) {
      const body = new Uint8Array(await request.arrayBuffer());
      const current = this.current;
      if (!current || current.request.requestId !== m[1]) {
        return Response.json({ errorMessage: "Invalid request ID", errorType: "InvalidRequestID" }, { status: 400 });
      }
      await this.outputComplete(m[1]!);
      if (m[2] === "response" && body.byteLength > MAX_RESPONSE_BYTES) {
        this.finish(current, errorPayload("Function.ResponseSizeTooLarge", `Response payload size exceeded maximum allowed payload size (${MAX_RESPONSE_BYTES} bytes).`), true, "error");
      } else this.finish(current, body, m[2] === "error", m[2] === "error" ? "error" : undefined);
      return new Response(JSON.stringify({ status: "OK" }), { status: 202, headers: { "content-type": "application/json" } });
    }
    if (request.method === "POST" && rest === "/init/error") {
      const body = new Uint8Array(await request.arrayBuffer());
      await this.outputComplete("init");
      this.initError = { payload: body };
      if (this.current) this.finish(this.current, body, true, "error");
      return new Response(JSON.stringify({ status: "OK" }), { status: 202, headers: { "content-type": "application/json" } });
    }
    return Response.json({ errorMessage: `Unknown Runtime API path ${rest}`, errorType: "InvalidRequest" }, { status: 404 });
  }

  /**
   * `POST /invocation/<id>/response` with `Lambda-Runtime-Function-Response-Mode: streaming`:
   * each chunk goes to the request's sink as it arrives; a failure mid-stream comes in the
   * trailers `Lambda-Runtime-Function-Error-Type` / `Lambda-Runtime-Function-Error-Body`
   * (base64 error document), as in AWS's Runtime API.
   * Source: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html#runtimes-custom-response-streaming
   */
  private async streamedResponse(id: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const answer = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    const current = this.current;
    if (!current || current.request.requestId !== id || current.outcome) {
      req.resume();
      answer(400, { errorMessage: "Invalid request ID", errorType: "InvalidRequestID" });
      return;
    }
    const contentType = String(req.headers["content-type"] ?? "application/octet-stream");
    current.streamed = { contentType };
    try {
      current.request.stream?.start(contentType);
    } catch {
      // as for chunks below
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Uint8Array>) {
        size += chunk.byteLength;
        if (this.current !== current || size > MAX_STREAMED_RESPONSE_BYTES) continue;
        const bytes = new Uint8Array(chunk);
        chunks.push(bytes);
        try {
          current.request.stream?.chunk(bytes);
        } catch {
          // The caller stopped reading: the function still runs to its end.
        }
      }
    } catch {
      // The runtime went away mid-stream: its exit ends the invocation.
      return;
    }
    await this.outputComplete(id);
    answer(202, { status: "OK" });
    if (this.current !== current) return;
    const errorType = req.trailers["lambda-runtime-function-error-type"];
    if (errorType) {
      const body = req.trailers["lambda-runtime-function-error-body"];
      this.finish(current, body ? new Uint8Array(Buffer.from(body, "base64")) : errorPayload(errorType, ""), true, "error");
    } else if (size > MAX_STREAMED_RESPONSE_BYTES) {
      this.finish(current, errorPayload("Function.ResponseSizeTooLarge", `Response payload size exceeded maximum allowed payload size (${MAX_STREAMED_RESPONSE_BYTES} bytes).`), true, "error");
    } else {
      const payload = new Uint8Array(size);
      let offset = 0;
      for (const c of chunks) payload.set(c, offset), (offset += c.byteLength);
      this.finish(current, payload, false);
    }
  }

  private next(): Promise<Response> {
    this.initDone = true;
    return new Promise<Response>((resolve) => {
      const deliver = (request: LambdaRunRequest) => {
        const deadline = Date.now() + request.timeoutSeconds * 1000;
        const current = this.current;
        if (current && current.request === request) {
          clearTimeout(current.timer);
          current.timer = setTimeout(() => this.timeout(current), request.timeoutSeconds * 1000);
        }
        const headers: Record<string, string> = {
          "content-type": "application/json",
          "Lambda-Runtime-Aws-Request-Id": request.requestId,
          "Lambda-Runtime-Deadline-Ms": String(deadline),
          "Lambda-Runtime-Invoked-Function-Arn": request.invokedFunctionArn,
          "Lambda-Runtime-Trace-Id": `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${request.requestId.replace(/-/g, "").slice(0, 24)};Sampled=0`,
        };
        if (request.clientContext) headers["Lambda-Runtime-Client-Context"] = atob(request.clientContext);
        resolve(new Response(request.payload as BodyInit, { status: 200, headers }));
      };
      if (this.queued) {
        const request = this.queued;
        this.queued = undefined;
        deliver(request);
      } else this.waiting = deliver;
    });
  }

  private timeout(current: Current, limitSeconds = current.request.timeoutSeconds): void {
    if (this.current !== current) return;
    const seconds = limitSeconds.toFixed(2);
    current.log += `${new Date().toISOString()} ${current.request.requestId} Task timed out after ${seconds} seconds\n`;
    this.finish(current, errorPayload("Sandbox.Timedout", `RequestId: ${current.request.requestId} Error: Task timed out after ${seconds} seconds`), true, "timeout");
    // A timed-out environment is discarded (its code may still be running).
    this.close();
    this.onDead?.();
  }

  private exited(type: string, message: string): void {
    const wasDead = this.dead;
    this.dead = true;
    this.server?.close();
    if (this.current && !this.current.outcome) {
      const payload = this.initError?.payload ?? errorPayload(type, message);
      this.finish(this.current, payload, true, "error");
    }
    if (!wasDead) this.onDead?.();
  }

  private finish(current: Current, payload: Uint8Array, error: boolean, status?: "error" | "timeout"): void {
    if (current.outcome) return;
    current.outcome = { payload, error };
    clearTimeout(current.timer);
    const duration = performance.now() - current.started;
    const id = current.request.requestId;
    const first = this.initLog !== "" || this.initStarted > 0;
    const initDuration = first ? current.started - this.initStarted : undefined;
    const memory = maxMemoryMb(this.child?.pid);
    const version = current.request.functionVersion;
    const report = [
      `REPORT RequestId: ${id}`,
      `Duration: ${duration.toFixed(2)} ms`,
      `Billed Duration: ${Math.max(1, Math.ceil(duration))} ms`,
      `Memory Size: ${current.request.memorySizeMb} MB`,
      ...(memory ? [`Max Memory Used: ${memory} MB`] : []),
      ...(initDuration !== undefined ? [`Init Duration: ${Math.max(0, initDuration).toFixed(2)} ms`] : []),
      ...(status ? [`Status: ${status}`] : []),
    ].join("\t");
    const log = `${this.initLog}START RequestId: ${id} Version: ${version}\n${current.log}END RequestId: ${id}\n${report}\t\n`;
    this.initLog = "";
    this.initStarted = 0;
    this.current = undefined;
    this.busy = false;
    this.lastUsed = Date.now();
    this.ended.delete(id);
    current.resolve({
      payload,
      ...(error ? { functionError: "Unhandled" as const } : {}),
      log,
      durationMs: duration,
      ...(this.logStreamName ? { logStreamName: this.logStreamName } : {}),
      ...(current.streamed ? { streamed: current.streamed } : {}),
      ...(initDuration !== undefined ? { initDurationMs: Math.max(0, initDuration) } : {}),
    });
    if (this.initError) {
      this.close();
      this.onDead?.();
    }
    void this.initDone;
  }
}
