/**
 * Delivery of a published message to a topic's subscriptions, after Publish has returned
 * (tracked with `ctx.waitUntil`, so `emulator.settled()` waits for it):
 *
 * - sqs: `ctx.invoke("sqs", "SendMessage")` with the JSON envelope, or the raw message and its
 *   attributes (RawMessageDelivery); FIFO topics pass MessageGroupId and the deduplication id.
 * - lambda: `ctx.invoke("lambda", "Invoke")`, InvocationType Event, with the SNS event record.
 * - firehose: `ctx.invoke("firehose", "PutRecord")` with the envelope or the raw message.
 * - http/https: a POST with the x-amz-sns-* headers, retried per the delivery policy on
 *   emulator time (`ctx.timers.sleep`).
 * - email, email-json, sms, application: recorded in the delivery log (log.ts).
 *
 * Topics with delivery status logging attributes also get CloudWatch Logs records (feedback.ts).
 *
 * Filter policies are applied per subscription; pending subscriptions get nothing. A delivery
 * that finally fails goes to the subscription's RedrivePolicy dead-letter queue, else is
 * recorded as failed in the log: nothing is dropped silently.
 * Sources: https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html,
 * https://docs.aws.amazon.com/sns/latest/dg/sns-dead-letter-queues.html
 */
import type { Store } from "../../store/types.ts";
import type { RequestContext } from "../types.ts";
import { sqsAttributes, type MessageAttribute } from "./attributes.ts";
import { splitArn } from "./arns.ts";
import { formatEnvelope, lambdaEvent, messageFor, notification, type OutgoingMessage, type SigningContext } from "./envelope.ts";
import { matchesAttributes, matchesBody } from "./filter/match.ts";
import type { CompiledPolicy } from "./filter/policy.ts";
import { parseFilterPolicy } from "./filter/validate.ts";
import { postWithRetries } from "./http.ts";
import { logDeliveryStatus } from "./feedback.ts";
import { recordDelivery } from "./log.ts";
import type { SubscriptionRecord, TopicRecord } from "./storage.ts";

/** Compiled filter policies by text and scope (a cache of pure values, not state). */
const compiled = new Map<string, CompiledPolicy | null>();

function policyOf(sub: SubscriptionRecord): CompiledPolicy | null {
  const text = sub.attributes.FilterPolicy;
  if (!text) return null;
  const scope = sub.attributes.FilterPolicyScope ?? "MessageAttributes";
  const cacheKey = `${scope}\n${text}`;
  let policy = compiled.get(cacheKey);
  if (policy === undefined) {
    try {
      policy = parseFilterPolicy(text, scope, false);
    } catch {
      policy = null;
    }
    if (compiled.size > 1000) compiled.clear();
    compiled.set(cacheKey, policy);
  }
  return policy;
}

/** Whether `sub`'s filter policy lets `msg` through. */
export function passesFilter(sub: SubscriptionRecord, msg: OutgoingMessage): boolean {
  const policy = policyOf(sub);
  if (!policy) return true;
  return policy.scope === "MessageBody" ? matchesBody(policy, messageFor(msg, sub.protocol)) : matchesAttributes(policy, msg.attributes);
}

export function queueUrlOf(ctx: RequestContext, arn: string): string | null {
  const parts = splitArn(arn);
  if (!parts || parts.service !== "sqs") return null;
  return `${ctx.baseUrl}/${parts.account}/${parts.resource}`;
}

export interface DeliveryTarget {
  topic: TopicRecord;
  /** The topic owner's store (signing key, log). */
  store: Store;
}

export function signingContext(ctx: RequestContext, target: DeliveryTarget): SigningContext {
  return {
    store: target.store,
    account: target.topic.account,
    region: target.topic.region,
    baseUrl: ctx.baseUrl,
    now: ctx.clock.now(),
    signatureVersion: target.topic.attributes.SignatureVersion ?? "1",
  };
}

