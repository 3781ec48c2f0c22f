/**
 * Credentials that are real: IAM access keys sign requests to every service as their user, STS
 * role sessions exist only for roles IAM has, and the identity hooks (resolvePrincipal,
 * principalPolicies) give the policy engine what it needs. Signatures are verified throughout.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  AddUserToGroupCommand, AttachGroupPolicyCommand, AttachRolePolicyCommand, AttachUserPolicyCommand, CreateAccessKeyCommand,
  CreateGroupCommand, CreatePolicyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, PutGroupPolicyCommand,
  PutRolePermissionsBoundaryCommand, PutUserPolicyCommand, TagRoleCommand, TagUserCommand,
} from "@aws-sdk/client-iam";
import {
  AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient,
} from "@aws-sdk/client-sts";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { createRequestHandler } from "../../../src/runtime/sdk.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import { prefixStore } from "../../../src/store/prefixed.ts";
import type { Store } from "../../../src/store/types.ts";
import iamService from "../../../src/services/iam/index.ts";
import stsService from "../../../src/services/sts/index.ts";

const ACCOUNT = "111111111111";
const OWNER = { accessKeyId: ACCOUNT, secretAccessKey: "owner-secret" };
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "sts:AssumeRole" }] });
const S3_READ = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });

type Credentials = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };

function jwt(claims: Record<string, unknown>): string {
  const b64 = (o: unknown) => btoa(JSON.stringify(o)).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
  return `${b64({ alg: "RS256", typ: "JWT" })}.${b64(claims)}.c2lnbmF0dXJl`;
}

describe("IAM credentials", () => {
  let emulator: Emulator;
  let store: Store;
  const client = <T>(Client: new (config: object) => T, credentials: Credentials, extra: object = {}) =>
    new Client({ region: "us-east-1", credentials, requestHandler: createRequestHandler(emulator), ...extra });
  let iam: IAMClient;

  beforeEach(() => {
    store = createMemoryStore();
    emulator = createEmulator({ store, verifySignatures: true, credentials: { [ACCOUNT]: OWNER.secretAccessKey, "222222222222": "other", test: "test" } });
    iam = client(IAMClient, OWNER);
  });

  async function userWithKey(name: string): Promise<Credentials> {
    await iam.send(new CreateUserCommand({ UserName: name, Path: "/team/" }));
    const key = (await iam.send(new CreateAccessKeyCommand({ UserName: name }))).AccessKey!;
    return { accessKeyId: key.AccessKeyId!, secretAccessKey: key.SecretAccessKey! };
  }

  it("a key from CreateAccessKey works for STS, SQS and S3, as its user in its account", async () => {
    const alice = await userWithKey("alice");
    const me = await client(STSClient, alice).send(new GetCallerIdentityCommand({}));
    expect(me.Account).toBe(ACCOUNT);
    expect(me.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/team/alice`);
    expect(me.UserId).toMatch(/^AIDA/);

    const sqs = client(SQSClient, alice);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "work" }));
    expect(QueueUrl).toContain(`/${ACCOUNT}/work`);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "hi" }));
    expect((await sqs.send(new ReceiveMessageCommand({ QueueUrl }))).Messages![0]!.Body).toBe("hi");

    const s3 = client(S3Client, alice, { forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "alice-bucket" }));
    await s3.send(new PutObjectCommand({ Bucket: "alice-bucket", Key: "k", Body: "v" }));
    expect(await (await s3.send(new GetObjectCommand({ Bucket: "alice-bucket", Key: "k" }))).Body!.transformToString()).toBe("v");

    // A forged secret is refused by every service.
    await expect(client(SQSClient, { ...alice, secretAccessKey: "x".repeat(40) }).send(new CreateQueueCommand({ QueueName: "x" })))
      .rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });

    // GetSessionToken for an IAM user: the session is still alice.
    const session = (await client(STSClient, alice).send(new GetSessionTokenCommand({ DurationSeconds: 7200 }))).Credentials!;
    const again = await client(STSClient, { accessKeyId: session.AccessKeyId!, secretAccessKey: session.SecretAccessKey!, sessionToken: session.SessionToken })
      .send(new GetCallerIdentityCommand({}));
    expect(again.Arn).toBe(`arn:aws:iam::${ACCOUNT}:user/team/alice`);
  });

  it("AssumeRole needs the role to exist (AWS's AccessDenied naming the caller), honours its path and MaxSessionDuration", async () => {
    const alice = await userWithKey("alice");
    const sts = client(STSClient, alice);
    const missing = `arn:aws:iam::${ACCOUNT}:role/nope`;
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: missing, RoleSessionName: "s1" }))).rejects.toMatchObject({
      name: "AccessDenied", $metadata: { httpStatusCode: 403 },
      message: `User: arn:aws:iam::${ACCOUNT}:user/team/alice is not authorized to perform: sts:AssumeRole on resource: ${missing}`,
    });
    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: "deployer", Path: "/ci/", AssumeRolePolicyDocument: TRUST }));
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/deployer`, RoleSessionName: "s1" })))
      .rejects.toMatchObject({ name: "AccessDenied" });
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: Role!.Arn, RoleSessionName: "s1", DurationSeconds: 7200 }))).rejects.toMatchObject({
      name: "ValidationError", message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.",
    });
    const out = await sts.send(new AssumeRoleCommand({ RoleArn: Role!.Arn, RoleSessionName: "s1" }));
    expect(out.AssumedRoleUser).toEqual({ AssumedRoleId: `${Role!.RoleId}:s1`, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/s1` });

    // Cross-account: the role is looked up in its own account.
    const other = "222222222222";
    const crossArn = `arn:aws:iam::${other}:role/shared`;
    await expect(sts.send(new AssumeRoleCommand({ RoleArn: crossArn, RoleSessionName: "x1" }))).rejects.toMatchObject({ name: "AccessDenied" });
    await client(IAMClient, { accessKeyId: other, secretAccessKey: "other" }).send(new CreateRoleCommand({ RoleName: "shared", AssumeRolePolicyDocument: TRUST }));
    const cross = await sts.send(new AssumeRoleCommand({ RoleArn: crossArn, RoleSessionName: "x1" }));
    expect(cross.AssumedRoleUser!.Arn).toBe(`arn:aws:sts::${other}:assumed-role/shared/x1`);
  });

  it("AssumeRoleWithWebIdentity on a missing role is AccessDenied", async () => {
    const token = jwt({ sub: "repo:org/app", aud: "sts.amazonaws.com", iss: "https://token.actions.githubusercontent.com" });
    // Unsigned, as web identity clients call it (this emulator does not verify signatures).
    const open = createEmulator();
    const sts = new STSClient({ region: "us-east-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, requestHandler: createRequestHandler(open) });
    await expect(sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/gha`, RoleSessionName: "gha", WebIdentityToken: token })))
      .rejects.toMatchObject({ name: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithWebIdentity" });
  });

  it("resolvePrincipal and principalPolicies: users with groups and boundaries, role sessions with session policies and tags", async () => {
    const alice = await userWithKey("alice");
    const iamStore = prefixStore(store, ["iam", "global"]);
    const stsStore = prefixStore(store, ["sts", "global"]);

    const managed = (await iam.send(new CreatePolicyCommand({ PolicyName: "s3-read", PolicyDocument: S3_READ }))).Policy!.Arn!;
    await iam.send(new AttachUserPolicyCommand({ UserName: "alice", PolicyArn: "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "alice", PolicyName: "own", PolicyDocument: S3_READ }));
    await iam.send(new TagUserCommand({ UserName: "alice", Tags: [{ Key: "team", Value: "core" }] }));
    await iam.send(new CreateGroupCommand({ GroupName: "devs" }));
    await iam.send(new AddUserToGroupCommand({ GroupName: "devs", UserName: "alice" }));
    await iam.send(new AttachGroupPolicyCommand({ GroupName: "devs", PolicyArn: managed }));
    await iam.send(new PutGroupPolicyCommand({ GroupName: "devs", PolicyName: "g", PolicyDocument: S3_READ }));

    const principal = await iamService.resolvePrincipal!(alice.accessKeyId, iamStore);
    expect(principal).toMatchObject({ account: ACCOUNT, kind: "user", arn: `arn:aws:iam::${ACCOUNT}:user/team/alice`, principalArn: `arn:aws:iam::${ACCOUNT}:user/team/alice` });
    expect(await iamService.resolveSecret!(alice.accessKeyId, iamStore)).toBe(alice.secretAccessKey);
    expect(await iamService.resolvePrincipal!("AKIAIOSFODNN7EXAMPLE", iamStore)).toBeNull();

    const policies = (await iamService.principalPolicies!(principal!.arn, ACCOUNT, iamStore))!;
    expect(policies.userName).toBe("alice");
    expect(policies.tags).toEqual({ team: "core" });
    expect(policies.identityPolicies.map((p) => p.source)).toEqual([
      "arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess",
      `arn:aws:iam::${ACCOUNT}:user/team/alice#own`,
      managed,
      `arn:aws:iam::${ACCOUNT}:group/devs#g`,
    ]);
    expect(policies.identityPolicies[2]!.document).toEqual(JSON.parse(S3_READ));
    expect(await iamService.principalPolicies!(principal!.arn, "999999999999", iamStore)).toBeNull();

    const { Role } = await iam.send(new CreateRoleCommand({ RoleName: "app", AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "app", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3FullAccess" }));
    await iam.send(new PutRolePermissionsBoundaryCommand({ RoleName: "app", PermissionsBoundary: managed }));
    await iam.send(new TagRoleCommand({ RoleName: "app", Tags: [{ Key: "env", Value: "dev" }] }));
    const sessionPolicy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] });
    const out = await client(STSClient, alice).send(new AssumeRoleCommand({
      RoleArn: Role!.Arn, RoleSessionName: "work", Policy: sessionPolicy, PolicyArns: [{ arn: managed }],
      Tags: [{ Key: "project", Value: "x" }], SourceIdentity: "alice",
    }));
    const session = (await stsService.resolvePrincipal!(out.Credentials!.AccessKeyId!, stsStore))!;
    expect(session).toMatchObject({
      account: ACCOUNT, kind: "assumed-role", arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/work`, principalArn: Role!.Arn,
      sessionTags: { project: "x" }, contextKeys: { "aws:SourceIdentity": "alice" },
    });
    expect(session.sessionPolicies!.map((p) => p.source)).toEqual(["session policy", managed]);
    expect(session.sessionPolicies![0]!.document).toEqual(JSON.parse(sessionPolicy));
    expect(session.sessionPolicies![1]!.document).toEqual(JSON.parse(S3_READ));

    const rolePolicies = (await iamService.principalPolicies!(session.principalArn!, ACCOUNT, iamStore))!;
    expect(rolePolicies.identityPolicies.map((p) => p.source)).toEqual(["arn:aws:iam::aws:policy/AmazonS3FullAccess"]);
    expect(rolePolicies.permissionsBoundary!.source).toBe(managed);
    expect(rolePolicies.tags).toEqual({ env: "dev" });
    // The assumed-role session ARN reads as its role too.
    expect((await iamService.principalPolicies!(session.arn, ACCOUNT, iamStore))!.principalArn).toBe(Role!.Arn);
  });
});
