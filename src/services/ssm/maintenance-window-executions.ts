/**
 * Maintenance window executions and schedule.
 *
 * Windows do not run here: a window's tasks target managed nodes (or run through them), and
 * fetchstack has none, so no execution is ever created. DescribeMaintenanceWindowExecutions lists
 * none for an existing window; Get*Execution*, Describe*Execution* of one execution and
 * CancelMaintenanceWindowExecution answer `DoesNotExistException`, as AWS does for an id it does
 * not know. DescribeMaintenanceWindowSchedule computes the coming executions from the schedule on
 * the injectable clock (time zone, start and end dates; filters `ScheduledBefore`/`ScheduledAfter`).
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeMaintenanceWindowSchedule.html
 * (and API_DescribeMaintenanceWindowExecutions, API_GetMaintenanceWindowExecution,
 * API_CancelMaintenanceWindowExecution)
 */
import type { Handler, RequestContext } from "../types.ts";
import { nextFire, parseScheduleExpression } from "../../schedules/cron.ts";
import { requireWindow, type WindowRecord } from "./maintenance-windows.ts";
import { windowTargets } from "./maintenance-window-targets.ts";
import { doesNotExist, pageOf, validation } from "./paging.ts";
import type { DescribeMaintenanceWindowScheduleRequest } from "../../generated/ssm.ts";

const noExecution = (id: string) => doesNotExist(`Maintenance window execution ${id} does not exist`);
const HORIZON_MS = 366 * 24 * 3600_000;
const MAX_SCHEDULED = 1000;

/** The window's fire times in [from, to), at most MAX_SCHEDULED. */
function fireTimes(w: WindowRecord, from: number, to: number): number[] {
  if (!w.Enabled) return [];
  const expr = parseScheduleExpression(w.Schedule, { allowAt: true });
  const start = w.StartDate ? Math.max(from, Date.parse(w.StartDate)) : from;
  const end = w.EndDate ? Math.min(to, Date.parse(w.EndDate) + 1) : to;
  const out: number[] = [];
  let t = nextFire(expr, start - 1, w.createdAt, w.ScheduleTimezone ?? "UTC");
  while (t !== null && t < end && out.length < MAX_SCHEDULED) {
    out.push(t);
    t = nextFire(expr, t, w.createdAt, w.ScheduleTimezone ?? "UTC");
  }
  return out;
}

async function windowsFor(ctx: RequestContext, input: DescribeMaintenanceWindowScheduleRequest): Promise<WindowRecord[]> {
  if (input.WindowId !== undefined) return [await requireWindow(ctx, input.WindowId)];
  if (input.Targets === undefined) throw validation("Either WindowId or Targets must be specified.");
  const out: WindowRecord[] = [];
  for await (const e of ctx.store.list<WindowRecord>({ prefix: ["mw"] })) {
    const targets = await windowTargets(ctx, e.value.WindowId);
    const hit = targets.some((t) => (input.ResourceType ?? "INSTANCE") === t.ResourceType &&
      (input.Targets as { Key: string; Values: string[] }[]).every((x) => t.Targets.some((y) => y.Key === x.Key && x.Values.every((v) => y.Values.includes(v)))));
    if (hit) out.push(e.value);
  }
  return out;
}

export const maintenanceWindowExecutionHandlers: Record<string, Handler> = {
  async DescribeMaintenanceWindowExecutions(input, ctx) {
    await requireWindow(ctx, input.WindowId);
    return { WindowExecutions: [] };
  },
  async GetMaintenanceWindowExecution(input) {
    throw noExecution(input.WindowExecutionId);
  },
  async DescribeMaintenanceWindowExecutionTasks(input) {
    throw noExecution(input.WindowExecutionId);
  },
  async GetMaintenanceWindowExecutionTask(input) {
    throw noExecution(input.WindowExecutionId);
  },
  async DescribeMaintenanceWindowExecutionTaskInvocations(input) {
    throw noExecution(input.WindowExecutionId);
  },
  async GetMaintenanceWindowExecutionTaskInvocation(input) {
    throw noExecution(input.WindowExecutionId);
  },
  async CancelMaintenanceWindowExecution(input) {
    throw noExecution(input.WindowExecutionId);
  },

  async DescribeMaintenanceWindowSchedule(input, ctx) {
    const now = ctx.clock.now();
    let from = now;
    let to = now + HORIZON_MS;
    for (const f of (input.Filters ?? []) as { Key: string; Values?: string[] }[]) {
      const at = Date.parse(f.Values?.[0] ?? "");
      if (Number.isNaN(at)) throw validation(`Invalid value for filter ${f.Key}: ${f.Values?.[0]}`);
      if (f.Key === "ScheduledAfter") from = Math.max(from, at);
      else if (f.Key === "ScheduledBefore") to = Math.min(to, at);
      else throw validation(`Invalid filter key ${f.Key}. Valid keys: ScheduledBefore, ScheduledAfter.`);
    }
    const all: { WindowId: string; Name: string; ExecutionTime: string; at: number }[] = [];
    for (const w of await windowsFor(ctx, input)) {
      for (const at of fireTimes(w, from, to)) all.push({ WindowId: w.WindowId, Name: w.Name, ExecutionTime: new Date(at).toISOString(), at });
    }
    all.sort((a, b) => a.at - b.at);
    const { page, NextToken } = pageOf(all.map(({ at: _, ...x }) => x), input.MaxResults ?? 50, input.NextToken);
    return { ScheduledWindowExecutions: page, ...(NextToken ? { NextToken } : {}) };
  },
};
