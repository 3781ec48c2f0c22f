/**
 * AWS Systems Manager over awsJson 1.1 (AmazonSSM.*): Parameter Store and the operations around it.
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_Operations.html
 *
 * Parameters with versions, labels, tiers, data types, allowed patterns and policies
 * (parameters.ts); SecureString values encrypted with real KMS keys through ctx.invoke
 * (secure.ts); tags on parameters; change events to EventBridge (events.ts). The other handlers
 * live in files named for what they hold (documents, maintenance windows, associations, OpsItems,
 * patch baselines, commands and managed nodes, ...); Automation and the patch catalog have no
 * handler and answer 501 (docs/ssm.md).
 */
import { defineService, type Handler, type RequestContext } from "../types.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import { AwsError } from "../../protocol/errors.ts";
import model from "../../../models/ssm.json" with { type: "json" };
import {
  checkDataType, checkLabel, checkName, checkWritable, checkPattern, loadParam, MAX_VERSIONS, notFound, paramKey, parameterArn, parsePolicies,
  parseSelector, selectVersion, validation, type ParamRecord, type ParamVersion,
} from "./parameters.ts";
import { DEFAULT_KEY, seal, unseal } from "./secure.ts";
import { ssmAuthorization } from "./authorization.ts";
import { documentHandlers } from "./documents.ts";
import { maintenanceWindowHandlers } from "./maintenance-windows.ts";
import { maintenanceWindowTargetHandlers } from "./maintenance-window-targets.ts";
import { maintenanceWindowTaskHandlers } from "./maintenance-window-tasks.ts";
import { maintenanceWindowExecutionHandlers } from "./maintenance-window-executions.ts";
import { notifyParameterChange } from "./events.ts";
import { documentSharingHandlers } from "./document-sharing.ts";
import { commandHandlers } from "./commands.ts";
import { managedNodeHandlers } from "./managed-nodes.ts";
import { associationHandlers } from "./associations.ts";
import { opsItemHandlers } from "./ops-items.ts";
import { opsMetadataHandlers } from "./ops-metadata.ts";
import { serviceSetting, serviceSettingHandlers } from "./service-settings.ts";
import { patchBaselineHandlers } from "./patch-baselines.ts";
import { resourceDataSyncHandlers } from "./resource-data-sync.ts";
import { inventoryComplianceHandlers } from "./inventory-compliance.ts";
import { resourcePolicyHandlers } from "./resource-policies.ts";
import { calendarHandlers } from "./calendar.ts";
import { isPublicName, publicParameters } from "./public-parameters.ts";
import { armPolicies, ensurePolicyTimers } from "./policy-actions.ts";
import { patchHandlers } from "./patches.ts";
import { accessRequestHandlers } from "./access-requests.ts";
import { executionPreviewHandlers } from "./execution-preview.ts";
import { changeRequestHandlers, ensureChangeRequestTimers } from "./change-requests.ts";
import { opsSummaryHandlers } from "./ops-summary.ts";
import { automationHandlers } from "./automation.ts";
import { resourceTags, type Tag, type TagHolder } from "./tags.ts";

const STANDARD_MAX = 4096;
const ADVANCED_MAX = 8192;
const MAX_LABELS = 10;
const MAX_TAGS = 50;

function current(record: ParamRecord): ParamVersion {
  return record.versions[record.versions.length - 1];
}

async function valueOf(ctx: RequestContext, record: ParamRecord, version: ParamVersion, decrypt: boolean): Promise<string> {
  if (version.type !== "SecureString" || !decrypt) return version.value;
  return unseal(ctx, parameterArn(ctx, record.name), version.value);
}

async function parameterView(ctx: RequestContext, record: ParamRecord, version: ParamVersion, decrypt: boolean, selector?: string): Promise<Record<string, unknown>> {
  return {
    Name: record.name,
    Type: version.type,
    Value: await valueOf(ctx, record, version, decrypt),
    Version: version.version,
    ...(selector !== undefined ? { Selector: `:${selector}` } : {}),
    LastModifiedDate: new Date(version.modifiedAt),
    ARN: parameterArn(ctx, record.name),
    DataType: version.dataType,
  };
}

