/**
 * The web console's figures, in headless Chromium (Debian's `chromium`):
 *
 *   npx tsx bench/console.ts               time to first render against 10k objects/items/messages
 *   npx tsx bench/console.ts --screenshots  also writes docs/console/*.png (one per view)
 *   npx tsx bench/console.ts --screenshots-only
 *
 * Time to first render: from navigation start (a fresh page load of `/_fetchstack/ui#/...`) to
 * the view's `data-ready` (its data fetched and drawn), median and max of RUNS loads.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Page } from "puppeteer-core";
import { S3Client, CreateBucketCommand, PutObjectCommand, PutBucketVersioningCommand } from "@aws-sdk/client-s3";
import { SQSClient, CreateQueueCommand, SendMessageBatchCommand, SendMessageCommand, GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { DynamoDBClient, CreateTableCommand, BatchWriteItemCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { SNSClient, CreateTopicCommand, SubscribeCommand, PublishCommand } from "@aws-sdk/client-sns";
import { LambdaClient, CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { KinesisClient, CreateStreamCommand, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { KMSClient, CreateKeyCommand, CreateAliasCommand } from "@aws-sdk/client-kms";
import { SecretsManagerClient, CreateSecretCommand } from "@aws-sdk/client-secrets-manager";
import { SSMClient, PutParameterCommand } from "@aws-sdk/client-ssm";
import { FirehoseClient, CreateDeliveryStreamCommand } from "@aws-sdk/client-firehose";
import { MemoryDBClient, CreateClusterCommand } from "@aws-sdk/client-memorydb";
import { SFNClient, CreateStateMachineCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { IAMClient, CreateUserCommand, CreateRoleCommand } from "@aws-sdk/client-iam";
import { zipSync, strToU8 } from "fflate";
import { startServer } from "../src/runtime/node.ts";
import { createRequestHandler } from "../src/runtime/sdk.ts";
import { CONSOLE_CSS, CONSOLE_JS } from "../src/console/assets.generated.ts";
import { chromium, launch } from "../test/console/browser.ts";

const RUNS = Number(process.env.RUNS ?? 7);
const N = 10_000;
const shots = process.argv.includes("--screenshots") || process.argv.includes("--screenshots-only");
const measure = !process.argv.includes("--screenshots-only");
const root = join(import.meta.dirname, "..");
const ROLE = "arn:aws:iam::000000000000:role/console";

if (!chromium.path) {
  console.error(`bench/console.ts: ${chromium.reason}`);
  process.exit(1);
}

const running = await startServer({ port: 0, host: "127.0.0.1", region: "us-east-1", accountId: "000000000000", servicePorts: {}, verifySignatures: false, credentials: {}, help: false });
const url = `http://127.0.0.1:${running.ports.main}`;
// Seeding goes in-process (the same emulator as the server), so it is quick; the browser reads over HTTP.
const local = { region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, requestHandler: createRequestHandler(running.emulator) };
const http = { region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, endpoint: url };

async function inBatches<T>(items: T[], size: number, run: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(run));
}

const browser = await launch();
if (measure) await figures();
if (shots) await screenshots();
await browser.close();
await running.close();

async function figures(): Promise<void> {
  const started = Date.now();
  const s3 = new S3Client({ ...local, forcePathStyle: true });
  const sqs = new SQSClient(local);
  const ddb = new DynamoDBClient(local);
  await s3.send(new CreateBucketCommand({ Bucket: "flat-10k" }));
  await s3.send(new CreateBucketCommand({ Bucket: "tree-10k" }));
  const keys = Array.from({ length: N }, (_, i) => i);
  await inBatches(keys, 200, (i) => s3.send(new PutObjectCommand({ Bucket: "flat-10k", Key: `object-${String(i).padStart(5, "0")}.json`, Body: `{"n":${i}}` })));
  await inBatches(keys, 200, (i) => s3.send(new PutObjectCommand({ Bucket: "tree-10k", Key: `dir-${String(i % 100).padStart(3, "0")}/object-${i}.json`, Body: `{"n":${i}}` })));
  await ddb.send(new CreateTableCommand({ TableName: "items-10k", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST" }));
  const batches = Array.from({ length: N / 25 }, (_, b) => b);
  await inBatches(batches, 20, (b) => ddb.send(new BatchWriteItemCommand({ RequestItems: { "items-10k": Array.from({ length: 25 }, (_, j) => ({ PutRequest: { Item: { pk: { S: `item-${b * 25 + j}` }, n: { N: String(b * 25 + j) }, name: { S: `name ${b * 25 + j}` } } } })) } })));
  const { QueueUrl: bigQueue } = await sqs.send(new CreateQueueCommand({ QueueName: "messages-10k" }));
  await inBatches(Array.from({ length: N / 10 }, (_, b) => b), 20, (b) => sqs.send(new SendMessageBatchCommand({ QueueUrl: bigQueue, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: String(j), MessageBody: `message ${b * 10 + j}` })) })));
  console.log(`seeded ${N} objects x2, ${N} items, ${N} messages in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  /** One fresh page load of `hash`; ms from navigation start to the view's data-ready. */
  async function firstRender(hash: string): Promise<number> {
    const page = await browser.newPage();
    await page.goto(`${url}/_fetchstack/ui${hash}`, { waitUntil: "domcontentloaded" });
    const handle = await page.waitForFunction(() => (document.querySelector(".view[data-ready]") ? performance.now() : false), { polling: "mutation", timeout: 60_000 });
    const ms = (await handle.jsonValue()) as number;
    await page.close();
    return ms;
  }

  const cases: [string, string][] = [
    ["State (no data: the page's own start)", "#/state"],
    ["S3 bucket list", "#/s3"],
    [`S3 bucket of ${N} keys, first page (200 keys)`, "#/s3/flat-10k"],
    [`S3 bucket of ${N} keys in 100 prefixes (folders)`, "#/s3/tree-10k"],
    [`S3 versions of ${N} keys, first page`, "#/s3/flat-10k?versions=1"],
    [`DynamoDB table of ${N} items (Scan, 50)`, "#/dynamodb/items-10k"],
    [`SQS queue of ${N} messages (peek 200)`, "#/sqs/messages-10k"],
    ["Requests (ring of 200)", "#/requests"],
  ];
  console.log(`\n| view | median ms | max ms |\n|---|---|---|`);
  for (const [name, hash] of cases) {
    await firstRender(hash); // warm the server's code paths once
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) times.push(await firstRender(hash));
    times.sort((a, b) => a - b);
    console.log(`| ${name} | ${Math.round(times[Math.floor(times.length / 2)]!)} | ${Math.round(times.at(-1)!)} |`);
  }
  const page = `<!doctype html>${CONSOLE_CSS}${CONSOLE_JS}`;
  console.log(`\nbundle: ${CONSOLE_JS.length} B script + ${CONSOLE_CSS.length} B styles, ${gzipSync(page).length} B gzipped`);
}

