/**
 * AWS Security Token Service over the query protocol.
 * Source: https://docs.aws.amazon.com/STS/latest/APIReference/API_Operations.html
 *
 * Temporary credentials are stored (service-global, since STS credentials work in every
 * region) and are real credentials for later calls: their access key id encodes the account,
 * and GetCallerIdentity with them returns the assumed-role / federated-user ARN.
 */
import { defineService, type RequestContext } from "../types.ts";
import type { Operations } from "../../generated/sts.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import { AwsError } from "../../protocol/errors.ts";
import { accountFromAccessKeyId } from "../../gateway/accounts.ts";
import model from "../../../models/sts.json" with { type: "json" };
import { credentialsOutput, issueCredentials, lookupCredentials, principalOf, uniqueId, type Identity } from "./credentials.ts";
import { findRole, identityOfIamKey, managedSessionPolicies } from "./iam-lookup.ts";
import type { NamedPolicy, PolicyDocument } from "../../policy/types.ts";
import { nameQualifier, readSamlAssertion, readWebIdentityToken } from "./tokens.ts";
import { base64ToUtf8 } from "../../encoding/base64.ts";
import { stsAuthorization } from "./authorization.ts";

const HOUR = 3600;

/** The identity of the caller: the STS session behind its key, or the account's root. */
async function callerIdentity(ctx: RequestContext): Promise<Identity> {
  const key = ctx.caller.accessKeyId;
  if (key) {
    const issued = await lookupCredentials(ctx.globalStore, key);
    if (issued) {
      if (issued.Expiration <= ctx.clock.now()) {
        throw new AwsError("ExpiredTokenException", "The security token included in the request is expired", 400);
      }
      return issued.identity;
    }
    if (key.startsWith("AKIA")) {
      const user = await identityOfIamKey(ctx, key);
      if (user) return user;
    }
  }
  return { Account: ctx.accountId, Arn: `arn:aws:iam::${ctx.accountId}:root`, UserId: ctx.accountId, kind: "root" };
}

interface RoleArn {
  partition: string;
  account: string;
  name: string;
}

function parseRoleArn(arn: string, member = "roleArn"): RoleArn {
  const match = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:[\w+=,.@/-]*\/)?([\w+=,.@-]{1,64})$/.exec(arn);
  if (!match) throw new AwsError("ValidationError", `${arn} is invalid`, 400);
  void member;
  return { partition: match[1], account: match[2], name: match[3] };
}

function checkPolicy(policy: string | undefined): void {
  if (policy === undefined) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(policy);
  } catch {
    throw new AwsError("MalformedPolicyDocumentException", "The policy is not in the valid JSON format.", 400);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new AwsError("MalformedPolicyDocumentException", "The policy is not in the valid JSON format.", 400);
  }
}

interface SessionExtras {
  Policy?: string;
  PolicyArns?: { arn?: string }[];
  Tags?: { Key: string; Value: string }[];
}

/**
 * PackedPolicySize: the percentage of the packed-policy allowance the session policies and tags
 * use; present only when the request passed any. Over 100 → PackedPolicyTooLarge, as on AWS.
 */
function packedPolicySize(extras: SessionExtras): number | undefined {
  const policyBytes = (extras.Policy ? JSON.stringify(JSON.parse(extras.Policy)).length : 0) +
    (extras.PolicyArns ?? []).reduce((n, p) => n + (p.arn?.length ?? 0), 0);
  const tagBytes = (extras.Tags ?? []).reduce((n, t) => n + t.Key.length + t.Value.length, 0);
  if (!policyBytes && !tagBytes) return undefined;
  const size = Math.ceil((policyBytes / 2048) * 100 * 0.75 + (tagBytes / 2048) * 100);
  if (size > 100) {
    throw new AwsError("PackedPolicyTooLargeException", `Packed size of consumed sessions policies and session tags exceeds 100%: ${size}%.`, 400);
  }
  return Math.max(size, 1);
}

