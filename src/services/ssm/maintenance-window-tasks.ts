/**
 * Maintenance window tasks: RegisterTaskWithMaintenanceWindow, GetMaintenanceWindowTask,
 * DescribeMaintenanceWindowTasks, UpdateMaintenanceWindowTask and
 * DeregisterTaskFromMaintenanceWindow.
 *
 * One record per task under `["mwtask", windowId, windowTaskId]` (ids are UUIDs). Task types
 * RUN_COMMAND, AUTOMATION, STEP_FUNCTIONS, LAMBDA; targets are `WindowTargetIds` (registered
 * targets of the window) or `InstanceIds`; RUN_COMMAND needs targets, and a task with targets
 * needs MaxConcurrency and MaxErrors. At most 20 tasks per window.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_RegisterTaskWithMaintenanceWindow.html
 * (and API_GetMaintenanceWindowTask, API_DescribeMaintenanceWindowTasks,
 * API_UpdateMaintenanceWindowTask, API_DeregisterTaskFromMaintenanceWindow)
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { requireWindow } from "./maintenance-windows.ts";
import { targetKey, type Target } from "./maintenance-window-targets.ts";
import { defined, doesNotExist, pageOf, validation } from "./paging.ts";

export interface TaskRecord {
  WindowId: string;
  WindowTaskId: string;
  TaskArn: string;
  TaskType: string;
  Targets?: Target[];
  ServiceRoleArn?: string;
  TaskParameters?: Record<string, unknown>;
  TaskInvocationParameters?: Record<string, unknown>;
  Priority: number;
  MaxConcurrency?: string;
  MaxErrors?: string;
  LoggingInfo?: Record<string, unknown>;
  Name?: string;
  Description?: string;
  CutoffBehavior?: string;
  AlarmConfiguration?: Record<string, unknown>;
  clientToken?: string;
}

const MAX_TASKS = 20;
const taskKey = (windowId: string, id: string) => ["mwtask", windowId, id];
const FIELDS = [
  "TaskArn", "Targets", "ServiceRoleArn", "TaskParameters", "TaskInvocationParameters", "Priority", "MaxConcurrency", "MaxErrors",
  "LoggingInfo", "Name", "Description", "CutoffBehavior", "AlarmConfiguration",
] as const;

async function check(ctx: RequestContext, t: TaskRecord): Promise<void> {
  const targets = t.Targets ?? [];
  if (t.TaskType === "RUN_COMMAND" && targets.length === 0) {
    throw validation("Targets must be specified for maintenance window Run Command-type tasks.");
  }
  for (const target of targets) {
    if (target.Key === "WindowTargetIds") {
      for (const id of target.Values) {
        if (!(await ctx.store.get(targetKey(t.WindowId, id))).value) throw doesNotExist(`Maintenance window target ${id} does not exist`);
      }
    } else if (target.Key === "InstanceIds") {
      for (const id of target.Values) if (!/^(i|mi)-[0-9a-f]{8,17}$/.test(id)) throw validation(`Invalid instance id ${id}.`);
    } else {
      throw validation(`Invalid target key ${target.Key}: a task's targets are WindowTargetIds or InstanceIds.`);
    }
  }
  if (targets.length > 0 && (t.MaxConcurrency === undefined || t.MaxErrors === undefined)) {
    throw validation("MaxConcurrency and MaxErrors are required for a task with targets.");
  }
  if (t.TaskType === "LAMBDA" && !/^arn:aws[a-z-]*:lambda:/.test(t.TaskArn)) throw validation(`TaskArn ${t.TaskArn} is not a Lambda function ARN.`);
  if (t.TaskType === "STEP_FUNCTIONS" && !/^arn:aws[a-z-]*:states:/.test(t.TaskArn)) throw validation(`TaskArn ${t.TaskArn} is not a Step Functions state machine ARN.`);
}

async function requireTask(ctx: RequestContext, windowId: string, id: string): Promise<TaskRecord> {
  await requireWindow(ctx, windowId);
  const t = (await ctx.store.get<TaskRecord>(taskKey(windowId, id))).value;
  if (!t) throw doesNotExist(`Maintenance window task ${id} does not exist`);
  return t;
}

export async function windowTasks(ctx: RequestContext, windowId: string): Promise<TaskRecord[]> {
  const out: TaskRecord[] = [];
  for await (const e of ctx.store.list<TaskRecord>({ prefix: ["mwtask", windowId] })) out.push(e.value);
  return out.sort((a, b) => a.Priority - b.Priority);
}

function full(t: TaskRecord): Record<string, unknown> {
  const { clientToken: _, ...rest } = t;
  return defined(rest as unknown as Record<string, unknown>);
}

export const maintenanceWindowTaskHandlers: Record<string, Handler> = {
  async RegisterTaskWithMaintenanceWindow(input, ctx) {
    const w = await requireWindow(ctx, input.WindowId);
    const existing = await windowTasks(ctx, w.WindowId);
    if (input.ClientToken !== undefined) {
      const same = existing.find((t) => t.clientToken === input.ClientToken);
      if (same) {
        if (same.TaskArn !== input.TaskArn || same.TaskType !== input.TaskType) {
          throw new AwsError("IdempotentParameterMismatch", "Error while registering the task. The client token has already been used with different parameters.", 400);
        }
        return { WindowTaskId: same.WindowTaskId };
      }
    }
    if (existing.length >= MAX_TASKS) throw new AwsError("ResourceLimitExceededException", `Maintenance window ${w.WindowId} already has the maximum number of tasks (${MAX_TASKS}).`, 400);
    const t: TaskRecord = defined({
      WindowId: w.WindowId,
      WindowTaskId: crypto.randomUUID(),
      TaskType: input.TaskType,
      Priority: input.Priority ?? 1,
      ...Object.fromEntries(FIELDS.filter((f) => f !== "Priority" && input[f] !== undefined).map((f) => [f, input[f]])),
      CutoffBehavior: input.CutoffBehavior ?? "CONTINUE_TASK",
      clientToken: input.ClientToken,
    } as TaskRecord);
    await check(ctx, t);
    await ctx.store.set(taskKey(t.WindowId, t.WindowTaskId), t);
    return { WindowTaskId: t.WindowTaskId };
  },

  async GetMaintenanceWindowTask(input, ctx) {
    return full(await requireTask(ctx, input.WindowId, input.WindowTaskId));
  },

  async DescribeMaintenanceWindowTasks(input, ctx) {
    await requireWindow(ctx, input.WindowId);
    const filters: { Key: string; Values?: string[] }[] = input.Filters ?? [];
    const all = (await windowTasks(ctx, input.WindowId)).filter((t) => filters.every((f) => {
      const values = f.Values ?? [];
      if (f.Key === "WindowTaskId") return values.includes(t.WindowTaskId);
      if (f.Key === "TaskArn") return values.includes(t.TaskArn);
      if (f.Key === "Type" || f.Key === "TaskType") return values.includes(t.TaskType);
      throw validation(`Invalid filter key ${f.Key}. Valid keys: WindowTaskId, TaskArn, Type.`);
    }));
    const { page, NextToken } = pageOf(all, input.MaxResults ?? 10, input.NextToken);
    return {
      Tasks: page.map((t) => {
        const { TaskType, TaskInvocationParameters: _, ...rest } = full(t) as Record<string, unknown>;
        return { ...rest, Type: TaskType };
      }),
      ...(NextToken ? { NextToken } : {}),
    };
  },

  async UpdateMaintenanceWindowTask(input, ctx) {
    const t = await requireTask(ctx, input.WindowId, input.WindowTaskId);
    const next: Record<string, unknown> = input.Replace
      ? { WindowId: t.WindowId, WindowTaskId: t.WindowTaskId, TaskType: t.TaskType, TaskArn: t.TaskArn, Priority: 1, CutoffBehavior: "CONTINUE_TASK", clientToken: t.clientToken }
      : { ...t };
    for (const f of FIELDS) if (input[f] !== undefined) next[f] = input[f];
    const updated = defined(next) as unknown as TaskRecord;
    await check(ctx, updated);
    await ctx.store.set(taskKey(t.WindowId, t.WindowTaskId), updated);
    const { TaskType: _, ...out } = full(updated) as Record<string, unknown>;
    return out;
  },

  async DeregisterTaskFromMaintenanceWindow(input, ctx) {
    await requireTask(ctx, input.WindowId, input.WindowTaskId);
    await ctx.store.delete(taskKey(input.WindowId, input.WindowTaskId));
    return { WindowId: input.WindowId, WindowTaskId: input.WindowTaskId };
  },
};
