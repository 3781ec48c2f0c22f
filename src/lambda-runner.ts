/**
 * The seam between Lambda's Invoke (portable core) and what actually runs a function's code
 * (a runtime capability). The core builds a {@link LambdaRunRequest}; a runner that the runtime
 * hands to `createEmulator({ lambdaRunner })` runs it. Under Node, `createNodeLambdaRunner()`
 * (src/runtime/lambda/, exported by `fetchstack/node` and used by `npx fetchstack`) starts each
 * function's runtime as a child process speaking the Lambda Runtime API. Where no runner is
 * given (workerd, a browser), Invoke answers an AWS-style error saying why (docs/lambda.md).
 *
 * This file has types only, so the core imports nothing runtime-specific.
 */

export interface LambdaRunRequest {
  /** Environments are reused only for the same key (function, version, code and configuration). */
  environmentKey: string;
  functionName: string;
  /** `$LATEST` or a version number. */
  functionVersion: string;
  /** The ARN the caller used (qualified when it named a version or alias). */
  invokedFunctionArn: string;
  runtime: string;
  handler: string;
  memorySizeMb: number;
  timeoutSeconds: number;
  architectures: string[];
  /** The function configuration's Environment.Variables. */
  environment: Record<string, string>;
  region: string;
  accountId: string;
  logGroupName: string;
  /** The function's zip, then its layers' zips in order; read only on a cold start. */
  loadCode(): Promise<{ code: Uint8Array; layers: Uint8Array[] }>;
  payload: Uint8Array;
  requestId: string;
  /** Base64 ClientContext (X-Amz-Client-Context), passed through to the function. */
  clientContext?: string;
  /**
   * Set by InvokeWithResponseStream: a runtime that streams its response (Runtime API
   * `Lambda-Runtime-Function-Response-Mode: streaming`) hands each chunk here as it arrives.
   */
  stream?: ResponseStreamSink;
}

/** Where a streamed response goes while the function writes it. */
export interface ResponseStreamSink {
  /** The runtime began streaming, with the content type the function set. Called once, first. */
  start(contentType: string): void;
  chunk(bytes: Uint8Array): void;
}

export interface LambdaRunResult {
  /** The function's response, or the error document when `functionError` is set. */
  payload: Uint8Array;
  /** `Unhandled` when the function failed, timed out or its runtime crashed. */
  functionError?: "Unhandled";
  /** The invocation's log as CloudWatch Logs would show it (START … END, REPORT lines). */
  log: string;
  durationMs: number;
  /** Set when this invocation started a new environment. */
  initDurationMs?: number;
  /** The environment's log stream (`2026/01/31/[$LATEST]<hex>`), for CloudWatch Logs. */
  logStreamName?: string;
  /** Set when the runtime streamed the response (`payload` then holds all of it). */
  streamed?: { contentType: string };
}

/** What the runner needs of the emulator: its fetch handler, for the function's own AWS calls. */
export interface EmulatorAccess {
  fetch(request: Request): Promise<Response>;
  /** The emulator's basePath ("" or e.g. `/aws`), appended to the endpoint functions get. */
  basePath: string;
}

export interface LambdaRunner {
  /** Why this runner cannot run `runtime` (e.g. no python3 on the machine), or null if it can. */
  unsupported(runtime: string): string | null;
  invoke(request: LambdaRunRequest, emulator: EmulatorAccess): Promise<LambdaRunResult>;
  /** Stops every environment. */
  close(): Promise<void>;
}

/** The runner as services see it (`ctx.lambdaRunner`): the emulator already bound. */
export interface BoundLambdaRunner {
  unsupported(runtime: string): string | null;
  invoke(request: LambdaRunRequest): Promise<LambdaRunResult>;
}
