/**
 * ExportTableToPointInTime / DescribeExport / ListExports and ImportTable / DescribeImport /
 * ListImports, against fetchstack's own S3 through `ctx.invoke("s3", ...)`.
 * Sources: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataExport.Output.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/S3DataImport.Format.html
 *
 * An export (PITR must be on) writes the table as it was at ExportTime in DynamoDB JSON:
 * `<prefix>/AWSDynamoDB/<exportId>/data/<uuid>.json.gz` (one `{"Item": {...}}` per line,
 * gzipped), `manifest-summary.json`, `manifest-files.json` and `_started`. An import reads
 * every object under the prefix (DYNAMODB_JSON lines or CSV, GZIP or uncompressed) into a new
 * table. Both run during the call: the call answers IN_PROGRESS, Describe* then COMPLETED (or
 * FAILED with the S3 error). Incremental exports write the items changed in a window (with their
 * new and old images) from the PITR change log. ION and ZSTD fail the job with a message.
 */
import { AwsError } from "../../protocol/errors.ts";
import type { InputOf, OutputOf, RequestContext } from "../types.ts";
import { findTable, tableNameOf, type TableRecord } from "./table-model.ts";
import { itemsAt, pitrWindow } from "./backups.ts";
import { createTable } from "./tables.ts";
import { loadItems, type HistoryEntry } from "./storage.ts";
import { encodeKey } from "../../store/keys.ts";
import { checkItem } from "./item-keys.ts";
import { itemSize, normalizeItem, type AttributeValue, type Item } from "./values-adapter.ts";
import type * as ddb from "../../generated/dynamodb.ts";
import { bytesToBase64, decodeBase64 } from "../../encoding/base64.ts";
type Ops = ddb.Operations;

/** DynamoDB JSON text of an item (binary as base64). */
function itemJson(item: Item): string {
  return JSON.stringify(item, (_k, v) => (v instanceof Uint8Array ? bytesToBase64(v) : v));
}

/** An item from DynamoDB JSON (base64 binary back to bytes). */
function itemFromJson(value: Record<string, unknown>): Item {
  // Shapes are checked afterwards by normalizeItem; here only binary text becomes bytes.
  const fix = (node: unknown): AttributeValue => {
    const av = node as AttributeValue;
    if (!av || typeof av !== "object") return av;
    if (typeof av.B === "string") return { B: decodeBase64(av.B) };
    if (Array.isArray(av.BS)) return { BS: av.BS.map((b) => (typeof b === "string" ? decodeBase64(b) : b)) };
    if (av.M) return { M: Object.fromEntries(Object.entries(av.M).map(([k, v]) => [k, fix(v)])) };
    if (av.L) return { L: av.L.map(fix) };
    return av;
  };
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fix(v)]));
}

async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(new CompressionStream("gzip"))).arrayBuffer());
}

async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await new Response(new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"))).arrayBuffer());
}

async function bytesOf(body: unknown): Promise<Uint8Array> {
  if (body instanceof Uint8Array) return body;
  if (typeof body === "string") return new TextEncoder().encode(body);
  if (body instanceof ReadableStream) return new Uint8Array(await new Response(body).arrayBuffer());
  if (body && typeof (body as Blob).arrayBuffer === "function") return new Uint8Array(await (body as Blob).arrayBuffer());
  return new Uint8Array();
}

function jobId(now: number): string {
  return `${String(now).padStart(13, "0")}-${crypto.randomUUID().slice(0, 8)}`;
}

function s3Failure(e: unknown): { code: string; message: string } {
  if (e instanceof AwsError) return { code: e.code === "NoSuchBucket" ? "S3NoSuchBucket" : e.code, message: e.message };
  return { code: "UNKNOWN", message: e instanceof Error ? e.message : String(e) };
}

// ---- Export ----

interface ExportRecord {
  ExportArn: string;
  ExportStatus: "IN_PROGRESS" | "COMPLETED" | "FAILED";
  StartTime: number;
  EndTime: number;
  ExportManifest?: string;
  TableArn: string;
  TableId: string;
  /** Full exports only. */
  ExportTime?: number;
  ClientToken?: string;
  S3Bucket: string;
  S3BucketOwner?: string;
  S3Prefix?: string;
  S3SseAlgorithm?: ddb.S3SseAlgorithm;
  FailureCode?: string;
  FailureMessage?: string;
  ExportFormat: ddb.ExportFormat;
  BilledSizeBytes: number;
  ItemCount: number;
  ExportType: ddb.ExportType;
  IncrementalExportSpecification?: { ExportFromTime: number; ExportToTime: number; ExportViewType: ddb.ExportViewType };
}

