/**
 * Subscriptions: Subscribe (idempotent per protocol and endpoint), Unsubscribe,
 * ConfirmSubscription, ListSubscriptions(ByTopic), Get/SetSubscriptionAttributes.
 * HTTP/S and email subscriptions start pending; HTTP/S endpoints get a SubscriptionConfirmation
 * whose token ConfirmSubscription accepts (email tokens are readable in the `messages` view).
 * Sources: https://docs.aws.amazon.com/sns/latest/api/API_Subscribe.html,
 * https://docs.aws.amazon.com/sns/latest/api/API_SetSubscriptionAttributes.html
 */
import { update, withLock } from "../../store/mutex.ts";
import type { Store } from "../../store/types.ts";
import type { RequestContext } from "../types.ts";
import { parseTopicArn, splitArn, trySubscriptionArn } from "./arns.ts";
import { invalidParameter, invalidParameterRaw, notFound, subscriptionNotFound } from "./errors.ts";
import { parseFilterPolicy } from "./filter/validate.ts";
import { decodePageToken, encodePageToken, PAGE_SIZE } from "./paging.ts";
import { checkDeliveryPolicy, effectiveDeliveryPolicy } from "./policies.ts";
import { keys, listSubscriptions as subscriptionsOf, ownerStore, type SubscriptionRecord, type TopicRecord } from "./storage.ts";
import { requireTopic } from "./topics.ts";
import { sendConfirmation, sendUnsubscribeConfirmation } from "./confirmation.ts";
import { loadEndpoint } from "./platform.ts";

export const PROTOCOLS = new Set(["http", "https", "email", "email-json", "sms", "sqs", "application", "lambda", "firehose"]);
const SUBSCRIPTION_ATTRIBUTES = new Set(["DeliveryPolicy", "FilterPolicy", "FilterPolicyScope", "RawMessageDelivery", "RedrivePolicy", "SubscriptionRoleArn", "ReplayPolicy"]);
const RAW_PROTOCOLS = new Set(["sqs", "http", "https", "firehose"]);
/** Confirmation tokens stay valid for three days. */
const TOKEN_TTL_MS = 3 * 24 * 3600 * 1000;

function randomHex(bytes: number): string {
  const data = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(data, (b) => b.toString(16).padStart(2, "0")).join("");
}

function checkEndpoint(protocol: string, endpoint: string | undefined, topic: TopicRecord): string {
  if (!endpoint) throw invalidParameter("Endpoint");
  switch (protocol) {
    case "http":
    case "https":
      if (!endpoint.toLowerCase().startsWith(`${protocol}://`)) throw invalidParameter("Endpoint must match the specified protocol");
      try {
        new URL(endpoint);
      } catch {
        throw invalidParameter("Endpoint", "Invalid URL");
      }
      break;
    case "email":
    case "email-json":
      if (!/^[^@\s]+@[^@\s]+$/.test(endpoint)) throw invalidParameter("Email address");
      break;
    case "sms":
      if (!/^\+?[1-9]\d{1,14}$/.test(endpoint.replace(/[\s().-]/g, ""))) throw invalidParameterRaw(`Invalid SMS endpoint: ${endpoint}`);
      break;
    case "sqs": {
      const arn = splitArn(endpoint);
      if (!arn || arn.service !== "sqs") throw invalidParameter("SQS endpoint ARN");
      if (arn.resource.endsWith(".fifo") && !topic.fifo) {
        throw invalidParameter("Invalid parameter: Endpoint", "FIFO SQS Queues can not be subscribed to standard SNS topics");
      }
      break;
    }
    case "lambda": {
      const arn = splitArn(endpoint);
      if (!arn || arn.service !== "lambda" || !arn.resource.startsWith("function:")) throw invalidParameter("Lambda endpoint ARN");
      break;
    }
    case "firehose": {
      const arn = splitArn(endpoint);
      if (!arn || arn.service !== "firehose" || !arn.resource.startsWith("deliverystream/")) throw invalidParameter("Firehose endpoint ARN");
      break;
    }
    case "application": {
      const arn = splitArn(endpoint);
      if (!arn || arn.service !== "sns" || !arn.resource.startsWith("endpoint/")) throw invalidParameter("Endpoint ARN");
      break;
    }
  }
  return endpoint;
}

