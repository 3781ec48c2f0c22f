/**
 * One run of a function through the runner (`ctx.lambdaRunner`), shared by Invoke (invoke.ts),
 * response streaming (stream.ts), event source mappings and durable executions (durable.ts):
 * resolving the target, the reasons it cannot run, the run itself, its invocation record and its
 * log lines to CloudWatch Logs.
 * Source: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
import { AwsError, isAwsError } from "../../protocol/errors.ts";
import type { LambdaRunRequest, LambdaRunResult, ResponseStreamSink } from "../../lambda-runner.ts";
import type { Store } from "../../store/types.ts";
import type { RequestContext } from "../types.ts";
import { pickVersion, type StoredAlias } from "./aliases.ts";
import { codeBlobs, loadPackage } from "./code.ts";
import { functionArn, parseFunctionName, parseLayerVersionArn } from "./names.ts";
import { resolveFunction, type FunctionConfig, type Resolved } from "./state.ts";

const TAIL_BYTES = 4096;

/** Not state: tells this emulator's environments from another's when a runner serves several. */
function emulatorId(ctx: RequestContext): string {
  return ctx.runtime("lambda-emulator-id", () => crypto.randomUUID());
}

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

export interface Target {
  resolved: Resolved;
  config: FunctionConfig;
  version: string;
  /** The ARN the caller named (qualified when a qualifier was given). */
  invokedArn: string;
}

export function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

export function tail(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return bytes.byteLength <= TAIL_BYTES ? text : new TextDecoder().decode(bytes.subarray(bytes.byteLength - TAIL_BYTES));
}

export async function resolveTarget(ctx: RequestContext, functionName: string, qualifier: string | undefined): Promise<Target> {
  const ref = parseFunctionName(functionName, qualifier);
  let resolved = await resolveFunction(ctx, ref);
  if (resolved.alias?.RoutingConfig) {
    const version = pickVersion(resolved.alias as StoredAlias);
    if (version !== resolved.version) resolved = { ...(await resolveFunction(ctx, { name: ref.name, qualifier: version })), alias: resolved.alias };
  }
  return { resolved, config: resolved.config, version: resolved.version, invokedArn: functionArn(ctx, ref.name, ref.qualifier) };
}

/** The reason this emulator cannot run `config`, as AWS's InvalidRuntimeException; null if it can. */
export function cannotRun(ctx: RequestContext, config: FunctionConfig): AwsError | null {
  if (config.PackageType === "Image") {
    return new AwsError("InvalidRuntimeException", "fetchstack cannot run container image functions (PackageType Image): functions run without Docker. Use a .zip package with a nodejs, python3 or provided runtime.", 502);
  }
  if (!ctx.lambdaRunner) {
    return new AwsError("InvalidRuntimeException", "fetchstack cannot run function code in this runtime (no process spawning, e.g. workerd): Invoke needs fetchstack on Node (npx fetchstack, or createEmulator({ lambdaRunner: createNodeLambdaRunner() })). See docs/lambda.md.", 502);
  }
  const reason = ctx.lambdaRunner.unsupported(config.Runtime ?? "");
  return reason ? new AwsError("InvalidRuntimeException", reason, 502) : null;
}

export function throttled(): AwsError {
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
export async function runOnce(
  ctx: RequestContext, target: Target, payload: Uint8Array, requestId: string, type: InvocationRecord["InvocationType"], attempt: number,
  clientContext?: string, stream?: ResponseStreamSink,
): Promise<LambdaRunResult> {
  const { config, resolved } = target;
  const request: LambdaRunRequest = {
    // Per emulator too: an environment's own AWS calls go back to the emulator that started it.
    environmentKey: `${emulatorId(ctx)}/${ctx.accountId}/${ctx.region}/${config.FunctionName}/${target.version}/${config.CodeSha256}/${config.RevisionId}`,
    functionName: config.FunctionName,
    functionVersion: target.version,
    invokedFunctionArn: target.invokedArn,
    runtime: config.Runtime ?? "",
    handler: config.Handler ?? "",
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
