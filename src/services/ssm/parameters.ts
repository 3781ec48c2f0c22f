/**
 * Parameter Store state: one record per parameter under ["param", name] with every version
 * (value, labels, settings). Names, hierarchies, tiers, data types, allowed patterns and policies
 * are checked here; Expiration policies are applied when a parameter is read.
 * Source: https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-parameter-name-constraints.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";
import { partitionOf } from "../../util/partition.ts";
import { isPublicName, publicParameter } from "./public-parameters.ts";

export type { ParamRecord, ParamVersion, StoredPolicy } from "./param-types.ts";
import type { ParamRecord, ParamVersion, StoredPolicy } from "./param-types.ts";

export const paramKey = (name: string) => ["param", name] as const;
export const MAX_VERSIONS = 100;

export function validation(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

/** A parameter's ARN; public parameters (`/aws/service/...`) have no account in theirs. */
export function parameterArn(ctx: RequestContext, name: string): string {
  const partition = partitionOf(ctx.region);
  const account = isPublicName(name) ? "" : ctx.accountId;
  return `arn:${partition}:ssm:${ctx.region}:${account}:parameter${name.startsWith("/") ? "" : "/"}${name}`;
}

/** AWS's answer to a write to a name under the reserved `aws` prefix (public parameters included). */
export function reservedName(name: string): AwsError {
  return new AwsError("AccessDeniedException", `No access to reserved parameter name: ${name.replace(/^\//, "")}.`, 400);
}

