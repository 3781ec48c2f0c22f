/**
 * The accounts and regions that hold a service's state: keys are `[namespace, accountId, region,
 * ...]` (and `[namespace, "global", ...]`), so a skip scan finds each pair with one `list` of
 * one entry per pair instead of reading every key.
 */
import type { Key, Store } from "./types.ts";

/** Yields each `{ accountId, region }` with at least one key under `[namespace, accountId, region]`, in key order. */
export async function* scopesOf(store: Store, namespace: string): AsyncGenerator<{ accountId: string; region: string }> {
  // `true` sorts after every string and number part, so `[..., true]` is past a scope's keys.
  let start: Key = [namespace, ""];
  for (;;) {
    let found: Key | undefined;
    for await (const entry of store.list({ start, end: [namespace, true] }, { limit: 1 })) found = entry.key;
    if (!found) return;
    const [, account, region] = found;
    if (account === "global" || typeof account !== "string" || typeof region !== "string") {
      start = [namespace, account!, true];
      continue;
    }
    yield { accountId: account, region };
    start = [namespace, account, region, true];
  }
}
