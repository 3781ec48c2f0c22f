/**
 * IAM's side of the seam with the policy engine (src/policy/types.ts): who owns an access key
 * (`resolvePrincipal`), its secret (`resolveSecret`) and the identity-based policies of a user or
 * role (`principalPolicies`). These read IAM's global store directly (no request context).
 */
import type { NamedPolicy, Principal, PrincipalPolicies, PolicyDocument } from "../../policy/types.ts";
import type { Store } from "../../store/types.ts";
import { accountKey, type Kind } from "./common.ts";
import { lookupKey } from "./keys.ts";
import { awsManagedByArn } from "./aws-managed.ts";
import { parsePolicyArn, type PolicyRecord } from "./policies.ts";
import type { GroupRecord, PolicyHolder, RoleRecord, UserRecord } from "./records.ts";

async function read<T>(store: Store, account: string, kind: Kind, name: string): Promise<T | null> {
  return (await store.get<T>(accountKey(account, kind, name))).value;
}

/** The secret of an Active IAM access key, or null (unknown or Inactive: AWS rejects the key). */
export async function resolveSecret(accessKeyId: string, store: Store): Promise<string | null> {
  const key = await lookupKey(store, accessKeyId);
  return key?.Status === "Active" ? key.SecretAccessKey : null;
}

/** The user (or root) behind an Active IAM access key, or null. */
export async function resolvePrincipal(accessKeyId: string, store: Store): Promise<Principal | null> {
  const key = await lookupKey(store, accessKeyId);
  if (!key || key.Status !== "Active") return null;
  if (key.UserName === null) {
    return { account: key.Account, arn: `arn:aws:iam::${key.Account}:root`, userId: key.Account, kind: "root" };
  }
  const user = await read<UserRecord>(store, key.Account, "user", key.UserName);
  if (!user) return null;
  return { account: key.Account, arn: user.Arn, userId: user.UserId, principalArn: user.Arn, kind: "user" };
}

function parseDocument(text: string): PolicyDocument | null {
  try {
    return JSON.parse(text) as PolicyDocument;
  } catch {
    return null;
  }
}

/** The default version of managed policy `arn` as the account sees it, or null. */
export async function managedPolicyDocument(store: Store, account: string, arn: string): Promise<PolicyDocument | null> {
  const aws = awsManagedByArn(arn);
  if (aws) return parseDocument(aws.document);
  const parsed = parsePolicyArn(arn);
  if (!parsed || parsed.account !== account) return null;
  const record = await read<PolicyRecord>(store, account, "policy", parsed.name);
  if (!record || record.Arn !== arn) return null;
  const version = record.Versions.find((v) => v.VersionId === record.DefaultVersionId);
  return version ? parseDocument(version.Document) : null;
}

async function holderPolicies(store: Store, account: string, holder: PolicyHolder): Promise<NamedPolicy[]> {
  const out: NamedPolicy[] = [];
  for (const arn of holder.Attached) {
    const document = await managedPolicyDocument(store, account, arn);
    if (document) out.push({ source: arn, document });
  }
  for (const [name, text] of Object.entries(holder.Inline)) {
    const document = parseDocument(text);
    if (document) out.push({ source: `${holder.Arn}#${name}`, document });
  }
  return out;
}

function tagMap(tags: { Key: string; Value: string }[]): Record<string, string> {
  return Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
}

/**
 * Identity-based policies of the user or role `principalArn` of `account`: its attached and
 * inline policies, and for a user its groups' too; the permissions boundary and tags. An
 * assumed-role session ARN (`arn:aws:sts::<account>:assumed-role/<role>/<session>`) is read as
 * its role. Null when IAM has no such principal.
 */
export async function principalPolicies(principalArn: string, account: string, store: Store): Promise<PrincipalPolicies | null> {
  const match = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(user|role|assumed-role)\/(?:(.*)\/)?([^/]+)$/.exec(principalArn);
  if (!match || match[2] !== account) return null;
  const [, , , type, rest, last] = match;
  if (type === "user") {
    const user = await read<UserRecord>(store, account, "user", last);
    if (!user || user.Arn !== principalArn) return null;
    const identityPolicies = await holderPolicies(store, account, user);
    for (const name of user.Groups) {
      const group = await read<GroupRecord>(store, account, "group", name);
      if (group) identityPolicies.push(...(await holderPolicies(store, account, group)));
    }
    return {
      principalArn: user.Arn,
      identityPolicies,
      permissionsBoundary: await boundary(store, account, user.PermissionsBoundary),
      tags: tagMap(user.Tags),
      userName: user.UserName,
    };
  }
  // role/<path>/<name>, or assumed-role/<name>/<session>.
  const roleName = type === "role" ? last : (rest ?? "").split("/")[0];
  const role = await read<RoleRecord>(store, account, "role", roleName);
  if (!role || (type === "role" && role.Arn !== principalArn)) return null;
  return {
    principalArn: role.Arn,
    identityPolicies: await holderPolicies(store, account, role),
    permissionsBoundary: await boundary(store, account, role.PermissionsBoundary),
    tags: tagMap(role.Tags),
  };
}

async function boundary(store: Store, account: string, arn: string | undefined): Promise<NamedPolicy | undefined> {
  if (!arn) return undefined;
  const document = await managedPolicyDocument(store, account, arn);
  return document ? { source: arn, document } : undefined;
}

/** The attached and inline policies of group `groupArn` of `account`, or null when there is no such group. */
export async function groupPolicies(groupArn: string, account: string, store: Store): Promise<NamedPolicy[] | null> {
  const m = /^arn:aws[a-z-]*:iam::(\d{12}):group\/(?:.*\/)?([^/]+)$/.exec(groupArn);
  if (!m || m[1] !== account) return null;
  const group = await read<GroupRecord>(store, account, "group", m[2]);
  if (!group || group.Arn !== groupArn) return null;
  return holderPolicies(store, account, group);
}
