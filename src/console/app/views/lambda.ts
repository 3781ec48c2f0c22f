/** Lambda: functions → configuration, invoke with a payload, recorded invocations and logs. */
import { h, fill } from "../dom.ts";
import type { InvocationType } from "../../../generated/lambda.ts";
import { base64ToBytes, bytesToBase64, call, callAll, view } from "../api.ts";
import { button, bytes, confirmed, enc, field, form, go, kv, pre, section, status, when } from "../ui.ts";
import { detailPage, listPage, records } from "./resource.ts";

const utf8 = (b64: string | undefined) => (b64 ? new TextDecoder().decode(base64ToBytes(b64)) : "");

export async function lambda(el: HTMLElement, path: string[]): Promise<void> {
  if (path[0]) return fn(el, path[0]);
  const functions = await callAll("lambda", "ListFunctions", {}, (o) => o.Functions, ["Marker", "NextMarker"]);
  listPage(el, {
    title: "Lambda functions", name: "functions", rows: functions,
    columns: [
      { title: "name", cell: (f) => f.FunctionName },
      { title: "runtime", cell: (f) => f.Runtime ?? f.PackageType ?? "" },
      { title: "handler", cell: (f) => f.Handler ?? "" },
      { title: "memory", cell: (f) => `${f.MemorySize} MB` },
      { title: "code", cell: (f) => bytes(f.CodeSize) },
      { title: "modified", cell: (f) => when(f.LastModified) },
    ],
    href: (f) => `#/lambda/${enc(f.FunctionName)}`,
    remove: { what: (f) => `function ${f.FunctionName}`, run: (f) => call("lambda", "DeleteFunction", { FunctionName: f.FunctionName! }) },
  });
}

async function fn(el: HTMLElement, name: string): Promise<void> {
  const out = await call("lambda", "GetFunction", { FunctionName: name });
  const invocations = await view<Record<string, unknown>[] | { invocations?: Record<string, unknown>[] }>("lambda", "invocations", { function: name }).catch(() => []);
  const result = h("div");
  const { Environment, ...config } = out.Configuration ?? {};
  detailPage(el, name, ["#/lambda", "functions"], [
    button("Delete function", async () => {
      if (!confirmed(`Delete function ${name}?`)) return;
      await call("lambda", "DeleteFunction", { FunctionName: name });
      status(`Deleted function ${name}.`);
      go("#/lambda");
    }, { class: "danger", "data-action": "delete" }),
  ],
  section("Invoke", form("invoke", async (data) => {
    const payload = String(data.get("payload") || "{}");
    const res = await call("lambda", "Invoke", { FunctionName: name, Payload: bytesToBase64(new TextEncoder().encode(payload)), LogType: "Tail", InvocationType: String(data.get("type")) as InvocationType });
    fill(result, section(`Result: ${res.StatusCode}${res.FunctionError ? ` (${res.FunctionError})` : ""}`, pre(utf8(res.Payload) || "(no payload)"), res.LogResult ? pre(utf8(res.LogResult)) : null));
    status(`Invoked ${name}: ${res.StatusCode}.`);
  }, field("Payload (JSON)", h("textarea", { name: "payload", rows: 4 }, "{}")),
  field("type", h("select", { name: "type" }, ["RequestResponse", "Event", "DryRun"].map((t) => h("option", { value: t }, t)))),
  h("button", { type: "submit" }, "Invoke")), result),
  records("Invocations", "invocations", Array.isArray(invocations) ? invocations : (invocations.invocations ?? [])),
  section("Configuration", kv(config)),
  section("Environment", kv(Environment?.Variables)),
  section("Tags", kv(out.Tags)));
}
