/**
 * Dead-letter queues: RedrivePolicy (maxReceiveCount moves a message to the target queue when
 * a receive would exceed it), RedriveAllowPolicy (allowAll / denyAll / byQueue) and
 * ListDeadLetterSourceQueues.
 * Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html
 */
import type { RequestContext } from "../types.ts";
import { invalidAttributeValue, invalidParameter } from "./errors.ts";
import { parseQueueArn, queueArn, type QueueRef } from "./queue-url.ts";
import { keys, loadQueue, lockName, retryCommit, standardSeq, store, type QueueRecord, type StoredMessage } from "./storage.ts";
import { withLock } from "../../store/mutex.ts";
import { notifyQueue } from "./signal.ts";

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

export function redrivePolicyOf(queue: QueueRecord): RedrivePolicy | undefined {
  const raw = queue.attributes.RedrivePolicy;
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as RedrivePolicy;
  } catch {
    return undefined;
  }
}

/** Checks a RedrivePolicy value against its target; returns it normalized as AWS stores it. */
export async function validateRedrivePolicy(ctx: RequestContext, source: QueueRef & { fifo: boolean }, raw: string): Promise<string> {
  const bad = (reason: string) => invalidParameter("RedrivePolicy", raw, reason);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw bad("Redrive policy is not a valid JSON map.");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw bad("Redrive policy is not a valid JSON map.");
  for (const key of Object.keys(parsed)) {
    if (key !== "deadLetterTargetArn" && key !== "maxReceiveCount") throw bad(`Only following attributes are supported: [deadLetterTargetArn, maxReceiveCount].`);
  }
  const arn = parsed.deadLetterTargetArn;
  if (typeof arn !== "string" || !parseQueueArn(arn)) throw bad("Invalid value for deadLetterTargetArn.");
  const count = Number(parsed.maxReceiveCount);
  if (parsed.maxReceiveCount === undefined || !Number.isInteger(count) || count < 1 || count > 1000) {
    throw bad(`Invalid value for maxReceiveCount: ${String(parsed.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`);
  }
  const target = await loadQueue(ctx, parseQueueArn(arn)!);
  if (!target) throw bad("Dead letter target does not exist.");
  if (target.fifo !== source.fifo) throw bad("Dead-letter queue must be same type of queue as the source.");
  const allow = target.attributes.RedriveAllowPolicy ? JSON.parse(target.attributes.RedriveAllowPolicy) : undefined;
  const sourceArn = queueArn(source);
  if (allow?.redrivePermission === "denyAll" || (allow?.redrivePermission === "byQueue" && !(allow.sourceQueueArns ?? []).includes(sourceArn))) {
    throw bad(`Queue ${arn} does not allow ${sourceArn} to use it as a dead-letter queue.`);
  }
  return JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: count });
}

export function validateRedriveAllowPolicy(raw: string): string {
  const bad = (reason: string) => invalidAttributeValue("RedriveAllowPolicy", reason);
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw bad("Redrive allow policy is not a valid JSON map.");
  }
  const permission = parsed?.redrivePermission;
  if (permission !== "allowAll" && permission !== "denyAll" && permission !== "byQueue") {
    throw bad("Value of redrivePermission must be one of allowAll, denyAll, byQueue.");
  }
  const arns = parsed.sourceQueueArns;
  if (permission === "byQueue") {
    if (!Array.isArray(arns) || arns.length === 0) throw bad("At least one sourceQueueArn is required for redrivePermission byQueue.");
    if (arns.length > 10) throw bad("Maximum of 10 sourceQueueArns is allowed.");
  } else if (arns !== undefined) {
    throw bad(`Only redrivePermission byQueue allows sourceQueueArns.`);
  }
  return raw;
}

/**
 * Delivers a message that exceeded maxReceiveCount (already removed from its source, outside
 * the source's lock so that two queues dead-lettering into each other cannot deadlock) to the
 * dead-letter queue, keeping its id, body, attributes and SentTimestamp.
 */
export async function deadLetter(ctx: RequestContext, source: QueueRecord, m: StoredMessage, policy: RedrivePolicy): Promise<void> {
  const targetRef = parseQueueArn(policy.deadLetterTargetArn);
  const target = targetRef && (await loadQueue(ctx, targetRef));
  if (!target) return; // target deleted: the message is dropped
  await enqueueExisting(ctx, target, m, queueArn(source));
}

/**
 * Puts an existing message (dead-lettered or moved back) at the end of `target`, visible now.
 * Standard targets take no lock (`standardSeq`); FIFO targets count under the lock, the counter
 * committed with the message and checked (see `storeSends`).
 */
export async function enqueueExisting(ctx: RequestContext, target: QueueRecord, m: StoredMessage, deadLetterSourceArn?: string): Promise<void> {
  const now = Math.floor(ctx.clock.now());
  const s = store(ctx, target);
  const build = (seq: number | string): StoredMessage => {
    const moved: StoredMessage = {
      ...m,
      seq,
      visibleAt: now,
      receiveCount: 0,
      firstReceive: undefined,
      receipt: undefined,
      deadLetterSourceArn,
      sequenceNumber: typeof seq === "number" ? sequenceNumberOf(seq) : undefined,
    };
    if (moved.sequenceNumber === undefined) delete moved.sequenceNumber;
    if (deadLetterSourceArn === undefined) delete moved.deadLetterSourceArn;
    delete moved.firstReceive;
    delete moved.receipt;
    return moved;
  };
  if (!target.fifo) {
    const seq = standardSeq(m.id);
    await s.atomic().set(keys.message(target, m.id), build(seq)).set(keys.visible(target, now, seq), m.id).commit();
  } else {
    await withLock(lockName(target), () => retryCommit(ctx, async () => {
      const counter = await s.get<{ seq: number }>(keys.counter(target));
      const seq = (counter.value?.seq ?? 0) + 1;
      const op = s.atomic().check({ key: keys.counter(target), versionstamp: counter.versionstamp }).set(keys.counter(target), { seq });
      op.set(keys.message(target, m.id), build(seq)).set(keys.visible(target, now, seq), m.id);
      if (m.groupId !== undefined) op.set(keys.group(target, m.groupId, seq), m.id);
      return { op, value: undefined };
    }));
  }
  notifyQueue(target);
}

/** FIFO SequenceNumber: 20 digits, increasing per queue. */
export function sequenceNumberOf(seq: number): string {
  return (18_000_000_000_000_000_000n + BigInt(seq)).toString();
}

/** Queues of the account and region whose RedrivePolicy targets `dlq`. */
export async function deadLetterSources(ctx: RequestContext, dlq: QueueRef): Promise<QueueRecord[]> {
  const arn = queueArn(dlq);
  const out: QueueRecord[] = [];
  for await (const entry of store(ctx, dlq).list<QueueRecord>({ prefix: keys.queues() })) {
    if (redrivePolicyOf(entry.value)?.deadLetterTargetArn === arn) out.push(entry.value);
  }
  return out;
}
