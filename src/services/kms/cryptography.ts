/**
 * KMS's cryptographic operations: Encrypt, Decrypt, ReEncrypt, GenerateDataKey(Pair)
 * (WithoutPlaintext), GenerateRandom, Sign, Verify, GetPublicKey, GenerateMac, VerifyMac,
 * DeriveSharedSecret.
 * Source: https://docs.aws.amazon.com/kms/latest/APIReference/API_Operations.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { open, parseBlob, seal } from "./ciphertext.ts";
import {
  digestLength, ecdh, equalBytes, generateMaterial, mac, privateKeyPkcs8, publicKeyOf, randomBytes,
  rsaOaepDecrypt, rsaOaepEncrypt, sign, verify, type Material,
} from "./crypto.ts";
import { currentVersion, loadKey, requireUsable, requireUsage, resolveKey, type KeyRecord } from "./keys.ts";
import { algorithmsFor, oaepMaxPlaintext, SPECS, UNSUPPORTED_SPECS } from "./specs.ts";
import { connectionState, getKeyStore } from "./key-store-state.ts";

type Context = Record<string, string> | undefined;

function dryRun(input: { DryRun?: boolean }): void {
  if (input.DryRun) throw new AwsError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.", 412);
}

function invalidCiphertext(): AwsError {
  return new AwsError("InvalidCiphertextException", "", 400);
}

function validation(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

function checkAlgorithm(key: KeyRecord, list: string[] | undefined, algorithm: string): void {
  if (!list?.includes(algorithm)) {
    throw new AwsError("InvalidKeyUsageException", `Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`, 400);
  }
}

/** A usable key for `usage`, resolved from any form of key id. */
async function usableKey(ctx: RequestContext, id: string, usage: KeyRecord["keyUsage"], operation: string): Promise<KeyRecord> {
  const { key } = await resolveKey(ctx, id);
  requireUsable(key);
  requireUsage(key, usage, operation);
  return key;
}

async function encryptWith(key: KeyRecord, algorithm: string, plaintext: Uint8Array, context: Context): Promise<{ blob: Uint8Array; materialId?: string }> {
  checkAlgorithm(key, SPECS[key.keySpec]?.encryption, algorithm);
  if (key.keySpec === "SYMMETRIC_DEFAULT") {
    const version = currentVersion(key);
    const material = version.material as Material & { kind: "aes" };
    return { blob: await seal(key.keyId, version.id, material.secret, plaintext, context), materialId: version.id };
  }
  if (context && Object.keys(context).length) throw validation("EncryptionContext is not supported with asymmetric KMS keys.");
  const max = oaepMaxPlaintext(key.keySpec, algorithm);
  if (plaintext.length > max) {
    throw validation(`Plaintext of length ${plaintext.length} is too long for ${key.keySpec} with ${algorithm}; at most ${max} bytes.`);
  }
  return { blob: await rsaOaepEncrypt(currentVersion(key).material as Material & { kind: "rsa" }, algorithm, plaintext) };
}

interface Decrypted {
  key: KeyRecord;
  plaintext: Uint8Array;
  algorithm: string;
  materialId?: string;
}

async function decryptBlob(ctx: RequestContext, blob: Uint8Array, keyId: string | undefined, algorithm: string | undefined, context: Context): Promise<Decrypted> {
  const parsed = parseBlob(blob);
  let key: KeyRecord;
  if (keyId) {
    key = (await resolveKey(ctx, keyId)).key;
    if (key.keySpec === "SYMMETRIC_DEFAULT" && parsed && parsed.keyId !== key.keyId) {
      throw new AwsError("IncorrectKeyException", "The key ID in the request does not identify a CMK that can perform this operation.", 400);
    }
  } else {
    if (!parsed) throw invalidCiphertext();
    const found = await loadKey(ctx.store, parsed.keyId, ctx.clock.now());
    if (!found) throw invalidCiphertext();
    key = found;
  }
  requireUsable(key);
  requireUsage(key, "ENCRYPT_DECRYPT", "Decrypt");
  const used = algorithm ?? "SYMMETRIC_DEFAULT";
  checkAlgorithm(key, SPECS[key.keySpec]?.encryption, used);
  if (key.keySpec === "SYMMETRIC_DEFAULT") {
    if (!parsed) throw invalidCiphertext();
    const version = key.versions.find((v) => v.id === parsed.materialId);
    if (!version) throw invalidCiphertext();
    const plaintext = await open(parsed, (version.material as Material & { kind: "aes" }).secret, context);
    if (!plaintext) throw invalidCiphertext();
    return { key, plaintext, algorithm: used, materialId: version.id };
  }
  if (context && Object.keys(context).length) throw validation("EncryptionContext is not supported with asymmetric KMS keys.");
  const plaintext = await rsaOaepDecrypt(currentVersion(key).material as Material & { kind: "rsa" }, used, blob);
  if (!plaintext) throw invalidCiphertext();
  return { key, plaintext, algorithm: used };
}

