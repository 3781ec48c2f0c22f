/**
 * Snapshots (Create/Copy/Delete/DescribeSnapshots) and the snapshot a cluster delete can leave.
 * Source: https://docs.aws.amazon.com/memorydb/latest/APIReference/API_CreateSnapshot.html
 */
import type { Handler, Handlers, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/memorydb.ts";
import { SLOTS } from "./cluster-config.ts";
import { fault, invalidValue } from "./errors.ts";
import { event } from "./events.ts";
import { all, arn, get, type Obj, page } from "./state.ts";
import { checkTags, setTags } from "./tags.ts";

function snapshotConfig(c: Obj, vpcId: string, now: number, showDetail: boolean): Obj {
  return {
    Name: c.Name,
    Description: c.Description,
    NodeType: c.NodeType,
    Engine: c.Engine,
    EngineVersion: c.EngineVersion,
    MaintenanceWindow: c.MaintenanceWindow,
    TopicArn: c.SnsTopicArn,
    Port: c.port,
    ParameterGroupName: c.ParameterGroupName,
    SubnetGroupName: c.SubnetGroupName,
    VpcId: vpcId,
    SnapshotRetentionLimit: c.SnapshotRetentionLimit,
    SnapshotWindow: c.SnapshotWindow,
    NumShards: c.NumberOfShards,
    MultiRegionClusterName: c.MultiRegionClusterName,
    ...(showDetail ? {
      Shards: Array.from({ length: c.NumberOfShards }, (_, s) => ({
        Name: String(s + 1).padStart(4, "0"),
        Configuration: { Slots: `${s * Math.floor(SLOTS / c.NumberOfShards)}-${s === c.NumberOfShards - 1 ? SLOTS - 1 : (s + 1) * Math.floor(SLOTS / c.NumberOfShards) - 1}`, ReplicaCount: c.replicas },
        Size: "0 MB",
        SnapshotCreationTime: now,
      })),
    } : {}),
  };
}

function describeSnapshot(s: Obj, showDetail: boolean, status?: string): Obj {
  const { cluster, vpcId, created, ...rest } = s;
  return { ...rest, Status: status ?? rest.Status, ClusterConfiguration: snapshotConfig(cluster, vpcId, created, showDetail) };
}

export async function makeSnapshot(ctx: RequestContext, cluster: Obj, name: string, source: string, kmsKeyId?: string, tags?: Obj[]): Promise<Obj> {
  const group = await get(ctx.store, "subnetgroup", cluster.SubnetGroupName);
  const snapshot = {
    Name: name,
    Status: "available",
    Source: source,
    KmsKeyId: kmsKeyId ?? cluster.KmsKeyId,
    ARN: arn(ctx, "snapshot", name),
    DataTiering: cluster.DataTiering ? "true" : "false",
    cluster,
    vpcId: group?.VpcId,
    created: ctx.clock.now(),
  };
  const result = await ctx.store.atomic().check({ key: ["snapshot", name], versionstamp: null }).set(["snapshot", name], snapshot).commit();
  if (!result.ok) throw fault("SnapshotAlreadyExistsFault", `Snapshot ${name} already exists.`);
  await setTags(ctx, snapshot.ARN, tags);
  await event(ctx, name, "cluster", `Snapshot ${name} created for cluster ${cluster.Name}`);
  return snapshot;
}

export const snapshotHandlers: Handlers<Ops> = {
  async CreateSnapshot(input, ctx) {
    const cluster = await get(ctx.store, "cluster", input.ClusterName);
    if (!cluster) throw fault("ClusterNotFoundFault", `Cluster ${input.ClusterName} not found.`);
    if (cluster.Status !== "available") throw fault("InvalidClusterStateFault", `Cluster ${cluster.Name} is not in available state.`);
    checkTags(input.Tags);
    const snapshot = await makeSnapshot(ctx, cluster, input.SnapshotName, "manual", input.KmsKeyId, input.Tags);
    return { Snapshot: describeSnapshot(snapshot, false, "creating") };
  },

  async CopySnapshot(input, ctx) {
    const source = await get(ctx.store, "snapshot", input.SourceSnapshotName);
    if (!source) throw fault("SnapshotNotFoundFault", `Snapshot ${input.SourceSnapshotName} not found.`);
    if (source.Status !== "available") throw fault("InvalidSnapshotStateFault", `Snapshot ${source.Name} is not available.`);
    checkTags(input.Tags);
    if (input.TargetBucket !== undefined && !/^[A-Za-z0-9._-]+$/.test(input.TargetBucket)) throw invalidValue(`Invalid S3 bucket name: ${input.TargetBucket}`);
    const name: string = input.TargetSnapshotName;
    const copy = { ...source, Name: name, ARN: arn(ctx, "snapshot", name), Source: "manual", KmsKeyId: input.KmsKeyId ?? source.KmsKeyId, created: ctx.clock.now() };
    const result = await ctx.store.atomic().check({ key: ["snapshot", name], versionstamp: null }).set(["snapshot", name], copy).commit();
    if (!result.ok) throw fault("SnapshotAlreadyExistsFault", `Snapshot ${name} already exists.`);
    await setTags(ctx, copy.ARN, input.Tags);
    return { Snapshot: describeSnapshot(copy, false, "copying") };
  },

  async DeleteSnapshot(input, ctx) {
    const snapshot = await get(ctx.store, "snapshot", input.SnapshotName);
    if (!snapshot) throw fault("SnapshotNotFoundFault", `Snapshot ${input.SnapshotName} not found.`);
    await ctx.store.delete(["snapshot", snapshot.Name]);
    await ctx.store.delete(["tags", snapshot.ARN]);
    return { Snapshot: describeSnapshot(snapshot, false, "deleting") };
  },

  async DescribeSnapshots(input, ctx) {
    let snapshots = await all(ctx.store, "snapshot");
    if (input.SnapshotName) {
      snapshots = snapshots.filter((s) => s.Name === input.SnapshotName);
      if (!snapshots.length) throw fault("SnapshotNotFoundFault", `Snapshot ${input.SnapshotName} not found.`);
    }
    if (input.ClusterName) snapshots = snapshots.filter((s) => s.cluster.Name === input.ClusterName);
    if (input.Source) {
      if (input.Source !== "automated" && input.Source !== "manual") throw invalidValue("Source must be automated or manual.");
      snapshots = snapshots.filter((s) => s.Source === input.Source);
    }
    const { items, NextToken } = page(snapshots, (s) => s.Name, input);
    return { Snapshots: items.map((s) => describeSnapshot(s, input.ShowDetail === true)), NextToken };
  },
};
