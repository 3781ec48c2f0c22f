/**
 * Automation runbooks that act on fetchstack's services: StartAutomationExecution,
 * GetAutomationExecution, DescribeAutomationExecutions (filters), DescribeAutomationStepExecutions,
 * StopAutomationExecution, SendAutomationSignal.
 *
 * An execution (`["automation", id]`) runs the runbook's `mainSteps` in order after the response,
 * on the injectable clock: `aws:sleep` (`Duration` ISO 8601 or `Timestamp`),
 * `aws:executeAwsApi` (the `Service`'s `Api` through `ctx.invoke`, `Outputs` picked with
 * `$.A.B` selectors), `aws:invokeLambdaFunction`. `{{ Param }}` and `{{ step.Output }}` are
 * substituted in inputs. A step fails on its call's error (or, for any other action, with a
 * message saying fetchstack does not run that action: e.g. `aws:changeInstanceState` has no EC2
 * here); `onFailure: Continue` goes on, otherwise the execution fails. Executions with `Targets`
 * (rate control) are refused (`InvalidAutomationExecutionParametersException`): their targets
 * would be resources fetchstack does not have.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartAutomationExecution.html
 * and https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-actions.html
 */
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { loadDocument, pick } from "./documents.ts";
import { defined, pageOf } from "./paging.ts";

interface StepRecord {
  StepName: string;
  Action: string;
  OnFailure: string;
  StepStatus: string;
  Inputs: Record<string, string>;
  Outputs?: Record<string, string[]>;
  FailureMessage?: string;
  ExecutionStartTime?: number;
  ExecutionEndTime?: number;
  StepExecutionId: string;
}

export interface ExecutionRecord {
  AutomationExecutionId: string;
  DocumentName: string;
  DocumentVersion: string;
  Parameters: Record<string, string[]>;
  Mode: string;
  AutomationExecutionStatus: string;
  ExecutionStartTime: number;
  ExecutionEndTime?: number;
  FailureMessage?: string;
  Outputs: Record<string, string[]>;
  steps: StepRecord[];
  clientToken?: string;
  ExecutedBy: string;
  /** Change Manager (change-requests.ts): the change request's fields. */
  AutomationSubtype?: "ChangeRequest";
  ChangeRequestName?: string;
  ScheduledTime?: number;
  ScheduledEndTime?: number;
  Runbooks?: { DocumentName: string; DocumentVersion?: string; Parameters?: Record<string, string[]> }[];
  OpsItemId?: string;
  /** A change request's runbook, run once approved and due. */
  pendingRun?: { steps: Step[]; params: Record<string, unknown>; outputs: string[] };
  tags?: { Key: string; Value: string }[];
}

export type Step = { name: string; action: string; onFailure?: string; inputs?: Record<string, unknown>; outputs?: { Name: string; Selector: string }[] };

const key = (id: string) => ["automation", id];
const notFound = (id: string) => new AwsError("AutomationExecutionNotFoundException", `Automation execution ${id} doesn't exist.`, 400);
const invalidParams = (m: string) => new AwsError("InvalidAutomationExecutionParametersException", m, 400);
const SERVICES: Record<string, string> = { states: "stepfunctions", eventbridge: "events", cloudwatchlogs: "logs" };

function durationMs(text: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(text);
  if (!m) throw new Error(`Duration ${text} is not an ISO 8601 duration.`);
  return ((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60_000 + Number(m[4] ?? 0) * 1000;
}

/** `{{ name }}` replaced by a parameter or step output; a lone placeholder keeps the value's type. */
function render(value: unknown, vars: Record<string, unknown>): unknown {
  if (typeof value === "string") {
    const whole = /^\{\{\s*([\w.:-]+)\s*\}\}$/.exec(value);
    if (whole && whole[1] in vars) return vars[whole[1]];
    return value.replace(/\{\{\s*([\w.:-]+)\s*\}\}/g, (all, name: string) => (name in vars ? String(vars[name]) : all));
  }
  if (Array.isArray(value)) return value.map((v) => render(v, vars));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, render(v, vars)]));
  return value;
}

function select(result: unknown, selector: string): unknown {
  let v: unknown = result;
  for (const part of selector.replace(/^\$\.?/, "").split(".").filter(Boolean)) {
    v = v && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
  }
  return v;
}

async function save(ctx: RequestContext, e: ExecutionRecord): Promise<void> {
  await ctx.store.set(key(e.AutomationExecutionId), e);
}

