/**
 * Code signing configs as state: Create/Get/Update/Delete/ListCodeSigningConfigs,
 * ListFunctionsByCodeSigningConfig, Put/Get/DeleteFunctionCodeSigningConfig. Packages are not
 * signed here, so the policy is stored and never rejects a deployment.
 * Source: https://docs.aws.amazon.com/lambda/latest/api/API_CreateCodeSigningConfig.html
 */
import type { CodeSigningConfig, Operations } from "../../generated/lambda.ts";
import type { Handlers, RequestContext } from "../types.ts";
import { conflict, invalidParameter, notFound } from "./errors.ts";
import { page } from "./paging.ts";
import { functionArn, lambdaTimestamp, parseFunctionName, partitionOf } from "./names.ts";
import { getFunction, updateFunction, type StoredFunction } from "./state.ts";

type Config = CodeSigningConfig;

const cscKey = (id: string) => ["csc", id] as const;

function idOf(arn: string): string {
  const m = /:code-signing-config:(csc-[a-z0-9]{17})$/.exec(arn);
  if (!m) throw invalidParameter(`1 validation error detected: Value '${arn}' at 'codeSigningConfigArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:code-signing-config:csc-[a-z0-9]{17}`);
  return m[1]!;
}

async function getConfig(ctx: RequestContext, arn: string): Promise<Config> {
  const config = (await ctx.store.get<Config>(cscKey(idOf(arn)))).value;
  if (!config) throw notFound(`The resource you requested does not exist.`);
  return config;
}

async function functionsUsing(ctx: RequestContext, arn: string): Promise<StoredFunction[]> {
  const out: StoredFunction[] = [];
  for await (const e of ctx.store.list<StoredFunction>({ prefix: ["function"] })) if (e.value.codeSigningConfigArn === arn) out.push(e.value);
  return out;
}

export const codeSigningHandlers: Handlers<Operations> = {
  async CreateCodeSigningConfig(input, ctx) {
    const bytes = crypto.getRandomValues(new Uint8Array(9));
    const id = `csc-${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("").slice(0, 17)}`;
    const config: Config = {
      CodeSigningConfigId: id,
      CodeSigningConfigArn: `arn:${partitionOf(ctx.region)}:lambda:${ctx.region}:${ctx.accountId}:code-signing-config:${id}`,
      Description: input.Description ?? "",
      AllowedPublishers: input.AllowedPublishers,
      CodeSigningPolicies: { UntrustedArtifactOnDeployment: input.CodeSigningPolicies?.UntrustedArtifactOnDeployment ?? "Warn" },
      LastModified: lambdaTimestamp(ctx.clock.now()),
    };
    await ctx.store.set(cscKey(id), config);
    return { CodeSigningConfig: config };
  },

  async GetCodeSigningConfig(input, ctx) {
    return { CodeSigningConfig: await getConfig(ctx, input.CodeSigningConfigArn) };
  },

  async UpdateCodeSigningConfig(input, ctx) {
    const current = await getConfig(ctx, input.CodeSigningConfigArn);
    const next: Config = {
      ...current,
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      ...(input.AllowedPublishers ? { AllowedPublishers: input.AllowedPublishers } : {}),
      ...(input.CodeSigningPolicies ? { CodeSigningPolicies: { UntrustedArtifactOnDeployment: input.CodeSigningPolicies.UntrustedArtifactOnDeployment ?? "Warn" } } : {}),
      LastModified: lambdaTimestamp(ctx.clock.now()),
    };
    await ctx.store.set(cscKey(current.CodeSigningConfigId), next);
    return { CodeSigningConfig: next };
  },

  async DeleteCodeSigningConfig(input, ctx) {
    const config = await getConfig(ctx, input.CodeSigningConfigArn);
    if ((await functionsUsing(ctx, config.CodeSigningConfigArn)).length) {
      throw conflict(`The code signing configuration cannot be deleted because it is used by one or more functions.`);
    }
    await ctx.store.delete(cscKey(config.CodeSigningConfigId));
    return {};
  },

  async ListCodeSigningConfigs(input, ctx) {
    const all: Config[] = [];
    for await (const e of ctx.store.list<Config>({ prefix: ["csc"] })) all.push(e.value);
    return page(all, input.Marker, input.MaxItems ?? 50, "CodeSigningConfigs");
  },

  async ListFunctionsByCodeSigningConfig(input, ctx) {
    const config = await getConfig(ctx, input.CodeSigningConfigArn);
    const arns = (await functionsUsing(ctx, config.CodeSigningConfigArn)).map((f) => functionArn(ctx, f.name));
    return page(arns, input.Marker, input.MaxItems ?? 50, "FunctionArns");
  },

  async PutFunctionCodeSigningConfig(input, ctx) {
    const { name } = parseFunctionName(input.FunctionName);
    const config = await getConfig(ctx, input.CodeSigningConfigArn);
    await updateFunction(ctx, name, (fn) => ({ ...fn, codeSigningConfigArn: config.CodeSigningConfigArn }));
    return { CodeSigningConfigArn: config.CodeSigningConfigArn, FunctionName: name };
  },

  async GetFunctionCodeSigningConfig(input, ctx) {
    const fn = await getFunction(ctx, parseFunctionName(input.FunctionName).name);
    return { CodeSigningConfigArn: fn.codeSigningConfigArn ?? "", FunctionName: fn.name };
  },

  async DeleteFunctionCodeSigningConfig(input, ctx) {
    await updateFunction(ctx, parseFunctionName(input.FunctionName).name, (fn) => {
      const { codeSigningConfigArn: _c, ...rest } = fn;
      return rest;
    });
    return {};
  },
};
