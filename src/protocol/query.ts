/**
 * awsQuery: `Action=…&Version=…` form bodies (or query strings on GET) in, XML out.
 *
 *   <{Op}Response xmlns="{xmlNamespace}"><{Op}Result>…</{Op}Result>
 *     <ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></{Op}Response>
 *   <ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error>
 *     <RequestId>…</RequestId></ErrorResponse>
 *
 * Input keys: members by `locationName`, nested structures with dots, lists `Name.member.N`
 * (flattened: `Name.N`, renamed by the list member's locationName), maps `Name.entry.N.key/value`
 * (flattened: `Name.N.key/value`, key/value renamed by their locationName).
 *
 * SQS's model is JSON-only now; old clients (AWS CLI v2 2.9) still speak query. Its model keeps
 * the old query traits under `legacyQuery`, which this codec overlays on the current shapes.
 *
 * Source: https://smithy.io/2.0/aws/protocols/aws-query-protocol.html; botocore
 * `serialize.py` (QuerySerializer) and `parsers.py` (QueryParser).
 */
import type { Codec, IncomingRequest, ParsedOperation } from "./codec.ts";
import { HTTP_HEADERS, HTTP_STATUS } from "./codec.ts";
import { AwsError } from "./errors.ts";
import type { OperationModel, ServiceModel, Shape, ShapeRef } from "./model.ts";
import { findErrorShape } from "./error-shapes.ts";
import { escapeXmlText, serializeElement, serializeMembers } from "./xml.ts";
import { decodeText, ShapeTextError } from "./shape-values.ts";

// ---------------------------------------------------------------------------------------------
// Legacy query model (SQS)

const queryModels = new WeakMap<ServiceModel, ServiceModel>();

/**
 * The model as the query protocol sees it: for a service with `legacyQuery`, its shapes overlaid
 * on the current ones (structure members merged, so members added since stay reachable) and its
 * namespace; otherwise the model itself.
 */
export function queryModelOf(model: ServiceModel): ServiceModel {
  const legacy = model.legacyQuery;
  if (!legacy) return model;
  let merged = queryModels.get(model);
  if (merged) return merged;
  const shapes: Record<string, Shape> = { ...model.shapes };
  for (const [name, shape] of Object.entries(legacy.shapes)) {
    const current = model.shapes[name];
    shapes[name] = current?.type === "structure" && shape.type === "structure"
      ? { ...current, ...shape, members: { ...current.members, ...shape.members } }
      : shape;
  }
  const operations: Record<string, OperationModel> = {};
  for (const [name, op] of Object.entries(model.operations)) {
    const old = legacy.operations[name];
    operations[name] = old && "output" in old ? { ...op, output: old.output } : op;
  }
  merged = {
    ...model,
    metadata: { ...model.metadata, xmlNamespace: legacy.metadata.xmlNamespace ?? model.metadata.xmlNamespace },
    operations,
    shapes,
  };
  queryModels.set(model, merged);
  return merged;
}

// ---------------------------------------------------------------------------------------------
// Parsing

interface ParamNode {
  value?: string;
  children: Map<string, ParamNode>;
}

function buildTree(params: URLSearchParams): ParamNode {
  const root: ParamNode = { children: new Map() };
  for (const [key, value] of params) {
    let node = root;
    for (const segment of key.split(".")) {
      let child = node.children.get(segment);
      if (!child) node.children.set(segment, (child = { children: new Map() }));
      node = child;
    }
    if (node.value === undefined) node.value = value;
  }
  return root;
}

/** Children `1..N` in numeric order (gaps are skipped, as AWS does). */
function numbered(node: ParamNode | undefined): ParamNode[] {
  if (!node) return [];
  return [...node.children.entries()]
    .filter(([k]) => /^[1-9]\d*$/.test(k))
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([, n]) => n);
}

function isFlattened(ref: ShapeRef, shape: Shape): boolean {
  return Boolean(ref.flattened || shape.flattened);
}

function invalidValue(path: string, value: string): AwsError {
  return new AwsError("InvalidParameterValue", `Value (${value}) for parameter ${path} is invalid.`, 400);
}

function decodeParam(model: ServiceModel, ref: ShapeRef, node: ParamNode, path: string): unknown {
  const shape = model.shapes[ref.shape];
  if (!shape) throw new Error(`model ${model.metadata.serviceId}: no shape ${ref.shape}`);
  switch (shape.type) {
    case "structure": {
      const out: Record<string, unknown> = {};
      for (const [name, memberRef] of Object.entries(shape.members ?? {})) {
        const memberShape = model.shapes[memberRef.shape]!;
        // botocore names a member by its ref's locationName, else its shape's (SQS TagMap: `Tag`).
        let key = memberRef.locationName ?? memberShape.locationName ?? name;
        if (memberShape.type === "list" && isFlattened(memberRef, memberShape) && memberShape.member?.locationName) {
          key = memberShape.member.locationName;
        }
        const child = node.children.get(key);
        if (!child) continue;
        const value = decodeParam(model, memberRef, child, path ? `${path}.${key}` : key);
        if (value !== undefined) out[name] = value;
      }
      return out;
    }
    case "list": {
      if (node.children.size === 0 && node.value === "") return [];
      const items = isFlattened(ref, shape) ? node : node.children.get(shape.member!.locationName ?? "member");
      return numbered(items).map((item, i) => decodeParam(model, shape.member!, item, `${path}.${i + 1}`));
    }
    case "map": {
      const entries = isFlattened(ref, shape) ? node : node.children.get("entry");
      const keyName = shape.key!.locationName ?? "key";
      const valueName = shape.value!.locationName ?? "value";
      const out: Record<string, unknown> = {};
      numbered(entries).forEach((entry, i) => {
        const key = entry.children.get(keyName)?.value;
        const value = entry.children.get(valueName);
        if (key === undefined) return;
        out[key] = value ? decodeParam(model, shape.value!, value, `${path}.${i + 1}.${valueName}`) : undefined;
      });
      return out;
    }
    default: {
      if (node.value === undefined) return undefined;
      try {
        return decodeText("query", ref, shape, node.value);
      } catch (e) {
        if (e instanceof ShapeTextError) throw invalidValue(path, node.value);
        throw e;
      }
    }
  }
}

