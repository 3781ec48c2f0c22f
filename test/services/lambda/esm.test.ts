/**
 * SQS → Lambda event source mappings that really poll, on a manual clock: the function gets
 * AWS's SQS event, successful messages are deleted, ReportBatchItemFailures keeps the failed
 * ones, a function error keeps the whole batch (back after the visibility timeout, then the
 * queue's redrive policy), and a disabled mapping stops polling.
 */
import { afterAll, describe, expect, it } from "vitest";
import { LambdaClient, CreateFunctionCommand, CreateEventSourceMappingCommand, UpdateEventSourceMappingCommand } from "@aws-sdk/client-lambda";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { createNodeLambdaRunner } from "../../../src/runtime/node.ts";
import { inProcess } from "../../helpers/clients.ts";
import { ROLE, zip } from "./zips.ts";

const runner = createNodeLambdaRunner({ idleMs: 5_000 });
afterAll(() => runner.close());

describe("SQS event source mapping", () => {
  const clock = createManualClock(Date.now());
  const emulator = createEmulator({ lambdaRunner: runner, clock });
  const lambda = new LambdaClient(inProcess(emulator));
  const sqs = new SQSClient(inProcess(emulator));
  const invocations = async (name: string) =>
    (await (await emulator.fetch(new Request(`http://localhost/_fetchstack/services/lambda/invocations?function=${name}`))).json()) as any[];
  const counts = async (QueueUrl: string) => {
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }));
    return [Number(Attributes!.ApproximateNumberOfMessages), Number(Attributes!.ApproximateNumberOfMessagesNotVisible)];
  };

  it("delivers batches, deletes successes, keeps reported failures", async () => {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "orders", Attributes: { VisibilityTimeout: "30" } }));
    await lambda.send(new CreateFunctionCommand({
      FunctionName: "consumer", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler",
      Code: { ZipFile: zip({ "index.mjs": `export const handler = async (event) => {
        console.log(JSON.stringify(event.Records.map((r) => [r.body, r.eventSource, r.eventSourceARN, r.messageAttributes.kind?.stringValue ?? null, r.attributes.ApproximateReceiveCount])));
        return { batchItemFailures: event.Records.filter((r) => r.body === "bad").map((r) => ({ itemIdentifier: r.messageId })) };
      };` }) },
    }));
    for (const body of ["one", "bad", "two"]) {
      await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body, MessageAttributes: { kind: { DataType: "String", StringValue: "order" } } }));
    }
    const mapping = await lambda.send(new CreateEventSourceMappingCommand({
      FunctionName: "consumer", EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:orders", BatchSize: 10, FunctionResponseTypes: ["ReportBatchItemFailures"],
    }));
    await clock.advance(0);
    await emulator.settled();
    const [first] = await invocations("consumer");
    expect(first.FunctionError).toBeUndefined();
    const line = /INFO\t(\[.*\])\n/.exec(first.Log)![1]!;
    expect(JSON.parse(line)).toEqual([
      ["one", "aws:sqs", "arn:aws:sqs:us-east-1:000000000000:orders", "order", "1"],
      ["bad", "aws:sqs", "arn:aws:sqs:us-east-1:000000000000:orders", "order", "1"],
      ["two", "aws:sqs", "arn:aws:sqs:us-east-1:000000000000:orders", "order", "1"],
    ]);
    // "bad" is still in flight; the others are gone.
    expect(await counts(QueueUrl!)).toEqual([0, 1]);
    // After its visibility timeout it comes back and is delivered again.
    await clock.advance(31_000);
    await emulator.settled();
    const again = await invocations("consumer");
    expect(again.length).toBeGreaterThanOrEqual(2);
    expect(again[again.length - 1].Log).toContain('[["bad","aws:sqs","arn:aws:sqs:us-east-1:000000000000:orders","order","2"]]');

    // Disabled: no more polling.
    await lambda.send(new UpdateEventSourceMappingCommand({ UUID: mapping.UUID, Enabled: false }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "later" }));
    const before = (await invocations("consumer")).length;
    await clock.advance(5_000);
    await emulator.settled();
    expect((await invocations("consumer")).length).toBe(before);
    const left = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }));
    expect(left.Messages?.map((m) => m.Body)).toContain("later");
  });

  it("keeps the whole batch when the function fails, so the redrive policy applies", async () => {
    const { QueueUrl: dlq } = await sqs.send(new CreateQueueCommand({ QueueName: "jobs-dlq" }));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({
      QueueName: "jobs",
      Attributes: { VisibilityTimeout: "10", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:jobs-dlq", maxReceiveCount: 2 }) },
    }));
    await lambda.send(new CreateFunctionCommand({
      FunctionName: "failing", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler",
      Code: { ZipFile: zip({ "index.js": "exports.handler = async () => { throw new Error('cannot process'); };" }) },
    }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "job-1" }));
    await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: "failing", EventSourceArn: "arn:aws:sqs:us-east-1:000000000000:jobs", BatchSize: 5 }));
    await clock.advance(0);
    await emulator.settled();
    expect(await counts(QueueUrl!)).toEqual([0, 1]);
    await clock.advance(11_000);
    await emulator.settled();
    await clock.advance(11_000);
    await emulator.settled();
    const attempts = await invocations("failing");
    expect(attempts.length).toBe(2);
    expect(attempts.every((a) => a.FunctionError === "Unhandled")).toBe(true);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq }));
    expect(dead.Messages?.map((m) => m.Body)).toEqual(["job-1"]);
  });
});
