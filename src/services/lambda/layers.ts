/**
 * Layers: PublishLayerVersion, GetLayerVersion, GetLayerVersionByArn, ListLayers,
 * ListLayerVersions, DeleteLayerVersion and layer version permissions. Version numbers are never
 * reused, even after a delete. Layer zips are unpacked beside the function code when it runs
 * (the runner's `/opt`).
 * Source: https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html
 */
import type { Handlers, RequestContext } from "../types.ts";
import type { Operations } from "../../generated/lambda.ts";
import { codeBlobs, layerCodeKey, readPackage, storePackage } from "./code.ts";
import { conflict, invalidParameter, notFound, revisionMismatch } from "./errors.ts";
import { page } from "./functions.ts";
import { layerArn, lambdaTimestamp, parseLayerName, parseLayerVersionArn } from "./names.ts";
import { principalOf } from "./policy.ts";

export interface StoredLayerVersion {
  LayerName: string;
  LayerArn: string;
  LayerVersionArn: string;
  Version: number;
  Description: string;
  CreatedDate: string;
  CompatibleRuntimes?: string[];
  CompatibleArchitectures?: string[];
  LicenseInfo?: string;
  CodeSha256: string;
  CodeSize: number;
  codeKey: string;
  policy?: { Statement: Record<string, unknown>[]; RevisionId: string };
}

const layerKey = (name: string, version: number) => ["layer", name, version] as const;
const counterKey = (name: string) => ["layer-counter", name] as const;

/** The URL GetLayerVersion returns for the zip (served by the service's preRoute). */
export function layerLocation(ctx: RequestContext, layer: StoredLayerVersion): string {
  const params = new URLSearchParams({ account: ctx.accountId, region: ctx.region });
  return `${ctx.baseUrl}/2018-10-31/layers/${layer.LayerName}/versions/${layer.Version}/package?${params}`;
}

function render(ctx: RequestContext, layer: StoredLayerVersion): Record<string, unknown> {
  return {
    Content: { Location: layerLocation(ctx, layer), CodeSha256: layer.CodeSha256, CodeSize: layer.CodeSize },
    LayerArn: layer.LayerArn,
    LayerVersionArn: layer.LayerVersionArn,
    Description: layer.Description,
    CreatedDate: layer.CreatedDate,
    Version: layer.Version,
    ...(layer.CompatibleRuntimes ? { CompatibleRuntimes: layer.CompatibleRuntimes } : {}),
    ...(layer.CompatibleArchitectures ? { CompatibleArchitectures: layer.CompatibleArchitectures } : {}),
    ...(layer.LicenseInfo ? { LicenseInfo: layer.LicenseInfo } : {}),
  };
}

function listItem(layer: StoredLayerVersion): Record<string, unknown> {
  const { LayerVersionArn, Version, Description, CreatedDate, CompatibleRuntimes, LicenseInfo, CompatibleArchitectures } = layer;
  return { LayerVersionArn, Version, Description, CreatedDate, CompatibleRuntimes, LicenseInfo, CompatibleArchitectures };
}

function matches(layer: StoredLayerVersion, runtime?: string, architecture?: string): boolean {
  if (runtime && !(layer.CompatibleRuntimes ?? []).includes(runtime)) return false;
  if (architecture && !(layer.CompatibleArchitectures ?? []).includes(architecture)) return false;
  return true;
}

async function getLayer(ctx: RequestContext, name: string, version: number): Promise<StoredLayerVersion> {
  const layer = (await ctx.store.get<StoredLayerVersion>(layerKey(name, version))).value;
  if (!layer) throw notFound("The resource you requested does not exist.");
  return layer;
}

async function versionsOf(ctx: RequestContext, name: string): Promise<StoredLayerVersion[]> {
  const out: StoredLayerVersion[] = [];
  for await (const e of ctx.store.list<StoredLayerVersion>({ prefix: ["layer", name] })) out.push(e.value);
  return out.sort((a, b) => b.Version - a.Version);
}

