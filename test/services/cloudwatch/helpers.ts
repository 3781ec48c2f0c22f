/**
 * Set-up shared by the CloudWatch and CloudWatch Logs suites: a manual-clock emulator per test,
 * `fail` for expected errors, and an SQS queue to receive deliveries (SNS, EventBridge).
 */
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { createEmulator, type Emulator } from "../../../src/emulator.ts";
import { createManualClock, type ManualClock } from "../../../src/clock.ts";
import { inProcess, STORES } from "../../helpers/clients.ts";

/** The error a promise rejects with; throws when it resolves. */
export async function fail(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

/** The stores the suites run against (the copying store is covered by the main suites). */
export const SUITE_STORES = STORES.filter((s) => s.name !== "copying store");

export interface Harness {
  clock: ManualClock;
  emulator: Emulator;
  /** In-process SDK client options for this emulator. */
  config: ReturnType<typeof inProcess>;
}

/** A fresh emulator on a manual clock at `start` (ms) over `store`. */
export function harness(store: (typeof STORES)[number], start: number): Harness {
  const clock = createManualClock(start);
  const emulator = createEmulator({ store: store.make(), clock });
  return { clock, emulator, config: inProcess(emulator) };
}

/** An SQS queue to receive deliveries: its URL and ARN, and `receive()` (bodies parsed as JSON). */
export async function inbox(h: Harness, name: string) {
  const sqs = new SQSClient(h.config);
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["QueueArn"] }))).Attributes!.QueueArn!;
  return {
    url, arn,
    async receive(): Promise<any[]> {
      const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
      return (out.Messages ?? []).map((m) => JSON.parse(m.Body!));
    },
  };
}
