/**
 * The one error type handlers and codecs throw. The codec of the request's protocol renders it:
 * `<ErrorResponse>` XML for awsQuery, `__type` JSON for awsJson (plus `x-amzn-query-error` for
 * awsQueryCompatible services), `x-amzn-ErrorType` for restJson1, `<Error>` for S3's restXml.
 *
 * `code` is the error shape's name in the model (e.g. `QueueDoesNotExist`,
 * `ResourceNotFoundException`, `NoSuchKey`); where the model gives the shape an
 * `error.code` (SQS's `AWS.SimpleQueueService.NonExistentQueue`), query-protocol renderings use
 * that code automatically.
 */
export class AwsError extends Error {
  /** Error shape name / AWS error code. */
  readonly code: string;
  /** HTTP status. */
  readonly status: number;
  /** `Sender` (client's fault) or `Receiver` (service's fault). */
  readonly fault: "Sender" | "Receiver";
  /**
   * Extra members of the error shape, serialized by the model where the shape declares them
   * (e.g. S3 `BucketName`, `Key`; DynamoDB `Item` on ConditionalCheckFailedException).
   */
  readonly fields: Record<string, unknown>;
  /** Extra response headers (e.g. S3 `x-amz-bucket-region`, `Allow`). */
  readonly headers: Record<string, string>;
  /**
   * The code on the awsQuery wire (and in `x-amzn-query-error`) when it differs from `code` and
   * no model shape says so: SQS answers JSON clients `InvalidParameterValueException` and query
   * clients `InvalidParameterValue`.
   */
  readonly queryCode?: string;

  constructor(
    code: string,
    message: string,
    status = 400,
    options: { fault?: "Sender" | "Receiver"; fields?: Record<string, unknown>; headers?: Record<string, string>; queryCode?: string } = {},
  ) {
    // No stack trace: an AwsError is an answer, not a bug, and capturing a trace cost more than
    // rendering the whole error response (issue 22). `instanceof` and `message` are unchanged.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = "AwsError";
    this.code = code;
    this.status = status;
    this.fault = options.fault ?? (status >= 500 ? "Receiver" : "Sender");
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
    if (options.queryCode !== undefined) this.queryCode = options.queryCode;
  }
}

/** True for errors thrown on purpose as AWS errors (as opposed to bugs). */
export function isAwsError(e: unknown): e is AwsError {
  return e instanceof AwsError;
}

/** The error every uncaught exception becomes: AWS's generic 500, with no stack trace. */
export function internalFailure(): AwsError {
  return new AwsError("InternalFailure", "The request processing has failed because of an unknown error, exception or failure.", 500);
}

/** An operation the model knows that fetchstack does not implement yet (501, never a fake success). */
export function notImplemented(service: string, operation: string): AwsError {
  return new AwsError("NotImplemented", `${operation} is not implemented by fetchstack's ${service} emulator yet.`, 501, { fault: "Receiver" });
}
