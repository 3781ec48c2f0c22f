/**
 * Kinesis Data Streams errors, with AWS's codes and wording.
 * Source: https://docs.aws.amazon.com/kinesis/latest/APIReference/CommonErrors.html
 */
import { AwsError } from "../../protocol/errors.ts";

export const invalidArgument = (message: string) => new AwsError("InvalidArgumentException", message, 400);
export const validation = (message: string) => new AwsError("ValidationException", message, 400);
export const resourceInUse = (message: string) => new AwsError("ResourceInUseException", message, 400);
export const limitExceeded = (message: string) => new AwsError("LimitExceededException", message, 400);
export const expiredIterator = (message: string) => new AwsError("ExpiredIteratorException", message, 400);
export const expiredNextToken = (message: string) => new AwsError("ExpiredNextTokenException", message, 400);

export function streamNotFound(name: string, accountId: string): AwsError {
  return new AwsError("ResourceNotFoundException", `Stream ${name} under account ${accountId} not found.`, 400);
}

export function shardNotFound(shardId: string, stream: string, accountId: string): AwsError {
  return new AwsError("ResourceNotFoundException", `Shard ${shardId} in stream ${stream} under account ${accountId} does not exist`, 400);
}
