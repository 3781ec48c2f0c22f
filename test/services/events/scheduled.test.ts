/**
 * Scheduled rules on the manual clock: rate and cron rules fire once per due time, in order;
 * disabling stops them; a restarted emulator over the same store re-arms and catches up.
 */
import { describe, expect, it } from "vitest";
import { DeleteRuleCommand, DisableRuleCommand, EnableRuleCommand, PutRuleCommand, PutTargetsCommand, RemoveTargetsCommand } from "@aws-sdk/client-eventbridge";
import { setup } from "./helpers.ts";
import { createManualClock } from "../../../src/clock.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";

const MIN = 60_000;

describe("scheduled rules", () => {
  it("rate(5 minutes) fires every 5 minutes of emulator time, with AWS's Scheduled Event", async () => {
    const { events, clock, queue, bodies } = setup();
    const q = await queue("ticks");
    const { RuleArn } = await events.send(new PutRuleCommand({ Name: "tick", ScheduleExpression: "rate(5 minutes)" }));
    await events.send(new PutTargetsCommand({ Rule: "tick", Targets: [{ Id: "q", Arn: q.arn }] }));
    await clock.advance(4 * MIN);
    expect(await bodies(q.url)).toEqual([]);
    await clock.advance(12 * MIN);
    const got = await bodies(q.url);
    expect(got.map((e) => e.time)).toEqual(["2026-01-01T00:05:00Z", "2026-01-01T00:10:00Z", "2026-01-01T00:15:00Z"]);
    expect(got[0]).toMatchObject({ version: "0", "detail-type": "Scheduled Event", source: "aws.events", account: "000000000000", region: "us-east-1", resources: [RuleArn], detail: {} });
    expect(new Set(got.map((e) => e.id)).size).toBe(3);

    await events.send(new DisableRuleCommand({ Name: "tick" }));
    await clock.advance(30 * MIN);
    expect(await bodies(q.url)).toEqual([]);
    await events.send(new EnableRuleCommand({ Name: "tick" }));
    await clock.advance(5 * MIN);
    expect((await bodies(q.url)).map((e) => e.time)).toEqual(["2026-01-01T00:51:00Z"]);

    await events.send(new RemoveTargetsCommand({ Rule: "tick", Ids: ["q"] }));
    await events.send(new DeleteRuleCommand({ Name: "tick" }));
    await clock.advance(60 * MIN);
    expect(await bodies(q.url)).toEqual([]);
  });

  it("cron(0/15 * ? * MON-FRI *) fires on weekday quarter hours only (UTC)", async () => {
    // 2026-01-02 is a Friday.
    const clock = createManualClock(Date.UTC(2026, 0, 2, 23, 20));
    const { events, queue, bodies } = setup({ clock });
    const q = await queue("cron");
    await events.send(new PutRuleCommand({ Name: "quarter", ScheduleExpression: "cron(0/15 * ? * MON-FRI *)" }));
    await events.send(new PutTargetsCommand({ Rule: "quarter", Targets: [{ Id: "q", Arn: q.arn, Input: '"tick"' }] }));
    await clock.advance(60 * MIN);
    expect((await bodies(q.url))).toEqual(["tick", "tick"]);
    // Saturday and Sunday: nothing until Monday 00:00.
    await clock.set(Date.UTC(2026, 0, 4, 23, 59));
    expect(await bodies(q.url)).toEqual([]);
    await clock.advance(MIN);
    expect(await bodies(q.url)).toEqual(["tick"]);
  });

  it("a restarted emulator over the same store re-arms stored schedules and catches up once per missed time", async () => {
    const store = createMemoryStore();
    const first = setup({ store });
    const q = await first.queue("restart");
    await first.events.send(new PutRuleCommand({ Name: "every-minute", ScheduleExpression: "rate(1 minute)" }));
    await first.events.send(new PutTargetsCommand({ Rule: "every-minute", Targets: [{ Id: "q", Arn: q.arn }] }));
    await first.clock.advance(2 * MIN);
    expect((await first.bodies(q.url)).map((e) => e.time)).toEqual(["2026-01-01T00:01:00Z", "2026-01-01T00:02:00Z"]);

    // "Restart": a new emulator on the same store, its clock 3.5 minutes later.
    // No request needed: the new emulator re-arms at start.
    const second = setup({ store, clock: createManualClock(Date.UTC(2026, 0, 1, 0, 5, 30)) });
    await second.emulator.settled();
    expect((await second.bodies(q.url)).map((e) => e.time)).toEqual(["2026-01-01T00:03:00Z", "2026-01-01T00:04:00Z", "2026-01-01T00:05:00Z"]);
    await second.clock.advance(MIN);
    expect((await second.bodies(q.url)).map((e) => e.time)).toEqual(["2026-01-01T00:06:00Z"]);
  });
});
