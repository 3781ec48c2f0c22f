/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy, decided by the same engine as enforcement
 * (src/policy/evaluate.ts): per action and resource, the decision, the matched statements and the
 * permissions boundary's verdict.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulatePrincipalPolicy.html
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_SimulateCustomPolicy.html
 */
import type { ContextEntry, EvaluationResult, Operations, Statement } from "../../generated/iam.ts";
import { AwsError } from "../../protocol/errors.ts";
import { parsePolicyDocument, statementsOf } from "../../policy/document.ts";
import { evaluate, type Decision, type PolicySet, type StatementRef } from "../../policy/evaluate.ts";
import { requestContext } from "../../policy/request-context.ts";
import type { NamedPolicy, Principal, PrincipalPolicies } from "../../policy/types.ts";
import type { Handlers, RequestContext } from "../types.ts";
import { groupPolicies, principalPolicies } from "./principals.ts";
import { contextKeysOf } from "../../policy/context-keys.ts";

/** A group's policies as a principal's (simulating a group: its members' share of policies). */
async function groupBase(arn: string, account: string, ctx: RequestContext): Promise<PrincipalPolicies | null> {
  const policies = await groupPolicies(arn, account, ctx.globalStore);
  return policies ? { principalArn: arn, identityPolicies: policies, tags: {} } : null;
}

/** Parses simulation inputs; an unreadable one is InvalidInput, as these operations report it. */
function inputDocuments(texts: string[] | undefined) {
  return (texts ?? []).map((text) => parsePolicyDocument(text, "identity", { errorCode: "InvalidInputException" }));
}

interface SimulationInput {
  PolicyInputList?: string[];
  PermissionsBoundaryPolicyInputList?: string[];
  ActionNames: string[];
  ResourceArns?: string[];
  ResourcePolicy?: string;
  ResourceOwner?: string;
  CallerArn?: string;
  ContextEntries?: ContextEntry[];
  MaxItems?: number;
  Marker?: string;
}

function inputPolicies(texts: string[] | undefined, prefix: string): NamedPolicy[] {
  return (texts ?? []).map((text, i) => ({ source: `${prefix}.${i + 1}`, document: parsePolicyDocument(text, "identity") }));
}

/** Where a statement came from, as IAM's `SourcePolicyType` says it. */
function sourceType(ref: StatementRef): string {
  if (ref.policyType === "resource-based") return "resource";
  if (ref.source.startsWith("PolicyInputList") || ref.source.startsWith("PermissionsBoundaryPolicyInputList")) return "none";
  if (ref.source.startsWith("arn:aws:iam::aws:policy/")) return "aws-managed";
  const inline = /^arn:aws[a-z-]*:iam::\d{12}:(user|group|role)\/.*#/.exec(ref.source);
  if (inline) return inline[1];
  return "user-managed";
}

function sourceId(ref: StatementRef): string {
  const hash = ref.source.indexOf("#");
  if (hash >= 0) return ref.source.slice(hash + 1);
  if (ref.source.startsWith("arn:")) return ref.source.slice(ref.source.lastIndexOf("/") + 1);
  return ref.source;
}

/** Line and column of the statement in its document as JSON text (1-based), as IAM reports them. */
function positions(policies: NamedPolicy[], ref: StatementRef): Pick<Statement, "StartPosition" | "EndPosition"> {
  const policy = policies.find((p) => p.source === ref.source);
  if (!policy) return {};
  const text = JSON.stringify(policy.document);
  const stmt = JSON.stringify(statementsOf(policy.document)[ref.index]);
  const at = text.indexOf(stmt);
  if (at < 0) return {};
  return { StartPosition: { Line: 1, Column: at + 1 }, EndPosition: { Line: 1, Column: at + stmt.length + 1 } };
}

function contextOf(entries: ContextEntry[] | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const e of entries ?? []) {
    if (!e.ContextKeyName) continue;
    const values = e.ContextKeyValues ?? [];
    out[e.ContextKeyName] = e.ContextKeyType?.endsWith("List") ? values : values.length === 1 ? values[0] : values;
  }
  return out;
}

/** The context keys a policy set's conditions and variables use that the simulation did not give. */
function missingKeys(policies: NamedPolicy[], given: Record<string, unknown>, context: ReturnType<typeof requestContext>): string[] {
  const givenLower = new Set(Object.keys(given).map((k) => k.toLowerCase()));
  return contextKeysOf(policies.map((p) => p.document)).filter((k) => !givenLower.has(k.toLowerCase()) && !context.has(k));
}

