/**
 * In-process mode: an AWS SDK for JavaScript v3 `requestHandler` that sends a client's calls
 * straight into an emulator, with no port and no server.
 *
 *   import { createRequestHandler } from "fetchstack/sdk";
 *   const sts = new STSClient({ region: "us-east-1", credentials, requestHandler: createRequestHandler() });
 *
 * Pass one emulator to several clients to share state between them. The client keeps its
 * usual AWS endpoint (or yours); the emulator routes by the request as usual.
 */
import { createEmulator, type Emulator, type EmulatorOptions } from "../emulator.ts";
import { encodeRfc3986 } from "../encoding/uri.ts";

/** The parts of @smithy's HttpRequest this handler reads. */
export interface SdkHttpRequest {
  method: string;
  protocol: string;
  hostname: string;
  port?: number;
  path: string;
  query?: Record<string, string | string[] | null | undefined>;
  headers: Record<string, string>;
  body?: unknown;
  fragment?: string;
}

export interface SdkHttpResponse {
  statusCode: number;
  reason?: string;
  headers: Record<string, string>;
  body: unknown;
}

export type FetchstackRequestHandler = {
  readonly emulator: Emulator;
  readonly metadata: { handlerProtocol: string };
  handle(request: SdkHttpRequest, options?: { abortSignal?: AbortSignal }): Promise<{ response: SdkHttpResponse }>;
  updateHttpClientConfig(key: never, value: never): void;
  httpHandlerConfigs(): Record<string, never>;
  destroy(): void;
};

// RFC 3986 escaping, as the SDK's own query-string builder does.
const escapeUri = encodeRfc3986;

function queryString(query: SdkHttpRequest["query"]): string {
  if (!query) return "";
  const parts: string[] = [];
  for (const key of Object.keys(query).sort()) {
    const value = query[key];
    const name = escapeUri(key);
    if (Array.isArray(value)) for (const v of value) parts.push(`${name}=${escapeUri(v)}`);
    else if (value === null || value === undefined) parts.push(name);
    else parts.push(`${name}=${escapeUri(value)}`);
  }
  return parts.length ? "?" + parts.join("&") : "";
}

function toBody(body: unknown): BodyInit | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === "string" || body instanceof Uint8Array || body instanceof ArrayBuffer) return body as BodyInit;
  if (body instanceof ReadableStream || (typeof Blob !== "undefined" && body instanceof Blob)) return body as BodyInit;
  if (typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function") {
    // A Node Readable (or any async iterable of chunks).
    const iterator = (body as AsyncIterable<string | Uint8Array>)[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { done, value } = await iterator.next();
        if (done) controller.close();
        else controller.enqueue(typeof value === "string" ? encoder.encode(value) : new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
      },
      async cancel() {
        await iterator.return?.();
      },
    });
  }
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength) as Uint8Array<ArrayBuffer>;
  return String(body);
}

// Under Node the SDK expects response bodies as stream.Readable (Body.pipe, sdkStreamMixin).
type FromWeb = (stream: ReadableStream<Uint8Array>) => unknown;
let nodeFromWeb: Promise<FromWeb | null> | undefined;
function readableFromWeb(): Promise<FromWeb | null> {
  nodeFromWeb ??= (async () => {
    const proc = (globalThis as { process?: { versions?: { node?: string } } }).process;
    if (!proc?.versions?.node) return null;
    try {
      const { Readable } = await import("node:stream");
      return (stream: ReadableStream<Uint8Array>) => Readable.fromWeb(stream as never);
    } catch {
      return null;
    }
  })();
  return nodeFromWeb;
}

function isEmulator(value: unknown): value is Emulator {
  return !!value && typeof (value as Emulator).fetch === "function" && typeof (value as Emulator).reset === "function";
}

/** A request handler for `@aws-sdk/client-*` clients, backed by `target` (or a new emulator). */
export function createRequestHandler(target?: Emulator | EmulatorOptions): FetchstackRequestHandler {
  const emulator = isEmulator(target) ? target : createEmulator(target);
  return {
    emulator,
    metadata: { handlerProtocol: "http/1.1" },
    async handle(request, options) {
      if (options?.abortSignal?.aborted) {
        const error = new Error("Request aborted");
        error.name = "AbortError";
        throw error;
      }
      const port = request.port ? `:${request.port}` : "";
      const url = `${request.protocol}//${request.hostname}${port}${request.path}${queryString(request.query)}`;
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers)) {
        // Hop-by-hop and framing headers belong to a real connection, not to an in-process call.
        if (/^(transfer-encoding|connection|expect)$/i.test(name)) continue;
        headers.set(name, value);
      }
      if (!headers.has("host")) headers.set("host", `${request.hostname}${port}`);
      const method = request.method.toUpperCase();
      const body = method === "GET" || method === "HEAD" ? undefined : toBody(request.body);
      const init: RequestInit & { duplex?: string } = { method, headers, body, signal: options?.abortSignal };
      if (body instanceof ReadableStream) init.duplex = "half";
      // The path as the client built it: `new Request` would drop `.`/`..` segments of S3 keys.
      const response = await emulator.fetch(new Request(url, init), { rawPath: request.path });
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        responseHeaders[name] = value;
      });
      const stream = response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
      const fromWeb = await readableFromWeb();
      return {
        response: {
          statusCode: response.status,
          reason: response.statusText,
          headers: responseHeaders,
          body: fromWeb ? fromWeb(stream) : stream,
        },
      };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
}
