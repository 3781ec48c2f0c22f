/**
 * Tokenizer for DynamoDB expressions. Tokens keep their source offsets so that syntax errors
 * can quote DynamoDB's `near:` window (previous token through next token, as written).
 */
import { validation } from "../values/types.ts";

export type TokenType = "ident" | "name" | "value" | "number" | "punct" | "eof";

export interface Token {
  type: TokenType;
  text: string;
  start: number;
  end: number;
}

export type ExpressionKind =
  | "ConditionExpression"
  | "FilterExpression"
  | "KeyConditionExpression"
  | "UpdateExpression"
  | "ProjectionExpression";

const PUNCT2 = new Set(["<=", ">=", "<>"]);
const PUNCT1 = new Set(["=", "<", ">", "(", ")", "[", "]", ",", ".", "+", "-"]);

function isIdentStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13;
}

/** Splits an expression into tokens; an unknown character becomes a one-character token the parser rejects. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    let type: TokenType;
    if (isIdentStart(c)) {
      while (i < text.length && isIdentPart(text.charCodeAt(i))) i++;
      type = "ident";
    } else if (isDigit(c)) {
      while (i < text.length && isDigit(text.charCodeAt(i))) i++;
      type = "number";
    } else if (c === 35 /* # */ || c === 58 /* : */) {
      i++;
      while (i < text.length && isIdentPart(text.charCodeAt(i))) i++;
      type = i - start > 1 ? (c === 35 ? "name" : "value") : "punct";
    } else if (PUNCT2.has(text.slice(i, i + 2))) {
      i += 2;
      type = "punct";
    } else {
      // Unknown characters are kept whole (surrogate pairs included) for the error message.
      i += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
      type = "punct";
    }
    tokens.push({ type, text: text.slice(start, i), start, end: i });
  }
  tokens.push({ type: "eof", text: "<EOF>", start: text.length, end: text.length });
  return tokens;
}

export function isPunct(t: Token, p: string): boolean {
  return t.type === "punct" && t.text === p;
}

export function isKeyword(t: Token, word: string): boolean {
  return t.type === "ident" && t.text.length === word.length && t.text.toUpperCase() === word;
}

export const KNOWN_PUNCT = PUNCT1;

/** DynamoDB's syntax error: `Invalid X: Syntax error; token: "t", near: "prev t next"`. */
export function syntaxError(kind: ExpressionKind, text: string, tokens: Token[], index: number): Error {
  const tok = tokens[index]!;
  const prev = index > 0 ? tokens[index - 1]! : undefined;
  const next = tokens[index + 1];
  const from = prev ? prev.start : tok.start;
  const to = tok.type === "eof" ? text.length : next && next.type !== "eof" ? next.end : tok.end;
  const near = text.slice(from, to);
  return validation(`Invalid ${kind}: Syntax error; token: "${tok.text}", near: "${near}"`);
}
