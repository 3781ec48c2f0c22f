/**
 * SQS's errors. JSON clients see the Coral exception name (`InvalidParameterValueException`),
 * query clients and `x-amzn-query-error` the classic code (`InvalidParameterValue`), as AWS
 * sends them (codes recorded against AWS in LocalStack's SQS snapshot tests).
 * Source: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
 */
import { AwsError } from "../../protocol/errors.ts";
import type { RequestContext } from "../types.ts";

export function invalidParameterValue(message: string): AwsError {
  return new AwsError("InvalidParameterValueException", message, 400, { queryCode: "InvalidParameterValue" });
}

/** `Value X for parameter P is invalid. Reason: R` */
export function invalidParameter(name: string, value: unknown, reason?: string): AwsError {
  return invalidParameterValue(`Value ${String(value)} for parameter ${name} is invalid.${reason ? ` Reason: ${reason}` : ""}`);
}

export function missingParameter(name: string): AwsError {
  return new AwsError("MissingRequiredParameterException", `The request must contain the parameter ${name}.`, 400, { queryCode: "MissingParameter" });
}

/** Whether the call came over the query protocol (form body, no X-Amz-Target). */
export function isQueryRequest(ctx: RequestContext): boolean {
  return ctx.protocol === "query";
}

export function queueDoesNotExist(ctx: RequestContext): AwsError {
  // The query API still words it as in the WSDL days.
  const message = isQueryRequest(ctx) ? "The specified queue does not exist for this wsdl version." : "The specified queue does not exist.";
  return new AwsError("QueueDoesNotExist", message, 400);
}

export function invalidAttributeName(name: string): AwsError {
  return new AwsError("InvalidAttributeName", `Unknown Attribute ${name}.`, 400);
}

export function invalidAttributeValue(name: string, reason?: string): AwsError {
  return new AwsError("InvalidAttributeValue", `Invalid value for the parameter ${name}.${reason ? ` Reason: ${reason}` : ""}`, 400);
}

export function receiptHandleIsInvalid(handle: string): AwsError {
  return new AwsError("ReceiptHandleIsInvalid", `The input receipt handle "${handle}" is not a valid receipt handle.`, 400);
}

/** Every try of a write lost to concurrent writers of the same queue (other processes sharing the store). */
export function requestThrottled(): AwsError {
  return new AwsError("RequestThrottled", "Request is throttled.", 400);
}
