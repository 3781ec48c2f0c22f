/**
 * Function URLs that answer HTTP requests. A config's FunctionUrl keeps AWS's shape
 * (`https://<url-id>.lambda-url.<region>.on.aws/`), which does not resolve locally; fetchstack
 * serves the same URL at `<endpoint>/2021-10-31/url/<url-id>/<path>` (no signature needed; an
 * `AWS_IAM` URL is not checked). The request becomes the payload format 2.0 event, the function
 * runs synchronously, and its result becomes the HTTP response: `{statusCode, headers, body,
 * isBase64Encoded, cookies}`, or another JSON value as a 200 `application/json` body. A
 * function error is 502 `Internal Server Error`, as AWS answers.
 * Source: https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html
 */
import type { FunctionUrlConfig } from "../../generated/lambda.ts";
import type { IncomingRequest } from "../../protocol/codec.ts";
import { isAwsError } from "../../protocol/errors.ts";
import { bytesToBase64, base64ToBytes } from "../../protocol/shape-values.ts";
import type { RequestContext } from "../types.ts";
import { invokeBuffered, invokeStreaming } from "./invoke.ts";
import type { LambdaRunResult } from "../../lambda-runner.ts";

const PATH = /^\/2021-10-31\/url\/([a-z0-9]{32})(\/.*)?$/;

export interface UrlIndexEntry {
  accountId: string;
  region: string;
  name: string;
  qualifier: string;
  FunctionUrl: string;
}

/** The global index from url id to function (URLs are reached without credentials). */
export const urlIndexKey = (id: string) => ["url-id", id] as const;

export function urlIdOf(functionUrl: string): string {
  return /^https:\/\/([a-z0-9]+)\.lambda-url\./.exec(functionUrl)?.[1] ?? "";
}

/** The local address of a function URL on the endpoint `baseUrl`. */
export function localUrl(baseUrl: string, functionUrl: string): string {
  return `${baseUrl}/2021-10-31/url/${urlIdOf(functionUrl)}/`;
}

function plain(status: number, message: string): Response {
  return new Response(JSON.stringify({ Message: message }), { status, headers: { "content-type": "application/json" } });
}

function isText(contentType: string | null): boolean {
  return !contentType || /^(text\/|application\/(json|xml|x-www-form-urlencoded|javascript))/i.test(contentType);
}

