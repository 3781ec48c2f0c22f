/**
 * Resource data syncs: CreateResourceDataSync, ListResourceDataSync, UpdateResourceDataSync,
 * DeleteResourceDataSync, as state under `["datasync", name]`. `SyncToDestination` needs an S3
 * destination, `SyncFromSource` a source (else `ResourceDataSyncInvalidConfigurationException`);
 * only `SyncFromSource` syncs can be updated, with the same type
 * (`ResourceDataSyncConflictException`). With no managed nodes there is no inventory to export,
 * so a sync's last status stays `Successful` with nothing written.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateResourceDataSync.html
 * (and API_ListResourceDataSync, API_UpdateResourceDataSync, API_DeleteResourceDataSync)
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler } from "../types.ts";
import { defined, pageOf } from "./paging.ts";

interface SyncRecord {
  SyncName: string;
  SyncType: string;
  S3Destination?: Record<string, unknown>;
  SyncSource?: Record<string, unknown>;
  createdAt: number;
  modifiedAt: number;
}

const MAX_SYNCS = 5;
const key = (name: string) => ["datasync", name];
const notFound = (name: string) => new AwsError("ResourceDataSyncNotFoundException", `Resource data sync ${name} doesn't exist.`, 400);
const invalid = (message: string) => new AwsError("ResourceDataSyncInvalidConfigurationException", message, 400);

function check(r: SyncRecord): void {
  if (r.SyncType === "SyncToDestination") {
    if (!r.S3Destination) throw invalid("An S3Destination is required for a SyncToDestination resource data sync.");
    if (r.SyncSource) throw invalid("SyncSource can't be specified for a SyncToDestination resource data sync.");
  } else if (r.SyncType === "SyncFromSource") {
    if (!r.SyncSource) throw invalid("A SyncSource is required for a SyncFromSource resource data sync.");
    if (r.S3Destination) throw invalid("S3Destination can't be specified for a SyncFromSource resource data sync.");
    const source = r.SyncSource as { SourceType?: string; AwsOrganizationsSource?: unknown; SourceRegions?: string[] };
    if (source.SourceType === "AwsOrganizations" && !source.AwsOrganizationsSource) throw invalid("AwsOrganizationsSource is required when SourceType is AwsOrganizations.");
    if (!source.SourceRegions?.length) throw invalid("SourceRegions must list at least one Region.");
  } else {
    throw invalid(`SyncType ${r.SyncType} is not valid: SyncToDestination or SyncFromSource.`);
  }
}

export const resourceDataSyncHandlers: Record<string, Handler> = {
  async CreateResourceDataSync(input, ctx) {
    const now = ctx.clock.now();
    const r: SyncRecord = defined({ SyncName: input.SyncName, SyncType: input.SyncType ?? "SyncToDestination", S3Destination: input.S3Destination, SyncSource: input.SyncSource, createdAt: now, modifiedAt: now });
    check(r);
    let count = 0;
    for await (const _ of ctx.store.list({ prefix: ["datasync"] })) count++;
    if (count >= MAX_SYNCS) throw new AwsError("ResourceDataSyncCountExceededException", `You can have at most ${MAX_SYNCS} resource data syncs.`, 400);
    const result = await ctx.store.atomic().check({ key: key(r.SyncName), versionstamp: null }).set(key(r.SyncName), r).commit();
    if (!result.ok) throw new AwsError("ResourceDataSyncAlreadyExistsException", `Resource data sync ${r.SyncName} already exists.`, 400);
    return {};
  },

  async ListResourceDataSync(input, ctx) {
    const all: Record<string, unknown>[] = [];
    for await (const e of ctx.store.list<SyncRecord>({ prefix: ["datasync"] })) {
      const r = e.value;
      if ((input.SyncType ?? "SyncToDestination") !== r.SyncType) continue;
      const synced = new Date(r.modifiedAt);
      all.push(defined({
        SyncName: r.SyncName, SyncType: r.SyncType,
        SyncSource: r.SyncSource ? { ...r.SyncSource, State: "Enabled" } : undefined, S3Destination: r.S3Destination,
        LastSyncTime: synced, LastSuccessfulSyncTime: synced, SyncLastModifiedTime: synced, LastStatus: "Successful", SyncCreatedTime: new Date(r.createdAt),
      }));
    }
    const { page, NextToken } = pageOf(all, input.MaxResults ?? 50, input.NextToken);
    return { ResourceDataSyncItems: page, ...(NextToken ? { NextToken } : {}) };
  },

  async UpdateResourceDataSync(input, ctx) {
    const r = (await ctx.store.get<SyncRecord>(key(input.SyncName))).value;
    if (!r) throw notFound(input.SyncName);
    if (r.SyncType !== input.SyncType || input.SyncType !== "SyncFromSource") {
      throw new AwsError("ResourceDataSyncConflictException", `Resource data sync ${input.SyncName} is of type ${r.SyncType}; only SyncFromSource syncs can be updated, with the same type.`, 400);
    }
    const next = { ...r, SyncSource: input.SyncSource, modifiedAt: ctx.clock.now() };
    check(next);
    await ctx.store.set(key(r.SyncName), next);
    return {};
  },

  async DeleteResourceDataSync(input, ctx) {
    const r = (await ctx.store.get<SyncRecord>(key(input.SyncName))).value;
    if (!r || (input.SyncType !== undefined && input.SyncType !== r.SyncType)) throw notFound(input.SyncName);
    await ctx.store.delete(key(r.SyncName));
    return {};
  },
};
