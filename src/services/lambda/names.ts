/**
 * Function names as Lambda accepts them: `my-function`, `my-function:v1` (qualified),
 * `123456789012:function:my-function[:q]` (partial ARN) and
 * `arn:aws:lambda:us-west-2:123456789012:function:my-function[:q]`.
 * Source: https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html#API_GetFunction_RequestSyntax
 */
import type { RequestContext } from "../types.ts";
import { invalidParameter } from "./errors.ts";
import { partitionOf } from "../../util/partition.ts";

export interface FunctionRef {
  name: string;
  /** Qualifier from the name (`:1`, `:prod`, `:$LATEST`), else the Qualifier parameter. */
  qualifier?: string;
}

export { partitionOf } from "../../util/partition.ts";

export function functionArn(ctx: Pick<RequestContext, "region" | "accountId">, name: string, qualifier?: string): string {
  return `arn:${partitionOf(ctx.region)}:lambda:${ctx.region}:${ctx.accountId}:function:${name}${qualifier ? `:${qualifier}` : ""}`;
}

export function layerArn(ctx: Pick<RequestContext, "region" | "accountId">, name: string, version?: number): string {
  return `arn:${partitionOf(ctx.region)}:lambda:${ctx.region}:${ctx.accountId}:layer:${name}${version !== undefined ? `:${version}` : ""}`;
}

const ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):function:([a-zA-Z0-9_.-]+)(?::([a-zA-Z0-9_$.-]+))?$/;
const PARTIAL = /^(\d{12}):function:([a-zA-Z0-9_.-]+)(?::([a-zA-Z0-9_$.-]+))?$/;
const PLAIN = /^([a-zA-Z0-9_.-]+)(?::([a-zA-Z0-9_$.-]+))?$/;

/**
 * Splits a FunctionName member (and an optional Qualifier parameter) into name and qualifier.
 * A qualifier in the name that differs from the parameter is AWS's InvalidParameterValueException.
 */
export function parseFunctionName(value: string, qualifierParam?: string): FunctionRef {
  let name: string | undefined;
  let qualifier: string | undefined;
  let m = ARN.exec(value);
  if (m) [name, qualifier] = [m[3], m[4]];
  else if ((m = PARTIAL.exec(value))) [name, qualifier] = [m[2], m[3]];
  else if ((m = PLAIN.exec(value))) [name, qualifier] = [m[1], m[2]];
  if (!name) throw invalidParameter(`1 validation error detected: Value '${value}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}(-gov)?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)(:(\\$LATEST|[a-zA-Z0-9-_]+))?`);
  if (qualifier !== undefined && qualifierParam !== undefined && qualifier !== qualifierParam) {
    throw invalidParameter("The derived qualifier from the function name does not match the specified qualifier.");
  }
  return { name, qualifier: qualifier ?? qualifierParam };
}

/** A layer name or layer ARN (`arn:aws:lambda:region:account:layer:name`). */
export function parseLayerName(value: string): string {
  const m = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:layer:([a-zA-Z0-9_-]+)$/.exec(value);
  return m ? m[1]! : value;
}

/** `arn:...:layer:name:version` → parts, or null. */
export function parseLayerVersionArn(value: string): { region: string; accountId: string; name: string; version: number } | null {
  const m = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):layer:([a-zA-Z0-9_-]+):(\d+)$/.exec(value);
  return m ? { region: m[1]!, accountId: m[2]!, name: m[3]!, version: Number(m[4]) } : null;
}

/** Lambda's timestamp format: `2024-01-31T12:34:56.789+0000`. */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace("Z", "+0000");
}
