/**
 * SSE-KMS queues (`KmsMasterKeyId`): SQS asks KMS for a data key (`GenerateDataKey`, encryption
 * context `{"aws:sqs:arn": queue ARN}`) to encrypt messages and has KMS `Decrypt` it to hand
 * messages out, reusing either for `KmsDataKeyReusePeriodSeconds` (60–86400, default 300) before
 * calling KMS again. So a key that is missing, disabled or pending deletion fails SendMessage and
 * ReceiveMessage once the reuse period has run out, as on AWS. As on AWS the key is not checked
 * when the attribute is set. Message bodies themselves are stored as sent.
 *
 * Errors (SQS's shapes; awsQuery codes `KMS.NotFoundException` etc.): KmsNotFound, KmsDisabled,
 * KmsInvalidState, KmsInvalidKeyUsage, KmsAccessDenied, KmsThrottled, with KMS's message.
 * Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html
 */
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import { base64ToBytes, bytesToBase64 } from "../../encoding/base64.ts";
import type { RequestContext } from "../types.ts";
import { queueArn } from "./queue-url.ts";
import { keys, store, type QueueRecord } from "./storage.ts";

/** The queue's current data key: encrypted under the master key, with when KMS last vouched for it. */
export interface QueueDataKey {
  /** The KmsMasterKeyId the key was generated under (a change of key means a new data key). */
  masterKeyId: string;
  /** The key ARN KMS answered. */
  keyArn: string;
  /** Encrypted data key, base64. */
  ciphertext: string;
  /** Epoch ms of the GenerateDataKey call. */
  generatedAt: number;
  /** Epoch ms of the last successful Decrypt (or the generation). */
  decryptedAt: number;
}

/** KMS's error code → SQS's error shape and its awsQuery code (botocore's model). */
const SQS_ERRORS: Record<string, [string, string]> = {
  NotFoundException: ["KmsNotFound", "KMS.NotFoundException"],
  DisabledException: ["KmsDisabled", "KMS.DisabledException"],
  KMSInvalidStateException: ["KmsInvalidState", "KMS.InvalidStateException"],
  InvalidCiphertextException: ["KmsInvalidState", "KMS.InvalidStateException"],
  IncorrectKeyException: ["KmsInvalidState", "KMS.InvalidStateException"],
  InvalidKeyUsageException: ["KmsInvalidKeyUsage", "KMS.InvalidKeyUsageException"],
  AccessDeniedException: ["KmsAccessDenied", "KMS.AccessDeniedException"],
  ThrottlingException: ["KmsThrottled", "KMS.ThrottlingException"],
};

function sqsError(error: unknown): never {
  const mapped = isAwsError(error) ? SQS_ERRORS[error.code] : undefined;
  if (mapped) throw new AwsError(mapped[0], (error as AwsError).message, 400, { queryCode: mapped[1] });
  throw error;
}

function reuseMs(queue: QueueRecord): number {
  return Number(queue.attributes.KmsDataKeyReusePeriodSeconds ?? 300) * 1000;
}

/**
 * Makes sure the queue has a data key KMS generated within the reuse period (SendMessage and
 * SendMessageBatch). No-op for queues without `KmsMasterKeyId`.
 */
export async function dataKeyForSend(ctx: RequestContext, queue: QueueRecord): Promise<void> {
  const masterKeyId = queue.attributes.KmsMasterKeyId;
  if (!masterKeyId) return;
  const s = store(ctx, queue);
  const now = ctx.clock.now();
  const current = (await s.get<QueueDataKey>(keys.dataKey(queue))).value;
  if (current && current.masterKeyId === masterKeyId && now - current.generatedAt < reuseMs(queue)) return;
  let out: Record<string, unknown>;
  try {
    out = await ctx.invoke("kms", "GenerateDataKey", { KeyId: masterKeyId, KeySpec: "AES_256", EncryptionContext: { "aws:sqs:arn": queueArn(queue) } });
  } catch (error) {
    sqsError(error);
  }
  const record: QueueDataKey = {
    masterKeyId,
    keyArn: String(out.KeyId),
    ciphertext: bytesToBase64(out.CiphertextBlob as Uint8Array),
    generatedAt: now,
    decryptedAt: now,
  };
  await s.set(keys.dataKey(queue), record);
}

/**
 * Has KMS decrypt the queue's data key when the reuse period has passed since it last did
 * (ReceiveMessage). No-op for queues without `KmsMasterKeyId` or without a data key yet.
 */
export async function dataKeyForReceive(ctx: RequestContext, queue: QueueRecord): Promise<void> {
  if (!queue.attributes.KmsMasterKeyId) return;
  const s = store(ctx, queue);
  const current = (await s.get<QueueDataKey>(keys.dataKey(queue))).value;
  if (!current) return;
  const now = ctx.clock.now();
  if (now - current.decryptedAt < reuseMs(queue)) return;
  try {
    await ctx.invoke("kms", "Decrypt", {
      CiphertextBlob: base64ToBytes(current.ciphertext) as Uint8Array,
      KeyId: current.keyArn,
      EncryptionContext: { "aws:sqs:arn": queueArn(queue) },
    });
  } catch (error) {
    sqsError(error);
  }
  await s.set(keys.dataKey(queue), { ...current, decryptedAt: now });
}
