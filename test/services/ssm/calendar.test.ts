/**
 * Change Calendar state (issue 17): GetCalendarState over ChangeCalendar documents, on the clock.
 */
import { describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const clock = createManualClock(Date.UTC(2026, 0, 1, 10, 0));
const ssm = new S.SSMClient(inProcess(createEmulator({ store: createMemoryStore(), clock })));
const ics = (type: string, events: [string, string][]) => [
  "BEGIN:VCALENDAR", "PRODID:-//AWS//Change Calendar 1.0//EN", "VERSION:2.0", `X-CALENDAR-TYPE:${type}`,
  ...events.flatMap(([s, e], i) => ["BEGIN:VEVENT", `UID:${i}`, "SUMMARY:freeze", `DTSTART:${s}`, `DTEND:${e}`, "END:VEVENT"]),
  "END:VCALENDAR",
].join("\r\n");

describe("GetCalendarState", () => {
  it("DEFAULT_OPEN closes during events; the next transition; several calendars", async () => {
    await ssm.send(new S.CreateDocumentCommand({ Name: "freeze", DocumentType: "ChangeCalendar", DocumentFormat: "TEXT", Content: ics("DEFAULT_OPEN", [["20260101T120000Z", "20260101T180000Z"]]) }));
    await ssm.send(new S.CreateDocumentCommand({ Name: "window", DocumentType: "ChangeCalendar", DocumentFormat: "TEXT", Content: ics("DEFAULT_CLOSED", [["20260101T090000Z", "20260102T000000Z"]]) }));
    expect(await ssm.send(new S.GetCalendarStateCommand({ CalendarNames: ["freeze"] }))).toMatchObject({ State: "OPEN", AtTime: "2026-01-01T10:00:00Z", NextTransitionTime: "2026-01-01T12:00:00Z" });
    await clock.advance(3 * 3600_000);
    expect(await ssm.send(new S.GetCalendarStateCommand({ CalendarNames: ["freeze"] }))).toMatchObject({ State: "CLOSED", NextTransitionTime: "2026-01-01T18:00:00Z" });
    const later = await ssm.send(new S.GetCalendarStateCommand({ CalendarNames: ["freeze", "window"], AtTime: "2026-01-01T19:00:00Z" }));
    expect(later).toMatchObject({ State: "OPEN", NextTransitionTime: "2026-01-02T00:00:00Z" });
    expect((await ssm.send(new S.GetCalendarStateCommand({ CalendarNames: ["window"], AtTime: "2026-01-03T00:00:00Z" }))).State).toBe("CLOSED");
    expect((await error(ssm.send(new S.GetCalendarStateCommand({ CalendarNames: ["AWS-RunShellScript"] })))).name).toBe("InvalidDocumentType");
    expect((await error(ssm.send(new S.GetCalendarStateCommand({ CalendarNames: ["nope"] })))).name).toBe("InvalidDocument");
  });
});
