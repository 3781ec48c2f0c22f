/**
 * Maintenance window targets: RegisterTargetWithMaintenanceWindow, DescribeMaintenanceWindowTargets,
 * UpdateMaintenanceWindowTarget, DeregisterTargetFromMaintenanceWindow and
 * DescribeMaintenanceWindowsForTarget.
 *
 * One record per target under `["mwtarget", windowId, windowTargetId]` (ids are UUIDs). Targets
 * are `InstanceIds`, `tag:<key>` or `tag-key` for `INSTANCE`, `resource-groups:Name` (and
 * `resource-groups:ResourceTypeFilters`) for `RESOURCE_GROUP`; at most 100 per window
 * (`ResourceLimitExceededException`). Deregistering with `Safe` a target a task uses is
 * `TargetInUseException`.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_RegisterTargetWithMaintenanceWindow.html
 * (and API_DescribeMaintenanceWindowTargets, API_UpdateMaintenanceWindowTarget,
 * API_DeregisterTargetFromMaintenanceWindow, API_DescribeMaintenanceWindowsForTarget)
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { requireWindow, type WindowRecord } from "./maintenance-windows.ts";
import { defined, doesNotExist, pageOf, validation } from "./paging.ts";

export interface Target {
  Key: string;
  Values: string[];
}

export interface TargetRecord {
  WindowId: string;
  WindowTargetId: string;
  ResourceType: "INSTANCE" | "RESOURCE_GROUP";
  Targets: Target[];
  OwnerInformation?: string;
  Name?: string;
  Description?: string;
  clientToken?: string;
}

const MAX_TARGETS = 100;
export const targetKey = (windowId: string, id: string) => ["mwtarget", windowId, id];

/** Targets as SSM accepts them for a resource type (Key forms, at least one value). */
export function checkTargets(targets: Target[], resourceType: string = "INSTANCE"): void {
  for (const t of targets) {
    const ok = resourceType === "RESOURCE_GROUP"
      ? t.Key === "resource-groups:Name" || t.Key === "resource-groups:ResourceTypeFilters"
      : t.Key === "InstanceIds" || t.Key === "tag-key" || /^tag:.+/.test(t.Key) || t.Key === "WindowTargetIds" || t.Key === "ParameterValues" || t.Key === "ResourceGroup" || t.Key.startsWith("resource-groups:");
    if (!ok) throw validation(`Invalid target key ${t.Key} for resource type ${resourceType}.`);
    if (!t.Values?.length) throw validation(`Target ${t.Key} needs at least one value.`);
    if (t.Key === "InstanceIds") {
      for (const v of t.Values) if (!/^(i|mi)-[0-9a-f]{8,17}$/.test(v)) throw validation(`Invalid instance id ${v}.`);
    }
  }
  if (resourceType === "RESOURCE_GROUP" && !targets.some((t) => t.Key === "resource-groups:Name")) {
    throw validation("A resource-groups:Name target is required for the RESOURCE_GROUP resource type.");
  }
}

export async function windowTargets(ctx: RequestContext, windowId: string): Promise<TargetRecord[]> {
  const out: TargetRecord[] = [];
  for await (const e of ctx.store.list<TargetRecord>({ prefix: ["mwtarget", windowId] })) out.push(e.value);
  return out;
}

async function requireTarget(ctx: RequestContext, windowId: string, id: string): Promise<TargetRecord> {
  await requireWindow(ctx, windowId);
  const t = (await ctx.store.get<TargetRecord>(targetKey(windowId, id))).value;
  if (!t) throw doesNotExist(`Maintenance window target ${id} does not exist`);
  return t;
}

function view(t: TargetRecord): Record<string, unknown> {
  return defined({
    WindowId: t.WindowId, WindowTargetId: t.WindowTargetId, ResourceType: t.ResourceType, Targets: t.Targets,
    OwnerInformation: t.OwnerInformation, Name: t.Name, Description: t.Description,
  });
}

const sameTargets = (a: Target[], b: Target[]) =>
  a.length === b.length && a.every((x) => b.some((y) => y.Key === x.Key && y.Values.length === x.Values.length && y.Values.every((v) => x.Values.includes(v))));

