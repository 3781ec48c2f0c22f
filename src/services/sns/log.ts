/**
 * The delivery log: what SNS sent to endpoints the emulator cannot reach for real (email, SMS,
 * mobile push), every HTTP/S attempt's outcome, and failed or dead-lettered deliveries. Read
 * through `GET /_fetchstack/services/sns/messages` (filters: `topicArn`, `endpoint`,
 * `phoneNumber`, `protocol`, `subscriptionArn`, `messageId`).
 */
import type { Store } from "../../store/types.ts";
import { keys } from "./storage.ts";

export interface DeliveryLog {
  id: string;
  /** ISO 8601. */
  time: string;
  /** Notification, SubscriptionConfirmation, UnsubscribeConfirmation. */
  type: string;
  protocol: string;
  endpoint?: string;
  phoneNumber?: string;
  targetArn?: string;
  topicArn?: string;
  subscriptionArn?: string;
  messageId: string;
  subject?: string;
  /** The message as the endpoint gets it (the JSON envelope for email-json and HTTP). */
  message: string;
  messageAttributes?: Record<string, unknown>;
  messageStructure?: string;
  token?: string;
  subscribeUrl?: string;
  status: "recorded" | "delivered" | "failed" | "dead-lettered";
  attempts?: number;
  error?: string;
}

export async function recordDelivery(store: Store, now: number, entry: Omit<DeliveryLog, "id" | "time">): Promise<void> {
  const id = crypto.randomUUID();
  await store.set(keys.log(now, 0, id), { id, time: new Date(now).toISOString(), ...entry });
}

const FILTERS: [string, keyof DeliveryLog][] = [
  ["topicArn", "topicArn"],
  ["topic", "topicArn"],
  ["endpoint", "endpoint"],
  ["phoneNumber", "phoneNumber"],
  ["protocol", "protocol"],
  ["subscriptionArn", "subscriptionArn"],
  ["targetArn", "targetArn"],
  ["messageId", "messageId"],
  ["status", "status"],
];

/** Logged deliveries, oldest first, filtered by the query parameters above. */
export async function listDeliveries(store: Store, params: URLSearchParams): Promise<{ messages: DeliveryLog[] }> {
  const messages: DeliveryLog[] = [];
  for await (const entry of store.list<DeliveryLog>({ prefix: keys.logs() })) {
    const m = entry.value;
    if (FILTERS.every(([param, field]) => !params.has(param) || m[field] === params.get(param))) messages.push(m);
  }
  return { messages };
}
