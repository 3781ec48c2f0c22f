/**
 * Delivery stream server-side encryption (DeliveryStreamEncryptionConfiguration) and its
 * transitions on the emulator clock.
 * Sources: https://docs.aws.amazon.com/firehose/latest/APIReference/API_StartDeliveryStreamEncryption.html,
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_StopDeliveryStreamEncryption.html
 *
 * Start sets `ENABLING`, Stop `DISABLING`; `ENCRYPTION_TRANSITION_MS` of clock time later the
 * stream reads `ENABLED`/`DISABLED`, or `ENABLING_FAILED`/`DISABLING_FAILED` with a
 * FailureDescription when the customer managed key went bad meanwhile (disabled, pending
 * deletion, deleted). Transitions are applied when the stream is next read (stored dates, so they
 * survive restarts; a timer applies them when due as well). KMS is asked through `ctx.invoke("kms", "DescribeKey")`.
 */
import type { RequestContext } from "../types.ts";
import { AwsError } from "../../protocol/errors.ts";
import type { DeliveryStreamEncryptionStatus, DeliveryStreamFailureType, KeyType } from "../../generated/firehose.ts";

/** How long ENABLING/DISABLING last (AWS documents the states, not their duration). */
export const ENCRYPTION_TRANSITION_MS = 5_000;
/** Start and Stop together: 25 calls per delivery stream per 24 hours. */
const CALLS_PER_DAY = 25;
const DAY = 86_400_000;

export interface StoredEncryption {
  Status: DeliveryStreamEncryptionStatus;
  KeyType?: KeyType;
  KeyARN?: string;
  FailureDescription?: { Type: DeliveryStreamFailureType; Details: string };
  /** Epoch ms when ENABLING/DISABLING began. */
  since?: number;
  /** While a key change is ENABLING (or after it failed): the key that still encrypts. */
  previous?: { KeyType: KeyType; KeyARN?: string };
  /** Epoch ms of recent Start/Stop calls (the 24-hour limit). */
  calls?: number[];
}

function invalid(message: string): AwsError {
  return new AwsError("InvalidArgumentException", message, 400);
}

/** KeyType/KeyARN combinations AWS refuses (InvalidArgumentException). */
export function checkEncryption(config: { KeyType?: string; KeyARN?: string } | undefined): void {
  if (!config) return;
  if (config.KeyType === "CUSTOMER_MANAGED_CMK" && !config.KeyARN) {
    throw invalid("KeyARN is required when KeyType is CUSTOMER_MANAGED_CMK.");
  }
  if (config.KeyType === "AWS_OWNED_CMK" && config.KeyARN) {
    throw invalid("KeyARN must not be specified when KeyType is AWS_OWNED_CMK.");
  }
}

type KeyProblem = { code: string; type: DeliveryStreamFailureType; message: string };

/** What is wrong with a customer managed key for Firehose, asked of KMS; undefined if usable. */
async function keyProblem(ctx: RequestContext, keyArn: string): Promise<KeyProblem | undefined> {
  let metadata: { KeyState?: string; KeySpec?: string; KeyUsage?: string } | undefined;
  try {
    metadata = (await ctx.invoke("kms", "DescribeKey", { KeyId: keyArn })).KeyMetadata as typeof metadata;
  } catch (error) {
    const code = (error as { code?: string }).code ?? "NotFoundException";
    return { code, type: code === "NotFoundException" ? "KMS_KEY_NOT_FOUND" : "KMS_ACCESS_DENIED", message: `Firehose could not use KMS key ${keyArn}: ${(error as Error).message}` };
  }
  if (metadata?.KeyState === "Disabled") return { code: "DisabledException", type: "DISABLED_KMS_KEY", message: `KMS key ${keyArn} is disabled.` };
  if (metadata?.KeyState !== "Enabled") {
    return { code: "KMSInvalidStateException", type: "INVALID_KMS_KEY", message: `KMS key ${keyArn} is ${metadata?.KeyState ?? "not usable"}.` };
  }
  if (metadata.KeySpec !== "SYMMETRIC_DEFAULT" || metadata.KeyUsage !== "ENCRYPT_DECRYPT") {
    return { code: "InvalidKeyUsageException", type: "INVALID_KMS_KEY", message: `KMS key ${keyArn} is not a symmetric encryption key.` };
  }
  return undefined;
}

function kmsResourceError(problem: KeyProblem): AwsError {
  return new AwsError("InvalidKMSResourceException", problem.message, 400, { fields: { code: problem.code } });
}

/**
 * A CUSTOMER_MANAGED_CMK must name an enabled symmetric encryption key (AWS_OWNED_CMK needs
 * none): InvalidKMSResourceException otherwise, its `code` KMS's error (`NotFoundException`,
 * `DisabledException`, `KMSInvalidStateException`, `InvalidKeyUsageException`).
 */
export async function checkEncryptionKey(ctx: RequestContext, config: { KeyType?: string; KeyARN?: string } | undefined): Promise<void> {
  if (config?.KeyType !== "CUSTOMER_MANAGED_CMK" || !config.KeyARN) return;
  const problem = await keyProblem(ctx, config.KeyARN);
  if (problem) throw kmsResourceError(problem);
}

