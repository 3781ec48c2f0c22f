/**
 * Validation of Amazon States Language definitions as CreateStateMachine, UpdateStateMachine
 * and ValidateStateMachineDefinition do it: diagnostics with AWS's codes
 * (INVALID_JSON_DESCRIPTION, SCHEMA_VALIDATION_FAILED, MISSING_TRANSITION_TARGET,
 * MISSING_END_STATE), messages and locations (`/States/A/Next`).
 * Source: https://docs.aws.amazon.com/step-functions/latest/apireference/API_ValidateStateMachineDefinition.html
 */
import jsonata from "jsonata";
import { COMPARISON_OPERATORS } from "./choice.ts";
import { err } from "./common.ts";
import { INTRINSIC_NAMES, isIntrinsic, parseIntrinsic } from "./intrinsics.ts";
import { isReferencePath, isValidPath } from "./jsonpath.ts";
import { jsonataExpression } from "./payload.ts";

export interface Diagnostic {
  severity: "ERROR" | "WARNING";
  code: string;
  message: string;
  location?: string;
}

export const STATE_TYPES = ["Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map"];

const COMMON = ["Type", "Comment", "QueryLanguage"];
const FIELDS: Record<string, string[]> = {
  Pass: ["Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters", "Result", "Assign", "Output"],
  Task: ["Next", "End", "Resource", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch",
    "TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials", "Arguments", "Output", "Assign"],
  Choice: ["Choices", "Default", "InputPath", "OutputPath", "Output", "Assign"],
  Wait: ["Next", "End", "Seconds", "Timestamp", "SecondsPath", "TimestampPath", "InputPath", "OutputPath", "Output", "Assign"],
  Succeed: ["InputPath", "OutputPath", "Output"],
  Fail: ["Error", "ErrorPath", "Cause", "CausePath"],
  Parallel: ["Next", "End", "Branches", "InputPath", "OutputPath", "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch", "Arguments", "Output", "Assign"],
  Map: ["Next", "End", "ItemProcessor", "Iterator", "ItemsPath", "ItemSelector", "Parameters", "ItemReader", "ItemBatcher", "ResultWriter",
    "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage", "ToleratedFailurePercentagePath", "ToleratedFailureCount",
    "ToleratedFailureCountPath", "Label", "Items", "InputPath", "OutputPath", "ResultPath", "ResultSelector", "Retry", "Catch", "Output", "Assign", "Arguments"],
};
const JSONPATH_ONLY = ["InputPath", "OutputPath", "Parameters", "ResultPath", "ResultSelector", "ItemsPath", "SecondsPath", "TimestampPath",
  "ErrorPath", "CausePath", "TimeoutSecondsPath", "HeartbeatSecondsPath", "MaxConcurrencyPath", "ToleratedFailurePercentagePath",
  "ToleratedFailureCountPath", "Iterator"];
const JSONATA_ONLY = ["Arguments", "Output", "Items"];

/** A part of the definition being validated: user JSON, each member checked before use (`any` is that boundary). */
type Json = Record<string, any>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** The diagnostics for `text` (empty when the definition is valid). */
export function validateDefinition(text: string): Diagnostic[] {
  let def: unknown;
  try {
    def = JSON.parse(text);
  } catch (e) {
    return [{ severity: "ERROR", code: "INVALID_JSON_DESCRIPTION", message: (e as Error).message }];
  }
  const out: Diagnostic[] = [];
  const fail = (code: string, message: string, location?: string) => out.push({ severity: "ERROR", code, message, ...(location !== undefined ? { location } : {}) });
  if (!isObject(def)) {
    fail("SCHEMA_VALIDATION_FAILED", "The definition must be a JSON object", "/");
    return out;
  }
  const top = def.QueryLanguage ?? "JSONPath";
  if (top !== "JSONPath" && top !== "JSONata") fail("SCHEMA_VALIDATION_FAILED", "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]", "/QueryLanguage");
  for (const k of Object.keys(def)) {
    if (!["Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"].includes(k)) fail("SCHEMA_VALIDATION_FAILED", `Field '${k}' is not supported`, "/");
  }
  checkContainer(def, "", top === "JSONata" ? "JSONata" : "JSONPath", top === "JSONata", fail);
  return out;
}

