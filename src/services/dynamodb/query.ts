/**
 * Query and Scan, on a table or on a secondary index.
 * Source: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Scan.html
 *
 * Query lists exactly the key range of one partition (see storage.ts), so its cost does not
 * depend on the rest of the table. A page ends at Limit items evaluated or once the items read
 * reach 1 MB; LastEvaluatedKey is then the last item read (even when nothing follows, as on
 * AWS). ScannedCount counts items read, Count those that passed the filter. Parallel Scan puts
 * each partition key in one segment by a hash of its key.
 */
import { AwsError } from "../../protocol/errors.ts";
import { encodeKeyPart } from "../../store/keys.ts";
import type { Key, KeyPart, ListSelector } from "../../store/types.ts";
import type { InputOf, OutputOf, RequestContext } from "../types.ts";
import { attributeType, findIndex, hashKeys, indexKeyNames, rangeKeys, requireTable, type IndexRecord, type TableRecord } from "./table-model.ts";
import { BEYOND, dataId, expireItems, indexPrefix, itemKey, itemPrefix, projectedNames } from "./storage.ts";
import { isExpired } from "./ttl.ts";
import { consumedCapacity, emptyUsage, readUnits } from "./capacity.ts";
import { Expressions, type KeyCondition } from "./expr-adapter.ts";
import { itemSize, keyPart, normalizeItem, type AttributeValue, type Item } from "./values-adapter.ts";
import type { Operations as Ops } from "../../generated/dynamodb.ts";

const PAGE_BYTES = 1024 * 1024;
const INVALID = "One or more parameter values were invalid: ";

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

function typeOf(v: AttributeValue): string {
  for (const k in v) return k;
  return "";
}

interface Target {
  table: TableRecord;
  index?: IndexRecord;
  /** Key names of what is read (the index's, or the table's). */
  hash: string;
  range?: string;
  /** Every partition and sort attribute of what is read (more than one each on a multi-attribute GSI). */
  hashes: string[];
  ranges: string[];
}

/** The members Query and Scan share. */
type ReadInput = InputOf<Ops, "Query"> | InputOf<Ops, "Scan">;

async function resolveTarget(ctx: RequestContext, input: ReadInput): Promise<Target> {
  const table = await requireTable(ctx, input.TableName);
  if (input.IndexName === undefined) return { table, hash: table.hash, range: table.range, hashes: [table.hash], ranges: table.range ? [table.range] : [] };
  const index = findIndex(table, input.IndexName);
  if (!index) throw invalid(`The table does not have the specified index: ${input.IndexName}`);
  if (index.kind === "GSI" && input.ConsistentRead) throw invalid("Consistent reads are not supported on global secondary indexes");
  return { table, index, hash: index.hash, range: index.range, hashes: hashKeys(index), ranges: rangeKeys(index) };
}

/** Select/projection rules shared by Query and Scan. */
function checkSelect(input: ReadInput, target: Target): void {
  const select: string | undefined = input.Select;
  const projecting = input.ProjectionExpression !== undefined || input.AttributesToGet !== undefined;
  if (select === "SPECIFIC_ATTRIBUTES" && !projecting) {
    throw invalid("Must specify the AttributesToGet or ProjectionExpression when choosing to get SPECIFIC_ATTRIBUTES");
  }
  if (select && select !== "SPECIFIC_ATTRIBUTES" && projecting) {
    if (input.AttributesToGet !== undefined) throw invalid(`Cannot specify the AttributesToGet when choosing to get ${select}`);
    throw invalid(`Cannot specify the ProjectionExpression when choosing to get ${select}`);
  }
  if (select === "ALL_PROJECTED_ATTRIBUTES" && !target.index) {
    throw invalid("ALL_PROJECTED_ATTRIBUTES can only be used when querying using an IndexName");
  }
  if (select === "ALL_ATTRIBUTES" && target.index?.kind === "GSI" && (target.index.Projection.ProjectionType ?? "ALL") !== "ALL") {
    throw invalid(`${INVALID}Select type ALL_ATTRIBUTES is not supported for global secondary index ${target.index.name} because its projection type is not ALL`);
  }
}