function exportDescription(record: ExportRecord, status = record.ExportStatus): ddb.ExportDescription {
  const { ExportTime: _t, IncrementalExportSpecification: _s, ...r } = record;
  return {
    ...r,
    ExportStatus: status,
    StartTime: new Date(r.StartTime),
    ...(status === "IN_PROGRESS" ? { EndTime: undefined } : { EndTime: new Date(r.EndTime) }),
    ...(record.ExportTime !== undefined ? { ExportTime: new Date(record.ExportTime) } : {}),
    ...(record.IncrementalExportSpecification
      ? {
        IncrementalExportSpecification: {
          ...record.IncrementalExportSpecification,
          ExportFromTime: new Date(record.IncrementalExportSpecification.ExportFromTime),
          ExportToTime: new Date(record.IncrementalExportSpecification.ExportToTime),
        },
      }
      : {}),
  };
}

const MINUTE = 60_000;

/**
 * The window of an incremental export, checked as DynamoDB checks it: a spec with ExportFromTime,
 * a period of 15 minutes to 24 hours inside the PITR window, no ExportTime. ExportToTime defaults
 * to now; the view to NEW_AND_OLD_IMAGES. The wording after "Invalid Request: ExportFromTime must
 * be provided in IncrementalExportSpecification" is ours.
 */
function incrementalWindow(input: InputOf<Ops, "ExportTableToPointInTime">, window: { earliest: number; latest: number }) {
  const spec = input.IncrementalExportSpecification;
  const bad = (m: string) => new AwsError("ValidationException", `Invalid Request: ${m}`, 400);
  if (!spec) throw bad("IncrementalExportSpecification must be provided when ExportType is INCREMENTAL_EXPORT");
  if (input.ExportTime !== undefined) throw bad("ExportTime cannot be specified for an incremental export; use IncrementalExportSpecification");
  if (spec.ExportFromTime === undefined) throw bad("ExportFromTime must be provided in IncrementalExportSpecification");
  const from = new Date(spec.ExportFromTime).getTime();
  const to = spec.ExportToTime !== undefined ? new Date(spec.ExportToTime).getTime() : window.latest;
  if (from >= to) throw bad("ExportFromTime must be before ExportToTime");
  if (to - from < 15 * MINUTE || to - from > 24 * 60 * MINUTE) throw bad("The incremental export period must be at least 15 minutes and at most 24 hours");
  if (from < window.earliest || to > window.latest) {
    throw new AwsError(
      "InvalidExportTimeException",
      `ExportFromTime and ExportToTime must be within the table's point-in-time recovery window: ${new Date(window.earliest).toISOString()} to ${new Date(window.latest).toISOString()}`,
      400,
    );
  }
  return { ExportFromTime: from, ExportToTime: to, ExportViewType: spec.ExportViewType ?? "NEW_AND_OLD_IMAGES" };
}

/** One incremental export line per item written in [from, to): its keys, images and last write time. */
async function changesBetween(ctx: RequestContext, table: TableRecord, from: number, to: number, view: ddb.ExportViewType): Promise<{ lines: string[]; size: number }> {
  const before = new Map<string, Item | null>();
  const after = new Map<string, { item: Item | null; at: number }>();
  for await (const e of ctx.store.list<HistoryEntry>({ prefix: ["hist", table.id] })) {
    const { k, item, at } = e.value;
    if (at >= to) break;
    const id = encodeKey(k);
    if (at < from) before.set(id, item);
    else after.set(id, { item, at });
  }
  const lines: string[] = [];
  let size = 0;
  for (const [id, last] of after) {
    const old = before.get(id) ?? null;
    // Created and deleted inside the window: nothing to export.
    if (!old && !last.item) continue;
    const whole = (last.item ?? old)!;
    const keys: Item = { [table.hash]: whole[table.hash]! };
    if (table.range) keys[table.range] = whole[table.range]!;
    const record: Record<string, unknown> = { Metadata: { WriteTimestampMicros: { N: String(last.at * 1000) } }, Keys: keys };
    if (last.item) record.NewImage = last.item;
    if (old && view === "NEW_AND_OLD_IMAGES") record.OldImage = old;
    lines.push(JSON.stringify(record, (_k, v) => (v instanceof Uint8Array ? bytesToBase64(v) : v)));
    size += itemSize(keys) + (last.item ? itemSize(last.item) : 0) + (old && view === "NEW_AND_OLD_IMAGES" ? itemSize(old) : 0);
  }
  return { lines, size };
}

