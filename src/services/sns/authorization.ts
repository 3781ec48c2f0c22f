/**
 * SNS's IAM actions and resources per operation (`sns:<Operation>` on the topic ARN), and topic
 * policies (the `Policy` attribute) as resource-based policies, for `enforceIam`. SNS denies
 * with `AuthorizationError` (403) and writes the action as `SNS:Publish`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsns.html
 */
import type { AuthorizationMap, Input } from "../../policy/authorization.ts";
import type { TopicRecord } from "./storage.ts";

/** A subscription ARN (`<topic ARN>:<id>`) as its topic's ARN. */
const topicOfSubscription = (input: Input) => (input.SubscriptionArn ? String(input.SubscriptionArn).replace(/:[^:]+$/, "") : undefined);

export const snsAuthorization: AuthorizationMap = {
  prefix: "sns",
  resource: "{TopicArn}",
  denial: { code: "AuthorizationError", status: 403, actionPrefix: "SNS" },
  operations: {
    CreateTopic: { resource: "arn:{partition}:sns:{region}:{account}:{Name}", tags: "Tags" },
    ListTopics: { resource: "*" },
    ListSubscriptions: { resource: "*" },
    Publish: { resource: (input) => input.TopicArn ?? input.TargetArn ?? "*" },
    Unsubscribe: { resource: topicOfSubscription },
    GetSubscriptionAttributes: { resource: topicOfSubscription },
    SetSubscriptionAttributes: { resource: topicOfSubscription },
    TagResource: { resource: "{ResourceArn}", tags: "Tags" },
    UntagResource: { resource: "{ResourceArn}" },
    ListTagsForResource: { resource: "{ResourceArn}" },
    PutDataProtectionPolicy: { resource: "{ResourceArn}" },
    GetDataProtectionPolicy: { resource: "{ResourceArn}" },
    CheckIfPhoneNumberIsOptedOut: { resource: "*" },
    ListPhoneNumbersOptedOut: { resource: "*" },
    OptInPhoneNumber: { resource: "*" },
    GetSMSAttributes: { resource: "*" },
    SetSMSAttributes: { resource: "*" },
    GetSMSSandboxAccountStatus: { resource: "*" },
    ListPlatformApplications: { resource: "*" },
    ListOriginationNumbers: { resource: "*" },
    ListSMSSandboxPhoneNumbers: { resource: "*" },
    CreateSMSSandboxPhoneNumber: { resource: "*" },
    DeleteSMSSandboxPhoneNumber: { resource: "*" },
    VerifySMSSandboxPhoneNumber: { resource: "*" },
    CreatePlatformApplication: { resource: "*" },
    CreatePlatformEndpoint: { resource: "{PlatformApplicationArn}" },
  },
  async resourcePolicy(arn, env) {
    const m = /^arn:aws[a-z-]*:sns:([a-z0-9-]+):(\d{12}):([^:]+)$/.exec(arn);
    if (!m) return null;
    const topic = (await env.storeFor(m[2], m[1]).get<TopicRecord>(["topic", m[3]])).value;
    if (!topic) return null;
    return { policy: topic.attributes.Policy || undefined, source: `topic policy of ${arn}`, account: m[2], tags: topic.tags };
  },
};
