/**
 * Change Manager (issue 17): StartChangeRequestExecution from an approved change template, a
 * change request OpsItem, approval by SendAutomationSignal, ScheduledTime on the clock (also
 * after a restart), and the runbook really running (it writes a parameter through ctx.invoke).
 */
import { describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const T0 = Date.UTC(2026, 4, 1, 9, 0);
const HOUR = 3_600_000;

const runbook = JSON.stringify({
  schemaVersion: "0.3", parameters: { Value: { type: "String" } },
  mainSteps: [{ name: "write", action: "aws:executeAwsApi", inputs: { Service: "ssm", Api: "PutParameter", Name: "/changed/by-cr", Value: "{{ Value }}", Type: "String", Overwrite: true } }],
});
const template = JSON.stringify({
  schemaVersion: "0.3", emergencyChange: false, autoApprovable: false,
  mainSteps: [{ name: "ApproveAction1", action: "aws:approve", timeoutSeconds: 3600, inputs: { Message: "approve", MinRequiredApprovals: 1, Approvers: ["arn:aws:iam::000000000000:root"] } }],
});

async function world(store = createMemoryStore(), at = T0) {
  const clock = createManualClock(at);
  const emulator = createEmulator({ store, clock });
  const ssm = new S.SSMClient(inProcess(emulator));
  return { clock, emulator, ssm, store };
}

async function documents(ssm: S.SSMClient) {
  await ssm.send(new S.CreateDocumentCommand({ Name: "write-param", DocumentType: "Automation", Content: runbook }));
  await ssm.send(new S.CreateDocumentCommand({ Name: "cr-template", DocumentType: "Automation.ChangeTemplate", Content: template }));
}

const status = async (ssm: S.SSMClient, id: string) => {
  const e = (await ssm.send(new S.GetAutomationExecutionCommand({ AutomationExecutionId: id }))).AutomationExecution!;
  const item = (await ssm.send(new S.GetOpsItemCommand({ OpsItemId: e.OpsItemId }))).OpsItem!;
  return [e.AutomationExecutionStatus, item.Status];
};

describe("StartChangeRequestExecution", () => {
  it("needs an approved template; PendingApproval → Approve → Scheduled → runs at ScheduledTime", async () => {
    const { clock, emulator, ssm } = await world();
    await documents(ssm);
    const start = () => ssm.send(new S.StartChangeRequestExecutionCommand({
      DocumentName: "cr-template", ChangeRequestName: "rotate", ScheduledTime: new Date(T0 + 2 * HOUR),
      Runbooks: [{ DocumentName: "write-param", Parameters: { Value: ["v2"] } }],
    }));
    expect((await error(start())).name).toBe("AutomationDefinitionNotApprovedException");
    await ssm.send(new S.UpdateDocumentMetadataCommand({ Name: "cr-template", DocumentReviews: { Action: "Approve", Comment: [{ Type: "Comment", Content: "ok" }] } }));
    const { AutomationExecutionId } = await start();
    const e = (await ssm.send(new S.GetAutomationExecutionCommand({ AutomationExecutionId }))).AutomationExecution!;
    expect(e).toMatchObject({
      AutomationSubtype: "ChangeRequest", ChangeRequestName: "rotate", DocumentName: "cr-template", AutomationExecutionStatus: "PendingApproval",
      ScheduledTime: new Date(T0 + 2 * HOUR), Runbooks: [{ DocumentName: "write-param", DocumentVersion: "1", Parameters: { Value: ["v2"] } }],
    });
    const item = (await ssm.send(new S.GetOpsItemCommand({ OpsItemId: e.OpsItemId }))).OpsItem!;
    expect(item).toMatchObject({ OpsItemType: "/aws/changerequest", Title: "rotate", Status: "PendingApproval" });
    const listed = await ssm.send(new S.DescribeAutomationExecutionsCommand({}));
    expect(listed.AutomationExecutionMetadataList!.map((m) => m.AutomationSubtype)).toEqual(["ChangeRequest"]);

    await clock.advance(3 * HOUR); // not approved: nothing runs
    expect(await status(ssm, AutomationExecutionId!)).toEqual(["PendingApproval", "PendingApproval"]);
    expect((await error(ssm.send(new S.GetParameterCommand({ Name: "/changed/by-cr" })))).name).toBe("ParameterNotFound");

    await ssm.send(new S.SendAutomationSignalCommand({ AutomationExecutionId, SignalType: "Approve" }));
    // ScheduledTime has passed: it runs at once.
    await emulator.settled();
    expect(await status(ssm, AutomationExecutionId!)).toEqual(["Success", "CompletedWithSuccess"]);
    expect((await ssm.send(new S.GetParameterCommand({ Name: "/changed/by-cr" }))).Parameter!.Value).toBe("v2");
    expect((await error(ssm.send(new S.SendAutomationSignalCommand({ AutomationExecutionId, SignalType: "Approve" })))).name).toBe("InvalidAutomationSignalException");
  });

  it("a future ScheduledTime waits for the clock; Reject ends a request; AutoApprove", async () => {
    const { clock, emulator, ssm } = await world();
    await documents(ssm);
    await ssm.send(new S.UpdateDocumentMetadataCommand({ Name: "cr-template", DocumentReviews: { Action: "Approve" } }));
    const later = await ssm.send(new S.StartChangeRequestExecutionCommand({
      DocumentName: "cr-template", ScheduledTime: new Date(T0 + HOUR), Runbooks: [{ DocumentName: "write-param", Parameters: { Value: ["at-ten"] } }],
    }));
    await ssm.send(new S.SendAutomationSignalCommand({ AutomationExecutionId: later.AutomationExecutionId, SignalType: "Approve" }));
    expect(await status(ssm, later.AutomationExecutionId!)).toEqual(["Scheduled", "Scheduled"]);
    await clock.advance(HOUR - 1000);
    expect(await status(ssm, later.AutomationExecutionId!)).toEqual(["Scheduled", "Scheduled"]);
    await clock.advance(1000);
    await emulator.settled();
    expect(await status(ssm, later.AutomationExecutionId!)).toEqual(["Success", "CompletedWithSuccess"]);
    expect((await ssm.send(new S.GetParameterCommand({ Name: "/changed/by-cr" }))).Parameter!.Value).toBe("at-ten");

    const rejected = await ssm.send(new S.StartChangeRequestExecutionCommand({ DocumentName: "cr-template", Runbooks: [{ DocumentName: "write-param", Parameters: { Value: ["no"] } }] }));
    await ssm.send(new S.SendAutomationSignalCommand({ AutomationExecutionId: rejected.AutomationExecutionId, SignalType: "Reject" }));
    expect(await status(ssm, rejected.AutomationExecutionId!)).toEqual(["Rejected", "Rejected"]);

    const auto = await ssm.send(new S.StartChangeRequestExecutionCommand({ DocumentName: "cr-template", AutoApprove: true, Runbooks: [{ DocumentName: "write-param", Parameters: { Value: ["auto"] } }] }));
    await emulator.settled();
    expect(await status(ssm, auto.AutomationExecutionId!)).toEqual(["Success", "CompletedWithSuccess"]);
    expect((await ssm.send(new S.GetParameterCommand({ Name: "/changed/by-cr" }))).Parameter!.Value).toBe("auto");

    expect((await error(ssm.send(new S.StartChangeRequestExecutionCommand({ DocumentName: "cr-template", Runbooks: [{ DocumentName: "write-param" }] })))).name).toBe("InvalidAutomationExecutionParametersException");
    expect((await error(ssm.send(new S.StartChangeRequestExecutionCommand({ DocumentName: "nope", Runbooks: [{ DocumentName: "write-param" }] })))).name).toBe("AutomationDefinitionNotFoundException");
    expect((await error(ssm.send(new S.StartChangeRequestExecutionCommand({ DocumentName: "write-param", Runbooks: [{ DocumentName: "write-param" }] })))).name).toBe("InvalidAutomationExecutionParametersException");
  });

  it("a restarted emulator runs a scheduled request whose time has come", async () => {
    const first = await world();
    await documents(first.ssm);
    await first.ssm.send(new S.UpdateDocumentMetadataCommand({ Name: "cr-template", DocumentReviews: { Action: "Approve" } }));
    const { AutomationExecutionId } = await first.ssm.send(new S.StartChangeRequestExecutionCommand({
      DocumentName: "cr-template", ScheduledTime: new Date(T0 + HOUR), Runbooks: [{ DocumentName: "write-param", Parameters: { Value: ["after-restart"] } }],
    }));
    await first.ssm.send(new S.SendAutomationSignalCommand({ AutomationExecutionId, SignalType: "Approve" }));
    const second = await world(first.store, T0 + 2 * HOUR);
    await second.clock.advance(1000);
    await second.emulator.settled();
    expect(await status(second.ssm, AutomationExecutionId!)).toEqual(["Success", "CompletedWithSuccess"]);
    expect((await second.ssm.send(new S.GetParameterCommand({ Name: "/changed/by-cr" }))).Parameter!.Value).toBe("after-restart");
  });
});
