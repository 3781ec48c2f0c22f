/**
 * IAM users and groups: CreateUser ... ListGroupsForUser, user tags and permissions boundaries.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateUser.html and neighbours.
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { Group, Operations, User } from "../../generated/iam.ts";
import {
  alreadyExists, date, deleteConflict, deleteRecord, getRecord, iamArn, limitExceeded, listRecords, mergeTags, noSuchEntity,
  paginate, putRecord, removeTags, scopeOf, tagsOut, underPath, uniqueId, type Scope,
} from "./common.ts";
import { loadGroup, loadUser, type GroupRecord, type UserRecord } from "./records.ts";
import { requirePolicy } from "./policies.ts";
import { callerUser, lookupKey, saveKey } from "./keys.ts";
import { forgetAccess } from "./access.ts";

const MAX_GROUPS_PER_USER = 10;

export function userOut(user: UserRecord, full = true): User {
  return {
    Path: user.Path,
    UserName: user.UserName,
    UserId: user.UserId,
    Arn: user.Arn,
    CreateDate: date(user.CreateDate),
    PasswordLastUsed: user.PasswordLastUsed !== undefined ? date(user.PasswordLastUsed) : undefined,
    ...(full ? {
      PermissionsBoundary: user.PermissionsBoundary ? { PermissionsBoundaryType: "PermissionsBoundaryPolicy" as const, PermissionsBoundaryArn: user.PermissionsBoundary } : undefined,
      Tags: tagsOut(user.Tags),
    } : {}),
  };
}

export function groupOut(group: GroupRecord): Group {
  return { Path: group.Path, GroupName: group.GroupName, GroupId: group.GroupId, Arn: group.Arn, CreateDate: date(group.CreateDate) };
}

/** The user a request names, or (no name) the caller's own user; NoSuchEntity otherwise. */
export async function namedOrCaller(ctx: RequestContext, name: string | undefined): Promise<UserRecord> {
  if (name !== undefined) return loadUser(scopeOf(ctx), name);
  const user = await callerUser(ctx);
  if (!user) throw noSuchEntity("Must specify userName when calling with non-User credentials");
  return user;
}

export function newUserRecord(scope: Scope, name: string, path: string): UserRecord {
  return {
    UserName: name, UserId: uniqueId("AIDA"), Path: path, Arn: iamArn(scope.account, "user", path, name), CreateDate: scope.now,
    Tags: [], Attached: [], Inline: {}, Groups: [], AccessKeys: [], MfaDevices: [], SigningCertificates: [], SshKeys: [], ServiceCredentials: [],
  };
}

