/**
 * AWS schedule expressions, shared by EventBridge scheduled rules and EventBridge Scheduler:
 * `rate(value unit)`, AWS's six-field `cron(minutes hours day-of-month month day-of-week year)`
 * (with `, - * / ? L W #`), and Scheduler's one-time `at(yyyy-mm-ddThh:mm:ss)`; next fire times
 * in any IANA time zone (through Intl, so it runs in every runtime).
 *
 * Sources: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html,
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 *
 * Pure functions; no state. Times are ms since the epoch.
 */

export class ScheduleExpressionError extends Error {}

type DaySpec =
  | { kind: "any" }
  | { kind: "set"; values: Set<number> }
  | { kind: "last"; offset: number }
  | { kind: "lastWeekday" }
  | { kind: "nearestWeekday"; day: number }
  | { kind: "lastDow"; dow: number }
  | { kind: "nthDow"; dow: number; nth: number };

export interface CronSpec {
  minutes: Set<number>;
  hours: Set<number>;
  dom: DaySpec;
  months: Set<number>;
  dow: DaySpec;
  /** undefined: every year (1970-2199). */
  years?: Set<number>;
}

export type ScheduleExpression =
  | { kind: "rate"; ms: number; value: number; unit: string }
  | { kind: "cron"; spec: CronSpec }
  | { kind: "at"; local: [number, number, number, number, number, number] };

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const MAX_YEAR = 2199;

/**
 * Parses `rate(...)`, `cron(...)` and (with `allowAt`) `at(...)`; throws
 * ScheduleExpressionError naming what is wrong.
 */
export function parseScheduleExpression(text: string, options: { allowAt?: boolean } = {}): ScheduleExpression {
  const rate = /^rate\((.*)\)$/.exec(text);
  if (rate) return parseRate(rate[1]!);
  const cron = /^cron\((.*)\)$/.exec(text);
  if (cron) return { kind: "cron", spec: parseCron(cron[1]!) };
  const at = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(text);
  if (at && options.allowAt) {
    const f = at.slice(1).map(Number) as [number, number, number, number, number, number];
    const check = new Date(Date.UTC(f[0], f[1] - 1, f[2], f[3], f[4], f[5]));
    if (check.getUTCMonth() !== f[1] - 1 || check.getUTCDate() !== f[2] || f[3] > 23 || f[4] > 59 || f[5] > 59) {
      throw new ScheduleExpressionError(`Invalid at expression: ${text}`);
    }
    return { kind: "at", local: f };
  }
  throw new ScheduleExpressionError(`Invalid schedule expression: ${text}`);
}

function parseRate(body: string): ScheduleExpression {
  const m = /^\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*$/.exec(body);
  if (!m) throw new ScheduleExpressionError(`Invalid rate expression: rate(${body})`);
  const value = Number(m[1]);
  const unit = m[2]!;
  if (value <= 0) throw new ScheduleExpressionError("The rate value must be a positive number.");
  // AWS wants the singular unit for 1 and the plural otherwise.
  if ((value === 1) !== !unit.endsWith("s")) throw new ScheduleExpressionError(`Invalid rate expression: rate(${body})`);
  const base = unit.startsWith("minute") ? 60_000 : unit.startsWith("hour") ? 3_600_000 : 86_400_000;
  return { kind: "rate", ms: value * base, value, unit };
}

/** Parses the six fields of an AWS cron expression. */
export function parseCron(body: string): CronSpec {
  const fields = body.trim().split(/\s+/);
  if (fields.length !== 6) throw new ScheduleExpressionError(`A cron expression needs 6 fields, got ${fields.length}.`);
  const [min, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if ((dom === "?") === (dow === "?")) {
    throw new ScheduleExpressionError("One of day-of-month and day-of-week must be '?', and not both.");
  }
  return {
    minutes: parseSet(min, 0, 59, "minutes"),
    hours: parseSet(hour, 0, 23, "hours"),
    dom: parseDom(dom),
    months: parseSet(month, 1, 12, "month", MONTHS),
    dow: parseDow(dow),
    ...(year === "*" ? {} : { years: parseSet(year, 1970, MAX_YEAR, "year") }),
  };
}

function value(text: string, min: number, max: number, field: string, names?: string[]): number {
  const upper = text.toUpperCase();
  const named = names ? names.indexOf(upper) : -1;
  const n = named >= 0 ? named + min : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= min && n <= max)) throw new ScheduleExpressionError(`Invalid value '${text}' in the ${field} field.`);
  return n;
}

