/**
 * The emulator: gateway, services, store and clock wired into one fetch handler.
 * Nothing here knows which runtime it is in.
 */
import type { Codec, IncomingRequest } from "./protocol/codec.ts";
import type { ProtocolId } from "./protocol/model.ts";
import { codecFor } from "./protocol/index.ts";
import { AwsError } from "./protocol/errors.ts";
import { SERVICES } from "./services/registry.ts";
import { selectServices } from "./services/select.ts";
import type { Clock, EventBus, RequestContext, ServiceDefinition } from "./services/types.ts";
import type { BlobStore, Store } from "./store/types.ts";
import { createMemoryStore } from "./store/memory.ts";
import { createMemoryBlobStore, prefixBlobStore } from "./store/blobs.ts";
import { prefixStore } from "./store/prefixed.ts";
import { scopesOf } from "./store/scopes.ts";
import { clearBlobs, clearStore, restoreStore, snapshotStore, type StateSnapshot } from "./store/snapshot.ts";
import { readCredentials } from "./gateway/credentials.ts";
import { accountFor } from "./gateway/accounts.ts";
import { identifyService, indexServices, UnknownServiceError, type ServiceIndex } from "./gateway/identify.ts";
import { detectProtocol, isFormContentType } from "./gateway/protocol.ts";
import { createIncoming, inflateRequestBody, readRequestBody } from "./gateway/incoming.ts";
import { dispatch, runOperation, type Logger } from "./gateway/dispatch.ts";
import { createInternalApi, INTERNAL_PREFIX } from "./internal/api.ts";
import { createEventBus } from "./events.ts";
import type { BoundLambdaRunner, LambdaRunner } from "./lambda-runner.ts";
import { defaultSignatureError, verifySignature } from "./gateway/sigv4.ts";
import { earlyErrorResponse } from "./gateway/early-errors.ts";
import { createTimerHost } from "./clock.ts";
import { createConsoleApi } from "./console/api.ts";
import { createRequestLog, observeRequest, type RequestRecord } from "./console/request-log.ts";
import { Authorizer } from "./gateway/authorize.ts";
import { AccessRecorder } from "./gateway/access.ts";
import { pathKeepingDotSegments } from "./gateway/raw-path.ts";

/** fetchstack's version (semver text), as `GET /_fetchstack/health` reports it. */
export const VERSION = "0.1.0";

/** Options of `createEmulator`; every member is optional. */
export interface EmulatorOptions {
  /** Default region when a request names none (SigV4 scope, host). Default `us-east-1`. */
  region?: string;
  /** Account for access keys that encode none. Default `000000000000`. */
  accountId?: string;
  /**
   * Services to serve (default: every built-in): built-in names (`"sqs"`) and your own
   * `ServiceDefinition`s from `defineService` (routed like built-ins, by X-Amz-Target, signing
   * name, host or REST path; one named like a built-in replaces it). Others answer 501.
   * `createEmulator` throws `unknown service: <name>` for a name that is neither.
   */
  services?: readonly (string | ServiceDefinition)[];
  /** State store (default: in-memory). */
  store?: Store;
  /** Blob store for large payloads (default: in-memory). */
  blobs?: BlobStore;
  /** Path prefix when mounted inside another app, e.g. `/aws`. */
  basePath?: string;
  /** Clock (ms since epoch); tests inject one to move time. */
  clock?: Clock;
  /** Host names that are this emulator, for `<service>.<host>` and `<bucket>.<host>` routing. */
  hostnames?: readonly string[];
  /**
   * Verify SigV4 signatures (default false). Keys must be in `credentials` or issued by
   * fetchstack's STS; a bad signature gets AWS's `SignatureDoesNotMatch`.
   */
  verifySignatures?: boolean;
  /** Access key id → secret access key, for `verifySignatures` (default `{ test: "test" }` with `enforceIam`). */
  credentials?: Readonly<Record<string, string>>;
  /**
   * Decide every request with IAM policies, as AWS does (default false; docs/policy.md).
   * Implies `verifySignatures`; the `credentials` keys are their account's root user, IAM access
   * keys and STS sessions are who IAM and STS say; denials are AWS's AccessDenied.
   */
  enforceIam?: boolean;
  /** Largest non-streaming request body, in bytes (default 100 MiB). */
  maxBodyBytes?: number;
  /**
   * Runs Lambda functions' code (src/lambda-runner.ts). Under Node: `createNodeLambdaRunner()`
   * from `fetchstack/node` (`npx fetchstack` passes one). Without it, Invoke answers an error.
   */
  lambdaRunner?: LambdaRunner;
  logger?: Logger;
  /**
   * Serve the web console at `/_fetchstack/ui` and its endpoints (`/_fetchstack/call/...`,
   * `/_fetchstack/requests...`; docs/console.md). Default true; never on a pinned port.
   */
  ui?: boolean;
  /** Requests the request log keeps (a ring buffer, default 200); 0 or false turns it off. */
  requestLog?: number | false;
  /**
   * Hears every answered AWS API request (service, operation, status, latency in ms, account,
   * region; the request log's record), e.g. to print a line per request (`--log requests`).
   * With `bodies: true` records also carry the first 64 KiB of both bodies (`--log debug`).
   * Works with `requestLog: 0` too (then the log keeps only the latest record).
   */
  onRequest?: { listener: (record: RequestRecord) => void; bodies?: boolean };
}

