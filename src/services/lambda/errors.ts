/**
 * Lambda's errors, with the messages AWS sends (x-amzn-ErrorType carries the code; the body
 * `{"Type": "User", "message": ...}`).
 * Source: https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html and each operation's
 * Errors section.
 */
import { AwsError } from "../../protocol/errors.ts";

export function invalidParameter(message: string): AwsError {
  return new AwsError("InvalidParameterValueException", message, 400);
}

export function notFound(message: string): AwsError {
  return new AwsError("ResourceNotFoundException", message, 404);
}

/** `Function not found: <arn>` (the qualified ARN when a qualifier was given). */
export function functionNotFound(arn: string): AwsError {
  return notFound(`Function not found: ${arn}`);
}

export function conflict(message: string): AwsError {
  return new AwsError("ResourceConflictException", message, 409);
}

export function preconditionFailed(message: string): AwsError {
  return new AwsError("PreconditionFailedException", message, 412);
}

/** RevisionId given and not the current one. */
export function revisionMismatch(what: "GetFunction" | "GetAlias" | "GetPolicy" = "GetFunction"): AwsError {
  const call = what === "GetAlias" ? "GetFunction/GetAlias" : what === "GetPolicy" ? "GetPolicy" : "GetFunction/GetAlias";
  return preconditionFailed(`The Revision Id provided does not match the latest Revision Id. Call the ${call} API to retrieve the latest Revision Id`);
}