function parseSet(text: string, min: number, max: number, field: string, names?: string[]): Set<number> {
  const out = new Set<number>();
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/") as [string, string | undefined];
    const step = stepText === undefined ? 1 : Number(stepText);
    if (stepText !== undefined && !(/^\d+$/.test(stepText) && step > 0)) throw new ScheduleExpressionError(`Invalid step '${stepText}' in the ${field} field.`);
    let lo: number;
    let hi: number;
    if (range === "*") {
      lo = min;
      hi = max;
    } else if (range.includes("-")) {
      const [a, b] = range.split("-") as [string, string];
      lo = value(a, min, max, field, names);
      hi = value(b, min, max, field, names);
      if (hi < lo) throw new ScheduleExpressionError(`Invalid range '${range}' in the ${field} field.`);
    } else {
      lo = value(range, min, max, field, names);
      hi = stepText === undefined ? lo : max;
    }
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

function parseDom(text: string): DaySpec {
  if (text === "?" || text === "*") return { kind: "any" };
  if (text === "L") return { kind: "last", offset: 0 };
  if (text === "LW") return { kind: "lastWeekday" };
  const lastOffset = /^L-(\d+)$/.exec(text);
  if (lastOffset) return { kind: "last", offset: value(lastOffset[1]!, 0, 30, "day-of-month") };
  const w = /^(\d+)W$/.exec(text);
  if (w) return { kind: "nearestWeekday", day: value(w[1]!, 1, 31, "day-of-month") };
  return { kind: "set", values: parseSet(text, 1, 31, "day-of-month") };
}

function parseDow(text: string): DaySpec {
  if (text === "?" || text === "*") return { kind: "any" };
  if (text === "L") return { kind: "set", values: new Set([7]) };
  const last = /^([A-Za-z]{3}|\d)L$/.exec(text);
  if (last) return { kind: "lastDow", dow: value(last[1]!, 1, 7, "day-of-week", DAYS) };
  const nth = /^([A-Za-z]{3}|\d)#(\d)$/.exec(text);
  if (nth) {
    const n = Number(nth[2]);
    if (n < 1 || n > 5) throw new ScheduleExpressionError(`Invalid '#' value in the day-of-week field: ${text}`);
    return { kind: "nthDow", dow: value(nth[1]!, 1, 7, "day-of-week", DAYS), nth: n };
  }
  return { kind: "set", values: parseSet(text, 1, 7, "day-of-week", DAYS) };
}

const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
/** 1 = Sunday ... 7 = Saturday, as AWS numbers days of the week. */
const dowOf = (y: number, m: number, d: number) => new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 1;

function domMatches(spec: DaySpec, y: number, m: number, d: number): boolean {
  const last = daysIn(y, m);
  switch (spec.kind) {
    case "any":
      return true;
    case "set":
      return spec.values.has(d);
    case "last":
      return d === last - spec.offset;
    case "lastWeekday": {
      let day = last;
      while (dowOf(y, m, day) === 1 || dowOf(y, m, day) === 7) day--;
      return d === day;
    }
    case "nearestWeekday": {
      let day = Math.min(spec.day, last);
      const dow = dowOf(y, m, day);
      if (dow === 7) day = day === 1 ? 3 : day - 1;
      else if (dow === 1) day = day === last ? day - 2 : day + 1;
      return d === day;
    }
    default:
      return false;
  }
}

function dowMatches(spec: DaySpec, y: number, m: number, d: number): boolean {
  const dow = dowOf(y, m, d);
  switch (spec.kind) {
    case "any":
      return true;
    case "set":
      return spec.values.has(dow);
    case "lastDow":
      return dow === spec.dow && d + 7 > daysIn(y, m);
    case "nthDow":
      return dow === spec.dow && Math.ceil(d / 7) === spec.nth;
    default:
      return false;
  }
}

function dayMatches(spec: CronSpec, y: number, m: number, d: number): boolean {
  if (!spec.months.has(m) || (spec.years && !spec.years.has(y))) return false;
  return domMatches(spec.dom, y, m, d) && dowMatches(spec.dow, y, m, d);
}

// ---- time zones ----

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Throws ScheduleExpressionError when `tz` is not an IANA time zone name. */
export function checkTimeZone(tz: string): void {
  try {
    formatterFor(tz);
  } catch {
    throw new ScheduleExpressionError(`Invalid time zone: ${tz}`);
  }
}

function formatterFor(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric", hour: "numeric", minute: "numeric", second: "numeric",
    });
    formatters.set(tz, f);
  }
  return f;
}

