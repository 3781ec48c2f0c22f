/**
 * A service's authorization data, declared beside it (`src/services/<svc>/authorization.ts`) and
 * referenced from its definition (`authorization` on ServiceDefinition): which IAM action(s) each
 * operation needs, on which resource ARN(s), with which service condition keys; plus the
 * service's resource-based policies. From AWS's Service Authorization Reference:
 * https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
 *
 * Operations a map does not list need `<prefix>:<OperationName>` on the map's default resource.
 */
import type { ContextValue } from "./context.ts";
import type { PolicyDocument } from "./types.ts";
import type { Store } from "../store/types.ts";

/** What resource templates and condition-key functions see beside the input. */
export interface AuthorizationEnv {
  account: string;
  region: string;
  partition: string;
  /** The caller's ARN (IAM's self-service operations act on the calling user); absent when anonymous. */
  caller?: string;
  /** The service's state for this account and region. */
  store: Store;
  /** The service's global state. */
  globalStore: Store;
  /** The service's state of another account and region. */
  storeFor(account: string, region: string): Store;
}

// Handler inputs are model-shaped objects; `any` is the untyped boundary here as in Handler.
// deno-lint-ignore no-explicit-any
export type Input = Record<string, any>;

/**
 * A resource: an ARN template (`arn:{partition}:sqs:{region}:{account}:{QueueName}`, input
 * members and env fields in braces; an absent member leaves the template out), a list of them,
 * `*`, or a function of the input.
 */
export type ResourceSpec =
  | string
  | readonly string[]
  | ((input: Input, env: AuthorizationEnv) => string | readonly string[] | undefined | Promise<string | readonly string[] | undefined>);

/** A condition key's value: an input member's name, or a function of the input. */
export type ContextSpec = string | ((input: Input, env: AuthorizationEnv) => ContextValue | undefined | Promise<ContextValue | undefined>);

export interface OperationAuthorization {
  /** The IAM action (`GetObject` or `s3:GetObject`); default the operation's name. */
  action?: string;
  /** Resource(s) the action is checked on; default the map's `resource`. */
  resource?: ResourceSpec;
  /** More actions the operation needs (CopyObject: s3:GetObject on the source). */
  also?: readonly { action: string; resource?: ResourceSpec }[];
  /** Service condition keys (`s3:prefix` → `Prefix`). */
  context?: Readonly<Record<string, ContextSpec>>;
  /** Input member holding the request's tags (`[{Key, Value}]` or a map): `aws:RequestTag/*`, `aws:TagKeys`. */
  tags?: string;
  /** Needs no permission at all (sts:GetCallerIdentity). */
  none?: boolean;
}

/** A resource's own policy and facts, as a service's `resourcePolicy` finds them. */
export interface ResourcePolicyInfo {
  /** The policy document (JSON text or parsed); absent when the resource has none. */
  policy?: PolicyDocument | string;
  /** Name of the policy for decisions (`bucket policy`, the queue's ARN...). */
  source?: string;
  /** The account owning the resource (cross-account rules). */
  account?: string;
  /** KMS: only what the key policy grants (to the caller, or to its account) is allowed. */
  required?: boolean;
  /** The policy governs only actions starting with these (a role's trust policy: `sts:AssumeRole`, `sts:TagSession`...). */
  forActions?: readonly string[];
  /**
   * S3 Block Public Access `RestrictPublicBuckets` (account or bucket): a public policy grants
   * only principals of the bucket's account.
   */
  restrictPublic?: boolean;
  /** Resource tags (`aws:ResourceTag/...`). */
  tags?: Record<string, string>;
}

export interface DenialStyle {
  /** Error code (`AccessDenied`, `AccessDeniedException`). Default: by protocol. */
  code?: string;
  status?: number;
  queryCode?: string;
  /** SQS writes the action in lower case in its messages (`sqs:sendmessage`). */
  lowerCaseAction?: boolean;
  /** How the message writes the action's service prefix (SNS: `SNS`, as in `SNS:Publish`). */
  actionPrefix?: string;
  /** Anonymous callers get this message (S3: `Access Denied`). */
  anonymousMessage?: string;
}

