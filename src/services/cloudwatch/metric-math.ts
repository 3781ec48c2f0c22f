/**
 * Metric math for GetMetricData and alarms: arithmetic on time series and scalars (`+ - * / ^`,
 * unary minus, parentheses), arrays (`[m1, m2]`, `METRICS()`, `METRICS("prefix")`) and the
 * common functions ABS, CEIL, FLOOR, SUM, AVG, MIN, MAX, FILL, DIFF, RATE. `SEARCH` and other
 * functions answer a ValidationError-style message naming them.
 * Source: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
 */

/** A time series: period start (ms) → value. */
export type Series = Map<number, number>;
export type MathValue = number | Series | Series[];

export class MetricMathError extends Error {}

type Node =
  | { t: "num"; v: number }
  | { t: "id"; v: string }
  | { t: "str"; v: string }
  | { t: "bin"; op: string; l: Node; r: Node }
  | { t: "neg"; e: Node }
  | { t: "arr"; items: Node[] }
  | { t: "call"; name: string; args: Node[] };

export function parseExpression(text: string): Node {
  const tokens = text.match(/\s*(\d+(\.\d+)?([eE][+-]?\d+)?|[A-Za-z_][A-Za-z0-9_]*|"[^"]*"|[-+*/^(),[\]])/g);
  if (!tokens || tokens.join("").replace(/\s+/g, "") !== text.replace(/\s+/g, "")) throw new MetricMathError(`Unable to parse expression: ${text}`);
  const toks = tokens.map((t) => t.trim());
  let i = 0;
  const peek = () => toks[i];
  const take = (expected?: string) => {
    const t = toks[i++];
    if (t === undefined || (expected !== undefined && t !== expected)) throw new MetricMathError(`Unable to parse expression: ${text}`);
    return t;
  };
  const primary = (): Node => {
    const t = take();
    if (t === "(") {
      const e = sum();
      take(")");
      return e;
    }
    if (t === "-") return { t: "neg", e: power() };
    if (t === "[") {
      const items: Node[] = [];
      if (peek() !== "]") for (;;) {
        items.push(sum());
        if (peek() === ",") take(",");
        else break;
      }
      take("]");
      return { t: "arr", items };
    }
    if (/^\d/.test(t)) return { t: "num", v: Number(t) };
    if (t.startsWith('"')) return { t: "str", v: t.slice(1, -1) };
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === "(") {
        take("(");
        const args: Node[] = [];
        if (peek() !== ")") for (;;) {
          args.push(sum());
          if (peek() === ",") take(",");
          else break;
        }
        take(")");
        return { t: "call", name: t.toUpperCase(), args };
      }
      return { t: "id", v: t };
    }
    throw new MetricMathError(`Unable to parse expression: ${text}`);
  };
  const power = (): Node => {
    const base = primary();
    if (peek() === "^") {
      take("^");
      return { t: "bin", op: "^", l: base, r: power() };
    }
    return base;
  };
  const product = (): Node => {
    let l = power();
    while (peek() === "*" || peek() === "/") l = { t: "bin", op: take(), l, r: power() };
    return l;
  };
  const sum = (): Node => {
    let l = product();
    while (peek() === "+" || peek() === "-") l = { t: "bin", op: take(), l, r: product() };
    return l;
  };
  const node = sum();
  if (i !== toks.length) throw new MetricMathError(`Unable to parse expression: ${text}`);
  return node;
}

/** Ids an expression reads (for ordering evaluation). */
export function references(node: Node): string[] {
  switch (node.t) {
    case "id": return [node.v];
    case "bin": return [...references(node.l), ...references(node.r)];
    case "neg": return references(node.e);
    case "arr": return node.items.flatMap(references);
    case "call": return node.args.flatMap(references);
    default: return [];
  }
}

function apply(op: string, a: number, b: number): number {
  switch (op) {
    case "+": return a + b;
    case "-": return a - b;
    case "*": return a * b;
    case "/": return a / b;
    default: return a ** b;
  }
}

function mapSeries(s: Series, fn: (v: number, t: number) => number): Series {
  const out: Series = new Map();
  for (const [t, v] of s) out.set(t, fn(v, t));
  return out;
}