export async function exportTableToPointInTime(input: InputOf<Ops, "ExportTableToPointInTime">, ctx: RequestContext): Promise<OutputOf<Ops, "ExportTableToPointInTime">> {
  const name = tableNameOf(input.TableArn);
  const table = await findTable(ctx, name);
  if (!table) throw new AwsError("TableNotFoundException", `Table not found: ${name}`, 400);
  const now = ctx.clock.now();
  const window = pitrWindow(table, now);
  const type = input.ExportType ?? "FULL_EXPORT";
  const incremental = type === "INCREMENTAL_EXPORT" ? incrementalWindow(input, window) : undefined;
  const at = input.ExportTime ? new Date(input.ExportTime).getTime() : now;
  if (!incremental && (at < window.earliest || at > window.latest)) {
    throw new AwsError("InvalidExportTimeException", `ExportTime must be within the table's point-in-time recovery window: ${new Date(window.earliest).toISOString()} to ${new Date(window.latest).toISOString()}`, 400);
  }
  const format = input.ExportFormat ?? "DYNAMODB_JSON";
  const id = jobId(now);
  const record: ExportRecord = {
    ExportArn: `${table.arn}/export/${id}`,
    ExportStatus: "COMPLETED",
    StartTime: now,
    EndTime: now,
    TableArn: table.arn,
    TableId: table.id,
    ...(incremental ? { IncrementalExportSpecification: incremental } : { ExportTime: at }),
    ...(input.ClientToken ? { ClientToken: input.ClientToken } : {}),
    S3Bucket: input.S3Bucket,
    ...(input.S3BucketOwner ? { S3BucketOwner: input.S3BucketOwner } : {}),
    ...(input.S3Prefix ? { S3Prefix: input.S3Prefix } : {}),
    S3SseAlgorithm: input.S3SseAlgorithm ?? "AES256",
    ExportFormat: format,
    BilledSizeBytes: 0,
    ItemCount: 0,
    ExportType: type,
  };
  if (format !== "DYNAMODB_JSON") {
    Object.assign(record, { ExportStatus: "FAILED", FailureCode: "UNSUPPORTED", FailureMessage: `fetchstack exports DYNAMODB_JSON only (asked: ${format})` });
  } else if (incremental) {
    try {
      await writeIncrementalExport(ctx, table, record, incremental, input.S3Prefix, now);
    } catch (e) {
      const f = s3Failure(e);
      Object.assign(record, { ExportStatus: "FAILED", FailureCode: f.code, FailureMessage: f.message });
    }
  } else {
    try {
      const items = await itemsAt(ctx, table, at);
      const base = `${input.S3Prefix ? `${input.S3Prefix.replace(/\/+$/, "")}/` : ""}AWSDynamoDB/${id}/`;
      const lines = items.map((i) => `{"Item":${itemJson(i)}}\n`).join("");
      const data = await gzip(new TextEncoder().encode(lines));
      const dataKey = `${base}data/${crypto.randomUUID().replace(/-/g, "").slice(0, 26)}.json.gz`;
      const size = items.reduce((n, i) => n + itemSize(i), 0);
      await ctx.invoke("s3", "PutObject", { Bucket: input.S3Bucket, Key: `${base}_started`, Body: new Uint8Array() });
      await ctx.invoke("s3", "PutObject", { Bucket: input.S3Bucket, Key: dataKey, Body: data });
      const files = JSON.stringify({ itemCount: items.length, md5Checksum: "", etag: "", dataFileS3Key: dataKey });
      await ctx.invoke("s3", "PutObject", { Bucket: input.S3Bucket, Key: `${base}manifest-files.json`, Body: new TextEncoder().encode(`${files}\n`) });
      const summary = {
        version: "2020-06-30", exportArn: record.ExportArn, startTime: new Date(now).toISOString(), endTime: new Date(now).toISOString(),
        tableArn: table.arn, tableId: table.id, exportTime: new Date(at).toISOString(), s3Bucket: input.S3Bucket, s3Prefix: input.S3Prefix ?? null,
        s3SseAlgorithm: record.S3SseAlgorithm, s3SseKmsKeyId: null, manifestFilesS3Key: `${base}manifest-files.json`, billedSizeBytes: size,
        itemCount: items.length, outputFormat: "DYNAMODB_JSON", exportType: "FULL_EXPORT",
      };
      await ctx.invoke("s3", "PutObject", { Bucket: input.S3Bucket, Key: `${base}manifest-summary.json`, Body: new TextEncoder().encode(JSON.stringify(summary)) });
      Object.assign(record, { ItemCount: items.length, BilledSizeBytes: size, ExportManifest: `${base}manifest-summary.json` });
    } catch (e) {
      const f = s3Failure(e);
      Object.assign(record, { ExportStatus: "FAILED", FailureCode: f.code, FailureMessage: f.message });
    }
  }
  await ctx.store.set(["export", record.ExportArn], record);
  return { ExportDescription: exportDescription(record, "IN_PROGRESS") };
}

