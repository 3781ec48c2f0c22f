/**
 * Patch Manager baselines and patch groups: Create/Get/Update/DeletePatchBaseline,
 * DescribePatchBaselines (filters `NAME_PREFIX`, `OWNER`, `OPERATING_SYSTEM`),
 * Get/RegisterDefaultPatchBaseline, Register/DeregisterPatchBaselineForPatchGroup,
 * GetPatchBaselineForPatchGroup, DescribePatchGroups, DescribePatchGroupState.
 *
 * The AWS predefined baselines (one default per operating system, e.g.
 * `AWS-AmazonLinux2DefaultPatchBaseline`, `AWS-DefaultPatchBaseline` for Windows) are data: their
 * ids are ARNs under an AWS-owned account, as DescribePatchBaselines shows AWS's; the hex part of
 * the id is fetchstack's own (stable per name and Region), not AWS's. They cannot be updated or
 * deleted. Custom baselines are `pb-` + 17 hex under `["baseline", id]`; the default per
 * operating system under `["defaultbaseline", os]`, patch groups under `["patchgroup", group]`.
 * A baseline that is a default or has patch groups can't be deleted (`ResourceInUseException`).
 * With no managed nodes, DescribePatchGroupState counts zero nodes.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreatePatchBaseline.html
 * and https://docs.aws.amazon.com/systems-manager/latest/userguide/patch-manager-predefined-and-custom-patch-baselines.html
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { partitionOf } from "../../util/partition.ts";
import { defined, doesNotExist, hexId, pageOf, validation } from "./paging.ts";

export interface Baseline {
  BaselineId: string;
  Name: string;
  OperatingSystem: string;
  Description?: string;
  GlobalFilters?: { PatchFilters: { Key: string; Values: string[] }[] };
  ApprovalRules?: { PatchRules: Record<string, unknown>[] };
  ApprovedPatches?: string[];
  ApprovedPatchesComplianceLevel?: string;
  ApprovedPatchesEnableNonSecurity?: boolean;
  RejectedPatches?: string[];
  RejectedPatchesAction?: string;
  Sources?: Record<string, unknown>[];
  AvailableSecurityUpdatesComplianceStatus?: string;
  CreatedDate: number;
  ModifiedDate: number;
  owner?: "AWS";
  clientToken?: string;
  tags?: { Key: string; Value: string }[];
}

const AWS_ACCOUNT = "075727635805";
const FIELDS = [
  "Name", "Description", "GlobalFilters", "ApprovalRules", "ApprovedPatches", "ApprovedPatchesComplianceLevel", "ApprovedPatchesEnableNonSecurity",
  "RejectedPatches", "RejectedPatchesAction", "Sources", "AvailableSecurityUpdatesComplianceStatus",
] as const;
const rule = (filters: [string, string[]][], days = 7, level = "UNSPECIFIED") => ({
  PatchFilterGroup: { PatchFilters: filters.map(([Key, Values]) => ({ Key, Values })) }, ComplianceLevel: level, ApproveAfterDays: days, EnableNonSecurity: false,
});
const linux = (classes: string[], severities: string[]) => ({ PatchRules: [rule([["PRODUCT", ["*"]], ["CLASSIFICATION", classes], ["SEVERITY", severities]])] });
const PREDEFINED: [string, string, string, { PatchRules: Record<string, unknown>[] }][] = [
  ["WINDOWS", "AWS-DefaultPatchBaseline", "Default Patch Baseline Provided by AWS.", { PatchRules: [rule([["PRODUCT", ["*"]], ["CLASSIFICATION", ["CriticalUpdates", "SecurityUpdates"]], ["MSRC_SEVERITY", ["Critical", "Important"]]])] }],
  ["AMAZON_LINUX", "AWS-AmazonLinuxDefaultPatchBaseline", "Default Patch Baseline for Amazon Linux Provided by AWS.", linux(["Security"], ["Critical", "Important"])],
  ["AMAZON_LINUX_2", "AWS-AmazonLinux2DefaultPatchBaseline", "Default Patch Baseline for Amazon Linux 2 Provided by AWS.", linux(["Security", "Bugfix"], ["Critical", "Important"])],
  ["AMAZON_LINUX_2022", "AWS-AmazonLinux2022DefaultPatchBaseline", "Default Patch Baseline for Amazon Linux 2022 Provided by AWS.", linux(["Security", "Bugfix"], ["Critical", "Important"])],
  ["AMAZON_LINUX_2023", "AWS-AmazonLinux2023DefaultPatchBaseline", "Default Patch Baseline for Amazon Linux 2023 Provided by AWS.", linux(["Security", "Bugfix"], ["Critical", "Important"])],
  ["UBUNTU", "AWS-UbuntuDefaultPatchBaseline", "Default Patch Baseline for Ubuntu Provided by AWS.", { PatchRules: [rule([["PRODUCT", ["*"]], ["PRIORITY", ["Required", "Important", "Standard", "Optional", "Extra"]]], 7)] }],
  ["REDHAT_ENTERPRISE_LINUX", "AWS-RedHatDefaultPatchBaseline", "Default Patch Baseline for Redhat Enterprise Linux Provided by AWS.", linux(["Security", "Bugfix"], ["Critical", "Important"])],
  ["SUSE", "AWS-SuseDefaultPatchBaseline", "Default Patch Baseline for Suse Provided by AWS.", linux(["Security", "Recommended"], ["Critical", "Important"])],
  ["CENTOS", "AWS-CentOSDefaultPatchBaseline", "Default Patch Baseline for CentOS Provided by AWS.", linux(["*"], ["*"])],
  ["ORACLE_LINUX", "AWS-OracleLinuxDefaultPatchBaseline", "Default Patch Baseline for Oracle Linux Server Provided by AWS.", linux(["Security", "Bugfix"], ["Important", "Moderate"])],
  ["DEBIAN", "AWS-DebianDefaultPatchBaseline", "Default Patch Baseline for Debian Provided by AWS.", { PatchRules: [rule([["PRODUCT", ["*"]], ["PRIORITY", ["Required", "Important"]]], 7)] }],
  ["MACOS", "AWS-MacOSDefaultPatchBaseline", "Default Patch Baseline for MacOS Provided by AWS.", { PatchRules: [rule([["PRODUCT", ["*"]], ["CLASSIFICATION", ["*"]]], 7)] }],
  ["RASPBIAN", "AWS-RaspbianDefaultPatchBaseline", "Default Patch Baseline for Raspbian Provided by AWS.", { PatchRules: [rule([["PRODUCT", ["*"]], ["PRIORITY", ["Required", "Important"]]], 7)] }],
  ["ROCKY_LINUX", "AWS-RockyLinuxDefaultPatchBaseline", "Default Patch Baseline for Rocky Linux Provided by AWS.", linux(["Security", "Bugfix"], ["Critical", "Important"])],
  ["ALMA_LINUX", "AWS-AlmaLinuxDefaultPatchBaseline", "Default Patch Baseline for Alma Linux Provided by AWS.", linux(["Security", "Bugfix"], ["Critical", "Important"])],
];
const CREATED = Date.UTC(2018, 0, 1);

function predefined(ctx: RequestContext): Baseline[] {
  return PREDEFINED.map(([os, name, description, rules]) => ({
    BaselineId: `arn:${partitionOf(ctx.region)}:ssm:${ctx.region}:${AWS_ACCOUNT}:patchbaseline/pb-${bytesToHex(sha256(new TextEncoder().encode(`${name}/${ctx.region}`))).slice(0, 17)}`,
    Name: name, OperatingSystem: os, Description: description,
    GlobalFilters: { PatchFilters: [] }, ApprovalRules: rules, ApprovedPatches: [], ApprovedPatchesComplianceLevel: "UNSPECIFIED",
    ApprovedPatchesEnableNonSecurity: false, RejectedPatches: [], RejectedPatchesAction: "ALLOW_AS_DEPENDENCY", Sources: [],
    AvailableSecurityUpdatesComplianceStatus: "NON_COMPLIANT", CreatedDate: CREATED, ModifiedDate: CREATED, owner: "AWS",
  }));
}

/** A baseline by id (custom `pb-...`, or a predefined one's ARN or `pb-...` part). */
export async function loadBaseline(ctx: RequestContext, id: string): Promise<Baseline | null> {
  const own = (await ctx.store.get<Baseline>(["baseline", id])).value;
  if (own) return own;
  return predefined(ctx).find((b) => b.BaselineId === id || b.BaselineId.endsWith(`/${id}`)) ?? null;
}

