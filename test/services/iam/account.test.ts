/**
 * Account-level IAM and identity providers through the JS SDK, in-process: login profiles and
 * the password policy, account aliases, GetAccountSummary, GetAccountAuthorizationDetails, the
 * credential report (CSV), OIDC and SAML providers.
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  AttachRolePolicyCommand, CreateAccessKeyCommand, CreateAccountAliasCommand, CreateLoginProfileCommand, CreateOpenIDConnectProviderCommand,
  CreatePolicyCommand, CreateRoleCommand, CreateSAMLProviderCommand, CreateUserCommand, DeleteAccountAliasCommand, DeleteLoginProfileCommand,
  DeleteOpenIDConnectProviderCommand, GenerateCredentialReportCommand, GetAccountAuthorizationDetailsCommand, GetAccountPasswordPolicyCommand,
  GetAccountSummaryCommand, GetCredentialReportCommand, GetLoginProfileCommand, GetOpenIDConnectProviderCommand, GetSAMLProviderCommand,
  IAMClient, ListAccountAliasesCommand, ListOpenIDConnectProvidersCommand, ListSAMLProvidersCommand, PutUserPolicyCommand,
  AddClientIDToOpenIDConnectProviderCommand, UpdateAccountPasswordPolicyCommand,
} from "@aws-sdk/client-iam";
import { DeleteSSHPublicKeyCommand, GetSSHPublicKeyCommand, ListSSHPublicKeysCommand, UpdateSSHPublicKeyCommand, UploadSSHPublicKeyCommand } from "@aws-sdk/client-iam";
import { createHash, generateKeyPairSync } from "node:crypto";
import { createEmulator } from "../../../src/emulator.ts";
import { inProcess } from "../../helpers/clients.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";

const POLICY = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: "*" }] });
const TRUST = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] });
const METADATA = `<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com" validUntil="2030-01-01T00:00:00Z"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>${"MIIC".padEnd(900, "A")}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>`;

describe("IAM account, in-process", () => {
  let iam: IAMClient;
  beforeEach(() => {
    iam = new IAMClient(inProcess(createEmulator({ store: createMemoryStore() })));
  });

  it("login profiles follow the password policy; password policy get/update", async () => {
    await iam.send(new CreateUserCommand({ UserName: "alice" }));
    await expect(iam.send(new GetAccountPasswordPolicyCommand({}))).rejects.toMatchObject({
      name: "NoSuchEntityException", message: "The Password Policy with domain name 000000000000 cannot be found.",
    });
    await iam.send(new UpdateAccountPasswordPolicyCommand({ MinimumPasswordLength: 12, RequireNumbers: true, MaxPasswordAge: 90 }));
    expect((await iam.send(new GetAccountPasswordPolicyCommand({}))).PasswordPolicy).toMatchObject({
      MinimumPasswordLength: 12, RequireNumbers: true, ExpirePasswords: true, MaxPasswordAge: 90, RequireSymbols: false,
    });
    await expect(iam.send(new CreateLoginProfileCommand({ UserName: "alice", Password: "short" }))).rejects.toMatchObject({
      name: "PasswordPolicyViolationException", $metadata: { httpStatusCode: 400 },
    });
    const created = await iam.send(new CreateLoginProfileCommand({ UserName: "alice", Password: "long enough 123", PasswordResetRequired: true }));
    expect(created.LoginProfile).toMatchObject({ UserName: "alice", PasswordResetRequired: true });
    await expect(iam.send(new CreateLoginProfileCommand({ UserName: "alice", Password: "long enough 123" }))).rejects.toMatchObject({ name: "EntityAlreadyExistsException" });
    expect((await iam.send(new GetLoginProfileCommand({ UserName: "alice" }))).LoginProfile!.UserName).toBe("alice");
    await iam.send(new DeleteLoginProfileCommand({ UserName: "alice" }));
    await expect(iam.send(new GetLoginProfileCommand({ UserName: "alice" }))).rejects.toMatchObject({
      name: "NoSuchEntityException", message: "Login Profile for User alice cannot be found.",
    });
  });

  it("account aliases: one per account, unique across accounts", async () => {
    await iam.send(new CreateAccountAliasCommand({ AccountAlias: "my-corp" }));
    expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual(["my-corp"]);
    const other = new IAMClient({ ...inProcess(createEmulator()), credentials: { accessKeyId: "222222222222", secretAccessKey: "x" } });
    await other.send(new CreateAccountAliasCommand({ AccountAlias: "my-corp" }));
    await iam.send(new DeleteAccountAliasCommand({ AccountAlias: "my-corp" }));
    expect((await iam.send(new ListAccountAliasesCommand({}))).AccountAliases).toEqual([]);
    await expect(iam.send(new DeleteAccountAliasCommand({ AccountAlias: "my-corp" }))).rejects.toMatchObject({ name: "NoSuchEntityException" });
  });

  it("GetAccountSummary counts, GetAccountAuthorizationDetails lists everything with documents", async () => {
    await iam.send(new CreateUserCommand({ UserName: "alice" }));
    await iam.send(new PutUserPolicyCommand({ UserName: "alice", PolicyName: "inline", PolicyDocument: POLICY }));
    await iam.send(new CreateRoleCommand({ RoleName: "fn", AssumeRolePolicyDocument: TRUST }));
    await iam.send(new AttachRolePolicyCommand({ RoleName: "fn", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }));
    await iam.send(new CreatePolicyCommand({ PolicyName: "mine", PolicyDocument: POLICY }));
    const summary = (await iam.send(new GetAccountSummaryCommand({}))).SummaryMap!;
    expect(summary).toMatchObject({ Users: 1, Roles: 1, Groups: 0, Policies: 1, PolicyVersionsInUse: 1, AccessKeysPerUserQuota: 2 });

    const details = await iam.send(new GetAccountAuthorizationDetailsCommand({}));
    expect(details.UserDetailList!.map((u) => u.UserName)).toEqual(["alice"]);
    expect(decodeURIComponent(details.UserDetailList![0]!.UserPolicyList![0]!.PolicyDocument!)).toBe(POLICY);
    expect(details.RoleDetailList![0]!.AttachedManagedPolicies).toEqual([{ PolicyName: "AmazonS3ReadOnlyAccess", PolicyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }]);
    expect(details.Policies!.map((p) => p.PolicyName).sort()).toEqual(["AmazonS3ReadOnlyAccess", "mine"]);
    const onlyRoles = await iam.send(new GetAccountAuthorizationDetailsCommand({ Filter: ["Role"] }));
    expect(onlyRoles.UserDetailList).toEqual([]);
    expect(onlyRoles.RoleDetailList).toHaveLength(1);
  });

  it("credential report: not present, generated, CSV with a row per user", async () => {
    await expect(iam.send(new GetCredentialReportCommand({}))).rejects.toMatchObject({
      name: "CredentialReportNotPresentException", $metadata: { httpStatusCode: 410 },
    });
    await iam.send(new CreateUserCommand({ UserName: "alice" }));
    await iam.send(new CreateAccessKeyCommand({ UserName: "alice" }));
    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe("STARTED");
    expect((await iam.send(new GenerateCredentialReportCommand({}))).State).toBe("COMPLETE");
    const report = await iam.send(new GetCredentialReportCommand({}));
    expect(report.ReportFormat).toBe("text/csv");
    const lines = new TextDecoder().decode(report.Content).split("\n");
    expect(lines[0]).toMatch(/^user,arn,user_creation_time,password_enabled,/);
    expect(lines[1]).toMatch(/^<root_account>,arn:aws:iam::000000000000:root,/);
    const alice = lines[2]!.split(",");
    expect(alice.slice(0, 2)).toEqual(["alice", "arn:aws:iam::000000000000:user/alice"]);
    expect(alice[3]).toBe("false");
    expect(alice[8]).toBe("true");
  });

  it("OIDC and SAML providers", async () => {
    const created = await iam.send(new CreateOpenIDConnectProviderCommand({
      Url: "https://token.actions.githubusercontent.com", ClientIDList: ["sts.amazonaws.com"], ThumbprintList: ["a".repeat(40)],
    }));
    const arn = created.OpenIDConnectProviderArn!;
    expect(arn).toBe("arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com");
    await expect(iam.send(new CreateOpenIDConnectProviderCommand({ Url: "https://token.actions.githubusercontent.com", ThumbprintList: [] })))
      .rejects.toMatchObject({ name: "EntityAlreadyExistsException" });
    await iam.send(new AddClientIDToOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn, ClientID: "other" }));
    expect(await iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }))).toMatchObject({
      Url: "token.actions.githubusercontent.com", ClientIDList: ["sts.amazonaws.com", "other"],
    });
    expect((await iam.send(new ListOpenIDConnectProvidersCommand({}))).OpenIDConnectProviderList).toEqual([{ Arn: arn }]);
    await iam.send(new DeleteOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }));
    await expect(iam.send(new GetOpenIDConnectProviderCommand({ OpenIDConnectProviderArn: arn }))).rejects.toMatchObject({ name: "NoSuchEntityException" });

    const saml = await iam.send(new CreateSAMLProviderCommand({ Name: "corp", SAMLMetadataDocument: METADATA }));
    expect(saml.SAMLProviderArn).toBe("arn:aws:iam::000000000000:saml-provider/corp");
    const got = await iam.send(new GetSAMLProviderCommand({ SAMLProviderArn: saml.SAMLProviderArn }));
    expect(got.SAMLMetadataDocument).toBe(METADATA);
    expect(got.ValidUntil).toEqual(new Date("2030-01-01T00:00:00Z"));
    expect((await iam.send(new ListSAMLProvidersCommand({}))).SAMLProviderList!.map((p) => p.Arn)).toEqual([saml.SAMLProviderArn]);
  });

  it("SSH public keys: upload (MD5 fingerprint of the key blob), duplicates refused, status, delete", async () => {
    await iam.send(new CreateUserCommand({ UserName: "alice" }));
    const der = generateKeyPairSync("ed25519").publicKey.export({ type: "spki", format: "der" });
    const raw = der.subarray(der.length - 32);
    const name = Buffer.from("ssh-ed25519");
    const blob = Buffer.concat([Buffer.from([0, 0, 0, name.length]), name, Buffer.from([0, 0, 0, 32]), raw]);
    const body = `ssh-ed25519 ${blob.toString("base64")} alice@laptop`;
    const key = (await iam.send(new UploadSSHPublicKeyCommand({ UserName: "alice", SSHPublicKeyBody: body }))).SSHPublicKey!;
    expect(key.SSHPublicKeyId).toMatch(/^APKA/);
    expect(key.Fingerprint).toBe(createHash("md5").update(blob).digest("hex").match(/../g)!.join(":"));
    await expect(iam.send(new UploadSSHPublicKeyCommand({ UserName: "alice", SSHPublicKeyBody: body }))).rejects.toMatchObject({ name: "DuplicateSSHPublicKeyException" });
    await expect(iam.send(new UploadSSHPublicKeyCommand({ UserName: "alice", SSHPublicKeyBody: "not a key" }))).rejects.toMatchObject({ name: "UnrecognizedPublicKeyEncodingException" });
    await iam.send(new UpdateSSHPublicKeyCommand({ UserName: "alice", SSHPublicKeyId: key.SSHPublicKeyId, Status: "Inactive" }));
    expect((await iam.send(new GetSSHPublicKeyCommand({ UserName: "alice", SSHPublicKeyId: key.SSHPublicKeyId, Encoding: "SSH" }))).SSHPublicKey!.Status).toBe("Inactive");
    expect((await iam.send(new ListSSHPublicKeysCommand({ UserName: "alice" }))).SSHPublicKeys).toHaveLength(1);
    await iam.send(new DeleteSSHPublicKeyCommand({ UserName: "alice", SSHPublicKeyId: key.SSHPublicKeyId }));
    await expect(iam.send(new GetSSHPublicKeyCommand({ UserName: "alice", SSHPublicKeyId: key.SSHPublicKeyId, Encoding: "SSH" }))).rejects.toMatchObject({ name: "NoSuchEntityException" });
  });
});
