/**
 * S3 events on EventBridge: with `EventBridgeConfiguration` in the bucket's notification
 * configuration, every object creation and deletion goes to the account's default event bus as
 * AWS's `Object Created` / `Object Deleted` events (source `aws.s3`, resources the bucket ARN),
 * through `ctx.invoke("events", "PutEvents")` after the response. Undeliverable events are dropped,
 * as for the other destinations.
 *
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/userguide/ev-events.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html
 */
import type { RequestContext } from "../types.ts";
import type { BucketRecord } from "./bucket-store.ts";
export interface NotifiedObject {
  key: string;
  size?: number;
  etag?: string;
  versionId?: string;
}

/** The event names the handlers send (without the `s3:` prefix). */
export type ObjectEventName =
  | "ObjectCreated:Put"
  | "ObjectCreated:Post"
  | "ObjectCreated:Copy"
  | "ObjectCreated:CompleteMultipartUpload"
  | "ObjectRemoved:Delete"
  | "ObjectRemoved:DeleteMarkerCreated";

const REASONS: Record<ObjectEventName, string> = {
  "ObjectCreated:Put": "PutObject",
  "ObjectCreated:Post": "POST Object",
  "ObjectCreated:Copy": "CopyObject",
  "ObjectCreated:CompleteMultipartUpload": "CompleteMultipartUpload",
  "ObjectRemoved:Delete": "DeleteObject",
  "ObjectRemoved:DeleteMarkerCreated": "DeleteObject",
};

/** The PutEvents entry S3 sends for one object event. */
export function eventBridgeEntry(ctx: RequestContext, bucket: BucketRecord, eventName: ObjectEventName, object: NotifiedObject, sequencer: string) {
  const created = eventName.startsWith("ObjectCreated:");
  const obj: Record<string, unknown> = { key: object.key };
  if (created) {
    obj.size = object.size ?? 0;
    if (object.etag) obj.etag = object.etag.replace(/^"|"$/g, "");
  }
  if (object.versionId && object.versionId !== "null") obj["version-id"] = object.versionId;
  obj.sequencer = sequencer;
  const detail: Record<string, unknown> = {
    version: "0",
    bucket: { name: bucket.name },
    object: obj,
    "request-id": ctx.requestId,
    requester: ctx.accountId,
    "source-ip-address": "127.0.0.1",
    reason: REASONS[eventName],
  };
  if (!created) detail["deletion-type"] = eventName === "ObjectRemoved:DeleteMarkerCreated" ? "Delete Marker Created" : "Permanently Deleted";
  return {
    Source: "aws.s3",
    DetailType: created ? "Object Created" : "Object Deleted",
    Detail: JSON.stringify(detail),
    Resources: [`arn:aws:s3:::${bucket.name}`],
    Time: new Date(ctx.clock.now()),
  };
}

/** Sends the event to the default bus when the bucket has EventBridge notifications on. */
export function notifyEventBridge(ctx: RequestContext, bucket: BucketRecord, eventName: ObjectEventName, object: NotifiedObject, sequencer: string): void {
  const entry = eventBridgeEntry(ctx, bucket, eventName, object, sequencer);
  ctx.waitUntil(ctx.invoke("events", "PutEvents", { Entries: [entry] }).then(() => {}, () => {}));
}
