/**
 * IAM roles (trust policy, MaxSessionDuration 1-12 hours, permissions boundary, tags,
 * service-linked roles) and instance profiles (at most one role each).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html and neighbours.
 */
import type { Handlers } from "../types.ts";
import type { InstanceProfile, Operations, Role, Tag } from "../../generated/iam.ts";
import {
  alreadyExists, checkDocument, date, deleteConflict, deleteRecord, encodeDocument, getRecord, iamArn, invalidInput,
  limitExceeded, listRecords, mergeTags, noSuchEntity, paginate, policySize, putRecord, removeTags, scopeOf, tagsOut,
  underPath, uniqueId, unmodifiable, type Scope,
} from "./common.ts";
import { loadRole, type RoleRecord } from "./records.ts";
import { requirePolicy } from "./policies.ts";
import { accessStats, forgetAccess } from "./access.ts";

/** Trust policies are limited to 2,048 characters (IAM's default ACLSizePerRole quota). */
const TRUST_POLICY_MAX = 2048;

export interface InstanceProfileRecord {
  InstanceProfileName: string;
  InstanceProfileId: string;
  Path: string;
  Arn: string;
  CreateDate: number;
  /** Role names, as the roles spell them (at most one). */
  Roles: string[];
  Tags: Tag[];
}

export function roleOut(role: RoleRecord, full = true): Role {
  return {
    Path: role.Path,
    RoleName: role.RoleName,
    RoleId: role.RoleId,
    Arn: role.Arn,
    CreateDate: date(role.CreateDate),
    AssumeRolePolicyDocument: encodeDocument(role.AssumeRolePolicyDocument),
    Description: role.Description,
    MaxSessionDuration: role.MaxSessionDuration,
    ...(full ? {
      PermissionsBoundary: role.PermissionsBoundary ? { PermissionsBoundaryType: "PermissionsBoundaryPolicy" as const, PermissionsBoundaryArn: role.PermissionsBoundary } : undefined,
      Tags: tagsOut(role.Tags),
      RoleLastUsed: {},
    } : {}),
  };
}

/** When and where the role's sessions last made a request (AWS: within the last 400 days; empty when never). */
export async function roleLastUsed(scope: Scope, role: RoleRecord): Promise<{ LastUsedDate?: Date; Region?: string }> {
  const last = (await accessStats(scope, role.RoleId)).last;
  return last ? { LastUsedDate: date(last.date), Region: last.region } : {};
}

