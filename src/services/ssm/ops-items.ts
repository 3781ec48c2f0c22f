/**
 * OpsCenter OpsItems: CreateOpsItem, GetOpsItem, UpdateOpsItem, DeleteOpsItem, DescribeOpsItems
 * (filters with the Equal/Contains/GreaterThan/LessThan operators), ListOpsItemEvents, and related
 * items (Associate/Disassociate/ListOpsItemRelatedItems).
 *
 * One record per OpsItem under `["opsitem", id]`; ids `oi-` + 12 hex, ARNs
 * `arn:aws:ssm:<region>:<account>:opsitem/<id>`. `Version` changes on every update. OpsItem events
 * come from EventBridge/CloudWatch rules creating OpsItems, which do not happen here, so
 * ListOpsItemEvents lists none.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateOpsItem.html
 * (and API_GetOpsItem, API_UpdateOpsItem, API_DescribeOpsItems, API_AssociateOpsItemRelatedItem)
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { partitionOf } from "../../util/partition.ts";
import { defined, hexId, pageOf } from "./paging.ts";

type OpsData = Record<string, { Value?: string; Type?: string }>;

interface RelatedItem {
  AssociationId: string;
  ResourceType: string;
  AssociationType: string;
  ResourceUri: string;
  createdAt: number;
}

/** An OpsItem as stored under `["opsitem", id]` (access requests are OpsItems too). */
export interface OpsItemRecord {
  OpsItemId: string;
  OpsItemType: string;
  Title: string;
  Description: string;
  Source: string;
  Status: string;
  Priority?: number;
  Category?: string;
  Severity?: string;
  OperationalData: OpsData;
  Notifications?: { Arn: string }[];
  RelatedOpsItems?: { OpsItemId: string }[];
  ActualStartTime?: number;
  ActualEndTime?: number;
  PlannedStartTime?: number;
  PlannedEndTime?: number;
  CreatedTime: number;
  LastModifiedTime: number;
  CreatedBy: string;
  LastModifiedBy: string;
  Version: string;
  tags: { Key: string; Value: string }[];
  related: RelatedItem[];
}

const key = (id: string) => ["opsitem", id];
const TIMES = ["ActualStartTime", "ActualEndTime", "PlannedStartTime", "PlannedEndTime"] as const;
const FIELDS = ["Title", "Description", "Status", "Priority", "Category", "Severity", "Notifications", "RelatedOpsItems"] as const;
const notFound = (id: string) => new AwsError("OpsItemNotFoundException", `OpsItem with id ${id} not found.`, 400);
const user = (ctx: RequestContext) => `arn:${partitionOf(ctx.region)}:iam::${ctx.accountId}:root`;
const arn = (ctx: RequestContext, id: string) => `arn:${partitionOf(ctx.region)}:ssm:${ctx.region}:${ctx.accountId}:opsitem/${id}`;
const ms = (v: unknown) => (v === undefined ? undefined : new Date(v as string | number | Date).getTime());

function checkData(data: OpsData): void {
  for (const [k, v] of Object.entries(data)) {
    if (k.toLowerCase().startsWith("aws") && !k.startsWith("/aws/")) throw new AwsError("OpsItemInvalidParameterException", `OperationalData key ${k} is reserved.`, 400);
    if (v.Type !== undefined && v.Type !== "SearchableString" && v.Type !== "String") throw new AwsError("OpsItemInvalidParameterException", `OperationalData type ${v.Type} is not valid.`, 400);
  }
  if (JSON.stringify(data).length > 20480) throw new AwsError("OpsItemLimitExceededException", "OperationalData can't be larger than 20 KB.", 400);
}

async function requireItem(ctx: RequestContext, id: string): Promise<OpsItemRecord> {
  const r = (await ctx.store.get<OpsItemRecord>(key(id))).value;
  if (!r) throw notFound(id);
  return r;
}

function dates(r: OpsItemRecord): Record<string, Date | undefined> {
  return Object.fromEntries(TIMES.map((t) => [t, r[t] !== undefined ? new Date(r[t]!) : undefined]));
}

function view(ctx: RequestContext, r: OpsItemRecord): Record<string, unknown> {
  return defined({
    CreatedBy: r.CreatedBy, OpsItemType: r.OpsItemType, CreatedTime: new Date(r.CreatedTime), Description: r.Description, LastModifiedBy: r.LastModifiedBy,
    LastModifiedTime: new Date(r.LastModifiedTime), Notifications: r.Notifications, Priority: r.Priority, RelatedOpsItems: r.RelatedOpsItems, Status: r.Status,
    OpsItemId: r.OpsItemId, Version: r.Version, Title: r.Title, Source: r.Source, OperationalData: r.OperationalData, Category: r.Category,
    Severity: r.Severity, ...dates(r), OpsItemArn: arn(ctx, r.OpsItemId),
  });
}

