/**
 * Connections, API destinations, global endpoints and partner event sources.
 * Sources: https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateConnection.html,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateApiDestination.html,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEndpoint.html,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreatePartnerEventSource.html
 *
 * A connection's secrets (API key value, password, OAuth client secret) stay in the connection
 * record (AWS keeps them in a Secrets Manager secret; SecretArn names one but none is created)
 * and are never returned. API destinations are real targets (api-destination.ts). Endpoints are
 * state: their URL answers nothing. Partner event sources are created by the partner account in
 * the customer account, which activates them by creating the partner bus.
 */
import type { Handlers, RequestContext } from "../types.ts";
import { AwsError } from "../../protocol/errors.ts";
import { alreadyExists, dateOf, eventTime, eventsArn, listValues, notFound, page, partitionOf, validation, type Scope } from "./common.ts";
import { routeEvent } from "./put-events.ts";
import type {
  ApiDestinationHttpMethod, ApiDestinationState, ConnectionAuthorizationType, ConnectionState, ConnectivityResourceParameters, DescribeConnectionConnectivityParameters, EndpointState, EventSourceState, Operations, ReplicationConfig, RoutingConfig,
} from "../../generated/events.ts";
import type { StoredApiDestination, StoredConnection } from "./connection-records.ts";

export type { StoredApiDestination, StoredConnection };

interface StoredEndpoint {
  Name: string;
  Arn: string;
  Description?: string;
  RoutingConfig: RoutingConfig;
  ReplicationConfig?: ReplicationConfig;
  EventBuses: { EventBusArn: string }[];
  RoleArn?: string;
  EndpointId: string;
  EndpointUrl: string;
  State: EndpointState;
  CreationTime: number;
  LastModifiedTime: number;
}

interface StoredEventSource {
  Name: string;
  Arn: string;
  CreatedBy: string;
  CreationTime: number;
  ExpirationTime: number;
  State: EventSourceState;
}

const AUTH_MEMBER: Record<string, string> = {
  BASIC: "BasicAuthParameters",
  API_KEY: "ApiKeyAuthParameters",
  OAUTH_CLIENT_CREDENTIALS: "OAuthParameters",
};

function randomId(length: number): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return [...bytes].map((b) => alphabet[b % alphabet.length]).join("");
}

/** The auth parameters AWS returns: everything but the secrets. */
function publicAuth(auth: Record<string, any>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (auth.BasicAuthParameters) out.BasicAuthParameters = { Username: auth.BasicAuthParameters.Username };
  if (auth.ApiKeyAuthParameters) out.ApiKeyAuthParameters = { ApiKeyName: auth.ApiKeyAuthParameters.ApiKeyName };
  if (auth.OAuthParameters) {
    const { ClientParameters, ...rest } = auth.OAuthParameters;
    out.OAuthParameters = { ...rest, ClientParameters: { ClientID: ClientParameters?.ClientID } };
  }
  if (auth.InvocationHttpParameters) out.InvocationHttpParameters = auth.InvocationHttpParameters;
  if (auth.ConnectivityParameters) out.ConnectivityParameters = auth.ConnectivityParameters;
  return out;
}

function checkAuth(type: string, auth: Record<string, any>): void {
  const member = AUTH_MEMBER[type];
  if (!member) throw validation(`Parameter AuthorizationType is not valid.`);
  if (!auth[member]) throw validation(`Parameter(s) ${member} must be specified for AuthorizationType ${type}.`);
  for (const [t, m] of Object.entries(AUTH_MEMBER)) {
    if (t !== type && auth[m]) throw validation(`Parameter(s) ${m} must not be specified for AuthorizationType ${type}.`);
  }
}

async function requireConnection(ctx: RequestContext, name: string): Promise<StoredConnection> {
  const c = (await ctx.store.get<StoredConnection>(["connection", name])).value;
  if (!c) throw notFound(`Failed to describe the connection(s). Connection '${name}' does not exist.`);
  return c;
}

