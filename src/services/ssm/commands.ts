/**
 * Run Command without managed nodes: SendCommand, ListCommands, ListCommandInvocations,
 * GetCommandInvocation, CancelCommand.
 *
 * fetchstack has no managed nodes. SendCommand checks the document (it must exist, be a
 * `Command` document, and the parameters must be the document's: `InvalidParameters`), then:
 * instance ids (in `InstanceIds` or an `InstanceIds` target) are nodes SSM does not manage, so
 * the request fails with `InvalidInstanceId`, as on AWS; a tag or resource-group target matches no
 * node, so the command is recorded with no targets (`TargetCount` 0) and completes at once with
 * status `Success` and no invocations, as AWS completes a command whose targets resolve to nothing.
 * Commands are kept under `["command", commandId]` and listed newest first.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_SendCommand.html
 * (and API_ListCommands, API_ListCommandInvocations, API_GetCommandInvocation, API_CancelCommand)
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { loadDocument, pick } from "./documents.ts";
import { defined, pageOf } from "./paging.ts";

interface CommandRecord {
  CommandId: string;
  DocumentName: string;
  DocumentVersion: string;
  Comment?: string;
  ExpiresAfter: number;
  Parameters: Record<string, string[]>;
  InstanceIds: string[];
  Targets: { Key: string; Values: string[] }[];
  RequestedDateTime: number;
  Status: string;
  StatusDetails: string;
  OutputS3Region?: string;
  OutputS3BucketName?: string;
  OutputS3KeyPrefix?: string;
  MaxConcurrency: string;
  MaxErrors: string;
  TargetCount: number;
  CompletedCount: number;
  ErrorCount: number;
  DeliveryTimedOutCount: number;
  ServiceRole?: string;
  NotificationConfig?: Record<string, unknown>;
  CloudWatchOutputConfig?: Record<string, unknown>;
  TimeoutSeconds?: number;
  AlarmConfiguration?: Record<string, unknown>;
}

const commandKey = (id: string) => ["command", id];

function invalidCommand(): AwsError {
  return new AwsError("InvalidCommandId", "", 400);
}

function notManaged(ctx: RequestContext, ids: string[]): AwsError {
  return new AwsError("InvalidInstanceId", `Instances [[${ids.join(", ")}]] not in a valid state for account ${ctx.accountId}`, 400);
}

function view(c: CommandRecord): Record<string, unknown> {
  return defined({ ...c, RequestedDateTime: new Date(c.RequestedDateTime), ExpiresAfter: new Date(c.ExpiresAfter) });
}

async function requireCommand(ctx: RequestContext, id: string): Promise<CommandRecord> {
  const c = (await ctx.store.get<CommandRecord>(commandKey(id))).value;
  if (!c) throw invalidCommand();
  return c;
}

/** The document's declared parameters: every given one declared, every one without a default given. */
function checkParameters(content: string, format: string, given: Record<string, string[]>): void {
  if (format !== "JSON") return;
  let declared: Record<string, { default?: unknown }> = {};
  try {
    declared = (JSON.parse(content) as { parameters?: Record<string, { default?: unknown }> }).parameters ?? {};
  } catch {
    return;
  }
  for (const name of Object.keys(given)) {
    if (!(name in declared)) throw new AwsError("InvalidParameters", `Parameter "${name}" is not defined in the document.`, 400);
  }
  for (const [name, p] of Object.entries(declared)) {
    if (p?.default === undefined && !(name in given)) throw new AwsError("InvalidParameters", `Parameter "${name}" is required but was not provided.`, 400);
  }
}

