/**
 * The console's calls to its own origin: AWS operations through `/_fetchstack/call`, the
 * services' introspection views and the internal API. Account and region come from the header.
 */
import type * as models from "../../generated/index.ts";

export const BASE = location.pathname.replace(/\/_fetchstack\/ui\/?$/, "");
export const INTERNAL = `${BASE}/_fetchstack`;

export const scope = {
  account: localStorage.getItem("fs.account") ?? "",
  region: localStorage.getItem("fs.region") ?? "",
};

export function setScope(account: string, region: string): void {
  scope.account = account;
  scope.region = region;
  localStorage.setItem("fs.account", account);
  localStorage.setItem("fs.region", region);
}

/** An AWS error answered by an operation (`code` as AWS names it). */
export class ApiError extends Error {
  constructor(readonly code: string, message: string, readonly status: number) {
    super(`${code}: ${message}`);
  }
}

function scopeQuery(): string {
  return new URLSearchParams({ account: scope.account, region: scope.region }).toString();
}

/**
 * The operations of every service the console calls, from the generated model types (type-only:
 * nothing of them reaches the browser bundle).
 */
export interface ServiceOperations {
  cloudwatch: models.cloudwatch.Operations;
  dynamodb: models.dynamodb.Operations;
  dynamodbstreams: models.dynamodbstreams.Operations;
  events: models.events.Operations;
  firehose: models.firehose.Operations;
  iam: models.iam.Operations;
  kinesis: models.kinesis.Operations;
  kms: models.kms.Operations;
  lambda: models.lambda.Operations;
  logs: models.logs.Operations;
  memorydb: models.memorydb.Operations;
  s3: models.s3.Operations;
  scheduler: models.scheduler.Operations;
  secretsmanager: models.secretsmanager.Operations;
  sns: models.sns.Operations;
  sqs: models.sqs.Operations;
  ssm: models.ssm.Operations;
  stepfunctions: models.stepfunctions.Operations;
  sts: models.sts.Operations;
}

export type ServiceName = keyof ServiceOperations;
export type OperationName<S extends ServiceName> = keyof ServiceOperations[S] & string;
type Signature<S extends ServiceName, O extends OperationName<S>> = ServiceOperations[S][O] extends { input: infer I; output: infer R } ? { input: I; output: R } : never;

/**
 * A model type as `/_fetchstack/call` writes it in JSON (the awsJson rules): timestamps as epoch
 * seconds (text where the model's timestampFormat says so), blobs and read streams as base64.
 */
export type Wire<T> =
  T extends Date ? number | string
  : T extends Uint8Array | ReadableStream ? string
  : T extends readonly (infer U)[] ? Wire<U>[]
  : T extends object ? { [K in keyof T]: Wire<T[K]> }
  : T;

/** An operation's input as `call` takes it. */
export type CallInput<S extends ServiceName, O extends OperationName<S>> = Wire<Signature<S, O>["input"]>;
/** An operation's output as `call` answers it (`{}` for an operation without output). */
export type CallOutput<S extends ServiceName, O extends OperationName<S>> = Wire<Exclude<Signature<S, O>["output"], void>>;

/** Runs `service`'s `operation` in the selected account and region (JSON in and out). */
export async function call<S extends ServiceName, O extends OperationName<S>>(service: S, operation: O, input: CallInput<S, O> = {} as CallInput<S, O>): Promise<CallOutput<S, O>> {
  const response = await fetch(`${INTERNAL}/call/${service}/${operation}?${scopeQuery()}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(input),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(body.__type ?? "Error", body.message ?? body.error ?? response.statusText, response.status);
  return body;
}

/**
 * Every page of a paginated list operation, up to `max` items: `token` names the input member
 * that takes the token and the output member that answers it.
 */
export async function callAll<S extends ServiceName, O extends OperationName<S>, T>(service: S, operation: O, input: CallInput<S, O>, items: (out: CallOutput<S, O>) => T[] | undefined, token: [keyof CallInput<S, O> & string, keyof CallOutput<S, O> & string] = ["NextToken", "NextToken"] as never, max = 1000): Promise<T[]> {
  const all: T[] = [];
  let next: unknown;
  do {
    const out: CallOutput<S, O> = await call(service, operation, next ? { ...(input as object), [token[0]]: next } as CallInput<S, O> : input);
    all.push(...(items(out) ?? []));
    next = out[token[1]];
  } while (next && all.length < max);
  return all;
}

/** A service's introspection view (`/_fetchstack/services/<service>/<view>`); `T` is the caller's word for its JSON. */
export async function view<T = unknown>(service: string, name: string, params: Record<string, string> = {}): Promise<T> {
  const q = new URLSearchParams({ ...params, account: scope.account, region: scope.region });
  const response = await fetch(`${INTERNAL}/services/${service}/${name}?${q}`);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError("ViewError", body.error ?? response.statusText, response.status);
  return body as T;
}

/** A call to the internal API (`/_fetchstack<path>`); `T` is the caller's word for its JSON. */
export async function internal<T = unknown>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(`${INTERNAL}${path}`, init);
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError("Error", body.error ?? response.statusText, response.status);
  return body as T;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function base64ToBytes(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** Saves bytes as a file through a temporary link. */
export function download(name: string, data: BlobPart, type = "application/octet-stream"): void {
  const url = URL.createObjectURL(new Blob([data], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
