/**
 * Clusters: create, describe (with shards and nodes), update, delete, failover, scaling targets.
 * Source: https://docs.aws.amazon.com/memorydb/latest/APIReference/API_CreateCluster.html
 */
import type { Handler, Handlers, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/memorydb.ts";
import { DEFAULT_GROUPS, ENGINE_VERSIONS, nodeFamily } from "./catalog.ts";
import { checkCounts, checkEngine, checkNodeType, engineVersionFor, SLOTS } from "./cluster-config.ts";
import { fault, invalidCombination, invalidValue } from "./errors.ts";
import { event } from "./events.ts";
import { mrCluster } from "./multi-region.ts";
import { paramGroup } from "./parameter-groups.ts";
import { makeSnapshot } from "./snapshots.ts";
import { all, arn, get, hash, type Obj, page } from "./state.ts";
import { setTags } from "./tags.ts";

function shardsFor(ctx: RequestContext, cluster: Obj, createTime: number): Obj[] {
  const suffix = hash(ctx.accountId + ctx.region + cluster.Name);
  const zones = ["a", "b", "c"];
  const per = Math.floor(SLOTS / cluster.NumberOfShards);
  return Array.from({ length: cluster.NumberOfShards }, (_, s) => {
    const shard = String(s + 1).padStart(4, "0");
    const first = s * per;
    const last = s === cluster.NumberOfShards - 1 ? SLOTS - 1 : first + per - 1;
    const nodes = Array.from({ length: cluster.replicas + 1 }, (_, n) => {
      const name = `${cluster.Name}-${shard}-${String(n + 1).padStart(3, "0")}`;
      return {
        Name: name,
        Status: "available",
        AvailabilityZone: `${ctx.region}${zones[(s + n) % zones.length]}`,
        CreateTime: createTime,
        Endpoint: { Address: `${name}.${cluster.Name}.${suffix}.memorydb.${ctx.region}.amazonaws.com`, Port: cluster.port },
      };
    });
    return { Name: shard, Status: "available", Slots: `${first}-${last}`, Nodes: nodes, NumberOfNodes: nodes.length };
  });
}

export function describeCluster(ctx: RequestContext, c: Obj, showShards: boolean, status?: string): Obj {
  const suffix = hash(ctx.accountId + ctx.region + c.Name);
  const out: Obj = {
    Name: c.Name,
    Description: c.Description,
    Status: status ?? c.Status,
    PendingUpdates: {},
    MultiRegionClusterName: c.MultiRegionClusterName,
    NumberOfShards: c.NumberOfShards,
    AvailabilityMode: c.replicas > 0 ? "multiaz" : "singleaz",
    ClusterEndpoint: { Address: `clustercfg.${c.Name}.${suffix}.memorydb.${ctx.region}.amazonaws.com`, Port: c.port },
    NodeType: c.NodeType,
    Engine: c.Engine,
    EngineVersion: c.EngineVersion,
    EnginePatchVersion: c.EnginePatchVersion,
    ParameterGroupName: c.ParameterGroupName,
    ParameterGroupStatus: "in-sync",
    SecurityGroups: c.SecurityGroupIds.map((id: string) => ({ SecurityGroupId: id, Status: "active" })),
    SubnetGroupName: c.SubnetGroupName,
    TLSEnabled: c.TLSEnabled,
    KmsKeyId: c.KmsKeyId,
    ARN: c.ARN,
    SnsTopicArn: c.SnsTopicArn,
    SnsTopicStatus: c.SnsTopicArn ? c.SnsTopicStatus ?? "active" : undefined,
    SnapshotRetentionLimit: c.SnapshotRetentionLimit,
    MaintenanceWindow: c.MaintenanceWindow,
    SnapshotWindow: c.SnapshotWindow,
    ACLName: c.ACLName,
    AutoMinorVersionUpgrade: c.AutoMinorVersionUpgrade,
    DataTiering: c.DataTiering ? "true" : "false",
    NetworkType: c.NetworkType,
    IpDiscovery: c.IpDiscovery,
  };
  if (showShards) out.Shards = shardsFor(ctx, c, c.CreateTime);
  return out;
}

export const clusterHandlers: Handlers<Ops> = {
  async CreateCluster(input, ctx) {
    const name: string = input.ClusterName;
    if (!/^[a-zA-Z][a-zA-Z0-9-]{0,39}$/.test(name) || name.endsWith("-") || name.includes("--")) {
      throw invalidValue("Cluster name must begin with a letter, contain only ASCII letters, digits and hyphens, not end with a hyphen or contain two consecutive hyphens, and be at most 40 characters.");
    }
    if (await get(ctx.store, "cluster", name)) throw fault("ClusterAlreadyExistsFault", `Cluster ${name} already exists.`);
    let base: Obj | undefined;
    if (input.SnapshotName) {
      const snapshot = await get(ctx.store, "snapshot", input.SnapshotName);
      if (!snapshot) throw fault("SnapshotNotFoundFault", `Snapshot ${input.SnapshotName} not found.`);
      base = snapshot.cluster;
    }
    const engine = checkEngine(input.Engine ?? base?.Engine);
    const version = engineVersionFor(engine, input.EngineVersion ?? base?.EngineVersion);
    checkNodeType(input.NodeType);
    const shards: number = input.NumShards ?? base?.NumberOfShards ?? 1;
    const replicas: number = input.NumReplicasPerShard ?? base?.replicas ?? 1;
    checkCounts(shards, replicas);
    const acl = await get(ctx.store, "acl", input.ACLName);
    if (!acl) throw fault("ACLNotFoundFault", `ACL ${input.ACLName} not found.`);
    const tls = input.TLSEnabled ?? true;
    if (!tls && input.ACLName !== "open-access") throw invalidCombination("TLS must be enabled to use an ACL other than open-access.");
    const groupName: string = input.ParameterGroupName ?? DEFAULT_GROUPS[version.ParameterGroupFamily];
    const group = await paramGroup(ctx, groupName);
    if (group.Family !== version.ParameterGroupFamily) {
      throw invalidCombination(`The parameter group ${groupName} (family ${group.Family}) is not compatible with engine ${engine} ${version.EngineVersion}.`);
    }
    const subnetGroupName: string = input.SubnetGroupName ?? "default";
    if (!(await get(ctx.store, "subnetgroup", subnetGroupName))) throw fault("SubnetGroupNotFoundFault", `Subnet group ${subnetGroupName} not found.`);
    if (input.DataTiering && !input.NodeType.startsWith("db.r6gd.")) throw invalidCombination("Data tiering is only supported on db.r6gd node types.");
    if (input.SnapshotRetentionLimit !== undefined && (input.SnapshotRetentionLimit < 0 || input.SnapshotRetentionLimit > 35)) {
      throw invalidValue("SnapshotRetentionLimit must be between 0 and 35.");
    }
    if (input.SnapshotArns?.length && input.SnapshotName) throw invalidCombination("Specify either SnapshotArns or SnapshotName, not both.");
    if (input.MultiRegionClusterName) {
      const mr = await mrCluster(ctx, input.MultiRegionClusterName);
      if (mr.clusters.some((c: Obj) => c.Region === ctx.region)) {
        throw fault("InvalidMultiRegionClusterStateFault", `Multi-region cluster ${mr.MultiRegionClusterName} already has a cluster in ${ctx.region}.`);
      }
    }
    const now = ctx.clock.now();
    const cluster: Obj = {
      Name: name,
      Description: input.Description,
      Status: "available",
      MultiRegionClusterName: input.MultiRegionClusterName,
      NumberOfShards: shards,
      replicas,
      port: input.Port ?? 6379,
      NodeType: input.NodeType,
      Engine: engine,
      EngineVersion: version.EngineVersion,
      EnginePatchVersion: version.EnginePatchVersion,
      ParameterGroupName: groupName,
      SecurityGroupIds: input.SecurityGroupIds?.length ? input.SecurityGroupIds : [`sg-${hash(ctx.accountId + ctx.region + "default-sg", 17).replace(/[^0-9a-f]/g, "0")}`],
      SubnetGroupName: subnetGroupName,
      TLSEnabled: tls,
      KmsKeyId: input.KmsKeyId,
      ARN: arn(ctx, "cluster", name),
      SnsTopicArn: input.SnsTopicArn,
      SnapshotRetentionLimit: input.SnapshotRetentionLimit ?? 0,
      MaintenanceWindow: input.MaintenanceWindow ?? "wed:08:00-wed:09:00",
      SnapshotWindow: input.SnapshotWindow ?? "05:00-06:00",
      ACLName: input.ACLName,
      AutoMinorVersionUpgrade: input.AutoMinorVersionUpgrade ?? true,
      DataTiering: input.DataTiering ?? false,
      NetworkType: input.NetworkType ?? "ipv4",
      IpDiscovery: input.IpDiscovery ?? "ipv4",
      CreateTime: now,
    };
    const result = await ctx.store.atomic().check({ key: ["cluster", name], versionstamp: null }).set(["cluster", name], cluster).commit();
    if (!result.ok) throw fault("ClusterAlreadyExistsFault", `Cluster ${name} already exists.`);
    await setTags(ctx, cluster.ARN, input.Tags);
    if (input.MultiRegionClusterName) {
      const key = ["mrc", ctx.accountId, input.MultiRegionClusterName];
      const mr = (await ctx.globalStore.get<Obj>(key)).value!;
      await ctx.globalStore.set(key, { ...mr, clusters: [...mr.clusters, { ClusterName: name, Region: ctx.region, Status: "available", ARN: cluster.ARN }] });
    }
    await event(ctx, name, "cluster", `Cluster ${name} created`);
    return { Cluster: describeCluster(ctx, cluster, false, "creating") };
  },

  async DescribeClusters(input, ctx) {
    let clusters = await all(ctx.store, "cluster");
    if (input.ClusterName) {
      clusters = clusters.filter((c) => c.Name === input.ClusterName);
      if (!clusters.length) throw fault("ClusterNotFoundFault", `Cluster ${input.ClusterName} not found.`);
    }
    const { items, NextToken } = page(clusters, (c) => c.Name, input);
    return { Clusters: items.map((c) => describeCluster(ctx, c, input.ShowShardDetails === true)), NextToken };
  },

  async UpdateCluster(input, ctx) {
    const cluster = await get(ctx.store, "cluster", input.ClusterName);
    if (!cluster) throw fault("ClusterNotFoundFault", `Cluster ${input.ClusterName} not found.`);
    const next: Obj = { ...cluster };
    for (const m of ["Description", "MaintenanceWindow", "SnapshotWindow", "SnsTopicArn", "SnsTopicStatus", "IpDiscovery"] as const) {
      if (input[m] !== undefined) next[m] = input[m];
    }
    if (input.SecurityGroupIds) next.SecurityGroupIds = input.SecurityGroupIds;
    if (input.SnapshotRetentionLimit !== undefined) {
      if (input.SnapshotRetentionLimit < 0 || input.SnapshotRetentionLimit > 35) throw invalidValue("SnapshotRetentionLimit must be between 0 and 35.");
      next.SnapshotRetentionLimit = input.SnapshotRetentionLimit;
    }
    if (input.NodeType) {
      checkNodeType(input.NodeType);
      if (!nodeFamily(cluster.NodeType).includes(input.NodeType)) throw invalidCombination(`Node type ${input.NodeType} is not an allowed scaling target for ${cluster.NodeType}.`);
      next.NodeType = input.NodeType;
    }
    if (input.Engine || input.EngineVersion) {
      const engine = checkEngine(input.Engine ?? cluster.Engine);
      const version = engineVersionFor(engine, input.EngineVersion ?? (engine === cluster.Engine ? cluster.EngineVersion : undefined));
      if (version.EngineVersion < cluster.EngineVersion && engine === cluster.Engine) throw invalidValue("Engine version downgrades are not supported.");
      next.Engine = engine;
      next.EngineVersion = version.EngineVersion;
      next.EnginePatchVersion = version.EnginePatchVersion;
      const family = (await paramGroup(ctx, next.ParameterGroupName)).Family;
      if (family !== version.ParameterGroupFamily) next.ParameterGroupName = DEFAULT_GROUPS[version.ParameterGroupFamily];
    }
    if (input.ParameterGroupName) {
      const group = await paramGroup(ctx, input.ParameterGroupName);
      const family = ENGINE_VERSIONS.find((v) => v.Engine === next.Engine && v.EngineVersion === next.EngineVersion)!.ParameterGroupFamily;
      if (group.Family !== family) throw invalidCombination(`The parameter group ${group.Name} is not compatible with the cluster's engine version.`);
      next.ParameterGroupName = group.Name;
    }
    if (input.ACLName) {
      if (!(await get(ctx.store, "acl", input.ACLName))) throw fault("ACLNotFoundFault", `ACL ${input.ACLName} not found.`);
      if (!cluster.TLSEnabled && input.ACLName !== "open-access") throw invalidCombination("TLS must be enabled to use an ACL other than open-access.");
      next.ACLName = input.ACLName;
    }
    if (input.ReplicaConfiguration) next.replicas = input.ReplicaConfiguration.ReplicaCount;
    if (input.ShardConfiguration) next.NumberOfShards = input.ShardConfiguration.ShardCount;
    checkCounts(next.NumberOfShards, next.replicas);
    await ctx.store.set(["cluster", cluster.Name], next);
    await event(ctx, cluster.Name, "cluster", `Cluster ${cluster.Name} modified`);
    return { Cluster: describeCluster(ctx, next, false, "updating") };
  },

  async DeleteCluster(input, ctx) {
    const cluster = await get(ctx.store, "cluster", input.ClusterName);
    if (!cluster) throw fault("ClusterNotFoundFault", `Cluster ${input.ClusterName} not found.`);
    if (input.MultiRegionClusterName && cluster.MultiRegionClusterName !== input.MultiRegionClusterName) {
      throw invalidValue(`Cluster ${cluster.Name} is not part of multi-region cluster ${input.MultiRegionClusterName}.`);
    }
    if (input.FinalSnapshotName) await makeSnapshot(ctx, cluster, input.FinalSnapshotName, "manual");
    await ctx.store.delete(["cluster", cluster.Name]);
    await ctx.store.delete(["tags", cluster.ARN]);
    if (cluster.MultiRegionClusterName) {
      const key = ["mrc", ctx.accountId, cluster.MultiRegionClusterName];
      const mr = (await ctx.globalStore.get<Obj>(key)).value;
      if (mr) await ctx.globalStore.set(key, { ...mr, clusters: mr.clusters.filter((c: Obj) => c.ARN !== cluster.ARN) });
    }
    await event(ctx, cluster.Name, "cluster", `Cluster ${cluster.Name} deleted`);
    return { Cluster: describeCluster(ctx, cluster, false, "deleting") };
  },

  async FailoverShard(input, ctx) {
    const cluster = await get(ctx.store, "cluster", input.ClusterName);
    if (!cluster) throw fault("ClusterNotFoundFault", `Cluster ${input.ClusterName} not found.`);
    const shard = Number(input.ShardName);
    if (!/^\d{1,4}$/.test(input.ShardName) || shard < 1 || shard > cluster.NumberOfShards) throw fault("ShardNotFoundFault", `Shard ${input.ShardName} not found in cluster ${cluster.Name}.`);
    if (cluster.replicas === 0) throw fault("TestFailoverNotAvailableFault", `Shard ${input.ShardName} has no replicas to fail over to.`);
    await event(ctx, cluster.Name, "cluster", `Failover to replica node ${cluster.Name}-${input.ShardName.padStart(4, "0")}-002 completed`);
    return { Cluster: describeCluster(ctx, cluster, false) };
  },

  async ListAllowedNodeTypeUpdates(input, ctx) {
    const cluster = await get(ctx.store, "cluster", input.ClusterName);
    if (!cluster) throw fault("ClusterNotFoundFault", `Cluster ${input.ClusterName} not found.`);
    const family = nodeFamily(cluster.NodeType);
    const i = family.indexOf(cluster.NodeType);
    return { ScaleUpNodeTypes: family.slice(i + 1), ScaleDownNodeTypes: family.slice(0, i) };
  },
};
