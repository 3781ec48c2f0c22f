/**
 * Lambda Managed Instances as control-plane state: capacity providers
 * (Create/Get/Update/Delete/ListCapacityProviders, ListFunctionVersionsByCapacityProvider) and
 * function scaling configs (Put/GetFunctionScalingConfig). No EC2 capacity exists here: functions
 * that name a capacity provider run on the local runner as every other function does (docs/lambda.md).
 * Sources: https://docs.aws.amazon.com/lambda/latest/api/API_CreateCapacityProvider.html (and the
 * other operations' pages), https://docs.aws.amazon.com/lambda/latest/dg/lambda-managed-instances-capacity-providers.html
 *
 * Keys: ["capacity-provider", name] StoredCapacityProvider (with its tags); ["scaling", function, qualifier]
 * FunctionScalingConfig.
 */
import { AwsError } from "../../protocol/errors.ts";
import type { Handlers, RequestContext } from "../types.ts";
import type {
  CapacityProvider, CapacityProviderScalingConfig, FunctionScalingConfig, FunctionVersionsByCapacityProviderListItem, Operations,
} from "../../generated/lambda.ts";
import { conflict, invalidParameter, notFound, functionNotFound } from "./errors.ts";
import { functionArn, lambdaTimestamp, parseFunctionName, partitionOf } from "./names.ts";
import { page } from "./paging.ts";
import { getFunction, getVersion, listVersions, type FunctionConfig, type StoredFunction } from "./state.ts";

/** Capacity providers per account and region (AWS's default quota). */
export const MAX_CAPACITY_PROVIDERS = 1000;
/** AWS's default of a version's scaling config when none was put (MinExecutionEnvironments 3). */
const DEFAULT_SCALING: FunctionScalingConfig = { MinExecutionEnvironments: 3, MaxExecutionEnvironments: 3 };

export type StoredCapacityProvider = Omit<CapacityProvider, "State"> & { Name: string; Tags: Record<string, string> };

export const capacityProviderKey = (name: string) => ["capacity-provider", name] as const;
const scalingKey = (name: string, qualifier: string) => ["scaling", name, qualifier] as const;

const NAME = /^[a-zA-Z0-9_-]{1,140}$/;
const ARN = /^arn:aws[a-zA-Z-]*:lambda:([a-z0-9-]+):(\d{12}):capacity-provider:([a-zA-Z0-9_-]+)$/;

export function capacityProviderArn(ctx: Pick<RequestContext, "region" | "accountId">, name: string): string {
  return `arn:${partitionOf(ctx.region)}:lambda:${ctx.region}:${ctx.accountId}:capacity-provider:${name}`;
}

/** A CapacityProviderName member (a name or this account's capacity provider ARN) → name. */
export function capacityProviderName(value: string): string {
  const arn = ARN.exec(value);
  if (arn) return arn[3]!;
  if (!NAME.test(value)) {
    throw invalidParameter(`1 validation error detected: Value '${value}' at 'capacityProviderName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:aws[a-zA-Z-]*:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:capacity-provider:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+`);
  }
  return value;
}

function providerNotFound(ctx: RequestContext, name: string): AwsError {
  return notFound(`Capacity provider not found: ${capacityProviderArn(ctx, name)}`);
}

async function loadProvider(ctx: RequestContext, name: string): Promise<StoredCapacityProvider> {
  const stored = (await ctx.store.get<StoredCapacityProvider>(capacityProviderKey(name))).value;
  if (!stored) throw providerNotFound(ctx, name);
  return stored;
}

function render(stored: StoredCapacityProvider, state: CapacityProvider["State"]): CapacityProvider {
  const { Name: _name, Tags: _tags, ...rest } = stored;
  return { ...rest, State: state };
}

function checkScaling(config: CapacityProviderScalingConfig | undefined): void {
  if (!config) return;
  if (config.ScalingMode === "Manual" && !config.ScalingPolicies?.length) {
    throw invalidParameter("ScalingPolicies must be specified when ScalingMode is Manual.");
  }
  if (config.ScalingMode === "Auto" && config.ScalingPolicies?.length) {
    throw invalidParameter("ScalingPolicies cannot be specified when ScalingMode is Auto.");
  }
  for (const policy of config.ScalingPolicies ?? []) {
    if (!(policy.TargetValue > 0 && policy.TargetValue <= 100)) {
      throw invalidParameter(`TargetValue ${policy.TargetValue} for ${policy.PredefinedMetricType} must be greater than 0 and at most 100.`);
    }
  }
}

/** The capacity provider a configuration runs on (undefined for none). */
export function configCapacityProvider(config: Pick<FunctionConfig, "CapacityProviderConfig">): string | undefined {
  return config.CapacityProviderConfig?.LambdaManagedInstancesCapacityProviderConfig?.CapacityProviderArn;
}