/** Offset of `tz` from UTC at instant `ms` (local − UTC, in ms). */
export function offsetAt(ms: number, tz: string): number {
  if (tz === "UTC" || tz === "Etc/UTC") return 0;
  const parts: Record<string, number> = {};
  for (const p of formatterFor(tz).formatToParts(new Date(ms))) if (p.type !== "literal") parts[p.type] = Number(p.value);
  const local = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour! % 24, parts.minute!, parts.second!);
  return local - Math.floor(ms / 1000) * 1000;
}

/** The instant a local wall-clock time in `tz` names (in a DST gap: the instant after it). */
export function localToUtc(y: number, mo: number, d: number, h: number, mi: number, s: number, tz: string): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const first = offsetAt(wall, tz);
  let utc = wall - first;
  const second = offsetAt(utc, tz);
  if (second !== first) {
    const alt = wall - second;
    utc = offsetAt(alt, tz) === second ? alt : Math.max(utc, alt);
  }
  return utc;
}

/** First instant strictly after `afterMs` that the cron spec names in `tz`, or null (none before 2200). */
export function nextCron(spec: CronSpec, afterMs: number, tz = "UTC"): number | null {
  const local = new Date(afterMs + offsetAt(afterMs, tz));
  let y = local.getUTCFullYear();
  let m = local.getUTCMonth() + 1;
  let d = local.getUTCDate();
  const hours = [...spec.hours].sort((a, b) => a - b);
  const minutes = [...spec.minutes].sort((a, b) => a - b);
  // Starting one day back covers a UTC instant whose local day differs.
  const start = new Date(Date.UTC(y, m - 1, d - 1));
  y = start.getUTCFullYear(), m = start.getUTCMonth() + 1, d = start.getUTCDate();
  for (let guard = 0; guard < 366 * 240; guard++) {
    if (y > MAX_YEAR) return null;
    if (dayMatches(spec, y, m, d)) {
      for (const h of hours) {
        for (const mi of minutes) {
          const at = localToUtc(y, m, d, h, mi, 0, tz);
          if (at > afterMs) return at;
        }
      }
    }
    const next = new Date(Date.UTC(y, m - 1, d + 1));
    y = next.getUTCFullYear(), m = next.getUTCMonth() + 1, d = next.getUTCDate();
  }
  return null;
}

/**
 * The first fire time strictly after `afterMs`: rate schedules count whole periods from
 * `anchorMs` (when the schedule started), cron uses `tz`, `at` fires once (null once past).
 */
export function nextFire(expr: ScheduleExpression, afterMs: number, anchorMs: number, tz = "UTC"): number | null {
  switch (expr.kind) {
    case "rate": {
      const periods = Math.floor((afterMs - anchorMs) / expr.ms) + 1;
      return anchorMs + Math.max(1, periods) * expr.ms;
    }
    case "cron":
      return nextCron(expr.spec, afterMs, tz);
    case "at": {
      const [y, mo, d, h, mi, s] = expr.local;
      const at = localToUtc(y, mo, d, h, mi, s, tz);
      return at > afterMs ? at : null;
    }
  }
}
