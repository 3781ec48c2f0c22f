/**
 * What runs on managed nodes, through every client. fetchstack has no managed nodes: instance ids
 * answer AWS's InvalidInstanceId, a tag target matches no node (the command completes with no
 * invocations), sessions are TargetNotConnected, node listings are empty, inventory and compliance
 * data can't be put. Activations are state.
 */
import { expect } from "vitest";
import { call, fails, ref, type Step } from "../walkthrough.ts";

const INSTANCE = "i-0123456789abcdef0";
const MANAGED = "mi-0123456789abcdef0";
const COMMAND = "11111111-2222-3333-4444-555555555555";

export const nodeSteps: Step[] = [
  fails("SendCommand", { DocumentName: "AWS-RunShellScript", InstanceIds: [INSTANCE], Parameters: { commands: ["uptime"] } }, "InvalidInstanceId"),
  fails("SendCommand", { DocumentName: "AWS-RunShellScript", Targets: [{ Key: "tag:Env", Values: ["prod"] }], Parameters: { command: ["uptime"] } }, "InvalidParameters"),
  fails("SendCommand", { DocumentName: "No-Such-Doc", InstanceIds: [INSTANCE] }, "InvalidDocument"),
  call("SendCommand", { DocumentName: "AWS-RunShellScript", Targets: [{ Key: "tag:Env", Values: ["prod"] }], Parameters: { commands: ["uptime"] }, Comment: "nightly" }, {
    as: "sent",
    check: (out) => expect(out.Command).toMatchObject({ DocumentName: "AWS-RunShellScript", Status: "Pending", TargetCount: 0, InstanceIds: [], Comment: "nightly", Parameters: { commands: ["uptime"] } }),
  }),
  call("ListCommands", { CommandId: ref("sent.Command.CommandId") }, {
    check: (out, at) => expect(out.Commands).toEqual([expect.objectContaining({ CommandId: at("sent.Command.CommandId"), Status: "Success", TargetCount: 0, CompletedCount: 0 })]),
  }),
  call("ListCommands", { Filters: [{ key: "DocumentName", value: "AWS-RunShellScript" }] }, { check: (out) => expect(out.Commands).toHaveLength(1) }),
  fails("ListCommands", { CommandId: COMMAND }, "InvalidCommandId"),
  call("ListCommandInvocations", { CommandId: ref("sent.Command.CommandId") }, { check: (out) => expect(out.CommandInvocations).toEqual([]) }),
  fails("GetCommandInvocation", { CommandId: ref("sent.Command.CommandId"), InstanceId: INSTANCE }, "InvocationDoesNotExist"),
  call("CancelCommand", { CommandId: ref("sent.Command.CommandId") }, { check: (out) => expect(out).toEqual({}) }),
  fails("CancelCommand", { CommandId: COMMAND }, "InvalidCommandId"),

  fails("StartSession", { Target: INSTANCE }, "TargetNotConnected"),
  call("GetConnectionStatus", { Target: INSTANCE }, { check: (out) => expect(out).toEqual({ Target: INSTANCE, Status: "notconnected" }) }),
  call("DescribeSessions", { State: "Active" }, { check: (out) => expect(out.Sessions).toEqual([]) }),
  fails("ResumeSession", { SessionId: "user-0123456789abcdef0" }, "DoesNotExistException"),
  fails("TerminateSession", { SessionId: "user-0123456789abcdef0" }, "DoesNotExistException"),

  call("DescribeInstanceInformation", {}, { check: (out) => expect(out.InstanceInformationList).toEqual([]) }),
  fails("DescribeInstanceInformation", { InstanceInformationFilterList: [{ key: "InstanceIds", valueSet: [INSTANCE] }] }, "InvalidInstanceId"),
  call("DescribeInstanceProperties", {}, { check: (out) => expect(out.InstanceProperties).toEqual([]) }),
  call("ListNodes", {}, { check: (out) => expect(out.Nodes).toEqual([]) }),
  call("ListNodesSummary", { Aggregators: [{ AggregatorType: "Count", TypeName: "Instance", AttributeName: "PlatformName" }] }, { check: (out) => expect(out.Summary).toEqual([]) }),
  fails("ListNodes", { SyncName: "no-such-sync" }, "ResourceDataSyncNotFoundException"),
  fails("DeregisterManagedInstance", { InstanceId: MANAGED }, "InvalidInstanceId"),
  fails("UpdateManagedInstanceRole", { InstanceId: MANAGED, IamRole: "SSMServiceRole" }, "InvalidInstanceId"),
  fails("DescribeEffectiveInstanceAssociations", { InstanceId: INSTANCE }, "InvalidInstanceId"),
  fails("DescribeInstanceAssociationsStatus", { InstanceId: INSTANCE }, "InvalidInstanceId"),
  fails("AddTagsToResource", { ResourceType: "ManagedInstance", ResourceId: MANAGED, Tags: [{ Key: "a", Value: "b" }] }, "InvalidResourceId"),

  call("CreateActivation", { IamRole: "SSMServiceRole", DefaultInstanceName: "web", RegistrationLimit: 5, Description: "on-premises web", Tags: [{ Key: "site", Value: "dc1" }] }, {
    as: "activation",
    check: (out) => {
      expect(out.ActivationId).toMatch(/^[0-9a-f-]{36}$/);
      expect(out.ActivationCode).toHaveLength(20);
    },
  }),
  call("DescribeActivations", { Filters: [{ FilterKey: "DefaultInstanceName", FilterValues: ["web"] }] }, {
    check: (out, at) => expect(out.ActivationList).toEqual([expect.objectContaining({
      ActivationId: at("activation.ActivationId"), IamRole: "SSMServiceRole", RegistrationLimit: 5, RegistrationsCount: 0, Expired: false, Tags: [{ Key: "site", Value: "dc1" }],
    })]),
  }),
  call("DeleteActivation", { ActivationId: ref("activation.ActivationId") }),
  fails("DeleteActivation", { ActivationId: ref("activation.ActivationId") }, "InvalidActivationId"),

  fails("PutInventory", { InstanceId: INSTANCE, Items: [{ TypeName: "Custom:RackInfo", SchemaVersion: "1.0", CaptureTime: "2026-01-01T00:00:00Z", Content: [{ Rack: "a1" }] }] }, "InvalidInstanceId"),
  fails("ListInventoryEntries", { InstanceId: INSTANCE, TypeName: "AWS:Application" }, "InvalidInstanceId"),
  call("GetInventory", {}, { check: (out) => expect(out.Entities).toEqual([]) }),
  call("GetInventorySchema", { TypeName: "AWS:Application" }, {
    check: (out) => {
      expect(out.Schemas!.map((s) => s.TypeName)).toEqual(["AWS:Application"]);
      expect(out.Schemas![0].Attributes!.map((a) => a.Name)).toEqual(expect.arrayContaining(["Name", "Version"]));
    },
  }),
  call("GetInventorySchema", { TypeName: "Custom:Nothing" }, { check: (out) => expect(out.Schemas).toEqual([]) }),
  fails("GetInventorySchema", { TypeName: "Bogus" }, "InvalidTypeNameException"),
  fails("DeleteInventory", { TypeName: "Custom:RackInfo" }, "InvalidTypeNameException"),
  call("DescribeInventoryDeletions", {}, { check: (out) => expect(out.InventoryDeletions).toEqual([]) }),

  fails("PutComplianceItems", {
    ResourceId: INSTANCE, ResourceType: "ManagedInstance", ComplianceType: "Custom:Backups", ExecutionSummary: { ExecutionTime: "2026-01-01T00:00:00Z" },
    Items: [{ Id: "backup-1", Title: "nightly backup", Severity: "HIGH", Status: "COMPLIANT" }],
  }, "InvalidResourceId"),
  call("ListComplianceItems", { ResourceIds: [INSTANCE], ResourceTypes: ["ManagedInstance"] }, { check: (out) => expect(out.ComplianceItems).toEqual([]) }),
  call("ListComplianceSummaries", {}, { check: (out) => expect(out.ComplianceSummaryItems).toEqual([]) }),
  call("ListResourceComplianceSummaries", {}, { check: (out) => expect(out.ResourceComplianceSummaryItems).toEqual([]) }),
];