/**
 * Validates one subscription attribute for `sub` (Subscribe passes a draft); returns the value
 * as stored. `subscribing` selects AWS's "Attributes Reason:" wording of Subscribe.
 */
function checkSubscriptionAttribute(name: string, value: string, sub: { protocol: string; attributes: Record<string, string> }, topic: TopicRecord | undefined, subscribing: boolean, endpoint: string): string {
  const what = (attr: string) => (subscribing ? `Attributes Reason: ${attr}` : attr);
  if (!SUBSCRIPTION_ATTRIBUTES.has(name)) throw invalidParameter(subscribing ? "Attributes Reason: Unknown attribute" : "AttributeName", subscribing ? name : undefined);
  switch (name) {
    case "RawMessageDelivery": {
      const v = value.toLowerCase();
      if (v !== "true" && v !== "false") throw invalidParameterRaw(`Invalid parameter: ${what("RawMessageDelivery")}: Invalid value [${value}]. Must be true or false.`);
      if (v === "true" && !RAW_PROTOCOLS.has(sub.protocol)) {
        throw invalidParameterRaw(`Invalid parameter: ${what(`Delivery protocol [${sub.protocol}] does not support raw message delivery.`)}`);
      }
      return v;
    }
    case "FilterPolicyScope":
      if (value !== "MessageAttributes" && value !== "MessageBody") {
        throw invalidParameterRaw(`Invalid parameter: ${what("FilterPolicyScope")}: Invalid value [${value}]. Please use either MessageBody or MessageAttributes`);
      }
      if (sub.attributes.FilterPolicy) parseFilterPolicy(sub.attributes.FilterPolicy, value, subscribing);
      return value;
    case "FilterPolicy":
      if (value === "") return value;
      parseFilterPolicy(value, sub.attributes.FilterPolicyScope ?? "MessageAttributes", subscribing);
      return value;
    case "DeliveryPolicy":
      if (sub.protocol !== "http" && sub.protocol !== "https") {
        throw invalidParameterRaw(`Invalid parameter: ${what(`DeliveryPolicy: Delivery protocol [${sub.protocol}] does not support delivery policies.`)}`);
      }
      if (value !== "") checkDeliveryPolicy(value, true, subscribing ? "Attributes Reason: " : "");
      return value;
    case "RedrivePolicy": {
      if (value === "") return value;
      let dlq: unknown;
      try {
        dlq = JSON.parse(value)?.deadLetterTargetArn;
      } catch {
        throw invalidParameterRaw(`Invalid parameter: ${what("RedrivePolicy")}: failed to parse JSON.`);
      }
      const arn = typeof dlq === "string" ? splitArn(dlq) : null;
      if (!arn) throw invalidParameterRaw(`Invalid parameter: ${what("RedrivePolicy")}: deadLetterTargetArn is an invalid arn`);
      if (arn.service !== "sqs") throw invalidParameterRaw(`Invalid parameter: ${what("RedrivePolicy")}: deadLetterTargetArn must be an SQS queue`);
      if (topic?.fifo && endpoint.endsWith(".fifo") && !arn.resource.endsWith(".fifo")) {
        throw invalidParameterRaw(`Invalid parameter: ${what("RedrivePolicy")}: must use a FIFO queue as DLQ for a FIFO Subscription to a FIFO Topic.`);
      }
      return value;
    }
    case "SubscriptionRoleArn": {
      const arn = splitArn(value);
      if (!arn || arn.service !== "iam") throw invalidParameterRaw(`Invalid parameter: ${what("SubscriptionRoleArn")}`);
      return value;
    }
    case "ReplayPolicy":
      if (!topic?.fifo) throw invalidParameterRaw(`Invalid parameter: ${what("ReplayPolicy")}: ReplayPolicy is only supported for FIFO topics`);
      try {
        JSON.parse(value);
      } catch {
        throw invalidParameterRaw(`Invalid parameter: ${what("ReplayPolicy")}: failed to parse JSON.`);
      }
      return value;
  }
  return value;
}

