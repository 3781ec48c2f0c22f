/**
 * The batch operations' common part (SendMessageBatch, DeleteMessageBatch,
 * ChangeMessageVisibilityBatch): the request-level checks, and the loop that runs each entry and
 * reports it under `Successful` or `Failed` (an entry's AwsError is its failure, with the
 * query-protocol code AWS puts there; any other error fails the request).
 *
 * Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessageBatch.html
 * (and the other batch operations' pages)
 */
import { AwsError } from "../../protocol/errors.ts";

export interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;

/** Batch-level checks shared by the three batch operations (empty, > 10, ids). */
export function checkBatch(entries: { Id?: string }[] | undefined, entryName: string): void {
  if (!entries || entries.length === 0) {
    throw new AwsError("EmptyBatchRequest", `There should be at least one ${entryName} in the request.`, 400);
  }
  if (entries.length > 10) {
    throw new AwsError("TooManyEntriesInBatchRequest", `Maximum number of entries per request are 10. You have sent ${entries.length}.`, 400);
  }
  const seen = new Set<string>();
  for (const e of entries) {
    if (!e.Id || !BATCH_ID.test(e.Id)) {
      throw new AwsError("InvalidBatchEntryId", "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.", 400);
    }
    if (seen.has(e.Id)) throw new AwsError("BatchEntryIdsNotDistinct", `Id ${e.Id} repeated.`, 400);
    seen.add(e.Id);
  }
}

/** A per-entry failure as AWS reports it (the query-protocol code); rethrows anything but an AwsError. */
export function failureOf(id: string, error: unknown): BatchFailure {
  if (error instanceof AwsError) {
    return { Id: id, SenderFault: error.fault === "Sender", Code: error.queryCode ?? error.code, Message: error.message };
  }
  throw error;
}

/**
 * Runs `each` for every entry, in order, one at a time. Entries that return are in `done` with
 * their result; an AwsError makes the entry a failure, unless `fatal(error)` says it fails the
 * whole request (then it is rethrown, as are errors that are not AwsErrors).
 */
export async function runBatch<E extends { Id: string }, R>(
  entries: readonly E[],
  each: (entry: E) => R | Promise<R>,
  fatal: (error: AwsError) => boolean = () => false,
): Promise<{ done: { entry: E; result: R }[]; Failed: BatchFailure[] }> {
  const done: { entry: E; result: R }[] = [];
  const Failed: BatchFailure[] = [];
  for (const entry of entries) {
    try {
      done.push({ entry, result: await each(entry) });
    } catch (error) {
      if (error instanceof AwsError && fatal(error)) throw error;
      Failed.push(failureOf(entry.Id, error));
    }
  }
  return { done, Failed };
}
