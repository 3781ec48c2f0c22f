/**
 * The fuzz harness: for every operation of a service and every protocol its clients speak,
 * fast-check builds inputs from the model (with wrong-typed members), renders them as that
 * protocol's request, breaks the request in hostile ways and sends it in-process through the
 * emulator's fetch handler. A response fails the property when it is a 500 (or any 5xx but
 * 501), when the emulator logged an uncaught exception, when `fetch` rejected or hung, or when
 * an error is not in the protocol's own shape.
 */
import fc from "fast-check";
import { Decoder } from "cbor-x";
import { strToU8, zipSync } from "fflate";
import { createEmulator, type Emulator } from "../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../src/clock.ts";
import { expectedSignature, type SignedPathEncoding } from "../../src/gateway/sigv4.ts";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import type { OperationModel, ProtocolId, ServiceModel } from "../../src/protocol/model.ts";
import type { ServiceDefinition } from "../../src/services/types.ts";
import { authorization, encodeRequest, wireProtocols, type WireRequest } from "./encode.ts";
import { applyMutation, mutation } from "./mutate.ts";
import { setFriendlyStrings, valueFor } from "./values.ts";

const cborDecoder = new Decoder({ mapsAsObjects: true, useRecords: false });

export interface Failure {
  service: string;
  operation: string;
  protocol: ProtocolId;
  problem: string;
  request: string;
}

/** A short, replayable description of a request (method, path, headers, body head). */
export function describe(r: WireRequest): string {
  const body = r.body ? Buffer.from(r.body.slice(0, 300)).toString("latin1") + (r.body.byteLength > 300 ? `… (${r.body.byteLength} bytes)` : "") : "";
  return `${r.method} ${r.path.slice(0, 300)}\n${r.headers.map(([k, v]) => `${k}: ${v.slice(0, 200)}`).join("\n")}\n\n${body}`;
}

export function toRequest(r: WireRequest): Request {
  const headers = new Headers();
  for (const [k, v] of r.headers) headers.append(k, v);
  const hasBody = r.body !== undefined && r.method !== "GET" && r.method !== "HEAD";
  return new Request(`http://localhost:4566${r.path}`, { method: r.method, headers, body: hasBody ? (r.body as BodyInit) : undefined });
}

/** What is wrong with an error response's shape for the request's protocol, if anything. */
export function errorShapeProblem(request: Request, response: Response, body: Uint8Array, signing: string): string | undefined {
  if (response.status < 400 || request.method === "HEAD" || body.byteLength === 0 && response.status === 416) return undefined;
  const text = new TextDecoder().decode(body);
  const type = response.headers.get("content-type") ?? "";
  const h = request.headers;
  // A credential scope that names another service routes the request there (as the scope says):
  // then the error is in that service's protocol, whichever it is.
  const scope = /Credential=[^/,&]*\/[^/,&]*\/[^/,&]*\/([^/,&]*)\//.exec(`${h.get("authorization") ?? ""} Credential=${new URL(request.url).searchParams.get("X-Amz-Credential") ?? ""}`)?.[1];
  if (scope !== undefined && scope !== signing) return anyShapeProblem(response, body, text, type);
  if (h.get("smithy-protocol") === "rpc-v2-cbor") {
    if (!type.startsWith("application/cbor")) return `CBOR request answered with content-type ${type}`;
    try {
      const decoded = cborDecoder.decode(body) as Record<string, unknown>;
      return typeof decoded?.__type === "string" ? undefined : "CBOR error without __type";
    } catch {
      return "CBOR error body does not decode";
    }
  }
  const requestType = h.get("content-type") ?? "";
  if (h.has("x-amz-target") || requestType.startsWith("application/x-amz-json")) {
    try {
      const parsed = JSON.parse(text) as Record<string, unknown>;
      // A restJson service given a target it does not speak answers in its own shape (x-amzn-ErrorType).
      return typeof parsed.__type === "string" || response.headers.has("x-amzn-errortype") ? undefined : `JSON error without __type: ${text.slice(0, 200)}`;
    } catch {
      // An awsJson service answering a non-JSON protocol (no target understood) is fine if it speaks XML errors with a code.
      return /<Code>[^<]+<\/Code>/.test(text) ? undefined : `awsJson error is not JSON: ${text.slice(0, 200)}`;
    }
  }
  if (response.headers.has("x-amzn-errortype")) {
    if (!text) return undefined;
    try {
      JSON.parse(text);
      return undefined;
    } catch {
      return `restJson error body is not JSON: ${text.slice(0, 200)}`;
    }
  }
  if (/<Code>[^<]+<\/Code>/.test(text) || /<Error>/.test(text) && !text) return undefined;
  if (!text) return undefined;
  // JSON-speaking services may answer an unidentified request in JSON.
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (typeof parsed.__type === "string" || typeof parsed.message === "string" || typeof parsed.Message === "string") return undefined;
  } catch { /* fall through */ }
  return `error body in no protocol's shape (status ${response.status}, ${type}): ${text.slice(0, 200)}`;
}

