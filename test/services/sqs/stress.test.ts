/**
 * Concurrency: many receivers and deleters racing on one queue never get the same message
 * inside its visibility timeout, and no message is lost (in-process and over HTTP).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CreateQueueCommand, DeleteMessageBatchCommand, DeleteMessageCommand, SendMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
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

/**
 * 200 SendMessage calls at once (no lock on a standard queue), split over two emulators sharing
 * one store, then receivers on both: every message exactly once; on a FIFO queue, sequence
 * numbers unique and each group received in send order.
 */
async function concurrentSends(clients: SQSClient[], name: string, fifo: boolean) {
  const attributes = fifo ? { FifoQueue: "true", ContentBasedDeduplication: "true" } : {};
  const { QueueUrl } = await clients[0]!.send(new CreateQueueCommand({ QueueName: name, Attributes: { ...attributes, VisibilityTimeout: "300" } }));
  const sent = await Promise.all(Array.from({ length: 200 }, (_, i) =>
    clients[i % clients.length]!.send(new SendMessageCommand({ QueueUrl, MessageBody: `m-${i}`, ...(fifo ? { MessageGroupId: `g${i % 4}` } : {}) }))));
  const received: { body: string; group?: string; seq?: string }[] = [];
  await Promise.all(Array.from({ length: 8 }, async (_, r) => {
    const sqs = clients[r % clients.length]!;
    for (let empty = 0; empty < 3;) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageSystemAttributeNames: ["All"] }));
      empty = Messages.length ? 0 : empty + 1;
      for (const m of Messages) {
        received.push({ body: m.Body!, group: m.Attributes?.MessageGroupId, seq: m.Attributes?.SequenceNumber });
        await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: m.ReceiptHandle! }));
      }
      if (!Messages.length) await tick();
    }
  }));
  return { sent, received };
}

describe("SQS concurrent sends", () => {
  for (const { name, make } of [...STORES, { name: "yielding store", make: () => slowStore() }]) {
    it(`standard queue, two emulators on one ${name}: each of 200 concurrent sends received exactly once`, async () => {
      const store = make();
      const clients = [createEmulator({ store }), createEmulator({ store })].map((e) => new SQSClient(inProcess(e)));
      const { sent, received } = await concurrentSends(clients, "concurrent", false);
      expect(new Set(sent.map((r) => r.MessageId)).size).toBe(200);
      expect(received.map((m) => m.body).sort()).toEqual(Array.from({ length: 200 }, (_, i) => `m-${i}`).sort());
    }, 120_000);

    it(`FIFO queue, two emulators on one ${name}: unique sequence numbers, groups in order, each message once`, async () => {
      const store = make();
      const clients = [createEmulator({ store }), createEmulator({ store })].map((e) => new SQSClient(inProcess(e)));
      const { sent, received } = await concurrentSends(clients, "concurrent.fifo", true);
      const seqs = sent.map((r) => BigInt(r.SequenceNumber!));
      expect(new Set(seqs).size).toBe(200);
      expect(received.map((m) => m.body).sort()).toEqual(Array.from({ length: 200 }, (_, i) => `m-${i}`).sort());
      // Within each group, received in the order of the sequence numbers the sends were given.
      const seqOf = new Map(sent.map((r, i) => [`m-${i}`, BigInt(r.SequenceNumber!)]));
      for (const g of ["g0", "g1", "g2", "g3"]) {
        const order = received.filter((m) => m.group === g).map((m) => seqOf.get(m.body)!);
        expect(order).toEqual([...order].sort((a, b) => (a < b ? -1 : 1)));
        expect(received.filter((m) => m.group === g).map((m) => BigInt(m.seq!))).toEqual(order);
      }
    }, 120_000);
  }
});

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
