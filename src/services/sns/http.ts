/**
 * HTTP/S delivery: one POST per attempt (`Content-Type` from the delivery policy's request
 * policy, `User-Agent: Amazon Simple Notification Service Agent`), success on 2xx, retries after
 * the delays of the subscription's (or topic's) healthyRetryPolicy, waited on emulator time so a
 * test moves a manual clock instead of sleeping.
 * Source: https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html
 */
import type { RequestContext } from "../types.ts";
import { retryDelay, retryPolicyFor, type DeliveryPolicyDocument } from "./policies.ts";

export interface HttpDelivery {
  url: string;
  body: string;
  headers: Record<string, string>;
  topicDeliveryPolicy?: string;
  subscriptionDeliveryPolicy?: string;
}

/** AWS waits 15 seconds for an endpoint's answer. */
const TIMEOUT_MS = 15_000;

function contentType(topicPolicy: string | undefined, subPolicy: string | undefined): string {
  const paths: [string | undefined, (p: DeliveryPolicyDocument | null) => unknown][] = [
    [subPolicy, (p) => p?.requestPolicy?.headerContentType],
    [topicPolicy, (p) => p?.http?.defaultRequestPolicy?.headerContentType],
  ];
  for (const [text, path] of paths) {
    if (!text) continue;
    try {
      const v = path(JSON.parse(text));
      if (typeof v === "string") return v;
    } catch {
      // validated when set
    }
  }
  return "text/plain; charset=UTF-8";
}

async function attempt(delivery: HttpDelivery, type: string): Promise<string | null> {
  try {
    const response = await fetch(delivery.url, {
      method: "POST",
      headers: { "content-type": type, "user-agent": "Amazon Simple Notification Service Agent", ...delivery.headers },
      body: delivery.body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.status >= 200 && response.status < 300 ? null : `HTTP ${response.status}`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** POSTs until a 2xx or the retry policy is exhausted. */
export async function postWithRetries(ctx: RequestContext, delivery: HttpDelivery): Promise<{ ok: boolean; attempts: number; error?: string }> {
  const policy = retryPolicyFor(delivery.topicDeliveryPolicy, delivery.subscriptionDeliveryPolicy);
  const type = contentType(delivery.topicDeliveryPolicy, delivery.subscriptionDeliveryPolicy);
  let error = await attempt(delivery, type);
  let attempts = 1;
  for (let retry = 1; error !== null && retry <= policy.numRetries; retry++) {
    await ctx.timers.sleep(retryDelay(policy, retry) * 1000, { background: true });
    error = await attempt(delivery, type);
    attempts++;
  }
  return error === null ? { ok: true, attempts } : { ok: false, attempts, error: error };
}
