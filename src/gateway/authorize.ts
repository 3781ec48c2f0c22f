/**
 * IAM enforcement (`createEmulator({ enforceIam: true })`): every HTTP request is decided by the
 * policy engine (src/policy/evaluate.ts) before its handler runs.
 *
 * - The caller: the configured static credentials (`test:test`) are their account's root user;
 *   other keys are resolved by every service declaring `resolvePrincipal` (IAM user keys, STS
 *   sessions); unsigned requests are anonymous where the service takes them (S3).
 * - Its policies: from every service declaring `principalPolicies` (IAM), plus the session's.
 * - The request: the service's `authorization` map gives the action(s), resource ARN(s) and
 *   service condition keys; resource policies come from every map declaring `resourcePolicy`.
 * - A denial is AWS's AccessDenied/AccessDeniedException (per protocol) with AWS's message.
 *
 * Principals, their policies and resource policies are cached per emulator, and dropped when a
 * service that declares them runs an operation that may change them (anything but reads), and on
 * reset/restore. Every decision goes into a bounded ring served at
 * `/_fetchstack/services/iam/decisions`.
 */
import { checksFor, type AuthorizationEnv, type AuthorizationMap, type Input, type ResourcePolicyInfo } from "../policy/authorization.ts";
import { statementsOf } from "../policy/document.ts";
import { denialMessage, evaluate, type AuthorizationRequest, type Decision, type PolicySet, type StatementRef } from "../policy/evaluate.ts";
import { ConditionContext } from "../policy/context.ts";
import { requestContext } from "../policy/request-context.ts";
import type { NamedPolicy, PolicyDocument, Principal, PrincipalPolicies } from "../policy/types.ts";
import type { ProtocolId } from "../protocol/model.ts";
import { AwsError } from "../protocol/errors.ts";
import type { Clock, ServiceDefinition } from "../services/types.ts";
import type { Store } from "../store/types.ts";
import { prefixStore } from "../store/prefixed.ts";

/** One logged decision (`GET /_fetchstack/services/iam/decisions`). */
export interface DecisionLogEntry {
  /** ISO 8601 (epoch ms while in the ring). */
  time: string | number;
  requestId: string;
  service: string;
  operation: string;
  principal: string;
  action: string;
  resource: string;
  decision: Decision["decision"];
  statement: StatementRef | null;
  reason: string;
}

export interface AuthorizerOptions {
  services: readonly ServiceDefinition[];
  store: Store;
  clock: Clock;
  /** The static credentials: each key is its account's root. */
  rootKeys: ReadonlySet<string>;
  accountFor(accessKeyId: string): string;
  /** Size of the decision ring. Default 1000. */
  logSize?: number;
}

/** The facts of one HTTP request the authorizer needs. */
export interface AuthorizeRequest {
  service: ServiceDefinition;
  operation: string;
  input: Input;
  accessKeyId: string | null;
  account: string;
  region: string;
  protocol: ProtocolId;
  requestId: string;
  sourceIp: string;
  secureTransport: boolean;
}

const READ_OPERATION = /^(Get|List|Head|Describe|Query|Scan|BatchGet|Receive|Select|Simulate)/;
const NONE = Symbol("none");

/** The AccessDenied error of a service and protocol (the map's `denial` overrides). */
export function denialError(map: AuthorizationMap | undefined, protocol: ProtocolId, message: string): AwsError {
  const json = protocol === "json" || protocol === "rest-json";
  const code = map?.denial?.code ?? (json ? "AccessDeniedException" : "AccessDenied");
  const status = map?.denial?.status ?? (protocol === "json" ? 400 : 403);
  return new AwsError(code, message, status, map?.denial?.queryCode ? { queryCode: map.denial.queryCode } : {});
}

export class Authorizer {
  private readonly principals = new Map<string, Principal | null>();
  private readonly policies = new Map<string, PrincipalPolicies | null>();
  private readonly resources = new Map<string, ResourcePolicyInfo | typeof NONE>();
  /** Decisions of condition-free policy sets, which depend on nothing but principal, action and resource. */
  private readonly decided = new Map<string, Decision>();
  private readonly log: DecisionLogEntry[] = [];
  private logStart = 0;
  private readonly identityServices: readonly ServiceDefinition[];
  private readonly resourceServices: readonly ServiceDefinition[];

  constructor(private readonly options: AuthorizerOptions) {
    this.identityServices = options.services.filter((s) => s.resolvePrincipal || s.principalPolicies);
    this.resourceServices = options.services.filter((s) => s.authorization?.resourcePolicy);
  }

  private globalStore(service: ServiceDefinition): Store {
    return prefixStore(this.options.store, [service.storeNamespace ?? service.name, "global"]);
  }

