/**
 * GetOpsSummary over the OpsData fetchstack holds: OpsItems, as type `AWS:OpsItem` (attributes
 * OpsItemId, Title, Status, Source, Severity, Category, Priority, OpsItemType, CreatedBy,
 * CreatedTime, LastModifiedTime). Inventory types (`AWS:EC2InstanceInformation`,
 * `AWS:ComplianceSummary`, ...) are known and hold nothing: inventory comes from managed nodes,
 * which fetchstack does not have.
 *
 * - Filters (`<TypeName>.<AttributeName>`, Type Equal (default), NotEqual, BeginWith,
 *   LessThan, GreaterThan, Exists) select items; an unknown type is `InvalidTypeNameException`,
 *   a key without an attribute `InvalidFilter`.
 * - Without aggregators: one entity per item (`Id` the OpsItem id, `Data[TypeName].Content` its
 *   attributes). With `count` (default) or `sum` aggregators on an attribute: one entity per
 *   distinct value (`Id` the value, `Content` `[{Count | Sum, <Attribute>: value}]`, nested
 *   aggregators one map per sub-value); aggregator `Filters` narrow the group. An unknown
 *   attribute is `InvalidAggregatorException`; `range` aggregators are refused the same way
 *   (not built). AWS documents no example of the aggregated shape; this is fetchstack's reading
 *   of the model.
 * - `SyncName` names a resource data sync (`ResourceDataSyncNotFoundException` when absent); the
 *   data is the same. Pages of MaxResults (default 50); bad tokens `InvalidNextToken`.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetOpsSummary.html
 * (API_OpsAggregator.html, API_OpsFilter.html)
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handlers, RequestContext } from "../types.ts";
import type { OpsAggregator, OpsEntity, OpsFilter, Operations } from "../../generated/ssm.ts";
import { pageOf } from "./paging.ts";

const OPS_ITEM = "AWS:OpsItem";
const INVENTORY_TYPES = ["AWS:EC2InstanceInformation", "AWS:ComplianceSummary", "AWS:ComplianceResourceSummary", "AWS:InstanceInformation", "AWS:Application", "AWS:PatchSummary", "AWS:Tag"];
const ATTRIBUTES = ["OpsItemId", "Title", "Status", "Source", "Severity", "Category", "Priority", "OpsItemType", "CreatedBy", "CreatedTime", "LastModifiedTime"];

interface StoredOpsItem {
  OpsItemId: string;
  Title?: string;
  Status?: string;
  Source?: string;
  Severity?: string;
  Category?: string;
  Priority?: number;
  OpsItemType?: string;
  CreatedBy?: string;
  CreatedTime: number;
  LastModifiedTime: number;
}

type Row = Record<string, string>;

function row(i: StoredOpsItem): Row {
  const out: Row = {};
  for (const a of ATTRIBUTES) {
    const v = i[a as keyof StoredOpsItem];
    if (v === undefined) continue;
    out[a] = a === "CreatedTime" || a === "LastModifiedTime" ? new Date(v as number).toISOString() : String(v);
  }
  return out;
}

function checkType(type: string): void {
  if (type !== OPS_ITEM && !INVENTORY_TYPES.includes(type) && !type.startsWith("Custom:")) {
    throw new AwsError("InvalidTypeNameException", `The type name ${type} is not valid.`, 400);
  }
}

function compare(actual: string | undefined, type: string, values: string[]): boolean {
  if (type === "Exists") return actual !== undefined;
  if (actual === undefined) return type === "NotEqual";
  const num = (s: string) => (/^-?\d+(\.\d+)?$/.test(s) ? Number(s) : Date.parse(s));
  switch (type) {
    case "NotEqual": return values.every((v) => v !== actual);
    case "BeginWith": return values.some((v) => actual.startsWith(v));
    case "LessThan": return values.some((v) => num(actual) < num(v));
    case "GreaterThan": return values.some((v) => num(actual) > num(v));
    default: return values.includes(actual);
  }
}

function filterRows(rows: { type: string; row: Row }[], filters: OpsFilter[]): { type: string; row: Row }[] {
  for (const f of filters) {
    const dot = f.Key.lastIndexOf(".");
    if (dot <= 0) throw new AwsError("InvalidFilter", `The filter key ${f.Key} is not valid: use <TypeName>.<AttributeName>.`, 400);
    checkType(f.Key.slice(0, dot));
  }
  return rows.filter(({ type, row: r }) => filters.every((f) => {
    const dot = f.Key.lastIndexOf(".");
    if (f.Key.slice(0, dot) !== type) return false;
    return compare(r[f.Key.slice(dot + 1)], f.Type ?? "Equal", f.Values);
  }));
}

function checkAggregator(a: OpsAggregator): void {
  const kind = a.AggregatorType ?? "count";
  if (kind !== "count" && kind !== "sum") throw new AwsError("InvalidAggregatorException", `The ${kind} aggregator is not supported here: use count or sum.`, 400);
  if (a.TypeName !== undefined) checkType(a.TypeName);
  if (!a.AttributeName || !ATTRIBUTES.includes(a.AttributeName)) {
    throw new AwsError("InvalidAggregatorException", `The aggregator attribute ${a.AttributeName ?? "(none)"} is not valid for ${a.TypeName ?? OPS_ITEM}. Valid attributes: ${ATTRIBUTES.join(", ")}.`, 400);
  }
  for (const n of a.Aggregators ?? []) checkAggregator(n);
}

/** One map per group of `rows` by the aggregator's attribute (and nested ones). */
function groups(rows: Row[], a: OpsAggregator, prefix: Row): Row[] {
  const attr = a.AttributeName!;
  const byValue = new Map<string, Row[]>();
  for (const r of rows) {
    const v = r[attr];
    if (v === undefined) continue;
    byValue.set(v, [...(byValue.get(v) ?? []), r]);
  }
  const out: Row[] = [];
  for (const [value, members] of [...byValue].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) {
    const base = { ...prefix, [attr]: value };
    if (a.Aggregators?.length) {
      for (const nested of a.Aggregators) out.push(...groups(members, nested, base));
      continue;
    }
    if ((a.AggregatorType ?? "count") === "sum") out.push({ ...base, Sum: String(members.reduce((n, m) => n + Number(m[attr] ?? 0), 0)) });
    else out.push({ ...base, Count: String(members.length) });
  }
  return out;
}

