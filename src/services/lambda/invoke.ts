/**
 * Invoke and InvokeAsync: the function's code really runs, through the runner the runtime hands
 * the emulator (`ctx.lambdaRunner`, src/lambda-runner.ts). Where there is none (workerd) or it
 * cannot run the runtime, Invoke answers `InvalidRuntimeException` saying why, never a fake
 * success.
 *
 * - RequestResponse: 200 with the function's payload; a failure is still 200, with
 *   `X-Amz-Function-Error: Unhandled` and the error document; `LogType: Tail` returns the last
 *   4 KB of the invocation's log, base64, in `X-Amz-Log-Result`.
 * - Event: 202 at once; the invocation runs in the background (`ctx.waitUntil`, so
 *   `emulator.settled()` waits), is retried per the event invoke config (default twice, after
 *   1 and 2 minutes of emulator time), then goes to the OnFailure destination or the
 *   DeadLetterConfig; successes go to OnSuccess. Destinations: SQS, SNS, Lambda, EventBridge.
 * - DryRun: 204 once the function and qualifier resolve.
 * Sources: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html
 */
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import { bytesToBase64 } from "../../protocol/shape-values.ts";
import type { LambdaRunRequest, LambdaRunResult, ResponseStreamSink } from "../../lambda-runner.ts";
import type { Store } from "../../store/types.ts";
import type { Handlers, RequestContext } from "../types.ts";
import type { InvokeWithResponseStreamRequest, Operations } from "../../generated/lambda.ts";
import { pickVersion, type StoredAlias } from "./aliases.ts";
import { bodyBytes, codeBlobs, loadPackage } from "./code.ts";
import { functionArn, parseFunctionName, parseLayerVersionArn } from "./names.ts";
import { resolveFunction, type FunctionConfig, type Resolved } from "./state.ts";

export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD = 256 * 1024;
const TAIL_BYTES = 4096;
const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_AGE_SECONDS = 21600;

/** One invocation, as the `invocations` introspection view lists it. */
export interface InvocationRecord {
  FunctionName: string;
  Version: string;
  RequestId: string;
  InvocationType: "RequestResponse" | "Event";
  /** 1 for the first attempt of an asynchronous event, 2 and 3 for its retries. */
  Attempt: number;
  FunctionError?: string;
  /** The response or error document (UTF-8, cut at 4 KB). */
  Response: string;
  /** The invocation's log (cut to its last 4 KB). */
  Log: string;
  DurationMs: number;
  InitDurationMs?: number;
  At: number;
}

interface Target {
  resolved: Resolved;
  config: FunctionConfig;
  version: string;
  /** The ARN the caller named (qualified when a qualifier was given). */
  invokedArn: string;
}

function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

function tail(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return bytes.byteLength <= TAIL_BYTES ? text : new TextDecoder().decode(bytes.subarray(bytes.byteLength - TAIL_BYTES));
}

async function payloadOf(input: unknown): Promise<Uint8Array> {
  if (input === undefined || input === null) return new TextEncoder().encode("{}");
  if (typeof input === "string") return new TextEncoder().encode(input);
  const bytes = await bodyBytes(input);
  return bytes.byteLength === 0 ? new TextEncoder().encode("{}") : bytes;
}

function checkJson(payload: Uint8Array): void {
  try {
    JSON.parse(utf8(payload));
  } catch (error) {
    throw new AwsError("InvalidRequestContentException", `Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`, 400);
  }
}

async function resolveTarget(ctx: RequestContext, functionName: string, qualifier: string | undefined): Promise<Target> {
  const ref = parseFunctionName(functionName, qualifier);
  let resolved = await resolveFunction(ctx, ref);
  if (resolved.alias?.RoutingConfig) {
    const version = pickVersion(resolved.alias as StoredAlias);
    if (version !== resolved.version) resolved = { ...(await resolveFunction(ctx, { name: ref.name, qualifier: version })), alias: resolved.alias };
  }
  return { resolved, config: resolved.config, version: resolved.version, invokedArn: functionArn(ctx, ref.name, ref.qualifier) };
}

