/**
 * Firehose control plane and record ingestion through @aws-sdk/client-firehose, in-process on
 * both test stores and over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CreateDeliveryStreamCommand, DeleteDeliveryStreamCommand, DescribeDeliveryStreamCommand, FirehoseClient,
  ListDeliveryStreamsCommand, ListTagsForDeliveryStreamCommand, PutRecordBatchCommand, PutRecordCommand,
  StartDeliveryStreamEncryptionCommand, StopDeliveryStreamEncryptionCommand, TagDeliveryStreamCommand,
  UntagDeliveryStreamCommand, UpdateDestinationCommand,
} from "@aws-sdk/client-firehose";
import { createEmulator } from "../../../src/emulator.ts";
import { inProcess, overHttp, startTestServer, STORES } from "../../helpers/clients.ts";

const ROLE = "arn:aws:iam::000000000000:role/firehose";
const s3Config = (bucket = "fh-bucket", extra: Record<string, unknown> = {}) => ({ RoleARN: ROLE, BucketARN: `arn:aws:s3:::${bucket}`, ...extra });

const transports: { name: string; setup: () => Promise<{ client: FirehoseClient; close: () => Promise<void> }> }[] = [
  ...STORES.map((store) => ({
    name: `in-process, ${store.name}`,
    async setup() {
      const emulator = createEmulator({ store: store.make() });
      return { client: new FirehoseClient(inProcess(emulator)), close: async () => {} };
    },
  })),
  {
    name: "over HTTP",
    async setup() {
      const server = await startTestServer();
      return { client: new FirehoseClient(overHttp(server.url)), close: () => server.close() };
    },
  },
];

for (const { name, setup } of transports) {
  describe(`Firehose ${name}`, () => {
    let client: FirehoseClient;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ client, close } = await setup());
    });
    afterAll(() => close());

    it("creates, describes, lists and deletes a DirectPut stream to ExtendedS3", async () => {
      const created = await client.send(new CreateDeliveryStreamCommand({
        DeliveryStreamName: "orders",
        DeliveryStreamType: "DirectPut",
        ExtendedS3DestinationConfiguration: s3Config("fh-bucket", { Prefix: "raw/", BufferingHints: { SizeInMBs: 1 } }),
        Tags: [{ Key: "team", Value: "data" }],
      }));
      expect(created.DeliveryStreamARN).toBe("arn:aws:firehose:us-east-1:000000000000:deliverystream/orders");

      const { DeliveryStreamDescription: d } = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "orders" }));
      expect(d).toMatchObject({
        DeliveryStreamName: "orders",
        DeliveryStreamARN: created.DeliveryStreamARN,
        DeliveryStreamStatus: "ACTIVE",
        DeliveryStreamType: "DirectPut",
        VersionId: "1",
        HasMoreDestinations: false,
        DeliveryStreamEncryptionConfiguration: { Status: "DISABLED" },
      });
      expect(d!.CreateTimestamp).toBeInstanceOf(Date);
      expect(d!.Destinations).toHaveLength(1);
      const dest = d!.Destinations![0];
      expect(dest.DestinationId).toBe("destinationId-000000000001");
      expect(dest.ExtendedS3DestinationDescription).toMatchObject({
        RoleARN: ROLE,
        BucketARN: "arn:aws:s3:::fh-bucket",
        Prefix: "raw/",
        BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 300 },
        CompressionFormat: "UNCOMPRESSED",
        EncryptionConfiguration: { NoEncryptionConfig: "NoEncryption" },
        S3BackupMode: "Disabled",
      });
      expect(dest.S3DestinationDescription).toMatchObject({ BucketARN: "arn:aws:s3:::fh-bucket", Prefix: "raw/" });

      await client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "audit", S3DestinationConfiguration: s3Config() }));
      const all = await client.send(new ListDeliveryStreamsCommand({}));
      expect(all.DeliveryStreamNames).toEqual(["audit", "orders"]);
      expect(all.HasMoreDeliveryStreams).toBe(false);
      const page = await client.send(new ListDeliveryStreamsCommand({ Limit: 1 }));
      expect(page).toMatchObject({ DeliveryStreamNames: ["audit"], HasMoreDeliveryStreams: true });
      const next = await client.send(new ListDeliveryStreamsCommand({ ExclusiveStartDeliveryStreamName: "audit" }));
      expect(next.DeliveryStreamNames).toEqual(["orders"]);
      const kinesis = await client.send(new ListDeliveryStreamsCommand({ DeliveryStreamType: "KinesisStreamAsSource" }));
      expect(kinesis.DeliveryStreamNames).toEqual([]);

      await client.send(new DeleteDeliveryStreamCommand({ DeliveryStreamName: "audit" }));
      await expect(client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "audit" }))).rejects.toMatchObject({
        name: "ResourceNotFoundException",
        message: "Firehose audit under account 000000000000 not found.",
        $metadata: { httpStatusCode: 400 },
      });
    });

    it("rejects a duplicate name, a missing destination, and invalid prefixes", async () => {
      await expect(client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "orders", ExtendedS3DestinationConfiguration: s3Config() })))
        .rejects.toMatchObject({ name: "ResourceInUseException" });
      await expect(client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "nodest" })))
        .rejects.toMatchObject({ name: "InvalidArgumentException" });
      await expect(client.send(new CreateDeliveryStreamCommand({
        DeliveryStreamName: "two", S3DestinationConfiguration: s3Config(), ExtendedS3DestinationConfiguration: s3Config(),
      }))).rejects.toMatchObject({ name: "InvalidArgumentException" });
      await expect(client.send(new CreateDeliveryStreamCommand({
        DeliveryStreamName: "expr", ExtendedS3DestinationConfiguration: s3Config("b", { Prefix: "y=!{timestamp:yyyy}/" }),
      }))).rejects.toMatchObject({ name: "InvalidArgumentException", message: expect.stringContaining("ErrorOutputPrefix") });
      await expect(client.send(new CreateDeliveryStreamCommand({
        DeliveryStreamName: "expr", ExtendedS3DestinationConfiguration: s3Config("b", { Prefix: "!{firehose:error-output-type}/", ErrorOutputPrefix: "e/" }),
      }))).rejects.toMatchObject({ name: "InvalidArgumentException" });
      await expect(client.send(new CreateDeliveryStreamCommand({
        DeliveryStreamName: "expr", ExtendedS3DestinationConfiguration: s3Config("b", { Prefix: "!{bogus:x}/", ErrorOutputPrefix: "e/" }),
      }))).rejects.toMatchObject({ name: "InvalidArgumentException" });
      await expect(client.send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "bad name!", ExtendedS3DestinationConfiguration: s3Config() })))
        .rejects.toMatchObject({ name: "ValidationException" });
      await expect(client.send(new CreateDeliveryStreamCommand({
        DeliveryStreamName: "kin", DeliveryStreamType: "KinesisStreamAsSource", ExtendedS3DestinationConfiguration: s3Config(),
      }))).rejects.toMatchObject({ name: "InvalidArgumentException" });
    });

    it("UpdateDestination merges, bumps VersionId, and checks CurrentDeliveryStreamVersionId", async () => {
      await client.send(new UpdateDestinationCommand({
        DeliveryStreamName: "orders",
        CurrentDeliveryStreamVersionId: "1",
        DestinationId: "destinationId-000000000001",
        ExtendedS3DestinationUpdate: { CompressionFormat: "GZIP", BufferingHints: { IntervalInSeconds: 60 } },
      }));
      const { DeliveryStreamDescription: d } = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "orders" }));
      expect(d!.VersionId).toBe("2");
      expect(d!.LastUpdateTimestamp).toBeInstanceOf(Date);
      expect(d!.Destinations![0].ExtendedS3DestinationDescription).toMatchObject({
        Prefix: "raw/", CompressionFormat: "GZIP", BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 60 },
      });
      await expect(client.send(new UpdateDestinationCommand({
        DeliveryStreamName: "orders", CurrentDeliveryStreamVersionId: "1", DestinationId: "destinationId-000000000001",
        ExtendedS3DestinationUpdate: { Prefix: "x/" },
      }))).rejects.toMatchObject({ name: "ConcurrentModificationException", $metadata: { httpStatusCode: 400 } });
      await expect(client.send(new UpdateDestinationCommand({
        DeliveryStreamName: "nope", CurrentDeliveryStreamVersionId: "1", DestinationId: "destinationId-000000000001",
        ExtendedS3DestinationUpdate: { Prefix: "x/" },
      }))).rejects.toMatchObject({ name: "ResourceNotFoundException" });
    });

    it("PutRecord and PutRecordBatch return record ids; limits are AWS's", async () => {
      const one = await client.send(new PutRecordCommand({ DeliveryStreamName: "orders", Record: { Data: new TextEncoder().encode("hello\n") } }));
      expect(one.RecordId!.length).toBeGreaterThan(20);
      expect(one.Encrypted).toBe(false);
      const batch = await client.send(new PutRecordBatchCommand({
        DeliveryStreamName: "orders",
        Records: [{ Data: new TextEncoder().encode("a") }, { Data: new TextEncoder().encode("b") }],
      }));
      expect(batch.FailedPutCount).toBe(0);
      expect(batch.RequestResponses).toHaveLength(2);
      expect(new Set(batch.RequestResponses!.map((r) => r.RecordId)).size).toBe(2);
      expect(batch.RequestResponses!.every((r) => r.ErrorCode === undefined)).toBe(true);

      const tooMany = Array.from({ length: 501 }, () => ({ Data: new Uint8Array(1) }));
      await expect(client.send(new PutRecordBatchCommand({ DeliveryStreamName: "orders", Records: tooMany })))
        .rejects.toMatchObject({ name: "ValidationException", message: expect.stringContaining("less than or equal to 500") });
      const big = Array.from({ length: 5 }, () => ({ Data: new Uint8Array(1_000_000) }));
      await expect(client.send(new PutRecordBatchCommand({ DeliveryStreamName: "orders", Records: big })))
        .rejects.toMatchObject({ name: "InvalidArgumentException" });
      await expect(client.send(new PutRecordCommand({ DeliveryStreamName: "orders", Record: { Data: new Uint8Array(1_024_001) } })))
        .rejects.toMatchObject({ name: "ValidationException" });
      await expect(client.send(new PutRecordCommand({ DeliveryStreamName: "missing", Record: { Data: new Uint8Array(1) } })))
        .rejects.toMatchObject({ name: "ResourceNotFoundException" });
    });

    it("Kinesis-sourced streams store their source and refuse direct puts", async () => {
      await client.send(new CreateDeliveryStreamCommand({
        DeliveryStreamName: "from-kinesis",
        DeliveryStreamType: "KinesisStreamAsSource",
        KinesisStreamSourceConfiguration: { KinesisStreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/src", RoleARN: ROLE },
        RedshiftDestinationConfiguration: {
          RoleARN: ROLE, ClusterJDBCURL: "jdbc:redshift://wh.abc123.us-east-1.redshift.amazonaws.com:5439/dev", Username: "u", Password: "secret-pw",
          CopyCommand: { DataTableName: "t" }, S3Configuration: s3Config("stage"),
        },
      }));
      const { DeliveryStreamDescription: d } = await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "from-kinesis" }));
      expect(d!.Source!.KinesisStreamSourceDescription).toMatchObject({ KinesisStreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/src", RoleARN: ROLE });
      expect(d!.Source!.KinesisStreamSourceDescription!.DeliveryStartTimestamp).toBeInstanceOf(Date);
      const redshift = d!.Destinations![0].RedshiftDestinationDescription!;
      expect(redshift).toMatchObject({ ClusterJDBCURL: "jdbc:redshift://wh.abc123.us-east-1.redshift.amazonaws.com:5439/dev", Username: "u", S3DestinationDescription: { BucketARN: "arn:aws:s3:::stage" } });
      expect(JSON.stringify(redshift)).not.toContain("secret-pw");
      await expect(client.send(new PutRecordCommand({ DeliveryStreamName: "from-kinesis", Record: { Data: new Uint8Array(1) } })))
        .rejects.toMatchObject({ name: "InvalidArgumentException" });
      await expect(client.send(new StartDeliveryStreamEncryptionCommand({ DeliveryStreamName: "from-kinesis" })))
        .rejects.toMatchObject({ name: "InvalidArgumentException" });
      const list = await client.send(new ListDeliveryStreamsCommand({ DeliveryStreamType: "KinesisStreamAsSource" }));
      expect(list.DeliveryStreamNames).toEqual(["from-kinesis"]);
    });

    it("tags: tag, list (paged), untag, and the 50-tag limit", async () => {
      await client.send(new TagDeliveryStreamCommand({ DeliveryStreamName: "orders", Tags: [{ Key: "env", Value: "dev" }, { Key: "team", Value: "core" }] }));
      const tags = await client.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: "orders" }));
      expect(tags).toMatchObject({ Tags: [{ Key: "env", Value: "dev" }, { Key: "team", Value: "core" }], HasMoreTags: false });
      const paged = await client.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: "orders", Limit: 1 }));
      expect(paged).toMatchObject({ Tags: [{ Key: "env" }], HasMoreTags: true });
      await client.send(new UntagDeliveryStreamCommand({ DeliveryStreamName: "orders", TagKeys: ["env"] }));
      const after = await client.send(new ListTagsForDeliveryStreamCommand({ DeliveryStreamName: "orders" }));
      expect(after.Tags).toEqual([{ Key: "team", Value: "core" }]);
      const many = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: "v" }));
      await expect(client.send(new TagDeliveryStreamCommand({ DeliveryStreamName: "orders", Tags: many })))
        .rejects.toMatchObject({ name: "LimitExceededException" });
    });

    it("StartDeliveryStreamEncryption begins ENABLING; calls during the transition are ResourceInUseException", async () => {
      await client.send(new StartDeliveryStreamEncryptionCommand({
        DeliveryStreamName: "orders", DeliveryStreamEncryptionConfigurationInput: { KeyType: "AWS_OWNED_CMK" },
      }));
      const d = (await client.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "orders" }))).DeliveryStreamDescription!;
      expect(d.DeliveryStreamEncryptionConfiguration).toEqual({ Status: "ENABLING", KeyType: "AWS_OWNED_CMK" });
      // Data written while ENABLING is not encrypted (AWS's documented behaviour).
      const put = await client.send(new PutRecordCommand({ DeliveryStreamName: "orders", Record: { Data: new Uint8Array(1) } }));
      expect(put.Encrypted).toBe(false);
      await expect(client.send(new StartDeliveryStreamEncryptionCommand({
        DeliveryStreamName: "orders", DeliveryStreamEncryptionConfigurationInput: { KeyType: "CUSTOMER_MANAGED_CMK" },
      }))).rejects.toMatchObject({ name: "InvalidArgumentException" });
      await expect(client.send(new StartDeliveryStreamEncryptionCommand({ DeliveryStreamName: "orders" }))).rejects.toMatchObject({ name: "ResourceInUseException" });
      await expect(client.send(new StopDeliveryStreamEncryptionCommand({ DeliveryStreamName: "orders" }))).rejects.toMatchObject({ name: "ResourceInUseException" });
    });
  });
}
