/**
 * Semantic pass over a raw expression tree: resolves `#names` and `:values`, records their use,
 * and applies DynamoDB's checks (reserved words, functions, operand counts and types) with its
 * messages. When several problems exist, DynamoDB reports one; the categories below are
 * reported in its order.
 */
import type { AttributeValue } from "../values/types.ts";
import { typeOf, validation } from "../values/types.ts";
import { compareValues } from "../values/compare.ts";
import type { ExpressionKind } from "./lexer.ts";
import type { RCall, RCond, ROperand, RPath } from "./parser.ts";
import type { Condition, DocumentPath, Operand, UpdateValue } from "./ast.ts";
import { isReserved } from "./reserved.ts";
import type { ExpressionInput, ExpressionTracker } from "./tracker.ts";

// Undefined names/values, operand counts and operand types are one category: DynamoDB reports
// the first of them in written order.
const ORDER = ["parens", "unknownFunction", "misusedFunction", "reserved", "condition", "overlap"] as const;
type Category = (typeof ORDER)[number] | "attrNameVal" | "operand" | "distinct" | "function";
const CATEGORY: Record<string, (typeof ORDER)[number]> = { attrNameVal: "condition", operand: "condition", distinct: "condition", function: "condition" };

const CONDITION_FUNCTIONS: Record<string, number> = {
  attribute_exists: 1,
  attribute_not_exists: 1,
  attribute_type: 2,
  begins_with: 2,
  contains: 2,
  size: 1,
};
const UPDATE_FUNCTIONS: Record<string, number> = { if_not_exists: 2, list_append: 2 };
const TYPE_NAMES = ["S", "N", "B", "NULL", "SS", "BOOL", "L", "BS", "NS", "M"];

/** Renders a path as DynamoDB's messages do: `[a, b, [0]]`. */
export function pathString(path: DocumentPath): string {
  return "[" + path.map((p) => (typeof p === "number" ? `[${p}]` : p)).join(", ") + "]";
}

export class Resolver {
  private readonly errors: Partial<Record<(typeof ORDER)[number], string>> = {};

  constructor(
    readonly kind: ExpressionKind,
    readonly input: ExpressionInput,
    readonly tracker: ExpressionTracker,
  ) {}

  error(category: Category, message: string): void {
    const cat = CATEGORY[category] ?? (category as (typeof ORDER)[number]);
    if (!(cat in this.errors)) this.errors[cat] = message;
  }

  /** Throws the highest-priority error found, prefixed `Invalid <kind>: `. */
  finish(): void {
    for (const cat of ORDER) {
      const m = this.errors[cat];
      if (m) throw validation(`Invalid ${this.kind}: ${m}`);
    }
  }

  path(p: RPath): DocumentPath {
    const out: DocumentPath = [];
    for (const e of p.elems) {
      if (e.k === "index") out.push(e.i);
      else if (e.k === "id") {
        if (isReserved(e.name)) this.error("reserved", `Attribute name is a reserved keyword; reserved keyword: ${e.name}`);
        out.push(e.name);
      } else {
        const name = this.input.names?.[e.ref];
        if (name === undefined) {
          this.error("attrNameVal", `An expression attribute name used in the document path is not defined; attribute name: ${e.ref}`);
          out.push(e.ref);
        } else {
          this.tracker.names.add(e.ref);
          out.push(name);
        }
      }
    }
    return out;
  }

  value(ref: string): AttributeValue | undefined {
    const v = this.input.values?.[ref];
    if (v === undefined) {
      this.error("attrNameVal", `An expression attribute value used in expression is not defined; attribute value: ${ref}`);
      return undefined;
    }
    this.tracker.values.add(ref);
    return v;
  }

  // ---- conditions ----

