/**
 * AWS's policy evaluation logic for one request: explicit deny anywhere wins; then
 * resource-based policies, identity-based policies, permissions boundaries and session policies,
 * with AWS's same-account and cross-account rules. (Organizations SCPs/RCPs are not modelled.)
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
 *
 * - The root user is allowed everything in its own account (explicit denies in resource
 *   policies still apply; KMS key policies must still grant the account).
 * - Same account: an Allow in the resource policy naming the user or session ARN (or `*`) is
 *   enough on its own; naming the role ARN is still capped by the boundary and session policies;
 *   naming the account delegates to identity-based policies.
 * - Cross-account: the resource policy must allow and the principal's own policies must allow.
 * - Anonymous callers (unsigned requests) are allowed only by a resource policy naming `*`.
 */
import type { ConditionContext } from "./context.ts";
import { conditionsHold } from "./conditions.ts";
import { asList, statementsOf } from "./document.ts";
import { compileGlob, compileResource, resourceMatches, splitArn } from "./match.ts";
import type { NamedPolicy, Principal, PolicyStatement } from "./types.ts";
import { substitute } from "./variables.ts";

/** Where a statement comes from, in the words AWS's denial messages use. */
export type PolicyType = "identity-based" | "resource-based" | "permissions boundary" | "session";

export interface AuthorizationRequest {
  /** The caller; null for an anonymous (unsigned) request. */
  principal: Principal | null;
  /** `service:Action`, e.g. `s3:GetObject`. */
  action: string;
  /** The resource ARN, or `*` for actions that take none (`s3:ListAllMyBuckets`). */
  resource: string;
  /** The account owning the resource; defaults to the principal's (same-account). */
  resourceAccount?: string;
  context: ConditionContext;
}

/** Every policy that applies to one request. */
export interface PolicySet {
  identityPolicies: NamedPolicy[];
  permissionsBoundary?: NamedPolicy;
  sessionPolicies?: NamedPolicy[];
  /** The resource's own policy (bucket, queue, topic, function, key, secret policy; role trust policy). */
  resourcePolicy?: NamedPolicy;
  /** KMS key policies: nothing is allowed unless the key policy grants it (to the caller or its account). */
  resourcePolicyRequired?: boolean;
}

/** A statement that matched the request. */
export interface StatementRef {
  source: string;
  policyType: PolicyType;
  /** Position of the statement in its policy (0-based). */
  index: number;
  sid?: string;
  effect: "Allow" | "Deny";
}

export interface Decision {
  decision: "allowed" | "explicitDeny" | "implicitDeny";
  allowed: boolean;
  /** The deciding statement: the explicit Deny, or the Allow that granted; absent for an implicit deny. */
  statement?: StatementRef;
  /** Every statement that matched the request (action, resource, principal, conditions). */
  matched: StatementRef[];
  /**
   * The end of AWS's denial message: `because no identity-based policy allows the s3:PutObject
   * action`, `with an explicit deny in a resource-based policy`; empty when allowed.
   */
  reason: string;
}

/** How a resource policy's Principal names the caller. */
type PrincipalMatch = "direct" | "role" | "account" | null;

/** The ARNs and ids a caller answers to in a Principal element. */
function principalNames(p: Principal | null): { direct: string[]; role?: string; account?: string } {
  if (!p) return { direct: [] };
  const rootArn = `arn:aws:iam::${p.account}:root`;
  if (p.kind === "root") return { direct: [rootArn, p.account] };
  if (p.kind === "assumed-role") return { direct: [p.arn], role: p.principalArn, account: p.account };
  return { direct: [p.arn, ...(p.principalArn && p.principalArn !== p.arn ? [p.principalArn] : [])], account: p.account };
}

function principalElementMatch(element: PolicyStatement["Principal"], caller: Principal | null): PrincipalMatch {
  if (element === undefined) return null;
  if (element === "*") return "direct";
  const names = principalNames(caller);
  let best: PrincipalMatch = null;
  for (const [type, values] of Object.entries(element)) {
    for (const v of asList(values)) {
      if (type === "AWS") {
        if (v === "*") return "direct";
        if (!caller) continue;
        if (names.direct.includes(v)) return "direct";
        if (names.role && v === names.role) best = "role";
        else if (names.account && (v === names.account || v === `arn:aws:iam::${names.account}:root`) && best === null) best = "account";
      } else if (type === "Service" && caller?.kind === "session" && caller.arn === v) {
        return "direct";
      } else if (type === "Federated" && caller?.kind === "federated-user" && caller.contextKeys?.["aws:FederatedProvider"] === v) {
        return "direct";
      }
    }
  }
  return best;
}