async function runStep(ctx: RequestContext, step: Step, inputs: Record<string, unknown>): Promise<unknown> {
  switch (step.action) {
    case "aws:sleep": {
      const ms = inputs.Duration !== undefined ? durationMs(String(inputs.Duration)) : Date.parse(String(inputs.Timestamp)) - ctx.clock.now();
      if (Number.isNaN(ms)) throw new Error("aws:sleep needs a Duration or a Timestamp.");
      if (ms > 0) await ctx.timers.sleep(ms, { background: true });
      return {};
    }
    case "aws:executeAwsApi": {
      const { Service, Api, ...rest } = inputs as { Service: string; Api: string } & Record<string, unknown>;
      const service = String(Service).toLowerCase();
      return ctx.invoke(SERVICES[service] ?? service, String(Api), rest);
    }
    case "aws:invokeLambdaFunction": {
      const payload = inputs.Payload;
      return ctx.invoke("lambda", "Invoke", defined({
        FunctionName: inputs.FunctionName, Qualifier: inputs.Qualifier, InvocationType: inputs.InvocationType, LogType: inputs.LogType,
        Payload: payload === undefined ? undefined : new TextEncoder().encode(typeof payload === "string" ? payload : JSON.stringify(payload)),
      }));
    }
    default:
      throw new Error(`fetchstack does not run the ${step.action} action.`);
  }
}

/** Runs the remaining steps; re-reads the record so a stop request is seen between steps. */
export async function run(ctx: RequestContext, id: string, steps: Step[], params: Record<string, unknown>, outputNames: string[]): Promise<void> {
  const vars: Record<string, unknown> = { ...params, "automation:EXECUTION_ID": id, global: {} };
  for (let i = 0; i < steps.length; i++) {
    let e = (await ctx.store.get<ExecutionRecord>(key(id))).value;
    if (!e || e.AutomationExecutionStatus !== "InProgress") return;
    const step = steps[i];
    const inputs = render(step.inputs ?? {}, vars) as Record<string, unknown>;
    e.steps[i] = { ...e.steps[i], StepStatus: "InProgress", ExecutionStartTime: ctx.clock.now(), Inputs: Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])) };
    await save(ctx, e);
    let failure: string | undefined;
    let outputs: Record<string, string[]> | undefined;
    try {
      const result = await runStep(ctx, step, inputs);
      outputs = {};
      for (const o of step.outputs ?? []) {
        const v = select(result, o.Selector);
        vars[`${step.name}.${o.Name}`] = v;
        if (v !== undefined) outputs[o.Name] = Array.isArray(v) ? v.map(String) : [typeof v === "string" ? v : JSON.stringify(v)];
      }
    } catch (err) {
      failure = isAwsError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    }
    e = (await ctx.store.get<ExecutionRecord>(key(id))).value;
    // Stopped while the step ran: the step stays Cancelled.
    if (!e || e.AutomationExecutionStatus !== "InProgress") return;
    e.steps[i] = defined({ ...e.steps[i], StepStatus: failure ? "Failed" : "Success", ExecutionEndTime: ctx.clock.now(), Outputs: outputs, FailureMessage: failure });
    if (failure && (step.onFailure ?? "Abort") !== "Continue") {
      for (let j = i + 1; j < e.steps.length; j++) e.steps[j] = { ...e.steps[j], StepStatus: "Cancelled" };
      await save(ctx, { ...e, AutomationExecutionStatus: "Failed", FailureMessage: `Step fails when it is ${step.action}. ${failure}`, ExecutionEndTime: ctx.clock.now() });
      return;
    }
    await save(ctx, e);
  }
  const e = (await ctx.store.get<ExecutionRecord>(key(id))).value;
  if (!e || e.AutomationExecutionStatus !== "InProgress") return;
  const out: Record<string, string[]> = {};
  for (const name of outputNames) {
    const v = vars[name];
    if (v !== undefined) out[name] = Array.isArray(v) ? v.map(String) : [typeof v === "string" ? v : JSON.stringify(v)];
  }
  await save(ctx, { ...e, AutomationExecutionStatus: "Success", ExecutionEndTime: ctx.clock.now(), Outputs: out });
}

function stepView(s: StepRecord): Record<string, unknown> {
  return defined({ ...s, ExecutionStartTime: s.ExecutionStartTime ? new Date(s.ExecutionStartTime) : undefined, ExecutionEndTime: s.ExecutionEndTime ? new Date(s.ExecutionEndTime) : undefined });
}

async function requireExecution(ctx: RequestContext, id: string): Promise<ExecutionRecord> {
  const e = (await ctx.store.get<ExecutionRecord>(key(id))).value;
  if (!e) throw notFound(id);
  return e;
}

