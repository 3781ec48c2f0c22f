/**
 * Just-in-time node access (StartAccessRequest / GetAccessToken, the request an OpsItem of type
 * /aws/accessrequest approved with UpdateOpsItem) and automation execution previews
 * (StartExecutionPreview / GetExecutionPreview), issue 17.
 */
import { describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import { GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { createEmulator } from "../../../src/emulator.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";
import { rejection as error } from "../../helpers/errors.ts";

const clock = createManualClock(Date.UTC(2026, 0, 1));
const emulator = createEmulator({ store: createMemoryStore(), clock });
const ssm = new S.SSMClient(inProcess(emulator));

describe("just-in-time node access", () => {
  it("pending → approved gives temporary credentials that work; expired after the hour", async () => {
    const { AccessRequestId } = await ssm.send(new S.StartAccessRequestCommand({ Reason: "debug the disk", Targets: [{ Key: "InstanceIds", Values: ["i-0123456789abcdef0"] }], Tags: [{ Key: "team", Value: "ops" }] }));
    expect(AccessRequestId).toMatch(/^oi-[0-9a-f]{12}$/);
    const { OpsItem } = await ssm.send(new S.GetOpsItemCommand({ OpsItemId: AccessRequestId }));
    expect(OpsItem).toMatchObject({ OpsItemType: "/aws/accessrequest", Status: "Pending", Description: "debug the disk" });
    const listed = await ssm.send(new S.DescribeOpsItemsCommand({ OpsItemFilters: [{ Key: "OpsItemType", Values: ["/aws/accessrequest"], Operator: "Equal" }] }));
    expect(listed.OpsItemSummaries!.map((s) => s.OpsItemId)).toEqual([AccessRequestId]);

    expect(await ssm.send(new S.GetAccessTokenCommand({ AccessRequestId }))).toMatchObject({ AccessRequestStatus: "Pending" });
    expect((await ssm.send(new S.GetAccessTokenCommand({ AccessRequestId }))).Credentials).toBeUndefined();

    await ssm.send(new S.UpdateOpsItemCommand({ OpsItemId: AccessRequestId, Status: "Approved" }));
    const token = await ssm.send(new S.GetAccessTokenCommand({ AccessRequestId }));
    expect(token.AccessRequestStatus).toBe("Approved");
    expect(token.Credentials!.AccessKeyId).toMatch(/^ASIA/);
    expect(token.Credentials!.ExpirationTime!.getTime()).toBe(Date.UTC(2026, 0, 1, 1));
    const sts = new STSClient({ ...inProcess(emulator), credentials: { accessKeyId: token.Credentials!.AccessKeyId!, secretAccessKey: token.Credentials!.SecretAccessKey!, sessionToken: token.Credentials!.SessionToken! } });
    expect((await sts.send(new GetCallerIdentityCommand({}))).Account).toBe("000000000000");

    await clock.advance(3_600_000);
    expect(await ssm.send(new S.GetAccessTokenCommand({ AccessRequestId }))).toEqual(expect.objectContaining({ AccessRequestStatus: "Expired" }));
  });

  it("rejected and revoked requests answer their status without credentials; unknown ids are ResourceNotFoundException", async () => {
    const a = await ssm.send(new S.StartAccessRequestCommand({ Reason: "r", Targets: [{ Key: "InstanceIds", Values: ["i-1"] }] }));
    await ssm.send(new S.UpdateOpsItemCommand({ OpsItemId: a.AccessRequestId, Status: "Rejected" }));
    expect(await ssm.send(new S.GetAccessTokenCommand({ AccessRequestId: a.AccessRequestId }))).toMatchObject({ AccessRequestStatus: "Rejected" });
    await ssm.send(new S.UpdateOpsItemCommand({ OpsItemId: a.AccessRequestId, Status: "Revoked" }));
    const revoked = await ssm.send(new S.GetAccessTokenCommand({ AccessRequestId: a.AccessRequestId }));
    expect([revoked.AccessRequestStatus, revoked.Credentials]).toEqual(["Revoked", undefined]);
    expect((await error(ssm.send(new S.GetAccessTokenCommand({ AccessRequestId: "oi-000000000000" })))).name).toBe("ResourceNotFoundException");
    const issue = await ssm.send(new S.CreateOpsItemCommand({ Title: "t", Description: "d", Source: "s" }));
    expect((await error(ssm.send(new S.GetAccessTokenCommand({ AccessRequestId: issue.OpsItemId })))).name).toBe("ResourceNotFoundException");
    expect((await error(ssm.send(new S.GetAccessTokenCommand({ AccessRequestId: "bad" })))).name).toBe("ValidationException");
  });
});

describe("execution previews", () => {
  const runbook = JSON.stringify({
    schemaVersion: "0.3", parameters: { Bucket: { type: "String" } },
    mainSteps: [
      { name: "look", action: "aws:executeAwsApi", inputs: { Service: "s3", Api: "ListBuckets" } },
      { name: "make", action: "aws:executeAwsApi", inputs: { Service: "s3", Api: "CreateBucket", Bucket: "{{ Bucket }}" } },
      { name: "wait", action: "aws:sleep", inputs: { Duration: "PT1M" } },
      { name: "script", action: "aws:executeScript", inputs: { Runtime: "python3.11", Handler: "h", Script: "def h(e, c): pass" } },
      { name: "stop", action: "aws:changeInstanceState", inputs: { InstanceIds: ["i-1"], DesiredState: "stopped" } },
    ],
  });

  it("counts steps by impact, Regions, accounts and targets", async () => {
    await ssm.send(new S.CreateDocumentCommand({ Name: "make-bucket", DocumentType: "Automation", Content: runbook }));
    const local = await ssm.send(new S.StartExecutionPreviewCommand({ DocumentName: "make-bucket", ExecutionInputs: { Automation: { Parameters: { Bucket: ["b"] } } } }));
    expect(local.ExecutionPreviewId).toMatch(/^[0-9a-f-]{36}$/);
    const got = await ssm.send(new S.GetExecutionPreviewCommand({ ExecutionPreviewId: local.ExecutionPreviewId }));
    expect(got).toMatchObject({
      Status: "Success", EndedAt: new Date(Date.UTC(2026, 0, 1, 1)),
      ExecutionPreview: { Automation: { StepPreviews: { NonMutating: 2, Mutating: 2, Undetermined: 1 }, Regions: ["us-east-1"], TargetPreviews: [], TotalAccounts: 1 } },
    });

    const fanOut = await ssm.send(new S.StartExecutionPreviewCommand({ DocumentName: "make-bucket", ExecutionInputs: { Automation: {
      TargetParameterName: "Bucket", Targets: [{ Key: "ParameterValues", Values: ["a", "b", "c"] }],
      TargetLocations: [{ Accounts: ["111111111111", "222222222222", "333333333333"], ExcludeAccounts: ["333333333333"], Regions: ["us-east-1", "eu-west-1"] }],
    } } }));
    const wide = (await ssm.send(new S.GetExecutionPreviewCommand({ ExecutionPreviewId: fanOut.ExecutionPreviewId }))).ExecutionPreview!.Automation!;
    expect(wide).toEqual({
      StepPreviews: { NonMutating: 24, Mutating: 24, Undetermined: 12 }, Regions: ["us-east-1", "eu-west-1"],
      TargetPreviews: [{ TargetType: "ParameterValues", Count: 3 }], TotalAccounts: 2,
    });
  });

  it("AWS's errors: unknown document or version, not a runbook, unknown preview", async () => {
    expect((await error(ssm.send(new S.StartExecutionPreviewCommand({ DocumentName: "nope" })))).name).toBe("ValidationException");
    expect((await error(ssm.send(new S.StartExecutionPreviewCommand({ DocumentName: "make-bucket", DocumentVersion: "9" })))).name).toBe("ValidationException");
    expect((await error(ssm.send(new S.StartExecutionPreviewCommand({ DocumentName: "AWS-RunShellScript" })))).name).toBe("ValidationException");
    expect((await error(ssm.send(new S.GetExecutionPreviewCommand({ ExecutionPreviewId: "00000000-0000-0000-0000-000000000000" })))).name).toBe("ResourceNotFoundException");
  });
});
