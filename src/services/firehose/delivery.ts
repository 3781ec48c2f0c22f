/**
 * Delivering a flushed batch: optional processing (Lambda through the Lambda service,
 * AppendDelimiterToRecord), then to fetchstack's own S3 (`ctx.invoke("s3", "PutObject")`) or
 * to an HTTP endpoint in Firehose's request format. Every delivery attempt is recorded under
 * ["delivery", stream, time, id] for introspection (`listDeliveries`).
 *
 * Sources: https://docs.aws.amazon.com/firehose/latest/dev/basic-deliver.html,
 * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html,
 * https://docs.aws.amazon.com/firehose/latest/dev/httpdeliveryrequestresponse.html
 */
import type { RequestContext } from "../types.ts";
import type { Store } from "../../store/types.ts";
import { isAwsError } from "../../protocol/errors.ts";
import { base64ToBytes, bytesToBase64 } from "../../encoding/base64.ts";
import { dataPrefix, errorPrefix, objectSuffix } from "./prefixes.ts";
import type { StoredDestination, StoredStream } from "./streams.ts";
import type { EncryptionConfiguration, ProcessingConfiguration, Processor } from "../../generated/firehose.ts";

export interface BatchRecord {
  RecordId: string;
  /** Arrival time (ms). */
  at: number;
  /** base64 bytes. */
  data: string;
}

/** One delivery attempt, as introspection lists it. */
export interface DeliveryRecord {
  DeliveryStreamName: string;
  DestinationId: string;
  /** "s3" (data or error output), "http", or the destination kind when not emulated. */
  target: string;
  status: "delivered" | "failed" | "not-delivered";
  /** Why the buffer was flushed. */
  trigger: "size" | "interval";
  Bucket?: string;
  Key?: string;
  Url?: string;
  /** Bytes written (after compression). */
  Size: number;
  RecordCount: number;
  RecordIds: string[];
  CompressionFormat?: string;
  /** "data", "error" (error output prefix), or "backup" (source record backup). */
  output: "data" | "error" | "backup";
  DeliveredAt: number;
  error?: string;
  /** Deviations from AWS worth knowing (e.g. Lambda not available, so untransformed). */
  notes?: string[];
}

const EXTENSIONS: Record<string, string> = { GZIP: ".gz", ZIP: ".zip", Snappy: ".snappy", HADOOP_SNAPPY: ".hsnappy" };

/** Every recorded delivery of this account and region, oldest first (optionally one stream's). */
export async function listDeliveries(store: Store, stream?: string): Promise<DeliveryRecord[]> {
  const out: DeliveryRecord[] = [];
  for await (const entry of store.list<DeliveryRecord>({ prefix: stream ? ["delivery", stream] : ["delivery"] })) out.push(entry.value);
  return out.sort((a, b) => a.DeliveredAt - b.DeliveredAt);
}

async function record(ctx: RequestContext, r: DeliveryRecord): Promise<void> {
  await ctx.store.set(["delivery", r.DeliveryStreamName, r.DeliveredAt, crypto.randomUUID()], r);
}

function bytesOf(b64: string): Uint8Array {
  const bytes = base64ToBytes(b64);
  return typeof bytes === "string" ? new Uint8Array(0) : bytes;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) out.set(p, offset), (offset += p.length);
  return out;
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

async function readPayload(payload: unknown): Promise<Uint8Array> {
  if (payload instanceof Uint8Array) return payload;
  if (typeof payload === "string") return new TextEncoder().encode(payload);
  if (payload && typeof (payload as ReadableStream).getReader === "function") {
    return new Uint8Array(await new Response(payload as ReadableStream).arrayBuffer());
  }
  return new Uint8Array(0);
}

function bucketOf(arn: string | undefined): string {
  return (arn ?? "").replace(/^arn:[^:]*:s3:::/, "");
}

interface FailedRecord extends BatchRecord {
  errorCode: string;
  errorMessage: string;
  lambdaArn?: string;
}

interface Processed {
  ok: BatchRecord[];
  failed: FailedRecord[];
  notes: string[];
}

function parameter(processor: Processor, name: string): string | undefined {
  return processor.Parameters?.find((p) => p.ParameterName === name)?.ParameterValue;
}

