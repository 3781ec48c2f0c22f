/**
 * UpdateExpression: parse (SET, REMOVE, ADD, DELETE, each at most once) and apply
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html).
 * Right-hand sides are computed from the item as it was before the update; REMOVE of list
 * elements uses the original indexes.
 */
import type { AttributeValue, Item } from "../values/types.ts";
import { typeOf, validation } from "../values/types.ts";
import { addDecimals, formatDecimal, toDecimal } from "../values/numbers.ts";
import { equals } from "../values/compare.ts";
import type { DocumentPath, UpdateAction, UpdatePlan, UpdateValue } from "./ast.ts";
import { getPath } from "./evaluate.ts";
import { parseRawUpdate } from "./parser.ts";
import { Resolver, pathString } from "./resolve.ts";
import type { ExpressionInput, ExpressionTracker } from "./tracker.ts";

const OPERAND_TYPE_NAMES: Record<string, string> = {
  S: "STRING", N: "NUMBER", B: "BINARY", BOOL: "BOOLEAN", NULL: "NULL", M: "MAP", L: "LIST",
  SS: "STRING_SET", NS: "NUMBER_SET", BS: "BINARY_SET",
};

/**
 * Two paths overlap when one is a prefix of the other, and conflict when they first differ at
 * a list index on one side and a map key on the other. Returns DynamoDB's message or undefined.
 */
export function pathsClash(a: DocumentPath, b: DocumentPath): string | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] === b[i]) continue;
    if (typeof a[i] !== typeof b[i]) {
      return `Two document paths conflict with each other; must remove or rewrite one of these paths; path one: ${pathString(a)}, path two: ${pathString(b)}`;
    }
    return undefined;
  }
  return `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: ${pathString(a)}, path two: ${pathString(b)}`;
}

/** Parses and checks an UpdateExpression; records the names and values it uses. */
export function parseUpdateExpression(text: string, input: ExpressionInput, tracker: ExpressionTracker): UpdatePlan {
  if (text.trim() === "") throw validation("Invalid UpdateExpression: The expression can not be empty;");
  const raw = parseRawUpdate(text);
  const r = new Resolver("UpdateExpression", input, tracker);
  if (raw.redundantParens) r.error("parens", "The expression has redundant parentheses;");
  const actions: UpdateAction[] = [];
  for (const a of raw.actions) {
    const path = r.path(a.path);
    if (a.action === "SET") actions.push({ action: "SET", path, value: r.updateValue(a.value) });
    else if (a.action === "REMOVE") actions.push({ action: "REMOVE", path });
    else {
      const value = r.value(a.value.ref) ?? { NULL: true };
      const t = typeOf(value);
      const ok = a.action === "ADD" ? ["N", "SS", "NS", "BS"].includes(t) : ["SS", "NS", "BS"].includes(t);
      if (!ok && input.values?.[a.value.ref]) {
        r.error("function", `Incorrect operand type for operator or function; operator: ${a.action}, operand type: ${OPERAND_TYPE_NAMES[t]}, typeSet: ALLOWED_FOR_${a.action}_OPERAND`);
      }
      actions.push({ action: a.action, path, value });
    }
  }
  r.finish();
  if (raw.repeatedClause) {
    throw validation(`Invalid UpdateExpression: The "${raw.repeatedClause}" section can only be used once in an update expression;`);
  }
  for (let i = 0; i < actions.length; i++) {
    for (let j = i + 1; j < actions.length; j++) {
      const clash = pathsClash(actions[i]!.path, actions[j]!.path);
      if (clash) throw validation(`Invalid UpdateExpression: ${clash}`);
    }
  }
  return { actions };
}

/** Rejects updates of key attributes: "Cannot update attribute pk. This attribute is part of the key". */
export function assertNoKeyUpdates(plan: UpdatePlan, keyAttributeNames: string[]): void {
  for (const a of plan.actions) {
    const head = a.path[0] as string;
    if (keyAttributeNames.includes(head)) {
      throw validation(`One or more parameter values were invalid: Cannot update attribute ${head}. This attribute is part of the key`);
    }
  }
}

const INCORRECT_TYPE = "An operand in the update expression has an incorrect data type";
const INVALID_PATH = "The document path provided in the update expression is invalid for update";
const MISSING_ATTRIBUTE = "The provided expression refers to an attribute that does not exist in the item";

function compute(v: UpdateValue, item: Item): AttributeValue {
  switch (v.kind) {
    case "value":
      return v.value;
    case "path": {
      const found = getPath(item, v.path);
      if (!found) throw validation(MISSING_ATTRIBUTE);
      return found;
    }
    case "if_not_exists":
      return getPath(item, v.path) ?? compute(v.fallback, item);
    case "list_append": {
      const l = compute(v.left, item), r = compute(v.right, item);
      if (!("L" in l) || !("L" in r)) throw validation(INCORRECT_TYPE);
      return { L: [...l.L, ...r.L] };
    }
    case "plus":
    case "minus": {
      const l = compute(v.left, item), r = compute(v.right, item);
      if (!("N" in l) || !("N" in r)) throw validation(INCORRECT_TYPE);
      const b = toDecimal(r.N);
      const sum = addDecimals(toDecimal(l.N), v.kind === "plus" ? b : { coef: -b.coef, exp: b.exp });
      return { N: formatDecimal(sum) };
    }
  }
}

type Container = { M: Record<string, AttributeValue> } | { L: AttributeValue[] };