interface Applies {
  applies: boolean;
  principal?: PrincipalMatch;
}

/** A statement prepared for matching: actions and variable-free resources compiled once per document. */
interface Compiled {
  s: PolicyStatement;
  actions?: ((a: string) => boolean)[];
  notActions?: ((a: string) => boolean)[];
  resources?: ResourceMatcher[];
  notResources?: ResourceMatcher[];
}
type ResourceMatcher = { fixed: (resource: string, parts: string[] | null) => boolean } | { pattern: string };

const compiledDocs = new WeakMap<object, { variables: boolean; statements: Compiled[] }>();

function compile(policy: NamedPolicy): Compiled[] {
  const variables = policy.document.Version === "2012-10-17";
  const cached = compiledDocs.get(policy.document);
  if (cached && cached.variables === variables) return cached.statements;
  const resource = (p: string): ResourceMatcher => (variables && p.includes("${") ? { pattern: p } : { fixed: compileResource(p) });
  const statements = statementsOf(policy.document).map((s): Compiled => ({
    s,
    ...(s.Action !== undefined ? { actions: asList(s.Action).map((a) => compileGlob(a, true)) } : {}),
    ...(s.NotAction !== undefined ? { notActions: asList(s.NotAction).map((a) => compileGlob(a, true)) } : {}),
    ...(s.Resource !== undefined ? { resources: asList(s.Resource).map(resource) } : {}),
    ...(s.NotResource !== undefined ? { notResources: asList(s.NotResource).map(resource) } : {}),
  }));
  compiledDocs.set(policy.document, { variables, statements });
  return statements;
}

function statementApplies(c: Compiled, req: AuthorizationRequest, parts: string[] | null, resourcePolicy: boolean, useVariables: boolean): Applies {
  const s = c.s;
  const action = req.action;
  if (c.actions) {
    if (!c.actions.some((m) => m(action))) return { applies: false };
  } else if (c.notActions) {
    if (c.notActions.some((m) => m(action))) return { applies: false };
  } else return { applies: false };

  const resourceHit = (matchers: ResourceMatcher[]) => matchers.some((m) => {
    if ("fixed" in m) return m.fixed(req.resource, parts);
    const sub = substitute(m.pattern, req.context, true);
    return sub !== null && resourceMatches(sub, req.resource);
  });
  if (c.resources) {
    if (!resourceHit(c.resources)) return { applies: false };
  } else if (c.notResources) {
    if (resourceHit(c.notResources)) return { applies: false };
  } else if (!resourcePolicy) return { applies: false };

  let principal: PrincipalMatch = null;
  if (resourcePolicy) {
    if (s.Principal !== undefined) {
      principal = principalElementMatch(s.Principal, req.principal);
      if (principal === null) return { applies: false };
    } else if (s.NotPrincipal !== undefined) {
      if (principalElementMatch(s.NotPrincipal, req.principal) !== null) return { applies: false };
      principal = "direct";
    } else return { applies: false };
  }
  if (s.Condition && !conditionsHold(s.Condition, req.context, useVariables)) return { applies: false };
  return { applies: true, principal };
}

interface PolicyMatches {
  allows: (StatementRef & { principal?: PrincipalMatch })[];
  denies: StatementRef[];
}

function evaluatePolicy(policy: NamedPolicy, type: PolicyType, req: AuthorizationRequest, parts: string[] | null, into: PolicyMatches, matched: StatementRef[]): void {
  const useVariables = policy.document.Version === "2012-10-17";
  compile(policy).forEach((c, index) => {
    const s = c.s;
    const r = statementApplies(c, req, parts, type === "resource-based", useVariables);
    if (!r.applies) return;
    const ref: StatementRef = { source: policy.source, policyType: type, index, effect: s.Effect, ...(s.Sid ? { sid: s.Sid } : {}) };
    matched.push(ref);
    if (s.Effect === "Deny") into.denies.push(ref);
    else into.allows.push({ ...ref, principal: r.principal });
  });
}

