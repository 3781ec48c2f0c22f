/**
 * GetMetricWidgetImage: the metric widget JSON (the dashboard widget's `properties`) drawn as a
 * PNG. Read: `metrics` rows (`[namespace, name, dimName, dimValue, ..., {options}]`, `"."`
 * repeating the row above, `[{ "expression": ..., "id": ... }]` rows, options `stat`, `period`,
 * `color`, `id`, `visible`), `start`/`end` (ISO-8601 durations such as `-PT3H` relative to now,
 * or times), `period`, `stat`, `width`/`height` (default 600×395), `yAxis.left.min/max`,
 * `annotations.horizontal[].value`. Drawn: white background, grey grid, plot frame, each series
 * as a 2-pixel line in its `color` or CloudWatch's palette, horizontal annotations. Not drawn:
 * text (title, legend, axis labels), since that would need a font renderer; views other than
 * `timeSeries` are drawn as time series.
 * Source: https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_GetMetricWidgetImage.html,
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CloudWatch-Metric-Widget-Structure.html
 */
import type { RequestContext } from "../types.ts";
import type { MetricDataQuery } from "../../generated/cloudwatch.ts";
import { invalidValue } from "./metrics.ts";
import { evaluateQueries } from "./queries.ts";
import { Raster } from "./png.ts";

const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

type Rgb = [number, number, number];