/** The key attributes LastEvaluatedKey / ExclusiveStartKey hold for a target. */
function pagingKeyNames(target: Target): string[] {
  const names = [target.table.hash];
  if (target.table.range) names.push(target.table.range);
  if (target.index) {
    for (const n of indexKeyNames(target.index)) if (!names.includes(n)) names.push(n);
  }
  return names;
}

function pagingKey(target: Target, item: Item): Item {
  const out: Item = {};
  for (const n of pagingKeyNames(target)) if (item[n] !== undefined) out[n] = item[n]!;
  return out;
}

/** The store key an ExclusiveStartKey points at (validated). */
function startStoreKey(target: Target, raw: Item): KeyPart[] {
  const start = normalizeItem(raw);
  const names = pagingKeyNames(target);
  const bad = () => invalid("The provided starting key is invalid: The provided key element does not match the schema");
  if (Object.keys(start).length !== names.length || !names.every((n) => start[n] !== undefined)) {
    throw invalid("The provided starting key is invalid: The provided key element does not match the schema");
  }
  for (const n of names) if (typeOf(start[n]!) !== attributeType(target.table, n)) throw bad();
  const { table, index } = target;
  if (!index) return itemKey(table, start);
  const key: KeyPart[] = ["index", dataId(table), index.name, ...indexKeyNames(index).map((n) => keyPart(start[n]!))];
  key.push(keyPart(start[table.hash]!));
  if (table.range) key.push(keyPart(start[table.range]!));
  return key;
}

function selector(prefix: Key, start: Key | undefined, end: Key | undefined): ListSelector {
  if (start && end) return { start, end };
  if (start) return { prefix, start };
  if (end) return { prefix, end };
  return { prefix };
}

