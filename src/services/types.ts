/**
 * The service contract: a service is a model plus handlers by AWS operation name.
 *
 *   export default defineService({ name: "sqs", model, handlers: { CreateQueue: async (input, ctx) => ... } });
 *
 * `input` and the returned output are plain objects shaped like the model's input and output
 * shapes. Errors are thrown as `AwsError`. An operation without a handler answers 501.
 */
import type { Principal, PrincipalPolicies } from "../policy/types.ts";
import type { AuthorizationMap } from "../policy/authorization.ts";
import type { ProtocolId, ServiceModel } from "../protocol/model.ts";
import type { IncomingRequest, WireOptions } from "../protocol/codec.ts";
import type { SignatureFailure, SignedPathEncoding } from "../gateway/sigv4.ts";
import type { AwsError } from "../protocol/errors.ts";
import type { ValidationFailure } from "../protocol/validate.ts";
import type { BlobStore, Store } from "../store/types.ts";
import type { HandlerOutput } from "../protocol/value-types.ts";

import type { Clock, Timers } from "../clock.ts";
import type { BoundLambdaRunner } from "../lambda-runner.ts";
export type { Clock, Timers } from "../clock.ts";

/** In-process events between services (SNS -> SQS, S3 -> notifications, Firehose -> S3). */
export interface EventBus {
  emit(type: string, detail: unknown): void;
  on(type: string, listener: (detail: unknown) => void | Promise<void>): () => void;
}

/** Who signed the request, as resolved by the gateway (and STS for temporary credentials). `accessKeyId` is null for unsigned requests. */
export interface Caller {
  accessKeyId: string | null;
  accountId: string;
  /**
   * The service whose handler made this call through `ctx.invoke` (its name, e.g. `"s3"`);
   * absent for clients' requests. Lets a service accept what only AWS services may send (an
   * `aws.<service>` event source).
   */
  service?: string;
}

/**
 * What a handler gets beside its input: the request's account and region, the service's state
 * (`store`, `blobs`, namespaced to service, account and region), the clock and timers, events,
 * and `invoke` for calling other services. Built by the emulator, one per request.
 */
export interface RequestContext {
  /** Service name (folder name / signing name), e.g. `sqs`. */
  service: string;
  operation: string;
  accountId: string;
  region: string;
  requestId: string;
  caller: Caller;
  /** The service's state, namespaced to [service, accountId, region]. */
  store: Store;
  /** State of this service shared by every account and region (global resources: S3 bucket names). */
  globalStore: Store;
  /**
   * The service's state of another account and region, namespaced to [service, accountId,
   * region] like `store` (`storeFor(ctx.accountId, ctx.region)` is `store`'s namespace): for a
   * resource the request names by URL or ARN in another account (an SQS QueueUrl). On Workers
   * each such namespace is its own Durable Object.
   */
  storeFor(accountId: string, region: string): Store;
  /** Blobs of this service, keys namespaced like `store`'s. */
  blobs: BlobStore;
  /**
   * Blobs of this service shared by every account and region, beside `globalStore` (S3 object
   * bodies: buckets are global, so a body must be readable whatever region the caller signs for).
   * Optional for contexts built outside the emulator; the emulator always sets it.
   */
  globalBlobs?: BlobStore;
  clock: Clock;
  /** Sleeps and timers on emulator time (the injectable clock's; see src/clock.ts). */
  timers: Timers;
  events: EventBus;
  /**
   * Tracks background work that outlives the response (deliveries): `emulator.settled()` waits
   * for it, and under Workers it is kept alive with the runtime's `waitUntil`.
   */
  waitUntil(promise: Promise<unknown>): void;
  /** Origin plus basePath the client used, e.g. `http://127.0.0.1:4566` (for QueueUrl etc). */
  baseUrl: string;
  /**
   * The wire protocol the call arrived in (`json`, `query`, `rest-xml`, ...): the request's for an
   * HTTP call, the model's default protocol for `ctx.invoke` and `setup` calls. For errors whose
   * wording differs per protocol (SQS's QueueDoesNotExist message on awsQuery).
   */
  protocol: ProtocolId;
  /** Aborted when the HTTP client goes away (long polls stop waiting); absent for `ctx.invoke`. */
  signal?: AbortSignal;
  /**
   * Under `enforceIam`, decides `operation` with `input` as the gateway does for every parsed
   * request (resolves when allowed, throws the service's AccessDenied): for a `preRoute` hook
   * that parses and serves an operation itself (Kinesis SubscribeToShard). Undefined when IAM
   * is not enforced or the request is not the caller's (ctx.invoke).
   */
  authorize?(operation: string, input: Record<string, unknown>): Promise<void>;
  /**
   * The HTTP request as the gateway saw it; undefined for `ctx.invoke` and `setup` calls. Not for
   * what the model binds: headers, query and body members arrive parsed in `input` (read them
   * there, so invoked calls behave the same). Only for request facts no model member carries
   * (S3's `x-amz-decoded-content-length`, `x-amz-trailer`).
   */
  request?: Request;
  /**
   * Calls another service's operation through the gateway's dispatch (no direct imports):
   * `input` is validated against that service's model and its handler's output object is
   * returned. Throws AwsError as that service would, NotImplemented (501) when the service is not
   * served, InvalidAction for an operation its model lacks. `target.accountId` calls into another
   * account (STS reading a role of the account it is assumed in); default the caller's.
   */
  invoke(service: string, operation: string, input: Record<string, unknown>, target?: { accountId?: string }): Promise<Record<string, unknown>>;
  /** Runs Lambda functions' code; absent where the runtime offers no runner (src/lambda-runner.ts). */
  lambdaRunner?: BoundLambdaRunner;
  /**
   * This service's in-memory state in this emulator, under `name`: created by `init` on first use,
   * the same object afterwards, for every account and region (key entries by them). Not persisted
   * or snapshotted: for what a restart rebuilds, such as which timers are armed (CloudWatch alarms,
   * Kinesis-sourced Firehose streams, schedules). State that must survive goes in `store`.
   */
  runtime<T>(name: string, init: () => T): T;
}

