/**
 * The stored shapes of IAM's principals (users, groups, roles) and their loaders, with IAM's
 * NoSuchEntity messages. Timestamps are epoch milliseconds.
 */
import type { Tag } from "../../generated/iam.ts";
import { getRecord, noSuchEntity, type Scope } from "./common.ts";

/** What users, groups and roles share: attached managed policies and inline policies. */
export interface PolicyHolder {
  Path: string;
  Arn: string;
  CreateDate: number;
  /** Attached managed policy ARNs, in attach order. */
  Attached: string[];
  /** Inline policy name → document text as given. */
  Inline: Record<string, string>;
}

export interface SigningCertificateRecord {
  CertificateId: string;
  CertificateBody: string;
  Status: "Active" | "Inactive";
  UploadDate: number;
}

export interface SshKeyRecord {
  SSHPublicKeyId: string;
  SSHPublicKeyBody: string;
  Fingerprint: string;
  Status: "Active" | "Inactive";
  UploadDate: number;
}

export interface ServiceCredentialRecord {
  ServiceSpecificCredentialId: string;
  ServiceName: string;
  /** CodeCommit and Keyspaces: a user name and password. */
  ServiceUserName?: string;
  ServicePassword?: string;
  /** Bedrock API keys: an alias and secret (the key), and when they expire. */
  ServiceCredentialAlias?: string;
  ServiceCredentialSecret?: string;
  ExpirationDate?: number;
  Status: "Active" | "Inactive";
  CreateDate: number;
}

export interface UserRecord extends PolicyHolder {
  UserName: string;
  UserId: string;
  PermissionsBoundary?: string;
  Tags: Tag[];
  /** Names of the groups the user is in, as the groups spell them. */
  Groups: string[];
  AccessKeys: string[];
  LoginProfile?: { CreateDate: number; PasswordResetRequired: boolean; Password: string };
  PasswordLastUsed?: number;
  /** MFA devices enabled for the user (serial numbers), with when. */
  MfaDevices: { SerialNumber: string; EnableDate: number }[];
  SigningCertificates: SigningCertificateRecord[];
  SshKeys: SshKeyRecord[];
  ServiceCredentials: ServiceCredentialRecord[];
}

export interface GroupRecord extends PolicyHolder {
  GroupName: string;
  GroupId: string;
}

export interface RoleRecord extends PolicyHolder {
  RoleName: string;
  RoleId: string;
  AssumeRolePolicyDocument: string;
  Description?: string;
  MaxSessionDuration: number;
  PermissionsBoundary?: string;
  Tags: Tag[];
  /** Set for service-linked roles: the service principal that owns the role. */
  ServiceLinked?: string;
}

export type HolderKind = "user" | "group" | "role";

export async function loadUser(scope: Scope, name: string): Promise<UserRecord> {
  const user = await getRecord<UserRecord>(scope, "user", name);
  if (!user) throw noSuchEntity(`The user with name ${name} cannot be found.`);
  return user;
}

export async function loadGroup(scope: Scope, name: string): Promise<GroupRecord> {
  const group = await getRecord<GroupRecord>(scope, "group", name);
  if (!group) throw noSuchEntity(`The group with name ${name} cannot be found.`);
  return group;
}

export async function loadRole(scope: Scope, name: string): Promise<RoleRecord> {
  const role = await getRecord<RoleRecord>(scope, "role", name);
  if (!role) throw noSuchEntity(`The role with name ${name} cannot be found.`);
  return role;
}

export function loadHolder(scope: Scope, kind: HolderKind, name: string): Promise<PolicyHolder> {
  return kind === "user" ? loadUser(scope, name) : kind === "group" ? loadGroup(scope, name) : loadRole(scope, name);
}

export function holderName(kind: HolderKind, holder: PolicyHolder): string {
  const record = holder as Partial<UserRecord & GroupRecord & RoleRecord>;
  return (kind === "user" ? record.UserName : kind === "group" ? record.GroupName : record.RoleName) ?? "";
}
