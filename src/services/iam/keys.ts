/**
 * Access keys: long-term credentials of IAM users (and of an account's root user), at most two
 * per user. They are real credentials: the key id encodes the account as AWS's do (`AKIA` +
 * 16 base32 characters, see src/gateway/accounts.ts), the secret verifies SigV4 signatures
 * (`resolveSecret`) while the key is Active, and the key identifies its user (`resolvePrincipal`,
 * STS GetCallerIdentity).
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateAccessKey.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { Operations } from "../../generated/iam.ts";
import type { Store } from "../../store/types.ts";
import { newAccessKeyId } from "../../gateway/accounts.ts";
import { date, getRecord, limitExceeded, noSuchEntity, paginate, putRecord, randomText, scopeOf } from "./common.ts";
import { loadUser, type UserRecord } from "./records.ts";
import { accessStats, forgetAccess } from "./access.ts";

const MAX_KEYS = 2;

export interface AccessKeyRecord {
  AccessKeyId: string;
  SecretAccessKey: string;
  Account: string;
  /** Null for the root user's keys. */
  UserName: string | null;
  Status: "Active" | "Inactive" | "Expired";
  CreateDate: number;
}

const keyKey = (id: string) => ["key", id] as const;

export async function lookupKey(store: Store, id: string): Promise<AccessKeyRecord | null> {
  return (await store.get<AccessKeyRecord>(keyKey(id))).value;
}

export async function saveKey(store: Store, key: AccessKeyRecord): Promise<void> {
  await store.set(keyKey(key.AccessKeyId), key);
}

/** The IAM user who signed the request, or null (root, STS session, unknown key). */
export async function callerUser(ctx: RequestContext): Promise<UserRecord | null> {
  const keyId = ctx.caller.accessKeyId;
  if (!keyId) return null;
  const key = await lookupKey(ctx.globalStore, keyId);
  if (!key?.UserName || key.Account !== ctx.accountId) return null;
  return getRecord<UserRecord>(scopeOf(ctx), "user", key.UserName);
}

/** The user whose keys a request manages: `UserName`, else the signing user; null means root. */
async function keyOwner(ctx: RequestContext, name: string | undefined): Promise<UserRecord | null> {
  if (name !== undefined) return loadUser(scopeOf(ctx), name);
  return callerUser(ctx);
}

async function rootKeys(ctx: RequestContext): Promise<AccessKeyRecord[]> {
  const out: AccessKeyRecord[] = [];
  for await (const entry of ctx.globalStore.list<AccessKeyRecord>({ prefix: ["key"] })) {
    if (entry.value.Account === ctx.accountId && entry.value.UserName === null) out.push(entry.value);
  }
  return out;
}

async function ownedKey(ctx: RequestContext, id: string, userName: string | undefined): Promise<AccessKeyRecord> {
  const key = await lookupKey(ctx.globalStore, id);
  const owner = await keyOwner(ctx, userName);
  if (!key || key.Account !== ctx.accountId || (key.UserName?.toLowerCase() ?? null) !== (owner?.UserName.toLowerCase() ?? null)) {
    throw noSuchEntity(`The Access Key with id ${id} cannot be found.`);
  }
  return key;
}

export const keyHandlers: Handlers<Operations> = {
  async CreateAccessKey(input, ctx) {
    const scope = scopeOf(ctx);
    const user = await keyOwner(ctx, input.UserName);
    const existing = user ? user.AccessKeys.length : (await rootKeys(ctx)).length;
    if (existing >= MAX_KEYS) throw limitExceeded(`Cannot exceed quota for AccessKeysPerUser: ${MAX_KEYS}`);
    const key: AccessKeyRecord = {
      AccessKeyId: newAccessKeyId("AKIA", scope.account),
      SecretAccessKey: randomText(40),
      Account: scope.account,
      UserName: user?.UserName ?? null,
      Status: "Active",
      CreateDate: scope.now,
    };
    await saveKey(scope.store, key);
    if (user) await putRecord(scope, "user", user.UserName, { ...user, AccessKeys: [...user.AccessKeys, key.AccessKeyId] });
    return {
      AccessKey: {
        UserName: key.UserName ?? (undefined as unknown as string),
        AccessKeyId: key.AccessKeyId,
        Status: key.Status,
        SecretAccessKey: key.SecretAccessKey,
        CreateDate: date(key.CreateDate),
      },
    };
  },

  async ListAccessKeys(input, ctx) {
    const user = await keyOwner(ctx, input.UserName);
    const keys: AccessKeyRecord[] = [];
    if (user) {
      for (const id of user.AccessKeys) {
        const key = await lookupKey(ctx.globalStore, id);
        if (key) keys.push(key);
      }
    } else keys.push(...(await rootKeys(ctx)));
    const page = paginate(
      keys.map((k) => ({ UserName: k.UserName ?? undefined, AccessKeyId: k.AccessKeyId, Status: k.Status, CreateDate: date(k.CreateDate) })),
      input.Marker,
      input.MaxItems,
    );
    return { AccessKeyMetadata: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
  },

  async UpdateAccessKey(input, ctx) {
    const key = await ownedKey(ctx, input.AccessKeyId, input.UserName);
    await saveKey(ctx.globalStore, { ...key, Status: input.Status });
    return {};
  },

  async DeleteAccessKey(input, ctx) {
    const scope = scopeOf(ctx);
    const key = await ownedKey(ctx, input.AccessKeyId, input.UserName);
    await ctx.globalStore.delete(keyKey(key.AccessKeyId));
    await forgetAccess(scope, key.AccessKeyId);
    if (key.UserName) {
      const user = await loadUser(scope, key.UserName);
      await putRecord(scope, "user", user.UserName, { ...user, AccessKeys: user.AccessKeys.filter((k) => k !== key.AccessKeyId) });
    }
    return {};
  },

  async GetAccessKeyLastUsed(input, ctx) {
    const key = await lookupKey(ctx.globalStore, input.AccessKeyId);
    if (!key || key.Account !== ctx.accountId) {
      throw noSuchEntity(`The Access Key with id ${input.AccessKeyId} cannot be found.`);
    }
    const last = (await accessStats(scopeOf(ctx), key.AccessKeyId)).last;
    return {
      UserName: key.UserName ?? undefined,
      AccessKeyLastUsed: last
        ? { LastUsedDate: date(last.date), ServiceName: last.service, Region: last.region }
        : { ServiceName: "N/A", Region: "N/A" },
    };
  },
};
