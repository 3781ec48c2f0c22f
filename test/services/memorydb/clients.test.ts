/**
 * MemoryDB through boto3, AWS CLI v1 and AWS CLI v2 against the Node server: every operation
 * of the seed table. Each suite is skipped, with the reason printed, only where that client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

if (!python.version) console.warn(`skipping boto3 MemoryDB suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3", () => {
  it("users, ACLs, subnet groups, clusters, snapshots and tags", async () => {
    const out = await boto3(server.url, `
m = boto3.client("memorydb", endpoint_url=ENDPOINT, region_name="us-east-1")
u = m.create_user(UserName="pyuser", AccessString="on ~* +@all", AuthenticationMode={"Type": "password", "Passwords": ["a-very-long-password-1"]})["User"]
m.update_user(UserName="pyuser", AccessString="on ~app:* +@read")
users = m.describe_users(UserName="pyuser")["Users"]
acl = m.create_acl(ACLName="pyacl", UserNames=["pyuser"])["ACL"]
m.update_acl(ACLName="pyacl", UserNamesToAdd=["default"])
acls = m.describe_acls(ACLName="pyacl")["ACLs"]
sg = m.create_subnet_group(SubnetGroupName="pysg", SubnetIds=["subnet-0123abcd"])["SubnetGroup"]
sgs = m.describe_subnet_groups()["SubnetGroups"]
c = m.create_cluster(ClusterName="pycluster", NodeType="db.t4g.small", ACLName="pyacl", NumReplicasPerShard=0)["Cluster"]
m.update_cluster(ClusterName="pycluster", Description="updated")
clusters = m.describe_clusters(ShowShardDetails=True)["Clusters"]
snap = m.create_snapshot(ClusterName="pycluster", SnapshotName="pysnap")["Snapshot"]
snaps = m.describe_snapshots()["Snapshots"]
m.tag_resource(ResourceArn=c["ARN"], Tags=[{"Key": "k", "Value": "v"}])
tags = m.list_tags(ResourceArn=c["ARN"])["TagList"]
m.untag_resource(ResourceArn=c["ARN"], TagKeys=["k"])
try:
    m.create_user(UserName="pyuser", AccessString="on ~* +@all", AuthenticationMode={"Type": "iam"})
    dup = None
except m.exceptions.UserAlreadyExistsFault as e:
    dup = e.response["Error"]["Code"]
m.delete_snapshot(SnapshotName="pysnap")
deleted = m.delete_cluster(ClusterName="pycluster")["Cluster"]
try:
    m.describe_clusters(ClusterName="pycluster")
    missing = None
except m.exceptions.ClusterNotFoundFault as e:
    missing = e.response["Error"]["Code"]
m.delete_subnet_group(SubnetGroupName="pysg")
m.delete_acl(ACLName="pyacl")
m.delete_user(UserName="pyuser")
left = [x["Name"] for x in m.describe_users()["Users"]]
print(json.dumps({"user": u["Authentication"], "access": users[0]["AccessString"], "userAcls": users[0]["ACLNames"],
  "acl": acl["Status"], "members": acls[0]["UserNames"], "vpc": sg["VpcId"], "sgs": sorted(x["Name"] for x in sgs),
  "status": c["Status"], "endpoint": c["ClusterEndpoint"], "described": clusters[0]["Status"], "desc": clusters[0]["Description"],
  "nodes": clusters[0]["Shards"][0]["NumberOfNodes"], "mode": clusters[0]["AvailabilityMode"],
  "snap": snap["Name"], "snaps": [s["Name"] for s in snaps], "tags": tags, "dup": dup, "deleted": deleted["Status"],
  "missing": missing, "left": left, "created": clusters[0]["Shards"][0]["Nodes"][0]["CreateTime"].isoformat()}))
`);
    expect(out).toMatchObject({
      user: { Type: "password", PasswordCount: 1 }, access: "on ~app:* +@read", userAcls: [], acl: "creating",
      members: ["default", "pyuser"], sgs: ["default", "pysg"], status: "creating", described: "available", desc: "updated",
      nodes: 1, mode: "singleaz", snap: "pysnap", snaps: ["pysnap"], tags: [{ Key: "k", Value: "v" }], dup: "UserAlreadyExistsFault",
      deleted: "deleting", missing: "ClusterNotFoundFault", left: ["default"],
    });
    expect(out.endpoint).toEqual({ Address: expect.stringMatching(/^clustercfg\.pycluster\.[a-z0-9]{6}\.memorydb\.us-east-1\.amazonaws\.com$/), Port: 6379 });
    expect(out.vpc).toMatch(/^vpc-[0-9a-f]{17}$/);
    expect(out.created).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} MemoryDB suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws, which .ci/run installs); the reason is printed.
  describe.skipIf(!cli)(label, () => {
    const aws = async (...args: string[]) => {
      const result = await run(cli!, ["memorydb", ...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
      return { ...result, json: result.stdout.trim() ? JSON.parse(result.stdout) : undefined };
    };

    it("the seed's walkthrough: user, ACL, cluster, describe, snapshot, tags, delete", async () => {
      const v = label.endsWith("v1") ? "v1" : "v2";
      const user = await aws("create-user", "--user-name", `user${v}`, "--access-string", "on ~* +@all",
        "--authentication-mode", "Type=password,Passwords=a-very-long-password-1");
      expect(user.stderr).toBe("");
      expect(user.json.User).toMatchObject({ Name: `user${v}`, Status: "active" });
      const noPassword = await aws("create-user", "--user-name", `np${v}`, "--access-string", "on ~* +@all", "--authentication-mode", "Type=no-password");
      expect(noPassword.code).not.toBe(0); // AWS accepts only password or iam for new users
      const updatedUser = await aws("update-user", "--user-name", `user${v}`, "--access-string", "on ~* +@read");
      expect(updatedUser.json.User.AccessString).toBe("on ~* +@read");
      const acl = await aws("create-acl", "--acl-name", `acl${v}`, "--user-names", `user${v}`);
      expect(acl.json.ACL).toMatchObject({ Name: `acl${v}`, UserNames: [`user${v}`] });
      const updatedAcl = await aws("update-acl", "--acl-name", `acl${v}`, "--user-names-to-add", "default");
      expect(updatedAcl.json.ACL.UserNames).toEqual(["default", `user${v}`]);
      expect((await aws("describe-acls", "--acl-name", `acl${v}`)).json.ACLs[0].Name).toBe(`acl${v}`);
      const sg = await aws("create-subnet-group", "--subnet-group-name", `sg${v}`, "--subnet-ids", "subnet-0123abcd", "subnet-4567ef01");
      expect(sg.json.SubnetGroup.Subnets).toHaveLength(2);
      expect((await aws("describe-subnet-groups", "--subnet-group-name", `sg${v}`)).json.SubnetGroups[0].Name).toBe(`sg${v}`);
      const cluster = await aws("create-cluster", "--cluster-name", `cluster${v}`, "--node-type", "db.t4g.small", "--acl-name", `acl${v}`, "--subnet-group-name", `sg${v}`);
      expect(cluster.stderr).toBe("");
      expect(cluster.json.Cluster).toMatchObject({ Name: `cluster${v}`, NodeType: "db.t4g.small", ACLName: `acl${v}` });
      const described = await aws("describe-clusters", "--cluster-name", `cluster${v}`);
      expect(described.json.Clusters[0].Status).toBe("available");
      const updated = await aws("update-cluster", "--cluster-name", `cluster${v}`, "--snapshot-retention-limit", "3");
      expect(updated.json.Cluster.SnapshotRetentionLimit).toBe(3);
      const snap = await aws("create-snapshot", "--cluster-name", `cluster${v}`, "--snapshot-name", `snap${v}`);
      expect(snap.json.Snapshot.Name).toBe(`snap${v}`);
      expect((await aws("describe-snapshots", "--cluster-name", `cluster${v}`)).json.Snapshots.map((s: { Name: string }) => s.Name)).toEqual([`snap${v}`]);
      const arn = cluster.json.Cluster.ARN;
      await aws("tag-resource", "--resource-arn", arn, "--tags", "Key=env,Value=test");
      expect((await aws("list-tags", "--resource-arn", arn)).json.TagList).toEqual([{ Key: "env", Value: "test" }]);
      await aws("untag-resource", "--resource-arn", arn, "--tag-keys", "env");
      expect((await aws("delete-snapshot", "--snapshot-name", `snap${v}`)).code).toBe(0);
      expect((await aws("delete-cluster", "--cluster-name", `cluster${v}`)).json.Cluster.Status).toBe("deleting");
      const missing = await aws("describe-clusters", "--cluster-name", `cluster${v}`);
      expect(missing.stderr).toContain("ClusterNotFoundFault");
      expect((await aws("delete-subnet-group", "--subnet-group-name", `sg${v}`)).code).toBe(0);
      expect((await aws("delete-acl", "--acl-name", `acl${v}`)).code).toBe(0);
      expect((await aws("delete-user", "--user-name", `user${v}`)).code).toBe(0);
      const users = await aws("describe-users");
      expect(users.json.Users.map((u: { Name: string }) => u.Name)).not.toContain(`user${v}`);
    }, 120_000);
  });
}
