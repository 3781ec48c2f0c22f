/** Firehose and MemoryDB cases over awsJson1_1, as the SDKs send them. */
import { sigv4, type BenchCase, type BenchRequest } from "./types.ts";

function json11(service: string, target: string, body: unknown): BenchRequest {
  return {
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": target, authorization: sigv4(service), "x-amz-date": "20261122T000000Z" },
    body: JSON.stringify(body),
  };
}

const record = btoa(JSON.stringify({ event: "click", at: "2026-11-22T00:00:00Z", user: "u-123" }) + "\n");

export const firehoseCases: BenchCase[] = [
  {
    name: "firehose.PutRecord",
    service: "firehose",
    moto: true,
    setup: [
      json11("firehose", "Firehose_20150804.CreateDeliveryStream", {
        DeliveryStreamName: "bench-stream",
        // Large buffers: the bench measures ingestion, not S3 delivery.
        ExtendedS3DestinationConfiguration: { RoleARN: "arn:aws:iam::000000000000:role/firehose", BucketARN: "arn:aws:s3:::bench-lake", BufferingHints: { SizeInMBs: 128, IntervalInSeconds: 900 } },
      }),
    ],
    request: () => json11("firehose", "Firehose_20150804.PutRecord", { DeliveryStreamName: "bench-stream", Record: { Data: record } }),
  },
  {
    name: "memorydb.DescribeClusters",
    service: "memorydb",
    moto: true,
    setup: [json11("memorydb", "AmazonMemoryDB.CreateCluster", { ClusterName: "bench-cluster", NodeType: "db.t4g.small", ACLName: "open-access" })],
    request: () => json11("memorydb", "AmazonMemoryDB.DescribeClusters", { ClusterName: "bench-cluster" }),
  },
];
