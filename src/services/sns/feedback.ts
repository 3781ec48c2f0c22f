/**
 * Delivery status logging: when a topic has `<Protocol>SuccessFeedbackRoleArn` (with
 * `<Protocol>SuccessFeedbackSampleRate` percent of successes) or `<Protocol>FailureFeedbackRoleArn`
 * set, each delivery's outcome is written to CloudWatch Logs through `ctx.invoke("logs", ...)`:
 * log group `sns/<region>/<account>/<topic>` (successes) or `.../Failure`, one stream per
 * delivery, in AWS's JSON record format. Protocols: Application, Firehose, HTTP (http and https),
 * Lambda, SQS.
 * Source: https://docs.aws.amazon.com/sns/latest/dg/sns-topic-attributes.html
 */
import { md5 } from "@noble/hashes/legacy.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { RequestContext } from "../types.ts";
import type { OutgoingMessage } from "./envelope.ts";
import type { SubscriptionRecord, TopicRecord } from "./storage.ts";

const PREFIX: Record<string, string> = { sqs: "SQS", lambda: "Lambda", firehose: "Firehose", http: "HTTP", https: "HTTP", application: "Application" };

export interface Outcome {
  ok: boolean;
  attempts: number;
  statusCode?: number;
  response?: string;
  /** Epoch ms when the message was published. */
  publishedAt: number;
}

/** Writes the delivery status log record the topic's attributes ask for, if any. Never throws. */
export async function logDeliveryStatus(ctx: RequestContext, topic: TopicRecord, sub: SubscriptionRecord, msg: OutgoingMessage, text: string, outcome: Outcome): Promise<void> {
  const prefix = PREFIX[sub.protocol];
  if (!prefix) return;
  const role = topic.attributes[`${prefix}${outcome.ok ? "Success" : "Failure"}FeedbackRoleArn`];
  if (!role) return;
  if (outcome.ok) {
    const rate = Number(topic.attributes[`${prefix}SuccessFeedbackSampleRate`] ?? "0");
    if (!(Math.random() * 100 < rate)) return;
  }
  const now = ctx.clock.now();
  const record = {
    notification: {
      messageMD5Sum: bytesToHex(md5(new TextEncoder().encode(text))),
      messageId: msg.messageId,
      topicArn: msg.topicArn,
      timestamp: msg.timestamp.replace("T", " ").replace("Z", ""),
    },
    delivery: {
      deliveryId: crypto.randomUUID(),
      destination: sub.endpoint,
      providerResponse: outcome.response ?? (outcome.ok ? '{"sqsRequestId":"Unrecorded","sqsMessageId":"Unrecorded"}' : "Delivery failed"),
      dwellTimeMs: Math.max(now - outcome.publishedAt, 0),
      attempts: outcome.attempts,
      ...(outcome.statusCode !== undefined ? { statusCode: outcome.statusCode } : {}),
    },
    status: outcome.ok ? "SUCCESS" : "FAILURE",
  };
  const group = `sns/${topic.region}/${topic.account}/${topic.name}${outcome.ok ? "" : "/Failure"}`;
  const stream = crypto.randomUUID();
  try {
    await ctx.invoke("logs", "CreateLogGroup", { logGroupName: group }).catch((e) => {
      if ((e as { code?: string }).code !== "ResourceAlreadyExistsException") throw e;
    });
    await ctx.invoke("logs", "CreateLogStream", { logGroupName: group, logStreamName: stream });
    await ctx.invoke("logs", "PutLogEvents", { logGroupName: group, logStreamName: stream, logEvents: [{ timestamp: now, message: JSON.stringify(record) }] });
  } catch {
    // Logging is best effort, as on AWS (a missing or unusable role loses the log, not the message).
  }
}
