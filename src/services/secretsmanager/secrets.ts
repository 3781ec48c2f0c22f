/**
 * Secrets in the store: one record per secret under ["secret", name], its versions inside
 * (encrypted values, staging labels). SecretIds resolve by name, full ARN or partial ARN (the
 * ARN without its random suffix). The end of a recovery window is applied when a secret is read.
 * Source: https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";
import { partitionOf as partition } from "../../util/partition.ts";

export const DAY = 86_400_000;

export interface StoredVersion {
  versionId: string;
  createdAt: number;
  stages: string[];
  kind: "string" | "binary";
  /** Envelope encryption: the KMS-encrypted data key, the AES-GCM IV and ciphertext (base64). */
  encryptedKey: string;
  iv: string;
  ciphertext: string;
  /** The KMS key ARN that encrypted the data key. */
  kmsKeyArn: string;
  lastAccessedAt?: number;
}

export interface SecretRecord {
  name: string;
  arn: string;
  description?: string;
  /** As the caller gave it (DescribeSecret returns it); absent = aws/secretsmanager. */
  kmsKeyId?: string;
  createdAt: number;
  lastChangedAt: number;
  lastAccessedAt?: number;
  deletedAt?: number;
  /** When a deleted secret is removed for good. */
  deletionAt?: number;
  tags?: { Key: string; Value: string }[];
  policy?: string;
  rotation?: {
    enabled: boolean;
    lambdaArn?: string;
    rules?: { AutomaticallyAfterDays?: number; Duration?: string; ScheduleExpression?: string };
    lastRotatedAt?: number;
  };
  replicas?: { Region: string; KmsKeyId: string; Status: string; StatusMessage?: string }[];
  type?: string;
  /** Oldest first. */
  versions: StoredVersion[];
}

export const secretKey = (name: string) => ["secret", name] as const;

export { partitionOf as partition } from "../../util/partition.ts";

const SUFFIX_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** AWS appends a hyphen and six random characters to the name in a secret's ARN. */
export function secretArn(ctx: RequestContext, name: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  const suffix = Array.from(bytes, (b) => SUFFIX_CHARS[b % SUFFIX_CHARS.length]).join("");
  return `arn:${partition(ctx.region)}:secretsmanager:${ctx.region}:${ctx.accountId}:secret:${name}-${suffix}`;
}

export function notFound(): AwsError {
  return new AwsError("ResourceNotFoundException", "Secrets Manager can't find the specified secret.", 400);
}

export function invalidParameter(message: string): AwsError {
  return new AwsError("InvalidParameterException", message, 400);
}

export function invalidRequest(message: string): AwsError {
  return new AwsError("InvalidRequestException", message, 400);
}

export function markedForDeletion(): AwsError {
  return invalidRequest("You can't perform this operation on the secret because it was marked for deletion.");
}

/** Reads a secret by name with the clock applied (a secret past its recovery window is gone). */
export async function loadByName(ctx: RequestContext, name: string): Promise<SecretRecord | null> {
  const entry = await ctx.store.get<SecretRecord>(secretKey(name));
  const secret = entry.value;
  if (!secret) return null;
  if (secret.deletionAt !== undefined && secret.deletionAt <= ctx.clock.now()) {
    await ctx.store.delete(secretKey(name));
    return null;
  }
  return secret;
}

/** The secret `id` names (name, full ARN or partial ARN); ResourceNotFoundException if none. */
export async function resolveSecret(ctx: RequestContext, id: string): Promise<SecretRecord> {
  if (id.startsWith("arn:")) {
    const match = /^arn:[^:]+:secretsmanager:([^:]*):(\d{12}):secret:(.+)$/.exec(id);
    if (!match) throw notFound();
    const [, region, account, rest] = match;
    if (region !== ctx.region || account !== ctx.accountId) throw notFound();
    const full = rest.length > 7 ? await loadByName(ctx, rest.slice(0, -7)) : null;
    if (full && full.arn === id) return full;
    const partial = await loadByName(ctx, rest);
    if (partial && partial.arn.startsWith(id + "-") && partial.arn.length === id.length + 7) return partial;
    throw notFound();
  }
  const secret = await loadByName(ctx, id);
  if (!secret) throw notFound();
  return secret;
}

export async function saveSecret(ctx: RequestContext, secret: SecretRecord): Promise<void> {
  await ctx.store.set(secretKey(secret.name), secret);
}

/** Day-rounded date, as AWS reports LastAccessedDate. */
export function dayOf(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

export function versionsToStages(secret: SecretRecord): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const v of secret.versions) if (v.stages.length) out[v.versionId] = v.stages;
  return out;
}

export function nextRotationDate(secret: SecretRecord): number | undefined {
  const rotation = secret.rotation;
  if (!rotation?.enabled) return undefined;
  const days = rotation.rules?.AutomaticallyAfterDays ?? daysOfRate(rotation.rules?.ScheduleExpression);
  if (!days) return undefined;
  return (rotation.lastRotatedAt ?? secret.createdAt) + days * DAY;
}

function daysOfRate(expression: string | undefined): number | undefined {
  const match = expression && /^rate\((\d+) (day|days|hour|hours)\)$/.exec(expression);
  if (!match) return undefined;
  return match[2].startsWith("day") ? Number(match[1]) : Number(match[1]) / 24;
}
