/**
 * Request bodies straight from Node's IncomingMessage, for large uploads (S3 PutObject,
 * UploadPart): the adapter's own `request.body` copies every socket chunk into a web stream
 * (`Readable.toWeb`), and its `arrayBuffer()` concatenates the chunks and then copies the result
 * once more. Here `body` hands the socket's chunks on as they are (no copy, with backpressure),
 * and `arrayBuffer()` gathers them with one copy.
 */
import type { IncomingMessage } from "node:http";
import type { Http2ServerRequest } from "node:http2";

/** Bodies declared smaller than this keep the adapter's own path (one read, cheap either way). */
const MIN_BYTES = 64 * 1024;
/** Bytes buffered ahead of the consumer before the socket is paused. */
const HIGH_WATER = 1 << 20;

type Incoming = IncomingMessage | Http2ServerRequest;

/** A client that went away mid-body: the message the S3 upload path maps to IncompleteBody. */
function aborted(): Error {
  return new Error("request body aborted: the connection closed before the body ended");
}

/** The body of `incoming` as a web stream of its own chunks (Buffers are Uint8Arrays). */
export function incomingBodyStream(incoming: Incoming): ReadableStream<Uint8Array> {
  let finished = false;
  let detach = () => {};
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        const onData = (chunk: Buffer | string) => {
          if (finished) return;
          controller.enqueue(typeof chunk === "string" ? new TextEncoder().encode(chunk) : chunk);
          if ((controller.desiredSize ?? 0) <= 0) incoming.pause();
        };
        const end = (error?: Error) => {
          if (finished) return;
          finished = true;
          detach();
          if (error) controller.error(error);
          else controller.close();
        };
        const onEnd = () => end();
        const onError = (error: Error) => end(error);
        const onClose = () => end(incoming.readableEnded ? undefined : aborted());
        incoming.on("data", onData);
        incoming.on("end", onEnd);
        incoming.on("error", onError);
        incoming.on("close", onClose);
        detach = () => {
          incoming.off("data", onData);
          incoming.off("end", onEnd);
          incoming.off("error", onError);
          incoming.off("close", onClose);
        };
        if (incoming.readableEnded) end();
      },
      pull() {
        if (!finished) incoming.resume();
      },
      cancel() {
        // The adapter drains (or closes) what the emulator did not read once it has answered.
        finished = true;
        detach();
      },
    },
    { highWaterMark: HIGH_WATER, size: (chunk) => chunk.byteLength },
  );
}

/** Reads the whole body with one copy into an exact-size ArrayBuffer. */
async function incomingArrayBuffer(incoming: Incoming): Promise<ArrayBuffer> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = incomingBodyStream(incoming).getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) out.set(chunk, offset), (offset += chunk.byteLength);
  return out.buffer;
}

/**
 * Gives `request` (the adapter's Request for `incoming`) a `body` and `arrayBuffer()` read
 * from `incoming` directly, when it has a body of at least 64 KiB (or of unknown length).
 * Returns `request`.
 */
export function withIncomingBody(request: Request, incoming: Incoming | undefined): Request {
  if (!incoming || request.method === "GET" || request.method === "HEAD") return request;
  const declared = incoming.headers["content-length"];
  if (declared !== undefined && !(Number(declared) >= MIN_BYTES)) return request;
  if (incoming.readableDidRead || incoming.readableEnded) return request;
  let stream: ReadableStream<Uint8Array> | undefined;
  let used = false;
  const take = () => {
    if (used) throw new TypeError("Body is unusable: Body has already been read");
    used = true;
  };
  Object.defineProperties(request, {
    body: {
      configurable: true,
      get() {
        if (!stream) take(), (stream = incomingBodyStream(incoming));
        return stream;
      },
    },
    bodyUsed: { configurable: true, get: () => used && (!stream || stream.locked) },
    arrayBuffer: {
      configurable: true,
      value: () => {
        try {
          take();
        } catch (error) {
          return Promise.reject(error);
        }
        return incomingArrayBuffer(incoming);
      },
    },
  });
  return request;
}
