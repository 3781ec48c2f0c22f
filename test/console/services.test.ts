/**
 * The console's views of the other services, in headless Chromium: resources made with the JS
 * SDK are listed and opened, and the views' actions (invoke, publish, put, toggle, delete) act.
 * Skipped, with the reason printed, when no Chromium is installed.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Browser, Page } from "puppeteer-core";
import { zipSync, strToU8 } from "fflate";
import { SNSClient, CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { SQSClient, CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { LambdaClient, CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand, DescribeRuleCommand } from "@aws-sdk/client-eventbridge";
import { KinesisClient, CreateStreamCommand, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { KMSClient, CreateKeyCommand, CreateAliasCommand } from "@aws-sdk/client-kms";
import { SecretsManagerClient, CreateSecretCommand, GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { SSMClient, PutParameterCommand, GetParameterCommand } from "@aws-sdk/client-ssm";
import { FirehoseClient, CreateDeliveryStreamCommand } from "@aws-sdk/client-firehose";
import { MemoryDBClient, CreateClusterCommand } from "@aws-sdk/client-memorydb";
import { SFNClient, CreateStateMachineCommand, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { CloudWatchClient, PutMetricAlarmCommand } from "@aws-sdk/client-cloudwatch";
import { IAMClient, CreateUserCommand } from "@aws-sdk/client-iam";
import { S3Client, CreateBucketCommand } from "@aws-sdk/client-s3";
import { overHttp, startTestServer } from "../helpers/clients.ts";
import { chromium, launch, openPage, route, rows, settle } from "./browser.ts";

if (!chromium.path) console.warn(`skipping the console's service views in Chromium: ${chromium.reason}`);

const ROLE = "arn:aws:iam::000000000000:role/console-test";

// Skipped only when Chromium is absent (.ci/run installs Debian's chromium); the reason is printed.
describe.skipIf(!chromium.path)("console views of every service, in Chromium", () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let http: ReturnType<typeof overHttp>;

  beforeAll(async () => {
    server = await startTestServer();
    http = overHttp(server.url);
    browser = await launch();
    page = await openPage(browser, errors);
    await page.goto(`${server.url}/_fetchstack/ui`);
    await settle(page);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    expect(errors).toEqual([]);
  });

  const waitText = (selector: string, text: string) =>
    page.waitForFunction((s, t) => [...document.querySelectorAll(s)].some((e) => e.textContent?.includes(t)), {}, selector, text);
  const waitStatus = (text: string) => page.waitForFunction((t) => document.querySelector(".status")?.textContent?.includes(t), {}, text);
  const noError = async () => expect(await page.$eval(".status", (el) => (el.classList.contains("error") ? el.textContent : ""))).toBe("");
  const openRow = async (table: string, text: string) => {
    await page.$$eval(`table[data-name=${table}] tbody tr a`, (as, t) => (as.find((a) => a.textContent?.includes(t as string)) as HTMLElement).click(), text);
    await settle(page);
    await noError();
  };

  it("SNS: a topic, its subscriptions, and publishing from the console", async () => {
    const sns = new SNSClient(http);
    const sqs = new SQSClient(http);
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: "alerts" }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "alerts-inbox" }));
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }));
    await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: Attributes!.QueueArn, Attributes: { RawMessageDelivery: "true" } }));
    await route(page, "#/sns");
    await openRow("topics", "alerts");
    expect((await rows(page, "subscriptions"))[0]!.slice(0, 2)).toEqual(["sqs", Attributes!.QueueArn]);
    await page.type("form[data-form=publish] textarea", "disk full");
    await page.click("form[data-form=publish] button[type=submit]");
    await waitStatus("Published message");
    await expect.poll(async () => (await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages?.[0]?.Body, { timeout: 10_000 }).toBe("disk full");
  });

  it("Lambda: a function's configuration, invoked from the console, with its recorded invocation", async () => {
    const lambda = new LambdaClient(http);
    const code = zipSync({ "index.mjs": strToU8("export const handler = async (event) => { console.log('got', event.n); return { doubled: event.n * 2 }; };") });
    await lambda.send(new CreateFunctionCommand({ FunctionName: "doubler", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: code }, Environment: { Variables: { MODE: "test" } } }));
    await route(page, "#/lambda");
    await openRow("functions", "doubler");
    expect(await page.$eval(".view", (el) => el.textContent)).toContain("MODE");
    await page.$eval("form[data-form=invoke] textarea", (el) => ((el as HTMLTextAreaElement).value = '{"n":21}'));
    await page.click("form[data-form=invoke] button[type=submit]");
    await page.waitForFunction(() => document.querySelector(".status")?.textContent?.includes("Invoked doubler"), { timeout: 60_000 });
    await waitText(".view pre", '{"doubled":42}');
    await waitText(".view pre", "got 21");
    await page.click("[data-action=delete]");
    await waitStatus("Deleted function doubler");
  }, 90_000);

  it("CloudWatch Logs: groups → streams → events, and a filter", async () => {
    const logs = new CloudWatchLogsClient(http);
    await logs.send(new CreateLogGroupCommand({ logGroupName: "/app/web" }));
    await logs.send(new CreateLogStreamCommand({ logGroupName: "/app/web", logStreamName: "i-1" }));
    const now = Date.now();
    await logs.send(new PutLogEventsCommand({ logGroupName: "/app/web", logStreamName: "i-1", logEvents: [{ timestamp: now, message: "INFO started" }, { timestamp: now + 1, message: "ERROR boom" }] }));
    await route(page, "#/logs");
    await openRow("log-groups", "/app/web");
    await page.click("table[data-name=log-streams] a");
    await settle(page);
    expect((await rows(page, "log-events")).map((r) => r[1])).toEqual(["INFO started", "ERROR boom"]);
    await route(page, "#/logs/%2Fapp%2Fweb");
    await page.type("form[data-form=filter] input[name=pattern]", "ERROR");
    await page.click("form[data-form=filter] button[type=submit]");
    await waitText("table[data-name=filtered] td", "ERROR boom");
    expect(await rows(page, "filtered")).toHaveLength(1);
  });

  it("EventBridge: bus → rule with pattern and targets; disabled from the console", async () => {
    const eb = new EventBridgeClient(http);
    await eb.send(new PutRuleCommand({ Name: "orders-created", EventPattern: JSON.stringify({ source: ["shop"] }) }));
    await eb.send(new PutTargetsCommand({ Rule: "orders-created", Targets: [{ Id: "q", Arn: "arn:aws:sqs:us-east-1:000000000000:alerts-inbox" }] }));
    await route(page, "#/events");
    await openRow("buses", "default");
    await page.click("table[data-name=rules] a");
    await settle(page);
    expect((await rows(page, "targets"))[0]!.slice(0, 2)).toEqual(["q", "arn:aws:sqs:us-east-1:000000000000:alerts-inbox"]);
    await page.click("[data-action=toggle]");
    await waitStatus("Disabled rule orders-created");
    expect((await eb.send(new DescribeRuleCommand({ Name: "orders-created" }))).State).toBe("DISABLED");
  });

  it("Kinesis: shards and records read from the oldest", async () => {
    const kinesis = new KinesisClient(http);
    await kinesis.send(new CreateStreamCommand({ StreamName: "clicks", ShardCount: 1 }));
    await kinesis.send(new PutRecordCommand({ StreamName: "clicks", PartitionKey: "u1", Data: new TextEncoder().encode("click-1") }));
    await route(page, "#/kinesis");
    await openRow("streams", "clicks");
    await page.click("[data-action=read]");
    await waitText("table[data-name=records] td", "click-1");
    expect((await rows(page, "records"))[0]![1]).toBe("u1");
  });

  it("KMS, Secrets Manager and SSM: keys with aliases, secret values, decrypted parameters", async () => {
    const kms = new KMSClient(http);
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: "console key" }));
    await kms.send(new CreateAliasCommand({ AliasName: "alias/console", TargetKeyId: KeyMetadata!.KeyId }));
    await route(page, "#/kms");
    expect((await rows(page, "keys")).find((r) => r[0] === KeyMetadata!.KeyId)?.[1]).toBe("alias/console");
    await openRow("keys", KeyMetadata!.KeyId!);
    expect(await page.$eval(".view", (el) => el.textContent)).toContain("console key");

    const secrets = new SecretsManagerClient(http);
    await secrets.send(new CreateSecretCommand({ Name: "db-password", SecretString: "hunter2" }));
    await route(page, "#/secretsmanager");
    await openRow("secrets", "db-password");
    await page.click("[data-action=show-value]");
    await waitText(".view pre", "hunter2");
    await page.type("form[data-form=put-value] textarea", "correct horse");
    await page.click("form[data-form=put-value] button[type=submit]");
    await waitStatus("Stored version");
    expect((await secrets.send(new GetSecretValueCommand({ SecretId: "db-password" }))).SecretString).toBe("correct horse");

    const ssm = new SSMClient(http);
    await ssm.send(new PutParameterCommand({ Name: "/app/token", Value: "s3cr3t", Type: "SecureString" }));
    await route(page, "#/ssm");
    await openRow("parameters", "/app/token");
    expect(await page.$eval(".view", (el) => el.textContent)).toContain("s3cr3t");
    await page.click("[data-action=delete]");
    await waitStatus("Deleted parameter /app/token");
    await expect(ssm.send(new GetParameterCommand({ Name: "/app/token" }))).rejects.toMatchObject({ name: "ParameterNotFound" });
  });

  it("Firehose, MemoryDB, CloudWatch and IAM: listed and opened", async () => {
    await new S3Client({ ...http, forcePathStyle: true }).send(new CreateBucketCommand({ Bucket: "lake" }));
    await new FirehoseClient(http).send(new CreateDeliveryStreamCommand({ DeliveryStreamName: "to-lake", ExtendedS3DestinationConfiguration: { RoleARN: ROLE, BucketARN: "arn:aws:s3:::lake" } }));
    await route(page, "#/firehose");
    await openRow("delivery-streams", "to-lake");
    await page.type("form[data-form=put-record] textarea", "row-1");
    await page.click("form[data-form=put-record] button[type=submit]");
    await waitStatus("Put record");

    await new MemoryDBClient(http).send(new CreateClusterCommand({ ClusterName: "cache", NodeType: "db.t4g.small", ACLName: "open-access" }));
    await route(page, "#/memorydb");
    expect((await rows(page, "clusters")).map((r) => r[0])).toContain("cache");
    await openRow("clusters", "cache");

    await new CloudWatchClient(http).send(new PutMetricAlarmCommand({ AlarmName: "high-cpu", Namespace: "App", MetricName: "CPU", Statistic: "Average", Period: 60, EvaluationPeriods: 1, Threshold: 90, ComparisonOperator: "GreaterThanThreshold" }));
    await route(page, "#/cloudwatch");
    expect((await rows(page, "alarms")).map((r) => r[0])).toContain("high-cpu");

    await new IAMClient(http).send(new CreateUserCommand({ UserName: "ana" }));
    await route(page, "#/iam");
    expect((await rows(page, "users")).map((r) => r[0])).toContain("ana");
    await noError();
  });

  it("Step Functions: executions with their states as a graph", async () => {
    const sfn = new SFNClient(http);
    const definition = { StartAt: "Prepare", States: { Prepare: { Type: "Pass", Result: { ok: true }, Next: "Check" }, Check: { Type: "Choice", Choices: [{ Variable: "$.ok", BooleanEquals: true, Next: "Done" }], Default: "Oops" }, Done: { Type: "Succeed" }, Oops: { Type: "Fail", Error: "Bad" } } };
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "checkout", definition: JSON.stringify(definition), roleArn: ROLE }));
    await sfn.send(new StartExecutionCommand({ stateMachineArn, name: "run-1", input: "{}" }));
    await route(page, "#/stepfunctions");
    await openRow("state-machines", "checkout");
    await waitText("table[data-name=executions] td", "SUCCEEDED");
    await page.click("table[data-name=executions] a");
    // The state machine's view is also done: wait for the execution's graph itself.
    await page.waitForSelector(".sf-graph .sf-state[data-state=Done].sf-SUCCEEDED");
    await settle(page);
    const states = await page.$$eval(".sf-graph .sf-state", (els) => els.map((e) => [e.getAttribute("data-state"), e.className.replace("sf-state", "").trim()]));
    expect(states).toEqual([["Prepare", "sf-SUCCEEDED"], ["Check", "sf-SUCCEEDED"], ["Done", "sf-SUCCEEDED"], ["Oops", ""]]);
    await noError();
  });
});
