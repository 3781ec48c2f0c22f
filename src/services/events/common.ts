/**
 * Shared bits of the EventBridge service: ARNs, errors, name resolution, paging, tags.
 * Source: https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Store } from "../../store/types.ts";
import { partitionOf } from "../../util/partition.ts";

/** Where one account and region's EventBridge state lives (the caller's, or a target bus's). */
export interface Scope {
  store: Store;
  accountId: string;
  region: string;
}

export { partitionOf } from "../../util/partition.ts";

export function eventsArn(scope: Pick<Scope, "accountId" | "region">, resource: string): string {
  return `arn:${partitionOf(scope.region)}:events:${scope.region}:${scope.accountId}:${resource}`;
}

export function busArn(scope: Pick<Scope, "accountId" | "region">, name: string): string {
  return eventsArn(scope, `event-bus/${name}`);
}

export function ruleArn(scope: Pick<Scope, "accountId" | "region">, bus: string, name: string): string {
  return eventsArn(scope, bus === "default" ? `rule/${name}` : `rule/${bus}/${name}`);
}

export const notFound = (message: string) => new AwsError("ResourceNotFoundException", message, 400);
export const validation = (message: string) => new AwsError("ValidationException", message, 400);
export const alreadyExists = (message: string) => new AwsError("ResourceAlreadyExistsException", message, 400);

/** An event bus given by name or ARN: its account, region and name. */
export function parseBusRef(ref: string | undefined, scope: Pick<Scope, "accountId" | "region">): { accountId: string; region: string; name: string } {
  if (!ref) return { accountId: scope.accountId, region: scope.region, name: "default" };
  const m = /^arn:aws[a-z-]*:events:([a-z0-9-]+):(\d{12}):event-bus\/(.+)$/.exec(ref);
  if (m) return { region: m[1]!, accountId: m[2]!, name: m[3]! };
  if (ref.startsWith("arn:")) throw validation(`Parameter ${ref} is not valid. Reason: Provided Arn is not in correct format.`);
  return { accountId: scope.accountId, region: scope.region, name: ref };
}

/** ISO-8601 without milliseconds, as EventBridge writes event times. */
export function eventTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** Opaque NextToken over sorted names. */
export function page<T>(items: T[], keyOf: (item: T) => string, nextToken: string | undefined, limit: number | undefined, max = 100): { items: T[]; NextToken?: string } {
  let start = 0;
  if (nextToken) {
    let after: string;
    try {
      after = atob(nextToken);
    } catch {
      throw validation("The NextToken provided is invalid.");
    }
    start = items.findIndex((i) => keyOf(i) > after);
    if (start < 0) start = items.length;
  }
  const size = Math.min(limit ?? max, max);
  const slice = items.slice(start, start + size);
  const more = start + size < items.length;
  return { items: slice, ...(more && slice.length ? { NextToken: btoa(keyOf(slice[slice.length - 1]!)) } : {}) };
}

export async function listValues<T>(store: Store, prefix: (string | number)[]): Promise<T[]> {
  const out: T[] = [];
  for await (const e of store.list<T>({ prefix })) out.push(e.value);
  return out;
}

export type Tags = { Key: string; Value: string }[];

export function mergeTags(existing: Tags, added: Tags): Tags {
  const map = new Map(existing.map((t) => [t.Key, t.Value]));
  for (const t of added) map.set(t.Key, t.Value);
  return [...map].map(([Key, Value]) => ({ Key, Value }));
}

export function dateOf(value: unknown): Date | undefined {
  return value === undefined || value === null ? undefined : new Date(value as number);
}
