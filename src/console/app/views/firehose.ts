/** Firehose: delivery streams → description, put a record, deliveries made. */
import { h } from "../dom.ts";
import { bytesToBase64, call, view } from "../api.ts";
import { enc, field, form, kv, pre, section, status } from "../ui.ts";
import { detailPage, listPage, records } from "./resource.ts";

export async function firehose(el: HTMLElement, path: string[]): Promise<void> {
  if (path[0]) return stream(el, path[0]);
  const out = await call("firehose", "ListDeliveryStreams", { Limit: 10000 });
  listPage(el, {
    title: "Firehose delivery streams", name: "delivery-streams", rows: out.DeliveryStreamNames ?? [],
    columns: [{ title: "name", cell: (n) => n }],
    href: (n) => `#/firehose/${enc(n)}`,
    remove: { what: (n) => `delivery stream ${n}`, run: (n) => call("firehose", "DeleteDeliveryStream", { DeliveryStreamName: n }) },
  });
}

async function stream(el: HTMLElement, name: string): Promise<void> {
  const { DeliveryStreamDescription: d } = await call("firehose", "DescribeDeliveryStream", { DeliveryStreamName: name });
  const deliveries = await view<Record<string, unknown>[] | { deliveries?: Record<string, unknown>[] }>("firehose", "deliveries", { stream: name }).catch(() => []);
  const { Destinations, ...rest } = d;
  detailPage(el, name, ["#/firehose", "delivery streams"], [],
    section("Put a record", form("put-record", async (data, f) => {
      const out = await call("firehose", "PutRecord", { DeliveryStreamName: name, Record: { Data: bytesToBase64(new TextEncoder().encode(String(data.get("data")))) } });
      f.reset();
      status(`Put record ${out.RecordId}.`);
    }, field("data", h("textarea", { name: "data", rows: 2, required: true })), h("button", { type: "submit" }, "Put"))),
    records("Deliveries", "deliveries", Array.isArray(deliveries) ? deliveries : (deliveries.deliveries ?? [])),
    section("Destinations", pre(Destinations)),
    section("Stream", kv(rest)));
}
