/**
 * Users (Create/Update/Delete/DescribeUsers); ACL membership is derived from the ACLs when read.
 * Source: https://docs.aws.amazon.com/memorydb/latest/APIReference/API_CreateUser.html
 */
import type { Handler, Handlers, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/memorydb.ts";
import { invalidAccessRule } from "./access-string.ts";
import { fault, invalidCombination, invalidValue } from "./errors.ts";
import { event } from "./events.ts";
import { all, arn, get, type Obj, page } from "./state.ts";
import { setTags } from "./tags.ts";

function authenticationFor(mode: { Type?: string; Passwords?: string[] } | undefined): Obj {
  if (!mode?.Type) throw invalidValue("Authentication mode type is required.");
  if (mode.Type === "password") {
    const passwords = mode.Passwords ?? [];
    if (passwords.length < 1 || passwords.length > 2) throw invalidValue("Passwords must contain 1 or 2 passwords when authentication type is password.");
    for (const pw of passwords) {
      if (pw.length < 16 || pw.length > 128) throw invalidValue("Passwords length must be between 16-128 characters.");
      if (/[\s"@/]/.test(pw)) throw invalidValue("Passwords must not contain spaces, double quotes, @ or /.");
    }
    return { Type: "password", PasswordCount: passwords.length };
  }
  if (mode.Passwords?.length) throw invalidCombination("Passwords are not allowed when authentication type is iam.");
  return { Type: mode.Type };
}

function checkAccessString(accessString: string): void {
  const bad = invalidAccessRule(accessString);
  if (bad !== null) throw invalidValue(`Access string is invalid: unrecognized rule '${bad}'.`);
}

async function describeUser(ctx: RequestContext, user: Obj): Promise<Obj> {
  const acls = (await all(ctx.store, "acl")).filter((a) => a.UserNames.includes(user.Name)).map((a) => a.Name).sort();
  const { Status, ...rest } = user;
  return { ...rest, Status, ACLNames: acls };
}

export const userHandlers: Handlers<Ops> = {
  async CreateUser(input, ctx) {
    const name: string = input.UserName;
    checkAccessString(input.AccessString);
    const authentication = authenticationFor(input.AuthenticationMode);
    const user = { Name: name, Status: "active", AccessString: input.AccessString, MinimumEngineVersion: "6.2", Authentication: authentication, ARN: arn(ctx, "user", name) };
    const result = await ctx.store.atomic().check({ key: ["user", name], versionstamp: null }).set(["user", name], user).commit();
    if (!result.ok) throw fault("UserAlreadyExistsFault", `User ${name} already exists.`);
    await setTags(ctx, user.ARN, input.Tags);
    await event(ctx, name, "user", `User ${name} created`);
    return { User: await describeUser(ctx, user) };
  },

  async UpdateUser(input, ctx) {
    const user = await get(ctx.store, "user", input.UserName);
    if (!user) throw fault("UserNotFoundFault", `User ${input.UserName} not found.`);
    if (user.Name === "default") throw invalidValue("The default user cannot be modified.");
    const next = { ...user };
    if (input.AccessString !== undefined) {
      checkAccessString(input.AccessString);
      next.AccessString = input.AccessString;
    }
    if (input.AuthenticationMode) next.Authentication = authenticationFor(input.AuthenticationMode);
    await ctx.store.set(["user", user.Name], next);
    return { User: { ...(await describeUser(ctx, next)), Status: "modifying" } };
  },

  async DeleteUser(input, ctx) {
    const user = await get(ctx.store, "user", input.UserName);
    if (!user) throw fault("UserNotFoundFault", `User ${input.UserName} not found.`);
    if (user.Name === "default") throw invalidValue("The default user cannot be deleted.");
    const described = await describeUser(ctx, user);
    // AWS: the user is removed from all ACLs, and in turn from all clusters.
    for (const acl of await all(ctx.store, "acl")) {
      if (acl.UserNames.includes(user.Name)) await ctx.store.set(["acl", acl.Name], { ...acl, UserNames: acl.UserNames.filter((u: string) => u !== user.Name) });
    }
    await ctx.store.delete(["user", user.Name]);
    await ctx.store.delete(["tags", user.ARN]);
    await event(ctx, user.Name, "user", `User ${user.Name} deleted`);
    return { User: { ...described, Status: "deleting" } };
  },

  async DescribeUsers(input, ctx) {
    let users = await all(ctx.store, "user");
    if (input.UserName) {
      users = users.filter((u) => u.Name === input.UserName);
      if (!users.length) throw fault("UserNotFoundFault", `User ${input.UserName} not found.`);
    }
    for (const filter of input.Filters ?? []) {
      if (filter.Name !== "access-string") throw invalidValue(`Invalid filter name: ${filter.Name}. Valid filter: access-string.`);
      users = users.filter((u) => filter.Values.includes(u.AccessString));
    }
    const { items, NextToken } = page(users, (u) => u.Name, input);
    return { Users: await Promise.all(items.map((u) => describeUser(ctx, u))), NextToken };
  },
};
