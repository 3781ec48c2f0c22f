/**
 * ExecuteStatement, BatchExecuteStatement and ExecuteTransaction: PartiQL statements
 * (parser.ts) run against the same storage, conditions and transactions as the item API.
 * Sources: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteStatement.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_BatchExecuteStatement.html,
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_ExecuteTransaction.html
 *
 * - SELECT reads one partition when WHERE holds an equality (or IN) on the partition key of the
 *   table or index, else scans it, in key order; the whole WHERE filters. Limit counts items
 *   evaluated; NextToken continues after them.
 * - INSERT fails with DuplicateItemException when the key exists.
 * - UPDATE and DELETE need an equality on every key attribute in WHERE; the rest of WHERE is
 *   the item's condition. UPDATE of a missing item fails the condition; DELETE of one does
 *   nothing.
 */
import { AwsError } from "../../../protocol/errors.ts";
import { encodeKey } from "../../../store/keys.ts";
import type { Key, KeyPart } from "../../../store/types.ts";
import type { InputOf, OutputOf, RequestContext } from "../../types.ts";
import { applyUpdate, evaluateCondition, project, type Condition, type DocumentPath } from "../expressions/index.ts";
import { findIndex, requireTable, type IndexRecord, type TableRecord } from "../table-model.ts";
import { checkItem, checkKey } from "../item-keys.ts";
import { indexPrefix, itemKey, itemPrefix, mutateItem, readItem, visible } from "../storage.ts";
import { conditionFailed, pickPaths } from "../items.ts";
import { runWriteTransaction, withClientToken, type TxAction } from "../transactions.ts";
import { asLibItem, itemSize, keyPart, type AttributeValue, type Item } from "../values-adapter.ts";
import { parseStatement, type Statement } from "./parser.ts";
import type { BatchStatementErrorCodeEnum, Operations as Ops } from "../../../generated/dynamodb.ts";
import { decodePageToken, encodePageToken } from "../../../encoding/page-token.ts";

const PAGE_BYTES = 1024 * 1024;

function invalid(message: string): AwsError {
  return new AwsError("ValidationException", message, 400);
}

function duplicateItem(): AwsError {
  return new AwsError("DuplicateItemException", "Duplicate primary key exists in table", 400);
}

/** Top-level AND terms of a condition. */
function conjuncts(c: Condition | undefined): Condition[] {
  if (!c) return [];
  if (c.kind === "and") return [...conjuncts(c.left), ...conjuncts(c.right)];
  return [c];
}

/** Values the WHERE clause pins `name` to (equality or IN at the top level), or null. */
function pinned(where: Condition | undefined, name: string): AttributeValue[] | null {
  for (const c of conjuncts(where)) {
    if (c.kind === "compare" && c.op === "=") {
      const [p, v] = c.left.kind === "path" ? [c.left, c.right] : [c.right, c.left];
      if (p.kind === "path" && p.path.length === 1 && p.path[0] === name && v.kind === "value") return [v.value as AttributeValue];
    }
    if (c.kind === "in" && c.operand.kind === "path" && c.operand.path.length === 1 && c.operand.path[0] === name && c.list.every((o) => o.kind === "value")) {
      return c.list.map((o) => (o as { value: AttributeValue }).value);
    }
  }
  return null;
}

/** The full primary key WHERE names by equality (UPDATE, DELETE, single-item SELECT). */
function keyFromWhere(table: TableRecord, where: Condition | undefined): Item {
  const key: Item = {};
  for (const name of table.range ? [table.hash, table.range] : [table.hash]) {
    const v = pinned(where, name);
    if (!v || v.length !== 1) throw invalid("Where clause does not contain a mandatory equality on all key attributes");
    key[name] = v[0]!;
  }
  checkKey(table, key);
  return key;
}

function matches(where: Condition | undefined, item: Item | null): boolean {
  return !where || (item !== null && evaluateCondition(where, asLibItem(item)));
}

interface ReadPlan {
  table: TableRecord;
  index?: IndexRecord;
  projection: DocumentPath[] | null;
  where?: Condition;
}

function readPlan(table: TableRecord, st: Extract<Statement, { kind: "select" }>, consistent: boolean): ReadPlan {
  let index: IndexRecord | undefined;
  if (st.index !== undefined) {
    index = findIndex(table, st.index);
    if (!index) throw invalid(`The table does not have the specified index: ${st.index}`);
    if (index.kind === "GSI" && consistent) throw invalid("Consistent reads are not supported on global secondary indexes");
  }
  return { table, ...(index ? { index } : {}), projection: st.projection, ...(st.where ? { where: st.where } : {}) };
}

