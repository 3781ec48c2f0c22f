/**
 * KMS grants: CreateGrant, ListGrants, ListRetirableGrants, RetireGrant, RevokeGrant.
 * Grants are kept as state and listed as AWS lists them; fetchstack does not authorize requests,
 * so a grant adds no permission it could check. Grant tokens name their grant (RetireGrant by
 * token works) and are accepted wherever GrantTokens is.
 * Source: https://docs.aws.amazon.com/kms/latest/developerguide/grants.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import type { Store } from "../../store/types.ts";
import { b64, randomBytes, unb64 } from "./crypto.ts";
import { hexId, loadKey, partition, requireNotPendingDeletion, resolveKey, type KeyRecord } from "./keys.ts";
import { page } from "./paging.ts";

interface GrantRecord {
  KeyId: string;
  GrantId: string;
  Name?: string;
  CreationDate: number;
  GranteePrincipal: string;
  RetiringPrincipal?: string;
  IssuingAccount: string;
  Operations: string[];
  Constraints?: { EncryptionContextSubset?: Record<string, string>; EncryptionContextEquals?: Record<string, string> };
  token: string;
  /** Creation order within the key (creation dates can tie). */
  seq: number;
}

const grantKey = (keyId: string, grantId: string) => ["grant", keyId, grantId] as const;

const SYMMETRIC_OPS = new Set(["Decrypt", "Encrypt", "GenerateDataKey", "GenerateDataKeyWithoutPlaintext", "ReEncryptFrom", "ReEncryptTo", "GenerateDataKeyPair", "GenerateDataKeyPairWithoutPlaintext"]);
const COMMON_OPS = new Set(["CreateGrant", "RetireGrant", "DescribeKey"]);
const OPS_BY_USAGE: Record<string, Set<string>> = {
  ENCRYPT_DECRYPT: new Set(["Decrypt", "Encrypt", "ReEncryptFrom", "ReEncryptTo", "GetPublicKey"]),
  SIGN_VERIFY: new Set(["Sign", "Verify", "GetPublicKey"]),
  GENERATE_VERIFY_MAC: new Set(["GenerateMac", "VerifyMac"]),
  KEY_AGREEMENT: new Set(["DeriveSharedSecret", "GetPublicKey"]),
};

function allowedOperation(key: KeyRecord, op: string): boolean {
  if (COMMON_OPS.has(op)) return true;
  if (key.keySpec === "SYMMETRIC_DEFAULT") return SYMMETRIC_OPS.has(op);
  return OPS_BY_USAGE[key.keyUsage].has(op);
}

function view(grant: GrantRecord): Record<string, unknown> {
  const { token: _token, seq: _seq, CreationDate, ...rest } = grant;
  return { ...rest, CreationDate: new Date(CreationDate) };
}

function parseToken(token: string): { keyId: string; grantId: string } {
  try {
    const [keyId, grantId] = new TextDecoder().decode(unb64(token)).split(":");
    if (keyId && /^[0-9a-f]{64}$/.test(grantId)) return { keyId, grantId };
  } catch {
    // falls through
  }
  throw new AwsError("InvalidGrantTokenException", "The grant token is not valid.", 400);
}

async function grantsOf(store: Store, keyId: string): Promise<GrantRecord[]> {
  const out: GrantRecord[] = [];
  for await (const entry of store.list<GrantRecord>({ prefix: ["grant", keyId] })) out.push(entry.value);
  return out.sort((a, b) => a.seq - b.seq);
}

function dryRun(input: { DryRun?: boolean }): void {
  if (input.DryRun) throw new AwsError("DryRunOperationException", "The request would have succeeded, but the DryRun option is set.", 412);
}

async function removeGrant(ctx: RequestContext, store: Store, keyId: string, grantId: string): Promise<void> {
  const entry = await store.get<GrantRecord>(grantKey(keyId, grantId));
  if (!entry.value) throw new AwsError("NotFoundException", `Grant ID ${grantId} not found`, 400);
  await store.delete(grantKey(keyId, grantId));
  void ctx;
}