/** Throws `reservedName` for a name (or ARN) a caller may not write: `aws...` names and public parameters. */
export function checkWritable(ctx: RequestContext, raw: string): void {
  const { name } = parseSelector(ctx, raw);
  if (name.replace(/^\//, "").toLowerCase().startsWith("aws")) throw reservedName(name);
}

/** A parameter name as PutParameter accepts it (and the name part of an ARN). */
export function checkName(name: string): void {
  if (name.length > 1011) throw validation("Parameter name must be 1011 characters or fewer.");
  if (!/^[a-zA-Z0-9_.\-/]+$/.test(name)) {
    throw validation(`Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`);
  }
  const bare = name.replace(/^\//, "").toLowerCase();
  if (bare.startsWith("aws")) throw reservedName(name);
  if (bare.startsWith("ssm")) {
    throw validation(`Parameter name: can't be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_`);
  }
  if (name.includes("/") && !name.startsWith("/")) throw validation("Parameter name must be a fully qualified name.");
  if (name.includes("//") || (name.length > 1 && name.endsWith("/"))) throw validation("Parameter name must be a fully qualified name.");
  if (name.split("/").filter(Boolean).length > 15) {
    throw new AwsError("HierarchyLevelLimitExceededException", "A hierarchy can have a maximum of 15 levels.", 400);
  }
}

/** Names a request may use: `name`, `name:version`, `name:label`, or the parameter's ARN. */
export function parseSelector(ctx: RequestContext, raw: string): { name: string; selector?: string } {
  let text = raw;
  const arnPrefix = parameterArn(ctx, "/").slice(0, -1);
  const publicPrefix = parameterArn(ctx, "/aws/service/").slice(0, -"/aws/service/".length);
  if (text.startsWith("arn:")) {
    const prefix = text.startsWith(publicPrefix + "/aws/service/") ? publicPrefix : arnPrefix;
    if (!text.startsWith(prefix)) throw validation(`Invalid parameter name or ARN: ${raw}`);
    text = text.slice(prefix.length);
    if (!text.slice(1).includes("/")) text = text.slice(1);
  }
  const colon = text.lastIndexOf(":");
  if (colon > 0) return { name: text.slice(0, colon), selector: text.slice(colon + 1) };
  return { name: text };
}

export async function loadParam(ctx: RequestContext, name: string): Promise<ParamRecord | null> {
  if (isPublicName(name)) return publicParameter(ctx, name);
  const record = (await ctx.store.get<ParamRecord>(paramKey(name))).value;
  if (!record) return null;
  const current = record.versions[record.versions.length - 1];
  const expiry = current.policies.find((p) => p.expiresAt !== undefined)?.expiresAt;
  // Expired: gone for readers; its timer (policy-actions.ts) deletes it and sends the event.
  if (expiry !== undefined && expiry <= ctx.clock.now()) return null;
  return record;
}

export function notFound(): AwsError {
  return new AwsError("ParameterNotFound", "", 400);
}

/** The version a selector names; ParameterVersionNotFound when none. */
export function selectVersion(record: ParamRecord, selector: string | undefined): ParamVersion {
  if (selector === undefined) return record.versions[record.versions.length - 1];
  const version = /^\d+$/.test(selector)
    ? record.versions.find((v) => v.version === Number(selector))
    : record.versions.find((v) => v.labels.includes(selector));
  if (!version) {
    throw new AwsError("ParameterVersionNotFound", /^\d+$/.test(selector)
      ? `Systems Manager could not find version ${selector} of ${record.name}. Verify the version and try again.`
      : `Systems Manager could not find label ${selector} of ${record.name}. Verify the label and try again.`, 400);
  }
  return version;
}

const POLICY_TYPES = new Set(["Expiration", "ExpirationNotification", "NoChangeNotification"]);

/** Parses the Policies JSON of PutParameter into stored policies. */
export function parsePolicies(text: string | undefined): StoredPolicy[] {
  if (text === undefined) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new AwsError("InvalidPolicyTypeException", "The policy is not valid JSON.", 400);
  }
  const list = Array.isArray(parsed) ? parsed : [parsed];
  if (list.length > 10) throw new AwsError("PoliciesLimitExceededException", "You specified more than the maximum number of allowed policies for the parameter. The maximum is 10.", 400);
  const seen = new Set<string>();
  return list.map((policy: any) => {
    if (!policy || typeof policy !== "object" || !POLICY_TYPES.has(policy.Type)) {
      throw new AwsError("InvalidPolicyTypeException", `A policy type that is not supported was specified: ${policy?.Type}. Supported policy types: Expiration, ExpirationNotification, NoChangeNotification.`, 400);
    }
    if (seen.has(policy.Type)) throw new AwsError("IncompatiblePolicyException", `There is a conflict in the policies specified for this parameter: more than one ${policy.Type} policy.`, 400);
    seen.add(policy.Type);
    const attributes = policy.Attributes ?? {};
    const stored: StoredPolicy = { PolicyText: JSON.stringify(policy), PolicyType: policy.Type, PolicyStatus: "Pending" };
    if (policy.Type === "Expiration") {
      const at = Date.parse(attributes.Timestamp);
      if (Number.isNaN(at)) throw new AwsError("InvalidPolicyAttributeException", "The Expiration policy needs a valid Timestamp attribute.", 400);
      stored.expiresAt = at;
    } else {
      // ExpirationNotification counts Before the expiry, NoChangeNotification After the last change.
      const field = policy.Type === "ExpirationNotification" ? "Before" : "After";
      const amount = Number(attributes[field]);
      if (!Number.isInteger(amount) || amount <= 0 || !["Days", "Hours"].includes(attributes.Unit)) {
        throw new AwsError("InvalidPolicyAttributeException", `The ${policy.Type} policy needs ${field} (a positive integer) and Unit (Days or Hours) attributes.`, 400);
      }
    }
    return stored;
  });
}

const DATA_TYPES = new Set(["text", "aws:ec2:image", "aws:ssm:integration"]);

export function checkDataType(dataType: string, type: string, value: string): void {
  if (!DATA_TYPES.has(dataType)) throw validation(`The following data type is not supported: ${dataType} (Data type names are all lowercase.)`);
  if (dataType !== "text" && type !== "String") throw validation(`Data type ${dataType} is only supported for the String parameter type.`);
  if (dataType === "aws:ec2:image" && !/^ami-[0-9a-f]{8}([0-9a-f]{9})?$/.test(value)) {
    throw validation(`Parameter value, ${value}, is not a valid ${dataType} value.`);
  }
}

export function checkPattern(pattern: string | undefined, value: string): void {
  if (pattern === undefined || pattern === "") return;
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch {
    throw new AwsError("InvalidAllowedPatternException", `The request does not meet the regular expression requirement: ${pattern}`, 400);
  }
  const match = re.exec(value);
  if (!match || match[0] !== value) {
    throw new AwsError("ParameterPatternMismatchException", `Parameter value, cannot be validated against allowedPattern: ${pattern}`, 400);
  }
}

export function checkLabel(label: string): boolean {
  if (label.length > 100 || !/^[a-zA-Z0-9_.\-]+$/.test(label)) return false;
  if (/^\d/.test(label)) return false;
  const lower = label.toLowerCase();
  return !lower.startsWith("aws") && !lower.startsWith("ssm");
}
