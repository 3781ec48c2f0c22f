/**
 * The awsJson1_0 / awsJson1_1 codec (DynamoDB, SQS, Firehose, MemoryDB, DynamoDB Streams, ...),
 * including awsQueryCompatible error headers.
 *
 * Request: `POST /`, `X-Amz-Target: {targetPrefix}.{Operation}`, body a JSON object of the input
 * shape (blobs base64, timestamps epoch seconds). Response: the output shape as JSON, with the
 * request's JSON content type and `x-amzn-RequestId` (and `x-amz-crc32` where the service's
 * `WireOptions.crc32Header` asks for it).
 * Errors: `{"__type": "<namespace>#<Code>", "message": ...}` plus the error shape's members,
 * `x-amzn-ErrorType: <Code>`, and for awsQueryCompatible services
 * `x-amzn-query-error: <query code>;<Sender|Receiver>`.
 *
 * Source: https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html,
 * https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#aws-protocols-awsquerycompatible-trait,
 * botocore `parsers.py` (BaseJSONParser._do_error_parse) and @aws-sdk/core AwsJsonRpcProtocol.
 */
import { crc32, crc32OfText } from "./crc32.ts";
import { acceptsGzip, gzip } from "../encoding/gzip.ts";
import { HTTP_HEADERS, HTTP_STATUS, NO_WIRE_OPTIONS, type Codec, type IncomingRequest, type ParsedOperation, type WireOptions } from "./codec.ts";
import { AwsError } from "./errors.ts";
import type { OperationModel, ServiceModel, ShapeType } from "./model.ts";
import { decodeValue, encodeValue, jsonLeaves, ShapeTypeError } from "./shape-values.ts";
import { bytesToBase64 } from "../encoding/base64.ts";

const leaves = jsonLeaves("json");

/** Framework (Coral) errors that no service model declares, with the namespace AWS sends. */
const CORAL_NAMESPACES: Record<string, string> = {
  ValidationException: "com.amazon.coral.validate",
  SerializationException: "com.amazon.coral.service",
  UnknownOperationException: "com.amazon.coral.service",
  InternalFailure: "com.amazon.coral.service",
  AccessDeniedException: "com.amazon.coral.service",
  MissingAuthenticationTokenException: "com.amazon.coral.service",
  IncompleteSignatureException: "com.amazon.coral.service",
  InvalidSignatureException: "com.amazon.coral.service",
  UnrecognizedClientException: "com.amazon.coral.service",
  ExpiredTokenException: "com.amazon.coral.service",
  RequestEntityTooLargeException: "com.amazon.coral.service",
  NotImplemented: "com.amazon.coral.service",
  ThrottlingException: "com.amazon.coral.availability",
  ServiceUnavailableException: "com.amazon.coral.availability",
};

const JSON_CONTENT_TYPES = new Set(["application/x-amz-json-1.0", "application/x-amz-json-1.1", "application/json"]);

/**
 * `__type` namespace of a service's own errors: its declared one (`WireOptions.errorNamespace`;
 * clients strip everything up to `#`, so only raw-HTTP users see it), else
 * `com.amazonaws.<signing name>`; Coral's for a request no service was found for.
 */
function serviceNamespace(model: ServiceModel, wire: WireOptions): string {
  if (wire.errorNamespace) return wire.errorNamespace;
  const name = (model.metadata.signingName ?? model.metadata.endpointPrefix).replace(/[^A-Za-z0-9]/g, "").toLowerCase();
  return name ? `com.amazonaws.${name}` : "com.amazon.coral.service";
}

/** The `__type` value for an error code. */
export function errorType(model: ServiceModel, code: string, wire: WireOptions = NO_WIRE_OPTIONS): string {
  if (model.shapes[code]?.exception) return `${serviceNamespace(model, wire)}#${code}`;
  const coral = CORAL_NAMESPACES[code];
  return `${coral ?? serviceNamespace(model, wire)}#${code}`;
}

/**
 * The awsQuery error code of an error shape (`AWS.SimpleQueueService.NonExistentQueue`): the
 * shape's `error.code`, or for SQS, whose JSON model lost it, the legacy query model's.
 */
export function queryErrorCode(model: ServiceModel, code: string): string {
  return model.shapes[code]?.error?.code ?? model.legacyQuery?.shapes[code]?.error?.code ?? code;
}

/** The response content type: the request's JSON flavour, else the model's. */
function contentType(incoming: IncomingRequest): string {
  const sent = incoming.headers.get("content-type");
  // As SDKs send it: no parameters, lower case.
  if (sent !== null && JSON_CONTENT_TYPES.has(sent)) return sent;
  const requested = sent?.split(";")[0]!.trim().toLowerCase();
  if (requested && JSON_CONTENT_TYPES.has(requested)) return requested;
  return `application/x-amz-json-${incoming.model.metadata.jsonVersion ?? "1.0"}`;
}

function unknownOperation(): AwsError {
  return new AwsError("UnknownOperationException", "", 400);
}

function serializationError(message = ""): AwsError {
  return new AwsError("SerializationException", message, 400);
}

/** Operation named by `X-Amz-Target`, or undefined. */
export function targetOperation(model: ServiceModel, target: string | null): OperationModel | undefined {
  if (!target) return undefined;
  const dot = target.lastIndexOf(".");
  if (dot <= 0) return undefined;
  if (model.metadata.targetPrefix && target.slice(0, dot) !== model.metadata.targetPrefix) return undefined;
  const name = target.slice(dot + 1);
  return Object.hasOwn(model.operations, name) ? model.operations[name] : undefined;
}

