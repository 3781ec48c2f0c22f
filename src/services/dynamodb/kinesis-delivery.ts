/**
 * Kinesis Data Streams for DynamoDB: after a change commits, each ACTIVE streaming destination
 * of the table gets one change record per changed item, sent with `ctx.invoke("kinesis",
 * "PutRecord")` in commit order. Record format:
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/kds.html
 * A destination whose stream is missing drops the record (DynamoDB would mark it in error).
 */
import type { RequestContext } from "../types.ts";
import type { TableRecord } from "./table-model.ts";
import { itemSize, type Item } from "./values-adapter.ts";

export interface Change {
  old: Item | null;
  new: Item | null;
  userIdentity?: { Type: string; PrincipalId: string };
}

function toBase64(bytes: Uint8Array): string {
  let bin = "";
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin);
}

function sameItem(a: Item, b: Item): boolean {
  const j = (x: Item) => JSON.stringify(x, (_k, v) => (v instanceof Uint8Array ? toBase64(v) : v));
  return j(a) === j(b);
}

/** Sends the committed changes of `table` to its Kinesis streaming destinations (background work). */
export function deliverToKinesis(ctx: RequestContext, table: TableRecord, changes: Change[]): void {
  const destinations = (table.kinesis ?? []).filter((d) => d.DestinationStatus === "ACTIVE");
  const real = changes.filter((c) => (c.old || c.new) && !(c.old && c.new && sameItem(c.old, c.new)));
  if (!destinations.length || !real.length) return;
  const now = ctx.clock.now();
  const work = (async () => {
    for (const c of real) {
      const item = (c.new ?? c.old)!;
      const Keys: Item = { [table.hash]: item[table.hash]! };
      if (table.range) Keys[table.range] = item[table.range]!;
      for (const d of destinations) {
        const micro = d.ApproximateCreationDateTimePrecision === "MICROSECOND";
        const record = {
          awsRegion: ctx.region,
          eventID: crypto.randomUUID(),
          eventName: !c.old ? "INSERT" : !c.new ? "REMOVE" : "MODIFY",
          userIdentity: c.userIdentity ?? null,
          recordFormat: "application/json",
          tableName: table.name,
          dynamodb: {
            ApproximateCreationDateTime: micro ? now * 1000 : now,
            ApproximateCreationDateTimePrecision: micro ? "MICROSECOND" : "MILLISECOND",
            Keys,
            ...(c.new ? { NewImage: c.new } : {}),
            ...(c.old ? { OldImage: c.old } : {}),
            SizeBytes: itemSize(Keys) + (c.new ? itemSize(c.new) : 0) + (c.old ? itemSize(c.old) : 0),
          },
          eventSource: "aws:dynamodb",
        };
        const data = new TextEncoder().encode(JSON.stringify(record, (_k, v) => (v instanceof Uint8Array ? toBase64(v) : v)));
        const partitionKey = JSON.stringify(Keys, (_k, v) => (v instanceof Uint8Array ? toBase64(v) : v)).slice(0, 256);
        try {
          await ctx.invoke("kinesis", "PutRecord", { StreamARN: d.StreamArn, PartitionKey: partitionKey, Data: data });
        } catch {
          // The destination's stream is gone or not served: the record is dropped.
        }
      }
    }
  })();
  ctx.waitUntil(work);
}