/** The reason this emulator cannot run `config`, as AWS's InvalidRuntimeException; null if it can. */
function cannotRun(ctx: RequestContext, config: FunctionConfig): AwsError | null {
  if (config.PackageType === "Image") {
    return new AwsError("InvalidRuntimeException", "fetchstack cannot run container image functions (PackageType Image): functions run without Docker. Use a .zip package with a nodejs, python3 or provided runtime.", 502);
  }
  if (!ctx.lambdaRunner) {
    return new AwsError("InvalidRuntimeException", "fetchstack cannot run function code in this runtime (no process spawning, e.g. workerd): Invoke needs fetchstack on Node (npx fetchstack, or createEmulator({ lambdaRunner: createNodeLambdaRunner() })). See docs/lambda.md.", 502);
  }
  const reason = ctx.lambdaRunner.unsupported(config.Runtime ?? "");
  return reason ? new AwsError("InvalidRuntimeException", reason, 502) : null;
}

function throttled(): AwsError {
  return new AwsError("TooManyRequestsException", "Rate Exceeded.", 429, { fields: { Reason: "ReservedFunctionConcurrentInvocationLimitExceeded" } });
}

async function layerZips(ctx: RequestContext, config: FunctionConfig): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const layer of (config.Layers ?? []) as { Arn: string }[]) {
    const parsed = parseLayerVersionArn(layer.Arn);
    if (!parsed) continue;
    const stored = (await ctx.storeFor(parsed.accountId, parsed.region).get<{ codeKey: string }>(["layer", parsed.name, parsed.version])).value;
    const bytes = stored ? await loadPackage(codeBlobs(ctx), stored.codeKey) : null;
    // A layer deleted after the function was configured still runs on AWS (versions are kept
    // while referenced); here its package is gone, so it is left out.
    if (bytes) out.push(bytes);
  }
  return out;
}

/** Runs the function once and records the invocation. */
async function runOnce(
  ctx: RequestContext, target: Target, payload: Uint8Array, requestId: string, type: InvocationRecord["InvocationType"], attempt: number,
  clientContext?: string, stream?: ResponseStreamSink,
): Promise<LambdaRunResult> {
  const { config, resolved } = target;
  const request: LambdaRunRequest = {
    environmentKey: `${ctx.accountId}/${ctx.region}/${config.FunctionName}/${target.version}/${config.CodeSha256}/${config.RevisionId}`,
    functionName: config.FunctionName,
    functionVersion: target.version,
    invokedFunctionArn: target.invokedArn,
    runtime: config.Runtime,
    handler: config.Handler,
    memorySizeMb: config.MemorySize,
    timeoutSeconds: config.Timeout,
    architectures: config.Architectures ?? ["x86_64"],
    environment: { ...(config.Environment?.Variables ?? {}) },
    region: ctx.region,
    accountId: ctx.accountId,
    logGroupName: config.LoggingConfig?.LogGroup ?? `/aws/lambda/${config.FunctionName}`,
    loadCode: async () => {
      const code = await loadPackage(codeBlobs(ctx), resolved.codeKey);
      if (!code) throw new AwsError("ServiceException", `The code of ${config.FunctionArn} is missing from the blob store.`, 500);
      return { code, layers: await layerZips(ctx, config) };
    },
    payload,
    requestId,
    ...(clientContext ? { clientContext } : {}),
    ...(stream ? { stream } : {}),
  };
  let result: LambdaRunResult;
  try {
    result = await ctx.lambdaRunner!.invoke(request);
  } catch (error) {
    if (isAwsError(error)) throw error;
    throw new AwsError("ServiceException", `fetchstack could not start the function's runtime: ${(error as Error).message}`, 500);
  }
  const record: InvocationRecord = {
    FunctionName: config.FunctionName,
    Version: target.version,
    RequestId: requestId,
    InvocationType: type,
    Attempt: attempt,
    ...(result.functionError ? { FunctionError: result.functionError } : {}),
    Response: tail(utf8(result.payload)),
    Log: tail(result.log),
    DurationMs: Math.round(result.durationMs * 100) / 100,
    ...(result.initDurationMs !== undefined ? { InitDurationMs: Math.round(result.initDurationMs * 100) / 100 } : {}),
    At: ctx.clock.now(),
  };
  await ctx.store.set(["invocation", config.FunctionName, record.At, requestId, attempt], record);
  ctx.waitUntil(shipLogs(ctx, request.logGroupName, result));
  return result;
}

