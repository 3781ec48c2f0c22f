/**
 * Crash test (issue 6): a client writes to STS, SQS, DynamoDB and S3 continuously, the server
 * (`--data-dir`) is killed with SIGKILL at a random moment, and after a restart every write that
 * got a 2xx is there and nothing visible is half-written. Under Node and under Deno; the data
 * directory written under Node is then opened under Deno (one on-disk format).
 * Prints the number of lost acknowledged writes (must be 0).
 */
import { afterAll, describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnUntil, type Spawned } from "../helpers/process.ts";
import { setUp, verify, writeUntilKilled, type Acknowledged, type ServiceName } from "./workload.ts";

const deno = "node_modules/.bin/deno";
const denoPresent = existsSync(deno);
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

type Runtime = "node" | "deno";

async function start(runtime: Runtime, dataDir: string): Promise<Spawned & { endpoint: string }> {
  const env = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" };
  const server = runtime === "node"
    ? await spawnUntil("node", ["bin/fetchstack.js", "--port", "0", "--data-dir", dataDir], /fetchstack on Node[^\n]*http:\/\/127\.0\.0\.1:(\d+)/, { env, timeoutMs: 60_000 })
    : await spawnUntil(deno, ["task", "start", "--port", "0", "--data-dir", dataDir], /fetchstack on Deno [^:]+: http:\/\/127\.0\.0\.1:(\d+)/, { env, timeoutMs: 90_000 });
  return Object.assign(server, { endpoint: `http://127.0.0.1:${server.match[1]}` });
}

function kill9(server: Spawned): Promise<void> {
  const exited = new Promise<void>((resolve) => server.child.once("exit", () => resolve()));
  process.kill(-server.child.pid!, "SIGKILL"); // the whole group: `deno task` runs deno as a child
  return exited;
}

async function crashOnce(runtime: Runtime): Promise<{ dir: string; services: ServiceName[]; queueUrl?: string; acked: Acknowledged }> {
  const dir = mkdtempSync(join(tmpdir(), `fetchstack-crash-${runtime}-`));
  dirs.push(dir);
  const first = await start(runtime, dir);
  const { services, skipped, queueUrl } = await setUp(first.endpoint);
  for (const [s, why] of Object.entries(skipped)) console.log(`crash test (${runtime}): ${s} not covered, it does not answer yet (${why})`);
  const abort = new AbortController();
  const writing = writeUntilKilled(first.endpoint, services, queueUrl, abort.signal);
  const delay = 1000 + Math.floor(Math.random() * 1500);
  await new Promise((r) => setTimeout(r, delay));
  await kill9(first);
  abort.abort();
  const acked = await writing;
  console.log(`crash test (${runtime}): SIGKILL after ${delay} ms`);
  return { dir, services, queueUrl, acked };
}

async function restartAndVerify(runtime: Runtime, label: string, run: Awaited<ReturnType<typeof crashOnce>>) {
  const second = await start(runtime, run.dir);
  try {
    const result = await verify(second.endpoint, run.services, run.queueUrl, run.acked);
    const total = Object.values(result.lost).reduce((a, b) => a + b, 0);
    console.log(`crash test (${label}): acknowledged ${JSON.stringify(result.acknowledged)}; lost acknowledged writes: ${total} ${JSON.stringify(result.lost)}; half-written visible: ${result.corrupt.length}`);
    return { ...result, total };
  } finally {
    await second.stop();
  }
}

describe("crash test: SIGKILL loses no acknowledged write", () => {
  let nodeRun: Awaited<ReturnType<typeof crashOnce>> | undefined;

  it("under Node", async () => {
    nodeRun = await crashOnce("node");
    const result = await restartAndVerify("node", "node", nodeRun);
    expect(Object.values(result.acknowledged).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(result.corrupt).toEqual([]);
    expect(result.total).toBe(0);
  }, 60_000);

  if (!denoPresent) console.warn("skipping part of crash.test.ts: the npm-installed deno (node_modules/.bin/deno) is absent");
  // Skipped only when the npm-installed deno (node_modules/.bin/deno) is absent; the reason is printed.
  it.skipIf(!denoPresent)("under Deno", async () => {
    const run = await crashOnce("deno");
    const result = await restartAndVerify("deno", "deno", run);
    expect(Object.values(result.acknowledged).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(result.corrupt).toEqual([]);
    expect(result.total).toBe(0);
  }, 90_000);

  // Skipped only when the npm-installed deno (node_modules/.bin/deno) is absent; the reason is printed.
  it.skipIf(!denoPresent)("a data directory written under Node opens under Deno with every acknowledged write", async () => {
    expect(nodeRun).toBeDefined();
    // SQS is left out: verifying under Node received every message (now in flight for 600 s).
    const result = await restartAndVerify("deno", "node → deno", { ...nodeRun!, services: nodeRun!.services.filter((s) => s !== "sqs") });
    expect(result.corrupt).toEqual([]);
    expect(result.total).toBe(0);
  }, 90_000);
});
