/**
 * Per-function settings kept as state: tags, reserved and provisioned concurrency, event invoke
 * config (retries and destinations of asynchronous invocations, which invoke.ts honours),
 * function URL configs, recursion and runtime management configs, and GetAccountSettings.
 * Sources: https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html (one page per
 * operation), https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handlers, RequestContext } from "../types.ts";
import type { FunctionEventInvokeConfig, FunctionUrlConfig, Operations } from "../../generated/lambda.ts";
import { conflict, functionNotFound, invalidParameter, notFound } from "./errors.ts";
import { functionArn, lambdaTimestamp, parseFunctionName } from "./names.ts";
import { page } from "./functions.ts";
import { MAX_UNZIPPED_BYTES, MAX_ZIPPED_BYTES } from "./code.ts";
import { getFunction, resolveFunction, updateFunction, type StoredEventInvokeConfig, type StoredFunction, type StoredMapping } from "./state.ts";
import { urlIdOf, urlIndexKey, type UrlIndexEntry } from "./urls.ts";
import { capacityProviderKey, type StoredCapacityProvider } from "./capacity.ts";

export const ACCOUNT_CONCURRENCY = 1000;
const MIN_UNRESERVED = 100;

type Taggable = { kind: "function"; name: string } | { kind: "esm"; uuid: string } | { kind: "capacity-provider"; name: string };

/** Functions, event source mappings and capacity providers are taggable. */
async function taggable(ctx: RequestContext, arn: string): Promise<Taggable> {
  const provider = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:capacity-provider:([a-zA-Z0-9_-]+)$/.exec(arn);
  if (provider) {
    if (!(await ctx.store.get(capacityProviderKey(provider[1]!))).value) throw notFound(`Capacity provider not found: ${arn}`);
    return { kind: "capacity-provider", name: provider[1]! };
  }
  const esm = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:event-source-mapping:([0-9a-f-]+)$/.exec(arn);
  if (esm) {
    if (!(await ctx.store.get(["esm", esm[1]!])).value) throw notFound(`Event source mapping not found: ${arn}`);
    return { kind: "esm", uuid: esm[1]! };
  }
  const m = /^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:\d{12}:function:([a-zA-Z0-9_-]+)(:.+)?$/.exec(arn);
  if (!m) throw invalidParameter(`1 validation error detected: Value '${arn}' at 'resource' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*):lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:(function:[a-zA-Z0-9-_]+(:(\\$LATEST|[a-zA-Z0-9-_]+))?|code-signing-config:csc-[a-z0-9]{17}|event-source-mapping:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`);
  if (m[2]) throw invalidParameter("Tags on function aliases and versions are not supported. Please specify a function ARN.");
  await getFunction(ctx, m[1]!);
  return { kind: "function", name: m[1]! };
}

async function updateTags(ctx: RequestContext, arn: string, change: (tags: Record<string, string>) => Record<string, string>): Promise<void> {
  const target = await taggable(ctx, arn);
  if (target.kind === "function") {
    await updateFunction(ctx, target.name, (fn) => ({ ...fn, tags: change({ ...fn.tags }) }));
    return;
  }
  if (target.kind === "capacity-provider") {
    const key = capacityProviderKey(target.name);
    const stored = (await ctx.store.get<StoredCapacityProvider>(key)).value!;
    await ctx.store.set(key, { ...stored, Tags: change({ ...stored.Tags }) });
    return;
  }
  const esm = (await ctx.store.get<StoredMapping>(["esm", target.uuid])).value!;
  await ctx.store.set(["esm", target.uuid], { ...esm, Tags: change({ ...(esm.Tags ?? {}) }) });
}

async function reservedTotal(ctx: RequestContext, except: string): Promise<number> {
  let total = 0;
  for await (const e of ctx.store.list<StoredFunction>({ prefix: ["function"] })) {
    if (e.value.name !== except) total += e.value.reservedConcurrency ?? 0;
  }
  return total;
}

