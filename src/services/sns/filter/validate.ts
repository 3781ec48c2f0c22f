/**
 * Filter policy validation with AWS's limits and error messages (InvalidParameter, worded
 * "Invalid parameter: FilterPolicy: ..." on SetSubscriptionAttributes and
 * "Invalid parameter: Attributes Reason: FilterPolicy: ..." on Subscribe).
 *
 * Limits (https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html):
 * at most 5 top-level keys; at most 150 value combinations (the product of the leaf arrays'
 * lengths, each multiplied by its nesting depth, summed over `$or` alternatives); at most 256 KiB
 * of policy; no nesting in the MessageAttributes scope; no empty arrays.
 */
import { invalidParameterRaw } from "../errors.ts";
import { compile, type CompiledPolicy } from "./policy.ts";
import { parseCidr } from "./cidr.ts";

const MAX_KEYS = 5;
const MAX_COMBINATIONS = 150;
const MAX_BYTES = 256 * 1024;

/** Parses and validates a FilterPolicy string for `scope`; returns it compiled. */
export function parseFilterPolicy(text: string, scope: string, subscribing: boolean): CompiledPolicy {
  const prefix = subscribing ? "Invalid parameter: Attributes Reason: " : "Invalid parameter: ";
  const fail = (reason: string) => invalidParameterRaw(`${prefix}FilterPolicy: ${reason}`);
  if (new TextEncoder().encode(text).length > MAX_BYTES) throw fail("Filter policy is too long");
  let policy: unknown;
  try {
    policy = JSON.parse(text);
  } catch {
    throw fail("failed to parse JSON.");
  }
  if (!policy || typeof policy !== "object" || Array.isArray(policy)) throw fail("Filter policy must be a JSON object");
  const sc = scope === "MessageBody" ? "MessageBody" : "MessageAttributes";
  if (Object.keys(policy).length > MAX_KEYS) throw fail("Filter policy can not have more than 5 keys");
  const combinations = walk(policy as Record<string, unknown>, 1, 1, sc, prefix, fail);
  if (combinations > MAX_COMBINATIONS) throw fail("Filter policy is too complex");
  return compile(policy as Record<string, unknown>, sc);
}

type Fail = (reason: string) => Error;

/** Validates an object level; returns the running combination count. */
function walk(node: Record<string, unknown>, depth: number, combinations: number, scope: string, prefix: string, fail: Fail): number {
  for (const [key, value] of Object.entries(node)) {
    if (Array.isArray(value)) {
      if (value.length === 0) throw fail("Empty arrays are not allowed");
      if (key === "$or") {
        let sum = 0;
        for (const option of value) {
          if (!option || typeof option !== "object" || Array.isArray(option)) throw fail(`"$or" must be an object or an array`);
          sum += walk(option as Record<string, unknown>, depth, combinations, scope, prefix, fail);
        }
        combinations = sum;
      } else {
        for (const rule of value) checkRule(rule, fail);
        combinations = combinations * value.length * depth;
      }
    } else if (value && typeof value === "object") {
      if (scope === "MessageAttributes") throw invalidParameterRaw(`${prefix}Filter policy scope MessageAttributes does not support nested filter policy`);
      combinations = walk(value as Record<string, unknown>, depth + 1, combinations, scope, prefix, fail);
    } else {
      throw fail(`"${key}" must be an object or an array`);
    }
  }
  return combinations;
}

function checkRule(rule: unknown, fail: Fail): void {
  if (rule === null || typeof rule === "string" || typeof rule === "boolean") return;
  if (typeof rule === "number") return;
  if (typeof rule !== "object" || Array.isArray(rule)) throw fail("Match value must be String, number, true, false, or null");
  const entries = Object.entries(rule as Record<string, unknown>);
  if (entries.length !== 1) throw fail("Only one key allowed in match expression");
  const [operator, value] = entries[0]!;
  switch (operator) {
    case "prefix":
    case "suffix":
    case "equals-ignore-case":
      if (typeof value !== "string") throw fail(`${operator} match pattern must be a string`);
      return;
    case "anything-but":
      if (Array.isArray(value)) {
        if (value.length === 0) throw fail("Empty arrays are not allowed");
        for (const v of value) {
          if (typeof v !== "string" && typeof v !== "number") throw fail("Inside anything but list, start|null|boolean is not supported.");
        }
        return;
      }
      if (value && typeof value === "object") {
        const inner = Object.entries(value as Record<string, unknown>);
        if (inner.length !== 1) throw fail("Only one key allowed in match expression");
        const [innerOp, innerValue] = inner[0]!;
        if (innerOp !== "prefix" && innerOp !== "suffix") throw fail(`Unsupported anything-but pattern: ${innerOp}`);
        if (typeof innerValue !== "string") throw fail(`${innerOp} match pattern must be a string`);
        return;
      }
      if (typeof value !== "string" && typeof value !== "number") throw fail("anything-but match pattern must be a string, number or array");
      return;
    case "exists":
      if (typeof value !== "boolean") throw fail("exists match pattern must be either true or false.");
      return;
    case "numeric":
      checkNumeric(value, fail);
      return;
    case "cidr":
      if (typeof value !== "string") throw fail("prefix match pattern must be a string");
      if (value.split("/").length !== 2) throw fail("Malformed CIDR, one '/' required");
      if (!/^\d+$/.test(value.split("/")[1]!)) throw fail("Malformed CIDR, mask bits must be an integer");
      if (!parseCidr(value)) throw fail(`Nonstandard IP address: ${value.split("/")[0]}`);
      return;
    default:
      throw fail(`Unrecognized match type ${operator}`);
  }
}

const LOWER = new Set([">", ">="]);
const UPPER = new Set(["<", "<="]);

function checkNumeric(value: unknown, fail: Fail): void {
  if (!Array.isArray(value) || value.length === 0) throw fail("Invalid member in numeric match: ]");
  const [op1, v1, op2, v2, ...rest] = value;
  if (typeof op1 !== "string") throw fail(`Invalid member in numeric match: ${String(op1)}`);
  if (op1 !== "=" && !LOWER.has(op1) && !UPPER.has(op1)) throw fail(`Unrecognized numeric range operator: ${op1}`);
  if (typeof v1 !== "number") throw fail(`Value of ${op1 === "=" ? "equals" : op1} must be numeric`);
  if (value.length === 2) return;
  if (!LOWER.has(op1)) throw fail("Too many elements in numeric expression");
  if (typeof op2 !== "string") throw fail(`Bad value in numeric range: ${String(op2)}`);
  if (!UPPER.has(op2)) throw fail(`Bad numeric range operator: ${op2}`);
  if (typeof v2 !== "number") throw fail(`Value of ${op2} must be numeric`);
  if (v2 <= v1) throw fail("Bottom must be less than top");
  if (rest.length) throw fail("Too many terms in numeric range expression");
}
