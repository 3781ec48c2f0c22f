/**
 * The seam between IAM (who a caller is, which policies apply to it) and the policy engine
 * (whether a request is allowed). IAM and STS fill these in through `ServiceDefinition` hooks
 * (`resolvePrincipal`, `principalPolicies`); the gateway asks every service that declares a hook,
 * never a service by name.
 *
 * Evaluation logic: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
 */

/** A policy document as JSON (already decoded, not URL-encoded). */
export interface PolicyDocument {
  Version?: string;
  Id?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/** One statement; every list member may also be a single string, as in AWS's grammar. */
export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Principal?: "*" | Record<string, string | string[]>;
  NotPrincipal?: "*" | Record<string, string | string[]>;
  /** Operator → condition key → value(s). */
  Condition?: Record<string, Record<string, unknown>>;
}

/** A policy with where it came from, so a decision can name the deciding statement. */
export interface NamedPolicy {
  /** Managed policy ARN, or `<principal ARN>#<inline policy name>`, or a description such as `session policy`. */
  source: string;
  document: PolicyDocument;
}

/**
 * Who signed a request, resolved from its access key id: an IAM user's long-term key, an STS
 * session, or the account's root. Returned by `ServiceDefinition.resolvePrincipal`.
 */
export interface Principal {
  account: string;
  /** What GetCallerIdentity returns: `arn:aws:iam::123456789012:user/alice`, `arn:aws:sts::...:assumed-role/R/session`. */
  arn: string;
  userId: string;
  /** The IAM principal whose policies apply: the user's or the role's ARN; absent for root. */
  principalArn?: string;
  kind: "root" | "user" | "assumed-role" | "federated-user" | "session";
  /** Session policies passed to AssumeRole, AssumeRoleWithWebIdentity, AssumeRoleWithSAML or GetFederationToken (they cap the principal's). */
  sessionPolicies?: NamedPolicy[];
  /** Session tags (`aws:PrincipalTag/...` takes these over the principal's tags). */
  sessionTags?: Record<string, string>;
  /** Extra request-context keys the session carries (`aws:SourceIdentity`, `aws:FederatedProvider`, ...). */
  contextKeys?: Record<string, string | string[]>;
}

/** The identity-based policies of an IAM principal (user or role). Returned by `ServiceDefinition.principalPolicies`. */
export interface PrincipalPolicies {
  principalArn: string;
  /** Attached managed, inline, and (for users) their groups' attached and inline policies. */
  identityPolicies: NamedPolicy[];
  permissionsBoundary?: NamedPolicy;
  /** The principal's IAM tags (`aws:PrincipalTag/...`). */
  tags: Record<string, string>;
  /** `aws:username` for users. */
  userName?: string;
}
