/**
 * Large objects on a persistent store: `aws s3 cp` of a LARGE_MIB (default 1024) MiB file up to,
 * and back down from, `node dist/cli.js --data-dir DIR`, with the server's resident memory
 * sampled from /proc (VmRSS every 50 ms, and VmHWM, the kernel's peak) after each direction.
 * The copy is checked byte for byte (cmp).
 *
 *   npm run build && npx tsx bench/large-object.ts
 *
 * Options (env): LARGE_MIB, LARGE_CLI (default /usr/bin/aws, AWS CLI v2), LARGE_SERVER (the
 * server's entry, default dist/cli.js). Linux only (/proc).
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, writeSync, closeSync, readFileSync, rmSync, statSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

const MIB = Number(process.env.LARGE_MIB ?? 1024);
const CLI = process.env.LARGE_CLI ?? "/usr/bin/aws";
const SERVER = process.env.LARGE_SERVER ?? "dist/cli.js";

function statusKiB(pid: number, field: "VmRSS" | "VmHWM"): number {
  const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return Number(match?.[1] ?? 0);
}

function duSize(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of readdirSync(path)) total += duSize(join(path, name));
  return total;
}

async function start(port: number, dataDir: string): Promise<ChildProcess> {
  const child = spawn("node", [SERVER, "--port", String(port), "--data-dir", dataDir], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      if (/fetchstack on Node/.test(out)) resolve();
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  child.stdout!.resume();
  return child;
}

/** Runs the CLI asynchronously while sampling the server's RSS; returns seconds and peak sampled RSS. */
function cli(args: string[], endpoint: string, pid: number): Promise<{ seconds: number; peakRssMiB: number }> {
  const env = { ...process.env, AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test", AWS_DEFAULT_REGION: "us-east-1", AWS_PAGER: "" };
  const started = performance.now();
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, statusKiB(pid, "VmRSS"))), 50);
  return new Promise((resolve, reject) => {
    const child = spawn(CLI, ["--endpoint-url", endpoint, ...args], { env, stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
    child.once("exit", (code) => {
      clearInterval(timer);
      if (code !== 0) reject(new Error(`${CLI} ${args.join(" ")} exited ${code}: ${err}`));
      else resolve({ seconds: (performance.now() - started) / 1000, peakRssMiB: peak / 1024 });
    });
  });
}

const work = mkdtempSync(join(tmpdir(), "fetchstack-large-"));
const dataDir = join(work, "data");
const source = join(work, "source.bin");
const copy = join(work, "copy.bin");
// Incompressible content: one random MiB repeated, with the MiB's index in its first bytes.
const block = randomBytes(1 << 20);
const fd = openSync(source, "w");
for (let i = 0; i < MIB; i++) {
  block.writeUInt32BE(i, 0);
  writeSync(fd, block);
}
closeSync(fd);

const port = 20000 + Math.floor(Math.random() * 20000);
const endpoint = `http://127.0.0.1:${port}`;
const server = await start(port, dataDir);
const pid = server.pid!;
try {
  const idle = statusKiB(pid, "VmRSS") / 1024;
  await cli(["s3", "mb", "s3://large-object-bench"], endpoint, pid);
  const up = await cli(["s3", "cp", source, "s3://large-object-bench/big.bin"], endpoint, pid);
  const hwmUp = statusKiB(pid, "VmHWM") / 1024;
  const stored = duSize(dataDir) / (1 << 20);
  const down = await cli(["s3", "cp", "s3://large-object-bench/big.bin", copy], endpoint, pid);
  const hwmDown = statusKiB(pid, "VmHWM") / 1024;
  execFileSync("cmp", [source, copy]);
  const rate = (s: number) => (MIB / s).toFixed(0);
  console.log(`large object: ${MIB} MiB with ${CLI} against ${SERVER} --data-dir (RSS idle ${idle.toFixed(0)} MiB)`);
  console.log(`  upload    ${up.seconds.toFixed(1)} s (${rate(up.seconds)} MiB/s), server peak RSS sampled ${up.peakRssMiB.toFixed(0)} MiB, VmHWM ${hwmUp.toFixed(0)} MiB; data dir ${stored.toFixed(0)} MiB`);
  console.log(`  download  ${down.seconds.toFixed(1)} s (${rate(down.seconds)} MiB/s), server peak RSS sampled ${down.peakRssMiB.toFixed(0)} MiB, VmHWM ${hwmDown.toFixed(0)} MiB; copy identical`);
} finally {
  server.kill("SIGTERM");
  await new Promise((resolve) => server.once("exit", resolve));
  rmSync(work, { recursive: true, force: true });
}
