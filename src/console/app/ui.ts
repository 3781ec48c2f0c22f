/** Building blocks every view uses: tables, key/value lists, JSON, forms, status messages. */
import { h, type Child } from "./dom.ts";

export interface Column<T> {
  title: string;
  cell: (row: T) => Child;
}

/** A table; `onOpen` makes rows clickable (the first cell is then a link-like button). */
export function table<T>(columns: Column<T>[], rows: T[], options: { onOpen?: (row: T) => void; empty?: string; name?: string } = {}): HTMLElement {
  if (rows.length === 0) return h("p", { class: "empty" }, options.empty ?? "Nothing here yet.");
  return h("table", { "data-name": options.name },
    h("thead", null, h("tr", null, columns.map((c) => h("th", null, c.title)))),
    h("tbody", null, rows.map((row) => h("tr", options.onOpen ? { class: "open", onclick: (e: Event) => {
      if ((e.target as HTMLElement).closest("button,a,input")) return;
      options.onOpen!(row);
    } } : null, columns.map((c) => h("td", null, c.cell(row)))))));
}

/** Member/value rows of an object; nested values as JSON. */
export function kv(value: object | undefined): HTMLElement {
  const entries = Object.entries(value ?? {}).filter(([, v]) => v !== undefined && v !== null);
  if (entries.length === 0) return h("p", { class: "empty" }, "(none)");
  return h("table", { class: "kv" }, h("tbody", null, entries.map(([k, v]) =>
    h("tr", null, h("th", null, k), h("td", null, typeof v === "object" ? pre(v) : String(v))))));
}

export function pre(value: unknown): HTMLElement {
  return h("pre", { class: "json" }, typeof value === "string" ? value : JSON.stringify(value, null, 2));
}

export function section(title: string, ...children: Child[]): HTMLElement {
  return h("section", null, h("h2", null, title), ...children);
}

export function link(hash: string, text: Child): HTMLElement {
  return h("a", { href: hash }, text);
}

export function button(label: string, onClick: () => unknown | Promise<unknown>, attrs: Record<string, unknown> = {}): HTMLButtonElement {
  return h("button", { type: "button", ...attrs, onclick: () => run(onClick) }, label);
}

/** A labelled input; returns the label (the input is its `.input`). */
export function field(label: string, input: HTMLElement): HTMLLabelElement {
  return h("label", null, h("span", null, label), input);
}

/** A form whose submit runs `onSubmit` (errors shown in the status bar). */
export function form(name: string, onSubmit: (data: FormData, el: HTMLFormElement) => unknown | Promise<unknown>, ...children: Child[]): HTMLFormElement {
  const el: HTMLFormElement = h("form", { "data-form": name, onsubmit: (e: Event) => {
    e.preventDefault();
    void run(() => onSubmit(new FormData(el), el));
  } }, ...children);
  return el;
}

export function text(name: string, attrs: Record<string, unknown> = {}): HTMLInputElement {
  return h("input", { name, type: "text", autocomplete: "off", spellcheck: "false", ...attrs });
}

export function select(name: string, options: (string | [string, string])[], value?: string): HTMLSelectElement {
  return h("select", { name }, options.map((o) => {
    const [v, label] = Array.isArray(o) ? o : [o, o];
    return h("option", { value: v, selected: v === value }, label);
  }));
}

let statusEl: HTMLElement | undefined;
export function setStatusElement(el: HTMLElement): void {
  statusEl = el;
}

let keep = false;

/** Clears the status bar on navigation, unless the action that navigated just set it. */
export function clearStatus(): void {
  if (!keep) status("");
  keep = false;
}

/** Shows a message in the status bar (errors in red) until the next one. */
export function status(message: string, kind: "ok" | "error" = "ok"): void {
  if (!statusEl) return;
  statusEl.textContent = message;
  statusEl.className = `status ${kind}`;
}

/** Runs an action; its error, if any, goes to the status bar. */
export async function run(action: () => unknown | Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    status((error as Error).message ?? String(error), "error");
  }
}

export function when(ms: number | string | undefined): string {
  if (ms === undefined || ms === null || ms === "") return "";
  const n = typeof ms === "number" ? ms : Number(ms);
  // Epoch seconds (AWS JSON timestamps) or milliseconds.
  const date = new Date(Number.isFinite(n) ? (n < 1e11 ? n * 1000 : n) : String(ms));
  return Number.isNaN(date.getTime()) ? String(ms) : date.toISOString().replace("T", " ").replace(/\.\d+Z$/, "Z");
}

export function bytes(n: number | undefined): string {
  if (n === undefined || n === null) return "";
  if (n < 1024) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function confirmed(message: string): boolean {
  return window.confirm(message);
}

/** Navigates to a console route (`#/s3/...`). */
export function go(hash: string): void {
  keep = true;
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = hash;
}

/** `#/a/b?c=d` pieces. */
export function enc(part: string | undefined): string {
  return encodeURIComponent(part ?? "");
}
