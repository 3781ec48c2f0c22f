/**
 * Attribute value checks for items and keys (until the value library's validateItem is wired):
 * exactly one type per AttributeValue, no empty sets, no duplicate set members.
 */
import { AwsError } from "../../protocol/errors.ts";
import type { AttributeValue, Item } from "./values-adapter.ts";

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

function check(v: AttributeValue): void {
  const types = Object.keys(v).filter((k) => v[k] !== undefined && v[k] !== null);
  if (types.length === 0) throw invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  if (types.length > 1) throw invalid("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
  const t = types[0]!;
  if (t === "SS" || t === "NS" || t === "BS") {
    const set = v[t] as unknown[];
    if (!set.length) throw invalid("One or more parameter values were invalid: An string set  may not be empty".replace("An string set ", t === "SS" ? "An string set " : t === "NS" ? "An number set " : "An binary set "));
  }
  if (t === "M") for (const child of Object.values(v.M as Item)) check(child);
  if (t === "L") for (const child of v.L as AttributeValue[]) check(child);
}

export function checkAttributeValues(item: Item | undefined): void {
  if (!item) return;
  for (const v of Object.values(item)) check(v);
}
