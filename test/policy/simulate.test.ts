/**
 * SimulatePrincipalPolicy and SimulateCustomPolicy through the JS SDK: the engine's decisions
 * with matched statements, boundaries, resource policies and context entries.
 */
import { beforeEach, describe, expect, it } from "vitest";
import { AttachUserPolicyCommand, CreatePolicyCommand, CreateUserCommand, IAMClient, PutUserPermissionsBoundaryCommand, PutUserPolicyCommand, SimulateCustomPolicyCommand, SimulatePrincipalPolicyCommand } from "@aws-sdk/client-iam";
import { createEmulator } from "../../src/emulator.ts";
import { inProcess } from "../helpers/clients.ts";

const ACCOUNT = "000000000000";
let iam: IAMClient;
beforeEach(() => {
  iam = new IAMClient(inProcess(createEmulator()));
});

const doc = (...Statement: unknown[]) => JSON.stringify({ Version: "2012-10-17", Statement });

describe("SimulatePrincipalPolicy", () => {
  it("decides each action and resource with the user's attached and inline policies", async () => {
    await iam.send(new CreateUserCommand({ UserName: "alice" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "alice", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "alice", PolicyName: "deny-secret", PolicyDocument: doc({ Sid: "NoSecret", Effect: "Deny", Action: "s3:*", Resource: "arn:aws:s3:::secret/*" }) }));
    const out = await iam.send(new SimulatePrincipalPolicyCommand({
      PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      ActionNames: ["s3:GetObject", "s3:PutObject"],
      ResourceArns: ["arn:aws:s3:::public/k", "arn:aws:s3:::secret/k"],
    }));
    const results = out.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalResourceName, r.EvalDecision]);
    expect(results).toEqual([
      ["s3:GetObject", "arn:aws:s3:::public/k", "allowed"],
      ["s3:GetObject", "arn:aws:s3:::secret/k", "explicitDeny"],
      ["s3:PutObject", "arn:aws:s3:::public/k", "implicitDeny"],
      ["s3:PutObject", "arn:aws:s3:::secret/k", "explicitDeny"],
    ]);
    expect(out.EvaluationResults![0].MatchedStatements).toEqual([
      expect.objectContaining({ SourcePolicyId: "AmazonS3ReadOnlyAccess", SourcePolicyType: "aws-managed" }),
    ]);
    expect(out.EvaluationResults![1].MatchedStatements).toEqual(expect.arrayContaining([
      expect.objectContaining({ SourcePolicyId: "deny-secret", SourcePolicyType: "user" }),
    ]));
    expect(out.IsTruncated).toBe(false);
  });

  it("applies the permissions boundary and reports its verdict", async () => {
    await iam.send(new CreateUserCommand({ UserName: "bob" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "bob", PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
    const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "only-sqs", PolicyDocument: doc({ Effect: "Allow", Action: "sqs:*", Resource: "*" }) }));
    await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: "bob", PermissionsBoundary: Policy!.Arn }));
    const out = await iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/bob`, ActionNames: ["sqs:SendMessage", "s3:GetObject"] }));
    expect(out.EvaluationResults!.map((r) => [r.EvalDecision, r.PermissionsBoundaryDecisionDetail?.AllowedByPermissionsBoundary])).toEqual([
      ["allowed", true],
      ["implicitDeny", false],
    ]);
  });

  it("answers NoSuchEntity for a user that does not exist", async () => {
    await expect(iam.send(new SimulatePrincipalPolicyCommand({ PolicySourceArn: `arn:aws:iam::${ACCOUNT}:user/nobody`, ActionNames: ["s3:GetObject"] })))
      .rejects.toMatchObject({ name: "NoSuchEntityException" });
  });
});

describe("SimulateCustomPolicy", () => {
  it("evaluates conditions with the context entries given, and lists the missing ones", async () => {
    const policy = doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } });
    const inside = await iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [policy], ActionNames: ["s3:GetObject"],
      ContextEntries: [{ ContextKeyName: "aws:SourceIp", ContextKeyValues: ["10.1.2.3"], ContextKeyType: "ip" }],
    }));
    expect(inside.EvaluationResults![0].EvalDecision).toBe("allowed");
    expect(inside.EvaluationResults![0].MatchedStatements![0]).toMatchObject({ SourcePolicyId: "PolicyInputList.1", SourcePolicyType: "none" });
    const missing = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [policy], ActionNames: ["s3:GetObject"] }));
    expect(missing.EvaluationResults![0].EvalDecision).toBe("implicitDeny");
    expect(missing.EvaluationResults![0].MissingContextValues).toEqual(["aws:SourceIp"]);
  });

  it("takes a resource policy for cross-account decisions", async () => {
    const out = await iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [doc({ Effect: "Allow", Action: "s3:*", Resource: "*" })],
      ActionNames: ["s3:GetObject"],
      ResourceArns: ["arn:aws:s3:::b/k"],
      ResourceOwner: "arn:aws:iam::111111111111:root",
      CallerArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      ResourcePolicy: doc({ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }),
    }));
    expect(out.EvaluationResults![0].EvalDecision).toBe("allowed");
    const without = await iam.send(new SimulateCustomPolicyCommand({
      PolicyInputList: [doc({ Effect: "Allow", Action: "s3:*", Resource: "*" })],
      ActionNames: ["s3:GetObject"], ResourceArns: ["arn:aws:s3:::b/k"],
      ResourceOwner: "arn:aws:iam::111111111111:root", CallerArn: `arn:aws:iam::${ACCOUNT}:user/alice`,
      ResourcePolicy: doc({ Effect: "Allow", Principal: { AWS: "222222222222" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }),
    }));
    expect(without.EvaluationResults![0].EvalDecision).toBe("implicitDeny");
  });

  it("rejects a malformed policy with MalformedPolicyDocument", async () => {
    await expect(iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: ["{nope"], ActionNames: ["s3:GetObject"] })))
      .rejects.toMatchObject({ name: "MalformedPolicyDocumentException", message: "Syntax errors in policy." });
  });

  it("pages with MaxItems and Marker", async () => {
    const first = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [doc({ Effect: "Allow", Action: "*", Resource: "*" })], ActionNames: ["s3:A", "s3:B", "s3:C"], MaxItems: 2 }));
    expect(first.EvaluationResults!.map((r) => r.EvalActionName)).toEqual(["s3:A", "s3:B"]);
    expect(first.IsTruncated).toBe(true);
    const second = await iam.send(new SimulateCustomPolicyCommand({ PolicyInputList: [doc({ Effect: "Allow", Action: "*", Resource: "*" })], ActionNames: ["s3:A", "s3:B", "s3:C"], MaxItems: 2, Marker: first.Marker }));
    expect(second.EvaluationResults!.map((r) => r.EvalActionName)).toEqual(["s3:C"]);
  });
});