function summary(r: OpsItemRecord): Record<string, unknown> {
  return defined({
    CreatedBy: r.CreatedBy, CreatedTime: new Date(r.CreatedTime), LastModifiedBy: r.LastModifiedBy, LastModifiedTime: new Date(r.LastModifiedTime),
    Priority: r.Priority, Source: r.Source, Status: r.Status, OpsItemId: r.OpsItemId, Title: r.Title,
    // Only searchable data is returned in summaries.
    OperationalData: Object.fromEntries(Object.entries(r.OperationalData).filter(([, v]) => v.Type === "SearchableString")),
    Category: r.Category, Severity: r.Severity, OpsItemType: r.OpsItemType, ...dates(r),
  });
}

function compare(actual: string | number | undefined, op: string, wanted: string): boolean {
  if (actual === undefined) return false;
  if (typeof actual === "number") {
    const w = /^\d+$/.test(wanted) ? Number(wanted) : Date.parse(wanted);
    return op === "GreaterThan" ? actual > w : op === "LessThan" ? actual < w : actual === w;
  }
  return op === "Contains" ? actual.toLowerCase().includes(wanted.toLowerCase()) : op === "GreaterThan" ? actual > wanted : op === "LessThan" ? actual < wanted : actual === wanted;
}

function matches(r: OpsItemRecord, f: { Key: string; Values: string[]; Operator: string }): boolean {
  return f.Values.some((value) => {
    switch (f.Key) {
      case "OperationalData": {
        let kv: { key?: string; value?: string };
        try {
          kv = JSON.parse(value);
        } catch {
          throw new AwsError("OpsItemInvalidParameterException", `OperationalData filter value ${value} must be {"key":"...","value":"..."}.`, 400);
        }
        const d = r.OperationalData[kv.key ?? ""];
        return d?.Type === "SearchableString" && compare(d.Value, f.Operator, kv.value ?? "");
      }
      case "OperationalDataKey": return Object.entries(r.OperationalData).some(([k, v]) => v.Type === "SearchableString" && compare(k, f.Operator, value));
      case "OperationalDataValue": return Object.values(r.OperationalData).some((v) => v.Type === "SearchableString" && compare(v.Value, f.Operator, value));
      case "ResourceId": return Object.values(r.OperationalData).some((v) => (v.Value ?? "").includes(value));
      case "CreatedTime": case "LastModifiedTime": case "ActualStartTime": case "ActualEndTime": case "PlannedStartTime": case "PlannedEndTime":
        return compare(r[f.Key as "CreatedTime"], f.Operator, value);
      case "Priority": return compare(r.Priority, f.Operator, value);
      case "Status": case "CreatedBy": case "Source": case "Title": case "OpsItemId": case "Category": case "Severity": case "OpsItemType":
        return compare(r[f.Key] as string | undefined, f.Operator, value);
      default: return false;
    }
  });
}

