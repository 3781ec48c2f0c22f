/**
 * Which service a request is for, and which region, from everything a real client sends.
 * Order (first match wins):
 *
 * 1. a port pinned to one service (`--sqs-port`),
 * 2. `X-Amz-Target` (`DynamoDB_20120810.PutItem`, `AmazonSQS.SendMessage`, ...),
 * 3. the SigV4 credential scope's signing name (header or presigned query),
 * 4. the Host: `<service>.<region>.<host>`, `<service>.<host>`, and for services with
 *    `virtualHostedResources` `<resource>.<endpoint>.<host>` (`<bucket>.s3.<host>`),
 * 5. form `Action` + `Version` (query protocol, signed or not),
 * 6. the Smithy RPC v2 path (`/service/GraniteServiceVersion20100801/operation/...` with a
 *    `smithy-protocol` header), REST path shapes of REST services (`/2015-03-31/functions/...` is Lambda),
 * 7. otherwise the service that `receivesUnidentified` (S3: SigV2, presigned-v2 and unsigned
 *    `--no-sign-request` calls land here).
 *
 * An unknown signing name or target answers 501 naming the service.
 */
import type { ServiceDefinition } from "../services/types.ts";
import type { Credentials } from "./credentials.ts";

export interface Identified {
  service: ServiceDefinition;
  region?: string;
  /** Virtual-hosted addressing: the resource named in the Host (an S3 bucket), for the path. */
  resource?: string;
}

export interface ServiceIndex {
  byName: Map<string, ServiceDefinition>;
  byTargetPrefix: Map<string, ServiceDefinition>;
  bySigningName: Map<string, ServiceDefinition[]>;
  byEndpointPrefix: Map<string, ServiceDefinition>;
  /** `Version` of the query API → services answering it. */
  byQueryVersion: Map<string, ServiceDefinition[]>;
  /** First literal path segment of REST operations (`2015-03-31`) → service. */
  byRestSegment: Map<string, ServiceDefinition>;
  /** Services with `virtualHostedResources`. */
  virtualHosted: ServiceDefinition[];
  /** The service that `receivesUnidentified`, if any. */
  fallback?: ServiceDefinition;
  /**
   * Static host prefixes of operations (`sync-`, `stream-`): SDKs put them before the endpoint's
   * host, so `sync-localhost` is read as `localhost`.
   */
  hostPrefixes: Set<string>;
}

export function indexServices(services: readonly ServiceDefinition[]): ServiceIndex {
  const index: ServiceIndex = {
    byName: new Map(), byTargetPrefix: new Map(), bySigningName: new Map(),
    byEndpointPrefix: new Map(), byQueryVersion: new Map(), byRestSegment: new Map(), virtualHosted: [],
    hostPrefixes: new Set(),
  };
  for (const service of services) {
    const meta = service.model.metadata;
    index.byName.set(service.name, service);
    if (service.virtualHostedResources) index.virtualHosted.push(service);
    if (service.receivesUnidentified) index.fallback ??= service;
    if (meta.targetPrefix) index.byTargetPrefix.set(meta.targetPrefix, service);
    const signing = meta.signingName ?? meta.endpointPrefix;
    index.bySigningName.set(signing, [...(index.bySigningName.get(signing) ?? []), service]);
    if (!index.byEndpointPrefix.has(meta.endpointPrefix)) index.byEndpointPrefix.set(meta.endpointPrefix, service);
    for (const op of Object.values(service.model.operations)) {
      const prefix = op.endpoint?.hostPrefix;
      if (prefix && !prefix.includes("{")) index.hostPrefixes.add(prefix.toLowerCase());
    }
    const protocols = meta.protocols ?? [meta.protocol];
    if (protocols.includes("query") || service.model.legacyQuery) {
      index.byQueryVersion.set(meta.apiVersion, [...(index.byQueryVersion.get(meta.apiVersion) ?? []), service]);
    }
    if (protocols.includes("rest-json")) {
      for (const op of Object.values(service.model.operations)) {
        const segment = op.http.requestUri.split(/[/?]/)[1];
        if (segment && !segment.startsWith("{")) index.byRestSegment.set(segment, service);
      }
    }
  }
  return index;
}

/** Signing names of AWS services fetchstack knows about but may not serve (for the 501 message). */
const REGION_RE = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$/;

export class UnknownServiceError extends Error {
  constructor(readonly serviceName: string) {
    super(`Service '${serviceName}' is not available in fetchstack.`);
  }
}

export interface IdentifyInput {
  headers: Headers;
  url: URL;
  credentials: Credentials | null;
  /** Pinned service name from the port the request arrived on. */
  pinned?: string;
  /** Form body parameters, only when the body is a form (query protocol). */
  form?: URLSearchParams;
  /** Host names that are the emulator itself (`localhost`, `127.0.0.1`, `localhost.localstack.cloud`). */
  hostnames: readonly string[];
}

function hostParts(rawHost: string, prefixes: Set<string>): string {
  const host = rawHost.replace(/:\d+$/, "").toLowerCase();
  for (const prefix of prefixes) if (host.startsWith(prefix) && host.length > prefix.length) return host.slice(prefix.length);
  return host;
}

/**
 * Splits a Host into what precedes one of our own host names: `sqs.eu-west-1.localhost` →
 * ["sqs", "eu-west-1"]; `localhost` → []. Hosts that are none of ours (an IP, a proxy name) → [].
 */
