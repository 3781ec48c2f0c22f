/** SQS cases over awsJson1_0, as the JS SDK and boto3 send them. */
import { sigv4, type BenchCase, type BenchRequest } from "./types.ts";

const QUEUE_URL = "http://localhost:4566/000000000000/bench-q";

function json(operation: string, body: unknown): BenchRequest {
  return {
    method: "POST",
    path: "/",
    headers: {
      "content-type": "application/x-amz-json-1.0",
      "x-amz-target": `AmazonSQS.${operation}`,
      "x-amzn-query-mode": "true",
      authorization: sigv4("sqs"),
      "x-amz-date": "20261122T000000Z",
    },
    body: JSON.stringify(body),
  };
}

const createQueue = json("CreateQueue", { QueueName: "bench-q" });

export const sqsCases: BenchCase[] = [
  {
    name: "sqs.SendMessage",
    service: "sqs",
    moto: true,
    setup: [createQueue],
    request: () => json("SendMessage", { QueueUrl: QUEUE_URL, MessageBody: "hello from the bench", MessageAttributes: { a: { DataType: "String", StringValue: "v" } } }),
  },
  {
    name: "sqs.SendMessageBatch (10)",
    service: "sqs",
    moto: true,
    setup: [createQueue],
    request: () => json("SendMessageBatch", { QueueUrl: QUEUE_URL, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `message ${i}` })) }),
  },
  {
    // VisibilityTimeout 0 keeps the same messages receivable, so each call does a full receive.
    name: "sqs.ReceiveMessage (10, of a 1000-message queue)",
    service: "sqs",
    moto: true,
    setup: [createQueue, ...Array.from({ length: 100 }, () => json("SendMessageBatch", { QueueUrl: QUEUE_URL, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `e${i}`, MessageBody: `m${i}` })) }))],
    request: () => json("ReceiveMessage", { QueueUrl: QUEUE_URL, MaxNumberOfMessages: 10, VisibilityTimeout: 0, WaitTimeSeconds: 0 }),
  },
];
