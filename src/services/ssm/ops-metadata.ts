/**
 * OpsMetadata (Application Manager metadata): CreateOpsMetadata, GetOpsMetadata,
 * UpdateOpsMetadata, DeleteOpsMetadata, ListOpsMetadata.
 *
 * One record per resource under `["opsmetadata", resourceId]`; ARN
 * `arn:aws:ssm:<region>:<account>:opsmetadata/<resourceId without its leading slash>`. At most
 * 50 keys per object (`OpsMetadataKeyLimitExceededException`).
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateOpsMetadata.html
 * (and API_GetOpsMetadata, API_UpdateOpsMetadata, API_ListOpsMetadata)
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { partitionOf } from "../../util/partition.ts";
import { pageOf } from "./paging.ts";

interface OpsMetadataRecord {
  ResourceId: string;
  Metadata: Record<string, { Value?: string }>;
  CreationDate: number;
  LastModifiedDate: number;
  tags: { Key: string; Value: string }[];
}

const MAX_KEYS = 50;
const key = (resourceId: string) => ["opsmetadata", resourceId];
const arnOf = (ctx: RequestContext, resourceId: string) => `arn:${partitionOf(ctx.region)}:ssm:${ctx.region}:${ctx.accountId}:opsmetadata/${resourceId.replace(/^\//, "")}`;
const user = (ctx: RequestContext) => `arn:${partitionOf(ctx.region)}:iam::${ctx.accountId}:root`;
const notFound = (arn: string) => new AwsError("OpsMetadataNotFoundException", `OpsMetadata ${arn} doesn't exist.`, 400);

async function byArn(ctx: RequestContext, arn: string): Promise<OpsMetadataRecord> {
  const m = /^arn:aws[a-z-]*:ssm:[^:]*:\d{12}:opsmetadata\/(.+)$/.exec(arn);
  if (!m) throw new AwsError("OpsMetadataInvalidArgumentException", `OpsMetadataArn ${arn} is not valid.`, 400);
  for (const id of [m[1], `/${m[1]}`]) {
    const r = (await ctx.store.get<OpsMetadataRecord>(key(id))).value;
    if (r) return r;
  }
  throw notFound(arn);
}

function checkKeys(metadata: Record<string, unknown>): void {
  if (Object.keys(metadata).length > MAX_KEYS) throw new AwsError("OpsMetadataKeyLimitExceededException", `An OpsMetadata object can have at most ${MAX_KEYS} keys.`, 400);
}

export const opsMetadataHandlers: Record<string, Handler> = {
  async CreateOpsMetadata(input, ctx) {
    const metadata = input.Metadata ?? {};
    checkKeys(metadata);
    const now = ctx.clock.now();
    const r: OpsMetadataRecord = { ResourceId: input.ResourceId, Metadata: metadata, CreationDate: now, LastModifiedDate: now, tags: input.Tags ?? [] };
    const result = await ctx.store.atomic().check({ key: key(r.ResourceId), versionstamp: null }).set(key(r.ResourceId), r).commit();
    if (!result.ok) throw new AwsError("OpsMetadataAlreadyExistsException", `OpsMetadata for ${r.ResourceId} already exists.`, 400);
    return { OpsMetadataArn: arnOf(ctx, r.ResourceId) };
  },

  async GetOpsMetadata(input, ctx) {
    const r = await byArn(ctx, input.OpsMetadataArn);
    const entries = Object.entries(r.Metadata);
    const { page, NextToken } = pageOf(entries, input.MaxResults ?? 50, input.NextToken);
    return { ResourceId: r.ResourceId, Metadata: Object.fromEntries(page), ...(NextToken ? { NextToken } : {}) };
  },

  async UpdateOpsMetadata(input, ctx) {
    const r = await byArn(ctx, input.OpsMetadataArn);
    const metadata = { ...r.Metadata, ...(input.MetadataToUpdate ?? {}) };
    for (const k of (input.KeysToDelete ?? []) as string[]) delete metadata[k];
    checkKeys(metadata);
    await ctx.store.set(key(r.ResourceId), { ...r, Metadata: metadata, LastModifiedDate: ctx.clock.now() });
    return { OpsMetadataArn: arnOf(ctx, r.ResourceId) };
  },

  async DeleteOpsMetadata(input, ctx) {
    const r = await byArn(ctx, input.OpsMetadataArn);
    await ctx.store.delete(key(r.ResourceId));
    return {};
  },

  async ListOpsMetadata(input, ctx) {
    const filters: { Key: string; Values: string[] }[] = input.Filters ?? [];
    const all: Record<string, unknown>[] = [];
    for await (const e of ctx.store.list<OpsMetadataRecord>({ prefix: ["opsmetadata"] })) {
      const r = e.value;
      const ok = filters.every((f) => {
        if (f.Key === "ResourceId") return f.Values.includes(r.ResourceId);
        if (f.Key === "OpsMetadataArn") return f.Values.includes(arnOf(ctx, r.ResourceId));
        throw new AwsError("OpsMetadataInvalidArgumentException", `Filter key ${f.Key} is not valid.`, 400);
      });
      if (ok) all.push({ ResourceId: r.ResourceId, OpsMetadataArn: arnOf(ctx, r.ResourceId), LastModifiedDate: new Date(r.LastModifiedDate), LastModifiedUser: user(ctx), CreationDate: new Date(r.CreationDate) });
    }
    const { page, NextToken } = pageOf(all, input.MaxResults ?? 50, input.NextToken);
    return { OpsMetadataList: page, ...(NextToken ? { NextToken } : {}) };
  },
};
