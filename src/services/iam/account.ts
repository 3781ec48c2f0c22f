/**
 * Account-level IAM: login profiles (console passwords, checked against the password policy),
 * account aliases, the password policy, GetAccountSummary, GetAccountAuthorizationDetails and
 * the credential report (CSV, as IAM's columns).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_GetCredentialReport.html and neighbours.
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { Operations, PasswordPolicy } from "../../generated/iam.ts";
import { AwsError } from "../../protocol/errors.ts";
import {
  alreadyExists, date, encodeDocument, getRecord, listRecords, noSuchEntity, paginate, putRecord, scopeOf, tagsOut,
  type Scope,
} from "./common.ts";
import { loadUser, type GroupRecord, type RoleRecord, type UserRecord } from "./records.ts";
import { callerUser, lookupKey, type AccessKeyRecord } from "./keys.ts";
import { instanceProfileOut, roleLastUsed, type InstanceProfileRecord } from "./roles.ts";
import { policyUsage, type PolicyRecord } from "./policies.ts";
import { AWS_MANAGED } from "./aws-managed.ts";
import { accessStats, type LastUse } from "./access.ts";

/** The account's IAM settings (one record). */
export interface AccountRecord {
  aliases: string[];
  /** SetSecurityTokenServicePreferences: the global endpoint's session token version (1 or 2). */
  globalEndpointTokenVersion?: 1 | 2;
  /** EnableOutboundWebIdentityFederation: the account's token issuer URL. */
  outboundIssuer?: string;
  passwordPolicy?: PasswordPolicy;
  report?: { generated: number; csv: string };
}

export async function account(scope: Scope): Promise<AccountRecord> {
  return (await getRecord<AccountRecord>(scope, "account", "settings")) ?? { aliases: [] };
}

export async function saveAccount(scope: Scope, record: AccountRecord): Promise<void> {
  await putRecord(scope, "account", "settings", record);
}

function passwordViolation(message: string): AwsError {
  return new AwsError("PasswordPolicyViolationException", message, 400);
}

