/**
 * The pattern most views follow: a list of resources (with create and delete), and a detail
 * page of sections. Also `records`, a table for introspection views' records of any shape.
 */
import { h, fill, type Child } from "../dom.ts";
import { button, confirmed, form, go, link, pre, section, status, table, when, type Column } from "../ui.ts";

export interface ListSpec<T> {
  title: string;
  name: string;
  rows: T[];
  columns: Column<T>[];
  /** The route of a row's detail page. */
  href?: (row: T) => string;
  create?: { label: string; fields: Child[]; submit: (data: FormData) => Promise<string | void> };
  remove?: { what: (row: T) => string; run: (row: T) => Promise<unknown> };
  before?: Child[];
  after?: Child[];
  empty?: string;
}

/** A list page; the first column links to `href(row)`. */
export function listPage<T>(el: HTMLElement, spec: ListSpec<T>): void {
  const columns = spec.columns.map((c, i) => (i === 0 && spec.href ? { ...c, cell: (row: T) => link(spec.href!(row), c.cell(row)) } : c));
  if (spec.remove) {
    const remove = spec.remove;
    columns.push({ title: "", cell: (row: T) => button("Delete", async () => {
      const what = remove.what(row);
      if (!confirmed(`Delete ${what}?`)) return;
      await remove.run(row);
      status(`Deleted ${what}.`);
      go(location.hash);
    }, { class: "danger", "data-action": "delete" }) });
  }
  fill(el, h("h1", null, spec.title), spec.before,
    spec.create ? form(`create-${spec.name}`, async (data) => {
      const next = await spec.create!.submit(data);
      status(`Created ${String(data.get("name") ?? "")}.`.replace(" .", "."));
      go(next ?? location.hash);
    }, spec.create.fields, h("button", { type: "submit" }, spec.create.label)) : null,
    table(columns, spec.rows, { name: spec.name, empty: spec.empty ?? "None in this account and region." }),
    spec.after);
}

/** A detail page: title, breadcrumb back to the list, toolbar, sections. */
export function detailPage(el: HTMLElement, title: string, back: [string, string], toolbar: Child[], ...sections: Child[]): void {
  fill(el, h("h1", null, title), h("div", { class: "crumbs" }, link(back[0], back[1]), " / ", title), h("div", { class: "toolbar" }, toolbar), ...sections);
}

function short(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number" && value > 1e9 && value < 1e13) return when(value);
  if (typeof value !== "object") return String(value);
  const text = JSON.stringify(value);
  return text.length > 120 ? text.slice(0, 117) + "…" : text;
}

/** Records of any shape (introspection views): one column per top-level member, JSON on click. */
export function records(title: string, name: string, rows: Record<string, unknown>[], limit = 200): HTMLElement {
  const shown = rows.slice(-limit).reverse();
  const keys: string[] = [];
  for (const row of shown) for (const k of Object.keys(row)) if (!keys.includes(k) && keys.length < 7) keys.push(k);
  const detail = h("div");
  return section(`${title} (${rows.length}${rows.length > limit ? `, latest ${limit}` : ""})`,
    table(keys.map((k) => ({ title: k, cell: (row: Record<string, unknown>) => short(row[k]) })), shown, { name, onOpen: (row) => fill(detail, pre(row)), empty: "None recorded." }),
    detail);
}
