/**
 * Tags on SSM resources other than parameters (AddTagsToResource, RemoveTagsFromResource,
 * ListTagsForResource; parameters are handled in index.ts). Each record keeps its own tags, the
 * ones its listings filter on. ResourceId per type, as AWS documents it: a document's name,
 * `mw-...`, `oi-...`, `pb-...`, an Automation execution id, an association id, and for
 * OpsMetadata the part of its ARN after `opsmetadata/` (with or without a leading slash).
 * `ManagedInstance` has no resources here (no managed nodes): `InvalidResourceId`, as for any id
 * that names nothing (AWS-owned documents and baselines included).
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_AddTagsToResource.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Key } from "../../store/types.ts";
import type { RequestContext } from "../types.ts";

export interface Tag {
  Key: string;
  Value: string;
}

/** A resource's tags, the most it may hold, and how to store new ones. */
export interface TagHolder {
  tags: Tag[];
  max: number;
  save(tags: Tag[]): Promise<void>;
}

interface TagSpec {
  /** Where the record may be, first match wins. */
  keys(id: string): Key[];
  field: "tags" | "Tags";
  max: number;
}

// The store keys each module keeps its records under (documents.ts, maintenance-windows.ts, ...).
const TYPES: Record<string, TagSpec> = {
  Document: { keys: (id) => [["doc", id]], field: "tags", max: 50 },
  MaintenanceWindow: { keys: (id) => [["mw", id]], field: "Tags", max: 50 },
  OpsItem: { keys: (id) => [["opsitem", id]], field: "tags", max: 50 },
  PatchBaseline: { keys: (id) => [["baseline", id]], field: "tags", max: 50 },
  OpsMetadata: { keys: (id) => [["opsmetadata", id], ["opsmetadata", id.startsWith("/") ? id.slice(1) : `/${id}`]], field: "tags", max: 50 },
  // "Automations can have a maximum of 5 tags."
  Automation: { keys: (id) => [["automation", id]], field: "tags", max: 5 },
  Association: { keys: (id) => [["association", id]], field: "tags", max: 50 },
};

export async function resourceTags(ctx: RequestContext, type: string, id: string): Promise<TagHolder> {
  const spec = TYPES[type];
  for (const key of spec?.keys(id) ?? []) {
    const record = (await ctx.store.get<Record<string, unknown>>(key)).value;
    if (!record) continue;
    return {
      tags: (record[spec.field] as Tag[] | undefined) ?? [],
      max: spec.max,
      save: async (tags) => void (await ctx.store.set(key, { ...record, [spec.field]: tags })),
    };
  }
  throw new AwsError("InvalidResourceId", `The resource ID ${id} of type ${type} is not valid.`, 400);
}