/** Candidate items of a SELECT, in key order. */
async function* candidates(ctx: RequestContext, plan: ReadPlan): AsyncIterable<Item> {
  const { table, index } = plan;
  const hash = index ? index.hash : table.hash;
  const values = pinned(plan.where, hash);
  const base: Key = index ? indexPrefix(table, index) : itemPrefix(table);
  const now = ctx.clock.now();
  const partitions: Key[] = values
    ? [...new Map(values.filter((v) => typeof v === "object" && v !== null && Object.keys(v).length === 1).map((v) => {
      const p: Key = [...base, keyPart(v)];
      return [encodeKey(p), p] as const;
    })).values()]
    : [base];
  for (const prefix of partitions) {
    if (!index && !table.range && values) {
      const item = visible(table, (await ctx.store.get<Item>(prefix)).value, now);
      if (item) yield item;
      continue;
    }
    for await (const e of ctx.store.list<Item>({ prefix })) {
      if (!index && !visible(table, e.value, now)) continue;
      yield e.value;
    }
  }
}

function encodeToken(statement: string, offset: number): string {
  return encodePageToken({ s: statement.length, o: offset });
}

function decodeToken(token: string): number {
  const o = decodePageToken(token)?.o;
  if (typeof o === "number") return o;
  throw invalid("Invalid NextToken");
}

async function select(ctx: RequestContext, st: Extract<Statement, { kind: "select" }>, input: InputOf<Ops, "ExecuteStatement">) {
  const table = await requireTable(ctx, st.table);
  const plan = readPlan(table, st, input.ConsistentRead === true);
  const skip = input.NextToken ? decodeToken(input.NextToken) : 0;
  const limit = input.Limit ?? Infinity;
  const items: Item[] = [];
  let seen = 0, evaluated = 0, bytes = 0;
  let more = false;
  for await (const item of candidates(ctx, plan)) {
    if (seen++ < skip) continue;
    if (evaluated >= limit || bytes >= PAGE_BYTES) {
      more = true;
      break;
    }
    evaluated++;
    bytes += itemSize(item);
    if (matches(plan.where, item)) items.push(plan.projection ? (project(asLibItem(item), plan.projection)) : item);
  }
  return { Items: items, ...(more ? { NextToken: encodeToken(input.Statement, skip + evaluated) } : {}) };
}

/** A write statement as a transaction action (also used, one at a time, by ExecuteStatement). */
async function writeAction(ctx: RequestContext, st: Statement, onFailure: string | undefined): Promise<TxAction & { statement: Statement }> {
  const table = await requireTable(ctx, st.table);
  const keyNames = table.range ? [table.hash, table.range] : [table.hash];
  switch (st.kind) {
    case "insert": {
      const item = st.item as Item;
      checkItem(table, item);
      return { statement: st, table, key: itemKey(table, item), decide: (current) => {
        if (current) throw duplicateItem();
        return item;
      } };
    }
    case "update": {
      const keyItem = keyFromWhere(table, st.where);
      return { statement: st, table, key: itemKey(table, keyItem), decide: (current) => {
        if (!current || !matches(st.where, current)) throw conditionFailed(current, onFailure);
        const next = applyUpdate({ actions: st.actions }, asLibItem(current), keyNames).item as Item;
        checkItem(table, next, true);
        return next;
      } };
    }
    case "delete": {
      const keyItem = keyFromWhere(table, st.where);
      return { statement: st, table, key: itemKey(table, keyItem), decide: (current) => {
        if (!current) return undefined;
        if (!matches(st.where, current)) throw conditionFailed(current, onFailure);
        return null;
      } };
    }
    default:
      throw invalid("Unsupported operation: only INSERT, UPDATE and DELETE may be mixed in a write");
  }
}

function returned(st: Statement, old: Item | null, next: Item | null): Item | undefined {
  if (st.kind !== "update" && st.kind !== "delete") return undefined;
  const paths = st.kind === "update" ? st.actions.map((a) => a.path) : [];
  switch (st.returning) {
    case "ALL_OLD": return old ?? undefined;
    case "ALL_NEW": return next ?? undefined;
    case "MODIFIED_OLD": return pickPaths(old, paths);
    case "MODIFIED_NEW": return pickPaths(next, paths);
  }
  return undefined;
}

export async function executeStatement(input: InputOf<Ops, "ExecuteStatement">, ctx: RequestContext): Promise<OutputOf<Ops, "ExecuteStatement">> {
  const st = parseStatement(input.Statement, input.Parameters ?? []);
  if (st.kind === "select") return select(ctx, st, input);
  const action = await writeAction(ctx, st, input.ReturnValuesOnConditionCheckFailure);
  const { effect, result } = await mutateItem(ctx, action.table, action.key, (current) => ({ next: action.decide(current), result: current }));
  const attrs = returned(st, result, effect ? effect.new : result);
  return { Items: attrs ? [attrs] : [] };
}

