/**
 * SQS → Lambda event source mappings that really poll: on the emulator clock (`ctx.timers`), an
 * enabled mapping receives up to BatchSize messages (`ctx.invoke("sqs", "ReceiveMessage")`),
 * invokes the function synchronously with AWS's SQS event, and deletes what succeeded
 * (`DeleteMessageBatch`): all messages on success; with `ReportBatchItemFailures` all but the
 * `batchItemFailures`; none on a function error, so they return after the visibility timeout
 * and the queue's redrive policy applies. An empty poll waits `POLL_INTERVAL_MS` (emulator
 * time) before the next; a full batch polls again at once.
 *
 * Timers live in memory: a mapping is (re-)armed on create/update and, after a restart, on the
 * first Lambda request that sees it (`armMappings`). Which mappings are armed is bookkeeping per
 * emulator (keyed by its timers object), not state.
 * Sources: https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
import type { Message } from "../../generated/sqs.ts";
import type { RequestContext } from "../types.ts";
import { esmKey, sourceKind, type StoredMapping } from "./state.ts";
import { invokeForMapping } from "./invoke.ts";
import { pollStream, STREAM_POLL_INTERVAL_MS } from "./stream-poller.ts";

export const POLL_INTERVAL_MS = 1000;

/** Per emulator: the mapping UUIDs with a poll loop running or scheduled. */
function armedSet(ctx: RequestContext): Set<string> {
  return ctx.runtime("armed-mappings", () => new Set<string>());
}

/** Starts the poll loop of an enabled SQS mapping unless one runs already. */
export function armMapping(ctx: RequestContext, mapping: StoredMapping, delayMs = 0): void {
  const kind = sourceKind(mapping.EventSourceArn);
  if (mapping.State !== "Enabled" || (kind !== "sqs" && kind !== "kinesis" && kind !== "dynamodb")) return;
  const set = armedSet(ctx);
  const key = `${ctx.accountId}/${ctx.region}/${mapping.UUID}`;
  if (set.has(key)) return;
  set.add(key);
  if (kind === "sqs") ctx.timers.setTimer(delayMs, () => poll(ctx, mapping.UUID, key));
  else ctx.timers.setTimer(delayMs, () => pollStreamLoop(ctx, mapping.UUID, key, new Map()));
}

async function pollStreamLoop(ctx: RequestContext, uuid: string, key: string, iterators: Map<string, string>): Promise<void> {
  let next = STREAM_POLL_INTERVAL_MS;
  try {
    const mapping = (await ctx.store.get<StoredMapping>(esmKey(uuid))).value;
    if (!mapping || mapping.State !== "Enabled") {
      armedSet(ctx).delete(key);
      return;
    }
    if (await pollStream(ctx, mapping, iterators)) next = 0;
  } catch {
    iterators.clear();
    next = STREAM_POLL_INTERVAL_MS * 5;
  }
  ctx.timers.setTimer(next, () => pollStreamLoop(ctx, uuid, key, iterators));
}

/** Re-arms every enabled SQS mapping of this account and region (after a restart). */
export async function armMappings(ctx: RequestContext): Promise<void> {
  const set = armedSet(ctx);
  const scope = `${ctx.accountId}/${ctx.region}/`;
  if (set.has(scope)) return;
  set.add(scope);
  for await (const e of ctx.store.list<StoredMapping>({ prefix: ["esm"] })) armMapping(ctx, e.value);
}

async function queueUrl(ctx: RequestContext, arn: string): Promise<string> {
  const [, , , , account, name] = arn.split(":");
  return (await ctx.invoke("sqs", "GetQueueUrl", { QueueName: name, QueueOwnerAWSAccountId: account })).QueueUrl as string;
}

function sqsRecord(message: Message, arn: string, region: string): Record<string, unknown> {
  const attributes: Record<string, string> = { ...(message.Attributes ?? {}) };
  const messageAttributes: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: typeof value.BinaryValue === "string" ? value.BinaryValue : btoa(String.fromCharCode(...value.BinaryValue)) } : {}),
      stringListValues: value.StringListValues ?? [],
      binaryListValues: value.BinaryListValues ?? [],
      dataType: value.DataType,
    };
  }
  return {
    messageId: message.MessageId,
    receiptHandle: message.ReceiptHandle,
    body: message.Body,
    attributes,
    messageAttributes,
    md5OfBody: message.MD5OfBody,
    ...(message.MD5OfMessageAttributes ? { md5OfMessageAttributes: message.MD5OfMessageAttributes } : {}),
    eventSource: "aws:sqs",
    eventSourceARN: arn,
    awsRegion: region,
  };
}

/** Which messages failed, per ReportBatchItemFailures; null means the whole batch failed. */
function batchFailures(payload: Uint8Array, ids: string[]): Set<string> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return null;
  }
  if (parsed === null || parsed === undefined || (typeof parsed === "object" && !("batchItemFailures" in parsed))) return new Set();
  const failures = (parsed as { batchItemFailures?: unknown }).batchItemFailures;
  if (!Array.isArray(failures)) return null;
  const out = new Set<string>();
  for (const f of failures) {
    const id = (f as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    // An empty or unknown identifier fails the whole batch, as AWS does.
    if (typeof id !== "string" || !ids.includes(id)) return null;
    out.add(id);
  }
  return out;
}

async function poll(ctx: RequestContext, uuid: string, key: string): Promise<void> {
  const set = armedSet(ctx);
  let next = POLL_INTERVAL_MS;
  try {
    const mapping = (await ctx.store.get<StoredMapping>(esmKey(uuid))).value;
    if (!mapping || mapping.State !== "Enabled") {
      set.delete(key);
      return;
    }
    const url = await queueUrl(ctx, mapping.EventSourceArn!);
    const messages: Message[] = [];
    while (messages.length < mapping.BatchSize) {
      const out = await ctx.invoke("sqs", "ReceiveMessage", {
        QueueUrl: url, MaxNumberOfMessages: Math.min(10, mapping.BatchSize - messages.length), WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ["All"], MessageAttributeNames: ["All"],
      });
      const got = (out.Messages as Message[] | undefined) ?? [];
      messages.push(...got);
      if (got.length === 0) break;
    }
    if (messages.length > 0) {
      const event = { Records: messages.map((m) => sqsRecord(m, mapping.EventSourceArn!, ctx.region)) };
      const result = await invokeForMapping(ctx, mapping.FunctionArn, new TextEncoder().encode(JSON.stringify(event)));
      const ids = messages.map((m) => m.MessageId as string);
      let failed: Set<string> | null = result.ok ? new Set() : null;
      if (result.ok && (mapping.FunctionResponseTypes ?? []).includes("ReportBatchItemFailures")) failed = batchFailures(result.payload, ids);
      const done = failed ? messages.filter((m) => !failed!.has(m.MessageId ?? "")) : [];
      for (let i = 0; i < done.length; i += 10) {
        await ctx.invoke("sqs", "DeleteMessageBatch", {
          QueueUrl: url, Entries: done.slice(i, i + 10).map((m, j) => ({ Id: String(i + j), ReceiptHandle: m.ReceiptHandle })),
        });
      }
      next = messages.length >= mapping.BatchSize ? 0 : POLL_INTERVAL_MS;
    }
  } catch {
    // The queue or function is gone or failing: keep polling, as AWS does, more slowly.
    next = POLL_INTERVAL_MS * 5;
  }
  ctx.timers.setTimer(next, () => poll(ctx, uuid, key));
}
