/**
 * Multi-Region clusters (state only), kept in the account-wide store.
 * Source: https://docs.aws.amazon.com/memorydb/latest/APIReference/API_CreateMultiRegionCluster.html
 */
import type { Handler, Handlers, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/memorydb.ts";
import { familyParameters, nodeFamily } from "./catalog.ts";
import { checkCounts, checkEngine, checkNodeType, engineVersionFor } from "./cluster-config.ts";
import { fault, invalidCombination, invalidValue } from "./errors.ts";
import { hash, type Obj, page } from "./state.ts";
import { checkTags } from "./tags.ts";

const MR_PREFIX: Record<string, string> = { "us-west-1": "virxk" };

const MR_PARAMETER_GROUP = { Name: "default.memorydb-valkey7.multiregion", Family: "memorydb_valkey7", Description: "Default multi-region parameter group for memorydb_valkey7" };

export async function mrCluster(ctx: RequestContext, name: string): Promise<Obj> {
  const found = (await ctx.globalStore.get<Obj>(["mrc", ctx.accountId, name])).value;
  if (!found) throw fault("MultiRegionClusterNotFoundFault", `Multi-region cluster ${name} not found.`);
  return found;
}

function describeMr(mr: Obj, showClusters: boolean, status?: string): Obj {
  const { clusters, ...rest } = mr;
  return { ...rest, Status: status ?? rest.Status, ...(showClusters ? { Clusters: clusters } : {}) };
}

export const multiRegionHandlers: Handlers<Ops> = {
  async CreateMultiRegionCluster(input, ctx) {
    const engine = checkEngine(input.Engine ?? "valkey");
    if (engine !== "valkey") throw invalidValue("Multi-Region clusters support only the valkey engine.");
    const version = engineVersionFor(engine, input.EngineVersion);
    checkNodeType(input.NodeType);
    const shards: number = input.NumShards ?? 1;
    checkCounts(shards, 0);
    if (input.MultiRegionParameterGroupName && input.MultiRegionParameterGroupName !== MR_PARAMETER_GROUP.Name) {
      throw fault("MultiRegionParameterGroupNotFoundFault", `Multi-region parameter group ${input.MultiRegionParameterGroupName} not found.`);
    }
    if (input.TLSEnabled === false) throw invalidCombination("TLS must be enabled for multi-Region clusters.");
    checkTags(input.Tags);
    const name = `${MR_PREFIX[ctx.region] ?? hash(ctx.region, 5).replace(/[0-9]/g, "x")}-${input.MultiRegionClusterNameSuffix}`;
    const mr = {
      MultiRegionClusterName: name,
      Description: input.Description,
      Status: "available",
      NodeType: input.NodeType,
      Engine: engine,
      EngineVersion: version.EngineVersion,
      NumberOfShards: shards,
      MultiRegionParameterGroupName: input.MultiRegionParameterGroupName ?? MR_PARAMETER_GROUP.Name,
      TLSEnabled: true,
      ARN: `arn:aws:memorydb::${ctx.accountId}:multiregioncluster/${name}`,
      clusters: [] as Obj[],
    };
    const key = ["mrc", ctx.accountId, name];
    const result = await ctx.globalStore.atomic().check({ key, versionstamp: null }).set(key, mr).commit();
    if (!result.ok) throw fault("MultiRegionClusterAlreadyExistsFault", `Multi-region cluster ${name} already exists.`);
    if (input.Tags?.length) await ctx.globalStore.set(["tags", mr.ARN], input.Tags);
    return { MultiRegionCluster: describeMr(mr, false, "creating") };
  },

  async DescribeMultiRegionClusters(input, ctx) {
    const all: Obj[] = [];
    for await (const entry of ctx.globalStore.list<Obj>({ prefix: ["mrc", ctx.accountId] })) all.push(entry.value);
    let list = all;
    if (input.MultiRegionClusterName) {
      list = all.filter((m) => m.MultiRegionClusterName === input.MultiRegionClusterName);
      if (!list.length) throw fault("MultiRegionClusterNotFoundFault", `Multi-region cluster ${input.MultiRegionClusterName} not found.`);
    }
    const { items, NextToken } = page(list, (m) => m.MultiRegionClusterName, input);
    return { MultiRegionClusters: items.map((m) => describeMr(m, input.ShowClusterDetails === true)), NextToken };
  },

  async UpdateMultiRegionCluster(input, ctx) {
    const mr = await mrCluster(ctx, input.MultiRegionClusterName);
    const next = { ...mr };
    if (input.NodeType) {
      checkNodeType(input.NodeType);
      next.NodeType = input.NodeType;
    }
    if (input.Description !== undefined) next.Description = input.Description;
    if (input.EngineVersion) next.EngineVersion = engineVersionFor("valkey", input.EngineVersion).EngineVersion;
    // A ShardConfiguration without ShardCount changes nothing (it used to store an undefined count).
    if (input.ShardConfiguration?.ShardCount !== undefined) {
      checkCounts(input.ShardConfiguration.ShardCount, 0);
      next.NumberOfShards = input.ShardConfiguration.ShardCount;
    }
    if (input.MultiRegionParameterGroupName) {
      if (input.MultiRegionParameterGroupName !== MR_PARAMETER_GROUP.Name) throw fault("MultiRegionParameterGroupNotFoundFault", `Multi-region parameter group ${input.MultiRegionParameterGroupName} not found.`);
      next.MultiRegionParameterGroupName = input.MultiRegionParameterGroupName;
    }
    await ctx.globalStore.set(["mrc", ctx.accountId, mr.MultiRegionClusterName], next);
    return { MultiRegionCluster: describeMr(next, false, "updating") };
  },

  async DeleteMultiRegionCluster(input, ctx) {
    const mr = await mrCluster(ctx, input.MultiRegionClusterName);
    if (mr.clusters.length) throw fault("InvalidMultiRegionClusterStateFault", `Multi-region cluster ${mr.MultiRegionClusterName} still has regional clusters.`);
    await ctx.globalStore.delete(["mrc", ctx.accountId, mr.MultiRegionClusterName]);
    await ctx.globalStore.delete(["tags", mr.ARN]);
    return { MultiRegionCluster: describeMr(mr, false, "deleting") };
  },

  async ListAllowedMultiRegionClusterUpdates(input, ctx) {
    const mr = await mrCluster(ctx, input.MultiRegionClusterName);
    const family = nodeFamily(mr.NodeType);
    const i = family.indexOf(mr.NodeType);
    return { ScaleUpNodeTypes: family.slice(i + 1), ScaleDownNodeTypes: family.slice(0, i) };
  },

  async DescribeMultiRegionParameterGroups(input, _ctx) {
    if (input.MultiRegionParameterGroupName && input.MultiRegionParameterGroupName !== MR_PARAMETER_GROUP.Name) {
      throw fault("MultiRegionParameterGroupNotFoundFault", `Multi-region parameter group ${input.MultiRegionParameterGroupName} not found.`);
    }
    return { MultiRegionParameterGroups: [{ ...MR_PARAMETER_GROUP, ARN: `arn:aws:memorydb::${_ctx.accountId}:multiregionparametergroup/${MR_PARAMETER_GROUP.Name}` }] };
  },

  async DescribeMultiRegionParameters(input, _ctx) {
    if (input.MultiRegionParameterGroupName !== MR_PARAMETER_GROUP.Name) {
      throw fault("MultiRegionParameterGroupNotFoundFault", `Multi-region parameter group ${input.MultiRegionParameterGroupName} not found.`);
    }
    if (input.Source && input.Source !== "system" && input.Source !== "user") throw invalidValue("Source must be system or user.");
    const params = input.Source === "user" ? [] : familyParameters(MR_PARAMETER_GROUP.Family).map((d) => ({ ...d, Source: "system" }));
    const { items, NextToken } = page(params, (p) => p.Name, input);
    return { MultiRegionParameters: items, NextToken };
  },
};
