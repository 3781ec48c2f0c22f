/**
 * Evaluation of resolved conditions against an item, with DynamoDB's semantics: a comparison
 * with a missing attribute or a value of another type is false (`<>` is then true); ordering
 * applies to N, S and B only; size() of a type without a size makes the comparison false.
 */
import type { AttributeValue, Item } from "../values/types.ts";
import { compareBytes, toBytes, typeOf } from "../values/types.ts";
import { compareValues, equals } from "../values/compare.ts";
import type { Condition, DocumentPath, Operand } from "./ast.ts";

/** The value at a document path, or undefined. */
export function getPath(item: Item | undefined, path: DocumentPath): AttributeValue | undefined {
  if (!item) return undefined;
  let cur: AttributeValue | undefined = item[path[0] as string];
  for (let i = 1; i < path.length && cur; i++) {
    const p = path[i]!;
    if (typeof p === "number") cur = "L" in cur ? cur.L[p] : undefined;
    else cur = "M" in cur ? cur.M[p] : undefined;
  }
  return cur;
}

/** DynamoDB's size(): characters of S, bytes of B, members of sets, L and M. */
export function sizeOf(v: AttributeValue | undefined): number | undefined {
  if (!v) return undefined;
  if ("S" in v) return [...v.S].length;
  if ("B" in v) return toBytes(v.B).length;
  if ("SS" in v) return v.SS.length;
  if ("NS" in v) return v.NS.length;
  if ("BS" in v) return v.BS.length;
  if ("L" in v) return v.L.length;
  if ("M" in v) return Object.keys(v.M).length;
  return undefined;
}

function operandValue(o: Operand, item: Item | undefined): AttributeValue | undefined {
  if (o.kind === "value") return o.value;
  if (o.kind === "path") return getPath(item, o.path);
  const n = sizeOf(getPath(item, o.path));
  return n === undefined ? undefined : { N: String(n) };
}

function contains(container: AttributeValue, member: AttributeValue): boolean {
  const mt = typeOf(member);
  if ("S" in container) return mt === "S" && container.S.includes((member as { S: string }).S);
  if ("SS" in container) return mt === "S" && container.SS.includes((member as { S: string }).S);
  if ("NS" in container) return mt === "N" && container.NS.some((n) => equals({ N: n }, member));
  if ("BS" in container) return mt === "B" && container.BS.some((b) => equals({ B: b }, member));
  if ("L" in container) return container.L.some((v) => equals(v, member));
  return false;
}

function beginsWith(v: AttributeValue, prefix: AttributeValue): boolean {
  if ("S" in v && "S" in prefix) return v.S.startsWith(prefix.S);
  if ("B" in v && "B" in prefix) {
    const a = toBytes(v.B), p = toBytes(prefix.B);
    return p.length <= a.length && compareBytes(a.subarray(0, p.length), p) === 0;
  }
  return false;
}

/** True when `item` (undefined: no item) satisfies the condition. */
export function evaluateCondition(cond: Condition, item: Item | undefined): boolean {
  switch (cond.kind) {
    case "true":
      return true;
    case "and":
      return evaluateCondition(cond.left, item) && evaluateCondition(cond.right, item);
    case "or":
      return evaluateCondition(cond.left, item) || evaluateCondition(cond.right, item);
    case "not":
      return !evaluateCondition(cond.operand, item);
    case "exists":
      return getPath(item, cond.path) !== undefined;
    case "not_exists":
      return getPath(item, cond.path) === undefined;
    case "type": {
      const v = getPath(item, cond.path), t = operandValue(cond.type, item);
      return !!v && !!t && "S" in t && typeOf(v) === t.S;
    }
    case "begins_with": {
      const v = operandValue(cond.operand, item), p = operandValue(cond.prefix, item);
      return !!v && !!p && beginsWith(v, p);
    }
    case "contains": {
      const v = operandValue(cond.operand, item), m = operandValue(cond.member, item);
      return !!v && !!m && contains(v, m);
    }
    case "not_contains": {
      const v = operandValue(cond.operand, item), m = operandValue(cond.member, item);
      return !!v && !!m && !contains(v, m);
    }
    case "in": {
      const v = operandValue(cond.operand, item);
      return !!v && cond.list.some((o) => equals(v, operandValue(o, item)));
    }
    case "between": {
      const v = operandValue(cond.operand, item);
      const lo = operandValue(cond.low, item), hi = operandValue(cond.high, item);
      if (!v || !lo || !hi) return false;
      const a = compareValues(lo, v), b = compareValues(v, hi);
      return a !== null && b !== null && a <= 0 && b <= 0;
    }
    case "compare": {
      const l = operandValue(cond.left, item), r = operandValue(cond.right, item);
      if (cond.op === "=") return equals(l, r);
      if (cond.op === "<>") return !equals(l, r);
      if (!l || !r) return false;
      const c = compareValues(l, r);
      if (c === null) return false;
      switch (cond.op) {
        case "<":
          return c < 0;
        case "<=":
          return c <= 0;
        case ">":
          return c > 0;
        default:
          return c >= 0;
      }
    }
  }
}