function checkContainer(container: Json, at: string, language: string, machineJsonata: boolean, fail: (c: string, m: string, l?: string) => void): void {
  const missing = ["StartAt", "States"].filter((k) => container[k] === undefined);
  if (missing.length) {
    fail("SCHEMA_VALIDATION_FAILED", `These fields are required: [${missing.join(", ")}]`, at || "/");
    return;
  }
  if (typeof container.StartAt !== "string") fail("SCHEMA_VALIDATION_FAILED", "The value for the field 'StartAt' must be a STRING", `${at}/StartAt`);
  if (!isObject(container.States)) {
    fail("SCHEMA_VALIDATION_FAILED", "The value for the field 'States' must be an OBJECT", `${at}/States`);
    return;
  }
  const states = container.States as Record<string, Json>;
  const names = Object.keys(states);
  if (names.length === 0) fail("SCHEMA_VALIDATION_FAILED", "The field 'States' must not be empty", `${at}/States`);
  const transitions: string[] = [];
  const target = (name: unknown, loc: string) => {
    if (typeof name !== "string") {
      fail("SCHEMA_VALIDATION_FAILED", `The value for the field '${loc.split("/").pop()}' must be a STRING`, loc);
      return;
    }
    if (!Object.hasOwn(states, name)) fail("MISSING_TRANSITION_TARGET", `Missing 'Next' target: ${name}`, loc);
    else transitions.push(name);
  };
  if (typeof container.StartAt === "string" && !Object.hasOwn(states, container.StartAt)) {
    fail("MISSING_TRANSITION_TARGET", `Missing 'Next' target: ${container.StartAt}`, `${at}/StartAt`);
  }
  let terminal = false;
  for (const name of names) {
    const state = states[name]!;
    const loc = `${at}/States/${name}`;
    if (name.length > 80) fail("SCHEMA_VALIDATION_FAILED", "State names must be at most 80 characters", loc);
    if (!isObject(state)) {
      fail("SCHEMA_VALIDATION_FAILED", "The value for the field must be an OBJECT", loc);
      continue;
    }
    const type = state.Type;
    if (type === undefined) {
      fail("SCHEMA_VALIDATION_FAILED", "These fields are required: [Type]", loc);
      continue;
    }
    if (!STATE_TYPES.includes(type)) {
      fail("SCHEMA_VALIDATION_FAILED", `The field 'Type' should have one of these values: [${STATE_TYPES.join(", ")}]`, `${loc}/Type`);
      continue;
    }
    let lang = language;
    if (state.QueryLanguage !== undefined) {
      if (state.QueryLanguage !== "JSONPath" && state.QueryLanguage !== "JSONata") {
        fail("SCHEMA_VALIDATION_FAILED", "The field 'QueryLanguage' should have one of these values: [JSONPath, JSONata]", `${loc}/QueryLanguage`);
      } else if (machineJsonata && state.QueryLanguage === "JSONPath") {
        fail("SCHEMA_VALIDATION_FAILED", "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine", loc);
      } else lang = state.QueryLanguage;
    }
    const allowed = [...COMMON, ...FIELDS[type]!];
    for (const k of Object.keys(state)) {
      if (!allowed.includes(k)) fail("SCHEMA_VALIDATION_FAILED", `Field '${k}' is not supported`, loc);
      else if (lang === "JSONPath" && JSONATA_ONLY.includes(k)) fail("SCHEMA_VALIDATION_FAILED", `The QueryLanguage is set to 'JSONPath', but field '${k}' is only supported for the 'JSONata' QueryLanguage`, loc);
      else if (lang === "JSONata" && JSONPATH_ONLY.includes(k)) fail("SCHEMA_VALIDATION_FAILED", `The QueryLanguage is set to 'JSONata', but field '${k}' is only supported for the 'JSONPath' QueryLanguage`, loc);
    }
    const ends = ["Succeed", "Fail", "Choice"].includes(type);
    if (!ends) {
      if (state.End !== undefined && state.Next !== undefined) fail("SCHEMA_VALIDATION_FAILED", "Only one of these fields can be provided: [End, Next]", loc);
      else if (state.End === undefined && state.Next === undefined) fail("SCHEMA_VALIDATION_FAILED", "Exactly one of these fields must be provided: [End, Next]", loc);
      if (state.End !== undefined && state.End !== true) fail("SCHEMA_VALIDATION_FAILED", "The value for the field 'End' must be true", `${loc}/End`);
      if (state.Next !== undefined) target(state.Next, `${loc}/Next`);
      if (state.End === true) terminal = true;
    } else if (type !== "Choice") terminal = true;
    if (lang === "JSONPath") {
      for (const f of ["InputPath", "OutputPath", "ItemsPath", "SecondsPath", "TimestampPath", "ErrorPath", "CausePath", "TimeoutSecondsPath", "HeartbeatSecondsPath"]) {
        if (state[f] !== undefined && state[f] !== null && !isValidPath(state[f]) && !(["ErrorPath", "CausePath"].includes(f) && typeof state[f] === "string" && isIntrinsic(state[f]))) {
          fail("SCHEMA_VALIDATION_FAILED", `The value for the field '${f}' must be a valid JSONPath`, `${loc}/${f}`);
        }
      }
      if (state.ResultPath !== undefined && state.ResultPath !== null && !isReferencePath(state.ResultPath)) {
        fail("SCHEMA_VALIDATION_FAILED", "The value for the field 'ResultPath' must be a valid Reference Path", `${loc}/ResultPath`);
      }
      for (const f of ["Parameters", "ResultSelector", "ItemSelector"]) if (state[f] !== undefined) checkTemplate(state[f], `${loc}/${f}`, fail);
    } else {
      for (const f of ["Arguments", "Output", "Assign", "Items", "Seconds", "Timestamp", "Error", "Cause", "TimeoutSeconds", "HeartbeatSeconds"]) {
        if (state[f] !== undefined) checkJsonata(state[f], `${loc}/${f}`, fail);
      }
    }
    switch (type) {
      case "Task":
        if (state.Resource === undefined) fail("SCHEMA_VALIDATION_FAILED", "These fields are required: [Resource]", loc);
        else if (typeof state.Resource !== "string" || !/^arn:aws[a-z-]*:/.test(state.Resource)) fail("SCHEMA_VALIDATION_FAILED", "The resource provided " + state.Resource + " is not recognized. The value is not a valid resource ARN, or the resource is not available in this region.", `${loc}/Resource`);
        for (const f of ["TimeoutSeconds", "HeartbeatSeconds"]) {
          if (state[f] !== undefined && jsonataExpression(state[f]) === undefined && !(Number.isInteger(state[f]) && state[f] > 0 && state[f] <= 99999999)) {
            fail("SCHEMA_VALIDATION_FAILED", `The value for the field '${f}' must be larger than 0`, `${loc}/${f}`);
          }
        }
        if (Number.isInteger(state.TimeoutSeconds) && Number.isInteger(state.HeartbeatSeconds) && state.HeartbeatSeconds >= state.TimeoutSeconds) {
          fail("SCHEMA_VALIDATION_FAILED", "The value for the field 'HeartbeatSeconds' must be smaller than the value for the field 'TimeoutSeconds'", `${loc}/HeartbeatSeconds`);
        }
        break;
      case "Wait": {
        const forms = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"].filter((f) => state[f] !== undefined);
        if (forms.length !== 1) fail("SCHEMA_VALIDATION_FAILED", "Exactly one of these fields must be provided: [Seconds, Timestamp, SecondsPath, TimestampPath]", loc);
        if (state.Seconds !== undefined && jsonataExpression(state.Seconds) === undefined && !(Number.isInteger(state.Seconds) && state.Seconds >= 0)) {
          fail("SCHEMA_VALIDATION_FAILED", "The value for the field 'Seconds' must be larger than or equal to 0", `${loc}/Seconds`);
        }
        if (state.Timestamp !== undefined && jsonataExpression(state.Timestamp) === undefined && (typeof state.Timestamp !== "string" || Number.isNaN(Date.parse(state.Timestamp)))) {
          fail("SCHEMA_VALIDATION_FAILED", "The value for the field 'Timestamp' must be a valid ISO-8601 timestamp", `${loc}/Timestamp`);
        }
        break;
      }
      case "Fail":
        if (state.Error !== undefined && state.ErrorPath !== undefined) fail("SCHEMA_VALIDATION_FAILED", "Only one of these fields can be provided: [Error, ErrorPath]", loc);
        if (state.Cause !== undefined && state.CausePath !== undefined) fail("SCHEMA_VALIDATION_FAILED", "Only one of these fields can be provided: [Cause, CausePath]", loc);
        break;
      case "Choice": {
        if (!Array.isArray(state.Choices) || state.Choices.length === 0) {
          fail("SCHEMA_VALIDATION_FAILED", "These fields are required: [Choices]", loc);
          break;
        }
        state.Choices.forEach((rule: Json, k: number) => {
          const rl = `${loc}/Choices[${k}]`;
          if (!isObject(rule)) return fail("SCHEMA_VALIDATION_FAILED", "The value for the field must be an OBJECT", rl);
          if (rule.Next === undefined) fail("SCHEMA_VALIDATION_FAILED", "These fields are required: [Next]", rl);
          else target(rule.Next, `${rl}/Next`);
          if (lang === "JSONata") {
            if (rule.Condition === undefined) fail("SCHEMA_VALIDATION_FAILED", "These fields are required: [Condition]", rl);
            else checkJsonata(rule.Condition, `${rl}/Condition`, fail);
          } else checkRule(rule, rl, true, fail);
        });
        if (state.Default !== undefined) target(state.Default, `${loc}/Default`);
        break;
      }
      case "Parallel":
        if (!Array.isArray(state.Branches) || state.Branches.length === 0) fail("SCHEMA_VALIDATION_FAILED", "These fields are required: [Branches]", loc);
        else state.Branches.forEach((b: unknown, k: number) => {
          if (!isObject(b)) fail("SCHEMA_VALIDATION_FAILED", "The value for the field must be an OBJECT", `${loc}/Branches[${k}]`);
          else checkContainer(b, `${loc}/Branches[${k}]`, lang, machineJsonata, fail);
        });
        break;
      case "Map": {
        const processor = state.ItemProcessor ?? state.Iterator;
        const field = state.ItemProcessor ? "ItemProcessor" : "Iterator";
        if (!isObject(processor)) fail("SCHEMA_VALIDATION_FAILED", "These fields are required: [ItemProcessor]", loc);
        else {
          if (processor.QueryLanguage !== undefined) fail("SCHEMA_VALIDATION_FAILED", "Field 'QueryLanguage' is not supported", `${loc}/${field}`);
          checkContainer(processor, `${loc}/${field}`, lang, machineJsonata, fail);
        }
        if (state.MaxConcurrency !== undefined && jsonataExpression(state.MaxConcurrency) === undefined && !(Number.isInteger(state.MaxConcurrency) && state.MaxConcurrency >= 0)) {
          fail("SCHEMA_VALIDATION_FAILED", "The value for the field 'MaxConcurrency' must be larger than or equal to 0", `${loc}/MaxConcurrency`);
        }
        break;
      }
    }
    for (const f of ["Retry", "Catch"]) {
      if (state[f] === undefined) continue;
      if (!Array.isArray(state[f])) {
        fail("SCHEMA_VALIDATION_FAILED", `The value for the field '${f}' must be an ARRAY`, `${loc}/${f}`);
        continue;
      }
      state[f].forEach((r: Json, k: number) => {
        const rl = `${loc}/${f}[${k}]`;
        if (!isObject(r) || !Array.isArray(r.ErrorEquals) || r.ErrorEquals.length === 0) {
          fail("SCHEMA_VALIDATION_FAILED", "These fields are required: [ErrorEquals]", rl);
          return;
        }
        if (r.ErrorEquals.includes("States.ALL") && r.ErrorEquals.length > 1) {
          fail("SCHEMA_VALIDATION_FAILED", "States.ALL must appear alone in ErrorEquals", `${rl}/ErrorEquals`);
        }
        if (r.ErrorEquals.includes("States.ALL") && k !== state[f].length - 1) {
          fail("SCHEMA_VALIDATION_FAILED", `States.ALL must appear in the last ${f === "Retry" ? "Retrier" : "Catcher"}`, `${rl}/ErrorEquals`);
        }
        if (f === "Catch") {
          if (r.Next === undefined) fail("SCHEMA_VALIDATION_FAILED", "These fields are required: [Next]", rl);
          else target(r.Next, `${rl}/Next`);
          if (r.ResultPath !== undefined && r.ResultPath !== null && !isReferencePath(r.ResultPath)) {
            fail("SCHEMA_VALIDATION_FAILED", "The value for the field 'ResultPath' must be a valid Reference Path", `${rl}/ResultPath`);
          }
        } else {
          if (r.IntervalSeconds !== undefined && !(Number.isInteger(r.IntervalSeconds) && r.IntervalSeconds >= 1)) fail("SCHEMA_VALIDATION_FAILED", "The value for the field 'IntervalSeconds' must be larger than 0", `${rl}/IntervalSeconds`);
          if (r.MaxAttempts !== undefined && !(Number.isInteger(r.MaxAttempts) && r.MaxAttempts >= 0)) fail("SCHEMA_VALIDATION_FAILED", "The value for the field 'MaxAttempts' must be larger than or equal to 0", `${rl}/MaxAttempts`);
          if (r.BackoffRate !== undefined && !(typeof r.BackoffRate === "number" && r.BackoffRate >= 1)) fail("SCHEMA_VALIDATION_FAILED", "The value for the field 'BackoffRate' must be larger than or equal to 1.0", `${rl}/BackoffRate`);
          if (r.JitterStrategy !== undefined && !["FULL", "NONE"].includes(r.JitterStrategy)) fail("SCHEMA_VALIDATION_FAILED", "The field 'JitterStrategy' should have one of these values: [FULL, NONE]", `${rl}/JitterStrategy`);
        }
      });
    }
  }
  // Reachability and a way out, as AWS checks them after the schema.
  const reachable = new Set<string>();
  const edges = (name: string): string[] => {
    const s = states[name];
    if (!isObject(s)) return [];
    const out: string[] = [];
    if (typeof s.Next === "string") out.push(s.Next);
    if (typeof s.Default === "string") out.push(s.Default);
    for (const r of Array.isArray(s.Choices) ? s.Choices : []) if (isObject(r) && typeof r.Next === "string") out.push(r.Next);
    for (const r of Array.isArray(s.Catch) ? s.Catch : []) if (isObject(r) && typeof r.Next === "string") out.push(r.Next);
    return out.filter((n) => Object.hasOwn(states, n));
  };
  const stack = typeof container.StartAt === "string" && Object.hasOwn(states, container.StartAt) ? [container.StartAt] : [];
  while (stack.length) {
    const n = stack.pop()!;
    if (reachable.has(n)) continue;
    reachable.add(n);
    stack.push(...edges(n));
  }
  if (!terminal && names.length) {
    fail("MISSING_END_STATE", "Workflow has no terminal state");
    return;
  }
  if (stack.length === 0 && reachable.size === 0) return;
  for (const n of names) if (!reachable.has(n)) fail("MISSING_TRANSITION_TARGET", `State "${n}" is not reachable.`, `${at}/States/${n}`);
  void transitions;
}

