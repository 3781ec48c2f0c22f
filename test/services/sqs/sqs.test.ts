/**
 * SQS through the AWS SDK for JavaScript v3 (in-process, on each test store), with an injected
 * clock so visibility, delays, retention and dedup windows are tested by moving time.
 * Expected MD5s and error codes are AWS's (recorded against AWS in LocalStack's snapshots).
 */
import { beforeEach, describe, expect, it } from "vitest";
import {
  AddPermissionCommand, ChangeMessageVisibilityBatchCommand, ChangeMessageVisibilityCommand, CreateQueueCommand,
  DeleteMessageBatchCommand, DeleteMessageCommand, DeleteQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand, ListMessageMoveTasksCommand, ListQueuesCommand, ListQueueTagsCommand, PurgeQueueCommand,
  ReceiveMessageCommand, RemovePermissionCommand, SendMessageBatchCommand, SendMessageCommand, SetQueueAttributesCommand,
  SQSClient, StartMessageMoveTaskCommand, CancelMessageMoveTaskCommand, TagQueueCommand, UntagQueueCommand,
  QueueDoesNotExist, QueueNameExists,
} from "@aws-sdk/client-sqs";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { inProcess, STORES, TEST_CREDENTIALS } from "../../helpers/clients.ts";
import { createRequestHandler } from "../../../src/runtime/sdk.ts";

const START = Date.parse("2026-11-22T00:00:00Z");

