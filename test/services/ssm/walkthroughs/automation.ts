/**
 * Automation and State Manager through every client. A runbook's aws:executeAwsApi steps really
 * call SSM (they put and read a parameter the walkthrough then reads back); a runbook sleeping for
 * an hour is stopped; associations with versions, batches, tags and no executions (their targets
 * match no managed node here).
 */
import { expect } from "vitest";
import { call, fails, ref, type Step } from "../walkthrough.ts";

const runbook = JSON.stringify({
  schemaVersion: "0.3",
  description: "Writes a parameter, then reads it",
  parameters: { Name: { type: "String" }, Value: { type: "String", default: "from-automation" } },
  mainSteps: [
    {
      name: "put", action: "aws:executeAwsApi", inputs: { Service: "ssm", Api: "PutParameter", Name: "{{ Name }}", Value: "{{ Value }}", Type: "String" },
      outputs: [{ Name: "Version", Selector: "$.Version", Type: "Integer" }],
    },
    {
      name: "read", action: "aws:executeAwsApi", inputs: { Service: "ssm", Api: "GetParameter", Name: "{{ Name }}" },
      outputs: [{ Name: "Value", Selector: "$.Parameter.Value", Type: "String" }],
    },
  ],
  outputs: ["read.Value"],
});
const sleeper = JSON.stringify({ schemaVersion: "0.3", mainSteps: [{ name: "nap", action: "aws:sleep", inputs: { Duration: "PT1H" } }, { name: "after", action: "aws:sleep", inputs: { Duration: "PT1S" } }] });
const template = JSON.stringify({
  schemaVersion: "0.3", emergencyChange: false, autoApprovable: false,
  mainSteps: [{ name: "ApproveAction1", action: "aws:approve", timeoutSeconds: 3600, inputs: { Message: "approve", MinRequiredApprovals: 1, Approvers: ["arn:aws:iam::000000000000:root"] } }],
});
const RUNNING = { path: "AutomationExecution.AutomationExecutionStatus", while: ["Pending", "InProgress"] };
const MISSING = "11111111-2222-3333-4444-555555555555";