async function requireApiDestination(ctx: RequestContext, name: string): Promise<StoredApiDestination> {
  const d = (await ctx.store.get<StoredApiDestination>(["api-destination", name])).value;
  if (!d) throw notFound(`Failed to describe the api-destination(s). An api-destination '${name}' does not exist.`);
  return d;
}

async function requireEndpoint(ctx: RequestContext, name: string): Promise<StoredEndpoint> {
  const e = (await ctx.store.get<StoredEndpoint>(["endpoint", name])).value;
  if (!e) throw notFound(`Endpoint '${name}' does not exist.`);
  return e;
}

function connectionTimes(c: StoredConnection) {
  return { CreationTime: dateOf(c.CreationTime), LastModifiedTime: dateOf(c.LastModifiedTime), LastAuthorizedTime: dateOf(c.LastAuthorizedTime) };
}

function endpointView(e: StoredEndpoint): Record<string, unknown> {
  return { ...e, CreationTime: dateOf(e.CreationTime), LastModifiedTime: dateOf(e.LastModifiedTime) };
}

function checkEndpointBuses(buses: { EventBusArn: string }[], routing: any): void {
  if (buses.length !== 2) throw validation("Parameter EventBuses is not valid. Reason: exactly two event buses must be specified.");
  const regions = buses.map((b) => /^arn:aws[a-z-]*:events:([a-z0-9-]+):/.exec(b.EventBusArn)?.[1]);
  if (regions.some((r) => !r)) throw validation("Parameter EventBuses is not valid. Reason: Provided Arn is not in correct format.");
  if (regions[0] === regions[1]) throw validation("Parameter EventBuses is not valid. Reason: the event buses must be in different Regions.");
  if (!routing?.FailoverConfig?.Primary?.HealthCheck || !routing?.FailoverConfig?.Secondary?.Route) {
    throw validation("Parameter RoutingConfig is not valid.");
  }
}

const sourceArn = (region: string, name: string) => `arn:${partitionOf(region)}:events:${region}::event-source/${name}`;

