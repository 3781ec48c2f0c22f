/**
 * Change Manager: StartChangeRequestExecution, and the approval signals of a change request
 * (SendAutomationSignal `Approve` / `Reject`).
 *
 * A change request is an automation execution (`AutomationSubtype: ChangeRequest`, in
 * Get/DescribeAutomationExecutions) of a change template (`Automation.ChangeTemplate`, whose
 * version must have an `APPROVED` review, else `AutomationDefinitionNotApprovedException`) with
 * one runbook (an Automation document, JSON), plus an OpsItem of type `/aws/changerequest` that
 * mirrors its state. It starts `PendingApproval` (or approved at once with `AutoApprove`).
 * `Approve` makes it `Scheduled` until `ScheduledTime` (on the injectable clock; a timer re-armed
 * at setup after a restart) or runs it at once; `Reject` ends it `Rejected`. Running, the
 * runbook's steps run as the execution's steps (automation.ts), then the execution is `Success`
 * or `Failed` and the OpsItem `CompletedWithSuccess` / `CompletedWithFailure`. A signal to a
 * request that is not waiting for one is `InvalidAutomationSignalException`.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartChangeRequestExecution.html
 * and https://docs.aws.amazon.com/systems-manager/latest/userguide/change-requests.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, Handlers, RequestContext } from "../types.ts";
import type { Operations } from "../../generated/ssm.ts";
import { automationHandlers, executionForClientToken, run, type ExecutionRecord, type Step } from "./automation.ts";
import { loadDocument, pick } from "./documents.ts";
import { defined, hexId } from "./paging.ts";
import { partitionOf } from "../../util/partition.ts";

const key = (id: string) => ["automation", id];
const invalidParams = (m: string) => new AwsError("InvalidAutomationExecutionParametersException", m, 400);

interface ReviewedDoc {
  reviews?: Record<string, { ReviewStatus: string }[]>;
}

async function setOpsItemStatus(ctx: RequestContext, id: string | undefined, status: string): Promise<void> {
  if (!id) return;
  const item = (await ctx.store.get<Record<string, unknown>>(["opsitem", id])).value;
  if (item) await ctx.store.set(["opsitem", id], { ...item, Status: status, LastModifiedTime: ctx.clock.now(), Version: crypto.randomUUID() });
}

function timersOf(ctx: RequestContext) {
  return ctx.runtime("change-request-timers", () => ({ armed: new Set<string>(), scopes: new Set<string>() }));
}

/** Runs the approved request's runbook now, or arms its ScheduledTime timer. */
function schedule(ctx: RequestContext, e: ExecutionRecord): void {
  const wait = (e.ScheduledTime ?? 0) - ctx.clock.now();
  if (wait <= 0) {
    ctx.waitUntil(begin(ctx, e.AutomationExecutionId));
    return;
  }
  const t = timersOf(ctx);
  const armKey = `${ctx.accountId}/${ctx.region}/${e.AutomationExecutionId}`;
  if (t.armed.has(armKey)) return;
  t.armed.add(armKey);
  ctx.timers.setTimer(wait, () => {
    t.armed.delete(armKey);
    return begin(ctx, e.AutomationExecutionId);
  });
}

async function begin(ctx: RequestContext, id: string): Promise<void> {
  const e = (await ctx.store.get<ExecutionRecord>(key(id))).value;
  if (!e || (e.AutomationExecutionStatus !== "Scheduled" && e.AutomationExecutionStatus !== "Approved") || !e.pendingRun) return;
  const { steps, params, outputs } = e.pendingRun;
  await ctx.store.set(key(id), { ...e, AutomationExecutionStatus: "InProgress", pendingRun: undefined });
  await setOpsItemStatus(ctx, e.OpsItemId, "RunbookInProgress");
  await run(ctx, id, steps, params, outputs);
  const done = (await ctx.store.get<ExecutionRecord>(key(id))).value;
  if (done) await setOpsItemStatus(ctx, done.OpsItemId, done.AutomationExecutionStatus === "Success" ? "CompletedWithSuccess" : "CompletedWithFailure");
}

