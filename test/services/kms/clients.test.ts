/**
 * KMS, Secrets Manager and SSM Parameter Store through boto3, AWS CLI v1 and AWS CLI v2 against
 * the Node server; KMS output checked with openssl and Python's `cryptography`. Each suite is
 * skipped, with the reason printed, only where that client is absent.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const hasCryptography = python.version !== null && python.cryptography;

if (!python.version) console.warn(`skipping boto3 KMS/Secrets Manager/SSM suite: ${python.reason}`);
else if (!hasCryptography) console.warn("skipping boto3 KMS signature check: python3 has no `cryptography` package");
// Skipped only when python3 with boto3 (and `cryptography`) is absent; the reason is printed.
describe.skipIf(!python.version || !hasCryptography)("boto3", () => {
  it("KMS: encrypt/decrypt with context, ECDSA and RSA-PSS signatures verified by `cryptography`, errors", async () => {
    const out = await boto3(server.url, `
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding
kms = boto3.client("kms", endpoint_url=ENDPOINT, region_name="us-east-1")
key = kms.create_key(Description="py")["KeyMetadata"]
kms.create_alias(AliasName="alias/py", TargetKeyId=key["KeyId"])
ct = kms.encrypt(KeyId="alias/py", Plaintext=b"hello boto3", EncryptionContext={"a": "b"})["CiphertextBlob"]
pt = kms.decrypt(CiphertextBlob=ct, EncryptionContext={"a": "b"})["Plaintext"].decode()
try:
    kms.decrypt(CiphertextBlob=ct, EncryptionContext={"a": "c"})
    wrong = None
except kms.exceptions.InvalidCiphertextException as e:
    wrong = e.response["Error"]["Code"]
ec_key = kms.create_key(KeySpec="ECC_NIST_P384", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
sig = kms.sign(KeyId=ec_key, Message=b"msg", SigningAlgorithm="ECDSA_SHA_384")["Signature"]
pub = serialization.load_der_public_key(kms.get_public_key(KeyId=ec_key)["PublicKey"])
pub.verify(sig, b"msg", ec.ECDSA(hashes.SHA384()))
rsa_key = kms.create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
rsig = kms.sign(KeyId=rsa_key, Message=b"msg", SigningAlgorithm="RSASSA_PSS_SHA_256")["Signature"]
rpub = serialization.load_der_public_key(kms.get_public_key(KeyId=rsa_key)["PublicKey"])
rpub.verify(rsig, b"msg", padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32), hashes.SHA256())
valid = kms.verify(KeyId=rsa_key, Message=b"msg", Signature=rsig, SigningAlgorithm="RSASSA_PSS_SHA_256")["SignatureValid"]
kms.disable_key(KeyId=key["KeyId"])
try:
    kms.encrypt(KeyId=key["KeyId"], Plaintext=b"x")
    disabled = None
except kms.exceptions.DisabledException as e:
    disabled = e.response["Error"]["Message"]
sched = kms.schedule_key_deletion(KeyId=key["KeyId"], PendingWindowInDays=7)
print(json.dumps({"pt": pt, "wrong": wrong, "valid": valid, "disabled": disabled, "state": sched["KeyState"], "arn": key["Arn"]}))
`);
    expect(out).toMatchObject({ pt: "hello boto3", wrong: "InvalidCiphertextException", valid: true, state: "PendingDeletion" });
    expect(out.disabled).toBe(`${out.arn} is disabled.`);
  }, 60_000);

  it("Secrets Manager and SSM: values round-trip, labels, errors", async () => {
    const out = await boto3(server.url, `
sm = boto3.client("secretsmanager", endpoint_url=ENDPOINT, region_name="us-east-1")
arn = sm.create_secret(Name="py/secret", SecretString="s1")["ARN"]
sm.put_secret_value(SecretId="py/secret", SecretString="s2")
prev = sm.get_secret_value(SecretId=arn, VersionStage="AWSPREVIOUS")["SecretString"]
cur = sm.get_secret_value(SecretId="py/secret")["SecretString"]
try:
    sm.get_secret_value(SecretId="py/none")
    missing = None
except sm.exceptions.ResourceNotFoundException as e:
    missing = e.response["Error"]["Message"]
pw = sm.get_random_password(PasswordLength=20, ExcludePunctuation=True)["RandomPassword"]
ssm = boto3.client("ssm", endpoint_url=ENDPOINT, region_name="us-east-1")
ssm.put_parameter(Name="/py/db", Value="pw", Type="SecureString")
enc = ssm.get_parameter(Name="/py/db")["Parameter"]["Value"]
dec = ssm.get_parameter(Name="/py/db", WithDecryption=True)["Parameter"]["Value"]
ssm.put_parameter(Name="/py/db", Value="pw2", Overwrite=True)
ssm.label_parameter_version(Name="/py/db", ParameterVersion=1, Labels=["old"])
old = ssm.get_parameter(Name="/py/db:old", WithDecryption=True)["Parameter"]["Value"]
pages = [p["Name"] for page in ssm.get_paginator("get_parameters_by_path").paginate(Path="/py", Recursive=True) for p in page["Parameters"]]
try:
    ssm.get_parameter(Name="/py/none")
    nf = None
except ssm.exceptions.ParameterNotFound as e:
    nf = e.response["Error"]["Code"]
print(json.dumps({"arn": arn, "prev": prev, "cur": cur, "missing": missing, "pw": pw, "enc": enc, "dec": dec, "old": old, "pages": pages, "nf": nf}))
`);
    expect(out).toMatchObject({ prev: "s1", cur: "s2", missing: "Secrets Manager can't find the specified secret.", dec: "pw", old: "pw", pages: ["/py/db"], nf: "ParameterNotFound" });
    expect(out.arn).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:py\/secret-[A-Za-z0-9]{6}$/);
    expect(out.pw).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(out.enc).not.toBe("pw");
  }, 60_000);
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} KMS/Secrets Manager/SSM suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws); the reason is printed.
  describe.skipIf(!cli)(label, () => {
    const dir = mkdtempSync(join(tmpdir(), "fetchstack-kms-cli-"));
    const aws = async (...args: string[]) => {
      const result = await run(cli!, [...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
      return { ...result, json: result.stdout.trim() ? JSON.parse(result.stdout) : undefined };
    };
    const tag = label.endsWith("v1") ? "v1" : "v2";

    it("kms encrypt → decrypt round trip; sign verified by openssl with the get-public-key DER", async () => {
      const key = await aws("kms", "create-key", "--description", `cli ${tag}`);
      expect(key.stderr).toBe("");
      const keyId = key.json.KeyMetadata.KeyId;
      writeFileSync(join(dir, "plain.txt"), `plain ${tag}`);
      const encrypted = await aws("kms", "encrypt", "--key-id", keyId, "--plaintext", `fileb://${join(dir, "plain.txt")}`, "--encryption-context", "purpose=cli");
      expect(encrypted.stderr).toBe("");
      writeFileSync(join(dir, "cipher.bin"), Buffer.from(encrypted.json.CiphertextBlob, "base64"));
      const decrypted = await aws("kms", "decrypt", "--ciphertext-blob", `fileb://${join(dir, "cipher.bin")}`, "--encryption-context", "purpose=cli");
      expect(decrypted.stderr).toBe("");
      expect(Buffer.from(decrypted.json.Plaintext, "base64").toString()).toBe(`plain ${tag}`);
      expect(decrypted.json.KeyId).toBe(key.json.KeyMetadata.Arn);
      const wrong = await aws("kms", "decrypt", "--ciphertext-blob", `fileb://${join(dir, "cipher.bin")}`);
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toContain("InvalidCiphertextException");

      const signing = (await aws("kms", "create-key", "--key-spec", "ECC_NIST_P256", "--key-usage", "SIGN_VERIFY")).json.KeyMetadata.KeyId;
      const pub = await aws("kms", "get-public-key", "--key-id", signing);
      writeFileSync(join(dir, "pub.der"), Buffer.from(pub.json.PublicKey, "base64"));
      const signed = await aws("kms", "sign", "--key-id", signing, "--message", `fileb://${join(dir, "plain.txt")}`, "--message-type", "RAW", "--signing-algorithm", "ECDSA_SHA_256");
      expect(signed.stderr).toBe("");
      writeFileSync(join(dir, "sig.bin"), Buffer.from(signed.json.Signature, "base64"));
      const verified = await run("openssl", ["dgst", "-sha256", "-verify", join(dir, "pub.der"), "-keyform", "DER", "-signature", join(dir, "sig.bin"), join(dir, "plain.txt")]);
      expect(verified.stdout.trim()).toBe("Verified OK");
    }, 180_000);

    it("secretsmanager create/get; ssm SecureString put/get", async () => {
      const created = await aws("secretsmanager", "create-secret", "--name", `cli/${tag}`, "--secret-string", '{"k":"v"}');
      expect(created.stderr).toBe("");
      const value = await aws("secretsmanager", "get-secret-value", "--secret-id", `cli/${tag}`);
      expect(value.json).toMatchObject({ ARN: created.json.ARN, SecretString: '{"k":"v"}', VersionStages: ["AWSCURRENT"] });
      const put = await aws("ssm", "put-parameter", "--name", `/cli/${tag}`, "--value", "secret", "--type", "SecureString");
      expect(put.json).toEqual({ Version: 1, Tier: "Standard" });
      const got = await aws("ssm", "get-parameter", "--name", `/cli/${tag}`, "--with-decryption");
      expect(got.json.Parameter).toMatchObject({ Name: `/cli/${tag}`, Type: "SecureString", Value: "secret", Version: 1 });
    }, 180_000);
  });
}