function dataKeyBytes(input: { KeySpec?: string; NumberOfBytes?: number }): number {
  if (input.KeySpec && input.NumberOfBytes !== undefined) throw validation("Please specify either number of bytes or key spec.");
  if (input.KeySpec) return input.KeySpec === "AES_128" ? 16 : 32;
  if (input.NumberOfBytes !== undefined) return input.NumberOfBytes;
  throw validation("Please specify either number of bytes or key spec.");
}

async function dataKeyPair(ctx: RequestContext, input: any) {
  const key = await usableKey(ctx, input.KeyId, "ENCRYPT_DECRYPT", "GenerateDataKeyPair");
  if (key.keySpec !== "SYMMETRIC_DEFAULT") throw new AwsError("InvalidKeyUsageException", `${key.arn} key usage is ENCRYPT_DECRYPT but key spec ${key.keySpec} cannot generate data key pairs.`, 400);
  if (UNSUPPORTED_SPECS.has(input.KeyPairSpec)) throw new AwsError("UnsupportedOperationException", `KeyPairSpec ${input.KeyPairSpec} is not supported in this region.`, 400);
  dryRun(input);
  const material = await generateMaterial(input.KeyPairSpec);
  const privateKey = await privateKeyPkcs8(input.KeyPairSpec, material);
  const { blob, materialId } = await encryptWith(key, "SYMMETRIC_DEFAULT", privateKey, input.EncryptionContext);
  return { key, privateKey, publicKey: publicKeyOf(material), blob, materialId };
}