function binary(op: string, l: MathValue, r: MathValue): MathValue {
  if (Array.isArray(l)) return l.map((s) => binary(op, s, r) as Series);
  if (Array.isArray(r)) return r.map((s) => binary(op, l, s) as Series);
  if (typeof l === "number" && typeof r === "number") return apply(op, l, r);
  if (typeof l === "number") return mapSeries(r as Series, (v) => apply(op, l, v));
  if (typeof r === "number") return mapSeries(l, (v) => apply(op, v, r));
  const out: Series = new Map();
  for (const [t, v] of l) if ((r as Series).has(t)) out.set(t, apply(op, v, (r as Series).get(t)!));
  return out;
}

function reduce(name: string, arg: MathValue): MathValue {
  const fold = (values: number[]) => {
    if (values.length === 0) return NaN;
    if (name === "SUM") return values.reduce((a, b) => a + b, 0);
    if (name === "AVG") return values.reduce((a, b) => a + b, 0) / values.length;
    if (name === "MIN") return Math.min(...values);
    return Math.max(...values);
  };
  if (typeof arg === "number") return arg;
  if (!Array.isArray(arg)) return fold([...arg.values()]);
  const out: Series = new Map();
  const times = new Set(arg.flatMap((s) => [...s.keys()]));
  for (const t of [...times].sort((a, b) => a - b)) out.set(t, fold(arg.filter((s) => s.has(t)).map((s) => s.get(t)!)));
  return out;
}

/** Evaluates `node` with `ids` bound to series; `all` is every MetricStat series of the request (METRICS()). */
export function evaluate(node: Node, ids: Map<string, Series>, all: [string, Series][], periodMs: number, times: number[]): MathValue {
  const ev = (n: Node) => evaluate(n, ids, all, periodMs, times);
  switch (node.t) {
    case "num": return node.v;
    case "str": throw new MetricMathError(`Unexpected string "${node.v}".`);
    case "id": {
      const s = ids.get(node.v);
      if (!s) throw new MetricMathError(`Unrecognized metric id ${node.v} in expression.`);
      return s;
    }
    case "neg": return binary("*", -1, ev(node.e));
    case "bin": return binary(node.op, ev(node.l), ev(node.r));
    case "arr": return node.items.map(ev).flatMap((v) => (Array.isArray(v) ? v : typeof v === "number" ? [] : [v]));
    case "call": {
      const args = node.args.map((a) => (a.t === "str" ? a.v : ev(a)));
      switch (node.name) {
        case "METRICS": {
          const prefix = typeof args[0] === "string" ? args[0] : "";
          return all.filter(([id]) => id.startsWith(prefix)).map(([, s]) => s);
        }
        case "ABS": case "CEIL": case "FLOOR": {
          const fn = node.name === "ABS" ? Math.abs : node.name === "CEIL" ? Math.ceil : Math.floor;
          const v = args[0] as MathValue;
          if (typeof v === "number") return fn(v);
          if (Array.isArray(v)) return v.map((s) => mapSeries(s, fn));
          return mapSeries(v, fn);
        }
        case "SUM": case "AVG": case "MIN": case "MAX":
          return reduce(node.name, args[0] as MathValue);
        case "FILL": {
          const fill = (s: Series): Series => {
            const out: Series = new Map();
            const value = typeof args[1] === "number" ? args[1] : NaN;
            for (const t of times) out.set(t, s.get(t) ?? value);
            return out;
          };
          const v = args[0] as MathValue;
          if (typeof v === "number") return v;
          return Array.isArray(v) ? v.map(fill) : fill(v);
        }
        case "DIFF": case "RATE": {
          const diff = (s: Series): Series => {
            const out: Series = new Map();
            const entries = [...s.entries()].sort((a, b) => a[0] - b[0]);
            for (let k = 1; k < entries.length; k++) {
              const d = entries[k]![1] - entries[k - 1]![1];
              out.set(entries[k]![0], node.name === "DIFF" ? d : d / ((entries[k]![0] - entries[k - 1]![0]) / 1000));
            }
            return out;
          };
          const v = args[0] as MathValue;
          if (typeof v === "number") throw new MetricMathError(`${node.name} expects a time series.`);
          return Array.isArray(v) ? v.map(diff) : diff(v);
        }
        case "SEARCH":
          throw new MetricMathError("SEARCH expressions are not supported by fetchstack.");
        default:
          throw new MetricMathError(`Unsupported function ${node.name} in expression.`);
      }
    }
  }
}
