/**
 * Key and item checks against a table's schema, with DynamoDB's messages: a `Key` must hold
 * exactly the key attributes with their defined types; an item must hold the key attributes
 * and, where it has an index key attribute, the defined type; no empty string or binary key
 * values; at most 400 KB.
 */
import { AwsError } from "../../protocol/errors.ts";
import { allIndexes, attributeType, indexKeyNames, type TableRecord } from "./table-model.ts";
import { itemSize, type AttributeValue, type Item } from "./values-adapter.ts";

export const MAX_ITEM_SIZE = 400 * 1024;

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

function typeOf(v: AttributeValue): string {
  for (const k in v) return k;
  return "";
}

function isEmptyKeyValue(v: AttributeValue): "string" | "binary" | null {
  if ("S" in v && v.S === "") return "string";
  if ("B" in v && (v.B as Uint8Array | string).length === 0) return "binary";
  return null;
}

export function schemaMismatch(): AwsError {
  return invalid("The provided key element does not match the schema");
}

/** Checks a `Key` parameter (GetItem, DeleteItem, UpdateItem, BatchGetItem, ExclusiveStartKey of a table). */
export function checkKey(table: TableRecord, key: Item): void {
  const names = Object.keys(key);
  const expected = table.range ? [table.hash, table.range] : [table.hash];
  if (names.length !== expected.length || !expected.every((n) => n in key)) throw schemaMismatch();
  for (const name of expected) {
    const v = key[name]!;
    if (typeOf(v) !== attributeType(table, name)) throw schemaMismatch();
    const empty = isEmptyKeyValue(v);
    if (empty) throw invalid(`One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${empty} value. Key: ${name}`);
  }
}

/** Checks an item to be written (PutItem, BatchWriteItem PutRequest, the result of UpdateItem). */
export function checkItem(table: TableRecord, item: Item, forUpdate = false): void {
  for (const name of table.range ? [table.hash, table.range] : [table.hash]) {
    const v = item[name];
    if (!v) throw invalid(`One or more parameter values were invalid: Missing the key ${name} in the item`);
    const expected = attributeType(table, name);
    if (typeOf(v) !== expected) {
      throw invalid(`One or more parameter values were invalid: Type mismatch for key ${name} expected: ${expected} actual: ${typeOf(v)}`);
    }
    const empty = isEmptyKeyValue(v);
    if (empty) throw invalid(`One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty ${empty} value. Key: ${name}`);
  }
  for (const index of allIndexes(table)) {
    for (const name of indexKeyNames(index)) {
      const v = item[name];
      if (!v) continue;
      const expected = attributeType(table, name);
      if (typeOf(v) !== expected) {
        throw invalid(`One or more parameter values were invalid: Type mismatch for Index Key ${name} Expected: ${expected} Actual: ${typeOf(v)} IndexName: ${index.name}`);
      }
      const empty = isEmptyKeyValue(v);
      if (empty) {
        throw invalid(`One or more parameter values are not valid. A value specified for a secondary index key is not supported. The AttributeValue for a key attribute cannot contain an empty ${empty} value. IndexName: ${index.name}, IndexKey: ${name}`);
      }
    }
  }
  if (itemSize(item) > MAX_ITEM_SIZE) throw invalid(forUpdate ? "Item size to update has exceeded the maximum allowed size" : "Item size has exceeded the maximum allowed size");
}

/** The key attributes of an item. */
export function keyOf(table: TableRecord, item: Item): Item {
  const key: Item = { [table.hash]: item[table.hash]! };
  if (table.range) key[table.range] = item[table.range]!;
  return key;
}