/** Decodes flat query parameters into the input shape (member names of the model). */
export function decodeQueryInput(model: ServiceModel, ref: ShapeRef | undefined, params: URLSearchParams): Record<string, unknown> {
  if (!ref) return {};
  return decodeParam(queryModelOf(model), ref, buildTree(params), "") as Record<string, unknown>;
}

async function readParams(incoming: IncomingRequest): Promise<URLSearchParams> {
  const params = new URLSearchParams(incoming.url.search);
  if (incoming.method !== "GET" && incoming.method !== "HEAD") {
    const type = (incoming.headers.get("content-type") ?? "").toLowerCase();
    if (type === "" || type.startsWith("application/x-www-form-urlencoded")) {
      const text = await incoming.text();
      for (const [k, v] of new URLSearchParams(text)) params.append(k, v);
    }
  }
  return params;
}

// ---------------------------------------------------------------------------------------------
// Responses

function requestIdHeaders(incoming: IncomingRequest, extra?: Record<string, string>): Headers {
  const headers = new Headers({ "content-type": "text/xml", "x-amzn-RequestId": incoming.requestId });
  for (const [k, v] of Object.entries(extra ?? {})) headers.set(k, v);
  return headers;
}

function xmlnsAttr(model: ServiceModel): string {
  const ns = model.metadata.xmlNamespace;
  return ns ? ` xmlns="${escapeXmlText(ns)}"` : "";
}

/** The `<{Op}Response>` document for a handler's output. */
export function queryResponseXml(model: ServiceModel, operation: OperationModel, output: unknown, requestId: string): string {
  const qm = queryModelOf(model);
  const op = qm.operations[operation.name] ?? operation;
  const name = operation.name;
  let result = "";
  if (op.output) {
    const shape = qm.shapes[op.output.shape]!;
    const members = serializeMembers(qm, "query", shape, (output ?? {}) as Record<string, unknown>);
    const wrapper = op.output.resultWrapper;
    result = wrapper ? `<${wrapper}>${members}</${wrapper}>` : members;
  }
  return `<${name}Response${xmlnsAttr(qm)}>${result}<ResponseMetadata><RequestId>${escapeXmlText(requestId)}</RequestId></ResponseMetadata></${name}Response>`;
}

/** The `<ErrorResponse>` document for an error. */
export function queryErrorXml(model: ServiceModel, error: AwsError, requestId: string): string {
  const qm = queryModelOf(model);
  const found = findErrorShape(model, error.code);
  const code = error.queryCode ?? found?.queryCode ?? error.code;
  let extra = "";
  for (const [field, value] of Object.entries(error.fields)) {
    if (value === undefined || value === null || /^message$/i.test(field)) continue;
    const ref = found?.shape.members?.[field];
    extra += ref ? serializeElement(qm, "query", ref.locationName ?? field, ref, value) : `<${field}>${escapeXmlText(String(value))}</${field}>`;
  }
  return `<ErrorResponse${xmlnsAttr(qm)}><Error><Type>${error.fault}</Type><Code>${escapeXmlText(code)}</Code>` +
    `<Message>${escapeXmlText(error.message)}</Message>${extra}</Error><RequestId>${escapeXmlText(requestId)}</RequestId></ErrorResponse>`;
}

export const queryCodec: Codec = {
  protocol: "query",

  async parse(incoming: IncomingRequest): Promise<ParsedOperation> {
    const params = await readParams(incoming);
    const action = params.get("Action");
    if (!action) throw new AwsError("MissingAction", "Could not find operation: the Action parameter is missing.", 400);
    const operation = Object.hasOwn(incoming.model.operations, action) ? incoming.model.operations[action] : undefined;
    if (!operation) throw new AwsError("InvalidAction", `The action ${action} is not valid for this web service.`, 400);
    return { operation, input: decodeQueryInput(incoming.model, operation.input, params) };
  },

  serialize(incoming: IncomingRequest, operation: OperationModel, output: unknown): Response {
    const extras = (output ?? {}) as { [HTTP_STATUS]?: number; [HTTP_HEADERS]?: Record<string, string> };
    const body = queryResponseXml(incoming.model, operation, output, incoming.requestId);
    return new Response(utf8(body), { status: extras[HTTP_STATUS] ?? 200, headers: requestIdHeaders(incoming, extras[HTTP_HEADERS]) });
  },

  serializeError(incoming: IncomingRequest, _operation: OperationModel | undefined, error: AwsError): Response {
    const found = findErrorShape(incoming.model, error.code);
    const status = found?.httpStatus ?? error.status;
    const body = queryErrorXml(incoming.model, error, incoming.requestId);
    return new Response(incoming.method === "HEAD" ? null : utf8(body), { status, headers: requestIdHeaders(incoming, error.headers) });
  },
};

const encoder = new TextEncoder();
/** Bodies go out as bytes: Node's adapters send a byte body much faster than a string one. */
function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}