/** The id of the execution an earlier start with this `ClientToken` made, if any (idempotent starts). */
export async function executionForClientToken(ctx: RequestContext, token: string | undefined): Promise<string | undefined> {
  if (token === undefined) return undefined;
  for await (const x of ctx.store.list<ExecutionRecord>({ prefix: ["automation"] })) if (x.value.clientToken === token) return x.value.AutomationExecutionId;
  return undefined;
}

export const automationHandlers: Record<string, Handler> = {
  async StartAutomationExecution(input, ctx) {
    const earlier = await executionForClientToken(ctx, input.ClientToken);
    if (earlier) return { AutomationExecutionId: earlier };
    const doc = await loadDocument(ctx, input.DocumentName);
    if (!doc) throw new AwsError("AutomationDefinitionNotFoundException", `Document ${input.DocumentName} doesn't exist.`, 400);
    if (doc.type !== "Automation") throw new AwsError("InvalidAutomationExecutionParametersException", `Document ${doc.name} is of type ${doc.type}, not Automation.`, 400);
    let version;
    try {
      version = pick(doc, input.DocumentVersion);
    } catch {
      throw new AwsError("AutomationDefinitionVersionNotFoundException", `Version ${input.DocumentVersion} of ${doc.name} doesn't exist.`, 400);
    }
    if (input.Targets !== undefined || input.TargetMaps !== undefined || input.TargetLocations !== undefined) {
      throw invalidParams("fetchstack has no resources for rate-controlled automation targets: run the runbook without Targets.");
    }
    if (version.format !== "JSON") throw invalidParams("Only JSON runbooks can run here.");
    const content = JSON.parse(version.content) as { parameters?: Record<string, { type?: string; default?: unknown; allowedValues?: string[] }>; mainSteps?: Step[]; outputs?: string[] };
    const given: Record<string, string[]> = input.Parameters ?? {};
    const declared = content.parameters ?? {};
    const params: Record<string, unknown> = {};
    for (const name of Object.keys(given)) if (!(name in declared)) throw invalidParams(`Parameter "${name}" is not defined in the document.`);
    for (const [name, p] of Object.entries(declared)) {
      const v = given[name];
      if (v === undefined && p.default === undefined) throw invalidParams(`Parameter "${name}" is required but was not provided.`);
      const value = v === undefined ? p.default : p.type === "StringList" || p.type === "MapList" ? v : v[0];
      if (p.allowedValues && typeof value === "string" && !p.allowedValues.includes(value)) throw invalidParams(`Parameter "${name}" must be one of ${p.allowedValues.join(", ")}.`);
      params[name] = value;
    }
    const steps = content.mainSteps ?? [];
    const now = ctx.clock.now();
    const e: ExecutionRecord = defined({
      AutomationExecutionId: crypto.randomUUID(), DocumentName: doc.name, DocumentVersion: String(version.version),
      Parameters: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : [String(v)]])),
      Mode: input.Mode ?? "Auto", AutomationExecutionStatus: "InProgress", ExecutionStartTime: now, Outputs: {},
      steps: steps.map((s) => ({ StepName: s.name, Action: s.action, OnFailure: s.onFailure ?? "Abort", StepStatus: "Pending", Inputs: {}, StepExecutionId: crypto.randomUUID() })),
      clientToken: input.ClientToken, ExecutedBy: `arn:aws:iam::${ctx.accountId}:root`, tags: input.Tags ?? [],
    });
    await save(ctx, e);
    ctx.waitUntil(run(ctx, e.AutomationExecutionId, steps, params, content.outputs ?? []).catch(() => {}));
    return { AutomationExecutionId: e.AutomationExecutionId };
  },

  async GetAutomationExecution(input, ctx) {
    const e = await requireExecution(ctx, input.AutomationExecutionId);
    const current = e.steps.find((s) => s.StepStatus === "InProgress");
    return {
      AutomationExecution: defined({
        AutomationExecutionId: e.AutomationExecutionId, DocumentName: e.DocumentName, DocumentVersion: e.DocumentVersion,
        ExecutionStartTime: new Date(e.ExecutionStartTime), ExecutionEndTime: e.ExecutionEndTime ? new Date(e.ExecutionEndTime) : undefined,
        AutomationExecutionStatus: e.AutomationExecutionStatus, StepExecutions: e.steps.map(stepView), StepExecutionsTruncated: false,
        Parameters: e.Parameters, Outputs: e.Outputs, FailureMessage: e.FailureMessage, Mode: e.Mode, ExecutedBy: e.ExecutedBy,
        CurrentStepName: current?.StepName, CurrentAction: current?.Action,
        AutomationSubtype: e.AutomationSubtype, ChangeRequestName: e.ChangeRequestName, Runbooks: e.Runbooks, OpsItemId: e.OpsItemId,
        ScheduledTime: e.ScheduledTime !== undefined ? new Date(e.ScheduledTime) : undefined,
      }),
    };
  },

  async DescribeAutomationExecutions(input, ctx) {
    const filters: { Key: string; Values: string[] }[] = input.Filters ?? [];
    const all: ExecutionRecord[] = [];
    for await (const x of ctx.store.list<ExecutionRecord>({ prefix: ["automation"] })) {
      const e = x.value;
      const ok = filters.every((f) => {
        switch (f.Key) {
          case "DocumentNamePrefix": return f.Values.some((v) => e.DocumentName.startsWith(v));
          case "ExecutionStatus": return f.Values.includes(e.AutomationExecutionStatus);
          case "ExecutionId": return f.Values.includes(e.AutomationExecutionId);
          case "StartTimeBefore": return f.Values.some((v) => e.ExecutionStartTime <= Date.parse(v));
          case "StartTimeAfter": return f.Values.some((v) => e.ExecutionStartTime >= Date.parse(v));
          case "AutomationType": return f.Values.includes("Local");
          default: return false;
        }
      });
      if (ok) all.push(e);
    }
    all.sort((a, b) => b.ExecutionStartTime - a.ExecutionStartTime);
    const { page, NextToken } = pageOf(all, input.MaxResults ?? 50, input.NextToken);
    return {
      AutomationExecutionMetadataList: page.map((e) => defined({
        AutomationExecutionId: e.AutomationExecutionId, DocumentName: e.DocumentName, DocumentVersion: e.DocumentVersion, AutomationExecutionStatus: e.AutomationExecutionStatus,
        ExecutionStartTime: new Date(e.ExecutionStartTime), ExecutionEndTime: e.ExecutionEndTime ? new Date(e.ExecutionEndTime) : undefined, ExecutedBy: e.ExecutedBy,
        Outputs: e.Outputs, Mode: e.Mode, FailureMessage: e.FailureMessage, AutomationType: "Local",
        AutomationSubtype: e.AutomationSubtype, ChangeRequestName: e.ChangeRequestName, Runbooks: e.Runbooks, OpsItemId: e.OpsItemId,
        ScheduledTime: e.ScheduledTime !== undefined ? new Date(e.ScheduledTime) : undefined,
      })),
      ...(NextToken ? { NextToken } : {}),
    };
  },

  async DescribeAutomationStepExecutions(input, ctx) {
    const e = await requireExecution(ctx, input.AutomationExecutionId);
    const filters: { Key: string; Values: string[] }[] = input.Filters ?? [];
    let steps = e.steps.filter((s) => filters.every((f) =>
      f.Key === "StepName" ? f.Values.includes(s.StepName) : f.Key === "Action" ? f.Values.includes(s.Action) : f.Key === "StepExecutionStatus" ? f.Values.includes(s.StepStatus) : f.Key === "StepExecutionId" ? f.Values.includes(s.StepExecutionId) : true));
    if (input.ReverseOrder) steps = [...steps].reverse();
    const { page, NextToken } = pageOf(steps.map(stepView), input.MaxResults ?? 50, input.NextToken);
    return { StepExecutions: page, ...(NextToken ? { NextToken } : {}) };
  },

  async StopAutomationExecution(input, ctx) {
    const e = await requireExecution(ctx, input.AutomationExecutionId);
    if (e.AutomationExecutionStatus !== "InProgress" && e.AutomationExecutionStatus !== "Waiting") {
      throw new AwsError("InvalidAutomationStatusUpdateException", `The automation execution is ${e.AutomationExecutionStatus} and can't be stopped.`, 400);
    }
    const steps = e.steps.map((s) => (s.StepStatus === "Pending" || s.StepStatus === "InProgress" ? { ...s, StepStatus: "Cancelled" } : s));
    await save(ctx, { ...e, steps, AutomationExecutionStatus: "Cancelled", ExecutionEndTime: ctx.clock.now() });
    return {};
  },

  async SendAutomationSignal(input, ctx) {
    const e = await requireExecution(ctx, input.AutomationExecutionId);
    throw new AwsError("InvalidAutomationSignalException", `The automation execution is ${e.AutomationExecutionStatus}; it is not waiting for a signal.`, 400);
  },
};
