/**
 * Time to Live: UpdateTimeToLive and DescribeTimeToLive, and when an item has expired.
 * Source: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_UpdateTimeToLive.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 *
 * An item expires when its TTL attribute is a Number of epoch seconds at or before the
 * emulator's clock (values more than five years in the past are ignored, as DynamoDB does).
 * Expired items vanish from reads at once and are deleted lazily when a read or write meets
 * them (storage.ts), with a REMOVE stream record whose userIdentity is the DynamoDB service.
 */
import { AwsError } from "../../protocol/errors.ts";
import type { InputOf, OutputOf, RequestContext } from "../types.ts";
import { withLock } from "../../store/mutex.ts";
import { findTable, tableKey, tableNameOf, tableNotFound, type TableRecord } from "./table-model.ts";
import type { Item } from "./values-adapter.ts";
import type { Operations as Ops } from "../../generated/dynamodb.ts";

const FIVE_YEARS_MS = 5 * 365 * 24 * 60 * 60 * 1000;

export function isExpired(table: TableRecord, item: Item, now: number): boolean {
  const ttl = table.ttl;
  if (!ttl?.enabled) return false;
  const v = item[ttl.attribute];
  if (!v || typeof v.N !== "string") return false;
  const at = Number(v.N) * 1000;
  return Number.isFinite(at) && at <= now && at > now - FIVE_YEARS_MS;
}

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

export async function updateTimeToLive(input: InputOf<Ops, "UpdateTimeToLive">, ctx: RequestContext): Promise<OutputOf<Ops, "UpdateTimeToLive">> {
  const name = tableNameOf(input.TableName);
  const spec = input.TimeToLiveSpecification;
  await withLock(`dynamodb-table/${ctx.accountId}/${ctx.region}/${name}`, async () => {
    const table = await findTable(ctx, name);
    if (!table) throw tableNotFound(name);
    const current = table.ttl;
    if (spec.Enabled) {
      if (current?.enabled) throw invalid("TimeToLive is already enabled");
    } else {
      if (!current?.enabled) throw invalid("TimeToLive is already disabled");
      if (current.attribute !== spec.AttributeName) {
        throw invalid(`TimeToLive is active on a different AttributeName: current AttributeName is ${current.attribute}`);
      }
    }
    const next: TableRecord = { ...table, ttl: { attribute: spec.AttributeName, enabled: spec.Enabled } };
    await ctx.store.set(tableKey(name), next);
  });
  return { TimeToLiveSpecification: { Enabled: spec.Enabled, AttributeName: spec.AttributeName } };
}

export async function describeTimeToLive(input: InputOf<Ops, "DescribeTimeToLive">, ctx: RequestContext): Promise<OutputOf<Ops, "DescribeTimeToLive">> {
  const name = tableNameOf(input.TableName);
  const table = await findTable(ctx, name);
  if (!table) throw tableNotFound(name);
  const ttl = table.ttl;
  return {
    TimeToLiveDescription: ttl?.enabled
      ? { TimeToLiveStatus: "ENABLED", AttributeName: ttl.attribute }
      : { TimeToLiveStatus: "DISABLED" },
  };
}
