/**
 * Lambda targets that really run (Node runner): an EventBridge rule and a Scheduler schedule
 * invoke a function asynchronously; a missing function fails to the DLQ with Lambda's error.
 */
import { afterAll, describe, expect, it } from "vitest";
import { CreateFunctionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { PutEventsCommand, PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { CreateScheduleCommand } from "@aws-sdk/client-scheduler";
import { createNodeLambdaRunner } from "../../../src/runtime/node.ts";
import { ROLE, zip } from "../lambda/zips.ts";
import { setup } from "./helpers.ts";

const runner = createNodeLambdaRunner({ idleMs: 5_000 });
afterAll(() => runner.close());

describe("Lambda targets", () => {
  it("a rule and a schedule invoke the function with the event / the schedule's input", async () => {
    const { events, scheduler, emulator, config, queue, drain } = setup({ lambdaRunner: runner });
    const lambda = new LambdaClient(config());
    const { FunctionArn } = await lambda.send(new CreateFunctionCommand({
      FunctionName: "echo", Runtime: "nodejs20.x", Role: ROLE, Handler: "index.handler",
      Code: { ZipFile: zip({ "index.mjs": "export const handler = async (e) => e;" }) },
    }));
    const dlq = await queue("lambda-dlq");
    await events.send(new PutRuleCommand({ Name: "to-lambda", EventPattern: '{"source":["fn"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "to-lambda", Targets: [
      { Id: "fn", Arn: FunctionArn },
      { Id: "missing", Arn: "arn:aws:lambda:us-east-1:000000000000:function:missing", DeadLetterConfig: { Arn: dlq.arn } },
    ] }));
    const put = await events.send(new PutEventsCommand({ Entries: [{ Source: "fn", DetailType: "x", Detail: '{"n":7}' }] }));
    await scheduler.send(new CreateScheduleCommand({
      Name: "to-lambda", ScheduleExpression: "rate(1 hour)", FlexibleTimeWindow: { Mode: "OFF" },
      Target: { Arn: FunctionArn!, RoleArn: ROLE, Input: '{"from": "scheduler"}' },
    }));
    await emulator.settled();
    const records = await (await emulator.fetch(new Request("http://localhost/_fetchstack/services/lambda/invocations?function=echo"))).json() as any[];
    const responses = records.map((r) => [r.InvocationType, JSON.parse(r.Response)]);
    expect(responses).toContainEqual(["Event", expect.objectContaining({ id: put.Entries![0]!.EventId, detail: { n: 7 } })]);
    expect(responses).toContainEqual(["Event", { from: "scheduler" }]);
    const dead = await drain(dlq.url);
    expect(dead.map((m) => m.MessageAttributes!.ERROR_CODE!.StringValue)).toEqual(["ResourceNotFoundException"]);
  }, 60_000);
});
