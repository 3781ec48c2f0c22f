/**
 * Storage layout of items and index entries (see docs/dynamodb-storage.md):
 *
 *   ["item", tableId, keyPart(hash), keyPart(range)?]                         → Item
 *   ["index", tableId, indexName, keyPart(ihash), keyPart(irange)?,
 *            keyPart(hash), keyPart(range)?]                                   → projected Item
 *
 * Keys order as DynamoDB orders key values, so a Query lists one partition's key range and
 * never touches the rest of the table. Every item write goes through `writeItem`, which
 * updates the item and all its index entries in one atomic commit (the one place a stream
 * record would be emitted).
 */
import { withLock } from "../../store/mutex.ts";
import { encodeKey } from "../../store/keys.ts";
import type { Key, KeyPart, Store } from "../../store/types.ts";
import type { RequestContext } from "../types.ts";
import { AwsError } from "../../protocol/errors.ts";
import { allIndexes, indexKeyNames, type IndexRecord, type TableRecord } from "./table-model.ts";
import { itemSize, keyPart, type AttributeValue, type Item } from "./values-adapter.ts";
import { isExpired } from "./ttl.ts";
import { deliverToKinesis, type Change } from "./kinesis-delivery.ts";
import { nextSequenceNumber, streamRecordKey, type StoredStreamRecord } from "../../shared/dynamodb-streams.ts";

/** Upper bound part: above every string/bytes key part, so `[...p, BEYOND]` follows everything under p. */
export const BEYOND = true;

/** The id in the store keys of a table's items and index entries. */
export function dataId(table: TableRecord): string {
  return table.keyId ?? table.id;
}

export function itemPrefix(table: TableRecord): Key {
  return ["item", dataId(table)];
}

export function indexPrefix(table: TableRecord, index: IndexRecord): Key {
  return ["index", dataId(table), index.name];
}

/** The store key of an item (its key attributes present and valid). */
export function itemKey(table: TableRecord, item: Item): KeyPart[] {
  const key: KeyPart[] = ["item", dataId(table), keyPart(item[table.hash]!)];
  if (table.range) key.push(keyPart(item[table.range]!));
  return key;
}

/** The key part(s) of an item's table key, as appended to index keys. */
function tableKeyParts(table: TableRecord, item: Item): KeyPart[] {
  const parts: KeyPart[] = [keyPart(item[table.hash]!)];
  if (table.range) parts.push(keyPart(item[table.range]!));
  return parts;
}

function isKeyValue(v: AttributeValue | undefined, type: string): boolean {
  return v !== undefined && type in v && !(type === "S" && v.S === "") && !(type === "B" && (v.B as Uint8Array | string).length === 0);
}

/**
 * The store key of an item's entry in an index, or null when the item lacks any of the index's
 * key attributes (sparse; a multi-attribute GSI key needs all of them). Partition attributes
 * then sort attributes in KeySchema order, so a Query lists a key range of one partition.
 */
export function indexEntryKey(table: TableRecord, index: IndexRecord, item: Item): KeyPart[] | null {
  const key: KeyPart[] = ["index", dataId(table), index.name];
  for (const name of indexKeyNames(index)) {
    const v = item[name];
    if (!isKeyValue(v, typeOfAttr(table, name))) return null;
    key.push(keyPart(v!));
  }
  key.push(...tableKeyParts(table, item));
  return key;
}

function typeOfAttr(table: TableRecord, name: string): string {
  return table.AttributeDefinitions.find((d) => d.AttributeName === name)?.AttributeType ?? "S";
}

/** The attribute names an index entry holds (null: all of them). */
export function projectedNames(table: TableRecord, index: IndexRecord): Set<string> | null {
  if ((index.Projection.ProjectionType ?? "ALL") === "ALL") return null;
  const names = new Set([table.hash, ...indexKeyNames(index)]);
  if (table.range) names.add(table.range);
  if (index.Projection.ProjectionType === "INCLUDE") for (const n of index.Projection.NonKeyAttributes ?? []) names.add(n);
  return names;
}

