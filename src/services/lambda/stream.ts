/**
 * InvokeWithResponseStream: the response as an `application/vnd.amazon.eventstream` body of
 * `PayloadChunk` events and a final `InvokeComplete` (ErrorCode/ErrorDetails on a function
 * error, LogResult with `LogType: Tail`). fetchstack's runtimes buffer the response (handlers
 * wrapped in `awslambda.streamifyResponse` are not supported), so the payload arrives as one
 * chunk, as AWS sends a function that does not stream. The codec has no event-stream writer, so
 * this operation is answered from `preRoute` (index.ts); errors are thrown as AwsError and
 * rendered by the codec.
 * Sources: https://docs.aws.amazon.com/lambda/latest/api/API_InvokeWithResponseStream.html,
 * https://docs.aws.amazon.com/transcribe/latest/dg/event-stream.html (message framing)
 */
import { eventMessage } from "../../encoding/event-stream.ts";
import { bytesToBase64 } from "../../protocol/shape-values.ts";
import type { IncomingRequest } from "../../protocol/codec.ts";
import type { RequestContext } from "../types.ts";
import { invokeBuffered } from "./invoke.ts";

const PATH = /^\/2021-11-15\/functions\/([^/]+)\/response-streaming-invocations$/;
const encoder = new TextEncoder();

function event(type: string, contentType: string, payload: Uint8Array): Uint8Array {
  return eventMessage({ ":event-type": type, ":content-type": contentType, ":message-type": "event" }, payload);
}

export async function serveStreamingInvoke(incoming: IncomingRequest, ctx: RequestContext): Promise<Response | undefined> {
  if (incoming.method !== "POST") return undefined;
  const match = PATH.exec(incoming.path);
  if (!match) return undefined;
  const headers = incoming.request.headers;
  const body = await incoming.bytes();
  const input = {
    FunctionName: decodeURIComponent(match[1]!),
    Qualifier: incoming.url.searchParams.get("Qualifier") ?? undefined,
    InvocationType: headers.get("x-amz-invocation-type") ?? undefined,
    LogType: headers.get("x-amz-log-type") ?? undefined,
    ClientContext: headers.get("x-amz-client-context") ?? undefined,
    Payload: body.byteLength ? body : undefined,
  };
  const outcome = await invokeBuffered(ctx, input);
  const responseHeaders: Record<string, string> = { "x-amzn-RequestId": ctx.requestId };
  if (!outcome) return new Response(null, { status: 204, headers: responseHeaders });
  const { result, version } = outcome;
  const chunks: Uint8Array[] = [];
  const complete: Record<string, string> = {};
  if (result.functionError) {
    let doc: { errorType?: string; errorMessage?: string } = {};
    try {
      doc = JSON.parse(new TextDecoder().decode(result.payload));
    } catch {
      // not JSON: reported as is below
    }
    complete.ErrorCode = doc.errorType ?? "Unhandled";
    complete.ErrorDetails = doc.errorMessage ?? new TextDecoder().decode(result.payload);
  } else {
    chunks.push(event("PayloadChunk", "application/octet-stream", result.payload));
  }
  if (input.LogType === "Tail") complete.LogResult = bytesToBase64(encoder.encode(result.log.slice(-4096)));
  chunks.push(event("InvokeComplete", "application/json", encoder.encode(JSON.stringify(complete))));
  const total = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let offset = 0;
  for (const c of chunks) total.set(c, offset), (offset += c.length);
  return new Response(total as BodyInit, {
    status: 200,
    headers: { ...responseHeaders, "content-type": "application/vnd.amazon.eventstream", "X-Amz-Executed-Version": version },
  });
}
