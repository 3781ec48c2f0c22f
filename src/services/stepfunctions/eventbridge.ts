/**
 * Step Functions events on EventBridge: every status change of a Standard workflow execution
 * (RUNNING when it starts or is redriven, then SUCCEEDED, FAILED, TIMED_OUT or ABORTED) goes to
 * the account's default event bus as AWS's "Step Functions Execution Status Change" event
 * (source `aws.states`, resources the execution ARN), through `ctx.invoke("events", "PutEvents")`
 * as tracked background work. Express workflows emit none, as on AWS. Delivery is best effort:
 * an event the bus refuses (or EventBridge not enabled) is dropped.
 *
 * Source: https://docs.aws.amazon.com/step-functions/latest/dg/cw-events.html,
 * https://docs.aws.amazon.com/eventbridge/latest/ref/events-ref-states.html
 */
import type { RequestContext } from "../types.ts";
import type { StoredExecution } from "./common.ts";

/** Above this many bytes of escaped input plus output, input is left out (then output above it alone). */
const PAYLOAD_LIMIT = 248 * 1024;

const bytes = (s: string | undefined) => (s === undefined ? 0 : new TextEncoder().encode(JSON.stringify(s)).length);

/** The event's `detail` for an execution as it is now. */
export function statusChangeDetail(e: StoredExecution): Record<string, unknown> {
  const closed = e.status !== "RUNNING";
  const output = e.status === "SUCCEEDED" ? e.output : undefined;
  const outputIncluded = output !== undefined && bytes(output) <= PAYLOAD_LIMIT;
  const inputIncluded = bytes(e.input) + (outputIncluded ? bytes(output) : 0) <= PAYLOAD_LIMIT;
  const redrivable = closed && e.status !== "SUCCEEDED";
  return {
    executionArn: e.arn,
    stateMachineArn: e.versionArn ?? e.machineArn,
    name: e.name,
    status: e.status,
    startDate: e.startDate,
    stopDate: closed ? e.stopDate ?? null : null,
    input: inputIncluded ? e.input : null,
    output: outputIncluded ? output : null,
    inputDetails: { included: inputIncluded },
    outputDetails: output !== undefined ? { included: outputIncluded } : null,
    error: e.error ?? null,
    cause: e.cause ?? null,
    redriveCount: e.redriveCount,
    redriveDate: e.redriveDate ?? null,
    redriveStatus: redrivable ? "REDRIVABLE" : "NOT_REDRIVABLE",
    ...(redrivable ? {} : { redriveStatusReason: `Execution is ${e.status} and cannot be redriven` }),
  };
}

/** Sends the execution's current status to the default bus (Standard workflows only). */
export function emitStatusChange(ctx: RequestContext, e: StoredExecution): void {
  if (e.type !== "STANDARD") return;
  const entry = {
    Source: "aws.states",
    DetailType: "Step Functions Execution Status Change",
    Detail: JSON.stringify(statusChangeDetail(e)),
    Resources: [e.arn],
    Time: new Date(e.status === "RUNNING" ? e.redriveDate ?? e.startDate : e.stopDate ?? ctx.clock.now()),
  };
  ctx.waitUntil(ctx.invoke("events", "PutEvents", { Entries: [entry] }).then(() => {}, () => {}));
}
