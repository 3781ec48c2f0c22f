/**
 * The web console's endpoints, under `/_fetchstack/` beside the internal API (off with
 * `createEmulator({ ui: false })` / `--no-ui`, and never on a port pinned to one service):
 *
 * - `GET  /_fetchstack/ui`                       the console (one HTML page, assets inline)
 * - `POST /_fetchstack/call/:service/:operation?account=&region=`  runs one AWS operation of a
 *   served service with a JSON input, as the awsJson protocols write it whatever the service's
 *   own protocol (blobs base64, timestamps epoch seconds); answers the output the same way, or
 *   `{ __type, message }` with the error's HTTP status. Streaming outputs (S3 GetObject's Body)
 *   are read whole, up to 16 MiB.
 * - `GET  /_fetchstack/requests`                 the request log: `{ size, entries }` (no bodies)
 * - `GET  /_fetchstack/requests/stream`          the same, live, as server-sent events (`data:`
 *   one entry as JSON; `id:` its id; `Last-Event-ID` resumes after it)
 * - `GET  /_fetchstack/requests/:id`             one entry with its captured bodies
 */
import type { ServiceModel, ShapeRef } from "../protocol/model.ts";
import type { ServiceDefinition } from "../services/types.ts";
import { AwsError, isAwsError } from "../protocol/errors.ts";
import { decodeValue, encodeValue, jsonLeaves, ShapeTypeError } from "../protocol/shape-values.ts";
import type { RequestLog, RequestRecord } from "./request-log.ts";
import { consolePage } from "./page.ts";

/** Interval of the request stream's keep-alive comments. */
const HEARTBEAT_MS = 10_000;

/** Largest streaming output member `call` reads into its JSON answer. */
export const CALL_STREAM_LIMIT = 16 * 1024 * 1024;

export interface ConsoleTarget {
  /** The served services. */
  services: readonly ServiceDefinition[];
  defaults: { accountId: string; region: string };
  /**
   * Runs an operation as `ctx.invoke` does (validation included), in an account and region;
   * `baseUrl` is the console's origin (and base path), for URLs in outputs (SQS queue URLs).
   */
  invoke(service: string, operation: string, input: Record<string, unknown>, at: { accountId: string; region: string; baseUrl: string }): Promise<Record<string, unknown>>;
  basePath: string;
  /** Absent when the request log is off. */
  log?: RequestLog;
}

const JSON_TYPE = { "content-type": "application/json" };
const LEAVES = jsonLeaves("json");

function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), { status, headers: JSON_TYPE });
}

/**
 * The console's router: `handle(request, path)` answers `path` (relative to `/_fetchstack`)
 * or returns undefined for paths that are not the console's.
 */
export function createConsoleApi(target: ConsoleTarget) {
  return {
    handle(request: Request, path: string, url: URL): Promise<Response> | undefined {
      const method = request.method.toUpperCase();
      if (path === "/ui" || path === "/ui/") {
        if (method !== "GET" && method !== "HEAD") return Promise.resolve(json({ error: "method not allowed" }, 405));
        return Promise.resolve(new Response(method === "HEAD" ? null : consolePage(), {
          headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
        }));
      }
      const call = /^\/call\/([^/]+)\/([^/]+)$/.exec(path);
      if (call) {
        if (method !== "POST") return Promise.resolve(json({ error: "method not allowed" }, 405));
        return callOperation(target, decodeURIComponent(call[1]!), decodeURIComponent(call[2]!), request, url);
      }
      if (path === "/requests" || path.startsWith("/requests/")) {
        if (method !== "GET") return Promise.resolve(json({ error: "method not allowed" }, 405));
        const log = target.log;
        if (!log) return Promise.resolve(json({ error: "the request log is off" }, 404));
        if (path === "/requests") return Promise.resolve(json({ entries: log.entries().map(summary) }));
        if (path === "/requests/stream") return Promise.resolve(eventStream(log, request));
        const id = Number(path.slice("/requests/".length));
        const entry = Number.isInteger(id) ? log.get(id) : undefined;
        return Promise.resolve(entry ? json(entry) : json({ error: `no request ${path.slice(10)} in the log` }, 404));
      }
      return undefined;
    },
  };
}

/** A record without its bodies. */
function summary(record: RequestRecord): Omit<RequestRecord, "request" | "response"> & { bodies: boolean } {
  const { request, response, ...rest } = record;
  return { ...rest, bodies: Boolean(request || response) };
}

