/**
 * Building and checking a FunctionConfiguration from CreateFunction / UpdateFunctionConfiguration
 * input, with AWS's defaults (Timeout 3 s, MemorySize 128 MB, x86_64, 512 MB /tmp, PassThrough
 * tracing, Text logs to /aws/lambda/<name>) and AWS's messages for bad values.
 * Source: https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime
 */
import { AwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";
import type { CreateFunctionRequest, UpdateFunctionConfigurationRequest } from "../../generated/lambda.ts";
import { invalidParameter } from "./errors.ts";
import { parseLayerVersionArn } from "./names.ts";
import type { FunctionConfig } from "./state.ts";

/** Runtimes Lambda no longer accepts for create or update, with the runtime AWS suggests. */
const DEPRECATED: Record<string, string> = {
  nodejs: "nodejs22.x", "nodejs4.3": "nodejs22.x", "nodejs4.3-edge": "nodejs22.x", "nodejs6.10": "nodejs22.x",
  "nodejs8.10": "nodejs22.x", "nodejs10.x": "nodejs22.x", "nodejs12.x": "nodejs22.x", "nodejs14.x": "nodejs22.x",
  "python2.7": "python3.13", "python3.6": "python3.13", "python3.7": "python3.13",
  "dotnetcore1.0": "dotnet8", "dotnetcore2.0": "dotnet8", "dotnetcore2.1": "dotnet8", "dotnetcore3.1": "dotnet8",
  "ruby2.5": "ruby3.3", "ruby2.7": "ruby3.3", "go1.x": "provided.al2023", java8: "java21",
};

/** Variables Lambda sets itself; a function may not set them. */
const RESERVED_ENV = [
  "_HANDLER", "_X_AMZN_TRACE_ID", "AWS_DEFAULT_REGION", "AWS_REGION", "AWS_EXECUTION_ENV", "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_LAMBDA_RUNTIME_API", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR",
];

export const MAX_TIMEOUT = 900;
const MAX_LAYERS = 5;

export function checkRuntime(runtime: string | undefined): void {
  if (runtime && DEPRECATED[runtime]) {
    throw invalidParameter(`The runtime parameter of ${runtime} is no longer supported for creating or updating AWS Lambda functions. We recommend you use the new runtime (${DEPRECATED[runtime]}) while creating or updating functions.`);
  }
}

export function checkTimeout(timeout: number | undefined): void {
  if (timeout !== undefined && timeout > MAX_TIMEOUT) {
    throw new AwsError("ValidationException", `1 validation error detected: Value '${timeout}' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to ${MAX_TIMEOUT}`, 400);
  }
}

export function checkEnvironment(env: { Variables?: Record<string, string> } | undefined): void {
  const vars = env?.Variables;
  if (!vars) return;
  const reserved = Object.keys(vars).filter((k) => RESERVED_ENV.includes(k));
  if (reserved.length) {
    throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(", ")}`);
  }
  const measured = JSON.stringify(vars);
  if (new TextEncoder().encode(measured).byteLength > 4096) {
    throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${measured}`);
  }
  for (const key of Object.keys(vars)) {
    if (!/^[a-zA-Z]([a-zA-Z0-9_])*$/.test(key)) {
      throw invalidParameter(`Lambda was unable to configure your environment variables because the environment variables you have provided contains invalid keys. Invalid keys: ${key}`);
    }
  }
}

export function checkEphemeralStorage(storage: { Size: number } | undefined): void {
  if (storage && (storage.Size < 512 || storage.Size > 10240)) {
    throw invalidParameter(`1 validation error detected: Value '${storage.Size}' at 'ephemeralStorage.size' failed to satisfy constraint: Member must have value between 512 and 10240`);
  }
}

