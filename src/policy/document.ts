/**
 * Parsing and validation of policy documents as IAM validates them, with IAM's
 * `MalformedPolicyDocument` messages (HTTP 400).
 *
 * Kinds, by where a document is used:
 * - `identity`: inline and managed policies, permissions boundaries (PutUserPolicy, CreatePolicy):
 *   no Principal, Action and Resource required.
 * - `trust`: role trust policies (CreateRole, UpdateAssumeRolePolicy): Principal required, no
 *   Resource, only STS AssumeRole* / TagSession / SetSourceIdentity / SetContext actions.
 * - `resource`: resource-based policies (bucket, queue, topic, key policies): Principal required.
 * - `session`: session policies passed to AssumeRole / GetFederationToken: like `identity`.
 *
 * Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 */
import { AwsError } from "../protocol/errors.ts";
import type { PolicyDocument, PolicyStatement } from "./types.ts";

export type PolicyKind = "identity" | "trust" | "resource" | "session";

export interface ParseOptions {
  /**
   * Managed policies (CreatePolicy, CreatePolicyVersion) must say `"Version": "2012-10-17"`:
   * "Policy document must be version 2012-10-17 or greater." Inline policies may omit it.
   */
  requireCurrentVersion?: boolean;
  /** Error code to throw (S3 bucket policies use `MalformedPolicy`). Default `MalformedPolicyDocument`. */
  errorCode?: string;
}

const TOP_KEYS = new Set(["Version", "Id", "Statement"]);
const VERSIONS = new Set(["2008-10-17", "2012-10-17"]);
const STATEMENT_KEYS = new Set(["Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal", "Condition"]);
const PRINCIPAL_TYPES = new Set(["AWS", "Service", "Federated", "CanonicalUser"]);
const TRUST_ACTIONS = /^sts:(AssumeRole|AssumeRoleWithSAML|AssumeRoleWithWebIdentity|TagSession|SetSourceIdentity|SetContext|\*)$/i;

/** The condition operators IAM knows (before `ForAllValues:`/`ForAnyValue:` and `IfExists`). */
export const CONDITION_OPERATORS = new Set([
  "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike",
  "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals", "NumericGreaterThan", "NumericGreaterThanEquals",
  "DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals",
  "Bool", "BinaryEquals", "IpAddress", "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
]);

class Malformed extends Error {}

function fail(message: string): never {
  throw new Malformed(message);
}

function isStringList(v: unknown): v is string | string[] {
  return typeof v === "string" || (Array.isArray(v) && v.every((x) => typeof x === "string"));
}

/** A statement's field as a list (a single string is a one-member list). */
export function asList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The statements of a document as a list. */
export function statementsOf(doc: PolicyDocument): PolicyStatement[] {
  return asList(doc.Statement);
}

/** Splits `ForAnyValue:StringLikeIfExists` into its parts; `base` is undefined when unknown. */
export function parseOperator(op: string): { set?: "ForAllValues" | "ForAnyValue"; base?: string; ifExists: boolean } {
  let rest = op;
  let set: "ForAllValues" | "ForAnyValue" | undefined;
  const colon = rest.indexOf(":");
  if (colon >= 0) {
    const prefix = rest.slice(0, colon);
    if (prefix !== "ForAllValues" && prefix !== "ForAnyValue") return { ifExists: false };
    set = prefix;
    rest = rest.slice(colon + 1);
  }
  let ifExists = false;
  if (rest.endsWith("IfExists") && rest !== "IfExists") {
    ifExists = true;
    rest = rest.slice(0, -"IfExists".length);
  }
  if (!CONDITION_OPERATORS.has(rest)) return { set, ifExists };
  if (rest === "Null" && ifExists) return { set, ifExists };
  return { set, base: rest, ifExists };
}

