/** CloudWatch: alarms (state, reason) and the metrics that were put. */
import type * as cloudwatchModel from "../../../generated/cloudwatch.ts";
import { call, callAll, type Wire } from "../api.ts";
import { kv, section, table, when } from "../ui.ts";
import { listPage } from "./resource.ts";

export async function cloudwatch(el: HTMLElement): Promise<void> {
  const out = await call("cloudwatch", "DescribeAlarms", { MaxRecords: 100, AlarmTypes: ["MetricAlarm", "CompositeAlarm"] });
  // Metric and composite alarms in one table (each lacks the other's members).
  const alarms: Wire<cloudwatchModel.MetricAlarm & cloudwatchModel.CompositeAlarm>[] = [...(out.MetricAlarms ?? []), ...(out.CompositeAlarms ?? [])];
  const metrics = await callAll("cloudwatch", "ListMetrics", {}, (o) => o.Metrics, ["NextToken", "NextToken"], 500);
  listPage(el, {
    title: "CloudWatch alarms", name: "alarms", rows: alarms,
    columns: [
      { title: "name", cell: (a) => a.AlarmName },
      { title: "state", cell: (a) => a.StateValue },
      { title: "metric", cell: (a) => (a.MetricName ? `${a.Namespace} ${a.MetricName}` : a.AlarmRule ?? "") },
      { title: "reason", cell: (a) => a.StateReason ?? "" },
      { title: "updated", cell: (a) => when(a.StateUpdatedTimestamp) },
    ],
    remove: { what: (a) => `alarm ${a.AlarmName}`, run: (a) => call("cloudwatch", "DeleteAlarms", { AlarmNames: [a.AlarmName!] }) },
    after: [section(`Metrics (${metrics.length})`, table([
      { title: "namespace", cell: (m) => m.Namespace },
      { title: "metric", cell: (m) => m.MetricName },
      { title: "dimensions", cell: (m) => kv(Object.fromEntries((m.Dimensions ?? []).map((d) => [d.Name, d.Value]))) },
    ], metrics, { name: "metrics" }))],
  });
}
