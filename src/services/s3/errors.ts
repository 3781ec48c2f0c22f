/**
 * S3 errors shared by the object modules, with AWS's codes, messages and statuses.
 * Source: https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html
 */
import { AwsError } from "../../protocol/errors.ts";

export function noSuchKey(key: string, headers: Record<string, string> = {}): AwsError {
  return new AwsError("NoSuchKey", "The specified key does not exist.", 404, { fields: { Key: key }, headers });
}

export function noSuchVersion(key: string, versionId: string): AwsError {
  return new AwsError("NoSuchVersion", "The specified version does not exist.", 404, { fields: { Key: key, VersionId: versionId } });
}

export function preconditionFailed(condition: string): AwsError {
  return new AwsError("PreconditionFailed", "At least one of the pre-conditions you specified did not hold", 412, { fields: { Condition: condition } });
}

export function invalidArgument(message: string, name?: string, value?: string): AwsError {
  return new AwsError("InvalidArgument", message, 400, { fields: { ArgumentName: name, ArgumentValue: value } });
}

export function invalidRequest(message: string): AwsError {
  return new AwsError("InvalidRequest", message, 400);
}

export function malformedXml(): AwsError {
  return new AwsError("MalformedXML", "The XML you provided was not well-formed or did not validate against our published schema", 400);
}

export function notImplementedHeader(header: string): AwsError {
  return new AwsError("NotImplemented", "A header you provided implies functionality that is not implemented", 501, { fields: { Header: header } });
}

export function accessControlListNotSupported(): AwsError {
  return new AwsError("AccessControlListNotSupported", "The bucket does not allow ACLs", 400);
}
