/**
 * A streaming JSON token reader with positions, for event pattern validation: AWS checks a
 * pattern token by token (Jackson's streaming parser under the Event Ruler) and reports the
 * line and column where it stopped, so the compiler in pattern.ts walks the same tokens.
 */

export type TokenType =
  | "START_OBJECT" | "END_OBJECT" | "START_ARRAY" | "END_ARRAY" | "FIELD_NAME"
  | "VALUE_STRING" | "VALUE_NUMBER" | "VALUE_TRUE" | "VALUE_FALSE" | "VALUE_NULL" | "EOF";

export interface Token {
  type: TokenType;
  /** Field name or string value, or a number's source text. */
  text: string;
  /** Number value for VALUE_NUMBER. */
  number?: number;
}

/** A syntax or pattern error, with Jackson's "line: L, column: C" of where reading stopped. */
export class PatternSyntaxError extends Error {
  constructor(message: string, readonly line: number, readonly column: number) {
    super(message);
  }
}

export class JsonTokens {
  private pos = 0;
  /** What the container on top expects: "key" or "value" (objects), "item" (arrays). */
  private stack: ("key" | "value" | "item")[] = [];
  private first: boolean[] = [];
  current: Token = { type: "EOF", text: "" };

  constructor(private readonly src: string) {}

  /** Line and column (1-based) just after the last token read, as Jackson reports them. */
  location(): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < this.pos && i < this.src.length; i++) {
      if (this.src[i] === "\n") line++, (lineStart = i + 1);
    }
    return { line, column: this.pos - lineStart + 1 };
  }

  fail(message: string): never {
    const { line, column } = this.location();
    throw new PatternSyntaxError(message, line, column);
  }

  private skipSpace(): void {
    while (this.pos < this.src.length && /[ \t\r\n]/.test(this.src[this.pos]!)) this.pos++;
  }

  next(): Token {
    this.current = this.read();
    return this.current;
  }

  private read(): Token {
    this.skipSpace();
    const top = this.stack[this.stack.length - 1];
    if (this.pos >= this.src.length) {
      if (this.stack.length) this.fail("Unexpected end-of-input: expected close marker");
      return { type: "EOF", text: "" };
    }
    let ch = this.src[this.pos]!;
    if (top === "key" || top === "item") {
      const closer = top === "key" ? "}" : "]";
      if (ch === closer) {
        this.pos++;
        this.stack.pop();
        this.first.pop();
        this.afterValue();
        return { type: closer === "}" ? "END_OBJECT" : "END_ARRAY", text: closer };
      }
      if (!this.first[this.first.length - 1]) {
        if (ch !== ",") this.fail(`Unexpected character ('${ch}' (code ${ch.charCodeAt(0)})): was expecting comma to separate ${top === "key" ? "Object" : "Array"} entries`);
        this.pos++;
        this.skipSpace();
        ch = this.src[this.pos] ?? "";
      }
      this.first[this.first.length - 1] = false;
      if (top === "key") {
        if (ch !== '"') this.fail(`Unexpected character ('${ch}' (code ${ch.charCodeAt(0)})): was expecting double-quote to start field name`);
        const name = this.readString();
        this.skipSpace();
        if (this.src[this.pos] !== ":") this.fail(`Unexpected character ('${this.src[this.pos] ?? ""}'): was expecting a colon to separate field name and value`);
        this.pos++;
        this.stack[this.stack.length - 1] = "value";
        return { type: "FIELD_NAME", text: name };
      }
    }
    return this.readValue(ch);
  }

  private afterValue(): void {
    if (this.stack[this.stack.length - 1] === "value") this.stack[this.stack.length - 1] = "key";
  }

  private readValue(ch: string): Token {
    if (ch === "{" || ch === "[") {
      this.pos++;
      this.stack.push(ch === "{" ? "key" : "item");
      this.first.push(true);
      return { type: ch === "{" ? "START_OBJECT" : "START_ARRAY", text: ch };
    }
    let token: Token;
    if (ch === '"') {
      token = { type: "VALUE_STRING", text: this.readString() };
    } else if (/[-0-9]/.test(ch)) {
      const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?/.exec(this.src.slice(this.pos));
      if (!m || !m[0] || m[0] === "-") this.fail(`Unexpected character ('${ch}'): expected digit`);
      this.pos += m[0].length;
      token = { type: "VALUE_NUMBER", text: m[0], number: Number(m[0]) };
    } else {
      const word = /^[A-Za-z]+/.exec(this.src.slice(this.pos))?.[0] ?? "";
      const types: Record<string, TokenType> = { true: "VALUE_TRUE", false: "VALUE_FALSE", null: "VALUE_NULL" };
      if (!types[word]) this.fail(`Unrecognized token '${word || ch}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')`);
      this.pos += word.length;
      token = { type: types[word]!, text: word };
    }
    this.afterValue();
    return token;
  }

  private readString(): string {
    const start = this.pos;
    this.pos++;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos]!;
      if (c === "\\") this.pos += 2;
      else if (c === '"') break;
      else this.pos++;
    }
    if (this.pos >= this.src.length) this.fail("Unexpected end-of-input in field name");
    this.pos++;
    try {
      return JSON.parse(this.src.slice(start, this.pos)) as string;
    } catch {
      return this.fail("Unrecognized character escape");
    }
  }

  /** Checks that nothing but whitespace follows the root value. */
  end(): void {
    this.skipSpace();
    if (this.pos < this.src.length) this.fail(`Unexpected character ('${this.src[this.pos]}'): expected end of input`);
  }
}
