/**
 * Delivering a matched event to a rule's target through `ctx.invoke`, with AWS's retry policy
 * and dead-letter queue; every attempt's outcome is recorded for introspection.
 * Sources: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-targets.html,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html
 *
 * Retries: errors a service answers with 5xx (but 501) or throttling are retried with
 * exponential backoff (1 s doubling, at most 5 min between attempts) on emulator time, up to
 * `RetryPolicy.MaximumRetryAttempts` (default 185) and `MaximumEventAgeInSeconds` (default
 * 86,400). Other errors (a missing queue, function or stream; a service fetchstack does not
 * serve) are not retried, as AWS does not retry a missing resource. Undelivered events go to the
 * target's DeadLetterConfig queue with AWS's message attributes (ERROR_CODE, ERROR_MESSAGE,
 * EXHAUSTED_RETRY_CONDITION, RETRY_ATTEMPTS, RULE_ARN, TARGET_ARN).
 */
import type { RequestContext } from "../types.ts";
import { isAwsError } from "../../protocol/errors.ts";
import type { Store } from "../../store/types.ts";
import type { StoredRule, StoredTarget } from "./rule-store.ts";
import { selectPath, targetInput } from "./transform.ts";
import { eventTime, type Scope } from "./common.ts";
import { bytesToBase64 } from "../../protocol/shape-values.ts";
import type { StoredApiDestination, StoredConnection } from "./connection-records.ts";

/** One delivery outcome, as the `invocations` introspection view lists it. */
export interface InvocationRecord {
  at: number;
  eventId: string;
  ruleArn: string;
  targetId: string;
  targetArn: string;
  status: "delivered" | "failed" | "dead-lettered";
  attempts: number;
  input: string;
  errorCode?: string;
  errorMessage?: string;
}

export async function listInvocations(store: Store): Promise<InvocationRecord[]> {
  const out: InvocationRecord[] = [];
  for await (const e of store.list<InvocationRecord>({ prefix: ["invocation"] })) out.push(e.value);
  return out;
}

/** How long invocation records are kept (ms of emulator time). */
const RECORD_TTL_MS = 3_600_000;
const THROTTLING = new Set(["ThrottlingException", "TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestLimitExceeded", "Throttling", "KMSThrottlingException"]);
const MAX_HOPS = 5;

class TargetError extends Error {
  constructor(readonly code: string, message: string, readonly retryable: boolean) {
    super(message);
  }
}

function classify(error: unknown): TargetError {
  if (error instanceof TargetError) return error;
  if (isAwsError(error)) {
    const retryable = THROTTLING.has(error.code) || (error.status >= 500 && error.status !== 501);
    return new TargetError(error.code, error.message, retryable);
  }
  return new TargetError("InternalException", error instanceof Error ? error.message : String(error), false);
}

/** Routes a delivery to a bus (EventBridge's own); given by the service so targets can chain buses. */
export type PutToBus = (ctx: RequestContext, target: Scope, bus: string, event: Record<string, unknown>, hops: number) => Promise<void>;

function queueUrl(ctx: RequestContext, arn: string): string | null {
  const m = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):(.+)$/.exec(arn);
  return m ? `${ctx.baseUrl}/${m[2]}/${m[3]}` : null;
}