/** CreateFunction / UpdateFunctionConfiguration: a named capacity provider must exist here. */
export async function checkCapacityProviderConfig(ctx: RequestContext, config: FunctionConfig["CapacityProviderConfig"]): Promise<void> {
  const arn = configCapacityProvider({ CapacityProviderConfig: config });
  if (config === undefined) return;
  if (!arn) throw invalidParameter("CapacityProviderConfig must specify LambdaManagedInstancesCapacityProviderConfig.CapacityProviderArn.");
  const m = ARN.exec(arn);
  const store = m ? ctx.storeFor(m[2]!, m[1]!) : undefined;
  if (!m || !store || !(await store.get(capacityProviderKey(m[3]!))).value) {
    throw invalidParameter(`Capacity provider ${arn} does not exist.`);
  }
}

/** Every function version (and $LATEST) whose configuration names `arn`. */
async function versionsOn(ctx: RequestContext, arn: string): Promise<FunctionVersionsByCapacityProviderListItem[]> {
  const out: FunctionVersionsByCapacityProviderListItem[] = [];
  for await (const e of ctx.store.list<StoredFunction>({ prefix: ["function"] })) {
    const configs = [e.value.config, ...(await listVersions(ctx.store, e.value.name)).map((v) => v.config)];
    for (const config of configs) {
      if (configCapacityProvider(config) !== arn) continue;
      out.push({ FunctionArn: functionArn(ctx, e.value.name, config.Version), State: config.State ?? "Active" });
    }
  }
  return out;
}

function checkMaxItems(max: number | undefined): number {
  if (max !== undefined && (max < 1 || max > 50)) {
    throw invalidParameter(`1 validation error detected: Value '${max}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 50`);
  }
  return max ?? 50;
}

