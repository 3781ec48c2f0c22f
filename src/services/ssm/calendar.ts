/**
 * Change Calendar: GetCalendarState for `ChangeCalendar` documents (iCalendar 2.0 text, as the
 * console writes them). `X-CALENDAR-TYPE:DEFAULT_OPEN` calendars are CLOSED during their events,
 * `DEFAULT_CLOSED` ones OPEN during them; several calendars are OPEN only when all are.
 * `NextTransitionTime` is the next event start or end after `AtTime` (default now, on the clock)
 * that changes the state. Events are `DTSTART`/`DTEND` in UTC (`...Z`), floating local time
 * (read as UTC) or all-day dates; recurrence rules (`RRULE`) are not expanded here.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetCalendarState.html
 * and https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-change-calendar.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { loadDocument, pick } from "./documents.ts";

interface Calendar {
  defaultOpen: boolean;
  events: { start: number; end: number }[];
}

function parseTime(value: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?$/.exec(value.trim());
  if (!m) throw new AwsError("UnsupportedCalendarException", `The calendar time ${value} is not supported.`, 400);
  return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0));
}

function parseCalendar(text: string): Calendar {
  // iCalendar folds long lines: a line starting with a space continues the previous one.
  const lines = text.replace(/\r?\n[ \t]/g, "").split(/\r?\n/);
  if (!lines.some((l) => l.trim() === "BEGIN:VCALENDAR")) throw new AwsError("UnsupportedCalendarException", "The calendar content is not an iCalendar (BEGIN:VCALENDAR).", 400);
  let defaultOpen = true;
  const events: { start: number; end: number }[] = [];
  let current: { start?: number; end?: number } | null = null;
  for (const line of lines) {
    const [rawName, ...rest] = line.split(":");
    const name = rawName.split(";")[0].trim().toUpperCase();
    const value = rest.join(":");
    if (name === "X-CALENDAR-TYPE") defaultOpen = value.trim() !== "DEFAULT_CLOSED";
    else if (name === "BEGIN" && value.trim() === "VEVENT") current = {};
    else if (name === "END" && value.trim() === "VEVENT" && current) {
      if (current.start !== undefined) events.push({ start: current.start, end: current.end ?? current.start + 24 * 3600_000 });
      current = null;
    } else if (current && name === "DTSTART") current.start = parseTime(value);
    else if (current && name === "DTEND") current.end = parseTime(value);
  }
  return { defaultOpen, events };
}

const stateAt = (c: Calendar, t: number) => (c.events.some((e) => e.start <= t && t < e.end) ? !c.defaultOpen : c.defaultOpen);

async function calendars(ctx: RequestContext, names: string[]): Promise<Calendar[]> {
  const out: Calendar[] = [];
  for (const name of names) {
    const doc = await loadDocument(ctx, name);
    if (!doc) throw new AwsError("InvalidDocument", `The calendar ${name} does not exist.`, 400);
    if (doc.type !== "ChangeCalendar") throw new AwsError("InvalidDocumentType", `The document ${name} is not a ChangeCalendar document.`, 400);
    out.push(parseCalendar(pick(doc).content));
  }
  return out;
}

export const calendarHandlers: Record<string, Handler> = {
  async GetCalendarState(input, ctx) {
    const at = input.AtTime !== undefined ? Date.parse(input.AtTime) : ctx.clock.now();
    if (Number.isNaN(at)) throw new AwsError("InvalidDocumentType", `AtTime ${input.AtTime} is not an ISO 8601 time.`, 400);
    const cals = await calendars(ctx, input.CalendarNames);
    const open = (t: number) => cals.every((c) => stateAt(c, t));
    const now = open(at);
    const boundaries = [...new Set(cals.flatMap((c) => c.events.flatMap((e) => [e.start, e.end])))].filter((t) => t > at).sort((a, b) => a - b);
    const next = boundaries.find((t) => open(t) !== now);
    return {
      State: now ? "OPEN" : "CLOSED",
      AtTime: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
      ...(next !== undefined ? { NextTransitionTime: new Date(next).toISOString().replace(/\.\d{3}Z$/, "Z") } : {}),
    };
  },
};