function checkRule(rule: Json, at: string, top: boolean, fail: (c: string, m: string, l?: string) => void): void {
  const bool = ["And", "Or", "Not"].filter((k) => rule[k] !== undefined);
  if (bool.length) {
    for (const k of bool) {
      const inner = k === "Not" ? [rule.Not] : rule[k];
      if (!Array.isArray(inner) || inner.length === 0) fail("SCHEMA_VALIDATION_FAILED", `The value for the field '${k}' must be a non-empty ARRAY`, `${at}/${k}`);
      else inner.forEach((r: Json, i: number) => isObject(r) ? checkRule(r, k === "Not" ? `${at}/Not` : `${at}/${k}[${i}]`, false, fail) : fail("SCHEMA_VALIDATION_FAILED", "The value for the field must be an OBJECT", `${at}/${k}`));
    }
    return;
  }
  const ops = COMPARISON_OPERATORS.filter((o) => rule[o] !== undefined);
  if (rule.Variable === undefined) fail("SCHEMA_VALIDATION_FAILED", "These fields are required: [Variable]", at);
  else if (!isValidPath(rule.Variable)) fail("SCHEMA_VALIDATION_FAILED", "The value for the field 'Variable' must be a valid JSONPath", `${at}/Variable`);
  if (ops.length !== 1) {
    fail("SCHEMA_VALIDATION_FAILED", ops.length ? "Only one comparison operator is allowed in a choice rule" : "A choice rule must have a comparison operator", at);
    return;
  }
  const op = ops[0]!;
  const v = rule[op];
  const bad = (type: string) => fail("SCHEMA_VALIDATION_FAILED", `The value for the field '${op}' must be a ${type}`, `${at}/${op}`);
  if (op.endsWith("Path")) { if (!isValidPath(v)) fail("SCHEMA_VALIDATION_FAILED", `The value for the field '${op}' must be a valid JSONPath`, `${at}/${op}`); }
  else if (op.startsWith("String")) { if (typeof v !== "string") bad("STRING"); }
  else if (op.startsWith("Numeric")) { if (typeof v !== "number") bad("NUMBER"); }
  else if (op.startsWith("Timestamp")) { if (typeof v !== "string" || Number.isNaN(Date.parse(v))) bad("TIMESTAMP"); }
  else if (typeof v !== "boolean") bad("BOOLEAN");
  if (!top && rule.Next !== undefined) fail("SCHEMA_VALIDATION_FAILED", "Field 'Next' is not supported", at);
}

