/**
 * SecureString values: envelope-encrypted with a KMS data key (the parameter's KeyId, else
 * `alias/aws/ssm`) through ctx.invoke, with encryption context {PARAMETER_ARN: arn} as Parameter
 * Store uses. The stored value is base64 of `len(key blob) (2 bytes) | key blob | IV | AES-GCM
 * ciphertext`, which GetParameter without decryption returns as the value. KMS failures answer
 * InvalidKeyId, as Parameter Store does.
 * Source: https://docs.aws.amazon.com/kms/latest/developerguide/services-parameter-store.html
 */
import { base64 } from "@scure/base";
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";

export const DEFAULT_KEY = "alias/aws/ssm";
const bs = (bytes: Uint8Array) => bytes as Uint8Array<ArrayBuffer>;

function invalidKey(error: unknown): never {
  if (isAwsError(error) && ["NotFoundException", "DisabledException", "KMSInvalidStateException", "InvalidKeyUsageException", "InvalidCiphertextException", "IncorrectKeyException"].includes(error.code)) {
    throw new AwsError("InvalidKeyId", error.message || `KMS ${error.code}`, 400);
  }
  throw error;
}

export async function seal(ctx: RequestContext, keyId: string, arn: string, value: string): Promise<{ value: string; keyArn: string }> {
  let dataKey: Record<string, unknown>;
  try {
    dataKey = await ctx.invoke("kms", "GenerateDataKey", { KeyId: keyId, KeySpec: "AES_256", EncryptionContext: { PARAMETER_ARN: arn } });
  } catch (error) {
    invalidKey(error);
  }
  const blob = dataKey.CiphertextBlob as Uint8Array;
  const key = await crypto.subtle.importKey("raw", bs(dataKey.Plaintext as Uint8Array), "AES-GCM", false, ["encrypt"]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, bs(new TextEncoder().encode(value))));
  const out = new Uint8Array(2 + blob.length + 12 + sealed.length);
  out.set([blob.length >> 8, blob.length & 0xff], 0);
  out.set(blob, 2);
  out.set(iv, 2 + blob.length);
  out.set(sealed, 2 + blob.length + 12);
  return { value: base64.encode(out), keyArn: dataKey.KeyId as string };
}

export async function unseal(ctx: RequestContext, arn: string, stored: string): Promise<string> {
  const bytes = base64.decode(stored);
  const length = (bytes[0] << 8) | bytes[1];
  let dataKey: Record<string, unknown>;
  try {
    dataKey = await ctx.invoke("kms", "Decrypt", { CiphertextBlob: bytes.slice(2, 2 + length), EncryptionContext: { PARAMETER_ARN: arn } });
  } catch (error) {
    invalidKey(error);
  }
  const key = await crypto.subtle.importKey("raw", bs(dataKey.Plaintext as Uint8Array), "AES-GCM", false, ["decrypt"]);
  const iv = bytes.slice(2 + length, 2 + length + 12);
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, bs(bytes.slice(2 + length + 12)));
  return new TextDecoder().decode(plain);
}
