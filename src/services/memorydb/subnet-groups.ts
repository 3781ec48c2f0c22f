/**
 * Subnet groups (Create/Update/Delete/DescribeSubnetGroups).
 * Source: https://docs.aws.amazon.com/memorydb/latest/APIReference/API_CreateSubnetGroup.html
 */
import type { Handler, Handlers, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/memorydb.ts";
import { fault, invalidValue } from "./errors.ts";
import { event } from "./events.ts";
import { all, arn, get, hash, type Obj, page } from "./state.ts";
import { setTags } from "./tags.ts";

export function subnetGroup(ctx: RequestContext, name: string, description: string, subnetIds: string[], isDefault = false): Obj {
  const zones = ["a", "b", "c", "d", "e", "f"];
  return {
    Name: name,
    Description: description,
    VpcId: `vpc-${hash(ctx.accountId + ctx.region + (isDefault ? "default" : subnetIds.slice().sort().join(",")), 17).replace(/[^0-9a-f]/g, "0")}`,
    Subnets: subnetIds.map((id, i) => ({ Identifier: id, AvailabilityZone: { Name: `${ctx.region}${zones[i % zones.length]}` }, SupportedNetworkTypes: ["ipv4"] })),
    ARN: arn(ctx, "subnetgroup", name),
    SupportedNetworkTypes: ["ipv4"],
  };
}

function checkSubnets(ids: string[]): void {
  for (const id of ids) if (!/^subnet-[0-9a-f]{8,17}$/.test(id)) throw fault("InvalidSubnet", `The subnet ID ${id} does not exist`);
  if (ids.length > 20) throw fault("SubnetQuotaExceededFault", "The number of subnets in the subnet group exceeds the limit of 20.");
}

export const subnetGroupHandlers: Handlers<Ops> = {
  async CreateSubnetGroup(input, ctx) {
    const name: string = input.SubnetGroupName;
    if (!/^[a-z0-9][a-z0-9-]*$/i.test(name) || name.length > 255) throw invalidValue("Subnet group name must contain only letters, digits and hyphens.");
    checkSubnets(input.SubnetIds);
    const group = subnetGroup(ctx, name.toLowerCase(), input.Description ?? "", input.SubnetIds);
    const result = await ctx.store.atomic().check({ key: ["subnetgroup", group.Name], versionstamp: null }).set(["subnetgroup", group.Name], group).commit();
    if (!result.ok) throw fault("SubnetGroupAlreadyExistsFault", `Subnet group ${group.Name} already exists.`);
    await setTags(ctx, group.ARN, input.Tags);
    await event(ctx, group.Name, "subnet-group", `Subnet group ${group.Name} created`);
    return { SubnetGroup: group };
  },

  async UpdateSubnetGroup(input, ctx) {
    const group = await get(ctx.store, "subnetgroup", input.SubnetGroupName);
    if (!group) throw fault("SubnetGroupNotFoundFault", `Subnet group ${input.SubnetGroupName} not found.`);
    if (input.SubnetIds) checkSubnets(input.SubnetIds);
    const fresh = input.SubnetIds ? subnetGroup(ctx, group.Name, group.Description, input.SubnetIds, group.Name === "default") : group;
    const next = { ...fresh, VpcId: group.VpcId, Description: input.Description ?? group.Description };
    await ctx.store.set(["subnetgroup", group.Name], next);
    return { SubnetGroup: next };
  },

  async DeleteSubnetGroup(input, ctx) {
    const group = await get(ctx.store, "subnetgroup", input.SubnetGroupName);
    if (!group) throw fault("SubnetGroupNotFoundFault", `Subnet group ${input.SubnetGroupName} not found.`);
    if (group.Name === "default") throw invalidValue("Cannot delete default subnet group.");
    if ((await all(ctx.store, "cluster")).some((c) => c.SubnetGroupName === group.Name)) throw fault("SubnetGroupInUseFault", `Subnet group ${group.Name} is currently in use by a cluster.`);
    await ctx.store.delete(["subnetgroup", group.Name]);
    await ctx.store.delete(["tags", group.ARN]);
    return { SubnetGroup: group };
  },

  async DescribeSubnetGroups(input, ctx) {
    let groups = await all(ctx.store, "subnetgroup");
    if (input.SubnetGroupName) {
      groups = groups.filter((g) => g.Name === input.SubnetGroupName);
      if (!groups.length) throw fault("SubnetGroupNotFoundFault", `Subnet group ${input.SubnetGroupName} not found.`);
    }
    const { items, NextToken } = page(groups, (g) => g.Name, input);
    return { SubnetGroups: items, NextToken };
  },
};
