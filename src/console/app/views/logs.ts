/** CloudWatch Logs: groups → streams → events; filter a group's events by pattern. */
import { h, fill } from "../dom.ts";
import { call, callAll } from "../api.ts";
import type { Column } from "../ui.ts";
import { bytes, enc, field, form, kv, section, status, table, text, when } from "../ui.ts";
import { detailPage, listPage } from "./resource.ts";

/** Columns of both GetLogEvents' and FilterLogEvents' events. */
const eventColumns: Column<{ timestamp?: number; message?: string }>[] = [
  { title: "time", cell: (e) => when(e.timestamp) },
  { title: "message", cell: (e) => h("span", { class: "body-cell" }, e.message) },
];

export async function logs(el: HTMLElement, path: string[], query: URLSearchParams): Promise<void> {
  if (path[0] && query.has("stream")) return stream(el, path[0], query.get("stream")!);
  if (path[0]) return group(el, path[0]);
  const groups = await callAll("logs", "DescribeLogGroups", {}, (o) => o.logGroups, ["nextToken", "nextToken"]);
  listPage(el, {
    title: "CloudWatch Logs groups", name: "log-groups", rows: groups,
    columns: [
      { title: "name", cell: (g) => g.logGroupName },
      { title: "retention", cell: (g) => (g.retentionInDays ? `${g.retentionInDays} days` : "never expires") },
      { title: "stored", cell: (g) => bytes(g.storedBytes) },
      { title: "created", cell: (g) => when(g.creationTime) },
    ],
    href: (g) => `#/logs/${enc(g.logGroupName)}`,
    create: { label: "Create", fields: [field("New log group", text("name", { required: true, placeholder: "/my/app" }))], submit: async (data) => {
      await call("logs", "CreateLogGroup", { logGroupName: String(data.get("name")) });
    } },
    remove: { what: (g) => `log group ${g.logGroupName}`, run: (g) => call("logs", "DeleteLogGroup", { logGroupName: g.logGroupName! }) },
  });
}

async function group(el: HTMLElement, name: string): Promise<void> {
  const streams = await callAll("logs", "DescribeLogStreams", { logGroupName: name, orderBy: "LastEventTime", descending: true }, (o) => o.logStreams, ["nextToken", "nextToken"], 500);
  const found = h("div");
  detailPage(el, name, ["#/logs", "log groups"], [],
    section("Streams", table([
      { title: "stream", cell: (s) => h("a", { href: `#/logs/${enc(name)}?stream=${enc(s.logStreamName)}` }, s.logStreamName) },
      { title: "last event", cell: (s) => when(s.lastEventTimestamp) },
      { title: "created", cell: (s) => when(s.creationTime) },
    ], streams, { name: "log-streams", empty: "No streams." })),
    section("Filter events", form("filter", async (data) => {
      const out = await call("logs", "FilterLogEvents", { logGroupName: name, filterPattern: String(data.get("pattern") ?? ""), limit: 500 });
      fill(found, table([{ title: "stream", cell: (e) => e.logStreamName }, ...eventColumns], out.events ?? [], { name: "filtered", empty: "No matching events." }));
      status(`${(out.events ?? []).length} event(s) match.`);
    }, field("filter pattern", text("pattern", { placeholder: "ERROR or { $.level = \"error\" }" })), h("button", { type: "submit" }, "Filter")), found));
}

async function stream(el: HTMLElement, groupName: string, name: string): Promise<void> {
  const out = await call("logs", "GetLogEvents", { logGroupName: groupName, logStreamName: name, startFromHead: true, limit: 1000 });
  detailPage(el, name, [`#/logs/${enc(groupName)}`, groupName], [],
    section(`Events (${(out.events ?? []).length})`, table(eventColumns, out.events ?? [], { name: "log-events", empty: "No events." })),
    section("Stream", kv({ group: groupName, stream: name })));
}
