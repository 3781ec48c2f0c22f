/**
 * Patch Manager and resource data syncs through every client: AWS's predefined baselines (the
 * defaults), a custom baseline (create, update, default, patch groups, tags, delete), patch states
 * of nodes (none here: per-node calls answer InvalidInstanceId), and data syncs as state.
 */
import { expect } from "vitest";
import { call, fails, ref, type Step } from "../walkthrough.ts";

const INSTANCE = "i-0123456789abcdef0";
const S3 = { BucketName: "inventory", SyncFormat: "JsonSerDe", Region: "us-east-1" } as const;
const SOURCE = { SourceType: "SingleAccountMultiRegions", SourceRegions: ["us-east-1"] };

export const patchingSteps: Step[] = [
  call("DescribePatchBaselines", { Filters: [{ Key: "OWNER", Values: ["AWS"] }, { Key: "OPERATING_SYSTEM", Values: ["AMAZON_LINUX_2"] }] }, {
    as: "aws",
    check: (out) => {
      expect(out.BaselineIdentities!.map((b) => [b.BaselineName, b.OperatingSystem, b.DefaultBaseline])).toEqual([["AWS-AmazonLinux2DefaultPatchBaseline", "AMAZON_LINUX_2", true]]);
      expect(out.BaselineIdentities![0].BaselineId).toMatch(/^arn:aws:ssm:us-east-1:\d{12}:patchbaseline\/pb-[0-9a-f]{17}$/);
    },
  }),
  call("GetDefaultPatchBaseline", { OperatingSystem: "AMAZON_LINUX_2" }, {
    check: (out, at) => expect(out).toEqual({ BaselineId: at("aws.BaselineIdentities.0.BaselineId"), OperatingSystem: "AMAZON_LINUX_2" }),
  }),
  call("GetPatchBaseline", { BaselineId: ref("aws.BaselineIdentities.0.BaselineId") }, {
    check: (out) => {
      expect(out).toMatchObject({ Name: "AWS-AmazonLinux2DefaultPatchBaseline", OperatingSystem: "AMAZON_LINUX_2" });
      expect(out.ApprovalRules!.PatchRules![0].ApproveAfterDays).toBe(7);
    },
  }),
  call("CreatePatchBaseline", {
    Name: "prod-al2", OperatingSystem: "AMAZON_LINUX_2", Description: "prod", ApprovedPatches: ["kernel"], Tags: [{ Key: "env", Value: "prod" }],
    ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION", Values: ["Security"] }] }, ApproveAfterDays: 3 }] },
  }, { as: "mine", check: (out) => expect(out.BaselineId).toMatch(/^pb-[0-9a-f]{17}$/) }),
  fails("CreatePatchBaseline", { Name: "bad", ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [] } }] } }, "ValidationException"),
  call("UpdatePatchBaseline", { BaselineId: ref("mine.BaselineId"), Description: "production", RejectedPatches: ["telnet"] }, {
    check: (out, at) => expect(out).toMatchObject({ BaselineId: at("mine.BaselineId"), Name: "prod-al2", Description: "production", RejectedPatches: ["telnet"], ApprovedPatches: ["kernel"] }),
  }),
  call("GetPatchBaseline", { BaselineId: ref("mine.BaselineId") }, {
    check: (out) => {
      expect(out).toMatchObject({ Name: "prod-al2", Description: "production", ApprovedPatches: ["kernel"], RejectedPatches: ["telnet"], PatchGroups: [] });
      expect(out).not.toHaveProperty("tags");
    },
  }),
  call("ListTagsForResource", { ResourceType: "PatchBaseline", ResourceId: ref("mine.BaselineId") }, { check: (out) => expect(out.TagList).toEqual([{ Key: "env", Value: "prod" }]) }),
  call("RegisterDefaultPatchBaseline", { BaselineId: ref("mine.BaselineId") }, { check: (out, at) => expect(out.BaselineId).toBe(at("mine.BaselineId")) }),
  call("GetDefaultPatchBaseline", { OperatingSystem: "AMAZON_LINUX_2" }, { check: (out, at) => expect(out.BaselineId).toBe(at("mine.BaselineId")) }),
  fails("DeletePatchBaseline", { BaselineId: ref("mine.BaselineId") }, "ResourceInUseException"),
  call("RegisterPatchBaselineForPatchGroup", { BaselineId: ref("mine.BaselineId"), PatchGroup: "web" }, {
    check: (out, at) => expect(out).toEqual({ BaselineId: at("mine.BaselineId"), PatchGroup: "web" }),
  }),
  fails("RegisterPatchBaselineForPatchGroup", { BaselineId: ref("mine.BaselineId"), PatchGroup: "web" }, "AlreadyExistsException"),
  call("GetPatchBaselineForPatchGroup", { PatchGroup: "web", OperatingSystem: "AMAZON_LINUX_2" }, {
    check: (out, at) => expect(out).toEqual({ BaselineId: at("mine.BaselineId"), PatchGroup: "web", OperatingSystem: "AMAZON_LINUX_2" }),
  }),
  call("DescribePatchGroups", {}, {
    check: (out, at) => expect(out.Mappings!.map((m) => [m.PatchGroup, m.BaselineIdentity!.BaselineId, m.BaselineIdentity!.BaselineName])).toEqual([["web", at("mine.BaselineId"), "prod-al2"]]),
  }),
  call("DescribePatchGroupState", { PatchGroup: "web" }, { check: (out) => expect(out).toMatchObject({ Instances: 0, InstancesWithInstalledPatches: 0, InstancesWithMissingPatches: 0 }) }),
  call("DescribeInstancePatchStates", { InstanceIds: [INSTANCE] }, { check: (out) => expect(out.InstancePatchStates).toEqual([]) }),
  call("DescribeInstancePatchStatesForPatchGroup", { PatchGroup: "web" }, { check: (out) => expect(out.InstancePatchStates).toEqual([]) }),
  fails("DescribeInstancePatches", { InstanceId: INSTANCE }, "InvalidInstanceId"),
  fails("GetDeployablePatchSnapshotForInstance", { InstanceId: INSTANCE, SnapshotId: "11111111-2222-3333-4444-555555555555" }, "InvalidInstanceId"),
  call("DeregisterPatchBaselineForPatchGroup", { BaselineId: ref("mine.BaselineId"), PatchGroup: "web" }),
  fails("DeregisterPatchBaselineForPatchGroup", { BaselineId: ref("mine.BaselineId"), PatchGroup: "web" }, "DoesNotExistException"),
  call("RegisterDefaultPatchBaseline", { BaselineId: ref("aws.BaselineIdentities.0.BaselineId") }),
  call("DeletePatchBaseline", { BaselineId: ref("mine.BaselineId") }, { check: (out, at) => expect(out.BaselineId).toBe(at("mine.BaselineId")) }),
  fails("GetPatchBaseline", { BaselineId: ref("mine.BaselineId") }, "DoesNotExistException"),

  call("DescribeAvailablePatches", { Filters: [{ Key: "PRODUCT", Values: ["WindowsServer2019"] }, { Key: "MSRC_SEVERITY", Values: ["Critical"] }] }, {
    check: (out) => expect(out.Patches!.map((p) => [p.KbNumber, p.Product, p.Classification])).toEqual([
      ["KB5034768", "WindowsServer2019", "SecurityUpdates"], ["KB5034127", "WindowsServer2019", "SecurityUpdates"],
    ]),
  }),
  call("DescribeAvailablePatches", { Filters: [{ Key: "PRODUCT", Values: ["AmazonLinux2"] }, { Key: "NAME", Values: ["kernel"] }] }, {
    check: (out) => expect(out.Patches!.map((p) => [p.Name, p.Arch, p.CVEIds!.includes("CVE-2024-1086")])).toEqual([["kernel", "x86_64", true], ["kernel", "x86_64", true]]),
  }),
  call("DescribePatchProperties", { OperatingSystem: "AMAZON_LINUX_2", Property: "PRODUCT" }, {
    check: (out) => expect(out.Properties).toEqual([{ Name: "AmazonLinux2" }, { Name: "AmazonLinux2.0" }]),
  }),
  call("CreatePatchBaseline", {
    Name: "windows", OperatingSystem: "WINDOWS", ApprovedPatches: ["KB5034127"], RejectedPatches: ["KB5034119"],
    ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "PRODUCT", Values: ["WindowsServer2022"] }, { Key: "MSRC_SEVERITY", Values: ["Critical"] }] }, ApproveAfterDays: 7, ComplianceLevel: "HIGH" }] },
  }, { as: "windows" }),
  call("DescribeEffectivePatchesForPatchBaseline", { BaselineId: ref("windows.BaselineId") }, {
    check: (out) => expect(out.EffectivePatches!.map((p) => [p.Patch!.KbNumber, p.PatchStatus!.DeploymentStatus, p.PatchStatus!.ComplianceLevel]).sort()).toEqual([
      ["KB5034119", "EXPLICIT_REJECTED", "UNSPECIFIED"], ["KB5034127", "EXPLICIT_APPROVED", "UNSPECIFIED"],
      ["KB5034129", "APPROVED", "HIGH"], ["KB5035857", "APPROVED", "HIGH"],
    ]),
  }),
  fails("DescribeEffectivePatchesForPatchBaseline", { BaselineId: "pb-0123456789abcdef0" }, "DoesNotExistException"),

  call("CreateResourceDataSync", { SyncName: "to-s3", S3Destination: S3 }),
  fails("CreateResourceDataSync", { SyncName: "to-s3", S3Destination: S3 }, "ResourceDataSyncAlreadyExistsException"),
  fails("CreateResourceDataSync", { SyncName: "bad", SyncType: "SyncFromSource" }, "ResourceDataSyncInvalidConfigurationException"),
  call("CreateResourceDataSync", { SyncName: "from-regions", SyncType: "SyncFromSource", SyncSource: SOURCE }),
  call("ListResourceDataSync", {}, {
    check: (out) => expect(out.ResourceDataSyncItems!.map((i) => [i.SyncName, i.S3Destination?.BucketName])).toEqual([["to-s3", "inventory"]]),
  }),
  call("UpdateResourceDataSync", { SyncName: "from-regions", SyncType: "SyncFromSource", SyncSource: { ...SOURCE, SourceRegions: ["us-east-1", "eu-west-1"] } }),
  call("ListResourceDataSync", { SyncType: "SyncFromSource" }, {
    check: (out) => expect(out.ResourceDataSyncItems!.map((i) => [i.SyncName, i.SyncSource?.SourceRegions])).toEqual([["from-regions", ["us-east-1", "eu-west-1"]]]),
  }),
  fails("UpdateResourceDataSync", { SyncName: "to-s3", SyncType: "SyncFromSource", SyncSource: SOURCE }, "ResourceDataSyncConflictException"),
  call("ListNodes", { SyncName: "from-regions" }, { check: (out) => expect(out.Nodes).toEqual([]) }),
  call("DeleteResourceDataSync", { SyncName: "to-s3" }),
  fails("DeleteResourceDataSync", { SyncName: "to-s3" }, "ResourceDataSyncNotFoundException"),
];
