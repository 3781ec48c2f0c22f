/**
 * MemoryDB's IAM actions and resources, for `enforceIam`: `memorydb:<Operation>` on the cluster,
 * snapshot, ACL, user, parameter group, subnet group
 * (`arn:aws:memorydb:<region>:<account>:<type>/<name>`) or multi-Region cluster
 * (`arn:aws:memorydb::<account>:multiregioncluster/<name>`) it names; describe operations
 * without a name, engine versions, events, reserved nodes and service updates on `*`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonmemorydb.html
 */
import type { AuthorizationEnv, AuthorizationMap, Input } from "../../policy/authorization.ts";

const arn = (type: string, member: string) => (input: Input, env: AuthorizationEnv) => {
  const value = input[member];
  const names: string[] = Array.isArray(value) ? value.map(String) : value ? [String(value)] : [];
  return names.length ? names.map((n) => `arn:${env.partition}:memorydb:${env.region}:${env.account}:${type}/${n}`) : undefined;
};
const cluster = arn("cluster", "ClusterName");
const snapshot = arn("snapshot", "SnapshotName");
const acl = arn("acl", "ACLName");
const user = arn("user", "UserName");
const parameterGroup = arn("parametergroup", "ParameterGroupName");
const subnetGroup = arn("subnetgroup", "SubnetGroupName");
const multiRegion = "arn:{partition}:memorydb::{account}:multiregioncluster/{MultiRegionClusterName}";

export const memorydbAuthorization: AuthorizationMap = {
  prefix: "memorydb",
  resource: "*",
  operations: {
    CreateCluster: { resource: cluster, tags: "Tags" },
    UpdateCluster: { resource: cluster },
    DeleteCluster: { resource: cluster },
    DescribeClusters: { resource: cluster },
    FailoverShard: { resource: cluster },
    ListAllowedNodeTypeUpdates: { resource: cluster },
    BatchUpdateCluster: { resource: arn("cluster", "ClusterNames") },
    CreateSnapshot: { resource: snapshot, tags: "Tags", also: [{ action: "CreateSnapshot", resource: cluster }] },
    CopySnapshot: { resource: arn("snapshot", "TargetSnapshotName"), tags: "Tags", also: [{ action: "CopySnapshot", resource: arn("snapshot", "SourceSnapshotName") }] },
    DeleteSnapshot: { resource: snapshot },
    DescribeSnapshots: { resource: (i, env) => snapshot(i, env) ?? cluster(i, env) },
    CreateACL: { resource: acl, tags: "Tags" },
    UpdateACL: { resource: acl },
    DeleteACL: { resource: acl },
    DescribeACLs: { resource: acl },
    CreateUser: { resource: user, tags: "Tags" },
    UpdateUser: { resource: user },
    DeleteUser: { resource: user },
    DescribeUsers: { resource: user },
    CreateParameterGroup: { resource: parameterGroup, tags: "Tags" },
    UpdateParameterGroup: { resource: parameterGroup },
    ResetParameterGroup: { resource: parameterGroup },
    DeleteParameterGroup: { resource: parameterGroup },
    DescribeParameterGroups: { resource: parameterGroup },
    DescribeParameters: { resource: parameterGroup },
    CreateSubnetGroup: { resource: subnetGroup, tags: "Tags" },
    UpdateSubnetGroup: { resource: subnetGroup },
    DeleteSubnetGroup: { resource: subnetGroup },
    DescribeSubnetGroups: { resource: subnetGroup },
    CreateMultiRegionCluster: { resource: "*", tags: "Tags" },
    UpdateMultiRegionCluster: { resource: multiRegion },
    DeleteMultiRegionCluster: { resource: multiRegion },
    DescribeMultiRegionClusters: { resource: multiRegion },
    ListAllowedMultiRegionClusterUpdates: { resource: multiRegion },
    TagResource: { resource: "{ResourceArn}", tags: "Tags" },
    UntagResource: { resource: "{ResourceArn}" },
    ListTags: { resource: "{ResourceArn}" },
  },
};
