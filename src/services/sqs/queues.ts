/**
 * Queue lifecycle: CreateQueue (idempotent with equal attributes), DeleteQueue, GetQueueUrl,
 * ListQueues, Get/SetQueueAttributes, PurgeQueue, tags.
 * Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html
 */
import { AwsError } from "../../protocol/errors.ts";
import { update, withLock } from "../../store/mutex.ts";
import type { RequestContext } from "../types.ts";
import { applyAttributes, defaultAttributes, queueAttributes } from "./attributes.ts";
import { invalidParameter, invalidParameterValue, queueDoesNotExist } from "./errors.ts";
import { advanceMoveTasks } from "./move-tasks.ts";
import { queueUrl, type QueueRef } from "./queue-url.ts";
import { deadLetterSources } from "./redrive.ts";
import { notifyQueue } from "./signal.ts";
import { deleteAll, keys, loadQueue, lockName, store, type QueueRecord } from "./storage.ts";
import { encodePageToken, pageTokenField } from "../../encoding/page-token.ts";

const STANDARD_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const FIFO_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

export async function requireQueue(ctx: RequestContext, ref: QueueRef): Promise<QueueRecord> {
  const queue = await loadQueue(ctx, ref);
  if (!queue) throw queueDoesNotExist(ctx);
  return queue;
}

export async function createQueue(ctx: RequestContext, input: { QueueName: string; Attributes?: Record<string, string>; tags?: Record<string, string> }) {
  const name = input.QueueName;
  const attributes = input.Attributes ?? {};
  const fifoAttr = attributes.FifoQueue;
  const fifo = fifoAttr !== undefined && fifoAttr.toLowerCase() === "true";
  if (fifo ? !FIFO_NAME.test(name) : !STANDARD_NAME.test(name)) {
    throw invalidParameterValue(
      fifo
        ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length."
        : "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
    );
  }
  const ref: QueueRef = { account: ctx.accountId, region: ctx.region, name };
  checkTags(input.tags ?? {}, name);
  return withLock(lockName(ref), async () => {
    const now = Math.floor(ctx.clock.now() / 1000);
    const wanted = await applyAttributes(ctx, { ...ref, fifo }, defaultAttributes(fifo), attributes, true);
    const existing = await loadQueue(ctx, ref);
    if (existing) {
      for (const key of Object.keys(attributes)) {
        if (key === "FifoQueue" ? existing.fifo !== fifo : existing.attributes[key] !== wanted[key]) {
          throw new AwsError("QueueNameExists", `A queue already exists with the same name and a different value for attribute ${key}`, 400);
        }
      }
      return { QueueUrl: queueUrl(ctx, ref) };
    }
    // AWS: "You must wait 60 seconds after deleting a queue before you can create another with
    // the same name."
    const deletedAt = (await store(ctx, ref).get<number>(keys.deleted(ref))).value;
    if (deletedAt !== null && ctx.clock.now() - deletedAt < 60_000) {
      throw new AwsError("QueueDeletedRecently", "You must wait 60 seconds after deleting a queue before you can create another with the same name.", 400);
    }
    const record: QueueRecord = {
      ...ref,
      fifo,
      created: now,
      lastModified: now,
      attributes: wanted,
      tags: { ...(input.tags ?? {}) },
    };
    await store(ctx, ref).set(keys.queue(ref), record);
    return { QueueUrl: queueUrl(ctx, ref) };
  });
}

export async function deleteQueue(ctx: RequestContext, ref: QueueRef): Promise<void> {
  await withLock(lockName(ref), async () => {
    await requireQueue(ctx, ref);
    const s = store(ctx, ref);
    await s.delete(keys.queue(ref));
    await s.delete(keys.counter(ref));
    await s.delete(keys.dataKey(ref));
    await deleteAll(s, [keys.messages(ref), keys.visibility(ref), keys.groups(ref), keys.dedups(ref), keys.attempts(ref)]);
    await s.set(keys.deleted(ref), Math.floor(ctx.clock.now()));
  });
  notifyQueue(ref);
}

export async function getQueueUrl(ctx: RequestContext, input: { QueueName: string; QueueOwnerAWSAccountId?: string }) {
  const ref: QueueRef = { account: input.QueueOwnerAWSAccountId ?? ctx.accountId, region: ctx.region, name: input.QueueName };
  await requireQueue(ctx, ref);
  return { QueueUrl: queueUrl(ctx, ref) };
}

function encodeToken(name: string): string {
  return encodePageToken({ after: name });
}

function decodeToken(token: string): string {
  const after = pageTokenField(token, "after");
  if (after === undefined) throw invalidParameterValue("Invalid NextToken value.");
  return after;
}