export const automationSteps: Step[] = [
  call("CreateDocument", { Name: "Write-Parameter", DocumentType: "Automation", Content: runbook }),
  call("CreateDocument", { Name: "Long-Nap", DocumentType: "Automation", Content: sleeper }),
  call("StartAutomationExecution", { DocumentName: "Write-Parameter", Parameters: { Name: ["/automation/out"] }, Tags: [{ Key: "run", Value: "one" }] }, {
    as: "run",
    check: (out) => expect(out.AutomationExecutionId).toMatch(/^[0-9a-f-]{36}$/),
  }),
  fails("StartAutomationExecution", { DocumentName: "Write-Parameter", Parameters: { Colour: ["red"] } }, "InvalidAutomationExecutionParametersException"),
  fails("StartAutomationExecution", { DocumentName: "No-Such-Runbook" }, "AutomationDefinitionNotFoundException"),
  call("GetAutomationExecution", { AutomationExecutionId: ref("run.AutomationExecutionId") }, {
    until: RUNNING,
    check: (out) => {
      expect(out.AutomationExecution).toMatchObject({
        DocumentName: "Write-Parameter", AutomationExecutionStatus: "Success", Mode: "Auto",
        Parameters: { Name: ["/automation/out"], Value: ["from-automation"] }, Outputs: { "read.Value": ["from-automation"] },
      });
      expect(out.AutomationExecution!.StepExecutions!.map((s) => [s.StepName, s.StepStatus])).toEqual([["put", "Success"], ["read", "Success"]]);
    },
  }),
  call("GetParameter", { Name: "/automation/out" }, { check: (out) => expect(out.Parameter).toMatchObject({ Value: "from-automation", Version: 1 }) }),
  call("DescribeAutomationStepExecutions", { AutomationExecutionId: ref("run.AutomationExecutionId"), Filters: [{ Key: "StepName", Values: ["put"] }] }, {
    check: (out) => expect(out.StepExecutions).toEqual([expect.objectContaining({
      StepName: "put", Action: "aws:executeAwsApi", StepStatus: "Success", Outputs: { Version: ["1"] }, Inputs: expect.objectContaining({ Name: expect.stringContaining("/automation/out") }),
    })]),
  }),
  call("ListTagsForResource", { ResourceType: "Automation", ResourceId: ref("run.AutomationExecutionId") }, { check: (out) => expect(out.TagList).toEqual([{ Key: "run", Value: "one" }]) }),

  call("StartAutomationExecution", { DocumentName: "Long-Nap" }, { as: "nap" }),
  fails("SendAutomationSignal", { AutomationExecutionId: ref("nap.AutomationExecutionId"), SignalType: "Approve" }, "InvalidAutomationSignalException"),
  call("StopAutomationExecution", { AutomationExecutionId: ref("nap.AutomationExecutionId") }),
  call("GetAutomationExecution", { AutomationExecutionId: ref("nap.AutomationExecutionId") }, {
    check: (out) => {
      expect(out.AutomationExecution!.AutomationExecutionStatus).toBe("Cancelled");
      expect(out.AutomationExecution!.StepExecutions!.map((s) => s.StepStatus)).toEqual(["Cancelled", "Cancelled"]);
    },
  }),
  fails("StopAutomationExecution", { AutomationExecutionId: ref("nap.AutomationExecutionId") }, "InvalidAutomationStatusUpdateException"),
  call("DescribeAutomationExecutions", { Filters: [{ Key: "DocumentNamePrefix", Values: ["Write-", "Long-"] }] }, {
    check: (out, at) => expect(out.AutomationExecutionMetadataList!.map((e) => [e.AutomationExecutionId, e.AutomationExecutionStatus])).toEqual([
      [at("nap.AutomationExecutionId"), "Cancelled"], [at("run.AutomationExecutionId"), "Success"],
    ]),
  }),
  fails("GetAutomationExecution", { AutomationExecutionId: MISSING }, "AutomationExecutionNotFoundException"),

  call("StartExecutionPreview", { DocumentName: "Write-Parameter", ExecutionInputs: { Automation: { Parameters: { Name: ["/preview/out"] } } } }, {
    as: "preview",
    check: (out) => expect(out.ExecutionPreviewId).toMatch(/^[0-9a-f-]{36}$/),
  }),
  call("GetExecutionPreview", { ExecutionPreviewId: ref("preview.ExecutionPreviewId") }, {
    until: { path: "Status", while: ["Pending", "InProgress"] },
    check: (out) => expect(out).toMatchObject({
      Status: "Success", ExecutionPreview: { Automation: { StepPreviews: { Mutating: 1, NonMutating: 1 }, Regions: ["us-east-1"], TotalAccounts: 1 } },
    }),
  }),
  fails("GetExecutionPreview", { ExecutionPreviewId: "00000000-0000-0000-0000-000000000000" }, "ResourceNotFoundException"),

  call("CreateDocument", { Name: "Change-Template", DocumentType: "Automation.ChangeTemplate", Content: template }),
  fails("StartChangeRequestExecution", { DocumentName: "Change-Template", ChangeRequestName: "rotate", Runbooks: [{ DocumentName: "Write-Parameter", Parameters: { Name: ["/changed/by-cr"], Value: ["v2"] } }] }, "AutomationDefinitionNotApprovedException"),
  call("UpdateDocumentMetadata", { Name: "Change-Template", DocumentReviews: { Action: "Approve" } }),
  call("StartChangeRequestExecution", { DocumentName: "Change-Template", ChangeRequestName: "rotate", Runbooks: [{ DocumentName: "Write-Parameter", Parameters: { Name: ["/changed/by-cr"], Value: ["v2"] } }] }, {
    as: "change",
  }),
  call("GetAutomationExecution", { AutomationExecutionId: ref("change.AutomationExecutionId") }, {
    as: "pending",
    check: (out) => expect(out.AutomationExecution).toMatchObject({ AutomationSubtype: "ChangeRequest", ChangeRequestName: "rotate", AutomationExecutionStatus: "PendingApproval" }),
  }),
  call("GetOpsItem", { OpsItemId: ref("pending.AutomationExecution.OpsItemId") }, {
    check: (out) => expect(out.OpsItem).toMatchObject({ OpsItemType: "/aws/changerequest", Title: "rotate", Status: "PendingApproval" }),
  }),
  call("SendAutomationSignal", { AutomationExecutionId: ref("change.AutomationExecutionId"), SignalType: "Approve" }),
  call("GetAutomationExecution", { AutomationExecutionId: ref("change.AutomationExecutionId") }, {
    until: { path: "AutomationExecution.AutomationExecutionStatus", while: ["PendingApproval", "Scheduled", "Pending", "InProgress"] },
    check: (out) => expect(out.AutomationExecution!.AutomationExecutionStatus).toBe("Success"),
  }),
  call("GetParameter", { Name: "/changed/by-cr" }, { check: (out) => expect(out.Parameter!.Value).toBe("v2") }),

  call("CreateAssociation", {
    Name: "AWS-RunShellScript", AssociationName: "uptime", Targets: [{ Key: "tag:Env", Values: ["prod"] }], Parameters: { commands: ["uptime"] },
    ScheduleExpression: "rate(30 minutes)", Tags: [{ Key: "team", Value: "ops" }],
  }, {
    as: "assoc",
    check: (out) => expect(out.AssociationDescription).toMatchObject({ Name: "AWS-RunShellScript", AssociationVersion: "1", AssociationName: "uptime", Overview: { Status: "Pending" } }),
  }),
  fails("CreateAssociation", { Name: "AWS-RunShellScript", Targets: [{ Key: "tag:Env", Values: ["x"] }], Parameters: { commands: ["x"] }, ScheduleExpression: "rate(5 minutes)" }, "InvalidSchedule"),
  fails("CreateAssociation", { Name: "AWS-RunShellScript", InstanceId: "i-0123456789abcdef0", Parameters: { commands: ["x"] } }, "InvalidInstanceId"),
  call("DescribeAssociation", { AssociationId: ref("assoc.AssociationDescription.AssociationId") }, {
    check: (out) => expect(out.AssociationDescription).toMatchObject({ Parameters: { commands: ["uptime"] }, ScheduleExpression: "rate(30 minutes)", Targets: [{ Key: "tag:Env", Values: ["prod"] }] }),
  }),
  call("UpdateAssociation", { AssociationId: ref("assoc.AssociationDescription.AssociationId"), ScheduleExpression: "cron(0 2 ? * * *)", AssociationVersion: "1" }, {
    check: (out) => expect(out.AssociationDescription).toMatchObject({ AssociationVersion: "2", ScheduleExpression: "cron(0 2 ? * * *)", AssociationName: "uptime" }),
  }),
  fails("UpdateAssociation", { AssociationId: ref("assoc.AssociationDescription.AssociationId"), AssociationVersion: "1", MaxErrors: "1" }, "InvalidAssociationVersion"),
  call("ListAssociationVersions", { AssociationId: ref("assoc.AssociationDescription.AssociationId") }, {
    check: (out) => expect(out.AssociationVersions!.map((v) => [v.AssociationVersion, v.ScheduleExpression])).toEqual([["1", "rate(30 minutes)"], ["2", "cron(0 2 ? * * *)"]]),
  }),
  call("CreateAssociationBatch", { Entries: [
    { Name: "AWS-GatherSoftwareInventory", Targets: [{ Key: "InstanceIds", Values: ["*"] }], ScheduleExpression: "rate(1 day)" },
    { Name: "Missing-Document", Targets: [{ Key: "tag:a", Values: ["b"] }] },
  ] }, {
    check: (out) => {
      expect(out.Successful!.map((s) => s.Name)).toEqual(["AWS-GatherSoftwareInventory"]);
      expect(out.Failed!.map((f) => [f.Entry!.Name, f.Fault])).toEqual([["Missing-Document", "Client"]]);
    },
  }),
  call("ListAssociations", { AssociationFilterList: [{ key: "AssociationName", value: "uptime" }] }, {
    check: (out, at) => expect(out.Associations!.map((a) => [a.AssociationId, a.Name])).toEqual([[at("assoc.AssociationDescription.AssociationId"), "AWS-RunShellScript"]]),
  }),
  call("StartAssociationsOnce", { AssociationIds: [ref("assoc.AssociationDescription.AssociationId")] }, { check: (out) => expect(out).toEqual({}) }),
  fails("StartAssociationsOnce", { AssociationIds: [MISSING] }, "InvalidAssociation"),
  call("DescribeAssociationExecutions", { AssociationId: ref("assoc.AssociationDescription.AssociationId") }, { check: (out) => expect(out.AssociationExecutions).toEqual([]) }),
  fails("DescribeAssociationExecutionTargets", { AssociationId: ref("assoc.AssociationDescription.AssociationId"), ExecutionId: MISSING }, "AssociationExecutionDoesNotExist"),
  fails("UpdateAssociationStatus", {
    Name: "AWS-RunShellScript", InstanceId: "i-0123456789abcdef0", AssociationStatus: { Date: "2026-01-01T00:00:00Z", Name: "Success", Message: "done" },
  }, "InvalidInstanceId"),
  call("AddTagsToResource", { ResourceType: "Association", ResourceId: ref("assoc.AssociationDescription.AssociationId"), Tags: [{ Key: "tier", Value: "1" }] }),
  call("ListTagsForResource", { ResourceType: "Association", ResourceId: ref("assoc.AssociationDescription.AssociationId") }, {
    check: (out) => expect(out.TagList).toEqual([{ Key: "team", Value: "ops" }, { Key: "tier", Value: "1" }]),
  }),
  call("DeleteAssociation", { AssociationId: ref("assoc.AssociationDescription.AssociationId") }),
  fails("DescribeAssociation", { AssociationId: ref("assoc.AssociationDescription.AssociationId") }, "AssociationDoesNotExist"),
];
