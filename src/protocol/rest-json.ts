/**
 * restJson1 (Lambda): HTTP bindings from `rest.ts`, JSON bodies by the shared shape walk
 * (`shape-values.ts`: blobs base64, timestamps epoch seconds unless the member says otherwise).
 *
 * Errors: status from the error shape's `httpStatusCode` (else the AwsError's), header
 * `x-amzn-ErrorType: <Code>`, body `{"Type": "User"|"Service", "message": "..."}` for services
 * whose error shapes carry `Type` (Lambda), `{"message": "..."}` otherwise, plus the shape's
 * other members. Clients read the code from the header (botocore RestJSONParser, the JS SDK's
 * `loadRestJsonErrorCode`). A request no route matches gets 404 `UnknownOperationException`.
 *
 * Source: https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html;
 * https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html
 */
import type { Codec, IncomingRequest, ParsedOperation } from "./codec.ts";
import { AwsError } from "./errors.ts";
import type { OperationModel, ServiceModel, Shape } from "./model.ts";
import { findErrorShape } from "./error-shapes.ts";
import { BindingValueError, bodyless, bodyMembers, HeaderBag, matchRoute, readBindings, serializeRest, writeBindings, type RestBodyWriter } from "./rest.ts";
import { decodeValue, encodeValue, jsonLeaves, ShapeTypeError } from "./shape-values.ts";
import { bytesToBase64 } from "../encoding/base64.ts";

const leaves = jsonLeaves("rest-json");

function serializationError(model: ServiceModel, detail: string): AwsError {
  // Lambda names its body errors; other restJson1 services answer Coral's SerializationException.
  if (model.shapes.InvalidRequestContentException?.exception) {
    return new AwsError("InvalidRequestContentException", `Could not parse request body into json: ${detail}`, 400);
  }
  return new AwsError("SerializationException", detail, 400);
}

function decodeJson(model: ServiceModel, shapeName: string, document: unknown): Record<string, unknown> {
  try {
    return (decodeValue(model, { shape: shapeName }, document, leaves) ?? {}) as Record<string, unknown>;
  } catch (e) {
    if (e instanceof ShapeTypeError) throw serializationError(model, e.message);
    throw e;
  }
}

async function readJson(incoming: IncomingRequest): Promise<unknown> {
  const text = await incoming.text();
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (e) {
    throw serializationError(incoming.model, e instanceof Error ? e.message : "malformed JSON");
  }
}

/** Only the members that travel in the body, for the shape walk. */
function bodyOnly(shape: Shape, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name] of bodyMembers(shape)) if (value[name] !== undefined && value[name] !== null) out[name] = value[name];
  return out;
}

function jsonBody(value: unknown): BodyInit {
  return new TextEncoder().encode(JSON.stringify(value)) as BodyInit;
}

/** JSON documents for `serializeRest`: payload structures and body members by the shape walk. */
const JSON_BODIES: RestBodyWriter = {
  contentType: "application/json",
  payload: (model, ref, _shape, value) => JSON.stringify(encodeValue(model, ref, value, leaves) ?? {}),
  members: (model, ref, shape, output) => JSON.stringify(encodeValue(model, ref, bodyOnly(shape, output), leaves) ?? {}),
};

export const restJsonCodec: Codec = {
  protocol: "rest-json",

  async parse(incoming: IncomingRequest): Promise<ParsedOperation> {
    const { model } = incoming;
    const query = incoming.url.searchParams;
    const match = matchRoute(model, incoming.method, incoming.path, query, incoming.headers);
    if (!match) {
      throw incoming.wire.unmatchedRouteError?.(incoming.method, incoming.path) ??
        new AwsError("UnknownOperationException", `No operation matches ${incoming.method} ${incoming.path}.`, 404);
    }
    const { operation } = match;
    if (!operation.input) return { operation, input: {} };
    const inputShape = model.shapes[operation.input.shape]!;
    let input: Record<string, unknown>;
    try {
      input = readBindings(model, "rest-json", inputShape, match.labels, query, incoming.headers);
    } catch (e) {
      if (e instanceof BindingValueError) throw incoming.wire.bindingError?.(e.wireName, e.value) ?? new AwsError("SerializationException", e.message, 400);
      throw e;
    }
    const payloadName = inputShape.payload;
    if (payloadName) {
      const ref = inputShape.members![payloadName]!;
      const shape = model.shapes[ref.shape]!;
      if (shape.type === "blob") {
        if (ref.streaming || shape.streaming) input[payloadName] = incoming.stream() ?? new Uint8Array(0);
        else {
          const bytes = await incoming.bytes();
          if (bytes.byteLength > 0) input[payloadName] = bytes;
        }
      } else if (shape.type === "string") {
        const text = await incoming.text();
        if (text !== "") input[payloadName] = text;
      } else {
        const document = await readJson(incoming);
        if (document !== undefined && document !== null) input[payloadName] = decodeJson(model, ref.shape, document);
      }
    } else if (bodyMembers(inputShape).length > 0) {
      const document = await readJson(incoming);
      if (document !== undefined && document !== null) {
        if (typeof document !== "object" || Array.isArray(document)) throw serializationError(model, "the body is not a JSON object");
        const decoded = decodeJson(model, operation.input.shape, document);
        for (const [name] of bodyMembers(inputShape)) if (decoded[name] !== undefined) input[name] = decoded[name];
      }
    }
    return { operation, input };
  },

  serialize(incoming: IncomingRequest, operation: OperationModel, output: unknown): Response {
    return serializeRest(incoming, "rest-json", operation, output, new HeaderBag({ "x-amzn-RequestId": incoming.requestId }), JSON_BODIES);
  },

  serializeError(incoming: IncomingRequest, _operation: OperationModel | undefined, error: AwsError): Response {
    const { model } = incoming;
    const found = findErrorShape(model, error.code);
    const status = found?.httpStatus ?? error.status;
    const members = found?.shape.members ?? {};
    const body: Record<string, unknown> = {};
    if ("Type" in members) body.Type = error.fault === "Sender" ? "User" : "Service";
    body.message = error.message;
    const headers = new HeaderBag(error.headers);
    if (Object.keys(error.fields).length > 0) {
      if (found) writeBindings(model, "rest-json", found.shape, error.fields, headers);
      const extra = found
        ? ((encodeValue(model, { shape: found.name }, bodyOnly(found.shape, error.fields), leaves) ?? {}) as Record<string, unknown>)
        : (JSON.parse(JSON.stringify(error.fields, (_k, v) => (v instanceof Uint8Array ? bytesToBase64(v) : v))) as Record<string, unknown>);
      for (const [k, v] of Object.entries(extra)) if (!/^message$/i.test(k)) body[k] = v;
    }
    headers.set("x-amzn-RequestId", incoming.requestId);
    headers.set("x-amzn-ErrorType", error.code);
    headers.set("content-type", "application/json");
    return new Response(bodyless(incoming.method, status) ? null : jsonBody(body), { status, headers: headers.record });
  },
};

