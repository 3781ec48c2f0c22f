/**
 * SNS through the AWS SDK for JavaScript v3 (in-process, on each test store): topics,
 * subscriptions, attributes, tags, permissions, Publish/PublishBatch validation, and delivery to
 * SQS (envelope, raw, filters, FIFO, dead-letter queues), waited for with `emulator.settled()`.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  AddPermissionCommand, ConfirmSubscriptionCommand, CreateTopicCommand, DeleteTopicCommand, GetDataProtectionPolicyCommand,
  GetSubscriptionAttributesCommand, GetTopicAttributesCommand, ListSubscriptionsByTopicCommand, ListSubscriptionsCommand,
  ListTagsForResourceCommand, ListTopicsCommand, PublishBatchCommand, PublishCommand, PutDataProtectionPolicyCommand,
  RemovePermissionCommand, SetSubscriptionAttributesCommand, SetTopicAttributesCommand, SNSClient, SubscribeCommand,
  TagResourceCommand, UnsubscribeCommand, UntagResourceCommand,
} from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CloudWatchLogsClient, FilterLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess, STORES } from "../../helpers/clients.ts";

const ACCOUNT = "000000000000";

for (const { name, make } of STORES) {
  describe(`SNS with the JS SDK (${name})`, () => {
    let emulator: Emulator;
    let sns: SNSClient;
    let sqs: SQSClient;
    const fail = (p: Promise<unknown>) => p.then(() => { throw new Error("expected an error"); }, (e) => e);
    const topic = async (Name: string, Attributes?: Record<string, string>) => (await sns.send(new CreateTopicCommand({ Name, Attributes }))).TopicArn!;
    const queue = async (QueueName: string, Attributes?: Record<string, string>) => {
      const url = (await sqs.send(new CreateQueueCommand({ QueueName, Attributes }))).QueueUrl!;
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
      return { url, arn };
    };
    const receive = async (QueueUrl: string) =>
      (await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ["All"] }))).Messages ?? [];
    const subscribeQueue = async (TopicArn: string, arn: string, Attributes?: Record<string, string>) =>
      (await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: arn, Attributes, ReturnSubscriptionArn: true }))).SubscriptionArn!;

    beforeEach(() => {
      emulator = createEmulator({ store: make(), clock: createManualClock(Date.UTC(2026, 11, 5)) });
      sns = new SNSClient(inProcess(emulator));
      sqs = new SQSClient(inProcess(emulator));
    });

    describe("topics", () => {
      it("CreateTopic is idempotent; different attributes or tags are InvalidParameter", async () => {
        const arn = await topic("orders", { DisplayName: "Orders" });
        expect(arn).toBe(`arn:aws:sns:us-east-1:${ACCOUNT}:orders`);
        expect(await topic("orders", { DisplayName: "Orders" })).toBe(arn);
        expect(await topic("orders")).toBe(arn);
        const e = await fail(topic("orders", { DisplayName: "Other" }));
        expect([e.name, e.message, e.$metadata.httpStatusCode]).toEqual(["InvalidParameterException", "Invalid parameter: Attributes Reason: Topic already exists with different attributes", 400]);
        await sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "env", Value: "dev" }] }));
        const t = await fail(sns.send(new CreateTopicCommand({ Name: "orders", Tags: [{ Key: "env", Value: "prod" }] })));
        expect(t.message).toBe("Invalid parameter: Tags Reason: Topic already exists with different tags");
        expect((await sns.send(new CreateTopicCommand({ Name: "orders", Tags: [{ Key: "env", Value: "dev" }] }))).TopicArn).toBe(arn);
      });

      it("names, FIFO topics and their attributes", async () => {
        expect((await fail(topic("bad name"))).message).toBe("Invalid parameter: Topic Name");
        expect((await fail(topic("plain.fifo"))).message).toBe("Invalid parameter: Topic Name");
        expect((await fail(topic("nofifo", { FifoTopic: "true" }))).message).toMatch(/^Invalid parameter: Fifo Topic names must end with \.fifo/);
        const fifo = await topic("events.fifo", { FifoTopic: "true", ContentBasedDeduplication: "true" });
        const attrs = (await sns.send(new GetTopicAttributesCommand({ TopicArn: fifo }))).Attributes!;
        expect(attrs.FifoTopic).toBe("true");
        expect(attrs.ContentBasedDeduplication).toBe("true");
        const std = await topic("std");
        const e = await fail(sns.send(new SetTopicAttributesCommand({ TopicArn: std, AttributeName: "ContentBasedDeduplication", AttributeValue: "true" })));
        expect(e.name).toBe("InvalidParameterException");
        expect((await fail(sns.send(new SetTopicAttributesCommand({ TopicArn: std, AttributeName: "Nope", AttributeValue: "x" })))).message).toBe("Invalid parameter: AttributeName");
      });

      it("GetTopicAttributes: defaults, computed counts, policy and delivery policy", async () => {
        const arn = await topic("attrs");
        const { url, arn: qarn } = await queue("attrs-q");
        void url;
        await subscribeQueue(arn, qarn);
        await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "email", Endpoint: "a@example.com" }));
        const a = (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!;
        expect(a.TopicArn).toBe(arn);
        expect(a.Owner).toBe(ACCOUNT);
        expect(a.DisplayName).toBe("");
        expect([a.SubscriptionsConfirmed, a.SubscriptionsPending, a.SubscriptionsDeleted]).toEqual(["1", "1", "0"]);
        const policy = JSON.parse(a.Policy!);
        expect(policy.Statement[0].Resource).toBe(arn);
        expect(policy.Statement[0].Condition).toEqual({ StringEquals: { "AWS:SourceOwner": ACCOUNT } });
        expect(JSON.parse(a.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy.numRetries).toBe(3);
        await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: "DisplayName", AttributeValue: "Shown" }));
        await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName: "DeliveryPolicy", AttributeValue: JSON.stringify({ http: { defaultHealthyRetryPolicy: { numRetries: 5, minDelayTarget: 1, maxDelayTarget: 10 } } }) }));
        const b = (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!;
        expect(b.DisplayName).toBe("Shown");
        expect(JSON.parse(b.EffectiveDeliveryPolicy!).http.defaultHealthyRetryPolicy).toMatchObject({ numRetries: 5, minDelayTarget: 1, maxDelayTarget: 10 });
      });

      it("NotFound, bad ARNs, other regions; DeleteTopic is idempotent and removes subscriptions", async () => {
        const missing = await fail(sns.send(new GetTopicAttributesCommand({ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:nope` })));
        expect([missing.name, missing.message, missing.$metadata.httpStatusCode]).toEqual(["NotFoundException", "Topic does not exist", 404]);
        const bad = await fail(sns.send(new GetTopicAttributesCommand({ TopicArn: "not-an-arn" })));
        expect(bad.message).toBe("Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1");
        expect((await fail(sns.send(new GetTopicAttributesCommand({ TopicArn: `arn:aws:sns:eu-west-1:${ACCOUNT}:x` })))).message).toBe("Invalid parameter: TopicArn");
        const arn = await topic("gone");
        const { arn: qarn } = await queue("gone-q");
        await subscribeQueue(arn, qarn);
        await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
        await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
        expect((await sns.send(new ListSubscriptionsCommand({}))).Subscriptions).toEqual([]);
      });

      it("ListTopics pages at 100", async () => {
        for (let i = 0; i < 105; i++) await topic(`t-${String(i).padStart(3, "0")}`);
        const first = await sns.send(new ListTopicsCommand({}));
        expect(first.Topics).toHaveLength(100);
        expect(first.NextToken).toBeTruthy();
        const second = await sns.send(new ListTopicsCommand({ NextToken: first.NextToken }));
        expect(second.Topics!.map((t) => t.TopicArn!.split(":").at(-1))).toEqual(["t-100", "t-101", "t-102", "t-103", "t-104"]);
        expect(second.NextToken).toBeUndefined();
        expect((await fail(sns.send(new ListTopicsCommand({ NextToken: "garbage" })))).message).toBe("Invalid parameter: NextToken");
      });

      it("tags, permissions and the data protection policy", async () => {
        const arn = await topic("tagged");
        await sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }] }));
        await sns.send(new UntagResourceCommand({ ResourceArn: arn, TagKeys: ["a"] }));
        expect((await sns.send(new ListTagsForResourceCommand({ ResourceArn: arn }))).Tags).toEqual([{ Key: "b", Value: "2" }]);
        const nf = await fail(sns.send(new ListTagsForResourceCommand({ ResourceArn: `arn:aws:sns:us-east-1:${ACCOUNT}:nope` })));
        expect([nf.name, nf.message]).toEqual(["ResourceNotFoundException", "Resource does not exist"]);
        const many = Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
        expect((await fail(sns.send(new TagResourceCommand({ ResourceArn: arn, Tags: many })))).name).toBe("TagLimitExceededException");

        await sns.send(new AddPermissionCommand({ TopicArn: arn, Label: "pub", AWSAccountId: ["111122223333"], ActionName: ["Publish"] }));
        let policy = JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!.Policy!);
        expect(policy.Statement[1]).toEqual({ Sid: "pub", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "SNS:Publish", Resource: arn });
        expect((await fail(sns.send(new AddPermissionCommand({ TopicArn: arn, Label: "pub", AWSAccountId: ["111122223333"], ActionName: ["Publish"] })))).message).toBe("Invalid parameter: Statement already exists");
        await sns.send(new RemovePermissionCommand({ TopicArn: arn, Label: "pub" }));
        policy = JSON.parse((await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!.Policy!);
        expect(policy.Statement).toHaveLength(1);

        const dpp = JSON.stringify({ Name: "p", Description: "", Version: "2021-06-01", Statement: [] });
        expect((await sns.send(new GetDataProtectionPolicyCommand({ ResourceArn: arn }))).DataProtectionPolicy).toBeUndefined();
        await sns.send(new PutDataProtectionPolicyCommand({ ResourceArn: arn, DataProtectionPolicy: dpp }));
        expect((await sns.send(new GetDataProtectionPolicyCommand({ ResourceArn: arn }))).DataProtectionPolicy).toBe(dpp);
        expect((await fail(sns.send(new PutDataProtectionPolicyCommand({ ResourceArn: arn, DataProtectionPolicy: "{" })))).name).toBe("InvalidParameterException");
      });
    });

    describe("subscriptions", () => {
      it("Subscribe is idempotent, lists, attributes, Unsubscribe", async () => {
        const arn = await topic("subs");
        const { arn: qarn } = await queue("subs-q");
        const sub = await subscribeQueue(arn, qarn);
        expect(sub).toMatch(new RegExp(`^${arn}:[0-9a-f-]{36}$`));
        expect(await subscribeQueue(arn, qarn)).toBe(sub);
        const diff = await fail(subscribeQueue(arn, qarn, { RawMessageDelivery: "true" }));
        expect(diff.message).toBe("Invalid parameter: Attributes Reason: Subscription already exists with different attributes");
        const pending = (await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "email", Endpoint: "me@example.com" }))).SubscriptionArn;
        expect(pending).toBe("pending confirmation");
        const listed = (await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions!;
        expect(listed.map((s) => [s.Protocol, s.SubscriptionArn])).toEqual(expect.arrayContaining([["sqs", sub], ["email", "PendingConfirmation"]]));
        const a = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub }))).Attributes!;
        expect(a).toMatchObject({ Protocol: "sqs", Endpoint: qarn, TopicArn: arn, PendingConfirmation: "false", RawMessageDelivery: "false", ConfirmationWasAuthenticated: "true", Owner: ACCOUNT });
        expect(a.FilterPolicyScope).toBeUndefined();
        await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: "FilterPolicy", AttributeValue: '{"k":["v"]}' }));
        expect((await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub }))).Attributes!.FilterPolicyScope).toBe("MessageAttributes");
        await sns.send(new UnsubscribeCommand({ SubscriptionArn: sub }));
        const gone = await fail(sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: sub })));
        expect([gone.name, gone.message]).toEqual(["NotFoundException", "Subscription does not exist"]);
        expect((await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!.SubscriptionsDeleted).toBe("1");
      });

      it("ListSubscriptions and ListSubscriptionsByTopic page at 100", async () => {
        const a = await topic("paged-a");
        const b = await topic("paged-b");
        for (let i = 0; i < 103; i++) await sns.send(new SubscribeCommand({ TopicArn: a, Protocol: "sms", Endpoint: `+1555000${String(i).padStart(4, "0")}` }));
        for (let i = 0; i < 3; i++) await sns.send(new SubscribeCommand({ TopicArn: b, Protocol: "sms", Endpoint: `+1666000${i}` }));
        const first = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: a }));
        expect(first.Subscriptions).toHaveLength(100);
        const rest = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: a, NextToken: first.NextToken }));
        expect(rest.Subscriptions).toHaveLength(3);
        expect(rest.NextToken).toBeUndefined();
        expect(new Set([...first.Subscriptions!, ...rest.Subscriptions!].map((x) => x.Endpoint)).size).toBe(103);
        const all: string[] = [];
        let token: string | undefined;
        let pages = 0;
        do {
          const page = await sns.send(new ListSubscriptionsCommand({ NextToken: token }));
          all.push(...page.Subscriptions!.map((x) => x.SubscriptionArn!));
          token = page.NextToken;
          pages++;
        } while (token);
        expect([pages, all.length, new Set(all).size]).toEqual([2, 106, 106]);
      });

      it("validates protocols, endpoints and attributes", async () => {
        const arn = await topic("val");
        const bad = await fail(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "carrier-pigeon", Endpoint: "x" })));
        expect(bad.message).toBe("Invalid parameter: Amazon SNS does not support this protocol string: carrier-pigeon");
        expect((await fail(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "http", Endpoint: "https://x" })))).message).toBe("Invalid parameter: Endpoint must match the specified protocol");
        expect((await fail(sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:000000000000:q.fifo" })))).message)
          .toBe("Invalid parameter: Invalid parameter: Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics");
        const missing = await fail(sns.send(new SubscribeCommand({ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:none`, Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:000000000000:q" })));
        expect(missing.name).toBe("NotFoundException");
        const { arn: qarn } = await queue("val-q");
        const sub = await subscribeQueue(arn, qarn);
        const e1 = await fail(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: "RawMessageDelivery", AttributeValue: "yes" })));
        expect(e1.message).toBe("Invalid parameter: RawMessageDelivery: Invalid value [yes]. Must be true or false.");
        const e2 = await fail(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: "FilterPolicyScope", AttributeValue: "Body" })));
        expect(e2.message).toBe("Invalid parameter: FilterPolicyScope: Invalid value [Body]. Please use either MessageBody or MessageAttributes");
        const e3 = await fail(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: "FilterPolicy", AttributeValue: '{"a":{"b":["c"]}}' })));
        expect(e3.message).toBe("Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy");
        const e4 = await fail(subscribeQueue(arn, qarn + "2", { FilterPolicy: '{"a":[{"numeric":[">",5,"<",1]}]}' }));
        expect(e4.message).toBe("Invalid parameter: Attributes Reason: FilterPolicy: Bottom must be less than top");
        const e5 = await fail(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: sub, AttributeName: "Foo", AttributeValue: "x" })));
        expect(e5.message).toBe("Invalid parameter: AttributeName");
        const email = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "email", Endpoint: "x@example.com", ReturnSubscriptionArn: true }));
        const e6 = await fail(sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: email.SubscriptionArn, AttributeName: "RawMessageDelivery", AttributeValue: "true" })));
        expect(e6.message).toBe("Invalid parameter: Delivery protocol [email] does not support raw message delivery.");
      });

      it("a queue of another account must confirm; the confirmation arrives in the queue", async () => {
        const other = { ...inProcess(emulator), credentials: { accessKeyId: "111111111111", secretAccessKey: "x" } };
        const otherSqs = new SQSClient(other);
        const otherSns = new SNSClient(other);
        const url = (await otherSqs.send(new CreateQueueCommand({ QueueName: "theirs" }))).QueueUrl!;
        expect(url).toMatch(/\/111111111111\/theirs$/);
        const arn = await topic("shared");
        const pending = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "sqs", Endpoint: "arn:aws:sqs:us-east-1:111111111111:theirs" }));
        expect(pending.SubscriptionArn).toBe("pending confirmation");
        await emulator.settled();
        const [conf] = (await otherSqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }))).Messages!;
        const doc = JSON.parse(conf!.Body!);
        expect(doc).toMatchObject({ Type: "SubscriptionConfirmation", TopicArn: arn });
        const { SubscriptionArn } = await otherSns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: doc.Token }));
        expect(SubscriptionArn).toMatch(new RegExp(`^${arn}:`));
        await sns.send(new PublishCommand({ TopicArn: arn, Message: "cross-account" }));
        await emulator.settled();
        const bodies = ((await otherSqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }))).Messages ?? []).map((m) => JSON.parse(m.Body!));
        expect(bodies.filter((b) => b.Type === "Notification").map((b) => b.Message)).toEqual(["cross-account"]);
      });

      it("email confirmation: the token in the messages view confirms the subscription", async () => {
        const arn = await topic("mail");
        const subArn = (await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: "email", Endpoint: "me@example.com", ReturnSubscriptionArn: true }))).SubscriptionArn!;
        const view = await (await emulator.fetch(new Request("http://localhost/_fetchstack/services/sns/messages?endpoint=me@example.com"))).json();
        const confirmation = view.messages.find((m: any) => m.type === "SubscriptionConfirmation");
        expect(confirmation.subscriptionArn).toBe(subArn);
        const bad = await fail(sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: "nope" })));
        expect(bad.message).toBe("Invalid parameter: Token");
        const ok = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: confirmation.token }));
        expect(ok.SubscriptionArn).toBe(subArn);
        const attrs = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: subArn }))).Attributes!;
        expect(attrs.PendingConfirmation).toBe("false");
        await sns.send(new PublishCommand({ TopicArn: arn, Message: "hello by mail", Subject: "Hi" }));
        await emulator.settled();
        const after = await (await emulator.fetch(new Request("http://localhost/_fetchstack/services/sns/messages?endpoint=me@example.com"))).json();
        expect(after.messages.filter((m: any) => m.type === "Notification").map((m: any) => [m.message, m.subject, m.status])).toEqual([["hello by mail", "Hi", "recorded"]]);
      });
    });

    describe("publish and delivery to SQS", () => {
      it("delivers the signed JSON envelope, with message attributes", async () => {
        const arn = await topic("fan");
        const { url, arn: qarn } = await queue("fan-q");
        const sub = await subscribeQueue(arn, qarn);
        const { MessageId } = await sns.send(new PublishCommand({
          TopicArn: arn, Message: "hello", Subject: "greeting",
          MessageAttributes: { color: { DataType: "String", StringValue: "blue" }, n: { DataType: "Number", StringValue: "5" }, b: { DataType: "Binary", BinaryValue: new Uint8Array([1, 2, 3]) } },
        }));
        await emulator.settled();
        const [m] = await receive(url);
        const body = JSON.parse(m!.Body!);
        expect(body).toMatchObject({ Type: "Notification", MessageId, TopicArn: arn, Subject: "greeting", Message: "hello", SignatureVersion: "1" });
        expect(Object.keys(body)).toEqual(["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL", "MessageAttributes"]);
        expect(body.Timestamp).toBe("2026-12-05T00:00:00.000Z");
        expect(body.UnsubscribeURL).toContain(encodeURIComponent(sub));
        expect(body.MessageAttributes).toEqual({ color: { Type: "String", Value: "blue" }, n: { Type: "Number", Value: "5" }, b: { Type: "Binary", Value: "AQID" } });
        expect(m!.MessageAttributes).toBeUndefined();
      });

      it("raw message delivery passes the body and attributes as SQS message attributes", async () => {
        const arn = await topic("raw");
        const { url, arn: qarn } = await queue("raw-q");
        await subscribeQueue(arn, qarn, { RawMessageDelivery: "true" });
        await sns.send(new PublishCommand({ TopicArn: arn, Message: "raw body", MessageAttributes: { tags: { DataType: "String.Array", StringValue: '["a","b"]' }, b: { DataType: "Binary", BinaryValue: new Uint8Array([9]) } } }));
        await emulator.settled();
        const [m] = await receive(url);
        expect(m!.Body).toBe("raw body");
        expect(m!.MessageAttributes!.tags).toMatchObject({ DataType: "String.Array", StringValue: '["a","b"]' });
        expect(Array.from(m!.MessageAttributes!.b!.BinaryValue!)).toEqual([9]);
      });

      it("filters by message attributes and by message body per subscription", async () => {
        const arn = await topic("filtered");
        const red = await queue("red");
        const big = await queue("big");
        const all = await queue("all");
        await subscribeQueue(arn, red.arn, { FilterPolicy: JSON.stringify({ color: ["red"] }), RawMessageDelivery: "true" });
        await subscribeQueue(arn, big.arn, { FilterPolicyScope: "MessageBody", FilterPolicy: JSON.stringify({ order: { amount: [{ numeric: [">", 100] }] } }), RawMessageDelivery: "true" });
        await subscribeQueue(arn, all.arn, { RawMessageDelivery: "true" });
        const send = (Message: string, color?: string) =>
          sns.send(new PublishCommand({ TopicArn: arn, Message, MessageAttributes: color ? { color: { DataType: "String", StringValue: color } } : undefined }));
        await send(JSON.stringify({ order: { amount: 500 } }), "red");
        await send(JSON.stringify({ order: { amount: 5 } }), "blue");
        await send("not json");
        await emulator.settled();
        expect((await receive(red.url)).map((m) => m.Body)).toEqual([JSON.stringify({ order: { amount: 500 } })]);
        expect((await receive(big.url)).map((m) => m.Body)).toEqual([JSON.stringify({ order: { amount: 500 } })]);
        expect((await receive(all.url)).length).toBe(3);
      });

      it("MessageStructure=json sends each protocol its message", async () => {
        const arn = await topic("structured");
        const { url, arn: qarn } = await queue("structured-q");
        await subscribeQueue(arn, qarn, { RawMessageDelivery: "true" });
        await sns.send(new PublishCommand({ TopicArn: arn, MessageStructure: "json", Message: JSON.stringify({ default: "d", sqs: "for sqs" }) }));
        await emulator.settled();
        expect((await receive(url)).map((m) => m.Body)).toEqual(["for sqs"]);
        expect((await fail(sns.send(new PublishCommand({ TopicArn: arn, MessageStructure: "json", Message: '{"sqs":"x"}' })))).message)
          .toBe("Invalid parameter: Message Structure - No default entry in JSON message body");
        expect((await fail(sns.send(new PublishCommand({ TopicArn: arn, MessageStructure: "json", Message: "{" })))).message)
          .toBe("Invalid parameter: Message Structure - JSON message body failed to parse");
      });

      it("validates messages and attributes as AWS does", async () => {
        const arn = await topic("v");
        const pub = (extra: Record<string, unknown>) => fail(sns.send(new PublishCommand({ TopicArn: arn, Message: "m", ...extra } as any)));
        expect((await pub({ Message: "" })).message).toBe("Invalid parameter: Empty message");
        expect((await pub({ TopicArn: undefined })).message).toBe("Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter");
        expect((await pub({ Subject: "" })).message).toBe("Invalid parameter: Subject");
        expect((await pub({ Subject: "a\nb" })).message).toBe("Invalid parameter: Subject");
        expect((await pub({ Message: "x".repeat(262_145) })).message).toBe("Invalid parameter: Message too long");
        const num = await pub({ MessageAttributes: { price: { DataType: "Number", StringValue: "abc" } } });
        expect([num.name, num.message]).toEqual(["InvalidParameterValueException", "Could not cast message attribute 'price' value to number."]);
        expect((await pub({ MessageAttributes: { x: { DataType: "Text", StringValue: "a" } } })).message)
          .toBe("The message attribute 'x' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.");
        expect((await pub({ MessageAttributes: { x: { DataType: "Binary", StringValue: "a" } } })).message).toBe("The message attribute 'x' with type 'Binary' must use field 'Binary'.");
        expect((await pub({ MessageAttributes: { "a..b": { DataType: "String", StringValue: "a" } } })).message).toBe("Message attribute name can not have successive '.' character.");
        expect((await pub({ MessageDeduplicationId: "d" })).message)
          .toBe("Invalid parameter: MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type");
        expect((await pub({ PhoneNumber: "+15555550100" })).name).toBe("InvalidParameterException");
        expect((await fail(sns.send(new PublishCommand({ TopicArn: `arn:aws:sns:us-east-1:${ACCOUNT}:none`, Message: "m" })))).name).toBe("NotFoundException");
      });

      it("PublishBatch: limits, distinct ids and per-entry failures", async () => {
        const arn = await topic("batch");
        const { url, arn: qarn } = await queue("batch-q");
        await subscribeQueue(arn, qarn, { RawMessageDelivery: "true" });
        const out = await sns.send(new PublishBatchCommand({
          TopicArn: arn,
          PublishBatchRequestEntries: [
            { Id: "1", Message: "one" },
            { Id: "2", Message: "two", MessageAttributes: { n: { DataType: "Number", StringValue: "NaN!" } } },
            { Id: "3", Message: "three" },
          ],
        }));
        expect(out.Successful!.map((s) => s.Id)).toEqual(["1", "3"]);
        expect(out.Failed).toEqual([{ Id: "2", Code: "ParameterValueInvalid", Message: "Could not cast message attribute 'n' value to number.", SenderFault: true }]);
        await emulator.settled();
        expect((await receive(url)).map((m) => m.Body).sort()).toEqual(["one", "three"]);
        const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, Message: "m" }));
        expect((await fail(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: eleven })))).name).toBe("TooManyEntriesInBatchRequestException");
        const dup = await fail(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [{ Id: "a", Message: "m" }, { Id: "a", Message: "m" }] })));
        expect([dup.name, dup.message]).toEqual(["BatchEntryIdsNotDistinctException", "Two or more batch entries in the request have the same Id."]);
        const badId = await fail(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: [{ Id: "a b", Message: "m" }] })));
        expect(badId.name).toBe("InvalidBatchEntryIdException");
        const big = Array.from({ length: 2 }, (_, i) => ({ Id: `b${i}`, Message: "x".repeat(150_000) }));
        expect((await fail(sns.send(new PublishBatchCommand({ TopicArn: arn, PublishBatchRequestEntries: big })))).name).toBe("BatchRequestTooLongException");
      });

      it("FIFO topic to FIFO queue: group order, sequence numbers, 5-minute deduplication", async () => {
        const clock = createManualClock(Date.UTC(2026, 11, 5));
        emulator = createEmulator({ store: make(), clock });
        sns = new SNSClient(inProcess(emulator));
        sqs = new SQSClient(inProcess(emulator));
        const arn = await topic("orders.fifo", { FifoTopic: "true", ContentBasedDeduplication: "true" });
        const { url, arn: qarn } = await queue("orders-q.fifo", { FifoQueue: "true" });
        await subscribeQueue(arn, qarn, { RawMessageDelivery: "true" });
        const seqs: string[] = [];
        for (let i = 1; i <= 5; i++) seqs.push((await sns.send(new PublishCommand({ TopicArn: arn, Message: `m${i}`, MessageGroupId: "g" }))).SequenceNumber!);
        expect(seqs.map((s) => s.length)).toEqual([20, 20, 20, 20, 20]);
        expect([...seqs].sort()).toEqual(seqs);
        const again = await sns.send(new PublishCommand({ TopicArn: arn, Message: "m1", MessageGroupId: "g" }));
        expect(again.SequenceNumber).toBe(seqs[0]);
        await emulator.settled();
        const got = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, AttributeNames: ["All"] }))).Messages!;
        expect(got.map((m) => m.Body)).toEqual(["m1", "m2", "m3", "m4", "m5"]);
        expect(got[0]!.Attributes!.MessageGroupId).toBe("g");
        await clock.advance(5 * 60 * 1000 + 1);
        const fresh = await sns.send(new PublishCommand({ TopicArn: arn, Message: "m1", MessageGroupId: "g" }));
        expect(fresh.SequenceNumber! > seqs[4]!).toBe(true);
        const noGroup = await fail(sns.send(new PublishCommand({ TopicArn: arn, Message: "x" })));
        expect(noGroup.message).toBe("Invalid parameter: The MessageGroupId parameter is required for FIFO topics");
        const plain = await topic("nocbd.fifo", { FifoTopic: "true" });
        expect((await fail(sns.send(new PublishCommand({ TopicArn: plain, Message: "x", MessageGroupId: "g" })))).message)
          .toBe("Invalid parameter: The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
      });

      it("delivery status logging writes success and failure records to CloudWatch Logs", async () => {
        const arn = await topic("logged");
        for (const [AttributeName, AttributeValue] of [
          ["SQSSuccessFeedbackRoleArn", `arn:aws:iam::${ACCOUNT}:role/sns-logs`],
          ["SQSSuccessFeedbackSampleRate", "100"],
          ["SQSFailureFeedbackRoleArn", `arn:aws:iam::${ACCOUNT}:role/sns-logs`],
        ]) await sns.send(new SetTopicAttributesCommand({ TopicArn: arn, AttributeName, AttributeValue }));
        const ok = await queue("logged-q");
        await subscribeQueue(arn, ok.arn);
        await subscribeQueue(arn, `arn:aws:sqs:us-east-1:${ACCOUNT}:logged-missing`);
        const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Message: "observe me" }));
        await emulator.settled();
        const logs = new CloudWatchLogsClient(inProcess(emulator));
        const read = async (logGroupName: string) =>
          ((await logs.send(new FilterLogEventsCommand({ logGroupName }))).events ?? []).map((e) => JSON.parse(e.message!));
        const [success] = await read(`sns/us-east-1/${ACCOUNT}/logged`);
        expect(success).toMatchObject({ status: "SUCCESS", notification: { messageId: MessageId, topicArn: arn }, delivery: { destination: ok.arn, attempts: 1 } });
        expect(JSON.parse(success.delivery.providerResponse).sqsMessageId).toMatch(/^[0-9a-f-]{36}$/);
        const [failure] = await read(`sns/us-east-1/${ACCOUNT}/logged/Failure`);
        expect(failure).toMatchObject({ status: "FAILURE", notification: { messageId: MessageId }, delivery: { destination: `arn:aws:sqs:us-east-1:${ACCOUNT}:logged-missing` } });
      });

      it("a missing queue goes to the subscription's dead-letter queue, else is recorded as failed", async () => {
        const arn = await topic("dlq");
        const dlq = await queue("dlq-target");
        await subscribeQueue(arn, `arn:aws:sqs:us-east-1:${ACCOUNT}:never-created`, { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn }) });
        await subscribeQueue(arn, `arn:aws:sqs:us-east-1:${ACCOUNT}:also-missing`);
        const { MessageId } = await sns.send(new PublishCommand({ TopicArn: arn, Message: "lost?" }));
        await emulator.settled();
        const [m] = await receive(dlq.url);
        expect(JSON.parse(m!.Body!)).toMatchObject({ Type: "Notification", MessageId, Message: "lost?" });
        expect(m!.MessageAttributes!.ErrorCode!.StringValue).toBe("QueueDoesNotExist");
        const view = await (await emulator.fetch(new Request(`http://localhost/_fetchstack/services/sns/messages?messageId=${MessageId}`))).json();
        expect(view.messages.map((x: any) => [x.endpoint.split(":").at(-1), x.status]).sort()).toEqual([["also-missing", "failed"], ["never-created", "dead-lettered"]]);
      });
    });
  });
}
