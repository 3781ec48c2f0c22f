/**
 * IAM temporary delegation requests, the partner-to-customer workflow:
 * CreateDelegationRequest (by the partner's account: UNASSIGNED) → AssociateDelegationRequest
 * (an identity of the owner account, or of any account when the partner named none: ASSIGNED,
 * the caller becomes OwnerId) → UpdateDelegationRequest (notes: PENDING_APPROVAL) →
 * AcceptDelegationRequest (ACCEPTED, the caller is ApproverId) or RejectDelegationRequest
 * (REJECTED, any time before the token is sent) → SendDelegationToken (FINALIZED, only the owner
 * when OnlySendByOwner). GetDelegationRequest and ListDelegationRequests show a request to its
 * requestor and owner accounts; GetHumanReadableSummary describes one in English.
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateDelegationRequest.html
 *
 * Requests span accounts, so they live in IAM's global store under `["delegation", <id>]`.
 * Not modelled: the policy templates' documents (`PermissionPolicy` stays empty and
 * `DelegationPermissionCheck` reports no check), expiry, and the token's delivery (SNS).
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { DelegationRequest, Operations } from "../../generated/iam.ts";
import { AwsError } from "../../protocol/errors.ts";
import { date, invalidInput, noSuchEntity, paginate } from "./common.ts";
import { callerUser } from "./keys.ts";

type State = "UNASSIGNED" | "ASSIGNED" | "PENDING_APPROVAL" | "ACCEPTED" | "REJECTED" | "FINALIZED" | "EXPIRED";

interface DelegationRecord {
  DelegationRequestId: string;
  RequestorId: string;
  RequestorWorkflowId: string;
  OwnerAccountId?: string;
  OwnerId?: string;
  ApproverId?: string;
  Description: string;
  RequestMessage?: string;
  Permissions: NonNullable<DelegationRequest["Permissions"]>;
  RedirectUrl?: string;
  NotificationChannel: string;
  SessionDuration: number;
  OnlySendByOwner: boolean;
  State: State;
  Notes?: string;
  RejectionReason?: string;
  CreateDate: number;
  UpdatedTime: number;
}

const keyOf = (id: string) => ["delegation", id] as const;

/** The caller's ARN as IAM knows it: its IAM user, else the account's root. */
async function callerArn(ctx: RequestContext): Promise<string> {
  return (await callerUser(ctx))?.Arn ?? `arn:aws:iam::${ctx.accountId}:root`;
}

function out(r: DelegationRecord): DelegationRequest {
  return {
    DelegationRequestId: r.DelegationRequestId, OwnerAccountId: r.OwnerAccountId, Description: r.Description, RequestMessage: r.RequestMessage,
    Permissions: r.Permissions, OwnerId: r.OwnerId, ApproverId: r.ApproverId, State: r.State, RequestorId: r.RequestorId,
    CreateDate: date(r.CreateDate), SessionDuration: r.SessionDuration, RedirectUrl: r.RedirectUrl, Notes: r.Notes,
    RejectionReason: r.RejectionReason, OnlySendByOwner: r.OnlySendByOwner, UpdatedTime: date(r.UpdatedTime),
  };
}

/** The request, if the caller's account is its requestor or owner; NoSuchEntity otherwise. */
async function load(ctx: RequestContext, id: string, ownerOnly = false): Promise<DelegationRecord> {
  const r = (await ctx.globalStore.get<DelegationRecord>(keyOf(id))).value;
  const visible = r && (r.OwnerAccountId === ctx.accountId || (!ownerOnly && r.RequestorId === ctx.accountId));
  if (!r || !visible) throw noSuchEntity(`The delegation request with id ${id} cannot be found.`);
  return r;
}

function requireState(r: DelegationRecord, allowed: State[], action: string): void {
  if (!allowed.includes(r.State)) {
    throw invalidInput(`Cannot ${action} delegation request ${r.DelegationRequestId} in state ${r.State}.`);
  }
}

async function save(ctx: RequestContext, r: DelegationRecord): Promise<void> {
  await ctx.globalStore.set(keyOf(r.DelegationRequestId), { ...r, UpdatedTime: ctx.clock.now() });
}

