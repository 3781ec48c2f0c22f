/**
 * BatchGetItem and BatchWriteItem.
 * Source: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchGetItem.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchWriteItem.html
 *
 * Every request is validated before anything is read or written (one bad key fails the whole
 * call, as on AWS). Reads stop at 16 MB of response; the keys left over come back in
 * UnprocessedKeys in the request's shape. Writes are never throttled here, so
 * UnprocessedItems is always empty (but present, as AWS sends it).
 */
import { AwsError } from "../../protocol/errors.ts";
import { encodeKey } from "../../store/keys.ts";
import type { InputOf, OutputOf, RequestContext } from "../types.ts";
import { requireTable, type TableRecord } from "./table-model.ts";
import { checkItem, checkKey, keyOf } from "./item-keys.ts";
import { itemKey, readItem, writeItem } from "./storage.ts";
import {
  addUsage, consumedCapacity, emptyUsage, itemCollectionMetrics, readUnits, writeUsage, type CollectionMetrics, type Usage,
} from "./capacity.ts";
import { Expressions } from "./expr-adapter.ts";
import { itemSize, normalizeItem, type Item } from "./values-adapter.ts";
import type { ConsumedCapacity, Operations as Ops } from "../../generated/dynamodb.ts";

const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

function duplicates(): AwsError {
  return invalid("Provided list of item keys contains duplicates");
}

interface KeysAndAttributes {
  Keys: Item[];
  ProjectionExpression?: string;
  AttributesToGet?: string[];
  ConsistentRead?: boolean;
  ExpressionAttributeNames?: Record<string, string>;
}

export async function batchGetItem(input: InputOf<Ops, "BatchGetItem">, ctx: RequestContext): Promise<OutputOf<Ops, "BatchGetItem">> {
  const requests = Object.entries(input.RequestItems);
  const total = requests.reduce((n, [, r]) => n + r.Keys.length, 0);
  if (total > 100) throw invalid("Too many items requested for the BatchGetItem call");
  const plans: { name: string; table: TableRecord; request: KeysAndAttributes; projection: ((item: Item) => Item) | null }[] = [];
  for (const [name, request] of requests) {
    const table = await requireTable(ctx, name);
    const exprs = new Expressions(request);
    const projection = exprs.projection();
    exprs.finish();
    const seen = new Set<string>();
    const keys = request.Keys.map(normalizeItem);
    for (const key of keys) {
      checkKey(table, key);
      const id = encodeKey(itemKey(table, key));
      if (seen.has(id)) throw duplicates();
      seen.add(id);
    }
    plans.push({ name, table, request: { ...request, Keys: keys }, projection });
  }
  const responses: Record<string, Item[]> = {};
  const unprocessed: Record<string, KeysAndAttributes> = {};
  const capacity: ConsumedCapacity[] = [];
  let bytes = 0;
  for (const { name, table, request, projection } of plans) {
    const found: Item[] = [];
    let usage: Usage = emptyUsage();
    for (const key of request.Keys) {
      if (bytes >= MAX_RESPONSE_BYTES) {
        (unprocessed[name] ??= { ...request, Keys: [] }).Keys.push(key);
        continue;
      }
      const item = await readItem(ctx, table, itemKey(table, key));
      const size = item ? itemSize(item) : 0;
      usage = addUsage(usage, { table: readUnits(size, request.ConsistentRead === true), gsis: {}, lsis: {} });
      if (!item) continue;
      bytes += size;
      found.push(projection ? projection(item) : item);
    }
    responses[name] = found;
    const c = consumedCapacity(input.ReturnConsumedCapacity, table, usage);
    if (c) capacity.push(c);
  }
  return { Responses: responses, UnprocessedKeys: unprocessed, ...(capacity.length ? { ConsumedCapacity: capacity } : {}) };
}

type WriteRequest = { PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } };

export async function batchWriteItem(input: InputOf<Ops, "BatchWriteItem">, ctx: RequestContext): Promise<OutputOf<Ops, "BatchWriteItem">> {
  const requests = Object.entries(input.RequestItems);
  const total = requests.reduce((n, [, r]) => n + r.length, 0);
  if (total > 25) throw invalid("Too many items requested for the BatchWriteItem call");
  const plans: { name: string; table: TableRecord; writes: { key: Item; item: Item | null }[] }[] = [];
  for (const [name, list] of requests) {
    const table = await requireTable(ctx, name);
    const seen = new Set<string>();
    const writes: { key: Item; item: Item | null }[] = [];
    for (const request of list) {
      const kinds = (request.PutRequest ? 1 : 0) + (request.DeleteRequest ? 1 : 0);
      if (kinds !== 1) throw invalid("Supplied WriteRequest must contain exactly one of PutRequest or DeleteRequest");
      let key: Item;
      let item: Item | null = null;
      if (request.PutRequest) {
        item = normalizeItem(request.PutRequest.Item);
        checkItem(table, item);
        key = keyOf(table, item);
      } else {
        key = normalizeItem(request.DeleteRequest!.Key);
        checkKey(table, key);
      }
      const id = encodeKey(itemKey(table, key));
      if (seen.has(id)) throw duplicates();
      seen.add(id);
      writes.push({ key, item });
    }
    plans.push({ name, table, writes });
  }
  const capacity: ConsumedCapacity[] = [];
  const metrics: Record<string, CollectionMetrics[]> = {};
  for (const { name, table, writes } of plans) {
    let usage = emptyUsage();
    for (const { key, item } of writes) {
      const effect = await writeItem(ctx, table, itemKey(table, key), item);
      usage = addUsage(usage, writeUsage(effect));
      const m = await itemCollectionMetrics(ctx, input.ReturnItemCollectionMetrics, table, item ?? key, itemKey(table, key).slice(0, 3));
      if (m) (metrics[name] ??= []).push(m);
    }
    const c = consumedCapacity(input.ReturnConsumedCapacity, table, usage);
    if (c) capacity.push(c);
  }
  return {
    UnprocessedItems: {},
    ...(capacity.length ? { ConsumedCapacity: capacity } : {}),
    ...(Object.keys(metrics).length ? { ItemCollectionMetrics: metrics } : {}),
  };
}