export const userHandlers: Handlers<Operations> = {
  async CreateUser(input, ctx) {
    const scope = scopeOf(ctx);
    if (await getRecord(scope, "user", input.UserName)) throw alreadyExists(`User with name ${input.UserName} already exists.`);
    if (input.PermissionsBoundary) await requirePolicy(scope, input.PermissionsBoundary);
    const user: UserRecord = {
      ...newUserRecord(scope, input.UserName, input.Path ?? "/"),
      PermissionsBoundary: input.PermissionsBoundary,
      Tags: mergeTags([], input.Tags),
    };
    await putRecord(scope, "user", user.UserName, user);
    return { User: userOut(user) };
  },

  async GetUser(input, ctx) {
    if (input.UserName === undefined) {
      const user = await callerUser(ctx);
      if (!user) {
        // Root credentials: IAM describes the account's root user.
        return { User: { UserId: ctx.accountId, Arn: `arn:aws:iam::${ctx.accountId}:root`, CreateDate: date(0) } as User };
      }
      return { User: userOut(user) };
    }
    return { User: userOut(await loadUser(scopeOf(ctx), input.UserName)) };
  },

  async ListUsers(input, ctx) {
    const users = underPath(await listRecords<UserRecord>(scopeOf(ctx), "user"), input.PathPrefix);
    const page = paginate(users.map((u) => userOut(u, false)), input.Marker, input.MaxItems);
    return { Users: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async UpdateUser(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loadUser(scope, input.UserName);
    const newName = input.NewUserName ?? user.UserName;
    const newPath = input.NewPath ?? user.Path;
    if (newName.toLowerCase() !== user.UserName.toLowerCase() && (await getRecord(scope, "user", newName))) {
      throw alreadyExists(`User with name ${newName} already exists.`);
    }
    const updated: UserRecord = { ...user, UserName: newName, Path: newPath, Arn: iamArn(scope.account, "user", newPath, newName) };
    await deleteRecord(scope, "user", user.UserName);
    await putRecord(scope, "user", newName, updated);
    for (const id of user.AccessKeys) {
      const key = await lookupKey(scope.store, id);
      if (key) await saveKey(scope.store, { ...key, UserName: newName });
    }
    return {};
  },

  async DeleteUser(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loadUser(scope, input.UserName);
    if (Object.keys(user.Inline).length) throw deleteConflict("Cannot delete entity, must delete policies first.");
    if (user.Attached.length) throw deleteConflict("Cannot delete entity, must detach all policies first.");
    if (user.AccessKeys.length) throw deleteConflict("Cannot delete entity, must delete access keys first.");
    if (user.LoginProfile) throw deleteConflict("Cannot delete entity, must delete login profile first.");
    if (user.Groups.length) throw deleteConflict("Cannot delete entity, must remove users from group first.");
    if (user.MfaDevices.length) throw deleteConflict("Cannot delete entity, must delete MFA device first.");
    if (user.SigningCertificates.length) throw deleteConflict("Cannot delete entity, must delete signing certificates first.");
    if (user.SshKeys.length) throw deleteConflict("Cannot delete entity, must delete SSH public keys first.");
    if (user.ServiceCredentials.length) throw deleteConflict("Cannot delete entity, must delete service specific credentials first.");
    await deleteRecord(scope, "user", user.UserName);
    await forgetAccess(scope, user.UserId);
    return {};
  },

  async TagUser(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loadUser(scope, input.UserName);
    await putRecord(scope, "user", user.UserName, { ...user, Tags: mergeTags(user.Tags, input.Tags) });
    return {};
  },

  async UntagUser(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loadUser(scope, input.UserName);
    await putRecord(scope, "user", user.UserName, { ...user, Tags: removeTags(user.Tags, input.TagKeys) });
    return {};
  },

  async ListUserTags(input, ctx) {
    const user = await loadUser(scopeOf(ctx), input.UserName);
    const page = paginate(user.Tags, input.Marker, input.MaxItems);
    return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async PutUserPermissionsBoundary(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loadUser(scope, input.UserName);
    await requirePolicy(scope, input.PermissionsBoundary);
    await putRecord(scope, "user", user.UserName, { ...user, PermissionsBoundary: input.PermissionsBoundary });
    return {};
  },

  async DeleteUserPermissionsBoundary(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loadUser(scope, input.UserName);
    await putRecord(scope, "user", user.UserName, { ...user, PermissionsBoundary: undefined });
    return {};
  },

  // ---- groups ----

  async CreateGroup(input, ctx) {
    const scope = scopeOf(ctx);
    if (await getRecord(scope, "group", input.GroupName)) throw alreadyExists(`Group with name ${input.GroupName} already exists.`);
    const path = input.Path ?? "/";
    const group: GroupRecord = {
      GroupName: input.GroupName, GroupId: uniqueId("AGPA"), Path: path, Arn: iamArn(scope.account, "group", path, input.GroupName),
      CreateDate: scope.now, Attached: [], Inline: {},
    };
    await putRecord(scope, "group", group.GroupName, group);
    return { Group: groupOut(group) };
  },

  async GetGroup(input, ctx) {
    const scope = scopeOf(ctx);
    const group = await loadGroup(scope, input.GroupName);
    const members = (await listRecords<UserRecord>(scope, "user")).filter((u) => u.Groups.some((g) => g.toLowerCase() === group.GroupName.toLowerCase()));
    const page = paginate(members.map((u) => userOut(u, false)), input.Marker, input.MaxItems);
    return { Group: groupOut(group), Users: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async ListGroups(input, ctx) {
    const groups = underPath(await listRecords<GroupRecord>(scopeOf(ctx), "group"), input.PathPrefix);
    const page = paginate(groups.map(groupOut), input.Marker, input.MaxItems);
    return { Groups: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async UpdateGroup(input, ctx) {
    const scope = scopeOf(ctx);
    const group = await loadGroup(scope, input.GroupName);
    const newName = input.NewGroupName ?? group.GroupName;
    const newPath = input.NewPath ?? group.Path;
    if (newName.toLowerCase() !== group.GroupName.toLowerCase() && (await getRecord(scope, "group", newName))) {
      throw alreadyExists(`Group with name ${newName} already exists.`);
    }
    await deleteRecord(scope, "group", group.GroupName);
    await putRecord(scope, "group", newName, { ...group, GroupName: newName, Path: newPath, Arn: iamArn(scope.account, "group", newPath, newName) });
    for (const user of await listRecords<UserRecord>(scope, "user")) {
      if (!user.Groups.some((g) => g.toLowerCase() === group.GroupName.toLowerCase())) continue;
      const groups = user.Groups.map((g) => (g.toLowerCase() === group.GroupName.toLowerCase() ? newName : g));
      await putRecord(scope, "user", user.UserName, { ...user, Groups: groups });
    }
    return {};
  },

  async DeleteGroup(input, ctx) {
    const scope = scopeOf(ctx);
    const group = await loadGroup(scope, input.GroupName);
    const lower = group.GroupName.toLowerCase();
    if ((await listRecords<UserRecord>(scope, "user")).some((u) => u.Groups.some((g) => g.toLowerCase() === lower))) {
      throw deleteConflict("Cannot delete entity, must remove users from group first.");
    }
    if (Object.keys(group.Inline).length) throw deleteConflict("Cannot delete entity, must delete policies first.");
    if (group.Attached.length) throw deleteConflict("Cannot delete entity, must detach all policies first.");
    await deleteRecord(scope, "group", group.GroupName);
    return {};
  },

  async AddUserToGroup(input, ctx) {
    const scope = scopeOf(ctx);
    const group = await loadGroup(scope, input.GroupName);
    const user = await loadUser(scope, input.UserName);
    if (user.Groups.some((g) => g.toLowerCase() === group.GroupName.toLowerCase())) return {};
    if (user.Groups.length >= MAX_GROUPS_PER_USER) throw limitExceeded(`Cannot exceed quota for GroupsPerUser: ${MAX_GROUPS_PER_USER}`);
    await putRecord(scope, "user", user.UserName, { ...user, Groups: [...user.Groups, group.GroupName] });
    return {};
  },

  async RemoveUserFromGroup(input, ctx) {
    const scope = scopeOf(ctx);
    const group = await loadGroup(scope, input.GroupName);
    const user = await loadUser(scope, input.UserName);
    const lower = group.GroupName.toLowerCase();
    if (!user.Groups.some((g) => g.toLowerCase() === lower)) {
      throw noSuchEntity(`The user with name ${input.UserName} cannot be found.`);
    }
    await putRecord(scope, "user", user.UserName, { ...user, Groups: user.Groups.filter((g) => g.toLowerCase() !== lower) });
    return {};
  },

  async ListGroupsForUser(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loadUser(scope, input.UserName);
    const groups: Group[] = [];
    for (const name of user.Groups) {
      const group = await getRecord<GroupRecord>(scope, "group", name);
      if (group) groups.push(groupOut(group));
    }
    const page = paginate(groups, input.Marker, input.MaxItems);
    return { Groups: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },
};
