/**
 * AWS event-stream framing (`application/vnd.amazon.eventstream`): each message is a prelude
 * (total length, headers length, prelude CRC32), headers, payload and a message CRC32. Used by
 * streaming responses (Lambda's InvokeWithResponseStream, Kinesis's SubscribeToShard).
 * Source: https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html
 */
import { crc32 } from "@aws-crypto/crc32";

const encoder = new TextEncoder();

/** One message with string-valued headers (type 7), as every AWS event and exception carries. */
export function eventMessage(headers: Record<string, string>, payload: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = encoder.encode(name);
    const v = encoder.encode(value);
    const h = new Uint8Array(1 + n.length + 1 + 2 + v.length);
    h[0] = n.length;
    h.set(n, 1);
    h[1 + n.length] = 7; // string
    new DataView(h.buffer).setUint16(2 + n.length, v.length);
    h.set(v, 4 + n.length);
    parts.push(h);
  }
  const headersLength = parts.reduce((sum, p) => sum + p.length, 0);
  const total = 12 + headersLength + payload.length + 4;
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headersLength);
  view.setUint32(8, crc32(out.subarray(0, 8)));
  let offset = 12;
  for (const p of parts) out.set(p, offset), (offset += p.length);
  out.set(payload, offset);
  view.setUint32(total - 4, crc32(out.subarray(0, total - 4)));
  return out;
}

/** An `event` message of type `eventType` (a union member name, or `initial-response`). */
export function eventStreamEvent(eventType: string, contentType: string, payload: Uint8Array): Uint8Array {
  return eventMessage({ ":event-type": eventType, ":content-type": contentType, ":message-type": "event" }, payload);
}

/** A modeled error inside the stream (`:message-type: exception`), as SDKs raise from the iterator. */
export function eventStreamException(code: string, message: string): Uint8Array {
  return eventMessage(
    { ":exception-type": code, ":content-type": "application/json", ":message-type": "exception" },
    encoder.encode(JSON.stringify({ message })),
  );
}
