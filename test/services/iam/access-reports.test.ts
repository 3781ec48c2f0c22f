/**
 * What IAM learns from real requests (GetAccessKeyLastUsed, RoleLastUsed, service last accessed
 * reports), ListPoliciesGrantingServiceAccess, GetContextKeysFor*Policy, group simulation, the
 * Organizations features (no organization here), outbound web identity federation and
 * SetSecurityTokenServicePreferences, through the JS SDK in-process on a manual clock.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  AddUserToGroupCommand, AttachRolePolicyCommand, AttachUserPolicyCommand, ChangePasswordCommand, CreateAccessKeyCommand, CreateGroupCommand,
  CreateLoginProfileCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, DisableOrganizationsRootSessionsCommand,
  DisableOutboundWebIdentityFederationCommand, EnableOrganizationsRootCredentialsManagementCommand, EnableOutboundWebIdentityFederationCommand,
  GenerateOrganizationsAccessReportCommand, GenerateServiceLastAccessedDetailsCommand, GetAccessKeyLastUsedCommand, GetAccountSummaryCommand,
  GetContextKeysForCustomPolicyCommand, GetContextKeysForPrincipalPolicyCommand, GetOrganizationsAccessReportCommand,
  GetOutboundWebIdentityFederationInfoCommand, GetRoleCommand, GetServiceLastAccessedDetailsCommand,
  GetServiceLastAccessedDetailsWithEntitiesCommand, IAMClient, ListOrganizationsFeaturesCommand, ListPoliciesGrantingServiceAccessCommand,
  PutGroupPolicyCommand, PutUserPolicyCommand, SetSecurityTokenServicePreferencesCommand, SimulatePrincipalPolicyCommand,
  UpdateAccountPasswordPolicyCommand,
} from "@aws-sdk/client-iam";
import { CreateQueueCommand, ListQueuesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { ListBucketsCommand, S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";

async function error(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

const doc = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Statement: statements });
const TRUST = doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "sts:AssumeRole" });
const START = Date.UTC(2026, 5, 1, 8, 0, 0);

describe("IAM access records and reports", () => {
  let emulator: Emulator;
  let clock: ManualClock;
  let iam: IAMClient;
  beforeEach(() => {
    clock = createManualClock(START);
    emulator = createEmulator({ clock });
    iam = new IAMClient(inProcess(emulator));
  });
  const as = (key: { AccessKeyId?: string; SecretAccessKey?: string; SessionToken?: string }, region = "eu-west-1") => ({
    ...inProcess(emulator, region),
    credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey!, sessionToken: key.SessionToken },
  });

  it("a user's key: GetAccessKeyLastUsed and the user's service last accessed report (service and action level)", async () => {
    await iam.send(new CreateUserCommand({ UserName: "alice" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "alice", PolicyName: "q", PolicyDocument: doc({ Effect: "Allow", Action: ["sqs:*", "s3:List*"], Resource: "*" }) }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }))).AccessKey!;
    expect((await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }))).AccessKeyLastUsed).toEqual({ ServiceName: "N/A", Region: "N/A" });

    await new SQSClient(as(key)).send(new CreateQueueCommand({ QueueName: "q" }));
    await clock.advance(60_000);
    await new S3Client({ ...as(key, "us-west-2"), forcePathStyle: true }).send(new ListBucketsCommand({}));
    const last = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }));
    expect(last).toMatchObject({ UserName: "alice", AccessKeyLastUsed: { ServiceName: "s3", Region: "us-west-2", LastUsedDate: new Date(START + 60_000) } });

    const user = "arn:aws:iam::000000000000:user/alice";
    const job = (await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: user, Granularity: "ACTION_LEVEL" }))).JobId!;
    const report = await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: job }));
    expect(report).toMatchObject({ JobStatus: "COMPLETED", JobType: "ACTION_LEVEL", JobCreationDate: new Date(START + 60_000) });
    expect(report.ServicesLastAccessed).toEqual([
      {
        ServiceName: "Amazon S3", ServiceNamespace: "s3", LastAuthenticated: new Date(START + 60_000), LastAuthenticatedEntity: user,
        LastAuthenticatedRegion: "us-west-2", TotalAuthenticatedEntities: 1,
        TrackedActionsLastAccessed: [{ ActionName: "ListAllMyBuckets", LastAccessedEntity: user, LastAccessedTime: new Date(START + 60_000), LastAccessedRegion: "us-west-2" }],
      },
      { ServiceName: "Amazon SQS", ServiceNamespace: "sqs", LastAuthenticated: new Date(START), LastAuthenticatedEntity: user, LastAuthenticatedRegion: "eu-west-1", TotalAuthenticatedEntities: 1 },
    ]);
    const entities = await iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: job, ServiceNamespace: "sqs" }));
    expect(entities.EntityDetailsList).toEqual([{ EntityInfo: { Arn: user, Name: "alice", Type: "USER", Id: expect.stringMatching(/^AIDA/), Path: "/" }, LastAuthenticated: new Date(START) }]);
    expect(await error(iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: "00000000-0000-0000-0000-000000000000" })))).toMatchObject({ name: "NoSuchEntityException", status: 404 });
    expect(await error(iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: "arn:aws:iam::000000000000:user/nobody" })))).toMatchObject({ name: "NoSuchEntityException" });
  });

  it("a role's session: RoleLastUsed (date and region), the role's and a group's reports", async () => {
    await iam.send(new CreateRoleCommand({ RoleName: "worker", AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "worker", PolicyArn: "arn:aws:iam::aws:policy/AmazonSQSFullAccess" }));
    expect((await iam.send(new GetRoleCommand({ RoleName: "worker" }))).Role!.RoleLastUsed).toEqual({});
    const session = (await new STSClient(inProcess(emulator)).send(new AssumeRoleCommand({ RoleArn: "arn:aws:iam::000000000000:role/worker", RoleSessionName: "s1" }))).Credentials!;
    await clock.advance(3_600_000);
    await new SQSClient(as(session, "ap-south-1")).send(new ListQueuesCommand({}));
    expect((await iam.send(new GetRoleCommand({ RoleName: "worker" }))).Role!.RoleLastUsed).toEqual({ LastUsedDate: new Date(START + 3_600_000), Region: "ap-south-1" });

    const job = (await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: "arn:aws:iam::000000000000:role/worker" }))).JobId!;
    const services = (await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: job }))).ServicesLastAccessed!;
    expect(services.find((s) => s.ServiceNamespace === "sqs")).toMatchObject({ LastAuthenticatedEntity: "arn:aws:iam::000000000000:role/worker", LastAuthenticatedRegion: "ap-south-1", TotalAuthenticatedEntities: 1 });

    // A group's report: its members' uses.
    await iam.send(new CreateGroupCommand({ GroupName: "devs" }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: "devs", PolicyName: "all", PolicyDocument: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }));
    for (const name of ["u1", "u2"]) {
      await iam.send(new CreateUserCommand({ UserName: name }));
      await iam.send(new AddUserToGroupCommand({ GroupName: "devs", UserName: name }));
    }
    const k = (await iam.send(new CreateAccessKeyCommand({ UserName: "u2" }))).AccessKey!;
    await new SQSClient(as(k)).send(new ListQueuesCommand({}));
    const gjob = (await iam.send(new GenerateServiceLastAccessedDetailsCommand({ Arn: "arn:aws:iam::000000000000:group/devs" }))).JobId!;
    const gservices = (await iam.send(new GetServiceLastAccessedDetailsCommand({ JobId: gjob }))).ServicesLastAccessed!;
    expect(gservices.map((s) => s.ServiceNamespace)).toContain("dynamodb");
    expect(gservices.find((s) => s.ServiceNamespace === "dynamodb")!.LastAuthenticated).toBeUndefined();
    expect(gservices.find((s) => s.ServiceNamespace === "sqs")).toMatchObject({ LastAuthenticatedEntity: "arn:aws:iam::000000000000:user/u2", TotalAuthenticatedEntities: 1 });
    const list = (await iam.send(new GetServiceLastAccessedDetailsWithEntitiesCommand({ JobId: gjob, ServiceNamespace: "sqs" }))).EntityDetailsList!;
    expect(list.map((e) => [e.EntityInfo!.Name, e.LastAuthenticated?.getTime()])).toEqual([["u1", undefined], ["u2", START + 3_600_000]]);
  });

  it("ListPoliciesGrantingServiceAccess: managed, inline and group policies per namespace", async () => {
    await iam.send(new CreateUserCommand({ UserName: "bob" }));
    await iam.send(new AttachUserPolicyCommand({ UserName: "bob", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "bob", PolicyName: "dyn", PolicyDocument: doc({ Effect: "Allow", Action: "dynamodb:GetItem", Resource: "*" }) }));
    await iam.send(new CreateGroupCommand({ GroupName: "ops" }));
    await iam.send(new AddUserToGroupCommand({ GroupName: "ops", UserName: "bob" }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: "ops", PolicyName: "not-iam", PolicyDocument: doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) }));
    const out = await iam.send(new ListPoliciesGrantingServiceAccessCommand({ Arn: "arn:aws:iam::000000000000:user/bob", ServiceNamespaces: ["s3", "dynamodb", "iam"] }));
    expect(out.PoliciesGrantingServiceAccess).toEqual([
      { ServiceNamespace: "s3", Policies: [
        { PolicyName: "AmazonS3ReadOnlyAccess", PolicyType: "MANAGED", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" },
        { PolicyName: "not-iam", PolicyType: "INLINE", EntityType: "GROUP", EntityName: "ops" },
      ] },
      { ServiceNamespace: "dynamodb", Policies: [
        { PolicyName: "dyn", PolicyType: "INLINE", EntityType: "USER", EntityName: "bob" },
        { PolicyName: "not-iam", PolicyType: "INLINE", EntityType: "GROUP", EntityName: "ops" },
      ] },
      { ServiceNamespace: "iam", Policies: [] },
    ]);
    expect(await error(iam.send(new ListPoliciesGrantingServiceAccessCommand({ Arn: "arn:aws:iam::000000000000:user/ghost", ServiceNamespaces: ["s3"] })))).toMatchObject({ name: "NoSuchEntityException" });
  });

  it("GetContextKeysForCustomPolicy / PrincipalPolicy: variables and condition keys; SimulatePrincipalPolicy on a group", async () => {
    const custom = doc(
      { Effect: "Allow", Action: "dynamodb:*", Resource: "arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}", Condition: { DateGreaterThan: { "aws:CurrentTime": "2015-08-16T12:00:00Z" } } },
      { Effect: "Deny", Action: "s3:*", Resource: "*", Condition: { StringNotLike: { "s3:prefix": ["home/${aws:PrincipalTag/team, 'none'}/*"] }, Bool: { "AWS:CurrentTime": "x" } } },
    );
    expect((await iam.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: [custom] }))).ContextKeyNames).toEqual(["aws:username", "aws:CurrentTime", "s3:prefix", "aws:PrincipalTag/team"]);
    expect(await error(iam.send(new GetContextKeysForCustomPolicyCommand({ PolicyInputList: ["{not json"] })))).toMatchObject({ name: "InvalidInputException", status: 400 });

    await iam.send(new CreateGroupCommand({ GroupName: "g" }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: "g", PolicyName: "p", PolicyDocument: doc({ Effect: "Allow", Action: "sqs:SendMessage", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }) }));
    await iam.send(new CreateUserCommand({ UserName: "carol" }));
    await iam.send(new AddUserToGroupCommand({ GroupName: "g", UserName: "carol" }));
    const policy = (await iam.send(new CreatePolicyCommand({ PolicyName: "tagged", PolicyDocument: doc({ Effect: "Allow", Action: "s3:GetObject", Resource: "*", Condition: { StringEquals: { "aws:ResourceTag/env": "dev" } } }) }))).Policy!;
    await iam.send(new AttachUserPolicyCommand({ UserName: "carol", PolicyArn: policy.Arn }));
    expect((await iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: "arn:aws:iam::000000000000:user/carol", PolicyInputList: [doc({ Effect: "Allow", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "true" } } })] }))).ContextKeyNames)
      .toEqual(["aws:ResourceTag/env", "aws:SourceIp", "aws:SecureTransport"]);
    expect(await error(iam.send(new GetContextKeysForPrincipalPolicyCommand({ PolicySourceArn: "arn:aws:iam::000000000000:user/nobody" })))).toMatchObject({ name: "NoSuchEntityException" });

    const sim = await iam.send(new SimulatePrincipalPolicyCommand({
      PolicySourceArn: "arn:aws:iam::000000000000:group/g", ActionNames: ["sqs:SendMessage", "sqs:DeleteQueue"],
      ContextEntries: [{ ContextKeyName: "aws:SourceIp", ContextKeyType: "ip", ContextKeyValues: ["10.1.2.3"] }],
    }));
    expect(sim.EvaluationResults!.map((r) => [r.EvalActionName, r.EvalDecision])).toEqual([["sqs:SendMessage", "allowed"], ["sqs:DeleteQueue", "implicitDeny"]]);
  });

  it("Organizations features: no organization; the access report job fails with the reason", async () => {
    for (const command of [new ListOrganizationsFeaturesCommand({}), new EnableOrganizationsRootCredentialsManagementCommand({}), new DisableOrganizationsRootSessionsCommand({})]) {
      expect(await error(iam.send(command as never))).toMatchObject({
        name: "OrganizationNotFoundException", message: "The request was rejected because no organization is associated with your account.", status: 400,
      });
    }
    const job = (await iam.send(new GenerateOrganizationsAccessReportCommand({ EntityPath: "o-a1b2c3d4e5/r-f6g7h8i9j0example" }))).JobId!;
    const report = await iam.send(new GetOrganizationsAccessReportCommand({ JobId: job }));
    expect(report).toMatchObject({ JobStatus: "FAILED", ErrorDetails: { Code: "OrganizationNotFoundException" }, JobCreationDate: new Date(START) });
    expect(await error(iam.send(new GetOrganizationsAccessReportCommand({ JobId: "00000000-0000-0000-0000-000000000000" })))).toMatchObject({ name: "NoSuchEntityException" });
  });

  it("outbound web identity federation, STS token version, ChangePassword", async () => {
    expect(await error(iam.send(new GetOutboundWebIdentityFederationInfoCommand({})))).toMatchObject({ name: "FeatureDisabledException", status: 404 });
    const issuer = (await iam.send(new EnableOutboundWebIdentityFederationCommand({}))).IssuerIdentifier!;
    expect(issuer).toMatch(/^https:\/\/[0-9a-f-]{36}\.tokens\.sts\.global\.api\.aws$/);
    expect(await error(iam.send(new EnableOutboundWebIdentityFederationCommand({})))).toMatchObject({ name: "FeatureEnabledException", status: 409 });
    expect(await iam.send(new GetOutboundWebIdentityFederationInfoCommand({}))).toMatchObject({ IssuerIdentifier: issuer, JwtVendingEnabled: true });
    await iam.send(new DisableOutboundWebIdentityFederationCommand({}));
    expect(await error(iam.send(new DisableOutboundWebIdentityFederationCommand({})))).toMatchObject({ name: "FeatureDisabledException" });

    expect((await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!.GlobalEndpointTokenVersion).toBe(1);
    await iam.send(new SetSecurityTokenServicePreferencesCommand({ GlobalEndpointTokenVersion: "v2Token" }));
    expect((await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!.GlobalEndpointTokenVersion).toBe(2);

    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 10, AllowUsersToChangePassword: true }));
    await iam.send(new CreateUserCommand({ UserName: "pw" }));
    await iam.send(new CreateLoginProfileCommand({ UserName: "pw", Password: "first-password" }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: "pw" }))).AccessKey!;
    const self = new IAMClient(as(key));
    expect(await error(self.send(new ChangePasswordCommand({ OldPassword: "first-password", NewPassword: "short" })))).toMatchObject({ name: "PasswordPolicyViolationException" });
    await self.send(new ChangePasswordCommand({ OldPassword: "first-password", NewPassword: "second-password" }));
    await self.send(new ChangePasswordCommand({ OldPassword: "second-password", NewPassword: "third-password" }));
    expect((await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!.AccountMFAEnabled).toBe(0);
  });
});
