/**
 * Message move tasks (DLQ redrive): StartMessageMoveTask, CancelMessageMoveTask,
 * ListMessageMoveTasks. A task moves the messages that were in the dead-letter queue when it
 * started back to their source queues (or DestinationArn), at MaxNumberOfMessagesPerSecond.
 * No timer drives it: progress is computed from the clock whenever SQS state is read
 * (ReceiveMessage, GetQueueAttributes, List/Cancel), moving what the rate allows by then.
 * Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_StartMessageMoveTask.html
 */
import { AwsError } from "../../protocol/errors.ts";
import { withLock } from "../../store/mutex.ts";
import type { RequestContext } from "../types.ts";
import type { MaybeEntry } from "../../store/types.ts";
import { invalidParameter, invalidParameterValue } from "./errors.ts";
import { parseQueueArn, queueArn, type QueueRef } from "./queue-url.ts";
import { deadLetterSources, enqueueExisting } from "./redrive.ts";
import { keys, loadQueue, lockName, removeMessage, store, type StoredMessage } from "./storage.ts";
import { countMessages } from "./attributes.ts";
import { encodePageToken, pageTokenField } from "../../encoding/page-token.ts";

/** Rate when the task names none ("system optimized"). */
const DEFAULT_RATE = 500;

export interface MoveTask {
  id: string;
  sourceArn: string;
  destinationArn?: string;
  rate?: number;
  started: number;
  status: "RUNNING" | "COMPLETED" | "CANCELLING" | "CANCELLED" | "FAILED";
  moved: number;
  toMove: number;
  failureReason?: string;
}

function handleOf(task: MoveTask): string {
  return encodePageToken({ taskId: task.id, sourceArn: task.sourceArn });
}

function resourceNotFound(message: string): AwsError {
  return new AwsError("ResourceNotFoundException", message, 404);
}

export async function startMessageMoveTask(ctx: RequestContext, input: { SourceArn: string; DestinationArn?: string; MaxNumberOfMessagesPerSecond?: number }) {
  const sourceRef = parseQueueArn(input.SourceArn);
  if (!sourceRef) throw invalidParameter("SourceArn", input.SourceArn, "Invalid ARN.");
  const source = await loadQueue(ctx, sourceRef);
  if (!source) throw resourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.");
  if ((await deadLetterSources(ctx, sourceRef)).length === 0) {
    throw invalidParameterValue("Source queue must be configured as a Dead Letter Queue.");
  }
  if (input.DestinationArn !== undefined) {
    const dest = parseQueueArn(input.DestinationArn);
    if (!dest || !(await loadQueue(ctx, dest))) throw resourceNotFound("The resource that you specified for the DestinationArn parameter doesn't exist.");
  }
  const rate = input.MaxNumberOfMessagesPerSecond;
  if (rate !== undefined && (rate < 1 || rate > 500)) {
    throw invalidParameter("MaxNumberOfMessagesPerSecond", rate, "Must be between 1 and 500.");
  }
  await advanceMoveTasks(ctx, sourceRef.account, sourceRef.region);
  for (const task of await tasksOf(ctx, sourceRef.account, sourceRef.region)) {
    if (task.sourceArn === input.SourceArn && task.status === "RUNNING") {
      throw new AwsError("UnsupportedOperation", "There is already a task running. Only one active task is allowed for a source queue arn at a given time.", 400);
    }
  }
  const now = Math.floor(ctx.clock.now());
  const task: MoveTask = {
    id: `${String(now).padStart(15, "0")}-${crypto.randomUUID()}`,
    sourceArn: input.SourceArn,
    started: now,
    status: "RUNNING",
    moved: 0,
    toMove: (await countMessages(ctx, source)).visible,
  };
  if (input.DestinationArn !== undefined) task.destinationArn = input.DestinationArn;
  if (rate !== undefined) task.rate = rate;
  await store(ctx, sourceRef).set(keys.task(task.id), task);
  return { TaskHandle: handleOf(task) };
}

async function tasksOf(ctx: RequestContext, account: string, region: string): Promise<MoveTask[]> {
  const out: MoveTask[] = [];
  for await (const e of store(ctx, { account, region }).list<MoveTask>({ prefix: keys.tasks() })) out.push(e.value);
  return out;
}

/** Moves what every running task of the account and region may have moved by now. */
export async function advanceMoveTasks(ctx: RequestContext, account: string, region: string): Promise<void> {
  const s = store(ctx, { account, region });
  for await (const e of s.list<MoveTask>({ prefix: keys.tasks() })) {
    if (e.value.status === "RUNNING") await withLock(`sqs-task/${account}/${region}/${e.value.id}`, () => advance(ctx, account, region, e.value.id));
  }
}