export const extraHandlers: Handlers<Operations> = {
  // ---- connections ----
  async CreateConnection(input, ctx) {
    checkAuth(input.AuthorizationType, input.AuthParameters);
    const now = ctx.clock.now();
    const uuid = crypto.randomUUID();
    const connection: StoredConnection = {
      Name: input.Name,
      ConnectionArn: eventsArn(ctx, `connection/${input.Name}/${uuid}`),
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      AuthorizationType: input.AuthorizationType,
      AuthParameters: input.AuthParameters,
      ...(input.InvocationConnectivityParameters ? { InvocationConnectivityParameters: input.InvocationConnectivityParameters } : {}),
      ...(input.KmsKeyIdentifier !== undefined ? { KmsKeyIdentifier: input.KmsKeyIdentifier } : {}),
      ConnectionState: "AUTHORIZED",
      SecretArn: `arn:${partitionOf(ctx.region)}:secretsmanager:${ctx.region}:${ctx.accountId}:secret:events!connection/${input.Name}/${uuid}-${randomId(6)}`,
      CreationTime: now,
      LastModifiedTime: now,
      LastAuthorizedTime: now,
    };
    const result = await ctx.store.atomic().check({ key: ["connection", input.Name], versionstamp: null }).set(["connection", input.Name], connection).commit();
    if (!result.ok) throw alreadyExists(`Connection ${input.Name} already exists.`);
    return { ConnectionArn: connection.ConnectionArn, ConnectionState: connection.ConnectionState, CreationTime: dateOf(now), LastModifiedTime: dateOf(now) };
  },

  async DescribeConnection(input, ctx) {
    const c = await requireConnection(ctx, input.Name);
    return {
      ConnectionArn: c.ConnectionArn, Name: c.Name, Description: c.Description, ConnectionState: c.ConnectionState,
      AuthorizationType: c.AuthorizationType, SecretArn: c.SecretArn, KmsKeyIdentifier: c.KmsKeyIdentifier,
      AuthParameters: publicAuth(c.AuthParameters),
      ...(c.InvocationConnectivityParameters ? { InvocationConnectivityParameters: c.InvocationConnectivityParameters as DescribeConnectionConnectivityParameters } : {}),
      ...connectionTimes(c),
    };
  },

  async UpdateConnection(input, ctx) {
    const c = await requireConnection(ctx, input.Name);
    const type = input.AuthorizationType ?? c.AuthorizationType;
    const auth: Record<string, any> = { ...c.AuthParameters };
    for (const [m, v] of Object.entries(input.AuthParameters ?? {}) as [string, unknown][]) auth[m] = v && typeof v === "object" && auth[m] ? { ...auth[m], ...(v as object) } : v;
    if (input.AuthorizationType && input.AuthorizationType !== c.AuthorizationType) {
      const given = (input.AuthParameters ?? {}) as Record<string, unknown>;
      for (const [t, m] of Object.entries(AUTH_MEMBER)) if (t !== type && !given[m]) delete auth[m];
    }
    checkAuth(type, auth);
    const now = ctx.clock.now();
    const next: StoredConnection = {
      ...c, AuthorizationType: type, AuthParameters: auth, LastModifiedTime: now, LastAuthorizedTime: now, ConnectionState: "AUTHORIZED",
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      ...(input.KmsKeyIdentifier !== undefined ? { KmsKeyIdentifier: input.KmsKeyIdentifier } : {}),
      ...(input.InvocationConnectivityParameters ? { InvocationConnectivityParameters: input.InvocationConnectivityParameters } : {}),
    };
    await ctx.store.set(["connection", c.Name], next);
    return { ConnectionArn: next.ConnectionArn, ConnectionState: next.ConnectionState, ...connectionTimes(next) };
  },

  async DeauthorizeConnection(input, ctx) {
    const c = await requireConnection(ctx, input.Name);
    const next: StoredConnection = { ...c, ConnectionState: "DEAUTHORIZED", LastModifiedTime: ctx.clock.now() };
    await ctx.store.set(["connection", c.Name], next);
    return { ConnectionArn: c.ConnectionArn, ConnectionState: "DEAUTHORIZING", ...connectionTimes(next) };
  },

  async DeleteConnection(input, ctx) {
    const c = await requireConnection(ctx, input.Name);
    await ctx.store.delete(["connection", c.Name]);
    return { ConnectionArn: c.ConnectionArn, ConnectionState: "DELETING", ...connectionTimes(c) };
  },

  async ListConnections(input, ctx) {
    const all = (await listValues<StoredConnection>(ctx.store, ["connection"])).filter((c) =>
      (!input.NamePrefix || c.Name.startsWith(input.NamePrefix)) && (!input.ConnectionState || c.ConnectionState === input.ConnectionState));
    const { items, NextToken } = page(all, (c) => c.Name, input.NextToken, input.Limit);
    return {
      Connections: items.map((c) => ({ ConnectionArn: c.ConnectionArn, Name: c.Name, ConnectionState: c.ConnectionState, AuthorizationType: c.AuthorizationType, ...connectionTimes(c) })),
      NextToken,
    };
  },

  // ---- API destinations ----
  async CreateApiDestination(input, ctx) {
    const name = /^arn:aws[a-z-]*:events:[^:]+:\d{12}:connection\/([^/]+)\//.exec(input.ConnectionArn)?.[1];
    const connection = name ? (await ctx.store.get<StoredConnection>(["connection", name])).value : null;
    if (!connection || connection.ConnectionArn !== input.ConnectionArn) throw notFound(`Connection '${name ?? input.ConnectionArn}' does not exist.`);
    const now = ctx.clock.now();
    const dest: StoredApiDestination = {
      Name: input.Name,
      ApiDestinationArn: eventsArn(ctx, `api-destination/${input.Name}/${crypto.randomUUID()}`),
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      ConnectionArn: input.ConnectionArn,
      InvocationEndpoint: input.InvocationEndpoint,
      HttpMethod: input.HttpMethod,
      InvocationRateLimitPerSecond: input.InvocationRateLimitPerSecond ?? 300,
      ApiDestinationState: "ACTIVE",
      CreationTime: now,
      LastModifiedTime: now,
    };
    const result = await ctx.store.atomic().check({ key: ["api-destination", input.Name], versionstamp: null }).set(["api-destination", input.Name], dest).commit();
    if (!result.ok) throw alreadyExists(`An api-destination '${input.Name}' already exists.`);
    return { ApiDestinationArn: dest.ApiDestinationArn, ApiDestinationState: dest.ApiDestinationState, CreationTime: dateOf(now), LastModifiedTime: dateOf(now) };
  },

  async DescribeApiDestination(input, ctx) {
    const d = await requireApiDestination(ctx, input.Name);
    return { ...d, CreationTime: dateOf(d.CreationTime), LastModifiedTime: dateOf(d.LastModifiedTime) };
  },

  async UpdateApiDestination(input, ctx) {
    const d = await requireApiDestination(ctx, input.Name);
    const next: StoredApiDestination = { ...d, LastModifiedTime: ctx.clock.now() };
    for (const m of ["Description", "ConnectionArn", "InvocationEndpoint", "HttpMethod", "InvocationRateLimitPerSecond"] as const) {
      if (input[m] !== undefined) (next as any)[m] = input[m];
    }
    await ctx.store.set(["api-destination", d.Name], next);
    return { ApiDestinationArn: next.ApiDestinationArn, ApiDestinationState: next.ApiDestinationState, CreationTime: dateOf(next.CreationTime), LastModifiedTime: dateOf(next.LastModifiedTime) };
  },

  async DeleteApiDestination(input, ctx) {
    await requireApiDestination(ctx, input.Name);
    await ctx.store.delete(["api-destination", input.Name]);
    return {};
  },

  async ListApiDestinations(input, ctx) {
    const all = (await listValues<StoredApiDestination>(ctx.store, ["api-destination"])).filter((d) =>
      (!input.NamePrefix || d.Name.startsWith(input.NamePrefix)) && (!input.ConnectionArn || d.ConnectionArn === input.ConnectionArn));
    const { items, NextToken } = page(all, (d) => d.Name, input.NextToken, input.Limit);
    return {
      ApiDestinations: items.map(({ Description: _d, ...d }) => ({ ...d, CreationTime: dateOf(d.CreationTime), LastModifiedTime: dateOf(d.LastModifiedTime) })),
      NextToken,
    };
  },

  // ---- global endpoints ----
  async CreateEndpoint(input, ctx) {
    checkEndpointBuses(input.EventBuses, input.RoutingConfig);
    const now = ctx.clock.now();
    const id = `${randomId(5)}.${randomId(3)}`;
    const endpoint: StoredEndpoint = {
      Name: input.Name,
      Arn: eventsArn(ctx, `endpoint/${input.Name}`),
      ...(input.Description !== undefined ? { Description: input.Description } : {}),
      RoutingConfig: input.RoutingConfig,
      ReplicationConfig: input.ReplicationConfig ?? { State: "ENABLED" },
      EventBuses: input.EventBuses,
      ...(input.RoleArn !== undefined ? { RoleArn: input.RoleArn } : {}),
      EndpointId: id,
      EndpointUrl: `https://${id}.endpoint.events.amazonaws.com`,
      State: "ACTIVE",
      CreationTime: now,
      LastModifiedTime: now,
    };
    const result = await ctx.store.atomic().check({ key: ["endpoint", input.Name], versionstamp: null }).set(["endpoint", input.Name], endpoint).commit();
    if (!result.ok) throw alreadyExists(`Endpoint ${input.Name} already exists.`);
    const { Name, Arn, RoutingConfig, ReplicationConfig, EventBuses, RoleArn, State } = endpoint;
    return { Name, Arn, RoutingConfig, ReplicationConfig, EventBuses, RoleArn, State };
  },

  async DescribeEndpoint(input, ctx) {
    return endpointView(await requireEndpoint(ctx, input.Name));
  },

  async UpdateEndpoint(input, ctx) {
    const e = await requireEndpoint(ctx, input.Name);
    const next: StoredEndpoint = { ...e, LastModifiedTime: ctx.clock.now() };
    for (const m of ["Description", "RoutingConfig", "ReplicationConfig", "EventBuses", "RoleArn"] as const) {
      if (input[m] !== undefined) (next as any)[m] = input[m];
    }
    checkEndpointBuses(next.EventBuses, next.RoutingConfig);
    await ctx.store.set(["endpoint", e.Name], next);
    const { Name, Arn, RoutingConfig, ReplicationConfig, EventBuses, RoleArn, EndpointId, EndpointUrl, State } = next;
    return { Name, Arn, RoutingConfig, ReplicationConfig, EventBuses, RoleArn, EndpointId, EndpointUrl, State };
  },

  async DeleteEndpoint(input, ctx) {
    await requireEndpoint(ctx, input.Name);
    await ctx.store.delete(["endpoint", input.Name]);
    return {};
  },

  async ListEndpoints(input, ctx) {
    const all = (await listValues<StoredEndpoint>(ctx.store, ["endpoint"])).filter((e) =>
      (!input.NamePrefix || e.Name.startsWith(input.NamePrefix)) && (!input.HomeRegion || input.HomeRegion === ctx.region));
    const { items, NextToken } = page(all, (e) => e.Name, input.NextToken, input.MaxResults);
    return { Endpoints: items.map(endpointView), NextToken };
  },

  // ---- partner event sources (partner side) ----
  async CreatePartnerEventSource(input, ctx) {
    if (!/^aws\.partner(\/[\.\-_A-Za-z0-9]+){2,}$/.test(input.Name)) {
      throw validation(`Event source name ${input.Name} is not valid. It must be aws.partner/<partner>/<name>.`);
    }
    const key = ["partner-source", input.Name, input.Account];
    if ((await ctx.store.get(key)).value) throw alreadyExists(`Event source ${input.Name} already exists for account ${input.Account}.`);
    const now = ctx.clock.now();
    const source: StoredEventSource = {
      Name: input.Name, Arn: sourceArn(ctx.region, input.Name), CreatedBy: ctx.accountId,
      CreationTime: now, ExpirationTime: now + 14 * 86_400_000, State: "PENDING",
    };
    await ctx.store.set(key, { Account: input.Account, CreationTime: now, ExpirationTime: source.ExpirationTime });
    await ctx.storeFor(input.Account, ctx.region).set(["event-source", input.Name], source);
    return { EventSourceArn: source.Arn };
  },

  async DescribePartnerEventSource(input, ctx) {
    const accounts = await listValues(ctx.store, ["partner-source", input.Name]);
    if (!accounts.length) throw notFound(`Event source ${input.Name} does not exist.`);
    return { Arn: sourceArn(ctx.region, input.Name), Name: input.Name };
  },

  async ListPartnerEventSources(input, ctx) {
    const names = new Set<string>();
    for await (const e of ctx.store.list({ prefix: ["partner-source"] })) names.add(e.key[1] as string);
    const all = [...names].filter((n) => n.startsWith(input.NamePrefix)).sort();
    const { items, NextToken } = page(all, (n) => n, input.NextToken, input.Limit);
    return { PartnerEventSources: items.map((Name) => ({ Arn: sourceArn(ctx.region, Name), Name })), NextToken };
  },

  async ListPartnerEventSourceAccounts(input, ctx) {
    const accounts = await listValues<{ Account: string; CreationTime: number; ExpirationTime: number }>(ctx.store, ["partner-source", input.EventSourceName]);
    if (!accounts.length) throw notFound(`Event source ${input.EventSourceName} does not exist.`);
    const out = [];
    for (const a of accounts) {
      const source = (await ctx.storeFor(a.Account, ctx.region).get<StoredEventSource>(["event-source", input.EventSourceName])).value;
      out.push({ Account: a.Account, CreationTime: dateOf(a.CreationTime), ExpirationTime: dateOf(a.ExpirationTime), State: source?.State ?? "DELETED" });
    }
    const { items, NextToken } = page(out, (a) => a.Account, input.NextToken, input.Limit);
    return { PartnerEventSourceAccounts: items, NextToken };
  },

  async DeletePartnerEventSource(input, ctx) {
    await ctx.store.delete(["partner-source", input.Name, input.Account]);
    const customer = ctx.storeFor(input.Account, ctx.region);
    const source = (await customer.get<StoredEventSource>(["event-source", input.Name])).value;
    if (source) await customer.set(["event-source", input.Name], { ...source, State: "DELETED" });
    return {};
  },

  async PutPartnerEvents(input, ctx) {
    const entries = [];
    for (const entry of input.Entries as Record<string, any>[]) {
      const accounts = entry.Source ? await listValues<{ Account: string }>(ctx.store, ["partner-source", entry.Source]) : [];
      if (!entry.Source || !accounts.length) {
        entries.push({ ErrorCode: "InvalidArgument", ErrorMessage: `Event source ${entry.Source ?? ""} does not exist.` });
        continue;
      }
      let detail: unknown;
      try {
        detail = JSON.parse(entry.Detail ?? "");
      } catch {
        detail = undefined;
      }
      if (!detail || typeof detail !== "object" || Array.isArray(detail) || !entry.DetailType) {
        entries.push({ ErrorCode: "MalformedDetail", ErrorMessage: "Detail is malformed." });
        continue;
      }
      const id = crypto.randomUUID();
      entries.push({ EventId: id });
      for (const { Account } of accounts) {
        const scope: Scope = { store: ctx.storeFor(Account, ctx.region), accountId: Account, region: ctx.region };
        const bus = (await scope.store.get(["bus", entry.Source])).value;
        if (!bus) continue;
        const event = {
          version: "0", id, "detail-type": entry.DetailType, source: entry.Source, account: Account,
          time: eventTime(entry.Time !== undefined ? new Date(entry.Time).getTime() : ctx.clock.now()),
          region: ctx.region, resources: entry.Resources ?? [], detail,
        };
        ctx.waitUntil(routeEvent(ctx, scope, entry.Source, event));
      }
    }
    return { FailedEntryCount: entries.filter((e) => "ErrorCode" in e).length, Entries: entries };
  },

  // ---- event sources (customer side) ----
  async DescribeEventSource(input, ctx) {
    const s = (await ctx.store.get<StoredEventSource>(["event-source", input.Name])).value;
    if (!s) throw notFound(`Event source ${input.Name} does not exist.`);
    return { ...s, CreationTime: dateOf(s.CreationTime), ExpirationTime: dateOf(s.ExpirationTime) };
  },

  async ListEventSources(input, ctx) {
    const all = (await listValues<StoredEventSource>(ctx.store, ["event-source"])).filter((s) => !input.NamePrefix || s.Name.startsWith(input.NamePrefix));
    const { items, NextToken } = page(all, (s) => s.Name, input.NextToken, input.Limit);
    return { EventSources: items.map((s) => ({ ...s, CreationTime: dateOf(s.CreationTime), ExpirationTime: dateOf(s.ExpirationTime) })), NextToken };
  },

  async ActivateEventSource(input, ctx) {
    return setSourceState(ctx, input.Name, "ACTIVE");
  },

  async DeactivateEventSource(input, ctx) {
    return setSourceState(ctx, input.Name, "PENDING");
  },
};

async function setSourceState(ctx: RequestContext, name: string, state: EventSourceState): Promise<Record<string, never>> {
  const s = (await ctx.store.get<StoredEventSource>(["event-source", name])).value;
  if (!s) throw notFound(`Event source ${name} does not exist.`);
  if (s.State === "DELETED") throw new AwsError("InvalidStateException", `Event source ${name} is deleted.`, 400);
  await ctx.store.set(["event-source", name], { ...s, State: state });
  return {};
}
