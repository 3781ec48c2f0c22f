/**
 * SSM patch baselines and patch groups (AWS's predefined baselines as data), resource data syncs,
 * inventory and compliance without managed nodes (issue 17), JS SDK in-process.
 */
import { describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const ssm = new S.SSMClient(inProcess(createEmulator({ store: createMemoryStore() })));

describe("patch baselines", () => {
  it("the predefined baselines are the defaults, one per operating system", async () => {
    const aws = await ssm.send(new S.DescribePatchBaselinesCommand({ Filters: [{ Key: "OWNER", Values: ["AWS"] }, { Key: "OPERATING_SYSTEM", Values: ["AMAZON_LINUX_2"] }] }));
    expect(aws.BaselineIdentities).toHaveLength(1);
    const al2 = aws.BaselineIdentities![0];
    expect(al2).toMatchObject({ BaselineName: "AWS-AmazonLinux2DefaultPatchBaseline", OperatingSystem: "AMAZON_LINUX_2", DefaultBaseline: true });
    expect(al2.BaselineId).toMatch(/^arn:aws:ssm:us-east-1:\d{12}:patchbaseline\/pb-[0-9a-f]{17}$/);
    expect((await ssm.send(new S.GetDefaultPatchBaselineCommand({ OperatingSystem: "AMAZON_LINUX_2" }))).BaselineId).toBe(al2.BaselineId);
    const got = await ssm.send(new S.GetPatchBaselineCommand({ BaselineId: al2.BaselineId }));
    expect(got.ApprovalRules!.PatchRules![0].ApproveAfterDays).toBe(7);
    expect((await ssm.send(new S.GetDefaultPatchBaselineCommand({}))).OperatingSystem).toBe("WINDOWS");
    expect((await error(ssm.send(new S.DeletePatchBaselineCommand({ BaselineId: al2.BaselineId })))).name).toBe("ValidationException");
  });

  it("custom baselines: create, update, default, patch groups, delete", async () => {
    const { BaselineId } = await ssm.send(new S.CreatePatchBaselineCommand({
      Name: "prod-al2", OperatingSystem: "AMAZON_LINUX_2", Description: "prod",
      ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [{ Key: "CLASSIFICATION", Values: ["Security"] }] }, ApproveAfterDays: 3 }] },
      ApprovedPatches: ["kernel"],
    }));
    expect(BaselineId).toMatch(/^pb-[0-9a-f]{17}$/);
    const bad = await error(ssm.send(new S.CreatePatchBaselineCommand({ Name: "bad", ApprovalRules: { PatchRules: [{ PatchFilterGroup: { PatchFilters: [] } }] } })));
    expect(bad.name).toBe("ValidationException");
    const updated = await ssm.send(new S.UpdatePatchBaselineCommand({ BaselineId, Description: "production", RejectedPatches: ["telnet"] }));
    expect(updated).toMatchObject({ BaselineId, Name: "prod-al2", Description: "production", RejectedPatches: ["telnet"], ApprovedPatches: ["kernel"] });
    await ssm.send(new S.RegisterDefaultPatchBaselineCommand({ BaselineId }));
    expect((await ssm.send(new S.GetDefaultPatchBaselineCommand({ OperatingSystem: "AMAZON_LINUX_2" }))).BaselineId).toBe(BaselineId);
    expect((await error(ssm.send(new S.DeletePatchBaselineCommand({ BaselineId })))).name).toBe("ResourceInUseException");
    const windows = (await ssm.send(new S.GetDefaultPatchBaselineCommand({}))).BaselineId!;
    await ssm.send(new S.RegisterPatchBaselineForPatchGroupCommand({ BaselineId: windows, PatchGroup: "web" }));
    expect((await error(ssm.send(new S.RegisterPatchBaselineForPatchGroupCommand({ BaselineId: windows, PatchGroup: "web" })))).name).toBe("AlreadyExistsException");
    expect(await ssm.send(new S.GetPatchBaselineForPatchGroupCommand({ PatchGroup: "web", OperatingSystem: "WINDOWS" }))).toMatchObject({ BaselineId: windows, PatchGroup: "web" });
    expect((await ssm.send(new S.GetPatchBaselineForPatchGroupCommand({ PatchGroup: "db", OperatingSystem: "AMAZON_LINUX_2" }))).BaselineId).toBe(BaselineId);
    const groups = await ssm.send(new S.DescribePatchGroupsCommand({}));
    expect(groups.Mappings!.map((m) => [m.PatchGroup, m.BaselineIdentity!.BaselineName])).toEqual([["web", "AWS-DefaultPatchBaseline"]]);
    expect((await ssm.send(new S.DescribePatchGroupStateCommand({ PatchGroup: "web" }))).Instances).toBe(0);
    await ssm.send(new S.DeregisterPatchBaselineForPatchGroupCommand({ BaselineId: windows, PatchGroup: "web" }));
    expect((await error(ssm.send(new S.DeregisterPatchBaselineForPatchGroupCommand({ BaselineId: windows, PatchGroup: "web" })))).name).toBe("DoesNotExistException");
    const al2 = (await ssm.send(new S.DescribePatchBaselinesCommand({ Filters: [{ Key: "NAME_PREFIX", Values: ["AWS-AmazonLinux2Default"] }] }))).BaselineIdentities![0].BaselineId!;
    await ssm.send(new S.RegisterDefaultPatchBaselineCommand({ BaselineId: al2 }));
    expect(await ssm.send(new S.DeletePatchBaselineCommand({ BaselineId }))).toMatchObject({ BaselineId });
    expect((await error(ssm.send(new S.GetPatchBaselineCommand({ BaselineId })))).name).toBe("DoesNotExistException");
  });
});

