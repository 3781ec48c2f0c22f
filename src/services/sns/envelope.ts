/**
 * The JSON documents SNS delivers: the Notification / SubscriptionConfirmation envelope (SQS,
 * HTTP/S, email-json, Firehose), signed, in AWS's field order and layout, and the Lambda event.
 * Sources: https://docs.aws.amazon.com/sns/latest/dg/sns-message-and-json-formats.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html
 */
import type { Store } from "../../store/types.ts";
import { envelopeAttributes, type StoredAttribute } from "./attributes.ts";
import { sign, signingKey } from "./signing.ts";

export const CERT_VIEW = "SimpleNotificationService.pem";

/** A published message on its way to subscribers. */
export interface OutgoingMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  /** The Message parameter (for MessageStructure=json, the per-protocol map is in `structured`). */
  message: string;
  structured?: Record<string, string>;
  attributes: Record<string, StoredAttribute>;
  /** ISO 8601 with milliseconds. */
  timestamp: string;
  groupId?: string;
  dedupId?: string;
  sequenceNumber?: string;
}

export interface SigningContext {
  store: Store;
  account: string;
  region: string;
  baseUrl: string;
  now: number;
  signatureVersion: string;
}

export function signingCertUrl(s: SigningContext): string {
  return `${s.baseUrl}/_fetchstack/services/sns/${CERT_VIEW}?account=${s.account}&region=${s.region}`;
}

export function unsubscribeUrl(baseUrl: string, subscriptionArn: string): string {
  return `${baseUrl}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscriptionArn)}&Version=2010-03-31`;
}

export function subscribeUrl(baseUrl: string, topicArn: string, token: string): string {
  return `${baseUrl}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}&Version=2010-03-31`;
}

/** The message text a protocol gets: its entry of a MessageStructure=json map, else `default`. */
export function messageFor(msg: OutgoingMessage, protocol: string): string {
  if (!msg.structured) return msg.message;
  return msg.structured[protocol] ?? msg.structured.default ?? "";
}

/** Signs `fields` (adding SignatureVersion, Signature, SigningCertURL after Timestamp). */
async function signed(s: SigningContext, fields: [string, unknown][], tail: [string, unknown][]): Promise<Record<string, unknown>> {
  const doc: Record<string, unknown> = Object.fromEntries(fields.filter(([, v]) => v !== undefined));
  const key = await signingKey(s.store, `${s.account}/${s.region}`, s.now);
  doc.SignatureVersion = s.signatureVersion;
  doc.Signature = await sign(key, s.signatureVersion, doc);
  doc.SigningCertURL = signingCertUrl(s);
  for (const [k, v] of tail) if (v !== undefined) doc[k] = v;
  return doc;
}

/** The Notification envelope as an object, in AWS's field order. */
export async function notification(s: SigningContext, msg: OutgoingMessage, text: string, subscriptionArn: string): Promise<Record<string, unknown>> {
  const attributes = Object.keys(msg.attributes).length ? envelopeAttributes(msg.attributes) : undefined;
  return signed(
    s,
    [
      ["Type", "Notification"],
      ["MessageId", msg.messageId],
      ["SequenceNumber", msg.sequenceNumber],
      ["TopicArn", msg.topicArn],
      ["Subject", msg.subject],
      ["Message", text],
      ["Timestamp", msg.timestamp],
    ],
    [
      ["UnsubscribeURL", unsubscribeUrl(s.baseUrl, subscriptionArn)],
      ["MessageAttributes", attributes],
    ],
  );
}

/** The SubscriptionConfirmation (or UnsubscribeConfirmation) document. */
export async function confirmation(
  s: SigningContext,
  type: "SubscriptionConfirmation" | "UnsubscribeConfirmation",
  input: { messageId: string; topicArn: string; token: string; message: string; timestamp: string },
): Promise<Record<string, unknown>> {
  return signed(s, [
    ["Type", type],
    ["MessageId", input.messageId],
    ["Token", input.token],
    ["TopicArn", input.topicArn],
    ["Message", input.message],
    ["SubscribeURL", subscribeUrl(s.baseUrl, input.topicArn, input.token)],
    ["Timestamp", input.timestamp],
  ], []);
}

/** AWS's layout: one top-level field per line, `"Name" : value`. */
export function formatEnvelope(doc: Record<string, unknown>): string {
  const lines = Object.entries(doc).map(([k, v]) => `  ${JSON.stringify(k)} : ${JSON.stringify(v)}`);
  return `{\n${lines.join(",\n")}\n}`;
}

/** The Lambda event for one notification (note the `SigningCertUrl`/`UnsubscribeUrl` spelling). */
export function lambdaEvent(envelope: Record<string, unknown>, subscriptionArn: string, hasSubject: boolean): Record<string, unknown> {
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: envelope.Type,
          MessageId: envelope.MessageId,
          TopicArn: envelope.TopicArn,
          Subject: hasSubject ? envelope.Subject : null,
          Message: envelope.Message,
          Timestamp: envelope.Timestamp,
          SignatureVersion: envelope.SignatureVersion,
          Signature: envelope.Signature,
          SigningCertUrl: envelope.SigningCertURL,
          UnsubscribeUrl: envelope.UnsubscribeURL,
          MessageAttributes: envelope.MessageAttributes ?? {},
        },
      },
    ],
  };
}
