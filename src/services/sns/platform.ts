/**
 * Mobile push as stored state: platform applications and their endpoints, with AWS's
 * idempotency rules. Messages published to an endpoint (directly or through a topic) are
 * recorded in the delivery log, not pushed anywhere.
 * Sources: https://docs.aws.amazon.com/sns/latest/api/API_CreatePlatformApplication.html,
 * https://docs.aws.amazon.com/sns/latest/api/API_CreatePlatformEndpoint.html
 */
import { update } from "../../store/mutex.ts";
import type { Store } from "../../store/types.ts";
import type { RequestContext } from "../types.ts";
import { splitArn } from "./arns.ts";
import { invalidParameter, notFound } from "./errors.ts";
import { decodePageToken, encodePageToken, PAGE_SIZE } from "./paging.ts";
import { ownerStore, deletePrefix } from "./storage.ts";

const PLATFORMS = new Set(["ADM", "APNS", "APNS_SANDBOX", "APNS_VOIP", "APNS_VOIP_SANDBOX", "BAIDU", "GCM", "MACOS", "MACOS_SANDBOX", "MPNS", "WNS"]);
const NAME = /^[A-Za-z0-9_.-]{1,256}$/;
/** Credentials are write-only: never returned by GetPlatformApplicationAttributes. */
const SECRET = new Set(["PlatformCredential", "PlatformPrincipal"]);

interface AppRecord {
  arn: string;
  platform: string;
  name: string;
  attributes: Record<string, string>;
}

interface EndpointRecord {
  arn: string;
  app: string;
  platform: string;
  id: string;
  attributes: Record<string, string>;
}

const appKey = (platform: string, name: string) => ["app", platform, name];
const endpointKey = (platform: string, app: string, id: string) => ["endpoint", platform, app, id];

function parseAppArn(arn: string): { account: string; region: string; platform: string; name: string } | null {
  const parts = splitArn(arn);
  const m = parts && parts.service === "sns" ? /^app\/([A-Z_]+)\/(.+)$/.exec(parts.resource) : null;
  return m ? { account: parts!.account, region: parts!.region, platform: m[1]!, name: m[2]! } : null;
}

function parseEndpointArn(arn: string): { account: string; region: string; platform: string; app: string; id: string } | null {
  const parts = splitArn(arn);
  const m = parts && parts.service === "sns" ? /^endpoint\/([A-Z_]+)\/([^/]+)\/([0-9a-f-]{36})$/.exec(parts.resource) : null;
  return m ? { account: parts!.account, region: parts!.region, platform: m[1]!, app: m[2]!, id: m[3]! } : null;
}

async function requireApp(ctx: RequestContext, arn: string): Promise<{ store: Store; app: AppRecord }> {
  const ref = parseAppArn(arn);
  if (!ref) throw invalidParameter("PlatformApplicationArn");
  const store = ownerStore(ctx, ref);
  const app = (await store.get<AppRecord>(appKey(ref.platform, ref.name))).value;
  if (!app) throw notFound("PlatformApplication does not exist");
  return { store, app };
}

/** The endpoint an ARN names, or null. */
export async function loadEndpoint(ctx: RequestContext, arn: string): Promise<EndpointRecord | null> {
  const ref = parseEndpointArn(arn);
  if (!ref) return null;
  return (await ownerStore(ctx, ref).get<EndpointRecord>(endpointKey(ref.platform, ref.app, ref.id))).value;
}

async function requireEndpoint(ctx: RequestContext, arn: string): Promise<{ store: Store; endpoint: EndpointRecord }> {
  const ref = parseEndpointArn(arn);
  if (!ref) throw invalidParameter("EndpointArn");
  const store = ownerStore(ctx, ref);
  const endpoint = (await store.get<EndpointRecord>(endpointKey(ref.platform, ref.app, ref.id))).value;
  if (!endpoint) throw notFound("Endpoint does not exist");
  return { store, endpoint };
}

export async function createPlatformApplication(ctx: RequestContext, input: { Name: string; Platform: string; Attributes: Record<string, string> }) {
  if (!NAME.test(input.Name)) throw invalidParameter("Invalid platform application name");
  if (!PLATFORMS.has(input.Platform)) throw invalidParameter("Platform");
  const arn = `arn:aws:sns:${ctx.region}:${ctx.accountId}:app/${input.Platform}/${input.Name}`;
  const record: AppRecord = { arn, platform: input.Platform, name: input.Name, attributes: { Enabled: "true", ...(input.Attributes ?? {}) } };
  await ctx.store.set(appKey(input.Platform, input.Name), record);
  return { PlatformApplicationArn: arn };
}

function visible(attributes: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(attributes).filter(([k]) => !SECRET.has(k)));
}

export async function getPlatformApplicationAttributes(ctx: RequestContext, arn: string) {
  const { app } = await requireApp(ctx, arn);
  return { Attributes: visible(app.attributes) };
}

export async function setPlatformApplicationAttributes(ctx: RequestContext, input: { PlatformApplicationArn: string; Attributes: Record<string, string> }) {
  const { store, app } = await requireApp(ctx, input.PlatformApplicationArn);
  await update<AppRecord>(store, appKey(app.platform, app.name), (current) => {
    if (!current) throw notFound("PlatformApplication does not exist");
    return { ...current, attributes: { ...current.attributes, ...input.Attributes } };
  });
}

