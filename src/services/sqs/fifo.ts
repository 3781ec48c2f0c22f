/**
 * FIFO rules for sends: MessageGroupId required, no per-message delay, deduplication by
 * MessageDeduplicationId or (ContentBasedDeduplication) the SHA-256 of the body, within a
 * 5-minute window per queue or per message group (DeduplicationScope).
 * Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-exactly-once-processing.html
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { invalidParameter, invalidParameterValue, missingParameter } from "./errors.ts";
import type { QueueRecord } from "./storage.ts";

export const DEDUP_WINDOW_MS = 5 * 60 * 1000;

export interface FifoFields {
  groupId?: string;
  dedupId?: string;
}

const ID_RE = /^[\x21-\x7e]{1,128}$/;

/**
 * Checks the FIFO members of one send and resolves the deduplication id. `batch`: a batch entry
 * (AWS words a missing group id as InvalidParameterValue there, MissingParameter for SendMessage).
 */
export function fifoFields(
  queue: QueueRecord,
  body: string,
  input: { MessageGroupId?: string; MessageDeduplicationId?: string; DelaySeconds?: number },
  batch: boolean,
): FifoFields {
  if (!queue.fifo) {
    if (input.MessageDeduplicationId !== undefined) {
      throw invalidParameter("MessageDeduplicationId", input.MessageDeduplicationId, "The request include parameter that is not valid for this queue type.");
    }
    if (input.MessageGroupId !== undefined && !ID_RE.test(input.MessageGroupId)) {
      throw invalidParameter("MessageGroupId", input.MessageGroupId, "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.");
    }
    return { groupId: input.MessageGroupId };
  }
  if (input.MessageGroupId === undefined || input.MessageGroupId === "") {
    if (batch) throw invalidParameterValue("The request must contain the parameter MessageGroupId.");
    throw missingParameter("MessageGroupId");
  }
  if (!ID_RE.test(input.MessageGroupId)) {
    throw invalidParameter("MessageGroupId", input.MessageGroupId, "MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.");
  }
  if (input.DelaySeconds !== undefined && input.DelaySeconds !== 0) {
    throw invalidParameter("DelaySeconds", input.DelaySeconds, "The request include parameter that is not valid for this queue type.");
  }
  let dedupId = input.MessageDeduplicationId;
  if (dedupId !== undefined && !ID_RE.test(dedupId)) {
    throw invalidParameter("MessageDeduplicationId", dedupId, "MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.");
  }
  if (dedupId === undefined) {
    if (queue.attributes.ContentBasedDeduplication !== "true") {
      throw invalidParameterValue("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
    }
    dedupId = bytesToHex(sha256(new TextEncoder().encode(body)));
  }
  return { groupId: input.MessageGroupId, dedupId };
}

/** The key one deduplication id occupies, per DeduplicationScope. */
export function dedupKey(queue: QueueRecord, groupId: string, dedupId: string): string {
  return queue.attributes.DeduplicationScope === "messageGroup" ? `${groupId}\u0000${dedupId}` : dedupId;
}
