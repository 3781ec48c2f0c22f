/**
 * Amazon DynamoDB Streams over awsJson 1.0: ListStreams, DescribeStream, GetShardIterator,
 * GetRecords. Source: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB_Streams.html
 *
 * The records are written by the `dynamodb` service in the same atomic commit as each item
 * change; this service reads them from DynamoDB's namespace (`storeNamespace`), in the format
 * of src/shared/dynamodb-streams.ts. Design and limits: docs/dynamodb-streams.md.
 */
import { defineService } from "../types.ts";
import { dynamodbStreamsAuthorization } from "./authorization.ts";
import model from "../../../models/dynamodbstreams.json" with { type: "json" };
import type { ServiceModel } from "../../protocol/model.ts";
import type { Operations } from "../../generated/dynamodbstreams.ts";
import { describeStream, getRecords, getShardIterator, listStreams } from "./records.ts";

export default defineService<Operations>({
  name: "dynamodbstreams",
  authorization: dynamodbStreamsAuthorization,
  model: model as unknown as ServiceModel,
  storeNamespace: "dynamodb",
  // DynamoDB's Coral stack: its namespace and classic type-error wording (no x-amz-crc32).
  wire: { errorNamespace: "com.amazonaws.dynamodb.v20120810", classicTypeErrors: true },
  handlers: {
    ListStreams: listStreams,
    DescribeStream: describeStream,
    GetShardIterator: getShardIterator,
    GetRecords: getRecords,
  },
});
