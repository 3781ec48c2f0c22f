/** SSM Parameter Store: parameters → value (decrypted), history; put and delete. */
import { h } from "../dom.ts";
import type { ParameterType } from "../../../generated/ssm.ts";
import { call, callAll } from "../api.ts";
import { button, confirmed, enc, field, form, go, kv, section, select, status, table, text, when } from "../ui.ts";
import { detailPage, listPage } from "./resource.ts";

export async function ssm(el: HTMLElement, path: string[]): Promise<void> {
  if (path[0]) return parameter(el, path[0]);
  const params = await callAll("ssm", "DescribeParameters", { MaxResults: 50 }, (o) => o.Parameters);
  listPage(el, {
    title: "SSM parameters", name: "parameters", rows: params,
    columns: [
      { title: "name", cell: (p) => p.Name },
      { title: "type", cell: (p) => p.Type },
      { title: "version", cell: (p) => p.Version },
      { title: "tier", cell: (p) => p.Tier ?? "" },
      { title: "modified", cell: (p) => when(p.LastModifiedDate) },
    ],
    href: (p) => `#/ssm/${enc(p.Name)}`,
    create: { label: "Put", fields: [field("Parameter", text("name", { required: true, placeholder: "/app/config" })), field("value", text("value", { required: true })), field("type", select("type", ["String", "StringList", "SecureString"]))], submit: async (data) => {
      await call("ssm", "PutParameter", { Name: String(data.get("name")), Value: String(data.get("value")), Type: String(data.get("type")) as ParameterType, Overwrite: true });
    } },
    remove: { what: (p) => `parameter ${p.Name}`, run: (p) => call("ssm", "DeleteParameter", { Name: p.Name! }) },
  });
}

async function parameter(el: HTMLElement, name: string): Promise<void> {
  const p = (await call("ssm", "GetParameter", { Name: name, WithDecryption: true })).Parameter!;
  const history = await callAll("ssm", "GetParameterHistory", { Name: name, WithDecryption: true }, (o) => o.Parameters);
  detailPage(el, name, ["#/ssm", "parameters"], [
    button("Delete", async () => {
      if (!confirmed(`Delete parameter ${name}?`)) return;
      await call("ssm", "DeleteParameter", { Name: name });
      status(`Deleted parameter ${name}.`);
      go("#/ssm");
    }, { class: "danger", "data-action": "delete" }),
  ],
  section("New value", form("put-parameter", async (data) => {
    const out = await call("ssm", "PutParameter", { Name: name, Value: String(data.get("value")), Overwrite: true });
    status(`Stored version ${out.Version}.`);
    go(location.hash);
  }, field("value", text("value", { required: true, value: p.Value })), h("button", { type: "submit" }, "Store"))),
  section("Parameter", kv(p)),
  section("History", table([
    { title: "version", cell: (v) => v.Version },
    { title: "value", cell: (v) => v.Value },
    { title: "labels", cell: (v) => (v.Labels ?? []).join(", ") },
    { title: "modified", cell: (v) => when(v.LastModifiedDate) },
  ], history, { name: "history" })));
}
