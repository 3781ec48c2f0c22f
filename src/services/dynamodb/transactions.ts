/**
 * TransactWriteItems and TransactGetItems.
 * Source: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactGetItems.html
 *
 * A write transaction takes the per-item locks of every item it names (in one global order, so
 * two transactions never wait on each other in a cycle), reads them all, decides every action,
 * and commits all item, index and stream changes in one atomic operation that checks each
 * item's versionstamp; a writer in another process that got in between makes the commit fail
 * and the transaction start over. Either every action applies or none does.
 * A failed action cancels the whole call with TransactionCanceledException, whose
 * CancellationReasons has one entry per action, in order ("None" for those that were fine).
 * ClientRequestToken makes a call idempotent for 10 minutes: the same token with the same
 * request answers success without writing again; with another request,
 * IdempotentParameterMismatchException.
 */
import { AwsError } from "../../protocol/errors.ts";
import { encodeKey } from "../../store/keys.ts";
import { withLock } from "../../store/mutex.ts";
import type { KeyPart } from "../../store/types.ts";
import type { InputOf, OutputOf, RequestContext } from "../types.ts";
import { requireTable, type TableRecord } from "./table-model.ts";
import { checkItem, checkKey, keyOf } from "./item-keys.ts";
import { changesOf, itemKey, lockName, stageChange, visible } from "./storage.ts";
import { deliverToKinesis } from "./kinesis-delivery.ts";
import { addUsage, consumedCapacity, emptyUsage, readUnits, writeUsage, type Usage } from "./capacity.ts";
import { Expressions } from "./expr-adapter.ts";
import { conditionFailed } from "./items.ts";
import { itemSize, normalizeItem, type Item } from "./values-adapter.ts";
import type { Operations as Ops } from "../../generated/dynamodb.ts";

const TOKEN_TTL_MS = 10 * 60 * 1000;

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

/** One action of a write transaction, decided against the item's current state. */
export interface TxAction {
  table: TableRecord;
  key: KeyPart[];
  /** New item, null to delete, undefined to write nothing (ConditionCheck); throws on a failed condition. */
  decide(current: Item | null): Item | null | undefined;
}

export interface CancellationReason {
  Code: string;
  Message?: string;
  Item?: Item;
}

export function cancelled(reasons: CancellationReason[]): AwsError {
  return new AwsError(
    "TransactionCanceledException",
    `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(", ")}]`,
    400,
    { fields: { CancellationReasons: reasons } },
  );
}

export function multipleOperationsOnOneItem(): AwsError {
  return invalid("Transaction request cannot include multiple operations on one item");
}

function withLocks<T>(names: string[], fn: () => Promise<T>): Promise<T> {
  if (!names.length) return fn();
  return withLock(names[0]!, () => withLocks(names.slice(1), fn));
}

function reasonFor(e: unknown): CancellationReason {
  if (e instanceof AwsError && e.code === "ConditionalCheckFailedException") {
    const item = e.fields.Item as Item | undefined;
    return { Code: "ConditionalCheckFailed", Message: "The conditional request failed", ...(item ? { Item: item } : {}) };
  }
  if (e instanceof AwsError && e.code === "ValidationException") return { Code: "ValidationError", Message: e.message };
  if (e instanceof AwsError && e.code === "DuplicateItemException") return { Code: "DuplicateItem", Message: e.message };
  throw e;
}

/**
 * Runs write actions all-or-nothing (see the module comment). Returns each action's write
 * usage; throws TransactionCanceledException with one reason per action when any fails.
 */