export const delegationHandlers: Handlers<Operations> = {
  async CreateDelegationRequest(input, ctx) {
    for await (const entry of ctx.globalStore.list<DelegationRecord>({ prefix: ["delegation"] })) {
      if (entry.value.RequestorId === ctx.accountId && entry.value.RequestorWorkflowId === input.RequestorWorkflowId) {
        throw new AwsError("EntityAlreadyExistsException", `A delegation request with workflow id ${input.RequestorWorkflowId} already exists.`, 409);
      }
    }
    const now = ctx.clock.now();
    const r: DelegationRecord = {
      DelegationRequestId: crypto.randomUUID(), RequestorId: ctx.accountId, RequestorWorkflowId: input.RequestorWorkflowId,
      OwnerAccountId: input.OwnerAccountId, Description: input.Description, RequestMessage: input.RequestMessage, Permissions: input.Permissions,
      RedirectUrl: input.RedirectUrl, NotificationChannel: input.NotificationChannel, SessionDuration: input.SessionDuration,
      OnlySendByOwner: input.OnlySendByOwner ?? false, State: "UNASSIGNED", CreateDate: now, UpdatedTime: now,
    };
    await ctx.globalStore.set(keyOf(r.DelegationRequestId), r);
    return {
      DelegationRequestId: r.DelegationRequestId,
      ConsoleDeepLink: `https://console.aws.amazon.com/iam/home#/delegation/requests/${r.DelegationRequestId}`,
    };
  },

  async AssociateDelegationRequest(input, ctx) {
    const r = (await ctx.globalStore.get<DelegationRecord>(keyOf(input.DelegationRequestId))).value;
    if (!r || (r.OwnerAccountId !== undefined && r.OwnerAccountId !== ctx.accountId)) {
      throw noSuchEntity(`The delegation request with id ${input.DelegationRequestId} cannot be found.`);
    }
    requireState(r, ["UNASSIGNED"], "associate");
    await save(ctx, { ...r, OwnerAccountId: ctx.accountId, OwnerId: await callerArn(ctx), State: "ASSIGNED" });
    return {};
  },

  async GetDelegationRequest(input, ctx) {
    return { DelegationRequest: out(await load(ctx, input.DelegationRequestId)) };
  },

  async ListDelegationRequests(input, ctx) {
    const rows: DelegationRecord[] = [];
    for await (const entry of ctx.globalStore.list<DelegationRecord>({ prefix: ["delegation"] })) {
      const r = entry.value;
      if (r.OwnerAccountId !== ctx.accountId && r.RequestorId !== ctx.accountId) continue;
      if (input.OwnerId !== undefined && r.OwnerId !== input.OwnerId) continue;
      rows.push(r);
    }
    rows.sort((a, b) => a.CreateDate - b.CreateDate || (a.DelegationRequestId < b.DelegationRequestId ? -1 : 1));
    const page = paginate(rows.map(out), input.Marker, input.MaxItems);
    return { DelegationRequests: page.items, isTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async UpdateDelegationRequest(input, ctx) {
    const r = await load(ctx, input.DelegationRequestId, true);
    requireState(r, ["ASSIGNED", "PENDING_APPROVAL"], "update");
    await save(ctx, { ...r, Notes: input.Notes ?? r.Notes, State: "PENDING_APPROVAL" });
    return {};
  },

  async AcceptDelegationRequest(input, ctx) {
    const r = await load(ctx, input.DelegationRequestId, true);
    requireState(r, ["ASSIGNED", "PENDING_APPROVAL"], "accept");
    await save(ctx, { ...r, ApproverId: await callerArn(ctx), State: "ACCEPTED" });
    return {};
  },

  async RejectDelegationRequest(input, ctx) {
    const r = await load(ctx, input.DelegationRequestId, true);
    requireState(r, ["ASSIGNED", "PENDING_APPROVAL", "ACCEPTED"], "reject");
    await save(ctx, { ...r, RejectionReason: input.Notes, State: "REJECTED" });
    return {};
  },

  async SendDelegationToken(input, ctx) {
    const r = await load(ctx, input.DelegationRequestId, true);
    requireState(r, ["ACCEPTED"], "send the token of");
    if (r.OnlySendByOwner && r.OwnerId !== (await callerArn(ctx))) {
      throw invalidInput(`Only the owner of delegation request ${r.DelegationRequestId} can send its token.`);
    }
    await save(ctx, { ...r, State: "FINALIZED" });
    return {};
  },

  async GetHumanReadableSummary(input, ctx) {
    const m = /^arn:aws[a-z-]*:iam::(\d{12}):delegation-request\/([\w-]+)$/.exec(input.EntityArn);
    if (!m) throw invalidInput(`Human-readable summaries are available for delegation requests only, not ${input.EntityArn}.`);
    const r = await load(ctx, m[2]);
    const locale = input.Locale ?? "en";
    if (!/^en\b/i.test(locale)) return { Locale: locale, SummaryState: "NOT_SUPPORTED" };
    const params = (r.Permissions.Parameters ?? []).map((p) => `${p.Name} = ${(p.Values ?? []).join(", ")}`);
    const lines = [
      `Account ${r.RequestorId} requests temporary access to account ${r.OwnerAccountId ?? "(not yet assigned)"} for ${Math.round(r.SessionDuration / 60)} minutes.`,
      r.Description,
      ...(r.Permissions.PolicyTemplateArn ? [`Permissions: the policy template ${r.Permissions.PolicyTemplateArn}${params.length ? ` with ${params.join("; ")}` : ""}.`] : []),
      `State: ${r.State}.`,
    ];
    return { SummaryContent: lines.join("\n"), Locale: locale, SummaryState: "AVAILABLE" };
  },
};
