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
import { AwsError } from "../../protocol/errors.ts";
import { bytesToBase64 } from "../../protocol/shape-values.ts";
import type { LambdaRunResult, ResponseStreamSink } from "../../lambda-runner.ts";
import type { Handlers, RequestContext } from "../types.ts";
import type { InvokeWithResponseStreamRequest, Operations } from "../../generated/lambda.ts";
import { bodyBytes } from "./code.ts";
import { functionArn } from "./names.ts";
import { invokeDurable } from "./durable.ts";
import type { StoredEventInvokeConfig } from "./state.ts";
import { cannotRun, resolveTarget, runOnce, tail, throttled, utf8, type Target } from "./run.ts";

export { listInvocations, type InvocationRecord } from "./run.ts";

export const MAX_SYNC_PAYLOAD = 6 * 1024 * 1024;
export const MAX_ASYNC_PAYLOAD = 256 * 1024;
const DEFAULT_RETRIES = 2;
const DEFAULT_MAX_AGE_SECONDS = 21600;

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

async function prepare(ctx: RequestContext, input: { FunctionName: string; Qualifier?: string; Payload?: unknown }, type: string): Promise<{ target: Target; payload: Uint8Array }> {
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
    if (target.config.DurableConfig) return invokeDurable(ctx, target, payload, input, type);
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
  const eic = (await ctx.store.get<StoredEventInvokeConfig>(["eic", name, qualifier])).value
    ?? (await ctx.store.get<StoredEventInvokeConfig>(["eic", name, "$LATEST"])).value ?? undefined;
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
