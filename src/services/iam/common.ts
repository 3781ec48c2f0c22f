/**
 * IAM's shared plumbing: where state lives, ids and ARNs, errors, pagination, tags and policy
 * documents as IAM stores and returns them.
 *
 * IAM is global: every resource is per account, in no region. State lives in the service's
 * `globalStore` under `["acct", <account>, <kind>, <lower-cased name>]` (IAM names are unique
 * without regard to case), and access keys under `["key", <AccessKeyId>]` so that a key alone
 * finds its user (signature verification, GetCallerIdentity).
 */
import type { RequestContext } from "../types.ts";
import type { Store } from "../../store/types.ts";
import { AwsError } from "../../protocol/errors.ts";
import { decodePageToken, encodePageToken } from "../../encoding/page-token.ts";
import { parsePolicyDocument, policySize } from "../../policy/document.ts";
import type { Tag } from "../../generated/iam.ts";

export type Kind =
  | "user" | "group" | "role" | "policy" | "instance-profile" | "mfa" | "server-certificate"
  | "oidc" | "saml" | "account" | "access" | "job";

export const accountKey = (account: string, kind: Kind, name: string) => ["acct", account, kind, name.toLowerCase()] as const;

/** The account's IAM state: `globalStore` scoped to the request's account. */
export interface Scope {
  store: Store;
  account: string;
  now: number;
}

export function scopeOf(ctx: RequestContext): Scope {
  return { store: ctx.globalStore, account: ctx.accountId, now: ctx.clock.now() };
}

export async function getRecord<T>(scope: Scope, kind: Kind, name: string): Promise<T | null> {
  return (await scope.store.get<T>(accountKey(scope.account, kind, name))).value;
}

export async function putRecord(scope: Scope, kind: Kind, name: string, value: unknown): Promise<void> {
  await scope.store.set(accountKey(scope.account, kind, name), value);
}

export async function deleteRecord(scope: Scope, kind: Kind, name: string): Promise<void> {
  await scope.store.delete(accountKey(scope.account, kind, name));
}

/** Every record of `kind` in the account, in key order. */
export async function listRecords<T>(scope: Scope, kind: Kind): Promise<T[]> {
  const out: T[] = [];
  for await (const entry of scope.store.list<T>({ prefix: ["acct", scope.account, kind] })) out.push(entry.value);
  return out;
}

// ---- ids and ARNs ----

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** A unique id as IAM makes them: a 4-letter type prefix (AIDA user, AGPA group, AROA role, ANPA policy, AIPA instance profile, ASCA certificate, APKA SSH key) + 17 characters. */
export function uniqueId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(17));
  let out = prefix;
  for (const b of bytes) out += BASE32[b % 32];
  return out;
}

export function randomText(length: number, alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

export function iamArn(account: string, type: string, path: string, name: string): string {
  return `arn:aws:iam::${account}:${type}${path}${name}`;
}

// ---- errors ----

export const noSuchEntity = (message: string) => new AwsError("NoSuchEntityException", message, 404);
export const alreadyExists = (message: string) => new AwsError("EntityAlreadyExistsException", message, 409);
export const deleteConflict = (message: string) => new AwsError("DeleteConflictException", message, 409);
export const limitExceeded = (message: string) => new AwsError("LimitExceededException", message, 409);
export const invalidInput = (message: string) => new AwsError("InvalidInputException", message, 400);
export const malformed = (message: string) => new AwsError("MalformedPolicyDocumentException", message, 400);
export const unmodifiable = (message: string) => new AwsError("UnmodifiableEntityException", message, 400);

// ---- pagination (Marker / MaxItems, default 100) ----

export interface Page<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

/** One page of `items` (already in IAM's order) after `marker`, at most `maxItems` (default 100). */
export function paginate<T>(items: T[], marker: string | undefined, maxItems: number | undefined): Page<T> {
  let start = 0;
  if (marker !== undefined) {
    const at = decodePageToken(marker)?.i;
    if (typeof at !== "number" || at < 0) throw invalidInput("Invalid Marker.");
    start = at;
  }
  const limit = maxItems ?? 100;
  const page = items.slice(start, start + limit);
  const truncated = start + limit < items.length;
  return { items: page, IsTruncated: truncated, ...(truncated ? { Marker: encodePageToken({ i: start + limit }) } : {}) };
}

/** Filters by `PathPrefix` (IAM: the path starts with it). */
export function underPath<T extends { Path: string }>(items: T[], prefix: string | undefined): T[] {
  return prefix ? items.filter((i) => i.Path.startsWith(prefix)) : items;
}

// ---- tags ----

/**
 * Tags after adding `added` (same key, case-sensitive, replaces), checked as IAM checks them:
 * at most 50, keys unique ignoring case within one request.
 */
export function mergeTags(existing: Tag[] | undefined, added: Tag[] | undefined): Tag[] {
  const out = [...(existing ?? [])];
  const seen = new Set<string>();
  for (const tag of added ?? []) {
    const lower = tag.Key.toLowerCase();
    if (seen.has(lower)) throw invalidInput("Duplicate tag keys found. Please note that Tag keys are case insensitive.");
    seen.add(lower);
    if (tag.Key.toLowerCase().startsWith("aws:")) throw invalidInput("User is not authorized to use aws: prefix in tag keys.");
    const at = out.findIndex((t) => t.Key === tag.Key);
    if (at >= 0) out[at] = { Key: tag.Key, Value: tag.Value ?? "" };
    else out.push({ Key: tag.Key, Value: tag.Value ?? "" });
  }
  if (out.length > 50) throw limitExceeded("The number of tags has reached the maximum limit.");
  return out;
}

export function removeTags(existing: Tag[] | undefined, keys: string[]): Tag[] {
  const drop = new Set(keys);
  return (existing ?? []).filter((t) => !drop.has(t.Key));
}

/** Tags as the wire wants them: absent when there are none (IAM omits an empty Tags list). */
export function tagsOut(tags: Tag[] | undefined): Tag[] | undefined {
  return tags?.length ? tags : undefined;
}

// ---- policy documents ----

/**
 * A policy document as IAM returns it: URL-encoded (RFC 3986: every byte but unreserved
 * characters percent-encoded), the text otherwise exactly as it was given. boto3 decodes it;
 * the JS SDK and the CLI v2 leave that to the caller.
 */
export function encodeDocument(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/**
 * Validates `text` as a policy of `kind` (`managed`: an identity policy that must say Version
 * 2012-10-17): MalformedPolicyDocument with IAM's message (src/policy/document.ts).
 */
export function checkDocument(text: string, kind: "identity" | "managed" | "trust"): void {
  parsePolicyDocument(text, kind === "managed" ? "identity" : kind, { requireCurrentVersion: kind === "managed" });
}

export { policySize };

/** `Path` checked beyond the model's pattern (IAM: begins and ends with `/`). */
export function checkPath(path: string | undefined): string {
  return path ?? "/";
}

/** Date as the codec accepts it from a stored epoch-ms number. */
export const date = (ms: number) => new Date(ms);
