/**
 * Renders an operation's input (possibly wrong-typed) as the HTTP request a client of each
 * protocol would send: awsJson, awsQuery, rpcv2Cbor, restJson1 and restXml, after botocore's
 * serializers. Values of the wrong type are rendered as faithfully as the wire allows (a JSON
 * client sends them as they are, a query client as text).
 */
import { Encoder } from "cbor-x";
import type { OperationModel, ProtocolId, ServiceModel, Shape, ShapeRef } from "../../src/protocol/model.ts";

export interface WireRequest {
  method: string;
  /** Path and query, percent-encoded. */
  path: string;
  headers: [string, string][];
  body?: Uint8Array;
}

const cbor = new Encoder({ useRecords: false, tagUint8Array: false, mapsAsObjects: true });
const utf8 = (text: string) => new TextEncoder().encode(text);

function signingName(model: ServiceModel): string {
  return model.metadata.signingName ?? model.metadata.endpointPrefix;
}

/** A SigV4 Authorization header with a plausible scope (signature verification is off unless the emulator asks). */
export function authorization(model: ServiceModel, region = "us-east-1"): string {
  return `AWS4-HMAC-SHA256 Credential=test/20240101/${region}/${signingName(model)}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${"0".repeat(64)}`;
}

function isBytes(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

/** JSON value of `value` by shape (awsJson / restJson bodies): blobs base64, timestamps epoch seconds. */
function toJson(model: ServiceModel, ref: ShapeRef | undefined, value: unknown): unknown {
  if (value instanceof Date) return value.getTime() / 1000;
  if (isBytes(value)) return base64(value);
  const shape = ref ? model.shapes[ref.shape] : undefined;
  if (Array.isArray(value)) return value.map((v) => toJson(model, shape?.type === "list" ? shape.member : undefined, v));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const member = shape?.type === "structure" ? shape.members?.[k] : shape?.type === "map" ? shape.value : undefined;
      const name = shape?.type === "structure" && member?.locationName && member.location === undefined ? member.locationName : k;
      out[name] = toJson(model, member, v);
    }
    return out;
  }
  return value;
}

/** CBOR value: timestamps as Dates (tag 1), blobs as byte strings, the rest as given. */
function toCbor(value: unknown): unknown {
  if (value instanceof Date || isBytes(value)) return value;
  if (Array.isArray(value)) return value.map(toCbor);
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCbor(v)]));
  return value;
}

/** Text of a scalar for query parameters, headers, URI labels and XML. */
function scalarText(value: unknown, format: "iso" | "http" | "epoch" = "iso"): string {
  if (value instanceof Date) {
    const t = value.getTime();
    if (!Number.isFinite(t)) return "invalid";
    return format === "http" ? value.toUTCString() : format === "epoch" ? String(t / 1000) : value.toISOString();
  }
  if (isBytes(value)) return base64(value);
  if (value === null || value === undefined) return "";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** awsQuery parameters of `value` under `prefix`, with botocore's list/map flattening rules. */
function queryParams(model: ServiceModel, ref: ShapeRef | undefined, value: unknown, prefix: string, out: [string, string][], legacy = false): void {
  const shape = ref ? model.shapes[ref.shape] : undefined;
  if (shape?.type === "list" && Array.isArray(value)) {
    const flattened = shape.flattened || ref?.flattened;
    const memberName = shape.member?.locationName ?? "member";
    if (value.length === 0) out.push([prefix, ""]);
    value.forEach((v, i) => queryParams(model, shape.member, v, flattened ? `${prefix}.${i + 1}` : `${prefix}.${memberName}.${i + 1}`, out));
    return;
  }
  if (shape?.type === "map" && value && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date) && !isBytes(value)) {
    const flattened = shape.flattened;
    const keyName = shape.key?.locationName ?? "key";
    const valueName = shape.value?.locationName ?? "value";
    Object.entries(value).forEach(([k, v], i) => {
      const entry = flattened ? `${prefix}.${i + 1}` : `${prefix}.entry.${i + 1}`;
      out.push([`${entry}.${keyName}`, k]);
      queryParams(model, shape.value, v, `${entry}.${valueName}`, out);
    });
    return;
  }
  if (shape?.type === "structure" && value && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date) && !isBytes(value)) {
    for (const [k, v] of Object.entries(value)) {
      const member = shape.members?.[k];
      const name = member?.queryName ?? member?.locationName ?? k;
      queryParams(model, member, v, prefix ? `${prefix}.${name}` : name, out, legacy);
    }
    return;
  }
  out.push([prefix || "Value", scalarText(value)]);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** restXml element `name` holding `value` by shape. */