export async function serveFunctionUrl(incoming: IncomingRequest, ctx: RequestContext): Promise<Response | undefined> {
  const match = PATH.exec(incoming.path);
  if (!match) return undefined;
  const id = match[1]!;
  const entry = (await ctx.globalStore.get<UrlIndexEntry>(urlIndexKey(id))).value;
  const store = entry ? ctx.storeFor(entry.accountId, entry.region) : undefined;
  const config = entry && store ? (await store.get<FunctionUrlConfig>(["url", entry.name, entry.qualifier])).value : null;
  if (!entry || !config || config.FunctionUrl !== entry.FunctionUrl) return plain(404, "Not Found");
  const request = incoming.request;
  const path = match[2] ?? "/";
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  request.headers.forEach((value, name) => {
    if (name === "cookie") cookies.push(...value.split(/;\s*/));
    else headers[name] = value;
  });
  const query = incoming.url.searchParams;
  const queryParams: Record<string, string> = {};
  for (const key of new Set(query.keys())) queryParams[key] = query.getAll(key).join(",");
  const body = await incoming.bytes();
  const text = isText(request.headers.get("content-type"));
  const domain = new URL(entry.FunctionUrl).host;
  const now = ctx.clock.now();
  const event = {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: incoming.url.search.replace(/^\?/, ""),
    ...(cookies.length ? { cookies } : {}),
    headers,
    ...(query.size ? { queryStringParameters: queryParams } : {}),
    requestContext: {
      accountId: "anonymous",
      apiId: id,
      domainName: domain,
      domainPrefix: id,
      http: { method: request.method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: request.headers.get("user-agent") ?? "" },
      requestId: ctx.requestId,
      routeKey: "$default",
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    ...(body.byteLength ? { body: text ? new TextDecoder().decode(body) : bytesToBase64(body) } : {}),
    isBase64Encoded: body.byteLength > 0 && !text,
  };
  const scoped: RequestContext = { ...ctx, accountId: entry.accountId, region: entry.region, store: store! };
  const input = {
    FunctionName: entry.name, ...(entry.qualifier ? { Qualifier: entry.qualifier } : {}),
    Payload: new TextEncoder().encode(JSON.stringify(event)),
  };
  let outcome: { result: LambdaRunResult } | null;
  try {
    if (config.InvokeMode === "RESPONSE_STREAM") {
      const streamed = await streamingUrl(scoped, input);
      if (streamed instanceof Response) return streamed;
      outcome = streamed;
    } else outcome = await invokeBuffered(scoped, input);
  } catch (error) {
    if (isAwsError(error) && error.status === 429) return plain(429, "Rate Exceeded.");
    if (isAwsError(error)) return plain(502, "Internal Server Error");
    throw error;
  }
  if (!outcome || outcome.result.functionError) return plain(502, "Internal Server Error");
  if (outcome.result.streamed) return streamedResponse(outcome.result.streamed.contentType, outcome.result.payload);
  let result: unknown;
  try {
    result = JSON.parse(new TextDecoder().decode(outcome.result.payload));
  } catch {
    return plain(502, "Internal Server Error");
  }
  if (isHttpResult(result)) {
    const responseHeaders = new Headers();
    for (const [k, v] of Object.entries(result.headers ?? {})) responseHeaders.set(k, String(v));
    for (const cookie of result.cookies ?? []) responseHeaders.append("set-cookie", String(cookie));
    if (!responseHeaders.has("content-type")) responseHeaders.set("content-type", "application/json");
    let bytes: Uint8Array | string = result.body === undefined || result.body === null ? "" : String(result.body);
    if (result.isBase64Encoded && typeof bytes === "string") {
      const decoded = base64ToBytes(bytes);
      bytes = typeof decoded === "string" ? "" : decoded;
    }
    return new Response(bytes as BodyInit, { status: Number(result.statusCode), headers: responseHeaders });
  }
  return new Response(JSON.stringify(result), { status: 200, headers: { "content-type": "application/json" } });
}

/** The function's response as an HTTP response (payload format 2.0). */
interface HttpResult {
  statusCode: number | string;
  headers?: Record<string, unknown>;
  cookies?: unknown[];
  body?: unknown;
  isBase64Encoded?: boolean;
}

function isHttpResult(value: unknown): value is HttpResult {
  return !!value && typeof value === "object" && !Array.isArray(value) && "statusCode" in value;
}

const HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response";

/**
 * A streaming function's response (buffered here): with `awslambda.HttpResponseStream.from`,
 * a JSON prelude `{statusCode, headers, cookies}` and 8 NUL bytes come before the body;
 * otherwise the body is sent with the content type the function set.
 */
function streamedResponse(contentType: string, payload: Uint8Array): Response {
  if (contentType !== HTTP_INTEGRATION) return new Response(payload as BodyInit, { status: 200, headers: { "content-type": contentType } });
  let end = -1;
  for (let i = 0; i + 8 <= payload.byteLength && end === -1; i++) {
    if (payload.subarray(i, i + 8).every((b) => b === 0)) end = i;
  }
  if (end === -1) return plain(502, "Internal Server Error");
  let prelude: { statusCode?: number; headers?: Record<string, string>; cookies?: string[] };
  try {
    prelude = JSON.parse(new TextDecoder().decode(payload.subarray(0, end)));
  } catch {
    return plain(502, "Internal Server Error");
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(prelude.headers ?? {})) headers.set(k, String(v));
  for (const cookie of prelude.cookies ?? []) headers.append("set-cookie", String(cookie));
  if (!headers.has("content-type")) headers.set("content-type", "application/octet-stream");
  return new Response(payload.subarray(end + 8) as BodyInit, { status: prelude.statusCode ?? 200, headers });
}

/** Where the 8 NUL bytes that end an HTTP integration prelude start, or -1. */
function preludeEnd(bytes: Uint8Array): number {
  let run = 0;
  for (let i = 0; i < bytes.byteLength; i++) {
    run = bytes[i] === 0 ? run + 1 : 0;
    if (run === 8) return i - 7;
  }
  return -1;
}

function preludeHeaders(json: Uint8Array): { status: number; headers: Headers } | null {
  let prelude: { statusCode?: number; headers?: Record<string, string>; cookies?: string[] };
  try {
    prelude = JSON.parse(new TextDecoder().decode(json));
  } catch {
    return null;
  }
  const headers = new Headers();
  for (const [k, v] of Object.entries(prelude.headers ?? {})) headers.set(k, String(v));
  for (const cookie of prelude.cookies ?? []) headers.append("set-cookie", String(cookie));
  if (!headers.has("content-type")) headers.set("content-type", "application/octet-stream");
  return { status: prelude.statusCode ?? 200, headers };
}

/**
 * A URL in `RESPONSE_STREAM` mode: a streaming function's output goes to the HTTP client as it
 * is written (after its HTTP prelude when it used `awslambda.HttpResponseStream.from`). Returns
 * the run's result instead when the function did not stream (mapped as a buffered response).
 * Source: https://docs.aws.amazon.com/lambda/latest/dg/config-rs-invoke-furls.html
 */
async function streamingUrl(ctx: RequestContext, input: { FunctionName: string; Qualifier?: string; Payload: Uint8Array }): Promise<Response | { result: LambdaRunResult } | null> {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let gone = false;
  const body = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c), cancel: () => void (gone = true) });
  const send = (bytes: Uint8Array) => {
    if (gone || bytes.byteLength === 0) return;
    try {
      controller.enqueue(bytes);
    } catch {
      gone = true;
    }
  };
  let head: { status: number; headers: Headers } | undefined;
  let markHead!: () => void;
  const headReady = new Promise<void>((resolve) => (markHead = resolve));
  let pending: Uint8Array | null = null;
  const outcome = await invokeStreaming(ctx, input, {
    start(contentType) {
      if (contentType === HTTP_INTEGRATION) pending = new Uint8Array(0);
      else {
        head = { status: 200, headers: new Headers({ "content-type": contentType }) };
        markHead();
      }
    },
    chunk(bytes) {
      if (!pending) return send(bytes);
      const all = new Uint8Array(pending.byteLength + bytes.byteLength);
      all.set(pending);
      all.set(bytes, pending.byteLength);
      const end = preludeEnd(all);
      if (end === -1) {
        pending = all;
        return;
      }
      pending = null;
      head = preludeHeaders(all.subarray(0, end)) ?? undefined;
      markHead();
      if (head) send(all.subarray(end + 8));
    },
  });
  if (!outcome) return null;
  const ended = outcome.result;
  ended.then(() => undefined, () => undefined).then(() => {
    if (gone) return;
    try {
      controller.close();
    } catch {
      // already closed
    }
  });
  const finished = await Promise.race([headReady.then(() => null), ended]);
  if (head) return new Response(body, { status: head.status, headers: head.headers });
  if (finished === null) return plain(502, "Internal Server Error");
  if (finished.streamed) return plain(502, "Internal Server Error");
  return { result: finished };
}