async function opsRows(ctx: RequestContext): Promise<{ type: string; row: Row }[]> {
  const out: { type: string; row: Row }[] = [];
  for await (const e of ctx.store.list<StoredOpsItem>({ prefix: ["opsitem"] })) out.push({ type: OPS_ITEM, row: row(e.value) });
  return out.sort((a, b) => (a.row.OpsItemId < b.row.OpsItemId ? -1 : 1));
}

export const opsSummaryHandlers: Handlers<Operations> = {
  async GetOpsSummary(input, ctx) {
    if (input.SyncName !== undefined && !(await ctx.store.get(["datasync", input.SyncName])).value) {
      throw new AwsError("ResourceDataSyncNotFoundException", `Resource data sync ${input.SyncName} doesn't exist.`, 400);
    }
    for (const r of input.ResultAttributes ?? []) checkType(r.TypeName);
    for (const a of input.Aggregators ?? []) checkAggregator(a);
    const wanted = input.ResultAttributes?.map((r) => r.TypeName);
    let rows = filterRows(await opsRows(ctx), input.Filters ?? []);
    if (wanted) rows = rows.filter((r) => wanted.includes(r.type));
    let entities: OpsEntity[];
    if (!input.Aggregators?.length) {
      entities = rows.map(({ type, row: r }) => ({ Id: r.OpsItemId, Data: { [type]: { CaptureTime: r.LastModifiedTime, Content: [r] } } }));
    } else {
      entities = [];
      for (const a of input.Aggregators) {
        const type = a.TypeName ?? OPS_ITEM;
        const scoped = filterRows(rows.filter((r) => r.type === type), a.Filters ?? []).map((r) => r.row);
        for (const g of groups(scoped, a, {})) entities.push({ Id: g[a.AttributeName!], Data: { [type]: { Content: [g] } } });
      }
    }
    const { page, NextToken } = pageOf(entities, input.MaxResults ?? 50, input.NextToken);
    return { Entities: page, ...(NextToken ? { NextToken } : {}) };
  },
};
