/**
 * Enhanced fan-out through the Python clients against the Node server (HTTP/1.1, real clock):
 * boto3's `subscribe_to_shard` reads the event stream (records put before it and while it is
 * open, AT_SEQUENCE_NUMBER, errors before the stream and a takeover's ResourceInUseException).
 *
 * Both AWS CLIs remove `subscribe-to-shard` from their command table
 * (awscli/customizations/removals.py, v1 and v2 alike), so they cannot read the stream; their
 * tests register and describe a consumer and put records with the CLI, check that the CLI still
 * refuses the command (so this test is revisited if a CLI ever adds it), and read the records
 * the CLI put through boto3's subscription to the CLI's consumer.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer({ services: ["kinesis"] });
});
afterAll(() => server?.close());

const STREAM_ARN = (name: string) => `arn:aws:kinesis:us-east-1:000000000000:stream/${name}`;

/** Python: reads `events` until `want` records came (or `limit` events), returning them and the last event. */
const READ = `
def read(events, want, limit=20):
    records, last = [], None
    for n, event in enumerate(events):
        last = event["SubscribeToShardEvent"]
        records += last["Records"]
        if len(records) >= want or n >= limit:
            break
    return records, last
`;

if (!python.version) console.warn(`skipping boto3 SubscribeToShard suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3 subscribe_to_shard", () => {
  it("reads records put before and during the subscription, a second consumer from AFTER_SEQUENCE_NUMBER, and AWS's errors", async () => {
    const out = await boto3(server.url, `${READ}
k = boto3.client("kinesis", endpoint_url=ENDPOINT, region_name="us-east-1")
k.create_stream(StreamName="efo", ShardCount=1)
puts = [k.put_record(StreamName="efo", PartitionKey="p%d" % i, Data=b"r%d" % i) for i in range(3)]
consumer = k.register_stream_consumer(StreamARN=${JSON.stringify(STREAM_ARN("efo"))}, ConsumerName="py")["Consumer"]
arn = consumer["ConsumerARN"]
status = k.describe_stream_consumer(ConsumerARN=arn)["ConsumerDescription"]["ConsumerStatus"]

sub = k.subscribe_to_shard(ConsumerARN=arn, ShardId="shardId-000000000000", StartingPosition={"Type": "TRIM_HORIZON"})
stream = sub["EventStream"]
old, last = read(stream, 3)
# A second subscription for the same consumer and shard within 5 s is refused before its stream.
try:
    k.subscribe_to_shard(ConsumerARN=arn, ShardId="shardId-000000000000", StartingPosition={"Type": "LATEST"})
    in_use = None
except k.exceptions.ResourceInUseException as e:
    in_use = e.response["Error"]["Code"]
# Live: a record put while the subscription is open arrives on it.
live_put = k.put_record(StreamName="efo", PartitionKey="live", Data=b"live")
live, live_last = read(stream, 1)
stream.close()

# A second consumer reads the same shard on its own, here after the first record.
arn2 = k.register_stream_consumer(StreamARN=${JSON.stringify(STREAM_ARN("efo"))}, ConsumerName="py2")["Consumer"]["ConsumerARN"]
sub2 = k.subscribe_to_shard(ConsumerARN=arn2, ShardId="shardId-000000000000",
    StartingPosition={"Type": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": puts[0]["SequenceNumber"]})
after, _ = read(sub2["EventStream"], 3)
sub2["EventStream"].close()

try:
    k.subscribe_to_shard(ConsumerARN=arn, ShardId="shardId-000000000009", StartingPosition={"Type": "LATEST"})
    missing = None
except k.exceptions.ResourceNotFoundException as e:
    missing = e.response["Error"]["Code"]
try:
    k.subscribe_to_shard(ConsumerARN=arn, ShardId="shardId-000000000000", StartingPosition={"Type": "AT_SEQUENCE_NUMBER"})
    invalid = None
except botocore.exceptions.ClientError as e:
    invalid = e.response["Error"]["Code"]
print(json.dumps({
    "status": status,
    "old": [[r["Data"].decode(), r["PartitionKey"], r["SequenceNumber"]] for r in old],
    "puts": [p["SequenceNumber"] for p in puts],
    "continuation": last["ContinuationSequenceNumber"], "behind": last["MillisBehindLatest"],
    "arrival": old[0]["ApproximateArrivalTimestamp"].isoformat(),
    "inUse": in_use,
    "live": [[r["Data"].decode(), r["SequenceNumber"]] for r in live], "livePut": live_put["SequenceNumber"],
    "after": [r["Data"].decode() for r in after],
    "missing": missing, "invalid": invalid,
}))
`);
    expect(out.status).toBe("ACTIVE");
    expect(out.old).toEqual([0, 1, 2].map((i) => [`r${i}`, `p${i}`, out.puts[i]]));
    expect(out.continuation).toBe(out.puts[2]);
    expect(out.behind).toBe(0);
    expect(out.arrival).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/);
    expect(out.inUse).toBe("ResourceInUseException");
    expect(out.live).toEqual([["live", out.livePut]]);
    expect(out.after).toEqual(["r1", "r2", "live"]);
    expect(out.missing).toBe("ResourceNotFoundException");
    expect(out.invalid).toBe("InvalidArgumentException");
  }, 120_000);
});

for (const [label, command] of [["AWS CLI v1", awsCli.v1 ? ["python3", "-m", "awscli"] : null], ["AWS CLI v2", awsCli.v2 ? [awsCli.v2] : null]] as const) {
  const reason = !command ? `${label} is not installed` : !python.version ? python.reason : "";
  if (reason) console.warn(`skipping ${label} enhanced fan-out suite: ${reason}`);
  // Skipped only when this AWS CLI (v1: pip's awscli; v2: Debian's /usr/bin/aws) or boto3 is absent; the reason is printed.
  describe.skipIf(!!reason)(`${label} enhanced fan-out`, () => {
    const aws = async (...args: string[]) => {
      const [bin, ...pre] = command!;
      const result = await run(bin!, [...pre, "kinesis", ...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
      return { ...result, json: result.stdout.trim() ? JSON.parse(result.stdout) : undefined };
    };

    it("registers and describes a consumer and puts records; boto3 subscribed with that consumer reads them; the CLI has no subscribe-to-shard", async () => {
      const name = label.endsWith("v1") ? "efo-cli-v1" : "efo-cli-v2";
      expect((await aws("create-stream", "--stream-name", name, "--shard-count", "1")).code).toBe(0);
      const registered = await aws("register-stream-consumer", "--stream-arn", STREAM_ARN(name), "--consumer-name", "cli");
      expect(registered.stderr).toBe("");
      const arn = registered.json.Consumer.ConsumerARN as string;
      expect(arn).toMatch(new RegExp(`^arn:aws:kinesis:us-east-1:000000000000:stream/${name}/consumer/cli:\\d+$`));
      expect(registered.json.Consumer.ConsumerStatus).toBe("CREATING");
      const described = await aws("describe-stream-consumer", "--consumer-arn", arn);
      expect(described.json.ConsumerDescription).toMatchObject({ ConsumerName: "cli", ConsumerStatus: "ACTIVE", StreamARN: STREAM_ARN(name) });
      const listed = await aws("list-stream-consumers", "--stream-arn", STREAM_ARN(name));
      expect(listed.json.Consumers.map((c: any) => c.ConsumerARN)).toEqual([arn]);

      // v2 takes blobs as base64 by default, v1 as text.
      const data = (s: string) => (label.endsWith("v1") ? s : Buffer.from(s).toString("base64"));
      const puts = [];
      for (const s of ["one", "two"]) {
        const put = await aws("put-record", "--stream-name", name, "--partition-key", s, "--data", data(s));
        expect(put.stderr).toBe("");
        puts.push(put.json.SequenceNumber as string);
      }

      const refused = await aws("subscribe-to-shard", "--consumer-arn", arn, "--shard-id", "shardId-000000000000", "--starting-position", "Type=TRIM_HORIZON");
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toContain("Invalid choice");

      const read = await boto3(server.url, `${READ}
k = boto3.client("kinesis", endpoint_url=ENDPOINT, region_name="us-east-1")
sub = k.subscribe_to_shard(ConsumerARN=${JSON.stringify(arn)}, ShardId="shardId-000000000000", StartingPosition={"Type": "TRIM_HORIZON"})
records, last = read(sub["EventStream"], 2)
sub["EventStream"].close()
print(json.dumps({"records": [[r["Data"].decode(), r["SequenceNumber"]] for r in records], "continuation": last["ContinuationSequenceNumber"]}))
`);
      expect(read).toEqual({ records: [["one", puts[0]], ["two", puts[1]]], continuation: puts[1] });

      expect((await aws("deregister-stream-consumer", "--consumer-arn", arn)).code).toBe(0);
      const gone = await aws("describe-stream-consumer", "--consumer-arn", arn);
      expect(gone.code).not.toBe(0);
      expect(gone.stderr).toContain("ResourceNotFoundException");
    }, 240_000);
  });
}
