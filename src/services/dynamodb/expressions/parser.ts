/**
 * Recursive-descent parser for DynamoDB expressions: syntax only. It yields a raw tree that still
 * holds `#name` and `:value` references, so it depends only on the expression text and can be
 * cached; resolve.ts then checks names, values, functions and types per request.
 *
 * Precedence (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html):
 * comparators, IN, BETWEEN, functions, parentheses, NOT, AND, OR (loosest).
 */
import { type ExpressionKind, type Token, isKeyword, isPunct, syntaxError, tokenize } from "./lexer.ts";

export type RElem = { k: "id"; name: string } | { k: "name"; ref: string } | { k: "index"; i: number };
export type RPath = { t: "path"; elems: RElem[] };
export type RCall = { t: "call"; name: string; args: ROperand[] };
export type ROperand =
  | RPath
  | { t: "value"; ref: string }
  | RCall
  | { t: "arith"; op: "+" | "-"; left: ROperand; right: ROperand };

export type RComparator = "=" | "<>" | "<" | "<=" | ">" | ">=";
export type RCond =
  | { t: "cmp"; op: RComparator; l: ROperand; r: ROperand }
  | { t: "between"; x: ROperand; lo: ROperand; hi: ROperand }
  | { t: "in"; x: ROperand; list: ROperand[] }
  | { t: "and" | "or"; l: RCond; r: RCond }
  | { t: "not"; c: RCond }
  | { t: "fn"; call: RCall };

export type RAction =
  | { action: "SET"; path: RPath; value: ROperand }
  | { action: "REMOVE"; path: RPath }
  | { action: "ADD" | "DELETE"; path: RPath; value: { t: "value"; ref: string } };

export interface RawCondition {
  root: RCond;
  redundantParens: boolean;
}
export interface RawUpdate {
  actions: RAction[];
  /** Clause keyword used twice, if any (an error DynamoDB reports after syntax). */
  repeatedClause?: string;
  redundantParens: boolean;
}
export interface RawProjection {
  paths: RPath[];
}

const COMPARATORS = new Set(["=", "<>", "<", "<=", ">", ">="]);
const KEYWORDS = new Set(["AND", "OR", "NOT", "BETWEEN", "IN"]);
const CLAUSES = new Set(["SET", "REMOVE", "ADD", "DELETE"]);

class Backtrack {
  constructor(readonly error: Error, readonly at: number) {}
}

class Parser {
  pos = 0;
  redundantParens = false;
  private readonly parenNodes = new WeakSet<object>();
  readonly tokens: Token[];

