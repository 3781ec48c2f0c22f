/**
 * Lambda's stored state. Keys (namespaced to [lambda, account, region] by ctx.store):
 *
 *   ["function", name]                 StoredFunction ($LATEST, tags, counters)
 *   ["version", name, n]               StoredVersion (a published, immutable configuration)
 *   ["alias", name, alias]             AliasConfiguration
 *   ["policy", name, qualifier | ""]   StoredPolicy (resource-based policy statements)
 *   ["url", name, qualifier | ""]      function URL config
 *   ["eic", name, qualifier]           event invoke config
 *   ["provisioned", name, qualifier]   provisioned concurrency config
 *   ["layer", name, version]           StoredLayerVersion
 *   ["esm", uuid]                      event source mapping
 *
 * Code lives in blobs (code.ts), referenced by `codeKey`.
 */
import type { Store } from "../../store/types.ts";
import type { AliasConfiguration, EventSourceMappingConfiguration, FunctionConfiguration, FunctionEventInvokeConfig } from "../../generated/lambda.ts";
import type { RequestContext } from "../types.ts";
import { conflict, functionNotFound } from "./errors.ts";
import { functionArn, type FunctionRef } from "./names.ts";

/**
 * A FunctionConfiguration as stored and returned (plain JSON): the members CreateFunction always
 * sets are present, and an image function keeps its ImageUri (returned by GetFunction's Code).
 */
export type FunctionConfig = FunctionConfiguration
  & Required<Pick<FunctionConfiguration, "FunctionName" | "FunctionArn" | "Version" | "RevisionId" | "CodeSha256" | "MemorySize" | "Timeout" | "PackageType">>
  & { ImageUri?: string };

export interface StoredFunction {
  name: string;
  config: FunctionConfig;
  codeKey: string;
  /** Files in the zip's root, e.g. for handler checks (optional). */
  tags: Record<string, string>;
  /** Highest version number ever published (versions are never reused). */
  lastVersion: number;
  reservedConcurrency?: number;
  recursiveLoop?: string;
  runtimeManagement?: { UpdateRuntimeOn: string; RuntimeVersionArn?: string };
  codeSigningConfigArn?: string;
  createdAt: number;
}

export interface StoredVersion {
  config: FunctionConfig;
  codeKey: string;
}

export interface Resolved {
  fn: StoredFunction;
  /** "$LATEST" or a version number. */
  version: string;
  config: FunctionConfig;
  codeKey: string;
  /** The alias the qualifier named (absent for a version or $LATEST). */
  alias?: AliasConfiguration;
}

/** An event invoke config as stored (["eic", name, qualifier]): LastModified in epoch milliseconds. */
export type StoredEventInvokeConfig = Omit<FunctionEventInvokeConfig, "LastModified"> & { LastModified: number };

export const fnKey = (name: string) => ["function", name] as const;
export const versionKey = (name: string, n: number) => ["version", name, n] as const;
export const aliasKey = (name: string, alias: string) => ["alias", name, alias] as const;

export async function getFunction(ctx: RequestContext, name: string, qualifier?: string): Promise<StoredFunction> {
  const entry = await ctx.store.get<StoredFunction>(fnKey(name));
  if (!entry.value) throw functionNotFound(functionArn(ctx, name, qualifier));
  return entry.value;
}

export async function getVersion(store: Store, name: string, n: number): Promise<StoredVersion | null> {
  return (await store.get<StoredVersion>(versionKey(name, n))).value;
}

export async function listVersions(store: Store, name: string): Promise<StoredVersion[]> {
  const out: StoredVersion[] = [];
  for await (const e of store.list<StoredVersion>({ prefix: ["version", name] })) out.push(e.value);
  return out;
}

/** The configuration a qualifier names: $LATEST, a version, or an alias (its primary version). */
export async function resolveFunction(ctx: RequestContext, ref: FunctionRef): Promise<Resolved> {
  const fn = await getFunction(ctx, ref.name, ref.qualifier);
  const q = ref.qualifier;
  if (q === undefined || q === "$LATEST") return { fn, version: "$LATEST", config: fn.config, codeKey: fn.codeKey };
  if (/^\d+$/.test(q)) {
    const v = await getVersion(ctx.store, ref.name, Number(q));
    if (!v) throw functionNotFound(functionArn(ctx, ref.name, q));
    return { fn, version: q, config: v.config, codeKey: v.codeKey };
  }
  const alias = (await ctx.store.get<AliasConfiguration>(aliasKey(ref.name, q))).value;
  if (!alias) throw functionNotFound(functionArn(ctx, ref.name, q));
  const target = await resolveFunction(ctx, { name: ref.name, qualifier: alias.FunctionVersion ?? "$LATEST" });
  return { ...target, alias };
}

/** Read-modify-write of a function with an optimistic check (a racing update gets AWS's conflict). */
export async function updateFunction(
  ctx: RequestContext,
  name: string,
  fn: (current: StoredFunction) => StoredFunction | Promise<StoredFunction>,
): Promise<StoredFunction> {
  const entry = await ctx.store.get<StoredFunction>(fnKey(name));
  if (!entry.value) throw functionNotFound(functionArn(ctx, name));
  const next = await fn(entry.value);
  const result = await ctx.store.atomic().check({ key: fnKey(name), versionstamp: entry.versionstamp }).set(fnKey(name), next).commit();
  if (!result.ok) {
    throw conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${functionArn(ctx, name)}`);
  }
  return next;
}

/** Event source mappings (esm.ts; SQS ones polled by poller.ts). */
export type StoredMapping = Omit<EventSourceMappingConfiguration, "LastModified" | "State"> & {
  UUID: string;
  State: "Enabled" | "Disabled";
  FunctionArn: string;
  BatchSize: number;
  /** Epoch milliseconds (the API's LastModified). */
  LastModified: number;
  Tags?: Record<string, string>;
};

export const esmKey = (uuid: string) => ["esm", uuid] as const;

export type SourceKind = "sqs" | "kinesis" | "dynamodb" | "kafka" | "mq" | "docdb" | "other";

export function sourceKind(arn: string | undefined): SourceKind {
  const service = arn?.split(":")[2];
  if (service === "sqs") return "sqs";
  if (service === "kinesis") return "kinesis";
  if (service === "dynamodb") return "dynamodb";
  if (service === "kafka") return "kafka";
  if (service === "mq") return "mq";
  if (service === "rds") return "docdb";
  return "other";
}

