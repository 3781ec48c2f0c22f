/**
 * Kinesis and DynamoDB Streams event source mappings, polled on a manual clock: the function
 * gets AWS's event shapes, checkpoints advance, failed batches retry then go to the OnFailure
 * destination.
 */
import { afterAll, describe, expect, it } from "vitest";
import { LambdaClient, CreateFunctionCommand, CreateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { KinesisClient, CreateStreamCommand, PutRecordCommand, DescribeStreamSummaryCommand } from "@aws-sdk/client-kinesis";
import { DynamoDBClient, CreateTableCommand, PutItemCommand } from "@aws-sdk/client-dynamodb";
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { createNodeLambdaRunner } from "../../../src/runtime/node.ts";
import { inProcess } from "../../helpers/clients.ts";
import { ROLE, zip } from "./zips.ts";

const runner = createNodeLambdaRunner({ idleMs: 5_000 });
afterAll(() => runner.close());

describe("stream event source mappings", () => {
  const clock = createManualClock(Date.now());
  const emulator = createEmulator({ lambdaRunner: runner, clock });
  const lambda = new LambdaClient(inProcess(emulator));
  const invocations = async (name: string) =>
    (await (await emulator.fetch(new Request(`http://localhost/_fetchstack/services/lambda/invocations?function=${name}`))).json()) as any[];
  const logged = (record: any) => JSON.parse(/INFO\t(.*)\n/.exec(record.Log)![1]!);
  const handler = "export const handler = async (event) => { console.log(JSON.stringify(event.Records)); if (event.Records.some((r) => (r.kinesis ? Buffer.from(r.kinesis.data, 'base64').toString() : '') === 'poison')) throw new Error('poison'); return 'ok'; };";

  it("delivers Kinesis records, then retries a failing batch and sends it to OnFailure", async () => {
    const kinesis = new KinesisClient(inProcess(emulator));
    const sqs = new SQSClient(inProcess(emulator));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "kinesis-failures" }));
    await kinesis.send(new CreateStreamCommand({ StreamName: "clicks", ShardCount: 1 }));
    const { StreamDescriptionSummary } = await kinesis.send(new DescribeStreamSummaryCommand({ StreamName: "clicks" }));
    await lambda.send(new CreateFunctionCommand({ FunctionName: "clicks-fn", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: zip({ "index.mjs": handler }) } }));
    await lambda.send(new CreateEventSourceMappingCommand({
      FunctionName: "clicks-fn", EventSourceArn: StreamDescriptionSummary!.StreamARN, StartingPosition: "TRIM_HORIZON", BatchSize: 10,
      MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: { Destination: "arn:aws:sqs:us-east-1:000000000000:kinesis-failures" } },
    }));
    await kinesis.send(new PutRecordCommand({ StreamName: "clicks", PartitionKey: "p", Data: new TextEncoder().encode("hello") }));
    await clock.advance(0);
    await emulator.settled();
    const [first] = await invocations("clicks-fn");
    const records = logged(first);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      eventSource: "aws:kinesis", eventName: "aws:kinesis:record", eventSourceARN: StreamDescriptionSummary!.StreamARN,
      kinesis: { kinesisSchemaVersion: "1.0", partitionKey: "p", data: Buffer.from("hello").toString("base64") },
    });
    expect(records[0].eventID).toBe(`shardId-000000000000:${records[0].kinesis.sequenceNumber}`);

    await kinesis.send(new PutRecordCommand({ StreamName: "clicks", PartitionKey: "p", Data: new TextEncoder().encode("poison") }));
    for (let i = 0; i < 4; i++) {
      await clock.advance(1000);
      await emulator.settled();
    }
    const all = await invocations("clicks-fn");
    expect(all.map((r) => r.FunctionError ?? "ok")).toEqual(["ok", "Unhandled", "Unhandled"]);
    const failure = await sqs.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(JSON.parse(failure.Messages![0]!.Body!)).toMatchObject({
      requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: 2 },
      KinesisBatchInfo: { shardId: "shardId-000000000000", batchSize: 1, streamArn: StreamDescriptionSummary!.StreamARN },
    });
  });

  it("delivers DynamoDB stream records", async () => {
    const dynamodb = new DynamoDBClient(inProcess(emulator));
    const table = await dynamodb.send(new CreateTableCommand({
      TableName: "orders", BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" },
    }));
    await lambda.send(new CreateFunctionCommand({ FunctionName: "orders-fn", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: zip({ "index.mjs": handler }) } }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "orders-fn", EventSourceArn: table.TableDescription!.LatestStreamArn, StartingPosition: "TRIM_HORIZON" }));
    await dynamodb.send(new PutItemCommand({ TableName: "orders", Item: { id: { S: "o1" }, total: { N: "5" } } }));
    await clock.advance(0);
    await emulator.settled();
    await clock.advance(1000);
    await emulator.settled();
    const [first] = await invocations("orders-fn");
    const records = logged(first);
    expect(records[0]).toMatchObject({
      eventName: "INSERT", eventSource: "aws:dynamodb", eventSourceARN: table.TableDescription!.LatestStreamArn,
      dynamodb: { Keys: { id: { S: "o1" } }, NewImage: { id: { S: "o1" }, total: { N: "5" } }, StreamViewType: "NEW_AND_OLD_IMAGES" },
    });
    expect(typeof records[0].dynamodb.ApproximateCreationDateTime).toBe("number");
  });
});
