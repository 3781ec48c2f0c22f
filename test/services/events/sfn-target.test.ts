/**
 * Step Functions state machines as targets: an EventBridge rule starts an execution whose input
 * is the event, and a Scheduler schedule starts one with its Input; both read back through
 * ListExecutions / DescribeExecution.
 */
import { describe, expect, it } from "vitest";
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateScheduleCommand } from "@aws-sdk/client-scheduler";
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from "@aws-sdk/client-sfn";
import { setup } from "./helpers.ts";

const ROLE = "arn:aws:iam::000000000000:role/targets";

async function executions(sfn: SFNClient, stateMachineArn: string) {
  const { executions: listed } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
  return Promise.all(listed!.map((e) => sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }))));
}

describe("Step Functions targets", () => {
  it("a rule starts an execution with the event as input; a schedule with its Input", async () => {
    const { events, scheduler, emulator, config, clock } = setup();
    const sfn = new SFNClient(config());
    const definition = JSON.stringify({ StartAt: "Done", States: { Done: { Type: "Pass", End: true } } });
    const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: "on-event", roleArn: ROLE, definition }));

    await events.send(new PutRuleCommand({ Name: "to-sfn", EventPattern: JSON.stringify({ source: ["orders"] }) }));
    await events.send(new PutTargetsCommand({ Rule: "to-sfn", Targets: [{ Id: "m", Arn: stateMachineArn!, RoleArn: ROLE }] }));
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "orders", DetailType: "placed", Detail: '{"id": "o-1"}' }, { Source: "other", DetailType: "x", Detail: "{}" }] }));
    await emulator.settled();
    const fromRule = await executions(sfn, stateMachineArn!);
    expect(fromRule).toHaveLength(1);
    expect(JSON.parse(fromRule[0]!.input!)).toMatchObject({ id: put.Entries![0]!.EventId, source: "orders", "detail-type": "placed", detail: { id: "o-1" } });
    expect(fromRule[0]!.status).toBe("SUCCEEDED");

    await scheduler.send(new CreateScheduleCommand({
      Name: "nightly", ScheduleExpression: "cron(0 2 * * ? *)", FlexibleTimeWindow: { Mode: "OFF" },
      Target: { Arn: stateMachineArn!, RoleArn: ROLE, Input: '{"job": "nightly"}' },
    }));
    await clock.advance(2 * 3_600_000);
    const all = await executions(sfn, stateMachineArn!);
    expect(all.map((e) => JSON.parse(e.input!)).filter((i) => i.job)).toEqual([{ job: "nightly" }]);
  });
});
