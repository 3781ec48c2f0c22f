/**
 * ProjectionExpression: parse to document paths and project an item onto them
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html).
 * Projected list elements keep their order and are compacted, as DynamoDB returns them.
 */
import type { AttributeValue, Item } from "../values/types.ts";
import { validation } from "../values/types.ts";
import type { DocumentPath } from "./ast.ts";
import { parseRawProjection } from "./parser.ts";
import { Resolver } from "./resolve.ts";
import type { ExpressionInput, ExpressionTracker } from "./tracker.ts";
import { pathsClash } from "./update.ts";

/** Parses and checks a ProjectionExpression; records the names it uses. */
export function parseProjectionExpression(text: string, input: ExpressionInput, tracker: ExpressionTracker): DocumentPath[] {
  if (text.trim() === "") throw validation("Invalid ProjectionExpression: The expression can not be empty;");
  const raw = parseRawProjection(text);
  const r = new Resolver("ProjectionExpression", input, tracker);
  const paths = raw.paths.map((p) => r.path(p));
  r.finish();
  for (let i = 0; i < paths.length; i++) {
    for (let j = i + 1; j < paths.length; j++) {
      const clash = pathsClash(paths[i]!, paths[j]!);
      if (clash) throw validation(`Invalid ProjectionExpression: ${clash}`);
    }
  }
  return paths;
}

/** Legacy AttributesToGet as projection paths (top-level names, duplicates rejected). */
export function attributesToGetPaths(names: string[]): DocumentPath[] {
  const seen = new Set<string>();
  for (const n of names) {
    if (seen.has(n)) throw validation(`One or more parameter values were invalid: Duplicate value in attribute name: ${n}`);
    seen.add(n);
  }
  return names.map((n) => [n]);
}

// Sparse tree of what to keep: true = the whole value; otherwise children by key or index.
type Pick = true | Map<string | number, Pick>;

function addPick(tree: Map<string | number, Pick>, path: DocumentPath, i: number): void {
  const k = path[i]!;
  if (i === path.length - 1) {
    tree.set(k, true);
    return;
  }
  let sub = tree.get(k);
  if (sub === true) return;
  if (!sub) tree.set(k, (sub = new Map()));
  addPick(sub, path, i + 1);
}

function pick(v: AttributeValue, p: Pick): AttributeValue | undefined {
  if (p === true) return v;
  if ("M" in v) {
    const M: Record<string, AttributeValue> = {};
    let any = false;
    for (const [k, sub] of p) {
      if (typeof k !== "string") continue;
      const child = v.M[k];
      const got = child && pick(child, sub);
      if (got) {
        M[k] = got;
        any = true;
      }
    }
    return any ? { M } : undefined;
  }
  if ("L" in v) {
    const idx = [...p.keys()].filter((k): k is number => typeof k === "number").sort((a, b) => a - b);
    const L: AttributeValue[] = [];
    for (const k of idx) {
      const child = v.L[k];
      const got = child && pick(child, p.get(k)!);
      if (got) L.push(got);
    }
    return L.length ? { L } : undefined;
  }
  return undefined;
}

/** The parts of `item` named by `paths`; attributes that do not exist are left out. */
export function project(item: Item, paths: DocumentPath[]): Item {
  const tree = new Map<string | number, Pick>();
  for (const p of paths) addPick(tree, p, 0);
  const out: Item = {};
  for (const [k, sub] of tree) {
    const v = item[k as string];
    const got = v && pick(v, sub);
    if (got) out[k as string] = got;
  }
  return out;
}