/** What is wrong with an error that should be in some protocol's shape, if anything. */
function anyShapeProblem(response: Response, body: Uint8Array, text: string, type: string): string | undefined {
  if (type.startsWith("application/cbor")) {
    try {
      return typeof (cborDecoder.decode(body) as Record<string, unknown>)?.__type === "string" ? undefined : "CBOR error without __type";
    } catch {
      return "CBOR error body does not decode";
    }
  }
  if (/<Code>[^<]+<\/Code>/.test(text) || response.headers.has("x-amzn-errortype")) return undefined;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (typeof parsed.__type === "string") return undefined;
  } catch { /* fall through */ }
  return `error body in no protocol's shape (status ${response.status}, ${type}): ${text.slice(0, 200)}`;
}

export interface FuzzOptions {
  runs: number;
  seed: number;
  /** Chance that a member gets a value of the wrong type. */
  wrongTypes?: number;
  /** Only these operations (default all). */
  operations?: string[];
  /** Per-request time limit, ms. */
  timeoutMs?: number;
}

export interface Target {
  emulator: Emulator;
  logged: string[];
  clock: ManualClock;
  /** Requests still carrying the encoder's dummy signature are signed for real (secret `test`) before they are sent. */
  signs: boolean;
}

/**
 * An emulator on a manual clock whose logger records every uncaught exception. `signs`: the
 * harness signs each request properly (so a verifying emulator lets it through to the handler).
 */
export function fuzzTarget(verifySignatures = false, signs = false): Target {
  const logged: string[] = [];
  const clock = createManualClock();
  const emulator = createEmulator({
    clock,
    verifySignatures,
    credentials: { test: "test" },
    logger: { error: (message, error) => logged.push(`${message}: ${error instanceof Error ? error.stack?.split("\n").slice(0, 6).join(" | ") : String(error)}`) },
  });
  return { emulator, logged, clock, signs };
}

const amzDate = (ms: number) => new Date(ms).toISOString().replace(/[-:]|\.\d{3}/g, "");

/**
 * `request` signed with SigV4 (access key `test`, secret `test`) at `now`: every header it carries
 * is signed, the payload hash is its `x-amz-content-sha256` when it has one (S3) or the body's.
 * Duplicated headers are signed as the server sees them (joined with ", ").
 */
export function signRequest(request: Request, body: Uint8Array | undefined, service: string, pathEncoding: SignedPathEncoding, now: number): Request {
  const headers = new Headers(request.headers);
  const date = amzDate(now);
  headers.set("x-amz-date", date);
  headers.delete("authorization");
  const url = new URL(request.url);
  const signedHeaders = [...new Set([...headers.keys()].map((k) => k.toLowerCase()))].sort();
  const parts = {
    accessKeyId: "test", date: date.slice(0, 8), region: "us-east-1", service, signedHeaders, signature: "", amzDate: date, presigned: false,
  };
  const payloadHash = headers.get("x-amz-content-sha256") ?? bytesToHex(sha256(body ?? new Uint8Array()));
  const signature = expectedSignature(request.method, url, headers, parts, "test", payloadHash, pathEncoding);
  headers.set("authorization", `AWS4-HMAC-SHA256 Credential=test/${parts.date}/us-east-1/${service}/aws4_request, SignedHeaders=${signedHeaders.join(";")}, Signature=${signature}`);
  return new Request(request.url, { method: request.method, headers, body: body && request.method !== "GET" && request.method !== "HEAD" ? (body as BodyInit) : undefined });
}

/** The wire request as a Request, signed for real when the target signs and the request still has the encoder's dummy signature (a SigV4 mutation stays as it is). */
function requestFor(target: Target, wire: WireRequest, service: ServiceDefinition): Request {
  const request = toRequest(wire);
  const signingName = service.model.metadata.signingName ?? service.model.metadata.endpointPrefix;
  if (!target.signs || request.headers.get("authorization") !== authorization(service.model)) return request;
  const hasBody = wire.body !== undefined && wire.method !== "GET" && wire.method !== "HEAD";
  return signRequest(request, hasBody ? wire.body : undefined, signingName, service.signedPathEncoding ?? "encode-again", target.clock.now());
}