export function projectForIndex(table: TableRecord, index: IndexRecord, item: Item): Item {
  const names = projectedNames(table, index);
  if (!names) return item;
  const out: Item = {};
  for (const n of names) if (item[n] !== undefined) out[n] = item[n]!;
  return out;
}

/** What one write did, for ConsumedCapacity and (later) stream records. */
export interface WriteEffect {
  old: Item | null;
  new: Item | null;
  /** Index names whose entries changed, with how many index writes each cost (0–2). */
  indexWrites: { index: IndexRecord; items: Item[] }[];
}

function sameKey(a: KeyPart[] | null, b: KeyPart[] | null): boolean {
  return a !== null && b !== null && encodeKey(a) === encodeKey(b);
}

/** Adds the item and index mutations of `old → next` to an atomic operation. */
function stageWrite(
  op: ReturnType<Store["atomic"]>,
  table: TableRecord,
  key: KeyPart[],
  old: Item | null,
  next: Item | null,
): WriteEffect {
  if (next) op.set(key, next);
  else op.delete(key);
  const indexWrites: WriteEffect["indexWrites"] = [];
  for (const index of allIndexes(table)) {
    const oldKey = old ? indexEntryKey(table, index, old) : null;
    const newKey = next ? indexEntryKey(table, index, next) : null;
    const items: Item[] = [];
    if (oldKey && !sameKey(oldKey, newKey)) {
      op.delete(oldKey);
      items.push(projectForIndex(table, index, old!));
    }
    if (newKey) {
      const projected = projectForIndex(table, index, next!);
      op.set(newKey, projected);
      if (!sameKey(oldKey, newKey) || !sameProjection(projectForIndex(table, index, old!), projected)) items.push(projected);
    }
    if (items.length) indexWrites.push({ index, items });
  }
  return { old, new: next, indexWrites };
}

function sameProjection(a: Item, b: Item): boolean {
  return JSON.stringify(a, binaryReplacer) === JSON.stringify(b, binaryReplacer);
}

function binaryReplacer(_k: string, v: unknown): unknown {
  return v instanceof Uint8Array ? Array.from(v) : v;
}

/** The userIdentity of TTL deletions in stream records. */
export const TTL_IDENTITY = { Type: "Service", PrincipalId: "dynamodb.amazonaws.com" };

function eventId(): string {
  return crypto.randomUUID().replace(/-/g, "");
}

function tableKeyOf(table: TableRecord, item: Item): Item {
  const key: Item = { [table.hash]: item[table.hash]! };
  if (table.range) key[table.range] = item[table.range]!;
  return key;
}

/**
 * Adds the stream record of `old → next` to the commit, when the table has an enabled stream.
 * A write that changes nothing writes no record (as DynamoDB Streams).
 */
function stageStreamRecord(
  op: ReturnType<Store["atomic"]>,
  ctx: RequestContext,
  table: TableRecord,
  old: Item | null,
  next: Item | null,
  userIdentity?: StoredStreamRecord["userIdentity"],
): void {
  const s = table.stream;
  if (!s.enabled || !s.arn || !s.viewType || (!old && !next)) return;
  if (old && next && sameProjection(old, next)) return;
  const now = ctx.clock.now();
  const viewType = s.viewType as StoredStreamRecord["StreamViewType"];
  const Keys = tableKeyOf(table, (next ?? old)!);
  const withNew = next && (viewType === "NEW_IMAGE" || viewType === "NEW_AND_OLD_IMAGES");
  const withOld = old && (viewType === "OLD_IMAGE" || viewType === "NEW_AND_OLD_IMAGES");
  const SequenceNumber = nextSequenceNumber(now);
  const record: StoredStreamRecord = {
    eventID: eventId(),
    eventName: !old ? "INSERT" : !next ? "REMOVE" : "MODIFY",
    awsRegion: ctx.region,
    at: now,
    Keys,
    ...(withNew ? { NewImage: next! } : {}),
    ...(withOld ? { OldImage: old! } : {}),
    SequenceNumber,
    SizeBytes: itemSize(Keys) + (withNew ? itemSize(next!) : 0) + (withOld ? itemSize(old!) : 0),
    StreamViewType: viewType,
    ...(userIdentity ? { userIdentity } : {}),
  };
  const key = streamRecordKey(s.arn, SequenceNumber);
  op.check({ key, versionstamp: null }).set(key, record);
}

