/** Kinesis Data Streams cases over awsJson1_1, as the SDKs send them (HTTP/1.1, as boto3 does). */
import { sigv4, type BenchCase, type BenchRequest } from "./types.ts";

function json11(target: string, body: unknown): BenchRequest {
  return {
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-amz-json-1.1", "x-amz-target": `Kinesis_20131202.${target}`, authorization: sigv4("kinesis"), "x-amz-date": "20261122T000000Z" },
    body: JSON.stringify(body),
  };
}

// 100-byte payloads (base64 in the body), partition keys spread over the shards.
const data = btoa("x".repeat(100));
const batch = (stream: string) => ({ StreamName: stream, Records: Array.from({ length: 500 }, (_, i) => ({ Data: data, PartitionKey: `pk-${i}` })) });

export const kinesisCases: BenchCase[] = [
  {
    name: "kinesis.PutRecords (500 records of 100 B, 4 shards)",
    service: "kinesis",
    moto: true,
    setup: [json11("CreateStream", { StreamName: "bench-put", ShardCount: 4 })],
    request: () => json11("PutRecords", batch("bench-put")),
  },
  {
    name: "kinesis.GetRecords (1,000 records of 100 B)",
    service: "kinesis",
    moto: true,
    setup: [
      json11("CreateStream", { StreamName: "bench-get", ShardCount: 1 }),
      json11("PutRecords", batch("bench-get")),
      json11("PutRecords", batch("bench-get")),
    ],
    // The same TRIM_HORIZON iterator each time (valid 5 minutes): every call reads the 1,000 records.
    async prepare(call) {
      const { ShardIterator } = await call(json11("GetShardIterator", { StreamName: "bench-get", ShardId: "shardId-000000000000", ShardIteratorType: "TRIM_HORIZON" })) as { ShardIterator: string };
      return () => json11("GetRecords", { ShardIterator, Limit: 1000 });
    },
    request: () => {
      throw new Error("kinesis.GetRecords needs prepare()");
    },
  },
];