function compareKeyParts(a: KeyPart, b: KeyPart): number {
  const x = encodeKeyPart(a), y = encodeKeyPart(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function beginsWith(value: AttributeValue | undefined, prefix: AttributeValue): boolean {
  if (!value) return false;
  if ("S" in prefix) return "S" in value && (value.S as string).startsWith(prefix.S as string);
  if ("B" in prefix && "B" in value) {
    const v = keyPart(value) as Uint8Array, p = keyPart(prefix) as Uint8Array;
    if (p.length > v.length) return false;
    for (let i = 0; i < p.length; i++) if (v[i] !== p[i]) return false;
    return true;
  }
  return false;
}

/** Reads a page of entries from `list`, applying filter and projection; shared by Query and Scan. */
async function readPage(
  ctx: RequestContext,
  target: Target,
  input: ReadInput,
  exprs: Expressions,
  entries: AsyncIterable<{ key: Key; value: Item }>,
  accept: (item: Item) => "take" | "skip" | "stop",
) {
  const filter = exprs.condition("FilterExpression");
  // A Query's filter may not name the key attributes of what it reads (its key condition does).
  if (("KeyConditionExpression" in input && input.KeyConditionExpression !== undefined) || ("KeyConditions" in input && input.KeyConditions !== undefined)) {
    const heads = exprs.conditionHeads("FilterExpression");
    const member = input.FilterExpression !== undefined ? "Filter Expression" : "QueryFilter";
    for (const key of [...target.hashes, ...target.ranges]) {
      if (heads.has(key)) throw invalid(`${member} can only contain non-primary key attributes: Primary key attribute: ${key}`);
    }
  }
  const projection = exprs.projection();
  exprs.finish();
  const select: string = input.Select ?? (projection ? "SPECIFIC_ATTRIBUTES" : target.index ? "ALL_PROJECTED_ATTRIBUTES" : "ALL_ATTRIBUTES");
  const limit: number = input.Limit ?? Infinity;
  // An LSI answers for attributes it does not project by reading the table item.
  const lsiFetch = target.index?.kind === "LSI" && (select === "ALL_ATTRIBUTES" || (select === "SPECIFIC_ATTRIBUTES" && projectedNames(target.table, target.index) !== null));
  const items: Item[] = [];
  const ttl = target.table.ttl;
  const now = ctx.clock.now();
  const expired: KeyPart[][] = [];
  let scanned = 0, count = 0, bytes = 0;
  let last: Item | undefined;
  for await (const entry of entries) {
    const decision = accept(entry.value);
    if (decision === "stop") break;
    if (decision === "skip") continue;
    let item = entry.value;
    if (lsiFetch) item = (await ctx.store.get<Item>(itemKey(target.table, item))).value ?? item;
    if (ttl?.enabled) {
      // An index entry without the TTL attribute is checked against its table item.
      const whole = item[ttl.attribute] === undefined && target.index ? (await ctx.store.get<Item>(itemKey(target.table, item))).value : item;
      if (whole && isExpired(target.table, whole, now)) {
        expired.push(itemKey(target.table, whole));
        continue;
      }
    }
    scanned++;
    bytes += itemSize(item);
    if (!filter || filter(item)) {
      count++;
      if (select !== "COUNT") items.push(projection ? projection(item) : item);
    }
    if (scanned >= limit || bytes >= PAGE_BYTES) {
      last = pagingKey(target, item);
      break;
    }
  }
  if (expired.length) await expireItems(ctx, target.table, expired);
  const usage = emptyUsage();
  const units = readUnits(bytes, input.ConsistentRead === true);
  if (target.index?.kind === "GSI") usage.gsis[target.index.name] = units;
  else if (target.index) usage.lsis[target.index.name] = units;
  else usage.table = units;
  return {
    ...(select !== "COUNT" ? { Items: items } : {}),
    Count: count,
    ScannedCount: scanned,
    ...(last ? { LastEvaluatedKey: last } : {}),
    ConsumedCapacity: consumedCapacity(input.ReturnConsumedCapacity, target.table, usage),
  };
}

export async function query(input: InputOf<Ops, "Query">, ctx: RequestContext): Promise<OutputOf<Ops, "Query">> {
  const target = await resolveTarget(ctx, input);
  if (input.KeyConditionExpression === undefined && input.KeyConditions === undefined) {
    throw invalid("Either the KeyConditions or KeyConditionExpression parameter must be specified in the request.");
  }
  checkSelect(input, target);
  const exprs = new Expressions(input);
  const { table, index } = target;
  const typed = (name: string) => ({ name, type: attributeType(table, name) });
  const cond: KeyCondition = exprs.keyCondition({
    hash: target.hash, hashType: attributeType(table, target.hash),
    ...(target.range ? { range: target.range, rangeType: attributeType(table, target.range) } : {}),
    hashes: target.hashes.map(typed), ranges: target.ranges.map(typed),
  });
  // The sort attribute the range condition is on (a later one on a multi-attribute key).
  const rangeName = cond.rangeAttr ?? target.range;
  if (typeOf(cond.hash) !== attributeType(table, target.hash)) throw invalid(`${INVALID}Condition parameter type does not match schema type`);
  for (const v of cond.range?.values ?? []) {
    if (typeOf(v) !== attributeType(table, rangeName!)) throw invalid(`${INVALID}Condition parameter type does not match schema type`);
  }
  // Multi-attribute keys: every partition value, then the sort values compared with `=`.
  const partition: Key = [
    ...(index ? indexPrefix(table, index) : itemPrefix(table)),
    ...(cond.hashValues ?? [cond.hash]).map(keyPart),
    ...(cond.rangePrefix ?? []).map(keyPart),
  ];
  let start: Key | undefined, end: Key | undefined;
  const r = cond.range;
  if (r) {
    const [a, b] = r.values.map(keyPart);
    switch (r.op) {
      case "=": start = [...partition, a!]; end = [...partition, a!, BEYOND]; break;
      case "<": end = [...partition, a!]; break;
      case "<=": end = [...partition, a!, BEYOND]; break;
      case ">": start = [...partition, a!, BEYOND]; break;
      case ">=": start = [...partition, a!]; break;
      case "BETWEEN":
        if (compareKeyParts(a!, b!) > 0) {
          throw invalid(`Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: AttributeValue: {${typeOf(r.values[0]!)}:${Object.values(r.values[0]!)[0]}}, upper bound operand: AttributeValue: {${typeOf(r.values[1]!)}:${Object.values(r.values[1]!)[0]}}`);
        }
        start = [...partition, a!]; end = [...partition, b!, BEYOND]; break;
      case "BEGINS_WITH": start = [...partition, a!]; break;
    }
  }
  const forward = input.ScanIndexForward !== false;
  if (input.ExclusiveStartKey) {
    const esk = startStoreKey(target, input.ExclusiveStartKey);
    const outside = target.hashes.some((h, i) => encodeKeyPart(keyPart(input.ExclusiveStartKey![h])) !== encodeKeyPart(keyPart((cond.hashValues ?? [cond.hash])[i]!)));
    if (outside) {
      throw invalid("The provided starting key is outside query boundaries based on provided conditions");
    }
    if (forward) start = [...esk, BEYOND];
    else end = esk;
  }
  const prefixValue = r?.op === "BEGINS_WITH" ? r.values[0]! : undefined;
  // A hash-only table holds at most one item per partition, stored at the partition key itself.
  const entries = !index && !table.range
    ? singleEntry(ctx, partition, input.ExclusiveStartKey !== undefined)
    : ctx.store.list<Item>(selector(partition, start, end), { reverse: !forward });
  return readPage(ctx, target, input, exprs, entries, (item) => {
    if (!prefixValue) return "take";
    const v = item[rangeName!];
    if (beginsWith(v, prefixValue)) return "take";
    const above = v !== undefined && compareKeyParts(keyPart(v), keyPart(prefixValue)) > 0;
    return above === forward ? "stop" : "skip";
  });
}

async function* singleEntry(ctx: RequestContext, key: Key, started: boolean): AsyncIterable<{ key: Key; value: Item }> {
  if (started) return;
  const entry = await ctx.store.get<Item>(key);
  if (entry.value) yield { key, value: entry.value };
}

/** FNV-1a of the partition key part: the parallel-scan segment of a partition. */
function segmentOf(part: KeyPart, total: number): number {
  const s = encodeKeyPart(part);
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % total;
}

export async function scan(input: InputOf<Ops, "Scan">, ctx: RequestContext): Promise<OutputOf<Ops, "Scan">> {
  const target = await resolveTarget(ctx, input);
  checkSelect(input, target);
  const { Segment: segment, TotalSegments: total } = input;
  if (total !== undefined && segment === undefined) throw invalid("The Segment parameter is required but was not present in the request when parameter TotalSegments is present");
  if (segment !== undefined && total === undefined) throw invalid("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
  if (segment !== undefined && total !== undefined && segment >= total) {
    throw invalid(`The Segment parameter is zero-based and must be less than parameter TotalSegments: Segment: ${segment} is not less than TotalSegments: ${total}`);
  }
  const exprs = new Expressions(input);
  const { table, index } = target;
  const prefix = index ? indexPrefix(table, index) : itemPrefix(table);
  const start = input.ExclusiveStartKey ? [...startStoreKey(target, input.ExclusiveStartKey), BEYOND] : undefined;
  const entries = ctx.store.list<Item>(selector(prefix, start, undefined));
  return readPage(ctx, target, input, exprs, entries, (item) => {
    if (total !== undefined && segmentOf(keyPart(item[table.hash]!), total) !== segment) return "skip";
    return "take";
  });
}
