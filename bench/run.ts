/**
 * `npm run bench`: throughput and latency per operation, in-process and over HTTP, side by
 * side with a bare fetch handler on the same Node adapter (the ceiling) and with moto's server
 * when installed, all measured in the same run and reported as ratios (these machines are
 * noisy: compare ratios, not absolute numbers).
 *
 * Options (env): BENCH_SECONDS (per measurement, default 3), BENCH_CONNECTIONS (default 16),
 * BENCH_FILTER (substring of case names), BENCH_MOTO=0 to skip moto.
 */
import { Agent, request as httpRequest } from "undici";
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { createEmulator } from "../src/emulator.ts";
import { CASES } from "./cases/index.ts";
import type { BenchCase, BenchRequest } from "./cases/types.ts";
import { ceiling } from "./ceiling-server.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const FILTER = process.env.BENCH_FILTER ?? "";

interface Result {
  rps: number;
  p50: number;
  p99: number;
}

function fmt(r: Result | undefined): string {
  if (!r || r.p50 === undefined) return "-".padStart(28);
  return `${Math.round(r.rps).toString().padStart(8)} req/s  p50 ${r.p50.toFixed(2).padStart(6)}ms p99 ${r.p99.toFixed(2).padStart(6)}ms`;
}

function toRequest(base: string, r: BenchRequest): Request {
  return new Request(base + r.path, { method: r.method, headers: r.headers, body: r.body });
}

/** In-process: `concurrency` loops calling the handler for SECONDS, per-call latencies recorded. */
async function inProcess(handler: (r: Request) => Promise<Response>, make: () => Request, concurrency = 8): Promise<Result> {
  const latencies: number[] = [];
  const deadline = performance.now() + SECONDS * 1000;
  // Warm-up
  for (let i = 0; i < 200; i++) await (await handler(make())).arrayBuffer();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (performance.now() < deadline) {
      const start = performance.now();
      const response = await handler(make());
      await response.arrayBuffer();
      latencies.push(performance.now() - start);
    }
  }));
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / SECONDS,
    p50: latencies[Math.floor(latencies.length * 0.5)],
    p99: latencies[Math.floor(latencies.length * 0.99)],
  };
}

/**
 * HTTP load from this process with undici (keep-alive where the server allows it; servers that
 * close every connection, like moto's Werkzeug, still work): CONNECTIONS concurrent loops.
 */
async function overHttp(url: string, c: BenchCase): Promise<Result> {
  const dispatcher = new Agent({ connections: CONNECTIONS, pipelining: 1 });
  const once = async () => {
    const r = c.request();
    const response = await httpRequest(url + r.path, { method: r.method as never, headers: r.headers, body: r.body, dispatcher });
    await response.body.arrayBuffer();
    return response.statusCode;
  };
  for (let i = 0; i < 100; i++) await once();
  const latencies: number[] = [];
  let errors = 0;
  const deadline = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONNECTIONS }, async () => {
    while (performance.now() < deadline) {
      const start = performance.now();
      const status = await once().catch(() => 0);
      if (status < 200 || status >= 300) errors++;
      latencies.push(performance.now() - start);
    }
  }));
  await dispatcher.close();
  if (errors) console.warn(`  ${c.name}: ${errors} failed or non-2xx responses over HTTP (${url})`);
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / SECONDS, p50: latencies[Math.floor(latencies.length * 0.5)], p99: latencies[Math.floor(latencies.length * 0.99)] };
}

async function startProcess(command: string, args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
  await new Promise<void>((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => reject(new Error(`${command} not ready: ${text}`)), 30_000);
    const onData = (d: Buffer) => {
      text += d.toString();
      if (ready.test(text)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${command} exited ${code}: ${text}`)));
  });
  return child;
}

async function send(url: string, r: BenchRequest): Promise<void> {
  const response = await fetch(toRequest(url, r));
  await response.arrayBuffer();
}

function hasMoto(): boolean {
  if (process.env.BENCH_MOTO === "0") return false;
  try {
    execFileSync("moto_server", ["--help"], { stdio: "ignore", timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const cases = CASES.filter((c) => c.name.includes(FILTER));
  console.log(`fetchstack bench: ${SECONDS}s per measurement, ${CONNECTIONS} HTTP connections, Node ${process.version}\n`);

  // Start-up time of the Node server (`npm start` without the build step), median of 5.
  const startups: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const child = await startProcess("node", ["dist/cli.js", "--port", "0"], /fetchstack on Node/);
    startups.push(performance.now() - t0);
    child.kill("SIGKILL");
  }
  startups.sort((a, b) => a - b);
  const t0 = performance.now();
  createEmulator();
  const createMs = performance.now() - t0;
  console.log(`start-up: node dist/cli.js ready in ${startups[2].toFixed(0)} ms (median of 5; \`node -e ''\` alone is ~40 ms); createEmulator() ${createMs.toFixed(1)} ms\n`);

  const emulatorPort = 45000 + Math.floor(Math.random() * 5000);
  const ceilingPort = emulatorPort + 1;
  const motoPort = emulatorPort + 2;
  const server = await startProcess("node", ["dist/cli.js", "--port", String(emulatorPort)], /fetchstack on Node/);
  const ceilingServer = await startProcess("node", ["bench/ceiling-server.mjs", String(ceilingPort)], /ready/);
  const moto = hasMoto() ? await startProcess("moto_server", ["-p", String(motoPort)], /Running on|Press CTRL/).catch(() => undefined) : undefined;
  const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  const motoUrl = `http://127.0.0.1:${motoPort}`;
  const emulator = createEmulator();

  try {
    const ceilingInProcess = await inProcess(ceiling, () => new Request("http://127.0.0.1/", { method: "POST", body: "Action=GetCallerIdentity&Version=2011-06-15" }));
    const ceilingHttp = await overHttp(`http://127.0.0.1:${ceilingPort}`, CASES[0]);
    console.log(`${"ceiling (bare fetch handler)".padEnd(30)} in-process ${fmt(ceilingInProcess)}`);
    console.log(`${"".padEnd(30)} HTTP       ${fmt(ceilingHttp)}\n`);

    for (const c of cases) {
      for (const setup of c.setup ?? []) {
        await emulator.fetch(toRequest("http://127.0.0.1:4566", setup));
        await send(emulatorUrl, setup);
        if (moto && c.moto) await send(motoUrl, setup).catch(() => {});
      }
      const local = await inProcess((r) => emulator.fetch(r), () => toRequest("http://127.0.0.1:4566", c.request()));
      const http = await overHttp(emulatorUrl, c);
      const viaMoto = moto && c.moto ? await overHttp(motoUrl, c).catch(() => undefined) : undefined;
      console.log(`${c.name.padEnd(30)} in-process ${fmt(local)}  = ${(local.rps / ceilingInProcess.rps).toFixed(2)} × ceiling`);
      console.log(`${"".padEnd(30)} HTTP       ${fmt(http)}  = ${(http.rps / ceilingHttp.rps).toFixed(2)} × ceiling`);
      if (viaMoto) console.log(`${"".padEnd(30)} moto HTTP  ${fmt(viaMoto)}  → fetchstack ${(http.rps / viaMoto.rps).toFixed(1)} × moto's throughput`);
      console.log("");
    }
  } finally {
    server.kill("SIGTERM");
    ceilingServer.kill("SIGTERM");
    moto?.kill("SIGTERM");
  }
}

await main();
process.exit(0);
