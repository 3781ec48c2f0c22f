/**
 * What each KMS key spec can do: the key usages it accepts and the algorithms DescribeKey lists.
 * Source: https://docs.aws.amazon.com/kms/latest/developerguide/symm-asymm-choose-key-spec.html
 */

export type KeyUsage = "ENCRYPT_DECRYPT" | "SIGN_VERIFY" | "GENERATE_VERIFY_MAC" | "KEY_AGREEMENT";

export interface SpecInfo {
  usages: KeyUsage[];
  encryption?: string[];
  signing?: string[];
  mac?: string[];
  agreement?: string[];
}

const RSA_SIGNING = [
  "RSASSA_PSS_SHA_256", "RSASSA_PSS_SHA_384", "RSASSA_PSS_SHA_512",
  "RSASSA_PKCS1_V1_5_SHA_256", "RSASSA_PKCS1_V1_5_SHA_384", "RSASSA_PKCS1_V1_5_SHA_512",
];
const RSA: SpecInfo = { usages: ["ENCRYPT_DECRYPT", "SIGN_VERIFY"], encryption: ["RSAES_OAEP_SHA_1", "RSAES_OAEP_SHA_256"], signing: RSA_SIGNING };

export const SPECS: Record<string, SpecInfo> = {
  SYMMETRIC_DEFAULT: { usages: ["ENCRYPT_DECRYPT"], encryption: ["SYMMETRIC_DEFAULT"] },
  RSA_2048: RSA,
  RSA_3072: RSA,
  RSA_4096: RSA,
  ECC_NIST_P256: { usages: ["SIGN_VERIFY", "KEY_AGREEMENT"], signing: ["ECDSA_SHA_256"], agreement: ["ECDH"] },
  ECC_NIST_P384: { usages: ["SIGN_VERIFY", "KEY_AGREEMENT"], signing: ["ECDSA_SHA_384"], agreement: ["ECDH"] },
  ECC_NIST_P521: { usages: ["SIGN_VERIFY", "KEY_AGREEMENT"], signing: ["ECDSA_SHA_512"], agreement: ["ECDH"] },
  ECC_SECG_P256K1: { usages: ["SIGN_VERIFY"], signing: ["ECDSA_SHA_256"] },
  ECC_NIST_EDWARDS25519: { usages: ["SIGN_VERIFY"], signing: ["ED25519_SHA_512", "ED25519_PH_SHA_512"] },
  HMAC_224: { usages: ["GENERATE_VERIFY_MAC"], mac: ["HMAC_SHA_224"] },
  HMAC_256: { usages: ["GENERATE_VERIFY_MAC"], mac: ["HMAC_SHA_256"] },
  HMAC_384: { usages: ["GENERATE_VERIFY_MAC"], mac: ["HMAC_SHA_384"] },
  HMAC_512: { usages: ["GENERATE_VERIFY_MAC"], mac: ["HMAC_SHA_512"] },
};

/** Specs the model lists that need algorithms no portable library here provides. */
export const UNSUPPORTED_SPECS = new Set(["SM2", "ML_DSA_44", "ML_DSA_65", "ML_DSA_87"]);

/** The algorithm lists DescribeKey shows for a key of `spec` used for `usage`. */
export function algorithmsFor(spec: string, usage: KeyUsage): Record<string, string[]> {
  const info = SPECS[spec];
  switch (usage) {
    case "ENCRYPT_DECRYPT":
      return { EncryptionAlgorithms: info.encryption ?? [] };
    case "SIGN_VERIFY":
      return { SigningAlgorithms: info.signing ?? [] };
    case "GENERATE_VERIFY_MAC":
      return { MacAlgorithms: info.mac ?? [] };
    case "KEY_AGREEMENT":
      return { KeyAgreementAlgorithms: info.agreement ?? [] };
  }
}

/** Largest plaintext RSAES_OAEP accepts: k - 2*hLen - 2 bytes. */
export function oaepMaxPlaintext(spec: string, algorithm: string): number {
  const k = Number(spec.slice(4)) / 8;
  const hLen = algorithm === "RSAES_OAEP_SHA_1" ? 20 : 32;
  return k - 2 * hLen - 2;
}
