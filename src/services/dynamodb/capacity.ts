/**
 * ConsumedCapacity and ItemCollectionMetrics as DynamoDB computes them
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/read-write-operations.html):
 * a read unit per 4 KB (half for eventually consistent reads), a write unit per 1 KB, at least
 * one unit per item written; Query and Scan round the total size of the items read, not each
 * item; writes to an index cost by the projected item's size, two writes when its key changes.
 */
import type { RequestContext } from "../types.ts";
import type { ConsumedCapacity, ItemCollectionSizeEstimateRange as SizeEstimateRange } from "../../generated/dynamodb.ts";
import type { Key } from "../../store/types.ts";
import type { TableRecord } from "./table-model.ts";
import type { WriteEffect } from "./storage.ts";
import { itemSize, type Item } from "./values-adapter.ts";

export function readUnits(bytes: number, consistent: boolean): number {
  const units = Math.max(1, Math.ceil(bytes / 4096));
  return consistent ? units : units / 2;
}

export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / 1024));
}

export interface Usage {
  table: number;
  gsis: Record<string, number>;
  lsis: Record<string, number>;
}

export function emptyUsage(): Usage {
  return { table: 0, gsis: {}, lsis: {} };
}

/** Units of one item write (table plus the index entries it changed). */
export function writeUsage(effect: WriteEffect | null, fallbackSize = 1): Usage {
  const usage = emptyUsage();
  if (!effect) {
    usage.table = writeUnits(fallbackSize);
    return usage;
  }
  const size = Math.max(effect.old ? itemSize(effect.old) : 0, effect.new ? itemSize(effect.new) : 0);
  usage.table = writeUnits(size);
  for (const { index, items } of effect.indexWrites) {
    const units = items.reduce((n, item) => n + writeUnits(itemSize(item)), 0);
    const into = index.kind === "GSI" ? usage.gsis : usage.lsis;
    into[index.name] = (into[index.name] ?? 0) + units;
  }
  return usage;
}

export function addUsage(a: Usage, b: Usage): Usage {
  const out: Usage = { table: a.table + b.table, gsis: { ...a.gsis }, lsis: { ...a.lsis } };
  for (const [k, v] of Object.entries(b.gsis)) out.gsis[k] = (out.gsis[k] ?? 0) + v;
  for (const [k, v] of Object.entries(b.lsis)) out.lsis[k] = (out.lsis[k] ?? 0) + v;
  return out;
}

function sum(r: Record<string, number>): number {
  return Object.values(r).reduce((a, b) => a + b, 0);
}

/** The ConsumedCapacity member for ReturnConsumedCapacity (undefined for NONE/absent). */
export function consumedCapacity(mode: string | undefined, table: TableRecord, usage: Usage): ConsumedCapacity | undefined {
  if (mode !== "TOTAL" && mode !== "INDEXES") return undefined;
  const total = usage.table + sum(usage.gsis) + sum(usage.lsis);
  if (mode === "TOTAL") return { TableName: table.name, CapacityUnits: total };
  const map = (r: Record<string, number>) => {
    const entries = Object.entries(r);
    return entries.length ? Object.fromEntries(entries.map(([k, v]) => [k, { CapacityUnits: v }])) : undefined;
  };
  return {
    TableName: table.name,
    CapacityUnits: total,
    Table: { CapacityUnits: usage.table },
    ...(map(usage.lsis) ? { LocalSecondaryIndexes: map(usage.lsis) } : {}),
    ...(map(usage.gsis) ? { GlobalSecondaryIndexes: map(usage.gsis) } : {}),
  };
}

/**
 * ItemCollectionMetrics for ReturnItemCollectionMetrics=SIZE: only tables with local secondary
 * indexes have item collections. The estimate brackets the partition's size in GB.
 */
/** ItemCollectionMetrics of one write, or undefined unless asked for and the table has LSIs. */
export interface CollectionMetrics {
  ItemCollectionKey: Item;
  SizeEstimateRangeGB: SizeEstimateRange;
}

export async function itemCollectionMetrics(
  ctx: RequestContext, mode: string | undefined, table: TableRecord, item: Item | null, partition: Key,
): Promise<CollectionMetrics | undefined> {
  if (mode !== "SIZE" || !table.lsis.length || !item) return undefined;
  let bytes = 0;
  for await (const entry of ctx.store.list<Item>({ prefix: partition })) bytes += itemSize(entry.value);
  const gb = bytes / 1024 ** 3;
  const low = Math.floor(gb);
  return { ItemCollectionKey: { [table.hash]: item[table.hash]! }, SizeEstimateRangeGB: [low, low + 1] };
}
