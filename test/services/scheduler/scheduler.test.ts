/**
 * EventBridge Scheduler through the JS SDK v3 in-process, on a manual clock: groups, schedule
 * CRUD and validation, rate/cron/at firing with time zones and start/end dates, templated
 * targets (SQS, EventBridge), universal targets, ActionAfterCompletion DELETE, the DLQ for a
 * target whose service is not served, and re-arming after a restart.
 */
import { describe, expect, it } from "vitest";
import {
  CreateScheduleCommand, CreateScheduleGroupCommand, DeleteScheduleCommand, DeleteScheduleGroupCommand, GetScheduleCommand,
  GetScheduleGroupCommand, ListScheduleGroupsCommand, ListSchedulesCommand, ListTagsForResourceCommand, TagResourceCommand,
  UntagResourceCommand, UpdateScheduleCommand,
} from "@aws-sdk/client-scheduler";
import { PutRuleCommand, PutTargetsCommand } from "@aws-sdk/client-eventbridge";
import { failure, setup } from "../events/helpers.ts";
import { createManualClock } from "../../../src/clock.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";

const MIN = 60_000;
const ROLE = "arn:aws:iam::000000000000:role/scheduler";
const OFF = { Mode: "OFF" as const };

describe("schedule groups and schedules", () => {
  it("CRUD, listing, tags and AWS's errors", async () => {
    const { scheduler } = setup();
    const target = { Arn: "arn:aws:sqs:us-east-1:000000000000:q", RoleArn: ROLE };
    const def = await scheduler.send(new GetScheduleGroupCommand({ Name: "default" }));
    expect([def.Name, def.State, def.Arn]).toEqual(["default", "ACTIVE", "arn:aws:scheduler:us-east-1:000000000000:schedule-group/default"]);
    const { ScheduleGroupArn } = await scheduler.send(new CreateScheduleGroupCommand({ Name: "team", Tags: [{ Key: "a", Value: "1" }] }));
    const dupGroup = await failure(scheduler.send(new CreateScheduleGroupCommand({ Name: "team" })));
    expect([dupGroup.name, dupGroup.$metadata.httpStatusCode]).toEqual(["ConflictException", 409]);
    expect((await scheduler.send(new ListScheduleGroupsCommand({}))).ScheduleGroups!.map((g) => g.Name)).toEqual(["default", "team"]);
    await scheduler.send(new TagResourceCommand({ ResourceArn: ScheduleGroupArn, Tags: [{ Key: "b", Value: "2" }] }));
    await scheduler.send(new UntagResourceCommand({ ResourceArn: ScheduleGroupArn, TagKeys: ["a"] }));
    expect((await scheduler.send(new ListTagsForResourceCommand({ ResourceArn: ScheduleGroupArn }))).Tags).toEqual([{ Key: "b", Value: "2" }]);

    const { ScheduleArn } = await scheduler.send(new CreateScheduleCommand({ Name: "s1", GroupName: "team", ScheduleExpression: "rate(1 hour)", FlexibleTimeWindow: OFF, Target: target, Description: "d", ClientToken: "token-1" }));
    expect(ScheduleArn).toBe("arn:aws:scheduler:us-east-1:000000000000:schedule/team/s1");
    await scheduler.send(new CreateScheduleCommand({ Name: "s2", ScheduleExpression: "cron(0 9 * * ? *)", ScheduleExpressionTimezone: "Europe/Paris", FlexibleTimeWindow: { Mode: "FLEXIBLE", MaximumWindowInMinutes: 15 }, Target: target, State: "DISABLED" }));
    const got = await scheduler.send(new GetScheduleCommand({ Name: "s1", GroupName: "team" }));
    expect(got).toMatchObject({ Name: "s1", GroupName: "team", Arn: ScheduleArn, ScheduleExpression: "rate(1 hour)", State: "ENABLED", Description: "d", ActionAfterCompletion: "NONE", Target: target, FlexibleTimeWindow: OFF });
    expect(got.CreationDate).toEqual(new Date(Date.UTC(2026, 0, 1)));
    // A retry with the same ClientToken answers as the first request did.
    const retried = await scheduler.send(new CreateScheduleCommand({ Name: "s1", GroupName: "team", ScheduleExpression: "rate(1 hour)", FlexibleTimeWindow: OFF, Target: target, ClientToken: "token-1" }));
    expect(retried.ScheduleArn).toBe(ScheduleArn);
    const dup = await failure(scheduler.send(new CreateScheduleCommand({ Name: "s1", GroupName: "team", ScheduleExpression: "rate(1 hour)", FlexibleTimeWindow: OFF, Target: target, ClientToken: "other" })));
    expect([dup.name, dup.message, dup.$metadata.httpStatusCode]).toEqual(["ConflictException", "Schedule s1 already exists.", 409]);
    const missing = await failure(scheduler.send(new GetScheduleCommand({ Name: "s1" })));
    expect([missing.name, missing.message, missing.$metadata.httpStatusCode]).toEqual(["ResourceNotFoundException", "Schedule s1 does not exist.", 404]);
    const noGroup = await failure(scheduler.send(new CreateScheduleCommand({ Name: "x", GroupName: "nope", ScheduleExpression: "rate(1 hour)", FlexibleTimeWindow: OFF, Target: target })));
    expect([noGroup.name, noGroup.message]).toEqual(["ResourceNotFoundException", "Schedule group nope does not exist."]);
    for (const bad of [
      { ScheduleExpression: "rate(1 hours)", FlexibleTimeWindow: OFF },
      { ScheduleExpression: "cron(0 9 * * * *)", FlexibleTimeWindow: OFF },
      { ScheduleExpression: "rate(1 hour)", ScheduleExpressionTimezone: "Mars/Olympus", FlexibleTimeWindow: OFF },
      { ScheduleExpression: "rate(1 hour)", FlexibleTimeWindow: { Mode: "FLEXIBLE" as const } },
      { ScheduleExpression: "rate(1 hour)", FlexibleTimeWindow: OFF, StartDate: new Date(Date.UTC(2026, 5, 1)), EndDate: new Date(Date.UTC(2026, 4, 1)) },
    ]) {
      const e = await failure(scheduler.send(new CreateScheduleCommand({ Name: "bad", Target: target, ...bad })));
      expect(e.name, JSON.stringify(bad)).toBe("ValidationException");
    }

    const all = await scheduler.send(new ListSchedulesCommand({ MaxResults: 1 }));
    expect(all.Schedules!.map((s) => [s.GroupName, s.Name])).toEqual([["default", "s2"]]);
    const rest = await scheduler.send(new ListSchedulesCommand({ NextToken: all.NextToken }));
    expect(rest.Schedules!.map((s) => [s.GroupName, s.Name, s.Target!.Arn])).toEqual([["team", "s1", target.Arn]]);
    expect((await scheduler.send(new ListSchedulesCommand({ State: "DISABLED" }))).Schedules!.map((s) => s.Name)).toEqual(["s2"]);
    expect((await scheduler.send(new ListSchedulesCommand({ GroupName: "team" }))).Schedules!.map((s) => s.Name)).toEqual(["s1"]);

    await scheduler.send(new UpdateScheduleCommand({ Name: "s1", GroupName: "team", ScheduleExpression: "rate(2 hours)", FlexibleTimeWindow: OFF, Target: target }));
    const updated = await scheduler.send(new GetScheduleCommand({ Name: "s1", GroupName: "team" }));
    expect([updated.ScheduleExpression, updated.Description]).toEqual(["rate(2 hours)", undefined]);
    await scheduler.send(new DeleteScheduleCommand({ Name: "s2" }));
    expect((await failure(scheduler.send(new DeleteScheduleCommand({ Name: "s2" })))).name).toBe("ResourceNotFoundException");
    await scheduler.send(new DeleteScheduleGroupCommand({ Name: "team" }));
    expect((await failure(scheduler.send(new GetScheduleCommand({ Name: "s1", GroupName: "team" })))).name).toBe("ResourceNotFoundException");
    expect((await failure(scheduler.send(new DeleteScheduleGroupCommand({ Name: "default" })))).name).toBe("ValidationException");
  });
});

