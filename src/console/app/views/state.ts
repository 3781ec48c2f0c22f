/** State: snapshot download and upload (replace or merge), reset of everything or one service. */
import { h, fill } from "../dom.ts";
import { INTERNAL, download, internal } from "../api.ts";
import { button, confirmed, field, form, section, select, status } from "../ui.ts";
import type { ViewContext } from "./types.ts";

export async function state(el: HTMLElement, _path: string[], _query: URLSearchParams, ctx: ViewContext): Promise<void> {
  const services = [...ctx.served].sort();
  fill(el, h("h1", null, "State"),
    section("Snapshot",
      h("p", null, "Every service's state and blobs as one JSON file (docs/state-format.md)."),
      button("Download snapshot", async () => {
        const response = await fetch(`${INTERNAL}/state`);
        if (!response.ok) throw new Error(`GET /_fetchstack/state: ${response.status}`);
        download(`fetchstack-state-${new Date().toISOString().replace(/[:.]/g, "-")}.json`, await response.text(), "application/json");
        status("Snapshot downloaded.");
      }, { "data-action": "download-state" })),
    section("Load a snapshot",
      form("load-state", async (data, f) => {
        const file = data.get("file") as File | null;
        if (!file || !file.name) throw new Error("Choose a snapshot file.");
        const merge = data.get("mode") === "merge";
        if (!merge && !confirmed("Replace all state with this snapshot?")) return;
        await internal("/state", { method: merge ? "POST" : "PUT", headers: { "content-type": "application/json" }, body: await file.text() });
        f.reset();
        status(merge ? "Snapshot merged." : "State replaced by the snapshot.");
      }, field("Snapshot file", h("input", { type: "file", name: "file", accept: ".json,application/json" })),
      field("mode", select("mode", [["replace", "replace all state"], ["merge", "merge (add, overwrite)"]])),
      h("button", { type: "submit" }, "Load"))),
    section("Reset",
      form("reset", async (data) => {
        const service = String(data.get("service") ?? "");
        if (!confirmed(service ? `Delete all of ${service}'s state?` : "Delete ALL state of every service?")) return;
        await internal(`/reset${service ? `?service=${encodeURIComponent(service)}` : ""}`, { method: "POST" });
        status(service ? `Reset ${service}.` : "Reset all state.");
      }, field("service", select("service", [["", "every service"], ...services.map((s) => [s, s] as [string, string])])),
      h("button", { type: "submit", class: "danger" }, "Reset"))));
}
