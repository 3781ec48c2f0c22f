/**
 * Runs a parsed Logs Insights query over stored events: rows are events with `@timestamp`,
 * `@message`, `@logStream`, `@log`, `@ingestionTime`, `@ptr` and the fields of JSON messages
 * (nested keys joined by `.`, arrays by index), then each command transforms the rows in order.
 * Source: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html
 */
import { QuerySyntaxError, type Command, type Expr, type Named } from "./insights-parse.ts";

/** A point in time (ms since epoch): `@timestamp`, `bin()`; printed as `2026-12-01 00:00:00.000`. */
export class Time {
  constructor(readonly ms: number) {}
}

export type Value = string | number | boolean | Time | null | undefined;
export type Row = Record<string, Value>;

export interface SourceEvent {
  group: string;
  stream: string;
  timestamp: number;
  ingestion: number;
  message: string;
  ptr: string;
  log: string;
}

/** The fields of one event, as a query sees them (JSON messages flattened). */
export function eventRow(event: SourceEvent): Row {
  const row: Row = {
    "@timestamp": new Time(event.timestamp),
    "@message": event.message,
    "@logStream": event.stream,
    "@log": event.log,
    "@ingestionTime": new Time(event.ingestion),
    "@ptr": event.ptr,
  };
  const text = event.message.trimStart();
  if (text.startsWith("{")) {
    try {
      flatten(JSON.parse(text), "", row);
    } catch {
      // not JSON: only the message
    }
  }
  return row;
}

function flatten(value: unknown, prefix: string, into: Row): void {
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flatten(v, prefix ? `${prefix}.${k}` : k, into);
  } else if (prefix) {
    into[prefix] = value as Value;
  }
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