export async function runWriteTransaction(ctx: RequestContext, actions: TxAction[]): Promise<Usage[]> {
  const seen = new Set<string>();
  for (const a of actions) {
    const id = `${a.table.id}/${encodeKey(a.key)}`;
    if (seen.has(id)) throw multipleOperationsOnOneItem();
    seen.add(id);
  }
  const locks = [...new Set(actions.map((a) => lockName(ctx, a.table, a.key)))].sort();
  return withLocks(locks, async () => {
    for (let attempt = 0; attempt < 32; attempt++) {
      const entries = await ctx.store.getMany<Item>(actions.map((a) => a.key));
      const now = ctx.clock.now();
      const reasons: CancellationReason[] = [];
      const nexts: (Item | null | undefined)[] = [];
      let failed = false;
      actions.forEach((a, i) => {
        try {
          nexts.push(a.decide(visible(a.table, entries[i]!.value, now)));
          reasons.push({ Code: "None" });
        } catch (e) {
          nexts.push(undefined);
          reasons.push(reasonFor(e));
          failed = true;
        }
      });
      if (failed) throw cancelled(reasons);
      const op = ctx.store.atomic();
      const usages: Usage[] = [];
      actions.forEach((a, i) => {
        const entry = entries[i]!;
        op.check({ key: a.key, versionstamp: entry.versionstamp });
        const next = nexts[i];
        const stored = entry.value;
        const current = visible(a.table, stored, now);
        if (next === undefined || (next === null && !current)) {
          // A ConditionCheck, or a Delete of nothing: only an expired item is removed (TTL).
          if (stored && !current) stageChange(op, ctx, a.table, a.key, stored, null);
          const size = current ? itemSize(current) : 0;
          usages.push(doubled(writeUsage(null, size)));
          return;
        }
        usages.push(doubled(writeUsage(stageChange(op, ctx, a.table, a.key, stored, next))));
      });
      if ((await op.commit()).ok) {
        actions.forEach((a, i) => {
          if (a.table.kinesis?.length) deliverToKinesis(ctx, a.table, changesOf(entries[i]!.value, visible(a.table, entries[i]!.value, now), nexts[i]));
        });
        return usages;
      }
    }
    throw new AwsError("TransactionConflictException", "Transaction is ongoing for the item", 400);
  });
}

function doubled(u: Usage): Usage {
  const d = (r: Record<string, number>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v * 2]));
  return { table: u.table * 2, gsis: d(u.gsis), lsis: d(u.lsis) };
}

/** Per-table ConsumedCapacity list of a transaction. */
function capacityList(mode: string | undefined, tables: TableRecord[], usages: Usage[]) {
  if (mode !== "TOTAL" && mode !== "INDEXES") return undefined;
  const byTable = new Map<string, { table: TableRecord; usage: Usage }>();
  tables.forEach((t, i) => {
    const e = byTable.get(t.name) ?? { table: t, usage: emptyUsage() };
    e.usage = addUsage(e.usage, usages[i]!);
    byTable.set(t.name, e);
  });
  return [...byTable.values()].map(({ table, usage }) => consumedCapacity(mode, table, usage)!);
}

type ddbPut = NonNullable<Tx["Put"]>;
type Tx = InputOf<Ops, "TransactWriteItems">["TransactItems"][number];

function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v) => {
    if (v instanceof Uint8Array) return { $b: Array.from(v) };
    if (v && typeof v === "object" && !Array.isArray(v)) return Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return v;
  });
}

async function planWrite(ctx: RequestContext, tx: Tx): Promise<TxAction> {
  const kinds = (["ConditionCheck", "Put", "Delete", "Update"] as const).filter((k) => tx[k] !== undefined);
  if (kinds.length !== 1) throw invalid("TransactItems can only contain one of Check, Put, Update or Delete");
  const kind = kinds[0]!;
  const params = tx[kind]!;
  const table = await requireTable(ctx, params.TableName);
  const onFailure = params.ReturnValuesOnConditionCheckFailure;
  const exprs = new Expressions(params);
  if (kind === "Put") {
    const item = normalizeItem((params as ddbPut).Item);
    checkItem(table, item);
    const condition = exprs.condition("ConditionExpression");
    exprs.finish();
    return {
      table, key: itemKey(table, item),
      decide(current) {
        if (condition && !condition(current)) throw conditionFailed(current, onFailure);
        return item;
      },
    };
  }
  const keyItem = normalizeItem((params as Exclude<typeof params, ddbPut>).Key);
  checkKey(table, keyItem);
  const key = itemKey(table, keyItem);
  if (kind === "Update") {
    const update = exprs.update(table.range ? [table.hash, table.range] : [table.hash]);
    const condition = exprs.condition("ConditionExpression");
    exprs.finish();
    return {
      table, key,
      decide(current) {
        if (condition && !condition(current)) throw conditionFailed(current, onFailure);
        const base = current ?? keyOf(table, keyItem);
        const next = update ? update(base).item : base;
        checkItem(table, next, true);
        return next;
      },
    };
  }
  const condition = exprs.condition("ConditionExpression");
  exprs.finish();
  if (kind === "ConditionCheck" && !condition) throw invalid("The ConditionExpression must be specified for a ConditionCheck");
  return {
    table, key,
    decide(current) {
      if (condition && !condition(current)) throw conditionFailed(current, onFailure);
      return kind === "Delete" ? null : undefined;
    },
  };
}

