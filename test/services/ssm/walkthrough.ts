/**
 * One walkthrough table, four real clients. A table is a list of SSM calls with what each must
 * answer; `walkthrough(title, steps)` runs it, each client against a server of its own, through:
 *
 * - the JS SDK v3 (`@aws-sdk/client-ssm`) over HTTP;
 * - boto3, the whole table in one Python process (the table goes over as JSON);
 * - AWS CLI v1 and v2 through one long-lived session each (test/helpers/cli-session.ts), every
 *   input member given as its own `--kebab-name` argument the way a user types it (strings as
 *   they are, numbers, `--flag`/`--no-flag`, lists and structures as JSON).
 *
 * A step's output can be kept (`as`) and read by later steps with `ref("name.Path.0.Field")`.
 * `until` repeats a call while a status is still moving (automation runs after its response).
 * Checks get the output (as JSON: timestamps are strings) and run the same for every client.
 * Where a CLI lacks an operation, `CLI_LACKS` says so and the walkthrough asserts the CLI refuses
 * the command (`Invalid choice`), so a newer CLI that has it fails here until the table is updated.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as S from "@aws-sdk/client-ssm";
import type { Operations } from "../../../src/generated/ssm.ts";
import { overHttp, startTestServer } from "../../helpers/clients.ts";
import { cliSession, startCli } from "../../helpers/cli-session.ts";
import { boto3, python } from "../../helpers/external.ts";
import model from "../../../models/ssm.json" with { type: "json" };

export type Op = keyof Operations;

/** A value taken from a kept output when the step runs: `ref("w.WindowId")`. */
export interface Ref {
  $ref: string;
}
export const ref = (path: string): Ref => ({ $ref: path });

// Timestamps are given as ISO strings (what boto3 and the CLIs take; the JS SDK gets Dates).
type Refable<T> = T extends Date ? T | string | Ref
  : T extends string | number | boolean ? T | Ref
  : T extends (infer U)[] ? Refable<U>[] | Ref
  : T extends object ? { [K in keyof T]: Refable<T[K]> } | Ref
  : T | Ref;

/** Reads a kept value: `at("w.WindowId")`. */
export type At = (path: string) => unknown;

export interface Step<K extends Op = Op> {
  op: K;
  input: Refable<Operations[K]["input"]>;
  /** Keeps the output for `ref(...)` in later steps. */
  as?: string;
  /** The AWS error code the call must answer. */
  error?: string;
  /** Calls again (up to 30 s) while the string at `path` in the output is one of `while`. */
  until?: { path: string; while: string[] };
  check?: (out: Operations[K]["output"], at: At) => void;
  /** Reads back what this operation did: skipped where a CLI lacks it (CLI_LACKS). */
  needs?: Op;
}

/** A call that must succeed; `check` asserts its output. */
export function call<K extends Op>(op: K, input: Refable<Operations[K]["input"]>, more: Omit<Step<K>, "op" | "input" | "error"> = {}): Step {
  return { op, input, ...more } as unknown as Step;
}

/** A call that must answer the AWS error `code`. */
export function fails<K extends Op>(op: K, input: Refable<Operations[K]["input"]>, code: string, more: { needs?: Op } = {}): Step {
  return { op, input, error: code, ...more } as unknown as Step;
}

/** Operations the installed CLI lacks (its model predates them); the walkthrough asserts it refuses them. */
export const CLI_LACKS: Record<"v1" | "v2", ReadonlySet<string>> = {
  v1: new Set(),
  // aws-cli 2.9.19 (Debian 12): botocore's SSM model from early 2023.
  v2: new Set(["DeleteOpsItem", "DescribeInstanceProperties", "ListNodes", "ListNodesSummary", "GetAccessToken", "GetExecutionPreview", "StartAccessRequest", "StartExecutionPreview"]),
};

interface Result {
  out?: unknown;
  error?: string;
  message?: string;
  /** The CLI has no such command. */
  lacking?: boolean;
}

function lookup(saved: Record<string, unknown>, path: string): unknown {
  let current: unknown = saved;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object") throw new Error(`ref ${path}: nothing at ${part}`);
    current = (current as Record<string, unknown>)[part];
  }
  if (current === undefined) throw new Error(`ref ${path}: nothing there`);
  return current;
}

function resolve(value: unknown, saved: Record<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolve(v, saved));
  if (value && typeof value === "object" && !(value instanceof Date)) {
    if ("$ref" in value && typeof value.$ref === "string") return lookup(saved, value.$ref);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, saved)]));
  }
  return value;
}