export const cryptographyHandlers: Record<string, Handler> = {
  async Encrypt(input, ctx) {
    const key = await usableKey(ctx, input.KeyId, "ENCRYPT_DECRYPT", "Encrypt");
    const algorithm = input.EncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";
    const { blob } = await encryptWith(key, algorithm, input.Plaintext, input.EncryptionContext);
    dryRun(input);
    return { CiphertextBlob: blob, KeyId: key.arn, EncryptionAlgorithm: algorithm };
  },

  async Decrypt(input, ctx) {
    if (!input.CiphertextBlob) throw validation("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
    const result = await decryptBlob(ctx, input.CiphertextBlob, input.KeyId, input.EncryptionAlgorithm, input.EncryptionContext);
    dryRun(input);
    return {
      KeyId: result.key.arn,
      Plaintext: result.plaintext,
      EncryptionAlgorithm: result.algorithm,
      ...(result.materialId ? { KeyMaterialId: result.materialId } : {}),
    };
  },

  async ReEncrypt(input, ctx) {
    if (!input.CiphertextBlob) throw validation("1 validation error detected: Value null at 'ciphertextBlob' failed to satisfy constraint: Member must not be null");
    const source = await decryptBlob(ctx, input.CiphertextBlob, input.SourceKeyId, input.SourceEncryptionAlgorithm, input.SourceEncryptionContext);
    const destination = await usableKey(ctx, input.DestinationKeyId, "ENCRYPT_DECRYPT", "ReEncrypt");
    const algorithm = input.DestinationEncryptionAlgorithm ?? "SYMMETRIC_DEFAULT";
    const { blob, materialId } = await encryptWith(destination, algorithm, source.plaintext, input.DestinationEncryptionContext);
    dryRun(input);
    return {
      CiphertextBlob: blob,
      SourceKeyId: source.key.arn,
      KeyId: destination.arn,
      SourceEncryptionAlgorithm: source.algorithm,
      DestinationEncryptionAlgorithm: algorithm,
      ...(source.materialId ? { SourceKeyMaterialId: source.materialId } : {}),
      ...(materialId ? { DestinationKeyMaterialId: materialId } : {}),
    };
  },

  async GenerateDataKey(input, ctx) {
    const key = await usableKey(ctx, input.KeyId, "ENCRYPT_DECRYPT", "GenerateDataKey");
    if (key.keySpec !== "SYMMETRIC_DEFAULT") throw new AwsError("InvalidKeyUsageException", `${key.arn} is not a symmetric key; GenerateDataKey requires a symmetric encryption KMS key.`, 400);
    const plaintext = randomBytes(dataKeyBytes(input));
    dryRun(input);
    const { blob, materialId } = await encryptWith(key, "SYMMETRIC_DEFAULT", plaintext, input.EncryptionContext);
    return { CiphertextBlob: blob, Plaintext: plaintext, KeyId: key.arn, KeyMaterialId: materialId };
  },

  async GenerateDataKeyWithoutPlaintext(input, ctx) {
    const key = await usableKey(ctx, input.KeyId, "ENCRYPT_DECRYPT", "GenerateDataKeyWithoutPlaintext");
    if (key.keySpec !== "SYMMETRIC_DEFAULT") throw new AwsError("InvalidKeyUsageException", `${key.arn} is not a symmetric key; GenerateDataKeyWithoutPlaintext requires a symmetric encryption KMS key.`, 400);
    const plaintext = randomBytes(dataKeyBytes(input));
    dryRun(input);
    const { blob, materialId } = await encryptWith(key, "SYMMETRIC_DEFAULT", plaintext, input.EncryptionContext);
    return { CiphertextBlob: blob, KeyId: key.arn, KeyMaterialId: materialId };
  },

  async GenerateDataKeyPair(input, ctx) {
    const pair = await dataKeyPair(ctx, input);
    return {
      PrivateKeyCiphertextBlob: pair.blob,
      PrivateKeyPlaintext: pair.privateKey,
      PublicKey: pair.publicKey,
      KeyId: pair.key.arn,
      KeyPairSpec: input.KeyPairSpec,
      KeyMaterialId: pair.materialId,
    };
  },

  async GenerateDataKeyPairWithoutPlaintext(input, ctx) {
    const pair = await dataKeyPair(ctx, input);
    return { PrivateKeyCiphertextBlob: pair.blob, PublicKey: pair.publicKey, KeyId: pair.key.arn, KeyPairSpec: input.KeyPairSpec, KeyMaterialId: pair.materialId };
  },

  async GenerateRandom(input, ctx) {
    if (input.CustomKeyStoreId) {
      // Random bytes from a CloudHSM key store's cluster: it must be connected; external key stores cannot.
      const record = await getKeyStore(ctx.store, input.CustomKeyStoreId);
      if (record.CustomKeyStoreType === "EXTERNAL_KEY_STORE") {
        throw new AwsError("UnsupportedOperationException", "GenerateRandom is not supported for external key stores.", 400);
      }
      const state = connectionState(record, ctx.clock.now());
      if (state !== "CONNECTED") throw new AwsError("CustomKeyStoreInvalidStateException", `Custom key store ${record.CustomKeyStoreId} is ${state}; it must be CONNECTED.`, 400);
    }
    if (input.NumberOfBytes === undefined) throw validation("1 validation error detected: Value null at 'numberOfBytes' failed to satisfy constraint: Member must not be null");
    return { Plaintext: randomBytes(input.NumberOfBytes) };
  },

  async Sign(input, ctx) {
    const key = await usableKey(ctx, input.KeyId, "SIGN_VERIFY", "Sign");
    const { isDigest } = checkSigning(key, input);
    dryRun(input);
    return { KeyId: key.arn, Signature: sign(key.keySpec, currentVersion(key).material, input.SigningAlgorithm, input.Message, isDigest), SigningAlgorithm: input.SigningAlgorithm };
  },

  async Verify(input, ctx) {
    const key = await usableKey(ctx, input.KeyId, "SIGN_VERIFY", "Verify");
    const { isDigest } = checkSigning(key, input);
    dryRun(input);
    if (!verify(key.keySpec, currentVersion(key).material, input.SigningAlgorithm, input.Message, isDigest, input.Signature)) {
      throw new AwsError("KMSInvalidSignatureException", "", 400);
    }
    return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: input.SigningAlgorithm };
  },

  async GetPublicKey(input, ctx) {
    const { key } = await resolveKey(ctx, input.KeyId);
    requireUsable(key);
    if (key.keySpec === "SYMMETRIC_DEFAULT" || key.keySpec.startsWith("HMAC_")) {
      throw new AwsError("UnsupportedOperationException", `${key.arn} key usage is ${key.keyUsage} and key spec ${key.keySpec}; GetPublicKey needs an asymmetric KMS key.`, 400);
    }
    return {
      KeyId: key.arn,
      PublicKey: publicKeyOf(currentVersion(key).material),
      CustomerMasterKeySpec: key.keySpec,
      KeySpec: key.keySpec,
      KeyUsage: key.keyUsage,
      ...algorithmsFor(key.keySpec, key.keyUsage),
    };
  },

  async GenerateMac(input, ctx) {
    const key = await usableKey(ctx, input.KeyId, "GENERATE_VERIFY_MAC", "GenerateMac");
    checkAlgorithm(key, SPECS[key.keySpec]?.mac, input.MacAlgorithm);
    dryRun(input);
    const material = currentVersion(key).material as Material & { kind: "hmac" };
    return { Mac: mac(input.MacAlgorithm, material.secret, input.Message), MacAlgorithm: input.MacAlgorithm, KeyId: key.arn };
  },

  async VerifyMac(input, ctx) {
    const key = await usableKey(ctx, input.KeyId, "GENERATE_VERIFY_MAC", "VerifyMac");
    checkAlgorithm(key, SPECS[key.keySpec]?.mac, input.MacAlgorithm);
    dryRun(input);
    const material = currentVersion(key).material as Material & { kind: "hmac" };
    if (!equalBytes(mac(input.MacAlgorithm, material.secret, input.Message), input.Mac)) throw new AwsError("KMSInvalidMacException", "", 400);
    return { KeyId: key.arn, MacValid: true, MacAlgorithm: input.MacAlgorithm };
  },

  async DeriveSharedSecret(input, ctx) {
    const key = await usableKey(ctx, input.KeyId, "KEY_AGREEMENT", "DeriveSharedSecret");
    checkAlgorithm(key, SPECS[key.keySpec]?.agreement, input.KeyAgreementAlgorithm);
    let secret: Uint8Array;
    try {
      secret = ecdh(key.keySpec, currentVersion(key).material, input.PublicKey);
    } catch {
      throw validation(`The public key is not a valid ${key.keySpec} public key in DER-encoded X.509 SubjectPublicKeyInfo format.`);
    }
    dryRun(input);
    return { KeyId: key.arn, SharedSecret: secret, KeyAgreementAlgorithm: "ECDH", KeyOrigin: key.origin };
  },
};

function checkSigning(key: KeyRecord, input: { SigningAlgorithm: string; MessageType?: string; Message: Uint8Array }): { isDigest: boolean } {
  checkAlgorithm(key, SPECS[key.keySpec]?.signing, input.SigningAlgorithm);
  const type = input.MessageType ?? "RAW";
  if (type === "EXTERNAL_MU") throw validation("MessageType EXTERNAL_MU is only valid with ML_DSA keys.");
  if (type === "DIGEST") {
    if (input.SigningAlgorithm === "ED25519_SHA_512") throw validation("MessageType DIGEST is not supported with signing algorithm ED25519_SHA_512.");
    if (input.Message.length !== digestLength(input.SigningAlgorithm)) {
      throw validation(`Digest is invalid length for algorithm ${input.SigningAlgorithm}.`);
    }
    return { isDigest: true };
  }
  return { isDigest: false };
}
