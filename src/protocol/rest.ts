/**
 * HTTP bindings shared by restXml and restJson1: operation lookup by method + `requestUri`, and
 * members bound to the URI, query string, headers and status code.
 *
 * Routing: `{Label}` matches one path segment, `{Label+}` the rest of the path (at least one
 * character); query literals in the requestUri (`?uploads`, `?list-type=2`) must be present
 * (`x-id` is the JS SDK's hint and ignored). Among matches, the most specific wins: more literal
 * path segments, then more query literals, then more required query/header members present
 * (S3's PutObject vs UploadPart vs CopyObject share `PUT /{Bucket}/{Key+}`), then not
 * deprecated, then model order. An operation whose required query/header member is absent does
 * not match.
 *
 * Source: https://smithy.io/2.0/spec/http-bindings.html; botocore `serialize.py`
 * (BaseRestSerializer) and `parsers.py` (BaseRestParser).
 */
import { HTTP_HEADERS, HTTP_STATUS, type OutputExtras, type WireOptions } from "./codec.ts";
import type { OperationModel, ProtocolId, ServiceModel, Shape, ShapeRef } from "./model.ts";
import { formatTimestamp, timestampFormatFor, type TimestampValue } from "./timestamps.ts";
import { scalarText } from "./xml.ts";
import { decodeText, ShapeTextError } from "./shape-values.ts";
import { base64ToBytes, bytesToBase64 } from "../encoding/base64.ts";

// ---------------------------------------------------------------------------------------------
// Routing

interface Route {
  operation: OperationModel;
  pattern: RegExp;
  labels: string[];
  literalSegments: number;
  queryLiterals: [string, string | undefined][];
  requiredQuery: string[];
  requiredHeaders: string[];
  order: number;
}

const routeCache = new WeakMap<ServiceModel, Route[]>();

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function compileRoute(model: ServiceModel, operation: OperationModel, order: number): Route {
  const [pathPart, queryPart = ""] = operation.http.requestUri.split("?", 2) as [string, string?];
  const labels: string[] = [];
  let literalSegments = 0;
  const segments = pathPart.split("/").filter((s) => s !== "");
  const source = segments.map((segment) => {
    return segment.replace(/\{([^}]+)\}|([^{]+)/g, (_, label: string | undefined, literal: string | undefined) => {
      if (literal !== undefined) {
        literalSegments++;
        return escapeRegExp(literal);
      }
      const greedy = label!.endsWith("+");
      labels.push(greedy ? label!.slice(0, -1) : label!);
      return greedy ? "(.+)" : "([^/]+)";
    });
  });
  const pattern = new RegExp(`^/${source.join("/")}/?$`);
  const queryLiterals: [string, string | undefined][] = [];
  for (const part of queryPart.split("&")) {
    if (!part) continue;
    const eq = part.indexOf("=");
    const key = decodeURIComponent(eq === -1 ? part : part.slice(0, eq));
    if (key === "x-id") continue;
    queryLiterals.push([key, eq === -1 ? undefined : decodeURIComponent(part.slice(eq + 1))]);
  }
  const requiredQuery: string[] = [];
  const requiredHeaders: string[] = [];
  const input = operation.input ? model.shapes[operation.input.shape] : undefined;
  for (const name of input?.required ?? []) {
    const ref = input!.members?.[name];
    if (ref?.location === "querystring" && ref.locationName) requiredQuery.push(ref.locationName);
    if (ref?.location === "header" && ref.locationName) requiredHeaders.push(ref.locationName);
  }
  return { operation, pattern, labels, literalSegments, queryLiterals, requiredQuery, requiredHeaders, order };
}

