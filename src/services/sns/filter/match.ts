/**
 * Matching a message against a compiled filter policy (policy.ts).
 *
 * Scope MessageAttributes: each key names a message attribute. Values are typed by DataType:
 * `String` is a string, `Number` a number (so only numeric conditions and number literals match
 * it), `String.Array` a JSON array whose elements are each candidates (strings, numbers,
 * booleans, null), and `Binary` attributes are ignored (treated as absent).
 *
 * Scope MessageBody: the message must be a JSON object (otherwise nothing matches); keys nest
 * as objects, arrays anywhere on the path make every element a candidate, and a dotted policy
 * key (`"a.b"`) also matches a body property literally named so.
 *
 * How this differs from EventBridge event patterns (deliberately; the EventBridge matcher is a
 * separate module): SNS has no `wildcard`, no `anything-but` with `equals-ignore-case` or
 * `wildcard`, and `anything-but` lists hold only strings and numbers; attributes carry SNS data
 * types (a `Number` attribute never matches a string condition, `String.Array` fans out);
 * numeric matching applies only to JSON/attribute numbers, never to numeric-looking strings;
 * `$or` is allowed at any level (also in the MessageAttributes scope); and SNS enforces its
 * own limits (5 keys, 150 combinations) when the policy is set, not at match time.
 *
 * Source: https://docs.aws.amazon.com/sns/latest/dg/sns-subscription-filter-policies.html
 */
import type { CompiledPolicy, Condition, KeyRule } from "./policy.ts";
import { inCidr, parseCidr } from "./cidr.ts";

type Scalar = string | number | boolean | null;

/** Message attribute as SNS received it (BinaryValue is ignored by filtering). */
export interface FilterAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: unknown;
}

/** Whether a message with these attributes passes a MessageAttributes-scope policy. */
export function matchesAttributes(policy: CompiledPolicy, attributes: Record<string, FilterAttribute>): boolean {
  return policy.branches.some((branch) => branch.every((rule) => matchRule(rule, attributeCandidates(attributes[rule.path[0]!]))));
}

/** Whether a message body passes a MessageBody-scope policy (non-JSON-object bodies never do). */
export function matchesBody(policy: CompiledPolicy, body: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return false;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) return false;
  return policy.branches.some((branch) => branch.every((rule) => matchRule(rule, bodyCandidates(parsed, rule.path))));
}

/** Candidates for one key: undefined when the key is absent. */
function attributeCandidates(attribute: FilterAttribute | undefined): Scalar[] | undefined {
  if (!attribute || attribute.StringValue === undefined) return undefined;
  const type = attribute.DataType.split(".")[0];
  const value = attribute.StringValue;
  if (attribute.DataType === "String.Array") {
    try {
      const array = JSON.parse(value);
      if (!Array.isArray(array)) return [];
      return array.filter((v): v is Scalar => v === null || ["string", "number", "boolean"].includes(typeof v));
    } catch {
      return [];
    }
  }
  if (type === "Number") {
    const n = Number(value);
    return Number.isFinite(n) ? [n] : [];
  }
  if (type === "String") return [value];
  return undefined; // Binary
}

/** Leaf values reached by `path` in a JSON body (arrays fan out); undefined when absent. */
function bodyCandidates(root: unknown, path: string[]): Scalar[] | undefined {
  const out: Scalar[] = [];
  let found = false;
  const visit = (node: unknown, i: number) => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item, i);
      return;
    }
    if (i === path.length) {
      if (node === null || typeof node !== "object") {
        found = true;
        out.push(node as Scalar);
      }
      return;
    }
    if (!node || typeof node !== "object") return;
    const obj = node as Record<string, unknown>;
    if (Object.hasOwn(obj, path[i]!)) visit(obj[path[i]!], i + 1);
    // A dotted key names the rest of the path literally ({"a.b": 1} for path a, b).
    for (let j = i + 2; j <= path.length; j++) {
      const joined = path.slice(i, j).join(".");
      if (Object.hasOwn(obj, joined)) visit(obj[joined], j);
    }
  };
  visit(root, 0);
  return found ? out : undefined;
}

function matchRule(rule: KeyRule, candidates: Scalar[] | undefined): boolean {
  return rule.conditions.some((condition) => {
    if (condition !== null && typeof condition === "object" && "exists" in condition) {
      return condition.exists === (candidates !== undefined);
    }
    return candidates !== undefined && candidates.some((value) => matchCondition(condition, value));
  });
}

function matchCondition(condition: Condition, value: Scalar): boolean {
  if (condition === null || typeof condition !== "object") return equal(condition, value);
  if ("prefix" in condition) return typeof value === "string" && value.startsWith(condition.prefix);
  if ("suffix" in condition) return typeof value === "string" && value.endsWith(condition.suffix);
  if ("equals-ignore-case" in condition) return typeof value === "string" && value.toLowerCase() === condition["equals-ignore-case"].toLowerCase();
  if ("anything-but" in condition) {
    const but = condition["anything-but"];
    if (Array.isArray(but)) return !but.some((b) => equal(b, value));
    if (but !== null && typeof but === "object") {
      if (typeof value !== "string") return false;
      return "prefix" in but ? !value.startsWith(but.prefix) : !value.endsWith(but.suffix);
    }
    return !equal(but, value);
  }
  if ("numeric" in condition) return typeof value === "number" && numeric(condition.numeric, value);
  if ("cidr" in condition) {
    const cidr = parseCidr(condition.cidr);
    return typeof value === "string" && cidr !== null && inCidr(cidr, value);
  }
  return false;
}

function equal(expected: Scalar, value: Scalar): boolean {
  return expected === value;
}

function numeric(terms: (string | number)[], value: number): boolean {
  for (let i = 0; i + 1 < terms.length; i += 2) {
    const operand = terms[i + 1] as number;
    switch (terms[i]) {
      case "=":
        if (!(value === operand)) return false;
        break;
      case ">":
        if (!(value > operand)) return false;
        break;
      case ">=":
        if (!(value >= operand)) return false;
        break;
      case "<":
        if (!(value < operand)) return false;
        break;
      case "<=":
        if (!(value <= operand)) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}