/**
 * Sends the invocation's log lines to CloudWatch Logs (`/aws/lambda/<name>` unless the
 * function's LoggingConfig names another group), one stream per environment, as AWS does.
 * Best effort: with the Logs service disabled the lines stay in the invocation record only.
 */
async function shipLogs(ctx: RequestContext, group: string, result: LambdaRunResult): Promise<void> {
  const stream = result.logStreamName ?? `${new Date(ctx.clock.now()).toISOString().slice(0, 10).replace(/-/g, "/")}/[$LATEST]fetchstack`;
  const lines = result.log.split("\n").filter((line) => line !== "");
  if (lines.length === 0) return;
  const ignoreExists = (error: unknown) => {
    if (!(isAwsError(error) && error.code === "ResourceAlreadyExistsException")) throw error;
  };
  try {
    await ctx.invoke("logs", "CreateLogGroup", { logGroupName: group }).catch(ignoreExists);
    await ctx.invoke("logs", "CreateLogStream", { logGroupName: group, logStreamName: stream }).catch(ignoreExists);
    const timestamp = ctx.clock.now();
    await ctx.invoke("logs", "PutLogEvents", { logGroupName: group, logStreamName: stream, logEvents: lines.map((message) => ({ timestamp, message })) });
  } catch {
    // Logs not enabled (or refusing the batch): the invocation record keeps the log.
  }
}

/** Every recorded invocation of this account and region (oldest first); `?function=` filters. */
export async function listInvocations(store: Store, name?: string): Promise<InvocationRecord[]> {
  const out: InvocationRecord[] = [];
  for await (const e of store.list<InvocationRecord>({ prefix: name ? ["invocation", name] : ["invocation"] })) out.push(e.value);
  return out.sort((a, b) => a.At - b.At);
}

async function prepare(ctx: RequestContext, input: Record<string, any>, type: string): Promise<{ target: Target; payload: Uint8Array }> {
  const payload = await payloadOf(input.Payload);
  const limit = type === "Event" ? MAX_ASYNC_PAYLOAD : MAX_SYNC_PAYLOAD;
  if (payload.byteLength > limit) {
    throw new AwsError("RequestTooLargeException", `Request must be smaller than ${limit} bytes for the InvokeFunction operation`, 413);
  }
  const target = await resolveTarget(ctx, input.FunctionName, input.Qualifier);
  checkJson(payload);
  if (target.resolved.fn.reservedConcurrency === 0) throw throttled();
  if (type !== "DryRun") {
    const problem = cannotRun(ctx, target.config);
    if (problem) throw problem;
  }
  return { target, payload };
}

/** A synchronous invocation as function URLs run it (urls.ts): the whole response, or null for DryRun. */
export async function invokeBuffered(ctx: RequestContext, input: InvokeWithResponseStreamRequest): Promise<{ version: string; result: LambdaRunResult } | null> {
  const type = input.InvocationType ?? "RequestResponse";
  const { target, payload } = await prepare(ctx, input, type);
  if (type === "DryRun") return null;
  return { version: target.version, result: await runOnce(ctx, target, payload, ctx.requestId, "RequestResponse", 1, input.ClientContext) };
}

/**
 * A synchronous invocation as InvokeWithResponseStream runs it (stream.ts): checks done (AWS's
 * errors thrown here), the run started; a streaming function's chunks go to `stream` as it
 * writes them, and `result` settles when it is done. Null for DryRun.
 */
