/** SNS: topics → attributes, subscriptions, the messages fetchstack delivered; publish. */
import { h } from "../dom.ts";
import { call, callAll, view } from "../api.ts";
import { button, confirmed, enc, field, form, go, kv, section, status, table, text } from "../ui.ts";
import { detailPage, listPage, records } from "./resource.ts";

const nameOf = (arn: string) => arn.split(":").pop()!;

export async function sns(el: HTMLElement, path: string[]): Promise<void> {
  if (path[0]) return topic(el, path[0]);
  const topics = await callAll("sns", "ListTopics", {}, (o) => o.Topics as { TopicArn: string }[]);
  listPage(el, {
    title: "SNS topics", name: "topics", rows: topics,
    columns: [{ title: "name", cell: (t) => nameOf(t.TopicArn) }, { title: "arn", cell: (t) => h("code", null, t.TopicArn) }],
    href: (t) => `#/sns/${enc(t.TopicArn)}`,
    create: { label: "Create", fields: [field("New topic", text("name", { required: true, placeholder: "topic-name (.fifo for FIFO)" }))], submit: async (data) => {
      const name = String(data.get("name"));
      const out = await call("sns", "CreateTopic", { Name: name, Attributes: name.endsWith(".fifo") ? { FifoTopic: "true" } : undefined });
      return `#/sns/${enc(out.TopicArn)}`;
    } },
    remove: { what: (t) => `topic ${nameOf(t.TopicArn)}`, run: (t) => call("sns", "DeleteTopic", { TopicArn: t.TopicArn }) },
  });
}

async function topic(el: HTMLElement, arn: string): Promise<void> {
  const { Attributes: attrs = {} } = await call("sns", "GetTopicAttributes", { TopicArn: arn });
  const subs = await callAll("sns", "ListSubscriptionsByTopic", { TopicArn: arn }, (o) => o.Subscriptions);
  const delivered = await view<Record<string, unknown>[] | { messages?: Record<string, unknown>[] }>("sns", "messages", { topicArn: arn }).catch(() => []);
  const fifo = attrs.FifoTopic === "true";
  detailPage(el, nameOf(arn), ["#/sns", "topics"], [
    button("Delete topic", async () => {
      if (!confirmed(`Delete topic ${nameOf(arn)}?`)) return;
      await call("sns", "DeleteTopic", { TopicArn: arn });
      status(`Deleted topic ${nameOf(arn)}.`);
      go("#/sns");
    }, { class: "danger", "data-action": "delete" }),
  ],
  section("Publish", form("publish", async (data, f) => {
    const out = await call("sns", "Publish", {
      TopicArn: arn, Message: String(data.get("message")), Subject: (data.get("subject") as string | null) || undefined,
      MessageGroupId: fifo ? String(data.get("group") || "default") : undefined,
      MessageDeduplicationId: fifo ? crypto.randomUUID() : undefined,
    });
    f.reset();
    status(`Published message ${out.MessageId}.`);
  }, field("Message", h("textarea", { name: "message", rows: 3, required: true })), field("Subject", text("subject")),
  fifo ? field("Group id", text("group", { placeholder: "default" })) : null, h("button", { type: "submit" }, "Publish"))),
  section("Subscriptions", table([
    { title: "protocol", cell: (s) => s.Protocol },
    { title: "endpoint", cell: (s) => h("code", null, s.Endpoint) },
    { title: "subscription", cell: (s) => h("code", null, s.SubscriptionArn) },
  ], subs, { name: "subscriptions", empty: "No subscriptions." })),
  records("Delivered messages (email, SMS, push, HTTP attempts)", "deliveries", Array.isArray(delivered) ? delivered : (delivered.messages ?? [])),
  section("Attributes", kv(attrs)));
}
