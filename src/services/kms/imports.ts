/**
 * Imported key material (Origin EXTERNAL): GetParametersForImport hands out an RSA wrapping
 * public key and an import token (valid 24 hours); ImportKeyMaterial unwraps the material with
 * RSAES-OAEP (SHA-1 or SHA-256) and makes the key usable; DeleteImportedKeyMaterial returns it to
 * PendingImport. Re-imports must bring the same material. Material with a ValidTo date expires on
 * the clock (applied when the key is read, keys.ts).
 * Source: https://docs.aws.amazon.com/kms/latest/developerguide/importing-keys.html
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { b64, equalBytes, generateMaterial, publicKeyOf, randomBytes, rsaOaepDecrypt, unb64, type Material } from "./crypto.ts";
import { hexId, requireNotPendingDeletion, resolveKey, saveKey, type KeyRecord } from "./keys.ts";
import { armKey } from "./timers.ts";

const DAY = 86_400_000;

/** Valid material lengths in bytes for the key specs that can be imported here. */
const MATERIAL_BYTES: Record<string, [number, number]> = {
  SYMMETRIC_DEFAULT: [32, 32],
  HMAC_224: [28, 64],
  HMAC_256: [32, 64],
  HMAC_384: [48, 128],
  HMAC_512: [64, 128],
};

export const IMPORTABLE_SPECS = new Set(Object.keys(MATERIAL_BYTES));

function requireExternal(key: KeyRecord): void {
  if (key.origin !== "EXTERNAL") {
    throw new AwsError("UnsupportedOperationException", `${key.arn} origin is ${key.origin} which is not valid for this operation.`, 400);
  }
}

async function external(ctx: RequestContext, id: string) {
  const resolved = await resolveKey(ctx, id);
  requireExternal(resolved.key);
  requireNotPendingDeletion(resolved.key);
  return resolved;
}

export const importHandlers: Record<string, Handler> = {
  async GetParametersForImport(input, ctx) {
    const { key, store } = await external(ctx, input.KeyId);
    const algorithm: string = input.WrappingAlgorithm;
    if (algorithm !== "RSAES_OAEP_SHA_1" && algorithm !== "RSAES_OAEP_SHA_256") {
      throw new AwsError("UnsupportedOperationException", `fetchstack supports the wrapping algorithms RSAES_OAEP_SHA_1 and RSAES_OAEP_SHA_256, not ${algorithm}.`, 400);
    }
    if (input.WrappingKeySpec === "SM2") throw new AwsError("UnsupportedOperationException", "WrappingKeySpec SM2 is only available in China Regions.", 400);
    const wrapping = await generateMaterial(input.WrappingKeySpec);
    const token = randomBytes(64);
    const validTo = ctx.clock.now() + DAY;
    await saveKey(store, { ...key, importParameters: { wrapping, token: b64(token), validTo, algorithm } });
    return { KeyId: key.arn, ImportToken: token, PublicKey: publicKeyOf(wrapping), ParametersValidTo: new Date(validTo) };
  },

  async ImportKeyMaterial(input, ctx) {
    const { key, store } = await external(ctx, input.KeyId);
    const params = key.importParameters;
    if (!params || !equalBytes(unb64(params.token), input.ImportToken)) {
      throw new AwsError("InvalidImportTokenException", "The import token is not valid for this KMS key.", 400);
    }
    if (params.validTo <= ctx.clock.now()) throw new AwsError("ExpiredImportTokenException", "The import token has expired. Call GetParametersForImport for a new one.", 400);
    const material = await rsaOaepDecrypt(params.wrapping as Material & { kind: "rsa" }, params.algorithm, input.EncryptedKeyMaterial);
    if (!material) throw new AwsError("InvalidCiphertextException", "The encrypted key material could not be decrypted with the wrapping key of this import token.", 400);
    const [min, max] = MATERIAL_BYTES[key.keySpec];
    if (material.length < min || material.length > max) {
      throw new AwsError("IncorrectKeyMaterialException", `Key material for ${key.keySpec} must be ${min === max ? min : `${min} to ${max}`} bytes; got ${material.length}.`, 400);
    }
    const digest = b64(sha256(material));
    if (key.importedDigest && key.importedDigest !== digest) {
      throw new AwsError("IncorrectKeyMaterialException", "The key material in the request is not the same key material that was previously imported into this KMS key.", 400);
    }
    const expirationModel: string = input.ExpirationModel ?? (input.ValidTo ? "KEY_MATERIAL_EXPIRES" : "KEY_MATERIAL_DOES_NOT_EXPIRE");
    if (expirationModel === "KEY_MATERIAL_EXPIRES" && !input.ValidTo) throw new AwsError("ValidationException", "A ValidTo date is required when ExpirationModel is KEY_MATERIAL_EXPIRES.", 400);
    if (expirationModel === "KEY_MATERIAL_DOES_NOT_EXPIRE" && input.ValidTo) throw new AwsError("ValidationException", "ValidTo must not be set when ExpirationModel is KEY_MATERIAL_DOES_NOT_EXPIRE.", 400);
    const validTo = input.ValidTo ? new Date(input.ValidTo).getTime() : undefined;
    if (validTo !== undefined && validTo <= ctx.clock.now()) throw new AwsError("ValidationException", "ValidTo must be in the future.", 400);
    const kind = key.keySpec === "SYMMETRIC_DEFAULT" ? "aes" : "hmac";
    const version = key.versions[0] ?? { id: hexId(32), material: { kind, secret: b64(material) } as Material, createdAt: ctx.clock.now() };
    const { importParameters: _p, validTo: _v, ...rest } = key;
    const updated: KeyRecord = {
      ...rest,
      versions: [version],
      importedDigest: digest,
      expirationModel,
      ...(validTo !== undefined ? { validTo } : {}),
      state: key.state === "PendingImport" ? "Enabled" : key.state,
    };
    await saveKey(store, updated);
    armKey(ctx, updated);
    return { KeyId: key.arn, KeyMaterialId: version.id };
  },

  async DeleteImportedKeyMaterial(input, ctx) {
    const { key, store } = await external(ctx, input.KeyId);
    const { validTo: _v, ...rest } = key;
    const updated: KeyRecord = { ...rest, state: "PendingImport" };
    await saveKey(store, updated);
    armKey(ctx, updated);
    return { KeyId: key.arn, ...(key.versions[0] ? { KeyMaterialId: key.versions[0].id } : {}) };
  },
};
