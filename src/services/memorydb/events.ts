/**
 * Events (DescribeEvents) and the recorder other operations write them with.
 * Source: https://docs.aws.amazon.com/memorydb/latest/APIReference/API_DescribeEvents.html
 */
import type { Handler, Handlers, RequestContext } from "../types.ts";
import type { Operations as Ops } from "../../generated/memorydb.ts";
import { type Obj, page } from "./state.ts";

export async function event(ctx: RequestContext, SourceName: string, SourceType: string, Message: string): Promise<void> {
  const at = ctx.clock.now();
  await ctx.store.set(["event", at, crypto.randomUUID()], { SourceName, SourceType, Message, Date: at });
}

export const eventHandlers: Handlers<Ops> = {
  async DescribeEvents(input, ctx) {
    const now = ctx.clock.now();
    const end = input.EndTime !== undefined ? new Date(input.EndTime).getTime() : now;
    const start = input.StartTime !== undefined ? new Date(input.StartTime).getTime() : end - (input.Duration ?? 60) * 60_000;
    const events: Obj[] = [];
    for await (const entry of ctx.store.list<Obj>({ prefix: ["event"] })) {
      const e = entry.value;
      if (e.Date < start || e.Date > end) continue;
      if (input.SourceName && e.SourceName !== input.SourceName) continue;
      if (input.SourceType && e.SourceType !== input.SourceType) continue;
      events.push({ ...e, key: `${String(e.Date).padStart(15, "0")}/${entry.key[2]}` });
    }
    events.reverse(); // newest first, as AWS lists them
    const { items, NextToken } = page(events.map((e, i) => ({ ...e, key: String(i).padStart(8, "0") })), (e) => e.key, input);
    return { Events: items.map(({ key: _, ...e }) => e), NextToken };
  },
};
