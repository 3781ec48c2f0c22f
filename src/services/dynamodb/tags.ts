/**
 * TagResource, UntagResource, ListTagsOfResource on tables (and their indexes' ARNs resolve to
 * the table). Source: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TagResource.html
 */
import { AwsError } from "../../protocol/errors.ts";
import { withLock } from "../../store/mutex.ts";
import type { InputOf, OutputOf, RequestContext } from "../types.ts";
import { tableKey, type TableRecord } from "./table-model.ts";
import type { Operations as Ops } from "../../generated/dynamodb.ts";

type Tag = { Key: string; Value: string };

const tagError = (message: string) => new AwsError("ValidationException", message, 400);
const TOO_MANY = "Number of Tags exceed the current limit for the provided ResourceArn";

/** Tags of CreateTable / TagResource, with DynamoDB's messages (recorded against the live service). */
export function checkTags(tags: Tag[] | undefined): void {
  if (!tags) return;
  const seen = new Set<string>();
  for (const t of tags) {
    if (t.Key.startsWith("aws:")) throw tagError(`Tag Key cannot be prefixed with aws:, Key: ${t.Key}`);
    if (seen.has(t.Key)) throw tagError(`Duplicate Tag Keys provided as input: Duplicate Tag Key found ${t.Key}`);
    seen.add(t.Key);
  }
  if (tags.length > 50) throw tagError(TOO_MANY);
}

function tableNameFromArn(ctx: RequestContext, arn: string): string {
  const m = /^arn:aws[a-z-]*:dynamodb:([^:]+):(\d{12}):table\/([^/]+)/.exec(arn);
  if (!m) throw new AwsError("ValidationException", `Invalid TableArn: Invalid ResourceArn provided as input ${arn}`, 400);
  if (m[1] !== ctx.region || m[2] !== ctx.accountId) throw notFound(arn);
  return m[3]!;
}

function notFound(arn: string): AwsError {
  return new AwsError("ResourceNotFoundException", `Requested resource not found: ResourceArn: ${arn} not found`, 400);
}

async function mutateTags(ctx: RequestContext, arn: string, fn: (tags: Tag[]) => Tag[]): Promise<void> {
  const name = tableNameFromArn(ctx, arn);
  await withLock(`dynamodb-table/${ctx.accountId}/${ctx.region}/${name}`, async () => {
    const table = (await ctx.store.get<TableRecord>(tableKey(name))).value;
    if (!table) throw notFound(arn);
    await ctx.store.set(tableKey(name), { ...table, tags: fn(table.tags) });
  });
}

export async function tagResource(input: InputOf<Ops, "TagResource">, ctx: RequestContext): Promise<OutputOf<Ops, "TagResource">> {
  if (!input.Tags.length) throw tagError("Atleast one Tag needs to be provided as Input.");
  checkTags(input.Tags);
  await mutateTags(ctx, input.ResourceArn, (tags) => {
    const out = tags.filter((t) => !input.Tags.some((n) => n.Key === t.Key));
    out.push(...input.Tags);
    if (out.length > 50) throw tagError(TOO_MANY);
    return out;
  });
  return {};
}

export async function untagResource(input: InputOf<Ops, "UntagResource">, ctx: RequestContext): Promise<OutputOf<Ops, "UntagResource">> {
  if (!input.TagKeys.length) throw tagError("Atleast one Tag Key needs to be provided as Input.");
  await mutateTags(ctx, input.ResourceArn, (tags) => tags.filter((t) => !input.TagKeys.includes(t.Key)));
  return {};
}

export async function listTagsOfResource(input: InputOf<Ops, "ListTagsOfResource">, ctx: RequestContext): Promise<OutputOf<Ops, "ListTagsOfResource">> {
  const name = tableNameFromArn(ctx, input.ResourceArn);
  const table = (await ctx.store.get<TableRecord>(tableKey(name))).value;
  if (!table) throw notFound(input.ResourceArn);
  const start = input.NextToken ? Number(input.NextToken) || 0 : 0;
  const page = table.tags.slice(start, start + 10);
  const next = start + 10 < table.tags.length ? String(start + 10) : undefined;
  return { Tags: page, ...(next ? { NextToken: next } : {}) };
}
