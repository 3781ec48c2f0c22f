/**
 * The codec contract: one implementation per AWS wire protocol, driven by the service model.
 * The gateway picks the protocol per request (`detectProtocol` in `src/gateway/`), then:
 *
 *   codec.parse(incoming)                    -> { operation, input }   (or throws AwsError)
 *   handler(input, ctx)                      -> output
 *   codec.serialize(incoming, op, output)    -> Response
 *   codec.serializeError(incoming, op, err)  -> Response
 *
 * Codecs never know which runtime they run in, and services never build XML or JSON by hand.
 */
import type { OperationModel, ProtocolId, ServiceModel } from "./model.ts";
import type { AwsError } from "./errors.ts";

/** A request after the gateway: routing facts plus the untouched body. */
export interface IncomingRequest {
  /** The original request (its body may already be consumed: use `body`/`bytes()`). */
  readonly request: Request;
  readonly method: string;
  /** URL with `basePath` removed and, for virtual-hosted S3, the bucket moved into the path. */
  readonly url: URL;
  /** Decoded path segments are the codec's job; this is the raw (percent-encoded) path. */
  readonly path: string;
  readonly headers: Headers;
  readonly model: ServiceModel;
  readonly protocol: ProtocolId;
  /** Request id (also sent as `x-amzn-RequestId` / `x-amz-request-id`). */
  readonly requestId: string;
  /** The body as bytes, read once and cached (bounded by the emulator's body limit). */
  bytes(): Promise<Uint8Array>;
  /** The body as text (UTF-8), read once and cached. */
  text(): Promise<string>;
  /** The body as a stream, for streaming payloads; only if `bytes()`/`text()` were not called. */
  stream(): ReadableStream<Uint8Array> | null;
}

export interface ParsedOperation {
  operation: OperationModel;
  /** Plain object shaped like the operation's input shape (members by model member name). */
  input: Record<string, unknown>;
}

export interface Codec {
  readonly protocol: ProtocolId;
  /**
   * Finds the operation and builds its input. Throws the protocol's own AwsError for an unknown
   * operation (`InvalidAction`, `UnknownOperationException`, ...), a malformed body
   * (`SerializationException`, `MalformedXML`, ...) or a value it cannot decode as its member's
   * type. Constraint validation (required, enums, lengths, ranges) is not the codec's: the
   * dispatcher runs `validateInput` on the parsed input once, for every protocol.
   */
  parse(incoming: IncomingRequest): Promise<ParsedOperation>;
  /** Renders a handler's output by the operation's output shape. */
  serialize(incoming: IncomingRequest, operation: OperationModel, output: unknown): Response;
  /** Renders an AwsError the way this protocol does; `operation` is undefined if unknown. */
  serializeError(incoming: IncomingRequest, operation: OperationModel | undefined, error: AwsError): Response;
}

/**
 * Output escape hatches a handler may set on its output object when the model cannot say it
 * (S3's 206 Partial Content, extra headers). Prefer model members wherever they exist.
 */
export const HTTP_STATUS = Symbol.for("fetchstack.httpStatus");
export const HTTP_HEADERS = Symbol.for("fetchstack.httpHeaders");

export interface OutputExtras {
  [HTTP_STATUS]?: number;
  [HTTP_HEADERS]?: Record<string, string>;
}