export async function deletePlatformApplication(ctx: RequestContext, arn: string) {
  const ref = parseAppArn(arn);
  if (!ref) throw invalidParameter("PlatformApplicationArn");
  const store = ownerStore(ctx, ref);
  await store.delete(appKey(ref.platform, ref.name));
  await deletePrefix(store, ["endpoint", ref.platform, ref.name]);
}

export async function listPlatformApplications(ctx: RequestContext, nextToken: string | undefined) {
  const after = nextToken ? decodePageToken(nextToken) : undefined;
  const selector = after !== undefined ? { prefix: ["app"], start: ["app", ...after.split("/"), ""] } : { prefix: ["app"] };
  const apps: { PlatformApplicationArn: string; Attributes: Record<string, string> }[] = [];
  let last: AppRecord | undefined;
  let more = false;
  for await (const entry of ctx.store.list<AppRecord>(selector)) {
    if (apps.length === PAGE_SIZE) {
      more = true;
      break;
    }
    apps.push({ PlatformApplicationArn: entry.value.arn, Attributes: visible(entry.value.attributes) });
    last = entry.value;
  }
  return more && last ? { PlatformApplications: apps, NextToken: encodePageToken(`${last.platform}/${last.name}`) } : { PlatformApplications: apps };
}

export async function createPlatformEndpoint(
  ctx: RequestContext,
  input: { PlatformApplicationArn: string; Token: string; CustomUserData?: string; Attributes?: Record<string, string> },
) {
  const { store, app } = await requireApp(ctx, input.PlatformApplicationArn);
  if (!input.Token) throw invalidParameter("Token");
  const wanted: Record<string, string> = { ...(input.Attributes ?? {}) };
  if (input.CustomUserData !== undefined) wanted.CustomUserData = input.CustomUserData;
  for await (const entry of store.list<EndpointRecord>({ prefix: ["endpoint", app.platform, app.name] })) {
    const existing = entry.value;
    if (existing.attributes.Token !== input.Token) continue;
    for (const [k, v] of Object.entries(wanted)) {
      if (existing.attributes[k] !== v) {
        throw invalidParameter("Token", `Endpoint ${existing.arn} already exists with the same Token, but different attributes.`);
      }
    }
    return { EndpointArn: existing.arn };
  }
  const id = crypto.randomUUID();
  const parts = splitArn(app.arn)!;
  const arn = `arn:aws:sns:${parts.region}:${parts.account}:endpoint/${app.platform}/${app.name}/${id}`;
  const record: EndpointRecord = { arn, app: app.name, platform: app.platform, id, attributes: { Enabled: "true", ...wanted, Token: input.Token } };
  await store.set(endpointKey(app.platform, app.name, id), record);
  return { EndpointArn: arn };
}

export async function getEndpointAttributes(ctx: RequestContext, arn: string) {
  const { endpoint } = await requireEndpoint(ctx, arn);
  return { Attributes: endpoint.attributes };
}

export async function setEndpointAttributes(ctx: RequestContext, input: { EndpointArn: string; Attributes: Record<string, string> }) {
  const { store, endpoint } = await requireEndpoint(ctx, input.EndpointArn);
  for (const [k, v] of Object.entries(input.Attributes ?? {})) {
    if (!["CustomUserData", "Enabled", "Token"].includes(k)) throw invalidParameter("Attributes", `Invalid attribute name: ${k}`);
    if (k === "Enabled" && v !== "true" && v !== "false") throw invalidParameter("Attributes", "Enabled must be true or false");
  }
  await update<EndpointRecord>(store, endpointKey(endpoint.platform, endpoint.app, endpoint.id), (current) => {
    if (!current) throw notFound("Endpoint does not exist");
    return { ...current, attributes: { ...current.attributes, ...input.Attributes } };
  });
}

export async function deleteEndpoint(ctx: RequestContext, arn: string) {
  const ref = parseEndpointArn(arn);
  if (!ref) return;
  await ownerStore(ctx, ref).delete(endpointKey(ref.platform, ref.app, ref.id));
}

export async function listEndpointsByPlatformApplication(ctx: RequestContext, input: { PlatformApplicationArn: string; NextToken?: string }) {
  const { store, app } = await requireApp(ctx, input.PlatformApplicationArn);
  const prefix = ["endpoint", app.platform, app.name];
  const after = input.NextToken ? decodePageToken(input.NextToken) : undefined;
  const selector = after !== undefined ? { prefix, start: [...prefix, after, ""] } : { prefix };
  const endpoints: { EndpointArn: string; Attributes: Record<string, string> }[] = [];
  let lastId: string | undefined;
  let more = false;
  for await (const entry of store.list<EndpointRecord>(selector)) {
    if (endpoints.length === PAGE_SIZE) {
      more = true;
      break;
    }
    endpoints.push({ EndpointArn: entry.value.arn, Attributes: entry.value.attributes });
    lastId = entry.value.id;
  }
  return more && lastId ? { Endpoints: endpoints, NextToken: encodePageToken(lastId) } : { Endpoints: endpoints };
}
