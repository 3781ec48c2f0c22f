/**
 * The gateway's IncomingRequest: routing facts plus a body that is read at most once, as
 * bytes (bounded by the emulator's limit) or as a stream (for streaming payloads).
 */
import { NO_WIRE_OPTIONS, type IncomingRequest, type WireOptions } from "../protocol/codec.ts";
import type { ProtocolId, ServiceModel } from "../protocol/model.ts";
import { AwsError } from "../protocol/errors.ts";
import { gunzip, isGzipEncoded } from "../encoding/gzip.ts";

export interface IncomingInit {
  request: Request;
  url: URL;
  model: ServiceModel;
  protocol: ProtocolId;
  requestId: string;
  maxBodyBytes: number;
  /** Bytes already read by the gateway (a form body it needed for routing). */
  preread?: Uint8Array;
  /** The service's wire options (`ServiceDefinition.wire`). */
  wire?: WireOptions;
  /** The path when it differs from `url.pathname`: dot segments the URL parser would have removed (raw-path.ts). */
  path?: string;
}

const compressing = new WeakMap<ServiceModel, boolean>();

/** True when some operation of `model` takes compressed request bodies (`requestcompression`). */
export function takesCompressedBodies(model: ServiceModel): boolean {
  let known = compressing.get(model);
  if (known === undefined) {
    known = Object.values(model.operations).some((op) => op.requestcompression !== undefined);
    compressing.set(model, known);
  }
  return known;
}

/**
 * A body the client compressed, inflated (`Content-Encoding: gzip`). Only for services whose
 * model has `requestcompression` operations: elsewhere (S3) Content-Encoding describes the data
 * and the bytes are kept as sent. Throws SerializationException (400) for bytes that are not gzip.
 */
export function inflateRequestBody(bytes: Uint8Array, headers: Headers): Uint8Array {
  if (!isGzipEncoded(headers)) return bytes;
  try {
    return gunzip(bytes);
  } catch {
    throw new AwsError("SerializationException", "The request body is not valid gzip.", 400);
  }
}

const EMPTY = new Uint8Array(0);
/** Stateless without `stream`: one decoder serves every request. */
const utf8 = new TextDecoder();
const utf8Encoder = new TextEncoder();
/**
 * Streaming payloads up to this size are read in one piece (see `stream()`). Larger ones stream:
 * the Node server hands those on as the socket's own chunks (src/runtime/node-body.ts), where
 * one piece would cost a copy of the whole body.
 */
const SMALL_STREAM_BYTES = 64 * 1024;

/** Reads a whole body, failing with 413 once it passes `limit` bytes. */
export async function readBounded(body: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (!body) return EMPTY;
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw new AwsError("RequestEntityTooLarge", `Request body is larger than the maximum of ${limit} bytes.`, 413);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/**
 * Reads a request's whole body, bounded by `limit` bytes (413 beyond it). With a
 * Content-Length the runtime's own `arrayBuffer()` is used (about twice as fast under Node
 * as pulling the stream); without one the stream is read and counted.
 */
export async function readRequestBody(request: Request, limit: number): Promise<Uint8Array> {
  // Checked before touching `request.body`: adapters (Hono's Node server) materialize a full
  // web stream on that access, while `arrayBuffer()` has a fast path.
  const declared = request.headers.get("content-length");
  if (declared !== null && /^\d+$/.test(declared)) {
    if (Number(declared) > limit) {
      await request.body?.cancel().catch(() => {});
      throw new AwsError("RequestEntityTooLarge", `Request body is larger than the maximum of ${limit} bytes.`, 413);
    }
    if (declared === "0") return EMPTY;
    return new Uint8Array(await request.arrayBuffer());
  }
  if (request.method === "GET" || request.method === "HEAD" || !request.body) return EMPTY;
  return readBounded(request.body, limit);
}

export function createIncoming(init: IncomingInit): IncomingRequest {
  const inflate = takesCompressedBodies(init.model);
  let bytes: Promise<Uint8Array> | undefined = init.preread ? Promise.resolve(init.preread) : undefined;
  let text: Promise<string> | undefined;
  let streamed = false;
  // The body was read as text by the runtime (`request.text()`, see `text()`), not as bytes.
  let readAsText = false;
  const { request } = init;
  const incoming: IncomingRequest = {
    request,
    method: request.method.toUpperCase(),
    url: init.url,
    path: init.path ?? init.url.pathname,
    headers: request.headers,
    model: init.model,
    protocol: init.protocol,
    requestId: init.requestId,
    wire: init.wire ?? NO_WIRE_OPTIONS,
    bytes() {
      if (!bytes) {
        if (streamed) throw new Error("request body already consumed as a stream");
        // Read as text already: the same text as UTF-8 (what the bytes were, for valid UTF-8).
        if (readAsText) return (bytes = text!.then((t) => utf8Encoder.encode(t)));
        bytes = readRequestBody(request, init.maxBodyBytes);
        if (inflate) bytes = bytes.then((b) => inflateRequestBody(b, request.headers));
      }
      return bytes;
    },
    text() {
      if (text) return text;
      // A small body nobody has read yet (and nobody watches being read: the request log wraps
      // `bytes`) is read as text by the runtime itself: Node's adapter then decodes its buffer
      // directly, where `arrayBuffer()` copies it first.
      if (!bytes && !streamed && !inflate && this.bytes === ownBytes) {
        const declared = request.headers.get("content-length");
        if (declared !== null && /^\d+$/.test(declared) && Number(declared) <= SMALL_STREAM_BYTES && Number(declared) <= init.maxBodyBytes) {
          readAsText = true;
          text = declared === "0" ? Promise.resolve("") : request.text();
          return text;
        }
      }
      text = this.bytes().then((b) => utf8.decode(b));
      return text;
    },
    stream() {
      if (init.preread) {
        const data = init.preread;
        return new ReadableStream({ start(c) { if (data.byteLength) c.enqueue(data); c.close(); } });
      }
      if (bytes || readAsText) {
        // Already read (signature verification hashes the body of clients that send no
        // x-amz-content-sha256): stream those bytes.
        const read = bytes ?? this.bytes();
        return new ReadableStream<Uint8Array>({
          async pull(controller) {
            const data = await read;
            if (data.byteLength) controller.enqueue(data);
            controller.close();
          },
        });
      }
      streamed = true;
      // Small bodies with a known length: one arrayBuffer() read is far cheaper than the web
      // stream a Node adapter builds on `request.body`; large ones stream as they arrive.
      const declared = request.headers.get("content-length");
      if (declared !== null && /^\d+$/.test(declared) && Number(declared) <= SMALL_STREAM_BYTES) {
        if (declared === "0") return new ReadableStream({ start: (c) => c.close() });
        return new ReadableStream<Uint8Array>({
          async pull(controller) {
            const data = new Uint8Array(await request.arrayBuffer());
            if (data.byteLength) controller.enqueue(data);
            controller.close();
          },
        });
      }
      return request.body;
    },
  };
  const ownBytes = incoming.bytes;
  return incoming;
}