export async function listQueues(ctx: RequestContext, input: { QueueNamePrefix?: string; NextToken?: string; MaxResults?: number }) {
  const max = input.MaxResults;
  if (max !== undefined && (max < 1 || max > 1000)) {
    throw invalidParameter("MaxResults", max, "MaxResults must be an integer between 1 and 1000.");
  }
  const prefix = input.QueueNamePrefix ?? "";
  const after = input.NextToken ? decodeToken(input.NextToken) : undefined;
  const root = keys.queues();
  const selector = after !== undefined ? { prefix: root, start: [...root, after, ""] } : { prefix: root };
  const urls: string[] = [];
  let last: string | undefined;
  let more = false;
  for await (const entry of store(ctx, { account: ctx.accountId, region: ctx.region }).list<QueueRecord>(selector)) {
    const name = entry.value.name;
    if (!name.startsWith(prefix)) continue;
    if (urls.length >= (max ?? 1000)) {
      more = true;
      break;
    }
    urls.push(queueUrl(ctx, entry.value));
    last = name;
  }
  const out: { QueueUrls?: string[]; NextToken?: string } = {};
  if (urls.length) out.QueueUrls = urls;
  if (more && max !== undefined && last !== undefined) out.NextToken = encodeToken(last);
  return out;
}

export async function getQueueAttributes(ctx: RequestContext, ref: QueueRef, names: string[] | undefined) {
  await advanceMoveTasks(ctx, ref.account, ref.region);
  const queue = await requireQueue(ctx, ref);
  return { Attributes: await queueAttributes(ctx, queue, names ?? []) };
}

export async function setQueueAttributes(ctx: RequestContext, ref: QueueRef, attributes: Record<string, string>): Promise<void> {
  await withLock(lockName(ref), async () => {
    const queue = await requireQueue(ctx, ref);
    const next = await applyAttributes(ctx, queue, queue.attributes, attributes, false);
    await store(ctx, ref).set(keys.queue(ref), { ...queue, attributes: next, lastModified: Math.floor(ctx.clock.now() / 1000) });
  });
  notifyQueue(ref);
}

export async function purgeQueue(ctx: RequestContext, ref: QueueRef): Promise<void> {
  await withLock(lockName(ref), async () => {
    const queue = await requireQueue(ctx, ref);
    const now = Math.floor(ctx.clock.now());
    if (queue.purgedAt !== undefined && now - queue.purgedAt < 60_000) {
      throw new AwsError("PurgeQueueInProgress", `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`, 403);
    }
    const s = store(ctx, ref);
    await deleteAll(s, [keys.messages(ref), keys.visibility(ref), keys.groups(ref), keys.attempts(ref)]);
    await s.set(keys.queue(ref), { ...queue, purgedAt: now });
  });
}

// ------------------------------------------------------------------------------------------
// Tags

function checkTags(tags: Record<string, string>, name: string): void {
  const n = Object.keys(tags).length;
  if (n > 50) throw invalidParameterValue(`Too many tags added for queue ${name}.`);
  for (const [k, v] of Object.entries(tags)) {
    if (k.length < 1 || k.length > 128) throw invalidParameterValue(`Tag keys must be between 1 and 128 characters in length.`);
    if (v.length > 256) throw invalidParameterValue(`Tag values must be between 0 and 256 characters in length.`);
  }
}

export async function tagQueue(ctx: RequestContext, ref: QueueRef, tags: Record<string, string>): Promise<void> {
  await requireQueue(ctx, ref);
  checkTags(tags, ref.name);
  await update<QueueRecord>(store(ctx, ref), keys.queue(ref), (current) => {
    if (!current) throw queueDoesNotExist(ctx);
    const merged = { ...current.tags, ...tags };
    checkTags(merged, ref.name);
    return { ...current, tags: merged };
  });
}

export async function untagQueue(ctx: RequestContext, ref: QueueRef, tagKeys: string[]): Promise<void> {
  await requireQueue(ctx, ref);
  await update<QueueRecord>(store(ctx, ref), keys.queue(ref), (current) => {
    if (!current) throw queueDoesNotExist(ctx);
    const tags = { ...current.tags };
    for (const k of tagKeys) delete tags[k];
    return { ...current, tags };
  });
}

export async function listQueueTags(ctx: RequestContext, ref: QueueRef) {
  const queue = await requireQueue(ctx, ref);
  return Object.keys(queue.tags).length ? { Tags: queue.tags } : {};
}

export async function listDeadLetterSourceQueues(ctx: RequestContext, ref: QueueRef, input: { NextToken?: string; MaxResults?: number }) {
  await requireQueue(ctx, ref);
  const max = input.MaxResults;
  if (max !== undefined && (max < 1 || max > 1000)) {
    throw invalidParameter("MaxResults", max, "MaxResults must be an integer between 1 and 1000.");
  }
  const after = input.NextToken ? decodeToken(input.NextToken) : undefined;
  const sources = (await deadLetterSources(ctx, ref)).filter((q) => after === undefined || q.name > after);
  const page = sources.slice(0, max ?? 1000);
  const out: { queueUrls: string[]; NextToken?: string } = { queueUrls: page.map((q) => queueUrl(ctx, q)) };
  if (max !== undefined && sources.length > page.length) out.NextToken = encodeToken(page.at(-1)!.name);
  return out;
}