export async function transactWriteItems(input: InputOf<Ops, "TransactWriteItems">, ctx: RequestContext): Promise<OutputOf<Ops, "TransactWriteItems">> {
  const actions: TxAction[] = [];
  for (const tx of input.TransactItems) actions.push(await planWrite(ctx, tx));
  const execute = async () => {
    const usages = await runWriteTransaction(ctx, actions);
    const ConsumedCapacity = capacityList(input.ReturnConsumedCapacity, actions.map((a) => a.table), usages);
    return { ...(ConsumedCapacity ? { ConsumedCapacity } : {}) };
  };
  const fingerprint = stableJson({ TransactItems: input.TransactItems, ReturnItemCollectionMetrics: input.ReturnItemCollectionMetrics });
  return withClientToken(ctx, input.ClientRequestToken, fingerprint, execute, () => {
    // A replay writes nothing; it reports the reads that confirmed the earlier result.
    const usages = actions.map(() => ({ table: 1, gsis: {}, lsis: {} }));
    const ConsumedCapacity = capacityList(input.ReturnConsumedCapacity, actions.map((a) => a.table), usages);
    return { ...(ConsumedCapacity ? { ConsumedCapacity } : {}) };
  });
}

/**
 * Runs `execute` once per ClientRequestToken within 10 minutes: a repeat with the same
 * `fingerprint` answers `replay()`, with another IdempotentParameterMismatchException.
 */
export async function withClientToken<T>(
  ctx: RequestContext,
  token: string | undefined,
  fingerprint: string,
  execute: () => Promise<T>,
  replay: () => T,
): Promise<T> {
  if (!token) return execute();
  const tokenKey = ["txtoken", token];
  return withLock(`dynamodb-txtoken/${ctx.accountId}/${ctx.region}/${token}`, async () => {
    const seen = (await ctx.store.get<{ fingerprint: string; at: number }>(tokenKey)).value;
    if (seen && ctx.clock.now() - seen.at < TOKEN_TTL_MS) {
      if (seen.fingerprint !== fingerprint) {
        throw new AwsError("IdempotentParameterMismatchException", "The request uses the same client token as a previous, but non-identical request.", 400);
      }
      return replay();
    }
    const out = await execute();
    await ctx.store.set(tokenKey, { fingerprint, at: ctx.clock.now() });
    return out;
  });
}

export async function transactGetItems(input: InputOf<Ops, "TransactGetItems">, ctx: RequestContext): Promise<OutputOf<Ops, "TransactGetItems">> {
  const plans: { table: TableRecord; key: KeyPart[]; projection: ((item: Item) => Item) | null }[] = [];
  const seen = new Set<string>();
  for (const tx of input.TransactItems) {
    const get = tx.Get;
    if (!get) throw invalid("TransactItems can only contain Get");
    const table = await requireTable(ctx, get.TableName);
    const keyItem = normalizeItem(get.Key);
    checkKey(table, keyItem);
    const exprs = new Expressions(get);
    const projection = exprs.projection();
    exprs.finish();
    const key = itemKey(table, keyItem);
    const id = `${table.id}/${encodeKey(key)}`;
    if (seen.has(id)) throw multipleOperationsOnOneItem();
    seen.add(id);
    plans.push({ table, key, projection });
  }
  // One consistent read of every item (getMany is a snapshot on every store).
  const entries = await ctx.store.getMany<Item>(plans.map((p) => p.key));
  const now = ctx.clock.now();
  const usages: Usage[] = [];
  const Responses = plans.map((p, i) => {
    const item = visible(p.table, entries[i]!.value, now);
    usages.push({ table: readUnits(item ? itemSize(item) : 0, true) * 2, gsis: {}, lsis: {} });
    return item ? { Item: p.projection ? p.projection(item) : item } : {};
  });
  const ConsumedCapacity = capacityList(input.ReturnConsumedCapacity, plans.map((p) => p.table), usages);
  return { Responses, ...(ConsumedCapacity ? { ConsumedCapacity } : {}) };
}
