/** Step Functions: state machines → definition, executions → status, the states as a graph, history. */
import { h } from "../dom.ts";
import { call, callAll } from "../api.ts";
import { enc, field, form, go, kv, pre, section, status, table, when } from "../ui.ts";
import { detailPage, listPage } from "./resource.ts";

export async function stepfunctions(el: HTMLElement, path: string[], query: URLSearchParams): Promise<void> {
  if (query.has("execution")) return execution(el, query.get("execution")!);
  if (path[0]) return machine(el, path[0]);
  const machines = await callAll("stepfunctions", "ListStateMachines", {}, (o) => o.stateMachines, ["nextToken", "nextToken"]);
  listPage(el, {
    title: "State machines", name: "state-machines", rows: machines,
    columns: [{ title: "name", cell: (m) => m.name }, { title: "type", cell: (m) => m.type }, { title: "created", cell: (m) => when(m.creationDate) }],
    href: (m) => `#/stepfunctions/${enc(m.stateMachineArn)}`,
    remove: { what: (m) => `state machine ${m.name}`, run: (m) => call("stepfunctions", "DeleteStateMachine", { stateMachineArn: m.stateMachineArn }) },
  });
}

async function machine(el: HTMLElement, arn: string): Promise<void> {
  const m = await call("stepfunctions", "DescribeStateMachine", { stateMachineArn: arn });
  const executions = await callAll("stepfunctions", "ListExecutions", { stateMachineArn: arn }, (o) => o.executions, ["nextToken", "nextToken"], 200);
  detailPage(el, m.name, ["#/stepfunctions", "state machines"], [],
    section("Start an execution", form("start-execution", async (data) => {
      const out = await call("stepfunctions", "StartExecution", { stateMachineArn: arn, input: String(data.get("input") || "{}") });
      status(`Started ${out.executionArn.split(":").pop()}.`);
      go(`#/stepfunctions?execution=${enc(out.executionArn)}`);
    }, field("input (JSON)", h("textarea", { name: "input", rows: 3 }, "{}")), h("button", { type: "submit" }, "Start"))),
    section("Executions", table([
      { title: "name", cell: (e) => h("a", { href: `#/stepfunctions?execution=${enc(e.executionArn)}` }, e.name) },
      { title: "status", cell: (e) => h("span", { class: `sf-${e.status}` }, e.status) },
      { title: "started", cell: (e) => when(e.startDate) },
      { title: "stopped", cell: (e) => when(e.stopDate) },
    ], executions, { name: "executions", empty: "No executions." })),
    section("Definition", graph(JSON.parse(m.definition), new Map()), pre(JSON.parse(m.definition))));
}

/** The parts of an Amazon States Language definition (the machine's JSON) the graph draws. */
interface AslDefinition {
  StartAt?: string;
  States?: Record<string, { Type?: string; Next?: string; Default?: string; End?: boolean; Choices?: { Next?: string }[]; Catch?: { Next?: string }[] }>;
}

/** The top-level states in order, each boxed with its outcome in this execution and its next states. */
function graph(definition: AslDefinition | null, outcome: Map<string, string>): HTMLElement {
  const states = Object.entries(definition?.States ?? {});
  return h("div", { class: "sf-graph" }, states.map(([name, s]) => {
    const next = [s.Next, s.Default, ...(s.Choices ?? []).map((c) => c.Next), ...(s.Catch ?? []).map((c) => c.Next)].filter(Boolean);
    const state = outcome.get(name);
    return h("div", { class: `sf-state ${state ? `sf-${state}` : ""}`, "data-state": name },
      h("strong", null, name), h("small", null, ` ${s.Type}${name === definition?.StartAt ? " · start" : ""}${s.End || s.Type === "Succeed" || s.Type === "Fail" ? " · end" : ""}`),
      state ? h("div", null, state) : null,
      next.length ? h("div", { class: "sf-next" }, "→ ", [...new Set(next)].join(", ")) : null);
  }));
}

async function execution(el: HTMLElement, arn: string): Promise<void> {
  const e = await call("stepfunctions", "DescribeExecution", { executionArn: arn });
  const events = await callAll("stepfunctions", "GetExecutionHistory", { executionArn: arn, maxResults: 1000 }, (o) => o.events, ["nextToken", "nextToken"], 5000);
  const m = await call("stepfunctions", "DescribeStateMachine", { stateMachineArn: e.stateMachineArn }).catch(() => ({ definition: "{}" }));
  const outcome = new Map<string, string>();
  for (const ev of events) {
    const entered = ev.stateEnteredEventDetails?.name;
    const exited = ev.stateExitedEventDetails?.name;
    if (entered) outcome.set(entered, "RUNNING");
    if (exited) outcome.set(exited, "SUCCEEDED");
    if (/Failed$|TimedOut$|Aborted$/.test(ev.type) && ev.previousEventId) {
      const prev = events.find((p) => p.id === ev.previousEventId);
      const name = prev?.stateEnteredEventDetails?.name ?? [...outcome.keys()].pop();
      if (name && outcome.get(name) === "RUNNING") outcome.set(name, "FAILED");
    }
  }
  if (e.status === "FAILED") for (const [k, v] of outcome) if (v === "RUNNING") outcome.set(k, "FAILED");
  detailPage(el, e.name!, [`#/stepfunctions/${enc(e.stateMachineArn)}`, e.stateMachineArn.split(":").pop()!], [],
    section("Execution", kv({ status: e.status, started: when(e.startDate), stopped: when(e.stopDate), error: e.error, cause: e.cause })),
    section("Graph", graph(JSON.parse(m.definition || "{}"), outcome)),
    section("Input", pre(tryJson(e.input))), e.output ? section("Output", pre(tryJson(e.output))) : null,
    section("History", table([
      { title: "id", cell: (ev) => ev.id },
      { title: "time", cell: (ev) => when(ev.timestamp) },
      { title: "type", cell: (ev) => ev.type },
      { title: "state", cell: (ev) => ev.stateEnteredEventDetails?.name ?? ev.stateExitedEventDetails?.name ?? "" },
    ], events, { name: "history" })));
}

function tryJson(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? "");
  } catch {
    return text ?? "";
  }
}
