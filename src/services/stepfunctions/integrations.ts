/**
 * Task resources: what a Task state's `Resource` names and how it is called through
 * `ctx.invoke`. Optimized integrations (Lambda, SQS, SNS, DynamoDB, EventBridge, Step
 * Functions), AWS SDK integrations (`arn:aws:states:::aws-sdk:<service>:<action>`), bare Lambda
 * function ARNs and activity ARNs, with the `.sync`, `.sync:2` and `.waitForTaskToken` patterns.
 * Source: https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html
 */
import { bytesToBase64 } from "../../encoding/base64.ts";
import { isAwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";
import { StatesError } from "./errors.ts";

export interface TaskResource {
  kind: "service" | "lambda" | "activity";
  /** As TaskScheduled names it: `lambda`, `sqs`, `aws-sdk:s3`, ... */
  resourceType: string;
  /** As TaskScheduled names it: `invoke`, `sendMessage.waitForTaskToken`, ... */
  resource: string;
  pattern: "request" | "sync" | "sync2" | "token";
  /** Our service name and the API operation, for service integrations. */
  service?: string;
  operation?: string;
  arn: string;
}

/** Service integration names of the AWS SDK integration to fetchstack's service names. */
const SDK_SERVICES: Record<string, string> = {
  sfn: "stepfunctions", states: "stepfunctions", cloudwatchlogs: "logs", eventbridge: "events", dynamodb: "dynamodb",
  s3: "s3", sqs: "sqs", sns: "sns", lambda: "lambda", kinesis: "kinesis", firehose: "firehose", iam: "iam", kms: "kms",
  secretsmanager: "secretsmanager", ssm: "ssm", sts: "sts", scheduler: "scheduler", cloudwatch: "cloudwatch",
  memorydb: "memorydb", dynamodbstreams: "dynamodbstreams",
};

/** Error-name prefixes of the optimized integrations. */
const PREFIX: Record<string, string> = { lambda: "Lambda", sqs: "SQS", sns: "SNS", dynamodb: "DynamoDB", events: "EventBridge", stepfunctions: "StepFunctions" };

const OPTIMIZED: Record<string, { service: string; actions: Record<string, string> }> = {
  lambda: { service: "lambda", actions: { invoke: "Invoke" } },
  sqs: { service: "sqs", actions: { sendMessage: "SendMessage" } },
  sns: { service: "sns", actions: { publish: "Publish" } },
  dynamodb: { service: "dynamodb", actions: { getItem: "GetItem", putItem: "PutItem", updateItem: "UpdateItem", deleteItem: "DeleteItem" } },
  events: { service: "events", actions: { putEvents: "PutEvents" } },
  states: { service: "stepfunctions", actions: { startExecution: "StartExecution" } },
};

/** Parses a Task's Resource, or undefined when it names nothing we can run. */
export function parseResource(arn: string): TaskResource | undefined {
  const lambda = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[^:]+(:[^:]+)?$/.exec(arn);
  if (lambda) return { kind: "lambda", resourceType: "lambda", resource: arn, pattern: "request", arn };
  if (/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:.+$/.test(arn)) return { kind: "activity", resourceType: "activity", resource: arn, pattern: "request", arn };
  const m = /^arn:aws[a-z-]*:states:::(.+)$/.exec(arn);
  if (!m) return undefined;
  let rest = m[1]!;
  let pattern: TaskResource["pattern"] = "request";
  const suffix = /\.(sync:2|sync|waitForTaskToken)$/.exec(rest);
  if (suffix) {
    pattern = suffix[1] === "sync:2" ? "sync2" : suffix[1] === "sync" ? "sync" : "token";
    rest = rest.slice(0, suffix.index);
  }
  const sdk = /^aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(rest);
  if (sdk) {
    const service = SDK_SERVICES[sdk[1]!];
    if (!service) return undefined;
    const operation = sdk[2]![0]!.toUpperCase() + sdk[2]!.slice(1);
    return { kind: "service", resourceType: `aws-sdk:${sdk[1]}`, resource: m[1]!.slice(rest.indexOf(":", 8) + 1), pattern, service, operation, arn };
  }
  const parts = /^([a-z]+):([A-Za-z]+)$/.exec(rest);
  if (!parts) return undefined;
  const opt = OPTIMIZED[parts[1]!];
  const operation = opt?.actions[parts[2]!];
  if (!opt || !operation) return undefined;
  if ((pattern === "sync" || pattern === "sync2") && opt.service !== "stepfunctions") return undefined;
  return { kind: "service", resourceType: parts[1]!, resource: m[1]!.slice(parts[1]!.length + 1), pattern, service: opt.service, operation, arn };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** JSON-safe copy of a handler's output: blobs as base64, dates as ISO text (as SDK integrations return them). */
export function toJson(value: unknown): unknown {
  if (value instanceof Uint8Array) return bytesToBase64(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJson);
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined || typeof v === "function" || v instanceof ReadableStream) continue;
      if (k === "HTTP_STATUS" || k === "HTTP_HEADERS") continue;
      out[k] = toJson(v);
    }
    return out;
  }
  return value;
}

const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
const bytes = (v: unknown) => new TextEncoder().encode(text(v));

