/**
 * Amazon SNS over awsQuery: topics, subscriptions, filter policies, Publish/PublishBatch with
 * real asynchronous delivery to SQS, Lambda, Firehose and HTTP/S endpoints (signed messages
 * whose certificate the emulator serves), mobile push and SMS as stored state.
 * Source: https://docs.aws.amazon.com/sns/latest/api/API_Operations.html
 *
 * Design notes and limitations: docs/sns.md.
 */
import type { ServiceModel } from "../../protocol/model.ts";
import model from "../../../models/sns.json" with { type: "json" };
import type { Operations } from "../../generated/sns.ts";
import { defineService } from "../types.ts";
import { CERT_VIEW } from "./envelope.ts";
import { listDeliveries } from "./log.ts";
import {
  createPlatformApplication, createPlatformEndpoint, deleteEndpoint, deletePlatformApplication, getEndpointAttributes,
  getPlatformApplicationAttributes, listEndpointsByPlatformApplication, listPlatformApplications, setEndpointAttributes,
  setPlatformApplicationAttributes,
} from "./platform.ts";
import { publish, publishBatch } from "./publish.ts";
import { certificate } from "./signing.ts";
import {
  checkIfOptedOut, createSandboxNumber, deleteSandboxNumber, getSandboxStatus, getSmsAttributes, listOptedOut, listSandboxNumbers, optIn,
  setSmsAttributes, verifySandboxNumber,
} from "./sms.ts";
import {
  confirmSubscription, getSubscriptionAttributes, listAllSubscriptions, listSubscriptionsByTopic, setSubscriptionAttributes, subscribe,
  unsubscribe,
} from "./subscriptions.ts";
import {
  addPermission, createTopic, deleteTopic, getDataProtectionPolicy, getTopicAttributes, listTagsForResource, listTopics,
  putDataProtectionPolicy, removePermission, setTopicAttributes, tagResource, untagResource,
} from "./topics.ts";
import { snsAuthorization } from "./authorization.ts";

const done = (_?: unknown) => ({});

export default defineService<Operations>({
  name: "sns",
  authorization: snsAuthorization,
  model: model as unknown as ServiceModel,
  introspection: {
    /**
     * Deliveries the emulator recorded (email, SMS, mobile push, HTTP/S attempts, failures and
     * dead-lettered messages), oldest first; `?topicArn=&endpoint=&phoneNumber=&protocol=
     * &subscriptionArn=&messageId=&status=` filter.
     */
    messages: (store, params) => listDeliveries(store, params),
    /** The certificate that verifies message signatures (the envelopes' SigningCertURL). */
    [CERT_VIEW]: async (store) => {
      const pem = await certificate(store);
      if (!pem) return new Response("no signing certificate has been issued in this account and region yet\n", { status: 404, headers: { "content-type": "text/plain" } });
      return new Response(pem, { headers: { "content-type": "application/x-x509-ca-cert" } });
    },
  },
  handlers: {
    CreateTopic: (input, ctx) => createTopic(ctx, input),
    DeleteTopic: async (input, ctx) => done(await deleteTopic(ctx, input.TopicArn)),
    GetTopicAttributes: (input, ctx) => getTopicAttributes(ctx, input.TopicArn),
    SetTopicAttributes: async (input, ctx) => done(await setTopicAttributes(ctx, input)),
    ListTopics: (input, ctx) => listTopics(ctx, input.NextToken),
    TagResource: async (input, ctx) => done(await tagResource(ctx, input.ResourceArn, input.Tags ?? [])),
    UntagResource: async (input, ctx) => done(await untagResource(ctx, input.ResourceArn, input.TagKeys ?? [])),
    ListTagsForResource: (input, ctx) => listTagsForResource(ctx, input.ResourceArn),
    AddPermission: async (input, ctx) => done(await addPermission(ctx, input)),
    RemovePermission: async (input, ctx) => done(await removePermission(ctx, input)),
    PutDataProtectionPolicy: async (input, ctx) => done(await putDataProtectionPolicy(ctx, input)),
    GetDataProtectionPolicy: (input, ctx) => getDataProtectionPolicy(ctx, input.ResourceArn),

    Subscribe: (input, ctx) => subscribe(ctx, input),
    Unsubscribe: async (input, ctx) => done(await unsubscribe(ctx, input.SubscriptionArn)),
    ConfirmSubscription: (input, ctx) => confirmSubscription(ctx, input),
    ListSubscriptions: (input, ctx) => listAllSubscriptions(ctx, input.NextToken),
    ListSubscriptionsByTopic: (input, ctx) => listSubscriptionsByTopic(ctx, input),
    GetSubscriptionAttributes: (input, ctx) => getSubscriptionAttributes(ctx, input.SubscriptionArn),
    SetSubscriptionAttributes: async (input, ctx) => done(await setSubscriptionAttributes(ctx, input)),

    Publish: (input, ctx) => publish(ctx, input),
    PublishBatch: (input, ctx) => publishBatch(ctx, input),

    CreatePlatformApplication: (input, ctx) => createPlatformApplication(ctx, input),
    GetPlatformApplicationAttributes: (input, ctx) => getPlatformApplicationAttributes(ctx, input.PlatformApplicationArn),
    SetPlatformApplicationAttributes: async (input, ctx) => done(await setPlatformApplicationAttributes(ctx, input)),
    DeletePlatformApplication: async (input, ctx) => done(await deletePlatformApplication(ctx, input.PlatformApplicationArn)),
    ListPlatformApplications: (input, ctx) => listPlatformApplications(ctx, input.NextToken),
    CreatePlatformEndpoint: (input, ctx) => createPlatformEndpoint(ctx, input),
    GetEndpointAttributes: (input, ctx) => getEndpointAttributes(ctx, input.EndpointArn),
    SetEndpointAttributes: async (input, ctx) => done(await setEndpointAttributes(ctx, input)),
    DeleteEndpoint: async (input, ctx) => done(await deleteEndpoint(ctx, input.EndpointArn)),
    ListEndpointsByPlatformApplication: (input, ctx) => listEndpointsByPlatformApplication(ctx, input),

    SetSMSAttributes: async (input, ctx) => done(await setSmsAttributes(ctx, input.attributes ?? {})),
    GetSMSAttributes: (input, ctx) => getSmsAttributes(ctx, input.attributes),
    CheckIfPhoneNumberIsOptedOut: (input, ctx) => checkIfOptedOut(ctx, input.phoneNumber),
    OptInPhoneNumber: async (input, ctx) => done(await optIn(ctx, input.phoneNumber)),
    ListPhoneNumbersOptedOut: (input, ctx) => listOptedOut(ctx, input.nextToken),
    GetSMSSandboxAccountStatus: (_input, ctx) => getSandboxStatus(ctx),
    CreateSMSSandboxPhoneNumber: (input, ctx) => createSandboxNumber(ctx, input),
    VerifySMSSandboxPhoneNumber: (input, ctx) => verifySandboxNumber(ctx, input),
    DeleteSMSSandboxPhoneNumber: (input, ctx) => deleteSandboxNumber(ctx, input.PhoneNumber),
    ListSMSSandboxPhoneNumbers: (input, ctx) => listSandboxNumbers(ctx, input),
    // The emulator owns no origination numbers.
    ListOriginationNumbers: () => ({ PhoneNumbers: [] }),
  },
});
