/**
 * Enhanced fan-out consumers: registration state (their subscriptions: subscribe.ts).
 * Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_RegisterStreamConsumer.html
 */
import type { RequestContext } from "../types.ts";
import { AwsError } from "../../protocol/errors.ts";
import { invalidArgument, limitExceeded, resourceInUse } from "./errors.ts";
import { notifyStream } from "./signal.ts";
import { keys, loadStream, parseStreamArn, type StoredStream, type StreamRef } from "./streams.ts";

export interface StoredConsumer {
  ConsumerName: string;
  ConsumerARN: string;
  /** ms since epoch */
  createdAt: number;
}

const MAX_CONSUMERS = 20;

function consumerNotFound(what: string): AwsError {
  return new AwsError("ResourceNotFoundException", `Consumer ${what} not found.`, 400);
}

export async function listConsumers(ref: StreamRef, stream: StoredStream): Promise<StoredConsumer[]> {
  const out: StoredConsumer[] = [];
  for await (const entry of ref.store.list<StoredConsumer>({ prefix: keys.consumers(ref.name, stream.createdAt) })) out.push(entry.value);
  return out.sort((a, b) => a.createdAt - b.createdAt || (a.ConsumerName < b.ConsumerName ? -1 : 1));
}

export function describeConsumer(stream: StoredStream, consumer: StoredConsumer, status: "CREATING" | "ACTIVE" = "ACTIVE") {
  return {
    ConsumerName: consumer.ConsumerName,
    ConsumerARN: consumer.ConsumerARN,
    ConsumerStatus: status,
    ConsumerCreationTimestamp: new Date(consumer.createdAt),
    StreamARN: stream.StreamARN,
  };
}

export async function registerConsumer(ctx: RequestContext, ref: StreamRef, name: string): Promise<{ stream: StoredStream; consumer: StoredConsumer }> {
  const stream = await loadStream(ref);
  const existing = await listConsumers(ref, stream);
  if (existing.some((c) => c.ConsumerName === name)) {
    throw resourceInUse(`Consumer ${name} under stream ${stream.StreamARN} already exists.`);
  }
  if (existing.length >= MAX_CONSUMERS) throw limitExceeded(`Stream ${stream.StreamARN} already has ${MAX_CONSUMERS} registered consumers.`);
  const now = ctx.clock.now();
  const consumer: StoredConsumer = { ConsumerName: name, ConsumerARN: `${stream.StreamARN}/consumer/${name}:${Math.floor(now / 1000)}`, createdAt: now };
  const ok = await ref.store.atomic().check({ key: keys.consumer(ref.name, stream.createdAt, name), versionstamp: null })
    .set(keys.consumer(ref.name, stream.createdAt, name), consumer).commit();
  if (!ok.ok) throw resourceInUse(`Consumer ${name} under stream ${stream.StreamARN} already exists.`);
  return { stream, consumer };
}

/** The consumer named by ConsumerARN, or by StreamARN + ConsumerName. */
export async function findConsumer(
  ctx: RequestContext,
  input: { StreamARN?: string; ConsumerName?: string; ConsumerARN?: string },
): Promise<{ ref: StreamRef; stream: StoredStream; consumer: StoredConsumer }> {
  let arn: string;
  if (input.ConsumerARN !== undefined) {
    arn = input.ConsumerARN;
  } else if (input.StreamARN !== undefined && input.ConsumerName !== undefined) {
    arn = input.StreamARN;
  } else {
    throw invalidArgument("Either ConsumerARN or both StreamARN and ConsumerName must be provided.");
  }
  const parsed = parseStreamArn(arn);
  if (!parsed) throw invalidArgument(`Invalid ARN ${arn}.`);
  const ref: StreamRef = { ...parsed, store: ctx.storeFor(parsed.accountId, parsed.region) };
  const stream = await loadStream(ref);
  for (const consumer of await listConsumers(ref, stream)) {
    if (input.ConsumerARN !== undefined ? consumer.ConsumerARN === input.ConsumerARN : consumer.ConsumerName === input.ConsumerName) {
      return { ref, stream, consumer };
    }
  }
  throw consumerNotFound(input.ConsumerARN ?? `${input.ConsumerName} under stream ${input.StreamARN}`);
}

export async function deregisterConsumer(ctx: RequestContext, input: { StreamARN?: string; ConsumerName?: string; ConsumerARN?: string }): Promise<void> {
  const { ref, stream, consumer } = await findConsumer(ctx, input);
  await ref.store.delete(keys.consumer(ref.name, stream.createdAt, consumer.ConsumerName));
  // Its subscriptions end (subscribe.ts looks again when woken).
  notifyStream(ref);
}
