/**
 * KMS cryptography checked by independent code: node:crypto verifies signatures with the key
 * from GetPublicKey, decrypts with GenerateDataKey's plaintext key, derives the same ECDH secret
 * and computes the same HMAC; ciphertexts round-trip and fail as AWS's do.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, diffieHellman, publicEncrypt, constants, verify as nodeVerify, randomBytes } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  CreateKeyCommand, DecryptCommand, DeriveSharedSecretCommand, DisableKeyCommand, EncryptCommand, GenerateDataKeyCommand,
  GenerateDataKeyPairCommand, GenerateDataKeyPairWithoutPlaintextCommand, GenerateDataKeyWithoutPlaintextCommand, GenerateMacCommand,
  GenerateRandomCommand, GetPublicKeyCommand, KMSClient, ReEncryptCommand, RotateKeyOnDemandCommand, SignCommand,
  VerifyCommand, VerifyMacCommand, type SigningAlgorithmSpec,
} from "@aws-sdk/client-kms";
import { ed25519, ed25519ph } from "@noble/curves/ed25519.js";
import { DeleteImportedKeyMaterialCommand, DescribeKeyCommand, GetParametersForImportCommand, ImportKeyMaterialCommand } from "@aws-sdk/client-kms";
import { createEmulator } from "../../../src/emulator.ts";
import { createManualClock } from "../../../src/clock.ts";
import { inProcess } from "../../helpers/clients.ts";

let kms: KMSClient;
beforeAll(() => {
  kms = new KMSClient(inProcess(createEmulator()));
});

const enc = new TextEncoder();
const errorOf = (p: Promise<unknown>) => p.then(() => { throw new Error("expected an error"); }, (e) => e as { name: string; message: string; $metadata: { httpStatusCode?: number } });

async function createKey(KeySpec: string, KeyUsage: string): Promise<string> {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({ KeySpec: KeySpec as never, KeyUsage: KeyUsage as never }));
  return KeyMetadata!.KeyId!;
}

describe("symmetric encryption", () => {
  it("round-trips with encryption context; Decrypt needs no KeyId; a wrong context fails", async () => {
    const keyId = await createKey("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    const context = { purpose: "test", tenant: "a" };
    const encrypted = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: enc.encode("hello"), EncryptionContext: context }));
    expect(encrypted.KeyId).toBe(`arn:aws:kms:us-east-1:000000000000:key/${keyId}`);
    expect(encrypted.EncryptionAlgorithm).toBe("SYMMETRIC_DEFAULT");
    const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { tenant: "a", purpose: "test" } }));
    expect(new TextDecoder().decode(decrypted.Plaintext)).toBe("hello");
    expect(decrypted.KeyId).toBe(encrypted.KeyId);

    const wrong = await errorOf(kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, EncryptionContext: { purpose: "other", tenant: "a" } })));
    expect(wrong.name).toBe("InvalidCiphertextException");
    const missing = await errorOf(kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob })));
    expect(missing.name).toBe("InvalidCiphertextException");
    const tampered = encrypted.CiphertextBlob!.slice();
    tampered[tampered.length - 1] ^= 1;
    expect((await errorOf(kms.send(new DecryptCommand({ CiphertextBlob: tampered, EncryptionContext: context })))).name).toBe("InvalidCiphertextException");
    expect((await errorOf(kms.send(new DecryptCommand({ CiphertextBlob: randomBytes(60) })))).name).toBe("InvalidCiphertextException");

    const other = await createKey("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    const incorrect = await errorOf(kms.send(new DecryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, KeyId: other, EncryptionContext: context })));
    expect(incorrect.name).toBe("IncorrectKeyException");

    const re = await kms.send(new ReEncryptCommand({ CiphertextBlob: encrypted.CiphertextBlob, SourceEncryptionContext: context, DestinationKeyId: other }));
    expect(re.SourceKeyId).toBe(encrypted.KeyId);
    expect(re.KeyId).toBe(`arn:aws:kms:us-east-1:000000000000:key/${other}`);
    const back = await kms.send(new DecryptCommand({ CiphertextBlob: re.CiphertextBlob }));
    expect(new TextDecoder().decode(back.Plaintext)).toBe("hello");
  });

  it("old ciphertexts decrypt after on-demand rotation; new ones use the new material", async () => {
    const keyId = await createKey("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    const before = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: enc.encode("v1") }));
    await kms.send(new RotateKeyOnDemandCommand({ KeyId: keyId }));
    const after = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: enc.encode("v2") }));
    const d1 = await kms.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }));
    const d2 = await kms.send(new DecryptCommand({ CiphertextBlob: after.CiphertextBlob }));
    expect(new TextDecoder().decode(d1.Plaintext)).toBe("v1");
    expect(new TextDecoder().decode(d2.Plaintext)).toBe("v2");
    expect(d1.KeyMaterialId).not.toBe(d2.KeyMaterialId);
  });

  it("rejects plaintext over 4096 bytes and disabled keys", async () => {
    const keyId = await createKey("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    const big = await errorOf(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(4097) })));
    expect(big.name).toBe("ValidationException");
    const ciphertext = (await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: new Uint8Array(4096) }))).CiphertextBlob;
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    const disabled = await errorOf(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: enc.encode("x") })));
    expect(disabled.name).toBe("DisabledException");
    expect(disabled.message).toBe(`arn:aws:kms:us-east-1:000000000000:key/${keyId} is disabled.`);
    expect((await errorOf(kms.send(new DecryptCommand({ CiphertextBlob: ciphertext })))).name).toBe("DisabledException");
  });

  it("GenerateDataKey's plaintext key is a real AES key; its ciphertext decrypts to it", async () => {
    const keyId = await createKey("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, KeySpec: "AES_256", EncryptionContext: { app: "x" } }));
    expect(dataKey.Plaintext).toHaveLength(32);
    // Envelope encryption with node:crypto, key unwrapped by KMS.
    const iv = randomBytes(12);
    const cipher = createCipheriv("aes-256-gcm", dataKey.Plaintext!, iv);
    const sealed = Buffer.concat([cipher.update("secret data"), cipher.final()]);
    const tag = cipher.getAuthTag();
    const unwrapped = await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, EncryptionContext: { app: "x" } }));
    const decipher = createDecipheriv("aes-256-gcm", unwrapped.Plaintext!, iv);
    decipher.setAuthTag(tag);
    expect(Buffer.concat([decipher.update(sealed), decipher.final()]).toString()).toBe("secret data");
    // WebCrypto imports it too.
    const webKey = await crypto.subtle.importKey("raw", dataKey.Plaintext as Uint8Array<ArrayBuffer>, "AES-GCM", false, ["encrypt"]);
    expect(webKey.algorithm).toMatchObject({ name: "AES-GCM", length: 256 });

    const n = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 7 }));
    expect(n.Plaintext).toHaveLength(7);
    const without = await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId: keyId, KeySpec: "AES_128" }));
    expect((without as { Plaintext?: unknown }).Plaintext).toBeUndefined();
    expect((await kms.send(new DecryptCommand({ CiphertextBlob: without.CiphertextBlob }))).Plaintext).toHaveLength(16);
    expect((await errorOf(kms.send(new GenerateDataKeyCommand({ KeyId: keyId })))).name).toBe("ValidationException");
    expect((await kms.send(new GenerateRandomCommand({ NumberOfBytes: 1024 }))).Plaintext).toHaveLength(1024);
  });
});

describe("RSA encryption", () => {
  it("RSAES_OAEP_SHA_1 and _256: node:crypto encrypts with the public key, KMS decrypts", async () => {
    const keyId = await createKey("RSA_2048", "ENCRYPT_DECRYPT");
    const { PublicKey, EncryptionAlgorithms, KeyUsage } = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
    expect(EncryptionAlgorithms).toEqual(["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"]);
    expect(KeyUsage).toBe("ENCRYPT_DECRYPT");
    const publicKey = createPublicKey({ key: Buffer.from(PublicKey!), format: "der", type: "spki" });
    for (const [algorithm, oaepHash] of [["RSAES_OAEP_SHA_1", "sha1"], ["RSAES_OAEP_SHA_256", "sha256"]] as const) {
      const ciphertext = publicEncrypt({ key: publicKey, oaepHash, padding: constants.RSA_PKCS1_OAEP_PADDING }, Buffer.from("rsa " + algorithm));
      const out = await kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: ciphertext, EncryptionAlgorithm: algorithm }));
      expect(Buffer.from(out.Plaintext!).toString()).toBe("rsa " + algorithm);
      const own = await kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: enc.encode("round"), EncryptionAlgorithm: algorithm }));
      expect(own.CiphertextBlob).toHaveLength(256);
      const back = await kms.send(new DecryptCommand({ KeyId: keyId, CiphertextBlob: own.CiphertextBlob, EncryptionAlgorithm: algorithm }));
      expect(Buffer.from(back.Plaintext!).toString()).toBe("round");
    }
    const symmetricAlgorithm = await errorOf(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: enc.encode("x") })));
    expect(symmetricAlgorithm.name).toBe("InvalidKeyUsageException");
  });
});

const SIGNING: [string, SigningAlgorithmSpec[], string][] = [
  ["RSA_2048", ["RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512", "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512"], "rsa"],
  ["RSA_3072", ["RSASSA_PSS_SHA_256", "RSASSA_PKCS1_V1_5_SHA_512"], "rsa"],
  ["ECC_NIST_P256", ["ECDSA_SHA_256"], "ec"],
  ["ECC_NIST_P384", ["ECDSA_SHA_384"], "ec"],
  ["ECC_NIST_P521", ["ECDSA_SHA_512"], "ec"],
  ["ECC_SECG_P256K1", ["ECDSA_SHA_256"], "ec"],
  ["ECC_NIST_EDWARDS25519", ["ED25519_SHA_512"], "ed25519"],
];

describe("Sign and Verify", () => {
  for (const [spec, algorithms, family] of SIGNING) {
    it(`${spec}: signatures verify with node:crypto and the GetPublicKey SPKI (RAW and DIGEST)`, async () => {
      const keyId = await createKey(spec, "SIGN_VERIFY");
      const pub = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
      expect(pub.KeySpec).toBe(spec);
      const publicKey = createPublicKey({ key: Buffer.from(pub.PublicKey!), format: "der", type: "spki" });
      // WebCrypto imports the same SPKI where it knows the curve.
      if (spec === "ECC_NIST_P256") await crypto.subtle.importKey("spki", pub.PublicKey as Uint8Array<ArrayBuffer>, { name: "ECDSA", namedCurve: "P-256" }, false, ["verify"]);
      if (family === "rsa") await crypto.subtle.importKey("spki", pub.PublicKey as Uint8Array<ArrayBuffer>, { name: "RSA-PSS", hash: "SHA-256" }, false, ["verify"]);
      const message = enc.encode(`message for ${spec}`);
      for (const algorithm of algorithms) {
        const hash = family === "ed25519" ? null : `sha${algorithm.slice(-3)}`;
        const raw = await kms.send(new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: algorithm, MessageType: "RAW" }));
        const options = family === "rsa" && algorithm.includes("PSS")
          ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(algorithm.slice(-3)) / 8 }
          : { key: publicKey };
        expect(nodeVerify(hash, message, options, raw.Signature!)).toBe(true);
        expect(nodeVerify(hash, enc.encode("other"), options, raw.Signature!)).toBe(false);
        const ok = await kms.send(new VerifyCommand({ KeyId: keyId, Message: message, Signature: raw.Signature, SigningAlgorithm: algorithm }));
        expect(ok.SignatureValid).toBe(true);
        const bad = await errorOf(kms.send(new VerifyCommand({ KeyId: keyId, Message: enc.encode("tampered"), Signature: raw.Signature, SigningAlgorithm: algorithm })));
        expect(bad.name).toBe("KMSInvalidSignatureException");
        if (hash) {
          const digest = createHash(hash).update(message).digest();
          const signed = await kms.send(new SignCommand({ KeyId: keyId, Message: digest, SigningAlgorithm: algorithm, MessageType: "DIGEST" }));
          expect(nodeVerify(hash, message, options, signed.Signature!)).toBe(true);
          const verified = await kms.send(new VerifyCommand({ KeyId: keyId, Message: digest, MessageType: "DIGEST", Signature: signed.Signature, SigningAlgorithm: algorithm }));
          expect(verified.SignatureValid).toBe(true);
          const short = await errorOf(kms.send(new SignCommand({ KeyId: keyId, Message: digest.subarray(1), SigningAlgorithm: algorithm, MessageType: "DIGEST" })));
          expect(short.name).toBe("ValidationException");
        }
      }
      const wrong = await errorOf(kms.send(new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: family === "rsa" ? "ECDSA_SHA_256" : "RSASSA_PSS_SHA_256" })));
      expect(wrong.name).toBe("InvalidKeyUsageException");
      const encrypt = await errorOf(kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: message })));
      expect(encrypt.name).toBe("InvalidKeyUsageException");
    });
  }

  it("RSA_4096 signs", async () => {
    const keyId = await createKey("RSA_4096", "SIGN_VERIFY");
    const pub = await kms.send(new GetPublicKeyCommand({ KeyId: keyId }));
    const signed = await kms.send(new SignCommand({ KeyId: keyId, Message: enc.encode("m"), SigningAlgorithm: "RSASSA_PKCS1_V1_5_SHA_256" }));
    expect(signed.Signature).toHaveLength(512);
    expect(nodeVerify("sha256", enc.encode("m"), createPublicKey({ key: Buffer.from(pub.PublicKey!), format: "der", type: "spki" }), signed.Signature!)).toBe(true);
  });
});

describe("HMAC, ECDH and data key pairs", () => {
  for (const [spec, algorithm, hash] of [["HMAC_224", "HMAC_SHA_224", "sha224"], ["HMAC_256", "HMAC_SHA_256", "sha256"], ["HMAC_384", "HMAC_SHA_384", "sha384"], ["HMAC_512", "HMAC_SHA_512", "sha512"]] as const) {
    it(`${spec}: GenerateMac/VerifyMac`, async () => {
      const keyId = await createKey(spec, "GENERATE_VERIFY_MAC");
      const { Mac } = await kms.send(new GenerateMacCommand({ KeyId: keyId, Message: enc.encode("msg"), MacAlgorithm: algorithm }));
      expect(Mac).toHaveLength(createHmac(hash, "k").digest().length);
      expect((await kms.send(new VerifyMacCommand({ KeyId: keyId, Message: enc.encode("msg"), MacAlgorithm: algorithm, Mac }))).MacValid).toBe(true);
      const bad = await errorOf(kms.send(new VerifyMacCommand({ KeyId: keyId, Message: enc.encode("msh"), MacAlgorithm: algorithm, Mac })));
      expect(bad.name).toBe("KMSInvalidMacException");
      const other = algorithm === "HMAC_SHA_256" ? "HMAC_SHA_512" : "HMAC_SHA_256";
      expect((await errorOf(kms.send(new GenerateMacCommand({ KeyId: keyId, Message: enc.encode("m"), MacAlgorithm: other })))).name).toBe("InvalidKeyUsageException");
    });
  }

  it("HMAC keys need KeyUsage GENERATE_VERIFY_MAC", async () => {
    const e = await errorOf(kms.send(new CreateKeyCommand({ KeySpec: "HMAC_256" })));
    expect(e.name).toBe("ValidationException");
  });

  it("DeriveSharedSecret matches node:crypto's ECDH with the peer's private key", async () => {
    const keyId = await createKey("ECC_NIST_P256", "KEY_AGREEMENT");
    const peer = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
    const { SharedSecret, KeyAgreementAlgorithm } = await kms.send(new DeriveSharedSecretCommand({
      KeyId: keyId, KeyAgreementAlgorithm: "ECDH", PublicKey: peer.publicKey.export({ format: "der", type: "spki" }),
    }));
    expect(KeyAgreementAlgorithm).toBe("ECDH");
    const ours = createPublicKey({ key: Buffer.from((await kms.send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey!), format: "der", type: "spki" });
    expect(Buffer.from(SharedSecret!).equals(diffieHellman({ privateKey: peer.privateKey, publicKey: ours }))).toBe(true);
    const wrongCurve = generateKeyPairSync("ec", { namedCurve: "secp384r1" }).publicKey.export({ format: "der", type: "spki" });
    expect((await errorOf(kms.send(new DeriveSharedSecretCommand({ KeyId: keyId, KeyAgreementAlgorithm: "ECDH", PublicKey: wrongCurve })))).name).toBe("ValidationException");
  });

  it("GenerateDataKeyPair returns a PKCS#8 private key node:crypto imports, matching the SPKI", async () => {
    const keyId = await createKey("SYMMETRIC_DEFAULT", "ENCRYPT_DECRYPT");
    for (const spec of ["ECC_NIST_P256", "ECC_SECG_P256K1", "RSA_2048", "ECC_NIST_EDWARDS25519"] as const) {
      const pair = await kms.send(new GenerateDataKeyPairCommand({ KeyId: keyId, KeyPairSpec: spec }));
      const privateKey = createPrivateKey({ key: Buffer.from(pair.PrivateKeyPlaintext!), format: "der", type: "pkcs8" });
      const derived = createPublicKey(privateKey).export({ format: "der", type: "spki" });
      expect(Buffer.from(pair.PublicKey!).equals(derived)).toBe(true);
      const unwrapped = await kms.send(new DecryptCommand({ CiphertextBlob: pair.PrivateKeyCiphertextBlob }));
      expect(Buffer.from(unwrapped.Plaintext!).equals(Buffer.from(pair.PrivateKeyPlaintext!))).toBe(true);
    }
    const without = await kms.send(new GenerateDataKeyPairWithoutPlaintextCommand({ KeyId: keyId, KeyPairSpec: "ECC_NIST_P384" }));
    expect((without as { PrivateKeyPlaintext?: unknown }).PrivateKeyPlaintext).toBeUndefined();
    expect(createPublicKey({ key: Buffer.from(without.PublicKey!), format: "der", type: "spki" }).asymmetricKeyDetails?.namedCurve).toBe("secp384r1");
  });
});

describe("Ed25519ph and imported key material", () => {
  it("ED25519_PH_SHA_512 signs RAW and DIGEST messages that @noble's ed25519ph verifies", async () => {
    const keyId = await createKey("ECC_NIST_EDWARDS25519", "SIGN_VERIFY");
    const spki = (await kms.send(new GetPublicKeyCommand({ KeyId: keyId }))).PublicKey!;
    const publicKey = spki.subarray(spki.length - 32);
    const message = enc.encode("prehashed");
    const raw = await kms.send(new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: "ED25519_PH_SHA_512" }));
    expect(ed25519ph.verify(raw.Signature!, message, publicKey)).toBe(true);
    const digest = createHash("sha512").update(message).digest();
    const signed = await kms.send(new SignCommand({ KeyId: keyId, Message: digest, MessageType: "DIGEST", SigningAlgorithm: "ED25519_PH_SHA_512" }));
    expect(ed25519ph.verify(signed.Signature!, message, publicKey)).toBe(true);
    const plain = await kms.send(new SignCommand({ KeyId: keyId, Message: message, SigningAlgorithm: "ED25519_SHA_512" }));
    expect(ed25519.verify(plain.Signature!, message, publicKey)).toBe(true);
    expect((await errorOf(kms.send(new SignCommand({ KeyId: keyId, Message: digest, MessageType: "DIGEST", SigningAlgorithm: "ED25519_SHA_512" })))).name).toBe("ValidationException");
  });

  it("imports symmetric key material wrapped with RSAES_OAEP_SHA_256; ciphertexts decrypt with node:crypto's AES-GCM key; expiry on the clock", async () => {
    const clock = createManualClock();
    const client = new KMSClient(inProcess(createEmulator({ clock })));
    const { KeyMetadata } = await client.send(new CreateKeyCommand({ Origin: "EXTERNAL" }));
    expect(KeyMetadata).toMatchObject({ Origin: "EXTERNAL", KeyState: "PendingImport", Enabled: false });
    const keyId = KeyMetadata!.KeyId!;
    expect((await errorOf(client.send(new EncryptCommand({ KeyId: keyId, Plaintext: enc.encode("x") })))).name).toBe("KMSInvalidStateException");
    const params = await client.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" }));
    expect(params.ParametersValidTo!.getTime()).toBe(clock.now() + 86_400_000);
    const material = randomBytes(32);
    const wrapped = publicEncrypt({ key: createPublicKey({ key: Buffer.from(params.PublicKey!), format: "der", type: "spki" }), oaepHash: "sha256", padding: constants.RSA_PKCS1_OAEP_PADDING }, material);
    const bad = await errorOf(client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: randomBytes(64), EncryptedKeyMaterial: wrapped })));
    expect(bad.name).toBe("InvalidImportTokenException");
    const imported = await client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: params.ImportToken, EncryptedKeyMaterial: wrapped, ExpirationModel: "KEY_MATERIAL_EXPIRES", ValidTo: new Date(clock.now() + 3_600_000) }));
    expect(imported.KeyMaterialId).toMatch(/^[0-9a-f]{64}$/);
    const described = (await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!;
    expect(described).toMatchObject({ KeyState: "Enabled", ExpirationModel: "KEY_MATERIAL_EXPIRES" });
    const ciphertext = (await client.send(new EncryptCommand({ KeyId: keyId, Plaintext: enc.encode("imported") }))).CiphertextBlob!;
    // The blob's tail is IV (12) | ciphertext | tag (16): node:crypto opens it with the material we imported.
    const body = ciphertext.subarray(ciphertext.length - 12 - 8 - 16);
    const header = ciphertext.subarray(0, ciphertext.length - body.length);
    const decipher = createDecipheriv("aes-256-gcm", material, body.subarray(0, 12));
    decipher.setAAD(Buffer.concat([header, Buffer.from("[]")]));
    decipher.setAuthTag(body.subarray(body.length - 16));
    expect(Buffer.concat([decipher.update(body.subarray(12, body.length - 16)), decipher.final()]).toString()).toBe("imported");

    await clock.advance(3_600_000);
    expect((await client.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState).toBe("PendingImport");
    const again = await client.send(new GetParametersForImportCommand({ KeyId: keyId, WrappingAlgorithm: "RSAES_OAEP_SHA_1", WrappingKeySpec: "RSA_3072" }));
    const pub = createPublicKey({ key: Buffer.from(again.PublicKey!), format: "der", type: "spki" });
    const other = publicEncrypt({ key: pub, oaepHash: "sha1", padding: constants.RSA_PKCS1_OAEP_PADDING }, randomBytes(32));
    expect((await errorOf(client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: again.ImportToken, EncryptedKeyMaterial: other })))).name).toBe("IncorrectKeyMaterialException");
    const same = publicEncrypt({ key: pub, oaepHash: "sha1", padding: constants.RSA_PKCS1_OAEP_PADDING }, material);
    await client.send(new ImportKeyMaterialCommand({ KeyId: keyId, ImportToken: again.ImportToken, EncryptedKeyMaterial: same }));
    expect(new TextDecoder().decode((await client.send(new DecryptCommand({ CiphertextBlob: ciphertext }))).Plaintext)).toBe("imported");
    await client.send(new DeleteImportedKeyMaterialCommand({ KeyId: keyId }));
    expect((await errorOf(client.send(new DecryptCommand({ CiphertextBlob: ciphertext })))).name).toBe("KMSInvalidStateException");
    const native = (await client.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    expect((await errorOf(client.send(new GetParametersForImportCommand({ KeyId: native, WrappingAlgorithm: "RSAES_OAEP_SHA_256", WrappingKeySpec: "RSA_2048" })))).name).toBe("UnsupportedOperationException");
  });
});