  condition(c: RCond): Condition {
    switch (c.t) {
      case "and":
      case "or":
        return { kind: c.t, left: this.condition(c.l), right: this.condition(c.r) };
      case "not":
        return { kind: "not", operand: this.condition(c.c) };
      case "cmp": {
        const left = this.operand(c.l), right = this.operand(c.r);
        this.checkDistinct(c.op, c.l, c.r, left, right);
        if (c.op !== "=" && c.op !== "<>") {
          for (const o of [left, right]) {
            if (o.kind === "value") {
              const t = typeOf(o.value);
              if (t !== "N" && t !== "S" && t !== "B") {
                this.error("function", `Incorrect operand type for operator or function; operator or function: ${c.op}, operand type: ${t}`);
              }
            }
          }
        }
        return { kind: "compare", op: c.op, left, right };
      }
      case "between": {
        const operand = this.operand(c.x), low = this.operand(c.lo), high = this.operand(c.hi);
        for (const o of [operand, low, high]) {
          const t = this.staticType(o);
          if (t && t !== "N" && t !== "S" && t !== "B") {
            this.error("function", `Incorrect operand type for operator or function; operator or function: BETWEEN, operand type: ${t}`);
          }
        }
        if (low.kind === "value" && high.kind === "value") {
          const lt = typeOf(low.value), ht = typeOf(high.value);
          const show = (v: AttributeValue, t: string) => `AttributeValue: {${t}:${(v as Record<string, unknown>)[t]}}`;
          if (lt !== ht) {
            this.error("function", `The BETWEEN operator requires same data type for lower and upper bounds; lower bound operand: ${show(low.value, lt)}, upper bound operand: ${show(high.value, ht)}`);
          } else if ((compareValues(low.value, high.value) ?? 0) > 0) {
            this.error("function", `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower bound operand: ${show(low.value, lt)}, upper bound operand: ${show(high.value, ht)}`);
          }
        }
        return { kind: "between", operand, low, high };
      }
      case "in": {
        if (c.list.length > 100) {
          this.error("operand", `Too many operands for operator or function; operator or function: IN, number of operands: ${c.list.length + 1}`);
        }
        return { kind: "in", operand: this.operand(c.x), list: c.list.map((o) => this.operand(o)) };
      }
      case "fn":
        return this.functionCondition(c.call);
    }
  }

  private checkDistinct(op: string, a: ROperand, b: ROperand, ra: Operand, rb: Operand): void {
    if (a.t === "path" && b.t === "path" && ra.kind === "path" && rb.kind === "path") {
      const x = ra.path, y = rb.path;
      if (x.length === y.length && x.every((p, i) => p === y[i])) {
        this.error("distinct", `The first operand must be distinct from the remaining operands for this operator or function; operator: ${op}, first operand: ${pathString(x)}`);
      }
    }
  }

  private knownFunction(call: RCall, allowed: Record<string, number>, other: Record<string, number>, where: "condition" | "update"): boolean {
    if (!(call.name in allowed)) {
      if (call.name in other) {
        this.error("misusedFunction", `The function is not allowed in ${where === "condition" ? "a condition" : "an update"} expression; function: ${call.name}`);
      } else {
        this.error("unknownFunction", `Invalid function name; function: ${call.name}`);
      }
      return false;
    }
    if (allowed[call.name] !== call.args.length) {
      this.error("operand", `Incorrect number of operands for operator or function; operator or function: ${call.name}, number of operands: ${call.args.length}`);
      return false;
    }
    return true;
  }

  private requirePath(call: RCall, arg: ROperand | undefined): DocumentPath {
    if (arg?.t === "path") return this.path(arg);
    this.error("function", `Operator or function requires a document path; operator or function: ${call.name}`);
    if (arg) this.operand(arg);
    return [];
  }

  private functionCondition(call: RCall): Condition {
    if (!this.knownFunction(call, CONDITION_FUNCTIONS, UPDATE_FUNCTIONS, "condition")) {
      call.args.forEach((a) => this.operandQuiet(a));
      return { kind: "true" };
    }
    const [a, b] = call.args;
    switch (call.name) {
      case "size":
        this.error("misusedFunction", `The function is not allowed to be used this way in an expression; function: size`);
        return { kind: "true" };
      case "attribute_exists":
        return { kind: "exists", path: this.requirePath(call, a) };
      case "attribute_not_exists":
        return { kind: "not_exists", path: this.requirePath(call, a) };
      case "attribute_type": {
        const path = this.requirePath(call, a);
        const type = this.operand(b!);
        if (type.kind === "value") {
          const t = typeOf(type.value);
          if (t !== "S") {
            this.error("function", `Incorrect operand type for operator or function; operator or function: attribute_type, operand type: ${t}`);
          } else if (!TYPE_NAMES.includes((type.value as { S: string }).S)) {
            this.error("function", `Invalid attribute type name found; type: ${(type.value as { S: string }).S}, valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}`);
          }
        }
        return { kind: "type", path, type };
      }
      case "begins_with": {
        const operand = this.operand(a!), prefix = this.operand(b!);
        this.checkDistinct("begins_with", a!, b!, operand, prefix);
        for (const o of [operand, prefix]) {
          const t = this.staticType(o);
          if (t && t !== "S" && t !== "B") {
            this.error("function", `Incorrect operand type for operator or function; operator or function: begins_with, operand type: ${t}`);
          }
        }
        return { kind: "begins_with", operand, prefix };
      }
      default: {
        const operand = this.operand(a!), member = this.operand(b!);
        this.checkDistinct("contains", a!, b!, operand, member);
        return { kind: "contains", operand, member };
      }
    }
  }