function checkTemplate(template: unknown, at: string, fail: (c: string, m: string, l?: string) => void): void {
  if (Array.isArray(template)) return template.forEach((v, k) => checkTemplate(v, `${at}[${k}]`, fail));
  if (!isObject(template)) return;
  for (const [k, v] of Object.entries(template)) {
    if (k.endsWith(".$")) {
      if (typeof v !== "string") fail("SCHEMA_VALIDATION_FAILED", `The value for the field '${k}' must be a STRING that contains a JSONPath but was '${JSON.stringify(v)}'`, `${at}/${k}`);
      else if (isIntrinsic(v)) {
        try {
          parseIntrinsic(v);
        } catch (e) {
          fail("SCHEMA_VALIDATION_FAILED", `The value for the field '${k}' must be a valid JSONPath or a valid intrinsic function call (${(e as Error).message}; supported: ${INTRINSIC_NAMES.length} functions)`, `${at}/${k}`);
        }
      } else if (!isValidPath(v)) fail("SCHEMA_VALIDATION_FAILED", `The value for the field '${k}' must be a valid JSONPath or a valid intrinsic function call`, `${at}/${k}`);
    } else checkTemplate(v, `${at}/${k}`, fail);
  }
}

function checkJsonata(value: unknown, at: string, fail: (c: string, m: string, l?: string) => void): void {
  const expr = jsonataExpression(value);
  if (expr !== undefined) {
    try {
      jsonata(expr);
    } catch (e) {
      fail("SCHEMA_VALIDATION_FAILED", `The JSONata expression '${expr.trim()}' is invalid: ${(e as { message?: string }).message ?? e}`, at);
    }
    return;
  }
  if (Array.isArray(value)) value.forEach((v, k) => checkJsonata(v, `${at}[${k}]`, fail));
  else if (isObject(value)) for (const [k, v] of Object.entries(value)) checkJsonata(v, `${at}/${k}`, fail);
}

/** Throws AWS's InvalidDefinition when `text` has errors. */
export function requireValidDefinition(text: string): void {
  const errors = validateDefinition(text).filter((d) => d.severity === "ERROR");
  if (!errors.length) return;
  const parts = errors.map((d) => `${d.code}: ${d.message}${d.location !== undefined ? ` at ${d.location}` : ""}`);
  throw err("InvalidDefinition", `Invalid State Machine Definition: '${parts.join(", ")}'`);
}