function stillMoving(step: Step, out: unknown): boolean {
  if (!step.until) return false;
  let current: unknown = out;
  for (const part of step.until.path.split(".")) current = current && typeof current === "object" ? (current as Record<string, unknown>)[part] : undefined;
  return typeof current === "string" && step.until.while.includes(current);
}

/** botocore's xform_name: the CLI's argument and command names. */
export function kebab(name: string): string {
  const special = /[A-Z]{2,}s$/.exec(name);
  const base = special ? `${name.slice(0, -special[0].length)}-${special[0].toLowerCase()}` : name;
  return base.replace(/(.)([A-Z][a-z]+)/g, "$1-$2").replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}

/** The input as CLI arguments, one `--name value` per member. */
export function cliArgs(input: Record<string, unknown>): string[] {
  const args: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    const name = kebab(key);
    if (typeof value === "boolean") args.push(value ? `--${name}` : `--no-${name}`);
    else if (typeof value === "string") args.push(`--${name}`, value);
    else if (typeof value === "number") args.push(`--${name}`, String(value));
    else args.push(`--${name}`, JSON.stringify(value));
  }
  return args;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function repeat(step: Step, once: () => Promise<Result>): Promise<Result> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await once();
    if (result.error || !stillMoving(step, result.out) || Date.now() > deadline) return result;
    await pause(200);
  }
}

interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  value?: { shape: string };
}
const shapes = (model as unknown as { shapes: Record<string, Shape> }).shapes;
const operations = (model as unknown as { operations: Record<string, { input?: { shape: string } }> }).operations;

/** The JS SDK takes timestamps as Dates: the table's ISO strings become Dates where the model has a timestamp. */
function sdkInput(shapeName: string | undefined, value: unknown): unknown {
  const shape = shapeName ? shapes[shapeName] : undefined;
  if (!shape) return value;
  if (shape.type === "timestamp" && typeof value === "string") return new Date(value);
  if (shape.type === "list" && Array.isArray(value)) return value.map((v) => sdkInput(shape.member?.shape, v));
  if (shape.type === "map" && value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sdkInput(shape.value?.shape, v)]));
  if (shape.type === "structure" && value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sdkInput(shape.members?.[k]?.shape, v)]));
  }
  return value;
}

type Command = Parameters<S.SSMClient["send"]>[0];
const commands = S as unknown as Record<string, new (input: unknown) => Command>;

async function runSdk(url: string, steps: Step[], verify: (i: number, result: Result, at: At) => void): Promise<void> {
  const ssm = new S.SSMClient(overHttp(url));
  const saved: Record<string, unknown> = {};
  for (const [i, step] of steps.entries()) {
    const input = sdkInput(operations[step.op].input?.shape, resolve(step.input, saved));
    const result = await repeat(step, async () => {
      try {
        const { $metadata: _, ...out } = (await ssm.send(new commands[`${step.op}Command`](input))) as { $metadata: unknown };
        return { out: JSON.parse(JSON.stringify(out)) };
      } catch (e) {
        const error = e as Error;
        if (!("$metadata" in error)) throw error;
        return { error: error.name, message: error.message };
      }
    });
    verify(i, result, (path) => lookup(saved, path));
    if (step.as) saved[step.as] = result.out;
  }
  ssm.destroy();
}

const BOTO3 = String.raw`
import base64, datetime, re, time
from botocore.exceptions import ClientError
ssm = boto3.client("ssm", endpoint_url=ENDPOINT, region_name="us-east-1")
saved = {}
def lookup(path):
    cur = saved
    for part in path.split("."):
        cur = cur[int(part)] if isinstance(cur, list) else cur[part]
    return cur
def resolve(v):
    if isinstance(v, list):
        return [resolve(x) for x in v]
    if isinstance(v, dict):
        if "$ref" in v:
            return lookup(v["$ref"])
        return {k: resolve(x) for k, x in v.items()}
    return v
def plain(v):
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items() if k != "ResponseMetadata"}
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, datetime.datetime):
        return v.isoformat()
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    return v
def moving(step, out):
    until = step.get("until")
    if not until:
        return False
    cur = out
    for part in until["path"].split("."):
        cur = cur.get(part) if isinstance(cur, dict) else (cur[int(part)] if isinstance(cur, list) and part.isdigit() and int(part) < len(cur) else None)
    return isinstance(cur, str) and cur in until["while"]
results = []
for step in STEPS:
    deadline = time.time() + 30
    while True:
        try:
            result = {"out": plain(getattr(ssm, botocore.xform_name(step["op"]))(**resolve(step["input"])))}
        except ClientError as e:
            result = {"error": e.response["Error"]["Code"], "message": e.response["Error"].get("Message", "")}
        except Exception as e:
            result = {"error": "python:" + type(e).__name__, "message": str(e)}
        if "error" in result or not moving(step, result["out"]) or time.time() > deadline:
            break
        time.sleep(0.2)
    results.append(result)
    if step.get("as") and "out" in result:
        saved[step["as"]] = result["out"]
print(json.dumps(results))
`;

