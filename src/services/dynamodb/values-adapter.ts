/**
 * What the service needs from the value library (`values/`), with the loose item type the
 * handlers use (items arrive from the codec as plain objects).
 */
import { itemSize as libItemSize, keyPart as libKeyPart, validateItem } from "./values/index.ts";

export type AttributeValue = Record<string, any>;
export type Item = Record<string, AttributeValue>;

/** Store key part for a key attribute value, in DynamoDB's order for its type (S, N or B). */
export function keyPart(value: AttributeValue): string | Uint8Array {
  return libKeyPart(value as any);
}

/** Item size in bytes as DynamoDB counts it (attribute names plus values). */
export function itemSize(item: Item): number {
  return libItemSize(item as any);
}

/**
 * Validates every attribute value of an item (or key) and returns it with numbers in
 * canonical form, as DynamoDB stores and returns them; checks the 400 KB limit.
 */
export function normalizeItem(item: Item): Item {
  return validateItem(item as any) as Item;
}
