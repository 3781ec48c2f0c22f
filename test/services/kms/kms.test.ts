/**
 * KMS key management through @aws-sdk/client-kms, in-process on every test store and over HTTP:
 * CreateKey for every spec, DescribeKey/ListKeys, enable/disable, deletion on the clock,
 * rotation, aliases, tags, policies and grants.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateGrantCommand, CreateKeyCommand, DecryptCommand, DeleteAliasCommand,
  DescribeKeyCommand, DisableKeyCommand, DisableKeyRotationCommand, EnableKeyCommand, EnableKeyRotationCommand, EncryptCommand,
  GetKeyPolicyCommand, GetKeyRotationStatusCommand, KMSClient, ListAliasesCommand, ListGrantsCommand, ListKeyPoliciesCommand,
  ListKeyRotationsCommand, ListKeysCommand, ListResourceTagsCommand, ListRetirableGrantsCommand, PutKeyPolicyCommand,
  ReplicateKeyCommand, RetireGrantCommand, RevokeGrantCommand, ScheduleKeyDeletionCommand, TagResourceCommand,
  UntagResourceCommand, UpdateAliasCommand, UpdateKeyDescriptionCommand, UpdatePrimaryRegionCommand,
} from "@aws-sdk/client-kms";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess, overHttp, startTestServer, STORES } from "../../helpers/clients.ts";

const errorOf = (p: Promise<unknown>) => p.then(() => { throw new Error("expected an error"); }, (e) => e as { name: string; message: string; $metadata: { httpStatusCode?: number } });
const DAY = 86_400_000;
const ACCOUNT = "000000000000";
const arnOf = (keyId: string) => `arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId}`;

const transports = [
  ...STORES.map((store) => ({
    name: `in-process, ${store.name}`,
    async setup() {
      const clock = createManualClock();
      const emulator = createEmulator({ store: store.make(), clock });
      return { client: new KMSClient(inProcess(emulator)), clock, close: async () => {} };
    },
  })),
  {
    name: "over HTTP",
    async setup() {
      const server = await startTestServer();
      return { client: new KMSClient(overHttp(server.url)), clock: undefined, close: () => server.close() };
    },
  },
];

for (const { name, setup } of transports) {
  describe(`KMS ${name}`, () => {
    let kms: KMSClient;
    let clock: ManualClock | undefined;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ client: kms, clock, close } = await setup());
    });
    afterAll(() => close());

    it("creates a symmetric key with AWS's metadata and default policy", async () => {
      const { KeyMetadata: m } = await kms.send(new CreateKeyCommand({ Description: "first", Tags: [{ TagKey: "team", TagValue: "a" }] }));
      expect(m).toMatchObject({
        AWSAccountId: ACCOUNT, Arn: arnOf(m!.KeyId!), Enabled: true, Description: "first", KeyUsage: "ENCRYPT_DECRYPT",
        KeyState: "Enabled", Origin: "AWS_KMS", KeyManager: "CUSTOMER", CustomerMasterKeySpec: "SYMMETRIC_DEFAULT",
        KeySpec: "SYMMETRIC_DEFAULT", EncryptionAlgorithms: ["SYMMETRIC_DEFAULT"], MultiRegion: false,
      });
      expect(m!.KeyId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(m!.CurrentKeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
      expect(m!.CreationDate).toBeInstanceOf(Date);
      const policy = await kms.send(new GetKeyPolicyCommand({ KeyId: m!.KeyId }));
      expect(policy.PolicyName).toBe("default");
      expect(JSON.parse(policy.Policy!)).toEqual({
        Version: "2012-10-17", Id: "key-default-1",
        Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: "kms:*", Resource: "*" }],
      });
      expect((await kms.send(new ListKeyPoliciesCommand({ KeyId: m!.KeyId }))).PolicyNames).toEqual(["default"]);
      const custom = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }] });
      await kms.send(new PutKeyPolicyCommand({ KeyId: m!.KeyId, Policy: custom }));
      expect((await kms.send(new GetKeyPolicyCommand({ KeyId: m!.KeyId }))).Policy).toBe(custom);
      expect((await errorOf(kms.send(new PutKeyPolicyCommand({ KeyId: m!.KeyId, Policy: "{not json" })))).name).toBe("MalformedPolicyDocumentException");
    });

    it("creates keys of every spec with the algorithms AWS lists; unsupported pairs fail", async () => {
      const cases: [string, string, Record<string, unknown>][] = [
        ["RSA_2048", "ENCRYPT_DECRYPT", { EncryptionAlgorithms: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"] }],
        ["RSA_2048", "SIGN_VERIFY", { SigningAlgorithms: ["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"] }],
        ["ECC_NIST_P256", "SIGN_VERIFY", { SigningAlgorithms: ["ECDSA_SHA_256"] }],
        ["ECC_NIST_P384", "KEY_AGREEMENT", { KeyAgreementAlgorithms: ["ECDH"] }],
        ["ECC_NIST_P521", "SIGN_VERIFY", { SigningAlgorithms: ["ECDSA_SHA_512"] }],
        ["ECC_SECG_P256K1", "SIGN_VERIFY", { SigningAlgorithms: ["ECDSA_SHA_256"] }],
        ["HMAC_224", "GENERATE_VERIFY_MAC", { MacAlgorithms: ["HMAC_SHA_224"] }],
        ["HMAC_512", "GENERATE_VERIFY_MAC", { MacAlgorithms: ["HMAC_SHA_512"] }],
      ];
      for (const [KeySpec, KeyUsage, algorithms] of cases) {
        const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: KeySpec as never, KeyUsage: KeyUsage as never }));
        expect(KeyMetadata).toMatchObject({ KeySpec, KeyUsage, ...algorithms });
      }
      expect((await errorOf(kms.send(new CreateKeyCommand({ KeySpec: "ECC_SECG_P256K1", KeyUsage: "KEY_AGREEMENT" })))).name).toBe("ValidationException");
      expect((await errorOf(kms.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256" })))).name).toBe("ValidationException");
      expect((await errorOf(kms.send(new CreateKeyCommand({ KeySpec: "SM2", KeyUsage: "SIGN_VERIFY" })))).name).toBe("ValidationException");
      expect((await errorOf(kms.send(new CreateKeyCommand({ KeySpec: "NOPE" as never })))).name).toBe("ValidationException");
    });

    it("describes by id, ARN, alias and alias ARN; unknown keys are NotFoundException", async () => {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
      const keyId = KeyMetadata!.KeyId!;
      await kms.send(new CreateAliasCommand({ AliasName: "alias/app", TargetKeyId: keyId }));
      for (const id of [keyId, arnOf(keyId), "alias/app", `arn:aws:kms:us-east-1:${ACCOUNT}:alias/app`]) {
        expect((await kms.send(new DescribeKeyCommand({ KeyId: id }))).KeyMetadata!.KeyId).toBe(keyId);
      }
      const encrypted = await kms.send(new EncryptCommand({ KeyId: "alias/app", Plaintext: new Uint8Array([1, 2, 3]) }));
      expect(encrypted.KeyId).toBe(arnOf(keyId));
      const missing = await errorOf(kms.send(new DescribeKeyCommand({ KeyId: "11111111-2222-3333-4444-555555555555" })));
      expect(missing.name).toBe("NotFoundException");
      expect(missing.message).toBe(`Key '${arnOf("11111111-2222-3333-4444-555555555555")}' does not exist`);
      const alias = await errorOf(kms.send(new DescribeKeyCommand({ KeyId: "alias/none" })));
      expect(alias.name).toBe("NotFoundException");
      expect(alias.message).toBe(`Alias arn:aws:kms:us-east-1:${ACCOUNT}:alias/none is not found.`);
      const duplicate = await errorOf(kms.send(new CreateAliasCommand({ AliasName: "alias/app", TargetKeyId: keyId })));
      expect(duplicate.name).toBe("AlreadyExistsException");
      expect((await errorOf(kms.send(new CreateAliasCommand({ AliasName: "alias/aws/mine", TargetKeyId: keyId })))).name).toBe("InvalidAliasNameException");
      expect((await errorOf(kms.send(new CreateAliasCommand({ AliasName: "app2", TargetKeyId: keyId })))).name).toBe("ValidationException");

      const other = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await kms.send(new UpdateAliasCommand({ AliasName: "alias/app", TargetKeyId: other }));
      const listed = await kms.send(new ListAliasesCommand({ KeyId: other }));
      expect(listed.Aliases).toEqual([expect.objectContaining({ AliasName: "alias/app", AliasArn: `arn:aws:kms:us-east-1:${ACCOUNT}:alias/app`, TargetKeyId: other })]);
      await kms.send(new DeleteAliasCommand({ AliasName: "alias/app" }));
      expect((await errorOf(kms.send(new DeleteAliasCommand({ AliasName: "alias/app" })))).name).toBe("NotFoundException");
    });

    it("creates the AWS managed key behind alias/aws/<service> on first use", async () => {
      const first = await kms.send(new DescribeKeyCommand({ KeyId: "alias/aws/secretsmanager" }));
      expect(first.KeyMetadata).toMatchObject({ KeyManager: "AWS", Description: "Default key that protects my Secrets Manager data when no other key is defined" });
      const again = await kms.send(new DescribeKeyCommand({ KeyId: "alias/aws/secretsmanager" }));
      expect(again.KeyMetadata!.KeyId).toBe(first.KeyMetadata!.KeyId);
      expect((await errorOf(kms.send(new DisableKeyCommand({ KeyId: "alias/aws/secretsmanager" })))).name).toBe("AccessDeniedException");
    });

    it("lists keys in pages", async () => {
      const all: string[] = [];
      let Marker: string | undefined;
      do {
        const out = await kms.send(new ListKeysCommand({ Limit: 2, Marker }));
        expect(out.Keys!.length).toBeLessThanOrEqual(2);
        for (const k of out.Keys!) {
          expect(k.KeyArn).toBe(arnOf(k.KeyId!));
          all.push(k.KeyId!);
        }
        Marker = out.Truncated ? out.NextMarker : undefined;
      } while (Marker);
      expect(new Set(all).size).toBe(all.length);
      expect(all.length).toBeGreaterThan(5);
    });

    it("enables, disables, updates the description, tags", async () => {
      const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await kms.send(new DisableKeyCommand({ KeyId: keyId }));
      expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).toMatchObject({ Enabled: false, KeyState: "Disabled" });
      await kms.send(new EnableKeyCommand({ KeyId: keyId }));
      await kms.send(new UpdateKeyDescriptionCommand({ KeyId: keyId, Description: "new" }));
      expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).toMatchObject({ Enabled: true, Description: "new" });
      await kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: "b", TagValue: "2" }, { TagKey: "a", TagValue: "1" }] }));
      await kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: "b", TagValue: "3" }] }));
      await kms.send(new UntagResourceCommand({ KeyId: keyId, TagKeys: ["a"] }));
      expect((await kms.send(new ListResourceTagsCommand({ KeyId: keyId }))).Tags).toEqual([{ TagKey: "b", TagValue: "3" }]);
      expect((await errorOf(kms.send(new TagResourceCommand({ KeyId: keyId, Tags: [{ TagKey: "aws:x", TagValue: "1" }] })))).name).toBe("TagException");
    });

    it("schedules deletion, cancels it (Disabled), and deletes at the end of the window", async () => {
      const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      const ciphertext = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([9]) }))).CiphertextBlob;
      const scheduled = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
      expect(scheduled).toMatchObject({ KeyId: arnOf(keyId), KeyState: "PendingDeletion", PendingWindowInDays: 7 });
      const described = (await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
      expect(described).toMatchObject({ KeyState: "PendingDeletion", Enabled: false, PendingDeletionWindowInDays: 7 });
      expect(described.DeletionDate!.getTime()).toBe(scheduled.DeletionDate!.getTime());
      const pending = await errorOf(kms.send(new DecryptCommand({ CiphertextBlob: ciphertext })));
      expect(pending.name).toBe("KMSInvalidStateException");
      expect(pending.message).toBe(`${arnOf(keyId)} is pending deletion.`);
      expect((await errorOf(kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 6 })))).name).toBe("ValidationException");
      await kms.send(new CancelKeyDeletionCommand({ KeyId: keyId }));
      expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata).toMatchObject({ KeyState: "Disabled", Enabled: false });
      expect((await errorOf(kms.send(new CancelKeyDeletionCommand({ KeyId: keyId })))).name).toBe("KMSInvalidStateException");
      if (!clock) return;
      await kms.send(new CreateAliasCommand({ AliasName: "alias/doomed", TargetKeyId: keyId }));
      await kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
      await clock.advance(7 * DAY - 1000);
      expect((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState).toBe("PendingDeletion");
      await clock.advance(1000);
      expect((await errorOf(kms.send(new DescribeKeyCommand({ KeyId: keyId })))).name).toBe("NotFoundException");
      expect((await errorOf(kms.send(new DescribeKeyCommand({ KeyId: "alias/doomed" })))).name).toBe("NotFoundException");
      expect((await errorOf(kms.send(new DecryptCommand({ CiphertextBlob: ciphertext })))).name).toBe("InvalidCiphertextException");
    });

    it("rotation: status, on-demand and automatic rotations on the clock", async () => {
      const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      expect(await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).toMatchObject({ KeyRotationEnabled: false, KeyId: arnOf(keyId) });
      await kms.send(new EnableKeyRotationCommand({ KeyId: keyId, RotationPeriodInDays: 90 }));
      const status = await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }));
      expect(status).toMatchObject({ KeyRotationEnabled: true, RotationPeriodInDays: 90 });
      const old = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array([1]) }))).CiphertextBlob;
      if (clock) {
        await clock.advance(181 * DAY);
        const rotations = (await kms.send(new ListKeyRotationsCommand({ KeyId: keyId }))).Rotations!;
        expect(rotations.map((r) => r.RotationType)).toEqual(["AUTOMATIC", "AUTOMATIC"]);
        expect((await kms.send(new DecryptCommand({ CiphertextBlob: old }))).Plaintext).toEqual(new Uint8Array([1]));
      }
      await kms.send(new DisableKeyRotationCommand({ KeyId: keyId }));
      expect((await kms.send(new GetKeyRotationStatusCommand({ KeyId: keyId }))).KeyRotationEnabled).toBe(false);
      const rsa = (await kms.send(new CreateKeyCommand({ KeySpec: "ECC_NIST_P256", KeyUsage: "SIGN_VERIFY" }))).KeyMetadata!.KeyId!;
      expect((await errorOf(kms.send(new EnableKeyRotationCommand({ KeyId: rsa })))).name).toBe("UnsupportedOperationException");
    });

    it("grants: create, list, retire by token, revoke, retirable", async () => {
      const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      const grantee = `arn:aws:iam::${ACCOUNT}:role/app`;
      const retiring = `arn:aws:iam::${ACCOUNT}:role/admin`;
      const g1 = await kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: grantee, RetiringPrincipal: retiring, Operations: ["Encrypt", "Decrypt"], Name: "g1", Constraints: { EncryptionContextSubset: { app: "x" } } }));
      expect(g1.GrantId).toMatch(/^[0-9a-f]{64}$/);
      const again = await kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: grantee, RetiringPrincipal: retiring, Operations: ["Encrypt", "Decrypt"], Name: "g1", Constraints: { EncryptionContextSubset: { app: "x" } } }));
      expect(again.GrantId).toBe(g1.GrantId);
      const g2 = await kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: grantee, Operations: ["GenerateDataKey"] }));
      const listed = await kms.send(new ListGrantsCommand({ KeyId: keyId }));
      expect(listed.Grants).toHaveLength(2);
      expect(listed.Grants![0]).toMatchObject({ KeyId: arnOf(keyId), GrantId: g1.GrantId, Name: "g1", GranteePrincipal: grantee, RetiringPrincipal: retiring, IssuingAccount: `arn:aws:iam::${ACCOUNT}:root`, Operations: ["Encrypt", "Decrypt"], Constraints: { EncryptionContextSubset: { app: "x" } } });
      expect((await kms.send(new ListRetirableGrantsCommand({ RetiringPrincipal: retiring }))).Grants!.map((g) => g.GrantId)).toEqual([g1.GrantId]);
      expect((await errorOf(kms.send(new CreateGrantCommand({ KeyId: keyId, GranteePrincipal: grantee, Operations: ["Sign"] })))).name).toBe("ValidationException");
      await kms.send(new RetireGrantCommand({ GrantToken: g1.GrantToken }));
      await kms.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: g2.GrantId }));
      expect((await kms.send(new ListGrantsCommand({ KeyId: keyId }))).Grants).toEqual([]);
      expect((await errorOf(kms.send(new RevokeGrantCommand({ KeyId: keyId, GrantId: g2.GrantId })))).name).toBe("NotFoundException");
    });

    it("replicates a multi-Region key with its material into another Region", async () => {
      const { KeyMetadata } = await kms.send(new CreateKeyCommand({ MultiRegion: true }));
      expect(KeyMetadata!.KeyId).toMatch(/^mrk-[0-9a-f]{32}$/);
      expect(KeyMetadata!.MultiRegionConfiguration).toMatchObject({ MultiRegionKeyType: "PRIMARY", PrimaryKey: { Region: "us-east-1" }, ReplicaKeys: [] });
      const replica = await kms.send(new ReplicateKeyCommand({ KeyId: KeyMetadata!.KeyId, ReplicaRegion: "eu-west-1" }));
      expect(replica.ReplicaKeyMetadata!.Arn).toBe(`arn:aws:kms:eu-west-1:${ACCOUNT}:key/${KeyMetadata!.KeyId}`);
      const ciphertext = (await kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: new Uint8Array([7]) }))).CiphertextBlob;
      const west = new KMSClient({ ...(await kms.config.requestHandler ? { requestHandler: kms.config.requestHandler } : {}), region: "eu-west-1", credentials: { accessKeyId: "test", secretAccessKey: "test" }, ...(name === "over HTTP" ? { endpoint: await endpointOf(kms) } : {}) });
      const out = await west.send(new DecryptCommand({ CiphertextBlob: ciphertext }));
      expect(out.Plaintext).toEqual(new Uint8Array([7]));
      expect(out.KeyId).toBe(replica.ReplicaKeyMetadata!.Arn);
      const primary = (await kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).KeyMetadata!;
      expect(primary.MultiRegionConfiguration!.ReplicaKeys).toEqual([{ Arn: replica.ReplicaKeyMetadata!.Arn, Region: "eu-west-1" }]);
      await kms.send(new UpdatePrimaryRegionCommand({ KeyId: KeyMetadata!.KeyId, PrimaryRegion: "eu-west-1" }));
      const westConfig = (await west.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).KeyMetadata!.MultiRegionConfiguration!;
      expect(westConfig).toEqual({ MultiRegionKeyType: "PRIMARY", PrimaryKey: { Arn: replica.ReplicaKeyMetadata!.Arn, Region: "eu-west-1" }, ReplicaKeys: [{ Arn: KeyMetadata!.Arn, Region: "us-east-1" }] });
      expect((await kms.send(new DescribeKeyCommand({ KeyId: KeyMetadata!.KeyId }))).KeyMetadata!.MultiRegionConfiguration!.MultiRegionKeyType).toBe("REPLICA");
      expect((await errorOf(kms.send(new UpdatePrimaryRegionCommand({ KeyId: KeyMetadata!.KeyId, PrimaryRegion: "ap-south-1" })))).name).toBe("UnsupportedOperationException");
    });
  });
}

async function endpointOf(client: KMSClient): Promise<string> {
  const endpoint = await client.config.endpoint!();
  return `${endpoint.protocol}//${endpoint.hostname}${endpoint.port ? ":" + endpoint.port : ""}`;
}
