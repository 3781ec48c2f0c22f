/**
 * S3 event notifications to SQS through the JS SDK v3: destination validation with the
 * s3:TestEvent, event matching with wildcards and prefix/suffix filters, the event message.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateBucketCommand, DeleteObjectCommand, PutBucketNotificationConfigurationCommand, PutBucketVersioningCommand,
  PutObjectCommand, CopyObjectCommand, S3Client, S3ServiceException, CreateMultipartUploadCommand, UploadPartCommand,
  CompleteMultipartUploadCommand, DeleteObjectsCommand,
} from "@aws-sdk/client-s3";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEmulator } from "../../../src/emulator.ts";
import { createRequestHandler } from "../../../src/runtime/sdk.ts";
import { STORES, TEST_CREDENTIALS } from "../../helpers/clients.ts";
import { uniqueBucket } from "./core-setup.ts";

async function error(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (e) {
    return e as S3ServiceException;
  }
  throw new Error("expected the call to fail");
}

for (const store of STORES) {
  describe(`S3 notifications to SQS, in-process, ${store.name}`, () => {
    let s3: S3Client;
    let sqs: SQSClient;
    let emulator: ReturnType<typeof createEmulator>;
    beforeAll(() => {
      emulator = createEmulator({ store: store.make() });
      const handler = createRequestHandler(emulator);
      s3 = new S3Client({ region: "us-east-1", credentials: TEST_CREDENTIALS, requestHandler: handler, forcePathStyle: true });
      sqs = new SQSClient({ region: "us-east-1", credentials: TEST_CREDENTIALS, requestHandler: handler });
    });
    afterAll(() => {});

    async function drain(queueUrl: string): Promise<any[]> {
      const out: any[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
        if (!r.Messages?.length) break;
        out.push(...r.Messages.map((m) => JSON.parse(m.Body!)));
      }
      return out;
    }

    it("validates destinations, sends s3:TestEvent, then matching events with the S3 message shape", async () => {
      const bucket = uniqueBucket("notify");
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const missing = await error(s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: {
        QueueConfigurations: [{ QueueArn: "arn:aws:sqs:us-east-1:000000000000:no-such-queue", Events: ["s3:ObjectCreated:*"] }],
      } })));
      expect(missing.name).toBe("InvalidArgument");
      expect(missing.message).toBe("Unable to validate the following destination configurations");

      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${bucket}-q` }));
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
      await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: {
        QueueConfigurations: [
          { Id: "created-in", QueueArn: arn, Events: ["s3:ObjectCreated:*"], Filter: { Key: { FilterRules: [{ Name: "prefix", Value: "in/" }, { Name: "suffix", Value: ".txt" }] } } },
          { Id: "removed", QueueArn: arn, Events: ["s3:ObjectRemoved:*"] },
        ],
      } }));
      const test = await drain(QueueUrl!);
      expect(test).toEqual([expect.objectContaining({ Service: "Amazon S3", Event: "s3:TestEvent", Bucket: bucket })]);

      const put = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "in/a b.txt", Body: "hello" }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "in/skip.bin", Body: "x" }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "out/c.txt", Body: "x" }));
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: "in/copy.txt", CopySource: `${bucket}/out/c.txt` }));
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "out/c.txt" }));
      await emulator.settled();
      const events = (await drain(QueueUrl!)).map((m) => m.Records[0]);
      expect(events.map((e) => [e.eventName, e.s3.object.key])).toEqual([
        ["ObjectCreated:Put", "in/a+b.txt"],
        ["ObjectCreated:Copy", "in/copy.txt"],
        ["ObjectRemoved:Delete", "out/c.txt"],
      ]);
      const first = events[0];
      expect(first).toMatchObject({
        eventVersion: "2.1", eventSource: "aws:s3", awsRegion: "us-east-1",
        s3: { s3SchemaVersion: "1.0", configurationId: "created-in", bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
          object: { key: "in/a+b.txt", size: 5, eTag: put.ETag!.slice(1, -1) } },
      });
      expect(first.eventTime).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      expect(first.s3.object.sequencer).toMatch(/^[0-9A-F]+$/);
    });

    it("each handler names its event: CompleteMultipartUpload, DeleteObjects (only what it removed)", async () => {
      const bucket = uniqueBucket("notify-ops");
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${bucket}-q` }));
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
      await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: {
        QueueConfigurations: [{ QueueArn: arn, Events: ["s3:ObjectCreated:CompleteMultipartUpload", "s3:ObjectRemoved:*"] }],
      } }));
      await drain(QueueUrl!);
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: "mpu" }));
      const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: "mpu", UploadId, PartNumber: 1, Body: "tail" }));
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: "mpu", UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "put", Body: "x" }));
      await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: "mpu" }, { Key: "never-there" }] } }));
      await new Promise((r) => setTimeout(r, 50));
      const events = (await drain(QueueUrl!)).map((m) => m.Records[0]);
      expect(events.map((e) => [e.eventName, e.s3.object.key])).toEqual([
        ["ObjectCreated:CompleteMultipartUpload", "mpu"],
        ["ObjectRemoved:Delete", "mpu"],
      ]);
    });

    it("versioned deletes send ObjectRemoved:DeleteMarkerCreated", async () => {
      const bucket = uniqueBucket("notify-ver");
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: "Enabled" } }));
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: `${bucket}-q` }));
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
      await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: {
        QueueConfigurations: [{ QueueArn: arn, Events: ["s3:ObjectRemoved:DeleteMarkerCreated"] }],
      } }));
      await drain(QueueUrl!);
      const v = await s3.send(new PutObjectCommand({ Bucket: bucket, Key: "k", Body: "x" }));
      const del = await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k" }));
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: "k", VersionId: v.VersionId }));
      await emulator.settled();
      const events = (await drain(QueueUrl!)).map((m) => m.Records[0]);
      expect(events.map((e) => [e.eventName, e.s3.object.versionId])).toEqual([["ObjectRemoved:DeleteMarkerCreated", del.VersionId]]);
    });
  });
}