async function approve(ctx: RequestContext, e: ExecutionRecord): Promise<void> {
  const scheduled = e.ScheduledTime !== undefined && e.ScheduledTime > ctx.clock.now();
  const next: ExecutionRecord = { ...e, AutomationExecutionStatus: scheduled ? "Scheduled" : "Approved" };
  await ctx.store.set(key(e.AutomationExecutionId), next);
  await setOpsItemStatus(ctx, e.OpsItemId, scheduled ? "Scheduled" : "Approved");
  schedule(ctx, next);
}

/** Re-arms the scheduled change requests of this account and Region once per emulator (from setup). */
export async function ensureChangeRequestTimers(ctx: RequestContext): Promise<void> {
  const t = timersOf(ctx);
  const scope = `${ctx.accountId}/${ctx.region}`;
  if (t.scopes.has(scope)) return;
  t.scopes.add(scope);
  for await (const x of ctx.store.list<ExecutionRecord>({ prefix: ["automation"] })) {
    const e = x.value;
    if (e.AutomationSubtype === "ChangeRequest" && (e.AutomationExecutionStatus === "Scheduled" || e.AutomationExecutionStatus === "Approved")) schedule(ctx, e);
  }
}

const signalOther = automationHandlers.SendAutomationSignal as Handler;

export const changeRequestHandlers: Handlers<Operations> = {
  async StartChangeRequestExecution(input, ctx) {
    const earlier = await executionForClientToken(ctx, input.ClientToken);
    if (earlier) return { AutomationExecutionId: earlier };
    const template = await loadDocument(ctx, input.DocumentName);
    if (!template) throw new AwsError("AutomationDefinitionNotFoundException", `Document ${input.DocumentName} doesn't exist.`, 400);
    if (template.type !== "Automation.ChangeTemplate") throw invalidParams(`Document ${template.name} is of type ${template.type}, not Automation.ChangeTemplate.`);
    let templateVersion;
    try {
      templateVersion = pick(template, input.DocumentVersion);
    } catch {
      throw new AwsError("AutomationDefinitionVersionNotFoundException", `Version ${input.DocumentVersion} of ${template.name} doesn't exist.`, 400);
    }
    const reviews = (template as ReviewedDoc).reviews?.[String(templateVersion.version)] ?? [];
    if (reviews[reviews.length - 1]?.ReviewStatus !== "APPROVED") {
      throw new AwsError("AutomationDefinitionNotApprovedException", `The change template ${template.name} version ${templateVersion.version} is not approved.`, 400);
    }
    const runbook = input.Runbooks[0];
    const doc = await loadDocument(ctx, runbook.DocumentName);
    if (!doc) throw new AwsError("AutomationDefinitionNotFoundException", `Document ${runbook.DocumentName} doesn't exist.`, 400);
    if (doc.type !== "Automation") throw invalidParams(`Runbook ${doc.name} is of type ${doc.type}, not Automation.`);
    let version;
    try {
      version = pick(doc, runbook.DocumentVersion);
    } catch {
      throw new AwsError("AutomationDefinitionVersionNotFoundException", `Version ${runbook.DocumentVersion} of ${doc.name} doesn't exist.`, 400);
    }
    if (runbook.Targets !== undefined || runbook.TargetMaps !== undefined || runbook.TargetLocations !== undefined) {
      throw invalidParams("fetchstack has no resources for rate-controlled automation targets: run the runbook without Targets.");
    }
    let content: { parameters?: Record<string, { type?: string; default?: unknown }>; mainSteps?: Step[]; outputs?: string[] };
    try {
      content = JSON.parse(version.content);
    } catch {
      throw invalidParams("Only JSON runbooks can run here.");
    }
    const given: Record<string, string[]> = runbook.Parameters ?? {};
    const declared = content.parameters ?? {};
    const params: Record<string, unknown> = {};
    for (const name of Object.keys(given)) if (!(name in declared)) throw invalidParams(`Parameter "${name}" is not defined in the document.`);
    for (const [name, p] of Object.entries(declared)) {
      const v = given[name];
      if (v === undefined && p.default === undefined) throw invalidParams(`Parameter "${name}" is required but was not provided.`);
      params[name] = v === undefined ? p.default : p.type === "StringList" || p.type === "MapList" ? v : v[0];
    }
    const steps = content.mainSteps ?? [];
    const now = ctx.clock.now();
    const id = crypto.randomUUID();
    const opsItemId = `oi-${hexId(12)}`;
    const title = input.ChangeRequestName ?? template.name;
    await ctx.store.set(["opsitem", opsItemId], {
      OpsItemId: opsItemId, OpsItemType: "/aws/changerequest", Title: title, Description: input.ChangeDetails ?? title, Source: "SSM",
      Status: "PendingApproval",
      OperationalData: { "/aws/changerequest": { Value: JSON.stringify({ templateName: template.name, templateVersion: String(templateVersion.version), automationExecutionId: id, runbooks: input.Runbooks }), Type: "String" } },
      ...(input.ScheduledTime ? { PlannedStartTime: new Date(input.ScheduledTime).getTime() } : {}),
      ...(input.ScheduledEndTime ? { PlannedEndTime: new Date(input.ScheduledEndTime).getTime() } : {}),
      CreatedTime: now, LastModifiedTime: now, CreatedBy: `arn:${partitionOf(ctx.region)}:iam::${ctx.accountId}:root`,
      LastModifiedBy: `arn:${partitionOf(ctx.region)}:iam::${ctx.accountId}:root`, Version: crypto.randomUUID(),
      tags: (input.Tags ?? []).map((t) => ({ Key: t.Key, Value: t.Value })), related: [],
    });
    const e: ExecutionRecord = defined({
      AutomationExecutionId: id, DocumentName: template.name, DocumentVersion: String(templateVersion.version),
      Parameters: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : [String(v)]])),
      Mode: "Auto", AutomationExecutionStatus: "PendingApproval", ExecutionStartTime: now, Outputs: {},
      steps: steps.map((s) => ({ StepName: s.name, Action: s.action, OnFailure: s.onFailure ?? "Abort", StepStatus: "Pending", Inputs: {}, StepExecutionId: crypto.randomUUID() })),
      clientToken: input.ClientToken, ExecutedBy: `arn:${partitionOf(ctx.region)}:iam::${ctx.accountId}:root`,
      AutomationSubtype: "ChangeRequest" as const, ChangeRequestName: input.ChangeRequestName,
      ScheduledTime: input.ScheduledTime ? new Date(input.ScheduledTime).getTime() : undefined,
      ScheduledEndTime: input.ScheduledEndTime ? new Date(input.ScheduledEndTime).getTime() : undefined,
      Runbooks: [{ DocumentName: doc.name, DocumentVersion: String(version.version), ...(runbook.Parameters ? { Parameters: runbook.Parameters } : {}) }],
      OpsItemId: opsItemId, pendingRun: { steps, params, outputs: content.outputs ?? [] },
    });
    await ctx.store.set(key(id), e);
    if (input.AutoApprove) await approve(ctx, e);
    return { AutomationExecutionId: id };
  },

  async SendAutomationSignal(input, ctx) {
    const e = (await ctx.store.get<ExecutionRecord>(key(input.AutomationExecutionId))).value;
    if (!e || e.AutomationSubtype !== "ChangeRequest") return signalOther(input, ctx) as Promise<Record<string, never>>;
    if (e.AutomationExecutionStatus !== "PendingApproval" || (input.SignalType !== "Approve" && input.SignalType !== "Reject")) {
      throw new AwsError("InvalidAutomationSignalException", `The change request is ${e.AutomationExecutionStatus}; it can't take the signal ${input.SignalType}.`, 400);
    }
    if (input.SignalType === "Approve") await approve(ctx, e);
    else {
      const steps = e.steps.map((s) => ({ ...s, StepStatus: "Cancelled" }));
      await ctx.store.set(key(e.AutomationExecutionId), { ...e, steps, AutomationExecutionStatus: "Rejected", ExecutionEndTime: ctx.clock.now(), pendingRun: undefined });
      await setOpsItemStatus(ctx, e.OpsItemId, "Rejected");
    }
    return {};
  },
};
