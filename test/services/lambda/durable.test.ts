/**
 * Durable executions through @aws-sdk/client-lambda with the Node runner: a durable function
 * written against the checkpoint API (as the durable SDK does it: checkpoint, replay, PENDING)
 * runs a step, a wait on the emulator clock, a callback completed from outside and a chained
 * invoke; synchronous invocations wait for the whole execution; names are idempotent; stop,
 * history, listing, state and AWS's errors.
 */
import { afterAll, describe, expect, it } from "vitest";
import {
  LambdaClient, CreateFunctionCommand, InvokeCommand, GetDurableExecutionCommand, GetDurableExecutionHistoryCommand,
  GetDurableExecutionStateCommand, ListDurableExecutionsByFunctionCommand, StopDurableExecutionCommand,
  SendDurableExecutionCallbackSuccessCommand, SendDurableExecutionCallbackFailureCommand, SendDurableExecutionCallbackHeartbeatCommand,
  CheckpointDurableExecutionCommand,
} from "@aws-sdk/client-lambda";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { createMemoryBlobStore } from "../../../src/store/blobs.ts";
import { createNodeLambdaRunner } from "../../../src/runtime/node.ts";
import { inProcess } from "../../helpers/clients.ts";
import { ROLE, zip } from "./zips.ts";

const runner = createNodeLambdaRunner({ idleMs: 5_000 });
afterAll(() => runner.close());
const text = (bytes?: Uint8Array) => new TextDecoder().decode(bytes);
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** A durable handler on the raw protocol: replays from the state, checkpoints, returns PENDING. */
const DURABLE = `
import { LambdaClient, CheckpointDurableExecutionCommand } from "@aws-sdk/client-lambda";
const lambda = new LambdaClient({});
export const handler = async (event) => {
  const arn = event.DurableExecutionArn;
  let token = event.CheckpointToken;
  const ops = new Map(event.InitialExecutionState.Operations.map((o) => [o.Id, o]));
  const input = JSON.parse(event.InitialExecutionState.Operations[0].ExecutionDetails.InputPayload);
  const checkpoint = async (updates) => {
    const out = await lambda.send(new CheckpointDurableExecutionCommand({ DurableExecutionArn: arn, CheckpointToken: token, Updates: updates }));
    token = out.CheckpointToken;
    for (const o of out.NewExecutionState?.Operations ?? []) ops.set(o.Id, o);
  };
  let step = ops.get("double");
  if (!step) {
    const result = JSON.stringify(input.n * 2);
    await checkpoint([{ Id: "double", Type: "STEP", Action: "START", Name: "double" }, { Id: "double", Type: "STEP", Action: "SUCCEED", Payload: result }]);
    step = { Status: "SUCCEEDED", StepDetails: { Result: result } };
  }
  const doubled = JSON.parse(step.StepDetails.Result);
  if (input.quick) return { Status: "SUCCEEDED", Result: JSON.stringify({ doubled }) };
  if (input.fail) return { Status: "FAILED", Error: { ErrorType: "Custom", ErrorMessage: "asked to fail" } };
  const wait = ops.get("pause");
  if (!wait) {
    await checkpoint([{ Id: "pause", Type: "WAIT", Action: "START", WaitOptions: { WaitSeconds: 60 } }]);
    return { Status: "PENDING" };
  }
  if (wait.Status !== "SUCCEEDED") return { Status: "PENDING" };
  let chained = ops.get("chain");
  if (!chained) {
    await checkpoint([{ Id: "chain", Type: "CHAINED_INVOKE", Action: "START", Payload: JSON.stringify({ x: doubled }), ChainedInvokeOptions: { FunctionName: "plain-helper" } }]);
    return { Status: "PENDING" };
  }
  if (chained.Status === "STARTED") return { Status: "PENDING" };
  const cb = ops.get("approval");
  if (!cb) {
    await checkpoint([{ Id: "approval", Type: "CALLBACK", Action: "START", CallbackOptions: { TimeoutSeconds: 3600, HeartbeatTimeoutSeconds: 600 } }]);
    return { Status: "PENDING" };
  }
  if (cb.Status === "STARTED") return { Status: "PENDING" };
  if (cb.Status !== "SUCCEEDED") return { Status: "FAILED", Error: cb.CallbackDetails.Error };
  return { Status: "SUCCEEDED", Result: JSON.stringify({ doubled, chained: JSON.parse(chained.ChainedInvokeDetails.Result), approval: cb.CallbackDetails.Result }) };
};
`;

