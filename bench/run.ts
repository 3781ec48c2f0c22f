/**
 * `npm run bench`: throughput and latency per operation, in-process and over HTTP, side by
 * side with a bare fetch handler on the same Node adapter (the ceiling) and with moto's server
 * when installed, all measured in the same run and reported as ratios (these machines are
 * noisy: compare ratios, not absolute numbers).
 *
 * Options (env): BENCH_SECONDS (per measurement, default 3), BENCH_CONNECTIONS (default 16),
 * BENCH_FILTER (substring of case names; `|` separates alternatives), BENCH_MOTO=0 to skip moto,
 * BENCH_LOAD=undici to force the JS load generator, BENCH_SERVER (the HTTP server's entry,
 * default dist/cli.js).
 *
 * HTTP load comes from `wrk` when it is installed (Debian: `apt-get install wrk`): a C load
 * generator leaves the server the CPU it needs on a small machine, so the figures are the
 * server's. Otherwise an undici loop in this process generates it, and on a 2-core machine the
 * generator's own CPU caps every server alike (ratios still hold, absolute figures do not).
 */
import { Agent, request as httpRequest } from "undici";
import { spawn, execFile, execFileSync, type ChildProcess } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createEmulator } from "../src/emulator.ts";
import { CASES } from "./cases/index.ts";
import type { BenchCase, BenchRequest } from "./cases/types.ts";
import { ceiling } from "./ceiling-server.mjs";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 16);
const FILTER = process.env.BENCH_FILTER ?? "";
/** The server measured over HTTP (another build's `cli.js` for before/after figures). */
const SERVER = process.env.BENCH_SERVER ?? "dist/cli.js";

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
  // Warm-up: 200 calls or one second, whichever ends first; then the measured window.
  const warmEnd = performance.now() + 1000;
  for (let i = 0; i < 200 && performance.now() < warmEnd; i++) await (await handler(make())).arrayBuffer();
  const deadline = performance.now() + SECONDS * 1000;
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
  if (WRK) {
    // Warm up first (moto imports a service's backend on its first request).
    for (let i = 0; i < 20; i++) await send(url, c.request()).catch(() => {});
    return overHttpWrk(url, c);
  }
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

const WRK = process.env.BENCH_LOAD !== "undici" && (() => {
  try {
    execFileSync("wrk", ["--version"], { stdio: "ignore" });
    return true;
  } catch (error) {
    // wrk --version exits 1 after printing its version.
    return (error as { status?: number }).status === 1;
  }
})();
const wrkDir = mkdtempSync(join(tmpdir(), "fetchstack-bench-"));

function luaString(text: string): string {
  let eq = "";
  while (text.includes(`]${eq}]`)) eq += "=";
  return `[${eq}[${text}]${eq}]`;
}

/** `1.23ms` / `850.00us` / `1.02s` → milliseconds. */
function wrkMs(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1);
}

/** HTTP load with wrk: one thread, CONNECTIONS connections, the case's sample request. */
async function overHttpWrk(url: string, c: BenchCase): Promise<Result> {
  const r = c.request();
  const script = join(wrkDir, `${c.name.replace(/[^\w]/g, "_")}.lua`);
  const lines = [`wrk.method = ${luaString(r.method)}`];
  if (r.body !== undefined) lines.push(`wrk.body = ${luaString(r.body)}`);
  for (const [k, v] of Object.entries(r.headers)) lines.push(`wrk.headers[ ${luaString(k)} ] = ${luaString(v)}`);
  // Cases whose path varies per request (distinct keys) cycle through a sample of their paths.
  const paths = [...new Set(Array.from({ length: 1000 }, () => c.request().path))];
  if (paths.length > 1) {
    lines.push(`local paths = { ${paths.map(luaString).join(", ")} }`);
    lines.push("local i = 0");
    lines.push("request = function() i = i % #paths + 1; return wrk.format(nil, paths[i]) end");
  }
  writeFileSync(script, lines.join("\n") + "\n");
  // Asynchronously: the servers' log pipes (moto logs every request) must keep draining.
  const { stdout: out } = await promisify(execFile)("wrk", ["-t1", `-c${CONNECTIONS}`, `-d${SECONDS}s`, "--latency", "-s", script, url + r.path], { encoding: "utf8" });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0);
  const p50 = wrkMs(/\s50%\s+(\S+)/.exec(out)?.[1] ?? "");
  const p99 = wrkMs(/\s99%\s+(\S+)/.exec(out)?.[1] ?? "");
  const bad = /Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1];
  const errors = /Socket errors:[^\n]*/.exec(out)?.[0];
  if (bad) console.warn(`  ${c.name}: ${bad} non-2xx responses over HTTP (${url})`);
  if (errors) console.warn(`  ${c.name}: ${errors} (${url})`);
  return { rps, p50, p99 };
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
        // Keep draining (moto logs every request) without accumulating the text.
        child.stdout!.off("data", onData);
        child.stderr!.off("data", onData);
        child.stdout!.resume();
        child.stderr!.resume();
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
  const cases = CASES.filter((c) => FILTER.split("|").some((part) => c.name.includes(part)));
  console.log(`fetchstack bench: ${SECONDS}s per measurement, ${CONNECTIONS} HTTP connections, HTTP load from ${WRK ? "wrk" : "undici in this process"}, Node ${process.version}\n`);

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
  const server = await startProcess("node", [SERVER, "--port", String(emulatorPort)], /fetchstack on Node/);
  const ceilingServer = await startProcess("node", ["bench/ceiling-server.mjs", String(ceilingPort)], /ready/);
  const moto = hasMoto() ? await startProcess("moto_server", ["-p", String(motoPort)], /Running on|Press CTRL/).catch(() => undefined) : undefined;
  const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;
  const motoUrl = `http://127.0.0.1:${motoPort}`;
  const emulator = createEmulator();
  // Let the servers (moto imports a lot at start) settle before the first measurement.
  await new Promise((resolve) => setTimeout(resolve, 3000));

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
      // A case that reads what the server answered (an iterator) gets its request per server.
      const prepared = async (call: (r: BenchRequest) => Promise<Response>): Promise<BenchCase> =>
        c.prepare ? { ...c, request: await c.prepare(async (r) => (await call(r)).json()) } : c;
      // Prepared before measuring: an idle keep-alive connection would be closed by then.
      const localCase = await prepared((r) => emulator.fetch(toRequest("http://127.0.0.1:4566", r)));
      const httpCase = await prepared((r) => fetch(toRequest(emulatorUrl, r)));
      const motoCase = moto && c.moto ? await prepared((r) => fetch(toRequest(motoUrl, r))).catch(() => undefined) : undefined;
      const local = await inProcess((r) => emulator.fetch(r), () => toRequest("http://127.0.0.1:4566", localCase.request()));
      const http = await overHttp(emulatorUrl, httpCase);
      const viaMoto = motoCase ? await overHttp(motoUrl, motoCase).catch(() => undefined) : undefined;
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
