/**
 * Task integrations acting on fetchstack's own services: a workflow calling a Lambda function
 * (real code on the Node runner, both the optimized integration and the bare ARN), DynamoDB and
 * SQS; `.waitForTaskToken` round trips (success, failure, heartbeat timeout); activities with
 * GetActivityTask; nested executions with `.sync` and `.sync:2`; AWS SDK integrations; SNS and
 * EventBridge; task TimeoutSeconds on the clock.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  SFNClient, CreateStateMachineCommand, StartExecutionCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SendTaskSuccessCommand,
  SendTaskFailureCommand, SendTaskHeartbeatCommand, CreateActivityCommand, GetActivityTaskCommand, DescribeActivityCommand,
} from "@aws-sdk/client-sfn";
import { LambdaClient, CreateFunctionCommand } from "@aws-sdk/client-lambda";
import { DynamoDBClient, CreateTableCommand, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { SNSClient, CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { createNodeLambdaRunner } from "../../../src/runtime/node.ts";
import { inProcess } from "../../helpers/clients.ts";
import { ROLE as LAMBDA_ROLE, zip } from "../lambda/zips.ts";

const ROLE = "arn:aws:iam::000000000000:role/sfn";
const ACCOUNT = "000000000000";
const runner = createNodeLambdaRunner({ idleMs: 5_000 });
afterAll(() => runner.close());

describe("Step Functions integrations", () => {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const emulator = createEmulator({ clock, lambdaRunner: runner });
  const config = inProcess(emulator);
  const sfn = new SFNClient(config);
  const lambda = new LambdaClient(config);
  const ddb = new DynamoDBClient(config);
  const sqs = new SQSClient(config);
  let n = 0;
  const machine = async (definition: unknown) =>
    (await sfn.send(new CreateStateMachineCommand({ name: `i${++n}`, definition: JSON.stringify(definition), roleArn: ROLE }))).stateMachineArn!;
  const run = async (arn: string, input: unknown = {}) => {
    const s = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: JSON.stringify(input) }));
    await emulator.settled();
    return s.executionArn!;
  };
  const describeExec = (executionArn: string) => sfn.send(new DescribeExecutionCommand({ executionArn }));
  const types = async (executionArn: string) => (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!.map((e) => e.type);
  const events = async (executionArn: string) => (await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }))).events!;

  it("runs an order workflow: Lambda (optimized and bare ARN), DynamoDB PutItem/GetItem/UpdateItem and SQS SendMessage", async () => {
    await lambda.send(new CreateFunctionCommand({
      FunctionName: "price", Runtime: "nodejs20.x", Role: LAMBDA_ROLE, Handler: "index.handler",
      Code: { ZipFile: zip({ "index.mjs": "export const handler = async (e) => ({ id: e.id, total: e.qty * 3 });" }) },
    }));
    await lambda.send(new CreateFunctionCommand({
      FunctionName: "shout", Runtime: "nodejs20.x", Role: LAMBDA_ROLE, Handler: "index.handler",
      Code: { ZipFile: zip({ "index.mjs": "export const handler = async (e) => e.text.toUpperCase();" }) },
    }));
    await ddb.send(new CreateTableCommand({
      TableName: "orders", BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
    }));
    const queue = (await sqs.send(new CreateQueueCommand({ QueueName: "shipments" }))).QueueUrl!;
    const arn = await machine({ StartAt: "Price", States: {
      Price: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: "price", "Payload.$": "$" },
        ResultSelector: { "total.$": "$.Payload.total" }, ResultPath: "$.price", Next: "Shout" },
      Shout: { Type: "Task", Resource: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:shout`, Parameters: { "text.$": "$.id" }, ResultPath: "$.loud", Next: "Save" },
      Save: { Type: "Task", Resource: "arn:aws:states:::dynamodb:putItem",
        Parameters: { TableName: "orders", Item: { id: { "S.$": "$.id" }, total: { "N.$": "States.Format('{}', $.price.total)" } } }, ResultPath: null, Next: "Bump" },
      Bump: { Type: "Task", Resource: "arn:aws:states:::dynamodb:updateItem",
        Parameters: { TableName: "orders", Key: { id: { "S.$": "$.id" } }, UpdateExpression: "SET shipped = :t", ExpressionAttributeValues: { ":t": { BOOL: true } } },
        ResultPath: null, Next: "Load" },
      Load: { Type: "Task", Resource: "arn:aws:states:::dynamodb:getItem", Parameters: { TableName: "orders", Key: { id: { "S.$": "$.id" } } },
        ResultSelector: { "total.$": "$.Item.total.N", "shipped.$": "$.Item.shipped.BOOL" }, ResultPath: "$.stored", Next: "Ship" },
      Ship: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: queue, "MessageBody.$": "$" }, ResultSelector: { "sent.$": "$.MessageId" }, ResultPath: "$.msg", End: true },
    } });
    const exec = await run(arn, { id: "o-1", qty: 4 });
    const d = await describeExec(exec);
    expect(d.status, d.cause).toBe("SUCCEEDED");
    const out = JSON.parse(d.output!);
    expect(out).toMatchObject({ id: "o-1", qty: 4, price: { total: 12 }, loud: "O-1", stored: { total: "12", shipped: true } });
    expect(out.msg.sent).toMatch(/^[0-9a-f-]{36}$/);
    const item = await ddb.send(new GetItemCommand({ TableName: "orders", Key: { id: { S: "o-1" } } }));
    expect(item.Item).toEqual({ id: { S: "o-1" }, total: { N: "12" }, shipped: { BOOL: true } });
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue }));
    expect(JSON.parse(got.Messages![0]!.Body!)).toEqual({ id: "o-1", qty: 4, price: { total: 12 }, loud: "O-1", stored: { total: "12", shipped: true } });
    expect(await types(exec)).toEqual([
      "ExecutionStarted",
      "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
      "TaskStateEntered", "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "TaskStateExited",
      "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
      "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
      "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
      "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskStateExited",
      "ExecutionSucceeded",
    ]);
    const scheduled = (await events(exec))[2]!;
    expect(scheduled.taskScheduledEventDetails).toMatchObject({ resourceType: "lambda", resource: "invoke", region: "us-east-1" });
    expect(JSON.parse(scheduled.taskScheduledEventDetails!.parameters!)).toEqual({ FunctionName: "price", Payload: { id: "o-1", qty: 4 } });
  });

  it("maps a Lambda function error to its errorType, retried and caught", async () => {
    await lambda.send(new CreateFunctionCommand({
      FunctionName: "fails", Runtime: "nodejs20.x", Role: LAMBDA_ROLE, Handler: "index.handler",
      Code: { ZipFile: zip({ "index.mjs": "export const handler = async () => { const e = new Error('no stock'); e.name = 'OutOfStock'; throw e; };" }) },
    }));
    const arn = await machine({ StartAt: "Call", States: {
      Call: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: "fails" },
        Retry: [{ ErrorEquals: ["OutOfStock"], IntervalSeconds: 1, MaxAttempts: 1 }],
        Catch: [{ ErrorEquals: ["States.TaskFailed"], ResultPath: "$.error", Next: "Handled" }], End: true },
      Handled: { Type: "Pass", End: true },
    } });
    const s = await sfn.send(new StartExecutionCommand({ stateMachineArn: arn, input: "{}" }));
    await emulator.settled();
    await clock.advance(1_000);
    await emulator.settled();
    const d = await describeExec(s.executionArn!);
    expect(d.status).toBe("SUCCEEDED");
    const out = JSON.parse(d.output!);
    expect(out.error.Error).toBe("OutOfStock");
    expect(JSON.parse(out.error.Cause)).toMatchObject({ errorType: "OutOfStock", errorMessage: "no stock" });
    expect(await types(s.executionArn!)).toEqual(["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskFailed",
      "TaskScheduled", "TaskStarted", "TaskFailed", "TaskStateExited", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]);
    const missing = await machine({ StartAt: "Call", States: { Call: { Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: "nope" }, End: true } } });
    const m = await describeExec(await run(missing));
    expect(m).toMatchObject({ status: "FAILED", error: "Lambda.ResourceNotFoundException" });
  });

  it("round-trips .waitForTaskToken through SQS and SendTaskSuccess", async () => {
    const queue = (await sqs.send(new CreateQueueCommand({ QueueName: "approvals" }))).QueueUrl!;
    const arn = await machine({ StartAt: "Ask", States: {
      Ask: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
        Parameters: { QueueUrl: queue, MessageBody: { "token.$": "$$.Task.Token", "order.$": "$.order" } }, ResultPath: "$.answer", End: true },
    } });
    const exec = await run(arn, { order: 7 });
    expect((await describeExec(exec)).status).toBe("RUNNING");
    const msg = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue }));
    const body = JSON.parse(msg.Messages![0]!.Body!);
    expect(body.order).toBe(7);
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: body.token, output: "{bad" }))).rejects.toMatchObject({ name: "InvalidOutput" });
    await sfn.send(new SendTaskSuccessCommand({ taskToken: body.token, output: JSON.stringify({ approved: true }) }));
    await emulator.settled();
    const d = await describeExec(exec);
    expect(d.status).toBe("SUCCEEDED");
    expect(JSON.parse(d.output!)).toEqual({ order: 7, answer: { approved: true } });
    expect(await types(exec)).toEqual(["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"]);
    // The token is spent.
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: body.token, output: "{}" }))).rejects.toMatchObject({ name: "TaskDoesNotExist" });
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: "garbage", output: "{}" }))).rejects.toMatchObject({ name: "InvalidToken" });
  });

  it("fails a .waitForTaskToken task with SendTaskFailure, and times out without heartbeats", async () => {
    const queue = (await sqs.send(new CreateQueueCommand({ QueueName: "tokens" }))).QueueUrl!;
    const arn = await machine({ StartAt: "Ask", States: {
      Ask: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken", HeartbeatSeconds: 10, TimeoutSeconds: 100,
        Parameters: { QueueUrl: queue, "MessageBody.$": "$$.Task.Token" }, End: true },
    } });
    const failed = await run(arn);
    const token1 = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue }))).Messages![0]!.Body!;
    await sfn.send(new SendTaskFailureCommand({ taskToken: token1, error: "Rejected", cause: "by a human" }));
    await emulator.settled();
    expect(await describeExec(failed)).toMatchObject({ status: "FAILED", error: "Rejected", cause: "by a human" });

    const beating = await run(arn);
    const token2 = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue }))).Messages![0]!.Body!;
    await clock.advance(8_000);
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token2 }));
    await clock.advance(8_000);
    expect((await describeExec(beating)).status).toBe("RUNNING");
    await clock.advance(2_000);
    await emulator.settled();
    expect(await describeExec(beating)).toMatchObject({ status: "FAILED", error: "States.HeartbeatTimeout" });
    expect(await types(beating)).toEqual(["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskTimedOut", "ExecutionFailed"]);
    await expect(sfn.send(new SendTaskSuccessCommand({ taskToken: token2, output: "{}" }))).rejects.toMatchObject({ name: "TaskTimedOut" });
  });

  it("hands activity tasks to GetActivityTask workers (long poll on the clock)", async () => {
    const activity = (await sfn.send(new CreateActivityCommand({ name: "review" }))).activityArn!;
    const arn = await machine({ StartAt: "Review", States: { Review: { Type: "Task", Resource: activity, TimeoutSeconds: 300, End: true } } });
    // A poll with nothing queued answers empty after 60 s of emulator time.
    let answered = false;
    const idle = sfn.send(new GetActivityTaskCommand({ activityArn: activity, workerName: "w0" })).finally(() => (answered = true));
    // The poll reaches its wait only after the SDK's middleware: let another call through first, then move the clock (bounded).
    for (let i = 0; i < 5 && !answered; i++) {
      await sfn.send(new DescribeActivityCommand({ activityArn: activity }));
      await clock.advance(60_000);
    }
    expect((await idle).taskToken).toBeUndefined();
    const waiting = sfn.send(new GetActivityTaskCommand({ activityArn: activity, workerName: "w1" }));
    const exec = await run(arn, { doc: "d1" });
    const task = await waiting;
    expect(JSON.parse(task.input!)).toEqual({ doc: "d1" });
    await sfn.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"ok":true}' }));
    await emulator.settled();
    expect(await describeExec(exec)).toMatchObject({ status: "SUCCEEDED", output: '{"ok":true}' });
    const evs = await events(exec);
    expect(evs.map((e) => e.type)).toEqual(["ExecutionStarted", "TaskStateEntered", "ActivityScheduled", "ActivityStarted", "ActivitySucceeded", "TaskStateExited", "ExecutionSucceeded"]);
    expect(evs[2]!.activityScheduledEventDetails).toMatchObject({ resource: activity, input: '{"doc":"d1"}', timeoutInSeconds: 300 });
    expect(evs[3]!.activityStartedEventDetails).toEqual({ workerName: "w1" });
  });

  it("runs nested executions with .sync (Output as text) and .sync:2 (Output as JSON)", async () => {
    const child = await machine({ StartAt: "W", States: { W: { Type: "Wait", Seconds: 5, Next: "P" }, P: { Type: "Pass", Parameters: { "doubled.$": "States.MathAdd($.v, $.v)" }, End: true } } });
    const parent = await machine({ StartAt: "Sync", States: {
      Sync: { Type: "Task", Resource: "arn:aws:states:::states:startExecution.sync", Parameters: { StateMachineArn: child, Input: { v: 2 } },
        ResultSelector: { "out.$": "$.Output", "status.$": "$.Status" }, ResultPath: "$.one", Next: "Sync2" },
      Sync2: { Type: "Task", Resource: "arn:aws:states:::states:startExecution.sync:2", Parameters: { StateMachineArn: child, "Input": { "v.$": "$.one.status" } },
        ResultSelector: { "out.$": "$.Output" }, ResultPath: "$.two", Next: "Fire" },
      Fire: { Type: "Task", Resource: "arn:aws:states:::states:startExecution", Parameters: { StateMachineArn: child, Input: { v: 1 } },
        ResultSelector: { "arn.$": "$.ExecutionArn" }, ResultPath: "$.three", End: true },
    } });
    const exec = await run(parent);
    const early = await describeExec(exec);
    expect(early.status, early.cause).toBe("RUNNING");
    await clock.advance(5_000);
    await emulator.settled();
    expect((await describeExec(exec)).status).toBe("RUNNING");
    await clock.advance(5_000);
    await emulator.settled();
    const d = await describeExec(exec);
    // The second child gets a string for v: MathAdd fails in it, so the parent fails with States.TaskFailed.
    expect(d.status).toBe("FAILED");
    expect(d.error).toBe("States.TaskFailed");
    expect(JSON.parse(d.cause!)).toMatchObject({ Status: "FAILED", Error: "States.IntrinsicFailure" });
    const evs = await types(exec);
    expect(evs).toEqual(["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskSucceeded", "TaskStateExited",
      "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskFailed", "ExecutionFailed"]);
    const one = JSON.parse((await events(exec))[5]!.taskSucceededEventDetails!.output!);
    expect(one).toMatchObject({ Status: "SUCCEEDED", Output: '{"doubled":4}' });

    const parent2 = await machine({ StartAt: "Sync2", States: {
      Sync2: { Type: "Task", Resource: "arn:aws:states:::states:startExecution.sync:2", Parameters: { StateMachineArn: child, Input: { v: 5 } }, OutputPath: "$.Output", End: true },
    } });
    const exec2 = await run(parent2);
    await clock.advance(5_000);
    await emulator.settled();
    expect(await describeExec(exec2)).toMatchObject({ status: "SUCCEEDED", output: '{"doubled":10}' });
  });

  it("calls AWS SDK integrations (aws-sdk:dynamodb, aws-sdk:sqs) and names their errors", async () => {
    const arn = await machine({ StartAt: "Tables", States: {
      Tables: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:dynamodb:listTables", Parameters: {}, ResultSelector: { "names.$": "$.TableNames" }, ResultPath: "$.tables", Next: "Missing" },
      Missing: { Type: "Task", Resource: "arn:aws:states:::aws-sdk:sqs:getQueueUrl", Parameters: { QueueName: "does-not-exist" },
        Catch: [{ ErrorEquals: ["Sqs.QueueDoesNotExistException"], ResultPath: "$.caught", Next: "Done" }], End: true },
      Done: { Type: "Succeed" },
    } });
    const exec = await run(arn);
    const d = await describeExec(exec);
    expect(d.status, d.cause).toBe("SUCCEEDED");
    const out = JSON.parse(d.output!);
    expect(out.tables.names).toContain("orders");
    expect(out.caught.Error).toBe("Sqs.QueueDoesNotExistException");
    const ev = (await events(exec))[2]!;
    expect(ev.taskScheduledEventDetails).toMatchObject({ resourceType: "aws-sdk:dynamodb", resource: "listTables" });
  });

  it("publishes to SNS and puts events to EventBridge", async () => {
    const sns = new SNSClient(config);
    const eb = new EventBridgeClient(config);
    const topic = (await sns.send(new CreateTopicCommand({ Name: "news" }))).TopicArn!;
    const queue = (await sqs.send(new CreateQueueCommand({ QueueName: "news-q" }))).QueueUrl!;
    const bus = (await sqs.send(new CreateQueueCommand({ QueueName: "bus-q" }))).QueueUrl!;
    await sns.send(new SubscribeCommand({ TopicArn: topic, Protocol: "sqs", Endpoint: `arn:aws:sqs:us-east-1:${ACCOUNT}:news-q`, Attributes: { RawMessageDelivery: "true" } }));
    await eb.send(new PutRuleCommand({ Name: "orders", EventPattern: JSON.stringify({ source: ["shop"] }) }));
    await eb.send(new PutTargetsCommand({ Rule: "orders", Targets: [{ Id: "q", Arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:bus-q` }] }));
    const arn = await machine({ StartAt: "Pub", States: {
      Pub: { Type: "Task", Resource: "arn:aws:states:::sns:publish", Parameters: { TopicArn: topic, Message: { hello: "world" } }, ResultPath: "$.pub", Next: "Put" },
      Put: { Type: "Task", Resource: "arn:aws:states:::events:putEvents", Parameters: { Entries: [{ Source: "shop", DetailType: "Order", Detail: { id: 1 } }] }, ResultPath: "$.put", End: true },
    } });
    const exec = await run(arn);
    const d = await describeExec(exec);
    expect(d.status, d.cause).toBe("SUCCEEDED");
    expect(JSON.parse(d.output!).put.FailedEntryCount).toBe(0);
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue }));
    expect(JSON.parse(got.Messages![0]!.Body!)).toEqual({ hello: "world" });
    const evt = await sqs.send(new ReceiveMessageCommand({ QueueUrl: bus }));
    expect(JSON.parse(evt.Messages![0]!.Body!)).toMatchObject({ source: "shop", "detail-type": "Order", detail: { id: 1 } });
  });

  it("times a slow task out with TimeoutSeconds (States.Timeout)", async () => {
    const queue = (await sqs.send(new CreateQueueCommand({ QueueName: "slow" }))).QueueUrl!;
    const arn = await machine({ StartAt: "Wait", States: {
      Wait: { Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage.waitForTaskToken", TimeoutSeconds: 30, Parameters: { QueueUrl: queue, MessageBody: "x" },
        Catch: [{ ErrorEquals: ["States.Timeout"], Next: "Late" }], End: true },
      Late: { Type: "Pass", End: true },
    } });
    const exec = await run(arn);
    await clock.advance(30_000);
    await emulator.settled();
    expect(await describeExec(exec)).toMatchObject({ status: "SUCCEEDED", output: '{"Error":"States.Timeout","Cause":""}' });
    expect(await types(exec)).toEqual(["ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted", "TaskSubmitted", "TaskTimedOut", "TaskStateExited",
      "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]);
  });
});
