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
  /** The service's wire options (`ServiceDefinition.wire`; `{}` when it declares none). */
  readonly wire: WireOptions;
  /** The body as bytes, read once and cached (bounded by the emulator's body limit). */
  bytes(): Promise<Uint8Array>;
  /** The body as text (UTF-8), read once and cached. */
  text(): Promise<string>;
  /** The body as a stream, for streaming payloads; only if `bytes()`/`text()` were not called. */
  stream(): ReadableStream<Uint8Array> | null;
}

/**
 * What a service's wire format needs beyond its model, declared on its ServiceDefinition
 * (`wire`) and handed to the codec with each request (`IncomingRequest.wire`), so no codec names
 * a service. Every field is optional; without it the protocol's generic behaviour applies.
 */
export interface WireOptions {
  /**
   * awsJson: the namespace of `__type` in the service's own error bodies, e.g.
   * `com.amazonaws.dynamodb.v20120810`. Default `com.amazonaws.<signing name>`.
   */
  errorNamespace?: string;
  /**
   * awsJson: word SerializationException type errors as the older ("classic") Coral stack does,
   * `class java.lang.String can not be converted to an Integer` (DynamoDB); default the newer
   * `STRING_VALUE can not be converted to an Integer`.
   */
  classicTypeErrors?: boolean;
  /** awsJson: send `x-amz-crc32` (CRC32 of the body, decimal) on every response (DynamoDB; botocore checks it). */
  crc32Header?: boolean;
  /**
   * awsJson: gzip response bodies for clients that send `Accept-Encoding: gzip`
   * (`Content-Encoding: gzip`; `x-amz-crc32` is then the CRC32 of the compressed bytes, as
   * DynamoDB sends it and its SDKs check it).
   */
  gzipResponses?: boolean;
  /** restXml: `xmlns` of response bodies when the model's metadata names none (S3's). */
  xmlNamespace?: string;
  /** restXml: root element names of output structures by shape name (Smithy `@xmlName`, which botocore's models lack). */
  xmlRootNames?: Readonly<Record<string, string>>;
  /**
   * restXml error body. `"Error"`: `<Error><Code/><Message/>…<RequestId/><HostId/></Error>` (S3);
   * default `"ErrorResponse"`: `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
   */
  xmlErrorRoot?: "Error" | "ErrorResponse";
  /**
   * REST protocols: the error for a header or query value that does not decode as its member's
   * type (`wireName` is the header or query name). Default: restXml `InvalidParameterValue`,
   * restJson `SerializationException`.
   */
  bindingError?(wireName: string, value: string): AwsError;
  /** REST protocols: the error for a request no operation's method and path match. Default 404 `UnknownOperationException`. */
  unmatchedRouteError?(method: string, path: string): AwsError;
}

/** No wire options: the protocols' generic behaviour. */
export const NO_WIRE_OPTIONS: WireOptions = Object.freeze({});

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
