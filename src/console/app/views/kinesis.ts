/** Kinesis Data Streams: streams → summary, shards, records read from the start (reads change nothing). */
import { h, fill } from "../dom.ts";
import type { StreamSummary } from "../../../generated/kinesis.ts";
import { base64ToBytes, bytesToBase64, call, type Wire } from "../api.ts";
import { button, enc, field, form, kv, section, status, table, text, when } from "../ui.ts";
import { detailPage, listPage } from "./resource.ts";

export async function kinesis(el: HTMLElement, path: string[]): Promise<void> {
  if (path[0]) return stream(el, path[0]);
  const out = await call("kinesis", "ListStreams", { Limit: 1000 });
  const rows: Partial<Wire<StreamSummary>>[] = out.StreamSummaries ?? (out.StreamNames ?? []).map((n) => ({ StreamName: n }));
  listPage(el, {
    title: "Kinesis streams", name: "streams", rows,
    columns: [
      { title: "name", cell: (s) => s.StreamName },
      { title: "status", cell: (s) => s.StreamStatus ?? "" },
      { title: "mode", cell: (s) => s.StreamModeDetails?.StreamMode ?? "" },
      { title: "created", cell: (s) => when(s.StreamCreationTimestamp) },
    ],
    href: (s) => `#/kinesis/${enc(s.StreamName)}`,
    create: { label: "Create", fields: [field("New stream", text("name", { required: true })), field("shards", h("input", { type: "number", name: "shards", value: 1, min: 1 }))], submit: async (data) => {
      await call("kinesis", "CreateStream", { StreamName: String(data.get("name")), ShardCount: Number(data.get("shards")) || 1 });
    } },
    remove: { what: (s) => `stream ${s.StreamName}`, run: (s) => call("kinesis", "DeleteStream", { StreamName: s.StreamName, EnforceConsumerDeletion: true }) },
  });
}

async function stream(el: HTMLElement, name: string): Promise<void> {
  const { StreamDescriptionSummary: summary } = await call("kinesis", "DescribeStreamSummary", { StreamName: name });
  const { Shards: shards = [] } = await call("kinesis", "ListShards", { StreamName: name });
  const recordsEl = h("div");
  const read = async (shardId: string) => {
    const { ShardIterator } = await call("kinesis", "GetShardIterator", { StreamName: name, ShardId: shardId, ShardIteratorType: "TRIM_HORIZON" });
    const out = await call("kinesis", "GetRecords", { ShardIterator: ShardIterator!, Limit: 500 });
    fill(recordsEl, section(`Records of ${shardId} (${(out.Records ?? []).length}, from the oldest)`, table([
      { title: "sequence", cell: (r) => h("code", null, r.SequenceNumber) },
      { title: "partition key", cell: (r) => r.PartitionKey },
      { title: "arrived", cell: (r) => when(r.ApproximateArrivalTimestamp) },
      { title: "data", cell: (r) => h("span", { class: "body-cell" }, new TextDecoder().decode(base64ToBytes(r.Data ?? ""))) },
    ], out.Records ?? [], { name: "records", empty: "No records in this shard." })));
  };
  detailPage(el, name, ["#/kinesis", "streams"], [],
    section("Shards", table([
      { title: "shard", cell: (s) => s.ShardId },
      { title: "hash keys", cell: (s) => `${s.HashKeyRange?.StartingHashKey} – ${s.HashKeyRange?.EndingHashKey}` },
      { title: "state", cell: (s) => (s.SequenceNumberRange?.EndingSequenceNumber ? "closed" : "open") },
      { title: "", cell: (s) => button("Read records", () => read(s.ShardId), { "data-action": "read" }) },
    ], shards, { name: "shards" })), recordsEl,
    section("Put a record", form("put-record", async (data, f) => {
      const out = await call("kinesis", "PutRecord", { StreamName: name, PartitionKey: String(data.get("key")), Data: bytesToBase64(new TextEncoder().encode(String(data.get("data")))) });
      f.reset();
      status(`Put record ${out.SequenceNumber} into ${out.ShardId}.`);
    }, field("partition key", text("key", { required: true })), field("data", h("textarea", { name: "data", rows: 2, required: true })), h("button", { type: "submit" }, "Put"))),
    section("Stream", kv(summary)));
}