/**
 * An operation's handler as the dispatcher calls it: `input` is the parsed, validated input
 * (members by model member name), the result the output object (or a promise of it). `any` is
 * the untyped boundary: `defineService<Operations>()` gives each handler its operation's types.
 */
export type Handler = (input: any, ctx: RequestContext) => unknown | Promise<unknown>;

/** A generated `Operations` interface's form: each operation's input and output type. */
export type OperationTypes<Ops> = { [K in keyof Ops]: { input: unknown; output: unknown } };

/**
 * The handler of one operation, typed from its generated `{ input; output }`: it receives the
 * input type and returns the output type, widened to what the codecs accept back
 * (`Outgoing`, e.g. timestamps also as epoch milliseconds) plus `HTTP_STATUS`/`HTTP_HEADERS`.
 */
export type OperationHandler<Op extends { input: unknown; output: unknown }> = (
  input: Op["input"],
  ctx: RequestContext,
) => HandlerOutput<Op["output"]> | Promise<HandlerOutput<Op["output"]>>;

/**
 * Handlers for some operations of `Ops` (a generated `Operations`), by AWS operation name. Type
 * a module's handler table with it (`export const queueHandlers: Handlers<sqs.Operations> =
 * {...}`) so spreading it into `defineService` keeps the checks.
 */
export type Handlers<Ops> = { [K in keyof Ops]?: Ops[K] extends { input: unknown; output: unknown } ? OperationHandler<Ops[K]> : never };

/** The input type of operation `K` of `Ops` (a generated `Operations`). */
export type InputOf<Ops, K extends keyof Ops> = Ops[K] extends { input: infer I } ? I : never;

/**
 * What the handler of operation `K` of `Ops` may return: the output type widened as codecs
 * accept it. For handler functions written apart from the table: `Promise<OutputOf<Ops, "X">>`.
 */
export type OutputOf<Ops, K extends keyof Ops> = Ops[K] extends { output: infer O } ? HandlerOutput<O> : never;

/** Stands for "no Operations type given": every handler untyped, as before typed handlers. */
export type UntypedOperations = { [operation: string]: { input: any; output: unknown } };

