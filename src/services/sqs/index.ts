/**
 * Amazon SQS: standard and FIFO queues with AWS's delivery semantics, on awsJson1_0 (current
 * SDKs) and awsQuery (AWS CLI v2 2.9, older SDKs), with identical behaviour and error codes.
 * Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_Operations.html
 *
 * State: docs/sqs-storage.md. Time: every visibility, delay, retention and deduplication rule
 * is computed from stored timestamps and `ctx.clock`.
 */
import { AwsError } from "../../protocol/errors.ts";
import type { ServiceModel } from "../../protocol/model.ts";
import type { ValidationFailure } from "../../protocol/validate.ts";
import model from "../../../models/sqs.json" with { type: "json" };
import { defineService, type RequestContext } from "../types.ts";
import type { Operations } from "../../generated/sqs.ts";
import { invalidAttributeName, invalidParameterValue, missingParameter } from "./errors.ts";
import { sendMessage, sendMessageBatch } from "./messages.ts";
import { cancelMessageMoveTask, listMessageMoveTasks, startMessageMoveTask } from "./move-tasks.ts";
import { addPermission, removePermission } from "./permissions.ts";
import { parseQueueUrl } from "./queue-url.ts";
import { peekMessages } from "./peek.ts";
import {
  createQueue, deleteQueue, getQueueAttributes, getQueueUrl, listDeadLetterSourceQueues, listQueues, listQueueTags, purgeQueue,
  setQueueAttributes, tagQueue, untagQueue,
} from "./queues.ts";
import { changeMessageVisibility, changeMessageVisibilityBatch, deleteMessage, deleteMessageBatch, receiveMessage } from "./receive.ts";
import { sqsAuthorization } from "./authorization.ts";

/**
 * ReceiveMessage's deprecated AttributeNames still takes message system attribute names
 * (ApproximateReceiveCount, SentTimestamp...) on AWS, though the model types it with the queue
 * attribute enum; validation here accepts both sets.
 */
function withReceiveAttributeNames(base: ServiceModel): ServiceModel {
  const shapes = base.shapes;
  const request = shapes.ReceiveMessageRequest!;
  const names = [...new Set([...(shapes.QueueAttributeName!.enum ?? []), ...(shapes.MessageSystemAttributeName!.enum ?? [])])];
  return {
    ...base,
    shapes: {
      ...shapes,
      ReceiveAttributeName: { ...shapes.QueueAttributeName!, enum: names },
      ReceiveAttributeNameList: { ...shapes.AttributeNameList!, member: { ...shapes.AttributeNameList!.member!, shape: "ReceiveAttributeName" } },
      ReceiveMessageRequest: {
        ...request,
        members: { ...request.members, AttributeNames: { ...request.members!.AttributeNames!, shape: "ReceiveAttributeNameList" } },
      },
    },
  };
}

const upper = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * SQS answers model-validation failures with its own codes: a missing member is
 * MissingParameter, an unknown attribute name InvalidAttributeName, anything else
 * InvalidParameterValue.
 */
function validationError(failures: ValidationFailure[]): AwsError {
  const f = failures[0]!;
  const parts = f.path.split(".");
  const member = upper(parts.filter((p) => p !== "member" && !/^\d+$/.test(p)).at(-1) ?? f.path);
  if (f.constraint === "Member must not be null") return missingParameter(member);
  const value = f.value.replace(/^'(.*)'$/s, "$1");
  if (f.constraint.startsWith("Member must satisfy enum value set") && /ttributeNames$/.test(member)) return invalidAttributeName(value);
  return invalidParameterValue(`Value ${value} for parameter ${member} is invalid. Reason: ${f.constraint}.`);
}

const q = (ctx: RequestContext, input: { QueueUrl: string }) => parseQueueUrl(ctx, input.QueueUrl);

export default defineService<Operations>({
  name: "sqs",
  authorization: sqsAuthorization,
  model: withReceiveAttributeNames(model as unknown as ServiceModel),
  validationError,
  introspection: {
    /** Messages as stored, without receiving them: `?queue=NAME&limit=N` (src/services/sqs/peek.ts). */
    messages: (store, params) => peekMessages(store, params),
  },
  handlers: {
    CreateQueue: (input, ctx) => createQueue(ctx, input),
    DeleteQueue: async (input, ctx) => {
      await deleteQueue(ctx, q(ctx, input));
      return {};
    },
    GetQueueUrl: (input, ctx) => getQueueUrl(ctx, input),
    ListQueues: (input, ctx) => listQueues(ctx, input),
    GetQueueAttributes: (input, ctx) => getQueueAttributes(ctx, q(ctx, input), input.AttributeNames),
    SetQueueAttributes: async (input, ctx) => {
      await setQueueAttributes(ctx, q(ctx, input), input.Attributes ?? {});
      return {};
    },
    PurgeQueue: async (input, ctx) => {
      await purgeQueue(ctx, q(ctx, input));
      return {};
    },
    TagQueue: async (input, ctx) => {
      await tagQueue(ctx, q(ctx, input), input.Tags ?? {});
      return {};
    },
    UntagQueue: async (input, ctx) => {
      await untagQueue(ctx, q(ctx, input), input.TagKeys ?? []);
      return {};
    },
    ListQueueTags: (input, ctx) => listQueueTags(ctx, q(ctx, input)),
    AddPermission: async (input, ctx) => {
      await addPermission(ctx, q(ctx, input), input);
      return {};
    },
    RemovePermission: async (input, ctx) => {
      await removePermission(ctx, q(ctx, input), input.Label);
      return {};
    },

    SendMessage: (input, ctx) => sendMessage(ctx, q(ctx, input), input),
    SendMessageBatch: (input, ctx) => sendMessageBatch(ctx, q(ctx, input), input.Entries),
    ReceiveMessage: (input, ctx) => receiveMessage(ctx, q(ctx, input), input),
    DeleteMessage: async (input, ctx) => {
      await deleteMessage(ctx, q(ctx, input), input.ReceiptHandle);
      return {};
    },
    DeleteMessageBatch: (input, ctx) => deleteMessageBatch(ctx, q(ctx, input), input.Entries),
    ChangeMessageVisibility: async (input, ctx) => {
      await changeMessageVisibility(ctx, q(ctx, input), input.ReceiptHandle, input.VisibilityTimeout);
      return {};
    },
    ChangeMessageVisibilityBatch: (input, ctx) => changeMessageVisibilityBatch(ctx, q(ctx, input), input.Entries),

    ListDeadLetterSourceQueues: (input, ctx) => listDeadLetterSourceQueues(ctx, q(ctx, input), input),
    StartMessageMoveTask: (input, ctx) => startMessageMoveTask(ctx, input),
    CancelMessageMoveTask: (input, ctx) => cancelMessageMoveTask(ctx, input.TaskHandle),
    ListMessageMoveTasks: (input, ctx) => listMessageMoveTasks(ctx, input),
  },
});
