/**
 * Parser for the CloudWatch Logs Insights query language: commands joined by `|`.
 *
 *   fields <expr> [as name], ...        display <field>, ...
 *   filter <boolean expr>               parse <field> "glob * pattern" as a, b   |   parse <field> /(?<a>re)/
 *   stats <agg>(...) [as name], ... [by <expr> [as name], ...]
 *   sort <expr> [asc|desc], ...         limit <n>                 dedup <field>, ...
 *
 * Expressions: numbers, "strings", /regexes/, fields (`@message`, `a.b`, `` `any name` ``),
 * arithmetic, comparisons (`= != < <= > >=`), `like "text"` / `like /re/`, `=~ /re/`, `in [..]`,
 * `not`, `and`, `or`, function calls, and durations (`5m`) inside `bin()`.
 * Source: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax.html
 */

export class QuerySyntaxError extends Error {}

export type Expr =
  | { kind: "num"; value: number }
  | { kind: "str"; value: string }
  | { kind: "regex"; re: RegExp }
  | { kind: "duration"; ms: number; text: string }
  | { kind: "field"; name: string }
  | { kind: "call"; name: string; args: Expr[] }
  | { kind: "list"; items: Expr[] }
  | { kind: "unary"; op: "-" | "not"; arg: Expr }
  | { kind: "binary"; op: string; left: Expr; right: Expr };

/** An expression with the name its result takes (`as` alias or its text). */
export interface Named {
  expr: Expr;
  name: string;
}

export type Command =
  | { kind: "fields"; items: Named[] }
  | { kind: "display"; items: Named[] }
  | { kind: "filter"; expr: Expr }
  | { kind: "parse"; source: Expr; glob?: { parts: string[]; names: string[] }; regex?: RegExp }
  | { kind: "stats"; aggregates: Named[]; by: Named[] }
  | { kind: "sort"; keys: { expr: Expr; desc: boolean }[] }
  | { kind: "limit"; n: number }
  | { kind: "dedup"; fields: Expr[] };

interface Token {
  t: "num" | "str" | "regex" | "ident" | "op" | "dur";
  v: string;
  start: number;
  end: number;
  flags?: string;
}

