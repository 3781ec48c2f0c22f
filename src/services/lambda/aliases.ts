/**
 * Aliases: CreateAlias, GetAlias, UpdateAlias, DeleteAlias, ListAliases, with RoutingConfig
 * (one additional published version and its weight, 0.0–1.0). Invoke picks the version by weight.
 * Source: https://docs.aws.amazon.com/lambda/latest/api/API_CreateAlias.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/configuring-alias-routing.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { Operations } from "../../generated/lambda.ts";
import { conflict, invalidParameter, notFound, revisionMismatch, functionNotFound } from "./errors.ts";
import { functionArn, parseFunctionName } from "./names.ts";
import { page } from "./functions.ts";
import { aliasKey, getFunction, getVersion } from "./state.ts";

export interface StoredAlias {
  AliasArn: string;
  Name: string;
  FunctionVersion: string;
  Description: string;
  RoutingConfig?: { AdditionalVersionWeights: Record<string, number> };
  RevisionId: string;
}

async function checkVersion(ctx: RequestContext, name: string, version: string): Promise<void> {
  if (version === "$LATEST") return;
  if (!/^\d+$/.test(version) || !(await getVersion(ctx.store, name, Number(version)))) {
    throw functionNotFound(functionArn(ctx, name, version));
  }
}

async function checkRouting(ctx: RequestContext, name: string, primary: string, routing: { AdditionalVersionWeights?: Record<string, number> } | undefined): Promise<void> {
  const weights = routing?.AdditionalVersionWeights;
  if (!weights) return;
  const versions = Object.keys(weights);
  if (versions.length > 1) throw invalidParameter("Number of items in AdditionalVersionWeights cannot be greater than 1");
  for (const v of versions) {
    const w = weights[v]!;
    if (!(w >= 0 && w <= 1)) throw invalidParameter(`Invalid function version weight: ${w}. Weights must be between 0.0 and 1.0.`);
    if (v === primary) throw invalidParameter(`Invalid function version ${v}. Function version ${v} is already included in routing configuration.`);
    if (primary === "$LATEST" || v === "$LATEST") throw invalidParameter("$LATEST is not supported for an alias pointing to more than 1 version");
    await checkVersion(ctx, name, v);
  }
}

function aliasNotFound(ctx: RequestContext, name: string, alias: string) {
  return notFound(`Cannot find alias arn: ${functionArn(ctx, name, alias)}`);
}

export const aliasHandlers: Handlers<Operations> = {
  async CreateAlias(input, ctx) {
    const { name } = parseFunctionName(input.FunctionName);
    await getFunction(ctx, name);
    if (/^\d+$/.test(input.Name) || input.Name === "$LATEST") throw invalidParameter(`1 validation error detected: Value '${input.Name}' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!^[0-9]+$)([a-zA-Z0-9-_]+)`);
    await checkVersion(ctx, name, input.FunctionVersion);
    await checkRouting(ctx, name, input.FunctionVersion, input.RoutingConfig);
    const alias: StoredAlias = {
      AliasArn: functionArn(ctx, name, input.Name),
      Name: input.Name,
      FunctionVersion: input.FunctionVersion,
      Description: input.Description ?? "",
      ...(input.RoutingConfig?.AdditionalVersionWeights ? { RoutingConfig: { AdditionalVersionWeights: input.RoutingConfig.AdditionalVersionWeights } } : {}),
      RevisionId: crypto.randomUUID(),
    };
    const result = await ctx.store.atomic().check({ key: aliasKey(name, input.Name), versionstamp: null }).set(aliasKey(name, input.Name), alias).commit();
    if (!result.ok) throw conflict(`Alias already exists: ${alias.AliasArn}`);
    return alias;
  },

  async GetAlias(input, ctx) {
    const { name } = parseFunctionName(input.FunctionName);
    await getFunction(ctx, name);
    const alias = (await ctx.store.get<StoredAlias>(aliasKey(name, input.Name))).value;
    if (!alias) throw aliasNotFound(ctx, name, input.Name);
    return alias;
  },

  async UpdateAlias(input, ctx) {
    const { name } = parseFunctionName(input.FunctionName);
    await getFunction(ctx, name);
    const entry = await ctx.store.get<StoredAlias>(aliasKey(name, input.Name));
    if (!entry.value) throw aliasNotFound(ctx, name, input.Name);
    const current = entry.value;
    if (input.RevisionId !== undefined && input.RevisionId !== current.RevisionId) throw revisionMismatch("GetAlias");
    const version = input.FunctionVersion ?? current.FunctionVersion;
    await checkVersion(ctx, name, version);
    const routing = input.RoutingConfig !== undefined ? input.RoutingConfig : current.RoutingConfig;
    await checkRouting(ctx, name, version, routing);
    const next: StoredAlias = {
      ...current,
      FunctionVersion: version,
      Description: input.Description ?? current.Description,
      RevisionId: crypto.randomUUID(),
    };
    if (routing?.AdditionalVersionWeights && Object.keys(routing.AdditionalVersionWeights).length) {
      next.RoutingConfig = { AdditionalVersionWeights: routing.AdditionalVersionWeights };
    } else delete next.RoutingConfig;
    const result = await ctx.store.atomic().check({ key: aliasKey(name, input.Name), versionstamp: entry.versionstamp }).set(aliasKey(name, input.Name), next).commit();
    if (!result.ok) throw conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${current.AliasArn}`);
    return next;
  },

  async DeleteAlias(input, ctx) {
    const { name } = parseFunctionName(input.FunctionName);
    await getFunction(ctx, name);
    await ctx.store.delete(aliasKey(name, input.Name));
    for (const kind of ["policy", "url", "eic", "provisioned"]) await ctx.store.delete([kind, name, input.Name]);
    return {};
  },

  async ListAliases(input, ctx) {
    const { name } = parseFunctionName(input.FunctionName);
    await getFunction(ctx, name);
    const all: StoredAlias[] = [];
    for await (const e of ctx.store.list<StoredAlias>({ prefix: ["alias", name] })) {
      if (input.FunctionVersion && e.value.FunctionVersion !== input.FunctionVersion) continue;
      all.push(e.value);
    }
    return page(all, input.Marker, input.MaxItems ?? 50, "Aliases");
  },
};

/** Alias routing: the primary version, or the additional one with its weight's probability. */
export function pickVersion(alias: StoredAlias, random = Math.random()): string {
  const weights = alias.RoutingConfig?.AdditionalVersionWeights ?? {};
  let acc = 0;
  for (const [version, weight] of Object.entries(weights)) {
    acc += weight;
    if (random < acc) return version;
  }
  return alias.FunctionVersion;
}
