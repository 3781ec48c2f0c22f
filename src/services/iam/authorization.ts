/**
 * IAM's actions and resources per operation (`iam:<Operation>` on the user, group, role,
 * policy, instance profile... ARN, `iam:PolicyARN`/`iam:PermissionsBoundary`/`iam:PassedToService`
 * style keys), and role trust policies as the resource-based policy of `sts:AssumeRole*` on a
 * role, for `enforceIam`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsidentityandaccessmanagementiam.html
 */
import type { AuthorizationEnv, AuthorizationMap, Input } from "../../policy/authorization.ts";
import { accountKey, type Kind } from "./common.ts";
import type { RoleRecord } from "./records.ts";

const arnOf = (kind: Kind, type: string, member: string) => async (input: Input, env: AuthorizationEnv): Promise<string | undefined> => {
  const name = input[member];
  if (!name) return undefined;
  const record = (await env.globalStore.get<{ Arn?: string }>(accountKey(env.account, kind, String(name)))).value;
  return record?.Arn ?? `arn:aws:iam::${env.account}:${type}/${name}`;
};
const user = arnOf("user", "user", "UserName");
const group = arnOf("group", "group", "GroupName");
const role = arnOf("role", "role", "RoleName");
const profile = arnOf("instance-profile", "instance-profile", "InstanceProfileName");
const serverCertificate = arnOf("server-certificate", "server-certificate", "ServerCertificateName");
/** Operations on "the user, or the caller when UserName is omitted" (access keys, MFA, SSH keys...). */
const userOrSelf = async (input: Input, env: AuthorizationEnv) => (await user(input, env)) ?? env.caller;
const policyArn = "{PolicyArn}";
const anyResource = { resource: "*" } as const;
const policyKey = { "iam:PolicyARN": "PolicyArn" } as const;
const boundaryKey = { "iam:PermissionsBoundary": "PermissionsBoundary" } as const;

