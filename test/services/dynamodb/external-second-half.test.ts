/**
 * Transactions, Streams, TTL and PartiQL through boto3 (client and resource) and the AWS CLI
 * v1 and v2 against the Node server. Each suite is skipped, with the reason printed, only where
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

if (!python.version) console.warn(`skipping boto3 DynamoDB second-half suite: ${python.reason}`);
describe.skipIf(!python.version)("boto3 DynamoDB transactions, streams, TTL, PartiQL", () => {
  it("transact_write_items cancellation, streams records, execute_statement, TTL", async () => {
    const out = await boto3(server.url, `
from decimal import Decimal
ddb = boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name="us-east-1")
streams = boto3.client("dynamodbstreams", endpoint_url=ENDPOINT, region_name="us-east-1")
t = ddb.create_table(TableName="py-tx", BillingMode="PAY_PER_REQUEST",
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}], AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
    StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})["TableDescription"]
ddb.transact_write_items(TransactItems=[
    {"Put": {"TableName": "py-tx", "Item": {"pk": {"S": "a"}, "n": {"N": "1"}}}},
    {"Put": {"TableName": "py-tx", "Item": {"pk": {"S": "b"}, "n": {"N": "2"}}}}])
try:
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": "py-tx", "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET n = :z", "ExpressionAttributeValues": {":z": {"N": "0"}}}},
        {"ConditionCheck": {"TableName": "py-tx", "Key": {"pk": {"S": "b"}}, "ConditionExpression": "n = :x", "ExpressionAttributeValues": {":x": {"N": "9"}}, "ReturnValuesOnConditionCheckFailure": "ALL_OLD"}}])
    cancelled = None
except ddb.exceptions.TransactionCanceledException as e:
    cancelled = {"code": e.response["Error"]["Code"], "reasons": e.response["CancellationReasons"]}
got = ddb.transact_get_items(TransactItems=[{"Get": {"TableName": "py-tx", "Key": {"pk": {"S": "a"}}}}])["Responses"]
stmt = ddb.execute_statement(Statement='SELECT n FROM "py-tx" WHERE pk = ?', Parameters=[{"S": "b"}])["Items"]
ddb.execute_statement(Statement="UPDATE \\"py-tx\\" SET n = n + 5 WHERE pk = 'b'")
arn = t["LatestStreamArn"]
shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
it = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
recs = streams.get_records(ShardIterator=it)["Records"]
ddb.update_time_to_live(TableName="py-tx", TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
ddb.put_item(TableName="py-tx", Item={"pk": {"S": "old"}, "exp": {"N": "1000000000"}})
ddb.put_item(TableName="py-tx", Item={"pk": {"S": "expired"}, "exp": {"N": str(int(__import__("time").time()) - 60)}})
gone = "Item" in ddb.get_item(TableName="py-tx", Key={"pk": {"S": "expired"}})
ancient = "Item" in ddb.get_item(TableName="py-tx", Key={"pk": {"S": "old"}})
ttl = ddb.describe_time_to_live(TableName="py-tx")["TimeToLiveDescription"]
res = boto3.resource("dynamodb", endpoint_url=ENDPOINT, region_name="us-east-1")
print(json.dumps({"cancelled": cancelled, "got": got, "stmt": stmt,
    "events": [[r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]] for r in recs],
    "user": [r.get("userIdentity") for r in streams.get_records(ShardIterator=it)["Records"] if r["eventName"] == "REMOVE"],
    "gone": gone, "ancient": ancient, "ttl": ttl, "b": str(res.Table("py-tx").get_item(Key={"pk": "b"})["Item"]["n"])}))
`);
    expect(out.cancelled).toEqual({
      code: "TransactionCanceledException",
      reasons: [{ Code: "None" }, { Code: "ConditionalCheckFailed", Message: "The conditional request failed", Item: { pk: { S: "b" }, n: { N: "2" } } }],
    });
    expect(out.got).toEqual([{ Item: { pk: { S: "a" }, n: { N: "1" } } }]);
    expect(out.stmt).toEqual([{ n: { N: "2" } }]);
    expect(out.events).toEqual([["INSERT", "a"], ["INSERT", "b"], ["MODIFY", "b"]]);
    expect(out.user).toEqual([{ Type: "Service", PrincipalId: "dynamodb.amazonaws.com" }]);
    expect(out.gone).toBe(false);
    expect(out.ancient).toBe(true);
    expect(out.ttl).toEqual({ TimeToLiveStatus: "ENABLED", AttributeName: "exp" });
    expect(out.b).toBe("7");
  });
});

const cli = awsCli.v1 ?? awsCli.v2;
if (!cli) console.warn("skipping AWS CLI DynamoDB second-half suite: no AWS CLI installed");
describe.skipIf(!cli)(`AWS CLI (${cli === awsCli.v1 ? "v1" : "v2"}) DynamoDB transactions, streams, PartiQL`, () => {
  const aws = async (service: string, ...args: string[]) => {
    const result = await run(cli!, [service, ...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
    return { ...result, json: result.stdout.trim() ? JSON.parse(result.stdout) : undefined };
  };

  it("transact-write-items, execute-statement, and the dynamodbstreams commands", async () => {
    const created = await aws("dynamodb", "create-table", "--table-name", "cli-streams", "--attribute-definitions", "AttributeName=pk,AttributeType=S",
      "--key-schema", "AttributeName=pk,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST", "--stream-specification", "StreamEnabled=true,StreamViewType=KEYS_ONLY");
    const arn = created.json.TableDescription.LatestStreamArn;
    expect(arn).toContain("/stream/");
    const tx = await aws("dynamodb", "transact-write-items", "--transact-items", JSON.stringify([
      { Put: { TableName: "cli-streams", Item: { pk: { S: "x" } } } },
      { Put: { TableName: "cli-streams", Item: { pk: { S: "x" } } } },
    ]));
    expect(tx.code).not.toBe(0);
    expect(tx.stderr).toContain("Transaction request cannot include multiple operations on one item");
    expect((await aws("dynamodb", "transact-write-items", "--transact-items", JSON.stringify([{ Put: { TableName: "cli-streams", Item: { pk: { S: "x" } } } }]))).code).toBe(0);
    const stmt = await aws("dynamodb", "execute-statement", "--statement", `SELECT * FROM "cli-streams" WHERE pk = 'x'`);
    expect(stmt.json.Items).toEqual([{ pk: { S: "x" } }]);
    const list = await aws("dynamodbstreams", "list-streams", "--table-name", "cli-streams");
    expect(list.json.Streams.map((s: { StreamArn: string }) => s.StreamArn)).toEqual([arn]);
    const shard = (await aws("dynamodbstreams", "describe-stream", "--stream-arn", arn)).json.StreamDescription.Shards[0].ShardId;
    const iterator = (await aws("dynamodbstreams", "get-shard-iterator", "--stream-arn", arn, "--shard-id", shard, "--shard-iterator-type", "TRIM_HORIZON")).json.ShardIterator;
    const records = await aws("dynamodbstreams", "get-records", "--shard-iterator", iterator);
    expect(records.json.Records.map((r: any) => [r.eventName, r.dynamodb.Keys])).toEqual([["INSERT", { pk: { S: "x" } }]]);
  }, 180_000);
});
