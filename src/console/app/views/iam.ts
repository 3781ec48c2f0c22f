/** IAM: users, roles and customer managed policies of the account. */
import { h } from "../dom.ts";
import { call, callAll } from "../api.ts";
import { section, table, when } from "../ui.ts";
import { listPage } from "./resource.ts";

export async function iam(el: HTMLElement): Promise<void> {
  const users = await callAll("iam", "ListUsers", {}, (o) => o.Users, ["Marker", "Marker"]);
  const roles = await callAll("iam", "ListRoles", {}, (o) => o.Roles, ["Marker", "Marker"]);
  const policies = await callAll("iam", "ListPolicies", { Scope: "Local" }, (o) => o.Policies, ["Marker", "Marker"]);
  listPage(el, {
    title: "IAM users", name: "users", rows: users,
    columns: [{ title: "name", cell: (u) => u.UserName }, { title: "arn", cell: (u) => h("code", null, u.Arn) }, { title: "created", cell: (u) => when(u.CreateDate) }],
    remove: { what: (u) => `user ${u.UserName}`, run: (u) => call("iam", "DeleteUser", { UserName: u.UserName }) },
    after: [
      section("Roles", table([{ title: "name", cell: (r) => r.RoleName }, { title: "arn", cell: (r) => h("code", null, r.Arn) }, { title: "created", cell: (r) => when(r.CreateDate) }], roles, { name: "roles" })),
      section("Customer managed policies", table([{ title: "name", cell: (p) => p.PolicyName }, { title: "attached", cell: (p) => p.AttachmentCount }, { title: "version", cell: (p) => p.DefaultVersionId }], policies, { name: "policies" })),
    ],
  });
}
