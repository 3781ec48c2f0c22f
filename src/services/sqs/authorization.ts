/**
 * SQS's IAM actions and resources per operation (every action is `sqs:<Operation>` on the
 * queue's ARN), and queue policies (the `Policy` attribute) as resource-based policies, for
 * `enforceIam`. https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonsqs.html
 */
import type { AuthorizationMap, Input } from "../../policy/authorization.ts";
import type { QueueRecord } from "./storage.ts";
import { parseQueueArn } from "./queue-url.ts";

/** A queue URL (`.../<account>/<name>`) as the queue's ARN in `region`; undefined when it is not one. */
function queueArnOf(input: Input, env: { region: string }): string | undefined {
  const url = String(input.QueueUrl ?? "");
  const parts = url.replace(/^[a-z]+:\/\/[^/]*/i, "").split("/").filter(Boolean);
  const name = parts.at(-1);
  const account = parts.at(-2);
  if (!name || !account || !/^\d{12}$/.test(account)) return undefined;
  let decoded = name;
  try {
    decoded = decodeURIComponent(name);
  } catch { /* as sent */ }
  return `arn:aws:sqs:${env.region}:${account}:${decoded}`;
}

export const sqsAuthorization: AuthorizationMap = {
  prefix: "sqs",
  resource: queueArnOf,
  denial: { code: "AccessDenied", status: 403, queryCode: "AccessDenied", lowerCaseAction: true },
  operations: {
    CreateQueue: { resource: "arn:{partition}:sqs:{region}:{account}:{QueueName}", tags: "tags" },
    ListQueues: { resource: "*" },
    GetQueueUrl: { resource: (input, env) => `arn:aws:sqs:${env.region}:${input.QueueOwnerAWSAccountId ?? env.account}:${input.QueueName}` },
    ListDeadLetterSourceQueues: {},
    SendMessageBatch: { action: "SendMessage" },
    DeleteMessageBatch: { action: "DeleteMessage" },
    ChangeMessageVisibilityBatch: { action: "ChangeMessageVisibility" },
    TagQueue: { tags: "Tags" },
    StartMessageMoveTask: { resource: (input) => input.SourceArn },
    ListMessageMoveTasks: { resource: (input) => input.SourceArn },
    CancelMessageMoveTask: { resource: "*" },
  },
  async resourcePolicy(arn, env) {
    const ref = parseQueueArn(arn);
    if (!ref) return null;
    const queue = (await env.storeFor(ref.account, ref.region).get<QueueRecord>(["q", ref.name])).value;
    if (!queue) return null;
    return { policy: queue.attributes.Policy || undefined, source: `queue policy of ${arn}`, account: ref.account, tags: queue.tags };
  },
};