export async function invokeStreaming(
  ctx: RequestContext, input: InvokeWithResponseStreamRequest, stream: ResponseStreamSink,
): Promise<{ version: string; result: Promise<LambdaRunResult> } | null> {
  const type = input.InvocationType ?? "RequestResponse";
  const { target, payload } = await prepare(ctx, input, type);
  if (type === "DryRun") return null;
  return { version: target.version, result: runOnce(ctx, target, payload, ctx.requestId, "RequestResponse", 1, input.ClientContext, stream) };
}

export const invokeHandlers: Handlers<Operations> = {
  async Invoke(input, ctx) {
    const type: string = input.InvocationType ?? "RequestResponse";
    const { target, payload } = await prepare(ctx, input, type);
    if (type === "DryRun") return { StatusCode: 204 };
    const requestId = ctx.requestId;
    if (type === "Event") {
      ctx.waitUntil(runAsync(ctx, target, payload, requestId));
      return { StatusCode: 202 };
    }
    const result = await runOnce(ctx, target, payload, requestId, "RequestResponse", 1, input.ClientContext);
    return {
      StatusCode: 200,
      ...(result.functionError ? { FunctionError: result.functionError } : {}),
      ...(input.LogType === "Tail" ? { LogResult: bytesToBase64(new TextEncoder().encode(tail(result.log))) } : {}),
      ExecutedVersion: target.version,
      Payload: result.payload,
    };
  },

  async InvokeAsync(input, ctx) {
    const { target, payload } = await prepare(ctx, { FunctionName: input.FunctionName, Payload: input.InvokeArgs }, "Event");
    ctx.waitUntil(runAsync(ctx, target, payload, ctx.requestId));
    return { Status: 202 };
  },
};

/** An asynchronous invocation: attempts with AWS's backoff, then destinations. Never throws. */
async function runAsync(ctx: RequestContext, target: Target, payload: Uint8Array, requestId: string): Promise<void> {
  const name = target.config.FunctionName;
  const qualifier = target.resolved.alias?.Name ?? target.version;
  const eic = (await ctx.store.get<Record<string, any>>(["eic", name, qualifier])).value
    ?? (await ctx.store.get<Record<string, any>>(["eic", name, "$LATEST"])).value ?? undefined;
  const retries: number = eic?.MaximumRetryAttempts ?? DEFAULT_RETRIES;
  const maxAgeMs = (eic?.MaximumEventAgeInSeconds ?? DEFAULT_MAX_AGE_SECONDS) * 1000;
  const queuedAt = ctx.clock.now();
  let result: LambdaRunResult | undefined;
  let attempt = 0;
  let condition = "RetriesExhausted";
  for (;;) {
    attempt++;
    try {
      result = await runOnce(ctx, target, payload, requestId, "Event", attempt);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = { payload: new TextEncoder().encode(JSON.stringify({ errorType: "ServiceException", errorMessage: message })), functionError: "Unhandled", log: "", durationMs: 0 };
    }
    if (!result.functionError || attempt > retries) break;
    // AWS waits 1 minute before the first retry and 2 before the second.
    await ctx.timers.sleep(60_000 * attempt, { background: true });
    if (ctx.clock.now() - queuedAt > maxAgeMs) {
      condition = "EventAgeExceeded";
      break;
    }
  }
  const failed = !!result.functionError;
  const destination: string | undefined = failed ? eic?.DestinationConfig?.OnFailure?.Destination : eic?.DestinationConfig?.OnSuccess?.Destination;
  try {
    if (destination) {
      await sendRecord(ctx, destination, invocationRecord(ctx, target, payload, requestId, result, failed ? condition : "Success", attempt));
    } else if (failed && target.config.DeadLetterConfig?.TargetArn) {
      await sendToDlq(ctx, target.config.DeadLetterConfig.TargetArn, payload, requestId, result);
    }
  } catch {
    // A destination that cannot be reached drops the record, as AWS does after its own retries.
  }
}

