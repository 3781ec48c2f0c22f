/**
 * What STS asks IAM, through `ctx.invoke` (no service imports another): the user behind an IAM
 * access key, the role a session assumes, and managed session policies (PolicyArns).
 * When IAM is not served, nothing is known and STS answers as before IAM existed (roles are
 * taken on trust, keys are their account's root).
 */
import type { RequestContext } from "../types.ts";
import type { NamedPolicy, PolicyDocument } from "../../policy/types.ts";
import { AwsError } from "../../protocol/errors.ts";
import type { Identity } from "./credentials.ts";

function isMissing(error: unknown): boolean {
  return error instanceof AwsError && (error.code === "NoSuchEntityException" || error.code === "NoSuchEntity");
}

function iamUnavailable(error: unknown): boolean {
  return error instanceof AwsError && error.status === 501;
}

/** The IAM user (or root) an `AKIA` key belongs to, or null when IAM does not know the key. */
export async function identityOfIamKey(ctx: RequestContext, accessKeyId: string): Promise<Identity | null> {
  let owner: { UserName?: string };
  try {
    owner = await ctx.invoke("iam", "GetAccessKeyLastUsed", { AccessKeyId: accessKeyId }) as { UserName?: string };
  } catch (error) {
    if (isMissing(error) || iamUnavailable(error)) return null;
    throw error;
  }
  if (!owner.UserName) return null;
  const { User } = await ctx.invoke("iam", "GetUser", { UserName: owner.UserName }) as { User: { Arn: string; UserId: string } };
  return { Account: ctx.accountId, Arn: User.Arn, UserId: User.UserId, kind: "user", principalArn: User.Arn };
}

export interface RoleFacts {
  Arn: string;
  RoleId: string;
  MaxSessionDuration: number;
}

/**
 * The role `roleArn` names in `account`, as IAM has it: `undefined` when IAM is not served (no
 * check possible), null when there is no such role (or its path differs from the ARN's).
 */
export async function findRole(ctx: RequestContext, account: string, name: string, roleArn: string): Promise<RoleFacts | null | undefined> {
  try {
    const { Role } = await ctx.invoke("iam", "GetRole", { RoleName: name }, { accountId: account }) as { Role: RoleFacts };
    return Role.Arn.replace(/^arn:aws:/, "") === roleArn.replace(/^arn:aws[a-z-]*:/, "") ? Role : null;
  } catch (error) {
    if (iamUnavailable(error)) return undefined;
    if (isMissing(error)) return null;
    throw error;
  }
}

/** The documents of managed session policies (`PolicyArns`), read in the role's account. */
export async function managedSessionPolicies(ctx: RequestContext, account: string, arns: string[]): Promise<NamedPolicy[]> {
  const out: NamedPolicy[] = [];
  for (const arn of arns) {
    try {
      const { Policy } = await ctx.invoke("iam", "GetPolicy", { PolicyArn: arn }, { accountId: account }) as { Policy: { DefaultVersionId: string } };
      const { PolicyVersion } = await ctx.invoke("iam", "GetPolicyVersion", { PolicyArn: arn, VersionId: Policy.DefaultVersionId }, { accountId: account }) as {
        PolicyVersion: { Document: string };
      };
      out.push({ source: arn, document: JSON.parse(decodeURIComponent(PolicyVersion.Document)) as PolicyDocument });
    } catch (error) {
      if (iamUnavailable(error)) return out;
      if (isMissing(error)) throw new AwsError("InvalidParameterValue", `Policy ${arn} does not exist or is not attachable.`, 400);
      throw error;
    }
  }
  return out;
}
