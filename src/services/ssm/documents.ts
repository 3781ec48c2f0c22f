/**
 * SSM documents as state: CreateDocument, GetDocument, DescribeDocument, ListDocuments,
 * ListDocumentVersions, UpdateDocument, UpdateDocumentDefaultVersion, DeleteDocument; and
 * SendCommand, which answers `InvalidInstanceId` (fetchstack has no managed instances).
 *
 * One record per document under `["ssm", account, region, "doc", name]` with every version
 * (numbered from 1; `$LATEST` and `$DEFAULT` select). JSON content is parsed for
 * `schemaVersion`, `description`, `parameters` and the platforms of its steps; YAML content is
 * stored as given (no YAML parser here: those fields are left out). Only documents this account
 * created exist (no AWS-owned `AWS-*` documents).
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_CreateDocument.html
 * (and API_GetDocument, API_ListDocuments, API_UpdateDocument, API_DeleteDocument, API_SendCommand)
 */
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";
import { AwsError } from "../../protocol/errors.ts";
import type { Handler, RequestContext } from "../types.ts";
import { decodePageToken, encodePageToken } from "../../encoding/page-token.ts";
import { AWS_DOCUMENT_CREATED, AWS_DOCUMENTS } from "./aws-documents.ts";

interface DocVersion {
  version: number;
  versionName?: string;
  content: string;
  format: string;
  createdAt: number;
  displayName?: string;
  targetType?: string;
  requires?: unknown[];
}

export interface DocRecord {
  name: string;
  type: string;
  createdAt: number;
  defaultVersion: number;
  versions: DocVersion[];
  tags: { Key: string; Value: string }[];
  /** `Amazon` for the AWS-owned documents (aws-documents.ts); absent for the account's own. */
  owner?: string;
  platforms?: string[];
  /** Accounts (or `all`) the document is shared with, and the version shared. */
  shared?: { AccountId: string; SharedDocumentVersion?: string }[];
  /** Change template reviews per version (UpdateDocumentMetadata). */
  reviews?: Record<string, { CreateTime: number; UpdatedTime: number; ReviewStatus: string; Comment?: { Type: string; Content: string }[]; Reviewer: string }[]>;
}

export const docKey = (name: string) => ["doc", name];
const TYPES = new Set([
  "Command", "Policy", "Automation", "Session", "Package", "ApplicationConfiguration", "ApplicationConfigurationSchema",
  "DeploymentStrategy", "ChangeCalendar", "Automation.ChangeTemplate", "ProblemAnalysis", "ProblemAnalysisTemplate",
  "CloudFormation", "ConformancePackTemplate", "QuickSetup", "ManualApprovalPolicy", "AutoApprovalPolicy",
]);

function invalidDocument(): AwsError {
  return new AwsError("InvalidDocument", "The specified document does not exist.", 400);
}

function invalidVersion(): AwsError {
  return new AwsError("InvalidDocumentVersion", "The document version is not valid or does not exist.", 400);
}

function checkName(name: string): void {
  if (/^(aws|amazon)/i.test(name)) {
    throw new AwsError("ValidationException", "Invalid document name: names can't start with aws, amazon or amzn.", 400);
  }
}

/** JSON content parsed (undefined for YAML/TEXT); bad JSON is InvalidDocumentContent. */
function parseContent(content: string, format: string): Record<string, any> | undefined {
  if (format !== "JSON") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    throw new AwsError("InvalidDocumentContent", "The content for the document is not valid.", 400);
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new AwsError("InvalidDocumentContent", "The content for the document is not valid.", 400);
  return parsed as Record<string, any>;
}

function platformsOf(doc: Record<string, any> | undefined): string[] {
  const steps: Record<string, any>[] = Array.isArray(doc?.mainSteps) ? doc!.mainSteps : [];
  const platforms = new Set<string>();
  for (const step of steps) {
    if (step.action === "aws:runShellScript") ["Linux", "MacOS"].forEach((p) => platforms.add(p));
    else if (step.action === "aws:runPowerShellScript") platforms.add("Windows");
    else ["Windows", "Linux", "MacOS"].forEach((p) => platforms.add(p));
  }
  return platforms.size ? ["Windows", "Linux", "MacOS"].filter((p) => platforms.has(p)) : ["Windows", "Linux", "MacOS"];
}

