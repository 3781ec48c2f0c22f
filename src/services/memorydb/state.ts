/**
 * Store access, ARNs, stable ids and paging shared by every MemoryDB resource.
 */
import type { RequestContext } from "../types.ts";
import type { Store } from "../../store/types.ts";
import { invalidValue } from "./errors.ts";
import { encodePageToken, pageTokenField } from "../../encoding/page-token.ts";

export type Obj = Record<string, any>;

export function arn(ctx: RequestContext, type: string, name: string): string {
  return `arn:aws:memorydb:${ctx.region}:${ctx.accountId}:${type}/${name}`;
}

/** A stable short hash (for endpoint and VPC ids that must not change between reads). */
export function hash(text: string, length = 6): string {
  let h = 0x811c9dc5;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  let out = "";
  while (out.length < length) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d) >>> 0;
    out += h.toString(36);
  }
  return out.slice(0, length);
}

export async function get<T = Obj>(store: Store, kind: string, name: string): Promise<T | null> {
  return (await store.get<T>([kind, name])).value;
}

export async function all<T = Obj>(store: Store, kind: string): Promise<T[]> {
  const out: T[] = [];
  for await (const entry of store.list<T>({ prefix: [kind] })) out.push(entry.value);
  return out;
}

/** MaxResults/NextToken paging over a name-sorted list. */
export function page<T>(items: T[], nameOf: (t: T) => string, input: { MaxResults?: number; NextToken?: string }): { items: T[]; NextToken?: string } {
  let start = 0;
  if (input.NextToken) {
    const after = pageTokenField(input.NextToken, "after");
    if (after === undefined) throw invalidValue("Invalid NextToken.");
    start = items.findIndex((t) => nameOf(t) > after);
    if (start === -1) start = items.length;
  }
  const max = input.MaxResults ?? 100;
  if (max < 1 || max > 100) throw invalidValue("MaxResults must be between 1 and 100.");
  const slice = items.slice(start, start + max);
  const more = start + max < items.length;
  return { items: slice, NextToken: more ? encodePageToken({ after: nameOf(slice[slice.length - 1]!) }) : undefined };
}
