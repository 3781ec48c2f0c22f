/**
 * What users, groups and roles share: attached managed policies (Attach/Detach/ListAttached
 * *Policies) and inline policies (Put/Get/Delete/List *Policy / *Policies).
 *
 * Quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html): 10
 * managed policies per user, group or role; inline policies at most 2,048 (user), 5,120 (group)
 * and 10,240 (role) characters in aggregate, white space not counted.
 */
import type { Handlers } from "../types.ts";
import type { Operations } from "../../generated/iam.ts";
import { checkDocument, encodeDocument, limitExceeded, noSuchEntity, paginate, policySize, putRecord, scopeOf, type Scope } from "./common.ts";
import { loadHolder, type HolderKind, type PolicyHolder } from "./records.ts";
import { requirePolicy, parsePolicyArn } from "./policies.ts";
import { invalidInput } from "./common.ts";

const MAX_ATTACHED = 10;
const INLINE_MAX: Record<HolderKind, number> = { user: 2048, group: 5120, role: 10240 };
const QUOTA_NAME: Record<HolderKind, string> = { user: "PoliciesPerUser", group: "PoliciesPerGroup", role: "PoliciesPerRole" };
const TITLE: Record<HolderKind, string> = { user: "user", group: "group", role: "role" };

async function save(scope: Scope, kind: HolderKind, name: string, holder: PolicyHolder): Promise<void> {
  await putRecord(scope, kind, name, holder);
}

export async function attach(scope: Scope, kind: HolderKind, name: string, arn: string): Promise<void> {
  if (!parsePolicyArn(arn)) throw invalidInput(`ARN ${arn} is not valid.`);
  const holder = await loadHolder(scope, kind, name);
  await requirePolicy(scope, arn);
  if (holder.Attached.includes(arn)) return;
  if (holder.Attached.length >= MAX_ATTACHED) throw limitExceeded(`Cannot exceed quota for ${QUOTA_NAME[kind]}: ${MAX_ATTACHED}`);
  await save(scope, kind, name, { ...holder, Attached: [...holder.Attached, arn] });
}

export async function detach(scope: Scope, kind: HolderKind, name: string, arn: string): Promise<void> {
  if (!parsePolicyArn(arn)) throw invalidInput(`ARN ${arn} is not valid.`);
  const holder = await loadHolder(scope, kind, name);
  if (!holder.Attached.includes(arn)) throw noSuchEntity(`Policy ${arn} was not found.`);
  await save(scope, kind, name, { ...holder, Attached: holder.Attached.filter((a) => a !== arn) });
}