describe("schedules fire on the clock", () => {
  it("rate: at once without StartDate, then every period; EndDate stops it; context attributes in Input", async () => {
    const { scheduler, clock, emulator, queue, bodies } = setup();
    const q = await queue("rate");
    const { ScheduleArn } = await scheduler.send(new CreateScheduleCommand({
      Name: "every-10", ScheduleExpression: "rate(10 minutes)", FlexibleTimeWindow: OFF,
      EndDate: new Date(Date.UTC(2026, 0, 1, 0, 25)),
      Target: { Arn: q.arn, RoleArn: ROLE, Input: '{"arn": "<aws.scheduler.schedule-arn>", "at": "<aws.scheduler.scheduled-time>", "attempt": <aws.scheduler.attempt-number>}' },
    }));
    await emulator.settled();
    expect(await bodies(q.url)).toEqual([{ arn: ScheduleArn, at: "2026-01-01T00:00:00Z", attempt: 1 }]);
    await clock.advance(60 * MIN);
    expect((await bodies(q.url)).map((b) => b.at)).toEqual(["2026-01-01T00:10:00Z", "2026-01-01T00:20:00Z"]);
  });

  it("cron in a time zone, from StartDate", async () => {
    const { scheduler, clock, queue, bodies } = setup();
    const q = await queue("cron-tz");
    // 09:00 in New York is 14:00 UTC in January.
    await scheduler.send(new CreateScheduleCommand({
      Name: "ny-morning", ScheduleExpression: "cron(0 9 * * ? *)", ScheduleExpressionTimezone: "America/New_York", FlexibleTimeWindow: OFF,
      StartDate: new Date(Date.UTC(2026, 0, 2)),
      Target: { Arn: q.arn, RoleArn: ROLE, Input: '"<aws.scheduler.scheduled-time>"' },
    }));
    await clock.advance(3 * 24 * 60 * MIN);
    expect(await bodies(q.url)).toEqual(["2026-01-02T14:00:00Z", "2026-01-03T14:00:00Z"]);
  });

  it("at(): fires once, then ActionAfterCompletion DELETE removes the schedule", async () => {
    const { scheduler, clock, queue, drain } = setup();
    const q = await queue("once");
    // 02:00 in Berlin is 01:00 UTC.
    await scheduler.send(new CreateScheduleCommand({
      Name: "once", ScheduleExpression: "at(2026-01-01T02:00:00)", ScheduleExpressionTimezone: "Europe/Berlin", FlexibleTimeWindow: OFF,
      ActionAfterCompletion: "DELETE", Target: { Arn: q.arn, RoleArn: ROLE, Input: "ping" },
    }));
    await clock.advance(59 * MIN);
    expect(await drain(q.url)).toEqual([]);
    expect((await scheduler.send(new GetScheduleCommand({ Name: "once" }))).State).toBe("ENABLED");
    await clock.advance(2 * MIN);
    expect((await drain(q.url)).map((m) => m.Body)).toEqual(["ping"]);
    expect((await failure(scheduler.send(new GetScheduleCommand({ Name: "once" })))).name).toBe("ResourceNotFoundException");
    await clock.advance(24 * 60 * MIN);
    expect(await drain(q.url)).toEqual([]);
  });

  it("templated EventBridge target and a universal target (sqs:sendMessage)", async () => {
    const { scheduler, events, clock, queue, drain, emulator } = setup();
    const q = await queue("via-bus");
    const direct = await queue("universal");
    await events.send(new PutRuleCommand({ Name: "from-scheduler", EventPattern: '{"source":["scheduler.test"]}' }));
    await events.send(new PutTargetsCommand({ Rule: "from-scheduler", Targets: [{ Id: "q", Arn: q.arn }] }));
    await scheduler.send(new CreateScheduleCommand({
      Name: "to-bus", ScheduleExpression: "rate(1 hour)", StartDate: new Date(Date.UTC(2026, 0, 1, 1)), FlexibleTimeWindow: OFF,
      Target: { Arn: "arn:aws:events:us-east-1:000000000000:event-bus/default", RoleArn: ROLE, Input: '{"k": "v"}', EventBridgeParameters: { Source: "scheduler.test", DetailType: "tick" } },
    }));
    await scheduler.send(new CreateScheduleCommand({
      Name: "universal", ScheduleExpression: "rate(1 hour)", StartDate: new Date(Date.UTC(2026, 0, 1, 1)), FlexibleTimeWindow: OFF,
      Target: { Arn: "arn:aws:scheduler:::aws-sdk:sqs:sendMessage", RoleArn: ROLE, Input: JSON.stringify({ QueueUrl: direct.url, MessageBody: "universal <aws.scheduler.scheduled-time>" }) },
    }));
    await clock.advance(60 * MIN);
    await emulator.settled();
    const viaBus = (await drain(q.url)).map((m) => JSON.parse(m.Body!));
    expect(viaBus.map((e) => [e.source, e["detail-type"], e.detail])).toEqual([["scheduler.test", "tick", { k: "v" }]]);
    expect((await drain(direct.url)).map((m) => m.Body)).toEqual(["universal 2026-01-01T01:00:00Z"]);
  });

  it("a target whose service is not served fails once to the DLQ with the schedule's attributes", async () => {
    const { scheduler, emulator, queue, drain } = setup({ services: ["scheduler", "sqs"] });
    const dlq = await queue("sched-dlq");
    const { ScheduleArn } = await scheduler.send(new CreateScheduleCommand({
      Name: "to-lambda", ScheduleExpression: "rate(1 day)", FlexibleTimeWindow: OFF,
      Target: { Arn: "arn:aws:lambda:us-east-1:000000000000:function:f", RoleArn: ROLE, Input: '{"x":1}', DeadLetterConfig: { Arn: dlq.arn } },
    }));
    await emulator.settled();
    const dead = await drain(dlq.url);
    expect(dead.map((m) => [m.Body, m.MessageAttributes!.ERROR_CODE!.StringValue, m.MessageAttributes!.SCHEDULE_ARN!.StringValue, m.MessageAttributes!.TARGET_ARN!.StringValue])).toEqual([
      ['{"x":1}', "NotImplemented", ScheduleArn, "arn:aws:lambda:us-east-1:000000000000:function:f"],
    ]);
    const records = await (await emulator.fetch(new Request("http://localhost/_fetchstack/services/scheduler/invocations"))).json() as any[];
    expect(records.map((r) => [r.status, r.attempts, r.errorCode])).toEqual([["dead-lettered", 1, "NotImplemented"]]);
  });

  it("a restarted emulator re-arms stored schedules and catches up", async () => {
    const store = createMemoryStore();
    const first = setup({ store });
    const q = await first.queue("sched-restart");
    await first.scheduler.send(new CreateScheduleCommand({
      Name: "hourly", ScheduleExpression: "rate(1 hour)", StartDate: new Date(Date.UTC(2026, 0, 1, 1)), FlexibleTimeWindow: OFF,
      Target: { Arn: q.arn, RoleArn: ROLE, Input: '"<aws.scheduler.scheduled-time>"' },
    }));
    // No request needed: the new emulator re-arms at start.
    const second = setup({ store, clock: createManualClock(Date.UTC(2026, 0, 1, 2, 30)) });
    await second.emulator.settled();
    expect(await second.bodies(q.url)).toEqual(["2026-01-01T01:00:00Z", "2026-01-01T02:00:00Z"]);
    await second.clock.advance(30 * MIN);
    expect(await second.bodies(q.url)).toEqual(["2026-01-01T03:00:00Z"]);
  });
});
