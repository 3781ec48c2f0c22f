/**
 * SNS's errors, as AWS words them. Codes are the model's shape names; the query codec puts the
 * shape's wire code on the wire (`InvalidParameterException` → `InvalidParameter`, 400;
 * `NotFoundException` → `NotFound`, 404; `InvalidParameterValueException` →
 * `ParameterValueInvalid`, 400).
 * Source: https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html
 */
import { AwsError } from "../../protocol/errors.ts";

/** `InvalidParameter` with AWS's "Invalid parameter: ..." wording. */
export function invalidParameter(what: string, reason?: string): AwsError {
  return new AwsError("InvalidParameterException", `Invalid parameter: ${what}${reason ? ` Reason: ${reason}` : ""}`, 400);
}

/** `InvalidParameter` with a message used verbatim. */
export function invalidParameterRaw(message: string): AwsError {
  return new AwsError("InvalidParameterException", message, 400);
}

/** `ParameterValueInvalid` (message attribute problems). */
export function parameterValueInvalid(message: string): AwsError {
  return new AwsError("InvalidParameterValueException", message, 400);
}

export function notFound(message: string): AwsError {
  return new AwsError("NotFoundException", message, 404);
}

export function topicNotFound(): AwsError {
  return notFound("Topic does not exist");
}

export function subscriptionNotFound(): AwsError {
  return notFound("Subscription does not exist");
}

export function resourceNotFound(): AwsError {
  return new AwsError("ResourceNotFoundException", "Resource does not exist", 404);
}
