/**
 * Amazon MemoryDB control plane over awsJson 1.1 (AmazonMemoryDB.*). No Redis/Valkey is
 * started; clusters report the metadata AWS reports (endpoints, shards, nodes, ARNs).
 * Source: https://docs.aws.amazon.com/memorydb/latest/APIReference/API_Operations.html
 *
 * Resources are ready at once: a create answers with the transitional status AWS answers
 * with (`creating`), later reads show the settled one (`available` / `active`). User ↔ ACL
 * membership and ACL → clusters are derived from the ACLs and clusters when read, so they
 * are always consistent both ways.
 */
import { defineService, type Handler, type RequestContext } from "../types.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import { AwsError } from "../../protocol/errors.ts";
import type { Store } from "../../store/types.ts";
import model from "../../../models/memorydb.json" with { type: "json" };
import { invalidAccessRule } from "./access-string.ts";
import {
  allowedValue, DEFAULT_ENGINE_VERSION, DEFAULT_GROUPS, ENGINE_VERSIONS, FAMILIES, familyParameters, NODE_TYPES, nodeFamily,
  OFFERINGS, SERVICE_UPDATES,
} from "./catalog.ts";

type Obj = Record<string, any>;

const fault = (name: string, message: string) => new AwsError(name, message, 400);
const invalidValue = (message: string) => fault("InvalidParameterValueException", message);
const invalidCombination = (message: string) => fault("InvalidParameterCombinationException", message);

const MAX_TAGS = 50;
const SLOTS = 16384;

function arn(ctx: RequestContext, type: string, name: string): string {
  return `arn:aws:memorydb:${ctx.region}:${ctx.accountId}:${type}/${name}`;
}

/** A stable short hash (for endpoint and VPC ids that must not change between reads). */
function hash(text: string, length = 6): string {
  let h = 0x811c9dc5;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  let out = "";
  while (out.length < length) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    out += h.toString(36);
  }
  return out.slice(0, length);
}

async function get<T = Obj>(store: Store, kind: string, name: string): Promise<T | null> {
  return (await store.get<T>([kind, name])).value;
}

async function all<T = Obj>(store: Store, kind: string): Promise<T[]> {
  const out: T[] = [];
  for await (const entry of store.list<T>({ prefix: [kind] })) out.push(entry.value);
  return out;
}

/** MaxResults/NextToken paging over a name-sorted list. */
function page<T>(items: T[], nameOf: (t: T) => string, input: { MaxResults?: number; NextToken?: string }): { items: T[]; NextToken?: string } {
  let start = 0;
  if (input.NextToken) {
    let after: string;
    try {
      after = atob(input.NextToken);
    } catch {
      throw invalidValue("Invalid NextToken.");
    }
    start = items.findIndex((t) => nameOf(t) > after);
    if (start === -1) start = items.length;
  }
  const max = input.MaxResults ?? 100;
  if (max < 1 || max > 100) throw invalidValue("MaxResults must be between 1 and 100.");
  const slice = items.slice(start, start + max);
  const more = start + max < items.length;
  return { items: slice, NextToken: more ? btoa(nameOf(slice[slice.length - 1])) : undefined };
}

async function event(ctx: RequestContext, SourceName: string, SourceType: string, Message: string): Promise<void> {
  const at = ctx.clock.now();
  await ctx.store.set(["event", at, crypto.randomUUID()], { SourceName, SourceType, Message, Date: at });
}

function checkTags(tags: { Key?: string; Value?: string }[] | undefined): void {
  if (!tags) return;
  if (tags.length > MAX_TAGS) throw fault("TagQuotaPerResourceExceeded", `The number of tags exceeds the limit of ${MAX_TAGS}.`);
  for (const t of tags) {
    if (!t.Key) throw invalidValue("Tag keys must not be empty.");
    if (t.Key.toLowerCase().startsWith("aws:")) throw invalidValue("Tag keys must not start with 'aws:'.");
  }
}

async function setTags(ctx: RequestContext, resourceArn: string, tags: { Key: string; Value?: string }[] | undefined): Promise<void> {
  checkTags(tags);
  if (tags?.length) await ctx.store.set(["tags", resourceArn], tags.map((t) => ({ Key: t.Key, Value: t.Value ?? "" })));
}

// ---- defaults present in every account and region -------------------------------------------