/** Runs the destination's ProcessingConfiguration over a batch. */
async function process(ctx: RequestContext, stream: StoredStream, config: ProcessingConfiguration | undefined, records: BatchRecord[]): Promise<Processed> {
  const result: Processed = { ok: records, failed: [], notes: [] };
  if (!config?.Enabled || !config.Processors?.length) return result;
  for (const processor of config.Processors) {
    if (processor.Type === "Lambda") {
      const step = await invokeLambda(ctx, stream, parameter(processor, "LambdaArn") ?? "", result.ok);
      result.ok = step.ok;
      result.failed.push(...step.failed);
      result.notes.push(...step.notes);
    } else if (processor.Type === "AppendDelimiterToRecord") {
      const delimiter = new TextEncoder().encode(unescapeDelimiter(parameter(processor, "Delimiter") ?? "\\n"));
      result.ok = result.ok.map((r) => ({ ...r, data: bytesToBase64(concat([bytesOf(r.data), delimiter])) }));
    } else {
      result.notes.push(`processor ${processor.Type} is not emulated; records passed through unchanged`);
    }
  }
  return result;
}

function unescapeDelimiter(text: string): string {
  return text.replace(/\\n/g, "\n").replace(/\\t/g, "\t").replace(/\\r/g, "\r");
}

/** The Firehose → Lambda transformation contract (recordId / result / data). */
async function invokeLambda(ctx: RequestContext, stream: StoredStream, lambdaArn: string, records: BatchRecord[]): Promise<Processed> {
  const event = {
    invocationId: crypto.randomUUID(),
    deliveryStreamArn: stream.DeliveryStreamARN,
    region: ctx.region,
    records: records.map((r) => ({ recordId: r.RecordId, approximateArrivalTimestamp: r.at, data: r.data })),
  };
  const fail = (errorCode: string, errorMessage: string): Processed => ({
    ok: [],
    failed: records.map((r) => ({ ...r, errorCode, errorMessage, lambdaArn })),
    notes: [],
  });
  let output: Record<string, unknown>;
  try {
    output = await ctx.invoke("lambda", "Invoke", {
      FunctionName: lambdaArn,
      InvocationType: "RequestResponse",
      Payload: new TextEncoder().encode(JSON.stringify(event)),
    });
  } catch (error) {
    if (isAwsError(error) && (error.status === 501 || error.code === "NotImplemented")) {
      return { ok: records, failed: [], notes: [`Lambda transformation skipped: ${error.message}; records delivered untransformed`] };
    }
    const code = isAwsError(error) ? error.code : "ServiceException";
    return fail(`Lambda.${code}`, error instanceof Error ? error.message : String(error));
  }
  const payload = new TextDecoder().decode(await readPayload(output.Payload));
  if (output.FunctionError) return fail("Lambda.FunctionError", `The Lambda function was successfully invoked but it returned an error result: ${payload}`);
  /** What a transformation Lambda answers (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html). */
  type Answer = { recordId?: string; result?: unknown; data?: unknown };
  let parsed: { records?: Answer[] } | null;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return fail("Lambda.JsonProcessingException", "The Lambda function response is not valid JSON.");
  }
  const byId = new Map<string | undefined, Answer>();
  for (const r of Array.isArray(parsed?.records) ? parsed.records : []) byId.set(r?.recordId, r);
  const out: Processed = { ok: [], failed: [], notes: [] };
  for (const r of records) {
    const answer = byId.get(r.RecordId);
    if (!answer) {
      out.failed.push({ ...r, errorCode: "Lambda.MissingRecordId", errorMessage: `One or more record Ids were not returned. Ensure that the Lambda function returns all received record Ids.`, lambdaArn });
    } else if (answer.result === "Ok") {
      out.ok.push({ ...r, data: typeof answer.data === "string" ? answer.data : "" });
    } else if (answer.result === "Dropped") {
      continue;
    } else if (answer.result === "ProcessingFailed") {
      out.failed.push({ ...r, errorCode: "Lambda.ProcessingFailedStatus", errorMessage: "The Lambda function returned ProcessingFailed for this record.", lambdaArn });
    } else {
      out.failed.push({ ...r, errorCode: "Lambda.InvalidResult", errorMessage: `Invalid result ${JSON.stringify(answer.result)} for record ${r.RecordId}.`, lambdaArn });
    }
  }
  return out;
}

/** Failed records as Firehose writes them under the error output prefix: one JSON line each. */
function errorLines(failed: FailedRecord[], now: number): Uint8Array {
  const lines = failed.map((f) => JSON.stringify({
    attemptsMade: 1,
    arrivalTimestamp: f.at,
    errorCode: f.errorCode,
    errorMessage: f.errorMessage,
    attemptEndingTimestamp: now,
    rawData: f.data,
    ...(f.lambdaArn ? { lambdaArn: f.lambdaArn } : {}),
  }) + "\n");
  return new TextEncoder().encode(lines.join(""));
}

