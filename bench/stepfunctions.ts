/**
 * Step Functions figures, in-process: executions per second of a 10-state Pass/Choice machine
 * (StartExecution, then `emulator.settled()` until it has closed), and StartSyncExecution
 * latency (p50/p99) of the same machine as EXPRESS.
 *
 *   npx tsx bench/stepfunctions.ts        (BENCH_SECONDS=3 by default per figure)
 */
import { createEmulator } from "../src/emulator.ts";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const emulator = createEmulator();
const auth = "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/states/aws4_request, SignedHeaders=host, Signature=0";

async function sfn(operation: string, body: unknown): Promise<any> {
  const response = await emulator.fetch(new Request("http://127.0.0.1:4566/", {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": `AWSStepFunctions.${operation}`, authorization: auth },
    body: JSON.stringify(body),
  }));
  const json = await response.json();
  if (response.status !== 200) throw new Error(JSON.stringify(json));
  return json;
}

// Ten states: five Pass states, each followed by a Choice on a counter.
const states: Record<string, unknown> = {};
for (let i = 0; i < 5; i++) {
  states[`P${i}`] = { Type: "Pass", Parameters: { "n.$": `States.MathAdd($.n, 1)` }, Next: `C${i}` };
  states[`C${i}`] = { Type: "Choice", Choices: [{ Variable: "$.n", NumericGreaterThan: 100, Next: "Done" }], Default: i < 4 ? `P${i + 1}` : "Done" };
}
states.Done = { Type: "Succeed" };
const definition = JSON.stringify({ StartAt: "P0", States: states });
const role = "arn:aws:iam::000000000000:role/bench";
const standard = (await sfn("CreateStateMachine", { name: "bench", definition, roleArn: role })).stateMachineArn;
const express = (await sfn("CreateStateMachine", { name: "bench-express", definition, roleArn: role, type: "EXPRESS" })).stateMachineArn;

let executions = 0;
let deadline = performance.now() + SECONDS * 1000;
while (performance.now() < deadline) {
  await sfn("StartExecution", { stateMachineArn: standard, input: '{"n":0}' });
  await emulator.settled();
  executions++;
}
const last = (await sfn("ListExecutions", { stateMachineArn: standard, maxResults: 1 })).executions[0];
if (last.status !== "SUCCEEDED") throw new Error(`last execution ${last.status}`);
console.log(`StartExecution of a 10-state Pass/Choice machine, run to completion (in-process): ${(executions / SECONDS).toFixed(0)} executions/s`);

const latencies: number[] = [];
deadline = performance.now() + SECONDS * 1000;
while (performance.now() < deadline) {
  const start = performance.now();
  const out = await sfn("StartSyncExecution", { stateMachineArn: express, input: '{"n":0}' });
  if (out.status !== "SUCCEEDED") throw new Error(JSON.stringify(out));
  latencies.push(performance.now() - start);
}
latencies.sort((a, b) => a - b);
const p = (q: number) => latencies[Math.floor(latencies.length * q)]!.toFixed(2);
console.log(`StartSyncExecution of the same machine as EXPRESS (in-process): p50 ${p(0.5)} ms  p99 ${p(0.99)} ms  ${(latencies.length / SECONDS).toFixed(0)} calls/s`);