/** Sends `input` to the target's service; throws TargetError or the service's AwsError. */
async function send(ctx: RequestContext, rule: StoredRule, target: StoredTarget, event: Record<string, unknown>, input: string, hops: number, putToBus: PutToBus): Promise<void> {
  const arn = target.Arn;
  const [, , service = "", region = "", account = "", ...rest] = arn.split(":");
  const resource = rest.join(":");
  const bytes = new TextEncoder().encode(input);
  switch (service) {
    case "sqs": {
      const url = queueUrl(ctx, arn)!;
      const fifo = resource.endsWith(".fifo");
      await ctx.invoke("sqs", "SendMessage", {
        QueueUrl: url,
        MessageBody: input,
        ...(fifo ? { MessageGroupId: target.SqsParameters?.MessageGroupId, MessageDeduplicationId: String(event.id) } : {}),
      });
      return;
    }
    case "sns":
      await ctx.invoke("sns", "Publish", { TopicArn: arn, Message: input });
      return;
    case "lambda":
      await ctx.invoke("lambda", "Invoke", { FunctionName: arn, InvocationType: "Event", Payload: bytes });
      return;
    case "kinesis": {
      const path = target.KinesisParameters?.PartitionKeyPath;
      const key = path ? selectPath(event, path) : undefined;
      const partitionKey = key === undefined || key === null ? String(event.id) : typeof key === "string" ? key : JSON.stringify(key);
      await ctx.invoke("kinesis", "PutRecord", { StreamName: resource.replace(/^stream\//, ""), Data: bytes, PartitionKey: partitionKey });
      return;
    }
    case "firehose":
      await ctx.invoke("firehose", "PutRecord", { DeliveryStreamName: resource.replace(/^deliverystream\//, ""), Record: { Data: bytes } });
      return;
    case "logs": {
      const group = resource.replace(/^log-group:/, "").replace(/:\*$/, "");
      const stream = String(event.id);
      await ctx.invoke("logs", "CreateLogStream", { logGroupName: group, logStreamName: stream }).catch((error) => {
        if (!(isAwsError(error) && error.code === "ResourceAlreadyExistsException")) throw error;
      });
      const at = Date.parse(String(event.time));
      await ctx.invoke("logs", "PutLogEvents", { logGroupName: group, logStreamName: stream, logEvents: [{ timestamp: Number.isNaN(at) ? ctx.clock.now() : at, message: input }] });
      return;
    }
    case "states":
      await ctx.invoke("stepfunctions", "StartExecution", { stateMachineArn: arn, input });
      return;
    case "events": {
      const api = /^api-destination\/([^/]+)\//.exec(resource);
      if (api) {
        const store = account === ctx.accountId && region === ctx.region ? ctx.store : ctx.storeFor(account, region);
        await callApiDestination(store, arn, api[1]!, target, input);
        return;
      }
      const bus = /^event-bus\/(.+)$/.exec(resource);
      if (!bus) break;
      if (hops >= MAX_HOPS) throw new TargetError("InvalidParameter", "Event was delivered across too many event buses.", false);
      const scope: Scope = account === ctx.accountId && region === ctx.region
        ? { store: ctx.store, accountId: account, region }
        : { store: ctx.storeFor(account, region), accountId: account, region };
      await putToBus(ctx, scope, bus[1]!, event, hops + 1);
      return;
    }
  }
  throw new TargetError("InvalidParameter", `Target ${arn} is not a target type fetchstack delivers to.`, false);
}

/**
 * Delivers `event` to one target of `rule` (in the background of the caller's request), with
 * retries and dead-lettering; never throws.
 */
export async function deliver(
  ctx: RequestContext,
  scope: Scope,
  rule: StoredRule,
  target: StoredTarget,
  event: Record<string, unknown>,
  hops: number,
  putToBus: PutToBus,
): Promise<void> {
  const started = ctx.clock.now();
  const input = targetInput(target, event, { ruleArn: rule.Arn, ruleName: rule.Name, ingestionTime: eventTime(started) });
  const maxAttempts = 1 + (target.RetryPolicy?.MaximumRetryAttempts ?? 185);
  const maxAgeMs = (target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400) * 1000;
  const timers = ctx.timers;
  let attempts = 0;
  let failure: TargetError | undefined;
  let exhausted = "";
  for (;;) {
    attempts++;
    try {
      await send(ctx, rule, target, event, input, hops, putToBus);
      failure = undefined;
      break;
    } catch (error) {
      failure = classify(error);
    }
    if (!failure.retryable) break;
    if (attempts >= maxAttempts) {
      exhausted = "MaximumRetryAttemptsExhausted";
      break;
    }
    const backoff = Math.min(1000 * 2 ** (attempts - 1), 300_000);
    if (ctx.clock.now() + backoff - started > maxAgeMs) {
      exhausted = "MaximumEventAgeExhausted";
      break;
    }
    if (!timers) break;
    await timers.sleep(backoff, { background: true });
  }
  let status: InvocationRecord["status"] = failure ? "failed" : "delivered";
  if (failure && target.DeadLetterConfig?.Arn) {
    const url = queueUrl(ctx, target.DeadLetterConfig.Arn);
    try {
      if (!url) throw new Error("not an SQS queue");
      const attr = (value: string) => ({ DataType: "String", StringValue: value });
      await ctx.invoke("sqs", "SendMessage", {
        QueueUrl: url,
        MessageBody: JSON.stringify(event),
        MessageAttributes: {
          ERROR_CODE: attr(failure.code),
          ERROR_MESSAGE: attr(failure.message.slice(0, 1000) || failure.code),
          ...(exhausted ? { EXHAUSTED_RETRY_CONDITION: attr(exhausted) } : {}),
          RETRY_ATTEMPTS: { DataType: "Number", StringValue: String(attempts - 1) },
          RULE_ARN: attr(rule.Arn),
          TARGET_ARN: attr(target.Arn),
        },
      });
      status = "dead-lettered";
    } catch {
      // The DLQ itself is missing: the event is dropped, as on AWS; the record says so.
    }
  }
  const record: InvocationRecord = {
    at: ctx.clock.now(),
    eventId: String(event.id),
    ruleArn: rule.Arn,
    targetId: target.Id,
    targetArn: target.Arn,
    status,
    attempts,
    input,
    ...(failure ? { errorCode: failure.code, errorMessage: failure.message } : {}),
  };
  await scope.store.set(["invocation", record.at, crypto.randomUUID()], record);
  // The record is introspection, not state: keep one hour of emulator time so it cannot grow without bound.
  for await (const old of scope.store.list({ start: ["invocation"], end: ["invocation", record.at - RECORD_TTL_MS] })) await scope.store.delete(old.key);
}

const basic = (user: string, password: string) => `Basic ${bytesToBase64(new TextEncoder().encode(`${user}:${password}`))}`;

function httpFailure(status: number, what: string): TargetError {
  // AWS retries 401, 407, 409, 429 and 5xx; other answers are final.
  return new TargetError(String(status), `${what} answered HTTP ${status}.`, status === 401 || status === 407 || status === 409 || status === 429 || status >= 500);
}

async function oauthToken(oauth: Record<string, any>): Promise<string> {
  const headers = new Headers({ authorization: basic(oauth.ClientParameters?.ClientID ?? "", oauth.ClientParameters?.ClientSecret ?? "") });
  const params = oauth.OAuthHttpParameters ?? {};
  for (const h of params.HeaderParameters ?? []) headers.set(h.Key, h.Value);
  const url = new URL(oauth.AuthorizationEndpoint);
  for (const q of params.QueryStringParameters ?? []) url.searchParams.set(q.Key, q.Value);
  const form = new URLSearchParams({ grant_type: "client_credentials" });
  for (const b of params.BodyParameters ?? []) form.set(b.Key, b.Value);
  const method = oauth.HttpMethod ?? "POST";
  if (method !== "GET") headers.set("content-type", "application/x-www-form-urlencoded");
  const response = await fetch(url, { method, headers, ...(method === "GET" ? {} : { body: form.toString() }) });
  if (!response.ok) throw httpFailure(response.status, "The OAuth authorization endpoint");
  const body = await response.json().catch(() => ({})) as { access_token?: string };
  if (!body.access_token) throw new TargetError("OAuthError", "The OAuth authorization endpoint returned no access_token.", false);
  return body.access_token;
}

/** An API destination target: one HTTP request with the connection's auth and parameters. */
async function callApiDestination(store: Store, arn: string, name: string, target: StoredTarget, input: string): Promise<void> {
  const dest = (await store.get<StoredApiDestination>(["api-destination", name])).value;
  if (!dest || dest.ApiDestinationArn !== arn) throw new TargetError("ResourceNotFoundException", `API destination ${name} does not exist.`, false);
  const connectionName = /:connection\/([^/]+)\//.exec(dest.ConnectionArn)?.[1] ?? "";
  const connection = (await store.get<StoredConnection>(["connection", connectionName])).value;
  if (!connection) throw new TargetError("ResourceNotFoundException", `Connection ${connectionName} does not exist.`, false);
  if (connection.ConnectionState !== "AUTHORIZED") throw new TargetError("ConnectionNotAuthorized", `Connection ${connectionName} is ${connection.ConnectionState}.`, false);
  const http = (target.HttpParameters ?? {}) as { PathParameterValues?: string[]; HeaderParameters?: Record<string, string>; QueryStringParameters?: Record<string, string> };
  const pathValues = [...(http.PathParameterValues ?? [])];
  const url = new URL(dest.InvocationEndpoint.replace(/\*/g, () => encodeURIComponent(pathValues.shift() ?? "")));
  const auth = connection.AuthParameters;
  const invocation = auth.InvocationHttpParameters ?? {};
  const headers = new Headers({ "content-type": "application/json; charset=utf-8", "user-agent": "Amazon/EventBridge/ApiDestinations" });
  for (const h of invocation.HeaderParameters ?? []) headers.set(h.Key, h.Value);
  for (const [k, v] of Object.entries(http.HeaderParameters ?? {})) headers.set(k, v);
  for (const q of invocation.QueryStringParameters ?? []) url.searchParams.set(q.Key, q.Value);
  for (const [k, v] of Object.entries(http.QueryStringParameters ?? {})) url.searchParams.set(k, v);
  if (connection.AuthorizationType === "BASIC") headers.set("authorization", basic(auth.BasicAuthParameters.Username, auth.BasicAuthParameters.Password));
  else if (connection.AuthorizationType === "API_KEY") headers.set(auth.ApiKeyAuthParameters.ApiKeyName, auth.ApiKeyAuthParameters.ApiKeyValue);
  else if (connection.AuthorizationType === "OAUTH_CLIENT_CREDENTIALS") headers.set("authorization", `Bearer ${await oauthToken(auth.OAuthParameters)}`);
  const method = dest.HttpMethod;
  const withBody = method !== "GET" && method !== "HEAD";
  let body = input;
  if (withBody && invocation.BodyParameters?.length) {
    try {
      const parsed = JSON.parse(input);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) {
        for (const b of invocation.BodyParameters) parsed[b.Key] = b.Value;
        body = JSON.stringify(parsed);
      }
    } catch {
      // Not a JSON object: sent as is.
    }
  }
  let response: Response;
  try {
    response = await fetch(url, { method, headers, ...(withBody ? { body } : {}) });
  } catch (error) {
    throw new TargetError("NetworkError", `Calling ${url.origin} failed: ${error instanceof Error ? error.message : String(error)}`, true);
  }
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw httpFailure(response.status, `API destination ${name}`);
}