function awsDocument(name: string): DocRecord | null {
  const d = AWS_DOCUMENTS.find((x) => x.name === name);
  if (!d) return null;
  const version: DocVersion = { version: d.version, content: JSON.stringify(d.content, null, 2), format: "JSON", createdAt: AWS_DOCUMENT_CREATED, ...(d.targetType ? { targetType: d.targetType } : {}) };
  return { name: d.name, type: d.type, createdAt: AWS_DOCUMENT_CREATED, defaultVersion: d.version, versions: [version], tags: [], owner: "Amazon", platforms: d.platforms };
}

/** A document by name or ARN: the account's own, or an AWS-owned one. */
export async function loadDocument(ctx: RequestContext, name: string): Promise<DocRecord | null> {
  const bare = name.replace(/^arn:aws[a-z-]*:ssm:[^:]*:[^:]*:document\//, "");
  return (await ctx.store.get<DocRecord>(docKey(bare))).value ?? awsDocument(bare);
}
const load = loadDocument;

async function requireDoc(ctx: RequestContext, name: string | undefined): Promise<DocRecord> {
  const record = name ? await load(ctx, name) : null;
  if (!record) throw invalidDocument();
  return record;
}

/** A document this account owns (AWS-owned documents can't be changed, deleted or shared). */
export async function requireOwnDoc(ctx: RequestContext, name: string | undefined): Promise<DocRecord> {
  const record = await requireDoc(ctx, name);
  if (record.owner) throw new AwsError("InvalidDocumentOperation", `You can't modify the document ${record.name}: it is owned by ${record.owner}.`, 400);
  return record;
}

/** The version a request names: a number, `$LATEST`, `$DEFAULT`, or a VersionName; default the default. */
export function pick(record: DocRecord, documentVersion?: string, versionName?: string): DocVersion {
  let v: DocVersion | undefined;
  if (documentVersion === undefined || documentVersion === "$DEFAULT") {
    v = versionName !== undefined ? record.versions.find((x) => x.versionName === versionName) : record.versions.find((x) => x.version === record.defaultVersion);
  } else if (documentVersion === "$LATEST") {
    v = record.versions[record.versions.length - 1];
  } else if (/^\d+$/.test(documentVersion)) {
    v = record.versions.find((x) => x.version === Number(documentVersion));
  }
  if (v && versionName !== undefined && v.versionName !== versionName) v = undefined;
  if (!v) throw invalidVersion();
  return v;
}

export function description(ctx: RequestContext, record: DocRecord, v: DocVersion): Record<string, unknown> {
  const doc = parseContent(v.content, v.format);
  const hash = bytesToHex(sha256(new TextEncoder().encode(v.content)));
  const parameters = doc?.parameters && typeof doc.parameters === "object"
    ? Object.entries(doc.parameters as Record<string, any>).map(([Name, p]) => ({
      Name,
      ...(p?.type ? { Type: p.type } : {}),
      ...(p?.description ? { Description: p.description } : {}),
      ...(p?.default !== undefined ? { DefaultValue: typeof p.default === "string" ? p.default : JSON.stringify(p.default) } : {}),
    }))
    : undefined;
  return {
    Hash: hash,
    HashType: "Sha256",
    Name: record.name,
    ...(v.displayName !== undefined ? { DisplayName: v.displayName } : {}),
    ...(v.versionName !== undefined ? { VersionName: v.versionName } : {}),
    Owner: record.owner ?? ctx.accountId,
    CreatedDate: new Date(v.createdAt),
    Status: "Active",
    DocumentVersion: String(v.version),
    ...(typeof doc?.description === "string" ? { Description: doc.description } : {}),
    ...(parameters?.length ? { Parameters: parameters } : {}),
    PlatformTypes: record.platforms ?? platformsOf(doc),
    DocumentType: record.type,
    ...(doc?.schemaVersion !== undefined ? { SchemaVersion: String(doc.schemaVersion) } : {}),
    LatestVersion: String(record.versions[record.versions.length - 1]!.version),
    DefaultVersion: String(record.defaultVersion),
    DocumentFormat: v.format,
    ...(v.targetType !== undefined ? { TargetType: v.targetType } : {}),
    Tags: record.tags,
    ...(v.requires ? { Requires: v.requires } : {}),
  };
}

function newVersion(input: Record<string, any>, number: number, now: number, format: string): DocVersion {
  parseContent(input.Content, format);
  return {
    version: number,
    content: input.Content,
    format,
    createdAt: now,
    ...(input.VersionName !== undefined ? { versionName: input.VersionName } : {}),
    ...(input.DisplayName !== undefined ? { displayName: input.DisplayName } : {}),
    ...(input.TargetType !== undefined ? { targetType: input.TargetType } : {}),
    ...(input.Requires !== undefined ? { requires: input.Requires } : {}),
  };
}

export const documentHandlers: Record<string, Handler> = {
  async CreateDocument(input, ctx) {
    checkName(input.Name);
    const type = input.DocumentType ?? "Command";
    if (!TYPES.has(type)) throw new AwsError("ValidationException", `1 validation error detected: Value '${type}' at 'documentType' failed to satisfy constraint: Member must satisfy enum value set`, 400);
    const version = newVersion(input, 1, ctx.clock.now(), input.DocumentFormat ?? "JSON");
    const record: DocRecord = { name: input.Name, type, createdAt: version.createdAt, defaultVersion: 1, versions: [version], tags: input.Tags ?? [] };
    const result = await ctx.store.atomic().check({ key: docKey(input.Name), versionstamp: null }).set(docKey(input.Name), record).commit();
    if (!result.ok) throw new AwsError("DocumentAlreadyExists", "The specified document already exists.", 400);
    return { DocumentDescription: description(ctx, record, version) };
  },

  async GetDocument(input, ctx) {
    const record = await requireDoc(ctx, input.Name);
    const v = pick(record, input.DocumentVersion, input.VersionName);
    return {
      Name: record.name,
      CreatedDate: new Date(v.createdAt),
      ...(v.displayName !== undefined ? { DisplayName: v.displayName } : {}),
      ...(v.versionName !== undefined ? { VersionName: v.versionName } : {}),
      DocumentVersion: String(v.version),
      Status: "Active",
      Content: v.content,
      DocumentType: record.type,
      DocumentFormat: v.format,
      ...(v.requires ? { Requires: v.requires } : {}),
    };
  },

  async DescribeDocument(input, ctx) {
    const record = await requireDoc(ctx, input.Name);
    return { Document: description(ctx, record, pick(record, input.DocumentVersion, input.VersionName)) };
  },

  async ListDocuments(input, ctx) {
    const max = input.MaxResults ?? 50;
    const start = input.NextToken !== undefined ? Number(decodePageToken(input.NextToken)?.offset) : 0;
    if (!Number.isInteger(start) || start < 0) throw new AwsError("InvalidNextToken", "The specified token isn't valid.", 400);
    const filters: { Key: string; Values: string[] }[] = input.Filters ?? [];
    const all: Record<string, unknown>[] = [];
    const records: DocRecord[] = [];
    for await (const entry of ctx.store.list<DocRecord>({ prefix: ["doc"] })) records.push(entry.value);
    for (const d of AWS_DOCUMENTS) records.push(awsDocument(d.name)!);
    records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const record of records) {
      const v = pick(record);
      const d = description(ctx, record, v);
      const ok = filters.every((f) => {
        const values = f.Values ?? [];
        if (f.Key === "Owner") {
          return values.some((x) => x === "All" || (record.owner ? x === "Amazon" || x === "Public" : x === "Self" || x === ctx.accountId));
        }
        if (f.Key === "Name") return values.some((x) => record.name.startsWith(x));
        if (f.Key === "DocumentType") return values.includes(record.type);
        if (f.Key === "PlatformTypes") return values.some((x) => (d.PlatformTypes as string[]).includes(x));
        if (f.Key === "TargetType") return values.includes(String(v.targetType));
        if (f.Key === "SearchKeyword") return values.some((x) => record.name.includes(x));
        if (f.Key.startsWith("tag:")) return record.tags.some((t) => t.Key === f.Key.slice(4) && (values.length === 0 || values.includes(t.Value)));
        if (f.Key === "TagKeys") return values.every((k) => record.tags.some((t) => t.Key === k));
        throw new AwsError("InvalidFilterKey", "The specified key isn't valid.", 400);
      });
      if (!ok) continue;
      all.push({
        Name: d.Name, CreatedDate: d.CreatedDate, ...(d.DisplayName ? { DisplayName: d.DisplayName } : {}), Owner: d.Owner,
        ...(d.VersionName ? { VersionName: d.VersionName } : {}), PlatformTypes: d.PlatformTypes, DocumentVersion: d.DocumentVersion,
        DocumentType: d.DocumentType, ...(d.SchemaVersion ? { SchemaVersion: d.SchemaVersion } : {}), DocumentFormat: d.DocumentFormat,
        ...(d.TargetType ? { TargetType: d.TargetType } : {}), Tags: d.Tags,
      });
    }
    const page = all.slice(start, start + max);
    return { DocumentIdentifiers: page, ...(start + max < all.length ? { NextToken: encodePageToken({ offset: start + max }) } : {}) };
  },

  async ListDocumentVersions(input, ctx) {
    const record = await requireDoc(ctx, input.Name);
    const max = input.MaxResults ?? 50;
    const start = input.NextToken !== undefined ? Number(decodePageToken(input.NextToken)?.offset) : 0;
    const all = record.versions.map((v) => ({
      Name: record.name,
      ...(v.displayName !== undefined ? { DisplayName: v.displayName } : {}),
      DocumentVersion: String(v.version),
      ...(v.versionName !== undefined ? { VersionName: v.versionName } : {}),
      CreatedDate: new Date(v.createdAt),
      IsDefaultVersion: v.version === record.defaultVersion,
      DocumentFormat: v.format,
      Status: "Active",
    }));
    const page = all.slice(start, start + max);
    return { DocumentVersions: page, ...(start + max < all.length ? { NextToken: encodePageToken({ offset: start + max }) } : {}) };
  },

  async UpdateDocument(input, ctx) {
    const record = await requireOwnDoc(ctx, input.Name);
    const latest = record.versions[record.versions.length - 1]!;
    if (input.DocumentVersion !== undefined && input.DocumentVersion !== "$LATEST" && input.DocumentVersion !== String(latest.version)) {
      throw new AwsError("InvalidDocumentVersion", "The document version is not valid or does not exist.", 400);
    }
    if (record.versions.some((v) => v.content === input.Content)) {
      throw new AwsError("DuplicateDocumentContent", "The content of the association document matches another document. Change the content of the document and try again.", 400);
    }
    if (input.VersionName !== undefined && record.versions.some((v) => v.versionName === input.VersionName)) {
      throw new AwsError("DuplicateDocumentVersionName", "The version name has already been used in this document. Specify a different version name, and then try again.", 400);
    }
    const version = newVersion({ DisplayName: latest.displayName, TargetType: latest.targetType, ...input }, latest.version + 1, ctx.clock.now(), input.DocumentFormat ?? latest.format);
    const updated = { ...record, versions: [...record.versions, version] };
    await ctx.store.set(docKey(record.name), updated);
    return { DocumentDescription: description(ctx, updated, version) };
  },

  async UpdateDocumentDefaultVersion(input, ctx) {
    const record = await requireOwnDoc(ctx, input.Name);
    const v = pick(record, input.DocumentVersion);
    await ctx.store.set(docKey(record.name), { ...record, defaultVersion: v.version });
    return { Description: { Name: record.name, DefaultVersion: String(v.version), ...(v.versionName !== undefined ? { DefaultVersionName: v.versionName } : {}) } };
  },

  async DeleteDocument(input, ctx) {
    const record = await requireOwnDoc(ctx, input.Name);
    if (input.DocumentVersion === undefined && input.VersionName === undefined) {
      await ctx.store.delete(docKey(record.name));
      return {};
    }
    const v = pick(record, input.DocumentVersion, input.VersionName);
    if (v.version === record.defaultVersion) {
      throw new AwsError("InvalidDocumentOperation", "The default version of a document can't be deleted. Delete the document or choose another default version first.", 400);
    }
    await ctx.store.set(docKey(record.name), { ...record, versions: record.versions.filter((x) => x.version !== v.version) });
    return {};
  },


};
