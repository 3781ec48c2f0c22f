/**
 * DynamoDB through boto3 (client, resource Table with boto3.dynamodb.conditions, waiters) and
 * the AWS CLI v1 and v2 (every operation of the seed table) against the Node server. Each
 * suite is skipped, with the reason printed, only where that client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

if (!python.version) console.warn(`skipping boto3 DynamoDB suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3 DynamoDB", () => {
  it("client: create_table with waiter, put/get/query with numbers, sets and binary, errors", async () => {
    const out = await boto3(server.url, `
from decimal import Decimal
ddb = boto3.client("dynamodb", endpoint_url=ENDPOINT, region_name="us-east-1")
ddb.create_table(TableName="py-client", BillingMode="PAY_PER_REQUEST",
    KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}, {"AttributeName": "sk", "AttributeType": "N"}])
ddb.get_waiter("table_exists").wait(TableName="py-client", WaiterConfig={"Delay": 1, "MaxAttempts": 5})
for i in range(5):
    ddb.put_item(TableName="py-client", Item={"pk": {"S": "user#1"}, "sk": {"N": str(i)}, "tags": {"SS": ["a", "b"]}, "blob": {"B": b"\\x00\\xffbin"}})
got = ddb.get_item(TableName="py-client", Key={"pk": {"S": "user#1"}, "sk": {"N": "1"}}, ConsistentRead=True)["Item"]
q = ddb.query(TableName="py-client", KeyConditionExpression="pk = :p AND sk >= :s", ExpressionAttributeValues={":p": {"S": "user#1"}, ":s": {"N": "2"}}, ScanIndexForward=False)
try:
    ddb.get_item(TableName="no-such-table", Key={"pk": {"S": "x"}})
    err = None
except botocore.exceptions.ClientError as e:
    err = e.response["Error"]
try:
    ddb.put_item(TableName="py-client", Item={"pk": {"S": "user#1"}, "sk": {"N": "1"}}, ConditionExpression="attribute_not_exists(pk)")
    cond = None
except ddb.exceptions.ConditionalCheckFailedException as e:
    cond = e.response["Error"]["Message"]
desc = ddb.describe_table(TableName="py-client")["Table"]
print(json.dumps({"blob": list(got["blob"]["B"]), "tags": sorted(got["tags"]["SS"]), "sks": [i["sk"]["N"] for i in q["Items"]],
    "err": err, "cond": cond, "count": desc["ItemCount"], "status": desc["TableStatus"]}))
`);
    expect(out.blob).toEqual([0, 255, 98, 105, 110]);
    expect(out.tags).toEqual(["a", "b"]);
    expect(out.sks).toEqual(["4", "3", "2"]);
    expect(out.err).toEqual({ Code: "ResourceNotFoundException", Message: "Requested resource not found" });
    expect(out.cond).toBe("The conditional request failed");
    expect(out.count).toBe(5);
    expect(out.status).toBe("ACTIVE");
  });

  it("resource Table with boto3.dynamodb.conditions, batch_writer and scan pagination", async () => {
    const out = await boto3(server.url, `
from decimal import Decimal
from boto3.dynamodb.conditions import Key, Attr
res = boto3.resource("dynamodb", endpoint_url=ENDPOINT, region_name="us-east-1")
table = res.create_table(TableName="py-resource", BillingMode="PAY_PER_REQUEST",
    KeySchema=[{"AttributeName": "artist", "KeyType": "HASH"}, {"AttributeName": "song", "KeyType": "RANGE"}],
    AttributeDefinitions=[{"AttributeName": "artist", "AttributeType": "S"}, {"AttributeName": "song", "AttributeType": "S"}, {"AttributeName": "year", "AttributeType": "N"}],
    GlobalSecondaryIndexes=[{"IndexName": "by-year", "KeySchema": [{"AttributeName": "year", "KeyType": "HASH"}], "Projection": {"ProjectionType": "ALL"}}])
table.wait_until_exists()
with table.batch_writer() as batch:
    for i in range(40):
        batch.put_item(Item={"artist": "a%d" % (i % 4), "song": "s%02d" % i, "year": 2000 + (i % 3), "plays": Decimal("1.5") * i})
q = table.query(KeyConditionExpression=Key("artist").eq("a1") & Key("song").begins_with("s0"), FilterExpression=Attr("plays").gt(5))
gsi = table.query(IndexName="by-year", KeyConditionExpression=Key("year").eq(2001))
table.update_item(Key={"artist": "a0", "song": "s00"}, UpdateExpression="SET plays = plays + :n", ExpressionAttributeValues={":n": Decimal("0.25")})
item = table.get_item(Key={"artist": "a0", "song": "s00"})["Item"]
pages, seen, kwargs = 0, 0, {"Limit": 7}
while True:
    page = table.scan(**kwargs)
    pages += 1
    seen += page["Count"]
    if "LastEvaluatedKey" not in page:
        break
    kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
table.delete()
table.wait_until_not_exists()
print(json.dumps({"q": [i["song"] for i in q["Items"]], "gsi": len(gsi["Items"]), "plays": str(item["plays"]), "pages": pages, "seen": seen}))
`);
    expect(out.q).toEqual(["s05", "s09"]);
    expect(out.gsi).toBe(13);
    expect(out.plays).toBe("0.25");
    expect(out.seen).toBe(40);
    expect(out.pages).toBe(6);
  });
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} DynamoDB suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws, which .ci/run installs); the reason is printed.
  describe.skipIf(!cli)(`${label} DynamoDB`, () => {
    const aws = async (...args: string[]) => {
      const result = await run(cli!, ["dynamodb", ...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
      return { ...result, json: result.stdout.trim() ? JSON.parse(result.stdout) : undefined };
    };

    it("the seed table's operations", async () => {
      const table = `cli-${label.replace(/\W/g, "")}`;
      const created = await aws("create-table", "--table-name", table, "--attribute-definitions", "AttributeName=pk,AttributeType=S",
        "--key-schema", "AttributeName=pk,KeyType=HASH", "--billing-mode", "PAY_PER_REQUEST");
      expect(created.stderr).toBe("");
      expect(created.json.TableDescription.TableName).toBe(table);
      expect((await aws("wait", "table-exists", "--table-name", table)).code).toBe(0);
      expect((await aws("describe-table", "--table-name", table)).json.Table.TableStatus).toBe("ACTIVE");
      expect((await aws("list-tables")).json.TableNames).toContain(table);

      expect((await aws("put-item", "--table-name", table, "--item", '{"pk":{"S":"key1"},"data":{"S":"value1"}}')).code).toBe(0);
      expect((await aws("get-item", "--table-name", table, "--key", '{"pk":{"S":"key1"}}')).json.Item).toEqual({ pk: { S: "key1" }, data: { S: "value1" } });
      const updated = await aws("update-item", "--table-name", table, "--key", '{"pk":{"S":"key1"}}', "--update-expression", "SET #d = :v",
        "--expression-attribute-names", '{"#d":"data"}', "--expression-attribute-values", '{":v":{"S":"value2"}}', "--return-values", "UPDATED_NEW");
      expect(updated.json.Attributes).toEqual({ data: { S: "value2" } });
      const queried = await aws("query", "--table-name", table, "--key-condition-expression", "pk = :pk", "--expression-attribute-values", '{":pk":{"S":"key1"}}');
      expect(queried.json).toMatchObject({ Count: 1, ScannedCount: 1, Items: [{ pk: { S: "key1" }, data: { S: "value2" } }] });
      const scanned = await aws("scan", "--table-name", table);
      expect(scanned.json.Count).toBe(1);

      const batchWrite = await aws("batch-write-item", "--request-items", JSON.stringify({ [table]: [{ PutRequest: { Item: { pk: { S: "b1" } } } }, { PutRequest: { Item: { pk: { S: "b2" } } } }] }));
      expect(batchWrite.json.UnprocessedItems).toEqual({});
      const batchGet = await aws("batch-get-item", "--request-items", JSON.stringify({ [table]: { Keys: [{ pk: { S: "b1" } }, { pk: { S: "b2" } }] } }));
      expect(batchGet.json.Responses[table]).toHaveLength(2);

      const arn = created.json.TableDescription.TableArn;
      expect((await aws("tag-resource", "--resource-arn", arn, "--tags", "Key=env,Value=test")).code).toBe(0);
      expect((await aws("list-tags-of-resource", "--resource-arn", arn)).json.Tags).toEqual([{ Key: "env", Value: "test" }]);
      expect((await aws("untag-resource", "--resource-arn", arn, "--tag-keys", "env")).code).toBe(0);
      const throughput = await aws("update-table", "--table-name", table, "--billing-mode", "PROVISIONED", "--provisioned-throughput", "ReadCapacityUnits=2,WriteCapacityUnits=3");
      expect(throughput.json.TableDescription.ProvisionedThroughput).toMatchObject({ ReadCapacityUnits: 2, WriteCapacityUnits: 3 });
      expect((await aws("delete-item", "--table-name", table, "--key", '{"pk":{"S":"key1"}}')).code).toBe(0);

      const missing = await aws("get-item", "--table-name", "no-such-table", "--key", '{"pk":{"S":"x"}}');
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("ResourceNotFoundException");
      expect((await aws("delete-table", "--table-name", table)).json.TableDescription.TableStatus).toBe("DELETING");
      expect((await aws("wait", "table-not-exists", "--table-name", table)).code).toBe(0);
    }, 180_000);
  });
}