/** A ServiceDefinition whose handlers are typed by `Ops`. */
export type TypedServiceDefinition<Ops> = Omit<ServiceDefinition, "handlers"> & { handlers: Handlers<Ops> };

/**
 * A service: its model (botocore `service-2.json` format) plus handlers by AWS operation name,
 * and optional hooks. Built with `defineService`; served by `createEmulator({ services })`. An
 * operation in the model without a handler answers 501 in the client's protocol.
 */
export interface ServiceDefinition {
  /** Folder and signing name: `sts`, `s3`, `sqs`, `sns`, `dynamodb`, ... */
  name: string;
  model: ServiceModel;
  handlers: Record<string, Handler>;
  /** Builds the service's validation error; defaults to the protocol's (ValidationError/-Exception). */
  validationError?: (failures: ValidationFailure[], operation: string) => AwsError;
  /** Skip model validation (S3 validates in its handlers, with its own error codes). */
  skipValidation?: boolean;
  /**
   * The secret key of credentials this service issued (STS temporary credentials), for SigV4
   * verification; null when the key is not one of this service's.
   */
  resolveSecret?(accessKeyId: string, globalStore: Store): Promise<string | null>;
  /**
   * Optional: who owns `accessKeyId`, when this service issued it (IAM user keys, STS session
   * keys); null otherwise. Used by signature verification's callers and the policy engine.
   */
  resolvePrincipal?(accessKeyId: string, globalStore: Store): Promise<Principal | null>;
  /**
   * Optional: the identity-based policies, permissions boundary and tags of an IAM principal
   * (user or role ARN) of `account`; null when this service does not know it (IAM).
   */
  principalPolicies?(principalArn: string, account: string, globalStore: Store): Promise<PrincipalPolicies | null>;
  /**
   * Optional: told of every request signed with a key that is not the static credentials, after
   * it ran (allowed or not): who (the key, and its principal when a service resolves it) used
   * which service, action and region, when. IAM records GetAccessKeyLastUsed, RoleLastUsed and
   * service last accessed data from these. Calls are throttled per key, action and region.
   */
  recordAccess?(access: AccessEvent, globalStore: Store): Promise<void>;
  /**
   * Optional: the IAM action(s), resource ARN(s) and condition keys of each operation, and the
   * service's resource-based policies (src/policy/authorization.ts), for `enforceIam`.
   */
  authorization?: AuthorizationMap;
  /**
   * Read-only views of what the service did, served as JSON at
   * `GET /_fetchstack/services/<service>/<name>?account=&region=` (e.g. Firehose deliveries).
   * `store` is the service's state for that account and region.
   */
  introspection?: Record<string, (store: Store, params: URLSearchParams) => Promise<unknown>>;
  /**
   * Optional: the service keeps its state in another service's namespace (its `ctx.store`,
   * `globalStore` and `storeFor` are that service's). For two services over one data set, such
   * as DynamoDB Streams reading the records DynamoDB writes; the shared format lives in
   * `src/shared/`, never in a service folder.
   */
  storeNamespace?: string;
  /** Runs once per emulator (subscribe to events, etc). */
  setup?(env: ServiceEnvironment): void;
  /**
   * Optional: sees each HTTP request before the codec parses it. A Response answers the request
   * without parsing (S3 browser POST uploads and CORS preflight, which no model operation
   * describes); `undefined` continues to the codec. A thrown AwsError renders in the protocol's
   * error format. `ctx.operation` is `""` here.
   */
  preRoute?(incoming: IncomingRequest, ctx: RequestContext): Response | undefined | Promise<Response | undefined>;
  /** Optional: adjusts every HTTP response of this service, errors included (S3 CORS headers). */
  postRoute?(incoming: IncomingRequest, response: Response, ctx: RequestContext): Response | Promise<Response>;

  // HTTP-level facts the pipeline applies generically (docs/architecture.md lists them).

