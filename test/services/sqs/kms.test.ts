/**
 * SQS SSE-KMS queues with real KMS keys (issue 17): SendMessage and ReceiveMessage go through
 * KMS data keys reused for KmsDataKeyReusePeriodSeconds on the injectable clock, and a disabled,
 * missing or deleted key fails them with SQS's Kms* errors once the period is over.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand, SetQueueAttributesCommand, SQSClient, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { CreateAliasCommand, CreateKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from "@aws-sdk/client-kms";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";

async function error(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (e) {
    return e as Error & { $metadata: { httpStatusCode?: number } };
  }
  throw new Error("expected an error");
}

const clock = createManualClock();
const emulator = createEmulator({ store: createMemoryStore(), clock });
const sqs = new SQSClient(inProcess(emulator));
const kms = new KMSClient(inProcess(emulator));
let keyId: string;

beforeAll(async () => {
  keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  await kms.send(new CreateAliasCommand({ AliasName: "alias/queues", TargetKeyId: keyId }));
});

describe("SQS SSE-KMS", () => {
  it("a queue with a KMS key sends and receives; the reuse period defaults to 300 s", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "kms-q", Attributes: { KmsMasterKeyId: "alias/queues" } }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }));
    expect(attrs.Attributes).toMatchObject({ KmsMasterKeyId: "alias/queues", KmsDataKeyReusePeriodSeconds: "300", SqsManagedSseEnabled: "false" });
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "hello" }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(got.Messages?.[0]?.Body).toBe("hello");
  });

  it("a disabled key fails sends and receives once the data key's reuse period has run out", async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "kms-disable", Attributes: { KmsMasterKeyId: key.KeyId!, KmsDataKeyReusePeriodSeconds: "60" } }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "one" }));
    await kms.send(new DisableKeyCommand({ KeyId: key.KeyId }));
    // Within the reuse period SQS does not call KMS again.
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "two" }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(first.Messages).toHaveLength(1);
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: first.Messages![0]!.ReceiptHandle }));
    await clock.advance(61_000);
    const send = await error(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "three" })));
    expect(send.name).toBe("KmsDisabled");
    expect(send.message).toBe(`${key.Arn} is disabled.`);
    expect(send.$metadata.httpStatusCode).toBe(400);
    const batch = await error(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: [{ Id: "a", MessageBody: "x" }] })));
    expect(batch.name).toBe("KmsDisabled");
    const receive = await error(sqs.send(new ReceiveMessageCommand({ QueueUrl })));
    expect(receive.name).toBe("KmsDisabled");
    await kms.send(new EnableKeyCommand({ KeyId: key.KeyId }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "four" }));
    const bodies = [];
    for (let i = 0; i < 3; i++) bodies.push(...((await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }))).Messages ?? []).map((m) => m.Body));
    expect(bodies.sort()).toEqual(first.Messages![0]!.Body === "one" ? ["four", "two"] : ["four", "one"]);
  });

  it("a key that does not exist is accepted as an attribute and fails the first send (KmsNotFound)", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "kms-missing", Attributes: { KmsMasterKeyId: "alias/nothing-here" } }));
    const e = await error(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })));
    expect(e.name).toBe("KmsNotFound");
    expect(e.message).toBe("Alias arn:aws:kms:us-east-1:000000000000:alias/nothing-here is not found.");
    // Switching to SQS-managed encryption removes the KMS key and the sends go through.
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { KmsMasterKeyId: "", SqsManagedSseEnabled: "true" } }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" }));
  });

  it("changing the key takes a new data key at once; a key pending deletion is KmsInvalidState", async () => {
    const key = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "kms-change" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "plain" }));
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.KeyId, PendingWindowInDays: 7 }));
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: { KmsMasterKeyId: key.Arn! } }));
    const e = await error(sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "x" })));
    expect(e.name).toBe("KmsInvalidState");
    expect(e.message).toBe(`${key.Arn} is pending deletion.`);
  });

  it("the AWS managed key alias/aws/sqs works as a KmsMasterKeyId", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "kms-managed", Attributes: { KmsMasterKeyId: "alias/aws/sqs" } }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "m" }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.[0]?.Body).toBe("m");
  });
});
