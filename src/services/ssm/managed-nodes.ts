/**
 * Managed nodes, sessions, and activations, without nodes.
 *
 * fetchstack has no managed nodes (no SSM Agent registers here), so: StartSession answers
 * `TargetNotConnected`; GetConnectionStatus says `notconnected`; DescribeSessions,
 * DescribeInstanceInformation, DescribeInstanceProperties, DescribeInstancePatchStates(ForPatchGroup),
 * ListNodes and ListNodesSummary list nothing; operations about one node
 * (DescribeInstancePatches, DescribeEffectiveInstanceAssociations,
 * DescribeInstanceAssociationsStatus, DeregisterManagedInstance, UpdateManagedInstanceRole,
 * GetDeployablePatchSnapshotForInstance) answer `InvalidInstanceId`; ResumeSession and
 * TerminateSession of a session id that never existed answer `DoesNotExistException`.
 * Activations (hybrid activation codes) are real state: CreateActivation, DescribeActivations
 * (filters `ActivationIds`, `DefaultInstanceName`, `IamRole`), DeleteActivation
 * (`InvalidActivationId`); no node ever registers with them (`RegistrationsCount` 0).
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_StartSession.html
 * (and API_CreateActivation, API_DescribeInstanceInformation, ...)
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { defined, pageOf, type Tag } from "./paging.ts";

interface ActivationRecord {
  ActivationId: string;
  Description?: string;
  DefaultInstanceName?: string;
  IamRole: string;
  RegistrationLimit: number;
  ExpirationDate: number;
  CreatedDate: number;
  Tags: Tag[];
}

const activationKey = (id: string) => ["activation", id];
const notManaged = (ctx: RequestContext, id: string) =>
  new AwsError("InvalidInstanceId", `Instances [[${id}]] not in a valid state for account ${ctx.accountId}`, 400);
const DAY = 24 * 3600_000;

function activationCode(): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  return Array.from(crypto.getRandomValues(new Uint8Array(20)), (b) => alphabet[b % 64]).join("");
}

function activationView(ctx: RequestContext, a: ActivationRecord): Record<string, unknown> {
  return defined({
    ActivationId: a.ActivationId, Description: a.Description, DefaultInstanceName: a.DefaultInstanceName, IamRole: a.IamRole,
    RegistrationLimit: a.RegistrationLimit, RegistrationsCount: 0, ExpirationDate: new Date(a.ExpirationDate),
    Expired: a.ExpirationDate <= ctx.clock.now(), CreatedDate: new Date(a.CreatedDate), Tags: a.Tags,
  });
}

const empty = (member: string): Handler => async () => ({ [member]: [] });
const unmanaged = (member = "InstanceId"): Handler => async (input, ctx) => {
  throw notManaged(ctx, String(input[member]));
};

export const managedNodeHandlers: Record<string, Handler> = {
  async StartSession(input) {
    throw new AwsError("TargetNotConnected", `${input.Target} is not connected.`, 400);
  },
  async GetConnectionStatus(input) {
    return { Target: input.Target, Status: "notconnected" };
  },
  DescribeSessions: empty("Sessions"),
  async ResumeSession(input) {
    throw new AwsError("DoesNotExistException", `Session ${input.SessionId} does not exist.`, 400);
  },
  async TerminateSession(input) {
    throw new AwsError("DoesNotExistException", `Session ${input.SessionId} does not exist.`, 400);
  },

  async DescribeInstanceInformation(input, ctx) {
    const filters = [...(input.InstanceInformationFilterList ?? []).map((f: { key: string; valueSet: string[] }) => ({ Key: f.key, Values: f.valueSet })), ...(input.Filters ?? [])];
    const ids = filters.filter((f: { Key: string }) => f.Key === "InstanceIds").flatMap((f: { Values: string[] }) => f.Values);
    if (ids.length) throw notManaged(ctx, ids.join(", "));
    return { InstanceInformationList: [] };
  },
  DescribeInstanceProperties: empty("InstanceProperties"),
  DescribeInstancePatchStates: empty("InstancePatchStates"),
  DescribeInstancePatchStatesForPatchGroup: empty("InstancePatchStates"),
  DescribeInstancePatches: unmanaged(),
  DescribeEffectiveInstanceAssociations: unmanaged(),
  DescribeInstanceAssociationsStatus: unmanaged(),
  DeregisterManagedInstance: unmanaged(),
  UpdateManagedInstanceRole: unmanaged(),
  GetDeployablePatchSnapshotForInstance: unmanaged(),
  async ListNodes(input, ctx) {
    if (input.SyncName !== undefined && !(await ctx.store.get(["datasync", input.SyncName])).value) {
      throw new AwsError("ResourceDataSyncNotFoundException", `Resource data sync ${input.SyncName} doesn't exist.`, 400);
    }
    return { Nodes: [] };
  },
  async ListNodesSummary(input, ctx) {
    if (input.SyncName !== undefined && !(await ctx.store.get(["datasync", input.SyncName])).value) {
      throw new AwsError("ResourceDataSyncNotFoundException", `Resource data sync ${input.SyncName} doesn't exist.`, 400);
    }
    return { Summary: [] };
  },

  async CreateActivation(input, ctx) {
    const now = ctx.clock.now();
    const expires = input.ExpirationDate !== undefined ? new Date(input.ExpirationDate).getTime() : now + DAY;
    if (expires <= now || expires > now + 30 * DAY) {
      throw new AwsError("ValidationException", "The expiration date must be in the future and no more than 30 days from now.", 400);
    }
    const a: ActivationRecord = defined({
      ActivationId: crypto.randomUUID(),
      Description: input.Description,
      DefaultInstanceName: input.DefaultInstanceName,
      IamRole: input.IamRole,
      RegistrationLimit: input.RegistrationLimit ?? 1,
      ExpirationDate: expires,
      CreatedDate: now,
      Tags: input.Tags ?? [],
    });
    await ctx.store.set(activationKey(a.ActivationId), a);
    return { ActivationId: a.ActivationId, ActivationCode: activationCode() };
  },

  async DescribeActivations(input, ctx) {
    const filters: { FilterKey: string; FilterValues?: string[] }[] = input.Filters ?? [];
    const all: ActivationRecord[] = [];
    for await (const e of ctx.store.list<ActivationRecord>({ prefix: ["activation"] })) {
      const a = e.value;
      const ok = filters.every((f) => {
        const values = f.FilterValues ?? [];
        if (f.FilterKey === "ActivationIds") return values.includes(a.ActivationId);
        if (f.FilterKey === "DefaultInstanceName") return a.DefaultInstanceName !== undefined && values.includes(a.DefaultInstanceName);
        return values.includes(a.IamRole);
      });
      if (ok) all.push(a);
    }
    all.sort((a, b) => a.CreatedDate - b.CreatedDate);
    const { page, NextToken } = pageOf(all, input.MaxResults ?? 50, input.NextToken);
    return { ActivationList: page.map((a) => activationView(ctx, a)), ...(NextToken ? { NextToken } : {}) };
  },

  async DeleteActivation(input, ctx) {
    if (!(await ctx.store.get(activationKey(input.ActivationId))).value) {
      throw new AwsError("InvalidActivationId", "The activation ID is not valid. Verify that you entered the correct ID and try again.", 400);
    }
    await ctx.store.delete(activationKey(input.ActivationId));
    return {};
  },

};
