/**
 * Change Calendar: GetCalendarState for `ChangeCalendar` documents (iCalendar 2.0 text, as the
 * console writes them). `X-CALENDAR-TYPE:DEFAULT_OPEN` calendars are CLOSED during their events,
 * `DEFAULT_CLOSED` ones OPEN during them; several calendars are OPEN only when all are.
 * `NextTransitionTime` is the next event start or end after `AtTime` (default now, on the clock)
 * that changes the state. Events are `DTSTART`/`DTEND` in UTC (`...Z`), floating local time
 * (read as UTC; `TZID` is not applied) or all-day dates. Recurring events (`RRULE` with FREQ
 * DAILY/WEEKLY/MONTHLY/YEARLY, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, ..., and
 * `EXDATE`) are expanded with the `rrule` library (RFC 5545); each occurrence lasts as long as
 * the first (`DTEND - DTSTART`, or `DURATION`).
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetCalendarState.html
 * and https://docs.aws.amazon.com/systems-manager/latest/userguide/systems-manager-change-calendar.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import * as rruleModule from "rrule";
import { loadDocument, pick } from "./documents.ts";

// rrule's `main` is a UMD bundle whose exports Node's and Deno's ESM loaders cannot see by name
// (only as `default`); bundlers take its `module` field (ESM) instead. Accept either shape.
const { rrulestr } = (rruleModule as { default?: typeof rruleModule }).default ?? rruleModule;

interface CalendarEvent {
  start: number;
  end: number;
  /** RRULE text (without the `RRULE:` name) and EXDATE times, for a recurring event. */
  rrule?: string;
  exdates?: number[];
}

interface Calendar {
  defaultOpen: boolean;
  events: CalendarEvent[];
}

const DAY = 24 * 3600_000;
/** How far past `AtTime` a NextTransitionTime is looked for (a yearly rule with a long INTERVAL may have none closer). */
const HORIZON_YEARS = [1, 5, 25];
const MAX_OCCURRENCES = 20_000;

const icsTime = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");

/** Parsed rules of the events of one request (events are parsed per request). */
const parsed = new WeakMap<CalendarEvent, ReturnType<typeof rrulestr>>();

/** The occurrences of `event` that overlap [from, to), as [start, end) pairs. */
function occurrences(event: CalendarEvent, from: number, to: number): [number, number][] {
  const duration = event.end - event.start;
  if (!event.rrule) return event.start < to && event.end > from ? [[event.start, event.end]] : [];
  let set = parsed.get(event);
  if (!set) {
    const lines = [`DTSTART:${icsTime(event.start)}`, `RRULE:${event.rrule}`, ...(event.exdates ?? []).map((t) => `EXDATE:${icsTime(t)}`)];
    try {
      set = rrulestr(lines.join("\n"), { forceset: true });
    } catch {
      throw new AwsError("UnsupportedCalendarException", `The recurrence rule ${event.rrule} is not supported.`, 400);
    }
    parsed.set(event, set);
  }
  const out: [number, number][] = [];
  set.between(new Date(from - duration), new Date(to), true, (date: Date) => {
    const start = date.getTime();
    if (start + duration > from && start < to) out.push([start, start + duration]);
    return out.length < MAX_OCCURRENCES;
  });
  return out;
}

/** An ISO 8601 duration (`PT1H`, `P1D`, `P1W`) in ms. */
function parseDuration(value: string): number {
  const m = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(value.trim());
  if (!m) throw new AwsError("UnsupportedCalendarException", `The event duration ${value} is not supported.`, 400);
  return (((Number(m[1] ?? 0) * 7 + Number(m[2] ?? 0)) * 24 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) * 60_000 + Number(m[5] ?? 0) * 1000;
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
  const events: CalendarEvent[] = [];
  let current: { start?: number; end?: number; duration?: number; rrule?: string; exdates: number[] } | null = null;
  for (const line of lines) {
    const [rawName, ...rest] = line.split(":");
    const name = rawName.split(";")[0].trim().toUpperCase();
    const value = rest.join(":");
    if (name === "X-CALENDAR-TYPE") defaultOpen = value.trim() !== "DEFAULT_CLOSED";
    else if (name === "BEGIN" && value.trim() === "VEVENT") current = { exdates: [] };
    else if (name === "END" && value.trim() === "VEVENT" && current) {
      if (current.start !== undefined) {
        const end = current.end ?? (current.duration !== undefined ? current.start + current.duration : current.start + DAY);
        events.push({ start: current.start, end, ...(current.rrule ? { rrule: current.rrule, exdates: current.exdates } : {}) });
      }
      current = null;
    } else if (current && name === "DTSTART") current.start = parseTime(value);
    else if (current && name === "DTEND") current.end = parseTime(value);
    else if (current && name === "DURATION") current.duration = parseDuration(value);
    else if (current && name === "RRULE") current.rrule = value.trim();
    else if (current && name === "EXDATE") current.exdates.push(...value.split(",").map(parseTime));
  }
  return { defaultOpen, events };
}

function stateAt(c: Calendar, t: number): boolean {
  return c.events.some((e) => occurrences(e, t, t + 1).length > 0) ? !c.defaultOpen : c.defaultOpen;
}

/** Event starts and ends in (from, to], sorted. */
function boundaries(cals: Calendar[], from: number, to: number): number[] {
  const all = new Set<number>();
  for (const c of cals) for (const e of c.events) for (const [s, end] of occurrences(e, from, to)) for (const t of [s, end]) if (t > from && t <= to) all.add(t);
  return [...all].sort((a, b) => a - b);
}

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
    let next: number | undefined;
    for (const years of HORIZON_YEARS) {
      next = boundaries(cals, at, at + years * 366 * DAY).find((t) => open(t) !== now);
      if (next !== undefined) break;
    }
    return {
      State: now ? "OPEN" : "CLOSED",
      AtTime: new Date(at).toISOString().replace(/\.\d{3}Z$/, "Z"),
      ...(next !== undefined ? { NextTransitionTime: new Date(next).toISOString().replace(/\.\d{3}Z$/, "Z") } : {}),
    };
  },
};
