/**
 * S3 → EventBridge (issue 18): with EventBridgeConfiguration on, object creations and deletions
 * reach the default bus as AWS's "Object Created" / "Object Deleted" events (source aws.s3),
 * matched by a rule and delivered to an SQS target; users still may not send aws.* sources.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CreateBucketCommand, DeleteObjectCommand, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand, PutObjectCommand, S3Client, CopyObjectCommand } from "@aws-sdk/client-s3";
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { inProcess } from "../../helpers/clients.ts";

const emulator = createEmulator({ store: createMemoryStore() });
const s3 = new S3Client({ ...inProcess(emulator), forcePathStyle: true });
const events = new EventBridgeClient(inProcess(emulator));
const sqs = new SQSClient(inProcess(emulator));
let queueUrl: string;

async function received(): Promise<any[]> {
  await emulator.settled();
  const out: any[] = [];
  for (;;) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (!got.Messages?.length) return out;
    out.push(...got.Messages.map((m) => JSON.parse(m.Body!)));
  }
}

beforeAll(async () => {
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "s3-events" }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  await events.send(new PutRuleCommand({ Name: "s3-objects", EventPattern: JSON.stringify({ source: ["aws.s3"], detail: { bucket: { name: ["eb-on", "eb-off"] } } }) }));
  await events.send(new PutTargetsCommand({ Rule: "s3-objects", Targets: [{ Id: "q", Arn: arn }] }));
  for (const b of ["eb-on", "eb-off"]) await s3.send(new CreateBucketCommand({ Bucket: b }));
  await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: "eb-on", NotificationConfiguration: { EventBridgeConfiguration: {} } }));
});

describe("S3 events on the default event bus", () => {
  it("PutObject and CopyObject send Object Created with AWS's detail", async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: "eb-on", Key: "dir/a file.txt", Body: "hello" }));
    await s3.send(new CopyObjectCommand({ Bucket: "eb-on", Key: "copy.txt", CopySource: "eb-on/dir/a%20file.txt" }));
    const got = await received();
    expect(got).toHaveLength(2);
    const [first, second] = got;
    expect(first).toMatchObject({
      version: "0",
      "detail-type": "Object Created",
      source: "aws.s3",
      account: "000000000000",
      region: "us-east-1",
      resources: ["arn:aws:s3:::eb-on"],
      detail: {
        version: "0",
        bucket: { name: "eb-on" },
        object: { key: "dir/a file.txt", size: 5, etag: put.ETag!.replace(/"/g, "") },
        requester: "000000000000",
        reason: "PutObject",
      },
    });
    expect(first.detail.object.sequencer).toMatch(/^[0-9A-F]+$/);
    expect(second.detail).toMatchObject({ object: { key: "copy.txt" }, reason: "CopyObject" });
  });

  it("deletes send Object Deleted with the deletion type; versioned buckets carry version ids", async () => {
    await s3.send(new DeleteObjectCommand({ Bucket: "eb-on", Key: "copy.txt" }));
    const [deleted] = await received();
    expect(deleted["detail-type"]).toBe("Object Deleted");
    expect(deleted.detail).toMatchObject({ object: { key: "copy.txt" }, reason: "DeleteObject", "deletion-type": "Permanently Deleted" });
    expect(deleted.detail.object.size).toBeUndefined();
    await s3.send(new PutBucketVersioningCommand({ Bucket: "eb-on", VersioningConfiguration: { Status: "Enabled" } }));
    const put = await s3.send(new PutObjectCommand({ Bucket: "eb-on", Key: "v", Body: "1" }));
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: "eb-on", Key: "v" }));
    const [created, markerEvent] = await received();
    expect(created.detail.object["version-id"]).toBe(put.VersionId);
    expect(markerEvent.detail).toMatchObject({ "deletion-type": "Delete Marker Created", object: { key: "v", "version-id": marker.VersionId } });
  });

  it("a bucket without EventBridgeConfiguration sends nothing; turning it off stops the events", async () => {
    await s3.send(new PutObjectCommand({ Bucket: "eb-off", Key: "x", Body: "x" }));
    expect(await received()).toEqual([]);
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: "eb-on", NotificationConfiguration: {} }));
    await s3.send(new PutObjectCommand({ Bucket: "eb-on", Key: "quiet", Body: "x" }));
    expect(await received()).toEqual([]);
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: "eb-on", NotificationConfiguration: { EventBridgeConfiguration: {} } }));
  });

  it("clients may not send aws.s3 events themselves", async () => {
    const out = await events.send(new PutEventsCommand({ Entries: [{ Source: "aws.s3", DetailType: "Object Created", Detail: "{}" }] }));
    expect(out.Entries![0]).toMatchObject({ ErrorCode: "NotAuthorizedForSourceException" });
    expect(await received()).toEqual([]);
  });
});
