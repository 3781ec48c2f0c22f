/**
 * SNS state, in the store of the topic owner's account and region
 * (`ctx.storeFor(account, region)`, namespaced [sns, account, region]), so that a topic ARN of
 * another account reaches that account's topic. Layout:
 *
 *   ["topic", name]                 TopicRecord
 *   ["sub", topicName, id]          SubscriptionRecord   (listing by topic is a prefix scan)
 *   ["token", token]                { arn }              (ConfirmSubscription tokens)
 *   ["dedup", topicName, dedupId]   Dedup                (FIFO 5-minute window)
 *   ["seq", topicName]              { n }                (FIFO sequence numbers)
 *   ["log", time, seq, id]          DeliveryLog          (email/SMS/application/HTTP records)
 *   ["key"]                         signing key and certificate (signing.ts)
 *   ["app", name], ["endpoint", appName, id]   platform applications and endpoints
 *   ["sms"], ["optout", phone], ["sandbox", phone]   SMS settings
 */
import type { Store } from "../../store/types.ts";
import type { RequestContext } from "../types.ts";
import { clearStore } from "../../store/snapshot.ts";

export interface TopicRecord {
  name: string;
  arn: string;
  account: string;
  region: string;
  fifo: boolean;
  /** Settable attributes with their current values (Policy, DisplayName, ...). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  dataProtectionPolicy?: string;
  /** Subscriptions removed so far (SubscriptionsDeleted). */
  deleted: number;
  /** Epoch ms. */
  created: number;
}

export interface SubscriptionRecord {
  id: string;
  arn: string;
  topicArn: string;
  topicName: string;
  protocol: string;
  endpoint: string;
  owner: string;
  pending: boolean;
  /** ConfirmationWasAuthenticated. */
  authenticated: boolean;
  /** Settable attributes (RawMessageDelivery, FilterPolicy, FilterPolicyScope, ...). */
  attributes: Record<string, string>;
  /** Epoch ms; keeps listing in creation order. */
  created: number;
}

export interface Dedup {
  expires: number;
  messageId: string;
  sequenceNumber: string;
}

export function ownerStore(ctx: RequestContext, owner: { account: string; region: string }): Store {
  return owner.account === ctx.accountId && owner.region === ctx.region ? ctx.store : ctx.storeFor(owner.account, owner.region);
}

export const keys = {
  topic: (name: string) => ["topic", name] as const,
  topics: () => ["topic"] as const,
  sub: (topicName: string, id: string) => ["sub", topicName, id] as const,
  subsOf: (topicName: string) => ["sub", topicName] as const,
  subs: () => ["sub"] as const,
  token: (token: string) => ["token", token] as const,
  dedup: (topicName: string, id: string) => ["dedup", topicName, id] as const,
  dedups: (topicName: string) => ["dedup", topicName] as const,
  seq: (topicName: string) => ["seq", topicName] as const,
  log: (time: number, seq: number, id: string) => ["log", time, seq, id] as const,
  logs: () => ["log"] as const,
};

export async function loadTopic(store: Store, name: string): Promise<TopicRecord | null> {
  return (await store.get<TopicRecord>(keys.topic(name))).value;
}

export async function listSubscriptions(store: Store, topicName: string): Promise<SubscriptionRecord[]> {
  const out: SubscriptionRecord[] = [];
  for await (const entry of store.list<SubscriptionRecord>({ prefix: keys.subsOf(topicName) })) out.push(entry.value);
  return out.sort((a, b) => a.created - b.created || (a.id < b.id ? -1 : 1));
}

/** Deletes every key under a prefix. */
export async function deletePrefix(store: Store, prefix: readonly (string | number)[]): Promise<void> {
  await clearStore(store, [...prefix]);
}