export const grantHandlers: Record<string, Handler> = {
  async CreateGrant(input, ctx) {
    const { key, store } = await resolveKey(ctx, input.KeyId);
    requireNotPendingDeletion(key);
    for (const op of input.Operations as string[]) {
      if (!allowedOperation(key, op)) {
        throw new AwsError("ValidationException", `Grant operation ${op} is not valid for ${key.arn} (key usage ${key.keyUsage}, key spec ${key.keySpec}).`, 400);
      }
    }
    if (input.Constraints && (key.keySpec !== "SYMMETRIC_DEFAULT" || (input.Operations as string[]).some((op) => !SYMMETRIC_OPS.has(op) && !COMMON_OPS.has(op)))) {
      throw new AwsError("ValidationException", "Grant constraints are valid only for cryptographic operations on symmetric encryption KMS keys.", 400);
    }
    if (input.Constraints?.EncryptionContextSubset && input.Constraints?.EncryptionContextEquals) {
      throw new AwsError("ValidationException", "Only one of EncryptionContextSubset and EncryptionContextEquals may be specified.", 400);
    }
    const existing = await grantsOf(store, key.keyId);
    if (input.Name) {
      // Retrying CreateGrant with the same name and parameters returns the same grant.
      const same = existing.find((g) => g.Name === input.Name && g.GranteePrincipal === input.GranteePrincipal &&
        g.RetiringPrincipal === input.RetiringPrincipal && JSON.stringify(g.Operations) === JSON.stringify(input.Operations) &&
        JSON.stringify(g.Constraints) === JSON.stringify(input.Constraints));
      if (same) {
        dryRun(input);
        return { GrantId: same.GrantId, GrantToken: same.token };
      }
    }
    if (existing.length >= 50000) throw new AwsError("LimitExceededException", `Too many grants on ${key.arn}.`, 400);
    dryRun(input);
    const grantId = hexId(32);
    const token = b64(new TextEncoder().encode(`${key.keyId}:${grantId}:${b64(randomBytes(48))}`));
    const grant: GrantRecord = {
      KeyId: key.arn,
      GrantId: grantId,
      ...(input.Name ? { Name: input.Name } : {}),
      CreationDate: ctx.clock.now(),
      GranteePrincipal: input.GranteePrincipal,
      ...(input.RetiringPrincipal ? { RetiringPrincipal: input.RetiringPrincipal } : {}),
      IssuingAccount: `arn:${partition(key.region)}:iam::${ctx.accountId}:root`,
      Operations: input.Operations,
      ...(input.Constraints ? { Constraints: input.Constraints } : {}),
      token,
      seq: existing.reduce((n, g) => Math.max(n, g.seq), 0) + 1,
    };
    await store.set(grantKey(key.keyId, grantId), grant);
    return { GrantToken: token, GrantId: grantId };
  },

  async ListGrants(input, ctx) {
    const { key, store } = await resolveKey(ctx, input.KeyId);
    let grants = await grantsOf(store, key.keyId);
    if (input.GrantId) grants = grants.filter((g) => g.GrantId === input.GrantId);
    if (input.GranteePrincipal) grants = grants.filter((g) => g.GranteePrincipal === input.GranteePrincipal);
    const indexed = grants.map((g, i) => ({ g, id: String(i).padStart(8, "0") }));
    const result = page(indexed, (x) => x.id, input.Limit ?? 50, input.Marker);
    return { Grants: result.page.map((x) => view(x.g)), Truncated: result.Truncated, ...(result.NextMarker ? { NextMarker: result.NextMarker } : {}) };
  },

  async ListRetirableGrants(input, ctx) {
    const grants: GrantRecord[] = [];
    for await (const entry of ctx.store.list<GrantRecord>({ prefix: ["grant"] })) {
      if (entry.value.RetiringPrincipal === input.RetiringPrincipal) grants.push(entry.value);
    }
    const result = page(grants, (g) => `${g.KeyId}/${g.GrantId}`, input.Limit ?? 50, input.Marker);
    return { Grants: result.page.map(view), Truncated: result.Truncated, ...(result.NextMarker ? { NextMarker: result.NextMarker } : {}) };
  },

  async RetireGrant(input, ctx) {
    if (input.GrantToken) {
      const { keyId, grantId } = parseToken(input.GrantToken);
      if (!(await loadKey(ctx.store, keyId, ctx.clock.now()))) throw new AwsError("NotFoundException", `Grant ID ${grantId} not found`, 400);
      dryRun(input);
      await removeGrant(ctx, ctx.store, keyId, grantId);
      return {};
    }
    if (!input.KeyId || !input.GrantId) {
      throw new AwsError("ValidationException", "Either GrantToken, or both KeyId and GrantId, must be specified.", 400);
    }
    const { key, store } = await resolveKey(ctx, input.KeyId);
    dryRun(input);
    await removeGrant(ctx, store, key.keyId, input.GrantId);
    return {};
  },

  async RevokeGrant(input, ctx) {
    const { key, store } = await resolveKey(ctx, input.KeyId);
    if (!/^[0-9a-f]{64}$/.test(input.GrantId)) throw new AwsError("InvalidGrantIdException", `Invalid grant ID ${input.GrantId}`, 400);
    dryRun(input);
    await removeGrant(ctx, store, key.keyId, input.GrantId);
    return {};
  },
};
