/**
 * SSM Automation (issue 17): runbooks whose steps act on fetchstack's services run on the clock
 * (aws:executeAwsApi through the other services, aws:sleep, outputs passed between steps); steps
 * needing resources fetchstack lacks fail; stop; lookups and errors.
 */
import { describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import { GetQueueUrlCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const clock = createManualClock(Date.UTC(2026, 0, 1, 10, 0));
const emulator = createEmulator({ store: createMemoryStore(), clock });
const ssm = new S.SSMClient(inProcess(emulator));
const sqs = new SQSClient(inProcess(emulator));

const runbook = {
  schemaVersion: "0.3",
  description: "Create a queue, wait, send a message",
  parameters: { QueueName: { type: "String" }, Message: { type: "String", default: "hello" } },
  mainSteps: [
    { name: "create", action: "aws:executeAwsApi", inputs: { Service: "sqs", Api: "CreateQueue", QueueName: "{{ QueueName }}" }, outputs: [{ Name: "Url", Selector: "$.QueueUrl", Type: "String" }] },
    { name: "wait", action: "aws:sleep", inputs: { Duration: "PT10M" } },
    { name: "send", action: "aws:executeAwsApi", inputs: { Service: "sqs", Api: "SendMessage", QueueUrl: "{{ create.Url }}", MessageBody: "{{ Message }}" }, outputs: [{ Name: "Id", Selector: "$.MessageId", Type: "String" }] },
  ],
  outputs: ["create.Url"],
};

async function execution(id: string) {
  return (await ssm.send(new S.GetAutomationExecutionCommand({ AutomationExecutionId: id }))).AutomationExecution!;
}

describe("Automation", () => {
  it("runs the steps through the other services, sleeping on the clock", async () => {
    await ssm.send(new S.CreateDocumentCommand({ Name: "Queue-Runbook", DocumentType: "Automation", Content: JSON.stringify(runbook) }));
    const { AutomationExecutionId: id } = await ssm.send(new S.StartAutomationExecutionCommand({ DocumentName: "Queue-Runbook", Parameters: { QueueName: ["from-automation"] } }));
    await emulator.settled();
    const waiting = await execution(id!);
    expect(waiting.AutomationExecutionStatus).toBe("InProgress");
    expect(waiting.StepExecutions!.map((s) => s.StepStatus)).toEqual(["Success", "InProgress", "Pending"]);
    expect(waiting.CurrentStepName).toBe("wait");
    const url = (await sqs.send(new GetQueueUrlCommand({ QueueName: "from-automation" }))).QueueUrl!;
    // The queue URL as SQS answered the runbook's call (its host is the one the call came through).
    const made = waiting.StepExecutions![0].Outputs!.Url![0];
    expect(made).toMatch(/\/000000000000\/from-automation$/);
    await clock.advance(10 * 60_000);
    await emulator.settled();
    const done = await execution(id!);
    expect(done.AutomationExecutionStatus).toBe("Success");
    expect(done.Outputs).toEqual({ "create.Url": [made] });
    expect(done.Parameters).toEqual({ QueueName: ["from-automation"], Message: ["hello"] });
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(got.Messages!.map((m) => m.Body)).toEqual(["hello"]);
    const steps = await ssm.send(new S.DescribeAutomationStepExecutionsCommand({ AutomationExecutionId: id, Filters: [{ Key: "StepName", Values: ["send"] }] }));
    expect(steps.StepExecutions![0]).toMatchObject({ StepName: "send", Action: "aws:executeAwsApi", StepStatus: "Success", Inputs: { QueueUrl: made, MessageBody: "hello" } });
    const listed = await ssm.send(new S.DescribeAutomationExecutionsCommand({ Filters: [{ Key: "DocumentNamePrefix", Values: ["Queue-"] }] }));
    expect(listed.AutomationExecutionMetadataList!.map((e) => e.AutomationExecutionStatus)).toEqual(["Success"]);
  });

  it("a failing call fails the execution; EC2 actions fail (no EC2 here); stop; errors", async () => {
    await ssm.send(new S.CreateDocumentCommand({ Name: "Bad-Runbook", DocumentType: "Automation", Content: JSON.stringify({
      schemaVersion: "0.3", mainSteps: [{ name: "missing", action: "aws:executeAwsApi", inputs: { Service: "sqs", Api: "GetQueueUrl", QueueName: "none" } }, { name: "never", action: "aws:sleep", inputs: { Duration: "PT1S" } }],
    }) }));
    const bad = (await ssm.send(new S.StartAutomationExecutionCommand({ DocumentName: "Bad-Runbook" }))).AutomationExecutionId!;
    await emulator.settled();
    const failed = await execution(bad);
    expect(failed.AutomationExecutionStatus).toBe("Failed");
    expect(failed.StepExecutions!.map((s) => s.StepStatus)).toEqual(["Failed", "Cancelled"]);
    expect(failed.StepExecutions![0].FailureMessage).toContain("QueueDoesNotExist");
    const stop = (await ssm.send(new S.StartAutomationExecutionCommand({ DocumentName: "AWS-StopEC2Instance", Parameters: { InstanceId: ["i-0123456789abcdef0"] } }))).AutomationExecutionId!;
    await emulator.settled();
    expect((await execution(stop)).AutomationExecutionStatus).toBe("Failed");
    const slow = (await ssm.send(new S.StartAutomationExecutionCommand({ DocumentName: "Queue-Runbook", Parameters: { QueueName: ["slow"] } }))).AutomationExecutionId!;
    await emulator.settled();
    await ssm.send(new S.StopAutomationExecutionCommand({ AutomationExecutionId: slow }));
    await clock.advance(10 * 60_000);
    await emulator.settled();
    const cancelled = await execution(slow);
    expect(cancelled.AutomationExecutionStatus).toBe("Cancelled");
    expect(cancelled.StepExecutions!.map((s) => s.StepStatus)).toEqual(["Success", "Cancelled", "Cancelled"]);
    expect((await error(ssm.send(new S.StopAutomationExecutionCommand({ AutomationExecutionId: slow })))).name).toBe("InvalidAutomationStatusUpdateException");
    expect((await error(ssm.send(new S.StartAutomationExecutionCommand({ DocumentName: "Queue-Runbook" })))).name).toBe("InvalidAutomationExecutionParametersException");
    expect((await error(ssm.send(new S.StartAutomationExecutionCommand({ DocumentName: "Nope" })))).name).toBe("AutomationDefinitionNotFoundException");
    expect((await error(ssm.send(new S.GetAutomationExecutionCommand({ AutomationExecutionId: "11111111-2222-3333-4444-555555555555" })))).name).toBe("AutomationExecutionNotFoundException");
  });
});
