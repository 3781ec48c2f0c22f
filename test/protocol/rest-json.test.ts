import { describe, expect, it } from "vitest";
import {
  CreateFunctionCommand, DeleteAliasCommand, DeleteFunctionCommand, GetFunctionCommand, GetLayerVersionByArnCommand, InvokeCommand, LambdaClient,
  ListFunctionsCommand, ResourceNotFoundException, TooManyRequestsException,
} from "@aws-sdk/client-lambda";
import { restJsonCodec } from "../../src/protocol/rest-json.ts";
import { AwsError } from "../../src/protocol/errors.ts";
import type { ParsedOperation } from "../../src/protocol/codec.ts";
import { createRequestHandler } from "../../src/runtime/sdk.ts";
import { incomingFrom, loadModel } from "./incoming.ts";
import { botocoreParse, hasBotocore } from "./botocore.ts";

const lambda = await loadModel("lambda");

/**
 * A Lambda client whose requests go through the real restJson1 codec: `respond` plays the
 * service handler and sees the parsed operation and input.
 */
function clientWith(respond: (parsed: ParsedOperation) => unknown) {
  const seen: ParsedOperation[] = [];
  const emulator = {
    async fetch(request: Request) {
      const incoming = incomingFrom(request, lambda, "rest-json");
      let parsed: ParsedOperation | undefined;
      try {
        parsed = await restJsonCodec.parse(incoming);
        seen.push(parsed);
        return restJsonCodec.serialize(incoming, parsed.operation, await respond(parsed));
      } catch (e) {
        if (e instanceof AwsError) return restJsonCodec.serializeError(incoming, parsed?.operation, e);
        throw e;
      }
    },
    reset() {},
  };
  const client = new LambdaClient({
    region: "us-east-1",
    endpoint: "http://localhost:4566",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
    requestHandler: createRequestHandler(emulator as never) as never,
    maxAttempts: 1,
  });
  return { client, seen };
}

function req(method: string, path: string, body?: string, headers?: Record<string, string>) {
  return incomingFrom(new Request(`http://localhost:4566${path}`, { method, body, headers }), lambda, "rest-json");
}

describe("restJson1 with the JS SDK (Lambda)", () => {
  it("CreateFunction: JSON body members in, FunctionConfiguration out", async () => {
    const { client, seen } = clientWith(() => ({
      FunctionName: "f", FunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:f", Runtime: "nodejs20.x", CodeSize: 3,
      Timeout: 3, MemorySize: 128, LastModified: "2026-11-22T00:32:26.000+0000", Environment: { Variables: { A: "1" } }, State: "Active",
    }));
    const out = await client.send(new CreateFunctionCommand({
      FunctionName: "f", Role: "arn:aws:iam::000000000000:role/r", Runtime: "nodejs20.x", Handler: "index.handler",
      Code: { ZipFile: new Uint8Array([80, 75, 3]) }, Environment: { Variables: { A: "1" } }, Tags: { team: "x" }, Publish: true,
    }));
    expect(seen[0]!.operation.name).toBe("CreateFunction");
    expect(seen[0]!.input).toEqual({
      FunctionName: "f", Role: "arn:aws:iam::000000000000:role/r", Runtime: "nodejs20.x", Handler: "index.handler",
      Code: { ZipFile: new Uint8Array([80, 75, 3]) }, Environment: { Variables: { A: "1" } }, Tags: { team: "x" }, Publish: true,
    });
    expect(out.$metadata.httpStatusCode).toBe(201);
    expect(out).toMatchObject({ FunctionName: "f", CodeSize: 3, MemorySize: 128, Environment: { Variables: { A: "1" } }, State: "Active" });
  });

  it("Invoke: blob payload, header members and the status code member", async () => {
    const { client, seen } = clientWith(() => ({
      StatusCode: 200, ExecutedVersion: "$LATEST", FunctionError: "Unhandled", LogResult: btoa("log"),
      Payload: new TextEncoder().encode('{"ok":true}'),
    }));
    const out = await client.send(new InvokeCommand({ FunctionName: "f", Qualifier: "1", InvocationType: "RequestResponse", LogType: "Tail", Payload: new TextEncoder().encode('{"a":1}') }));
    expect(seen[0]!.operation.name).toBe("Invoke");
    expect(seen[0]!.input).toEqual({ FunctionName: "f", Qualifier: "1", InvocationType: "RequestResponse", LogType: "Tail", Payload: new TextEncoder().encode('{"a":1}') });
    expect(out.StatusCode).toBe(200);
    expect(out.ExecutedVersion).toBe("$LATEST");
    expect(out.FunctionError).toBe("Unhandled");
    expect(new TextDecoder().decode(out.Payload)).toBe('{"ok":true}');
  });

  it("ListFunctions and GetLayerVersionByArn: query members and query literals", async () => {
    const { client, seen } = clientWith((p) => (p.operation.name === "ListFunctions" ? { Functions: [{ FunctionName: "a" }], NextMarker: "m2" } : { Version: 3 }));
    const list = await client.send(new ListFunctionsCommand({ MaxItems: 10, Marker: "m1" }));
    expect(seen[0]!.input).toEqual({ MaxItems: 10, Marker: "m1" });
    expect(list).toMatchObject({ Functions: [{ FunctionName: "a" }], NextMarker: "m2" });
    const layer = await client.send(new GetLayerVersionByArnCommand({ Arn: "arn:aws:lambda:us-east-1:000000000000:layer:l:3" }));
    expect(seen[1]!.operation.name).toBe("GetLayerVersionByArn");
    expect(seen[1]!.input).toEqual({ Arn: "arn:aws:lambda:us-east-1:000000000000:layer:l:3" });
    expect(layer.Version).toBe(3);
  });

  it("status comes from the model's responseCode or the statusCode member; 204 has no body", async () => {
    const { client } = clientWith((p) => (p.operation.name === "DeleteFunction" ? { StatusCode: 204 } : {}));
    const out = await client.send(new DeleteFunctionCommand({ FunctionName: "f" }));
    expect(out.$metadata.httpStatusCode).toBe(204);
    expect(out.StatusCode).toBe(204);
    const alias = await client.send(new DeleteAliasCommand({ FunctionName: "f", Name: "live" }));
    expect(alias.$metadata.httpStatusCode).toBe(204);
    const res = restJsonCodec.serialize(req("DELETE", "/2015-03-31/functions/f/aliases/live"), lambda.operations.DeleteAlias!, {});
    expect(res.status).toBe(204);
    expect(res.body).toBeNull();
  });

  it("errors: the SDK sees the modelled exception, its status, Type and message", async () => {
    const { client } = clientWith(() => {
      throw new AwsError("ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope", 404);
    });
    const err = await client.send(new GetFunctionCommand({ FunctionName: "nope" })).catch((e) => e);
    expect(err).toBeInstanceOf(ResourceNotFoundException);
    expect(err.message).toBe("Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope");
    expect(err.Type).toBe("User");
    expect(err.$metadata.httpStatusCode).toBe(404);

    const throttled = clientWith(() => {
      throw new AwsError("TooManyRequestsException", "Rate exceeded", 429, { fields: { retryAfterSeconds: "2", Reason: "CallerRateLimitExceeded" } });
    });
    const t = await throttled.client.send(new GetFunctionCommand({ FunctionName: "f" })).catch((e) => e);
    expect(t).toBeInstanceOf(TooManyRequestsException);
    expect(t).toMatchObject({ retryAfterSeconds: "2", Reason: "CallerRateLimitExceeded", Type: "User" });
  });
});