/** Layers: each must exist (in this emulator's state); at most 5. Returns `[{Arn, CodeSize}]`. */
export async function resolveLayers(ctx: RequestContext, arns: string[] | undefined): Promise<{ Arn: string; CodeSize: number }[] | undefined> {
  if (!arns) return undefined;
  if (arns.length > MAX_LAYERS) throw invalidParameter(`Cannot reference more than ${MAX_LAYERS} layers.`);
  const out: { Arn: string; CodeSize: number }[] = [];
  for (const arn of arns) {
    const parsed = parseLayerVersionArn(arn);
    if (!parsed) throw invalidParameter(`Layer version ${arn} does not exist.`);
    const store = ctx.storeFor(parsed.accountId, parsed.region);
    const layer = (await store.get<{ CodeSize: number }>(["layer", parsed.name, parsed.version])).value;
    if (!layer) throw invalidParameter(`Layer version ${arn} does not exist.`);
    out.push({ Arn: arn, CodeSize: layer.CodeSize });
  }
  const names = out.map((l) => l.Arn.replace(/:\d+$/, ""));
  if (new Set(names).size !== names.length) throw invalidParameter("Two different versions of the same layer are not allowed to be referenced in the same function. Layer arn: " + names.find((n, i) => names.indexOf(n) !== i));
  return out;
}

/** Members of CreateFunction / UpdateFunctionConfiguration input copied into the configuration as given. */
const COPIED = [
  "Runtime", "Role", "Handler", "Description", "Timeout", "MemorySize", "DeadLetterConfig", "KMSKeyArn",
  "FileSystemConfigs", "EphemeralStorage", "LoggingConfig", "CapacityProviderConfig", "DurableConfig", "TenancyConfig",
] as const;

/** Applies configuration members of `input` onto `config` (returns a new object). */
export function applyConfiguration(config: FunctionConfig, input: CreateFunctionRequest | UpdateFunctionConfigurationRequest): FunctionConfig {
  const next: FunctionConfig = { ...config };
  const given = input as Partial<Record<(typeof COPIED)[number], unknown>>;
  for (const key of COPIED) if (given[key] !== undefined) (next as unknown as Record<string, unknown>)[key] = given[key];
  if (input.Environment !== undefined) next.Environment = { Variables: { ...(input.Environment.Variables ?? {}) } };
  if (input.TracingConfig !== undefined) next.TracingConfig = { Mode: input.TracingConfig.Mode ?? "PassThrough" };
  if (input.VpcConfig !== undefined) {
    const vpc = input.VpcConfig;
    // No VPCs exist here; the VpcId is derived from the subnets so it is stable.
    next.VpcConfig = { SubnetIds: vpc.SubnetIds ?? [], SecurityGroupIds: vpc.SecurityGroupIds ?? [], Ipv6AllowedForDualStack: vpc.Ipv6AllowedForDualStack ?? false, VpcId: vpc.SubnetIds?.length ? "vpc-" + hash8(vpc.SubnetIds.join(",")) : "" };
  }
  if (input.ImageConfig !== undefined) next.ImageConfigResponse = { ImageConfig: input.ImageConfig };
  if (input.SnapStart !== undefined) next.SnapStart = { ApplyOn: input.SnapStart.ApplyOn ?? "None", OptimizationStatus: input.SnapStart.ApplyOn === "PublishedVersions" ? "On" : "Off" };
  if (input.LoggingConfig !== undefined) next.LoggingConfig = { LogFormat: "Text", LogGroup: `/aws/lambda/${config.FunctionName}`, ...input.LoggingConfig };
  return next;
}

function hash8(text: string): string {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return (h >>> 0).toString(16).padStart(8, "0");
}

/** The configuration members that make a version differ (PublishVersion reuses an identical one). */
export function versionFingerprint(config: FunctionConfig): string {
  const { Version: _v, FunctionArn: _a, RevisionId: _r, LastModified: _l, Description: _d, State: _s, LastUpdateStatus: _u, StateReason: _sr, StateReasonCode: _sc, ...rest } = config;
  return canonical(rest);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
