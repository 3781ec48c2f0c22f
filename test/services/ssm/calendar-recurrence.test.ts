/**
 * Change Calendar recurring events (issue 17): RRULE (FREQ, INTERVAL, COUNT, UNTIL, BYDAY,
 * BYMONTHDAY, BYMONTH) and EXDATE in GetCalendarState, with AtTime and on the clock.
 */
import { describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

// Thursday 2026-01-01 08:00 UTC.
const clock = createManualClock(Date.UTC(2026, 0, 1, 8, 0));
const ssm = new S.SSMClient(inProcess(createEmulator({ store: createMemoryStore(), clock })));

/** A calendar with one event: [start, end, extra lines (RRULE, EXDATE)]. */
const ics = (type: string, events: [string, string, string[]][]) => [
  "BEGIN:VCALENDAR", "PRODID:-//AWS//Change Calendar 1.0//EN", "VERSION:2.0", `X-CALENDAR-TYPE:${type}`,
  ...events.flatMap(([s, e, extra], i) => ["BEGIN:VEVENT", `UID:${i}`, "SUMMARY:window", `DTSTART:${s}`, `DTEND:${e}`, ...extra, "END:VEVENT"]),
  "END:VCALENDAR",
].join("\r\n");

async function calendar(name: string, type: string, events: [string, string, string[]][]) {
  await ssm.send(new S.CreateDocumentCommand({ Name: name, DocumentType: "ChangeCalendar", DocumentFormat: "TEXT", Content: ics(type, events) }));
}

const state = async (names: string[], at?: string) => {
  const got = await ssm.send(new S.GetCalendarStateCommand({ CalendarNames: names, AtTime: at }));
  return [got.State, got.NextTransitionTime];
};

describe("GetCalendarState with recurring events", () => {
  it("FREQ=DAILY with INTERVAL and COUNT; EXDATE skips an occurrence", async () => {
    // 22:00-23:00 every second day, 3 times, the second one excluded.
    await calendar("nightly", "DEFAULT_OPEN", [["20260101T220000Z", "20260101T230000Z", ["RRULE:FREQ=DAILY;INTERVAL=2;COUNT=3", "EXDATE:20260103T220000Z"]]]);
    expect(await state(["nightly"])).toEqual(["OPEN", "2026-01-01T22:00:00Z"]);
    expect(await state(["nightly"], "2026-01-01T22:30:00Z")).toEqual(["CLOSED", "2026-01-01T23:00:00Z"]);
    expect(await state(["nightly"], "2026-01-01T23:30:00Z")).toEqual(["OPEN", "2026-01-05T22:00:00Z"]);
    expect(await state(["nightly"], "2026-01-03T22:30:00Z")).toEqual(["OPEN", "2026-01-05T22:00:00Z"]);
    expect(await state(["nightly"], "2026-01-05T22:59:59Z")).toEqual(["CLOSED", "2026-01-05T23:00:00Z"]);
    // COUNT reached: open for good, no next transition.
    const after = await ssm.send(new S.GetCalendarStateCommand({ CalendarNames: ["nightly"], AtTime: "2026-01-07T22:30:00Z" }));
    expect(after.State).toBe("OPEN");
    expect(after.NextTransitionTime).toBeUndefined();
  });

  it("FREQ=WEEKLY;BYDAY on the clock, UNTIL ends it", async () => {
    // A DEFAULT_CLOSED calendar open Tuesdays and Thursdays 09:00-17:00 until the end of January.
    await calendar("weekdays", "DEFAULT_CLOSED", [["20260101T090000Z", "20260101T170000Z", ["RRULE:FREQ=WEEKLY;BYDAY=TU,TH;UNTIL=20260131T000000Z"]]]);
    expect(await state(["weekdays"])).toEqual(["CLOSED", "2026-01-01T09:00:00Z"]);
    await clock.advance(2 * 3600_000); // Thu 10:00
    expect(await state(["weekdays"])).toEqual(["OPEN", "2026-01-01T17:00:00Z"]);
    await clock.advance(8 * 3600_000); // Thu 18:00
    expect(await state(["weekdays"])).toEqual(["CLOSED", "2026-01-06T09:00:00Z"]);
    expect(await state(["weekdays"], "2026-01-29T12:00:00Z")).toEqual(["OPEN", "2026-01-29T17:00:00Z"]);
    const done = await ssm.send(new S.GetCalendarStateCommand({ CalendarNames: ["weekdays"], AtTime: "2026-02-03T12:00:00Z" }));
    expect([done.State, done.NextTransitionTime]).toEqual(["CLOSED", undefined]);
  });

  it("FREQ=MONTHLY;BYMONTHDAY and FREQ=YEARLY;BYMONTH; several calendars combine", async () => {
    await calendar("month-end", "DEFAULT_OPEN", [["20260101T000000Z", "20260102T000000Z", ["RRULE:FREQ=MONTHLY;BYMONTHDAY=15"]]]);
    expect(await state(["month-end"], "2026-03-15T12:00:00Z")).toEqual(["CLOSED", "2026-03-16T00:00:00Z"]);
    expect(await state(["month-end"], "2026-03-16T12:00:00Z")).toEqual(["OPEN", "2026-04-15T00:00:00Z"]);
    await calendar("december", "DEFAULT_OPEN", [["20261201T000000Z", "20261202T000000Z", ["RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=24,25"]]]);
    expect(await state(["december"], "2026-12-01T12:00:00Z")).toEqual(["OPEN", "2026-12-24T00:00:00Z"]);
    expect(await state(["december"], "2027-12-25T06:00:00Z")).toEqual(["CLOSED", "2027-12-26T00:00:00Z"]);
    // Open only when both are: the 15th closes, then December's days.
    expect(await state(["month-end", "december"], "2026-12-14T00:00:00Z")).toEqual(["OPEN", "2026-12-15T00:00:00Z"]);
    expect(await state(["month-end", "december"], "2026-12-16T00:00:00Z")).toEqual(["OPEN", "2026-12-24T00:00:00Z"]);
  });

  it("an unreadable RRULE is UnsupportedCalendarException", async () => {
    await calendar("broken", "DEFAULT_OPEN", [["20260101T000000Z", "20260102T000000Z", ["RRULE:FREQ=SOMETIMES"]]]);
    expect((await error(ssm.send(new S.GetCalendarStateCommand({ CalendarNames: ["broken"] })))).name).toBe("UnsupportedCalendarException");
  });
});