const DEFAULT_USER = { Name: "default", Status: "active", AccessString: "on ~* &* +@all", MinimumEngineVersion: "6.0", Authentication: { Type: "no-password" } };
const OPEN_ACCESS = { Name: "open-access", Status: "active", UserNames: ["default"], MinimumEngineVersion: "6.2" };

async function ensureDefaults(ctx: RequestContext): Promise<void> {
  if ((await ctx.store.get(["init"])).value) return;
  const op = ctx.store.atomic().check({ key: ["init"], versionstamp: null });
  op.set(["init"], true);
  op.set(["user", "default"], { ...DEFAULT_USER, ARN: arn(ctx, "user", "default") });
  op.set(["acl", "open-access"], { ...OPEN_ACCESS, ARN: arn(ctx, "acl", "open-access") });
  op.set(["subnetgroup", "default"], subnetGroup(ctx, "default", "Default for the default VPC", [`subnet-${hash(ctx.accountId + ctx.region + "a", 8)}`, `subnet-${hash(ctx.accountId + ctx.region + "b", 8)}`, `subnet-${hash(ctx.accountId + ctx.region + "c", 8)}`], true));
  for (const family of FAMILIES) {
    const name = DEFAULT_GROUPS[family];
    op.set(["paramgroup", name], { Name: name, Family: family, Description: `Default parameter group for ${family}`, ARN: arn(ctx, "parametergroup", name), values: {} });
  }
  await op.commit();
}