async function requireBaseline(ctx: RequestContext, id: string): Promise<Baseline> {
  const b = await loadBaseline(ctx, id);
  if (!b) throw doesNotExist(`Patch Baseline ${id} does not exist.`);
  return b;
}

async function defaultFor(ctx: RequestContext, os: string): Promise<string> {
  const chosen = (await ctx.store.get<string>(["defaultbaseline", os])).value;
  return chosen ?? predefined(ctx).find((b) => b.OperatingSystem === os)!.BaselineId;
}

async function groupsOf(ctx: RequestContext, id: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of ctx.store.list<{ group: string; baselines: Record<string, string> }>({ prefix: ["patchgroup"] })) {
    if (Object.values(e.value.baselines).includes(id)) out.push(e.value.group);
  }
  return out;
}

function check(b: Baseline): void {
  for (const r of b.ApprovalRules?.PatchRules ?? []) {
    if ((r.ApproveAfterDays === undefined) === (r.ApproveUntilDate === undefined)) {
      throw validation("A patch rule needs exactly one of ApproveAfterDays and ApproveUntilDate.");
    }
  }
  if (b.OperatingSystem === "WINDOWS" && b.Sources?.length) throw validation("Sources are not supported for the WINDOWS operating system.");
}

async function full(ctx: RequestContext, b: Baseline): Promise<Record<string, unknown>> {
  const { owner: _, clientToken: __, tags: ___, ...rest } = b;
  return defined({ ...rest, CreatedDate: new Date(b.CreatedDate), ModifiedDate: new Date(b.ModifiedDate), PatchGroups: await groupsOf(ctx, b.BaselineId) });
}

