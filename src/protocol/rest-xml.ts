/**
 * restXml (S3; CloudFront and Route 53 later): HTTP bindings from `rest.ts`, XML bodies from
 * `xml.ts`.
 *
 * Responses: the payload member (raw blob or string, streams passed through, or a structure as
 * XML), else the body members inside a root element named as AWS names it (S3's
 * `ListBucketResult` etc.: `WireOptions.xmlRootNames`, from the Smithy model's `xmlName`, which
 * botocore's model lacks). Errors: `<Error><Code/><Message/>…<RequestId/><HostId/></Error>` for
 * services whose `WireOptions.xmlErrorRoot` is `"Error"` (S3), else
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`.
 * HEAD requests and 204/304 responses have no body.
 *
 * Source: https://smithy.io/2.0/aws/protocols/aws-restxml-protocol.html;
 * https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
import type { Codec, IncomingRequest, ParsedOperation, WireOptions } from "./codec.ts";
import { AwsError } from "./errors.ts";
import type { OperationModel, ServiceModel, Shape, ShapeRef } from "./model.ts";
import { findErrorShape } from "./error-shapes.ts";
import { BindingValueError, bodyless, bodyMembers, HeaderBag, matchRoute, readBindings, serializeRest, type RestBodyWriter } from "./rest.ts";
import { decodeXml, escapeXmlText, parseXml, scalarText, serializeElement, serializeRoot, XmlSyntaxError } from "./xml.ts";
import { ShapeTextError } from "./shape-values.ts";
import { bytesToBase64 } from "../encoding/base64.ts";

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';
/** The `xmlns` of response bodies: the model's, else the one the service declares. */
function defaultNamespace(model: ServiceModel, wire: WireOptions): string | undefined {
  return model.metadata.xmlNamespace ?? wire.xmlNamespace;
}

/** A header or query value of the wrong type: the service's error, else InvalidParameterValue. */
function bindingError(incoming: IncomingRequest, e: BindingValueError): AwsError {
  return incoming.wire.bindingError?.(e.wireName, e.value) ?? new AwsError("InvalidParameterValue", `Invalid value '${e.value}' for ${e.wireName}.`, 400);
}

function malformedXml(): AwsError {
  return new AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
}

/** An element name without its namespace prefix (`s3:Tagging` → `Tagging`). */
function localName(name: string): string {
  return name.slice(name.indexOf(":") + 1);
}

async function readXmlBody(incoming: IncomingRequest) {
  const text = await incoming.text();
  if (text.trim() === "") return undefined;
  try {
    return parseXml(text);
  } catch (e) {
    if (e instanceof XmlSyntaxError) throw malformedXml();
    throw e;
  }
}

function decodeBody(model: ServiceModel, ref: ShapeRef, el: ReturnType<typeof parseXml>): unknown {
  try {
    return decodeXml(model, "rest-xml", ref, el);
  } catch (e) {
    if (e instanceof ShapeTextError) throw malformedXml();
    throw e;
  }
}

function requestHeaders(incoming: IncomingRequest): HeaderBag {
  const headers = new HeaderBag();
  headers.record["x-amz-request-id"] = incoming.requestId;
  headers.record["x-amz-id-2"] = hostId(incoming.requestId);
  return headers;
}

/** S3's extended request id (opaque base64 text); derived from the request id so logs agree. */
function hostId(requestId: string): string {
  const text = `fetchstack/${requestId}/${requestId}`;
  // Request ids are ASCII (UUIDs), whose UTF-8 bytes are their char codes: `btoa` takes them as they are.
  return /^[\x00-\x7f]*$/.test(text) ? btoa(text) : bytesToBase64(new TextEncoder().encode(text));
}

function rootNameOf(wire: WireOptions, shapeName: string, shape: Shape): string {
  return wire.xmlRootNames?.[shapeName] ?? shape.locationName ?? shapeName;
}

