/** Requests: the live request log (server-sent events), filters, bodies on click. */
import { h, fill } from "../dom.ts";
import { INTERNAL, internal, base64ToBytes } from "../api.ts";
import { kv, pre, section, select, status, text, when } from "../ui.ts";
import type { CapturedBody, RequestRecord } from "../../request-log.ts";
import type { ViewContext } from "./types.ts";

interface Entry {
  id: number;
  time: number;
  requestId: string;
  service: string;
  operation: string;
  status: number;
  latencyMs: number;
  account: string;
  region: string;
  method: string;
  path: string;
  bodies: boolean;
}

const SHOWN = 500;

export async function requests(el: HTMLElement, _path: string[], query: URLSearchParams, ctx: ViewContext): Promise<void> {
  const entries: Entry[] = [];
  const services = new Set<string>();
  const serviceSel = select("service", [["", "all services"]], query.get("service") ?? "");
  const statusSel = select("status", [["", "any status"], ["2", "2xx"], ["4", "4xx"], ["5", "5xx"], ["err", "errors (4xx, 5xx)"]], query.get("status") ?? "");
  const search = text("q", { placeholder: "operation, path, request id…", value: query.get("q") ?? "" });
  const tbody = h("tbody");
  const detail = h("div", { class: "detail" });
  const live = h("span", { class: "live" }, "connecting…");
  const matches = (e: Entry) => {
    if (serviceSel.value && e.service !== serviceSel.value) return false;
    const s = statusSel.value;
    if (s === "err" ? e.status < 400 : s && String(e.status)[0] !== s) return false;
    const q = search.value.trim().toLowerCase();
    return !q || `${e.service} ${e.operation} ${e.method} ${e.path} ${e.requestId} ${e.account} ${e.region} ${e.status}`.toLowerCase().includes(q);
  };
  const row = (e: Entry) => h("tr", { class: `open s${String(e.status)[0]}`, "data-id": e.id, "data-service": e.service, "data-operation": e.operation, onclick: () => open(e) },
    h("td", { title: when(e.time) }, new Date(e.time).toISOString().slice(11, 23)), h("td", null, e.service), h("td", null, e.operation || h("em", null, "(none)")),
    h("td", { class: "num" }, e.status), h("td", { class: "num" }, `${e.latencyMs} ms`), h("td", null, e.account), h("td", null, e.region),
    h("td", { class: "path" }, `${e.method} ${e.path}`));
  const redraw = () => {
    fill(tbody, entries.filter(matches).slice(-SHOWN).reverse().map(row));
    if (serviceSel.options.length - 1 !== services.size) {
      const value = serviceSel.value;
      fill(serviceSel, h("option", { value: "" }, "all services"), [...services].sort().map((s) => h("option", { value: s, selected: s === value }, s)));
    }
  };
  const open = async (e: Entry) => {
    const full = await internal<RequestRecord>(`/requests/${e.id}`);
    const body = (b: CapturedBody | undefined) => !b ? h("p", { class: "empty" }, "(not captured: bodies are kept while a console is open)")
      : pre(b.encoding === "base64" ? `(${b.size} bytes, binary)\n${hex(base64ToBytes(b.text))}` : pretty(b.text) + (b.truncated ? `\n… (${b.size} bytes in all)` : ""));
    fill(detail, section(`${e.service} ${e.operation} → ${e.status}`,
      kv({ requestId: e.requestId, time: when(e.time), latency: `${e.latencyMs} ms`, account: e.account, region: e.region, method: e.method, path: e.path }),
      h("h3", null, "Request body", full.request?.contentType ? ` (${full.request.contentType})` : ""), body(full.request),
      h("h3", null, "Response body", full.response?.contentType ? ` (${full.response.contentType})` : ""), body(full.response)));
  };
  for (const input of [serviceSel, statusSel]) input.addEventListener("change", redraw);
  search.addEventListener("input", redraw);
  fill(el, h("h1", null, "Requests ", live),
    h("div", { class: "toolbar filters" }, serviceSel, statusSel, search, h("button", { type: "button", onclick: () => { entries.length = 0; redraw(); } }, "Clear")),
    h("div", { class: "split" },
      h("div", { class: "scroll" }, h("table", { "data-name": "requests", class: "compact" }, h("thead", null, h("tr", null, ["time (UTC)", "service", "operation", "status", "latency", "account", "region", "request"].map((t) => h("th", null, t)))), tbody)),
      detail));

  const source = new EventSource(`${INTERNAL}/requests/stream`);
  let pending = false;
  source.onopen = () => {
    live.textContent = "live";
    live.className = "live on";
  };
  source.onerror = () => {
    if (!ctx.current()) return source.close();
    live.textContent = "reconnecting…";
    live.className = "live";
  };
  source.onmessage = (message) => {
    if (!ctx.current()) return source.close();
    const entry = JSON.parse(message.data) as Entry;
    entries.push(entry);
    services.add(entry.service);
    if (entries.length > 5000) entries.splice(0, entries.length - 5000);
    // Many events at once redraw once.
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        if (ctx.current()) redraw();
      });
    }
  };
  window.addEventListener("hashchange", () => source.close(), { once: true });
  const check = await fetch(`${INTERNAL}/requests`);
  if (!check.ok) status("The request log is off (started with a request log size of 0).", "error");
}

function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function hex(bytes: Uint8Array): string {
  return [...bytes.subarray(0, 512)].map((b) => b.toString(16).padStart(2, "0")).join(" ") + (bytes.length > 512 ? " …" : "");
}