function errorCode(e: unknown): { Code: BatchStatementErrorCodeEnum; Message: string; Item?: Item } {
  if (!(e instanceof AwsError)) throw e;
  const codes: Record<string, BatchStatementErrorCodeEnum> = {
    ConditionalCheckFailedException: "ConditionalCheckFailed",
    DuplicateItemException: "DuplicateItem",
    ValidationException: "ValidationError",
    ResourceNotFoundException: "ResourceNotFound",
    TransactionConflictException: "TransactionConflict",
  };
  const item = e.fields.Item as Item | undefined;
  return { Code: codes[e.code] ?? "InternalServerError", Message: e.message, ...(item ? { Item: item } : {}) };
}

function isRead(text: string): boolean {
  return /^\s*select\b/i.test(text);
}

export async function batchExecuteStatement(input: InputOf<Ops, "BatchExecuteStatement">, ctx: RequestContext): Promise<OutputOf<Ops, "BatchExecuteStatement">> {
  const reads = input.Statements.filter((s) => isRead(s.Statement)).length;
  if (reads && reads !== input.Statements.length) throw invalid("Unsupported operation: A batch must contain either only reads or only writes");
  const Responses = [];
  for (const s of input.Statements) {
    try {
      const st = parseStatement(s.Statement, s.Parameters ?? []);
      if (st.kind === "select") {
        const table = await requireTable(ctx, st.table);
        if (st.index !== undefined) throw invalid("Select statements within BatchExecuteStatement cannot use an index");
        const key = keyFromWhere(table, st.where);
        const item = await readItem(ctx, table, itemKey(table, key));
        const found = item && matches(st.where, item) ? (st.projection ? (project(asLibItem(item), st.projection)) : item) : undefined;
        Responses.push({ TableName: table.name, ...(found ? { Item: found } : {}) });
        continue;
      }
      const action = await writeAction(ctx, st, s.ReturnValuesOnConditionCheckFailure);
      await mutateItem(ctx, action.table, action.key, (current) => ({ next: action.decide(current), result: null }));
      Responses.push({ TableName: action.table.name });
    } catch (e) {
      const tableName = /^\s*(?:select\b.*?\bfrom|insert\s+into|update|delete\s+from)\s+"?([A-Za-z0-9_.-]+)"?/is.exec(s.Statement)?.[1];
      Responses.push({ ...(tableName ? { TableName: tableName } : {}), Error: errorCode(e) });
    }
  }
  return { Responses };
}

export async function executeTransaction(input: InputOf<Ops, "ExecuteTransaction">, ctx: RequestContext): Promise<OutputOf<Ops, "ExecuteTransaction">> {
  const statements = input.TransactStatements.map((s) => ({ s, st: parseStatement(s.Statement, s.Parameters ?? []) }));
  const reads = statements.filter((x) => x.st.kind === "select").length;
  if (reads && reads !== statements.length) throw invalid("Unsupported operation: A transaction must contain either only reads or only writes");
  if (reads) {
    const plans: { table: TableRecord; key: KeyPart[]; st: Extract<Statement, { kind: "select" }> }[] = [];
    const seen = new Set<string>();
    for (const { st } of statements) {
      const sel = st as Extract<Statement, { kind: "select" }>;
      const table = await requireTable(ctx, sel.table);
      const key = itemKey(table, keyFromWhere(table, sel.where));
      const id = `${table.id}/${encodeKey(key)}`;
      if (seen.has(id)) throw invalid("Transaction request cannot include multiple operations on one item");
      seen.add(id);
      plans.push({ table, key, st: sel });
    }
    const entries = await ctx.store.getMany<Item>(plans.map((p) => p.key));
    const now = ctx.clock.now();
    return {
      Responses: plans.map((p, i) => {
        const item = visible(p.table, entries[i]!.value, now);
        if (!item || !matches(p.st.where, item)) return {};
        return { Item: p.st.projection ? (project(asLibItem(item), p.st.projection) as Item) : item };
      }),
    };
  }
  const actions: TxAction[] = [];
  for (const { s, st } of statements) actions.push(await writeAction(ctx, st, s.ReturnValuesOnConditionCheckFailure));
  const fingerprint = JSON.stringify(input.TransactStatements);
  return withClientToken(ctx, input.ClientRequestToken, fingerprint, async () => {
    await runWriteTransaction(ctx, actions);
    return {};
  }, () => ({}));
}