/** XML documents for `serializeRest`: a root element named as AWS names it, in its namespace. */
const XML_BODIES: RestBodyWriter = {
  contentType: "application/xml",
  payload(model, ref, shape, value, wire) {
    if (shape.type !== "structure") return null;
    const root = ref.locationName ?? rootNameOf(wire, ref.shape, shape);
    return XML_DECLARATION + serializeRoot(model, "rest-xml", root, shape, value as Record<string, unknown>, ref.xmlNamespace ?? shape.xmlNamespace ?? defaultNamespace(model, wire));
  },
  members(model, ref, shape, output, wire) {
    const root = rootNameOf(wire, ref.shape, shape);
    const members = bodyMembers(shape);
    const ns = shape.xmlNamespace ?? defaultNamespace(model, wire);
    if (members.length === 1 && members[0]![0] === root) {
      // A root that is its only member's text: S3 GetBucketLocation.
      const [, memberRef] = members[0]!;
      const v = output[root];
      const text = v === undefined || v === null ? "" : escapeXmlText(scalarText("rest-xml", memberRef, model.shapes[memberRef.shape]!, v));
      return `${XML_DECLARATION}<${root}${ns ? ` xmlns="${ns}"` : ""}>${text}</${root}>`;
    }
    return XML_DECLARATION + serializeRoot(model, "rest-xml", root, shape, output, ns);
  },
};

export const restXmlCodec: Codec = {
  protocol: "rest-xml",

  async parse(incoming: IncomingRequest): Promise<ParsedOperation> {
    const { model } = incoming;
    const query = incoming.url.searchParams;
    const match = matchRoute(model, incoming.method, incoming.path, query, incoming.headers);
    if (!match) {
      throw incoming.wire.unmatchedRouteError?.(incoming.method, incoming.path) ??
        new AwsError("UnknownOperationException", `No operation matches ${incoming.method} ${incoming.path}`, 404);
    }
    const { operation } = match;
    if (!operation.input) return { operation, input: {} };
    const inputShape = model.shapes[operation.input.shape]!;
    let input: Record<string, unknown>;
    try {
      input = readBindings(model, "rest-xml", inputShape, match.labels, query, incoming.headers);
    } catch (e) {
      if (e instanceof BindingValueError) throw bindingError(incoming, e);
      throw e;
    }
    const payloadName = inputShape.payload;
    if (payloadName) {
      const ref = inputShape.members![payloadName]!;
      const shape = model.shapes[ref.shape]!;
      if (shape.type === "blob") {
        if (ref.streaming || shape.streaming) input[payloadName] = incoming.stream() ?? new Uint8Array(0);
        else input[payloadName] = await incoming.bytes();
      } else if (shape.type === "string") {
        const text = await incoming.text();
        if (text !== "") input[payloadName] = text;
      } else {
        const root = await readXmlBody(incoming);
        // A document under another root element (`<Wrong><TagSet/></Wrong>` for PutBucketTagging)
        // does not validate against the schema: S3 answers MalformedXML, not a silent success.
        if (root && ref.locationName && localName(root.name) !== ref.locationName) throw malformedXml();
        if (root) input[payloadName] = decodeBody(model, ref, root);
      }
    } else if (bodyMembers(inputShape).length > 0) {
      const root = await readXmlBody(incoming);
      if (root) Object.assign(input, decodeBody(model, operation.input, root));
    }
    return { operation, input };
  },

  serialize(incoming: IncomingRequest, operation: OperationModel, output: unknown): Response {
    return serializeRest(incoming, "rest-xml", operation, output, requestHeaders(incoming), XML_BODIES);
  },

  serializeError(incoming: IncomingRequest, _operation: OperationModel | undefined, error: AwsError): Response {
    const { model } = incoming;
    const found = findErrorShape(model, error.code);
    const status = found?.httpStatus ?? error.status;
    const headers = requestHeaders(incoming);
    for (const [k, v] of Object.entries(error.headers)) headers.set(k, v);
    let extra = "";
    for (const [field, value] of Object.entries(error.fields)) {
      if (value === undefined || value === null || /^message$/i.test(field)) continue;
      const ref = found?.shape.members?.[field];
      extra += ref ? serializeElement(model, "rest-xml", ref.locationName ?? field, ref, value) : `<${field}>${escapeXmlText(String(value))}</${field}>`;
    }
    const code = escapeXmlText(error.code);
    const message = escapeXmlText(error.message);
    const requestId = escapeXmlText(incoming.requestId);
    let body: string;
    if (incoming.wire.xmlErrorRoot === "Error") {
      body = `${XML_DECLARATION}<Error><Code>${code}</Code><Message>${message}</Message>${extra}<RequestId>${requestId}</RequestId><HostId>${hostId(incoming.requestId)}</HostId></Error>`;
    } else {
      const ns = defaultNamespace(model, incoming.wire);
      body = `${XML_DECLARATION}<ErrorResponse${ns ? ` xmlns="${ns}"` : ""}><Error><Type>${error.fault}</Type><Code>${code}</Code><Message>${message}</Message>${extra}</Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
    }
    headers.set("content-type", "application/xml");
    return new Response(bodyless(incoming.method, status) ? null : body, { status, headers: headers.record });
  },
};