/** Server-sent events: buffered entries after `Last-Event-ID` (all when absent), then live ones. */
function eventStream(log: RequestLog, request: Request): Response {
  const after = Number(request.headers.get("last-event-id") ?? new URL(request.url).searchParams.get("after") ?? 0) || 0;
  const encoder = new TextEncoder();
  let unsubscribe: (() => void) | undefined;
  let heartbeat: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    unsubscribe?.();
    if (heartbeat !== undefined) clearInterval(heartbeat);
  };
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      const send = (record: RequestRecord) => {
        // A client that stopped reading without closing: drop it rather than buffer forever.
        if ((controller.desiredSize ?? 0) < -1000) {
          stop();
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(`id: ${record.id}\ndata: ${JSON.stringify(summary(record))}\n\n`));
      };
      controller.enqueue(encoder.encode(": fetchstack request log\nretry: 2000\n\n"));
      for (const record of log.entries()) if (record.id > after) send(record);
      unsubscribe = log.subscribe(send);
      // A comment line now and then: proxies keep the connection, and workerd does not take a
      // stream that waits on other requests' events for a hung one.
      heartbeat = setInterval(() => {
        try {
          controller.enqueue(encoder.encode(": ping\n\n"));
        } catch {
          stop();
        }
      }, HEARTBEAT_MS);
      request.signal?.addEventListener("abort", () => {
        stop();
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
    },
    cancel() {
      stop();
    },
  });
  return new Response(body, { headers: { "content-type": "text/event-stream", "cache-control": "no-store", connection: "keep-alive" } });
}

const memberNamed = new WeakMap<ServiceModel, ServiceModel>();

/**
 * `model` with every member known by its member name (no `locationName`: S3's `ContentType`,
 * not `Content-Type`) and every timestamp member in the protocol's default format, so the
 * console's JSON is the same for every service whatever its wire protocol.
 */
function byMemberName(model: ServiceModel): ServiceModel {
  let plain = memberNamed.get(model);
  if (plain) return plain;
  const strip = (ref: ShapeRef | undefined): ShapeRef | undefined => {
    if (!ref || (ref.locationName === undefined && ref.timestampFormat === undefined)) return ref;
    const { locationName: _name, timestampFormat: _format, ...rest } = ref;
    return rest as ShapeRef;
  };
  const shapes: ServiceModel["shapes"] = {};
  for (const [name, shape] of Object.entries(model.shapes)) {
    shapes[name] = {
      ...shape,
      ...(shape.members ? { members: Object.fromEntries(Object.entries(shape.members).map(([m, ref]) => [m, strip(ref)!])) } : {}),
      ...(shape.member ? { member: strip(shape.member) } : {}),
      ...(shape.key ? { key: strip(shape.key) } : {}),
      ...(shape.value ? { value: strip(shape.value) } : {}),
    };
  }
  plain = { ...model, shapes };
  memberNamed.set(model, plain);
  return plain;
}

async function callOperation(target: ConsoleTarget, serviceName: string, operationName: string, request: Request, url: URL): Promise<Response> {
  const params = url.searchParams;
  const service = target.services.find((s) => s.name === serviceName);
  if (!service) return json({ __type: "NotImplemented", message: `Service '${serviceName}' is not served by this fetchstack.` }, 404);
  const operation = service.model.operations[operationName];
  if (!operation) return json({ __type: "InvalidAction", message: `Unknown operation ${serviceName}.${operationName}` }, 400);
  let body: unknown;
  try {
    const text = await request.text();
    body = text ? JSON.parse(text) : {};
  } catch {
    return json({ __type: "SerializationException", message: "The body is not JSON." }, 400);
  }
  let input: Record<string, unknown> = {};
  try {
    if (operation.input) input = (decodeValue(byMemberName(service.model), operation.input, body, LEAVES) ?? {}) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ShapeTypeError) return json({ __type: "SerializationException", message: error.message }, 400);
    throw error;
  }
  const account = params.get("account") || target.defaults.accountId;
  const region = params.get("region") || target.defaults.region;
  if (!/^\d{12}$/.test(account)) return json({ __type: "ValidationException", message: `account must be 12 digits: ${account}` }, 400);
  try {
    const output = await target.invoke(serviceName, operationName, input, { accountId: account, region, baseUrl: url.origin + target.basePath });
    if (!operation.output) return json({});
    await readStreams(output);
    return json(encodeValue(byMemberName(service.model), operation.output, output, LEAVES) ?? {});
  } catch (error) {
    if (!isAwsError(error)) throw error;
    const e = error as AwsError;
    return json({ __type: e.code, message: e.message, ...e.fields }, e.status);
  }
}

/** Replaces top-level stream members (payloads) with their bytes. */
async function readStreams(output: Record<string, unknown>): Promise<void> {
  for (const [name, value] of Object.entries(output)) {
    if (!(value instanceof ReadableStream)) continue;
    const chunks: Uint8Array[] = [];
    let size = 0;
    const reader = (value as ReadableStream<Uint8Array>).getReader();
    for (;;) {
      const { done, value: chunk } = await reader.read();
      if (done) break;
      size += chunk.byteLength;
      if (size > CALL_STREAM_LIMIT) {
        await reader.cancel().catch(() => {});
        throw new AwsError("EntityTooLarge", `${name} is larger than the console's ${CALL_STREAM_LIMIT} bytes.`, 413);
      }
      chunks.push(chunk);
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.byteLength;
    }
    output[name] = bytes;
  }
}
