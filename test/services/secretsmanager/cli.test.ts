/**
 * Every Secrets Manager operation through AWS CLI v1 and AWS CLI v2 (one long-lived session per
 * CLI, see test/helpers/cli-session.ts) against the Node server: values read back (string and
 * binary), labels moved, a real KMS key whose disabling makes reads fail, passwords checked
 * character by character, policies, replication state, deletion and recovery, and RotateSecret
 * running a real Python rotation Lambda created through the same CLI. AWS CLI v2.9 predates
 * batch-get-secret-value: it must refuse it as an unknown command, so a newer CLI fails this test
 * until it walks that operation too.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../../helpers/clients.ts";
import { cliSession, startCli, type CliSession } from "../../helpers/cli-session.ts";
import { zip } from "../lambda/zips.ts";
import model from "../../../models/secretsmanager.json" with { type: "json" };
import { PY_ROTATOR } from "./rotator.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const command = (operation: string) => operation.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
const PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~";

// One CLI after the other: with both rotations at once under load, a rotation step has been seen
// to fail (FunctionError, AWSCURRENT not moved); not yet explained.
describe("Secrets Manager through the AWS CLIs, every operation", () => {
  for (const version of ["v1", "v2"] as const) {
    if (!cliSession[version]) console.warn(`skipping Secrets Manager CLI ${version} walkthrough: ${cliSession.reason(version)}`);
    // Skipped only when that AWS CLI is not installed; the reason is printed above.
    it.skipIf(!cliSession[version])(`AWS CLI ${version} walks every operation it has`, async () => {
      const cli: CliSession = startCli(version, server.url);
      const dir = mkdtempSync(join(tmpdir(), `fetchstack-sm-${version}-`));
      const ran = new Set<string>();
      const file = (name: string, data: Uint8Array | string) => {
        const path = join(dir, name);
        writeFileSync(path, data);
        return `fileb://${path}`;
      };
      const sm = (args: string[]) => {
        ran.add(args[0]);
        return cli.ok(["secretsmanager", ...args]);
      };
      const code = async (args: string[]) => {
        ran.add(args[0]);
        const result = await cli.run(["secretsmanager", ...args]);
        expect(result.code, result.stderr).not.toBe(0);
        return result.errorCode;
      };
      const name = `cli-${version}/db`;
      try {
        // Create with a customer key; idempotent token; binary values.
        const key = (await cli.ok(["kms", "create-key"])).KeyMetadata;
        const token = "11111111-1111-1111-1111-111111111111";
        const created = await sm(["create-secret", "--name", name, "--secret-string", '{"user":"admin"}', "--kms-key-id", key.Arn, "--description", "db",
          "--client-request-token", token, "--tags", "Key=env,Value=dev"]);
        expect(created.ARN).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-1:000000000000:secret:cli-${version}/db-[A-Za-z0-9]{6}$`));
        expect(created.VersionId).toBe(token);
        expect((await sm(["put-secret-value", "--secret-id", name, "--client-request-token", token, "--secret-string", '{"user":"admin"}'])).VersionId).toBe(token);
        expect(await code(["put-secret-value", "--secret-id", name, "--client-request-token", token, "--secret-string", "other"])).toBe("ResourceExistsException");
        expect(await code(["create-secret", "--name", name, "--secret-string", "x"])).toBe("ResourceExistsException");
        const binary = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
        await sm(["create-secret", "--name", `${name}-bin`, "--secret-binary", file("bin", binary)]);
        expect(Buffer.from((await sm(["get-secret-value", "--secret-id", `${name}-bin`])).SecretBinary, "base64").equals(binary)).toBe(true);
        expect(await sm(["get-secret-value", "--secret-id", created.ARN])).toMatchObject({ Name: name, SecretString: '{"user":"admin"}', VersionStages: ["AWSCURRENT"] });

        // Sealed with the KMS key: reads fail while it is disabled.
        await cli.ok(["kms", "disable-key", "--key-id", key.KeyId]);
        expect(await code(["get-secret-value", "--secret-id", name])).toBe("DecryptionFailure");
        await cli.ok(["kms", "enable-key", "--key-id", key.KeyId]);

        // Versions and staging labels.
        const v2 = (await sm(["put-secret-value", "--secret-id", name, "--secret-string", "v2", "--version-stages", "AWSCURRENT", "blue"])).VersionId;
        expect((await sm(["get-secret-value", "--secret-id", name, "--version-stage", "AWSPREVIOUS"])).SecretString).toBe('{"user":"admin"}');
        await sm(["update-secret-version-stage", "--secret-id", name, "--version-stage", "blue", "--move-to-version-id", token, "--remove-from-version-id", v2]);
        expect((await sm(["get-secret-value", "--secret-id", name, "--version-stage", "blue"])).VersionId).toBe(token);
        await sm(["update-secret", "--secret-id", name, "--description", "db 2", "--secret-string", "v3"]);
        expect((await sm(["describe-secret", "--secret-id", name])).Description).toBe("db 2");
        const versions = (await sm(["list-secret-version-ids", "--secret-id", name])).Versions;
        expect(versions.map((v: { VersionStages: string[] }) => v.VersionStages.join()).sort()).toEqual(["AWSCURRENT", "AWSPREVIOUS", "blue"]);

        // Listing with a filter; tags.
        const listed = (await sm(["list-secrets", "--filters", `Key=name,Values=cli-${version}/`])).SecretList.map((s: { Name: string }) => s.Name).sort();
        expect(listed).toEqual([name, `${name}-bin`]);
        await sm(["tag-resource", "--secret-id", name, "--tags", "Key=team,Value=a"]);
        await sm(["untag-resource", "--secret-id", name, "--tag-keys", "env"]);
        expect((await sm(["describe-secret", "--secret-id", name])).Tags).toEqual([{ Key: "team", Value: "a" }]);

        // Passwords.
        const pw: string = (await sm(["get-random-password", "--password-length", "64", "--exclude-characters", "abc", "--require-each-included-type"])).RandomPassword;
        expect(pw).toHaveLength(64);
        expect(pw).not.toMatch(/[abc]/);
        expect([/[A-Z]/, /[a-z]/, /[0-9]/].every((re) => re.test(pw)) && [...pw].some((c) => PUNCTUATION.includes(c))).toBe(true);
        expect((await sm(["get-random-password", "--password-length", "20", "--exclude-punctuation", "--exclude-uppercase", "--exclude-numbers"])).RandomPassword).toMatch(/^[a-z]{20}$/);

        // Resource policies.
        const publicPolicy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" }] });
        const scoped = JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "secretsmanager:GetSecretValue", Resource: "*" }] });
        expect((await sm(["validate-resource-policy", "--resource-policy", publicPolicy])).PolicyValidationPassed).toBe(false);
        expect(await code(["put-resource-policy", "--secret-id", name, "--resource-policy", publicPolicy, "--block-public-policy"])).toBe("PublicPolicyException");
        await sm(["put-resource-policy", "--secret-id", name, "--resource-policy", scoped]);
        expect(JSON.parse((await sm(["get-resource-policy", "--secret-id", name])).ResourcePolicy)).toEqual(JSON.parse(scoped));
        await sm(["delete-resource-policy", "--secret-id", name]);
        expect((await sm(["get-resource-policy", "--secret-id", name])).ResourcePolicy).toBeUndefined();

        // Replication state.
        const replicated = await sm(["replicate-secret-to-regions", "--secret-id", name, "--add-replica-regions", "Region=us-west-2"]);
        expect(replicated.ReplicationStatus.map((r: { Region: string }) => r.Region)).toEqual(["us-west-2"]);
        expect(await code(["stop-replication-to-replica", "--secret-id", name])).toBe("InvalidRequestException");
        expect((await sm(["remove-regions-from-replication", "--secret-id", name, "--remove-replica-regions", "us-west-2"])).ReplicationStatus).toEqual([]);

        // Rotation by a real Python Lambda created through the same CLI.
        const fn = await cli.ok(["lambda", "create-function", "--function-name", `rotator-${version}`, "--runtime", "python3.12", "--role", "arn:aws:iam::000000000000:role/rotator",
          "--handler", "index.handler", "--timeout", "120", "--zip-file", file("rotator.zip", zip({ "index.py": PY_ROTATOR }))]);
        const before = (await sm(["get-secret-value", "--secret-id", name])).VersionId;
        const rotationToken = version === "v1" ? "22222222-2222-2222-2222-222222222222" : "33333333-3333-3333-3333-333333333333";
        const rotated = await sm(["rotate-secret", "--secret-id", name, "--rotation-lambda-arn", fn.FunctionArn, "--client-request-token", rotationToken, "--rotation-rules", "AutomaticallyAfterDays=30"]);
        expect(rotated.VersionId).toBe(rotationToken);
        const current = await sm(["get-secret-value", "--secret-id", name]);
        expect([current.VersionId, current.SecretString.startsWith("rotated-")]).toEqual([rotationToken, true]);
        expect((await sm(["get-secret-value", "--secret-id", name, "--version-stage", "AWSPREVIOUS"])).VersionId).toBe(before);
        expect(await sm(["describe-secret", "--secret-id", name])).toMatchObject({ RotationEnabled: true, RotationRules: { AutomaticallyAfterDays: 30 } });
        await sm(["cancel-rotate-secret", "--secret-id", name]);
        expect((await sm(["describe-secret", "--secret-id", name])).RotationEnabled).toBe(false);

        // Deletion, restore, forced deletion.
        const deleted = await sm(["delete-secret", "--secret-id", name, "--recovery-window-in-days", "7"]);
        expect(deleted.DeletionDate).toBeDefined();
        expect(await code(["get-secret-value", "--secret-id", name])).toBe("InvalidRequestException");
        expect((await sm(["restore-secret", "--secret-id", name])).Name).toBe(name);
        await sm(["delete-secret", "--secret-id", `${name}-bin`, "--force-delete-without-recovery"]);
        expect(await code(["describe-secret", "--secret-id", `${name}-bin`])).toBe("ResourceNotFoundException");

        if (version === "v1") {
          const batch = await sm(["batch-get-secret-value", "--secret-id-list", name, `${name}-none`]);
          expect(batch.SecretValues.map((v: { Name: string; VersionId: string }) => [v.Name, v.VersionId])).toEqual([[name, rotationToken]]);
          expect(batch.Errors.map((e: { SecretId: string; ErrorCode: string }) => [e.SecretId, e.ErrorCode])).toEqual([[`${name}-none`, "ResourceNotFoundException"]]);
        } else {
          // This CLI predates BatchGetSecretValue: it must refuse it as an unknown command.
          const result = await cli.run(["secretsmanager", "batch-get-secret-value", "--secret-id-list", name]);
          expect(result.code).toBe(252);
          expect(result.stderr).toContain("argument operation: Invalid choice, valid choices are:");
          expect(result.stderr.split(/[\s|]+/)).not.toContain("batch-get-secret-value");
        }
        const expected = Object.keys(model.operations).map(command).filter((c) => version === "v1" || c !== "batch-get-secret-value").sort();
        expect([...ran].sort()).toEqual(expected);
      } finally {
        await cli.close();
      }
    }, 300_000);
  }
});
