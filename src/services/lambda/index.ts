/**
 * AWS Lambda over restJson1 (codec: src/protocol/rest-json.ts).
 * Source: https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html
 *
 * Control plane in functions.ts (functions, versions), aliases.ts, layers.ts, policy.ts,
 * settings.ts (tags, concurrency, event invoke config, URLs, account settings) and esm.ts
 * (event source mappings). Code packages live in the blob store (code.ts); GetFunction's
 * Code.Location and GetLayerVersion's Content.Location point at routes this service serves
 * itself (`preRoute` below): `GET <endpoint>/2015-03-31/functions/<name>/package?account=&region=&sha256=`
 * and `GET <endpoint>/2018-10-31/layers/<name>/versions/<n>/package?account=&region=`.
 * Design and limitations: docs/lambda.md.
 */
import { defineService, type Handler, type RequestContext } from "../types.ts";
import type { Operations } from "../../generated/lambda.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import type { IncomingRequest } from "../../protocol/codec.ts";
import model from "../../../models/lambda.json" with { type: "json" };
import { functionHandlers } from "./functions.ts";
import { aliasHandlers } from "./aliases.ts";
import { layerHandlers } from "./layers.ts";
import { policyHandlers } from "./policy.ts";
import { settingsHandlers } from "./settings.ts";
import { esmHandlers } from "./esm.ts";
import { invokeHandlers, listInvocations } from "./invoke.ts";
import { armMappings } from "./poller.ts";
import { serveStreamingInvoke } from "./stream.ts";
import { serveFunctionUrl } from "./urls.ts";
import { codeSigningHandlers } from "./code-signing.ts";
import { capacityHandlers } from "./capacity.ts";
import { armDurable, durableHandlers } from "./durable.ts";
import { codeBlobs, functionCodeKey, layerCodeKey, loadPackage } from "./code.ts";
import { lambdaAuthorization } from "./authorization.ts";

const FUNCTION_PACKAGE = /^\/2015-03-31\/functions\/([^/]+)\/package$/;
const LAYER_PACKAGE = /^\/2018-10-31\/layers\/([^/]+)\/versions\/(\d+)\/package$/;

/** Serves the zips behind Code.Location / Content.Location (plain GETs, no signature needed). */
async function servePackage(incoming: IncomingRequest, ctx: RequestContext): Promise<Response | undefined> {
  if (incoming.method !== "GET") return undefined;
  const fnMatch = FUNCTION_PACKAGE.exec(incoming.path);
  const layerMatch = fnMatch ? null : LAYER_PACKAGE.exec(incoming.path);
  if (!fnMatch && !layerMatch) return undefined;
  const query = incoming.url.searchParams;
  const scope = { accountId: query.get("account") ?? ctx.accountId, region: query.get("region") ?? ctx.region };
  const key = fnMatch
    ? functionCodeKey(scope, decodeURIComponent(fnMatch[1]!), (query.get("sha256") ?? "").replace(/[^0-9a-f]/g, ""))
    : layerCodeKey(scope, decodeURIComponent(layerMatch![1]!), Number(layerMatch![2]));
  const bytes = await loadPackage(codeBlobs(ctx), key);
  if (!bytes) {
    return new Response(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>`, {
      status: 404, headers: { "content-type": "application/xml" },
    });
  }
  return new Response(bytes as BodyInit, { status: 200, headers: { "content-type": "application/zip", "content-length": String(bytes.byteLength) } });
}

const operations = {
  ...functionHandlers,
  ...aliasHandlers,
  ...layerHandlers,
  ...policyHandlers,
  ...settingsHandlers,
  ...esmHandlers,
  ...invokeHandlers,
  ...codeSigningHandlers,
  ...capacityHandlers,
  ...durableHandlers,
};

/** Every request first re-arms this account's pollers and durable executions if this emulator has not yet (restarts). */
const handlers = Object.fromEntries(Object.entries(operations).map(([name, handler]) => [name, async (input: unknown, ctx: RequestContext) => {
  await armMappings(ctx);
  await armDurable(ctx);
  return (handler as Handler)(input, ctx);
}])) as typeof operations;

export default defineService<Operations>({
  name: "lambda",
  authorization: lambdaAuthorization,
  model: model as unknown as ServiceModel,
  handlers,
  preRoute: async (incoming, ctx) =>
    (await servePackage(incoming, ctx)) ?? (await serveStreamingInvoke(incoming, ctx)) ?? serveFunctionUrl(incoming, ctx),
  introspection: {
    /** Every invocation (payloads and logs cut to 4 KB), oldest first; `?function=` filters. */
    invocations: (store, params) => listInvocations(store, params.get("function") ?? undefined),
  },
});