/** Delivers `msg` to every confirmed subscription in `subs` whose filter it passes. */
export async function deliver(ctx: RequestContext, target: DeliveryTarget, subs: SubscriptionRecord[], msg: OutgoingMessage): Promise<void> {
  await Promise.all(
    subs.filter((sub) => !sub.pending && passesFilter(sub, msg)).map((sub) =>
      deliverOne(ctx, target, sub, msg).catch(async (error) => {
        await recordDelivery(target.store, ctx.clock.now(), {
          type: "Notification", protocol: sub.protocol, endpoint: sub.endpoint, topicArn: msg.topicArn, subscriptionArn: sub.arn,
          messageId: msg.messageId, message: messageFor(msg, sub.protocol), status: "failed", error: describe(error),
        });
      })
    ),
  );
}

function describe(error: unknown): string {
  if (error instanceof Error && "code" in error) return `${String((error as { code: unknown }).code)}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

async function deliverOne(ctx: RequestContext, target: DeliveryTarget, sub: SubscriptionRecord, msg: OutgoingMessage): Promise<void> {
  const raw = sub.attributes.RawMessageDelivery === "true";
  const text = messageFor(msg, sub.protocol);
  const envelope = async () => notification(signingContext(ctx, target), msg, text, sub.arn);
  const base = { type: "Notification", protocol: sub.protocol, endpoint: sub.endpoint, topicArn: msg.topicArn, subscriptionArn: sub.arn, messageId: msg.messageId, subject: msg.subject };
  const status = (ok: boolean, attempts = 1, response?: string, statusCode?: number) =>
    logDeliveryStatus(ctx, target.topic, sub, msg, text, { ok, attempts, response, statusCode, publishedAt: Date.parse(msg.timestamp) });
  switch (sub.protocol) {
    case "sqs": {
      const body = raw ? text : formatEnvelope(await envelope());
      const input: Record<string, unknown> = { MessageBody: body };
      if (raw && Object.keys(msg.attributes).length) input.MessageAttributes = sqsAttributes(msg.attributes);
      if (sub.endpoint.endsWith(".fifo")) {
        if (msg.groupId !== undefined) input.MessageGroupId = msg.groupId;
        if (msg.dedupId !== undefined) input.MessageDeduplicationId = msg.dedupId;
      }
      try {
        const url = queueUrlOf(ctx, sub.endpoint);
        if (!url) throw new Error(`not a queue ARN: ${sub.endpoint}`);
        const out = await ctx.invoke("sqs", "SendMessage", { ...input, QueueUrl: url });
        await status(true, 1, JSON.stringify({ sqsRequestId: crypto.randomUUID(), sqsMessageId: out.MessageId }));
      } catch (error) {
        await status(false, 1, describe(error));
        await deadLetter(ctx, target, sub, msg, body, error);
      }
      return;
    }
    case "lambda": {
      const doc = await envelope();
      const payload = new TextEncoder().encode(JSON.stringify(lambdaEvent(doc, sub.arn, msg.subject !== undefined)));
      try {
        await ctx.invoke("lambda", "Invoke", { FunctionName: sub.endpoint, InvocationType: "Event", Payload: payload });
        await status(true, 1, JSON.stringify({ lambdaRequestId: crypto.randomUUID() }), 202);
      } catch (error) {
        await status(false, 1, describe(error));
        await deadLetter(ctx, target, sub, msg, formatEnvelope(doc), error);
      }
      return;
    }
    case "firehose": {
      const body = raw ? text : formatEnvelope(await envelope());
      const stream = splitArn(sub.endpoint)?.resource.replace(/^deliverystream\//, "") ?? sub.endpoint;
      try {
        const out = await ctx.invoke("firehose", "PutRecord", { DeliveryStreamName: stream, Record: { Data: new TextEncoder().encode(body) } });
        await status(true, 1, JSON.stringify({ firehoseRecordId: out.RecordId }));
      } catch (error) {
        await status(false, 1, describe(error));
        await deadLetter(ctx, target, sub, msg, body, error);
      }
      return;
    }
    case "http":
    case "https": {
      const doc = raw ? undefined : await envelope();
      const body = raw ? text : formatEnvelope(doc!);
      const outcome = await postWithRetries(ctx, {
        url: sub.endpoint,
        body,
        headers: {
          "x-amz-sns-message-type": "Notification",
          "x-amz-sns-message-id": msg.messageId,
          "x-amz-sns-topic-arn": msg.topicArn,
          "x-amz-sns-subscription-arn": sub.arn,
          ...(raw ? { "x-amz-sns-rawdelivery": "true" } : {}),
        },
        topicDeliveryPolicy: target.topic.attributes.DeliveryPolicy,
        subscriptionDeliveryPolicy: sub.attributes.DeliveryPolicy,
      });
      await status(outcome.ok, outcome.attempts, outcome.ok ? "OK" : outcome.error, outcome.ok ? 200 : undefined);
      if (outcome.ok) {
        await recordDelivery(target.store, ctx.clock.now(), { ...base, message: body, status: "delivered", attempts: outcome.attempts });
      } else {
        await deadLetter(ctx, target, sub, msg, body, new Error(outcome.error), outcome.attempts);
      }
      return;
    }
    case "email-json": {
      const body = formatEnvelope(await envelope());
      await recordDelivery(target.store, ctx.clock.now(), { ...base, message: body, status: "recorded" });
      return;
    }
    default: {
      // email, sms, application: nothing real to reach; recorded for inspection.
      const entry = { ...base, message: text, status: "recorded" as const, messageAttributes: msg.attributes };
      if (sub.protocol === "sms") Object.assign(entry, { phoneNumber: sub.endpoint });
      if (sub.protocol === "application") Object.assign(entry, { targetArn: sub.endpoint });
      if (msg.structured) Object.assign(entry, { messageStructure: "json" });
      await recordDelivery(target.store, ctx.clock.now(), entry);
      if (sub.protocol === "application") await status(true);
    }
  }
}

/**
 * A delivery that failed for good: to the subscription's dead-letter queue when it has one
 * (the body as it would have been delivered, plus ErrorCode/ErrorMessage/RequestID attributes),
 * and recorded in the log either way.
 */
async function deadLetter(ctx: RequestContext, target: DeliveryTarget, sub: SubscriptionRecord, msg: OutgoingMessage, body: string, error: unknown, attempts?: number): Promise<void> {
  const reason = describe(error);
  const log = { type: "Notification", protocol: sub.protocol, endpoint: sub.endpoint, topicArn: msg.topicArn, subscriptionArn: sub.arn, messageId: msg.messageId, message: body, attempts };
  let dlq: string | undefined;
  try {
    dlq = sub.attributes.RedrivePolicy ? JSON.parse(sub.attributes.RedrivePolicy).deadLetterTargetArn : undefined;
  } catch {
    dlq = undefined;
  }
  const url = dlq ? queueUrlOf(ctx, dlq) : null;
  if (url) {
    const code = error && typeof error === "object" && "code" in error ? String((error as { code: unknown }).code) : "DeliveryFailed";
    const attributes: Record<string, MessageAttribute> = {
      ErrorCode: { DataType: "String", StringValue: code },
      ErrorMessage: { DataType: "String", StringValue: error instanceof Error ? error.message : String(error) },
      RequestID: { DataType: "String", StringValue: ctx.requestId },
    };
    const input: Record<string, unknown> = { QueueUrl: url, MessageBody: body, MessageAttributes: attributes };
    if (dlq!.endsWith(".fifo")) {
      input.MessageGroupId = msg.groupId ?? "sns-dlq";
      input.MessageDeduplicationId = msg.dedupId ?? msg.messageId;
    }
    try {
      await ctx.invoke("sqs", "SendMessage", input);
      await recordDelivery(target.store, ctx.clock.now(), { ...log, status: "dead-lettered", error: reason });
      return;
    } catch (dlqError) {
      await recordDelivery(target.store, ctx.clock.now(), { ...log, status: "failed", error: `${reason}; dead-letter queue: ${describe(dlqError)}` });
      return;
    }
  }
  await recordDelivery(target.store, ctx.clock.now(), { ...log, status: "failed", error: reason });
}
