/**
 * Every KMS operation through AWS CLI v1 and AWS CLI v2 (one long-lived session per CLI, see
 * test/helpers/cli-session.ts) against the Node server. Output is checked by independent code:
 * `openssl` verifies signatures with the get-public-key DER, encrypts for RSA-OAEP and derives the
 * public key of a data key pair; node:crypto opens AES-GCM with a data key, computes the HMAC of
 * imported material and the ECDH secret. Operations the installed CLI predates (v2.9 has no
 * derive-shared-secret, get-key-last-usage, list-key-rotations, rotate-key-on-demand) must be
 * refused by it as unknown commands, so a newer CLI fails this test until it walks them too.
 */
import { createCipheriv, createDecipheriv, createHmac, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer } from "../../helpers/clients.ts";
import { cliSession, startCli, type CliSession } from "../../helpers/cli-session.ts";
import { run } from "../../helpers/external.ts";
import model from "../../../models/kms.json" with { type: "json" };

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

/** `GenerateDataKeyPair` → `generate-data-key-pair`, as botocore names CLI commands. */
const command = (operation: string) => operation.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
/** Commands AWS CLI v2.9 (Debian's) predates. */
const NEWER_THAN_V2_9 = ["derive-shared-secret", "get-key-last-usage", "list-key-rotations", "rotate-key-on-demand"];
const b64 = (text: string) => Buffer.from(text, "base64");

async function openssl(args: string[]): Promise<string> {
  const result = await run("openssl", args);
  if (result.code !== 0) throw new Error(`openssl ${args.join(" ")}: ${result.stderr}`);
  return result.stdout;
}