function subnetGroup(ctx: RequestContext, name: string, description: string, subnetIds: string[], isDefault = false): Obj {
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

// ---- users and ACLs ---------------------------------------------------------------------------

function authenticationFor(mode: { Type?: string; Passwords?: string[] } | undefined): Obj {
  if (!mode?.Type) throw invalidValue("Authentication mode type is required.");
  if (mode.Type === "password") {
    const passwords = mode.Passwords ?? [];
    if (passwords.length < 1 || passwords.length > 2) throw invalidValue("Passwords must contain 1 or 2 passwords when authentication type is password.");
    for (const pw of passwords) {
      if (pw.length < 16 || pw.length > 128) throw invalidValue("Passwords length must be between 16-128 characters.");
      if (/[\s"@/]/.test(pw)) throw invalidValue("Passwords must not contain spaces, double quotes, @ or /.");
    }
    return { Type: "password", PasswordCount: passwords.length };
  }
  if (mode.Passwords?.length) throw invalidCombination("Passwords are not allowed when authentication type is iam.");
  return { Type: mode.Type };
}

function checkAccessString(accessString: string): void {
  const bad = invalidAccessRule(accessString);
  if (bad !== null) throw invalidValue(`Access string is invalid: unrecognized rule '${bad}'.`);
}

async function describeUser(ctx: RequestContext, user: Obj): Promise<Obj> {
  const acls = (await all(ctx.store, "acl")).filter((a) => a.UserNames.includes(user.Name)).map((a) => a.Name).sort();
  const { Status, ...rest } = user;
  return { ...rest, Status, ACLNames: acls };
}

async function clustersUsingAcl(ctx: RequestContext, acl: string): Promise<string[]> {
  return (await all(ctx.store, "cluster")).filter((c) => c.ACLName === acl).map((c) => c.Name).sort();
}

async function describeAcl(ctx: RequestContext, acl: Obj): Promise<Obj> {
  return { ...acl, UserNames: acl.UserNames.slice().sort(), Clusters: await clustersUsingAcl(ctx, acl.Name) };
}

async function checkUsers(ctx: RequestContext, names: string[] | undefined): Promise<void> {
  const seen = new Set<string>();
  for (const name of names ?? []) {
    if (seen.has(name)) throw fault("DuplicateUserNameFault", `User name ${name} is duplicated.`);
    seen.add(name);
    if (!(await get(ctx.store, "user", name))) throw fault("UserNotFoundFault", `User ${name} not found.`);
  }
}

// ---- clusters ---------------------------------------------------------------------------------

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

function describeCluster(ctx: RequestContext, c: Obj, showShards: boolean, status?: string): Obj {
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

function engineVersionFor(engine: string, version: string | undefined): (typeof ENGINE_VERSIONS)[number] {
  const wanted = version ?? DEFAULT_ENGINE_VERSION[engine];
  const found = ENGINE_VERSIONS.find((v) => v.Engine === engine && (v.EngineVersion === wanted || v.EnginePatchVersion === wanted));
  if (!found) throw invalidValue(`Invalid engine version ${wanted} for engine ${engine}.`);
  return found;
}

function checkEngine(engine: string | undefined): string {
  const e = (engine ?? "redis").toLowerCase();
  if (e !== "redis" && e !== "valkey") throw invalidValue(`Invalid engine: ${engine}. Valid engines are redis and valkey.`);
  return e;
}

function checkNodeType(nodeType: string): void {
  if (!NODE_TYPES.has(nodeType)) throw invalidValue(`Invalid node type: ${nodeType}`);
}

function checkCounts(shards: number, replicas: number): void {
  if (shards < 1) throw invalidValue("The number of shards must be at least 1.");
  if (shards > 500) throw fault("ShardsPerClusterQuotaExceededFault", "The number of shards exceeds the limit of 500 per cluster.");
  if (replicas < 0 || replicas > 5) throw invalidValue("The number of replicas per shard must be between 0 and 5.");
  if (shards * (replicas + 1) > 500) throw fault("NodeQuotaForClusterExceededFault", "The number of nodes exceeds the limit of 500 per cluster.");
}

async function paramGroup(ctx: RequestContext, name: string): Promise<Obj> {
  const group = await get(ctx.store, "paramgroup", name);
  if (!group) throw fault("ParameterGroupNotFoundFault", `Parameter group ${name} not found.`);
  return group;
}

function describeGroup(g: Obj): Obj {
  return { Name: g.Name, Family: g.Family, Description: g.Description, ARN: g.ARN };
}

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

async function makeSnapshot(ctx: RequestContext, cluster: Obj, name: string, source: string, kmsKeyId?: string, tags?: Obj[]): Promise<Obj> {
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
  await setTags(ctx, snapshot.ARN, tags as any);
  await event(ctx, name, "cluster", `Snapshot ${name} created for cluster ${cluster.Name}`);
  return snapshot;
}

// ---- tags by ARN ------------------------------------------------------------------------------

const ARN_TYPES: Record<string, [string, string]> = {
  cluster: ["cluster", "ClusterNotFoundFault"],
  user: ["user", "UserNotFoundFault"],
  acl: ["acl", "ACLNotFoundFault"],
  subnetgroup: ["subnetgroup", "SubnetGroupNotFoundFault"],
  parametergroup: ["paramgroup", "ParameterGroupNotFoundFault"],
  snapshot: ["snapshot", "SnapshotNotFoundFault"],
  reservednode: ["reserved", "ReservedNodeNotFoundFault"],
  multiregioncluster: ["mrc", "MultiRegionClusterNotFoundFault"],
};

async function resolveArn(ctx: RequestContext, resourceArn: string): Promise<void> {
  const m = /^arn:aws[a-z-]*:memorydb:([a-z0-9-]*):(\d{12}):([a-z]+)\/(.+)$/.exec(resourceArn);
  if (!m || !ARN_TYPES[m[3]]) throw fault("InvalidARNFault", `The ARN ${resourceArn} is not valid.`);
  const [kind, notFound] = ARN_TYPES[m[3]];
  const store = kind === "mrc" ? ctx.globalStore : ctx.store;
  const key = kind === "mrc" ? [kind, ctx.accountId, m[4]] : [kind, m[4]];
  if (m[2] !== ctx.accountId || (kind !== "mrc" && m[1] !== ctx.region) || !(await store.get(key)).value) {
    throw fault(notFound, `${m[3]} ${m[4]} not found.`);
  }
}

/** Multi-region clusters live in the account-wide store, and so do their tags. */
function tagStore(ctx: RequestContext, resourceArn: string): Store {
  return resourceArn.includes(":multiregioncluster/") ? ctx.globalStore : ctx.store;
}

async function tagsOf(ctx: RequestContext, resourceArn: string): Promise<Obj[]> {
  return (await tagStore(ctx, resourceArn).get<Obj[]>(["tags", resourceArn])).value ?? [];
}

// ---- multi-region ------------------------------------------------------------------------------

const MR_PREFIX: Record<string, string> = { "us-west-1": "virxk" };

const MR_PARAMETER_GROUP = { Name: "default.memorydb-valkey7.multiregion", Family: "memorydb_valkey7", Description: "Default multi-region parameter group for memorydb_valkey7" };

async function mrCluster(ctx: RequestContext, name: string): Promise<Obj> {
  const found = (await ctx.globalStore.get<Obj>(["mrc", ctx.accountId, name])).value;
  if (!found) throw fault("MultiRegionClusterNotFoundFault", `Multi-region cluster ${name} not found.`);
  return found;
}

function describeMr(mr: Obj, showClusters: boolean, status?: string): Obj {
  const { clusters, ...rest } = mr;
  return { ...rest, Status: status ?? rest.Status, ...(showClusters ? { Clusters: clusters } : {}) };
}

// ---- handlers ---------------------------------------------------------------------------------

const handlers: Record<string, Handler> = {
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
    for (const m of ["Description", "MaintenanceWindow", "SnapshotWindow", "SnsTopicArn", "SnsTopicStatus", "IpDiscovery"]) {
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

  async BatchUpdateCluster(input, ctx) {
    const name = input.ServiceUpdate?.ServiceUpdateNameToApply;
    if (name && !SERVICE_UPDATES.some((u) => u.ServiceUpdateName === name)) throw fault("ServiceUpdateNotFoundFault", `Service update ${name} not found.`);
    const processed: Obj[] = [];
    const unprocessed: Obj[] = [];
    for (const clusterName of input.ClusterNames as string[]) {
      const cluster = await get(ctx.store, "cluster", clusterName);
      if (!cluster) {
        unprocessed.push({ ClusterName: clusterName, ErrorType: "ClusterNotFoundFault", ErrorMessage: `Cluster ${clusterName} not found.` });
        continue;
      }
      const next = { ...cluster, appliedUpdates: [...new Set([...(cluster.appliedUpdates ?? []), ...(name ? [name] : [])])] };
      await ctx.store.set(["cluster", clusterName], next);
      processed.push(describeCluster(ctx, next, false));
    }
    return { ProcessedClusters: processed, UnprocessedClusters: unprocessed };
  },

  async DescribeServiceUpdates(input, ctx) {
    const clusters = (await all(ctx.store, "cluster")).filter((c) => !input.ClusterNames?.length || input.ClusterNames.includes(c.Name));
    const rows: Obj[] = [];
    for (const u of SERVICE_UPDATES) {
      if (input.ServiceUpdateName && input.ServiceUpdateName !== u.ServiceUpdateName) continue;
      for (const c of clusters) {
        const done = (c.appliedUpdates ?? []).includes(u.ServiceUpdateName);
        const nodes = c.NumberOfShards * (c.replicas + 1);
        rows.push({ ...u, ClusterName: c.Name, Status: done ? "complete" : "available", NodesUpdated: `${done ? nodes : 0}/${nodes}` });
      }
      if (!clusters.length && !input.ClusterNames?.length) rows.push({ ...u, Status: "available" });
    }
    const filtered = input.Status?.length ? rows.filter((r) => input.Status.includes(r.Status)) : rows;
    const { items, NextToken } = page(filtered, (r) => `${r.ServiceUpdateName}/${r.ClusterName ?? ""}`, input);
    return { ServiceUpdates: items, NextToken };
  },

  // ---- subnet groups ----
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

  // ---- users ----
  async CreateUser(input, ctx) {
    const name: string = input.UserName;
    checkAccessString(input.AccessString);
    const authentication = authenticationFor(input.AuthenticationMode);
    const user = { Name: name, Status: "active", AccessString: input.AccessString, MinimumEngineVersion: "6.2", Authentication: authentication, ARN: arn(ctx, "user", name) };
    const result = await ctx.store.atomic().check({ key: ["user", name], versionstamp: null }).set(["user", name], user).commit();
    if (!result.ok) throw fault("UserAlreadyExistsFault", `User ${name} already exists.`);
    await setTags(ctx, user.ARN, input.Tags);
    await event(ctx, name, "user", `User ${name} created`);
    return { User: await describeUser(ctx, user) };
  },

  async UpdateUser(input, ctx) {
    const user = await get(ctx.store, "user", input.UserName);
    if (!user) throw fault("UserNotFoundFault", `User ${input.UserName} not found.`);
    if (user.Name === "default") throw invalidValue("The default user cannot be modified.");
    const next = { ...user };
    if (input.AccessString !== undefined) {
      checkAccessString(input.AccessString);
      next.AccessString = input.AccessString;
    }
    if (input.AuthenticationMode) next.Authentication = authenticationFor(input.AuthenticationMode);
    await ctx.store.set(["user", user.Name], next);
    return { User: { ...(await describeUser(ctx, next)), Status: "modifying" } };
  },

  async DeleteUser(input, ctx) {
    const user = await get(ctx.store, "user", input.UserName);
    if (!user) throw fault("UserNotFoundFault", `User ${input.UserName} not found.`);
    if (user.Name === "default") throw invalidValue("The default user cannot be deleted.");
    const described = await describeUser(ctx, user);
    // AWS: the user is removed from all ACLs, and in turn from all clusters.
    for (const acl of await all(ctx.store, "acl")) {
      if (acl.UserNames.includes(user.Name)) await ctx.store.set(["acl", acl.Name], { ...acl, UserNames: acl.UserNames.filter((u: string) => u !== user.Name) });
    }
    await ctx.store.delete(["user", user.Name]);
    await ctx.store.delete(["tags", user.ARN]);
    await event(ctx, user.Name, "user", `User ${user.Name} deleted`);
    return { User: { ...described, Status: "deleting" } };
  },

  async DescribeUsers(input, ctx) {
    let users = await all(ctx.store, "user");
    if (input.UserName) {
      users = users.filter((u) => u.Name === input.UserName);
      if (!users.length) throw fault("UserNotFoundFault", `User ${input.UserName} not found.`);
    }
    for (const filter of input.Filters ?? []) {
      if (filter.Name !== "access-string") throw invalidValue(`Invalid filter name: ${filter.Name}. Valid filter: access-string.`);
      users = users.filter((u) => filter.Values.includes(u.AccessString));
    }
    const { items, NextToken } = page(users, (u) => u.Name, input);
    return { Users: await Promise.all(items.map((u) => describeUser(ctx, u))), NextToken };
  },

  // ---- ACLs ----
  async CreateACL(input, ctx) {
    const name: string = input.ACLName;
    await checkUsers(ctx, input.UserNames);
    const acl = { Name: name, Status: "active", UserNames: input.UserNames ?? [], MinimumEngineVersion: "6.2", ARN: arn(ctx, "acl", name) };
    const result = await ctx.store.atomic().check({ key: ["acl", name], versionstamp: null }).set(["acl", name], acl).commit();
    if (!result.ok) throw fault("ACLAlreadyExistsFault", `ACL ${name} already exists.`);
    await setTags(ctx, acl.ARN, input.Tags);
    await event(ctx, name, "acl", `ACL ${name} created`);
    return { ACL: { ...(await describeAcl(ctx, acl)), Status: "creating" } };
  },

  async UpdateACL(input, ctx) {
    const acl = await get(ctx.store, "acl", input.ACLName);
    if (!acl) throw fault("ACLNotFoundFault", `ACL ${input.ACLName} not found.`);
    if (acl.Name === "open-access") throw invalidValue("The open-access ACL cannot be modified.");
    if (!input.UserNamesToAdd?.length && !input.UserNamesToRemove?.length) throw invalidCombination("At least one of UserNamesToAdd or UserNamesToRemove must be specified.");
    await checkUsers(ctx, input.UserNamesToAdd);
    const overlap = (input.UserNamesToAdd ?? []).filter((u: string) => (input.UserNamesToRemove ?? []).includes(u));
    if (overlap.length) throw fault("DuplicateUserNameFault", `User ${overlap[0]} cannot be both added and removed.`);
    for (const u of input.UserNamesToRemove ?? []) {
      if (!acl.UserNames.includes(u)) throw fault("UserNotFoundFault", `User ${u} is not a member of ACL ${acl.Name}.`);
    }
    const names = new Set<string>(acl.UserNames);
    for (const u of input.UserNamesToAdd ?? []) names.add(u);
    for (const u of input.UserNamesToRemove ?? []) names.delete(u);
    const next = { ...acl, UserNames: [...names] };
    await ctx.store.set(["acl", acl.Name], next);
    return { ACL: { ...(await describeAcl(ctx, next)), Status: "modifying" } };
  },

  async DeleteACL(input, ctx) {
    const acl = await get(ctx.store, "acl", input.ACLName);
    if (!acl) throw fault("ACLNotFoundFault", `ACL ${input.ACLName} not found.`);
    if (acl.Name === "open-access") throw invalidValue("The open-access ACL cannot be deleted.");
    const described = await describeAcl(ctx, acl);
    if (described.Clusters.length) throw fault("InvalidACLStateFault", `ACL ${acl.Name} is in use by clusters: ${described.Clusters.join(", ")}.`);
    await ctx.store.delete(["acl", acl.Name]);
    await ctx.store.delete(["tags", acl.ARN]);
    await event(ctx, acl.Name, "acl", `ACL ${acl.Name} deleted`);
    return { ACL: { ...described, Status: "deleting" } };
  },

  async DescribeACLs(input, ctx) {
    let acls = await all(ctx.store, "acl");
    if (input.ACLName) {
      acls = acls.filter((a) => a.Name === input.ACLName);
      if (!acls.length) throw fault("ACLNotFoundFault", `ACL ${input.ACLName} not found.`);
    }
    const { items, NextToken } = page(acls, (a) => a.Name, input);
    return { ACLs: await Promise.all(items.map((a) => describeAcl(ctx, a))), NextToken };
  },

  // ---- parameter groups ----
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
      for (const n of input.ParameterNames) {
        if (!known.has(n)) throw invalidValue(`Unrecognized parameter name: ${n}`);
        delete values[n];
      }
    }
    await ctx.store.set(["paramgroup", group.Name], { ...group, values });
    return { ParameterGroup: describeGroup(group) };
  },

  // ---- snapshots ----
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

  // ---- events, engine versions ----
  async DescribeEvents(input, ctx) {
    const now = ctx.clock.now();
    const end = input.EndTime !== undefined ? new Date(input.EndTime).getTime() : now;
    const start = input.StartTime !== undefined ? new Date(input.StartTime).getTime() : end - (input.Duration ?? 60) * 60_000;
    const events: Obj[] = [];
    for await (const entry of ctx.store.list<Obj>({ prefix: ["event"] })) {
      const e = entry.value;
      if (e.Date < start || e.Date > end) continue;
      if (input.SourceName && e.SourceName !== input.SourceName) continue;
      if (input.SourceType && e.SourceType !== input.SourceType) continue;
      events.push({ ...e, key: `${String(e.Date).padStart(15, "0")}/${entry.key[2]}` });
    }
    events.reverse(); // newest first, as AWS lists them
    const { items, NextToken } = page(events.map((e, i) => ({ ...e, key: String(i).padStart(8, "0") })), (e) => e.key, input);
    return { Events: items.map(({ key: _, ...e }) => e), NextToken };
  },

  async DescribeEngineVersions(input, _ctx) {
    let versions = ENGINE_VERSIONS.filter((v) =>
      (!input.Engine || v.Engine === input.Engine) &&
      (!input.EngineVersion || v.EngineVersion === input.EngineVersion) &&
      (!input.ParameterGroupFamily || v.ParameterGroupFamily === input.ParameterGroupFamily));
    if (input.DefaultOnly) versions = versions.filter((v) => DEFAULT_ENGINE_VERSION[v.Engine] === v.EngineVersion);
    const { items, NextToken } = page(versions, (v) => `${v.Engine}/${v.EngineVersion}`, input);
    return { EngineVersions: items, NextToken };
  },

  // ---- reserved nodes ----
  async DescribeReservedNodesOfferings(input, _ctx) {
    let offerings = OFFERINGS.filter((o) =>
      (!input.ReservedNodesOfferingId || o.ReservedNodesOfferingId === input.ReservedNodesOfferingId) &&
      (!input.NodeType || o.NodeType === input.NodeType) &&
      (!input.Duration || String(o.Duration) === input.Duration || durationYears(input.Duration) === o.Duration) &&
      (!input.OfferingType || o.OfferingType === input.OfferingType));
    if (input.ReservedNodesOfferingId && !offerings.length) throw fault("ReservedNodesOfferingNotFoundFault", `Reserved nodes offering ${input.ReservedNodesOfferingId} not found.`);
    offerings = offerings.slice().sort((a, b) => (a.ReservedNodesOfferingId < b.ReservedNodesOfferingId ? -1 : 1));
    const { items, NextToken } = page(offerings, (o) => o.ReservedNodesOfferingId, input);
    return { ReservedNodesOfferings: items, NextToken };
  },

  async PurchaseReservedNodesOffering(input, ctx) {
    const offering = OFFERINGS.find((o) => o.ReservedNodesOfferingId === input.ReservedNodesOfferingId);
    if (!offering) throw fault("ReservedNodesOfferingNotFoundFault", `Reserved nodes offering ${input.ReservedNodesOfferingId} not found.`);
    const count: number = input.NodeCount ?? 1;
    if (count < 1) throw invalidValue("NodeCount must be at least 1.");
    const id: string = input.ReservationId ?? `ri-${new Date(ctx.clock.now()).toISOString().slice(0, 10)}-${hash(crypto.randomUUID(), 10)}`;
    const node = {
      ReservationId: id,
      ReservedNodesOfferingId: offering.ReservedNodesOfferingId,
      NodeType: offering.NodeType,
      StartTime: ctx.clock.now(),
      Duration: offering.Duration,
      FixedPrice: offering.FixedPrice * count,
      NodeCount: count,
      OfferingType: offering.OfferingType,
      State: "payment-pending",
      RecurringCharges: offering.RecurringCharges,
      ARN: arn(ctx, "reservednode", id),
    };
    const result = await ctx.store.atomic().check({ key: ["reserved", id], versionstamp: null }).set(["reserved", id], { ...node, State: "active" }).commit();
    if (!result.ok) throw fault("ReservedNodeAlreadyExistsFault", `Reserved node ${id} already exists.`);
    await setTags(ctx, node.ARN, input.Tags);
    return { ReservedNode: node };
  },

  async DescribeReservedNodes(input, ctx) {
    let nodes = (await all(ctx.store, "reserved")).filter((n) =>
      (!input.ReservationId || n.ReservationId === input.ReservationId) &&
      (!input.ReservedNodesOfferingId || n.ReservedNodesOfferingId === input.ReservedNodesOfferingId) &&
      (!input.NodeType || n.NodeType === input.NodeType) &&
      (!input.Duration || String(n.Duration) === input.Duration || durationYears(input.Duration) === n.Duration) &&
      (!input.OfferingType || n.OfferingType === input.OfferingType));
    if (input.ReservationId && !nodes.length) throw fault("ReservedNodeNotFoundFault", `Reserved node ${input.ReservationId} not found.`);
    nodes = nodes.map((n) => (n.StartTime + n.Duration * 1000 <= ctx.clock.now() ? { ...n, State: "retired" } : n));
    const { items, NextToken } = page(nodes, (n) => n.ReservationId, input);
    return { ReservedNodes: items, NextToken };
  },

  // ---- multi-region clusters (state only) ----
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
    if (input.ShardConfiguration) {
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

  // ---- tags ----
  async ListTags(input, ctx) {
    await resolveArn(ctx, input.ResourceArn);
    return { TagList: await tagsOf(ctx, input.ResourceArn) };
  },

  async TagResource(input, ctx) {
    await resolveArn(ctx, input.ResourceArn);
    const tags = new Map((await tagsOf(ctx, input.ResourceArn)).map((t) => [t.Key, t]));
    for (const t of input.Tags) tags.set(t.Key, { Key: t.Key, Value: t.Value ?? "" });
    checkTags([...tags.values()]);
    await tagStore(ctx, input.ResourceArn).set(["tags", input.ResourceArn], [...tags.values()]);
    return { TagList: [...tags.values()] };
  },

  async UntagResource(input, ctx) {
    await resolveArn(ctx, input.ResourceArn);
    const tags = await tagsOf(ctx, input.ResourceArn);
    for (const key of input.TagKeys as string[]) {
      if (!tags.some((t) => t.Key === key)) throw fault("TagNotFoundFault", `Tag ${key} not found on resource ${input.ResourceArn}.`);
    }
    const left = tags.filter((t) => !input.TagKeys.includes(t.Key));
    await tagStore(ctx, input.ResourceArn).set(["tags", input.ResourceArn], left);
    return { TagList: left };
  },
};

function durationYears(text: string): number | undefined {
  const m = /^([13])(y|yr|year|years)?$/i.exec(text.trim());
  return m ? Number(m[1]) * 31536000 : undefined;
}

/** The default user, open-access ACL, default subnet group and parameter groups exist in every account and region. */
function withDefaults(table: Record<string, Handler>): Record<string, Handler> {
  return Object.fromEntries(Object.entries(table).map(([op, handler]) => [op, async (input: any, ctx: RequestContext) => {
    await ensureDefaults(ctx);
    return handler(input, ctx);
  }]));
}

export default defineService({
  name: "memorydb",
  model: model as unknown as ServiceModel,
  handlers: withDefaults(handlers),
});