export const layerHandlers: Handlers<Operations> = {
  async PublishLayerVersion(input, ctx) {
    const name = parseLayerName(input.LayerName);
    if ((input.CompatibleRuntimes?.length ?? 0) > 15) throw invalidParameter("CompatibleRuntimes must contain at most 15 runtimes.");
    const pkg = await readPackage(ctx, input.Content ?? {}, "PublishLayerVersion");
    const counter = await ctx.store.get<number>(counterKey(name));
    const version = (counter.value ?? 0) + 1;
    const layer: StoredLayerVersion = {
      LayerName: name,
      LayerArn: layerArn(ctx, name),
      LayerVersionArn: layerArn(ctx, name, version),
      Version: version,
      Description: input.Description ?? "",
      CreatedDate: lambdaTimestamp(ctx.clock.now()),
      ...(input.CompatibleRuntimes ? { CompatibleRuntimes: input.CompatibleRuntimes } : {}),
      ...(input.CompatibleArchitectures ? { CompatibleArchitectures: input.CompatibleArchitectures } : {}),
      ...(input.LicenseInfo ? { LicenseInfo: input.LicenseInfo } : {}),
      CodeSha256: pkg.sha256,
      CodeSize: pkg.size,
      codeKey: layerCodeKey(ctx, name, version),
    };
    await storePackage(ctx, layer.codeKey, pkg);
    const result = await ctx.store.atomic().check({ key: counterKey(name), versionstamp: counter.versionstamp })
      .set(counterKey(name), version).set(layerKey(name, version), layer).commit();
    if (!result.ok) throw conflict(`The operation cannot be performed at this time. An update is in progress for resource: ${layer.LayerArn}`);
    return render(ctx, layer);
  },

  async GetLayerVersion(input, ctx) {
    return render(ctx, await getLayer(ctx, parseLayerName(input.LayerName), input.VersionNumber));
  },

  async GetLayerVersionByArn(input, ctx) {
    const parsed = parseLayerVersionArn(input.Arn);
    if (!parsed) throw invalidParameter(`1 validation error detected: Value '${input.Arn}' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:(aws[a-zA-Z-]*)?:lambda:[a-z]{2}((-gov)|(-iso([a-z]?)))?-[a-z]+-\\d{1}:\\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+)|(arn:[a-zA-Z0-9-]+:lambda:::awslayer:[a-zA-Z0-9-_]+)`);
    const layer = (await ctx.storeFor(parsed.accountId, parsed.region).get<StoredLayerVersion>(layerKey(parsed.name, parsed.version))).value;
    if (!layer) throw notFound("The resource you requested does not exist.");
    return render({ ...ctx, accountId: parsed.accountId, region: parsed.region }, layer);
  },

  async ListLayerVersions(input, ctx) {
    const name = parseLayerName(input.LayerName);
    const all = (await versionsOf(ctx, name)).filter((l) => matches(l, input.CompatibleRuntime, input.CompatibleArchitecture)).map(listItem);
    return page(all, input.Marker, input.MaxItems ?? 50, "LayerVersions");
  },

  async ListLayers(input, ctx) {
    const latest = new Map<string, StoredLayerVersion>();
    for await (const e of ctx.store.list<StoredLayerVersion>({ prefix: ["layer"] })) {
      const l = e.value;
      if (!matches(l, input.CompatibleRuntime, input.CompatibleArchitecture)) continue;
      const seen = latest.get(l.LayerName);
      if (!seen || seen.Version < l.Version) latest.set(l.LayerName, l);
    }
    const all = [...latest.values()].map((l) => ({ LayerName: l.LayerName, LayerArn: l.LayerArn, LatestMatchingVersion: listItem(l) }));
    return page(all, input.Marker, input.MaxItems ?? 50, "Layers");
  },

  async DeleteLayerVersion(input, ctx) {
    const name = parseLayerName(input.LayerName);
    const layer = (await ctx.store.get<StoredLayerVersion>(layerKey(name, input.VersionNumber))).value;
    if (!layer) return {};
    await ctx.store.delete(layerKey(name, input.VersionNumber));
    await codeBlobs(ctx).delete(layer.codeKey);
    return {};
  },

  async AddLayerVersionPermission(input, ctx) {
    const name = parseLayerName(input.LayerName);
    const layer = await getLayer(ctx, name, input.VersionNumber);
    const policy = layer.policy ?? { Statement: [], RevisionId: "" };
    if (input.RevisionId !== undefined && input.RevisionId !== policy.RevisionId) throw revisionMismatch("GetPolicy");
    if (policy.Statement.some((s) => s.Sid === input.StatementId)) {
      throw conflict(`The statement id (${input.StatementId}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
    }
    const statement = {
      Sid: input.StatementId,
      Effect: "Allow",
      Principal: input.Principal === "*" ? "*" : principalOf(input.Principal, ctx.region),
      Action: input.Action,
      Resource: layer.LayerVersionArn,
      ...(input.OrganizationId ? { Condition: { StringEquals: { "aws:PrincipalOrgID": input.OrganizationId } } } : {}),
    };
    const next = { Statement: [...policy.Statement, statement], RevisionId: crypto.randomUUID() };
    await ctx.store.set(layerKey(name, input.VersionNumber), { ...layer, policy: next });
    return { Statement: JSON.stringify(statement), RevisionId: next.RevisionId };
  },

  async RemoveLayerVersionPermission(input, ctx) {
    const name = parseLayerName(input.LayerName);
    const layer = await getLayer(ctx, name, input.VersionNumber);
    const policy = layer.policy;
    if (input.RevisionId !== undefined && input.RevisionId !== policy?.RevisionId) throw revisionMismatch("GetPolicy");
    if (!policy?.Statement.some((s) => s.Sid === input.StatementId)) throw notFound(`Statement ${input.StatementId} is not found in resource policy.`);
    const statements = policy.Statement.filter((s) => s.Sid !== input.StatementId);
    const { policy: _p, ...rest } = layer;
    await ctx.store.set(layerKey(name, input.VersionNumber), statements.length ? { ...rest, policy: { Statement: statements, RevisionId: crypto.randomUUID() } } : rest);
    return {};
  },

  async GetLayerVersionPolicy(input, ctx) {
    const layer = await getLayer(ctx, parseLayerName(input.LayerName), input.VersionNumber);
    if (!layer.policy) throw notFound("No policy is associated with the given resource.");
    return { Policy: JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: layer.policy.Statement }), RevisionId: layer.policy.RevisionId };
  },
};