/**
 * Stages one item's change `stored → next` in a commit: the item, its index entries and its
 * stream record(s). A stored item past its TTL counts as absent: its removal is recorded as a
 * TTL deletion (userIdentity Service) before the new item's INSERT. The effect's `old` is the
 * item as the caller saw it (null when expired).
 */
export function stageChange(
  op: ReturnType<Store["atomic"]>,
  ctx: RequestContext,
  table: TableRecord,
  key: KeyPart[],
  stored: Item | null,
  next: Item | null,
): WriteEffect {
  const expired = stored !== null && isExpired(table, stored, ctx.clock.now());
  const effect = stageWrite(op, table, key, stored, next);
  if (table.pitr?.enabled) stageHistory(op, table, key, next, ctx.clock.now());
  if (expired) {
    stageStreamRecord(op, ctx, table, stored, null, TTL_IDENTITY);
    stageStreamRecord(op, ctx, table, null, next);
    return { ...effect, old: null };
  }
  stageStreamRecord(op, ctx, table, stored, next);
  return effect;
}

/**
 * Point-in-time recovery history: with PITR on, every item change is also logged under
 * `["hist", tableId, sequenceNumber]` (in the same commit), so a table can be rebuilt as it was
 * at any moment since PITR was enabled (backups.ts).
 */
export interface HistoryEntry {
  /** The item's store key. */
  k: KeyPart[];
  item: Item | null;
  /** Epoch ms. */
  at: number;
}

export function stageHistory(op: ReturnType<Store["atomic"]>, table: TableRecord, key: KeyPart[], item: Item | null, now: number): void {
  const hk = ["hist", table.id, nextSequenceNumber(now)];
  op.check({ key: hk, versionstamp: null }).set(hk, { k: key, item, at: now } satisfies HistoryEntry);
}

/** Writes items (and their index entries) into an empty table: restores and imports. */
export async function loadItems(store: Store, table: TableRecord, items: AsyncIterable<Item> | Iterable<Item>): Promise<number> {
  let op = store.atomic();
  let n = 0;
  for await (const item of items) {
    stageWrite(op, table, itemKey(table, item), null, item);
    if (++n % 100 === 0) {
      await op.commit();
      op = store.atomic();
    }
  }
  await op.commit();
  return n;
}

/** The changes one committed write made, for Kinesis destinations (a TTL removal first). */
export function changesOf(stored: Item | null, current: Item | null, next: Item | null | undefined): Change[] {
  const changes: Change[] = [];
  if (stored && !current) changes.push({ old: stored, new: null, userIdentity: TTL_IDENTITY });
  if (next !== undefined) changes.push({ old: current, new: next });
  return changes;
}

/** The item as reads see it: null when absent or past its TTL. */
export function visible(table: TableRecord, item: Item | null, now: number): Item | null {
  return item && !isExpired(table, item, now) ? item : null;
}

export function lockName(ctx: RequestContext, _table: TableRecord, key: KeyPart[]): string {
  return `dynamodb/${ctx.accountId}/${ctx.region}/${encodeKey(key)}`;
}

/**
 * Read-decide-write of one item, serialized per item key (in-process) and committed with a
 * version check (across processes). `decide` gets the current item (null when absent) and
 * returns the new item, null to delete, or undefined to write nothing; it may throw (a failed
 * condition), and may run more than once when another process wins the race.
 */