describe("restJson1 wire details", () => {
  it("renders Lambda errors as Lambda does and botocore reads the code", async () => {
    const res = restJsonCodec.serializeError(req("GET", "/2015-03-31/functions/nope"), lambda.operations.GetFunction, new AwsError("ResourceNotFoundException", "Function not found: x"));
    expect(res.status).toBe(404);
    expect(res.headers.get("x-amzn-errortype")).toBe("ResourceNotFoundException");
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.clone().json()).toEqual({ Type: "User", message: "Function not found: x" });
    if (hasBotocore) {
      const parsed = await botocoreParse("lambda", "GetFunction", res);
      expect(parsed.Error).toMatchObject({ Code: "ResourceNotFoundException", Message: "Function not found: x" });
    }
  });

  if (!hasBotocore) console.warn("skipping part of rest-json.test.ts: python3 with botocore is absent");
  // Skipped only when python3 with botocore is absent; the reason is printed.
  it.skipIf(!hasBotocore)("renders GetFunction so botocore reads nested structures and maps", async () => {
    const res = restJsonCodec.serialize(req("GET", "/2015-03-31/functions/f"), lambda.operations.GetFunction!, {
      Configuration: { FunctionName: "f", MemorySize: 256, Layers: [{ Arn: "arn:l", CodeSize: 10 }] },
      Code: { RepositoryType: "S3", Location: "https://x" }, Tags: { a: "b" },
    });
    expect(res.status).toBe(200);
    const parsed = await botocoreParse("lambda", "GetFunction", res);
    expect(parsed).toMatchObject({ Configuration: { FunctionName: "f", MemorySize: 256, Layers: [{ Arn: "arn:l", CodeSize: 10 }] }, Code: { RepositoryType: "S3", Location: "https://x" }, Tags: { a: "b" } });
  });

  it("answers an unknown route with 404 UnknownOperationException that botocore reads", async () => {
    const incoming = req("GET", "/2015-03-31/nothing-here");
    const err = await restJsonCodec.parse(incoming).catch((e) => e);
    expect(err).toMatchObject({ code: "UnknownOperationException", status: 404 });
    const res = restJsonCodec.serializeError(incoming, undefined, err);
    expect(res.status).toBe(404);
    if (hasBotocore) {
      const parsed = await botocoreParse("lambda", "GetFunction", res);
      expect(parsed.Error.Code).toBe("UnknownOperationException");
    }
  });

  it("rejects malformed JSON and wrong types with Lambda's InvalidRequestContentException", async () => {
    await expect(restJsonCodec.parse(req("POST", "/2015-03-31/functions", "{bad"))).rejects.toMatchObject({ code: "InvalidRequestContentException", status: 400 });
    await expect(restJsonCodec.parse(req("POST", "/2015-03-31/functions", '{"FunctionName": 5}'))).rejects.toMatchObject({ code: "InvalidRequestContentException" });
    await expect(restJsonCodec.parse(req("GET", "/2015-03-31/functions?MaxItems=abc"))).rejects.toMatchObject({ code: "SerializationException", status: 400 });
  });

  it("passes a streaming output payload through unbuffered", async () => {
    const lambdaStream = new ReadableStream<Uint8Array>({ start: (c) => { c.enqueue(new Uint8Array([1, 2])); c.close(); } });
    // InvokeWithResponseStream's payload is an event stream; any streaming blob takes the same path.
    const res = restJsonCodec.serialize(req("POST", "/2015-03-31/functions/f/invocations", "{}"), lambda.operations.Invoke!, { StatusCode: 200, Payload: lambdaStream });
    expect(res.body).toBe(lambdaStream);
  });
});
