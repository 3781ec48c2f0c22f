/**
 * The global condition keys of a request: who is calling (aws:PrincipalArn, aws:PrincipalAccount,
 * aws:PrincipalType, aws:userid, aws:username, aws:PrincipalTag/*), how (aws:SourceIp,
 * aws:SecureTransport), when (aws:CurrentTime, aws:EpochTime) and where (aws:RequestedRegion).
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
import { ConditionContext, type ContextValue } from "./context.ts";
import type { Principal, PrincipalPolicies } from "./types.ts";

export interface RequestFacts {
  principal: Principal | null;
  /** The principal's policies record (tags, user name), when IAM knows it. */
  principalPolicies?: PrincipalPolicies | null;
  /** Epoch milliseconds. */
  now: number;
  sourceIp?: string;
  secureTransport?: boolean;
  region?: string;
  /** Service and resource keys (`s3:prefix`, `aws:ResourceTag/env`, `aws:RequestTag/x`, `aws:TagKeys`). */
  extra?: Record<string, ContextValue | undefined>;
}

const PRINCIPAL_TYPE: Record<Principal["kind"], string> = {
  root: "Account",
  user: "User",
  "assumed-role": "AssumedRole",
  "federated-user": "FederatedUser",
  session: "AssumedRole",
};

/** Builds the request context of one request from its facts. */
export function requestContext(facts: RequestFacts): ConditionContext {
  const ctx = new ConditionContext();
  const now = new Date(facts.now);
  ctx.set("aws:CurrentTime", now.toISOString().replace(/\.\d{3}Z$/, "Z"));
  ctx.set("aws:EpochTime", String(Math.floor(facts.now / 1000)));
  if (facts.sourceIp) ctx.set("aws:SourceIp", facts.sourceIp);
  ctx.set("aws:SecureTransport", facts.secureTransport ? "true" : "false");
  if (facts.region) ctx.set("aws:RequestedRegion", facts.region);
  const p = facts.principal;
  if (p) {
    ctx.set("aws:PrincipalArn", p.kind === "assumed-role" && p.principalArn ? p.principalArn : p.arn);
    ctx.set("aws:PrincipalAccount", p.account);
    ctx.set("aws:PrincipalType", PRINCIPAL_TYPE[p.kind]);
    ctx.set("aws:userid", p.userId);
    const userName = facts.principalPolicies?.userName ?? (p.kind === "user" ? p.arn.slice(p.arn.lastIndexOf("/") + 1) : undefined);
    if (userName) ctx.set("aws:username", userName);
    const tags = { ...(facts.principalPolicies?.tags ?? {}), ...(p.sessionTags ?? {}) };
    for (const [k, v] of Object.entries(tags)) ctx.set(`aws:PrincipalTag/${k}`, v);
    for (const [k, v] of Object.entries(p.contextKeys ?? {})) ctx.set(k, v);
  } else {
    ctx.set("aws:PrincipalType", "Anonymous");
  }
  for (const [k, v] of Object.entries(facts.extra ?? {})) if (v !== undefined) ctx.set(k, v);
  return ctx;
}