function toXml(model: ServiceModel, ref: ShapeRef | undefined, value: unknown, name: string): string {
  const shape = ref ? model.shapes[ref.shape] : undefined;
  if (shape?.type === "list" && Array.isArray(value)) {
    const memberName = shape.member?.locationName ?? "member";
    if (shape.flattened || ref?.flattened) return value.map((v) => toXml(model, shape.member, v, name)).join("");
    return `<${name}>${value.map((v) => toXml(model, shape.member, v, memberName)).join("")}</${name}>`;
  }
  if (shape?.type === "map" && value && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date) && !isBytes(value)) {
    const entries = Object.entries(value).map(([k, v]) => `<entry><key>${escapeXml(k)}</key>${toXml(model, shape.value, v, "value")}</entry>`);
    return `<${name}>${entries.join("")}</${name}>`;
  }
  if (value && typeof value === "object" && !Array.isArray(value) && !(value instanceof Date) && !isBytes(value)) {
    const parts = Object.entries(value).map(([k, v]) => {
      const member = shape?.type === "structure" ? shape.members?.[k] : undefined;
      return toXml(model, member, v, member?.locationName ?? k);
    });
    return `<${name}>${parts.join("")}</${name}>`;
  }
  if (Array.isArray(value)) return `<${name}>${value.map((v) => toXml(model, undefined, v, "member")).join("")}</${name}>`;
  return `<${name}>${escapeXml(scalarText(value))}</${name}>`;
}

/** Header-safe text (the Fetch API refuses anything but Latin-1 without CR/LF). */
function headerText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[^\x20-\x7e\x80-\xff\t]/g, "?").trim();
}

