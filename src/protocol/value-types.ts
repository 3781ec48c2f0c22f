/**
 * The leaf types of handler values, as every codec produces and accepts them. The generated
 * model types (`src/generated/<service>.ts`) are written in terms of these, so a handler's input
 * type is what the codecs hand it, and `Outgoing<T>` widens an output type to what they accept
 * back.
 *
 *   codec -> handler (input)                    handler -> codec (output)
 *   timestamp   Date                            Date | epoch milliseconds | ISO 8601 text
 *   blob        Uint8Array                      Uint8Array | ArrayBuffer | any typed array | UTF-8 text
 *   streaming   ReadableStream | Uint8Array     the same as blob, or a ReadableStream (passed through)
 *   long, ...   number (rpcv2Cbor: bigint past 2^53)  number or bigint
 *   document    plain JSON value                plain JSON value
 *
 * Source: src/protocol/shape-values.ts (decodeValue/encodeValue), timestamps.ts, xml.ts
 * (decodeScalar/scalarText), rest.ts (readBindings/writeBindings/blobBody).
 */
import type { OutputExtras } from "./codec.ts";

/** A timestamp member as handlers receive it (every protocol's text or epoch seconds, parsed). */
export type Timestamp = Date;

/** A timestamp as handlers may return it: a Date, epoch milliseconds, or ISO 8601 text. */
export type TimestampOut = Date | number | string;

/** A blob member as handlers receive it: the decoded bytes (base64 already undone). */
export type Bytes = Uint8Array;

/** A blob as handlers may return it: bytes in any buffer view, or text (sent as its UTF-8 bytes). */
export type BytesOut = Uint8Array | ArrayBuffer | ArrayBufferView | string;

/**
 * A streaming blob (S3 object bodies): the request body's stream when it is the HTTP payload,
 * bytes otherwise. Returned streams are passed through to the response unbuffered.
 */
export type StreamingBlob = ReadableStream<Uint8Array> | Uint8Array;

/** A Smithy document member: any JSON value, passed through untouched. */
export type Document = null | boolean | number | string | Document[] | { [key: string]: Document };

/** Input of an operation the model gives no input shape: always an empty object. */
export type Empty = { [key: string]: never };

/** Output of an operation the model gives no output shape: nothing, or an empty object. */
export type NoOutput = Empty | void;

/**
 * `T` (a generated output type) widened to every value the codecs accept back: timestamps also
 * as epoch milliseconds or text, blobs as any buffer or text, streaming blobs also as streams.
 * Structure members keep their optionality; enums stay literal unions.
 */
export type Outgoing<T> =
  T extends Date ? TimestampOut
  : T extends Uint8Array ? BytesOut
  : T extends ReadableStream<Uint8Array> ? T
  : T extends readonly (infer U)[] ? Outgoing<U>[]
  : T extends object ? { [K in keyof T]: Outgoing<T[K]> }
  : T;

/**
 * What a typed handler returns for output type `O`: the widened output plus the HTTP escape
 * hatches (`HTTP_STATUS`, `HTTP_HEADERS`), or nothing for an operation without output.
 */
export type HandlerOutput<O> = O extends object ? Outgoing<O> & OutputExtras : O;