const strip = (r: StatementRef & { principal?: PrincipalMatch }): StatementRef => {
  const { principal: _p, ...rest } = r;
  return rest;
};

/** Decides one request against its policies, the way AWS does (see the top of this file). */
export function evaluate(req: AuthorizationRequest, policies: PolicySet): Decision {
  const matched: StatementRef[] = [];
  const identity: PolicyMatches = { allows: [], denies: [] };
  const boundary: PolicyMatches = { allows: [], denies: [] };
  const session: PolicyMatches = { allows: [], denies: [] };
  const resource: PolicyMatches = { allows: [], denies: [] };
  const p = req.principal;
  const parts = req.resource === "*" ? null : splitArn(req.resource);
  if (p) {
    for (const policy of policies.identityPolicies) evaluatePolicy(policy, "identity-based", req, parts, identity, matched);
    if (policies.permissionsBoundary) evaluatePolicy(policies.permissionsBoundary, "permissions boundary", req, parts, boundary, matched);
    for (const policy of policies.sessionPolicies ?? []) evaluatePolicy(policy, "session", req, parts, session, matched);
  }
  if (policies.resourcePolicy) evaluatePolicy(policies.resourcePolicy, "resource-based", req, parts, resource, matched);

  const deny = [...identity.denies, ...resource.denies, ...boundary.denies, ...session.denies][0];
  if (deny) {
    const where = deny.policyType === "identity-based" ? "an identity-based policy"
      : deny.policyType === "resource-based" ? "a resource-based policy"
      : deny.policyType === "permissions boundary" ? "a permissions boundary" : "a session policy";
    return { decision: "explicitDeny", allowed: false, statement: deny, matched, reason: `with an explicit deny in ${where}` };
  }

  const allow = (statement: StatementRef & { principal?: PrincipalMatch }): Decision => ({ decision: "allowed", allowed: true, statement: strip(statement), matched, reason: "" });
  const implicit = (what: string): Decision => ({ decision: "implicitDeny", allowed: false, matched, reason: `because no ${what} allows the ${req.action} action` });

  const resourceBy = (kind: PrincipalMatch) => resource.allows.find((a) => a.principal === kind);
  const anyResourceAllow = resource.allows[0];

  if (!p) return resourceBy("direct") ? allow(resourceBy("direct")!) : implicit("resource-based policy");

  const sameAccount = (req.resourceAccount ?? p.account) === p.account;
  if (p.kind === "root") {
    if (sameAccount && !policies.resourcePolicyRequired) {
      return { decision: "allowed", allowed: true, matched, reason: "", ...(anyResourceAllow ? { statement: strip(anyResourceAllow) } : {}) };
    }
    return anyResourceAllow ? allow(anyResourceAllow) : implicit("resource-based policy");
  }

  const boundaryOk = !policies.permissionsBoundary || boundary.allows.length > 0;
  const sessionOk = !policies.sessionPolicies?.length || session.allows.length > 0;
  const identityOk = identity.allows.length > 0;
  const capReason = (): Decision => !boundaryOk ? implicit("permissions boundary") : implicit("session policy");

  if (sameAccount) {
    const direct = resourceBy("direct");
    if (direct) return allow(direct);
    const role = resourceBy("role");
    if (role) return boundaryOk && sessionOk ? allow(role) : capReason();
    if (policies.resourcePolicyRequired && !resourceBy("account")) return implicit("resource-based policy");
    if (!identityOk) return implicit("identity-based policy");
    if (!boundaryOk || !sessionOk) return capReason();
    return allow(identity.allows[0]);
  }
  // Cross-account: both sides must allow.
  if (!identityOk) return implicit("identity-based policy");
  if (!boundaryOk || !sessionOk) return capReason();
  if (!anyResourceAllow) return implicit("resource-based policy");
  return allow(identity.allows[0]);
}

/**
 * AWS's denial message: `User: <arn> is not authorized to perform: <action> on resource:
 * <resource> <reason>`. (S3 and anonymous callers answer a plain "Access Denied".)
 */
export function denialMessage(req: AuthorizationRequest, decision: Decision): string {
  const who = req.principal ? req.principal.arn : "anonymous";
  const on = req.resource === "*" ? "" : ` on resource: ${req.resource}`;
  return `User: ${who} is not authorized to perform: ${req.action}${on} ${decision.reason}`;
}
