/**
 * TestState through @aws-sdk/client-sfn in-process: one state run alone or picked from a
 * definition, with inspection data at DEBUG, mocked task results and errors, RETRIABLE and
 * CAUGHT_ERROR answers, JSONata variables, and a real call to fetchstack's SQS.
 */
import { describe, expect, it } from "vitest";
import { SFNClient, TestStateCommand } from "@aws-sdk/client-sfn";
import { SQSClient, CreateQueueCommand, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";

describe("TestState", () => {
  const emulator = createEmulator({ clock: createManualClock() });
  const sfn = new SFNClient(inProcess(emulator));
  const test = (state: unknown, extra: Record<string, unknown> = {}) =>
    sfn.send(new TestStateCommand({ definition: JSON.stringify(state), ...extra }));

  it("runs a Pass state with the JSONPath pipeline shown at DEBUG", async () => {
    const out = await test({ Type: "Pass", InputPath: "$.a", Parameters: { "v.$": "$.b" }, ResultPath: "$.r", Next: "After" },
      { input: '{"a":{"b":1}}', inspectionLevel: "DEBUG" });
    // ResultPath places the result into the state's raw input.
    expect(out).toMatchObject({ status: "SUCCEEDED", output: '{"a":{"b":1},"r":{"v":1}}', nextState: "After" });
    expect(out.inspectionData).toMatchObject({
      input: '{"a":{"b":1}}', afterInputPath: '{"b":1}', afterParameters: '{"v":1}', result: '{"v":1}',
      afterResultSelector: '{"v":1}', afterResultPath: '{"a":{"b":1},"r":{"v":1}}',
    });
    const info = await test({ Type: "Pass", End: true }, { input: "{}" });
    expect(info.inspectionData).toBeUndefined();
  });

  it("mocks a Task's result or error: SUCCEEDED, RETRIABLE, CAUGHT_ERROR, FAILED", async () => {
    const task = {
      Type: "Task", Resource: "arn:aws:states:::lambda:invoke", Parameters: { FunctionName: "f" }, ResultSelector: { "p.$": "$.Payload" }, End: true,
      Retry: [{ ErrorEquals: ["Busy"], MaxAttempts: 2, IntervalSeconds: 3 }],
      Catch: [{ ErrorEquals: ["Bad"], ResultPath: "$.err", Next: "Recover" }],
    };
    const ok = await test(task, { input: "{}", mock: { result: '{"Payload":{"x":1}}' }, inspectionLevel: "DEBUG" });
    expect(ok).toMatchObject({ status: "SUCCEEDED", output: '{"p":{"x":1}}' });
    expect(ok.inspectionData).toMatchObject({ result: '{"Payload":{"x":1}}', afterResultSelector: '{"p":{"x":1}}' });
    const busy = await test(task, { input: "{}", mock: { errorOutput: { error: "Busy", cause: "later" } }, inspectionLevel: "DEBUG" });
    expect(busy).toMatchObject({ status: "RETRIABLE", error: "Busy", cause: "later" });
    expect(busy.inspectionData!.errorDetails).toMatchObject({ retryIndex: 0, retryBackoffIntervalSeconds: 3 });
    const spent = await test(task, { input: "{}", mock: { errorOutput: { error: "Busy", cause: "later" } }, stateConfiguration: { retrierRetryCount: 2 } });
    expect(spent).toMatchObject({ status: "FAILED", error: "Busy" });
    const bad = await test(task, { input: '{"k":1}', mock: { errorOutput: { error: "Bad", cause: "no" } } });
    expect(bad).toMatchObject({ status: "CAUGHT_ERROR", nextState: "Recover", output: '{"k":1,"err":{"Error":"Bad","Cause":"no"}}' });
  });

  it("picks stateName from a whole JSONata definition, with variables", async () => {
    const def = { QueryLanguage: "JSONata", StartAt: "A", States: {
      A: { Type: "Pass", Next: "B" },
      B: { Type: "Pass", Output: { sum: "{% $base + $states.input.n %}" }, Assign: { seen: true }, End: true },
    } };
    const out = await test(def, { stateName: "B", input: '{"n":2}', variables: '{"base":40}', inspectionLevel: "DEBUG" });
    expect(out).toMatchObject({ status: "SUCCEEDED", output: '{"sum":42}' });
    expect(JSON.parse(out.inspectionData!.variables!)).toEqual({ base: 40, seen: true });
    await expect(test({ Type: "Pass", Foo: 1, End: true })).rejects.toMatchObject({ name: "InvalidDefinition" });
  });

  it("calls the real service when no mock is given", async () => {
    const sqs = new SQSClient(inProcess(emulator));
    const url = (await sqs.send(new CreateQueueCommand({ QueueName: "ts" }))).QueueUrl!;
    const out = await test({ Type: "Task", Resource: "arn:aws:states:::sqs:sendMessage", Parameters: { QueueUrl: url, "MessageBody.$": "$.m" }, End: true }, { input: '{"m":"hi"}' });
    expect(out.status).toBe("SUCCEEDED");
    expect(JSON.parse(out.output!).MessageId).toMatch(/^[0-9a-f-]{36}$/);
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages![0]!.Body).toBe("hi");
  });
});