async function advance(ctx: RequestContext, account: string, region: string, id: string): Promise<void> {
  // Tasks live with their source queue, so the source's messages are in this store too.
  const s = store(ctx, { account, region });
  const key = keys.task(id);
  const task = (await s.get<MoveTask>(key)).value;
  if (!task || task.status !== "RUNNING") return;
  const now = Math.floor(ctx.clock.now());
  const allowed = Math.min(task.toMove, Math.floor(((now - task.started) / 1000) * (task.rate ?? DEFAULT_RATE))) - task.moved;
  const sourceRef = parseQueueArn(task.sourceArn)!;
  const source = await loadQueue(ctx, sourceRef);
  if (!source) {
    await s.set(key, { ...task, status: "FAILED", failureReason: "AWS.SimpleQueueService.NonExistentQueue" });
    return;
  }
  let moved = 0;
  let exhausted = false;
  if (allowed > 0) {
    const picked = await withLock(lockName(sourceRef), async () => {
      const out: StoredMessage[] = [];
      const stale: (readonly unknown[])[] = [];
      const found: MaybeEntry<StoredMessage>[] = [];
      for await (const entry of s.list<string>({ start: [...keys.visibility(source)], end: [...keys.visibility(source), now + 1] })) {
        if (found.length >= allowed) break;
        const m = await s.get<StoredMessage>(keys.message(source, entry.value));
        if (!m.value) {
          stale.push(entry.key);
          continue;
        }
        found.push(m);
      }
      for (const k of stale) await s.delete(k as never);
      // Only messages unchanged since read (not deleted or received meanwhile) move.
      for (const { key, value: m, versionstamp } of found) {
        if ((await removeMessage(s, source, m!).check({ key, versionstamp }).commit()).ok) out.push(m!);
      }
      return out;
    });
    exhausted = picked.length < allowed;
    for (const m of picked) {
      const destArn = task.destinationArn ?? m.deadLetterSourceArn;
      const destRef = destArn ? parseQueueArn(destArn) : null;
      const dest = destRef && (await loadQueue(ctx, destRef as QueueRef));
      // No known destination: the message stays in the dead-letter queue.
      await enqueueExisting(ctx, dest ?? source, m, dest ? undefined : m.deadLetterSourceArn);
      moved++;
    }
  }
  const total = task.moved + moved;
  const done = total >= task.toMove || exhausted;
  await s.set(key, { ...task, moved: total, status: done ? "COMPLETED" : "RUNNING" });
}

function decodeHandle(handle: string): { taskId: string; sourceArn: string } | null {
  const taskId = pageTokenField(handle, "taskId");
  const sourceArn = pageTokenField(handle, "sourceArn");
  return taskId !== undefined && sourceArn !== undefined ? { taskId, sourceArn } : null;
}

export async function cancelMessageMoveTask(ctx: RequestContext, handle: string) {
  const decoded = decodeHandle(handle);
  const ref = decoded && parseQueueArn(decoded.sourceArn);
  if (!decoded || !ref) throw resourceNotFound("Task does not exist.");
  await advanceMoveTasks(ctx, ref.account, ref.region);
  const key = keys.task(decoded.taskId);
  const task = (await store(ctx, ref).get<MoveTask>(key)).value;
  if (!task) throw resourceNotFound("Task does not exist.");
  if (task.status !== "RUNNING") throw new AwsError("UnsupportedOperation", "Only active tasks can be cancelled.", 400);
  await store(ctx, ref).set(key, { ...task, status: "CANCELLED" });
  return { ApproximateNumberOfMessagesMoved: task.moved };
}

export async function listMessageMoveTasks(ctx: RequestContext, input: { SourceArn: string; MaxResults?: number }) {
  const ref = parseQueueArn(input.SourceArn);
  if (!ref || !(await loadQueue(ctx, ref))) throw resourceNotFound("The resource that you specified for the SourceArn parameter doesn't exist.");
  const max = input.MaxResults ?? 1;
  if (max < 1 || max > 10) throw invalidParameter("MaxResults", max, "Must be between 1 and 10.");
  await advanceMoveTasks(ctx, ref.account, ref.region);
  const tasks = (await tasksOf(ctx, ref.account, ref.region)).filter((t) => t.sourceArn === queueArn(ref)).reverse().slice(0, max);
  return {
    Results: tasks.map((t) => {
      const out: Record<string, unknown> = {
        Status: t.status,
        SourceArn: t.sourceArn,
        ApproximateNumberOfMessagesMoved: t.moved,
        ApproximateNumberOfMessagesToMove: t.toMove,
        StartedTimestamp: t.started,
      };
      if (t.status === "RUNNING") out.TaskHandle = handleOf(t);
      if (t.destinationArn) out.DestinationArn = t.destinationArn;
      if (t.rate !== undefined) out.MaxNumberOfMessagesPerSecond = t.rate;
      if (t.failureReason) out.FailureReason = t.failureReason;
      return out;
    }),
  };
}
