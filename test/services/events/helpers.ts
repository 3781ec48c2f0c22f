/**
 * Shared setup for the EventBridge and Scheduler suites: an emulator on a manual clock (or a
 * given store), JS SDK clients in-process, and SQS helpers to observe deliveries.
 */
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SchedulerClient } from "@aws-sdk/client-scheduler";
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient, type Message } from "@aws-sdk/client-sqs";
import { createEmulator, type EmulatorOptions } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { createRequestHandler } from "../../../src/runtime/sdk.ts";
import { TEST_CREDENTIALS } from "../../helpers/clients.ts";
import type { Store } from "../../../src/store/types.ts";

export function setup(options: { store?: Store; clock?: ManualClock; accessKeyId?: string; services?: string[]; lambdaRunner?: EmulatorOptions["lambdaRunner"] } = {}) {
  const clock = options.clock ?? createManualClock(Date.UTC(2026, 0, 1));
  const emulator = createEmulator({
    clock,
    ...(options.store ? { store: options.store } : {}),
    ...(options.services ? { services: options.services } : {}),
    ...(options.lambdaRunner ? { lambdaRunner: options.lambdaRunner } : {}),
  });
  const handler = createRequestHandler(emulator);
  const config = (region = "us-east-1", accessKeyId = options.accessKeyId ?? TEST_CREDENTIALS.accessKeyId) => ({
    region, credentials: { accessKeyId, secretAccessKey: "test" }, requestHandler: handler,
  });
  const events = new EventBridgeClient(config());
  const scheduler = new SchedulerClient(config());
  const sqs = new SQSClient(config());
  async function queue(name: string, attributes: Record<string, string> = {}): Promise<{ url: string; arn: string }> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
    return { url: QueueUrl!, arn };
  }
  async function drain(url: string): Promise<Message[]> {
    const out: Message[] = [];
    for (let i = 0; i < 20; i++) {
      const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ["All"], AttributeNames: ["All"] }));
      if (!r.Messages?.length) break;
      out.push(...r.Messages);
      const { DeleteMessageBatchCommand } = await import("@aws-sdk/client-sqs");
      await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: r.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    }
    return out;
  }
  async function bodies(url: string): Promise<any[]> {
    return (await drain(url)).map((m) => JSON.parse(m.Body!));
  }
  return { clock, emulator, handler, config, events, scheduler, sqs, queue, drain, bodies };
}

/** The error a failing call rejects with. */
export async function failure(promise: Promise<unknown>): Promise<{ name: string; message: string; $metadata: { httpStatusCode?: number } }> {
  try {
    await promise;
  } catch (error) {
    return error as any;
  }
  throw new Error("expected the call to fail");
}