export const maintenanceWindowTargetHandlers: Record<string, Handler> = {
  async RegisterTargetWithMaintenanceWindow(input, ctx) {
    await requireWindow(ctx, input.WindowId);
    const existing = await windowTargets(ctx, input.WindowId);
    if (input.ClientToken !== undefined) {
      const same = existing.find((t) => t.clientToken === input.ClientToken);
      if (same) {
        if (same.ResourceType !== input.ResourceType || !sameTargets(same.Targets, input.Targets)) {
          throw new AwsError("IdempotentParameterMismatch", "Error while creating the target. The client token has already been used with different parameters.", 400);
        }
        return { WindowTargetId: same.WindowTargetId };
      }
    }
    checkTargets(input.Targets, input.ResourceType);
    if (existing.length >= MAX_TARGETS) {
      throw new AwsError("ResourceLimitExceededException", `Maintenance window ${input.WindowId} already has the maximum number of targets (${MAX_TARGETS}).`, 400);
    }
    const t: TargetRecord = defined({
      WindowId: input.WindowId,
      WindowTargetId: crypto.randomUUID(),
      ResourceType: input.ResourceType,
      Targets: input.Targets.map((x: Target) => ({ Key: x.Key, Values: x.Values })),
      OwnerInformation: input.OwnerInformation,
      Name: input.Name,
      Description: input.Description,
      clientToken: input.ClientToken,
    });
    await ctx.store.set(targetKey(t.WindowId, t.WindowTargetId), t);
    return { WindowTargetId: t.WindowTargetId };
  },

  async DescribeMaintenanceWindowTargets(input, ctx) {
    await requireWindow(ctx, input.WindowId);
    const filters: { Key: string; Values?: string[] }[] = input.Filters ?? [];
    const all = (await windowTargets(ctx, input.WindowId)).filter((t) => filters.every((f) => {
      const values = f.Values ?? [];
      if (f.Key === "Type") return values.includes(t.ResourceType);
      if (f.Key === "WindowTargetId") return values.includes(t.WindowTargetId);
      if (f.Key === "OwnerInformation") return t.OwnerInformation !== undefined && values.includes(t.OwnerInformation);
      throw validation(`Invalid filter key ${f.Key}. Valid keys: Type, WindowTargetId, OwnerInformation.`);
    }));
    const { page, NextToken } = pageOf(all, input.MaxResults ?? 10, input.NextToken);
    return { Targets: page.map(view), ...(NextToken ? { NextToken } : {}) };
  },

  async UpdateMaintenanceWindowTarget(input, ctx) {
    const t = await requireTarget(ctx, input.WindowId, input.WindowTargetId);
    if (input.Replace && input.Targets === undefined) throw validation("Targets is required when Replace is true.");
    const next: TargetRecord = input.Replace
      ? defined({ ...t, OwnerInformation: input.OwnerInformation, Name: input.Name, Description: input.Description, Targets: input.Targets })
      : defined({
        ...t,
        ...(input.Targets !== undefined ? { Targets: input.Targets } : {}),
        ...(input.OwnerInformation !== undefined ? { OwnerInformation: input.OwnerInformation } : {}),
        ...(input.Name !== undefined ? { Name: input.Name } : {}),
        ...(input.Description !== undefined ? { Description: input.Description } : {}),
      });
    checkTargets(next.Targets, next.ResourceType);
    await ctx.store.set(targetKey(t.WindowId, t.WindowTargetId), next);
    const { ResourceType: _, ...out } = view(next);
    return out;
  },

  async DeregisterTargetFromMaintenanceWindow(input, ctx) {
    await requireTarget(ctx, input.WindowId, input.WindowTargetId);
    if (input.Safe) {
      for await (const e of ctx.store.list<{ Targets?: Target[]; WindowTaskId: string }>({ prefix: ["mwtask", input.WindowId] })) {
        if ((e.value.Targets ?? []).some((x) => x.Key === "WindowTargetIds" && x.Values.includes(input.WindowTargetId))) {
          throw new AwsError("TargetInUseException", `You specified the Safe option for the DeregisterTargetFromMaintenanceWindow operation, but the target is still referenced in a task (${e.value.WindowTaskId}).`, 400);
        }
      }
    }
    await ctx.store.delete(targetKey(input.WindowId, input.WindowTargetId));
    return { WindowId: input.WindowId, WindowTargetId: input.WindowTargetId };
  },

  async DescribeMaintenanceWindowsForTarget(input, ctx) {
    const wanted: Target[] = input.Targets;
    const out: { WindowId: string; Name: string }[] = [];
    for await (const e of ctx.store.list<WindowRecord>({ prefix: ["mw"] })) {
      const w = e.value;
      const targets = await windowTargets(ctx, w.WindowId);
      const hit = targets.some((t) => t.ResourceType === input.ResourceType && wanted.every((x) => t.Targets.some((y) => y.Key === x.Key && x.Values.every((v) => y.Values.includes(v)))));
      if (hit) out.push({ WindowId: w.WindowId, Name: w.Name });
    }
    const { page, NextToken } = pageOf(out, input.MaxResults ?? 10, input.NextToken);
    return { WindowIdentities: page, ...(NextToken ? { NextToken } : {}) };
  },
};