export async function subscribe(
  ctx: RequestContext,
  input: { TopicArn: string; Protocol: string; Endpoint?: string; Attributes?: Record<string, string>; ReturnSubscriptionArn?: boolean },
): Promise<{ SubscriptionArn: string }> {
  const { ref, store, topic } = await requireTopic(ctx, input.TopicArn);
  const protocol = input.Protocol.toLowerCase();
  if (!PROTOCOLS.has(protocol)) throw invalidParameter(`Amazon SNS does not support this protocol string: ${input.Protocol}`);
  if (topic.fifo && protocol !== "sqs") throw invalidParameter(`Invalid protocol type: ${protocol}`);
  const endpoint = checkEndpoint(protocol, input.Endpoint, topic);
  if (protocol === "application" && !(await loadEndpoint(ctx, endpoint))) throw notFound("Endpoint does not exist");
  // FilterPolicyScope first, so FilterPolicy is validated in its scope.
  const given = Object.entries(input.Attributes ?? {}).sort(([a], [b]) => (a === "FilterPolicyScope" ? -1 : b === "FilterPolicyScope" ? 1 : 0));
  const draft = { protocol, attributes: {} as Record<string, string> };
  for (const [name, value] of given) draft.attributes[name] = checkSubscriptionAttribute(name, value ?? "", draft, topic, true, endpoint);
  if (protocol === "firehose" && !draft.attributes.SubscriptionRoleArn) {
    throw invalidParameter("Attributes Reason: SubscriptionRoleArn", "Invalid SubscriptionRoleArn: SubscriptionRoleArn is required for the firehose protocol");
  }
  const result = await withLock(`sns/${topic.arn}`, async () => {
    for (const existing of await subscriptionsOf(store, topic.name)) {
      if (existing.protocol !== protocol || existing.endpoint !== endpoint) continue;
      for (const [name, value] of Object.entries(draft.attributes)) {
        if ((existing.attributes[name] ?? defaultSubscriptionAttribute(name)) !== value) {
          throw invalidParameter("Attributes", "Subscription already exists with different attributes");
        }
      }
      return { sub: existing, created: false };
    }
    const id = crypto.randomUUID();
    // A queue of another account must confirm, as on AWS (its owner reads the token from the queue).
    const crossAccountQueue = protocol === "sqs" && splitArn(endpoint)?.account !== topic.account;
    const pending = protocol === "http" || protocol === "https" || protocol === "email" || protocol === "email-json" || crossAccountQueue;
    const sub: SubscriptionRecord = {
      id,
      arn: `${topic.arn}:${id}`,
      topicArn: topic.arn,
      topicName: topic.name,
      protocol,
      endpoint,
      owner: ctx.accountId,
      pending,
      authenticated: !pending,
      attributes: draft.attributes,
      created: ctx.clock.now(),
    };
    await store.set(keys.sub(topic.name, id), sub);
    return { sub, created: true };
  });
  const { sub } = result;
  // A new pending subscription gets a confirmation; subscribing a pending endpoint again resends it.
  if (sub.pending) {
    const token = randomHex(64);
    await store.set(keys.token(token), { arn: sub.arn, expires: ctx.clock.now() + TOKEN_TTL_MS });
    await sendConfirmation(ctx, store, topic, sub, token);
  }
  void ref;
  return { SubscriptionArn: sub.pending && !input.ReturnSubscriptionArn ? "pending confirmation" : sub.arn };
}

function defaultSubscriptionAttribute(name: string): string | undefined {
  if (name === "RawMessageDelivery") return "false";
  if (name === "FilterPolicyScope") return "MessageAttributes";
  return undefined;
}

/** The subscription an ARN names, in its topic owner's store; null when absent. */
export async function findSubscription(ctx: RequestContext, arn: string): Promise<{ store: Store; sub: SubscriptionRecord } | null> {
  const ref = trySubscriptionArn(arn);
  if (!ref) return null;
  const store = ownerStore(ctx, ref);
  const sub = (await store.get<SubscriptionRecord>(keys.sub(ref.name, ref.id))).value;
  return sub ? { store, sub } : null;
}