/** Percent-encoding of the UTF-8 bytes (lone surrogates become U+FFFD, as a client's encoder makes them). */
function pct(text: string): string {
  let out = "";
  for (const b of new TextEncoder().encode(text)) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function encodeLabel(text: string, greedy: boolean): string {
  return greedy ? text.split("/").map(pct).join("/") : pct(text);
}

/** The restJson/restXml request: URI labels, query string, headers and body of `input`. */
function restRequest(model: ServiceModel, operation: OperationModel, input: Record<string, unknown>, protocol: "rest-json" | "rest-xml"): WireRequest {
  const inputShape: Shape | undefined = operation.input ? model.shapes[operation.input.shape] : undefined;
  const members = inputShape?.members ?? {};
  const [template, literalQuery = ""] = operation.http.requestUri.split("?");
  const query: [string, string][] = literalQuery ? literalQuery.split("&").map((p) => {
    const [k, v = ""] = p.split("=");
    return [decodeURIComponent(k!), decodeURIComponent(v)];
  }) : [];
  const headers: [string, string][] = [];
  const body: Record<string, unknown> = {};
  let payloadValue: unknown;
  for (const [name, value] of Object.entries(input)) {
    const ref = members[name];
    if (!ref) {
      body[name] = value;
      continue;
    }
    const wireName = ref.locationName ?? name;
    const shape = model.shapes[ref.shape];
    switch (ref.location) {
      case "uri":
        break;
      case "querystring":
        if (shape?.type === "map" && value && typeof value === "object" && !Array.isArray(value)) {
          for (const [k, v] of Object.entries(value)) query.push([k, scalarText(v)]);
        } else if (Array.isArray(value)) {
          for (const v of value) query.push([wireName, scalarText(v)]);
        } else query.push([wireName, scalarText(value, ref.timestampFormat === "unixTimestamp" ? "epoch" : "iso")]);
        break;
      case "header":
        headers.push([wireName, headerText(Array.isArray(value) ? value.map((v) => scalarText(v)).join(",")
          : ref.jsonvalue ? base64(utf8(JSON.stringify(value))) : scalarText(value, "http"))]);
        break;
      case "headers":
        if (value && typeof value === "object" && !Array.isArray(value)) {
          for (const [k, v] of Object.entries(value)) {
            const headerName = headerText(`${wireName}${k}`).replace(/[^!#$%&'*+.^_`|~0-9A-Za-z-]/g, "");
            if (headerName) headers.push([headerName, headerText(scalarText(v))]);
          }
        }
        break;
      case "statusCode":
        break;
      default:
        if (inputShape?.payload === name) payloadValue = value;
        else body[name] = value;
    }
  }
  // Labels: a missing one stays empty (an interesting request in itself).
  const path = template!.replace(/\{([^}+]+)(\+?)\}/g, (_, label: string, plus: string) => {
    const member = Object.entries(members).find(([n, r]) => r.location === "uri" && (r.locationName ?? n) === label);
    const value = member ? input[member[0]] : undefined;
    return value === undefined ? "" : encodeLabel(scalarText(value), plus === "+");
  });
  const qs = query.map(([k, v]) => (v === "" && literalQuery.includes(k) ? pct(k) : `${pct(k)}=${pct(v)}`)).join("&");
  let bytes: Uint8Array | undefined;
  const payloadRef = inputShape?.payload ? members[inputShape.payload] : undefined;
  if (payloadRef && payloadValue !== undefined) {
    const payloadShape = model.shapes[payloadRef.shape];
    if (isBytes(payloadValue)) bytes = payloadValue;
    else if (typeof payloadValue === "string" && (payloadShape?.type === "blob" || payloadShape?.type === "string")) bytes = utf8(payloadValue);
    else if (protocol === "rest-json") bytes = utf8(JSON.stringify(toJson(model, payloadRef, payloadValue)));
    else {
      const ns = typeof payloadRef.xmlNamespace === "object" ? ` xmlns="${payloadRef.xmlNamespace.uri}"` : "";
      const xml = toXml(model, payloadRef, payloadValue, payloadRef.locationName ?? payloadRef.shape);
      bytes = utf8(ns ? xml.replace(/^<([^>]+)>/, `<$1${ns}>`) : xml);
    }
  } else if (Object.keys(body).length > 0) {
    if (protocol === "rest-json") bytes = utf8(JSON.stringify(toJson(model, operation.input, body)));
    else bytes = utf8(toXml(model, operation.input, body, (inputShape?.locationName as string | undefined) ?? operation.input!.shape));
  }
  if (bytes && !headers.some(([k]) => k.toLowerCase() === "content-type")) {
    headers.push(["content-type", protocol === "rest-json" ? "application/json" : "application/xml"]);
  }
  return { method: operation.http.method, path: (path.startsWith("/") ? path : "/" + path) + (qs ? `?${qs}` : ""), headers, body: bytes };
}

/** The request a client of `protocol` sends for `operation` with `input`. */
export function encodeRequest(model: ServiceModel, operation: OperationModel, input: Record<string, unknown>, protocol: ProtocolId): WireRequest {
  const auth: [string, string] = ["authorization", authorization(model)];
  const date: [string, string] = ["x-amz-date", "20240101T000000Z"];
  switch (protocol) {
    case "json": {
      const target = `${model.metadata.targetPrefix}.${operation.name}`;
      return {
        method: "POST",
        path: "/",
        headers: [["x-amz-target", target], ["content-type", `application/x-amz-json-${model.metadata.jsonVersion ?? "1.0"}`], auth, date],
        body: utf8(JSON.stringify(toJson(model, operation.input, input))),
      };
    }
    case "query": {
      const params: [string, string][] = [["Action", operation.name], ["Version", model.metadata.apiVersion]];
      const queryModel = model.legacyQuery ? { ...model, shapes: { ...model.shapes, ...model.legacyQuery.shapes } } : model;
      if (operation.input) queryParams(queryModel, operation.input, input, "", params);
      return {
        method: "POST",
        path: "/",
        headers: [["content-type", "application/x-www-form-urlencoded; charset=utf-8"], auth, date],
        body: utf8(new URLSearchParams(params).toString()),
      };
    }
    case "smithy-rpc-v2-cbor":
      return {
        method: "POST",
        path: `/service/${model.metadata.targetPrefix}/operation/${operation.name}`,
        headers: [["smithy-protocol", "rpc-v2-cbor"], ["content-type", "application/cbor"], ["accept", "application/cbor"], auth, date],
        body: new Uint8Array(cbor.encode(toCbor(input))),
      };
    case "rest-json":
    case "rest-xml": {
      const request = restRequest(model, operation, input, protocol);
      request.headers.push(auth, date);
      if (signingName(model) === "s3") request.headers.push(["x-amz-content-sha256", "UNSIGNED-PAYLOAD"]);
      return request;
    }
    default:
      throw new Error(`no encoder for ${protocol}`);
  }
}

/** The protocols a service's model lets clients speak (SQS's legacy awsQuery included). */
export function wireProtocols(model: ServiceModel): ProtocolId[] {
  const list = [...(model.metadata.protocols ?? [model.metadata.protocol])];
  if (model.legacyQuery && !list.includes("query")) list.push("query");
  return list;
}