function qualified(ctx: RequestContext, input: { FunctionName: string; Qualifier?: string }) {
  const ref = parseFunctionName(input.FunctionName, input.Qualifier);
  return { ref, arn: functionArn(ctx, ref.name, ref.qualifier) };
}

/** A function URL config as stored, with its store key. */
export type StoredUrlConfig = FunctionUrlConfig & { key?: unknown };

function eicOut(stored: StoredEventInvokeConfig): Omit<FunctionEventInvokeConfig, "LastModified"> & { LastModified: Date } {
  return { ...stored, LastModified: new Date(stored.LastModified) };
}

const URL_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

function urlId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return [...bytes].map((b) => URL_ALPHABET[b % URL_ALPHABET.length]).join("");
}

function urlOut(stored: StoredUrlConfig): FunctionUrlConfig {
  const { key: _k, ...rest } = stored;
  return rest;
}

export const settingsHandlers: Handlers<Operations> = {
  async ListTags(input, ctx) {
    const target = await taggable(ctx, input.Resource);
    if (target.kind === "function") return { Tags: (await getFunction(ctx, target.name)).tags };
    if (target.kind === "capacity-provider") return { Tags: (await ctx.store.get<StoredCapacityProvider>(capacityProviderKey(target.name))).value!.Tags };
    return { Tags: (await ctx.store.get<StoredMapping>(["esm", target.uuid])).value!.Tags ?? {} };
  },

  async TagResource(input, ctx) {
    const keys = Object.keys(input.Tags ?? {});
    if (keys.some((k) => k.toLowerCase().startsWith("aws:"))) throw invalidParameter("Tag keys cannot start with 'aws:'.");
    await updateTags(ctx, input.Resource, (tags) => {
      const next = { ...tags, ...input.Tags };
      if (Object.keys(next).length > 50) throw invalidParameter("Number of tags exceeds resource tag limit.");
      return next;
    });
    return {};
  },

  async UntagResource(input, ctx) {
    await updateTags(ctx, input.Resource, (tags) => {
      for (const k of input.TagKeys ?? []) delete tags[k];
      return tags;
    });
    return {};
  },

  async PutFunctionConcurrency(input, ctx) {
    const { name } = parseFunctionName(input.FunctionName);
    await getFunction(ctx, name);
    const wanted: number = input.ReservedConcurrentExecutions;
    if (ACCOUNT_CONCURRENCY - (await reservedTotal(ctx, name)) - wanted < MIN_UNRESERVED) {
      throw invalidParameter(`Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${MIN_UNRESERVED}].`);
    }
    await updateFunction(ctx, name, (fn) => ({ ...fn, reservedConcurrency: wanted }));
    return { ReservedConcurrentExecutions: wanted };
  },

  async GetFunctionConcurrency(input, ctx) {
    const fn = await getFunction(ctx, parseFunctionName(input.FunctionName).name);
    return fn.reservedConcurrency !== undefined ? { ReservedConcurrentExecutions: fn.reservedConcurrency } : {};
  },

  async DeleteFunctionConcurrency(input, ctx) {
    await updateFunction(ctx, parseFunctionName(input.FunctionName).name, (fn) => {
      const { reservedConcurrency: _r, ...rest } = fn;
      return rest;
    });
    return {};
  },

  async PutProvisionedConcurrencyConfig(input, ctx) {
    const { ref } = qualified(ctx, input);
    if (ref.qualifier === "$LATEST") throw invalidParameter("Provisioned Concurrency Configs cannot be applied to unpublished function versions.");
    await resolveFunction(ctx, ref);
    const now = lambdaTimestamp(ctx.clock.now());
    const config = {
      RequestedProvisionedConcurrentExecutions: input.ProvisionedConcurrentExecutions,
      AvailableProvisionedConcurrentExecutions: input.ProvisionedConcurrentExecutions,
      AllocatedProvisionedConcurrentExecutions: input.ProvisionedConcurrentExecutions,
      Status: "READY",
      LastModified: now,
    };
    await ctx.store.set(["provisioned", ref.name, ref.qualifier!], config);
    return { ...config, AvailableProvisionedConcurrentExecutions: 0, AllocatedProvisionedConcurrentExecutions: 0, Status: "IN_PROGRESS" };
  },

  async GetProvisionedConcurrencyConfig(input, ctx) {
    const { ref } = qualified(ctx, input);
    await resolveFunction(ctx, ref);
    const config = (await ctx.store.get(["provisioned", ref.name, ref.qualifier!])).value;
    if (!config) throw new AwsError("ProvisionedConcurrencyConfigNotFoundException", "No Provisioned Concurrency Config found for this function", 404);
    return config;
  },

  async DeleteProvisionedConcurrencyConfig(input, ctx) {
    const { ref } = qualified(ctx, input);
    await resolveFunction(ctx, ref);
    await ctx.store.delete(["provisioned", ref.name, ref.qualifier!]);
    return {};
  },

  async ListProvisionedConcurrencyConfigs(input, ctx) {
    const { name } = parseFunctionName(input.FunctionName);
    await getFunction(ctx, name);
    const all: Record<string, unknown>[] = [];
    for await (const e of ctx.store.list<Record<string, unknown>>({ prefix: ["provisioned", name] })) {
      all.push({ FunctionArn: functionArn(ctx, name, String(e.key[2])), ...e.value });
    }
    return page(all, input.Marker, input.MaxItems ?? 50, "ProvisionedConcurrencyConfigs");
  },

  async PutFunctionEventInvokeConfig(input, ctx) {
    const { ref, arn } = qualified(ctx, input);
    await resolveFunction(ctx, ref);
    const stored = {
      LastModified: ctx.clock.now(),
      FunctionArn: arn,
      ...(input.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: input.MaximumRetryAttempts } : {}),
      ...(input.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: input.MaximumEventAgeInSeconds } : {}),
      DestinationConfig: input.DestinationConfig ?? {},
    };
    await ctx.store.set(["eic", ref.name, ref.qualifier ?? "$LATEST"], stored);
    return eicOut(stored);
  },

  async UpdateFunctionEventInvokeConfig(input, ctx) {
    const { ref, arn } = qualified(ctx, input);
    await resolveFunction(ctx, ref);
    const key = ["eic", ref.name, ref.qualifier ?? "$LATEST"];
    const current: StoredEventInvokeConfig = (await ctx.store.get<StoredEventInvokeConfig>(key)).value ?? { FunctionArn: arn, DestinationConfig: {}, LastModified: 0 };
    const stored = {
      ...current,
      LastModified: ctx.clock.now(),
      ...(input.MaximumRetryAttempts !== undefined ? { MaximumRetryAttempts: input.MaximumRetryAttempts } : {}),
      ...(input.MaximumEventAgeInSeconds !== undefined ? { MaximumEventAgeInSeconds: input.MaximumEventAgeInSeconds } : {}),
      ...(input.DestinationConfig !== undefined ? { DestinationConfig: { ...current.DestinationConfig, ...input.DestinationConfig } } : {}),
    };
    await ctx.store.set(key, stored);
    return eicOut(stored);
  },

  async GetFunctionEventInvokeConfig(input, ctx) {
    const { ref, arn } = qualified(ctx, input);
    await resolveFunction(ctx, ref);
    const stored = (await ctx.store.get<StoredEventInvokeConfig>(["eic", ref.name, ref.qualifier ?? "$LATEST"])).value;
    if (!stored) throw notFound(`The function ${arn} doesn't have an EventInvokeConfig`);
    return eicOut(stored);
  },

  async DeleteFunctionEventInvokeConfig(input, ctx) {
    const { ref, arn } = qualified(ctx, input);
    await resolveFunction(ctx, ref);
    const key = ["eic", ref.name, ref.qualifier ?? "$LATEST"];
    if (!(await ctx.store.get(key)).value) throw notFound(`The function ${arn} doesn't have an EventInvokeConfig`);
    await ctx.store.delete(key);
    return {};
  },

  async ListFunctionEventInvokeConfigs(input, ctx) {
    const { name } = parseFunctionName(input.FunctionName);
    await getFunction(ctx, name);
    const all: ReturnType<typeof eicOut>[] = [];
    for await (const e of ctx.store.list<StoredEventInvokeConfig>({ prefix: ["eic", name] })) all.push(eicOut(e.value));
    return page(all, input.Marker, input.MaxItems ?? 50, "FunctionEventInvokeConfigs");
  },

  async CreateFunctionUrlConfig(input, ctx) {
    const { ref, arn } = qualified(ctx, input);
    if (ref.qualifier !== undefined && (/^\d+$/.test(ref.qualifier) || ref.qualifier === "$LATEST")) {
      throw invalidParameter("1 validation error detected: Value '" + ref.qualifier + "' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: ((?!^\\d+$)^[0-9a-zA-Z-_]+$)");
    }
    await resolveFunction(ctx, ref);
    const key = ["url", ref.name, ref.qualifier ?? ""];
    const now = lambdaTimestamp(ctx.clock.now());
    const stored = {
      FunctionUrl: `https://${urlId()}.lambda-url.${ctx.region}.on.aws/`,
      FunctionArn: arn,
      AuthType: input.AuthType,
      ...(input.Cors ? { Cors: input.Cors } : {}),
      CreationTime: now,
      LastModifiedTime: now,
      InvokeMode: input.InvokeMode ?? "BUFFERED",
    };
    const result = await ctx.store.atomic().check({ key, versionstamp: null }).set(key, stored).commit();
    if (!result.ok) throw conflict(`Failed to create function url config for [functionArn = ${arn}]. Error message:  FunctionUrlConfig exists for this Lambda function`);
    await ctx.globalStore.set(urlIndexKey(urlIdOf(stored.FunctionUrl)), {
      accountId: ctx.accountId, region: ctx.region, name: ref.name, qualifier: ref.qualifier ?? "", FunctionUrl: stored.FunctionUrl,
    } satisfies UrlIndexEntry);
    const { LastModifiedTime: _l, ...out } = stored;
    return out;
  },

  async GetFunctionUrlConfig(input, ctx) {
    const { ref } = qualified(ctx, input);
    await resolveFunction(ctx, ref);
    const stored = (await ctx.store.get<StoredUrlConfig>(["url", ref.name, ref.qualifier ?? ""])).value;
    if (!stored) throw notFound("The resource you requested does not exist.");
    return urlOut(stored);
  },

  async UpdateFunctionUrlConfig(input, ctx) {
    const { ref } = qualified(ctx, input);
    await resolveFunction(ctx, ref);
    const key = ["url", ref.name, ref.qualifier ?? ""];
    const stored = (await ctx.store.get<StoredUrlConfig>(key)).value;
    if (!stored) throw notFound("The resource you requested does not exist.");
    const next = {
      ...stored,
      ...(input.AuthType ? { AuthType: input.AuthType } : {}),
      ...(input.Cors ? { Cors: input.Cors } : {}),
      ...(input.InvokeMode ? { InvokeMode: input.InvokeMode } : {}),
      LastModifiedTime: lambdaTimestamp(ctx.clock.now()),
    };
    await ctx.store.set(key, next);
    return urlOut(next);
  },

  async DeleteFunctionUrlConfig(input, ctx) {
    const { ref } = qualified(ctx, input);
    await resolveFunction(ctx, ref);
    const key = ["url", ref.name, ref.qualifier ?? ""];
    const stored = (await ctx.store.get<StoredUrlConfig>(key)).value;
    if (!stored) throw notFound("The resource you requested does not exist.");
    await ctx.store.delete(key);
    await ctx.globalStore.delete(urlIndexKey(urlIdOf(stored.FunctionUrl)));
    return {};
  },

  async ListFunctionUrlConfigs(input, ctx) {
    const { name } = parseFunctionName(input.FunctionName);
    await getFunction(ctx, name);
    const all: FunctionUrlConfig[] = [];
    for await (const e of ctx.store.list<StoredUrlConfig>({ prefix: ["url", name] })) all.push(urlOut(e.value));
    return page(all, input.Marker, input.MaxItems ?? 50, "FunctionUrlConfigs");
  },

  async GetFunctionRecursionConfig(input, ctx) {
    const fn = await getFunction(ctx, parseFunctionName(input.FunctionName).name);
    return { RecursiveLoop: (fn.recursiveLoop ?? "Terminate") as "Allow" | "Terminate" };
  },

  async PutFunctionRecursionConfig(input, ctx) {
    const fn = await updateFunction(ctx, parseFunctionName(input.FunctionName).name, (f) => ({ ...f, recursiveLoop: input.RecursiveLoop }));
    return { RecursiveLoop: fn.recursiveLoop as "Allow" | "Terminate" };
  },

  async GetRuntimeManagementConfig(input, ctx) {
    const ref = parseFunctionName(input.FunctionName, input.Qualifier);
    const { fn } = await resolveFunction(ctx, ref);
    return { UpdateRuntimeOn: (fn.runtimeManagement?.UpdateRuntimeOn ?? "Auto") as "Auto", FunctionArn: functionArn(ctx, ref.name), ...(fn.runtimeManagement?.RuntimeVersionArn ? { RuntimeVersionArn: fn.runtimeManagement.RuntimeVersionArn } : {}) };
  },

  async PutRuntimeManagementConfig(input, ctx) {
    const ref = parseFunctionName(input.FunctionName, input.Qualifier);
    if (input.UpdateRuntimeOn === "Manual" && !input.RuntimeVersionArn) throw invalidParameter("RuntimeVersionArn must be specified when UpdateRuntimeOn is Manual.");
    if (input.UpdateRuntimeOn !== "Manual" && input.RuntimeVersionArn) throw invalidParameter("RuntimeVersionArn can only be specified when UpdateRuntimeOn is Manual.");
    const fn = await updateFunction(ctx, ref.name, (f) => ({ ...f, runtimeManagement: { UpdateRuntimeOn: input.UpdateRuntimeOn, ...(input.RuntimeVersionArn ? { RuntimeVersionArn: input.RuntimeVersionArn } : {}) } }));
    return { ...fn.runtimeManagement, UpdateRuntimeOn: fn.runtimeManagement!.UpdateRuntimeOn as "Auto", FunctionArn: functionArn(ctx, ref.name) };
  },

  async GetAccountSettings(_input, ctx) {
    let count = 0;
    let totalSize = 0;
    let reserved = 0;
    for await (const e of ctx.store.list<StoredFunction>({ prefix: ["function"] })) {
      count++;
      totalSize += e.value.config.CodeSize ?? 0;
      reserved += e.value.reservedConcurrency ?? 0;
    }
    for await (const e of ctx.store.list<{ config: { CodeSize?: number } }>({ prefix: ["version"] })) totalSize += e.value.config.CodeSize ?? 0;
    return {
      AccountLimit: {
        TotalCodeSize: 80530636800,
        CodeSizeUnzipped: MAX_UNZIPPED_BYTES,
        CodeSizeZipped: MAX_ZIPPED_BYTES,
        ConcurrentExecutions: ACCOUNT_CONCURRENCY,
        UnreservedConcurrentExecutions: ACCOUNT_CONCURRENCY - reserved,
      },
      AccountUsage: { TotalCodeSize: totalSize, FunctionCount: count },
    };
  },
};

export { functionNotFound };