/**
 * Writes an incremental export: the changed items under the prefix's shared
 * `AWSDynamoDB/data/` folder (one gzipped DynamoDB JSON line per item), and
 * `AWSDynamoDB/<exportId>/` with `_started`, `manifest-files.json` and `manifest-summary.json`
 * (version 2023-08-01, with `outputView` and `exportType`).
 */
async function writeIncrementalExport(
  ctx: RequestContext,
  table: TableRecord,
  record: ExportRecord,
  spec: NonNullable<ExportRecord["IncrementalExportSpecification"]>,
  prefix: string | undefined,
  now: number,
): Promise<void> {
  const { lines, size } = await changesBetween(ctx, table, spec.ExportFromTime, spec.ExportToTime, spec.ExportViewType);
  const root = `${prefix ? `${prefix.replace(/\/+$/, "")}/` : ""}AWSDynamoDB/`;
  const base = `${root}${record.ExportArn.slice(record.ExportArn.lastIndexOf("/") + 1)}/`;
  const dataKey = `${root}data/${crypto.randomUUID().replace(/-/g, "").slice(0, 26)}.json.gz`;
  const put = (Key: string, Body: Uint8Array) => ctx.invoke("s3", "PutObject", { Bucket: record.S3Bucket, Key, Body });
  await put(`${base}_started`, new Uint8Array());
  await put(dataKey, await gzip(new TextEncoder().encode(lines.map((l) => `${l}\n`).join(""))));
  const files = JSON.stringify({ itemCount: lines.length, md5Checksum: "", etag: "", dataFileS3Key: dataKey });
  await put(`${base}manifest-files.json`, new TextEncoder().encode(`${files}\n`));
  const iso = (t: number) => new Date(t).toISOString();
  const summary = {
    version: "2023-08-01", exportArn: record.ExportArn, startTime: iso(now), endTime: iso(now), tableArn: table.arn, tableId: table.id,
    exportFromTime: iso(spec.ExportFromTime), exportToTime: iso(spec.ExportToTime), s3Bucket: record.S3Bucket, s3Prefix: prefix ?? null,
    s3SseAlgorithm: record.S3SseAlgorithm, s3SseKmsKeyId: null, manifestFilesS3Key: `${base}manifest-files.json`, billedSizeBytes: size,
    itemCount: lines.length, outputFormat: "DYNAMODB_JSON", outputView: spec.ExportViewType, exportType: "INCREMENTAL_EXPORT",
  };
  await put(`${base}manifest-summary.json`, new TextEncoder().encode(JSON.stringify(summary)));
  Object.assign(record, { ItemCount: lines.length, BilledSizeBytes: size, ExportManifest: `${base}manifest-summary.json` });
}

export async function describeExport(input: InputOf<Ops, "DescribeExport">, ctx: RequestContext): Promise<OutputOf<Ops, "DescribeExport">> {
  const r = (await ctx.store.get<ExportRecord>(["export", input.ExportArn])).value;
  if (!r) throw new AwsError("ExportNotFoundException", `Export not found: ${input.ExportArn}`, 400);
  return { ExportDescription: exportDescription(r) };
}

export async function listExports(input: InputOf<Ops, "ListExports">, ctx: RequestContext): Promise<OutputOf<Ops, "ListExports">> {
  const all: ExportRecord[] = [];
  for await (const e of ctx.store.list<ExportRecord>({ prefix: ["export"] })) {
    if (!input.TableArn || e.value.TableArn === input.TableArn) all.push(e.value);
  }
  const start = input.NextToken ? Number(input.NextToken) || 0 : 0;
  const size = input.MaxResults ?? 25;
  const page = all.slice(start, start + size).map((r) => ({ ExportArn: r.ExportArn, ExportStatus: r.ExportStatus, ExportType: r.ExportType }));
  return { ExportSummaries: page, ...(start + size < all.length ? { NextToken: String(start + size) } : {}) };
}

