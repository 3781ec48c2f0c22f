/**
 * The PartiQL subset DynamoDB accepts, parsed into the expression library's own forms
 * (conditions, update actions, document paths) so evaluation is shared with the expression API.
 * Source: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.statements.html
 *
 *   SELECT * | path, ... FROM table[."index"] [WHERE condition]
 *   INSERT INTO table VALUE { 'name': value, ... }
 *   UPDATE table (SET path = update-value [, ...] | REMOVE path [, ...])+ [WHERE condition] [RETURNING (ALL|MODIFIED) (OLD|NEW) *]
 *   DELETE FROM table [WHERE condition] [RETURNING ALL OLD *]
 *
 * Values: 'string' ('' escapes a quote), numbers, TRUE, FALSE, NULL, {'k': v}, [v, ...],
 * <<v, ...>> (string, number or binary sets), and `?` (the next of `Parameters`). Names are bare
 * identifiers or "double-quoted"; keywords are case-insensitive. Conditions: comparisons
 * (= <> != < <= > >=), AND, OR, NOT, parentheses, BETWEEN, IN [..], IS [NOT] MISSING,
 * begins_with, contains, attribute_type, size, exists-style functions.
 * Malformed text is a ValidationException "Statement wasn't well formed, can't be processed: ...".
 */
import { AwsError } from "../../../protocol/errors.ts";
import type { Condition, DocumentPath, Operand, UpdateAction, UpdateValue } from "../expressions/index.ts";
import { validateAttributeValue } from "../values/index.ts";
import { asLibValue, type AttributeValue } from "../values-adapter.ts";

export type Returning = "ALL_OLD" | "MODIFIED_OLD" | "ALL_NEW" | "MODIFIED_NEW";

export type Statement =
  | { kind: "select"; table: string; index?: string; projection: DocumentPath[] | null; where?: Condition }
  | { kind: "insert"; table: string; item: Record<string, AttributeValue> }
  | { kind: "update"; table: string; actions: UpdateAction[]; where?: Condition; returning?: Returning }
  | { kind: "delete"; table: string; where?: Condition; returning?: Returning };

type Token =
  | { t: "word"; v: string; pos: number }
  | { t: "qname"; v: string; pos: number }
  | { t: "string"; v: string; pos: number }
  | { t: "number"; v: string; pos: number }
  | { t: "punct"; v: string; pos: number }
  | { t: "param"; pos: number }
  | { t: "end"; pos: number };

function malformed(detail: string): AwsError {
  return new AwsError("ValidationException", `Statement wasn't well formed, can't be processed: ${detail}`, 400);
}

const PUNCT = [";", "<<", ">>", "<>", "!=", "<=", ">=", "=", "<", ">", "(", ")", "[", "]", "{", "}", ",", ".", ":", "*", "+", "-"];

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) { i++; continue; }
    if (c === "-" && text[i + 1] === "-") { // comment to end of line
      while (i < text.length && text[i] !== "\n") i++;
      continue;
    }
    const pos = i;
    if (c === "'" || c === '"') {
      let v = "";
      i++;
      for (;;) {
        if (i >= text.length) throw malformed(`Unterminated ${c === "'" ? "string" : "quoted identifier"} at position ${pos}`);
        if (text[i] === c) {
          if (text[i + 1] === c) { v += c; i += 2; continue; }
          i++;
          break;
        }
        v += text[i++];
      }
      tokens.push(c === "'" ? { t: "string", v, pos } : { t: "qname", v, pos });
      continue;
    }
    if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      const m = /^(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?/.exec(text.slice(i))!;
      tokens.push({ t: "number", v: m[0], pos });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_$]/.test(c)) {
      const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(i))!;
      tokens.push({ t: "word", v: m[0], pos });
      i += m[0].length;
      continue;
    }
    if (c === "?") { tokens.push({ t: "param", pos }); i++; continue; }
    const p = PUNCT.find((x) => text.startsWith(x, i));
    if (!p) throw malformed(`Unexpected character '${c}' at position ${pos}`);
    tokens.push({ t: "punct", v: p, pos });
    i += p.length;
  }
  tokens.push({ t: "end", pos: text.length });
  return tokens;
}

const FUNCTIONS = new Set(["begins_with", "contains", "attribute_type", "size", "exists", "missing"]);

