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
import { CreateKeyCommand, DisableKeyCommand, KMSClient } from "@aws-sdk/client-kms";
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";

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
    const { firehose, kms } = setup();
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
    let d = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "s" }))).DeliveryStreamDescription!;
    expect(d.DeliveryStreamEncryptionConfiguration).toMatchObject({ Status: "ENABLED", KeyType: "CUSTOMER_MANAGED_CMK", KeyARN: good!.Arn });
    await firehose.send(new StopDeliveryStreamEncryptionCommand({ DeliveryStreamName: "s" }));
    d = (await firehose.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "s" }))).DeliveryStreamDescription!;
    expect(d.DeliveryStreamEncryptionConfiguration).toMatchObject({ Status: "DISABLED" });
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
});