/** Copies the containers along `path` (all but the last element) and returns the parent. */
function parentFor(root: Record<string, AttributeValue>, path: DocumentPath): Container | Record<string, AttributeValue> | undefined {
  let parent: Container | Record<string, AttributeValue> = root;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i]!;
    let child: AttributeValue | undefined;
    if (i === 0) child = (parent as Record<string, AttributeValue>)[key as string];
    else if ("M" in parent && typeof key === "string") child = (parent.M as Record<string, AttributeValue>)[key];
    else if ("L" in parent && typeof key === "number") child = (parent.L as AttributeValue[])[key];
    if (!child) return undefined;
    const next: Container | undefined = typeof path[i + 1] === "number" ? ("L" in child ? { L: [...child.L] } : undefined) : "M" in child ? { M: { ...child.M } } : undefined;
    if (!next) return undefined;
    if (i === 0) (parent as Record<string, AttributeValue>)[key as string] = next;
    else if ("M" in parent) (parent.M as Record<string, AttributeValue>)[key as string] = next;
    else (parent.L as AttributeValue[])[key as number] = next;
    parent = next;
  }
  return parent;
}

function setAt(root: Item, path: DocumentPath, value: AttributeValue): void {
  if (path.length === 1) {
    root[path[0] as string] = value;
    return;
  }
  const parent = parentFor(root, path);
  if (!parent) throw validation(INVALID_PATH);
  const last = path[path.length - 1]!;
  if (typeof last === "number") {
    const list = (parent as { L: AttributeValue[] }).L;
    if (last >= list.length) list.push(value);
    else list[last] = value;
  } else (parent as { M: Record<string, AttributeValue> }).M[last] = value;
}

function removeAt(root: Item, path: DocumentPath): void {
  if (path.length === 1) {
    delete root[path[0] as string];
    return;
  }
  const parent = parentFor(root, path);
  if (!parent) return;
  const last = path[path.length - 1]!;
  if (typeof last === "number") {
    const list = (parent as { L: AttributeValue[] }).L;
    if (last < list.length) list.splice(last, 1);
  } else delete (parent as { M: Record<string, AttributeValue> }).M[last];
}

function setAdd(existing: AttributeValue, add: AttributeValue): AttributeValue {
  const t = typeOf(add);
  if (typeOf(existing) !== t) throw validation(INCORRECT_TYPE);
  const cur = (existing as Record<string, unknown[]>)[t]!, extra = (add as Record<string, unknown[]>)[t]!;
  const out = [...cur];
  for (const x of extra) if (!out.some((y) => equals({ [t.slice(0, 1)]: y } as AttributeValue, { [t.slice(0, 1)]: x } as AttributeValue))) out.push(x);
  return { [t]: out } as AttributeValue;
}

function setDelete(existing: AttributeValue, del: AttributeValue): AttributeValue | undefined {
  const t = typeOf(del);
  if (typeOf(existing) !== t) throw validation(INCORRECT_TYPE);
  const s = t.slice(0, 1);
  const cur = (existing as Record<string, unknown[]>)[t]!, drop = (del as Record<string, unknown[]>)[t]!;
  const out = cur.filter((x) => !drop.some((y) => equals({ [s]: x } as AttributeValue, { [s]: y } as AttributeValue)));
  return out.length ? ({ [t]: out } as AttributeValue) : undefined;
}

/**
 * Applies a plan to an item (which is not modified) and returns the new item and the paths
 * the update touched (for ReturnValues UPDATED_OLD/UPDATED_NEW). Throws ValidationException
 * for key attribute updates, type mismatches, and paths that cannot be updated.
 */
export function applyUpdate(plan: UpdatePlan, item: Item, keyAttributeNames: string[]): { item: Item; updatedPaths: DocumentPath[] } {
  assertNoKeyUpdates(plan, keyAttributeNames);
  const out: Item = { ...item };
  // Right-hand sides see the item as it was.
  const sets = plan.actions.map((a) => (a.action === "SET" ? compute(a.value, item) : undefined));
  const removes: DocumentPath[] = [];
  plan.actions.forEach((a, i) => {
    switch (a.action) {
      case "SET":
        setAt(out, a.path, sets[i]!);
        break;
      case "REMOVE":
        removes.push(a.path);
        break;
      case "ADD": {
        const existing = getPath(out, a.path);
        if (!existing) {
          if (a.path.length > 1 && !parentFor({ ...out }, a.path)) throw validation(INVALID_PATH);
          setAt(out, a.path, "N" in a.value ? { N: formatDecimal(toDecimal(a.value.N)) } : a.value);
        } else if ("N" in a.value) {
          if (!("N" in existing)) throw validation(INCORRECT_TYPE);
          setAt(out, a.path, { N: formatDecimal(addDecimals(toDecimal(existing.N), toDecimal(a.value.N))) });
        } else setAt(out, a.path, setAdd(existing, a.value));
        break;
      }
      case "DELETE": {
        const existing = getPath(out, a.path);
        if (!existing) {
          if (a.path.length > 1 && !parentFor({ ...out }, a.path)) throw validation(INVALID_PATH);
          break;
        }
        const left = setDelete(existing, a.value);
        if (left) setAt(out, a.path, left);
        else removeAt(out, a.path);
        break;
      }
    }
  });
  // Later list indexes first, so earlier indexes still name the original elements.
  removes.sort((a, b) => {
    const x = a[a.length - 1], y = b[b.length - 1];
    return typeof x === "number" && typeof y === "number" ? y - x : 0;
  });
  for (const p of removes) removeAt(out, p);
  return { item: out, updatedPaths: plan.actions.map((a) => a.path) };
}