  /** Who owns `accessKeyId`: root for the static keys, else whoever resolves it; null when nobody does. */
  async principalFor(accessKeyId: string): Promise<Principal | null> {
    if (this.options.rootKeys.has(accessKeyId)) {
      const account = this.options.accountFor(accessKeyId);
      return { account, arn: `arn:aws:iam::${account}:root`, userId: account, kind: "root" };
    }
    const cached = this.principals.get(accessKeyId);
    if (cached !== undefined) return cached;
    let found: Principal | null = null;
    for (const service of this.identityServices) {
      if (!service.resolvePrincipal) continue;
      found = await service.resolvePrincipal(accessKeyId, this.globalStore(service));
      if (found) break;
    }
    this.principals.set(accessKeyId, found);
    return found;
  }

  /** The identity-based policies of an IAM principal (user or role ARN), from whichever service knows it. */
  async policiesFor(principalArn: string, account: string): Promise<PrincipalPolicies | null> {
    const key = `${account}|${principalArn}`;
    const cached = this.policies.get(key);
    if (cached !== undefined) return cached;
    let found: PrincipalPolicies | null = null;
    for (const service of this.identityServices) {
      if (!service.principalPolicies) continue;
      found = await service.principalPolicies(principalArn, account, this.globalStore(service));
      if (found) break;
    }
    this.policies.set(key, found);
    return found;
  }

  /** The resource policy and facts of `arn`, from the service whose map knows it. */
  async resourceInfo(arn: string): Promise<ResourcePolicyInfo | null> {
    if (arn === "*") return null;
    const cached = this.resources.get(arn);
    if (cached !== undefined) return cached === NONE ? null : cached;
    let found: ResourcePolicyInfo | null = null;
    for (const service of this.resourceServices) {
      const ns = service.storeNamespace ?? service.name;
      found = await service.authorization!.resourcePolicy!(arn, {
        account: "", region: "", partition: "aws",
        globalStore: this.globalStore(service),
        storeFor: (account, region) => prefixStore(this.options.store, [ns, account, region]),
      });
      if (found) break;
    }
    this.resources.set(arn, found ?? NONE);
    return found;
  }

  /** Drops what a non-read operation of `service` may have changed. */
  noteOperation(service: ServiceDefinition, operation: string): void {
    if (READ_OPERATION.test(operation)) return;
    if (service.resolvePrincipal || service.principalPolicies) {
      this.principals.clear();
      this.policies.clear();
      this.decided.clear();
    }
    // Trust policies live with IAM, bucket policies with S3...: a change anywhere drops them all.
    if (service.authorization?.resourcePolicy || service.principalPolicies) {
      this.resources.clear();
      this.decided.clear();
    }
  }

  clear(): void {
    this.principals.clear();
    this.policies.clear();
    this.resources.clear();
    this.decided.clear();
  }

  /** The decision ring, oldest first (at most `logSize`). */
  decisions(): DecisionLogEntry[] {
    return [...this.log.slice(this.logStart), ...this.log.slice(0, this.logStart)]
      .map((e) => ({ ...e, time: typeof e.time === "number" ? new Date(e.time).toISOString() : e.time }));
  }

  private record(entry: DecisionLogEntry): void {
    const size = this.options.logSize ?? 1000;
    if (this.log.length < size) this.log.push(entry);
    else {
      this.log[this.logStart] = entry;
      this.logStart = (this.logStart + 1) % size;
    }
  }

