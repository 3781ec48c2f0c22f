/**
 * Intrinsic functions of the JSONPath query language (`States.Format('{}', $.x)`, ...), usable in
 * Parameters, ResultSelector and Pass `Parameters` values whose key ends in `.$`.
 * Source: https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
 * Failures throw StatesError `States.IntrinsicFailure`, path misses `States.Runtime`.
 */
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { bytesToBase64, decodeBase64 } from "../../encoding/base64.ts";
import { selectPath } from "./jsonpath.ts";
import { StatesError } from "./errors.ts";

type Arg = { kind: "literal"; value: unknown } | { kind: "path"; path: string } | { kind: "call"; name: string; args: Arg[] };

export const INTRINSIC_NAMES = [
  "States.Format", "States.StringToJson", "States.JsonToString", "States.Array", "States.ArrayPartition",
  "States.ArrayContains", "States.ArrayRange", "States.ArrayGetItem", "States.ArrayLength", "States.ArrayUnique",
  "States.Base64Encode", "States.Base64Decode", "States.Hash", "States.JsonMerge", "States.MathRandom",
  "States.MathAdd", "States.StringSplit", "States.UUID",
];

export function isIntrinsic(text: string): boolean {
  return /^States\.[A-Za-z0-9]+\(/.test(text.trim());
}

/** Parses an intrinsic call; throws Error with AWS's wording on bad syntax or an unknown function. */
export function parseIntrinsic(text: string): Arg {
  let i = 0;
  const s = text.trim();
  const ws = () => { while (s[i] === " ") i++; };
  const call = (): Arg => {
    const m = /^States\.[A-Za-z0-9]+/.exec(s.slice(i));
    if (!m) throw new Error(`Invalid intrinsic function '${text}'`);
    const name = m[0];
    if (!INTRINSIC_NAMES.includes(name)) throw new Error(`The function '${name}' is not supported`);
    i += name.length;
    if (s[i] !== "(") throw new Error(`Invalid intrinsic function '${text}'`);
    i++;
    const args: Arg[] = [];
    ws();
    if (s[i] === ")") {
      i++;
      return { kind: "call", name, args };
    }
    for (;;) {
      ws();
      args.push(arg());
      ws();
      if (s[i] === ",") { i++; continue; }
      if (s[i] === ")") { i++; break; }
      throw new Error(`Invalid intrinsic function '${text}'`);
    }
    return { kind: "call", name, args };
  };
  const arg = (): Arg => {
    if (s[i] === "'") {
      i++;
      let out = "";
      while (i < s.length && s[i] !== "'") {
        if (s[i] === "\\" && i + 1 < s.length) {
          out += s[i + 1] === "{" || s[i + 1] === "}" ? "\\" + s[i + 1] : s[i + 1];
          i += 2;
        } else out += s[i++];
      }
      if (s[i] !== "'") throw new Error(`Invalid intrinsic function '${text}'`);
      i++;
      return { kind: "literal", value: out };
    }
    if (s.startsWith("States.", i)) return call();
    if (s[i] === "$") {
      const start = i;
      let depth = 0;
      while (i < s.length && !(depth === 0 && (s[i] === "," || s[i] === ")"))) {
        if (s[i] === "[") depth++;
        if (s[i] === "]") depth--;
        i++;
      }
      return { kind: "path", path: s.slice(start, i).trim() };
    }
    const m = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(s.slice(i));
    if (!m) throw new Error(`Invalid intrinsic function '${text}'`);
    i += m[0].length;
    return { kind: "literal", value: JSON.parse(m[0]) };
  };
  const out = call();
  ws();
  if (i !== s.length) throw new Error(`Invalid intrinsic function '${text}'`);
  return out;
}

const fail = (message: string) => new StatesError("States.IntrinsicFailure", message);

const typeName = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

function unescapeFormat(s: string): string {
  return s.replace(/\\([{}])/g, "$1");
}

/** Evaluates an intrinsic function call against the state's input and the context object. */
export function evaluateIntrinsic(text: string, input: unknown, context: unknown, variables?: Record<string, unknown>): unknown {
  let parsed: Arg;
  try {
    parsed = parseIntrinsic(text);
  } catch (e) {
    throw fail((e as Error).message);
  }
  return evalArg(parsed, input, context, variables);
}

function evalArg(arg: Arg, input: unknown, context: unknown, variables?: Record<string, unknown>): unknown {
  if (arg.kind === "literal") return typeof arg.value === "string" ? arg.value : arg.value;
  if (arg.kind === "path") return selectPath(arg.path, input, context, variables);
  const raw = arg.args.map((a) => evalArg(a, input, context, variables));
  const args = raw.map((v, k) => (arg.args[k]!.kind === "literal" && typeof v === "string" && arg.name !== "States.Format" ? unescapeFormat(v) : v));
  const need = (n: number | [number, number]) => {
    const [lo, hi] = typeof n === "number" ? [n, n] : n;
    if (args.length < lo || args.length > hi) {
      throw fail(`Invalid arguments in ${arg.name}: expected ${lo === hi ? lo : `${lo} to ${hi}`} argument${hi === 1 ? "" : "s"}, got ${args.length}`);
    }
  };
  const str = (v: unknown, what: string) => {
    if (typeof v !== "string") throw fail(`Invalid arguments in ${arg.name}: the ${what} argument must be a string, got ${typeName(v)}`);
    return v;
  };
  const arr = (v: unknown, what: string) => {
    if (!Array.isArray(v)) throw fail(`Invalid arguments in ${arg.name}: the ${what} argument must be an array, got ${typeName(v)}`);
    return v;
  };
  const int = (v: unknown, what: string) => {
    if (typeof v !== "number" || !Number.isFinite(v)) throw fail(`Invalid arguments in ${arg.name}: the ${what} argument must be a number, got ${typeName(v)}`);
    return Math.trunc(v);
  };
  switch (arg.name) {
    case "States.Format": {
      if (args.length < 1) throw fail("Invalid arguments in States.Format");
      const template = str(args[0], "first");
      const values = args.slice(1);
      let k = 0;
      const out = template.replace(/\\\\|\\\{|\\\}|\{\}/g, (m) => {
        if (m === "{}") {
          if (k >= values.length) throw fail("Invalid arguments in States.Format: the number of arguments does not match the number of placeholders");
          const v = values[k++];
          return typeof v === "string" ? v : JSON.stringify(v);
        }
        return m.slice(1);
      });
      if (k !== values.length) throw fail("Invalid arguments in States.Format: the number of arguments does not match the number of placeholders");
      return out;
    }
    case "States.StringToJson":
      need(1);
      try {
        return JSON.parse(str(args[0], "first"));
      } catch {
        throw fail(`Invalid arguments in States.StringToJson: '${String(args[0])}' is not valid JSON`);
      }
    case "States.JsonToString":
      need(1);
      return JSON.stringify(args[0]);
    case "States.Array":
      return args;
    case "States.ArrayPartition": {
      need(2);
      const a = arr(args[0], "first");
      const size = int(args[1], "second");
      if (size <= 0) throw fail("Invalid arguments in States.ArrayPartition: the chunk size must be greater than 0");
      const out: unknown[][] = [];
      for (let k = 0; k < a.length; k += size) out.push(a.slice(k, k + size));
      return out;
    }
    case "States.ArrayContains": {
      need(2);
      const a = arr(args[0], "first");
      const needle = JSON.stringify(args[1]);
      return a.some((v) => JSON.stringify(v) === needle);
    }
    case "States.ArrayRange": {
      need(3);
      const [start, end, step] = [int(args[0], "first"), int(args[1], "second"), int(args[2], "third")];
      if (step === 0) throw fail("Invalid arguments in States.ArrayRange: the step must not be 0");
      const out: number[] = [];
      for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
        out.push(v);
        if (out.length > 1000) throw fail("Invalid arguments in States.ArrayRange: the array cannot contain more than 1000 items");
      }
      return out;
    }
    case "States.ArrayGetItem": {
      need(2);
      const a = arr(args[0], "first");
      const at = int(args[1], "second");
      if (at < 0 || at >= a.length) throw fail(`Invalid arguments in States.ArrayGetItem: index ${at} is out of bounds`);
      return a[at];
    }
    case "States.ArrayLength":
      need(1);
      return arr(args[0], "first").length;
    case "States.ArrayUnique": {
      need(1);
      const seen = new Set<string>();
      return arr(args[0], "first").filter((v) => {
        const k = JSON.stringify(v);
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
    }
    case "States.Base64Encode": {
      need(1);
      const s = str(args[0], "first");
      if (s.length > 10000) throw fail("Invalid arguments in States.Base64Encode: the input string cannot be longer than 10000 characters");
      return bytesToBase64(new TextEncoder().encode(s));
    }
    case "States.Base64Decode": {
      need(1);
      const s = str(args[0], "first");
      try {
        return new TextDecoder("utf-8", { fatal: true }).decode(decodeBase64(s));
      } catch {
        throw fail("Invalid arguments in States.Base64Decode: the input is not valid base64");
      }
    }
    case "States.Hash": {
      need(2);
      const data = typeof args[0] === "string" ? args[0] : JSON.stringify(args[0]);
      const algorithm = str(args[1], "second");
      const fns: Record<string, (b: Uint8Array) => Uint8Array> = { "MD5": md5, "SHA-1": sha1, "SHA-256": sha256, "SHA-384": sha384, "SHA-512": sha512 };
      const fn = fns[algorithm];
      if (!fn) throw fail(`Invalid arguments in States.Hash: the hash algorithm '${algorithm}' is not supported; use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512`);
      return bytesToHex(fn(new TextEncoder().encode(data)));
    }
    case "States.JsonMerge": {
      need(3);
      const [a, b, deep] = args;
      const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
      if (!isObj(a) || !isObj(b)) throw fail("Invalid arguments in States.JsonMerge: the first two arguments must be JSON objects");
      if (deep !== false) throw fail("Invalid arguments in States.JsonMerge: deep merging is not supported; the third argument must be false");
      return { ...a, ...b };
    }
    case "States.MathRandom": {
      need([2, 3]);
      const [lo, hi] = [int(args[0], "first"), int(args[1], "second")];
      return lo + Math.floor(Math.random() * (hi - lo));
    }
    case "States.MathAdd": {
      need(2);
      return int(args[0], "first") + int(args[1], "second");
    }
    case "States.StringSplit": {
      need(2);
      const s = str(args[0], "first");
      const sep = str(args[1], "second");
      if (sep === "") return [...s];
      const chars = new Set([...sep]);
      const out: string[] = [];
      let cur = "";
      for (const c of s) {
        if (chars.has(c)) {
          if (cur !== "") out.push(cur);
          cur = "";
        } else cur += c;
      }
      if (cur !== "") out.push(cur);
      return out;
    }
    case "States.UUID":
      need(0);
      return crypto.randomUUID();
  }
  throw fail(`The function '${arg.name}' is not supported`);
}
