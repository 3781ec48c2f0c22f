/**
 * AWS schedule expressions (src/schedules/cron.ts): rate, six-field cron with ? L W #, at(),
 * time zones across DST, and what is rejected.
 */
import { describe, expect, it } from "vitest";
import { nextFire, parseScheduleExpression, ScheduleExpressionError } from "../../../src/schedules/cron.ts";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The next `n` fire times after `start` (UTC ISO strings). */
function fires(expr: string, start: string, n: number, tz = "UTC"): (string | null)[] {
  const parsed = parseScheduleExpression(expr, { allowAt: true });
  const out: (string | null)[] = [];
  let t = Date.parse(start);
  for (let i = 0; i < n; i++) {
    const next = nextFire(parsed, t, Date.parse(start), tz);
    out.push(iso(next));
    if (next === null) break;
    t = next;
  }
  return out;
}

describe("cron", () => {
  it("every 15 minutes on weekdays", () => {
    expect(fires("cron(0/15 * ? * MON-FRI *)", "2026-01-02T23:40:00Z", 3)).toEqual(["2026-01-02T23:45:00.000Z", "2026-01-05T00:00:00.000Z", "2026-01-05T00:15:00.000Z"]);
  });
  it("fixed time daily, lists and ranges", () => {
    expect(fires("cron(0 10 * * ? *)", "2026-03-01T10:00:00Z", 2)).toEqual(["2026-03-02T10:00:00.000Z", "2026-03-03T10:00:00.000Z"]);
    expect(fires("cron(5,35 8-9 1 JAN,JUL ? 2026-2027)", "2026-01-01T00:00:00Z", 5)).toEqual([
      "2026-01-01T08:05:00.000Z", "2026-01-01T08:35:00.000Z", "2026-01-01T09:05:00.000Z", "2026-01-01T09:35:00.000Z", "2026-07-01T08:05:00.000Z",
    ]);
  });
  it("L: last day of the month; LW: last weekday; nW: nearest weekday", () => {
    expect(fires("cron(0 0 L * ? *)", "2026-01-15T00:00:00Z", 3)).toEqual(["2026-01-31T00:00:00.000Z", "2026-02-28T00:00:00.000Z", "2026-03-31T00:00:00.000Z"]);
    // 2026-01-31 is a Saturday, so the last weekday is Friday the 30th.
    expect(fires("cron(0 0 LW * ? *)", "2026-01-01T00:00:00Z", 1)).toEqual(["2026-01-30T00:00:00.000Z"]);
    // 2026-02-01 is a Sunday: nearest weekday is Monday the 2nd (does not leave the month).
    expect(fires("cron(0 0 1W * ? *)", "2026-01-31T00:00:00Z", 1)).toEqual(["2026-02-02T00:00:00.000Z"]);
    // 2026-03-14 is a Saturday: nearest weekday is Friday the 13th.
    expect(fires("cron(0 0 14W * ? *)", "2026-03-01T00:00:00Z", 1)).toEqual(["2026-03-13T00:00:00.000Z"]);
  });
  it("#: nth weekday; L in day-of-week: last such weekday", () => {
    // Second Tuesday (3#2) of January 2026 is the 13th; last Friday (6L) is the 30th.
    expect(fires("cron(0 12 ? * 3#2 *)", "2026-01-01T00:00:00Z", 2)).toEqual(["2026-01-13T12:00:00.000Z", "2026-02-10T12:00:00.000Z"]);
    expect(fires("cron(0 12 ? * 6L *)", "2026-01-01T00:00:00Z", 1)).toEqual(["2026-01-30T12:00:00.000Z"]);
    expect(fires("cron(0 12 ? * FRIL *)", "2026-01-01T00:00:00Z", 1)).toEqual(["2026-01-30T12:00:00.000Z"]);
  });
  it("years end the schedule", () => {
    expect(fires("cron(0 0 1 1 ? 2026)", "2026-01-01T00:00:00Z", 2)).toEqual([null]);
  });
  it("time zones, across daylight saving", () => {
    // 09:00 in New York: EST (UTC-5) before 2026-03-08, EDT (UTC-4) after.
    expect(fires("cron(0 9 * * ? *)", "2026-03-06T00:00:00Z", 3, "America/New_York")).toEqual([
      "2026-03-06T14:00:00.000Z", "2026-03-07T14:00:00.000Z", "2026-03-08T13:00:00.000Z",
    ]);
    expect(fires("cron(30 1 * * ? *)", "2026-06-01T00:00:00Z", 1, "Asia/Kolkata")).toEqual(["2026-06-01T20:00:00.000Z"]);
  });
  it("rejects what AWS rejects", () => {
    for (const bad of ["cron(0 0 * * * *)", "cron(0 0 ? * ? *)", "cron(0 0 * *)", "cron(60 0 * * ? *)", "cron(0 24 * * ? *)", "cron(0 0 32 * ? *)", "cron(0 0 ? * 8 *)", "cron(0 0 ? FOO * *)", "cron(0/0 0 * * ? *)", "cron(0 0 ? * 2#6 *)"]) {
      expect(() => parseScheduleExpression(bad), bad).toThrow(ScheduleExpressionError);
    }
  });
});

describe("rate and at", () => {
  it("rate counts whole periods from its start; singular for 1, plural otherwise", () => {
    expect(fires("rate(1 minute)", "2026-01-01T00:00:00Z", 2)).toEqual(["2026-01-01T00:01:00.000Z", "2026-01-01T00:02:00.000Z"]);
    expect(fires("rate(2 hours)", "2026-01-01T00:00:00Z", 2)).toEqual(["2026-01-01T02:00:00.000Z", "2026-01-01T04:00:00.000Z"]);
    expect(fires("rate(7 days)", "2026-01-01T00:00:00Z", 1)).toEqual(["2026-01-08T00:00:00.000Z"]);
    for (const bad of ["rate(1 minutes)", "rate(2 minute)", "rate(0 minutes)", "rate(5 weeks)", "rate(x minutes)", "rate(5)"]) {
      expect(() => parseScheduleExpression(bad), bad).toThrow(ScheduleExpressionError);
    }
  });
  it("at() fires once, in its time zone; only where allowed", () => {
    expect(fires("at(2026-02-01T10:00:00)", "2026-01-01T00:00:00Z", 2, "Europe/Paris")).toEqual(["2026-02-01T09:00:00.000Z", null]);
    expect(() => parseScheduleExpression("at(2026-02-01T10:00:00)")).toThrow(ScheduleExpressionError);
    expect(() => parseScheduleExpression("at(2026-02-30T10:00:00)", { allowAt: true })).toThrow(ScheduleExpressionError);
  });
});
