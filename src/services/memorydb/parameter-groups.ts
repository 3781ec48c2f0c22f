/**
 * Parameter groups and their parameters.
 * Source: https://docs.aws.amazon.com/memorydb/latest/APIReference/API_CreateParameterGroup.html
 */
import type { Handler, Handlers, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/memorydb.ts";
import { allowedValue, FAMILIES, familyParameters } from "./catalog.ts";
import { fault, invalidCombination, invalidValue } from "./errors.ts";
import { event } from "./events.ts";
import { all, arn, get, type Obj, page } from "./state.ts";
import { setTags } from "./tags.ts";

export async function paramGroup(ctx: RequestContext, name: string): Promise<Obj> {
  const group = await get(ctx.store, "paramgroup", name);
  if (!group) throw fault("ParameterGroupNotFoundFault", `Parameter group ${name} not found.`);
  return group;
}

function describeGroup(g: Obj): Obj {
  return { Name: g.Name, Family: g.Family, Description: g.Description, ARN: g.ARN };
}

export const parameterGroupHandlers: Handlers<Ops> = {
  async CreateParameterGroup(input, ctx) {
    const name: string = input.ParameterGroupName;
    if (!(FAMILIES as readonly string[]).includes(input.Family)) throw invalidValue(`Invalid parameter group family: ${input.Family}. Valid families: ${FAMILIES.join(", ")}.`);
    if (!/^[a-zA-Z][a-zA-Z0-9-]*$/.test(name) || name.startsWith("default")) throw invalidValue(`Invalid parameter group name: ${name}.`);
    const group = { Name: name, Family: input.Family, Description: input.Description ?? "", ARN: arn(ctx, "parametergroup", name), values: {} };
    const result = await ctx.store.atomic().check({ key: ["paramgroup", name], versionstamp: null }).set(["paramgroup", name], group).commit();
    if (!result.ok) throw fault("ParameterGroupAlreadyExistsFault", `Parameter group ${name} already exists.`);
    await setTags(ctx, group.ARN, input.Tags);
    await event(ctx, name, "parameter-group", `Parameter group ${name} created`);
    return { ParameterGroup: describeGroup(group) };
  },

  async DeleteParameterGroup(input, ctx) {
    const group = await paramGroup(ctx, input.ParameterGroupName);
    if (group.Name.startsWith("default.")) throw invalidValue(`Cannot delete default parameter group ${group.Name}.`);
    if ((await all(ctx.store, "cluster")).some((c) => c.ParameterGroupName === group.Name)) {
      throw fault("InvalidParameterGroupStateFault", `Parameter group ${group.Name} is in use by a cluster.`);
    }
    await ctx.store.delete(["paramgroup", group.Name]);
    await ctx.store.delete(["tags", group.ARN]);
    return { ParameterGroup: describeGroup(group) };
  },

  async DescribeParameterGroups(input, ctx) {
    let groups = await all(ctx.store, "paramgroup");
    if (input.ParameterGroupName) {
      groups = groups.filter((g) => g.Name === input.ParameterGroupName);
      if (!groups.length) throw fault("ParameterGroupNotFoundFault", `Parameter group ${input.ParameterGroupName} not found.`);
    }
    const { items, NextToken } = page(groups, (g) => g.Name, input);
    return { ParameterGroups: items.map(describeGroup), NextToken };
  },

  async DescribeParameters(input, ctx) {
    const group = await paramGroup(ctx, input.ParameterGroupName);
    const params = familyParameters(group.Family).map((d) => ({
      Name: d.Name, Value: group.values[d.Name] ?? d.Value, Description: d.Description, DataType: d.DataType, AllowedValues: d.AllowedValues, MinimumEngineVersion: d.MinimumEngineVersion,
    }));
    const { items, NextToken } = page(params, (p) => p.Name, input);
    return { Parameters: items, NextToken };
  },

  async UpdateParameterGroup(input, ctx) {
    const group = await paramGroup(ctx, input.ParameterGroupName);
    if (group.Name.startsWith("default.")) throw invalidValue(`Cannot modify default parameter group ${group.Name}.`);
    const definitions = new Map(familyParameters(group.Family).map((d) => [d.Name, d]));
    const values = { ...group.values };
    for (const { ParameterName, ParameterValue } of input.ParameterNameValues as Obj[]) {
      const definition = definitions.get(ParameterName);
      if (!definition) throw invalidValue(`Unrecognized parameter name: ${ParameterName}`);
      if (ParameterValue === undefined || !allowedValue(definition, ParameterValue)) {
        throw invalidValue(`Value '${ParameterValue}' is not valid for parameter ${ParameterName}. Allowed values: ${definition.AllowedValues}`);
      }
      values[ParameterName] = ParameterValue;
    }
    await ctx.store.set(["paramgroup", group.Name], { ...group, values });
    return { ParameterGroup: describeGroup(group) };
  },

  async ResetParameterGroup(input, ctx) {
    const group = await paramGroup(ctx, input.ParameterGroupName);
    if (group.Name.startsWith("default.")) throw invalidValue(`Cannot modify default parameter group ${group.Name}.`);
    if (input.AllParameters && input.ParameterNames?.length) throw invalidCombination("Specify either AllParameters or ParameterNames, not both.");
    if (!input.AllParameters && !input.ParameterNames?.length) throw invalidCombination("Either AllParameters or ParameterNames must be specified.");
    const known = new Set(familyParameters(group.Family).map((d) => d.Name));
    let values: Obj = {};
    if (!input.AllParameters) {
      values = { ...group.values };
      for (const n of input.ParameterNames ?? []) {
        if (!known.has(n)) throw invalidValue(`Unrecognized parameter name: ${n}`);
        delete values[n];
      }
    }
    await ctx.store.set(["paramgroup", group.Name], { ...group, values });
    return { ParameterGroup: describeGroup(group) };
  },
};
