/**
 * Resource-based policies of functions (AddPermission, RemovePermission, GetPolicy), per
 * qualifier: the unqualified function, a version or an alias each have their own policy, as on AWS.
 * Statements are stored as AWS renders them in GetPolicy's JSON document.
 * Source: https://docs.aws.amazon.com/lambda/latest/api/API_AddPermission.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { AddPermissionRequest, Operations } from "../../generated/lambda.ts";
import { conflict, invalidParameter, notFound, revisionMismatch } from "./errors.ts";
import { functionArn, parseFunctionName, partitionOf } from "./names.ts";
import { resolveFunction } from "./state.ts";

export interface StoredPolicy {
  Statement: Record<string, unknown>[];
  RevisionId: string;
}

/** Principal as a policy statement names it: an account, a service, an ARN, or "*". */
export function principalOf(principal: string, region: string): unknown {
  if (principal === "*") return "*";
  if (/^\d{12}$/.test(principal)) return { AWS: `arn:${partitionOf(region)}:iam::${principal}:root` };
  if (principal.startsWith("arn:")) return { AWS: principal };
  return { Service: principal };
}

/** The statement AddPermission writes (and returns as a JSON string). */
export function statementFor(input: AddPermissionRequest, resource: string, region: string): Record<string, unknown> {
  const condition: Record<string, Record<string, string>> = {};
  if (input.SourceAccount) (condition.StringEquals ??= {})["AWS:SourceAccount"] = input.SourceAccount;
  if (input.EventSourceToken) (condition.StringEquals ??= {})["lambda:EventSourceToken"] = input.EventSourceToken;
  if (input.PrincipalOrgID) (condition.StringEquals ??= {})["aws:PrincipalOrgID"] = input.PrincipalOrgID;
  if (input.FunctionUrlAuthType) (condition.StringEquals ??= {})["lambda:FunctionUrlAuthType"] = input.FunctionUrlAuthType;
  if (input.InvokedViaFunctionUrl !== undefined) (condition.Bool ??= {})["lambda:InvokedViaFunctionUrl"] = String(input.InvokedViaFunctionUrl);
  if (input.SourceArn) (condition.ArnLike ??= {})["AWS:SourceArn"] = input.SourceArn;
  const action: string = input.Action;
  return {
    Sid: input.StatementId,
    Effect: "Allow",
    Principal: principalOf(input.Principal, region),
    Action: action.includes(":") || action === "*" ? action : `lambda:${action}`,
    Resource: resource,
    ...(Object.keys(condition).length ? { Condition: condition } : {}),
  };
}

function checkAction(action: string): void {
  if (!/^(lambda:[*]|lambda:[a-zA-Z]+|[*])$/.test(action)) {
    throw invalidParameter(`1 validation error detected: Value '${action}' at 'action' failed to satisfy constraint: Member must satisfy regular expression pattern: (lambda:[*]|lambda:[a-zA-Z]+|[*])`);
  }
}

const policyKey = (name: string, qualifier: string | undefined) => ["policy", name, qualifier ?? ""] as const;

async function target(ctx: RequestContext, functionName: string, qualifier: string | undefined) {
  const ref = parseFunctionName(functionName, qualifier);
  await resolveFunction(ctx, ref);
  return { name: ref.name, qualifier: ref.qualifier, arn: functionArn(ctx, ref.name, ref.qualifier) };
}

export const policyHandlers: Handlers<Operations> = {
  async AddPermission(input, ctx) {
    checkAction(input.Action);
    const t = await target(ctx, input.FunctionName, input.Qualifier);
    const key = policyKey(t.name, t.qualifier);
    const entry = await ctx.store.get<StoredPolicy>(key);
    const current = entry.value ?? { Statement: [], RevisionId: "" };
    if (input.RevisionId !== undefined && input.RevisionId !== current.RevisionId) throw revisionMismatch("GetPolicy");
    if (current.Statement.some((s) => s.Sid === input.StatementId)) {
      throw conflict(`The statement id (${input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
    }
    const statement = statementFor(input, t.arn, ctx.region);
    const next: StoredPolicy = { Statement: [...current.Statement, statement], RevisionId: crypto.randomUUID() };
    const result = await ctx.store.atomic().check({ key, versionstamp: entry.versionstamp }).set(key, next).commit();
    if (!result.ok) throw conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${t.arn}`);
    return { Statement: JSON.stringify(statement) };
  },

  async RemovePermission(input, ctx) {
    const t = await target(ctx, input.FunctionName, input.Qualifier);
    const key = policyKey(t.name, t.qualifier);
    const entry = await ctx.store.get<StoredPolicy>(key);
    if (!entry.value) throw notFound("No policy is associated with the given resource.");
    if (input.RevisionId !== undefined && input.RevisionId !== entry.value.RevisionId) throw revisionMismatch("GetPolicy");
    const statements = entry.value.Statement.filter((s) => s.Sid !== input.StatementId);
    if (statements.length === entry.value.Statement.length) throw notFound(`Statement ${input.StatementId} is not found in resource policy.`);
    const atomic = ctx.store.atomic().check({ key, versionstamp: entry.versionstamp });
    if (statements.length) atomic.set(key, { Statement: statements, RevisionId: crypto.randomUUID() });
    else atomic.delete(key);
    if (!(await atomic.commit()).ok) throw conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${t.arn}`);
    return {};
  },

  async GetPolicy(input, ctx) {
    const t = await target(ctx, input.FunctionName, input.Qualifier);
    const policy = (await ctx.store.get<StoredPolicy>(policyKey(t.name, t.qualifier))).value;
    if (!policy) throw notFound("The resource you requested does not exist.");
    return {
      Policy: JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: policy.Statement }),
      RevisionId: policy.RevisionId,
    };
  },
};
