/**
 * SQS through real clients against the Node server: the JS SDK over HTTP, boto3 (JSON), raw
 * awsQuery forms as old SDKs send them, AWS CLI v1 (JSON) and AWS CLI v2 2.9 (query protocol)
 * for every operation in the seed table. Suites skip, with the reason printed, only where a
 * client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { CreateQueueCommand, DeleteMessageCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { overHttp, startTestServer } from "../../helpers/clients.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const md5 = (s: string) => createHash("md5").update(s).digest("hex");

describe("JS SDK over HTTP", () => {
  it("send with attributes, receive (SDK verifies MD5OfBody), delete", async () => {
    const sqs = new SQSClient(overHttp(server.url));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "js-http" }));
    expect(QueueUrl).toBe(`${server.url}/000000000000/js-http`);
    const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "héllo ✓", MessageAttributes: { Foo: { DataType: "String", StringValue: "Bar" } } }));
    expect(sent.MD5OfMessageAttributes).toBe("ae7155c6026991b6d54b11589678bf9c");
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MessageAttributeNames: ["All"], WaitTimeSeconds: 1 }));
    expect(got.Messages![0]!.Body).toBe("héllo ✓");
    await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: got.Messages![0]!.ReceiptHandle }));
  });
});

if (!python.version) console.warn(`skipping boto3 SQS suites: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3", () => {
  it("JSON protocol: queues, messages with attributes, FIFO, batches, errors", async () => {
    const out = await boto3(server.url, `
import hashlib
sqs = boto3.client("sqs", endpoint_url=ENDPOINT, region_name="us-east-1")
url = sqs.create_queue(QueueName="py-q", Attributes={"VisibilityTimeout": "60"})["QueueUrl"]
sent = sqs.send_message(QueueUrl=url, MessageBody="hello from boto3 sqs", MessageAttributes={
  "StrAttr": {"DataType": "String", "StringValue": "str-value"},
  "NumAttr": {"DataType": "Number", "StringValue": "42"},
  "BinAttr": {"DataType": "Binary", "BinaryValue": b"\\x00\\x01binary"}})
got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=1, WaitTimeSeconds=0, AttributeNames=["All"], MessageAttributeNames=["All"], MessageSystemAttributeNames=["All"])["Messages"][0]
sqs.delete_message(QueueUrl=url, ReceiptHandle=got["ReceiptHandle"])
fifo = sqs.create_queue(QueueName="py.fifo", Attributes={"FifoQueue": "true", "ContentBasedDeduplication": "true"})["QueueUrl"]
for b in ["1", "2", "3"]:
    sqs.send_message(QueueUrl=fifo, MessageBody=b, MessageGroupId="g")
sqs.send_message(QueueUrl=fifo, MessageBody="1", MessageGroupId="g")
order = [m["Body"] for m in sqs.receive_message(QueueUrl=fifo, MaxNumberOfMessages=10)["Messages"]]
batch = sqs.send_message_batch(QueueUrl=url, Entries=[{"Id": "a", "MessageBody": "x"}, {"Id": "b", "MessageBody": "bad\\u0001"}])
def err(fn, **kw):
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        return [e.response["Error"]["Code"], e.response["Error"].get("QueryErrorCode"), e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
missing = err(sqs.get_queue_url, QueueName="does-not-exist-q")
toomany = err(sqs.receive_message, QueueUrl=url, MaxNumberOfMessages=11)
purge = [sqs.purge_queue(QueueUrl=url) and None, err(sqs.purge_queue, QueueUrl=url)][1]
print(json.dumps({"md5": sent["MD5OfMessageBody"], "md5ok": sent["MD5OfMessageBody"] == hashlib.md5(b"hello from boto3 sqs").hexdigest(),
  "md5attrs": sent["MD5OfMessageAttributes"], "got": got["Body"], "gotmd5attrs": got["MD5OfMessageAttributes"],
  "bin": list(got["MessageAttributes"]["BinAttr"]["BinaryValue"]), "count": got["Attributes"]["ApproximateReceiveCount"],
  "order": order, "ok": [s["Id"] for s in batch["Successful"]], "failed": [[f["Id"], f["Code"]] for f in batch["Failed"]],
  "missing": missing, "toomany": toomany, "purge": purge}))
`);
    expect(out.md5ok).toBe(true);
    expect(out.md5attrs).toBe("c1b432fb5838491db9d52bcde5ed4712");
    expect(out.gotmd5attrs).toBe("c1b432fb5838491db9d52bcde5ed4712");
    expect(out.got).toBe("hello from boto3 sqs");
    expect(out.bin).toEqual([0, 1, 98, 105, 110, 97, 114, 121]);
    expect(out.count).toBe("1");
    expect(out.order).toEqual(["1", "2", "3"]);
    expect(out.ok).toEqual(["a"]);
    expect(out.failed).toEqual([["b", "InvalidMessageContents"]]);
    expect(out.missing).toEqual(["AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist", "The specified queue does not exist.", 400]);
    expect(out.toomany).toEqual(["InvalidParameterValue", "InvalidParameterValueException", "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.", 400]);
    expect(out.purge).toEqual(["AWS.SimpleQueueService.PurgeQueueInProgress", "PurgeQueueInProgress", "Only one PurgeQueue operation on py-q is allowed every 60 seconds.", 403]);
  });

  it("query protocol: Action forms as old SDKs send them (to / and to the queue URL's path)", async () => {
    const out = await boto3(server.url, `
import urllib.request, urllib.parse, hashlib
def call(params, path="/"):
    body = urllib.parse.urlencode(dict(params, Version="2012-11-05")).encode()
    req = urllib.request.Request(ENDPOINT + path, data=body, headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
s, created = call({"Action": "CreateQueue", "QueueName": "query-q", "Attribute.1.Name": "DelaySeconds", "Attribute.1.Value": "0", "Tag.1.Key": "t", "Tag.1.Value": "v"})
url = created.split("<QueueUrl>")[1].split("</QueueUrl>")[0]
s1, sent = call({"Action": "SendMessage", "QueueUrl": url, "MessageBody": "hello from awscli-v2", "MessageAttribute.1.Name": "StrAttr", "MessageAttribute.1.Value.DataType": "String", "MessageAttribute.1.Value.StringValue": "v"})
s2, batch = call({"Action": "SendMessageBatch", "QueueUrl": url,
  "SendMessageBatchRequestEntry.1.Id": "a", "SendMessageBatchRequestEntry.1.MessageBody": "one",
  "SendMessageBatchRequestEntry.2.Id": "b", "SendMessageBatchRequestEntry.2.MessageBody": "two"})
s3, received = call({"Action": "ReceiveMessage", "QueueUrl": url, "MaxNumberOfMessages": "10", "AttributeName.1": "All", "MessageAttributeName.1": "All"})
handles = [h.split("</ReceiptHandle>")[0] for h in received.split("<ReceiptHandle>")[1:]]
s4, deleted = call({"Action": "DeleteMessageBatch", "QueueUrl": url, **{f"DeleteMessageBatchRequestEntry.{i+1}.Id": f"d{i}" for i in range(len(handles))}, **{f"DeleteMessageBatchRequestEntry.{i+1}.ReceiptHandle": h for i, h in enumerate(handles)}})
s5, attrs = call({"Action": "GetQueueAttributes", "QueueUrl": url, "AttributeName.1": "All"})
s6, tags = call({"Action": "ListQueueTags", "QueueUrl": url})
s7, missing = call({"Action": "GetQueueUrl", "QueueName": "does-not-exist-q"})
s8, toomany = call({"Action": "ReceiveMessage", "QueueUrl": url, "MaxNumberOfMessages": "11"})
s9, viapath = call({"Action": "SendMessage", "QueueUrl": url, "MessageBody": "via path"}, "/000000000000/query-q")
print(json.dumps({"statuses": [s, s1, s2, s3, s4, s5, s6], "sent": sent, "batch": batch, "received": received, "deleted": deleted,
  "attrs": attrs, "tags": tags, "missing": [s7, missing], "toomany": [s8, toomany], "viapath": s9, "md5": hashlib.md5(b"hello from awscli-v2").hexdigest()}))
`);
    expect(out.statuses).toEqual([200, 200, 200, 200, 200, 200, 200]);
    expect(out.sent).toContain(`<MD5OfMessageBody>${out.md5}</MD5OfMessageBody>`);
    expect(out.sent).toContain("<MD5OfMessageAttributes>3e673b5321504652715fab702246320a</MD5OfMessageAttributes>");
    expect(out.sent).toMatch(/^<SendMessageResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><SendMessageResult>/);
    expect(out.batch).toContain("<SendMessageBatchResultEntry><Id>a</Id>");
    expect(out.received.match(/<Message>/g)).toHaveLength(3);
    expect(out.received).toMatch(/<MessageAttribute><Name>StrAttr<\/Name><Value>(<StringValue>v<\/StringValue><DataType>String<\/DataType>|<DataType>String<\/DataType><StringValue>v<\/StringValue>)<\/Value><\/MessageAttribute>/);
    expect(out.received).toContain("<Name>ApproximateReceiveCount</Name><Value>1</Value>");
    expect(out.deleted.match(/<DeleteMessageBatchResultEntry>/g)).toHaveLength(3);
    expect(out.attrs).toContain("<Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute>");
    expect(out.tags).toContain("<Tag><Key>t</Key><Value>v</Value></Tag>");
    expect(out.missing[0]).toBe(400);
    expect(out.missing[1]).toContain("<Code>AWS.SimpleQueueService.NonExistentQueue</Code><Message>The specified queue does not exist for this wsdl version.</Message>");
    expect(out.toomany[1]).toContain("<Code>InvalidParameterValue</Code>");
    expect(out.viapath).toBe(200);
  });
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} SQS suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws, which .ci/run installs); the reason is printed.
  describe.skipIf(!cli)(label, () => {
    const aws = async (...args: string[]) => {
      const r = await run(cli!, ["sqs", ...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
      return { ...r, json: r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
    };
    const ok = async (...args: string[]) => {
      const r = await aws(...args);
      if (r.code !== 0) throw new Error(`aws sqs ${args.join(" ")} failed: ${r.stderr}`);
      return r.json;
    };

    it("every operation in the seed table", async () => {
      const tag = label.endsWith("v1") ? "v1" : "v2";
      const q = `cli-${tag}`;
      const url = (await ok("create-queue", "--queue-name", q, "--attributes", "VisibilityTimeout=45", "--tags", "team=a")).QueueUrl;
      expect(url).toBe(`${server.url}/000000000000/${q}`);
      expect((await ok("get-queue-url", "--queue-name", q)).QueueUrl).toBe(url);
      expect((await ok("list-queues", "--queue-name-prefix", `cli-${tag}`)).QueueUrls).toContain(url);
      await ok("set-queue-attributes", "--queue-url", url, "--attributes", "DelaySeconds=0,MaximumMessageSize=2048");
      const attrs = (await ok("get-queue-attributes", "--queue-url", url, "--attribute-names", "All")).Attributes;
      expect(attrs).toMatchObject({ VisibilityTimeout: "45", MaximumMessageSize: "2048", QueueArn: `arn:aws:sqs:us-east-1:000000000000:${q}` });

      const sent = await ok("send-message", "--queue-url", url, "--message-body", `hello from ${tag}`, "--message-attributes", '{"StrAttr":{"DataType":"String","StringValue":"v"}}');
      expect(sent.MD5OfMessageBody).toBe(md5(`hello from ${tag}`));
      expect(sent.MD5OfMessageAttributes).toBe("3e673b5321504652715fab702246320a");
      const batch = await ok("send-message-batch", "--queue-url", url, "--entries", '[{"Id":"a","MessageBody":"one"},{"Id":"b","MessageBody":"two"}]');
      expect(batch.Successful.map((s: { Id: string }) => s.Id).sort()).toEqual(["a", "b"]);
      const got = (await ok("receive-message", "--queue-url", url, "--max-number-of-messages", "10", "--attribute-names", "All", "--message-attribute-names", "All")).Messages;
      expect(got.map((m: { Body: string }) => m.Body).sort()).toEqual(["hello from " + tag, "one", "two"].sort());
      const first = got.find((m: { Body: string }) => m.Body.startsWith("hello"));
      expect(first.MessageAttributes).toEqual({ StrAttr: { DataType: "String", StringValue: "v" } });
      expect(first.Attributes.ApproximateReceiveCount).toBe("1");
      const others = got.filter((m: { Body: string }) => !m.Body.startsWith("hello"));
      await ok("change-message-visibility", "--queue-url", url, "--receipt-handle", first.ReceiptHandle, "--visibility-timeout", "120");
      const cmvb = await ok("change-message-visibility-batch", "--queue-url", url, "--entries", JSON.stringify(others.map((m: { ReceiptHandle: string }, i: number) => ({ Id: `v${i}`, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 100 }))));
      expect(cmvb.Successful).toHaveLength(2);
      await ok("delete-message", "--queue-url", url, "--receipt-handle", first.ReceiptHandle);
      const dmb = await ok("delete-message-batch", "--queue-url", url, "--entries", JSON.stringify(others.map((m: { ReceiptHandle: string }, i: number) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle }))));
      expect(dmb.Successful).toHaveLength(2);

      await ok("tag-queue", "--queue-url", url, "--tags", "env=dev");
      expect((await ok("list-queue-tags", "--queue-url", url)).Tags).toEqual({ team: "a", env: "dev" });
      await ok("untag-queue", "--queue-url", url, "--tag-keys", "team");
      expect((await ok("list-queue-tags", "--queue-url", url)).Tags).toEqual({ env: "dev" });

      await ok("add-permission", "--queue-url", url, "--label", "lbl", "--aws-account-ids", "111122223333", "--actions", "SendMessage");
      const policy = JSON.parse((await ok("get-queue-attributes", "--queue-url", url, "--attribute-names", "Policy")).Attributes.Policy);
      expect(policy.Statement[0]).toMatchObject({ Sid: "lbl", Action: "SQS:SendMessage" });
      await ok("remove-permission", "--queue-url", url, "--label", "lbl");

      const dlq = (await ok("create-queue", "--queue-name", `${q}-dlq`)).QueueUrl;
      await ok("set-queue-attributes", "--queue-url", url, "--attributes", JSON.stringify({ RedrivePolicy: JSON.stringify({ deadLetterTargetArn: `arn:aws:sqs:us-east-1:000000000000:${q}-dlq`, maxReceiveCount: 1 }) }));
      expect((await ok("list-dead-letter-source-queues", "--queue-url", dlq)).queueUrls).toEqual([url]);

      const help = await run(cli!, ["sqs", "start-message-move-task", "help"], clientEnv());
      if (help.code === 0 && !/Invalid choice/.test(help.stderr)) {
        const arn = `arn:aws:sqs:us-east-1:000000000000:${q}-dlq`;
        const task = await ok("start-message-move-task", "--source-arn", arn, "--max-number-of-messages-per-second", "1");
        expect(task.TaskHandle).toBeTruthy();
        const tasks = (await ok("list-message-move-tasks", "--source-arn", arn)).Results;
        expect(tasks[0].Status).toMatch(/RUNNING|COMPLETED/);
        if (tasks[0].Status === "RUNNING") await ok("cancel-message-move-task", "--task-handle", task.TaskHandle);
      } else {
        console.warn(`${label} has no message move task commands (added to SQS in 2023)`);
      }

      await ok("send-message", "--queue-url", url, "--message-body", "to purge");
      await ok("purge-queue", "--queue-url", url);
      const again = await aws("purge-queue", "--queue-url", url);
      expect(again.code).not.toBe(0);
      expect(again.stderr).toContain("AWS.SimpleQueueService.PurgeQueueInProgress");
      await ok("delete-queue", "--queue-url", url);
      const missing = await aws("get-queue-url", "--queue-name", q);
      expect(missing.stderr).toContain("AWS.SimpleQueueService.NonExistentQueue");
    }, 240_000);

    it("FIFO queue end to end", async () => {
      const tag = label.endsWith("v1") ? "v1" : "v2";
      const url = (await ok("create-queue", "--queue-name", `cli-${tag}.fifo`, "--attributes", "FifoQueue=true,ContentBasedDeduplication=true")).QueueUrl;
      for (const b of ["1", "2", "1"]) await ok("send-message", "--queue-url", url, "--message-body", b, "--message-group-id", "g");
      const got = (await ok("receive-message", "--queue-url", url, "--max-number-of-messages", "10", "--attribute-names", "All")).Messages;
      expect(got.map((m: { Body: string }) => m.Body)).toEqual(["1", "2"]);
      expect(got[0].Attributes.MessageGroupId).toBe("g");
      const noGroup = await aws("send-message", "--queue-url", url, "--message-body", "x");
      expect(noGroup.stderr).toContain("MissingParameter");
    }, 120_000);
  });
}
