/**
 * Secret values are envelope-encrypted as Secrets Manager does: a data key from KMS
 * GenerateDataKey (the secret's KmsKeyId, else `alias/aws/secretsmanager`, which KMS creates on
 * first use) with the encryption context {SecretARN, SecretVersionId}, the value sealed with it in
 * AES-256-GCM. Reads ask KMS to Decrypt the data key. KMS errors become Secrets Manager's.
 * Source: https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
 */
import { base64 } from "@scure/base";
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";
import type { SecretRecord, StoredVersion } from "./secrets.ts";

export const DEFAULT_KEY = "alias/aws/secretsmanager";

const bs = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>;

function kmsFailure(error: unknown, kind: "EncryptionFailure" | "DecryptionFailure", keyId: string): never {
  if (!isAwsError(error)) throw error;
  if (error.code === "NotFoundException" && kind === "EncryptionFailure") {
    throw new AwsError("InvalidParameterException", `The KMS key ${keyId} can't be found: ${error.message}`, 400);
  }
  if (error.code === "DisabledException" || error.code === "KMSInvalidStateException" || error.code === "InvalidKeyUsageException" || error.code === "NotFoundException") {
    const verb = kind === "EncryptionFailure" ? "encrypt" : "decrypt";
    throw new AwsError(kind, `Secrets Manager can't ${verb} the protected secret text using the provided KMS key: ${error.message}`, 400);
  }
  throw error;
}

export interface SecretValue {
  SecretString?: string;
  SecretBinary?: Uint8Array;
}

/** Encrypts a value for a new version of `secret`. */
export async function encryptValue(
  ctx: RequestContext,
  secret: Pick<SecretRecord, "arn" | "kmsKeyId">,
  versionId: string,
  value: SecretValue,
): Promise<Pick<StoredVersion, "kind" | "encryptedKey" | "iv" | "ciphertext" | "kmsKeyArn">> {
  const keyId = secret.kmsKeyId ?? DEFAULT_KEY;
  let dataKey: Record<string, unknown>;
  try {
    dataKey = await ctx.invoke("kms", "GenerateDataKey", { KeyId: keyId, KeySpec: "AES_256", EncryptionContext: { SecretARN: secret.arn, SecretVersionId: versionId } });
  } catch (error) {
    kmsFailure(error, "EncryptionFailure", keyId);
  }
  const plaintext = value.SecretString !== undefined ? new TextEncoder().encode(value.SecretString) : value.SecretBinary!;
  const key = await crypto.subtle.importKey("raw", bs(dataKey.Plaintext as Uint8Array), "AES-GCM", false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, bs(plaintext)));
  return {
    kind: value.SecretString !== undefined ? "string" : "binary",
    encryptedKey: base64.encode(dataKey.CiphertextBlob as Uint8Array),
    iv: base64.encode(iv),
    ciphertext: base64.encode(ciphertext),
    kmsKeyArn: dataKey.KeyId as string,
  };
}

export async function decryptValue(ctx: RequestContext, secret: Pick<SecretRecord, "arn">, version: StoredVersion): Promise<SecretValue> {
  let dataKey: Record<string, unknown>;
  try {
    dataKey = await ctx.invoke("kms", "Decrypt", {
      CiphertextBlob: base64.decode(version.encryptedKey),
      KeyId: version.kmsKeyArn,
      EncryptionContext: { SecretARN: secret.arn, SecretVersionId: version.versionId },
    });
  } catch (error) {
    kmsFailure(error, "DecryptionFailure", version.kmsKeyArn);
  }
  const key = await crypto.subtle.importKey("raw", bs(dataKey.Plaintext as Uint8Array), "AES-GCM", false, ["decrypt"]);
  const plaintext = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: bs(base64.decode(version.iv)) }, key, bs(base64.decode(version.ciphertext))));
  return version.kind === "string" ? { SecretString: new TextDecoder().decode(plaintext) } : { SecretBinary: plaintext };
}

/** Checks that a KmsKeyId names a usable key before a secret is created without a value. */
export async function checkKey(ctx: RequestContext, keyId: string): Promise<void> {
  try {
    await ctx.invoke("kms", "DescribeKey", { KeyId: keyId });
  } catch (error) {
    kmsFailure(error, "EncryptionFailure", keyId);
  }
}
