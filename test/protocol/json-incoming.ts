/**
 * Test helpers for the JSON codec: an IncomingRequest from a Request, models by name, captured
 * client requests from /work/shared/captures, and botocore's own parser run on our responses.
 */
import { readFileSync, existsSync } from "node:fs";
import { spawnSync } from "node:child_process";
import type { Codec, IncomingRequest } from "../../src/protocol/codec.ts";
import { AwsError } from "../../src/protocol/errors.ts";
import type { OperationModel, ProtocolId, ServiceModel } from "../../src/protocol/model.ts";
import { wireOf } from "./wire.ts";

const models = new Map<string, ServiceModel>();

export function loadModel(name: string): ServiceModel {
  let model = models.get(name);
  if (!model) {
    model = JSON.parse(readFileSync(new URL(`../../models/${name}.json`, import.meta.url), "utf8")) as ServiceModel;
    models.set(name, model);
  }
  return model;
}

export function incomingFrom(request: Request, model: ServiceModel, protocol: ProtocolId = "json", requestId = "req-1"): IncomingRequest {
  const url = new URL(request.url);
  let cached: Promise<Uint8Array> | undefined;
  const bytes = () => (cached ??= request.arrayBuffer().then((b) => new Uint8Array(b)));
  return {
    request,
    method: request.method,
    url,
    path: url.pathname,
    headers: request.headers,
    model,
    protocol,
    requestId,
    wire: wireOf(model),
    bytes,
    text: async () => new TextDecoder().decode(await bytes()),
    stream: () => request.body,
  };
}

/** A JSON-protocol request with the given target and raw body. */
export function jsonRequest(target: string | null, body: string, contentType = "application/x-amz-json-1.0"): Request {
  const headers: Record<string, string> = { "Content-Type": contentType };
  if (target) headers["X-Amz-Target"] = target;
  return new Request("http://127.0.0.1:4566/", { method: "POST", headers, body });
}

export interface Capture {
  client: string;
  op: string;
  request: { method: string; path: string; headers: [string, string][]; body: { text?: string; encoding?: string } };
}

const CAPTURES = "/work/shared/captures";

export function captures(file: string): Capture[] {
  const path = `${CAPTURES}/${file}`;
  if (!existsSync(path)) return [];
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Capture);
}

/** The captured request as a fetch Request (body bytes exactly as the client sent them). */
export function captureRequest(c: Capture): Request {
  const headers = new Headers();
  for (const [k, v] of c.request.headers) if (!/^(host|content-length|connection|expect)$/i.test(k)) headers.append(k, v);
  const body = c.request.body.encoding === "base64" ? Uint8Array.from(atob(c.request.body.text ?? ""), (ch) => ch.charCodeAt(0)) : c.request.body.text;
  return new Request(`http://127.0.0.1:4566${c.request.path}`, { method: c.request.method, headers, body });
}

export const hasBotocore = spawnSync("python3", ["-c", "import botocore"]).status === 0;

/**
 * Parses a response with botocore's own parser for `service`/`operation`; returns what boto3
 * would give the user (or, for an error, the parsed `Error` dict plus the exception class
 * boto3 raises).
 */
export async function botocoreParse(service: string, operation: string, response: Response): Promise<any> {
  const body = new Uint8Array(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  response.headers.forEach((v, k) => (headers[k] = v));
  const script = `
import sys, json, base64, datetime, zlib
import botocore.session, botocore.awsrequest
from botocore.parsers import create_parser
inp = json.load(sys.stdin)
session = botocore.session.get_session()
client = session.create_client(inp["service"], region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
model = client.meta.service_model
op = model.operation_model(inp["operation"])
parser = create_parser(model.protocol)
body = base64.b64decode(inp["body"])
resp = {"status_code": inp["status"], "headers": botocore.awsrequest.HeadersDict(inp["headers"]), "body": body}
shape = op.output_shape
parsed = parser.parse(resp, shape)
out = {"parsed": parsed}
if "x-amz-crc32" in resp["headers"]:
    out["crc32_ok"] = (zlib.crc32(body) & 0xffffffff) == int(resp["headers"]["x-amz-crc32"])
if inp["status"] >= 300:
    code = parsed.get("Error", {}).get("Code")
    if inp["service"] == "sqs":
        # botocore.handlers._handle_sqs_compatible_error: the class comes from QueryErrorCode
        code = parsed["Error"].get("QueryErrorCode") or code
    out["exception"] = client.exceptions.from_code(code).__name__
    # as botocore.endpoint._add_modeled_error_fields does
    error_shape = model.shape_for_error_code(code)
    if error_shape is not None:
        parsed.update(parser.parse(resp, error_shape))
def default(o):
    if isinstance(o, (bytes, bytearray)): return {"__bytes__": base64.b64encode(o).decode()}
    if isinstance(o, datetime.datetime): return {"__datetime__": o.isoformat()}
    return str(o)
print(json.dumps(out, default=default))
`;
  const input = JSON.stringify({
    service,
    operation,
    status: response.status,
    headers,
    body: Buffer.from(body).toString("base64"),
  });
  const run = spawnSync("python3", ["-c", script], { input, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`botocore failed: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/**
 * An SDK v3 `requestHandler` that runs the codec in-process: the real JS client serializes the
 * request, our codec parses it, `handle` answers, our codec serializes, the client deserializes.
 */
export function codecRequestHandler(
  model: ServiceModel,
  codec: Codec,
  handle: (operation: string, input: Record<string, unknown>) => unknown,
) {
  return {
    async handle(req: { protocol: string; hostname: string; port?: number; path: string; method: string; headers: Record<string, string>; body?: unknown }) {
      const url = `${req.protocol}//${req.hostname}${req.port ? `:${req.port}` : ""}${req.path}`;
      const request = new Request(url, { method: req.method, headers: req.headers, body: req.body as BodyInit | undefined });
      const incoming = incomingFrom(request, model);
      let operation: OperationModel | undefined;
      let response: Response;
      try {
        const parsed = await codec.parse(incoming);
        operation = parsed.operation;
        response = codec.serialize(incoming, operation, await handle(operation.name, parsed.input));
      } catch (e) {
        if (!(e instanceof AwsError)) throw e;
        response = codec.serializeError(incoming, operation, e);
      }
      const headers: Record<string, string> = {};
      response.headers.forEach((v, k) => (headers[k] = v));
      return { response: { statusCode: response.status, reason: "", headers, body: new Uint8Array(await response.arrayBuffer()) } };
    },
  };
}