// ---- Import ----

interface ImportRecord {
  ImportArn: string;
  ImportStatus: "IN_PROGRESS" | "COMPLETED" | "FAILED";
  TableArn: string;
  TableId?: string;
  ClientToken?: string;
  S3BucketSource: { S3Bucket: string; S3KeyPrefix?: string; S3BucketOwner?: string };
  ErrorCount: number;
  CloudWatchLogGroupArn: string;
  InputFormat: ddb.InputFormat;
  InputFormatOptions?: ddb.InputFormatOptions;
  InputCompressionType: ddb.InputCompressionType;
  TableCreationParameters: ddb.TableCreationParameters;
  StartTime: number;
  EndTime: number;
  ProcessedSizeBytes: number;
  ProcessedItemCount: number;
  ImportedItemCount: number;
  FailureCode?: string;
  FailureMessage?: string;
}

function importDescription(r: ImportRecord, status = r.ImportStatus): ddb.ImportTableDescription {
  return { ...r, ImportStatus: status, StartTime: new Date(r.StartTime), ...(status === "IN_PROGRESS" ? { EndTime: undefined } : { EndTime: new Date(r.EndTime) }) };
}

/** Splits one CSV line (RFC 4180 quoting). */
function csvFields(line: string, delimiter: string): string[] {
  const out: string[] = [];
  let field = "", quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) { out.push(field); field = ""; } else field += c;
  }
  out.push(field);
  return out;
}