function metadataView(ctx: RequestContext, record: ParamRecord): Record<string, unknown> {
  const v = current(record);
  return {
    Name: record.name,
    ARN: parameterArn(ctx, record.name),
    Type: v.type,
    ...(v.keyId ? { KeyId: v.keyId } : {}),
    LastModifiedDate: new Date(v.modifiedAt),
    LastModifiedUser: v.modifiedBy,
    ...(v.description !== undefined ? { Description: v.description } : {}),
    ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
    Version: v.version,
    Tier: v.tier,
    Policies: v.policies.map(({ PolicyText, PolicyType, PolicyStatus }) => ({ PolicyText, PolicyType, PolicyStatus })),
    DataType: v.dataType,
  };
}

function paginate<T>(items: T[], max: number, token: string | undefined): { page: T[]; NextToken?: string } {
  let start = 0;
  if (token !== undefined) {
    let parsed = NaN;
    try {
      parsed = /^\d+$/.test(atob(token)) ? Number(atob(token)) : NaN;
    } catch {
      // invalid base64
    }
    if (!Number.isInteger(parsed) || parsed > items.length) throw new AwsError("InvalidNextToken", "The specified token is not valid.", 400);
    start = parsed;
  }
  const page = items.slice(start, start + max);
  return { page, ...(start + max < items.length ? { NextToken: btoa(String(start + max)) } : {}) };
}

