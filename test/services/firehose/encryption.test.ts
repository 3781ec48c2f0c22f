/**
 * Firehose server-side encryption with real KMS keys, in-process: StartDeliveryStreamEncryption
 * and CreateDeliveryStream with CUSTOMER_MANAGED_CMK check the key through KMS
 * (InvalidKMSResourceException for a missing, disabled or asymmetric key), and an S3 destination's
 * KMSEncryptionConfig writes objects with SSE-KMS under that key (S3 reports it, and the object
 * reads back through KMS).
 */
import { describe, expect, it } from "vitest";
import {
  CreateDeliveryStreamCommand, DescribeDeliveryStreamCommand, FirehoseClient, PutRecordCommand, StartDeliveryStreamEncryptionCommand,
  StopDeliveryStreamEncryptionCommand,
} from "@aws-sdk/client-firehose";
import { CreateKeyCommand, DescribeKeyCommand, DisableKeyCommand, EnableKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from "@aws-sdk/client-kms";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";
import { ENCRYPTION_TRANSITION_MS } from "../../../src/services/firehose/encryption.ts";

const ROLE = "arn:aws:iam::000000000000:role/firehose";
const errorOf = (p: Promise<unknown>) => p.then(() => { throw new Error("expected an error"); }, (e) => e as { name: string; message: string; code?: string });

function setup() {
  const clock = createManualClock();
  const emulator = createEmulator({ clock });
  return {
    clock,
    emulator,
    firehose: new FirehoseClient(inProcess(emulator)),
    kms: new KMSClient(inProcess(emulator)),
    s3: new S3Client({ ...inProcess(emulator), forcePathStyle: true }),
  };
}

describe("Firehose SSE with KMS", () => {
  it("checks a customer managed key through KMS on Start and Create", async () => {
    const { firehose, kms, clock } = setup();
    await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "s", ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: "arn:aws:s3:::b" } }));
    const missing = await errorOf(firehose.send(new StartDeliveryStreamEncryptionCommand({
      DeliveryStreamName: "s", DeliveryStreamEncryptionConfigurationInput: { KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: "arn:aws:kms:us-east-1:000000000000:key/11111111-2222-3333-4444-555555555555" },
    })));
    expect(missing.name).toBe("InvalidKMSResourceException");
    const { KeyMetadata: rsa } = await kms.send(new CreateKeyCommand({ KeySpec: "RSA_2048", KeyUsage: "SIGN_VERIFY" }));
    expect((await errorOf(firehose.send(new StartDeliveryStreamEncryptionCommand({
      DeliveryStreamName: "s", DeliveryStreamEncryptionConfigurationInput: { KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: rsa!.Arn },
    })))).name).toBe("InvalidKMSResourceException");
    const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({}));
    await kms.send(new DisableKeyCommand({ KeyId: key!.KeyId }));
    expect((await errorOf(firehose.send(new CreateDeliveryStreamCommand({
      DeliveryStreamName: "t", ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: "arn:aws:s3:::b" },
      DeliveryStreamEncryptionConfigurationInput: { KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: key!.Arn },
    })))).name).toBe("InvalidKMSResourceException");

    const { KeyMetadata: good } = await kms.send(new CreateKeyCommand({}));
    await firehose.send(new StartDeliveryStreamEncryptionCommand({
      DeliveryStreamName: "s", DeliveryStreamEncryptionConfigurationInput: { KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: good!.Arn },
    }));
    await clock.advance(ENCRYPTION_TRANSITION_MS);
    let d = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "s" }))).DeliveryStreamDescription!;
    expect(d.DeliveryStreamEncryptionConfiguration).toEqual({ Status: "ENABLED", KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: good!.Arn });
    await firehose.send(new StopDeliveryStreamEncryptionCommand({ DeliveryStreamName: "s" }));
    await clock.advance(ENCRYPTION_TRANSITION_MS);
    d = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "s" }))).DeliveryStreamDescription!;
    expect(d.DeliveryStreamEncryptionConfiguration).toEqual({ Status: "DISABLED" });
  });

  it("writes S3 objects with SSE-KMS under the destination's KMSEncryptionConfig key", async () => {
    const { firehose, kms, s3, emulator } = setup();
    await s3.send(new CreateBucketCommand({ Bucket: "out" }));
    const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({}));
    await firehose.send(new CreateDeliveryStreamCommand({
      DeliveryStreamName: "enc",
      ExtendedS3DestinationConfiguration: {
        RoleARN: ROLE, BucketARN: "arn:aws:s3:::out", BufferingHints: { IntervalInSeconds: 0, SizeInMBs: 1 },
        EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: key!.Arn } },
      },
    }));
    const d = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "enc" }))).DeliveryStreamDescription!;
    expect(d.Destinations![0].ExtendedS3DestinationDescription!.EncryptionConfiguration).toEqual({ KMSEncryptionConfig: { AWSKMSKeyARN: key!.Arn } });
    await firehose.send(new PutRecordCommand({ DeliveryStreamName: "enc", Record: { Data: new TextEncoder().encode("secret record\n") } }));
    await emulator.settled();
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: "out" }));
    expect(listed.Contents).toHaveLength(1);
    const objectKey = listed.Contents![0].Key!;
    const head = await s3.send(new HeadObjectCommand({ Bucket: "out", Key: objectKey }));
    expect(head.ServerSideEncryption).toBe("aws:kms");
    expect(head.SSEKMSKeyId).toBe(key!.Arn);
    const body = await (await s3.send(new GetObjectCommand({ Bucket: "out", Key: objectKey }))).Body!.transformToString();
    expect(body).toBe("secret record\n");
    // Without the key, S3 can no longer read the object.
    await kms.send(new DisableKeyCommand({ KeyId: key!.KeyId }));
    expect((await errorOf(s3.send(new GetObjectCommand({ Bucket: "out", Key: objectKey })))).name).toMatch(/KMS|Disabled/);
  });

  describe("encryption status on the clock", () => {
    const stream = async (firehose: FirehoseClient, name: string) => {
      await firehose.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: name, ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: "arn:aws:s3:::b" } }));
    };
    const status = async (firehose: FirehoseClient, name: string) =>
      (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: name }))).DeliveryStreamDescription!.DeliveryStreamEncryptionConfiguration;
    const put = async (firehose: FirehoseClient, name: string) =>
      (await firehose.send(new PutRecordCommand({ DeliveryStreamName: name, Record: { Data: new TextEncoder().encode("r") } }))).Encrypted;
    const start = (firehose: FirehoseClient, name: string, KeyARN?: string) => firehose.send(new StartDeliveryStreamEncryptionCommand({
      DeliveryStreamName: name, DeliveryStreamEncryptionConfigurationInput: KeyARN ? { KeyType: "CUSTOMER_MANAGED_CMK", KeyARN } : { KeyType: "AWS_OWNED_CMK" },
    }));

    it("goes ENABLING → ENABLED and DISABLING → DISABLED; Encrypted follows; calls in a transition are ResourceInUseException", async () => {
      const { firehose, kms, clock } = setup();
      await stream(firehose, "e");
      const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({}));
      await start(firehose, "e", key!.Arn);
      expect(await status(firehose, "e")).toEqual({ Status: "ENABLING", KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: key!.Arn });
      expect(await put(firehose, "e")).toBe(false);
      expect((await errorOf(start(firehose, "e"))).name).toBe("ResourceInUseException");
      expect((await errorOf(firehose.send(new StopDeliveryStreamEncryptionCommand({ DeliveryStreamName: "e" }))))).toMatchObject({ name: "ResourceInUseException" });
      await clock.advance(ENCRYPTION_TRANSITION_MS - 1);
      expect((await status(firehose, "e"))!.Status).toBe("ENABLING");
      await clock.advance(1);
      expect(await status(firehose, "e")).toEqual({ Status: "ENABLED", KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: key!.Arn });
      expect(await put(firehose, "e")).toBe(true);

      await firehose.send(new StopDeliveryStreamEncryptionCommand({ DeliveryStreamName: "e" }));
      expect(await status(firehose, "e")).toEqual({ Status: "DISABLING", KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: key!.Arn });
      expect(await put(firehose, "e")).toBe(true);
      expect((await errorOf(start(firehose, "e"))).name).toBe("ResourceInUseException");
      await clock.advance(ENCRYPTION_TRANSITION_MS);
      expect(await status(firehose, "e")).toEqual({ Status: "DISABLED" });
      expect(await put(firehose, "e")).toBe(false);
      // Stopping a stream that is not encrypted changes nothing.
      await firehose.send(new StopDeliveryStreamEncryptionCommand({ DeliveryStreamName: "e" }));
      expect(await status(firehose, "e")).toEqual({ Status: "DISABLED" });
    });

    it("ENABLING_FAILED with FailureDescription when the key is disabled or pending deletion by the end of ENABLING", async () => {
      const { firehose, kms, clock } = setup();
      const cases: [string, (keyId: string) => Promise<unknown>, string][] = [
        ["disabled", (KeyId) => kms.send(new DisableKeyCommand({ KeyId })), "DISABLED_KMS_KEY"],
        ["pending", (KeyId) => kms.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 })), "INVALID_KMS_KEY"],
      ];
      for (const [name, spoil, type] of cases) {
        await stream(firehose, name);
        const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({}));
        await start(firehose, name, key!.Arn);
        await spoil(key!.KeyId!);
        await clock.advance(ENCRYPTION_TRANSITION_MS);
        const failed = await status(firehose, name);
        expect(failed).toMatchObject({ Status: "ENABLING_FAILED", KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: key!.Arn, FailureDescription: { Type: type } });
        expect(failed!.FailureDescription!.Details).toContain(key!.Arn);
        expect(await put(firehose, name)).toBe(false);
      }
      // A key already pending deletion at Start is refused at once (KMS's KMSInvalidStateException).
      const { KeyMetadata: doomed } = await kms.send(new CreateKeyCommand({}));
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed!.KeyId, PendingWindowInDays: 7 }));
      expect(await errorOf(start(firehose, "pending", doomed!.Arn))).toMatchObject({ name: "InvalidKMSResourceException" });

      // After ENABLING_FAILED, Start again with a good key succeeds.
      const { KeyMetadata: good } = await kms.send(new CreateKeyCommand({}));
      await start(firehose, "disabled", good!.Arn);
      await clock.advance(ENCRYPTION_TRANSITION_MS);
      expect(await status(firehose, "disabled")).toEqual({ Status: "ENABLED", KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: good!.Arn });
    });

    it("a failed key change keeps encrypting with the old key; puts fail once the key in use is disabled", async () => {
      const { firehose, kms, clock } = setup();
      await stream(firehose, "c");
      const { KeyMetadata: first } = await kms.send(new CreateKeyCommand({}));
      const { KeyMetadata: second } = await kms.send(new CreateKeyCommand({}));
      await start(firehose, "c", first!.Arn);
      await clock.advance(ENCRYPTION_TRANSITION_MS);
      await start(firehose, "c", second!.Arn);
      await kms.send(new DisableKeyCommand({ KeyId: second!.KeyId }));
      await clock.advance(ENCRYPTION_TRANSITION_MS);
      expect(await status(firehose, "c")).toMatchObject({ Status: "ENABLING_FAILED", KeyARN: first!.Arn, FailureDescription: { Type: "DISABLED_KMS_KEY" } });
      expect(await put(firehose, "c")).toBe(true);

      await kms.send(new DisableKeyCommand({ KeyId: first!.KeyId }));
      const refused = await errorOf(put(firehose, "c"));
      expect(refused.name).toBe("InvalidKMSResourceException");
      await kms.send(new EnableKeyCommand({ KeyId: first!.KeyId }));
      expect(await put(firehose, "c")).toBe(true);
    });

    it("DISABLING_FAILED (RETIRE_KMS_GRANT_FAILED) when the key is gone by the end of DISABLING", async () => {
      const { firehose, kms, clock } = setup();
      await stream(firehose, "d");
      const { KeyMetadata: key } = await kms.send(new CreateKeyCommand({}));
      await start(firehose, "d", key!.Arn);
      await clock.advance(ENCRYPTION_TRANSITION_MS);
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key!.KeyId, PendingWindowInDays: 7 }));
      await clock.advance(8 * 86_400_000);
      expect((await errorOf(kms.send(new DescribeKeyCommand({ KeyId: key!.KeyId })))).name).toBe("NotFoundException");
      await firehose.send(new StopDeliveryStreamEncryptionCommand({ DeliveryStreamName: "d" }));
      await clock.advance(ENCRYPTION_TRANSITION_MS);
      expect(await status(firehose, "d")).toMatchObject({ Status: "DISABLING_FAILED", KeyARN: key!.Arn, FailureDescription: { Type: "RETIRE_KMS_GRANT_FAILED" } });
    });

    it("limits Start and Stop to 25 calls per stream per 24 hours", async () => {
      const { firehose, clock } = setup();
      await stream(firehose, "l");
      for (let i = 0; i < 25; i++) {
        if (i % 2 === 0) await start(firehose, "l");
        else await firehose.send(new StopDeliveryStreamEncryptionCommand({ DeliveryStreamName: "l" }));
        await clock.advance(ENCRYPTION_TRANSITION_MS);
      }
      expect((await errorOf(firehose.send(new StopDeliveryStreamEncryptionCommand({ DeliveryStreamName: "l" })))).name).toBe("LimitExceededException");
      await clock.advance(86_400_000);
      await firehose.send(new StopDeliveryStreamEncryptionCommand({ DeliveryStreamName: "l" }));
    });
  });
});