export const commandHandlers: Record<string, Handler> = {
  async SendCommand(input, ctx) {
    const record = await loadDocument(ctx, input.DocumentName);
    if (!record) throw new AwsError("InvalidDocument", "The specified document does not exist.", 400);
    const version = pick(record, input.DocumentVersion);
    if (record.type !== "Command") throw new AwsError("InvalidDocument", `Document ${record.name} of type ${record.type} can't be used with SendCommand: only Command documents can.`, 400);
    const ids: string[] = input.InstanceIds ?? [];
    const targets: { Key: string; Values: string[] }[] = input.Targets ?? [];
    if (!ids.length && !targets.length) throw new AwsError("ValidationException", "InstanceIds or Targets must be specified.", 400);
    if (ids.length && targets.length) throw new AwsError("ValidationException", "InstanceIds and Targets can't be specified together.", 400);
    if (new Set(ids).size !== ids.length) throw new AwsError("DuplicateInstanceId", "You can't specify the same instance ID more than once.", 400);
    const parameters: Record<string, string[]> = input.Parameters ?? {};
    checkParameters(version.content, version.format, parameters);
    if (input.DocumentHash !== undefined) throw new AwsError("InvalidDocument", "The document hash doesn't match the document.", 400);
    // No managed nodes: instance ids are nodes SSM doesn't manage.
    const named = ids.length ? ids : targets.filter((t) => t.Key === "InstanceIds").flatMap((t) => t.Values);
    if (named.length) throw notManaged(ctx, named);
    const now = ctx.clock.now();
    const c: CommandRecord = defined({
      CommandId: crypto.randomUUID(),
      DocumentName: record.name,
      DocumentVersion: input.DocumentVersion ?? "",
      Comment: input.Comment,
      ExpiresAfter: now + ((input.TimeoutSeconds ?? 3600) + 3600) * 1000,
      Parameters: parameters,
      InstanceIds: [],
      Targets: targets,
      RequestedDateTime: now,
      Status: "Success",
      StatusDetails: "Success",
      OutputS3Region: input.OutputS3Region ?? (input.OutputS3BucketName ? ctx.region : undefined),
      OutputS3BucketName: input.OutputS3BucketName,
      OutputS3KeyPrefix: input.OutputS3KeyPrefix,
      MaxConcurrency: input.MaxConcurrency ?? "50",
      MaxErrors: input.MaxErrors ?? "0",
      TargetCount: 0,
      CompletedCount: 0,
      ErrorCount: 0,
      DeliveryTimedOutCount: 0,
      ServiceRole: input.ServiceRoleArn,
      NotificationConfig: input.NotificationConfig,
      CloudWatchOutputConfig: input.CloudWatchOutputConfig,
      TimeoutSeconds: input.TimeoutSeconds,
      AlarmConfiguration: input.AlarmConfiguration,
    });
    await ctx.store.set(commandKey(c.CommandId), c);
    // The answer is the command as submitted; with nothing to run it is already complete when listed.
    return { Command: { ...view(c), Status: "Pending", StatusDetails: "Pending" } };
  },

  async ListCommands(input, ctx) {
    let all: CommandRecord[] = [];
    if (input.CommandId !== undefined) all = [await requireCommand(ctx, input.CommandId)];
    else for await (const e of ctx.store.list<CommandRecord>({ prefix: ["command"] })) all.push(e.value);
    if (input.InstanceId !== undefined) all = all.filter((c) => c.InstanceIds.includes(input.InstanceId));
    for (const f of (input.Filters ?? []) as { key: string; value: string }[]) {
      const at = Date.parse(f.value);
      if (f.key === "InvokedAfter" || f.key === "InvokedBefore") {
        if (Number.isNaN(at)) throw new AwsError("InvalidFilterValue", `The filter value ${f.value} is not valid for ${f.key}.`, 400);
        all = all.filter((c) => (f.key === "InvokedAfter" ? c.RequestedDateTime >= at : c.RequestedDateTime <= at));
      } else if (f.key === "Status") all = all.filter((c) => c.Status === f.value);
      else if (f.key === "DocumentName") all = all.filter((c) => c.DocumentName === f.value);
      else if (f.key === "ExecutionStage") all = all.filter(() => f.value === "Complete");
      else throw new AwsError("InvalidFilterKey", `The filter key ${f.key} is not valid.`, 400);
    }
    all.sort((a, b) => b.RequestedDateTime - a.RequestedDateTime);
    const { page, NextToken } = pageOf(all, input.MaxResults ?? 50, input.NextToken);
    return { Commands: page.map(view), ...(NextToken ? { NextToken } : {}) };
  },

  async ListCommandInvocations(input, ctx) {
    if (input.CommandId !== undefined) await requireCommand(ctx, input.CommandId);
    // No managed nodes: no command has invocations.
    return { CommandInvocations: [] };
  },

  async GetCommandInvocation(input, ctx) {
    await requireCommand(ctx, input.CommandId);
    throw new AwsError("InvocationDoesNotExist", "", 400);
  },

  async CancelCommand(input, ctx) {
    const c = await requireCommand(ctx, input.CommandId);
    const ids: string[] = input.InstanceIds ?? [];
    if (ids.some((id) => !c.InstanceIds.includes(id))) throw notManaged(ctx, ids.filter((id) => !c.InstanceIds.includes(id)));
    // A complete command has nothing left to cancel.
    return {};
  },
};
