/**
 * Topic policy documents: the default access policy AWS gives a new topic, the effective
 * delivery policy, and AddPermission/RemovePermission statements.
 * Sources: https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html,
 * https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html,
 * https://docs.aws.amazon.com/sns/latest/api/API_AddPermission.html
 */
import { invalidParameter } from "./errors.ts";

/** The policy a new topic gets: its owner's account may do everything but delete permissions. */
export function defaultTopicPolicy(topicArn: string, account: string): string {
  return JSON.stringify({
    Version: "2008-10-17",
    Id: "__default_policy_ID",
    Statement: [
      {
        Sid: "__default_statement_ID",
        Effect: "Allow",
        Principal: { AWS: "*" },
        Action: [
          "SNS:GetTopicAttributes", "SNS:SetTopicAttributes", "SNS:AddPermission", "SNS:RemovePermission",
          "SNS:DeleteTopic", "SNS:Subscribe", "SNS:ListSubscriptionsByTopic", "SNS:Publish",
        ],
        Resource: topicArn,
        Condition: { StringEquals: { "AWS:SourceOwner": account } },
      },
    ],
  });
}

export interface RetryPolicy {
  minDelayTarget: number;
  maxDelayTarget: number;
  numRetries: number;
  numMaxDelayRetries: number;
  numNoDelayRetries: number;
  numMinDelayRetries: number;
  backoffFunction: "linear" | "arithmetic" | "geometric" | "exponential";
}

export const DEFAULT_HTTP_RETRY: RetryPolicy = {
  minDelayTarget: 20,
  maxDelayTarget: 20,
  numRetries: 3,
  numMaxDelayRetries: 0,
  numNoDelayRetries: 0,
  numMinDelayRetries: 0,
  backoffFunction: "linear",
};

/** Topic's DeliveryPolicy merged over AWS's defaults (EffectiveDeliveryPolicy). */
export function effectiveDeliveryPolicy(deliveryPolicy: string | undefined): string {
  const base = {
    http: {
      defaultHealthyRetryPolicy: { ...DEFAULT_HTTP_RETRY } as Record<string, unknown>,
      disableSubscriptionOverrides: false,
      defaultRequestPolicy: { headerContentType: "text/plain; charset=UTF-8" } as Record<string, unknown>,
    } as Record<string, unknown>,
  };
  if (deliveryPolicy) {
    try {
      const given = JSON.parse(deliveryPolicy) as { http?: Record<string, unknown> };
      const http = given.http ?? {};
      for (const [k, v] of Object.entries(http)) {
        const current = base.http[k];
        base.http[k] = current && typeof current === "object" && v && typeof v === "object" ? { ...current, ...v } : v;
      }
    } catch {
      // validated when set
    }
  }
  return JSON.stringify(base);
}

const BACKOFFS = new Set(["linear", "arithmetic", "geometric", "exponential"]);

/**
 * A topic's or subscription's DeliveryPolicy as parsed from the user's JSON: only its shape is
 * known, no member is checked (a topic's sits under `http`, a subscription's at the top).
 */
export interface DeliveryPolicyDocument {
  healthyRetryPolicy?: Record<string, unknown>;
  requestPolicy?: { headerContentType?: unknown };
  http?: {
    defaultHealthyRetryPolicy?: Record<string, unknown>;
    defaultRequestPolicy?: { headerContentType?: unknown };
    disableSubscriptionOverrides?: unknown;
  };
}

/**
 * Validates a topic or subscription DeliveryPolicy (HTTP/S retry policy), as AWS does:
 * minDelayTarget ≤ maxDelayTarget ≤ 3600, numRetries ≤ 100, the phases within numRetries.
 */
export function checkDeliveryPolicy(value: string, forSubscription: boolean, prefix = ""): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw invalidParameter(`${prefix}DeliveryPolicy`, "failed to parse JSON.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw invalidParameter(`${prefix}DeliveryPolicy`);
  const doc = parsed as DeliveryPolicyDocument;
  const policy = forSubscription ? doc.healthyRetryPolicy : doc.http?.defaultHealthyRetryPolicy;
  if (policy === undefined) return;
  const num = (k: string) => (policy[k] === undefined ? undefined : Number(policy[k]));
  const min = num("minDelayTarget");
  const max = num("maxDelayTarget");
  const retries = num("numRetries");
  const bad = (reason: string) => invalidParameter(`${prefix}DeliveryPolicy`, reason);
  for (const [k, v] of [["minDelayTarget", min], ["maxDelayTarget", max], ["numRetries", retries]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 0)) throw bad(`${k} must be a non-negative integer`);
  }
  if (min !== undefined && min < 1) throw bad("minDelayTarget must be at least 1");
  if (max !== undefined && max > 3600) throw bad("maxDelayTarget must be at most 3600");
  if (min !== undefined && max !== undefined && min > max) throw bad("minDelayTarget must be less than or equal to maxDelayTarget");
  if (retries !== undefined && retries > 100) throw bad("numRetries must be at most 100");
  const backoff = policy.backoffFunction;
  if (backoff !== undefined && !(typeof backoff === "string" && BACKOFFS.has(backoff))) throw bad(`backoffFunction must be one of linear, arithmetic, geometric, exponential`);
}