/** Sends one request and returns what is wrong with the outcome, if anything. */
export async function probe(target: Target, wire: WireRequest, service: ServiceDefinition, timeoutMs = 10_000): Promise<string | undefined> {
  const signing = service.model.metadata.signingName ?? service.model.metadata.endpointPrefix;
  let request: Request;
  try {
    request = requestFor(target, wire, service);
  } catch {
    return undefined; // The Fetch API itself refuses it (e.g. a body on GET): no client can send it.
  }
  const before = target.logged.length;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const response = await Promise.race([
      target.emulator.fetch(request),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs); }),
    ]);
    const body = new Uint8Array(await response.arrayBuffer());
    if (target.signs && request.headers.get("authorization")?.startsWith("AWS4-HMAC-SHA256 Credential=test/")) {
      sent.signed++;
      if (response.status === 403 && /SignatureDoesNotMatch|InvalidSignatureException/.test(new TextDecoder().decode(body))) sent.signatureRejected++;
    }
    if (target.logged.length > before) return `uncaught exception (status ${response.status}): ${target.logged.slice(before).join(" / ")}`;
    if (response.status >= 500 && response.status !== 501) return `status ${response.status}: ${new TextDecoder().decode(body).slice(0, 200)}`;
    return errorShapeProblem(request, response, body, signing);
  } catch (error) {
    return `fetch rejected: ${error instanceof Error ? error.stack?.split("\n").slice(0, 4).join(" | ") : String(error)}`;
  } finally {
    clearTimeout(timer);
  }
}

function operationArbitrary(model: ServiceModel, operation: OperationModel, protocol: ProtocolId, wrongTypes: number) {
  const input = operation.input ? valueFor(model, operation.input, { wrongTypes: 0, maxDepth: 4 }) : fc.constant({});
  // The top level is always an object (members wrong-typed inside it).
  const inputWithWrongMembers = operation.input
    ? fc.oneof({ weight: 1, arbitrary: input }, { weight: 2, arbitrary: valueFor(model, operation.input, { wrongTypes, maxDepth: 4 }).filter((v) => !!v && typeof v === "object" && !Array.isArray(v)) })
    : input;
  // Which emulator: 0 plain, 1 verifying signatures (dummy signature), 2 verifying, signed for real.
  return fc.tuple(inputWithWrongMembers, mutation, fc.constantFrom(0, 1, 2, 2)).map(([value, m, target]) => {
    const wire = encodeRequest(model, operation, (value ?? {}) as Record<string, unknown>, protocol);
    return { wire: applyMutation(wire, protocol, m), target };
  });
}

/** Fuzzes every operation of `service` over every protocol it speaks; returns the failures. */
export async function fuzzService(service: ServiceDefinition, options: FuzzOptions): Promise<Failure[]> {
  const targets = [fuzzTarget(false), fuzzTarget(true), fuzzTarget(true, true)];
  for (const target of targets) await seedResources(target, service);
  const failures: Failure[] = [];
  const model = service.model;
  const seen = new Set<string>();
  for (const protocol of wireProtocols(model)) {
    for (const operation of Object.values(model.operations)) {
      if (options.operations && !options.operations.includes(operation.name)) continue;
      const arbitrary = operationArbitrary(model, operation, protocol, options.wrongTypes ?? 0.15);
      await fc.check(fc.asyncProperty(arbitrary, async ({ wire, target }) => {
        sent.count++;
        const problem = await probe(targets[target]!, wire, service, options.timeoutMs);
        if (problem) {
          const key = `${operation.name} ${protocol} ${problem.slice(0, 120)}`;
          if (!seen.has(key)) {
            seen.add(key);
            failures.push({ service: service.name, operation: operation.name, protocol, problem, request: describe(wire) });
          }
        }
        return true;
      }), { numRuns: options.runs, seed: options.seed ^ hash(`${service.name}.${operation.name}.${protocol}`) });
    }
  }
  return failures;
}

/** Requests sent by `fuzzService` in this process (for the figures in docs/fuzz.md). */
export const sent = { count: 0, signed: 0, signatureRejected: 0 };

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h | 0;
}

