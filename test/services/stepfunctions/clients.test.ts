/**
 * Step Functions through real clients against the Node server: the JS SDK over HTTP, boto3,
 * AWS CLI v1 and v2. StartSyncExecution carries the `sync-` host prefix; each client is shown
 * with the prefix turned off (JS SDK `disableHostPrefix: true`, boto3
 * `Config(inject_host_prefix=False)`, botocore's `AWS_DISABLE_HOST_PREFIX_INJECTION` for CLI v1),
 * and a prefixed Host that does arrive is served. Suites skip, with the reason printed, only where
 * a client is absent.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { request } from "node:http";
import { SFNClient, CreateStateMachineCommand, StartSyncExecutionCommand, StartExecutionCommand, DescribeExecutionCommand } from "@aws-sdk/client-sfn";
import { awsCli, boto3, clientEnv, python, run } from "../../helpers/external.ts";
import { overHttp, startTestServer } from "../../helpers/clients.ts";
import { identifyService, indexServices } from "../../../src/gateway/identify.ts";
import { SERVICES } from "../../../src/services/registry.ts";

const ROLE = "arn:aws:iam::000000000000:role/sfn";
const EXPRESS_DEF = JSON.stringify({ StartAt: "A", States: { A: { Type: "Pass", Parameters: { "greeting.$": "States.Format('hello {}', $.who)" }, End: true } } });

let server: Awaited<ReturnType<typeof startTestServer>>;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server?.close());

describe("JS SDK over HTTP", () => {
  it("StartSyncExecution with disableHostPrefix: true; StartExecution and DescribeExecution", async () => {
    const sfn = new SFNClient({ ...overHttp(server.url), disableHostPrefix: true });
    const express = await sfn.send(new CreateStateMachineCommand({ name: "js-express", definition: EXPRESS_DEF, roleArn: ROLE, type: "EXPRESS" }));
    const out = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: express.stateMachineArn, input: '{"who":"js"}' }));
    expect(out).toMatchObject({ status: "SUCCEEDED", output: '{"greeting":"hello js"}', stateMachineArn: express.stateMachineArn });
    expect(out.executionArn).toMatch(/^arn:aws:states:us-east-1:000000000000:express:js-express:[^:]+:[0-9a-f-]{36}$/);
    expect(out.billingDetails?.billedDurationInMilliseconds).toBeGreaterThanOrEqual(100);
    const standard = await sfn.send(new CreateStateMachineCommand({ name: "js-standard", definition: EXPRESS_DEF, roleArn: ROLE }));
    await expect(sfn.send(new StartSyncExecutionCommand({ stateMachineArn: standard.stateMachineArn, input: "{}" }))).rejects.toMatchObject({ name: "StateMachineTypeNotSupported" });
    const started = await sfn.send(new StartExecutionCommand({ stateMachineArn: standard.stateMachineArn, input: '{"who":"std"}' }));
    for (let i = 0; i < 50; i++) {
      const d = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
      if (d.status !== "RUNNING") {
        expect(d).toMatchObject({ status: "SUCCEEDED", output: '{"greeting":"hello std"}' });
        return;
      }
    }
    throw new Error("the execution did not finish");
  });

  it("serves a request whose Host carries the sync- prefix", async () => {
    const body = JSON.stringify({ stateMachineArn: "arn:aws:states:us-east-1:000000000000:stateMachine:js-express", input: '{"who":"raw"}' });
    const port = new URL(server.url).port;
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, method: "POST", path: "/", headers: {
        Host: `sync-localhost:${port}`, "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AWSStepFunctions.StartSyncExecution",
        Authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/states/aws4_request, SignedHeaders=host, Signature=00",
      } }, (res) => {
        let text = "";
        res.on("data", (c) => (text += c));
        res.on("end", () => resolve({ status: res.statusCode!, body: text }));
      });
      req.on("error", reject);
      req.end(body);
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: "SUCCEEDED", output: '{"greeting":"hello raw"}' });
  });

  it("reads a prefixed Host as the endpoint's own host (sync-states.<region>.localhost)", () => {
    const index = indexServices(SERVICES);
    const identified = identifyService(index, {
      headers: new Headers({ host: "sync-states.eu-west-1.localhost:4566" }), url: new URL("http://sync-states.eu-west-1.localhost:4566/"),
      pinned: "stepfunctions", hostnames: ["localhost", "127.0.0.1"], credentials: null,
    });
    expect(identified.service.name).toBe("stepfunctions");
    expect(identified.region).toBe("eu-west-1");
  });
});

if (!python.version) console.warn(`skipping boto3 Step Functions suite: ${python.reason}`);
// Skipped only when python3 with boto3 is absent; the reason is printed.
describe.skipIf(!python.version)("boto3", () => {
  it("state machines, executions, history, errors, and start_sync_execution with inject_host_prefix=False", async () => {
    const out = await boto3(server.url, `
from botocore.config import Config
sfn = boto3.client("stepfunctions", endpoint_url=ENDPOINT, region_name="us-east-1")
nohost = boto3.client("stepfunctions", endpoint_url=ENDPOINT, region_name="us-east-1", config=Config(inject_host_prefix=False))
role = "${ROLE}"
std = sfn.create_state_machine(name="py-std", definition=json.dumps({"StartAt": "W", "States": {"W": {"Type": "Pass", "Result": {"ok": True}, "End": True}}}), roleArn=role)["stateMachineArn"]
ex = sfn.start_execution(stateMachineArn=std, name="py-run", input='{"a":1}')["executionArn"]
import time
for _ in range(100):
    d = sfn.describe_execution(executionArn=ex)
    if d["status"] != "RUNNING":
        break
hist = sfn.get_execution_history(executionArn=ex)["events"]
express = sfn.create_state_machine(name="py-express", definition=${JSON.stringify(EXPRESS_DEF)}, roleArn=role, type="EXPRESS")["stateMachineArn"]
sync = nohost.start_sync_execution(stateMachineArn=express, input='{"who":"py"}')
def err(fn, **kw):
    try:
        fn(**kw)
    except botocore.exceptions.ClientError as e:
        return [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
dup = err(sfn.start_execution, stateMachineArn=std, name="py-run", input='{"a":2}')
bad = err(sfn.create_state_machine, name="py-bad", definition='{"StartAt":"X","States":{}}', roleArn=role)
valid = sfn.validate_state_machine_definition(definition='{"StartAt":"X","States":{"X":{"Type":"Pass","Next":"Y"}}}')
print(json.dumps({"status": d["status"], "output": d["output"], "types": [e["type"] for e in hist], "sync": [sync["status"], sync["output"]],
  "dup": dup, "bad": bad, "valid": [valid["result"], [[x["code"], x["message"], x.get("location")] for x in valid["diagnostics"]]]}))
`);
    expect(out.status).toBe("SUCCEEDED");
    expect(out.output).toBe('{"ok":true}');
    expect(out.types).toEqual(["ExecutionStarted", "PassStateEntered", "PassStateExited", "ExecutionSucceeded"]);
    expect(out.sync).toEqual(["SUCCEEDED", '{"greeting":"hello py"}']);
    expect(out.dup).toEqual(["ExecutionAlreadyExists", "Execution Already Exists: 'arn:aws:states:us-east-1:000000000000:execution:py-std:py-run'", 400]);
    expect(out.bad[0]).toBe("InvalidDefinition");
    expect(out.bad[1]).toMatch(/^Invalid State Machine Definition: '/);
    expect(out.valid).toEqual(["FAIL", [["MISSING_TRANSITION_TARGET", "Missing 'Next' target: Y", "/States/X/Next"], ["MISSING_END_STATE", "Workflow has no terminal state", null]]]);
  }, 60_000);
});

for (const [label, cli] of [["AWS CLI v1", awsCli.v1], ["AWS CLI v2", awsCli.v2]] as const) {
  if (!cli) console.warn(`skipping ${label} Step Functions suite: not installed`);
  // Skipped only when this AWS CLI is absent; the reason is printed.
  describe.skipIf(!cli)(label, () => {
    const tag = label.endsWith("v1") ? "v1" : "v2";
    const ok = async (env: NodeJS.ProcessEnv, ...args: string[]) => {
      const r = await run(cli!, ["stepfunctions", ...args, "--endpoint-url", server.url, "--output", "json"], env);
      if (r.code !== 0) throw new Error(`aws stepfunctions ${args.join(" ")} failed: ${r.stderr}`);
      return r.stdout.trim() ? JSON.parse(r.stdout) : undefined;
    };

    it("creates a machine, runs it, reads its history; start-sync-execution where the CLI can turn the prefix off", async () => {
      const env = clientEnv();
      const arn = (await ok(env, "create-state-machine", "--name", `cli-${tag}`, "--role-arn", ROLE, "--definition", EXPRESS_DEF)).stateMachineArn;
      expect(arn).toBe(`arn:aws:states:us-east-1:000000000000:stateMachine:cli-${tag}`);
      const ex = (await ok(env, "start-execution", "--state-machine-arn", arn, "--input", '{"who":"cli"}')).executionArn;
      let d: any;
      for (let i = 0; i < 20; i++) {
        d = await ok(env, "describe-execution", "--execution-arn", ex);
        if (d.status !== "RUNNING") break;
      }
      expect(d).toMatchObject({ status: "SUCCEEDED", output: '{"greeting":"hello cli"}' });
      const hist = await ok(env, "get-execution-history", "--execution-arn", ex, "--reverse-order");
      expect(hist.events.map((e: { type: string }) => e.type)).toEqual(["ExecutionSucceeded", "PassStateExited", "PassStateEntered", "ExecutionStarted"]);
      if (tag === "v1") {
        const express = (await ok(env, "create-state-machine", "--name", "cli-v1-express", "--role-arn", ROLE, "--definition", EXPRESS_DEF, "--type", "EXPRESS")).stateMachineArn;
        const sync = await ok(clientEnv({ AWS_DISABLE_HOST_PREFIX_INJECTION: "true" }), "start-sync-execution", "--state-machine-arn", express, "--input", '{"who":"v1"}');
        expect(sync).toMatchObject({ status: "SUCCEEDED", output: '{"greeting":"hello v1"}' });
      }
    }, 120_000);
  });
}
