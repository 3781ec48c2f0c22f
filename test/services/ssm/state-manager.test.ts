/**
 * SSM associations, OpsItems, OpsMetadata and service settings (issue 17), JS SDK in-process.
 */
import { describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const ssm = new S.SSMClient(inProcess(createEmulator({ store: createMemoryStore() })));

describe("associations", () => {
  let id: string;
  it("create with tag targets, describe, list with filters; AWS's errors", async () => {
    const created = await ssm.send(new S.CreateAssociationCommand({
      Name: "AWS-RunShellScript", AssociationName: "uptime", Targets: [{ Key: "tag:Env", Values: ["prod"] }], Parameters: { commands: ["uptime"] },
      ScheduleExpression: "rate(30 minutes)",
    }));
    id = created.AssociationDescription!.AssociationId!;
    expect(created.AssociationDescription).toMatchObject({ Name: "AWS-RunShellScript", AssociationVersion: "1", DocumentVersion: "$DEFAULT", AssociationName: "uptime", Overview: { Status: "Pending" } });
    expect((await ssm.send(new S.DescribeAssociationCommand({ AssociationId: id }))).AssociationDescription!.Parameters).toEqual({ commands: ["uptime"] });
    expect((await error(ssm.send(new S.CreateAssociationCommand({ Name: "AWS-RunShellScript", AssociationName: "uptime", Targets: [{ Key: "tag:Env", Values: ["x"] }], Parameters: { commands: ["x"] } })))).name).toBe("AssociationAlreadyExists");
    expect((await error(ssm.send(new S.CreateAssociationCommand({ Name: "AWS-RunShellScript", Targets: [{ Key: "tag:Env", Values: ["x"] }], Parameters: { commands: ["x"] }, ScheduleExpression: "rate(5 minutes)" })))).name).toBe("InvalidSchedule");
    expect((await error(ssm.send(new S.CreateAssociationCommand({ Name: "Nope", Targets: [{ Key: "tag:Env", Values: ["x"] }] })))).name).toBe("InvalidDocument");
    expect((await error(ssm.send(new S.CreateAssociationCommand({ Name: "AWS-RunShellScript", InstanceId: "i-0123456789abcdef0", Parameters: { commands: ["x"] } })))).name).toBe("InvalidInstanceId");
    expect((await error(ssm.send(new S.CreateAssociationCommand({ Name: "AWS-RunShellScript", Targets: [{ Key: "tag:Env", Values: ["x"] }], Parameters: { nope: ["x"] } })))).name).toBe("InvalidParameters");
    const listed = await ssm.send(new S.ListAssociationsCommand({ AssociationFilterList: [{ key: "AssociationName", value: "uptime" }] }));
    expect(listed.Associations!.map((a) => a.AssociationId)).toEqual([id]);
    expect((await ssm.send(new S.ListAssociationsCommand({ AssociationFilterList: [{ key: "Name", value: "AWS-RunPowerShellScript" }] }))).Associations).toEqual([]);
  });

  it("update makes versions; batch reports failures per entry; delete", async () => {
    const updated = await ssm.send(new S.UpdateAssociationCommand({ AssociationId: id, ScheduleExpression: "cron(0 2 ? * * *)", AssociationVersion: "1" }));
    expect(updated.AssociationDescription).toMatchObject({ AssociationVersion: "2", ScheduleExpression: "cron(0 2 ? * * *)", AssociationName: "uptime" });
    expect((await error(ssm.send(new S.UpdateAssociationCommand({ AssociationId: id, AssociationVersion: "1", MaxErrors: "1" })))).name).toBe("InvalidAssociationVersion");
    const versions = await ssm.send(new S.ListAssociationVersionsCommand({ AssociationId: id }));
    expect(versions.AssociationVersions!.map((v) => [v.AssociationVersion, v.ScheduleExpression])).toEqual([["1", "rate(30 minutes)"], ["2", "cron(0 2 ? * * *)"]]);
    const old = await ssm.send(new S.DescribeAssociationCommand({ AssociationId: id, AssociationVersion: "1" }));
    expect(old.AssociationDescription!.ScheduleExpression).toBe("rate(30 minutes)");
    expect((await ssm.send(new S.DescribeAssociationExecutionsCommand({ AssociationId: id }))).AssociationExecutions).toEqual([]);
    await ssm.send(new S.StartAssociationsOnceCommand({ AssociationIds: [id] }));
    const batch = await ssm.send(new S.CreateAssociationBatchCommand({ Entries: [
      { Name: "AWS-GatherSoftwareInventory", Targets: [{ Key: "InstanceIds", Values: ["*"] }], ScheduleExpression: "rate(1 day)" },
      { Name: "Missing", Targets: [{ Key: "tag:a", Values: ["b"] }] },
    ] }));
    expect(batch.Successful!.map((s) => s.Name)).toEqual(["AWS-GatherSoftwareInventory"]);
    expect(batch.Failed!.map((f) => [f.Entry!.Name, f.Fault])).toEqual([["Missing", "Client"]]);
    await ssm.send(new S.DeleteAssociationCommand({ AssociationId: id }));
    expect((await error(ssm.send(new S.DescribeAssociationCommand({ AssociationId: id })))).name).toBe("AssociationDoesNotExist");
  });
});

describe("OpsItems and OpsMetadata", () => {
  it("create, get, update (new version), describe with filters, related items, delete", async () => {
    const { OpsItemId, OpsItemArn } = await ssm.send(new S.CreateOpsItemCommand({
      Title: "Disk full", Description: "root volume at 95%", Source: "EC2", Priority: 2, Severity: "2", Category: "Availability",
      OperationalData: { "/aws/resources": { Value: '[{"arn":"arn:aws:ec2:us-east-1:000000000000:instance/i-1"}]', Type: "SearchableString" }, team: { Value: "ops", Type: "SearchableString" } },
    }));
    expect(OpsItemId).toMatch(/^oi-[0-9a-f]{12}$/);
    expect(OpsItemArn).toBe(`arn:aws:ssm:us-east-1:000000000000:opsitem/${OpsItemId}`);
    const got = (await ssm.send(new S.GetOpsItemCommand({ OpsItemId }))).OpsItem!;
    expect(got).toMatchObject({ Title: "Disk full", Status: "Open", Priority: 2, Source: "EC2", OpsItemType: "/aws/issue" });
    await ssm.send(new S.UpdateOpsItemCommand({ OpsItemId, Status: "Resolved", OperationalDataToDelete: ["team"] }));
    const after = (await ssm.send(new S.GetOpsItemCommand({ OpsItemId }))).OpsItem!;
    expect(after.Status).toBe("Resolved");
    expect(after.Version).not.toBe(got.Version);
    expect(Object.keys(after.OperationalData!)).toEqual(["/aws/resources"]);
    await ssm.send(new S.CreateOpsItemCommand({ Title: "Other", Description: "d", Source: "RDS", Priority: 4 }));
    const resolved = await ssm.send(new S.DescribeOpsItemsCommand({ OpsItemFilters: [{ Key: "Status", Values: ["Resolved"], Operator: "Equal" }] }));
    expect(resolved.OpsItemSummaries!.map((s) => s.OpsItemId)).toEqual([OpsItemId]);
    const urgent = await ssm.send(new S.DescribeOpsItemsCommand({ OpsItemFilters: [{ Key: "Priority", Values: ["3"], Operator: "LessThan" }] }));
    expect(urgent.OpsItemSummaries!.map((s) => s.Title)).toEqual(["Disk full"]);
    const titled = await ssm.send(new S.DescribeOpsItemsCommand({ OpsItemFilters: [{ Key: "Title", Values: ["oth"], Operator: "Contains" }] }));
    expect(titled.OpsItemSummaries!.map((s) => s.Title)).toEqual(["Other"]);
    const { AssociationId } = await ssm.send(new S.AssociateOpsItemRelatedItemCommand({ OpsItemId, AssociationType: "RelatesTo", ResourceType: "AWS::SSM::Document", ResourceUri: "arn:aws:ssm:us-east-1:000000000000:document/Mine" }));
    expect((await ssm.send(new S.ListOpsItemRelatedItemsCommand({ OpsItemId }))).Summaries!.map((s) => s.AssociationId)).toEqual([AssociationId]);
    await ssm.send(new S.DisassociateOpsItemRelatedItemCommand({ OpsItemId, AssociationId }));
    expect((await error(ssm.send(new S.DisassociateOpsItemRelatedItemCommand({ OpsItemId, AssociationId })))).name).toBe("OpsItemRelatedItemAssociationNotFoundException");
    await ssm.send(new S.DeleteOpsItemCommand({ OpsItemId }));
    expect((await error(ssm.send(new S.GetOpsItemCommand({ OpsItemId })))).name).toBe("OpsItemNotFoundException");
  });

  it("OpsMetadata create, get, update, list, delete", async () => {
    const { OpsMetadataArn } = await ssm.send(new S.CreateOpsMetadataCommand({ ResourceId: "/aws/ssm/AppManager/application/shop", Metadata: { owner: { Value: "team-a" } } }));
    expect(OpsMetadataArn).toBe("arn:aws:ssm:us-east-1:000000000000:opsmetadata/aws/ssm/AppManager/application/shop");
    expect((await error(ssm.send(new S.CreateOpsMetadataCommand({ ResourceId: "/aws/ssm/AppManager/application/shop" })))).name).toBe("OpsMetadataAlreadyExistsException");
    await ssm.send(new S.UpdateOpsMetadataCommand({ OpsMetadataArn, MetadataToUpdate: { tier: { Value: "gold" } }, KeysToDelete: ["owner"] }));
    expect(await ssm.send(new S.GetOpsMetadataCommand({ OpsMetadataArn }))).toMatchObject({ ResourceId: "/aws/ssm/AppManager/application/shop", Metadata: { tier: { Value: "gold" } } });
    expect((await ssm.send(new S.ListOpsMetadataCommand({}))).OpsMetadataList!.map((m) => m.OpsMetadataArn)).toEqual([OpsMetadataArn]);
    await ssm.send(new S.DeleteOpsMetadataCommand({ OpsMetadataArn }));
    expect((await error(ssm.send(new S.GetOpsMetadataCommand({ OpsMetadataArn })))).name).toBe("OpsMetadataNotFoundException");
  });
});

describe("service settings", () => {
  it("get, update (the default parameter tier applies to PutParameter), reset", async () => {
    const id = "/ssm/parameter-store/default-parameter-tier";
    expect((await ssm.send(new S.GetServiceSettingCommand({ SettingId: id }))).ServiceSetting).toMatchObject({ SettingValue: "Standard", Status: "Default" });
    await ssm.send(new S.UpdateServiceSettingCommand({ SettingId: `arn:aws:ssm:us-east-1:000000000000:servicesetting${id}`, SettingValue: "Advanced" }));
    expect((await ssm.send(new S.GetServiceSettingCommand({ SettingId: id }))).ServiceSetting).toMatchObject({ SettingValue: "Advanced", Status: "Customized" });
    expect((await ssm.send(new S.PutParameterCommand({ Name: "/tiered", Value: "v", Type: "String" }))).Tier).toBe("Advanced");
    expect((await error(ssm.send(new S.UpdateServiceSettingCommand({ SettingId: id, SettingValue: "Gold" })))).name).toBe("ValidationException");
    expect((await error(ssm.send(new S.GetServiceSettingCommand({ SettingId: "/ssm/nope" })))).name).toBe("ServiceSettingNotFound");
    expect((await ssm.send(new S.ResetServiceSettingCommand({ SettingId: id }))).ServiceSetting).toMatchObject({ SettingValue: "Standard", Status: "Default" });
  });
});
