/**
 * Lambda against the Node server (which runs functions with its Node runner): the JS SDK over
 * HTTP, boto3, AWS CLI v1 and v2 — the seed table's operations, with real Node and Python
 * functions created from zips and invoked for real. Each real-client suite is skipped, with the
 * reason printed, only where that client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LambdaClient, CreateFunctionCommand, InvokeCommand, GetFunctionCommand } from "@aws-sdk/client-lambda";
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from "@aws-sdk/client-dynamodb";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { overHttp, startTestServer } from "../../helpers/clients.ts";
import { ROLE, zip } from "./zips.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const dir = mkdtempSync(join(tmpdir(), "fetchstack-lambda-clients-"));
const PY_HANDLER = `import json, os, boto3
def handler(event, context):
    print("got", json.dumps(event))
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"sum": event.get("a", 0) + event.get("b", 0), "fn": context.function_name,
            "remaining": context.get_remaining_time_in_millis() > 0, "region": os.environ["AWS_REGION"]}
`;

describe("JS SDK over HTTP", () => {
  it("creates a Node function whose code writes to fetchstack's DynamoDB, and invokes it", async () => {
    const lambda = new LambdaClient(overHttp(server.url));
    const dynamodb = new DynamoDBClient(overHttp(server.url));
    await dynamodb.send(new CreateTableCommand({
      TableName: "visits", BillingMode: "PAY_PER_REQUEST",
      AttributeDefinitions: [{ AttributeName: "id", AttributeType: "S" }], KeySchema: [{ AttributeName: "id", KeyType: "HASH" }],
    }));
    await lambda.send(new CreateFunctionCommand({
      FunctionName: "http-fn", Runtime: "nodejs22.x", Role: ROLE, Handler: "index.handler", Timeout: 20,
      Code: {
        ZipFile: zip({
          "index.js": `const { DynamoDBClient, PutItemCommand } = require("@aws-sdk/client-dynamodb");
            const db = new DynamoDBClient({});
            exports.handler = async (event, context) => {
              await db.send(new PutItemCommand({ TableName: "visits", Item: { id: { S: event.id }, by: { S: context.functionName } } }));
              return "stored " + event.id;
            };`,
        }),
      },
    }));
    const out = await lambda.send(new InvokeCommand({ FunctionName: "http-fn", Payload: new TextEncoder().encode('{"id":"v1"}') }));
    expect(new TextDecoder().decode(out.Payload), out.FunctionError).toBe('"stored v1"');
    const item = await dynamodb.send(new GetItemCommand({ TableName: "visits", Key: { id: { S: "v1" } } }));
    expect(item.Item).toEqual({ id: { S: "v1" }, by: { S: "http-fn" } });
    // Code.Location answers over HTTP with the zip.
    const got = await lambda.send(new GetFunctionCommand({ FunctionName: "http-fn" }));
    expect(got.Code!.Location!.startsWith(server.url)).toBe(true);
    const zipped = await fetch(got.Code!.Location!);
    expect(zipped.status).toBe(200);
    expect((await zipped.arrayBuffer()).byteLength).toBe(got.Configuration!.CodeSize);
  });
});

if (!python.version) console.warn(`skipping boto3 Lambda suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3", () => {
  it("creates, invokes (result, error, log tail), publishes, aliases, deletes a Python function", async () => {
    const out = await boto3(server.url, `
import base64, io, zipfile
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w") as z:
    z.writestr("app.py", ${JSON.stringify(PY_HANDLER)})
lam = boto3.client("lambda", endpoint_url=ENDPOINT, region_name="us-east-1")
created = lam.create_function(FunctionName="py-fn", Runtime="python3.12", Role="${ROLE}", Handler="app.handler", Code={"ZipFile": buf.getvalue()})
lam.get_waiter("function_active_v2").wait(FunctionName="py-fn")
ok = lam.invoke(FunctionName="py-fn", Payload=json.dumps({"a": 2, "b": 3}), LogType="Tail")
ok_body = json.loads(ok["Payload"].read())
bad = lam.invoke(FunctionName="py-fn", Payload=json.dumps({"fail": True}))
bad_body = json.loads(bad["Payload"].read())
version = lam.publish_version(FunctionName="py-fn")["Version"]
alias = lam.create_alias(FunctionName="py-fn", Name="prod", FunctionVersion=version)
names = [f["FunctionName"] for f in lam.list_functions()["Functions"]]
lam.delete_function(FunctionName="py-fn")
try:
    lam.get_function(FunctionName="py-fn")
    missing = None
except lam.exceptions.ResourceNotFoundException as e:
    missing = e.response["Error"]
print(json.dumps({"state": created["State"], "status": ok["StatusCode"], "body": ok_body, "error": bad.get("FunctionError"),
  "bad": bad_body, "log": base64.b64decode(ok["LogResult"]).decode(), "version": version, "alias": alias["AliasArn"],
  "names": names, "missing": missing}))
`);
    expect(out).toMatchObject({
      state: "Pending", status: 200, body: { sum: 5, fn: "py-fn", remaining: true, region: "us-east-1" },
      error: "Unhandled", bad: { errorMessage: "asked to fail", errorType: "ValueError" },
      version: "1", alias: "arn:aws:lambda:us-east-1:000000000000:function:py-fn:prod",
      missing: { Code: "ResourceNotFoundException", Message: "Function not found: arn:aws:lambda:us-east-1:000000000000:function:py-fn" },
    });
    expect(out.names).toContain("py-fn");
    expect(out.bad.stackTrace.join("")).toContain('raise ValueError("asked to fail")');
    expect(out.log).toContain('got {"a": 2, "b": 3}');
    expect(out.log).toMatch(/REPORT RequestId: [0-9a-f-]{36}\tDuration/);
  }, 150_000);
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} Lambda suite: not installed`);
  // Skipped only when this AWS CLI is absent (v1: pip's `aws`; v2: Debian's /usr/bin/aws); the reason is printed.
  describe.skipIf(!cli)(label, () => {
    const v = label.endsWith("v1") ? "v1" : "v2";
    const aws = async (...args: string[]) => {
      const result = await run(cli!, ["lambda", ...args, "--endpoint-url", server.url, "--output", "json"], clientEnv());
      return { ...result, json: result.stdout.trim() ? JSON.parse(result.stdout) : undefined };
    };

    it("create-function --zip-file, invoke, list-functions, publish-version, create-alias, delete-function", async () => {
      const name = `cli-${v}`;
      const zipPath = join(dir, `${name}.zip`);
      writeFileSync(zipPath, zip({ "index.mjs": "export const handler = async (event) => ({ echoed: event, runtime: process.env.AWS_EXECUTION_ENV });" }));
      const created = await aws("create-function", "--function-name", name, "--runtime", "nodejs20.x", "--role", ROLE,
        "--handler", "index.handler", "--zip-file", `fileb://${zipPath}`);
      expect(created.stderr).toBe("");
      expect(created.json).toMatchObject({ FunctionName: name, Runtime: "nodejs20.x", Handler: "index.handler", Version: "$LATEST" });
      const outPath = join(dir, `${name}.json`);
      // v2 reads --payload as base64 unless told otherwise.
      const binary = v === "v2" ? ["--cli-binary-format", "raw-in-base64-out"] : [];
      const invoked = await aws("invoke", "--function-name", name, "--payload", '{"hello":"cli"}', ...binary, "--log-type", "Tail", outPath);
      expect(invoked.stderr).toBe("");
      expect(invoked.json).toMatchObject({ StatusCode: 200, ExecutedVersion: "$LATEST" });
      expect(Buffer.from(invoked.json.LogResult, "base64").toString()).toMatch(/^START RequestId: /m);
      expect(JSON.parse(readFileSync(outPath, "utf8"))).toEqual({ echoed: { hello: "cli" }, runtime: "AWS_Lambda_nodejs20.x" });
      const list = await aws("list-functions");
      expect(list.json.Functions.map((f: { FunctionName: string }) => f.FunctionName)).toContain(name);
      const published = await aws("publish-version", "--function-name", name);
      expect(published.json.Version).toBe("1");
      const alias = await aws("create-alias", "--function-name", name, "--name", "prod", "--function-version", "1");
      expect(alias.json.AliasArn).toBe(`arn:aws:lambda:us-east-1:000000000000:function:${name}:prod`);
      const deleted = await aws("delete-function", "--function-name", name);
      expect(deleted.code).toBe(0);
      const missing = await aws("get-function", "--function-name", name);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toContain("ResourceNotFoundException");
    }, 150_000);
  });
}
