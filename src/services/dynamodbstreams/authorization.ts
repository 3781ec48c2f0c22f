/**
 * DynamoDB Streams' IAM actions and resources, for `enforceIam`: `dynamodb:DescribeStream`,
 * `dynamodb:GetShardIterator` and `dynamodb:GetRecords` on the stream ARN
 * (`arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>`; GetRecords reads it from
 * the shard iterator, which begins with it), `dynamodb:ListStreams` on `*`.
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazondynamodb.html
 */
import type { AuthorizationMap } from "../../policy/authorization.ts";

export const dynamodbStreamsAuthorization: AuthorizationMap = {
  prefix: "dynamodb",
  resource: "{StreamArn}",
  operations: {
    ListStreams: { resource: "*" },
    GetRecords: {
      resource: (input) => {
        const iterator = typeof input.ShardIterator === "string" ? input.ShardIterator : "";
        const end = iterator.indexOf("|");
        return end > 0 && iterator.startsWith("arn:") ? iterator.slice(0, end) : undefined;
      },
    },
  },
};
