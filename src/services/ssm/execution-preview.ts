/**
 * Automation execution previews: StartExecutionPreview / GetExecutionPreview.
 *
 * A preview (`["preview", id]`, id a UUID) reads the runbook (JSON, the version asked for) and
 * the execution inputs, and reports what a run would touch: `Regions` (the TargetLocations'
 * Regions, else the caller's), `TotalAccounts` (the distinct account ids of TargetLocations less
 * ExcludeAccounts, else 1; organizational units are not resolved, fetchstack has no
 * Organizations), `TargetPreviews` (`ParameterValues` targets count their values; other target
 * kinds resolve to resources fetchstack lacks and count 0) and `StepPreviews`: the runbook's
 * steps by impact — `NonMutating` (aws:executeAwsApi calling Describe*, Get*, List*, ...; sleep,
 * pause, approve, branch, assert/wait actions), `Undetermined` (scripts, Lambda, Run Command,
 * nested automations, Step Functions, webhooks), `Mutating` (everything else) — times the number
 * of executions (one per target value, account and Region). Previews complete at once (`Success`).
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartExecutionPreview.html,
 * API_GetExecutionPreview.html, API_AutomationExecutionPreview.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handlers } from "../types.ts";
import type { ImpactType, Operations, TargetPreview } from "../../generated/ssm.ts";
import { loadDocument, pick } from "./documents.ts";
import { validation } from "./paging.ts";

interface PreviewRecord {
  id: string;
  endedAt: number;
  status: "Success" | "Failed";
  message?: string;
  stepPreviews: Partial<Record<ImpactType, number>>;
  regions: string[];
  targetPreviews: TargetPreview[];
  totalAccounts: number;
}

const READ_PREFIXES = ["Describe", "Get", "List", "Head", "Search", "Lookup", "BatchGet", "Query", "Scan", "Select", "Check", "Validate", "Test"];
const NON_MUTATING = new Set(["aws:sleep", "aws:pause", "aws:approve", "aws:branch", "aws:assertAwsResourceProperty", "aws:waitForAwsResourceProperty"]);
const UNDETERMINED = new Set(["aws:executeScript", "aws:invokeLambdaFunction", "aws:runCommand", "aws:executeAutomation", "aws:executeStateMachine", "aws:invokeWebhook", "aws:runPowerShellScript", "aws:runShellScript"]);

/** A step's impact as AWS classifies it. */
export function impactOf(step: { action?: string; inputs?: { Api?: unknown } }): ImpactType {
  const action = step.action ?? "";
  if (action === "aws:executeAwsApi") {
    const api = String(step.inputs?.Api ?? "");
    return READ_PREFIXES.some((p) => api.startsWith(p)) ? "NonMutating" : "Mutating";
  }
  if (NON_MUTATING.has(action)) return "NonMutating";
  if (UNDETERMINED.has(action)) return "Undetermined";
  return "Mutating";
}

export const executionPreviewHandlers: Handlers<Operations> = {
  async StartExecutionPreview(input, ctx) {
    const doc = await loadDocument(ctx, input.DocumentName);
    if (!doc) throw validation(`Document ${input.DocumentName} does not exist.`);
    if (doc.type !== "Automation") throw validation(`Document ${doc.name} is of type ${doc.type}: execution previews are for Automation runbooks.`);
    let version;
    try {
      version = pick(doc, input.DocumentVersion);
    } catch {
      throw validation(`Version ${input.DocumentVersion} of document ${doc.name} does not exist.`);
    }
    let content: { mainSteps?: { action?: string; inputs?: { Api?: unknown } }[] };
    try {
      content = JSON.parse(version.content);
    } catch {
      throw validation(`Document ${doc.name} is not a JSON runbook; fetchstack previews JSON runbooks only.`);
    }
    const auto = input.ExecutionInputs?.Automation ?? {};
    const locations = auto.TargetLocations ?? [];
    const regions = locations.length ? [...new Set(locations.flatMap((l) => l.Regions ?? []))] : [ctx.region];
    const accounts = locations.length
      ? new Set(locations.flatMap((l) => (l.Accounts ?? []).filter((a) => /^\d{12}$/.test(a) && !(l.ExcludeAccounts ?? []).includes(a))))
      : new Set([ctx.accountId]);
    const targetPreviews: TargetPreview[] = [];
    for (const t of auto.Targets ?? []) {
      const values = t.Values ?? [];
      targetPreviews.push({ TargetType: t.Key === "ParameterValues" ? "ParameterValues" : t.Key === "InstanceIds" ? "AWS::EC2::Instance" : String(t.Key), Count: t.Key === "ParameterValues" ? values.length : 0 });
    }
    const targetCount = (auto.Targets ?? []).length ? targetPreviews.reduce((n, t) => n + (t.Count ?? 0), 0) : 1;
    const executions = targetCount * accounts.size * regions.length;
    const stepPreviews: Partial<Record<ImpactType, number>> = {};
    for (const step of content.mainSteps ?? []) {
      const impact = impactOf(step);
      stepPreviews[impact] = (stepPreviews[impact] ?? 0) + executions;
    }
    const record: PreviewRecord = {
      id: crypto.randomUUID(), endedAt: ctx.clock.now(), status: "Success", stepPreviews, regions, targetPreviews, totalAccounts: accounts.size,
    };
    await ctx.store.set(["preview", record.id], record);
    return { ExecutionPreviewId: record.id };
  },

  async GetExecutionPreview(input, ctx) {
    const r = (await ctx.store.get<PreviewRecord>(["preview", input.ExecutionPreviewId])).value;
    if (!r) throw new AwsError("ResourceNotFoundException", `Execution preview ${input.ExecutionPreviewId} not found.`, 400);
    return {
      ExecutionPreviewId: r.id, EndedAt: new Date(r.endedAt), Status: r.status, ...(r.message ? { StatusMessage: r.message } : {}),
      ExecutionPreview: { Automation: { StepPreviews: r.stepPreviews, Regions: r.regions, TargetPreviews: r.targetPreviews, TotalAccounts: r.totalAccounts } },
    };
  },
};