interface S3Target {
  BucketARN?: string;
  Prefix?: string;
  ErrorOutputPrefix?: string;
  CompressionFormat?: string;
  FileExtension?: string;
  EncryptionConfiguration?: EncryptionConfiguration;
}

/** Writes one object to fetchstack's S3 and records it. */
async function putObject(
  ctx: RequestContext,
  stream: StoredStream,
  destination: StoredDestination,
  target: S3Target,
  body: Uint8Array,
  records: BatchRecord[],
  output: DeliveryRecord["output"],
  trigger: DeliveryRecord["trigger"],
  notes: string[],
  errorType?: string,
): Promise<void> {
  const oldest = Math.min(...records.map((r) => r.at));
  const format = errorType ? "UNCOMPRESSED" : target.CompressionFormat ?? "UNCOMPRESSED";
  const bucket = bucketOf(target.BucketARN);
  const base: DeliveryRecord = {
    DeliveryStreamName: stream.DeliveryStreamName,
    DestinationId: destination.DestinationId,
    target: "s3",
    status: "delivered",
    trigger,
    Bucket: bucket,
    Size: 0,
    RecordCount: records.length,
    RecordIds: records.map((r) => r.RecordId),
    CompressionFormat: format,
    output,
    DeliveredAt: ctx.clock.now(),
    ...(notes.length ? { notes } : {}),
  };
  if (format !== "UNCOMPRESSED" && format !== "GZIP") {
    await record(ctx, { ...base, status: "not-delivered", error: `CompressionFormat ${format} is not emulated by fetchstack; nothing was written.` });
    return;
  }
  const data = format === "GZIP" ? await gzip(body) : body;
  const extension = errorType ? "" : target.FileExtension ?? EXTENSIONS[format] ?? "";
  const prefix = errorType ? errorPrefix(target.ErrorOutputPrefix, oldest, errorType) : dataPrefix(target.Prefix, oldest);
  const key = prefix + objectSuffix(stream.DeliveryStreamName, stream.VersionId, oldest, extension);
  try {
    // EncryptionConfiguration.KMSEncryptionConfig: objects are written with SSE-KMS under that key.
    const kmsKey = target.EncryptionConfiguration?.KMSEncryptionConfig?.AWSKMSKeyARN;
    await ctx.invoke("s3", "PutObject", { Bucket: bucket, Key: key, Body: data, ...(kmsKey ? { ServerSideEncryption: "aws:kms", SSEKMSKeyId: kmsKey } : {}) });
    await record(ctx, { ...base, Key: key, Size: data.length });
  } catch (error) {
    await record(ctx, { ...base, Key: key, status: "failed", error: error instanceof Error ? `${(error as Error & { code?: string }).code ?? error.name}: ${error.message}` : String(error) });
  }
}

/** Delivers one flushed batch to the stream's destination. */
export async function deliver(
  ctx: RequestContext,
  stream: StoredStream,
  destination: StoredDestination | undefined,
  records: BatchRecord[],
  trigger: "size" | "interval",
): Promise<void> {
  if (!destination || !records.length) return;
  const d = destination.description;
  if (destination.kind === "ExtendedS3") {
    if (d.S3BackupMode === "Enabled" && d.S3BackupDescription) {
      await putObject(ctx, stream, destination, d.S3BackupDescription, concat(records.map((r) => bytesOf(r.data))), records, "backup", trigger, []);
    }
    const processed = await process(ctx, stream, d.ProcessingConfiguration, records);
    if (processed.ok.length) {
      await putObject(ctx, stream, destination, d, concat(processed.ok.map((r) => bytesOf(r.data))), processed.ok, "data", trigger, processed.notes);
    }
    if (processed.failed.length) {
      await putObject(ctx, stream, destination, d, errorLines(processed.failed, ctx.clock.now()), processed.failed, "error", trigger, processed.notes, "processing-failed");
    }
    return;
  }
  if (destination.kind === "HttpEndpoint") {
    await deliverHttp(ctx, stream, destination, records, trigger);
    return;
  }
  if (destination.kind === "Redshift" && d.S3DestinationDescription) {
    // Redshift loads from the intermediate S3 bucket; fetchstack writes it but runs no COPY.
    await putObject(ctx, stream, destination, d.S3DestinationDescription, concat(records.map((r) => bytesOf(r.data))), records, "data", trigger,
      ["Redshift COPY is not emulated; data was written to the intermediate S3 bucket only"]);
    return;
  }
  await record(ctx, {
    DeliveryStreamName: stream.DeliveryStreamName,
    DestinationId: destination.DestinationId,
    target: destination.kind,
    status: "not-delivered",
    trigger,
    Size: records.reduce((n, r) => n + bytesOf(r.data).length, 0),
    RecordCount: records.length,
    RecordIds: records.map((r) => r.RecordId),
    output: "data",
    DeliveredAt: ctx.clock.now(),
    error: `Delivery to ${destination.kind} destinations is not emulated; the configuration is stored only.`,
  });
}

