/**
 * What the service needs from the value library (`values/`), with the loose item type the
 * handlers use (items arrive from the codec as plain objects).
 */
import {
  itemSize as libItemSize, keyPart as libKeyPart, validateItem,
  type AttributeValue as LibAttributeValue, type Binary, type Item as LibItem,
} from "./values/index.ts";

/**
 * An attribute value as handlers read it: the model's members (exactly one set once validated;
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_AttributeValue.html),
 * binary as bytes from the codec or base64 text from the store. Checked shape lives in
 * `values/` (`LibAttributeValue`); this one lets handlers test `v.S !== undefined`.
 */
// A type literal, not an interface: it then fits `Record<string, unknown>` (stored stream images).
export type AttributeValue = {
  S?: string;
  N?: string;
  B?: Binary;
  SS?: string[];
  NS?: string[];
  BS?: Binary[];
  M?: Record<string, AttributeValue>;
  L?: AttributeValue[];
  NULL?: boolean;
  BOOL?: boolean;
};
export type Item = Record<string, AttributeValue>;

/** The value library's view of a (validated) value or item. */
export const asLibValue = (value: AttributeValue): LibAttributeValue => value as LibAttributeValue;
export const asLibItem = (item: Item): LibItem => item as LibItem;

/** Store key part for a key attribute value, in DynamoDB's order for its type (S, N or B). */
export function keyPart(value: AttributeValue): string | Uint8Array {
  return libKeyPart(asLibValue(value));
}

/** Item size in bytes as DynamoDB counts it (attribute names plus values). */
export function itemSize(item: Item): number {
  return libItemSize(asLibItem(item));
}

/**
 * Validates every attribute value of an item (or key) and returns it with numbers in
 * canonical form, as DynamoDB stores and returns them; checks the 400 KB limit.
 */
export function normalizeItem(item: Item): Item {
  return validateItem(asLibItem(item));
}
