/**
 * Multi-attribute GSI keys and the incremental export checks through boto3 against the Node
 * server (skipped, with the reason printed, where Python/boto3 is absent).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boto3, python } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

if (!python.version) console.warn(`skipping boto3 DynamoDB multi-attribute GSI suite: ${python.reason}`);
// Skipped only when that client is not installed here (.ci/run installs it); the suite says which at the top.
describe.skipIf(!python.version)("boto3 DynamoDB multi-attribute GSI keys and incremental exports", () => {
  it("creates, queries left to right, rejects a gap; checks an incremental export's window", async () => {
    const out = await boto3(server.url, `
import datetime
ddb = boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name="us-east-1")
s3 = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")
ddb.create_table(TableName="py-multi", BillingMode="PAY_PER_REQUEST",
    KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in [("id", "S"), ("org", "S"), ("team", "S"), ("day", "S"), ("seq", "N")]],
    GlobalSecondaryIndexes=[{"IndexName": "byTeam", "Projection": {"ProjectionType": "ALL"}, "KeySchema": [
        {"AttributeName": "org", "KeyType": "HASH"}, {"AttributeName": "team", "KeyType": "HASH"},
        {"AttributeName": "day", "KeyType": "RANGE"}, {"AttributeName": "seq", "KeyType": "RANGE"}]}])
ddb.update_continuous_backups(TableName="py-multi", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True})
start = datetime.datetime.now(datetime.timezone.utc)
for i, (org, team, day, seq) in enumerate([("o", "a", "mon", 2), ("o", "a", "mon", 1), ("o", "a", "tue", 1), ("o", "b", "mon", 1)]):
    ddb.put_item(TableName="py-multi", Item={"id": {"S": f"i{i}"}, "org": {"S": org}, "team": {"S": team}, "day": {"S": day}, "seq": {"N": str(seq)}})
ddb.put_item(TableName="py-multi", Item={"id": {"S": "sparse"}, "org": {"S": "o"}, "team": {"S": "a"}})
v = {":o": {"S": "o"}, ":t": {"S": "a"}}
def q(expr, vals, names=None):
    extra = {"ExpressionAttributeNames": names} if names else {}
    return [i["id"]["S"] for i in ddb.query(TableName="py-multi", IndexName="byTeam", KeyConditionExpression=expr, ExpressionAttributeValues=vals, **extra)["Items"]]
all_a = q("org = :o AND team = :t", v)
mon = q("org = :o AND team = :t AND #d = :d AND seq >= :s", {**v, ":d": {"S": "mon"}, ":s": {"N": "2"}}, {"#d": "day"})
try:
    q("org = :o AND team = :t AND seq = :s", {**v, ":s": {"N": "1"}})
    gap = None
except ddb.exceptions.ClientError as e:
    gap = e.response["Error"]["Message"]
s3.create_bucket(Bucket="py-exports")
arn = ddb.describe_table(TableName="py-multi")["Table"]["TableArn"]
def export_error(spec):
    try:
        ddb.export_table_to_point_in_time(TableArn=arn, S3Bucket="py-exports", ExportType="INCREMENTAL_EXPORT", IncrementalExportSpecification=spec)
    except ddb.exceptions.ClientError as e:
        return [e.response["Error"]["Code"], e.response["Error"]["Message"]]
# The server runs on the real clock, so no 15-minute window lies inside PITR yet: the checks
# answer as DynamoDB does (the written export is tested in-process on a manual clock).
short = export_error({"ExportFromTime": start, "ExportToTime": start + datetime.timedelta(minutes=5)})
early = export_error({"ExportFromTime": start - datetime.timedelta(minutes=30), "ExportViewType": "NEW_IMAGE"})
print(json.dumps({"all": all_a, "mon": mon, "gap": gap, "short": short, "early": early}))
`);
    expect(out.all).toEqual(["i1", "i0", "i2"]);
    expect(out.mon).toEqual(["i0"]);
    expect(out.gap).toBe("Query condition missed key schema element: day");
    expect(out.short).toEqual(["ValidationException", "Invalid Request: The incremental export period must be at least 15 minutes and at most 24 hours"]);
    expect(out.early[0]).toBe("InvalidExportTimeException");
  }, 120_000);
});