/** POSTs a batch in Firehose's HTTP endpoint request format; failures go to the S3 backup. */
async function deliverHttp(ctx: RequestContext, stream: StoredStream, destination: StoredDestination, records: BatchRecord[], trigger: "size" | "interval"): Promise<void> {
  const d = destination.description;
  const processed = await process(ctx, stream, d.ProcessingConfiguration, records);
  const requestId = crypto.randomUUID();
  const timestamp = ctx.clock.now();
  const json = JSON.stringify({ requestId, timestamp, records: processed.ok.map((r) => ({ data: r.data })) });
  const gzipped = d.RequestConfiguration?.ContentEncoding === "GZIP";
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "X-Amz-Firehose-Protocol-Version": "1.0",
    "X-Amz-Firehose-Request-Id": requestId,
    "X-Amz-Firehose-Source-Arn": stream.DeliveryStreamARN,
  };
  if (destination.secrets?.AccessKey) headers["X-Amz-Firehose-Access-Key"] = destination.secrets.AccessKey;
  const attributes = d.RequestConfiguration?.CommonAttributes as { AttributeName: string; AttributeValue: string }[] | undefined;
  if (attributes?.length) {
    headers["X-Amz-Firehose-Common-Attributes"] = JSON.stringify({ commonAttributes: Object.fromEntries(attributes.map((a) => [a.AttributeName, a.AttributeValue])) });
  }
  if (gzipped) headers["Content-Encoding"] = "gzip";
  const body = gzipped ? await gzip(new TextEncoder().encode(json)) : new TextEncoder().encode(json);
  const url = d.EndpointConfiguration?.Url as string;
  let error: string | undefined;
  let errorCode = "HttpEndpoint.InvalidResponseFromDestination";
  if (processed.ok.length) {
    try {
      const response = await fetch(url, { method: "POST", headers, body: body as BodyInit, signal: AbortSignal.timeout(30_000) });
      const text = await response.text();
      let answer: { requestId?: unknown } | undefined;
      try {
        answer = JSON.parse(text);
      } catch {
        answer = undefined;
      }
      if (response.status !== 200) error = `The HTTP endpoint responded with status ${response.status}.`;
      else if (answer?.requestId !== requestId) error = "The response received from the endpoint is invalid: requestId does not match.";
    } catch (e) {
      errorCode = "HttpEndpoint.DestinationException";
      error = `The request to the endpoint failed: ${e instanceof Error ? e.message : String(e)}`;
    }
    await record(ctx, {
      DeliveryStreamName: stream.DeliveryStreamName,
      DestinationId: destination.DestinationId,
      target: "http",
      status: error ? "failed" : "delivered",
      trigger,
      Url: url,
      Size: body.length,
      RecordCount: processed.ok.length,
      RecordIds: processed.ok.map((r) => r.RecordId),
      output: "data",
      DeliveredAt: ctx.clock.now(),
      ...(error ? { error } : {}),
      ...(processed.notes.length ? { notes: processed.notes } : {}),
    });
  }
  const s3 = d.S3DestinationDescription as S3Target | undefined;
  if (!s3) return;
  if (d.S3BackupMode === "AllData") {
    await putObject(ctx, stream, destination, s3, concat(records.map((r) => bytesOf(r.data))), records, "backup", trigger, []);
  }
  const failed: FailedRecord[] = [...processed.failed];
  if (error) failed.push(...processed.ok.map((r) => ({ ...r, errorCode, errorMessage: error! })));
  if (failed.length) {
    const type = processed.failed.length && !error ? "processing-failed" : "http-endpoint-failed";
    await putObject(ctx, stream, destination, s3, errorLines(failed, ctx.clock.now()), failed, "error", trigger, processed.notes, type);
  }
}