function labelsBeforeOwnHost(host: string, hostnames: readonly string[]): string[] {
  for (const own of hostnames) {
    if (host === own) return [];
    if (host.endsWith("." + own)) return host.slice(0, -own.length - 1).split(".");
  }
  // Real AWS names: sqs.us-east-1.amazonaws.com, bucket.s3.amazonaws.com
  const aws = /^(.*)\.amazonaws\.com(\.cn)?$/.exec(host);
  return aws ? aws[1].split(".") : [];
}

// Host → labels, per index and host name list: a client sends the same Host on every request.
const labelCaches = new WeakMap<ServiceIndex, WeakMap<readonly string[], Map<string, readonly string[]>>>();

function hostLabels(index: ServiceIndex, hostnames: readonly string[], rawHost: string): readonly string[] {
  let byHostnames = labelCaches.get(index);
  if (!byHostnames) labelCaches.set(index, (byHostnames = new WeakMap()));
  let cache = byHostnames.get(hostnames);
  if (!cache) byHostnames.set(hostnames, (cache = new Map()));
  let labels = cache.get(rawHost);
  if (!labels) {
    labels = Object.freeze(labelsBeforeOwnHost(hostParts(rawHost, index.hostPrefixes), hostnames));
    // Bounded: virtual-hosted S3 puts a bucket name in every Host.
    if (cache.size >= 1000) cache.clear();
    cache.set(rawHost, labels);
  }
  return labels;
}

/** True when a Host label is `service`'s endpoint label: `s3`, or with a suffix (`s3-us-west-2`, `s3-website`). */
function isEndpointLabel(service: ServiceDefinition, label: string): boolean {
  const prefix = service.model.metadata.endpointPrefix;
  return label === prefix || label.startsWith(prefix + "-");
}

function fromHost(index: ServiceIndex, labels: readonly string[]): Identified | undefined {
  if (labels.length === 0) return undefined;
  // <resource>.<endpoint>.<region>? or <resource>.<endpoint>-<region>
  for (const service of index.virtualHosted) {
    const at = labels.findIndex((l, i) => i > 0 && isEndpointLabel(service, l));
    if (at > 0) {
      const region = labels[at + 1] && REGION_RE.test(labels[at + 1]) ? labels[at + 1] : undefined;
      return { service, resource: labels.slice(0, at).join("."), region };
    }
  }
  const first = index.byEndpointPrefix.get(labels[0]) ?? index.byName.get(labels[0]);
  if (first) {
    const region = labels[1] && REGION_RE.test(labels[1]) ? labels[1] : undefined;
    return { service: first, region };
  }
  return undefined;
}

/**
 * The resource a Host names for a virtual-hosted service already identified otherwise:
 * `b.s3.<host>`, `b.s3.<region>.<host>`, `b.<host>`; undefined for services without
 * `virtualHostedResources` and for hosts that are a service's own name.
 */
function hostedResource(service: ServiceDefinition, index: ServiceIndex, labels: readonly string[]): string | undefined {
  if (!service.virtualHostedResources || labels.length === 0) return undefined;
  const at = labels.findIndex((l) => isEndpointLabel(service, l));
  if (at === 0) return undefined;
  if (at > 0) return labels.slice(0, at).join(".");
  if (index.byEndpointPrefix.has(labels[0])) return undefined;
  return labels.join(".");
}

/** Identifies the service (and region hints) of a request; throws UnknownServiceError. */
export function identifyService(index: ServiceIndex, input: IdentifyInput): Identified {
  const { headers, url, credentials, pinned, form } = input;
  const labels = hostLabels(index, input.hostnames, headers.get("host") ?? url.host);

  if (pinned) {
    const service = index.byName.get(pinned);
    if (service) {
      const hinted = fromHost(index, labels);
      return { service, resource: hostedResource(service, index, labels), region: hinted?.region };
    }
  }

  const target = headers.get("x-amz-target");
  if (target) {
    const prefix = target.slice(0, target.lastIndexOf("."));
    const service = index.byTargetPrefix.get(prefix);
    if (service) return { service };
    if (!credentials?.service) throw new UnknownServiceError(prefix || target);
  }

  if (credentials?.service) {
    const candidates = index.bySigningName.get(credentials.service);
    if (candidates?.length) {
      const service = candidates.length === 1 ? candidates[0] : (candidates.find((c) => !c.model.metadata.targetPrefix || !target) ?? candidates[0]);
      return { service, resource: hostedResource(service, index, labels) };
    }
    throw new UnknownServiceError(credentials.service);
  }

  const byHost = fromHost(index, labels);
  if (byHost) return byHost;

  const action = form?.get("Action") ?? url.searchParams.get("Action");
  const version = form?.get("Version") ?? url.searchParams.get("Version");
  if (action && version) {
    const candidates = index.byQueryVersion.get(version) ?? [];
    const service = candidates.find((c) => action in c.model.operations) ?? candidates[0];
    if (service) return { service };
  }

  // Smithy RPC v2: `/service/<service shape>/operation/<Operation>` names the service.
  const rpcv2 = /^\/service\/([^/]+)\/operation\/[^/]+$/.exec(url.pathname);
  const byRpcPath = rpcv2 && headers.has("smithy-protocol") ? index.byTargetPrefix.get(rpcv2[1]!) : undefined;
  if (byRpcPath) return { service: byRpcPath };

  const segment = url.pathname.split("/")[1];
  const rest = segment ? index.byRestSegment.get(segment) : undefined;
  if (rest) return { service: rest };

  if (index.fallback) {
    // Unsigned or SigV2 requests with no other hint (S3's clients).
    return { service: index.fallback, resource: hostedResource(index.fallback, index, labels) };
  }
  throw new UnknownServiceError(target ?? credentials?.service ?? "unknown");
}