function routesOf(model: ServiceModel): Route[] {
  let routes = routeCache.get(model);
  if (!routes) {
    routes = Object.values(model.operations).map((op, i) => compileRoute(model, op, i));
    routeCache.set(model, routes);
  }
  return routes;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export interface RouteMatch {
  operation: OperationModel;
  /** Decoded URI label values by label name. */
  labels: Record<string, string>;
}

const routesByMethod = new WeakMap<ServiceModel, Map<string, Route[]>>();

/** How specific a route is: more literal segments, query literals, required members; not deprecated; earlier in the model. */
function routeScore(route: Route): number[] {
  return [
    route.literalSegments,
    route.queryLiterals.length,
    route.requiredQuery.length + route.requiredHeaders.length,
    route.operation.deprecated ? 0 : 1,
    -route.order,
  ];
}

/** A method's routes, most specific first (scores are distinct: the model order breaks ties). */
function routesFor(model: ServiceModel, method: string): Route[] {
  let byMethod = routesByMethod.get(model);
  if (!byMethod) routesByMethod.set(model, (byMethod = new Map()));
  let routes = byMethod.get(method);
  if (!routes) {
    const scored = routesOf(model).filter((r) => r.operation.http.method === method).map((route) => ({ route, score: routeScore(route) }));
    scored.sort((a, b) => compareScores(b.score, a.score));
    routes = scored.map((s) => s.route);
    byMethod.set(method, routes);
  }
  return routes;
}

function conditionsHold(route: Route, query: URLSearchParams, headers: Headers): boolean {
  for (const [k, v] of route.queryLiterals) if (!query.has(k) || (v !== undefined && query.get(k) !== v)) return false;
  for (const k of route.requiredQuery) if (!query.has(k)) return false;
  for (const h of route.requiredHeaders) if (!headers.has(h)) return false;
  return true;
}

/**
 * The operation a REST request addresses, or undefined. `path` is the raw (encoded) path. Of
 * the routes whose method, path, query literals and required query members and headers match,
 * the most specific wins (`routeScore`); routes are tried in that order, so the first match is it.
 */
export function matchRoute(model: ServiceModel, method: string, path: string, query: URLSearchParams, headers: Headers): RouteMatch | undefined {
  const target = path === "" ? "/" : path;
  for (const route of routesFor(model, method.toUpperCase())) {
    if (!conditionsHold(route, query, headers)) continue;
    const m = route.pattern.exec(target);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (let i = 0; i < route.labels.length; i++) labels[route.labels[i]!] = safeDecode(m[i + 1]!);
    return { operation: route.operation, labels };
  }
  return undefined;
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

// ---------------------------------------------------------------------------------------------
// Request bindings

/** A URI, query or header value that does not decode as its member's type. */
export class BindingValueError extends Error {
  constructor(
    readonly member: string,
    readonly wireName: string,
    readonly location: string,
    readonly value: string,
    readonly shapeType: string,
  ) {
    super(`Invalid value '${value}' for ${location} '${wireName}' (expected ${shapeType})`);
    this.name = "BindingValueError";
  }
}

/** Splits a header list value; http-date timestamps contain a comma each, so pairs rejoin. */
function splitHeaderList(value: string, itemShape: Shape, itemRef: ShapeRef, protocol: ProtocolId): string[] {
  const parts = value.split(",").map((s) => s.trim());
  if (itemShape.type === "timestamp" && timestampFormatFor(protocol, "header", itemRef, itemShape) === "rfc822") {
    const out: string[] = [];
    for (let i = 0; i < parts.length; i += 2) out.push(`${parts[i]}, ${parts[i + 1] ?? ""}`.trim());
    return out;
  }
  return parts.map((p) => (p.length >= 2 && p.startsWith('"') && p.endsWith('"') ? p.slice(1, -1).replace(/\\(.)/g, "$1") : p));
}

function decodeBound(protocol: ProtocolId, ref: ShapeRef, shape: Shape, text: string, place: "header" | "querystring" | "uri"): unknown {
  if (shape.type === "string" && ref.jsonvalue && place === "header") {
    const bytes = base64ToBytes(text);
    if (typeof bytes === "string") throw new ShapeTextError("jsonvalue", text);
    try {
      return JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new ShapeTextError("jsonvalue", text);
    }
  }
  return decodeText(protocol, ref, shape, text, place);
}

/**
 * Reads the members bound to URI labels, query string, headers and header prefixes. Throws
 * BindingValueError for a value of the wrong type.
 */
interface Binding {
  name: string;
  ref: ShapeRef;
  shape: Shape;
  wire: string;
  /** Lower-case wire name (header lookups). */
  lower: string;
}

interface BindingPlan {
  bindings: Binding[];
  boundQuery: Set<string>;
  /** Whether a member takes every header with a prefix (`x-amz-meta-`): then all headers are read. */
  headerPrefix: boolean;
}

/** Per input shape: its HTTP-bound members, resolved once (S3 shapes bind dozens of headers). */
const PLANS = new WeakMap<Shape, BindingPlan>();

function planFor(model: ServiceModel, inputShape: Shape): BindingPlan {
  let plan = PLANS.get(inputShape);
  if (plan) return plan;
  plan = { bindings: [], boundQuery: new Set(), headerPrefix: false };
  for (const [name, ref] of Object.entries(inputShape.members ?? {})) {
    if (!ref.location) continue;
    const wire = ref.locationName ?? name;
    if (ref.location === "querystring" && ref.locationName) plan.boundQuery.add(ref.locationName);
    if (ref.location === "headers") plan.headerPrefix = true;
    plan.bindings.push({ name, ref, shape: model.shapes[ref.shape]!, wire, lower: wire.toLowerCase() });
  }
  PLANS.set(inputShape, plan);
  return plan;
}

function decodeMember(protocol: ProtocolId, b: Binding, text: string, place: "header" | "querystring" | "uri", itemRef: ShapeRef = b.ref, itemShape: Shape = b.shape): unknown {
  try {
    return decodeBound(protocol, itemRef, itemShape, text, place);
  } catch (e) {
    if (e instanceof ShapeTextError) throw new BindingValueError(b.name, b.wire, place, text, itemShape.type);
    throw e;
  }
}

export function readBindings(
  model: ServiceModel,
  protocol: ProtocolId,
  inputShape: Shape,
  labels: Record<string, string>,
  query: URLSearchParams,
  headers: Headers,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const { bindings, boundQuery, headerPrefix } = planFor(model, inputShape);
  // With a prefix member, one pass over all headers; otherwise a lookup per bound header (a Node
  // adapter's lazy Headers answers `get` from the parsed message, but builds a full Headers
  // object to iterate).
  let headerMap: Map<string, string> | undefined;
  if (headerPrefix) {
    headerMap = new Map<string, string>();
    headers.forEach((value, key) => headerMap!.set(key, value));
  }
  for (const b of bindings) {
    const { name, ref, shape, wire } = b;
    switch (ref.location) {
      case "uri":
        if (wire in labels) out[name] = decodeMember(protocol, b, labels[wire]!, "uri");
        break;
      case "querystring":
        if (shape.type === "map") {
          // A map bound to the query string takes every parameter no other member binds.
          const map: Record<string, unknown> = {};
          const valueShape = model.shapes[shape.value!.shape]!;
          for (const key of new Set(query.keys())) {
            if (boundQuery.has(key)) continue;
            map[key] = valueShape.type === "list" ? query.getAll(key) : query.get(key);
          }
          if (Object.keys(map).length) out[name] = map;
        } else if (shape.type === "list") {
          if (query.has(wire)) out[name] = query.getAll(wire).map((v) => decodeMember(protocol, b, v, "querystring", shape.member!, model.shapes[shape.member!.shape]!));
        } else if (query.has(wire)) {
          out[name] = decodeMember(protocol, b, query.get(wire)!, "querystring");
        }
        break;
      case "header": {
        const value = headerMap ? headerMap.get(b.lower) : (headers.get(b.lower) ?? undefined);
        if (value === undefined) break;
        if (shape.type === "list") {
          const itemShape = model.shapes[shape.member!.shape]!;
          out[name] = value === "" ? [] : splitHeaderList(value, itemShape, shape.member!, protocol).map((v) => decodeMember(protocol, b, v, "header", shape.member!, itemShape));
        } else {
          out[name] = decodeMember(protocol, b, value, "header");
        }
        break;
      }
      case "headers": {
        const prefix = b.lower;
        const map: Record<string, string> = {};
        headerMap!.forEach((value, key) => {
          if (key.startsWith(prefix)) map[key.slice(prefix.length)] = decodeMimeWord(value);
        });
        if (Object.keys(map).length) out[name] = map;
        break;
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Response bindings

/** RFC 2047 for non-ASCII header values (S3 metadata), since HTTP header values are bytes. */
export function headerSafe(value: string): string {
  if (/^[\x20-\x7e\t]*$/.test(value)) return value;
  return `=?UTF-8?B?${bytesToBase64(new TextEncoder().encode(value))}?=`;
}

function decodeMimeWord(value: string): string {
  const m = /^=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=$/i.exec(value);
  if (!m) return value;
  const bytes = base64ToBytes(m[1]!);
  return typeof bytes === "string" ? value : new TextDecoder().decode(bytes);
}

function headerText(protocol: ProtocolId, ref: ShapeRef, shape: Shape, value: unknown): string {
  if (shape.type === "timestamp") return String(formatTimestamp(value as TimestampValue, timestampFormatFor(protocol, "header", ref, shape)));
  if (shape.type === "string" && ref.jsonvalue) return bytesToBase64(new TextEncoder().encode(typeof value === "string" ? value : JSON.stringify(value)));
  return scalarText(protocol, ref, shape, value, "header");
}

/**
 * Response headers gathered in a plain object (lower-case names): `Headers#set` validates and
 * normalizes on every call, while the Response constructor validates a record once.
 */
export class HeaderBag {
  readonly record: Record<string, string> = {};
  constructor(init?: Record<string, string>) {
    if (init) for (const [k, v] of Object.entries(init)) this.set(k, v);
  }
  set(name: string, value: string): void {
    this.record[name.toLowerCase()] = value;
  }
  has(name: string): boolean {
    return name.toLowerCase() in this.record;
  }
  get(name: string): string | null {
    return this.record[name.toLowerCase()] ?? null;
  }
}

/** Per output shape: its members bound to the status code, headers and header prefixes. */
const OUTPUT_PLANS = new WeakMap<Shape, Binding[]>();

function outputPlan(model: ServiceModel, outputShape: Shape): Binding[] {
  let plan = OUTPUT_PLANS.get(outputShape);
  if (!plan) {
    plan = [];
    for (const [name, ref] of Object.entries(outputShape.members ?? {})) {
      if (ref.location !== "statusCode" && ref.location !== "header" && ref.location !== "headers") continue;
      const wire = ref.locationName ?? name;
      plan.push({ name, ref, shape: model.shapes[ref.shape]!, wire, lower: wire.toLowerCase() });
    }
    OUTPUT_PLANS.set(outputShape, plan);
  }
  return plan;
}

/**
 * Writes the output members bound to headers and header prefixes into `headers`; returns the
 * status code member's value, if set.
 */
export function writeBindings(model: ServiceModel, protocol: ProtocolId, outputShape: Shape, output: Record<string, unknown>, headers: HeaderBag): number | undefined {
  let status: number | undefined;
  for (const { name, ref, shape, wire } of outputPlan(model, outputShape)) {
    const value = output[name];
    if (value === undefined || value === null) continue;
    switch (ref.location) {
      case "statusCode":
        status = Number(value);
        break;
      case "header":
        if (shape.type === "list") {
          const itemShape = model.shapes[shape.member!.shape]!;
          const items = (value as unknown[]).map((v) => {
            const text = headerText(protocol, shape.member!, itemShape, v);
            return itemShape.type === "string" && /[,"]/.test(text) ? `"${text.replace(/(["\\])/g, "\\$1")}"` : text;
          });
          headers.set(wire, headerSafe(items.join(", ")));
        } else {
          headers.set(wire, headerSafe(headerText(protocol, ref, shape, value)));
        }
        break;
      case "headers":
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          if (v !== undefined && v !== null) headers.set(wire + k, headerSafe(String(v)));
        }
        break;
    }
  }
  return status;
}

const BODY_MEMBERS = new WeakMap<Shape, readonly [string, ShapeRef][]>();

/** Members that travel in the body (no HTTP location); computed once per shape. */
export function bodyMembers(shape: Shape): readonly [string, ShapeRef][] {
  let members = BODY_MEMBERS.get(shape);
  if (!members) {
    members = Object.entries(shape.members ?? {}).filter(([, ref]) => !ref.location);
    BODY_MEMBERS.set(shape, members);
  }
  return members;
}

/** True for a ReadableStream (a streaming body handlers may return). */
export function isStream(value: unknown): value is ReadableStream<Uint8Array> {
  return typeof ReadableStream !== "undefined" && value instanceof ReadableStream;
}

/** A blob payload as a Response body: streams pass through unbuffered. */
export function blobBody(value: unknown): BodyInit {
  if (isStream(value)) return value;
  if (value instanceof Uint8Array) return value as BodyInit;
  if (value instanceof ArrayBuffer) return new Uint8Array(value) as BodyInit;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength) as BodyInit;
  if (typeof Blob !== "undefined" && value instanceof Blob) return value;
  return new TextEncoder().encode(String(value)) as BodyInit;
}

/** Statuses and methods that never carry a response body. */
export function bodyless(method: string, status: number): boolean {
  return method === "HEAD" || status === 204 || status === 304 || (status >= 100 && status < 200);
}

// ---------------------------------------------------------------------------------------------
// Responses (restJson1 and restXml share everything but the body document)

/** How one REST protocol writes a body document (JSON or XML). */
export interface RestBodyWriter {
  /** Content type of its documents (set unless a header binding already set one). */
  contentType: string;
  /** The body for a structured payload member (`ref` of shape `shape`), or null for none. `wire`: the service's options. */
  payload(model: ServiceModel, ref: ShapeRef, shape: Shape, value: unknown, wire: WireOptions): string | Uint8Array | null;
  /** The body for the output's body members (`shapeName`, structure `shape`). `wire`: the service's options. */
  members(model: ServiceModel, ref: ShapeRef, shape: Shape, output: Record<string, unknown>, wire: WireOptions): string | Uint8Array;
}

const utf8Encoder = new TextEncoder();

/**
 * A REST response for a handler's output: header and status bindings, then the payload member
 * (blob and string payloads raw, streams passed through; a structure through `writer`) or the
 * body members through `writer`; then the handler's `HTTP_STATUS`/`HTTP_HEADERS` extras; no
 * body where HTTP allows none (a streamed body is cancelled). Bodies go out as bytes: Node's
 * adapters send a byte body much faster than a string one.
 */
export function serializeRest(
  incoming: { method: string; model: ServiceModel; wire: WireOptions },
  protocol: ProtocolId,
  operation: OperationModel,
  output: unknown,
  headers: HeaderBag,
  writer: RestBodyWriter,
): Response {
  const { model } = incoming;
  const out = (output ?? {}) as Record<string, unknown> & OutputExtras;
  let status = operation.http.responseCode ?? 200;
  let body: BodyInit | string | null = null;
  const typed = (document: string | Uint8Array | null): BodyInit | string | null => {
    if (document !== null && !headers.has("content-type")) headers.set("content-type", writer.contentType);
    return document as BodyInit | string | null;
  };
  if (operation.output) {
    const shape = model.shapes[operation.output.shape]!;
    const statusMember = writeBindings(model, protocol, shape, out, headers);
    if (statusMember !== undefined) status = statusMember;
    const payloadName = shape.payload;
    if (payloadName) {
      const ref = shape.members![payloadName]!;
      const payloadShape = model.shapes[ref.shape]!;
      const value = out[payloadName];
      if (value !== undefined && value !== null) {
        body = payloadShape.type === "blob" || payloadShape.type === "string" ? blobBody(value) : typed(writer.payload(model, ref, payloadShape, value, incoming.wire));
      }
    } else if (bodyMembers(shape).length > 0) {
      body = typed(writer.members(model, operation.output, shape, out, incoming.wire));
    }
  }
  if (out[HTTP_STATUS] !== undefined) status = out[HTTP_STATUS]!;
  const extraHeaders = out[HTTP_HEADERS];
  if (extraHeaders) for (const k in extraHeaders) headers.set(k, extraHeaders[k]!);
  if (bodyless(incoming.method, status)) {
    if (body instanceof ReadableStream) void body.cancel().catch(() => {});
    body = null;
  }
  return new Response((typeof body === "string" ? utf8Encoder.encode(body) : body) as BodyInit | null, { status, headers: headers.record });
}
