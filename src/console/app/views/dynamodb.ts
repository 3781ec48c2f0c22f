/** DynamoDB: tables → schema, indexes, items (Scan/Query with pages), item editor in DynamoDB JSON. */
import { h, fill } from "../dom.ts";
import type { AttributeValue, KeyType, ScalarAttributeType } from "../../../generated/dynamodb.ts";
import { call, type CallInput, type Wire } from "../api.ts";
import { button, confirmed, enc, field, form, go, kv, link, section, select, status, table, text, when } from "../ui.ts";

type Item = Record<string, Wire<AttributeValue>>;
/** Scan's and Query's input (Scan's lacks only the key condition, never set for a Scan). */
type ReadInput = CallInput<"dynamodb", "Query">;
type ReadOp = "Scan" | "Query";

export async function dynamodb(el: HTMLElement, path: string[]): Promise<void> {
  if (path[0]) return tableView(el, path[0]);
  const out = await call("dynamodb", "ListTables", { Limit: 100 });
  const names: string[] = out.TableNames ?? [];
  fill(el, h("h1", null, "DynamoDB tables"),
    form("create-table", async (data) => {
      const name = String(data.get("name"));
      const attrs = [{ AttributeName: String(data.get("pk")), AttributeType: String(data.get("pkType")) as ScalarAttributeType }];
      const keys: { AttributeName: string; KeyType: KeyType }[] = [{ AttributeName: attrs[0]!.AttributeName, KeyType: "HASH" }];
      if (data.get("sk")) {
        attrs.push({ AttributeName: String(data.get("sk")), AttributeType: String(data.get("skType")) as ScalarAttributeType });
        keys.push({ AttributeName: String(data.get("sk")), KeyType: "RANGE" });
      }
      await call("dynamodb", "CreateTable", { TableName: name, AttributeDefinitions: attrs, KeySchema: keys, BillingMode: "PAY_PER_REQUEST" });
      status(`Created table ${name}.`);
      go(`#/dynamodb/${enc(name)}`);
    }, field("New table", text("name", { required: true, placeholder: "table-name" })),
    field("partition key", text("pk", { required: true, value: "pk", size: 8 })), select("pkType", ["S", "N", "B"]),
    field("sort key", text("sk", { size: 8 })), select("skType", ["S", "N", "B"]), h("button", { type: "submit" }, "Create")),
    table([
      { title: "name", cell: (n: string) => link(`#/dynamodb/${enc(n)}`, n) },
      { title: "", cell: (n: string) => button("Delete", async () => {
        if (!confirmed(`Delete table ${n} and all its items?`)) return;
        await call("dynamodb", "DeleteTable", { TableName: n });
        status(`Deleted table ${n}.`);
        go("#/dynamodb");
      }, { class: "danger", "data-action": "delete-table" }) },
    ], names, { name: "tables", empty: "No tables in this account and region." }));
}

/** An attribute value, short: `S` as is, numbers, sets and documents as compact JSON. */
function show(value: Record<string, unknown> | undefined): string {
  if (!value) return "";
  const [type, v] = Object.entries(value)[0] ?? ["", ""];
  if (type === "S" || type === "N") return String(v);
  if (type === "BOOL") return String(v);
  if (type === "NULL") return "null";
  const json = JSON.stringify(v);
  return json.length > 80 ? json.slice(0, 77) + "…" : json;
}

