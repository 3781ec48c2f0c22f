/**
 * Subscription confirmation: HTTP/S endpoints get a signed SubscriptionConfirmation POST
 * (retried like notifications) whose Token ConfirmSubscription accepts, or which the endpoint
 * confirms by GETting its SubscribeURL; email/email-json confirmations are recorded in the
 * delivery log (with the token), since no mail leaves the emulator; a queue of another account
 * gets the SubscriptionConfirmation document as a message.
 * Source: https://docs.aws.amazon.com/sns/latest/dg/SendMessageToHttp.confirm.html
 */
import type { Store } from "../../store/types.ts";
import type { RequestContext } from "../types.ts";
import { queueUrlOf, signingContext } from "./delivery.ts";
import { confirmation, formatEnvelope, subscribeUrl } from "./envelope.ts";
import { postWithRetries } from "./http.ts";
import { recordDelivery } from "./log.ts";
import type { SubscriptionRecord, TopicRecord } from "./storage.ts";

export async function sendConfirmation(ctx: RequestContext, store: Store, topic: TopicRecord, sub: SubscriptionRecord, token: string): Promise<void> {
  const messageId = crypto.randomUUID();
  const message = `You have chosen to subscribe to the topic ${topic.arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`;
  const now = ctx.clock.now();
  const base = { type: "SubscriptionConfirmation", protocol: sub.protocol, endpoint: sub.endpoint, topicArn: topic.arn, subscriptionArn: sub.arn, messageId, token, subscribeUrl: subscribeUrl(ctx.baseUrl, topic.arn, token) };
  if (sub.protocol === "sqs") {
    // A cross-account queue gets the SubscriptionConfirmation document as a message.
    ctx.waitUntil((async () => {
      const doc = await confirmation(signingContext(ctx, { topic, store }), "SubscriptionConfirmation", {
        messageId, topicArn: topic.arn, token, message, timestamp: new Date(now).toISOString(),
      });
      const body = formatEnvelope(doc);
      try {
        const url = queueUrlOf(ctx, sub.endpoint);
        if (!url) throw new Error(`not a queue ARN: ${sub.endpoint}`);
        await ctx.invoke("sqs", "SendMessage", { QueueUrl: url, MessageBody: body });
        await recordDelivery(store, ctx.clock.now(), { ...base, message: body, status: "delivered" });
      } catch (error) {
        await recordDelivery(store, ctx.clock.now(), { ...base, message: body, status: "failed", error: error instanceof Error ? error.message : String(error) });
      }
    })());
    return;
  }
  if (sub.protocol !== "http" && sub.protocol !== "https") {
    await recordDelivery(store, now, { ...base, message, status: "recorded" });
    return;
  }
  const send = async () => {
    const doc = await confirmation(signingContext(ctx, { topic, store }), "SubscriptionConfirmation", {
      messageId, topicArn: topic.arn, token, message, timestamp: new Date(now).toISOString(),
    });
    const body = formatEnvelope(doc);
    const outcome = await postWithRetries(ctx, {
      url: sub.endpoint,
      body,
      headers: { "x-amz-sns-message-type": "SubscriptionConfirmation", "x-amz-sns-message-id": messageId, "x-amz-sns-topic-arn": topic.arn },
      topicDeliveryPolicy: topic.attributes.DeliveryPolicy,
      subscriptionDeliveryPolicy: sub.attributes.DeliveryPolicy,
    });
    await recordDelivery(store, ctx.clock.now(), { ...base, message: body, status: outcome.ok ? "delivered" : "failed", attempts: outcome.attempts, ...(outcome.error ? { error: outcome.error } : {}) });
  };
  ctx.waitUntil(send());
}

/**
 * After an HTTP/S subscription is deleted, the endpoint gets a signed UnsubscribeConfirmation;
 * its Token (or SubscribeURL) restores the subscription.
 */
export async function sendUnsubscribeConfirmation(ctx: RequestContext, store: Store, topic: TopicRecord, sub: SubscriptionRecord, token: string): Promise<void> {
  const messageId = crypto.randomUUID();
  const message = `You have chosen to deactivate subscription ${sub.arn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`;
  const now = ctx.clock.now();
  ctx.waitUntil((async () => {
    const doc = await confirmation(signingContext(ctx, { topic, store }), "UnsubscribeConfirmation", {
      messageId, topicArn: topic.arn, token, message, timestamp: new Date(now).toISOString(),
    });
    const body = formatEnvelope(doc);
    const outcome = await postWithRetries(ctx, {
      url: sub.endpoint,
      body,
      headers: { "x-amz-sns-message-type": "UnsubscribeConfirmation", "x-amz-sns-message-id": messageId, "x-amz-sns-topic-arn": topic.arn, "x-amz-sns-subscription-arn": sub.arn },
      topicDeliveryPolicy: topic.attributes.DeliveryPolicy,
      subscriptionDeliveryPolicy: sub.attributes.DeliveryPolicy,
    });
    await recordDelivery(store, ctx.clock.now(), {
      type: "UnsubscribeConfirmation", protocol: sub.protocol, endpoint: sub.endpoint, topicArn: topic.arn, subscriptionArn: sub.arn, messageId, token,
      subscribeUrl: subscribeUrl(ctx.baseUrl, topic.arn, token), message: body, status: outcome.ok ? "delivered" : "failed", attempts: outcome.attempts,
      ...(outcome.error ? { error: outcome.error } : {}),
    });
  })());
}
