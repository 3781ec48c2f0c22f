/**
 * The Smithy RPC v2 CBOR codec (CloudWatch's default protocol for current SDKs and botocore).
 *
 * Request: `POST {prefix}/service/{ServiceName}/operation/{Operation}` with
 * `smithy-protocol: rpc-v2-cbor` and a CBOR map of the input shape (blobs as byte strings,
 * timestamps as tag 1 epoch seconds); a body compressed per the operation's
 * `requestcompression` trait (`Content-Encoding: gzip`) arrives inflated (the gateway's
 * `IncomingRequest.bytes()` does it for every protocol). Response: the output
 * shape as CBOR with `smithy-protocol: rpc-v2-cbor` and `content-type: application/cbor`.
 * Errors: a CBOR map `{ "__type": "<namespace>#<Code>", "message": ... }` plus the error shape's
 * members, and for awsQueryCompatible services `x-amzn-query-error: <query code>;<fault>`.
 *
 * Source: https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2.html,
 * botocore `parsers.py` (RpcV2CBORParser) and `serialize.py` (RpcV2CBORSerializer).
 */
import { Decoder, Encoder } from "cbor-x";
import type { Codec, IncomingRequest, ParsedOperation } from "./codec.ts";
import { HTTP_HEADERS, HTTP_STATUS } from "./codec.ts";
import { AwsError } from "./errors.ts";
import type { OperationModel, ServiceModel } from "./model.ts";
import { decodeValue, encodeValue, ShapeTypeError, type LeafCodec } from "./shape-values.ts";
import { toDate } from "./timestamps.ts";
import { queryErrorCode } from "./json.ts";

const decoder = new Decoder({ mapsAsObjects: true, useRecords: false });
// Byte strings untagged (cbor-x tags typed arrays by default), no record extension.
const encoder = new Encoder({ useRecords: false, tagUint8Array: false, mapsAsObjects: true });

const leaves: LeafCodec = {
  protocol: "smithy-rpc-v2-cbor",
  decodeBlob: (node) => (node instanceof Uint8Array ? node : null),
  encodeBlob: (bytes) => bytes,
  // cbor-x writes a Date as tag 1 (epoch seconds), as Smithy requires.
  encodeTimestamp: (value) => toDate(value),
};

/** The `__type` namespace: Smithy's `com.amazonaws.<service>` for the model's service id. */
function errorType(model: ServiceModel, code: string): string {
  const service = model.metadata.serviceId.replace(/\s+/g, "").toLowerCase();
  // Errors of no known service (an unknown one) are the framework's.
  return service ? `com.amazonaws.${service}#${code}` : `com.amazon.coral.service#${code}`;
}

function serializationError(message = ""): AwsError {
  return new AwsError("SerializationException", message, 400);
}

function operationOf(incoming: IncomingRequest): OperationModel {
  const m = /\/service\/([^/]+)\/operation\/([^/?]+)$/.exec(incoming.path);
  const service = incoming.model.metadata.targetPrefix;
  if (!m || incoming.method !== "POST" || (service && m[1] !== service) || !Object.hasOwn(incoming.model.operations, m[2]!)) {
    throw new AwsError("UnknownOperationException", "", 404);
  }
  return incoming.model.operations[m[2]!]!;
}

function respond(incoming: IncomingRequest, status: number, body: Uint8Array | null, headers: Record<string, string>): Response {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) out[k.toLowerCase()] = v;
  out["smithy-protocol"] = "rpc-v2-cbor";
  out["x-amzn-requestid"] = incoming.requestId;
  if (body) out["content-type"] = "application/cbor";
  return new Response(body as BodyInit | null, { status, headers: out });
}

function isPlainMap(node: unknown): node is Record<string, unknown> {
  return typeof node === "object" && node !== null && !Array.isArray(node) && !(node instanceof Uint8Array) && !(node instanceof Date);
}

export const cborCodec: Codec = {
  protocol: "smithy-rpc-v2-cbor",

  async parse(incoming: IncomingRequest): Promise<ParsedOperation> {
    const operation = operationOf(incoming);
    const bytes = await incoming.bytes();
    let document: unknown = {};
    if (bytes.byteLength > 0) {
      try {
        document = decoder.decode(bytes);
      } catch {
        throw serializationError("Malformed CBOR body.");
      }
    }
    if (!operation.input) return { operation, input: {} };
    if (document === null || document === undefined) document = {};
    if (!isPlainMap(document)) throw serializationError("The request body must be a CBOR map.");
    try {
      return { operation, input: decodeValue(incoming.model, operation.input, document, leaves) as Record<string, unknown> };
    } catch (error) {
      if (error instanceof ShapeTypeError) throw serializationError(`${error.found} can not be converted to ${error.expected}`);
      throw error;
    }
  },

  serialize(incoming: IncomingRequest, operation: OperationModel, output: unknown): Response {
    const source = (output ?? {}) as Record<string | symbol, unknown>;
    const body = operation.output ? (encodeValue(incoming.model, operation.output, source, leaves) ?? {}) : {};
    const status = (source[HTTP_STATUS] as number | undefined) ?? 200;
    const headers = (source[HTTP_HEADERS] as Record<string, string> | undefined) ?? {};
    return respond(incoming, status, encoder.encode(body), headers);
  },

  serializeError(incoming: IncomingRequest, _operation: OperationModel | undefined, error: AwsError): Response {
    const { model } = incoming;
    const shape = model.shapes[error.code]?.exception ? model.shapes[error.code] : undefined;
    const body: Record<string, unknown> = { __type: errorType(model, error.code) };
    if (error.message) body.message = error.message;
    if (shape && Object.keys(error.fields).length > 0) {
      const extra = encodeValue(model, { shape: error.code }, error.fields, leaves) as Record<string, unknown>;
      for (const [k, v] of Object.entries(extra)) if (k !== "message" && k !== "__type") body[k] = v;
    }
    const headers: Record<string, string> = { ...error.headers };
    if (model.metadata.awsQueryCompatible) {
      headers["x-amzn-query-error"] = `${error.queryCode ?? queryErrorCode(model, error.code)};${error.fault}`;
    }
    return respond(incoming, error.status, encoder.encode(body), headers);
  },
};
