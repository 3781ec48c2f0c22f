/**
 * How state splits into Durable Object partitions (src/store/durable-object.ts `partitionOf`):
 * SQS keeps each queue with its owner's account and region, so on Workers one busy queue
 * serializes only its own account and region, and a QueueUrl naming another account writes
 * into that account's partition.
 */
import { describe, expect, it } from "vitest";
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEmulator } from "../../src/emulator.ts";
import { createRequestHandler } from "../../src/runtime/sdk.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { partitionOf } from "../../src/store/durable-object.ts";
import type { Store } from "../../src/store/types.ts";

async function partitions(store: Store, service: string): Promise<string[]> {
  const out = new Set<string>();
  for await (const e of store.list({ prefix: [service] })) out.add(JSON.stringify(partitionOf(e.key)));
  return [...out].sort();
}

describe("state partitions", () => {
  it("SQS: one partition per [sqs, account, region]; cross-account sends land in the owner's", async () => {
    const store = createMemoryStore();
    const emulator = createEmulator({ store });
    const client = (accessKeyId: string, region: string) =>
      new SQSClient({ region, credentials: { accessKeyId, secretAccessKey: "x" }, requestHandler: createRequestHandler(emulator) });
    const a = client("test", "us-east-1"); // account 000000000000
    const b = client("111122223333", "eu-west-1");
    const urlA = (await a.send(new CreateQueueCommand({ QueueName: "orders" }))).QueueUrl!;
    const urlB = (await b.send(new CreateQueueCommand({ QueueName: "orders.fifo", Attributes: { FifoQueue: "true", ContentBasedDeduplication: "true" } }))).QueueUrl!;
    await a.send(new SendMessageCommand({ QueueUrl: urlA, MessageBody: "own" }));
    await b.send(new SendMessageCommand({ QueueUrl: urlB, MessageBody: "own", MessageGroupId: "g" }));
    // Account B (in us-east-1 this time) sends to A's queue by URL.
    await client("111122223333", "us-east-1").send(new SendMessageCommand({ QueueUrl: urlA, MessageBody: "cross" }));
    expect((await a.send(new ReceiveMessageCommand({ QueueUrl: urlA, MaxNumberOfMessages: 10 }))).Messages!.map((m) => m.Body).sort()).toEqual(["cross", "own"]);

    expect(await partitions(store, "sqs")).toEqual([
      JSON.stringify(["sqs", "000000000000", "us-east-1"]),
      JSON.stringify(["sqs", "111122223333", "eu-west-1"]),
    ]);
  });
});
