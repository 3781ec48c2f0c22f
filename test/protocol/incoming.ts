/**
 * Builds an IncomingRequest from a real Request, the way the gateway does (body read once,
 * cached as bytes or handed out once as a stream), for codec tests.
 */
import type { IncomingRequest } from "../../src/protocol/codec.ts";
import type { ProtocolId, ServiceModel } from "../../src/protocol/model.ts";
import { wireOf } from "./wire.ts";

export function incomingFrom(request: Request, model: ServiceModel, protocol: ProtocolId, requestId = "req-0001"): IncomingRequest {
  const url = new URL(request.url);
  let bytes: Promise<Uint8Array> | undefined;
  let text: Promise<string> | undefined;
  let streamed = false;
  const readBytes = () => {
    if (streamed) throw new Error("body already streamed");
    bytes ??= request.arrayBuffer().then((b) => new Uint8Array(b));
    return bytes;
  };
  return {
    request,
    method: request.method.toUpperCase(),
    url,
    path: url.pathname,
    headers: request.headers,
    model,
    protocol,
    requestId,
    wire: wireOf(model),
    bytes: readBytes,
    text: () => (text ??= readBytes().then((b) => new TextDecoder().decode(b))),
    stream: () => {
      if (bytes || streamed) throw new Error("body already read");
      streamed = true;
      return request.body;
    },
  };
}

/** Loads a committed model (models/<service>.json). */
export async function loadModel(service: string): Promise<ServiceModel> {
  const { readFile } = await import("node:fs/promises");
  return JSON.parse(await readFile(new URL(`../../models/${service}.json`, import.meta.url), "utf8")) as ServiceModel;
}

export interface CaptureRecord {
  seq: number;
  client: string;
  op: string;
  request: { method: string; path: string; headers: [string, string][]; body: { length: number; encoding?: string; text?: string; truncated?: boolean } };
}

/** Requests captured from real clients (/work/shared/captures), matched by file and op text. */
export async function captures(file: string, opContains: string): Promise<CaptureRecord[]> {
  const { readFile } = await import("node:fs/promises");
  const text = await readFile(`/work/shared/captures/${file}`, "utf8");
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l) as CaptureRecord).filter((r) => r.op.includes(opContains));
}

/** A Request rebuilt from a capture record, against `origin`. */
export function requestFromCapture(rec: CaptureRecord, origin = "http://127.0.0.1:4566"): Request {
  const headers = new Headers();
  for (const [k, v] of rec.request.headers) {
    if (/^(content-length|transfer-encoding|connection|expect|host)$/i.test(k)) continue;
    headers.append(k, v);
  }
  const b = rec.request.body;
  let body: BodyInit | undefined;
  if (b.length > 0 && !b.truncated && b.text !== undefined) {
    body = b.encoding === "base64" ? Uint8Array.from(atob(b.text), (c) => c.charCodeAt(0)) : new TextEncoder().encode(b.text);
  }
  const method = rec.request.method;
  return new Request(origin + rec.request.path, { method, headers, body: method === "GET" || method === "HEAD" ? undefined : body });
}
