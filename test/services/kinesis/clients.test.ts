/**
 * Kinesis through boto3, AWS CLI v1 and AWS CLI v2 against the Node server: create, put, read
 * back, reshard, describe, delete. Each suite is skipped, with the reason printed, only where
 * that client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

if (!python.version) console.warn(`skipping boto3 Kinesis suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3", () => {
  it("creates a stream, puts records, reads them across a split, and deletes", async () => {
    const out = await boto3(server.url, `
k = boto3.client("kinesis", endpoint_url=ENDPOINT, region_name="us-east-1")
k.create_stream(StreamName="py", ShardCount=1)
k.get_waiter("stream_exists").wait(StreamName="py", WaiterConfig={"Delay": 1, "MaxAttempts": 3})
first = k.put_record(StreamName="py", PartitionKey="a", Data=b"one")
k.split_shard(StreamName="py", ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127))
batch = k.put_records(StreamName="py", Records=[{"PartitionKey": "a", "Data": b"two"}, {"PartitionKey": "b", "Data": b"three", "ExplicitHashKey": "0"}])
it = k.get_shard_iterator(StreamName="py", ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
parent = k.get_records(ShardIterator=it)
it2 = k.get_shard_iterator(StreamName="py", ShardId="shardId-000000000001", ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=batch["Records"][1]["SequenceNumber"])
child = k.get_records(ShardIterator=it2["ShardIterator"])
summary = k.describe_stream_summary(StreamName="py")["StreamDescriptionSummary"]
k.delete_stream(StreamName="py")
try:
    k.describe_stream(StreamName="py")
    missing = None
except k.exceptions.ResourceNotFoundException as e:
    missing = e.response["Error"]
print(json.dumps({"first": first["ShardId"], "failed": batch["FailedRecordCount"], "parent": [r["Data"].decode() for r in parent["Records"]],
  "parentNext": parent.get("NextShardIterator"), "children": [c["ShardId"] for c in parent["ChildShards"]],
  "child": [r["Data"].decode() for r in child["Records"]], "open": summary["OpenShardCount"],
  "arrival": parent["Records"][0]["ApproximateArrivalTimestamp"].isoformat(), "missing": missing}))
`);
    expect(out).toMatchObject({
      first: "shardId-000000000000", failed: 0, parent: ["one"], parentNext: null,
      children: ["shardId-000000000001", "shardId-000000000002"], child: ["three"], open: 2,
      missing: { Code: "ResourceNotFoundException", Message: "Stream py under account 000000000000 not found." },
    });
    expect(out.arrival).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  }, 60_000);
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} Kinesis suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws, which .ci/run installs); the reason is printed.
  describe.skipIf(!cli)(label, () => {
    const aws = async (...args: string[]) => {
      const result = await run(cli!, ["kinesis", ...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
      return { ...result, json: result.stdout.trim() ? JSON.parse(result.stdout) : undefined };
    };

    it("create-stream, put-record, get-shard-iterator, get-records, list-shards, delete-stream", async () => {
      const name = `cli-${label.endsWith("v1") ? "v1" : "v2"}`;
      expect((await aws("create-stream", "--stream-name", name, "--shard-count", "2")).code).toBe(0);
      // v2 takes blobs as base64 by default, v1 as text.
      const data = label.endsWith("v1") ? "hello" : "aGVsbG8=";
      const put = await aws("put-record", "--stream-name", name, "--partition-key", "k", "--data", data);
      expect(put.stderr).toBe("");
      expect(put.json.SequenceNumber).toMatch(/^\d{56}$/);
      const it = await aws("get-shard-iterator", "--stream-name", name, "--shard-id", put.json.ShardId, "--shard-iterator-type", "TRIM_HORIZON");
      const got = await aws("get-records", "--shard-iterator", it.json.ShardIterator);
      expect(got.json.Records.map((r: any) => Buffer.from(r.Data, "base64").toString())).toEqual(["hello"]);
      expect(got.json.Records[0].SequenceNumber).toBe(put.json.SequenceNumber);
      const shards = await aws("list-shards", "--stream-name", name);
      expect(shards.json.Shards.map((s: any) => s.ShardId)).toEqual(["shardId-000000000000", "shardId-000000000001"]);
      expect((await aws("delete-stream", "--stream-name", name)).code).toBe(0);
      const missing = await aws("describe-stream", "--stream-name", name);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("ResourceNotFoundException");
    }, 120_000);
  });
}
