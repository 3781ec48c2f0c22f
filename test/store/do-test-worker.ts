// A worker that hands each request to the Durable Object named by ?name=, so that the
// Durable Object store's client (in the test process) can drive real objects in Miniflare.
export { FetchstackStateObject } from "../../src/store/durable-object.ts";

interface Namespace {
  idFromName(name: string): unknown;
  get(id: unknown): { fetch(request: Request): Promise<Response> };
}

export default {
  fetch(request: Request, env: { STATE: Namespace }): Promise<Response> {
    const name = new URL(request.url).searchParams.get("name")!;
    return env.STATE.get(env.STATE.idFromName(name)).fetch(request);
  },
};