  constructor(readonly kind: ExpressionKind, readonly text: string) {
    this.tokens = tokenize(text);
  }

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)]!;
  }
  fail(at = this.pos): never {
    throw new Backtrack(syntaxError(this.kind, this.text, this.tokens, at), at);
  }
  expectPunct(p: string): void {
    if (!isPunct(this.peek(), p)) this.fail();
    this.pos++;
  }
  expectEof(): void {
    if (this.peek().type !== "eof") this.fail();
  }
  isKeywordToken(t: Token): boolean {
    return t.type === "ident" && KEYWORDS.has(t.text.toUpperCase());
  }

  // ---- conditions ----
  parseOr(): RCond {
    let l = this.parseAnd();
    while (isKeyword(this.peek(), "OR")) {
      this.pos++;
      l = { t: "or", l, r: this.parseAnd() };
    }
    return l;
  }
  parseAnd(): RCond {
    let l = this.parseNot();
    while (isKeyword(this.peek(), "AND")) {
      this.pos++;
      l = { t: "and", l, r: this.parseNot() };
    }
    return l;
  }
  parseNot(): RCond {
    if (isKeyword(this.peek(), "NOT")) {
      this.pos++;
      return { t: "not", c: this.parseNot() };
    }
    return this.parsePrimary();
  }
  parsePrimary(): RCond {
    if (isPunct(this.peek(), "(")) {
      const save = this.pos, saveParens = this.redundantParens;
      let first: Backtrack | undefined;
      try {
        this.pos++;
        const inner = this.parseOr();
        this.expectPunct(")");
        const next = this.peek();
        const continues = (next.type === "punct" && COMPARATORS.has(next.text)) || isKeyword(next, "BETWEEN") || isKeyword(next, "IN");
        if (!continues) {
          if (this.parenNodes.has(inner)) this.redundantParens = true;
          this.parenNodes.add(inner);
          return inner;
        }
      } catch (e) {
        if (!(e instanceof Backtrack)) throw e;
        first = e;
      }
      // Not a parenthesized condition: a parenthesized operand such as `(a) = :v`.
      this.pos = save;
      this.redundantParens = saveParens;
      try {
        return this.parseSimpleCondition();
      } catch (e) {
        if (e instanceof Backtrack && first && first.at > e.at) throw first;
        throw e;
      }
    }
    return this.parseSimpleCondition();
  }
  parseSimpleCondition(): RCond {
    const x = this.parseOperand();
    const t = this.peek();
    if (t.type === "punct" && COMPARATORS.has(t.text)) {
      this.pos++;
      return { t: "cmp", op: t.text as RComparator, l: x, r: this.parseOperand() };
    }
    if (isKeyword(t, "BETWEEN")) {
      this.pos++;
      const lo = this.parseOperand();
      if (!isKeyword(this.peek(), "AND")) this.fail();
      this.pos++;
      return { t: "between", x, lo, hi: this.parseOperand() };
    }
    if (isKeyword(t, "IN")) {
      this.pos++;
      this.expectPunct("(");
      const list = [this.parseOperand()];
      while (isPunct(this.peek(), ",")) {
        this.pos++;
        list.push(this.parseOperand());
      }
      this.expectPunct(")");
      return { t: "in", x, list };
    }
    if (x.t === "call") return { t: "fn", call: x };
    this.fail();
  }

  /** Operand of a condition, or of SET when `arith` allows `+`/`-` inside parentheses. */
  parseOperand(arith = false): ROperand {
    const t = this.peek();
    if (isPunct(t, "(")) {
      this.pos++;
      const inner = arith ? this.parseSetValue() : this.parseOperand();
      this.expectPunct(")");
      if (this.parenNodes.has(inner)) this.redundantParens = true;
      this.parenNodes.add(inner);
      return inner;
    }
    if (t.type === "value") {
      this.pos++;
      return { t: "value", ref: t.text };
    }
    if (t.type === "ident" && isPunct(this.peek(1), "(") && !this.isKeywordToken(t)) {
      this.pos += 2;
      const args: ROperand[] = [];
      if (!isPunct(this.peek(), ")")) {
        args.push(this.parseOperand(arith));
        while (isPunct(this.peek(), ",")) {
          this.pos++;
          args.push(this.parseOperand(arith));
        }
      }
      this.expectPunct(")");
      return { t: "call", name: t.text, args };
    }
    return this.parsePath();
  }

  parsePath(): RPath {
    const elems: RElem[] = [this.parsePathName()];
    for (;;) {
      const t = this.peek();
      if (isPunct(t, ".")) {
        this.pos++;
        elems.push(this.parsePathName());
      } else if (isPunct(t, "[")) {
        this.pos++;
        const n = this.peek();
        if (n.type !== "number") this.fail();
        this.pos++;
        this.expectPunct("]");
        elems.push({ k: "index", i: Number(n.text) });
      } else return { t: "path", elems };
    }
  }
  parsePathName(): RElem {
    const t = this.peek();
    if (t.type === "ident" && !this.isKeywordToken(t)) {
      this.pos++;
      return { k: "id", name: t.text };
    }
    if (t.type === "name") {
      this.pos++;
      return { k: "name", ref: t.text };
    }
    this.fail();
  }

  // ---- update ----
  parseSetValue(): ROperand {
    const l = this.parseOperand(true);
    const t = this.peek();
    if (isPunct(t, "+") || isPunct(t, "-")) {
      this.pos++;
      return { t: "arith", op: t.text as "+" | "-", left: l, right: this.parseOperand(true) };
    }
    return l;
  }
  parseUpdate(): RawUpdate {
    const actions: RAction[] = [];
    const seen = new Set<string>();
    let repeatedClause: string | undefined;
    do {
      const t = this.peek();
      const clause = t.type === "ident" ? t.text.toUpperCase() : "";
      if (!CLAUSES.has(clause)) this.fail();
      if (seen.has(clause)) repeatedClause ??= clause;
      seen.add(clause);
      this.pos++;
      for (;;) {
        const path = this.parsePath();
        if (clause === "SET") {
          this.expectPunct("=");
          actions.push({ action: "SET", path, value: this.parseSetValue() });
        } else if (clause === "REMOVE") {
          actions.push({ action: "REMOVE", path });
        } else {
          const v = this.peek();
          if (v.type !== "value") this.fail();
          this.pos++;
          actions.push({ action: clause as "ADD" | "DELETE", path, value: { t: "value", ref: v.text } });
        }
        if (!isPunct(this.peek(), ",")) break;
        this.pos++;
      }
    } while (this.peek().type !== "eof");
    return { actions, repeatedClause, redundantParens: this.redundantParens };
  }
}

const conditionCache = new Map<string, RawCondition | Error>();
const updateCache = new Map<string, RawUpdate | Error>();
const projectionCache = new Map<string, RawProjection | Error>();
const CACHE_LIMIT = 1000;

function cached<T>(cache: Map<string, T | Error>, key: string, parse: () => T): T {
  let hit = cache.get(key);
  if (hit === undefined) {
    try {
      hit = parse();
    } catch (e) {
      if (!(e instanceof Backtrack)) throw e;
      hit = e.error;
    }
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, hit);
  }
  if (hit instanceof Error) throw hit;
  return hit;
}

/** Syntax of a condition (ConditionExpression, FilterExpression, KeyConditionExpression). */
export function parseRawCondition(text: string, kind: ExpressionKind): RawCondition {
  return cached(conditionCache, kind + "\0" + text, () => {
    const p = new Parser(kind, text);
    const root = p.parseOr();
    p.expectEof();
    return { root, redundantParens: p.redundantParens };
  });
}

/** Syntax of an UpdateExpression. */
export function parseRawUpdate(text: string): RawUpdate {
  return cached(updateCache, text, () => {
    const p = new Parser("UpdateExpression", text);
    const u = p.parseUpdate();
    p.expectEof();
    return u;
  });
}

/** Syntax of a ProjectionExpression. */
export function parseRawProjection(text: string): RawProjection {
  return cached(projectionCache, text, () => {
    const p = new Parser("ProjectionExpression", text);
    const paths = [p.parsePath()];
    while (isPunct(p.peek(), ",")) {
      p.pos++;
      paths.push(p.parsePath());
    }
    p.expectEof();
    return { paths };
  });
}
