/**
 * Functions and versions: CreateFunction, GetFunction, GetFunctionConfiguration,
 * UpdateFunctionCode, UpdateFunctionConfiguration, DeleteFunction, ListFunctions, PublishVersion,
 * ListVersionsByFunction.
 *
 * State: creation and updates complete at once. The stored configuration says `Active` /
 * `Successful`; the CreateFunction response says `Pending` and update responses say
 * `InProgress`, as AWS's do, so the SDK waiters (function-active-v2, function-updated-v2) see one
 * transition and pass on their first poll.
 * Source: https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { AliasConfiguration, Architecture, LastUpdateStatusReasonCode, Operations, PackageType } from "../../generated/lambda.ts";
import {
  applyConfiguration, checkEnvironment, checkEphemeralStorage, checkRuntime, checkTimeout, resolveLayers, versionFingerprint,
} from "./config.ts";
import { codeBlobs, functionCodeKey, readPackage, storePackage, type CodeInput, type Package } from "./code.ts";
import { conflict, functionNotFound, invalidParameter, revisionMismatch } from "./errors.ts";
import { functionArn, lambdaTimestamp, parseFunctionName } from "./names.ts";
import { checkCapacityProviderConfig } from "./capacity.ts";
import { page } from "./paging.ts";

export { page } from "./paging.ts";
import {
  aliasKey, fnKey, getFunction, listVersions, resolveFunction, updateFunction, versionKey,
  type FunctionConfig, type StoredFunction, type StoredVersion,
} from "./state.ts";

const MAX_FUNCTIONS_PAGE = 10000;

function newRevision(): string {
  return crypto.randomUUID();
}

/** Stable per runtime, shaped as AWS's runtime version ARNs. */
async function runtimeVersionArn(region: string, runtime: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(runtime)));
  const hex = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `arn:aws:lambda:${region}::runtime:${hex}`;
}

/** A configuration as returned while the change is still being applied. */
function inProgress(config: FunctionConfig, created: boolean): FunctionConfig {
  if (created) return { ...config, State: "Pending", StateReason: "The function is being created.", StateReasonCode: "Creating" };
  // AWS answers updates with reason code "Creating", a value its model's enum does not list.
  return { ...config, LastUpdateStatus: "InProgress", LastUpdateStatusReason: "The function is being created.", LastUpdateStatusReasonCode: "Creating" as string as LastUpdateStatusReasonCode };
}

/** The response form of a stored configuration (Layers without a value are omitted). */
export function render(config: FunctionConfig): FunctionConfig {
  return config;
}

async function packageFor(ctx: RequestContext, input: { PackageType?: PackageType }, code: CodeInput, operation: string): Promise<Package | null> {
  if ((input.PackageType ?? "Zip") === "Image") {
    if (!code.ImageUri) throw invalidParameter("ImageUri must be specified for functions with PackageType Image.");
    return null;
  }
  if (code.ImageUri !== undefined) throw invalidParameter("Please don't provide ImageUri when updating a function with packageType Zip.");
  return readPackage(ctx, code, operation);
}

async function imageSha(uri: string): Promise<string> {
  const digest = /@sha256:([0-9a-f]{64})$/.exec(uri);
  if (digest) return digest[1]!;
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(uri)));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Publishes $LATEST as a new version unless the last version is identical (then returns it). */
async function publish(ctx: RequestContext, name: string, description: string | undefined): Promise<FunctionConfig> {
  let published: FunctionConfig | undefined;
  await updateFunction(ctx, name, async (fn) => {
    if (fn.lastVersion > 0) {
      const last = (await ctx.store.get<StoredVersion>(versionKey(name, fn.lastVersion))).value;
      if (last && versionFingerprint(last.config) === versionFingerprint(fn.config)) {
        published = last.config;
        return fn;
      }
    }
    const n = fn.lastVersion + 1;
    const config: FunctionConfig = {
      ...fn.config,
      Version: String(n),
      FunctionArn: functionArn(ctx, name, String(n)),
      Description: description ?? fn.config.Description ?? "",
      RevisionId: newRevision(),
      LastModified: lambdaTimestamp(ctx.clock.now()),
    };
    await ctx.store.set(versionKey(name, n), { config, codeKey: fn.codeKey } satisfies StoredVersion);
    published = config;
    return { ...fn, lastVersion: n };
  });
  return published!;
}

function checkRevision(current: string, given: string | undefined): void {
  if (given !== undefined && given !== current) throw revisionMismatch();
}

function arnName(value: string): string {
  return parseFunctionName(value).name;
}