export async function mutateItem<T>(
  ctx: RequestContext,
  table: TableRecord,
  key: KeyPart[],
  decide: (current: Item | null) => { next: Item | null | undefined; result: T },
): Promise<{ effect: WriteEffect | null; result: T }> {
  return withLock(lockName(ctx, table, key), async () => {
    for (let attempt = 0; attempt < 32; attempt++) {
      const entry = await ctx.store.get<Item>(key);
      const stored = entry.value;
      const current = visible(table, stored, ctx.clock.now());
      const { next, result } = decide(current);
      // Nothing to write, but an expired item found on the way is deleted (TTL) all the same.
      if (next === undefined && (stored === null || current !== null)) return { effect: null, result };
      const op = ctx.store.atomic().check({ key, versionstamp: entry.versionstamp });
      const effect = stageChange(op, ctx, table, key, stored, next ?? null);
      if ((await op.commit()).ok) {
        if (table.kinesis?.length) deliverToKinesis(ctx, table, changesOf(stored, current, next));
        return { effect: next === undefined ? null : effect, result };
      }
    }
    throw new AwsError("InternalServerError", "Internal server error", 500);
  });
}

/** Writes one item unconditionally (BatchWriteItem). */
export function writeItem(ctx: RequestContext, table: TableRecord, key: KeyPart[], next: Item | null): Promise<WriteEffect | null> {
  return mutateItem(ctx, table, key, () => ({ next, result: null })).then((r) => r.effect);
}

/** Reads an item as reads see it; an item past its TTL is deleted on the way (lazy TTL). */
export async function readItem(ctx: RequestContext, table: TableRecord, key: KeyPart[]): Promise<Item | null> {
  const item = (await ctx.store.get<Item>(key)).value;
  if (item && isExpired(table, item, ctx.clock.now())) {
    await expireItems(ctx, table, [key]);
    return null;
  }
  return item;
}

/** Deletes items found past their TTL, each with its TTL stream record. */
export async function expireItems(ctx: RequestContext, table: TableRecord, keys: KeyPart[][]): Promise<void> {
  for (const key of keys) await mutateItem(ctx, table, key, () => ({ next: undefined, result: null }));
}

/** Deletes every item and index entry of a table (DeleteTable). */
export async function dropTableData(store: Store, table: TableRecord): Promise<void> {
  for (const prefix of [itemPrefix(table), ["index", dataId(table)]] as Key[]) {
    const keys: Key[] = [];
    for await (const entry of store.list({ prefix })) keys.push(entry.key);
    for (let i = 0; i < keys.length; i += 500) {
      const op = store.atomic();
      for (const k of keys.slice(i, i + 500)) op.delete(k);
      await op.commit();
    }
  }
}

/** Builds the entries of a new GSI from the table's items (UpdateTable Create). */
export async function backfillIndex(store: Store, table: TableRecord, index: IndexRecord): Promise<void> {
  let op = store.atomic();
  let n = 0;
  for await (const entry of store.list<Item>({ prefix: itemPrefix(table) })) {
    const key = indexEntryKey(table, index, entry.value);
    if (!key) continue;
    op.set(key, projectForIndex(table, index, entry.value));
    if (++n % 500 === 0) {
      await op.commit();
      op = store.atomic();
    }
  }
  await op.commit();
}

export async function dropIndexData(store: Store, table: TableRecord, index: IndexRecord): Promise<void> {
  const keys: Key[] = [];
  for await (const entry of store.list({ prefix: indexPrefix(table, index) })) keys.push(entry.key);
  for (let i = 0; i < keys.length; i += 500) {
    const op = store.atomic();
    for (const k of keys.slice(i, i + 500)) op.delete(k);
    await op.commit();
  }
}

/** Item count and size of a key range (DescribeTable's ItemCount/TableSizeBytes). */
export async function countRange(store: Store, prefix: Key, size: (item: Item) => number): Promise<{ count: number; bytes: number }> {
  let count = 0, bytes = 0;
  for await (const entry of store.list<Item>({ prefix })) {
    count++;
    bytes += size(entry.value);
  }
  return { count, bytes };
}