describe("resource data sync, inventory and compliance", () => {
  it("data syncs are state with AWS's configuration errors", async () => {
    await ssm.send(new S.CreateResourceDataSyncCommand({ SyncName: "to-s3", S3Destination: { BucketName: "inv", SyncFormat: "JsonSerDe", Region: "us-east-1" } }));
    expect((await error(ssm.send(new S.CreateResourceDataSyncCommand({ SyncName: "to-s3", S3Destination: { BucketName: "inv", SyncFormat: "JsonSerDe", Region: "us-east-1" } })))).name).toBe("ResourceDataSyncAlreadyExistsException");
    expect((await error(ssm.send(new S.CreateResourceDataSyncCommand({ SyncName: "bad", SyncType: "SyncFromSource" })))).name).toBe("ResourceDataSyncInvalidConfigurationException");
    await ssm.send(new S.CreateResourceDataSyncCommand({ SyncName: "from", SyncType: "SyncFromSource", SyncSource: { SourceType: "SingleAccountMultiRegions", SourceRegions: ["us-east-1"] } }));
    expect((await ssm.send(new S.ListResourceDataSyncCommand({}))).ResourceDataSyncItems!.map((i) => i.SyncName)).toEqual(["to-s3"]);
    expect((await ssm.send(new S.ListResourceDataSyncCommand({ SyncType: "SyncFromSource" }))).ResourceDataSyncItems!.map((i) => i.SyncName)).toEqual(["from"]);
    await ssm.send(new S.UpdateResourceDataSyncCommand({ SyncName: "from", SyncType: "SyncFromSource", SyncSource: { SourceType: "SingleAccountMultiRegions", SourceRegions: ["us-east-1", "eu-west-1"] } }));
    expect((await error(ssm.send(new S.UpdateResourceDataSyncCommand({ SyncName: "to-s3", SyncType: "SyncFromSource", SyncSource: { SourceType: "SingleAccountMultiRegions", SourceRegions: ["us-east-1"] } })))).name).toBe("ResourceDataSyncConflictException");
    await ssm.send(new S.DeleteResourceDataSyncCommand({ SyncName: "to-s3" }));
    expect((await error(ssm.send(new S.DeleteResourceDataSyncCommand({ SyncName: "to-s3" })))).name).toBe("ResourceDataSyncNotFoundException");
  });

  it("inventory and compliance need managed nodes; the schema is AWS's", async () => {
    expect((await error(ssm.send(new S.PutInventoryCommand({ InstanceId: "i-0123456789abcdef0", Items: [{ TypeName: "Custom:App", SchemaVersion: "1.0", CaptureTime: "2026-01-01T00:00:00Z", Content: [{ a: "b" }] }] })))).name).toBe("InvalidInstanceId");
    expect((await error(ssm.send(new S.PutComplianceItemsCommand({ ResourceId: "i-0123456789abcdef0", ResourceType: "ManagedInstance", ComplianceType: "Custom:App", ExecutionSummary: { ExecutionTime: new Date() }, Items: [] })))).name).toBe("InvalidResourceId");
    expect((await ssm.send(new S.GetInventoryCommand({}))).Entities).toEqual([]);
    expect((await ssm.send(new S.ListComplianceItemsCommand({}))).ComplianceItems).toEqual([]);
    const schema = await ssm.send(new S.GetInventorySchemaCommand({ TypeName: "AWS:Application" }));
    expect(schema.Schemas![0].Attributes!.map((a) => a.Name)).toContain("Publisher");
    expect((await error(ssm.send(new S.DeleteInventoryCommand({ TypeName: "Custom:Nope" })))).name).toBe("InvalidTypeNameException");
  });
});
