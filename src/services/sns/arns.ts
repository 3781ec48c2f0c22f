/**
 * SNS ARNs:
 *   topic          arn:aws:sns:<region>:<account>:<name>
 *   subscription   <topic arn>:<uuid>
 *   application    arn:aws:sns:<region>:<account>:app/<PLATFORM>/<name>
 *   endpoint       arn:aws:sns:<region>:<account>:endpoint/<PLATFORM>/<app name>/<uuid>
 * Source: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html
 */
import { invalidParameter } from "./errors.ts";

export interface TopicRef {
  partition: string;
  region: string;
  account: string;
  name: string;
  arn: string;
}

export interface SubscriptionRef extends TopicRef {
  id: string;
  topicArn: string;
}

export function topicArn(region: string, account: string, name: string): string {
  return `arn:aws:sns:${region}:${account}:${name}`;
}

const TOPIC_ARN = /^arn:(aws[a-z-]*):sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256})$/;

/** Parses a topic ARN; AWS's InvalidParameter for anything else (`member` names the parameter). */
export function parseTopicArn(arn: string | undefined, member = "TopicArn"): TopicRef {
  const text = arn ?? "";
  const m = TOPIC_ARN.exec(text);
  if (!m) {
    const parts = text.split(":").length;
    if (parts < 6) throw invalidParameter(member, `An ARN must have at least 6 elements, not ${parts}`);
    throw invalidParameter(member);
  }
  return { partition: m[1]!, region: m[2]!, account: m[3]!, name: m[4]!, arn: text };
}

/** Parses a topic ARN, or null. */
export function tryTopicArn(arn: string): TopicRef | null {
  const m = TOPIC_ARN.exec(arn);
  return m ? { partition: m[1]!, region: m[2]!, account: m[3]!, name: m[4]!, arn } : null;
}

const SUBSCRIPTION_ARN = /^(arn:(aws[a-z-]*):sns:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,256})):([0-9a-f-]{36})$/;

/** Parses a subscription ARN, or null. */
export function trySubscriptionArn(arn: string): SubscriptionRef | null {
  const m = SUBSCRIPTION_ARN.exec(arn);
  if (!m) return null;
  return { topicArn: m[1]!, partition: m[2]!, region: m[3]!, account: m[4]!, name: m[5]!, id: m[6]!, arn };
}

/** `arn:aws:<service>:<region>:<account>:<resource>` split, or null. */
export function splitArn(arn: string): { partition: string; service: string; region: string; account: string; resource: string } | null {
  const m = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:(.+)$/.exec(arn);
  if (!m) return null;
  return { partition: m[1]!, service: m[2]!, region: m[3]!, account: m[4] ?? "", resource: m[5]! };
}