const DURATION_UNITS: Record<string, number> = {
  ms: 1, s: 1000, sec: 1000, m: 60_000, min: 60_000, h: 3_600_000, hr: 3_600_000, d: 86_400_000, w: 604_800_000,
};

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const prevAllowsRegex = () => {
    const prev = tokens[tokens.length - 1];
    return !prev || prev.t === "op" && !")]".includes(prev.v) || prev.t === "ident" && /^(like|as|and|or|not|in)$/i.test(prev.v) || prev.t === "ident" && tokens.length >= 1 && tokens[tokens.length - 2]?.v.toLowerCase() === "parse";
  };
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const start = i;
    if (c === '"' || c === "'") {
      let value = "";
      i++;
      while (i < text.length && text[i] !== c) {
        if (text[i] === "\\" && i + 1 < text.length) {
          const n = text[i + 1]!;
          value += n === "n" ? "\n" : n === "t" ? "\t" : n;
          i += 2;
        } else value += text[i++];
      }
      if (i >= text.length) throw new QuerySyntaxError(`unterminated string at ${start}`);
      i++;
      tokens.push({ t: "str", v: value, start, end: i });
    } else if (c === "`") {
      const close = text.indexOf("`", i + 1);
      if (close < 0) throw new QuerySyntaxError(`unterminated field name at ${start}`);
      tokens.push({ t: "ident", v: "`" + text.slice(i + 1, close), start, end: close + 1 });
      i = close + 1;
    } else if (c === "/" && prevAllowsRegex()) {
      let j = i + 1;
      let source = "";
      while (j < text.length && text[j] !== "/") {
        if (text[j] === "\\" && j + 1 < text.length) {
          source += text[j]! + text[j + 1]!;
          j += 2;
        } else source += text[j++];
      }
      if (j >= text.length) throw new QuerySyntaxError(`unterminated regex at ${start}`);
      j++;
      let flags = "";
      while (j < text.length && /[a-z]/.test(text[j]!)) flags += text[j++];
      tokens.push({ t: "regex", v: source, flags, start, end: j });
      i = j;
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(text[i + 1] ?? ""))) {
      const m = /^(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([a-z]+)?/.exec(text.slice(i))!;
      i += m[0].length;
      if (m[2] && m[2] in DURATION_UNITS) tokens.push({ t: "dur", v: m[0], start, end: i });
      else if (m[2]) throw new QuerySyntaxError(`unexpected '${m[0]}' at ${start}`);
      else tokens.push({ t: "num", v: m[1]!, start, end: i });
    } else if (/[A-Za-z_@$]/.test(c)) {
      const m = /^[A-Za-z_@$][A-Za-z0-9_@$.]*/.exec(text.slice(i))!;
      let word = m[0];
      while (word.endsWith(".")) word = word.slice(0, -1);
      i += word.length;
      tokens.push({ t: "ident", v: word, start, end: i });
    } else {
      const two = text.slice(i, i + 2);
      if (["!=", "<=", ">=", "=~", "=="].includes(two)) {
        tokens.push({ t: "op", v: two === "==" ? "=" : two, start, end: i + 2 });
        i += 2;
      } else if ("|,()[]=<>+-*/%^".includes(c)) {
        tokens.push({ t: "op", v: c, start, end: i + 1 });
        i++;
      } else {
        throw new QuerySyntaxError(`unexpected character '${c}' at ${start}`);
      }
    }
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly text: string, private readonly tokens: Token[]) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }
  isOp(v: string): boolean {
    const t = this.peek();
    return !!t && t.t === "op" && t.v === v;
  }
  isWord(w: string): boolean {
    const t = this.peek();
    return !!t && t.t === "ident" && t.v.toLowerCase() === w;
  }
  take(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw new QuerySyntaxError("unexpected end of query");
    return t;
  }
  expectOp(v: string): void {
    const t = this.take();
    if (t.t !== "op" || t.v !== v) throw new QuerySyntaxError(`expected '${v}' at ${t.start}, found '${t.v}'`);
  }

  commands(): Command[] {
    const out: Command[] = [];
    for (;;) {
      out.push(this.command());
      if (this.atEnd()) return out;
      this.expectOp("|");
    }
  }

  command(): Command {
    const word = this.take();
    if (word.t !== "ident") throw new QuerySyntaxError(`expected a command at ${word.start}`);
    switch (word.v.toLowerCase()) {
      case "fields":
        return { kind: "fields", items: this.namedList() };
      case "display":
        return { kind: "display", items: this.namedList() };
      case "filter":
        return { kind: "filter", expr: this.expr() };
      case "parse":
        return this.parseCommand();
      case "stats": {
        const aggregates = this.namedList();
        const by = this.isWord("by") ? (this.take(), this.namedList()) : [];
        return { kind: "stats", aggregates, by };
      }
      case "sort": {
        const keys: { expr: Expr; desc: boolean }[] = [];
        do {
          const expr = this.expr();
          let desc = false;
          if (this.isWord("desc")) desc = (this.take(), true);
          else if (this.isWord("asc")) this.take();
          keys.push({ expr, desc });
        } while (this.isOp(",") && this.take());
        return { kind: "sort", keys };
      }
      case "limit": {
        const n = this.take();
        if (n.t !== "num" || !/^\d+$/.test(n.v) || Number(n.v) < 1) throw new QuerySyntaxError(`limit needs a positive integer at ${n.start}`);
        return { kind: "limit", n: Number(n.v) };
      }
      case "dedup": {
        const fields: Expr[] = [this.expr()];
        while (this.isOp(",")) fields.push((this.take(), this.expr()));
        return { kind: "dedup", fields };
      }
      default:
        throw new QuerySyntaxError(`unknown command '${word.v}' at ${word.start}`);
    }
  }

  parseCommand(): Command {
    const source = this.expr();
    const t = this.take();
    if (t.t === "regex") {
      return { kind: "parse", source, regex: new RegExp(t.v, t.flags?.replace(/[^imsu]/g, "")) };
    }
    if (t.t !== "str") throw new QuerySyntaxError(`parse needs a "pattern" or /regex/ at ${t.start}`);
    const parts = t.v.split("*");
    if (!this.isWord("as")) throw new QuerySyntaxError(`parse with a glob pattern needs 'as' at ${this.peek()?.start ?? this.text.length}`);
    this.take();
    const names: string[] = [];
    do {
      const n = this.take();
      if (n.t !== "ident") throw new QuerySyntaxError(`expected a field name at ${n.start}`);
      names.push(fieldName(n.v));
    } while (this.isOp(",") && this.take());
    if (names.length !== parts.length - 1) {
      throw new QuerySyntaxError(`parse pattern has ${parts.length - 1} wildcards but ${names.length} field names`);
    }
    return { kind: "parse", source, glob: { parts, names } };
  }

  namedList(): Named[] {
    const out: Named[] = [];
    do {
      const startToken = this.peek();
      if (!startToken) throw new QuerySyntaxError("unexpected end of query");
      const expr = this.expr();
      const last = this.tokens[this.i - 1]!;
      let name = this.text.slice(startToken.start, last.end);
      if (expr.kind === "field") name = expr.name;
      if (this.isWord("as")) {
        this.take();
        const alias = this.take();
        if (alias.t !== "ident") throw new QuerySyntaxError(`expected a name after 'as' at ${alias.start}`);
        name = fieldName(alias.v);
      }
      out.push({ expr, name });
    } while (this.isOp(",") && this.take());
    return out;
  }

  expr(): Expr {
    return this.or();
  }
  or(): Expr {
    let left = this.and();
    while (this.isWord("or")) {
      this.take();
      left = { kind: "binary", op: "or", left, right: this.and() };
    }
    return left;
  }
  and(): Expr {
    let left = this.not();
    while (this.isWord("and")) {
      this.take();
      left = { kind: "binary", op: "and", left, right: this.not() };
    }
    return left;
  }
  not(): Expr {
    if (this.isWord("not")) {
      this.take();
      return { kind: "unary", op: "not", arg: this.not() };
    }
    return this.comparison();
  }
  comparison(): Expr {
    const left = this.additive();
    let negate = false;
    if (this.isWord("not")) {
      const next = this.tokens[this.i + 1];
      if (next && next.t === "ident" && /^(like|in)$/i.test(next.v)) negate = (this.take(), true);
    }
    let out: Expr | undefined;
    const t = this.peek();
    if (t && t.t === "op" && ["=", "!=", "<", "<=", ">", ">=", "=~"].includes(t.v)) {
      this.take();
      out = { kind: "binary", op: t.v, left, right: this.additive() };
    } else if (this.isWord("like")) {
      this.take();
      out = { kind: "binary", op: "like", left, right: this.primary() };
    } else if (this.isWord("in")) {
      this.take();
      out = { kind: "binary", op: "in", left, right: this.primary() };
    }
    if (!out) return left;
    return negate ? { kind: "unary", op: "not", arg: out } : out;
  }
  additive(): Expr {
    let left = this.multiplicative();
    while (this.isOp("+") || this.isOp("-")) {
      const op = this.take().v;
      left = { kind: "binary", op, left, right: this.multiplicative() };
    }
    return left;
  }
  multiplicative(): Expr {
    let left = this.unary();
    while (this.isOp("*") || this.isOp("/") || this.isOp("%") || this.isOp("^")) {
      const op = this.take().v;
      left = { kind: "binary", op, left, right: this.unary() };
    }
    return left;
  }
  unary(): Expr {
    if (this.isOp("-")) {
      this.take();
      return { kind: "unary", op: "-", arg: this.unary() };
    }
    return this.primary();
  }
  primary(): Expr {
    const t = this.take();
    switch (t.t) {
      case "num":
        return { kind: "num", value: Number(t.v) };
      case "str":
        return { kind: "str", value: t.v };
      case "regex":
        return { kind: "regex", re: new RegExp(t.v, t.flags?.replace(/[^imsu]/g, "")) };
      case "dur": {
        const m = /^(\d+(?:\.\d+)?)([a-z]+)$/.exec(t.v)!;
        return { kind: "duration", ms: Number(m[1]) * DURATION_UNITS[m[2]!]!, text: t.v };
      }
      case "ident": {
        if (this.isOp("(")) {
          this.take();
          const args: Expr[] = [];
          if (this.isOp("*")) {
            this.take();
            args.push({ kind: "str", value: "*" });
          } else if (!this.isOp(")")) {
            args.push(this.expr());
            while (this.isOp(",")) args.push((this.take(), this.expr()));
          }
          this.expectOp(")");
          return { kind: "call", name: t.v.toLowerCase(), args };
        }
        return { kind: "field", name: fieldName(t.v) };
      }
      case "op":
        if (t.v === "(") {
          const inner = this.expr();
          this.expectOp(")");
          return inner;
        }
        if (t.v === "[") {
          const items: Expr[] = [];
          if (!this.isOp("]")) {
            items.push(this.expr());
            while (this.isOp(",")) items.push((this.take(), this.expr()));
          }
          this.expectOp("]");
          return { kind: "list", items };
        }
    }
    throw new QuerySyntaxError(`unexpected '${t.v}' at ${t.start}`);
  }
}

function fieldName(raw: string): string {
  return raw.startsWith("`") ? raw.slice(1) : raw;
}

/** Parses a query string; QuerySyntaxError with a position for anything malformed. */
export function parseQuery(text: string): Command[] {
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new QuerySyntaxError("empty query");
  return new Parser(text, tokens).commands();
}
