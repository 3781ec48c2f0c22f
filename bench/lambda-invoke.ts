/**
 * Lambda Invoke latency with the Node runner, in-process (issue 15's figures): cold starts
 * (a new function each time: unpack, spawn Node, load the handler), warm sequential invokes
 * (p50/p99), and warm invocations per second with BENCH_CONCURRENCY parallel callers (one warm
 * environment each).
 *
 * Baselines measured in the same run, so the figures read as ratios on a loaded machine: a
 * control-plane call (GetFunctionConfiguration, no process involved) and a bare `node -e ''`
 * spawn (what a cold start cannot go below). The load average is printed with the figures.
 *
 *   npx tsx bench/lambda-invoke.ts        (BENCH_SECONDS, BENCH_COLD, BENCH_CONCURRENCY)
 */
import { zipSync, strToU8 } from "fflate";
import { createEmulator } from "../src/emulator.ts";
import { createNodeLambdaRunner } from "../src/runtime/lambda/node-runner.ts";
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const COLD = Number(process.env.BENCH_COLD ?? 10);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const runner = createNodeLambdaRunner();
const emulator = createEmulator({ lambdaRunner: runner });
const auth = "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0";
const code = zipSync({ "index.mjs": strToU8("export const handler = async (event) => ({ ok: true, n: event.n });") });

async function call(method: string, path: string, body?: BodyInit): Promise<Response> {
  const response = await emulator.fetch(new Request(`http://127.0.0.1:4566${path}`, { method, body, headers: { authorization: auth } }));
  if (response.status >= 300) throw new Error(`${response.status} ${await response.text()}`);
  return response;
}

async function createFunction(name: string): Promise<void> {
  await call("POST", "/2015-03-31/functions", JSON.stringify({
    FunctionName: name, Runtime: "nodejs20.x", Role: "arn:aws:iam::000000000000:role/bench", Handler: "index.handler",
    Code: { ZipFile: Buffer.from(code).toString("base64") },
  }));
}

async function invoke(name: string, n: number): Promise<number> {
  const start = performance.now();
  const response = await call("POST", `/2015-03-31/functions/${name}/invocations`, JSON.stringify({ n }));
  if (response.headers.get("x-amz-function-error")) throw new Error(await response.text());
  await response.arrayBuffer();
  return performance.now() - start;
}

function pct(samples: number[], p: number): number {
  const sorted = samples.slice().sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

console.log(`load average at start: ${loadavg().map((n) => n.toFixed(1)).join(" ")} (${(await import("node:os")).cpus().length} cores)`);
const spawnSamples: number[] = [];
for (let i = 0; i < COLD; i++) {
  const start = performance.now();
  execFileSync(process.execPath, ["-e", ""]);
  spawnSamples.push(performance.now() - start);
}
const spawnP50 = pct(spawnSamples, 50);
console.log(`baseline: bare node spawn p50 ${spawnP50.toFixed(1)} ms`);

const cold: number[] = [];
for (let i = 0; i < COLD; i++) {
  await createFunction(`cold-${i}`);
  cold.push(await invoke(`cold-${i}`, i));
}
console.log(`cold Invoke (${COLD} functions): p50 ${pct(cold, 50).toFixed(1)} ms  p99 ${pct(cold, 99).toFixed(1)} ms  (${(pct(cold, 50) / spawnP50).toFixed(1)}x a bare node spawn)`);

await createFunction("warm");
const control: number[] = [];
const controlDeadline = performance.now() + SECONDS * 1000;
while (performance.now() < controlDeadline) {
  const start = performance.now();
  await (await call("GET", "/2015-03-31/functions/warm/configuration")).arrayBuffer();
  control.push(performance.now() - start);
}
const controlP50 = pct(control, 50);
console.log(`baseline: GetFunctionConfiguration p50 ${controlP50.toFixed(2)} ms  p99 ${pct(control, 99).toFixed(2)} ms`);
await invoke("warm", 0);
const warm: number[] = [];
let deadline = performance.now() + SECONDS * 1000;
while (performance.now() < deadline) warm.push(await invoke("warm", warm.length));
console.log(`warm Invoke, sequential: ${(warm.length / SECONDS).toFixed(0)} invocations/s  p50 ${pct(warm, 50).toFixed(2)} ms  p99 ${pct(warm, 99).toFixed(2)} ms  (${(pct(warm, 50) / controlP50).toFixed(1)}x GetFunctionConfiguration)`);

// Warm one environment per caller first.
await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => invoke("warm", i)));
let count = 0;
const parallel: number[] = [];
deadline = performance.now() + SECONDS * 1000;
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  while (performance.now() < deadline) {
    parallel.push(await invoke("warm", count++));
  }
}));
console.log(`warm Invoke, ${CONCURRENCY} callers: ${(count / SECONDS).toFixed(0)} invocations/s  p50 ${pct(parallel, 50).toFixed(2)} ms  p99 ${pct(parallel, 99).toFixed(2)} ms`);
console.log(`load average at end: ${loadavg().map((n) => n.toFixed(1)).join(" ")}`);
await runner.close();