export const opsItemHandlers: Record<string, Handler> = {
  async CreateOpsItem(input, ctx) {
    const data: OpsData = input.OperationalData ?? {};
    checkData(data);
    if (input.OpsItemType === "/aws/changerequest") throw new AwsError("OpsItemInvalidParameterException", "Change requests are created by Change Manager, not CreateOpsItem.", 400);
    const now = ctx.clock.now();
    const r: OpsItemRecord = defined({
      OpsItemId: `oi-${hexId(12)}`,
      OpsItemType: input.OpsItemType ?? "/aws/issue",
      Title: input.Title, Description: input.Description, Source: input.Source, Status: "Open",
      Priority: input.Priority, Category: input.Category, Severity: input.Severity, OperationalData: data,
      Notifications: input.Notifications, RelatedOpsItems: input.RelatedOpsItems,
      ...Object.fromEntries(TIMES.map((t) => [t, ms(input[t])])),
      CreatedTime: now, LastModifiedTime: now, CreatedBy: user(ctx), LastModifiedBy: user(ctx), Version: crypto.randomUUID(),
      tags: input.Tags ?? [], related: [],
    } as OpsItemRecord);
    await ctx.store.set(key(r.OpsItemId), r);
    return { OpsItemId: r.OpsItemId, OpsItemArn: arn(ctx, r.OpsItemId) };
  },

  async GetOpsItem(input, ctx) {
    return { OpsItem: view(ctx, await requireItem(ctx, input.OpsItemId)) };
  },

  async UpdateOpsItem(input, ctx) {
    const r = await requireItem(ctx, input.OpsItemId);
    const data: OpsData = { ...r.OperationalData, ...(input.OperationalData ?? {}) };
    for (const k of (input.OperationalDataToDelete ?? []) as string[]) delete data[k];
    checkData(data);
    const next: OpsItemRecord = { ...r, OperationalData: data };
    for (const f of FIELDS) if (input[f] !== undefined) (next as unknown as Record<string, unknown>)[f] = input[f];
    for (const t of TIMES) if (input[t] !== undefined) next[t] = ms(input[t]);
    next.LastModifiedTime = ctx.clock.now();
    next.LastModifiedBy = user(ctx);
    next.Version = crypto.randomUUID();
    await ctx.store.set(key(r.OpsItemId), next);
    return {};
  },

  async DeleteOpsItem(input, ctx) {
    await ctx.store.delete(key(input.OpsItemId));
    return {};
  },

  async DescribeOpsItems(input, ctx) {
    const filters: { Key: string; Values: string[]; Operator: string }[] = input.OpsItemFilters ?? [];
    const all: OpsItemRecord[] = [];
    for await (const e of ctx.store.list<OpsItemRecord>({ prefix: ["opsitem"] })) if (filters.every((f) => matches(e.value, f))) all.push(e.value);
    all.sort((a, b) => b.CreatedTime - a.CreatedTime);
    const { page, NextToken } = pageOf(all.map(summary), input.MaxResults ?? 50, input.NextToken);
    return { OpsItemSummaries: page, ...(NextToken ? { NextToken } : {}) };
  },

  async ListOpsItemEvents() {
    return { Summaries: [] };
  },

  async AssociateOpsItemRelatedItem(input, ctx) {
    const r = await requireItem(ctx, input.OpsItemId);
    if (r.related.some((x) => x.ResourceUri === input.ResourceUri)) {
      throw new AwsError("OpsItemRelatedItemAlreadyExistsException", `The resource ${input.ResourceUri} is already associated with ${r.OpsItemId}.`, 400);
    }
    const item: RelatedItem = { AssociationId: crypto.randomUUID(), ResourceType: input.ResourceType, AssociationType: input.AssociationType, ResourceUri: input.ResourceUri, createdAt: ctx.clock.now() };
    await ctx.store.set(key(r.OpsItemId), { ...r, related: [...r.related, item] });
    return { AssociationId: item.AssociationId };
  },

  async DisassociateOpsItemRelatedItem(input, ctx) {
    const r = await requireItem(ctx, input.OpsItemId);
    if (!r.related.some((x) => x.AssociationId === input.AssociationId)) {
      throw new AwsError("OpsItemRelatedItemAssociationNotFoundException", `The association ${input.AssociationId} doesn't exist.`, 400);
    }
    await ctx.store.set(key(r.OpsItemId), { ...r, related: r.related.filter((x) => x.AssociationId !== input.AssociationId) });
    return {};
  },

  async ListOpsItemRelatedItems(input, ctx) {
    let items: { r: OpsItemRecord; x: RelatedItem }[] = [];
    if (input.OpsItemId !== undefined) items = (await requireItem(ctx, input.OpsItemId)).related.map((x) => ({ r: null as unknown as OpsItemRecord, x }));
    else for await (const e of ctx.store.list<OpsItemRecord>({ prefix: ["opsitem"] })) items.push(...e.value.related.map((x) => ({ r: e.value, x })));
    const owner = input.OpsItemId;
    const filters: { Key: string; Values: string[] }[] = input.Filters ?? [];
    const all = items.filter(({ x }) => filters.every((f) =>
      f.Key === "ResourceType" ? f.Values.includes(x.ResourceType) : f.Key === "AssociationId" ? f.Values.includes(x.AssociationId) : f.Values.includes(x.ResourceUri)))
      .map(({ r, x }) => ({
        OpsItemId: owner ?? r.OpsItemId, AssociationId: x.AssociationId, ResourceType: x.ResourceType, AssociationType: x.AssociationType, ResourceUri: x.ResourceUri,
        CreatedBy: { Arn: user(ctx) }, CreatedTime: new Date(x.createdAt), LastModifiedBy: { Arn: user(ctx) }, LastModifiedTime: new Date(x.createdAt),
      }));
    const { page, NextToken } = pageOf(all, input.MaxResults ?? 50, input.NextToken);
    return { Summaries: page, ...(NextToken ? { NextToken } : {}) };
  },
};
