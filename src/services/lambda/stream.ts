/**
 * InvokeWithResponseStream: the response as an `application/vnd.amazon.eventstream` body of
 * `PayloadChunk` events and a final `InvokeComplete` (ErrorCode/ErrorDetails on a function
 * error, LogResult with `LogType: Tail`). A handler wrapped in `awslambda.streamifyResponse`
 * streams: each chunk it writes is a PayloadChunk sent as it is written, and the response's
 * Content-Type (ResponseStreamContentType) is the one the function set. A function that does not
 * stream arrives as one chunk once it returns, as AWS sends it. The codec has no event-stream
 * writer, so this operation is answered from `preRoute` (index.ts); errors before the function
 * runs are thrown as AwsError and rendered by the codec.
 * Sources: https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html,
 * https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html (message framing)
 */
import { eventMessage } from "../../encoding/event-stream.ts";
import { bytesToBase64 } from "../../protocol/shape-values.ts";
import type { IncomingRequest } from "../../protocol/codec.ts";
import type { RequestContext } from "../types.ts";
import { invokeStreaming } from "./invoke.ts";
import type { InvokeWithResponseStreamRequest } from "../../generated/lambda.ts";

const PATH = /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations$/;
const encoder = new TextEncoder();
/** The content type of a response the function did not type (the runtime's default). */
const DEFAULT_CONTENT_TYPE = "application/octet-stream";

function event(type: string, contentType: string, payload: Uint8Array): Uint8Array {
  return eventMessage({ ":event-type": type, ":content-type": contentType, ":message-type": "event" }, payload);
}

export async function serveStreamingInvoke(incoming: IncomingRequest, ctx: RequestContext): Promise<Response | undefined> {
  if (incoming.method !== "POST") return undefined;
  const match = PATH.exec(incoming.path);
  if (!match) return undefined;
  const headers = incoming.request.headers;
  const body = await incoming.bytes();
  const invocationType = headers.get("x-amz-invocation-type") ?? undefined;
  const logType = headers.get("x-amz-log-type") ?? undefined;
  const input: InvokeWithResponseStreamRequest = {
    FunctionName: decodeURIComponent(match[1]!),
    Qualifier: incoming.url.searchParams.get("Qualifier") ?? undefined,
    InvocationType: invocationType as InvokeWithResponseStreamRequest["InvocationType"],
    LogType: logType as InvokeWithResponseStreamRequest["LogType"],
    ClientContext: headers.get("x-amz-client-context") ?? undefined,
    Payload: body.byteLength ? body : undefined,
  };
  // Served before the gateway's own authorization step: decided here (lambda:InvokeFunction).
  ctx.operation = "InvokeWithResponseStream";
  await ctx.authorize?.("InvokeWithResponseStream", input as unknown as Record<string, unknown>);
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let gone = false;
  const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c), cancel: () => void (gone = true) });
  // A client that went away stops reading; the function still runs to its end.
  const send = (bytes: Uint8Array) => {
    if (gone) return;
    try {
      controller.enqueue(bytes);
    } catch {
      gone = true;
    }
  };
  const close = () => {
    if (gone) return;
    try {
      controller.close();
    } catch {
      gone = true;
    }
  };
  let markStarted!: (contentType: string) => void;
  const started = new Promise<string>((resolve) => (markStarted = resolve));
  const outcome = await invokeStreaming(ctx, input, {
    start: (contentType) => markStarted(contentType),
    chunk: (bytes) => {
      if (bytes.byteLength) send(event("PayloadChunk", "application/octet-stream", bytes));
    },
  });
  const responseHeaders: Record<string, string> = { "x-amzn-RequestId": ctx.requestId };
  if (!outcome) return new Response(null, { status: 204, headers: responseHeaders });
  const { result, version } = outcome;
  // Headers go once the function starts streaming (its content type) or has returned; a
  // failure to run at all before then is AWS's error response, not a stream.
  const ended = result.then(() => DEFAULT_CONTENT_TYPE);
  ended.catch(() => {}); // a failure after streaming began is reported in InvokeComplete below
  const contentType = await Promise.race([started, ended]);
  result.then((r) => {
    const complete: Record<string, string> = {};
    if (r.functionError) {
      let doc: { errorType?: string; errorMessage?: string } = {};
      try {
        doc = JSON.parse(new TextDecoder().decode(r.payload));
      } catch {
        // not JSON: reported as is below
      }
      complete.ErrorCode = doc.errorType ?? "Unhandled";
      complete.ErrorDetails = doc.errorMessage ?? new TextDecoder().decode(r.payload);
    } else if (!r.streamed) {
      send(event("PayloadChunk", "application/octet-stream", r.payload));
    }
    if (logType === "Tail") complete.LogResult = bytesToBase64(encoder.encode(r.log.slice(-4096)));
    send(event("InvokeComplete", "application/json", encoder.encode(JSON.stringify(complete))));
    close();
  }, (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    send(event("InvokeComplete", "application/json", encoder.encode(JSON.stringify({ ErrorCode: "ServiceException", ErrorDetails: message }))));
    close();
  });
  return new Response(stream, {
    status: 200,
    headers: { ...responseHeaders, "content-type": contentType, "X-Amz-Executed-Version": version },
  });
}