export const iamAuthorization: AuthorizationMap = {
  prefix: "iam",
  resource: (input, env) => {
    if (input.UserName) return user(input, env);
    if (input.RoleName) return role(input, env);
    if (input.GroupName) return group(input, env);
    if (input.PolicyArn) return String(input.PolicyArn);
    if (input.InstanceProfileName) return profile(input, env);
    return "*";
  },
  operations: {
    CreateUser: { resource: (i, env) => `arn:aws:iam::${env.account}:user${i.Path ?? "/"}${i.UserName}`, tags: "Tags", context: boundaryKey },
    CreateRole: { resource: (i, env) => `arn:aws:iam::${env.account}:role${i.Path ?? "/"}${i.RoleName}`, tags: "Tags", context: boundaryKey },
    CreateGroup: { resource: (i, env) => `arn:aws:iam::${env.account}:group${i.Path ?? "/"}${i.GroupName}` },
    CreatePolicy: { resource: (i, env) => `arn:aws:iam::${env.account}:policy${i.Path ?? "/"}${i.PolicyName}`, tags: "Tags" },
    CreateInstanceProfile: { resource: (i, env) => `arn:aws:iam::${env.account}:instance-profile${i.Path ?? "/"}${i.InstanceProfileName}`, tags: "Tags" },
    AttachUserPolicy: { resource: user, context: policyKey },
    DetachUserPolicy: { resource: user, context: policyKey },
    AttachRolePolicy: { resource: role, context: policyKey },
    DetachRolePolicy: { resource: role, context: policyKey },
    AttachGroupPolicy: { resource: group, context: policyKey },
    DetachGroupPolicy: { resource: group, context: policyKey },
    PutUserPermissionsBoundary: { resource: user, context: boundaryKey },
    PutRolePermissionsBoundary: { resource: role, context: boundaryKey },
    AddUserToGroup: { resource: group },
    RemoveUserFromGroup: { resource: group },
    ListGroupsForUser: { resource: user },
    CreateAccessKey: { resource: userOrSelf },
    ListAccessKeys: { resource: userOrSelf },
    UpdateAccessKey: { resource: userOrSelf },
    DeleteAccessKey: { resource: userOrSelf },
    GetAccessKeyLastUsed: { resource: "*" },
    GetUser: { resource: userOrSelf },
    ChangePassword: { resource: userOrSelf },
    GetPolicy: { resource: policyArn },
    DeletePolicy: { resource: policyArn },
    GetPolicyVersion: { resource: policyArn },
    CreatePolicyVersion: { resource: policyArn },
    DeletePolicyVersion: { resource: policyArn },
    ListPolicyVersions: { resource: policyArn },
    SetDefaultPolicyVersion: { resource: policyArn },
    ListEntitiesForPolicy: { resource: policyArn },
    TagPolicy: { resource: policyArn, tags: "Tags" },
    UntagPolicy: { resource: policyArn },
    ListPolicyTags: { resource: policyArn },
    TagUser: { resource: user, tags: "Tags" },
    TagRole: { resource: role, tags: "Tags" },
    AddRoleToInstanceProfile: { resource: profile },
    RemoveRoleFromInstanceProfile: { resource: profile },
    ListInstanceProfilesForRole: { resource: role },
    ListUsers: anyResource,
    ListRoles: anyResource,
    ListGroups: anyResource,
    ListPolicies: anyResource,
    ListInstanceProfiles: anyResource,
    ListAccountAliases: anyResource,
    CreateAccountAlias: anyResource,
    DeleteAccountAlias: anyResource,
    GetAccountSummary: anyResource,
    GetAccountPasswordPolicy: anyResource,
    UpdateAccountPasswordPolicy: anyResource,
    DeleteAccountPasswordPolicy: anyResource,
    GetAccountAuthorizationDetails: anyResource,
    GenerateCredentialReport: anyResource,
    GetCredentialReport: anyResource,
    ListOpenIDConnectProviders: anyResource,
    ListSAMLProviders: anyResource,
    ListServerCertificates: anyResource,
    ListVirtualMFADevices: anyResource,
    SimulateCustomPolicy: anyResource,
    SimulatePrincipalPolicy: { resource: "{PolicySourceArn}" },
    GetContextKeysForCustomPolicy: anyResource,
    GetContextKeysForPrincipalPolicy: { resource: "{PolicySourceArn}" },
    CreateVirtualMFADevice: { resource: (i, env) => `arn:aws:iam::${env.account}:mfa${i.Path ?? "/"}${i.VirtualMFADeviceName}`, tags: "Tags" },
    DeleteVirtualMFADevice: { resource: "{SerialNumber}" },
    TagMFADevice: { resource: "{SerialNumber}", tags: "Tags" },
    UntagMFADevice: { resource: "{SerialNumber}" },
    ListMFADeviceTags: { resource: "{SerialNumber}" },
    ListMFADevices: { resource: userOrSelf },
    UploadServerCertificate: { resource: (i, env) => `arn:aws:iam::${env.account}:server-certificate${i.Path ?? "/"}${i.ServerCertificateName}`, tags: "Tags" },
    GetServerCertificate: { resource: serverCertificate },
    UpdateServerCertificate: { resource: serverCertificate },
    DeleteServerCertificate: { resource: serverCertificate },
    TagServerCertificate: { resource: serverCertificate, tags: "Tags" },
    UntagServerCertificate: { resource: serverCertificate },
    ListServerCertificateTags: { resource: serverCertificate },
    UploadSigningCertificate: { resource: userOrSelf },
    ListSigningCertificates: { resource: userOrSelf },
    UpdateSigningCertificate: { resource: userOrSelf },
    DeleteSigningCertificate: { resource: userOrSelf },
    ListServiceSpecificCredentials: { resource: userOrSelf },
    ResetServiceSpecificCredential: { resource: userOrSelf },
    UpdateServiceSpecificCredential: { resource: userOrSelf },
    DeleteServiceSpecificCredential: { resource: userOrSelf },
    GenerateServiceLastAccessedDetails: { resource: "{Arn}" },
    ListPoliciesGrantingServiceAccess: { resource: "{Arn}" },
    CreateServiceLinkedRole: { resource: (i, env) => `arn:aws:iam::${env.account}:role/aws-service-role/${i.AWSServiceName}/*`, context: { "iam:AWSServiceName": "AWSServiceName" } },
  },
  async resourcePolicy(arn, env) {
    const m = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(arn);
    if (!m) return null;
    const record = (await env.globalStore.get<RoleRecord>(accountKey(m[1], "role", m[2]))).value;
    if (!record || record.Arn !== arn) return null;
    let policy = record.AssumeRolePolicyDocument;
    if (!policy.trimStart().startsWith("{")) {
      try {
        policy = decodeURIComponent(policy);
      } catch { /* as stored */ }
    }
    // A role's trust policy must allow whoever assumes it, even in its own account.
    return { policy, source: `trust policy of ${arn}`, account: m[1], required: true, forActions: ["sts:"], tags: Object.fromEntries(record.Tags.map((t) => [t.Key, t.Value])) };
  },
};
