/**
 * The authorization maps of EventBridge, Scheduler, CloudWatch, MemoryDB and DynamoDB Streams,
 * and Kinesis SubscribeToShard Lambda InvokeWithResponseStream and Logs StartLiveTail (served by preRoute hooks), under enforcement: a user allowed one
 * resource gets it and AWS's AccessDeniedException on another.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { CreateAccessKeyCommand, CreateUserCommand, CreateVirtualMFADeviceCommand, IAMClient, PutUserPolicyCommand, TagMFADeviceCommand } from "@aws-sdk/client-iam";
import { CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand } from "@aws-sdk/client-eventbridge";
import { CreateScheduleCommand, SchedulerClient } from "@aws-sdk/client-scheduler";
import { CloudWatchClient, PutMetricAlarmCommand, PutMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import { CreateACLCommand, MemoryDBClient } from "@aws-sdk/client-memorydb";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DescribeStreamCommand, DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { CreateStreamCommand, KinesisClient, RegisterStreamConsumerCommand, SubscribeToShardCommand } from "@aws-sdk/client-kinesis";
import { CreateRoleCommand } from "@aws-sdk/client-iam";
import { InvokeWithResponseStreamCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { CloudWatchLogsClient, CreateLogGroupCommand, StartLiveTailCommand } from "@aws-sdk/client-cloudwatch-logs";
import { createEmulator, type Emulator } from "../../src/emulator.ts";
import { createRequestHandler } from "../../src/runtime/sdk.ts";
import { TEST_CREDENTIALS } from "../helpers/clients.ts";

type Creds = { accessKeyId: string; secretAccessKey: string };
const A = "000000000000";
const R = "us-east-1";

const config = (emulator: Emulator, credentials: Creds = TEST_CREDENTIALS) => ({ region: R, credentials, requestHandler: createRequestHandler(emulator) });

const denied = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error("expected AccessDenied");
};

async function userWith(emulator: Emulator, name: string, statements: object[]): Promise<Creds> {
  const iam = new IAMClient(config(emulator));
  await iam.send(new CreateUserCommand({ UserName: name }));
  await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: "p", PolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: statements }) }));
  const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
  return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
}

describe("authorization maps under enforceIam", () => {
  let emulator: Emulator;
  beforeEach(() => {
    emulator = createEmulator({ enforceIam: true });
  });

  it("EventBridge: rules by bus and name, PutEvents per bus", async () => {
    await new EventBridgeClient(config(emulator)).send(new CreateEventBusCommand({ Name: "orders" }));
    const user = await userWith(emulator, "ev", [
      { Effect: "Allow", Action: "events:PutRule", Resource: `arn:aws:events:${R}:${A}:rule/orders/allowed` },
      { Effect: "Allow", Action: "events:PutEvents", Resource: `arn:aws:events:${R}:${A}:event-bus/default` },
    ]);
    const events = new EventBridgeClient(config(emulator, user));
    await events.send(new PutRuleCommand({ Name: "allowed", EventBusName: "orders", EventPattern: JSON.stringify({ source: ["x"] }) }));
    expect(await denied(events.send(new PutRuleCommand({ Name: "allowed", EventPattern: JSON.stringify({ source: ["x"] }) })))).toMatchObject({
      name: "AccessDeniedException",
      message: `User: arn:aws:iam::${A}:user/ev is not authorized to perform: events:PutRule on resource: arn:aws:events:${R}:${A}:rule/allowed because no identity-based policy allows the events:PutRule action`,
    });
    await events.send(new PutEventsCommand({ Entries: [{ Source: "x", DetailType: "t", Detail: "{}" }] }));
    expect(await denied(events.send(new PutEventsCommand({ Entries: [{ Source: "x", DetailType: "t", Detail: "{}", EventBusName: "orders" }] })))).toMatchObject({ name: "AccessDeniedException" });
  });

  it("Scheduler: the schedule in its group, and iam:PassRole on the target's role", async () => {
    await new IAMClient(config(emulator)).send(new CreateRoleCommand({ RoleName: "target", AssumeRolePolicyDocument: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "scheduler.amazonaws.com" }, Action: "sts:AssumeRole" }] }) }));
    const role = `arn:aws:iam::${A}:role/target`;
    const schedule = (name: string) => new CreateScheduleCommand({
      Name: name, ScheduleExpression: "rate(1 hour)", FlexibleTimeWindow: { Mode: "OFF" },
      Target: { Arn: `arn:aws:sqs:${R}:${A}:q`, RoleArn: role },
    });
    const noPass = new SchedulerClient(config(emulator, await userWith(emulator, "s1", [{ Effect: "Allow", Action: "scheduler:CreateSchedule", Resource: `arn:aws:scheduler:${R}:${A}:schedule/default/ok` }])));
    expect(await denied(noPass.send(schedule("ok")))).toMatchObject({ name: "AccessDeniedException", message: expect.stringContaining("iam:PassRole") });
    const user = new SchedulerClient(config(emulator, await userWith(emulator, "s2", [
      { Effect: "Allow", Action: "scheduler:CreateSchedule", Resource: `arn:aws:scheduler:${R}:${A}:schedule/default/ok` },
      { Effect: "Allow", Action: "iam:PassRole", Resource: role },
    ])));
    await user.send(schedule("ok"));
    expect(await denied(user.send(schedule("other")))).toMatchObject({ name: "AccessDeniedException", message: expect.stringContaining(`schedule/default/other`) });
  });

  it("CloudWatch: alarms by name, PutMetricData by cloudwatch:namespace", async () => {
    const cw = new CloudWatchClient(config(emulator, await userWith(emulator, "cw", [
      { Effect: "Allow", Action: "cloudwatch:PutMetricAlarm", Resource: `arn:aws:cloudwatch:${R}:${A}:alarm:ok-*` },
      { Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "App" } } },
    ])));
    const alarm = (name: string) => new PutMetricAlarmCommand({ AlarmName: name, MetricName: "m", Namespace: "App", Statistic: "Sum", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanThreshold" });
    await cw.send(alarm("ok-1"));
    expect(await denied(cw.send(alarm("bad")))).toMatchObject({ name: expect.stringMatching(/^AccessDenied/), message: expect.stringContaining(`alarm:bad`) });
    await cw.send(new PutMetricDataCommand({ Namespace: "App", MetricData: [{ MetricName: "m", Value: 1 }] }));
    expect(await denied(cw.send(new PutMetricDataCommand({ Namespace: "Other", MetricData: [{ MetricName: "m", Value: 1 }] })))).toMatchObject({ name: expect.stringMatching(/^AccessDenied/) });
  });

  it("MemoryDB: ACLs by name", async () => {
    const mdb = new MemoryDBClient(config(emulator, await userWith(emulator, "mdb", [{ Effect: "Allow", Action: "memorydb:CreateACL", Resource: `arn:aws:memorydb:${R}:${A}:acl/ok` }])));
    await mdb.send(new CreateACLCommand({ ACLName: "ok" }));
    expect(await denied(mdb.send(new CreateACLCommand({ ACLName: "other" })))).toMatchObject({ name: "AccessDeniedException", message: expect.stringContaining(`acl/other`) });
  });

  it("DynamoDB Streams: DescribeStream on the stream ARN", async () => {
    const ddb = new DynamoDBClient(config(emulator));
    const create = (name: string) => ddb.send(new CreateTableCommand({
      TableName: name, AttributeDefinitions: [{ AttributeName: "k", AttributeType: "S" }], KeySchema: [{ AttributeName: "k", KeyType: "HASH" }],
      BillingMode: "PAY_PER_REQUEST", StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_IMAGE" },
    }));
    const a = (await create("aaa")).TableDescription!.LatestStreamArn!;
    const b = (await create("bbb")).TableDescription!.LatestStreamArn!;
    const streams = new DynamoDBStreamsClient(config(emulator, await userWith(emulator, "st", [{ Effect: "Allow", Action: "dynamodb:DescribeStream", Resource: `arn:aws:dynamodb:${R}:${A}:table/aaa/stream/*` }])));
    expect((await streams.send(new DescribeStreamCommand({ StreamArn: a }))).StreamDescription!.StreamArn).toBe(a);
    expect(await denied(streams.send(new DescribeStreamCommand({ StreamArn: b })))).toMatchObject({ name: "AccessDeniedException", message: expect.stringContaining(`dynamodb:DescribeStream on resource: ${b}`) });
  });

  it("Kinesis SubscribeToShard (served before the pipeline) is decided on the consumer ARN", async () => {
    const root = new KinesisClient(config(emulator));
    await root.send(new CreateStreamCommand({ StreamName: "s", ShardCount: 1 }));
    const stream = `arn:aws:kinesis:${R}:${A}:stream/s`;
    const ok = (await root.send(new RegisterStreamConsumerCommand({ StreamARN: stream, ConsumerName: "ok" }))).Consumer!.ConsumerARN!;
    const other = (await root.send(new RegisterStreamConsumerCommand({ StreamARN: stream, ConsumerName: "other" }))).Consumer!.ConsumerARN!;
    const kinesis = new KinesisClient(config(emulator, await userWith(emulator, "k", [{ Effect: "Allow", Action: "kinesis:SubscribeToShard", Resource: ok }])));
    const subscribe = (arn: string) => kinesis.send(new SubscribeToShardCommand({ ConsumerARN: arn, ShardId: "shardId-000000000000", StartingPosition: { Type: "LATEST" } }));
    expect(await denied(subscribe(other))).toMatchObject({
      name: "AccessDeniedException", message: `User: arn:aws:iam::${A}:user/k is not authorized to perform: kinesis:SubscribeToShard on resource: ${other} because no identity-based policy allows the kinesis:SubscribeToShard action`,
    });
    const out = await subscribe(ok);
    const first = await out.EventStream![Symbol.asyncIterator]().next();
    expect(first.value.SubscribeToShardEvent.Records).toEqual([]);
  });

  it("Lambda InvokeWithResponseStream (served before the pipeline) is decided as lambda:InvokeFunction on the function", async () => {
    const allowed = `arn:aws:lambda:${R}:${A}:function:ok`;
    const lambda = new LambdaClient(config(emulator, await userWith(emulator, "l", [{ Effect: "Allow", Action: "lambda:InvokeFunction", Resource: allowed }])));
    expect(await denied(lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "other" })))).toMatchObject({
      name: "AccessDeniedException", status: 403, message: expect.stringContaining(`lambda:InvokeFunction on resource: arn:aws:lambda:${R}:${A}:function:other`),
    });
    // Allowed: the request gets past authorization to the service's own answer.
    expect(await denied(lambda.send(new InvokeWithResponseStreamCommand({ FunctionName: "ok" })))).toMatchObject({ name: "ResourceNotFoundException" });
  });

  it("Logs StartLiveTail (served before the pipeline) is decided on every log group tailed", async () => {
    const root = new CloudWatchLogsClient(config(emulator));
    await root.send(new CreateLogGroupCommand({ logGroupName: "ok" }));
    await root.send(new CreateLogGroupCommand({ logGroupName: "other" }));
    const group = (name: string) => `arn:aws:logs:${R}:${A}:log-group:${name}`;
    const logs = new CloudWatchLogsClient(config(emulator, await userWith(emulator, "t", [{ Effect: "Allow", Action: "logs:StartLiveTail", Resource: `${group("ok")}:*` }])));
    expect(await denied(logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [group("ok"), group("other")] })))).toMatchObject({
      name: "AccessDeniedException", message: expect.stringContaining(`logs:StartLiveTail on resource: ${group("other")}:*`),
    });
    const out = await logs.send(new StartLiveTailCommand({ logGroupIdentifiers: [group("ok")] }));
    const first = await out.responseStream![Symbol.asyncIterator]().next();
    expect(first.value.sessionStart.logGroupIdentifiers).toEqual([group("ok")]);
    await out.responseStream![Symbol.asyncIterator]().return?.();
  });

  it("IAM: virtual MFA devices by their ARN", async () => {
    const iam = new IAMClient(config(emulator, await userWith(emulator, "m", [{ Effect: "Allow", Action: ["iam:CreateVirtualMFADevice", "iam:TagMFADevice"], Resource: `arn:aws:iam::${A}:mfa/ok` }])));
    await iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "ok" }));
    await iam.send(new TagMFADeviceCommand({ SerialNumber: `arn:aws:iam::${A}:mfa/ok`, Tags: [{ Key: "a", Value: "b" }] }));
    expect(await denied(iam.send(new CreateVirtualMFADeviceCommand({ VirtualMFADeviceName: "other" })))).toMatchObject({ name: "AccessDenied", status: 403, message: expect.stringContaining(`iam:CreateVirtualMFADevice on resource: arn:aws:iam::${A}:mfa/other`) });
  });
});
