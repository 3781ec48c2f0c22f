/**
 * SNS mobile push and SMS as stored state, publishing to phone numbers and platform endpoints
 * (recorded in the `messages` view), and delivery to Firehose, through the JS SDK in-process.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  CheckIfPhoneNumberIsOptedOutCommand, CreatePlatformApplicationCommand, CreatePlatformEndpointCommand, CreateSMSSandboxPhoneNumberCommand,
  CreateTopicCommand, DeleteEndpointCommand, DeletePlatformApplicationCommand, GetEndpointAttributesCommand,
  GetPlatformApplicationAttributesCommand, GetSMSAttributesCommand, GetSMSSandboxAccountStatusCommand, ListEndpointsByPlatformApplicationCommand,
  ListOriginationNumbersCommand, ListPhoneNumbersOptedOutCommand, ListPlatformApplicationsCommand, ListSMSSandboxPhoneNumbersCommand,
  OptInPhoneNumberCommand, PublishCommand, SetEndpointAttributesCommand, SetSMSAttributesCommand, SNSClient, SubscribeCommand,
  VerifySMSSandboxPhoneNumberCommand, DeleteSMSSandboxPhoneNumberCommand,
} from "@aws-sdk/client-sns";
import { CreateBucketCommand, ListObjectsV2Command, GetObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateDeliveryStreamCommand, FirehoseClient } from "@aws-sdk/client-firehose";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";

describe("SNS platform applications, SMS and Firehose delivery", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let sns: SNSClient;
  const fail = (p: Promise<unknown>) => p.then(() => { throw new Error("expected an error"); }, (e) => e);
  const view = async (query: string) => (await (await emulator.fetch(new Request(`http://localhost/_fetchstack/services/sns/messages?${query}`))).json()).messages;

  beforeEach(() => {
    clock = createManualClock(Date.UTC(2026, 11, 5));
    emulator = createEmulator({ clock });
    sns = new SNSClient(inProcess(emulator));
  });

  it("platform applications and endpoints; publishing to an endpoint is recorded", async () => {
    const { PlatformApplicationArn } = await sns.send(new CreatePlatformApplicationCommand({ Name: "app", Platform: "GCM", Attributes: { PlatformCredential: "secret" } }));
    expect(PlatformApplicationArn).toBe("arn:aws:sns:us-east-1:000000000000:app/GCM/app");
    const attrs = (await sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn }))).Attributes!;
    expect(attrs.Enabled).toBe("true");
    expect(attrs.PlatformCredential).toBeUndefined();
    expect((await sns.send(new ListPlatformApplicationsCommand({}))).PlatformApplications!.map((a) => a.PlatformApplicationArn)).toEqual([PlatformApplicationArn]);
    expect((await fail(sns.send(new CreatePlatformApplicationCommand({ Name: "x", Platform: "NOKIA", Attributes: { PlatformCredential: "k" } })))).message).toBe("Invalid parameter: Platform");

    const { EndpointArn } = await sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn, Token: "device-1", CustomUserData: "u" }));
    expect(EndpointArn).toMatch(/^arn:aws:sns:us-east-1:000000000000:endpoint\/GCM\/app\/[0-9a-f-]{36}$/);
    expect((await sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn, Token: "device-1", CustomUserData: "u" }))).EndpointArn).toBe(EndpointArn);
    const conflict = await fail(sns.send(new CreatePlatformEndpointCommand({ PlatformApplicationArn, Token: "device-1", CustomUserData: "other" })));
    expect(conflict.message).toBe(`Invalid parameter: Token Reason: Endpoint ${EndpointArn} already exists with the same Token, but different attributes.`);
    expect((await sns.send(new GetEndpointAttributesCommand({ EndpointArn }))).Attributes).toEqual({ Enabled: "true", CustomUserData: "u", Token: "device-1" });
    expect((await sns.send(new ListEndpointsByPlatformApplicationCommand({ PlatformApplicationArn }))).Endpoints!.map((e) => e.EndpointArn)).toEqual([EndpointArn]);

    const { MessageId } = await sns.send(new PublishCommand({ TargetArn: EndpointArn, Message: JSON.stringify({ GCM: '{"data":{"k":"v"}}' }), MessageStructure: "json" }));
    const [recorded] = await view(`targetArn=${encodeURIComponent(EndpointArn!)}`);
    expect(recorded).toMatchObject({ messageId: MessageId, protocol: "application", status: "recorded", messageStructure: "json" });

    await sns.send(new SetEndpointAttributesCommand({ EndpointArn, Attributes: { Enabled: "false" } }));
    const disabled = await fail(sns.send(new PublishCommand({ TargetArn: EndpointArn, Message: "m" })));
    expect([disabled.name, disabled.message]).toEqual(["EndpointDisabledException", "Endpoint is disabled"]);

    // Topic → application subscription.
    await sns.send(new SetEndpointAttributesCommand({ EndpointArn, Attributes: { Enabled: "true" } }));
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: "push" }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "application", Endpoint: EndpointArn }));
    const viaTopic = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "to all devices" }));
    await emulator.settled();
    expect((await view(`messageId=${viaTopic.MessageId}`)).map((m: any) => [m.protocol, m.message, m.targetArn])).toEqual([["application", "to all devices", EndpointArn]]);

    await sns.send(new DeleteEndpointCommand({ EndpointArn }));
    expect((await fail(sns.send(new GetEndpointAttributesCommand({ EndpointArn })))).name).toBe("NotFoundException");
    await sns.send(new DeletePlatformApplicationCommand({ PlatformApplicationArn }));
    expect((await fail(sns.send(new GetPlatformApplicationAttributesCommand({ PlatformApplicationArn })))).name).toBe("NotFoundException");
  });

  it("SMS: attributes, publishing to a phone number, opt-out, sandbox", async () => {
    await sns.send(new SetSMSAttributesCommand({ attributes: { DefaultSMSType: "Transactional", DefaultSenderID: "Fetch" } }));
    expect((await sns.send(new GetSMSAttributesCommand({ attributes: ["DefaultSMSType"] }))).attributes).toEqual({ DefaultSMSType: "Transactional" });
    expect((await fail(sns.send(new SetSMSAttributesCommand({ attributes: { DefaultSMSType: "Loud" } })))).name).toBe("InvalidParameterException");

    const { MessageId } = await sns.send(new PublishCommand({ PhoneNumber: "+15555550100", Message: "your code is 1234" }));
    expect((await view("phoneNumber=%2B15555550100")).map((m: any) => [m.messageId, m.message, m.status])).toEqual([[MessageId, "your code is 1234", "recorded"]]);
    const bad = await fail(sns.send(new PublishCommand({ PhoneNumber: "555", Message: "x" })));
    expect(bad.message).toBe("Invalid parameter: PhoneNumber Reason: 555 is not valid to publish to");

    expect((await sns.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: "+15555550100" }))).isOptedOut).toBe(false);
    expect((await sns.send(new ListPhoneNumbersOptedOutCommand({}))).phoneNumbers).toEqual([]);
    await sns.send(new OptInPhoneNumberCommand({ phoneNumber: "+15555550100" }));
    expect((await sns.send(new ListOriginationNumbersCommand({}))).PhoneNumbers).toEqual([]);

    expect((await sns.send(new GetSMSSandboxAccountStatusCommand({}))).IsInSandbox).toBe(true);
    await sns.send(new CreateSMSSandboxPhoneNumberCommand({ PhoneNumber: "+15555550101" }));
    expect((await sns.send(new ListSMSSandboxPhoneNumbersCommand({}))).PhoneNumbers).toEqual([{ PhoneNumber: "+15555550101", Status: "Pending" }]);
    expect((await fail(sns.send(new VerifySMSSandboxPhoneNumberCommand({ PhoneNumber: "+15555550101", OneTimePassword: "000000" })))).name).toBe("VerificationException");
    await sns.send(new VerifySMSSandboxPhoneNumberCommand({ PhoneNumber: "+15555550101", OneTimePassword: "123456" }));
    expect((await sns.send(new ListSMSSandboxPhoneNumbersCommand({}))).PhoneNumbers).toEqual([{ PhoneNumber: "+15555550101", Status: "Verified" }]);
    await sns.send(new DeleteSMSSandboxPhoneNumberCommand({ PhoneNumber: "+15555550101" }));
    expect((await sns.send(new ListSMSSandboxPhoneNumbersCommand({}))).PhoneNumbers).toEqual([]);

    // An sms subscription records each message for its number.
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: "texts" }))).TopicArn!;
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "sms", Endpoint: "+15555550102" }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify({ default: "long text", sms: "short" }), MessageStructure: "json" }));
    await emulator.settled();
    expect((await view("phoneNumber=%2B15555550102")).map((m: any) => m.message)).toEqual(["short"]);
  });

  it("delivers to a Firehose delivery stream (raw and envelope)", async () => {
    const s3 = new S3Client({ ...inProcess(emulator), forcePathStyle: true });
    const firehose = new FirehoseClient(inProcess(emulator));
    await s3.send(new CreateBucketCommand({ Bucket: "sns-archive" }));
    const stream = await firehose.send(new CreateDeliveryStreamCommand({
      DeliveryStreamName: "sns-stream",
      ExtendedS3DestinationConfiguration: { BucketARN: "arn:aws:s3:::sns-archive", RoleARN: "arn:aws:iam::000000000000:role/fh", BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 1 } },
    }));
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: "to-firehose" }))).TopicArn!;
    const noRole = await fail(sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "firehose", Endpoint: stream.DeliveryStreamARN })));
    expect(noRole.name).toBe("InvalidParameterException");
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "firehose", Endpoint: stream.DeliveryStreamARN, Attributes: { SubscriptionRoleArn: "arn:aws:iam::000000000000:role/sns-fh", RawMessageDelivery: "true" } }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "record-1" }));
    await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "record-2" }));
    await emulator.settled();
    await clock.advance(61_000);
    await emulator.settled();
    const objects = (await s3.send(new ListObjectsV2Command({ Bucket: "sns-archive" }))).Contents ?? [];
    expect(objects).toHaveLength(1);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: "sns-archive", Key: objects[0]!.Key! }))).Body!.transformToString();
    expect(body).toBe("record-1record-2");
  });
});