function checkSubscriptionArn(arn: string): void {
  if (trySubscriptionArn(arn)) return;
  const parts = arn.split(":").length;
  if (parts < 6) throw invalidParameter("SubscriptionArn", `An ARN must have at least 6 elements, not ${parts}`);
  throw invalidParameter("SubscriptionId");
}

export async function unsubscribe(ctx: RequestContext, arn: string): Promise<void> {
  checkSubscriptionArn(arn);
  const found = await findSubscription(ctx, arn);
  if (!found) return;
  const { store, sub } = found;
  await withLock(`sns/${sub.topicArn}`, async () => {
    await store.delete(keys.sub(sub.topicName, sub.id));
    await update<TopicRecord | null>(store, keys.topic(sub.topicName), (t) => (t ? { ...t, deleted: t.deleted + 1 } : t)).catch(() => undefined);
  });
  if (sub.protocol === "http" || sub.protocol === "https") {
    // The endpoint is told, with a token that restores the subscription (AWS's UnsubscribeConfirmation).
    const topic = (await store.get<TopicRecord>(keys.topic(sub.topicName))).value;
    if (!topic) return;
    const token = randomHex(64);
    await store.set(keys.token(token), { arn: sub.arn, expires: ctx.clock.now() + TOKEN_TTL_MS, restore: sub });
    await sendUnsubscribeConfirmation(ctx, store, topic, sub, token);
  }
}

export async function confirmSubscription(
  ctx: RequestContext,
  input: { TopicArn: string; Token: string; AuthenticateOnUnsubscribe?: string },
): Promise<{ SubscriptionArn: string }> {
  let ref;
  try {
    ref = parseTopicArn(input.TopicArn);
  } catch {
    throw invalidParameter("Topic");
  }
  const store = ownerStore(ctx, ref);
  const token = (await store.get<{ arn: string; expires: number; restore?: SubscriptionRecord }>(keys.token(input.Token))).value;
  if (!token || token.expires <= ctx.clock.now()) throw invalidParameter("Token");
  const subRef = trySubscriptionArn(token.arn)!;
  if (subRef.topicArn !== ref.arn) throw invalidParameter("Topic");
  if (token.restore) {
    // An UnsubscribeConfirmation's token: confirming restores the subscription.
    const restore = token.restore;
    await withLock(`sns/${restore.topicArn}`, async () => {
      if (!(await store.get(keys.topic(restore.topicName))).value) throw invalidParameter("Topic");
      if (!(await store.get(keys.sub(restore.topicName, restore.id))).value) await store.set(keys.sub(restore.topicName, restore.id), { ...restore, pending: false });
    });
    await store.delete(keys.token(input.Token));
    return { SubscriptionArn: restore.arn };
  }
  const updated = await update<SubscriptionRecord | null>(store, keys.sub(subRef.name, subRef.id), (current) => {
    if (!current) throw invalidParameter("Token");
    if (!current.pending) return current;
    const authenticated = input.AuthenticateOnUnsubscribe?.toLowerCase() === "true" || ctx.caller.accessKeyId !== null;
    return { ...current, pending: false, authenticated };
  });
  return { SubscriptionArn: updated.value!.arn };
}

interface ListedSubscription {
  SubscriptionArn: string;
  Owner: string;
  Protocol: string;
  Endpoint: string;
  TopicArn: string;
}

function listed(sub: SubscriptionRecord): ListedSubscription {
  return { SubscriptionArn: sub.pending ? "PendingConfirmation" : sub.arn, Owner: sub.owner, Protocol: sub.protocol, Endpoint: sub.endpoint, TopicArn: sub.topicArn };
}

