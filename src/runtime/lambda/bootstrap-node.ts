/**
 * fetchstack's runtime client for `nodejs*` functions, written to disk and run with the
 * machine's Node: the Lambda Runtime API loop (next → handler → response/error), handlers loaded
 * as the managed runtime does (`dir/file.fn`, .js/.mjs/.cjs, ESM and CommonJS, async or callback
 * style), the context object, and console output in the runtime's log format.
 * Source: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/nodejs-context.html
 *
 * Response streaming: handlers wrapped in `awslambda.streamifyResponse` (a global, as in the
 * managed runtime) get a writable `responseStream` (`setContentType`, `write`, `end`;
 * `awslambda.HttpResponseStream.from(stream, {statusCode, headers})` writes the HTTP prelude);
 * their output is POSTed to `/response` as it is written, chunked, with
 * `Lambda-Runtime-Function-Response-Mode: streaming`, and a failure goes in the trailers.
 * Source: https://docs.aws.amazon.com/lambda/latest/dg/config-rs-write-functions.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html#runtimes-custom-response-streaming
 */
export const NODE_BOOTSTRAP = String.raw`
import { pathToFileURL } from "node:url";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { format } from "node:util";
import { request as httpRequest } from "node:http";
import { Writable } from "node:stream";

const api = "http://" + process.env.AWS_LAMBDA_RUNTIME_API + "/2018-06-01/runtime";
const root = process.env.LAMBDA_TASK_ROOT;
const spec = process.env._HANDLER || "";
let requestId;

function log(level, args) {
  process.stdout.write(new Date().toISOString() + "\t" + (requestId ?? "undefined") + "\t" + level + "\t" + format(...args) + "\n");
}
console.log = (...a) => log("INFO", a);
console.info = (...a) => log("INFO", a);
console.warn = (...a) => log("WARN", a);
console.error = (...a) => log("ERROR", a);
console.debug = (...a) => log("DEBUG", a);
console.trace = (...a) => log("TRACE", a);
process.stderr.write = process.stdout.write.bind(process.stdout);

function errorDocument(error) {
  if (error instanceof Error) {
    return { errorType: error.name || "Error", errorMessage: error.message, trace: String(error.stack || "").split("\n") };
  }
  if (typeof error === "object" && error !== null) return { errorType: "object", errorMessage: JSON.stringify(error), trace: [] };
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

class UserError extends Error {
  constructor(type, message, cause) {
    super(message);
    this.name = type;
    if (cause && cause.stack) this.stack = type + ": " + message + "\n" + String(cause.stack).split("\n").slice(1).join("\n");
  }
}

async function post(path, body, headers = {}) {
  await fetch(api + path, { method: "POST", body, headers });
}

function end(id) {
  // Tells the runner this invocation's output is complete (pipes keep write order).
  process.stdout.write("\u0000fetchstack:end:" + id + "\n");
}

async function loadHandler() {
  const slash = spec.lastIndexOf("/");
  const base = spec.slice(slash + 1);
  const dot = base.indexOf(".");
  if (dot < 1) throw new UserError("Runtime.MalformedHandlerName", "Bad handler " + spec);
  const moduleName = spec.slice(0, slash + 1) + base.slice(0, dot);
  const path = base.slice(dot + 1);
  const file = [".js", ".mjs", ".cjs"].map((ext) => join(root, moduleName + ext)).find((f) => existsSync(f));
  if (!file) {
    throw new UserError("Runtime.ImportModuleError", "Error: Cannot find module '" + moduleName + "'\nRequire stack:\n- /var/runtime/index.mjs");
  }
  let mod;
  try {
    mod = await import(pathToFileURL(file).href);
  } catch (error) {
    if (error && error.code === "ERR_MODULE_NOT_FOUND" || error && error.code === "MODULE_NOT_FOUND") {
      throw new UserError("Runtime.ImportModuleError", "Error: " + error.message, error);
    }
    if (error instanceof SyntaxError) throw new UserError("Runtime.UserCodeSyntaxError", error.name + ": " + error.message, error);
    throw error;
  }
  const pick = (obj) => path.split(".").reduce((o, k) => (o == null ? undefined : o[k]), obj);
  let fn = pick(mod);
  if (typeof fn !== "function" && mod.default) fn = pick(mod.default);
  if (typeof fn !== "function") throw new UserError("Runtime.HandlerNotFound", moduleName + "." + path + " is undefined or not exported");
  return fn;
}

function run(handler, event, context) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const callback = (error, value) => {
      if (settled) return;
      settled = true;
      if (error !== undefined && error !== null) reject(error);
      else resolve(value);
    };
    context.done = callback;
    context.succeed = (value) => callback(null, value);
    context.fail = (error) => callback(error ?? "handled");
    let result;
    try {
      result = handler(event, context, callback);
    } catch (error) {
      callback(error);
      return;
    }
    if (result && typeof result.then === "function") result.then((v) => callback(null, v), (e) => callback(e ?? new Error("rejected")));
    else if (handler.length < 3) callback(null, null);
  });
}

const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
globalThis.awslambda = {
  streamifyResponse(fn) {
    fn[STREAMING] = "response";
    return fn;
  },
  HttpResponseStream: {
    from(stream, prelude) {
      stream.setContentType("application/vnd.awslambda.http-integration-response");
      stream.write(JSON.stringify(prelude ?? {}));
      stream.write(new Uint8Array(8));
      return stream;
    },
  },
};

/** The responseStream of one invocation; "done" settles once the Runtime API has taken it all. */
function responseStream(id) {
  let contentType = "application/octet-stream";
  let req;
  let settle;
  const done = new Promise((resolve) => (settle = resolve));
  const open = () => {
    if (!req) {
      req = httpRequest(api + "/invocation/" + id + "/response", {
        method: "POST",
        headers: {
          "Lambda-Runtime-Function-Response-Mode": "streaming",
          "Content-Type": contentType,
          "Transfer-Encoding": "chunked",
          Trailer: "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body",
        },
      }, (res) => {
        res.resume();
        res.on("end", settle);
      });
      req.on("error", settle);
      req.flushHeaders();
    }
    return req;
  };
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      open().write(chunk, callback);
    },
    final(callback) {
      end(id);
      const r = open();
      if (stream.failure) {
        r.addTrailers({
          "Lambda-Runtime-Function-Error-Type": stream.failure.errorType,
          "Lambda-Runtime-Function-Error-Body": Buffer.from(JSON.stringify(stream.failure)).toString("base64"),
        });
      }
      r.end();
      callback();
    },
  });
  stream.setContentType = (type) => {
    contentType = type;
  };
  return { stream, done };
}

let handler;
try {
  handler = await loadHandler();
} catch (error) {
  const doc = errorDocument(error);
  log("ERROR", ["Uncaught Exception \t" + JSON.stringify(doc)]);
  end("init");
  await post("/init/error", JSON.stringify(doc), { "Lambda-Runtime-Function-Error-Type": doc.errorType });
  process.exit(1);
}

for (;;) {
  let next;
  try {
    next = await fetch(api + "/invocation/next");
  } catch {
    process.exit(0);
  }
  if (!next.ok) process.exit(0);
  requestId = next.headers.get("lambda-runtime-aws-request-id");
  const deadline = Number(next.headers.get("lambda-runtime-deadline-ms"));
  const clientContext = next.headers.get("lambda-runtime-client-context");
  const event = JSON.parse(await next.text());
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: next.headers.get("lambda-runtime-invoked-function-arn"),
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    clientContext: clientContext ? JSON.parse(clientContext) : undefined,
    identity: undefined,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
  const id = requestId;
  if (handler[STREAMING] === "response") {
    const { stream, done } = responseStream(id);
    try {
      await handler(event, stream, context);
      if (!stream.writableEnded) stream.end();
    } catch (error) {
      const doc = errorDocument(error);
      log("ERROR", ["Invoke Error \t" + JSON.stringify({ errorType: doc.errorType, errorMessage: doc.errorMessage, stack: doc.trace })]);
      if (!stream.writableEnded) {
        stream.failure = doc;
        stream.end();
      } else {
        end(id);
        await post("/invocation/" + id + "/error", JSON.stringify(doc), { "Lambda-Runtime-Function-Error-Type": doc.errorType });
      }
    }
    await done;
    continue;
  }
  try {
    const value = await run(handler, event, context);
    const body = JSON.stringify(value === undefined ? null : value);
    end(id);
    await post("/invocation/" + id + "/response", body);
  } catch (error) {
    const doc = errorDocument(error);
    log("ERROR", ["Invoke Error \t" + JSON.stringify({ errorType: doc.errorType, errorMessage: doc.errorMessage, stack: doc.trace })]);
    end(id);
    await post("/invocation/" + id + "/error", JSON.stringify(doc), { "Lambda-Runtime-Function-Error-Type": doc.errorType });
  }
}
`;