/** Checks `password` against the account's password policy (IAM's default when none is set: 8 characters). */
function checkPassword(password: string, policy: PasswordPolicy | undefined): void {
  const min = policy?.MinimumPasswordLength ?? 8;
  const problems: string[] = [];
  if (password.length < min) problems.push(`Password should have at least ${min} characters`);
  if (policy?.RequireSymbols && !/[!@#$%^&*()_+\-=[\]{}|']/.test(password)) problems.push("Password should have at least one symbol");
  if (policy?.RequireNumbers && !/\d/.test(password)) problems.push("Password should have at least one number");
  if (policy?.RequireUppercaseCharacters && !/[A-Z]/.test(password)) problems.push("Password should have at least one uppercase letter");
  if (policy?.RequireLowercaseCharacters && !/[a-z]/.test(password)) problems.push("Password should have at least one lowercase letter");
  if (problems.length) throw passwordViolation(`Password does not conform to the account password policy:\n${problems.join("\n")}`);
}

async function loginUser(ctx: RequestContext, name: string | undefined): Promise<UserRecord> {
  if (name !== undefined) return loadUser(scopeOf(ctx), name);
  const user = await callerUser(ctx);
  if (!user) throw new AwsError("ValidationError", "Must specify userName when calling with non-User credentials", 400);
  return user;
}

const yes = (b: boolean | undefined) => (b ? "true" : "false");
const iso = (ms: number | undefined) => (ms === undefined ? "N/A" : new Date(ms).toISOString().replace(/\.\d{3}Z$/, "+00:00"));

async function credentialReport(ctx: RequestContext, scope: Scope): Promise<string> {
  const header = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";
  const rows = [header, `<root_account>,arn:aws:iam::${scope.account}:root,${iso(0)},not_supported,no_information,not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A`];
  for (const user of await listRecords<UserRecord>(scope, "user")) {
    const keys: { key: AccessKeyRecord | null; last?: LastUse }[] = [];
    for (const id of user.AccessKeys) keys.push({ key: await lookupKey(ctx.globalStore, id), last: (await accessStats(scope, id)).last });
    const keyCols = [0, 1].map((i) => {
      const { key, last } = keys[i] ?? { key: null };
      if (!key) return "false,N/A,N/A,N/A,N/A";
      return [yes(key.Status === "Active"), iso(key.CreateDate), iso(last?.date), last?.region ?? "N/A", last?.service ?? "N/A"].join(",");
    });
    const certCols = [0, 1].map((i) => {
      const cert = user.SigningCertificates[i];
      return cert ? `${yes(cert.Status === "Active")},${iso(cert.UploadDate)}` : "false,N/A";
    });
    const password = user.LoginProfile;
    rows.push([
      user.UserName, user.Arn, iso(user.CreateDate), yes(!!password),
      password ? (user.PasswordLastUsed !== undefined ? iso(user.PasswordLastUsed) : "no_information") : "N/A",
      password ? iso(password.CreateDate) : "N/A", "N/A", yes(user.MfaDevices.length > 0), ...keyCols, ...certCols,
    ].join(","));
  }
  return rows.join("\n");
}

export const accountHandlers: Handlers<Operations> = {
  // ---- login profiles ----

  async CreateLoginProfile(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loginUser(ctx, input.UserName);
    if (user.LoginProfile) throw alreadyExists(`Login Profile for user ${user.UserName} already exists.`);
    if (input.Password === undefined) throw new AwsError("ValidationError", "Password is required", 400);
    checkPassword(input.Password, (await account(scope)).passwordPolicy);
    const profile = { CreateDate: scope.now, PasswordResetRequired: input.PasswordResetRequired ?? false, Password: input.Password };
    await putRecord(scope, "user", user.UserName, { ...user, LoginProfile: profile });
    return { LoginProfile: { UserName: user.UserName, CreateDate: date(profile.CreateDate), PasswordResetRequired: profile.PasswordResetRequired } };
  },

  async GetLoginProfile(input, ctx) {
    const user = await loginUser(ctx, input.UserName);
    if (!user.LoginProfile) throw noSuchEntity(`Login Profile for User ${user.UserName} cannot be found.`);
    return { LoginProfile: { UserName: user.UserName, CreateDate: date(user.LoginProfile.CreateDate), PasswordResetRequired: user.LoginProfile.PasswordResetRequired } };
  },

  async UpdateLoginProfile(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loginUser(ctx, input.UserName);
    if (!user.LoginProfile) throw noSuchEntity(`Login Profile for User ${user.UserName} cannot be found.`);
    if (input.Password !== undefined) checkPassword(input.Password, (await account(scope)).passwordPolicy);
    await putRecord(scope, "user", user.UserName, {
      ...user,
      LoginProfile: {
        ...user.LoginProfile,
        Password: input.Password ?? user.LoginProfile.Password,
        PasswordResetRequired: input.PasswordResetRequired ?? user.LoginProfile.PasswordResetRequired,
      },
    });
    return {};
  },

  async DeleteLoginProfile(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await loginUser(ctx, input.UserName);
    if (!user.LoginProfile) throw noSuchEntity(`Login Profile for User ${user.UserName} cannot be found.`);
    await putRecord(scope, "user", user.UserName, { ...user, LoginProfile: undefined });
    return {};
  },

  async ChangePassword(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await callerUser(ctx);
    if (!user) throw new AwsError("InvalidUserTypeException", "Only IAM Users can change their own password.", 400);
    if (!user.LoginProfile) throw noSuchEntity(`Login Profile for User ${user.UserName} cannot be found.`);
    if (user.LoginProfile.Password !== input.OldPassword) {
      throw new AwsError("InvalidUserTypeException", "The old password is incorrect.", 400);
    }
    const settings = await account(scope);
    if (settings.passwordPolicy && settings.passwordPolicy.AllowUsersToChangePassword === false && !user.LoginProfile.PasswordResetRequired) {
      throw new AwsError("AccessDenied", "Users are not allowed to change their own password.", 403);
    }
    checkPassword(input.NewPassword, settings.passwordPolicy);
    await putRecord(scope, "user", user.UserName, { ...user, LoginProfile: { ...user.LoginProfile, Password: input.NewPassword, PasswordResetRequired: false } });
    return {};
  },

  // ---- aliases and password policy ----

  async CreateAccountAlias(input, ctx) {
    const scope = scopeOf(ctx);
    const settings = await account(scope);
    if (settings.aliases.includes(input.AccountAlias)) return {};
    // Aliases are unique across AWS: another account holding it is a conflict.
    for await (const entry of scope.store.list<AccountRecord>({ prefix: ["acct"] })) {
      if (entry.key[2] === "account" && entry.key[1] !== scope.account && entry.value.aliases?.includes(input.AccountAlias)) {
        throw alreadyExists(`The account alias ${input.AccountAlias} already exists.`);
      }
    }
    await saveAccount(scope, { ...settings, aliases: [input.AccountAlias] });
    return {};
  },

  async ListAccountAliases(input, ctx) {
    const page = paginate((await account(scopeOf(ctx))).aliases, input.Marker, input.MaxItems);
    return { AccountAliases: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async DeleteAccountAlias(input, ctx) {
    const scope = scopeOf(ctx);
    const settings = await account(scope);
    if (!settings.aliases.includes(input.AccountAlias)) throw noSuchEntity(`The account alias ${input.AccountAlias} cannot be found.`);
    await saveAccount(scope, { ...settings, aliases: [] });
    return {};
  },

  async UpdateAccountPasswordPolicy(input, ctx) {
    const scope = scopeOf(ctx);
    const settings = await account(scope);
    const policy: PasswordPolicy = {
      MinimumPasswordLength: input.MinimumPasswordLength ?? 8,
      RequireSymbols: input.RequireSymbols ?? false,
      RequireNumbers: input.RequireNumbers ?? false,
      RequireUppercaseCharacters: input.RequireUppercaseCharacters ?? false,
      RequireLowercaseCharacters: input.RequireLowercaseCharacters ?? false,
      AllowUsersToChangePassword: input.AllowUsersToChangePassword ?? false,
      ExpirePasswords: (input.MaxPasswordAge ?? 0) > 0,
      ...(input.MaxPasswordAge ? { MaxPasswordAge: input.MaxPasswordAge } : {}),
      ...(input.PasswordReusePrevention ? { PasswordReusePrevention: input.PasswordReusePrevention } : {}),
      HardExpiry: input.HardExpiry ?? false,
    };
    await saveAccount(scope, { ...settings, passwordPolicy: policy });
    return {};
  },

  async GetAccountPasswordPolicy(_input, ctx) {
    const scope = scopeOf(ctx);
    const policy = (await account(scope)).passwordPolicy;
    if (!policy) throw noSuchEntity(`The Password Policy with domain name ${scope.account} cannot be found.`);
    return { PasswordPolicy: policy };
  },

  async DeleteAccountPasswordPolicy(_input, ctx) {
    const scope = scopeOf(ctx);
    const settings = await account(scope);
    if (!settings.passwordPolicy) throw noSuchEntity(`The Password Policy with domain name ${scope.account} cannot be found.`);
    await saveAccount(scope, { ...settings, passwordPolicy: undefined });
    return {};
  },

  // ---- summaries ----

  async GetAccountSummary(_input, ctx) {
    const scope = scopeOf(ctx);
    const users = await listRecords<UserRecord>(scope, "user");
    const policies = await listRecords<PolicyRecord>(scope, "policy");
    const rootKeys: AccessKeyRecord[] = [];
    for await (const entry of scope.store.list<AccessKeyRecord>({ prefix: ["key"] })) {
      if (entry.value.Account === scope.account && entry.value.UserName === null) rootKeys.push(entry.value);
    }
    const mfa = await scope.store.list({ prefix: ["acct", scope.account, "mfa"] });
    let mfaDevices = 0;
    for await (const _ of mfa) mfaDevices++;
    let providers = 0;
    for (const kind of ["oidc", "saml"] as const) providers += (await listRecords(scope, kind)).length;
    return {
      SummaryMap: {
        Users: users.length, UsersQuota: 5000,
        Groups: (await listRecords<GroupRecord>(scope, "group")).length, GroupsQuota: 300,
        Roles: (await listRecords<RoleRecord>(scope, "role")).length, RolesQuota: 1000,
        InstanceProfiles: (await listRecords<InstanceProfileRecord>(scope, "instance-profile")).length, InstanceProfilesQuota: 1000,
        ServerCertificates: (await listRecords(scope, "server-certificate")).length, ServerCertificatesQuota: 20,
        Policies: policies.length, PoliciesQuota: 1500,
        PolicyVersionsInUse: policies.reduce((n, p) => n + p.Versions.length, 0), PolicyVersionsInUseQuota: 10000,
        VersionsPerPolicyQuota: 5, PolicySizeQuota: 6144, UserPolicySizeQuota: 2048, GroupPolicySizeQuota: 5120,
        RolePolicySizeQuota: 10240, AssumeRolePolicySizeQuota: 2048, GroupsPerUserQuota: 10, SigningCertificatesPerUserQuota: 2,
        AccessKeysPerUserQuota: 2, AttachedPoliciesPerGroupQuota: 10, AttachedPoliciesPerRoleQuota: 10, AttachedPoliciesPerUserQuota: 10,
        MFADevices: mfaDevices, MFADevicesInUse: users.reduce((n, u) => n + u.MfaDevices.length, 0), AccountMFAEnabled: 0,
        AccountAccessKeysPresent: rootKeys.length ? 1 : 0, AccountPasswordPresent: 0, AccountSigningCertificatesPresent: 0,
        Providers: providers, GlobalEndpointTokenVersion: (await account(scope)).globalEndpointTokenVersion ?? 1,
      },
    };
  },

  async GetAccountAuthorizationDetails(input, ctx) {
    const scope = scopeOf(ctx);
    const wanted = new Set(input.Filter?.length ? input.Filter : ["User", "Role", "Group", "LocalManagedPolicy", "AWSManagedPolicy"]);
    const rows: { kind: string; value: unknown }[] = [];
    const inline = (record: { Inline: Record<string, string> }) =>
      Object.entries(record.Inline).map(([PolicyName, doc]) => ({ PolicyName, PolicyDocument: encodeDocument(doc) }));
    const attached = (record: { Attached: string[] }) => record.Attached.map((arn) => ({ PolicyName: arn.slice(arn.lastIndexOf("/") + 1), PolicyArn: arn }));
    const profiles = await listRecords<InstanceProfileRecord>(scope, "instance-profile");
    if (wanted.has("User")) {
      for (const u of await listRecords<UserRecord>(scope, "user")) {
        rows.push({ kind: "user", value: {
          Path: u.Path, UserName: u.UserName, UserId: u.UserId, Arn: u.Arn, CreateDate: date(u.CreateDate),
          UserPolicyList: inline(u), GroupList: u.Groups, AttachedManagedPolicies: attached(u), Tags: tagsOut(u.Tags),
          PermissionsBoundary: u.PermissionsBoundary ? { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: u.PermissionsBoundary } : undefined,
        } });
      }
    }
    if (wanted.has("Group")) {
      for (const g of await listRecords<GroupRecord>(scope, "group")) {
        rows.push({ kind: "group", value: {
          Path: g.Path, GroupName: g.GroupName, GroupId: g.GroupId, Arn: g.Arn, CreateDate: date(g.CreateDate),
          GroupPolicyList: inline(g), AttachedManagedPolicies: attached(g),
        } });
      }
    }
    if (wanted.has("Role")) {
      for (const r of await listRecords<RoleRecord>(scope, "role")) {
        const mine = profiles.filter((p) => p.Roles.some((n) => n.toLowerCase() === r.RoleName.toLowerCase()));
        rows.push({ kind: "role", value: {
          Path: r.Path, RoleName: r.RoleName, RoleId: r.RoleId, Arn: r.Arn, CreateDate: date(r.CreateDate),
          AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicyDocument),
          InstanceProfileList: await Promise.all(mine.map((p) => instanceProfileOut(scope, p, false))),
          RolePolicyList: inline(r), AttachedManagedPolicies: attached(r), Tags: tagsOut(r.Tags),
          PermissionsBoundary: r.PermissionsBoundary ? { PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: r.PermissionsBoundary } : undefined,
          RoleLastUsed: await roleLastUsed(scope, r),
        } });
      }
    }
    const managed = async (p: { PolicyName: string; PolicyId: string; Arn: string; Path: string; DefaultVersionId: string; Description?: string; CreateDate: number; UpdateDate: number; Versions: { VersionId: string; Document: string; CreateDate: number }[] }) => {
      const usage = await policyUsage(scope, p.Arn);
      return {
        PolicyName: p.PolicyName, PolicyId: p.PolicyId, Arn: p.Arn, Path: p.Path, DefaultVersionId: p.DefaultVersionId,
        AttachmentCount: usage.attached, PermissionsBoundaryUsageCount: usage.boundary, IsAttachable: true, Description: p.Description,
        CreateDate: date(p.CreateDate), UpdateDate: date(p.UpdateDate),
        PolicyVersionList: p.Versions.map((v) => ({ Document: encodeDocument(v.Document), VersionId: v.VersionId, IsDefaultVersion: v.VersionId === p.DefaultVersionId, CreateDate: date(v.CreateDate) })),
      };
    };
    if (wanted.has("LocalManagedPolicy")) {
      for (const p of await listRecords<PolicyRecord>(scope, "policy")) rows.push({ kind: "policy", value: await managed(p) });
    }
    if (wanted.has("AWSManagedPolicy")) {
      for (const p of AWS_MANAGED) {
        const usage = await policyUsage(scope, p.arn);
        // As IAM: only the AWS managed policies the account uses.
        if (!usage.attached && !usage.boundary) continue;
        rows.push({ kind: "policy", value: await managed({
          PolicyName: p.name, PolicyId: p.id, Arn: p.arn, Path: p.path, DefaultVersionId: p.version, Description: p.description,
          CreateDate: Date.parse(p.created), UpdateDate: Date.parse(p.updated),
          Versions: [{ VersionId: p.version, Document: p.document, CreateDate: Date.parse(p.updated) }],
        }) });
      }
    }
    const page = paginate(rows, input.Marker, input.MaxItems);
    const of = (kind: string) => page.items.filter((r) => r.kind === kind).map((r) => r.value) as never[];
    return {
      UserDetailList: of("user"), GroupDetailList: of("group"), RoleDetailList: of("role"), Policies: of("policy"),
      IsTruncated: page.IsTruncated, Marker: page.Marker,
    };
  },

  // ---- credential report ----

  async GenerateCredentialReport(_input, ctx) {
    const scope = scopeOf(ctx);
    const settings = await account(scope);
    // A report younger than 4 hours is reused, as IAM does; otherwise a new one is made now.
    if (settings.report && scope.now - settings.report.generated < 4 * 3600_000) return { State: "COMPLETE" };
    await saveAccount(scope, { ...settings, report: { generated: scope.now, csv: await credentialReport(ctx, scope) } });
    return { State: "STARTED", Description: "No report exists. Starting a new report generation task" };
  },

  async GetCredentialReport(_input, ctx) {
    const scope = scopeOf(ctx);
    const report = (await account(scope)).report;
    if (!report) throw new AwsError("CredentialReportNotPresentException", "Credential report not present", 410);
    if (scope.now - report.generated > 4 * 3600_000) throw new AwsError("CredentialReportExpiredException", "Credential report expired", 410);
    return { Content: new TextEncoder().encode(report.csv), ReportFormat: "text/csv", GeneratedTime: date(report.generated) };
  },
};


