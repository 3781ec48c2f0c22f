/**
 * The table side of DynamoDB Streams: the StreamInfo record (src/shared/dynamodb-streams.ts)
 * written when a table's stream is enabled and marked disabled when the stream is turned off
 * or the table deleted. Records themselves are staged with each item change (storage.ts).
 */
import type { RequestContext } from "../types.ts";
import type { AtomicOperation } from "../../store/types.ts";
import { shardIdFor, streamKey, type StreamInfo } from "../../shared/dynamodb-streams.ts";
import type { TableRecord } from "./table-model.ts";

/** The StreamInfo of a table whose stream has just been enabled. */
export function newStreamInfo(table: TableRecord, now: number): StreamInfo | null {
  const s = table.stream;
  if (!s.enabled || !s.arn || !s.label || !s.viewType) return null;
  return {
    arn: s.arn,
    label: s.label,
    tableName: table.name,
    tableId: table.id,
    viewType: s.viewType as StreamInfo["viewType"],
    keySchema: table.KeySchema,
    createdAt: now,
    shardId: shardIdFor(now, table.id),
  };
}

export function stageStreamInfo(op: AtomicOperation, table: TableRecord, now: number): void {
  const info = newStreamInfo(table, now);
  if (info) op.set(streamKey(info.arn), info);
}

/** Marks a table's current stream disabled (UpdateTable StreamEnabled=false, DeleteTable). */
export async function disableStream(ctx: RequestContext, table: TableRecord): Promise<void> {
  if (!table.stream.enabled || !table.stream.arn) return;
  const key = streamKey(table.stream.arn);
  const info = (await ctx.store.get<StreamInfo>(key)).value;
  if (info && !info.disabledAt) await ctx.store.set(key, { ...info, disabledAt: ctx.clock.now() });
}
