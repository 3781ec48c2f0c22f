/** KMS: keys (with aliases) → metadata, policy, tags; schedule deletion. */
import { h } from "../dom.ts";
import { call, callAll } from "../api.ts";
import { button, confirmed, enc, field, go, kv, pre, section, status, text, when } from "../ui.ts";
import { detailPage, listPage } from "./resource.ts";

export async function kms(el: HTMLElement, path: string[]): Promise<void> {
  if (path[0]) return key(el, path[0]);
  const keys = await callAll("kms", "ListKeys", { Limit: 1000 }, (o) => o.Keys, ["Marker", "NextMarker"], 200);
  const aliases = await callAll("kms", "ListAliases", { Limit: 100 }, (o) => o.Aliases, ["Marker", "NextMarker"]);
  const rows = await Promise.all(keys.map(async (k) => ({ ...(await call("kms", "DescribeKey", { KeyId: k.KeyId! })).KeyMetadata, aliases: aliases.filter((a) => a.TargetKeyId === k.KeyId).map((a) => a.AliasName) })));
  listPage(el, {
    title: "KMS keys", name: "keys", rows,
    columns: [
      { title: "key id", cell: (k) => k.KeyId },
      { title: "aliases", cell: (k) => k.aliases.join(", ") },
      { title: "spec", cell: (k) => k.KeySpec },
      { title: "usage", cell: (k) => k.KeyUsage },
      { title: "state", cell: (k) => k.KeyState },
      { title: "manager", cell: (k) => k.KeyManager },
      { title: "created", cell: (k) => when(k.CreationDate) },
    ],
    href: (k) => `#/kms/${enc(k.KeyId)}`,
    create: { label: "Create key", fields: [field("New key: description", text("description"))], submit: async (data) => {
      const out = await call("kms", "CreateKey", { Description: String(data.get("description") ?? "") });
      return `#/kms/${enc(out.KeyMetadata!.KeyId)}`;
    } },
  });
}

async function key(el: HTMLElement, id: string): Promise<void> {
  const meta = (await call("kms", "DescribeKey", { KeyId: id })).KeyMetadata!;
  const policy = await call("kms", "GetKeyPolicy", { KeyId: id, PolicyName: "default" }).then((o) => o.Policy, () => undefined);
  const tags = await call("kms", "ListResourceTags", { KeyId: id }).then((o) => o.Tags ?? [], () => []);
  detailPage(el, id, ["#/kms", "keys"], [
    meta.KeyState !== "PendingDeletion" && meta.KeyManager === "CUSTOMER" ? button("Schedule deletion (7 days)", async () => {
      if (!confirmed(`Schedule deletion of key ${id} in 7 days?`)) return;
      await call("kms", "ScheduleKeyDeletion", { KeyId: id, PendingWindowInDays: 7 });
      status(`Key ${id} is pending deletion.`);
      go(location.hash);
    }, { class: "danger", "data-action": "delete" }) : null,
    meta.KeyState === "PendingDeletion" ? button("Cancel deletion", async () => {
      await call("kms", "CancelKeyDeletion", { KeyId: id });
      status(`Cancelled the deletion of ${id}.`);
      go(location.hash);
    }) : null,
  ],
  section("Key", kv(meta)),
  section("Tags", kv(Object.fromEntries(tags.map((t) => [t.TagKey, t.TagValue])))),
  policy ? section("Key policy", pre(JSON.parse(policy))) : h("span"));
}
