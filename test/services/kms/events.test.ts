/**
 * KMS service events: RotateKeyOnDemand sends AWS's "KMS CMK Rotation" event (source aws.kms) to
 * the default EventBridge bus, where a rule routes it to an SQS queue.
 */
import { expect, it } from "vitest";
import {
  CancelKeyDeletionCommand, CreateKeyCommand, DescribeKeyCommand, KMSClient, ListKeyRotationsCommand, RotateKeyOnDemandCommand, ScheduleKeyDeletionCommand,
} from "@aws-sdk/client-kms";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";

it("RotateKeyOnDemand sends KMS CMK Rotation to the default bus", async () => {
  const emulator = createEmulator({ clock: createManualClock() });
  const kms = new KMSClient(inProcess(emulator));
  const events = new EventBridgeClient(inProcess(emulator));
  const sqs = new SQSClient(inProcess(emulator));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "kms-events" }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await events.send(new PutRuleCommand({ Name: "rotations", EventPattern: JSON.stringify({ source: ["aws.kms"], "detail-type": ["KMS CMK Rotation"] }) }));
  await events.send(new PutTargetsCommand({ Rule: "rotations", Targets: [{ Id: "q", Arn: Attributes!.QueueArn }] }));

  const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({}));
  const before = key!.CurrentKeyMaterialId;
  await kms.send(new RotateKeyOnDemandCommand({ KeyId: key!.KeyId }));
  await emulator.settled();
  const { Rotations } = await kms.send(new ListKeyRotationsCommand({ KeyId: key!.KeyId }));

  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  expect(Messages).toHaveLength(1);
  const event = JSON.parse(Messages![0].Body!);
  expect(event).toMatchObject({
    version: "0",
    source: "aws.kms",
    "detail-type": "KMS CMK Rotation",
    account: key!.AWSAccountId,
    region: "us-east-1",
    resources: [key!.Arn],
    detail: {
      "key-id": key!.KeyId,
      "key-origin": "AWS_KMS",
      "rotation-type": "ON_DEMAND",
      "previous-key-material-id": before,
      "current-key-material-id": Rotations![0].KeyMaterialId,
    },
  });
});

it("a key deleted at the end of its window sends KMS CMK Deletion once; a cancelled one none", async () => {
  const clock = createManualClock();
  const emulator = createEmulator({ clock });
  const kms = new KMSClient(inProcess(emulator));
  const events = new EventBridgeClient(inProcess(emulator));
  const sqs = new SQSClient(inProcess(emulator));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "kms-deletions" }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await events.send(new PutRuleCommand({ Name: "deletions", EventPattern: JSON.stringify({ source: ["aws.kms"], "detail-type": ["KMS CMK Deletion"] }) }));
  await events.send(new PutTargetsCommand({ Rule: "deletions", Targets: [{ Id: "q", Arn: Attributes!.QueueArn }] }));

  const { KeyMetadata: doomed } = await kms.send(new CreateKeyCommand({}));
  const { KeyMetadata: spared } = await kms.send(new CreateKeyCommand({}));
  await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed!.KeyId, PendingWindowInDays: 7 }));
  await kms.send(new ScheduleKeyDeletionCommand({ KeyId: spared!.KeyId, PendingWindowInDays: 7 }));
  await kms.send(new CancelKeyDeletionCommand({ KeyId: spared!.KeyId }));
  await clock.advance(7 * 86_400_000 - 1000);
  await emulator.settled();
  expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages ?? []).toHaveLength(0);
  await clock.advance(1000);
  await emulator.settled();
  const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
  expect(Messages).toHaveLength(1);
  const event = JSON.parse(Messages![0].Body!);
  expect(event).toMatchObject({ source: "aws.kms", "detail-type": "KMS CMK Deletion", resources: [doomed!.Arn], detail: { "key-id": doomed!.KeyId } });
  expect(new Date(event.time).getTime()).toBe(clock.now() - (clock.now() % 1000));
  await expect(kms.send(new DescribeKeyCommand({ KeyId: doomed!.KeyId }))).rejects.toMatchObject({ name: "NotFoundException" });
  expect((await kms.send(new DescribeKeyCommand({ KeyId: spared!.KeyId }))).KeyMetadata!.KeyState).toBe("Disabled");
});
