/**
 * Concurrency: many receivers and deleters racing on one queue never get the same message
 * inside its visibility timeout, and no message is lost (in-process and over HTTP).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEmulator } from "../../../src/emulator.ts";
import { inProcess, overHttp, startTestServer, STORES } from "../../helpers/clients.ts";
import { createMemoryStore } from "../../../src/store/memory.ts";
import type { Store } from "../../../src/store/types.ts";

const tick = () => new Promise((r) => setTimeout(r, 0));

/** A store whose every operation yields to the event loop first, as a networked store (Deno KV) does. */
function slowStore(inner: Store = createMemoryStore()): Store {
  return {
    async get(key) { await tick(); return inner.get(key); },
    async getMany(keys) { await tick(); return inner.getMany(keys); },
    async set(key, value) { await tick(); return inner.set(key, value); },
    async delete(key) { await tick(); return inner.delete(key); },
    async *list(selector, options) { await tick(); yield* inner.list(selector, options); },
    atomic() {
      const op = inner.atomic();
      const wrapped = {
        check: (...c: Parameters<typeof op.check>) => (op.check(...c), wrapped),
        set: (k: Parameters<typeof op.set>[0], v: unknown) => (op.set(k, v), wrapped),
        delete: (k: Parameters<typeof op.delete>[0]) => (op.delete(k), wrapped),
        commit: async () => { await tick(); return op.commit(); },
      };
      return wrapped;
    },
  } as Store;
}

const MESSAGES = 600;
const RECEIVERS = 16;

async function stress(sqs: SQSClient, name: string) {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: { VisibilityTimeout: "300" } }));
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < MESSAGES; i += 10) {
    sends.push(sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, j) => ({ Id: `e${j}`, MessageBody: `m-${i + j}` })) })));
  }
  // Receivers start while the senders are still going.
  const seen = new Map<string, number>();
  let idle = 0;
  const receiver = async () => {
    while (idle < RECEIVERS * 3) {
      const res = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
      const messages = res.Messages ?? [];
      if (messages.length === 0) {
        idle++;
        await new Promise((r) => setTimeout(r, 5));
        continue;
      }
      idle = 0;
      for (const m of messages) seen.set(m.Body!, (seen.get(m.Body!) ?? 0) + 1);
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: messages.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }));
    }
  };
  await Promise.all([...sends, ...Array.from({ length: RECEIVERS }, receiver)]);
  const duplicates = [...seen.values()].filter((n) => n > 1).length;
  const attrs = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["All"] }))).Attributes!;
  return { received: seen.size, duplicates, left: Number(attrs.ApproximateNumberOfMessages) + Number(attrs.ApproximateNumberOfMessagesNotVisible) };
}

describe("SQS concurrent receivers and deleters", () => {
  for (const { name, make } of STORES) {
    it(`in-process (${name}): zero lost, zero duplicated`, async () => {
      const sqs = new SQSClient(inProcess(createEmulator({ store: make() })));
      expect(await stress(sqs, "stress")).toEqual({ received: MESSAGES, duplicates: 0, left: 0 });
    }, 120_000);
  }

  it("in-process on a store that yields on every operation: zero lost, zero duplicated", async () => {
    const sqs = new SQSClient(inProcess(createEmulator({ store: slowStore() })));
    expect(await stress(sqs, "stress-slow")).toEqual({ received: MESSAGES, duplicates: 0, left: 0 });
  }, 120_000);

  let server: Awaited<ReturnType<typeof startTestServer>>;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server?.close());

  it("over HTTP: zero lost, zero duplicated", async () => {
    const sqs = new SQSClient(overHttp(server.url));
    expect(await stress(sqs, "stress-http")).toEqual({ received: MESSAGES, duplicates: 0, left: 0 });
  }, 120_000);
});