async function page(store: Store, prefix: readonly string[], nextToken: string | undefined) {
  const after = nextToken ? decodePageToken(nextToken) : undefined;
  const selector = after !== undefined ? { prefix, start: [...prefix, ...after.split("/"), ""] } : { prefix };
  const subs: SubscriptionRecord[] = [];
  let more = false;
  for await (const entry of store.list<SubscriptionRecord>(selector)) {
    if (subs.length === PAGE_SIZE) {
      more = true;
      break;
    }
    subs.push(entry.value);
  }
  const out: { Subscriptions: ListedSubscription[]; NextToken?: string } = { Subscriptions: subs.map(listed) };
  if (more) {
    const last = subs.at(-1)!;
    out.NextToken = encodePageToken(prefix.length === 1 ? `${last.topicName}/${last.id}` : last.id);
  }
  return out;
}

export function listAllSubscriptions(ctx: RequestContext, nextToken: string | undefined) {
  return page(ctx.store, keys.subs(), nextToken);
}

export async function listSubscriptionsByTopic(ctx: RequestContext, input: { TopicArn: string; NextToken?: string }) {
  const { store, topic } = await requireTopic(ctx, input.TopicArn);
  return page(store, keys.subsOf(topic.name), input.NextToken);
}

export async function getSubscriptionAttributes(ctx: RequestContext, arn: string): Promise<{ Attributes: Record<string, string> }> {
  checkSubscriptionArn(arn);
  const found = await findSubscription(ctx, arn);
  if (!found) throw subscriptionNotFound();
  const { sub, store } = found;
  const out: Record<string, string> = {
    ConfirmationWasAuthenticated: String(sub.authenticated),
    PendingConfirmation: String(sub.pending),
    Owner: sub.owner,
    RawMessageDelivery: "false",
    TopicArn: sub.topicArn,
    Endpoint: sub.endpoint,
    Protocol: sub.protocol,
    SubscriptionArn: sub.arn,
    SubscriptionPrincipal: `arn:aws:iam::${sub.owner}:root`,
    ...Object.fromEntries(Object.entries(sub.attributes).filter(([, v]) => v !== "")),
  };
  if (out.FilterPolicy) out.FilterPolicyScope ??= "MessageAttributes";
  else delete out.FilterPolicyScope;
  if (sub.protocol === "http" || sub.protocol === "https") {
    const topic = (await store.get<TopicRecord>(keys.topic(sub.topicName))).value;
    out.EffectiveDeliveryPolicy = effectiveSubscriptionDeliveryPolicy(topic?.attributes.DeliveryPolicy, sub.attributes.DeliveryPolicy);
  }
  return { Attributes: out };
}

function effectiveSubscriptionDeliveryPolicy(topicPolicy: string | undefined, subPolicy: string | undefined): string {
  const topic = JSON.parse(effectiveDeliveryPolicy(topicPolicy)).http;
  const base: Record<string, unknown> = {
    healthyRetryPolicy: topic.defaultHealthyRetryPolicy,
    sicklyRetryPolicy: null,
    throttlePolicy: topic.defaultThrottlePolicy ?? null,
    requestPolicy: topic.defaultRequestPolicy,
    guaranteed: false,
  };
  if (subPolicy) {
    try {
      const given = JSON.parse(subPolicy);
      for (const [k, v] of Object.entries(given)) {
        const current = base[k];
        base[k] = current && typeof current === "object" && v && typeof v === "object" ? { ...current, ...v } : v;
      }
    } catch {
      // validated when set
    }
  }
  return JSON.stringify(base);
}

export async function setSubscriptionAttributes(ctx: RequestContext, input: { SubscriptionArn: string; AttributeName: string; AttributeValue?: string }): Promise<void> {
  checkSubscriptionArn(input.SubscriptionArn);
  const found = await findSubscription(ctx, input.SubscriptionArn);
  if (!found) throw subscriptionNotFound();
  const { sub, store } = found;
  const topic = (await store.get<TopicRecord>(keys.topic(sub.topicName))).value ?? undefined;
  const value = checkSubscriptionAttribute(input.AttributeName, input.AttributeValue ?? "", sub, topic, false, sub.endpoint);
  await update<SubscriptionRecord | null>(store, keys.sub(sub.topicName, sub.id), (current) => {
    if (!current) throw subscriptionNotFound();
    const attributes = { ...current.attributes };
    if (value === "") delete attributes[input.AttributeName];
    else attributes[input.AttributeName] = value;
    return { ...current, attributes };
  });
}