/** Per-request options of `Emulator.fetch`. */
export interface FetchOptions {
  /** Serve this request as this service (a port pinned to one service). */
  service?: string;
  /** Keeps background work alive after the response (Workers' `ctx.waitUntil`). */
  waitUntil?: (promise: Promise<unknown>) => void;
  /**
   * The request target as the client sent it (`/bucket/a/../b?x`), from adapters that see it:
   * the Fetch API's URL parser drops `.` and `..` segments, which S3 keeps in keys.
   */
  rawPath?: string;
}

/**
 * One emulator: a Fetch-API handler serving every selected service, with its own state (in the
 * store it was given) and clock.
 */
export interface Emulator {
  /**
   * Answers one AWS API request (any protocol the service's model speaks, SigV4 or unsigned)
   * or an internal-API request under `/_fetchstack`. Never rejects for a bad request: errors are
   * responses in the caller's protocol (4xx/5xx, 501 for an operation or service not served).
   */
  fetch(request: Request, options?: FetchOptions): Promise<Response>;
  /** Clears all state (every service's entries and blobs), or one service's by name. */
  reset(service?: string): Promise<void>;
  /**
   * All state, every service's and every blob, as a versioned JSON-compatible snapshot
   * (docs/state-format.md): `JSON.stringify` it to save, `restore` it later or elsewhere.
   */
  snapshot(): Promise<StateSnapshot>;
  /**
   * Replaces all state with a snapshot (`merge`: adds and overwrites without deleting). Throws
   * TypeError for a value that is not a `fetchstack-state` snapshot of a supported version (a
   * parsed JSON file may be passed as is: it is checked).
   */
  restore(state: StateSnapshot, mode?: "replace" | "merge"): Promise<void>;
  /**
   * Resolves when every piece of background work started so far (notifications, deliveries,
   * invocations, timers that have fired) has finished; work waiting only on a timer that is not
   * yet due counts as settled (move a manual clock to run it). Never rejects.
   */
  settled(): Promise<void>;
  /** Names of the services served, built-in and your own, in registry order. */
  readonly services: readonly string[];
  /** The resolved defaults: region, account id (12 digits) and base path (`""` when none). */
  readonly options: Readonly<Required<Pick<EmulatorOptions, "region" | "accountId" | "basePath">>>;
}

/** Who calls and from where: what a RequestContext is built from. */
interface CallBase {
  accountId: string;
  region: string;
  requestId: string;
  baseUrl: string;
  accessKeyId: string | null;
  waitUntil?: (promise: Promise<unknown>) => void;
  /** The HTTP request; absent for `ctx.invoke` and `setup` calls. */
  request?: Request;
  /** The request's wire protocol; default the model's. */
  protocol?: ProtocolId;
  /** The service calling through `ctx.invoke` (becomes `ctx.caller.service`). */
  viaService?: string;
}

