/**
 * Event notifications: when an object is created or removed, the bucket's notification
 * configuration (Queue, Topic and LambdaFunction configurations, with event wildcards and
 * prefix/suffix filter rules) is matched and an S3 event message (eventVersion 2.1) is sent to
 * SQS (SendMessage), SNS (Publish) or Lambda (asynchronous Invoke) through `ctx.invoke`, after
 * the response (`ctx.waitUntil`). Delivery failures are not the writer's: they are dropped, as
 * S3 drops events it cannot deliver.
 *
 * With `EventBridgeConfiguration`, every event also goes to the default event bus (eventbridge.ts).
 *
 * Limits: the destination is called in the writer's region (fetchstack's SQS resolves a queue
 * URL in the request's region).
 *
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";
import type { BucketRecord } from "./bucket-store.ts";
import { canonicalUserId } from "./acl.ts";
import { encodeRfc3986Path } from "../../encoding/uri.ts";
import { notifyEventBridge, type NotifiedObject, type ObjectEventName } from "./eventbridge.ts";

export type { NotifiedObject, ObjectEventName };

interface FilterRule {
  Name?: string;
  Value?: string;
}

interface DestinationConfig {
  Id?: string;
  Events?: string[];
  Filter?: { Key?: { FilterRules?: FilterRule[] } };
  QueueArn?: string;
  TopicArn?: string;
  LambdaFunctionArn?: string;
}

function eventMatches(patterns: string[] | undefined, eventName: string): boolean {
  const full = `s3:${eventName}`;
  return (patterns ?? []).some((p) => p === full || (p.endsWith(":*") && full.startsWith(p.slice(0, -1))));
}

function filterMatches(config: DestinationConfig, key: string): boolean {
  for (const rule of config.Filter?.Key?.FilterRules ?? []) {
    const name = (rule.Name ?? "").toLowerCase();
    if (name === "prefix" && !key.startsWith(rule.Value ?? "")) return false;
    if (name === "suffix" && !key.endsWith(rule.Value ?? "")) return false;
  }
  return true;
}

/**
 * Keys in event messages are URL-encoded, with a space as `+` (AWS's examples decode them with
 * `unquote_plus`); otherwise as `encoding-type=url`.
 */
function eventKey(key: string): string {
  return encodeRfc3986Path(key).replace(/%20/g, "+");
}

let sequence = 0;

function nextSequencer(ctx: RequestContext): string {
  return (ctx.clock.now() * 1000 + (sequence++ % 1000)).toString(16).toUpperCase().padStart(16, "0");
}

function message(ctx: RequestContext, bucket: BucketRecord, eventName: string, object: NotifiedObject, configurationId: string, sequencer: string) {
  const obj: Record<string, unknown> = { key: eventKey(object.key) };
  if (object.size !== undefined) obj.size = object.size;
  if (object.etag) obj.eTag = object.etag.replace(/^"|"$/g, "");
  if (object.versionId && object.versionId !== "null") obj.versionId = object.versionId;
  obj.sequencer = sequencer;
  return {
    Records: [{
      eventVersion: "2.1",
      eventSource: "aws:s3",
      awsRegion: bucket.region,
      eventTime: new Date(ctx.clock.now()).toISOString(),
      eventName,
      userIdentity: { principalId: `AWS:${ctx.caller.accessKeyId ?? ctx.accountId}` },
      requestParameters: { sourceIPAddress: "127.0.0.1" },
      responseElements: { "x-amz-request-id": ctx.requestId, "x-amz-id-2": ctx.requestId },
      s3: {
        s3SchemaVersion: "1.0",
        configurationId,
        bucket: { name: bucket.name, ownerIdentity: { principalId: canonicalUserId(bucket.owner) }, arn: `arn:aws:s3:::${bucket.name}` },
        object: obj,
      },
    }],
  };
}