async function listAttached(scope: Scope, kind: HolderKind, name: string, pathPrefix: string | undefined, marker?: string, maxItems?: number) {
  const holder = await loadHolder(scope, kind, name);
  const rows = holder.Attached.map((arn) => ({ arn, parsed: parsePolicyArn(arn)! }))
    .filter((r) => !pathPrefix || r.parsed.path.startsWith(pathPrefix))
    .map((r) => ({ PolicyName: r.parsed.name, PolicyArn: r.arn }));
  const page = paginate(rows, marker, maxItems);
  return { AttachedPolicies: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
}

async function putInline(scope: Scope, kind: HolderKind, name: string, policyName: string, document: string): Promise<void> {
  checkDocument(document, "identity");
  const holder = await loadHolder(scope, kind, name);
  const inline = { ...holder.Inline, [policyName]: document };
  const total = Object.entries(inline).reduce((n, [key, doc]) => n + key.length + policySize(doc), 0);
  if (total > INLINE_MAX[kind]) throw limitExceeded(`Maximum policy size of ${INLINE_MAX[kind]} bytes exceeded for ${TITLE[kind]} ${name}`);
  await save(scope, kind, name, { ...holder, Inline: inline });
}

async function getInline(scope: Scope, kind: HolderKind, name: string, policyName: string): Promise<{ name: string; document: string }> {
  const holder = await loadHolder(scope, kind, name);
  const document = Object.hasOwn(holder.Inline, policyName) ? holder.Inline[policyName] : undefined;
  if (document === undefined) throw noSuchEntity(`The ${TITLE[kind]} policy with name ${policyName} cannot be found.`);
  return { name: holderNameOf(kind, holder, name), document: encodeDocument(document) };
}

function holderNameOf(kind: HolderKind, holder: PolicyHolder, fallback: string): string {
  const record = holder as unknown as Record<string, string>;
  return record[kind === "user" ? "UserName" : kind === "group" ? "GroupName" : "RoleName"] ?? fallback;
}

async function deleteInline(scope: Scope, kind: HolderKind, name: string, policyName: string): Promise<void> {
  const holder = await loadHolder(scope, kind, name);
  if (!Object.hasOwn(holder.Inline, policyName)) throw noSuchEntity(`The ${TITLE[kind]} policy with name ${policyName} cannot be found.`);
  const inline = { ...holder.Inline };
  delete inline[policyName];
  await save(scope, kind, name, { ...holder, Inline: inline });
}

async function listInline(scope: Scope, kind: HolderKind, name: string, marker?: string, maxItems?: number) {
  const holder = await loadHolder(scope, kind, name);
  const page = paginate(Object.keys(holder.Inline).sort(), marker, maxItems);
  return { PolicyNames: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
}

export const holderHandlers: Handlers<Operations> = {
  async AttachUserPolicy(input, ctx) {
    await attach(scopeOf(ctx), "user", input.UserName, input.PolicyArn);
    return {};
  },
  async AttachGroupPolicy(input, ctx) {
    await attach(scopeOf(ctx), "group", input.GroupName, input.PolicyArn);
    return {};
  },
  async AttachRolePolicy(input, ctx) {
    await attach(scopeOf(ctx), "role", input.RoleName, input.PolicyArn);
    return {};
  },
  async DetachUserPolicy(input, ctx) {
    await detach(scopeOf(ctx), "user", input.UserName, input.PolicyArn);
    return {};
  },
  async DetachGroupPolicy(input, ctx) {
    await detach(scopeOf(ctx), "group", input.GroupName, input.PolicyArn);
    return {};
  },
  async DetachRolePolicy(input, ctx) {
    await detach(scopeOf(ctx), "role", input.RoleName, input.PolicyArn);
    return {};
  },
  ListAttachedUserPolicies: (input, ctx) => listAttached(scopeOf(ctx), "user", input.UserName, input.PathPrefix, input.Marker, input.MaxItems),
  ListAttachedGroupPolicies: (input, ctx) => listAttached(scopeOf(ctx), "group", input.GroupName, input.PathPrefix, input.Marker, input.MaxItems),
  ListAttachedRolePolicies: (input, ctx) => listAttached(scopeOf(ctx), "role", input.RoleName, input.PathPrefix, input.Marker, input.MaxItems),

  async PutUserPolicy(input, ctx) {
    await putInline(scopeOf(ctx), "user", input.UserName, input.PolicyName, input.PolicyDocument);
    return {};
  },
  async PutGroupPolicy(input, ctx) {
    await putInline(scopeOf(ctx), "group", input.GroupName, input.PolicyName, input.PolicyDocument);
    return {};
  },
  async PutRolePolicy(input, ctx) {
    await putInline(scopeOf(ctx), "role", input.RoleName, input.PolicyName, input.PolicyDocument);
    return {};
  },
  async GetUserPolicy(input, ctx) {
    const found = await getInline(scopeOf(ctx), "user", input.UserName, input.PolicyName);
    return { UserName: found.name, PolicyName: input.PolicyName, PolicyDocument: found.document };
  },
  async GetGroupPolicy(input, ctx) {
    const found = await getInline(scopeOf(ctx), "group", input.GroupName, input.PolicyName);
    return { GroupName: found.name, PolicyName: input.PolicyName, PolicyDocument: found.document };
  },
  async GetRolePolicy(input, ctx) {
    const found = await getInline(scopeOf(ctx), "role", input.RoleName, input.PolicyName);
    return { RoleName: found.name, PolicyName: input.PolicyName, PolicyDocument: found.document };
  },
  async DeleteUserPolicy(input, ctx) {
    await deleteInline(scopeOf(ctx), "user", input.UserName, input.PolicyName);
    return {};
  },
  async DeleteGroupPolicy(input, ctx) {
    await deleteInline(scopeOf(ctx), "group", input.GroupName, input.PolicyName);
    return {};
  },
  async DeleteRolePolicy(input, ctx) {
    await deleteInline(scopeOf(ctx), "role", input.RoleName, input.PolicyName);
    return {};
  },
  ListUserPolicies: (input, ctx) => listInline(scopeOf(ctx), "user", input.UserName, input.Marker, input.MaxItems),
  ListGroupPolicies: (input, ctx) => listInline(scopeOf(ctx), "group", input.GroupName, input.Marker, input.MaxItems),
  ListRolePolicies: (input, ctx) => listInline(scopeOf(ctx), "role", input.RoleName, input.Marker, input.MaxItems),
};
