/**
 * What a target receives: the whole event, `Input` (constant JSON), `InputPath` (a JSONPath into
 * the event) or `InputTransformer` (paths into variables, rendered into a template).
 * Source: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 *
 * Template rules, as AWS renders them: a variable inside a JSON string literal is inserted as
 * text (strings unquoted, other values as JSON, escaped for the string); outside a string it is
 * inserted as JSON (strings quoted). A path that selects nothing gives `null` (outside strings)
 * or nothing (inside). Predefined variables: `aws.events.rule-arn`, `aws.events.rule-name`,
 * `aws.events.event.ingestion-time`, `aws.events.event` and `aws.events.event.json`.
 */

type Step = string | number;

/** Parses `$`, `$.a.b`, `$.a[0]`, `$['a b']`; null when the path is not one of these. */
export function parseJsonPath(path: string): Step[] | null {
  if (!path.startsWith("$")) return null;
  const steps: Step[] = [];
  let i = 1;
  while (i < path.length) {
    if (path[i] === ".") {
      const m = /^[^.[\]]+/.exec(path.slice(i + 1));
      if (!m) return null;
      steps.push(m[0]);
      i += 1 + m[0].length;
    } else if (path[i] === "[") {
      const m = /^\[(?:(\d+)|'([^']*)'|"([^"]*)")\]/.exec(path.slice(i));
      if (!m) return null;
      steps.push(m[1] !== undefined ? Number(m[1]) : (m[2] ?? m[3])!);
      i += m[0].length;
    } else {
      return null;
    }
  }
  return steps;
}

export function checkJsonPath(path: string): boolean {
  return parseJsonPath(path) !== null;
}

/** The value at `path` in `value`, or undefined. */
export function selectPath(value: unknown, path: string): unknown {
  const steps = parseJsonPath(path);
  if (!steps) return undefined;
  let current: unknown = value;
  for (const step of steps) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<string | number, unknown>)[step as string | number];
  }
  return current;
}

const RESERVED = /^aws\.events\./;

/** A problem with an InputTransformer, in AWS's words, or null. */
export function checkTransformer(t: { InputPathsMap?: Record<string, string>; InputTemplate: string }): string | null {
  const map = t.InputPathsMap ?? {};
  if (Object.keys(map).length > 100) return "InputPathsMap must not contain more than 100 entries.";
  for (const [name, path] of Object.entries(map)) {
    if (RESERVED.test(name)) return `InputTransformer variable name ${name} is reserved.`;
    if (!/^[A-Za-z0-9_-]+$/.test(name)) return `InputTransformer variable name ${name} is not valid.`;
    if (!checkJsonPath(path)) return `Invalid InputPathsMap value for key ${name}: ${path}`;
  }
  return null;
}

export interface TransformContext {
  ruleArn: string;
  ruleName: string;
  ingestionTime: string;
}

/** Renders an InputTransformer for `event`. */
export function renderTemplate(t: { InputPathsMap?: Record<string, string>; InputTemplate: string }, event: Record<string, unknown>, info: TransformContext): string {
  const vars = new Map<string, unknown>();
  for (const [name, path] of Object.entries(t.InputPathsMap ?? {})) vars.set(name, selectPath(event, path));
  vars.set("aws.events.rule-arn", info.ruleArn);
  vars.set("aws.events.rule-name", info.ruleName);
  vars.set("aws.events.event.ingestion-time", info.ingestionTime);
  vars.set("aws.events.event", event);
  vars.set("aws.events.event.json", event);
  const template = t.InputTemplate;
  let out = "";
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === "\\" && inString) {
      out += c + (template[i + 1] ?? "");
      i++;
      continue;
    }
    if (c === '"') {
      inString = !inString;
      out += c;
      continue;
    }
    if (c === "<") {
      const end = template.indexOf(">", i);
      const name = end > i ? template.slice(i + 1, end) : "";
      if (end > i && vars.has(name)) {
        const v = vars.get(name);
        if (inString) {
          if (v !== undefined) out += JSON.stringify(typeof v === "string" ? v : JSON.stringify(v)).slice(1, -1);
        } else {
          out += v === undefined ? "null" : JSON.stringify(v);
        }
        i = end;
        continue;
      }
    }
    out += c;
  }
  return out;
}

/** The text a target receives for `event`. */
export function targetInput(
  target: { Input?: string; InputPath?: string; InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string } },
  event: Record<string, unknown>,
  info: TransformContext,
): string {
  if (target.Input !== undefined) return target.Input;
  if (target.InputPath !== undefined) {
    const v = selectPath(event, target.InputPath);
    return v === undefined ? "" : JSON.stringify(v);
  }
  if (target.InputTransformer) return renderTemplate(target.InputTransformer, event, info);
  return JSON.stringify(event);
}