function invocationRecord(ctx: RequestContext, target: Target, payload: Uint8Array, requestId: string, result: LambdaRunResult, condition: string, attempts: number): string {
  const parse = (bytes: Uint8Array) => {
    try {
      return JSON.parse(utf8(bytes));
    } catch {
      return utf8(bytes);
    }
  };
  return JSON.stringify({
    version: "1.0",
    timestamp: new Date(ctx.clock.now()).toISOString(),
    requestContext: { requestId, functionArn: functionArn(ctx, target.config.FunctionName, target.version), condition, approximateInvokeCount: attempts },
    requestPayload: parse(payload),
    responseContext: { statusCode: 200, executedVersion: target.version, ...(result.functionError ? { functionError: result.functionError } : {}) },
    responsePayload: parse(result.payload),
  });
}

async function queueUrl(ctx: RequestContext, arn: string): Promise<string> {
  const [, , , , account, queue] = arn.split(":");
  const out = await ctx.invoke("sqs", "GetQueueUrl", { QueueName: queue, QueueOwnerAWSAccountId: account });
  return out.QueueUrl as string;
}

async function sendRecord(ctx: RequestContext, destination: string, record: string): Promise<void> {
  const service = destination.split(":")[2];
  const success = JSON.parse(record).requestContext.condition === "Success";
  if (service === "sqs") await ctx.invoke("sqs", "SendMessage", { QueueUrl: await queueUrl(ctx, destination), MessageBody: record });
  else if (service === "sns") await ctx.invoke("sns", "Publish", { TopicArn: destination, Message: record });
  else if (service === "lambda") await ctx.invoke("lambda", "Invoke", { FunctionName: destination, InvocationType: "Event", Payload: new TextEncoder().encode(record) });
  else if (service === "events") {
    await ctx.invoke("events", "PutEvents", {
      Entries: [{
        Source: "lambda", DetailType: `Lambda Function Invocation Result - ${success ? "Success" : "Failure"}`, Detail: record,
        EventBusName: destination, Resources: [],
      }],
    });
  }
}

async function sendToDlq(ctx: RequestContext, arn: string, payload: Uint8Array, requestId: string, result: LambdaRunResult): Promise<void> {
  let errorMessage = "";
  try {
    errorMessage = String(JSON.parse(utf8(result.payload)).errorMessage ?? "");
  } catch {
    errorMessage = utf8(result.payload);
  }
  const attributes = {
    RequestID: { DataType: "String", StringValue: requestId },
    ErrorCode: { DataType: "Number", StringValue: "200" },
    ErrorMessage: { DataType: "String", StringValue: errorMessage || "Unhandled" },
  };
  const service = arn.split(":")[2];
  if (service === "sqs") {
    await ctx.invoke("sqs", "SendMessage", { QueueUrl: await queueUrl(ctx, arn), MessageBody: utf8(payload), MessageAttributes: attributes });
  } else if (service === "sns") {
    await ctx.invoke("sns", "Publish", { TopicArn: arn, Message: utf8(payload), MessageAttributes: attributes });
  }
}

/**
 * A synchronous invocation on behalf of an event source mapping (poller.ts): `ok` is false when
 * the function failed. Throws when the function cannot run at all (missing, throttled, no runner).
 */
export async function invokeForMapping(ctx: RequestContext, functionArnOrName: string, payload: Uint8Array): Promise<{ ok: boolean; payload: Uint8Array }> {
  const target = await resolveTarget(ctx, functionArnOrName, undefined);
  if (target.resolved.fn.reservedConcurrency === 0) throw throttled();
  const problem = cannotRun(ctx, target.config);
  if (problem) throw problem;
  const result = await runOnce(ctx, target, payload, crypto.randomUUID(), "RequestResponse", 1);
  return { ok: !result.functionError, payload: result.payload };
}