  /**
   * Decides one request; resolves when allowed, throws the service's AccessDenied otherwise.
   * `principal` null is an anonymous caller.
   */
  async authorize(req: AuthorizeRequest, principal: Principal | null): Promise<void> {
    const service = req.service;
    const map = service.authorization ?? defaultMap(service);
    const ns = service.storeNamespace ?? service.name;
    const env: AuthorizationEnv = {
      account: req.account,
      region: req.region,
      partition: "aws",
      caller: principal?.arn,
      store: prefixStore(this.options.store, [ns, req.account, req.region]),
      globalStore: this.globalStore(service),
      storeFor: (account, region) => prefixStore(this.options.store, [ns, account, region]),
    };
    const checks = await checksFor(map, req.operation, req.input, env);
    if (checks.length === 0) return;
    let principalPolicies: PrincipalPolicies | null = null;
    if (principal && principal.kind !== "root" && principal.principalArn) {
      principalPolicies = await this.policiesFor(principal.principalArn, principal.account);
    }
    const now = this.options.clock.now();
    for (const check of checks) {
      let info = await this.resourceInfo(check.resource);
      if (info?.forActions && !info.forActions.some((a) => check.action.toLowerCase().startsWith(a.toLowerCase()))) {
        info = { account: info.account, tags: info.tags };
      }
      const resourcePolicy = resourcePolicyOf(info, check.resource, principal);
      const set: PolicySet = {
        identityPolicies: principalPolicies?.identityPolicies ?? [],
        permissionsBoundary: principalPolicies?.permissionsBoundary,
        sessionPolicies: principal?.sessionPolicies,
        resourcePolicy,
        resourcePolicyRequired: info?.required,
      };
      const request: AuthorizationRequest = {
        principal,
        action: check.action,
        resource: check.resource,
        resourceAccount: info?.account ?? accountOfArn(check.resource),
        context: EMPTY_CONTEXT,
      };
      const cacheKey = conditionFree(set) ? `${req.accessKeyId ?? ""}\n${principal?.arn ?? ""}\n${check.action}\n${check.resource}` : undefined;
      let decision = cacheKey === undefined ? undefined : this.decided.get(cacheKey);
      if (!decision) {
        const extra: Record<string, string | string[]> = { ...check.context };
        for (const [k, v] of Object.entries(info?.tags ?? {})) extra[`aws:ResourceTag/${k}`] = v;
        if (info?.account) extra["aws:ResourceAccount"] = info.account;
        request.context = requestContext({
          principal, principalPolicies, now, sourceIp: req.sourceIp, secureTransport: req.secureTransport, region: req.region, extra,
        });
        decision = evaluate(request, set);
        if (cacheKey !== undefined) {
          if (this.decided.size >= 10_000) this.decided.clear();
          this.decided.set(cacheKey, decision);
        }
      }
      this.record({
        time: now,
        requestId: req.requestId,
        service: service.name,
        operation: req.operation,
        principal: principal?.arn ?? "anonymous",
        action: check.action,
        resource: check.resource,
        decision: decision.decision,
        statement: decision.statement ?? null,
        reason: decision.reason,
      });
      if (!decision.allowed) {
        let action = map.denial?.lowerCaseAction ? request.action.toLowerCase() : request.action;
        if (map.denial?.actionPrefix) action = map.denial.actionPrefix + action.slice(action.indexOf(":"));
        const message = !principal && map.denial?.anonymousMessage
          ? map.denial.anonymousMessage
          : denialMessage({ ...request, action }, { ...decision, reason: decision.reason.replace(request.action, action) });
        throw denialError(map, req.protocol, message);
      }
    }
  }
}

const defaults = new WeakMap<ServiceDefinition, AuthorizationMap>();

/**
 * A service without a map: `<signing name>:<Operation>` on `*` (AWS's action names are the
 * operation names for most services), so enforcement never lets an unmapped service through.
 */
function defaultMap(service: ServiceDefinition): AuthorizationMap {
  let map = defaults.get(service);
  if (!map) {
    const meta = service.model.metadata as { signingName?: string; endpointPrefix?: string };
    map = { prefix: meta.signingName ?? meta.endpointPrefix ?? service.name };
    defaults.set(service, map);
  }
  return map;
}

const EMPTY_CONTEXT = new ConditionContext();
const conditionFreeDocs = new WeakMap<PolicyDocument, boolean>();

/** Whether no statement of the set has a Condition (its decision then depends on no request context). */
function conditionFree(set: PolicySet): boolean {
  const docs = [...set.identityPolicies, ...(set.sessionPolicies ?? []), set.permissionsBoundary, set.resourcePolicy];
  for (const p of docs) {
    if (!p) continue;
    let free = conditionFreeDocs.get(p.document);
    if (free === undefined) {
      free = statementsOf(p.document).every((s) => s.Condition === undefined);
      conditionFreeDocs.set(p.document, free);
    }
    if (!free) return false;
  }
  return true;
}

function accountOfArn(arn: string): string | undefined {
  const account = arn.split(":")[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}

function resourcePolicyOf(info: ResourcePolicyInfo | null, arn: string, principal: Principal | null): NamedPolicy | undefined {
  if (!info?.policy) return undefined;
  let document: PolicyDocument;
  try {
    document = typeof info.policy === "string" ? JSON.parse(info.policy) : info.policy;
  } catch {
    return undefined;
  }
  // S3 RestrictPublicBuckets: a public policy grants only the bucket's own account.
  if (info.restrictPublic && (!principal || (info.account && principal.account !== info.account))) {
    const denies = statementsOf(document).filter((s) => s.Effect === "Deny");
    if (denies.length === 0) return undefined;
    document = { ...document, Statement: denies };
  }
  return { source: info.source ?? arn, document };
}
