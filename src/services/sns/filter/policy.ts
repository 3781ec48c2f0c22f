/**
 * SNS subscription filter policies: the compiled form shared by the validator (validate.ts) and
 * the matcher (match.ts).
 *
 * A policy is a JSON object. Each key names a message attribute (scope `MessageAttributes`) or
 * a property of the JSON message body (scope `MessageBody`, where objects nest); each leaf is an
 * array of conditions. A message matches when, for every key, at least one condition matches
 * (AND across keys, OR inside an array). `"$or": [p1, p2, ...]` at any level splits the policy
 * into alternatives; the message matches if any alternative does.
 *
 * Compiling expands every `$or` into a flat list of branches, each a list of (path, conditions)
 * pairs, so matching is "some branch whose every key matches".
 *
 * Source: https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 */

/** One condition of a leaf array, as written in the policy. */
export type Condition =
  | string
  | number
  | boolean
  | null
  | { prefix: string }
  | { suffix: string }
  | { "equals-ignore-case": string }
  | { "anything-but": string | number | (string | number)[] | { prefix: string } | { suffix: string } }
  | { numeric: (string | number)[] }
  | { exists: boolean }
  | { cidr: string };

export interface KeyRule {
  /** Property path from the root (one element for attribute names). */
  path: string[];
  conditions: Condition[];
}

export type Branch = KeyRule[];

export interface CompiledPolicy {
  scope: "MessageAttributes" | "MessageBody";
  /** Alternatives after `$or` expansion; empty policy → one empty branch (matches everything). */
  branches: Branch[];
}

/** Expands a (validated) policy object into branches. */
export function compile(policy: Record<string, unknown>, scope: CompiledPolicy["scope"]): CompiledPolicy {
  return { scope, branches: expand(policy, []) };
}

function expand(node: Record<string, unknown>, path: string[]): Branch[] {
  let branches: Branch[] = [[]];
  for (const [key, value] of Object.entries(node)) {
    let alternatives: Branch[];
    if (key === "$or" && Array.isArray(value)) {
      alternatives = value.flatMap((option) => expand(option as Record<string, unknown>, path));
    } else if (Array.isArray(value)) {
      alternatives = [[{ path: [...path, key], conditions: value as Condition[] }]];
    } else {
      alternatives = expand(value as Record<string, unknown>, [...path, key]);
    }
    branches = branches.flatMap((b) => alternatives.map((alt) => [...b, ...alt]));
  }
  return branches;
}
