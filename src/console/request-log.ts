/**
 * The live request log behind the web console: the last N AWS API requests the emulator
 * answered (a ring buffer), and subscribers that hear each one as it completes (the console's
 * server-sent events stream).
 *
 * Cheap when nobody listens: each request adds one small metadata record. Request and response
 * bodies (the first `BODY_LIMIT` bytes) are captured only while a subscriber is attached, so
 * they cost nothing when no console is open.
 */
import type { IncomingRequest } from "../protocol/codec.ts";
import type { RequestContext } from "../services/types.ts";
import { bytesToBase64 } from "../encoding/base64.ts";

/** Bodies are kept up to this many bytes (the rest is cut, and `truncated` says so). */
export const BODY_LIMIT = 64 * 1024;

/** One answered request. Times are epoch ms (the emulator's clock); `latencyMs` is wall time. */
export interface RequestRecord {
  /** Increasing per emulator, from 1. */
  id: number;
  time: number;
  requestId: string;
  service: string;
  /** The AWS operation, `""` when the request named none the service knows. */
  operation: string;
  status: number;
  latencyMs: number;
  account: string;
  region: string;
  method: string;
  /** Path and query as received. */
  path: string;
  /** Present when a console was listening while the request ran. */
  request?: CapturedBody;
  response?: CapturedBody;
}

export interface CapturedBody {
  contentType: string | null;
  /** UTF-8 text, or `base64` for bytes that are not valid UTF-8. */
  text: string;
  encoding: "utf8" | "base64";
  size: number;
  truncated: boolean;
}

export interface RequestLog {
  /** True while at least one subscriber that wants bodies is attached (bodies are captured then). */
  readonly listening: boolean;
  /** Oldest first. */
  entries(): RequestRecord[];
  get(id: number): RequestRecord | undefined;
  /**
   * Calls `listener` with every record added from now on; returns the unsubscribe function.
   * `bodies: false`: the listener needs no bodies (a one-line request log), so it does not make
   * the log capture them.
   */
  subscribe(listener: (record: RequestRecord) => void, options?: { bodies?: boolean }): () => void;
  /** Numbers and keeps a record; one that has an `id` member already is kept as is (renumbered), not copied. */
  add(record: Omit<RequestRecord, "id"> & { id?: number }): RequestRecord;
}

/** A ring buffer of `size` records (at least 1). */
export function createRequestLog(size: number): RequestLog {
  const capacity = Math.max(1, Math.floor(size));
  // A circular buffer: `head` is the oldest record once it is full (no shifting per request).
  const ring: RequestRecord[] = [];
  let head = 0;
  let next = 1;
  const listeners = new Set<(record: RequestRecord) => void>();
  const bodyless = new Set<(record: RequestRecord) => void>();
  const ordered = (): RequestRecord[] => (head === 0 ? ring.slice() : ring.slice(head).concat(ring.slice(0, head)));
  return {
    get listening() {
      return listeners.size > bodyless.size;
    },
    entries: ordered,
    get(id) {
      const oldest = ring[head];
      if (!oldest) return undefined;
      const offset = id - oldest.id;
      return offset >= 0 && offset < ring.length ? ring[(head + offset) % ring.length] : undefined;
    },
    subscribe(listener, options) {
      // A function may be subscribed once; wrapping keeps two subscriptions of one apart.
      const entry = (record: RequestRecord) => listener(record);
      listeners.add(entry);
      if (options?.bodies === false) bodyless.add(entry);
      return () => {
        listeners.delete(entry);
        bodyless.delete(entry);
      };
    },
    add(fields) {
      // A record made with an `id` slot (observeRequest's) is numbered in place, not copied.
      const record: RequestRecord = "id" in fields ? fields as RequestRecord : Object.assign({ id: 0 }, fields);
      record.id = next++;
      if (ring.length < capacity) {
        ring.push(record);
      } else {
        ring[head] = record;
        head = (head + 1) % capacity;
      }
      for (const listener of listeners) {
        try {
          listener(record);
        } catch {
          listeners.delete(listener);
          bodyless.delete(listener);
        }
      }
      return record;
    },
  };
}

/**
 * Runs `answer` (the dispatch of one request) and adds its record to `log`. While someone
 * listens, the request body the codec read (not a streamed one) and the start of the response
 * body are captured too. Without a listener the record is added as `answer`'s promise settles,
 * with no extra await hops.
 */
export function observeRequest(log: RequestLog, incoming: IncomingRequest, ctx: RequestContext, clock: { now(): number }, answer: () => Promise<Response>): Promise<Response> {
  const started = performance.now();
  if (log.listening) return observeCapturing(log, incoming, ctx, clock, answer, started);
  return answer().then((response) => {
    log.add(recordOf(incoming, ctx, clock, response, started));
    return response;
  });
}

function recordOf(incoming: IncomingRequest, ctx: RequestContext, clock: { now(): number }, response: Response, started: number): RequestRecord {
  const url = incoming.url;
  return {
    id: 0,
    time: clock.now(),
    requestId: ctx.requestId,
    service: ctx.service,
    operation: ctx.operation,
    status: response.status,
    latencyMs: Math.round((performance.now() - started) * 100) / 100,
    account: ctx.accountId,
    region: ctx.region,
    method: incoming.method,
    path: url.pathname + url.search,
  };
}

async function observeCapturing(log: RequestLog, incoming: IncomingRequest, ctx: RequestContext, clock: { now(): number }, answer: () => Promise<Response>, started: number): Promise<Response> {
  let requestBytes: Promise<Uint8Array> | undefined;
  const bytes = incoming.bytes;
  (incoming as { bytes: () => Promise<Uint8Array> }).bytes = () => (requestBytes ??= bytes.call(incoming));
  const response = await answer();
  const fields = recordOf(incoming, ctx, clock, response, started);
  const copy = response.body ? response.clone() : undefined;
  const [request, responseBody] = await Promise.all([
    requestBytes ? requestBytes.then((b) => captured(b, b.byteLength, incoming.headers.get("content-type")), () => undefined) : undefined,
    copy ? readStart(copy.body!).then(({ bytes, size, done }) => captured(bytes, size, response.headers.get("content-type"), !done)) : undefined,
  ]);
  fields.request = request;
  fields.response = responseBody;
  log.add(fields);
  return response;
}

/** Reads up to BODY_LIMIT bytes of a stream, then cancels the rest. */
async function readStart(stream: ReadableStream<Uint8Array>): Promise<{ bytes: Uint8Array; size: number; done: boolean }> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes: concat(chunks, size), size, done: true };
      chunks.push(value);
      size += value.byteLength;
      if (size > BODY_LIMIT) {
        await reader.cancel().catch(() => {});
        return { bytes: concat(chunks, size), size, done: false };
      }
    }
  } catch {
    return { bytes: concat(chunks, size), size, done: false };
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function captured(bytes: Uint8Array, size: number, contentType: string | null, cut = false): CapturedBody {
  const kept = bytes.byteLength > BODY_LIMIT ? bytes.subarray(0, BODY_LIMIT) : bytes;
  const truncated = cut || kept.byteLength < bytes.byteLength;
  try {
    return { contentType, text: decoder.decode(kept), encoding: "utf8", size, truncated };
  } catch {
    // A cut may split a UTF-8 sequence: retry leniently when the body was cut.
    if (truncated) {
      const text = new TextDecoder().decode(kept);
      if (!text.slice(0, -1).includes("\uFFFD")) return { contentType, text: text.replace(/\uFFFD$/, ""), encoding: "utf8", size, truncated };
    }
    return { contentType, text: bytesToBase64(kept), encoding: "base64", size, truncated };
  }
}