async function runBoto3(url: string, steps: Step[], verify: (i: number, result: Result, at: At) => void): Promise<void> {
  const table = steps.map(({ op, input, as, until }) => ({ op, input, as, until }));
  const results = (await boto3(url, `STEPS = json.loads(${JSON.stringify(JSON.stringify(table))})\n${BOTO3}`)) as Result[];
  const saved: Record<string, unknown> = {};
  for (const [i, step] of steps.entries()) {
    verify(i, results[i], (path) => lookup(saved, path));
    if (step.as) saved[step.as] = results[i].out;
  }
}

async function runCli(version: "v1" | "v2", url: string, steps: Step[], verify: (i: number, result: Result, at: At) => void): Promise<void> {
  const cli = startCli(version, url);
  const saved: Record<string, unknown> = {};
  try {
    // Outputs of commands this CLI lacks: steps reading them are skipped with them.
    const absent = new Set<string>();
    const readsAbsent = (step: Step) => [...absent].some((name) => JSON.stringify(step.input).includes(`{"$ref":"${name}.`));
    for (const [i, step] of steps.entries()) {
      if ((step.needs && CLI_LACKS[version].has(step.needs)) || readsAbsent(step)) continue;
      const input = resolve(step.input, saved) as Record<string, unknown>;
      const args = ["ssm", kebab(step.op), ...cliArgs(input)];
      const result = await repeat(step, async () => {
        const r = await cli.run(args);
        if (r.code === 0) return { out: r.json ?? {} };
        if ((r.code === 252 || r.code === 2) && /Invalid choice/.test(r.stderr)) return { lacking: true, error: "InvalidChoice", message: r.stderr };
        return { error: r.errorCode ?? `exit ${r.code}`, message: r.stderr };
      });
      if (CLI_LACKS[version].has(step.op)) {
        expect(result.lacking, `${step.op}: the CLI was listed as lacking this command, and has it now: ${result.message ?? ""}`).toBe(true);
        if (step.as) absent.add(step.as);
        continue;
      }
      verify(i, result, (path) => lookup(saved, path));
      if (step.as) saved[step.as] = result.out;
    }
  } finally {
    await cli.close();
  }
}

function verifier(steps: Step[]) {
  return (i: number, result: Result, at: At) => {
    const step = steps[i];
    const label = `step ${i + 1} ${step.op}`;
    if (step.error) {
      expect(result.error, `${label}: expected ${step.error}; got ${JSON.stringify(result.out ?? result.message)}`).toBe(step.error);
      return;
    }
    expect(result.error, `${label}: ${result.message}`).toBeUndefined();
    try {
      step.check?.(result.out as never, at);
    } catch (e) {
      if (e instanceof Error) e.message = `${label}: ${e.message}\noutput: ${JSON.stringify(result.out)}`;
      throw e;
    }
  };
}

/** Registers the table's walkthrough for the JS SDK, boto3 and both AWS CLIs. */
export function walkthrough(title: string, steps: Step[]): void {
  const verify = verifier(steps);
  const clients: Array<{ name: string; absent: string | null; run: (url: string) => Promise<void> }> = [
    { name: "JS SDK", absent: null, run: (url) => runSdk(url, steps, verify) },
    { name: "boto3", absent: python.version ? null : python.reason, run: (url) => runBoto3(url, steps, verify) },
    ...(["v1", "v2"] as const).map((version) => ({
      name: `AWS CLI ${version}`,
      absent: cliSession[version] ? null : cliSession.reason(version),
      run: (url: string) => runCli(version, url, steps, verify),
    })),
  ];
  for (const client of clients) {
    if (client.absent) console.warn(`skipping the ${client.name} SSM ${title} walkthrough: ${client.absent}`);
    // Skipped only when this client is not installed here; the reason is printed above.
    describe.skipIf(client.absent !== null)(`SSM ${title} through ${client.name}`, () => {
      let server: Awaited<ReturnType<typeof startTestServer>>;
      beforeAll(async () => {
        server = await startTestServer();
      });
      afterAll(() => server?.close());
      // About 0.2 s of CPU a CLI command; the allowance is for a machine many times oversubscribed.
      it(`walks ${steps.length} calls (${new Set(steps.map((s) => s.op)).size} operations)`, () => client.run(server.url), 30_000 + steps.length * 4_000);
    });
  }
}