export const patchBaselineHandlers: Record<string, Handler> = {
  async CreatePatchBaseline(input, ctx) {
    if (input.ClientToken !== undefined) {
      for await (const e of ctx.store.list<Baseline>({ prefix: ["baseline"] })) if (e.value.clientToken === input.ClientToken) return { BaselineId: e.value.BaselineId };
    }
    const now = ctx.clock.now();
    const b: Baseline = defined({
      BaselineId: `pb-${hexId(17)}`, OperatingSystem: input.OperatingSystem ?? "WINDOWS",
      ...Object.fromEntries(FIELDS.map((f) => [f, input[f]])),
      ApprovedPatches: input.ApprovedPatches ?? [], RejectedPatches: input.RejectedPatches ?? [],
      ApprovedPatchesComplianceLevel: input.ApprovedPatchesComplianceLevel ?? "UNSPECIFIED", ApprovedPatchesEnableNonSecurity: input.ApprovedPatchesEnableNonSecurity ?? false,
      RejectedPatchesAction: input.RejectedPatchesAction ?? "ALLOW_AS_DEPENDENCY", CreatedDate: now, ModifiedDate: now, clientToken: input.ClientToken, tags: input.Tags ?? [],
    } as Baseline);
    check(b);
    await ctx.store.set(["baseline", b.BaselineId], b);
    return { BaselineId: b.BaselineId };
  },

  async GetPatchBaseline(input, ctx) {
    return full(ctx, await requireBaseline(ctx, input.BaselineId));
  },

  async UpdatePatchBaseline(input, ctx) {
    const b = await requireBaseline(ctx, input.BaselineId);
    if (b.owner) throw validation(`The predefined baseline ${b.Name} can't be updated.`);
    const next: Record<string, unknown> = input.Replace
      ? { BaselineId: b.BaselineId, OperatingSystem: b.OperatingSystem, CreatedDate: b.CreatedDate, Name: b.Name, ApprovedPatches: [], RejectedPatches: [], ApprovedPatchesComplianceLevel: "UNSPECIFIED", ApprovedPatchesEnableNonSecurity: false, RejectedPatchesAction: "ALLOW_AS_DEPENDENCY" }
      : { ...b };
    for (const f of FIELDS) if (input[f] !== undefined) next[f] = input[f];
    next.ModifiedDate = ctx.clock.now();
    const updated = defined(next) as unknown as Baseline;
    check(updated);
    await ctx.store.set(["baseline", b.BaselineId], updated);
    const { PatchGroups: _, ...out } = await full(ctx, updated);
    return out;
  },

  async DeletePatchBaseline(input, ctx) {
    const b = await loadBaseline(ctx, input.BaselineId);
    if (!b) return { BaselineId: input.BaselineId };
    if (b.owner) throw validation(`The predefined baseline ${b.Name} can't be deleted.`);
    if ((await defaultFor(ctx, b.OperatingSystem)) === b.BaselineId) throw new AwsError("ResourceInUseException", `Patch baseline ${b.BaselineId} is the default baseline and can't be deleted.`, 400);
    if ((await groupsOf(ctx, b.BaselineId)).length) throw new AwsError("ResourceInUseException", `Patch baseline ${b.BaselineId} is registered with patch groups and can't be deleted.`, 400);
    await ctx.store.delete(["baseline", b.BaselineId]);
    return { BaselineId: b.BaselineId };
  },

  async DescribePatchBaselines(input, ctx) {
    const filters: { Key: string; Values: string[] }[] = input.Filters ?? [];
    const own: Baseline[] = [];
    for await (const e of ctx.store.list<Baseline>({ prefix: ["baseline"] })) own.push(e.value);
    const out: Record<string, unknown>[] = [];
    for (const b of [...predefined(ctx), ...own]) {
      const ok = filters.every((f) => {
        if (f.Key === "NAME_PREFIX") return f.Values.some((v) => b.Name.startsWith(v));
        if (f.Key === "OWNER") return f.Values.some((v) => v === "All" || (v === "AWS") === !!b.owner);
        if (f.Key === "OPERATING_SYSTEM") return f.Values.includes(b.OperatingSystem);
        throw validation(`Invalid filter key ${f.Key}. Valid keys: NAME_PREFIX, OWNER, OPERATING_SYSTEM.`);
      });
      if (ok) out.push(defined({ BaselineId: b.BaselineId, BaselineName: b.Name, OperatingSystem: b.OperatingSystem, BaselineDescription: b.Description, DefaultBaseline: (await defaultFor(ctx, b.OperatingSystem)) === b.BaselineId }));
    }
    const { page, NextToken } = pageOf(out, input.MaxResults ?? 100, input.NextToken);
    return { BaselineIdentities: page, ...(NextToken ? { NextToken } : {}) };
  },

  async GetDefaultPatchBaseline(input, ctx) {
    const os = input.OperatingSystem ?? "WINDOWS";
    return { BaselineId: await defaultFor(ctx, os), OperatingSystem: os };
  },

  async RegisterDefaultPatchBaseline(input, ctx) {
    const b = await requireBaseline(ctx, input.BaselineId);
    if (b.owner) await ctx.store.delete(["defaultbaseline", b.OperatingSystem]);
    else await ctx.store.set(["defaultbaseline", b.OperatingSystem], b.BaselineId);
    return { BaselineId: b.BaselineId };
  },

  async RegisterPatchBaselineForPatchGroup(input, ctx) {
    const b = await requireBaseline(ctx, input.BaselineId);
    const entry = (await ctx.store.get<{ group: string; baselines: Record<string, string> }>(["patchgroup", input.PatchGroup])).value ?? { group: input.PatchGroup as string, baselines: {} as Record<string, string> };
    if (entry.baselines[b.OperatingSystem]) {
      throw new AwsError("AlreadyExistsException", `Patch Group baseline already has a baseline registered for OperatingSystem ${b.OperatingSystem}.`, 400);
    }
    entry.baselines[b.OperatingSystem] = b.BaselineId;
    await ctx.store.set(["patchgroup", input.PatchGroup], entry);
    return { BaselineId: b.BaselineId, PatchGroup: input.PatchGroup };
  },

  async DeregisterPatchBaselineForPatchGroup(input, ctx) {
    const b = await requireBaseline(ctx, input.BaselineId);
    const entry = (await ctx.store.get<{ group: string; baselines: Record<string, string> }>(["patchgroup", input.PatchGroup])).value;
    if (!entry || entry.baselines[b.OperatingSystem] !== b.BaselineId) {
      throw doesNotExist(`Patch Baseline ${b.BaselineId} is not registered with patch group ${input.PatchGroup}.`);
    }
    delete entry.baselines[b.OperatingSystem];
    if (Object.keys(entry.baselines).length) await ctx.store.set(["patchgroup", input.PatchGroup], entry);
    else await ctx.store.delete(["patchgroup", input.PatchGroup]);
    return { BaselineId: b.BaselineId, PatchGroup: input.PatchGroup };
  },

  async GetPatchBaselineForPatchGroup(input, ctx) {
    const os = input.OperatingSystem ?? "WINDOWS";
    const entry = (await ctx.store.get<{ baselines: Record<string, string> }>(["patchgroup", input.PatchGroup])).value;
    return { BaselineId: entry?.baselines[os] ?? await defaultFor(ctx, os), PatchGroup: input.PatchGroup, OperatingSystem: os };
  },

  async DescribePatchGroups(input, ctx) {
    const out: Record<string, unknown>[] = [];
    for await (const e of ctx.store.list<{ group: string; baselines: Record<string, string> }>({ prefix: ["patchgroup"] })) {
      for (const id of Object.values(e.value.baselines)) {
        const b = await loadBaseline(ctx, id);
        if (!b) continue;
        out.push({ PatchGroup: e.value.group, BaselineIdentity: defined({ BaselineId: b.BaselineId, BaselineName: b.Name, OperatingSystem: b.OperatingSystem, BaselineDescription: b.Description, DefaultBaseline: (await defaultFor(ctx, b.OperatingSystem)) === b.BaselineId }) });
      }
    }
    const filters: { Key: string; Values: string[] }[] = input.Filters ?? [];
    const matching = out.filter((m) => filters.every((f) => {
      if (f.Key === "NAME_PREFIX") return f.Values.some((v) => String(m.PatchGroup).startsWith(v));
      if (f.Key === "OPERATING_SYSTEM") return f.Values.includes((m.BaselineIdentity as { OperatingSystem: string }).OperatingSystem);
      throw validation(`Invalid filter key ${f.Key}. Valid keys: NAME_PREFIX, OPERATING_SYSTEM.`);
    }));
    const { page, NextToken } = pageOf(matching, input.MaxResults ?? 50, input.NextToken);
    return { Mappings: page, ...(NextToken ? { NextToken } : {}) };
  },

  async DescribePatchGroupState() {
    // No managed nodes: every count is zero.
    return {
      Instances: 0, InstancesWithInstalledPatches: 0, InstancesWithInstalledOtherPatches: 0, InstancesWithInstalledPendingRebootPatches: 0,
      InstancesWithInstalledRejectedPatches: 0, InstancesWithMissingPatches: 0, InstancesWithFailedPatches: 0, InstancesWithNotApplicablePatches: 0,
      InstancesWithUnreportedNotApplicablePatches: 0, InstancesWithCriticalNonCompliantPatches: 0, InstancesWithSecurityNonCompliantPatches: 0,
      InstancesWithOtherNonCompliantPatches: 0, InstancesWithAvailableSecurityUpdates: 0,
    };
  },
};
