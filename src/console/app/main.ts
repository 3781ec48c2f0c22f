/**
 * The fetchstack web console: `<fs-console>`, a shell with an account/region switch, a
 * navigation per served service, and hash routes (`#/s3/...`) rendered by the views.
 */
import { h, fill } from "./dom.ts";
import { internal, scope, setScope } from "./api.ts";
import { clearStatus, run, setStatusElement, status } from "./ui.ts";
import { VIEWS, type ViewSpec } from "./views/index.ts";

class FetchstackConsole extends HTMLElement {
  private main!: HTMLElement;
  private nav!: HTMLElement;
  private served = new Set<string>();
  private rendering = 0;

  async connectedCallback(): Promise<void> {
    const health = await internal<{ services: Record<string, string>; accountId: string; region: string; version: string }>("/health").catch(() => ({ services: {}, accountId: "000000000000", region: "us-east-1", version: "?" }));
    if (!scope.account) scope.account = health.accountId;
    if (!scope.region) scope.region = health.region;
    for (const [name, state] of Object.entries(health.services)) if (state === "running") this.served.add(name);
    const account = h("input", { name: "account", value: scope.account, size: 13, pattern: "\\d{12}", title: "account (12 digits)" });
    const region = h("input", { name: "region", value: scope.region, size: 12, list: "fs-regions", title: "region" });
    const apply = () => {
      if (!/^\d{12}$/.test(account.value)) return status("The account is 12 digits.", "error");
      setScope(account.value.trim(), region.value.trim());
      this.render();
    };
    const statusEl = h("div", { class: "status" });
    setStatusElement(statusEl);
    this.nav = h("nav");
    this.main = h("main");
    fill(this,
      h("header", null,
        h("a", { class: "brand", href: "#/" }, "fetchstack"), h("span", { class: "version" }, health.version),
        h("form", { class: "scope", "data-form": "scope", onsubmit: (e: Event) => { e.preventDefault(); apply(); } },
          h("label", null, "account ", account), h("label", null, "region ", region),
          h("datalist", { id: "fs-regions" }, ["us-east-1", "us-east-2", "us-west-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-1", "ap-northeast-1"].map((r) => h("option", { value: r }))),
          h("button", { type: "submit" }, "Switch"))),
      this.nav, h("div", { class: "body" }, this.main), statusEl);
    window.addEventListener("hashchange", () => this.render());
    this.render();
  }

  private specs(): [string, ViewSpec][] {
    return Object.entries(VIEWS).filter(([name, spec]) => !spec.service || this.served.has(spec.service) || this.served.has(name));
  }

  private render(): void {
    const [route = "", ...rest] = location.hash.replace(/^#\/?/, "").split("?")[0]!.split("/").map(decodeURIComponent);
    const query = new URLSearchParams(location.hash.split("?")[1] ?? "");
    const specs = this.specs();
    fill(this.nav, specs.map(([name, spec]) => h("a", { href: `#/${name}`, class: name === route ? "active" : undefined }, spec.title)));
    const spec = VIEWS[route] ?? VIEWS[""]!;
    const token = ++this.rendering;
    const target = h("div", { class: "view", "data-view": route || "home" });
    fill(this.main, target);
    clearStatus();
    document.title = `${spec.title} · fetchstack`;
    void run(async () => {
      await spec.render(target, rest, query, { served: this.served, current: () => token === this.rendering });
      if (token === this.rendering) target.setAttribute("data-ready", "");
    }).then(() => target.setAttribute("data-done", ""));
  }
}

customElements.define("fs-console", FetchstackConsole);
