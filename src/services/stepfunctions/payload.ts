/**
 * Payload templates of both query languages: JSONPath's `Parameters`/`ResultSelector`/
 * `ItemSelector` (keys ending in `.$` take a path or an intrinsic function) and JSONata's
 * `{% expression %}` strings in `Arguments`, `Output`, `Assign` and the other JSONata fields.
 * Sources: https://docs.aws.amazon.com/step-functions/latest/dg/input-output-inputpath-params.html,
 * https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
 */
import jsonata from "jsonata";
import { md5, sha1 } from "@noble/hashes/legacy.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { StatesError } from "./errors.ts";
import { evaluateIntrinsic, isIntrinsic } from "./intrinsics.ts";
import { PathError, selectPath } from "./jsonpath.ts";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Fills a JSONPath payload template; path misses are States.Runtime with AWS's cause. */
export function applyTemplate(template: unknown, input: unknown, context: unknown, where: string, variables?: Record<string, unknown>): unknown {
  if (Array.isArray(template)) return template.map((v) => applyTemplate(v, input, context, where, variables));
  if (!isObject(template)) return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith(".$") && typeof value === "string") {
      const name = key.slice(0, -2);
      if (isIntrinsic(value)) {
        try {
          out[name] = evaluateIntrinsic(value, input, context, variables);
        } catch (e) {
          if (e instanceof PathError) throw new StatesError("States.Runtime", `${where}The JsonPath argument for the field '${value}' could not be found in the input '${JSON.stringify(input)}'`);
          if (e instanceof StatesError) throw new StatesError(e.error, where + e.causeText);
          throw e;
        }
      } else {
        try {
          out[name] = selectPath(value, input, context, variables);
        } catch (e) {
          if (!(e instanceof PathError)) throw e;
          throw new StatesError("States.Runtime", `${where}The JsonPath argument for the field '${key}' could not be found in the input '${JSON.stringify(value.startsWith("$$") ? context : input)}'`);
        }
      }
    } else out[key] = applyTemplate(value, input, context, where, variables);
  }
  return out;
}

/** `{% ... %}` as a whole string. */
export function jsonataExpression(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const m = /^\{%([\s\S]*)%\}$/.exec(value.trim());
  return m ? m[1]! : undefined;
}

const hashes: Record<string, (b: Uint8Array) => Uint8Array> = { "MD5": md5, "SHA-1": sha1, "SHA-256": sha256, "SHA-384": sha384, "SHA-512": sha512 };

/** Step Functions' own JSONata functions (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html). */
// `any[]`: JSONata calls these with whatever the expression passes (its registerFunction type); each checks its arguments.
const sfnFunctions: Record<string, (...args: any[]) => unknown> = {
  partition: (array: unknown[], size: number) => {
    if (!Array.isArray(array) || !(size > 0)) throw new StatesError("States.QueryEvaluationError", "$partition expects an array and a positive size");
    const out: unknown[][] = [];
    for (let k = 0; k < array.length; k += size) out.push(array.slice(k, k + size));
    return out;
  },
  range: (start: number, end: number, step: number) => {
    const out: number[] = [];
    if (!step) throw new StatesError("States.QueryEvaluationError", "$range step must not be 0");
    for (let v = start; step > 0 ? v <= end : v >= end; v += step) out.push(v);
    return out;
  },
  hash: (data: unknown, algorithm: string) => {
    const fn = hashes[algorithm];
    if (!fn) throw new StatesError("States.QueryEvaluationError", `$hash does not support the algorithm '${algorithm}'`);
    return bytesToHex(fn(new TextEncoder().encode(typeof data === "string" ? data : JSON.stringify(data))));
  },
  random: (seed?: number) => (seed === undefined ? Math.random() : mulberry(seed)),
  uuid: () => crypto.randomUUID(),
  parse: (text: string) => {
    try {
      return JSON.parse(text);
    } catch {
      throw new StatesError("States.QueryEvaluationError", `$parse could not parse '${text}' as JSON`);
    }
  },
};

function mulberry(seed: number): number {
  let t = (seed + 0x6d2b79f5) | 0;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const compiled = new Map<string, jsonata.Expression>();

/** What JSONata expressions see: `$states` and the workflow variables in scope. */
export interface JsonataScope {
  states: Record<string, unknown>;
  variables: Record<string, unknown>;
}

/** Evaluates one JSONata expression; errors become States.QueryEvaluationError with AWS's cause. */
export async function evaluateJsonata(expression: string, scope: JsonataScope, field: string, where: string): Promise<unknown> {
  let expr = compiled.get(expression);
  try {
    if (!expr) {
      expr = jsonata(expression);
      for (const [name, fn] of Object.entries(sfnFunctions)) expr.registerFunction(name, fn);
      if (compiled.size > 2000) compiled.clear();
      compiled.set(expression, expr);
    }
    const result = await expr.evaluate(undefined, { ...scope.variables, states: scope.states });
    return normalize(result);
  } catch (e) {
    if (e instanceof StatesError) throw new StatesError(e.error, where + e.causeText);
    const message = (e as { message?: string }).message ?? String(e);
    throw new StatesError("States.QueryEvaluationError", `${where}The JSONata expression '${expression.trim()}' specified for the field '${field}' threw an error: ${message}`);
  }
}

/** JSONata sequences and frozen arrays to plain JSON values. */
function normalize(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (typeof value === "function") return undefined;
  return JSON.parse(JSON.stringify(value));
}

/** Fills a JSONata template (any JSON value whose strings may be `{% %}` expressions). */
export async function applyJsonata(template: unknown, scope: JsonataScope, field: string, where: string): Promise<unknown> {
  const expression = jsonataExpression(template);
  if (expression !== undefined) {
    const value = await evaluateJsonata(expression, scope, field, where);
    if (value === undefined) throw new StatesError("States.QueryEvaluationError", `${where}The JSONata expression '${expression.trim()}' specified for the field '${field}' returned nothing (undefined).`);
    return value;
  }
  if (Array.isArray(template)) {
    const out: unknown[] = [];
    for (const v of template) out.push(await applyJsonata(v, scope, field, where));
    return out;
  }
  if (isObject(template)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(template)) {
      const inner = jsonataExpression(v);
      if (inner !== undefined) {
        const value = await evaluateJsonata(inner, scope, field, where);
        if (value !== undefined) out[k] = value;
      } else out[k] = await applyJsonata(v, scope, `${field}`, where);
    }
    return out;
  }
  return template;
}
