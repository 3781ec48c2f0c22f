/**
 * MemoryDB through @aws-sdk/client-memorydb, in-process on both test stores and over HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as M from "@aws-sdk/client-memorydb";
import { createEmulator } from "../../../src/emulator.ts";
import { inProcess, overHttp, startTestServer, STORES } from "../../helpers/clients.ts";

const PASSWORD = "a-very-long-password-1";

const transports: { name: string; setup: () => Promise<{ client: M.MemoryDBClient; close: () => Promise<void> }> }[] = [
  ...STORES.map((store) => ({
    name: `in-process, ${store.name}`,
    async setup() {
      const emulator = createEmulator({ store: store.make() });
      return { client: new M.MemoryDBClient(inProcess(emulator)), close: async () => {} };
    },
  })),
  {
    name: "over HTTP",
    async setup() {
      const server = await startTestServer();
      return { client: new M.MemoryDBClient(overHttp(server.url)), close: () => server.close() };
    },
  },
];

for (const { name, setup } of transports) {
  describe(`MemoryDB ${name}`, () => {
    let client: M.MemoryDBClient;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ client, close } = await setup());
    });
    afterAll(() => close());

    it("has the default user, open-access ACL, default subnet group and parameter groups", async () => {
      const users = await client.send(new M.DescribeUsersCommand({}));
      expect(users.Users).toEqual([expect.objectContaining({
        Name: "default", Status: "active", AccessString: "on ~* &* +@all", ACLNames: ["open-access"], Authentication: { Type: "no-password" },
        ARN: "arn:aws:memorydb:us-east-1:000000000000:user/default",
      })]);
      const acls = await client.send(new M.DescribeACLsCommand({ ACLName: "open-access" }));
      expect(acls.ACLs![0]).toMatchObject({ Name: "open-access", Status: "active", UserNames: ["default"], Clusters: [] });
      const groups = await client.send(new M.DescribeParameterGroupsCommand({}));
      expect(groups.ParameterGroups!.map((g) => g.Name)).toEqual(["default.memorydb-redis6", "default.memorydb-redis7", "default.memorydb-valkey7"]);
      const params = await client.send(new M.DescribeParametersCommand({ ParameterGroupName: "default.memorydb-redis7" }));
      expect(params.Parameters!.find((p) => p.Name === "maxmemory-policy")).toMatchObject({ Value: "noeviction", DataType: "string" });
      expect(params.Parameters!.some((p) => p.Name === "hash-max-listpack-entries")).toBe(true);
      const subnets = await client.send(new M.DescribeSubnetGroupsCommand({}));
      expect(subnets.SubnetGroups![0]).toMatchObject({ Name: "default", VpcId: expect.stringMatching(/^vpc-/) });
    });

    it("users: create with access string and password, validate, update, describe with filters", async () => {
      const created = await client.send(new M.CreateUserCommand({
        UserName: "app", AccessString: "on ~app:* &* +@all -@dangerous", AuthenticationMode: { Type: "password", Passwords: [PASSWORD] },
        Tags: [{ Key: "team", Value: "core" }],
      }));
      expect(created.User).toMatchObject({
        Name: "app", Status: "active", Authentication: { Type: "password", PasswordCount: 1 }, ACLNames: [],
        ARN: "arn:aws:memorydb:us-east-1:000000000000:user/app",
      });
      await expect(client.send(new M.CreateUserCommand({ UserName: "app", AccessString: "on ~* +@all", AuthenticationMode: { Type: "password", Passwords: [PASSWORD] } })))
        .rejects.toMatchObject({ name: "UserAlreadyExistsFault", $metadata: { httpStatusCode: 400 } });
      await expect(client.send(new M.CreateUserCommand({ UserName: "bad", AccessString: "on ~* +@nosuchcategory", AuthenticationMode: { Type: "password", Passwords: [PASSWORD] } })))
        .rejects.toMatchObject({ name: "InvalidParameterValueException" });
      await expect(client.send(new M.CreateUserCommand({ UserName: "short", AccessString: "on ~* +@all", AuthenticationMode: { Type: "password", Passwords: ["short"] } })))
        .rejects.toMatchObject({ name: "InvalidParameterValueException" });
      await expect(client.send(new M.CreateUserCommand({ UserName: "nopw", AccessString: "on ~* +@all", AuthenticationMode: { Type: "no-password" as never } })))
        .rejects.toMatchObject({ name: "ValidationException" });
      await client.send(new M.CreateUserCommand({ UserName: "iam-user", AccessString: "on ~* +@read", AuthenticationMode: { Type: "iam" } }));
      const updated = await client.send(new M.UpdateUserCommand({ UserName: "app", AccessString: "on ~* +@read" }));
      expect(updated.User).toMatchObject({ Status: "modifying", AccessString: "on ~* +@read" });
      const filtered = await client.send(new M.DescribeUsersCommand({ Filters: [{ Name: "access-string", Values: ["on ~* +@read"] }] }));
      expect(filtered.Users!.map((u) => u.Name)).toEqual(["app", "iam-user"]);
      expect(filtered.Users!.find((u) => u.Name === "iam-user")!.Authentication).toEqual({ Type: "iam" });
      await expect(client.send(new M.DescribeUsersCommand({ UserName: "ghost" }))).rejects.toMatchObject({ name: "UserNotFoundFault" });
    });

    it("ACLs keep user membership consistent both ways", async () => {
      const acl = await client.send(new M.CreateACLCommand({ ACLName: "team-acl", UserNames: ["app"] }));
      expect(acl.ACL).toMatchObject({ Name: "team-acl", Status: "creating", UserNames: ["app"], ARN: "arn:aws:memorydb:us-east-1:000000000000:acl/team-acl" });
      expect((await client.send(new M.DescribeUsersCommand({ UserName: "app" }))).Users![0].ACLNames).toEqual(["team-acl"]);
      await expect(client.send(new M.CreateACLCommand({ ACLName: "team-acl" }))).rejects.toMatchObject({ name: "ACLAlreadyExistsFault" });
      await expect(client.send(new M.CreateACLCommand({ ACLName: "x", UserNames: ["ghost"] }))).rejects.toMatchObject({ name: "UserNotFoundFault" });
      await expect(client.send(new M.CreateACLCommand({ ACLName: "x", UserNames: ["app", "app"] }))).rejects.toMatchObject({ name: "DuplicateUserNameFault" });
      const up = await client.send(new M.UpdateACLCommand({ ACLName: "team-acl", UserNamesToAdd: ["iam-user"] }));
      expect(up.ACL).toMatchObject({ Status: "modifying", UserNames: ["app", "iam-user"] });
      expect((await client.send(new M.DescribeUsersCommand({ UserName: "iam-user" }))).Users![0].ACLNames).toEqual(["team-acl"]);
      await client.send(new M.UpdateACLCommand({ ACLName: "team-acl", UserNamesToRemove: ["iam-user"] }));
      expect((await client.send(new M.DescribeUsersCommand({ UserName: "iam-user" }))).Users![0].ACLNames).toEqual([]);
      // Deleting a user removes it from every ACL.
      await client.send(new M.UpdateACLCommand({ ACLName: "team-acl", UserNamesToAdd: ["iam-user"] }));
      const deleted = await client.send(new M.DeleteUserCommand({ UserName: "iam-user" }));
      expect(deleted.User).toMatchObject({ Status: "deleting", ACLNames: ["team-acl"] });
      expect((await client.send(new M.DescribeACLsCommand({ ACLName: "team-acl" }))).ACLs![0].UserNames).toEqual(["app"]);
    });

    it("clusters: create with realistic metadata, shards and nodes, update, ACL in use", async () => {
      await expect(client.send(new M.CreateClusterCommand({ ClusterName: "c1", NodeType: "db.t4g.small", ACLName: "nope" })))
        .rejects.toMatchObject({ name: "ACLNotFoundFault" });
      await expect(client.send(new M.CreateClusterCommand({ ClusterName: "c1", NodeType: "db.x1.huge", ACLName: "team-acl" })))
        .rejects.toMatchObject({ name: "InvalidParameterValueException" });
      await expect(client.send(new M.CreateClusterCommand({ ClusterName: "c1", NodeType: "db.t4g.small", ACLName: "team-acl", NumReplicasPerShard: 6 })))
        .rejects.toMatchObject({ name: "InvalidParameterValueException" });
      const created = await client.send(new M.CreateClusterCommand({
        ClusterName: "c1", NodeType: "db.r7g.large", ACLName: "team-acl", NumShards: 2, NumReplicasPerShard: 1, Tags: [{ Key: "env", Value: "dev" }],
      }));
      expect(created.Cluster).toMatchObject({
        Name: "c1", Status: "creating", NumberOfShards: 2, AvailabilityMode: "multiaz", NodeType: "db.r7g.large",
        Engine: "redis", EngineVersion: "7.1", ParameterGroupName: "default.memorydb-redis7", ParameterGroupStatus: "in-sync",
        SubnetGroupName: "default", TLSEnabled: true, ACLName: "team-acl", ARN: "arn:aws:memorydb:us-east-1:000000000000:cluster/c1",
        ClusterEndpoint: { Address: expect.stringMatching(/^clustercfg\.c1\.[a-z0-9]{6}\.memorydb\.us-east-1\.amazonaws\.com$/), Port: 6379 },
        DataTiering: "false",
      });
      await expect(client.send(new M.CreateClusterCommand({ ClusterName: "c1", NodeType: "db.r7g.large", ACLName: "team-acl" })))
        .rejects.toMatchObject({ name: "ClusterAlreadyExistsFault" });
      const described = await client.send(new M.DescribeClustersCommand({ ClusterName: "c1", ShowShardDetails: true }));
      const c = described.Clusters![0];
      expect(c.Status).toBe("available");
      expect(c.Shards!.map((s) => [s.Name, s.Slots, s.NumberOfNodes])).toEqual([["0001", "0-8191", 2], ["0002", "8192-16383", 2]]);
      expect(c.Shards![0].Nodes![0]).toMatchObject({ Name: "c1-0001-001", Status: "available", AvailabilityZone: expect.stringMatching(/^us-east-1[a-c]$/) });
      expect(c.Shards![0].Nodes![0].CreateTime).toBeInstanceOf(Date);
      expect(c.Shards![0].Nodes![0].Endpoint!.Address).toMatch(/^c1-0001-001\.c1\.[a-z0-9]{6}\.memorydb\.us-east-1\.amazonaws\.com$/);
      expect((await client.send(new M.DescribeClustersCommand({}))).Clusters![0].Shards).toBeUndefined();
      expect((await client.send(new M.DescribeACLsCommand({ ACLName: "team-acl" }))).ACLs![0].Clusters).toEqual(["c1"]);
      await expect(client.send(new M.DeleteACLCommand({ ACLName: "team-acl" }))).rejects.toMatchObject({ name: "InvalidACLStateFault" });

      const updated = await client.send(new M.UpdateClusterCommand({ ClusterName: "c1", Description: "main", ReplicaConfiguration: { ReplicaCount: 2 } }));
      expect(updated.Cluster).toMatchObject({ Status: "updating", Description: "main" });
      const allowed = await client.send(new M.ListAllowedNodeTypeUpdatesCommand({ ClusterName: "c1" }));
      expect(allowed.ScaleUpNodeTypes).toContain("db.r7g.xlarge");
      expect(allowed.ScaleDownNodeTypes).toEqual([]);
      const failover = await client.send(new M.FailoverShardCommand({ ClusterName: "c1", ShardName: "0001" }));
      expect(failover.Cluster!.Name).toBe("c1");
      await expect(client.send(new M.FailoverShardCommand({ ClusterName: "c1", ShardName: "0009" }))).rejects.toMatchObject({ name: "ShardNotFoundFault" });
      await expect(client.send(new M.DescribeClustersCommand({ ClusterName: "ghost" }))).rejects.toMatchObject({ name: "ClusterNotFoundFault" });
    });

    it("snapshots: create, copy, restore into a new cluster, delete; final snapshot on delete", async () => {
      const snap = await client.send(new M.CreateSnapshotCommand({ ClusterName: "c1", SnapshotName: "s1" }));
      expect(snap.Snapshot).toMatchObject({ Name: "s1", Status: "creating", Source: "manual", ClusterConfiguration: { Name: "c1", NumShards: 2, NodeType: "db.r7g.large" } });
      await expect(client.send(new M.CreateSnapshotCommand({ ClusterName: "c1", SnapshotName: "s1" }))).rejects.toMatchObject({ name: "SnapshotAlreadyExistsFault" });
      const copy = await client.send(new M.CopySnapshotCommand({ SourceSnapshotName: "s1", TargetSnapshotName: "s1-copy" }));
      expect(copy.Snapshot).toMatchObject({ Name: "s1-copy", ARN: "arn:aws:memorydb:us-east-1:000000000000:snapshot/s1-copy" });
      const detail = await client.send(new M.DescribeSnapshotsCommand({ SnapshotName: "s1", ShowDetail: true }));
      expect(detail.Snapshots![0].ClusterConfiguration!.Shards).toHaveLength(2);
      const restored = await client.send(new M.CreateClusterCommand({ ClusterName: "c2", NodeType: "db.r7g.large", ACLName: "open-access", SnapshotName: "s1-copy" }));
      expect(restored.Cluster).toMatchObject({ NumberOfShards: 2 });
      const byCluster = await client.send(new M.DescribeSnapshotsCommand({ ClusterName: "c1" }));
      expect(byCluster.Snapshots!.map((s) => s.Name)).toEqual(["s1", "s1-copy"]);
      const gone = await client.send(new M.DeleteClusterCommand({ ClusterName: "c2", FinalSnapshotName: "c2-final" }));
      expect(gone.Cluster!.Status).toBe("deleting");
      expect((await client.send(new M.DescribeSnapshotsCommand({ SnapshotName: "c2-final" }))).Snapshots![0].ClusterConfiguration!.Name).toBe("c2");
      await client.send(new M.DeleteSnapshotCommand({ SnapshotName: "s1-copy" }));
      await expect(client.send(new M.DescribeSnapshotsCommand({ SnapshotName: "s1-copy" }))).rejects.toMatchObject({ name: "SnapshotNotFoundFault" });
    });

    it("subnet groups and parameter groups", async () => {
      const sg = await client.send(new M.CreateSubnetGroupCommand({ SubnetGroupName: "private", SubnetIds: ["subnet-0a1b2c3d", "subnet-0e1f2a3b"] }));
      expect(sg.SubnetGroup!.Subnets!.map((s) => s.AvailabilityZone!.Name)).toEqual(["us-east-1a", "us-east-1b"]);
      await expect(client.send(new M.CreateSubnetGroupCommand({ SubnetGroupName: "private", SubnetIds: ["subnet-0a1b2c3d"] }))).rejects.toMatchObject({ name: "SubnetGroupAlreadyExistsFault" });
      await expect(client.send(new M.CreateSubnetGroupCommand({ SubnetGroupName: "bad", SubnetIds: ["nope"] }))).rejects.toMatchObject({ name: "InvalidSubnet" });
      const upd = await client.send(new M.UpdateSubnetGroupCommand({ SubnetGroupName: "private", Description: "db subnets" }));
      expect(upd.SubnetGroup!.Description).toBe("db subnets");
      await client.send(new M.DeleteSubnetGroupCommand({ SubnetGroupName: "private" }));
      await expect(client.send(new M.DeleteSubnetGroupCommand({ SubnetGroupName: "private" }))).rejects.toMatchObject({ name: "SubnetGroupNotFoundFault" });

      await client.send(new M.CreateParameterGroupCommand({ ParameterGroupName: "tuned", Family: "memorydb_redis7", Description: "tuned" }));
      await expect(client.send(new M.CreateParameterGroupCommand({ ParameterGroupName: "x", Family: "redis99" }))).rejects.toMatchObject({ name: "InvalidParameterValueException" });
      await client.send(new M.UpdateParameterGroupCommand({ ParameterGroupName: "tuned", ParameterNameValues: [{ ParameterName: "maxmemory-policy", ParameterValue: "allkeys-lru" }] }));
      await expect(client.send(new M.UpdateParameterGroupCommand({ ParameterGroupName: "tuned", ParameterNameValues: [{ ParameterName: "maxmemory-policy", ParameterValue: "sometimes" }] })))
        .rejects.toMatchObject({ name: "InvalidParameterValueException" });
      await expect(client.send(new M.UpdateParameterGroupCommand({ ParameterGroupName: "default.memorydb-redis7", ParameterNameValues: [{ ParameterName: "timeout", ParameterValue: "30" }] })))
        .rejects.toMatchObject({ name: "InvalidParameterValueException" });
      let params = await client.send(new M.DescribeParametersCommand({ ParameterGroupName: "tuned" }));
      expect(params.Parameters!.find((p) => p.Name === "maxmemory-policy")!.Value).toBe("allkeys-lru");
      await client.send(new M.ResetParameterGroupCommand({ ParameterGroupName: "tuned", AllParameters: true }));
      params = await client.send(new M.DescribeParametersCommand({ ParameterGroupName: "tuned", MaxResults: 5 }));
      expect(params.Parameters).toHaveLength(5);
      expect(params.NextToken).toBeDefined();
      const more = await client.send(new M.DescribeParametersCommand({ ParameterGroupName: "tuned", NextToken: params.NextToken }));
      expect(more.Parameters![0]!.Name! > params.Parameters![4]!.Name!).toBe(true);
      await client.send(new M.UpdateClusterCommand({ ClusterName: "c1", ParameterGroupName: "tuned" }));
      await expect(client.send(new M.DeleteParameterGroupCommand({ ParameterGroupName: "tuned" }))).rejects.toMatchObject({ name: "InvalidParameterGroupStateFault" });
    });

    it("tags by ARN, events, engine versions, service updates", async () => {
      const arn = "arn:aws:memorydb:us-east-1:000000000000:cluster/c1";
      expect((await client.send(new M.ListTagsCommand({ ResourceArn: arn }))).TagList).toEqual([{ Key: "env", Value: "dev" }]);
      const tagged = await client.send(new M.TagResourceCommand({ ResourceArn: arn, Tags: [{ Key: "owner", Value: "me" }] }));
      expect(tagged.TagList).toHaveLength(2);
      const untagged = await client.send(new M.UntagResourceCommand({ ResourceArn: arn, TagKeys: ["env"] }));
      expect(untagged.TagList).toEqual([{ Key: "owner", Value: "me" }]);
      await expect(client.send(new M.UntagResourceCommand({ ResourceArn: arn, TagKeys: ["nope"] }))).rejects.toMatchObject({ name: "TagNotFoundFault" });
      await expect(client.send(new M.ListTagsCommand({ ResourceArn: "arn:aws:memorydb:us-east-1:000000000000:cluster/ghost" }))).rejects.toMatchObject({ name: "ClusterNotFoundFault" });
      await expect(client.send(new M.ListTagsCommand({ ResourceArn: "not-an-arn" }))).rejects.toMatchObject({ name: "InvalidARNFault" });

      const events = await client.send(new M.DescribeEventsCommand({ SourceType: "cluster", SourceName: "c1" }));
      expect(events.Events!.map((e) => e.Message)).toContain("Cluster c1 created");
      expect(events.Events![0].Date).toBeInstanceOf(Date);

      const versions = await client.send(new M.DescribeEngineVersionsCommand({ Engine: "redis" }));
      expect(versions.EngineVersions!.map((v) => v.EngineVersion)).toEqual(["6.2", "7.0", "7.1"]);
      const defaults = await client.send(new M.DescribeEngineVersionsCommand({ DefaultOnly: true }));
      expect(defaults.EngineVersions!.map((v) => `${v.Engine} ${v.EngineVersion}`)).toEqual(["redis 7.1", "valkey 7.2"]);

      const updates = await client.send(new M.DescribeServiceUpdatesCommand({ ClusterNames: ["c1"] }));
      const update = updates.ServiceUpdates![0];
      expect(update).toMatchObject({ ClusterName: "c1", Status: "available", Type: "security-update" });
      const batch = await client.send(new M.BatchUpdateClusterCommand({ ClusterNames: ["c1", "ghost"], ServiceUpdate: { ServiceUpdateNameToApply: update.ServiceUpdateName } }));
      expect(batch.ProcessedClusters!.map((c) => c.Name)).toEqual(["c1"]);
      expect(batch.UnprocessedClusters).toEqual([{ ClusterName: "ghost", ErrorType: "ClusterNotFoundFault", ErrorMessage: "Cluster ghost not found." }]);
      expect((await client.send(new M.DescribeServiceUpdatesCommand({ ClusterNames: ["c1"] }))).ServiceUpdates![0].Status).toBe("complete");
    });

    it("reserved nodes and multi-region clusters as state", async () => {
      const offerings = await client.send(new M.DescribeReservedNodesOfferingsCommand({ NodeType: "db.r7g.large", Duration: "1", OfferingType: "No Upfront" }));
      expect(offerings.ReservedNodesOfferings).toHaveLength(1);
      const offering = offerings.ReservedNodesOfferings![0];
      expect(offering).toMatchObject({ NodeType: "db.r7g.large", Duration: 31536000, FixedPrice: 0, OfferingType: "No Upfront" });
      const bought = await client.send(new M.PurchaseReservedNodesOfferingCommand({ ReservedNodesOfferingId: offering.ReservedNodesOfferingId, ReservationId: "my-ri", NodeCount: 2 }));
      expect(bought.ReservedNode).toMatchObject({ ReservationId: "my-ri", NodeCount: 2, State: "payment-pending", ARN: "arn:aws:memorydb:us-east-1:000000000000:reservednode/my-ri" });
      expect((await client.send(new M.DescribeReservedNodesCommand({ ReservationId: "my-ri" }))).ReservedNodes![0].State).toBe("active");
      await expect(client.send(new M.PurchaseReservedNodesOfferingCommand({ ReservedNodesOfferingId: offering.ReservedNodesOfferingId, ReservationId: "my-ri" })))
        .rejects.toMatchObject({ name: "ReservedNodeAlreadyExistsFault" });
      await expect(client.send(new M.PurchaseReservedNodesOfferingCommand({ ReservedNodesOfferingId: "nope" }))).rejects.toMatchObject({ name: "ReservedNodesOfferingNotFoundFault" });

      const mr = await client.send(new M.CreateMultiRegionClusterCommand({ MultiRegionClusterNameSuffix: "global", NodeType: "db.r7g.xlarge", Engine: "valkey" }));
      const mrName = mr.MultiRegionCluster!.MultiRegionClusterName!;
      expect(mrName).toMatch(/^[a-z]{5}-global$/);
      expect(mr.MultiRegionCluster).toMatchObject({ Status: "creating", Engine: "valkey", EngineVersion: "7.2", TLSEnabled: true });
      await client.send(new M.CreateClusterCommand({ ClusterName: "regional", NodeType: "db.r7g.xlarge", ACLName: "open-access", MultiRegionClusterName: mrName, Engine: "valkey" }));
      const described = await client.send(new M.DescribeMultiRegionClustersCommand({ MultiRegionClusterName: mrName, ShowClusterDetails: true }));
      expect(described.MultiRegionClusters![0].Clusters).toEqual([expect.objectContaining({ ClusterName: "regional", Region: "us-east-1" })]);
      await expect(client.send(new M.DeleteMultiRegionClusterCommand({ MultiRegionClusterName: mrName }))).rejects.toMatchObject({ name: "InvalidMultiRegionClusterStateFault" });
      const allowed = await client.send(new M.ListAllowedMultiRegionClusterUpdatesCommand({ MultiRegionClusterName: mrName }));
      expect(allowed.ScaleDownNodeTypes).toEqual(["db.r7g.large"]);
      await client.send(new M.UpdateMultiRegionClusterCommand({ MultiRegionClusterName: mrName, Description: "global" }));
      const groups = await client.send(new M.DescribeMultiRegionParameterGroupsCommand({}));
      const group = groups.MultiRegionParameterGroups![0].Name!;
      const params = await client.send(new M.DescribeMultiRegionParametersCommand({ MultiRegionParameterGroupName: group, MaxResults: 3 }));
      expect(params.MultiRegionParameters).toHaveLength(3);
      await client.send(new M.DeleteClusterCommand({ ClusterName: "regional", MultiRegionClusterName: mrName }));
      const deleted = await client.send(new M.DeleteMultiRegionClusterCommand({ MultiRegionClusterName: mrName }));
      expect(deleted.MultiRegionCluster!.Status).toBe("deleting");
    });
  });
}
