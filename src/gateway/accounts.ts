/**
 * Which account a request belongs to, from its access key id:
 *
 * - a 12-digit access key id *is* the account (`123456789012` → account 123456789012);
 * - an `ASIA…` key, or an `AKIA…` key with bit 47 set, whose body encodes an account the way
 *   AWS encodes it (the keys fetchstack's STS and IAM issue do) → that account, as
 *   `sts:GetAccessKeyInfo` reports on AWS;
 * - anything else (`test`, `AKIAIOSFODNN7EXAMPLE`, unsigned) → the default account.
 *
 * AWS encodes the account in bits 7..46 of the base32-decoded key body (after the 4-letter
 * prefix). Source: https://docs.aws.amazon.com/STS/latest/APIReference/API_GetAccessKeyInfo.html
 * and the published analysis of key ids (A. Steele, "Finding the AWS account ID of any S3 bucket").
 */
import { base32nopad } from "@scure/base";

function base32Decode(text: string): Uint8Array | null {
  try {
    return base32nopad.decode(text);
  } catch {
    return null;
  }
}

/** The account encoded in an AWS-style access key id, or null if it does not look like one. */
export function accountFromAccessKeyId(accessKeyId: string): string | null {
  if (!/^(AKIA|ASIA|AIDA|AROA|ANPA)[A-Z2-7]{16}$/.test(accessKeyId)) return null;
  const bytes = base32Decode(accessKeyId.slice(4));
  if (!bytes || bytes.length < 6) return null;
  let z = 0n;
  for (let i = 0; i < 6; i++) z = (z << 8n) | BigInt(bytes[i]);
  const account = (z & 0x7fffffffff80n) >> 7n;
  return account.toString().padStart(12, "0");
}

/**
 * A new key id with `prefix` (`ASIA` for temporary credentials, `AKIA` for long-term keys,
 * `AROA` for role ids) that encodes `accountId`, with random low bits.
 */
export function newAccessKeyId(prefix: string, accountId: string): string {
  const random = crypto.getRandomValues(new Uint8Array(10));
  const account = BigInt(accountId);
  // Bit 47 set and 7 random low bits, like AWS's own ids; the rest of the 10 bytes random.
  const head = (1n << 47n) | (account << 7n) | BigInt(random[0] & 0x7f);
  const bytes = new Uint8Array(10);
  for (let i = 0; i < 6; i++) bytes[i] = Number((head >> BigInt(8 * (5 - i))) & 0xffn);
  bytes.set(random.subarray(6), 6);
  return prefix + base32nopad.encode(bytes).slice(0, 16);
}

/** True when bit 47 of the key body is set: the mark of keys that encode an account (newAccessKeyId sets it). */
function encodesAccount(accessKeyId: string): boolean {
  const bytes = base32Decode(accessKeyId.slice(4));
  return !!bytes && bytes.length >= 6 && (bytes[0] & 0x80) !== 0;
}

/** The account for an access key id (see the module docs); `defaultAccount` when none is encoded. */
export function accountFor(accessKeyId: string | null | undefined, defaultAccount: string): string {
  if (!accessKeyId) return defaultAccount;
  if (/^\d{12}$/.test(accessKeyId)) return accessKeyId;
  if (accessKeyId.startsWith("ASIA")) return accountFromAccessKeyId(accessKeyId) ?? defaultAccount;
  // Long-term keys (IAM's CreateAccessKey) encode their account too; documentation keys such as
  // AKIAIOSFODNN7EXAMPLE predate the encoding (bit 47 clear) and keep the default account.
  if (accessKeyId.startsWith("AKIA") && encodesAccount(accessKeyId)) return accountFromAccessKeyId(accessKeyId) ?? defaultAccount;
  return defaultAccount;
}