for (const { name, make } of STORES) {
  describe(`SQS with the JS SDK (${name})`, () => {
    let clock: { t: number; now(): number };
    let emulator: Emulator;
    let sqs: SQSClient;
    const advance = (seconds: number) => (clock.t += seconds * 1000);
    const fail = (p: Promise<unknown>) => p.then(() => { throw new Error("expected an error"); }, (e) => e);
    const create = async (QueueName: string, Attributes?: Record<string, string>) =>
      (await sqs.send(new CreateQueueCommand({ QueueName, Attributes }))).QueueUrl!;
    const receive = (QueueUrl: string, extra: Record<string, unknown> = {}) =>
      sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, ...extra }));

    beforeEach(() => {
      clock = { t: START, now() { return this.t; } };
      emulator = createEmulator({ store: make(), clock });
      sqs = new SQSClient(inProcess(emulator));
    });

    describe("queues", () => {
      it("CreateQueue is idempotent with equal attributes and QueueNameExists with different ones", async () => {
        const url = await create("orders", { VisibilityTimeout: "60" });
        expect(url).toMatch(/\/000000000000\/orders$/);
        expect(await create("orders", { VisibilityTimeout: "60" })).toBe(url);
        expect(await create("orders")).toBe(url);
        const e = await fail(create("orders", { VisibilityTimeout: "61" }));
        expect(e).toBeInstanceOf(QueueNameExists);
        expect(e.message).toBe("A queue already exists with the same name and a different value for attribute VisibilityTimeout");
        expect(e.Code).toBe("QueueAlreadyExists");
      });

      it("enforces queue name rules and the .fifo suffix", async () => {
        expect((await fail(create("bad name"))).Code).toBe("InvalidParameterValue");
        expect((await fail(create("x".repeat(81)))).name).toBe("InvalidParameterValue");
        expect((await fail(create("nofifo", { FifoQueue: "true" }))).message).toContain("must end with .fifo suffix");
        expect((await fail(create("plain.fifo"))).Code).toBe("InvalidParameterValue");
        expect(await create("ok.fifo", { FifoQueue: "true" })).toMatch(/ok\.fifo$/);
      });

      it("GetQueueUrl, DeleteQueue and QueueDoesNotExist", async () => {
        const url = await create("a");
        expect((await sqs.send(new GetQueueUrlCommand({ QueueName: "a" }))).QueueUrl).toBe(url);
        expect((await sqs.send(new GetQueueUrlCommand({ QueueName: "a", QueueOwnerAWSAccountId: "000000000000" }))).QueueUrl).toBe(url);
        await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
        const e = await fail(sqs.send(new GetQueueUrlCommand({ QueueName: "a" })));
        expect(e).toBeInstanceOf(QueueDoesNotExist);
        expect(e.Code).toBe("AWS.SimpleQueueService.NonExistentQueue");
        expect(e.message).toBe("The specified queue does not exist.");
        expect(await fail(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x" })))).toBeInstanceOf(QueueDoesNotExist);
        // A deleted name is unusable for 60 seconds.
        const recent = await fail(create("a"));
        expect([recent.name, recent.Code, recent.$metadata.httpStatusCode]).toEqual(["QueueDeletedRecently", "AWS.SimpleQueueService.QueueDeletedRecently", 400]);
        advance(60);
        expect(await create("a")).toBe(url);
      });

      it("finds a queue from any QueueUrl host, and the URL's account selects the account", async () => {
        const url = await create("hosts");
        for (const u of [
          "http://localhost:4566/000000000000/hosts",
          "https://sqs.us-east-1.amazonaws.com/000000000000/hosts",
          "http://sqs.us-east-1.localhost:4566/000000000000/hosts",
        ]) {
          const local = new SQSClient({ ...inProcess(emulator), useQueueUrlAsEndpoint: false });
          await local.send(new SendMessageCommand({ QueueUrl: u, MessageBody: u }));
        }
        const got = await receive(url);
        expect(got.Messages!.map((m) => m.Body).sort()).toHaveLength(3);
        // Another account (access key 111122223333) reaches this queue by URL, not by name.
        const other = new SQSClient({ region: "us-east-1", credentials: { accessKeyId: "111122223333", secretAccessKey: "x" }, requestHandler: createRequestHandler(emulator) });
        await other.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "cross" }));
        expect(await fail(other.send(new GetQueueUrlCommand({ QueueName: "hosts" })))).toBeInstanceOf(QueueDoesNotExist);
        expect((await other.send(new GetQueueUrlCommand({ QueueName: "hosts", QueueOwnerAWSAccountId: "000000000000" }))).QueueUrl).toBe(url);
        expect((await receive(url)).Messages![0]!.Body).toBe("cross");
      });

      it("ListQueues with prefix and MaxResults/NextToken pages", async () => {
        for (const n of ["app-a", "app-b", "app-c", "other"]) await create(n);
        const all = await sqs.send(new ListQueuesCommand({}));
        expect(all.QueueUrls).toHaveLength(4);
        expect(all.NextToken).toBeUndefined();
        const p1 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "app", MaxResults: 2 }));
        expect(p1.QueueUrls!.map((u) => u.split("/").pop())).toEqual(["app-a", "app-b"]);
        const p2 = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "app", MaxResults: 2, NextToken: p1.NextToken }));
        expect(p2.QueueUrls!.map((u) => u.split("/").pop())).toEqual(["app-c"]);
        expect(p2.NextToken).toBeUndefined();
        expect((await sqs.send(new ListQueuesCommand({ QueueNamePrefix: "zzz" }))).QueueUrls).toBeUndefined();
      });

      it("Get/SetQueueAttributes: defaults, ranges, computed values, unknown names", async () => {
        const url = await create("attrs", { DelaySeconds: "5", ReceiveMessageWaitTimeSeconds: "0" });
        const a = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes!;
        expect(a).toMatchObject({
          VisibilityTimeout: "30", MaximumMessageSize: "1048576", MessageRetentionPeriod: "345600", DelaySeconds: "5",
          ReceiveMessageWaitTimeSeconds: "0", SqsManagedSseEnabled: "true", ApproximateNumberOfMessages: "0",
          ApproximateNumberOfMessagesNotVisible: "0", ApproximateNumberOfMessagesDelayed: "0",
          QueueArn: "arn:aws:sqs:us-east-1:000000000000:attrs", CreatedTimestamp: String(START / 1000),
        });
        expect(a.FifoQueue).toBeUndefined();
        expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url }))).Attributes).toBeUndefined();
        advance(10);
        await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: "69", MaximumMessageSize: "2048" } }));
        const b = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["VisibilityTimeout", "MaximumMessageSize", "LastModifiedTimestamp"] }))).Attributes!;
        expect(b).toEqual({ VisibilityTimeout: "69", MaximumMessageSize: "2048", LastModifiedTimestamp: String(START / 1000 + 10) });
        for (const [attr, value] of [["VisibilityTimeout", "43201"], ["DelaySeconds", "-1"], ["MaximumMessageSize", "1023"], ["MaximumMessageSize", "1048577"], ["MessageRetentionPeriod", "59"], ["ReceiveMessageWaitTimeSeconds", "21"], ["VisibilityTimeout", "abc"]]) {
          const e = await fail(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { [attr!]: value! } })));
          expect(e.name).toBe("InvalidAttributeValue");
          expect(e.message).toBe(`Invalid value for the parameter ${attr}.`);
        }
        const e = await fail(sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["Nope" as never] })));
        expect(e.name).toBe("InvalidAttributeName");
        expect(e.message).toBe("Unknown Attribute Nope.");
        const f = await fail(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { FifoQueue: "true" } })));
        expect([f.name, f.message]).toEqual(["InvalidAttributeName", "Unknown Attribute FifoQueue."]);
        const g = await fail(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { KmsMasterKeyId: "k", SqsManagedSseEnabled: "true" } })));
        expect(g.name).toBe("InvalidAttributeName");
      });

      it("PurgeQueue empties the queue; a second purge within 60 s is PurgeQueueInProgress", async () => {
        const url = await create("purge");
        await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "1" }));
        await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
        expect((await receive(url)).Messages).toBeUndefined();
        const e = await fail(sqs.send(new PurgeQueueCommand({ QueueUrl: url })));
        expect([e.name, e.Code, e.$metadata.httpStatusCode]).toEqual(["PurgeQueueInProgress", "AWS.SimpleQueueService.PurgeQueueInProgress", 403]);
        expect(e.message).toBe("Only one PurgeQueue operation on purge is allowed every 60 seconds.");
        advance(60);
        await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
      });

      it("tags on create, TagQueue, UntagQueue, ListQueueTags", async () => {
        const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "tagged", tags: { team: "a" } }));
        await sqs.send(new TagQueueCommand({ QueueUrl, Tags: { env: "dev", tag3: "" } }));
        expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toEqual({ team: "a", env: "dev", tag3: "" });
        await sqs.send(new UntagQueueCommand({ QueueUrl, TagKeys: ["team", "env", "tag3"] }));
        expect((await sqs.send(new ListQueueTagsCommand({ QueueUrl }))).Tags).toBeUndefined();
      });

      it("AddPermission/RemovePermission are reflected in the Policy attribute", async () => {
        const url = await create("perm");
        await sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: "p1", AWSAccountIds: ["111122223333"], Actions: ["SendMessage"] }));
        await sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: "p2", AWSAccountIds: ["111122223333", "444455556666"], Actions: ["ReceiveMessage", "DeleteMessage"] }));
        const policy = JSON.parse((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["Policy"] }))).Attributes!.Policy!);
        expect(policy).toEqual({
          Version: "2008-10-17",
          Id: "arn:aws:sqs:us-east-1:000000000000:perm/SQSDefaultPolicy",
          Statement: [
            { Sid: "p1", Effect: "Allow", Principal: { AWS: "arn:aws:iam::111122223333:root" }, Action: "SQS:SendMessage", Resource: "arn:aws:sqs:us-east-1:000000000000:perm" },
            { Sid: "p2", Effect: "Allow", Principal: { AWS: ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"] }, Action: ["SQS:ReceiveMessage", "SQS:DeleteMessage"], Resource: "arn:aws:sqs:us-east-1:000000000000:perm" },
          ],
        });
        const dup = await fail(sqs.send(new AddPermissionCommand({ QueueUrl: url, Label: "p1", AWSAccountIds: ["111122223333"], Actions: ["SendMessage"] })));
        expect([dup.Code, dup.message]).toEqual(["InvalidParameterValue", "Value p1 for parameter Label is invalid. Reason: Already exists."]);
        await sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: "p1" }));
        await sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: "p2" }));
        expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["Policy"] }))).Attributes).toBeUndefined();
        const gone = await fail(sqs.send(new RemovePermissionCommand({ QueueUrl: url, Label: "p2" })));
        expect(gone.message).toBe("Value p2 for parameter Label is invalid. Reason: can't find label.");
      });
    });

    describe("messages", () => {
      it("MD5s are AWS's (values recorded against AWS) and attributes filter by All, prefix.* and names", async () => {
        const url = await create("md5");
        const sent = await sqs.send(new SendMessageCommand({
          QueueUrl: url, MessageBody: "msg",
          MessageAttributes: { General: { DataType: "String", StringValue: "Kenobi" }, Hello: { DataType: "String", StringValue: "There" }, "Help.Me": { DataType: "String", StringValue: "Me" } },
        }));
        expect(sent.MD5OfMessageBody).toBe("6e2baaf3b97dbeef01c0043275f9a0e7");
        expect(sent.MD5OfMessageAttributes).toBe("4c360f3fdafd970e05fae2f149d997f5");
        const cases: [string[], string | undefined, string[]][] = [
          [["All"], "4c360f3fdafd970e05fae2f149d997f5", ["General", "Hello", "Help.Me"]],
          [[".*"], "4c360f3fdafd970e05fae2f149d997f5", ["General", "Hello", "Help.Me"]],
          [["General", "Hello"], "fca026605781cb4126a1e9044df24232", ["General", "Hello"]],
          [["Hello", "Nope"], "a311262e065454b75da111d535b8dacd", ["Hello"]],
          [["Hel.*"], "83fee93c1bcd8b9a5a923ffacdc636c7", ["Hello", "Help.Me"]],
          [["Nope"], undefined, []],
        ];
        for (const [names, md5, keys] of cases) {
          const [m] = (await receive(url, { MessageAttributeNames: names, VisibilityTimeout: 0 })).Messages!;
          expect(m!.MD5OfMessageAttributes).toBe(md5);
          expect(Object.keys(m!.MessageAttributes ?? {}).sort()).toEqual(keys);
        }
      });

      it("binary and number attributes round-trip with the CLI capture's MD5 and system attribute MD5", async () => {
        const url = await create("bin");
        const out = await sqs.send(new SendMessageCommand({
          QueueUrl: url, MessageBody: "hello from js sdk v3 sqs",
          MessageAttributes: { StrAttr: { DataType: "String", StringValue: "str-value" }, NumAttr: { DataType: "Number", StringValue: "42" }, BinAttr: { DataType: "Binary", BinaryValue: new Uint8Array([0, 1, 98, 105, 110, 97, 114, 121]) } },
          MessageSystemAttributes: { AWSTraceHeader: { DataType: "String", StringValue: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1" } },
        }));
        expect(out.MD5OfMessageAttributes).toBe("c1b432fb5838491db9d52bcde5ed4712");
        expect(out.MD5OfMessageSystemAttributes).toMatch(/^[0-9a-f]{32}$/);
        const [m] = (await receive(url, { MessageAttributeNames: ["All"], MessageSystemAttributeNames: ["AWSTraceHeader"] })).Messages!;
        expect(m!.MessageAttributes!.BinAttr!.BinaryValue).toEqual(new Uint8Array([0, 1, 98, 105, 110, 97, 114, 121]));
        expect(m!.MD5OfMessageAttributes).toBe("c1b432fb5838491db9d52bcde5ed4712");
        expect(m!.Attributes).toEqual({ AWSTraceHeader: "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1" });
      });

      it("rejects bad bodies, attributes and oversize messages with AWS's codes", async () => {
        const url = await create("limits", { MaximumMessageSize: "1024" });
        const bad = await fail(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "a\u0001b" })));
        expect(bad.name).toBe("InvalidMessageContents");
        expect(bad.message).toContain("Invalid binary character '#x1' was found in the message body");
        const big = await fail(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x".repeat(1025) })));
        expect([big.Code, big.message]).toEqual(["InvalidParameterValue", "One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes."]);
        const empty = await fail(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m", MessageAttributes: { ErrorDetails: { DataType: "String", StringValue: "" } } })));
        expect(empty.message).toBe("Message (user) attribute 'ErrorDetails' must contain a non-empty value of type 'String'.");
        const type = await fail(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m", MessageAttributes: { a: { DataType: "Text", StringValue: "x" } } })));
        expect(type.Code).toBe("InvalidParameterValue");
        const missing = await fail(sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 11 })));
        expect([missing.Code, missing.message]).toEqual(["InvalidParameterValue", "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided."]);
      });

      it("visibility timeout hides a received message until it expires; receipt handles go stale", async () => {
        const url = await create("vis", { VisibilityTimeout: "30" });
        await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m" }));
        const first = (await receive(url, { MessageSystemAttributeNames: ["All"] })).Messages![0]!;
        expect(first.Attributes).toMatchObject({ ApproximateReceiveCount: "1", SentTimestamp: String(START), ApproximateFirstReceiveTimestamp: String(START), SenderId: "000000000000" });
        expect((await receive(url)).Messages).toBeUndefined();
        let attrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"] }))).Attributes;
        expect(attrs).toEqual({ ApproximateNumberOfMessages: "0", ApproximateNumberOfMessagesNotVisible: "1" });
        advance(29);
        expect((await receive(url)).Messages).toBeUndefined();
        advance(1);
        const second = (await receive(url, { AttributeNames: ["ApproximateReceiveCount"] })).Messages![0]!;
        expect(second.Attributes).toEqual({ ApproximateReceiveCount: "2" });
        expect(second.ReceiptHandle).not.toBe(first.ReceiptHandle);
        // ChangeMessageVisibility to 0 makes it visible again at once.
        await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 0 }));
        const third = (await receive(url, { VisibilityTimeout: 100 })).Messages![0]!;
        advance(99);
        expect((await receive(url)).Messages).toBeUndefined();
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third.ReceiptHandle }));
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: third.ReceiptHandle }));
        advance(10);
        expect((await receive(url)).Messages).toBeUndefined();
        attrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }))).Attributes;
        expect(attrs!.ApproximateNumberOfMessagesNotVisible).toBe("0");
        const invalid = await fail(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: "garbage" })));
        expect([invalid.name, invalid.message]).toEqual(["ReceiptHandleIsInvalid", 'The input receipt handle "garbage" is not a valid receipt handle.']);
      });

      it("DelaySeconds on the queue and per message; counts Delayed", async () => {
        const url = await create("delay", { DelaySeconds: "10" });
        await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "queue-delay" }));
        await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "no-delay", DelaySeconds: 0 }));
        await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "long", DelaySeconds: 20 }));
        const attrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["ApproximateNumberOfMessagesDelayed", "ApproximateNumberOfMessages"] }))).Attributes;
        expect(attrs).toEqual({ ApproximateNumberOfMessagesDelayed: "2", ApproximateNumberOfMessages: "1" });
        expect((await receive(url)).Messages!.map((m) => m.Body)).toEqual(["no-delay"]);
        advance(10);
        expect((await receive(url)).Messages!.map((m) => m.Body)).toEqual(["queue-delay"]);
        advance(10);
        expect((await receive(url)).Messages!.map((m) => m.Body)).toEqual(["long"]);
      });

      it("messages past MessageRetentionPeriod are gone", async () => {
        const url = await create("retention", { MessageRetentionPeriod: "60" });
        await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "old" }));
        advance(60);
        expect((await receive(url)).Messages).toBeUndefined();
      });

      it("batches: per-entry failures, batch-level errors", async () => {
        const url = await create("batch");
        const res = await sqs.send(new SendMessageBatchCommand({
          QueueUrl: url,
          Entries: [{ Id: "a", MessageBody: "1" }, { Id: "b", MessageBody: "bad\u0000" }, { Id: "c", MessageBody: "3", DelaySeconds: 0 }],
        }));
        expect(res.Successful!.map((s) => s.Id)).toEqual(["a", "c"]);
        expect(res.Successful![0]!.MD5OfMessageBody).toBe("c4ca4238a0b923820dcc509a6f75849b");
        expect(res.Failed).toEqual([expect.objectContaining({ Id: "b", SenderFault: true, Code: "InvalidMessageContents" })]);
        const tooMany = await fail(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 20 }, (_, i) => ({ Id: `m${i}`, MessageBody: "x" })) })));
        expect([tooMany.name, tooMany.Code, tooMany.message]).toEqual(["TooManyEntriesInBatchRequest", "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10. You have sent 20."]);
        const dup = await fail(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "x", MessageBody: "1" }, { Id: "x", MessageBody: "2" }] })));
        expect(dup.name).toBe("BatchEntryIdsNotDistinct");
        const badId = await fail(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "invalid:id", MessageBody: "1" }] })));
        expect(badId.message).toBe("A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.");
        const empty = await fail(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [] })));
        expect(empty.name).toBe("EmptyBatchRequest");
        const long = await fail(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "1", MessageBody: "a".repeat(1048576) }, { Id: "2", MessageBody: "a" }] })));
        expect([long.name, long.message]).toEqual(["BatchRequestTooLong", "Batch requests cannot be longer than 1048576 bytes. You have sent 1048577 bytes."]);
        // A message of 1 MiB, the default MaximumMessageSize since 2025, is accepted.
        const bigQueue = await create("big-messages");
        const full = await sqs.send(new SendMessageCommand({ QueueUrl: bigQueue, MessageBody: "b".repeat(1048576) }));
        expect(full.MessageId).toBeTruthy();
        const over = await fail(sqs.send(new SendMessageCommand({ QueueUrl: bigQueue, MessageBody: "b".repeat(1048577) })));
        expect(over.message).toBe("One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.");

        const got = (await receive(url)).Messages!;
        expect(got.map((m) => m.Body).sort()).toEqual(["1", "3"]);
        const vis = await sqs.send(new ChangeMessageVisibilityBatchCommand({
          QueueUrl: url, Entries: [{ Id: "v1", ReceiptHandle: got[0]!.ReceiptHandle!, VisibilityTimeout: 60 }, { Id: "v2", ReceiptHandle: "nope", VisibilityTimeout: 60 }],
        }));
        expect(vis.Successful).toEqual([{ Id: "v1" }]);
        expect(vis.Failed).toEqual([expect.objectContaining({ Id: "v2", Code: "ReceiptHandleIsInvalid", SenderFault: true })]);
        const del = await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: got.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }));
        expect(del.Successful).toHaveLength(2);
        expect(del.Failed ?? []).toEqual([]);
      });

      it("long polling returns as soon as a message arrives", async () => {
        const url = await create("poll");
        const started = Date.now();
        const pending = receive(url, { WaitTimeSeconds: 20 });
        await new Promise((r) => setTimeout(r, 50));
        await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "wake" }));
        const res = await pending;
        expect(res.Messages![0]!.Body).toBe("wake");
        expect(Date.now() - started).toBeLessThan(15_000);
        const empty = await receive(url, { WaitTimeSeconds: 1 });
        expect(empty.Messages).toBeUndefined();
      });
    });

    describe("FIFO", () => {
      it("orders within a group, blocks a group while a message is in flight, other groups flow", async () => {
        const url = await create("jobs.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true" });
        const seqs: string[] = [];
        for (const [g, b] of [["A", "a1"], ["B", "b1"], ["A", "a2"], ["A", "a3"], ["B", "b2"]]) {
          const r = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: b, MessageGroupId: g }));
          expect(r.SequenceNumber).toMatch(/^\d{20}$/);
          seqs.push(r.SequenceNumber!);
        }
        expect([...seqs].sort()).toEqual(seqs);
        const first = await receive(url, { MaxNumberOfMessages: 1, MessageSystemAttributeNames: ["All"] });
        expect(first.Messages!.map((m) => m.Body)).toEqual(["a1"]);
        expect(first.Messages![0]!.Attributes).toMatchObject({ MessageGroupId: "A", SequenceNumber: seqs[0], ApproximateReceiveCount: "1" });
        expect(first.Messages![0]!.Attributes!.MessageDeduplicationId).toMatch(/^[0-9a-f]{64}$/);
        // Group A is blocked while a1 is in flight: only B's messages come.
        const second = await receive(url);
        expect(second.Messages!.map((m) => m.Body)).toEqual(["b1", "b2"]);
        expect((await receive(url)).Messages).toBeUndefined();
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first.Messages![0]!.ReceiptHandle }));
        expect((await receive(url)).Messages!.map((m) => m.Body)).toEqual(["a2", "a3"]);
      });

      it("a message whose visibility expires comes back before later ones of its group", async () => {
        const url = await create("redeliver.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true", VisibilityTimeout: "10" });
        for (const b of ["1", "2", "3"]) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: b, MessageGroupId: "g" }));
        expect((await receive(url, { MaxNumberOfMessages: 1 })).Messages!.map((m) => m.Body)).toEqual(["1"]);
        advance(10);
        expect((await receive(url)).Messages!.map((m) => m.Body)).toEqual(["1", "2", "3"]);
      });

      it("deduplicates within 5 minutes by id or content, per queue or per group", async () => {
        const url = await create("dedup.fifo", { FifoQueue: "true" });
        const a = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d1" }));
        const b = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "y", MessageGroupId: "h", MessageDeduplicationId: "d1" }));
        expect(b.MessageId).toBe(a.MessageId);
        expect(b.SequenceNumber).toBe(a.SequenceNumber);
        advance(301);
        await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "z", MessageGroupId: "g", MessageDeduplicationId: "d1" }));
        expect((await receive(url)).Messages!.map((m) => m.Body)).toEqual(["x", "z"]);

        const scoped = await create("scoped.fifo", { FifoQueue: "true", DeduplicationScope: "messageGroup", FifoThroughputLimit: "perMessageGroupId" });
        await sqs.send(new SendMessageCommand({ QueueUrl: scoped, MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d" }));
        await sqs.send(new SendMessageCommand({ QueueUrl: scoped, MessageBody: "y", MessageGroupId: "h", MessageDeduplicationId: "d" }));
        expect((await receive(scoped)).Messages!.map((m) => m.Body).sort()).toEqual(["x", "y"]);
      });

      it("FIFO send rules: group id required, dedup id or content-based, no per-message delay", async () => {
        const url = await create("rules.fifo", { FifoQueue: "true" });
        const noGroup = await fail(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", MessageDeduplicationId: "d" })));
        expect([noGroup.Code, noGroup.message, noGroup.name]).toEqual(["MissingParameter", "The request must contain the parameter MessageGroupId.", "MissingParameter"]);
        const noDedup = await fail(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", MessageGroupId: "g" })));
        expect(noDedup.message).toBe("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly");
        const delay = await fail(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "x", MessageGroupId: "g", MessageDeduplicationId: "d", DelaySeconds: 2 })));
        expect(delay.message).toBe("Value 2 for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.");
        const batch = await fail(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: "1", MessageBody: "x", MessageDeduplicationId: "d" }] })));
        expect([batch.Code, batch.message]).toEqual(["InvalidParameterValue", "The request must contain the parameter MessageGroupId."]);
      });

      it("FIFO ReceiveRequestAttemptId: a retry returns the same messages and handles", async () => {
        const url = await create("attempt.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true", VisibilityTimeout: "30" });
        for (const body of ["a", "b"]) await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: "g" }));
        const first = (await receive(url, { ReceiveRequestAttemptId: "try-1" })).Messages!;
        expect(first.map((m) => m.Body)).toEqual(["a", "b"]);
        advance(20);
        // A lost response, retried: the same messages and receipt handles, visibility reset.
        const retry = (await receive(url, { ReceiveRequestAttemptId: "try-1" })).Messages!;
        expect(retry.map((m) => [m.MessageId, m.ReceiptHandle])).toEqual(first.map((m) => [m.MessageId, m.ReceiptHandle]));
        // Another attempt id is a new receive: the group is in flight.
        expect((await receive(url, { ReceiveRequestAttemptId: "try-2" })).Messages).toBeUndefined();
        advance(20); // 40 s after the first receive, 20 s after the retry reset the timeout
        expect((await receive(url)).Messages).toBeUndefined();
        // Once a message is deleted, the retry is a new receive.
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: first[0]!.ReceiptHandle }));
        expect((await receive(url, { ReceiveRequestAttemptId: "try-1" })).Messages).toBeUndefined();
        advance(31);
        expect((await receive(url, { ReceiveRequestAttemptId: "try-1" })).Messages!.map((m) => m.Body)).toEqual(["b"]);
        const bad = await fail(receive(url, { ReceiveRequestAttemptId: "x".repeat(129) }));
        expect(bad.Code).toBe("InvalidParameterValue");
      });

      it("FIFO receipt handles expire after a redelivery", async () => {
        const url = await create("stale.fifo", { FifoQueue: "true", ContentBasedDeduplication: "true", VisibilityTimeout: "5" });
        await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "m", MessageGroupId: "g" }));
        const old = (await receive(url)).Messages![0]!.ReceiptHandle!;
        advance(5);
        await receive(url);
        const e = await fail(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: old })));
        expect([e.Code, e.message]).toEqual(["InvalidParameterValue", `Value ${old} for parameter ReceiptHandle is invalid. Reason: The receipt handle has expired.`]);
      });
    });

    describe("dead-letter queues", () => {
      async function setup(max = 2, allow?: string) {
        const dlq = await create("dlq", allow ? { RedriveAllowPolicy: allow } : undefined);
        const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
        const src = await create("src", { VisibilityTimeout: "1", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: max }) });
        return { dlq, dlqArn, src };
      }

      it("moves a message after maxReceiveCount receives; ListDeadLetterSourceQueues", async () => {
        const { dlq, src } = await setup(2);
        expect((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: src, AttributeNames: ["RedrivePolicy"] }))).Attributes!.RedrivePolicy)
          .toBe('{"deadLetterTargetArn":"arn:aws:sqs:us-east-1:000000000000:dlq","maxReceiveCount":2}');
        const { MessageId } = await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: "poison" }));
        for (let i = 0; i < 2; i++) {
          expect((await receive(src)).Messages).toHaveLength(1);
          advance(1);
        }
        expect((await receive(src)).Messages).toBeUndefined();
        const dead = (await receive(dlq, { MessageSystemAttributeNames: ["All"] })).Messages!;
        expect(dead.map((m) => [m.MessageId, m.Body])).toEqual([[MessageId, "poison"]]);
        expect(dead[0]!.Attributes!.DeadLetterQueueSourceArn).toBe("arn:aws:sqs:us-east-1:000000000000:src");
        expect((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls).toEqual([src]);
      });

      it("rejects bad redrive policies and honours RedriveAllowPolicy", async () => {
        const q = await create("p");
        const bad = await fail(sqs.send(new SetQueueAttributesCommand({ QueueUrl: q, Attributes: { RedrivePolicy: '{"deadLetterTargetArn": "dummy", "maxReceiveCount": 42}' } })));
        expect([bad.Code, bad.message]).toEqual(["InvalidParameterValue", 'Value {"deadLetterTargetArn": "dummy", "maxReceiveCount": 42} for parameter RedrivePolicy is invalid. Reason: Invalid value for deadLetterTargetArn.']);
        const deny = await create("deny", { RedriveAllowPolicy: '{"redrivePermission":"denyAll"}' });
        void deny;
        const denied = await fail(sqs.send(new SetQueueAttributesCommand({ QueueUrl: q, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:deny", maxReceiveCount: 1 }) } })));
        expect(denied.Code).toBe("InvalidParameterValue");
        await create("byq", { RedriveAllowPolicy: JSON.stringify({ redrivePermission: "byQueue", sourceQueueArns: ["arn:aws:sqs:us-east-1:000000000000:p"] }) });
        await sqs.send(new SetQueueAttributesCommand({ QueueUrl: q, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: "arn:aws:sqs:us-east-1:000000000000:byq", maxReceiveCount: 1 }) } }));
        const badAllow = await fail(create("x", { RedriveAllowPolicy: '{"redrivePermission":"sometimes"}' }));
        expect(badAllow.name).toBe("InvalidAttributeValue");
      });

      it("StartMessageMoveTask moves messages back at the requested rate; List and Cancel", async () => {
        const { dlq, dlqArn, src } = await setup(1);
        for (let i = 0; i < 5; i++) await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: `m${i}` }));
        await receive(src);
        advance(1);
        expect((await receive(src)).Messages).toBeUndefined(); // all five dead-lettered
        const notDlq = await fail(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: "arn:aws:sqs:us-east-1:000000000000:src" })));
        expect(notDlq.Code).toBe("InvalidParameterValue");
        const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 2 }));
        expect(TaskHandle).toBeTruthy();
        const again = await fail(sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn })));
        expect(again.name).toBe("UnsupportedOperation");
        advance(1);
        let tasks = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results!;
        expect(tasks[0]).toMatchObject({ Status: "RUNNING", ApproximateNumberOfMessagesMoved: 2, ApproximateNumberOfMessagesToMove: 5, MaxNumberOfMessagesPerSecond: 2, TaskHandle, StartedTimestamp: clock.t - 1000 });
        advance(2);
        tasks = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn }))).Results!;
        expect(tasks[0]).toMatchObject({ Status: "COMPLETED", ApproximateNumberOfMessagesMoved: 5 });
        expect(tasks[0]!.TaskHandle).toBeUndefined();
        const back = (await receive(src)).Messages!.map((m) => m.Body).sort();
        expect(back).toEqual(["m0", "m1", "m2", "m3", "m4"]);
        expect((await receive(dlq)).Messages).toBeUndefined();

        // A second task, cancelled before it finishes.
        advance(1);
        expect((await receive(src)).Messages).toBeUndefined();
        const second = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, MaxNumberOfMessagesPerSecond: 1 }));
        advance(2);
        const cancelled = await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle: second.TaskHandle }));
        expect(cancelled.ApproximateNumberOfMessagesMoved).toBe(2);
        tasks = (await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }))).Results!;
        expect(tasks.map((t) => t.Status)).toEqual(["CANCELLED", "COMPLETED"]);
      });
    });
  });
}

describe("SQS request validation", () => {
  it("missing required members are MissingParameter, on both protocols", async () => {
    const emulator = createEmulator();
    const json = await emulator.fetch(new Request("http://localhost:4566/", {
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage" },
      body: JSON.stringify({ QueueUrl: "http://localhost:4566/000000000000/q" }),
    }));
    expect(json.status).toBe(400);
    expect(json.headers.get("x-amzn-query-error")).toBe("MissingParameter;Sender");
    expect(await json.json()).toEqual({ __type: "com.amazonaws.sqs#MissingRequiredParameterException", message: "The request must contain the parameter MessageBody." });
    const query = await emulator.fetch(new Request("http://localhost:4566/", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8" },
      body: "Action=GetQueueUrl&Version=2012-11-05&QueueName=nope",
    }));
    expect(query.status).toBe(400);
    const text = await query.text();
    expect(text).toContain("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>");
    expect(text).toContain("<Message>The specified queue does not exist for this wsdl version.</Message>");
    void TEST_CREDENTIALS;
  });
});
