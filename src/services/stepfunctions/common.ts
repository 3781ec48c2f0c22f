/**
 * Shared pieces of the Step Functions service: AWS's errors, ARNs, names and the stored
 * records' shapes. Source: https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";
import type { EncryptionConfiguration, LoggingConfiguration, TracingConfiguration } from "../../generated/stepfunctions.ts";
import { decodePageToken, encodePageToken } from "../../encoding/page-token.ts";
import { partitionOf } from "../../util/partition.ts";

export const err = (code: string, message: string, fields?: Record<string, unknown>) => new AwsError(code, message, 400, fields ? { fields } : {});


export function arn(ctx: Pick<RequestContext, "region" | "accountId">, kind: string, rest: string): string {
  return `arn:${partitionOf(ctx.region)}:states:${ctx.region}:${ctx.accountId}:${kind}:${rest}`;
}

/** A parsed `arn:aws:states:<region>:<account>:<kind>:<rest...>`. */
export interface StatesArn {
  region: string;
  account: string;
  kind: string;
  parts: string[];
}

export function parseArn(value: string): StatesArn | undefined {
  const m = /^arn:aws[a-z-]*:states:([a-z0-9-]+):(\d{12}):([A-Za-z]+):(.+)$/.exec(value);
  if (!m) return undefined;
  return { region: m[1]!, account: m[2]!, kind: m[3]!, parts: m[4]!.split(":") };
}

export const invalidArn = (value: string) => err("InvalidArn", `Invalid Arn: 'Resource type not valid in this context: ${value}'`);
export const malformedArn = (value: string) => err("InvalidArn", `Invalid Arn: 'Invalid ARN prefix: ${value}'`);

/** Parses an ARN of one of `kinds` or throws AWS's InvalidArn. */
export function requireArn(value: string, ...kinds: string[]): StatesArn {
  const parsed = parseArn(value);
  if (!parsed) throw malformedArn(value);
  if (!kinds.includes(parsed.kind)) throw invalidArn(value);
  return parsed;
}

/** AWS's name rule for state machines, executions, activities and aliases (1-80 chars, no whitespace, brackets, wildcards, special or control characters). */
export function checkName(name: string, what = "name"): void {
  // eslint-disable-next-line no-control-regex
  if (name.length < 1 || name.length > 80 || /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u.test(name)) {
    throw err("InvalidName", `Invalid Name: '${name}'`.replace("Name", what === "name" ? "Name" : what));
  }
}

export type Tags = { key: string; value: string }[];

export interface StoredMachine {
  arn: string;
  name: string;
  type: "STANDARD" | "EXPRESS";
  definition: string;
  roleArn: string;
  status: "ACTIVE" | "DELETING";
  creationDate: number;
  /** When the current revision was written (versions pin one). */
  revisionId: string;
  loggingConfiguration: LoggingConfiguration;
  tracingConfiguration: TracingConfiguration;
  encryptionConfiguration?: EncryptionConfiguration;
  description?: string;
  label?: string;
  tags: Tags;
  /** Highest version number ever published (numbers are never reused). */
  lastVersion: number;
  /** Number published off the current revision, if any (PublishStateMachineVersion is idempotent per revision). */
  revisionVersion?: number;
  updateDate?: number;
}

export interface StoredVersion {
  arn: string;
  machineArn: string;
  version: number;
  definition: string;
  roleArn: string;
  type: "STANDARD" | "EXPRESS";
  revisionId: string;
  description?: string;
  creationDate: number;
  loggingConfiguration: LoggingConfiguration;
  tracingConfiguration: TracingConfiguration;
  encryptionConfiguration?: EncryptionConfiguration;
  name: string;
}

export interface StoredAlias {
  arn: string;
  machineArn: string;
  name: string;
  description?: string;
  routingConfiguration: { stateMachineVersionArn: string; weight: number }[];
  creationDate: number;
  updateDate: number;
}

export interface StoredActivity {
  arn: string;
  name: string;
  creationDate: number;
  tags: Tags;
}

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED" | "PENDING_REDRIVE";

export interface StoredExecution {
  arn: string;
  name: string;
  machineArn: string;
  /** The version or alias ARN the execution was started with, if any. */
  versionArn?: string;
  aliasArn?: string;
  machineName: string;
  type: "STANDARD" | "EXPRESS";
  definition: string;
  roleArn: string;
  status: ExecutionStatus;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate?: number;
  traceHeader?: string;
  /** Identifies the in-memory run, so StopExecution can wake its waits. */
  runId: string;
  /** Events written so far (ids are 1..events). */
  events: number;
  redriveCount: number;
  redriveDate?: number;
  parentArn?: string;
}

export const keys = {
  machine: (arn: string) => ["machine", arn] as const,
  version: (machineArn: string, n: number) => ["version", machineArn, n] as const,
  alias: (arn: string) => ["alias", arn] as const,
  activity: (arn: string) => ["activity", arn] as const,
  activityTask: (arn: string, seq: string) => ["activity-task", arn, seq] as const,
  execution: (arn: string) => ["execution", arn] as const,
  event: (executionArn: string, id: number) => ["event", executionArn, id] as const,
  token: (token: string) => ["token", token] as const,
  mapRun: (arn: string) => ["map-run", arn] as const,
};

/** Seconds with milliseconds, as the JSON timestamp codec writes epoch time. */
export const date = (ms: number) => new Date(ms);

export function randomId(): string {
  return crypto.randomUUID();
}

/** Parses a JSON text given as execution input/output, or throws `InvalidExecutionInput`-style errors. */
export function parseJsonInput(text: string | undefined, code = "InvalidExecutionInput"): unknown {
  if (text === undefined) return {};
  if (new TextEncoder().encode(text).length > 262144) {
    throw err(code, `Input exceeds the maximum allowed size of 262144 bytes.`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw err(code, code === "InvalidOutput" ? `Invalid Output: '${text.slice(0, 60)}'` : `Invalid State Machine Execution Input: 'Unexpected input: ${text.slice(0, 60)}'`);
  }
}

export async function listAll<T>(ctx: RequestContext, prefix: readonly (string | number)[]): Promise<T[]> {
  const out: T[] = [];
  for await (const e of ctx.store.list<T>({ prefix })) out.push(e.value);
  return out;
}

/** Pages `items` by an opaque index token (AWS: "Invalid Token" for a token of another listing). */
export function page<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined): { items: T[]; nextToken?: string } {
  const size = maxResults && maxResults > 0 ? Math.min(maxResults, 1000) : 100;
  let start = 0;
  if (nextToken !== undefined) {
    const at = decodePageToken(nextToken)?.start;
    if (typeof at !== "number" || !Number.isInteger(at) || at < 0) throw err("InvalidToken", `Invalid Token: '${nextToken}'`);
    start = at;
  }
  const slice = items.slice(start, start + size);
  return start + size < items.length ? { items: slice, nextToken: encodePageToken({ start: start + size }) } : { items: slice };
}
