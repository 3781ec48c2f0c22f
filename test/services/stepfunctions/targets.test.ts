/**
 * Step Functions as a target of the event backbone (issue 18): an EventBridge rule whose target
 * is a state machine starts an execution with the event as input (and with an InputTransformer),
 * and an EventBridge Scheduler schedule starts one when the clock reaches it.
 */
import { describe, expect, it } from "vitest";
import { SFNClient, CreateStateMachineCommand, ListExecutionsCommand, DescribeExecutionCommand } from "@aws-sdk/client-sfn";
import { EventBridgeClient, PutRuleCommand, PutTargetsCommand, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { SchedulerClient, CreateScheduleCommand } from "@aws-sdk/client-scheduler";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";

const ROLE = "arn:aws:iam::000000000000:role/sfn";
const ECHO = JSON.stringify({ StartAt: "Echo", States: { Echo: { Type: "Pass", End: true } } });

describe("Step Functions as an EventBridge and Scheduler target", () => {
  const clock = createManualClock(Date.UTC(2026, 0, 1));
  const emulator = createEmulator({ clock });
  const config = inProcess(emulator);
  const sfn = new SFNClient(config);
  const executions = async (arn: string) => {
    const listed = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    return Promise.all(listed.executions!.map((e) => sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }))));
  };

  it("an EventBridge rule starts executions with the event (and a transformed input)", async () => {
    const eb = new EventBridgeClient(config);
    const arn = (await sfn.send(new CreateStateMachineCommand({ name: "on-order", definition: ECHO, roleArn: ROLE }))).stateMachineArn!;
    await eb.send(new PutRuleCommand({ Name: "orders", EventPattern: JSON.stringify({ source: ["shop"], "detail-type": ["OrderPlaced"] }) }));
    await eb.send(new PutTargetsCommand({ Rule: "orders", Targets: [
      { Id: "whole", Arn: arn, RoleArn: ROLE },
      { Id: "shaped", Arn: arn, RoleArn: ROLE, InputTransformer: { InputPathsMap: { id: "$.detail.id" }, InputTemplate: '{"orderId": <id>}' } },
    ] }));
    const put = await eb.send(new PutEventsCommand({ Entries: [{ Source: "shop", DetailType: "OrderPlaced", Detail: JSON.stringify({ id: "o-9" }) }] }));
    expect(put.FailedEntryCount).toBe(0);
    await emulator.settled();
    const runs = await executions(arn);
    expect(runs).toHaveLength(2);
    expect(runs.every((r) => r.status === "SUCCEEDED")).toBe(true);
    const inputs = runs.map((r) => JSON.parse(r.input!));
    expect(inputs).toContainEqual({ orderId: "o-9" });
    const whole = inputs.find((i) => i.source === "shop");
    expect(whole).toMatchObject({ source: "shop", "detail-type": "OrderPlaced", detail: { id: "o-9" }, account: "000000000000", region: "us-east-1" });
    expect(whole.id).toMatch(/^[0-9a-f-]{36}$/);
    // An event the pattern does not match starts nothing.
    await eb.send(new PutEventsCommand({ Entries: [{ Source: "other", DetailType: "OrderPlaced", Detail: "{}" }] }));
    await emulator.settled();
    expect(await executions(arn)).toHaveLength(2);
  });

  it("a Scheduler schedule starts an execution when the clock reaches it", async () => {
    const scheduler = new SchedulerClient(config);
    const arn = (await sfn.send(new CreateStateMachineCommand({ name: "nightly", definition: ECHO, roleArn: ROLE }))).stateMachineArn!;
    await scheduler.send(new CreateScheduleCommand({
      Name: "nightly-run", ScheduleExpression: "at(2026-01-01T00:10:00)", FlexibleTimeWindow: { Mode: "OFF" },
      Target: { Arn: arn, RoleArn: ROLE, Input: JSON.stringify({ job: "report" }) },
    }));
    await emulator.settled();
    expect(await executions(arn)).toHaveLength(0);
    await clock.advance(10 * 60_000);
    await emulator.settled();
    const runs = await executions(arn);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: "SUCCEEDED", input: '{"job":"report"}', output: '{"job":"report"}' });
    expect(runs[0]!.startDate).toEqual(new Date(Date.UTC(2026, 0, 1, 0, 10)));
  });
});
