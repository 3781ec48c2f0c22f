/**
 * One AWS request through one service: codec parse → validation → handler → codec serialize.
 * Every failure becomes the protocol's own error response; an uncaught exception becomes a
 * 500 `InternalFailure` with no stack trace in the body, and is logged.
 */
import type { Codec, IncomingRequest } from "../protocol/codec.ts";
import type { OperationModel } from "../protocol/model.ts";
import { AwsError, internalFailure, isAwsError, notImplemented } from "../protocol/errors.ts";
import { validateInput, validationMessage } from "../protocol/validate.ts";
import type { RequestContext, ServiceDefinition } from "../services/types.ts";

/** Decides a parsed request before its handler runs (IAM enforcement); throws AwsError to deny. */
export type Authorize = (operation: string, input: Record<string, unknown>) => Promise<void>;

export interface Logger {
  error(message: string, error?: unknown): void;
}

/**
 * Runs a handler for `operation`, validating `input` first; shared by HTTP dispatch and
 * `ctx.invoke`. The validation error's code follows `ctx.protocol` (awsQuery's
 * `ValidationError`, everyone else's `ValidationException`) unless the service builds its own.
 */
export function runOperation(
  service: ServiceDefinition,
  operation: OperationModel,
  input: Record<string, unknown>,
  ctx: RequestContext,
): unknown {
  // Not async: the handler's own promise is returned as is (callers await it, so a validation
  // error thrown here reaches them as it would as a rejection).
  if (!service.skipValidation && operation.input) {
    const failures = validateInput(service.model, operation.input, input);
    if (failures.length > 0) {
      throw service.validationError?.(failures, operation.name) ??
        new AwsError(ctx.protocol === "query" ? "ValidationError" : "ValidationException", validationMessage(failures), 400);
    }
  }
  const handler = service.handlers[operation.name];
  if (!handler) throw notImplemented(service.name, operation.name);
  return handler(input, ctx);
}

/**
 * One HTTP request through `service`: `preRoute` → parse → `runOperation` → serialize →
 * `postRoute`. `ctx` is the request's one context: its `operation` is `""` until the codec has
 * found the operation, then the operation's name.
 */
export function dispatch(
  service: ServiceDefinition,
  codec: Codec,
  incoming: IncomingRequest,
  ctx: RequestContext,
  logger: Logger,
  authorize?: Authorize,
): Promise<Response> {
  const response = dispatchParsed(service, codec, incoming, ctx, logger, authorize);
  // No postRoute (nearly every service): the answer's own promise, with no extra hop.
  if (!service.postRoute) return response;
  return response.then(async (parsed) => {
    try {
      return await service.postRoute!(incoming, parsed, ctx);
    } catch (error) {
      logger.error(`${service.name}: postRoute failed (request ${incoming.requestId})`, error);
      return parsed;
    }
  });
}

async function dispatchParsed(
  service: ServiceDefinition,
  codec: Codec,
  incoming: IncomingRequest,
  ctx: RequestContext,
  logger: Logger,
  authorize?: Authorize,
): Promise<Response> {
  let operation: OperationModel | undefined;
  try {
    if (service.preRoute) {
      // A preRoute that serves an operation itself is decided through ctx.authorize.
      if (authorize) ctx.authorize = authorize;
      const early = await service.preRoute(incoming, ctx);
      if (early) return early;
    }
    const parsed = await codec.parse(incoming);
    operation = parsed.operation;
    ctx.operation = operation.name;
    if (authorize) await authorize(operation.name, parsed.input);
    const output = await runOperation(service, operation, parsed.input, ctx);
    return codec.serialize(incoming, operation, output ?? {});
  } catch (error) {
    let awsError: AwsError;
    if (isAwsError(error)) {
      awsError = error;
    } else {
      logger.error(`${service.name}${operation ? "." + operation.name : ""} failed (request ${incoming.requestId})`, error);
      awsError = internalFailure();
    }
    try {
      return codec.serializeError(incoming, operation, awsError);
    } catch (renderError) {
      logger.error(`${service.name}: rendering an error failed`, renderError);
      return new Response("InternalFailure", { status: 500, headers: { "content-type": "text/plain" } });
    }
  }
}
