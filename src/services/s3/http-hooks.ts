/**
 * S3's HTTP-level hooks around the restXml codec (ServiceDefinition.preRoute / postRoute):
 *
 * - every request: presigned-URL expiry and shape checks (presign.ts);
 * - `OPTIONS`: CORS preflight from the bucket's CORS configuration (cors.ts);
 * - `POST /<bucket>` with `multipart/form-data`: browser POST upload (post-upload.ts);
 * - every response to a request with an `Origin`: the CORS headers of the matching rule.
 *
 * Wiring (index.ts): `defineService({ ..., preRoute: s3PreRoute, postRoute: s3PostRoute })`.
 */
import type { IncomingRequest } from "../../protocol/codec.ts";
import type { RequestContext } from "../types.ts";
import { getBucket } from "./bucket-store.ts";
import { actualRequestCorsHeaders, preflight } from "./cors.ts";
import { handlePostUpload, isPostUpload } from "./post-upload.ts";
import { checkPresigned } from "./presign.ts";

/** The decoded bucket name and whether a key follows it, from the raw path. */
function bucketOf(path: string): { bucket?: string; hasKey: boolean } {
  const m = /^\/([^/]+)(\/.+)?/.exec(path);
  if (!m) return { hasKey: false };
  let bucket: string;
  try {
    bucket = decodeURIComponent(m[1]!);
  } catch {
    bucket = m[1]!;
  }
  return { bucket, hasKey: m[2] !== undefined && m[2] !== "/" };
}

export async function s3PreRoute(incoming: IncomingRequest, ctx: RequestContext): Promise<Response | undefined> {
  checkPresigned(incoming.url, ctx.clock.now());
  if (incoming.method === "OPTIONS") {
    const { bucket, hasKey } = bucketOf(incoming.path);
    const record = bucket ? await getBucket(ctx, bucket) : null;
    const headers = preflight(record, incoming.headers, hasKey ? "OBJECT" : "BUCKET");
    return new Response(null, { status: 200, headers: { ...headers, "x-amz-request-id": incoming.requestId } });
  }
  if (isPostUpload(incoming.method, incoming.path, incoming.url.searchParams, incoming.headers)) {
    return handlePostUpload(incoming.headers, incoming.stream(), bucketOf(incoming.path).bucket!, ctx);
  }
  return undefined;
}

export async function s3PostRoute(incoming: IncomingRequest, response: Response, ctx: RequestContext): Promise<Response> {
  if (incoming.method === "OPTIONS" || !incoming.headers.has("origin")) return response;
  const { bucket } = bucketOf(incoming.path);
  if (!bucket) return response;
  const cors = actualRequestCorsHeaders(await getBucket(ctx, bucket), incoming.headers, incoming.method);
  if (Object.keys(cors).length === 0) return response;
  let out = response;
  try {
    for (const [k, v] of Object.entries(cors)) out.headers.set(k, v);
  } catch {
    // Immutable headers (a fetched Response): copy.
    out = new Response(response.body, response);
    for (const [k, v] of Object.entries(cors)) out.headers.set(k, v);
  }
  return out;
}
