/**
 * Tags by resource ARN (ListTags, TagResource, UntagResource) and tag checks used on create.
 * Source: https://docs.aws.amazon.com/memorydb/latest/APIReference/API_TagResource.html
 */
import type { Handler, Handlers, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/memorydb.ts";
import type { Store } from "../../store/types.ts";
import { fault, invalidValue } from "./errors.ts";
import type { Obj } from "./state.ts";

const MAX_TAGS = 50;

export function checkTags(tags: { Key?: string; Value?: string }[] | undefined): void {
  if (!tags) return;
  if (tags.length > MAX_TAGS) throw fault("TagQuotaPerResourceExceeded", `The number of tags exceeds the limit of ${MAX_TAGS}.`);
  for (const t of tags) {
    if (!t.Key) throw invalidValue("Tag keys must not be empty.");
    if (t.Key.toLowerCase().startsWith("aws:")) throw invalidValue("Tag keys must not start with 'aws:'.");
  }
}

export async function setTags(ctx: RequestContext, resourceArn: string, tags: { Key?: string; Value?: string }[] | undefined): Promise<void> {
  checkTags(tags);
  // checkTags refused empty keys.
  if (tags?.length) await ctx.store.set(["tags", resourceArn], tags.map((t) => ({ Key: t.Key!, Value: t.Value ?? "" })));
}

const ARN_TYPES: Record<string, [string, string]> = {
  cluster: ["cluster", "ClusterNotFoundFault"],
  user: ["user", "UserNotFoundFault"],
  acl: ["acl", "ACLNotFoundFault"],
  subnetgroup: ["subnetgroup", "SubnetGroupNotFoundFault"],
  parametergroup: ["paramgroup", "ParameterGroupNotFoundFault"],
  snapshot: ["snapshot", "SnapshotNotFoundFault"],
  reservednode: ["reserved", "ReservedNodeNotFoundFault"],
  multiregioncluster: ["mrc", "MultiRegionClusterNotFoundFault"],
};

async function resolveArn(ctx: RequestContext, resourceArn: string): Promise<void> {
  const m = /^arn:aws[a-z-]*:memorydb:([a-z0-9-]*):(\d{12}):([a-z]+)\/(.+)$/.exec(resourceArn);
  if (!m || !ARN_TYPES[m[3]]) throw fault("InvalidARNFault", `The ARN ${resourceArn} is not valid.`);
  const [kind, notFound] = ARN_TYPES[m[3]];
  const store = kind === "mrc" ? ctx.globalStore : ctx.store;
  const key = kind === "mrc" ? [kind, ctx.accountId, m[4]] : [kind, m[4]];
  if (m[2] !== ctx.accountId || (kind !== "mrc" && m[1] !== ctx.region) || !(await store.get(key)).value) {
    throw fault(notFound, `${m[3]} ${m[4]} not found.`);
  }
}

/** Multi-region clusters live in the account-wide store, and so do their tags. */
function tagStore(ctx: RequestContext, resourceArn: string): Store {
  return resourceArn.includes(":multiregioncluster/") ? ctx.globalStore : ctx.store;
}

async function tagsOf(ctx: RequestContext, resourceArn: string): Promise<Obj[]> {
  return (await tagStore(ctx, resourceArn).get<Obj[]>(["tags", resourceArn])).value ?? [];
}

export const tagHandlers: Handlers<Ops> = {
  async ListTags(input, ctx) {
    await resolveArn(ctx, input.ResourceArn);
    return { TagList: await tagsOf(ctx, input.ResourceArn) };
  },

  async TagResource(input, ctx) {
    await resolveArn(ctx, input.ResourceArn);
    const tags = new Map((await tagsOf(ctx, input.ResourceArn)).map((t) => [t.Key, t]));
    for (const t of input.Tags) tags.set(t.Key, { Key: t.Key, Value: t.Value ?? "" });
    checkTags([...tags.values()]);
    await tagStore(ctx, input.ResourceArn).set(["tags", input.ResourceArn], [...tags.values()]);
    return { TagList: [...tags.values()] };
  },

  async UntagResource(input, ctx) {
    await resolveArn(ctx, input.ResourceArn);
    const tags = await tagsOf(ctx, input.ResourceArn);
    for (const key of input.TagKeys as string[]) {
      if (!tags.some((t) => t.Key === key)) throw fault("TagNotFoundFault", `Tag ${key} not found on resource ${input.ResourceArn}.`);
    }
    const left = tags.filter((t) => !input.TagKeys.includes(t.Key));
    await tagStore(ctx, input.ResourceArn).set(["tags", input.ResourceArn], left);
    return { TagList: left };
  },
};
