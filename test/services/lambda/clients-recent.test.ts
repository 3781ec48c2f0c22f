/**
 * The operations added to Lambda's model most recently, through boto3 against the Node server:
 * capacity providers and scaling configs, a durable execution started by invoke with a name
 * (its ARN in boto3's response, read back with get/list), and InvokeWithResponseStream read as
 * boto3's event stream from a streaming Node handler. Skipped, with the reason printed, where
 * python3 with boto3 is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { boto3, python } from "../../helpers/external.ts";
import { startTestServer } from "../../helpers/clients.ts";
import { ROLE, zip } from "./zips.ts";

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

const DURABLE = `
import { LambdaClient, CheckpointDurableExecutionCommand } from "@aws-sdk/client-lambda";
const lambda = new LambdaClient({});
export const handler = async (event) => {
  const input = JSON.parse(event.InitialExecutionState.Operations[0].ExecutionDetails.InputPayload);
  const out = await lambda.send(new CheckpointDurableExecutionCommand({
    DurableExecutionArn: event.DurableExecutionArn, CheckpointToken: event.CheckpointToken,
    Updates: [{ Id: "s", Type: "STEP", Action: "START" }, { Id: "s", Type: "STEP", Action: "SUCCEED", Payload: String(input.n + 1) }],
  }));
  return { Status: "SUCCEEDED", Result: JSON.stringify({ next: input.n + 1, token: typeof out.CheckpointToken }) };
};`;

const STREAMING = `export const handler = awslambda.streamifyResponse(async (event, stream) => {
  stream.setContentType("text/plain");
  for (const part of ["one ", "two ", "three"]) stream.write(part);
  stream.end();
});`;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64");

if (!python.version) console.warn(`skipping boto3 recent-operations Lambda suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3, recent Lambda operations", () => {
  it("capacity providers, a durable execution and a streamed response", async () => {
    const out = await boto3(server.url, `
import base64
lam = boto3.client("lambda", endpoint_url=ENDPOINT, region_name="us-east-1")
cp = lam.create_capacity_provider(CapacityProviderName="cp-py", VpcConfig={"SubnetIds": ["subnet-1"], "SecurityGroupIds": []},
  PermissionsConfig={"CapacityProviderOperatorRoleArn": "arn:aws:iam::000000000000:role/op"})
listed = [p["CapacityProviderArn"] for p in lam.list_capacity_providers()["CapacityProviders"]]
try:
    lam.get_capacity_provider(CapacityProviderName="missing")
    missing = None
except lam.exceptions.ResourceNotFoundException as e:
    missing = e.response["Error"]["Code"]
deleted = lam.delete_capacity_provider(CapacityProviderName="cp-py")["CapacityProvider"]["State"]

lam.create_function(FunctionName="durable-py", Runtime="nodejs20.x", Role="${ROLE}", Handler="index.handler", Timeout=20,
  Code={"ZipFile": base64.b64decode("${b64(zip({ "index.mjs": DURABLE }))}")}, DurableConfig={"ExecutionTimeout": 3600})
inv = lam.invoke(FunctionName="durable-py", Payload=json.dumps({"n": 41}), DurableExecutionName="py-run")
result = json.loads(inv["Payload"].read())
execution = lam.get_durable_execution(DurableExecutionArn=inv["DurableExecutionArn"])
runs = lam.list_durable_executions_by_function(FunctionName="durable-py")["DurableExecutions"]
events = [e["EventType"] for e in lam.get_durable_execution_history(DurableExecutionArn=inv["DurableExecutionArn"])["Events"]]

lam.create_function(FunctionName="stream-py", Runtime="nodejs20.x", Role="${ROLE}", Handler="index.handler",
  Code={"ZipFile": base64.b64decode("${b64(zip({ "index.mjs": STREAMING }))}")})
streamed = lam.invoke_with_response_stream(FunctionName="stream-py", Payload=b"{}")
chunks, complete = [], None
for event in streamed["EventStream"]:
    if "PayloadChunk" in event:
        chunks.append(event["PayloadChunk"]["Payload"].decode())
    if "InvokeComplete" in event:
        complete = event["InvokeComplete"]
print(json.dumps({"cp": cp["CapacityProvider"]["State"], "listed": listed, "missing": missing, "deleted": deleted,
  "arn": inv["DurableExecutionArn"], "result": result, "status": execution["Status"], "runs": [r["DurableExecutionName"] for r in runs],
  "events": events, "type": streamed["ResponseStreamContentType"], "chunks": chunks, "complete": complete}))
`);
    expect(out).toMatchObject({
      cp: "Pending", listed: ["arn:aws:lambda:us-east-1:000000000000:capacity-provider:cp-py"], missing: "ResourceNotFoundException", deleted: "Deleting",
      result: { next: 42, token: "string" }, status: "SUCCEEDED", runs: ["py-run"],
      events: ["ExecutionStarted", "StepStarted", "StepSucceeded", "InvocationCompleted", "ExecutionSucceeded"],
      type: "text/plain", complete: {},
    });
    expect(out.arn).toMatch(/:function:durable-py:\$LATEST\/durable-execution\/py-run\//);
    expect(out.chunks.join("")).toBe("one two three");
  }, 150_000);
});