const JAVA_TYPES: Partial<Record<ShapeType, string>> = {
  string: "String",
  char: "String",
  boolean: "Boolean",
  integer: "Integer",
  long: "Long",
  short: "Short",
  byte: "Byte",
  float: "Float",
  double: "Double",
  bigdecimal: "BigDecimal",
  biginteger: "BigInteger",
  blob: "Blob",
  timestamp: "Date",
};

/**
 * Coral's SerializationException text for a value of the wrong JSON type. DynamoDB's (classic)
 * wording is the one dynalite recorded against the live service; newer Coral stacks name the
 * JSON token instead (`NUMBER_VALUE can not be converted to a String`).
 */
export function typeErrorMessage(error: ShapeTypeError, classic: boolean): string {
  const { expected, found, value } = error;
  if (found === "list") return "Start of list found where not expected";
  if (found === "map" && expected !== "structure" && expected !== "map") return "Start of structure or map found where not expected.";
  if (expected === "structure") return "Expected null";
  if (expected === "list") return "Expected list or null";
  if (expected === "map") return "Expected map or null";
  const java = JAVA_TYPES[expected] ?? "String";
  if (error.detail) return `'${String(value)}' can not be converted to a ${java}: ${error.detail}`;
  if (classic) {
    const article = expected === "blob" || expected === "timestamp" ? "a" : "an";
    if (found === "number") return `class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to ${article} ${java}`;
    if (found === "boolean") return `class java.lang.Boolean can not be converted to ${article} ${java}`;
    if (expected === "boolean") return `'${String(value).toUpperCase()}' can not be converted to an Boolean`;
    return `class java.lang.String can not be converted to ${article} ${java}`;
  }
  const token = found === "number" ? "NUMBER_VALUE" : found === "boolean" ? (value ? "TRUE_VALUE" : "FALSE_VALUE") : "STRING_VALUE";
  const article = /^[AEIOU]/.test(java) ? "an" : "a";
  return `${token} can not be converted to ${article} ${java}`;
}

const utf8 = new TextEncoder();

function respond(incoming: IncomingRequest, status: number, body: unknown, headers: Record<string, string>): Response {
  const text = JSON.stringify(body);
  // A plain record: the Response constructor validates it once (Headers#set does it per call).
  const out: Record<string, string> = {};
  for (const k in headers) out[k.toLowerCase()] = headers[k]!;
  out["content-type"] = contentType(incoming);
  out["x-amzn-requestid"] = incoming.requestId;
  if (incoming.wire.gzipResponses && acceptsGzip(incoming.headers)) {
    const sent = gzip(utf8.encode(text));
    out["content-encoding"] = "gzip";
    if (incoming.wire.crc32Header) out["x-amz-crc32"] = String(crc32(sent));
    return new Response(sent as BodyInit, { status, headers: out });
  }
  // The text itself is the body (UTF-8 on the wire): no encoded copy per response. botocore
  // checks x-amz-crc32 when present (over the bytes as sent); services that send it declare it.
  if (incoming.wire.crc32Header) out["x-amz-crc32"] = String(crc32OfText(text));
  return new Response(text, { status, headers: out });
}

/** JSON-safe copy of error fields the model does not describe (bytes as base64). */
function plainFields(fields: Record<string, unknown>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(fields, (_k, v) => (v instanceof Uint8Array ? bytesToBase64(v) : v))) as Record<string, unknown>;
}

export const jsonCodec: Codec = {
  protocol: "json",

  async parse(incoming: IncomingRequest): Promise<ParsedOperation> {
    const { model } = incoming;
    const operation = targetOperation(model, incoming.headers.get("x-amz-target"));
    if (!operation) throw unknownOperation();
    const text = await incoming.text();
    let document: unknown = null;
    if (text.trim() !== "") {
      try {
        document = JSON.parse(text);
      } catch {
        throw serializationError();
      }
    }
    if (!operation.input) return { operation, input: {} };
    if (document === null) document = {};
    try {
      const input = decodeValue(model, operation.input, document, leaves) as Record<string, unknown>;
      return { operation, input };
    } catch (e) {
      if (e instanceof ShapeTypeError) throw serializationError(typeErrorMessage(e, incoming.wire.classicTypeErrors === true));
      throw e;
    }
  },

  serialize(incoming: IncomingRequest, operation: OperationModel, output: unknown): Response {
    const source = (output ?? {}) as Record<string | symbol, unknown>;
    const body = operation.output ? (encodeValue(incoming.model, operation.output, source, leaves) ?? {}) : {};
    const status = (source[HTTP_STATUS] as number | undefined) ?? 200;
    const headers = (source[HTTP_HEADERS] as Record<string, string> | undefined) ?? {};
    return respond(incoming, status, body, headers);
  },

  serializeError(incoming: IncomingRequest, _operation: OperationModel | undefined, error: AwsError): Response {
    const { model } = incoming;
    const shape = model.shapes[error.code]?.exception ? model.shapes[error.code] : undefined;
    const members = shape?.members ?? {};
    const messageKey =
      error.code === "SerializationException" || ("Message" in members && !("message" in members)) ? "Message" : "message";
    const body: Record<string, unknown> = { __type: errorType(model, error.code, incoming.wire) };
    if (error.message) body[messageKey] = error.message;
    if (Object.keys(error.fields).length > 0) {
      const extra = shape
        ? (encodeValue(model, { shape: error.code }, error.fields, leaves) as Record<string, unknown>)
        : plainFields(error.fields);
      for (const [k, v] of Object.entries(extra)) if (k !== "message" && k !== "Message" && k !== "__type") body[k] = v;
    }
    const headers: Record<string, string> = { ...error.headers, "x-amzn-ErrorType": error.code };
    if (model.metadata.awsQueryCompatible) {
      headers["x-amzn-query-error"] = `${error.queryCode ?? queryErrorCode(model, error.code)};${error.fault}`;
    }
    return respond(incoming, error.status, body, headers);
  },
};
