/**
 * Table encryption with KMS keys (SSESpecification / SSEDescription).
 *
 * `Enabled: true` (SSEType `KMS`) encrypts with the named key or, without one, the AWS managed key
 * `alias/aws/dynamodb` (KMS creates it on first use); `Enabled: false` (or no specification) is the
 * AWS owned key, which has no SSEDescription. The key is resolved through
 * `ctx.invoke("kms", "DescribeKey")` when the table is created or its encryption updated: it must
 * exist and be enabled, and its key ARN is what SSEDescription reports. DescribeTable asks KMS
 * again for a customer managed key: a disabled or pending-deletion key makes the table
 * `INACCESSIBLE_ENCRYPTION_CREDENTIALS` with `InaccessibleEncryptionDateTime` (the time DynamoDB
 * first saw it so), cleared once the key is usable again.
 *
 * Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SSESpecification.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_SSEDescription.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.howitworks.html
 */
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";

export interface TableSse {
  enabled: boolean;
  type?: string;
  /** The key ARN (KMS's answer) or, in records from before keys were resolved, what was given. */
  kmsKey?: string;
  /** True for the AWS managed key `alias/aws/dynamodb`. */
  managed?: boolean;
  /** Epoch ms when DescribeTable first found the key unusable; cleared when it is usable again. */
  inaccessibleSince?: number;
}

const MANAGED_KEY = "alias/aws/dynamodb";

function validation(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

/**
 * The encryption a CreateTable/UpdateTable SSESpecification asks for, with the key resolved and
 * checked; undefined for the AWS owned key. Errors: ValidationException.
 */
export async function resolveSse(
  ctx: RequestContext,
  spec: { Enabled?: boolean; SSEType?: string; KMSMasterKeyId?: string },
  current?: TableSse,
): Promise<TableSse | undefined> {
  if (spec.KMSMasterKeyId !== undefined && spec.SSEType !== "KMS" && !(spec.SSEType === undefined && current?.enabled)) {
    throw validation("SSEType KMS is required if KMSMasterKeyId is specified");
  }
  if (spec.SSEType !== undefined && spec.SSEType !== "KMS") {
    throw validation("Invalid request provided: The only valid SSEType is KMS");
  }
  if (spec.Enabled === false) {
    if (spec.KMSMasterKeyId !== undefined || spec.SSEType !== undefined) {
      throw validation("Invalid request provided: SSEType and KMSMasterKeyId cannot be specified when SSE is disabled");
    }
    return undefined;
  }
  if (spec.Enabled === undefined && spec.KMSMasterKeyId === undefined) return current;
  const keyId = spec.KMSMasterKeyId ?? (current?.enabled && spec.Enabled === undefined ? current.kmsKey : undefined) ?? MANAGED_KEY;
  let metadata: Record<string, any>;
  try {
    metadata = (await ctx.invoke("kms", "DescribeKey", { KeyId: keyId })).KeyMetadata as Record<string, any>;
  } catch (error) {
    if (isAwsError(error) && error.code === "NotFoundException") throw validation(`Invalid KMSMasterKeyId: ${error.message}`);
    throw error;
  }
  if (metadata.KeyState !== "Enabled") {
    throw validation(`KMS key ${metadata.Arn} is not in a valid state: ${metadata.KeyState}`);
  }
  if (metadata.KeySpec !== "SYMMETRIC_DEFAULT" || metadata.KeyUsage !== "ENCRYPT_DECRYPT") {
    throw validation(`KMS key ${metadata.Arn} must be a symmetric encryption key`);
  }
  return { enabled: true, type: "KMS", kmsKey: String(metadata.Arn), managed: metadata.KeyManager === "AWS" };
}

/**
 * Whether a table's customer managed key is usable now (DescribeTable). Undefined when the table
 * has no such key; otherwise the inaccessibility date to record (undefined when accessible).
 */
export async function keyAccess(ctx: RequestContext, sse: TableSse | undefined): Promise<{ accessible: boolean } | undefined> {
  if (!sse?.enabled || sse.managed || !sse.kmsKey?.startsWith("arn:aws:kms:")) return undefined;
  try {
    const metadata = (await ctx.invoke("kms", "DescribeKey", { KeyId: sse.kmsKey })).KeyMetadata as Record<string, any>;
    return { accessible: metadata.KeyState === "Enabled" };
  } catch (error) {
    if (isAwsError(error) && error.code === "NotFoundException") return { accessible: false };
    throw error;
  }
}
