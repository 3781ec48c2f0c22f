/** SQS: queues → attributes, messages peeked without receiving them, send, purge, DLQ redrive. */
import { h, fill } from "../dom.ts";
import type { PeekedMessage } from "../../../services/sqs/peek.ts";
import { call, view } from "../api.ts";
import { button, confirmed, enc, field, form, go, kv, link, pre, section, status, table, text, when } from "../ui.ts";

export async function sqs(el: HTMLElement, path: string[]): Promise<void> {
  if (path[0]) return queue(el, path[0]);
  const out = await call("sqs", "ListQueues", { MaxResults: 1000 });
  const urls: string[] = out.QueueUrls ?? [];
  const rows = await Promise.all(urls.map(async (url) => {
    const attrs = await call("sqs", "GetQueueAttributes", { QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] })
      .then((o) => o.Attributes ?? {}, (): Record<string, string> => ({}));
    return { url, name: url.split("/").pop()!, attrs };
  }));
  fill(el, h("h1", null, "SQS queues"),
    form("create-queue", async (data) => {
      const name = String(data.get("name"));
      await call("sqs", "CreateQueue", { QueueName: name, Attributes: name.endsWith(".fifo") ? { FifoQueue: "true" } : undefined });
      status(`Created queue ${name}.`);
      go(`#/sqs/${enc(name)}`);
    }, field("New queue", text("name", { required: true, placeholder: "queue-name (.fifo for FIFO)" })), h("button", { type: "submit" }, "Create")),
    table([
      { title: "name", cell: (q) => link(`#/sqs/${enc(q.name)}`, q.name) },
      { title: "messages", cell: (q) => q.attrs.ApproximateNumberOfMessages ?? "" },
      { title: "in flight", cell: (q) => q.attrs.ApproximateNumberOfMessagesNotVisible ?? "" },
      { title: "url", cell: (q) => h("code", null, q.url) },
      { title: "", cell: (q) => button("Delete", async () => {
        if (!confirmed(`Delete queue ${q.name}?`)) return;
        await call("sqs", "DeleteQueue", { QueueUrl: q.url });
        status(`Deleted queue ${q.name}.`);
        go("#/sqs");
      }, { class: "danger", "data-action": "delete-queue" }) },
    ], rows, { name: "queues", empty: "No queues in this account and region." }));
}

async function queue(el: HTMLElement, name: string): Promise<void> {
  const url = (await call("sqs", "GetQueueUrl", { QueueName: name })).QueueUrl!;
  const { Attributes: attrs = {} } = await call("sqs", "GetQueueAttributes", { QueueUrl: url, AttributeNames: ["All"] });
  const peek = await view<{ total?: number; messages?: PeekedMessage[] }>("sqs", "messages", { queue: name, limit: "200" });
  const sources = await call("sqs", "ListDeadLetterSourceQueues", { QueueUrl: url }).then((o) => o.queueUrls ?? [], () => []);
  const fifo = attrs.FifoQueue === "true";
  const now = Date.now();
  const send = form("send", async (data, f) => {
    const out = await call("sqs", "SendMessage", {
      QueueUrl: url, MessageBody: String(data.get("body")),
      MessageGroupId: fifo ? String(data.get("group") || "default") : undefined,
      MessageDeduplicationId: fifo && attrs.ContentBasedDeduplication !== "true" ? crypto.randomUUID() : undefined,
      DelaySeconds: data.get("delay") ? Number(data.get("delay")) : undefined,
    });
    f.reset();
    status(`Sent message ${out.MessageId}.`);
    go(location.hash);
  }, field("Body", h("textarea", { name: "body", rows: 3, required: true })),
  fifo ? field("Group id", text("group", { placeholder: "default" })) : field("Delay (s)", h("input", { type: "number", name: "delay", min: 0, max: 900 })),
  h("button", { type: "submit" }, "Send"));
  fill(el, h("h1", null, "Queue ", name), h("div", { class: "crumbs" }, link("#/sqs", "queues"), " / ", name),
    h("div", { class: "toolbar" },
      button("Refresh", () => go(location.hash)),
      button("Purge", async () => {
        if (!confirmed(`Delete every message in ${name}?`)) return;
        await call("sqs", "PurgeQueue", { QueueUrl: url });
        status(`Purged ${name}.`);
        go(location.hash);
      }, { class: "danger", "data-action": "purge" }),
      sources.length ? button("Redrive to source queues", async () => {
        const out = await call("sqs", "StartMessageMoveTask", { SourceArn: attrs.QueueArn });
        status(`Started move task ${out.TaskHandle}.`);
      }, { "data-action": "redrive" }) : null),
    section(`Messages (${peek.total ?? 0}, peeked: not received)`, table([
      { title: "id", cell: (m) => h("code", null, m.MessageId) },
      { title: "body", cell: (m) => h("span", { class: "body-cell" }, m.Body) },
      { title: "sent", cell: (m) => when(m.SentTimestamp) },
      { title: "receives", cell: (m) => m.ReceiveCount },
      { title: "state", cell: (m) => (m.VisibleAt > now ? `in flight until ${when(m.VisibleAt)}` : "visible") },
      fifo ? { title: "group", cell: (m) => m.MessageGroupId ?? "" } : { title: "attributes", cell: (m) => (m.MessageAttributes ? pre(m.MessageAttributes) : "") },
    ], peek.messages ?? [], { name: "messages", empty: "No messages." })),
    section("Send a message", send),
    sources.length ? section("Dead-letter queue of", h("ul", null, sources.map((u) => h("li", null, link(`#/sqs/${enc(u.split("/").pop()!)}`, u))))) : null,
    section("Attributes", kv(attrs)));
}
