/**
 * Access control lists (Create/Update/Delete/DescribeACLs); the clusters using an ACL are derived when read.
 * Source: https://docs.aws.amazon.com/memorydb/latest/APIReference/API_CreateACL.html
 */
import type { Handler, Handlers, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/memorydb.ts";
import { fault, invalidCombination, invalidValue } from "./errors.ts";
import { event } from "./events.ts";
import { all, arn, get, type Obj, page } from "./state.ts";
import { setTags } from "./tags.ts";

async function clustersUsingAcl(ctx: RequestContext, acl: string): Promise<string[]> {
  return (await all(ctx.store, "cluster")).filter((c) => c.ACLName === acl).map((c) => c.Name).sort();
}

async function describeAcl(ctx: RequestContext, acl: Obj): Promise<Obj> {
  return { ...acl, UserNames: acl.UserNames.slice().sort(), Clusters: await clustersUsingAcl(ctx, acl.Name) };
}

async function checkUsers(ctx: RequestContext, names: string[] | undefined): Promise<void> {
  const seen = new Set<string>();
  for (const name of names ?? []) {
    if (seen.has(name)) throw fault("DuplicateUserNameFault", `User name ${name} is duplicated.`);
    seen.add(name);
    if (!(await get(ctx.store, "user", name))) throw fault("UserNotFoundFault", `User ${name} not found.`);
  }
}

export const aclHandlers: Handlers<Ops> = {
  async CreateACL(input, ctx) {
    const name: string = input.ACLName;
    await checkUsers(ctx, input.UserNames);
    const acl = { Name: name, Status: "active", UserNames: input.UserNames ?? [], MinimumEngineVersion: "6.2", ARN: arn(ctx, "acl", name) };
    const result = await ctx.store.atomic().check({ key: ["acl", name], versionstamp: null }).set(["acl", name], acl).commit();
    if (!result.ok) throw fault("ACLAlreadyExistsFault", `ACL ${name} already exists.`);
    await setTags(ctx, acl.ARN, input.Tags);
    await event(ctx, name, "acl", `ACL ${name} created`);
    return { ACL: { ...(await describeAcl(ctx, acl)), Status: "creating" } };
  },

  async UpdateACL(input, ctx) {
    const acl = await get(ctx.store, "acl", input.ACLName);
    if (!acl) throw fault("ACLNotFoundFault", `ACL ${input.ACLName} not found.`);
    if (acl.Name === "open-access") throw invalidValue("The open-access ACL cannot be modified.");
    if (!input.UserNamesToAdd?.length && !input.UserNamesToRemove?.length) throw invalidCombination("At least one of UserNamesToAdd or UserNamesToRemove must be specified.");
    await checkUsers(ctx, input.UserNamesToAdd);
    const overlap = (input.UserNamesToAdd ?? []).filter((u: string) => (input.UserNamesToRemove ?? []).includes(u));
    if (overlap.length) throw fault("DuplicateUserNameFault", `User ${overlap[0]} cannot be both added and removed.`);
    for (const u of input.UserNamesToRemove ?? []) {
      if (!acl.UserNames.includes(u)) throw fault("UserNotFoundFault", `User ${u} is not a member of ACL ${acl.Name}.`);
    }
    const names = new Set<string>(acl.UserNames);
    for (const u of input.UserNamesToAdd ?? []) names.add(u);
    for (const u of input.UserNamesToRemove ?? []) names.delete(u);
    const next = { ...acl, UserNames: [...names] };
    await ctx.store.set(["acl", acl.Name], next);
    return { ACL: { ...(await describeAcl(ctx, next)), Status: "modifying" } };
  },

  async DeleteACL(input, ctx) {
    const acl = await get(ctx.store, "acl", input.ACLName);
    if (!acl) throw fault("ACLNotFoundFault", `ACL ${input.ACLName} not found.`);
    if (acl.Name === "open-access") throw invalidValue("The open-access ACL cannot be deleted.");
    const described = await describeAcl(ctx, acl);
    if (described.Clusters.length) throw fault("InvalidACLStateFault", `ACL ${acl.Name} is in use by clusters: ${described.Clusters.join(", ")}.`);
    await ctx.store.delete(["acl", acl.Name]);
    await ctx.store.delete(["tags", acl.ARN]);
    await event(ctx, acl.Name, "acl", `ACL ${acl.Name} deleted`);
    return { ACL: { ...described, Status: "deleting" } };
  },

  async DescribeACLs(input, ctx) {
    let acls = await all(ctx.store, "acl");
    if (input.ACLName) {
      acls = acls.filter((a) => a.Name === input.ACLName);
      if (!acls.length) throw fault("ACLNotFoundFault", `ACL ${input.ACLName} not found.`);
    }
    const { items, NextToken } = page(acls, (a) => a.Name, input);
    return { ACLs: await Promise.all(items.map((a) => describeAcl(ctx, a))), NextToken };
  },
};
