/**
 * State Manager associations: CreateAssociation, CreateAssociationBatch, DescribeAssociation,
 * UpdateAssociation (a new version each time), DeleteAssociation, ListAssociations (filters),
 * ListAssociationVersions, DescribeAssociationExecutions, DescribeAssociationExecutionTargets,
 * StartAssociationsOnce, UpdateAssociationStatus.
 *
 * One record per association under `["association", associationId]` with every version. The
 * document must exist (`InvalidDocument`) and the parameters be its own (`InvalidParameters`);
 * schedules are `cron(...)`/`rate(...)` (at least 30 minutes) or `InvalidSchedule`. An
 * association names nodes by `InstanceId` or `Targets`: instance ids are nodes SSM does not
 * manage here (`InvalidInstanceId`); tag and resource-group targets match no node, so an
 * association is never applied: it stays `Pending` with no executions.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateAssociation.html
 * (and API_UpdateAssociation, API_ListAssociations, API_ListAssociationVersions, ...)
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { parseScheduleExpression } from "../../schedules/cron.ts";
import { loadDocument, pick } from "./documents.ts";
import { defined, pageOf, type Tag } from "./paging.ts";
import type { CreateAssociationBatchRequestEntry, CreateAssociationRequest } from "../../generated/ssm.ts";

const SETTINGS = [
  "DocumentVersion", "Parameters", "Targets", "ScheduleExpression", "OutputLocation", "AssociationName", "AutomationTargetParameterName",
  "MaxErrors", "MaxConcurrency", "ComplianceSeverity", "SyncCompliance", "ApplyOnlyAtCronInterval", "CalendarNames", "TargetLocations",
  "ScheduleOffset", "Duration", "TargetMaps", "AlarmConfiguration", "AssociationDispatchAssumeRole",
] as const;

interface AssociationVersion {
  version: number;
  createdAt: number;
  Name: string;
  settings: Record<string, unknown>;
}

interface AssociationRecord {
  AssociationId: string;
  createdAt: number;
  versions: AssociationVersion[];
  tags: Tag[];
}

const key = (id: string) => ["association", id];
const notFound = () => new AwsError("AssociationDoesNotExist", "The specified association does not exist.", 400);
const latest = (a: AssociationRecord) => a.versions[a.versions.length - 1]!;

async function check(ctx: RequestContext, name: string, s: Record<string, unknown>, instanceId?: string): Promise<void> {
  const doc = await loadDocument(ctx, name);
  if (!doc) throw new AwsError("InvalidDocument", "The specified document does not exist.", 400);
  const v = pick(doc, s.DocumentVersion as string | undefined);
  if (!["Command", "Policy", "Automation"].includes(doc.type)) {
    throw new AwsError("InvalidDocument", `Document ${doc.name} of type ${doc.type} can't be used for an association.`, 400);
  }
  if (v.format === "JSON") {
    const declared = (JSON.parse(v.content).parameters ?? {}) as Record<string, { default?: unknown }>;
    const given = (s.Parameters ?? {}) as Record<string, unknown>;
    for (const p of Object.keys(given)) if (!(p in declared)) throw new AwsError("InvalidParameters", `Parameter "${p}" is not defined in the document.`, 400);
    if (doc.type !== "Automation") {
      for (const [p, d] of Object.entries(declared)) if (d?.default === undefined && !(p in given)) throw new AwsError("InvalidParameters", `Parameter "${p}" is required but was not provided.`, 400);
    }
  }
  if (s.ScheduleExpression !== undefined) {
    let ok = true;
    try {
      const expr = parseScheduleExpression(String(s.ScheduleExpression));
      if (expr.kind === "rate" && expr.ms < 30 * 60_000) ok = false;
    } catch {
      ok = false;
    }
    if (!ok) throw new AwsError("InvalidSchedule", `Schedule expression ${String(s.ScheduleExpression)} is not valid.`, 400);
  }
  if (s.ApplyOnlyAtCronInterval && s.ScheduleExpression === undefined) {
    throw new AwsError("InvalidSchedule", "ApplyOnlyAtCronInterval needs a ScheduleExpression.", 400);
  }
  const targets = (s.Targets ?? []) as { Key: string; Values: string[] }[];
  if (instanceId !== undefined && targets.length) throw new AwsError("InvalidTarget", "InstanceId and Targets can't be specified together.", 400);
  if (instanceId === undefined && !targets.length && doc.type !== "Automation") throw new AwsError("InvalidTarget", "Targets must be specified.", 400);
  const ids = [...(instanceId ? [instanceId] : []), ...targets.filter((t) => t.Key === "InstanceIds" && !t.Values.includes("*")).flatMap((t) => t.Values)];
  if (ids.length) throw new AwsError("InvalidInstanceId", `Instances [[${ids.join(", ")}]] not in a valid state for account ${ctx.accountId}`, 400);
  for (const t of targets) {
    if (!(t.Key === "InstanceIds" || t.Key === "tag-key" || t.Key.startsWith("tag:") || t.Key.startsWith("resource-groups:") || t.Key === "ParameterValues" || t.Key === "ResourceGroup")) {
      throw new AwsError("InvalidTarget", `Target key ${t.Key} is not valid.`, 400);
    }
  }
}

function description(a: AssociationRecord, v: AssociationVersion = latest(a)): Record<string, unknown> {
  return defined({
    Name: v.Name,
    AssociationVersion: String(v.version),
    Date: new Date(a.createdAt),
    LastUpdateAssociationDate: new Date(v.createdAt),
    Overview: { Status: "Pending", DetailedStatus: "Pending", AssociationStatusAggregatedCount: {} },
    AssociationId: a.AssociationId,
    ...v.settings,
    DocumentVersion: (v.settings.DocumentVersion as string | undefined) ?? "$DEFAULT",
  });
}

async function create(ctx: RequestContext, input: CreateAssociationRequest | CreateAssociationBatchRequestEntry): Promise<AssociationRecord> {
  const settings = defined(Object.fromEntries(SETTINGS.map((f) => [f, (input as unknown as Record<string, unknown>)[f]]))) as Record<string, unknown>;
  await check(ctx, input.Name, settings, input.InstanceId);
  if (input.AssociationName !== undefined) {
    for await (const e of ctx.store.list<AssociationRecord>({ prefix: ["association"] })) {
      if (latest(e.value).settings.AssociationName === input.AssociationName) {
        throw new AwsError("AssociationAlreadyExists", "The specified association already exists.", 400);
      }
    }
  }
  const now = ctx.clock.now();
  const a: AssociationRecord = { AssociationId: crypto.randomUUID(), createdAt: now, versions: [{ version: 1, createdAt: now, Name: input.Name, settings }], tags: ("Tags" in input ? input.Tags : undefined) ?? [] };
  await ctx.store.set(key(a.AssociationId), a);
  return a;
}

async function find(ctx: RequestContext, input: { AssociationId?: string; InstanceId?: string }): Promise<AssociationRecord> {
  if (input.AssociationId !== undefined) {
    const a = (await ctx.store.get<AssociationRecord>(key(input.AssociationId))).value;
    if (!a) throw notFound();
    return a;
  }
  if (input.InstanceId !== undefined) throw new AwsError("InvalidInstanceId", `Instances [[${input.InstanceId}]] not in a valid state for account ${ctx.accountId}`, 400);
  throw new AwsError("AssociationDoesNotExist", "The specified association does not exist. Specify an AssociationId, or a Name and InstanceId.", 400);
}

export const associationHandlers: Record<string, Handler> = {
  async CreateAssociation(input, ctx) {
    return { AssociationDescription: description(await create(ctx, input)) };
  },

  async CreateAssociationBatch(input, ctx) {
    const Successful: Record<string, unknown>[] = [];
    const Failed: Record<string, unknown>[] = [];
    for (const entry of input.Entries as CreateAssociationBatchRequestEntry[]) {
      try {
        Successful.push(description(await create(ctx, entry)));
      } catch (e) {
        if (!(e instanceof AwsError)) throw e;
        Failed.push({ Entry: entry, Message: e.message || e.code, Fault: "Client" });
      }
    }
    return { Successful, Failed };
  },

  async DescribeAssociation(input, ctx) {
    const a = await find(ctx, input);
    let v = latest(a);
    if (input.AssociationVersion !== undefined && input.AssociationVersion !== "$LATEST") {
      const found = a.versions.find((x) => String(x.version) === input.AssociationVersion);
      if (!found) throw new AwsError("InvalidAssociationVersion", `Association version ${input.AssociationVersion} doesn't exist.`, 400);
      v = found;
    }
    return { AssociationDescription: description(a, v) };
  },

  async UpdateAssociation(input, ctx) {
    const a = await find(ctx, input);
    const last = latest(a);
    if (input.AssociationVersion !== undefined && input.AssociationVersion !== "$LATEST" && input.AssociationVersion !== String(last.version)) {
      throw new AwsError("InvalidAssociationVersion", `Association version ${input.AssociationVersion} is not the latest version (${last.version}).`, 400);
    }
    const settings = { ...last.settings };
    for (const f of SETTINGS) if (input[f] !== undefined) settings[f] = input[f];
    const name: string = input.Name ?? last.Name;
    await check(ctx, name, settings);
    if (input.AssociationName !== undefined && input.AssociationName !== last.settings.AssociationName) {
      for await (const e of ctx.store.list<AssociationRecord>({ prefix: ["association"] })) {
        if (e.value.AssociationId !== a.AssociationId && latest(e.value).settings.AssociationName === input.AssociationName) {
          throw new AwsError("AssociationAlreadyExists", "The specified association already exists.", 400);
        }
      }
    }
    const updated: AssociationRecord = { ...a, versions: [...a.versions, { version: last.version + 1, createdAt: ctx.clock.now(), Name: name, settings }] };
    await ctx.store.set(key(a.AssociationId), updated);
    return { AssociationDescription: description(updated) };
  },

  async DeleteAssociation(input, ctx) {
    const a = await find(ctx, input);
    await ctx.store.delete(key(a.AssociationId));
    return {};
  },

  async ListAssociations(input, ctx) {
    const filters: { key: string; value: string }[] = input.AssociationFilterList ?? [];
    const all: Record<string, unknown>[] = [];
    for await (const e of ctx.store.list<AssociationRecord>({ prefix: ["association"] })) {
      const a = e.value;
      const v = latest(a);
      const ok = filters.every((f) => {
        switch (f.key) {
          case "Name": return v.Name === f.value;
          case "AssociationId": return a.AssociationId === f.value;
          case "AssociationName": return v.settings.AssociationName === f.value;
          case "AssociationStatusName": return f.value === "Pending";
          case "InstanceId": return false;
          case "LastExecutedBefore": case "LastExecutedAfter": return false;
          case "ResourceGroupName": return ((v.settings.Targets ?? []) as { Key: string; Values: string[] }[]).some((t) => t.Key === "resource-groups:Name" && t.Values.includes(f.value));
          default: throw new AwsError("InvalidFilterKey", `The filter key ${f.key} is not valid.`, 400);
        }
      });
      if (!ok) continue;
      const d = description(a, v);
      all.push(defined({
        Name: d.Name, AssociationId: d.AssociationId, AssociationVersion: d.AssociationVersion, DocumentVersion: d.DocumentVersion, Targets: d.Targets,
        Overview: d.Overview, ScheduleExpression: d.ScheduleExpression, AssociationName: d.AssociationName, ScheduleOffset: d.ScheduleOffset,
        Duration: d.Duration, TargetMaps: d.TargetMaps,
      }));
    }
    const { page, NextToken } = pageOf(all, input.MaxResults ?? 50, input.NextToken);
    return { Associations: page, ...(NextToken ? { NextToken } : {}) };
  },

  async ListAssociationVersions(input, ctx) {
    const a = await find(ctx, input);
    const all = a.versions.map((v) => defined({ AssociationId: a.AssociationId, AssociationVersion: String(v.version), CreatedDate: new Date(v.createdAt), Name: v.Name, ...v.settings }));
    const { page, NextToken } = pageOf(all, input.MaxResults ?? 50, input.NextToken);
    return { AssociationVersions: page, ...(NextToken ? { NextToken } : {}) };
  },

  async DescribeAssociationExecutions(input, ctx) {
    await find(ctx, input);
    return { AssociationExecutions: [] };
  },

  async DescribeAssociationExecutionTargets(input, ctx) {
    await find(ctx, input);
    throw new AwsError("AssociationExecutionDoesNotExist", `Association execution ${input.ExecutionId} doesn't exist.`, 400);
  },

  async StartAssociationsOnce(input, ctx) {
    for (const id of input.AssociationIds as string[]) {
      if (!(await ctx.store.get(key(id))).value) throw new AwsError("InvalidAssociation", `Association ${id} doesn't exist.`, 400);
    }
    // Its targets match no node: there is nothing to run.
    return {};
  },

  async UpdateAssociationStatus(input, ctx) {
    throw new AwsError("InvalidInstanceId", `Instances [[${input.InstanceId}]] not in a valid state for account ${ctx.accountId}`, 400);
  },
};
