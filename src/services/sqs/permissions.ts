/**
 * AddPermission / RemovePermission: statements in the queue's `Policy` attribute (stored, not
 * enforced).
 * Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_AddPermission.html
 */
import { withLock } from "../../store/mutex.ts";
import type { RequestContext } from "../types.ts";
import { invalidParameter } from "./errors.ts";
import { queueArn, type QueueRef } from "./queue-url.ts";
import { requireQueue } from "./queues.ts";
import { keys, lockName, store } from "./storage.ts";

const ACTIONS = new Set([
  "*", "SendMessage", "ReceiveMessage", "DeleteMessage", "ChangeMessageVisibility", "GetQueueAttributes", "GetQueueUrl",
  "ListDeadLetterSourceQueues", "PurgeQueue", "ListQueueTags", "ListMessageMoveTasks", "StartMessageMoveTask", "CancelMessageMoveTask",
  "SendMessageBatch", "DeleteMessageBatch", "ChangeMessageVisibilityBatch",
]);

interface Policy {
  Version: string;
  Id: string;
  Statement: Record<string, unknown>[];
}

const one = <T>(items: T[]): T | T[] => (items.length === 1 ? items[0]! : items);

export async function addPermission(ctx: RequestContext, ref: QueueRef, input: { Label: string; AWSAccountIds: string[]; Actions: string[] }) {
  if (!/^[A-Za-z0-9_-]{1,80}$/.test(input.Label)) throw invalidParameter("Label", input.Label, "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length");
  if (input.AWSAccountIds.length === 0) throw invalidParameter("AWSAccountIds", "[]", "The request must contain at least one AWS account ID.");
  for (const action of input.Actions) {
    if (!ACTIONS.has(action)) throw invalidParameter("ActionName", action, "Please refer to the appropriate WSDL for a list of valid actions.");
  }
  await withLock(lockName(ref), async () => {
    const queue = await requireQueue(ctx, ref);
    const arn = queueArn(queue);
    const policy: Policy = queue.attributes.Policy ? JSON.parse(queue.attributes.Policy) : { Version: "2008-10-17", Id: `${arn}/SQSDefaultPolicy`, Statement: [] };
    const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
    if (statements.some((st) => st.Sid === input.Label)) throw invalidParameter("Label", input.Label, "Already exists.");
    statements.push({
      Sid: input.Label,
      Effect: "Allow",
      Principal: { AWS: one(input.AWSAccountIds.map((a) => `arn:aws:iam::${a}:root`)) },
      Action: one(input.Actions.map((a) => `SQS:${a}`)),
      Resource: arn,
    });
    const attributes = { ...queue.attributes, Policy: JSON.stringify({ ...policy, Statement: statements }) };
    await store(ctx, ref).set(keys.queue(ref), { ...queue, attributes });
  });
}

export async function removePermission(ctx: RequestContext, ref: QueueRef, label: string) {
  await withLock(lockName(ref), async () => {
    const queue = await requireQueue(ctx, ref);
    const policy: Policy | undefined = queue.attributes.Policy ? JSON.parse(queue.attributes.Policy) : undefined;
    const statements = policy ? (Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement]) : [];
    if (!statements.some((st) => st.Sid === label)) throw invalidParameter("Label", label, "can't find label.");
    const rest = statements.filter((st) => st.Sid !== label);
    const attributes = { ...queue.attributes };
    if (rest.length) attributes.Policy = JSON.stringify({ ...policy, Statement: rest });
    else delete attributes.Policy;
    await store(ctx, ref).set(keys.queue(ref), { ...queue, attributes });
  });
}
