/**
 * Managed policies: customer managed (CreatePolicy and versions) and AWS managed
 * (`arn:aws:iam::aws:policy/...`, data in aws-managed.ts).
 *
 * Rules (https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_managed-versioning.html):
 * at most 5 versions (LimitExceeded), the default version cannot be deleted (DeleteConflict), a
 * policy is deleted only when it is attached nowhere and has no version but its default.
 * Documents are at most 6,144 characters without white space.
 */
import type { Handlers } from "../types.ts";
import type { Operations, Policy, Tag } from "../../generated/iam.ts";
import {
  alreadyExists, checkDocument, date, deleteConflict, deleteRecord, encodeDocument, getRecord, iamArn, invalidInput,
  limitExceeded, listRecords, mergeTags, noSuchEntity, paginate, policySize, putRecord, removeTags, scopeOf, tagsOut,
  uniqueId, underPath, unmodifiable, type Scope,
} from "./common.ts";
import { AWS_MANAGED, awsManagedByArn, type AwsManagedPolicy } from "./aws-managed.ts";
import type { GroupRecord, RoleRecord, UserRecord } from "./records.ts";

export const MANAGED_POLICY_MAX = 6144;
const MAX_VERSIONS = 5;

export interface PolicyVersionRecord {
  VersionId: string;
  Document: string;
  CreateDate: number;
}

export interface PolicyRecord {
  PolicyName: string;
  PolicyId: string;
  Path: string;
  Arn: string;
  Description?: string;
  CreateDate: number;
  UpdateDate: number;
  DefaultVersionId: string;
  Versions: PolicyVersionRecord[];
  /** The number the next version gets (`v<n>`): IAM never reuses a version id. */
  NextVersion: number;
  Tags: Tag[];
}

/** A managed policy of either kind, as attach, GetPolicy and the policy engine read it. */
export interface ManagedPolicyView {
  PolicyName: string;
  PolicyId: string;
  Arn: string;
  Path: string;
  Description?: string;
  DefaultVersionId: string;
  CreateDate: number;
  UpdateDate: number;
  Versions: PolicyVersionRecord[];
  Tags: Tag[];
  awsManaged: boolean;
}

/** `{ account, path, name }` of a policy ARN, or null when `arn` is not one. */
export function parsePolicyArn(arn: string): { account: string; path: string; name: string } | null {
  const match = /^arn:aws[a-z-]*:iam::(\d{12}|aws):policy(\/(?:[\x21-\x7e]*\/)?)([\w+=,.@-]+)$/.exec(arn);
  return match ? { account: match[1], path: match[2], name: match[3] } : null;
}

function fromAws(policy: AwsManagedPolicy): ManagedPolicyView {
  return {
    PolicyName: policy.name,
    PolicyId: policy.id,
    Arn: policy.arn,
    Path: policy.path,
    Description: policy.description,
    DefaultVersionId: policy.version,
    CreateDate: Date.parse(policy.created),
    UpdateDate: Date.parse(policy.updated),
    Versions: [{ VersionId: policy.version, Document: policy.document, CreateDate: Date.parse(policy.updated) }],
    Tags: [],
    awsManaged: true,
  };
}

/** The managed policy at `arn` visible to `scope`'s account (AWS managed or its own), or null. */
export async function findPolicy(scope: Scope, arn: string): Promise<ManagedPolicyView | null> {
  const parsed = parsePolicyArn(arn);
  if (!parsed) return null;
  if (parsed.account === "aws") {
    const policy = awsManagedByArn(arn);
    return policy ? fromAws(policy) : null;
  }
  if (parsed.account !== scope.account) return null;
  const record = await getRecord<PolicyRecord>(scope, "policy", parsed.name);
  if (!record || record.Arn !== arn) return null;
  return { ...record, awsManaged: false };
}

/** The policy at `arn` or IAM's NoSuchEntity for it. */
export async function requirePolicy(scope: Scope, arn: string): Promise<ManagedPolicyView> {
  const policy = await findPolicy(scope, arn);
  if (!policy) throw noSuchEntity(`Policy ${arn} does not exist or is not attachable.`);
  return policy;
}

