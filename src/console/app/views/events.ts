/** EventBridge: buses → rules (pattern, schedule, targets), put events, delivery outcomes. */
import { h } from "../dom.ts";
import { call, callAll, view } from "../api.ts";
import { button, confirmed, enc, field, form, go, kv, pre, section, status, table, text } from "../ui.ts";
import { detailPage, listPage, records } from "./resource.ts";

export async function events(el: HTMLElement, path: string[], query: URLSearchParams): Promise<void> {
  if (path[0] && query.has("rule")) return rule(el, path[0], query.get("rule")!);
  if (path[0]) return bus(el, path[0]);
  const buses = await callAll("events", "ListEventBuses", {}, (o) => o.EventBuses);
  const invocations = await view<Record<string, unknown>[]>("events", "invocations").catch(() => []);
  listPage(el, {
    title: "EventBridge buses", name: "buses", rows: buses,
    columns: [{ title: "name", cell: (b) => b.Name }, { title: "arn", cell: (b) => h("code", null, b.Arn) }],
    href: (b) => `#/events/${enc(b.Name)}`,
    after: [records("Target deliveries", "event-invocations", Array.isArray(invocations) ? invocations : [])],
  });
}

async function bus(el: HTMLElement, name: string): Promise<void> {
  const rules = await callAll("events", "ListRules", { EventBusName: name }, (o) => o.Rules);
  detailPage(el, name, ["#/events", "buses"], [],
    section("Rules", table([
      { title: "rule", cell: (r) => h("a", { href: `#/events/${enc(name)}?rule=${enc(r.Name)}` }, r.Name) },
      { title: "state", cell: (r) => r.State },
      { title: "pattern / schedule", cell: (r) => h("code", null, r.ScheduleExpression ?? r.EventPattern ?? "") },
    ], rules, { name: "rules", empty: "No rules on this bus." })),
    section("Put an event", form("put-events", async (data) => {
      const out = await call("events", "PutEvents", { Entries: [{ EventBusName: name, Source: String(data.get("source")), DetailType: String(data.get("type")), Detail: String(data.get("detail") || "{}") }] });
      const entry = out.Entries?.[0] ?? {};
      if (entry.ErrorCode) throw new Error(`${entry.ErrorCode}: ${entry.ErrorMessage}`);
      status(`Put event ${entry.EventId}.`);
    }, field("source", text("source", { required: true, value: "my.app" })), field("detail-type", text("type", { required: true, value: "Example" })),
    field("detail (JSON)", h("textarea", { name: "detail", rows: 3 }, "{}")), h("button", { type: "submit" }, "Put"))));
}

async function rule(el: HTMLElement, busName: string, name: string): Promise<void> {
  const described = await call("events", "DescribeRule", { Name: name, EventBusName: busName });
  const targets = await callAll("events", "ListTargetsByRule", { Rule: name, EventBusName: busName }, (o) => o.Targets);
  const enabled = described.State === "ENABLED";
  detailPage(el, name, [`#/events/${enc(busName)}`, busName], [
    button(enabled ? "Disable" : "Enable", async () => {
      await call("events", enabled ? "DisableRule" : "EnableRule", { Name: name, EventBusName: busName });
      status(`${enabled ? "Disabled" : "Enabled"} rule ${name}.`);
      go(location.hash);
    }, { "data-action": "toggle" }),
    button("Delete rule", async () => {
      if (!confirmed(`Delete rule ${name} and its targets?`)) return;
      if (targets.length) await call("events", "RemoveTargets", { Rule: name, EventBusName: busName, Ids: targets.map((t) => t.Id) });
      await call("events", "DeleteRule", { Name: name, EventBusName: busName });
      status(`Deleted rule ${name}.`);
      go(`#/events/${enc(busName)}`);
    }, { class: "danger", "data-action": "delete" }),
  ],
  described.EventPattern ? section("Event pattern", pre(JSON.parse(described.EventPattern))) : null,
  section("Targets", table([
    { title: "id", cell: (t) => t.Id },
    { title: "arn", cell: (t) => h("code", null, t.Arn) },
    { title: "input", cell: (t) => t.Input ?? t.InputPath ?? (t.InputTransformer ? "transformer" : "") },
  ], targets, { name: "targets", empty: "No targets." })),
  section("Rule", kv(described)));
}