async function simulate(input: SimulationInput, ctx: RequestContext, principal: Principal, base: PrincipalPolicies | null) {
  if (!input.ActionNames?.length) throw new AwsError("InvalidInput", "ActionNames must not be empty.", 400);
  const identity = [...(base?.identityPolicies ?? []), ...inputPolicies(input.PolicyInputList, "PolicyInputList")];
  const boundaries = inputPolicies(input.PermissionsBoundaryPolicyInputList, "PermissionsBoundaryPolicyInputList");
  const boundary = boundaries[0] ?? base?.permissionsBoundary;
  const resourcePolicy: NamedPolicy | undefined = input.ResourcePolicy
    ? { source: "ResourcePolicy", document: parsePolicyDocument(input.ResourcePolicy, "resource") }
    : undefined;
  const resourceAccount = input.ResourceOwner ? /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(input.ResourceOwner)?.[1] : undefined;
  const given = contextOf(input.ContextEntries);
  const all = [...identity, ...(boundary ? [boundary] : []), ...(resourcePolicy ? [resourcePolicy] : [])];
  const results: EvaluationResult[] = [];
  for (const action of input.ActionNames) {
    for (const resource of input.ResourceArns?.length ? input.ResourceArns : ["*"]) {
      const context = requestContext({ principal, principalPolicies: base, now: ctx.clock.now(), region: ctx.region, extra: given });
      // aws:SourceIp and aws:SecureTransport come only from the simulation's own entries.
      const set: PolicySet = { identityPolicies: identity, permissionsBoundary: boundary, resourcePolicy };
      const decision: Decision = evaluate({ principal, action, resource, resourceAccount, context }, set);
      const boundaryDecision = boundary
        ? evaluate({ principal, action, resource, resourceAccount, context }, { identityPolicies: [boundary] }).allowed
        : undefined;
      const matched = decision.matched
        .filter((m) => m.policyType !== "permissions boundary")
        .map((m): Statement => ({ SourcePolicyId: sourceId(m), SourcePolicyType: sourceType(m) as Statement["SourcePolicyType"], ...positions(all, m) }));
      results.push({
        EvalActionName: action,
        EvalResourceName: resource,
        EvalDecision: decision.decision,
        MatchedStatements: matched,
        MissingContextValues: missingKeys(all, given, context),
        OrganizationsDecisionDetail: { AllowedByOrganizations: true },
        ...(boundaryDecision !== undefined ? { PermissionsBoundaryDecisionDetail: { AllowedByPermissionsBoundary: boundaryDecision } } : {}),
        ...(resourcePolicy ? { EvalDecisionDetails: { IAM: decision.decision, ResourcePolicy: decision.matched.some((m) => m.policyType === "resource-based" && m.effect === "Allow") ? "allowed" : "implicitDeny" } as never } : {}),
      });
    }
  }
  const start = input.Marker ? Number(input.Marker) : 0;
  if (!Number.isInteger(start) || start < 0 || start > results.length) throw new AwsError("InvalidInput", "Invalid Marker.", 400);
  const max = input.MaxItems ?? 100;
  const page = results.slice(start, start + max);
  const truncated = start + max < results.length;
  return { EvaluationResults: page, IsTruncated: truncated, ...(truncated ? { Marker: String(start + max) } : {}) };
}

export const simulateHandlers: Handlers<Operations> = {
  async GetContextKeysForCustomPolicy(input) {
    return { ContextKeyNames: contextKeysOf(inputDocuments(input.PolicyInputList)) };
  },
  async GetContextKeysForPrincipalPolicy(input, ctx) {
    const arn = input.PolicySourceArn;
    const m = /^arn:aws[a-z-]*:iam::(\d{12}):(user|role|group)\/(?:.*\/)?([^/]+)$/.exec(arn);
    if (!m) throw new AwsError("InvalidInputException", `ARN ${arn} is not valid.`, 400);
    const [, account, type, name] = m;
    const base = type === "group" ? await groupBase(arn, account, ctx) : await principalPolicies(arn, account, ctx.globalStore);
    if (!base || account !== ctx.accountId) throw new AwsError("NoSuchEntityException", `The ${type} with name ${name} cannot be found.`, 404);
    return { ContextKeyNames: contextKeysOf([...base.identityPolicies.map((p) => p.document), ...inputDocuments(input.PolicyInputList)]) };
  },

  async SimulatePrincipalPolicy(input, ctx) {
    const arn = input.PolicySourceArn;
    const m = /^arn:aws[a-z-]*:iam::(\d{12}):(user|role|group)\/(?:.*\/)?([^/]+)$/.exec(arn);
    if (!m) throw new AwsError("InvalidInput", `Invalid ARN: ${arn}`, 400);
    const [, account, type, name] = m;
    const base = type === "group" ? await groupBase(arn, account, ctx) : await principalPolicies(arn, account, ctx.globalStore);
    if (!base) throw new AwsError("NoSuchEntity", `The ${type} with name ${name} cannot be found.`, 404);
    const principal: Principal = { account, arn: input.CallerArn ?? arn, principalArn: arn, userId: name, kind: "user" };
    return simulate(input, ctx, principal, base);
  },
  async SimulateCustomPolicy(input, ctx) {
    const callerArn = input.CallerArn ?? `arn:aws:iam::${ctx.accountId}:user/SimulatedUser`;
    const account = /^arn:aws[a-z-]*:iam::(\d{12}):/.exec(callerArn)?.[1] ?? ctx.accountId;
    const principal: Principal = { account, arn: callerArn, principalArn: callerArn, userId: "SimulatedUser", kind: "user" };
    return simulate(input, ctx, principal, null);
  },
};
