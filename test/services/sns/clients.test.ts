/**
 * SNS through real clients against the Node server: boto3, AWS CLI v1 and AWS CLI v2 (all
 * awsQuery): the seed table's operations, SNS→SQS fan-out with and without raw delivery and
 * with a filter policy, FIFO ordering, and AWS's error codes. Suites skip, with the reason
 * printed, only where a client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

if (!python.version) console.warn(`skipping boto3 SNS suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3", () => {
  it("topics, subscriptions, fan-out to SQS (envelope, raw, filtered), FIFO order, batches, errors", async () => {
    const out = await boto3(server.url, `
sns = boto3.client("sns", endpoint_url=ENDPOINT, region_name="us-east-1")
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1")
def queue(name, attrs=None):
    url = sqs.create_queue(QueueName=name, Attributes=attrs or {})["QueueUrl"]
    return url, sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
def drain(url, n):
    got = []
    for _ in range(50):
        got += sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1, MessageAttributeNames=["All"]).get("Messages", [])
        if len(got) >= n:
            break
    return got
def err(fn, **kw):
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        return [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
topic = sns.create_topic(Name="py-topic", Attributes={"DisplayName": "Py"}, Tags=[{"Key": "team", "Value": "a"}])["TopicArn"]
env_url, env_arn = queue("py-env")
raw_url, raw_arn = queue("py-raw")
flt_url, flt_arn = queue("py-flt")
sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=env_arn)
raw_sub = sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=raw_arn, Attributes={"RawMessageDelivery": "true"}, ReturnSubscriptionArn=True)["SubscriptionArn"]
sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=flt_arn, Attributes={"FilterPolicy": json.dumps({"kind": ["wanted"]}), "RawMessageDelivery": "true"})
mid = sns.publish(TopicArn=topic, Message="one", Subject="subj", MessageAttributes={"kind": {"DataType": "String", "StringValue": "wanted"}, "bin": {"DataType": "Binary", "BinaryValue": b"\\x00\\x01"}})["MessageId"]
sns.publish(TopicArn=topic, Message="two", MessageAttributes={"kind": {"DataType": "String", "StringValue": "other"}})
batch = sns.publish_batch(TopicArn=topic, PublishBatchRequestEntries=[{"Id": "a", "Message": "three"}, {"Id": "b", "Message": "four", "MessageAttributes": {"n": {"DataType": "Number", "StringValue": "x"}}}])
# A standard queue keeps no order, and each delivery runs on its own: pick message "one" out.
env_all = [json.loads(m["Body"]) for m in drain(env_url, 3)]
env = next((e for e in env_all if e["Message"] == "one"), env_all[0] if env_all else None)
raw = drain(raw_url, 3)
flt = [m["Body"] for m in drain(flt_url, 1)]
fifo = sns.create_topic(Name="py.fifo", Attributes={"FifoTopic": "true", "ContentBasedDeduplication": "true"})["TopicArn"]
fq_url, fq_arn = queue("py-q.fifo", {"FifoQueue": "true"})
sns.subscribe(TopicArn=fifo, Protocol="sqs", Endpoint=fq_arn, Attributes={"RawMessageDelivery": "true"})
for i in range(5):
    sns.publish(TopicArn=fifo, Message="f%d" % i, MessageGroupId="g")
order = [m["Body"] for m in drain(fq_url, 5)]
attrs = sns.get_topic_attributes(TopicArn=topic)["Attributes"]
subs = sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
sns.set_subscription_attributes(SubscriptionArn=raw_sub, AttributeName="FilterPolicyScope", AttributeValue="MessageBody")
sub_attrs = sns.get_subscription_attributes(SubscriptionArn=raw_sub)["Attributes"]
sns.tag_resource(ResourceArn=topic, Tags=[{"Key": "env", "Value": "dev"}])
sns.untag_resource(ResourceArn=topic, TagKeys=["team"])
tags = sns.list_tags_for_resource(ResourceArn=topic)["Tags"]
topics = [t["TopicArn"] for t in sns.list_topics()["Topics"]]
sns.unsubscribe(SubscriptionArn=raw_sub)
missing = err(sns.get_topic_attributes, TopicArn="arn:aws:sns:us-east-1:000000000000:nope")
badattr = err(sns.publish, TopicArn=topic, Message="m", MessageAttributes={"p": {"DataType": "Number", "StringValue": "abc"}})
exists = err(sns.create_topic, Name="py-topic", Attributes={"DisplayName": "Other"})
sns.delete_topic(TopicArn=topic)
print(json.dumps({"mid": mid, "env": env, "raw": sorted(m["Body"] for m in raw), "rawbin": [list(m["MessageAttributes"]["bin"]["BinaryValue"]) for m in raw if "bin" in m.get("MessageAttributes", {})],
  "flt": flt, "order": order, "ok": [s["Id"] for s in batch["Successful"]], "failed": [[f["Id"], f["Code"]] for f in batch["Failed"]],
  "attrs": {k: attrs[k] for k in ["DisplayName", "SubscriptionsConfirmed", "SubscriptionsPending", "Owner"]}, "subs": len(subs),
  "scope": sub_attrs.get("FilterPolicyScope"), "raw_attr": sub_attrs["RawMessageDelivery"], "tags": tags, "topics": topics,
  "missing": missing, "badattr": badattr, "exists": exists}))
`);
    expect(out.env).toMatchObject({ Type: "Notification", MessageId: out.mid, Message: "one", Subject: "subj", MessageAttributes: { kind: { Type: "String", Value: "wanted" }, bin: { Type: "Binary", Value: "AAE=" } } });
    expect(out.raw).toEqual(["one", "three", "two"]);
    expect(out.rawbin).toEqual([[0, 1]]);
    expect(out.flt).toEqual(["one"]);
    expect(out.order).toEqual(["f0", "f1", "f2", "f3", "f4"]);
    expect(out.ok).toEqual(["a"]);
    expect(out.failed).toEqual([["b", "ParameterValueInvalid"]]);
    expect(out.attrs).toEqual({ DisplayName: "Py", SubscriptionsConfirmed: "3", SubscriptionsPending: "0", Owner: "000000000000" });
    expect(out.subs).toBe(3);
    expect(out.scope).toBeNull(); // shown only with a FilterPolicy
    expect(out.raw_attr).toBe("true");
    expect(out.tags).toEqual([{ Key: "env", Value: "dev" }]);
    expect(out.topics).toContain("arn:aws:sns:us-east-1:000000000000:py-topic");
    expect(out.missing).toEqual(["NotFound", "Topic does not exist", 404]);
    expect(out.badattr).toEqual(["ParameterValueInvalid", "Could not cast message attribute 'p' value to number.", 400]);
    expect(out.exists).toEqual(["InvalidParameter", "Invalid parameter: Attributes Reason: Topic already exists with different attributes", 400]);
  }, 120_000);
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} SNS suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws); the reason is printed.
  describe.skipIf(!cli)(label, () => {
    const aws = async (service: string, ...args: string[]) => {
      const r = await run(cli!, [service, ...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
      return { ...r, json: r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
    };
    const ok = async (service: string, ...args: string[]) => {
      const r = await aws(service, ...args);
      if (r.code !== 0) throw new Error(`aws ${service} ${args.join(" ")} failed: ${r.stderr}`);
      return r.json;
    };
    const tag = label.endsWith("v1") ? "v1" : "v2";

    it("the seed table's operations, fan-out to SQS and errors", async () => {
      const { TopicArn } = await ok("sns", "create-topic", "--name", `cli-${tag}`, "--attributes", "DisplayName=CLI", "--tags", "Key=env,Value=test");
      expect(TopicArn).toBe(`arn:aws:sns:us-east-1:000000000000:cli-${tag}`);
      const fifo = await ok("sns", "create-topic", "--name", `cli-${tag}.fifo`, "--attributes", "FifoTopic=true,ContentBasedDeduplication=true");
      const { QueueUrl } = await ok("sqs", "create-queue", "--queue-name", `cli-q-${tag}`);
      const queueArn = `arn:aws:sqs:us-east-1:000000000000:cli-q-${tag}`;
      const { SubscriptionArn } = await ok("sns", "subscribe", "--topic-arn", TopicArn, "--protocol", "sqs", "--notification-endpoint", queueArn,
        "--attributes", "RawMessageDelivery=true", "--return-subscription-arn");
      const email = await ok("sns", "subscribe", "--topic-arn", TopicArn, "--protocol", "email", "--notification-endpoint", "test@example.com");
      expect(email.SubscriptionArn).toBe("pending confirmation");
      await ok("sns", "publish", "--topic-arn", TopicArn, "--message", "Hello from SNS!", "--message-attributes", '{"k":{"DataType":"String","StringValue":"v"}}');
      const batch = await ok("sns", "publish-batch", "--topic-arn", TopicArn, "--publish-batch-request-entries", "Id=1,Message=b1", "Id=2,Message=b2");
      expect(batch.Successful.map((s: any) => s.Id)).toEqual(["1", "2"]);
      const got = await ok("sqs", "receive-message", "--queue-url", QueueUrl, "--max-number-of-messages", "10", "--wait-time-seconds", "2", "--message-attribute-names", "All");
      expect(got.Messages.map((m: any) => m.Body).sort()).toEqual(["Hello from SNS!", "b1", "b2"]);
      expect(got.Messages.find((m: any) => m.Body === "Hello from SNS!").MessageAttributes.k.StringValue).toBe("v");
      const attrs = (await ok("sns", "get-topic-attributes", "--topic-arn", TopicArn)).Attributes;
      expect([attrs.DisplayName, attrs.SubscriptionsConfirmed, attrs.SubscriptionsPending]).toEqual(["CLI", "1", "1"]);
      expect((await ok("sns", "list-subscriptions-by-topic", "--topic-arn", TopicArn)).Subscriptions).toHaveLength(2);
      await ok("sns", "tag-resource", "--resource-arn", TopicArn, "--tags", "Key=team,Value=x");
      expect((await ok("sns", "list-tags-for-resource", "--resource-arn", TopicArn)).Tags).toEqual([{ Key: "env", Value: "test" }, { Key: "team", Value: "x" }]);
      await ok("sns", "unsubscribe", "--subscription-arn", SubscriptionArn);
      const missing = await aws("sns", "get-subscription-attributes", "--subscription-arn", SubscriptionArn);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("(NotFound)");
      expect(missing.stderr).toContain("Subscription does not exist");
      const badFifo = await aws("sns", "publish", "--topic-arn", fifo.TopicArn, "--message", "x");
      expect(badFifo.stderr).toContain("(InvalidParameter)");
      expect(badFifo.stderr).toContain("The MessageGroupId parameter is required for FIFO topics");
      await ok("sns", "delete-topic", "--topic-arn", TopicArn);
      const listed = (await ok("sns", "list-topics")).Topics.map((t: any) => t.TopicArn);
      expect(listed).toContain(fifo.TopicArn);
      expect(listed).not.toContain(TopicArn);
    }, 240_000);
  });
}
