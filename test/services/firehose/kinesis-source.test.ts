/**
 * A delivery stream with a Kinesis data stream as its source reads the stream on the emulator
 * clock and delivers to S3, following a reshard (parents before children), through the JS SDK.
 */
import { describe, expect, it } from "vitest";
import { CreateDeliveryStreamCommand, FirehoseClient } from "@aws-sdk/client-firehose";
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { CreateStreamCommand, KinesisClient, PutRecordCommand, SplitShardCommand } from "@aws-sdk/client-kinesis";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess, STORES } from "../../helpers/clients.ts";

for (const store of STORES.filter((s) => s.name !== "copying store")) {
  describe(`Firehose with a Kinesis stream as source, ${store.name}`, () => {
    it("delivers what the stream receives, across a split, to S3", async () => {
      const clock = createManualClock(Date.UTC(2026, 11, 1));
      const emulator = createEmulator({ store: store.make(), clock });
      const config = inProcess(emulator);
      const kinesis = new KinesisClient(config);
      const firehose = new FirehoseClient(config);
      const s3 = new S3Client({ ...config, forcePathStyle: true });
      await s3.send(new CreateBucketCommand({ Bucket: "from-kinesis" }));
      await kinesis.send(new CreateStreamCommand({ StreamName: "src", ShardCount: 1 }));
      await firehose.send(new CreateDeliveryStreamCommand({
        DeliveryStreamName: "k2s3", DeliveryStreamType: "KinesisStreamAsSource",
        KinesisStreamSourceConfiguration: { KinesisStreamARN: "arn:aws:kinesis:us-east-1:000000000000:stream/src", RoleARN: "arn:aws:iam::000000000000:role/r" },
        ExtendedS3DestinationConfiguration: { RoleARN: "arn:aws:iam::000000000000:role/r", BucketARN: "arn:aws:s3:::from-kinesis", Prefix: "in/", BufferingHints: { IntervalInSeconds: 60, SizeInMBs: 1 } },
      }));
      const put = (text: string) => kinesis.send(new PutRecordCommand({ StreamName: "src", PartitionKey: text, Data: new TextEncoder().encode(`${text}\n`) }));
      await put("a");
      await put("b");
      await clock.advance(1_000);
      await kinesis.send(new SplitShardCommand({ StreamName: "src", ShardToSplit: "shardId-000000000000", NewStartingHashKey: (1n << 127n).toString() }));
      await put("c");
      await put("d");
      await clock.advance(1_000);
      expect((await s3.send(new ListObjectsV2Command({ Bucket: "from-kinesis" }))).KeyCount).toBe(0);
      await clock.advance(60_000);
      await emulator.settled();
      const listed = (await s3.send(new ListObjectsV2Command({ Bucket: "from-kinesis", Prefix: "in/" }))).Contents ?? [];
      let body = "";
      for (const object of listed) body += await (await s3.send(new GetObjectCommand({ Bucket: "from-kinesis", Key: object.Key }))).Body!.transformToString();
      const lines = body.split("\n").filter(Boolean);
      expect(lines.slice(0, 2)).toEqual(["a", "b"]);
      expect(lines.slice(2).sort()).toEqual(["c", "d"]);
      // Nothing is read twice.
      await clock.advance(120_000);
      await emulator.settled();
      const again = (await s3.send(new ListObjectsV2Command({ Bucket: "from-kinesis", Prefix: "in/" }))).Contents ?? [];
      expect(again.length).toBe(listed.length);
    });
  });
}
