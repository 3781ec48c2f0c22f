/**
 * SSM without managed nodes (issue 17): AWS-owned documents as data, document sharing and
 * reviews, SendCommand (InvalidInstanceId for instance ids; a tag target matching nothing completes
 * with no targets), command listings, sessions (TargetNotConnected), activations, automation lookups.
 */
import { describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const ssm = new S.SSMClient(inProcess(createEmulator({ store: createMemoryStore() })));
const INSTANCE = "i-0123456789abcdef0";

describe("AWS-owned documents and sharing", () => {
  it("AWS-RunShellScript and friends are readable, listed as Amazon's, and not changeable", async () => {
    const doc = await ssm.send(new S.DescribeDocumentCommand({ Name: "AWS-RunShellScript" }));
    expect(doc.Document).toMatchObject({ Name: "AWS-RunShellScript", Owner: "Amazon", DocumentType: "Command", SchemaVersion: "1.2", PlatformTypes: ["Linux", "MacOS"] });
    expect(doc.Document!.Parameters!.map((p) => p.Name)).toEqual(["commands", "workingDirectory", "executionTimeout"]);
    const content = JSON.parse((await ssm.send(new S.GetDocumentCommand({ Name: "AWS-RunPowerShellScript" }))).Content!);
    expect(Object.keys(content.runtimeConfig)).toEqual(["aws:runPowerShellScript"]);
    await ssm.send(new S.CreateDocumentCommand({ Name: "Mine", Content: JSON.stringify({ schemaVersion: "2.2", mainSteps: [{ action: "aws:runShellScript", name: "s", inputs: { runCommand: ["echo"] } }] }) }));
    const amazon = await ssm.send(new S.ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Amazon"] }, { Key: "DocumentType", Values: ["Automation"] }] }));
    expect(amazon.DocumentIdentifiers!.map((d) => d.Name)).toEqual(["AWS-RestartEC2Instance", "AWS-StartEC2Instance", "AWS-StopEC2Instance"]);
    const self = await ssm.send(new S.ListDocumentsCommand({ Filters: [{ Key: "Owner", Values: ["Self"] }] }));
    expect(self.DocumentIdentifiers!.map((d) => d.Name)).toEqual(["Mine"]);
    const everything = await ssm.send(new S.ListDocumentsCommand({ MaxResults: 50 }));
    expect(everything.DocumentIdentifiers!.map((d) => d.Name)).toContain("AWS-ApplyPatchBaseline");
    expect((await error(ssm.send(new S.DeleteDocumentCommand({ Name: "AWS-RunShellScript" })))).name).toBe("InvalidDocumentOperation");
  });

  it("ModifyDocumentPermission / DescribeDocumentPermission", async () => {
    await ssm.send(new S.ModifyDocumentPermissionCommand({ Name: "Mine", PermissionType: "Share", AccountIdsToAdd: ["111122223333", "444455556666"], SharedDocumentVersion: "$DEFAULT" }));
    await ssm.send(new S.ModifyDocumentPermissionCommand({ Name: "Mine", PermissionType: "Share", AccountIdsToRemove: ["444455556666"] }));
    const perms = await ssm.send(new S.DescribeDocumentPermissionCommand({ Name: "Mine", PermissionType: "Share" }));
    expect(perms.AccountIds).toEqual(["111122223333"]);
    expect(perms.AccountSharingInfoList).toEqual([{ AccountId: "111122223333", SharedDocumentVersion: "$DEFAULT" }]);
    expect((await error(ssm.send(new S.ModifyDocumentPermissionCommand({ Name: "Missing", PermissionType: "Share", AccountIdsToAdd: ["111122223333"] })))).name).toBe("InvalidDocument");
    expect((await error(ssm.send(new S.ModifyDocumentPermissionCommand({ Name: "Mine", PermissionType: "Share", AccountIdsToAdd: ["12"] })))).name).toBe("InvalidPermissionType");
  });

  it("change template reviews: UpdateDocumentMetadata and ListDocumentMetadataHistory", async () => {
    await ssm.send(new S.CreateDocumentCommand({ Name: "Change", DocumentType: "Automation.ChangeTemplate", Content: JSON.stringify({ schemaVersion: "0.3", mainSteps: [] }) }));
    await ssm.send(new S.UpdateDocumentMetadataCommand({ Name: "Change", DocumentReviews: { Action: "SendForReview", Comment: [{ Type: "Comment", Content: "please" }] } }));
    await ssm.send(new S.UpdateDocumentMetadataCommand({ Name: "Change", DocumentReviews: { Action: "Approve" } }));
    const history = await ssm.send(new S.ListDocumentMetadataHistoryCommand({ Name: "Change", Metadata: "DocumentReviews" }));
    expect(history.Metadata!.ReviewerResponse!.map((r) => r.ReviewStatus)).toEqual(["PENDING", "APPROVED"]);
    expect((await error(ssm.send(new S.UpdateDocumentMetadataCommand({ Name: "Mine", DocumentReviews: { Action: "Approve" } })))).name).toBe("InvalidDocumentType");
  });
});

describe("Run Command, sessions and nodes without managed nodes", () => {
  it("SendCommand: instance ids are not managed; bad parameters; non-Command documents", async () => {
    const e = await error(ssm.send(new S.SendCommandCommand({ DocumentName: "AWS-RunShellScript", InstanceIds: [INSTANCE], Parameters: { commands: ["uptime"] } })));
    expect(e.name).toBe("InvalidInstanceId");
    expect(e.message).toBe(`Instances [[${INSTANCE}]] not in a valid state for account 000000000000`);
    const viaTarget = await error(ssm.send(new S.SendCommandCommand({ DocumentName: "AWS-RunShellScript", Targets: [{ Key: "InstanceIds", Values: [INSTANCE] }], Parameters: { commands: ["uptime"] } })));
    expect(viaTarget.name).toBe("InvalidInstanceId");
    const unknown = await error(ssm.send(new S.SendCommandCommand({ DocumentName: "AWS-RunShellScript", Targets: [{ Key: "tag:Env", Values: ["prod"] }], Parameters: { command: ["uptime"] } })));
    expect(unknown.name).toBe("InvalidParameters");
    const required = await error(ssm.send(new S.SendCommandCommand({ DocumentName: "AWS-RunShellScript", Targets: [{ Key: "tag:Env", Values: ["prod"] }] })));
    expect(required.name).toBe("InvalidParameters");
    expect((await error(ssm.send(new S.SendCommandCommand({ DocumentName: "AWS-StopEC2Instance", Targets: [{ Key: "tag:Env", Values: ["prod"] }] })))).name).toBe("InvalidDocument");
    expect((await error(ssm.send(new S.SendCommandCommand({ DocumentName: "Missing", InstanceIds: [INSTANCE] })))).name).toBe("InvalidDocument");
  });

  it("a tag target matching no node: recorded with no targets and complete; no invocations", async () => {
    const sent = await ssm.send(new S.SendCommandCommand({ DocumentName: "AWS-RunShellScript", Targets: [{ Key: "tag:Env", Values: ["prod"] }], Parameters: { commands: ["uptime"] }, Comment: "c" }));
    const id = sent.Command!.CommandId!;
    expect(sent.Command).toMatchObject({ DocumentName: "AWS-RunShellScript", Status: "Pending", TargetCount: 0, InstanceIds: [], Comment: "c", MaxConcurrency: "50", MaxErrors: "0" });
    const listed = await ssm.send(new S.ListCommandsCommand({ CommandId: id }));
    expect(listed.Commands![0]).toMatchObject({ CommandId: id, Status: "Success", TargetCount: 0, CompletedCount: 0, Parameters: { commands: ["uptime"] } });
    expect((await ssm.send(new S.ListCommandsCommand({ Filters: [{ key: "DocumentName", value: "AWS-RunShellScript" }] }))).Commands).toHaveLength(1);
    expect((await ssm.send(new S.ListCommandInvocationsCommand({ CommandId: id }))).CommandInvocations).toEqual([]);
    expect((await error(ssm.send(new S.GetCommandInvocationCommand({ CommandId: id, InstanceId: INSTANCE })))).name).toBe("InvocationDoesNotExist");
    expect(await ssm.send(new S.CancelCommandCommand({ CommandId: id }))).toBeDefined();
    const missing = "11111111-2222-3333-4444-555555555555";
    expect((await error(ssm.send(new S.ListCommandsCommand({ CommandId: missing })))).name).toBe("InvalidCommandId");
    expect((await error(ssm.send(new S.GetCommandInvocationCommand({ CommandId: missing, InstanceId: INSTANCE })))).name).toBe("InvalidCommandId");
    expect((await error(ssm.send(new S.CancelCommandCommand({ CommandId: missing })))).name).toBe("InvalidCommandId");
  });

  it("sessions: TargetNotConnected, notconnected, no sessions", async () => {
    const e = await error(ssm.send(new S.StartSessionCommand({ Target: INSTANCE })));
    expect(e.name).toBe("TargetNotConnected");
    expect(e.message).toBe(`${INSTANCE} is not connected.`);
    expect(await ssm.send(new S.GetConnectionStatusCommand({ Target: INSTANCE }))).toMatchObject({ Target: INSTANCE, Status: "notconnected" });
    expect((await ssm.send(new S.DescribeSessionsCommand({ State: "Active" }))).Sessions).toEqual([]);
    expect((await error(ssm.send(new S.TerminateSessionCommand({ SessionId: "user-0123456789abcdef0" })))).name).toBe("DoesNotExistException");
    expect((await ssm.send(new S.DescribeInstanceInformationCommand({}))).InstanceInformationList).toEqual([]);
    expect((await error(ssm.send(new S.DescribeInstancePatchesCommand({ InstanceId: INSTANCE })))).name).toBe("InvalidInstanceId");
    expect((await error(ssm.send(new S.DeregisterManagedInstanceCommand({ InstanceId: "mi-0123456789abcdef0" })))).name).toBe("InvalidInstanceId");
    expect((await ssm.send(new S.ListNodesCommand({}))).Nodes).toEqual([]);
  });

  it("activations are state; automation executions don't exist", async () => {
    const a = await ssm.send(new S.CreateActivationCommand({ IamRole: "SSMServiceRole", DefaultInstanceName: "web", RegistrationLimit: 5, Description: "d" }));
    expect(a.ActivationCode).toHaveLength(20);
    const listed = await ssm.send(new S.DescribeActivationsCommand({ Filters: [{ FilterKey: "DefaultInstanceName", FilterValues: ["web"] }] }));
    expect(listed.ActivationList).toHaveLength(1);
    expect(listed.ActivationList![0]).toMatchObject({ ActivationId: a.ActivationId, IamRole: "SSMServiceRole", RegistrationLimit: 5, RegistrationsCount: 0, Expired: false });
    await ssm.send(new S.DeleteActivationCommand({ ActivationId: a.ActivationId }));
    expect((await error(ssm.send(new S.DeleteActivationCommand({ ActivationId: a.ActivationId })))).name).toBe("InvalidActivationId");
    expect((await ssm.send(new S.DescribeAutomationExecutionsCommand({}))).AutomationExecutionMetadataList).toEqual([]);
    expect((await error(ssm.send(new S.GetAutomationExecutionCommand({ AutomationExecutionId: "11111111-2222-3333-4444-555555555555" })))).name).toBe("AutomationExecutionNotFoundException");
  });
});