export function formatTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`;
}

/** A result value as GetQueryResults prints it. */
export function formatValue(value: Value): string {
  if (value instanceof Time) return formatTime(value.ms);
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
  return String(value);
}

function toNumber(value: Value): number | undefined {
  if (typeof value === "number") return value;
  if (value instanceof Time) return value.ms;
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) return Number(value);
  return undefined;
}

function toText(value: Value): string | undefined {
  if (value === undefined || value === null) return undefined;
  return value instanceof Time ? formatTime(value.ms) : String(value);
}

function truthy(value: Value): boolean {
  return value !== undefined && value !== null && value !== false && value !== 0 && value !== "";
}

/** Orders two values: numbers and times numerically, else as text; missing values first. */
export function compareValues(a: Value, b: Value): number {
  const missingA = a === undefined || a === null;
  const missingB = b === undefined || b === null;
  if (missingA || missingB) return missingA === missingB ? 0 : missingA ? -1 : 1;
  const na = toNumber(a);
  const nb = toNumber(b);
  if (na !== undefined && nb !== undefined) return na - nb;
  const ta = toText(a)!;
  const tb = toText(b)!;
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

function equals(a: Value, b: Value): boolean {
  if (a === undefined || a === null || b === undefined || b === null) return false;
  const na = toNumber(a);
  const nb = toNumber(b);
  if (na !== undefined && nb !== undefined) return na === nb;
  return toText(a) === toText(b);
}

const AGGREGATES = new Set(["count", "count_distinct", "sum", "avg", "min", "max", "earliest", "latest", "pct", "stddev", "sortsfirst", "sortslast"]);

function arg(args: Expr[], i: number, name: string): Expr {
  const a = args[i];
  if (!a) throw new QuerySyntaxError(`${name}() needs ${i + 1} argument(s)`);
  return a;
}

/** Evaluates a scalar expression against a row. */
export function evaluate(expr: Expr, row: Row): Value {
  switch (expr.kind) {
    case "num":
      return expr.value;
    case "str":
      return expr.value;
    case "duration":
      return expr.ms;
    case "regex":
      return expr.re.source;
    case "field":
      return row[expr.name];
    case "list":
      return undefined;
    case "unary": {
      if (expr.op === "not") return !truthy(evaluate(expr.arg, row));
      const n = toNumber(evaluate(expr.arg, row));
      return n === undefined ? undefined : -n;
    }
    case "binary":
      return binary(expr, row);
    case "call":
      return call(expr.name, expr.args, row);
  }
}

function regexOf(expr: Expr, row: Row): RegExp | undefined {
  if (expr.kind === "regex") return expr.re;
  const text = toText(evaluate(expr, row));
  return text === undefined ? undefined : new RegExp(text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
}

function binary(expr: Extract<Expr, { kind: "binary" }>, row: Row): Value {
  const { op } = expr;
  if (op === "and") return truthy(evaluate(expr.left, row)) && truthy(evaluate(expr.right, row));
  if (op === "or") return truthy(evaluate(expr.left, row)) || truthy(evaluate(expr.right, row));
  const left = evaluate(expr.left, row);
  if (op === "like" || op === "=~") {
    const text = toText(left);
    const re = regexOf(expr.right, row);
    return text !== undefined && re !== undefined && re.test(text);
  }
  if (op === "in") {
    if (expr.right.kind !== "list") throw new QuerySyntaxError("'in' needs a [list]");
    return expr.right.items.some((item) => equals(left, evaluate(item, row)));
  }
  const right = evaluate(expr.right, row);
  switch (op) {
    case "=":
      return equals(left, right);
    case "!=":
      return left !== undefined && left !== null && !equals(left, right);
    case "<":
    case "<=":
    case ">":
    case ">=": {
      if (left === undefined || left === null || right === undefined || right === null) return false;
      const c = compareValues(left, right);
      return op === "<" ? c < 0 : op === "<=" ? c <= 0 : op === ">" ? c > 0 : c >= 0;
    }
  }
  const a = toNumber(left);
  const b = toNumber(right);
  if (a === undefined || b === undefined) return undefined;
  switch (op) {
    case "+":
      return a + b;
    case "-":
      return a - b;
    case "*":
      return a * b;
    case "/":
      return b === 0 ? undefined : a / b;
    case "%":
      return b === 0 ? undefined : a % b;
    case "^":
      return a ** b;
  }
  throw new QuerySyntaxError(`unknown operator ${op}`);
}

function call(name: string, args: Expr[], row: Row): Value {
  if (AGGREGATES.has(name)) throw new QuerySyntaxError(`${name}() is an aggregation function: use it in stats`);
  const v = (i: number) => evaluate(arg(args, i, name), row);
  const s = (i: number) => toText(v(i));
  const n = (i: number) => toNumber(v(i));
  const math = (f: (x: number) => number) => {
    const x = n(0);
    return x === undefined ? undefined : f(x);
  };
  switch (name) {
    case "ispresent":
      return v(0) !== undefined && v(0) !== null;
    case "isempty":
      return v(0) === undefined || v(0) === null || s(0) === "";
    case "isblank":
      return v(0) === undefined || v(0) === null || s(0)!.trim() === "";
    case "strlen":
      return s(0)?.length;
    case "tolower":
      return s(0)?.toLowerCase();
    case "toupper":
      return s(0)?.toUpperCase();
    case "trim":
      return s(0)?.trim();
    case "ltrim":
      return s(0)?.trimStart();
    case "rtrim":
      return s(0)?.trimEnd();
    case "concat":
      return args.map((_, i) => s(i) ?? "").join("");
    case "strcontains": {
      const text = s(0);
      const sub = s(1);
      return text !== undefined && sub !== undefined && text.includes(sub) ? 1 : 0;
    }
    case "substr": {
      const text = s(0);
      if (text === undefined) return undefined;
      const start = n(1) ?? 0;
      return args.length > 2 ? text.substr(start, n(2) ?? 0) : text.slice(start);
    }
    case "replace": {
      const text = s(0);
      return text === undefined ? undefined : text.split(s(1) ?? "").join(s(2) ?? "");
    }
    case "abs":
      return math(Math.abs);
    case "ceil":
      return math(Math.ceil);
    case "floor":
      return math(Math.floor);
    case "round":
      return math(Math.round);
    case "sqrt":
      return math(Math.sqrt);
    case "log":
      return math(Math.log);
    case "greatest":
    case "least": {
      const nums = args.map((_, i) => n(i)).filter((x): x is number => x !== undefined);
      return nums.length ? (name === "greatest" ? Math.max(...nums) : Math.min(...nums)) : undefined;
    }
    case "coalesce":
      for (let i = 0; i < args.length; i++) if (v(i) !== undefined && v(i) !== null) return v(i);
      return undefined;
    case "bin": {
      const period = n(0);
      const at = toNumber(row["@timestamp"]);
      if (!period || at === undefined) return undefined;
      return new Time(Math.floor(at / period) * period);
    }
    case "datefloor":
    case "dateceil": {
      const at = n(0);
      const period = n(1);
      if (at === undefined || !period) return undefined;
      return new Time((name === "datefloor" ? Math.floor : Math.ceil)(at / period) * period);
    }
    case "frommillis":
      return math((x) => x) === undefined ? undefined : new Time(n(0)!);
    case "tomillis":
      return n(0);
  }
  throw new QuerySyntaxError(`unknown function ${name}()`);
}

/** Evaluates a stats expression (aggregates, possibly in arithmetic) over a group's rows. */
function aggregate(expr: Expr, rows: Row[]): Value {
  if (expr.kind === "call" && AGGREGATES.has(expr.name)) {
    const { name, args } = expr;
    if (name === "count" && (args.length === 0 || (args[0]!.kind === "str" && args[0]!.value === "*"))) return rows.length;
    const values = rows.map((r) => evaluate(arg(args, 0, name), r)).filter((x) => x !== undefined && x !== null);
    const nums = values.map(toNumber).filter((x): x is number => x !== undefined);
    switch (name) {
      case "count":
        return values.length;
      case "count_distinct":
        return new Set(values.map((x) => toText(x))).size;
      case "sum":
        return nums.reduce((a, b) => a + b, 0);
      case "avg":
        return nums.length ? nums.reduce((a, b) => a + b, 0) / nums.length : undefined;
      case "min":
      case "max": {
        if (!values.length) return undefined;
        let best = values[0]!;
        for (const x of values) if (name === "min" ? compareValues(x, best) < 0 : compareValues(x, best) > 0) best = x;
        return best;
      }
      case "stddev": {
        if (nums.length < 2) return nums.length ? 0 : undefined;
        const mean = nums.reduce((a, b) => a + b, 0) / nums.length;
        return Math.sqrt(nums.reduce((a, b) => a + (b - mean) ** 2, 0) / (nums.length - 1));
      }
      case "pct": {
        const p = toNumber(evaluate(arg(args, 1, name), {}));
        if (p === undefined || !nums.length) return undefined;
        const sorted = [...nums].sort((a, b) => a - b);
        return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
      }
      case "earliest":
      case "latest":
      case "sortsfirst":
      case "sortslast": {
        const withTime = rows.filter((r) => evaluate(args[0]!, r) !== undefined);
        if (!withTime.length) return undefined;
        const byTime = [...withTime].sort((a, b) => compareValues(a["@timestamp"], b["@timestamp"]));
        const pick = name === "earliest" || name === "sortsfirst" ? byTime[0]! : byTime[byTime.length - 1]!;
        return evaluate(args[0]!, pick);
      }
    }
  }
  if (expr.kind === "binary") {
    const row: Row = { l: aggregate(expr.left, rows), r: aggregate(expr.right, rows) };
    return evaluate({ kind: "binary", op: expr.op, left: { kind: "field", name: "l" }, right: { kind: "field", name: "r" } }, row);
  }
  if (expr.kind === "unary") {
    return evaluate({ kind: "unary", op: expr.op, arg: { kind: "field", name: "v" } }, { v: aggregate(expr.arg, rows) });
  }
  if (expr.kind === "call") {
    const row: Row = {};
    const args = expr.args.map((a, i) => ((row[`a${i}`] = aggregate(a, rows)), { kind: "field", name: `a${i}` } as Expr));
    return evaluate({ kind: "call", name: expr.name, args }, row);
  }
  if (expr.kind === "field") return rows[0]?.[expr.name];
  return evaluate(expr, {});
}

function containsAggregate(expr: Expr): boolean {
  switch (expr.kind) {
    case "call":
      return AGGREGATES.has(expr.name) || expr.args.some(containsAggregate);
    case "binary":
      return containsAggregate(expr.left) || containsAggregate(expr.right);
    case "unary":
      return containsAggregate(expr.arg);
    default:
      return false;
  }
}

/** Checks what parsing cannot: stats items aggregate, `by` items do not. */
export function checkCommands(commands: Command[]): void {
  for (const c of commands) {
    if (c.kind !== "stats") continue;
    for (const a of c.aggregates) if (!containsAggregate(a.expr)) throw new QuerySyntaxError(`stats needs an aggregation function, found '${a.name}'`);
    for (const b of c.by) if (containsAggregate(b.expr)) throw new QuerySyntaxError(`aggregation function in 'by' clause: '${b.name}'`);
  }
}

function parseInto(command: Extract<Command, { kind: "parse" }>, row: Row): void {
  const text = toText(evaluate(command.source, row));
  if (text === undefined) return;
  if (command.regex) {
    const m = command.regex.exec(text);
    if (m?.groups) for (const [k, v] of Object.entries(m.groups)) if (v !== undefined) row[k] = v;
    return;
  }
  const { parts, names } = command.glob!;
  // Glob: literal parts in order, each `*` the shortest text up to the next part.
  let at = text.indexOf(parts[0]!);
  if (at < 0) return;
  at += parts[0]!.length;
  const values: string[] = [];
  for (let i = 1; i < parts.length; i++) {
    const lit = parts[i]!;
    const end = lit === "" ? (i === parts.length - 1 ? text.length : at) : text.indexOf(lit, at);
    if (end < 0) return;
    values.push(text.slice(at, end));
    at = end + lit.length;
  }
  names.forEach((name, i) => (row[name] = values[i]));
}

export interface QueryOutcome {
  columns: string[];
  rows: Row[];
  /** Rows that passed the filters (before stats). */
  matched: number;
  aggregated: boolean;
}

const DEFAULT_COLUMNS = ["@timestamp", "@message", "@logStream", "@log"];

/** Runs `commands` over `source` rows (already in the query's time range). */
export function runCommands(commands: Command[], source: Row[]): QueryOutcome {
  let rows = source;
  let columns: string[] | undefined;
  let display: string[] | undefined;
  let aggregated = false;
  let matched = source.length;
  for (const command of commands) {
    switch (command.kind) {
      case "fields":
        for (const row of rows) for (const item of command.items) row[item.name] = evaluate(item.expr, row);
        columns = [...(columns ?? []), ...command.items.map((i) => i.name).filter((n) => !(columns ?? []).includes(n))];
        break;
      case "display":
        for (const row of rows) for (const item of command.items) if (item.expr.kind !== "field") row[item.name] = evaluate(item.expr, row);
        display = command.items.map((i) => i.name);
        break;
      case "filter":
        rows = rows.filter((row) => truthy(evaluate(command.expr, row)));
        if (!aggregated) matched = rows.length;
        break;
      case "parse":
        for (const row of rows) parseInto(command, row);
        break;
      case "stats": {
        const groups = new Map<string, { key: Row; rows: Row[] }>();
        for (const row of rows) {
          const key: Row = {};
          for (const b of command.by) key[b.name] = evaluate(b.expr, row);
          const id = JSON.stringify(command.by.map((b) => {
            const v = key[b.name];
            return v instanceof Time ? ["t", v.ms] : v ?? null;
          }));
          let group = groups.get(id);
          if (!group) groups.set(id, (group = { key, rows: [] }));
          group.rows.push(row);
        }
        // No rows and no grouping: one row of empty aggregates (count 0), as AWS answers.
        if (groups.size === 0 && command.by.length === 0) groups.set("", { key: {}, rows: [] });
        rows = [...groups.values()].map(({ key, rows: members }) => {
          const out: Row = { ...key };
          for (const a of command.aggregates) out[a.name] = aggregate(a.expr, members);
          return out;
        });
        columns = [...command.by.map((b) => b.name), ...command.aggregates.map((a) => a.name)];
        aggregated = true;
        break;
      }
      case "sort":
        rows = [...rows].sort((a, b) => {
          for (const key of command.keys) {
            const c = compareValues(evaluate(key.expr, a), evaluate(key.expr, b));
            if (c !== 0) return key.desc ? -c : c;
          }
          return 0;
        });
        break;
      case "limit":
        rows = rows.slice(0, command.n);
        break;
      case "dedup": {
        const seen = new Set<string>();
        rows = rows.filter((row) => {
          const id = JSON.stringify(command.fields.map((f) => toText(evaluate(f, row)) ?? null));
          if (seen.has(id)) return false;
          seen.add(id);
          return true;
        });
        break;
      }
    }
  }
  let out = display ?? columns ?? DEFAULT_COLUMNS;
  if (!aggregated && !out.includes("@ptr")) out = [...out, "@ptr"];
  return { columns: out, rows, matched, aggregated };
}
