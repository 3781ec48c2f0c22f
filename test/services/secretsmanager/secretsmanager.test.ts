/**
 * Secrets Manager through @aws-sdk/client-secrets-manager, in-process on every test store and
 * over HTTP: versions and staging labels, KMS encryption with real keys, deletion and recovery on
 * the clock, listing with filters and pages, tags, policies, passwords, batches, replication.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BatchGetSecretValueCommand, CancelRotateSecretCommand, CreateSecretCommand, DeleteResourcePolicyCommand, DeleteSecretCommand,
  DescribeSecretCommand, GetRandomPasswordCommand, GetResourcePolicyCommand, GetSecretValueCommand, ListSecretsCommand,
  ListSecretVersionIdsCommand, PutResourcePolicyCommand, PutSecretValueCommand, RemoveRegionsFromReplicationCommand,
  ReplicateSecretToRegionsCommand, RestoreSecretCommand, StopReplicationToReplicaCommand, RotateSecretCommand, SecretsManagerClient, TagResourceCommand,
  UntagResourceCommand, UpdateSecretCommand, UpdateSecretVersionStageCommand, ValidateResourcePolicyCommand,
} from "@aws-sdk/client-secrets-manager";
import { CreateKeyCommand, DisableKeyCommand, KMSClient, EnableKeyCommand } from "@aws-sdk/client-kms";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess, overHttp, startTestServer, STORES } from "../../helpers/clients.ts";

const errorOf = (p: Promise<unknown>) => p.then(() => { throw new Error("expected an error"); }, (e) => e as { name: string; message: string });
const DAY = 86_400_000;
const ARN = /^arn:aws:secretsmanager:us-east-1:000000000000:secret:([A-Za-z0-9/_+=.@-]+)-[A-Za-z0-9]{6}$/;

const transports = [
  ...STORES.map((store) => ({
    name: `in-process, ${store.name}`,
    async setup() {
      const clock = createManualClock();
      const config = inProcess(createEmulator({ store: store.make(), clock }));
      return { sm: new SecretsManagerClient(config), kms: new KMSClient(config), clock: clock as ManualClock | undefined, close: async () => {} };
    },
  })),
  {
    name: "over HTTP",
    async setup() {
      const server = await startTestServer();
      const config = overHttp(server.url);
      return { sm: new SecretsManagerClient(config), kms: new KMSClient(config), clock: undefined as ManualClock | undefined, close: () => server.close() };
    },
  },
];

for (const { name, setup } of transports) {
  describe(`Secrets Manager ${name}`, () => {
    let sm: SecretsManagerClient;
    let kms: KMSClient;
    let clock: ManualClock | undefined;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ sm, kms, clock, close } = await setup());
    });
    afterAll(() => close());

    it("creates a secret with an AWS-shaped ARN and reads it by name, ARN and partial ARN", async () => {
      const created = await sm.send(new CreateSecretCommand({ Name: "app/db", SecretString: '{"user":"admin"}', Description: "db creds", Tags: [{ Key: "env", Value: "dev" }] }));
      expect(created.ARN).toMatch(ARN);
      expect(ARN.exec(created.ARN!)![1]).toBe("app/db");
      expect(created.VersionId).toMatch(/^[0-9a-f-]{36}$/);
      for (const id of ["app/db", created.ARN!, created.ARN!.slice(0, -7)]) {
        const value = await sm.send(new GetSecretValueCommand({ SecretId: id }));
        expect(value).toMatchObject({ ARN: created.ARN, Name: "app/db", SecretString: '{"user":"admin"}', VersionId: created.VersionId, VersionStages: ["AWSCURRENT"] });
        expect(value.CreatedDate).toBeInstanceOf(Date);
      }
      const described = await sm.send(new DescribeSecretCommand({ SecretId: "app/db" }));
      expect(described).toMatchObject({ ARN: created.ARN, Name: "app/db", Description: "db creds", RotationEnabled: false, Tags: [{ Key: "env", Value: "dev" }], VersionIdsToStages: { [created.VersionId!]: ["AWSCURRENT"] } });
      expect(described.KmsKeyId).toBeUndefined();
      const exists = await errorOf(sm.send(new CreateSecretCommand({ Name: "app/db", SecretString: "x" })));
      expect(exists.name).toBe("ResourceExistsException");
      expect(exists.message).toBe("The operation failed because the secret app/db already exists.");
      const missing = await errorOf(sm.send(new GetSecretValueCommand({ SecretId: "nope" })));
      expect(missing.name).toBe("ResourceNotFoundException");
      expect(missing.message).toBe("Secrets Manager can't find the specified secret.");
      expect((await errorOf(sm.send(new CreateSecretCommand({ Name: "both", SecretString: "x", SecretBinary: new Uint8Array([1]) })))).name).toBe("InvalidParameterException");
      expect((await errorOf(sm.send(new CreateSecretCommand({ Name: "bad name!", SecretString: "x" })))).name).toBe("InvalidParameterException");
    });

    it("binary values, ClientRequestToken idempotency", async () => {
      const token = "11111111-1111-1111-1111-111111111111";
      const created = await sm.send(new CreateSecretCommand({ Name: "bin", SecretBinary: new Uint8Array([0, 1, 2, 255]), ClientRequestToken: token }));
      expect(created.VersionId).toBe(token);
      const again = await sm.send(new CreateSecretCommand({ Name: "bin", SecretBinary: new Uint8Array([0, 1, 2, 255]), ClientRequestToken: token }));
      expect(again.VersionId).toBe(token);
      const value = await sm.send(new GetSecretValueCommand({ SecretId: "bin" }));
      expect(value.SecretBinary).toEqual(new Uint8Array([0, 1, 2, 255]));
      expect(value.SecretString).toBeUndefined();
      const put = await sm.send(new PutSecretValueCommand({ SecretId: "bin", SecretString: "s", ClientRequestToken: "22222222-2222-2222-2222-222222222222" }));
      const retry = await sm.send(new PutSecretValueCommand({ SecretId: "bin", SecretString: "s", ClientRequestToken: "22222222-2222-2222-2222-222222222222" }));
      expect(retry.VersionId).toBe(put.VersionId);
      const changed = await errorOf(sm.send(new PutSecretValueCommand({ SecretId: "bin", SecretString: "other", ClientRequestToken: "22222222-2222-2222-2222-222222222222" })));
      expect(changed.name).toBe("ResourceExistsException");
    });

    it("moves AWSCURRENT/AWSPREVIOUS on new values; custom and AWSPENDING labels; version lookups", async () => {
      const v1 = (await sm.send(new CreateSecretCommand({ Name: "staged", SecretString: "one" }))).VersionId!;
      const v2 = (await sm.send(new PutSecretValueCommand({ SecretId: "staged", SecretString: "two" }))).VersionId!;
      const v3 = await sm.send(new PutSecretValueCommand({ SecretId: "staged", SecretString: "three", VersionStages: ["AWSPENDING"] }));
      expect(v3.VersionStages).toEqual(["AWSPENDING"]);
      let stages = (await sm.send(new DescribeSecretCommand({ SecretId: "staged" }))).VersionIdsToStages;
      expect(stages).toEqual({ [v1]: ["AWSPREVIOUS"], [v2]: ["AWSCURRENT"], [v3.VersionId!]: ["AWSPENDING"] });
      expect((await sm.send(new GetSecretValueCommand({ SecretId: "staged", VersionStage: "AWSPREVIOUS" }))).SecretString).toBe("one");
      expect((await sm.send(new GetSecretValueCommand({ SecretId: "staged", VersionStage: "AWSPENDING" }))).SecretString).toBe("three");
      expect((await sm.send(new GetSecretValueCommand({ SecretId: "staged", VersionId: v1 }))).SecretString).toBe("one");
      expect((await errorOf(sm.send(new GetSecretValueCommand({ SecretId: "staged", VersionStage: "NOPE" })))).message).toBe("Secrets Manager can't find the specified secret value for staging label: NOPE");

      const mustRemove = await errorOf(sm.send(new UpdateSecretVersionStageCommand({ SecretId: "staged", VersionStage: "AWSCURRENT", MoveToVersionId: v3.VersionId })));
      expect(mustRemove.name).toBe("InvalidParameterException");
      await sm.send(new UpdateSecretVersionStageCommand({ SecretId: "staged", VersionStage: "AWSCURRENT", MoveToVersionId: v3.VersionId, RemoveFromVersionId: v2 }));
      await sm.send(new UpdateSecretVersionStageCommand({ SecretId: "staged", VersionStage: "AWSPENDING", RemoveFromVersionId: v3.VersionId }));
      await sm.send(new UpdateSecretVersionStageCommand({ SecretId: "staged", VersionStage: "blue", MoveToVersionId: v1 }));
      stages = (await sm.send(new DescribeSecretCommand({ SecretId: "staged" }))).VersionIdsToStages;
      expect(stages).toEqual({ [v1]: ["blue"], [v2]: ["AWSPREVIOUS"], [v3.VersionId!]: ["AWSCURRENT"] });
      expect((await sm.send(new GetSecretValueCommand({ SecretId: "staged" }))).SecretString).toBe("three");

      const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: "staged" }));
      expect(listed.Versions!.map((v) => v.VersionId).sort()).toEqual([v1, v2, v3.VersionId].sort());
      await sm.send(new UpdateSecretVersionStageCommand({ SecretId: "staged", VersionStage: "blue", RemoveFromVersionId: v1 }));
      expect((await sm.send(new ListSecretVersionIdsCommand({ SecretId: "staged" }))).Versions).toHaveLength(2);
      expect((await sm.send(new ListSecretVersionIdsCommand({ SecretId: "staged", IncludeDeprecated: true }))).Versions).toHaveLength(3);

      const updated = await sm.send(new UpdateSecretCommand({ SecretId: "staged", SecretString: "four", Description: "d" }));
      expect((await sm.send(new GetSecretValueCommand({ SecretId: "staged" })))).toMatchObject({ SecretString: "four", VersionId: updated.VersionId });
      expect((await sm.send(new DescribeSecretCommand({ SecretId: "staged" }))).Description).toBe("d");
    });

    it("encrypts with the named KMS key; a missing key or a disabled key fails as AWS fails", async () => {
      const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
      await sm.send(new CreateSecretCommand({ Name: "kms-secret", SecretString: "encrypted", KmsKeyId: keyId }));
      expect((await sm.send(new DescribeSecretCommand({ SecretId: "kms-secret" }))).KmsKeyId).toBe(keyId);
      expect((await sm.send(new GetSecretValueCommand({ SecretId: "kms-secret" }))).SecretString).toBe("encrypted");
      await kms.send(new DisableKeyCommand({ KeyId: keyId }));
      expect((await errorOf(sm.send(new GetSecretValueCommand({ SecretId: "kms-secret" })))).name).toBe("DecryptionFailure");
      expect((await errorOf(sm.send(new PutSecretValueCommand({ SecretId: "kms-secret", SecretString: "x" })))).name).toBe("EncryptionFailure");
      await kms.send(new EnableKeyCommand({ KeyId: keyId }));
      expect((await sm.send(new GetSecretValueCommand({ SecretId: "kms-secret" }))).SecretString).toBe("encrypted");
      const missing = await errorOf(sm.send(new CreateSecretCommand({ Name: "no-key", SecretString: "x", KmsKeyId: "alias/missing" })));
      expect(missing.name).toBe("InvalidParameterException");
    });

    it("deletes with a recovery window, restores, force-deletes; the window ends on the clock", async () => {
      await sm.send(new CreateSecretCommand({ Name: "doomed", SecretString: "x" }));
      const deleted = await sm.send(new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 7 }));
      expect(deleted.DeletionDate).toBeInstanceOf(Date);
      expect((await sm.send(new DescribeSecretCommand({ SecretId: "doomed" }))).DeletedDate).toBeInstanceOf(Date);
      const marked = await errorOf(sm.send(new GetSecretValueCommand({ SecretId: "doomed" })));
      expect(marked.name).toBe("InvalidRequestException");
      expect(marked.message).toBe("You can't perform this operation on the secret because it was marked for deletion.");
      expect((await errorOf(sm.send(new CreateSecretCommand({ Name: "doomed", SecretString: "y" })))).name).toBe("InvalidRequestException");
      const names = async (all: boolean) => (await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: all }))).SecretList!.map((s) => s.Name);
      expect(await names(false)).not.toContain("doomed");
      expect(await names(true)).toContain("doomed");
      await sm.send(new RestoreSecretCommand({ SecretId: "doomed" }));
      expect((await sm.send(new GetSecretValueCommand({ SecretId: "doomed" }))).SecretString).toBe("x");
      expect((await errorOf(sm.send(new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 3 })))).name).toBe("InvalidParameterException");
      expect((await errorOf(sm.send(new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true })))).name).toBe("InvalidParameterException");
      if (clock) {
        await sm.send(new DeleteSecretCommand({ SecretId: "doomed", RecoveryWindowInDays: 7 }));
        await clock.advance(7 * DAY - 1);
        expect((await sm.send(new DescribeSecretCommand({ SecretId: "doomed" }))).Name).toBe("doomed");
        await clock.advance(1);
        expect((await errorOf(sm.send(new DescribeSecretCommand({ SecretId: "doomed" })))).name).toBe("ResourceNotFoundException");
        await sm.send(new CreateSecretCommand({ Name: "doomed", SecretString: "again" }));
      }
      await sm.send(new DeleteSecretCommand({ SecretId: "doomed", ForceDeleteWithoutRecovery: true }));
      expect((await errorOf(sm.send(new DescribeSecretCommand({ SecretId: "doomed" })))).name).toBe("ResourceNotFoundException");
    });

    it("lists with filters, sort order and pages", async () => {
      for (const n of ["list/a", "list/b", "list/c"]) {
        await sm.send(new CreateSecretCommand({ Name: n, SecretString: n, Description: `about ${n}`, Tags: [{ Key: "team", Value: n === "list/b" ? "blue" : "red" }] }));
        if (clock) await clock.advance(1000);
      }
      const byName = await sm.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["list/"] }], SortOrder: "asc", SortBy: "name" }));
      expect(byName.SecretList!.map((s) => s.Name)).toEqual(["list/a", "list/b", "list/c"]);
      expect(byName.SecretList![0].SecretVersionsToStages).toBeDefined();
      const blue = await sm.send(new ListSecretsCommand({ Filters: [{ Key: "tag-value", Values: ["blue"] }] }));
      expect(blue.SecretList!.map((s) => s.Name)).toEqual(["list/b"]);
      const notBlue = await sm.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: ["list/"] }, { Key: "tag-value", Values: ["!blue"] }], SortBy: "name", SortOrder: "desc" }));
      expect(notBlue.SecretList!.map((s) => s.Name)).toEqual(["list/c", "list/a"]);
      const all = await sm.send(new ListSecretsCommand({ Filters: [{ Key: "all", Values: ["ABOUT list/c"] }] }));
      expect(all.SecretList!.map((s) => s.Name)).toEqual(["list/c"]);
      const seen: string[] = [];
      let NextToken: string | undefined;
      do {
        const page = await sm.send(new ListSecretsCommand({ MaxResults: 2, NextToken, Filters: [{ Key: "name", Values: ["list/"] }] }));
        expect(page.SecretList!.length).toBeLessThanOrEqual(2);
        seen.push(...page.SecretList!.map((s) => s.Name!));
        NextToken = page.NextToken;
      } while (NextToken);
      expect(seen.sort()).toEqual(["list/a", "list/b", "list/c"]);
      expect((await errorOf(sm.send(new ListSecretsCommand({ NextToken: "garbage!" })))).name).toBe("InvalidNextTokenException");

      const batch = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ["list/a", "list/missing"] }));
      expect(batch.SecretValues!.map((v) => v.SecretString)).toEqual(["list/a"]);
      expect(batch.Errors).toEqual([{ SecretId: "list/missing", ErrorCode: "ResourceNotFoundException", Message: "Secrets Manager can't find the specified secret." }]);
      const filtered = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: "tag-value", Values: ["red"] }] }));
      expect(filtered.SecretValues!.map((v) => v.Name).sort()).toEqual(["list/a", "list/c"]);
      expect((await errorOf(sm.send(new BatchGetSecretValueCommand({ SecretIdList: ["a"], Filters: [{ Key: "name", Values: ["a"] }] })))).name).toBe("InvalidParameterException");
    });

    it("tags, resource policies, validation", async () => {
      await sm.send(new CreateSecretCommand({ Name: "tagged", SecretString: "x" }));
      await sm.send(new TagResourceCommand({ SecretId: "tagged", Tags: [{ Key: "a", Value: "1" }, { Key: "b", Value: "2" }] }));
      await sm.send(new UntagResourceCommand({ SecretId: "tagged", TagKeys: ["a"] }));
      expect((await sm.send(new DescribeSecretCommand({ SecretId: "tagged" }))).Tags).toEqual([{ Key: "b", Value: "2" }]);
      const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] });
      await sm.send(new PutResourcePolicyCommand({ SecretId: "tagged", ResourcePolicy: policy }));
      expect((await sm.send(new GetResourcePolicyCommand({ SecretId: "tagged" }))).ResourcePolicy).toBe(policy);
      const open = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:*", Resource: "*" }] });
      expect((await errorOf(sm.send(new PutResourcePolicyCommand({ SecretId: "tagged", ResourcePolicy: open, BlockPublicPolicy: true })))).name).toBe("PublicPolicyException");
      expect((await errorOf(sm.send(new PutResourcePolicyCommand({ SecretId: "tagged", ResourcePolicy: "{" })))).name).toBe("MalformedPolicyDocumentException");
      expect((await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: policy }))).PolicyValidationPassed).toBe(true);
      expect((await sm.send(new ValidateResourcePolicyCommand({ ResourcePolicy: open }))).PolicyValidationPassed).toBe(false);
      await sm.send(new DeleteResourcePolicyCommand({ SecretId: "tagged" }));
      expect((await sm.send(new GetResourcePolicyCommand({ SecretId: "tagged" }))).ResourcePolicy).toBeUndefined();
    });

    it("GetRandomPassword honours every option", async () => {
      const plain = (await sm.send(new GetRandomPasswordCommand({}))).RandomPassword!;
      expect(plain).toHaveLength(32);
      const digits = (await sm.send(new GetRandomPasswordCommand({ PasswordLength: 50, ExcludeLowercase: true, ExcludeUppercase: true, ExcludePunctuation: true }))).RandomPassword!;
      expect(digits).toMatch(/^[0-9]{50}$/);
      const spaced = (await sm.send(new GetRandomPasswordCommand({ PasswordLength: 4, ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true, IncludeSpace: true }))).RandomPassword!;
      expect(spaced).toBe("    ");
      const each = (await sm.send(new GetRandomPasswordCommand({ PasswordLength: 4, ExcludePunctuation: true, IncludeSpace: true, ExcludeCharacters: "abc" }))).RandomPassword!;
      expect(each).toMatch(/[d-z]/);
      expect(each).toMatch(/[A-Z]/);
      expect(each).toMatch(/[0-9]/);
      expect(each).toMatch(/ /);
      const excluded = (await sm.send(new GetRandomPasswordCommand({ PasswordLength: 200, ExcludeCharacters: "aeiouAEIOU0!" }))).RandomPassword!;
      expect(excluded).not.toMatch(/[aeiouAEIOU0!]/);
      expect((await errorOf(sm.send(new GetRandomPasswordCommand({ ExcludeLowercase: true, ExcludeUppercase: true, ExcludeNumbers: true, ExcludePunctuation: true })))).name).toBe("InvalidParameterException");
      expect((await errorOf(sm.send(new GetRandomPasswordCommand({ PasswordLength: 4097 })))).name).toBe("ValidationException");
    });

    it("rotation configuration; replication as state", async () => {
      await sm.send(new CreateSecretCommand({ Name: "rotating", SecretString: "x" }));
      expect((await errorOf(sm.send(new RotateSecretCommand({ SecretId: "rotating" })))).name).toBe("InvalidRequestException");
      const lambda = "arn:aws:lambda:us-east-1:000000000000:function:rotator";
      await sm.send(new RotateSecretCommand({ SecretId: "rotating", RotationLambdaARN: lambda, RotationRules: { AutomaticallyAfterDays: 30 }, RotateImmediately: false }));
      const described = await sm.send(new DescribeSecretCommand({ SecretId: "rotating" }));
      expect(described).toMatchObject({ RotationEnabled: true, RotationLambdaARN: lambda, RotationRules: { AutomaticallyAfterDays: 30 } });
      expect(described.NextRotationDate!.getTime()).toBe(described.CreatedDate!.getTime() + 30 * DAY);
      await sm.send(new CancelRotateSecretCommand({ SecretId: "rotating" }));
      expect((await sm.send(new DescribeSecretCommand({ SecretId: "rotating" }))).RotationEnabled).toBe(false);

      const replicated = await sm.send(new ReplicateSecretToRegionsCommand({ SecretId: "rotating", AddReplicaRegions: [{ Region: "eu-west-1" }] }));
      expect(replicated.ReplicationStatus).toEqual([{ Region: "eu-west-1", KmsKeyId: "alias/aws/secretsmanager", Status: "InSync", StatusMessage: "Replication succeeded" }]);
      expect((await sm.send(new DescribeSecretCommand({ SecretId: "rotating" }))).ReplicationStatus).toHaveLength(1);
      // Promoting is for a replica; on the primary it is refused, and an unknown secret is not found.
      const onPrimary = await errorOf(sm.send(new StopReplicationToReplicaCommand({ SecretId: "rotating" })));
      expect(onPrimary.name).toBe("InvalidRequestException");
      expect(onPrimary.message).toMatch(/replica/);
      expect((await errorOf(sm.send(new StopReplicationToReplicaCommand({ SecretId: "no-such-secret" })))).name).toBe("ResourceNotFoundException");
      expect((await errorOf(sm.send(new DeleteSecretCommand({ SecretId: "rotating" })))).name).toBe("InvalidRequestException");
      const removed = await sm.send(new RemoveRegionsFromReplicationCommand({ SecretId: "rotating", RemoveReplicaRegions: ["eu-west-1"] }));
      expect(removed.ReplicationStatus).toEqual([]);
    });
  });
}
