/**
 * Step Functions → EventBridge (issue 18): Standard executions send "Step Functions Execution
 * Status Change" events (source aws.states) to the default bus at start, redrive and close;
 * a rule routes them to an SQS queue, whose messages are read back. Express executions send none.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { CreateStateMachineCommand, RedriveExecutionCommand, SFNClient, StartExecutionCommand, StartSyncExecutionCommand, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { inProcess } from "../../helpers/clients.ts";

const START = Date.UTC(2026, 0, 1);
const ROLE = "arn:aws:iam::000000000000:role/sfn";
const clock = createManualClock(START);
const emulator = createEmulator({ store: createMemoryStore(), clock });
const sfn = new SFNClient(inProcess(emulator));
const events = new EventBridgeClient(inProcess(emulator));
const sqs = new SQSClient(inProcess(emulator));
let queueUrl: string;

async function received(): Promise<any[]> {
  await emulator.settled();
  const out: any[] = [];
  for (;;) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    if (!got.Messages?.length) break;
    out.push(...got.Messages.map((m) => JSON.parse(m.Body!)));
    // Deleted, so they do not come back when the clock moves past the visibility timeout.
    for (const m of got.Messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle! }));
  }
  const order = ["RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"];
  return out.sort((a, b) => order.indexOf(a.detail.status) - order.indexOf(b.detail.status));
}

async function machine(name: string, definition: object, type: "STANDARD" | "EXPRESS" = "STANDARD"): Promise<string> {
  return (await sfn.send(new CreateStateMachineCommand({ name, roleArn: ROLE, type, definition: JSON.stringify(definition) }))).stateMachineArn!;
}

beforeAll(async () => {
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: "sfn-events" }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  await events.send(new PutRuleCommand({ Name: "sfn-status", EventPattern: JSON.stringify({ source: ["aws.states"], "detail-type": ["Step Functions Execution Status Change"] }) }));
  await events.send(new PutTargetsCommand({ Rule: "sfn-status", Targets: [{ Id: "q", Arn: arn }] }));
});

describe("Step Functions execution status changes on the default event bus", () => {
  it("a succeeding execution sends RUNNING then SUCCEEDED with AWS's detail", async () => {
    const sm = await machine("ok", { StartAt: "A", States: { A: { Type: "Pass", Result: { done: true }, End: true } } });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: sm, name: "run-1", input: '{"a":1}' }));
    const [running, succeeded, ...rest] = await received();
    expect(rest).toEqual([]);
    expect(running).toMatchObject({
      version: "0", "detail-type": "Step Functions Execution Status Change", source: "aws.states",
      account: "000000000000", region: "us-east-1", resources: [executionArn], time: new Date(START).toISOString().replace(".000Z", "Z"),
    });
    expect(running.detail).toEqual({
      executionArn, stateMachineArn: sm, name: "run-1", status: "RUNNING", startDate: START, stopDate: null,
      input: '{"a":1}', output: null, inputDetails: { included: true }, outputDetails: null, error: null, cause: null,
      redriveCount: 0, redriveDate: null, redriveStatus: "NOT_REDRIVABLE", redriveStatusReason: "Execution is RUNNING and cannot be redriven",
    });
    expect(succeeded.detail).toMatchObject({
      executionArn, status: "SUCCEEDED", startDate: START, stopDate: START, input: '{"a":1}', output: '{"done":true}',
      inputDetails: { included: true }, outputDetails: { included: true }, error: null, cause: null, redriveStatus: "NOT_REDRIVABLE",
    });
  });

  it("FAILED carries error and cause; a redrive sends RUNNING again with its count", async () => {
    const sm = await machine("bad", { StartAt: "F", States: { F: { Type: "Fail", Error: "Oops", Cause: "broken" } } });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: sm, name: "run-2" }));
    const [, failed] = await received();
    expect(failed.detail).toMatchObject({
      executionArn, status: "FAILED", output: null, outputDetails: null, error: "Oops", cause: "broken",
      redriveCount: 0, redriveStatus: "REDRIVABLE",
    });
    expect(failed.detail.redriveStatusReason).toBeUndefined();
    clock.set(START + 60_000);
    await sfn.send(new RedriveExecutionCommand({ executionArn }));
    const again = await received();
    expect(again.map((e) => e.detail.status)).toEqual(["RUNNING", "FAILED"]);
    expect(again[0].detail).toMatchObject({ status: "RUNNING", redriveCount: 1, redriveDate: START + 60_000, error: null, stopDate: null });
  });

  it("StopExecution sends ABORTED, a machine timeout TIMED_OUT; Express executions send nothing", async () => {
    const waiting = await machine("waits", { StartAt: "W", TimeoutSeconds: 100, States: { W: { Type: "Wait", Seconds: 1000, End: true } } });
    const a = await sfn.send(new StartExecutionCommand({ stateMachineArn: waiting, name: "stopped" }));
    await sfn.send(new StopExecutionCommand({ executionArn: a.executionArn, error: "Manual", cause: "by test" }));
    const stopped = await received();
    expect(stopped.map((e) => e.detail.status)).toEqual(["RUNNING", "ABORTED"]);
    expect(stopped[1].detail).toMatchObject({ error: "Manual", cause: "by test", redriveStatus: "REDRIVABLE" });
    const b = await sfn.send(new StartExecutionCommand({ stateMachineArn: waiting, name: "slow" }));
    await received();
    await clock.advance(100_000);
    const [timedOut] = await received();
    expect(timedOut.detail).toMatchObject({ executionArn: b.executionArn, status: "TIMED_OUT", error: "States.Timeout" });
    const express = await machine("fast", { StartAt: "A", States: { A: { Type: "Pass", End: true } } }, "EXPRESS");
    await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: express }));
    expect(await received()).toEqual([]);
  });
});
