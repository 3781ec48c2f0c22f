/**
 * KMS service events on EventBridge sent at once: "KMS CMK Rotation" for an on-demand rotation
 * (source `aws.kms`, resources the key ARN) to the account's default bus through
 * `ctx.invoke("events", "PutEvents")` after the response, as S3 sends its object events. Best
 * effort, as AWS delivers them: an undeliverable event is dropped. The clock's events
 * (automatic rotation, imported material expiration, deletion) are sent by timers.ts.
 * Source: https://docs.aws.amazon.com/kms/latest/developerguide/kms-events.html
 */
import type { RequestContext } from "../types.ts";
import type { KeyRecord } from "./keys.ts";

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