/** The retry policy a delivery uses: the subscription's, else the topic's, else AWS's default. */
export function retryPolicyFor(topicPolicy: string | undefined, subscriptionPolicy: string | undefined): RetryPolicy {
  const pick = (text: string | undefined, path: (p: DeliveryPolicyDocument | null) => unknown) => {
    if (!text) return undefined;
    try {
      return path(JSON.parse(text)) as Partial<RetryPolicy> | undefined;
    } catch {
      return undefined;
    }
  };
  const topic = pick(topicPolicy, (p) => p?.http?.defaultHealthyRetryPolicy);
  const overrides = pick(topicPolicy, (p) => p?.http?.disableSubscriptionOverrides) as unknown;
  const sub = overrides === true ? undefined : pick(subscriptionPolicy, (p) => p?.healthyRetryPolicy);
  return { ...DEFAULT_HTTP_RETRY, ...topic, ...sub } as RetryPolicy;
}

/**
 * Seconds to wait before retry `n` (1-based) under `policy`: immediate retries first, then
 * minimum-delay retries, then backoff from minDelayTarget to maxDelayTarget, then max-delay
 * retries (AWS's four delivery phases).
 */
export function retryDelay(policy: RetryPolicy, n: number): number {
  const { numNoDelayRetries: none, numMinDelayRetries: mins, numMaxDelayRetries: maxes, numRetries } = policy;
  if (n <= none) return 0;
  if (n <= none + mins) return policy.minDelayTarget;
  const backoffCount = Math.max(numRetries - none - mins - maxes, 0);
  const i = n - none - mins;
  if (i <= backoffCount) {
    const min = policy.minDelayTarget;
    const max = policy.maxDelayTarget;
    if (backoffCount <= 1) return min;
    const f = (i - 1) / (backoffCount - 1);
    switch (policy.backoffFunction) {
      case "arithmetic":
        return Math.round(min + (max - min) * f * f);
      case "geometric":
        return Math.round(min + (max - min) * Math.sqrt(f));
      case "exponential":
        return Math.round(min * Math.pow(max / min, f));
      default:
        return Math.round(min + (max - min) * f);
    }
  }
  return policy.maxDelayTarget;
}

const PERMISSION_ACTIONS = new Set([
  "AddPermission", "DeleteTopic", "GetTopicAttributes", "ListSubscriptionsByTopic", "Publish", "Receive",
  "RemovePermission", "SetTopicAttributes", "Subscribe", "*",
]);

/** Adds an AddPermission statement (Sid = label) to a policy document. */
export function addStatement(policy: string, topicArn: string, label: string, accounts: string[], actions: string[]): string {
  const doc = parsePolicy(policy);
  if (doc.Statement.some((s) => s.Sid === label)) throw invalidParameter("Statement already exists");
  for (const action of actions) {
    if (!PERMISSION_ACTIONS.has(action)) throw invalidParameter("Policy statement action out of service scope!");
  }
  const principals = accounts.map((a) => (/^\d{12}$/.test(a) ? `arn:aws:iam::${a}:root` : a));
  doc.Statement.push({
    Sid: label,
    Effect: "Allow",
    Principal: { AWS: principals.length === 1 ? principals[0] : principals },
    Action: actions.length === 1 ? `SNS:${actions[0]}` : actions.map((a) => `SNS:${a}`),
    Resource: topicArn,
  });
  return JSON.stringify(doc);
}

/** Removes the statement with Sid `label`; false when there is none. */
export function removeStatement(policy: string, label: string): string | null {
  const doc = parsePolicy(policy);
  const kept = doc.Statement.filter((s) => s.Sid !== label);
  if (kept.length === doc.Statement.length) return null;
  return JSON.stringify({ ...doc, Statement: kept });
}

/** A topic policy's document with its statements as a list (the user's JSON, unchecked). */
function parsePolicy(policy: string): { Statement: Record<string, unknown>[] } & Record<string, unknown> {
  try {
    const doc = JSON.parse(policy) as Record<string, unknown>;
    const statements = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement ? [doc.Statement] : [];
    return { ...doc, Statement: statements };
  } catch {
    return { Version: "2008-10-17", Statement: [] };
  }
}
