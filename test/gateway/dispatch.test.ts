/**
 * Dispatch: an uncaught exception in a handler becomes AWS's 500 InternalFailure, with no stack
 * trace in the body, and is logged; an operation without a handler answers 501.
 */
import { describe, expect, it } from "vitest";
import { dispatch } from "../../src/gateway/dispatch.ts";
import { createIncoming } from "../../src/gateway/incoming.ts";
import { codecFor } from "../../src/protocol/index.ts";
import { defineService, type RequestContext } from "../../src/services/types.ts";
import sts from "../../src/services/sts/index.ts";

function incoming(body: string) {
  return createIncoming({
    request: new Request("http://127.0.0.1:4566/", { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body }),
    url: new URL("http://127.0.0.1:4566/"),
    model: sts.model,
    protocol: "query",
    requestId: "req-1",
    maxBodyBytes: 1024,
  });
}

describe("dispatch", () => {
  it("turns a handler bug into InternalFailure 500 without a stack trace, and logs it", async () => {
    const broken = defineService({
      name: "sts",
      model: sts.model,
      handlers: {
        GetCallerIdentity() {
          throw new TypeError("secret internals at /work/main/src/x.ts:1");
        },
      },
    });
    const logged: unknown[] = [];
    const res = await dispatch(broken, codecFor("query"), incoming("Action=GetCallerIdentity&Version=2011-06-15"), { protocol: "query" } as RequestContext, {
      error: (message, error) => logged.push(message, error),
    });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).toContain("<Code>InternalFailure</Code>");
    expect(text).toContain("<Type>Receiver</Type>");
    expect(text).not.toContain("secret internals");
    expect(text).not.toContain("src/");
    expect(logged).toHaveLength(2);
  });

  it("answers 501 NotImplemented for a modelled operation without a handler", async () => {
    const partial = defineService({ name: "sts", model: sts.model, handlers: {} });
    const res = await dispatch(partial, codecFor("query"), incoming("Action=GetCallerIdentity&Version=2011-06-15"), { protocol: "query" } as RequestContext, { error() {} });
    expect(res.status).toBe(501);
    expect(await res.text()).toContain("<Code>NotImplemented</Code>");
  });
});
