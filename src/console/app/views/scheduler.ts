/** EventBridge Scheduler: schedules (expression, target, state) and their invocations. */
import { h } from "../dom.ts";
import { call, callAll, view } from "../api.ts";
import { enc, kv, section } from "../ui.ts";
import { detailPage, listPage, records } from "./resource.ts";

export async function scheduler(el: HTMLElement, path: string[]): Promise<void> {
  if (path[0] && path[1]) {
    const s = await call("scheduler", "GetSchedule", { GroupName: path[0], Name: path[1] });
    return detailPage(el, path[1], ["#/scheduler", "schedules"], [], section("Target", kv(s.Target)), section("Schedule", kv({ ...s, Target: undefined })));
  }
  const schedules = await callAll("scheduler", "ListSchedules", {}, (o) => o.Schedules);
  const invocations = await view<Record<string, unknown>[]>("scheduler", "invocations").catch(() => []);
  listPage(el, {
    title: "Schedules", name: "schedules", rows: schedules,
    columns: [
      { title: "name", cell: (s) => s.Name },
      { title: "group", cell: (s) => s.GroupName },
      { title: "state", cell: (s) => s.State },
      { title: "target", cell: (s) => h("code", null, s.Target?.Arn ?? "") },
    ],
    href: (s) => `#/scheduler/${enc(s.GroupName)}/${enc(s.Name)}`,
    remove: { what: (s) => `schedule ${s.Name}`, run: (s) => call("scheduler", "DeleteSchedule", { Name: s.Name!, GroupName: s.GroupName! }) },
    after: [records("Invocations", "schedule-invocations", Array.isArray(invocations) ? invocations : [])],
  });
}