const DEFAULT_HOSTNAMES = ["localhost", "localhost.localstack.cloud", "127.0.0.1"];

const consoleLogger: Logger = {
  error(message, error) {
    console.error(`[fetchstack] ${message}`, error);
  },
};

/**
 * Creates an emulator (see EmulatorOptions for defaults): in-memory state unless `store`/`blobs`
 * are given, the real clock unless `clock` is. Services' `setup` runs here, once. Throws Error
 * `unknown service: <name>` for a service name that is neither built in nor given as a
 * definition, and TypeError for a malformed ServiceDefinition or one name given twice.
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const region = options.region ?? "us-east-1";
  const defaultRegion = region;
  const defaultAccount = options.accountId ?? "000000000000";
  const basePath = (options.basePath ?? "").replace(/\/+$/, "");
  const store = options.store ?? createMemoryStore();
  const blobs = options.blobs ?? createMemoryBlobStore();
  const clock = options.clock ?? { now: () => Date.now() };
  const logger = options.logger ?? consoleLogger;
  const maxBodyBytes = options.maxBodyBytes ?? 100 * 1024 * 1024;
  const hostnames = options.hostnames ?? DEFAULT_HOSTNAMES;
  const enforceIam = options.enforceIam === true;
  const verifySignatures = options.verifySignatures === true || enforceIam;
  const staticCredentials = options.credentials ?? (enforceIam ? { test: "test" } : undefined);

  const { known, served } = selectServices(SERVICES, options.services);
  const index: ServiceIndex = indexServices(known);
  const servedNames = new Set(served.map((s) => s.name));

  const runner = options.lambdaRunner;
  const lambdaRunner: BoundLambdaRunner | undefined = runner && {
    unsupported: (runtime) => runner.unsupported(runtime),
    invoke: (request) => runner.invoke(request, { fetch: (r) => fetch(r), basePath }),
  };

  const timers = createTimerHost(clock, (e) => logger.error("background work failed", e));
  const track = (promise: Promise<unknown>) => timers.track(promise);
  const events: EventBus = createEventBus((e) => logger.error("event listener failed", e), track);
  // Services' in-memory runtime state (RequestContext.runtime), by service and name.
  const runtimeState = new Map<string, unknown>();
  const runtimeFor = (service: string) => <T>(name: string, init: () => T): T => {
    const key = `${service}\u0000${name}`;
    if (!runtimeState.has(key)) runtimeState.set(key, init());
    return runtimeState.get(key) as T;
  };

  /**
   * The one context of a call: an HTTP request (`request` and its `protocol` set), a
   * `ctx.invoke` or a `setup` call (neither: no Request is made up for them).
   */
  // Store and blob views are pure wrappers: one per namespace and place, made once, not per call.
  const storeViews = new Map<string, Store>();
  const storeView = (prefix: [string, string] | [string, string, string]): Store => {
    const key = prefix.join("\u0000");
    let view = storeViews.get(key);
    if (!view) {
      if (storeViews.size >= 10_000) storeViews.clear();
      view = prefixStore(store, prefix);
      storeViews.set(key, view);
    }
    return view;
  };
  const blobViews = new Map<string, BlobStore>();
  const blobView = (prefix: string): BlobStore => {
    let view = blobViews.get(prefix);
    if (!view) {
      if (blobViews.size >= 10_000) blobViews.clear();
      view = prefixBlobStore(blobs, prefix);
      blobViews.set(prefix, view);
    }
    return view;
  };

  /** What a context needs that depends on its service alone, or on service, account and region: made once, not per call. */
  interface ServiceParts {
    namespace: string;
    runtime: RequestContext["runtime"];
    storeFor: RequestContext["storeFor"];
    globalStore: Store;
    globalBlobs: BlobStore;
    /** Account → region → views. */
    places: Map<string, Map<string, { store: Store; blobs: BlobStore }>>;
  }
  const serviceParts = new Map<ServiceDefinition, ServiceParts>();
  const partsOf = (service: ServiceDefinition): ServiceParts => {
    let parts = serviceParts.get(service);
    if (!parts) {
      const namespace = service.storeNamespace ?? service.name;
      parts = {
        namespace,
        runtime: runtimeFor(service.name),
        storeFor: (accountId, inRegion) => storeView([namespace, accountId, inRegion]),
        globalStore: storeView([namespace, "global"]),
        globalBlobs: blobView(`${service.name}/global/`),
        places: new Map(),
      };
      serviceParts.set(service, parts);
    }
    return parts;
  };
  const placeOf = (service: ServiceDefinition, parts: ServiceParts, accountId: string, inRegion: string): { store: Store; blobs: BlobStore } => {
    let regions = parts.places.get(accountId);
    if (!regions) {
      if (parts.places.size >= 1000) parts.places.clear();
      parts.places.set(accountId, (regions = new Map()));
    }
    let place = regions.get(inRegion);
    if (!place) {
      if (regions.size >= 1000) regions.clear();
      place = { store: storeView([parts.namespace, accountId, inRegion]), blobs: blobView(`${service.name}/${accountId}/${inRegion}/`) };
      regions.set(inRegion, place);
    }
    return place;
  };
  const trackOnly = (promise: Promise<unknown>): void => {
    track(promise);
  };

  /**
   * A call's context. A class, not an object literal: the literal's `signal` getter made V8 build
   * every context on its slow path. Every member but `signal` is an own property, so copies made
   * with a spread (`{ ...ctx, region }`) keep them; such a copy has no `signal`.
   */
  class CallContext implements RequestContext {
    service: string;
    operation = "";
    protocol: ProtocolId;
    accountId: string;
    region: string;
    requestId: string;
    caller: RequestContext["caller"];
    store: Store;
    globalStore: Store;
    storeFor: RequestContext["storeFor"];
    blobs: BlobStore;
    globalBlobs: BlobStore;
    clock = clock;
    timers = timers;
    events = events;
    waitUntil: RequestContext["waitUntil"];
    baseUrl: string;
    request: Request | undefined;
    lambdaRunner = lambdaRunner;
    runtime: RequestContext["runtime"];
    invoke: RequestContext["invoke"];
    declare authorize?: RequestContext["authorize"];

    constructor(service: ServiceDefinition, base: CallBase) {
      const parts = partsOf(service);
      const place = placeOf(service, parts, base.accountId, base.region);
      const outerWaitUntil = base.waitUntil;
      this.service = service.name;
      this.protocol = base.protocol ?? service.model.metadata.protocol;
      this.accountId = base.accountId;
      this.region = base.region;
      this.requestId = base.requestId;
      this.caller = base.viaService
        ? { accessKeyId: base.accessKeyId, accountId: base.accountId, service: base.viaService }
        : { accessKeyId: base.accessKeyId, accountId: base.accountId };
      this.store = place.store;
      this.globalStore = parts.globalStore;
      this.storeFor = parts.storeFor;
      this.blobs = place.blobs;
      this.globalBlobs = parts.globalBlobs;
      this.waitUntil = outerWaitUntil
        ? (promise) => {
          track(promise);
          outerWaitUntil(promise);
        }
        : trackOnly;
      this.baseUrl = base.baseUrl;
      this.request = base.request;
      this.runtime = parts.runtime;
      // The called service gets the caller's account, region and origin, not its request
      // (whose headers, such as Content-Length, describe another operation's body).
      this.invoke = (serviceName, operationName, input, target) =>
        invoke(serviceName, operationName, input, {
          accountId: target?.accountId ?? base.accountId, region: base.region, requestId: crypto.randomUUID(), baseUrl: base.baseUrl,
          accessKeyId: base.accessKeyId, waitUntil: outerWaitUntil, viaService: service.name,
        });
    }

    // A getter: Node adapters' light Requests build a full Request on first `signal` access.
    get signal(): AbortSignal | undefined {
      return this.request?.signal;
    }
  }

  const contextFor = (service: ServiceDefinition, base: CallBase): RequestContext => new CallContext(service, base);

  async function invoke(serviceName: string, operationName: string, input: Record<string, unknown>, base: CallBase): Promise<Record<string, unknown>> {
    const service = served.find((s) => s.name === serviceName);
    if (!service) throw new AwsError("NotImplemented", `Service '${serviceName}' is not enabled in fetchstack.`, 501);
    const operation = service.model.operations[operationName];
    if (!operation) throw new AwsError("InvalidAction", `Unknown operation ${serviceName}.${operationName}`, 400);
    const ctx = contextFor(service, base);
    ctx.operation = operationName;
    const output = await runOperation(service, operation, input, ctx);
    authorizer?.noteOperation(service, operationName);
    return (output ?? {}) as Record<string, unknown>;
  }

  const authorizer = enforceIam
    ? new Authorizer({
      services: served,
      store,
      clock,
      rootKeys: new Set(Object.keys(staticCredentials ?? {})),
      accountFor: (key) => accountFor(key, defaultAccount),
    })
    : undefined;

  const accessRecorder = new AccessRecorder({
    services: served,
    store,
    clock,
    rootKeys: new Set(Object.keys(staticCredentials ?? {})),
    onError: (error) => logger.error("recording credential use failed", error),
  });

  for (const service of served) {
    service.setup?.({
      events, clock, timers, lambdaRunner, runtime: runtimeFor(service.name), invoke: (s, o, i) => invoke(s, o, i, systemBase()),
      scopes: () => scopesOf(store, service.storeNamespace ?? service.name),
      contextFor: (accountId, inRegion) => contextFor(service, { ...systemBase(), accountId, region: inRegion }),
      waitUntil: track,
    });
  }
  function systemBase(): CallBase {
    return { accountId: defaultAccount, region, requestId: crypto.randomUUID(), baseUrl: "http://localhost:4566", accessKeyId: null };
  }

  const internal = createInternalApi(
    {
      health: () => ({
        status: "running",
        version: VERSION,
        region,
        accountId: defaultAccount,
        store: (store as { kind?: string }).kind ?? (options.store ? "custom" : "memory"),
        views: served.flatMap((s) => Object.keys(s.introspection ?? {}).map((v) => `${INTERNAL_PREFIX}/services/${s.name}/${v}`)),
        services: Object.fromEntries(
          known.map((s) => [s.name, servedNames.has(s.name) ? (Object.keys(s.handlers).length ? "running" : "not implemented") : "disabled"]),
        ),
      }),
      reset: (service) => reset(service),
      snapshot: () => snapshot(),
      // The body is checked by restoreStore (TypeError for what is not a snapshot).
      restore: (state, mode) => restore(state as StateSnapshot, mode),
      hasService: (name) => servedNames.has(name),
      introspect: (serviceName, view, params) => {
        if (serviceName === "iam" && view === "decisions") return Promise.resolve({ enforcing: enforceIam, decisions: authorizer?.decisions() ?? [] });
        const service = served.find((s) => s.name === serviceName);
        const fn = service?.introspection?.[view];
        if (!fn) return undefined;
        const account = params.get("account") ?? defaultAccount;
        const viewRegion = params.get("region") ?? region;
        return fn(prefixStore(store, [serviceName, account, viewRegion]), params);
      },
    },
    basePath,
  );

  const requestLogSize = options.requestLog === false ? 0 : options.requestLog ?? 200;
  // The one observer of answered requests: the console's live log and `onRequest` listen to it.
  const requestLog = requestLogSize > 0 || options.onRequest ? createRequestLog(Math.max(1, requestLogSize)) : undefined;
  if (options.onRequest) requestLog!.subscribe(options.onRequest.listener, { bodies: options.onRequest.bodies === true });
  const consoleApi = options.ui === false ? undefined : createConsoleApi({
    services: served,
    defaults: { accountId: defaultAccount, region },
    basePath,
    invoke: (s, o, i, at) => invoke(s, o, i, { ...systemBase(), ...at }),
    log: requestLog,
  });

  async function secretFor(accessKeyId: string): Promise<string | null> {
    const configured = staticCredentials?.[accessKeyId];
    if (configured !== undefined) return configured;
    for (const service of served) {
      if (!service.resolveSecret) continue;
      const secret = await service.resolveSecret(accessKeyId, prefixStore(store, [service.name, "global"]));
      if (secret !== null) return secret;
    }
    return null;
  }

  async function reset(service?: string): Promise<void> {
    authorizer?.clear();
    accessRecorder.clear();
    const names = service ? [service] : known.map((s) => s.name);
    for (const name of names) {
      await clearStore(store, [name]);
      await clearBlobs(blobs, `${name}/`);
    }
  }

  async function snapshot(): Promise<StateSnapshot> {
    return snapshotStore(store, [], { blobs });
  }

  async function restore(state: StateSnapshot, mode: "replace" | "merge" = "replace"): Promise<void> {
    authorizer?.clear();
    accessRecorder.clear();
    await restoreStore(store, state, { mode, blobs }, []);
  }

  /**
   * One request. Not an async function: the common path (no form body, no signature checks, no
   * IAM) runs synchronously up to the service's dispatch and returns its promise as is, with no
   * extra await hops per request; the steps that must wait continue in async helpers.
   */
  function fetch(request: Request, fetchOptions: FetchOptions = {}): Promise<Response> {
    try {
      const answer = route(request, fetchOptions);
      return answer instanceof Promise ? answer : Promise.resolve(answer);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** What routing knows about a request before its service is identified. */
  interface Routing {
    request: Request;
    fetchOptions: FetchOptions;
    requestId: string;
    /** The request's URL as sent (origin and signature checks use it). */
    requestUrl: URL;
    /** The URL as routed: basePath removed. */
    url: URL;
    /** The path as sent with dot segments (raw-path.ts), when the adapter gave it. */
    sentPath: string | undefined;
    path: string | undefined;
    credentials: ReturnType<typeof readCredentials>;
    isForm: boolean;
  }

  function route(request: Request, fetchOptions: FetchOptions): Response | Promise<Response> {
    const requestId = crypto.randomUUID();
    // Parsed once; rewrites below (basePath, virtual-hosted bucket) work on copies.
    const requestUrl = new URL(request.url);
    let url = requestUrl;
    // Dot segments the URL parser removed (S3 keys keep them): the path as sent, if it had any.
    const sentPath = fetchOptions.rawPath === undefined ? undefined : pathKeepingDotSegments(fetchOptions.rawPath);
    let path = sentPath;
    if (basePath) {
      if (url.pathname !== basePath && !url.pathname.startsWith(basePath + "/")) {
        return new Response(JSON.stringify({ error: "not found" }), { status: 404, headers: { "content-type": "application/json" } });
      }
      url = new URL(url);
      url.pathname = url.pathname.slice(basePath.length) || "/";
      if (path !== undefined) path = path.startsWith(basePath + "/") ? path.slice(basePath.length) : undefined;
    }
    if (url.pathname === INTERNAL_PREFIX || url.pathname.startsWith(INTERNAL_PREFIX + "/")) return internalAnswer(request, url, fetchOptions);

    const credentials = readCredentials(request.headers, url);
    const isForm = isFormContentType(request.headers) && request.method !== "GET" && request.method !== "HEAD";
    const routing: Routing = { request, fetchOptions, requestId, requestUrl, url, sentPath, path, credentials, isForm };
    // A form body is small and needed for routing (Action + Version), so it is read here once.
    if (isForm && !request.headers.has("x-amz-target")) return readForm(routing);
    return identified(routing, undefined, undefined);
  }

  async function internalAnswer(request: Request, url: URL, fetchOptions: FetchOptions): Promise<Response> {
    try {
      const consoleAnswer = fetchOptions.service ? undefined : consoleApi?.handle(request, url.pathname.slice(INTERNAL_PREFIX.length), url);
      if (consoleAnswer) return await consoleAnswer;
      return await internal.fetch(request);
    } catch (error) {
      logger.error("internal API failed", error);
      return new Response(JSON.stringify({ error: "internal failure" }), { status: 500, headers: { "content-type": "application/json" } });
    }
  }

  async function readForm(routing: Routing): Promise<Response> {
    const { request } = routing;
    let preread: Uint8Array;
    let form: URLSearchParams;
    try {
      // Form bodies are the query protocol's, never data: a gzip one (CloudWatch PutMetricData
      // with requestcompression) is inflated before routing reads its Action.
      preread = inflateRequestBody(await readRequestBody(request, maxBodyBytes), request.headers);
      form = new URLSearchParams(new TextDecoder().decode(preread));
    } catch (error) {
      const failure = error instanceof AwsError ? error : new AwsError("InvalidRequest", "Could not read the request body.", 400);
      return earlyErrorResponse({ request, url: routing.url, requestId: routing.requestId, isForm: routing.isForm, error: failure });
    }
    return identified(routing, preread, form);
  }

  function identified(routing: Routing, preread: Uint8Array | undefined, form: URLSearchParams | undefined): Response | Promise<Response> {
    const { request, requestId, isForm, credentials } = routing;
    let { url, path } = routing;
    let identified;
    try {
      identified = identifyService(index, { headers: request.headers, url, credentials, pinned: routing.fetchOptions.service, form, hostnames });
    } catch (error) {
      if (error instanceof UnknownServiceError) {
        return earlyErrorResponse({ request, url, requestId, isForm, error: unknownService(error.serviceName, known) });
      }
      throw error;
    }
    const service = identified.service;
    if (!servedNames.has(service.name)) {
      return earlyErrorResponse({ request, url, requestId, isForm, service, error: unknownService(service.name, known, true) });
    }

    if (identified.resource) {
      url = new URL(url);
      url.pathname = `/${identified.resource}${url.pathname === "/" ? "/" : url.pathname}`;
      if (path !== undefined) path = `/${identified.resource}${path}`;
    }
    const protocol = detectProtocol(service.model, request.headers, url, isForm);
    let codec: Codec;
    try {
      codec = codecFor(protocol);
    } catch (error) {
      const failure = error instanceof AwsError ? error : new AwsError("NotImplemented", `Protocol ${protocol} is not supported yet.`, 501);
      return earlyErrorResponse({ request, url, requestId, isForm, service, error: failure });
    }
    const incoming = createIncoming({ request, url, model: service.model, protocol, requestId, maxBodyBytes, preread, wire: service.wire, path });
    const acceptsUnsigned = service.acceptsUnsigned?.(incoming) === true;
    const region = credentials?.region ?? identified.region ?? defaultRegion;
    if ((verifySignatures || authorizer) && !acceptsUnsigned) return checked(routing, service, codec, incoming, region);
    return serve(routing, service, codec, incoming, region, accountOf(credentials?.accessKeyId), undefined);
  }

  // Access key id → account (accounts.ts decodes base32 and tests regular expressions): a client sends one key on every request.
  const accounts = new Map<string, string>();
  function accountOf(accessKeyId: string | undefined): string {
    if (!accessKeyId) return defaultAccount;
    let account = accounts.get(accessKeyId);
    if (account === undefined) {
      if (accounts.size >= 1000) accounts.clear();
      account = accountFor(accessKeyId, defaultAccount);
      accounts.set(accessKeyId, account);
    }
    return account;
  }

  /** Signature verification and IAM's principal, before `serve`. */
  async function checked(routing: Routing, service: ServiceDefinition, codec: Codec, incoming: IncomingRequest, region: string): Promise<Response> {
    const { request, requestUrl, credentials, requestId } = routing;
    const protocol = incoming.protocol;
    if (verifySignatures) {
      const failure = await verifySignature({
        method: request.method,
        url: requestUrl,
        headers: request.headers,
        pathEncoding: service.signedPathEncoding ?? "encode-again",
        path: routing.sentPath,
        now: clock.now(),
        secretFor: (key) => secretFor(key),
        body: () => incoming.bytes(),
      }).catch((error) => (error instanceof AwsError ? error : new AwsError("InvalidRequest", "Could not read the request body.", 400)));
      // Enforcing IAM: an unsigned request to a service that takes anonymous callers (S3) is one.
      const anonymous = failure && !(failure instanceof AwsError) && failure.kind === "unsigned" && enforceIam && service.authorization?.anonymous;
      if (failure && !anonymous) {
        const error = failure instanceof AwsError ? failure
          : service.signatureError?.(failure) ?? defaultSignatureError(failure, protocol === "json" || protocol === "rest-json");
        return codec.serializeError(incoming, undefined, error);
      }
    }
    let accountId = accountFor(credentials?.accessKeyId, defaultAccount);
    let authorize: ((operation: string, input: Record<string, unknown>) => Promise<void>) | undefined;
    if (authorizer) {
      const principal = credentials ? await authorizer.principalFor(credentials.accessKeyId) : null;
      if (credentials && !principal) {
        return codec.serializeError(incoming, undefined, defaultSignatureError({ kind: "unknown-key", accessKeyId: credentials.accessKeyId }, protocol === "json" || protocol === "rest-json"));
      }
      if (principal) accountId = principal.account;
      const account = accountId;
      authorize = (operation, input) => authorizer.authorize({
        service, operation, input, accessKeyId: credentials?.accessKeyId ?? null, account,
        region, protocol, requestId,
        sourceIp: request.headers.get("x-forwarded-for")?.split(",")[0].trim() || "127.0.0.1",
        secureTransport: requestUrl.protocol === "https:",
      }, principal);
    }
    return serve(routing, service, codec, incoming, region, accountId, authorize);
  }

  /** Runs the request through its service (and the request log), returning dispatch's promise. */
  function serve(
    routing: Routing, service: ServiceDefinition, codec: Codec, incoming: IncomingRequest, region: string, accountId: string,
    authorize: ((operation: string, input: Record<string, unknown>) => Promise<void>) | undefined,
  ): Promise<Response> {
    const { credentials } = routing;
    const ctx = contextFor(service, {
      accountId,
      region,
      requestId: routing.requestId,
      baseUrl: routing.requestUrl.origin + basePath,
      request: routing.request,
      protocol: incoming.protocol,
      accessKeyId: credentials?.accessKeyId ?? null,
      waitUntil: routing.fetchOptions.waitUntil,
    });
    const run = (): Promise<Response> => {
      const response = dispatch(service, codec, incoming, ctx, logger, authorize);
      if (!authorizer && !(credentials && accessRecorder.active)) return response;
      return response.then((answer) => {
        if (authorizer && ctx.operation) authorizer.noteOperation(service, ctx.operation);
        const recording = credentials && accessRecorder.active ? accessRecorder.record(service, ctx.operation, credentials.accessKeyId, ctx.region) : undefined;
        return recording ? recording.then(() => answer) : answer;
      });
    };
    if (!requestLog) return run();
    return observeRequest(requestLog, incoming, ctx, clock, run);
  }

  return {
    fetch,
    reset,
    snapshot,
    restore,
    settled: () => timers.settled(),
    services: served.map((s) => s.name),
    options: { region, accountId: defaultAccount, basePath },
  };
}

/** 501 NotImplemented for a service fetchstack does not have, or was told not to serve. */
function unknownService(name: string, known: readonly ServiceDefinition[], disabled = false): AwsError {
  const message = disabled
    ? `Service '${name}' is not enabled in this fetchstack (see --services).`
    : `Service '${name}' is not available in fetchstack. Supported services: ${known.map((s) => s.name).join(", ")}.`;
  return new AwsError("NotImplemented", message, 501, { fault: "Receiver" });
}
