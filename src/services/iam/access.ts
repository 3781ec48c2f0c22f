/**
 * What IAM learns from every use of credentials (`recordAccess`, src/gateway/access.ts): the
 * last use of each access key (GetAccessKeyLastUsed, the credential report), the last use of
 * each role (RoleLastUsed) and, per IAM user and role, when each service and action was last
 * used (service last accessed data). Kept apart from the user, role and key records, under
 * `["acct", <account>, "access", <key id or principal's unique id>]`, so that recording never
 * races with IAM's own updates of those records.
 */
import type { AccessEvent } from "../types.ts";
import type { Store } from "../../store/types.ts";
import { accountKey, type Scope } from "./common.ts";

export interface LastUse {
  date: number;
  region: string;
  service: string;
}

export interface AccessStats {
  last?: LastUse;
  /** IAM service namespace → last use, and per action (`s3:GetObject`) within it. */
  services?: Record<string, { date: number; region: string; actions: Record<string, { date: number; region: string }> }>;
}

async function update(store: Store, account: string, id: string, event: AccessEvent, services: boolean): Promise<void> {
  const key = accountKey(account, "access", id);
  const stats = (await store.get<AccessStats>(key)).value ?? {};
  const next: AccessStats = { ...stats, last: { date: event.time, region: event.region, service: event.service } };
  if (services) {
    const all = { ...(stats.services ?? {}) };
    const entry = all[event.namespace] ?? { date: 0, region: event.region, actions: {} };
    all[event.namespace] = { date: event.time, region: event.region, actions: { ...entry.actions, [event.action]: { date: event.time, region: event.region } } };
    next.services = all;
  }
  await store.set(key, next);
}

/** `recordAccess` of IAM: records the key's use, and its user's or role's. */
export async function recordAccess(event: AccessEvent, store: Store): Promise<void> {
  const id = event.accessKeyId;
  if (id.startsWith("AKIA")) {
    // keys.ts's record (`["key", id]`), read here without importing it (keys.ts reads this file).
    const key = (await store.get<{ Account: string }>(["key", id])).value;
    if (key) await update(store, key.Account, id, event, false);
  }
  const principal = event.principal;
  if (!principal?.principalArn || (principal.kind !== "user" && principal.kind !== "assumed-role")) return;
  // Users are named by UserId, roles by RoleId (an assumed role's id is "<RoleId>:<session>").
  await update(store, principal.account, principal.userId.split(":")[0], event, true);
}

/** What has been recorded for a key id or principal id of the scope's account. */
export async function accessStats(scope: Scope, id: string): Promise<AccessStats> {
  return (await scope.store.get<AccessStats>(accountKey(scope.account, "access", id))).value ?? {};
}

/** Forgets a deleted key's or principal's record. */
export async function forgetAccess(scope: Scope, id: string): Promise<void> {
  await scope.store.delete(accountKey(scope.account, "access", id));
}
