/**
 * PutItem, GetItem, UpdateItem, DeleteItem.
 * Source: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html (and
 * GetItem, UpdateItem, DeleteItem). A failed condition is ConditionalCheckFailedException,
 * carrying the current item when ReturnValuesOnConditionCheckFailure is ALL_OLD.
 */
import { AwsError } from "../../protocol/errors.ts";
import type { InputOf, OutputOf, RequestContext } from "../types.ts";
import { requireTable, type TableRecord } from "./table-model.ts";
import { checkItem, checkKey, keyOf } from "./item-keys.ts";
import { itemKey, mutateItem, readItem } from "./storage.ts";
import { consumedCapacity, emptyUsage, itemCollectionMetrics, readUnits, writeUsage } from "./capacity.ts";
import { Expressions } from "./expr-adapter.ts";
import { itemSize, normalizeItem, type AttributeValue, type Item } from "./values-adapter.ts";
import type { Operations as Ops } from "../../generated/dynamodb.ts";

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

export function conditionFailed(current: Item | null, returnOnFailure: string | undefined): AwsError {
  return new AwsError("ConditionalCheckFailedException", "The conditional request failed", 400, {
    fields: returnOnFailure === "ALL_OLD" && current ? { Item: current } : {},
  });
}

function partitionOf(table: TableRecord, item: Item) {
  return itemKey(table, item).slice(0, 3);
}

export async function putItem(input: InputOf<Ops, "PutItem">, ctx: RequestContext): Promise<OutputOf<Ops, "PutItem">> {
  const table = await requireTable(ctx, input.TableName);
  const item: Item = normalizeItem(input.Item);
  checkItem(table, item);
  if (input.ReturnValues && input.ReturnValues !== "NONE" && input.ReturnValues !== "ALL_OLD") {
    throw invalid("ReturnValues can only be ALL_OLD or NONE");
  }
  const exprs = new Expressions(input);
  const condition = exprs.condition("ConditionExpression");
  exprs.finish();
  const key = itemKey(table, item);
  const { effect } = await mutateItem(ctx, table, key, (current) => {
    if (condition && !condition(current)) throw conditionFailed(current, input.ReturnValuesOnConditionCheckFailure);
    return { next: item, result: null };
  });
  const old = effect?.old ?? null;
  return {
    ...(input.ReturnValues === "ALL_OLD" && old ? { Attributes: old } : {}),
    ConsumedCapacity: consumedCapacity(input.ReturnConsumedCapacity, table, writeUsage(effect)),
    ItemCollectionMetrics: await itemCollectionMetrics(ctx, input.ReturnItemCollectionMetrics, table, item, partitionOf(table, item)),
  };
}

export async function getItem(input: InputOf<Ops, "GetItem">, ctx: RequestContext): Promise<OutputOf<Ops, "GetItem">> {
  const table = await requireTable(ctx, input.TableName);
  const keyItem = normalizeItem(input.Key);
  checkKey(table, keyItem);
  const exprs = new Expressions(input);
  const projection = exprs.projection();
  exprs.finish();
  const item = await readItem(ctx, table, itemKey(table, keyItem));
  const usage = emptyUsage();
  usage.table = readUnits(item ? itemSize(item) : 0, input.ConsistentRead === true);
  // No object spread: it costs microseconds per call on V8.
  const consumed = consumedCapacity(input.ReturnConsumedCapacity, table, usage);
  return item ? { Item: projection ? projection(item) : item, ConsumedCapacity: consumed } : { ConsumedCapacity: consumed };
}