async function allParams(ctx: RequestContext): Promise<ParamRecord[]> {
  const out: ParamRecord[] = [];
  for await (const entry of ctx.store.list<ParamRecord>({ prefix: ["param"] })) {
    const record = await loadParam(ctx, entry.value.name);
    if (record) out.push(record);
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

interface StringFilter {
  Key: string;
  Option?: string;
  Values?: string[];
}

const FILTER_OPTIONS: Record<string, string[]> = {
  Name: ["Equals", "BeginsWith", "Contains"],
  Path: ["OneLevel", "Recursive"],
  Type: ["Equals"],
  KeyId: ["Equals"],
  Tier: ["Equals"],
  DataType: ["Equals"],
  Label: ["Equals"],
};

function checkStringFilters(filters: StringFilter[], allowed: string[]): void {
  for (const filter of filters) {
    const key = filter.Key.startsWith("tag:") ? "tag" : filter.Key;
    if (!allowed.includes(key)) throw new AwsError("InvalidFilterKey", `The following filter key is not valid: ${filter.Key}. Valid filter keys include: [${allowed.join(", ")}].`, 400);
    const options = key === "tag" ? ["Equals"] : FILTER_OPTIONS[key];
    if (filter.Option !== undefined && !options.includes(filter.Option)) {
      throw new AwsError("InvalidFilterOption", `The following filter option is not valid: ${filter.Option}. Valid options include: [${options.join(", ")}].`, 400);
    }
    if (key !== "tag" && (!filter.Values || filter.Values.length === 0)) {
      throw new AwsError("InvalidFilterValue", `The following filter values are missing : null for filter key ${filter.Key}.`, 400);
    }
    if (key === "Path") {
      for (const value of filter.Values ?? []) if (!value.startsWith("/")) throw new AwsError("InvalidFilterValue", `The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". Filter value: ${value}`, 400);
    }
  }
}

function underPath(name: string, path: string, recursive: boolean): boolean {
  const prefix = path.endsWith("/") ? path : path + "/";
  if (!name.startsWith(prefix)) return false;
  return recursive || !name.slice(prefix.length).includes("/");
}

function matchesString(record: ParamRecord, filter: StringFilter): boolean {
  const v = current(record);
  const values = filter.Values ?? [];
  if (filter.Key.startsWith("tag:")) {
    const tag = record.tags.find((t) => t.Key === filter.Key.slice(4));
    return !!tag && (values.length === 0 || values.includes(tag.Value));
  }
  switch (filter.Key) {
    case "Name": {
      const option = filter.Option ?? "Equals";
      const names = [record.name, record.name.replace(/^\//, "")];
      return values.some((value) => {
        const wanted = value.replace(/^\//, "");
        const bare = names[1];
        return option === "Equals" ? bare === wanted : option === "BeginsWith" ? bare.startsWith(wanted) : bare.includes(wanted);
      });
    }
    case "Path":
      return values.some((path) => underPath(record.name, path, filter.Option === "Recursive"));
    case "Type":
      return values.includes(v.type);
    case "KeyId":
      return v.keyId !== undefined && values.includes(v.keyId);
    case "Tier":
      return values.includes(v.tier);
    case "DataType":
      return values.includes(v.dataType);
    case "Label":
      return record.versions.some((version) => version.labels.some((l) => values.includes(l)));
    default:
      return false;
  }
}

function checkTags(tags: { Key: string; Value: string }[]): void {
  for (const tag of tags) {
    if (tag.Key.toLowerCase().startsWith("aws:")) throw validation("Tag keys can't start with aws:");
  }
}

async function save(ctx: RequestContext, record: ParamRecord, versionstamp: string | null): Promise<void> {
  const result = await ctx.store.atomic().check({ key: paramKey(record.name), versionstamp }).set(paramKey(record.name), record).commit();
  if (!result.ok) throw new AwsError("TooManyUpdates", "There are concurrent updates for a resource that supports one update at a time.", 400);
}

const handlers: Record<string, Handler> = {
  async PutParameter(input, ctx) {
    const name: string = input.Name;
    checkName(name);
    const value: string = input.Value;
    if (value.length === 0) throw validation("1 validation error detected: Value '' at 'value' failed to satisfy constraint: Member must have length greater than or equal to 1");
    const entry = await ctx.store.get<ParamRecord>(paramKey(name));
    const existing = entry.value ? await loadParam(ctx, name) : null;
    const stamp = existing ? entry.versionstamp : (await ctx.store.get(paramKey(name))).versionstamp;
    if (existing && !input.Overwrite) {
      throw new AwsError("ParameterAlreadyExists", "The parameter already exists. To overwrite this value, set the overwrite option in the request to true.", 400);
    }
    if (input.Tags?.length && input.Overwrite) {
      throw validation("Invalid request: tags and overwrite can't be used together. To create a parameter with tags, please remove overwrite flag. To update tags for an existing parameter, please use AddTagsToResource or RemoveTagsFromResource.");
    }
    const previous = existing ? current(existing) : undefined;
    const type: ParamVersion["type"] | undefined = input.Type ?? previous?.type;
    if (!type) throw validation("A parameter type is required when you create a parameter.");
    if (previous && input.Type && input.Type !== previous.type) {
      throw new AwsError("HierarchyTypeMismatchException", "Parameter Store doesn't support changing a parameter type in a hierarchy. For example, you can't change a parameter from a String type to a SecureString type. You must create a new, unique parameter.", 400);
    }
    if (input.KeyId && type !== "SecureString") throw validation("KeyId is only supported for the SecureString parameter type.");
    // New policies start Pending; kept ones carry on, except NoChangeNotification, which a new version re-arms.
    const policies = input.Policies !== undefined
      ? parsePolicies(input.Policies).map((p) => ({ ...p, createdAt: ctx.clock.now() }))
      : (previous?.policies ?? []).map((p) => (p.PolicyType === "NoChangeNotification" ? { ...p, PolicyStatus: "Pending" } : p));
    let tier: "Standard" | "Advanced";
    const requested: string = input.Tier ?? previous?.tier ?? await serviceSetting(ctx, "/ssm/parameter-store/default-parameter-tier");
    if (requested === "Intelligent-Tiering") tier = value.length > STANDARD_MAX || policies.length > 0 || previous?.tier === "Advanced" ? "Advanced" : "Standard";
    else tier = requested as "Standard" | "Advanced";
    if (previous?.tier === "Advanced" && tier === "Standard") {
      throw validation("This parameter uses the advanced-parameter tier. You can't downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.");
    }
    if (tier === "Standard" && value.length > STANDARD_MAX) {
      throw validation(`Standard tier parameters support a maximum parameter value of ${STANDARD_MAX} characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html`);
    }
    if (value.length > ADVANCED_MAX) throw validation(`Advanced tier parameters support a maximum parameter value of ${ADVANCED_MAX} characters.`);
    if (tier === "Standard" && policies.length > 0) {
      throw validation("Parameter policies are supported only for parameters in the advanced-parameter tier (Tier: Advanced or Intelligent-Tiering).");
    }
    const dataType: string = input.DataType ?? previous?.dataType ?? "text";
    checkDataType(dataType, type, value);
    const allowedPattern: string | undefined = input.AllowedPattern ?? previous?.allowedPattern;
    checkPattern(allowedPattern, value);
    const tags = input.Tags ?? [];
    checkTags(tags);
    if (tags.length > MAX_TAGS) throw new AwsError("TooManyTagsError", "The Tags list exceeds the maximum of 50 tags.", 400);

    let versions = existing?.versions ?? [];
    if (versions.length >= MAX_VERSIONS) {
      const oldest = versions[0];
      if (oldest.labels.length > 0) {
        throw new AwsError("ParameterMaxVersionLimitExceeded", `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${oldest.version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`, 400);
      }
      versions = versions.slice(1);
    }
    let stored = value;
    let keyId: string | undefined;
    if (type === "SecureString") {
      const key: string = input.KeyId ?? previous?.keyId ?? DEFAULT_KEY;
      keyId = key;
      stored = (await seal(ctx, key, parameterArn(ctx, name), value)).value;
    }
    const description: string | undefined = input.Description ?? previous?.description;
    const version: ParamVersion = {
      version: (previous?.version ?? 0) + 1,
      type,
      value: stored,
      ...(keyId ? { keyId } : {}),
      ...(description !== undefined ? { description } : {}),
      ...(allowedPattern !== undefined ? { allowedPattern } : {}),
      tier,
      policies,
      dataType,
      labels: [],
      modifiedAt: ctx.clock.now(),
      modifiedBy: `arn:aws:iam::${ctx.accountId}:root`,
    };
    const saved: ParamRecord = { name, tags: existing?.tags ?? tags.map((t: { Key: string; Value: string }) => ({ Key: t.Key, Value: t.Value })), versions: [...versions, version] };
    await save(ctx, saved, stamp);
    armPolicies(ctx, saved);
    notifyParameterChange(ctx, existing ? "Update" : "Create", name, type, description);
    return { Version: version.version, Tier: tier };
  },

  async GetParameter(input, ctx) {
    const { name, selector } = parseSelector(ctx, input.Name);
    const record = await loadParam(ctx, name);
    if (!record) throw notFound();
    const version = selectVersion(record, selector);
    return { Parameter: await parameterView(ctx, record, version, input.WithDecryption === true, selector) };
  },

  async GetParameters(input, ctx) {
    const parameters: Record<string, unknown>[] = [];
    const invalid: string[] = [];
    for (const raw of new Set<string>(input.Names)) {
      const { name, selector } = parseSelector(ctx, raw);
      const record = await loadParam(ctx, name);
      let version: ParamVersion | undefined;
      try {
        version = record ? selectVersion(record, selector) : undefined;
      } catch {
        version = undefined;
      }
      if (!record || !version) invalid.push(raw);
      else parameters.push(await parameterView(ctx, record, version, input.WithDecryption === true, selector));
    }
    return { Parameters: parameters, InvalidParameters: invalid };
  },

  async GetParametersByPath(input, ctx) {
    const path: string = input.Path;
    if (!path.startsWith("/")) throw validation(`The parameter doesn't meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can't be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.`);
    const filters: StringFilter[] = input.ParameterFilters ?? [];
    checkStringFilters(filters, ["Type", "KeyId", "Label", "DataType", "tag"]);
    // Paths under /aws/service read AWS's public parameters; no one else's are there.
    const pool = isPublicName(path.endsWith("/") ? path : path + "/") ? publicParameters(ctx) : await allParams(ctx);
    const matching = pool.filter((r) => underPath(r.name, path, input.Recursive === true) && filters.every((f) => matchesString(r, f)));
    const { page, NextToken } = paginate(matching, input.MaxResults ?? 10, input.NextToken);
    const parameters = [];
    for (const record of page) parameters.push(await parameterView(ctx, record, current(record), input.WithDecryption === true));
    return { Parameters: parameters, ...(NextToken ? { NextToken } : {}) };
  },

  async DescribeParameters(input, ctx) {
    if (input.Filters && input.ParameterFilters) {
      throw validation("You can use either Filters or ParameterFilters in a single request.");
    }
    const filters: StringFilter[] = input.ParameterFilters ?? [];
    checkStringFilters(filters, ["Name", "Type", "KeyId", "Path", "Tier", "DataType", "tag"]);
    const legacy: { Key: string; Values: string[] }[] = input.Filters ?? [];
    const matching = (await allParams(ctx)).filter((r) =>
      filters.every((f) => matchesString(r, f)) &&
      legacy.every((f) => matchesString(r, { Key: f.Key, Option: f.Key === "Name" ? "BeginsWith" : "Equals", Values: f.Values })));
    const { page, NextToken } = paginate(matching, input.MaxResults ?? 50, input.NextToken);
    return { Parameters: page.map((r) => metadataView(ctx, r)), ...(NextToken ? { NextToken } : {}) };
  },

  async DeleteParameter(input, ctx) {
    checkWritable(ctx, input.Name);
    const record = await loadParam(ctx, input.Name);
    if (!record) throw notFound();
    await ctx.store.delete(paramKey(record.name));
    notifyParameterChange(ctx, "Delete", record.name, current(record).type, current(record).description);
    return {};
  },

  async DeleteParameters(input, ctx) {
    const deleted: string[] = [];
    const invalid: string[] = [];
    for (const name of input.Names as string[]) checkWritable(ctx, name);
    for (const name of new Set<string>(input.Names)) {
      const record = await loadParam(ctx, name);
      if (!record) {
        invalid.push(name);
        continue;
      }
      await ctx.store.delete(paramKey(name));
      notifyParameterChange(ctx, "Delete", record.name, current(record).type, current(record).description);
      deleted.push(name);
    }
    return { DeletedParameters: deleted, InvalidParameters: invalid };
  },

  async GetParameterHistory(input, ctx) {
    const { name } = parseSelector(ctx, input.Name);
    const record = await loadParam(ctx, name);
    if (!record) throw notFound();
    const { page, NextToken } = paginate(record.versions, input.MaxResults ?? 50, input.NextToken);
    const history = [];
    for (const v of page) {
      history.push({
        Name: record.name,
        Type: v.type,
        ...(v.keyId ? { KeyId: v.keyId } : {}),
        LastModifiedDate: new Date(v.modifiedAt),
        LastModifiedUser: v.modifiedBy,
        ...(v.description !== undefined ? { Description: v.description } : {}),
        Value: await valueOf(ctx, record, v, input.WithDecryption === true),
        ...(v.allowedPattern !== undefined ? { AllowedPattern: v.allowedPattern } : {}),
        Version: v.version,
        Labels: v.labels,
        Tier: v.tier,
        Policies: v.policies.map(({ PolicyText, PolicyType, PolicyStatus }) => ({ PolicyText, PolicyType, PolicyStatus })),
        DataType: v.dataType,
      });
    }
    return { Parameters: history, ...(NextToken ? { NextToken } : {}) };
  },

  async LabelParameterVersion(input, ctx) {
    checkWritable(ctx, input.Name);
    const entry = await ctx.store.get<ParamRecord>(paramKey(input.Name));
    const record = entry.value ? await loadParam(ctx, input.Name) : null;
    if (!record) throw notFound();
    const target = input.ParameterVersion !== undefined ? selectVersion(record, String(input.ParameterVersion)) : current(record);
    const labels: string[] = input.Labels;
    const invalid = labels.filter((l) => !checkLabel(l));
    const valid = [...new Set(labels.filter((l) => checkLabel(l)))];
    const merged = [...new Set([...target.labels, ...valid])];
    if (merged.length > MAX_LABELS) {
      throw new AwsError("ParameterVersionLabelLimitExceeded", `A parameter version can have a maximum of ${MAX_LABELS} labels. Move one or more labels to another version and try again.`, 400);
    }
    const versions = record.versions.map((v) =>
      v.version === target.version ? { ...v, labels: merged } : v.labels.some((l) => valid.includes(l)) ? { ...v, labels: v.labels.filter((l) => !valid.includes(l)) } : v);
    await save(ctx, { ...record, versions }, entry.versionstamp);
    if (valid.length) notifyParameterChange(ctx, "LabelParameterVersion", record.name, current(record).type, current(record).description);
    return { InvalidLabels: invalid, ParameterVersion: target.version };
  },

  async UnlabelParameterVersion(input, ctx) {
    checkWritable(ctx, input.Name);
    const entry = await ctx.store.get<ParamRecord>(paramKey(input.Name));
    const record = entry.value ? await loadParam(ctx, input.Name) : null;
    if (!record) throw notFound();
    const target = selectVersion(record, String(input.ParameterVersion));
    const labels: string[] = input.Labels;
    const removed = labels.filter((l) => target.labels.includes(l));
    const invalid = labels.filter((l) => !target.labels.includes(l));
    const versions = record.versions.map((v) => (v.version === target.version ? { ...v, labels: v.labels.filter((l) => !removed.includes(l)) } : v));
    await save(ctx, { ...record, versions }, entry.versionstamp);
    return { RemovedLabels: removed, InvalidLabels: invalid };
  },

  async AddTagsToResource(input, ctx) {
    const holder = await taggable(ctx, input.ResourceType, input.ResourceId, true);
    checkTags(input.Tags);
    const tags = holder.tags.filter((t) => !input.Tags.some((n: Tag) => n.Key === t.Key)).concat(input.Tags.map((t: Tag) => ({ Key: t.Key, Value: t.Value })));
    if (tags.length > holder.max) throw new AwsError("TooManyTagsError", `The Tags list exceeds the maximum of ${holder.max} tags.`, 400);
    await holder.save(tags);
    return {};
  },

  async RemoveTagsFromResource(input, ctx) {
    const holder = await taggable(ctx, input.ResourceType, input.ResourceId, true);
    await holder.save(holder.tags.filter((t) => !input.TagKeys.includes(t.Key)));
    return {};
  },

  async ListTagsForResource(input, ctx) {
    return { TagList: (await taggable(ctx, input.ResourceType, input.ResourceId)).tags };
  },
};

/** A parameter's tags (by name, selector or ARN); other resource types in tags.ts. */
async function taggable(ctx: RequestContext, type: string, id: string, write = false): Promise<TagHolder> {
  if (type !== "Parameter") return resourceTags(ctx, type, id);
  if (write) checkWritable(ctx, id);
  const { name } = parseSelector(ctx, id);
  const record = await loadParam(ctx, name);
  if (!record) throw new AwsError("InvalidResourceId", `The resource ID ${id} of type ${type} is not valid.`, 400);
  return { tags: record.tags, max: MAX_TAGS, save: async (tags) => void (await ctx.store.set(paramKey(record.name), { ...record, tags })) };
}

const allHandlers: Record<string, Handler> = {
    ...handlers, ...documentHandlers, ...maintenanceWindowHandlers, ...maintenanceWindowTargetHandlers, ...maintenanceWindowTaskHandlers,
    ...maintenanceWindowExecutionHandlers, ...documentSharingHandlers, ...commandHandlers, ...managedNodeHandlers,
    ...associationHandlers, ...opsItemHandlers, ...opsMetadataHandlers, ...serviceSettingHandlers,
    ...patchBaselineHandlers, ...resourceDataSyncHandlers, ...inventoryComplianceHandlers, ...resourcePolicyHandlers,
    ...calendarHandlers, ...automationHandlers, ...(patchHandlers as Record<string, Handler>),
    ...(accessRequestHandlers as Record<string, Handler>), ...(executionPreviewHandlers as Record<string, Handler>),
    // After automationHandlers: SendAutomationSignal handles change requests, then the rest.
    ...(changeRequestHandlers as Record<string, Handler>), ...(opsSummaryHandlers as Record<string, Handler>),
};

export default defineService({
  name: "ssm",
  authorization: ssmAuthorization,
  model: model as unknown as ServiceModel,
  handlers: allHandlers,
  // Timers do not survive a restart: re-arm every stored parameter policy and scheduled change request (due ones act at once).
  setup(env) {
    env.waitUntil((async () => {
      for await (const { accountId, region } of env.scopes()) {
        const ctx = env.contextFor(accountId, region);
        await ensurePolicyTimers(ctx);
        await ensureChangeRequestTimers(ctx);
      }
    })());
  },
});