function rgb(hex: string): Rgb {
  const m = /^#?([0-9a-f]{6})$/i.exec(hex);
  if (!m) throw invalidValue(`The color ${hex} is not a #rrggbb color.`);
  const n = parseInt(m[1]!, 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** `-PT3H`, `P1D`, ... as ms (negative before now). */
function durationMs(text: string): number | undefined {
  const m = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text);
  if (!m) return undefined;
  const ms = ((((Number(m[2] ?? 0) * 7 + Number(m[3] ?? 0)) * 24 + Number(m[4] ?? 0)) * 60 + Number(m[5] ?? 0)) * 60 + Number(m[6] ?? 0)) * 1000;
  return m[1] ? -ms : ms;
}

function timeOf(value: unknown, now: number, name: string): number {
  if (typeof value !== "string") throw invalidValue(`The widget's ${name} must be a string.`);
  const relative = durationMs(value);
  if (relative !== undefined) return now + relative;
  const absolute = Date.parse(value);
  if (Number.isNaN(absolute)) throw invalidValue(`The widget's ${name} ${value} is neither an ISO-8601 duration nor a time.`);
  return absolute;
}

interface Widget {
  metrics?: unknown[];
  start?: string;
  end?: string;
  period?: number;
  stat?: string;
  width?: number;
  height?: number;
  yAxis?: { left?: { min?: number; max?: number } };
  annotations?: { horizontal?: { value?: number; color?: string }[] };
}

/** The widget's rows as metric data queries, with each series' colour. */
function queriesOf(widget: Widget): { queries: MetricDataQuery[]; colors: Map<string, string> } {
  if (!Array.isArray(widget.metrics) || widget.metrics.length === 0) throw invalidValue("The widget must have a non-empty metrics array.");
  const queries: MetricDataQuery[] = [];
  const colors = new Map<string, string>();
  let previous: unknown[] = [];
  for (const [i, row] of widget.metrics.entries()) {
    if (!Array.isArray(row)) throw invalidValue(`metrics[${i}] must be an array.`);
    const last = row[row.length - 1];
    const options = (last && typeof last === "object" && !Array.isArray(last) ? last : {}) as Record<string, unknown>;
    const fields = options === last ? row.slice(0, -1) : row;
    const id = typeof options.id === "string" ? options.id : `m${i}`;
    const visible = options.visible !== false;
    if (typeof options.color === "string") colors.set(id, options.color);
    if (typeof options.expression === "string") {
      queries.push({ Id: id, Expression: options.expression, ReturnData: visible, ...(typeof options.label === "string" ? { Label: options.label } : {}) });
      continue;
    }
    const values = fields.map((f, k) => (f === "." ? previous[k] : f));
    previous = values;
    if (values.length < 2 || values.length % 2 !== 0 || !values.every((v) => typeof v === "string")) {
      throw invalidValue(`metrics[${i}] must be [namespace, metricName, dimensionName, dimensionValue, ...].`);
    }
    const [namespace, name, ...dims] = values as string[];
    const dimensions = [];
    for (let k = 0; k < dims.length; k += 2) dimensions.push({ Name: dims[k]!, Value: dims[k + 1]! });
    queries.push({
      Id: id, ReturnData: visible,
      MetricStat: {
        Metric: { Namespace: namespace!, MetricName: name!, Dimensions: dimensions },
        Period: Number(options.period ?? widget.period ?? 300), Stat: String(options.stat ?? widget.stat ?? "Average"),
      },
    });
  }
  return { queries, colors };
}

/** Renders the widget JSON `text` as PNG bytes. */
export async function renderWidget(ctx: RequestContext, text: string): Promise<Uint8Array> {
  let widget: Widget;
  try {
    widget = JSON.parse(text);
  } catch {
    throw invalidValue("The MetricWidget parameter is not valid JSON.");
  }
  if (!widget || typeof widget !== "object" || Array.isArray(widget)) throw invalidValue("The MetricWidget parameter must be a JSON object.");
  const width = widget.width ?? 600;
  const height = widget.height ?? 395;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || width > 2000 || height > 2000) {
    throw invalidValue("The widget's width and height must be integers from 1 to 2000.");
  }
  const now = ctx.clock.now();
  const start = timeOf(widget.start ?? "-PT3H", now, "start");
  const end = timeOf(widget.end ?? "P0D", now, "end");
  if (!(start < end)) throw invalidValue("The widget's start must be before its end.");
  const { queries, colors } = queriesOf(widget);
  const results = (await evaluateQueries(ctx, queries, start, end)).filter((r) => r.ReturnData);

  const image = new Raster(width, height);
  const left = Math.min(50, Math.floor(width / 8));
  const right = width - Math.min(15, Math.floor(width / 20)) - 1;
  const top = Math.min(30, Math.floor(height / 8));
  const bottom = height - Math.min(40, Math.floor(height / 6)) - 1;
  const grid: Rgb = [232, 232, 232];
  const frame: Rgb = [160, 160, 160];
  const series = results.flatMap((r) => (r.lower ? [{ id: r.Id, s: r.lower }, { id: r.Id, s: r.series }] : [{ id: r.Id, s: r.series }]));
  const values = series.flatMap(({ s }) => [...s.values()].filter((v) => Number.isFinite(v)));
  for (const a of widget.annotations?.horizontal ?? []) if (typeof a.value === "number") values.push(a.value);
  let lo = widget.yAxis?.left?.min ?? (values.length ? Math.min(0, ...values) : 0);
  let hi = widget.yAxis?.left?.max ?? (values.length ? Math.max(...values) : 1);
  if (hi <= lo) hi = lo + 1;
  if (widget.yAxis?.left?.max === undefined) hi += (hi - lo) * 0.05;
  const x = (t: number) => left + ((t - start) / (end - start)) * (right - left);
  const y = (v: number) => bottom - ((Math.min(Math.max(v, lo), hi) - lo) / (hi - lo)) * (bottom - top);
  for (let k = 1; k < 5; k++) {
    const gy = top + ((bottom - top) * k) / 5;
    image.line(left, gy, right, gy, grid);
    const gx = left + ((right - left) * k) / 6;
    image.line(gx, top, gx, bottom, grid);
  }
  image.line(left, top, left, bottom, frame);
  image.line(left, bottom, right, bottom, frame);
  for (const a of widget.annotations?.horizontal ?? []) {
    if (typeof a.value === "number") image.line(left, y(a.value), right, y(a.value), rgb(a.color ?? "#d62728"));
  }
  series.forEach(({ id, s }, i) => {
    const color = rgb(colors.get(id) ?? PALETTE[i % PALETTE.length]!);
    const points = [...s.entries()].filter(([t, v]) => Number.isFinite(v) && t >= start && t < end).sort((a, b) => a[0] - b[0]);
    if (points.length === 1) image.line(x(points[0]![0]) - 1, y(points[0]![1]), x(points[0]![0]) + 1, y(points[0]![1]), color, 2);
    for (let k = 1; k < points.length; k++) image.line(x(points[k - 1]![0]), y(points[k - 1]![1]), x(points[k]![0]), y(points[k]![1]), color, 2);
  });
  return image.toPng();
}