class Parser {
  private i = 0;
  paramsUsed = 0;
  constructor(private readonly tokens: Token[], private readonly params: AttributeValue[]) {}

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)]!;
  }
  private next(): Token {
    return this.tokens[this.i++ < this.tokens.length ? this.i - 1 : this.tokens.length - 1]!;
  }
  private isWord(word: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.t === "word" && t.v.toUpperCase() === word;
  }
  private isPunct(p: string): boolean {
    const t = this.peek();
    return t.t === "punct" && t.v === p;
  }
  private describe(t: Token): string {
    if (t.t === "end") return "unexpected end of statement";
    if (t.t === "param") return `unexpected token '?' at position ${t.pos}`;
    return `unexpected token '${t.t === "string" ? `'${t.v}'` : t.v}' at position ${t.pos}`;
  }
  private fail(): never {
    throw malformed(this.describe(this.peek()));
  }
  expectWord(word: string): void {
    if (!this.isWord(word)) this.fail();
    this.i++;
  }
  private expectPunct(p: string): void {
    if (!this.isPunct(p)) this.fail();
    this.i++;
  }
  private acceptWord(word: string): boolean {
    if (!this.isWord(word)) return false;
    this.i++;
    return true;
  }
  private acceptPunct(p: string): boolean {
    if (!this.isPunct(p)) return false;
    this.i++;
    return true;
  }
  expectEnd(): void {
    this.acceptPunct(";");
    if (this.peek().t !== "end") this.fail();
  }

  statement(): Statement {
    const t = this.peek();
    if (t.t !== "word") this.fail();
    switch (t.v.toUpperCase()) {
      case "SELECT": return this.select();
      case "INSERT": return this.insert();
      case "UPDATE": return this.update();
      case "DELETE": return this.delete();
      case "EXISTS": throw malformed("EXISTS is only supported in ExecuteTransaction conditions");
      default:
        throw new AwsError("ValidationException", `Statement wasn't well formed, can't be processed: Unsupported statement type '${t.v}'`, 400);
    }
  }

  private name(): string {
    const t = this.next();
    if (t.t === "word" || t.t === "qname") return t.v;
    this.i--;
    this.fail();
  }

  private tableRef(): { table: string; index?: string } {
    const table = this.name();
    if (this.acceptPunct(".")) return { table, index: this.name() };
    return { table };
  }

  private select(): Statement {
    this.expectWord("SELECT");
    let projection: DocumentPath[] | null = null;
    if (!this.acceptPunct("*")) {
      projection = [this.path()];
      while (this.acceptPunct(",")) projection.push(this.path());
    }
    this.expectWord("FROM");
    const ref = this.tableRef();
    const where = this.acceptWord("WHERE") ? this.condition() : undefined;
    this.expectEnd();
    return { kind: "select", ...ref, projection, ...(where ? { where } : {}) };
  }

  private insert(): Statement {
    this.expectWord("INSERT");
    this.expectWord("INTO");
    const table = this.name();
    this.expectWord("VALUE");
    const v = this.value();
    if (!("M" in v)) throw malformed("INSERT VALUE must be a tuple of attribute names and values");
    this.expectEnd();
    return { kind: "insert", table, item: v.M as Record<string, AttributeValue> };
  }

  private delete(): Statement {
    this.expectWord("DELETE");
    this.expectWord("FROM");
    const table = this.name();
    const where = this.acceptWord("WHERE") ? this.condition() : undefined;
    const returning = this.returning(["ALL_OLD"]);
    this.expectEnd();
    return { kind: "delete", table, ...(where ? { where } : {}), ...(returning ? { returning } : {}) };
  }

  private returning(allowed: Returning[]): Returning | undefined {
    if (!this.acceptWord("RETURNING")) return undefined;
    const scope = this.acceptWord("ALL") ? "ALL" : this.acceptWord("MODIFIED") ? "MODIFIED" : this.fail();
    const age = this.acceptWord("OLD") ? "OLD" : this.acceptWord("NEW") ? "NEW" : this.fail();
    this.expectPunct("*");
    const r = `${scope}_${age}` as Returning;
    if (!allowed.includes(r)) throw new AwsError("ValidationException", `Unsupported RETURNING option: ${scope} ${age} *`, 400);
    return r;
  }

  private update(): Statement {
    this.expectWord("UPDATE");
    const table = this.name();
    const actions: UpdateAction[] = [];
    for (;;) {
      if (this.acceptWord("SET")) {
        do actions.push(this.setAction()); while (this.acceptPunct(","));
      } else if (this.acceptWord("REMOVE")) {
        do actions.push({ action: "REMOVE", path: this.path() }); while (this.acceptPunct(","));
      } else break;
    }
    if (!actions.length) this.fail();
    const where = this.acceptWord("WHERE") ? this.condition() : undefined;
    const returning = this.returning(["ALL_OLD", "MODIFIED_OLD", "ALL_NEW", "MODIFIED_NEW"]);
    this.expectEnd();
    return { kind: "update", table, actions, ...(where ? { where } : {}), ...(returning ? { returning } : {}) };
  }

  private setAction(): UpdateAction {
    const path = this.path();
    this.expectPunct("=");
    const fn = this.peek();
    if (fn.t === "word" && (fn.v.toLowerCase() === "set_add" || fn.v.toLowerCase() === "set_delete") && this.peek(1).t === "punct") {
      this.i++;
      this.expectPunct("(");
      const target = this.path();
      this.expectPunct(",");
      const value = this.value();
      this.expectPunct(")");
      if (JSON.stringify(target) !== JSON.stringify(path)) throw malformed(`${fn.v} must name the attribute being set`);
      return { action: fn.v.toLowerCase() === "set_add" ? "ADD" : "DELETE", path, value: asLibValue(value) };
    }
    return { action: "SET", path, value: this.updateValue() };
  }

  private updateValue(): UpdateValue {
    let left = this.updateTerm();
    for (;;) {
      if (this.acceptPunct("+")) left = { kind: "plus", left, right: this.updateTerm() };
      else if (this.acceptPunct("-")) left = { kind: "minus", left, right: this.updateTerm() };
      else return left;
    }
  }

  private updateTerm(): UpdateValue {
    const t = this.peek();
    if (t.t === "word" && t.v.toLowerCase() === "list_append" && this.peek(1).t === "punct") {
      this.i++;
      this.expectPunct("(");
      const a = this.updateValue();
      this.expectPunct(",");
      const b = this.updateValue();
      this.expectPunct(")");
      return { kind: "list_append", left: a, right: b };
    }
    if (t.t === "word" && t.v.toLowerCase() === "if_not_exists" && this.peek(1).t === "punct") {
      this.i++;
      this.expectPunct("(");
      const p = this.path();
      this.expectPunct(",");
      const fallback = this.updateValue();
      this.expectPunct(")");
      return { kind: "if_not_exists", path: p, fallback };
    }
    if (this.startsPath()) return { kind: "path", path: this.path() };
    return { kind: "value", value: asLibValue(this.value()) };
  }

  private startsPath(): boolean {
    const t = this.peek();
    if (t.t === "qname") return true;
    if (t.t !== "word") return false;
    const u = t.v.toUpperCase();
    return !["TRUE", "FALSE", "NULL", "MISSING"].includes(u);
  }

  path(): DocumentPath {
    const path: DocumentPath = [this.name()];
    for (;;) {
      if (this.acceptPunct(".")) path.push(this.name());
      else if (this.acceptPunct("[")) {
        const t = this.next();
        if (t.t === "number" && /^\d+$/.test(t.v)) path.push(Number(t.v));
        else if (t.t === "string") path.push(t.v);
        else {
          this.i--;
          this.fail();
        }
        this.expectPunct("]");
      } else return path;
    }
  }

  /** A literal or parameter, as an AttributeValue. */
  value(): AttributeValue {
    const t = this.next();
    switch (t.t) {
      case "string": return { S: t.v };
      case "number": return { N: t.v };
      case "param": {
        const v = this.params[this.paramsUsed++];
        return v ?? { NULL: true };
      }
      case "word": {
        const u = t.v.toUpperCase();
        if (u === "TRUE" || u === "FALSE") return { BOOL: u === "TRUE" };
        if (u === "NULL") return { NULL: true };
        break;
      }
      case "punct": {
        if (t.v === "-") {
          const n = this.next();
          if (n.t === "number") return { N: `-${n.v}` };
          break;
        }
        if (t.v === "{") {
          const m: Record<string, AttributeValue> = {};
          if (!this.acceptPunct("}")) {
            do {
              const k = this.next();
              if (k.t !== "string" && k.t !== "qname") { this.i--; this.fail(); }
              this.expectPunct(":");
              m[k.v] = this.value();
            } while (this.acceptPunct(","));
            this.expectPunct("}");
          }
          return { M: m };
        }
        if (t.v === "[") {
          const l: AttributeValue[] = [];
          if (!this.acceptPunct("]")) {
            do l.push(this.value()); while (this.acceptPunct(","));
            this.expectPunct("]");
          }
          return { L: l };
        }
        if (t.v === "<<") {
          const members: AttributeValue[] = [];
          do members.push(this.value()); while (this.acceptPunct(","));
          this.expectPunct(">>");
          const kinds = new Set(members.map((m) => Object.keys(m)[0]));
          if (kinds.size !== 1) throw malformed("Set members must all be of one type");
          const k = [...kinds][0];
          if (k === "S") return { SS: members.map((m) => m.S!) };
          if (k === "N") return { NS: members.map((m) => m.N!) };
          if (k === "B") return { BS: members.map((m) => m.B!) };
          throw malformed("Sets may only hold strings, numbers or binary values");
        }
        break;
      }
    }
    this.i--;
    this.fail();
  }

  condition(): Condition {
    let left = this.conjunction();
    while (this.acceptWord("OR")) left = { kind: "or", left, right: this.conjunction() };
    return left;
  }

  private conjunction(): Condition {
    let left = this.negation();
    while (this.acceptWord("AND")) left = { kind: "and", left, right: this.negation() };
    return left;
  }

  private negation(): Condition {
    if (this.acceptWord("NOT")) return { kind: "not", operand: this.negation() };
    return this.predicate();
  }

  private operand(): Operand {
    const t = this.peek();
    if (t.t === "word" && t.v.toLowerCase() === "size" && this.peek(1).t === "punct" && (this.peek(1) as { v: string }).v === "(") {
      this.i += 2;
      const path = this.path();
      this.expectPunct(")");
      return { kind: "size", path };
    }
    if (this.startsPath()) return { kind: "path", path: this.path() };
    return { kind: "value", value: asLibValue(this.value()) };
  }

  private predicate(): Condition {
    if (this.isPunct("(")) {
      this.i++;
      const c = this.condition();
      this.expectPunct(")");
      return c;
    }
    const t = this.peek();
    const fn = t.t === "word" ? t.v.toLowerCase() : "";
    if (FUNCTIONS.has(fn) && fn !== "size" && this.peek(1).t === "punct" && (this.peek(1) as { v: string }).v === "(") {
      this.i += 2;
      const a = this.operand();
      let c: Condition;
      if (fn === "exists" || fn === "missing") {
        if (a.kind !== "path") this.fail();
        c = fn === "exists" ? { kind: "exists", path: a.path } : { kind: "not_exists", path: a.path };
      } else {
        this.expectPunct(",");
        const b = this.operand();
        if (fn === "begins_with") c = { kind: "begins_with", operand: a, prefix: b };
        else if (fn === "contains") c = { kind: "contains", operand: a, member: b };
        else {
          if (a.kind !== "path") this.fail();
          c = { kind: "type", path: a.path, type: b };
        }
      }
      this.expectPunct(")");
      return c;
    }
    const left = this.operand();
    if (this.acceptWord("IS")) {
      const not = this.acceptWord("NOT");
      if (left.kind !== "path") this.fail();
      if (this.acceptWord("MISSING")) return not ? { kind: "exists", path: left.path } : { kind: "not_exists", path: left.path };
      if (this.acceptWord("NULL")) {
        const c: Condition = { kind: "type", path: left.path, type: { kind: "value", value: { S: "NULL" } } };
        return not ? { kind: "not", operand: c } : c;
      }
      this.fail();
    }
    if (this.acceptWord("BETWEEN")) {
      const low = this.operand();
      this.expectWord("AND");
      return { kind: "between", operand: left, low, high: this.operand() };
    }
    if (this.acceptWord("IN")) {
      const close = this.acceptPunct("[") ? "]" : this.acceptPunct("(") ? ")" : this.fail();
      const list: Operand[] = [];
      do list.push(this.operand()); while (this.acceptPunct(","));
      this.expectPunct(close);
      return { kind: "in", operand: left, list };
    }
    const op = this.peek();
    if (op.t === "punct" && ["=", "<>", "!=", "<", "<=", ">", ">="].includes(op.v)) {
      this.i++;
      return { kind: "compare", op: (op.v === "!=" ? "<>" : op.v) as "=", left, right: this.operand() };
    }
    this.fail();
  }
}

/** Parses one statement, substituting `parameters` for `?` in order. */
export function parseStatement(text: string, parameters: AttributeValue[] = []): Statement {
  const checked = parameters.map((p) => {
    try {
      return validateAttributeValue(asLibValue(p));
    } catch (e) {
      if (e instanceof AwsError) throw new AwsError("ValidationException", `${e.message}`, 400);
      throw e;
    }
  });
  const parser = new Parser(tokenize(text), checked);
  const statement = parser.statement();
  if (parser.paramsUsed !== checked.length) {
    throw new AwsError("ValidationException", "Number of parameters in request and statement doesn't match.", 400);
  }
  return normalizeNumbers(statement);
}

/** Number literals in canonical form, as DynamoDB stores them. */
function normalizeNumbers<T>(statement: T): T {
  const fix = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(fix);
    if (v instanceof Uint8Array || v === null || typeof v !== "object") return v;
    const o = v as { N?: unknown; NS?: unknown };
    if ((typeof o.N === "string" || Array.isArray(o.NS)) && Object.keys(v).length === 1) return validateAttributeValue(asLibValue(o as AttributeValue));
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fix(x)]));
  };
  return fix(statement) as T;
}