function checkTrustPolicy(text: string): void {
  checkDocument(text, "trust");
  if (policySize(text) > TRUST_POLICY_MAX) throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_MAX}`);
}

export async function instanceProfileOut(scope: Scope, profile: InstanceProfileRecord, withTags = true): Promise<InstanceProfile> {
  const roles: Role[] = [];
  for (const name of profile.Roles) {
    const role = await getRecord<RoleRecord>(scope, "role", name);
    if (role) roles.push(roleOut(role, false));
  }
  return {
    Path: profile.Path,
    InstanceProfileName: profile.InstanceProfileName,
    InstanceProfileId: profile.InstanceProfileId,
    Arn: profile.Arn,
    CreateDate: date(profile.CreateDate),
    Roles: roles,
    Tags: withTags ? tagsOut(profile.Tags) : undefined,
  };
}

async function loadProfile(scope: Scope, name: string): Promise<InstanceProfileRecord> {
  const profile = await getRecord<InstanceProfileRecord>(scope, "instance-profile", name);
  if (!profile) throw noSuchEntity(`Instance Profile ${name} cannot be found.`);
  return profile;
}

function notServiceLinked(role: RoleRecord, action = "modify"): void {
  if (role.ServiceLinked) throw unmodifiable(`Cannot ${action} the service-linked role ${role.RoleName}. Service-linked roles are managed by the service.`);
}

async function createRole(scope: Scope, input: {
  RoleName: string; Path?: string; AssumeRolePolicyDocument: string; Description?: string; MaxSessionDuration?: number;
  PermissionsBoundary?: string; Tags?: Tag[]; ServiceLinked?: string;
}): Promise<RoleRecord> {
  if (await getRecord(scope, "role", input.RoleName)) throw alreadyExists(`Role with name ${input.RoleName} already exists.`);
  if (input.PermissionsBoundary) await requirePolicy(scope, input.PermissionsBoundary);
  const path = input.Path ?? "/";
  const role: RoleRecord = {
    RoleName: input.RoleName,
    RoleId: uniqueId("AROA"),
    Path: path,
    Arn: iamArn(scope.account, "role", path, input.RoleName),
    CreateDate: scope.now,
    AssumeRolePolicyDocument: input.AssumeRolePolicyDocument,
    Description: input.Description,
    MaxSessionDuration: input.MaxSessionDuration ?? 3600,
    PermissionsBoundary: input.PermissionsBoundary,
    Tags: mergeTags([], input.Tags),
    Attached: [],
    Inline: {},
    ServiceLinked: input.ServiceLinked,
  };
  await putRecord(scope, "role", role.RoleName, role);
  return role;
}

/** `elasticbeanstalk.amazonaws.com` → `AWSServiceRoleForElasticBeanstalk` (IAM's naming for service-linked roles). */
function serviceLinkedRoleName(service: string, suffix: string | undefined): string {
  const label = service.replace(/\.amazonaws\.com(\.cn)?$/, "");
  const known: Record<string, string> = {
    "autoscaling": "AutoScaling", "elasticloadbalancing": "ElasticLoadBalancing", "dynamodb.application-autoscaling": "ApplicationAutoScaling_DynamoDBTable",
    "replication.dynamodb": "DynamoDBReplication", "lambda": "Lambda", "ecs": "ECS", "rds": "RDS", "elasticbeanstalk": "ElasticBeanstalk",
  };
  const base = known[label] ?? label.split(/[.-]/).map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join("");
  return `AWSServiceRoleFor${base}${suffix ? `_${suffix}` : ""}`;
}

export const roleHandlers: Handlers<Operations> = {
  async CreateRole(input, ctx) {
    checkTrustPolicy(input.AssumeRolePolicyDocument);
    const role = await createRole(scopeOf(ctx), input);
    return { Role: roleOut(role) };
  },

  async GetRole(input, ctx) {
    const scope = scopeOf(ctx);
    const role = await loadRole(scope, input.RoleName);
    return { Role: { ...roleOut(role), RoleLastUsed: await roleLastUsed(scope, role) } };
  },

  async ListRoles(input, ctx) {
    const roles = underPath(await listRecords<RoleRecord>(scopeOf(ctx), "role"), input.PathPrefix);
    const page = paginate(roles.map((r) => roleOut(r, false)), input.Marker, input.MaxItems);
    return { Roles: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async UpdateRole(input, ctx) {
    const scope = scopeOf(ctx);
    const role = await loadRole(scope, input.RoleName);
    notServiceLinked(role);
    await putRecord(scope, "role", role.RoleName, {
      ...role,
      Description: input.Description ?? role.Description,
      MaxSessionDuration: input.MaxSessionDuration ?? role.MaxSessionDuration,
    });
    return {};
  },

  async UpdateRoleDescription(input, ctx) {
    const scope = scopeOf(ctx);
    const role = await loadRole(scope, input.RoleName);
    const updated = { ...role, Description: input.Description };
    await putRecord(scope, "role", role.RoleName, updated);
    return { Role: roleOut(updated) };
  },

  async UpdateAssumeRolePolicy(input, ctx) {
    const scope = scopeOf(ctx);
    const role = await loadRole(scope, input.RoleName);
    notServiceLinked(role);
    checkTrustPolicy(input.PolicyDocument);
    await putRecord(scope, "role", role.RoleName, { ...role, AssumeRolePolicyDocument: input.PolicyDocument });
    return {};
  },

  async DeleteRole(input, ctx) {
    const scope = scopeOf(ctx);
    const role = await loadRole(scope, input.RoleName);
    notServiceLinked(role, "perform the operation on");
    if ((await listRecords<InstanceProfileRecord>(scope, "instance-profile")).some((p) => p.Roles.some((r) => r.toLowerCase() === role.RoleName.toLowerCase()))) {
      throw deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
    }
    if (Object.keys(role.Inline).length) throw deleteConflict("Cannot delete entity, must delete policies first.");
    if (role.Attached.length) throw deleteConflict("Cannot delete entity, must detach all policies first.");
    await deleteRecord(scope, "role", role.RoleName);
    await forgetAccess(scope, role.RoleId);
    return {};
  },

  async PutRolePermissionsBoundary(input, ctx) {
    const scope = scopeOf(ctx);
    const role = await loadRole(scope, input.RoleName);
    notServiceLinked(role);
    await requirePolicy(scope, input.PermissionsBoundary);
    await putRecord(scope, "role", role.RoleName, { ...role, PermissionsBoundary: input.PermissionsBoundary });
    return {};
  },

  async DeleteRolePermissionsBoundary(input, ctx) {
    const scope = scopeOf(ctx);
    const role = await loadRole(scope, input.RoleName);
    notServiceLinked(role);
    await putRecord(scope, "role", role.RoleName, { ...role, PermissionsBoundary: undefined });
    return {};
  },

  async TagRole(input, ctx) {
    const scope = scopeOf(ctx);
    const role = await loadRole(scope, input.RoleName);
    await putRecord(scope, "role", role.RoleName, { ...role, Tags: mergeTags(role.Tags, input.Tags) });
    return {};
  },

  async UntagRole(input, ctx) {
    const scope = scopeOf(ctx);
    const role = await loadRole(scope, input.RoleName);
    await putRecord(scope, "role", role.RoleName, { ...role, Tags: removeTags(role.Tags, input.TagKeys) });
    return {};
  },

  async ListRoleTags(input, ctx) {
    const role = await loadRole(scopeOf(ctx), input.RoleName);
    const page = paginate(role.Tags, input.Marker, input.MaxItems);
    return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  // ---- service-linked roles ----

  async CreateServiceLinkedRole(input, ctx) {
    const service = input.AWSServiceName;
    if (!/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$/.test(service)) {
      throw invalidInput(`Service role name ${service} has not been found in our system.`);
    }
    const trust = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: [service] }, Action: ["sts:AssumeRole"] }] });
    const role = await createRole(scopeOf(ctx), {
      RoleName: serviceLinkedRoleName(service, input.CustomSuffix),
      Path: `/aws-service-role/${service}/`,
      AssumeRolePolicyDocument: trust,
      Description: input.Description,
      ServiceLinked: service,
    });
    return { Role: roleOut(role) };
  },

  async DeleteServiceLinkedRole(input, ctx) {
    const scope = scopeOf(ctx);
    const role = await loadRole(scope, input.RoleName);
    if (!role.ServiceLinked) throw invalidInput(`Role ${input.RoleName} is not a service-linked role.`);
    await deleteRecord(scope, "role", role.RoleName);
    await forgetAccess(scope, role.RoleId);
    // Deletion is immediate here; the task id names the role so the status can be read back.
    const taskId = `task/aws-service-role/${role.ServiceLinked}/${role.RoleName}/${crypto.randomUUID()}`;
    await scope.store.set(["acct", scope.account, "slr-deletion", taskId], { Status: "SUCCEEDED" });
    return { DeletionTaskId: taskId };
  },

  async GetServiceLinkedRoleDeletionStatus(input, ctx) {
    const scope = scopeOf(ctx);
    const task = (await scope.store.get<{ Status: "SUCCEEDED" }>(["acct", scope.account, "slr-deletion", input.DeletionTaskId])).value;
    if (!task) throw noSuchEntity(`Deletion task ${input.DeletionTaskId} was not found.`);
    return { Status: task.Status };
  },

  // ---- instance profiles ----

  async CreateInstanceProfile(input, ctx) {
    const scope = scopeOf(ctx);
    if (await getRecord(scope, "instance-profile", input.InstanceProfileName)) {
      throw alreadyExists(`Instance Profile ${input.InstanceProfileName} already exists.`);
    }
    const path = input.Path ?? "/";
    const profile: InstanceProfileRecord = {
      InstanceProfileName: input.InstanceProfileName,
      InstanceProfileId: uniqueId("AIPA"),
      Path: path,
      Arn: iamArn(scope.account, "instance-profile", path, input.InstanceProfileName),
      CreateDate: scope.now,
      Roles: [],
      Tags: mergeTags([], input.Tags),
    };
    await putRecord(scope, "instance-profile", profile.InstanceProfileName, profile);
    return { InstanceProfile: await instanceProfileOut(scope, profile) };
  },

  async GetInstanceProfile(input, ctx) {
    const scope = scopeOf(ctx);
    return { InstanceProfile: await instanceProfileOut(scope, await loadProfile(scope, input.InstanceProfileName)) };
  },

  async DeleteInstanceProfile(input, ctx) {
    const scope = scopeOf(ctx);
    const profile = await loadProfile(scope, input.InstanceProfileName);
    if (profile.Roles.length) throw deleteConflict("Cannot delete entity, must remove roles from instance profile first.");
    await deleteRecord(scope, "instance-profile", profile.InstanceProfileName);
    return {};
  },

  async ListInstanceProfiles(input, ctx) {
    const scope = scopeOf(ctx);
    const profiles = underPath(await listRecords<InstanceProfileRecord>(scope, "instance-profile"), input.PathPrefix);
    const outs = await Promise.all(profiles.map((p) => instanceProfileOut(scope, p, false)));
    const page = paginate(outs, input.Marker, input.MaxItems);
    return { InstanceProfiles: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async ListInstanceProfilesForRole(input, ctx) {
    const scope = scopeOf(ctx);
    const role = await loadRole(scope, input.RoleName);
    const profiles = (await listRecords<InstanceProfileRecord>(scope, "instance-profile"))
      .filter((p) => p.Roles.some((r) => r.toLowerCase() === role.RoleName.toLowerCase()));
    const outs = await Promise.all(profiles.map((p) => instanceProfileOut(scope, p, false)));
    const page = paginate(outs, input.Marker, input.MaxItems);
    return { InstanceProfiles: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async AddRoleToInstanceProfile(input, ctx) {
    const scope = scopeOf(ctx);
    const profile = await loadProfile(scope, input.InstanceProfileName);
    const role = await loadRole(scope, input.RoleName);
    if (profile.Roles.some((r) => r.toLowerCase() === role.RoleName.toLowerCase())) {
      throw limitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
    }
    if (profile.Roles.length >= 1) throw limitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1");
    await putRecord(scope, "instance-profile", profile.InstanceProfileName, { ...profile, Roles: [role.RoleName] });
    return {};
  },

  async RemoveRoleFromInstanceProfile(input, ctx) {
    const scope = scopeOf(ctx);
    const profile = await loadProfile(scope, input.InstanceProfileName);
    const role = await loadRole(scope, input.RoleName);
    if (!profile.Roles.some((r) => r.toLowerCase() === role.RoleName.toLowerCase())) {
      throw noSuchEntity(`The role with name ${input.RoleName} cannot be found.`);
    }
    await putRecord(scope, "instance-profile", profile.InstanceProfileName, { ...profile, Roles: [] });
    return {};
  },

  async TagInstanceProfile(input, ctx) {
    const scope = scopeOf(ctx);
    const profile = await loadProfile(scope, input.InstanceProfileName);
    await putRecord(scope, "instance-profile", profile.InstanceProfileName, { ...profile, Tags: mergeTags(profile.Tags, input.Tags) });
    return {};
  },

  async UntagInstanceProfile(input, ctx) {
    const scope = scopeOf(ctx);
    const profile = await loadProfile(scope, input.InstanceProfileName);
    await putRecord(scope, "instance-profile", profile.InstanceProfileName, { ...profile, Tags: removeTags(profile.Tags, input.TagKeys) });
    return {};
  },

  async ListInstanceProfileTags(input, ctx) {
    const profile = await loadProfile(scopeOf(ctx), input.InstanceProfileName);
    const page = paginate(profile.Tags, input.Marker, input.MaxItems);
    return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },
};
