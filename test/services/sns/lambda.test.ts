/**
 * SNS → Lambda: a subscribed function really runs (Node runner) with the SNS event record
 * (EventSource, EventSubscriptionArn, Sns.{Type, MessageId, TopicArn, Subject, Message,
 * Timestamp, SignatureVersion, Signature, SigningCertUrl, UnsubscribeUrl, MessageAttributes}),
 * invoked asynchronously; its return value is read back from Lambda's invocations view.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createVerify, X509Certificate } from "node:crypto";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { createNodeLambdaRunner } from "../../../src/runtime/node.ts";
import { inProcess } from "../../helpers/clients.ts";
import { ROLE, zip } from "../lambda/zips.ts";

const runner = createNodeLambdaRunner({ idleMs: 5_000 });
afterAll(() => runner.close());

describe("SNS to Lambda", () => {
  it("invokes the function with the SNS event record", async () => {
    const emulator = createEmulator({ lambdaRunner: runner, clock: createManualClock(Date.now()) });
    const lambda = new LambdaClient(inProcess(emulator));
    const sns = new SNSClient(inProcess(emulator));
    const fn = await lambda.send(new CreateFunctionCommand({
      FunctionName: "on-sns", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Timeout: 10,
      Code: { ZipFile: zip({ "index.mjs": "export const handler = async (event) => event;" }) },
    }));
    const topicArn = (await sns.send(new CreateTopicCommand({ Name: "to-lambda" }))).TopicArn!;
    const subscriptionArn = (await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "lambda", Endpoint: fn.FunctionArn, ReturnSubscriptionArn: true }))).SubscriptionArn!;
    const { MessageId } = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "run me", MessageAttributes: { k: { DataType: "String", StringValue: "v" } } }));
    await emulator.settled();
    const invocations = await (await emulator.fetch(new Request("http://localhost/_fetchstack/services/lambda/invocations?function=on-sns"))).json();
    expect(invocations).toHaveLength(1);
    expect(invocations[0].InvocationType).toBe("Event");
    const event = JSON.parse(invocations[0].Response);
    expect(event.Records).toHaveLength(1);
    const [record] = event.Records;
    expect(record).toMatchObject({ EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: subscriptionArn });
    expect(record.Sns).toMatchObject({
      Type: "Notification", MessageId, TopicArn: topicArn, Subject: null, Message: "run me", SignatureVersion: "1",
      MessageAttributes: { k: { Type: "String", Value: "v" } },
    });
    expect(Object.keys(record.Sns)).toEqual(["Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp", "SignatureVersion", "Signature", "SigningCertUrl", "UnsubscribeUrl", "MessageAttributes"]);
    const cert = new X509Certificate(await (await emulator.fetch(new Request(record.Sns.SigningCertUrl))).text());
    const verifier = createVerify("RSA-SHA1");
    verifier.update(`Message\nrun me\nMessageId\n${MessageId}\nTimestamp\n${record.Sns.Timestamp}\nTopicArn\n${topicArn}\nType\nNotification\n`);
    expect(verifier.verify(cert.publicKey, record.Sns.Signature, "base64")).toBe(true);

    // A function that does not exist: the failure is recorded, not lost silently.
    await sns.send(new SubscribeCommand({ TopicArn: topicArn, Protocol: "lambda", Endpoint: "arn:aws:lambda:us-east-1:000000000000:function:missing" }));
    const second = await sns.send(new PublishCommand({ TopicArn: topicArn, Message: "again" }));
    await emulator.settled();
    const log = await (await emulator.fetch(new Request(`http://localhost/_fetchstack/services/sns/messages?messageId=${second.MessageId}&status=failed`))).json();
    expect(log.messages.map((m: any) => [m.endpoint, m.error.split(":")[0]])).toEqual([["arn:aws:lambda:us-east-1:000000000000:function:missing", "ResourceNotFoundException"]]);
  }, 60_000);
});
