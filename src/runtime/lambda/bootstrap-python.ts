/**
 * fetchstack's runtime client for `python3.*` functions, run with the machine's python3: the
 * Lambda Runtime API loop, `module.function` handlers (dotted packages allowed), the context
 * object, and AWS's error documents (errorMessage, errorType, requestId, stackTrace).
 * Source: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/python-handler.html,
 * https://docs.aws.amazon.com/lambda/latest/dg/python-context.html
 */
export const PYTHON_BOOTSTRAP = String.raw`
import importlib, json, os, sys, time, traceback, urllib.request

API = "http://" + os.environ["AWS_LAMBDA_RUNTIME_API"] + "/2018-06-01/runtime"
sys.stderr = sys.stdout
sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])


def post(path, body, headers=None):
    request = urllib.request.Request(API + path, data=body.encode("utf-8"), method="POST", headers=headers or {})
    urllib.request.urlopen(request).read()


def end(request_id):
    sys.stdout.write("\u0000fetchstack:end:" + request_id + "\n")
    sys.stdout.flush()


def error_document(error, request_id=None):
    doc = {"errorMessage": str(error), "errorType": type(error).__name__}
    if request_id:
        doc["requestId"] = request_id
    doc["stackTrace"] = traceback.format_list(traceback.extract_tb(error.__traceback__))
    return doc


class UserError(Exception):
    def __init__(self, kind, message):
        super().__init__(message)
        self.kind = kind


def load_handler():
    spec = os.environ.get("_HANDLER", "")
    module_name, _, function_name = spec.rpartition(".")
    if not module_name:
        raise UserError("Runtime.MalformedHandlerName", "Bad handler '" + spec + "': not enough values to unpack (expected 2, got 1)")
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as e:
        raise UserError("Runtime.ImportModuleError", "Unable to import module '" + module_name + "': " + str(e))
    except SyntaxError as e:
        raise UserError("Runtime.UserCodeSyntaxError", "Syntax error in module '" + module_name + "': " + str(e))
    handler = getattr(module, function_name, None)
    if handler is None:
        raise UserError("Runtime.HandlerNotFound", "Handler '" + function_name + "' missing on module '" + module_name + "'")
    return handler


class Context:
    def __init__(self, request_id, arn, deadline_ms, client_context):
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.invoked_function_arn = arn
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.aws_request_id = request_id
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = None
        self.client_context = json.loads(client_context) if client_context else None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


try:
    HANDLER = load_handler()
except UserError as e:
    doc = {"errorMessage": str(e), "errorType": e.kind, "requestId": "", "stackTrace": []}
    print("[ERROR] " + e.kind + ": " + str(e))
    end("init")
    post("/init/error", json.dumps(doc), {"Lambda-Runtime-Function-Error-Type": e.kind})
    sys.exit(1)
except Exception as e:
    doc = error_document(e)
    print("[ERROR] " + type(e).__name__ + ": " + str(e))
    end("init")
    post("/init/error", json.dumps(doc), {"Lambda-Runtime-Function-Error-Type": type(e).__name__})
    sys.exit(1)

while True:
    try:
        response = urllib.request.urlopen(API + "/invocation/next")
    except Exception:
        sys.exit(0)
    request_id = response.headers.get("Lambda-Runtime-Aws-Request-Id")
    context = Context(request_id, response.headers.get("Lambda-Runtime-Invoked-Function-Arn"),
                      int(response.headers.get("Lambda-Runtime-Deadline-Ms") or "0"),
                      response.headers.get("Lambda-Runtime-Client-Context"))
    event = json.loads(response.read() or b"null")
    try:
        result = HANDLER(event, context)
        body = json.dumps(result)
        end(request_id)
        post("/invocation/" + request_id + "/response", body)
    except Exception as e:
        doc = error_document(e, request_id)
        print("[ERROR] " + doc["errorType"] + ": " + doc["errorMessage"] + "\nTraceback (most recent call last):\n" + "".join(doc["stackTrace"]), end="")
        end(request_id)
        post("/invocation/" + request_id + "/error", json.dumps(doc), {"Lambda-Runtime-Function-Error-Type": doc["errorType"]})
`;