export const functionHandlers: Handlers<Operations> = {
  async CreateFunction(input, ctx) {
    const name = arnName(input.FunctionName);
    const packageType: PackageType = input.PackageType ?? "Zip";
    if (packageType === "Zip" && (!input.Runtime || !input.Handler)) {
      throw invalidParameter("Runtime and Handler are mandatory parameters for functions created with deployment packages.");
    }
    checkRuntime(input.Runtime);
    checkTimeout(input.Timeout);
    checkEnvironment(input.Environment);
    checkEphemeralStorage(input.EphemeralStorage);
    await checkCapacityProviderConfig(ctx, input.CapacityProviderConfig);
    if ((await ctx.store.get(fnKey(name))).value) throw conflict(`Function already exist: ${name}`);
    const layers = await resolveLayers(ctx, input.Layers);
    const pkg = await packageFor(ctx, input, input.Code ?? {}, "CreateFunction");
    const now = ctx.clock.now();
    const architectures: Architecture[] = input.Architectures ?? ["x86_64"];
    let config: FunctionConfig = {
      FunctionName: name,
      FunctionArn: functionArn(ctx, name),
      ...(input.Runtime ? { Runtime: input.Runtime } : {}),
      Role: input.Role,
      ...(input.Handler ? { Handler: input.Handler } : {}),
      CodeSize: pkg?.size ?? 0,
      Description: "",
      Timeout: 3,
      MemorySize: 128,
      LastModified: lambdaTimestamp(now),
      CodeSha256: pkg ? pkg.sha256 : await imageSha(input.Code.ImageUri!),
      Version: "$LATEST",
      TracingConfig: { Mode: "PassThrough" },
      RevisionId: newRevision(),
      State: "Active",
      LastUpdateStatus: "Successful",
      PackageType: packageType,
      Architectures: architectures,
      EphemeralStorage: { Size: 512 },
      SnapStart: { ApplyOn: "None", OptimizationStatus: "Off" },
      LoggingConfig: { LogFormat: "Text", LogGroup: `/aws/lambda/${name}` },
    };
    if (input.Runtime) config.RuntimeVersionConfig = { RuntimeVersionArn: await runtimeVersionArn(ctx.region, input.Runtime) };
    config = applyConfiguration(config, input);
    if (layers) config.Layers = layers;
    const codeKey = pkg ? functionCodeKey(ctx, name, pkg.hex) : "";
    if (pkg) await storePackage(ctx, codeKey, pkg);
    if (packageType === "Image") config.ImageUri = input.Code.ImageUri;
    const stored: StoredFunction = {
      name, config, codeKey, tags: { ...(input.Tags ?? {}) }, lastVersion: 0, createdAt: now,
      ...(input.CodeSigningConfigArn ? { codeSigningConfigArn: input.CodeSigningConfigArn } : {}),
    };
    const result = await ctx.store.atomic().check({ key: fnKey(name), versionstamp: null }).set(fnKey(name), stored).commit();
    if (!result.ok) throw conflict(`Function already exist: ${name}`);
    const out = input.Publish ? await publish(ctx, name, undefined) : config;
    return inProgress(out, true);
  },

  async GetFunction(input, ctx) {
    const ref = parseFunctionName(input.FunctionName, input.Qualifier);
    const resolved = await resolveFunction(ctx, ref);
    const { fn, config } = resolved;
    const code = config.PackageType === "Image"
      ? { RepositoryType: "ECR", ImageUri: config.ImageUri, ResolvedImageUri: config.ImageUri }
      : { RepositoryType: "S3", Location: codeLocation(ctx, fn.name, resolved.codeKey) };
    return {
      Configuration: config,
      Code: code,
      ...(Object.keys(fn.tags).length ? { Tags: fn.tags } : {}),
      ...(fn.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } } : {}),
    };
  },

  async GetFunctionConfiguration(input, ctx) {
    return (await resolveFunction(ctx, parseFunctionName(input.FunctionName, input.Qualifier))).config;
  },

  async UpdateFunctionCode(input, ctx) {
    const name = arnName(input.FunctionName);
    const current = await getFunction(ctx, name);
    checkRevision(current.config.RevisionId, input.RevisionId);
    const pkg = await packageFor(ctx, { PackageType: current.config.PackageType }, input, "UpdateFunctionCode");
    const change = async (fn: StoredFunction): Promise<StoredFunction> => {
      checkRevision(fn.config.RevisionId, input.RevisionId);
      const config: FunctionConfig = {
        ...fn.config,
        CodeSize: pkg?.size ?? 0,
        CodeSha256: pkg ? pkg.sha256 : await imageSha(input.ImageUri!),
        LastModified: lambdaTimestamp(ctx.clock.now()),
        RevisionId: newRevision(),
        ...(input.Architectures ? { Architectures: input.Architectures } : {}),
        ...(pkg ? {} : { ImageUri: input.ImageUri }),
      };
      return { ...fn, config, codeKey: pkg ? functionCodeKey(ctx, name, pkg.hex) : fn.codeKey };
    };
    if (input.DryRun) return inProgress((await change(current)).config, false);
    if (pkg) await storePackage(ctx, functionCodeKey(ctx, name, pkg.hex), pkg);
    const updated = await updateFunction(ctx, name, change);
    const out = input.Publish ? await publish(ctx, name, undefined) : updated.config;
    return inProgress(out, false);
  },

  async UpdateFunctionConfiguration(input, ctx) {
    const name = arnName(input.FunctionName);
    checkRuntime(input.Runtime);
    checkTimeout(input.Timeout);
    checkEnvironment(input.Environment);
    checkEphemeralStorage(input.EphemeralStorage);
    await checkCapacityProviderConfig(ctx, input.CapacityProviderConfig);
    const layers = await resolveLayers(ctx, input.Layers);
    const updated = await updateFunction(ctx, name, async (fn) => {
      checkRevision(fn.config.RevisionId, input.RevisionId);
      let config = applyConfiguration(fn.config, input);
      if (layers) {
        if (layers.length) config.Layers = layers;
        else delete config.Layers;
      }
      if (input.Runtime && input.Runtime !== fn.config.Runtime) {
        config.RuntimeVersionConfig = { RuntimeVersionArn: await runtimeVersionArn(ctx.region, input.Runtime) };
      }
      config = { ...config, LastModified: lambdaTimestamp(ctx.clock.now()), RevisionId: newRevision() };
      return { ...fn, config };
    });
    return inProgress(updated.config, false);
  },

  async DeleteFunction(input, ctx) {
    const ref = parseFunctionName(input.FunctionName, input.Qualifier);
    const fn = await getFunction(ctx, ref.name, ref.qualifier);
    const q = ref.qualifier;
    if (q !== undefined && q !== "$LATEST") {
      if (!/^\d+$/.test(q)) throw invalidParameter("Deletion of aliases is not supported. Please use the DeleteAlias API.");
      const n = Number(q);
      const version = (await ctx.store.get<StoredVersion>(versionKey(ref.name, n))).value;
      if (!version) throw functionNotFound(functionArn(ctx, ref.name, q));
      const referencing: string[] = [];
      for await (const e of ctx.store.list<AliasConfiguration>({ prefix: ["alias", ref.name] })) {
        const weights = e.value.RoutingConfig?.AdditionalVersionWeights ?? {};
        if (e.value.FunctionVersion === q || q in weights) referencing.push(e.value.Name ?? "");
      }
      if (referencing.length) throw conflict(`Unable to delete version because the following aliases reference it: [${referencing.join(", ")}]`);
      await ctx.store.delete(versionKey(ref.name, n));
      await collectCode(ctx, ref.name, version.codeKey);
      return {};
    }
    if (q === "$LATEST") throw invalidParameter("$LATEST version cannot be deleted without deleting the function.");
    const keys: (readonly (string | number)[])[] = [fnKey(ref.name)];
    for (const prefix of ["version", "alias", "policy", "url", "eic", "provisioned", "scaling"]) {
      for await (const e of ctx.store.list({ prefix: [prefix, ref.name] })) keys.push(e.key as (string | number)[]);
    }
    for (const key of keys) await ctx.store.delete(key);
    const blobs = codeBlobs(ctx);
    const prefix = functionCodeKey(ctx, fn.name, "");
    for await (const key of blobs.keys(prefix)) await blobs.delete(key);
    return {};
  },

  async ListFunctions(input, ctx) {
    const max = Math.min(input.MaxItems ?? 50, MAX_FUNCTIONS_PAGE);
    const all: FunctionConfig[] = [];
    for await (const e of ctx.store.list<StoredFunction>({ prefix: ["function"] })) {
      all.push(e.value.config);
      if (input.FunctionVersion === "ALL") for (const v of await listVersions(ctx.store, e.value.name)) all.push(v.config);
    }
    return page(all, input.Marker, max, "Functions");
  },

  async PublishVersion(input, ctx) {
    const name = arnName(input.FunctionName);
    const fn = await getFunction(ctx, name);
    if (input.CodeSha256 !== undefined && input.CodeSha256 !== fn.config.CodeSha256) {
      throw invalidParameter(`CodeSHA256 (${input.CodeSha256}) is different from current CodeSHA256 in $LATEST (${fn.config.CodeSha256}). Please try again with the current CodeSHA256.`);
    }
    checkRevision(fn.config.RevisionId, input.RevisionId);
    return inProgress(await publish(ctx, name, input.Description), false);
  },

  async ListVersionsByFunction(input, ctx) {
    const name = arnName(input.FunctionName);
    const fn = await getFunction(ctx, name);
    const all = [fn.config, ...(await listVersions(ctx.store, name)).map((v) => v.config)];
    return page(all, input.Marker, Math.min(input.MaxItems ?? 50, MAX_FUNCTIONS_PAGE), "Versions");
  },
};

/** Deletes a package blob that neither $LATEST nor a version still uses. */
async function collectCode(ctx: RequestContext, name: string, codeKey: string): Promise<void> {
  if (!codeKey) return;
  const fn = (await ctx.store.get<StoredFunction>(fnKey(name))).value;
  if (fn?.codeKey === codeKey) return;
  for (const v of await listVersions(ctx.store, name)) if (v.codeKey === codeKey) return;
  await codeBlobs(ctx).delete(codeKey);
}

/** The URL GetFunction returns: served by this service's preRoute (see index.ts, docs/lambda.md). */
export function codeLocation(ctx: RequestContext, name: string, codeKey: string): string {
  const hex = codeKey.slice(codeKey.lastIndexOf("/") + 1);
  const params = new URLSearchParams({ account: ctx.accountId, region: ctx.region, sha256: hex });
  return `${ctx.baseUrl}/2015-03-31/functions/${encodeURIComponent(name)}/package?${params}`;
}

export { aliasKey };
