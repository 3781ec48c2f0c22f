/**
 * SSM maintenance windows as state: Create/Get/Describe/Update/DeleteMaintenanceWindow.
 * Windows never run (fetchstack has no managed instances to target); `NextExecutionTime` is
 * computed from the schedule on the injectable clock.
 *
 * One record per window under `["ssm", account, region, "mw", windowId]`; ids `mw-` + 17 hex.
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateMaintenanceWindow.html
 * (and API_GetMaintenanceWindow, API_DescribeMaintenanceWindows, API_UpdateMaintenanceWindow)
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { checkTimeZone, nextFire, parseScheduleExpression, ScheduleExpressionError } from "../../schedules/cron.ts";
import { decodePageToken, encodePageToken } from "../../encoding/page-token.ts";

export interface WindowRecord {
  WindowId: string;
  Name: string;
  Description?: string;
  StartDate?: string;
  EndDate?: string;
  Schedule: string;
  ScheduleTimezone?: string;
  ScheduleOffset?: number;
  Duration: number;
  Cutoff: number;
  AllowUnassociatedTargets: boolean;
  Enabled: boolean;
  createdAt: number;
  modifiedAt: number;
  clientToken?: string;
  Tags: { Key: string; Value: string }[];
}

const windowKey = (id: string) => ["mw", id];
const FIELDS = ["Name", "Description", "StartDate", "EndDate", "Schedule", "ScheduleTimezone", "ScheduleOffset", "Duration", "Cutoff", "AllowUnassociatedTargets", "Enabled"] as const;

function validation(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

function check(w: WindowRecord): void {
  try {
    parseScheduleExpression(w.Schedule, { allowAt: true });
  } catch (e) {
    if (e instanceof ScheduleExpressionError) throw validation(`Invalid schedule expression: ${w.Schedule}`);
    throw e;
  }
  if (w.ScheduleTimezone !== undefined) {
    try {
      checkTimeZone(w.ScheduleTimezone);
    } catch {
      throw validation(`Invalid ScheduleTimezone: ${w.ScheduleTimezone}`);
    }
  }
  if (w.Cutoff >= w.Duration) throw validation("The cutoff time must be less than the duration of the maintenance window.");
  for (const d of [w.StartDate, w.EndDate]) if (d !== undefined && Number.isNaN(Date.parse(d))) throw validation(`Invalid date: ${d}`);
  if (w.StartDate && w.EndDate && Date.parse(w.EndDate) <= Date.parse(w.StartDate)) throw validation("The end date must be later than the start date.");
}

export function nextExecution(ctx: RequestContext, w: WindowRecord): string | undefined {
  if (!w.Enabled) return undefined;
  const now = ctx.clock.now();
  const start = w.StartDate ? Math.max(now, Date.parse(w.StartDate)) : now;
  const next = nextFire(parseScheduleExpression(w.Schedule, { allowAt: true }), start, w.createdAt, w.ScheduleTimezone ?? "UTC");
  if (next === null || (w.EndDate && next > Date.parse(w.EndDate))) return undefined;
  return new Date(next).toISOString();
}

export async function requireWindow(ctx: RequestContext, id: string): Promise<WindowRecord> {
  const w = (await ctx.store.get<WindowRecord>(windowKey(id))).value;
  if (!w) throw new AwsError("DoesNotExistException", `Maintenance window ${id} does not exist`, 400);
  return w;
}

function view(ctx: RequestContext, w: WindowRecord): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of ["WindowId", ...FIELDS] as const) if (w[f] !== undefined) out[f] = w[f];
  const next = nextExecution(ctx, w);
  if (next) out.NextExecutionTime = next;
  return out;
}

export const maintenanceWindowHandlers: Record<string, Handler> = {
  async CreateMaintenanceWindow(input, ctx) {
    if (input.ClientToken !== undefined) {
      for await (const e of ctx.store.list<WindowRecord>({ prefix: ["mw"] })) {
        if (e.value.clientToken === input.ClientToken) return { WindowId: e.value.WindowId };
      }
    }
    const hex = Array.from(crypto.getRandomValues(new Uint8Array(9)), (b) => b.toString(16).padStart(2, "0")).join("").slice(0, 17);
    const now = ctx.clock.now();
    const w: WindowRecord = {
      WindowId: `mw-${hex}`,
      Name: input.Name,
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      ...(input.StartDate !== undefined ? { StartDate: input.StartDate } : {}),
      ...(input.EndDate !== undefined ? { EndDate: input.EndDate } : {}),
      Schedule: input.Schedule,
      ...(input.ScheduleTimezone !== undefined ? { ScheduleTimezone: input.ScheduleTimezone } : {}),
      ...(input.ScheduleOffset !== undefined ? { ScheduleOffset: input.ScheduleOffset } : {}),
      Duration: input.Duration,
      Cutoff: input.Cutoff,
      AllowUnassociatedTargets: input.AllowUnassociatedTargets,
      Enabled: true,
      createdAt: now,
      modifiedAt: now,
      ...(input.ClientToken !== undefined ? { clientToken: input.ClientToken } : {}),
      Tags: input.Tags ?? [],
    };
    check(w);
    await ctx.store.set(windowKey(w.WindowId), w);
    return { WindowId: w.WindowId };
  },

  async GetMaintenanceWindow(input, ctx) {
    const w = await requireWindow(ctx, input.WindowId);
    return { ...view(ctx, w), CreatedDate: new Date(w.createdAt), ModifiedDate: new Date(w.modifiedAt) };
  },

  async DescribeMaintenanceWindows(input, ctx) {
    const filters: { Key: string; Values: string[] }[] = input.Filters ?? [];
    const all: Record<string, unknown>[] = [];
    for await (const e of ctx.store.list<WindowRecord>({ prefix: ["mw"] })) {
      const w = e.value;
      const ok = filters.every((f) => {
        if (f.Key === "Name") return f.Values.includes(w.Name);
        if (f.Key === "Enabled") return f.Values.includes(String(w.Enabled));
        throw validation(`Invalid filter key: ${f.Key}`);
      });
      if (ok) all.push(view(ctx, w));
    }
    const max = input.MaxResults ?? 10;
    const start = input.NextToken !== undefined ? Number(decodePageToken(input.NextToken)?.offset ?? NaN) : 0;
    if (!Number.isInteger(start) || start < 0) throw validation("The specified token isn't valid.");
    return { WindowIdentities: all.slice(start, start + max), ...(start + max < all.length ? { NextToken: encodePageToken({ offset: start + max }) } : {}) };
  },

  async UpdateMaintenanceWindow(input, ctx) {
    const w = await requireWindow(ctx, input.WindowId);
    // Replace: fields not given are reset (the optional ones); required ones must be given.
    const next: WindowRecord = input.Replace
      ? { ...w, Description: undefined, StartDate: undefined, EndDate: undefined, ScheduleTimezone: undefined, ScheduleOffset: undefined }
      : { ...w };
    if (input.Replace) {
      for (const f of ["Name", "Schedule", "Duration", "Cutoff", "AllowUnassociatedTargets"] as const) {
        if (input[f] === undefined) throw validation(`${f} is required when Replace is true.`);
      }
    }
    for (const f of FIELDS) if (input[f] !== undefined) (next as unknown as Record<string, unknown>)[f] = input[f];
    for (const f of FIELDS) if ((next as unknown as Record<string, unknown>)[f] === undefined) delete (next as unknown as Record<string, unknown>)[f];
    next.modifiedAt = ctx.clock.now();
    check(next);
    await ctx.store.set(windowKey(w.WindowId), next);
    const { NextExecutionTime: _, ...out } = view(ctx, next);
    return out;
  },

  async DeleteMaintenanceWindow(input, ctx) {
    await ctx.store.delete(windowKey(input.WindowId));
    // Its targets and tasks go with it.
    for (const prefix of [["mwtarget", input.WindowId], ["mwtask", input.WindowId]]) {
      for await (const e of ctx.store.list({ prefix })) await ctx.store.delete(e.key);
    }
    return { WindowId: input.WindowId };
  },
};