async function requireOwnPolicy(scope: Scope, arn: string): Promise<PolicyRecord> {
  const parsed = parsePolicyArn(arn);
  if (!parsed) throw invalidInput(`ARN ${arn} is not valid.`);
  if (parsed.account === "aws") {
    if (awsManagedByArn(arn)) throw unmodifiable(`Cannot modify an AWS managed policy: ${arn}`);
    throw noSuchEntity(`Policy ${arn} was not found.`);
  }
  const record = parsed.account === scope.account ? await getRecord<PolicyRecord>(scope, "policy", parsed.name) : null;
  if (!record || record.Arn !== arn) throw noSuchEntity(`Policy ${arn} was not found.`);
  return record;
}

/** How many users, groups and roles of the account have `arn` attached, and as boundary. */
export async function policyUsage(scope: Scope, arn: string): Promise<{ attached: number; boundary: number }> {
  let attached = 0;
  let boundary = 0;
  for (const kind of ["user", "group", "role"] as const) {
    for (const holder of await listRecords<UserRecord & RoleRecord & GroupRecord>(scope, kind)) {
      if (holder.Attached.includes(arn)) attached++;
      if (holder.PermissionsBoundary === arn) boundary++;
    }
  }
  return { attached, boundary };
}

async function policyOut(scope: Scope, policy: ManagedPolicyView, withTags = true): Promise<Policy> {
  const usage = await policyUsage(scope, policy.Arn);
  return {
    PolicyName: policy.PolicyName,
    PolicyId: policy.PolicyId,
    Arn: policy.Arn,
    Path: policy.Path,
    DefaultVersionId: policy.DefaultVersionId,
    AttachmentCount: usage.attached,
    PermissionsBoundaryUsageCount: usage.boundary,
    IsAttachable: true,
    Description: policy.Description,
    CreateDate: date(policy.CreateDate),
    UpdateDate: date(policy.UpdateDate),
    Tags: withTags ? tagsOut(policy.Tags) : undefined,
  };
}

function checkManagedDocument(text: string): void {
  checkDocument(text, "managed");
  if (policySize(text) > MANAGED_POLICY_MAX) throw limitExceeded(`Cannot exceed quota for PolicySize: ${MANAGED_POLICY_MAX}`);
}

/** The default version's document of a policy view. */
export function defaultDocument(policy: ManagedPolicyView): string {
  return policy.Versions.find((v) => v.VersionId === policy.DefaultVersionId)?.Document ?? "";
}

async function awsManagedViews(): Promise<ManagedPolicyView[]> {
  return AWS_MANAGED.map(fromAws);
}