async function tableView(el: HTMLElement, name: string): Promise<void> {
  const t = (await call("dynamodb", "DescribeTable", { TableName: name })).Table!;
  const keyNames: string[] = (t.KeySchema ?? []).map((k) => k.AttributeName);
  const indexes = [...(t.GlobalSecondaryIndexes ?? []).map((i) => ({ ...i, kind: "global" })), ...(t.LocalSecondaryIndexes ?? []).map((i) => ({ ...i, kind: "local" }))];
  const results = h("div", { class: "items" });
  const editor = h("div", { class: "editor" });
  const keyOf = (item: Item) => Object.fromEntries(keyNames.map((k) => [k, item[k]]));
  let lastKey: ReadInput["ExclusiveStartKey"];
  let lastInput: ReadInput | undefined;
  let lastOp: ReadOp = "Scan";
  let items: Item[] = [];

  const edit = (item: Item | undefined) => {
    const area = h("textarea", { name: "item", rows: 14, spellcheck: "false" }, JSON.stringify(item ?? Object.fromEntries(keyNames.map((k) => [k, { S: "" }])), null, 2));
    fill(editor, section(item ? "Edit item (DynamoDB JSON)" : "New item (DynamoDB JSON)",
      form("item", async () => {
        let parsed: Item;
        try {
          parsed = JSON.parse(area.value);
        } catch (e) {
          throw new Error(`Not JSON: ${(e as Error).message}`);
        }
        await call("dynamodb", "PutItem", { TableName: name, Item: parsed });
        fill(editor);
        await runQuery(lastOp, lastInput ?? { TableName: name, Limit: 50 }, false, true);
        status("Saved the item.");
      }, area, h("div", { class: "toolbar" },
        h("button", { type: "submit" }, "Save"),
        item ? button("Delete item", async () => {
          if (!confirmed("Delete this item?")) return;
          await call("dynamodb", "DeleteItem", { TableName: name, Key: keyOf(item) });
          fill(editor);
          await runQuery(lastOp, lastInput ?? { TableName: name, Limit: 50 }, false, true);
          status("Deleted the item.");
        }, { class: "danger", "data-action": "delete-item" }) : null,
        button("Cancel", () => fill(editor))))));
    area.focus();
  };

  const renderItems = () => {
    const names = [...keyNames];
    for (const item of items) for (const k of Object.keys(item)) if (!names.includes(k) && names.length < 10) names.push(k);
    fill(results, table(names.map((n) => ({ title: n, cell: (item: Item) => show(item[n]) })), items, { name: "items", onOpen: edit, empty: "No items." }),
      lastKey ? button("Next page", () => runQuery(lastOp, { ...lastInput!, ExclusiveStartKey: lastKey }, true), { "data-action": "next-page" }) : null);
  };

  async function runQuery(op: ReadOp, input: ReadInput, append: boolean, quiet = false) {
    const out = op === "Query" ? await call("dynamodb", "Query", input) : await call("dynamodb", "Scan", input);
    items = append ? [...items, ...(out.Items ?? [])] : (out.Items ?? []);
    lastKey = out.LastEvaluatedKey;
    lastOp = op;
    lastInput = { ...input, ExclusiveStartKey: undefined };
    renderItems();
    if (!quiet) status(`${op}: ${out.Count} item(s)${out.LastEvaluatedKey ? ", more pages" : ""}.`);
  }

  const parseJson = (text: FormDataEntryValue | null) => {
    const s = String(text ?? "").trim();
    if (!s) return undefined;
    try {
      return JSON.parse(s);
    } catch (e) {
      throw new Error(`Expression attribute values: not JSON: ${(e as Error).message}`);
    }
  };
  const queryForm = form("query", async (data) => {
    const op = String(data.get("op")) as ReadOp;
    const input: ReadInput = {
      TableName: name,
      IndexName: (data.get("index") as string | null) || undefined,
      Limit: Number(data.get("limit")) || 50,
      FilterExpression: (data.get("filter") as string | null) || undefined,
      ExpressionAttributeValues: parseJson(data.get("values")),
      ExpressionAttributeNames: parseJson(data.get("names")),
    };
    if (op === "Query") input.KeyConditionExpression = (data.get("key") as string | null) || undefined;
    await runQuery(op, input, false);
  },
  select("op", ["Scan", "Query"]), field("index", select("index", [["", "(table)"], ...indexes.map((i) => [i.IndexName, i.IndexName] as [string, string])])),
  field("key condition (Query)", text("key", { placeholder: "pk = :pk" })),
  field("filter", text("filter", { placeholder: "attribute_exists(x)" })),
  field("values", text("values", { placeholder: '{":pk":{"S":"a"}}' })),
  field("names", text("names", { placeholder: '{"#n":"name"}' })),
  field("limit", h("input", { type: "number", name: "limit", value: 50, min: 1, max: 1000 })),
  h("button", { type: "submit" }, "Run"));

  fill(el, h("h1", null, "Table ", name), h("div", { class: "crumbs" }, link("#/dynamodb", "tables"), " / ", name),
    section("Schema", kv({
      status: t.TableStatus, items: t.ItemCount, size: t.TableSizeBytes, billing: t.BillingModeSummary?.BillingMode ?? "PROVISIONED",
      created: when(t.CreationDateTime), keys: (t.KeySchema ?? []).map((k) => `${k.AttributeName} (${k.KeyType})`).join(", "),
      attributes: (t.AttributeDefinitions ?? []).map((a) => `${a.AttributeName}: ${a.AttributeType}`).join(", "),
      stream: t.StreamSpecification?.StreamEnabled ? t.StreamSpecification.StreamViewType : undefined, arn: t.TableArn,
    })),
    section("Indexes", table([
      { title: "name", cell: (i) => i.IndexName },
      { title: "kind", cell: (i) => i.kind },
      { title: "keys", cell: (i) => i.KeySchema!.map((k) => `${k.AttributeName} (${k.KeyType})`).join(", ") },
      { title: "projection", cell: (i) => i.Projection?.ProjectionType ?? "" },
    ], indexes, { name: "indexes", empty: "No secondary indexes." })),
    section("Items", queryForm, h("div", { class: "toolbar" }, button("New item", () => edit(undefined), { "data-action": "new-item" })), editor, results));
  await runQuery("Scan", { TableName: name, Limit: 50 }, false);
}
