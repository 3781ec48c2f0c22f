/**
 * IAM through the AWS SDK for JavaScript v3, in-process, on each test store: users, groups,
 * roles, managed policies and versions, inline policies, attachments, access keys, instance
 * profiles, with IAM's errors and quotas.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  AddRoleToInstanceProfileCommand, AddUserToGroupCommand, AttachGroupPolicyCommand, AttachRolePolicyCommand, AttachUserPolicyCommand,
  CreateAccessKeyCommand, CreateGroupCommand, CreateInstanceProfileCommand, CreatePolicyCommand, CreatePolicyVersionCommand,
  CreateRoleCommand, CreateUserCommand, DeleteAccessKeyCommand, DeleteGroupCommand, DeletePolicyCommand, DeletePolicyVersionCommand,
  DeleteRoleCommand, DeleteUserCommand, DeleteUserPolicyCommand, DetachUserPolicyCommand, GetAccessKeyLastUsedCommand, GetGroupCommand,
  GetInstanceProfileCommand, GetPolicyCommand, GetPolicyVersionCommand, GetRoleCommand, GetRolePolicyCommand, GetUserCommand,
  GetUserPolicyCommand, IAMClient, ListAccessKeysCommand, ListAttachedUserPoliciesCommand, ListEntitiesForPolicyCommand,
  ListGroupsForUserCommand, ListPoliciesCommand, ListPolicyVersionsCommand, ListRolesCommand, ListUserPoliciesCommand,
  ListUsersCommand, PutRolePolicyCommand, PutUserPermissionsBoundaryCommand, PutUserPolicyCommand, RemoveRoleFromInstanceProfileCommand,
  RemoveUserFromGroupCommand, SetDefaultPolicyVersionCommand, TagUserCommand, UntagUserCommand, ListUserTagsCommand,
  UpdateAccessKeyCommand, UpdateRoleCommand, UpdateUserCommand, DeleteInstanceProfileCommand,
} from "@aws-sdk/client-iam";
import { createEmulator } from "../../../src/emulator.ts";
import { inProcess, STORES } from "../../helpers/clients.ts";

const POLICY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });

async function error(promise: Promise<unknown>): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (e) {
    const err = e as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: err.name, message: err.message, status: err.$metadata?.httpStatusCode };
  }
  throw new Error("expected the call to fail");
}

for (const store of STORES) {
  describe(`IAM in-process, ${store.name}`, () => {
    let iam: IAMClient;
    beforeEach(() => {
      iam = new IAMClient(inProcess(createEmulator({ store: store.make() })));
    });

    it("users: create, get (case-insensitive), list by path, update, tags, delete; errors", async () => {
      const created = await iam.send(new CreateUserCommand({ UserName: "alice", Path: "/eng/", Tags: [{ Key: "team", Value: "core" }] }));
      expect(created.User).toMatchObject({ UserName: "alice", Path: "/eng/", Arn: "arn:aws:iam::000000000000:user/eng/alice" });
      expect(created.User!.UserId).toMatch(/^AIDA[A-Z2-7]{17}$/);
      expect(created.User!.Tags).toEqual([{ Key: "team", Value: "core" }]);
      expect(await error(iam.send(new CreateUserCommand({ UserName: "ALICE" })))).toMatchObject({
        name: "EntityAlreadyExistsException", message: "User with name ALICE already exists.", status: 409,
      });
      expect((await iam.send(new GetUserCommand({ UserName: "Alice" }))).User!.UserName).toBe("alice");
      await iam.send(new CreateUserCommand({ UserName: "bob" }));
      expect((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(["alice", "bob"]);
      expect((await iam.send(new ListUsersCommand({ PathPrefix: "/eng/" }))).Users!.map((u) => u.UserName)).toEqual(["alice"]);
      const paged = await iam.send(new ListUsersCommand({ MaxItems: 1 }));
      expect(paged.IsTruncated).toBe(true);
      expect((await iam.send(new ListUsersCommand({ Marker: paged.Marker }))).Users!.map((u) => u.UserName)).toEqual(["bob"]);

      await iam.send(new TagUserCommand({ UserName: "alice", Tags: [{ Key: "env", Value: "dev" }, { Key: "team", Value: "platform" }] }));
      await iam.send(new UntagUserCommand({ UserName: "alice", TagKeys: ["env"] }));
      expect((await iam.send(new ListUserTagsCommand({ UserName: "alice" }))).Tags).toEqual([{ Key: "team", Value: "platform" }]);

      await iam.send(new UpdateUserCommand({ UserName: "bob", NewUserName: "robert", NewPath: "/ops/" }));
      expect((await iam.send(new GetUserCommand({ UserName: "robert" }))).User!.Arn).toBe("arn:aws:iam::000000000000:user/ops/robert");
      expect(await error(iam.send(new GetUserCommand({ UserName: "bob" })))).toMatchObject({
        name: "NoSuchEntityException", message: "The user with name bob cannot be found.", status: 404,
      });
      await iam.send(new DeleteUserCommand({ UserName: "robert" }));
      expect((await iam.send(new ListUsersCommand({}))).Users!.map((u) => u.UserName)).toEqual(["alice"]);
    });

    it("model validation: a name IAM's pattern rejects is a ValidationError", async () => {
      expect(await error(iam.send(new CreateUserCommand({ UserName: "no spaces" })))).toMatchObject({ name: "ValidationError", status: 400 });
    });

    it("groups: membership, GetGroup lists users, DeleteGroup conflicts until empty", async () => {
      await iam.send(new CreateUserCommand({ UserName: "alice" }));
      const group = await iam.send(new CreateGroupCommand({ GroupName: "devs" }));
      expect(group.Group!.GroupId).toMatch(/^AGPA/);
      await iam.send(new AddUserToGroupCommand({ GroupName: "devs", UserName: "alice" }));
      expect((await iam.send(new GetGroupCommand({ GroupName: "devs" }))).Users!.map((u) => u.UserName)).toEqual(["alice"]);
      expect((await iam.send(new ListGroupsForUserCommand({ UserName: "alice" }))).Groups!.map((g) => g.GroupName)).toEqual(["devs"]);
      expect(await error(iam.send(new DeleteGroupCommand({ GroupName: "devs" })))).toMatchObject({
        name: "DeleteConflictException", message: "Cannot delete entity, must remove users from group first.", status: 409,
      });
      expect(await error(iam.send(new DeleteUserCommand({ UserName: "alice" })))).toMatchObject({ name: "DeleteConflictException" });
      await iam.send(new RemoveUserFromGroupCommand({ GroupName: "devs", UserName: "alice" }));
      await iam.send(new DeleteGroupCommand({ GroupName: "devs" }));
      expect(await error(iam.send(new GetGroupCommand({ GroupName: "devs" })))).toMatchObject({
        name: "NoSuchEntityException", message: "The group with name devs cannot be found.",
      });
    });

    it("managed policies: versions (max 5, default rules), attach counts, delete rules", async () => {
      const { Policy } = await iam.send(new CreatePolicyCommand({ PolicyName: "read", Path: "/app/", PolicyDocument: POLICY, Description: "d" }));
      expect(Policy).toMatchObject({ PolicyName: "read", Arn: "arn:aws:iam::000000000000:policy/app/read", DefaultVersionId: "v1", AttachmentCount: 0, IsAttachable: true });
      const arn = Policy!.Arn!;
      expect(await error(iam.send(new CreatePolicyCommand({ PolicyName: "read", PolicyDocument: POLICY })))).toMatchObject({
        name: "EntityAlreadyExistsException", message: "A policy called read already exists. Duplicate names are not allowed.",
      });
      for (let i = 2; i <= 5; i++) {
        const v = await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: POLICY, SetAsDefault: i === 3 }));
        expect(v.PolicyVersion!.VersionId).toBe(`v${i}`);
      }
      expect(await error(iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: POLICY })))).toMatchObject({
        name: "LimitExceededException", status: 409,
        message: "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.",
      });
      expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.DefaultVersionId).toBe("v3");
      expect(await error(iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v3" })))).toMatchObject({
        name: "DeleteConflictException", message: "Cannot delete the default version of a policy.",
      });
      await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: "v1" }));
      // Version ids are never reused.
      expect((await iam.send(new CreatePolicyVersionCommand({ PolicyArn: arn, PolicyDocument: POLICY }))).PolicyVersion!.VersionId).toBe("v6");
      const versions = await iam.send(new ListPolicyVersionsCommand({ PolicyArn: arn }));
      expect(versions.Versions!.map((v) => [v.VersionId, v.IsDefaultVersion])).toEqual([["v6", false], ["v5", false], ["v4", false], ["v3", true], ["v2", false]]);
      await iam.send(new SetDefaultPolicyVersionCommand({ PolicyArn: arn, VersionId: "v6" }));
      const got = await iam.send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: "v6" }));
      expect(got.PolicyVersion!.IsDefaultVersion).toBe(true);
      expect(decodeURIComponent(got.PolicyVersion!.Document!)).toBe(POLICY);
      expect(got.PolicyVersion!.Document).toContain("%7B%22Version%22%3A%222012-10-17%22");

      await iam.send(new CreateUserCommand({ UserName: "alice" }));
      await iam.send(new AttachUserPolicyCommand({ UserName: "alice", PolicyArn: arn }));
      expect((await iam.send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!.AttachmentCount).toBe(1);
      expect((await iam.send(new ListEntitiesForPolicyCommand({ PolicyArn: arn }))).PolicyUsers).toEqual([{ UserName: "alice", UserId: expect.any(String) }]);
      expect(await error(iam.send(new DeletePolicyCommand({ PolicyArn: arn })))).toMatchObject({
        name: "DeleteConflictException", message: "Cannot delete a policy attached to entities.",
      });
      await iam.send(new DetachUserPolicyCommand({ UserName: "alice", PolicyArn: arn }));
      expect(await error(iam.send(new DeletePolicyCommand({ PolicyArn: arn })))).toMatchObject({ name: "DeleteConflictException" });
      for (const v of ["v2", "v3", "v4", "v5"]) await iam.send(new DeletePolicyVersionCommand({ PolicyArn: arn, VersionId: v }));
      await iam.send(new DeletePolicyCommand({ PolicyArn: arn }));
      expect(await error(iam.send(new GetPolicyCommand({ PolicyArn: arn })))).toMatchObject({
        name: "NoSuchEntityException", message: `Policy ${arn} was not found.`,
      });
    });

    it("MalformedPolicyDocument with IAM's messages; sizes limited", async () => {
      const bad = async (doc: string) => (await error(iam.send(new CreatePolicyCommand({ PolicyName: "p", PolicyDocument: doc })))).message;
      expect(await bad("{")).toBe("Syntax errors in policy.");
      expect(await bad(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Resource: "*" }] }))).toBe("Policy statement must contain actions.");
      expect(await bad(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*" }] }))).toBe("Policy statement must contain resources.");
      expect(await bad(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "s3:*", Resource: "*" }] })))
        .toBe("Policy document should not specify a principal.");
      expect(await bad(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "GetObject", Resource: "*" }] })))
        .toBe("Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.");
      expect(await bad(JSON.stringify({ Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }))).toBe("Policy document must be version 2012-10-17 or greater.");
      expect(await bad(JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "bucket" }] })))
        .toBe('Resource bucket must be in ARN format or "*".');
      const malformed = await error(iam.send(new CreatePolicyCommand({ PolicyName: "p", PolicyDocument: "{" })));
      expect(malformed).toMatchObject({ name: "MalformedPolicyDocumentException", status: 400 });

      const big = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: Array.from({ length: 600 }, (_, i) => `s3:Action${i}`), Resource: "*" }] });
      expect(await error(iam.send(new CreatePolicyCommand({ PolicyName: "big", PolicyDocument: big })))).toMatchObject({
        name: "LimitExceededException", message: "Cannot exceed quota for PolicySize: 6144",
      });
      await iam.send(new CreateUserCommand({ UserName: "alice" }));
      expect(await error(iam.send(new PutUserPolicyCommand({ UserName: "alice", PolicyName: "big", PolicyDocument: big })))).toMatchObject({
        name: "LimitExceededException", message: "Maximum policy size of 2048 bytes exceeded for user alice",
      });
      expect(await error(iam.send(new PutUserPolicyCommand({ UserName: "alice", PolicyName: "x", PolicyDocument: "nope" })))).toMatchObject({
        name: "MalformedPolicyDocumentException", message: "Syntax errors in policy.",
      });
    });

    it("inline policies: put, get (URL-encoded as given), list, delete", async () => {
      await iam.send(new CreateUserCommand({ UserName: "alice" }));
      const pretty = JSON.stringify(JSON.parse(POLICY), null, 2);
      await iam.send(new PutUserPolicyCommand({ UserName: "alice", PolicyName: "s3", PolicyDocument: pretty }));
      await iam.send(new PutUserPolicyCommand({ UserName: "alice", PolicyName: "a-first", PolicyDocument: POLICY }));
      const got = await iam.send(new GetUserPolicyCommand({ UserName: "alice", PolicyName: "s3" }));
      expect(got.UserName).toBe("alice");
      expect(decodeURIComponent(got.PolicyDocument!)).toBe(pretty);
      expect(got.PolicyDocument).toMatch(/^%7B%0A%20%20%22Version%22/);
      expect((await iam.send(new ListUserPoliciesCommand({ UserName: "alice" }))).PolicyNames).toEqual(["a-first", "s3"]);
      await iam.send(new DeleteUserPolicyCommand({ UserName: "alice", PolicyName: "s3" }));
      expect(await error(iam.send(new GetUserPolicyCommand({ UserName: "alice", PolicyName: "s3" })))).toMatchObject({
        name: "NoSuchEntityException", message: "The user policy with name s3 cannot be found.",
      });
      expect(await error(iam.send(new DeleteUserCommand({ UserName: "alice" })))).toMatchObject({
        name: "DeleteConflictException", message: "Cannot delete entity, must delete policies first.",
      });
    });

    it("attach: AWS managed policies, unknown policy, quota of 10, boundary", async () => {
      await iam.send(new CreateUserCommand({ UserName: "alice" }));
      await iam.send(new AttachUserPolicyCommand({ UserName: "alice", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }));
      expect((await iam.send(new ListAttachedUserPoliciesCommand({ UserName: "alice" }))).AttachedPolicies).toEqual([
        { PolicyName: "AmazonS3ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" },
      ]);
      const missing = "arn:aws:iam::000000000000:policy/nope";
      expect(await error(iam.send(new AttachUserPolicyCommand({ UserName: "alice", PolicyArn: missing })))).toMatchObject({
        name: "NoSuchEntityException", message: `Policy ${missing} does not exist or is not attachable.`,
      });
      for (let i = 0; i < 9; i++) {
        const p = await iam.send(new CreatePolicyCommand({ PolicyName: `p${i}`, PolicyDocument: POLICY }));
        await iam.send(new AttachUserPolicyCommand({ UserName: "alice", PolicyArn: p.Policy!.Arn }));
      }
      const extra = await iam.send(new CreatePolicyCommand({ PolicyName: "extra", PolicyDocument: POLICY }));
      expect(await error(iam.send(new AttachUserPolicyCommand({ UserName: "alice", PolicyArn: extra.Policy!.Arn })))).toMatchObject({
        name: "LimitExceededException", message: "Cannot exceed quota for PoliciesPerUser: 10",
      });
      await iam.send(new PutUserPermissionsBoundaryCommand({ UserName: "alice", PermissionsBoundary: extra.Policy!.Arn }));
      expect((await iam.send(new GetUserCommand({ UserName: "alice" }))).User!.PermissionsBoundary).toEqual({
        PermissionsBoundaryType: "PermissionsBoundaryPolicy", PermissionsBoundaryArn: extra.Policy!.Arn,
      });
      expect((await iam.send(new GetPolicyCommand({ PolicyArn: extra.Policy!.Arn }))).Policy!.PermissionsBoundaryUsageCount).toBe(1);
      const aws = await iam.send(new GetPolicyCommand({ PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }));
      expect(aws.Policy).toMatchObject({ PolicyName: "AdministratorAccess", DefaultVersionId: "v1", AttachmentCount: 0 });
      const admin = await iam.send(new GetPolicyVersionCommand({ PolicyArn: "arn:aws:iam::aws:policy/AdministratorAccess", VersionId: "v1" }));
      expect(JSON.parse(decodeURIComponent(admin.PolicyVersion!.Document!)).Statement).toEqual([{ Effect: "Allow", Action: "*", Resource: "*" }]);
      const local = await iam.send(new ListPoliciesCommand({ Scope: "Local", MaxItems: 3 }));
      expect(local.Policies!.map((p) => p.PolicyName)).toEqual(["extra", "p0", "p1"]);
      const awsOnly = await iam.send(new ListPoliciesCommand({ Scope: "AWS", OnlyAttached: true }));
      expect(awsOnly.Policies!.map((p) => p.PolicyName)).toEqual(["AmazonS3ReadOnlyAccess"]);
    });

    it("roles: trust policy, MaxSessionDuration, inline, instance profiles, delete rules", async () => {
      const { Role } = await iam.send(new CreateRoleCommand({ RoleName: "fn", Path: "/service/", AssumeRolePolicyDocument: TRUST, Description: "d" }));
      expect(Role).toMatchObject({ RoleName: "fn", Arn: "arn:aws:iam::000000000000:role/service/fn", MaxSessionDuration: 3600 });
      expect(Role!.RoleId).toMatch(/^AROA/);
      expect(decodeURIComponent(Role!.AssumeRolePolicyDocument!)).toBe(TRUST);
      const withResource = JSON.stringify({ Version: "2012-10-17", Statement: [{ ...JSON.parse(TRUST).Statement[0], Resource: "*" }] });
      expect(await error(iam.send(new CreateRoleCommand({ RoleName: "x", AssumeRolePolicyDocument: withResource })))).toMatchObject({
        name: "MalformedPolicyDocumentException", message: "Has prohibited field Resource",
      });
      const noPrincipal = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole" }] });
      expect(await error(iam.send(new CreateRoleCommand({ RoleName: "x", AssumeRolePolicyDocument: noPrincipal })))).toMatchObject({
        name: "MalformedPolicyDocumentException", message: "Missing required field Principal",
      });
      expect(await error(iam.send(new UpdateRoleCommand({ RoleName: "fn", MaxSessionDuration: 60 })))).toMatchObject({ name: "ValidationError" });
      await iam.send(new UpdateRoleCommand({ RoleName: "fn", MaxSessionDuration: 7200 }));
      const got = (await iam.send(new GetRoleCommand({ RoleName: "fn" }))).Role!;
      expect(got.MaxSessionDuration).toBe(7200);
      expect(got.RoleLastUsed).toEqual({});
      expect((await iam.send(new ListRolesCommand({}))).Roles!.map((r) => r.RoleName)).toEqual(["fn"]);

      await iam.send(new PutRolePolicyCommand({ RoleName: "fn", PolicyName: "inline", PolicyDocument: POLICY }));
      expect((await iam.send(new GetRolePolicyCommand({ RoleName: "fn", PolicyName: "inline" }))).RoleName).toBe("fn");
      await iam.send(new AttachRolePolicyCommand({ RoleName: "fn", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole" }));

      const profile = await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: "web" }));
      expect(profile.InstanceProfile!.InstanceProfileId).toMatch(/^AIPA/);
      await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "web", RoleName: "fn" }));
      expect((await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: "web" }))).InstanceProfile!.Roles!.map((r) => r.RoleName)).toEqual(["fn"]);
      expect(await error(iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: "web", RoleName: "fn" })))).toMatchObject({
        name: "LimitExceededException", message: "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
      });
      expect(await error(iam.send(new DeleteRoleCommand({ RoleName: "fn" })))).toMatchObject({
        name: "DeleteConflictException", message: "Cannot delete entity, must remove roles from instance profile first.",
      });
      await iam.send(new RemoveRoleFromInstanceProfileCommand({ InstanceProfileName: "web", RoleName: "fn" }));
      await iam.send(new DeleteInstanceProfileCommand({ InstanceProfileName: "web" }));
      expect(await error(iam.send(new DeleteRoleCommand({ RoleName: "fn" })))).toMatchObject({
        name: "DeleteConflictException", message: "Cannot delete entity, must delete policies first.",
      });
    });

    it("access keys: at most 2, status, last used, delete", async () => {
      await iam.send(new CreateUserCommand({ UserName: "alice" }));
      const k1 = (await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }))).AccessKey!;
      expect(k1.AccessKeyId).toMatch(/^AKIA[A-Z2-7]{16}$/);
      expect(k1.SecretAccessKey).toHaveLength(40);
      expect(k1.Status).toBe("Active");
      await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }));
      expect(await error(iam.send(new CreateAccessKeyCommand({ UserName: "alice" })))).toMatchObject({
        name: "LimitExceededException", message: "Cannot exceed quota for AccessKeysPerUser: 2",
      });
      await iam.send(new UpdateAccessKeyCommand({ UserName: "alice", AccessKeyId: k1.AccessKeyId, Status: "Inactive" }));
      const listed = await iam.send(new ListAccessKeysCommand({ UserName: "alice" }));
      expect(listed.AccessKeyMetadata!.map((k) => k.Status)).toEqual(["Inactive", "Active"]);
      const last = await iam.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: k1.AccessKeyId }));
      expect(last).toMatchObject({ UserName: "alice", AccessKeyLastUsed: { ServiceName: "N/A", Region: "N/A" } });
      expect(await error(iam.send(new DeleteUserCommand({ UserName: "alice" })))).toMatchObject({
        name: "DeleteConflictException", message: "Cannot delete entity, must delete access keys first.",
      });
      await iam.send(new DeleteAccessKeyCommand({ UserName: "alice", AccessKeyId: k1.AccessKeyId }));
      expect(await error(iam.send(new DeleteAccessKeyCommand({ UserName: "alice", AccessKeyId: k1.AccessKeyId })))).toMatchObject({
        name: "NoSuchEntityException", message: `The Access Key with id ${k1.AccessKeyId} cannot be found.`,
      });
      expect((await iam.send(new ListAccessKeysCommand({ UserName: "alice" }))).AccessKeyMetadata).toHaveLength(1);
    });

    it("a key from CreateAccessKey signs as its user, in its account (GetUser without a name; last used)", async () => {
      const emulator = createEmulator({ store: store.make(), verifySignatures: true, credentials: { "111111111111": "root-secret" } });
      const root = new IAMClient({ ...inProcess(emulator), credentials: { accessKeyId: "111111111111", secretAccessKey: "root-secret" } });
      await root.send(new CreateUserCommand({ UserName: "alice", Path: "/eng/" }));
      const key = (await root.send(new CreateAccessKeyCommand({ UserName: "alice" }))).AccessKey!;
      const alice = new IAMClient({ ...inProcess(emulator, "eu-west-1"), credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! } });
      expect((await alice.send(new GetUserCommand({}))).User!.Arn).toBe("arn:aws:iam::111111111111:user/eng/alice");
      const last = await root.send(new GetAccessKeyLastUsedCommand({ AccessKeyId: key.AccessKeyId }));
      expect(last.AccessKeyLastUsed).toMatchObject({ ServiceName: "iam", Region: "us-east-1" });
      expect(last.AccessKeyLastUsed!.LastUsedDate).toBeInstanceOf(Date);
      // A wrong secret, and an Inactive key, are refused.
      const forged = new IAMClient({ ...inProcess(emulator), credentials: { accessKeyId: key.AccessKeyId!, secretAccessKey: "wrong" } });
      expect(await error(forged.send(new GetUserCommand({})))).toMatchObject({ name: "SignatureDoesNotMatch", status: 403 });
      await root.send(new UpdateAccessKeyCommand({ UserName: "alice", AccessKeyId: key.AccessKeyId, Status: "Inactive" }));
      expect(await error(alice.send(new GetUserCommand({})))).toMatchObject({ name: "InvalidClientTokenId", status: 403 });
    });

    it("state is per account, shared by every region", async () => {
      const emulator = createEmulator({ store: store.make() });
      const a = new IAMClient({ ...inProcess(emulator, "eu-west-1"), credentials: { accessKeyId: "111111111111", secretAccessKey: "x" } });
      const a2 = new IAMClient({ ...inProcess(emulator, "us-west-2"), credentials: { accessKeyId: "111111111111", secretAccessKey: "x" } });
      const b = new IAMClient({ ...inProcess(emulator), credentials: { accessKeyId: "222222222222", secretAccessKey: "x" } });
      await a.send(new CreateUserCommand({ UserName: "alice" }));
      expect((await a2.send(new GetUserCommand({ UserName: "alice" }))).User!.Arn).toBe("arn:aws:iam::111111111111:user/alice");
      expect(await error(b.send(new GetUserCommand({ UserName: "alice" })))).toMatchObject({ name: "NoSuchEntityException" });
    });
  });
}
