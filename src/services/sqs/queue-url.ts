/**
 * Queue URLs and ARNs. A queue URL is `${baseUrl}/${account}/${name}`; any URL whose path ends
 * in `/<12-digit account>/<name>` finds the queue, whatever host the client used
 * (`http://localhost:4566/...`, `https://sqs.us-east-1.amazonaws.com/...`,
 * `http://sqs.us-east-1.localhost:4566/...`), and its account selects whose queue it is.
 */
import type { RequestContext } from "../types.ts";
import { queueDoesNotExist } from "./errors.ts";

export interface QueueRef {
  account: string;
  region: string;
  name: string;
}

export function queueUrl(ctx: RequestContext, ref: { account: string; name: string }): string {
  return `${ctx.baseUrl}/${ref.account}/${ref.name}`;
}

export function queueArn(ref: QueueRef): string {
  return `arn:aws:sqs:${ref.region}:${ref.account}:${ref.name}`;
}

/** The queue a QueueUrl names (region: the request's). Throws QueueDoesNotExist when it names none. */
export function parseQueueUrl(ctx: RequestContext, url: string): QueueRef {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url;
  }
  const parts = path.split("/").filter(Boolean);
  const name = parts.at(-1);
  const account = parts.at(-2);
  if (!name || !account || !/^\d{12}$/.test(account)) throw queueDoesNotExist(ctx);
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch {
    // keep as is
  }
  return { account, region: ctx.region, name: decoded };
}

/** `arn:aws:sqs:<region>:<account>:<name>` → ref, or null. */
export function parseQueueArn(arn: string): QueueRef | null {
  const m = /^arn:aws[a-z-]*:sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_.-]{1,80})$/.exec(arn);
  return m ? { region: m[1]!, account: m[2]!, name: m[3]! } : null;
}