/** Structural checks: anything off here is "Syntax errors in policy." */
function checkSyntax(raw: unknown): asserts raw is PolicyDocument {
  const syntax = "Syntax errors in policy.";
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) fail(syntax);
  const doc = raw as Record<string, unknown>;
  for (const k of Object.keys(doc)) if (!TOP_KEYS.has(k)) fail(syntax);
  if ("Version" in doc && (typeof doc.Version !== "string" || !VERSIONS.has(doc.Version))) fail(syntax);
  if ("Id" in doc && typeof doc.Id !== "string") fail(syntax);
  const st = doc.Statement;
  if (st === undefined || st === null || typeof st !== "object") fail(syntax);
  const statements = Array.isArray(st) ? st : [st];
  if (statements.length === 0) fail(syntax);
  for (const s of statements) {
    if (s === null || typeof s !== "object" || Array.isArray(s)) fail(syntax);
    const stmt = s as Record<string, unknown>;
    for (const k of Object.keys(stmt)) if (!STATEMENT_KEYS.has(k)) fail(syntax);
    if ("Action" in stmt && "NotAction" in stmt) fail(syntax);
    if ("Resource" in stmt && "NotResource" in stmt) fail(syntax);
    if ("Principal" in stmt && "NotPrincipal" in stmt) fail(syntax);
    if (typeof stmt.Effect !== "string" || !/^(allow|deny)$/i.test(stmt.Effect)) fail(syntax);
    for (const k of ["Action", "NotAction", "Resource", "NotResource"]) if (k in stmt && !isStringList(stmt[k])) fail(syntax);
    if ("Sid" in stmt && typeof stmt.Sid !== "string") fail(syntax);
    for (const k of ["Principal", "NotPrincipal"]) {
      if (!(k in stmt)) continue;
      const p = stmt[k];
      if (p === "*") continue;
      if (p === null || typeof p !== "object" || Array.isArray(p)) fail(syntax);
      for (const v of Object.values(p as object)) if (!isStringList(v)) fail(syntax);
    }
    if ("Condition" in stmt) {
      const c = stmt.Condition;
      if (c === null || typeof c !== "object" || Array.isArray(c)) fail(syntax);
      for (const block of Object.values(c as object)) {
        if (block === null || typeof block !== "object" || Array.isArray(block)) fail(syntax);
        for (const v of Object.values(block as object)) {
          const values = Array.isArray(v) ? v : [v];
          for (const x of values) if (!["string", "number", "boolean"].includes(typeof x)) fail(syntax);
        }
      }
    }
  }
}

/** Resource ARN format checks, in IAM's words; undefined when fine. */
function resourceError(resource: string): string | undefined {
  if (resource === "*") return undefined;
  const parts = resource.split(":");
  if (parts.length < 2) return `Resource ${resource} must be in ARN format or "*".`;
  if (parts[0] !== "arn" && !parts[0].includes("*") && !parts[0].includes("?")) return `Resource ${resource} must be in ARN format or "*".`;
  const partition = parts[1];
  if (!/^aws(-cn|-us-gov|-iso|-iso-b)?$/.test(partition) && partition !== "*") {
    const p = (i: number) => (parts[i] !== undefined && parts[i] !== "" ? parts[i] : "*");
    const tail = parts.length > 5 ? parts.slice(5).join(":") : "*";
    return `Partition "${partition}" is not valid for resource "arn:${partition}:${p(2)}:${p(3)}:${p(4)}:${tail}".`;
  }
  if (parts.length < 3) return "Resource vendor must be fully qualified and cannot contain regexes.";
  const vendor = parts[2];
  if (vendor === "" || /[*?]/.test(vendor) && vendor !== "*") return "Resource vendor must be fully qualified and cannot contain regexes.";
  if ((vendor === "iam" || vendor === "s3") && parts.length > 3 && parts[3] !== "") {
    return vendor === "iam" ? `IAM resource ${resource} cannot contain region information.` : `Resource ${resource} can not contain region information.`;
  }
  return undefined;
}