  private staticType(o: Operand): string | undefined {
    if (o.kind === "value") return typeOf(o.value);
    if (o.kind === "size") return "N";
    return undefined;
  }

  private operandQuiet(o: ROperand): void {
    if (o.t === "path") this.path(o);
    else if (o.t === "value") this.value(o.ref);
    else if (o.t === "call") o.args.forEach((a) => this.operandQuiet(a));
    else {
      this.operandQuiet(o.left);
      this.operandQuiet(o.right);
    }
  }

  /** An operand inside a condition: a path, a value or size(path). */
  operand(o: ROperand): Operand {
    if (o.t === "path") return { kind: "path", path: this.path(o) };
    if (o.t === "value") return { kind: "value", value: this.value(o.ref) ?? { NULL: true } };
    if (o.t === "arith") {
      this.operandQuiet(o);
      return { kind: "value", value: { NULL: true } };
    }
    if (!this.knownFunction(o, CONDITION_FUNCTIONS, UPDATE_FUNCTIONS, "condition")) {
      o.args.forEach((a) => this.operandQuiet(a));
      return { kind: "value", value: { NULL: true } };
    }
    if (o.name !== "size") {
      this.error("misusedFunction", `The function is not allowed to be used this way in an expression; function: ${o.name}`);
      o.args.forEach((a) => this.operandQuiet(a));
      return { kind: "value", value: { NULL: true } };
    }
    const arg = o.args[0]!;
    if (arg.t === "value") {
      const v = this.value(arg.ref);
      const t = v && typeOf(v);
      if (t === "N" || t === "BOOL" || t === "NULL") {
        this.error("function", `Incorrect operand type for operator or function; operator or function: size, operand type: ${t}`);
      }
    }
    return { kind: "size", path: this.requirePath(o, arg) };
  }

  // ---- update values ----

  updateValue(o: ROperand): UpdateValue {
    if (o.t === "path") return { kind: "path", path: this.path(o) };
    if (o.t === "value") return { kind: "value", value: this.value(o.ref) ?? { NULL: true } };
    if (o.t === "arith") {
      const left = this.updateValue(o.left), right = this.updateValue(o.right);
      for (const side of [left, right]) {
        if (side.kind === "value" && typeOf(side.value) !== "N" && this.input.values) {
          this.error("function", `Incorrect operand type for operator or function; operator or function: ${o.op}, operand type: ${typeOf(side.value)}`);
        }
      }
      return { kind: o.op === "+" ? "plus" : "minus", left, right };
    }
    if (!this.knownFunction(o, UPDATE_FUNCTIONS, CONDITION_FUNCTIONS, "update")) {
      o.args.forEach((a) => this.operandQuiet(a));
      return { kind: "value", value: { NULL: true } };
    }
    if (o.name === "if_not_exists") {
      const path = this.requirePath(o, o.args[0]);
      return { kind: "if_not_exists", path, fallback: this.updateValue(o.args[1]!) };
    }
    const left = this.updateValue(o.args[0]!), right = this.updateValue(o.args[1]!);
    for (const side of [left, right]) {
      if (side.kind === "value" && typeOf(side.value) !== "L" && this.input.values) {
        this.error("function", `Incorrect operand type for operator or function; operator or function: list_append, operand type: ${typeOf(side.value)}`);
      }
    }
    return { kind: "list_append", left, right };
  }
}