/** The encryption state after any transition due by now; `changed` when it must be saved. */
export async function settleEncryption(ctx: RequestContext, encryption: StoredEncryption): Promise<{ encryption: StoredEncryption; changed: boolean }> {
  if ((encryption.Status !== "ENABLING" && encryption.Status !== "DISABLING") || encryption.since === undefined) return { encryption, changed: false };
  if (ctx.clock.now() < encryption.since + ENCRYPTION_TRANSITION_MS) return { encryption, changed: false };
  const { since: _since, FailureDescription: _failure, ...rest } = encryption;
  if (encryption.Status === "ENABLING") {
    const problem = encryption.KeyType === "CUSTOMER_MANAGED_CMK" && encryption.KeyARN ? await keyProblem(ctx, encryption.KeyARN) : undefined;
    if (problem) {
      // A failed key change leaves encryption on with the previous key (AWS's documented behaviour).
      const kept = encryption.previous ?? { KeyType: encryption.KeyType!, KeyARN: encryption.KeyARN };
      return {
        encryption: { ...rest, ...kept, Status: "ENABLING_FAILED", FailureDescription: { Type: problem.type, Details: problem.message } },
        changed: true,
      };
    }
    const { previous: _previous, ...enabled } = rest;
    return { encryption: { ...enabled, Status: "ENABLED" }, changed: true };
  }
  // Disabling retires Firehose's grant on a customer managed key, which fails once the key is gone.
  if (encryption.KeyType === "CUSTOMER_MANAGED_CMK" && encryption.KeyARN) {
    const problem = await keyProblem(ctx, encryption.KeyARN);
    if (problem?.type === "KMS_KEY_NOT_FOUND") {
      return { encryption: { ...rest, Status: "DISABLING_FAILED", FailureDescription: { Type: "RETIRE_KMS_GRANT_FAILED", Details: problem.message } }, changed: true };
    }
  }
  return { encryption: { Status: "DISABLED", ...(rest.calls ? { calls: rest.calls } : {}) }, changed: true };
}

function checkCall(name: string, encryption: StoredEncryption, now: number): number[] {
  if (encryption.Status === "ENABLING" || encryption.Status === "DISABLING") {
    throw new AwsError("ResourceInUseException", `Firehose ${name} is in ${encryption.Status} encryption status; wait until the change completes.`, 400);
  }
  const calls = (encryption.calls ?? []).filter((t) => t > now - DAY);
  if (calls.length >= CALLS_PER_DAY) {
    throw new AwsError("LimitExceededException", `StartDeliveryStreamEncryption and StopDeliveryStreamEncryption are limited to ${CALLS_PER_DAY} calls per delivery stream per 24 hours.`, 400);
  }
  return [...calls, now];
}

/** StartDeliveryStreamEncryption on a settled state: ENABLING with the new key. */
export function startEncryption(name: string, encryption: StoredEncryption, config: { KeyType: KeyType; KeyARN?: string }, now: number): StoredEncryption {
  const calls = checkCall(name, encryption, now);
  const encrypting = encryption.Status === "ENABLED" || (encryption.Status === "ENABLING_FAILED" && encryption.previous !== undefined) || encryption.Status === "DISABLING_FAILED";
  const previous = encrypting && encryption.KeyType ? { KeyType: encryption.KeyType, ...(encryption.KeyARN ? { KeyARN: encryption.KeyARN } : {}) } : undefined;
  return { Status: "ENABLING", KeyType: config.KeyType, ...(config.KeyARN ? { KeyARN: config.KeyARN } : {}), since: now, calls, ...(previous ? { previous } : {}) };
}

/** StopDeliveryStreamEncryption on a settled state: DISABLING (a no-op when already DISABLED). */
export function stopEncryption(name: string, encryption: StoredEncryption, now: number): StoredEncryption {
  if (encryption.Status === "DISABLED") return encryption;
  const calls = checkCall(name, encryption, now);
  const key = encryption.Status === "ENABLING_FAILED" && !encryption.previous ? {} : { ...(encryption.KeyType ? { KeyType: encryption.KeyType } : {}), ...(encryption.KeyARN ? { KeyARN: encryption.KeyARN } : {}) };
  return { Status: "DISABLING", ...key, since: now, calls };
}

/**
 * Whether records put now are encrypted (PutRecord's `Encrypted`): not while ENABLING (AWS: data
 * written then is not encrypted), yes while DISABLING and when a key change failed.
 */
export function recordsEncrypted(encryption: StoredEncryption): boolean {
  switch (encryption.Status) {
    case "ENABLED":
    case "DISABLING":
    case "DISABLING_FAILED":
      return true;
    case "ENABLING_FAILED":
      return encryption.previous !== undefined;
    default:
      return false;
  }
}

/**
 * Putting records into a stream encrypted with a customer managed key needs that key usable:
 * InvalidKMSResourceException otherwise (AWS: "when an attempt to put records ... fails").
 */
export async function checkPutKey(ctx: RequestContext, encryption: StoredEncryption): Promise<void> {
  if (!recordsEncrypted(encryption)) return;
  const key = encryption.Status === "ENABLING_FAILED" ? encryption.previous : encryption;
  if (key?.KeyType !== "CUSTOMER_MANAGED_CMK" || !key.KeyARN) return;
  const problem = await keyProblem(ctx, key.KeyARN);
  if (problem) throw kmsResourceError(problem);
}

/** DeliveryStreamEncryptionConfiguration as DescribeDeliveryStream returns it. */
export function describeEncryption(encryption: StoredEncryption): { Status: DeliveryStreamEncryptionStatus; KeyType?: KeyType; KeyARN?: string; FailureDescription?: { Type: DeliveryStreamFailureType; Details: string } } {
  if (encryption.Status === "DISABLED") return { Status: "DISABLED" };
  return {
    ...(encryption.KeyType ? { KeyType: encryption.KeyType } : {}),
    ...(encryption.KeyARN ? { KeyARN: encryption.KeyARN } : {}),
    Status: encryption.Status,
    ...(encryption.FailureDescription ? { FailureDescription: encryption.FailureDescription } : {}),
  };
}
