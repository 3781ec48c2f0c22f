/**
 * Parameter Store events on EventBridge: every parameter creation, update, deletion and label
 * change goes to the account's default event bus as AWS's `Parameter Store Change` event
 * (source `aws.ssm`, resources the parameter ARN, detail `operation` Create / Update / Delete /
 * LabelParameterVersion with `name`, `type` and `description`), through
 * `ctx.invoke("events", "PutEvents")` after the response, as S3 sends its events. Undeliverable
 * events are dropped.
 *
 * Source: https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-systems-manager-event-examples.html
 * (Parameter Store Change), https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-cwe.html
 */
import type { RequestContext } from "../types.ts";
import { parameterArn } from "./parameters.ts";

export type ParameterOperation = "Create" | "Update" | "Delete" | "LabelParameterVersion";

/** The PutEvents entry for one parameter change. */
export function parameterChangeEntry(ctx: RequestContext, operation: ParameterOperation, name: string, type: string, description?: string) {
  return {
    Source: "aws.ssm",
    DetailType: "Parameter Store Change",
    Detail: JSON.stringify({ operation, name, type, ...(description !== undefined ? { description } : {}) }),
    Resources: [parameterArn(ctx, name)],
    Time: new Date(ctx.clock.now()),
  };
}

/** Sends the change to the default bus once the request is done (failures dropped). */
export function notifyParameterChange(ctx: RequestContext, operation: ParameterOperation, name: string, type: string, description?: string): void {
  const entry = parameterChangeEntry(ctx, operation, name, type, description);
  ctx.waitUntil(ctx.invoke("events", "PutEvents", { Entries: [entry] }).then(() => {}, () => {}));
}