const ACCOUNT = "000000000000";
const REGION = "us-east-1";
const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT}:${resource}`;

/** Names and ARNs of the resources `seedResources` creates: string members draw from these often, so requests reach past "not found". */
export const FRIENDLY_STRINGS: string[] = [
  "fuzz", "fuzz.fifo", "alias/fuzz", "pk", "sk", "default", `http://localhost:4566/${ACCOUNT}/fuzz`, `http://localhost:4566/${ACCOUNT}/fuzz.fifo`,
  arn("sns", "fuzz"), arn("sqs", "fuzz"), arn("dynamodb", "table/fuzz"), arn("kinesis", "stream/fuzz"), arn("lambda", "function:fuzz"),
  `arn:aws:iam::${ACCOUNT}:role/fuzz`, arn("states", "stateMachine:fuzz"), "arn:aws:s3:::fuzz", arn("logs", "log-group:fuzz"),
  arn("events", "event-bus/fuzz"), arn("firehose", "deliverystream/fuzz"), arn("secretsmanager", "secret:fuzz"), arn("kms", "alias/fuzz"),
];


/** One resource of each kind the operations name, created through the handler (errors ignored). */
const SEEDS: Record<string, [string, Record<string, unknown>][]> = {
  s3: [["CreateBucket", { Bucket: "fuzz" }], ["PutObject", { Bucket: "fuzz", Key: "fuzz", Body: new Uint8Array(1024).fill(97) }],
    ["CreateMultipartUpload", { Bucket: "fuzz", Key: "fuzz" }]],
  sqs: [["CreateQueue", { QueueName: "fuzz" }], ["CreateQueue", { QueueName: "fuzz.fifo", Attributes: { FifoQueue: "true" } }],
    ["SendMessage", { QueueUrl: `http://localhost:4566/${ACCOUNT}/fuzz`, MessageBody: "fuzz" }]],
  sns: [["CreateTopic", { Name: "fuzz" }]],
  dynamodb: [["CreateTable", { TableName: "fuzz", AttributeDefinitions: [{ AttributeName: "pk", AttributeType: "S" }], KeySchema: [{ AttributeName: "pk", KeyType: "HASH" }], BillingMode: "PAY_PER_REQUEST", StreamSpecification: { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } }],
    ["PutItem", { TableName: "fuzz", Item: { pk: { S: "fuzz" }, n: { N: "1" }, l: { L: [{ S: "x" }] } } }]],
  kinesis: [["CreateStream", { StreamName: "fuzz", ShardCount: 1 }]],
  logs: [["CreateLogGroup", { logGroupName: "fuzz" }], ["CreateLogStream", { logGroupName: "fuzz", logStreamName: "fuzz" }]],
  ssm: [["PutParameter", { Name: "fuzz", Value: "fuzz", Type: "String" }]],
  secretsmanager: [["CreateSecret", { Name: "fuzz", SecretString: "fuzz" }]],
  kms: [["CreateKey", {}]],
  events: [["CreateEventBus", { Name: "fuzz" }], ["PutRule", { Name: "fuzz", EventPattern: '{"source":["fuzz"]}' }]],
  iam: [["CreateRole", { RoleName: "fuzz", AssumeRolePolicyDocument: '{"Version":"2012-10-17","Statement":[]}' }], ["CreateUser", { UserName: "fuzz" }]],
  stepfunctions: [["CreateStateMachine", { name: "fuzz", roleArn: `arn:aws:iam::${ACCOUNT}:role/fuzz`, definition: '{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}' }]],
  lambda: [["CreateFunction", { FunctionName: "fuzz", Runtime: "nodejs20.x", Role: `arn:aws:iam::${ACCOUNT}:role/fuzz`, Handler: "index.handler", Code: { ZipFile: zipSync({ "index.js": strToU8("exports.handler = async () => 1;") }) } }]],
  cloudwatch: [["PutMetricAlarm", { AlarmName: "fuzz", MetricName: "fuzz", Namespace: "fuzz", Statistic: "Average", Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: "GreaterThanThreshold" }]],
  firehose: [["CreateDeliveryStream", { DeliveryStreamName: "fuzz", S3DestinationConfiguration: { RoleARN: `arn:aws:iam::${ACCOUNT}:role/fuzz`, BucketARN: "arn:aws:s3:::fuzz" } }]],
};

/** Creates `service`'s seed resources in `target` (over its default protocol). */
export async function seedResources(target: Target, service: ServiceDefinition): Promise<void> {
  const model = service.model;
  for (const [operationName, input] of SEEDS[service.name] ?? []) {
    const operation = model.operations[operationName];
    if (!operation) continue;
    const response = await target.emulator.fetch(requestFor({ ...target, signs: true }, encodeRequest(model, operation, input, model.metadata.protocol), service));
    if (process.env.FUZZ_DEBUG) console.log(service.name, operationName, response.status, (await response.text()).slice(0, 200)); else await response.arrayBuffer();
  }
}

setFriendlyStrings(FRIENDLY_STRINGS);