async function readObjects(ctx: RequestContext, bucket: string, prefix: string | undefined): Promise<{ key: string; body: Uint8Array }[]> {
  const objects: { key: string; body: Uint8Array }[] = [];
  let token: string | undefined;
  do {
    const page = await ctx.invoke("s3", "ListObjectsV2", { Bucket: bucket, ...(prefix ? { Prefix: prefix } : {}), ...(token ? { ContinuationToken: token } : {}) }) as {
      Contents?: { Key: string }[]; IsTruncated?: boolean; NextContinuationToken?: string;
    };
    for (const o of page.Contents ?? []) {
      if (o.Key.endsWith("/")) continue;
      const got = await ctx.invoke("s3", "GetObject", { Bucket: bucket, Key: o.Key });
      objects.push({ key: o.Key, body: await bytesOf(got.Body) });
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return objects;
}

export async function importTable(input: InputOf<Ops, "ImportTable">, ctx: RequestContext): Promise<OutputOf<Ops, "ImportTable">> {
  const params = input.TableCreationParameters;
  const now = ctx.clock.now();
  const tableArn = `arn:aws:dynamodb:${ctx.region}:${ctx.accountId}:table/${params.TableName}`;
  if (await findTable(ctx, params.TableName)) throw new AwsError("ResourceInUseException", `Table already exists: ${params.TableName}`, 400);
  const record: ImportRecord = {
    ImportArn: `${tableArn}/import/${jobId(now)}`,
    ImportStatus: "COMPLETED",
    TableArn: tableArn,
    ...(input.ClientToken ? { ClientToken: input.ClientToken } : {}),
    S3BucketSource: input.S3BucketSource,
    ErrorCount: 0,
    CloudWatchLogGroupArn: `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:/aws-dynamodb/imports:*`,
    InputFormat: input.InputFormat,
    ...(input.InputFormatOptions ? { InputFormatOptions: input.InputFormatOptions } : {}),
    InputCompressionType: input.InputCompressionType ?? "NONE",
    TableCreationParameters: params,
    StartTime: now,
    EndTime: now,
    ProcessedSizeBytes: 0,
    ProcessedItemCount: 0,
    ImportedItemCount: 0,
  };
  if (record.InputFormat === "ION" || record.InputCompressionType === "ZSTD") {
    Object.assign(record, { ImportStatus: "FAILED", FailureCode: "UNSUPPORTED", FailureMessage: `fetchstack imports DYNAMODB_JSON and CSV, GZIP or uncompressed (asked: ${record.InputFormat}, ${record.InputCompressionType})` });
    await ctx.store.set(["import", record.ImportArn], record);
    return { ImportTableDescription: importDescription(record, "IN_PROGRESS") };
  }
  let objects: { key: string; body: Uint8Array }[] = [];
  try {
    objects = await readObjects(ctx, input.S3BucketSource.S3Bucket, input.S3BucketSource.S3KeyPrefix);
  } catch (e) {
    const f = s3Failure(e);
    Object.assign(record, { ImportStatus: "FAILED", FailureCode: f.code, FailureMessage: f.message });
    await ctx.store.set(["import", record.ImportArn], record);
    return { ImportTableDescription: importDescription(record, "IN_PROGRESS") };
  }
  await createTable({ ...params }, ctx);
  const table = (await findTable(ctx, params.TableName)) as TableRecord;
  record.TableId = table.id;
  const items: Item[] = [];
  const seen = new Set<string>();
  for (const o of objects) {
    let bytes = o.body;
    if (record.InputCompressionType === "GZIP") {
      try {
        bytes = await gunzip(bytes);
      } catch {
        record.ErrorCount++;
        continue;
      }
    }
    record.ProcessedSizeBytes += bytes.byteLength;
    const lines = new TextDecoder().decode(bytes).split(/\r?\n/).filter((l) => l.trim() !== "");
    let header: string[] | undefined = record.InputFormat === "CSV" ? (input.InputFormatOptions?.Csv?.HeaderList as string[] | undefined) : undefined;
    const delimiter = input.InputFormatOptions?.Csv?.Delimiter ?? ",";
    for (const line of lines) {
      try {
        let item: Item;
        if (record.InputFormat === "CSV") {
          const fields = csvFields(line, delimiter);
          if (!header) {
            header = fields;
            continue;
          }
          item = {};
          header.forEach((name, i) => {
            const v = fields[i];
            if (v === undefined || v === "") return;
            const type = table.AttributeDefinitions.find((d) => d.AttributeName === name)?.AttributeType ?? "S";
            item[name] = type === "N" ? { N: v } : type === "B" ? { B: decodeBase64(v) } : { S: v };
          });
        } else {
          const parsed = JSON.parse(line);
          if (!parsed || typeof parsed.Item !== "object") throw new Error("no Item");
          item = itemFromJson(parsed.Item);
        }
        record.ProcessedItemCount++;
        item = normalizeItem(item);
        checkItem(table, item);
        const id = JSON.stringify([item[table.hash], table.range ? item[table.range] : null], (_k, v) => (v instanceof Uint8Array ? bytesToBase64(v) : v));
        if (seen.has(id)) {
          // Later lines with the same key replace earlier ones, as DynamoDB's import does.
          const at = items.findIndex((x) => JSON.stringify([x[table.hash], table.range ? x[table.range] : null], (_k, v) => (v instanceof Uint8Array ? bytesToBase64(v) : v)) === id);
          items.splice(at, 1);
        }
        seen.add(id);
        items.push(item);
      } catch {
        record.ErrorCount++;
      }
    }
  }
  record.ImportedItemCount = await loadItems(ctx.store, table, items);
  await ctx.store.set(["import", record.ImportArn], record);
  return { ImportTableDescription: importDescription(record, "IN_PROGRESS") };
}

export async function describeImport(input: InputOf<Ops, "DescribeImport">, ctx: RequestContext): Promise<OutputOf<Ops, "DescribeImport">> {
  const r = (await ctx.store.get<ImportRecord>(["import", input.ImportArn])).value;
  if (!r) throw new AwsError("ImportNotFoundException", `Import not found: ${input.ImportArn}`, 400);
  return { ImportTableDescription: importDescription(r) };
}

export async function listImports(input: InputOf<Ops, "ListImports">, ctx: RequestContext): Promise<OutputOf<Ops, "ListImports">> {
  const all: ImportRecord[] = [];
  for await (const e of ctx.store.list<ImportRecord>({ prefix: ["import"] })) {
    if (!input.TableArn || e.value.TableArn === input.TableArn) all.push(e.value);
  }
  const start = input.NextToken ? Number(input.NextToken) || 0 : 0;
  const size = input.PageSize ?? 25;
  const page = all.slice(start, start + size).map((r) => ({
    ImportArn: r.ImportArn, ImportStatus: r.ImportStatus, TableArn: r.TableArn, S3BucketSource: r.S3BucketSource,
    CloudWatchLogGroupArn: r.CloudWatchLogGroupArn, InputFormat: r.InputFormat, StartTime: new Date(r.StartTime), EndTime: new Date(r.EndTime),
  }));
  return { ImportSummaryList: page, ...(start + size < all.length ? { NextToken: String(start + size) } : {}) };
}