export const capacityHandlers: Handlers<Operations> = {
  async CreateCapacityProvider(input, ctx) {
    const name = capacityProviderName(input.CapacityProviderName);
    if (!input.VpcConfig.SubnetIds.length) throw invalidParameter("VpcConfig.SubnetIds must contain at least 1 subnet.");
    checkScaling(input.CapacityProviderScalingConfig);
    let count = 0;
    for await (const _ of ctx.store.list({ prefix: ["capacity-provider"] })) count++;
    if (count >= MAX_CAPACITY_PROVIDERS) {
      throw new AwsError("CapacityProviderLimitExceededException", `The maximum number of capacity providers (${MAX_CAPACITY_PROVIDERS}) has been reached for this account.`, 400);
    }
    const stored: StoredCapacityProvider = {
      Name: name,
      CapacityProviderArn: capacityProviderArn(ctx, name),
      VpcConfig: { SubnetIds: input.VpcConfig.SubnetIds, SecurityGroupIds: input.VpcConfig.SecurityGroupIds },
      PermissionsConfig: input.PermissionsConfig,
      InstanceRequirements: input.InstanceRequirements ?? { Architectures: ["x86_64"], AllowedInstanceTypes: [], ExcludedInstanceTypes: [] },
      CapacityProviderScalingConfig: input.CapacityProviderScalingConfig ?? { ScalingMode: "Auto" },
      ...(input.KmsKeyArn ? { KmsKeyArn: input.KmsKeyArn } : {}),
      LastModified: lambdaTimestamp(ctx.clock.now()),
      Tags: { ...(input.Tags ?? {}) },
    };
    const result = await ctx.store.atomic().check({ key: capacityProviderKey(name), versionstamp: null }).set(capacityProviderKey(name), stored).commit();
    if (!result.ok) throw conflict(`Capacity provider already exists: ${stored.CapacityProviderArn}`);
    // Provisioning completes at once: the stored provider is Active, the response says Pending as AWS's does.
    return { CapacityProvider: render(stored, "Pending") };
  },

  async GetCapacityProvider(input, ctx) {
    return { CapacityProvider: render(await loadProvider(ctx, capacityProviderName(input.CapacityProviderName)), "Active") };
  },

  async UpdateCapacityProvider(input, ctx) {
    const name = capacityProviderName(input.CapacityProviderName);
    checkScaling(input.CapacityProviderScalingConfig);
    const entry = await ctx.store.get<StoredCapacityProvider>(capacityProviderKey(name));
    if (!entry.value) throw providerNotFound(ctx, name);
    const next: StoredCapacityProvider = {
      ...entry.value,
      ...(input.CapacityProviderScalingConfig ? { CapacityProviderScalingConfig: input.CapacityProviderScalingConfig } : {}),
      LastModified: lambdaTimestamp(ctx.clock.now()),
    };
    const result = await ctx.store.atomic().check({ key: capacityProviderKey(name), versionstamp: entry.versionstamp }).set(capacityProviderKey(name), next).commit();
    if (!result.ok) throw conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${next.CapacityProviderArn}`);
    return { CapacityProvider: render(next, "Active") };
  },

  async DeleteCapacityProvider(input, ctx) {
    const name = capacityProviderName(input.CapacityProviderName);
    const stored = await loadProvider(ctx, name);
    const users = await versionsOn(ctx, stored.CapacityProviderArn);
    if (users.length) {
      throw conflict(`Capacity provider ${stored.CapacityProviderArn} is in use by the following function versions: [${users.map((u) => u.FunctionArn).join(", ")}]`);
    }
    await ctx.store.delete(capacityProviderKey(name));
    return { CapacityProvider: render(stored, "Deleting") };
  },

  async ListCapacityProviders(input, ctx) {
    const max = checkMaxItems(input.MaxItems);
    const all: CapacityProvider[] = [];
    // Stored providers are Active (deleted ones are gone), so a State filter keeps them or none.
    if (input.State === undefined || input.State === "Active") {
      for await (const e of ctx.store.list<StoredCapacityProvider>({ prefix: ["capacity-provider"] })) all.push(render(e.value, "Active"));
    }
    return page(all, input.Marker, max, "CapacityProviders");
  },

  async ListFunctionVersionsByCapacityProvider(input, ctx) {
    const max = checkMaxItems(input.MaxItems);
    const stored = await loadProvider(ctx, capacityProviderName(input.CapacityProviderName));
    const listed = page(await versionsOn(ctx, stored.CapacityProviderArn), input.Marker, max, "FunctionVersions");
    return { CapacityProviderArn: stored.CapacityProviderArn, ...listed };
  },

  async PutFunctionScalingConfig(input, ctx) {
    const { config, qualifier, name } = await scalingTarget(ctx, input.FunctionName, input.Qualifier);
    const requested = input.FunctionScalingConfig ?? {};
    const min = requested.MinExecutionEnvironments;
    const max = requested.MaxExecutionEnvironments;
    for (const [member, value] of [["minExecutionEnvironments", min], ["maxExecutionEnvironments", max]] as const) {
      if (value !== undefined && (value < 0 || value > 15000)) {
        throw invalidParameter(`1 validation error detected: Value '${value}' at 'functionScalingConfig.${member}' failed to satisfy constraint: Member must have value between 0 and 15000`);
      }
    }
    if (min !== undefined && max !== undefined && min > max) {
      throw invalidParameter(`MinExecutionEnvironments (${min}) cannot be greater than MaxExecutionEnvironments (${max}).`);
    }
    await ctx.store.set(scalingKey(name, qualifier), { ...DEFAULT_SCALING, ...requested } satisfies FunctionScalingConfig);
    return { FunctionState: config.State ?? "Active" };
  },

  async GetFunctionScalingConfig(input, ctx) {
    const { qualifier, name } = await scalingTarget(ctx, input.FunctionName, input.Qualifier);
    const stored = (await ctx.store.get<FunctionScalingConfig>(scalingKey(name, qualifier))).value ?? DEFAULT_SCALING;
    // Scaling applies at once here, so the applied config is the requested one.
    return { FunctionArn: functionArn(ctx, name, qualifier), AppliedFunctionScalingConfig: stored, RequestedFunctionScalingConfig: stored };
  },
};

/**
 * The version a scaling config belongs to: `$LATEST.PUBLISHED` (the function's latest published
 * version) or a version number, of a function that runs on a capacity provider.
 */
async function scalingTarget(ctx: RequestContext, functionName: string, qualifier: string): Promise<{ name: string; qualifier: string; config: FunctionConfig }> {
  const ref = parseFunctionName(functionName);
  if (ref.qualifier !== undefined) {
    throw invalidParameter(`1 validation error detected: Value '${functionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:)?([a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:)?(\\d{12}:)?(function:)?([a-zA-Z0-9-_]+)`);
  }
  if (!/^(\$LATEST\.PUBLISHED|[0-9]+)$/.test(qualifier)) {
    throw invalidParameter(`1 validation error detected: Value '${qualifier}' at 'qualifier' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\$LATEST\\.PUBLISHED|[0-9]+)`);
  }
  const fn = await getFunction(ctx, ref.name, qualifier);
  let config: FunctionConfig = fn.config;
  if (qualifier !== "$LATEST.PUBLISHED") {
    const version = await getVersion(ctx.store, ref.name, Number(qualifier));
    if (!version) throw functionNotFound(functionArn(ctx, ref.name, qualifier));
    config = version.config;
  }
  if (!configCapacityProvider(config)) {
    throw invalidParameter(`Function ${functionArn(ctx, ref.name, qualifier)} is not configured with a capacity provider. Scaling configs apply only to functions on Lambda Managed Instances.`);
  }
  return { name: ref.name, qualifier, config };
}
