/**
 * Invoking a schedule's target through `ctx.invoke`: templated targets (SQS, SNS, Lambda,
 * Step Functions, EventBridge PutEvents, Kinesis, Firehose) and universal targets
 * (`arn:aws:scheduler:::aws-sdk:<service>:<apiAction>`, the Input being the API's request JSON),
 * with the retry policy and the dead-letter queue.
 * Sources: https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html,
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-universal.html,
 * https://docs.aws.amazon.com/scheduler/latest/UserGuide/configuring-schedule-dlq.html
 *
 * Input may use the context attributes `<aws.scheduler.schedule-arn>`,
 * `<aws.scheduler.scheduled-time>`, `<aws.scheduler.execution-id>` and
 * `<aws.scheduler.attempt-number>`. 5xx (but 501) and throttling errors are retried with
 * exponential backoff on emulator time within RetryPolicy (defaults 185 attempts, 86,400 s);
 * other errors (a missing resource, a service fetchstack does not serve) are final.
 */
import type { RequestContext } from "../types.ts";
import { isAwsError } from "../../protocol/errors.ts";

export interface ScheduleTarget {
  Arn: string;
  RoleArn: string;
  Input?: string;
  DeadLetterConfig?: { Arn?: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  SqsParameters?: { MessageGroupId?: string };
  KinesisParameters?: { PartitionKey: string };
  EventBridgeParameters?: { DetailType: string; Source: string };
  [other: string]: unknown;
}

/** SDK service names in universal target ARNs → fetchstack service names. */
const SDK_SERVICES: Record<string, string> = {
  sqs: "sqs", sns: "sns", lambda: "lambda", dynamodb: "dynamodb", s3: "s3", firehose: "firehose", kinesis: "kinesis",
  sfn: "stepfunctions", cloudwatchlogs: "logs", eventbridge: "events", scheduler: "scheduler", secretsmanager: "secretsmanager",
  ssm: "ssm", kms: "kms", iam: "iam", sts: "sts", cloudwatch: "cloudwatch", memorydb: "memorydb", dynamodbstreams: "dynamodbstreams",
};

/** How long invocation records are kept (ms of emulator time). */
const RECORD_TTL_MS = 3_600_000;
const THROTTLING = new Set(["ThrottlingException", "TooManyRequestsException", "ProvisionedThroughputExceededException", "RequestLimitExceeded", "Throttling"]);

class TargetError extends Error {
  constructor(readonly code: string, message: string, readonly retryable: boolean) {
    super(message);
  }
}

function classify(error: unknown): TargetError {
  if (error instanceof TargetError) return error;
  if (isAwsError(error)) return new TargetError(error.code, error.message, THROTTLING.has(error.code) || (error.status >= 500 && error.status !== 501));
  return new TargetError("InternalServerException", error instanceof Error ? error.message : String(error), false);
}

export interface Invocation {
  scheduleArn: string;
  scheduledTime: number;
  executionId: string;
}

function render(input: string | undefined, inv: Invocation, attempt: number): string {
  if (input === undefined) return "{}";
  return input
    .replaceAll("<aws.scheduler.schedule-arn>", inv.scheduleArn)
    .replaceAll("<aws.scheduler.scheduled-time>", new Date(inv.scheduledTime).toISOString().replace(".000Z", "Z"))
    .replaceAll("<aws.scheduler.execution-id>", inv.executionId)
    .replaceAll("<aws.scheduler.attempt-number>", String(attempt));
}

function queueUrl(ctx: RequestContext, arn: string): string | null {
  const m = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:(\d{12}):(.+)$/.exec(arn);
  return m ? `${ctx.baseUrl}/${m[1]}/${m[2]}` : null;
}

async function send(ctx: RequestContext, target: ScheduleTarget, input: string, inv: Invocation): Promise<void> {
  const universal = /^arn:aws[a-z-]*:scheduler:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(target.Arn);
  if (universal) {
    const service = SDK_SERVICES[universal[1]!];
    if (!service) throw new TargetError("ValidationException", `Service ${universal[1]} is not supported by fetchstack's universal target.`, false);
    const operation = universal[2]![0]!.toUpperCase() + universal[2]!.slice(1);
    let request: unknown;
    try {
      request = JSON.parse(input);
    } catch {
      throw new TargetError("ValidationException", "The Input of a universal target must be a JSON object.", false);
    }
    await ctx.invoke(service, operation, (request ?? {}) as Record<string, unknown>);
    return;
  }
  const [, , service = "", , , ...rest] = target.Arn.split(":");
  const resource = rest.join(":");
  const bytes = new TextEncoder().encode(input);
  switch (service) {
    case "sqs": {
      const fifo = resource.endsWith(".fifo");
      await ctx.invoke("sqs", "SendMessage", {
        QueueUrl: queueUrl(ctx, target.Arn),
        MessageBody: input,
        ...(fifo ? { MessageGroupId: target.SqsParameters?.MessageGroupId, MessageDeduplicationId: inv.executionId } : {}),
      });
      return;
    }
    case "sns":
      await ctx.invoke("sns", "Publish", { TopicArn: target.Arn, Message: input });
      return;
    case "lambda":
      await ctx.invoke("lambda", "Invoke", { FunctionName: target.Arn, InvocationType: "Event", Payload: bytes });
      return;
    case "states":
      await ctx.invoke("stepfunctions", "StartExecution", { stateMachineArn: target.Arn, input });
      return;
    case "events":
      if (resource.startsWith("event-bus/")) {
        const out = await ctx.invoke("events", "PutEvents", { Entries: [{
          EventBusName: target.Arn, Source: target.EventBridgeParameters?.Source, DetailType: target.EventBridgeParameters?.DetailType, Detail: input,
        }] }) as { Entries?: { ErrorCode?: string; ErrorMessage?: string }[] };
        const failed = out.Entries?.[0];
        if (failed?.ErrorCode) throw new TargetError(failed.ErrorCode, failed.ErrorMessage ?? failed.ErrorCode, false);
        return;
      }
      break;
    case "kinesis":
      await ctx.invoke("kinesis", "PutRecord", { StreamName: resource.replace(/^stream\//, ""), Data: bytes, PartitionKey: target.KinesisParameters?.PartitionKey ?? inv.executionId });
      return;
    case "firehose":
      await ctx.invoke("firehose", "PutRecord", { DeliveryStreamName: resource.replace(/^deliverystream\//, ""), Record: { Data: bytes } });
      return;
  }
  throw new TargetError("ValidationException", `Target ${target.Arn} is not a target type fetchstack invokes.`, false);
}

/** One invocation's outcome, as the `invocations` introspection view lists it. */
export interface InvocationRecord {
  at: number;
  scheduleArn: string;
  scheduledTime: number;
  executionId: string;
  targetArn: string;
  status: "delivered" | "failed" | "dead-lettered";
  attempts: number;
  errorCode?: string;
  errorMessage?: string;
}

/** Invokes the target with retries and the DLQ; records the outcome; never throws. */
export async function invokeTarget(ctx: RequestContext, target: ScheduleTarget, inv: Invocation): Promise<void> {
  const started = ctx.clock.now();
  const maxAttempts = 1 + (target.RetryPolicy?.MaximumRetryAttempts ?? 185);
  const maxAgeMs = (target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400) * 1000;
  let attempts = 0;
  let failure: TargetError | undefined;
  let input = "";
  for (;;) {
    attempts++;
    input = render(target.Input, inv, attempts);
    try {
      await send(ctx, target, input, inv);
      failure = undefined;
      break;
    } catch (error) {
      failure = classify(error);
    }
    if (!failure.retryable || attempts >= maxAttempts) break;
    const backoff = Math.min(1000 * 2 ** (attempts - 1), 300_000);
    if (ctx.clock.now() + backoff - started > maxAgeMs) break;
    await ctx.timers.sleep(backoff, { background: true });
  }
  let status: InvocationRecord["status"] = failure ? "failed" : "delivered";
  const dlq = target.DeadLetterConfig?.Arn;
  if (failure && dlq) {
    const url = queueUrl(ctx, dlq);
    try {
      if (!url) throw new Error("not an SQS queue");
      const attr = (value: string) => ({ DataType: "String", StringValue: value });
      await ctx.invoke("sqs", "SendMessage", {
        QueueUrl: url,
        MessageBody: input,
        MessageAttributes: {
          ERROR_CODE: attr(failure.code),
          ERROR_MESSAGE: attr(failure.message.slice(0, 1000) || failure.code),
          EXECUTION_ID: attr(inv.executionId),
          RETRY_ATTEMPTS: { DataType: "Number", StringValue: String(attempts - 1) },
          SCHEDULE_ARN: attr(inv.scheduleArn),
          TARGET_ARN: attr(target.Arn),
          INVOCATION_TIME: attr(new Date(inv.scheduledTime).toISOString()),
        },
      });
      status = "dead-lettered";
    } catch {
      // A missing DLQ drops the invocation, as on AWS; the record says so.
    }
  }
  const record: InvocationRecord = {
    at: ctx.clock.now(), scheduleArn: inv.scheduleArn, scheduledTime: inv.scheduledTime, executionId: inv.executionId,
    targetArn: target.Arn, status, attempts, ...(failure ? { errorCode: failure.code, errorMessage: failure.message } : {}),
  };
  await ctx.store.set(["invocation", record.at, crypto.randomUUID()], record);
  // The record is introspection, not state: keep one hour of emulator time so it cannot grow without bound.
  for await (const old of ctx.store.list({ start: ["invocation"], end: ["invocation", record.at - RECORD_TTL_MS] })) await ctx.store.delete(old.key);
}