function checkTags(tags: { Key: string; Value: string }[] | undefined, transitive?: string[]): void {
  if (!tags) return;
  if (tags.length > 50) throw new AwsError("ValidationError", "1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50", 400);
  const seen = new Set<string>();
  for (const tag of tags) {
    const lower = tag.Key.toLowerCase();
    if (seen.has(lower)) throw new AwsError("InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive.", 400);
    seen.add(lower);
  }
  for (const key of transitive ?? []) {
    if (!seen.has(key.toLowerCase())) throw new AwsError("InvalidParameterValue", "The specified transitive tag key must be included in the requested tags.", 400);
  }
}

interface SessionRequest {
  Policy?: string;
  PolicyArns?: { arn?: string }[];
  Tags?: { Key: string; Value: string }[];
  TransitiveTagKeys?: string[];
  SourceIdentity?: string;
}

/**
 * Issues a role session after checking, through IAM, that the role exists (AWS answers a
 * missing role with AccessDenied, naming the caller) and that the duration fits its
 * MaxSessionDuration. The session carries the role's ARN, session policies and tags.
 */
async function assumeRole(
  ctx: RequestContext,
  role: RoleArn,
  roleArn: string,
  sessionName: string,
  durationSeconds: number,
  request: SessionRequest,
  denied: () => AwsError,
  caller?: Identity,
  contextKeys: Record<string, string | string[]> = {},
) {
  const found = await findRole(ctx, role.account, role.name, roleArn);
  if (found === null) throw denied();
  if (found && durationSeconds > found.MaxSessionDuration) {
    throw new AwsError("ValidationError", `The requested DurationSeconds exceeds the MaxSessionDuration set for this role.`, 400);
  }
  const roleId = found?.RoleId ?? uniqueId("AROA");
  const sessionPolicies: NamedPolicy[] = [];
  if (request.Policy) sessionPolicies.push({ source: "session policy", document: JSON.parse(request.Policy) as PolicyDocument });
  const arns = (request.PolicyArns ?? []).map((p) => String(p.arn ?? ""));
  if (arns.length) sessionPolicies.push(...(await managedSessionPolicies(ctx, role.account, arns)));
  // Role chaining passes the caller's transitive session tags on (they cannot be overridden).
  const inherited = Object.fromEntries((caller?.transitiveTagKeys ?? []).map((k) => [k, caller!.sessionTags?.[k] ?? ""]));
  const tags = { ...Object.fromEntries((request.Tags ?? []).map((t) => [t.Key, t.Value])), ...inherited };
  const identity: Identity = {
    Account: role.account,
    Arn: `arn:${role.partition}:sts::${role.account}:assumed-role/${role.name}/${sessionName}`,
    UserId: `${roleId}:${sessionName}`,
    kind: "assumed-role",
    principalArn: found?.Arn ?? roleArn,
    ...(sessionPolicies.length ? { sessionPolicies } : {}),
    ...(Object.keys(tags).length ? { sessionTags: tags } : {}),
    ...(request.TransitiveTagKeys?.length || caller?.transitiveTagKeys?.length
      ? { transitiveTagKeys: [...new Set([...(request.TransitiveTagKeys ?? []), ...(caller?.transitiveTagKeys ?? [])])] } : {}),
    ...(request.SourceIdentity ? { contextKeys: { ...contextKeys, "aws:SourceIdentity": request.SourceIdentity } } : Object.keys(contextKeys).length ? { contextKeys } : {}),
  };
  const issued = await issueCredentials(ctx.globalStore, identity, ctx.clock.now() + durationSeconds * 1000);
  return {
    Credentials: credentialsOutput(issued),
    AssumedRoleUser: { AssumedRoleId: identity.UserId, Arn: identity.Arn },
  };
}

