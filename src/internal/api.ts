/**
 * fetchstack's own endpoints under `/_fetchstack/` (JSON in and out), routed by itty-router:
 *
 * - `GET  /_fetchstack/health`            services and their status, version, store kind
 * - `POST /_fetchstack/reset[?service=s]` clears all state, or one service's
 * - `GET  /_fetchstack/state`             snapshot of all state (see docs/state-format.md)
 * - `PUT  /_fetchstack/state`             restore: replaces all state with the body's snapshot
 * - `POST /_fetchstack/state`             merge: adds the body's snapshot without deleting
 * - `GET  /_fetchstack/services/:service/:view?account=&region=`  what a service did (e.g.
 *   `firehose/deliveries`); account and region default to the emulator's defaults
 */
import { AutoRouter, json, error, type IRequest } from "itty-router";

export interface InternalApiTarget {
  health(): Record<string, unknown>;
  reset(service?: string): Promise<void>;
  snapshot(): Promise<unknown>;
  restore(state: unknown, mode: "replace" | "merge"): Promise<void>;
  hasService(name: string): boolean;
  /** A service's introspection view; undefined when there is no such view. */
  introspect(service: string, name: string, params: URLSearchParams): Promise<unknown> | undefined;
}

export const INTERNAL_PREFIX = "/_fetchstack";

export function createInternalApi(target: InternalApiTarget, basePath: string) {
  const router = AutoRouter({ base: `${basePath}${INTERNAL_PREFIX}` });
  const readState = async (request: IRequest) => {
    try {
      return await request.json();
    } catch {
      return undefined;
    }
  };
  router
    .get("/health", () => target.health())
    .post("/reset", async (request: IRequest) => {
      const service = request.query.service as string | undefined;
      if (service && !target.hasService(service)) return error(404, { error: `unknown service ${service}` });
      await target.reset(service);
      return { reset: service ?? "all" };
    })
    .get("/state", async () => json(await target.snapshot()))
    .get("/services/:service/:view", async (request: IRequest) => {
      const params = new URL(request.url).searchParams;
      const result = target.introspect(request.params.service, request.params.view, params);
      if (!result) return error(404, { error: `no view ${request.params.view} for service ${request.params.service}` });
      const value = await result;
      // A view may answer with its own Response (non-JSON content, e.g. SNS's signing certificate).
      return value instanceof Response ? value : json(value);
    })
    .put("/state", async (request: IRequest) => {
      const state = await readState(request);
      if (!state) return error(400, { error: "body must be a JSON state snapshot" });
      return restoreOr400(() => target.restore(state, "replace"), { restored: true });
    })
    .post("/state", async (request: IRequest) => {
      const state = await readState(request);
      if (!state) return error(400, { error: "body must be a JSON state snapshot" });
      return restoreOr400(() => target.restore(state, "merge"), { merged: true });
    });
  return router;
}

/** A snapshot that is not one (wrong format or version) is the caller's error, not ours. */
async function restoreOr400(restore: () => Promise<void>, ok: Record<string, unknown>) {
  try {
    await restore();
    return ok;
  } catch (e) {
    if (e instanceof TypeError) return error(400, { error: e.message });
    throw e;
  }
}