async function screenshots(): Promise<void> {
  const dir = join(root, "docs/console");
  mkdirSync(dir, { recursive: true });
  const sdk = { ...http };
  // A small, readable data set per view.
  const s3h = new S3Client({ ...sdk, forcePathStyle: true });
  await s3h.send(new CreateBucketCommand({ Bucket: "website" }));
  await s3h.send(new PutBucketVersioningCommand({ Bucket: "website", VersioningConfiguration: { Status: "Enabled" } }));
  for (const [key, body, type] of [["index.html", "<h1>hello</h1>", "text/html"], ["assets/app.js", "console.log(1)", "text/javascript"], ["assets/style.css", "body{}", "text/css"], ["robots.txt", "User-agent: *", "text/plain"]]) {
    await s3h.send(new PutObjectCommand({ Bucket: "website", Key: key, Body: body, ContentType: type, Metadata: { team: "web" } }));
  }
  await s3h.send(new PutObjectCommand({ Bucket: "website", Key: "index.html", Body: "<h1>hello again</h1>", ContentType: "text/html", Metadata: { team: "web" } }));
  const sqsh = new SQSClient(sdk);
  const { QueueUrl } = await sqsh.send(new CreateQueueCommand({ QueueName: "orders" }));
  for (let i = 1; i <= 3; i++) await sqsh.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ order: i, total: i * 9.5 }), MessageAttributes: { kind: { DataType: "String", StringValue: "order" } } }));
  await sqsh.send(new CreateQueueCommand({ QueueName: "orders-dlq" }));
  const ddbh = new DynamoDBClient(sdk);
  await ddbh.send(new CreateTableCommand({
    TableName: "users", BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [{ AttributeName: "team", AttributeType: "S" }, { AttributeName: "id", AttributeType: "N" }, { AttributeName: "email", AttributeType: "S" }],
    KeySchema: [{ AttributeName: "team", KeyType: "HASH" }, { AttributeName: "id", KeyType: "RANGE" }],
    GlobalSecondaryIndexes: [{ IndexName: "by-email", KeySchema: [{ AttributeName: "email", KeyType: "HASH" }], Projection: { ProjectionType: "ALL" } }],
  }));
  for (let i = 1; i <= 6; i++) await ddbh.send(new PutItemCommand({ TableName: "users", Item: { team: { S: i < 4 ? "web" : "data" }, id: { N: String(i) }, email: { S: `user${i}@example.com` }, name: { S: `User ${i}` }, roles: { SS: ["dev", ...(i === 1 ? ["admin"] : [])] } } }));
  const sns = new SNSClient(sdk);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "alerts" }));
  const { Attributes } = await sqsh.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: "email", Endpoint: "ops@example.com" }));
  await sns.send(new PublishCommand({ TopicArn, Subject: "Disk", Message: "disk 91% full" }));
  const lambda = new LambdaClient(sdk);
  await lambda.send(new CreateFunctionCommand({ FunctionName: "resize-image", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", MemorySize: 256, Code: { ZipFile: zipSync({ "index.mjs": strToU8("export const handler = async (e) => { console.log('resizing', e.key); return { ok: true, key: e.key }; };") }) }, Environment: { Variables: { BUCKET: "website" } } }));
  const logs = new CloudWatchLogsClient(sdk);
  await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/api" }));
  await logs.send(new CreateLogStreamCommand({ logGroupName: "/app/api", logStreamName: "2026/12/05/i-0abc" }));
  const now = Date.now();
  await logs.send(new PutLogEventsCommand({ logGroupName: "/app/api", logStreamName: "2026/12/05/i-0abc", logEvents: ["INFO listening on :8080", "INFO GET /orders 200 12ms", "WARN slow query 480ms", "ERROR payment declined order=3"].map((message, i) => ({ timestamp: now + i, message })) }));
  const eb = new EventBridgeClient(sdk);
  await eb.send(new PutRuleCommand({ Name: "order-created", EventPattern: JSON.stringify({ source: ["shop.orders"], "detail-type": ["OrderCreated"] }) }));
  await eb.send(new PutTargetsCommand({ Rule: "order-created", Targets: [{ Id: "orders-queue", Arn: Attributes!.QueueArn }] }));
  const kinesis = new KinesisClient(sdk);
  await kinesis.send(new CreateStreamCommand({ StreamName: "clickstream", ShardCount: 2 }));
  for (let i = 0; i < 4; i++) await kinesis.send(new PutRecordCommand({ StreamName: "clickstream", PartitionKey: `user-${i}`, Data: new TextEncoder().encode(JSON.stringify({ page: "/", user: i })) }));
  const kms = new KMSClient(sdk);
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: "application data key" }));
  await kms.send(new CreateAliasCommand({ AliasName: "alias/app-data", TargetKeyId: KeyMetadata!.KeyId }));
  await new SecretsManagerClient(sdk).send(new CreateSecretCommand({ Name: "prod/db", Description: "database credentials", SecretString: JSON.stringify({ user: "app", password: "s3cret" }) }));
  await new SSMClient(sdk).send(new PutParameterCommand({ Name: "/app/feature-flags", Value: "checkout-v2,dark-mode", Type: "StringList" }));
  await new FirehoseClient(sdk).send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "events-to-lake", ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: "arn:aws:s3:::website", Prefix: "lake/" } }));
  await new MemoryDBClient(sdk).send(new CreateClusterCommand({ ClusterName: "sessions", NodeType: "db.t4g.small", ACLName: "open-access" }));
  const sfn = new SFNClient(sdk);
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "checkout", roleArn: ROLE, definition: JSON.stringify({ StartAt: "Validate", States: { Validate: { Type: "Pass", Result: { valid: true }, Next: "IsValid" }, IsValid: { Type: "Choice", Choices: [{ Variable: "$.valid", BooleanEquals: true, Next: "Charge" }], Default: "Reject" }, Charge: { Type: "Pass", Next: "Done" }, Done: { Type: "Succeed" }, Reject: { Type: "Fail", Error: "Invalid" } } }) }));
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, name: "order-42", input: JSON.stringify({ order: 42 }) }));
  const cw = new CloudWatchClient(sdk);
  await cw.send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "Latency", Value: 120, Unit: "Milliseconds", Dimensions: [{ Name: "Route", Value: "/orders" }] }] }));
  await cw.send(new PutMetricAlarmCommand({ AlarmName: "high-latency", Namespace: "App", MetricName: "Latency", Statistic: "Average", Period: 60, EvaluationPeriods: 1, Threshold: 500, ComparisonOperator: "GreaterThanThreshold" }));
  const iam = new IAMClient(sdk);
  await iam.send(new CreateUserCommand({ UserName: "deployer" }));
  await iam.send(new CreateRoleCommand({ RoleName: "lambda-exec", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }));
  await running.emulator.settled();

  const page = await browser.newPage();
  page.on("dialog", (d) => void d.accept());
  await page.setViewport({ width: 1280, height: 760 });
  await page.goto(`${url}/_fetchstack/ui#/`);
  const go = async (hash: string) => {
    await page.evaluate((h) => {
      document.querySelector(".view")?.removeAttribute("data-done");
      location.hash = h;
    }, hash);
    await page.waitForSelector(".view[data-done]");
  };
  const shot = async (name: string, hash?: string, act?: (page: Page) => Promise<void>) => {
    if (hash) await go(hash);
    if (act) await act(page);
    await page.screenshot({ path: join(dir, `${name}.png`) });
    console.log(`docs/console/${name}.png`);
  };
  const enc = encodeURIComponent;
  await shot("overview", "#/");
  await shot("s3-buckets", "#/s3");
  await shot("s3-objects", "#/s3/website");
  await shot("s3-object", "#/s3/website?key=index.html", async (p) => {
    await p.click("[data-action=preview]");
    await p.waitForSelector(".view section pre");
  });
  await shot("sqs-queue", "#/sqs/orders");
  await shot("dynamodb-table", "#/dynamodb/users", async (p) => {
    await p.click("table[data-name=items] tbody tr");
    await p.waitForSelector("form[data-form=item] textarea");
  });
  await shot("sns-topic", `#/sns/${enc(TopicArn!)}`);
  await shot("lambda-function", "#/lambda/resize-image", async (p) => {
    await p.$eval("form[data-form=invoke] textarea", (el) => ((el as HTMLTextAreaElement).value = '{"key":"photo.jpg"}'));
    await p.click("form[data-form=invoke] button[type=submit]");
    await p.waitForFunction(() => document.querySelector(".status")?.textContent?.includes("Invoked"), { timeout: 60_000 });
  });
  await shot("logs-stream", `#/logs/${enc("/app/api")}?stream=${enc("2026/12/05/i-0abc")}`);
  await shot("events-rule", `#/events/default?rule=order-created`);
  await shot("kinesis-stream", "#/kinesis/clickstream", async (p) => {
    await p.click("[data-action=read]");
    await p.waitForSelector("table[data-name=records]");
  });
  await shot("stepfunctions-execution", `#/stepfunctions?execution=${enc(executionArn!)}`);
  await shot("kms-keys", "#/kms");
  await shot("secretsmanager-secret", "#/secretsmanager/prod%2Fdb", async (p) => {
    await p.click("[data-action=show-value]");
    await p.waitForSelector(".view section pre");
  });
  await shot("ssm-parameters", "#/ssm");
  await shot("firehose-stream", "#/firehose/events-to-lake");
  await shot("memorydb-clusters", "#/memorydb");
  await shot("cloudwatch", "#/cloudwatch");
  await shot("iam", "#/iam");
  await shot("requests", "#/requests", async (p) => {
    await p.waitForFunction(() => document.querySelector(".live")?.textContent === "live");
    await new SQSClient(sdk).send(new SendMessageCommand({ QueueUrl, MessageBody: '{"order":4}' }));
    await p.waitForFunction(() => document.querySelector("table[data-name=requests] tbody tr[data-operation=SendMessage]"));
    await p.click("table[data-name=requests] tbody tr[data-operation=SendMessage]");
    await p.waitForSelector(".detail pre");
  });
  await shot("state", "#/state");
}