export default defineService<Operations>({
  name: "sts",
  authorization: stsAuthorization,
  model: model as unknown as ServiceModel,
  async resolveSecret(accessKeyId, globalStore) {
    return (await lookupCredentials(globalStore, accessKeyId))?.SecretAccessKey ?? null;
  },
  /** The session behind credentials STS issued (expiry is the caller's to check: STS answers ExpiredToken). */
  async resolvePrincipal(accessKeyId, globalStore) {
    const issued = await lookupCredentials(globalStore, accessKeyId);
    return issued ? principalOf(issued.identity) : null;
  },
  handlers: {
    async GetCallerIdentity(_input, ctx) {
      const identity = await callerIdentity(ctx);
      return { UserId: identity.UserId, Account: identity.Account, Arn: identity.Arn };
    },

    async AssumeRole(input, ctx) {
      const role = parseRoleArn(input.RoleArn);
      const caller = await callerIdentity(ctx);
      const duration = input.DurationSeconds ?? HOUR;
      if (caller.kind === "assumed-role" && duration > HOUR) {
        throw new AwsError("ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.", 400);
      }
      if ((input.SerialNumber && !input.TokenCode) || (!input.SerialNumber && input.TokenCode)) {
        throw new AwsError("AccessDenied", "MultiFactorAuthentication failed, SerialNumber and TokenCode must be provided together.", 403);
      }
      checkPolicy(input.Policy);
      checkTags(input.Tags, input.TransitiveTagKeys);
      const packed = packedPolicySize(input);
      const denied = () => new AwsError("AccessDenied", `User: ${caller.Arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`, 403);
      const result = await assumeRole(ctx, role, input.RoleArn, input.RoleSessionName, duration, input, denied, caller);
      return { ...result, PackedPolicySize: packed, SourceIdentity: input.SourceIdentity };
    },

    async AssumeRoleWithWebIdentity(input, ctx) {
      const role = parseRoleArn(input.RoleArn);
      const claims = readWebIdentityToken(input.WebIdentityToken, ctx.clock.now());
      checkPolicy(input.Policy);
      const packed = packedPolicySize(input);
      const denied = () => new AwsError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithWebIdentity", 403);
      const result = await assumeRole(ctx, role, input.RoleArn, input.RoleSessionName, input.DurationSeconds ?? HOUR, input, denied, undefined, {
        "aws:FederatedProvider": input.ProviderId ?? claims.iss,
      });
      return {
        ...result,
        SubjectFromWebIdentityToken: claims.sub,
        Provider: input.ProviderId ?? claims.iss,
        Audience: claims.aud,
        PackedPolicySize: packed,
      };
    },

    async AssumeRoleWithSAML(input, ctx) {
      const role = parseRoleArn(input.RoleArn);
      const provider = /^arn:aws[a-z-]*:iam::(\d{12}):saml-provider\/([\w+=,.@-]+)$/.exec(input.PrincipalArn);
      if (!provider) throw new AwsError("ValidationError", `${input.PrincipalArn} is invalid`, 400);
      const claims = readSamlAssertion(input.SAMLAssertion);
      if (claims.notOnOrAfter !== undefined && claims.notOnOrAfter <= ctx.clock.now()) {
        throw new AwsError("ExpiredTokenException", "Token must be redeemed within 5 minutes of issuance", 400);
      }
      checkPolicy(input.Policy);
      const packed = packedPolicySize(input);
      const sessionName = claims.roleSessionName ?? claims.subject;
      if (!sessionName) throw new AwsError("InvalidIdentityTokenException", "Missing RoleSessionName attribute", 400);
      const duration = input.DurationSeconds ?? claims.sessionDuration ?? HOUR;
      const denied = () => new AwsError("AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", 403);
      const result = await assumeRole(ctx, role, input.RoleArn, sessionName, duration, input, denied, undefined, {
        "aws:FederatedProvider": input.PrincipalArn,
      });
      return {
        ...result,
        Subject: claims.subject,
        SubjectType: claims.subjectType,
        Issuer: claims.issuer,
        Audience: claims.audience,
        NameQualifier: nameQualifier(claims.issuer, role.account, provider[2]),
        PackedPolicySize: packed,
      };
    },

    async GetSessionToken(input, ctx) {
      const caller = await callerIdentity(ctx);
      if (caller.kind !== "root" && caller.kind !== "user") {
        throw new AwsError("AccessDenied", "Cannot call GetSessionToken with session credentials", 403);
      }
      if ((input.SerialNumber && !input.TokenCode) || (!input.SerialNumber && input.TokenCode)) {
        throw new AwsError("AccessDenied", "MultiFactorAuthentication failed, SerialNumber and TokenCode must be provided together.", 403);
      }
      // Root credentials are limited to one hour; IAM users get up to 36 hours (default 12).
      const duration = Math.min(input.DurationSeconds ?? 12 * HOUR, caller.kind === "root" ? HOUR : 36 * HOUR);
      const issued = await issueCredentials(ctx.globalStore, { ...caller, kind: "session" }, ctx.clock.now() + duration * 1000);
      return { Credentials: credentialsOutput(issued) };
    },

    async GetFederationToken(input, ctx) {
      const caller = await callerIdentity(ctx);
      if (caller.kind !== "root" && caller.kind !== "user") {
        throw new AwsError("AccessDenied", "Cannot call GetFederationToken with session credentials", 403);
      }
      checkPolicy(input.Policy);
      checkTags(input.Tags);
      const packed = packedPolicySize(input);
      const duration = Math.min(input.DurationSeconds ?? 12 * HOUR, caller.kind === "root" ? HOUR : 36 * HOUR);
      const sessionPolicies: NamedPolicy[] = input.Policy ? [{ source: "session policy", document: JSON.parse(input.Policy) as PolicyDocument }] : [];
      const arns = (input.PolicyArns ?? []).map((p) => String(p.arn ?? ""));
      if (arns.length) sessionPolicies.push(...(await managedSessionPolicies(ctx, caller.Account, arns)));
      const identity: Identity = {
        Account: caller.Account,
        Arn: `arn:aws:sts::${caller.Account}:federated-user/${input.Name}`,
        UserId: `${caller.Account}:${input.Name}`,
        kind: "federated-user",
        // A federated user has the calling IAM user's permissions, capped by the session policies.
        principalArn: caller.principalArn,
        sessionPolicies,
        ...(input.Tags?.length ? { sessionTags: Object.fromEntries(input.Tags.map((t) => [t.Key, t.Value])) } : {}),
      };
      const issued = await issueCredentials(ctx.globalStore, identity, ctx.clock.now() + duration * 1000);
      return {
        Credentials: credentialsOutput(issued),
        FederatedUser: { FederatedUserId: identity.UserId, Arn: identity.Arn },
        PackedPolicySize: packed,
      };
    },

    async AssumeRoot(input, ctx) {
      if (!/^\d{12}$/.test(input.TargetPrincipal)) {
        throw new AwsError("ValidationError", "1 validation error detected: Value at 'targetPrincipal' failed to satisfy constraint: Member must be an account id", 400);
      }
      const task = String(input.TaskPolicyArn?.arn ?? "");
      if (!/^arn:aws[a-z-]*:iam::aws:policy\/root-task\/[\w+=,.@/-]+$/.test(task)) {
        throw new AwsError("ValidationError", `The TaskPolicyArn ${task} is not a valid root task policy.`, 400);
      }
      const duration = input.DurationSeconds ?? 900;
      const identity: Identity = {
        Account: input.TargetPrincipal,
        Arn: `arn:aws:iam::${input.TargetPrincipal}:root`,
        UserId: input.TargetPrincipal,
        kind: "root-task",
      };
      const issued = await issueCredentials(ctx.globalStore, identity, ctx.clock.now() + duration * 1000);
      return { Credentials: credentialsOutput(issued) };
    },

    GetAccessKeyInfo(input, ctx) {
      const key = String(input.AccessKeyId);
      const account = /^\d{12}$/.test(key) ? key : accountFromAccessKeyId(key) ?? ctx.accountId;
      return { Account: account };
    },

    DecodeAuthorizationMessage(input) {
      // fetchstack's encoded messages are base64url JSON; anything else is not one of ours.
      try {
        const json = base64ToUtf8(String(input.EncodedMessage));
        JSON.parse(json);
        return { DecodedMessage: json };
      } catch {
        throw new AwsError("InvalidAuthorizationMessageException", "The authorization message is invalid.", 400);
      }
    },

    GetWebIdentityToken() {
      // Outbound identity federation is off until an account enables it through IAM, which
      // fetchstack does not emulate yet; this is AWS's answer for such an account.
      throw new AwsError(
        "OutboundWebIdentityFederationDisabledException",
        "Outbound web identity federation is not enabled for this account.",
        403,
      );
    },

    GetDelegatedAccessToken() {
      // Trade-in tokens come from approved delegation requests, which nothing here can create.
      throw new AwsError("ExpiredTradeInTokenException", "The trade-in token is invalid or has expired.", 400);
    },
  },
});