export async function deleteItem(input: InputOf<Ops, "DeleteItem">, ctx: RequestContext): Promise<OutputOf<Ops, "DeleteItem">> {
  const table = await requireTable(ctx, input.TableName);
  const keyItem = normalizeItem(input.Key);
  checkKey(table, keyItem);
  if (input.ReturnValues && input.ReturnValues !== "NONE" && input.ReturnValues !== "ALL_OLD") {
    throw invalid("ReturnValues can only be ALL_OLD or NONE");
  }
  const exprs = new Expressions(input);
  const condition = exprs.condition("ConditionExpression");
  exprs.finish();
  const key = itemKey(table, keyItem);
  const { effect, result: old } = await mutateItem(ctx, table, key, (current) => {
    if (condition && !condition(current)) throw conditionFailed(current, input.ReturnValuesOnConditionCheckFailure);
    return { next: current ? null : undefined, result: current };
  });
  return {
    ...(input.ReturnValues === "ALL_OLD" && old ? { Attributes: old } : {}),
    ConsumedCapacity: consumedCapacity(input.ReturnConsumedCapacity, table, writeUsage(effect)),
    ItemCollectionMetrics: await itemCollectionMetrics(ctx, input.ReturnItemCollectionMetrics, table, old, partitionOf(table, keyItem)),
  };
}

/** The parts of `item` at the given top-level-rooted paths (UPDATED_OLD / UPDATED_NEW). */
export function pickPaths(item: Item | null, paths: (string | number)[][]): Item | undefined {
  if (!item) return undefined;
  const out: Item = {};
  for (const path of paths) {
    const top = path[0] as string;
    if (item[top] === undefined) continue;
    if (path.length === 1) {
      out[top] = item[top]!;
      continue;
    }
    copyPath(item[top]!, path.slice(1), out, top);
  }
  return Object.keys(out).length ? out : undefined;
}

function copyPath(source: AttributeValue | undefined, rest: (string | number)[], target: Record<string | number, AttributeValue>, slot: string | number): void {
  // Builds the same nesting in `target[slot]` holding only the element at `rest`.
  const [head, ...tail] = rest;
  let child: AttributeValue;
  if (typeof head === "number") {
    if (!source?.L || source.L[head] === undefined) return;
    const existing = target[slot]?.L ?? [];
    target[slot] = { L: existing };
    child = source.L[head]!;
    if (!tail.length) {
      existing.push(child);
      return;
    }
    const holder: Record<number, AttributeValue> = {};
    copyPath(child, tail, holder, 0);
    if (holder[0]) existing.push(holder[0]);
    return;
  }
  if (!source?.M || source.M[head!] === undefined) return;
  const m = target[slot]?.M ?? {};
  target[slot] = { M: m };
  child = source.M[head!]!;
  if (!tail.length) m[head!] = child;
  else copyPath(child, tail, m, head!);
}

export async function updateItem(input: InputOf<Ops, "UpdateItem">, ctx: RequestContext): Promise<OutputOf<Ops, "UpdateItem">> {
  const table = await requireTable(ctx, input.TableName);
  const keyItem = normalizeItem(input.Key);
  checkKey(table, keyItem);
  const exprs = new Expressions(input);
  const keyNames = table.range ? [table.hash, table.range] : [table.hash];
  const update = exprs.update(keyNames);
  const condition = exprs.condition("ConditionExpression");
  exprs.finish();
  const key = itemKey(table, keyItem);
  const { effect, result } = await mutateItem(ctx, table, key, (current) => {
    if (condition && !condition(current)) throw conditionFailed(current, input.ReturnValuesOnConditionCheckFailure);
    const base: Item = current ?? keyOf(table, keyItem);
    const applied = update ? update(base) : { item: base, updatedPaths: [] };
    checkItem(table, applied.item, true);
    return { next: applied.item, result: { old: current, updatedPaths: applied.updatedPaths } };
  });
  const next = effect?.new ?? null;
  let attributes: Item | undefined;
  switch (input.ReturnValues) {
    case "ALL_OLD": attributes = result.old ?? undefined; break;
    case "ALL_NEW": attributes = next ?? undefined; break;
    case "UPDATED_OLD": attributes = pickPaths(result.old, result.updatedPaths); break;
    case "UPDATED_NEW": attributes = pickPaths(next, result.updatedPaths); break;
  }
  return {
    ...(attributes ? { Attributes: attributes } : {}),
    ConsumedCapacity: consumedCapacity(input.ReturnConsumedCapacity, table, writeUsage(effect)),
    ItemCollectionMetrics: await itemCollectionMetrics(ctx, input.ReturnItemCollectionMetrics, table, next, partitionOf(table, keyItem)),
  };
}
