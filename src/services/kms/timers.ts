/**
 * The clock's work on KMS keys: automatic rotations, expiry of imported key material and the
 * end of a deletion window happen at their due times, each with AWS's event on the account's
 * default EventBridge bus ("KMS CMK Rotation", "KMS Imported Key Material Expiration",
 * "KMS CMK Deletion"; source aws.kms, resources the key ARN, time the due time).
 * Source: https://docs.aws.amazon.com/kms/latest/developerguide/kms-events.html
 *
 * One timer per key, at its earliest due time (`armKey`). Firing reads the key, which applies
 * every change due and writes the events in the same commit (keys.ts `catchUp`), then sends
 * the queued events in time order, deleting each with a versioned commit first: each due time
 * is applied and reported once, whether a timer or a request got there first. Timers live in
 * memory: `setup` re-arms every stored key at start and catches up with the clock.
 */
import type { RequestContext, ServiceEnvironment } from "../types.ts";
import type { Entry } from "../../store/types.ts";
import { keyKey, loadKey, type KeyCreatedHook, type KeyRecord, type PendingEvent } from "./keys.ts";

interface Runtime {
  /** The emulator's `contextFor`, kept by `setup`: timers act as the key's account and region. */
  contextFor?: ServiceEnvironment["contextFor"];
  timers: Map<string, { cancel: () => void; at: number }>;
}

const runtimeOf = (ctx: Pick<RequestContext, "runtime">) => ctx.runtime<Runtime>("key-timers", () => ({ timers: new Map() }));

/** The key's next time-driven change (epoch ms), if any. */
export function dueAt(key: KeyRecord): number | undefined {
  if (key.state === "PendingDeletion") return key.deletionDate;
  const times: number[] = [];
  if (key.origin === "EXTERNAL" && key.validTo !== undefined) times.push(key.validTo);
  if (key.rotation.enabled && key.rotation.nextAt !== undefined) times.push(key.rotation.nextAt);
  return times.length ? Math.min(...times) : undefined;
}

/**
 * (Re-)arms the timer of `key` for its earliest due time; cancels it when nothing is due. Call
 * after every write that changes a key's deletion date, ValidTo or rotation schedule.
 */
export function armKey(ctx: RequestContext, key: KeyRecord): void {
  const runtime = runtimeOf(ctx);
  const scope = key.accountId === ctx.accountId && key.region === ctx.region ? ctx : runtime.contextFor?.(key.accountId, key.region) ?? ctx;
  const id = `${key.accountId}/${key.region}/${key.keyId}`;
  const due = dueAt(key);
  const armed = runtime.timers.get(id);
  if (armed && armed.at === due) return;
  armed?.cancel();
  runtime.timers.delete(id);
  if (due === undefined) return;
  const wait = due - scope.clock.now();
  if (wait <= 0) {
    scope.waitUntil(fireKey(scope, key.keyId));
    return;
  }
  const cancel = scope.timers.setTimer(wait, () => {
    if (runtime.timers.get(id)?.cancel === cancel) runtime.timers.delete(id);
    return fireKey(scope, key.keyId);
  });
  runtime.timers.set(id, { cancel, at: due });
}

async function fireKey(ctx: RequestContext, keyId: string): Promise<void> {
  const key = await loadKey(ctx.store, keyId, ctx.clock.now());
  await sendPendingEvents(ctx);
  if (!key) return;
  // The stored record (loadKey may present a key in a disconnected key store as Unavailable).
  const stored = (await ctx.store.get<KeyRecord>(keyKey(keyId))).value;
  if (stored) armKey(ctx, stored);
}

/** Sends the events queued in this account and region, oldest first, each once. */
export async function sendPendingEvents(ctx: RequestContext): Promise<void> {
  const pending: Entry<PendingEvent>[] = [];
  for await (const entry of ctx.store.list<PendingEvent>({ prefix: ["outbox"] })) pending.push(entry);
  for (const entry of pending) {
    const claimed = await ctx.store.atomic().check(entry).delete(entry.key).commit();
    if (!claimed.ok) continue;
    const e = entry.value;
    const put = { Source: "aws.kms", DetailType: e.detailType, Detail: JSON.stringify(e.detail), Resources: e.resources, Time: new Date(e.time) };
    // Best effort, as AWS delivers these events: one that cannot be put is dropped.
    await ctx.invoke("events", "PutEvents", { Entries: [put] }).catch(() => {});
  }
}

/** At start: re-arms every stored key's timer in every account and region, and sends what was queued. */
export function setupKeyTimers(env: ServiceEnvironment): void {
  runtimeOf(env).contextFor = env.contextFor;
  env.runtime<KeyCreatedHook>("key-created", () => ({})).arm = armKey;
  env.waitUntil((async () => {
    for await (const { accountId, region } of env.scopes()) {
      const ctx = env.contextFor(accountId, region);
      await sendPendingEvents(ctx);
      for await (const entry of ctx.store.list<KeyRecord>({ prefix: ["key"] })) armKey(ctx, entry.value);
    }
  })());
}