// Both CLI versions run at once: each session is one single-threaded Python process.
describe.concurrent("KMS through the AWS CLIs, every operation", () => {
  for (const version of ["v1", "v2"] as const) {
    if (!cliSession[version]) console.warn(`skipping KMS CLI ${version} walkthrough: ${cliSession.reason(version)}`);
    // Skipped only when that AWS CLI is not installed; the reason is printed above.
    it.skipIf(!cliSession[version])(`AWS CLI ${version} walks every operation it has, results checked by openssl and node:crypto`, async () => {
      const cli: CliSession = startCli(version, server.url);
      const dir = mkdtempSync(join(tmpdir(), `fetchstack-kms-${version}-`));
      const ran = new Set<string>();
      const file = (name: string, data: Buffer | string) => {
        const path = join(dir, name);
        writeFileSync(path, data);
        return `fileb://${path}`;
      };
      const path = (name: string) => join(dir, name);
      const kms = (args: string[]) => {
        ran.add(args[0]);
        return cli.ok(["kms", ...args]);
      };
      const code = async (args: string[]) => {
        ran.add(args[0]);
        const result = await cli.run(["kms", ...args]);
        expect(result.code, result.stderr).not.toBe(0);
        return result.errorCode;
      };
      const newer = version === "v1";
      try {
        // Keys, description, tags, enable/disable.
        const key = (await kms(["create-key", "--description", "walk", "--tags", "TagKey=team,TagValue=a"])).KeyMetadata;
        expect(key).toMatchObject({ KeyState: "Enabled", KeySpec: "SYMMETRIC_DEFAULT", KeyUsage: "ENCRYPT_DECRYPT", KeyManager: "CUSTOMER" });
        const kid: string = key.KeyId;
        await kms(["update-key-description", "--key-id", kid, "--description", "walk 2"]);
        expect((await kms(["describe-key", "--key-id", key.Arn])).KeyMetadata.Description).toBe("walk 2");
        expect((await kms(["list-keys"])).Keys.map((k: { KeyId: string }) => k.KeyId)).toContain(kid);
        await kms(["tag-resource", "--key-id", kid, "--tags", "TagKey=env,TagValue=test"]);
        await kms(["untag-resource", "--key-id", kid, "--tag-keys", "team"]);
        expect((await kms(["list-resource-tags", "--key-id", kid])).Tags).toEqual([{ TagKey: "env", TagValue: "test" }]);
        await kms(["disable-key", "--key-id", kid]);
        expect(await code(["encrypt", "--key-id", kid, "--plaintext", file("x", "x")])).toBe("DisabledException");
        await kms(["enable-key", "--key-id", kid]);
        expect(await code(["describe-key", "--key-id", "11111111-2222-3333-4444-555555555555"])).toBe("NotFoundException");

        // Aliases (one name per CLI version: both walks run at once against one server).
        const alias = `alias/walk-${version}`;
        await kms(["create-alias", "--alias-name", alias, "--target-key-id", kid]);
        expect(await code(["create-alias", "--alias-name", alias, "--target-key-id", kid])).toBe("AlreadyExistsException");
        const other: string = (await kms(["create-key"])).KeyMetadata.KeyId;
        await kms(["update-alias", "--alias-name", alias, "--target-key-id", other]);
        expect((await kms(["list-aliases", "--key-id", other])).Aliases.map((a: { AliasName: string }) => a.AliasName)).toEqual([alias]);
        await kms(["delete-alias", "--alias-name", alias]);
        expect(await code(["delete-alias", "--alias-name", alias])).toBe("NotFoundException");

        // Encrypt → decrypt with context, re-encrypt, errors.
        const ct = (await kms(["encrypt", "--key-id", kid, "--plaintext", file("plain", `hello ${version}`), "--encryption-context", "purpose=walk"])).CiphertextBlob;
        const dec = await kms(["decrypt", "--ciphertext-blob", file("ct", b64(ct)), "--encryption-context", "purpose=walk"]);
        expect([b64(dec.Plaintext).toString(), dec.KeyId]).toEqual([`hello ${version}`, key.Arn]);
        expect(await code(["decrypt", "--ciphertext-blob", file("ct", b64(ct))])).toBe("InvalidCiphertextException");
        expect(await code(["encrypt", "--key-id", kid, "--plaintext", file("big", Buffer.alloc(4097))])).toBe("ValidationException");
        const re = await kms(["re-encrypt", "--ciphertext-blob", file("ct", b64(ct)), "--source-encryption-context", "purpose=walk", "--destination-key-id", other]);
        expect(re.SourceKeyId).toBe(key.Arn);
        expect(b64((await kms(["decrypt", "--ciphertext-blob", file("re", b64(re.CiphertextBlob))])).Plaintext).toString()).toBe(`hello ${version}`);

        // Data keys: the plaintext key seals with AES-256-GCM (node:crypto); its blob decrypts to it.
        const dk = await kms(["generate-data-key", "--key-id", kid, "--key-spec", "AES_256"]);
        const iv = randomBytes(12);
        const cipher = createCipheriv("aes-256-gcm", b64(dk.Plaintext), iv);
        const sealed = Buffer.concat([cipher.update("envelope"), cipher.final()]);
        const tag = cipher.getAuthTag();
        const unwrapped = b64((await kms(["decrypt", "--ciphertext-blob", file("dk", b64(dk.CiphertextBlob))])).Plaintext);
        const decipher = createDecipheriv("aes-256-gcm", unwrapped, iv).setAuthTag(tag);
        expect(Buffer.concat([decipher.update(sealed), decipher.final()]).toString()).toBe("envelope");
        const dk2 = await kms(["generate-data-key-without-plaintext", "--key-id", kid, "--number-of-bytes", "16"]);
        expect(dk2.Plaintext).toBeUndefined();
        expect(b64((await kms(["decrypt", "--ciphertext-blob", file("dk2", b64(dk2.CiphertextBlob))])).Plaintext)).toHaveLength(16);
        const pair = await kms(["generate-data-key-pair", "--key-id", kid, "--key-pair-spec", "ECC_NIST_P384"]);
        file("pair.der", b64(pair.PrivateKeyPlaintext));
        await openssl(["pkey", "-inform", "DER", "-in", path("pair.der"), "-pubout", "-outform", "DER", "-out", path("pair-pub.der")]);
        expect(readFileSync(path("pair-pub.der")).equals(b64(pair.PublicKey))).toBe(true);
        const pair2 = await kms(["generate-data-key-pair-without-plaintext", "--key-id", kid, "--key-pair-spec", "RSA_2048"]);
        expect(pair2.PrivateKeyPlaintext).toBeUndefined();
        file("pair2.der", b64((await kms(["decrypt", "--ciphertext-blob", file("pair2ct", b64(pair2.PrivateKeyCiphertextBlob))])).Plaintext));
        await openssl(["pkey", "-inform", "DER", "-in", path("pair2.der"), "-pubout", "-outform", "DER", "-out", path("pair2-pub.der")]);
        expect(readFileSync(path("pair2-pub.der")).equals(b64(pair2.PublicKey))).toBe(true);
        expect(b64((await kms(["generate-random", "--number-of-bytes", "24"])).Plaintext)).toHaveLength(24);

        // RSA encryption: openssl encrypts with the public key, KMS decrypts.
        const rsaEnc: string = (await kms(["create-key", "--key-spec", "RSA_2048", "--key-usage", "ENCRYPT_DECRYPT"])).KeyMetadata.KeyId;
        file("rsa-pub.der", b64((await kms(["get-public-key", "--key-id", rsaEnc])).PublicKey));
        file("to-kms", "to kms");
        await openssl(["pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", path("rsa-pub.der"), "-in", path("to-kms"), "-out", path("oaep"),
          "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256"]);
        const rsaDec = await kms(["decrypt", "--key-id", rsaEnc, "--encryption-algorithm", "RSAES_OAEP_SHA_256", "--ciphertext-blob", `fileb://${path("oaep")}`]);
        expect(b64(rsaDec.Plaintext).toString()).toBe("to kms");

        // Signatures verified by openssl: ECDSA, RSA-PSS over a precomputed digest, Ed25519.
        file("msg", `message ${version}`);
        const ecKey: string = (await kms(["create-key", "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY"])).KeyMetadata.KeyId;
        file("ec-pub.der", b64((await kms(["get-public-key", "--key-id", ecKey])).PublicKey));
        const ecSig = (await kms(["sign", "--key-id", ecKey, "--message", `fileb://${path("msg")}`, "--message-type", "RAW", "--signing-algorithm", "ECDSA_SHA_256"])).Signature;
        file("ec.sig", b64(ecSig));
        expect((await openssl(["dgst", "-sha256", "-verify", path("ec-pub.der"), "-keyform", "DER", "-signature", path("ec.sig"), path("msg")])).trim()).toBe("Verified OK");
        const verified = await kms(["verify", "--key-id", ecKey, "--message", `fileb://${path("msg")}`, "--signature", `fileb://${path("ec.sig")}`, "--signing-algorithm", "ECDSA_SHA_256"]);
        expect(verified.SignatureValid).toBe(true);
        expect(await code(["verify", "--key-id", ecKey, "--message", file("other", "other"), "--signature", `fileb://${path("ec.sig")}`, "--signing-algorithm", "ECDSA_SHA_256"])).toBe("KMSInvalidSignatureException");
        const rsaSign: string = (await kms(["create-key", "--key-spec", "RSA_2048", "--key-usage", "SIGN_VERIFY"])).KeyMetadata.KeyId;
        file("rsa-sign-pub.der", b64((await kms(["get-public-key", "--key-id", rsaSign])).PublicKey));
        await openssl(["dgst", "-sha256", "-binary", "-out", path("msg.sha256"), path("msg")]);
        file("pss.sig", b64((await kms(["sign", "--key-id", rsaSign, "--message", `fileb://${path("msg.sha256")}`, "--message-type", "DIGEST", "--signing-algorithm", "RSASSA_PSS_SHA_256"])).Signature));
        expect((await openssl(["dgst", "-sha256", "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:32", "-verify", path("rsa-sign-pub.der"), "-keyform", "DER", "-signature", path("pss.sig"), path("msg")])).trim()).toBe("Verified OK");
        expect(await code(["encrypt", "--key-id", rsaSign, "--plaintext", file("x", "x")])).toBe("InvalidKeyUsageException");
        const edKey: string = (await kms(["create-key", "--key-spec", "ECC_NIST_EDWARDS25519", "--key-usage", "SIGN_VERIFY"])).KeyMetadata.KeyId;
        file("ed-pub.der", b64((await kms(["get-public-key", "--key-id", edKey])).PublicKey));
        file("ed.sig", b64((await kms(["sign", "--key-id", edKey, "--message", `fileb://${path("msg")}`, "--signing-algorithm", "ED25519_SHA_512"])).Signature));
        expect((await openssl(["pkeyutl", "-verify", "-pubin", "-keyform", "DER", "-inkey", path("ed-pub.der"), "-rawin", "-in", path("msg"), "-sigfile", path("ed.sig")])).trim()).toBe("Signature Verified Successfully");

        // Imported HMAC material (wrapped by openssl), so node:crypto computes the same MAC.
        const hk = (await kms(["create-key", "--key-spec", "HMAC_384", "--key-usage", "GENERATE_VERIFY_MAC", "--origin", "EXTERNAL"])).KeyMetadata;
        expect(hk.KeyState).toBe("PendingImport");
        const params = await kms(["get-parameters-for-import", "--key-id", hk.KeyId, "--wrapping-algorithm", "RSAES_OAEP_SHA_256", "--wrapping-key-spec", "RSA_2048"]);
        const material = randomBytes(48);
        file("wrap.der", b64(params.PublicKey));
        file("material", material);
        await openssl(["pkeyutl", "-encrypt", "-pubin", "-keyform", "DER", "-inkey", path("wrap.der"), "-in", path("material"), "-out", path("wrapped"),
          "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256"]);
        await kms(["import-key-material", "--key-id", hk.KeyId, "--import-token", file("token", b64(params.ImportToken)), "--encrypted-key-material", `fileb://${path("wrapped")}`, "--expiration-model", "KEY_MATERIAL_DOES_NOT_EXPIRE"]);
        const mac = (await kms(["generate-mac", "--key-id", hk.KeyId, "--message", `fileb://${path("msg")}`, "--mac-algorithm", "HMAC_SHA_384"])).Mac;
        expect(b64(mac).equals(createHmac("sha384", material).update(`message ${version}`).digest())).toBe(true);
        expect((await kms(["verify-mac", "--key-id", hk.KeyId, "--message", `fileb://${path("msg")}`, "--mac", file("mac", b64(mac)), "--mac-algorithm", "HMAC_SHA_384"])).MacValid).toBe(true);
        expect(await code(["verify-mac", "--key-id", hk.KeyId, "--message", file("other", "other"), "--mac", `fileb://${path("mac")}`, "--mac-algorithm", "HMAC_SHA_384"])).toBe("KMSInvalidMacException");
        await kms(["delete-imported-key-material", "--key-id", hk.KeyId]);
        expect((await kms(["describe-key", "--key-id", hk.KeyId])).KeyMetadata.KeyState).toBe("PendingImport");

        // Key agreement: the shared secret equals node:crypto's ECDH with KMS's public key.
        const agreement: string = (await kms(["create-key", "--key-spec", "ECC_NIST_P256", "--key-usage", "KEY_AGREEMENT"])).KeyMetadata.KeyId;
        const kmsPublic = createPublicKey({ key: b64((await kms(["get-public-key", "--key-id", agreement])).PublicKey), format: "der", type: "spki" });
        const mine = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
        const mineDer = mine.publicKey.export({ format: "der", type: "spki" });
        if (newer) {
          const shared = await kms(["derive-shared-secret", "--key-id", agreement, "--key-agreement-algorithm", "ECDH", "--public-key", file("mine.der", mineDer)]);
          expect(b64(shared.SharedSecret).equals(diffieHellman({ privateKey: mine.privateKey, publicKey: kmsPublic }))).toBe(true);
        }

        // Grants with a constraint; the grant token works at once.
        const grant = await kms(["create-grant", "--key-id", kid, "--grantee-principal", "arn:aws:iam::000000000000:role/app", "--retiring-principal", "arn:aws:iam::000000000000:role/ops",
          "--operations", "Encrypt", "Decrypt", "--constraints", "EncryptionContextSubset={purpose=walk}", "--name", "walk-grant"]);
        await kms(["encrypt", "--key-id", kid, "--plaintext", file("x", "x"), "--encryption-context", "purpose=walk", "--grant-tokens", grant.GrantToken]);
        expect((await kms(["list-grants", "--key-id", kid])).Grants).toMatchObject([{ GrantId: grant.GrantId, Name: "walk-grant", Operations: ["Encrypt", "Decrypt"], Constraints: { EncryptionContextSubset: { purpose: "walk" } } }]);
        expect((await kms(["list-retirable-grants", "--retiring-principal", "arn:aws:iam::000000000000:role/ops"])).Grants.map((g: { GrantId: string }) => g.GrantId)).toEqual([grant.GrantId]);
        await kms(["retire-grant", "--grant-token", grant.GrantToken]);
        const g2 = await kms(["create-grant", "--key-id", kid, "--grantee-principal", "arn:aws:iam::000000000000:role/app", "--operations", "GenerateDataKey"]);
        await kms(["revoke-grant", "--key-id", kid, "--grant-id", g2.GrantId]);
        expect((await kms(["list-grants", "--key-id", kid])).Grants).toEqual([]);

        // Key policy.
        expect((await kms(["list-key-policies", "--key-id", kid])).PolicyNames).toEqual(["default"]);
        expect(JSON.parse((await kms(["get-key-policy", "--key-id", kid, "--policy-name", "default"])).Policy).Statement[0].Action).toBe("kms:*");
        const policy = JSON.stringify({ Version: "2012-10-17", Statement: [{ Sid: "all", Effect: "Allow", Principal: { AWS: "arn:aws:iam::000000000000:root" }, Action: "kms:*", Resource: "*" }] });
        await kms(["put-key-policy", "--key-id", kid, "--policy-name", "default", "--policy", policy]);
        expect((await kms(["get-key-policy", "--key-id", kid, "--policy-name", "default"])).Policy).toBe(policy);
        expect(await code(["put-key-policy", "--key-id", kid, "--policy-name", "default", "--policy", "{nope"])).toBe("MalformedPolicyDocumentException");

        // Rotation; a ciphertext from before an on-demand rotation still decrypts.
        await kms(["enable-key-rotation", "--key-id", kid]);
        expect((await kms(["get-key-rotation-status", "--key-id", kid])).KeyRotationEnabled).toBe(true);
        if (newer) {
          await kms(["rotate-key-on-demand", "--key-id", kid]);
          expect((await kms(["list-key-rotations", "--key-id", kid])).Rotations.map((r: { RotationType: string }) => r.RotationType)).toEqual(["ON_DEMAND"]);
          expect(b64((await kms(["decrypt", "--ciphertext-blob", file("ct", b64(ct)), "--encryption-context", "purpose=walk"])).Plaintext).toString()).toBe(`hello ${version}`);
        }
        await kms(["disable-key-rotation", "--key-id", kid]);
        expect((await kms(["get-key-rotation-status", "--key-id", kid])).KeyRotationEnabled).toBe(false);

        // Multi-Region: the replica in us-west-2 decrypts the primary's ciphertext.
        const mrk = (await kms(["create-key", "--multi-region"])).KeyMetadata.KeyId;
        const mct = (await kms(["encrypt", "--key-id", mrk, "--plaintext", file("mrk", "across regions")])).CiphertextBlob;
        const replica = (await kms(["replicate-key", "--key-id", mrk, "--replica-region", "us-west-2"])).ReplicaKeyMetadata;
        expect(replica.Arn).toBe(`arn:aws:kms:us-west-2:000000000000:key/${mrk}`);
        expect(b64((await cli.ok(["kms", "decrypt", "--region", "us-west-2", "--ciphertext-blob", file("mct", b64(mct))])).Plaintext).toString()).toBe("across regions");
        await kms(["update-primary-region", "--key-id", mrk, "--primary-region", "us-west-2"]);
        expect((await cli.ok(["kms", "describe-key", "--region", "us-west-2", "--key-id", mrk])).KeyMetadata.MultiRegionConfiguration.MultiRegionKeyType).toBe("PRIMARY");

        // Deletion window and cancel (the key comes back Disabled).
        const scheduled = await kms(["schedule-key-deletion", "--key-id", other, "--pending-window-in-days", "7"]);
        expect([scheduled.KeyState, scheduled.PendingWindowInDays]).toEqual(["PendingDeletion", 7]);
        expect(await code(["encrypt", "--key-id", other, "--plaintext", file("x", "x")])).toBe("KMSInvalidStateException");
        await kms(["cancel-key-deletion", "--key-id", other]);
        expect((await kms(["describe-key", "--key-id", other])).KeyMetadata.KeyState).toBe("Disabled");

        // Custom key stores (state; a connection completes on the clock, so it reads CONNECTING).
        // Given as --cli-input-json: CLI v1 would fetch an https:// parameter value as a URL.
        const store = (await kms(["create-custom-key-store", "--cli-input-json", JSON.stringify({
          CustomKeyStoreName: `walk-${version}`, CustomKeyStoreType: "EXTERNAL_KEY_STORE", XksProxyUriEndpoint: `https://xks-${version}.example.com`,
          XksProxyUriPath: "/kms/xks/v1", XksProxyConnectivity: "PUBLIC_ENDPOINT",
          XksProxyAuthenticationCredential: { AccessKeyId: "ABCDEFGHIJKLMNOPQRSTUV", RawSecretAccessKey: "DXjSUawnel2fr6SKC7G25CNxTyWKE5PF9XX6H/u9pSo=" },
        })])).CustomKeyStoreId;
        await kms(["update-custom-key-store", "--custom-key-store-id", store, "--new-custom-key-store-name", `walk-${version}-2`]);
        await kms(["connect-custom-key-store", "--custom-key-store-id", store]);
        expect((await kms(["describe-custom-key-stores", "--custom-key-store-name", `walk-${version}-2`])).CustomKeyStores).toMatchObject([{ CustomKeyStoreId: store, ConnectionState: "CONNECTING" }]);
        await kms(["disconnect-custom-key-store", "--custom-key-store-id", store]);
        await kms(["delete-custom-key-store", "--custom-key-store-id", store]);
        expect(await code(["describe-custom-key-stores", "--custom-key-store-id", store])).toBe("CustomKeyStoreNotFoundException");

        if (newer) {
          const usage = await kms(["get-key-last-usage", "--key-id", kid]);
          expect(usage.KeyLastUsage.Operation).toBe("Decrypt");
        } else {
          // This CLI predates these operations: it must refuse them as unknown commands.
          for (const missing of NEWER_THAN_V2_9) {
            const result = await cli.run(["kms", missing, "--key-id", kid]);
            expect(result.code, missing).toBe(252);
            expect(result.stderr).toContain("argument operation: Invalid choice, valid choices are:");
            expect(result.stderr.split(/[\s|]+/)).not.toContain(missing);
          }
        }
        const expected = Object.keys(model.operations).map(command).filter((c) => newer || !NEWER_THAN_V2_9.includes(c)).sort();
        expect([...ran].sort()).toEqual(expected);
      } finally {
        await cli.close();
      }
    }, 300_000);
  }
});
