/** SNS cases over awsQuery, as boto3 and the AWS CLI send them. */
import { sigv4, type BenchCase, type BenchRequest } from "./types.ts";

const TOPIC_ARN = "arn:aws:sns:us-east-1:000000000000:bench-topic";
const QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:bench-sns-q";

function query(params: Record<string, string>): BenchRequest {
  return {
    method: "POST",
    path: "/",
    headers: { "content-type": "application/x-www-form-urlencoded; charset=utf-8", authorization: sigv4("sns"), "x-amz-date": "20261122T000000Z" },
    body: new URLSearchParams({ ...params, Version: "2010-03-31" }).toString(),
  };
}

const createQueue: BenchRequest = {
  method: "POST",
  path: "/",
  headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.CreateQueue", authorization: sigv4("sqs"), "x-amz-date": "20261122T000000Z" },
  body: JSON.stringify({ QueueName: "bench-sns-q" }),
};

export const snsCases: BenchCase[] = [
  {
    // Publish returns before delivery; each publish also sends one SQS message (the envelope).
    name: "sns.Publish (1 SQS subscription)",
    service: "sns",
    moto: true,
    setup: [
      createQueue,
      query({ Action: "CreateTopic", Name: "bench-topic" }),
      query({ Action: "Subscribe", TopicArn: TOPIC_ARN, Protocol: "sqs", Endpoint: QUEUE_ARN }),
    ],
    request: () => query({ Action: "Publish", TopicArn: TOPIC_ARN, Message: "hello from the bench", "MessageAttributes.entry.1.Name": "a", "MessageAttributes.entry.1.Value.DataType": "String", "MessageAttributes.entry.1.Value.StringValue": "v" }),
  },
];