function checkAction(action: string): void {
  if (action === "*") return;
  const parts = action.split(":");
  if (parts.length === 1) fail("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
  if (parts.length > 2) fail("Actions/Condition can contain only one colon.");
  if (/[^a-zA-Z0-9\-.*?]/.test(parts[0])) fail(`Vendor ${parts[0]} is not valid`);
  if (/[*?]/.test(parts[0])) fail("Action vendors must not contain wildcards.");
}

function principalEntries(p: PolicyStatement["Principal"]): [string, string][] {
  if (p === undefined) return [];
  if (p === "*") return [["*", "*"]];
  const out: [string, string][] = [];
  for (const [type, values] of Object.entries(p)) for (const v of asList(values)) out.push([type, v]);
  return out;
}

function checkPrincipal(p: PolicyStatement["Principal"]): void {
  for (const [type, value] of principalEntries(p)) {
    if (type === "*") continue;
    const invalid = `Invalid principal in policy: "${type}":"${value}"`;
    if (!PRINCIPAL_TYPES.has(type)) fail(invalid);
    if (type === "AWS" && value !== "*" && !/^\d{12}$/.test(value) && !/^arn:aws[\w-]*:(iam|sts)::(\d{12}|aws):.+/.test(value)) fail(invalid);
    if (type === "Service" && value !== "*" && !/^[a-z0-9.-]+\.(amazonaws\.com|amazon\.com|aws\.internal)(\.cn)?$/.test(value)) fail(invalid);
    if (type === "Federated" && value === "") fail(invalid);
  }
}

function validate(doc: PolicyDocument, kind: PolicyKind, options: ParseOptions): void {
  const statements = statementsOf(doc);
  if (options.requireCurrentVersion && doc.Version !== "2012-10-17") fail("Policy document must be version 2012-10-17 or greater.");
  // "Legacy parsing": Effect is case-sensitive, condition operators must be known.
  for (const s of statements) {
    if (s.Effect !== "Allow" && s.Effect !== "Deny") fail("The policy failed legacy parsing");
    for (const [op, block] of Object.entries(s.Condition ?? {})) {
      if (parseOperator(op).base === undefined && Object.keys(block).length > 0) fail("The policy failed legacy parsing");
    }
  }
  const sids = new Set<string>();
  for (const s of statements) {
    if (s.Sid === undefined || s.Sid === "") continue;
    if (kind !== "resource" && !/^[0-9A-Za-z]*$/.test(s.Sid)) {
      fail("Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*");
    }
    if (sids.has(s.Sid)) fail("Statement IDs (SID) in a single policy must be unique.");
    sids.add(s.Sid);
  }
  const principalDeclared = (s: PolicyStatement) => s.Principal !== undefined || s.NotPrincipal !== undefined;
  if (kind === "identity" || kind === "session") {
    if (statements.some(principalDeclared)) fail("Policy document should not specify a principal.");
  }
  for (const s of statements) {
    const actions = s.Action ?? s.NotAction;
    if (actions === undefined || asList(actions).length === 0) fail("Policy statement must contain actions.");
  }
  if (kind === "trust") {
    for (const s of statements) {
      if (s.Resource !== undefined) fail("Has prohibited field Resource");
      if (s.NotResource !== undefined) fail("Has prohibited field NotResource");
      if (!principalDeclared(s)) fail("Missing required field Principal");
    }
  } else {
    if (kind === "resource" && !statements.every(principalDeclared)) fail("Missing required field Principal");
    if (kind !== "resource") {
      for (const s of statements) {
        const res = s.Resource ?? s.NotResource;
        if (res === undefined || asList(res).length === 0) fail("Policy statement must contain resources.");
      }
    }
    for (const s of statements) {
      for (const r of asList(s.Resource ?? s.NotResource)) {
        const err = resourceError(r);
        if (err) fail(err);
      }
    }
  }
  for (const s of statements) {
    for (const a of asList(s.Action ?? s.NotAction)) checkAction(a);
    checkPrincipal(s.Principal);
    checkPrincipal(s.NotPrincipal);
    if (kind === "trust") {
      if (s.NotAction !== undefined || asList(s.Action).some((a) => a !== "*" && !TRUST_ACTIONS.test(a))) {
        fail("AssumeRole policy may only specify STS AssumeRole actions.");
      }
    }
  }
}

/**
 * Parses and validates a policy document (JSON text, already URL-decoded) of `kind`.
 * Throws `AwsError(MalformedPolicyDocument, <IAM's message>, 400)` (or `options.errorCode`).
 */
export function parsePolicyDocument(text: string, kind: PolicyKind, options: ParseOptions = {}): PolicyDocument {
  try {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      fail("Syntax errors in policy.");
    }
    checkSyntax(raw);
    validate(raw, kind, options);
    return raw;
  } catch (e) {
    if (e instanceof Malformed) throw new AwsError(options.errorCode ?? "MalformedPolicyDocument", e.message, 400);
    throw e;
  }
}

/** Like `parsePolicyDocument`, returning the message instead of throwing (null when valid). */
export function policyDocumentError(text: string, kind: PolicyKind, options: ParseOptions = {}): string | null {
  try {
    parsePolicyDocument(text, kind, options);
    return null;
  } catch (e) {
    if (e instanceof AwsError) return e.message;
    throw e;
  }
}

/**
 * A policy's size as IAM counts it against its quotas: characters, whitespace outside strings
 * not counted. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html
 */
export function policySize(text: string): number {
  let size = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      size++;
      if (ch === "\\") { size++; i++; } else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
      size++;
    } else if (!/\s/.test(ch)) size++;
  }
  return size;
}
