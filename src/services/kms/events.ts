/**
 * KMS service events on EventBridge: "KMS CMK Rotation" and "KMS CMK Deletion" (source `aws.kms`, resources the key
 * ARN) to the account's default bus through `ctx.invoke("events", "PutEvents")` after the
 * response, as S3 sends its object events. Best effort, as AWS delivers them: an undeliverable
 * event is dropped.
 * Source: https://docs.aws.amazon.com/kms/latest/developerguide/kms-events.html
 */
import type { RequestContext } from "../types.ts";
import { loadKey, type KeyRecord } from "./keys.ts";

/** Sends "KMS CMK Rotation" for a rotation of `key` from one key material to the next. */
export function notifyRotation(ctx: RequestContext, key: KeyRecord, previousMaterialId: string, currentMaterialId: string, type: "ON_DEMAND" | "AUTOMATIC", at: number): void {
  const detail = {
    "key-id": key.keyId,
    "key-origin": key.origin,
    "rotation-type": type,
    "previous-key-material-id": previousMaterialId,
    "current-key-material-id": currentMaterialId,
  };
  const entry = { Source: "aws.kms", DetailType: "KMS CMK Rotation", Detail: JSON.stringify(detail), Resources: [key.arn], Time: new Date(at) };
  ctx.waitUntil(ctx.invoke("events", "PutEvents", { Entries: [entry] }).then(() => {}, () => {}));
}

function send(ctx: RequestContext, detailType: string, key: { arn: string }, detail: Record<string, unknown>, at: number): void {
  const entry = { Source: "aws.kms", DetailType: detailType, Detail: JSON.stringify(detail), Resources: [key.arn], Time: new Date(at) };
  ctx.waitUntil(ctx.invoke("events", "PutEvents", { Entries: [entry] }).then(() => {}, () => {}));
}

/**
 * Arms a timer at the end of a key's deletion window: it reads the key (which deletes it when
 * the window is over) and sends "KMS CMK Deletion" once, if the key was deleted. Timers live in
 * memory: after a restart the deletion still happens on the next read, without the event.
 */
export function armDeletionEvent(ctx: RequestContext, key: KeyRecord, deletionDate: number): void {
  const wait = Math.max(0, deletionDate - ctx.clock.now());
  ctx.timers.setTimer(wait, async () => {
    await loadKey(ctx.store, key.keyId, ctx.clock.now());
    const marker = await ctx.store.get(["deleted", key.keyId]);
    if (!marker.value) return;
    const result = await ctx.store.atomic().check(marker).delete(["deleted", key.keyId]).commit();
    if (result.ok) send(ctx, "KMS CMK Deletion", key, { "key-id": key.keyId }, ctx.clock.now());
  });
}