async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error: any) {
    return { name: error.name, message: error.message, status: error.$metadata?.httpStatusCode };
  }
  throw new Error("expected a failure");
}

describe("Lambda durable executions (Node runner)", () => {
  const clock = createManualClock(Date.now());
  const emulator = createEmulator({ lambdaRunner: runner, clock });
  const lambda = new LambdaClient(inProcess(emulator));
  const history = async (arn: string) => (await lambda.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn, IncludeExecutionData: true }))).Events!;

  it("runs a step, a wait, a chained invoke and a callback, replaying on each resume", async () => {
    await lambda.send(new CreateFunctionCommand({
      FunctionName: "workflow", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: zip({ "index.mjs": DURABLE }) },
      Timeout: 30, DurableConfig: { ExecutionTimeout: 86400, RetentionPeriodInDays: 7 },
    }));
    await lambda.send(new CreateFunctionCommand({
      FunctionName: "plain-helper", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler",
      Code: { ZipFile: zip({ "index.mjs": "export const handler = async (e) => ({ plus: e.x + 1 });" }) },
    }));
    const started = await lambda.send(new InvokeCommand({ FunctionName: "workflow", InvocationType: "Event", Payload: json({ n: 21 }), DurableExecutionName: "order-1" }));
    expect(started.StatusCode).toBe(202);
    const arn = started.DurableExecutionArn!;
    expect(arn).toMatch(/^arn:aws:lambda:us-east-1:000000000000:function:workflow:\$LATEST\/durable-execution\/order-1\/[0-9a-f-]+$/);
    await emulator.settled();

    // Suspended on the 60-second wait.
    let got = await lambda.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
    expect(got).toMatchObject({ DurableExecutionName: "order-1", Status: "RUNNING", InputPayload: '{"n":21}', Version: "$LATEST", FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:workflow:$LATEST" });
    expect(got.StartTimestamp).toBeInstanceOf(Date);
    expect((await history(arn)).map((e) => e.EventType)).toEqual(["ExecutionStarted", "StepStarted", "StepSucceeded", "WaitStarted", "InvocationCompleted"]);

    // The wait ends on the emulator clock; the function replays, runs the chained invoke, then the callback.
    await clock.advance(59_000);
    await emulator.settled();
    expect((await history(arn)).map((e) => e.EventType)).not.toContain("WaitSucceeded");
    await clock.advance(1_000);
    await emulator.settled();
    const events = await history(arn);
    expect(events.map((e) => e.EventType)).toEqual([
      "ExecutionStarted", "StepStarted", "StepSucceeded", "WaitStarted", "InvocationCompleted",
      "WaitSucceeded", "ChainedInvokeStarted", "InvocationCompleted", "ChainedInvokeSucceeded", "CallbackStarted", "InvocationCompleted",
    ]);
    const callbackId = events.find((e) => e.EventType === "CallbackStarted")!.CallbackStartedDetails!.CallbackId!;
    expect(events.find((e) => e.EventType === "CallbackStarted")!.CallbackStartedDetails).toMatchObject({ Timeout: 3600, HeartbeatTimeout: 600 });
    expect(events.map((e) => e.EventId)).toEqual(events.map((_, i) => i + 1));

    await lambda.send(new SendDurableExecutionCallbackHeartbeatCommand({ CallbackId: callbackId }));
    await lambda.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: callbackId, Result: new TextEncoder().encode("approved") }));
    await emulator.settled();
    got = await lambda.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
    expect(got.Status).toBe("SUCCEEDED");
    expect(JSON.parse(got.Result!)).toEqual({ doubled: 42, chained: { plus: 43 }, approval: "approved" });
    expect(got.EndTimestamp).toBeInstanceOf(Date);
    expect((await history(arn)).at(-1)).toMatchObject({ EventType: "ExecutionSucceeded", ExecutionSucceededDetails: { Result: { Payload: got.Result } } });
    // Without IncludeExecutionData the payloads are left out.
    const bare = await lambda.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn, ReverseOrder: true, MaxItems: 2 }));
    expect(bare.Events!.map((e) => e.EventType)).toEqual(["ExecutionSucceeded", "InvocationCompleted"]);
    expect(bare.Events![0]!.ExecutionSucceededDetails?.Result?.Payload).toBeUndefined();
    expect(bare.NextMarker).toBeDefined();

    // A completed callback cannot complete again; an unknown one is refused.
    expect(await failure(lambda.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: callbackId, Result: new Uint8Array() }))))
      .toMatchObject({ name: "InvalidParameterValueException", status: 400 });
    expect(await failure(lambda.send(new SendDurableExecutionCallbackFailureCommand({ CallbackId: "Zm9vYmFy", Error: { ErrorMessage: "x" } }))))
      .toMatchObject({ name: "InvalidParameterValueException" });
  }, 120_000);

  it("waits for the execution on a synchronous Invoke; names are idempotent", async () => {
    const out = await lambda.send(new InvokeCommand({ FunctionName: "workflow", Payload: json({ n: 5, quick: true }), DurableExecutionName: "quick-1" }));
    expect(out.FunctionError).toBeUndefined();
    expect(JSON.parse(text(out.Payload))).toEqual({ doubled: 10 });
    expect(out.DurableExecutionArn).toContain("/durable-execution/quick-1/");
    const again = await lambda.send(new InvokeCommand({ FunctionName: "workflow", Payload: json({ n: 5, quick: true }), DurableExecutionName: "quick-1" }));
    expect(again.DurableExecutionArn).toBe(out.DurableExecutionArn);
    expect(await failure(lambda.send(new InvokeCommand({ FunctionName: "workflow", Payload: json({ n: 6, quick: true }), DurableExecutionName: "quick-1" }))))
      .toMatchObject({ name: "DurableExecutionAlreadyStartedException", status: 409 });

    const failed = await lambda.send(new InvokeCommand({ FunctionName: "workflow", Payload: json({ n: 1, fail: true }) }));
    expect(failed.FunctionError).toBe("Unhandled");
    expect(JSON.parse(text(failed.Payload))).toMatchObject({ errorType: "Custom", errorMessage: "asked to fail" });
    expect((await lambda.send(new GetDurableExecutionCommand({ DurableExecutionArn: failed.DurableExecutionArn! })))).toMatchObject({
      Status: "FAILED", Error: { ErrorType: "Custom", ErrorMessage: "asked to fail" },
    });
  }, 120_000);

  it("stops an execution, lists with filters, guards state and checkpoints with the token", async () => {
    const started = await lambda.send(new InvokeCommand({ FunctionName: "workflow", InvocationType: "Event", Payload: json({ n: 1 }), DurableExecutionName: "to-stop" }));
    await emulator.settled();
    const arn = started.DurableExecutionArn!;
    // Tokens are the runtime's: a wrong one is refused.
    expect(await failure(lambda.send(new GetDurableExecutionStateCommand({ DurableExecutionArn: arn, CheckpointToken: "bm90LWl0" }))))
      .toMatchObject({ name: "InvalidParameterValueException", message: expect.stringContaining("Invalid checkpoint token") });
    expect(await failure(lambda.send(new CheckpointDurableExecutionCommand({ DurableExecutionArn: arn, CheckpointToken: "bm90LWl0", Updates: [] }))))
      .toMatchObject({ name: "InvalidParameterValueException" });

    const stopped = await lambda.send(new StopDurableExecutionCommand({ DurableExecutionArn: arn, Error: { ErrorType: "Cancelled", ErrorMessage: "by test" } }));
    expect(stopped.StopTimestamp).toBeInstanceOf(Date);
    expect(await lambda.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }))).toMatchObject({ Status: "STOPPED", Error: { ErrorType: "Cancelled" } });
    expect(await failure(lambda.send(new StopDurableExecutionCommand({ DurableExecutionArn: arn })))).toMatchObject({ name: "InvalidParameterValueException" });
    // Its wait would have ended now: nothing runs any more.
    await clock.advance(120_000);
    await emulator.settled();
    expect((await history(arn)).at(-1)!.EventType).toBe("ExecutionStopped");

    const all = await lambda.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: "workflow" }));
    expect(all.DurableExecutions!.map((x) => x.DurableExecutionName)).toEqual(expect.arrayContaining(["order-1", "quick-1", "to-stop"]));
    const succeeded = await lambda.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: "workflow", Statuses: ["SUCCEEDED"] }));
    expect(succeeded.DurableExecutions!.every((x) => x.Status === "SUCCEEDED")).toBe(true);
    expect(succeeded.DurableExecutions!.map((x) => x.DurableExecutionName)).toEqual(expect.arrayContaining(["order-1", "quick-1"]));
    const named = await lambda.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: "workflow", DurableExecutionName: "to-stop" }));
    expect(named.DurableExecutions).toHaveLength(1);
    expect(named.DurableExecutions![0]).toMatchObject({ Status: "STOPPED", DurableExecutionArn: arn });
    const paged = await lambda.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: "workflow", MaxItems: 1 }));
    expect(paged.DurableExecutions).toHaveLength(1);
    expect(paged.NextMarker).toBeDefined();

    expect(await failure(lambda.send(new ListDurableExecutionsByFunctionCommand({ FunctionName: "nope" })))).toMatchObject({ name: "ResourceNotFoundException", status: 404 });
    const unknown = arn.replace("/to-stop/", "/nobody/");
    expect(await failure(lambda.send(new GetDurableExecutionCommand({ DurableExecutionArn: unknown })))).toMatchObject({ name: "ResourceNotFoundException", status: 404 });
  }, 120_000);

  it("times a callback out when its heartbeat stops; a late completion is CallbackTimeoutException", async () => {
    const arn = (await lambda.send(new InvokeCommand({ FunctionName: "workflow", InvocationType: "Event", Payload: json({ n: 3 }), DurableExecutionName: "late" }))).DurableExecutionArn!;
    await emulator.settled();
    await clock.advance(60_000);
    await emulator.settled();
    const callbackId = (await history(arn)).find((e) => e.EventType === "CallbackStarted")!.CallbackStartedDetails!.CallbackId!;
    // A heartbeat within 600 s keeps it open; then none comes.
    await clock.advance(500_000);
    await lambda.send(new SendDurableExecutionCallbackHeartbeatCommand({ CallbackId: callbackId }));
    await clock.advance(500_000);
    await emulator.settled();
    expect((await lambda.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }))).Status).toBe("RUNNING");
    await clock.advance(101_000);
    await emulator.settled();
    const got = await lambda.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }));
    expect(got).toMatchObject({ Status: "FAILED", Error: { ErrorType: "Callback.HeartbeatTimeout" } });
    expect((await history(arn)).map((e) => e.EventType)).toContain("CallbackTimedOut");
    expect(await failure(lambda.send(new SendDurableExecutionCallbackSuccessCommand({ CallbackId: callbackId, Result: new Uint8Array() }))))
      .toMatchObject({ name: "CallbackTimeoutException", status: 400 });
  }, 120_000);

  it("resumes a suspended execution after a restart (a new emulator on the same store)", async () => {
    const store = createMemoryStore();
    const blobs = createMemoryBlobStore();
    const before = createEmulator({ lambdaRunner: runner, clock: createManualClock(Date.now()), store, blobs });
    const first = new LambdaClient(inProcess(before));
    await first.send(new CreateFunctionCommand({
      FunctionName: "workflow", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler", Code: { ZipFile: zip({ "index.mjs": DURABLE }) },
      Timeout: 30, DurableConfig: { ExecutionTimeout: 86400 },
    }));
    await first.send(new CreateFunctionCommand({
      FunctionName: "plain-helper", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler",
      Code: { ZipFile: zip({ "index.mjs": "export const handler = async (e) => ({ plus: e.x + 1 });" }) },
    }));
    const arn = (await first.send(new InvokeCommand({ FunctionName: "workflow", InvocationType: "Event", Payload: json({ n: 2 }) }))).DurableExecutionArn!;
    await before.settled();

    const laterClock = createManualClock(Date.now());
    const after = createEmulator({ lambdaRunner: runner, clock: laterClock, store, blobs });
    const second = new LambdaClient(inProcess(after));
    // The first request re-arms the execution; its wait then ends on the new emulator's clock.
    expect((await second.send(new GetDurableExecutionCommand({ DurableExecutionArn: arn }))).Status).toBe("RUNNING");
    await laterClock.advance(61_000);
    await after.settled();
    const events = (await second.send(new GetDurableExecutionHistoryCommand({ DurableExecutionArn: arn }))).Events!.map((e) => e.EventType);
    expect(events).toEqual(expect.arrayContaining(["WaitSucceeded", "ChainedInvokeSucceeded", "CallbackStarted"]));
  }, 120_000);
});