/** An AwsError from an integration as the States error AWS reports (`Lambda.ResourceNotFoundException`). */
function serviceError(res: TaskResource, error: unknown): StatesError {
  if (error instanceof StatesError) return error;
  if (!isAwsError(error)) return new StatesError("States.TaskFailed", String((error as Error)?.message ?? error));
  const service = res.service ?? "lambda";
  const prefix = res.resourceType.startsWith("aws-sdk:") ? pascal(res.resourceType.slice(8)) : PREFIX[service] ?? pascal(service);
  const code = error.code.endsWith("Exception") ? error.code : `${error.code}Exception`;
  return new StatesError(`${prefix}.${code}`, `${error.message} (Service: ${prefix}, Status Code: ${error.status}, Error Code: ${error.code}, Request ID: ${crypto.randomUUID()})`);
}

function pascal(s: string): string {
  const known: Record<string, string> = { dynamodb: "DynamoDb", sqs: "Sqs", sns: "Sns", s3: "S3", sfn: "Sfn", secretsmanager: "SecretsManager", cloudwatchlogs: "CloudWatchLogs", eventbridge: "EventBridge" };
  return known[s] ?? s[0]!.toUpperCase() + s.slice(1);
}

/** What a Lambda function's error payload says, as Step Functions names it. */
function lambdaFailure(payload: Uint8Array | undefined, functionError: string): StatesError {
  const body = payload ? new TextDecoder().decode(payload) : "";
  let errorType = functionError === "Unhandled" ? "Lambda.Unknown" : functionError;
  try {
    const parsed = JSON.parse(body);
    if (isObject(parsed) && typeof parsed.errorType === "string") errorType = parsed.errorType;
  } catch { /* not JSON: the raw text is the cause */ }
  return new StatesError(errorType, body);
}

function parsePayload(payload: Uint8Array | undefined): unknown {
  const body = payload && payload.length ? new TextDecoder().decode(payload) : "null";
  try {
    return JSON.parse(body);
  } catch {
    return body;
  }
}

/** Services whose API members are camelCase while Step Functions' parameters are PascalCase. */
const CAMEL_SERVICES = new Set(["stepfunctions", "logs"]);

function rekey(value: unknown, first: (c: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => rekey(v, first));
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [first(k[0] ?? "") + k.slice(1), rekey(v, first)]));
}

/** Invokes a bare Lambda function ARN Task: the output is the function's response payload. */
export async function invokeLambdaArn(ctx: RequestContext, arn: string, input: unknown): Promise<unknown> {
  let out: Record<string, unknown>;
  try {
    out = await ctx.invoke("lambda", "Invoke", { FunctionName: arn, Payload: bytes(input) });
  } catch (error) {
    throw serviceError({ kind: "lambda", resourceType: "lambda", resource: arn, pattern: "request", service: "lambda", arn }, error);
  }
  if (out.FunctionError) throw lambdaFailure(out.Payload as Uint8Array, String(out.FunctionError));
  return parsePayload(out.Payload as Uint8Array);
}

/** Calls a service integration's API with `params`; returns the result as Step Functions shows it. */
export async function callService(ctx: RequestContext, res: TaskResource, params: unknown): Promise<unknown> {
  const input = isObject(params) ? { ...params } : {};
  const service = res.service!;
  const operation = res.operation!;
  if (!res.resourceType.startsWith("aws-sdk:")) {
    if (service === "sqs" && input.MessageBody !== undefined) input.MessageBody = text(input.MessageBody);
    if (service === "sns" && input.Message !== undefined) input.Message = text(input.Message);
    if (service === "stepfunctions" && input.Input !== undefined) input.Input = text(input.Input);
    if (service === "events" && Array.isArray(input.Entries)) {
      input.Entries = input.Entries.map((e) => (isObject(e) && e.Detail !== undefined ? { ...e, Detail: text(e.Detail) } : e));
    }
    if (service === "lambda") {
      if (input.Payload !== undefined) input.Payload = bytes(input.Payload);
      if (typeof input.ClientContext === "string") input.ClientContext = input.ClientContext;
    }
  }
  let out: Record<string, unknown>;
  try {
    const sent = CAMEL_SERVICES.has(service) ? (rekey(input, (c) => c.toLowerCase()) as Record<string, unknown>) : input;
    out = await ctx.invoke(service, operation, sent);
  } catch (error) {
    throw serviceError(res, error);
  }
  if (service === "lambda" && operation === "Invoke" && !res.resourceType.startsWith("aws-sdk:")) {
    if (out.FunctionError) throw lambdaFailure(out.Payload as Uint8Array, String(out.FunctionError));
    return {
      ExecutedVersion: out.ExecutedVersion ?? "$LATEST",
      Payload: parsePayload(out.Payload as Uint8Array),
      SdkHttpMetadata: { HttpStatusCode: out.StatusCode ?? 200 },
      SdkResponseMetadata: { RequestId: crypto.randomUUID() },
      StatusCode: out.StatusCode ?? 200,
    };
  }
  if (service === "events" && operation === "PutEvents" && !res.resourceType.startsWith("aws-sdk:") && Number(out.FailedEntryCount ?? 0) > 0) {
    throw new StatesError("EventBridge.FailedEntry", "AWS EventBridge failed to process one or more entries. " + JSON.stringify(toJson(out)));
  }
  const json = toJson(out) as Record<string, unknown>;
  return CAMEL_SERVICES.has(service) ? rekey(json, (c) => c.toUpperCase()) : json;
}