  /**
   * Optional: what the service's wire format needs beyond its model, applied by the codecs:
   * awsJson `__type` namespace, classic type-error wording and `x-amz-crc32` (DynamoDB); restXml
   * namespace, root element names, `<Error>` bodies and its codes for bad header values and
   * unrouted requests (S3). See `WireOptions` in src/protocol/codec.ts.
   */
  wire?: WireOptions;
  /**
   * Optional: virtual-hosted addressing. The Host may name a resource before the service's
   * endpoint label (`<bucket>.s3.<host>`, `<bucket>.s3.<region>.<host>`, `<bucket>.s3-<region>.<host>`,
   * `<bucket>.s3.amazonaws.com`), or before one of the emulator's own host names when the
   * request is this service's by signature or port (`<bucket>.localhost`). The gateway moves
   * that name into the path (`/<bucket>/<key>`) before the codec sees it. S3.
   */
  virtualHostedResources?: boolean;
  /**
   * Optional: receives requests no identification rule matches (no target, signing name,
   * service host, Action or known REST path): unsigned, SigV2 and presigned-V2 calls, which only
   * S3 clients send. The first known service that sets it wins.
   */
  receivesUnidentified?: boolean;
  /**
   * Optional: true for a request this service serves without a signature even when
   * `verifySignatures` is on (S3: CORS preflights, which browsers never sign; browser POST
   * uploads, signed by their form policy). Called before the codec; must not read the body.
   */
  acceptsUnsigned?(incoming: IncomingRequest): boolean;
  /**
   * Optional: how SigV4's canonical request writes the path. `"as-sent"`: the path exactly as the
   * client sent it (S3); default `"encode-again"`: each segment URI-encoded once more.
   */
  signedPathEncoding?: SignedPathEncoding;
  /**
   * Optional: the error for a request whose signature does not verify, for a service with its
   * own codes (S3: AccessDenied, InvalidAccessKeyId, RequestTimeTooSkewed, SignatureDoesNotMatch
   * with AWSAccessKeyId). Default Coral's by protocol (MissingAuthenticationToken,
   * UnrecognizedClientException / InvalidClientTokenId, InvalidSignatureException /
   * SignatureDoesNotMatch).
   */
  signatureError?(failure: SignatureFailure): AwsError;
}

/** What `ServiceDefinition.setup` gets, once per emulator: events, clock, timers and `invoke` (as the default account and region). */
export interface ServiceEnvironment {
  events: EventBus;
  clock: Clock;
  timers: Timers;
  invoke: RequestContext["invoke"];
  lambdaRunner?: BoundLambdaRunner;
  /** The service's in-memory runtime state, as `RequestContext.runtime`. */
  runtime: RequestContext["runtime"];
  /**
   * The accounts and regions holding state of this service, for work kept in the store that
   * timers must pick up again after a start (re-armed schedules, due expirations).
   */
  scopes(): AsyncIterable<{ accountId: string; region: string }>;
  /** A context acting as `accountId` in `region` with no request (its store, timers, `invoke`). */
  contextFor(accountId: string, region: string): RequestContext;
  /** Tracks background work started by `setup` (`emulator.settled()` waits for it). */
  waitUntil(promise: Promise<unknown>): void;
}

/**
 * Declares a service: returns `definition` unchanged (a ServiceDefinition for
 * `createEmulator({ services })`). With the generated operation types,
 *
 *   import type { Operations } from "../../generated/sqs.ts";
 *   export default defineService<Operations>({ name: "sqs", model, handlers: { ... } });
 *
 * each handler's input and output are checked at compile time: a misspelt operation name, a
 * missing required output member or a member of the wrong type is a type error. Without a type
 * argument handlers are untyped (`input: any`). Throws nothing; the model is not checked here.
 */
export function defineService<Ops extends OperationTypes<Ops> = UntypedOperations>(
  definition: TypedServiceDefinition<NoInfer<Ops>>,
): ServiceDefinition {
  return definition as ServiceDefinition;
}

/** One use of credentials (`ServiceDefinition.recordAccess`). */
export interface AccessEvent {
  accessKeyId: string;
  /** Who the key belongs to, when a service resolves it (IAM user, STS session); null otherwise. */
  principal: Principal | null;
  /** The service's name (`s3`, `sqs`, `iam`). */
  service: string;
  /** The IAM action prefix of the service (`s3`, `states`). */
  namespace: string;
  /** The operation's IAM action (`s3:GetObject`). */
  action: string;
  region: string;
  /** Epoch ms on the emulator's clock. */
  time: number;
}