async function deliver(ctx: RequestContext, config: DestinationConfig, body: string): Promise<void> {
  if (config.QueueArn) {
    const m = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:(\d{12}):(.+)$/.exec(config.QueueArn);
    if (m) await ctx.invoke("sqs", "SendMessage", { QueueUrl: `${ctx.baseUrl}/${m[1]}/${m[2]}`, MessageBody: body });
  } else if (config.TopicArn) {
    await ctx.invoke("sns", "Publish", { TopicArn: config.TopicArn, Message: body, Subject: "Amazon S3 Notification" });
  } else if (config.LambdaFunctionArn) {
    await ctx.invoke("lambda", "Invoke", { FunctionName: config.LambdaFunctionArn, InvocationType: "Event", Payload: new TextEncoder().encode(body) });
  }
}

/**
 * Sends `eventName` (e.g. `ObjectCreated:Put`) for `object` to every matching destination. The
 * handler that changed the object names the event; storage sends none.
 */
export function notify(ctx: RequestContext, bucket: BucketRecord, eventName: ObjectEventName, object: NotifiedObject): void {
  const n = bucket.config.notification as Record<string, DestinationConfig[] | undefined> | undefined;
  if (!n) return;
  const sequencer = nextSequencer(ctx);
  if (n.EventBridgeConfiguration) notifyEventBridge(ctx, bucket, eventName, object, sequencer);
  const configs = [...(n.QueueConfigurations ?? []), ...(n.TopicConfigurations ?? []), ...(n.LambdaFunctionConfigurations ?? [])];
  for (const config of configs) {
    if (!eventMatches(config.Events, eventName) || !filterMatches(config, object.key)) continue;
    const body = JSON.stringify(message(ctx, bucket, eventName, object, config.Id ?? "", sequencer));
    ctx.waitUntil(deliver(ctx, config, body).catch(() => {}));
  }
}

/**
 * What PutBucketNotificationConfiguration does with a new configuration: each destination gets
 * an `s3:TestEvent` (queues) and must exist, else `InvalidArgument` "Unable to validate the
 * following destination configurations", unless `x-amz-skip-destination-validation: true`.
 */
export async function validateDestinations(ctx: RequestContext, bucket: string, configs: DestinationConfig[], skip: boolean): Promise<void> {
  if (skip) return;
  const failed: string[] = [];
  const seen = new Set<string>();
  for (const config of configs) {
    const arn = config.QueueArn ?? config.TopicArn ?? config.LambdaFunctionArn ?? "";
    if (seen.has(arn)) continue;
    seen.add(arn);
    try {
      if (config.QueueArn) {
        const test = { Service: "Amazon S3", Event: "s3:TestEvent", Time: new Date(ctx.clock.now()).toISOString(), Bucket: bucket, RequestId: ctx.requestId, HostId: ctx.requestId };
        await deliver(ctx, config, JSON.stringify(test));
      } else if (config.TopicArn) {
        await ctx.invoke("sns", "GetTopicAttributes", { TopicArn: config.TopicArn });
      } else if (config.LambdaFunctionArn) {
        await ctx.invoke("lambda", "GetFunction", { FunctionName: config.LambdaFunctionArn });
      }
    } catch {
      failed.push(config.QueueArn ?? config.TopicArn ?? config.LambdaFunctionArn ?? "");
    }
  }
  if (failed.length) {
    const fields: Record<string, string> = {};
    failed.forEach((arn, i) => {
      fields[`ArgumentName${i + 1}`] = arn;
      fields[`ArgumentValue${i + 1}`] = "Permissions on the destination resource are not sufficient or the destination does not exist";
    });
    throw new AwsError("InvalidArgument", "Unable to validate the following destination configurations", 400, { fields });
  }
}

/**
 * The event of a delete that removed something (`removed`): `ObjectRemoved:DeleteMarkerCreated`
 * when a delete without a version id left a marker, else `ObjectRemoved:Delete`.
 */
export function notifyRemoved(ctx: RequestContext, bucket: BucketRecord, key: string, result: { removed: boolean; markerCreated: boolean; versionId?: string }): void {
  if (!result.removed) return;
  notify(ctx, bucket, result.markerCreated ? "ObjectRemoved:DeleteMarkerCreated" : "ObjectRemoved:Delete", { key, versionId: result.versionId });
}
