/** Secrets Manager: secrets → description, versions, value on demand, new value, delete. */
import { h, fill } from "../dom.ts";
import { call, callAll } from "../api.ts";
import { button, confirmed, enc, field, form, go, kv, pre, section, status, table, text, when } from "../ui.ts";
import { detailPage, listPage } from "./resource.ts";

export async function secretsmanager(el: HTMLElement, path: string[]): Promise<void> {
  if (path[0]) return secret(el, path[0]);
  const secrets = await callAll("secretsmanager", "ListSecrets", { MaxResults: 100, IncludePlannedDeletion: true }, (o) => o.SecretList);
  listPage(el, {
    title: "Secrets", name: "secrets", rows: secrets,
    columns: [
      { title: "name", cell: (s) => s.Name },
      { title: "description", cell: (s) => s.Description ?? "" },
      { title: "changed", cell: (s) => when(s.LastChangedDate) },
      { title: "deleting", cell: (s) => (s.DeletedDate ? when(s.DeletedDate) : "") },
    ],
    href: (s) => `#/secretsmanager/${enc(s.Name)}`,
    create: { label: "Create", fields: [field("New secret", text("name", { required: true })), field("value", text("value", { required: true }))], submit: async (data) => {
      await call("secretsmanager", "CreateSecret", { Name: String(data.get("name")), SecretString: String(data.get("value")) });
    } },
  });
}

async function secret(el: HTMLElement, id: string): Promise<void> {
  const d = await call("secretsmanager", "DescribeSecret", { SecretId: id });
  const value = h("div");
  const versions = Object.entries((d.VersionIdsToStages ?? {}) as Record<string, string[]>);
  detailPage(el, d.Name!, ["#/secretsmanager", "secrets"], [
    button("Show value", async () => {
      const v = await call("secretsmanager", "GetSecretValue", { SecretId: id });
      fill(value, section(`Value (version ${v.VersionId})`, pre(v.SecretString ?? `(binary, ${v.SecretBinary?.length ?? 0} base64 characters)`)));
    }, { "data-action": "show-value" }),
    d.DeletedDate ? button("Restore", async () => {
      await call("secretsmanager", "RestoreSecret", { SecretId: id });
      status(`Restored ${d.Name}.`);
      go(location.hash);
    }) : button("Delete (7-day recovery)", async () => {
      if (!confirmed(`Delete secret ${d.Name}? It can be restored for 7 days.`)) return;
      await call("secretsmanager", "DeleteSecret", { SecretId: id, RecoveryWindowInDays: 7 });
      status(`Scheduled deletion of ${d.Name}.`);
      go(location.hash);
    }, { class: "danger", "data-action": "delete" }),
  ],
  value,
  section("New value", form("put-value", async (data, f) => {
    const out = await call("secretsmanager", "PutSecretValue", { SecretId: id, SecretString: String(data.get("value")) });
    f.reset();
    status(`Stored version ${out.VersionId}.`);
    go(location.hash);
  }, field("value", h("textarea", { name: "value", rows: 2, required: true })), h("button", { type: "submit" }, "Store"))),
  section("Versions", table([{ title: "version", cell: ([v]: [string, string[]]) => h("code", null, v) }, { title: "stages", cell: ([, s]: [string, string[]]) => s.join(", ") }], versions, { name: "versions" })),
  section("Secret", kv({ ...d, VersionIdsToStages: undefined })));
}