export interface AuthorizationMap {
  /** The service's IAM prefix (`s3`, `sqs`, `dynamodb`). */
  prefix: string;
  /** Default resource of operations not listed (or listing none). Default `*`. */
  resource?: ResourceSpec;
  operations?: Readonly<Record<string, OperationAuthorization>>;
  /** Condition keys of every operation. */
  context?: Readonly<Record<string, ContextSpec>>;
  /** Unsigned requests are anonymous callers (S3), not `MissingAuthenticationToken`. */
  anonymous?: boolean;
  denial?: DenialStyle;
  /**
   * The resource-based policy of a resource ARN this service owns; null when the ARN is not
   * this service's. Asked of every service that declares it.
   */
  resourcePolicy?(resourceArn: string, env: Omit<AuthorizationEnv, "store">): Promise<ResourcePolicyInfo | null>;
}

/** One check the gateway makes: an action on a resource with its condition keys. */
export interface AuthorizationCheck {
  action: string;
  resource: string;
  context: Record<string, ContextValue>;
}

async function expandResource(spec: ResourceSpec | undefined, input: Input, env: AuthorizationEnv): Promise<string[]> {
  if (spec === undefined) return ["*"];
  let raw = typeof spec === "function" ? spec(input, env) : spec;
  if (raw instanceof Promise) raw = await raw;
  if (raw === undefined) return ["*"];
  const list = typeof raw === "string" ? [raw] : [...raw];
  const out: string[] = [];
  for (const template of list) {
    let missing = false;
    const value = template.replace(/\{([A-Za-z0-9_.]+)\}/g, (_m, name: string) => {
      const v = name === "account" ? env.account : name === "region" ? env.region : name === "partition" ? env.partition : input[name];
      if (v === undefined || v === null || v === "") {
        missing = true;
        return "";
      }
      return String(v);
    });
    if (!missing) out.push(value);
  }
  return out.length ? out : ["*"];
}

async function expandContext(specs: Readonly<Record<string, ContextSpec>> | undefined, input: Input, env: AuthorizationEnv, into: Record<string, ContextValue>): Promise<void> {
  for (const [key, spec] of Object.entries(specs ?? {})) {
    let v = typeof spec === "function" ? spec(input, env) : input[spec];
    if (v instanceof Promise) v = await v;
    if (v === undefined || v === null) continue;
    into[key] = Array.isArray(v) ? v.map(String) : String(v);
  }
}

/** The checks one operation needs, from a service's map (see the top of this file). Empty: none needed. */
export async function checksFor(map: AuthorizationMap, operation: string, input: Input, env: AuthorizationEnv): Promise<AuthorizationCheck[]> {
  const op = map.operations?.[operation] ?? {};
  if (op.none) return [];
  const context: Record<string, ContextValue> = {};
  await expandContext(map.context, input, env, context);
  await expandContext(op.context, input, env, context);
  if (op.tags) Object.assign(context, requestTagKeys(input[op.tags]));
  const qualify = (a: string) => (a.includes(":") ? a : `${map.prefix}:${a}`);
  const checks: AuthorizationCheck[] = [];
  for (const resource of await expandResource(op.resource ?? map.resource, input, env)) {
    checks.push({ action: qualify(op.action ?? operation), resource, context });
  }
  for (const extra of op.also ?? []) {
    for (const resource of await expandResource(extra.resource ?? op.resource ?? map.resource, input, env)) {
      checks.push({ action: qualify(extra.action), resource, context });
    }
  }
  return checks;
}

/** Tags given as `[{Key, Value}]` (most services) or `{k: v}` (SQS, Lambda): `aws:RequestTag/k` and `aws:TagKeys`. */
export function requestTagKeys(tags: unknown): Record<string, ContextValue> {
  const out: Record<string, ContextValue> = {};
  const pairs: [string, string][] = Array.isArray(tags)
    ? tags.filter((t) => t && typeof t === "object").map((t) => [String(t.Key ?? t.key ?? t.TagKey), String(t.Value ?? t.value ?? t.TagValue ?? "")])
    : tags && typeof tags === "object" ? Object.entries(tags as Record<string, unknown>).map(([k, v]) => [k, String(v)]) : [];
  for (const [k, v] of pairs) out[`aws:RequestTag/${k}`] = v;
  if (pairs.length) out["aws:TagKeys"] = pairs.map(([k]) => k);
  return out;
}
