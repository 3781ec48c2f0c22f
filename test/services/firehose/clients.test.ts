/**
 * Firehose through boto3, AWS CLI v1 and AWS CLI v2 against the Node server: every operation
 * of the seed table. Each suite is skipped, with the reason printed, only where that client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

if (!python.version) console.warn(`skipping boto3 Firehose suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3", () => {
  it("runs the delivery stream lifecycle", async () => {
    const out = await boto3(server.url, `
fh = boto3.client("firehose", endpoint_url=ENDPOINT, region_name="us-east-1")
s3conf = {"RoleARN": "arn:aws:iam::000000000000:role/fh", "BucketARN": "arn:aws:s3:::py-bucket", "Prefix": "fh/"}
arn = fh.create_delivery_stream(DeliveryStreamName="py-fh", DeliveryStreamType="DirectPut", ExtendedS3DestinationConfiguration=s3conf)["DeliveryStreamARN"]
d = fh.describe_delivery_stream(DeliveryStreamName="py-fh")["DeliveryStreamDescription"]
fh.update_destination(DeliveryStreamName="py-fh", CurrentDeliveryStreamVersionId=d["VersionId"], DestinationId=d["Destinations"][0]["DestinationId"], ExtendedS3DestinationUpdate={"Prefix": "new/"})
d2 = fh.describe_delivery_stream(DeliveryStreamName="py-fh")["DeliveryStreamDescription"]
try:
    fh.update_destination(DeliveryStreamName="py-fh", CurrentDeliveryStreamVersionId="1", DestinationId="destinationId-000000000001", ExtendedS3DestinationUpdate={"Prefix": "x/"})
    conflict = None
except botocore.exceptions.ClientError as e:
    conflict = e.response["Error"]["Code"]
rec = fh.put_record(DeliveryStreamName="py-fh", Record={"Data": b"hello\\n"})
batch = fh.put_record_batch(DeliveryStreamName="py-fh", Records=[{"Data": b"a"}, {"Data": b"b"}])
fh.tag_delivery_stream(DeliveryStreamName="py-fh", Tags=[{"Key": "k", "Value": "v"}, {"Key": "k2", "Value": "v2"}])
fh.untag_delivery_stream(DeliveryStreamName="py-fh", TagKeys=["k2"])
tags = fh.list_tags_for_delivery_stream(DeliveryStreamName="py-fh")
names = fh.list_delivery_streams()["DeliveryStreamNames"]
fh.delete_delivery_stream(DeliveryStreamName="py-fh")
try:
    fh.describe_delivery_stream(DeliveryStreamName="py-fh")
    missing = None
except fh.exceptions.ResourceNotFoundException as e:
    missing = e.response["Error"]
print(json.dumps({"arn": arn, "status": d["DeliveryStreamStatus"], "version": d2["VersionId"],
  "prefix": d2["Destinations"][0]["ExtendedS3DestinationDescription"]["Prefix"], "conflict": conflict,
  "recordId": rec["RecordId"], "failed": batch["FailedPutCount"], "n": len(batch["RequestResponses"]),
  "tags": tags["Tags"], "names": names, "missing": missing, "created": d["CreateTimestamp"].isoformat()}))
`);
    expect(out).toMatchObject({
      arn: "arn:aws:firehose:us-east-1:000000000000:deliverystream/py-fh",
      status: "ACTIVE", version: "2", prefix: "new/", conflict: "ConcurrentModificationException", failed: 0, n: 2,
      tags: [{ Key: "k", Value: "v" }], names: ["py-fh"],
      missing: { Code: "ResourceNotFoundException", Message: "Firehose py-fh under account 000000000000 not found." },
    });
    expect(out.recordId.length).toBeGreaterThan(20);
    expect(out.created).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} Firehose suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws, which .ci/run installs); the reason is printed.
  describe.skipIf(!cli)(label, () => {
    const aws = async (...args: string[]) => {
      const result = await run(cli!, ["firehose", ...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
      return { ...result, json: result.stdout.trim() ? JSON.parse(result.stdout) : undefined };
    };

    it("create, put-record(-batch), describe, update-destination, tags, list, delete", async () => {
      const name = `cli-${label.endsWith("v1") ? "v1" : "v2"}`;
      const created = await aws("create-delivery-stream", "--delivery-stream-name", name,
        "--extended-s3-destination-configuration", "RoleARN=arn:aws:iam::000000000000:role/fh,BucketARN=arn:aws:s3:::cli-bucket");
      expect(created.stderr).toBe("");
      expect(created.json.DeliveryStreamARN).toBe(`arn:aws:firehose:us-east-1:000000000000:deliverystream/${name}`);
      // The seed's examples: base64 data on the command line (v2 takes blobs as base64 by default).
      const put = await aws("put-record", "--delivery-stream-name", name, "--record", '{"Data":"SGVsbG8gV29ybGQ="}');
      expect(put.stderr).toBe("");
      expect(put.json.RecordId.length).toBeGreaterThan(20);
      const batch = await aws("put-record-batch", "--delivery-stream-name", name, "--records", '{"Data":"UmVjb3JkMQ=="}', '{"Data":"UmVjb3JkMg=="}');
      expect(batch.json.FailedPutCount).toBe(0);
      expect(batch.json.RequestResponses).toHaveLength(2);
      const described = await aws("describe-delivery-stream", "--delivery-stream-name", name);
      const d = described.json.DeliveryStreamDescription;
      expect(d).toMatchObject({ DeliveryStreamStatus: "ACTIVE", VersionId: "1", DeliveryStreamType: "DirectPut" });
      const updated = await aws("update-destination", "--delivery-stream-name", name, "--current-delivery-stream-version-id", "1",
        "--destination-id", "destinationId-000000000001", "--extended-s3-destination-update", "Prefix=p/");
      expect(updated.stderr).toBe("");
      const stale = await aws("update-destination", "--delivery-stream-name", name, "--current-delivery-stream-version-id", "1",
        "--destination-id", "destinationId-000000000001", "--extended-s3-destination-update", "Prefix=q/");
      expect(stale.code).not.toBe(0);
      expect(stale.stderr).toContain("ConcurrentModificationException");
      await aws("tag-delivery-stream", "--delivery-stream-name", name, "--tags", "Key=env,Value=test", "Key=x,Value=y");
      await aws("untag-delivery-stream", "--delivery-stream-name", name, "--tag-keys", "x");
      const tags = await aws("list-tags-for-delivery-stream", "--delivery-stream-name", name);
      expect(tags.json).toEqual({ Tags: [{ Key: "env", Value: "test" }], HasMoreTags: false });
      const list = await aws("list-delivery-streams");
      expect(list.json.DeliveryStreamNames).toContain(name);
      const deleted = await aws("delete-delivery-stream", "--delivery-stream-name", name);
      expect(deleted.code).toBe(0);
      const missing = await aws("describe-delivery-stream", "--delivery-stream-name", name);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("ResourceNotFoundException");
    }, 60_000);
  });
}