export const policyHandlers: Handlers<Operations> = {
  async CreatePolicy(input, ctx) {
    const scope = scopeOf(ctx);
    const path = input.Path ?? "/";
    checkManagedDocument(input.PolicyDocument);
    if (await getRecord(scope, "policy", input.PolicyName)) {
      throw alreadyExists(`A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`);
    }
    const record: PolicyRecord = {
      PolicyName: input.PolicyName,
      PolicyId: uniqueId("ANPA"),
      Path: path,
      Arn: iamArn(scope.account, "policy", path, input.PolicyName),
      Description: input.Description,
      CreateDate: scope.now,
      UpdateDate: scope.now,
      DefaultVersionId: "v1",
      Versions: [{ VersionId: "v1", Document: input.PolicyDocument, CreateDate: scope.now }],
      NextVersion: 2,
      Tags: mergeTags([], input.Tags),
    };
    await putRecord(scope, "policy", input.PolicyName, record);
    const out = await policyOut(scope, { ...record, awsManaged: false });
    // CreatePolicy's answer carries no Description (as IAM's).
    return { Policy: { ...out, Description: undefined } };
  },

  async GetPolicy(input, ctx) {
    const scope = scopeOf(ctx);
    const policy = await findPolicy(scope, input.PolicyArn);
    if (!policy) throw noSuchEntity(`Policy ${input.PolicyArn} was not found.`);
    return { Policy: await policyOut(scope, policy) };
  },

  async DeletePolicy(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await requireOwnPolicy(scope, input.PolicyArn);
    const usage = await policyUsage(scope, record.Arn);
    if (usage.attached || usage.boundary) throw deleteConflict("Cannot delete a policy attached to entities.");
    if (record.Versions.length > 1) {
      throw deleteConflict("This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.");
    }
    await deleteRecord(scope, "policy", record.PolicyName);
    return {};
  },

  async ListPolicies(input, ctx) {
    const scope = scopeOf(ctx);
    const scopeFilter = input.Scope ?? "All";
    let policies: ManagedPolicyView[] = [];
    if (scopeFilter !== "Local") policies.push(...(await awsManagedViews()));
    if (scopeFilter !== "AWS") policies.push(...(await listRecords<PolicyRecord>(scope, "policy")).map((r) => ({ ...r, awsManaged: false })));
    policies = underPath(policies, input.PathPrefix);
    const outs: Policy[] = [];
    for (const policy of policies) {
      const out = await policyOut(scope, policy, false);
      if (input.OnlyAttached && !out.AttachmentCount && !out.PermissionsBoundaryUsageCount) continue;
      if (input.PolicyUsageFilter === "PermissionsPolicy" && input.OnlyAttached && !out.AttachmentCount) continue;
      if (input.PolicyUsageFilter === "PermissionsBoundary" && input.OnlyAttached && !out.PermissionsBoundaryUsageCount) continue;
      outs.push({ ...out, Description: undefined });
    }
    outs.sort((a, b) => (a.PolicyName! < b.PolicyName! ? -1 : a.PolicyName! > b.PolicyName! ? 1 : 0));
    const page = paginate(outs, input.Marker, input.MaxItems);
    return { Policies: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async CreatePolicyVersion(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await requireOwnPolicy(scope, input.PolicyArn);
    checkManagedDocument(input.PolicyDocument);
    if (record.Versions.length >= MAX_VERSIONS) {
      throw limitExceeded(`A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
    }
    const version: PolicyVersionRecord = { VersionId: `v${record.NextVersion}`, Document: input.PolicyDocument, CreateDate: scope.now };
    const updated: PolicyRecord = {
      ...record,
      Versions: [...record.Versions, version],
      NextVersion: record.NextVersion + 1,
      DefaultVersionId: input.SetAsDefault ? version.VersionId : record.DefaultVersionId,
      UpdateDate: input.SetAsDefault ? scope.now : record.UpdateDate,
    };
    await putRecord(scope, "policy", record.PolicyName, updated);
    return { PolicyVersion: { VersionId: version.VersionId, IsDefaultVersion: !!input.SetAsDefault, CreateDate: date(version.CreateDate) } };
  },

  async GetPolicyVersion(input, ctx) {
    const scope = scopeOf(ctx);
    const policy = await findPolicy(scope, input.PolicyArn);
    const version = policy?.Versions.find((v) => v.VersionId === input.VersionId);
    if (!policy || !version) throw noSuchEntity(`Policy ${input.PolicyArn} version ${input.VersionId} does not exist or is not attachable.`);
    return {
      PolicyVersion: {
        Document: encodeDocument(version.Document),
        VersionId: version.VersionId,
        IsDefaultVersion: version.VersionId === policy.DefaultVersionId,
        CreateDate: date(version.CreateDate),
      },
    };
  },

  async ListPolicyVersions(input, ctx) {
    const scope = scopeOf(ctx);
    const policy = await findPolicy(scope, input.PolicyArn);
    if (!policy) throw noSuchEntity(`Policy ${input.PolicyArn} was not found.`);
    // Newest first, as IAM lists them.
    const versions = [...policy.Versions].reverse().map((v) => ({
      VersionId: v.VersionId,
      IsDefaultVersion: v.VersionId === policy.DefaultVersionId,
      CreateDate: date(v.CreateDate),
    }));
    const page = paginate(versions, input.Marker, input.MaxItems);
    return { Versions: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async DeletePolicyVersion(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await requireOwnPolicy(scope, input.PolicyArn);
    if (!record.Versions.some((v) => v.VersionId === input.VersionId)) {
      throw noSuchEntity(`Policy ${input.PolicyArn} version ${input.VersionId} does not exist or is not deletable.`);
    }
    if (record.DefaultVersionId === input.VersionId) throw deleteConflict("Cannot delete the default version of a policy.");
    await putRecord(scope, "policy", record.PolicyName, { ...record, Versions: record.Versions.filter((v) => v.VersionId !== input.VersionId) });
    return {};
  },

  async SetDefaultPolicyVersion(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await requireOwnPolicy(scope, input.PolicyArn);
    if (!record.Versions.some((v) => v.VersionId === input.VersionId)) {
      throw noSuchEntity(`Policy ${input.PolicyArn} version ${input.VersionId} does not exist or is not attachable.`);
    }
    await putRecord(scope, "policy", record.PolicyName, { ...record, DefaultVersionId: input.VersionId, UpdateDate: scope.now });
    return {};
  },

  async TagPolicy(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await requireOwnPolicy(scope, input.PolicyArn);
    await putRecord(scope, "policy", record.PolicyName, { ...record, Tags: mergeTags(record.Tags, input.Tags) });
    return {};
  },

  async UntagPolicy(input, ctx) {
    const scope = scopeOf(ctx);
    const record = await requireOwnPolicy(scope, input.PolicyArn);
    await putRecord(scope, "policy", record.PolicyName, { ...record, Tags: removeTags(record.Tags, input.TagKeys) });
    return {};
  },

  async ListPolicyTags(input, ctx) {
    const scope = scopeOf(ctx);
    const policy = await findPolicy(scope, input.PolicyArn);
    if (!policy) throw noSuchEntity(`Policy ${input.PolicyArn} was not found.`);
    const page = paginate(policy.Tags, input.Marker, input.MaxItems);
    return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async ListEntitiesForPolicy(input, ctx) {
    const scope = scopeOf(ctx);
    const policy = await findPolicy(scope, input.PolicyArn);
    if (!policy) throw noSuchEntity(`Policy ${input.PolicyArn} was not found.`);
    const usage = input.PolicyUsageFilter;
    const matches = (h: { Attached: string[]; PermissionsBoundary?: string }) =>
      (usage !== "PermissionsBoundary" && h.Attached.includes(policy.Arn)) || (usage !== "PermissionsPolicy" && h.PermissionsBoundary === policy.Arn);
    const filter = input.EntityFilter;
    const rows: { kind: string; name: string; id: string }[] = [];
    if (!filter || filter === "User") {
      for (const u of underPath(await listRecords<UserRecord>(scope, "user"), input.PathPrefix)) if (matches(u)) rows.push({ kind: "user", name: u.UserName, id: u.UserId });
    }
    if (!filter || filter === "Group") {
      for (const g of underPath(await listRecords<GroupRecord>(scope, "group"), input.PathPrefix)) if (matches(g)) rows.push({ kind: "group", name: g.GroupName, id: g.GroupId });
    }
    if (!filter || filter === "Role") {
      for (const r of underPath(await listRecords<RoleRecord>(scope, "role"), input.PathPrefix)) if (matches(r)) rows.push({ kind: "role", name: r.RoleName, id: r.RoleId });
    }
    const page = paginate(rows, input.Marker, input.MaxItems);
    return {
      PolicyUsers: page.items.filter((r) => r.kind === "user").map((r) => ({ UserName: r.name, UserId: r.id })),
      PolicyGroups: page.items.filter((r) => r.kind === "group").map((r) => ({ GroupName: r.name, GroupId: r.id })),
      PolicyRoles: page.items.filter((r) => r.kind === "role").map((r) => ({ RoleName: r.name, RoleId: r.id })),
      IsTruncated: page.IsTruncated,
      Marker: page.Marker,
    };
  },
};
